// bowlby: scoring of adult-attachment questionnaires. MIT licence, see LICENSE.
//
// The row kernel: for input whose rows are contiguous in memory (row-major matrices, or a Map
// with inner stride 1) holding double, float or 8-bit unsigned answers on a whole-number scale,
// one respondent's answers are read as a handful of SSE2 vectors, checked against the scale
// and summed into every subscale in the same pass. A row with an answer off the scale (missing,
// out of range, fractional) is left to the caller, which redoes it with the general rules.
//
// The sums are exact: every answer is a whole number and every partial sum is far below 2^53,
// so adding in vector lanes gives the same double as adding item by item.
#pragma once

#include "bowlby/detail/scoring_plan.hpp"

#include <Eigen/Core>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <vector>

namespace bowlby::detail {

template <class T>
inline constexpr bool row_kernel_type =
    std::is_same_v<T, double> || std::is_same_v<T, float> || std::is_same_v<T, std::uint8_t>;

// The most subscales the kernel keeps in registers; keys with more take the column kernel.
inline constexpr std::size_t row_kernel_max_subscales = 16;

// The key laid out for the kernel: the row is cut into vectors of `lanes` answers; vector v
// feeds the subscales of terms [term_begin[v], term_begin[v+1]), each with the lanes it uses.
struct row_plan {
    bool usable = false;
    int n_items = 0;
    int n_sub = 0;
    int n_vec = 0;
    int lanes = 0;
    double lo = 0, hi = 0;
    std::vector<int> term_begin;
    std::vector<int> term_sub;
    // Floating point: per term, lanes signs (+1 kept, -1 reversed, 0 not in the subscale), and
    // per subscale the constant the reversed items add ((min + max) times their count).
    std::vector<double> sign;
    std::vector<double> offset;
    // Bytes: per term, 16 member bytes and 16 reversed bytes (0xFF or 0).
    std::vector<std::uint8_t> member, reversed;
    // The same, dense: for vector v and subscale s (every pair, unused ones all zero), at
    // (v * n_sub + s) * lanes. Keys with at most 4 subscales use these, so that the sums
    // stay in registers.
    std::vector<double> dense_sign;
    std::vector<std::uint8_t> dense_member, dense_reversed;
    // Per vector, lanes (doubles) or 16 bytes that lie past the row's last item: 0xFF.. or 0.
    std::vector<std::uint64_t> pad64;
    std::vector<std::uint8_t> pad8;
    // Items per subscale; the missing codes (NaN where absent; for bytes -1 where absent or
    // not a byte value).
    std::vector<double> sub_size;
    double code[2] = {0, 0};
    int byte_code[2] = {-1, -1};
};

template <class T>
row_plan make_row_plan(const scoring_plan& p) {
    row_plan rp;
#if defined(__SSE2__)
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
    rp.lanes = bytes ? 16 : 2;
    rp.n_items = p.n_items;
    rp.n_sub = static_cast<int>(p.n_subscales);
    rp.n_vec = (p.n_items + rp.lanes - 1) / rp.lanes;
    rp.lo = lo;
    rp.hi = hi;
    rp.offset.assign(p.n_subscales, 0.0);
    for (int size : p.sub_size) rp.sub_size.push_back(size);
    for (std::size_t c = 0; c < 2; ++c) {
        rp.code[c] = c < p.missing_codes.size() ? p.missing_codes[c] : std::numeric_limits<double>::quiet_NaN();
        if (c < p.missing_codes.size() && rp.code[c] >= 0 && rp.code[c] <= 255 && rp.code[c] == std::floor(rp.code[c]))
            rp.byte_code[c] = static_cast<int>(rp.code[c]);
    }
    const auto L = static_cast<std::size_t>(rp.lanes);
    for (int v = 0; v < rp.n_vec; ++v) {
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
        for (std::size_t l = 0; l < L; ++l) {
            const bool past = static_cast<std::size_t>(v) * L + l >= static_cast<std::size_t>(p.n_items);
            if (bytes)
                rp.pad8.push_back(past ? 0xFF : 0);
            else
                rp.pad64.push_back(past ? ~std::uint64_t{0} : 0);
        }
    }
    rp.term_begin.push_back(static_cast<int>(rp.term_sub.size()));
    rp.usable = true;
#else
    (void)p;
#endif
    return rp;
}

#if defined(__SSE2__)
// Two answers as two doubles; floats with an unaligned 8-byte load.
inline __m128d load2(const double* at) { return _mm_loadu_pd(at); }
inline __m128d load2(const float* at) {
    return _mm_cvtps_pd(_mm_castsi128_ps(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(at))));
}

