// `bowlby score`'s report: the plot of the attachment plane and the JSON summary.
#include "plot.hpp"
#include "reliability_output.hpp"
#include "score_stages.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

namespace bowlby_cli {
namespace {

// Each score's n, mean, sd and status counts, with the reliability of each subscale.
json subscales_json(const score_plan& plan, const score_totals& totals) {
    const std::vector<bowlby::reliability_result> rel =
        bowlby::reliability(*totals.items, {}, plan.input->item_names());
    auto subs = json::array();
    for (std::size_t s = 0; s < plan.n_scores; ++s) {
        const running_stats& st = totals.stats[s];
        json o;
        o["name"] = std::string(plan.key->score_name(s));
        o["n"] = st.n;
        o["mean"] = st.n > 0 ? json(st.mean) : json(nullptr);
        o["sd"] = st.n > 1 ? json(std::sqrt(st.m2 / static_cast<double>(st.n - 1))) : json(nullptr);
        o["complete"] = st.status[0];
        o["prorated"] = st.status[1];
        o["insufficient"] = st.status[2];
        if (s < rel.size()) o["reliability"] = to_json(rel[s]);
        subs.push_back(o);
    }
    return subs;
}

// The rule, the SEMs, the count of each category and the share of firm classifications.
json classification_json(const score_plan& plan, const score_totals& totals) {
    json c = plan.rule->describe();
    c["sem"] = {{"anxiety", number(plan.sem.anxiety)}, {"avoidance", number(plan.sem.avoidance)}};
    const char* names[5] = {"secure", "preoccupied", "dismissing", "fearful", "unclassified"};
    json counts;
    for (std::size_t k = 0; k < 5; ++k) counts[names[k]] = totals.counts[k];
    c["counts"] = counts;
    const std::size_t classified = totals.counts[0] + totals.counts[1] + totals.counts[2] + totals.counts[3];
    // Share of classified rows with category_p >= 0.8 (null when no probability is known).
    c["firm_share"] = totals.with_p > 0 && classified > 0
                          ? json(static_cast<double>(totals.firm) / static_cast<double>(classified))
                          : json(nullptr);
    return c;
}

}  // namespace

void write_plot(const score_plan& plan, const score_totals& totals, output_file& svg) {
    plot_input pi;
    pi.title = std::string(plan.key->name);
    pi.x_title = plan.dims.avoidance_title;
    pi.y_title = plan.dims.anxiety_title;
    pi.lo = plan.scale.min;
    pi.hi = plan.scale.max;
    pi.points = plan.points;
    // Without --classify, the plot shows the midpoint rule.
    rule_request midpoint;
    midpoint.method = "midpoint";
    const classifier shown =
        plan.rule ? *plan.rule : make_classifier(midpoint, *plan.key, plan.scale, plan.points, plan.sem);
    pi.method = plan.rule ? "rule: " + plan.rule->method : "rule: midpoint (shown)";
    pi.classify = [&shown](double anx, double avo) { return shown.category_of(anx, avo); };
    if (shown.cut) pi.cuts = std::make_pair(shown.cut->anxiety_cut(), shown.cut->avoidance_cut());
    if (plan.classifying) {
        pi.counts = totals.counts;
    } else {
        for (const auto& [p, n] : plan.points)
            pi.counts[static_cast<std::size_t>(pi.classify(p.first, p.second))] += static_cast<std::size_t>(n);
    }
    svg.write(attachment_plot_svg(pi));
}

json score_report(const score_plan& plan, const score_totals& totals) {
    const bowlby::response_scale& scale = plan.scale;
    json j;
    j["instrument"] = std::string(plan.key->id);
    j["input"] = plan.req.input_path;
    j["scale"] = {scale.min, scale.max};
    j["min_answered"] = plan.req.options.min_answered;
    j["rows"] = totals.rows;
    j["invalid_cells"] = totals.invalid_cells;
    if (!plan.req.exclude.empty()) {  // the rows each --exclude matched (row_status counts those excluded)
        auto by = json::array();
        for (std::size_t e = 0; e < plan.req.exclude.size(); ++e)
            by.push_back({{"column", plan.req.exclude[e].first},
                          {"value", plan.req.exclude[e].second},
                          {"rows", totals.matched_by[e]}});
        j["exclude"] = by;
    }
    if (plan.req.screen.scores) {
        j["row_status"] = {{"complete", totals.row_status[0]},
                           {"prorated", totals.row_status[1]},
                           {"insufficient", totals.row_status[2]},
                           {"excluded", totals.row_status[3]}};
        j["subscales"] = subscales_json(plan, totals);
    }
    if (plan.classifying) j["classification"] = classification_json(plan, totals);
    if (plan.req.screen.on) j["screening"] = screening_json(plan, totals);
    return j;
}

namespace {

// 51491 as "51,491".
std::string grouped(std::size_t n) {
    std::string digits = std::to_string(n), out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return out;
}

// A number of the report with `decimals` places, or "-" where it is null.
std::string fixed(const json& x, int decimals) {
    if (!x.is_number()) return "-";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, x.get<double>());
    return buf;
}

std::string where(const std::string& path) { return path == "-" ? "standard output" : path; }

}  // namespace

