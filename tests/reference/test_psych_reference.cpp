// Reliability against R's psych on data that cannot be committed here, at test time:
//   bowlby_test_psych_reference bfi    psychTools' bfi (exported by tests/reference/export_bfi.R)
//                                      against tests/data/reliability_expected.csv
//   bowlby_test_psych_reference ecr    the real ECR data in ../shared against psych run now
//                                      (tests/reference/real_ecr_psych.R)
// Exit 77 (CTest: skipped) with a message when R, its packages or the data are absent.
#include "../support/reliability_compare.hpp"

#include <bowlby/csv.hpp>
#include <bowlby/reliability.hpp>

#include <iostream>
#include <sstream>

using namespace test_support;

namespace {

int report(const comparison& c, const std::string& what) {
    for (const auto& f : c.failures) std::cout << "MISMATCH " << f << "\n";
    std::cout << what << ": " << c.compared - c.failures.size() << " of " << c.expected
              << " values agree with the reference (psych)\n";
    return c.failures.empty() && c.compared == c.expected && c.expected > 0 ? 0 : 1;
}

int bfi() {
    if (std::system("Rscript -e 'suppressMessages({library(psych); library(psychTools)})' > /dev/null 2>&1") != 0) {
        std::cout << "SKIPPED: R with psych and psychTools is not installed (scripts/install-deps.sh installs them)\n";
        return 77;
    }
    const std::string csv = tmp("bfi.csv");
    if (run("Rscript " + std::string(BOWLBY_SOURCE_DIR) + "/tests/reference/export_bfi.R " + csv, "export_bfi")
            .status != 0) {
        std::cout << "FAILED: exporting bfi\n";
        return 1;
    }
    const auto fixture = read_psych_fixture(slurp(data("reliability_expected.csv")));
    int failed = 0;
    const struct {
        const char* dataset;
        const char* options;
    } sets[] = {{"bfi_agree", "--items A1:A5 --reverse A1 --scale 1:6"},
                {"bfi_consc", "--items C1:C5 --reverse C4,C5 --scale 1:6"},
                {"bfi_neuro", "--items N1:N5 --scale 1:6"}};
    for (const auto& s : sets)
        for (std::string method : {"pairwise", "listwise"}) {
            const auto r =
                run(cli() + " reliability --json " + s.options + (method == "listwise" ? " --listwise " : " ") + csv,
                    std::string("bfi_") + s.dataset + method);
            if (r.status != 0) {
                std::cout << "FAILED: bowlby reliability: " << r.err;
                return 1;
            }
            const auto j = nlohmann::json::parse(r.out);
            failed |= report(compare_with_psych(j["scales"][0], fixture, s.dataset, method),
                             std::string(s.dataset) + "/" + method);
        }

    // Two scales of one questionnaire: their correlation and its correction for attenuation
    // (psych::scoreItems), through the library.
    bowlby::questionnaire q("bfi10", 10, {1, 6, true});
    q.add_subscale("agree", {1, 2, 3, 4, 5}, {1}).add_subscale("consc", {6, 7, 8, 9, 10}, {9, 10});
    std::istringstream in(slurp(csv));
    bowlby::csv::reader reader(in);
    std::vector<std::string> f;
    reader.next(f);
    std::vector<double> v;
    Eigen::Index rows = 0;
    while (reader.next(f)) {
        for (std::size_t c = 1; c <= 10; ++c) {
            double x = std::nan("");
            bowlby::csv::parse_answer(f[c], x);
            v.push_back(x);
        }
        ++rows;
    }
    bowlby::instrument_accumulator acc(q.view());
    acc.add(Eigen::Map<Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(v.data(), rows, 10));
    const auto scales = bowlby::reliability(acc);
    const auto cor = bowlby::intercorrelations(acc, scales);
    comparison c;
    for (const auto& p : fixture) {
        if (p.dataset != "bfi_two_scales") continue;
        ++c.expected;
        double got = std::nan("");
        if (p.field == "r") got = cor.r(0, 1);
        if (p.field == "corrected") got = cor.corrected(0, 1);
        if (p.field == "raw_alpha") got = scales[p.item == "agree" ? 0 : 1].alpha.raw_alpha;
        ++c.compared;
        if (!close(got, p.value, 1e-9))
            c.failures.push_back("bfi_two_scales " + p.field + " " + p.item + ": bowlby " + std::to_string(got) +
                                 ", psych " + std::to_string(p.value));
    }
    failed |= report(c, "bfi_two_scales (scoreItems cor and corrected)");
    return failed;
}

int ecr() {
    const std::string data_path = BOWLBY_ECR_DATA;
    if (!exists(data_path)) {
        std::cout << "SKIPPED: the real ECR data is not at " << data_path << "\n";
        return 77;
    }
    if (std::system("Rscript -e 'suppressMessages({library(psych); library(GPArotation)})' > /dev/null 2>&1") != 0) {
        std::cout << "SKIPPED: R with psych and GPArotation is not installed (scripts/install-deps.sh installs them)\n";
        return 77;
    }
    const std::string expected = tmp("real_ecr_psych.csv");
    if (run("Rscript " + std::string(BOWLBY_SOURCE_DIR) + "/tests/reference/real_ecr_psych.R " + data_path + " " +
                expected,
            "real_ecr_psych")
            .status != 0) {
        std::cout << "FAILED: running psych on the real data\n";
        return 1;
    }
    const auto r =
        run(cli() + " reliability --json --instrument ecr --items Q1:Q36 --scale 1:5 --missing-code 0 " + data_path,
            "real_ecr_bowlby");
    if (r.status != 0) {
        std::cout << "FAILED: bowlby reliability: " << r.err;
        return 1;
    }
    const auto j = nlohmann::json::parse(r.out);
    const auto fixture = read_psych_fixture(slurp(expected));
    int failed = 0;
    // Split halves of 18 items are sampled (24,310 splits) by both psych and bowlby, each with
    // its own random numbers, so they are not compared; everything else is.
    failed |= report(compare_with_psych(j["scales"][0], fixture, "ecr_anxiety", "pairwise"), "real ECR anxiety");
    failed |= report(compare_with_psych(j["scales"][1], fixture, "ecr_avoidance", "pairwise"), "real ECR avoidance");
    // The same statistics in the report of `bowlby score`, from its single pass.
    const std::string report_path = tmp("real_ecr_report.json");
    const auto s = run(cli() + " score --instrument ecr --items Q1:Q36 --scale 1:5 --missing-code 0 --output " +
                           tmp("real_ecr_scores.csv") + " --report " + report_path + " " + data_path,
                       "real_ecr_score");
    if (s.status != 0) {
        std::cout << "FAILED: bowlby score: " << s.err;
        return 1;
    }
    const auto rep = nlohmann::json::parse(slurp(report_path));
    failed |= report(compare_with_psych(rep["subscales"][0]["reliability"], fixture, "ecr_anxiety", "pairwise"),
                     "real ECR anxiety, bowlby score --report");
    failed |= report(compare_with_psych(rep["subscales"][1]["reliability"], fixture, "ecr_avoidance", "pairwise"),
                     "real ECR avoidance, bowlby score --report");
    return failed;
}

}  // namespace

int main(int argc, char** argv) {
    const std::string what = argc > 1 ? argv[1] : "";
    if (what == "bfi") return bfi();
    if (what == "ecr") return ecr();
    std::cout << "usage: bowlby_test_psych_reference bfi|ecr\n";
    return 2;
}
