// bowlby: scoring of adult-attachment questionnaires. MIT licence, see LICENSE.
//
// Reliability statistics, computed from the sufficient statistics of an item_accumulator:
// everything R's psych::alpha reports (raw and standardized alpha, Guttman's lambda 6, the
// average and median inter-item r and their variance, signal/noise, the Duhachek-Iacobucci
// standard error, per-item statistics and the scale with each item dropped), omega total from
// a one-factor minres fit, split-half reliabilities, Guttman's lambda 2, the standard error of
// measurement, Feldt, Duhachek and bootstrap confidence intervals, and, for an instrument with
// several subscales, the scale intercorrelations and their correction for attenuation.
//
//     Eigen::MatrixXd x = ...;                        // N x k keyed answers, NaN = missing
//     bowlby::reliability_result r = bowlby::reliability(x);
//     double a = r.alpha.raw_alpha, lo = r.feldt.lower;
//
// Definitions follow psych 2.2.9 (Revelle), implemented here from the published formulas and
// checked against psych's output (tests/reference/make_reliability_fixtures.R):
// - C is the item covariance matrix (pairwise-complete by default, R's cov(use = "pairwise"),
//   or listwise), R = cov2cor(C) (each item scaled by the variance over all its answers), k the
//   number of items, Vt = sum(C).
// - raw_alpha = k/(k-1) (1 - tr(C)/Vt); std_alpha = k/(k-1) (1 - k/sum(R)); average_r =
//   (sum(R) - k) / (k(k-1)); median_r and var_r: median and sample variance of the k(k-1)/2
//   correlations; signal_noise = k average_r / (1 - average_r); g6_smc = 1 - sum(1 - smc)/sum(R)
//   with smc = 1 - 1/diag(R^-1).
// - ase (Duhachek & Iacobucci, 2004) = sqrt(Q / N), Q = 2k^2 / ((k-1)^2 Vt^3) [Vt (tr(C^2) +
//   tr(C)^2) - 2 tr(C) sum(C^2)], where N is the number of rows given (answered or not), as psych
//   uses nrow(x).
// - Person scores are the mean of each row's answered items (any number); mean and sd are over
//   the rows with at least one answer. sem = sd sqrt(1 - raw_alpha), on that mean-score scale.
// - Per item: n, mean and sd over its answered rows; raw_r = correlation of the item with the
//   person score (over the rows where the item is answered; listwise: over complete rows);
//   std_r = colSums(R)/sqrt(sum(R)); r_cor = the same with diag(R) replaced by smc; r_drop =
//   correlation of the item with the sum of the other items, from C.
// - Feldt: 1 - (1 - alpha) F^-1(p; N - 1, (N - 1)(k - 1)) for p = (1 +- level)/2; Duhachek:
//   alpha +- z ase with z the normal quantile (psych prints 1.96); bootstrap: percentiles (R's
//   type 7) of raw alpha over resampled rows.
// - omega_total = 1 - sum(1 - h^2)/sum(R'), h the loadings of one factor fitted by minres
//   (unweighted least squares on the off-diagonal) to R', the correlations with pair-specific
//   variances (R's cor(use = "pairwise"), as psych::omega uses).
// - lambda2 and split halves work on R, as psych::splitHalf does by default: lambda2 =
//   lambda1 + sqrt(k/(k-1) sum_{i!=j} R_ij^2)/sum(R); a split into halves A and B has
//   reliability 4 sum(R_AB)/sum(R); all splits when there are at most 15,000, otherwise
//   a seeded random sample of 10,000.
// - Listwise (psych's use = "complete.obs"): C, and the raw_r, over the rows answered on
//   every item; item n, mean and sd, the person scores and N stay over all rows, as in psych.
#pragma once

#include "bowlby/detail/random.hpp"
#include "bowlby/error.hpp"
#include "bowlby/item_statistics.hpp"
#include "bowlby/key.hpp"
#include "bowlby/score.hpp"

#include <Eigen/Core>
#include <Eigen/Eigenvalues>
#include <Eigen/LU>
#include <boost/math/distributions/fisher_f.hpp>
#include <boost/math/distributions/normal.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <limits>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

