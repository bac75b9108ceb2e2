// Property tests: every scoring kernel of the library against the plain reference scorer of
// reference_scorer.hpp (written from the definition in docs/library.md, not from the library's code), on
// random questionnaires and answers and on the built-in instruments. The cases are drawn from a
// fixed seed; a failure prints the seed, the case and the first cell that differs.
//
// What is compared: every value (bit for bit: the reference adds a row's items in item order
// and divides by the count, as the definition reads; derived scores in float within a few
// epsilons, see differs), every answered count and status, invalid_cells under invalid_policy::missing, and
// under invalid_policy::error the row, item and value of the first invalid answer in row order.
//
// Paths covered: double, float, uint8 and int16 answers; row-major, column-major, Maps over a
// buffer at an offset with gaps between rows (or columns), a Map with an inner stride, lazy
// expressions, chunks of a matrix; the general code, the column kernel, the row kernel and the
// packed byte groups of the ECR family (rows of 4 to 36 bytes in one or two disjoint subscales,
// every row count mod 16, tables over 8 MiB whose scores are streamed); 1, 2 and all threads
// over enough rows that the ranges end with a short one; score_one, chunk_scorer, scorer<Key>.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <bowlby/instruments.hpp>
#include <bowlby/key.hpp>
#include <bowlby/reliability.hpp>
#include <bowlby/score.hpp>

#include "reference_scorer.hpp"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

// Fewer and smaller cases under AddressSanitizer (scripts/test.sh runs the tests there too).
#if defined(__SANITIZE_ADDRESS__)
#define KERNELS_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define KERNELS_SANITIZED 1
#endif
#endif
#ifndef KERNELS_SANITIZED
#define KERNELS_SANITIZED 0
#endif

