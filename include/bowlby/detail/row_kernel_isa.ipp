// bowlby: scoring of adult-attachment questionnaires. MIT licence, see LICENSE.
//
// The row kernel's body for one instruction set, included by row_kernel.hpp inside a namespace
// of its own: once with SSE2 (BOWLBY_ROW_WIDE 0: 2 doubles or 16 bytes per vector) and, where
// the compiler can target it and the processor has it, once with AVX2 (BOWLBY_ROW_WIDE 1: 4
// doubles or 32 bytes per vector) inside a region compiled for AVX2; without SSE2, only the
// subscale scores, in plain C++. No include guard: it is meant to be included twice. No lambdas either: a lambda's body
// would not be compiled for the region's instruction set.

#if defined(BOWLBY_ROW_KERNEL_SSE2)
// Vectors of doubles.
struct dv {
#if BOWLBY_ROW_WIDE
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
#if BOWLBY_ROW_WIDE
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

// After a row's vectors: ok holds a bit per item answered on the scale. True when every other
// item is missing (NaN or a missing code), so that the row is the kernel's to score.
template <class T>
inline bool rest_missing(const row_plan& rp, const T* row, std::uint64_t* ok) {
    for (int w = 0; w < rp.words; ++w) {
        const auto wu = static_cast<std::size_t>(w);
        for (std::uint64_t m = rp.item_bits[wu] & ~ok[w]; m != 0; m &= m - 1) {
            const auto x = static_cast<double>(row[64 * w + lowest_bit(m)]);
            if (!(x != x || x == rp.code[0] || x == rp.code[1])) return false;
        }
    }
    return true;
}

// Answered items of subscale s among those in `bits` (per subscale, rp.words words).
inline double answered_in(const row_plan& rp, const std::vector<std::uint64_t>& bits, int s, const std::uint64_t* ok) {
    int n = 0;
    for (int w = 0; w < rp.words; ++w) n += bit_count(ok[w] & bits[static_cast<std::size_t>(s * rp.words + w)]);
    return n;
}

// Summing one row, for N subscales (1 to 4: the sums live in registers, every subscale is
// added for every vector, with zero weights where it has no item), or for any count up to
// row_kernel_max_subscales (N = 0: only the subscales a vector feeds are added). Answers off
// the scale (missing or not) add nothing and leave their bit out of `ok`.
template <int N>
struct byte_rows {
    static constexpr int L = bv::lanes;
    static constexpr int max_sub = N > 0 ? N : static_cast<int>(row_kernel_max_subscales);
    const row_plan& rp;
    bv::v lo8, range8, refl8;
    explicit byte_rows(const row_plan& p)
        : rp(p),
          lo8(bv::set1(static_cast<int>(p.lo))),
          range8(bv::set1(static_cast<int>(p.hi - p.lo))),
          refl8(bv::set1(static_cast<int>(p.lo + p.hi) & 0xFF)) {}
    static constexpr bool offset = false;  // the sums are keyed already

    void sum(const std::uint8_t* row, int n_sub, std::uint64_t* ok, double* total) const {
        bv::v acc[static_cast<std::size_t>(max_sub)];
        for (int s = 0; s < n_sub; ++s) acc[s] = bv::zero();
        std::uint64_t bits = 0;  // the current word of `ok`
        for (int v = 0; v < rp.n_vec; ++v) {
            const auto vu = static_cast<std::size_t>(v);
            const bv::v x = bv::load(row + L * v);
            // x - lo, as unsigned bytes, is at most hi - lo exactly for answers on the scale.
            const bv::v on = bv::eq(bv::max(bv::sub(x, lo8), range8), range8);
            bits |= bv::mask(on) << ((L * v) & 63);
            if (((v + 1) * L & 63) == 0 || v + 1 == rp.n_vec) {
                ok[(L * v) >> 6] = bits;
                bits = 0;
            }
            // Reversed answers are (min + max) - x, which lies on the scale again; answers off
            // the scale become 0 either way.
            const bv::v xa = bv::and_(x, on);
            const bv::v flip = bv::and_(bv::xor_(x, bv::sub(refl8, x)), on);
            if constexpr (N > 0) {
                for (int s = 0; s < N; ++s) {
                    const std::size_t at = (vu * N + static_cast<std::size_t>(s)) * L;
                    const bv::v keyed = bv::and_(bv::xor_(xa, bv::and_(flip, bv::load(rp.dense_reversed.data() + at))),
                                                 bv::load(rp.dense_member.data() + at));
                    acc[s] = bv::add_sad(acc[s], keyed);
                }
            } else {
                for (int k = rp.term_begin[vu]; k < rp.term_begin[vu + 1]; ++k) {
                    const std::size_t at = static_cast<std::size_t>(k) * L;
                    const bv::v keyed = bv::and_(bv::xor_(xa, bv::and_(flip, bv::load(rp.reversed.data() + at))),
                                                 bv::load(rp.member.data() + at));
                    const int s = rp.term_sub[static_cast<std::size_t>(k)];
                    acc[s] = bv::add_sad(acc[s], keyed);
                }
            }
        }
        for (int s = 0; s < n_sub; ++s) total[s] = static_cast<double>(bv::hsum(acc[s]));
    }
};

template <class T, int N>
struct real_rows {
    static constexpr int L = dv::lanes;
    static constexpr int max_sub = N > 0 ? N : static_cast<int>(row_kernel_max_subscales);
    const row_plan& rp;
    // (x + 1.5 * 2^52) - 1.5 * 2^52 rounds x to a whole number when |x| < 2^51, which the
    // range check guarantees for the answers that count.
    dv::v lo, hi, round;
    explicit real_rows(const row_plan& p)
        : rp(p), lo(dv::set1(p.lo)), hi(dv::set1(p.hi)), round(dv::set1(6755399441055744.0)) {}
    static constexpr bool offset = true;  // the sums lack (min + max) per reversed answer