std::string score_summary(const score_plan& plan, const json& report) {
    std::string t = "bowlby score: " + report["instrument"].get<std::string>() + ", " +
                    grouped(report["rows"].get<std::size_t>()) + " rows read from " + plan.req.input_path + "\n";
    const json& st = report["row_status"];
    t += "  rows: " + grouped(st["complete"].get<std::size_t>()) + " complete, " +
         grouped(st["prorated"].get<std::size_t>()) + " prorated, " + grouped(st["insufficient"].get<std::size_t>()) +
         " insufficient";
    if (st["excluded"].get<std::size_t>() > 0) t += ", " + grouped(st["excluded"].get<std::size_t>()) + " excluded";
    t += "\n";
    if (report.contains("exclude")) {
        t += "  matched by --exclude:";
        const char* sep = " ";
        for (const json& e : report["exclude"]) {
            t += sep + e["column"].get<std::string>() + "=" + e["value"].get<std::string>() + " " +
                 grouped(e["rows"].get<std::size_t>());
            sep = ", ";
        }
        t += "\n";
    }
    if (report["invalid_cells"].get<std::size_t>() > 0)
        t += "  answers off the scale, treated as missing: " + grouped(report["invalid_cells"].get<std::size_t>()) +
             "\n";
    std::size_t width = 5;
    for (const json& s : report["subscales"]) width = std::max(width, s["name"].get<std::string>().size());
    char line[256];
    std::string level = "95%";
    for (const json& s : report["subscales"])
        if (s.contains("reliability")) level = fixed(s["reliability"]["ci"]["level"].get<double>() * 100, 0) + "%";
    std::snprintf(line, sizeof line, "  %-*s %10s %7s %7s %7s  %s CI (Feldt)\n", static_cast<int>(width), "score", "n",
                  "mean", "sd", "alpha", level.c_str());
    t += line;
    for (const json& s : report["subscales"]) {
        std::string alpha = "-", ci;
        if (s.contains("reliability")) {
            const json& r = s["reliability"];
            alpha = fixed(r["raw_alpha"], 3);
            ci = "[" + fixed(r["ci"]["feldt"][0], 3) + ", " + fixed(r["ci"]["feldt"][1], 3) + "]";
        }
        std::snprintf(line, sizeof line, "  %-*s %10s %7s %7s %7s  %s\n", static_cast<int>(width),
                      s["name"].get<std::string>().c_str(), grouped(s["n"].get<std::size_t>()).c_str(),
                      fixed(s["mean"], 3).c_str(), fixed(s["sd"], 3).c_str(), alpha.c_str(), ci.c_str());
        t += line;
    }
    if (report.contains("classification")) {
        const json& c = report["classification"];
        const json& counts = c["counts"];
        std::size_t total = 0;
        for (const auto& [name, n] : counts.items()) total += n.get<std::size_t>();
        t += "  categories (" + c["method"].get<std::string>() + "):";
        bool first = true;
        for (const char* name : {"secure", "preoccupied", "dismissing", "fearful", "unclassified"}) {
            const std::size_t n = counts[name].get<std::size_t>();
            std::snprintf(line, sizeof line, "%s %s %s (%.1f%%)", first ? "" : ",", name, grouped(n).c_str(),
                          total > 0 ? 100.0 * static_cast<double>(n) / static_cast<double>(total) : 0.0);
            t += line;
            first = false;
        }
        t += "\n";
    }
    t += "  scores written to " + where(plan.req.output_path);
    if (!plan.req.report_path.empty()) t += "; report to " + where(plan.req.report_path);
    if (!plan.req.cls.plot.empty()) t += "; plot to " + plan.req.cls.plot;
    return t + "\n";
}

}  // namespace bowlby_cli
