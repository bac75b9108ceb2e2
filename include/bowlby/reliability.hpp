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

#include "bowlby/detail/stats/formulas.hpp"
#include "bowlby/detail/stats/random.hpp"
#include "bowlby/error.hpp"
#include "bowlby/instrument_accumulator.hpp"
#include "bowlby/item_statistics.hpp"
#include "bowlby/key.hpp"
#include "bowlby/reliability_result.hpp"

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

namespace detail {

// The scale's items: counts, means and sds over their own answered rows, with a warning for an
// item without answers or without variance; false when an item has no answers.
inline bool describe_items(const item_accumulator& acc, const std::vector<Eigen::Index>& cols,
                           const std::vector<std::string>& names, reliability_result& res) {
    bool usable = true;
    for (std::size_t a = 0; a < cols.size(); ++a) {
        const auto i = cols[a];
        item_reliability it;
        it.name = item_label(names, a);
        const moments m = acc.pair(i, i);
        it.n = m.n;
        if (m.n >= 1) it.mean = m.mean_x(acc.shift());
        if (m.n >= 2) it.sd = std::sqrt(std::max(m.var_x(), 0.0));
        if (m.n == 0) {
            res.warnings.push_back("item " + it.name + " has no answers");
            usable = false;
        } else if (m.n >= 2 && m.var_x() <= 0) {
            res.warnings.push_back("item " + it.name +
                                   " has zero variance (every answer is the same): its correlations are undefined");
        }
        res.items.push_back(std::move(it));
    }
    return usable;
}

// Per item: its correlations with the person score, the standardised and smc-corrected ones,
// with the other items' sum, and the scale's statistics with the item dropped.
inline void item_statistics_of(const item_accumulator& acc, const std::vector<Eigen::Index>& cols,
                               const reliability_options& o, const Eigen::MatrixXd& c, const Eigen::MatrixXd& r,
                               const Eigen::VectorXd& smc, reliability_result& res) {
    const auto k = static_cast<Eigen::Index>(cols.size());
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
            it.alpha_if_dropped = alpha_from_covariance(cd, res.n);
        }
    }
    if (k == 2) res.warnings.push_back("with two items, the statistics with an item dropped are not defined");
}

// Omega total from one minres factor of the pair-specific correlations.
inline void omega_of(const item_accumulator& acc, const std::vector<Eigen::Index>& cols, const reliability_options& o,
                     int group, reliability_result& res) {
    if (cols.size() < 3) {
        res.warnings.push_back("omega_total needs at least 3 items (one factor is not identified by 2)");
        return;
    }
    const Eigen::MatrixXd rp = acc.correlation(cols, o.missing, group);
    const Eigen::VectorXd l = rp.allFinite() ? one_factor_minres(rp) : Eigen::VectorXd();
    if (l.size() == 0) {
        res.warnings.push_back("the one-factor fit for omega did not converge: omega_total is not computed");
        return;
    }
    res.omega_total = 1 - (1 - l.array().square()).sum() / rp.sum();
    if ((l.array().square() > 1).any())
        res.warnings.push_back("the one-factor fit has a loading above 1 (a Heywood case): omega_total is doubtful");
}

// Feldt's and Duhachek's intervals of raw alpha.
inline void intervals_of(const reliability_options& o, double kd, reliability_result& res) {
    if (!std::isfinite(res.alpha.raw_alpha)) return;
    const double p_low = (1 - o.ci_level) / 2, p_high = (1 + o.ci_level) / 2;
    const double df1 = res.n - 1, df2 = (res.n - 1) * (kd - 1);
    const boost::math::fisher_f_distribution<double> f(df1, df2);
    res.feldt.lower = 1 - (1 - res.alpha.raw_alpha) * boost::math::quantile(f, p_high);
    res.feldt.upper = 1 - (1 - res.alpha.raw_alpha) * boost::math::quantile(f, p_low);
    const double z = boost::math::quantile(boost::math::normal_distribution<double>(), p_high);
    res.duhachek.lower = res.alpha.raw_alpha - z * res.alpha.ase;
    res.duhachek.upper = res.alpha.raw_alpha + z * res.alpha.ase;
}

