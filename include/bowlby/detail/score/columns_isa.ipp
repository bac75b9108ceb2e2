// bowlby: scoring of adult-attachment questionnaires. MIT licence, see LICENSE.
//
// Subscale scores of a block from its keyed sums and counts, for one instruction set (see
// vectors_isa.ipp for how it is included): vectorised forms of rule::subscale_value and
// rule::subscale_status; without SSE2, those functions row by row.

// Subscale scores from a block's sums and counts (status codes 0 complete, 1 prorated and 2
// insufficient, score_status's values): branch-free, so that the compiler vectorises it for
// this instruction set. With `stream` (a table too large to stay in cache) and AVX2, double
// scores go straight to memory (non-temporal stores), where their address allows, so that
// writing them does not first read their cache lines (see streamable); the caller ends with
// stream_fence().
template <class Scalar>
void subscale_column(const double* sum, const double* count, Eigen::Index nb, double need, double size, bool is_sum,
                     Scalar* value, int* answered, std::uint8_t* status, bool stream) {
    Eigen::Index r = 0;
#if defined(BOWLBY_SIMD_SSE2)
    const double times = is_sum ? size : 1.0;  // a sum subscale is the mean times the item count
    // dv::lanes rows at a time; the same operations, so the same values, as the loop below.
    const dv::v need_v = dv::set1(need), size_v = dv::set1(size), times_v = dv::set1(times), one = dv::set1(1.0);
    const dv::v nan_v = dv::set1(std::numeric_limits<double>::quiet_NaN()), two = dv::set1(2.0);
#if BOWLBY_SIMD_WIDE
    // Where every row of a vector answered all `size` items, the mean is dv::quotient.
    const dv::v inv = dv::set1(1.0 / size);
    const bool nt = streamable(stream, value);
#else
    (void)stream;
#endif
    for (; r + dv::lanes <= nb; r += dv::lanes) {
        const dv::v n = dv::load(count + r);
        const dv::v enough = dv::ge(n, need_v);
#if BOWLBY_SIMD_WIDE
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
#if BOWLBY_SIMD_WIDE
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
        value[r] = static_cast<Scalar>(rule::subscale_value(sum[r], count[r], need, size, is_sum));
        answered[r] = static_cast<int>(count[r]);
        status[r] = static_cast<std::uint8_t>(rule::subscale_status(count[r], need, size));
    }
}

// Subscale scores of a block whose rows all answered every one of the subscale's `size` items
// (need <= size): the values subscale_column gives such rows (the mean, correctly rounded,
// times `size` for a sum), with answered = size and status 0, without reading the counts.
template <class Scalar>
void complete_column(const double* sum, Eigen::Index nb, double size, bool is_sum, Scalar* value, int* answered,
                     std::uint8_t* status, bool stream) {
    const int n = static_cast<int>(size);
    Eigen::Index r = 0;
#if defined(BOWLBY_SIMD_WIDE) && BOWLBY_SIMD_WIDE
    const double times = is_sum ? size : 1.0;
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
        value[r] = static_cast<Scalar>(rule::subscale_value(sum[r], size, size, size, is_sum));
        answered[r] = n;
        status[r] = static_cast<std::uint8_t>(score_status::complete);
    }
}
