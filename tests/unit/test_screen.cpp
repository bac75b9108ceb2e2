// bowlby/screen.hpp on small keys whose indices are worked out by hand here, and on the bad
// input of issue 26: a key with no reversed items, a single subscale, rows with no answer,
// constant items and a singular covariance.
#include <bowlby/instruments.hpp>
#include <bowlby/screen.hpp>

#include <doctest/doctest.h>

#include <cmath>

namespace {

using matrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
constexpr double na = std::numeric_limits<double>::quiet_NaN();

bowlby::questionnaire one_subscale() {
    bowlby::questionnaire q("one", 4, {1, 5, true});
    q.add_subscale("worry", {1, 2, 3, 4}, {4});
    return q;
}

bool undefined(double x) { return std::isnan(x); }

}  // namespace

TEST_CASE("screen indices of one row worked out by hand") {
    const bowlby::questionnaire q = one_subscale();
    const bowlby::screen_layout layout(q.view());
    bowlby::screener s(layout);
    // 5 5 5 1: runs 3 and 1 (longest 3, mean 2); sd of 5,5,5,1: mean 4, squares 1+1+1+9 = 12,
    // 12 / 3 = 4, sd 2; forward mean 5, reversed item keyed 6 - 1 = 5: gap 0.
    const double row[] = {5, 5, 5, 1};
    const bowlby::screen_indices x = s.screen(row, 1, 0, 40.0);
    CHECK(x.longstring == 3);
    CHECK(x.longstring_avg == 2);
    CHECK(x.irv == doctest::Approx(2.0).epsilon(1e-15));
    REQUIRE(x.reverse_gap.size() == 1);
    CHECK(x.reverse_gap[0] == 0);
    CHECK(x.seconds_per_item == 10);  // 40 s over 4 items
    // A single subscale: evenodd needs three; no sample: psychsyn, psychant, mahad undefined.
    CHECK(undefined(x.evenodd));
    CHECK(undefined(x.psychsyn));
    CHECK(undefined(x.mahad));
    // 1 1 1 5, read the raw scale in a line: forward mean 1, reversed keyed 6 - 5 = 1: gap 0;
    // 5 5 5 5: forward 5, reversed keyed 1: gap 4.
    const double line[] = {5, 5, 5, 5};
    CHECK(s.screen(line, 1, 1).reverse_gap[0] == 4);
    CHECK(s.screen(line, 1, 1).irv == 0);
}

TEST_CASE("a missing answer ends a run and is skipped") {
    const bowlby::questionnaire q = one_subscale();
    const bowlby::screen_layout layout(q.view());
    bowlby::screener s(layout);
    const double row[] = {2, na, 2, 2};  // runs 1 and 2: longest 2, mean 3 answers / 2 runs
    const bowlby::screen_indices x = s.screen(row, 1, 0);
    CHECK(x.longstring == 2);
    CHECK(x.longstring_avg == 1.5);
    CHECK(x.irv == 0);
    CHECK(x.reverse_gap[0] == doctest::Approx(2.0 - 4.0));  // forward 2, reversed keyed 6 - 2
}

TEST_CASE("a row with no answer has every index undefined") {
    const bowlby::questionnaire q = one_subscale();
    const bowlby::screen_layout layout(q.view());
    matrix x(6, 4);
    x << 1, 2, 3, 4, 2, 2, 3, 5, 4, 3, 2, 1, 5, 4, 4, 2, 3, 3, 1, 2, na, na, na, na;
    bowlby::screen_sample sample(layout);
    sample.add(x);
    const bowlby::screen_statistics st = sample.finish();
    CHECK(st.rows == 5);
    CHECK(st.complete_rows == 5);
    bowlby::screener s(layout, &st);
    const bowlby::screen_indices e = s.screen(x.row(5).data(), 1, 5, 30.0);
    for (double v : {e.longstring, e.longstring_avg, e.irv, e.evenodd, e.psychsyn, e.psychant, e.reverse_gap[0],
                     e.mahad, e.mahad_df, e.mahad_p, e.seconds_per_item})
        CHECK(undefined(v));
    for (const bowlby::screen_flag& f : bowlby::default_flags(layout)) CHECK_FALSE(bowlby::raised(f, e));
}

