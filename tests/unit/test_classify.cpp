// Classification rules on hand-placed points (boundaries included), firmness against its
// definition and a brute-force simulation, k-means determinism, the RQ and AAS rules.
#include <bowlby/classify.hpp>
#include <bowlby/instruments.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <random>

using bowlby::category;

namespace {
const bowlby::response_scale one_to_seven{1, 7, true};

// P(region) by simulation: true scores ~ N(observed, sem), categorised without error terms.
template <class Rule>
double simulate(const Rule& rule, double anx, double avo, const bowlby::measurement_error& sem, category target,
                int draws = 400000) {
    std::mt19937_64 rng(11);
    std::normal_distribution<double> z;
    int hits = 0;
    for (int i = 0; i < draws; ++i)
        if (rule.classify(anx + sem.anxiety * z(rng), avo + sem.avoidance * z(rng)).cat == target) ++hits;
    return static_cast<double>(hits) / draws;
}
}  // namespace

TEST_CASE("midpoint rule: the four quadrants and every boundary") {
    const auto rule = bowlby::midpoint_rule(one_to_seven);  // cuts at 4
    CHECK(rule.classify(2, 2).cat == category::secure);
    CHECK(rule.classify(5, 2).cat == category::preoccupied);  // anxiety 5, avoidance 2
    CHECK(rule.classify(2, 5).cat == category::dismissing);
    CHECK(rule.classify(5, 5).cat == category::fearful);
    // On a cut: unclassified by default, or the side asked for.
    const auto on = rule.classify(4, 2);
    CHECK(on.cat == category::unclassified);
    CHECK(std::string(on.reason) == "a score lies on a cut");
    CHECK(rule.classify(2, 4).cat == category::unclassified);
    CHECK(bowlby::midpoint_rule(one_to_seven, bowlby::at_cut::high).classify(4, 2).cat == category::preoccupied);
    CHECK(bowlby::midpoint_rule(one_to_seven, bowlby::at_cut::low).classify(4, 2).cat == category::secure);
    CHECK(bowlby::midpoint_rule(one_to_seven, bowlby::at_cut::high).classify(4, 4).cat == category::fearful);
    CHECK(rule.classify(std::nan(""), 2).cat == category::unclassified);
    // Distance to the nearest boundary: min(|5 - 4|, |2.5 - 4|) = 1.
    CHECK(rule.classify(5, 2.5).boundary_distance == 1);
}

TEST_CASE("cut-rule firmness: Phi(d_anx / sem) * Phi(d_avo / sem) - 0.5 on a cut - rising away from it") {
    const auto rule = bowlby::midpoint_rule(one_to_seven, bowlby::at_cut::high);
    const bowlby::measurement_error sem{0.3, 0.25};
    // Anxiety on its cut, avoidance 10 SEMs from its own: 0.5 * Phi(10).
    CHECK(rule.classify(4, 1.5, sem).probability == doctest::Approx(0.5).epsilon(1e-12));
    double last = 0.5;
    for (double anx : {4.05, 4.2, 4.5, 5.0, 6.0}) {
        const double p = rule.classify(anx, 1.5, sem).probability;
        CHECK(p > last);
        CHECK(p <= 1);
        last = p;
    }
    // Hand value: anxiety 4.3 (1 SEM above), avoidance 3.75 (1 SEM below): Phi(1)^2 = 0.70786...
    CHECK(rule.classify(4.3, 3.75, sem).probability ==
          doctest::Approx(0.8413447460685429 * 0.8413447460685429).epsilon(1e-12));
    CHECK(rule.classify(4.3, 3.75, sem).probability ==
          doctest::Approx(simulate(rule, 4.3, 3.75, sem, category::preoccupied)).epsilon(0.01));
    CHECK(std::isnan(rule.classify(5, 2).probability));  // SEMs unknown
}

