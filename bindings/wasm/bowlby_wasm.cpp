// The WebAssembly build of bowlby: a small C interface that the JavaScript wrapper
// (bowlby.mjs) turns into instruments(), loadKey(), score(), classify(), rule() and screen().
// Results and error messages travel as JSON text; an error returns non-zero and
// bowlby_result() holds the library's message, which the wrapper throws as a JavaScript Error.
// The rule of a classification method is made by the `bowlby` tool's code
// (examples/cli/classify_setup.cpp), and key files are read by the tool's reader
// (examples/cli/key_file.cpp); only the words of classification errors are this module's.
// The umbrella header: every public header is compiled here by clang with -Werror too.
#include <bowlby/bowlby.hpp>
#include <bowlby/classify.hpp>
#include <bowlby/instruments.hpp>
#include <bowlby/regions.hpp>
#include <bowlby/score.hpp>
#include <bowlby/screen.hpp>
#include <bowlby/version.hpp>

#include "classify_setup.hpp"
#include "key_file.hpp"

#include <nlohmann/json.hpp>

#include <emscripten/emscripten.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace {

using json = nlohmann::ordered_json;

std::string result;

json scale_json(const bowlby::response_scale& s) { return json::array({s.min, s.max}); }

// The key files loaded (bowlby_load_key), each once by its text; a handle is an index here.
// They live as long as the module: a page loads a few.
std::vector<std::unique_ptr<const bowlby_cli::key_file>> loaded_keys;
std::map<std::string, int> key_handles;

// The key of a call: the key file loaded as `handle`, or (handle < 0) the built-in `id`.
const bowlby::key_view& key_of(const char* id, int handle) {
    if (handle < 0) return bowlby::instrument(id);
    if (static_cast<std::size_t>(handle) >= loaded_keys.size())
        throw bowlby::option_error("no key loaded as that handle");
    return loaded_keys[static_cast<std::size_t>(handle)]->key.view();
}

const bowlby_cli::key_file* key_file_of(int handle) {
    return handle < 0 ? nullptr : loaded_keys[static_cast<std::size_t>(handle)].get();
}

