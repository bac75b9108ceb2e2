// Qualtrics exports (current and legacy), --recode and --exclude. The fixtures and their
// expected scores come from tests/reference/make_qualtrics_fixtures.py, which computes the
// scores from the formulas (keyed mean of the answered items, the half rule).
#include "../../examples/cli/input.hpp"
#include "../support/test_support.hpp"

#include <nlohmann/json.hpp>

#include <doctest/doctest.h>

#include <fstream>
#include <string>
#include <vector>

using namespace test_support;

namespace {

void write_file(const std::string& path, const std::string& text) {
    std::ofstream f(path, std::ios::binary);
    f << text;
}

const std::string recode_values = " --recode 8=1,9=2,10=3,11=4,12=5 ";

std::string key() { return " --key " + data("qualtrics_key.json") + " "; }

// bowlby's output against the script's expected file: the same rows and cells, numbers equal
// to 1e-12 (the script writes Python's shortest text of its own double).
void check_against(const std::string& out, const std::string& expected_file) {
    const auto actual = read_simple_csv(out);
    const auto expected = read_simple_csv(slurp(data(expected_file)));
    REQUIRE(actual.size() == expected.size());
    for (std::size_t r = 0; r < expected.size(); ++r) {
        CAPTURE(r);
        REQUIRE(actual[r].size() == expected[r].size());
        for (std::size_t c = 0; c < expected[r].size(); ++c) {
            const std::string& a = actual[r][c];
            const std::string& e = expected[r][c];
            if (r == 0 || e.empty() || e.find_first_not_of("0123456789.-e") != std::string::npos)
                CHECK(a == e);
            else
                CHECK(close(std::stod(a), std::stod(e), 1e-12));
        }
    }
}

// The current export's header records, then `rows` (each a line of answers to Q1..Q3).
std::string small_current(const std::vector<std::string>& rows) {
    std::string t =
        "\"ResponseId\",\"Finished\",\"Q1\",\"Q2\",\"Q3\"\r\n"
        "\"Response ID\",\"Finished\",\"How are you, today?\",\"Say \"\"yes\"\"\",\"A text\nover two lines\"\r\n"
        "\"{\"\"ImportId\"\":\"\"_recordId\"\"}\",\"{\"\"ImportId\"\":\"\"finished\"\"}\",\"{\"\"ImportId\"\":"
        "\"\"QID1\"\"}\","
        "\"{\"\"ImportId\"\":\"\"QID2\"\"}\",\"{\"\"ImportId\"\":\"\"QID3\"\"}\"\r\n";
    for (const std::string& r : rows) t += r + "\r\n";
    return t;
}

}  // namespace

TEST_CASE("the current and the legacy Qualtrics export score as the plain CSV of the same answers") {
    const auto plain = run(cli() + " score" + key() + data("qualtrics_plain.csv"), "q_plain");
    REQUIRE_MESSAGE(plain.status == 0, plain.err);
    check_against(plain.out, "qualtrics.expected.csv");
    const auto current = run(cli() + " score" + key() + recode_values + data("qualtrics_current.csv"), "q_current");
    REQUIRE_MESSAGE(current.status == 0, current.err);
    CHECK(current.out == plain.out);
    const auto legacy = run(cli() + " score" + key() + data("qualtrics_legacy.csv"), "q_legacy");
    REQUIRE_MESSAGE(legacy.status == 0, legacy.err);
    CHECK(legacy.out == plain.out);
    // Read through a stream (standard input), on one thread and on four.
    for (const char* threads : {"1", "4"}) {
        const auto piped = run("cat " + data("qualtrics_current.csv") + " | " + cli() + " score --threads " + threads +
                                   key() + recode_values + "-",
                               "q_piped");
        REQUIRE_MESSAGE(piped.status == 0, piped.err);
        CHECK(piped.out == plain.out);
    }
    // The respondents' own ids, in order, beside rows 1..12.
    const auto ids =
        run(cli() + " score --keep ResponseId" + key() + recode_values + data("qualtrics_current.csv"), "q_ids");
    REQUIRE_MESSAGE(ids.status == 0, ids.err);
    const auto rows = read_simple_csv(ids.out);
    REQUIRE(rows.size() == 13);
    CHECK(rows[1][0] == "1");
    CHECK(rows[1][1] == "R_01");
    CHECK(rows[12][0] == "12");
    CHECK(rows[12][1] == "R_12");
}