namespace {

using Eigen::Index;
using rng = std::mt19937_64;
constexpr std::uint64_t seed = 0x6b65726e656c73ULL;  // "kernels"
constexpr bool sanitized = KERNELS_SANITIZED != 0;
constexpr double nan = std::numeric_limits<double>::quiet_NaN();
constexpr double inf = std::numeric_limits<double>::infinity();

template <class T>
using row_major = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <class T>
using col_major = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor>;

int uniform(rng& g, int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(g); }
double uniform_real(rng& g, double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(g); }
bool chance(rng& g, double p) { return std::uniform_real_distribution<double>(0, 1)(g) < p; }
template <class V>
const auto& pick(rng& g, const V& v) {
    return v[static_cast<std::size_t>(uniform(g, 0, static_cast<int>(std::size(v)) - 1))];
}

template <class T>
const char* type_name() {
    if constexpr (std::is_same_v<T, double>) return "double";
    if constexpr (std::is_same_v<T, float>) return "float";
    if constexpr (std::is_same_v<T, std::uint8_t>) return "uint8";
    if constexpr (std::is_same_v<T, std::int16_t>) return "int16";
    return "?";
}

// Whether v can be held exactly by T (NaN and infinities only in floating point).
template <class T>
bool representable(double v) {
    if constexpr (std::is_floating_point_v<T>) {
        return std::isnan(v) || static_cast<double>(static_cast<T>(v)) == v;
    } else {
        return std::isfinite(v) && v == std::floor(v) && v >= static_cast<double>(std::numeric_limits<T>::lowest()) &&
               v <= static_cast<double>(std::numeric_limits<T>::max());
    }
}

// --- keys ---------------------------------------------------------------------------------

// The reference's plain description of a key and the options in force.
reference::key to_reference(const bowlby::key_view& k, const bowlby::score_options& o) {
    reference::key r;
    r.n_items = k.n_items;
    const bowlby::response_scale s = o.data_scale ? *o.data_scale : k.scale;
    r.min = s.min;
    r.max = s.max;
    r.integral = s.integral;
    for (const bowlby::subscale_def& sd : k.subscales)
        r.subscales.push_back({std::vector<int>(sd.items.begin(), sd.items.end()),
                               std::vector<int>(sd.reversed.begin(), sd.reversed.end()),
                               sd.agg == bowlby::aggregation::sum});
    for (const bowlby::derived_def& d : k.derived) {
        std::vector<reference::part> parts;
        for (const bowlby::term& t : d.terms) parts.push_back({t.kind == bowlby::term::item, t.index, t.weight});
        r.derived.push_back(parts);
    }
    r.missing_codes = o.missing_codes;
    r.min_answered = o.min_answered;
    return r;
}

std::string describe(const reference::key& k) {
    std::ostringstream s;
    s << "n_items " << k.n_items << " scale " << k.min << ".." << k.max << (k.integral ? "" : " (not integral)");
    for (const reference::subscale& sub : k.subscales) {
        s << " | " << (sub.sum ? "sum" : "mean") << " of";
        for (int i : sub.items) s << ' ' << i;
        if (!sub.reversed.empty()) s << " reversed";
        for (int i : sub.reversed) s << ' ' << i;
    }
    for (const auto& d : k.derived) {
        s << " | derived";
        for (const reference::part& p : d) s << ' ' << p.weight << (p.is_item ? " x item " : " x subscale ") << p.index;
    }
    s << " | codes";
    for (double c : k.missing_codes) s << ' ' << c;
    s << " | min_answered " << k.min_answered;
    return s.str();
}

// What the comparison needs to know of a key beyond the reference, per score: whether it is a
// derived score, and how large its weighted parts can add up to (see differs).
struct key_facts {
    std::vector<bool> derived;
    std::vector<double> magnitude;
};

key_facts facts_of(const reference::key& k) {
    key_facts f;
    for (std::size_t s = 0; s < k.subscales.size(); ++s) {
        f.derived.push_back(false);
        f.magnitude.push_back(0);
    }
    const double most = std::max(std::fabs(k.min), std::fabs(k.max));
    for (const auto& d : k.derived) {
        double magnitude = 0;
        for (const reference::part& p : d) {
            const std::size_t items = p.is_item ? 1 : k.subscales[static_cast<std::size_t>(p.index)].items.size();
            magnitude += std::fabs(p.weight) * most * static_cast<double>(items);
        }
        f.derived.push_back(true);
        f.magnitude.push_back(magnitude);
    }
    return f;
}

struct scale_choice {
    double min, max;
    bool integral;
};
const scale_choice scales[] = {{1, 5, true}, {1, 7, true}, {0, 4, true}, {0, 10, false}, {-2, 2, true}};
const std::vector<double> code_sets[] = {{}, {0}, {-99}, {99}, {0, 99}, {-99, 0}, {0, 99, -99}};
const double min_answered_choices[] = {0, 0.5, 0.8, 1, 0, 0.5, 0.8, 1, 0.25, 0.7, 1.0 / 3};

// A random questionnaire: 1 to 40 items, 1 to 4 subscales (overlapping or not, items listed in
// any order, some reversed, mean or sum), up to two derived scores of subscales and raw items.
// One in three is shaped like the ECR family (4 to 36 items, a multiple of 4, in one or two
// subscales that share no item), which bytes score in packed groups.
bowlby::questionnaire random_questionnaire(rng& g, int number) {
    const bool ecr_like = chance(g, 1.0 / 3);
    const int n = ecr_like ? 4 * uniform(g, 1, 9) : uniform(g, 1, 40);
    const scale_choice& sc = pick(g, scales);
    bowlby::questionnaire q("random-" + std::to_string(number), n, {sc.min, sc.max, sc.integral});
    std::vector<int> all(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) all[static_cast<std::size_t>(i)] = i + 1;
    auto reversed_of = [&](const std::vector<int>& items) {
        std::vector<int> rev;
        for (int i : items)
            if (chance(g, 0.35)) rev.push_back(i);
        std::shuffle(rev.begin(), rev.end(), g);
        return rev;
    };
    auto agg = [&] { return chance(g, 0.3) ? bowlby::aggregation::sum : bowlby::aggregation::mean; };
    int n_sub = 0;
    if (ecr_like) {
        std::shuffle(all.begin(), all.end(), g);
        n_sub = n >= 2 && chance(g, 0.7) ? 2 : 1;
        // Two subscales: a split of the items (or of a part of them); one: all or some.
        const int first = n_sub == 2 ? uniform(g, 1, n - 1) : uniform(g, std::max(1, n / 2), n);
        std::vector<int> a(all.begin(), all.begin() + first);
        q.add_subscale("a", a, reversed_of(a), agg());
        if (n_sub == 2) {
            const int last = chance(g, 0.7) ? n : uniform(g, first + 1, n);
            std::vector<int> b(all.begin() + first, all.begin() + last);
            q.add_subscale("b", b, reversed_of(b), agg());
        }
    } else {
        n_sub = uniform(g, 1, 4);
        for (int s = 0; s < n_sub; ++s) {
            std::shuffle(all.begin(), all.end(), g);
            const std::vector<int> items(all.begin(), all.begin() + uniform(g, 1, n));
            q.add_subscale("s" + std::to_string(s), items, reversed_of(items), agg());
        }
    }
    const double weights[] = {1, -1, 0.5, -0.25, 2, 0.1, 1.0 / 3};
    const int n_der = chance(g, 0.5) ? uniform(g, 1, 2) : 0;
    const bool items_too = chance(g, 0.4);  // raw items in derived scores: no fast kernels
    for (int d = 0; d < n_der; ++d) {
        std::vector<bowlby::term> terms;
        for (int t = uniform(g, 1, 3); t > 0; --t) {
            if (items_too && chance(g, 0.5))
                terms.push_back({bowlby::term::item, uniform(g, 1, n), pick(g, weights)});
            else
                terms.push_back({bowlby::term::subscale, uniform(g, 0, n_sub - 1), pick(g, weights)});
        }
        q.add_derived("d" + std::to_string(d), terms);
    }
    return q;
}

bowlby::score_options random_options(rng& g) {
    bowlby::score_options o;
    if (chance(g, 0.25)) {
        const scale_choice& sc = pick(g, scales);
        o.data_scale = bowlby::response_scale{sc.min, sc.max, sc.integral};
    }
    o.missing_codes = pick(g, code_sets);
    o.min_answered = pick(g, min_answered_choices);
    return o;
}

// --- answers ------------------------------------------------------------------------------

template <class T>
double valid_answer(rng& g, const reference::key& k) {
    if (!k.integral && std::is_floating_point_v<T>) {
        const double x = chance(g, 0.15) ? (chance(g, 0.5) ? k.min : k.max) : uniform_real(g, k.min, k.max);
        return static_cast<double>(static_cast<T>(x));
    }
    double lo = std::ceil(k.min), hi = std::floor(k.max);
    if constexpr (std::is_integral_v<T>) {
        lo = std::max(lo, static_cast<double>(std::numeric_limits<T>::lowest()));
        hi = std::min(hi, static_cast<double>(std::numeric_limits<T>::max()));
    }
    return lo + static_cast<double>(uniform(g, 0, static_cast<int>(hi - lo)));
}

template <class T>
double missing_answer(rng& g, const reference::key& k) {
    std::vector<double> ways;
    if (std::is_floating_point_v<T>) ways.push_back(nan);
    for (double c : k.missing_codes)
        if (representable<T>(c)) ways.push_back(c);
    return ways.empty() ? valid_answer<T>(g, k) : pick(g, ways);
}

template <class T>
double invalid_answer(rng& g, const reference::key& k) {
    std::vector<double> ways;
    for (double v : {k.min - 1, k.max + 1, k.max + 2, k.min - 0.5, k.max + 0.5, k.min + 0.5, inf, -inf, 255.0, 200.0,
                     -32768.0, 32767.0, 1e6, -99.0, 99.0, 0.0, 1e300})
        if (representable<T>(v) && reference::is_invalid(k, v)) ways.push_back(v);
    return ways.empty() ? missing_answer<T>(g, k) : pick(g, ways);
}

// rows x n_items answers (row-major), each one T can hold: runs of rows that are complete,
// lightly or heavily missing, or missing throughout; a share of rows gets one or two invalid
// answers.
template <class T>
std::vector<double> random_answers(rng& g, const reference::key& k, Index rows, double invalid_rows) {
    const auto n = static_cast<Index>(k.n_items);
    std::vector<double> x(static_cast<std::size_t>(rows * n));
    Index r = 0;
    while (r < rows) {
        const Index run = std::min<Index>(rows - r, uniform(g, 1, 40));
        const double u = uniform_real(g, 0, 1);
        const double p_missing = u < 0.55 ? 0 : u < 0.8 ? 0.1 : u < 0.93 ? 0.5 : 1;
        for (Index e = r; e < r + run; ++e)
            for (Index j = 0; j < n; ++j)
                x[static_cast<std::size_t>(e * n + j)] =
                    p_missing > 0 && chance(g, p_missing) ? missing_answer<T>(g, k) : valid_answer<T>(g, k);
        r += run;
    }
    for (r = 0; r < rows; ++r)
        if (invalid_rows > 0 && chance(g, invalid_rows))
            for (int c = uniform(g, 1, 2); c > 0; --c)
                x[static_cast<std::size_t>(r * n + uniform(g, 0, static_cast<int>(n) - 1))] = invalid_answer<T>(g, k);
    return x;
}

// Puts an invalid answer at (row, item).
template <class T>
void set_invalid(rng& g, const reference::key& k, std::vector<double>& x, Index row, Index item) {
    x[static_cast<std::size_t>(row * k.n_items + item)] = invalid_answer<T>(g, k);
}

// --- what the reference expects -------------------------------------------------------------

struct expected_score {
    double value;
    int answered;
    int status;
};
struct expectation {
    std::size_t n_scores = 0;
    std::vector<expected_score> cells;  // rows x scores, row-major
    std::size_t invalid = 0;
    Index first_row = -1;                 // the first invalid answer in row order
    std::vector<std::size_t> invalid_to;  // invalid_to[r]: invalid answers in rows [0, r)
    std::vector<int> first_bad;           // per row: the item of its first invalid answer, or -1
    std::vector<double> first_bad_value;
    const expected_score& at(Index r, Index s) const {
        return cells[static_cast<std::size_t>(r) * n_scores + static_cast<std::size_t>(s)];
    }
    // Invalid answers in rows [from, from + rows).
    std::size_t invalid_in(Index from, Index rows) const {
        return invalid_to[static_cast<std::size_t>(from + rows)] - invalid_to[static_cast<std::size_t>(from)];
    }
    // The first invalid answer in rows [from, from + rows), its row counted from `from`; row -1: none.
    void first_invalid_in(Index from, Index rows, Index& row, Index& item, double& value) const {
        row = item = -1;
        for (Index r = from; r < from + rows; ++r)
            if (first_bad[static_cast<std::size_t>(r)] >= 0) {
                row = r - from;
                item = first_bad[static_cast<std::size_t>(r)];
                value = first_bad_value[static_cast<std::size_t>(r)];
                return;
            }
    }
};

expectation expect(const reference::key& k, const std::vector<double>& x, Index rows) {
    expectation e;
    e.n_scores = k.subscales.size() + k.derived.size();
    e.cells.reserve(static_cast<std::size_t>(rows) * e.n_scores);
    e.invalid_to.push_back(0);
    const auto n = static_cast<std::size_t>(k.n_items);
    std::vector<double> row(n);
    for (Index r = 0; r < rows; ++r) {
        int bad = -1;
        double bad_value = 0;
        for (std::size_t j = 0; j < n; ++j) {
            row[j] = x[static_cast<std::size_t>(r) * n + j];
            if (reference::is_invalid(k, row[j])) {
                if (bad < 0) {
                    bad = static_cast<int>(j);
                    bad_value = row[j];
                }
                ++e.invalid;
            }
        }
        if (bad >= 0 && e.first_row < 0) e.first_row = r;
        e.invalid_to.push_back(e.invalid);
        e.first_bad.push_back(bad);
        e.first_bad_value.push_back(bad_value);
        for (const reference::score& s : reference::score_row(k, row))
            e.cells.push_back({s.value, s.answered, s.status});
    }
    return e;
}

std::string status_name(int s) { return s == 0 ? "complete" : s == 1 ? "prorated" : "insufficient"; }

// A score's value, answered count and status against the reference's; "" when they agree.
// Values are equal to the bit (in float: the reference's double rounded to float), but for a
// derived score in float scores, which the library forms from its parts' float scores: within
// 4 epsilons of the largest sum its weighted parts can reach.
template <class Scalar>
std::string differs(Scalar value, int answered, int status, const expected_score& e, Index s, const key_facts& f) {
    const auto us = static_cast<std::size_t>(s);
    constexpr bool in_float = std::is_same_v<Scalar, float>;
    bool same_value;
    if (e.status == reference::insufficient || std::isnan(e.value)) {
        same_value = std::isnan(value);
    } else if (in_float && f.derived[us]) {
        same_value = std::fabs(static_cast<double>(value) - e.value) <=
                     4 * std::numeric_limits<Scalar>::epsilon() * (1 + f.magnitude[us]);
    } else {
        same_value = value == static_cast<Scalar>(e.value);
    }
    if (same_value && answered == e.answered && status == e.status) return "";
    std::ostringstream out;
    out.precision(17);
    out << "score " << s << ": library " << static_cast<double>(value) << " (" << answered << " answered, "
        << status_name(status) << "), reference " << e.value << " (" << e.answered << " answered, "
        << status_name(e.status) << ")";
    return out.str();
}

// The first cell of rows [0, t.rows()) of a table that differs from rows [from, ...) of the
// expectation, or "".
template <class Scalar>
std::string first_difference(const bowlby::score_table<Scalar>& t, const expectation& e, Index from,
                             const key_facts& f) {
    if (static_cast<std::size_t>(t.values.cols()) != e.n_scores) return "wrong number of scores";
    for (Index r = 0; r < t.rows(); ++r)
        for (Index s = 0; s < t.values.cols(); ++s) {
            const std::string d = differs(t.values(r, s), t.answered(r, s), static_cast<int>(t.status_codes(r, s)),
                                          e.at(from + r, s), s, f);
            if (!d.empty()) return "row " + std::to_string(r) + ", " + d;
        }
    return "";
}

// The exception of a run under invalid_policy::error, or none.
struct thrown {
    bool any = false;
    Index row = -1, item = -1;
    double value = 0;
    std::string what;
};
template <class F>
thrown catch_invalid(F&& run) {
    thrown t;
    try {
        run();
    } catch (const bowlby::invalid_response& e) {
        t = {true, static_cast<Index>(e.row()), static_cast<Index>(e.item()), e.value(), e.what()};
    }
    return t;
}

// Checks a run under invalid_policy::error against the first invalid answer (row < 0: none).
void check_thrown(const thrown& t, Index row, Index item, double value) {
    if (row < 0) {
        CHECK_MESSAGE(!t.any, "unexpected: " << t.what);
        return;
    }
    REQUIRE_MESSAGE(t.any, "expected invalid_response at row " << row << ", item " << item << ", value " << value);
    CHECK_MESSAGE((t.row == row && t.item == item && t.value == value),
                  "library: " << t.what << " | reference: row " << row << ", item " << item << ", value " << value);
}

// Scores x (rows [from, from + x.rows()) of the answers behind `e`) with `key` under both
// policies and compares with the reference.
template <class Scalar, class X>
void check_score(const bowlby::key_view& key, const X& x, bowlby::score_options o, const expectation& e,
                 const key_facts& f, Index from = 0) {
    o.on_invalid = bowlby::invalid_policy::missing;
    const bowlby::score_table<Scalar> t = bowlby::score<Scalar>(key, x, o);
    REQUIRE(t.rows() == x.rows());
    const std::string d = first_difference(t, e, from, f);
    CHECK_MESSAGE(d.empty(), d);
    CHECK(t.invalid_cells == e.invalid_in(from, x.rows()));
    o.on_invalid = bowlby::invalid_policy::error;
    Index row, item;
    double value = 0;
    e.first_invalid_in(from, x.rows(), row, item, value);
    check_thrown(catch_invalid([&] { (void)bowlby::score<Scalar>(key, x, o); }), row, item, value);
}

// --- layouts --------------------------------------------------------------------------------

template <class T>
T sentinel() {
    if constexpr (std::is_floating_point_v<T>)
        return static_cast<T>(-1e30);
    else
        return std::numeric_limits<T>::max();
}

// Calls f(name, matrix) for the answers in each layout: row- and column-major matrices, a
// row-major Map at an offset with gaps between rows (and one without gaps), a column-major
// Map with gaps between columns, a Map with an inner stride, a block of a larger matrix and a
// lazy expression. Cells outside the answers hold a sentinel that would count as invalid.
template <class T, class F>
void for_each_layout(rng& g, const std::vector<double>& answers, Index rows, Index n, F&& f) {
    row_major<T> rm(rows, n);
    for (Index i = 0; i < rm.size(); ++i) rm.data()[i] = static_cast<T>(answers[static_cast<std::size_t>(i)]);
    const col_major<T> cm = rm;
    f("row-major", rm);
    f("column-major", cm);
    const auto offset = static_cast<Index>(uniform(g, 1, 63)), gap = static_cast<Index>(uniform(g, 1, 9));
    {
        std::vector<T> buffer(static_cast<std::size_t>(offset + rows * (n + gap)), sentinel<T>());
        Eigen::Map<row_major<T>, Eigen::Unaligned, Eigen::OuterStride<>> m(buffer.data() + offset, rows, n,
                                                                           Eigen::OuterStride<>(n + gap));
        m = rm;
        f("row-major Map at an offset with gaps between rows", m);
        Eigen::Map<row_major<T>> packed(buffer.data() + offset, rows, n);
        packed = rm;
        f("row-major Map at an offset", packed);
    }
    {
        std::vector<T> buffer(static_cast<std::size_t>(offset + n * (rows + gap)), sentinel<T>());
        Eigen::Map<col_major<T>, Eigen::Unaligned, Eigen::OuterStride<>> m(buffer.data() + offset, rows, n,
                                                                           Eigen::OuterStride<>(rows + gap));
        m = cm;
        f("column-major Map at an offset with gaps between columns", m);
    }
    {
        std::vector<T> buffer(static_cast<std::size_t>(offset + 2 * rows * n), sentinel<T>());
        using stride = Eigen::Stride<Eigen::Dynamic, Eigen::Dynamic>;
        Eigen::Map<row_major<T>, Eigen::Unaligned, stride> m(buffer.data() + offset, rows, n, stride(2 * n, 2));
        m = rm;
        f("row-major Map with an inner stride of 2", m);
    }
    {
        row_major<T> big = row_major<T>::Constant(rows + 3, n + 5, sentinel<T>());
        big.block(2, 1, rows, n) = rm;
        f("block of a larger row-major matrix", big.block(2, 1, rows, n));
    }
    f("lazy expression", rm.unaryExpr([](T v) { return v; }));
}

// One random questionnaire, options and answers of each element type, in every layout.
template <class T>
void check_random_case(rng& g, const bowlby::questionnaire& q, const bowlby::score_options& o, Index rows,
                       double invalid_rows) {
    const reference::key k = to_reference(q.view(), o);
    const key_facts f = facts_of(k);
    const std::vector<double> answers = random_answers<T>(g, k, rows, invalid_rows);
    const expectation e = expect(k, answers, rows);
    const bool in_float = chance(g, 0.3);
    for_each_layout<T>(g, answers, rows, k.n_items, [&](const char* layout, const auto& x) {
        INFO(type_name<T>() << " " << layout << (in_float ? " into float scores" : ""));
        if (in_float)
            check_score<float>(q.view(), x, o, e, f);
        else
            check_score<double>(q.view(), x, o, e, f);
    });
}

const char* const ecr_family[] = {"ecr", "ecr-r", "ecr-s", "ecr-12"};

}  // namespace

