// `bowlby score --plot` and `bowlby change --plot`: the SVG is well-formed (xmllint) and renders
// in headless Chromium to a PNG, for a small sample (points; arrows) and a large one (density;
// transitions). Exit 77 (skipped) when xmllint or Chromium is not installed.
#include "../support/test_support.hpp"

#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

using namespace test_support;

namespace {

// xmllint and Chromium on one SVG, which must hold every one of `parts`; false on a failure.
bool renders(const std::string& name, const std::string& svg, const std::vector<std::string>& parts) {
    const std::string png = tmp("plot_" + name + ".png");
    std::remove(png.c_str());
    const auto lint = run("xmllint --noout " + svg, "xmllint");
    const std::string text = slurp(svg);
    bool has_parts = true;
    for (const std::string& p : parts) has_parts = has_parts && text.find(p) != std::string::npos;
    const auto shot =
        run("timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
            "--disable-background-networking --disable-component-update --disable-sync --user-data-dir=" +
                tmp("chromium_" + name) + " --window-size=800,640 --screenshot=" + png + " file://" + svg,
            "chromium");
    const std::string image = slurp(png);
    const bool png_ok = image.size() > 10000 && image.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0;
    std::cout << name << ": xmllint " << (lint.status == 0 ? "ok" : "FAILED: " + lint.err) << ", parts "
              << (has_parts ? "ok" : "MISSING") << ", chromium " << (png_ok ? "rendered " : "FAILED ") << image.size()
              << " bytes of PNG\n";
    return lint.status == 0 && has_parts && png_ok;
}

// A post wave for the ids of `pre`: the same ids with the answers of the rows in reverse order.
void reversed_wave(const std::string& pre, const std::string& post, std::size_t rows) {
    run("bash -c 'head -n " + std::to_string(rows + 1) + " " + pre + " > " + post + ".pre && (head -n 1 " + post +
            ".pre; paste -d, <(tail -n +2 " + post + ".pre | cut -d, -f1) <(tail -n +2 " + post +
            ".pre | tac | cut -d, -f2-)) > " + post + "'",
        "plot_wave");
}

}  // namespace

int main() {
    if (std::system("xmllint --version > /dev/null 2>&1") != 0 ||
        std::system("chromium --version > /dev/null 2>&1") != 0) {
        std::cout << "SKIPPED: xmllint or chromium is not installed (scripts/install-deps.sh installs them)\n";
        return 77;
    }
    int failed = 0;
    const std::string gen = BOWLBY_MAKE_SAMPLE_PATH;
    run("sh -c '" + gen + " 20000 > " + tmp("plot_large.csv") + "'", "plot_gen");
    const std::string sample = std::string(BOWLBY_SOURCE_DIR) + "/examples/sample/ecr-sample.csv";
    const struct {
        const char* name;
        std::string args;
    } cases[] = {
        {"points", "--classify midpoint " + sample},
        {"density", "--classify brennan1998 " + tmp("plot_large.csv")},
        {"kmeans", "--classify kmeans " + sample},
    };
    for (const auto& c : cases) {
        const std::string svg = tmp(std::string("plot_") + c.name + ".svg");
        const auto r = run(cli() + " score --instrument ecr --items Q1:Q36 --output " + tmp("plot_scores.csv") +
                               " --plot " + svg + " " + c.args,
                           std::string("plot_") + c.name);
        if (r.status != 0) {
            std::cout << "FAILED " << c.name << ": bowlby score: " << r.err;
            failed = 1;
            continue;
        }
        if (!renders(c.name, svg, {"id=\"legend\"", ">secure</text>", "Avoidance (ecr, 1-7)"})) failed = 1;
    }
    // bowlby change --plot: 300 people as arrows, 20,000 as transitions between categories.
    const struct {
        const char* name;
        std::string pre;
        std::size_t rows;
        const char* part;
    } changes[] = {{"change_arrows", sample, 300, "id=\"reliable-changes\""},
                   {"change_transitions", tmp("plot_large.csv"), 20000, "id=\"transitions\""}};
    for (const auto& c : changes) {
        const std::string post = tmp(std::string("plot_") + c.name + "_post.csv"),
                          svg = tmp(std::string("plot_") + c.name + ".svg");
        reversed_wave(c.pre, post, c.rows);
        const auto r =
            run(cli() + " change --instrument ecr --items Q1:Q36 --id id --classify midpoint --pre-file " + post +
                    ".pre --post-file " + post + " --output " + tmp("plot_change.csv") + " --plot " + svg,
                std::string("plot_") + c.name);
        if (r.status != 0) {
            std::cout << "FAILED " << c.name << ": bowlby change: " << r.err;
            failed = 1;
            continue;
        }
        if (!renders(c.name, svg, {"id=\"legend\"", ">secure</text>", c.part, "change from pre to post"})) failed = 1;
    }
    return failed;
}
