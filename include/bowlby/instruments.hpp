// bowlby: scoring of adult-attachment questionnaires. MIT licence, see LICENSE.
//
// The built-in instruments: compile-time keys, one tag type per instrument (usable as the
// Key parameter of bowlby::scorer), and look-up by id at run time.
//
// Every key is transcribed from the project's key sheet (shared/instruments.md in the
// workplace), which records the public scoring guides and scripts it was gathered from; the
// `source` field of each key says which, and how it was checked. Item numbers are 1-based in
// the published order. All keys are checked by bowlby::check_key at compile time.
#pragma once

#include "bowlby/error.hpp"
#include "bowlby/key.hpp"

#include <string>
#include <string_view>

namespace bowlby {
namespace detail::keys {

// --- Words for respondents: each score's label and what its high and low values mean -------
inline constexpr std::string_view anxiety_label = "Attachment anxiety";
inline constexpr std::string_view anxiety_about =
    "A high score means much worry about being rejected or abandoned by those you are close to; a low score, "
    "little such worry.";
inline constexpr std::string_view avoidance_label = "Attachment avoidance";
inline constexpr std::string_view avoidance_about =
    "A high score means discomfort with closeness and with depending on others; a low score, ease with both.";
inline constexpr std::string_view rs_anxiety_about =
    "A high score means much worry that this person will reject or leave you; a low score, little such worry.";
inline constexpr std::string_view rs_avoidance_about =
    "A high score means discomfort with being close to and depending on this person; a low score, ease with both.";
inline constexpr std::string_view prototype_about =
    "How well this description fits you: a high rating means it fits well, a low one that it does not.";
inline constexpr std::string_view pattern_about =
    "How well the statements of this pattern fit you: a high score means they fit well, a low one that they do "
    "not.";

// --- ECR (Brennan, Clark & Shaver, 1998) -------------------------------------------------
inline constexpr int ecr_avoidance[] = {1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31, 33, 35};
inline constexpr int ecr_avoidance_r[] = {3, 15, 19, 25, 27, 29, 31, 33, 35};
inline constexpr int ecr_anxiety[] = {2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32, 34, 36};
inline constexpr int ecr_anxiety_r[] = {22};
inline constexpr subscale_def ecr_subscales[] = {
    {"anxiety", ecr_anxiety, ecr_anxiety_r, aggregation::mean, anxiety_label, anxiety_about},
    {"avoidance", ecr_avoidance, ecr_avoidance_r, aggregation::mean, avoidance_label, avoidance_about},
};
inline constexpr key_view ecr{
    "ecr",
    "Experiences in Close Relationships",
    "Brennan, K. A., Clark, C. L., & Shaver, P. R. (1998). Self-report measurement of adult attachment: An "
    "integrative overview. In J. A. Simpson & W. S. Rholes (Eds.), Attachment theory and close relationships "
    "(pp. 46-76). Guilford Press.",
    "Two public scoring scripts agree; on 51,491 real responses (openpsychometrics.org) every item correlates "
    "positively with the rest of its subscale under this key.",
    36,
    {1, 7, true},
    ecr_subscales,
    {},
    {}};

// --- ECR-R (Fraley, Waller & Brennan, 2000) -----------------------------------------------
// Published order: anxiety items 1-18, avoidance items 19-36. An interleaved order also
// circulates (odd = avoidance, even = anxiety); give the column order explicitly for it.
inline constexpr int ecr_r_anxiety[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18};
inline constexpr int ecr_r_anxiety_r[] = {9, 11};
inline constexpr int ecr_r_avoidance[] = {19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36};
inline constexpr int ecr_r_avoidance_r[] = {20, 22, 26, 27, 28, 29, 30, 31, 33, 34, 35, 36};
inline constexpr subscale_def ecr_r_subscales[] = {
    {"anxiety", ecr_r_anxiety, ecr_r_anxiety_r, aggregation::mean, anxiety_label, anxiety_about},
    {"avoidance", ecr_r_avoidance, ecr_r_avoidance_r, aggregation::mean, avoidance_label, avoidance_about},
};
inline constexpr key_view ecr_r{
    "ecr-r",
    "Experiences in Close Relationships - Revised",
    "Fraley, R. C., Waller, N. G., & Brennan, K. A. (2000). An item response theory analysis of self-report "
    "measures of adult attachment. Journal of Personality and Social Psychology, 78(2), 350-365.",
    "Two independent public SPSS syntax files agree (published item order, anxiety 1-18, avoidance 19-36).",
    36,
    {1, 7, true},
    ecr_r_subscales,
    {},
    {}};

// --- ECR-S (Wei, Russell, Mallinckrodt & Vogel, 2007) --------------------------------------
inline constexpr int ecr_s_avoidance[] = {1, 3, 5, 7, 9, 11};
inline constexpr int ecr_s_avoidance_r[] = {1, 5, 9};
inline constexpr int ecr_s_anxiety[] = {2, 4, 6, 8, 10, 12};
inline constexpr int ecr_s_anxiety_r[] = {8};
inline constexpr subscale_def ecr_s_subscales[] = {
    {"anxiety", ecr_s_anxiety, ecr_s_anxiety_r, aggregation::mean, anxiety_label, anxiety_about},
    {"avoidance", ecr_s_avoidance, ecr_s_avoidance_r, aggregation::mean, avoidance_label, avoidance_about},
};
inline constexpr key_view ecr_s{
    "ecr-s",
    "Experiences in Close Relationships - Short Form",
    "Wei, M., Russell, D. W., Mallinckrodt, B., & Vogel, D. L. (2007). The Experiences in Close Relationship "
    "Scale (ECR)-short form: Reliability, validity, and factor structure. Journal of Personality Assessment, "
    "88(2), 187-204.",
    "Public scoring guides agree on the key. Scored as means (some sources report sums, 6-42: define a "
    "questionnaire with aggregation::sum for that).",
    12,
    {1, 7, true},
    ecr_s_subscales,
    {},
    {}};

// --- ECR-12 (Lafontaine et al., 2016) ----------------------------------------------------
// Verified against a second public source (a study's scale documentation citing Lafontaine et
// al.), which also maps the twelve items to ECR items 2, 6, 8, 9, 14, 15, 18, 24, 25, 27, 29,
// 31: the anxiety items are all even (anxiety) ECR items, the avoidance items all odd, and the
// reversed ones are exactly ECR's reversed items 15, 25, 27, 29, 31, consistent with the ECR key.
inline constexpr int ecr_12_anxiety[] = {1, 2, 3, 5, 7, 8};
inline constexpr int ecr_12_avoidance[] = {4, 6, 9, 10, 11, 12};
inline constexpr int ecr_12_avoidance_r[] = {6, 9, 10, 11, 12};
inline constexpr subscale_def ecr_12_subscales[] = {
    {"anxiety", ecr_12_anxiety, {}, aggregation::mean, anxiety_label, anxiety_about},
    {"avoidance", ecr_12_avoidance, ecr_12_avoidance_r, aggregation::mean, avoidance_label, avoidance_about},
};
inline constexpr key_view ecr_12{
    "ecr-12",
    "Experiences in Close Relationships - 12-item short form",
    "Lafontaine, M.-F., Brassard, A., Lussier, Y., Valois, P., Shaver, P. R., & Johnson, S. M. (2016). "
    "Selecting the best items for a short-form of the Experiences in Close Relationships questionnaire. "
    "European Journal of Psychological Assessment, 32(2), 140-154.",
    "One scoring guide, checked against a second public source and against the ECR items it was drawn from "
    "(medium confidence: the paper itself was not consulted).",
    12,
    {1, 7, true},
    ecr_12_subscales,
    {},
    {}};

// --- ECR-RS (Fraley, Heffernan, Vicary & Brumbaugh, 2011) ----------------------------------
// Nine items per relationship target, administered in the order mother, father, romantic
// partner, best friend (items 1-9, 10-18, 19-27, 28-36 here). Per target: avoidance = 1-6
// (1-4 reversed), anxiety = 7-9. Global scores: unweighted mean of the four targets.
inline constexpr int ecr_rs_avo_mother[] = {1, 2, 3, 4, 5, 6};
inline constexpr int ecr_rs_avo_mother_r[] = {1, 2, 3, 4};
inline constexpr int ecr_rs_anx_mother[] = {7, 8, 9};
inline constexpr int ecr_rs_avo_father[] = {10, 11, 12, 13, 14, 15};
inline constexpr int ecr_rs_avo_father_r[] = {10, 11, 12, 13};
inline constexpr int ecr_rs_anx_father[] = {16, 17, 18};
inline constexpr int ecr_rs_avo_partner[] = {19, 20, 21, 22, 23, 24};
inline constexpr int ecr_rs_avo_partner_r[] = {19, 20, 21, 22};
inline constexpr int ecr_rs_anx_partner[] = {25, 26, 27};
inline constexpr int ecr_rs_avo_friend[] = {28, 29, 30, 31, 32, 33};
inline constexpr int ecr_rs_avo_friend_r[] = {28, 29, 30, 31};
inline constexpr int ecr_rs_anx_friend[] = {34, 35, 36};
inline constexpr subscale_def ecr_rs_subscales[] = {
    {"anxiety_mother", ecr_rs_anx_mother, {}, aggregation::mean, "Anxiety with your mother", rs_anxiety_about},
    {"avoidance_mother", ecr_rs_avo_mother, ecr_rs_avo_mother_r, aggregation::mean, "Avoidance with your mother",
     rs_avoidance_about},
    {"anxiety_father", ecr_rs_anx_father, {}, aggregation::mean, "Anxiety with your father", rs_anxiety_about},
    {"avoidance_father", ecr_rs_avo_father, ecr_rs_avo_father_r, aggregation::mean, "Avoidance with your father",
     rs_avoidance_about},
    {"anxiety_partner", ecr_rs_anx_partner, {}, aggregation::mean, "Anxiety with your partner", rs_anxiety_about},
    {"avoidance_partner", ecr_rs_avo_partner, ecr_rs_avo_partner_r, aggregation::mean, "Avoidance with your partner",
     rs_avoidance_about},
    {"anxiety_friend", ecr_rs_anx_friend, {}, aggregation::mean, "Anxiety with your best friend", rs_anxiety_about},
    {"avoidance_friend", ecr_rs_avo_friend, ecr_rs_avo_friend_r, aggregation::mean, "Avoidance with your best friend",
     rs_avoidance_about},
};
inline constexpr term ecr_rs_anx_global[] = {
    {term::subscale, 0, 0.25}, {term::subscale, 2, 0.25}, {term::subscale, 4, 0.25}, {term::subscale, 6, 0.25}};
inline constexpr term ecr_rs_avo_global[] = {
    {term::subscale, 1, 0.25}, {term::subscale, 3, 0.25}, {term::subscale, 5, 0.25}, {term::subscale, 7, 0.25}};
inline constexpr derived_def ecr_rs_derived[] = {
    {"anxiety_global", ecr_rs_anx_global, "Attachment anxiety, across the four relationships", anxiety_about},
    {"avoidance_global", ecr_rs_avo_global, "Attachment avoidance, across the four relationships", avoidance_about},
};
inline constexpr key_view ecr_rs{
    "ecr-rs",
    "Experiences in Close Relationships - Relationship Structures",
    "Fraley, R. C., Heffernan, M. E., Vicary, A. M., & Brumbaugh, C. C. (2011). The Experiences in Close "
    "Relationships-Relationship Structures questionnaire: A method for assessing attachment orientations "
    "across relationships. Psychological Assessment, 23(3), 615-625.",
    "Public scoring guide; targets in the order mother, father, partner, friend.",
    36,
    {1, 7, true},
    ecr_rs_subscales,
    ecr_rs_derived,
    {}};

// --- RQ (Bartholomew & Horowitz, 1991) ---------------------------------------------------
// Four prototype paragraphs, each rated 1-7. Items are keyed by prototype name (paragraph
// order differs between translations): secure, fearful, preoccupied, dismissing.
inline constexpr int rq_secure[] = {1};
inline constexpr int rq_fearful[] = {2};
inline constexpr int rq_preoccupied[] = {3};
inline constexpr int rq_dismissing[] = {4};
inline constexpr subscale_def rq_subscales[] = {
    {"secure", rq_secure, {}, aggregation::mean, "Fit of the secure description", prototype_about},
    {"fearful", rq_fearful, {}, aggregation::mean, "Fit of the fearful description", prototype_about},
    {"preoccupied", rq_preoccupied, {}, aggregation::mean, "Fit of the preoccupied description", prototype_about},
    {"dismissing", rq_dismissing, {}, aggregation::mean, "Fit of the dismissing description", prototype_about},
};
// model of self = (secure + dismissing) - (fearful + preoccupied)
inline constexpr term rq_self[] = {
    {term::subscale, 0, 1}, {term::subscale, 3, 1}, {term::subscale, 1, -1}, {term::subscale, 2, -1}};
// model of other = (secure + preoccupied) - (fearful + dismissing)
inline constexpr term rq_other[] = {
    {term::subscale, 0, 1}, {term::subscale, 2, 1}, {term::subscale, 1, -1}, {term::subscale, 3, -1}};
inline constexpr derived_def rq_derived[] = {
    {"model_of_self", rq_self, "View of yourself",
     "Positive when the descriptions of a person who feels worthy of love (secure, dismissing) fit you better than "
     "the others (fearful, preoccupied); negative when they fit you less."},
    {"model_of_other", rq_other, "View of others",
     "Positive when the descriptions of a person who trusts others (secure, preoccupied) fit you better than the "
     "others (fearful, dismissing); negative when they fit you less."}};
inline constexpr std::string_view rq_item_names[] = {"secure", "fearful", "preoccupied", "dismissing"};
inline constexpr key_view rq{
    "rq",
    "Relationship Questionnaire",
    "Bartholomew, K., & Horowitz, L. M. (1991). Attachment styles among young adults: A test of a four-category "
    "model. Journal of Personality and Social Psychology, 61(2), 226-244.",
    "Ratings of the four prototypes; models of self and other as in Griffin & Bartholomew (1994).",
    4,
    {1, 7, true},
    rq_subscales,
    rq_derived,
    rq_item_names};

// --- RSQ (Griffin & Bartholomew, 1994) ----------------------------------------------------
// Bartholomew's four prototype scores. Item 6 counts (reversed) towards preoccupied and
// (as answered) towards dismissing.
inline constexpr int rsq_secure[] = {3, 9, 10, 15, 28};
inline constexpr int rsq_secure_r[] = {9, 28};
inline constexpr int rsq_fearful[] = {1, 5, 12, 24};
inline constexpr int rsq_preoccupied[] = {6, 8, 16, 25};
inline constexpr int rsq_preoccupied_r[] = {6};
inline constexpr int rsq_dismissing[] = {2, 6, 19, 22, 26};
inline constexpr subscale_def rsq_subscales[] = {
    {"secure", rsq_secure, rsq_secure_r, aggregation::mean, "Secure pattern", pattern_about},
    {"fearful", rsq_fearful, {}, aggregation::mean, "Fearful pattern", pattern_about},
    {"preoccupied", rsq_preoccupied, rsq_preoccupied_r, aggregation::mean, "Preoccupied pattern", pattern_about},
    {"dismissing", rsq_dismissing, {}, aggregation::mean, "Dismissing pattern", pattern_about},
};
inline constexpr key_view rsq{
    "rsq",
    "Relationship Scales Questionnaire",
    "Griffin, D. W., & Bartholomew, K. (1994). Models of the self and other: Fundamental dimensions underlying "
    "measures of adult attachment. Journal of Personality and Social Psychology, 67(3), 430-445.",
    "One code lineage, checked item by item against a second public scoring description and against the "
    "wording of the RQ prototype paragraphs the items were taken from (medium confidence: Griffin & "
    "Bartholomew's own scoring text was not consulted).",
    30,
    {1, 5, true},
    rsq_subscales,
    {},
    {}};

// --- AAS, revised (Collins, 1996) ---------------------------------------------------------
inline constexpr int aas_close[] = {1, 6, 8, 12, 13, 17};
inline constexpr int aas_close_r[] = {8, 13, 17};
inline constexpr int aas_depend[] = {2, 5, 7, 14, 16, 18};
inline constexpr int aas_depend_r[] = {2, 7, 16, 18};
inline constexpr int aas_anxiety[] = {3, 4, 9, 10, 11, 15};
inline constexpr subscale_def aas_subscales[] = {
    {"close", aas_close, aas_close_r, aggregation::mean, "Comfort with closeness",
     "A high score means you are at ease being close to others; a low score, that closeness makes you uneasy."},
    {"depend", aas_depend, aas_depend_r, aggregation::mean, "Comfort depending on others",
     "A high score means you feel you can depend on others to be there when you need them; a low score, that you "
     "cannot."},
    {"anxiety",
     aas_anxiety,
     {},
     aggregation::mean,
     "Worry about being rejected",
     "A high score means much worry about being rejected or unloved; a low score, little such worry."},
};
// Collins (1996) classifies on the mean of close and depend.
inline constexpr term aas_cd[] = {{term::subscale, 0, 0.5}, {term::subscale, 1, 0.5}};
inline constexpr derived_def aas_derived[] = {
    {"close_depend", aas_cd, "Closeness and dependence",
     "The mean of comfort with closeness and comfort depending on others: a high score means ease with both; a "
     "low score, discomfort with both (avoidance)."}};
inline constexpr key_view aas{
    "aas",
    "Adult Attachment Scale (revised)",
    "Collins, N. L. (1996). Working models of attachment: Implications for explanation, emotion, and behavior. "
    "Journal of Personality and Social Psychology, 71(4), 810-832.",
    "Revised 18-item order and keying (the 1990 original orders and keys differently).",
    18,
    {1, 5, true},
    aas_subscales,
    aas_derived,
    {}};

// --- SAAM (Gillath, Hart, Noftle & Stockdale, 2009) ---------------------------------------
inline constexpr int saam_security[] = {4, 6, 7, 11, 13, 18, 20};
inline constexpr int saam_anxiety[] = {1, 5, 8, 12, 14, 17, 19};
inline constexpr int saam_avoidance[] = {2, 3, 9, 10, 15, 16, 21};
inline constexpr subscale_def saam_subscales[] = {
    {"security",
     saam_security,
     {},
     aggregation::mean,
     "Attachment security, right now",
     "A high score means that at the moment you feel loved and supported; a low score, less so."},
    {"anxiety",
     saam_anxiety,
     {},
     aggregation::mean,
     "Attachment anxiety, right now",
     "A high score means that at the moment you worry much about being rejected or left; a low score, little."},
    {"avoidance",
     saam_avoidance,
     {},
     aggregation::mean,
     "Attachment avoidance, right now",
     "A high score means that at the moment you want distance from others; a low score, that you welcome closeness."},
};
inline constexpr key_view saam{
    "saam",
    "State Adult Attachment Measure",
    "Gillath, O., Hart, J., Noftle, E. E., & Stockdale, G. D. (2009). Development and validation of a state "
    "adult attachment measure (SAAM). Journal of Research in Personality, 43(3), 362-373.",
    "Public scoring guide; no reverse-keyed items.",
    21,
    {1, 7, true},
    saam_subscales,
    {},
    {}};

inline constexpr key_view all[] = {ecr, ecr_r, ecr_s, ecr_12, ecr_rs, rq, rsq, aas, saam};

constexpr bool all_sound() noexcept {
    for (const key_view& k : all)
        if (check_key(k) != nullptr) return false;
    return true;
}
static_assert(all_sound(), "a built-in key fails bowlby::check_key");

}  // namespace detail::keys

/// Tag types for the built-in instruments, for use as bowlby::scorer's Key parameter:
/// `bowlby::scorer<bowlby::instruments::ecr>`. Each has `static constexpr key_view key`.
namespace instruments {
struct ecr {
    static constexpr const key_view& key = detail::keys::ecr;
};
struct ecr_r {
    static constexpr const key_view& key = detail::keys::ecr_r;
};
struct ecr_s {
    static constexpr const key_view& key = detail::keys::ecr_s;
};
struct ecr_12 {
    static constexpr const key_view& key = detail::keys::ecr_12;
};
struct ecr_rs {
    static constexpr const key_view& key = detail::keys::ecr_rs;
};
struct rq {
    static constexpr const key_view& key = detail::keys::rq;
};
struct rsq {
    static constexpr const key_view& key = detail::keys::rsq;
};
struct aas {
    static constexpr const key_view& key = detail::keys::aas;
};
struct saam {
    static constexpr const key_view& key = detail::keys::saam;
};
}  // namespace instruments

/// Every built-in instrument, in a stable order.
constexpr list_view<key_view> builtin_instruments() noexcept { return detail::keys::all; }

/// The built-in instrument with this id, or nullptr.
constexpr const key_view* find_instrument(std::string_view id) noexcept {
    for (const key_view& k : detail::keys::all)
        if (k.id == id) return &k;
    return nullptr;
}

/// The built-in instrument with this id; throws bowlby::unknown_instrument otherwise.
inline const key_view& instrument(std::string_view id) {
    if (const key_view* k = find_instrument(id)) return *k;
    std::string known;
    for (const key_view& k : builtin_instruments()) known += (known.empty() ? "" : ", ") + std::string(k.id);
    throw unknown_instrument(std::string(id), known);
}

}  // namespace bowlby