TEST_CASE("random questionnaires - every element type and layout against the reference") {
    rng g(seed);
    const int cases = sanitized ? 40 : 150;
    for (int c = 0; c < cases; ++c) {
        const bowlby::questionnaire q = random_questionnaire(g, c);
        bowlby::score_options o = random_options(g);
        o.threads = static_cast<unsigned>(uniform(g, 0, 2));
        const Index rows = chance(g, 0.2) ? uniform(g, 1, 20) : uniform(g, 100, 700);
        const double invalid_rows = chance(g, 0.5) ? 0.0 : 0.02;
        INFO("seed " << seed << ", case " << c << ": " << describe(to_reference(q.view(), o)) << ", " << rows
                     << " rows");
        check_random_case<double>(g, q, o, rows, invalid_rows);
        check_random_case<float>(g, q, o, rows, invalid_rows);
        check_random_case<std::uint8_t>(g, q, o, rows, invalid_rows);
        check_random_case<std::int16_t>(g, q, o, rows, invalid_rows);
    }
}

TEST_CASE("built-in instruments - every row count mod 16 - bytes in packed groups and every other type") {
    // Rows of bytes back to back take packed groups of eight rows (ECR family); the rows of a
    // table's last group, fewer than eight, and every row count mod 16 go other ways.
    rng g(seed + 1);
    std::vector<Index> row_counts;
    for (Index r = 1; r <= 40; ++r) row_counts.push_back(r);
    for (Index r = 1000; r < 1016; ++r) row_counts.push_back(r);
    for (const bowlby::key_view& key : bowlby::builtin_instruments()) {
        const bool family = std::find(std::begin(ecr_family), std::end(ecr_family), key.id) != std::end(ecr_family);
        for (int variant = 0; variant < 4; ++variant) {
            bowlby::score_options o;
            if (variant == 1) o.missing_codes = {0};
            if (variant == 2) o.missing_codes = {0, 99};
            if (variant == 3) o.missing_codes = {99};
            o.min_answered = min_answered_choices[variant];
            // The ECR family also given on 1-5 (and scored on it).
            if (family && variant >= 2) o.data_scale = bowlby::response_scale{1, 5, true};
            const reference::key k = to_reference(key, o);
            const key_facts f = facts_of(k);
            INFO("seed " << seed + 1 << ", " << key.id << ": " << describe(k));
            const Index most = row_counts.back();
            const double invalid_rows = variant == 0 ? 0.0 : 0.003;
            {
                const std::vector<double> answers = random_answers<std::uint8_t>(g, k, most, invalid_rows);
                const expectation e = expect(k, answers, most);
                row_major<std::uint8_t> x(most, key.n_items);
                for (Index i = 0; i < x.size(); ++i)
                    x.data()[i] = static_cast<std::uint8_t>(answers[static_cast<std::size_t>(i)]);
                const auto offset = static_cast<Index>(uniform(g, 1, 63));
                std::vector<std::uint8_t> buffer(static_cast<std::size_t>(offset + x.size()));
                Eigen::Map<row_major<std::uint8_t>> m(buffer.data() + offset, most, key.n_items);
                m = x;
                for (const Index rows : row_counts) {
                    INFO("uint8, " << rows << " rows");
                    check_score<double>(key, x.topRows(rows), o, e, f);
                    check_score<double>(key, m.topRows(rows), o, e, f);
                    // From row 3 on: groups start three rows later in the answers.
                    if (rows + 3 <= most) check_score<double>(key, x.middleRows(3, rows), o, e, f, 3);
                }
                check_score<float>(key, x, o, e, f);
            }
            auto other = [&](auto zero) {
                using T = decltype(zero);
                const Index rows = row_counts[static_cast<std::size_t>(uniform(g, 0, 55))];
                const std::vector<double> answers = random_answers<T>(g, k, rows, invalid_rows);
                const expectation e = expect(k, answers, rows);
                for_each_layout<T>(g, answers, rows, k.n_items, [&](const char* layout, const auto& x) {
                    INFO(type_name<T>() << " " << layout << ", " << rows << " rows");
                    check_score<double>(key, x, o, e, f);
                });
            };
            other(double{});
            other(float{});
            other(std::int16_t{});
        }
    }
}

