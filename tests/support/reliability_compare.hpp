// Compares bowlby's reliability JSON (one scale) with psych's values from a long-form
// fixture (dataset,method,field,item,value; tests/reference/make_reliability_fixtures.R).
#pragma once

#include "test_support.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

namespace test_support {

struct psych_value {
    std::string dataset, method, field, item;
    double value;
};

inline std::vector<psych_value> read_psych_fixture(const std::string& text) {
    std::vector<psych_value> out;
    const auto rows = read_simple_csv(text);
    for (std::size_t r = 1; r < rows.size(); ++r) {
        const auto& f = rows[r];
        if (f.size() != 5) continue;
        out.push_back({f[0], f[1], f[2], f[3], std::stod(f[4])});
    }
    return out;
}

struct comparison {
    std::size_t compared = 0;
    std::size_t expected = 0;
    std::vector<std::string> failures;
};

/// Looks up a fixture field in a scale's JSON: "raw_alpha", "split_half.max", "feldt.lower",
/// or an item's "raw_r", "alpha_if_dropped.ase".
inline const nlohmann::json* find_field(const nlohmann::json& scale, const std::string& field,
                                        const std::string& item) {
    const nlohmann::json* base = &scale;
    if (!item.empty()) {
        base = nullptr;
        for (const auto& it : scale["items"])
            if (it["name"] == item) base = &it;
        if (base == nullptr) return nullptr;
    }
    static const std::map<std::string, std::pair<std::string, int>> ci = {{"feldt.lower", {"feldt", 0}},
                                                                          {"feldt.upper", {"feldt", 1}},
                                                                          {"duhachek.lower", {"duhachek", 0}},
                                                                          {"duhachek.upper", {"duhachek", 1}}};
    if (item.empty() && ci.count(field)) {
        const auto& [name, index] = ci.at(field);
        return &(*base)["ci"][name][static_cast<std::size_t>(index)];
    }
    const auto dot = field.find('.');
    if (dot != std::string::npos) {
        const auto& outer = (*base)[field.substr(0, dot)];
        return outer.contains(field.substr(dot + 1)) ? &outer[field.substr(dot + 1)] : nullptr;
    }
    return base->contains(field) ? &(*base)[field] : nullptr;
}

/// Compares every fixture value of (dataset, method), except the fields in `skip`, to 1e-9
/// (relative where |value| > 1), omega_total to 1e-6 (psych fits it iteratively).
inline comparison compare_with_psych(const nlohmann::json& scale, const std::vector<psych_value>& fixture,
                                     const std::string& dataset, const std::string& method,
                                     const std::set<std::string>& skip = {}) {
    comparison c;
    for (const psych_value& v : fixture) {
        if (v.dataset != dataset || v.method != method || skip.count(v.field)) continue;
        ++c.expected;
        const std::string what = dataset + "/" + method + " " + v.field + (v.item.empty() ? "" : " [" + v.item + "]");
        const nlohmann::json* got = find_field(scale, v.field, v.item);
        if (got == nullptr || !got->is_number()) {
            c.failures.push_back(what + ": missing or null in bowlby's output");
            continue;
        }
        const double tol = v.field == "omega_total" ? 1e-6 : 1e-9;
        const double g = got->get<double>();
        ++c.compared;
        if (!close(g, v.value, tol))
            c.failures.push_back(what + ": bowlby " + std::to_string(g) + ", psych " + std::to_string(v.value) +
                                 " (diff " + std::to_string(g - v.value) + ")");
    }
    return c;
}

}  // namespace test_support
