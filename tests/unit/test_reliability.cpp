// Reliability statistics against R's psych (committed fixtures for the synthetic set; the bfi
// and the real ECR data are compared at test time by tests/reference/test_psych_reference.cpp), the
// mergeable accumulator, accuracy over 10 million rows, degenerate input, the bootstrap.
#include "../../examples/cli/reliability_output.hpp"
#include "../support/reliability_compare.hpp"

#include <bowlby/csv.hpp>
#include <bowlby/detail/stats/integer_gram.hpp>
#include <bowlby/instruments.hpp>
#include <bowlby/reliability.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <random>
#include <sstream>

using namespace test_support;

namespace {

// The synthetic fixture: 600 rows of s1..s8 on 1-7, items 3, 6 and 7 written reversed.
Eigen::MatrixXd synthetic_keyed() {
    std::istringstream in(slurp(data("reliability_synthetic.csv")));
    bowlby::csv::reader csv(in);
    std::vector<std::string> f;
    csv.next(f);  // header
    std::vector<double> v;
    Eigen::Index rows = 0;
    while (csv.next(f)) {
        for (std::size_t j = 1; j <= 8; ++j) {
            double x = std::nan("");
            bowlby::csv::parse_answer(f[j], x);
            if (j == 3 || j == 6 || j == 7) x = 8 - x;  // reverse keying on 1-7
            v.push_back(x);
        }
        ++rows;
    }
    return Eigen::Map<Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(v.data(), rows, 8);
}

const std::vector<std::string> synthetic_names = {"s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8"};

// Two sets of moments equal to the bit.
void same(const bowlby::moments& a, const bowlby::moments& b) {
    CHECK(a.n == b.n);
    CHECK(a.sx == b.sx);
    CHECK(a.sy == b.sy);
    CHECK(a.sxx == b.sxx);
    CHECK(a.syy == b.syy);
    CHECK(a.sxy == b.sxy);
}

void require_agreement(const comparison& c) {
    for (const auto& f : c.failures) FAIL_CHECK(f);
    CHECK(c.compared == c.expected);
    CHECK(c.expected > 100);
}

}  // namespace

TEST_CASE("the library agrees with psych on the synthetic set - pairwise and listwise") {
    const auto fixture = read_psych_fixture(slurp(data("reliability_expected.csv")));
    const Eigen::MatrixXd x = synthetic_keyed();
    REQUIRE(x.rows() == 600);
    for (auto method : {bowlby::missing_method::pairwise, bowlby::missing_method::listwise}) {
        bowlby::reliability_options o;
        o.missing = method;
        const auto r = bowlby::reliability(x, o, synthetic_names);
        CHECK(r.warnings.empty());
        CHECK(r.split_half.exhaustive);
        CHECK(r.split_half.splits == 35);  // C(8, 4) / 2
        const std::string m = method == bowlby::missing_method::pairwise ? "pairwise" : "listwise";
        CAPTURE(m);
        require_agreement(compare_with_psych(bowlby_cli::to_json(r), fixture, "synthetic", m));
    }
}

TEST_CASE("accumulators built on shards merge to the result of one pass") {
    const Eigen::MatrixXd x = synthetic_keyed();
    bowlby::item_accumulator whole(8, 4.0), a(8, 4.0), b(8, 4.0), c(8, 4.0);
    whole.add(x);
    a.add(x.topRows(100));
    b.add(x.middleRows(100, 333));
    c.add(x.bottomRows(167));
    a.merge(b);
    a.merge(c);
    for (auto method : {bowlby::missing_method::pairwise, bowlby::missing_method::listwise}) {
        const auto one = bowlby::reliability(whole, {method}, synthetic_names);
        const auto merged = bowlby::reliability(a, {method}, synthetic_names);
        CHECK(merged.n == one.n);
        CHECK(merged.alpha.raw_alpha == doctest::Approx(one.alpha.raw_alpha).epsilon(1e-13));
        CHECK(merged.omega_total == doctest::Approx(one.omega_total).epsilon(1e-12));
        CHECK(merged.sd == doctest::Approx(one.sd).epsilon(1e-13));
        for (std::size_t i = 0; i < 8; ++i) {
            CHECK(merged.items[i].raw_r == doctest::Approx(one.items[i].raw_r).epsilon(1e-13));
            CHECK(merged.items[i].alpha_if_dropped.ase ==
                  doctest::Approx(one.items[i].alpha_if_dropped.ase).epsilon(1e-12));
        }
    }
    bowlby::item_accumulator other_shift(8, 3.0);
    CHECK_THROWS_AS(a.merge(other_shift), bowlby::option_error);
}