// Calls f(s, dense, sparse) for each subscale s that vector vu feeds: with N > 0 every
// subscale, `dense` its index in the dense tables; with N = 0 the vector's terms, `sparse` the
// term's index.
template <int N, class F>
inline void each_term(const row_plan& rp, std::size_t vu, F&& f) {
    if constexpr (N > 0) {
        for (int s = 0; s < N; ++s) f(s, vu * N + static_cast<std::size_t>(s), std::size_t{0});
    } else {
        for (int k = rp.term_begin[vu]; k < rp.term_begin[vu + 1]; ++k) {
            const auto ku = static_cast<std::size_t>(k);
            f(rp.term_sub[ku], std::size_t{0}, ku);
        }
    }
}

// The kernel for N subscales (1 to 4: the sums live in registers, every subscale is added for
// every vector, with zero weights where it has no item), or for any count up to
// row_kernel_max_subscales (N = 0: only the subscales a vector feeds are added).
template <class T, int N>
void row_sums_n(const row_plan& rp, const T* first, Eigen::Index stride, Eigen::Index nb, Eigen::Index vector_rows,
                double* sums, double* counts, Eigen::Index block, unsigned char* clean) {
    const int n_vec = rp.n_vec;
    constexpr int max_sub = N > 0 ? N : static_cast<int>(row_kernel_max_subscales);
    const int n_sub = N > 0 ? N : rp.n_sub;
    if constexpr (std::is_same_v<T, std::uint8_t>) {
        const auto lo = static_cast<int>(rp.lo), hi = static_cast<int>(rp.hi);
        const __m128i lo8 = _mm_set1_epi8(static_cast<char>(lo));
        const __m128i range8 = _mm_set1_epi8(static_cast<char>(hi - lo));
        const __m128i refl8 = _mm_set1_epi8(static_cast<char>((lo + hi) & 0xFF));
        const __m128i zero = _mm_setzero_si128();
        const __m128i one8 = _mm_set1_epi8(1);
        // Codes that are absent (or no byte value, so never met) are replaced by lo: an answer
        // on the scale counts as answered whatever else it matches (codes on the scale leave
        // the kernel unused).
        const __m128i code0 = _mm_set1_epi8(static_cast<char>(rp.byte_code[0] >= 0 ? rp.byte_code[0] : lo));
        const __m128i code1 = _mm_set1_epi8(static_cast<char>(rp.byte_code[1] >= 0 ? rp.byte_code[1] : lo));
        auto load = [](const std::uint8_t* at) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(at)); };
        for (Eigen::Index r = 0; r < nb; ++r) {
            if (r >= vector_rows) {
                clean[r] = 0;
                continue;
            }
            const std::uint8_t* row = first + r * stride;
            __m128i acc[max_sub];
            for (int s = 0; s < n_sub; ++s) acc[s] = zero;
            __m128i ok_all = _mm_cmpeq_epi8(zero, zero);
            for (int v = 0; v < n_vec; ++v) {
                const auto vu = static_cast<std::size_t>(v);
                const __m128i x = load(row + 16 * vu);
                // x - lo, as unsigned bytes, is at most hi - lo exactly for answers on the scale.
                const __m128i ok = _mm_cmpeq_epi8(_mm_max_epu8(_mm_sub_epi8(x, lo8), range8), range8);
                ok_all = _mm_and_si128(ok_all, _mm_or_si128(ok, load(rp.pad8.data() + 16 * vu)));
                // Reversed answers are (min + max) - x, which lies on the scale again.
                const __m128i flip = _mm_xor_si128(x, _mm_sub_epi8(refl8, x));
                auto add = [&](int s, const std::uint8_t* mem, const std::uint8_t* rev) {
                    const __m128i keyed = _mm_and_si128(_mm_xor_si128(x, _mm_and_si128(flip, load(rev))), load(mem));
                    acc[s] = _mm_add_epi64(acc[s], _mm_sad_epu8(keyed, zero));
                };
                each_term<N>(rp, vu, [&](int s, std::size_t dense, std::size_t sparse) {
                    if constexpr (N > 0)
                        add(s, rp.dense_member.data() + 16 * dense, rp.dense_reversed.data() + 16 * dense);
                    else
                        add(s, rp.member.data() + 16 * sparse, rp.reversed.data() + 16 * sparse);
                });
            }
            clean[r] = 1;
            if (_mm_movemask_epi8(ok_all) == 0xFFFF) {
                for (int s = 0; s < n_sub; ++s) {
                    alignas(16) std::int64_t lane[2];
                    _mm_store_si128(reinterpret_cast<__m128i*>(lane), acc[s]);
                    sums[s * block + r] = static_cast<double>(lane[0] + lane[1]);
                    counts[s * block + r] = rp.sub_size[static_cast<std::size_t>(s)];
                }
                continue;
            }
            // Some answer is off the scale: again, with missing codes allowed (left out of the
            // sums and counts); anything else is the caller's.
            __m128i cnt[max_sub];
            for (int s = 0; s < n_sub; ++s) acc[s] = cnt[s] = zero;
            __m128i bad_any = zero;
            for (int v = 0; v < n_vec; ++v) {
                const auto vu = static_cast<std::size_t>(v);
                const __m128i x = load(row + 16 * vu);
                const __m128i ok = _mm_cmpeq_epi8(_mm_max_epu8(_mm_sub_epi8(x, lo8), range8), range8);
                const __m128i miss = _mm_or_si128(_mm_cmpeq_epi8(x, code0), _mm_cmpeq_epi8(x, code1));
                bad_any = _mm_or_si128(
                    bad_any, _mm_andnot_si128(_mm_or_si128(_mm_or_si128(ok, miss), load(rp.pad8.data() + 16 * vu)),
                                              _mm_cmpeq_epi8(zero, zero)));
                const __m128i flip = _mm_xor_si128(x, _mm_sub_epi8(refl8, x));
                auto add = [&](int s, const std::uint8_t* mem, const std::uint8_t* rev) {
                    const __m128i used = _mm_and_si128(ok, load(mem));
                    const __m128i keyed = _mm_and_si128(_mm_xor_si128(x, _mm_and_si128(flip, load(rev))), used);
                    acc[s] = _mm_add_epi64(acc[s], _mm_sad_epu8(keyed, zero));
                    cnt[s] = _mm_add_epi64(cnt[s], _mm_sad_epu8(_mm_and_si128(used, one8), zero));
                };
                each_term<N>(rp, vu, [&](int s, std::size_t dense, std::size_t sparse) {
                    if constexpr (N > 0)
                        add(s, rp.dense_member.data() + 16 * dense, rp.dense_reversed.data() + 16 * dense);
                    else
                        add(s, rp.member.data() + 16 * sparse, rp.reversed.data() + 16 * sparse);
                });
            }
            if (_mm_movemask_epi8(bad_any) != 0) {
                clean[r] = 0;
                continue;
            }
            for (int s = 0; s < n_sub; ++s) {
                alignas(16) std::int64_t lane[4];
                _mm_store_si128(reinterpret_cast<__m128i*>(lane), acc[s]);
                _mm_store_si128(reinterpret_cast<__m128i*>(lane + 2), cnt[s]);
                sums[s * block + r] = static_cast<double>(lane[0] + lane[1]);
                counts[s * block + r] = static_cast<double>(lane[2] + lane[3]);
            }
        }
    } else {
        const __m128d lo = _mm_set1_pd(rp.lo), hi = _mm_set1_pd(rp.hi);
        // (x + 1.5 * 2^52) - 1.5 * 2^52 rounds x to a whole number when |x| < 2^51, which the
        // range check guarantees for the answers that count.
        const __m128d round = _mm_set1_pd(6755399441055744.0);
        const __m128d one = _mm_set1_pd(1.0), all = _mm_castsi128_pd(_mm_set1_epi32(-1));
        const __m128d code0 = _mm_set1_pd(rp.code[0]), code1 = _mm_set1_pd(rp.code[1]);
        const double reflect = rp.lo + rp.hi;
        // Lanes past the row's end (all bits set), and whole answers within [lo, hi].
        auto pad_lanes = [&rp](std::size_t vu) {
            return _mm_castsi128_pd(_mm_loadu_si128(reinterpret_cast<const __m128i*>(rp.pad64.data() + 2 * vu)));
        };
        auto on_scale = [&](__m128d x) {
            const __m128d whole = _mm_cmpeq_pd(_mm_sub_pd(_mm_add_pd(x, round), round), x);
            return _mm_and_pd(_mm_and_pd(_mm_cmpge_pd(x, lo), _mm_cmple_pd(x, hi)), whole);
        };
        for (Eigen::Index r = 0; r < nb; ++r) {
            if (r >= vector_rows) {
                clean[r] = 0;
                continue;
            }
            const T* row = first + r * stride;
            __m128d acc[max_sub];
            for (int s = 0; s < n_sub; ++s) acc[s] = _mm_setzero_pd();
            __m128d ok_all = _mm_castsi128_pd(_mm_set1_epi32(-1));
            for (int v = 0; v < n_vec; ++v) {
                const auto vu = static_cast<std::size_t>(v);
                __m128d x = load2(row + 2 * vu);
                const __m128d pad = pad_lanes(vu);
                x = _mm_andnot_pd(pad, x);  // lanes past the row's end read as 0
                const __m128d ok = on_scale(x);
                ok_all = _mm_and_pd(ok_all, _mm_or_pd(ok, pad));
                each_term<N>(rp, vu, [&](int s, std::size_t dense, std::size_t sparse) {
                    const double* sign = N > 0 ? rp.dense_sign.data() + 2 * dense : rp.sign.data() + 2 * sparse;
                    acc[s] = _mm_add_pd(acc[s], _mm_mul_pd(x, _mm_loadu_pd(sign)));
                });
            }
            auto hsum = [](__m128d a) { return _mm_cvtsd_f64(_mm_add_sd(a, _mm_unpackhi_pd(a, a))); };
            clean[r] = 1;
            if (_mm_movemask_pd(ok_all) == 3) {
                for (int s = 0; s < n_sub; ++s) {
                    sums[s * block + r] = hsum(acc[s]) + rp.offset[static_cast<std::size_t>(s)];
                    counts[s * block + r] = rp.sub_size[static_cast<std::size_t>(s)];
                }
                continue;
            }
            // Some answer is off the scale: again, with NaN and the missing codes allowed (left
            // out of the sums and counts); anything else is the caller's.
            __m128d cnt[max_sub], rev[max_sub];
            for (int s = 0; s < n_sub; ++s) acc[s] = cnt[s] = rev[s] = _mm_setzero_pd();
            __m128d bad_any = _mm_setzero_pd();
            for (int v = 0; v < n_vec; ++v) {
                const auto vu = static_cast<std::size_t>(v);
                __m128d x = load2(row + 2 * vu);
                const __m128d pad = pad_lanes(vu);
                const __m128d miss =
                    _mm_or_pd(_mm_cmpunord_pd(x, x), _mm_or_pd(_mm_cmpeq_pd(x, code0), _mm_cmpeq_pd(x, code1)));
                x = _mm_andnot_pd(pad, x);
                const __m128d ok = on_scale(x);
                bad_any = _mm_or_pd(bad_any, _mm_andnot_pd(_mm_or_pd(_mm_or_pd(ok, miss), pad), all));
                const __m128d xa = _mm_and_pd(ok, x), oka = _mm_and_pd(ok, one);
                auto add = [&](int s, const double* sign) {
                    const __m128d w = _mm_loadu_pd(sign);
                    acc[s] = _mm_add_pd(acc[s], _mm_mul_pd(xa, w));
                    cnt[s] = _mm_add_pd(cnt[s], _mm_and_pd(oka, _mm_cmpneq_pd(w, _mm_setzero_pd())));
                    rev[s] = _mm_add_pd(rev[s], _mm_and_pd(oka, _mm_cmplt_pd(w, _mm_setzero_pd())));
                };
                each_term<N>(rp, vu, [&](int s, std::size_t dense, std::size_t sparse) {
                    add(s, N > 0 ? rp.dense_sign.data() + 2 * dense : rp.sign.data() + 2 * sparse);
                });
            }
            if (_mm_movemask_pd(bad_any) != 0) {
                clean[r] = 0;
                continue;
            }
            for (int s = 0; s < n_sub; ++s) {
                sums[s * block + r] = hsum(acc[s]) + hsum(rev[s]) * reflect;
                counts[s * block + r] = hsum(cnt[s]);
            }
        }
    }
}
#endif

