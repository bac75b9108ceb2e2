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

namespace bowlby_cli {

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
};

/// Points when there are at most `max_points` respondents, hexagonal bins of counts otherwise.
std::string attachment_plot_svg(const plot_input& in, double max_points = 2000);

}  // namespace bowlby_cli