TEST_CASE("frequency weights count a row as often as it is repeated - missing answers included") {
    // Row r weighted w_r (0, 1, 2 or 3) against the same rows written out w_r times: every
    // pairwise, group and person-score sum is the same. Sums of whole-number answers are exact,
    // so they must agree to the last bit; person scores (means) to rounding. Two groups of four
    // columns; the synthetic set has missing answers in some rows.
    const Eigen::MatrixXd x = synthetic_keyed();
    const std::vector<int> groups = {0, 0, 0, 0, 1, 1, 1, 1};
    bowlby::item_accumulator weighted(8, 4.0, groups), repeated(8, 4.0, groups);
    Eigen::VectorXd w(x.rows());
    std::vector<Eigen::Index> copies;
    for (Eigen::Index r = 0; r < x.rows(); ++r) {
        w(r) = static_cast<double>((r * 7) % 4);
        for (int k = 0; k < static_cast<int>(w(r)); ++k) copies.push_back(r);
    }
    Eigen::MatrixXd xr(static_cast<Eigen::Index>(copies.size()), 8);
    for (std::size_t i = 0; i < copies.size(); ++i) xr.row(static_cast<Eigen::Index>(i)) = x.row(copies[i]);
    REQUIRE(x.hasNaN());
    weighted.add_weighted(x, w);
    repeated.add(xr);
    auto close = [](const bowlby::moments& a, const bowlby::moments& b) {
        CHECK(a.n == b.n);
        CHECK(a.sx == doctest::Approx(b.sx).epsilon(1e-13));
        CHECK(a.sy == doctest::Approx(b.sy).epsilon(1e-13));
        CHECK(a.sxx == doctest::Approx(b.sxx).epsilon(1e-13));
        CHECK(a.syy == doctest::Approx(b.syy).epsilon(1e-13));
        CHECK(a.sxy == doctest::Approx(b.sxy).epsilon(1e-13));
    };
    for (Eigen::Index i = 0; i < 8; ++i) {
        CAPTURE(i);
        for (Eigen::Index j = 0; j < 8; ++j) same(weighted.pair(i, j), repeated.pair(i, j));
        for (auto method : {bowlby::missing_method::pairwise, bowlby::missing_method::listwise})
            close(weighted.item_total(i, method), repeated.item_total(i, method));
    }
    for (int g = 0; g < 2; ++g) {
        close(weighted.person_scores(g), repeated.person_scores(g));
        CHECK(weighted.group_complete_rows(g) == repeated.group_complete_rows(g));
        for (Eigen::Index i : weighted.group_columns(g))
            for (Eigen::Index j : weighted.group_columns(g))
                same(weighted.group_complete_pair(g, i, j), repeated.group_complete_pair(g, i, j));
    }
}

