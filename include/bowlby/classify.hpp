// bowlby: scoring of adult-attachment questionnaires. MIT licence, see LICENSE.
//
// Four-category classification of (anxiety, avoidance) scores into secure, preoccupied
// (anxious), dismissing (avoidant) and fearful, with the rule that made each call and how
// firm it is.
//
//     auto rule = bowlby::midpoint_rule(bowlby::instrument("ecr").scale);   // cuts at 4 on 1-7
//     bowlby::measurement_error sem{0.27, 0.25};         // SEMs of anxiety, avoidance (reliability.hpp)
//     bowlby::classification c = rule.classify(5.1, 2.3, sem);
//     // c.cat == category::preoccupied, c.probability = P(true scores in that region), ...
//
// Attachment is dimensional (Fraley & Waller, 1998; Fraley et al., 2015): a category is a
// convenience, and a respondent near a boundary is not firmly anything. Firmness is the
// probability that the respondent's true scores lie in the assigned region when each observed
// score is the true score plus independent normal error with the subscale's standard error of
// measurement (with a flat prior, the true scores are then normal around the observed ones):
// in closed form for cut rules, by numerical integration for rules made of linear functions
// (Brennan et al.'s Fisher functions, k-means' nearest centroid). `boundary_distance` is the
// distance, in score units, from the scores to the nearest boundary of their region.
//
// Rules: midpoint (or cuts the user gives, with their source), sample medians,
// brennan1998 (Fisher classification functions for ECR means on 1-7), kmeans (four clusters,
// seeded), the RQ's highest rating, and Collins' (1996) rule for the AAS.
#pragma once

#include "bowlby/detail/classify/kmeans.hpp"
#include "bowlby/error.hpp"
#include "bowlby/key.hpp"
#include "bowlby/rule.hpp"

#include <Eigen/Core>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <boost/math/special_functions/erf.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bowlby {

enum class category : std::uint8_t { secure, preoccupied, dismissing, fearful, unclassified };

/// "secure", "preoccupied", "dismissing", "fearful", "unclassified".
constexpr const char* to_string(category c) noexcept {
    switch (c) {
        case category::secure:
            return "secure";
        case category::preoccupied:
            return "preoccupied";
        case category::dismissing:
            return "dismissing";
        case category::fearful:
            return "fearful";
        case category::unclassified:
            return "unclassified";
    }
    return "unclassified";
}

/// What a score exactly on a cut counts as. The default, unclassified, follows Collins (1996):
/// a respondent on a boundary is not in either region.
enum class at_cut : std::uint8_t { low, high, unclassified };

/// The standard errors of measurement of the two dimensions (anxiety, avoidance). A value
/// that is NaN or not positive means "unknown": firmness is then not computed (NaN).
struct measurement_error {
    double anxiety = std::numeric_limits<double>::quiet_NaN();
    double avoidance = std::numeric_limits<double>::quiet_NaN();
    bool known() const noexcept { return anxiety > 0 && avoidance > 0; }
};

struct classification {
    category cat = category::unclassified;
    /// P(true scores in the assigned region); NaN when unclassified or the SEMs are unknown.
    double probability = std::numeric_limits<double>::quiet_NaN();
    /// Distance (score units) to the nearest boundary of the assigned region.
    double boundary_distance = std::numeric_limits<double>::quiet_NaN();
    /// Why a respondent is unclassified ("" when classified).
    const char* reason = "";
};

namespace detail {
// Boost.Math's erfc rather than the C library's, so that the batch tool and the WebAssembly
// build (another C library) give the same digits.
inline double normal_cdf(double z) { return 0.5 * boost::math::erfc(-z / std::sqrt(2.0)); }
}  // namespace detail

/// A rule that cuts each dimension once: low/low secure, high anxiety/low avoidance
/// preoccupied, low anxiety/high avoidance dismissing, high/high fearful.
class cut_rule {
public:
    cut_rule(std::string method, double anxiety_cut, double avoidance_cut, at_cut on_cut = at_cut::unclassified,
             std::string source = {})
        : method_(std::move(method)),
          anx_(anxiety_cut),
          avo_(avoidance_cut),
          on_cut_(on_cut),
          source_(std::move(source)) {
        if (!std::isfinite(anx_) || !std::isfinite(avo_))
            throw option_error("the cuts of a classification rule must be finite");
    }
    const std::string& method() const noexcept { return method_; }
    double anxiety_cut() const noexcept { return anx_; }
    double avoidance_cut() const noexcept { return avo_; }
    at_cut on_cut() const noexcept { return on_cut_; }
    /// Where the cuts come from (a citation for norm-based cuts).
    const std::string& source() const noexcept { return source_; }

