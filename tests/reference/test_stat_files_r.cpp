// SPSS and Stata files written by haven at test time (tests/reference/make_stat_fixtures.R: user-
// missing codes and ranges, Stata's . .a .z) scored by bowlby against base R's scores written by
// the same script, and bowlby's .sav output read back by haven (tests/reference/check_sav_output.R).
// Exit 77 (skipped) without Rscript and haven, or when bowlby was built without ReadStat.
#include "../support/test_support.hpp"

#include <cstdlib>
#include <iostream>
#include <string>

using namespace test_support;

namespace {

int failures = 0;

void expect(bool ok, const std::string& what, const std::string& detail = "") {
    std::cout << (ok ? "ok: " : "FAILED: ") << what << (ok || detail.empty() ? "" : ": " + detail) << "\n";
    if (!ok) ++failures;
}

// Every cell of `ours` equal to `theirs`, numbers to 1e-12.
bool same_table(const std::string& ours_text, const std::string& theirs_text, std::string& why) {
    const auto ours = read_simple_csv(ours_text), theirs = read_simple_csv(theirs_text);
    if (ours.size() != theirs.size()) {
        why = std::to_string(ours.size()) + " records, R " + std::to_string(theirs.size());
        return false;
    }
    for (std::size_t r = 0; r < ours.size(); ++r) {
        if (ours[r].size() != theirs[r].size()) {
            why = "record " + std::to_string(r) + " has another length";
            return false;
        }
        for (std::size_t c = 0; c < ours[r].size(); ++c) {
            const std::string &a = ours[r][c], &e = theirs[r][c];
            const bool number = r > 0 && !e.empty() && e.find_first_not_of("0123456789.-e") == std::string::npos;
            if (number ? !(a.size() > 0 && close(std::stod(a), std::stod(e), 1e-12)) : a != e) {
                why = "record " + std::to_string(r) + ", cell " + std::to_string(c) + ": '" + a + "', R '" + e + "'";
                return false;
            }
        }
    }
    return true;
}

}  // namespace

int main() {
#ifndef BOWLBY_CLI_READSTAT
    std::cout << "SKIPPED: bowlby was built without ReadStat (libreadstat-dev)\n";
    return 77;
#else
    if (std::system("Rscript -e 'library(haven)' > /dev/null 2>&1") != 0) {
        std::cout
            << "SKIPPED: Rscript with haven is not installed (scripts/install-deps.sh test installs r-cran-haven)\n";
        return 77;
    }
    const std::string source = BOWLBY_SOURCE_DIR;
    const std::string dir = tmp("haven");
    const auto made = run("Rscript " + source + "/tests/reference/make_stat_fixtures.R " + dir, "haven_make");
    if (made.status != 0) {
        std::cout << "FAILED: make_stat_fixtures.R exited " << made.status << ": " << made.err;
        return 1;
    }
    const std::string items = " score --instrument ecr-r --items Q1:Q36 --keep id ";
    const std::string expected = slurp(dir + "/answers.expected.csv");
    const auto plain = run(cli() + items + dir + "/answers.csv", "haven_plain");
    std::string why;
    expect(plain.status == 0 && same_table(plain.out, expected, why), "answers.csv scores as base R", plain.err + why);
    for (const char* file : {"answers.sav", "answers.zsav", "answers.dta"}) {
        const auto r = run(cli() + items + dir + "/" + file, "haven_file");
        expect(r.status == 0 && same_table(r.out, expected, why), std::string(file) + " scores as base R", r.err + why);
        expect(r.out == plain.out, std::string(file) + " scores as the plain CSV");
    }
    // The .sav output, with an excluded row and a kept string and numeric column.
    const std::string score = " score --instrument ecr-r --items Q1:Q36 --keep id,group --exclude id=P03 ";
    const std::string csv_path = tmp("haven_out.csv"), sav_path = tmp("haven_out.sav");
    const auto csv = run(cli() + score + "--output " + csv_path + " " + dir + "/answers.sav", "haven_csv");
    const auto sav = run(cli() + score + "--output " + sav_path + " " + dir + "/answers.sav", "haven_sav");
    expect(csv.status == 0 && sav.status == 0, "the .sav and CSV outputs are written", csv.err + sav.err);
    const auto check = run("Rscript " + source + "/tests/reference/check_sav_output.R " + sav_path + " " + csv_path +
                               " 'anxiety=ECR-R anxiety: mean of 18 items' 'avoidance_n=ECR-R avoidance: items "
                               "answered' 'status=Scoring status'",
                           "haven_check");
    std::cout << check.out;
    expect(check.status == 0 && slurp(csv_path).find(",excluded\n") != std::string::npos,
           "haven reads the .sav output back as the CSV output", check.out + check.err);
    if (failures > 0) std::cout << failures << " failed\n";
    return failures > 0 ? 1 : 0;
#endif
}