TEST_CASE("a key with no reversed items has no reverse gap and no reverse-gap flag") {
    bowlby::questionnaire q("plain", 6, {1, 5, true});
    q.add_subscale("a", {1, 2}).add_subscale("b", {3, 4}).add_subscale("c", {5, 6});
    const bowlby::screen_layout layout(q.view());
    CHECK(layout.gaps().empty());
    CHECK(layout.halved_subscales() == 3);
    for (const bowlby::screen_flag& f : bowlby::default_flags(layout))
        CHECK(f.of != bowlby::screen_flag::index::reverse_gap);
    bowlby::screener s(layout);
    // Halves (odd, even) per subscale: (1, 2), (2, 3), (3, 4): r = 1, 2r / (1 + r) = 1, evenodd -1.
    const double row[] = {1, 2, 2, 3, 3, 4};
    CHECK(s.screen(row, 1, 0).evenodd == doctest::Approx(-1.0));
    // (1, 5), (3, 3), (5, 1): r = -1 gives 1.
    const double against[] = {1, 5, 3, 3, 5, 1};
    CHECK(s.screen(against, 1, 0).evenodd == 1);
    // (2, 2), (2, 2), (2, 2): no variance, undefined.
    const double flat[] = {2, 2, 2, 2, 2, 2};
    CHECK(undefined(s.screen(flat, 1, 0).evenodd));
}

TEST_CASE("constant items and a singular covariance leave mahad undefined and say why") {
    const bowlby::questionnaire q = one_subscale();
    const bowlby::screen_layout layout(q.view());
    SUBCASE("a constant item") {
        matrix x(6, 4);
        x << 1, 3, 3, 4, 2, 3, 1, 5, 4, 3, 2, 1, 5, 3, 4, 2, 3, 3, 5, 2, 2, 3, 4, 4;
        bowlby::screen_sample sample(layout);
        sample.add(x);
        const bowlby::screen_statistics st = sample.finish();
        CHECK(st.covariance_problem.find("singular") != std::string::npos);
        CHECK(undefined(st.correlations(0, 1)));  // item 2 has no variance
        bowlby::screener s(layout, &st);
        const bowlby::screen_indices r = s.screen(x.row(0).data(), 1, 0);
        CHECK(undefined(r.mahad));
        CHECK(undefined(r.mahad_df));
        CHECK(undefined(r.mahad_p));
        CHECK(r.longstring == 2);  // the one-pass indices are still there
    }
    SUBCASE("an item that copies another") {
        matrix x(7, 4);
        x << 1, 1, 3, 4, 2, 2, 1, 5, 4, 4, 2, 1, 5, 5, 4, 2, 3, 3, 5, 2, 2, 2, 4, 4, 1, 1, 2, 3;
        bowlby::screen_sample sample(layout);
        sample.add(x);
        const bowlby::screen_statistics st = sample.finish();
        CHECK(st.covariance_problem.find("singular") != std::string::npos);
        bowlby::screener s(layout, &st);
        CHECK(undefined(s.screen(x.row(2).data(), 1, 2).mahad));
    }
    SUBCASE("fewer complete rows than items + 1") {
        matrix x(3, 4);
        x << 1, 2, 3, 4, 2, 3, 1, 5, 4, 3, 2, 1;
        bowlby::screen_sample sample(layout);
        sample.add(x);
        const bowlby::screen_statistics st = sample.finish();
        CHECK(st.covariance_problem.find("3 complete rows for 4 items") != std::string::npos);
    }
}

TEST_CASE("mahad of a complete row and of a row with a missing answer - by hand") {
    // Two items: complete rows (1, 1), (3, 1), (1, 3), (3, 3): mean (2, 2), covariance
    // diag(4/3, 4/3). (3, 3): 1 / (4/3) + 1 / (4/3) = 1.5 on 2 df, p = exp(-1.5 / 2).
    // (3, missing): the marginal of item 1, 1 / (4/3) = 0.75 on 1 df.
    bowlby::questionnaire q("two", 2, {1, 5, true});
    q.add_subscale("s", {1, 2});
    const bowlby::screen_layout layout(q.view());
    matrix x(5, 2);
    x << 1, 1, 3, 1, 1, 3, 3, 3, 3, na;
    bowlby::screen_sample sample(layout);
    sample.add(x);
    const bowlby::screen_statistics st = sample.finish();
    REQUIRE(st.covariance_problem.empty());
    bowlby::screener s(layout, &st);
    const bowlby::screen_indices full = s.screen(x.row(3).data(), 1, 3);
    CHECK(full.mahad == doctest::Approx(1.5).epsilon(1e-14));
    CHECK(full.mahad_df == 2);
    CHECK(full.mahad_p == doctest::Approx(std::exp(-0.75)).epsilon(1e-14));
    const bowlby::screen_indices part = s.screen(x.row(4).data(), 1, 4);
    CHECK(part.mahad == doctest::Approx(0.75).epsilon(1e-14));
    CHECK(part.mahad_df == 1);
    CHECK(part.mahad_p == doctest::Approx(std::erfc(std::sqrt(0.75 / 2))).epsilon(1e-14));
}

