// `bowlby screen` and `bowlby score --screen` on bad input and bad calls: rows and files with no
// answer, a constant item (a singular covariance), a key without reversed items on a subscale,
// the presented order, --exclude-flagged, and the usage and data errors. The indices themselves
// are checked against base R in tests/reference/test_screen_reference.cpp.
#include "../support/test_support.hpp"

#include <nlohmann/json.hpp>

#include <doctest/doctest.h>

#include <fstream>
#include <string>

using namespace test_support;

namespace {

std::string write_file(const std::string& name, const std::string& text) {
    const std::string path = tmp(name);
    std::ofstream(path) << text;
    return path;
}

// A header Q1..Qn and the rows given.
std::string items_csv(int n, const std::vector<std::string>& rows) {
    std::string t;
    for (int i = 1; i <= n; ++i) t += (i > 1 ? ",Q" : "Q") + std::to_string(i);
    t += "\n";
    for (const auto& r : rows) t += r + "\n";
    return t;
}

std::string row_of(int n, const std::string& cell) {
    std::string r;
    for (int i = 0; i < n; ++i) r += (i ? "," : "") + cell;
    return r;
}

// Some varied ECR rows on 1-5 (the sample's answers do not matter here), item 1 set to `q1`
// when not empty.
std::vector<std::string> ecr_rows(int count, const std::string& q1 = "") {
    std::vector<std::string> rows;
    for (int r = 0; r < count; ++r) {
        std::string row;
        for (int i = 0; i < 36; ++i) {
            const std::string cell = i == 0 && !q1.empty() ? q1 : std::to_string(1 + (r * 7 + i * i * 3 + r * i) % 5);
            row += (i ? "," : "") + cell;
        }
        rows.push_back(row);
    }
    return rows;
}

}  // namespace

TEST_CASE("screen - a file with no answer at all gives empty indices and says why mahad is missing") {
    const std::string in = write_file("screen_empty.csv", items_csv(36, {row_of(36, ""), row_of(36, "0")}));
    const auto r = run(cli() + " screen --instrument ecr --scale 1:5 --missing-code 0 --summary --report " +
                           tmp("screen_empty.json") + " --output " + tmp("screen_empty.out.csv") + " " + in,
                       "screen_empty");
    REQUIRE(r.status == 0);
    const auto out = read_simple_csv(slurp(tmp("screen_empty.out.csv")));
    REQUIRE(out.size() == 3);
    for (std::size_t row = 1; row < 3; ++row) {
        REQUIRE(out[row].size() == out[0].size());
        for (std::size_t c = 1; c + 1 < out[row].size(); ++c) {
            INFO(out[0][c]);
            CHECK(out[row][c].empty());
        }
        CHECK(out[row].back() == "0");
    }
    const auto j = nlohmann::json::parse(slurp(tmp("screen_empty.json")));
    CHECK(j["screening"]["undefined"]["mahad"].get<std::string>().find("0 complete rows") != std::string::npos);
    CHECK(j["screening"]["undefined"]["evenodd"].get<std::string>().find("ECR family") != std::string::npos);
    CHECK(r.err.find("mahad not computed") != std::string::npos);
}

TEST_CASE("screen - a constant item makes the covariance singular - mahad empty - the rest computed") {
    const std::string in = write_file("screen_constant.csv", items_csv(36, ecr_rows(60, "3")));
    const auto r = run(cli() + " screen --instrument ecr --scale 1:5 --report " + tmp("screen_constant.json") +
                           " --output " + tmp("screen_constant.out.csv") + " " + in,
                       "screen_constant");
    REQUIRE(r.status == 0);
    const auto out = read_simple_csv(slurp(tmp("screen_constant.out.csv")));
    std::size_t mahad = 0, longstring = 0;
    for (std::size_t c = 0; c < out[0].size(); ++c) {
        if (out[0][c] == "mahad") mahad = c;
        if (out[0][c] == "longstring") longstring = c;
    }
    REQUIRE(mahad > 0);
    for (std::size_t row = 1; row < out.size(); ++row) {
        CHECK(out[row][mahad].empty());
        CHECK(out[row][mahad + 1].empty());
        CHECK(out[row][mahad + 2].empty());
        CHECK_FALSE(out[row][longstring].empty());
    }
    const auto j = nlohmann::json::parse(slurp(tmp("screen_constant.json")));
    CHECK(j["screening"]["undefined"]["mahad"].get<std::string>().find("singular") != std::string::npos);
}

TEST_CASE("screen - a subscale with no reversed items has no reverse gap column") {
    const std::string in = write_file("screen_ecr12.csv", items_csv(12, {"1,2,3,4,5,1,2,3,4,5,1,2"}));
    const auto r = run(cli() + " screen --instrument ecr-12 --one-pass " + in, "screen_ecr12");
    REQUIRE(r.status == 0);
    const auto out = read_simple_csv(r.out);
    CHECK(out[0] == std::vector<std::string>{"row", "longstring", "longstring_avg", "irv", "evenodd",
                                             "reverse_gap_avoidance", "flags", "n_flags"});
}

