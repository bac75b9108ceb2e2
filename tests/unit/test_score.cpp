// Scoring mechanics: input layouts and types, reverse keying, the missing-data policy at its
// threshold, derived scores, run-time keys, and every class of bad input.
#include <bowlby/key.hpp>
#include <bowlby/score.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

namespace {
constexpr double na = std::numeric_limits<double>::quiet_NaN();
using row_major = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// A 4-item questionnaire on 1-5: "a" = items 1, 2, 3 with 2 reversed; "b" = items 3, 4 (sum).
bowlby::questionnaire small() {
    bowlby::questionnaire q("small", 4, {1, 5, true});
    q.add_subscale("a", {1, 2, 3}, {2}).add_subscale("b", {3, 4}, {}, bowlby::aggregation::sum);
    return q;
}

// Three respondents of the ECR (rows), built from two hand-checked patterns.
Eigen::MatrixXd ecr_rows() {
    Eigen::MatrixXd x(3, 36);
    for (int i = 0; i < 36; ++i) {
        x(0, i) = i % 7 + 1;      // anxiety 75/18, avoidance 74/18 (see test_instruments.cpp)
        x(1, i) = 7;              // anxiety (17*7 + 1)/18 = 120/18; avoidance (9*7 + 9*1)/18 = 4
        x(2, i) = i % 2 ? 2 : 5;  // odd items (avoidance) 5, even items (anxiety) 2
    }
    return x;
}
// Row 2: anxiety (17*2 + 6)/18 = 40/18; avoidance (9*5 + 9*3)/18 = 4.
const double expected_anxiety[] = {75.0 / 18, 120.0 / 18, 40.0 / 18};
const double expected_avoidance[] = {74.0 / 18, 4.0, 4.0};

template <class Table>
void check_ecr_rows(const Table& t) {
    REQUIRE(t.rows() == 3);
    for (Eigen::Index r = 0; r < 3; ++r) {
        CHECK(double(t.values(r, 0)) == doctest::Approx(expected_anxiety[r]).epsilon(1e-6));
        CHECK(double(t.values(r, 1)) == doctest::Approx(expected_avoidance[r]).epsilon(1e-6));
        CHECK(t.status(r, 0) == bowlby::score_status::complete);
        CHECK(t.answered(r, 1) == 18);
    }
}
}  // namespace

TEST_CASE("the same answers score the same in every layout and element type") {
    const Eigen::MatrixXd col = ecr_rows();
    check_ecr_rows(bowlby::score("ecr", col));
    const row_major rm = col;
    check_ecr_rows(bowlby::score("ecr", rm));
    check_ecr_rows(bowlby::score("ecr", col.cast<float>()));
    check_ecr_rows(bowlby::score("ecr", col.cast<std::uint8_t>()));
    check_ecr_rows(
        bowlby::score("ecr", Eigen::Matrix<std::int16_t, Eigen::Dynamic, Eigen::Dynamic>(col.cast<std::int16_t>())));
    check_ecr_rows(bowlby::score<float>("ecr", col));
    // A Map over a caller's row-major buffer, read in place.
    std::vector<std::uint8_t> buffer(3 * 36);
    for (int r = 0; r < 3; ++r)
        for (int i = 0; i < 36; ++i)
            buffer[static_cast<std::size_t>(r * 36 + i)] = static_cast<std::uint8_t>(col(r, i));
    const Eigen::Map<const Eigen::Matrix<std::uint8_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>> map(
        buffer.data(), 3, 36);
    check_ecr_rows(bowlby::score("ecr", map));
    // The scorer nests a Map as itself (a view), not as an evaluated copy.
    static_assert(
        std::is_same_v<std::remove_cv_t<Eigen::internal::nested_eval<std::remove_cv_t<decltype(map)>, 1>::type>,
                       std::remove_cv_t<decltype(map)>>,
        "a Map is read in place, not copied");
    // Lazy expressions and a product (evaluated once) work too.
    check_ecr_rows(bowlby::score("ecr", (col.array() * 1.0).matrix()));
    check_ecr_rows(bowlby::score("ecr", col * Eigen::MatrixXd::Identity(36, 36)));
    // A block of a larger matrix (strided).
    Eigen::MatrixXd wide = Eigen::MatrixXd::Constant(5, 40, 9);
    wide.block(1, 2, 3, 36) = col;
    check_ecr_rows(bowlby::score("ecr", wide.block(1, 2, 3, 36)));
}

TEST_CASE("the compile-time scorer and the run-time key give the same scores") {
    const Eigen::MatrixXd x = ecr_rows();
    bowlby::scorer<bowlby::instruments::ecr> fixed;
    static_assert(decltype(fixed)::items_at_compile_time == 36);
    check_ecr_rows(fixed.score(x));
    bowlby::scorer<bowlby::questionnaire> dynamic{bowlby::questionnaire(bowlby::instrument("ecr"))};
    check_ecr_rows(dynamic.score(x));
    // Copies of a run-time scorer own their key.
    auto copy = dynamic;
    {
        auto moved = std::move(dynamic);
        check_ecr_rows(moved.score(x));
    }
    check_ecr_rows(copy.score(x));
    // One respondent, row or column vector, fixed or dynamic size.
    const Eigen::Matrix<double, 36, 1> one = x.row(2).transpose();
    const auto r = fixed.score_one(one);
    CHECK(r.value("anxiety") == doctest::Approx(40.0 / 18).epsilon(1e-15));
    CHECK(r.value("avoidance") == 4);
    CHECK(r.status[0] == bowlby::score_status::complete);
    CHECK(copy.score_one(x.row(0)).value("avoidance") == doctest::Approx(74.0 / 18).epsilon(1e-15));
    CHECK_THROWS_AS(copy.score_one(x), bowlby::shape_error);
    CHECK_THROWS_AS(r.value("nope"), bowlby::error);
}

TEST_CASE("reverse keying is (min + max) - x on the scale in force") {
    const bowlby::questionnaire q = small();
    Eigen::MatrixXd x(1, 4);
    x << 1, 1, 5, 4;
    // a = (1 + (6 - 1) + 5) / 3 = 11/3; b = 5 + 4 = 9.
    auto t = bowlby::score(q.view(), x);
    CHECK(t.values(0, 0) == doctest::Approx(11.0 / 3).epsilon(1e-15));
    CHECK(t.values(0, 1) == 9);
    // The same questionnaire given on 0-10: item 2 reverses as 10 - 1 = 9.
    bowlby::score_options o;
    o.data_scale = bowlby::response_scale{0, 10, true};
    t = bowlby::score(q.view(), x, o);
    CHECK(t.values(0, 0) == doctest::Approx(15.0 / 3).epsilon(1e-15));
    // The ECR given on 1-5: all 5s -> anxiety (17*5 + 1)/18, avoidance (9*5 + 9*1)/18 = 3.
    o.data_scale = bowlby::response_scale{1, 5, true};
    const Eigen::MatrixXi fives = Eigen::MatrixXi::Constant(1, 36, 5);
    const auto e = bowlby::score("ecr", fives, o);
    CHECK(e.values(0, 0) == doctest::Approx(86.0 / 18).epsilon(1e-15));
    CHECK(e.values(0, 1) == 3);
}

