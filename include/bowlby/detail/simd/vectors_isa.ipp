// bowlby: scoring of adult-attachment questionnaires. MIT licence, see LICENSE.
//
// Vectors of doubles (dv) and of bytes (bv) for one instruction set: included by
// bowlby/detail/score/row_kernel.hpp inside a namespace of its own, once with SSE2
// (BOWLBY_SIMD_WIDE 0: 2 doubles or 16 bytes per vector) and, where the compiler can target
// it, once with AVX2 (BOWLBY_SIMD_WIDE 1: 4 doubles or 32 bytes) inside a region compiled for
// AVX2. No include guard: it is meant to be included twice. No lambdas either: a lambda's
// body would not be compiled for the region's instruction set.

#if defined(BOWLBY_SIMD_SSE2)
// Vectors of doubles.
struct dv {
#if BOWLBY_SIMD_WIDE
    using v = __m256d;
    static constexpr int lanes = 4;
    static v load(const double* at) { return _mm256_loadu_pd(at); }
    static v load(const float* at) { return _mm256_cvtps_pd(_mm_loadu_ps(at)); }
    static v set1(double x) { return _mm256_set1_pd(x); }
    static v add(v a, v b) { return _mm256_add_pd(a, b); }
    static v sub(v a, v b) { return _mm256_sub_pd(a, b); }
    static v mul_add(v a, v b, v c) { return _mm256_fmadd_pd(a, b, c); }  // exact: whole numbers
    static v and_(v a, v b) { return _mm256_and_pd(a, b); }
    static v andnot(v a, v b) { return _mm256_andnot_pd(a, b); }
    static v ge(v a, v b) { return _mm256_cmp_pd(a, b, _CMP_GE_OQ); }
    static v le(v a, v b) { return _mm256_cmp_pd(a, b, _CMP_LE_OQ); }
    static v eq(v a, v b) { return _mm256_cmp_pd(a, b, _CMP_EQ_OQ); }
    // rule::is_whole in each lane: x - trunc(x) is exact and is 0 exactly for whole x (NaN for
    // NaN and infinities, which compares unequal).
    static v is_whole(v x) {
        return eq(sub(x, _mm256_round_pd(x, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC)), _mm256_setzero_pd());
    }
    static std::uint64_t mask(v a) { return static_cast<std::uint32_t>(_mm256_movemask_pd(a)); }
    static double hsum(v a) {
        const __m128d h = _mm_add_pd(_mm256_castpd256_pd128(a), _mm256_extractf128_pd(a, 1));
        return _mm_cvtsd_f64(_mm_add_sd(h, _mm_unpackhi_pd(h, h)));
    }
    static v mul(v a, v b) { return _mm256_mul_pd(a, b); }
    static v div(v a, v b) { return _mm256_div_pd(a, b); }
    // s / size correctly rounded without a division, for whole s (Markstein's theorem: with inv
    // the double nearest 1 / size and q within an ulp of the quotient, q + (s - q size) inv,
    // each step rounded once, is the double nearest s / size; the remainder is exact with an
    // FMA).
    static v quotient(v s, v size, v inv) {
        const v q = mul(s, inv);
        return _mm256_fmadd_pd(_mm256_fnmadd_pd(q, size, s), inv, q);
    }
    static v lt(v a, v b) { return _mm256_cmp_pd(a, b, _CMP_LT_OQ); }
    static v blend(v mask, v yes, v no) { return _mm256_blendv_pd(no, yes, mask); }
    static void store(double* at, v a) { _mm256_storeu_pd(at, a); }
    static void store(float* at, v a) { _mm_storeu_ps(at, _mm256_cvtpd_ps(a)); }
    // Four whole numbers below 128 as the bytes of an int.
    static int status_bytes(v st) {
        const __m128i s32 = _mm256_cvttpd_epi32(st);
        return _mm_cvtsi128_si32(_mm_packus_epi16(_mm_packs_epi32(s32, s32), s32));
    }
    // Whole numbers n and st (below 128) as ints and bytes.
    static void store_counts(int* n_at, std::uint8_t* st_at, v n, v st) {
        _mm_storeu_si128(reinterpret_cast<__m128i*>(n_at), _mm256_cvttpd_epi32(n));
        const int packed = status_bytes(st);
        std::memcpy(st_at, &packed, 4);
    }
    // store(), as non-temporal stores: `at` 16-byte aligned.
    static void stream(double* at, v a) {
        _mm_stream_pd(at, _mm256_castpd256_pd128(a));
        _mm_stream_pd(at + 2, _mm256_extractf128_pd(a, 1));
    }
#else
    using v = __m128d;
    static constexpr int lanes = 2;
    static v load(const double* at) { return _mm_loadu_pd(at); }
    // Two floats with an unaligned 8-byte load (a double load of them is misaligned).
    static v load(const float* at) {
        return _mm_cvtps_pd(_mm_castsi128_ps(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(at))));
    }
    static v set1(double x) { return _mm_set1_pd(x); }
    static v add(v a, v b) { return _mm_add_pd(a, b); }
    static v sub(v a, v b) { return _mm_sub_pd(a, b); }
    static v mul_add(v a, v b, v c) { return _mm_add_pd(_mm_mul_pd(a, b), c); }
    static v and_(v a, v b) { return _mm_and_pd(a, b); }
    static v andnot(v a, v b) { return _mm_andnot_pd(a, b); }
    static v ge(v a, v b) { return _mm_cmpge_pd(a, b); }
    static v le(v a, v b) { return _mm_cmple_pd(a, b); }
    static v eq(v a, v b) { return _mm_cmpeq_pd(a, b); }
    static std::uint64_t mask(v a) { return static_cast<std::uint32_t>(_mm_movemask_pd(a)); }
    // rule::is_whole in each lane. SSE2 has no rounding instruction: lanes below 2^31 in size
    // go through int32 and back, which truncates exactly, and x - trunc(x) is 0 exactly for
    // whole x; other lanes (NaN, infinities, huge values: never a questionnaire's answer) take
    // the scalar rule.
    static v is_whole(v x) {
        const v size = _mm_andnot_pd(_mm_set1_pd(-0.0), x);
        const v small = _mm_cmplt_pd(size, _mm_set1_pd(2147483648.0));
        const v trunc = _mm_cvtepi32_pd(_mm_cvttpd_epi32(x));
        const v whole = _mm_and_pd(small, _mm_cmpeq_pd(_mm_sub_pd(x, trunc), _mm_setzero_pd()));
        if (mask(small) == 3) return whole;
        alignas(16) double lane[2];
        _mm_store_pd(lane, x);
        return _mm_castsi128_pd(
            _mm_set_epi64x(rule::is_whole(lane[1]) ? -1LL : 0LL, rule::is_whole(lane[0]) ? -1LL : 0LL));
    }
    static double hsum(v a) { return _mm_cvtsd_f64(_mm_add_sd(a, _mm_unpackhi_pd(a, a))); }
    static v mul(v a, v b) { return _mm_mul_pd(a, b); }
    static v div(v a, v b) { return _mm_div_pd(a, b); }
    static v lt(v a, v b) { return _mm_cmplt_pd(a, b); }
    static v blend(v mask, v yes, v no) { return _mm_or_pd(_mm_and_pd(mask, yes), _mm_andnot_pd(mask, no)); }
    static void store(double* at, v a) { _mm_storeu_pd(at, a); }
    static void store(float* at, v a) {
        _mm_storel_epi64(reinterpret_cast<__m128i*>(at), _mm_castps_si128(_mm_cvtpd_ps(a)));
    }
    // Whole numbers n and st (below 128) as ints and bytes.
    static void store_counts(int* n_at, std::uint8_t* st_at, v n, v st) {
        _mm_storel_epi64(reinterpret_cast<__m128i*>(n_at), _mm_cvttpd_epi32(n));
        const __m128i s32 = _mm_cvttpd_epi32(st);
        const int packed = _mm_cvtsi128_si32(_mm_packus_epi16(_mm_packs_epi32(s32, s32), s32));
        std::memcpy(st_at, &packed, 2);
    }
