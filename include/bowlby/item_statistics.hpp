// bowlby: scoring of adult-attachment questionnaires. MIT licence, see LICENSE.
//
// Sufficient statistics of item responses in a mergeable accumulator: one streaming pass over
// the data (in chunks of any size, in any number of shards) gathers everything the
// reliability statistics need (bowlby/reliability.hpp), and accumulators built on separate
// shards merge into the accumulator of the whole.
//
//     bowlby::item_accumulator acc(5, /*shift=*/3.5);    // 5 items, values near 3.5
//     acc.add(chunk1);                                    // N1 x 5, NaN = missing
//     acc.add(chunk2);
//     Eigen::MatrixXd c = acc.covariance({0, 1, 2, 3, 4}, bowlby::missing_method::pairwise);
//
// Columns may be split into groups (the subscales of an instrument): per group the
// accumulator also keeps the person scores (the mean of the row's answered items in the
// group), their cross-products with the group's items, and the moments of the rows on which
// every item of the group is answered (for listwise deletion), so that the covariances
// between groups (scale intercorrelations) come from the same pass.
//
// What is kept, with x the answers minus `shift` (a value near the items' means, such as the
// scale's midpoint, which keeps the sums well conditioned):
// - for every pair of columns (i, j), over the rows where both are answered: the count, the
//   sums of x_i and x_j, of x_i^2 and x_j^2, and of x_i x_j;
// - per group, over the rows where the whole group is answered: count, sums, cross-products;
// - per group, the person score t (mean of the answered items; rows with none are skipped):
//   count, sum, sum of squares; and per item, over the rows where it is answered (and over the
//   group's complete rows): the sums of t, t^2 and x t.
// Rows complete on every column, the common case, are gathered into blocks and added with one
// matrix product per block; sums of each block are added into long double totals.
// Unweighted blocks of questionnaire answers are summed as exact integers
// (bowlby/detail/stats/halves.hpp), others in doubles (bowlby/detail/stats/doubles.hpp); the
// totals are declared once, in bowlby/detail/stats/totals.hpp.
#pragma once

