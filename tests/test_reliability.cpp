// Reliability statistics against R's psych (committed fixtures for the synthetic set; the bfi
// and the real ECR data are compared at test time by tests/test_psych_reference.cpp), the
// mergeable accumulator, accuracy over 10 million rows, degenerate input, the bootstrap.
#include "../examples/cli/reliability_output.hpp"
#include "reliability_compare.hpp"

#include <bowlby/csv.hpp>
#include <bowlby/reliability.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
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

TEST_CASE("bowlby reliability --json agrees with psych on the synthetic set") {
    const auto fixture = read_psych_fixture(slurp(data("reliability_expected.csv")));
    for (std::string m : {"pairwise", "listwise"}) {
        const auto r = run(cli() + " reliability --items s1:s8 --reverse s3,s6,s7 --scale 1:7 --json " +
                               (m == "listwise" ? "--listwise " : "") + data("reliability_synthetic.csv"),
                           "rel_" + m);
        REQUIRE_MESSAGE(r.status == 0, r.err);
        const auto j = nlohmann::json::parse(r.out);
        CHECK(j["missing"] == m);
        REQUIRE(j["scales"].size() == 1);
        require_agreement(compare_with_psych(j["scales"][0], fixture, "synthetic", m));
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
    auto same = [](const bowlby::moments& a, const bowlby::moments& b) {
        CHECK(a.n == b.n);
        CHECK(a.sx == b.sx);
        CHECK(a.sy == b.sy);
        CHECK(a.sxx == b.sxx);
        CHECK(a.syy == b.syy);
        CHECK(a.sxy == b.sxy);
    };
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
