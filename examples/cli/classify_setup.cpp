#include "classify_setup.hpp"

#include <cmath>
#include <cstdio>

namespace bowlby_cli {

namespace {
std::string scale_text(const bowlby::response_scale& s) {
    char b[64];
    std::snprintf(b, sizeof b, "%g-%g", s.min, s.max);
    return b;
}
}  // namespace

dimensions find_dimensions(const bowlby::key_view& key, const bowlby::response_scale& scale,
                           const std::string& method) {
    dimensions d;
    const std::string id(key.id), range = " (" + std::string(key.id) + ", " + scale_text(scale) + ")";
    if (method == "rq") {
        if (id != "rq")
            throw usage_error("--classify rq is the RQ's own rule; for " + id +
                              " use midpoint, median, brennan1998 or kmeans");
        return d;
    }
    if (id == "rq") throw usage_error("the RQ has no anxiety and avoidance scores: use --classify rq");
    if (method == "aas" && id != "aas") throw usage_error("--classify aas is Collins' rule for the AAS only");
    const auto axes = bowlby::find_classification_axes(key);
    if (!axes) throw usage_error(id + " has no anxiety and avoidance scores to classify");
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

bowlby::classification classifier::classify_cached(double anxiety, double avoidance) {
    if (std::isnan(anxiety) || std::isnan(avoidance)) return classify(anxiety, avoidance);
    if (cache.size() > 1000000) cache.clear();  // bounded memory for continuous scores
    const auto key = std::make_pair(anxiety, avoidance);
    const auto it = cache.find(key);
    if (it != cache.end()) return it->second;
    return cache.emplace(key, classify(anxiety, avoidance)).first->second;
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
    } else {
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
    }
    return j;
}

classifier make_classifier(const classify_request& req, const bowlby::key_view& key,
                           const bowlby::response_scale& scale, const point_counts& points,
                           const bowlby::measurement_error& sem) {
    classifier c;
    c.method = req.method;
    c.sem = sem;
    if (req.method == "midpoint") {
        if (req.cut)
            c.cut =
                bowlby::user_cut_rule(req.cut->first, req.cut->second,
                                      req.cut_source.empty() ? "cuts given with --cut" : req.cut_source, req.on_cut);
        else
            c.cut = bowlby::midpoint_rule(scale, req.on_cut);
    } else if (req.method == "median") {
        std::vector<std::pair<double, double>> a, v;
        for (const auto& [p, n] : points) {
            a.emplace_back(p.first, n);
            v.emplace_back(p.second, n);
        }
        if (a.empty()) throw data_error("no respondent has both scores: there is no median to cut at");
        c.cut = bowlby::cut_rule("median", bowlby::weighted_median(a), bowlby::weighted_median(v), req.on_cut,
                                 "the sample medians");
    } else if (req.method == "aas") {
        c.cut = bowlby::aas_collins_rule();
    } else if (req.method == "brennan1998") {
        bowlby::brennan_options o;
        o.allow_other_instrument = req.allow_other_instrument;
        if (req.rescale_to) {
            if (req.rescale_to->first != 1 || req.rescale_to->second != 7)
                throw usage_error("brennan1998 rescales onto 1:7 only (--rescale-to 1:7)");
            o.rescale_from = scale;
        }
        try {
            c.brennan.emplace(key, scale, o);
        } catch (const bowlby::option_error& e) {
            throw usage_error(std::string(e.what()) + (std::string(e.what()).find("rescaling") != std::string::npos
                                                           ? " (--rescale-to 1:7)"
                                                           : " (--allow-other-instrument)"));
        }
    } else if (req.method == "kmeans") {
        std::vector<std::array<double, 3>> pts;
        for (const auto& [p, n] : points) pts.push_back({p.first, p.second, n});
        try {
            c.linear = bowlby::kmeans_rule(pts, req.seed);
        } catch (const bowlby::option_error& e) {
            throw data_error(e.what());
        }
    } else {
        throw usage_error("--classify takes midpoint, median, brennan1998, kmeans, rq or aas, got '" + req.method +
                          "'");
    }
    return c;
}

bowlby::category parse_forced_choice(const std::string& cell) {
    if (cell == "secure" || cell == "A" || cell == "a") return bowlby::category::secure;
    if (cell == "fearful" || cell == "B" || cell == "b") return bowlby::category::fearful;
    if (cell == "preoccupied" || cell == "C" || cell == "c") return bowlby::category::preoccupied;
    if (cell == "dismissing" || cell == "D" || cell == "d") return bowlby::category::dismissing;
    return bowlby::category::unclassified;
}

}  // namespace bowlby_cli