namespace bowlby {

/// The statistics of a scale that psych::alpha reports for the whole scale and again for
/// the scale with each item dropped.
struct alpha_statistics {
    double raw_alpha = std::numeric_limits<double>::quiet_NaN();
    double std_alpha = std::numeric_limits<double>::quiet_NaN();
    double g6_smc = std::numeric_limits<double>::quiet_NaN();
    double average_r = std::numeric_limits<double>::quiet_NaN();
    double median_r = std::numeric_limits<double>::quiet_NaN();
    double signal_noise = std::numeric_limits<double>::quiet_NaN();
    double ase = std::numeric_limits<double>::quiet_NaN();
    double var_r = std::numeric_limits<double>::quiet_NaN();
};

struct item_reliability {
    std::string name;
    double n = 0;
    double mean = std::numeric_limits<double>::quiet_NaN();
    double sd = std::numeric_limits<double>::quiet_NaN();
    double raw_r = std::numeric_limits<double>::quiet_NaN();
    double std_r = std::numeric_limits<double>::quiet_NaN();
    double r_cor = std::numeric_limits<double>::quiet_NaN();
    double r_drop = std::numeric_limits<double>::quiet_NaN();
    alpha_statistics alpha_if_dropped;
};

struct interval {
    double lower = std::numeric_limits<double>::quiet_NaN();
    double upper = std::numeric_limits<double>::quiet_NaN();
};

struct split_half_statistics {
    double max = std::numeric_limits<double>::quiet_NaN();
    double min = std::numeric_limits<double>::quiet_NaN();
    double mean = std::numeric_limits<double>::quiet_NaN();
    std::size_t splits = 0;   ///< splits evaluated
    bool exhaustive = false;  ///< all splits (true) or a seeded random sample
};

/// Everything bowlby reports about one scale. Statistics that the data cannot define are NaN,
/// and `warnings` says why (a zero-variance item, too few rows, ...).
struct reliability_result {
    std::string name;
    int n_items = 0;
    double n = 0;           ///< rows given (psych's N for ase and the Feldt interval)
    double n_complete = 0;  ///< rows answered on every item
    alpha_statistics alpha;
    double mean = std::numeric_limits<double>::quiet_NaN();  ///< of the person scores
    double sd = std::numeric_limits<double>::quiet_NaN();
    double sem = std::numeric_limits<double>::quiet_NaN();
    double omega_total = std::numeric_limits<double>::quiet_NaN();
    double lambda2 = std::numeric_limits<double>::quiet_NaN();
    split_half_statistics split_half;
    double ci_level = 0.95;
    interval feldt;
    interval duhachek;
    std::optional<interval> bootstrap;  ///< when asked for
    std::size_t bootstrap_repetitions = 0;
    std::vector<item_reliability> items;
    std::vector<std::string> warnings;
};

struct reliability_options {
    missing_method missing = missing_method::pairwise;
    double ci_level = 0.95;
    /// Bootstrap repetitions (0: no bootstrap interval). Needs the data, not only an accumulator.
    std::size_t bootstrap = 0;
    std::uint64_t seed = 20261122;
    /// Threads for the bootstrap (0: all hardware threads). The result does not depend on it.
    unsigned threads = 1;
    std::size_t max_exhaustive_splits = 15000;
    std::size_t sampled_splits = 10000;
};

/// Correlations between the scales of an instrument and their correction for attenuation,
/// r / sqrt(alpha_a alpha_b) with raw alphas (psych::scoreItems' `cor` and `corrected`).
struct scale_correlations {
    std::vector<std::string> names;
    Eigen::MatrixXd r;
    Eigen::MatrixXd corrected;
};

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

/// Reliability of the scale formed by group `group` of an accumulator (every column of a
/// one-group accumulator by default). `names` label the scale's items in column order.
/// No bootstrap here: an accumulator does not hold the rows (see the matrix overload).
inline reliability_result reliability(const item_accumulator& acc, const reliability_options& o = {},
                                      const std::vector<std::string>& names = {}, int group = 0,
                                      std::string scale_name = "scale") {
    using detail::nan_value;
    if (!(o.ci_level > 0 && o.ci_level < 1)) throw option_error("ci_level must lie strictly between 0 and 1");
    if (o.sampled_splits == 0) throw option_error("sampled_splits must be at least 1");
    reliability_result res;
    res.name = std::move(scale_name);
    res.ci_level = o.ci_level;
    const std::vector<Eigen::Index>& cols = acc.group_columns(group);
    const auto k = static_cast<Eigen::Index>(cols.size());
    res.n_items = static_cast<int>(k);
    res.n = acc.rows();
    res.n_complete = acc.group_complete_rows(group);
    auto warn = [&](std::string w) { res.warnings.push_back(std::move(w)); };

    // Items: counts, means and sds over their own answered rows.
    bool usable = true;
    for (Eigen::Index a = 0; a < k; ++a) {
        const auto i = cols[static_cast<std::size_t>(a)];
        item_reliability it;
        it.name = detail::item_label(names, static_cast<std::size_t>(a));
        const moments m = acc.pair(i, i);
        it.n = m.n;
        if (m.n >= 1) it.mean = m.mean_x(acc.shift());
        if (m.n >= 2) it.sd = std::sqrt(std::max(m.var_x(), 0.0));
        if (m.n == 0) {
            warn("item " + it.name + " has no answers");
            usable = false;
        } else if (m.n >= 2 && m.var_x() <= 0) {
            warn("item " + it.name + " has zero variance (every answer is the same): its correlations are undefined");
        }
        res.items.push_back(std::move(it));
    }
    const moments person = acc.person_scores(group);
    if (person.n >= 1) res.mean = person.mean_x(acc.shift());
    if (person.n >= 2) res.sd = std::sqrt(std::max(person.var_x(), 0.0));

    if (k < 2) {
        warn("a scale needs at least two items for reliability statistics");
        return res;
    }
    if (res.n < 3) {
        warn("fewer than 3 rows: reliability statistics are not computed");
        return res;
    }
    if (!usable) return res;
    const Eigen::MatrixXd c = acc.covariance(cols, o.missing, group);
    if (o.missing == missing_method::listwise && res.n_complete < 3) {
        warn("fewer than 3 rows answer every item: listwise statistics are not computed");
        return res;
    }
    for (Eigen::Index a = 0; a < k; ++a)
        for (Eigen::Index b = 0; b < a; ++b)
            if (std::isnan(c(a, b)))
                warn("items " + res.items[static_cast<std::size_t>(a)].name + " and " +
                     res.items[static_cast<std::size_t>(b)].name + " are answered together by fewer than 2 rows");

    res.alpha = detail::alpha_from_covariance(c, res.n);
    const auto kd = static_cast<double>(k);
    if ((c.sum() - c.trace()) / (kd * (kd - 1)) < 0)
        warn(
            "the average inter-item covariance is negative, so alpha is negative and not a reliability: check the "
            "reverse keying");
    const Eigen::MatrixXd r = detail::cov_to_cor(c);
    const Eigen::VectorXd smc = detail::smc(r);
    if (smc.size() == 0 && r.allFinite()) warn("the correlation matrix is singular: g6_smc and r_cor are not computed");
    res.sem = res.sd * std::sqrt(1 - res.alpha.raw_alpha);
    if (res.alpha.raw_alpha > 1 || res.alpha.raw_alpha < 0) res.sem = nan_value();

    // Per item.
    const double vt = c.sum();
    const double sum_r = r.sum();
    Eigen::MatrixXd rs = r;
    if (smc.size() > 0) rs.diagonal() = smc;
    const double sum_rs = rs.sum();
    for (Eigen::Index a = 0; a < k; ++a) {
        item_reliability& it = res.items[static_cast<std::size_t>(a)];
        const moments mt = acc.item_total(cols[static_cast<std::size_t>(a)], o.missing);
        if (mt.n >= 2) it.raw_r = mt.cor();
        it.std_r = r.col(a).sum() / std::sqrt(sum_r);
        if (smc.size() > 0) it.r_cor = rs.col(a).sum() / std::sqrt(sum_rs);
        const double ci = c.col(a).sum();
        it.r_drop = (ci - c(a, a)) / std::sqrt(c(a, a) * (vt - 2 * ci + c(a, a)));
        if (k > 2) {
            std::vector<Eigen::Index> keep;
            for (Eigen::Index b = 0; b < k; ++b)
                if (b != a) keep.push_back(b);
            Eigen::MatrixXd cd(k - 1, k - 1);
            for (Eigen::Index x = 0; x < k - 1; ++x)
                for (Eigen::Index y = 0; y < k - 1; ++y)
                    cd(x, y) = c(keep[static_cast<std::size_t>(x)], keep[static_cast<std::size_t>(y)]);
            it.alpha_if_dropped = detail::alpha_from_covariance(cd, res.n);
        }
    }
    if (k == 2) warn("with two items, the statistics with an item dropped are not defined");

    // Omega total from one minres factor of the pair-specific correlations.
    if (k >= 3) {
        const Eigen::MatrixXd rp = acc.correlation(cols, o.missing, group);
        const Eigen::VectorXd l = rp.allFinite() ? detail::one_factor_minres(rp) : Eigen::VectorXd();
        if (l.size() == 0) {
            warn("the one-factor fit for omega did not converge: omega_total is not computed");
        } else {
            res.omega_total = 1 - (1 - l.array().square()).sum() / rp.sum();
            if ((l.array().square() > 1).any())
                warn("the one-factor fit has a loading above 1 (a Heywood case): omega_total is doubtful");
        }
    } else {
        warn("omega_total needs at least 3 items (one factor is not identified by 2)");
    }

    // Lambda 2 and split halves on R.
    if (r.allFinite()) {
        const double lambda1 = 1 - kd / sum_r;
        const double off2 = r.array().square().sum() - kd;
        res.lambda2 = lambda1 + std::sqrt(kd / (kd - 1) * off2) / sum_r;
        res.split_half = detail::split_halves(r, o);
    }

    // Confidence intervals.
    const double p_low = (1 - o.ci_level) / 2, p_high = (1 + o.ci_level) / 2;
    if (std::isfinite(res.alpha.raw_alpha)) {
        const double df1 = res.n - 1, df2 = (res.n - 1) * (kd - 1);
        const boost::math::fisher_f_distribution<double> f(df1, df2);
        res.feldt.lower = 1 - (1 - res.alpha.raw_alpha) * boost::math::quantile(f, p_high);
        res.feldt.upper = 1 - (1 - res.alpha.raw_alpha) * boost::math::quantile(f, p_low);
        const double z = boost::math::quantile(boost::math::normal_distribution<double>(), p_high);
        res.duhachek.lower = res.alpha.raw_alpha - z * res.alpha.ase;
        res.duhachek.upper = res.alpha.raw_alpha + z * res.alpha.ase;
    }
    return res;
}

/// Percentile bootstrap interval of raw alpha: `repetitions` resamples of the rows (with
/// replacement), each with its own random stream derived from (seed, repetition), so the
/// result is the same for the same seed whatever the number of threads.
template <class Derived>
interval bootstrap_alpha(const Eigen::MatrixBase<Derived>& items, const reliability_options& o,
                         std::vector<std::string>* warnings = nullptr) {
    if (!(o.ci_level > 0 && o.ci_level < 1)) throw option_error("ci_level must lie strictly between 0 and 1");
    const Eigen::Index n = items.rows(), k = items.cols();
    if (n < 1 || k < 2) throw shape_error("the bootstrap needs at least one row and two items");
    const Eigen::MatrixXd x = items.template cast<double>();
    std::vector<double> alphas(o.bootstrap, detail::nan_value());
    std::vector<Eigen::Index> cols(static_cast<std::size_t>(k));
    for (Eigen::Index i = 0; i < k; ++i) cols[static_cast<std::size_t>(i)] = i;
    auto run = [&](std::size_t first, std::size_t step) {
        Eigen::VectorXd w(n);
        for (std::size_t b = first; b < o.bootstrap; b += step) {
            detail::random_stream rng(o.seed, b);
            w.setZero();
            for (Eigen::Index i = 0; i < n; ++i)
                w(static_cast<Eigen::Index>(rng.below(static_cast<std::uint64_t>(n)))) += 1;
            item_accumulator acc(k);
            acc.add_weighted(x, w);
            const Eigen::MatrixXd c = acc.covariance(cols, o.missing, 0);
            if (c.allFinite()) alphas[b] = detail::alpha_from_covariance(c, acc.rows()).raw_alpha;
        }
    };
    unsigned threads = o.threads == 0 ? std::max(1u, std::thread::hardware_concurrency()) : o.threads;
    threads = static_cast<unsigned>(std::min<std::size_t>(threads, std::max<std::size_t>(o.bootstrap, 1)));
    if (threads <= 1) {
        run(0, 1);
    } else {
        // An exception in a worker (out of memory, say) is carried to this thread and
        // rethrown once every worker has been joined.
        std::vector<std::exception_ptr> failures(threads);
        auto guarded = [&](unsigned t) {
            try {
                run(t, threads);
            } catch (...) {
                failures[t] = std::current_exception();
            }
        };
        std::vector<std::thread> pool;
        try {
            for (unsigned t = 0; t < threads; ++t) pool.emplace_back(guarded, t);
        } catch (...) {
            for (auto& t : pool) t.join();
            throw;
        }
        for (auto& t : pool) t.join();
        for (const auto& f : failures)
            if (f) std::rethrow_exception(f);
    }
    std::vector<double> ok;
    for (double a : alphas)
        if (std::isfinite(a)) ok.push_back(a);
    if (warnings && ok.size() < alphas.size())
        warnings->push_back(std::to_string(alphas.size() - ok.size()) +
                            " bootstrap resamples gave no alpha and were left out");
    std::sort(ok.begin(), ok.end());
    return {detail::quantile7(ok, (1 - o.ci_level) / 2), detail::quantile7(ok, (1 + o.ci_level) / 2)};
}

/// Reliability of an N x k matrix of keyed answers (NaN = missing), with the bootstrap
/// interval when o.bootstrap > 0.
template <class Derived>
reliability_result reliability(const Eigen::MatrixBase<Derived>& items, const reliability_options& o = {},
                               const std::vector<std::string>& names = {}, std::string scale_name = "scale") {
    static_assert(std::is_floating_point_v<typename Derived::Scalar>,
                  "keyed answers are floating point, NaN = missing");
    item_accumulator acc(items.cols());
    acc.add(items);
    reliability_result res = reliability(acc, o, names, 0, std::move(scale_name));
    if (o.bootstrap > 0 && res.n >= 3 && res.n_items >= 2) {
        res.bootstrap = bootstrap_alpha(items, o, &res.warnings);
        res.bootstrap_repetitions = o.bootstrap;
    }
    return res;
}

/// Streams an instrument's raw answers into the sufficient statistics of all its subscales
/// at once: each subscale's items, reverse keyed on the data's scale, with missing codes and
/// invalid answers handled as the scorer handles them (score_options). An item that belongs to
/// two subscales (RSQ item 6) is a column in each. Like std::string_view, it refers to the key
/// it is given: a questionnaire's key must outlive it (built-in keys always do).
class instrument_accumulator {
public:
    instrument_accumulator(const key_view& key, const score_options& options = {})
        : key_(key), plan_(detail::make_plan(key, options)) {
        std::vector<int> group;
        for (std::size_t s = 0; s < key.subscales.size(); ++s)
            for (int item : key.subscales[s].items) {
                group.push_back(static_cast<int>(s));
                source_.push_back(item - 1);
                reversed_.push_back(detail::contains(key.subscales[s].reversed, item));
            }
        acc_ = item_accumulator(static_cast<Eigen::Index>(group.size()), plan_.scale.midpoint(), group);
    }

