// `bowlby change`'s report (JSON) and plot (the attachment plane with each person's move).
#include "change_stages.hpp"
#include "plot.hpp"

#include <bowlby/classify.hpp>

#include <array>
#include <cmath>
#include <string>
#include <vector>

namespace bowlby_cli {
namespace {

const char* const category_names[5] = {"secure", "preoccupied", "dismissing", "fearful", "unclassified"};

json lines_json(const scored_rows& s, const std::vector<std::size_t>& rows) {
    json a = json::array();
    for (std::size_t r : rows) a.push_back(s.lines[r]);
    return a;
}

json unmatched_json(const two_waves& w) {
    json a = json::array();
    for (const bowlby::unmatched_id& u : w.pairing.unmatched) {
        json o;
        o["id"] = u.id;
        o["pre_rows"] = u.pre_rows.size();
        o["post_rows"] = u.post_rows.size();
        o["pre_lines"] = lines_json(w.pre, u.pre_rows);
        o["post_lines"] = lines_json(w.post, u.post_rows);
        o["reason"] = std::string(bowlby::to_string(u.reason));
        a.push_back(o);
    }
    return a;
}

// Per score: the basis of its RCI (where the sd and reliability come from) and the counts.
json score_json(const change_request& r, const bowlby::change_result& c, std::size_t s) {
    const bowlby::change_basis& b = c.basis[s];
    const bool sd_given = s < r.sd.size() && r.sd[s], rel_given = s < r.reliability.size() && r.reliability[s];
    json o;
    o["name"] = c.names[s];
    o["pre_n"] = b.n;
    o["pre_mean"] = number(b.mean);
    o["sd"] = number(b.sd);
    o["sd_source"] = sd_given ? "given (--sd)" : "pre wave, n - 1";
    o["reliability"] = number(b.reliability);
    o["reliability_source"] = rel_given                      ? "given (--reliability)"
                              : std::isfinite(b.reliability) ? "alpha of the pre wave (pairwise)"
                                                             : "none (a derived score: give --reliability)";
    o["s_diff"] = number(b.s_diff());
    if (!c.clinical.empty()) o["criterion_c"] = number(c.criterion_c[s]);
    std::array<std::size_t, 4> dirs{};
    std::array<std::size_t, 5> clin{};
    for (std::size_t i = 0; i < c.reliable.size(); ++i) {
        ++dirs[static_cast<std::size_t>(c.reliable[i][s])];
        if (!c.clinical.empty()) ++clin[static_cast<std::size_t>(c.clinical[i][s])];
    }
    o["increased"] = dirs[1];
    o["decreased"] = dirs[2];
    o["none"] = dirs[0];
    o["missing"] = dirs[3];
    if (!c.clinical.empty())
        o["clinical"] = {{"recovered", clin[0]},
                         {"improved", clin[1]},
                         {"unchanged", clin[2]},
                         {"deteriorated", clin[3]},
                         {"missing", clin[4]}};
    return o;
}

json joint_json(const bowlby::change_result& c, const score_plan& plan) {
    const auto axes = bowlby::find_classification_axes(*plan.key);
    std::size_t yes = 0, no = 0, missing = 0;
    for (const auto& j : c.joint_reliable) (j ? (*j ? yes : no) : missing) += 1;
    return {{"anxiety", c.names[static_cast<std::size_t>(axes->anxiety)]},
            {"avoidance", c.names[static_cast<std::size_t>(axes->avoidance)]},
            {"level", 0.05},
            {"reliable", yes},
            {"not_reliable", no},
            {"missing", missing}};
}

std::array<std::array<std::size_t, 5>, 5> transition_counts(const two_waves& w) {
    std::array<std::array<std::size_t, 5>, 5> t{};
    for (const bowlby::wave_pair& p : w.pairing.pairs)
        ++t[static_cast<std::size_t>(w.pre.outcomes[p.pre_row].cat)]
           [static_cast<std::size_t>(w.post.outcomes[p.post_row].cat)];
    return t;
}

json transitions_json(const two_waves& w) {
    const auto t = transition_counts(w);
    json table;
    for (std::size_t a = 0; a < 5; ++a) {
        json row;
        for (std::size_t b = 0; b < 5; ++b) row[category_names[b]] = t[a][b];
        table[category_names[a]] = row;
    }
    return table;
}

}  // namespace

json change_report(const change_request& r, const score_plan& plan, const two_waves& w,
                   const bowlby::change_result& c) {
    json j;
    j["instrument"] = std::string(plan.key->id);
    if (r.pre_file.empty()) {
        j["input"] = w.pre_name;
        j["wave_column"] = r.wave;
        j["pre"] = r.pre;
        j["post"] = r.post;
        j["rows_of_other_waves"] = w.other_rows;
    } else {
        j["pre_file"] = w.pre_name;
        j["post_file"] = w.post_name;
    }
    j["id_column"] = r.id;
    j["pre_rows"] = w.pre.lines.size();
    j["post_rows"] = w.post.lines.size();
    j["paired"] = w.pairing.pairs.size();
    j["unmatched"] = unmatched_json(w);
    j["missing_scores"] = missing_messages(w);
    j["rci_z"] = r.options.rci_z;
    if (!c.clinical.empty()) j["better"] = r.options.lower_is_better ? "lower" : "higher";
    json scores = json::array();
    for (std::size_t s = 0; s < c.names.size(); ++s) scores.push_back(score_json(r, c, s));
    j["scores"] = scores;
    if (c.joint) j["joint"] = joint_json(c, plan);
    if (plan.classifying) {
        j["classification"] = plan.rule ? plan.rule->describe() : json({{"method", "rq"}});
        j["transitions"] = transitions_json(w);
    }
    return j;
}

std::string change_plot_svg(const score_plan& plan, const two_waves& w, const bowlby::change_result& c) {
    const auto axes = bowlby::find_classification_axes(*plan.key);
    if (!axes) throw usage_error("--plot draws anxiety and avoidance, which " + plan.req.instrument_id + " has not");
    const dimensions d =
        find_dimensions(*plan.key, plan.scale, plan.classifying ? plan.req.cls.rule.method : "midpoint");
    rule_request midpoint;
    midpoint.method = "midpoint";
    const classifier shown =
        plan.rule ? *plan.rule : make_classifier(midpoint, *plan.key, plan.scale, plan.points, plan.sem);
    plot_input pi;
    pi.change = true;
    pi.title = std::string(plan.key->name) + ": change from pre to post";
    pi.x_title = d.avoidance_title;
    pi.y_title = d.anxiety_title;
    pi.lo = plan.scale.min;
    pi.hi = plan.scale.max;
    pi.method = (plan.rule ? "rule: " + plan.rule->method : "rule: midpoint (shown)") + ", after";
    pi.classify = [&shown](double anx, double avo) { return shown.category_of(anx, avo); };
    if (shown.cut) pi.cuts = std::make_pair(shown.cut->anxiety_cut(), shown.cut->avoidance_cut());
    for (std::size_t i = 0; i < w.pairing.pairs.size(); ++i) {
        const auto ii = static_cast<Eigen::Index>(i);
        const double a0 = c.pre(ii, d.anxiety), v0 = d.avo(c.pre(ii, d.avoidance)), a1 = c.post(ii, d.anxiety),
                     v1 = d.avo(c.post(ii, d.avoidance));
        if (!(std::isfinite(a0) && std::isfinite(v0) && std::isfinite(a1) && std::isfinite(v1))) continue;
        const bowlby::category from = shown.category_of(a0, v0), to = shown.category_of(a1, v1);
        ++pi.counts[static_cast<std::size_t>(to)];
        if (from != bowlby::category::unclassified && to != bowlby::category::unclassified)
            ++pi.transitions[static_cast<std::size_t>(from)][static_cast<std::size_t>(to)];
        pi.arrows.push_back({a0, v0, a1, v1, c.joint && c.joint_reliable[i].value_or(false)});
    }
    return attachment_plot_svg(pi);
}

}  // namespace bowlby_cli