    void sum(const T* row, int n_sub, std::uint64_t* ok, double* total) const {
        dv::v acc[static_cast<std::size_t>(max_sub)];
        for (int s = 0; s < n_sub; ++s) acc[s] = dv::set1(0.0);
        std::uint64_t bits = 0;
        for (int v = 0; v < rp.n_vec; ++v) {
            const auto vu = static_cast<std::size_t>(v);
            // Lanes past the row's end hold whatever follows it: off the scale they add nothing
            // (below), on it they meet weights of 0; their bits are not the row's.
            const dv::v x = dv::load(row + L * v);
            const dv::v whole = dv::eq(dv::sub(dv::add(x, round), round), x);
            const dv::v on = dv::and_(dv::and_(dv::ge(x, lo), dv::le(x, hi)), whole);
            bits |= dv::mask(on) << ((L * v) & 63);
            if (((v + 1) * L & 63) == 0 || v + 1 == rp.n_vec) {
                ok[(L * v) >> 6] = bits;
                bits = 0;
            }
            const dv::v xa = dv::and_(on, x);  // NaN and answers off the scale add nothing
            if constexpr (N > 0) {
                for (int s = 0; s < N; ++s)
                    acc[s] = dv::mul_add(
                        xa, dv::load(rp.dense_sign.data() + (vu * N + static_cast<std::size_t>(s)) * L), acc[s]);
            } else {
                for (int k = rp.term_begin[vu]; k < rp.term_begin[vu + 1]; ++k) {
                    const int s = rp.term_sub[static_cast<std::size_t>(k)];
                    acc[s] = dv::mul_add(xa, dv::load(rp.sign.data() + static_cast<std::size_t>(k) * L), acc[s]);
                }
            }
        }
        for (int s = 0; s < n_sub; ++s) total[s] = dv::hsum(acc[s]);
    }
};

// One row: after its pass, its bits say whether it was complete and, if not, whether the
// answers off the scale were all missing, and count the answered items. True for a complete
// row (every item answered on the scale).
template <class T, int N, class Rows>
inline bool one_row(const Rows& summer, const row_plan& rp, const T* row, double* sums, double* counts,
                    Eigen::Index block, Eigen::Index r, unsigned char* clean) {
    const int n_sub = N > 0 ? N : rp.n_sub;
    const int words = rp.words;
    std::uint64_t ok[row_kernel_max_words];
    double total[Rows::max_sub];
    summer.sum(row, n_sub, ok, total);
    bool complete = true;
    for (int w = 0; w < words; ++w) {
        ok[w] &= rp.item_bits[static_cast<std::size_t>(w)];
        complete = complete && ok[w] == rp.item_bits[static_cast<std::size_t>(w)];
    }
    if (complete) {
        for (int s = 0; s < n_sub; ++s) {
            const auto su = static_cast<std::size_t>(s);
            sums[s * block + r] = Rows::offset ? total[s] + rp.offset[su] : total[s];
            counts[s * block + r] = rp.sub_size[su];
        }
        clean[r] = 1;
        return true;
    }
    // Some answer is off the scale: the row is the kernel's when each such answer is missing.
    if (!rest_missing(rp, row, ok)) {
        clean[r] = 0;
        return false;
    }
    for (int s = 0; s < n_sub; ++s) {
        const double reversed = Rows::offset ? answered_in(rp, rp.rev_bits, s, ok) * (rp.lo + rp.hi) : 0.0;
        sums[s * block + r] = total[s] + reversed;
        counts[s * block + r] = answered_in(rp, rp.member_bits, s, ok);
    }
    clean[r] = 1;
    return false;
}

#if BOWLBY_ROW_WIDE
// Eight rows of bytes at once, for N subscales (1 to 4), written as complete rows; returns a
// bit per row that is not complete (an answer off the scale, missing or not), whose outputs
// the caller redoes. y = x - min is on the scale exactly when y <= max - min (unsigned bytes),
// and subscale s's keyed sum is the sum of w * y plus keyed_base[s], with w = +1 for a kept
// item, -1 for a reversed one (max - y = (min + max) - x) and 0 elsewhere. maddubs multiplies
// y by w and adds lane pairs into 16-bit lanes: a row adds at most 16 vectors of pairs of
// 255, far below 2^15, so every sum is exact, the same whole number as the row-by-row pass.
template <int N, int NV>
inline unsigned complete_rows8(const row_plan& rp, const std::uint8_t* first, Eigen::Index stride, double* sums,
                               double* counts, Eigen::Index block, unsigned char* clean) {
    const int n_vec = NV > 0 ? NV : rp.n_vec;
    const __m256i lo8 = _mm256_set1_epi8(static_cast<char>(static_cast<int>(rp.lo))),
                  range8 = _mm256_set1_epi8(static_cast<char>(static_cast<int>(rp.hi - rp.lo))),
                  ones16 = _mm256_set1_epi16(1);
    const auto* weight = reinterpret_cast<const __m256i*>(rp.dense_weight.data());
    const auto* items = reinterpret_cast<const __m256i*>(rp.item_lanes.data());
    __m256i row_sum[static_cast<std::size_t>(N)][8];  // per subscale and row, eight 32-bit partial sums
    unsigned incomplete = 0;
    for (int r = 0; r < 8; ++r) {
        const std::uint8_t* row = first + r * stride;
        __m256i acc[static_cast<std::size_t>(N)];
        for (int s = 0; s < N; ++s) acc[s] = _mm256_setzero_si256();
        __m256i off = _mm256_setzero_si256();
        for (int v = 0; v < n_vec; ++v) {
            const __m256i y = _mm256_sub_epi8(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(row + 32 * v)), lo8);
            off = _mm256_or_si256(off, _mm256_and_si256(_mm256_subs_epu8(y, range8), _mm256_loadu_si256(items + v)));
            for (int s = 0; s < N; ++s)
                acc[s] = _mm256_add_epi16(acc[s], _mm256_maddubs_epi16(y, _mm256_loadu_si256(weight + v * N + s)));
        }
        incomplete |= static_cast<unsigned>(!_mm256_testz_si256(off, off)) << r;
        for (int s = 0; s < N; ++s) row_sum[s][r] = _mm256_madd_epi16(acc[s], ones16);
    }
    for (int s = 0; s < N; ++s) {
        // Eight rows' lanes summed at once: after three rounds of pairwise adds, 128-bit half h
        // of q holds rows 0-3 (q0123) or 4-7 (q4567), each over half h of its lanes.
        __m256i* t = row_sum[s];
        const __m256i q0123 = _mm256_hadd_epi32(_mm256_hadd_epi32(t[0], t[1]), _mm256_hadd_epi32(t[2], t[3]));
        const __m256i q4567 = _mm256_hadd_epi32(_mm256_hadd_epi32(t[4], t[5]), _mm256_hadd_epi32(t[6], t[7]));
        const __m256i total = _mm256_add_epi32(_mm256_add_epi32(_mm256_permute2x128_si256(q0123, q4567, 0x20),
                                                                _mm256_permute2x128_si256(q0123, q4567, 0x31)),
                                               _mm256_set1_epi32(rp.keyed_base[static_cast<std::size_t>(s)]));
        double* sum = sums + s * block;
        _mm256_storeu_pd(sum, _mm256_cvtepi32_pd(_mm256_castsi256_si128(total)));
        _mm256_storeu_pd(sum + 4, _mm256_cvtepi32_pd(_mm256_extracti128_si256(total, 1)));
        const __m256d size = _mm256_set1_pd(rp.sub_size[static_cast<std::size_t>(s)]);
        _mm256_storeu_pd(counts + s * block, size);
        _mm256_storeu_pd(counts + s * block + 4, size);
    }
    const std::uint64_t all = 0x0101010101010101ULL;
    std::memcpy(clean, &all, 8);
    return incomplete;
}