TEST_CASE("median rule: the medians of the respondents with both scores") {
    Eigen::VectorXd anx(5), avo(5);
    anx << 1, 3, 2, 5, 4;
    avo << 2, 2, 6, 1, std::nan("");  // the last respondent has no avoidance score
    const auto rule = bowlby::median_rule(anx, avo);
    // Both scores: anxiety {1, 3, 2, 5} -> median (2 + 3) / 2; avoidance {2, 2, 6, 1} -> (2 + 2) / 2.
    CHECK(rule.anxiety_cut() == 2.5);
    CHECK(rule.avoidance_cut() == 2);
    CHECK(bowlby::weighted_median({{1, 1}, {2, 1}, {7, 1}}) == 2);
    CHECK(bowlby::weighted_median({{1, 3}, {2, 1}}) == 1);  // 1, 1, 1, 2
}

TEST_CASE("brennan1998: the four sanity points - and what it refuses") {
    const bowlby::brennan_rule b(bowlby::instrument("ecr"), one_to_seven);
    // (avoidance, anxiety): (2, 2) secure, (2, 6) preoccupied, (6, 2) dismissing, (6, 6) fearful.
    CHECK(b.classify(2, 2).cat == category::secure);
    CHECK(b.classify(6, 2).cat == category::preoccupied);
    CHECK(b.classify(2, 6).cat == category::dismissing);
    CHECK(b.classify(6, 6).cat == category::fearful);
    // Hand check at (anxiety 2, avoidance 2): secure 5.4725318*2 + 3.2893296*2 - 11.5307833 = 5.9929395;
    // dismissing 4.9392039*2 + 7.3654621*2 - 22.2281088 = 2.3812232: distance to that boundary
    // (5.9929395 - 2.3812232) / hypot(0.5333279, -4.0761325).
    const double d = (5.9929395 - 2.3812232) / std::hypot(0.5333279, -4.0761325);
    CHECK(b.classify(2, 2).boundary_distance <= d + 1e-9);
    CHECK_THROWS_AS(bowlby::brennan_rule(bowlby::instrument("ecr-s"), one_to_seven), bowlby::option_error);
    CHECK_NOTHROW(bowlby::brennan_rule(bowlby::instrument("ecr-s"), one_to_seven, {std::nullopt, true}));
    const bowlby::response_scale five{1, 5, true};
    CHECK_THROWS_AS(bowlby::brennan_rule(bowlby::instrument("ecr"), five), bowlby::option_error);
    // Rescaled from 1-5: 3 on 1-5 is 4 on 1-7, 1 is 1, 5 is 7.
    const bowlby::brennan_rule r(bowlby::instrument("ecr"), five, {five, false});
    CHECK(r.to_1_7(3) == 4);
    CHECK(r.to_1_7(5) == 7);
    CHECK(r.classify(1.67, 1.67).cat == b.classify(1 + 0.67 * 1.5, 1 + 0.67 * 1.5).cat);
}

TEST_CASE("firmness of a rule of functions: numerical integration against simulation") {
    const bowlby::brennan_rule b(bowlby::instrument("ecr"), one_to_seven);
    const bowlby::measurement_error sem{0.35, 0.3};
    for (const auto& [anx, avo] : {std::pair{2.0, 2.0}, {4.0, 3.5}, {3.2, 2.9}, {6.0, 6.0}, {5.0, 2.2}}) {
        const auto c = b.classify(anx, avo, sem);
        CAPTURE(anx);
        CAPTURE(avo);
        REQUIRE(c.cat != category::unclassified);
        CHECK(c.probability >= 0);
        CHECK(c.probability <= 1);
        const double sim = simulate(b, anx, avo, sem, c.cat);
        // 400,000 draws: standard error below 0.0008.
        CHECK(std::abs(c.probability - sim) < 0.004);
    }
    // The four regions' probabilities add up to one.
    double total = 0;
    for (int k = 0; k < 4; ++k) total += b.rule().region_probability(k, 3.2 * 1.0, 2.9, sem);
    CHECK(total == doctest::Approx(1).epsilon(1e-9));
}