TEST_CASE("reliability reads a Qualtrics export as the plain CSV") {
    const auto without_input = [](std::string json) { return json.erase(0, json.find("\"instrument\"")); };
    const auto plain = run(cli() + " reliability --json" + key() + data("qualtrics_plain.csv"), "qr_plain");
    const auto current =
        run(cli() + " reliability --json" + key() + recode_values + data("qualtrics_current.csv"), "qr_current");
    const auto legacy = run(cli() + " reliability --json" + key() + data("qualtrics_legacy.csv"), "qr_legacy");
    REQUIRE_MESSAGE(plain.status == 0, plain.err);
    REQUIRE_MESSAGE(current.status == 0, current.err);
    REQUIRE_MESSAGE(legacy.status == 0, legacy.err);
    CHECK(nlohmann::json::parse(plain.out)["rows"] == 12);
    CHECK(without_input(current.out) == without_input(plain.out));
    CHECK(without_input(legacy.out) == without_input(plain.out));
}

TEST_CASE("an error in a Qualtrics data cell names the file's own line") {
    // Without --recode, Qualtrics' 8 is outside the scale 1-5: the first respondent is on line 5
    // (the question text of Q3 spans lines 2 and 3, the ImportIds are line 4).
    const auto range = run(cli() + " score" + key() + data("qualtrics_current.csv"), "q_range");
    CHECK(range.status == 1);
    CHECK_MESSAGE(range.err.find("qualtrics_current.csv, line 5, column Q1: value 8 is outside") != std::string::npos,
                  range.err);
    // Text in the third respondent's Q2: line 7 (quoted cells: the general parser).
    write_file(tmp("q_text.csv"), small_current({"\"R_1\",\"1\",\"1\",\"2\",\"3\"", "\"R_2\",\"1\",\"2\",\"2\",\"2\"",
                                                 "\"R_3\",\"1\",\"3\",\"x\",\"1\""}));
    const auto text = run(cli() + " reliability --items Q1:Q3 " + tmp("q_text.csv"), "q_text");
    CHECK(text.status == 1);
    CHECK_MESSAGE(text.err.find("line 7, column Q2: value 'x' is not a number") != std::string::npos, text.err);
    // Unquoted data after the header records (the plain parser, bytes): line 6.
    write_file(tmp("q_plain_error.csv"), small_current({"R_1,1,1,2,3", "R_2,1,2,9,2"}));
    const auto plain = run(cli() + " reliability --items Q1:Q3 --scale 1:5 " + tmp("q_plain_error.csv"), "q_plain_err");
    CHECK(plain.status == 1);
    CHECK_MESSAGE(plain.err.find("line 6, column Q2: value 9 is outside") != std::string::npos, plain.err);
    // The legacy fixture: header, question texts on lines 2-3, the first respondent on line 4.
    std::string legacy = slurp(data("qualtrics_legacy.csv"));
    const std::size_t second = legacy.find("R_02,");
    REQUIRE(second != std::string::npos);
    legacy.replace(legacy.find("\n", second) - 1, 1, "6");  // R_02's Q6: 3 -> 6, off the scale
    write_file(tmp("q_legacy_error.csv"), legacy);
    const auto old = run(cli() + " score" + key() + tmp("q_legacy_error.csv"), "q_legacy_err");
    CHECK(old.status == 1);
    CHECK_MESSAGE(old.err.find("line 5, column Q6: value 6 is outside") != std::string::npos, old.err);
}