TEST_CASE("an invalid answer is an error naming its row and item - or missing on request") {
    const bowlby::questionnaire q = one_subscale();
    const bowlby::screen_layout strict(q.view());
    bowlby::screener s(strict);
    const double row[] = {1, 9, 3, 4};
    CHECK_THROWS_AS(s.screen(row, 1, 6), bowlby::invalid_response);
    bowlby::score_options lenient;
    lenient.on_invalid = bowlby::invalid_policy::missing;
    const bowlby::screen_layout layout(q.view(), lenient);
    bowlby::screener t(layout);
    CHECK(t.screen(row, 1, 6).longstring_avg == 1);  // 1, (9 missing), 3, 4
}

TEST_CASE("the ECR's default flags - one per index and per reverse gap") {
    bowlby::score_options o;
    o.data_scale = bowlby::response_scale{1, 5, true};
    const bowlby::screen_layout layout(bowlby::instrument("ecr"), o);
    REQUIRE(layout.gaps().size() == 2);
    CHECK(layout.gaps()[0].reversed.size() == 1);  // anxiety: item 22
    CHECK(layout.gaps()[1].reversed.size() == 9);  // avoidance
    const auto flags = bowlby::default_flags(layout);
    auto threshold = [&](const std::string& name) {
        for (const auto& f : flags)
            if (f.name == name) return f.threshold;
        return na;
    };
    CHECK(threshold("longstring") == 18);
    CHECK(threshold("reverse_gap_anxiety") == 3.5);
    CHECK(threshold("reverse_gap_avoidance") == 2);
    CHECK(threshold("seconds_per_item") == 2);
}

namespace {

// Whether two indices are the same double (both NaN counts as the same).
bool same(double a, double b) { return (a != a && b != b) || a == b; }

void check_same(const bowlby::screen_indices& a, const bowlby::screen_indices& b) {
    CHECK(same(a.longstring, b.longstring));
    CHECK(same(a.longstring_avg, b.longstring_avg));
    CHECK(same(a.irv, b.irv));
    CHECK(same(a.evenodd, b.evenodd));
    CHECK(same(a.psychsyn, b.psychsyn));
    CHECK(same(a.psychant, b.psychant));
    CHECK(same(a.mahad, b.mahad));
    CHECK(same(a.mahad_df, b.mahad_df));
    CHECK(same(a.mahad_p, b.mahad_p));
    CHECK(same(a.seconds_per_item, b.seconds_per_item));
    REQUIRE(a.reverse_gap.size() == b.reverse_gap.size());
    for (std::size_t g = 0; g < a.reverse_gap.size(); ++g) CHECK(same(a.reverse_gap[g], b.reverse_gap[g]));
}

// Rows of bytes against the same answers as doubles (the plain path, checked against R in
// tests/reference): `answers` 1..top, with runs, some missing as `missing_byte`, some as the
// missing code 0, and a few answers out of range (`invalid`).
// `more_missing`: further missing codes (inside the scale: holes in its range of answers);
// `backwards`: the items presented last to first.
void bytes_against_doubles(const char* id, const bowlby::response_scale& scale, int top, bool invalid,
                           std::vector<double> more_missing = {}, bool backwards = false) {
    bowlby::score_options o;
    o.data_scale = scale;
    o.missing_codes = {0};
    o.missing_codes.insert(o.missing_codes.end(), more_missing.begin(), more_missing.end());
    o.on_invalid = bowlby::invalid_policy::missing;
    bowlby::screen_options presented;
    if (backwards)
        for (int i = static_cast<int>(bowlby::instrument(id).n_items) - 1; i >= 0; --i)
            presented.presented_order.push_back(i);
    const bowlby::screen_layout layout(bowlby::instrument(id), o, presented);
    const auto p = static_cast<Eigen::Index>(layout.n_items());
    const Eigen::Index n = 400;
    Eigen::Matrix<std::uint8_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> bytes(n, p);
    matrix doubles(n, p);
    std::uint32_t state = 12345;
    auto next = [&](std::uint32_t m) {
        state = state * 1664525U + 1013904223U;
        return (state >> 8) % m;
    };
    for (Eigen::Index r = 0; r < n; ++r)
        for (Eigen::Index i = 0; i < p; ++i) {
            std::uint8_t b = static_cast<std::uint8_t>(1 + next(static_cast<std::uint32_t>(top)));
            if (i > 0 && next(3) == 0) b = bytes(r, i - 1);  // runs
            if (r % 7 == 3) b = 4;                           // straight lines
            const std::uint32_t odd = next(40);
            if (odd == 0) b = 255;             // the parser's empty cell
            if (odd == 1) b = 0;               // the missing code
            if (odd == 2 && invalid) b = 200;  // out of range: missing on request
            if (r == 5) b = 255;               // a row with no answer
            bytes(r, i) = b;
            doubles(r, i) = b == 255 ? na : static_cast<double>(b);
        }
    bowlby::screen_sample sample(layout);
    sample.add(doubles);
    const bowlby::screen_statistics st = sample.finish();
    bowlby::screener by_bytes(layout, &st, 255), by_doubles(layout, &st);
    for (Eigen::Index r = 0; r < n; ++r) {
        CAPTURE(r);
        const double duration = r % 2 == 0 ? 100.0 + static_cast<double>(r) : na;
        check_same(by_bytes.screen(bytes.row(r).data(), 1, static_cast<std::size_t>(r), duration),
                   by_doubles.screen(doubles.row(r).data(), 1, static_cast<std::size_t>(r), duration));
    }
    // Column-major bytes, read with a stride, give the same.
    const Eigen::Matrix<std::uint8_t, Eigen::Dynamic, Eigen::Dynamic> by_column = bytes;
    for (Eigen::Index r = 0; r < 20; ++r)
        check_same(by_bytes.screen(by_column.data() + r, n, static_cast<std::size_t>(r)),
                   by_doubles.screen(doubles.row(r).data(), 1, static_cast<std::size_t>(r)));
}

}  // namespace

