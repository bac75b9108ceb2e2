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
// Questionnaire answers, shifted by the scale's midpoint, are whole multiples of 1/2: unweighted
// blocks of such answers are summed as integers (twice the shifted answer, in 16 bits; the
// cross-products exact in 32-bit lanes, bowlby/detail/integer_gram.hpp), which gives the same
// counts, sums and cross-products as doubles would, faster; person scores, being means, are
// sums of rounded quotients either way and agree to rounding.
#pragma once

#include "bowlby/detail/integer_gram.hpp"
#include "bowlby/error.hpp"

#include <Eigen/Core>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

namespace bowlby {

namespace detail {
// Whether blocks of small whole (or half) answers take the accumulator's integer path (on by
// default; the tests switch it off to check it against the path in doubles). Keys of more
// items than integer_moments_max_items always take the path in doubles.
inline std::atomic<bool>& integer_moments() {
    static std::atomic<bool> on{true};
    return on;
}
inline constexpr Eigen::Index integer_moments_max_items = 512;
}  // namespace detail

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

class instrument_accumulator;

class item_accumulator {
public:
    using ld_matrix = Eigen::Matrix<long double, Eigen::Dynamic, Eigen::Dynamic>;
    using ld_vector = Eigen::Matrix<long double, Eigen::Dynamic, 1>;

    item_accumulator() = default;

    /// `items` columns; `shift` is subtracted from every answer before it is summed (use the
    /// scale's midpoint); `group[i]` (0-based, default all 0) assigns column i to a group.
    explicit item_accumulator(Eigen::Index items, double shift = 0, std::vector<int> group = {})
        : k_(items), shift_(shift), group_(std::move(group)) {
        if (k_ < 1) throw option_error("an item accumulator needs at least one column");
        if (group_.empty()) group_.assign(static_cast<std::size_t>(k_), 0);
        if (static_cast<Eigen::Index>(group_.size()) != k_)
            throw option_error("the group list needs one entry per column");
        n_groups_ = 0;
        for (int g : group_) {
            if (g < 0 || static_cast<Eigen::Index>(g) >= k_)
                throw option_error("group numbers run from 0 to items - 1");
            n_groups_ = std::max(n_groups_, g + 1);
        }
        members_.assign(static_cast<std::size_t>(n_groups_), {});
        for (Eigen::Index i = 0; i < k_; ++i)
            members_[static_cast<std::size_t>(group_[static_cast<std::size_t>(i)])].push_back(i);
        for (const auto& m : members_)
            if (m.empty()) throw option_error("every group number from 0 to the largest needs at least one column");
        const auto kk = k_;
        pN_ = pS_ = pP_ = pQ_ = ld_matrix::Zero(kk, kk);
        cS_ = ld_vector::Zero(kk);
        cQ_ = ld_matrix::Zero(kk, kk);
        ctS_ = ctQ_ = ld_vector::Zero(n_groups_);
        cxt_ = ld_vector::Zero(kk);
        gN_ = ld_vector::Zero(n_groups_);
        gS_ = ld_vector::Zero(kk);
        gQ_ = ld_matrix::Zero(kk, kk);
        gtS_ = gtQ_ = ld_vector::Zero(n_groups_);
        gxt_ = ld_vector::Zero(kk);
        tN_ = tS_ = tQ_ = ld_vector::Zero(n_groups_);
        itS_ = itQ_ = ixt_ = ld_vector::Zero(kk);
    }

    Eigen::Index items() const noexcept { return k_; }
    int groups() const noexcept { return n_groups_; }
    double shift() const noexcept { return shift_; }
    const std::vector<Eigen::Index>& group_columns(int g) const { return members_.at(static_cast<std::size_t>(g)); }
    /// Rows added (with their weights), answered or not.
    double rows() const noexcept { return static_cast<double>(rows_); }

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

    /// Adds another accumulator's data (same shape, shift and groups).
    void merge(const item_accumulator& o) {
        if (o.k_ != k_ || o.shift_ != shift_ || o.group_ != group_)
            throw option_error("only accumulators with the same columns, shift and groups can be merged");
        rows_ += o.rows_;
        pN_ += o.pN_;
        pS_ += o.pS_;
        pP_ += o.pP_;
        pQ_ += o.pQ_;
        cN_ += o.cN_;
        cS_ += o.cS_;
        cQ_ += o.cQ_;
        ctS_ += o.ctS_;
        ctQ_ += o.ctQ_;
        cxt_ += o.cxt_;
        gN_ += o.gN_;
        gS_ += o.gS_;
        gQ_ += o.gQ_;
        gtS_ += o.gtS_;
        gtQ_ += o.gtQ_;
        gxt_ += o.gxt_;
        tN_ += o.tN_;
        tS_ += o.tS_;
        tQ_ += o.tQ_;
        itS_ += o.itS_;
        itQ_ += o.itQ_;
        ixt_ += o.ixt_;
    }

