// bowlby: scoring of adult-attachment questionnaires. MIT licence, see LICENSE.
//
// Internals of bowlby/dyads.hpp and bowlby/change.hpp: rows grouped by id, values compared as
// numbers or text, and the correlations between partners.
#pragma once

#include "bowlby/score_table.hpp"

#include <cerrno>
#include <cmath>
#include <cstddef>
#include <cstdlib>
#include <limits>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace bowlby::detail {

/// The rows (0-based, in order) that carry one id.
struct id_rows {
    std::string id;
    std::vector<std::size_t> rows;
};

/// Rows grouped by id, the groups in the order their ids first appear.
inline std::vector<id_rows> group_rows(const std::vector<std::string>& ids) {
    std::vector<id_rows> groups;
    std::unordered_map<std::string, std::size_t> where;
    for (std::size_t row = 0; row < ids.size(); ++row) {
        const auto [it, fresh] = where.emplace(ids[row], groups.size());
        if (fresh) groups.push_back({ids[row], {}});
        groups[it->second].rows.push_back(row);
    }
    return groups;
}

/// The text as a finite number, when all of it reads as one.
inline bool read_number(const std::string& text, double& value) {
    if (text.empty()) return false;
    char* end = nullptr;
    errno = 0;
    value = std::strtod(text.c_str(), &end);
    return end == text.c_str() + text.size() && errno == 0 && std::isfinite(value);
}

/// -1, 0 or 1: a against b, as numbers when both are numbers, otherwise byte by byte.
inline int compare_values(const std::string& a, const std::string& b) {
    double x = 0, y = 0;
    if (read_number(a, x) && read_number(b, y)) return x < y ? -1 : (x > y ? 1 : 0);
    const int c = a.compare(b);
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

/// The scores of partner 1 and partner 2 of each paired dyad: dyads x scores.
struct partner_columns {
    Eigen::MatrixXd first, second;
    template <class Pairing>
    partner_columns(const score_table<double>& t, const Pairing& p)
        : first(static_cast<Eigen::Index>(p.pairs.size()), t.values.cols()),
          second(static_cast<Eigen::Index>(p.pairs.size()), t.values.cols()) {
        for (std::size_t d = 0; d < p.pairs.size(); ++d) {
            first.row(static_cast<Eigen::Index>(d)) = t.values.row(static_cast<Eigen::Index>(p.pairs[d].row1));
            second.row(static_cast<Eigen::Index>(d)) = t.values.row(static_cast<Eigen::Index>(p.pairs[d].row2));
        }
    }
};

struct correlation_value {
    double r = std::numeric_limits<double>::quiet_NaN();
    double z = std::numeric_limits<double>::quiet_NaN();
    std::size_t n = 0;
};

/// The dyads (indices) whose scores in columns a and b are present for both partners.
inline std::vector<Eigen::Index> complete_dyads(const partner_columns& c, std::size_t a, std::size_t b) {
    std::vector<Eigen::Index> use;
    const auto ia = static_cast<Eigen::Index>(a), ib = static_cast<Eigen::Index>(b);
    for (Eigen::Index d = 0; d < c.first.rows(); ++d)
        if (std::isfinite(c.first(d, ia)) && std::isfinite(c.second(d, ia)) && std::isfinite(c.first(d, ib)) &&
            std::isfinite(c.second(d, ib)))
            use.push_back(d);
    return use;
}

/// The double-entry correlation of one partner's x with the other's y (Griffin & Gonzalez,
/// 1995): x == y gives the pairwise intraclass correlation. Means over the 2N entries.
inline correlation_value double_entry(const partner_columns& c, std::size_t x, std::size_t y) {
    correlation_value v;
    const std::vector<Eigen::Index> use = complete_dyads(c, x, y);
    v.n = use.size();
    if (use.empty()) return v;
    const auto ix = static_cast<Eigen::Index>(x), iy = static_cast<Eigen::Index>(y);
    double mx = 0, my = 0;
    for (Eigen::Index d : use) {
        mx += c.first(d, ix) + c.second(d, ix);
        my += c.first(d, iy) + c.second(d, iy);
    }
    mx /= 2.0 * static_cast<double>(use.size());
    my /= 2.0 * static_cast<double>(use.size());
    double cross = 0, sxx = 0, syy = 0;
    for (Eigen::Index d : use) {
        const double x1 = c.first(d, ix) - mx, x2 = c.second(d, ix) - mx;
        const double y1 = c.first(d, iy) - my, y2 = c.second(d, iy) - my;
        cross += x1 * y2 + x2 * y1;
        sxx += x1 * x1 + x2 * x2;
        syy += y1 * y1 + y2 * y2;
    }
    // For x == y this is sum 2 (x1 - m)(x2 - m) / sum ((x1 - m)^2 + (x2 - m)^2).
    v.r = x == y ? cross / sxx : cross / std::sqrt(sxx * syy);
    return v;
}

inline correlation_value pairwise_intraclass(const partner_columns& c, std::size_t x) {
    correlation_value v = double_entry(c, x, x);
    v.z = v.r * std::sqrt(static_cast<double>(v.n));
    return v;
}

inline correlation_value cross_intraclass(const partner_columns& c, std::size_t x, std::size_t y) {
    return double_entry(c, x, y);
}

/// Pearson's r of partner 1's x with partner 2's y over the dyads that have both.
inline correlation_value pearson(const partner_columns& c, std::size_t x, std::size_t y) {
    correlation_value v;
    const auto ix = static_cast<Eigen::Index>(x), iy = static_cast<Eigen::Index>(y);
    std::vector<Eigen::Index> use;
    for (Eigen::Index d = 0; d < c.first.rows(); ++d)
        if (std::isfinite(c.first(d, ix)) && std::isfinite(c.second(d, iy))) use.push_back(d);
    v.n = use.size();
    if (use.empty()) return v;
    double mx = 0, my = 0;
    for (Eigen::Index d : use) {
        mx += c.first(d, ix);
        my += c.second(d, iy);
    }
    mx /= static_cast<double>(use.size());
    my /= static_cast<double>(use.size());
    double sxy = 0, sxx = 0, syy = 0;
    for (Eigen::Index d : use) {
        const double a = c.first(d, ix) - mx, b = c.second(d, iy) - my;
        sxy += a * b;
        sxx += a * a;
        syy += b * b;
    }
    v.r = sxy / std::sqrt(sxx * syy);
    return v;
}

}  // namespace bowlby::detail
