// bowlby: scoring of adult-attachment questionnaires. MIT licence, see LICENSE.
//
// Scoring a range of rows into a score table. The rows are walked in blocks of 128; a block's
// keyed sums and counts per subscale come from the fastest of three paths that applies, then
// become scores and statuses column by column:
//   - the row kernel (bowlby/detail/score/row_kernel.hpp), for rows contiguous in memory of
//     double, float or byte answers on a whole-number scale; rows of bytes laid back to back
//     for one or two subscales are scored eight at a time straight into the table (packed);
//   - the column kernel (column_kernel.hpp), for other inputs with direct memory access;
//   - the general code, answer by answer with rule::classify and rule::keyed, for everything
//     else, and for any block that holds an invalid answer (which it reports or counts, so that
//     errors and counts never depend on the path).
// Every path adds a row's keyed answers in item order, so all give the same scores.
#pragma once

#include "bowlby/detail/score/column_kernel.hpp"
#include "bowlby/detail/score/plan.hpp"
#include "bowlby/detail/score/row_kernel.hpp"
#include "bowlby/detail/score/table.hpp"
#include "bowlby/rule.hpp"
#include "bowlby/score_table.hpp"

#include <Eigen/Core>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

namespace bowlby::detail {

/// The row kernel's plan for rows of T `stride` elements apart (see make_row_plan and, for
/// bytes, add_packed_rows); not usable where the kernel does not apply.
template <class T>
row_plan row_plan_for(const scoring_plan& p, Eigen::Index stride) {
    row_plan rp = make_row_plan<T>(p);
    if constexpr (std::is_same_v<T, std::uint8_t>) add_packed_rows(rp, stride);
    return rp;
}

/// Scores the rows of X (an evaluated Eigen expression) into rows [out_row, ...) of a table.
template <class Scalar, class X>
class range_scorer {
    using T = typename X::Scalar;
    static constexpr Eigen::Index block = 128;
    static constexpr bool direct = bool(X::Flags & Eigen::DirectAccessBit);
    static constexpr bool row_kernel_input = direct && row_kernel_type<T>;
    // Bytes scored by the packed kernel into a table of doubles.
    static constexpr bool packable = direct && std::is_same_v<T, std::uint8_t> && std::is_same_v<Scalar, double>;

public:
    /// `shared`: the row kernel's plan for X's element type and row stride (row_plan_for), made
    /// once by a caller that scores many ranges of one matrix; without it, made here.
    range_scorer(const scoring_plan& p, const X& x, score_table<Scalar>& out, Eigen::Index out_row,
                 const row_plan* shared)
        : p_(p),
          x_(x),
          out_(out),
          out_row_(out_row),
          n_sub_(static_cast<Eigen::Index>(p.n_subscales)),
          reflect_(rule::reflection(p.scale)),
          sums_(static_cast<std::size_t>(n_sub_ * block)),
          counts_(static_cast<std::size_t>(n_sub_ * block)),
          item_values_(static_cast<std::size_t>(p.n_item_slots * block)),
          xv_(block),
          okv_(block),
          iv_(block),
          iok_(block),
          stream_(written_around_cache(out)) {
        set_up_row_kernel(shared);
        set_up_packed();
    }

    /// Scores every row; returns the answers treated as missing under invalid_policy::missing.
    std::size_t run() {
        Eigen::Index r0 = packed_ && stream_ ? lead_rows() : 0;
        while (r0 < x_.rows()) {
            if (packed_) {
                r0 += packed_run(r0);
                if (r0 == x_.rows()) break;
            }
            const Eigen::Index nb = std::min(block, x_.rows() - r0);
            score_block(r0, nb);
            r0 += nb;
        }
        if (stream_) stream_fence();
        return invalid_;
    }

private:
    double& sum_at(Eigen::Index s, Eigen::Index r) { return sums_[static_cast<std::size_t>(s * block + r)]; }
    double& count_at(Eigen::Index s, Eigen::Index r) { return counts_[static_cast<std::size_t>(s * block + r)]; }

    // The row kernel where it applies: the shared plan, or one of this range's own. A range of
    // fewer than 16 rows (the last of a matrix, say) never takes the kernel.
    void set_up_row_kernel(const row_plan* shared) {
        if constexpr (row_kernel_input) {
            if (!p_.fast_kernel || x_.rows() < 16 || x_.colStride() != 1) return;
            if (shared != nullptr)
                plan_ = shared;
            else
                plan_ = &(own_plan_ = row_plan_for<T>(p_, x_.rowStride()));
            // Rows below vector_rows_ may be read a whole vector at a time without reading past
            // the matrix's end.
            const Eigen::Index rs = x_.rowStride();
            const Eigen::Index last = (x_.rows() - 1) * rs + p_.n_items - Eigen::Index{plan_->n_vec} * plan_->lanes;
            if (plan_->usable && rs > 0 && last >= 0) vector_rows_ = std::min(x_.rows(), last / rs + 1);
            clean_.resize(block);
        } else {
            (void)shared;
        }
    }