    // ---- queries ---------------------------------------------------------------------------

    /// Moments of columns i and j over the rows where both are answered (i == j: one column).
    moments pair(Eigen::Index i, Eigen::Index j) const {
        moments m;
        m.n = double(cN_ + pN_(i, j));
        m.sx = double(cS_(i) + pS_(i, j));
        m.sy = double(cS_(j) + pS_(j, i));
        m.sxx = double(cQ_(i, i) + pP_(i, j));
        m.syy = double(cQ_(j, j) + pP_(j, i));
        m.sxy = double(cQ_(i, j) + pQ_(i, j));
        return m;
    }

    /// Moments of columns i and j (of group g) over the rows where all of g is answered; with
    /// g = -1, over the rows where every column is answered.
    moments group_complete_pair(int g, Eigen::Index i, Eigen::Index j) const {
        moments m;
        m.n = double(cN_);
        m.sx = double(cS_(i));
        m.sy = double(cS_(j));
        m.sxx = double(cQ_(i, i));
        m.syy = double(cQ_(j, j));
        m.sxy = double(cQ_(i, j));
        if (g >= 0) {
            m.n += double(gN_(g));
            m.sx += double(gS_(i));
            m.sy += double(gS_(j));
            m.sxx += double(gQ_(i, i));
            m.syy += double(gQ_(j, j));
            m.sxy += double(gQ_(i, j));
        }
        return m;
    }

    /// Number of rows answered on every item of group g.
    double group_complete_rows(int g) const { return double(cN_ + gN_(check_group(g))); }

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
        m.n = double(tN_(g));
        m.sx = double(tS_(g));
        m.sxx = double(tQ_(g));
        return m;
    }

    /// Item i against its group's person score: over the rows where i is answered
    /// (pairwise), or over the rows where its whole group is answered (listwise).
    moments item_total(Eigen::Index i, missing_method method) const {
        const int g = group_[static_cast<std::size_t>(i)];
        moments m;
        if (method == missing_method::pairwise) {
            m = pair(i, i);
            m.sy = double(ctS_(g) + itS_(i));
            m.syy = double(ctQ_(g) + itQ_(i));
            m.sxy = double(cxt_(i) + ixt_(i));
        } else {
            m = group_complete_pair(g, i, i);
            m.sy = double(ctS_(g) + gtS_(g));
            m.syy = double(ctQ_(g) + gtQ_(g));
            m.sxy = double(cxt_(i) + gxt_(i));
        }
        return m;
    }

private:
    friend class instrument_accumulator;  // hands its byte answers over as halves (add_halves_rows)

    int check_group(int g) const {
        if (g < 0 || g >= n_groups_) throw option_error("no group " + std::to_string(g));
        return g;
    }

    // out = B' B, from one triangle (a symmetric rank update does half a product's work). No
    // rows, no update: Eigen's blocking of a product divides by its depth (SIGFPE on 0 rows once
    // the matrix is large enough to be blocked, some 60 columns).
    template <class Block>
    static void cross_products(const Block& B, Eigen::MatrixXd& out) {
        out.setZero(B.cols(), B.cols());
        if (B.rows() == 0) return;
        out.template selfadjointView<Eigen::Lower>().rankUpdate(B.transpose());
        out.template triangularView<Eigen::StrictlyUpper>() = out.transpose();
    }

    // Rows per block: its sums are kept in double (or in integers) and then added to the long
    // double totals.
    static constexpr Eigen::Index block_rows = 1024;
    // Panels of a block's rows, one column after another, padded to a whole number of vectors
    // (the padding keeps the columns apart in the cache, too).
    static constexpr Eigen::Index panel_ld = block_rows + detail::gram_rows_multiple;
    // A missing answer in the rows of halves.
    static constexpr std::int16_t missing_half = std::numeric_limits<std::int16_t>::min();

    // Scratch space of add_halves.
    struct half_scratch {
        std::vector<std::int16_t> h;                   // a block's rows: 2 (x - shift), or missing_half
        std::vector<std::int16_t> panel, group_panel;  // column-major panels (panel_ld apart)
        std::vector<std::int32_t> gram, corr_n, corr_s, corr_p, sum, sum_sq, missing, g_sum;
        std::vector<Eigen::Index> incomplete, group_rows, group_count;
        std::vector<double> bt_n, bt_s, bt_q, bg_n, bg_ts, bg_tq, bg_xt, miss_ts, miss_tq, bix_t;
    };

