// bowlby: scoring of adult-attachment questionnaires. MIT licence, see LICENSE.
//
// The item accumulator's integer path. Questionnaire answers, shifted by the scale's midpoint,
// are whole multiples of 1/2: as halves, h = 2 (x - shift), they are small integers, and a
// block's counts, sums and cross-products are exact integer sums (the cross-products in 32-bit
// lanes, integer_gram.hpp), which give the same totals as the path in doubles, faster. Person
// scores, being means, are sums of rounded quotients either way and agree to rounding.
#pragma once

#include "bowlby/detail/stats/integer_gram.hpp"
#include "bowlby/detail/stats/layout.hpp"
#include "bowlby/detail/stats/totals.hpp"
#include "bowlby/rule.hpp"

#include <Eigen/Core>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace bowlby::detail {

// Whether blocks of small whole (or half) answers take the integer path (on by default; the
// tests switch it off to check it against the path in doubles). Keys of more items than
// integer_moments_max_items always take the path in doubles.
inline std::atomic<bool>& integer_moments() {
    static std::atomic<bool> on{true};
    return on;
}
inline constexpr Eigen::Index integer_moments_max_items = 512;

// A missing answer among halves.
inline constexpr std::int16_t missing_half = std::numeric_limits<std::int16_t>::min();

// An answer as a half, h = 2 (v - shift), into `out` (missing_half for NaN); false when v is
// neither NaN nor gives a whole h of at most 181 in size (then every product of two is below
// 2^15). NaN fails the size test, as do infinities.
inline bool to_half(double v, double shift, std::int16_t& out) {
    const double d = 2.0 * (v - shift);
    const bool fits = std::abs(d) <= 181.0 && rule::is_whole(d);
    const bool missing = v != v;
    out = missing ? missing_half : static_cast<std::int16_t>(fits ? d : 0.0);
    return fits || missing;
}

// Rows per block: its sums are kept in doubles (or in integers), then added to the totals.
inline constexpr Eigen::Index accumulator_block_rows = 1024;
// Panels of a block's rows, one column after another, padded to a whole number of vectors
// (the padding keeps the columns apart in the cache, too).
inline constexpr Eigen::Index panel_ld = accumulator_block_rows + gram_rows_multiple;

inline Eigen::Index padded_rows(Eigen::Index n) {
    return (n + gram_rows_multiple - 1) / gram_rows_multiple * gram_rows_multiple;
}

// Scratch space of the integer path, reused from block to block.
struct half_scratch {
    std::vector<std::int16_t> h;                   // a block's rows: 2 (x - shift), or missing_half
    std::vector<std::int16_t> panel, group_panel;  // column-major panels (panel_ld apart)
    std::vector<std::int32_t> gram, corr_n, corr_s, corr_p, sum, sum_sq, missing, g_sum;
    std::vector<Eigen::Index> incomplete, group_rows, group_count;
    std::vector<double> bt_n, bt_s, bt_q, bg_n, bg_ts, bg_tq, bg_xt, miss_ts, miss_tq, bix_t;
};

// Rows [r0, r0 + nb) of x as halves into s.h, when every answer has one (to_half); false
// otherwise.
template <class X>
bool to_halves(const item_layout& L, const X& x, Eigen::Index r0, Eigen::Index nb, half_scratch& s) {
    s.h.resize(static_cast<std::size_t>(nb * L.k));
    std::int16_t* out = s.h.data();
    for (Eigen::Index r = 0; r < nb; ++r, out += L.k) {
        int ok = 1;
        for (Eigen::Index i = 0; i < L.k; ++i)
            ok &= static_cast<int>(to_half(static_cast<double>(x.coeff(r0 + r, i)), L.shift, out[i]));
        if (!ok) return false;
    }
    return true;
}

