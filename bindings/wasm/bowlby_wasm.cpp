// The WebAssembly build of bowlby: a small C interface that the JavaScript wrapper
// (bowlby.mjs) turns into instruments(), score() and classify(). Results and error messages
// travel as JSON text; an error returns non-zero and bowlby_result() holds the library's
// message, which the wrapper throws as a JavaScript Error. The rule of a classification
// method is made by the `bowlby` tool's code (examples/cli/classify_setup.cpp); only the
// words of its errors are this module's.
// The umbrella header: every public header is compiled here by clang with -Werror too.
#include <bowlby/bowlby.hpp>
#include <bowlby/classify.hpp>
#include <bowlby/instruments.hpp>
#include <bowlby/regions.hpp>
#include <bowlby/score.hpp>
#include <bowlby/version.hpp>

#include "classify_setup.hpp"

#include <nlohmann/json.hpp>

#include <emscripten/emscripten.h>

#include <cmath>
#include <exception>
#include <string>
#include <vector>

namespace {

using json = nlohmann::ordered_json;

std::string result;

json scale_json(const bowlby::response_scale& s) { return json::array({s.min, s.max}); }

bowlby::score_options options(int has_scale, double smin, double smax, double min_answered) {
    bowlby::score_options o;
    if (has_scale) o.data_scale = bowlby::response_scale{smin, smax, true};
    o.min_answered = min_answered;
    return o;
}

// Runs f, which returns the result as JSON: 0 and the JSON text (NaN and infinities as null),
// or 1 and the message of what it threw.
template <class F>
int guarded(F&& f) {
    try {
        result = f().dump(-1, ' ', false, json::error_handler_t::replace);
        return 0;
    } catch (const std::exception& e) {
        result = e.what();
        return 1;
    }
}

bowlby::respondent_scores<double> score_answers(const char* id, const double* answers, int n,
                                                const bowlby::score_options& o) {
    const bowlby::key_view& key = bowlby::instrument(id);
    if (n != key.n_items)
        throw bowlby::shape_error(std::string(id) + " has " + std::to_string(key.n_items) + " items, got " +
                                  std::to_string(n) + " answers");
    const Eigen::Map<const Eigen::RowVectorXd> row(answers, n);
    return bowlby::score(key, row, o).row_scores(0);
}

// A rule_error in this module's words.
bowlby::option_error in_js_words(const bowlby_cli::rule_error& e, const bowlby::key_view& key,
                                 const std::string& method) {
    const std::string no_axes = std::string(key.id) + " has no anxiety and avoidance scores to classify";
    switch (e.problem) {
        case bowlby_cli::rule_problem::unknown_method:
            return bowlby::option_error("unknown or sample-based method '" + method +
                                        "' (one respondent: midpoint, brennan1998, aas or rq)");
        case bowlby_cli::rule_problem::not_for_rq:
            return bowlby::option_error(no_axes);
        case bowlby_cli::rule_problem::aas_only:  // an instrument without the axes says so first
            return bowlby::option_error(bowlby::find_classification_axes(key) ? e.what() : no_axes);
        case bowlby_cli::rule_problem::rq_only:
        case bowlby_cli::rule_problem::no_axes:
            break;
    }
    return bowlby::option_error(e.what());
}

// The classification of one respondent's scores r, and the (anxiety, avoidance) it read.
json classify_scores(const bowlby::key_view& key, const bowlby::response_scale& scale,
                     const bowlby::respondent_scores<double>& r, const bowlby_cli::rule_request& req,
                     const bowlby::measurement_error& sem, bowlby::category forced) {
    bowlby::classification c;
    double anx = NAN, avo = NAN;
    try {
        const bowlby_cli::dimensions d = bowlby_cli::find_dimensions(key, scale, req.method);
        if (req.method == "rq") {
            c = bowlby::rq_classify(r.values(0), r.values(1), r.values(2), r.values(3), forced);
        } else {
            // One respondent is no sample to fit a rule to.
            if (bowlby_cli::fitted_to_sample(req.method))
                throw bowlby_cli::rule_error(bowlby_cli::rule_problem::unknown_method, req.method);
            const bowlby_cli::classifier rule = bowlby_cli::make_classifier(req, key, scale, {}, sem);
            anx = r.values(d.anxiety);
            avo = d.avo(r.values(d.avoidance));
            c = rule.classify(anx, avo);
        }
    } catch (const bowlby_cli::rule_error& e) {
        throw in_js_words(e, key, req.method);
    }
    json j;
    j["method"] = req.method;
    j["category"] = bowlby::to_string(c.cat);
    j["probability"] = c.probability;
    j["boundary_distance"] = c.boundary_distance;
    j["reason"] = c.reason;
    j["anxiety"] = anx;
    j["avoidance"] = avo;
    return j;
}

// The four categories in a respondent's words.
const char* category_words(bowlby::category c) {
    switch (c) {
        case bowlby::category::secure:
            return "comfortable with closeness and with depending on others, and not worried about being rejected";
        case bowlby::category::preoccupied:
            return "wanting much closeness, and worried about being rejected or left";
        case bowlby::category::dismissing:
            return "self-reliant, and uneasy with closeness and with depending on others";
        case bowlby::category::fearful:
            return "wanting closeness but uneasy with it, and worried about being rejected";
        case bowlby::category::unclassified:
            break;
    }
    return "between groups: the answers do not put you in one group";
}

// What the firmness (classification::probability) of a rule means, for a respondent; {p} is
// where the front end puts the probability in words. The RQ's rule has none.
const char* firmness_words(const std::string& method) {
    if (method == "rq") return nullptr;
    return "Answers to a questionnaire carry some measurement error. Allowing for this questionnaire's usual "
           "error, the chance that your true scores lie in this group's region is {p}.";
}

// What the boundary distance of a rule means; {d} is where the front end puts it.
const char* margin_words(const std::string& method) {
    if (method == "rq") return "Your highest rating is {d} above the next highest.";
    return "Your scores are {d} points from the nearest boundary between groups.";
}

// The methods that can classify one respondent of this instrument; the first is its default.
json one_respondent_methods(const bowlby::key_view& key) {
    json methods = json::array();
    for (const char* m : {"rq", "aas", "midpoint", "brennan1998"}) {
        try {
            bowlby_cli::rule_request req;
            req.method = m;
            bowlby_cli::find_dimensions(key, key.scale, m);
            bowlby_cli::make_classifier(req, key, key.scale, {}, {});
            methods.push_back(m);
        } catch (const std::exception&) {
            // not for this instrument
        }
    }
    return methods;
}

// Each score's name, label, what high and low mean, and its range on the key's scale.
json score_details(const bowlby::key_view& k) {
    json details = json::array();
    for (std::size_t s = 0; s < k.n_scores(); ++s) {
        const bowlby::score_range r = bowlby::range_of_score(k, s);
        json d;
        d["name"] = std::string(k.score_name(s));
        d["label"] = std::string(k.score_label(s));
        d["about"] = std::string(k.score_about(s));
        d["range"] = json::array({r.min, r.max});
        details.push_back(d);
    }
    return details;
}

// The regions of a rule as polygons, in the plot's units: x is the avoidance score as the key
// names it (for the AAS close_depend, so reflected back), y anxiety.
json regions_json(const bowlby_cli::classifier& rule, const bowlby_cli::dimensions& d,
                  const bowlby::response_scale& scale) {
    const bowlby::plane_box box{scale.min, scale.max};
    std::vector<bowlby::rule_region> regions;
    if (rule.cut) regions = bowlby::rule_regions(*rule.cut, box);
    if (rule.brennan) regions = bowlby::rule_regions(*rule.brennan, box);
    if (rule.linear) regions = bowlby::rule_regions(*rule.linear, box);
    json out = json::array();
    for (const auto& r : regions) {
        json points = json::array();
        for (const auto& p : r.polygon) points.push_back(json::array({d.avo(p[0]), p[1]}));
        json one;
        one["category"] = bowlby::to_string(r.cat);
        one["points"] = points;
        out.push_back(one);
    }
    return out;
}

// A rule described for a front end: its source, axes, regions and the words for its results.
json rule_json(const bowlby::key_view& key, const bowlby::response_scale& scale, const bowlby_cli::rule_request& req,
               const bowlby::measurement_error& sem) {
    json j;
    j["method"] = req.method;
    j["scale"] = scale_json(scale);
    j["axes"] = nullptr;
    j["regions"] = json::array();
    try {
        const bowlby_cli::dimensions d = bowlby_cli::find_dimensions(key, scale, req.method);
        if (bowlby_cli::fitted_to_sample(req.method))
            throw bowlby_cli::rule_error(bowlby_cli::rule_problem::unknown_method, req.method);
        const bowlby_cli::classifier rule = bowlby_cli::make_classifier(req, key, scale, {}, sem);
        j["source"] = rule.describe().value("source", "the highest rating, a tie broken by the forced choice");
        if (req.method != "rq") {
            auto axis = [&](Eigen::Index s) {
                const auto su = static_cast<std::size_t>(s);
                return json{{"score", std::string(key.score_name(su))}, {"label", std::string(key.score_label(su))}};
            };
            j["axes"] = {{"x", axis(d.avoidance)}, {"y", axis(d.anxiety)}};
            j["axes"]["x"]["reflected"] = d.avoidance_reflected;
            j["regions"] = regions_json(rule, d, scale);
        }
    } catch (const bowlby_cli::rule_error& e) {
        throw in_js_words(e, key, req.method);
    }
    const char* firmness = firmness_words(req.method);
    j["uses_sem"] = firmness != nullptr;
    j["firmness"] = firmness ? json(firmness) : json(nullptr);
    j["margin"] = margin_words(req.method);
    json words;
    for (auto c : {bowlby::category::secure, bowlby::category::preoccupied, bowlby::category::dismissing,
                   bowlby::category::fearful, bowlby::category::unclassified})
        words[bowlby::to_string(c)] = category_words(c);
    j["categories"] = words;
    return j;
}

bowlby_cli::rule_request make_request(const char* method, double cut_anx, double cut_avo, int at_cut, int rescale) {
    bowlby_cli::rule_request req;
    req.method = method;
    if (!std::isnan(cut_anx)) req.cut = std::make_pair(cut_anx, cut_avo);
    req.cut_source = "given cuts";
    req.on_cut = static_cast<bowlby::at_cut>(at_cut);
    req.rescale = rescale != 0;
    return req;
}

}  // namespace

