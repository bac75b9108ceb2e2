// bowlby: scoring of adult-attachment questionnaires. MIT licence, see LICENSE.
//
// Couples: two people's scores paired by a dyad id, and how similar partners are.
//
//     bowlby::score_table<double> t = bowlby::score("ecr", answers);     // one row per person
//     bowlby::dyad_pairing p = bowlby::pair_dyads(dyad_ids);             // or with a role column
//     bowlby::dyad_similarity s = bowlby::dyad_statistics(t, p);
//     // s.intraclass[k].r: Griffin & Gonzalez's pairwise intraclass correlation of score k
//
// A dyad is paired when it has exactly two rows (and, with a distinguishing column, two
// different values in it); every other dyad is listed in `unpaired` with its rows and why.
// Partner 1 is the dyad's first row in input order, or the row with the lower distinguishing
// value (compared as numbers when both read as numbers, otherwise byte by byte).
//
// Statistics (a dyad missing a score is left out of the statistics that need it; each gives
// the number of dyads it used):
//   indistinguishable partners: the pairwise (double-entry) intraclass correlation of Griffin
//     & Gonzalez (1995), r = sum 2 (x1 - m)(x2 - m) / sum ((x1 - m)^2 + (x2 - m)^2), m the mean
//     of all 2N scores, with z = r sqrt(N); for two different scores x and y, the
//     cross-intraclass correlation sum [(x1 - mx)(y2 - my) + (x2 - mx)(y1 - my)] /
//     sqrt(sum [(x1 - mx)^2 + (x2 - mx)^2] sum [(y1 - my)^2 + (y2 - my)^2]) over the dyads
//     with all four scores, means over those dyads.
//   distinguishable partners: Pearson's r of partner 1's score with partner 2's, for each
//     score and for each ordered pair of different scores (x of partner 1 with y of partner 2).
#pragma once

#include "bowlby/classify.hpp"
#include "bowlby/detail/dyads/pairing.hpp"
#include "bowlby/score_table.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bowlby {

/// Why a dyad id was not paired.
enum class unpaired_reason {
    one_row,             ///< a single row carries the id
    more_than_two_rows,  ///< three or more rows carry it
    equal_distinguish,   ///< two rows, with the same distinguishing value
    no_dyad_id,          ///< the row's dyad id is empty (each such row is listed alone)
};

inline std::string_view to_string(unpaired_reason r) {
    switch (r) {
        case unpaired_reason::one_row:
            return "one row";
        case unpaired_reason::more_than_two_rows:
            return "more than two rows";
        case unpaired_reason::equal_distinguish:
            return "equal distinguishing values";
        case unpaired_reason::no_dyad_id:
            return "no dyad id";
    }
    return "";
}

/// A paired dyad: its id and the 0-based rows of partner 1 and partner 2.
struct dyad_pair {
    std::string dyad;
    std::size_t row1 = 0, row2 = 0;
};

/// A dyad id that was not paired: its rows (0-based, in input order) and why.
struct unpaired_dyad {
    std::string dyad;
    std::vector<std::size_t> rows;
    unpaired_reason reason = unpaired_reason::one_row;
};

struct dyad_pairing {
    std::vector<dyad_pair> pairs;         ///< in the order each dyad first appears
    std::vector<unpaired_dyad> unpaired;  ///< in the same order
    bool distinguishable = false;         ///< partners told apart by a column
};