    // Bytes with the packed plan, whose subscales all need at most their item count.
    void set_up_packed() {
        if constexpr (packable) {
            packed_ = n_sub_ <= 2 && packed_scoring(*plan_, x_.rowStride());
            for (std::size_t s = 0; packed_ && s < p_.n_subscales; ++s) {
                packed_ = p_.sub_need[s] <= p_.sub_size[s];
                po_.is_sum[s] = static_cast<bool>(p_.sub_is_sum[s]);
                po_.need[s] = static_cast<double>(p_.sub_need[s]);
            }
            po_.stream = stream_;
        }
    }

    // With streamed scores, packed runs start where the first column's scores start a cache
    // line (runs and blocks are whole groups of eight rows, so they all do); the rows before
    // take the path through a block's sums. Returns their number.
    Eigen::Index lead_rows() {
        const auto off = reinterpret_cast<std::uintptr_t>(out_.values.data() + out_row_) % 64;
        const Eigen::Index lead = std::min<Eigen::Index>(x_.rows(), static_cast<Eigen::Index>((64 - off) % 64 / 8));
        if (lead > 0) score_block(0, lead);
        return lead;
    }

    // Groups of eight rows from r0 scored straight into the table by the packed kernel, until
    // one holds an invalid answer (missing answers included); returns the rows scored.
    Eigen::Index packed_run(Eigen::Index r0) {
        if constexpr (packable) {
            for (Eigen::Index s = 0; s < n_sub_; ++s) {
                const Eigen::Index at = s * out_.values.rows() + out_row_ + r0;
                const auto su = static_cast<std::size_t>(s);
                po_.value[su] = out_.values.data() + at;
                po_.answered[su] = out_.answered.data() + at;
                po_.status[su] = out_.status_codes.data() + at;
            }
            const Eigen::Index groups = std::max<Eigen::Index>(0, std::min(x_.rows(), vector_rows_) - r0) / 8;
            const Eigen::Index done = packed_score_rows(*plan_, x_.data() + r0 * x_.rowStride(), groups, po_);
            if (!p_.derived.empty()) derive(r0, done);
            return done;
        } else {
            (void)r0;
            return 0;
        }
    }

    // Rows [b0, b0 + bn): keyed sums by the row kernel, the column kernel or the general code,
    // then the subscale and derived scores.
    void score_block(Eigen::Index b0, Eigen::Index bn) {
        complete_block_ = false;
        if (plan_->usable) {
            if (!row_block(b0, bn)) general_block(b0, bn);  // an invalid answer: reported in row order there
        } else if (!p_.fast_kernel || !column_block(b0, bn)) {
            general_block(b0, bn);
        }
        write_subscales(b0, bn);
        if (!p_.derived.empty()) derive(b0, bn);
    }

    // Subscale scores from the block's sums: one column at a time, vectorised.
    void write_subscales(Eigen::Index b0, Eigen::Index bn) {
        for (Eigen::Index s = 0; s < n_sub_; ++s) {
            const auto su = static_cast<std::size_t>(s);
            const Eigen::Index at = s * out_.values.rows() + out_row_ + b0;
            Scalar* value = out_.values.data() + at;
            int* answered = out_.answered.data() + at;
            std::uint8_t* status = out_.status_codes.data() + at;
            const auto size = static_cast<double>(p_.sub_size[su]);
            const bool is_sum = static_cast<bool>(p_.sub_is_sum[su]);
            if (complete_block_ && p_.sub_need[su] <= p_.sub_size[su])
                complete_scores(&sum_at(s, 0), bn, size, is_sum, value, answered, status, stream_);
            else
                subscale_scores(&sum_at(s, 0), &count_at(s, 0), bn, static_cast<double>(p_.sub_need[su]), size, is_sum,
                                value, answered, status, stream_);
        }
    }

