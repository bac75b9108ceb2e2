// Each built-in key on hand-worked respondents. The answer vectors below were written from the
// key sheet (shared/instruments.md), not from bowlby's sources: in each "keyed" respondent every
// item of a subscale reads, after reverse keying, as that subscale's target value, so a wrong
// subscale assignment or a wrong reversal moves a score off its target.
#include <bowlby/instruments.hpp>
#include <bowlby/score.hpp>

#include <doctest/doctest.h>

#include <set>
#include <string>
#include <vector>

namespace {
Eigen::RowVectorXd row(const std::vector<double>& v) {
    return Eigen::Map<const Eigen::RowVectorXd>(v.data(), static_cast<Eigen::Index>(v.size()));
}
double score_of(const char* id, const std::vector<double>& answers, const char* name) {
    const auto t = bowlby::score(id, row(answers));
    return t.values(0, t.index_of(name));
}
}  // namespace

TEST_CASE("every built-in instrument is listed once - with a citation and a source") {
    std::set<std::string> ids;
    for (const auto& k : bowlby::builtin_instruments()) {
        ids.insert(std::string(k.id));
        CHECK_FALSE(k.citation.empty());
        CHECK_FALSE(k.source.empty());
        CHECK(bowlby::check_key(k) == nullptr);
    }
    CHECK(ids == std::set<std::string>{"ecr", "ecr-r", "ecr-s", "ecr-12", "ecr-rs", "rq", "rsq", "aas", "saam"});
    CHECK(bowlby::find_instrument("nope") == nullptr);
    CHECK_THROWS_AS(bowlby::instrument("nope"), bowlby::unknown_instrument);
}

TEST_CASE("ECR: keyed respondent and a hand-worked cycling respondent") {
    // Anxiety = even items (22 reversed) at 6, avoidance = odd items (3,15,19,25,...,35 reversed) at 3.
    const std::vector<double> keyed = {3, 6, 5, 6, 3, 6, 3, 6, 3, 6, 3, 6, 3, 6, 5, 6, 3, 6,
                                       5, 6, 3, 2, 3, 6, 5, 6, 5, 6, 5, 6, 5, 6, 5, 6, 5, 6};
    CHECK(score_of("ecr", keyed, "anxiety") == 6);
    CHECK(score_of("ecr", keyed, "avoidance") == 3);
    // Item i answered ((i - 1) mod 7) + 1: 1,2,...,7,1,2,...
    // anxiety (even items, 22 -> 8 - 1 = 7): 2+4+6+1+3+5+7+2+4+6+7+3+5+7+2+4+6+1 = 75, / 18
    // avoidance (odd items; 3->5, 15->7, 19->3, 25->4, 27->2, 29->7, 31->5, 33->3, 35->1):
    //   1+5+5+7+2+4+6+7+3+3+7+2+4+2+7+5+3+1 = 74, / 18
    std::vector<double> cycling(36);
    for (int i = 0; i < 36; ++i) cycling[static_cast<std::size_t>(i)] = i % 7 + 1;
    CHECK(score_of("ecr", cycling, "anxiety") == doctest::Approx(75.0 / 18).epsilon(1e-15));
    CHECK(score_of("ecr", cycling, "avoidance") == doctest::Approx(74.0 / 18).epsilon(1e-15));
}

TEST_CASE("ECR-R: published order - anxiety 1-18 (9 - 11 reversed) - avoidance 19-36") {
    const std::vector<double> keyed = {6, 6, 6, 6, 6, 6, 6, 6, 2, 6, 2, 6, 6, 6, 6, 6, 6, 6,
                                       3, 5, 3, 5, 3, 3, 3, 5, 5, 5, 5, 5, 5, 3, 5, 5, 5, 5};
    CHECK(score_of("ecr-r", keyed, "anxiety") == 6);
    CHECK(score_of("ecr-r", keyed, "avoidance") == 3);
    // All 7s: anxiety (16 * 7 + 2 * 1) / 18 = 114 / 18; avoidance (6 * 7 + 12 * 1) / 18 = 54 / 18.
    const std::vector<double> sevens(36, 7);
    CHECK(score_of("ecr-r", sevens, "anxiety") == doctest::Approx(114.0 / 18).epsilon(1e-15));
    CHECK(score_of("ecr-r", sevens, "avoidance") == doctest::Approx(3.0).epsilon(1e-15));
}

TEST_CASE("ECR-S and ECR-12") {
    CHECK(score_of("ecr-s", {5, 6, 3, 6, 5, 6, 3, 2, 5, 6, 3, 6}, "anxiety") == 6);
    CHECK(score_of("ecr-s", {5, 6, 3, 6, 5, 6, 3, 2, 5, 6, 3, 6}, "avoidance") == 3);
    CHECK(score_of("ecr-12", {6, 6, 6, 3, 6, 5, 6, 6, 5, 5, 5, 5}, "anxiety") == 6);
    CHECK(score_of("ecr-12", {6, 6, 6, 3, 6, 5, 6, 6, 5, 5, 5, 5}, "avoidance") == 3);
    // ECR-S all 1s: anxiety (5 * 1 + 7) / 6 = 2; avoidance (3 * 1 + 3 * 7) / 6 = 4.
    const std::vector<double> ones(12, 1);
    CHECK(score_of("ecr-s", ones, "anxiety") == 2);
    CHECK(score_of("ecr-s", ones, "avoidance") == 4);
}

