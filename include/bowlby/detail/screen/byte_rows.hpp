// bowlby: scoring of adult-attachment questionnaires. MIT licence, see LICENSE.
//
// The one-pass screening of a row of bytes (at most 64 items, presented in key order) read 16
// answers at a time with SSE2: the same sums as code_pass adds up answer by answer, and the
// means of the reverse gaps' halves. The rule's verdict on each byte value is the screener's
// table; it is read here as the range of answers with its few holes (missing codes inside the
// range), which 16 bytes can be checked against at once.
#pragma once

#include "bowlby/detail/screen/indices.hpp"
#include "bowlby/detail/simd/isa.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

namespace bowlby {
namespace detail {
namespace screen {

class byte_rows {
public:
    /// `code`: each byte value's code (its answer + 1; 0: no answer), as the screener's table
    /// gives it. `sides`: lists of 0-based items whose answers are averaged (each reverse
    /// gap's forward items, then its reversed items).
    byte_rows(const std::vector<std::uint16_t>& code, std::size_t n_items, const std::vector<std::vector<int>>& sides)
        : n_(n_items), side_mask_(sides.size() * 64, 0), side_items_(sides.size(), 0) {
#if defined(BOWLBY_SIMD_SSE2)
        int lo = -1, hi = -1;
        for (int b = 0; b < 256; ++b)
            if (code[static_cast<std::size_t>(b)] != 0) {
                if (lo < 0) lo = b;
                hi = b;
            }
        if (lo < 0 || n_items == 0 || n_items > 64) return;
        for (int b = lo; b <= hi; ++b)
            if (code[static_cast<std::size_t>(b)] == 0) holes_.push_back(static_cast<std::uint8_t>(b));
        if (holes_.size() > 4) return;
        lo_ = static_cast<std::uint8_t>(lo);
        span_ = static_cast<std::uint8_t>(hi - lo);
        for (std::size_t s = 0; s < sides.size(); ++s)
            for (int i : sides[s]) {
                side_mask_[s * 64 + static_cast<std::size_t>(i)] = 0xFF;
                side_items_[s] |= std::uint64_t{1} << i;
            }
        usable_ = true;
#else
        (void)code;
        (void)sides;
        (void)lo_;
        (void)span_;
        (void)holes_;
#endif
    }

    /// Whether rows can be read here (SSE2, at most 64 items, answers a range with at most 4
    /// holes); if not, read() must not be called.
    bool usable() const { return usable_; }
    /// Bit p: item p exists.
    std::uint64_t items() const { return n_ == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << n_) - 1; }

    /// The row of n_items bytes at `row` into `pass` (answers, repeats, sum and squares; not
    /// `last`), and into side_means[s] the mean of side s's answers (NaN when none).
    void read(const std::uint8_t* row, code_pass& pass, double* side_means) const {
#if defined(BOWLBY_SIMD_SSE2)
        // The row at buf + 16, after a guard byte that no repeat is taken from, and zeros after
        // it: the row's own end may be the end of its allocation.
        alignas(16) std::uint8_t buf[16 + 64] = {};
        alignas(16) std::uint8_t answered[64];
        std::memcpy(buf + 16, row, n_);
        const __m128i zero = _mm_setzero_si128(), lo = _mm_set1_epi8(static_cast<char>(lo_)),
                      span = _mm_set1_epi8(static_cast<char>(span_));
        std::uint64_t answers = 0, repeats = 0;
        __m128i sums = zero, squares = zero;
        for (std::size_t k = 0; k < n_; k += 16) {
            const __m128i v = _mm_load_si128(reinterpret_cast<const __m128i*>(buf + 16 + k));
            const __m128i before = _mm_loadu_si128(reinterpret_cast<const __m128i*>(buf + 15 + k));
            const __m128i d = _mm_sub_epi8(v, lo);
            __m128i in = _mm_cmpeq_epi8(_mm_min_epu8(d, span), d);  // lo <= v <= hi, unsigned
            for (std::uint8_t h : holes_)
                in = _mm_andnot_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(static_cast<char>(h))), in);
            answers |= static_cast<std::uint64_t>(static_cast<unsigned>(_mm_movemask_epi8(in))) << k;
            // Equal to the answer before and an answer: then so is the one before.
            const __m128i same = _mm_and_si128(_mm_cmpeq_epi8(v, before), in);
            repeats |= static_cast<std::uint64_t>(static_cast<unsigned>(_mm_movemask_epi8(same))) << k;
            const __m128i x = _mm_and_si128(v, in);
            _mm_store_si128(reinterpret_cast<__m128i*>(answered + k), x);
            sums = _mm_add_epi64(sums, _mm_sad_epu8(x, zero));
            const __m128i low = _mm_unpacklo_epi8(x, zero), high = _mm_unpackhi_epi8(x, zero);
            squares = _mm_add_epi32(squares, _mm_add_epi32(_mm_madd_epi16(low, low), _mm_madd_epi16(high, high)));
        }
        answers &= items();
        repeats &= answers & ~std::uint64_t{1};
        pass.answers = answers;
        pass.repeats = repeats;
        pass.sum = static_cast<std::int64_t>(lane64(sums, 0) + lane64(sums, 1));
        alignas(16) std::uint32_t sq[4];
        _mm_store_si128(reinterpret_cast<__m128i*>(sq), squares);
        pass.squares = static_cast<std::int64_t>(sq[0]) + sq[1] + sq[2] + sq[3];
        for (std::size_t s = 0; s < side_items_.size(); ++s) {
            const std::uint64_t n = static_cast<std::uint64_t>(bit_count(answers & side_items_[s]));
            if (n == 0) {
                side_means[s] = undefined;
                continue;
            }
            __m128i t = zero;
            for (std::size_t k = 0; k < n_; k += 16) {
                const __m128i x = _mm_load_si128(reinterpret_cast<const __m128i*>(answered + k));
                const __m128i m = _mm_loadu_si128(reinterpret_cast<const __m128i*>(side_mask_.data() + s * 64 + k));
                t = _mm_add_epi64(t, _mm_sad_epu8(_mm_and_si128(x, m), zero));
            }
            side_means[s] = static_cast<double>(lane64(t, 0) + lane64(t, 1)) / static_cast<double>(n);
        }
#else
        (void)row;
        (void)pass;
        (void)side_means;
#endif
    }

private:
#if defined(BOWLBY_SIMD_SSE2)
    static std::uint64_t lane64(__m128i v, int lane) {
        alignas(16) std::uint64_t x[2];
        _mm_store_si128(reinterpret_cast<__m128i*>(x), v);
        return x[lane];
    }
#endif
    std::size_t n_;
    bool usable_ = false;
    std::uint8_t lo_ = 0, span_ = 0;
    std::vector<std::uint8_t> holes_;
    std::vector<std::uint8_t> side_mask_;  ///< 64 bytes per side: 0xFF at its items
    std::vector<std::uint64_t> side_items_;
};

}  // namespace screen
}  // namespace detail
}  // namespace bowlby