    classification classify(double anxiety, double avoidance, const measurement_error& sem = {}) const {
        classification c;
        if (std::isnan(anxiety) || std::isnan(avoidance)) {
            c.reason = "a score is missing";
            return c;
        }
        int high_anx = side(anxiety, anx_), high_avo = side(avoidance, avo_);
        if (high_anx < 0 || high_avo < 0) {
            c.reason = "a score lies on a cut";
            return c;
        }
        c.cat = high_anx ? (high_avo ? category::fearful : category::preoccupied)
                         : (high_avo ? category::dismissing : category::secure);
        const double dx = std::abs(anxiety - anx_), dv = std::abs(avoidance - avo_);
        c.boundary_distance = std::min(dx, dv);
        if (sem.known()) c.probability = detail::normal_cdf(dx / sem.anxiety) * detail::normal_cdf(dv / sem.avoidance);
        return c;
    }

private:
    // 1 high, 0 low, -1 unclassified (on the cut).
    int side(double x, double cut) const {
        if (x > cut) return 1;
        if (x < cut) return 0;
        return on_cut_ == at_cut::high ? 1 : on_cut_ == at_cut::low ? 0 : -1;
    }
    std::string method_;
    double anx_, avo_;
    at_cut on_cut_;
    std::string source_;
};

/// Cuts at the scale's midpoint on both dimensions (4 on 1-7).
inline cut_rule midpoint_rule(const response_scale& scale, at_cut on_cut = at_cut::unclassified) {
    return cut_rule("midpoint", scale.midpoint(), scale.midpoint(), on_cut, "the response scale's midpoint");
}

/// Cuts the user gives (from published norms, say), with their source.
inline cut_rule user_cut_rule(double anxiety_cut, double avoidance_cut, std::string source,
                              at_cut on_cut = at_cut::unclassified) {
    return cut_rule("cuts", anxiety_cut, avoidance_cut, on_cut, std::move(source));
}

/// Median of the finite values (the mean of the two middle ones for an even count), with
/// frequency weights when given.
inline double weighted_median(std::vector<std::pair<double, double>> value_weight) {
    value_weight.erase(std::remove_if(value_weight.begin(), value_weight.end(),
                                      [](const auto& p) { return !std::isfinite(p.first) || !(p.second > 0); }),
                       value_weight.end());
    if (value_weight.empty()) return std::numeric_limits<double>::quiet_NaN();
    std::sort(value_weight.begin(), value_weight.end());
    double total = 0;
    for (const auto& p : value_weight) total += p.second;
    // The values at ranks ceil(total/2) and floor(total/2) + 1 (1-based), as R's median.
    const double lo_rank = std::ceil(total / 2), hi_rank = std::floor(total / 2) + 1;
    double seen = 0, lo = 0, hi = 0;
    bool have_lo = false;
    for (const auto& p : value_weight) {
        seen += p.second;
        if (!have_lo && seen >= lo_rank) {
            lo = p.first;
            have_lo = true;
        }
        if (seen >= hi_rank) {
            hi = p.first;
            break;
        }
    }
    return (lo + hi) / 2;
}

/// Cuts at the sample medians (over the rows with both scores).
inline cut_rule median_rule(const Eigen::VectorXd& anxiety, const Eigen::VectorXd& avoidance,
                            at_cut on_cut = at_cut::unclassified) {
    std::vector<std::pair<double, double>> a, v;
    for (Eigen::Index i = 0; i < anxiety.size(); ++i)
        if (std::isfinite(anxiety(i)) && std::isfinite(avoidance(i))) {
            a.emplace_back(anxiety(i), 1.0);
            v.emplace_back(avoidance(i), 1.0);
        }
    if (a.empty()) throw option_error("the median rule needs at least one respondent with both scores");
    return cut_rule("median", weighted_median(a), weighted_median(v), on_cut, "the sample medians");
}

/// A rule of four linear functions f_c = w_anx * anxiety + w_avo * avoidance + constant; the
/// largest wins. Brennan, Clark & Shaver's Fisher functions are one; k-means' nearest centroid
/// is another (f_c = 2 c.x - |c|^2).
class linear_rule {
public:
    struct function {
        double anxiety, avoidance, constant;
    };

    linear_rule(std::string method, std::array<function, 4> functions, std::string source)
        : method_(std::move(method)), f_(functions), source_(std::move(source)) {}

    const std::string& method() const noexcept { return method_; }
    const std::string& source() const noexcept { return source_; }
    /// Functions in the order secure, preoccupied, dismissing, fearful.
    const std::array<function, 4>& functions() const noexcept { return f_; }