// The scoring options of a call, as `bowlby score --key` makes them: the key file's missing
// codes with those given added, and its min_answered unless one is given (NaN: not given;
// 0.5 for a built-in instrument).
bowlby::score_options options(int handle, int has_scale, double smin, double smax, double min_answered,
                              const double* codes, int n_codes) {
    bowlby::score_options o;
    if (has_scale) o.data_scale = bowlby::response_scale{smin, smax, true};
    const bowlby_cli::key_file* file = key_file_of(handle);
    o.min_answered = !std::isnan(min_answered) ? min_answered : file ? file->min_answered : 0.5;
    for (int i = 0; i < n_codes; ++i) o.missing_codes.push_back(codes[i]);
    if (file) bowlby_cli::add_key_missing_codes(*file, o);
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

bowlby::respondent_scores<double> score_answers(const bowlby::key_view& key, const double* answers, int n,
                                                const bowlby::score_options& o) {
    if (n != key.n_items)
        throw bowlby::shape_error(std::string(key.id) + " has " + std::to_string(key.n_items) + " items, got " +
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

// What instruments() says of a key: id, name, items, scale, item names, scores, methods, citation.
json instrument_json(const bowlby::key_view& k) {
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
    return j;
}

// The flags given as a JSON object {name: threshold, or "off", or null}.
std::vector<bowlby::flag_setting> flag_settings(const char* text) {
    const json given = json::parse(text);  // written by the wrapper
    std::vector<bowlby::flag_setting> out;
    for (auto it = given.begin(); it != given.end(); ++it) {
        const json& v = it.value();
        if (v.is_number() && std::isfinite(v.get<double>()))
            out.push_back({it.key(), v.get<double>()});
        else if (v.is_null() || (v.is_string() && v.get<std::string>() == "off"))
            out.push_back({it.key(), std::nullopt});
        else
            throw bowlby::option_error("flags." + it.key() + ": a threshold (a number) or 'off' is needed");
    }
    return out;
}

// The one-pass screening indices (those that need no sample) of `rows` rows of n answers, with
// the flags in force and those each row raises: the columns of `bowlby screen --one-pass`.
json screen_rows(const bowlby::key_view& key, const bowlby::score_options& o, const double* answers, int rows, int n,
                 const double* seconds, std::vector<int> order, const std::vector<bowlby::flag_setting>& settings) {
    if (n != key.n_items)
        throw bowlby::shape_error(std::string(key.id) + " has " + std::to_string(key.n_items) + " items, got " +
                                  std::to_string(n) + " answers");
    bowlby::screen_options so;
    so.presented_order = std::move(order);
    const bowlby::screen_layout layout(key, o, so);
    const std::vector<bowlby::screen_flag> flags =
        bowlby::flags_in_force(layout, settings, false, seconds != nullptr, "given in flags");
    const bowlby::screen_columns_of which{false, seconds != nullptr};
    const std::vector<std::string> names = bowlby::screen_columns(layout, which);
    const json columns = names;
    json in_force = json::array();
    for (const bowlby::screen_flag& f : flags) {
        json one;
        one["name"] = f.name;
        one["rule"] = bowlby::to_string(f.compare);
        one["threshold"] = f.threshold;
        one["source"] = f.source;
        in_force.push_back(one);
    }
    bowlby::screener s(layout);
    bowlby::screen_indices ix;
    json out_rows = json::array();
    for (int r = 0; r < rows; ++r) {
        const auto ri = static_cast<std::size_t>(r);
        double duration = NAN;
        if (seconds) {
            duration = seconds[r];
            if (duration < 0 || std::isinf(duration))
                throw bowlby::option_error("row " + std::to_string(r + 1) +
                                           ": seconds must be a number of seconds, 0 or more");
        }
        s.screen_into(ix, answers + static_cast<std::ptrdiff_t>(ri * static_cast<std::size_t>(n)), 1, ri, duration);
        json row;
        std::size_t c = 0;
        bowlby::for_each_index(ix, which, [&](double v) { row[names[c++]] = v; });
        json raised = json::array();
        for (const bowlby::screen_flag& f : flags)
            if (bowlby::raised(f, ix)) raised.push_back(f.name);
        const std::size_t n_raised = raised.size();
        row["flags"] = std::move(raised);
        row["n_flags"] = n_raised;
        out_rows.push_back(row);
    }
    json j;
    j["instrument"] = std::string(key.id);
    j["scale"] = scale_json(layout.scale());
    j["columns"] = columns;
    j["flags_in_force"] = in_force;
    j["rows"] = out_rows;
    return j;
}

}  // namespace

extern "C" {

EMSCRIPTEN_KEEPALIVE const char* bowlby_result() { return result.c_str(); }

EMSCRIPTEN_KEEPALIVE const char* bowlby_version() { return bowlby::version_string; }

/// Every built-in instrument: id, name, items, scale, item names, scores, citation.
EMSCRIPTEN_KEEPALIVE int bowlby_instruments() {
    return guarded([] {
        json all = json::array();
        for (const bowlby::key_view& k : bowlby::builtin_instruments()) all.push_back(instrument_json(k));
        return all;
    });
}

/// Reads a key file's text (docs/key-files.md); `where` names it in messages. The result is
/// what instruments() says of an instrument, with the key file's missing codes and
/// min_answered, and the handle that the other functions take. The same text gives the same
/// handle.
EMSCRIPTEN_KEEPALIVE int bowlby_load_key(const char* text, const char* where) {
    return guarded([&] {
        const std::string t(text);
        auto at = key_handles.find(t);
        if (at == key_handles.end()) {
            loaded_keys.push_back(std::make_unique<const bowlby_cli::key_file>(bowlby_cli::parse_key_file(t, where)));
            at = key_handles.emplace(t, static_cast<int>(loaded_keys.size() - 1)).first;
        }
        const bowlby_cli::key_file& file = *loaded_keys[static_cast<std::size_t>(at->second)];
        json j = instrument_json(file.key.view());
        j["missing_codes"] = file.missing_codes;
        j["min_answered"] = file.min_answered;
        j["handle"] = at->second;
        return j;
    });
}

/// Scores one respondent: answers (NaN = missing), the data's scale when not the instrument's;
/// the key: a built-in id, or a handle >= 0 of a loaded key file; min_answered NaN for the
/// key's; missing codes besides the key file's.
EMSCRIPTEN_KEEPALIVE int bowlby_score(const char* id, int handle, const double* answers, int n, int has_scale,
                                      double smin, double smax, double min_answered, const double* codes, int n_codes) {
    return guarded([&] {
        const bowlby::key_view& key = key_of(id, handle);
        const auto o = options(handle, has_scale, smin, smax, min_answered, codes, n_codes);
        const auto r = score_answers(key, answers, n, o);
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
        j["instrument"] = std::string(key.id);
        j["scale"] = scale_json(o.data_scale ? *o.data_scale : key.scale);
        j["scores"] = scores;
        return j;
    });
}

/// Scores and classifies one respondent. The key and scoring arguments as bowlby_score's;
/// method: midpoint, brennan1998, aas or rq; at_cut 0 low, 1 high, 2 unclassified; sem_* <= 0
/// for unknown; cut_* NaN for the scale's midpoint; rescale: brennan1998 on another scale,
/// mapped onto 1-7; forced: the RQ forced choice (0 secure, 1 preoccupied, 2 dismissing,
/// 3 fearful, 4 none).
EMSCRIPTEN_KEEPALIVE int bowlby_classify(const char* id, int handle, const char* method, const double* answers, int n,
                                         int has_scale, double smin, double smax, double min_answered,
                                         const double* codes, int n_codes, double sem_anx, double sem_avo,
                                         double cut_anx, double cut_avo, int at_cut, int rescale, int forced) {
    return guarded([&] {
        const bowlby::key_view& key = key_of(id, handle);
        const auto o = options(handle, has_scale, smin, smax, min_answered, codes, n_codes);
        const auto r = score_answers(key, answers, n, o);
        const bowlby_cli::rule_request req = make_request(method, cut_anx, cut_avo, at_cut, rescale);
        return classify_scores(key, o.data_scale ? *o.data_scale : key.scale, r, req, {sem_anx, sem_avo},
                               static_cast<bowlby::category>(forced));
    });
}

/// The rule a classification would use, described: its source, the axes and regions a plot
/// draws, and the words for its results. Arguments as bowlby_classify's, without answers;
/// throws what bowlby_classify would for the same method (so a page can check its options
/// before the first question).
EMSCRIPTEN_KEEPALIVE int bowlby_rule(const char* id, int handle, const char* method, int has_scale, double smin,
                                     double smax, double sem_anx, double sem_avo, double cut_anx, double cut_avo,
                                     int at_cut, int rescale) {
    return guarded([&] {
        const bowlby::key_view& key = key_of(id, handle);
        const auto o = options(handle, has_scale, smin, smax, NAN, nullptr, 0);
        return rule_json(key, o.data_scale ? *o.data_scale : key.scale,
                         make_request(method, cut_anx, cut_avo, at_cut, rescale), {sem_anx, sem_avo});
    });
}

/// The careless-responding indices that need no sample (bowlby/screen.hpp) of `rows` rows of
/// n answers each (row after row), with the flags each raises. The key and scoring arguments
/// as bowlby_score's; seconds: each row's time on the items in seconds (NaN: unknown), or null
/// for none (no seconds_per_item); order: the items as presented, 0-based (n_order 0: the
/// key's order); flags: a JSON object {name: threshold or "off"} changing the defaults.
EMSCRIPTEN_KEEPALIVE int bowlby_screen(const char* id, int handle, const double* answers, int rows, int n,
                                       const double* seconds, int has_scale, double smin, double smax,
                                       const double* codes, int n_codes, const int* order, int n_order,
                                       const char* flags) {
    return guarded([&] {
        const bowlby::key_view& key = key_of(id, handle);
        const auto o = options(handle, has_scale, smin, smax, NAN, codes, n_codes);
        return screen_rows(key, o, answers, rows, n, seconds, std::vector<int>(order, order + n_order),
                           flag_settings(flags));
    });
}

}  // extern "C"
