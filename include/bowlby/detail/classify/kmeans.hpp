// bowlby: scoring of adult-attachment questionnaires. MIT licence, see LICENSE.
//
// K-means with four clusters on weighted (anxiety, avoidance) points: k-means++ starts from a
// seeded stream, Lloyd iterations to convergence, and the labelling of the four centroids by
// the corners of their bounding box (bowlby::kmeans_rule turns them into a rule).
#pragma once

#include "bowlby/detail/stats/random.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace bowlby::detail {

using kmeans_point = std::array<double, 3>;  // anxiety, avoidance, weight
using kmeans_centres = std::array<std::array<double, 2>, 4>;

inline double squared_distance(double a0, double a1, const std::array<double, 2>& c) {
    return std::pow(a0 - c[0], 2) + std::pow(a1 - c[1], 2);
}

// An index drawn with probability w[i] / sum (uniform in [0, 1) from the stream).
inline std::size_t kmeans_pick(random_stream& rng, const std::vector<double>& w, double sum) {
    double u = static_cast<double>(rng.below(1ULL << 53)) * 0x1.0p-53 * sum;
    for (std::size_t i = 0; i < w.size(); ++i) {
        u -= w[i];
        if (u < 0) return i;
    }
    return w.size() - 1;
}

// k-means++: the first centre by weight, the others with probability weight * D^2.
inline kmeans_centres kmeans_plus_plus(const std::vector<kmeans_point>& pts, std::uint64_t seed) {
    random_stream rng(seed, 0x6b6d);
    kmeans_centres c{};
    double total = 0;
    for (const auto& p : pts) total += p[2];
    std::vector<double> w(pts.size());
    for (std::size_t i = 0; i < pts.size(); ++i) w[i] = pts[i][2];
    const std::size_t first = kmeans_pick(rng, w, total);
    c[0] = {pts[first][0], pts[first][1]};
    for (std::size_t k = 1; k < 4; ++k) {
        double sum = 0;
        for (std::size_t i = 0; i < pts.size(); ++i) {
            double d = std::numeric_limits<double>::infinity();
            for (std::size_t j = 0; j < k; ++j) d = std::min(d, squared_distance(pts[i][0], pts[i][1], c[j]));
            w[i] = pts[i][2] * d;
            sum += w[i];
        }
        const std::size_t i = sum > 0 ? kmeans_pick(rng, w, sum) : k;
        c[k] = {pts[i][0], pts[i][1]};
    }
    return c;
}

// Lloyd iterations from centres c until no point changes cluster (at most 1,000).
inline void kmeans_lloyd(const std::vector<kmeans_point>& pts, kmeans_centres& c) {
    std::vector<std::size_t> assign(pts.size(), 4);
    for (int iter = 0; iter < 1000; ++iter) {
        bool changed = false;
        for (std::size_t i = 0; i < pts.size(); ++i) {
            std::size_t best = 0;
            double bd = std::numeric_limits<double>::infinity();
            for (std::size_t k = 0; k < 4; ++k) {
                const double d = squared_distance(pts[i][0], pts[i][1], c[k]);
                if (d < bd) {
                    bd = d;
                    best = k;
                }
            }
            changed = changed || assign[i] != best;
            assign[i] = best;
        }
        std::array<std::array<double, 3>, 4> acc{};
        for (std::size_t i = 0; i < pts.size(); ++i) {
            auto& a = acc[assign[i]];
            a[0] += pts[i][2] * pts[i][0];
            a[1] += pts[i][2] * pts[i][1];
            a[2] += pts[i][2];
        }
        for (std::size_t k = 0; k < 4; ++k)
            if (acc[k][2] > 0) c[k] = {acc[k][0] / acc[k][2], acc[k][1] / acc[k][2]};
        if (!changed) break;
    }
}

// The centroid of each category (secure, preoccupied, dismissing, fearful): the assignment of
// the centroids to the corners low/low, high/low, low/high, high/high (anxiety/avoidance) of
// their bounding box that minimizes the total squared distance, best of the 24.
inline kmeans_centres kmeans_by_category(const kmeans_centres& c) {
    double lo_a = c[0][0], hi_a = c[0][0], lo_v = c[0][1], hi_v = c[0][1];
    for (const auto& x : c) {
        lo_a = std::min(lo_a, x[0]);
        hi_a = std::max(hi_a, x[0]);
        lo_v = std::min(lo_v, x[1]);
        hi_v = std::max(hi_v, x[1]);
    }
    const kmeans_centres corner = {{{lo_a, lo_v}, {hi_a, lo_v}, {lo_a, hi_v}, {hi_a, hi_v}}};
    std::array<std::size_t, 4> perm = {0, 1, 2, 3}, best_perm = perm;
    double best_cost = std::numeric_limits<double>::infinity();
    do {
        double cost = 0;
        for (std::size_t cat = 0; cat < 4; ++cat)
            cost += squared_distance(c[perm[cat]][0], c[perm[cat]][1], corner[cat]);
        if (cost < best_cost) {
            best_cost = cost;
            best_perm = perm;
        }
    } while (std::next_permutation(perm.begin(), perm.end()));
    kmeans_centres out{};
    for (std::size_t cat = 0; cat < 4; ++cat) out[cat] = c[best_perm[cat]];
    return out;
}

}  // namespace bowlby::detail
