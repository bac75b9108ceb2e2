// bowlby: scoring of adult-attachment questionnaires. MIT licence, see LICENSE.
//
// The scoring rule, stated once: how one answer is checked, keyed and counted, and how a
// subscale's keyed sum and count of answered items become its score and status.
//
//   answer    NaN or a missing code: missing. Otherwise on the scale in force when it is finite,
//             within [min, max] and, on a whole-number scale, a whole number; anything else is
//             invalid (an error, or missing under invalid_policy::missing).
//   keyed     a reversed item's answer is (min + max) - x; others are x.
//   subscale  with n of its `size` items answered and `need` the fewest it takes
//             (min_answered * size, rounded up, at least 1): the mean of the keyed answers
//             (for a sum subscale, the mean times size) when n >= need, else missing (NaN);
//             status complete (n = size), prorated (need <= n < size) or insufficient.
//   derived   a weighted sum of subscale scores and raw answers, missing when any part is; its
//             status is the least complete of its parts, its count of answered items the sum
//             of theirs (a raw answer counts 1).
//
// The scoring kernels (rows of answers in SIMD vectors, packed bytes, the column-wise kernel,
// the reliability accumulator's keying) are vectorised or tabulated forms of these functions;
// the tests compare each with a plain reference scorer that knows nothing of them.
#pragma once

#include "bowlby/detail/format.hpp"
#include "bowlby/error.hpp"
#include "bowlby/key.hpp"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

namespace bowlby {

/// What happens to an answer the response scale cannot hold.
enum class invalid_policy : std::uint8_t {
    error,    ///< throw bowlby::invalid_response (the default)
    missing,  ///< treat the answer as missing and count it in score_table::invalid_cells
};

/// Options of a scoring run. The defaults score data collected on the key's own scale, with
/// NaN as the only missing value, and score a subscale when at least half its items are
/// answered (the "half rule" widely used for proration).
struct score_options {
    /// The scale the data were collected on, when it is not the instrument's own (the ECR
    /// given on 1-5, say). Validation and reverse keying, (min + max) - x, use this scale, and
    /// the scores are on it.
    std::optional<response_scale> data_scale;
    /// Minimum fraction of a subscale's items that must be answered for it to be scored; at
    /// least one item is always required. 0 scores any subscale with an answer, 1 requires all.
    double min_answered = 0.5;
    /// Values that mean "no answer" (0 in the openpsychometrics ECR file, -99 in SPSS files).
    /// NaN is always missing in floating-point input.
    std::vector<double> missing_codes;
    invalid_policy on_invalid = invalid_policy::error;
    /// Threads that score one matrix (0: all hardware threads). Rows are split into contiguous
    /// ranges, so the scores do not depend on it; the first invalid answer in row order is the
    /// one reported. Small inputs (under 16,384 rows per thread) use fewer threads.
    unsigned threads = 1;
};

/// How a score of one respondent came about (the codes 0, 1, 2 are stored in score tables).
enum class score_status : std::uint8_t {
    complete,     ///< every item answered
    prorated,     ///< some items unanswered, enough to score (mean of the answered ones)
    insufficient  ///< too few items answered: the score is missing (NaN)
};

/// "complete", "prorated" or "insufficient".
constexpr const char* to_string(score_status s) noexcept {
    switch (s) {
        case score_status::complete:
            return "complete";
        case score_status::prorated:
            return "prorated";
        case score_status::insufficient:
            return "insufficient";
    }
    return "insufficient";
}

namespace rule {

/// Whether x is a whole number; exact for every double (false for NaN and infinities), and
/// read from the bits, so that no floating-point mode or flag can change the answer.
inline bool is_whole(double x) noexcept {
    std::uint64_t bits;
    std::memcpy(&bits, &x, sizeof bits);
    const int exponent = static_cast<int>((bits >> 52) & 0x7FF) - 1023;
    if (exponent >= 52) return exponent != 1024;  // |x| >= 2^52 is whole; 1024: NaN or infinite
    if (exponent < 0) return (bits << 1) == 0;    // |x| < 1: only zero
    return (bits << (12 + exponent)) == 0;        // no bit of the fraction below the point
}

/// What one answer is: on the scale, missing, or invalid (and why).
enum class cell : unsigned char { answered, missing, infinite, out_of_range, fractional };

/// Classifies one answer against the scale in force and the missing codes.
template <class T>
cell classify(T raw, const response_scale& scale, const std::vector<double>& missing_codes) noexcept {
    const auto x = static_cast<double>(raw);
    if (x != x) return cell::missing;
    for (double code : missing_codes)
        if (x == code) return cell::missing;
    if (std::isinf(x)) return cell::infinite;
    if (!(x >= scale.min && x <= scale.max)) return cell::out_of_range;
    if (scale.integral && !is_whole(x)) return cell::fractional;
    return cell::answered;
}

/// The sum an answer and its reverse-keyed value make: (min + max).
constexpr double reflection(const response_scale& scale) noexcept { return scale.min + scale.max; }

/// An answer on the scale, keyed: (min + max) - x for a reversed item, x otherwise.
constexpr double keyed(double x, bool reversed, const response_scale& scale) noexcept {
    return reversed ? reflection(scale) - x : x;
}

/// The fewest answered items that score a subscale of `size` items: min_answered * size,
/// rounded up (with a tolerance for fractions such as 0.7 * 10), and at least one.
inline int needed(double min_answered, int size) noexcept {
    const int need = static_cast<int>(std::ceil(min_answered * size - 1e-9));
    return need < 1 ? 1 : need;
}

/// A subscale's score from the keyed sum of its `answered` items: their mean (times `size`
/// for a sum subscale) when at least `need` are answered, NaN otherwise.
inline double subscale_value(double sum, double answered, double need, double size, bool is_sum) noexcept {
    if (!(answered >= need)) return std::numeric_limits<double>::quiet_NaN();
    return sum / answered * (is_sum ? size : 1.0);
}

/// A subscale's status from its count of answered items.
constexpr score_status subscale_status(double answered, double need, double size) noexcept {
    return !(answered >= need) ? score_status::insufficient
           : answered < size   ? score_status::prorated
                               : score_status::complete;
}

/// The status of a derived score with a part of status `part` added: the least complete.
constexpr score_status combine(score_status so_far, score_status part) noexcept {
    return static_cast<std::uint8_t>(part) > static_cast<std::uint8_t>(so_far) ? part : so_far;
}

/// Throws the error for an invalid answer at (row, item), both 0-based.
[[noreturn]] inline void throw_invalid(const response_scale& scale, std::size_t row, std::size_t item, double x,
                                       cell c) {
    const std::string range = detail::format_number(scale.min) + ".." + detail::format_number(scale.max);
    std::string reason = c == cell::infinite ? "is infinite"
                         : c == cell::out_of_range
                             ? "is outside the response scale " + range
                             : "is not a whole number (the response scale " + range + " takes whole numbers)";
    throw invalid_response(row, item, x, detail::format_number(x), std::move(reason));
}

}  // namespace rule
}  // namespace bowlby
