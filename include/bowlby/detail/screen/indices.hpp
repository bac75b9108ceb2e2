// bowlby: scoring of adult-attachment questionnaires. MIT licence, see LICENSE.
//
// The per-row careless-responding indices of bowlby/screen.hpp, each from one row of answers
// already checked and keyed by the scoring rule: NaN marks a missing answer and an undefined
// index.
#pragma once

#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

namespace bowlby {
namespace detail {
namespace screen {

constexpr double undefined = std::numeric_limits<double>::quiet_NaN();

/// Pearson's correlation of x and y over the pairs at `first`, `second` (item indices into
/// `values`) where both are answered; NaN with fewer than `fewest` such pairs or no variance.
/// `values` holds NaN for a missing answer.
inline double pair_correlation(const double* values, const std::vector<int>& first, const std::vector<int>& second,
                               std::size_t fewest) {
    double sx = 0, sy = 0;
    std::size_t n = 0;
    for (std::size_t p = 0; p < first.size(); ++p) {
        const double x = values[first[p]], y = values[second[p]];
        if (x != x || y != y) continue;
        sx += x;
        sy += y;
        ++n;
    }
    if (n < fewest || n < 2) return undefined;
    const double mx = sx / static_cast<double>(n), my = sy / static_cast<double>(n);
    double sxx = 0, syy = 0, sxy = 0;
    for (std::size_t p = 0; p < first.size(); ++p) {
        const double x = values[first[p]], y = values[second[p]];
        if (x != x || y != y) continue;
        sxx += (x - mx) * (x - mx);
        syy += (y - my) * (y - my);
        sxy += (x - mx) * (y - my);
    }
    if (!(sxx > 0 && syy > 0)) return undefined;
    return sxy / std::sqrt(sxx * syy);
}

/// Longest run and mean run length of identical consecutive answers in `order`; a missing
/// answer ends a run. Both NaN when nothing is answered.
inline void runs(const double* raw, const std::vector<int>& order, double& longest, double& average) {
    std::size_t best = 0, total = 0, count = 0, run = 0;
    double last = undefined;
    for (int item : order) {
        const double x = raw[item];
        if (x != x) {
            run = 0;
        } else if (run > 0 && x == last) {
            ++run;
        } else {
            run = 1;
            ++count;
        }
        if (run > best) best = run;
        if (x == x) ++total;
        last = x;
    }
    longest = count > 0 ? static_cast<double>(best) : undefined;
    average = count > 0 ? static_cast<double>(total) / static_cast<double>(count) : undefined;
}

/// The sample standard deviation (n - 1) of the answered values; NaN with fewer than two.
inline double sd_of_answered(const double* raw, std::size_t n_items) {
    double sum = 0;
    std::size_t n = 0;
    for (std::size_t i = 0; i < n_items; ++i)
        if (raw[i] == raw[i]) {
            sum += raw[i];
            ++n;
        }
    if (n < 2) return undefined;
    const double mean = sum / static_cast<double>(n);
    double ss = 0;
    for (std::size_t i = 0; i < n_items; ++i)
        if (raw[i] == raw[i]) ss += (raw[i] - mean) * (raw[i] - mean);
    return std::sqrt(ss / static_cast<double>(n - 1));
}

/// The mean of the answered values at `items`; NaN when none is answered.
inline double mean_of(const double* values, const std::vector<int>& items) {
    double sum = 0;
    std::size_t n = 0;
    for (int i : items)
        if (values[i] == values[i]) {
            sum += values[i];
            ++n;
        }
    return n > 0 ? sum / static_cast<double>(n) : undefined;
}

/// -max(-1, 2r / (1 + r)): the Spearman-Brown-corrected correlation, floored at -1, with its
/// sign turned so that higher is more careless (r = -1 gives 1).
inline double spearman_brown_careless(double r) {
    if (r != r) return undefined;
    if (1 + r <= 0) return 1;
    const double sb = 2 * r / (1 + r);
    return -(sb < -1 ? -1 : sb);
}

}  // namespace screen
}  // namespace detail
}  // namespace bowlby
