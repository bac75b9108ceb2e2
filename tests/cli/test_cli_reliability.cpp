// `bowlby reliability --json` on the synthetic set against psych's values (the fixture written
// by tests/reference/make_reliability_fixtures.R).
#include "../support/reliability_compare.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace test_support;

namespace {

void require_agreement(const comparison& c) {
    for (const auto& f : c.failures) FAIL_CHECK(f);
    CHECK(c.compared == c.expected);
    CHECK(c.expected > 100);
}

}  // namespace

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