// Rows [0, nb) of the block that starts at `first` (rows `stride` elements apart). Rows below
// `vector_rows` may be read a whole vector at a time (the reads stay inside the caller's
// matrix); the others, and rows with an answer off the scale, get clean[r] = 0 and are the
// caller's to score. For the rows it scores (clean[r] = 1, missing answers allowed),
// sums[s * block + r] is subscale s's keyed sum over the answered items and counts[...] their
// number.
template <class T>
void row_sums(const row_plan& rp, const T* first, Eigen::Index stride, Eigen::Index nb, Eigen::Index vector_rows,
              double* sums, double* counts, Eigen::Index block, unsigned char* clean) {
#if defined(__SSE2__)
    switch (rp.n_sub) {
        case 1:
            return row_sums_n<T, 1>(rp, first, stride, nb, vector_rows, sums, counts, block, clean);
        case 2:
            return row_sums_n<T, 2>(rp, first, stride, nb, vector_rows, sums, counts, block, clean);
        case 3:
            return row_sums_n<T, 3>(rp, first, stride, nb, vector_rows, sums, counts, block, clean);
        case 4:
            return row_sums_n<T, 4>(rp, first, stride, nb, vector_rows, sums, counts, block, clean);
        default:
            return row_sums_n<T, 0>(rp, first, stride, nb, vector_rows, sums, counts, block, clean);
    }
#else
    (void)rp;
    (void)first;
    (void)stride;
    (void)vector_rows;
    (void)sums;
    (void)counts;
    (void)block;
    for (Eigen::Index r = 0; r < nb; ++r) clean[r] = 0;
#endif
}

}  // namespace bowlby::detail