    classification classify(double anxiety, double avoidance, const measurement_error& sem = {}) const {
        classification c;
        if (std::isnan(anxiety) || std::isnan(avoidance)) {
            c.reason = "a score is missing";
            return c;
        }
        std::array<double, 4> value{};
        for (std::size_t k = 0; k < 4; ++k) value[k] = eval(k, anxiety, avoidance);
        const auto best = static_cast<std::size_t>(std::max_element(value.begin(), value.end()) - value.begin());
        for (std::size_t k = 0; k < 4; ++k)
            if (k != best && value[k] == value[best]) {
                c.reason = "two classification functions tie";
                return c;
            }
        c.cat = static_cast<category>(static_cast<int>(best));
        double distance = std::numeric_limits<double>::infinity();
        for (std::size_t k = 0; k < 4; ++k) {
            if (k == best) continue;
            const double ga = f_[best].anxiety - f_[k].anxiety, gv = f_[best].avoidance - f_[k].avoidance;
            const double norm = std::hypot(ga, gv);
            if (norm > 0) distance = std::min(distance, (value[best] - value[k]) / norm);
        }
        c.boundary_distance = distance;
        if (sem.known()) c.probability = region_probability(static_cast<int>(best), anxiety, avoidance, sem);
        return c;
    }

    /// P(argmax of the functions at the true scores is k), the true scores being independent
    /// normals around (anxiety, avoidance) with the SEMs as standard deviations: an integral
    /// over z1 of phi(z1) (Phi(upper(z1)) - Phi(lower(z1))), split where the binding
    /// constraint changes and integrated by adaptive Gauss-Kronrod.
    double region_probability(int k, double anxiety, double avoidance, const measurement_error& sem) const {
        // Constraint d: g_d . (m + S z) + h_d >= 0, i.e. a1 z1 + a2 z2 + b >= 0.
        struct constraint {
            double a1, a2, b;
        };
        std::vector<constraint> cs;
        const auto ku = static_cast<std::size_t>(k);
        for (std::size_t d = 0; d < 4; ++d) {
            if (d == ku) continue;
            const double ga = f_[ku].anxiety - f_[d].anxiety, gv = f_[ku].avoidance - f_[d].avoidance;
            const double h = f_[ku].constant - f_[d].constant;
            cs.push_back({ga * sem.anxiety, gv * sem.avoidance, ga * anxiety + gv * avoidance + h});
        }
        constexpr double lim = 9;  // beyond 9 standard deviations the mass is below 1e-18
        auto bounds = [&](double z1, double& lo, double& hi) {
            lo = -lim;
            hi = lim;
            for (const auto& c : cs) {
                const double r = -(c.b + c.a1 * z1);  // need a2 z2 >= r
                if (c.a2 > 0)
                    lo = std::max(lo, r / c.a2);
                else if (c.a2 < 0)
                    hi = std::min(hi, r / c.a2);
                else if (r > 0)
                    hi = lo - 1;  // infeasible for this z1
            }
        };
        auto integrand = [&](double z1) {
            double lo, hi;
            bounds(z1, lo, hi);
            if (hi <= lo) return 0.0;
            const double mass = detail::normal_cdf(hi) - detail::normal_cdf(lo);
            return std::exp(-0.5 * z1 * z1) / std::sqrt(2 * 3.14159265358979323846) * mass;
        };
        // Breakpoints: where two constraint lines cross, and where a line meets z2 = +-lim, and
        // where a vertical constraint (a2 == 0) sits.
        std::vector<double> cuts = {-lim, lim};
        for (std::size_t i = 0; i < cs.size(); ++i) {
            const auto& c = cs[i];
            if (c.a2 == 0 && c.a1 != 0) cuts.push_back(-c.b / c.a1);
            if (c.a1 != 0)
                for (double z2 : {-lim, lim}) cuts.push_back(-(c.b + c.a2 * z2) / c.a1);
            for (std::size_t j = i + 1; j < cs.size(); ++j) {
                const auto& e = cs[j];
                const double det = c.a1 * e.a2 - e.a1 * c.a2;
                if (det != 0) cuts.push_back((-c.b * e.a2 + e.b * c.a2) / det);
            }
        }
        std::sort(cuts.begin(), cuts.end());
        double total = 0;
        for (std::size_t i = 0; i + 1 < cuts.size(); ++i) {
            const double a = std::max(cuts[i], -lim), b = std::min(cuts[i + 1], lim);
            if (b <= a) continue;
            total += boost::math::quadrature::gauss_kronrod<double, 31>::integrate(integrand, a, b, 10, 1e-13);
        }
        return std::clamp(total, 0.0, 1.0);
    }

private:
    double eval(std::size_t k, double anxiety, double avoidance) const {
        const function& f = f_[k];
        return f.anxiety * anxiety + f.avoidance * avoidance + f.constant;
    }
    std::string method_;
    std::array<function, 4> f_;
    std::string source_;
};