TEST_CASE("screen - longstring follows --presented-order") {
    const std::string in = write_file("screen_order.csv", items_csv(12, {"1,1,1,1,1,1,2,2,2,2,2,2"}));
    const auto file_order = run(cli() + " screen --instrument ecr-12 --one-pass " + in, "screen_order1");
    REQUIRE(file_order.status == 0);
    CHECK(read_simple_csv(file_order.out)[1][1] == "6");
    const auto shown = run(cli() + " screen --instrument ecr-12 --one-pass --presented-order " +
                               "Q1,Q7,Q2,Q8,Q3,Q9,Q4,Q10,Q5,Q11,Q6,Q12 " + in,
                           "screen_order2");
    REQUIRE(shown.status == 0);
    CHECK(read_simple_csv(shown.out)[1][1] == "1");
    const auto incomplete =
        run(cli() + " screen --instrument ecr-12 --one-pass --presented-order Q1,Q2 " + in, "screen_order3");
    CHECK(incomplete.status == 2);
}

TEST_CASE("score --screen --exclude-flagged - excluded rows kept - left out of the statistics") {
    std::vector<std::string> rows = ecr_rows(60);
    rows.push_back(row_of(36, "4"));
    rows.push_back(row_of(36, "2"));
    const std::string in = write_file("screen_exclude.csv", items_csv(36, rows));
    const auto r = run(cli() + " score --instrument ecr --scale 1:5 --screen --exclude-flagged 1 --summary --report " +
                           tmp("screen_exclude.json") + " --output " + tmp("screen_exclude.out.csv") + " " + in,
                       "screen_exclude");
    REQUIRE(r.status == 0);
    const auto out = read_simple_csv(slurp(tmp("screen_exclude.out.csv")));
    REQUIRE(out.size() == 63);
    std::size_t excluded = 0;
    for (std::size_t row = 1; row < out.size(); ++row) {
        const bool flagged = out[row].back() != "0";
        CHECK((out[row][5] == "excluded") == flagged);  // row,anxiety,anxiety_n,avoidance,avoidance_n,status
        excluded += flagged;
    }
    CHECK(out[61][5] == "excluded");  // the straight lines of 4s and 2s
    CHECK(out[62][5] == "excluded");
    const auto j = nlohmann::json::parse(slurp(tmp("screen_exclude.json")));
    CHECK(j["screening"]["rows_excluded"] == excluded);
    CHECK(j["subscales"][0]["n"] == 62 - excluded);
    CHECK(r.err.find("alpha anxiety") != std::string::npos);
    // Standard error is not a terminal here: without --summary, nothing is written to it.
    const auto plain = run(cli() + " score --instrument ecr --scale 1:5 --screen --exclude-flagged 1 --output " +
                               tmp("screen_exclude.plain.csv") + " " + in,
                           "screen_exclude_plain");
    REQUIRE(plain.status == 0);
    CHECK(plain.err.empty());
    CHECK(slurp(tmp("screen_exclude.plain.csv")) == slurp(tmp("screen_exclude.out.csv")));
}

TEST_CASE("screen - usage and data errors") {
    const std::string in = write_file("screen_usage.csv", items_csv(12, {"1,2,3,4,5,1,2,3,4,5,1,2"}));
    CHECK(run(cli() + " screen --instrument ecr-12 --exclude-flagged 1 " + in, "su1").status == 2);
    CHECK(run(cli() + " screen --instrument ecr-12 --flag nosuch=1 " + in, "su2").status == 2);
    CHECK(run(cli() + " screen --instrument ecr-12 --flag irv " + in, "su3").status == 2);
    CHECK(run(cli() + " screen --instrument ecr-12 - < " + in, "su4").status == 2);
    CHECK(run(cli() + " screen --instrument ecr-12 --one-pass - < " + in, "su5").status == 0);
    CHECK(run(cli() + " score --instrument ecr-12 --flag irv=1 " + in, "su6").status == 2);
    CHECK(run(cli() + " screen --instrument ecr-12 --syn-r 2 " + in, "su7").status == 2);
    const std::string timed = write_file("screen_duration.csv",
                                         "Q1,Q2,Q3,Q4,Q5,Q6,Q7,Q8,Q9,Q10,Q11,Q12,secs\n1,2,3,4,5,1,2,3,4,5,1,2,fast\n");
    const auto bad = run(cli() + " screen --instrument ecr-12 --items Q1:Q12 --duration secs " + timed, "su8");
    CHECK(bad.status == 1);
    CHECK(bad.err.find("line 2, column secs") != std::string::npos);
    CHECK(bad.err.find("fast") != std::string::npos);
}