TEST_CASE("bytes give the instrument accumulator what their doubles give - missing codes and invalid answers") {
    // 500 ECR-R rows (1-7, 14 items reversed) drawn as bytes: mostly answers, some 0 (the
    // missing code), some 9 (off the scale). The same values as doubles must give the same
    // keyed matrix, to the bit, and the same statistics, under both invalid-answer policies.
    const bowlby::key_view key = bowlby::instrument("ecr-r");
    std::mt19937 gen(11);
    std::uniform_int_distribution<int> answer(1, 7), odd(0, 99);
    Eigen::Matrix<std::uint8_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> b(500, 36);
    for (Eigen::Index r = 0; r < b.rows(); ++r)
        for (Eigen::Index c = 0; c < 36; ++c) {
            const int u = odd(gen);
            b(r, c) = static_cast<std::uint8_t>(u < 3 ? 0 : u < 4 ? 9 : answer(gen));
        }
    b(0, 8) = 2;  // item 9, reversed: 8 - 2 = 6 (checked below)
    b(0, 0) = 0;  // missing
    const Eigen::MatrixXd d = b.cast<double>();
    bowlby::score_options o;
    o.missing_codes.push_back(0);
    o.on_invalid = bowlby::invalid_policy::missing;
    bowlby::instrument_accumulator from_bytes(key, o), from_doubles(key, o);
    from_bytes.add(b);
    from_doubles.add(d);
    const auto& kb = from_bytes.last_keyed();
    const auto& kd = from_doubles.last_keyed();
    REQUIRE(kb.rows() == 500);
    REQUIRE(kb.cols() == kd.cols());
    int nan_cells = 0;
    for (Eigen::Index r = 0; r < kb.rows(); ++r)
        for (Eigen::Index c = 0; c < kb.cols(); ++c) {
            CAPTURE(r);
            CAPTURE(c);
            CHECK(std::isnan(kb(r, c)) == std::isnan(kd(r, c)));
            if (std::isnan(kb(r, c)))
                ++nan_cells;
            else
                CHECK(kb(r, c) == kd(r, c));
        }
    CHECK(nan_cells > 500);  // missing codes and off-scale answers alike
    CHECK(kb(0, 8) == 6.0);  // anxiety's ninth column is item 9
    CHECK(std::isnan(kb(0, 0)));
    const auto rb = bowlby::reliability(from_bytes);
    const auto rd = bowlby::reliability(from_doubles);
    REQUIRE(rb.size() == 2);
    for (std::size_t s = 0; s < 2; ++s) {
        CHECK(rb[s].n == rd[s].n);
        CHECK(rb[s].alpha.raw_alpha == rd[s].alpha.raw_alpha);
        CHECK(rb[s].sd == rd[s].sd);
    }
    // An error at the first invalid answer: the same cell from both.
    o.on_invalid = bowlby::invalid_policy::error;
    bowlby::instrument_accumulator strict_bytes(key, o), strict_doubles(key, o);
    std::size_t row_b = 0, item_b = 0, row_d = 1, item_d = 1;
    double value_b = 0;
    try {
        strict_bytes.add(b);
    } catch (const bowlby::invalid_response& e) {
        row_b = e.row();
        item_b = e.item();
        value_b = e.value();
    }
    try {
        strict_doubles.add(d);
    } catch (const bowlby::invalid_response& e) {
        row_d = e.row();
        item_d = e.item();
    }
    CHECK(row_b == row_d);
    CHECK(item_b == item_d);
    CHECK(value_b == 9.0);
    CHECK(b(static_cast<Eigen::Index>(row_b), static_cast<Eigen::Index>(item_b)) == 9);
}