    // The row kernel; false when the block holds an invalid answer. Rows it cannot vouch for (an
    // answer off the scale, or a row too near the matrix's end to read whole vectors) are redone
    // one by one by the general rules.
    bool row_block(Eigen::Index r0, Eigen::Index nb) {
        if constexpr (row_kernel_input) {
            complete_block_ = row_sums(*plan_, x_.data() + r0 * x_.rowStride(), x_.rowStride(), nb, vector_rows_ - r0,
                                       sums_.data(), counts_.data(), block, clean_.data());
            if (complete_block_) return true;
            for (Eigen::Index r = 0; r < nb; ++r)
                if (!clean_[static_cast<std::size_t>(r)] && !general_row(r0, r)) return false;
            return true;
        } else {
            (void)r0;
            (void)nb;
            return false;
        }
    }

    // One row by the general rules; false when it holds an invalid answer.
    bool general_row(Eigen::Index r0, Eigen::Index r) {
        for (Eigen::Index s = 0; s < n_sub_; ++s) sum_at(s, r) = count_at(s, r) = 0.0;
        for (Eigen::Index j = 0; j < p_.n_items; ++j) {
            const T raw = x_.coeff(r0 + r, j);
            const rule::cell c = rule::classify(raw, p_.scale, p_.missing_codes);
            if (c != rule::cell::answered) {
                if (c != rule::cell::missing) return false;
                continue;
            }
            add_answer(j, r, static_cast<double>(raw));
        }
        return true;
    }

    // Answer x of item j (on the scale) into the sums and counts of row r of the block.
    void add_answer(Eigen::Index j, Eigen::Index r, double x) {
        const auto ju = static_cast<std::size_t>(j);
        for (int m = p_.member_begin[ju]; m < p_.member_begin[ju + 1]; ++m) {
            const auto mu = static_cast<std::size_t>(m);
            sum_at(p_.member_sub[mu], r) += rule::keyed(x, p_.member_rev[mu] != 0, p_.scale);
            count_at(p_.member_sub[mu], r) += 1.0;
        }
    }

    // The general code: every answer classified, invalid ones reported or counted.
    void general_block(Eigen::Index r0, Eigen::Index nb) {
        std::fill(sums_.begin(), sums_.end(), 0.0);
        std::fill(counts_.begin(), counts_.end(), 0.0);
        std::fill(item_values_.begin(), item_values_.end(), std::numeric_limits<double>::quiet_NaN());
        for (Eigen::Index j = 0; j < p_.n_items; ++j) {
            const int slot = p_.item_slot[static_cast<std::size_t>(j)];
            for (Eigen::Index r = 0; r < nb; ++r) {
                const T raw = x_.coeff(r0 + r, j);
                const rule::cell c = rule::classify(raw, p_.scale, p_.missing_codes);
                if (c != rule::cell::answered) {
                    if (c != rule::cell::missing) {
                        if (p_.on_invalid == invalid_policy::error) throw_first_invalid(r0, nb);
                        ++invalid_;
                    }
                    continue;
                }
                add_answer(j, r, static_cast<double>(raw));
                if (slot >= 0) item_values_[static_cast<std::size_t>(slot * block + r)] = static_cast<double>(raw);
            }
        }
    }

    // Throws for the block's first invalid answer in row order (the block is read item by item).
    [[noreturn]] void throw_first_invalid(Eigen::Index r0, Eigen::Index nb) const {
        for (Eigen::Index r = 0; r < nb; ++r)
            for (Eigen::Index j = 0; j < p_.n_items; ++j) {
                const T raw = x_.coeff(r0 + r, j);
                const rule::cell c = rule::classify(raw, p_.scale, p_.missing_codes);
                if (c != rule::cell::answered && c != rule::cell::missing)
                    rule::throw_invalid(p_.scale, static_cast<std::size_t>(out_row_ + r0 + r),
                                        static_cast<std::size_t>(j), static_cast<double>(raw), c);
            }
        throw error("internal: an invalid answer in rows " + std::to_string(out_row_ + r0) + " and on was not found");
    }

    // The column kernel, item by item over the block's rows: a row's keyed sum is its answers
    // (0 when not answered) with (min + max) - x for a reversed item; false when the block
    // holds an invalid answer.
    bool column_block(Eigen::Index r0, Eigen::Index nb) {
        if constexpr (direct) {
            std::fill(sums_.begin(), sums_.end(), 0.0);
            std::fill(counts_.begin(), counts_.end(), 0.0);
            const T* base = x_.data() + r0 * x_.rowStride();
            for (Eigen::Index j = 0; j < p_.n_items; ++j) {
                if (load_item(p_, base + j * x_.colStride(), x_.rowStride(), nb, xv_.data(), okv_.data(), iv_.data(),
                              iok_.data()))
                    return false;
                const auto ju = static_cast<std::size_t>(j);
                for (int m = p_.member_begin[ju]; m < p_.member_begin[ju + 1]; ++m)
                    add_column(static_cast<std::size_t>(m), nb);
            }
            return true;
        } else {
            (void)r0;
            (void)nb;
            return false;
        }
    }

