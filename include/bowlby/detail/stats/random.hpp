// bowlby: scoring of adult-attachment questionnaires. MIT licence, see LICENSE.
//
// Reproducible random numbers: std::mt19937_64 (whose output sequence the C++ standard
// fixes) seeded through splitmix64, and an unbiased bounded draw written out here (the
// standard's distributions are not the same across library implementations). A stream is
// identified by (seed, stream number), so that work split across threads draws the same
// numbers whatever the thread count.
#pragma once

#include <cstdint>
#include <random>

namespace bowlby::detail {

inline std::uint64_t splitmix64(std::uint64_t x) noexcept {
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

class random_stream {
public:
    random_stream(std::uint64_t seed, std::uint64_t stream) : engine_(splitmix64(splitmix64(seed) ^ stream)) {}

    /// Uniform on 0 .. n - 1 (n >= 1), without bias (rejection of the incomplete last range).
    std::uint64_t below(std::uint64_t n) {
        const std::uint64_t limit = UINT64_MAX - UINT64_MAX % n;
        std::uint64_t x = engine_();
        while (x >= limit) x = engine_();
        return x % n;
    }

private:
    std::mt19937_64 engine_;
};

}  // namespace bowlby::detail
