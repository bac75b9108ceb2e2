// bowlby: scoring of adult-attachment questionnaires. MIT licence, see LICENSE.
//
// The item accumulator's totals, declared once in BOWLBY_ACCUMULATOR_TOTALS: the members, their
// shapes, merging and the byte format all come from that one list, so a total cannot be left
// out of any of them. x is an answer minus the accumulator's shift, t a row's person score in a
// group (the mean of its answered items there, in x).
#pragma once

#include "bowlby/error.hpp"

#include <Eigen/Core>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

// X(name, shape): shape is scalar, items (a vector of k), groups (a vector of one per group)
// or pairs (a k x k matrix).
#define BOWLBY_ACCUMULATOR_TOTALS(X)                                                                   \
    X(rows, scalar) /* rows added (with their weights), answered or not */                             \
    /* Rows with a missing answer, pairwise; entry (i, j) over the rows where i and j are answered: */ \
    X(pN, pairs) /* their count */                                                                     \
    X(pS, pairs) /* sums of x_i */                                                                     \
    X(pP, pairs) /* sums of x_i^2 */                                                                   \
    X(pQ, pairs) /* sums of x_i x_j */                                                                 \
    /* Rows complete on every column: */                                                               \
    X(cN, scalar)  /* their count */                                                                   \
    X(cS, items)   /* sums of x_i */                                                                   \
    X(cQ, pairs)   /* sums of x_i x_j */                                                               \
    X(ctS, groups) /* sums of t */                                                                     \
    X(ctQ, groups) /* sums of t^2 */                                                                   \
    X(cxt, items)  /* sums of x_i t, t of the item's group */                                          \
    /* Rows complete on a group but not on every column: */                                            \
    X(gN, groups)  /* their count */                                                                   \
    X(gS, items)   /* sums of x_i */                                                                   \
    X(gQ, pairs)   /* sums of x_i x_j, i and j in the same group */                                    \
    X(gtS, groups) /* sums of t */                                                                     \
    X(gtQ, groups) /* sums of t^2 */                                                                   \
    X(gxt, items)  /* sums of x_i t */                                                                 \
    /* Rows with a missing answer: person scores per group (rows with an answer there), and per */     \
    /* item over the rows where it is answered: */                                                     \
    X(tN, groups) /* count */                                                                          \
    X(tS, groups) /* sums of t */                                                                      \
    X(tQ, groups) /* sums of t^2 */                                                                    \
    X(itS, items) /* sums of t */                                                                      \
    X(itQ, items) /* sums of t^2 */                                                                    \
    X(ixt, items) /* sums of x_i t */

namespace bowlby::detail {

enum class total_shape : std::uint8_t { scalar, items, groups, pairs };

template <total_shape S>
struct total_of {
    using type = Eigen::Matrix<long double, Eigen::Dynamic, S == total_shape::pairs ? Eigen::Dynamic : 1>;
};
template <>
struct total_of<total_shape::scalar> {
    using type = long double;
};

struct accumulator_totals {
#define BOWLBY_DECLARE_TOTAL(name, shape) typename total_of<total_shape::shape>::type name{};
    BOWLBY_ACCUMULATOR_TOTALS(BOWLBY_DECLARE_TOTAL)
#undef BOWLBY_DECLARE_TOTAL

    /// Calls f(total, shape) for every total, in the list's order.
    template <class F>
    void for_each(F&& f) {
#define BOWLBY_VISIT_TOTAL(name, shape) f(name, total_shape::shape);
        BOWLBY_ACCUMULATOR_TOTALS(BOWLBY_VISIT_TOTAL)
#undef BOWLBY_VISIT_TOTAL
    }
    template <class F>
    void for_each(F&& f) const {
#define BOWLBY_VISIT_TOTAL(name, shape) f(name, total_shape::shape);
        BOWLBY_ACCUMULATOR_TOTALS(BOWLBY_VISIT_TOTAL)
#undef BOWLBY_VISIT_TOTAL
    }
    /// Calls f(mine, theirs) for every total of this and `other`.
    template <class F>
    void for_each_pair(const accumulator_totals& other, F&& f) {
#define BOWLBY_VISIT_PAIR(name, shape) f(name, other.name);
        BOWLBY_ACCUMULATOR_TOTALS(BOWLBY_VISIT_PAIR)
#undef BOWLBY_VISIT_PAIR
    }

