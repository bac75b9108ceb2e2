// bowlby._core: the C++ library for the Python package `bowlby` (bindings/python/src/bowlby),
// which gives it its pandas-facing API. Everything that scores, keys, checks or reports is
// the library's or the `bowlby` tool's (examples/cli); this module moves arrays and errors
// across.
#include "cli.hpp"
#include "core.hpp"

#include <bowlby/instruments.hpp>
#include <bowlby/reliability_result.hpp>
#include <bowlby/version.hpp>

#include <pybind11/stl.h>

#include <exception>
#include <string>

namespace bowlby_py {

namespace {

// Raises bowlby._errors.<name>(*args), the package's own exception classes.
void raise_as(const char* name, const py::tuple& args) {
    const py::object type = py::module_::import("bowlby._errors").attr(name);
    const py::object instance = type(*args);
    PyErr_SetObject(type.ptr(), instance.ptr());
}

void translate(std::exception_ptr p) {
    try {
        if (p) std::rethrow_exception(p);
    } catch (const bowlby::invalid_response& e) {
        raise_as("InvalidResponse", py::make_tuple(e.what(), e.row(), e.item(), e.value(), e.reason()));
    } catch (const bowlby::shape_error& e) {
        raise_as("ShapeError", py::make_tuple(e.what()));
    } catch (const bowlby::unknown_instrument& e) {
        raise_as("UnknownInstrument", py::make_tuple(e.what(), e.id()));
    } catch (const dtype_error& e) {
        raise_as("DTypeError", py::make_tuple(e.what()));
    } catch (const bowlby::option_error& e) {
        raise_as("OptionError", py::make_tuple(e.what()));
    } catch (const bowlby::key_error& e) {
        raise_as("OptionError", py::make_tuple(e.what()));
    } catch (const bowlby_cli::usage_error& e) {
        raise_as("OptionError", py::make_tuple(e.what()));
    } catch (const bowlby::error& e) {
        raise_as("Error", py::make_tuple(e.what()));
    }
}

py::list instruments() {
    py::list all;
    for (const bowlby::key_view& k : bowlby::builtin_instruments()) {
        py::list scores, item_names;
        for (std::size_t s = 0; s < k.n_scores(); ++s) scores.append(std::string(k.score_name(s)));
        for (const auto& n : k.item_names) item_names.append(std::string(n));
        py::dict d;
        d["id"] = std::string(k.id);
        d["name"] = std::string(k.name);
        d["items"] = k.n_items;
        d["scale"] = py::make_tuple(k.scale.min, k.scale.max);
        d["scores"] = scores;
        d["item_names"] = item_names;
        d["citation"] = std::string(k.citation);
        d["source"] = std::string(k.source);
        all.append(d);
    }
    return all;
}

// The key's definition, as Python's Questionnaire takes it.
py::dict describe(const key_handle& k) {
    const bowlby::key_view& v = k.view;
    py::list subscales, derived, item_names;
    for (const auto& s : v.subscales)
        subscales.append(py::make_tuple(std::string(s.name), std::vector<int>(s.items.begin(), s.items.end()),
                                        std::vector<int>(s.reversed.begin(), s.reversed.end()),
                                        s.agg == bowlby::aggregation::sum ? "sum" : "mean"));
    for (const auto& d : v.derived) {
        py::list terms;
        for (const auto& t : d.terms)
            terms.append(py::make_tuple(t.kind == bowlby::term::subscale ? "subscale" : "item", t.index, t.weight));
        derived.append(py::make_tuple(std::string(d.name), terms));
    }
    for (const auto& n : v.item_names) item_names.append(std::string(n));
    py::dict out;
    out["id"] = std::string(v.id);
    out["n_items"] = v.n_items;
    out["scale"] = py::make_tuple(v.scale.min, v.scale.max);
    out["integral"] = v.scale.integral;
    out["subscales"] = subscales;
    out["derived"] = derived;
    out["name"] = std::string(v.name);
    out["citation"] = std::string(v.citation);
    out["item_names"] = item_names;
    return out;
}

}  // namespace

}  // namespace bowlby_py

PYBIND11_MODULE(_core, m) {
    namespace py = pybind11;
    using namespace bowlby_py;
    m.doc() = "bowlby's C++ library; use the package `bowlby`, not this module.";
    m.attr("version") = bowlby::version_string;
    m.attr("default_seed") = bowlby::reliability_options{}.seed;
    py::register_exception_translator(&translate);
    py::class_<key_handle, std::shared_ptr<key_handle>>(m, "Key")
        .def_property_readonly("id", [](const key_handle& k) { return std::string(k.view.id); })
        .def_property_readonly("builtin", [](const key_handle& k) { return k.builtin; })
        .def_property_readonly("n_items", [](const key_handle& k) { return k.view.n_items; })
        .def_property_readonly("scale",
                               [](const key_handle& k) { return py::make_tuple(k.view.scale.min, k.view.scale.max); })
        .def_property_readonly("scores",
                               [](const key_handle& k) {
                                   std::vector<std::string> names;
                                   for (std::size_t s = 0; s < k.view.n_scores(); ++s)
                                       names.emplace_back(k.view.score_name(s));
                                   return names;
                               })
        .def("describe", &describe);
    m.def("builtin_key", &builtin_key, py::arg("id"));
    m.def("read_key_file", &read_key_file, py::arg("path"),
          "Reads a key file: (key, missing_codes, min_answered); OptionError naming the field when malformed.");
    m.def(
        "custom_key",
        [](const std::string& id, int n_items, double smin, double smax, bool integral, const py::list& subscales,
           const py::list& derived, const std::string& name, const std::string& citation,
           const std::vector<std::string>& item_names) {
            return custom_key(id, n_items, smin, smax, integral, subscales, derived, name, citation, item_names);
        },
        py::arg("id"), py::arg("n_items"), py::arg("scale_min"), py::arg("scale_max"), py::arg("integral"),
        py::arg("subscales"), py::arg("derived"), py::arg("name"), py::arg("citation"), py::arg("item_names"));
    m.def("instruments", &instruments);
    m.def(
        "resolve_columns",
        [](const std::string& spec, const std::vector<std::string>& header, const std::string& argument) {
            return bowlby_cli::resolve_columns(spec, header, argument);
        },
        py::arg("spec"), py::arg("header"), py::arg("argument"),
        "Column positions of a spec of names and FIRST:LAST spans, as the bowlby tool's --items.");
    bind_score(m);
    bind_reliability(m);
    bind_classify(m);
    bind_couples(m);
}