#include "bowlby/detail/stats/doubles.hpp"
#include "bowlby/detail/stats/halves.hpp"
#include "bowlby/detail/stats/layout.hpp"
#include "bowlby/detail/stats/totals.hpp"
#include "bowlby/error.hpp"

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace bowlby {

/// How missing answers enter covariances: pairwise-complete (psych's default, R's
/// use = "pairwise") or listwise (only rows answered on every item of the scale).
enum class missing_method : std::uint8_t { pairwise, listwise };

/// Moments of a subset of rows of two variables (or one), shifted; see item_accumulator.
struct moments {
    double n = 0;
    double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;

    double mean_x(double shift) const { return sx / n + shift; }
    double var_x() const { return (sxx - sx * sx / n) / (n - 1); }
    double var_y() const { return (syy - sy * sy / n) / (n - 1); }
    double cov() const { return (sxy - sx * sy / n) / (n - 1); }
    double cor() const { return cov() / std::sqrt(var_x() * var_y()); }
};

class item_accumulator {
public:
    item_accumulator() = default;

    /// `items` columns; `shift` is subtracted from every answer before it is summed (use the
    /// scale's midpoint); `group[i]` (0-based, default all 0) assigns column i to a group.
    explicit item_accumulator(Eigen::Index items, double shift = 0, std::vector<int> group = {})
        : layout_(items, shift, std::move(group)) {
        t_.reset(layout_.k, layout_.n_groups);
    }

    Eigen::Index items() const noexcept { return layout_.k; }
    int groups() const noexcept { return layout_.n_groups; }
    double shift() const noexcept { return layout_.shift; }
    const std::vector<Eigen::Index>& group_columns(int g) const {
        return layout_.members.at(static_cast<std::size_t>(g));
    }
    /// Rows added (with their weights), answered or not.
    double rows() const noexcept { return static_cast<double>(t_.rows); }

    /// Adds the rows of an N x items matrix of answers (NaN = missing). Any dense Eigen
    /// expression with a floating-point element type.
    template <class Derived>
    void add(const Eigen::MatrixBase<Derived>& x) {
        add_rows(x, static_cast<const double*>(nullptr));
    }

    /// Adds rows with (non-negative) frequency weights: row r counts weights[r] times.
    template <class Derived>
    void add_weighted(const Eigen::MatrixBase<Derived>& x, const Eigen::VectorXd& weights) {
        if (weights.size() != x.rows()) throw shape_error("one weight per row is needed");
        if (!(weights.array() >= 0).all() || !weights.allFinite())
            throw option_error("frequency weights must be finite and not negative");
        add_rows(x, weights.data());
    }

    /// Adds n rows of halves, h = 2 (answer - shift) (detail::to_half), k per row.
    void add_halves(const std::int16_t* h, Eigen::Index n) { detail::add_halves_rows(layout_, t_, h, n); }

    /// Adds another accumulator's data (same shape, shift and groups).
    void merge(const item_accumulator& o) {
        if (o.layout_.k != layout_.k || o.layout_.shift != layout_.shift || o.layout_.group != layout_.group)
            throw option_error("only accumulators with the same columns, shift and groups can be merged");
        t_.merge(o.t_);
    }

    /// The accumulator as bytes: its shape, then every total, in a versioned format that is the
    /// same on every platform (to send a shard's statistics to another process, or store them).
    std::string to_bytes() const {
        std::string out(bytes_magic);
        detail::accumulator_totals::append_u64(out, bytes_version);
        detail::accumulator_totals::append_u64(out, static_cast<std::uint64_t>(layout_.k));
        detail::accumulator_totals::append_double(out, layout_.shift);
        for (int g : layout_.group) detail::accumulator_totals::append_u64(out, static_cast<std::uint64_t>(g));
        t_.write(out);
        return out;
    }

    /// The accumulator that to_bytes() wrote; throws bowlby::error for anything else.
    static item_accumulator from_bytes(std::string_view in) {
        using T = detail::accumulator_totals;
        if (in.substr(0, bytes_magic.size()) != bytes_magic)
            throw error("not the bytes of a bowlby item accumulator (they start differently)");
        std::size_t at = bytes_magic.size();
        const std::uint64_t version = T::read_u64(in, at);
        if (version != bytes_version)
            throw error("item accumulator bytes of format version " + std::to_string(version) + "; this bowlby reads " +
                        std::to_string(bytes_version));
        const std::uint64_t k = T::read_u64(in, at);
        if (k < 1 || k > (in.size() - at) / 8) throw error("item accumulator bytes with an impossible column count");
        const double shift = T::read_double(in, at);
        std::vector<int> group;
        for (std::uint64_t i = 0; i < k; ++i) {
            const std::uint64_t g = T::read_u64(in, at);
            if (g >= k) throw error("item accumulator bytes with a group number out of range");
            group.push_back(static_cast<int>(g));
        }
        item_accumulator acc(static_cast<Eigen::Index>(k), shift, std::move(group));
        acc.t_.read(in, at);
        if (at != in.size())
            throw error("item accumulator bytes have " + std::to_string(in.size() - at) + " bytes past the end");
        return acc;
    }

    // ---- queries ---------------------------------------------------------------------------

    /// Moments of columns i and j over the rows where both are answered (i == j: one column).
    moments pair(Eigen::Index i, Eigen::Index j) const {
        moments m;
        m.n = double(t_.cN + t_.pN(i, j));
        m.sx = double(t_.cS(i) + t_.pS(i, j));
        m.sy = double(t_.cS(j) + t_.pS(j, i));
        m.sxx = double(t_.cQ(i, i) + t_.pP(i, j));
        m.syy = double(t_.cQ(j, j) + t_.pP(j, i));
        m.sxy = double(t_.cQ(i, j) + t_.pQ(i, j));
        return m;
    }

    /// Moments of columns i and j (of group g) over the rows where all of g is answered; with
    /// g = -1, over the rows where every column is answered.
    moments group_complete_pair(int g, Eigen::Index i, Eigen::Index j) const {
        moments m;
        m.n = double(t_.cN);
        m.sx = double(t_.cS(i));
        m.sy = double(t_.cS(j));
        m.sxx = double(t_.cQ(i, i));
        m.syy = double(t_.cQ(j, j));
        m.sxy = double(t_.cQ(i, j));
        if (g >= 0) {
            m.n += double(t_.gN(g));
            m.sx += double(t_.gS(i));
            m.sy += double(t_.gS(j));
            m.sxx += double(t_.gQ(i, i));
            m.syy += double(t_.gQ(j, j));
            m.sxy += double(t_.gQ(i, j));
        }
        return m;
    }

    /// Number of rows answered on every item of group g.
    double group_complete_rows(int g) const { return double(t_.cN + t_.gN(check_group(g))); }

    /// Covariance matrix of the given columns. Pairwise: each entry over the rows where both
    /// columns are answered, centred on those rows' means (R's cov(use = "pairwise")).
    /// Listwise: over the rows where every column of group `g` is answered (all columns must
    /// belong to g; g = -1: every column of the accumulator). Entries with fewer than two rows
    /// are NaN.
    Eigen::MatrixXd covariance(const std::vector<Eigen::Index>& cols, missing_method method, int g = 0) const {
        const auto m = static_cast<Eigen::Index>(cols.size());
        Eigen::MatrixXd c(m, m);
        for (Eigen::Index a = 0; a < m; ++a)
            for (Eigen::Index b = 0; b <= a; ++b) {
                const auto i = cols[static_cast<std::size_t>(a)], j = cols[static_cast<std::size_t>(b)];
                const moments mo = method == missing_method::pairwise ? pair(i, j) : group_complete_pair(g, i, j);
                c(a, b) = c(b, a) = mo.n >= 2 ? mo.cov() : std::nan("");
            }
        return c;
    }

    /// Correlations with pair-specific variances (R's cor(use = "pairwise")); listwise as above.
    Eigen::MatrixXd correlation(const std::vector<Eigen::Index>& cols, missing_method method, int g = 0) const {
        const auto m = static_cast<Eigen::Index>(cols.size());
        Eigen::MatrixXd r(m, m);
        for (Eigen::Index a = 0; a < m; ++a)
            for (Eigen::Index b = 0; b <= a; ++b) {
                const auto i = cols[static_cast<std::size_t>(a)], j = cols[static_cast<std::size_t>(b)];
                const moments mo = method == missing_method::pairwise ? pair(i, j) : group_complete_pair(g, i, j);
                r(a, b) = r(b, a) = a == b ? 1.0 : (mo.n >= 2 ? mo.cor() : std::nan(""));
            }
        return r;
    }

    /// Person scores of group g (the mean of each row's answered items in g, rows with none
    /// skipped), as moments in x: n, sum, sum of squares.
    moments person_scores(int g) const {
        check_group(g);
        moments m;
        m.n = double(t_.tN(g));
        m.sx = double(t_.tS(g));
        m.sxx = double(t_.tQ(g));
        return m;
    }

    /// Item i against its group's person score: over the rows where i is answered
    /// (pairwise), or over the rows where its whole group is answered (listwise).
    moments item_total(Eigen::Index i, missing_method method) const {
        const int g = layout_.group[static_cast<std::size_t>(i)];
        moments m;
        if (method == missing_method::pairwise) {
            m = pair(i, i);
            m.sy = double(t_.ctS(g) + t_.itS(i));
            m.syy = double(t_.ctQ(g) + t_.itQ(i));
            m.sxy = double(t_.cxt(i) + t_.ixt(i));
        } else {
            m = group_complete_pair(g, i, i);
            m.sy = double(t_.ctS(g) + t_.gtS(g));
            m.syy = double(t_.ctQ(g) + t_.gtQ(g));
            m.sxy = double(t_.cxt(i) + t_.gxt(i));
        }
        return m;
    }

private:
    static constexpr std::string_view bytes_magic{"bowlby.item_accumulator\n"};
    static constexpr std::uint64_t bytes_version = 1;

    int check_group(int g) const {
        if (g < 0 || g >= layout_.n_groups) throw option_error("no group " + std::to_string(g));
        return g;
    }

    // Blocks of rows: those whose answers are all small halves (unweighted) by the integer
    // path, the others in doubles; both give the same counts, sums and cross-products.
    template <class Derived>
    void add_rows(const Eigen::MatrixBase<Derived>& input, const double* weights) {
        static_assert(std::is_floating_point_v<typename Derived::Scalar>,
                      "answers for the accumulator are floating point, NaN = missing");
        if (layout_.k == 0) throw option_error("the accumulator was default-constructed; give it a column count");
        const typename Eigen::internal::nested_eval<Derived, 1>::type x = input.derived();
        if (x.cols() != layout_.k)
            throw shape_error("expected " + std::to_string(layout_.k) + " item columns, got " +
                              std::to_string(x.cols()));
        const bool try_halves = weights == nullptr && layout_.k <= detail::integer_moments_max_items &&
                                detail::integer_moments().load(std::memory_order_relaxed);
        detail::half_scratch hs;
        detail::double_blocks doubles(layout_, t_, weights);
        for (Eigen::Index r0 = 0; r0 < x.rows(); r0 += detail::accumulator_block_rows) {
            const Eigen::Index nb = std::min(detail::accumulator_block_rows, x.rows() - r0);
            if (try_halves && detail::to_halves(layout_, x, r0, nb, hs))
                detail::half_block(layout_, t_, hs).add(hs.h.data(), nb);
            else
                doubles.add(x, r0, nb);
        }
    }

    detail::item_layout layout_;
    detail::accumulator_totals t_;
};

}  // namespace bowlby
