// bowlby: scoring of adult-attachment questionnaires. MIT licence, see LICENSE.
//
// Cross-products of small integers: for a column-major panel of 16-bit values, the sums of
// a_i a_j over its rows (the lower triangle of A'A), in 32-bit integers. The item accumulator
// (bowlby/item_statistics.hpp) hands it twice its shifted answers when those are whole numbers
// of at most 181 in size, so each product is below 2^15, a pair of them fits pmaddwd's 32-bit
// lanes, and a block of 1024 rows sums to less than 2^26: every sum is exact, on any
// instruction set, in any order.
//
// SSE2 on x86-64, AVX2 where the row kernel uses it (bowlby/detail/row_kernel.hpp: the same
// run-time choice and the same switch that holds both to SSE2), plain C++ elsewhere.
#pragma once

#include "bowlby/detail/row_kernel.hpp"

#include <Eigen/Core>

#include <cstdint>

namespace bowlby::detail {

// Panels are padded with zero rows to a multiple of this (one AVX2 vector of 16-bit values).
inline constexpr Eigen::Index gram_rows_multiple = 16;

#if defined(BOWLBY_ROW_KERNEL_SSE2)
namespace gram_sse2 {
inline std::int32_t hsum(__m128i v) {
    v = _mm_add_epi32(v, _mm_shuffle_epi32(v, 0x4e));
    v = _mm_add_epi32(v, _mm_shuffle_epi32(v, 0xb1));
    return _mm_cvtsi128_si32(v);
}
inline void gram_lower(const std::int16_t* a, Eigen::Index k, Eigen::Index ld, Eigen::Index n, std::int32_t* out) {
    for (Eigen::Index i = 0; i < k; ++i) {
        const std::int16_t* ai = a + i * ld;
        Eigen::Index j = 0;
        for (; j + 4 <= i + 1; j += 4) {
            const std::int16_t* aj = a + j * ld;
            __m128i s0 = _mm_setzero_si128(), s1 = s0, s2 = s0, s3 = s0;
            for (Eigen::Index r = 0; r < n; r += 8) {
                const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(ai + r));
                s0 = _mm_add_epi32(s0, _mm_madd_epi16(x, _mm_loadu_si128(reinterpret_cast<const __m128i*>(aj + r))));
                s1 = _mm_add_epi32(s1,
                                   _mm_madd_epi16(x, _mm_loadu_si128(reinterpret_cast<const __m128i*>(aj + ld + r))));
                s2 = _mm_add_epi32(
                    s2, _mm_madd_epi16(x, _mm_loadu_si128(reinterpret_cast<const __m128i*>(aj + 2 * ld + r))));
                s3 = _mm_add_epi32(
                    s3, _mm_madd_epi16(x, _mm_loadu_si128(reinterpret_cast<const __m128i*>(aj + 3 * ld + r))));
            }
            out[i * k + j] = hsum(s0);
            out[i * k + j + 1] = hsum(s1);
            out[i * k + j + 2] = hsum(s2);
            out[i * k + j + 3] = hsum(s3);
        }
        for (; j <= i; ++j) {
            const std::int16_t* aj = a + j * ld;
            __m128i s = _mm_setzero_si128();
            for (Eigen::Index r = 0; r < n; r += 8)
                s = _mm_add_epi32(s, _mm_madd_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(ai + r)),
                                                    _mm_loadu_si128(reinterpret_cast<const __m128i*>(aj + r))));
            out[i * k + j] = hsum(s);
        }
    }
}
}  // namespace gram_sse2
#endif

#if defined(BOWLBY_ROW_KERNEL_AVX2)
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma,popcnt"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2,fma,popcnt")
#endif
namespace gram_avx2 {
inline std::int32_t hsum(__m256i v) {
    __m128i h = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    h = _mm_add_epi32(h, _mm_shuffle_epi32(h, 0x4e));
    h = _mm_add_epi32(h, _mm_shuffle_epi32(h, 0xb1));
    return _mm_cvtsi128_si32(h);
}
inline __m256i load(const std::int16_t* at) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(at)); }
inline void gram_lower(const std::int16_t* a, Eigen::Index k, Eigen::Index ld, Eigen::Index n, std::int32_t* out) {
    for (Eigen::Index i = 0; i < k; ++i) {
        const std::int16_t* ai = a + i * ld;
        Eigen::Index j = 0;
        for (; j + 4 <= i + 1; j += 4) {
            const std::int16_t* aj = a + j * ld;
            __m256i s0 = _mm256_setzero_si256(), s1 = s0, s2 = s0, s3 = s0;
            for (Eigen::Index r = 0; r < n; r += 16) {
                const __m256i x = load(ai + r);
                s0 = _mm256_add_epi32(s0, _mm256_madd_epi16(x, load(aj + r)));
                s1 = _mm256_add_epi32(s1, _mm256_madd_epi16(x, load(aj + ld + r)));
                s2 = _mm256_add_epi32(s2, _mm256_madd_epi16(x, load(aj + 2 * ld + r)));
                s3 = _mm256_add_epi32(s3, _mm256_madd_epi16(x, load(aj + 3 * ld + r)));
            }
            out[i * k + j] = hsum(s0);
            out[i * k + j + 1] = hsum(s1);
            out[i * k + j + 2] = hsum(s2);
            out[i * k + j + 3] = hsum(s3);
        }
        for (; j <= i; ++j) {
            const std::int16_t* aj = a + j * ld;
            __m256i s = _mm256_setzero_si256();
            for (Eigen::Index r = 0; r < n; r += 16)
                s = _mm256_add_epi32(s, _mm256_madd_epi16(load(ai + r), load(aj + r)));
            out[i * k + j] = hsum(s);
        }
    }
}
}  // namespace gram_avx2
#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
#endif

// out[i * k + j] for j <= i (the upper triangle is left alone): the sum over rows r < n of
// a[i * ld + r] * a[j * ld + r]. n is a multiple of gram_rows_multiple, ld >= n, and the
// values are at most 181 in size (so that no 32-bit sum can overflow for n <= 1024).
inline void gram_lower(const std::int16_t* a, Eigen::Index k, Eigen::Index ld, Eigen::Index n, std::int32_t* out) {
#if defined(BOWLBY_ROW_KERNEL_AVX2)
    if (row_kernel_avx2()) return gram_avx2::gram_lower(a, k, ld, n, out);
#endif
#if defined(BOWLBY_ROW_KERNEL_SSE2)
    gram_sse2::gram_lower(a, k, ld, n, out);
#else
    for (Eigen::Index i = 0; i < k; ++i)
        for (Eigen::Index j = 0; j <= i; ++j) {
            std::int32_t s = 0;
            for (Eigen::Index r = 0; r < n; ++r) s += std::int32_t{a[i * ld + r]} * std::int32_t{a[j * ld + r]};
            out[i * k + j] = s;
        }
#endif
}

}  // namespace bowlby::detail
