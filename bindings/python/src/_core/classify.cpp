// bowlby._core.classify: four-category classification of score tables by the `bowlby` tool's
// method dispatch (examples/cli/classify_setup.cpp), its errors in the words of Python's
// arguments.
#include "classify_setup.hpp"
#include "core.hpp"

#include <bowlby/classify.hpp>

#include <pybind11/stl.h>

#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <utility>
#include <vector>

namespace bowlby_py {

namespace {

using scores_array = py::array_t<double, py::array::f_style | py::array::forcecast>;

// A rule_error in the words of classify()'s arguments.
bowlby::option_error in_python_words(const bowlby_cli::rule_error& e, const bowlby::key_view& key,
                                     const std::string& method) {
    const std::string id(key.id);
    switch (e.problem) {
        case bowlby_cli::rule_problem::unknown_method:
            return bowlby::option_error("method takes midpoint, median, brennan1998, kmeans, rq or aas, not '" +
                                        method + "'");
        case bowlby_cli::rule_problem::rq_only:
            return bowlby::option_error("method 'rq' is the RQ's own rule; for " + id +
                                        " use midpoint, median, brennan1998 or kmeans");
        case bowlby_cli::rule_problem::not_for_rq:
            return bowlby::option_error("the RQ has no anxiety and avoidance scores: use method='rq'");
        case bowlby_cli::rule_problem::aas_only:
            return bowlby::option_error("method 'aas' is Collins' rule for the AAS only");
        case bowlby_cli::rule_problem::no_axes:
            break;
    }
    return bowlby::option_error(e.what());
}

bowlby::at_cut at_cut_of(const std::string& mode) {
    if (mode == "low") return bowlby::at_cut::low;
    if (mode == "high") return bowlby::at_cut::high;
    if (mode == "unclassified") return bowlby::at_cut::unclassified;
    throw bowlby::option_error("at_cut takes 'low', 'high' or 'unclassified', not '" + mode + "'");
}

bowlby::response_scale scale_of(const key_handle& key, const std::optional<std::pair<double, double>>& scale) {
    if (!scale) return key.view.scale;
    return {scale->first, scale->second, key.view.scale.integral};
}

struct classified {
    std::vector<std::uint8_t> category;
    std::vector<double> probability;
};

// Every distinct (anxiety, avoidance) pair classified once (a rule of functions integrates
// numerically for each), then looked up row by row.
classified by_pairs(const bowlby_cli::classifier& rule, const std::vector<double>& anx,
                    const std::vector<double>& avo) {
    std::map<std::pair<double, double>, bowlby::classification> seen;
    classified out;
    for (std::size_t r = 0; r < anx.size(); ++r) {
        const std::pair<double, double> p{anx[r], avo[r]};
        bowlby::classification c;
        if (std::isnan(p.first) || std::isnan(p.second)) {
            c = rule.classify(p.first, p.second);
        } else {
            auto it = seen.find(p);
            if (it == seen.end()) it = seen.emplace(p, rule.classify(p.first, p.second)).first;
            c = it->second;
        }
        out.category.push_back(static_cast<std::uint8_t>(c.cat));
        out.probability.push_back(c.probability);
    }
    return out;
}

classified classify_rq(const scores_array& scores, const std::optional<std::vector<std::uint8_t>>& forced) {
    const auto s = scores.unchecked<2>();
    classified out;
    for (py::ssize_t r = 0; r < s.shape(0); ++r) {
        const auto f = forced ? static_cast<bowlby::category>((*forced)[static_cast<std::size_t>(r)])
                              : bowlby::category::unclassified;
        const bowlby::classification c = bowlby::rq_classify(s(r, 0), s(r, 1), s(r, 2), s(r, 3), f);
        out.category.push_back(static_cast<std::uint8_t>(c.cat));
        out.probability.push_back(c.probability);
    }
    return out;
}

}  // namespace

/// The dimensions a method reads on an instrument: score columns and the subscales whose SEMs
/// give the firmness.
py::dict dimensions(const key_ptr& key, const std::optional<std::pair<double, double>>& scale,
                    const std::string& method) {
    try {
        const bowlby_cli::dimensions d = bowlby_cli::find_dimensions(key->view, scale_of(*key, scale), method);
        py::dict out;
        out["anxiety"] = d.anxiety;
        out["avoidance"] = d.avoidance;
        out["avoidance_reflected"] = d.avoidance_reflected;
        out["anxiety_subscale"] = d.anxiety_subscale;
        out["avoidance_subscale"] = d.avoidance_subscale;
        return out;
    } catch (const bowlby_cli::rule_error& e) {
        throw in_python_words(e, key->view, method);
    }
}

py::tuple classify(const key_ptr& key, const std::optional<std::pair<double, double>>& scale,
                   const scores_array& scores, const bowlby_cli::rule_request& req,
                   const std::pair<double, double>& sem, const std::optional<std::vector<std::uint8_t>>& forced,
                   const std::optional<scores_array>& fit) {
    const bowlby::response_scale sc = scale_of(*key, scale);
    if (scores.ndim() != 2 || scores.shape(1) != static_cast<py::ssize_t>(key->view.n_scores()))
        throw bowlby::shape_error("the scores need one column per score of " + std::string(key->view.id));
    if (fit && (fit->ndim() != 2 || fit->shape(1) != scores.shape(1)))
        throw bowlby::shape_error("fit_on's scores need one column per score of " + std::string(key->view.id));
    if (forced && static_cast<py::ssize_t>(forced->size()) != scores.shape(0))
        throw bowlby::shape_error("forced_choice needs one entry per row");
    classified out;
    try {
        const bowlby_cli::dimensions d = bowlby_cli::find_dimensions(key->view, sc, req.method);
        if (req.method == "rq") {
            out = classify_rq(scores, forced);
        } else {
            const auto s = scores.unchecked<2>();
            std::vector<double> anx, avo;
            bowlby_cli::point_counts points;
            for (py::ssize_t r = 0; r < s.shape(0); ++r) {
                anx.push_back(s(r, d.anxiety));
                avo.push_back(d.avo(s(r, d.avoidance)));
                if (!fit && std::isfinite(anx.back()) && std::isfinite(avo.back()))
                    points[{anx.back(), avo.back()}] += 1;
            }
            if (fit) {  // the sample a rule is fitted to (median, kmeans) is another one
                const auto f = fit->unchecked<2>();
                for (py::ssize_t r = 0; r < f.shape(0); ++r) {
                    const double x = f(r, d.anxiety), y = d.avo(f(r, d.avoidance));
                    if (std::isfinite(x) && std::isfinite(y)) points[{x, y}] += 1;
                }
            }
            const bowlby_cli::classifier rule =
                bowlby_cli::make_classifier(req, key->view, sc, points, {sem.first, sem.second});
            const py::gil_scoped_release unlocked;
            out = by_pairs(rule, anx, avo);
        }
    } catch (const bowlby_cli::rule_error& e) {
        throw in_python_words(e, key->view, req.method);
    } catch (const bowlby::error&) {
        throw;
    } catch (const std::runtime_error& e) {  // the sample cannot give the rule (too few respondents)
        throw bowlby::option_error(e.what());
    }
    return py::make_tuple(
        py::array_t<std::uint8_t>(static_cast<py::ssize_t>(out.category.size()), out.category.data()),
        py::array_t<double>(static_cast<py::ssize_t>(out.probability.size()), out.probability.data()));
}

void bind_classify(py::module_& m) {
    py::class_<bowlby_cli::rule_request>(m, "RuleRequest")
        .def(py::init<>())
        .def_readwrite("method", &bowlby_cli::rule_request::method)
        .def_readwrite("cut", &bowlby_cli::rule_request::cut)
        .def_readwrite("cut_source", &bowlby_cli::rule_request::cut_source)
        .def_property(
            "at_cut", [](const bowlby_cli::rule_request&) { return py::none(); },
            [](bowlby_cli::rule_request& r, const std::string& mode) { r.on_cut = at_cut_of(mode); })
        .def_readwrite("rescale", &bowlby_cli::rule_request::rescale)
        .def_readwrite("allow_other_instrument", &bowlby_cli::rule_request::allow_other_instrument)
        .def_readwrite("seed", &bowlby_cli::rule_request::seed);
    m.def(
        "forced_choice",
        [](const std::vector<std::string>& cells) {
            std::vector<std::uint8_t> codes;
            for (const auto& c : cells) codes.push_back(static_cast<std::uint8_t>(bowlby_cli::parse_forced_choice(c)));
            return codes;
        },
        py::arg("cells"), "The RQ's forced choice cells (a prototype or A-D; empty: none) as category codes.");
    m.def("dimensions", &dimensions, py::arg("key"), py::arg("scale"), py::arg("method"));
    m.def("classify", &classify, py::arg("key"), py::arg("scale"), py::arg("scores"), py::arg("rule"), py::arg("sem"),
          py::arg("forced"), py::arg("fit") = py::none());
}

}  // namespace bowlby_py