/// Options of Brennan et al.'s rule, which is calibrated for ECR means on 1-7 only.
struct brennan_options {
    /// Scores on another scale are mapped linearly onto 1-7 first, (x - min) * 6 / (max - min)
    /// + 1, but only when asked for: `rescale_from` is the scale the scores are on.
    std::optional<response_scale> rescale_from;
    /// Apply the rule to an instrument other than the ECR anyway (the caller knows why).
    bool allow_other_instrument = false;
};

/// The Fisher classification functions of Brennan, Clark & Shaver (1998) for ECR means on 1-7
/// (coefficients as eight of nine public copies give them; see shared/instruments.md).
class brennan_rule {
public:
    /// `key`: the instrument the scores come from; `scores_scale`: the scale they are on.
    brennan_rule(const key_view& key, const response_scale& scores_scale, const brennan_options& o = {})
        : rule_("brennan1998",
                {{{5.4725318, 3.2893296, -11.5307833},    // secure: anxiety, avoidance, constant
                  {9.7102446, 3.9246754, -28.4573220},    // preoccupied
                  {4.9392039, 7.3654621, -22.2281088},    // dismissing
                  {8.1776448, 7.2371075, -32.3553266}}},  // fearful
                "Brennan, Clark & Shaver (1998), Fisher classification functions for ECR means on 1-7") {
        if (key.id != "ecr" && !o.allow_other_instrument)
            throw option_error("brennan1998 is calibrated for the ECR only, not for '" + std::string(key.id) +
                               "'; use another rule, or allow it explicitly if you know why it applies");
        const bool on_1_7 = scores_scale.min == 1 && scores_scale.max == 7;
        if (!on_1_7) {
            if (!o.rescale_from)
                throw option_error("brennan1998 needs ECR means on 1-7; these scores are on " +
                                   std::to_string(static_cast<int>(scores_scale.min)) + "-" +
                                   std::to_string(static_cast<int>(scores_scale.max)) +
                                   ": ask for the linear rescaling to 1-7 explicitly");
            from_ = *o.rescale_from;
            factor_ = 6 / (from_.max - from_.min);
        }
    }
    const linear_rule& rule() const noexcept { return rule_; }
    /// Factor by which scores (and SEMs) are stretched onto 1-7 (1 when they are on 1-7).
    double rescale_factor() const noexcept { return factor_; }
    double to_1_7(double x) const { return factor_ == 1 ? x : 1 + (x - from_.min) * factor_; }

    classification classify(double anxiety, double avoidance, const measurement_error& sem = {}) const {
        classification c =
            rule_.classify(to_1_7(anxiety), to_1_7(avoidance), {sem.anxiety * factor_, sem.avoidance * factor_});
        c.boundary_distance /= factor_;  // back in the scores' own units
        return c;
    }

private:
    linear_rule rule_;
    response_scale from_{1, 7, true};
    double factor_ = 1;
};

/// K-means with four clusters on (anxiety, avoidance), weighted points, k-means++ starts from a
/// seeded stream, Lloyd iterations to convergence; clusters are labelled by where their
/// centroids lie (the assignment of the four centroids to the corners low/low = secure,
/// high anxiety/low avoidance = preoccupied, low/high = dismissing, high/high = fearful of the
/// centroids' bounding box that minimizes the total squared distance).
inline linear_rule kmeans_rule(const std::vector<std::array<double, 3>>& points_anx_avo_weight, std::uint64_t seed) {
    std::vector<detail::kmeans_point> pts;
    for (const auto& p : points_anx_avo_weight)
        if (std::isfinite(p[0]) && std::isfinite(p[1]) && p[2] > 0) pts.push_back(p);
    if (pts.size() < 4) throw option_error("k-means needs at least four distinct respondents' scores");
    detail::kmeans_centres c = detail::kmeans_plus_plus(pts, seed);
    detail::kmeans_lloyd(pts, c);
    const detail::kmeans_centres by_category = detail::kmeans_by_category(c);
    std::array<linear_rule::function, 4> f{};
    for (std::size_t cat = 0; cat < 4; ++cat) {
        const auto& x = by_category[cat];
        f[cat] = {2 * x[0], 2 * x[1], -(x[0] * x[0] + x[1] * x[1])};
    }
    return linear_rule("kmeans", f, "k-means, four clusters, seed " + std::to_string(seed));
}