    // An answer as a half, h = 2 (v - shift), into `out` (missing_half for NaN); false when v
    // is neither NaN nor gives a whole h of at most 181 in size (then every product of two is
    // below 2^15). NaN fails the size test, as do infinities; the conversion to int, done only
    // on values in range, is the wholeness test (unlike a rounding by adding 1.5 * 2^52, it
    // holds with x87 excess precision and under -ffast-math too).
    bool to_half(double v, std::int16_t& out) const {
        const double d = 2.0 * (v - shift_);
        const bool fits = std::abs(d) <= 181.0 && static_cast<double>(static_cast<int>(d)) == d;
        const bool missing = v != v;
        out = missing ? missing_half : static_cast<std::int16_t>(fits ? d : 0.0);
        return fits || missing;
    }

    // Rows [r0, r0 + nb) of x as halves into s.h, when every answer has one (to_half); false
    // otherwise.
    template <class X>
    bool to_halves(const X& x, Eigen::Index r0, Eigen::Index nb, half_scratch& s) const {
        s.h.resize(static_cast<std::size_t>(nb * k_));
        std::int16_t* out = s.h.data();
        for (Eigen::Index r = 0; r < nb; ++r, out += k_) {
            int ok = 1;
            for (Eigen::Index i = 0; i < k_; ++i)
                ok &= static_cast<int>(to_half(static_cast<double>(x.coeff(r0 + r, i)), out[i]));
            if (!ok) return false;
        }
        return true;
    }

    // Adds the rows of complete answers whose halves have column sums `sum` and cross-products
    // `gram` (lower triangle): everything those rows contribute follows from these, exactly, the
    // person score of group g being (sum of the group's halves) / (2 m) for a group of m items.
    void add_complete_halves(long double n, const std::int32_t* sum, const std::int32_t* gram) {
        const auto q = [&](Eigen::Index i, Eigen::Index j) -> std::int64_t {
            return i >= j ? gram[i * k_ + j] : gram[j * k_ + i];
        };
        cN_ += n;
        tN_.array() += n;
        for (Eigen::Index i = 0; i < k_; ++i) {
            cS_(i) += 0.5L * static_cast<long double>(sum[i]);
            for (Eigen::Index j = 0; j < k_; ++j) cQ_(i, j) += 0.25L * static_cast<long double>(q(i, j));
        }
        for (int g = 0; g < n_groups_; ++g) {
            const auto& cols = members_[static_cast<std::size_t>(g)];
            const auto m = static_cast<long double>(cols.size());
            std::int64_t s_sum = 0, q_sum = 0;
            for (Eigen::Index a : cols) {
                s_sum += sum[a];
                std::int64_t row = 0;
                for (Eigen::Index b : cols) row += q(a, b);
                cxt_(a) += static_cast<long double>(row) / (4 * m);
                q_sum += row;
            }
            const long double ts = static_cast<long double>(s_sum) / (2 * m);
            const long double tq = static_cast<long double>(q_sum) / (4 * m * m);
            ctS_(g) += ts;
            tS_(g) += ts;
            ctQ_(g) += tq;
            tQ_(g) += tq;
        }
    }

    static Eigen::Index padded_rows(Eigen::Index n) {
        return (n + detail::gram_rows_multiple - 1) / detail::gram_rows_multiple * detail::gram_rows_multiple;
    }

    // Sums of the first n entries of each of the panel's k columns, and of their squares.
    static void panel_sums(const std::int16_t* panel, Eigen::Index k, Eigen::Index n, std::int32_t* sum,
                           std::int32_t* sum_sq) {
        for (Eigen::Index i = 0; i < k; ++i) {
            const std::int16_t* c = panel + i * panel_ld;
            std::int32_t s1 = 0, s2 = 0;
            for (Eigen::Index r = 0; r < n; ++r) {
                s1 += c[r];
                s2 += std::int32_t{c[r]} * c[r];
            }
            sum[i] = s1;
            if (sum_sq) sum_sq[i] = s2;
        }
    }