/// Pairs rows by dyad id; `distinguish` (one value per row, or empty) orders the partners.
/// Throws bowlby::error when `distinguish` is given with a different length.
inline dyad_pairing pair_dyads(const std::vector<std::string>& dyad_ids,
                               const std::vector<std::string>& distinguish = {}) {
    if (!distinguish.empty() && distinguish.size() != dyad_ids.size())
        throw error("pair_dyads: " + std::to_string(distinguish.size()) + " distinguishing values for " +
                    std::to_string(dyad_ids.size()) + " rows");
    dyad_pairing out;
    out.distinguishable = !distinguish.empty();
    for (const detail::id_rows& g : detail::group_rows(dyad_ids)) {
        if (g.id.empty()) {
            for (std::size_t row : g.rows) out.unpaired.push_back({g.id, {row}, unpaired_reason::no_dyad_id});
            continue;
        }
        if (g.rows.size() != 2) {
            out.unpaired.push_back(
                {g.id, g.rows, g.rows.size() == 1 ? unpaired_reason::one_row : unpaired_reason::more_than_two_rows});
            continue;
        }
        std::size_t a = g.rows[0], b = g.rows[1];
        if (out.distinguishable) {
            const int order = detail::compare_values(distinguish[a], distinguish[b]);
            if (order == 0) {
                out.unpaired.push_back({g.id, g.rows, unpaired_reason::equal_distinguish});
                continue;
            }
            if (order > 0) std::swap(a, b);
        }
        out.pairs.push_back({g.id, a, b});
    }
    return out;
}

/// The pairing of two partners' categories: the unordered pair, names in alphabetical order
/// joined by '+' ("dismissing+preoccupied", the pursuer-distancer couple); empty when either
/// partner is unclassified.
inline std::string pairing_name(category a, category b) {
    if (a == category::unclassified || b == category::unclassified) return "";
    std::string x = to_string(a), y = to_string(b);
    if (y < x) std::swap(x, y);
    return x + "+" + y;
}

/// The ten pairings of the four categories, in alphabetical order.
inline std::vector<std::string> all_pairings() {
    std::vector<std::string> out;
    for (int a = 0; a < 4; ++a)
        for (int b = a; b < 4; ++b) out.push_back(pairing_name(static_cast<category>(a), static_cast<category>(b)));
    std::sort(out.begin(), out.end());
    return out;
}

/// A correlation and the number of dyads behind it; `z` only for the intraclass correlation.
struct dyad_correlation {
    std::string x, y;  ///< the scores: partner 1's (or either's) x with partner 2's (the other's) y
    double r = std::numeric_limits<double>::quiet_NaN();
    double z = std::numeric_limits<double>::quiet_NaN();
    std::size_t n = 0;
};

struct dyad_similarity {
    bool distinguishable = false;
    /// Indistinguishable: per score, the pairwise intraclass correlation with z = r sqrt(N).
    std::vector<dyad_correlation> intraclass;
    /// Indistinguishable: per unordered pair of different scores, the cross-intraclass correlation.
    std::vector<dyad_correlation> cross_intraclass;
    /// Distinguishable: per score, Pearson's r of partner 1's with partner 2's.
    std::vector<dyad_correlation> partner;
    /// Distinguishable: per ordered pair of different scores, partner 1's x with partner 2's y.
    std::vector<dyad_correlation> cross_partner;
};

/// The similarity of partners' scores over the paired dyads of `pairing` (rows of `scores`).
inline dyad_similarity dyad_statistics(const score_table<double>& scores, const dyad_pairing& pairing) {
    dyad_similarity s;
    s.distinguishable = pairing.distinguishable;
    const auto n_scores = static_cast<std::size_t>(scores.values.cols());
    const detail::partner_columns cols(scores, pairing);
    auto named = [&](const detail::correlation_value& v, std::size_t x, std::size_t y) {
        return dyad_correlation{scores.names[x], scores.names[y], v.r, v.z, v.n};
    };
    for (std::size_t x = 0; x < n_scores; ++x) {
        if (s.distinguishable) {
            s.partner.push_back(named(detail::pearson(cols, x, x), x, x));
        } else {
            s.intraclass.push_back(named(detail::pairwise_intraclass(cols, x), x, x));
        }
        for (std::size_t y = 0; y < n_scores; ++y) {
            if (y == x) continue;
            if (s.distinguishable)
                s.cross_partner.push_back(named(detail::pearson(cols, x, y), x, y));
            else if (y > x)
                s.cross_intraclass.push_back(named(detail::cross_intraclass(cols, x, y), x, y));
        }
    }
    return s;
}

}  // namespace bowlby