// The rows of eight read by packed_groups (its S vectors z) that hold an answer off the scale:
// a bit per byte off the scale, then per row whether any of its bits is set. Inlined, so that
// z stays in registers.
template <int S>
__attribute__((always_inline)) inline unsigned packed_incomplete(const __m256i* z, __m256i range8) {
    constexpr int stride = 4 * S;
    std::uint64_t off[5] = {0, 0, 0, 0, 0};  // 9 vectors of 32 bytes at most
    BOWLBY_UNROLL
    for (int v = 0; v < S; ++v) {
        const auto on = static_cast<std::uint32_t>(
            _mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_subs_epu8(z[v], range8), _mm256_setzero_si256())));
        off[v / 2] |= static_cast<std::uint64_t>(~on) << (32 * (v % 2));
    }
    constexpr std::uint64_t row_bits = (std::uint64_t{1} << stride) - 1;  // stride <= 36
    unsigned incomplete = 0;
    BOWLBY_UNROLL
    for (int r = 0; r < 8; ++r) {
        const int begin = r * stride, w = begin / 64, b = begin % 64;
        std::uint64_t bits = off[w] >> b;
        if (b + stride > 64) bits |= off[w + 1] << (64 - b);
        incomplete |= static_cast<unsigned>((bits & row_bits) != 0) << r;
    }
    return incomplete;
}

// Subscale s's eight keyed sums, from its eight sums of z (see packed_groups), and its counts.
inline void packed_store(__m256i part, __m256i base, __m256d size, double* sum, double* count) {
    const __m256i total = _mm256_add_epi32(part, base);
    _mm256_storeu_pd(sum, _mm256_cvtepi32_pd(_mm256_castsi256_si128(total)));
    _mm256_storeu_pd(sum + 4, _mm256_cvtepi32_pd(_mm256_extracti128_si256(total, 1)));
    _mm256_storeu_pd(count, size);
    _mm256_storeu_pd(count + 4, size);
}

// Whether a block's double scores go to memory with non-temporal stores: asked for (`stream`),
// and their address allows it. Counts and statuses always go through the cache: on a 2-core
// Intel Xeon VM (Emerald Rapids), streaming them as well made 1M rows of bytes 8.1 ms against
// 5.3 ms with the scores alone streamed (6.2 ms with nothing streamed), 10M rows 143 ms
// against 99 ms (101 ms); streaming the counts in a loop of their own did not help (7.1 ms).
template <class Scalar>
inline bool streamable(bool stream, const Scalar* value) {
    return stream && std::is_same_v<Scalar, double> && reinterpret_cast<std::uintptr_t>(value) % 16 == 0;
}