/// The RQ rule (Bartholomew & Horowitz, 1991): the prototype rated highest. A tie is broken by
/// the forced choice when it names one of the tied prototypes; otherwise unclassified.
/// Ratings in the order secure, fearful, preoccupied, dismissing (the RQ key's order);
/// `forced_choice` is that category, or unclassified when none was made.
inline classification rq_classify(double secure, double fearful, double preoccupied, double dismissing,
                                  category forced_choice = category::unclassified) {
    classification c;
    const std::array<std::pair<double, category>, 4> r = {{{secure, category::secure},
                                                           {fearful, category::fearful},
                                                           {preoccupied, category::preoccupied},
                                                           {dismissing, category::dismissing}}};
    double top = -std::numeric_limits<double>::infinity();
    for (const auto& x : r) {
        if (std::isnan(x.first)) {
            c.reason = "a rating is missing";
            return c;
        }
        top = std::max(top, x.first);
    }
    int tied = 0;
    bool forced_among = false;
    for (const auto& x : r)
        if (x.first == top) {
            ++tied;
            c.cat = x.second;
            forced_among = forced_among || x.second == forced_choice;
        }
    if (tied > 1) {
        if (forced_among) {
            c.cat = forced_choice;
        } else {
            c.cat = category::unclassified;
            c.reason = "the highest ratings tie and no forced choice breaks the tie";
            return c;
        }
    }
    double second = -std::numeric_limits<double>::infinity();
    for (const auto& x : r)
        if (x.second != c.cat) second = std::max(second, x.first);
    c.boundary_distance = top - second;
    return c;
}

/// Where an instrument's two classification dimensions are among its scores (subscales, then
/// derived scores): anxiety and avoidance, the ECR-RS's global scores, or for the AAS anxiety
/// and close_depend, reflected ((min + max) - close_depend) so that high means avoidant.
struct classification_axes {
    std::ptrdiff_t anxiety = -1;
    std::ptrdiff_t avoidance = -1;
    bool avoidance_reflected = false;
    /// The subscales whose reliability gives each dimension's SEM ("" for a derived score).
    std::string_view anxiety_subscale, avoidance_subscale;
    /// The avoidance-like value from the score, on a response scale.
    double avoidance_value(double score, const response_scale& scale) const {
        return rule::keyed(score, avoidance_reflected, scale);
    }
};

/// The axes of a built-in or user instrument, or nothing (the RQ, the RSQ).
inline std::optional<classification_axes> find_classification_axes(const key_view& key) {
    auto index = [&](std::string_view name) -> std::ptrdiff_t {
        for (std::size_t s = 0; s < key.n_scores(); ++s)
            if (key.score_name(s) == name) return static_cast<std::ptrdiff_t>(s);
        return -1;
    };
    const auto n_sub = static_cast<std::ptrdiff_t>(key.subscales.size());
    classification_axes a;
    if (key.id == "aas") {
        a.anxiety = index("anxiety");
        a.avoidance = index("close_depend");
        a.avoidance_reflected = true;
        a.anxiety_subscale = "anxiety";
        a.avoidance_subscale = "close_depend";  // a derived score: the twelve close and depend items
        return a;
    }
    for (const auto& [anx, avo] : {std::pair<std::string_view, std::string_view>{"anxiety", "avoidance"},
                                   {"anxiety_global", "avoidance_global"}}) {
        a.anxiety = index(anx);
        a.avoidance = index(avo);
        if (a.anxiety >= 0 && a.avoidance >= 0) {
            if (a.anxiety < n_sub) a.anxiety_subscale = anx;
            if (a.avoidance < n_sub) a.avoidance_subscale = avo;
            return a;
        }
    }
    return std::nullopt;
}

/// Collins' (1996) rule for the AAS, which she calls exploratory: CD = mean(close, depend);
/// secure CD > 3 and anxiety < 3; preoccupied CD > 3 and anxiety > 3; dismissing CD < 3 and
/// anxiety < 3; fearful CD < 3 and anxiety > 3; exactly 3 is unclassifiable. As a cut rule on
/// (anxiety, 6 - CD): high 6 - CD is low closeness, i.e. avoidance.
inline cut_rule aas_collins_rule() {
    return cut_rule("aas", 3, 3, at_cut::unclassified, "Collins (1996), cuts at 3 on anxiety and on close_depend");
}

}  // namespace bowlby