TEST_CASE("10 million rows: the streamed covariances equal a two-pass long double computation") {
    // Six items, a shared part f plus 1 + 6 * u^2 (u uniform), one in 50 answers missing;
    // generated again from the same seed for each pass of the reference. Differences are
    // measured in correlation units, |delta cov| / sqrt(var_i var_j).
    constexpr Eigen::Index n = 10'000'000, k = 6, chunk = 100'000;
    auto generate = [](std::mt19937_64& rng, Eigen::MatrixXd& m) {
        for (Eigen::Index r = 0; r < m.rows(); ++r) {
            const double f = static_cast<double>(rng() >> 11) * 0x1.0p-53;
            for (Eigen::Index j = 0; j < k; ++j) {
                const double u = static_cast<double>(rng() >> 11) * 0x1.0p-53;
                m(r, j) = (rng() % 50 == 0) ? std::nan("") : 1 + 3 * f + 3 * u * u + 0.1 * static_cast<double>(j);
            }
        }
    };
    Eigen::MatrixXd m(chunk, k);
    bowlby::item_accumulator acc(k, 0.0);  // no shift: the accumulation must hold up on its own
    std::mt19937_64 rng(99);
    for (Eigen::Index done = 0; done < n; done += chunk) {
        generate(rng, m);
        acc.add(m);
    }
    // Reference: pass 1 pairwise means, pass 2 centred pairwise cross-products, in long double.
    using ld = long double;
    Eigen::Matrix<ld, k, k> cnt = Eigen::Matrix<ld, k, k>::Zero(), sx = cnt, sxy = cnt;
    rng.seed(99);
    for (Eigen::Index done = 0; done < n; done += chunk) {
        generate(rng, m);
        for (Eigen::Index r = 0; r < chunk; ++r)
            for (Eigen::Index i = 0; i < k; ++i)
                for (Eigen::Index j = 0; j < k; ++j)
                    if (!std::isnan(m(r, i)) && !std::isnan(m(r, j))) {
                        cnt(i, j) += 1;
                        sx(i, j) += m(r, i);
                    }
    }
    const Eigen::Matrix<ld, k, k> mean = sx.cwiseQuotient(cnt);
    rng.seed(99);
    for (Eigen::Index done = 0; done < n; done += chunk) {
        generate(rng, m);
        for (Eigen::Index r = 0; r < chunk; ++r)
            for (Eigen::Index i = 0; i < k; ++i)
                for (Eigen::Index j = 0; j < k; ++j)
                    if (!std::isnan(m(r, i)) && !std::isnan(m(r, j)))
                        sxy(i, j) += (m(r, i) - mean(i, j)) * (m(r, j) - mean(j, i));
    }
    std::vector<Eigen::Index> cols = {0, 1, 2, 3, 4, 5};
    const Eigen::MatrixXd c = acc.covariance(cols, bowlby::missing_method::pairwise);
    double worst = 0;
    for (Eigen::Index i = 0; i < k; ++i)
        for (Eigen::Index j = 0; j < k; ++j) {
            const auto ref = static_cast<double>(sxy(i, j) / (cnt(i, j) - 1));
            const auto scale =
                std::sqrt(static_cast<double>(sxy(i, i) / (cnt(i, i) - 1) * sxy(j, j) / (cnt(j, j) - 1)));
            worst = std::max(worst, std::abs(c(i, j) - ref) / scale);
        }
    MESSAGE("largest difference of a covariance over 10M rows, in correlation units: " << worst);
    CHECK(acc.rows() == 1e7);
    CHECK(worst < 1e-12);
}

namespace {

// Holds the accumulator to its path in doubles while alive (detail::integer_moments).
struct integer_moments_off {
    bool was = bowlby::detail::integer_moments().exchange(false);
    integer_moments_off() = default;
    ~integer_moments_off() { bowlby::detail::integer_moments() = was; }
    integer_moments_off(const integer_moments_off&) = delete;
    integer_moments_off& operator=(const integer_moments_off&) = delete;
};

// Every query of two accumulators over the same rows: sums of answers (counts, sums,
// cross-products) must be equal to the bit, being exact in both; person-score sums, which
// hold rounded means, to 1e-13 of their size.
void same_statistics(const bowlby::item_accumulator& a, const bowlby::item_accumulator& b) {
    const auto near = [](double p, double q) { CHECK(std::abs(p - q) <= 1e-13 * std::max(1.0, std::abs(q))); };
    REQUIRE(a.items() == b.items());
    CHECK(a.rows() == b.rows());
    for (Eigen::Index i = 0; i < a.items(); ++i)
        for (Eigen::Index j = 0; j < a.items(); ++j) {
            CAPTURE(i);
            CAPTURE(j);
            same(a.pair(i, j), b.pair(i, j));
            same(a.group_complete_pair(-1, i, j), b.group_complete_pair(-1, i, j));
            for (int g = 0; g < a.groups(); ++g) same(a.group_complete_pair(g, i, j), b.group_complete_pair(g, i, j));
        }
    for (int g = 0; g < a.groups(); ++g) {
        const bowlby::moments p = a.person_scores(g), q = b.person_scores(g);
        CHECK(p.n == q.n);
        near(p.sx, q.sx);
        near(p.sxx, q.sxx);
    }
    for (Eigen::Index i = 0; i < a.items(); ++i)
        for (auto method : {bowlby::missing_method::pairwise, bowlby::missing_method::listwise}) {
            CAPTURE(i);
            const bowlby::moments p = a.item_total(i, method), q = b.item_total(i, method);
            CHECK(p.n == q.n);
            CHECK(p.sx == q.sx);
            CHECK(p.sxx == q.sxx);
            near(p.sy, q.sy);
            near(p.syy, q.syy);
            near(p.sxy, q.sxy);
        }
}

}  // namespace

