// `bowlby score`'s human summary on standard error: written with --summary (and by default on a
// terminal), never with --quiet or into a file or pipe unless asked; its figures by hand below.
#include "../support/test_support.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <string>

using namespace test_support;

namespace {

void write_file(const std::string& path, const std::string& text) {
    std::ofstream f(path, std::ios::binary);
    f << text;
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// One subscale of two items on 1-5, three respondents and one with a single answer:
//   rows (1, 2), (3, 3), (5, 4): means 1.5, 3, 4.5 (complete); (2, empty): 2 (prorated);
//   mean of the four scores (1.5 + 3 + 4.5 + 2) / 4 = 2.75;
//   sd: deviations -1.25, 0.25, 1.75, -0.75, squares 1.5625 + 0.0625 + 3.0625 + 0.5625 = 5.25,
//       / 3 = 1.75, sqrt = 1.3229;
//   alpha (pairwise, as psych): item 1 answers 1, 3, 5, 2 (variance (3.0625 + 0.0625 + 5.0625 +
//       0.5625) / 3 = 2.9167), item 2 answers 2, 3, 4 (variance 1), their covariance over the
//       three rows with both ((-2)(-1) + 0 + 2(1)) / 2 = 2; total variance 2.9167 + 1 + 2 x 2
//       = 7.9167; alpha = 2 x (1 - 3.9167 / 7.9167) = 1.0105, shown 1.011.
const char* const key = R"({"bowlby_key": 1, "id": "pair", "name": "Two items", "scale": {"min": 1, "max": 5},
  "items": ["A", "B"], "subscales": [{"name": "closeness", "items": ["A", "B"]}]})";
const char* const answers = "id,A,B\np1,1,2\np2,3,3\np3,5,4\np4,2,\n";

}  // namespace

TEST_CASE("--summary writes rows - status counts - n mean sd and alpha - and where the scores went") {
    write_file(tmp("pair.key.json"), key);
    write_file(tmp("pair.csv"), answers);
    const auto r = run(cli() + " score --key " + tmp("pair.key.json") + " --summary --output " + tmp("pair.out.csv") +
                           " " + tmp("pair.csv"),
                       "summary");
    REQUIRE_MESSAGE(r.status == 0, r.err);
    CHECK(has(r.err, "bowlby score: pair, 4 rows read from " + tmp("pair.csv") + "\n"));
    CHECK(has(r.err, "  rows: 3 complete, 1 prorated, 0 insufficient\n"));
    CHECK(has(r.err, "closeness          4   2.750   1.323   1.011  ["));
    CHECK(has(r.err, "  scores written to " + tmp("pair.out.csv") + "\n"));
    CHECK(r.out.empty());
}

TEST_CASE("no summary into a file or with --quiet - the report's counts are integers") {
    write_file(tmp("pair.key.json"), key);
    write_file(tmp("pair.csv"), answers);
    const auto plain = run(cli() + " score --key " + tmp("pair.key.json") + " --report " + tmp("pair.json") +
                               " --output " + tmp("pair.out.csv") + " " + tmp("pair.csv"),
                           "plain");
    REQUIRE(plain.status == 0);
    CHECK(plain.err.empty());  // standard error is a file here, not a terminal
    const std::string report = slurp(tmp("pair.json"));
    CHECK(has(report, "\"rows\": 4,"));
    CHECK(has(report, "\"n\": 4,"));
    CHECK(has(report, "\"n_complete\": 3,"));
    CHECK(has(report,
              "\"row_status\": {\n    \"complete\": 3,\n    \"prorated\": 1,\n    \"insufficient\": 0,\n"
              "    \"excluded\": 0\n  }"));
    CHECK_FALSE(has(report, "\"n\": 4.0"));
    const auto quiet = run(cli() + " score --key " + tmp("pair.key.json") + " --summary --quiet --output " +
                               tmp("pair.out.csv") + " " + tmp("pair.csv"),
                           "quiet");
    REQUIRE(quiet.status == 0);
    CHECK(quiet.err.empty());  // the last of --summary and --quiet wins
}

TEST_CASE("on a terminal the summary is written without being asked") {
    if (std::system("command -v script > /dev/null 2>&1") != 0) {
        MESSAGE("util-linux's script is not installed: the terminal case is not run");
        return;
    }
    write_file(tmp("pair.key.json"), key);
    write_file(tmp("pair.csv"), answers);
    // script runs the command on a pseudo-terminal and copies what it shows to standard output.
    const auto r = run("script -qec \"" + cli() + " score --key " + tmp("pair.key.json") + " --output " +
                           tmp("pair.out.csv") + " " + tmp("pair.csv") + "\" /dev/null",
                       "terminal");
    REQUIRE(r.status == 0);
    CHECK(has(r.out, "rows: 3 complete, 1 prorated, 0 insufficient"));
    const auto q = run("script -qec \"" + cli() + " score --key " + tmp("pair.key.json") + " --quiet --output " +
                           tmp("pair.out.csv") + " " + tmp("pair.csv") + "\" /dev/null",
                       "terminal_quiet");
    REQUIRE(q.status == 0);
    CHECK_FALSE(has(q.out, "rows read"));
}
