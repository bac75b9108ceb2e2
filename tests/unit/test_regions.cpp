// The regions of a classification rule as polygons (bowlby/regions.hpp), checked against the
// rule itself: every point of a fine grid inside a region's polygon gets that region's category
// from rule.classify, and the regions tile the box. Also each score's words and range.
#include <bowlby/instruments.hpp>
#include <bowlby/regions.hpp>

#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <string>
#include <vector>

namespace {
// Inside a convex counter-clockwise polygon, by a margin (points near an edge are skipped).
bool inside(const std::vector<std::array<double, 2>>& p, double x, double y, double margin) {
    for (std::size_t i = 0; i < p.size(); ++i) {
        const auto& a = p[i];
        const auto& b = p[(i + 1) % p.size()];
        const double ex = b[0] - a[0], ey = b[1] - a[1];
        const double cross = ex * (y - a[1]) - ey * (x - a[0]);
        if (cross < margin * std::hypot(ex, ey)) return false;
    }
    return true;
}

double total_area(const std::vector<bowlby::rule_region>& regions) {
    double sum = 0;
    for (const auto& r : regions) sum += bowlby::detail::area(r.polygon);
    return sum;
}

// Every grid point inside a polygon (away from its edges) has that polygon's category, and
// every grid point away from all edges is inside exactly one polygon.
template <class Rule>
void check_against_rule(const Rule& rule, const std::vector<bowlby::rule_region>& regions, double lo, double hi) {
    const int n = 60;
    int checked = 0;
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j) {
            const double avo = lo + (i + 0.5) / n * (hi - lo), anx = lo + (j + 0.5) / n * (hi - lo);
            int in = 0;
            for (const auto& r : regions)
                if (inside(r.polygon, avo, anx, 1e-6)) {
                    ++in;
                    CHECK(rule.classify(anx, avo).cat == r.cat);
                }
            CHECK(in <= 1);
            checked += in;
        }
    CHECK(checked > n * n * 9 / 10);
}
}  // namespace

TEST_CASE("regions: the midpoint rule on 1-7 is four squares of 3 by 3") {
    const auto rule = bowlby::midpoint_rule(bowlby::instrument("ecr").scale);
    const auto regions = bowlby::rule_regions(rule, {1, 7});
    REQUIRE(regions.size() == 4);
    for (const auto& r : regions) CHECK(bowlby::detail::area(r.polygon) == doctest::Approx(9));
    CHECK(regions[0].cat == bowlby::category::secure);
    check_against_rule(rule, regions, 1, 7);
}

TEST_CASE("regions: cuts outside the box leave out the regions that do not meet it") {
    const auto rule = bowlby::user_cut_rule(8, 4, "test");
    const auto regions = bowlby::rule_regions(rule, {1, 7});
    REQUIRE(regions.size() == 2);  // all of the box is low anxiety
    CHECK(total_area(regions) == doctest::Approx(36));
}

TEST_CASE("regions: Brennan's functions tile the box and agree with the rule") {
    const bowlby::brennan_rule rule(bowlby::instrument("ecr"), {1, 7, true});
    const auto regions = bowlby::rule_regions(rule, {1, 7});
    CHECK(regions.size() == 4);
    CHECK(total_area(regions) == doctest::Approx(36));
    check_against_rule(rule, regions, 1, 7);
}

TEST_CASE("regions: Brennan's functions on scores rescaled from 1-5 are drawn in 1-5 units") {
    bowlby::brennan_options o;
    o.rescale_from = bowlby::response_scale{1, 5, true};
    const bowlby::brennan_rule rule(bowlby::instrument("ecr"), {1, 5, true}, o);
    const auto regions = bowlby::rule_regions(rule, {1, 5});
    CHECK(total_area(regions) == doctest::Approx(16));
    check_against_rule(rule, regions, 1, 5);
}

TEST_CASE("key words: every built-in score has a label and a sentence on high and low") {
    for (const auto& k : bowlby::builtin_instruments())
        for (std::size_t s = 0; s < k.n_scores(); ++s) {
            CHECK(k.score_label(s) != k.score_name(s));
            CHECK_FALSE(k.score_about(s).empty());
        }
    const auto& ecr = bowlby::instrument("ecr");
    CHECK(ecr.score_label(0) == "Attachment anxiety");
    bowlby::questionnaire copy(ecr);
    CHECK(copy.view().score_label(1) == "Attachment avoidance");
    copy.add_subscale("mine", {1, 2});
    CHECK(copy.view().score_label(2) == "mine");  // no label: the name
}

TEST_CASE("key ranges: mean subscales span the scale - sums and derived scores their terms") {
    const auto r = [](const char* id, std::size_t s) { return bowlby::range_of_score(bowlby::instrument(id), s); };
    CHECK(r("ecr", 0).min == 1);
    CHECK(r("ecr", 0).max == 7);
    CHECK(r("rq", 4).min == -12);  // model of self: two ratings minus two ratings
    CHECK(r("rq", 4).max == 12);
    CHECK(r("aas", 3).min == 1);  // close_depend: the mean of two 1-5 means
    CHECK(r("aas", 3).max == 5);
    bowlby::questionnaire q("sum", 4, {0, 3});
    q.add_subscale("total", {1, 2, 3, 4}, {}, bowlby::aggregation::sum);
    CHECK(bowlby::range_of_score(q.view(), 0).max == 12);
}