TEST_CASE("the integer path of the accumulator - by hand on three rows") {
    // Two items on 1-6, shifted by the midpoint 3.5 (so twice each answer less the shift is an
    // odd whole number). Rows (6, 3), (5, missing), (1, 4); x = answer - 3.5:
    //   (2.5, -0.5), (1.5, -), (-2.5, 0.5); person scores t (mean of the answered x): 1, 1.5, -1.
    // Items 0 and 1 together (rows 1 and 3): n 2, sums 0 and 0, squares 12.5 and 0.5, products
    // -1.25 - 1.25 = -2.5. Item 0 alone: n 3, sum 1.5, squares 6.25 + 2.25 + 6.25 = 14.75.
    // Person scores: sum 1.5, squares 1 + 2.25 + 1 = 4.25. Item 0 with t (all rows): sum of x t
    // 2.5 + 2.25 + 2.5 = 7.25; item 1 with t (rows 1, 3): sum of t 0, of t^2 2, of x t -1;
    // item 0 listwise (rows 1, 3): sum of t 0, of t^2 2, of x t 2.5 + 2.5 = 5.
    const double nan = std::numeric_limits<double>::quiet_NaN();
    Eigen::MatrixXd x(3, 2);
    x << 6, 3, 5, nan, 1, 4;
    for (const bool integers : {true, false}) {
        CAPTURE(integers);
        std::optional<integer_moments_off> off;
        if (!integers) off.emplace();
        bowlby::item_accumulator acc(2, 3.5);
        acc.add(x);
        const bowlby::moments both = acc.pair(0, 1);
        CHECK(both.n == 2);
        CHECK(both.sx == 0);
        CHECK(both.sy == 0);
        CHECK(both.sxx == 12.5);
        CHECK(both.syy == 0.5);
        CHECK(both.sxy == -2.5);
        const bowlby::moments one = acc.pair(0, 0);
        CHECK(one.n == 3);
        CHECK(one.sx == 1.5);
        CHECK(one.sxx == 14.75);
        const bowlby::moments t = acc.person_scores(0);
        CHECK(t.n == 3);
        CHECK(t.sx == 1.5);
        CHECK(t.sxx == 4.25);
        const bowlby::moments i0 = acc.item_total(0, bowlby::missing_method::pairwise);
        CHECK(i0.sy == 1.5);
        CHECK(i0.syy == 4.25);
        CHECK(i0.sxy == 7.25);
        const bowlby::moments i1 = acc.item_total(1, bowlby::missing_method::pairwise);
        CHECK(i1.n == 2);
        CHECK(i1.sy == 0);
        CHECK(i1.syy == 2);
        CHECK(i1.sxy == -1);
        const bowlby::moments l0 = acc.item_total(0, bowlby::missing_method::listwise);
        CHECK(l0.n == 2);
        CHECK(l0.sy == 0);
        CHECK(l0.syy == 2);
        CHECK(l0.sxy == 5);
        CHECK(acc.group_complete_rows(0) == 2);
    }
}

TEST_CASE("the integer path of the accumulator gives what the path in doubles gives") {
    // 3000 rows (three blocks, the last one short) of ten items on 1-6 in three groups whose
    // columns interleave; one answer in 25 missing, every 50th row missing all of group 0, every
    // 97th row missing everything, and rows 1024-1100 complete. A second set has one answer of
    // 3.25 (no whole number of halves from the midpoint: its block takes the path in doubles)
    // and one of 120 (too large a half for 16-bit products: likewise).
    const std::vector<int> groups = {0, 1, 2, 0, 1, 2, 0, 1, 2, 2};
    std::mt19937 gen(2026);
    std::uniform_int_distribution<int> answer(1, 6), odd(0, 24);
    Eigen::MatrixXd x(3000, 10);
    for (Eigen::Index r = 0; r < x.rows(); ++r)
        for (Eigen::Index c = 0; c < 10; ++c) {
            const bool missing =
                (odd(gen) == 0 && (r < 1024 || r > 1100)) || (r % 50 == 0 && groups[c] == 0) || r % 97 == 0;
            x(r, c) = missing ? std::nan("") : answer(gen);
        }
    Eigen::MatrixXd y = x;
    y(1500, 3) = 3.25;
    y(2500, 7) = 120;
    for (const Eigen::MatrixXd* data : {&x, &y}) {
        bowlby::item_accumulator fast(10, 3.5, groups), slow(10, 3.5, groups);
        fast.add(*data);
        {
            integer_moments_off off;
            slow.add(*data);
        }
        same_statistics(fast, slow);
        for (auto method : {bowlby::missing_method::pairwise, bowlby::missing_method::listwise}) {
            bowlby::reliability_options o;
            o.missing = method;
            const auto a = bowlby::reliability(fast, o, {}, 2), b = bowlby::reliability(slow, o, {}, 2);
            CHECK(a.alpha.raw_alpha == doctest::Approx(b.alpha.raw_alpha).epsilon(1e-13));
            CHECK(a.sd == doctest::Approx(b.sd).epsilon(1e-13));
            CHECK(a.items[0].raw_r == doctest::Approx(b.items[0].raw_r).epsilon(1e-13));
        }
    }
}

