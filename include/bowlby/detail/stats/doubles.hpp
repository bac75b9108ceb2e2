// bowlby: scoring of adult-attachment questionnaires. MIT licence, see LICENSE.
//
// The item accumulator's path in doubles, for answers that are not all small halves and for
// weighted rows. Rows complete on every column, the common case, are gathered into blocks and
// added with one matrix product per block; incomplete rows with missing answers as 0, their
// pairwise counts and sums as the columns' sums less a correction per missing answer. Each
// block's sums go into the long double totals.
#pragma once

#include "bowlby/detail/stats/halves.hpp"
#include "bowlby/detail/stats/layout.hpp"
#include "bowlby/detail/stats/totals.hpp"
#include "bowlby/error.hpp"

#include <Eigen/Core>

#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

namespace bowlby::detail {

// out = B' B, from one triangle (a symmetric rank update does half a product's work). No rows,
// no update: Eigen's blocking of a product divides by its depth (SIGFPE on 0 rows once the
// matrix is large enough to be blocked, some 60 columns).
template <class Block>
void cross_products(const Block& B, Eigen::MatrixXd& out) {
    out.setZero(B.cols(), B.cols());
    if (B.rows() == 0) return;
    out.template selfadjointView<Eigen::Lower>().rankUpdate(B.transpose());
    out.template triangularView<Eigen::StrictlyUpper>() = out.transpose();
}

// One call of the accumulator's add(): buffers for a block of rows, reused block to block.
class double_blocks {
    using row_block = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    static constexpr Eigen::Index block = accumulator_block_rows;

public:
    double_blocks(const item_layout& layout, accumulator_totals& totals, const double* weights)
        : L(layout), T(totals), w_(weights) {
        const Eigen::Index k = L.k, G = L.n_groups;
        B.resize(block, k);
        Bw.resize(block);
        Bi.resize(block, k);
        Wg.resize(block, G);
        Biw.resize(block);
        for (auto* v : {&inN, &inS, &inP, &bgS, &bgxt, &bitS, &bitQ, &bixt, &row, &o, &wy, &wyy}) v->resize(k);
        for (auto* v : {&bgN, &bgtS, &bgtQ, &btN, &btS, &btQ, &t, &tn}) v->resize(G);
        for (auto* m : {&bN, &bS, &bP, &bQ, &bgQ, &Q}) m->resize(k, k);
        // Group means as a matrix: t = B * M for complete rows.
        M = Eigen::MatrixXd::Zero(k, G);
        for (Eigen::Index i = 0; i < k; ++i) {
            const int g = L.group[static_cast<std::size_t>(i)];
            M(i, g) = 1.0 / static_cast<double>(L.members[static_cast<std::size_t>(g)].size());
        }
    }

    // Rows [r0, r0 + nb) of x.
    template <class X>
    void add(const X& x, Eigen::Index r0, Eigen::Index nb) {
        reset();
        for (Eigen::Index r = r0; r < r0 + nb; ++r) {
            const double w = w_ ? w_[r] : 1.0;
            T.rows += static_cast<long double>(w);
            if (w == 0) continue;
            if (add_if_complete(x, r, w)) continue;
            add_incomplete(x, r, w);
        }
        if (ni > 0) {
            finish_incomplete();
        } else {
            bN.setZero();
            bS.setZero();
            bP.setZero();
        }
        if (nc > 0) finish_complete();
        flush();
    }

private:
    void reset() {
        nc = ni = 0;
        for (auto* m : {&bN, &bS, &bP, &bQ, &bgQ}) m->setZero();
        for (auto* v : {&inN, &inS, &inP, &bgN, &bgS, &bgtS, &bgtQ, &bgxt, &btN, &btS, &btQ, &bitS, &bitQ, &bixt})
            v->setZero();
    }

