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

#include "bowlby/detail/scoring_plan.hpp"

#include <Eigen/Core>

#if defined(__SSE2__) || defined(_M_X64)
#define BOWLBY_ROW_KERNEL_SSE2 1
#include <emmintrin.h>
#endif
#if defined(BOWLBY_ROW_KERNEL_SSE2) && (defined(__GNUC__) || defined(__clang__)) && \
    (defined(__x86_64__) || defined(__i386__)) && !defined(BOWLBY_NO_AVX2)
#define BOWLBY_ROW_KERNEL_AVX2 1
#include <immintrin.h>
// Functions defined between these two are compiled for AVX2, FMA and POPCNT (whatever the
// translation unit targets); they run only where row_kernel_avx2() says the processor has them.
#if defined(__clang__)
#define BOWLBY_AVX2_REGION_BEGIN \
    _Pragma("clang attribute push(__attribute__((target(\"avx2,fma,popcnt\"))), apply_to = function)")
#define BOWLBY_AVX2_REGION_END _Pragma("clang attribute pop")
#else
#define BOWLBY_AVX2_REGION_BEGIN _Pragma("GCC push_options") _Pragma("GCC target(\"avx2,fma,popcnt\")")
#define BOWLBY_AVX2_REGION_END _Pragma("GCC pop_options")
#endif
#endif

#include <atomic>
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

// Whether the processor runs AVX2 and FMA (asked once), and a switch that holds the kernel to
// SSE2 (tests use it, to check both against the general code on processors that have AVX2).
inline std::atomic<bool>& row_kernel_sse2_only() {
    static std::atomic<bool> only{false};
    return only;
}
inline bool row_kernel_avx2() {
#if defined(BOWLBY_ROW_KERNEL_AVX2)
    // Asked of the processor even where the compiler targets AVX2, so that every translation
    // unit has the same definition.
    static const bool has =
        __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("popcnt");
    return has && !row_kernel_sse2_only().load(std::memory_order_relaxed);
#else
    return false;
#endif
}

inline int lowest_bit(std::uint64_t m) {
#if defined(__GNUC__) || defined(__clang__)
    return __builtin_ctzll(m);
#else
    int n = 0;
    while (!(m & 1)) {
        m >>= 1;
        ++n;
    }
    return n;
#endif
}
inline int bit_count(std::uint64_t m) {
#if defined(__GNUC__) || defined(__clang__)
    return __builtin_popcountll(m);
#else
    int n = 0;
    for (; m != 0; m &= m - 1) ++n;
    return n;
#endif
}

// Asks for the cache lines of the `bytes` that lie row_prefetch_distance past `at`, ahead of
// their use. The row loops spend long enough on each row that a processor's own prefetcher does
// not always run far enough ahead: on a 2-core Intel Xeon VM, 1M x 36 doubles took 65 ms
// without this and 27-29 ms with it; the packed byte kernel 4.3 ms and 3.8 ms. Only a hint:
// the addresses are computed as integers, and one past the data's end does not fault.
inline constexpr std::uintptr_t row_prefetch_distance = 2048;  // the best of 1, 2, 4, 8 KiB there
inline void prefetch_ahead(const void* at, std::size_t bytes) {
#if defined(__GNUC__) || defined(__clang__)
    const std::uintptr_t begin = reinterpret_cast<std::uintptr_t>(at) + row_prefetch_distance;
    for (std::uintptr_t line = begin & ~std::uintptr_t{63}; line < begin + bytes; line += 64)
        __builtin_prefetch(reinterpret_cast<const void*>(line));
#else
    (void)at;
    (void)bytes;
#endif
}

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

