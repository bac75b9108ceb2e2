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
#include "bowlby/detail/scoring_plan.hpp"
#include "bowlby/error.hpp"
#include "bowlby/instruments.hpp"
#include "bowlby/key.hpp"

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace bowlby {

/// How a score of one respondent came about.
enum class score_status : std::uint8_t {
    complete,     ///< every item answered
    prorated,     ///< some items unanswered, enough to score (mean of the answered ones)
    insufficient  ///< too few items answered: the score is missing (NaN)
};

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

/// Scores rows [0, X.rows()) of X into rows [out_row, out_row + X.rows()) of `out`.
/// Walks the data in blocks of rows, item by item within a block, so that both row- and
/// column-major inputs are read with good locality, and never copies the input.
template <class Scalar, class Derived>
void score_rows(const scoring_plan& p, const Eigen::MatrixBase<Derived>& input, score_table<Scalar>& out,
                Eigen::Index out_row) {
    using T = typename Derived::Scalar;
    static_assert(std::is_arithmetic_v<T>, "item responses must be of a floating-point or integer type");
    // Lazy expressions are read coefficient by coefficient; products and the like are
    // evaluated once (Eigen's own rule for nested expressions).
    const typename Eigen::internal::nested_eval<Derived, 1>::type X = input.derived();
    if (X.cols() != p.n_items)
        throw shape_error("expected " + std::to_string(p.n_items) + " item columns, got " + std::to_string(X.cols()));

    constexpr Eigen::Index block = 128;
    const auto n_sub = static_cast<Eigen::Index>(p.n_subscales);
    std::vector<double> sums(static_cast<std::size_t>(n_sub * block));
    std::vector<int> counts(static_cast<std::size_t>(n_sub * block));
    std::vector<double> item_values(static_cast<std::size_t>(p.n_item_slots * block));
    const double reflect = p.scale.min + p.scale.max;
    const Scalar nan = std::numeric_limits<Scalar>::quiet_NaN();

    for (Eigen::Index r0 = 0; r0 < X.rows(); r0 += block) {
        const Eigen::Index nb = std::min(block, X.rows() - r0);
        std::fill(sums.begin(), sums.end(), 0.0);
        std::fill(counts.begin(), counts.end(), 0);
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
                        if (p.on_invalid == invalid_policy::error)
                            throw_invalid(p, r0 + r, j, static_cast<double>(raw), c);
                        ++out.invalid_cells;
                    }
                    continue;
                }
                const auto x = static_cast<double>(raw);
                for (int m = m0; m < m1; ++m) {
                    const auto mu = static_cast<std::size_t>(m);
                    const auto at = static_cast<std::size_t>(p.member_sub[mu] * block + r);
                    sums[at] += p.member_rev[mu] ? reflect - x : x;
                    ++counts[at];
                }
                if (slot >= 0) item_values[static_cast<std::size_t>(slot * block + r)] = x;
            }
        }
        for (Eigen::Index r = 0; r < nb; ++r) {
            const Eigen::Index row = out_row + r0 + r;
            for (Eigen::Index s = 0; s < n_sub; ++s) {
                const auto su = static_cast<std::size_t>(s);
                const auto at = static_cast<std::size_t>(s * block + r);
                const int n = counts[at];
                out.answered(row, s) = n;
                score_status st = score_status::complete;
                if (n < p.sub_need[su]) {
                    st = score_status::insufficient;
                    out.values(row, s) = nan;
                } else {
                    if (n < p.sub_size[su]) st = score_status::prorated;
                    const double mean = sums[at] / n;
                    out.values(row, s) = static_cast<Scalar>(p.sub_is_sum[su] ? mean * p.sub_size[su] : mean);
                }
                out.status_codes(row, s) = static_cast<std::uint8_t>(st);
            }
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
    }
}

template <class Scalar>
score_table<Scalar> make_table(const key_view& key, Eigen::Index rows) {
    score_table<Scalar> t;
    for (std::size_t s = 0; s < key.n_scores(); ++s) t.names.emplace_back(key.score_name(s));
    const auto cols = static_cast<Eigen::Index>(key.n_scores());
    t.values.resize(rows, cols);
    t.answered.resize(rows, cols);
    t.status_codes.resize(rows, cols);
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
        detail::score_rows(plan_, answers, t, 0);
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
            detail::score_rows(plan_, answers, t, 0);
        else
            detail::score_rows(plan_, answers.transpose(), t, 0);
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
    detail::score_rows(plan, answers, t, 0);
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
        detail::score_rows(plan_, chunk, table_, 0);
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
