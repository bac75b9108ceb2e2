// `bowlby dyads` and `bowlby change` on small hand-made files: every pairing problem named by
// its message (the id, the lines, the reason), --strict, the columns, and one dyad worked out
// by hand. The statistics are checked against base R in tests/reference/test_couples_and_change.cpp.
#include "../support/test_support.hpp"

#include <nlohmann/json.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <string>

using namespace test_support;

namespace {
const std::string dyads_cmd = " dyads --instrument ecr-s --items Q1:Q12 --dyad couple ";
const std::string change_cmd = " change --instrument ecr-s --items Q1:Q12 --id id --wave wave --pre pre --post post ";

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }
}  // namespace

TEST_CASE("bowlby dyads names every dyad it cannot pair - lines and reason") {
    const auto r =
        run(cli() + dyads_cmd + "--output " + tmp("dy_small.csv") + " " + data("couples_small.csv"), "dy_small");
    REQUIRE(r.status == 0);
    INFO(r.err);
    CHECK(has(r.err, "3 dyads paired from 11 rows; 3 not paired:"));  // A, D and E
    CHECK(has(r.err, "dyad 'B' (line 3): one row, no partner"));
    CHECK(has(r.err, "dyad 'C' (lines 4, 6 and 7): 3 rows, a dyad has two"));
    CHECK(has(r.err, "a row with no dyad id (line 12)"));
    CHECK(has(r.err,
              "scores missing in paired dyads:\n  dyad 'E', partner 1 (line 10): no anxiety score (2 items "
              "answered), left out of the statistics that need it"));

    const auto d =
        run(cli() + dyads_cmd + "--distinguish role --output " + tmp("dy_role.csv") + " " + data("couples_small.csv"),
            "dy_role");
    REQUIRE(d.status == 0);
    CHECK(has(d.err, "dyad 'D' (lines 8 and 9): both partners have role '1', the partners cannot be told apart"));
    CHECK(has(d.err, "2 dyads paired from 11 rows; 4 not paired:"));  // A and E
}

TEST_CASE("bowlby dyads --strict: a dyad that cannot be paired is an error - no output left") {
    std::remove(tmp("dy_strict.csv").c_str());
    const auto r = run(
        cli() + dyads_cmd + "--strict --output " + tmp("dy_strict.csv") + " " + data("couples_small.csv"), "dy_strict");
    CHECK(r.status == 1);
    CHECK(has(r.err, "couples_small.csv: 3 dyad(s) cannot be paired (--strict):"));
    CHECK(has(r.err, "dyad 'C' (lines 4, 6 and 7): 3 rows, a dyad has two"));
    CHECK_FALSE(exists(tmp("dy_strict.csv")));
}