// Whether the statistics can be computed from covariance matrix c (warnings say why not, or
// which pairs of items lack rows).
inline bool computable(const Eigen::MatrixXd& c, const reliability_options& o, reliability_result& res) {
    if (o.missing == missing_method::listwise && res.n_complete < 3) {
        res.warnings.push_back("fewer than 3 rows answer every item: listwise statistics are not computed");
        return false;
    }
    for (Eigen::Index a = 0; a < c.rows(); ++a)
        for (Eigen::Index b = 0; b < a; ++b)
            if (std::isnan(c(a, b)))
                res.warnings.push_back("items " + res.items[static_cast<std::size_t>(a)].name + " and " +
                                       res.items[static_cast<std::size_t>(b)].name +
                                       " are answered together by fewer than 2 rows");
    return true;
}

// The whole-scale statistics from covariance matrix c and the correlations r.
inline void scale_statistics_of(const Eigen::MatrixXd& c, const Eigen::MatrixXd& r, const Eigen::VectorXd& smc,
                                const reliability_options& o, reliability_result& res) {
    const auto kd = static_cast<double>(c.rows());
    res.alpha = alpha_from_covariance(c, res.n);
    if ((c.sum() - c.trace()) / (kd * (kd - 1)) < 0)
        res.warnings.push_back(
            "the average inter-item covariance is negative, so alpha is negative and not a reliability: check the "
            "reverse keying");
    if (smc.size() == 0 && r.allFinite())
        res.warnings.push_back("the correlation matrix is singular: g6_smc and r_cor are not computed");
    res.sem = res.sd * std::sqrt(1 - res.alpha.raw_alpha);
    if (res.alpha.raw_alpha > 1 || res.alpha.raw_alpha < 0) res.sem = nan_value();
    // Lambda 2 and split halves on R.
    if (r.allFinite()) {
        const double sum_r = r.sum();
        const double lambda1 = 1 - kd / sum_r;
        const double off2 = r.array().square().sum() - kd;
        res.lambda2 = lambda1 + std::sqrt(kd / (kd - 1) * off2) / sum_r;
        res.split_half = split_halves(r, o);
    }
}

}  // namespace detail

/// Reliability of the scale formed by group `group` of an accumulator (every column of a
/// one-group accumulator by default). `names` label the scale's items in column order.
/// No bootstrap here: an accumulator does not hold the rows (see the matrix overload).
inline reliability_result reliability(const item_accumulator& acc, const reliability_options& o = {},
                                      const std::vector<std::string>& names = {}, int group = 0,
                                      std::string scale_name = "scale") {
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
    const bool usable = detail::describe_items(acc, cols, names, res);
    const moments person = acc.person_scores(group);
    if (person.n >= 1) res.mean = person.mean_x(acc.shift());
    if (person.n >= 2) res.sd = std::sqrt(std::max(person.var_x(), 0.0));
    if (k < 2) {
        res.warnings.push_back("a scale needs at least two items for reliability statistics");
        return res;
    }
    if (res.n < 3) {
        res.warnings.push_back("fewer than 3 rows: reliability statistics are not computed");
        return res;
    }
    if (!usable) return res;
    const Eigen::MatrixXd c = acc.covariance(cols, o.missing, group);
    if (!detail::computable(c, o, res)) return res;
    const Eigen::MatrixXd r = detail::cov_to_cor(c);
    const Eigen::VectorXd smc = detail::smc(r);
    detail::scale_statistics_of(c, r, smc, o, res);
    detail::item_statistics_of(acc, cols, o, c, r, smc, res);
    detail::omega_of(acc, cols, o, group, res);
    detail::intervals_of(o, static_cast<double>(k), res);
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
