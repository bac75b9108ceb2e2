// bowlby: scoring of adult-attachment questionnaires. MIT licence, see LICENSE.
#pragma once

#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace bowlby::detail {

/// Shortest text that reads back as the same double ("3.5", "0.1", "1e+300"); "nan"/"inf".
inline std::string format_number(double x) {
    if (std::isnan(x)) return "nan";
    if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
    std::array<char, 32> buf{};
#if defined(__cpp_lib_to_chars) && __cpp_lib_to_chars >= 201611L
    const auto res = std::to_chars(buf.data(), buf.data() + buf.size(), x);
    return std::string(buf.data(), res.ptr);
#else
    // Standard libraries without floating-point to_chars (LLVM 14's libc++, as in Emscripten
    // 3.1.6): the fewest significant digits, from 15 up, that read back as the same double.
    for (int digits = 15;; ++digits) {
        std::snprintf(buf.data(), buf.size(), "%.*g", digits, x);
        if (digits == 17 || std::strtod(buf.data(), nullptr) == x) return std::string(buf.data());
    }
#endif
}

}  // namespace bowlby::detail