    /// Adds N x n_items raw answers (as given to the scorer).
    template <class Derived>
    void add(const Eigen::MatrixBase<Derived>& answers) {
        using T = typename Derived::Scalar;
        const typename Eigen::internal::nested_eval<Derived, 1>::type x = answers.derived();
        if (x.cols() != plan_.n_items)
            throw shape_error("expected " + std::to_string(plan_.n_items) + " item columns, got " +
                              std::to_string(x.cols()));
        const auto m = static_cast<Eigen::Index>(source_.size());
        const double reflect = plan_.scale.min + plan_.scale.max;
        const double lo = plan_.scale.min, hi = plan_.scale.max;
        const bool integral = plan_.scale.integral;
        const bool codes = !plan_.missing_codes.empty();
        if constexpr (std::is_same_v<T, std::uint8_t>) {
            add_bytes(x, reflect);
            return;
        }
        keyed_.resize(x.rows(), m);
        keyed_in_halves_ = false;
        // Row by row (rows of the keyed matrix are contiguous); answers on the scale, the usual
        // case, are checked with two comparisons and, on whole-number scales, one rounding,
        // everything else by the general rules.
        for (Eigen::Index r = 0; r < x.rows(); ++r) {
            double* out = keyed_.row(r).data();
            for (Eigen::Index c = 0; c < m; ++c) {
                const Eigen::Index j = source_[static_cast<std::size_t>(c)];
                const bool rev = reversed_[static_cast<std::size_t>(c)];
                const T raw = x.coeff(r, j);
                const auto xv = static_cast<double>(raw);
                double v = std::numeric_limits<double>::quiet_NaN();
                // (x + 1.5 * 2^52) - 1.5 * 2^52 == x holds for whole numbers below 2^51 (and for
                // no fraction): a rounding without a library call.
                if (!codes && xv >= lo && xv <= hi &&
                    (!integral || (xv + 6755399441055744.0) - 6755399441055744.0 == xv)) {
                    v = rev ? reflect - xv : xv;
                } else {
                    const detail::cell cl = detail::classify(plan_, raw);
                    if (cl == detail::cell::answered)
                        v = rev ? reflect - xv : xv;
                    else if (cl != detail::cell::missing && plan_.on_invalid == invalid_policy::error)
                        detail::throw_invalid(plan_, r, j, xv, cl);
                }
                out[c] = v;
            }
        }
        acc_.add(keyed_);
    }