// Sums of the first n entries of each of the panel's k columns, and of their squares.
inline void panel_sums(const std::int16_t* panel, Eigen::Index k, Eigen::Index n, std::int32_t* sum,
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

// One block of nb rows of halves (k per row): complete rows through one integer cross-product;
// incomplete rows through another (missing answers as 0), their pairwise counts and sums as
// the columns' sums less a correction per missing answer, and their person scores row by row,
// in doubles.
class half_block {
public:
    half_block(const item_layout& layout, accumulator_totals& totals, half_scratch& scratch)
        : L(layout), T(totals), s(scratch) {}

    void add(const std::int16_t* h, Eigen::Index nb) {
        const auto kk = static_cast<std::size_t>(L.k * L.k), ks = static_cast<std::size_t>(L.k);
        s.panel.resize(static_cast<std::size_t>(L.k * panel_ld));
        s.gram.resize(kk);
        s.sum.resize(ks);
        s.sum_sq.resize(ks);
        s.incomplete.clear();
        T.rows += static_cast<long double>(nb);
        add_complete_rows(h, nb);
        const auto ni = static_cast<Eigen::Index>(s.incomplete.size());
        if (ni == 0) return;
        start_incomplete(ni);
        for (Eigen::Index q = 0; q < ni; ++q)
            add_incomplete_row(h + s.incomplete[static_cast<std::size_t>(q)] * L.k, q, ni);
        for (Eigen::Index i = 0; i < L.k; ++i)
            for (Eigen::Index r = ni; r < padded_rows(ni); ++r) s.panel[static_cast<std::size_t>(i * panel_ld + r)] = 0;
        add_pairwise(ni);
        for (Eigen::Index g = 0; g < L.n_groups; ++g) add_group_complete(g, ni);
        add_person_totals();
    }

private:
    // Complete rows into the panel, one column at a time, then their sums and cross-products
    // into the totals; incomplete rows are listed in s.incomplete.
    void add_complete_rows(const std::int16_t* h, Eigen::Index nb) {
        const Eigen::Index k = L.k;
        Eigen::Index nc = 0;
        for (Eigen::Index r = 0; r < nb; ++r) {
            const std::int16_t* row = h + r * k;
            int missing = 0;
            for (Eigen::Index i = 0; i < k; ++i) missing |= static_cast<int>(row[i] == missing_half);
            if (missing) {
                s.incomplete.push_back(r);
                continue;
            }
            for (Eigen::Index i = 0; i < k; ++i) s.panel[static_cast<std::size_t>(i * panel_ld + nc)] = row[i];
            ++nc;
        }
        if (nc == 0) return;
        for (Eigen::Index i = 0; i < k; ++i)
            for (Eigen::Index r = nc; r < padded_rows(nc); ++r) s.panel[static_cast<std::size_t>(i * panel_ld + r)] = 0;
        gram_lower(s.panel.data(), k, panel_ld, padded_rows(nc), s.gram.data());
        panel_sums(s.panel.data(), k, nc, s.sum.data(), nullptr);
        add_complete_totals(static_cast<long double>(nc));
    }

    // Everything n complete rows with column sums s.sum and cross-products s.gram (lower
    // triangle) contribute follows from these, exactly: the person score of group g is (sum of
    // the group's halves) / (2 m) for a group of m items.
    void add_complete_totals(long double n) {
        const Eigen::Index k = L.k;
        const std::int32_t* gram = s.gram.data();
        const auto q = [&](Eigen::Index i, Eigen::Index j) -> std::int64_t {
            return i >= j ? gram[i * k + j] : gram[j * k + i];
        };
        T.cN += n;
        T.tN.array() += n;
        for (Eigen::Index i = 0; i < k; ++i) {
            T.cS(i) += 0.5L * static_cast<long double>(s.sum[static_cast<std::size_t>(i)]);
            for (Eigen::Index j = 0; j < k; ++j) T.cQ(i, j) += 0.25L * static_cast<long double>(q(i, j));
        }
        for (int g = 0; g < L.n_groups; ++g) {
            const auto& cols = L.columns_of(g);
            const auto m = static_cast<long double>(cols.size());
            std::int64_t s_sum = 0, q_sum = 0;
            for (Eigen::Index a : cols) {
                s_sum += s.sum[static_cast<std::size_t>(a)];
                std::int64_t row = 0;
                for (Eigen::Index b : cols) row += q(a, b);
                T.cxt(a) += static_cast<long double>(row) / (4 * m);
                q_sum += row;
            }
            const long double ts = static_cast<long double>(s_sum) / (2 * m);
            const long double tq = static_cast<long double>(q_sum) / (4 * m * m);
            T.ctS(g) += ts;
            T.tS(g) += ts;
            T.ctQ(g) += tq;
            T.tQ(g) += tq;
        }
    }

    void start_incomplete(Eigen::Index ni) {
        const auto kk = static_cast<std::size_t>(L.k * L.k), ks = static_cast<std::size_t>(L.k);
        const auto Gs = static_cast<std::size_t>(L.n_groups);
        s.corr_n.assign(kk, 0);
        s.corr_s.assign(kk, 0);
        s.corr_p.assign(kk, 0);
        s.missing.assign(ks, 0);
        s.g_sum.assign(ks, 0);
        for (auto* v : {&s.bt_n, &s.bt_s, &s.bt_q, &s.bg_n, &s.bg_ts, &s.bg_tq}) v->assign(Gs, 0);
        for (auto* v : {&s.bg_xt, &s.miss_ts, &s.miss_tq, &s.bix_t}) v->assign(ks, 0);
        s.group_rows.resize(Gs * static_cast<std::size_t>(ni));
        s.group_count.assign(Gs, 0);
    }

    // Incomplete row q of ni: dense (missing answers as 0) into the panel; per missing answer
    // (item b), a correction: the row's answers are not in the sums over the rows where b is
    // answered; and the row's person scores.
    void add_incomplete_row(const std::int16_t* row, Eigen::Index q, Eigen::Index ni) {
        const Eigen::Index k = L.k;
        for (Eigen::Index i = 0; i < k; ++i) {
            const bool answered = row[i] != missing_half;
            hv_[i] = answered ? row[i] : std::int16_t{0};
            ov_[i] = static_cast<std::int16_t>(answered);
        }
        for (Eigen::Index i = 0; i < k; ++i) s.panel[static_cast<std::size_t>(i * panel_ld + q)] = hv_[i];
        for (Eigen::Index g = 0; g < L.n_groups; ++g) add_person_score(g, q, ni);
        for (Eigen::Index i = 0; i < k; ++i) s.bix_t[static_cast<std::size_t>(i)] += hv_[i] * tv_[i];
        for (Eigen::Index b = 0; b < k; ++b) {
            if (ov_[b] != 0) continue;
            const auto bi = static_cast<std::size_t>(b);
            ++s.missing[bi];
            s.miss_ts[bi] += tv_[b];
            s.miss_tq[bi] += tv_[b] * tv_[b];
            std::int32_t* cn = s.corr_n.data() + b * k;
            std::int32_t* cs = s.corr_s.data() + b * k;
            std::int32_t* cp = s.corr_p.data() + b * k;
            for (Eigen::Index i = 0; i < k; ++i) {
                cn[i] += ov_[i];
                cs[i] += hv_[i];
                cp[i] += hv_[i] * hv_[i];
            }
        }
    }

    // The row's person score in group g: the mean of its answered items in x, (sum of halves)
    // / (2 n), into tv_ for the group's columns; rows complete on g are listed for its panel.
    void add_person_score(Eigen::Index g, Eigen::Index q, Eigen::Index ni) {
        const auto gi = static_cast<std::size_t>(g);
        const auto& cols = L.members[gi];
        std::int32_t sum = 0, n = 0;
        for (Eigen::Index a : cols) {
            sum += hv_[a];
            n += ov_[a];
        }
        const double t = n == 0 ? 0.0 : static_cast<double>(sum) / (2.0 * n);
        for (Eigen::Index a : cols) tv_[a] = t;
        if (n == 0) return;
        s.bt_n[gi] += 1;
        s.bt_s[gi] += t;
        s.bt_q[gi] += t * t;
        if (n != static_cast<std::int32_t>(cols.size())) return;
        s.group_rows[gi * static_cast<std::size_t>(ni) + static_cast<std::size_t>(s.group_count[gi]++)] = q;
        s.bg_n[gi] += 1;
        s.bg_ts[gi] += t;
        s.bg_tq[gi] += t * t;
        for (Eigen::Index a : cols) {
            s.g_sum[static_cast<std::size_t>(a)] += hv_[a];
            s.bg_xt[static_cast<std::size_t>(a)] += hv_[a] * t;
        }
    }

    // The incomplete rows' cross-products (one integer product), and their pairwise counts and
    // sums: the columns' sums less the corrections of each column's missing rows.
    void add_pairwise(Eigen::Index ni) {
        const Eigen::Index k = L.k;
        const auto ks = static_cast<std::size_t>(k);
        gram_lower(s.panel.data(), k, panel_ld, padded_rows(ni), s.gram.data());
        panel_sums(s.panel.data(), k, ni, s.sum.data(), s.sum_sq.data());
        for (Eigen::Index j = 0; j < k; ++j)
            for (Eigen::Index i = 0; i < k; ++i) {
                const auto ii = static_cast<std::size_t>(i);
                const auto at = static_cast<std::size_t>(j * k + i);
                const std::int32_t answered = static_cast<std::int32_t>(ni) - s.missing[ii];
                T.pN(i, j) += static_cast<long double>(answered - s.corr_n[at]);
                T.pS(i, j) += 0.5L * static_cast<long double>(s.sum[ii] - s.corr_s[at]);
                T.pP(i, j) += 0.25L * static_cast<long double>(s.sum_sq[ii] - s.corr_p[at]);
                T.pQ(i, j) += 0.25L * static_cast<long double>(i >= j ? s.gram[ii * ks + static_cast<std::size_t>(j)]
                                                                      : s.gram[static_cast<std::size_t>(j) * ks + ii]);
            }
    }

    // Rows complete on group g but not on every column: the group's cross-products from a
    // panel of its own.
    void add_group_complete(Eigen::Index g, Eigen::Index ni) {
        const auto gi = static_cast<std::size_t>(g);
        const Eigen::Index n = s.group_count[gi];
        if (n == 0) return;
        const auto& cols = L.members[gi];
        const auto m = static_cast<Eigen::Index>(cols.size());
        s.group_panel.resize(static_cast<std::size_t>(m * panel_ld));
        for (Eigen::Index c = 0; c < m; ++c) {
            std::int16_t* to = s.group_panel.data() + c * panel_ld;
            const std::int16_t* from = s.panel.data() + cols[static_cast<std::size_t>(c)] * panel_ld;
            for (Eigen::Index r = 0; r < n; ++r)
                to[r] = from[s.group_rows[gi * static_cast<std::size_t>(ni) + static_cast<std::size_t>(r)]];
            for (Eigen::Index r = n; r < padded_rows(n); ++r) to[r] = 0;
        }
        gram_lower(s.group_panel.data(), m, panel_ld, padded_rows(n), s.gram.data());
        for (Eigen::Index a = 0; a < m; ++a)
            for (Eigen::Index b = 0; b < m; ++b)
                T.gQ(cols[static_cast<std::size_t>(a)], cols[static_cast<std::size_t>(b)]) +=
                    0.25L * static_cast<long double>(a >= b ? s.gram[static_cast<std::size_t>(a * m + b)]
                                                            : s.gram[static_cast<std::size_t>(b * m + a)]);
        T.gN(g) += static_cast<long double>(s.bg_n[gi]);
        T.gtS(g) += static_cast<long double>(s.bg_ts[gi]);
        T.gtQ(g) += static_cast<long double>(s.bg_tq[gi]);
    }

    // Per item, sums of t and t^2 over the rows where it is answered: over all rows less those
    // where it is missing (a row with no answer in the group has t = 0); per group, the
    // incomplete rows' person scores.
    void add_person_totals() {
        for (Eigen::Index i = 0; i < L.k; ++i) {
            const auto ii = static_cast<std::size_t>(i);
            const auto gi = static_cast<std::size_t>(L.group[ii]);
            T.gS(i) += 0.5L * static_cast<long double>(s.g_sum[ii]);
            T.gxt(i) += 0.5L * static_cast<long double>(s.bg_xt[ii]);
            T.itS(i) += static_cast<long double>(s.bt_s[gi] - s.miss_ts[ii]);
            T.itQ(i) += static_cast<long double>(s.bt_q[gi] - s.miss_tq[ii]);
            T.ixt(i) += 0.5L * static_cast<long double>(s.bix_t[ii]);
        }
        for (Eigen::Index g = 0; g < L.n_groups; ++g) {
            const auto gi = static_cast<std::size_t>(g);
            T.tN(g) += static_cast<long double>(s.bt_n[gi]);
            T.tS(g) += static_cast<long double>(s.bt_s[gi]);
            T.tQ(g) += static_cast<long double>(s.bt_q[gi]);
        }
    }

    const item_layout& L;
    accumulator_totals& T;
    half_scratch& s;
    // The current incomplete row: halves (0 when missing), 1/0 answered, person score per column.
    std::int16_t hv_[integer_moments_max_items];
    std::int16_t ov_[integer_moments_max_items];
    double tv_[integer_moments_max_items];
};

// n rows of halves, k per row, in the blocks that the accumulator's add() would take.
inline void add_halves_rows(const item_layout& L, accumulator_totals& T, const std::int16_t* h, Eigen::Index n) {
    half_scratch hs;
    for (Eigen::Index r0 = 0; r0 < n; r0 += accumulator_block_rows)
        half_block(L, T, hs).add(h + r0 * L.k, std::min(accumulator_block_rows, n - r0));
}

}  // namespace bowlby::detail
