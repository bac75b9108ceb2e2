// bowlby: scoring of adult-attachment questionnaires. MIT licence, see LICENSE.
//
// What an instrument accumulator's totals mean: the key that grouped and reversed its columns,
// and the scale in force, which reverse keys the answers (min + max - x) and shifts them (by its
// midpoint). Two accumulators merge, and bytes load into an accumulator, only when their
// signatures agree; the difference, when there is one, is said in a sentence. How answers were
// read (missing codes, the invalid policy) is not part of it: totals of answers read with other
// missing codes mean the same (the tool reads a block of bytes with one more missing code).
#pragma once

#include "bowlby/detail/format.hpp"
#include "bowlby/detail/stats/totals.hpp"
#include "bowlby/error.hpp"
#include "bowlby/key.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bowlby::detail {

struct accumulator_signature {
    struct subscale {
        std::string name;
        std::vector<int> items, reversed;
    };
    std::string id;
    int n_items = 0;
    double scale_min = 0, scale_max = 0;
    std::vector<subscale> subscales;

    static accumulator_signature of(const key_view& key, const response_scale& scale) {
        accumulator_signature s;
        s.id = std::string(key.id);
        s.n_items = key.n_items;
        s.scale_min = scale.min;
        s.scale_max = scale.max;
        for (const subscale_def& d : key.subscales)
            s.subscales.push_back(
                {std::string(d.name), {d.items.begin(), d.items.end()}, {d.reversed.begin(), d.reversed.end()}});
        return s;
    }

    /// How `other` differs from this signature (this one's value first); empty when it does not.
    std::string difference(const accumulator_signature& other) const {
        const auto range = [](double lo, double hi) { return format_number(lo) + ".." + format_number(hi); };
        if (id != other.id) return "the instruments differ ('" + id + "' and '" + other.id + "')";
        if (n_items != other.n_items)
            return "the item counts differ (" + std::to_string(n_items) + " and " + std::to_string(other.n_items) + ")";
        if (subscales.size() != other.subscales.size())
            return "the keys of '" + id + "' differ in their number of subscales";
        for (std::size_t s = 0; s < subscales.size(); ++s) {
            const subscale &a = subscales[s], &b = other.subscales[s];
            if (a.name != b.name || a.items != b.items || a.reversed != b.reversed)
                return "the keys of '" + id + "' differ in subscale " + std::to_string(s + 1) + " ('" + a.name +
                       "' and '" + b.name + "': its name, items or reversed items)";
        }
        if (scale_min != other.scale_min || scale_max != other.scale_max)
            return "the response scales differ (" + range(scale_min, scale_max) + " and " +
                   range(other.scale_min, other.scale_max) + ")";
        return {};
    }

    /// Appends the signature to `out` (little-endian words; texts as a length and their bytes).
    void write(std::string& out) const {
        using T = accumulator_totals;
        append_text(out, id);
        T::append_u64(out, static_cast<std::uint64_t>(n_items));
        T::append_double(out, scale_min);
        T::append_double(out, scale_max);
        T::append_u64(out, subscales.size());
        for (const subscale& s : subscales) {
            append_text(out, s.name);
            append_ints(out, s.items);
            append_ints(out, s.reversed);
        }
    }

    /// Reads what write() wrote, from `in` at `at` (advanced); throws bowlby::error when the
    /// bytes end early or hold impossible counts.
    static accumulator_signature read(std::string_view in, std::size_t& at) {
        using T = accumulator_totals;
        accumulator_signature s;
        s.id = read_text(in, at);
        s.n_items = static_cast<int>(read_count(in, at, 1u << 20));
        s.scale_min = T::read_double(in, at);
        s.scale_max = T::read_double(in, at);
        const std::uint64_t n_sub = read_count(in, at, (in.size() - at) / 8);
        for (std::uint64_t k = 0; k < n_sub; ++k) {
            subscale sub;
            sub.name = read_text(in, at);
            sub.items = read_ints(in, at);
            sub.reversed = read_ints(in, at);
            s.subscales.push_back(std::move(sub));
        }
        return s;
    }

private:
    static void append_text(std::string& out, std::string_view t) {
        accumulator_totals::append_u64(out, t.size());
        out.append(t);
    }
    static void append_ints(std::string& out, const std::vector<int>& v) {
        accumulator_totals::append_u64(out, v.size());
        for (int i : v) accumulator_totals::append_u64(out, static_cast<std::uint64_t>(i));
    }
    static std::uint64_t read_count(std::string_view in, std::size_t& at, std::uint64_t most) {
        const std::uint64_t n = accumulator_totals::read_u64(in, at);
        if (n > most) throw error("instrument accumulator bytes with an impossible count (" + std::to_string(n) + ")");
        return n;
    }
    static std::string read_text(std::string_view in, std::size_t& at) {
        const std::uint64_t n = read_count(in, at, in.size() - std::min(at, in.size()));
        std::string t(in.substr(at, static_cast<std::size_t>(n)));
        at += static_cast<std::size_t>(n);
        return t;
    }
    static std::vector<int> read_ints(std::string_view in, std::size_t& at) {
        const std::uint64_t n = read_count(in, at, (in.size() - std::min(at, in.size())) / 8);
        std::vector<int> v;
        for (std::uint64_t i = 0; i < n; ++i) v.push_back(static_cast<int>(read_count(in, at, 1u << 20)));
        return v;
    }
};

}  // namespace bowlby::detail