    void merge(const instrument_accumulator& other) { acc_.merge(other.acc_); }
    const item_accumulator& items() const noexcept { return acc_; }
    const key_view& key() const noexcept { return key_; }
    /// The keyed answers of the last chunk added (rows x columns of all subscales, NaN =
    /// missing), as a new matrix.
    Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> last_keyed() const {
        if (!keyed_in_halves_) return keyed_;
        // Kept as halves, h = 2 (x - midpoint): x = h / 2 + midpoint, exactly.
        const double nan = std::numeric_limits<double>::quiet_NaN(), shift = acc_.shift();
        Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> out(halves_rows_, acc_.items());
        const std::int16_t* h = halves_.data();
        for (Eigen::Index r = 0; r < out.rows(); ++r)
            for (Eigen::Index c = 0; c < out.cols(); ++c, ++h)
                out(r, c) = *h == item_accumulator::missing_half ? nan : 0.5 * *h + shift;
        return out;
    }
    /// The columns of subscale s, as 1-based item numbers.
    std::vector<std::string> item_names(std::size_t s, const std::vector<std::string>& column_names = {}) const {
        std::vector<std::string> names;
        for (int item : key_.subscales[s].items) {
            const auto i = static_cast<std::size_t>(item - 1);
            if (i < column_names.size())
                names.push_back(column_names[i]);
            else if (!key_.item_names.empty())
                names.emplace_back(key_.item_names[i]);
            else
                names.push_back("item" + std::to_string(item));
        }
        return names;
    }

private:
    // Bytes: each of the 256 values is classified once (missing codes, scale), so a cell costs
    // a table look-up; the keyed values and errors are those of the general rules.
    template <class Matrix>
    void add_bytes(const Matrix& x, double reflect) {
        const double nan = std::numeric_limits<double>::quiet_NaN();
        std::array<double, 512> value{};  // [2 b]: byte b as it is, [2 b + 1]: reverse keyed
        std::array<detail::cell, 256> kind{};
        bool any_invalid = false;
        for (std::size_t b = 0; b < 256; ++b) {
            kind[b] = detail::classify(plan_, static_cast<std::uint8_t>(b));
            const bool answered = kind[b] == detail::cell::answered;
            const auto v = static_cast<double>(b);
            value[2 * b] = answered ? v : nan;
            value[2 * b + 1] = answered ? reflect - v : nan;
            any_invalid = any_invalid || (!answered && kind[b] != detail::cell::missing);
        }
        const bool check = any_invalid && plan_.on_invalid == invalid_policy::error;
        const auto m = static_cast<Eigen::Index>(source_.size());
        const std::vector<std::size_t> rev(reversed_.begin(), reversed_.end());
        // Where every answered byte is a small whole number of halves from the midpoint (any
        // questionnaire's scale), the keyed answers go to the accumulator as halves, as its
        // add() would turn their doubles into (item_accumulator::to_halves): the same sums.
        std::array<std::int16_t, 512> half{};
        bool halves =
            m <= detail::integer_moments_max_items && detail::integer_moments().load(std::memory_order_relaxed);
        for (std::size_t i = 0; i < 512 && halves; ++i) halves = acc_.to_half(value[i], half[i]);
        keyed_in_halves_ = halves;
        // Keys every cell into `out` (rows m apart) from `table`, checking the invalid ones.
        const auto key_cells = [&](auto* out, const auto& table) {
            for (Eigen::Index r = 0; r < x.rows(); ++r, out += m)
                for (Eigen::Index c = 0; c < m; ++c) {
                    const Eigen::Index j = source_[static_cast<std::size_t>(c)];
                    const std::size_t b = x.coeff(r, j);
                    out[c] = table[2 * b + rev[static_cast<std::size_t>(c)]];
                    if (check && kind[b] != detail::cell::answered && kind[b] != detail::cell::missing)
                        detail::throw_invalid(plan_, r, j, static_cast<double>(b), kind[b]);
                }
        };
        if (halves) {
            halves_rows_ = x.rows();
            halves_.resize(static_cast<std::size_t>(x.rows() * m));
            key_cells(halves_.data(), half);
            acc_.add_halves_rows(halves_.data(), x.rows());
            return;
        }
        keyed_.resize(x.rows(), m);
        key_cells(keyed_.data(), value);
        acc_.add(keyed_);
    }