TEST_CASE("integer cross-products are exact on SSE2 and AVX2 alike") {
    // 37 columns (the kernel takes four at a time: a remainder of one) of 1024 values drawn
    // from -181..181 (column 5 all 181, column 6 all -181: the largest sums of either sign),
    // against the sums of products taken one by one.
    constexpr Eigen::Index k = 37, n = 1024, ld = n + 16;
    std::vector<std::int16_t> a(static_cast<std::size_t>(k * ld), 0);
    std::mt19937 gen(5);
    std::uniform_int_distribution<int> v(-181, 181);
    for (Eigen::Index i = 0; i < k; ++i)
        for (Eigen::Index r = 0; r < n; ++r)
            a[static_cast<std::size_t>(i * ld + r)] = static_cast<std::int16_t>(i == 5 ? 181 : i == 6 ? -181 : v(gen));
    std::vector<std::int64_t> expected(static_cast<std::size_t>(k * k), 0);
    for (Eigen::Index i = 0; i < k; ++i)
        for (Eigen::Index j = 0; j <= i; ++j)
            for (Eigen::Index r = 0; r < n; ++r)
                expected[static_cast<std::size_t>(i * k + j)] +=
                    std::int64_t{a[static_cast<std::size_t>(i * ld + r)]} * a[static_cast<std::size_t>(j * ld + r)];
    REQUIRE(expected[5 * k + 5] == 181 * 181 * n);
    REQUIRE(expected[6 * k + 5] == -181 * 181 * n);
    for (const bool sse2_only : {true, false}) {
        CAPTURE(sse2_only);
        bowlby::detail::simd_sse2_only() = sse2_only;
        std::vector<std::int32_t> out(static_cast<std::size_t>(k * k), -1);
        bowlby::detail::gram_lower(a.data(), k, ld, n, out.data());
        bowlby::detail::simd_sse2_only() = false;
        for (Eigen::Index i = 0; i < k; ++i)
            for (Eigen::Index j = 0; j <= i; ++j) {
                CAPTURE(i);
                CAPTURE(j);
                CHECK(out[static_cast<std::size_t>(i * k + j)] == expected[static_cast<std::size_t>(i * k + j)]);
            }
    }
}