    /// Every total zero, in its shape for k items in g groups.
    void reset(Eigen::Index k, Eigen::Index g) {
        for_each([&](auto& t, total_shape s) { zero(t, s, k, g); });
    }

    void merge(const accumulator_totals& other) {
        for_each_pair(other, [](auto& mine, const auto& theirs) { mine += theirs; });
    }

    /// Appends every total to `out` (see append_total).
    void write(std::string& out) const {
        for_each([&](const auto& t, total_shape) { append_total(out, t); });
    }
    /// Reads the totals that write() wrote for the same shapes, from `in` at `at` (advanced).
    void read(std::string_view in, std::size_t& at) {
        for_each([&](auto& t, total_shape) { read_total(in, at, t); });
    }

    // Little-endian 64-bit words, for the byte format.
    static void append_u64(std::string& out, std::uint64_t bits) {
        for (int b = 0; b < 8; ++b) out.push_back(static_cast<char>((bits >> (8 * b)) & 0xFF));
    }
    static void append_double(std::string& out, double d) {
        std::uint64_t bits;
        std::memcpy(&bits, &d, sizeof bits);
        append_u64(out, bits);
    }
    static std::uint64_t read_u64(std::string_view in, std::size_t& at) {
        if (at > in.size() || in.size() - at < 8)
            throw error("accumulator bytes end early, at byte " + std::to_string(at) + " of " +
                        std::to_string(in.size()));
        std::uint64_t bits = 0;
        for (int b = 0; b < 8; ++b)
            bits |= static_cast<std::uint64_t>(static_cast<unsigned char>(in[at + static_cast<std::size_t>(b)]))
                    << (8 * b);
        at += 8;
        return bits;
    }
    static double read_double(std::string_view in, std::size_t& at) {
        const std::uint64_t bits = read_u64(in, at);
        double d;
        std::memcpy(&d, &bits, sizeof d);
        return d;
    }

private:
    static void zero(long double& t, total_shape, Eigen::Index, Eigen::Index) { t = 0; }
    template <class M>
    static void zero(M& t, total_shape s, Eigen::Index k, Eigen::Index g) {
        if constexpr (M::ColsAtCompileTime == 1)
            t = M::Zero(s == total_shape::groups ? g : k);
        else
            t = M::Zero(k, k);
    }

    // A long double as two doubles, hi + lo (hi the nearest double, lo the rest): 106 bits of
    // significand hold an x87 long double exactly and keep the format the same on every platform.
    static void append_value(std::string& out, long double v) {
        const auto hi = static_cast<double>(v);
        const auto lo = static_cast<double>(v - static_cast<long double>(hi));
        append_double(out, hi);
        append_double(out, lo);
    }
    static void append_total(std::string& out, long double t) { append_value(out, t); }
    template <class M>
    static void append_total(std::string& out, const M& t) {
        for (Eigen::Index i = 0; i < t.size(); ++i) append_value(out, t.data()[i]);
    }

    static long double read_value(std::string_view in, std::size_t& at) {
        const double hi = read_double(in, at);
        const double lo = read_double(in, at);
        return static_cast<long double>(hi) + static_cast<long double>(lo);
    }
    static void read_total(std::string_view in, std::size_t& at, long double& t) { t = read_value(in, at); }
    template <class M>
    static void read_total(std::string_view in, std::size_t& at, M& t) {
        for (Eigen::Index i = 0; i < t.size(); ++i) t.data()[i] = read_value(in, at);
    }
};

}  // namespace bowlby::detail
