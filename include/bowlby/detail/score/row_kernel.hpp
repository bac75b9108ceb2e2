// bowlby: scoring of adult-attachment questionnaires. MIT licence, see LICENSE.
//
// The row kernel: for input whose rows are contiguous in memory (row-major matrices, or a Map
// with inner stride 1) holding double, float or 8-bit unsigned answers on a whole-number scale,
// one respondent's answers are read as a handful of vectors, checked against the scale and
// summed into every subscale in the same pass, with a bit per answer on the scale. A row whose
// answers off the scale are all missing (NaN or a missing code) is scored from those bits; a
// row with an invalid answer is left to the caller, which redoes it with the general rules.
//
// SSE2 everywhere on x86-64; AVX2 (vectors twice as wide) where the compiler can target it
// (GCC and Clang on x86) and the processor has it, chosen once at run time.
//
// The sums are exact: every answer is a whole number and every partial sum is far below 2^53,
// so adding in vector lanes gives the same double as adding item by item.
#pragma once

#include "bowlby/detail/score/plan.hpp"
#include "bowlby/detail/simd/isa.hpp"
#include "bowlby/rule.hpp"

#include <Eigen/Core>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>
#include <vector>

namespace bowlby::detail {

template <class T>
inline constexpr bool row_kernel_type =
    std::is_same_v<T, double> || std::is_same_v<T, float> || std::is_same_v<T, std::uint8_t>;

// The most subscales the kernel keeps in registers; keys with more take the column kernel.
inline constexpr std::size_t row_kernel_max_subscales = 16;
// A bit per answer: at most this many 64-bit words per row (512 items), or the column kernel.
inline constexpr int row_kernel_max_words = 8;

// The key laid out for the kernel: the row is cut into vectors of `lanes` answers; vector v
// feeds the subscales of terms [term_begin[v], term_begin[v+1]), each with the lanes it uses.
struct row_plan {
    bool usable = false;
    bool wide = false;  // AVX2
    int n_sub = 0;
    int n_vec = 0;
    int lanes = 0;
    int words = 0;  // 64-bit words of a row's answer bits
    int n_items = 0;
    double lo = 0, hi = 0;
    double refl = 0;  // rule::reflection: a reversed answer x is keyed as refl - x
    std::vector<int> term_begin;
    std::vector<int> term_sub;
    // Floating point: per term, lanes signs (+1 kept, -1 reversed, 0 not in the subscale), and
    // per subscale the constant the reversed items add ((min + max) times their count).
    std::vector<double> sign;
    std::vector<double> offset;
    // Bytes: per term, member bytes and reversed bytes (0xFF or 0).
    std::vector<std::uint8_t> member, reversed;
    // The same, dense: for vector v and subscale s (every pair, unused ones all zero), at
    // (v * n_sub + s) * lanes. Keys with at most 4 subscales use these, so that the sums
    // stay in registers.
    std::vector<double> dense_sign;
    std::vector<std::uint8_t> dense_member, dense_reversed;
    // Bytes, for complete rows on AVX2: per vector and subscale (dense, as above) a signed byte
    // per lane, +1 kept, -1 reversed, 0 not in the subscale; per vector 0xFF for the lanes that
    // are items; per subscale min times its kept items plus max times its reversed ones.
    std::vector<std::int8_t> dense_weight;
    std::vector<std::uint8_t> item_lanes;
    std::vector<std::int32_t> keyed_base;
    // Bytes on AVX2, rows back to back (see packed_groups): rows of 4 to 36 items, a multiple
    // of 4, with nothing between them (packed_stride; 0: no packed plan), for 1 or 2 subscales
    // that share no item, on a scale of at most 127 steps. Eight rows are packed_vectors
    // vectors. Per byte of those, z = (x ^ packed_xor) + packed_add is the keyed answer minus
    // min. Row r meets vectors r * stride / 32 and the next; packed_weight at
    // (r * 2 + t) * 32 holds, for the bytes of row r in the t-th of them, 1 for an item of
    // subscale packed_low, 2^packed_shift for one of the other, 0 for any other byte.
    int packed_stride = 0;
    int packed_vectors = 0;
    int packed_low = 0, packed_shift = 0;
    std::vector<std::uint8_t> packed_xor, packed_add, packed_weight;
    // Bits (item j is bit j % 64 of word j / 64): the row's items; per subscale (at s * words)
    // its items and its reversed items.
    std::vector<std::uint64_t> item_bits, member_bits, rev_bits;
    // Items per subscale; the missing codes (NaN where absent).
    std::vector<double> sub_size;
    double code[2] = {0, 0};
};

// Whether the row kernel applies to answers of type T under plan p: a whole-number scale that
// fits the type, no missing code on the scale (the range check would take it for an answer),
// and a key of at most row_kernel_max_subscales subscales.
template <class T>
bool row_kernel_applies(const scoring_plan& p) {
    const double lo = p.scale.min, hi = p.scale.max;
    if (!row_kernel_type<T> || !p.fast_kernel || !p.scale.integral || p.n_subscales == 0 ||
        p.n_subscales > row_kernel_max_subscales || !rule::is_whole(lo) || !rule::is_whole(hi) || p.n_items < 1)
        return false;
    if (std::abs(lo) > 1e9 || std::abs(hi) > 1e9) return false;
    for (double m : p.missing_codes)
        if (m >= lo && m <= hi) return false;
    return !std::is_same_v<T, std::uint8_t> || (lo >= 0 && hi <= 255);
}

// The row's items, and per subscale its items and reversed items, as bits.
inline void add_row_bits(const scoring_plan& p, row_plan& rp) {
    const auto W = static_cast<std::size_t>(rp.words);
    rp.item_bits.assign(W, 0);
    rp.member_bits.assign(W * p.n_subscales, 0);
    rp.rev_bits.assign(W * p.n_subscales, 0);
    for (int j = 0; j < p.n_items; ++j) {
        const auto ju = static_cast<std::size_t>(j);
        const std::uint64_t bit = std::uint64_t{1} << (ju % 64);
        rp.item_bits[ju / 64] |= bit;
        for (int m = p.member_begin[ju]; m < p.member_begin[ju + 1]; ++m) {
            const auto mu = static_cast<std::size_t>(m);
            const auto at = static_cast<std::size_t>(p.member_sub[mu]) * W + ju / 64;
            rp.member_bits[at] |= bit;
            if (p.member_rev[mu]) rp.rev_bits[at] |= bit;
        }
    }
}

// Subscale s's sign in each lane of vector v: +1 kept, -1 reversed, 0 not in the subscale.
inline std::vector<double> lane_signs(const scoring_plan& p, const row_plan& rp, int v, int s) {
    const auto L = static_cast<std::size_t>(rp.lanes);
    std::vector<double> sign(L, 0.0);
    for (std::size_t l = 0; l < L; ++l) {
        const auto j = static_cast<std::size_t>(v) * L + l;
        if (j >= static_cast<std::size_t>(p.n_items)) break;
        for (int m = p.member_begin[j]; m < p.member_begin[j + 1]; ++m) {
            const auto mu = static_cast<std::size_t>(m);
            if (p.member_sub[mu] == s) sign[l] = p.member_rev[mu] ? -1.0 : 1.0;
        }
    }
    return sign;
}

// Vector v's weights for every subscale, dense and as terms (see row_plan).
template <bool bytes>
void add_vector_terms(const scoring_plan& p, row_plan& rp, int v) {
    const auto L = static_cast<std::size_t>(rp.lanes);
    if (bytes)
        for (std::size_t l = 0; l < L; ++l)
            rp.item_lanes.push_back(static_cast<std::size_t>(v) * L + l < static_cast<std::size_t>(p.n_items) ? 0xFF
                                                                                                              : 0);
    rp.term_begin.push_back(static_cast<int>(rp.term_sub.size()));
    for (int s = 0; s < rp.n_sub; ++s) {
        const std::vector<double> sign = lane_signs(p, rp, v, s);
        bool used = false;
        for (std::size_t l = 0; l < L; ++l) {
            used = used || sign[l] != 0.0;
            if (bytes) {
                rp.dense_member.push_back(sign[l] != 0.0 ? 0xFF : 0);
                rp.dense_reversed.push_back(sign[l] < 0.0 ? 0xFF : 0);
                rp.dense_weight.push_back(static_cast<std::int8_t>(sign[l]));
                // The keyed answer is min + (x - min) for a kept item, (refl - min) - (x - min)
                // for a reversed one.
                if (sign[l] != 0.0)
                    rp.keyed_base[static_cast<std::size_t>(s)] +=
                        static_cast<std::int32_t>(sign[l] > 0.0 ? rp.lo : rp.refl - rp.lo);
            } else {
                rp.dense_sign.push_back(sign[l]);
            }
        }
        if (!used) continue;
        rp.term_sub.push_back(s);
        for (std::size_t l = 0; l < L; ++l) {
            if (bytes) {
                rp.member.push_back(sign[l] != 0.0 ? 0xFF : 0);
                rp.reversed.push_back(sign[l] < 0.0 ? 0xFF : 0);
            } else {
                rp.sign.push_back(sign[l]);
            }
            if (sign[l] < 0.0) rp.offset[static_cast<std::size_t>(s)] += rp.refl;
        }
    }
}

// The row kernel's plan for answers of type T (not usable where the kernel does not apply).
template <class T>
row_plan make_row_plan(const scoring_plan& p) {
    row_plan rp;
#if defined(BOWLBY_SIMD_SSE2)
    if (!row_kernel_applies<T>(p)) return rp;
    constexpr bool bytes = std::is_same_v<T, std::uint8_t>;
    rp.wide = simd_avx2();
    rp.lanes = bytes ? (rp.wide ? 32 : 16) : (rp.wide ? 4 : 2);
    rp.n_sub = static_cast<int>(p.n_subscales);
    rp.n_vec = (p.n_items + rp.lanes - 1) / rp.lanes;
    rp.words = (rp.n_vec * rp.lanes + 63) / 64;
    if (rp.words > row_kernel_max_words) return rp;
    rp.lo = p.scale.min;
    rp.hi = p.scale.max;
    rp.refl = rule::reflection(p.scale);
    rp.n_items = p.n_items;
    rp.offset.assign(p.n_subscales, 0.0);
    for (int size : p.sub_size) rp.sub_size.push_back(size);
    for (std::size_t c = 0; c < 2; ++c)
        rp.code[c] = c < p.missing_codes.size() ? p.missing_codes[c] : std::numeric_limits<double>::quiet_NaN();
    add_row_bits(p, rp);
    if (bytes) rp.keyed_base.assign(p.n_subscales, 0);
    for (int v = 0; v < rp.n_vec; ++v) add_vector_terms<bytes>(p, rp, v);
    rp.term_begin.push_back(static_cast<int>(rp.term_sub.size()));
    rp.usable = true;
#else
    (void)p;
#endif
    return rp;
}

// Adds the packed plan for byte rows `stride` bytes apart, where it applies (see row_plan).
inline void add_packed_rows(row_plan& rp, Eigen::Index stride) {
    rp.packed_stride = 0;
    const int range = static_cast<int>(rp.hi - rp.lo);
    // Rows of at most 36 bytes that start on a multiple of 4 meet at most two vectors; reading
    // eight rows reads no byte past the eighth row, and every byte read is an answer.
    if (!rp.usable || !rp.wide || rp.lanes != 32 || rp.n_sub < 1 || rp.n_sub > 2 || range > 127 || stride % 4 != 0 ||
        stride != rp.n_items || stride > 36)
        return;
    auto weight_of = [&](int c, int s) {  // subscale s's weight of item c: +1, -1 or 0
        return rp.dense_weight[static_cast<std::size_t>(((c / 32) * rp.n_sub + s) * 32 + c % 32)];
    };
    // Each subscale's sum of z is at most its size times the range (`most`). With two, the low
    // one's stays below 2^shift (shift <= 7, so that the weights fit a byte) and the packed
    // sum, low + high * 2^shift, below 2^16.
    long most[2] = {0, 0};
    for (int c = 0; c < rp.n_items; ++c) {
        int in = 0;
        for (int s = 0; s < rp.n_sub; ++s)
            if (weight_of(c, s) != 0) {
                ++in;
                most[s] += range;
            }
        if (in > 1) return;  // an item in both subscales
    }
    const int low = rp.n_sub == 2 && most[1] < most[0] ? 1 : 0;
    int shift = 0;
    if (rp.n_sub == 2)
        while ((1L << shift) <= most[low]) ++shift;
    if (shift > 7 || most[low] + (most[1 - low] << shift) > 65535) return;
    const int st = static_cast<int>(stride);
    rp.packed_stride = st;
    rp.packed_vectors = st / 4;  // 8 * stride / 32
    rp.packed_low = low;
    rp.packed_shift = shift;
    const auto nv = static_cast<std::size_t>(rp.packed_vectors);
    const int lo = static_cast<int>(rp.lo), refl = static_cast<int>(rp.refl);
    rp.packed_xor.assign(nv * 32, 0);
    rp.packed_add.assign(nv * 32, 0);
    rp.packed_weight.assign(8 * 2 * 32, 0);
    for (std::size_t b = 0; b < nv * 32; ++b) {
        const int c = static_cast<int>(b) % st;  // the byte's column
        if (c >= rp.n_items) continue;
        bool reversed = false;
        for (int s = 0; s < rp.n_sub; ++s) reversed = reversed || weight_of(c, s) < 0;
        // Modulo 256: (refl - x) - min = (x ^ 0xFF) + (refl - min + 1), and x - min = x + (256 - min).
        rp.packed_xor[b] = reversed ? 0xFF : 0;
        rp.packed_add[b] = static_cast<std::uint8_t>((reversed ? refl - lo + 1 : 256 - lo) & 0xFF);
    }
    for (int r = 0; r < 8; ++r)
        for (int t = 0; t < 2; ++t)
            for (int l = 0; l < 32; ++l) {
                const int c = (r * st / 32 + t) * 32 + l - r * st;  // the byte's column in row r
                if (c < 0 || c >= st || c >= rp.n_items) continue;
                for (int s = 0; s < rp.n_sub; ++s)
                    if (weight_of(c, s) != 0)
                        rp.packed_weight[static_cast<std::size_t>((r * 2 + t) * 32 + l)] =
                            static_cast<std::uint8_t>(s == low ? 1 : 1 << shift);
            }
}

// Where packed_score_rows writes a run's scores: per subscale its column of the score table
// from the run's first row, whether it is a sum and how many answers it needs; `stream`: tables too large to stay in
// cache (see streamable).
struct packed_out {
    double* value[2] = {nullptr, nullptr};
    int* answered[2] = {nullptr, nullptr};
    std::uint8_t* status[2] = {nullptr, nullptr};
    bool is_sum[2] = {false, false};
    double need[2] = {0, 0};  // the fewest answered items that give a score
    bool stream = false;
};

#if defined(BOWLBY_SIMD_SSE2)
namespace sse2 {
#define BOWLBY_SIMD_WIDE 0
// In this order: each file uses the ones before it.
// clang-format off
#include "bowlby/detail/simd/vectors_isa.ipp"
#include "bowlby/detail/score/packed_isa.ipp"
#include "bowlby/detail/score/row_sums_isa.ipp"
#include "bowlby/detail/score/columns_isa.ipp"
// clang-format on
#undef BOWLBY_SIMD_WIDE
}  // namespace sse2
#else
namespace portable {
#include "bowlby/detail/score/columns_isa.ipp"
}  // namespace portable
#endif

#if defined(BOWLBY_SIMD_AVX2)
BOWLBY_AVX2_REGION_BEGIN
namespace avx2 {
#define BOWLBY_SIMD_WIDE 1
// In this order: each file uses the ones before it.
// clang-format off
#include "bowlby/detail/simd/vectors_isa.ipp"
#include "bowlby/detail/score/packed_isa.ipp"
#include "bowlby/detail/score/row_sums_isa.ipp"
#include "bowlby/detail/score/columns_isa.ipp"
// clang-format on
#undef BOWLBY_SIMD_WIDE
}  // namespace avx2
BOWLBY_AVX2_REGION_END
#endif

// Rows [0, nb) of the block that starts at `first` (rows `stride` elements apart). Rows below
// `vector_rows` may be read a whole vector at a time (the reads stay inside the caller's
// matrix); the others, and rows with an invalid answer, get clean[r] = 0 and are the caller's
// to score. For the rows it scores (clean[r] = 1, missing answers allowed), sums[s * block + r]
// is subscale s's keyed sum over the answered items and counts[...] their number. True when
// every row of the block is clean and complete (every item answered on the scale).
template <class T>
bool row_sums(const row_plan& rp, const T* first, Eigen::Index stride, Eigen::Index nb, Eigen::Index vector_rows,
              double* sums, double* counts, Eigen::Index block, unsigned char* clean) {
#if defined(BOWLBY_SIMD_AVX2)
    if (rp.wide) return avx2::row_sums(rp, first, stride, nb, vector_rows, sums, counts, block, clean);
#endif
#if defined(BOWLBY_SIMD_SSE2)
    return sse2::row_sums(rp, first, stride, nb, vector_rows, sums, counts, block, clean);
#else
    (void)rp;
    (void)first;
    (void)stride;
    (void)vector_rows;
    (void)sums;
    (void)counts;
    (void)block;
    for (Eigen::Index r = 0; r < nb; ++r) clean[r] = 0;
    return false;
#endif
}

// Whether packed_score_rows can score rows of bytes `stride` apart (with the plan of
// add_packed_rows, on AVX2).
inline bool packed_scoring(const row_plan& rp, Eigen::Index stride) {
    return rp.usable && rp.wide && rp.packed_stride != 0 && rp.packed_stride == stride;
}

// For rows of bytes with the packed plan (packed_scoring) whose subscales all need at most
// their item count: scores the leading groups of eight rows straight into the table while every
// answer of a group is on the scale or a missing code (`groups` at most: their rows lie below
// the row kernel's vector_rows), and returns the number of rows scored, a multiple of eight.
// The rows after them are the caller's to score.
inline Eigen::Index packed_score_rows(const row_plan& rp, const std::uint8_t* first, Eigen::Index groups,
                                      const packed_out& out) {
#if defined(BOWLBY_SIMD_AVX2)
    if (rp.wide && rp.packed_stride != 0 && groups > 0) {
        if (rp.n_sub == 1) return 8 * avx2::packed_dispatch<1>(rp.packed_vectors).scores(rp, first, groups, out);
        if (rp.n_sub == 2) return 8 * avx2::packed_dispatch<2>(rp.packed_vectors).scores(rp, first, groups, out);
    }
#endif
    (void)rp;
    (void)first;
    (void)groups;
    (void)out;
    return 0;
}

// Subscale scores of a block (see subscale_column), with AVX2 where the row kernel uses it;
// `stream` for tables too large to stay in cache.
template <class Scalar>
void subscale_scores(const double* sum, const double* count, Eigen::Index nb, double need, double size, bool is_sum,
                     Scalar* value, int* answered, std::uint8_t* status, bool stream = false) {
#if defined(BOWLBY_SIMD_AVX2)
    if (simd_avx2()) return avx2::subscale_column(sum, count, nb, need, size, is_sum, value, answered, status, stream);
#endif
#if defined(BOWLBY_SIMD_SSE2)
    sse2::subscale_column(sum, count, nb, need, size, is_sum, value, answered, status, stream);
#else
    portable::subscale_column(sum, count, nb, need, size, is_sum, value, answered, status, stream);
#endif
}

// Subscale scores of a block whose rows all answered every item (see complete_column).
template <class Scalar>
void complete_scores(const double* sum, Eigen::Index nb, double size, bool is_sum, Scalar* value, int* answered,
                     std::uint8_t* status, bool stream = false) {
#if defined(BOWLBY_SIMD_AVX2)
    if (simd_avx2()) return avx2::complete_column(sum, nb, size, is_sum, value, answered, status, stream);
#endif
#if defined(BOWLBY_SIMD_SSE2)
    sse2::complete_column(sum, nb, size, is_sum, value, answered, status, stream);
#else
    portable::complete_column(sum, nb, size, is_sum, value, answered, status, stream);
#endif
}

}  // namespace bowlby::detail