TEST_CASE("the ECR family on bytes - tables over 8 MiB whose scores are streamed - 1 2 and all threads") {
    // Over 322,638 rows a table of two scores (8 + 4 + 1 bytes a cell) passes 8 MiB: its scores
    // are written around the cache, a cache line at a time from where a column's scores start
    // one. The second column starts at 8 x rows bytes past the first, so rows mod 8 moves it
    // through the eight places in a line.
    rng g(seed + 2);
    const Index base = 330000;
    const int extra = sanitized ? 4 : 16;
    for (const char* id : ecr_family) {
        const bowlby::key_view& key = bowlby::instrument(id);
        bowlby::score_options o;
        o.missing_codes = {0, 99};
        o.min_answered = std::string(id) == "ecr-s" ? 0.8 : 0.5;
        const reference::key k = to_reference(key, o);
        const key_facts f = facts_of(k);
        INFO("seed " << seed + 2 << ", " << id << ": " << describe(k));
        const Index most = base + extra;
        std::vector<double> answers = random_answers<std::uint8_t>(g, k, most, 0);
        // Two invalid answers, far apart: in a run of packed groups and near the end.
        set_invalid<std::uint8_t>(g, k, answers, 123457, 5);
        set_invalid<std::uint8_t>(g, k, answers, base - 2, 0);
        const expectation e = expect(k, answers, most);
        REQUIRE(e.first_row == 123457);
        row_major<std::uint8_t> x(most, key.n_items);
        for (Index i = 0; i < x.size(); ++i)
            x.data()[i] = static_cast<std::uint8_t>(answers[static_cast<std::size_t>(i)]);
        const int rows_tried = std::string(id) == "ecr" || std::string(id) == "ecr-s" ? extra : extra / 2;
        for (int plus = 0; plus < rows_tried; ++plus) {
            const unsigned threads = plus % 3 == 0 ? 1u : plus % 3 == 1 ? 2u : 0u;
            INFO((base + plus) << " rows on " << threads << " threads");
            o.threads = threads;
            check_score<double>(key, x.topRows(base + plus), o, e, f);
        }
    }
    // The ECR in doubles, row-major (the row kernel's streamed scores).
    const bowlby::key_view& ecr = bowlby::instrument("ecr");
    bowlby::score_options o;
    o.missing_codes = {-99};
    const reference::key k = to_reference(ecr, o);
    const std::vector<double> answers = random_answers<double>(g, k, base + 5, 0.0001);
    const expectation e = expect(k, answers, base + 5);
    row_major<double> x(base + 5, 36);
    for (Index i = 0; i < x.size(); ++i) x.data()[i] = answers[static_cast<std::size_t>(i)];
    for (const unsigned threads : {1u, 2u}) {
        INFO("ecr in doubles on " << threads << " threads");
        o.threads = threads;
        check_score<double>(ecr, x, o, e, facts_of(k));
    }
}

