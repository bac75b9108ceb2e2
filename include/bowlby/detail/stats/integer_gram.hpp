// bowlby: scoring of adult-attachment questionnaires. MIT licence, see LICENSE.
//
// Cross-products of small integers: for a column-major panel of 16-bit values, the sums of
// a_i a_j over its rows (the lower triangle of A'A), in 32-bit integers. The item accumulator
// (bowlby/item_statistics.hpp) hands it twice its shifted answers when those are whole numbers
// of at most 181 in size, so each product is below 2^15, a pair of them fits pmaddwd's 32-bit
// lanes, and a block of 1024 rows sums to less than 2^25: every sum is exact, on any
// instruction set, in any order.
//
// SSE2 on x86-64, AVX2 where the processor has it (bowlby/detail/simd/isa.hpp: the same
// run-time choice and the same switch that holds both to SSE2), plain C++ elsewhere.
#pragma once

#include "bowlby/detail/simd/isa.hpp"

#include <Eigen/Core>

#include <cstdint>

namespace bowlby::detail {

// Panels are padded with zero rows to a multiple of this (one AVX2 vector of 16-bit values).
inline constexpr Eigen::Index gram_rows_multiple = 16;

#if defined(BOWLBY_SIMD_SSE2)
namespace gram_sse2 {
#define BOWLBY_GRAM_WIDE 0
#include "bowlby/detail/stats/integer_gram_isa.ipp"
#undef BOWLBY_GRAM_WIDE
}  // namespace gram_sse2
#endif

#if defined(BOWLBY_SIMD_AVX2)
BOWLBY_AVX2_REGION_BEGIN
namespace gram_avx2 {
#define BOWLBY_GRAM_WIDE 1
#include "bowlby/detail/stats/integer_gram_isa.ipp"
#undef BOWLBY_GRAM_WIDE
}  // namespace gram_avx2
BOWLBY_AVX2_REGION_END
#endif

// out[i * k + j] for j <= i (the upper triangle is left alone): the sum over rows r < n of
// a[i * ld + r] * a[j * ld + r]. n is a multiple of gram_rows_multiple, ld >= n, and the
// values are at most 181 in size (so that no 32-bit sum can overflow for n <= 1024).
inline void gram_lower(const std::int16_t* a, Eigen::Index k, Eigen::Index ld, Eigen::Index n, std::int32_t* out) {
#if defined(BOWLBY_SIMD_AVX2)
    if (simd_avx2()) return gram_avx2::gram_lower(a, k, ld, n, out);
#endif
#if defined(BOWLBY_SIMD_SSE2)
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
