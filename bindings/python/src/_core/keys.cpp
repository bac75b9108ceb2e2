// Keys and options from Python's arguments.
#include "arrays.hpp"

#include "key_file.hpp"

#include <pybind11/stl.h>

#include <cmath>
#include <limits>

namespace bowlby_py {

key_ptr builtin_key(const std::string& id) {
    auto k = std::make_shared<key_handle>();
    k->view = bowlby::instrument(id);  // unknown_instrument otherwise
    k->builtin = id;
    return k;
}

namespace {

bowlby::aggregation aggregation_of(const std::string& how) {
    if (how == "mean") return bowlby::aggregation::mean;
    if (how == "sum") return bowlby::aggregation::sum;
    throw bowlby::option_error("a subscale is a 'mean' or a 'sum', not '" + how + "'");
}

bowlby::term term_of(const py::handle& t) {
    const auto parts = t.cast<py::tuple>();
    if (parts.size() != 3) throw bowlby::option_error("a derived score's term is (kind, index, weight)");
    const auto kind = parts[0].cast<std::string>();
    if (kind != "subscale" && kind != "item")
        throw bowlby::option_error("a derived score's term is of a 'subscale' or an 'item', not '" + kind + "'");
    return {kind == "subscale" ? bowlby::term::subscale : bowlby::term::item, parts[1].cast<int>(),
            parts[2].cast<double>()};
}

}  // namespace

key_ptr custom_key(const std::string& id, int n_items, double scale_min, double scale_max, bool integral,
                   const py::list& subscales, const py::list& derived, const std::string& name,
                   const std::string& citation, const std::vector<std::string>& item_names) {
    auto q =
        std::make_shared<bowlby::questionnaire>(id, n_items, bowlby::response_scale{scale_min, scale_max, integral});
    for (const py::handle& s : subscales) {
        const auto parts = s.cast<py::tuple>();
        if (parts.size() != 4) throw bowlby::option_error("a subscale is (name, items, reversed, aggregation)");
        q->add_subscale(parts[0].cast<std::string>(), parts[1].cast<std::vector<int>>(),
                        parts[2].cast<std::vector<int>>(), aggregation_of(parts[3].cast<std::string>()));
    }
    for (const py::handle& d : derived) {
        const auto parts = d.cast<py::tuple>();
        if (parts.size() != 2) throw bowlby::option_error("a derived score is (name, terms)");
        std::vector<bowlby::term> terms;
        for (const py::handle& t : parts[1].cast<py::list>()) terms.push_back(term_of(t));
        q->add_derived(parts[0].cast<std::string>(), std::move(terms));
    }
    if (!name.empty()) q->set_name(name);
    if (!citation.empty()) q->set_citation(citation);
    if (!item_names.empty()) q->set_item_names(item_names);
    auto k = std::make_shared<key_handle>();
    k->view = q->view();  // key_error with check_key's sentence when unsound
    k->owned = std::move(q);
    return k;
}

py::tuple read_key_file(const std::string& path) {
    bowlby_cli::key_file file = bowlby_cli::read_key_file(path);  // key_error naming the path and field
    auto q = std::make_shared<bowlby::questionnaire>(std::move(file.key));
    auto k = std::make_shared<key_handle>();
    k->view = q->view();
    k->owned = std::move(q);
    return py::make_tuple(k, file.missing_codes, file.min_answered);
}

bowlby::score_options make_options(const key_handle& key, const std::optional<std::pair<double, double>>& scale,
                                   const std::vector<double>& missing_codes, double min_answered,
                                   const std::string& on_invalid, long threads) {
    bowlby::score_options o;
    if (scale) {
        if (!(scale->first < scale->second) || !std::isfinite(scale->first) || !std::isfinite(scale->second))
            throw bowlby::option_error("scale takes (min, max) with finite min < max");
        o.data_scale = bowlby::response_scale{scale->first, scale->second, key.view.scale.integral};
    }
    o.missing_codes = missing_codes;
    if (!(min_answered >= 0 && min_answered <= 1))
        throw bowlby::option_error("min_answered must be a fraction in [0, 1]");
    o.min_answered = min_answered;
    if (on_invalid == "error")
        o.on_invalid = bowlby::invalid_policy::error;
    else if (on_invalid == "missing")
        o.on_invalid = bowlby::invalid_policy::missing;
    else
        throw bowlby::option_error("on_invalid takes 'error' or 'missing', not '" + on_invalid + "'");
    if (threads < 0 || threads > 1024) throw bowlby::option_error("threads takes a whole number from 0 (0: all cores)");
    o.threads = static_cast<unsigned>(threads);
    return o;
}

void check_items(const bowlby::key_view& key, Eigen::Index cols) {
    if (cols != key.n_items)
        throw bowlby::shape_error(std::string(key.id) + " has " + std::to_string(key.n_items) +
                                  " items; the answers have " + std::to_string(cols) + " columns");
}

}  // namespace bowlby_py