extern "C" {

EMSCRIPTEN_KEEPALIVE const char* bowlby_result() { return result.c_str(); }

EMSCRIPTEN_KEEPALIVE const char* bowlby_version() { return bowlby::version_string; }

/// Every built-in instrument: id, name, items, scale, item names, scores, citation.
EMSCRIPTEN_KEEPALIVE int bowlby_instruments() {
    return guarded([] {
        json all = json::array();
        for (const bowlby::key_view& k : bowlby::builtin_instruments()) {
            json item_names = json::array(), scores = json::array();
            for (const auto& name : k.item_names) item_names.push_back(std::string(name));
            for (std::size_t s = 0; s < k.n_scores(); ++s) scores.push_back(std::string(k.score_name(s)));
            json j;
            j["id"] = std::string(k.id);
            j["name"] = std::string(k.name);
            j["items"] = k.n_items;
            j["scale"] = scale_json(k.scale);
            j["item_names"] = item_names;
            j["scores"] = scores;
            j["score_details"] = score_details(k);
            j["methods"] = one_respondent_methods(k);
            j["citation"] = std::string(k.citation);
            all.push_back(j);
        }
        return all;
    });
}

/// Scores one respondent: answers (NaN = missing), the data's scale when not the instrument's.
EMSCRIPTEN_KEEPALIVE int bowlby_score(const char* id, const double* answers, int n, int has_scale, double smin,
                                      double smax, double min_answered) {
    return guarded([&] {
        const auto o = options(has_scale, smin, smax, min_answered);
        const auto r = score_answers(id, answers, n, o);
        json scores = json::array();
        for (std::size_t s = 0; s < r.names.size(); ++s) {
            const auto si = static_cast<Eigen::Index>(s);
            json one;
            one["name"] = r.names[s];
            one["value"] = r.values(si);
            one["answered"] = r.answered(si);
            one["status"] = bowlby::to_string(r.status[s]);
            scores.push_back(one);
        }
        json j;
        j["instrument"] = id;
        j["scale"] = scale_json(o.data_scale ? *o.data_scale : bowlby::instrument(id).scale);
        j["scores"] = scores;
        return j;
    });
}

/// Scores and classifies one respondent. method: midpoint, brennan1998, aas or rq; at_cut 0 low,
/// 1 high, 2 unclassified; sem_* <= 0 for unknown; cut_* NaN for the scale's midpoint;
/// rescale: brennan1998 on another scale, mapped onto 1-7; forced: the RQ forced choice
/// (0 secure, 1 preoccupied, 2 dismissing, 3 fearful, 4 none).
EMSCRIPTEN_KEEPALIVE int bowlby_classify(const char* id, const char* method, const double* answers, int n,
                                         int has_scale, double smin, double smax, double min_answered, double sem_anx,
                                         double sem_avo, double cut_anx, double cut_avo, int at_cut, int rescale,
                                         int forced) {
    return guarded([&] {
        const auto o = options(has_scale, smin, smax, min_answered);
        const bowlby::key_view& key = bowlby::instrument(id);
        const auto r = score_answers(id, answers, n, o);
        const bowlby_cli::rule_request req = make_request(method, cut_anx, cut_avo, at_cut, rescale);
        return classify_scores(key, o.data_scale ? *o.data_scale : key.scale, r, req, {sem_anx, sem_avo},
                               static_cast<bowlby::category>(forced));
    });
}

/// The rule a classification would use, described: its source, the axes and regions a plot
/// draws, and the words for its results. Arguments as bowlby_classify's, without answers;
/// throws what bowlby_classify would for the same method (so a page can check its options
/// before the first question).
EMSCRIPTEN_KEEPALIVE int bowlby_rule(const char* id, const char* method, int has_scale, double smin, double smax,
                                     double sem_anx, double sem_avo, double cut_anx, double cut_avo, int at_cut,
                                     int rescale) {
    return guarded([&] {
        const auto o = options(has_scale, smin, smax, 0.5);
        const bowlby::key_view& key = bowlby::instrument(id);
        return rule_json(key, o.data_scale ? *o.data_scale : key.scale,
                         make_request(method, cut_anx, cut_avo, at_cut, rescale), {sem_anx, sem_avo});
    });
}

}  // extern "C"