// Eight rows' packed sums of the bytes y (S vectors, and y[S] zero): lane r is row r's sum
// with weights 1 for its low subscale and 2^shift for the other (see packed_sums).
template <int S>
__attribute__((always_inline)) inline __m256i packed_reduce(const __m256i* y, const __m256i* w) {
    constexpr int stride = 4 * S;
    __m256i e[8];
    BOWLBY_UNROLL
    for (int r = 0; r < 8; ++r) {
        const int v = r * stride / 32;  // the first vector row r meets
        e[r] = _mm256_add_epi16(_mm256_maddubs_epi16(_mm256_loadu_si256(w + 2 * r), y[v]),
                                _mm256_maddubs_epi16(_mm256_loadu_si256(w + 2 * r + 1), y[v + 1]));
    }
    // After three rounds of pairwise adds, lane r of each 128-bit half holds row r's sum over
    // that half of its lanes.
    const __m256i h =
        _mm256_hadd_epi16(_mm256_hadd_epi16(_mm256_hadd_epi16(e[0], e[1]), _mm256_hadd_epi16(e[2], e[3])),
                          _mm256_hadd_epi16(_mm256_hadd_epi16(e[4], e[5]), _mm256_hadd_epi16(e[6], e[7])));
    return _mm256_cvtepu16_epi32(_mm_add_epi16(_mm256_castsi256_si128(h), _mm256_extracti128_si256(h, 1)));
}

// The sums of eight rows of bytes that lie back to back, 4 * S bytes apart (S <= 9) and every
// byte an item, for 1 or 2 subscales with the packed plan (see add_packed_rows): eight rows are
// S vectors. z = (x ^ packed_xor) + packed_add, modulo 256, is the keyed answer minus min (x -
// min for a kept item, max - x for a reversed one), and lies on the scale exactly when z <= max
// - min (for a kept item and a reversed one alike): the group is complete when the largest z
// of each lane is. Row r's sums are one maddubs for each of the two vectors it meets, with
// weights 1 for its low subscale, 2^shift for the other and 0 for the bytes of the rows beside
// it; the eight rows' 16-bit lanes are then summed in one tree of hadds. The lanes stay exact:
// each holds a partial sum of nonnegative products below 2^16, and each maddubs pair is at most
// 2 * 128 * 127 < 2^15. Returns lane r = row r's packed sum, low + high * 2^shift, of z; *redo
// gets a bit per row with an answer off the scale (whose lane is then meaningless). Inlined,
// so that the plan's vectors stay in registers across the caller's loop.
template <int S>
__attribute__((always_inline)) inline __m256i packed_sums(const std::uint8_t* at, const __m256i* flip,
                                                          const __m256i* shift, const __m256i* w, __m256i range8,
                                                          unsigned* redo) {
    __m256i z[static_cast<std::size_t>(S) + 1];
    __m256i top = _mm256_setzero_si256();  // the largest z of each lane
    BOWLBY_UNROLL
    for (int v = 0; v < S; ++v) {
        const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(at + 32 * v));
        z[v] = _mm256_add_epi8(_mm256_xor_si256(x, _mm256_loadu_si256(flip + v)), _mm256_loadu_si256(shift + v));
        top = _mm256_max_epu8(top, z[v]);
    }
    z[S] = _mm256_setzero_si256();  // the second vector of a row that ends its first (weights 0)
    const __m256i off = _mm256_subs_epu8(top, range8);
    *redo = _mm256_testz_si256(off, off) ? 0u : packed_incomplete<S>(z, range8);
    return packed_reduce<S>(z, w);
}

// Groups of eight rows of bytes that lie back to back (see packed_sums), for N subscales (1 or
// 2): the same outputs as complete_rows8, group by group; redo[g] gets a bit per row of group g
// with an answer off the scale.
template <int N, int S>
void packed_groups(const row_plan& rp, const std::uint8_t* first, Eigen::Index groups, double* sums, double* counts,
                   Eigen::Index block, unsigned char* clean, unsigned* redo) {
    constexpr int stride = 4 * S;
    const __m256i range8 = _mm256_set1_epi8(static_cast<char>(static_cast<int>(rp.hi - rp.lo)));
    const auto* flip = reinterpret_cast<const __m256i*>(rp.packed_xor.data());
    const auto* shift = reinterpret_cast<const __m256i*>(rp.packed_add.data());
    const auto* w = reinterpret_cast<const __m256i*>(rp.packed_weight.data());
    const int low = rp.packed_low;
    const __m256i low_mask = _mm256_set1_epi32((1 << rp.packed_shift) - 1);
    const __m128i high_shift = _mm_cvtsi32_si128(rp.packed_shift);
    __m256i base[2];
    __m256d size[2];
    for (int s = 0; s < N; ++s) {
        const double n = rp.sub_size[static_cast<std::size_t>(s)];
        base[s] = _mm256_set1_epi32(static_cast<int>(n * rp.lo));  // z is the keyed answer minus min
        size[s] = _mm256_set1_pd(n);
    }
    const std::uint64_t all = 0x0101010101010101ULL;
    for (Eigen::Index g = 0; g < groups; ++g) {
        const std::uint8_t* at = first + g * 8 * stride;
        prefetch_ahead(at, 8 * stride);
        const __m256i packed = packed_sums<S>(at, flip, shift, w, range8, redo + g);
        const Eigen::Index r0 = 8 * g;
        if constexpr (N == 1) {
            packed_store(packed, base[0], size[0], sums + r0, counts + r0);
        } else {
            const int high = 1 - low;
            packed_store(_mm256_and_si256(packed, low_mask), base[low], size[low], sums + low * block + r0,
                         counts + low * block + r0);
            packed_store(_mm256_srl_epi32(packed, high_shift), base[high], size[high], sums + high * block + r0,
                         counts + high * block + r0);
        }
        std::memcpy(clean + r0, &all, 8);
    }
}

