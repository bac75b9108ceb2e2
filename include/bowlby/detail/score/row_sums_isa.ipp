// bowlby: scoring of adult-attachment questionnaires. MIT licence, see LICENSE.
//
// The row kernel's body for one instruction set (see vectors_isa.ipp for how it is included):
// one respondent's answers read as a handful of vectors, checked against the scale and summed
// into every subscale in one pass; on AVX2, eight complete rows of bytes at a time.

#if defined(BOWLBY_SIMD_SSE2)
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
          refl8(bv::set1(static_cast<int>(p.refl) & 0xFF)) {}
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
    dv::v lo, hi;
    explicit real_rows(const row_plan& p) : rp(p), lo(dv::set1(p.lo)), hi(dv::set1(p.hi)) {}
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
            const dv::v on = dv::and_(dv::and_(dv::ge(x, lo), dv::le(x, hi)), dv::is_whole(x));
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
        const double reversed = Rows::offset ? answered_in(rp, rp.rev_bits, s, ok) * rp.refl : 0.0;
        sums[s * block + r] = total[s] + reversed;
        counts[s * block + r] = answered_in(rp, rp.member_bits, s, ok);
    }
    clean[r] = 1;
    return false;
}

#if BOWLBY_SIMD_WIDE
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
#if BOWLBY_SIMD_WIDE
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
#endif  // BOWLBY_SIMD_SSE2
