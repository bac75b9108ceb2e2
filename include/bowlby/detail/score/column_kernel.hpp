// bowlby: scoring of adult-attachment questionnaires. MIT licence, see LICENSE.
//
// The column kernel: one item of a block of rows at a time, for inputs the row kernel does not
// take (column-major matrices, integer types other than bytes, rows with gaps). It reads the
// item's answers (`step` apart) and writes, per row, the answer when it is on the scale (0
// otherwise) into xv and 1 or 0 into ok: rule::classify for many rows at once, without the
// reason of an invalid answer (the caller's general code finds and reports it).
#pragma once

#include "bowlby/detail/score/plan.hpp"
#include "bowlby/detail/score/row_kernel.hpp"
#include "bowlby/rule.hpp"

#include <Eigen/Core>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>

namespace bowlby::detail {

// Integers: the whole numbers in [lo, hi] are on the scale (every integer is whole); a missing
// code matches only when it is a whole number within T's range. Integer arithmetic, which
// compilers vectorise; true when an answer is invalid.
template <class T>
bool load_item_integers(const scoring_plan& p, const T* col, Eigen::Index step, Eigen::Index nb, double* xv, double* ok,
                        std::int32_t* iv, std::int32_t* iok) {
    const double lo_w = std::ceil(p.scale.min), hi_w = std::floor(p.scale.max);
    const double tmin = static_cast<double>(std::numeric_limits<T>::lowest());
    const double tmax = static_cast<double>(std::numeric_limits<T>::max());
    if (hi_w < lo_w || lo_w < -2147483648.0 || hi_w > 2147483647.0) return true;  // the general code decides
    const auto lo_i = static_cast<std::int64_t>(lo_w);
    const auto range = static_cast<std::uint32_t>(static_cast<std::int64_t>(hi_w) - lo_i);
    std::int64_t code[2] = {0, 0};
    std::int32_t has[2] = {0, 0};
    for (std::size_t c = 0; c < p.missing_codes.size() && c < 2; ++c) {
        const double m = p.missing_codes[c];
        if (rule::is_whole(m) && m >= tmin && m <= tmax) {
            code[c] = static_cast<std::int64_t>(m);
            has[c] = 1;
        }
    }
    const auto c0 = static_cast<std::int32_t>(code[0]), c1 = static_cast<std::int32_t>(code[1]);
    const auto lo32 = static_cast<std::int32_t>(lo_i);
    std::int32_t bad = 0;
    for (Eigen::Index r = 0; r < nb; ++r) {
        const auto v = static_cast<std::int32_t>(col[r * step]);
        const std::int32_t miss =
            (has[0] & static_cast<std::int32_t>(v == c0)) | (has[1] & static_cast<std::int32_t>(v == c1));
        const auto in_range =
            static_cast<std::int32_t>(static_cast<std::uint32_t>(v) - static_cast<std::uint32_t>(lo32) <= range);
        const std::int32_t answered = in_range & (miss ^ 1);
        bad |= (answered | miss) ^ 1;
        iv[r] = v * answered;
        iok[r] = answered;
    }
    // Converted in a loop of its own: with the conversion in the loop above, compilers do not
    // vectorise it.
    for (Eigen::Index r = 0; r < nb; ++r) {
        xv[r] = static_cast<double>(iv[r]);
        ok[r] = static_cast<double>(iok[r]);
    }
    return bad != 0;
}

// Floating-point (and 64-bit integer) answers: two at a time with SSE2 where the target has it
// (compilers do not vectorise floating-point comparisons unless told that they cannot trap),
// the same tests one at a time elsewhere; true when an answer is invalid.
template <class T>
bool load_item_reals(const scoring_plan& p, const T* col, Eigen::Index step, Eigen::Index nb, double* xv, double* ok) {
    const double lo = p.scale.min, hi = p.scale.max;
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double c0 = p.missing_codes.size() > 0 ? p.missing_codes[0] : nan;
    const double c1 = p.missing_codes.size() > 1 ? p.missing_codes[1] : nan;
    const bool integral = p.scale.integral;
    Eigen::Index r = 0;
    bool bad = false;
#if defined(BOWLBY_SIMD_SSE2)
    if constexpr (std::is_floating_point_v<T>) {
        using dv = sse2::dv;
        const __m128d vlo = _mm_set1_pd(lo), vhi = _mm_set1_pd(hi), vc0 = _mm_set1_pd(c0), vc1 = _mm_set1_pd(c1);
        const __m128d one = _mm_set1_pd(1.0);
        __m128d vbad = _mm_setzero_pd();
        for (; r + 2 <= nb; r += 2) {
            const __m128d x = _mm_set_pd(static_cast<double>(col[(r + 1) * step]), static_cast<double>(col[r * step]));
            const __m128d miss =
                _mm_or_pd(_mm_cmpunord_pd(x, x), _mm_or_pd(_mm_cmpeq_pd(x, vc0), _mm_cmpeq_pd(x, vc1)));
            __m128d answered = _mm_and_pd(_mm_cmpge_pd(x, vlo), _mm_cmple_pd(x, vhi));
            if (integral) answered = _mm_and_pd(answered, dv::is_whole(x));
            answered = _mm_andnot_pd(miss, answered);
            vbad = _mm_or_pd(vbad, _mm_andnot_pd(_mm_or_pd(answered, miss), one));
            _mm_storeu_pd(xv + r, _mm_and_pd(answered, x));
            _mm_storeu_pd(ok + r, _mm_and_pd(answered, one));
        }
        bad = _mm_movemask_pd(_mm_cmpneq_pd(vbad, _mm_setzero_pd())) != 0;
    }
#endif
    for (; r < nb; ++r) {
        const auto x = static_cast<double>(col[r * step]);
        const bool miss = std::isnan(x) || x == c0 || x == c1;
        const bool answered = !miss && x >= lo && x <= hi && (!integral || rule::is_whole(x));
        if (!answered && !miss) bad = true;
        xv[r] = answered ? x : 0.0;
        ok[r] = answered ? 1.0 : 0.0;
    }
    return bad;
}

// One item of rows [0, nb); true when any answer is invalid (neither missing nor on the scale).
template <class T>
bool load_item(const scoring_plan& p, const T* col, Eigen::Index step, Eigen::Index nb, double* xv, double* ok,
               std::int32_t* iv, std::int32_t* iok) {
    if constexpr (std::is_integral_v<T> && sizeof(T) <= 4)
        return load_item_integers(p, col, step, nb, xv, ok, iv, iok);
    else
        return load_item_reals(p, col, step, nb, xv, ok);
}

}  // namespace bowlby::detail