template <class T>
row_plan make_row_plan(const scoring_plan& p) {
    row_plan rp;
#if defined(BOWLBY_ROW_KERNEL_SSE2)
    const double lo = p.scale.min, hi = p.scale.max;
    if (!row_kernel_type<T> || !p.fast_kernel || !p.scale.integral || p.n_subscales == 0 ||
        p.n_subscales > row_kernel_max_subscales || lo != std::floor(lo) || hi != std::floor(hi) || p.n_items < 1)
        return rp;
    if (std::abs(lo) > 1e9 || std::abs(hi) > 1e9) return rp;
    // A missing code on the scale would be taken for an answer by the range check.
    for (double m : p.missing_codes)
        if (m >= lo && m <= hi) return rp;
    constexpr bool bytes = std::is_same_v<T, std::uint8_t>;
    if (bytes && (lo < 0 || hi > 255)) return rp;
    rp.wide = row_kernel_avx2();
    rp.lanes = bytes ? (rp.wide ? 32 : 16) : (rp.wide ? 4 : 2);
    rp.n_sub = static_cast<int>(p.n_subscales);
    rp.n_vec = (p.n_items + rp.lanes - 1) / rp.lanes;
    rp.words = (rp.n_vec * rp.lanes + 63) / 64;
    if (rp.words > row_kernel_max_words) return rp;
    rp.lo = lo;
    rp.hi = hi;
    rp.n_items = p.n_items;
    rp.offset.assign(p.n_subscales, 0.0);
    for (int size : p.sub_size) rp.sub_size.push_back(size);
    for (std::size_t c = 0; c < 2; ++c)
        rp.code[c] = c < p.missing_codes.size() ? p.missing_codes[c] : std::numeric_limits<double>::quiet_NaN();
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
    const auto L = static_cast<std::size_t>(rp.lanes);
    if (bytes) rp.keyed_base.assign(p.n_subscales, 0);
    for (int v = 0; v < rp.n_vec; ++v) {
        if (bytes)
            for (std::size_t l = 0; l < L; ++l)
                rp.item_lanes.push_back(static_cast<std::size_t>(v) * L + l < static_cast<std::size_t>(p.n_items) ? 0xFF
                                                                                                                  : 0);
        rp.term_begin.push_back(static_cast<int>(rp.term_sub.size()));
        for (int s = 0; s < rp.n_sub; ++s) {
            std::vector<double> sign(L, 0.0);
            bool used = false;
            for (std::size_t l = 0; l < L; ++l) {
                const auto j = static_cast<std::size_t>(v) * L + l;
                if (j >= static_cast<std::size_t>(p.n_items)) break;
                for (int m = p.member_begin[j]; m < p.member_begin[j + 1]; ++m) {
                    const auto mu = static_cast<std::size_t>(m);
                    if (p.member_sub[mu] != s) continue;
                    sign[l] = p.member_rev[mu] ? -1.0 : 1.0;
                    used = true;
                }
            }
            for (std::size_t l = 0; l < L; ++l) {
                if (bytes) {
                    rp.dense_member.push_back(sign[l] != 0.0 ? 0xFF : 0);
                    rp.dense_reversed.push_back(sign[l] < 0.0 ? 0xFF : 0);
                    rp.dense_weight.push_back(static_cast<std::int8_t>(sign[l]));
                    if (sign[l] != 0.0)
                        rp.keyed_base[static_cast<std::size_t>(s)] +=
                            static_cast<std::int32_t>(sign[l] > 0.0 ? lo : hi);
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
                if (sign[l] < 0.0) rp.offset[static_cast<std::size_t>(s)] += lo + hi;
            }
        }
    }
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
    const int lo = static_cast<int>(rp.lo), hi = static_cast<int>(rp.hi);
    rp.packed_xor.assign(nv * 32, 0);
    rp.packed_add.assign(nv * 32, 0);
    rp.packed_weight.assign(8 * 2 * 32, 0);
    for (std::size_t b = 0; b < nv * 32; ++b) {
        const int c = static_cast<int>(b) % st;  // the byte's column
        if (c >= rp.n_items) continue;
        bool reversed = false;
        for (int s = 0; s < rp.n_sub; ++s) reversed = reversed || weight_of(c, s) < 0;
        // Modulo 256: max - x = (x ^ 0xFF) + (max + 1), and x - min = x + (256 - min).
        rp.packed_xor[b] = reversed ? 0xFF : 0;
        rp.packed_add[b] = static_cast<std::uint8_t>((reversed ? hi + 1 : 256 - lo) & 0xFF);
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

// Complete unrolling of loops with a constant count (GCC does not at -O2).
#if defined(__clang__)
#define BOWLBY_UNROLL _Pragma("unroll")
#elif defined(__GNUC__)
#define BOWLBY_UNROLL _Pragma("GCC unroll 16")
#else
#define BOWLBY_UNROLL
#endif

#if defined(BOWLBY_ROW_KERNEL_SSE2)
namespace sse2 {
#define BOWLBY_ROW_WIDE 0
#include "bowlby/detail/row_kernel_isa.ipp"
#undef BOWLBY_ROW_WIDE
}  // namespace sse2
#else
namespace portable {
#include "bowlby/detail/row_kernel_isa.ipp"
}  // namespace portable
#endif

#if defined(BOWLBY_ROW_KERNEL_AVX2)
BOWLBY_AVX2_REGION_BEGIN
namespace avx2 {
#define BOWLBY_ROW_WIDE 1
#include "bowlby/detail/row_kernel_isa.ipp"
#undef BOWLBY_ROW_WIDE
}  // namespace avx2
BOWLBY_AVX2_REGION_END
#endif
#undef BOWLBY_UNROLL

// Rows [0, nb) of the block that starts at `first` (rows `stride` elements apart). Rows below
// `vector_rows` may be read a whole vector at a time (the reads stay inside the caller's
// matrix); the others, and rows with an invalid answer, get clean[r] = 0 and are the caller's
// to score. For the rows it scores (clean[r] = 1, missing answers allowed), sums[s * block + r]
// is subscale s's keyed sum over the answered items and counts[...] their number. True when
// every row of the block is clean and complete (every item answered on the scale).
template <class T>
bool row_sums(const row_plan& rp, const T* first, Eigen::Index stride, Eigen::Index nb, Eigen::Index vector_rows,
              double* sums, double* counts, Eigen::Index block, unsigned char* clean) {
#if defined(BOWLBY_ROW_KERNEL_AVX2)
    if (rp.wide) return avx2::row_sums(rp, first, stride, nb, vector_rows, sums, counts, block, clean);
#endif
#if defined(BOWLBY_ROW_KERNEL_SSE2)
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
#if defined(BOWLBY_ROW_KERNEL_AVX2)
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

// After streamed stores (subscale_scores with `stream`): they are seen before any later store.
inline void stream_fence() {
#if defined(BOWLBY_ROW_KERNEL_SSE2)
    _mm_sfence();
#endif
}

// Subscale scores of a block (see subscale_column), with AVX2 where the row kernel uses it;
// `stream` for tables too large to stay in cache.
template <class Scalar>
void subscale_scores(const double* sum, const double* count, Eigen::Index nb, double need, double size, bool is_sum,
                     Scalar* value, int* answered, std::uint8_t* status, bool stream = false) {
#if defined(BOWLBY_ROW_KERNEL_AVX2)
    if (row_kernel_avx2())
        return avx2::subscale_column(sum, count, nb, need, size, is_sum, value, answered, status, stream);
#endif
#if defined(BOWLBY_ROW_KERNEL_SSE2)
    sse2::subscale_column(sum, count, nb, need, size, is_sum, value, answered, status, stream);
#else
    portable::subscale_column(sum, count, nb, need, size, is_sum, value, answered, status, stream);
#endif
}

// Subscale scores of a block whose rows all answered every item (see complete_column).
template <class Scalar>
void complete_scores(const double* sum, Eigen::Index nb, double size, bool is_sum, Scalar* value, int* answered,
                     std::uint8_t* status, bool stream = false) {
#if defined(BOWLBY_ROW_KERNEL_AVX2)
    if (row_kernel_avx2()) return avx2::complete_column(sum, nb, size, is_sum, value, answered, status, stream);
#endif
#if defined(BOWLBY_ROW_KERNEL_SSE2)
    sse2::complete_column(sum, nb, size, is_sum, value, answered, status, stream);
#else
    portable::complete_column(sum, nb, size, is_sum, value, answered, status, stream);
#endif
}

}  // namespace bowlby::detail