TEST_CASE("nearest-centroid functions: ties and distances by hand") {
    // Centroids secure (2, 2), preoccupied (6, 2), dismissing (2, 6), fearful (6, 6) as
    // (anxiety, avoidance): f = 2 c.x - |c|^2.
    auto f = [](double a, double v) { return bowlby::linear_rule::function{2 * a, 2 * v, -(a * a + v * v)}; };
    const bowlby::linear_rule rule("centroids", {f(2, 2), f(6, 2), f(2, 6), f(6, 6)}, "test");
    CHECK(rule.classify(3, 2.5).cat == category::secure);
    // Boundaries at anxiety 4 and avoidance 4: distance min(1, 1.5) = 1.
    CHECK(rule.classify(3, 2.5).boundary_distance == doctest::Approx(1).epsilon(1e-12));
    CHECK(rule.classify(4, 2).cat == category::unclassified);  // equidistant from two centroids
    CHECK(rule.classify(5, 5).cat == category::fearful);
    // At (3, 3) with SEM 1: P(secure) = Phi(1)^2 by symmetry of the square boundaries.
    CHECK(rule.classify(3, 3, {1, 1}).probability ==
          doctest::Approx(0.8413447460685429 * 0.8413447460685429).epsilon(1e-9));
}

TEST_CASE("k-means: four clusters - labelled by position - the same for the same seed") {
    std::vector<std::array<double, 3>> pts;
    std::mt19937_64 rng(4);
    std::normal_distribution<double> z(0, 0.3);
    for (const auto& [a, v] : {std::pair{2.0, 2.0}, {6.0, 2.0}, {2.0, 6.0}, {6.0, 6.0}})
        for (int i = 0; i < 50; ++i) pts.push_back({a + z(rng), v + z(rng), 1});
    const auto k1 = bowlby::kmeans_rule(pts, 9), k2 = bowlby::kmeans_rule(pts, 9);
    for (int c = 0; c < 4; ++c)
        CHECK(k1.functions()[static_cast<std::size_t>(c)].constant ==
              k2.functions()[static_cast<std::size_t>(c)].constant);
    CHECK(k1.classify(2, 2).cat == category::secure);
    CHECK(k1.classify(6, 2).cat == category::preoccupied);
    CHECK(k1.classify(2, 6).cat == category::dismissing);
    CHECK(k1.classify(6, 6).cat == category::fearful);
    CHECK_THROWS_AS(bowlby::kmeans_rule({{1, 1, 1}}, 1), bowlby::option_error);
}

TEST_CASE("RQ: the highest rating - ties broken by the forced choice - else unclassified") {
    // secure, fearful, preoccupied, dismissing
    CHECK(bowlby::rq_classify(6, 2, 3, 5).cat == category::secure);
    CHECK(bowlby::rq_classify(6, 2, 3, 5).boundary_distance == 1);
    CHECK(bowlby::rq_classify(2, 7, 3, 5).cat == category::fearful);
    CHECK(bowlby::rq_classify(5, 2, 5, 1).cat == category::unclassified);
    CHECK(bowlby::rq_classify(5, 2, 5, 1, category::preoccupied).cat == category::preoccupied);
    CHECK(bowlby::rq_classify(5, 2, 5, 1, category::fearful).cat == category::unclassified);  // not among the tied
    CHECK(bowlby::rq_classify(std::nan(""), 2, 5, 1).cat == category::unclassified);
}

TEST_CASE("AAS (Collins - 1996): cuts at 3 - exactly 3 unclassifiable") {
    const auto rule = bowlby::aas_collins_rule();
    auto aas = [&](double cd, double anxiety) { return rule.classify(anxiety, 6 - cd).cat; };  // avoidance = 6 - CD
    CHECK(aas(3.5, 2) == category::secure);
    CHECK(aas(3.5, 4) == category::preoccupied);
    CHECK(aas(2.5, 2) == category::dismissing);
    CHECK(aas(2.5, 4) == category::fearful);
    CHECK(aas(3, 2) == category::unclassified);
    CHECK(aas(3.5, 3) == category::unclassified);
}
