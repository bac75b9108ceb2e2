// bowlby._core couples and change: partners paired by dyad id with their similarity
// (bowlby/dyads.hpp), and each person's reliable change between two waves (bowlby/change.hpp).
// Python shapes the frames; the pairing, the statistics and the RCI are the library's.
#include "core.hpp"

#include <bowlby/change.hpp>
#include <bowlby/classify.hpp>
#include <bowlby/dyads.hpp>

#include <pybind11/eigen.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace bowlby_py {

namespace {

using scores_array = py::array_t<double, py::array::f_style | py::array::forcecast>;

// A rows x scores array as a score table (values only: what pairing and change read).
bowlby::score_table<double> table_of(const scores_array& values, const std::vector<std::string>& names,
                                     const char* what) {
    if (values.ndim() != 2 || values.shape(1) != static_cast<py::ssize_t>(names.size()))
        throw bowlby::shape_error(std::string(what) + " needs one column per score");
    bowlby::score_table<double> t;
    t.names = names;
    t.values = Eigen::Map<const Eigen::MatrixXd>(values.data(), values.shape(0), values.shape(1));
    return t;
}

py::list correlations(const std::vector<bowlby::dyad_correlation>& cs, bool with_z) {
    py::list out;
    for (const bowlby::dyad_correlation& c : cs) {
        py::dict d;
        d["x"] = c.x;
        d["y"] = c.y;
        d["r"] = c.r;
        if (with_z) d["z"] = c.z;
        d["n"] = c.n;
        out.append(d);
    }
    return out;
}

py::dict dyads(const scores_array& values, const std::vector<std::string>& names, const std::vector<std::string>& ids,
               const std::vector<std::string>& distinguish) {
    const bowlby::score_table<double> t = table_of(values, names, "the scores");
    if (static_cast<Eigen::Index>(ids.size()) != t.rows())
        throw bowlby::shape_error("the dyad ids need one entry per row");
    const bowlby::dyad_pairing p = bowlby::pair_dyads(ids, distinguish);
    std::vector<std::string> dyad;
    std::vector<std::size_t> row1, row2;
    for (const bowlby::dyad_pair& d : p.pairs) {
        dyad.push_back(d.dyad);
        row1.push_back(d.row1);
        row2.push_back(d.row2);
    }
    py::list unpaired;
    for (const bowlby::unpaired_dyad& u : p.unpaired)
        unpaired.append(py::make_tuple(u.dyad, u.rows, std::string(bowlby::to_string(u.reason))));
    const bowlby::dyad_similarity s = bowlby::dyad_statistics(t, p);
    py::dict out;
    out["dyad"] = dyad;
    out["row1"] = row1;
    out["row2"] = row2;
    out["unpaired"] = unpaired;
    out["distinguishable"] = s.distinguishable;
    if (s.distinguishable) {
        out["partner_correlation"] = correlations(s.partner, false);
        out["cross_partner_correlation"] = correlations(s.cross_partner, false);
    } else {
        out["intraclass"] = correlations(s.intraclass, true);
        out["cross_intraclass"] = correlations(s.cross_intraclass, false);
    }
    return out;
}

std::vector<std::string> pairing_names(const std::vector<std::uint8_t>& a, const std::vector<std::uint8_t>& b) {
    if (a.size() != b.size()) throw bowlby::shape_error("the two partners' categories differ in length");
    std::vector<std::string> out;
    out.reserve(a.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i] > 4 || b[i] > 4) throw bowlby::option_error("a category code is from 0 to 4");
        out.push_back(bowlby::pairing_name(static_cast<bowlby::category>(a[i]), static_cast<bowlby::category>(b[i])));
    }
    return out;
}

// The scales whose alpha is each score's reliability in the RCI, as a key, and per score its
// subscale there (-1: none).
py::tuple change_reliability_scales(const key_ptr& key) {
    bowlby::change_reliability_scales s = bowlby::reliability_scales_for_change(key->view);
    auto q = std::make_shared<bowlby::questionnaire>(std::move(s.scales));
    auto k = std::make_shared<key_handle>();
    k->view = q->view();
    k->owned = std::move(q);
    return py::make_tuple(k, s.scale_of);
}

py::list direction_names(const std::vector<std::vector<bowlby::reliable_direction>>& d) {
    py::list out;
    for (const auto& person : d) {
        std::vector<std::string> row;
        for (const bowlby::reliable_direction x : person) row.emplace_back(bowlby::to_string(x));
        out.append(row);
    }
    return out;
}

