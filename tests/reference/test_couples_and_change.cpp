// `bowlby dyads` and `bowlby change` against base R (tests/reference/couples_and_change.R):
// R writes synthetic couples and two waves with planted structure and computes every column
// and statistic from the formulas; bowlby runs on the same files; numbers must agree to 1e-9,
// text exactly. Exit 77 (skipped, visibly) without Rscript.
#include "../support/test_support.hpp"

#include <nlohmann/json.hpp>

#include <iostream>
#include <map>
#include <string>
#include <vector>

using namespace test_support;
using nlohmann::json;

namespace {

int failures = 0;
std::size_t compared = 0;

void fail(const std::string& what) {
    if (++failures <= 30) std::cout << "MISMATCH " << what << "\n";
}

bool is_number(const std::string& s, double& v) {
    char* end = nullptr;
    v = std::strtod(s.c_str(), &end);
    return !s.empty() && end == s.c_str() + s.size();
}

void same_cell(const std::string& where, const std::string& ours, const std::string& theirs) {
    double a = 0, b = 0;
    ++compared;
    if (is_number(theirs, b)) {
        if (!is_number(ours, a) || std::abs(a - b) > 1e-9) fail(where + ": bowlby '" + ours + "', R '" + theirs + "'");
    } else if (ours != theirs) {
        fail(where + ": bowlby '" + ours + "', R '" + theirs + "'");
    }
}

void same_number(const std::string& where, const json& ours, const std::string& theirs) {
    same_cell(where, ours.is_null() ? std::string() : ours.dump(), theirs);
}

// Every column of R's file, by name, against bowlby's column of that name, row by row.
void compare_csv(const std::string& tag, const std::string& ours_path, const std::string& theirs_path) {
    const auto ours = read_simple_csv(slurp(ours_path));
    const auto theirs = read_simple_csv(slurp(theirs_path));
    if (ours.size() != theirs.size() || theirs.size() < 2) {
        fail(tag + ": " + std::to_string(ours.size()) + " lines from bowlby, " + std::to_string(theirs.size()) +
             " from R");
        return;
    }
    for (std::size_t c = 0; c < theirs[0].size(); ++c) {
        std::size_t oc = 0;
        while (oc < ours[0].size() && ours[0][oc] != theirs[0][c]) ++oc;
        if (oc == ours[0].size()) {
            fail(tag + ": no column " + theirs[0][c]);
            continue;
        }
        for (std::size_t r = 1; r < theirs.size(); ++r)
            same_cell(tag + " line " + std::to_string(r + 1) + " " + theirs[0][c], ours[r][oc], theirs[r][c]);
    }
}

int run_ok(const std::string& args, const std::string& tag) {
    const auto r = run(cli() + " " + args, tag);
    if (r.status != 0) fail(tag + ": bowlby exited " + std::to_string(r.status) + ": " + r.err);
    return r.status;
}

void check_dyads(const std::string& dir, const std::string& tag, const std::string& extra) {
    const std::string out = tmp("cc_" + tag + ".csv"), rep = tmp("cc_" + tag + ".json");
    if (run_ok("dyads --instrument ecr-s --items Q1:Q12 --dyad dyad --classify midpoint " + extra + " --output " + out +
                   " --report " + rep + " " + dir + "/couples.csv",
               "cc_" + tag) != 0)
        return;
    compare_csv(tag + " wide", out, dir + "/dyads_" + tag + "_wide.csv");
    const json j = json::parse(slurp(rep));
    for (const auto& e : read_simple_csv(slurp(dir + "/dyads_" + tag + "_stats.csv"))) {
        if (e[0] == "kind") continue;
        bool found = false;
        for (const json& c : j[e[0]])
            if (c["x"] == e[1] && c["y"] == e[2]) {
                found = true;
                same_number(tag + " " + e[0] + " " + e[1] + "," + e[2] + " r", c["r"], e[3]);
                if (!e[4].empty()) same_number(tag + " " + e[0] + " " + e[1] + " z", c["z"], e[4]);
                same_number(tag + " " + e[0] + " " + e[1] + "," + e[2] + " n", c["n"], e[5]);
            }
        if (!found) fail(tag + ": the report has no " + e[0] + " of " + e[1] + " with " + e[2]);
    }
    std::size_t i = 0;
    const auto unpaired = read_simple_csv(slurp(dir + "/dyads_" + tag + "_unpaired.csv"));
    if (j["unpaired"].size() + 1 != unpaired.size()) fail(tag + ": unpaired count");
    for (const json& u : j["unpaired"]) {
        if (++i >= unpaired.size()) break;
        same_cell(tag + " unpaired dyad", u["dyad"].get<std::string>(), unpaired[i][0]);
        same_number(tag + " unpaired rows", u["rows"], unpaired[i][1]);
        same_cell(tag + " unpaired reason", u["reason"].get<std::string>(), unpaired[i][2]);
    }
    for (const auto& e : read_simple_csv(slurp(dir + "/dyads_" + tag + "_pairings.csv")))
        if (e[0] != "pairing") same_number(tag + " pairing " + e[0], j["pairings"][e[0]], e[1]);
}

void check_change(const std::string& dir, const std::string& tag, const std::string& input) {
    const std::string out = tmp("cc_" + tag + ".csv"), rep = tmp("cc_" + tag + ".json");
    if (run_ok("change --instrument ecr-s --items Q1:Q12 --id id --classify midpoint --functional 3:1.1,2.5:1 " +
                   input + " --output " + out + " --report " + rep,
               "cc_" + tag) != 0)
        return;
    compare_csv(tag, out, dir + "/change_expected.csv");
    const json j = json::parse(slurp(rep));
    for (const auto& e : read_simple_csv(slurp(dir + "/change_expected_scores.csv"))) {
        if (e[0] == "name") continue;
        for (const json& s : j["scores"]) {
            if (s["name"] != e[0]) continue;
            const char* fields[] = {"pre_n",       "pre_mean",  "sd",        "reliability", "s_diff",
                                    "criterion_c", "increased", "decreased", "none",        "missing"};
            for (std::size_t f = 0; f < 10; ++f)
                same_number(tag + " " + e[0] + " " + fields[f], s[fields[f]], e[f + 1]);
        }
    }
    for (const auto& e : read_simple_csv(slurp(dir + "/change_expected_transitions.csv")))
        if (e[0] != "pre") same_number(tag + " transition " + e[0] + " -> " + e[1], j["transitions"][e[0]][e[1]], e[2]);
    for (const auto& e : read_simple_csv(slurp(dir + "/change_expected_joint.csv")))
        if (e[0] != "joint") same_number(tag + " joint " + e[0], j["joint"][e[0]], e[1]);
    if (j["paired"] != 79 || j["unmatched"].size() != 3) fail(tag + ": paired/unmatched counts " + j["paired"].dump());
}

}  // namespace