TEST_CASE("bowlby dyads wide - one dyad by hand - a missing score leaves its cells empty") {
    const std::string report = tmp("dy_hand.json");
    const auto r = run(cli() + dyads_cmd + "--classify midpoint --output " + tmp("dy_hand.csv") + " --report " +
                           report + " " + data("couples_small.csv"),
                       "dy_hand");
    REQUIRE(r.status == 0);
    const auto rows = read_simple_csv(slurp(tmp("dy_hand.csv")));
    REQUIRE(rows.size() == 4);  // A, D and E; B, C and the row without id are not paired
    CHECK(rows[0] == std::vector<std::string>{"dyad", "anxiety_1", "anxiety_2", "anxiety_diff", "avoidance_1",
                                              "avoidance_2", "avoidance_diff", "category_1", "category_2", "pairing"});
    // A, partner 1 (line 2): anxiety items 2 4 6 8R 10 12 = 5 6 5 (8-3) 6 5 -> 32/6; avoidance
    // 1R 3 5R 7 9R 11 = (8-2) 3 (8-2) 4 (8-1) 3 -> 29/6. Partner 2 (line 5): anxiety 3 4 4 (8-4)
    // 3 4 -> 22/6; avoidance (8-6) 2 (8-5) 1 (8-6) 2 -> 2. Midpoint 4: fearful and secure.
    CHECK(rows[1][0] == "A");
    CHECK(close(std::stod(rows[1][1]), 32.0 / 6, 1e-15));
    CHECK(close(std::stod(rows[1][2]), 22.0 / 6, 1e-15));
    CHECK(close(std::stod(rows[1][3]), 10.0 / 6, 1e-15));
    CHECK(close(std::stod(rows[1][4]), 29.0 / 6, 1e-15));
    CHECK(close(std::stod(rows[1][5]), 2.0, 1e-15));
    CHECK(close(std::stod(rows[1][6]), 17.0 / 6, 1e-15));
    CHECK(rows[1][7] == "fearful");
    CHECK(rows[1][8] == "secure");
    CHECK(rows[1][9] == "fearful+secure");
    // E's first partner answered 2 of 6 anxiety items: no anxiety score, no difference, no category.
    CHECK(rows[3][0] == "E");
    CHECK(rows[3][1].empty());
    CHECK(rows[3][3].empty());
    CHECK(rows[3][7] == "unclassified");
    CHECK(rows[3][9].empty());
    const auto j = nlohmann::json::parse(slurp(report));
    CHECK(j["dyads"] == 3);
    CHECK(j["pairings"]["fearful+secure"] == 2);  // A and D
    CHECK(j["pairings"]["unclassified"] == 1);
    CHECK(j["pairings"].size() == 11);    // the ten unordered pairs and the unclassified
    CHECK(j["intraclass"][0]["n"] == 2);  // anxiety: A and D
    CHECK(j["intraclass"][1]["n"] == 3);  // avoidance: A, D and E
    CHECK(j["unpaired"][1]["dyad"] == "C");
    CHECK(j["unpaired"][1]["rows"] == 3);
    CHECK(j["unpaired"][1]["lines"] == nlohmann::json::array({4, 6, 7}));
    CHECK(j["unpaired"][1]["reason"] == "more than two rows");
    CHECK(j["missing_scores"].size() == 1);
}

TEST_CASE("bowlby dyads --distinguish orders partners by number - pairwise layout") {
    const auto r = run(cli() + dyads_cmd + "--distinguish role --layout pairwise --output " + tmp("dy_pw.csv") + " " +
                           data("couples_small.csv"),
                       "dy_pw");
    REQUIRE(r.status == 0);
    const auto rows = read_simple_csv(slurp(tmp("dy_pw.csv")));
    REQUIRE(rows.size() == 5);  // A and E, each partner once as actor
    CHECK(rows[0] ==
          std::vector<std::string>{"dyad", "actor", "anxiety", "partner_anxiety", "avoidance", "partner_avoidance"});
    CHECK(rows[1][0] == "A");
    CHECK(rows[1][1] == "1");
    CHECK(close(std::stod(rows[1][2]), 32.0 / 6, 1e-15));
    CHECK(close(std::stod(rows[1][3]), 22.0 / 6, 1e-15));
    CHECK(rows[2][1] == "2");
    CHECK(close(std::stod(rows[2][2]), 22.0 / 6, 1e-15));
}

TEST_CASE("bowlby change names ids in one wave only or repeated - --strict makes them an error") {
    const auto r =
        run(cli() + change_cmd + "--output " + tmp("ch_small.csv") + " " + data("waves_small.csv"), "ch_small");
    REQUIRE(r.status == 0);
    INFO(r.err);
    CHECK(has(r.err, "2 people paired; 3 id(s) left out:"));
    CHECK(has(r.err,
              "scores missing in paired people:\n  id 'P5', post wave (line 10): no anxiety score (2 items "
              "answered), its change on that score is empty"));
    CHECK(has(r.err,
              "id 'P2': 1 row in the pre wave (line 3), 2 rows in the post wave (lines 6 and 7), an id may "
              "appear once in each wave"));
    CHECK(has(r.err, "id 'P3': 1 row in the pre wave (line 4), none in the post wave"));
    CHECK(has(r.err, "id 'P4': 1 row in the post wave (line 8), none in the pre wave"));
    const auto rows = read_simple_csv(slurp(tmp("ch_small.csv")));
    REQUIRE(rows.size() == 3);
    CHECK(rows[0][0] == "id");
    CHECK(rows[1][0] == "P1");
    CHECK(rows[2][0] == "P5");
    CHECK(rows[2][2].empty());    // anxiety_post
    CHECK(rows[2][3].empty());    // anxiety_change
    CHECK(rows[2][5].empty());    // anxiety_reliable
    CHECK(rows[2][13].empty());   // joint_reliable
    CHECK(!rows[2][10].empty());  // avoidance_reliable
    const auto s = run(cli() + change_cmd + "--strict --output " + tmp("ch_strict.csv") + " " + data("waves_small.csv"),
                       "ch_strict");
    CHECK(s.status == 1);
    CHECK(has(s.err, "3 id(s) cannot be paired (--strict):"));
    CHECK(has(s.err, "id 'P4': 1 row in the post wave (line 8), none in the pre wave"));
}

