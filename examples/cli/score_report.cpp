// `bowlby score`'s report: the plot of the attachment plane and the JSON summary.
#include "plot.hpp"
#include "reliability_output.hpp"
#include "score_stages.hpp"

#include <cmath>
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

void write_report(const score_plan& plan, const score_totals& totals, output_file& report) {
    const bowlby::response_scale& scale = plan.scale;
    json j;
    j["instrument"] = std::string(plan.key->id);
    j["input"] = plan.req.input_path;
    j["scale"] = {scale.min, scale.max};
    j["min_answered"] = plan.req.options.min_answered;
    j["rows"] = totals.rows;
    j["invalid_cells"] = totals.invalid_cells;
    if (!plan.req.exclude.empty() || plan.req.screen.exclude_flagged > 0) {
        // Rows with status excluded (by --exclude or --exclude-flagged), left out of the statistics.
        j["rows_excluded"] = totals.rows_excluded;
        auto by = json::array();
        for (std::size_t e = 0; e < plan.req.exclude.size(); ++e)
            by.push_back({{"column", plan.req.exclude[e].first},
                          {"value", plan.req.exclude[e].second},
                          {"rows", totals.matched_by[e]}});
        j["exclude"] = by;
    }
    if (plan.req.screen.scores) j["subscales"] = subscales_json(plan, totals);
    if (plan.classifying) j["classification"] = classification_json(plan, totals);
    if (plan.req.screen.on) j["screening"] = screening_json(plan, totals);
    report.write(j.dump(2) + "\n");
}

}  // namespace bowlby_cli