int main() {
    if (std::system("Rscript --version > /dev/null 2>&1") != 0) {
        std::cout << "SKIPPED: Rscript is not installed (scripts/install-deps.sh installs it)\n";
        return 77;
    }
    const std::string dir = tmp("couples_and_change");
    const auto r = run("Rscript " + std::string(BOWLBY_SOURCE_DIR) + "/tests/reference/couples_and_change.R " + dir,
                       "couples_and_change_r");
    if (r.status != 0) {
        std::cout << "FAILED: Rscript exited " << r.status << ": " << r.err;
        return 1;
    }
    check_dyads(dir, "plain", "");
    check_dyads(dir, "role", "--distinguish role");
    const std::string pw = tmp("cc_pairwise.csv");
    if (run_ok("dyads --instrument ecr-s --items Q1:Q12 --dyad dyad --classify midpoint --layout pairwise --output " +
                   pw + " " + dir + "/couples.csv",
               "cc_pairwise") == 0)
        compare_csv("pairwise", pw, dir + "/dyads_plain_pairwise.csv");
    check_change(dir, "change_one_file", "--wave wave --pre t1 --post t2 " + dir + "/waves.csv");
    check_change(dir, "change_two_files",
                 "--pre-file " + dir + "/waves_pre.csv --post-file " + dir + "/waves_post.csv");
    const std::string given = tmp("cc_given.csv");
    if (run_ok("change --instrument ecr-s --items Q1:Q12 --id id --reliability 0.8:0.85 --sd 1.2:1.1 --wave wave --pre "
               "t1 --post t2 --output " +
                   given + " " + dir + "/waves.csv",
               "cc_given") == 0)
        compare_csv("given", given, dir + "/change_expected_given.csv");
    // The AAS: close_depend's reliability is the alpha of its twelve items; the joint test
    // takes anxiety and close_depend.
    const std::string aas = tmp("cc_aas.csv");
    if (run_ok("change --instrument aas --items Q1:Q18 --id id --wave wave --pre pre --post post --output " + aas +
                   " " + dir + "/aas_waves.csv",
               "cc_aas") == 0)
        compare_csv("aas", aas, dir + "/aas_change_expected.csv");
    std::cout << compared << " values compared with base R, " << failures << " mismatches\n";
    return failures == 0 && compared > 1500 ? 0 : 1;
}
