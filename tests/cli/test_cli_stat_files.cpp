// SPSS (.sav, .zsav) and Stata (.dta) input and SPSS .sav output. The fixtures in
// tests/data/stat and their expected scores (base R) come from tests/reference/make_stat_fixtures.R
// (haven's labelled_spss with na_values and na_range, Stata's . .a .z); every SPSS or Stata
// file is checked against the plain CSV of the same answers. Haven reading bowlby's .sav output
// back is tests/reference/test_stat_files_r.cpp (it needs R).
#include "../../examples/cli/stat_files.hpp"
#include "../support/test_support.hpp"

#include <nlohmann/json.hpp>

#include <doctest/doctest.h>

#include <fstream>
#include <string>
#include <vector>

using namespace test_support;

namespace {

std::string stat(const std::string& name) { return data("stat/" + name); }

const std::string ecr_items = " --instrument ecr-r --items Q1:Q36 ";

void write_file(const std::string& path, const std::string& text) {
    std::ofstream f(path, std::ios::binary);
    f << text;
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

#ifdef BOWLBY_CLI_READSTAT

TEST_CASE("SPSS and Stata files score as the plain CSV of the same answers and as base R") {
    const auto plain = run(cli() + " score" + ecr_items + "--keep id " + stat("answers.csv"), "st_plain");
    REQUIRE_MESSAGE(plain.status == 0, plain.err);
    // The CSV result against base R's scores (to 1e-12).
    const auto actual = read_simple_csv(plain.out);
    const auto expected = read_simple_csv(slurp(stat("answers.expected.csv")));
    REQUIRE(actual.size() == expected.size());
    REQUIRE(actual.size() == 9);
    for (std::size_t r = 0; r < expected.size(); ++r) {
        CAPTURE(r);
        REQUIRE(actual[r].size() == expected[r].size());
        for (std::size_t c = 0; c < expected[r].size(); ++c) {
            const std::string &a = actual[r][c], &e = expected[r][c];
            if (r == 0 || e.empty() || e.find_first_not_of("0123456789.-e") != std::string::npos)
                CHECK(a == e);
            else
                CHECK(close(std::stod(a), std::stod(e), 1e-12));
        }
    }
    // Respondent 4 leaves 12 of the 18 anxiety items out (SPSS codes 8, 9 and system-missing).
    CHECK(actual[4][6] == "insufficient");
    for (const char* file : {"answers.sav", "answers.zsav", "answers.dta"}) {
        CAPTURE(file);
        const auto r = run(cli() + " score" + ecr_items + "--keep id " + stat(file), "st_file");
        REQUIRE_MESSAGE(r.status == 0, r.err);
        CHECK(r.out == plain.out);
        for (const char* threads : {"1", "3"}) {
            const auto t = run(cli() + " score --threads " + threads + ecr_items + "--keep id " + stat(file), "st_thr");
            CHECK(t.out == plain.out);
        }
    }
}

TEST_CASE("an SPSS file goes through reliability and --exclude and --recode as its CSV") {
    const auto without_input = [](std::string json) { return json.erase(0, json.find("\"instrument\"")); };
    const auto rel_csv = run(cli() + " reliability --json" + ecr_items + stat("answers.csv"), "st_rel_csv");
    const auto rel_sav = run(cli() + " reliability --json" + ecr_items + stat("answers.sav"), "st_rel_sav");
    REQUIRE_MESSAGE(rel_csv.status == 0, rel_csv.err);
    REQUIRE_MESSAGE(rel_sav.status == 0, rel_sav.err);
    CHECK(nlohmann::json::parse(rel_sav.out)["rows"] == 8);
    CHECK(without_input(rel_sav.out) == without_input(rel_csv.out));
    // --exclude on a numeric variable (written 2 in the CSV text), --recode on the answers.
    const std::string more = " --exclude group=2 --recode 7=6,1=2 --keep id,group ";
    const auto csv = run(cli() + " score" + ecr_items + more + stat("answers.csv"), "st_more_csv");
    const auto dta = run(cli() + " score" + ecr_items + more + stat("answers.dta"), "st_more_dta");
    REQUIRE_MESSAGE(csv.status == 0, csv.err);
    REQUIRE_MESSAGE(dta.status == 0, dta.err);
    CHECK(dta.out == csv.out);
    CHECK(has(csv.out, "\n2,P02,2,"));
    CHECK(has(csv.out, ",excluded\n"));
}

TEST_CASE("errors in SPSS and Stata files name the file and the variable and the respondent") {
    const auto text_item = run(cli() + " score" + ecr_items + stat("string_item.sav"), "st_string");
    CHECK(text_item.status == 1);
    CHECK_MESSAGE(has(text_item.err,
                      "string_item.sav: the item column Q5 is a string variable of this SPSS file; "
                      "the items must be numeric variables"),
                  text_item.err);
    // Rows are respondents, numbered from 1.
    const auto invalid = run(cli() + " score" + ecr_items + stat("invalid.sav"), "st_invalid");
    CHECK(invalid.status == 1);
    CHECK_MESSAGE(has(invalid.err, "invalid.sav, respondent 3, column Q2: value 12 is outside the response scale 1..7"),
                  invalid.err);
    // A variable not found: the same message as for CSV.
    const auto absent_csv = run(cli() + " score --instrument ecr-r --items Q1:Q37 " + stat("answers.csv"), "st_abs_c");
    const auto absent_sav = run(cli() + " score --instrument ecr-r --items Q1:Q37 " + stat("answers.sav"), "st_abs_s");
    CHECK(absent_sav.status == 2);
    CHECK(absent_csv.status == 2);
    CHECK(has(absent_sav.err, "Q37"));
    CHECK(absent_sav.err == absent_csv.err);
    // A file that is not of its kind.
    write_file(tmp("not_spss.sav"), "id,Q1\n1,2\n");
    const auto damaged = run(cli() + " score" + ecr_items + tmp("not_spss.sav"), "st_damaged");
    CHECK(damaged.status == 1);
    CHECK_MESSAGE(has(damaged.err, "not_spss.sav: cannot be read as an SPSS .sav file (ReadStat: "), damaged.err);
    write_file(tmp("not_stata.dta"), "id,Q1\n1,2\n");
    const auto damaged_dta = run(cli() + " score" + ecr_items + tmp("not_stata.dta"), "st_damaged_dta");
    CHECK(damaged_dta.status == 1);
    CHECK_MESSAGE(has(damaged_dta.err, "not_stata.dta: cannot be read as a Stata .dta file (ReadStat: "),
                  damaged_dta.err);
    const auto absent_file = run(cli() + " score" + ecr_items + tmp("no_such.sav"), "st_nofile");
    CHECK(absent_file.status == 1);
    CHECK_MESSAGE(has(absent_file.err, "cannot open '" + tmp("no_such.sav") + "'"), absent_file.err);
    // CSV's layout flags do not apply.
    const auto delim = run(cli() + " score --delimiter ';'" + ecr_items + stat("answers.sav"), "st_delim");
    CHECK(delim.status == 2);
    CHECK_MESSAGE(has(delim.err, "--delimiter and --decimal-comma are for CSV files; " + stat("answers.sav") +
                                     " is read as an SPSS file"),
                  delim.err);
}

TEST_CASE("the .sav output holds the CSV output with the status as codes 1 to 4") {
    const std::string args = ecr_items + "--keep id,group --exclude id=P08 ";
    const auto csv = run(cli() + " score" + args + stat("answers.sav"), "st_out_csv");
    REQUIRE_MESSAGE(csv.status == 0, csv.err);
    const auto sav = run(cli() + " score" + args + "--output " + tmp("out.sav") + " " + stat("answers.sav"), "st_out");
    REQUIRE_MESSAGE(sav.status == 0, sav.err);
    // Read back through ReadStat: the same header and cells, the status words as their codes.
    const bowlby_cli::stat_table back = bowlby_cli::read_stat_file(tmp("out.sav"), bowlby_cli::file_kind::sav);
    CHECK(back.rows == 8);
    CHECK(back.text == std::vector<bool>{false, true, false, false, false, false, false, false});
    const auto ours = read_simple_csv(csv.out), theirs = read_simple_csv(back.csv);
    REQUIRE(ours.size() == theirs.size());
    const std::vector<std::string> codes = {"", "complete", "prorated", "insufficient", "excluded"};
    for (std::size_t r = 0; r < ours.size(); ++r) {
        CAPTURE(r);
        REQUIRE(ours[r].size() == theirs[r].size());
        for (std::size_t c = 0; c < ours[r].size(); ++c) {
            if (r > 0 && c == 7)
                CHECK(codes.at(std::stoul(theirs[r][c])) == ours[r][c]);
            else
                CHECK(theirs[r][c] == ours[r][c]);
        }
    }
    CHECK(ours[8][7] == "excluded");
    // From CSV input: a kept column of numbers is numeric, one of words (or "007") is text.
    write_file(tmp("kept.csv"), "code,n," +
                                    std::string("Q1,Q2,Q3,Q4,Q5,Q6,Q7,Q8,Q9,Q10,Q11,Q12,Q13,Q14,Q15,Q16,Q17,Q18,") +
                                    "Q19,Q20,Q21,Q22,Q23,Q24,Q25,Q26,Q27,Q28,Q29,Q30,Q31,Q32,Q33,Q34,Q35,Q36\n" +
                                    "007,3,1,2,3,4,5,6,7,1,2,3,4,5,6,7,1,2,3,4,5,6,7,1,2,3,4,5,6,7,1,2,3,4,5,6,7,1\n" +
                                    "8,NA,2,2,3,4,5,6,7,1,2,3,4,5,6,7,1,2,3,4,5,6,7,1,2,3,4,5,6,7,1,2,3,4,5,6,7,1\n");
    const auto kept = run(
        cli() + " score" + ecr_items + "--keep code,n --output " + tmp("kept.sav") + " " + tmp("kept.csv"), "st_kept");
    REQUIRE_MESSAGE(kept.status == 0, kept.err);
    const bowlby_cli::stat_table k = bowlby_cli::read_stat_file(tmp("kept.sav"), bowlby_cli::file_kind::sav);
    REQUIRE(k.text.size() == 8);
    CHECK(k.text[1]);
    CHECK_FALSE(k.text[2]);
    CHECK(has(k.csv, "\n1,007,3,"));
    CHECK(has(k.csv, "\n2,8,,"));
}

TEST_CASE("SPSS output errors are clear") {
    // A kept column whose name SPSS refuses.
    write_file(tmp("badname.csv"), slurp(stat("answers.csv")).replace(0, 2, "my id"));
    const auto bad =
        run(cli() + " score" + ecr_items + "--keep \"my id\" --output " + tmp("badname.sav") + " " + tmp("badname.csv"),
            "st_badname");
    CHECK(bad.status == 1);
    CHECK_MESSAGE(has(bad.err, "cannot write '" + tmp("badname.sav") + "' as an SPSS file: "), bad.err);
    CHECK_MESSAGE(has(bad.err, "the columns are row, my id, anxiety"), bad.err);
    CHECK_FALSE(exists(tmp("badname.sav")));
    // Commands that pair rows write CSV only.
    const auto dyads = run(
        cli() + " dyads" + ecr_items + "--dyad id --output " + tmp("d.sav") + " " + stat("answers.sav"), "st_dyads");
    CHECK(dyads.status == 2);
    CHECK_MESSAGE(has(dyads.err, "bowlby dyads writes CSV; SPSS .sav output is made by bowlby score and bowlby screen"),
                  dyads.err);
}

#else

TEST_CASE("without ReadStat an SPSS file is an error saying so") {
    const auto r = run(cli() + " score" + ecr_items + stat("answers.sav"), "st_none");
    CHECK(r.status == 1);
    CHECK_MESSAGE(has(r.err, "answers.sav: SPSS files need ReadStat, and this bowlby was built without it"), r.err);
    const auto out =
        run(cli() + " score" + ecr_items + "--output " + tmp("o.sav") + " " + stat("answers.csv"), "st_none_out");
    CHECK(out.status == 1);
    CHECK_MESSAGE(has(out.err, "SPSS .sav output files need ReadStat, and this bowlby was built without it"), out.err);
}

#endif
