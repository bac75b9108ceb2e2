// bowlby: scoring of adult-attachment questionnaires. MIT licence, see LICENSE.
//
// The regions of a classification rule on a box of the (avoidance, anxiety) plane, as
// polygons: what a plot draws so that the picture and the category agree.
//
//     auto rule = bowlby::midpoint_rule(bowlby::instrument("ecr").scale);
//     for (const bowlby::rule_region& r : bowlby::rule_regions(rule, {1, 7}))
//         draw(r.cat, r.polygon);                  // four squares of 3 x 3
//
// A cut rule's regions are rectangles; a rule of linear functions (Brennan et al.'s, k-means'),
// where the largest function wins, has convex regions: the box clipped by the half-planes
// f_k >= f_d for every other category d. Points are (avoidance, anxiety), in the scores' units.
// A region that does not meet the box is left out. Points exactly on a boundary belong to no
// region's interior; which category they get is the rule's on-cut choice, not the polygon's.
#pragma once

#include "bowlby/classify.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <utility>
#include <vector>

namespace bowlby {

/// One region: its category and its polygon's corners, (avoidance, anxiety), counter-clockwise.
struct rule_region {
    category cat = category::unclassified;
    std::vector<std::array<double, 2>> polygon;
};

/// The square both axes span: [lo, hi] on avoidance and on anxiety (a response scale).
struct plane_box {
    double lo = 1;
    double hi = 7;
};

namespace detail {
using polygon = std::vector<std::array<double, 2>>;

inline polygon box_polygon(double x0, double y0, double x1, double y1) {
    return {{{x0, y0}}, {{x1, y0}}, {{x1, y1}}, {{x0, y1}}};
}

// Clips a convex polygon to the half-plane a x + b y + c >= 0 (Sutherland-Hodgman).
inline polygon clip(const polygon& in, double a, double b, double c) {
    polygon out;
    for (std::size_t i = 0; i < in.size(); ++i) {
        const auto& p = in[i];
        const auto& q = in[(i + 1) % in.size()];
        const double fp = a * p[0] + b * p[1] + c, fq = a * q[0] + b * q[1] + c;
        if (fp >= 0) out.push_back(p);
        if ((fp >= 0) != (fq >= 0)) {
            const double t = fp / (fp - fq);
            out.push_back({{p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])}});
        }
    }
    return out;
}

inline double area(const polygon& p) {
    double twice = 0;
    for (std::size_t i = 0; i < p.size(); ++i) {
        const auto& a = p[i];
        const auto& b = p[(i + 1) % p.size()];
        twice += a[0] * b[1] - b[0] * a[1];
    }
    return twice / 2;
}
}  // namespace detail

/// A cut rule's four rectangles, clipped to the box.
inline std::vector<rule_region> rule_regions(const cut_rule& rule, const plane_box& box) {
    std::vector<rule_region> out;
    const double avo = rule.avoidance_cut(), anx = rule.anxiety_cut();
    // (category, low avoidance side?, low anxiety side?)
    const std::array<std::pair<category, std::array<bool, 2>>, 4> quarters = {{{category::secure, {{true, true}}},
                                                                               {category::preoccupied, {{true, false}}},
                                                                               {category::dismissing, {{false, true}}},
                                                                               {category::fearful, {{false, false}}}}};
    for (const auto& [cat, low] : quarters) {
        const double x0 = low[0] ? box.lo : std::max(avo, box.lo), x1 = low[0] ? std::min(avo, box.hi) : box.hi;
        const double y0 = low[1] ? box.lo : std::max(anx, box.lo), y1 = low[1] ? std::min(anx, box.hi) : box.hi;
        if (x1 > x0 && y1 > y0) out.push_back({cat, detail::box_polygon(x0, y0, x1, y1)});
    }
    return out;
}

/// The regions of a rule of four linear functions (the largest wins), clipped to the box.
inline std::vector<rule_region> rule_regions(const linear_rule& rule, const plane_box& box) {
    std::vector<rule_region> out;
    const auto& f = rule.functions();
    for (std::size_t k = 0; k < 4; ++k) {
        detail::polygon p = detail::box_polygon(box.lo, box.lo, box.hi, box.hi);
        for (std::size_t d = 0; d < 4 && !p.empty(); ++d)
            if (d != k)  // f_k - f_d >= 0, with x = avoidance, y = anxiety
                p = detail::clip(p, f[k].avoidance - f[d].avoidance, f[k].anxiety - f[d].anxiety,
                                 f[k].constant - f[d].constant);
        if (p.size() >= 3 && detail::area(p) > 0) out.push_back({static_cast<category>(static_cast<int>(k)), p});
    }
    return out;
}

/// Brennan et al.'s regions in the scores' own units (mapped back from 1-7 when rescaled).
inline std::vector<rule_region> rule_regions(const brennan_rule& rule, const plane_box& box) {
    // to_1_7(x) = a + b x: each function of the 1-7 scores is a linear function of the scores.
    const double b = rule.rescale_factor(), a = rule.to_1_7(0);
    std::array<linear_rule::function, 4> g{};
    for (std::size_t k = 0; k < 4; ++k) {
        const auto& f = rule.rule().functions()[k];
        g[k] = {f.anxiety * b, f.avoidance * b, f.constant + (f.anxiety + f.avoidance) * a};
    }
    return rule_regions(linear_rule(rule.rule().method(), g, rule.rule().source()), box);
}

}  // namespace bowlby
