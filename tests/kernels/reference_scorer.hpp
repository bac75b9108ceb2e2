// A plain scorer written from the definition in docs/library.md ("Missing answers"), knowing
// nothing of bowlby's code: one respondent at a time, item by item, in doubles. The property
// tests in test_kernels_vs_reference.cpp hold every kernel of the library to it.
//
// The definition, as read here:
// - an answer is missing when it is NaN or one of the missing codes; otherwise it is invalid
//   when it is infinite, outside [min, max] of the scale in force, or a fraction on an
//   integral scale; invalid answers count as missing (invalid_policy::missing);
// - a reversed item counts as (min + max) - x;
// - a subscale is the mean of its answered items (a sum subscale: that mean times its item
//   count) when at least one item is answered and answered / items >= min_answered, else
//   missing (NaN, insufficient); complete when every item is answered, else prorated.
//   The share is compared as anyone would write it, in doubles: answered / items, correctly
//   rounded, is the double nearest the true share, so it equals a min_answered written as that
//   decimal (0.8 for 4 of 5, 0.7 for 7 of 10) and the rule holds exactly for such fractions;
// - a derived score is the weighted sum of its parts, in the order given (a subscale's score,
//   or an item's raw, unreversed answer); missing when any part is; its status the least
//   complete of its parts (an item: complete when answered, else insufficient); its answered
//   count the sum of its parts' counts (an item: 1 when answered);
// - items are added in item order (1, 2, ...), whatever order a subscale lists them in.
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace reference {

struct subscale {
    std::vector<int> items, reversed;  // 1-based
    bool sum = false;
};
struct part {
    bool is_item;  // else a subscale
    int index;     // item: 1-based; subscale: 0-based
    double weight;
};
struct key {
    int n_items = 0;
    double min = 1, max = 7;  // the scale in force (a data_scale given to the library, else the key's)
    bool integral = true;
    std::vector<subscale> subscales;
    std::vector<std::vector<part>> derived;
    std::vector<double> missing_codes;
    double min_answered = 0.5;
};
enum status { complete = 0, prorated = 1, insufficient = 2 };
struct score {
    double value;
    int answered;
    int status;
};

inline bool has(const std::vector<int>& v, int x) { return std::find(v.begin(), v.end(), x) != v.end(); }
inline bool is_missing(const key& k, double x) {
    return std::isnan(x) || std::find(k.missing_codes.begin(), k.missing_codes.end(), x) != k.missing_codes.end();
}
inline bool is_invalid(const key& k, double x) {
    return !is_missing(k, x) && (std::isinf(x) || x < k.min || x > k.max || (k.integral && x != std::floor(x)));
}
// The answer as scored: NaN when missing or invalid.
inline double answer(const key& k, double x) {
    return is_missing(k, x) || is_invalid(k, x) ? std::numeric_limits<double>::quiet_NaN() : x;
}

inline std::vector<score> score_row(const key& k, const std::vector<double>& row) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    std::vector<score> out;
    for (const subscale& s : k.subscales) {
        score sc{0, 0, complete};
        double sum = 0;
        for (int item = 1; item <= k.n_items; ++item) {
            if (!has(s.items, item)) continue;
            const double x = answer(k, row[static_cast<std::size_t>(item - 1)]);
            if (std::isnan(x)) continue;
            sum += has(s.reversed, item) ? (k.min + k.max) - x : x;
            ++sc.answered;
        }
        const double n = sc.answered, size = static_cast<double>(s.items.size());
        const bool enough = n >= 1 && n / size >= k.min_answered;
        const double mean = sum / n;
        sc.status = !enough ? insufficient : n < size ? prorated : complete;
        sc.value = !enough ? nan : s.sum ? mean * size : mean;
        out.push_back(sc);
    }
    for (const std::vector<part>& d : k.derived) {
        score sc{0, 0, complete};
        for (const part& p : d) {
            score of = p.is_item ? score{answer(k, row[static_cast<std::size_t>(p.index - 1)]), 1, complete}
                                 : out[static_cast<std::size_t>(p.index)];
            if (p.is_item && std::isnan(of.value)) of = {nan, 0, insufficient};
            sc.value += p.weight * of.value;
            sc.status = std::max(sc.status, of.status);
            sc.answered += of.answered;
        }
        if (sc.status == insufficient) sc.value = nan;
        out.push_back(sc);
    }
    return out;
}

}  // namespace reference