// One subscale's constants for packed_write: its keyed sums are the sums of z plus `base`.
struct packed_column {
    __m256i base, n, need_n;
    __m256d size, inv, times, need, lo;
    double* value;
    int* answered;
    std::uint8_t* status;
};
inline packed_column packed_column_of(const row_plan& rp, const packed_out& out, int s) {
    const auto su = static_cast<std::size_t>(s);
    const double k = rp.sub_size[su];
    packed_column c;
    c.base = _mm256_set1_epi32(static_cast<int>(k * rp.lo));  // z is the keyed answer minus min
    c.n = _mm256_set1_epi32(static_cast<int>(k));
    c.need_n = _mm256_set1_epi32(static_cast<int>(out.need[su]));
    c.need = _mm256_set1_pd(out.need[su]);
    c.lo = _mm256_set1_pd(rp.lo);
    c.size = _mm256_set1_pd(k);
    c.inv = _mm256_set1_pd(1.0 / k);
    c.times = _mm256_set1_pd(out.is_sum[su] ? k : 1.0);
    c.value = out.value[su];
    c.answered = out.answered[su];
    c.status = out.status[su];
    return c;
}

// Rows r0 to r0 + 7 of one subscale's column: their scores (with non-temporal stores when NT)
// and their answered counts.
template <bool NT>
__attribute__((always_inline)) inline void packed_store_values(const packed_column& c, Eigen::Index r0, __m256d v0,
                                                               __m256d v1, __m256i answered) {
    if constexpr (NT) {
        _mm256_stream_pd(c.value + r0, v0);
        _mm256_stream_pd(c.value + r0 + 4, v1);
    } else {
        dv::store(c.value + r0, v0);
        dv::store(c.value + r0 + 4, v1);
    }
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(c.answered + r0), answered);
}

// Eight complete rows' scores of one subscale, rows r0 to r0 + 7, from their sums of z: what
// complete_column gives them (the mean correctly rounded, times the item count for a sum; all
// items answered, status 0), written straight into the table; the scores with non-temporal
// stores when NT.
template <bool NT>
__attribute__((always_inline)) inline void packed_write(__m256i part, const packed_column& c, Eigen::Index r0) {
    const __m256i total = _mm256_add_epi32(part, c.base);
    const __m256d s0 = _mm256_cvtepi32_pd(_mm256_castsi256_si128(total));
    const __m256d s1 = _mm256_cvtepi32_pd(_mm256_extracti128_si256(total, 1));
    const __m256d v0 = dv::mul(dv::quotient(s0, c.size, c.inv), c.times);
    const __m256d v1 = dv::mul(dv::quotient(s1, c.size, c.inv), c.times);
    packed_store_values<NT>(c, r0, v0, v1, c.n);
    const std::uint64_t zero = 0;
    std::memcpy(c.status + r0, &zero, 8);
}

// packed_sums for a group with answers off the scale: false where one of them is not a missing
// code (code0 or code1; its row is the general code's to score, with its error). Otherwise the
// sums of z over the answered items and their counts, packed in the same way (a count is at
// most the subscale's size, below 2^shift), and whether any answer is missing.
template <int S>
__attribute__((always_inline)) inline bool packed_partial(const std::uint8_t* at, const __m256i* flip,
                                                          const __m256i* shift, const __m256i* w, __m256i range8,
                                                          __m256i code0, __m256i code1, __m256i* sums, __m256i* counts,
                                                          bool* any_missing) {
    __m256i z[static_cast<std::size_t>(S) + 1], ones[static_cast<std::size_t>(S) + 1];
    __m256i bad = _mm256_setzero_si256(), off = _mm256_setzero_si256();
    const __m256i one8 = _mm256_set1_epi8(1);
    BOWLBY_UNROLL
    for (int v = 0; v < S; ++v) {
        const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(at + 32 * v));
        const __m256i y =
            _mm256_add_epi8(_mm256_xor_si256(x, _mm256_loadu_si256(flip + v)), _mm256_loadu_si256(shift + v));
        const __m256i on = _mm256_cmpeq_epi8(_mm256_subs_epu8(y, range8), _mm256_setzero_si256());
        const __m256i missing = _mm256_or_si256(_mm256_cmpeq_epi8(x, code0), _mm256_cmpeq_epi8(x, code1));
        bad = _mm256_or_si256(bad, _mm256_andnot_si256(_mm256_or_si256(on, missing), _mm256_set1_epi8(-1)));
        off = _mm256_or_si256(off, missing);
        z[v] = _mm256_and_si256(y, on);
        ones[v] = _mm256_and_si256(on, one8);
    }
    if (!_mm256_testz_si256(bad, bad)) return false;
    *any_missing = !_mm256_testz_si256(off, off);
    z[S] = ones[S] = _mm256_setzero_si256();
    *sums = packed_reduce<S>(z, w);
    *counts = packed_reduce<S>(ones, w);
    return true;
}