    // The usual row, every answer finite: straight into the block of complete rows. (v * 0 is
    // 0 for finite v, NaN for NaN and infinities; four sums, so that the loop needs no
    // reordering to be vectorised.)
    template <class X>
    bool add_if_complete(const X& x, Eigen::Index r, double w) {
        const Eigen::Index k = L.k;
        double* out = B.row(nc).data();
        double probe[4] = {0, 0, 0, 0};
        Eigen::Index i = 0;
        for (; i + 4 <= k; i += 4)
            for (int l = 0; l < 4; ++l) {
                const auto v = static_cast<double>(x.coeff(r, i + l));
                out[i + l] = v - L.shift;
                probe[l] += v * 0.0;
            }
        for (; i < k; ++i) {
            const auto v = static_cast<double>(x.coeff(r, i));
            out[i] = v - L.shift;
            probe[0] += v * 0.0;
        }
        if ((probe[0] + probe[1]) + (probe[2] + probe[3]) != 0) return false;
        Bw(nc++) = w;
        return true;
    }

    // An incomplete row, dense: o is 1 for an answer and 0 for a missing one, row the answer
    // (shifted) or 0. Adding the zeros of missing answers leaves every sum as a sum over the
    // answered items would be. Its cross-products come from one matrix product per block; its
    // pairwise counts and sums are the column's sums less a correction for each pair (a
    // answered, b missing): a column of corrections per missing answer.
    template <class X>
    void add_incomplete(const X& x, Eigen::Index r, double w) {
        const Eigen::Index k = L.k;
        for (Eigen::Index i = 0; i < k; ++i) {
            const auto v = static_cast<double>(x.coeff(r, i));
            if (std::isinf(v))
                throw invalid_response(static_cast<std::size_t>(r), static_cast<std::size_t>(i), v,
                                       v > 0 ? "inf" : "-inf", "is infinite");
            const bool answered = !std::isnan(v);
            o(i) = answered ? 1.0 : 0.0;
            row(i) = answered ? v - L.shift : 0.0;
        }
        wy = w * row;
        wyy = wy.cwiseProduct(row);
        for (Eigen::Index b = 0; b < k; ++b) {
            if (o(b) != 0) continue;
            bN.col(b) += w * o;  // here: corrections, subtracted in finish_incomplete
            bS.col(b) += wy;
            bP.col(b) += wyy;
        }
        Bi.row(ni) = row.transpose();
        inN += w * o;
        inS += wy;
        inP += wyy;
        Biw(ni) = w;
        add_person_scores(w);
        ++ni;
    }

