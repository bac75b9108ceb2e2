// The WebAssembly build of bowlby: a small C interface that the JavaScript wrapper
// (bowlby.mjs) turns into instruments(), score() and classify(). Results and error messages
// travel as JSON text; an error returns non-zero and bowlby_result() holds the library's
// message, which the wrapper throws as a JavaScript Error.
// The umbrella header: every public header is compiled here by clang with -Werror too.
#include <bowlby/bowlby.hpp>
#include <bowlby/classify.hpp>
#include <bowlby/detail/format.hpp>
#include <bowlby/instruments.hpp>
#include <bowlby/score.hpp>
#include <bowlby/version.hpp>

#include <emscripten/emscripten.h>

#include <cmath>
#include <exception>
#include <string>

namespace {

std::string result;

std::string quote(std::string_view s) {
    std::string q = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') q += '\\';
        if (static_cast<unsigned char>(c) < 0x20) continue;
        q += c;
    }
    return q + "\"";
}

std::string number(double x) { return std::isfinite(x) ? bowlby::detail::format_number(x) : "null"; }

std::string scale_json(const bowlby::response_scale& s) { return "[" + number(s.min) + "," + number(s.max) + "]"; }

bowlby::score_options options(int has_scale, double smin, double smax, double min_answered) {
    bowlby::score_options o;
    if (has_scale) o.data_scale = bowlby::response_scale{smin, smax, true};
    o.min_answered = min_answered;
    return o;
}

template <class F>
int guarded(F&& f) {
    try {
        result = f();
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

}  // namespace

extern "C" {

EMSCRIPTEN_KEEPALIVE const char* bowlby_result() { return result.c_str(); }

EMSCRIPTEN_KEEPALIVE const char* bowlby_version() { return bowlby::version_string; }

/// Every built-in instrument: id, name, items, scale, item names, scores, citation.
EMSCRIPTEN_KEEPALIVE int bowlby_instruments() {
    return guarded([] {
        std::string j = "[";
        for (const bowlby::key_view& k : bowlby::builtin_instruments()) {
            if (j.size() > 1) j += ",";
            j += "{\"id\":" + quote(k.id) + ",\"name\":" + quote(k.name) + ",\"items\":" + std::to_string(k.n_items) +
                 ",\"scale\":" + scale_json(k.scale) + ",\"item_names\":[";
            for (std::size_t i = 0; i < k.item_names.size(); ++i) j += (i ? "," : "") + quote(k.item_names[i]);
            j += "],\"scores\":[";
            for (std::size_t s = 0; s < k.n_scores(); ++s) j += (s ? "," : "") + quote(k.score_name(s));
            j += "],\"citation\":" + quote(k.citation) + "}";
        }
        return j + "]";
    });
}

/// Scores one respondent: answers (NaN = missing), the data's scale when not the instrument's.
EMSCRIPTEN_KEEPALIVE int bowlby_score(const char* id, const double* answers, int n, int has_scale, double smin,
                                      double smax, double min_answered) {
    return guarded([&] {
        const auto o = options(has_scale, smin, smax, min_answered);
        const auto r = score_answers(id, answers, n, o);
        const bowlby::response_scale scale = o.data_scale ? *o.data_scale : bowlby::instrument(id).scale;
        std::string j = "{\"instrument\":" + quote(id) + ",\"scale\":" + scale_json(scale) + ",\"scores\":[";
        for (std::size_t s = 0; s < r.names.size(); ++s) {
            const auto si = static_cast<Eigen::Index>(s);
            j += (s ? "," : "") + std::string("{\"name\":") + quote(r.names[s]) + ",\"value\":" + number(r.values(si)) +
                 ",\"answered\":" + std::to_string(r.answered(si)) +
                 ",\"status\":" + quote(bowlby::to_string(r.status[s])) + "}";
        }
        return j + "]}";
    });
}

/// Scores and classifies one respondent. method: midpoint, brennan1998, aas or rq; at_cut 0 low,
/// 1 high, 2 unclassified; sem_* <= 0 for unknown; cut_* NaN for the scale's midpoint;
/// rescale: brennan1998 on another scale, mapped onto 1-7; forced: the RQ forced choice
/// (0 secure, 1 preoccupied, 2 dismissing, 3 fearful, 4 none).
EMSCRIPTEN_KEEPALIVE int bowlby_classify(const char* id, const char* method_c, const double* answers, int n,
                                         int has_scale, double smin, double smax, double min_answered, double sem_anx,
                                         double sem_avo, double cut_anx, double cut_avo, int at_cut, int rescale,
                                         int forced) {
    return guarded([&] {
        const std::string method = method_c;
        const auto o = options(has_scale, smin, smax, min_answered);
        const bowlby::key_view& key = bowlby::instrument(id);
        const bowlby::response_scale scale = o.data_scale ? *o.data_scale : key.scale;
        const auto r = score_answers(id, answers, n, o);
        bowlby::classification c;
        double anx = NAN, avo = NAN;
        if (method == "rq") {
            if (key.id != "rq") throw bowlby::option_error("the rq rule is for the RQ only");
            c = bowlby::rq_classify(r.values(0), r.values(1), r.values(2), r.values(3),
                                    static_cast<bowlby::category>(forced));
        } else {
            const auto axes = bowlby::find_classification_axes(key);
            if (!axes) throw bowlby::option_error(std::string(id) + " has no anxiety and avoidance scores to classify");
            anx = r.values(axes->anxiety);
            avo = axes->avoidance_value(r.values(axes->avoidance), scale);
            const bowlby::measurement_error sem{sem_anx, sem_avo};
            const auto on = static_cast<bowlby::at_cut>(at_cut);
            if (method == "midpoint") {
                const auto rule = std::isnan(cut_anx) ? bowlby::midpoint_rule(scale, on)
                                                      : bowlby::user_cut_rule(cut_anx, cut_avo, "given cuts", on);
                c = rule.classify(anx, avo, sem);
            } else if (method == "aas") {
                if (key.id != "aas") throw bowlby::option_error("the aas rule is Collins' rule for the AAS only");
                c = bowlby::aas_collins_rule().classify(anx, avo, sem);
            } else if (method == "brennan1998") {
                bowlby::brennan_options bo;
                if (rescale) bo.rescale_from = scale;
                c = bowlby::brennan_rule(key, scale, bo).classify(anx, avo, sem);
            } else {
                throw bowlby::option_error("unknown or sample-based method '" + method +
                                           "' (one respondent: midpoint, brennan1998, aas or rq)");
            }
        }
        return "{\"method\":" + quote(method) + ",\"category\":" + quote(bowlby::to_string(c.cat)) +
               ",\"probability\":" + number(c.probability) + ",\"boundary_distance\":" + number(c.boundary_distance) +
               ",\"reason\":" + quote(c.reason) + ",\"anxiety\":" + number(anx) + ",\"avoidance\":" + number(avo) + "}";
    });
}

}  // extern "C"
