// bowlby: scoring of adult-attachment questionnaires. MIT licence, see LICENSE.
//
// Scoring item responses into subscale and derived scores.
//
//     Eigen::MatrixXd answers = ...;                       // N respondents x 36 ECR items
//     auto t = bowlby::score(bowlby::instrument("ecr"), answers);
//     Eigen::VectorXd anxiety = t.column("anxiety");       // NaN where not scoreable
//
// Input is any Eigen dense expression, row- or column-major, with a floating-point or
// integer element type, including an Eigen::Map over the caller's own buffer (read in
// place, never copied). Missing answers are NaN (floating input) or one of
// score_options::missing_codes (any input). A subscale is the mean of its answered items
// (sum subscales: that mean times the item count) when at least min_answered of its items
// are answered, and missing otherwise; for every row and score the table also holds the
// number of answered items and a status: complete, prorated or insufficient.
#pragma once

#include "bowlby/detail/format.hpp"
#include "bowlby/detail/huge_pages.hpp"
#include "bowlby/detail/row_kernel.hpp"
#include "bowlby/detail/scoring_plan.hpp"
#include "bowlby/error.hpp"
#include "bowlby/instruments.hpp"
#include "bowlby/key.hpp"

#include <Eigen/Core>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <limits>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <vector>

namespace bowlby {

/// How a score of one respondent came about.
enum class score_status : std::uint8_t {
    complete,     ///< every item answered
    prorated,     ///< some items unanswered, enough to score (mean of the answered ones)
    insufficient  ///< too few items answered: the score is missing (NaN)
};
// detail::subscale_column writes these codes.
static_assert(static_cast<int>(score_status::prorated) == 1 && static_cast<int>(score_status::insufficient) == 2);

/// "complete", "prorated" or "insufficient".
constexpr const char* to_string(score_status s) noexcept {
    switch (s) {
        case score_status::complete:
            return "complete";
        case score_status::prorated:
            return "prorated";
        case score_status::insufficient:
            return "insufficient";
    }
    return "insufficient";
}

/// The scores of one respondent.
template <class Scalar = double>
struct respondent_scores {
    std::vector<std::string> names;
    Eigen::Matrix<Scalar, Eigen::Dynamic, 1> values;  ///< NaN where insufficient
    Eigen::VectorXi answered;
    std::vector<score_status> status;

    /// A score by name; throws bowlby::error for an unknown name.
    Scalar value(std::string_view name) const {
        for (std::size_t s = 0; s < names.size(); ++s)
            if (names[s] == name) return values(static_cast<Eigen::Index>(s));
        throw error("no score named '" + std::string(name) + "'");
    }
};

/// The scores of N respondents: one column per score (the key's subscales, then its derived
/// scores), one row per input row.
template <class Scalar = double>
struct score_table {
    static_assert(std::is_floating_point_v<Scalar>, "scores are floating point");
    using matrix_type = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;

    std::vector<std::string> names;  ///< score names, in column order
    matrix_type values;              ///< N x scores; NaN where the status is insufficient
    Eigen::MatrixXi answered;        ///< N x scores; answered items behind each score
    Eigen::Matrix<std::uint8_t, Eigen::Dynamic, Eigen::Dynamic> status_codes;  ///< score_status values
    std::size_t invalid_cells = 0;  ///< answers treated as missing under invalid_policy::missing