py::dict change(const key_ptr& key, const scores_array& pre_values, const scores_array& post_values,
                const std::vector<std::string>& names, const std::vector<std::string>& pre_ids,
                const std::vector<std::string>& post_ids, const std::vector<double>& reliability,
                const std::vector<std::optional<double>>& sd, double rci_z,
                const std::vector<std::optional<std::pair<double, double>>>& functional, bool lower_is_better) {
    const bowlby::score_table<double> pre = table_of(pre_values, names, "the pre wave's scores");
    const bowlby::score_table<double> post = table_of(post_values, names, "the post wave's scores");
    if (static_cast<Eigen::Index>(pre_ids.size()) != pre.rows() ||
        static_cast<Eigen::Index>(post_ids.size()) != post.rows())
        throw bowlby::shape_error("the ids need one entry per row of their wave");
    const bowlby::wave_pairing pairing = bowlby::pair_waves(pre_ids, post_ids);
    std::vector<bowlby::change_basis> basis = bowlby::pre_wave_basis(pre, reliability);
    if (!sd.empty() && sd.size() != names.size()) throw bowlby::option_error("sd takes one value per score");
    for (std::size_t s = 0; s < sd.size(); ++s)
        if (sd[s]) basis[s].sd = *sd[s];
    bowlby::change_options o;
    o.rci_z = rci_z;
    o.lower_is_better = lower_is_better;
    if (!functional.empty() && functional.size() != names.size())
        throw bowlby::option_error("functional takes one (mean, sd) per score, or None for a score without");
    for (const auto& f : functional)
        o.functional.push_back(f ? std::optional<bowlby::functional_norm>(bowlby::functional_norm{f->first, f->second})
                                 : std::nullopt);
    if (const auto axes = bowlby::find_classification_axes(key->view))
        o.plane = std::make_pair(static_cast<Eigen::Index>(axes->anxiety), static_cast<Eigen::Index>(axes->avoidance));
    const bowlby::change_result c = bowlby::reliable_change(pre, post, pairing, basis, o);

    std::vector<std::string> id;
    std::vector<std::size_t> pre_row, post_row;
    for (const bowlby::wave_pair& p : pairing.pairs) {
        id.push_back(p.id);
        pre_row.push_back(p.pre_row);
        post_row.push_back(p.post_row);
    }
    py::list unmatched;
    for (const bowlby::unmatched_id& u : pairing.unmatched)
        unmatched.append(py::make_tuple(u.id, u.pre_rows, u.post_rows, std::string(bowlby::to_string(u.reason))));
    py::list basis_out;
    for (std::size_t s = 0; s < c.basis.size(); ++s) {
        py::dict b;
        b["score"] = c.basis[s].name;
        b["n"] = c.basis[s].n;
        b["mean"] = c.basis[s].mean;
        b["sd"] = c.basis[s].sd;
        b["reliability"] = c.basis[s].reliability;
        b["s_diff"] = c.basis[s].s_diff();
        b["criterion_c"] = c.criterion_c[s];
        basis_out.append(b);
    }
    py::dict out;
    out["id"] = id;
    out["pre_row"] = pre_row;
    out["post_row"] = post_row;
    out["unmatched"] = unmatched;
    out["basis"] = basis_out;
    out["pre"] = Eigen::MatrixXd(c.pre);
    out["post"] = Eigen::MatrixXd(c.post);
    out["change"] = Eigen::MatrixXd(c.change);
    out["rci"] = Eigen::MatrixXd(c.rci);
    out["reliable"] = direction_names(c.reliable);
    py::list clinical;
    for (const auto& person : c.clinical) {
        std::vector<std::string> row;
        for (const bowlby::clinical_status x : person) row.emplace_back(bowlby::to_string(x));
        clinical.append(row);
    }
    out["clinical"] = clinical;
    out["joint"] = c.joint;
    if (c.joint) {
        out["plane"] = py::make_tuple(names[static_cast<std::size_t>(o.plane->first)],
                                      names[static_cast<std::size_t>(o.plane->second)]);
        out["joint_level"] = o.joint_level;
        out["joint_d2"] = Eigen::VectorXd(c.joint_d2);
        out["joint_p"] = Eigen::VectorXd(c.joint_p);
        out["joint_reliable"] = c.joint_reliable;
    }
    return out;
}

}  // namespace

void bind_couples(py::module_& m) {
    m.def("dyads", &dyads, py::arg("values"), py::arg("names"), py::arg("ids"), py::arg("distinguish"),
          "Pairs rows by dyad id (bowlby::pair_dyads) and the similarity of partners (bowlby::dyad_statistics).");
    m.def("pairing_names", &pairing_names, py::arg("a"), py::arg("b"),
          "The unordered pairing of two partners' category codes, '' when either is unclassified.");
    m.def("all_pairings", &bowlby::all_pairings, "The ten pairings of the four categories.");
    m.def("change_reliability_scales", &change_reliability_scales, py::arg("key"));
    m.def("change", &change, py::arg("key"), py::arg("pre"), py::arg("post"), py::arg("names"), py::arg("pre_ids"),
          py::arg("post_ids"), py::arg("reliability"), py::arg("sd"), py::arg("rci_z"), py::arg("functional"),
          py::arg("lower_is_better"),
          "Pairs two waves by id and each person's reliable change (bowlby::reliable_change).");
}

}  // namespace bowlby_py