TEST_CASE("files that only look a bit like Qualtrics exports are read as plain CSV") {
    const std::vector<std::string> header = {"ResponseId", "ResponseSet", "Q1", "Q2", "Q3"};
    const std::vector<std::size_t> items = {2, 3, 4};
    using bowlby_cli::detect_qualtrics;
    using bowlby_cli::qualtrics_export;
    const std::vector<std::string> texts = {"ResponseId", "ResponseSet", "How?", "Why?", "When?"};
    const std::vector<std::string> numbers = {"R_1", "Default", "1", "2", "3"};
    const std::vector<std::string> ids = {"{\"ImportId\":\"_recordId\"}", "", "{\"ImportId\":\"QID1\"}",
                                          "{\"ImportId\":\"QID2\"}", "{\"ImportId\":\"QID3\"}"};
    CHECK(detect_qualtrics(header, &texts, &ids, items) == qualtrics_export::current);
    CHECK(detect_qualtrics(header, &texts, &numbers, items) == qualtrics_export::legacy);
    CHECK(detect_qualtrics(header, &numbers, &ids, items) == qualtrics_export::current);
    CHECK(detect_qualtrics(header, &numbers, &numbers, items) == qualtrics_export::none);
    CHECK(detect_qualtrics(header, nullptr, nullptr, items) == qualtrics_export::none);
    // One ImportId among numbers, a cell that only starts like one, rows of other lengths.
    std::vector<std::string> mixed = numbers;
    mixed[2] = "{\"ImportId\":\"QID1\"}";
    CHECK(detect_qualtrics({"id", "x", "Q1", "Q2", "Q3"}, &texts, &mixed, items) == qualtrics_export::none);
    std::vector<std::string> unclosed = ids;
    unclosed[3] = "{\"ImportId\":\"QID2\"";
    CHECK(detect_qualtrics({"id", "x", "Q1", "Q2", "Q3"}, &texts, &unclosed, items) == qualtrics_export::none);
    const std::vector<std::string> short_ids(ids.begin(), ids.end() - 1);
    CHECK(detect_qualtrics({"id", "x", "Q1", "Q2", "Q3"}, &texts, &short_ids, items) == qualtrics_export::none);
    // Legacy: Qualtrics' fixed columns first, and every item's row-2 cell text.
    CHECK(detect_qualtrics({"id", "ResponseSet", "Q1", "Q2", "Q3"}, &texts, &numbers, items) == qualtrics_export::none);
    CHECK(detect_qualtrics({"V1", "V2", "Q1", "Q2", "Q3"}, &texts, &numbers, items) == qualtrics_export::legacy);
    std::vector<std::string> one_number = texts;
    one_number[3] = "4";
    CHECK(detect_qualtrics(header, &one_number, &numbers, items) == qualtrics_export::none);
    std::vector<std::string> missing = texts;
    missing[4] = "NA";
    CHECK(detect_qualtrics(header, &missing, &numbers, items) == qualtrics_export::none);

    // Through the tool: the header of Qualtrics' fixed columns with answers in row 2 is read
    // as data from row 1 on.
    write_file(tmp("q_like.csv"), "ResponseId,ResponseSet,Q1,Q2,Q3\nR_1,Default,1,2,3\nR_2,Default,3,3,3\n");
    const auto like = run(cli() + " reliability --json --items Q1:Q3 " + tmp("q_like.csv"), "q_like");
    REQUIRE_MESSAGE(like.status == 0, like.err);
    CHECK(nlohmann::json::parse(like.out)["rows"] == 2);
    // A plain file whose first data row is text is not taken for question texts: an error on line 2.
    write_file(tmp("q_text_row.csv"), "id,Q1,Q2,Q3\nlabel,How?,Why?,When?\nR_1,1,2,3\n");
    const auto text_row = run(cli() + " reliability --items Q1:Q3 " + tmp("q_text_row.csv"), "q_text_row");
    CHECK(text_row.status == 1);
    CHECK_MESSAGE(text_row.err.find("line 2, column Q1: value 'How?' is not a number") != std::string::npos,
                  text_row.err);
    // Nor is a third row with one ImportId-like cell among answers.
    write_file(tmp("q_one_id.csv"), "id,Q1,Q2,Q3\nR_0,1,1,1\n\"{\"\"ImportId\"\":\"\"x\"\"}\",1,2,3\nR_2,2,2,2\n");
    const auto one_id = run(cli() + " reliability --json --items Q1:Q3 " + tmp("q_one_id.csv"), "q_one_id");
    REQUIRE_MESSAGE(one_id.status == 0, one_id.err);
    CHECK(nlohmann::json::parse(one_id.out)["rows"] == 3);
}

