// bowlby: scoring of adult-attachment questionnaires. MIT licence, see LICENSE.
//
// What bowlby::reliability returns, and its options (see bowlby/reliability.hpp).
#pragma once

#include "bowlby/item_statistics.hpp"

#include <Eigen/Core>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
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

}  // namespace bowlby