TEST_CASE("threads 1 2 and 0 - ranges of rows that end with a short one - every element type and layout") {
    // 70,000 and more rows: ranges of 16,384 rows on two threads, the last one shorter; invalid
    // answers in later ranges than the first invalid one, so that the first in row order must
    // win whichever thread meets its range first.
    rng g(seed + 3);
    const int cases = sanitized ? 2 : 4;
    for (int c = 0; c < cases; ++c) {
        const bool builtin = c % 3 == 2;
        const bowlby::questionnaire q =
            builtin ? bowlby::questionnaire(bowlby::instrument(pick(g, ecr_family))) : random_questionnaire(g, c);
        bowlby::score_options o = random_options(g);
        const reference::key k = to_reference(q.view(), o);
        const key_facts f = facts_of(k);
        const Index rows = 70000 + uniform(g, 0, 300);
        INFO("seed " << seed + 3 << ", case " << c << ": " << describe(k) << ", " << rows << " rows");
        auto run = [&](auto zero) {
            using T = decltype(zero);
            std::vector<double> answers = random_answers<T>(g, k, rows, 0);
            if (c % 2 == 0) {  // invalid answers in the 4th, 2nd and last ranges
                set_invalid<T>(g, k, answers, 3 * 16384 + 7, uniform(g, 0, k.n_items - 1));
                set_invalid<T>(g, k, answers, 16384 + uniform(g, 0, 16383), uniform(g, 0, k.n_items - 1));
                set_invalid<T>(g, k, answers, rows - 1, k.n_items - 1);
            }
            const expectation e = expect(k, answers, rows);
            row_major<T> rm(rows, k.n_items);
            for (Index i = 0; i < rm.size(); ++i) rm.data()[i] = static_cast<T>(answers[static_cast<std::size_t>(i)]);
            const col_major<T> cm = rm;
            for (const unsigned threads : {1u, 2u, 0u}) {
                o.threads = threads;
                INFO(type_name<T>() << " on " << threads << " threads");
                check_score<double>(q.view(), rm, o, e, f);
                check_score<double>(q.view(), cm, o, e, f);
            }
        };
        run(double{});
        run(float{});
        run(std::uint8_t{});
        run(std::int16_t{});
    }
}