TEST_CASE("--recode maps answers once before the range check") {
    // Not chained: with 1=2,2=3 an answer 1 becomes 2 and an answer 2 becomes 3.
    write_file(tmp("rc_in.csv"), "id,Q1,Q2,Q3,Q4,Q5,Q6\nA,1,2,1,2,1,2\nB,2,2,1,1,,3\n");
    write_file(tmp("rc_as.csv"), "id,Q1,Q2,Q3,Q4,Q5,Q6\nA,2,3,2,3,2,3\nB,3,3,2,2,,3\n");
    const auto recoded = run(cli() + " score" + key() + "--recode 1=2,2=3 " + tmp("rc_in.csv"), "rc_in");
    const auto direct = run(cli() + " score" + key() + tmp("rc_as.csv"), "rc_as");
    REQUIRE_MESSAGE(recoded.status == 0, recoded.err);
    REQUIRE_MESSAGE(direct.status == 0, direct.err);
    CHECK(recoded.out == direct.out);
    // Hand check of row A: anxiety Q1, Q3 (reversed), Q5 = 2, 6 - 2, 2 -> 8/3.
    CHECK(read_simple_csv(recoded.out)[1][1] == "2.6666666666666665");
    // Repeated --recode adds pairs; a value that is no byte (4.5) is read as doubles.
    const auto two = run(cli() + " score" + key() + "--recode 1=2 --recode 2=3,5=4.5 " + tmp("rc_in.csv"), "rc_two");
    REQUIRE_MESSAGE(two.status == 0, two.err);
    CHECK(two.out == direct.out);
    // Before the range check: 9 is off the scale 1-5 unless recoded.
    write_file(tmp("rc_nine.csv"), "id,Q1,Q2,Q3,Q4,Q5,Q6\nA,9,2,1,2,1,2\n");
    CHECK(run(cli() + " score" + key() + tmp("rc_nine.csv"), "rc_nine").status == 1);
    CHECK(run(cli() + " score" + key() + "--recode 9=1 " + tmp("rc_nine.csv"), "rc_nine_ok").status == 0);
    // Malformed --recode.
    for (const char* bad : {"8", "8=", "=1", "8=x", "8=1,,9=2", "8=1=2"}) {
        CAPTURE(bad);
        const auto r = run(cli() + " score" + key() + "--recode '" + bad + "' " + tmp("rc_in.csv"), "rc_bad");
        CHECK(r.status == 2);
        CHECK_MESSAGE(r.err.find("--recode takes FROM=TO pairs of numbers") != std::string::npos, r.err);
    }
    const auto twice = run(cli() + " score" + key() + "--recode 8=1,8=2 " + tmp("rc_in.csv"), "rc_twice");
    CHECK(twice.status == 2);
    CHECK_MESSAGE(twice.err.find("--recode gives the answer 8 twice") != std::string::npos, twice.err);
}

