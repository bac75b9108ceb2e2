// The attachment plane as SVG: respondents on avoidance (x) by anxiety (y), the rule's regions
// and boundaries, the four regions labelled, axes titled, a legend with counts.
#pragma once

#include <bowlby/classify.hpp>

#include <array>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace bowlby_cli {

/// A person's move between two waves, from (anxiety, avoidance) before to after.
struct plot_arrow {
    double anx0 = 0, avo0 = 0, anx1 = 0, avo1 = 0;
    bool reliable = false;  ///< a reliable change (the joint test): drawn apart from the rest
};

struct plot_input {
    std::string title;
    std::string x_title;    ///< avoidance axis
    std::string y_title;    ///< anxiety axis
    double lo = 1, hi = 7;  ///< the scale of both axes
    /// (anxiety, avoidance) -> number of respondents with exactly these scores.
    std::map<std::pair<double, double>, double> points;
    /// The rule: category of a point (anxiety, avoidance).
    std::function<bowlby::category(double, double)> classify;
    /// Cut lines (anxiety cut, avoidance cut) for cut rules.
    std::optional<std::pair<double, double>> cuts;
    std::array<std::size_t, 5> counts{};  ///< secure, preoccupied, dismissing, fearful, unclassified
    std::string method;
    /// A change plot (`bowlby change --plot`): arrows from pre to post instead of points, up to
    /// max_points people; beyond that, the transitions between categories (pre x post counts).
    bool change = false;
    std::vector<plot_arrow> arrows;
    std::array<std::array<std::size_t, 4>, 4> transitions{};
};

/// Points when there are at most `max_points` respondents, hexagonal bins of counts otherwise
/// (for a change plot: arrows, or transitions between categories).
std::string attachment_plot_svg(const plot_input& in, double max_points = 2000);

}  // namespace bowlby_cli