TEST_CASE("score_one - rows and column vectors against the reference") {
    rng g(seed + 4);
    const int cases = sanitized ? 40 : 120;
    for (int c = 0; c < cases; ++c) {
        const bool builtin = c % 4 == 3;
        const bowlby::questionnaire q =
            builtin ? bowlby::questionnaire(pick(g, bowlby::builtin_instruments())) : random_questionnaire(g, c);
        const bowlby::score_options o = random_options(g);
        const reference::key k = to_reference(q.view(), o);
        const key_facts f = facts_of(k);
        INFO("seed " << seed + 4 << ", case " << c << ": " << describe(k));
        const Index rows = 30;
        auto run = [&](auto zero) {
            using T = decltype(zero);
            const std::vector<double> answers = random_answers<T>(g, k, rows, 0.1);
            const expectation e = expect(k, answers, rows);
            row_major<T> rm(rows, k.n_items);
            for (Index i = 0; i < rm.size(); ++i) rm.data()[i] = static_cast<T>(answers[static_cast<std::size_t>(i)]);
            const col_major<T> cm = rm;
            bowlby::score_options om = o, oe = o;
            om.on_invalid = bowlby::invalid_policy::missing;
            oe.on_invalid = bowlby::invalid_policy::error;
            const bowlby::scorer<bowlby::questionnaire> missing(q, om), error(q, oe);
            const bowlby::scorer<bowlby::questionnaire, float> missing_f(q, om);
            for (Index r = 0; r < rows; ++r) {
                INFO(type_name<T>() << ", row " << r);
                auto check_one = [&](const auto& one) {
                    REQUIRE(static_cast<std::size_t>(one.values.size()) == e.n_scores);
                    for (Index s = 0; s < one.values.size(); ++s) {
                        const std::string d =
                            differs(one.values(s), one.answered(s),
                                    static_cast<int>(one.status[static_cast<std::size_t>(s)]), e.at(r, s), s, f);
                        CHECK_MESSAGE(d.empty(), d);
                    }
                };
                check_one(missing.score_one(rm.row(r)));
                check_one(missing.score_one(cm.row(r)));
                check_one(missing.score_one(rm.row(r).transpose()));
                check_one(missing_f.score_one(cm.row(r).transpose()));
                Index row, item;
                double value = 0;
                e.first_invalid_in(r, 1, row, item, value);
                check_thrown(catch_invalid([&] { (void)error.score_one(rm.row(r)); }), row, item, value);
                check_thrown(catch_invalid([&] { (void)error.score_one(cm.row(r).transpose()); }), row, item, value);
            }
        };
        run(double{});
        run(float{});
        run(std::uint8_t{});
        run(std::int16_t{});
    }
}