TEST_CASE("--exclude keeps the rows with status excluded and leaves them out of the report") {
    const std::string out = tmp("q_excl.csv"), report = tmp("q_excl.json");
    const auto r = run(cli() + " score" + key() + recode_values +
                           "--exclude DistributionChannel=preview --exclude Finished=0 --output " + out + " --report " +
                           report + " " + data("qualtrics_current.csv"),
                       "q_excl");
    REQUIRE_MESSAGE(r.status == 0, r.err);
    const auto summary = run(cli() + " score --summary" + key() + recode_values +
                                 "--exclude DistributionChannel=preview --exclude Finished=0 --output " +
                                 tmp("q_excl_summary.csv") + " " + data("qualtrics_current.csv"),
                             "q_excl_summary");
    REQUIRE_MESSAGE(summary.status == 0, summary.err);
    CHECK_MESSAGE(
        summary.err.find("matched by --exclude: DistributionChannel=preview 2, Finished=0 2\n") != std::string::npos,
        summary.err);
    check_against(slurp(out), "qualtrics_excluded.expected.csv");
    const auto j = nlohmann::json::parse(slurp(report));
    CHECK(j["rows"] == 12);  // every row read
    CHECK(j["row_status"]["excluded"] == 4);
    REQUIRE(j["exclude"].size() == 2);
    CHECK(j["exclude"][0]["column"] == "DistributionChannel");
    CHECK(j["exclude"][0]["value"] == "preview");
    CHECK(j["exclude"][0]["rows"] == 2);
    CHECK(j["exclude"][1]["column"] == "Finished");
    CHECK(j["exclude"][1]["rows"] == 2);
    const auto expected = read_simple_csv(slurp(data("qualtrics_excluded.report.csv")));
    REQUIRE(j["subscales"].size() == 2);
    for (std::size_t s = 0; s < 2; ++s) {
        const auto& sub = j["subscales"][s];
        CAPTURE(s);
        CHECK(sub["name"] == expected[s + 1][0]);
        CHECK(sub["n"] == std::stoul(expected[s + 1][1]));
        CHECK(close(sub["mean"].get<double>(), std::stod(expected[s + 1][2]), 1e-12));
        CHECK(close(sub["sd"].get<double>(), std::stod(expected[s + 1][3]), 1e-12));
        // Status counts of the 8 rows not excluded.
        CHECK(sub["complete"].get<int>() + sub["prorated"].get<int>() + sub["insufficient"].get<int>() == 8);
    }
    // Without --exclude the same file's report counts all 12.
    const auto all = run(cli() + " score" + key() + recode_values + "--output " + tmp("q_all.csv") + " --report " +
                             tmp("q_all.json") + " " + data("qualtrics_current.csv"),
                         "q_all");
    REQUIRE_MESSAGE(all.status == 0, all.err);
    const auto ja = nlohmann::json::parse(slurp(tmp("q_all.json")));
    CHECK(ja["subscales"][0]["n"] == 11);  // row 6's anxiety is missing
    CHECK(ja.find("exclude") == ja.end());
    // The excluded rows' reliability: alpha of the 8 kept rows equals that of a file of them alone.
    std::string kept = "id,Q1,Q2,Q3,Q4,Q5,Q6\n";
    const auto plain = read_simple_csv(slurp(data("qualtrics_plain.csv")));
    for (std::size_t i = 1; i < plain.size(); ++i)
        if (i != 4 && i != 6 && i != 8 && i != 10) {
            std::string line;
            for (std::size_t c = 0; c < plain[i].size(); ++c) line += (c ? "," : "") + plain[i][c];
            kept += line + "\n";
        }
    write_file(tmp("q_kept.csv"), kept);
    const auto kept_run = run(cli() + " score" + key() + "--output " + tmp("q_kept_out.csv") + " --report " +
                                  tmp("q_kept.json") + " " + tmp("q_kept.csv"),
                              "q_kept");
    REQUIRE_MESSAGE(kept_run.status == 0, kept_run.err);
    const auto jk = nlohmann::json::parse(slurp(tmp("q_kept.json")));
    CHECK(jk["subscales"] == j["subscales"]);

    // A rule fitted to the sample is fitted without the excluded rows: the medians, and the
    // kept rows' categories, of the file of the kept rows alone.
    auto classify = [&](const std::string& options, const std::string& file, const std::string& tag) {
        const auto c = run(cli() + " score --classify median" + key() + options + "--output " + tmp(tag + ".csv") +
                               " --report " + tmp(tag + ".json") + " " + file,
                           tag);
        REQUIRE_MESSAGE(c.status == 0, c.err);
        return std::make_pair(read_simple_csv(slurp(tmp(tag + ".csv"))),
                              nlohmann::json::parse(slurp(tmp(tag + ".json"))));
    };
    const auto [excl_rows, excl_rep] =
        classify(recode_values + "--exclude DistributionChannel=preview --exclude Finished=0 ",
                 data("qualtrics_current.csv"), "qc_excl");
    const auto [kept_rows, kept_rep] = classify("", tmp("q_kept.csv"), "qc_kept");
    const auto [all_rows, all_rep] = classify(recode_values, data("qualtrics_current.csv"), "qc_all");
    CHECK(excl_rep["classification"]["cuts"] == kept_rep["classification"]["cuts"]);
    CHECK(excl_rep["classification"]["counts"] == kept_rep["classification"]["counts"]);
    CHECK(excl_rep["classification"]["cuts"] != all_rep["classification"]["cuts"]);  // the test can tell
    REQUIRE(excl_rows.size() == 13);
    REQUIRE(kept_rows.size() == 9);
    std::size_t k = 1;
    for (std::size_t i = 1; i < excl_rows.size(); ++i) {
        if (excl_rows[i][5] == "excluded") continue;
        CAPTURE(i);
        CHECK(excl_rows[i][6] == kept_rows[k][6]);  // category
        ++k;
    }
    CHECK(k == 9);

    // Screening: the rows --exclude matches are out of the sample statistics and the alphas.
    auto screened = [&](const std::string& options, const std::string& file, const std::string& tag) {
        const auto c = run(cli() + " score --screen" + key() + options + "--output " + tmp(tag + ".csv") +
                               " --report " + tmp(tag + ".json") + " " + file,
                           tag);
        REQUIRE_MESSAGE(c.status == 0, c.err);
        return nlohmann::json::parse(slurp(tmp(tag + ".json")))["screening"];
    };
    const auto screen_excl = screened(recode_values + "--exclude DistributionChannel=preview --exclude Finished=0 ",
                                      data("qualtrics_current.csv"), "qs_excl");
    const auto screen_kept = screened("", tmp("q_kept.csv"), "qs_kept");
    CHECK(screen_excl["alpha"] == screen_kept["alpha"]);
    CHECK(screen_excl["complete_rows"] == screen_kept["complete_rows"]);
    CHECK(screen_excl["alpha"][0]["n_all"] == 8);
}

