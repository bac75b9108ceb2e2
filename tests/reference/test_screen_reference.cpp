// Careless-responding screening against base R written from the definitions
// (tests/reference/screen_reference.R), run at test time:
//   synthetic INSTRUMENT MIN MAX ITEMS  answers written by make_screen_fixture.R with planted
//                                       careless rows; `bowlby screen` and `bowlby score --screen`
//                                       must agree with R on every index, to 1e-9 relative to
//                                       max(1, |value|), and for the ECR (whose defaults were
//                                       chosen on the real data) the planted rows must be
//                                       exactly the flagged ones
//   real                                the real ECR file (skips, exit 77, where it is absent)
// Exits 77 (skipped) without Rscript.
#include "../support/test_support.hpp"

#include <cstdio>
#include <iostream>
#include <map>
#include <set>

namespace {
using namespace test_support;

// Every column of R's output compared with the same column of the tool's; the number of
// mismatches (printed).
int compare(const std::string& ours_path, const std::string& theirs_path, std::size_t& compared) {
    const auto ours = read_simple_csv(slurp(ours_path));
    const auto theirs = read_simple_csv(slurp(theirs_path));
    if (ours.size() != theirs.size() || ours.empty()) {
        std::cout << "FAILED: " << ours.size() << " lines from bowlby, " << theirs.size() << " from R\n";
        return 1;
    }
    std::map<std::string, std::size_t> at;
    for (std::size_t c = 0; c < ours[0].size(); ++c) at[ours[0][c]] = c;
    int bad = 0;
    double worst = 0;
    for (std::size_t c = 0; c < theirs[0].size(); ++c) {
        const std::string& name = theirs[0][c];
        if (!at.count(name)) {
            std::cout << "FAILED: bowlby has no column " << name << "\n";
            return 1;
        }
        for (std::size_t r = 1; r < theirs.size(); ++r) {
            const std::string& a = ours[r][at[name]];
            const std::string& b = theirs[r][c];
            const bool same = a.empty() || b.empty() ? a.empty() == b.empty() : close(std::stod(a), std::stod(b), 1e-9);
            if (!a.empty() && !b.empty())
                worst = std::max(worst, std::abs(std::stod(a) - std::stod(b)) / std::max(1.0, std::abs(std::stod(b))));
            compared += !a.empty();
            if (!same && ++bad <= 8)
                std::cout << "row " << r << ", " << name << ": bowlby '" << a << "', R '" << b << "'\n";
        }
    }
    std::cout << ours_path << ": " << compared << " defined cells compared with R, largest relative difference "
              << worst << ", " << bad << " mismatches\n";
    return bad == 0 ? 0 : 1;
}

// The rows that raised a flag against the rows planted (the fixture's last column).
int planted_are_flagged(const std::string& fixture, const std::string& screened) {
    const auto in = read_simple_csv(slurp(fixture));
    const auto out = read_simple_csv(slurp(screened));
    std::set<std::size_t> planted, flagged;
    for (std::size_t r = 1; r < in.size(); ++r)
        if (!in[r].back().empty()) planted.insert(r);
    for (std::size_t r = 1; r < out.size(); ++r)
        if (out[r].back() != "0") flagged.insert(r);
    std::cout << planted.size() << " planted careless rows, " << flagged.size() << " rows flagged\n";
    if (planted == flagged && planted.size() == 30) return 0;
    for (std::size_t r : planted)
        if (!flagged.count(r)) std::cout << "FAILED: planted row " << r << " (" << in[r].back() << ") not flagged\n";
    for (std::size_t r : flagged)
        if (!planted.count(r))
            std::cout << "FAILED: attentive row " << r << " flagged: " << out[r][out[r].size() - 2] << "\n";
    return 1;
}

int synthetic(const std::string& id, const std::string& lo, const std::string& hi, const std::string& items) {
    const std::string dir = std::string(BOWLBY_SOURCE_DIR) + "/tests/reference/";
    const std::string fixture = tmp("screen_" + id + ".csv");
    if (run("Rscript " + dir + "make_screen_fixture.R " + fixture + " " + id + " " + lo + " " + hi + " 2000 10 26",
            "screen_fixture_" + id)
            .status != 0) {
        std::cout << "FAILED: make_screen_fixture.R\n";
        return 1;
    }
    const std::string expected = tmp("screen_" + id + ".r.csv");
    const auto rr = run("Rscript " + dir + "screen_reference.R " + fixture + " " + expected + " " + id + " Q1 " + lo +
                            " " + hi + " none duration 0.4 -0.4",
                        "screen_r_" + id);
    if (rr.status != 0) {
        std::cout << "FAILED: screen_reference.R exited " << rr.status << ": " << rr.err;
        return 1;
    }
    const std::string common = " --instrument " + id + " --items Q1:" + items + " --scale " + lo + ":" + hi +
                               " --duration duration --syn-r 0.4 --ant-r -0.4 ";
    int failed = 0;
    for (const std::string& command : {std::string("screen"), std::string("score --screen")}) {
        const std::string out = tmp("screen_" + id + (command == "screen" ? ".screen.csv" : ".score.csv"));
        const auto r = run(cli() + " " + command + common + "--output " + out + " " + fixture, "screen_run_" + id);
        if (r.status != 0) {
            std::cout << "FAILED: bowlby " << command << " exited " << r.status << ": " << r.err;
            return 1;
        }
        std::size_t compared = 0;
        failed |= compare(out, expected, compared);
        failed |= compared < 10000;  // the indices of 2,030 rows, not a handful
    }
    // The ECR's defaults were chosen on the real ECR data: on the ECR the planted rows must be
    // the flagged ones (with the default pair thresholds).
    if (id == "ecr") {
        const std::string out = tmp("screen_ecr.defaults.csv");
        const auto r = run(cli() + " screen --instrument ecr --items Q1:Q36 --scale 1:5 --duration duration --output " +
                               out + " " + fixture,
                           "screen_run_defaults");
        failed |= r.status != 0 || planted_are_flagged(fixture, out);
    }
    return failed;
}

int real() {
    const std::string data_path = BOWLBY_ECR_DATA;
    if (!exists(data_path)) {
        std::cout << "SKIPPED: the real ECR data is not at " << data_path << "\n";
        return 77;
    }
    const std::string out = tmp("screen_real.csv"), expected = tmp("screen_real.r.csv");
    const auto r = run(cli() + " screen --instrument ecr --items Q1:Q36 --scale 1:5 --missing-code 0 --output " + out +
                           " " + data_path,
                       "screen_real");
    if (r.status != 0) {
        std::cout << "FAILED: bowlby screen exited " << r.status << ": " << r.err;
        return 1;
    }
    const auto rr = run("Rscript " + std::string(BOWLBY_SOURCE_DIR) + "/tests/reference/screen_reference.R " +
                            data_path + " " + expected + " ecr Q1 1 5 0 none 0.6 -0.6",
                        "screen_real_r");
    if (rr.status != 0) {
        std::cout << "FAILED: screen_reference.R exited " << rr.status << ": " << rr.err;
        return 1;
    }
    std::size_t compared = 0;
    return compare(out, expected, compared) | (compared < 400000);
}

}  // namespace

int main(int argc, char** argv) {
    if (std::system("Rscript --version > /dev/null 2>&1") != 0) {
        std::cout << "SKIPPED: Rscript is not installed (scripts/install-deps.sh installs it)\n";
        return 77;
    }
    const std::string what = argc > 1 ? argv[1] : "";
    if (what == "real") return real();
    if (what == "synthetic" && argc == 6) return synthetic(argv[2], argv[3], argv[4], argv[5]);
    std::cout << "usage: bowlby_test_screen_reference synthetic ID MIN MAX LAST_ITEM | real\n";
    return 2;
}