TEST_CASE("bowlby change columns - given reliability and sd - usage errors exit 2") {
    const auto r = run(cli() + change_cmd + "--keep wave --reliability 0.8:- --sd 1:1.5 --classify midpoint --output " +
                           tmp("ch_cols.csv") + " --report " + tmp("ch_cols.json") + " " + data("waves_small.csv"),
                       "ch_cols");
    REQUIRE(r.status == 0);
    const auto rows = read_simple_csv(slurp(tmp("ch_cols.csv")));
    CHECK(rows[0] == std::vector<std::string>{"id", "wave", "anxiety_pre", "anxiety_post", "anxiety_change",
                                              "anxiety_rci", "anxiety_reliable", "avoidance_pre", "avoidance_post",
                                              "avoidance_change", "avoidance_rci", "avoidance_reliable", "joint_d2",
                                              "joint_p", "joint_reliable", "category_pre", "category_pre_p",
                                              "category_post", "category_post_p"});
    // P1 anxiety: pre 32/6 (as A above), post 2 3 2 (8-6) 3 2 -> 14/6; change -3 over
    // sqrt(2) * 1 * sqrt(1 - 0.8).
    CHECK(close(std::stod(rows[1][4]), -3.0, 1e-15));
    CHECK(close(std::stod(rows[1][5]), -3.0 / (std::sqrt(2.0) * std::sqrt(0.2)), 1e-12));
    CHECK(rows[1][6] == "decreased");
    const auto j = nlohmann::json::parse(slurp(tmp("ch_cols.json")));
    CHECK(j["scores"][0]["reliability_source"] == "given (--reliability)");
    CHECK(j["scores"][1]["reliability_source"] == "alpha of the pre wave (pairwise)");
    CHECK(j["scores"][0]["sd_source"] == "given (--sd)");

    const struct {
        const char* args;
        const char* says;
    } bad[] = {
        {" change --instrument ecr-s --id id --pre-file a.csv", "give both --pre-file and --post-file"},
        {" change --instrument ecr-s --wave w --pre 1 --post 2 x.csv", "bowlby change needs --id COL"},
        {" change --instrument ecr-s --id id --wave wave --pre 1 --post 1 x.csv",
         "--pre and --post name the same wave"},
        {" dyads --instrument ecr-s x.csv", "bowlby dyads needs --dyad COL"},
        {" dyads --instrument ecr-s --dyad d --layout long x.csv", "--layout takes wide or pairwise, got 'long'"},
        {" dyads --instrument ecr-s --dyad d --plot p.svg x.csv", "bowlby dyads has no --plot"},
    };
    for (const auto& b : bad) {
        const auto u = run(cli() + b.args, "ch_usage");
        INFO(b.args << ": " << u.err);
        CHECK(u.status == 2);
        CHECK(has(u.err, b.says));
    }
    const auto n = run(
        cli() + change_cmd + "--reliability 0.8 --output " + tmp("ch_n.csv") + " " + data("waves_small.csv"), "ch_n");
    CHECK(n.status == 2);
    CHECK(has(n.err, "--reliability takes 2 values (one per score of ecr-s"));
    for (const char* cmd : {" dyads --help", " change --help"}) {
        const auto h = run(cli() + cmd, "dy_help");
        CHECK(h.status == 0);
        CHECK(has(h.out, "usage: bowlby"));
    }
}