TEST_CASE("--exclude mistakes are named") {
    const auto malformed =
        run(cli() + " score" + key() + "--exclude Finished " + data("qualtrics_plain.csv"), "qe_bad");
    CHECK(malformed.status == 2);
    CHECK_MESSAGE(malformed.err.find("--exclude takes COLUMN=VALUE") != std::string::npos, malformed.err);
    const auto no_name = run(cli() + " score" + key() + "--exclude =0 " + data("qualtrics_plain.csv"), "qe_noname");
    CHECK(no_name.status == 2);
    const auto unknown =
        run(cli() + " score" + key() + "--exclude Progress=100 " + data("qualtrics_plain.csv"), "qe_unknown");
    CHECK(unknown.status == 2);
    CHECK_MESSAGE(unknown.err.find("has no column 'Progress'") != std::string::npos, unknown.err);
}

namespace {

// A plain CSV file (no quotes) as a current Qualtrics export: the same header, a row of
// question texts, a row of ImportIds, and the answers in the columns from `first_item` on
// written as Qualtrics' recode values (x + 7).
std::string as_current_export(const std::string& plain, std::size_t first_item) {
    const auto rows = read_simple_csv(plain);
    std::string out;
    auto line = [&](const std::vector<std::string>& cells) {
        for (std::size_t c = 0; c < cells.size(); ++c) out += (c ? ",\"" : "\"") + cells[c] + "\"";
        out += "\r\n";
    };
    line(rows[0]);
    std::vector<std::string> texts, ids;
    for (const std::string& name : rows[0]) {
        texts.push_back("Question " + name + ", with a comma");
        ids.push_back("{\"\"ImportId\"\":\"\"" + name + "\"\"}");
    }
    line(texts);
    line(ids);
    for (std::size_t r = 1; r < rows.size(); ++r) {
        std::vector<std::string> cells = rows[r];
        for (std::size_t c = first_item; c < cells.size(); ++c)
            if (!cells[c].empty() && cells[c] != "NA" && cells[c] != ".")
                cells[c] = std::to_string(std::stoi(cells[c]) + 7);
        line(cells);
    }
    return out;
}

const std::string seven_recode = " --recode 8=1,9=2,10=3,11=4,12=5,13=6,14=7 ";

}  // namespace

TEST_CASE("dyads and change read Qualtrics exports and --recode as score does") {
    write_file(tmp("q_couples.csv"), as_current_export(slurp(data("couples_small.csv")), 2));
    const std::string dyads = " dyads --instrument ecr-s --items Q1:Q12 --dyad couple --output ";
    const auto plain = run(cli() + dyads + tmp("qd_plain.csv") + " " + data("couples_small.csv"), "qd_plain");
    const auto qualtrics = run(cli() + dyads + tmp("qd_q.csv") + seven_recode + tmp("q_couples.csv"), "qd_q");
    REQUIRE(plain.status == 0);
    REQUIRE_MESSAGE(qualtrics.status == 0, qualtrics.err);
    CHECK(slurp(tmp("qd_q.csv")) == slurp(tmp("qd_plain.csv")));
    CHECK(slurp(tmp("qd_q.csv")).size() > 100);
    // Messages name the export's own lines: two more than in the plain file (line 10 there).
    CHECK_MESSAGE(qualtrics.err.find("partner 1 (line 12)") != std::string::npos, qualtrics.err);

    write_file(tmp("q_waves.csv"), as_current_export(slurp(data("waves_small.csv")), 2));
    const std::string change =
        " change --instrument ecr-s --items Q1:Q12 --id id --wave wave --pre pre --post post --output ";
    const auto pre_post = run(cli() + change + tmp("qc_plain.csv") + " " + data("waves_small.csv"), "qch_plain");
    const auto q_waves = run(cli() + change + tmp("qc_q.csv") + seven_recode + tmp("q_waves.csv"), "qch_q");
    REQUIRE(pre_post.status == 0);
    REQUIRE_MESSAGE(q_waves.status == 0, q_waves.err);
    CHECK(slurp(tmp("qc_q.csv")) == slurp(tmp("qc_plain.csv")));
    CHECK(slurp(tmp("qc_q.csv")).size() > 100);
}