// Eight rows' scores of one subscale, rows r0 to r0 + 7, from their sums of z over the answered
// items (`part`) and the number answered (`answered`): what subscale_column gives them (the
// mean of the answered items, times the item count for a sum, where at least `need` are
// answered; status 0 with every item, 1 with fewer, 2 below `need`, and NaN), written straight
// into the table as packed_write writes.
template <bool NT>
__attribute__((always_inline)) inline void packed_write_partial(__m256i part, __m256i answered, const packed_column& c,
                                                                Eigen::Index r0) {
    const __m256d n0 = _mm256_cvtepi32_pd(_mm256_castsi256_si128(answered));
    const __m256d n1 = _mm256_cvtepi32_pd(_mm256_extracti128_si256(answered, 1));
    // The keyed sum: z is the keyed answer minus min, for each answered item.
    const __m256d s0 = dv::mul_add(n0, c.lo, _mm256_cvtepi32_pd(_mm256_castsi256_si128(part)));
    const __m256d s1 = dv::mul_add(n1, c.lo, _mm256_cvtepi32_pd(_mm256_extracti128_si256(part, 1)));
    const __m256d one = _mm256_set1_pd(1.0), nan = _mm256_set1_pd(std::numeric_limits<double>::quiet_NaN());
    const __m256d e0 = dv::ge(n0, c.need), e1 = dv::ge(n1, c.need);
    const __m256d v0 = dv::blend(e0, dv::mul(dv::div(s0, dv::blend(e0, n0, one)), c.times), nan);
    const __m256d v1 = dv::blend(e1, dv::mul(dv::div(s1, dv::blend(e1, n1, one)), c.times), nan);
    packed_store_values<NT>(c, r0, v0, v1, answered);
    // Status: 2 below need, else 1 below the item count, else 0; eight ints to eight bytes.
    const __m256i short_of_need = _mm256_cmpgt_epi32(c.need_n, answered);
    const __m256i short_of_all = _mm256_cmpgt_epi32(c.n, answered);
    const __m256i st =
        _mm256_blendv_epi8(_mm256_and_si256(short_of_all, _mm256_set1_epi32(1)), _mm256_set1_epi32(2), short_of_need);
    const __m256i st8 = _mm256_packus_epi16(_mm256_packus_epi32(st, st), _mm256_setzero_si256());
    const __m256i lanes = _mm256_permutevar8x32_epi32(st8, _mm256_setr_epi32(0, 4, 0, 0, 0, 0, 0, 0));
    _mm_storel_epi64(reinterpret_cast<__m128i*>(c.status + r0), _mm256_castsi256_si128(lanes));
}

// packed_groups with the scores written straight into the table (see packed_scores).
template <int N, int S, bool NT>
Eigen::Index packed_score_groups(const row_plan& rp, const std::uint8_t* first, Eigen::Index groups,
                                 const packed_out& out) {
    constexpr int stride = 4 * S;
    const __m256i range8 = _mm256_set1_epi8(static_cast<char>(static_cast<int>(rp.hi - rp.lo)));
    const auto* flip = reinterpret_cast<const __m256i*>(rp.packed_xor.data());
    const auto* shift = reinterpret_cast<const __m256i*>(rp.packed_add.data());
    const auto* w = reinterpret_cast<const __m256i*>(rp.packed_weight.data());
    const __m256i low_mask = _mm256_set1_epi32((1 << rp.packed_shift) - 1);
    const __m128i high_shift = _mm_cvtsi32_si128(rp.packed_shift);
    // The low subscale (the only one when N = 1) and the other.
    const packed_column low = packed_column_of(rp, out, rp.packed_low);
    const packed_column high = packed_column_of(rp, out, N == 2 ? 1 - rp.packed_low : rp.packed_low);
    // Groups with missing answers, where the plan has a missing code a byte can hold (the second
    // code repeats the first when there is one). Their counts fit below 2^shift as the sums do:
    // a scale has at least two points, so a subscale's largest sum is at least its item count.
    int codes[2] = {-1, -1};
    for (int c = 0; c < 2; ++c) {
        const double m = rp.code[c];
        if (m >= 0 && m <= 255 && m == std::floor(m)) codes[c] = static_cast<int>(m);
    }
    if (codes[1] < 0) codes[1] = codes[0];
    if (codes[0] < 0) codes[0] = codes[1];
    const bool partial = codes[0] >= 0;
    const __m256i code0 = _mm256_set1_epi8(static_cast<char>(codes[0])),
                  code1 = _mm256_set1_epi8(static_cast<char>(codes[1]));
    bool missing_before = false;
    Eigen::Index g = 0;
    for (; g < groups; ++g) {
        const std::uint8_t* at = first + g * 8 * stride;
        prefetch_ahead(at, 8 * stride);
        // After a group with missing answers, the next is taken for one too (packed_partial
        // scores complete rows as well), until a group has none.
        unsigned redo = 1;
        __m256i packed = _mm256_setzero_si256();
        if (!missing_before) packed = packed_sums<S>(at, flip, shift, w, range8, &redo);
        if (redo == 0) {
            if constexpr (N == 1) {
                packed_write<NT>(packed, low, 8 * g);
            } else {
                packed_write<NT>(_mm256_and_si256(packed, low_mask), low, 8 * g);
                packed_write<NT>(_mm256_srl_epi32(packed, high_shift), high, 8 * g);
            }
            continue;
        }
        __m256i sums, counts;
        if (!partial || !packed_partial<S>(at, flip, shift, w, range8, code0, code1, &sums, &counts, &missing_before))
            break;
        if constexpr (N == 1) {
            packed_write_partial<NT>(sums, counts, low, 8 * g);
        } else {
            packed_write_partial<NT>(_mm256_and_si256(sums, low_mask), _mm256_and_si256(counts, low_mask), low, 8 * g);
            packed_write_partial<NT>(_mm256_srl_epi32(sums, high_shift), _mm256_srl_epi32(counts, high_shift), high,
                                     8 * g);
        }
    }
    return g;
}

