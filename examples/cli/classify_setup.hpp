// From a classification method's name to its rule: the one dispatch, shared by the `bowlby`
// tool and the WebAssembly module (bindings/wasm), which compiles this file too. It depends on
// the library and nlohmann::json only. The checks throw rule_error, which each front end words
// for its own options (flags in the tool, arguments in JavaScript).
#pragma once

#include <bowlby/classify.hpp>
#include <bowlby/key.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace bowlby_cli {

/// Why a method cannot classify an instrument's scores; each front end says it in its words.
enum class rule_problem {
    unknown_method,  ///< no method of that name
    rq_only,         ///< the rq rule, asked of another instrument
    not_for_rq,      ///< another rule, asked of the RQ (which has no anxiety and avoidance)
    aas_only,        ///< the aas rule, asked of another instrument
    no_axes,         ///< the instrument has no anxiety and avoidance scores
};

struct rule_error : std::runtime_error {
    rule_error(rule_problem p, const std::string& message) : std::runtime_error(message), problem(p) {}
    rule_problem problem;
};

/// What a rule is made from, besides the instrument, the scale and the sample.
struct rule_request {
    std::string method;                            ///< midpoint, median, brennan1998, kmeans, rq or aas
    std::optional<std::pair<double, double>> cut;  ///< midpoint: anxiety:avoidance cuts instead of the scale's
    std::string cut_source;                        ///< where those cuts come from
    bowlby::at_cut on_cut = bowlby::at_cut::unclassified;
    bool rescale = false;  ///< brennan1998: map scores from the data's scale onto 1-7
    bool allow_other_instrument = false;
    std::uint64_t seed = 20261122;  ///< kmeans: the seed of its starting centres
};

/// Whether a method's rule is fitted to the sample (median, kmeans): it needs every
/// respondent's scores before it can classify one.
bool fitted_to_sample(std::string_view method);

/// Where a rule's two dimensions are in the score table. For the AAS, the avoidance
/// dimension is (min + max) - close_depend, so that high means avoidant.
struct dimensions {
    Eigen::Index anxiety = -1, avoidance = -1;
    bool avoidance_reflected = false;
    double reflect = 0;
    std::string anxiety_title, avoidance_title;
    std::string anxiety_subscale, avoidance_subscale;  ///< subscales whose reliability gives the SEM ("" if none)
    double avo(double v) const { return avoidance_reflected ? reflect - v : v; }
};

/// The dimensions `method` reads on this instrument; a rule_error when the method does not
/// apply to it. The rq method has none (it reads the four prototype ratings).
dimensions find_dimensions(const bowlby::key_view& key, const bowlby::response_scale& scale, const std::string& method);

/// (anxiety, avoidance) -> count of respondents.
using point_counts = std::map<std::pair<double, double>, double>;

/// A rule ready to classify; const once made, so that any number of threads may use it.
/// For the rq method it holds no rule: bowlby::rq_classify reads the prototype ratings.
struct classifier {
    std::string method;
    std::optional<bowlby::cut_rule> cut;
    std::optional<bowlby::brennan_rule> brennan;
    std::optional<bowlby::linear_rule> linear;
    bowlby::measurement_error sem;
    /// The method, its cuts or functions and their source, for a report.
    nlohmann::ordered_json describe() const;
    bowlby::classification classify(double anxiety, double avoidance) const;
    /// The category alone (no firmness computed).
    bowlby::category category_of(double anxiety, double avoidance) const;
};

/// The rule of `req.method`. `points` are the sample's scores (used by the methods fitted to
/// the sample), `sem` the standard errors of measurement that give each category's firmness.
/// Throws rule_error for an unknown method, bowlby::option_error where the library refuses the
/// rule (brennan1998 off its calibration, cuts that are not finite), and std::runtime_error
/// where the sample cannot give one (no respondent with both scores, too few for kmeans).
classifier make_classifier(const rule_request& req, const bowlby::key_view& key, const bowlby::response_scale& scale,
                           const point_counts& points, const bowlby::measurement_error& sem);

/// An RQ forced choice cell: a prototype name or its paragraph letter (A secure, B fearful,
/// C preoccupied, D dismissing); empty is no choice.
bowlby::category parse_forced_choice(std::string_view cell);

}  // namespace bowlby_cli