    Eigen::Index rows() const noexcept { return values.rows(); }
    score_status status(Eigen::Index row, Eigen::Index score) const {
        return static_cast<score_status>(status_codes(row, score));
    }
    /// Column index of a score; throws bowlby::error for an unknown name.
    Eigen::Index index_of(std::string_view name) const {
        for (std::size_t s = 0; s < names.size(); ++s)
            if (names[s] == name) return static_cast<Eigen::Index>(s);
        throw error("no score named '" + std::string(name) + "'");
    }
    /// The column of one score, by name.
    auto column(std::string_view name) const { return values.col(index_of(name)); }
    /// The scores of one row, with names.
    respondent_scores<Scalar> row_scores(Eigen::Index row) const;
};

template <class Scalar>
respondent_scores<Scalar> score_table<Scalar>::row_scores(Eigen::Index row) const {
    respondent_scores<Scalar> r;
    r.names = names;
    r.values = values.row(row).transpose();
    r.answered = answered.row(row).transpose();
    for (Eigen::Index s = 0; s < values.cols(); ++s) r.status.push_back(status(row, s));
    return r;
}

namespace detail {

enum class cell : unsigned char { answered, missing, infinite, out_of_range, fractional };

template <class T>
inline cell classify(const scoring_plan& p, T raw) {
    const auto x = static_cast<double>(raw);
    if constexpr (std::is_floating_point_v<T>) {
        if (std::isnan(raw)) return cell::missing;
    }
    for (double code : p.missing_codes)
        if (x == code) return cell::missing;
    if constexpr (std::is_floating_point_v<T>) {
        if (std::isinf(raw)) return cell::infinite;
    }
    if (!p.scale.contains(x)) return cell::out_of_range;
    if constexpr (std::is_floating_point_v<T>) {
        if (p.scale.integral && x != std::floor(x)) return cell::fractional;
    }
    return cell::answered;
}

[[noreturn]] inline void throw_invalid(const scoring_plan& p, Eigen::Index row, Eigen::Index item, double x, cell c) {
    const std::string scale = format_number(p.scale.min) + ".." + format_number(p.scale.max);
    std::string reason = c == cell::infinite ? "is infinite"
                         : c == cell::out_of_range
                             ? "is outside the response scale " + scale
                             : "is not a whole number (the response scale " + scale + " takes whole numbers)";
    throw invalid_response(static_cast<std::size_t>(row), static_cast<std::size_t>(item), x, format_number(x),
                           std::move(reason));
}

// One item of a block of rows, the fast kernel: reads the item's answers (`step` apart),
// writes the answered value (0 when not answered) and 1/0 for answered into xv/ok, and
// returns whether any answer is invalid (neither missing nor on the scale). Integer input is
// checked with integer arithmetic, which compilers vectorise; floating-point input with SSE2
// where the target has it (compilers do not vectorise floating-point comparisons unless
// told that they cannot trap), and with the same scalar code elsewhere.
template <class T>
inline bool load_item(const scoring_plan& p, const T* col, Eigen::Index step, Eigen::Index nb, double* xv, double* ok,
                      std::int32_t* iv, std::int32_t* iok) {
    const double lo = p.scale.min, hi = p.scale.max;
    if constexpr (std::is_integral_v<T> && sizeof(T) <= 4) {
        // Integers: the whole numbers in [lo, hi] (every integer is whole), codes that are whole
        // numbers within T's range (others can never match).
        const double lo_w = std::ceil(lo), hi_w = std::floor(hi);
        const double tmin = static_cast<double>(std::numeric_limits<T>::lowest());
        const double tmax = static_cast<double>(std::numeric_limits<T>::max());
        if (hi_w < lo_w || lo_w < -2147483648.0 || hi_w > 2147483647.0) return true;  // the general code decides
        const auto lo_i = static_cast<std::int64_t>(lo_w);
        const auto range = static_cast<std::uint32_t>(static_cast<std::int64_t>(hi_w) - lo_i);
        std::int64_t code[2] = {0, 0};
        std::int32_t has[2] = {0, 0};
        for (std::size_t c = 0; c < p.missing_codes.size() && c < 2; ++c) {
            const double m = p.missing_codes[c];
            if (m == std::floor(m) && m >= tmin && m <= tmax) {
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
        // Converted in a loop of its own: with the conversion in the loop above, compilers do
        // not vectorise it.
        for (Eigen::Index r = 0; r < nb; ++r) {
            xv[r] = static_cast<double>(iv[r]);
            ok[r] = static_cast<double>(iok[r]);
        }
        return bad != 0;
    } else {
        (void)iv;
        (void)iok;
        const double nan = std::numeric_limits<double>::quiet_NaN();
        const double c0 = p.missing_codes.size() > 0 ? p.missing_codes[0] : nan;
        const double c1 = p.missing_codes.size() > 1 ? p.missing_codes[1] : nan;
        const bool integral = p.scale.integral;
        Eigen::Index r = 0;
        bool bad = false;
#if defined(__SSE2__)
        if constexpr (std::is_floating_point_v<T>) {
            const __m128d vlo = _mm_set1_pd(lo), vhi = _mm_set1_pd(hi), vc0 = _mm_set1_pd(c0), vc1 = _mm_set1_pd(c1);
            const __m128d one = _mm_set1_pd(1.0);
            __m128d vbad = _mm_setzero_pd();
            for (; r + 2 <= nb; r += 2) {
                const __m128d x =
                    _mm_set_pd(static_cast<double>(col[(r + 1) * step]), static_cast<double>(col[r * step]));
                const __m128d miss =
                    _mm_or_pd(_mm_cmpunord_pd(x, x), _mm_or_pd(_mm_cmpeq_pd(x, vc0), _mm_cmpeq_pd(x, vc1)));
                __m128d answered = _mm_and_pd(_mm_cmpge_pd(x, vlo), _mm_cmple_pd(x, vhi));
                if (integral) {
                    const __m128d xc = _mm_or_pd(_mm_and_pd(answered, x), _mm_andnot_pd(answered, vlo));
                    answered = _mm_and_pd(answered, _mm_cmpeq_pd(_mm_cvtepi32_pd(_mm_cvttpd_epi32(xc)), xc));
                }
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
            bool answered = !miss && x >= lo && x <= hi;
            if (answered && integral) answered = static_cast<double>(static_cast<std::int64_t>(x)) == x;
            if (!answered && !miss) bad = true;
            xv[r] = answered ? x : 0.0;
            ok[r] = answered ? 1.0 : 0.0;
        }
        return bad;
    }
}

/// The row kernel's plan for rows of T `stride` elements apart (see make_row_plan and, for
/// bytes, add_packed_rows); not usable where the kernel does not apply.
template <class T>
row_plan row_plan_for(const scoring_plan& p, Eigen::Index stride) {
    row_plan rp = make_row_plan<T>(p);
    if constexpr (std::is_same_v<T, std::uint8_t>) add_packed_rows(rp, stride);
    return rp;
}

/// Whether score_rows writes the scores of `t` around the cache (see detail::streamable; the
/// counts and statuses go through it): tables larger than 8 MiB, which would only push the
/// answers out of it.
template <class Scalar>
bool written_around_cache(const score_table<Scalar>& t) {
    return static_cast<std::size_t>(t.values.size()) * (sizeof(Scalar) + sizeof(int) + 1) > (std::size_t{8} << 20);
}

/// Scores rows [0, X.rows()) of X into rows [out_row, out_row + X.rows()) of `out`, and
/// returns the number of answers treated as missing under invalid_policy::missing.
/// Walks the data in blocks of rows, item by item within a block, so that both row- and
/// column-major inputs are read with good locality, and never copies the input. Inputs with
/// direct memory access take a branch-free kernel that compilers vectorise over the rows of a
/// block; a block holding an invalid answer is redone by the general code, which reports it.
/// Either way a row's sum adds its items in item order, so both give the same scores.
/// `shared`: the row kernel's plan for X's element type and row stride (row_plan_for), made
/// once by a caller that scores many ranges of one matrix; without it, made here.
template <class Scalar, class Derived>
std::size_t score_rows(const scoring_plan& p, const Eigen::MatrixBase<Derived>& input, score_table<Scalar>& out,
                       Eigen::Index out_row, const row_plan* shared = nullptr) {
    using T = typename Derived::Scalar;
    static_assert(std::is_arithmetic_v<T>, "item responses must be of a floating-point or integer type");
    // Lazy expressions are read coefficient by coefficient; products and the like are
    // evaluated once (Eigen's own rule for nested expressions).
    const typename Eigen::internal::nested_eval<Derived, 1>::type X = input.derived();
    using X_type = std::decay_t<decltype(X)>;
    if (X.cols() != p.n_items)
        throw shape_error("expected " + std::to_string(p.n_items) + " item columns, got " + std::to_string(X.cols()));

    constexpr Eigen::Index block = 128;
    const auto n_sub = static_cast<Eigen::Index>(p.n_subscales);
    std::vector<double> sums(static_cast<std::size_t>(n_sub * block));
    std::vector<double> counts(static_cast<std::size_t>(n_sub * block));
    std::vector<double> item_values(static_cast<std::size_t>(p.n_item_slots * block));
    std::vector<double> xv(block), okv(block);
    std::vector<std::int32_t> iv(block), iok(block);
    const double reflect = p.scale.min + p.scale.max;
    const Scalar nan = std::numeric_limits<Scalar>::quiet_NaN();
    std::size_t invalid = 0;

    // Throws for the block's first invalid answer in row order (the block is read item by item).
    auto first_invalid = [&](Eigen::Index r0, Eigen::Index nb) {
        for (Eigen::Index r = 0; r < nb; ++r)
            for (Eigen::Index j = 0; j < p.n_items; ++j) {
                const T raw = X.coeff(r0 + r, j);
                const cell c = classify(p, raw);
                if (c != cell::answered && c != cell::missing)
                    throw_invalid(p, out_row + r0 + r, j, static_cast<double>(raw), c);
            }
    };
    // The general code: every answer classified, invalid ones reported or counted.
    auto general_block = [&](Eigen::Index r0, Eigen::Index nb) {
        std::fill(sums.begin(), sums.end(), 0.0);
        std::fill(counts.begin(), counts.end(), 0.0);
        std::fill(item_values.begin(), item_values.end(), std::numeric_limits<double>::quiet_NaN());
        for (Eigen::Index j = 0; j < p.n_items; ++j) {
            const auto ju = static_cast<std::size_t>(j);
            const int m0 = p.member_begin[ju];
            const int m1 = p.member_begin[ju + 1];
            const int slot = p.item_slot[ju];
            for (Eigen::Index r = 0; r < nb; ++r) {
                const T raw = X.coeff(r0 + r, j);
                const cell c = classify(p, raw);
                if (c != cell::answered) {
                    if (c != cell::missing) {
                        if (p.on_invalid == invalid_policy::error) first_invalid(r0, nb);
                        ++invalid;
                    }
                    continue;
                }
                const auto x = static_cast<double>(raw);
                for (int m = m0; m < m1; ++m) {
                    const auto mu = static_cast<std::size_t>(m);
                    const auto at = static_cast<std::size_t>(p.member_sub[mu] * block + r);
                    sums[at] += p.member_rev[mu] ? reflect - x : x;
                    counts[at] += 1.0;
                }
                if (slot >= 0) item_values[static_cast<std::size_t>(slot * block + r)] = x;
            }
        }
    };
    // The fast kernel; false when the block holds an invalid answer.
    auto fast_block = [&](Eigen::Index r0, Eigen::Index nb) -> bool {
        if constexpr (bool(X_type::Flags & Eigen::DirectAccessBit)) {
            std::fill(sums.begin(), sums.end(), 0.0);
            std::fill(counts.begin(), counts.end(), 0.0);
            const T* base = X.data() + r0 * X.rowStride();
            for (Eigen::Index j = 0; j < p.n_items; ++j) {
                const auto ju = static_cast<std::size_t>(j);
                if (load_item(p, base + j * X.colStride(), X.rowStride(), nb, xv.data(), okv.data(), iv.data(),
                              iok.data()))
                    return false;
                for (int m = p.member_begin[ju]; m < p.member_begin[ju + 1]; ++m) {
                    const auto mu = static_cast<std::size_t>(m);
                    double* sum = sums.data() + p.member_sub[mu] * block;
                    double* count = counts.data() + p.member_sub[mu] * block;
                    const double* x = xv.data();
                    const double* o = okv.data();
                    if (p.member_rev[mu]) {
                        for (Eigen::Index r = 0; r < nb; ++r) sum[r] += o[r] * reflect - x[r];
                    } else {
                        for (Eigen::Index r = 0; r < nb; ++r) sum[r] += x[r];
                    }
                    for (Eigen::Index r = 0; r < nb; ++r) count[r] += o[r];
                }
            }
            return true;
        } else {
            (void)r0;
            (void)nb;
            return false;
        }
    };

    // The row kernel, for rows contiguous in memory: rows it cannot vouch for (an answer off the
    // scale, or a row too near the matrix's end to read whole vectors) are redone one by one
    // with the general rules, in item order; a row with an invalid answer sends the whole block
    // to the general code, so errors and counts are those of the general code.
    // The shared plan only where this range takes the kernel (a range of fewer than 16 rows, say
    // the last one of a matrix, does not).
    row_plan own;
    const row_plan* plan_in_use = &own;
    Eigen::Index vector_rows = 0;
    std::vector<unsigned char> clean;
    if constexpr (bool(X_type::Flags & Eigen::DirectAccessBit) && row_kernel_type<T>) {
        if (p.fast_kernel && X.rows() >= 16 && X.colStride() == 1) {
            if (shared != nullptr)
                plan_in_use = shared;
            else
                own = row_plan_for<T>(p, X.rowStride());
            const row_plan& kp = *plan_in_use;
            const Eigen::Index rs = X.rowStride();
            const Eigen::Index last = (X.rows() - 1) * rs + p.n_items - Eigen::Index{kp.n_vec} * kp.lanes;
            if (kp.usable && rs > 0 && last >= 0) vector_rows = std::min(X.rows(), last / rs + 1);
            clean.resize(block);
        }
    }
    const row_plan& rp = *plan_in_use;
    // One row by the general rules; false when it holds an invalid answer.
    auto general_row = [&](Eigen::Index r0, Eigen::Index r) -> bool {
        for (Eigen::Index s = 0; s < n_sub; ++s) {
            sums[static_cast<std::size_t>(s * block + r)] = 0.0;
            counts[static_cast<std::size_t>(s * block + r)] = 0.0;
        }
        for (Eigen::Index j = 0; j < p.n_items; ++j) {
            const T raw = X.coeff(r0 + r, j);
            const cell c = classify(p, raw);
            if (c != cell::answered) {
                if (c != cell::missing) return false;
                continue;
            }
            const auto x = static_cast<double>(raw);
            const auto ju = static_cast<std::size_t>(j);
            for (int m = p.member_begin[ju]; m < p.member_begin[ju + 1]; ++m) {
                const auto mu = static_cast<std::size_t>(m);
                const auto at = static_cast<std::size_t>(p.member_sub[mu] * block + r);
                sums[at] += p.member_rev[mu] ? reflect - x : x;
                counts[at] += 1.0;
            }
        }
        return true;
    };
    bool complete_block = false;  // set by row_block: every row answered every item
    auto row_block = [&](Eigen::Index r0, Eigen::Index nb) -> bool {
        if constexpr (bool(X_type::Flags & Eigen::DirectAccessBit) && row_kernel_type<T>) {
            complete_block = row_sums(rp, X.data() + r0 * X.rowStride(), X.rowStride(), nb, vector_rows - r0,
                                      sums.data(), counts.data(), block, clean.data());
            if (complete_block) return true;
            for (Eigen::Index r = 0; r < nb; ++r)
                if (!clean[static_cast<std::size_t>(r)] && !general_row(r0, r)) return false;
            return true;
        } else {
            (void)r0;
            (void)nb;
            (void)general_row;
            return false;
        }
    };

    const bool stream = written_around_cache(out);
    // Rows [b0, b0 + bn) of a block: sums by the row kernel, the column kernel or the general
    // code, then the subscale scores.
    auto score_block = [&](Eigen::Index b0, Eigen::Index bn) {
        complete_block = false;
        if (rp.usable) {
            if (!row_block(b0, bn)) general_block(b0, bn);  // an invalid answer: reported in row order there
        } else if (!p.fast_kernel || !fast_block(b0, bn)) {
            general_block(b0, bn);
        }
        // Subscales: one column at a time, vectorised.
        for (Eigen::Index s = 0; s < n_sub; ++s) {
            const auto su = static_cast<std::size_t>(s);
            const Eigen::Index at = s * out.values.rows() + out_row + b0;
            if (complete_block && p.sub_need[su] <= p.sub_size[su]) {
                complete_scores(sums.data() + s * block, bn, static_cast<double>(p.sub_size[su]),
                                static_cast<bool>(p.sub_is_sum[su]), out.values.data() + at, out.answered.data() + at,
                                out.status_codes.data() + at, stream);
                continue;
            }
            subscale_scores(sums.data() + s * block, counts.data() + s * block, bn, static_cast<double>(p.sub_need[su]),
                            static_cast<double>(p.sub_size[su]), static_cast<bool>(p.sub_is_sum[su]),
                            out.values.data() + at, out.answered.data() + at, out.status_codes.data() + at, stream);
        }
    };
    // Bytes with the packed plan into a table of doubles: runs of groups of eight rows are
    // scored straight into the table (packed_score_rows), missing answers and all, the same
    // values as the path through a block's sums gives them; from the first group with an invalid
    // answer, a block of rows takes that path (and the general code, which reports or counts it).
    constexpr bool packable = bool(X_type::Flags & Eigen::DirectAccessBit) && std::is_same_v<T, std::uint8_t> &&
                              std::is_same_v<Scalar, double>;
    bool packed = false;
    packed_out po;
    if constexpr (packable) {
        packed = n_sub <= 2 && packed_scoring(rp, X.rowStride());
        for (std::size_t s = 0; packed && s < p.n_subscales; ++s) {
            packed = p.sub_need[s] <= p.sub_size[s];
            po.is_sum[s] = static_cast<bool>(p.sub_is_sum[s]);
            po.need[s] = static_cast<double>(p.sub_need[s]);
        }
        po.stream = stream;
    }
    // Derived scores of rows [b0, b0 + bn), from their subscale scores and, for terms that are
    // items, the item values of the block that starts at b0 (keys with such terms never take the
    // row kernel, so never the packed path).
    auto derive = [&](Eigen::Index b0, Eigen::Index bn) {
        for (Eigen::Index r = 0; r < bn; ++r) {
            const Eigen::Index row = out_row + b0 + r;
            for (std::size_t d = 0; d < p.derived.size(); ++d) {
                const auto col = n_sub + static_cast<Eigen::Index>(d);
                double value = 0;
                int answered = 0;
                score_status st = score_status::complete;
                for (const auto& t : p.derived[d]) {
                    double v;
                    if (t.is_item) {
                        v = item_values[static_cast<std::size_t>(t.index * block + r)];
                        if (std::isnan(v))
                            st = score_status::insufficient;
                        else
                            ++answered;
                    } else {
                        v = static_cast<double>(out.values(row, t.index));
                        answered += out.answered(row, t.index);
                        const auto ts = static_cast<score_status>(out.status_codes(row, t.index));
                        if (ts == score_status::insufficient)
                            st = score_status::insufficient;
                        else if (ts == score_status::prorated && st == score_status::complete)
                            st = score_status::prorated;
                    }
                    value += t.weight * v;
                }
                out.values(row, col) = st == score_status::insufficient ? nan : static_cast<Scalar>(value);
                out.answered(row, col) = answered;
                out.status_codes(row, col) = static_cast<std::uint8_t>(st);
            }
        }
    };
    Eigen::Index r0 = 0;
    if constexpr (packable) {
        // Streamed scores: the packed runs start where the first column's scores start a cache
        // line (runs and blocks are whole groups of eight rows, so they all do), the rows before
        // taking the path through the sums.
        if (packed && stream) {
            const auto off = reinterpret_cast<std::uintptr_t>(out.values.data() + out_row) % 64;
            const Eigen::Index lead = std::min<Eigen::Index>(X.rows(), static_cast<Eigen::Index>((64 - off) % 64 / 8));
            if (lead > 0) score_block(0, lead);
            if (lead > 0 && !p.derived.empty()) derive(0, lead);
            r0 = lead;
        }
    }
    while (r0 < X.rows()) {
        if constexpr (packable) {
            if (packed) {
                for (Eigen::Index s = 0; s < n_sub; ++s) {
                    const Eigen::Index at = s * out.values.rows() + out_row + r0;
                    const auto su = static_cast<std::size_t>(s);
                    po.value[su] = out.values.data() + at;
                    po.answered[su] = out.answered.data() + at;
                    po.status[su] = out.status_codes.data() + at;
                }
                const Eigen::Index groups = std::max<Eigen::Index>(0, std::min(X.rows(), vector_rows) - r0) / 8;
                const Eigen::Index done = packed_score_rows(rp, X.data() + r0 * X.rowStride(), groups, po);
                if (!p.derived.empty()) derive(r0, done);
                r0 += done;
                if (r0 == X.rows()) break;
            }
        }
        const Eigen::Index nb = std::min(block, X.rows() - r0);
        score_block(r0, nb);
        if (!p.derived.empty()) derive(r0, nb);
        r0 += nb;
    }
    if (stream) stream_fence();
    return invalid;
}

/// Scores all rows of `input` into `out` (sized already), on plan.threads threads, which take
/// ranges of rows in turn (so that a thread slowed down by other work on its core does not hold
/// up the rest). Adds the invalid answers counted to out.invalid_cells. When several ranges
/// hold an invalid answer (invalid_policy::error), the earliest range's error is thrown, as a
/// single thread would.
template <class Scalar, class Derived>
void score_all(const scoring_plan& p, const Eigen::MatrixBase<Derived>& input, score_table<Scalar>& out) {
    const typename Eigen::internal::nested_eval<Derived, 1>::type X = input.derived();
    unsigned threads = p.threads == 0 ? std::max(1u, std::thread::hardware_concurrency()) : p.threads;
    // Ranges of about equal size, 16,384 to 65,536 rows (whole blocks), at least eight a thread
    // where the rows allow: a range has a cost of its own (it starts new streams of reads and writes, and
    // scores the rows before its first cache line of scores apart), so fewer and longer ranges
    // do better while there are enough of them to share out. On a 2-core Intel Xeon VM, 1M x 36
    // bytes on two threads took 1.5-1.6 ms in ranges of 16,384 rows, 1.38 ms in 65,536.
    const Eigen::Index aim =
        std::clamp<Eigen::Index>(X.rows() / (8 * static_cast<Eigen::Index>(threads)), 16384, 65536);
    const Eigen::Index aimed_ranges = std::max<Eigen::Index>(1, (X.rows() + aim - 1) / aim);
    const Eigen::Index range_rows = std::max<Eigen::Index>(16384, (X.rows() / aimed_ranges + 127) / 128 * 128);
    threads = static_cast<unsigned>(
        std::max<Eigen::Index>(1, std::min<Eigen::Index>(static_cast<Eigen::Index>(threads), X.rows() / range_rows)));
    if (threads <= 1) {
        out.invalid_cells += score_rows(p, X, out, 0);
        return;
    }
    const Eigen::Index n_ranges = (X.rows() + range_rows - 1) / range_rows;
    // The row kernel's plan, made once for all ranges (they share the element type and stride).
    using T = typename Derived::Scalar;
    row_plan shared;
    const row_plan* rp = nullptr;
    if constexpr (bool(std::decay_t<decltype(X)>::Flags & Eigen::DirectAccessBit) && row_kernel_type<T>) {
        if (p.fast_kernel && X.colStride() == 1) {
            shared = row_plan_for<T>(p, X.rowStride());
            rp = &shared;
        }
    }
    std::vector<std::size_t> invalid(static_cast<std::size_t>(n_ranges), 0);
    std::vector<std::exception_ptr> failures(static_cast<std::size_t>(n_ranges));
    std::atomic<Eigen::Index> next{0}, first_failure{n_ranges};
    auto work = [&] {
        for (;;) {
            const Eigen::Index r = next.fetch_add(1, std::memory_order_relaxed);
            // Ranges after one that failed need not be scored: its error is thrown.
            if (r >= n_ranges || r > first_failure.load(std::memory_order_relaxed)) return;
            const Eigen::Index begin = r * range_rows, end = std::min(X.rows(), begin + range_rows);
            try {
                invalid[static_cast<std::size_t>(r)] = score_rows(p, X.middleRows(begin, end - begin), out, begin, rp);
            } catch (...) {
                failures[static_cast<std::size_t>(r)] = std::current_exception();
                Eigen::Index seen = first_failure.load(std::memory_order_relaxed);
                while (r < seen && !first_failure.compare_exchange_weak(seen, r, std::memory_order_relaxed)) {
                }
            }
        }
    };
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work);
    work();
    for (auto& th : pool) th.join();
    for (const auto& f : failures)
        if (f) std::rethrow_exception(f);
    for (std::size_t n : invalid) out.invalid_cells += n;
}

template <class Scalar>
score_table<Scalar> make_table(const key_view& key, Eigen::Index rows) {
    score_table<Scalar> t;
    for (std::size_t s = 0; s < key.n_scores(); ++s) t.names.emplace_back(key.score_name(s));
    const auto cols = static_cast<Eigen::Index>(key.n_scores());
    t.values.resize(rows, cols);
    t.answered.resize(rows, cols);
    t.status_codes.resize(rows, cols);
    // Not written yet: large tables get huge pages where the system has them.
    advise_huge_pages(t.values.data(), static_cast<std::size_t>(t.values.size()) * sizeof(Scalar));
    advise_huge_pages(t.answered.data(), static_cast<std::size_t>(t.answered.size()) * sizeof(int));
    advise_huge_pages(t.status_codes.data(), static_cast<std::size_t>(t.status_codes.size()));
    return t;
}

template <class Key, class = void>
struct is_static_key : std::false_type {};
template <class Key>
struct is_static_key<Key, std::void_t<decltype(Key::key)>> : std::true_type {};

}  // namespace detail

/// A scorer for one key, with its options fixed. `Key` is a built-in instrument tag
/// (`bowlby::instruments::ecr`, whose key is compile-time data, so item counts of fixed-size
/// inputs are checked at compile time) or `bowlby::questionnaire` (a key built at run time).
/// Both run the same scoring code. `Scalar` is the type of the scores (double or float).
///
///     bowlby::scorer<bowlby::instruments::ecr> ecr;          // the ECR on its own 1-7 scale
///     auto table = ecr.score(answers);                        // N x 36 -> N x 2
///     auto one = ecr.score_one(answers.row(0));               // one respondent
template <class Key, class Scalar = double>
class scorer {
public:
    static constexpr bool is_static = detail::is_static_key<Key>::value;
    /// Item count known at compile time (Eigen::Dynamic for a run-time key).
    static constexpr Eigen::Index items_at_compile_time = [] {
        if constexpr (detail::is_static_key<Key>::value)
            return static_cast<Eigen::Index>(Key::key.n_items);
        else
            return static_cast<Eigen::Index>(Eigen::Dynamic);
    }();

    /// For a built-in instrument tag.
    template <class K = Key, std::enable_if_t<detail::is_static_key<K>::value, int> = 0>
    explicit scorer(score_options options = {}) : key_(Key::key), plan_(detail::make_plan(key_, options)) {}

    /// For a run-time key; the scorer keeps its own copy of it.
    template <class K = Key, std::enable_if_t<!detail::is_static_key<K>::value, int> = 0>
    explicit scorer(Key key, score_options options = {})
        : owned_(std::move(key)), key_(owned_.view()), plan_(detail::make_plan(key_, options)) {}

    scorer(const scorer& other) : owned_(other.owned_), key_(relinked(other)), plan_(other.plan_) {}
    scorer(scorer&& other) : owned_(std::move(other.owned_)), key_(relinked(other)), plan_(std::move(other.plan_)) {}
    scorer& operator=(const scorer& other) {
        if (this != &other) *this = scorer(other);
        return *this;
    }
    scorer& operator=(scorer&& other) {
        owned_ = std::move(other.owned_);
        key_ = relinked(other);
        plan_ = std::move(other.plan_);
        return *this;
    }
    ~scorer() = default;

    const key_view& key() const noexcept { return key_; }

    /// Scores an N x items matrix (any dense Eigen expression, including a Map).
    template <class Derived>
    score_table<Scalar> score(const Eigen::MatrixBase<Derived>& answers) const {
        static_assert(Derived::ColsAtCompileTime == Eigen::Dynamic || items_at_compile_time == Eigen::Dynamic ||
                          Derived::ColsAtCompileTime == items_at_compile_time,
                      "the input's column count differs from the instrument's item count");
        score_table<Scalar> t = detail::make_table<Scalar>(key_, answers.rows());
        detail::score_all(plan_, answers, t);
        return t;
    }

    /// Scores one respondent's answers, a row or column vector of length items.
    template <class Derived>
    respondent_scores<Scalar> score_one(const Eigen::MatrixBase<Derived>& answers) const {
        static_assert(Derived::RowsAtCompileTime == 1 || Derived::ColsAtCompileTime == 1 ||
                          Derived::RowsAtCompileTime == Eigen::Dynamic || Derived::ColsAtCompileTime == Eigen::Dynamic,
                      "score_one takes a vector; use score() for a matrix");
        static_assert(Derived::SizeAtCompileTime == Eigen::Dynamic || items_at_compile_time == Eigen::Dynamic ||
                          Derived::SizeAtCompileTime == items_at_compile_time,
                      "the answer vector's length differs from the instrument's item count");
        if (answers.rows() != 1 && answers.cols() != 1)
            throw shape_error("score_one takes a vector of answers, got a " + std::to_string(answers.rows()) + " x " +
                              std::to_string(answers.cols()) + " matrix");
        score_table<Scalar> t = detail::make_table<Scalar>(key_, 1);
        if (answers.rows() == 1)
            t.invalid_cells = detail::score_rows(plan_, answers, t, 0);
        else
            t.invalid_cells = detail::score_rows(plan_, answers.transpose(), t, 0);
        return t.row_scores(0);
    }

private:
    struct no_key {};
    // The key view of a copy: a run-time key's view points into this scorer's own copy.
    key_view relinked(const scorer& other) const {
        if constexpr (is_static)
            return other.key_;
        else
            return owned_.view_unchecked();  // checked when the first scorer was made
    }
    std::conditional_t<is_static, no_key, Key> owned_{};
    key_view key_;
    detail::scoring_plan plan_;
};

/// Scores an N x items matrix with any key (a built-in's, or questionnaire::view()).
template <class Scalar = double, class Derived>
score_table<Scalar> score(const key_view& key, const Eigen::MatrixBase<Derived>& answers,
                          const score_options& options = {}) {
    const detail::scoring_plan plan = detail::make_plan(key, options);
    score_table<Scalar> t = detail::make_table<Scalar>(key, answers.rows());
    detail::score_all(plan, answers, t);
    return t;
}

/// Scores an N x items matrix with the built-in instrument of this id ("ecr", "ecr-r", ...).
template <class Scalar = double, class Derived>
score_table<Scalar> score(std::string_view instrument_id, const Eigen::MatrixBase<Derived>& answers,
                          const score_options& options = {}) {
    return score<Scalar>(instrument(instrument_id), answers, options);
}

/// A streaming scorer for data that arrive in chunks (a CSV read piece by piece): the plan
/// is built once, each chunk is scored into a table of its own, and the invalid-cell count
/// runs over all chunks. Memory is that of one chunk. Like std::string_view, it refers to the
/// key it is given: a questionnaire's key must outlive it (built-in keys always do).
template <class Scalar = double>
class chunk_scorer {
public:
    chunk_scorer(const key_view& key, const score_options& options)
        : key_(key), plan_(detail::make_plan(key, options)) {}
    template <class Derived>
    const score_table<Scalar>& score(const Eigen::MatrixBase<Derived>& chunk) {
        if (table_.names.empty() || table_.rows() != chunk.rows())
            table_ = detail::make_table<Scalar>(key_, chunk.rows());
        table_.invalid_cells = 0;
        detail::score_all(plan_, chunk, table_);
        total_invalid_ += table_.invalid_cells;
        return table_;
    }
    std::size_t invalid_cells() const noexcept { return total_invalid_; }

private:
    key_view key_;
    detail::scoring_plan plan_;
    score_table<Scalar> table_;
    std::size_t total_invalid_ = 0;
};

}  // namespace bowlby