    // The loaded item (xv_, okv_) into the sums and counts of membership m.
    void add_column(std::size_t m, Eigen::Index nb) {
        double* sum = &sum_at(p_.member_sub[m], 0);
        double* count = &count_at(p_.member_sub[m], 0);
        const double* x = xv_.data();
        const double* o = okv_.data();
        if (p_.member_rev[m]) {
            for (Eigen::Index r = 0; r < nb; ++r) sum[r] += o[r] * reflect_ - x[r];
        } else {
            for (Eigen::Index r = 0; r < nb; ++r) sum[r] += x[r];
        }
        for (Eigen::Index r = 0; r < nb; ++r) count[r] += o[r];
    }

    // Derived scores of rows [b0, b0 + bn), from their subscale scores and, for terms that are
    // items, the item values of the block that starts at b0 (keys with such terms never take the
    // row kernel, so never the packed path).
    void derive(Eigen::Index b0, Eigen::Index bn) {
        for (Eigen::Index r = 0; r < bn; ++r)
            for (std::size_t d = 0; d < p_.derived.size(); ++d) derive_one(d, r, out_row_ + b0 + r);
    }

    void derive_one(std::size_t d, Eigen::Index r, Eigen::Index row) {
        double value = 0;
        int answered = 0;
        score_status st = score_status::complete;
        for (const auto& t : p_.derived[d]) {
            double v;
            if (t.is_item) {
                v = item_values_[static_cast<std::size_t>(t.index * block + r)];
                st = rule::combine(st, v != v ? score_status::insufficient : score_status::complete);
                answered += v != v ? 0 : 1;
            } else {
                v = static_cast<double>(out_.values(row, t.index));
                answered += out_.answered(row, t.index);
                st = rule::combine(st, static_cast<score_status>(out_.status_codes(row, t.index)));
            }
            value += t.weight * v;
        }
        const auto col = n_sub_ + static_cast<Eigen::Index>(d);
        out_.values(row, col) =
            st == score_status::insufficient ? std::numeric_limits<Scalar>::quiet_NaN() : static_cast<Scalar>(value);
        out_.answered(row, col) = answered;
        out_.status_codes(row, col) = static_cast<std::uint8_t>(st);
    }

    const scoring_plan& p_;
    const X& x_;
    score_table<Scalar>& out_;
    const Eigen::Index out_row_;
    const Eigen::Index n_sub_;
    const double reflect_;
    // A block's keyed sums and answered counts, per subscale (s * block + r), and the raw
    // answers of items that derived scores use (slot * block + r, NaN when not answered).
    std::vector<double> sums_, counts_, item_values_;
    // The column kernel's loaded item: values, answered flags, and their integer forms.
    std::vector<double> xv_, okv_;
    std::vector<std::int32_t> iv_, iok_;
    // The row kernel: its plan (not usable where it does not apply), the rows it may read whole
    // vectors of, and per row of a block whether it scored the row.
    row_plan own_plan_;
    const row_plan* plan_ = &own_plan_;
    Eigen::Index vector_rows_ = 0;
    std::vector<unsigned char> clean_;
    bool complete_block_ = false;  // the row kernel found every row of the block complete
    const bool stream_;            // scores written around the cache
    bool packed_ = false;
    packed_out po_;
    std::size_t invalid_ = 0;
};

/// Scores rows [0, X.rows()) of `input` into rows [out_row, out_row + X.rows()) of `out`, and
/// returns the number of answers treated as missing under invalid_policy::missing. Never
/// copies the input: lazy expressions are read coefficient by coefficient, and products and
/// the like are evaluated once (Eigen's own rule for nested expressions).
template <class Scalar, class Derived>
std::size_t score_rows(const scoring_plan& p, const Eigen::MatrixBase<Derived>& input, score_table<Scalar>& out,
                       Eigen::Index out_row, const row_plan* shared = nullptr) {
    static_assert(std::is_arithmetic_v<typename Derived::Scalar>,
                  "item responses must be of a floating-point or integer type");
    const typename Eigen::internal::nested_eval<Derived, 1>::type X = input.derived();
    if (X.cols() != p.n_items)
        throw shape_error("expected " + std::to_string(p.n_items) + " item columns, got " + std::to_string(X.cols()));
    using X_type = std::decay_t<decltype(X)>;
    return range_scorer<Scalar, X_type>(p, X, out, out_row, shared).run();
}

}  // namespace bowlby::detail
