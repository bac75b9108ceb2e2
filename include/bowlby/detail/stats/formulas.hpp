// bowlby: scoring of adult-attachment questionnaires. MIT licence, see LICENSE.
//
// The formulas behind bowlby::reliability (see bowlby/reliability.hpp for their definitions):
// alpha from a covariance matrix, squared multiple correlations, one minres factor, split
// halves, quantiles.
#pragma once

#include "bowlby/detail/stats/random.hpp"
#include "bowlby/reliability_result.hpp"

#include <Eigen/Core>
#include <Eigen/Eigenvalues>
#include <Eigen/LU>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace bowlby {
namespace detail {

inline double nan_value() { return std::numeric_limits<double>::quiet_NaN(); }

inline double median_of(std::vector<double> v) {
    if (v.empty()) return nan_value();
    std::sort(v.begin(), v.end());
    const std::size_t m = v.size() / 2;
    return v.size() % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

inline double sample_variance(const std::vector<double>& v) {
    if (v.size() < 2) return nan_value();
    double mean = 0;
    for (double x : v) mean += x;
    mean /= static_cast<double>(v.size());
    double ss = 0;
    for (double x : v) ss += (x - mean) * (x - mean);
    return ss / static_cast<double>(v.size() - 1);
}

inline Eigen::MatrixXd cov_to_cor(const Eigen::MatrixXd& c) {
    const Eigen::VectorXd s = c.diagonal().cwiseSqrt().cwiseInverse();
    return s.asDiagonal() * c * s.asDiagonal();
}

/// Squared multiple correlations 1 - 1/diag(R^-1), clipped to [0, 1]; empty when R is singular
/// or not finite.
inline Eigen::VectorXd smc(const Eigen::MatrixXd& r) {
    if (!r.allFinite()) return {};
    const Eigen::FullPivLU<Eigen::MatrixXd> lu(r);
    if (!lu.isInvertible()) return {};
    const Eigen::VectorXd d = lu.inverse().diagonal();
    Eigen::VectorXd s(r.rows());
    for (Eigen::Index i = 0; i < r.rows(); ++i) s(i) = std::clamp(1.0 - 1.0 / d(i), 0.0, 1.0);
    return s;
}

/// The scale statistics of psych::alpha from a covariance matrix and the row count.
inline alpha_statistics alpha_from_covariance(const Eigen::MatrixXd& c, double n_rows) {
    alpha_statistics a;
    const auto k = static_cast<double>(c.rows());
    if (c.rows() < 2) return a;
    const double vt = c.sum();
    const double trc = c.trace();
    a.raw_alpha = (1 - trc / vt) * k / (k - 1);
    const Eigen::MatrixXd c2 = c * c;
    const double q =
        (2 * k * k / ((k - 1) * (k - 1) * vt * vt * vt)) * (vt * (c2.trace() + trc * trc) - 2 * trc * c2.sum());
    a.ase = std::sqrt(q / n_rows);
    const Eigen::MatrixXd r = cov_to_cor(c);
    const double sum_r = r.sum();
    a.std_alpha = (1 - k / sum_r) * k / (k - 1);
    a.average_r = (sum_r - k) / (k * (k - 1));
    a.signal_noise = k * a.average_r / (1 - a.average_r);
    std::vector<double> lower;
    for (Eigen::Index j = 0; j < r.cols(); ++j)
        for (Eigen::Index i = j + 1; i < r.rows(); ++i) lower.push_back(r(i, j));
    a.median_r = median_of(lower);
    a.var_r = sample_variance(lower);
    const Eigen::VectorXd s = smc(r);
    if (s.size() > 0) a.g6_smc = 1 - (k - s.sum()) / sum_r;
    return a;
}

/// One-factor minres (unweighted least squares on the off-diagonal) loadings of a
/// correlation matrix, by exact coordinate descent; empty if it does not converge.
inline Eigen::VectorXd one_factor_minres(const Eigen::MatrixXd& r) {
    const Eigen::Index k = r.rows();
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(r);
    Eigen::VectorXd l = eig.eigenvectors().col(k - 1) * std::sqrt(std::max(eig.eigenvalues()(k - 1), 0.0));
    if (l.sum() < 0) l = -l;
    for (int iter = 0; iter < 100000; ++iter) {
        double change = 0;
        for (Eigen::Index i = 0; i < k; ++i) {
            double num = 0, den = 0;
            for (Eigen::Index j = 0; j < k; ++j) {
                if (j == i) continue;
                num += r(i, j) * l(j);
                den += l(j) * l(j);
            }
            const double next = den > 0 ? num / den : 0;
            change = std::max(change, std::abs(next - l(i)));
            l(i) = next;
        }
        if (change < 1e-14) return l;
    }
    return {};
}

inline double binomial_capped(Eigen::Index n, Eigen::Index m, double cap) {
    double c = 1;
    for (Eigen::Index i = 1; i <= m; ++i) {
        c = c * static_cast<double>(n - m + i) / static_cast<double>(i);
        if (c > cap * 4) return c;
    }
    return c;
}

/// Split-half reliabilities 4 sum(R_AB)/sum(R) over all splits into halves of sizes
/// floor(k/2) and ceil(k/2), or over a seeded random sample of them.
inline split_half_statistics split_halves(const Eigen::MatrixXd& r, const reliability_options& o) {
    split_half_statistics s;
    const Eigen::Index k = r.rows();
    if (k < 2 || !r.allFinite()) return s;
    const Eigen::Index h = k / 2;
    const double total = r.sum();
    const Eigen::VectorXd rs = r.rowwise().sum();
    double distinct = binomial_capped(k, h, static_cast<double>(o.max_exhaustive_splits));
    if (k % 2 == 0) distinct /= 2;
    double sum = 0, mx = -std::numeric_limits<double>::infinity(), mn = std::numeric_limits<double>::infinity();
    std::size_t count = 0;
    std::vector<Eigen::Index> a(static_cast<std::size_t>(h));
    auto evaluate = [&] {
        double s_ab = 0;
        for (Eigen::Index i : a) {
            s_ab += rs(i);
            for (Eigen::Index j : a) s_ab -= r(i, j);
        }
        const double rel = 4 * s_ab / total;
        sum += rel;
        mx = std::max(mx, rel);
        mn = std::min(mn, rel);
        ++count;
    };
    if (distinct <= static_cast<double>(o.max_exhaustive_splits)) {
        // Combinations of h items in lexicographic order; with k even, only those holding item
        // 0, so that each split is counted once.
        for (Eigen::Index i = 0; i < h; ++i) a[static_cast<std::size_t>(i)] = i;
        for (;;) {
            if (k % 2 == 1 || a[0] == 0) evaluate();
            Eigen::Index i = h - 1;
            while (i >= 0 && a[static_cast<std::size_t>(i)] == k - h + i) --i;
            if (i < 0) break;
            ++a[static_cast<std::size_t>(i)];
            for (Eigen::Index j = i + 1; j < h; ++j)
                a[static_cast<std::size_t>(j)] = a[static_cast<std::size_t>(j - 1)] + 1;
        }
        s.exhaustive = true;
    } else {
        random_stream rng(o.seed, 0x5711);
        std::vector<Eigen::Index> perm(static_cast<std::size_t>(k));
        for (std::size_t n = 0; n < o.sampled_splits; ++n) {
            for (Eigen::Index i = 0; i < k; ++i) perm[static_cast<std::size_t>(i)] = i;
            for (Eigen::Index i = k - 1; i > 0; --i)
                std::swap(perm[static_cast<std::size_t>(i)],
                          perm[static_cast<std::size_t>(rng.below(static_cast<std::uint64_t>(i + 1)))]);
            std::copy(perm.begin(), perm.begin() + h, a.begin());
            evaluate();
        }
    }
    s.max = mx;
    s.min = mn;
    s.mean = sum / static_cast<double>(count);
    s.splits = count;
    return s;
}

/// Quantile of sorted data, R's type 7.
inline double quantile7(const std::vector<double>& sorted, double p) {
    if (sorted.empty() || !(p >= 0 && p <= 1)) return nan_value();
    const double h = (static_cast<double>(sorted.size()) - 1) * p;
    const auto lo = static_cast<std::size_t>(std::floor(h));
    const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
    return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

inline std::string item_label(const std::vector<std::string>& names, std::size_t i) {
    return i < names.size() ? names[i] : "item " + std::to_string(i + 1);
}

}  // namespace detail
}  // namespace bowlby
