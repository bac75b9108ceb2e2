#include "cli.hpp"

#include <bowlby/instruments.hpp>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace bowlby_cli {

double parse_double(const std::string& text, const std::string& flag) {
    double v = 0;
    const char* end = text.data() + text.size();
    const auto res = std::from_chars(text.data(), end, v);
    if (text.empty() || res.ec != std::errc() || res.ptr != end)
        throw usage_error(flag + " takes a number, got '" + faults::shown(text) + "'");
    return v;
}

std::pair<double, double> parse_range(const std::string& text, const std::string& flag) {
    const auto colon = text.find(':');
    if (colon == std::string::npos)
        throw usage_error(flag + " takes MIN:MAX (for example 1:7), got '" + faults::shown(text) + "'");
    const double lo = parse_double(text.substr(0, colon), flag);
    const double hi = parse_double(text.substr(colon + 1), flag);
    if (!(lo < hi)) throw usage_error(flag + " needs MIN < MAX, got '" + faults::shown(text) + "'");
    return {lo, hi};
}

std::pair<double, double> parse_range_any(const std::string& text, const std::string& flag) {
    const auto colon = text.find(':');
    if (colon == std::string::npos)
        throw usage_error(flag + " takes two numbers A:B, got '" + faults::shown(text) + "'");
    return {parse_double(text.substr(0, colon), flag), parse_double(text.substr(colon + 1), flag)};
}

const bowlby::key_view& builtin_instrument(const std::string& id) {
    if (const bowlby::key_view* key = bowlby::find_instrument(id)) return *key;
    std::string ids;
    for (const auto& k : bowlby::builtin_instruments()) ids += (ids.empty() ? "" : ", ") + std::string(k.id);
    throw usage_error("unknown instrument '" + faults::shown(id) + "'; the built-in instruments are: " + ids);
}

bool parse_answer_option(const std::string& flag, args& a, bowlby::score_options& options) {
    if (flag == "--missing-code") {
        options.missing_codes.push_back(parse_double(a.value(flag), flag));
        return true;
    }
    if (flag == "--on-invalid") {
        const std::string mode = a.value(flag);
        if (mode == "error")
            options.on_invalid = bowlby::invalid_policy::error;
        else if (mode == "missing")
            options.on_invalid = bowlby::invalid_policy::missing;
        else
            throw usage_error("--on-invalid takes 'error' or 'missing', got '" + faults::shown(mode) + "'");
        return true;
    }
    return false;
}

std::uint64_t parse_seed(const std::string& text, const std::string& flag) {
    const double v = parse_double(text, flag);
    if (!(v >= 0 && v == std::floor(v) && v < 1.8e19)) throw usage_error(flag + " takes a whole number");
    return static_cast<std::uint64_t>(v);
}

std::size_t parse_byte_count(const std::string& text, const std::string& flag) {
    const double v = parse_double(text, flag);
    if (!(v >= 1 && v == std::floor(v) && v < 1e15)) throw usage_error(flag + " takes a whole number of bytes from 1");
    return static_cast<std::size_t>(v);
}

unsigned parse_threads(const std::string& text, const std::string& flag) {
    const double t = parse_double(text, flag);
    if (!(t >= 0 && t <= 1024 && t == std::floor(t))) throw usage_error(flag + " takes a whole number from 0");
    return static_cast<unsigned>(t);
}

std::string format_number(double x) {
    if (std::isnan(x)) return "nan";
    if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
    char buf[32];
    return std::string(buf, std::to_chars(buf, buf + sizeof buf, x).ptr);
}

std::vector<std::string> split(std::string_view text, char sep) {
    std::vector<std::string> out;
    std::size_t start = 0;
    for (;;) {
        const auto at = text.find(sep, start);
        out.emplace_back(text.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
        if (at == std::string_view::npos) break;
        start = at + 1;
    }
    return out;
}

std::string join_header(const std::vector<std::string>& header) {
    constexpr std::size_t most = 60;
    std::string s;
    for (std::size_t i = 0; i < header.size() && i < most; ++i) s += (i ? ", " : "") + faults::shown(header[i]);
    if (header.size() > most) s += ", ... (" + std::to_string(header.size()) + " columns)";
    return s;
}

std::vector<std::size_t> resolve_columns(const std::string& spec, const std::vector<std::string>& header,
                                         const std::string& flag) {
    auto find = [&](const std::string& name) {
        for (std::size_t i = 0; i < header.size(); ++i)
            if (header[i] == name) return i;
        throw usage_error(flag + " names column '" + faults::shown(name) +
                          "', which the file does not have; its columns are: " + join_header(header));
    };
    std::vector<std::size_t> cols;
    for (const std::string& part : split(spec, ',')) {
        if (part.empty()) throw usage_error(flag + " has an empty column name in '" + faults::shown(spec) + "'");
        const auto colon = part.find(':');
        // A span FIRST:LAST, unless a column is literally called so.
        bool literal = false;
        for (const std::string& h : header) literal = literal || h == part;
        if (colon != std::string::npos && !literal) {
            const std::size_t first = find(part.substr(0, colon));
            const std::size_t last = find(part.substr(colon + 1));
            if (last < first)
                throw usage_error(flag + ": in the span '" + faults::shown(part) +
                                  "' the last column comes before the first");
            for (std::size_t i = first; i <= last; ++i) cols.push_back(i);
        } else {
            cols.push_back(find(part));
        }
    }
    return cols;
}

}  // namespace bowlby_cli