// packed_groups with the scores written straight into the table, for a run of groups while
// their answers are on the scale or missing: it stops at the first group with any other answer
// (an invalid one, for the general code to report or count), which it leaves unwritten, and
// returns the number of groups written. For every subscale need <= size, so a complete row is
// scored as complete_column scores it, and a row with missing answers as subscale_column does.
template <int N, int S>
Eigen::Index packed_scores(const row_plan& rp, const std::uint8_t* first, Eigen::Index groups, const packed_out& out) {
    // Scores go around the cache only where every column's first row starts a cache line (so
    // every group's eight scores fill one).
    bool nt = out.stream;
    for (int s = 0; s < N; ++s) nt = nt && reinterpret_cast<std::uintptr_t>(out.value[s]) % 64 == 0;
    return nt ? packed_score_groups<N, S, true>(rp, first, groups, out)
              : packed_score_groups<N, S, false>(rp, first, groups, out);
}
#endif

#if BOWLBY_ROW_WIDE
// packed_groups and packed_scores for rows of S = 1 to 9 vectors' quarters (4 to 36 bytes).
template <int N>
struct packed_fns {
    void (*groups)(const row_plan&, const std::uint8_t*, Eigen::Index, double*, double*, Eigen::Index, unsigned char*,
                   unsigned*);
    Eigen::Index (*scores)(const row_plan&, const std::uint8_t*, Eigen::Index, const packed_out&);
};
template <int N, int S>
inline packed_fns<N> packed_fns_of() {
    return {&packed_groups<N, S>, &packed_scores<N, S>};
}
template <int N>
inline packed_fns<N> packed_dispatch(int s) {
    switch (s) {
        case 1:
            return packed_fns_of<N, 1>();
        case 2:
            return packed_fns_of<N, 2>();
        case 3:
            return packed_fns_of<N, 3>();
        case 4:
            return packed_fns_of<N, 4>();
        case 5:
            return packed_fns_of<N, 5>();
        case 6:
            return packed_fns_of<N, 6>();
        case 7:
            return packed_fns_of<N, 7>();
        case 8:
            return packed_fns_of<N, 8>();
        default:
            return packed_fns_of<N, 9>();
    }
}
#endif

// The rows of a block, one pass each (bytes with 1 to 4 subscales on AVX2: eight complete
// rows at a time, the others one by one).
template <class T, int N>
bool row_sums_n(const row_plan& rp, const T* first, Eigen::Index stride, Eigen::Index nb, Eigen::Index vector_rows,
                double* sums, double* counts, Eigen::Index block, unsigned char* clean) {
    using rows = std::conditional_t<std::is_same_v<T, std::uint8_t>, byte_rows<N>, real_rows<T, N>>;
    const rows summer(rp);
    Eigen::Index r = 0;
    bool complete = true;
#if BOWLBY_ROW_WIDE
    if constexpr (std::is_same_v<T, std::uint8_t> && N > 0) {
        const Eigen::Index grouped = std::max<Eigen::Index>(0, std::min(nb, vector_rows)) / 8 * 8;
        // Rows of one or two vectors (up to 64 items) with the vector loop unrolled.
        auto* const group = rp.n_vec == 2   ? &complete_rows8<N, 2>
                            : rp.n_vec == 1 ? &complete_rows8<N, 1>
                                            : &complete_rows8<N, 0>;
        if constexpr (N <= 2) {
            if (rp.packed_stride != 0 && rp.packed_stride == stride && grouped > 0) {
                const auto groups = packed_dispatch<N>(rp.packed_vectors).groups;
                unsigned redo[16];
                for (; r < grouped; r += 128) {  // 16 groups at a time
                    const Eigen::Index n = std::min<Eigen::Index>(16, (grouped - r) / 8);
                    groups(rp, first + r * stride, n, sums + r, counts + r, block, clean + r, redo);
                    for (Eigen::Index g = 0; g < n; ++g) {
                        complete = complete && redo[g] == 0;
                        for (unsigned m = redo[g]; m != 0; m &= m - 1) {
                            const Eigen::Index q = r + 8 * g + lowest_bit(m);
                            one_row<T, N>(summer, rp, first + q * stride, sums, counts, block, q, clean);
                        }
                    }
                }
                r = grouped;
            }
        }
        for (; r < grouped; r += 8) {
            prefetch_ahead(first + r * stride, static_cast<std::size_t>(8 * stride));
            unsigned redo = group(rp, first + r * stride, stride, sums + r, counts + r, block, clean + r);
            complete = complete && redo == 0;
            for (; redo != 0; redo &= redo - 1) {
                const Eigen::Index q = r + lowest_bit(redo);
                one_row<T, N>(summer, rp, first + q * stride, sums, counts, block, q, clean);
            }
        }
    }
#endif
    for (; r < nb; ++r) {
        if (r >= vector_rows) {
            clean[r] = 0;
            complete = false;
            continue;
        }
        prefetch_ahead(first + r * stride, static_cast<std::size_t>(stride) * sizeof(T));
        complete = one_row<T, N>(summer, rp, first + r * stride, sums, counts, block, r, clean) && complete;
    }
    return complete;
}