TEST_CASE("chunk_scorer - chunks of varied sizes against the reference") {
    rng g(seed + 5);
    const int cases = sanitized ? 15 : 50;
    for (int c = 0; c < cases; ++c) {
        const bool builtin = c % 3 == 2;
        const bowlby::questionnaire q =
            builtin ? bowlby::questionnaire(bowlby::instrument(pick(g, ecr_family))) : random_questionnaire(g, c);
        bowlby::score_options o = random_options(g);
        o.on_invalid = bowlby::invalid_policy::missing;
        const reference::key k = to_reference(q.view(), o);
        const key_facts f = facts_of(k);
        const Index rows = uniform(g, 500, 3000);
        INFO("seed " << seed + 5 << ", case " << c << ": " << describe(k) << ", " << rows << " rows");
        auto run = [&](auto zero) {
            using T = decltype(zero);
            const std::vector<double> answers = random_answers<T>(g, k, rows, 0.01);
            const expectation e = expect(k, answers, rows);
            row_major<T> rm(rows, k.n_items);
            for (Index i = 0; i < rm.size(); ++i) rm.data()[i] = static_cast<T>(answers[static_cast<std::size_t>(i)]);
            const col_major<T> cm = rm;
            for (const bool by_rows : {true, false}) {
                bowlby::chunk_scorer<double> chunks(q.view(), o);
                Index from = 0, size = uniform(g, 1, 300);
                while (from < rows) {
                    // Sizes repeat now and then, so that the scorer's table is reused.
                    if (chance(g, 0.6)) size = uniform(g, 1, 300);
                    const Index n = std::min(size, rows - from);
                    INFO(type_name<T>() << (by_rows ? " row-major" : " column-major") << ", chunk of " << n
                                        << " rows from row " << from);
                    const auto& t =
                        by_rows ? chunks.score(rm.middleRows(from, n)) : chunks.score(cm.middleRows(from, n));
                    const std::string d = first_difference(t, e, from, f);
                    CHECK_MESSAGE(d.empty(), d);
                    CHECK(t.invalid_cells == e.invalid_in(from, n));
                    from += n;
                }
                CHECK(chunks.invalid_cells() == e.invalid);
            }
            // Under invalid_policy::error, the row is the chunk's.
            bowlby::score_options oe = o;
            oe.on_invalid = bowlby::invalid_policy::error;
            bowlby::chunk_scorer<double> chunks(q.view(), oe);
            for (Index from = 0; from < rows; from += 97) {
                const Index n = std::min<Index>(97, rows - from);
                Index row, item;
                double value = 0;
                e.first_invalid_in(from, n, row, item, value);
                INFO("chunk of " << n << " rows from row " << from);
                check_thrown(catch_invalid([&] { (void)chunks.score(rm.middleRows(from, n)); }), row, item, value);
            }
        };
        run(double{});
        run(std::uint8_t{});
        run(std::int16_t{});
        run(float{});
    }
}

