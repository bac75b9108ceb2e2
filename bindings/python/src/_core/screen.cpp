// bowlby._core screen: careless-responding indices of each row (bowlby/screen.hpp) over a numpy
// array read in place, with the flags in force and those each row raised.
#include "core.hpp"

#include <bowlby/screen.hpp>

#include <pybind11/stl.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace bowlby_py {

namespace {

using durations_array = py::array_t<double, py::array::c_style | py::array::forcecast>;

struct screened {
    std::vector<std::string> names;           // the index columns, in the tool's order
    std::vector<std::vector<double>> values;  // per column, one per row
    std::vector<std::string> flags;           // per row: the flags raised, joined by ';'
    std::vector<std::int64_t> n_flags;
};

py::dict screen(const key_ptr& key, const py::array& data, const std::optional<std::pair<double, double>>& scale,
                const std::vector<double>& missing_codes, const std::string& on_invalid,
                const std::vector<int>& presented_order, const std::optional<durations_array>& durations, bool one_pass,
                double syn_r, double ant_r, const std::vector<bowlby::flag_setting>& settings) {
    const bowlby::score_options scoring = make_options(*key, scale, missing_codes, 0.5, on_invalid, 1);
    bowlby::screen_options options;
    options.syn_r = syn_r;
    options.ant_r = ant_r;
    options.presented_order = presented_order;
    auto layout = std::make_unique<bowlby::screen_layout>(key->view, scoring, options);
    const std::vector<bowlby::screen_flag> flags =
        bowlby::flags_in_force(*layout, settings, !one_pass, durations.has_value(), "given with flags=");
    screened out;
    std::optional<bowlby::screen_statistics> stats;
    with_matrix(data, [&](const auto& x) {
        check_items(key->view, x.cols());
        if (durations && durations->size() != x.rows()) throw bowlby::shape_error("duration needs one value per row");
        const py::gil_scoped_release unlocked;
        if (!one_pass) {
            bowlby::screen_sample sample(*layout);
            sample.add(x);
            stats = sample.finish();
        }
        bowlby::screener s(*layout, stats ? &*stats : nullptr);
        const bowlby::screen_columns_of which{!one_pass, durations.has_value()};
        out.names = bowlby::screen_columns(*layout, which);
        out.values.assign(out.names.size(), std::vector<double>(static_cast<std::size_t>(x.rows())));
        bowlby::screen_indices ix;
        std::string raised;
        for (Eigen::Index r = 0; r < x.rows(); ++r) {
            const double d = durations ? durations->at(r) : std::numeric_limits<double>::quiet_NaN();
            s.screen_into(ix, x.data() + r * x.rowStride(), x.colStride(), static_cast<std::size_t>(r), d);
            std::size_t c = 0;
            bowlby::for_each_index(ix, which, [&](double v) { out.values[c++][static_cast<std::size_t>(r)] = v; });
            const auto n = static_cast<std::int64_t>(bowlby::raised_flags(flags, ix, raised));
            out.flags.push_back(raised);
            out.n_flags.push_back(n);
        }
    });
    py::dict d;
    py::list columns;
    for (std::size_t c = 0; c < out.names.size(); ++c)
        columns.append(py::make_tuple(
            out.names[c], py::array_t<double>(static_cast<py::ssize_t>(out.values[c].size()), out.values[c].data())));
    d["columns"] = columns;
    d["flags"] = out.flags;
    d["n_flags"] = py::array_t<std::int64_t>(static_cast<py::ssize_t>(out.n_flags.size()), out.n_flags.data());
    py::list in_force;
    for (const bowlby::screen_flag& f : flags) {
        py::dict o;
        o["name"] = f.name;
        o["rule"] = std::string(bowlby::to_string(f.compare));
        o["threshold"] = f.threshold;
        o["source"] = f.source;
        in_force.append(o);
    }
    d["flags_in_force"] = in_force;
    d["covariance_problem"] = stats ? stats->covariance_problem : std::string();
    return d;
}

}  // namespace

void bind_screen(py::module_& m) {
    py::class_<bowlby::flag_setting>(m, "FlagSetting")
        .def(py::init([](std::string name, std::optional<double> threshold) {
                 return bowlby::flag_setting{std::move(name), threshold};
             }),
             py::arg("name"), py::arg("threshold"));
    m.def("screen", &screen, py::arg("key"), py::arg("data"), py::arg("scale"), py::arg("missing_codes"),
          py::arg("on_invalid"), py::arg("presented_order"), py::arg("durations"), py::arg("one_pass"),
          py::arg("syn_r"), py::arg("ant_r"), py::arg("settings"),
          "Careless-responding indices of each row and the flags raised (bowlby::screener).");
}

}  // namespace bowlby_py
