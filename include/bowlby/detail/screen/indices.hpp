// bowlby: scoring of adult-attachment questionnaires. MIT licence, see LICENSE.
//
// The per-row careless-responding indices of bowlby/screen.hpp, each from one row of answers
// already checked and keyed by the scoring rule: NaN marks a missing answer and an undefined
// index.
#pragma once

#include "bowlby/detail/simd/isa.hpp"

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

/// A pass's result from its counts: the longest run, the number of runs, the number answered,
/// and the sums of (answer - shift) and of its squares.
inline row_pass finish_pass(std::size_t best, std::size_t runs, std::size_t n, double sum, double squares) {
    row_pass out;
    if (n == 0) return out;
    out.longest = static_cast<double>(best);
    out.average = static_cast<double>(n) / static_cast<double>(runs);
    if (n < 2) return out;
    const double ss = squares - sum * sum / static_cast<double>(n);
    out.sd = ss > 0 ? std::sqrt(ss / static_cast<double>(n - 1)) : 0.0;
    return out;
}

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
    return finish_pass(best, count, n, sum, squares);
}

/// The longest run of consecutive set bits of `bits`.
inline std::uint32_t longest_ones(std::uint64_t bits) {
    std::uint32_t k = 0;
    for (; bits != 0; ++k) bits &= bits >> 1;
    return k;
}

/// The same pass over whole-number answers given as codes (the answer + 1; 0: no answer), in
/// integers: what it adds up, position by position. With at most 64 items the runs are kept
/// as bit masks (bit p: the answer at position p is there / goes on the run of the one before
/// it), which no answer has to wait for, unlike a run's length.
struct code_pass {
    std::uint64_t answers = 0, repeats = 0;
    std::uint32_t last = 0;
    std::int64_t sum = 0, squares = 0;  ///< of the answers

    void add(std::uint32_t code, std::size_t position) {
        const std::uint32_t a = code != 0;
        answers |= std::uint64_t{a} << position;
        repeats |= std::uint64_t{a & static_cast<std::uint32_t>(code == last)} << position;
        last = code;
        const auto v = static_cast<std::int64_t>(code - a);  // the answer, 0 when missing
        sum += v;
        squares += v * v;
    }
    std::size_t answered() const { return static_cast<std::size_t>(bit_count(answers)); }
    /// Equal bit for bit to the pass over the same answers as doubles when `shift` is a
    /// multiple of 1/2 (every sum is then exact).
    row_pass finish(double shift) const {
        // A run of L equal answers sets L - 1 consecutive bits of `repeats`, and two runs never
        // set adjacent bits (the second's first answer differs from the first's last).
        const std::size_t n = answered();
        const auto runs = static_cast<std::size_t>(bit_count(answers & ~repeats));
        const std::size_t best = n > 0 ? 1 + longest_ones(repeats) : 0;
        // The sums of (x - shift) and (x - shift)^2 that the pass over doubles adds up, exactly.
        const double nn = static_cast<double>(n), s = static_cast<double>(sum);
        return finish_pass(best, runs, n, s - nn * shift,
                           static_cast<double>(squares) - 2 * shift * s + nn * shift * shift);
    }
};

/// The pass over codes in `order` (at most 64 items); `answered` becomes the number answered.
inline row_pass one_pass(const std::uint16_t* codes, const std::vector<int>& order, double shift,
                         std::size_t& answered) {
    code_pass pass;
    for (std::size_t p = 0; p < order.size(); ++p) pass.add(codes[order[p]], p);
    answered = pass.answered();
    return pass.finish(shift);
}

/// The mean of the answers whose codes (the answer + 1; 0: no answer) are at `items`; NaN when
/// none is answered. Equal bit for bit to mean_of over the same answers as doubles (whole
/// numbers: their sum is exact either way).
inline double mean_of_codes(const std::uint16_t* codes, const std::vector<int>& items) {
    std::int64_t sum = 0;
    std::uint32_t n = 0;
    for (int i : items) {
        const std::uint32_t c = codes[i];
        const std::uint32_t a = c != 0;
        n += a;
        sum += static_cast<std::int64_t>(c - a);
    }
    return n > 0 ? static_cast<double>(sum) / static_cast<double>(n) : undefined;
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
