// bowlby: scoring of adult-attachment questionnaires. MIT licence, see LICENSE.
#pragma once

#include <array>
#include <charconv>
#include <cmath>
#include <string>

namespace bowlby::detail {

/// Shortest text that reads back as the same double ("3.5", "0.1", "1e+300"); "nan"/"inf".
inline std::string format_number(double x) {
    if (std::isnan(x)) return "nan";
    if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
    std::array<char, 32> buf{};
    const auto res = std::to_chars(buf.data(), buf.data() + buf.size(), x);
    return std::string(buf.data(), res.ptr);
}

}  // namespace bowlby::detail