TEST_CASE("rows of bytes give the indices of the same answers as doubles - bit for bit") {
    SUBCASE("ECR-R on 1-7 (midpoint 4)") { bytes_against_doubles("ecr-r", {1, 7, true}, 7, true); }
    SUBCASE("ECR on 1-6 (midpoint 3.5)") { bytes_against_doubles("ecr", {1, 6, true}, 6, false); }
    SUBCASE("RSQ on 1-5: four halved subscales, evenodd defined") {
        bytes_against_doubles("rsq", {1, 5, true}, 5, true);
    }
    SUBCASE("ECR-R with the missing codes 3 and 6 inside the scale") {
        bytes_against_doubles("ecr-r", {1, 7, true}, 7, true, {3, 6});
    }
    SUBCASE("ECR-R with five missing codes inside the scale") {
        bytes_against_doubles("ecr-r", {1, 7, true}, 7, true, {2, 3, 5, 6, 7});
    }
    SUBCASE("ECR-R presented last item first") { bytes_against_doubles("ecr-r", {1, 7, true}, 7, true, {}, true); }
    SUBCASE("ECR-S (12 items) on 1-7") { bytes_against_doubles("ecr-s", {1, 7, true}, 7, true); }
}

TEST_CASE("an invalid byte is the same error as the same answer as a double") {
    const bowlby::questionnaire q = one_subscale();
    const bowlby::screen_layout strict(q.view());
    bowlby::screener s(strict, nullptr, 255);
    const std::uint8_t bytes[] = {1, 9, 3, 4}, empty[] = {1, 255, 3, 4};
    const double doubles[] = {1, 9, 3, 4};
    std::string from_bytes, from_doubles;
    try {
        s.screen(bytes, 1, 6);
    } catch (const bowlby::invalid_response& e) {
        from_bytes = e.what();
    }
    try {
        s.screen(doubles, 1, 6);
    } catch (const bowlby::invalid_response& e) {
        from_doubles = e.what();
    }
    CHECK(!from_bytes.empty());
    CHECK(from_bytes == from_doubles);
    CHECK(s.screen(empty, 1, 6).longstring_avg == 1);  // 255 is the missing byte here: 1, -, 3, 4
    // After the missing byte, the invalid answer is the one named (read with a stride too).
    const std::uint8_t after_empty[] = {255, 9, 3, 4};
    const double after_na[] = {na, 9, 3, 4};
    std::string bytes_error, doubles_error;
    for (std::ptrdiff_t stride : {1, 2}) {
        std::uint8_t spread[8] = {};
        for (int i = 0; i < 4; ++i) spread[i * stride] = after_empty[i];
        try {
            s.screen(spread, stride, 6);
        } catch (const bowlby::invalid_response& e) {
            bytes_error = e.what();
        }
        try {
            s.screen(after_na, 1, 6);
        } catch (const bowlby::invalid_response& e) {
            doubles_error = e.what();
        }
        CHECK(!bytes_error.empty());
        CHECK(bytes_error == doubles_error);
    }
    bowlby::screener no_missing_byte(strict);
    CHECK_THROWS_AS(no_missing_byte.screen(empty, 1, 6), bowlby::invalid_response);
}