template <class T>
bool row_sums(const row_plan& rp, const T* first, Eigen::Index stride, Eigen::Index nb, Eigen::Index vector_rows,
              double* sums, double* counts, Eigen::Index block, unsigned char* clean) {
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
}
#endif  // BOWLBY_ROW_KERNEL_SSE2

// Subscale scores from a block's sums and counts (status codes 0 complete, 1 prorated and 2
// insufficient, score_status's values): branch-free, so that the compiler vectorises it for
// this instruction set. With `stream` (a table too large to stay in cache) and AVX2, double
// scores go straight to memory (non-temporal stores), where their address allows, so that
// writing them does not first read their cache lines (see streamable); the caller ends with
// stream_fence().
template <class Scalar>
void subscale_column(const double* sum, const double* count, Eigen::Index nb, double need, double size, bool is_sum,
                     Scalar* value, int* answered, std::uint8_t* status, bool stream) {
    const double times = is_sum ? size : 1.0;  // a sum subscale is the mean times the item count
    const Scalar nan = std::numeric_limits<Scalar>::quiet_NaN();
    Eigen::Index r = 0;
#if defined(BOWLBY_ROW_KERNEL_SSE2)
    // dv::lanes rows at a time; the same operations, so the same values, as the loop below.
    const dv::v need_v = dv::set1(need), size_v = dv::set1(size), times_v = dv::set1(times), one = dv::set1(1.0);
    const dv::v nan_v = dv::set1(std::numeric_limits<double>::quiet_NaN()), two = dv::set1(2.0);
#if BOWLBY_ROW_WIDE
    // Where every row of a vector answered all `size` items, the mean is dv::quotient.
    const dv::v inv = dv::set1(1.0 / size);
    const bool nt = streamable(stream, value);
#else
    (void)stream;
#endif
    for (; r + dv::lanes <= nb; r += dv::lanes) {
        const dv::v n = dv::load(count + r);
        const dv::v enough = dv::ge(n, need_v);
#if BOWLBY_ROW_WIDE
        dv::v mean;
        const dv::v s = dv::load(sum + r);
        if (dv::mask(dv::eq(n, size_v)) == (1u << dv::lanes) - 1) {
            mean = dv::quotient(s, size_v, inv);
        } else {
            mean = dv::div(s, dv::blend(enough, n, one));
        }
#else
        const dv::v mean = dv::div(dv::load(sum + r), dv::blend(enough, n, one));
#endif
        const dv::v score = dv::blend(enough, dv::mul(mean, times_v), nan_v);
        // Status: 2 without enough answers, else 1 when fewer than all.
        const dv::v st = dv::blend(enough, dv::and_(dv::lt(n, size_v), one), two);
        dv::store_counts(answered + r, status + r, n, st);
#if BOWLBY_ROW_WIDE
        if constexpr (std::is_same_v<Scalar, double>) {  // float scores are stored as usual
            if (nt) {
                dv::stream(value + r, score);
                continue;
            }
        }
#endif
        dv::store(value + r, score);
    }
#else
    (void)stream;
#endif
    for (; r < nb; ++r) {
        const double n = count[r];
        const bool enough = n >= need;
        const double mean = sum[r] / (enough ? n : 1.0);  // the mean of the answered items
        value[r] = enough ? static_cast<Scalar>(mean * times) : nan;
        answered[r] = static_cast<int>(n);
        status[r] = static_cast<std::uint8_t>(!enough ? 2 : n < size ? 1 : 0);
    }
}

// Subscale scores of a block whose rows all answered every one of the subscale's `size` items
// (need <= size): the values subscale_column gives such rows (the mean, correctly rounded,
// times `size` for a sum), with answered = size and status 0, without reading the counts.
template <class Scalar>
void complete_column(const double* sum, Eigen::Index nb, double size, bool is_sum, Scalar* value, int* answered,
                     std::uint8_t* status, bool stream) {
    const double times = is_sum ? size : 1.0;
    const int n = static_cast<int>(size);
    Eigen::Index r = 0;
#if defined(BOWLBY_ROW_WIDE) && BOWLBY_ROW_WIDE
    const dv::v inv = dv::set1(1.0 / size), size_v = dv::set1(size), times_v = dv::set1(times);
    const __m128i n4 = _mm_set1_epi32(n);
    const bool nt = streamable(stream, value);
    for (; r + dv::lanes <= nb; r += dv::lanes) {
        const dv::v score = dv::mul(dv::quotient(dv::load(sum + r), size_v, inv), times_v);
        if constexpr (std::is_same_v<Scalar, double>) {
            if (nt)
                dv::stream(value + r, score);
            else
                dv::store(value + r, score);
        } else {
            dv::store(value + r, score);
        }
        _mm_storeu_si128(reinterpret_cast<__m128i*>(answered + r), n4);
        std::memset(status + r, 0, dv::lanes);
    }
#else
    (void)stream;
#endif
    for (; r < nb; ++r) {
        value[r] = static_cast<Scalar>(sum[r] / size * times);
        answered[r] = n;
        status[r] = 0;
    }
}
