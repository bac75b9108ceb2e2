// bowlby: scoring of adult-attachment questionnaires. MIT licence, see LICENSE.
//
// The scoring plan: a key and the caller's options turned into flat arrays that the scoring
// kernels walk (which subscales each item feeds, and whether reversed), built once per scorer.
#pragma once

#include "bowlby/detail/format.hpp"
#include "bowlby/error.hpp"
#include "bowlby/key.hpp"
#include "bowlby/rule.hpp"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace bowlby {

namespace detail {

struct scoring_plan {
    int n_items = 0;
    std::size_t n_subscales = 0;
    std::size_t n_scores = 0;
    response_scale scale{};
    invalid_policy on_invalid = invalid_policy::error;
    unsigned threads = 1;
    std::vector<double> missing_codes;
    // Whether the vectorised kernel applies: no raw item in a derived score, at most two
    // missing codes, and for integral scales bounds that fit an int.
    bool fast_kernel = false;
    // Item j (0-based) feeds subscales member_sub[member_begin[j] .. member_begin[j+1]).
    std::vector<int> member_begin;
    std::vector<int> member_sub;
    std::vector<unsigned char> member_rev;
    std::vector<int> sub_size;
    std::vector<int> sub_need;  // minimum answered items
    std::vector<unsigned char> sub_is_sum;
    // Items whose raw answer a derived score uses: item_slot[j] >= 0 is its slot.
    std::vector<int> item_slot;
    int n_item_slots = 0;
    struct derived_term {
        bool is_item;
        int index;  // subscale index, or item slot
        double weight;
    };
    std::vector<std::vector<derived_term>> derived;
};

inline scoring_plan make_plan(const key_view& key, const score_options& opts) {
    if (const char* problem = check_key(key)) throw key_error("key '" + std::string(key.id) + "': " + problem);
    if (!(opts.min_answered >= 0.0 && opts.min_answered <= 1.0))
        throw option_error("min_answered must be a fraction in [0, 1], got " + format_number(opts.min_answered));
    scoring_plan p;
    p.n_items = key.n_items;
    p.n_subscales = key.subscales.size();
    p.n_scores = key.n_scores();
    p.scale = opts.data_scale ? *opts.data_scale : key.scale;
    if (!(p.scale.min < p.scale.max) || !std::isfinite(p.scale.min) || !std::isfinite(p.scale.max))
        throw option_error("the data scale needs finite min < max, got " + format_number(p.scale.min) + ".." +
                           format_number(p.scale.max));
    p.on_invalid = opts.on_invalid;
    p.threads = opts.threads;
    p.missing_codes = opts.missing_codes;
    const auto n = static_cast<std::size_t>(key.n_items);
    std::vector<std::vector<std::pair<int, bool>>> members(n);
    for (std::size_t s = 0; s < key.subscales.size(); ++s) {
        const subscale_def& sub = key.subscales[s];
        for (int item : sub.items)
            members[static_cast<std::size_t>(item - 1)].emplace_back(static_cast<int>(s), contains(sub.reversed, item));
        const int size = static_cast<int>(sub.items.size());
        p.sub_size.push_back(size);
        p.sub_need.push_back(rule::needed(opts.min_answered, size));
        p.sub_is_sum.push_back(sub.agg == aggregation::sum ? 1 : 0);
    }
    p.member_begin.push_back(0);
    for (const auto& m : members) {
        for (const auto& [s, rev] : m) {
            p.member_sub.push_back(s);
            p.member_rev.push_back(rev ? 1 : 0);
        }
        p.member_begin.push_back(static_cast<int>(p.member_sub.size()));
    }
    p.item_slot.assign(n, -1);
    for (const derived_def& d : key.derived) {
        std::vector<scoring_plan::derived_term> terms;
        for (const term& t : d.terms) {
            if (t.kind == term::item) {
                int& slot = p.item_slot[static_cast<std::size_t>(t.index - 1)];
                if (slot < 0) slot = p.n_item_slots++;
                terms.push_back({true, slot, t.weight});
            } else {
                terms.push_back({false, t.index, t.weight});
            }
        }
        p.derived.push_back(std::move(terms));
    }
    p.fast_kernel = p.n_item_slots == 0 && p.missing_codes.size() <= 2 &&
                    (!p.scale.integral || (p.scale.min >= -2147483647.0 && p.scale.max <= 2147483647.0));
    return p;
}

}  // namespace detail
}  // namespace bowlby