    key_view key_;
    detail::scoring_plan plan_;
    std::vector<Eigen::Index> source_;
    std::vector<bool> reversed_;
    item_accumulator acc_;
    // The last chunk's keyed answers: as doubles, or (bytes, keyed_in_halves_) as halves.
    Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> keyed_;
    std::vector<std::int16_t> halves_;
    Eigen::Index halves_rows_ = 0;
    bool keyed_in_halves_ = false;
};

/// Reliability of every subscale of an instrument (column_names: the data's names of the
/// instrument's items, in item order, for labelling).
inline std::vector<reliability_result> reliability(const instrument_accumulator& acc, const reliability_options& o = {},
                                                   const std::vector<std::string>& column_names = {}) {
    std::vector<reliability_result> out;
    const key_view& key = acc.key();
    for (std::size_t s = 0; s < key.subscales.size(); ++s)
        out.push_back(reliability(acc.items(), o, acc.item_names(s, column_names), static_cast<int>(s),
                                  std::string(key.subscales[s].name)));
    return out;
}

/// Correlations between the subscales (as sums of their keyed items, from the item
/// covariances: pairwise, or over the rows complete on every item of the instrument) and
/// their correction for attenuation by the subscales' raw alphas.
inline scale_correlations intercorrelations(const instrument_accumulator& acc,
                                            const std::vector<reliability_result>& scales,
                                            missing_method method = missing_method::pairwise) {
    const item_accumulator& it = acc.items();
    if (scales.size() != static_cast<std::size_t>(it.groups()))
        throw shape_error("intercorrelations need the reliability results of every subscale, in order");
    std::vector<Eigen::Index> all(static_cast<std::size_t>(it.items()));
    for (Eigen::Index i = 0; i < it.items(); ++i) all[static_cast<std::size_t>(i)] = i;
    const Eigen::MatrixXd c = it.covariance(all, method, -1);
    const int g = it.groups();
    Eigen::MatrixXd keys = Eigen::MatrixXd::Zero(it.items(), g);
    for (int s = 0; s < g; ++s)
        for (Eigen::Index i : it.group_columns(s)) keys(i, s) = 1;
    const Eigen::MatrixXd v = keys.transpose() * c * keys;
    scale_correlations out;
    for (int s = 0; s < g; ++s) out.names.emplace_back(acc.key().subscales[static_cast<std::size_t>(s)].name);
    out.r = detail::cov_to_cor(v);
    out.corrected = out.r;
    for (int a = 0; a < g; ++a)
        for (int b = 0; b < g; ++b)
            if (a != b)
                out.corrected(a, b) = out.r(a, b) / std::sqrt(scales[static_cast<std::size_t>(a)].alpha.raw_alpha *
                                                              scales[static_cast<std::size_t>(b)].alpha.raw_alpha);
    return out;
}

}  // namespace bowlby