    // The incomplete row's person score per group, and the groups it completes.
    void add_person_scores(double w) {
        const Eigen::Index G = L.n_groups;
        for (Eigen::Index g = 0; g < G; ++g) {
            double sum = 0, n = 0;
            for (Eigen::Index a : L.members[static_cast<std::size_t>(g)]) {
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
        for (Eigen::Index i = 0; i < L.k; ++i) {
            const double tg = t(L.group[static_cast<std::size_t>(i)]);
            bitS(i) += (w * tg) * o(i);
            bitQ(i) += (w * tg * tg) * o(i);
            bixt(i) += w * row(i) * tg;  // 0 for a missing answer
        }
        for (Eigen::Index g = 0; g < G; ++g) {
            const auto& cols = L.members[static_cast<std::size_t>(g)];
            Wg(ni, g) = 0;
            if (tn(g) != static_cast<double>(cols.size())) continue;
            Wg(ni, g) = w;  // the group's cross-products: a product per block, in finish_incomplete
            bgN(g) += w;
            bgtS(g) += w * t(g);
            bgtQ(g) += w * t(g) * t(g);
            for (Eigen::Index a : cols) {
                bgS(a) += w * row(a);
                bgxt(a) += w * row(a) * t(g);
            }
        }
    }

    // The incomplete rows' cross-products, their pairwise counts and sums (the columns' sums
    // over these rows less the corrections), and per group the cross-products of the rows
    // complete on it.
    void finish_incomplete() {
        const auto Bin = Bi.topRows(ni);
        if (w_)
            bQ = Bin.transpose() * (Biw.head(ni).asDiagonal() * Bin);
        else
            cross_products(Bin, bQ);
        bN = inN.replicate(1, L.k) - bN;
        bS = inS.replicate(1, L.k) - bS;
        bP = inP.replicate(1, L.k) - bP;
        for (Eigen::Index g = 0; g < L.n_groups; ++g) {
            const auto& cols = L.members[static_cast<std::size_t>(g)];
            const auto m = static_cast<Eigen::Index>(cols.size());
            Eigen::MatrixXd Qg = group_cross_products(g, cols);
            for (Eigen::Index a = 0; a < m; ++a)
                for (Eigen::Index b = 0; b < m; ++b)
                    bgQ(cols[static_cast<std::size_t>(a)], cols[static_cast<std::size_t>(b)]) = Qg(a, b);
        }
    }

    Eigen::MatrixXd group_cross_products(Eigen::Index g, const std::vector<Eigen::Index>& cols) const {
        const auto Bin = Bi.topRows(ni);
        const auto m = static_cast<Eigen::Index>(cols.size());
        Eigen::MatrixXd Qg;
        if (w_) {
            Eigen::MatrixXd Bg(ni, m);
            for (Eigen::Index c = 0; c < m; ++c) Bg.col(c) = Bin.col(cols[static_cast<std::size_t>(c)]);
            Qg = Bg.transpose() * (Wg.col(g).head(ni).asDiagonal() * Bg);
            return Qg;
        }
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
        return Qg;
    }

    // Complete rows: one product for the cross-products, one for the person scores.
    void finish_complete() {
        const auto Bc = B.topRows(nc);
        const auto wc = Bw.head(nc);
        const Eigen::MatrixXd scores = Bc * M;  // nc x G person scores
        T.cN += static_cast<long double>(wc.sum());
        Eigen::MatrixXd XT;  // k x G
        if (w_) {
            const Eigen::MatrixXd WB = wc.asDiagonal() * Bc;
            T.cS += (WB.colwise().sum().transpose()).cast<long double>();
            T.cQ += (Bc.transpose() * WB).cast<long double>();
            XT = WB.transpose() * scores;
        } else {  // every weight 1: the rows as they are
            T.cS += (Bc.colwise().sum().transpose()).cast<long double>();
            cross_products(Bc, Q);
            T.cQ += Q.cast<long double>();
            XT = Bc.transpose() * scores;
        }
        T.ctS += (scores.transpose() * wc).cast<long double>();
        T.ctQ += (scores.array().square().matrix().transpose() * wc).cast<long double>();
        for (Eigen::Index i = 0; i < L.k; ++i)
            T.cxt(i) += static_cast<long double>(XT(i, L.group[static_cast<std::size_t>(i)]));
        T.tN.array() += static_cast<long double>(wc.sum());
        T.tS += (scores.transpose() * wc).cast<long double>();
        T.tQ += (scores.array().square().matrix().transpose() * wc).cast<long double>();
    }

    // The block's partial sums into the totals.
    void flush() {
        T.pN += bN.cast<long double>();
        T.pS += bS.cast<long double>();
        T.pP += bP.cast<long double>();
        T.pQ += bQ.cast<long double>();
        T.gN += bgN.cast<long double>();
        T.gS += bgS.cast<long double>();
        T.gQ += bgQ.cast<long double>();
        T.gtS += bgtS.cast<long double>();
        T.gtQ += bgtQ.cast<long double>();
        T.gxt += bgxt.cast<long double>();
        T.tN += btN.cast<long double>();
        T.tS += btS.cast<long double>();
        T.tQ += btQ.cast<long double>();
        T.itS += bitS.cast<long double>();
        T.itQ += bitQ.cast<long double>();
        T.ixt += bixt.cast<long double>();
    }

    const item_layout& L;
    accumulator_totals& T;
    const double* w_;  // frequency weights, or none
    // Complete rows of a block (shifted), gathered for one matrix product, and their weights.
    row_block B;
    Eigen::VectorXd Bw;
    // Incomplete rows of a block, missing answers as 0, with their weights and, per group,
    // whether the group is fully answered (that row's weight, or 0).
    row_block Bi;
    Eigen::MatrixXd Wg;
    Eigen::VectorXd Biw, inN, inS, inP;
    // Per-block partial sums of the incomplete rows (named as the totals they go into).
    Eigen::MatrixXd bN, bS, bP, bQ, bgQ, Q;
    Eigen::VectorXd bgN, bgS, bgtS, bgtQ, bgxt, btN, btS, btQ, bitS, bitQ, bixt;
    // The current incomplete row: shifted answers (0 if missing), 1/0 answered, their weighted
    // forms, person scores and answered counts per group.
    Eigen::VectorXd row, o, wy, wyy, t, tn;
    Eigen::MatrixXd M;  // k x G: column i's weight in its group's mean
    Eigen::Index nc = 0, ni = 0;
};

}  // namespace bowlby::detail