TEST_CASE("bytes and doubles give the instrument accumulator the same statistics over many blocks") {
    // 2600 ECR-R rows, mostly complete (one answer in 200 is the missing code 0): the bytes go
    // to the accumulator as halves, the doubles through its add(); every statistic agrees to
    // the bit, and so do the keyed answers.
    const bowlby::key_view key = bowlby::instrument("ecr-r");
    std::mt19937 gen(23);
    std::uniform_int_distribution<int> answer(1, 7), odd(0, 199);
    Eigen::Matrix<std::uint8_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> b(2600, 36);
    for (Eigen::Index r = 0; r < b.rows(); ++r)
        for (Eigen::Index c = 0; c < 36; ++c) b(r, c) = static_cast<std::uint8_t>(odd(gen) == 0 ? 0 : answer(gen));
    const Eigen::MatrixXd d = b.cast<double>();
    bowlby::score_options o;
    o.missing_codes.push_back(0);
    bowlby::instrument_accumulator from_bytes(key, o), from_doubles(key, o);
    from_bytes.add(b);
    from_doubles.add(d);
    const auto& ib = from_bytes.items();
    const auto& id = from_doubles.items();
    for (Eigen::Index i = 0; i < ib.items(); ++i)
        for (Eigen::Index j = 0; j < ib.items(); ++j) {
            const bowlby::moments p = ib.pair(i, j), q = id.pair(i, j);
            CHECK(p.n == q.n);
            CHECK(p.sx == q.sx);
            CHECK(p.sxy == q.sxy);
        }
    for (int g = 0; g < 2; ++g) {
        CHECK(ib.person_scores(g).sx == id.person_scores(g).sx);
        CHECK(ib.person_scores(g).sxx == id.person_scores(g).sxx);
        for (Eigen::Index i : ib.group_columns(g))
            for (auto method : {bowlby::missing_method::pairwise, bowlby::missing_method::listwise}) {
                CHECK(ib.item_total(i, method).sxy == id.item_total(i, method).sxy);
                CHECK(ib.item_total(i, method).syy == id.item_total(i, method).syy);
            }
    }
    const auto kb = from_bytes.last_keyed(), kd = from_doubles.last_keyed();
    REQUIRE(kb.rows() == 2600);
    CHECK(kb.cols() == kd.cols());
    CHECK(((kb.array() == kd.array()) || (kb.array().isNaN() && kd.array().isNaN())).all());
    CHECK(kb.array().isNaN().count() > 200);
    // The same with the integer path switched off: statistics in doubles, equal to the halves'.
    integer_moments_off off;
    bowlby::instrument_accumulator slow(key, o);
    slow.add(b);
    same_statistics(slow.items(), ib);
}

TEST_CASE("a hundred items in one group - answers in doubles with some missing") {
    // Answers of whole numbers plus 1/4 (not whole halves from the shift: the path in doubles)
    // on 100 items, all in group 0, one row in ten missing an answer. A block's incomplete rows
    // then hold no row complete on the group, whose cross-products are a product of no rows:
    // that product once raised SIGFPE inside Eigen. The sums are exact (multiples of 1/16), so
    // they must equal a direct count.
    constexpr Eigen::Index n = 300, k = 100;
    Eigen::MatrixXd x(n, k);
    for (Eigen::Index r = 0; r < n; ++r)
        for (Eigen::Index c = 0; c < k; ++c)
            x(r, c) = (r % 10 == 3 && c == r % k) ? std::nan("") : 1.25 + static_cast<double>((r * c) % 7);
    bowlby::item_accumulator acc(k, 4.0);
    acc.add(x);
    for (const Eigen::Index j : {Eigen::Index{1}, Eigen::Index{13}, Eigen::Index{99}}) {
        double count = 0, sx = 0, sxy = 0;
        for (Eigen::Index r = 0; r < n; ++r) {
            if (std::isnan(x(r, 0)) || std::isnan(x(r, j))) continue;
            ++count;
            sx += x(r, 0) - 4.0;
            sxy += (x(r, 0) - 4.0) * (x(r, j) - 4.0);
        }
        const bowlby::moments m = acc.pair(0, j);
        CHECK(m.n == count);
        CHECK(m.sx == sx);
        CHECK(m.sxy == sxy);
    }
    CHECK(acc.group_complete_rows(0) == n - 30);
}

