// bowlby: scoring of adult-attachment questionnaires. MIT licence, see LICENSE.
//
// The integer cross-products' body for one instruction set, included by integer_gram.hpp inside
// a namespace of its own: once with SSE2 (BOWLBY_GRAM_WIDE 0: 8 values of 16 bits per vector)
// and, where the compiler can target it, once with AVX2 (BOWLBY_GRAM_WIDE 1: 16) inside a region
// compiled for AVX2. No include guard: it is meant to be included twice.

inline std::int32_t hsum128(__m128i v) {
    v = _mm_add_epi32(v, _mm_shuffle_epi32(v, 0x4e));
    v = _mm_add_epi32(v, _mm_shuffle_epi32(v, 0xb1));
    return _mm_cvtsi128_si32(v);
}
#if BOWLBY_GRAM_WIDE
using vec = __m256i;
inline constexpr Eigen::Index width = 16;
inline vec zero() { return _mm256_setzero_si256(); }
inline vec load(const std::int16_t* at) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(at)); }
// s + the products of a and b, added in pairs (pmaddwd): exact, the values being small.
inline vec madd(vec s, vec a, vec b) { return _mm256_add_epi32(s, _mm256_madd_epi16(a, b)); }
inline std::int32_t hsum(vec v) {
    return hsum128(_mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1)));
}
#else
using vec = __m128i;
inline constexpr Eigen::Index width = 8;
inline vec zero() { return _mm_setzero_si128(); }
inline vec load(const std::int16_t* at) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(at)); }
inline vec madd(vec s, vec a, vec b) { return _mm_add_epi32(s, _mm_madd_epi16(a, b)); }
inline std::int32_t hsum(vec v) { return hsum128(v); }
#endif

// See detail::gram_lower. Column i against four columns at a time (one load of column i
// serves four products), then the rest one by one.
inline void gram_lower(const std::int16_t* a, Eigen::Index k, Eigen::Index ld, Eigen::Index n, std::int32_t* out) {
    for (Eigen::Index i = 0; i < k; ++i) {
        const std::int16_t* ai = a + i * ld;
        Eigen::Index j = 0;
        for (; j + 4 <= i + 1; j += 4) {
            const std::int16_t* aj = a + j * ld;
            vec s0 = zero(), s1 = s0, s2 = s0, s3 = s0;
            for (Eigen::Index r = 0; r < n; r += width) {
                const vec x = load(ai + r);
                s0 = madd(s0, x, load(aj + r));
                s1 = madd(s1, x, load(aj + ld + r));
                s2 = madd(s2, x, load(aj + 2 * ld + r));
                s3 = madd(s3, x, load(aj + 3 * ld + r));
            }
            out[i * k + j] = hsum(s0);
            out[i * k + j + 1] = hsum(s1);
            out[i * k + j + 2] = hsum(s2);
            out[i * k + j + 3] = hsum(s3);
        }
        for (; j <= i; ++j) {
            const std::int16_t* aj = a + j * ld;
            vec s = zero();
            for (Eigen::Index r = 0; r < n; r += width) s = madd(s, load(ai + r), load(aj + r));
            out[i * k + j] = hsum(s);
        }
    }
}