#endif
};

// Vectors of bytes.
struct bv {
#if BOWLBY_SIMD_WIDE
    using v = __m256i;
    static constexpr int lanes = 32;
    static v load(const std::uint8_t* at) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(at)); }
    static v set1(int x) { return _mm256_set1_epi8(static_cast<char>(x)); }
    static v zero() { return _mm256_setzero_si256(); }
    static v sub(v a, v b) { return _mm256_sub_epi8(a, b); }
    static v max(v a, v b) { return _mm256_max_epu8(a, b); }
    static v eq(v a, v b) { return _mm256_cmpeq_epi8(a, b); }
    static v and_(v a, v b) { return _mm256_and_si256(a, b); }
    static v xor_(v a, v b) { return _mm256_xor_si256(a, b); }
    static std::uint64_t mask(v a) { return static_cast<std::uint32_t>(_mm256_movemask_epi8(a)); }
    // acc + the sums of a's bytes, in 64-bit lanes.
    static v add_sad(v acc, v a) { return _mm256_add_epi64(acc, _mm256_sad_epu8(a, _mm256_setzero_si256())); }
    static std::int64_t hsum(v a) {
        const __m128i h = _mm_add_epi64(_mm256_castsi256_si128(a), _mm256_extracti128_si256(a, 1));
        return _mm_cvtsi128_si64(_mm_add_epi64(h, _mm_unpackhi_epi64(h, h)));
    }
#else
    using v = __m128i;
    static constexpr int lanes = 16;
    static v load(const std::uint8_t* at) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(at)); }
    static v set1(int x) { return _mm_set1_epi8(static_cast<char>(x)); }
    static v zero() { return _mm_setzero_si128(); }
    static v sub(v a, v b) { return _mm_sub_epi8(a, b); }
    static v max(v a, v b) { return _mm_max_epu8(a, b); }
    static v eq(v a, v b) { return _mm_cmpeq_epi8(a, b); }
    static v and_(v a, v b) { return _mm_and_si128(a, b); }
    static v xor_(v a, v b) { return _mm_xor_si128(a, b); }
    static std::uint64_t mask(v a) { return static_cast<std::uint32_t>(_mm_movemask_epi8(a)); }
    static v add_sad(v acc, v a) { return _mm_add_epi64(acc, _mm_sad_epu8(a, _mm_setzero_si128())); }
    static std::int64_t hsum(v a) {
        alignas(16) std::int64_t lane[2];
        _mm_store_si128(reinterpret_cast<__m128i*>(lane), a);
        return lane[0] + lane[1];
    }
#endif
};
// Whether a block's double scores go to memory with non-temporal stores: asked for (`stream`),
// and their address allows it. Counts and statuses always go through the cache, which measured
// faster than streaming them too (docs/performance.md).
template <class Scalar>
inline bool streamable(bool stream, const Scalar* value) {
    return stream && std::is_same_v<Scalar, double> && reinterpret_cast<std::uintptr_t>(value) % 16 == 0;
}
#endif  // BOWLBY_SIMD_SSE2