TEST_CASE("degenerate input is reported - not crashed on") {
    const double na = std::nan("");
    SUBCASE("a zero-variance item") {
        Eigen::MatrixXd x(5, 3);
        x << 1, 2, 4, 2, 2, 5, 3, 2, 5, 4, 2, 6, 5, 2, 7;
        const auto r = bowlby::reliability(x, {}, {"a", "b", "c"});
        REQUIRE(!r.warnings.empty());
        CHECK(r.warnings[0] == "item b has zero variance (every answer is the same): its correlations are undefined");
        CHECK(std::isfinite(r.alpha.raw_alpha));  // raw alpha needs only covariances
        CHECK(std::isnan(r.alpha.std_alpha));
    }
    SUBCASE("two items") {
        Eigen::MatrixXd x(4, 2);
        x << 1, 2, 2, 2, 3, 4, 4, 5;
        const auto r = bowlby::reliability(x);
        // Hand calculation: var a = 5/3, var b = 9/4, cov = 11/6;
        // alpha = 2 (1 - (5/3 + 9/4) / (5/3 + 9/4 + 2 * 11/6)) = 2 * 44/91 = 88/91.
        CHECK(r.alpha.raw_alpha == doctest::Approx(88.0 / 91).epsilon(1e-12));
        CHECK(std::isnan(r.omega_total));
        CHECK(std::isnan(r.items[0].alpha_if_dropped.raw_alpha));
        CHECK(r.split_half.splits == 1);
    }
    SUBCASE("fewer than 3 rows") {
        Eigen::MatrixXd x(2, 3);
        x << 1, 2, 3, 2, 3, 4;
        const auto r = bowlby::reliability(x);
        CHECK(r.warnings.back() == "fewer than 3 rows: reliability statistics are not computed");
        CHECK(std::isnan(r.alpha.raw_alpha));
    }
    SUBCASE("an item nobody answered") {
        Eigen::MatrixXd x(4, 3);
        x << 1, na, 3, 2, na, 4, 3, na, 4, 5, na, 5;
        const auto r = bowlby::reliability(x, {}, {"a", "b", "c"});
        CHECK(r.warnings[0] == "item b has no answers");
        CHECK(std::isnan(r.alpha.raw_alpha));
        CHECK(r.items[0].mean == doctest::Approx(2.75));
    }
    SUBCASE("an infinite answer is an error, not a poisoned sum") {
        Eigen::MatrixXd x(3, 3);
        x << 1, 2, 3, 2, std::numeric_limits<double>::infinity(), 4, 3, 4, 5;
        CHECK_THROWS_AS(bowlby::reliability(x), bowlby::invalid_response);
    }
    SUBCASE("a negative average covariance") {
        Eigen::MatrixXd x(4, 3);
        x << 1, 5, 3, 2, 4, 3, 4, 2, 3.5, 5, 1, 3;
        const auto r = bowlby::reliability(x);
        CHECK(r.alpha.raw_alpha < 0);
        bool warned = false;
        for (const auto& w : r.warnings) warned = warned || w.find("covariance is negative") != std::string::npos;
        CHECK(warned);
    }
}

TEST_CASE("the bootstrap interval is reproducible and independent of the thread count") {
    const Eigen::MatrixXd x = synthetic_keyed();
    bowlby::reliability_options o;
    o.bootstrap = 200;
    o.seed = 5;
    o.threads = 1;
    const auto one = bowlby::reliability(x, o);
    o.threads = 3;
    const auto three = bowlby::reliability(x, o);
    REQUIRE(one.bootstrap);
    REQUIRE(three.bootstrap);
    CHECK(one.bootstrap->lower == three.bootstrap->lower);
    CHECK(one.bootstrap->upper == three.bootstrap->upper);
    // It brackets alpha and is close to the Feldt interval for 600 rows.
    CHECK(one.bootstrap->lower < one.alpha.raw_alpha);
    CHECK(one.bootstrap->upper > one.alpha.raw_alpha);
    CHECK(std::abs(one.bootstrap->lower - one.feldt.lower) < 0.02);
    o.seed = 6;
    const auto other = bowlby::reliability(x, o);
    CHECK(other.bootstrap->lower != one.bootstrap->lower);
}

TEST_CASE("split halves are sampled - reproducibly - when there are more than 15000") {
    // 18 items: C(18, 9) / 2 = 24,310 splits.
    std::mt19937_64 rng(3);
    Eigen::MatrixXd x(300, 18);
    for (Eigen::Index r = 0; r < x.rows(); ++r) {
        const double f = static_cast<double>(rng() % 1000) / 500.0;
        for (Eigen::Index j = 0; j < 18; ++j) x(r, j) = f + static_cast<double>(rng() % 1000) / 400.0;
    }
    const auto a = bowlby::reliability(x);
    const auto b = bowlby::reliability(x);
    CHECK_FALSE(a.split_half.exhaustive);
    CHECK(a.split_half.splits == 10000);
    CHECK(a.split_half.max == b.split_half.max);
    CHECK(a.split_half.min <= a.split_half.mean);
    CHECK(a.split_half.mean <= a.split_half.max);
    // The mean over all splits is the standardized alpha; a sample of 10,000 comes close.
    CHECK(a.split_half.mean == doctest::Approx(a.alpha.std_alpha).epsilon(0.01));
}