    // A block of nb rows of halves (k per row, missing_half for a missing answer; see to_halves):
    // complete rows through one integer cross-product; incomplete rows through another (missing
    // answers as 0), their pairwise counts and sums as the columns' sums less a correction per
    // missing answer, and their person scores row by row, in double.
    void add_halves(const std::int16_t* h, Eigen::Index nb, half_scratch& s) {
        const Eigen::Index k = k_, G = n_groups_, ld = panel_ld;
        const auto kk = static_cast<std::size_t>(k * k), ks = static_cast<std::size_t>(k);
        const auto Gs = static_cast<std::size_t>(G);
        s.panel.resize(static_cast<std::size_t>(k * ld));
        s.gram.resize(kk);
        s.sum.resize(ks);
        s.sum_sq.resize(ks);
        s.incomplete.clear();
        rows_ += static_cast<long double>(nb);
        // Complete rows into the panel, one column at a time.
        Eigen::Index nc = 0;
        for (Eigen::Index r = 0; r < nb; ++r) {
            const std::int16_t* row = h + r * k;
            int missing = 0;
            for (Eigen::Index i = 0; i < k; ++i) missing |= static_cast<int>(row[i] == missing_half);
            if (missing) {
                s.incomplete.push_back(r);
                continue;
            }
            for (Eigen::Index i = 0; i < k; ++i) s.panel[static_cast<std::size_t>(i * ld + nc)] = row[i];
            ++nc;
        }
        if (nc > 0) {
            for (Eigen::Index i = 0; i < k; ++i)
                for (Eigen::Index r = nc; r < padded_rows(nc); ++r) s.panel[static_cast<std::size_t>(i * ld + r)] = 0;
            detail::gram_lower(s.panel.data(), k, ld, padded_rows(nc), s.gram.data());
            panel_sums(s.panel.data(), k, nc, s.sum.data(), nullptr);
            add_complete_halves(static_cast<long double>(nc), s.sum.data(), s.gram.data());
        }
        const auto ni = static_cast<Eigen::Index>(s.incomplete.size());
        if (ni == 0) return;

        // Incomplete rows: dense (missing answers as 0) into the panel. Per missing answer (item
        // b), a correction: the row's answers are not in the sums over the rows where b is
        // answered. Per row, the person scores.
        s.corr_n.assign(kk, 0);
        s.corr_s.assign(kk, 0);
        s.corr_p.assign(kk, 0);
        s.missing.assign(ks, 0);
        s.g_sum.assign(ks, 0);
        for (auto* v : {&s.bt_n, &s.bt_s, &s.bt_q, &s.bg_n, &s.bg_ts, &s.bg_tq}) v->assign(Gs, 0);
        for (auto* v : {&s.bg_xt, &s.miss_ts, &s.miss_tq, &s.bix_t}) v->assign(ks, 0);
        s.group_rows.resize(Gs * static_cast<std::size_t>(ni));
        s.group_count.assign(Gs, 0);
        std::int16_t hv[detail::integer_moments_max_items];
        std::int16_t ov[detail::integer_moments_max_items];
        double tv[detail::integer_moments_max_items];
        for (Eigen::Index q = 0; q < ni; ++q) {
            const std::int16_t* row = h + s.incomplete[static_cast<std::size_t>(q)] * k;
            for (Eigen::Index i = 0; i < k; ++i) {
                const bool answered = row[i] != missing_half;
                hv[i] = answered ? row[i] : std::int16_t{0};
                ov[i] = static_cast<std::int16_t>(answered);
            }
            for (Eigen::Index i = 0; i < k; ++i) s.panel[static_cast<std::size_t>(i * ld + q)] = hv[i];
            // Person scores: the mean of the answered items in x, (sum of halves) / (2 n).
            for (Eigen::Index g = 0; g < G; ++g) {
                const auto gi = static_cast<std::size_t>(g);
                const auto& cols = members_[gi];
                std::int32_t sum = 0, n = 0;
                for (Eigen::Index a : cols) {
                    sum += hv[a];
                    n += ov[a];
                }
                const double t = n == 0 ? 0.0 : static_cast<double>(sum) / (2.0 * n);
                for (Eigen::Index a : cols) tv[a] = t;
                if (n == 0) continue;
                s.bt_n[gi] += 1;
                s.bt_s[gi] += t;
                s.bt_q[gi] += t * t;
                if (n != static_cast<std::int32_t>(cols.size())) continue;
                // Complete on the group: its cross-products from a panel of its own, below.
                s.group_rows[gi * static_cast<std::size_t>(ni) + static_cast<std::size_t>(s.group_count[gi]++)] = q;
                s.bg_n[gi] += 1;
                s.bg_ts[gi] += t;
                s.bg_tq[gi] += t * t;
                for (Eigen::Index a : cols) {
                    s.g_sum[static_cast<std::size_t>(a)] += hv[a];
                    s.bg_xt[static_cast<std::size_t>(a)] += hv[a] * t;
                }
            }
            for (Eigen::Index i = 0; i < k; ++i) s.bix_t[static_cast<std::size_t>(i)] += hv[i] * tv[i];
            for (Eigen::Index b = 0; b < k; ++b) {
                if (ov[b] != 0) continue;
                const auto bi = static_cast<std::size_t>(b);
                ++s.missing[bi];
                s.miss_ts[bi] += tv[b];
                s.miss_tq[bi] += tv[b] * tv[b];
                std::int32_t* cn = s.corr_n.data() + b * k;
                std::int32_t* cs = s.corr_s.data() + b * k;
                std::int32_t* cp = s.corr_p.data() + b * k;
                for (Eigen::Index i = 0; i < k; ++i) {
                    cn[i] += ov[i];
                    cs[i] += hv[i];
                    cp[i] += hv[i] * hv[i];
                }
            }
        }
        for (Eigen::Index i = 0; i < k; ++i)
            for (Eigen::Index r = ni; r < padded_rows(ni); ++r) s.panel[static_cast<std::size_t>(i * ld + r)] = 0;
        detail::gram_lower(s.panel.data(), k, ld, padded_rows(ni), s.gram.data());
        panel_sums(s.panel.data(), k, ni, s.sum.data(), s.sum_sq.data());
        for (Eigen::Index j = 0; j < k; ++j)
            for (Eigen::Index i = 0; i < k; ++i) {
                const auto ii = static_cast<std::size_t>(i);
                const auto at = static_cast<std::size_t>(j * k + i);  // correction of column j's missing rows
                const std::int32_t answered = static_cast<std::int32_t>(ni) - s.missing[ii];
                pN_(i, j) += static_cast<long double>(answered - s.corr_n[at]);
                pS_(i, j) += 0.5L * static_cast<long double>(s.sum[ii] - s.corr_s[at]);
                pP_(i, j) += 0.25L * static_cast<long double>(s.sum_sq[ii] - s.corr_p[at]);
                pQ_(i, j) += 0.25L * static_cast<long double>(i >= j ? s.gram[ii * ks + static_cast<std::size_t>(j)]
                                                                     : s.gram[static_cast<std::size_t>(j) * ks + ii]);
            }
        // Rows complete on a group but not on every column: the group's cross-products.
        for (Eigen::Index g = 0; g < G; ++g) {
            const auto gi = static_cast<std::size_t>(g);
            const Eigen::Index n = s.group_count[gi];
            if (n == 0) continue;
            const auto& cols = members_[gi];
            const auto m = static_cast<Eigen::Index>(cols.size());
            s.group_panel.resize(static_cast<std::size_t>(m * ld));
            for (Eigen::Index c = 0; c < m; ++c) {
                std::int16_t* to = s.group_panel.data() + c * ld;
                const std::int16_t* from = s.panel.data() + cols[static_cast<std::size_t>(c)] * ld;
                for (Eigen::Index r = 0; r < n; ++r)
                    to[r] = from[s.group_rows[gi * static_cast<std::size_t>(ni) + static_cast<std::size_t>(r)]];
                for (Eigen::Index r = n; r < padded_rows(n); ++r) to[r] = 0;
            }
            detail::gram_lower(s.group_panel.data(), m, ld, padded_rows(n), s.gram.data());
            for (Eigen::Index a = 0; a < m; ++a)
                for (Eigen::Index b = 0; b < m; ++b)
                    gQ_(cols[static_cast<std::size_t>(a)], cols[static_cast<std::size_t>(b)]) +=
                        0.25L * static_cast<long double>(a >= b ? s.gram[static_cast<std::size_t>(a * m + b)]
                                                                : s.gram[static_cast<std::size_t>(b * m + a)]);
            gN_(g) += static_cast<long double>(s.bg_n[gi]);
            gtS_(g) += static_cast<long double>(s.bg_ts[gi]);
            gtQ_(g) += static_cast<long double>(s.bg_tq[gi]);
        }
        // Per item, sums of t and t^2 over the rows where it is answered: over all rows less
        // those where it is missing (a row with no answer in the group has t = 0).
        for (Eigen::Index i = 0; i < k; ++i) {
            const auto ii = static_cast<std::size_t>(i);
            const auto gi = static_cast<std::size_t>(group_[ii]);
            gS_(i) += 0.5L * static_cast<long double>(s.g_sum[ii]);
            gxt_(i) += 0.5L * static_cast<long double>(s.bg_xt[ii]);
            itS_(i) += static_cast<long double>(s.bt_s[gi] - s.miss_ts[ii]);
            itQ_(i) += static_cast<long double>(s.bt_q[gi] - s.miss_tq[ii]);
            ixt_(i) += 0.5L * static_cast<long double>(s.bix_t[ii]);
        }
        for (Eigen::Index g = 0; g < G; ++g) {
            const auto gi = static_cast<std::size_t>(g);
            tN_(g) += static_cast<long double>(s.bt_n[gi]);
            tS_(g) += static_cast<long double>(s.bt_s[gi]);
            tQ_(g) += static_cast<long double>(s.bt_q[gi]);
        }
    }