TEST_CASE("scorer of the ECR tag - fixed-size rows against the reference") {
    rng g(seed + 6);
    for (int variant = 0; variant < 4; ++variant) {
        bowlby::score_options o;
        o.missing_codes = variant % 2 ? std::vector<double>{0} : std::vector<double>{};
        if (variant >= 2) o.data_scale = bowlby::response_scale{1, 5, true};
        o.min_answered = min_answered_choices[variant];
        o.on_invalid = bowlby::invalid_policy::missing;
        const reference::key k = to_reference(bowlby::instruments::ecr::key, o);
        const key_facts f = facts_of(k);
        INFO("seed " << seed + 6 << ", variant " << variant << ": " << describe(k));
        const bowlby::scorer<bowlby::instruments::ecr> ecr(o);
        const Index rows = 2000 + variant;
        auto run = [&](auto zero) {
            using T = decltype(zero);
            const std::vector<double> answers = random_answers<T>(g, k, rows, 0.01);
            const expectation e = expect(k, answers, rows);
            Eigen::Matrix<T, Eigen::Dynamic, 36, Eigen::RowMajor> x(rows, 36);
            for (Index i = 0; i < x.size(); ++i) x.data()[i] = static_cast<T>(answers[static_cast<std::size_t>(i)]);
            INFO(type_name<T>());
            const auto t = ecr.score(x);
            const std::string d = first_difference(t, e, 0, f);
            CHECK_MESSAGE(d.empty(), d);
            CHECK(t.invalid_cells == e.invalid);
            const Eigen::Matrix<T, 36, 1> one = x.row(rows - 1).transpose();
            const auto r = ecr.score_one(one);
            for (Index s = 0; s < 2; ++s) {
                const std::string ds =
                    differs(r.values(s), r.answered(s), static_cast<int>(r.status[static_cast<std::size_t>(s)]),
                            e.at(rows - 1, s), s, f);
                CHECK_MESSAGE(ds.empty(), ds);
            }
        };
        run(double{});
        run(float{});
        run(std::uint8_t{});
        run(std::int16_t{});
    }
}

TEST_CASE("instrument_accumulator keys answers as the reference does - per item and per person") {
    // The keyed answers (reversed on the scale in force, NaN where missing or invalid) of the
    // last chunk, and over all chunks each column's count and mean and each subscale's person
    // scores (the mean of a row's answered keyed items), against a plain two-pass computation.
    rng g(seed + 7);
    const int cases = sanitized ? 15 : 60;
    for (int c = 0; c < cases; ++c) {
        const bool builtin = c % 3 == 2;
        const bowlby::questionnaire q =
            builtin ? bowlby::questionnaire(pick(g, bowlby::builtin_instruments())) : random_questionnaire(g, c);
        bowlby::score_options o = random_options(g);
        o.on_invalid = bowlby::invalid_policy::missing;
        const reference::key k = to_reference(q.view(), o);
        INFO("seed " << seed + 7 << ", case " << c << ": " << describe(k));
        // The columns: each subscale's items in its order.
        std::vector<int> column_item, column_group;
        std::vector<bool> column_reversed;
        for (std::size_t s = 0; s < k.subscales.size(); ++s)
            for (int item : k.subscales[s].items) {
                column_item.push_back(item);
                column_group.push_back(static_cast<int>(s));
                column_reversed.push_back(reference::has(k.subscales[s].reversed, item));
            }
        const auto m = static_cast<Index>(column_item.size());
        auto run = [&](auto zero) {
            using T = decltype(zero);
            INFO(type_name<T>());
            bowlby::instrument_accumulator acc(q.view(), o);
            std::vector<long double> n(static_cast<std::size_t>(m)), sum(static_cast<std::size_t>(m));
            std::vector<long double> pn(k.subscales.size()), psum(k.subscales.size());
            for (int chunk = 0; chunk < 3; ++chunk) {
                const Index rows = uniform(g, 1, 400);
                const std::vector<double> answers = random_answers<T>(g, k, rows, 0.02);
                row_major<T> x(rows, k.n_items);
                for (Index i = 0; i < x.size(); ++i) x.data()[i] = static_cast<T>(answers[static_cast<std::size_t>(i)]);
                acc.add(x);
                const auto keyed = acc.last_keyed();
                REQUIRE(keyed.rows() == rows);
                REQUIRE(keyed.cols() == m);
                std::string first;
                for (Index r = 0; r < rows; ++r) {
                    std::vector<long double> row_sum(k.subscales.size()), row_n(k.subscales.size());
                    for (Index col = 0; col < m; ++col) {
                        const auto cu = static_cast<std::size_t>(col);
                        const double a = reference::answer(
                            k, answers[static_cast<std::size_t>(r * k.n_items + column_item[cu] - 1)]);
                        const double want = column_reversed[cu] ? (k.min + k.max) - a : a;
                        const double got = keyed(r, col);
                        if (!(got == want || (std::isnan(got) && std::isnan(want))) && first.empty())
                            first = "row " + std::to_string(r) + ", column " + std::to_string(col) + ": library " +
                                    std::to_string(got) + ", reference " + std::to_string(want);
                        if (std::isnan(want)) continue;
                        n[cu] += 1;
                        sum[cu] += want;
                        row_sum[static_cast<std::size_t>(column_group[cu])] += want;
                        row_n[static_cast<std::size_t>(column_group[cu])] += 1;
                    }
                    for (std::size_t s = 0; s < k.subscales.size(); ++s)
                        if (row_n[s] > 0) {
                            pn[s] += 1;
                            psum[s] += row_sum[s] / row_n[s];
                        }
                }
                CHECK_MESSAGE(first.empty(), "chunk " << chunk << ", " << first);
            }
            const bowlby::item_accumulator& items = acc.items();
            for (Index col = 0; col < m; ++col) {
                const auto cu = static_cast<std::size_t>(col);
                const bowlby::moments mo = items.pair(col, col);
                CHECK(mo.n == static_cast<double>(n[cu]));
                if (n[cu] > 0)
                    CHECK(mo.mean_x(items.shift()) ==
                          doctest::Approx(static_cast<double>(sum[cu] / n[cu])).epsilon(1e-13).scale(1));
            }
            for (std::size_t s = 0; s < k.subscales.size(); ++s) {
                const bowlby::moments ps = items.person_scores(static_cast<int>(s));
                CHECK(ps.n == static_cast<double>(pn[s]));
                if (pn[s] > 0)
                    CHECK(ps.mean_x(items.shift()) ==
                          doctest::Approx(static_cast<double>(psum[s] / pn[s])).epsilon(1e-12).scale(1));
            }
        };
        run(double{});
        run(float{});
        run(std::uint8_t{});
        run(std::int16_t{});
    }
}