TEST_CASE("missing answers: the min-answered fraction at its threshold") {
    // ECR anxiety has 18 items: at 0.5, 9 answered is enough and 8 is not.
    Eigen::MatrixXd x = Eigen::MatrixXd::Constant(3, 36, 4);
    for (int k = 0; k < 9; ++k) x(0, 2 * k + 1) = na;   // 9 anxiety items missing -> 9 answered
    for (int k = 0; k < 10; ++k) x(1, 2 * k + 1) = na;  // 10 missing -> 8 answered
    for (int i = 0; i < 36; ++i) x(2, i) = na;
    auto t = bowlby::score("ecr", x);
    CHECK(t.status(0, 0) == bowlby::score_status::prorated);
    CHECK(t.answered(0, 0) == 9);
    CHECK(t.values(0, 0) == 4);
    CHECK(t.status(1, 0) == bowlby::score_status::insufficient);
    CHECK(std::isnan(t.values(1, 0)));
    CHECK(t.answered(1, 0) == 8);
    CHECK(t.status(1, 1) == bowlby::score_status::complete);
    CHECK(t.status(2, 1) == bowlby::score_status::insufficient);
    CHECK(t.answered(2, 1) == 0);

    bowlby::score_options o;
    o.min_answered = 0;  // any answer is enough, but never none
    t = bowlby::score("ecr", x, o);
    CHECK(t.status(1, 0) == bowlby::score_status::prorated);
    CHECK(t.status(2, 0) == bowlby::score_status::insufficient);
    o.min_answered = 1;  // every item
    t = bowlby::score("ecr", x, o);
    CHECK(t.status(0, 0) == bowlby::score_status::insufficient);
    CHECK(t.status(0, 1) == bowlby::score_status::complete);

    // 0.7 of 10 items is exactly 7 (and 0.7 * 10 is 7.000000000000001 in binary).
    bowlby::questionnaire ten("ten", 10, {1, 5, true});
    ten.add_subscale("all", {1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
    Eigen::MatrixXd y = Eigen::MatrixXd::Constant(2, 10, 2);
    y.row(0).head(3).setConstant(na);  // 7 answered
    y.row(1).head(4).setConstant(na);  // 6 answered
    o.min_answered = 0.7;
    t = bowlby::score(ten.view(), y, o);
    CHECK(t.status(0, 0) == bowlby::score_status::prorated);
    CHECK(t.status(1, 0) == bowlby::score_status::insufficient);
}

TEST_CASE("missing codes in integer input - and prorated sums") {
    const bowlby::questionnaire q = small();
    Eigen::MatrixXi x(2, 4);
    x << 1, 0, 3, 0,  // b: one of two answered -> prorated sum 3 * 2 = 6
        0, 0, 0, 4;   // a: nothing answered
    bowlby::score_options o;
    o.missing_codes = {0};
    const auto t = bowlby::score(q.view(), x, o);
    CHECK(t.values(0, 0) == 2);  // (1 + 3) / 2
    CHECK(t.status(0, 0) == bowlby::score_status::prorated);
    CHECK(t.values(0, 1) == 6);
    CHECK(t.status(0, 1) == bowlby::score_status::prorated);
    CHECK(t.status(1, 0) == bowlby::score_status::insufficient);
    CHECK(t.values(1, 1) == 8);
    // Without the code, 0 is an invalid answer on 1-5.
    CHECK_THROWS_AS(bowlby::score(q.view(), x), bowlby::invalid_response);
}

TEST_CASE("derived scores over subscales and items - missing when a part is missing") {
    bowlby::questionnaire q = small();
    q.add_derived("diff", {{bowlby::term::subscale, 0, 1}, {bowlby::term::subscale, 1, -0.5}});
    q.add_derived("item4x2", {{bowlby::term::item, 4, 2}});
    Eigen::MatrixXd x(2, 4);
    x << 1, 1, 5, 4,  // a = 11/3, b = 9: diff = 11/3 - 4.5; item4x2 = 8
        1, 1, na, na;
    const auto t = bowlby::score(q.view(), x);
    CHECK(t.values(0, 2) == doctest::Approx(11.0 / 3 - 4.5).epsilon(1e-15));
    CHECK(t.values(0, 3) == 8);
    CHECK(t.status(1, 2) == bowlby::score_status::insufficient);
    CHECK(std::isnan(t.values(1, 3)));
    CHECK(t.names == std::vector<std::string>{"a", "b", "diff", "item4x2"});
}

TEST_CASE("bad input: a clear exception for each class - all catchable as bowlby::error") {
    Eigen::MatrixXd x = Eigen::MatrixXd::Constant(3, 36, 4);
    CHECK_THROWS_AS(bowlby::score("ecr", Eigen::MatrixXd::Constant(2, 35, 4)), bowlby::shape_error);
    CHECK_THROWS_WITH(bowlby::score("ecr", Eigen::MatrixXd::Constant(2, 35, 4)), "expected 36 item columns, got 35");

    x(1, 4) = 8;
    try {
        bowlby::score("ecr", x);
        FAIL("no exception");
    } catch (const bowlby::invalid_response& e) {
        CHECK(e.row() == 1);
        CHECK(e.item() == 4);
        CHECK(e.value() == 8);
        CHECK(std::string(e.what()) == "row 2, item 5: value 8 is outside the response scale 1..7");
    }
    x(1, 4) = 2.5;
    CHECK_THROWS_WITH(bowlby::score("ecr", x),
                      "row 2, item 5: value 2.5 is not a whole number (the response scale 1..7 takes whole numbers)");
    x(1, 4) = -std::numeric_limits<double>::infinity();
    CHECK_THROWS_WITH(bowlby::score("ecr", x), "row 2, item 5: value -inf is infinite");

    // Treated as missing on request, and counted.
    bowlby::score_options o;
    o.on_invalid = bowlby::invalid_policy::missing;
    x(0, 0) = 0;
    const auto t = bowlby::score("ecr", x, o);
    CHECK(t.invalid_cells == 2);
    CHECK(t.answered(1, 1) == 17);
    CHECK(t.answered(0, 1) == 17);

    // A non-integral scale accepts fractions.
    bowlby::questionnaire slider("slider", 2, {0, 100, false});
    slider.add_subscale("s", {1, 2});
    Eigen::MatrixXd s(1, 2);
    s << 37.5, 62.5;
    CHECK(bowlby::score(slider.view(), s).values(0, 0) == 50);

    o = {};
    o.min_answered = 1.5;
    CHECK_THROWS_AS(bowlby::score("ecr", x, o), bowlby::option_error);
    o.min_answered = 0.5;
    o.data_scale = bowlby::response_scale{5, 1, true};
    CHECK_THROWS_AS(bowlby::score("ecr", x, o), bowlby::option_error);
    CHECK_THROWS_AS(bowlby::score("no-such-instrument", x), bowlby::unknown_instrument);
    CHECK_THROWS_AS(bowlby::score("no-such-instrument", x), bowlby::error);
}

TEST_CASE("draft questionnaires copy - and moved-from scorers move again") {
    bowlby::questionnaire draft("draft", 3, {1, 5, true});
    const bowlby::questionnaire copy = draft;  // a draft without subscales is still a value
    CHECK(copy.view_unchecked().n_items == 3);
    bowlby::scorer<bowlby::questionnaire> a{small()};
    auto b = std::move(a);
    auto c = std::move(a);
    Eigen::MatrixXd x(1, 4);
    x << 1, 1, 5, 4;
    CHECK(b.score(x).values(0, 1) == 9);
}

TEST_CASE("malformed keys are refused with a sentence") {
    bowlby::questionnaire q("bad", 3, {1, 5, true});
    CHECK_THROWS_WITH(q.view(), "questionnaire 'bad': a questionnaire needs at least one subscale");
    q.add_subscale("x", {1, 4});
    CHECK_THROWS_AS(q.view(), bowlby::key_error);
    CHECK(std::string(bowlby::check_key(q.view_unchecked())) == "a subscale names an item number outside 1..n_items");
    bowlby::questionnaire r("bad2", 3, {1, 5, true});
    r.add_subscale("x", {1, 2}, {3});
    CHECK(std::string(bowlby::check_key(r.view_unchecked())) == "a reversed item is not among its subscale's items");
    bowlby::questionnaire d("bad3", 3, {1, 5, true});
    d.add_subscale("x", {1, 1});
    CHECK(std::string(bowlby::check_key(d.view_unchecked())) == "a subscale lists the same item twice");
    bowlby::questionnaire n("bad4", 3, {1, 5, true});
    n.add_subscale("x", {1}).add_subscale("x", {2});
    CHECK(std::string(bowlby::check_key(n.view_unchecked())) == "two subscales share a name");
    bowlby::questionnaire e("bad5", 3, {1, 5, true});
    e.add_subscale("x", {1}).add_derived("y", {{bowlby::term::subscale, 3, 1}});
    CHECK(std::string(bowlby::check_key(e.view_unchecked())) == "a derived score names a subscale that does not exist");
    CHECK_THROWS_AS(bowlby::scorer<bowlby::questionnaire>{e}, bowlby::key_error);
}

namespace {
// Pseudo-random ECR answers on 1-7, enough rows for many kernel blocks and several thread
// ranges, with missing cells (NaN and the code 0) and, when asked, invalid cells (9, 2.5,
// -inf) at known rows.
row_major noisy_ecr(Eigen::Index rows, bool invalid) {
    row_major x(rows, 36);
    std::uint64_t s = 12345;
    auto next = [&s] {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        return static_cast<int>((s >> 33) % 100);
    };
    for (Eigen::Index i = 0; i < x.size(); ++i) {
        const int u = next();
        x.data()[i] = u < 3 ? na : u < 5 ? 0.0 : static_cast<double>(1 + u % 7);
    }
    if (invalid) {
        x(5000, 3) = 9;
        x(40000, 7) = 2.5;
        x(69000, 0) = -std::numeric_limits<double>::infinity();
    }
    return x;
}
}  // namespace

TEST_CASE("the fast kernel and threads give what the general code gives") {
    // The general code (coefficient by coefficient) runs on a lazy expression, which has no
    // direct memory access; the kernel runs on the matrix itself and on integer copies.
    const row_major x = noisy_ecr(70000, false);
    bowlby::score_options o;
    o.missing_codes = {0};
    const auto& ecr = bowlby::instrument("ecr");
    const auto general = bowlby::score(ecr, x.unaryExpr([](double v) { return v; }), o);
    const auto fast = bowlby::score(ecr, x, o);
    const Eigen::MatrixXd col_major = x;
    const auto fast_col = bowlby::score(ecr, col_major, o);
    // Integer input: NaN cannot be held, so missing cells become the code 0.
    const Eigen::Matrix<std::int16_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> xi =
        x.unaryExpr([](double v) { return std::isnan(v) ? std::int16_t{0} : static_cast<std::int16_t>(v); });
    const Eigen::Matrix<std::uint8_t, Eigen::Dynamic, Eigen::Dynamic> xb = xi.cast<std::uint8_t>();
    const auto fast_int = bowlby::score(ecr, xi, o);
    const auto fast_byte = bowlby::score(ecr, xb, o);
    bowlby::score_options o2 = o;
    o2.threads = 3;
    const auto threaded = bowlby::score(ecr, x, o2);
    for (const auto* t : {&fast, &fast_col, &fast_int, &fast_byte, &threaded}) {
        CHECK(t->answered == general.answered);
        CHECK(t->status_codes == general.status_codes);
        // Same sums in the same order: equal, NaN where insufficient.
        CHECK((t->values.array() == general.values.array() ||
               (t->values.array().isNaN() && general.values.array().isNaN()))
                  .all());
    }
    CHECK(general.rows() == 70000);
}

namespace {
// Scores equal to the general code's: same answered counts and statuses, equal values (NaN
// where insufficient).
void check_same(const bowlby::score_table<double>& t, const bowlby::score_table<double>& general) {
    REQUIRE(t.rows() == general.rows());
    CHECK(t.answered == general.answered);
    CHECK(t.status_codes == general.status_codes);
    CHECK((t.values.array() == general.values.array() || (t.values.array().isNaN() && general.values.array().isNaN()))
              .all());
}
}  // namespace

// Runs the body with the row kernel on SSE2 and, where the processor has it, on AVX2.
struct kernel_isa {
    explicit kernel_isa(bool sse2_only) { bowlby::detail::simd_sse2_only() = sse2_only; }
    ~kernel_isa() { bowlby::detail::simd_sse2_only() = false; }
};

TEST_CASE("the row kernel gives what the general code gives - every built-in and layout") {
    // Rows contiguous in memory (row-major double, float and byte input, and a Map whose rows
    // are further apart than their length) go through the row kernel; a lazy expression goes
    // through the general code. Answers are drawn on each instrument's scale, with missing
    // cells in some rows, so that clean rows, rows with missing answers and the last rows of the
    // matrix (too near its end for whole-vector reads) all occur.
    for (const bool sse2_only : {true, false})
        for (const bowlby::key_view& key : bowlby::builtin_instruments()) {
            CAPTURE(sse2_only);
            CAPTURE(key.id);
            const kernel_isa isa(sse2_only);
            const Eigen::Index rows = 1000, k = key.n_items;
            const auto lo = static_cast<int>(key.scale.min), hi = static_cast<int>(key.scale.max);
            std::uint64_t state = 99;
            auto next = [&state] {
                state = state * 6364136223846793005ULL + 1442695040888963407ULL;
                return static_cast<int>(state >> 33);
            };
            row_major x(rows, k);
            for (Eigen::Index i = 0; i < x.size(); ++i) {
                const int u = next() % 1000;
                x.data()[i] = u < 8 ? na : static_cast<double>(lo + next() % (hi - lo + 1));
            }
            bowlby::score_options o;
            o.missing_codes.push_back(-1);
            const auto general = bowlby::score(key, x.unaryExpr([](double v) { return v; }), o);
            check_same(bowlby::score(key, x, o), general);
            const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> xf = x.cast<float>();
            check_same(bowlby::score(key, xf, o), general);
            if (lo >= 0) {
                // Bytes: missing cells become the code 255.
                const Eigen::Matrix<std::uint8_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> xb = x.unaryExpr(
                    [](double v) { return std::isnan(v) ? std::uint8_t{255} : static_cast<std::uint8_t>(v); });
                bowlby::score_options ob = o;
                ob.missing_codes.front() = 255;
                check_same(bowlby::score(key, xb, ob), general);
                // Rows 5 bytes further apart than their length, with padding that is not an answer.
                std::vector<std::uint8_t> padded(static_cast<std::size_t>(rows * (k + 5)), 200);
                Eigen::Map<Eigen::Matrix<std::uint8_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>, 0,
                           Eigen::OuterStride<>>
                    mb(padded.data(), rows, k, Eigen::OuterStride<>(k + 5));
                mb = xb;
                check_same(bowlby::score(key, mb, ob), general);
            }
            std::vector<double> padded(static_cast<std::size_t>(rows * (k + 3)), -5.5);
            Eigen::Map<row_major, 0, Eigen::OuterStride<>> m(padded.data(), rows, k, Eigen::OuterStride<>(k + 3));
            m = x;
            check_same(bowlby::score(key, m, o), general);
            // Missing cells coded -1 rather than NaN, and scores kept as floats.
            if (lo > -1) {
                const row_major coded = x.unaryExpr([](double v) { return std::isnan(v) ? -1.0 : v; });
                check_same(bowlby::score(key, coded, o), general);
            }
            const auto as_float = bowlby::score<float>(key, x, o);
            const auto general_float = bowlby::score<float>(key, x.unaryExpr([](double v) { return v; }), o);
            CHECK(as_float.answered == general_float.answered);
            CHECK(as_float.status_codes == general_float.status_codes);
            CHECK((as_float.values.array() == general_float.values.array() ||
                   (as_float.values.array().isNaN() && general_float.values.array().isNaN()))
                      .all());
            // An answer off the scale in a row that also has a missing answer is still reported.
            row_major bad = x;
            bad(500, 0) = na;
            bad(500, k - 1) = hi + 1;
            CHECK_THROWS_AS(bowlby::score(key, bad, o), bowlby::invalid_response);
            // A matrix shorter than one vector of bytes per row: every row is redone one by one.
            check_same(bowlby::score(key, x.topRows(1), o),
                       bowlby::score(key, x.topRows(1).unaryExpr([](double v) { return v; }), o));
        }
}

TEST_CASE("the row kernel: 100 items - answers beyond the first 64 bits of a row") {
    // Two subscales over 100 items on 1-5: odd items in "odd" (every third reversed), items
    // 51-100 in "late" (items 91-100 reversed). Missing answers fall in both words of a row's bits.
    std::vector<int> odd, odd_rev, late, late_rev;
    for (int i = 1; i <= 100; i += 2) odd.push_back(i);
    for (int i = 1; i <= 100; i += 6) odd_rev.push_back(i);
    for (int i = 51; i <= 100; ++i) late.push_back(i);
    for (int i = 91; i <= 100; ++i) late_rev.push_back(i);
    bowlby::questionnaire q("long", 100, {1, 5, true});
    q.add_subscale("odd", odd, odd_rev).add_subscale("late", late, late_rev);
    row_major x(200, 100);
    for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = static_cast<double>(1 + (i * 13 + i / 7) % 5);
    for (Eigen::Index r = 0; r < 200; r += 3) x(r, (r * 37) % 100) = na;
    x(3, 99) = na;
    x(3, 0) = na;  // item 1: in "odd", reversed
    // Respondent 1 by hand (no missing answer): item j + 1 is 1 + (13 i + i / 7) % 5 with
    // i = 100 + j; "late" is the mean of items 51-100 with 91-100 reversed as 6 - x.
    double late_sum = 0;
    for (int j = 50; j < 100; ++j) {
        const int i = 100 + j;
        const double a = 1 + (i * 13 + i / 7) % 5;
        late_sum += j >= 90 ? 6 - a : a;
    }
    for (const bool sse2_only : {true, false}) {
        CAPTURE(sse2_only);
        const kernel_isa isa(sse2_only);
        const auto general = bowlby::score(q.view(), x.unaryExpr([](double v) { return v; }));
        const auto fast = bowlby::score(q.view(), x);
        check_same(fast, general);
        CHECK(fast.values(1, 1) == late_sum / 50);
        CHECK(fast.answered(3, 1) == 49);
        CHECK(fast.answered(3, 0) == 49);
        const Eigen::Matrix<std::uint8_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> xb =
            x.unaryExpr([](double v) { return std::isnan(v) ? std::uint8_t{0} : static_cast<std::uint8_t>(v); });
        bowlby::score_options ob;
        ob.missing_codes.push_back(0);
        check_same(bowlby::score(q.view(), xb, ob), general);
    }
}

TEST_CASE("a table too large for the cache is written around it - the same scores as small tables") {
    // 600,000 rows x 2 ECR scores make a table of 15.6 MB, over the 8 MiB from which scores,
    // counts and statuses are written with non-temporal stores (and its 9.6 MB of scores over
    // the 8 MiB from which a buffer is offered huge pages); the same rows scored 1,000 at a time
    // (tables of 26 kB) are stored as usual. With 600,001 rows the second column starts 8
    // bytes off a 16-byte boundary and is stored as usual too. On one thread and on two.
    const bowlby::key_view& ecr = bowlby::instruments::ecr::key;
    // Also 600,000 rows that answer every item: every block is complete and written without
    // counts, streamed.
    for (const auto& variant : {std::pair<Eigen::Index, bool>{600000, true}, {600001, true}, {600000, false}}) {
        const Eigen::Index rows = variant.first;
        const bool some_missing = variant.second;
        CAPTURE(rows);
        CAPTURE(some_missing);
        Eigen::Matrix<std::uint8_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> x(rows, 36);
        std::uint64_t state = 7;
        for (Eigen::Index i = 0; i < x.size(); ++i) {
            state = state * 6364136223846793005ULL + 1442695040888963407ULL;
            const auto u = static_cast<int>(state >> 33);
            x.data()[i] = static_cast<std::uint8_t>(some_missing && u % 200 == 0 ? 0 : 1 + u % 7);  // 0: missing
        }
        // Row 200,000 answers 7 throughout: anxiety (17 * 7 + 1) / 18 (one item reversed),
        // avoidance (9 * 7 + 9 * 1) / 18 = 4 (see ecr_rows above).
        x.row(200000).setConstant(7);
        bowlby::score_options o;
        o.missing_codes.push_back(0);
        o.min_answered = 0.99;  // a missing answer makes its subscale insufficient
        bowlby::chunk_scorer<> small(ecr, o);
        bowlby::score_table<double> pieces = bowlby::score(ecr, x.topRows(0), o);
        pieces.values.resize(rows, 2);
        pieces.answered.resize(rows, 2);
        pieces.status_codes.resize(rows, 2);
        for (Eigen::Index r0 = 0; r0 < rows; r0 += 1000) {
            const Eigen::Index n = std::min<Eigen::Index>(1000, rows - r0);
            const auto& t = small.score(x.middleRows(r0, n));
            pieces.values.middleRows(r0, n) = t.values;
            pieces.answered.middleRows(r0, n) = t.answered;
            pieces.status_codes.middleRows(r0, n) = t.status_codes;
        }
        CHECK((pieces.status_codes.array() == 0).any());
        CHECK((pieces.status_codes.array() == 2).any() == some_missing);
        for (const unsigned threads : {1u, 2u}) {
            CAPTURE(threads);
            o.threads = threads;
            const auto t = bowlby::score(ecr, x, o);
            check_same(t, pieces);
            CHECK(t.values(200000, 0) == 120.0 / 18);
            CHECK(t.values(200000, 1) == 4.0);
            const row_major xd = x.cast<double>();
            check_same(bowlby::score(ecr, xd, o), pieces);
        }
    }
}

TEST_CASE("a mean of complete rows is the correctly rounded quotient - every sum a row of up to 256 items can have") {
    // Where every row of a vector answered all its subscale's items, the kernel divides by the
    // item count without a division instruction (see subscale_column); the result must be the
    // IEEE quotient sum / size, which the test computes with the division operator. Checked
    // for every whole sum from -20 size to 255 size and every size up to 256, for every 7th sum
    // up to 512 items, and for whole sums up to 2^50.
    std::vector<double> sum, count, expected;
    for (int size = 1; size <= 512; ++size) {
        sum.clear();
        for (int x = -20 * size; x <= 255 * size; x += size <= 256 ? 1 : 7) sum.push_back(x);
        std::uint64_t state = static_cast<std::uint64_t>(size);
        for (int i = 0; i < 400; ++i) {
            state = state * 6364136223846793005ULL + 1442695040888963407ULL;
            sum.push_back(static_cast<double>(state >> 14) * (i % 2 ? 1 : -1));
        }
        const auto n = static_cast<Eigen::Index>(sum.size());
        count.assign(sum.size(), size);
        std::vector<double> value(sum.size());
        std::vector<int> answered(sum.size());
        std::vector<std::uint8_t> status(sum.size());
        bowlby::detail::subscale_scores(sum.data(), count.data(), n, 1.0, size, false, value.data(), answered.data(),
                                        status.data());
        Eigen::Index wrong = 0;
        for (Eigen::Index i = 0; i < n; ++i)
            if (value[static_cast<std::size_t>(i)] != sum[static_cast<std::size_t>(i)] / size) ++wrong;
        CAPTURE(size);
        CHECK(wrong == 0);
        CHECK(status[0] == 0);
        CHECK(answered[0] == size);
        // The same for a block known to be complete (complete_scores: no counts read), for a
        // mean and for a sum subscale (the mean times the item count).
        for (const bool sse2_only : {true, false})
            for (const bool is_sum : {false, true}) {
                CAPTURE(sse2_only);
                CAPTURE(is_sum);
                const kernel_isa isa(sse2_only);
                std::fill(value.begin(), value.end(), na);
                std::fill(answered.begin(), answered.end(), -1);
                std::fill(status.begin(), status.end(), std::uint8_t{9});
                bowlby::detail::complete_scores(sum.data(), n, size, is_sum, value.data(), answered.data(),
                                                status.data());
                Eigen::Index wrong_complete = 0, wrong_count = 0;
                for (std::size_t i = 0; i < sum.size(); ++i) {
                    if (value[i] != sum[i] / size * (is_sum ? size : 1.0)) ++wrong_complete;
                    if (answered[i] != size || status[i] != 0) ++wrong_count;
                }
                CHECK(wrong_complete == 0);
                CHECK(wrong_count == 0);
            }
    }
}

TEST_CASE("bytes eight rows at a time - an incomplete row at every place in a group - the ends of the scale") {
    // 40 items (two vectors of bytes per row on AVX2, the second holding 8 items), three
    // subscales: "kept" = items 1-20, "turned" = items 21-40 all reversed, "mixed" = items
    // 1-40 with every odd item reversed.
    std::vector<int> first, second, all, odd;
    for (int i = 1; i <= 20; ++i) first.push_back(i);
    for (int i = 21; i <= 40; ++i) second.push_back(i);
    for (int i = 1; i <= 40; ++i) all.push_back(i);
    for (int i = 1; i <= 40; i += 2) odd.push_back(i);
    using bytes = Eigen::Matrix<std::uint8_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    const Eigen::Index rows = 64 * 8 + 5;
    auto general = [](const bowlby::questionnaire& q, const bytes& x, const bowlby::score_options& o) {
        return bowlby::score(q.view(), x.unaryExpr([](std::uint8_t v) { return v; }), o);
    };

    // On 0-255 every byte is an answer and every row complete. Answers at the ends of the
    // scale make a row's 16-bit partial sums as large as they get.
    bowlby::questionnaire full("full", 40, {0, 255, true});
    full.add_subscale("kept", first).add_subscale("turned", second, second).add_subscale("mixed", all, odd);
    bytes x(rows, 40);
    for (Eigen::Index r = 0; r < rows; ++r)
        for (Eigen::Index j = 0; j < 40; ++j)
            x(r, j) = static_cast<std::uint8_t>((r + j) % 3 == 0 ? 255 : (r * 7 + j * 13) % 256);
    // Row 0 by hand: every answer 255: kept 255, turned 255 - 255 = 0, mixed = mean of 20 kept
    // 255s and 20 reversed 0s = 127.5. Row 1, every answer 0: kept 0, turned 255, mixed 127.5.
    x.row(0).setConstant(255);
    x.row(1).setConstant(0);

    // On 1-254 with 255 missing, 0 is invalid. Group g (rows 8g to 8g + 7) has a missing
    // answer in the row at place g % 8, item (g * 5) % 40 (so either vector), for g = 2 to 33;
    // an invalid answer in the row at place (g + 3) % 8, item (g * 3) % 40, for g = 10 to 17;
    // groups 34 and later are whole. The answers are those above with 0 read as 1 and 255 as 254.
    bowlby::questionnaire inner("inner", 40, {1, 254, true});
    inner.add_subscale("kept", first).add_subscale("turned", second, second).add_subscale("mixed", all, odd);
    bytes y = x.unaryExpr([](std::uint8_t v) { return std::uint8_t(v == 0 ? 1 : v == 255 ? 254 : v); });
    for (Eigen::Index g = 2; g < 34; ++g) y(8 * g + g % 8, (g * 5) % 40) = 255;
    for (Eigen::Index g = 10; g < 18; ++g) y(8 * g + (g + 3) % 8, (g * 3) % 40) = 0;
    bowlby::score_options keep_going;
    keep_going.missing_codes.push_back(255);
    keep_going.on_invalid = bowlby::invalid_policy::missing;
    bowlby::score_options strict;
    strict.missing_codes.push_back(255);

    for (const bool sse2_only : {true, false}) {
        CAPTURE(sse2_only);
        const kernel_isa isa(sse2_only);
        const auto f = bowlby::score(full.view(), x);
        check_same(f, general(full, x, {}));
        CHECK(f.values(0, 0) == 255.0);
        CHECK(f.values(0, 1) == 0.0);
        CHECK(f.values(0, 2) == 127.5);
        CHECK(f.values(1, 0) == 0.0);
        CHECK(f.values(1, 1) == 255.0);
        CHECK(f.values(1, 2) == 127.5);
        const auto g = bowlby::score(inner.view(), y, keep_going);
        const auto gg = general(inner, y, keep_going);
        check_same(g, gg);
        CHECK(g.invalid_cells == gg.invalid_cells);
        // Row 8 * 5 + 5 has one missing answer, item 26 (in "turned" and "mixed").
        CHECK(g.answered(45, 1) == 19);
        CHECK(g.answered(45, 2) == 39);
        CHECK(g.answered(45, 0) == 20);
        CHECK(g.invalid_cells == 8);
        // Under the strict policy the first invalid answer is reported: group 10, the row at
        // place 13 % 8 = 5 (row 85, 0-based), item 30 % 40 (0-based).
        try {
            (void)bowlby::score(inner.view(), y, strict);
            FAIL("no error");
        } catch (const bowlby::invalid_response& e) {
            CHECK(e.row() == 85);
            CHECK(e.item() == 30);
        }
    }
}

TEST_CASE("bytes in rows back to back - 4 to 36 items - two subscales in one packed sum") {
    // Byte rows of 4 to 36 items (a multiple of 4) with nothing between them, keyed into one or
    // two subscales that share no item, go eight rows at a time through a kernel that sums both
    // subscales in one 16-bit lane (the low one at weight 1, the other at a power of two above
    // the low one's largest sum). Checked against the general code on: every such row length;
    // a scale starting at 10 (so that min is not 0 or 1); items alternating between the
    // subscales with every third one reversed; a smaller first subscale and a smaller second
    // one; an incomplete row at every place of a group; an invalid answer; rows left over
    // after the last group; blocks whose rows all answered every item.
    using bytes = Eigen::Matrix<std::uint8_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    auto general = [](const bowlby::questionnaire& q, const bytes& x, const bowlby::score_options& o) {
        return bowlby::score(q.view(), x.unaryExpr([](std::uint8_t v) { return v; }), o);
    };
    // 643 rows: blocks of 128 rows 2 to 4 are complete (written without counts), block 5 ends
    // with rows too near the end for whole-vector reads.
    const Eigen::Index rows = 8 * 80 + 3;
    for (int items = 4; items <= 36; items += 4)
        for (int layout = 0; layout < 3; ++layout) {
            CAPTURE(items);
            CAPTURE(layout);
            // layout 0: a = odd items, b = even items; 1: a = item 1 only; 2: b = item 2 only;
            // every third item reversed.
            std::vector<int> a, b, rev;
            for (int i = 1; i <= items; ++i) {
                const bool in_a = layout == 0 ? i % 2 == 1 : layout == 1 ? i == 1 : i != 2;
                (in_a ? a : b).push_back(i);
                if (i % 3 == 0) rev.push_back(i);
            }
            std::vector<int> rev_a, rev_b;
            for (int i : rev) (std::count(a.begin(), a.end(), i) ? rev_a : rev_b).push_back(i);
            bowlby::questionnaire q("packed", items, {10, 16, true});
            q.add_subscale("a", a, rev_a).add_subscale("b", b, rev_b, bowlby::aggregation::sum);
            bowlby::questionnaire one("one", items, {10, 16, true});
            one.add_subscale("all", a, rev_a);
            bytes x(rows, items);
            for (Eigen::Index r = 0; r < rows; ++r)
                for (Eigen::Index j = 0; j < items; ++j) x(r, j) = static_cast<std::uint8_t>(10 + (r * 5 + j * 3) % 7);
            // Row 0: every answer 16 (the top). a's kept items score 16, its reversed ones
            // (10 + 16) - 16 = 10; the sum subscale b the same, summed.
            x.row(0).setConstant(16);
            // Group g (rows 8g to 8g + 7), g = 1 to 16: the row at place g % 8 misses item
            // g % items (0 is the missing code); group 20 has 9 (invalid) at place 3, item 1.
            for (Eigen::Index g = 1; g <= 16; ++g) x(8 * g + g % 8, g % items) = 0;
            x(8 * 20 + 3, 1) = 9;
            bowlby::score_options o;
            o.missing_codes.push_back(0);
            o.on_invalid = bowlby::invalid_policy::missing;
            for (const bool sse2_only : {true, false}) {
                CAPTURE(sse2_only);
                const kernel_isa isa(sse2_only);
                const auto t = bowlby::score(q.view(), x, o);
                const auto gt = general(q, x, o);
                check_same(t, gt);
                CHECK(t.invalid_cells == 1);
                CHECK(gt.invalid_cells == 1);
                check_same(bowlby::score(one.view(), x, o), general(one, x, o));
                // Row 0 by hand.
                const auto kept_a = static_cast<double>(a.size() - rev_a.size());
                CHECK(t.values(0, 0) ==
                      (16 * kept_a + 10 * static_cast<double>(rev_a.size())) / static_cast<double>(a.size()));
                CHECK(t.values(0, 1) ==
                      16.0 * static_cast<double>(b.size() - rev_b.size()) + 10.0 * static_cast<double>(rev_b.size()));
            }
        }
    // The packed kernel is the one these keys take on AVX2 (rows 36 bytes apart, 1-7 scale).
    if (bowlby::detail::simd_avx2()) {
        bowlby::score_options o;
        o.missing_codes.push_back(0);
        auto rp = bowlby::detail::make_row_plan<std::uint8_t>(bowlby::detail::make_plan(bowlby::instrument("ecr"), o));
        bowlby::detail::add_packed_rows(rp, 36);
        CHECK(rp.packed_stride == 36);
        bowlby::detail::add_packed_rows(rp, 40);  // a wider row holds bytes that are not answers
        CHECK(rp.packed_stride == 0);
    }
}

TEST_CASE("bytes in rows back to back - the packed sums at their bounds") {
    // The largest packed sums: 4 items on 0-127 (127 steps, the most the packed kernel takes),
    // "low" = item 1 (its largest sum, 127, fits below 2^7) and "high" = items 2-4 at weight
    // 2^7 (packed sum up to 127 + 3 * 127 * 128 = 48,895, below 2^16, reached below), item 3
    // reversed; then
    // one subscale of 36 items on 0-127 (largest sum 4,572).
    using bytes = Eigen::Matrix<std::uint8_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    bowlby::questionnaire q("bounds", 4, {0, 127, true});
    q.add_subscale("high", {2, 3, 4}, {3}, bowlby::aggregation::sum).add_subscale("low", {1});
    bytes x(64, 4);
    for (Eigen::Index r = 0; r < 64; ++r)
        for (Eigen::Index j = 0; j < 4; ++j) x(r, j) = static_cast<std::uint8_t>(r % 2 ? 127 : (r * 11 + j * 29) % 128);
    for (Eigen::Index r = 3; r < 64; r += 4) x(r, 2) = 0;
    // Rows 1, 5, 9, ...: every answer 127: high = 127 + (127 - 127) + 127 = 254, low = 127.
    // Rows 3, 7, 11, ...: item 3 is 0: high = 127 + (127 - 0) + 127 = 381, low = 127, the packed
    // sum 127 + 381 * 128 = 48,895.
    bowlby::questionnaire wide("wide", 36, {0, 127, true});
    std::vector<int> all;
    for (int i = 1; i <= 36; ++i) all.push_back(i);
    wide.add_subscale("all", all, {1, 2, 3}, bowlby::aggregation::sum);
    bytes y(64, 36);
    y.setConstant(127);
    // Every row: 33 kept items at 127 and 3 reversed at 0: 4,191.
    for (const bool sse2_only : {true, false}) {
        CAPTURE(sse2_only);
        const kernel_isa isa(sse2_only);
        const auto t = bowlby::score(q.view(), x);
        check_same(t, bowlby::score(q.view(), x.unaryExpr([](std::uint8_t v) { return v; })));
        CHECK(t.values(1, 0) == 254.0);
        CHECK(t.values(1, 1) == 127.0);
        CHECK(t.values(3, 0) == 381.0);
        CHECK(t.values(3, 1) == 127.0);
        const auto w = bowlby::score(wide.view(), y);
        CHECK((w.values.array() == 33.0 * 127).all());
    }
    if (bowlby::detail::simd_avx2()) {
        bowlby::score_options o;
        o.missing_codes.push_back(255);
        auto rp = bowlby::detail::make_row_plan<std::uint8_t>(bowlby::detail::make_plan(q.view(), o));
        bowlby::detail::add_packed_rows(rp, 4);
        CHECK(rp.packed_stride == 4);
        CHECK(rp.packed_shift == 7);
        CHECK(rp.packed_low == 1);
        // With two items in each subscale, the low one's sums (up to 254) no longer fit below
        // 2^7, and the kernel is not used; nor on a scale of 128 steps.
        bowlby::questionnaire over("over", 4, {0, 127, true});
        over.add_subscale("high", {3, 4}).add_subscale("low", {1, 2});
        bowlby::questionnaire steps("steps", 4, {0, 128, true});
        steps.add_subscale("high", {2, 3, 4}, {3}).add_subscale("low", {1});
        auto rs = bowlby::detail::make_row_plan<std::uint8_t>(bowlby::detail::make_plan(steps.view(), o));
        bowlby::detail::add_packed_rows(rs, 4);
        CHECK(rs.packed_stride == 0);
        auto ro = bowlby::detail::make_row_plan<std::uint8_t>(bowlby::detail::make_plan(over.view(), o));
        bowlby::detail::add_packed_rows(ro, 4);
        CHECK(ro.packed_stride == 0);
    }
}

TEST_CASE("bytes in rows back to back scored straight into the table - from every place in a cache line") {
    // Groups of eight rows of bytes go from the packed sums straight into the score table, those
    // with missing answers too (with their counts, summed the same way); the first group with an
    // invalid answer hands a block of rows to the path through the block's sums (and the general
    // code), and the packed runs start again after it. A table over 8 MiB
    // gets its scores with non-temporal stores, a cache line at a time: the runs then start
    // where the first column's scores start a line, and the rows before go the other way.
    // Scored here into a table of 8 more rows, from each of rows 0 to 7 (so each of the eight
    // places of a row in a 64-byte line), on one thread and on two, and checked against the
    // general code: 340,000 rows (a table of 13.3 MB) of two subscales, one a sum, with a
    // derived score; a key of one subscale (into a table of 700,000 rows, 9.1 MB); and 340,003
    // rows, whose second column starts 24 bytes further along a line than the first.
    using bytes = Eigen::Matrix<std::uint8_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    std::vector<int> a, b, rev_a, rev_b, all;
    for (int i = 1; i <= 36; ++i) {
        (i % 2 ? a : b).push_back(i);
        if (i % 3 == 0) (i % 2 ? rev_a : rev_b).push_back(i);
        all.push_back(i);
    }
    bowlby::questionnaire two("two", 36, {1, 7, true});
    two.add_subscale("a", a, rev_a).add_subscale("b", b, rev_b, bowlby::aggregation::sum);
    two.add_derived("b - 2a", {{bowlby::term::subscale, 1, 1}, {bowlby::term::subscale, 0, -2}});
    bowlby::questionnaire one("one", 36, {1, 7, true});
    one.add_subscale("all", all, rev_a);
    // Two missing codes; 17 of 18 answers give a score (16.2 needed), 33 of 36 for "one".
    bowlby::score_options o;
    o.missing_codes.push_back(0);
    o.missing_codes.push_back(99);
    o.min_answered = 0.9;
    o.on_invalid = bowlby::invalid_policy::missing;
    for (const Eigen::Index rows : {Eigen::Index{340000}, Eigen::Index{340003}}) {
        CAPTURE(rows);
        bytes x(rows, 36);
        std::uint64_t state = 11;
        for (Eigen::Index i = 0; i < x.size(); ++i) {
            state = state * 6364136223846793005ULL + 1442695040888963407ULL;
            x.data()[i] = static_cast<std::uint8_t>(1 + (state >> 33) % 7);
        }
        // Missing answers: in the first rows (before any run can start), in a group in the
        // middle of a block, in the block's last group, and in the last row.
        for (const Eigen::Index r :
             {Eigen::Index{1}, Eigen::Index{6}, Eigen::Index{100003}, Eigen::Index{1000 * 128 + 125}, rows - 1})
            x(r, r % 36) = 0;
        // Rows 200,000 to 200,063 (eight groups): one or two missing answers in every row, as 0
        // or 99, so that some subscales have too few; row 200,008 misses every answer. Then
        // complete groups again. Row 250,005 holds 8 (invalid) and row 250,006 a missing answer.
        for (Eigen::Index r = 200000; r < 200064; ++r) {
            x(r, r % 36) = 0;
            if (r % 3 == 0) x(r, (r * 7) % 36) = 99;
        }
        x.row(200008).setConstant(99);
        x(250005, 5) = 8;
        x(250006, 30) = 0;
        // Row 7: every answer 7. a: 12 kept at 7 and 6 reversed at (1 + 7) - 7 = 1, (84 + 6) / 18 = 5;
        // b (a sum): 12 * 7 + 6 * 1 = 90; b - 2a = 80.
        x.row(7).setConstant(7);
        // Row 300,001: the same but item 1 (kept in a) missing: a = (11 * 7 + 6 * 1) / 17 = 83 / 17,
        // with 17 answered (prorated); b = 90, b - 2a = 90 - 166 / 17.
        x.row(300001).setConstant(7);
        x(300001, 0) = 0;
        for (const auto* q : {&two, &one}) {
            const bool two_subscales = q == &two;
            CAPTURE(two_subscales);
            const auto general = bowlby::score(q->view(), x.unaryExpr([](std::uint8_t v) { return v; }), o);
            if (q == &two) {
                CHECK(general.values(7, 0) == 5.0);
                CHECK(general.values(7, 1) == 90.0);
                CHECK(general.values(7, 2) == 80.0);
                CHECK(general.values(300001, 0) == 83.0 / 17);
                CHECK(general.answered(300001, 0) == 17);
                CHECK(general.status(300001, 0) == bowlby::score_status::prorated);
                CHECK(general.values(300001, 2) == 90.0 - 2 * (83.0 / 17));
            }
            CHECK(general.invalid_cells == 1);
            CHECK((general.status_codes.array() == 1).count() >= 3);
            // Two missing in one subscale of "two" (every third row of the band, where the two
            // items differ): too few; "one" needs 33 of its 36.
            CHECK((general.status_codes.array() == 2).count() >= (two_subscales ? 10 : 1));
            CHECK(general.answered(200008, 0) == 0);
            for (const unsigned threads : {1u, 2u}) {
                bowlby::score_options ot = o;
                ot.threads = threads;
                const auto plan = bowlby::detail::make_plan(q->view(), ot);
                // score_all (two threads) writes from the table's first row, in ranges.
                for (Eigen::Index from = 0; from < (threads == 1 ? 8 : 1); ++from) {
                    CAPTURE(threads);
                    CAPTURE(from);
                    // Over 8 MiB for one column too. Every cell starts as a sentinel, and the
                    // rows outside [from, from + rows) must keep it.
                    const Eigen::Index table_rows = two_subscales ? rows + 8 : std::max<Eigen::Index>(rows + 8, 700000);
                    auto t = bowlby::detail::make_table<double>(q->view(), table_rows);
                    CHECK(bowlby::detail::written_around_cache(t));
                    t.values.setConstant(-7.0);
                    t.answered.setConstant(-1);
                    t.status_codes.setConstant(9);
                    if (threads == 1)
                        t.invalid_cells = bowlby::detail::score_rows(plan, x, t, from);
                    else
                        bowlby::detail::score_all(plan, x, t);
                    CHECK(t.invalid_cells == 1);
                    CHECK(t.answered.middleRows(from, rows) == general.answered);
                    CHECK(t.status_codes.middleRows(from, rows) == general.status_codes);
                    const auto v = t.values.middleRows(from, rows).array();
                    CHECK((v == general.values.array() || (v.isNaN() && general.values.array().isNaN())).all());
                    const Eigen::Index after = table_rows - from - rows;
                    CHECK((t.values.topRows(from).array() == -7.0).all());
                    CHECK((t.values.bottomRows(after).array() == -7.0).all());
                    CHECK((t.answered.topRows(from).array() == -1).all());
                    CHECK((t.answered.bottomRows(after).array() == -1).all());
                    CHECK((t.status_codes.topRows(from).array() == 9).all());
                    CHECK((t.status_codes.bottomRows(after).array() == 9).all());
                }
            }
            // With invalid answers an error, the one invalid answer is reported, after runs of
            // packed groups and the band of missing answers, on one thread and on two.
            for (const unsigned threads : {1u, 2u}) {
                CAPTURE(threads);
                bowlby::score_options oe = o;
                oe.on_invalid = bowlby::invalid_policy::error;
                oe.threads = threads;
                try {
                    (void)bowlby::score(q->view(), x, oe);
                    FAIL("no exception");
                } catch (const bowlby::invalid_response& e) {
                    CHECK(e.row() == 250005);
                    CHECK(e.item() == 5);
                    CHECK(e.value() == 8);
                }
            }
        }
    }
    if (bowlby::detail::simd_avx2()) {
        for (const auto* q : {&two, &one}) {
            auto rp = bowlby::detail::make_row_plan<std::uint8_t>(bowlby::detail::make_plan(q->view(), o));
            bowlby::detail::add_packed_rows(rp, 36);
            CHECK(bowlby::detail::packed_scoring(rp, 36));
        }
    }
}

TEST_CASE("threads whose last range has five rows - bytes and doubles") {
    // 32,773 rows on two threads: ranges of 16,384, 16,384 and 5 rows. The row kernel's plan is
    // made once for all ranges, but a range of fewer than 16 rows does not take the kernel and
    // must not use it (it did, and wrote past a buffer of the right size for the kernel).
    const row_major x = noisy_ecr(32773, false);
    bowlby::score_options o;
    o.missing_codes = {0};
    const auto& ecr = bowlby::instrument("ecr");
    const auto general = bowlby::score(ecr, x.unaryExpr([](double v) { return v; }), o);
    const Eigen::Matrix<std::uint8_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> xb =
        x.unaryExpr([](double v) { return std::isnan(v) ? std::uint8_t{0} : static_cast<std::uint8_t>(v); });
    o.threads = 2;
    check_same(bowlby::score(ecr, x, o), general);
    check_same(bowlby::score(ecr, xb, o), general);
}

TEST_CASE("the row kernel: an item in two subscales - kept in one and reversed in the other") {
    // 19 items on 0-4 (an odd count: the last vector of doubles holds one item), subscales
    // that overlap and reverse the same item differently, one sum subscale and an item in no
    // subscale (still validated).
    bowlby::questionnaire q("overlap", 19, {0, 4, true});
    q.add_subscale("a", {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, {2, 9})
        .add_subscale("b", {2, 9, 11, 12, 13, 14, 15, 16, 17, 19}, {11, 19}, bowlby::aggregation::sum)
        .add_subscale("c", {19, 1}, {1});
    row_major x(300, 19);
    for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = static_cast<double>((i * 7 + i / 19) % 5);
    x(17, 4) = na;
    x(18, 1) = na;
    // Respondent 0 by hand: answers (i * 7) % 5 for items 1-19 are 0 2 4 1 3 0 2 4 1 3 0 2 4 1 3 0 2 4 1.
    // a = mean(0, 4-2, 4, 1, 3, 0, 2, 4, 4-1, 3) = 22 / 10; b = sum of items 2, 9, 11-17, 19
    // = 2 + 1 + (4-0) + 2 + 4 + 1 + 3 + 0 + 2 + (4-1) = 22; c = mean(1, 4-0) = 2.5.
    for (const bool sse2_only : {true, false}) {
        CAPTURE(sse2_only);
        const kernel_isa isa(sse2_only);
        const bowlby::score_options o;
        const auto general = bowlby::score(q.view(), x.unaryExpr([](double v) { return v; }), o);
        const auto fast = bowlby::score(q.view(), x, o);
        check_same(fast, general);
        CHECK(fast.values(0, 0) == doctest::Approx(2.2));
        CHECK(fast.values(0, 1) == doctest::Approx(22.0));
        CHECK(fast.values(0, 2) == 2.5);
        const Eigen::Matrix<std::uint8_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> xb =
            x.unaryExpr([](double v) { return std::isnan(v) ? std::uint8_t{9} : static_cast<std::uint8_t>(v); });
        bowlby::score_options ob;
        ob.missing_codes.push_back(9);
        check_same(bowlby::score(q.view(), xb, ob), general);
        // An invalid answer in the item that feeds no subscale is still reported.
        row_major bad = x;
        bad(250, 17) = 5;
        CHECK_THROWS_AS(bowlby::score(q.view(), bad, o), bowlby::invalid_response);
    }
}

TEST_CASE("invalid answers: the kernel defers to the general code - whatever the threads") {
    const row_major x = noisy_ecr(70000, true);
    bowlby::score_options o;
    o.missing_codes = {0};
    const auto& ecr = bowlby::instrument("ecr");
    for (unsigned threads : {1u, 2u, 4u}) {
        o.threads = threads;
        o.on_invalid = bowlby::invalid_policy::error;
        try {
            (void)bowlby::score(ecr, x, o);
            FAIL("no exception");
        } catch (const bowlby::invalid_response& e) {
            CHECK(e.row() == 5000);  // the first in row order, whichever thread met it
            CHECK(e.item() == 3);
        }
        o.on_invalid = bowlby::invalid_policy::missing;
        const auto t = bowlby::score(ecr, x, o);
        CHECK(t.invalid_cells == 3);
        const auto g = bowlby::score(ecr, x.unaryExpr([](double v) { return v; }), o);
        CHECK(g.invalid_cells == 3);
        CHECK(t.answered == g.answered);
    }
}
