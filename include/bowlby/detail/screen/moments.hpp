// bowlby: scoring of adult-attachment questionnaires. MIT licence, see LICENSE.
//
// The sums behind the sample statistics of screening (bowlby/screen.hpp): for every pair of
// items, the sums over the rows that answered both (pairwise correlations), and for the rows
// that answered every item, the sum vector and cross-product matrix (mean and covariance).
// Answers are shifted by the scale's midpoint before they are summed, so that whole-number
// answers give exact sums: the statistics do not depend on how the rows were split into
// blocks or threads.
#pragma once

#include <Eigen/Core>

#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

namespace bowlby {
namespace detail {
namespace screen {

class moments {
public:
    moments() = default;
    moments(Eigen::Index n_items, double shift)
        : shift_(shift),
          pair_n_(Eigen::MatrixXd::Zero(n_items, n_items)),
          pair_sx_(pair_n_),
          pair_sxx_(pair_n_),
          pair_sxy_(pair_n_),
          sum_(Eigen::VectorXd::Zero(n_items)),
          cross_(pair_n_),
          buffer_(buffer_rows, n_items),
          partial_(buffer_rows, n_items),
          answered_(buffer_rows, n_items) {}

    /// Adds one row of answers (NaN: missing) with `answered` of them answered.
    void add(const double* raw, Eigen::Index answered) {
        const Eigen::Index p = sum_.size();
        if (answered == 0) return;
        if (answered == p) {
            for (Eigen::Index i = 0; i < p; ++i) buffer_(buffered_, i) = raw[i] - shift_;
            if (++buffered_ == buffer_rows) flush();
            return;
        }
        // An incomplete row: its answers (0 where missing) and which are answered, buffered.
        for (Eigen::Index i = 0; i < p; ++i) {
            const bool has = raw[i] == raw[i];
            partial_(partial_rows_, i) = has ? raw[i] - shift_ : 0.0;
            answered_(partial_rows_, i) = has ? 1.0 : 0.0;
        }
        if (++partial_rows_ == buffer_rows) flush();
    }

    void merge(moments& other) {
        flush();
        other.flush();
        pair_n_ += other.pair_n_;
        pair_sx_ += other.pair_sx_;
        pair_sxx_ += other.pair_sxx_;
        pair_sxy_ += other.pair_sxy_;
        sum_ += other.sum_;
        cross_ += other.cross_;
        complete_ += other.complete_;
    }

    /// The buffered rows added to the sums, as matrix products: for the incomplete rows, with X
    /// their answers (0 where missing) and A their indicators of an answer, pair_n += A'A,
    /// pair_sx += X'A, pair_sxx += (X * X)'A, pair_sxy += X'X.
    void flush() {
        if (buffered_ > 0) {
            const auto rows = buffer_.topRows(buffered_);
            sum_ += rows.colwise().sum().transpose();
            cross_.noalias() += rows.transpose() * rows;
            complete_ += static_cast<double>(buffered_);
            buffered_ = 0;
        }
        if (partial_rows_ == 0) return;
        const auto x = partial_.topRows(partial_rows_);
        const auto a = answered_.topRows(partial_rows_);
        pair_n_.noalias() += a.transpose() * a;
        pair_sx_.noalias() += x.transpose() * a;
        pair_sxx_.noalias() += x.cwiseAbs2().transpose() * a;
        pair_sxy_.noalias() += x.transpose() * x;
        partial_rows_ = 0;
    }

    /// Pearson's correlation of items j and k over the rows that answered both; NaN with
    /// fewer than two such rows or no variance. Call after flush().
    double correlation(Eigen::Index j, Eigen::Index k) const {
        const double n = pair_n_(j, k) + complete_;
        const double sx = pair_sx_(j, k) + sum_(j), sy = pair_sx_(k, j) + sum_(k);
        const double sxx = pair_sxx_(j, k) + cross_(j, j), syy = pair_sxx_(k, j) + cross_(k, k);
        const double sxy = pair_sxy_(j, k) + cross_(j, k);
        const double vx = n * sxx - sx * sx, vy = n * syy - sy * sy;
        if (!(n >= 2 && vx > 0 && vy > 0)) return std::numeric_limits<double>::quiet_NaN();
        return (n * sxy - sx * sy) / std::sqrt(vx * vy);
    }

    double complete_rows() const { return complete_; }
    /// The mean of the complete rows. Call after flush().
    Eigen::VectorXd complete_mean() const { return sum_ / complete_ + Eigen::VectorXd::Constant(sum_.size(), shift_); }
    /// The covariance (n - 1) of the complete rows. Call after flush().
    Eigen::MatrixXd complete_covariance() const {
        return (cross_ - sum_ * sum_.transpose() / complete_) / (complete_ - 1);
    }

private:
    static constexpr Eigen::Index buffer_rows = 256;
    double shift_ = 0;
    // pair_*(j, k): over the incomplete rows that answered j and k; sx, sxx of item j.
    Eigen::MatrixXd pair_n_, pair_sx_, pair_sxx_, pair_sxy_;
    Eigen::VectorXd sum_;
    Eigen::MatrixXd cross_;
    double complete_ = 0;
    using rows_matrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    rows_matrix buffer_;              // complete rows waiting for flush()
    rows_matrix partial_, answered_;  // incomplete rows waiting for flush(), and their answered cells
    Eigen::Index buffered_ = 0, partial_rows_ = 0;
};

}  // namespace screen
}  // namespace detail
}  // namespace bowlby