    // n rows of halves (see to_halves), k_ per row, in the blocks that add() would take.
    void add_halves_rows(const std::int16_t* h, Eigen::Index n) {
        half_scratch hs;
        for (Eigen::Index r0 = 0; r0 < n; r0 += block_rows) add_halves(h + r0 * k_, std::min(block_rows, n - r0), hs);
    }

    template <class Derived>
    void add_rows(const Eigen::MatrixBase<Derived>& input, const double* weights) {
        using T = typename Derived::Scalar;
        static_assert(std::is_floating_point_v<T>, "answers for the accumulator are floating point, NaN = missing");
        if (k_ == 0) throw option_error("the accumulator was default-constructed; give it a column count");
        const typename Eigen::internal::nested_eval<Derived, 1>::type x = input.derived();
        if (x.cols() != k_)
            throw shape_error("expected " + std::to_string(k_) + " item columns, got " + std::to_string(x.cols()));
        constexpr Eigen::Index block = block_rows;
        const Eigen::Index G = n_groups_;
        // Complete rows of a block, gathered for one matrix product.
        // Row-major: rows are written one at a time.
        using row_block = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
        row_block B(block, k_);
        Eigen::VectorXd Bw(block);
        // Incomplete rows of a block, missing answers as 0, with their weights and, per group,
        // whether the group is fully answered (that row's weight, or 0).
        row_block Bi(block, k_);
        Eigen::MatrixXd Wg(block, n_groups_);
        Eigen::VectorXd Biw(block), inN(k_), inS(k_), inP(k_);
        // Per-block double partial sums of the incomplete rows.
        Eigen::MatrixXd bN(k_, k_), bS(k_, k_), bP(k_, k_), bQ(k_, k_), bgQ(k_, k_), Q(k_, k_);
        Eigen::VectorXd bgN(G), bgS(k_), bgtS(G), bgtQ(G), bgxt(k_), btN(G), btS(G), btQ(G), bitS(k_), bitQ(k_),
            bixt(k_);
        Eigen::VectorXd row(k_), o(k_), wy(k_), wyy(k_), t(G), tn(G);
        // Group means as a matrix: t = B * M for complete rows.
        Eigen::MatrixXd M = Eigen::MatrixXd::Zero(k_, G);
        for (Eigen::Index i = 0; i < k_; ++i) {
            const int g = group_[static_cast<std::size_t>(i)];
            M(i, g) = 1.0 / static_cast<double>(members_[static_cast<std::size_t>(g)].size());
        }

        // Unweighted blocks whose answers, less the shift, are multiples of 1/2 no larger than
        // 90.5 (the answers of any questionnaire, shifted by its scale's midpoint) take the
        // exact integer sums of add_halves; others, and weighted rows, the sums in doubles below.
        const bool try_halves = weights == nullptr && k_ <= detail::integer_moments_max_items &&
                                detail::integer_moments().load(std::memory_order_relaxed);
        half_scratch hs;

        for (Eigen::Index r0 = 0; r0 < x.rows(); r0 += block) {
            const Eigen::Index nb = std::min(block, x.rows() - r0);
            if (try_halves && to_halves(x, r0, nb, hs)) {
                add_halves(hs.h.data(), nb, hs);
                continue;
            }
            Eigen::Index nc = 0;
            bN.setZero();
            bS.setZero();
            bP.setZero();
            bQ.setZero();
            bgQ.setZero();
            inN.setZero();
            inS.setZero();
            inP.setZero();
            Eigen::Index ni = 0;
            bgN.setZero();
            bgS.setZero();
            bgtS.setZero();
            bgtQ.setZero();
            bgxt.setZero();
            btN.setZero();
            btS.setZero();
            btQ.setZero();
            bitS.setZero();
            bitQ.setZero();
            bixt.setZero();
            for (Eigen::Index r = r0; r < r0 + nb; ++r) {
                const double w = weights ? weights[r] : 1.0;
                rows_ += static_cast<long double>(w);
                if (w == 0) continue;
                {
                    // The usual row, every answer finite: straight into the block of complete rows.
                    // (v * 0 is 0 for finite v, NaN for NaN and infinities; four sums, so that the
                    // loop needs no reordering to be vectorised.)
                    double* out = B.row(nc).data();
                    double probe[4] = {0, 0, 0, 0};
                    Eigen::Index i = 0;
                    for (; i + 4 <= k_; i += 4)
                        for (int l = 0; l < 4; ++l) {
                            const auto v = static_cast<double>(x.coeff(r, i + l));
                            out[i + l] = v - shift_;
                            probe[l] += v * 0.0;
                        }
                    for (; i < k_; ++i) {
                        const auto v = static_cast<double>(x.coeff(r, i));
                        out[i] = v - shift_;
                        probe[0] += v * 0.0;
                    }
                    if ((probe[0] + probe[1]) + (probe[2] + probe[3]) == 0) {
                        Bw(nc++) = w;
                        continue;
                    }
                }
                // An incomplete row, dense: o is 1 for an answer and 0 for a missing one, row the
                // answer (shifted) or 0. Adding the zeros of missing answers leaves every sum as
                // a sum over the answered items would be.
                for (Eigen::Index i = 0; i < k_; ++i) {
                    const auto v = static_cast<double>(x.coeff(r, i));
                    if (std::isinf(v))
                        throw invalid_response(static_cast<std::size_t>(r), static_cast<std::size_t>(i), v,
                                               v > 0 ? "inf" : "-inf", "is infinite");
                    const bool answered = !std::isnan(v);
                    o(i) = answered ? 1.0 : 0.0;
                    row(i) = answered ? v - shift_ : 0.0;
                }
                // Its cross-products come from one matrix product per block (missing answers as
                // 0); its pairwise counts and sums are the column's sums less a correction for
                // each pair (a answered, b missing): a column of corrections per missing answer.
                wy = w * row;
                wyy = wy.cwiseProduct(row);
                for (Eigen::Index b = 0; b < k_; ++b) {
                    if (o(b) != 0) continue;
                    bN.col(b) += w * o;  // here: corrections, subtracted below
                    bS.col(b) += wy;
                    bP.col(b) += wyy;
                }
                Bi.row(ni) = row.transpose();
                inN += w * o;
                inS += wy;
                inP += wyy;
                Biw(ni) = w;
                // Person scores per group, and group-complete rows.
                for (Eigen::Index g = 0; g < G; ++g) {
                    double sum = 0, n = 0;
                    for (Eigen::Index a : members_[static_cast<std::size_t>(g)]) {
                        sum += row(a);
                        n += o(a);
                    }
                    t(g) = sum;
                    tn(g) = n;
                }
                for (Eigen::Index g = 0; g < G; ++g) {
                    if (tn(g) == 0) continue;
                    t(g) /= tn(g);
                    btN(g) += w;
                    btS(g) += w * t(g);
                    btQ(g) += w * t(g) * t(g);
                }
                for (Eigen::Index i = 0; i < k_; ++i) {
                    const double tg = t(group_[static_cast<std::size_t>(i)]);
                    bitS(i) += (w * tg) * o(i);
                    bitQ(i) += (w * tg * tg) * o(i);
                    bixt(i) += w * row(i) * tg;  // 0 for a missing answer
                }
                for (Eigen::Index g = 0; g < G; ++g) {
                    const auto& cols = members_[static_cast<std::size_t>(g)];
                    Wg(ni, g) = 0;
                    if (tn(g) != static_cast<double>(cols.size())) continue;
                    Wg(ni, g) = w;  // the group's cross-products: a product per block, below
                    bgN(g) += w;
                    bgtS(g) += w * t(g);
                    bgtQ(g) += w * t(g) * t(g);
                    for (Eigen::Index a : cols) {
                        bgS(a) += w * row(a);
                        bgxt(a) += w * row(a) * t(g);
                    }
                }
                ++ni;
            }
            if (ni > 0) {
                const auto Bin = Bi.topRows(ni);
                if (weights)
                    bQ = Bin.transpose() * (Biw.head(ni).asDiagonal() * Bin);
                else
                    cross_products(Bin, bQ);
                // Pairwise counts and sums: the columns' sums over these rows less the corrections.
                bN = inN.replicate(1, k_) - bN;
                bS = inS.replicate(1, k_) - bS;
                bP = inP.replicate(1, k_) - bP;
                for (Eigen::Index g = 0; g < G; ++g) {
                    const auto& cols = members_[static_cast<std::size_t>(g)];
                    const auto m = static_cast<Eigen::Index>(cols.size());
                    Eigen::MatrixXd Qg;
                    if (weights) {
                        Eigen::MatrixXd Bg(ni, m);
                        for (Eigen::Index c = 0; c < m; ++c) Bg.col(c) = Bin.col(cols[static_cast<std::size_t>(c)]);
                        Qg = Bg.transpose() * (Wg.col(g).head(ni).asDiagonal() * Bg);
                    } else {
                        // Unweighted: the rows complete on the group (weight 1), one triangle.
                        Eigen::Index n = 0;
                        for (Eigen::Index r = 0; r < ni; ++r) n += Wg(r, g) != 0;
                        Eigen::MatrixXd Bg(n, m);
                        for (Eigen::Index r = 0, at = 0; r < ni; ++r) {
                            if (Wg(r, g) == 0) continue;
                            for (Eigen::Index c = 0; c < m; ++c) Bg(at, c) = Bin(r, cols[static_cast<std::size_t>(c)]);
                            ++at;
                        }
                        cross_products(Bg, Qg);
                    }
                    for (Eigen::Index a = 0; a < m; ++a)
                        for (Eigen::Index b = 0; b < m; ++b)
                            bgQ(cols[static_cast<std::size_t>(a)], cols[static_cast<std::size_t>(b)]) = Qg(a, b);
                }
            } else {
                bN.setZero();
                bS.setZero();
                bP.setZero();
            }
            // Complete rows: one product for the cross-products, one for the person scores.
            if (nc > 0) {
                const auto Bc = B.topRows(nc);
                const auto wc = Bw.head(nc);
                const Eigen::MatrixXd scores = Bc * M;  // nc x G person scores
                cN_ += static_cast<long double>(wc.sum());
                Eigen::MatrixXd XT;  // k x G
                if (weights) {
                    const Eigen::MatrixXd WB = wc.asDiagonal() * Bc;
                    cS_ += (WB.colwise().sum().transpose()).cast<long double>();
                    cQ_ += (Bc.transpose() * WB).cast<long double>();
                    XT = WB.transpose() * scores;
                } else {  // every weight 1: the rows as they are
                    cS_ += (Bc.colwise().sum().transpose()).cast<long double>();
                    cross_products(Bc, Q);
                    cQ_ += Q.cast<long double>();
                    XT = Bc.transpose() * scores;
                }
                ctS_ += (scores.transpose() * wc).cast<long double>();
                ctQ_ += (scores.array().square().matrix().transpose() * wc).cast<long double>();
                for (Eigen::Index i = 0; i < k_; ++i)
                    cxt_(i) += static_cast<long double>(XT(i, group_[static_cast<std::size_t>(i)]));
                tN_.array() += static_cast<long double>(wc.sum());
                tS_ += (scores.transpose() * wc).cast<long double>();
                tQ_ += (scores.array().square().matrix().transpose() * wc).cast<long double>();
            }
            pN_ += bN.cast<long double>();
            pS_ += bS.cast<long double>();
            pP_ += bP.cast<long double>();
            pQ_ += bQ.cast<long double>();
            gN_ += bgN.cast<long double>();
            gS_ += bgS.cast<long double>();
            gQ_ += bgQ.cast<long double>();
            gtS_ += bgtS.cast<long double>();
            gtQ_ += bgtQ.cast<long double>();
            gxt_ += bgxt.cast<long double>();
            tN_ += btN.cast<long double>();
            tS_ += btS.cast<long double>();
            tQ_ += btQ.cast<long double>();
            itS_ += bitS.cast<long double>();
            itQ_ += bitQ.cast<long double>();
            ixt_ += bixt.cast<long double>();
        }
    }

    Eigen::Index k_ = 0;
    double shift_ = 0;
    std::vector<int> group_;
    int n_groups_ = 0;
    std::vector<std::vector<Eigen::Index>> members_;
    long double rows_ = 0;
    // Incomplete rows, pairwise: counts, sums of x_i (row i, column j: over rows with i and j),
    // sums of x_i^2 (likewise), cross-products.
    ld_matrix pN_, pS_, pP_, pQ_;
    // Rows complete on every column: count, sums, cross-products; person-score sums per group
    // and sums of x_i t over the item's group.
    long double cN_ = 0;
    ld_vector cS_;
    ld_matrix cQ_;
    ld_vector ctS_, ctQ_, cxt_;
    // Rows complete on their group but not on every column.
    ld_vector gN_, gS_;
    ld_matrix gQ_;
    ld_vector gtS_, gtQ_, gxt_;
    // Person scores of incomplete rows per group, and per item over the rows where it is answered.
    ld_vector tN_, tS_, tQ_;
    ld_vector itS_, itQ_, ixt_;
};

}  // namespace bowlby