TEST_CASE("ECR-RS: four targets and their global means") {
    // mother: avoidance items 1-4 reversed; answers 1,1,1,1,7,7 -> all 7 after keying; anxiety 7-9 = 2,3,4 -> 3.
    // father: all 4 -> 4 and 4. partner: avoidance 7,7,7,7,1,1 -> (4 * 1 + 2 * 1) / 6 = 1; anxiety 7,7,7 -> 7.
    // friend: avoidance 4,4,4,4,4,4 -> 4; anxiety 1,1,2 -> 4 / 3.
    const std::vector<double> a = {1, 1, 1, 1, 7, 7, 2, 3, 4,  //
                                   4, 4, 4, 4, 4, 4, 4, 4, 4,  //
                                   7, 7, 7, 7, 1, 1, 7, 7, 7,  //
                                   4, 4, 4, 4, 4, 4, 1, 1, 2};
    const auto t = bowlby::score("ecr-rs", row(a));
    CHECK(t.values(0, t.index_of("avoidance_mother")) == 7);
    CHECK(t.values(0, t.index_of("anxiety_mother")) == 3);
    CHECK(t.values(0, t.index_of("avoidance_father")) == 4);
    CHECK(t.values(0, t.index_of("avoidance_partner")) == 1);
    CHECK(t.values(0, t.index_of("anxiety_partner")) == 7);
    CHECK(t.values(0, t.index_of("anxiety_friend")) == doctest::Approx(4.0 / 3).epsilon(1e-15));
    // global: avoidance (7 + 4 + 1 + 4) / 4 = 4; anxiety (3 + 4 + 7 + 4/3) / 4 = 46 / 12.
    CHECK(t.values(0, t.index_of("avoidance_global")) == 4);
    CHECK(t.values(0, t.index_of("anxiety_global")) == doctest::Approx(46.0 / 12).epsilon(1e-15));
    CHECK(t.answered(0, t.index_of("anxiety_global")) == 12);
}

TEST_CASE("RQ: prototype ratings and the models of self and other") {
    // secure 6, fearful 2, preoccupied 3, dismissing 5:
    // self = (6 + 5) - (2 + 3) = 6; other = (6 + 3) - (2 + 5) = 2.
    const auto t = bowlby::score("rq", row({6, 2, 3, 5}));
    CHECK(t.values(0, t.index_of("secure")) == 6);
    CHECK(t.values(0, t.index_of("dismissing")) == 5);
    CHECK(t.values(0, t.index_of("model_of_self")) == 6);
    CHECK(t.values(0, t.index_of("model_of_other")) == 2);
    // The extremes are -12 and +12.
    CHECK(score_of("rq", {7, 1, 1, 7}, "model_of_self") == 12);
    CHECK(score_of("rq", {1, 7, 7, 1}, "model_of_self") == -12);
}

TEST_CASE("RSQ: item 6 counts forward for dismissing and reversed for preoccupied") {
    const std::vector<double> keyed = {2, 5, 4, 3, 2, 5, 3, 1, 2, 4, 3, 2, 3, 3, 4,
                                       1, 3, 3, 5, 3, 3, 5, 3, 2, 1, 5, 3, 2, 3, 3};
    CHECK(score_of("rsq", keyed, "secure") == 4);
    CHECK(score_of("rsq", keyed, "fearful") == 2);
    CHECK(score_of("rsq", keyed, "preoccupied") == 1);
    CHECK(score_of("rsq", keyed, "dismissing") == 5);
}

TEST_CASE("AAS: close - depend - anxiety and close_depend") {
    const std::vector<double> keyed = {4, 4, 5, 5, 2, 4, 4, 2, 5, 5, 5, 4, 2, 2, 5, 4, 2, 4};
    CHECK(score_of("aas", keyed, "close") == 4);
    CHECK(score_of("aas", keyed, "depend") == 2);
    CHECK(score_of("aas", keyed, "anxiety") == 5);
    CHECK(score_of("aas", keyed, "close_depend") == 3);
}

TEST_CASE("SAAM: security - anxiety - avoidance - no reversed items") {
    const std::vector<double> keyed = {3, 2, 2, 6, 3, 6, 6, 3, 2, 2, 6, 3, 6, 3, 2, 2, 3, 6, 3, 6, 2};
    CHECK(score_of("saam", keyed, "security") == 6);
    CHECK(score_of("saam", keyed, "anxiety") == 3);
    CHECK(score_of("saam", keyed, "avoidance") == 2);
}

TEST_CASE("an unknown instrument id throws unknown_instrument - naming the id and every built-in") {
    try {
        (void)bowlby::instrument("ecr-xx");
        FAIL("no exception");
    } catch (const bowlby::unknown_instrument& e) {
        CHECK(e.id() == "ecr-xx");
        CHECK(std::string(e.what()) ==
              "unknown instrument 'ecr-xx'; the built-in instruments are: ecr, ecr-r, ecr-s, ecr-12, ecr-rs, rq, rsq, "
              "aas, saam");
    }
}
