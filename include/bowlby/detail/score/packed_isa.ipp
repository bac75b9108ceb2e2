// bowlby: scoring of adult-attachment questionnaires. MIT licence, see LICENSE.
//
// The packed byte kernel for AVX2 (see vectors_isa.ipp for how it is included): rows of 4 to
// 36 bytes that lie back to back, eight rows at a time, for one or two subscales, summed and
// scored straight into the score table.

#if defined(BOWLBY_SIMD_SSE2) && BOWLBY_SIMD_WIDE
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
        if (m >= 0 && m <= 255 && rule::is_whole(m)) codes[c] = static_cast<int>(m);
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

#if BOWLBY_SIMD_WIDE
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
