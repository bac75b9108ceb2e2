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
// place, never copied). The rule (missing answers, reverse keying, proration, statuses) is
// bowlby/rule.hpp's; the table is bowlby/score_table.hpp's.
#pragma once

#include "bowlby/detail/score/plan.hpp"
#include "bowlby/detail/score/table.hpp"
#include "bowlby/detail/score/threads.hpp"
#include "bowlby/error.hpp"
#include "bowlby/instruments.hpp"
#include "bowlby/key.hpp"
#include "bowlby/rule.hpp"
#include "bowlby/score_table.hpp"

#include <Eigen/Core>

#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace bowlby {
namespace detail {

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
