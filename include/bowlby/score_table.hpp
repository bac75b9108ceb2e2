// bowlby: scoring of adult-attachment questionnaires. MIT licence, see LICENSE.
//
// What scoring returns: the scores of one respondent, and the table of N respondents' scores
// with the answered-item count and status behind each (see bowlby/rule.hpp for the rule).
#pragma once

#include "bowlby/error.hpp"
#include "bowlby/rule.hpp"

#include <Eigen/Core>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace bowlby {

/// The scores of one respondent.
template <class Scalar = double>
struct respondent_scores {
    std::vector<std::string> names;
    Eigen::Matrix<Scalar, Eigen::Dynamic, 1> values;  ///< NaN where insufficient
    Eigen::VectorXi answered;
    std::vector<score_status> status;

    /// A score by name; throws bowlby::error for an unknown name.
    Scalar value(std::string_view name) const {
        for (std::size_t s = 0; s < names.size(); ++s)
            if (names[s] == name) return values(static_cast<Eigen::Index>(s));
        throw error("no score named '" + std::string(name) + "'");
    }
};

/// The scores of N respondents: one column per score (the key's subscales, then its derived
/// scores), one row per input row.
template <class Scalar = double>
struct score_table {
    static_assert(std::is_floating_point_v<Scalar>, "scores are floating point");
    using matrix_type = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;

    std::vector<std::string> names;  ///< score names, in column order
    matrix_type values;              ///< N x scores; NaN where the status is insufficient
    Eigen::MatrixXi answered;        ///< N x scores; answered items behind each score
    Eigen::Matrix<std::uint8_t, Eigen::Dynamic, Eigen::Dynamic> status_codes;  ///< score_status values
    std::size_t invalid_cells = 0;  ///< answers treated as missing under invalid_policy::missing

    Eigen::Index rows() const noexcept { return values.rows(); }
    score_status status(Eigen::Index row, Eigen::Index score) const {
        return static_cast<score_status>(status_codes(row, score));
    }
    /// Column index of a score; throws bowlby::error for an unknown name.
    Eigen::Index index_of(std::string_view name) const {
        for (std::size_t s = 0; s < names.size(); ++s)
            if (names[s] == name) return static_cast<Eigen::Index>(s);
        throw error("no score named '" + std::string(name) + "'");
    }
    /// The column of one score, by name.
    auto column(std::string_view name) const { return values.col(index_of(name)); }
    /// The scores of one row, with names.
    respondent_scores<Scalar> row_scores(Eigen::Index row) const;
};

template <class Scalar>
respondent_scores<Scalar> score_table<Scalar>::row_scores(Eigen::Index row) const {
    respondent_scores<Scalar> r;
    r.names = names;
    r.values = values.row(row).transpose();
    r.answered = answered.row(row).transpose();
    for (Eigen::Index s = 0; s < values.cols(); ++s) r.status.push_back(status(row, s));
    return r;
}

}  // namespace bowlby
