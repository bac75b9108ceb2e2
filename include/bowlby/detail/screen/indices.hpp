// bowlby: scoring of adult-attachment questionnaires. MIT licence, see LICENSE.
//
// The per-row careless-responding indices of bowlby/screen.hpp, each from one row of answers
// already checked and keyed by the scoring rule: NaN marks a missing answer and an undefined
// index.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
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

/// What one pass over a row in its presented order gives: longstring, longstring_avg and irv.
struct row_pass {
    double longest = undefined, average = undefined, sd = undefined;
};

/// Runs of identical consecutive answers in `order` (a missing answer ends a run): the longest
/// and the mean length; and the sample standard deviation (n - 1) of the answered values, from
/// sums of the answers less `shift` (the scale's midpoint: whole-number answers give exact
/// sums, and so a deviation as exact as a two-pass one). All NaN when nothing is answered; sd
/// NaN with fewer than two answers.
inline row_pass one_pass(const double* raw, const std::vector<int>& order, double shift) {
    // Without branches on the answers: whether a run goes on is as good as random in real
    // data, and a mispredicted branch per answer would cost more than the rest of the pass.
    std::size_t best = 0, count = 0, run = 0, n = 0;
    double last = undefined, sum = 0, squares = 0;
    for (int item : order) {
        const double x = raw[item];
        const bool answered = x == x;
        const bool same = x == last;  // false when either is missing
        run = same ? run + 1 : static_cast<std::size_t>(answered);
        count += static_cast<std::size_t>(answered && !same);
        best = run > best ? run : best;
        last = x;
        n += static_cast<std::size_t>(answered);
        const double d = answered ? x - shift : 0.0;
        sum += d;
        squares += d * d;
    }
    row_pass out;
    if (n == 0) return out;
    out.longest = static_cast<double>(best);
    out.average = static_cast<double>(n) / static_cast<double>(count);
    if (n < 2) return out;
    const double ss = squares - sum * sum / static_cast<double>(n);
    out.sd = ss > 0 ? std::sqrt(ss / static_cast<double>(n - 1)) : 0.0;
    return out;
}

/// The same pass over whole-number answers given as codes (the answer + 1; 0: no answer), in
/// integers and without branches; equal bit for bit to the pass over the same answers as
/// doubles when `shift` is a multiple of 1/2 (every sum below is then exact).
inline row_pass one_pass(const std::uint16_t* codes, const std::vector<int>& order, double shift) {
    std::uint32_t best = 0, count = 0, run = 0, n = 0, last = 0;
    std::int64_t sum = 0, squares = 0;
    for (int item : order) {
        const std::uint32_t c = codes[item];
        const std::uint32_t answered = c != 0;
        const std::uint32_t same = answered & static_cast<std::uint32_t>(c == last);
        run = (run & (0U - same)) + answered;  // run + 1 when it goes on, else 1 or 0: no branch
        count += answered & (same ^ 1U);
        best = run > best ? run : best;
        last = c;
        n += answered;
        const std::int64_t v = answered ? static_cast<std::int64_t>(c) - 1 : 0;
        sum += v;
        squares += v * v;
    }
    row_pass out;
    if (n == 0) return out;
    out.longest = static_cast<double>(best);
    out.average = static_cast<double>(n) / static_cast<double>(count);
    if (n < 2) return out;
    // The sums of (x - shift) and (x - shift)^2 that the pass over doubles adds up, exactly.
    const double nn = static_cast<double>(n), s = static_cast<double>(sum);
    const double dsum = s - nn * shift;
    const double dsquares = static_cast<double>(squares) - 2 * shift * s + nn * shift * shift;
    const double ss = dsquares - dsum * dsum / nn;
    out.sd = ss > 0 ? std::sqrt(ss / (nn - 1)) : 0.0;
    return out;
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
