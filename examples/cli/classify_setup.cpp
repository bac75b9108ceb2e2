#include "classify_setup.hpp"

#include <array>
#include <cstdio>
#include <vector>

namespace bowlby_cli {

namespace {

std::string scale_text(const bowlby::response_scale& s) {
    char b[64];
    std::snprintf(b, sizeof b, "%g-%g", s.min, s.max);
    return b;
}

// The sample medians of anxiety and of avoidance, each respondent weighted by its count.
bowlby::cut_rule median_cuts(const point_counts& points, bowlby::at_cut on_cut) {
    std::vector<std::pair<double, double>> a, v;
    for (const auto& [p, n] : points) {
        a.emplace_back(p.first, n);
        v.emplace_back(p.second, n);
    }
    if (a.empty()) throw std::runtime_error("no respondent has both scores: there is no median to cut at");
    return bowlby::cut_rule("median", bowlby::weighted_median(a), bowlby::weighted_median(v), on_cut,
                            "the sample medians");
}

bowlby::linear_rule kmeans_functions(const point_counts& points, std::uint64_t seed) {
    std::vector<std::array<double, 3>> pts;
    for (const auto& [p, n] : points) pts.push_back({p.first, p.second, n});
    try {
        return bowlby::kmeans_rule(pts, seed);
    } catch (const bowlby::option_error& e) {
        throw std::runtime_error(e.what());  // too few respondents: a property of the data
    }
}

}  // namespace

bool fitted_to_sample(std::string_view method) { return method == "median" || method == "kmeans"; }

dimensions find_dimensions(const bowlby::key_view& key, const bowlby::response_scale& scale,
                           const std::string& method) {
    dimensions d;
    const std::string id(key.id), range = " (" + std::string(key.id) + ", " + scale_text(scale) + ")";
    if (method == "rq") {
        if (id != "rq") throw rule_error(rule_problem::rq_only, "the rq rule is for the RQ only");
        return d;
    }
    if (id == "rq") throw rule_error(rule_problem::not_for_rq, "the RQ has no anxiety and avoidance scores");
    if (method == "aas" && id != "aas")
        throw rule_error(rule_problem::aas_only, "the aas rule is Collins' rule for the AAS only");
    const auto axes = bowlby::find_classification_axes(key);
    if (!axes) throw rule_error(rule_problem::no_axes, id + " has no anxiety and avoidance scores to classify");
    d.anxiety = axes->anxiety;
    d.avoidance = axes->avoidance;
    d.avoidance_reflected = axes->avoidance_reflected;
    d.reflect = scale.min + scale.max;
    d.anxiety_subscale = std::string(axes->anxiety_subscale);
    d.avoidance_subscale = std::string(axes->avoidance_subscale);
    d.anxiety_title = "Anxiety" + range;
    if (d.avoidance_reflected) {
        char reflect_text[32];
        std::snprintf(reflect_text, sizeof reflect_text, "%g", d.reflect);
        d.avoidance_title = std::string(reflect_text) + " - close_depend, i.e. avoidance" + range;
    } else {
        d.avoidance_title = "Avoidance" + range;
    }
    return d;
}

bowlby::classification classifier::classify(double anxiety, double avoidance) const {
    if (cut) return cut->classify(anxiety, avoidance, sem);
    if (brennan) return brennan->classify(anxiety, avoidance, sem);
    return linear->classify(anxiety, avoidance, sem);
}

bowlby::category classifier::category_of(double anxiety, double avoidance) const {
    const bowlby::measurement_error none;
    if (cut) return cut->classify(anxiety, avoidance, none).cat;
    if (brennan) return brennan->classify(anxiety, avoidance, none).cat;
    return linear->classify(anxiety, avoidance, none).cat;
}

nlohmann::ordered_json classifier::describe() const {
    nlohmann::ordered_json j;
    j["method"] = method;
    if (cut) {
        j["cuts"] = {{"anxiety", cut->anxiety_cut()}, {"avoidance", cut->avoidance_cut()}};
        j["at_cut"] = cut->on_cut() == bowlby::at_cut::low    ? "low"
                      : cut->on_cut() == bowlby::at_cut::high ? "high"
                                                              : "unclassified";
        j["source"] = cut->source();
    } else if (brennan || linear) {
        const bowlby::linear_rule& l = brennan ? brennan->rule() : *linear;
        j["cuts"] = nullptr;
        nlohmann::ordered_json f;
        const char* names[4] = {"secure", "preoccupied", "dismissing", "fearful"};
        for (int c = 0; c < 4; ++c) {
            const auto& fn = l.functions()[static_cast<std::size_t>(c)];
            f[names[c]] = {{"anxiety", fn.anxiety}, {"avoidance", fn.avoidance}, {"constant", fn.constant}};
        }
        j["functions"] = f;
        j["source"] = l.source();
        if (brennan && brennan->rescale_factor() != 1) j["rescaled_to_1_7_by"] = brennan->rescale_factor();
    } else {
        j["cuts"] = nullptr;  // the rq method: the highest prototype rating
    }
    return j;
}

classifier make_classifier(const rule_request& req, const bowlby::key_view& key, const bowlby::response_scale& scale,
                           const point_counts& points, const bowlby::measurement_error& sem) {
    classifier c;
    c.method = req.method;
    c.sem = sem;
    if (req.method == "midpoint") {
        c.cut = req.cut ? bowlby::user_cut_rule(req.cut->first, req.cut->second, req.cut_source, req.on_cut)
                        : bowlby::midpoint_rule(scale, req.on_cut);
    } else if (req.method == "median") {
        c.cut = median_cuts(points, req.on_cut);
    } else if (req.method == "aas") {
        c.cut = bowlby::aas_collins_rule();
    } else if (req.method == "brennan1998") {
        bowlby::brennan_options o;
        o.allow_other_instrument = req.allow_other_instrument;
        if (req.rescale) o.rescale_from = scale;
        c.brennan.emplace(key, scale, o);
    } else if (req.method == "kmeans") {
        c.linear = kmeans_functions(points, req.seed);
    } else if (req.method != "rq") {
        throw rule_error(rule_problem::unknown_method, "unknown classification method '" + req.method + "'");
    }
    return c;
}

bowlby::category parse_forced_choice(std::string_view cell) {
    if (cell == "secure" || cell == "A" || cell == "a") return bowlby::category::secure;
    if (cell == "fearful" || cell == "B" || cell == "b") return bowlby::category::fearful;
    if (cell == "preoccupied" || cell == "C" || cell == "c") return bowlby::category::preoccupied;
    if (cell == "dismissing" || cell == "D" || cell == "d") return bowlby::category::dismissing;
    return bowlby::category::unclassified;
}

}  // namespace bowlby_cli
