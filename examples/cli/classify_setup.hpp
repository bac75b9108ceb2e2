// `bowlby score --classify`: which scores a rule reads, and the rule itself.
#pragma once

#include "cli.hpp"

#include <bowlby/classify.hpp>
#include <bowlby/key.hpp>

#include <nlohmann/json.hpp>

#include <array>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace bowlby_cli {

struct classify_request {
    std::string method;                            ///< midpoint, median, brennan1998, kmeans, rq, aas ("" for none)
    std::optional<std::pair<double, double>> cut;  ///< anxiety:avoidance
    std::string cut_source;
    bowlby::at_cut on_cut = bowlby::at_cut::unclassified;
    std::optional<std::pair<double, double>> rescale_to;
    std::optional<std::pair<double, double>> sem;  ///< anxiety:avoidance, given by the user
    std::uint64_t seed = 20261122;
    std::string forced_choice;  ///< RQ: the column of the forced choice
    bool allow_other_instrument = false;
    std::string plot;  ///< SVG path
};

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

dimensions find_dimensions(const bowlby::key_view& key, const bowlby::response_scale& scale, const std::string& method);

/// A rule ready to classify; built after the data have been seen once when it needs them.
struct classifier {
    std::string method;
    std::optional<bowlby::cut_rule> cut;
    std::optional<bowlby::brennan_rule> brennan;
    std::optional<bowlby::linear_rule> linear;
    bowlby::measurement_error sem;
    nlohmann::ordered_json describe() const;
    bowlby::classification classify(double anxiety, double avoidance) const;
    /// The category alone (no firmness computed).
    bowlby::category category_of(double anxiety, double avoidance) const;
    /// The same, remembering results: scores repeat (means of few whole numbers), and a rule of
    /// functions integrates numerically for each new pair.
    bowlby::classification classify_cached(double anxiety, double avoidance);
    std::map<std::pair<double, double>, bowlby::classification> cache;
};

/// (anxiety, avoidance) -> count of respondents.
using point_counts = std::map<std::pair<double, double>, double>;

classifier make_classifier(const classify_request& req, const bowlby::key_view& key,
                           const bowlby::response_scale& scale, const point_counts& points,
                           const bowlby::measurement_error& sem);

/// An RQ forced choice cell: a prototype name or its paragraph letter (A secure, B fearful,
/// C preoccupied, D dismissing); empty is no choice.
bowlby::category parse_forced_choice(const std::string& cell);

}  // namespace bowlby_cli
