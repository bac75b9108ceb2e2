// `bowlby score --plot`: the SVG is well-formed (xmllint) and renders in headless Chromium to
// a PNG, for a small sample (points) and a large one (density). Exit 77 (skipped) when
// xmllint or Chromium is not installed.
#include "../support/test_support.hpp"

#include <iostream>

using namespace test_support;

int main() {
    if (std::system("xmllint --version > /dev/null 2>&1") != 0 ||
        std::system("chromium --version > /dev/null 2>&1") != 0) {
        std::cout << "SKIPPED: xmllint or chromium is not installed (scripts/install-deps.sh installs them)\n";
        return 77;
    }
    int failed = 0;
    const std::string gen = BOWLBY_MAKE_SAMPLE_PATH;
    run("sh -c '" + gen + " 20000 > " + tmp("plot_large.csv") + "'", "plot_gen");
    const struct {
        const char* name;
        std::string args;
    } cases[] = {
        {"points", "--classify midpoint " + std::string(BOWLBY_SOURCE_DIR) + "/examples/sample/ecr-sample.csv"},
        {"density", "--classify brennan1998 " + tmp("plot_large.csv")},
        {"kmeans", "--classify kmeans " + std::string(BOWLBY_SOURCE_DIR) + "/examples/sample/ecr-sample.csv"},
    };
    for (const auto& c : cases) {
        const std::string svg = tmp(std::string("plot_") + c.name + ".svg"),
                          png = tmp(std::string("plot_") + c.name + ".png");
        std::remove(png.c_str());
        const auto r = run(cli() + " score --instrument ecr --items Q1:Q36 --output " + tmp("plot_scores.csv") +
                               " --plot " + svg + " " + c.args,
                           std::string("plot_") + c.name);
        if (r.status != 0) {
            std::cout << "FAILED " << c.name << ": bowlby score: " << r.err;
            failed = 1;
            continue;
        }
        const auto lint = run("xmllint --noout " + svg, "xmllint");
        const std::string text = slurp(svg);
        const bool has_parts = text.find("id=\"legend\"") != std::string::npos &&
                               text.find(">secure</text>") != std::string::npos &&
                               text.find("Avoidance (ecr, 1-7)") != std::string::npos;
        const auto shot =
            run("timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
                "--disable-background-networking --disable-component-update --disable-sync --user-data-dir=" +
                    tmp(std::string("chromium_") + c.name) + " --window-size=800,640 --screenshot=" + png + " file://" +
                    svg,
                "chromium");
        const std::string image = slurp(png);
        const bool png_ok = image.size() > 10000 && image.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0;
        std::cout << c.name << ": xmllint " << (lint.status == 0 ? "ok" : "FAILED: " + lint.err) << ", parts "
                  << (has_parts ? "ok" : "MISSING") << ", chromium " << (png_ok ? "rendered " : "FAILED ")
                  << image.size() << " bytes of PNG\n";
        if (lint.status != 0 || !has_parts || !png_ok) failed = 1;
    }
    return failed;
}
