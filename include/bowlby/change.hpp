// bowlby: scoring of adult-attachment questionnaires. MIT licence, see LICENSE.
//
// Change between two waves: each person's pre and post scores paired by id, and whether the
// change exceeds measurement error (Jacobson & Truax, 1991).
//
//     bowlby::wave_pairing p = bowlby::pair_waves(pre_ids, post_ids);
//     auto basis = bowlby::pre_wave_basis(pre_scores, alphas);   // sd (n - 1) and reliability
//     bowlby::change_result c = bowlby::reliable_change(pre_scores, post_scores, p, basis);
//     // c.rci(i, s), c.reliable[i][s]: person i's reliable change index on score s
//
// RCI = (post - pre) / S_diff, S_diff = sqrt(2) SE, SE = s_pre sqrt(1 - r_xx): s_pre is the
// standard deviation (n - 1) of the score in the pre wave and r_xx its reliability (the
// caller's: alpha of the pre wave by default in the `bowlby` tool, or published values).
// A change is reliable when |RCI| > z (1.96). On the attachment plane the joint test takes
// d2 = RCI_anxiety^2 + RCI_avoidance^2 (independent errors), chi-square on 2 df: p = exp(-d2/2).
// Clinical significance (criterion c): c = (s_dys m_fun + s_fun m_dys) / (s_dys + s_fun), the
// dysfunctional mean and sd those of the pre wave.
#pragma once

#include "bowlby/detail/dyads/pairing.hpp"
#include "bowlby/error.hpp"
#include "bowlby/key.hpp"
#include "bowlby/score_table.hpp"

#include <Eigen/Core>

#include <cmath>
#include <cstddef>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace bowlby {

/// Why an id was left out of the pairing of two waves.
enum class wave_problem {
    pre_only,   ///< in the pre wave only
    post_only,  ///< in the post wave only
    repeated,   ///< more than once in a wave
    no_id,      ///< the row's id is empty (each such row is listed alone)
};

inline std::string_view to_string(wave_problem p) {
    switch (p) {
        case wave_problem::pre_only:
            return "pre wave only";
        case wave_problem::post_only:
            return "post wave only";
        case wave_problem::repeated:
            return "repeated in a wave";
        case wave_problem::no_id:
            return "no id";
    }
    return "";
}

/// A person in both waves: the 0-based row in each wave's table.
struct wave_pair {
    std::string id;
    std::size_t pre_row = 0, post_row = 0;
};

/// An id that was not paired: its rows in each wave and why.
struct unmatched_id {
    std::string id;
    std::vector<std::size_t> pre_rows, post_rows;
    wave_problem reason = wave_problem::pre_only;
};

struct wave_pairing {
    std::vector<wave_pair> pairs;         ///< in pre-wave order
    std::vector<unmatched_id> unmatched;  ///< pre-wave ids first, then post-only ids
};

/// Pairs the rows of two waves by id: an id paired has exactly one row in each wave.
inline wave_pairing pair_waves(const std::vector<std::string>& pre_ids, const std::vector<std::string>& post_ids) {
    wave_pairing out;
    const std::vector<detail::id_rows> pre = detail::group_rows(pre_ids), post = detail::group_rows(post_ids);
    std::unordered_map<std::string, std::size_t> in_post;
    for (std::size_t g = 0; g < post.size(); ++g) in_post.emplace(post[g].id, g);
    std::vector<bool> seen(post.size(), false);
    auto problem = [](const std::vector<std::size_t>& a, const std::vector<std::size_t>& b, wave_problem alone) {
        return a.size() > 1 || b.size() > 1 ? wave_problem::repeated : alone;
    };
    for (const detail::id_rows& g : pre) {
        const auto it = in_post.find(g.id);
        const std::vector<std::size_t> none, &post_rows = it == in_post.end() ? none : post[it->second].rows;
        if (it != in_post.end()) seen[it->second] = true;
        if (g.id.empty()) {
            for (std::size_t r : g.rows) out.unmatched.push_back({g.id, {r}, {}, wave_problem::no_id});
            for (std::size_t r : post_rows) out.unmatched.push_back({g.id, {}, {r}, wave_problem::no_id});
        } else if (g.rows.size() == 1 && post_rows.size() == 1) {
            out.pairs.push_back({g.id, g.rows[0], post_rows[0]});
        } else {
            out.unmatched.push_back({g.id, g.rows, post_rows, problem(g.rows, post_rows, wave_problem::pre_only)});
        }
    }
    for (std::size_t g = 0; g < post.size(); ++g) {
        if (seen[g]) continue;
        if (post[g].id.empty()) {
            for (std::size_t r : post[g].rows) out.unmatched.push_back({post[g].id, {}, {r}, wave_problem::no_id});
            continue;
        }
        out.unmatched.push_back({post[g].id, {}, post[g].rows, problem({}, post[g].rows, wave_problem::post_only)});
    }
    return out;
}

/// What a score's RCI is measured against: the pre wave's mean and sd (n - 1) over the rows
/// that have the score, and the score's reliability.
struct change_basis {
    std::string name;
    std::size_t n = 0;  ///< pre-wave rows with the score
    double mean = std::numeric_limits<double>::quiet_NaN();
    double sd = std::numeric_limits<double>::quiet_NaN();
    double reliability = std::numeric_limits<double>::quiet_NaN();
    /// SE = sd sqrt(1 - reliability); S_diff = sqrt(2) SE.
    double s_diff() const { return std::sqrt(2.0) * sd * std::sqrt(1.0 - reliability); }
};

/// The scales whose alpha is each score's reliability in the RCI: each subscale, and each
/// derived score made of subscales of equal length with equal positive weights (the AAS's
/// close_depend, the ECR-RS's global scores) as the union of their items, keyed as in scoring:
/// such a score is proportional to the keyed sum of those items, so that sum's alpha is its
/// reliability. Other derived scores have none (their RCI needs a reliability from elsewhere).
struct change_reliability_scales {
    questionnaire scales;       ///< one subscale per score that has a reliability scale
    std::vector<int> scale_of;  ///< per score: its subscale in `scales` (0-based), or -1
};

namespace detail {
inline bool union_of_subscales(const key_view& key, const derived_def& d, std::vector<int>& items,
                               std::vector<int>& reversed) {
    for (const term& t : d.terms) {
        if (t.kind != term::subscale || t.weight != d.terms[0].weight || !(t.weight > 0)) return false;
        const subscale_def& s = key.subscales[static_cast<std::size_t>(t.index)];
        if (s.items.size() != key.subscales[static_cast<std::size_t>(d.terms[0].index)].items.size()) return false;
        items.insert(items.end(), s.items.begin(), s.items.end());
        reversed.insert(reversed.end(), s.reversed.begin(), s.reversed.end());
    }
    return !items.empty();
}
}  // namespace detail

inline change_reliability_scales reliability_scales_for_change(const key_view& key) {
    change_reliability_scales out{questionnaire(std::string(key.id) + "-rci", key.n_items, key.scale), {}};
    if (!key.item_names.empty()) out.scales.set_item_names({key.item_names.begin(), key.item_names.end()});
    for (const subscale_def& s : key.subscales) {
        out.scale_of.push_back(static_cast<int>(out.scale_of.size()));
        out.scales.add_subscale(std::string(s.name), {s.items.begin(), s.items.end()},
                                {s.reversed.begin(), s.reversed.end()});
    }
    int next = static_cast<int>(key.subscales.size());
    for (const derived_def& d : key.derived) {
        std::vector<int> items, reversed;
        if (!detail::union_of_subscales(key, d, items, reversed)) {
            out.scale_of.push_back(-1);
            continue;
        }
        out.scale_of.push_back(next++);
        out.scales.add_subscale(std::string(d.name), items, reversed);
    }
    return out;
}

/// Each score's mean and sd over the rows of `pre_wave` that have it, with `reliability`
/// (one per score; NaN where unknown).
inline std::vector<change_basis> pre_wave_basis(const score_table<double>& pre_wave,
                                                const std::vector<double>& reliability) {
    if (reliability.size() != static_cast<std::size_t>(pre_wave.values.cols()))
        throw error("pre_wave_basis: one reliability per score is needed");
    std::vector<change_basis> out;
    for (Eigen::Index s = 0; s < pre_wave.values.cols(); ++s) {
        change_basis b;
        b.name = pre_wave.names[static_cast<std::size_t>(s)];
        b.reliability = reliability[static_cast<std::size_t>(s)];
        double sum = 0;
        for (Eigen::Index r = 0; r < pre_wave.values.rows(); ++r)
            if (std::isfinite(pre_wave.values(r, s))) {
                sum += pre_wave.values(r, s);
                ++b.n;
            }
        if (b.n > 0) b.mean = sum / static_cast<double>(b.n);
        double ss = 0;
        for (Eigen::Index r = 0; r < pre_wave.values.rows(); ++r)
            if (std::isfinite(pre_wave.values(r, s)))
                ss += (pre_wave.values(r, s) - b.mean) * (pre_wave.values(r, s) - b.mean);
        if (b.n > 1) b.sd = std::sqrt(ss / static_cast<double>(b.n - 1));
        out.push_back(b);
    }
    return out;
}

/// A reliable change: up, down, none, or unknown (a score or its RCI missing).
enum class reliable_direction { none, increased, decreased, unknown };
/// Jacobson & Truax's outcome of a person on a score; unknown where a score is missing.
enum class clinical_status { recovered, improved, unchanged, deteriorated, unknown };

inline std::string_view to_string(reliable_direction d) {
    switch (d) {
        case reliable_direction::none:
            return "none";
        case reliable_direction::increased:
            return "increased";
        case reliable_direction::decreased:
            return "decreased";
        case reliable_direction::unknown:
            return "";
    }
    return "";
}

inline std::string_view to_string(clinical_status c) {
    switch (c) {
        case clinical_status::recovered:
            return "recovered";
        case clinical_status::improved:
            return "improved";
        case clinical_status::unchanged:
            return "unchanged";
        case clinical_status::deteriorated:
            return "deteriorated";
        case clinical_status::unknown:
            return "";
    }
    return "";
}

/// The functional population's mean and sd on a score (criterion c).
struct functional_norm {
    double mean = 0, sd = 0;
};

struct change_options {
    double rci_z = 1.96;        ///< |RCI| above this is reliable
    double joint_level = 0.05;  ///< joint_p below this is a reliable joint change
    /// Per score: the functional norms, where clinical significance is wanted (empty: none).
    std::vector<std::optional<functional_norm>> functional;
    bool lower_is_better = true;  ///< the direction of improvement for clinical significance
    /// The anxiety and avoidance columns for the joint test, when the scores have them.
    std::optional<std::pair<Eigen::Index, Eigen::Index>> plane;
};

struct change_result {
    std::vector<std::string> names;
    std::vector<change_basis> basis;
    std::vector<double> criterion_c;                        ///< per score; NaN without functional norms
    Eigen::MatrixXd pre, post, change, rci;                 ///< persons (pairs) x scores; NaN where missing
    std::vector<std::vector<reliable_direction>> reliable;  ///< [person][score]
    std::vector<std::vector<clinical_status>> clinical;     ///< [person][score], when norms are given
    bool joint = false;                                     ///< the joint test was made
    Eigen::VectorXd joint_d2, joint_p;                      ///< per person; NaN where an RCI is missing
    std::vector<std::optional<bool>> joint_reliable;
};

namespace detail {
inline reliable_direction direction_of(double rci, double z) {
    if (!std::isfinite(rci)) return reliable_direction::unknown;
    return rci > z ? reliable_direction::increased
                   : (rci < -z ? reliable_direction::decreased : reliable_direction::none);
}

inline clinical_status clinical_of(reliable_direction d, double post, double c, bool lower_is_better) {
    if (d == reliable_direction::unknown || !std::isfinite(c)) return clinical_status::unknown;
    const reliable_direction better = lower_is_better ? reliable_direction::decreased : reliable_direction::increased;
    if (d == reliable_direction::none) return clinical_status::unchanged;
    if (d != better) return clinical_status::deteriorated;
    const bool functional = lower_is_better ? post < c : post > c;
    return functional ? clinical_status::recovered : clinical_status::improved;
}
}  // namespace detail

/// Jacobson & Truax's criterion c between the dysfunctional (pre-wave) and functional means.
inline double criterion_c(double m_dys, double s_dys, const functional_norm& f) {
    return (s_dys * f.mean + f.sd * m_dys) / (s_dys + f.sd);
}

/// Each paired person's change on each score, its RCI against `basis`, and the joint test
/// and clinical significance where `o` asks for them.
inline change_result reliable_change(const score_table<double>& pre, const score_table<double>& post,
                                     const wave_pairing& pairing, const std::vector<change_basis>& basis,
                                     const change_options& o = {}) {
    const Eigen::Index n_scores = pre.values.cols(), n = static_cast<Eigen::Index>(pairing.pairs.size());
    if (post.values.cols() != n_scores || basis.size() != static_cast<std::size_t>(n_scores))
        throw error("reliable_change: the waves and the basis must have the same scores");
    change_result c;
    c.names = pre.names;
    c.basis = basis;
    c.criterion_c.assign(static_cast<std::size_t>(n_scores), std::numeric_limits<double>::quiet_NaN());
    for (std::size_t s = 0; s < o.functional.size() && s < basis.size(); ++s)
        if (o.functional[s]) c.criterion_c[s] = criterion_c(basis[s].mean, basis[s].sd, *o.functional[s]);
    c.pre.resize(n, n_scores);
    c.post.resize(n, n_scores);
    for (Eigen::Index i = 0; i < n; ++i) {
        c.pre.row(i) = pre.values.row(static_cast<Eigen::Index>(pairing.pairs[static_cast<std::size_t>(i)].pre_row));
        c.post.row(i) = post.values.row(static_cast<Eigen::Index>(pairing.pairs[static_cast<std::size_t>(i)].post_row));
    }
    c.change = c.post - c.pre;
    c.rci = c.change;
    for (Eigen::Index s = 0; s < n_scores; ++s) c.rci.col(s) /= basis[static_cast<std::size_t>(s)].s_diff();
    const bool clinical = !o.functional.empty();
    for (Eigen::Index i = 0; i < n; ++i) {
        std::vector<reliable_direction> dirs;
        std::vector<clinical_status> outcomes;
        for (Eigen::Index s = 0; s < n_scores; ++s) {
            dirs.push_back(detail::direction_of(c.rci(i, s), o.rci_z));
            if (clinical)
                outcomes.push_back(detail::clinical_of(dirs.back(), c.post(i, s),
                                                       c.criterion_c[static_cast<std::size_t>(s)], o.lower_is_better));
        }
        c.reliable.push_back(std::move(dirs));
        if (clinical) c.clinical.push_back(std::move(outcomes));
    }
    if (!o.plane) return c;
    c.joint = true;
    const auto [anx, avo] = *o.plane;
    c.joint_d2 = c.rci.col(anx).array().square() + c.rci.col(avo).array().square();
    c.joint_p = (-c.joint_d2.array() / 2).exp();
    for (Eigen::Index i = 0; i < n; ++i)
        c.joint_reliable.push_back(std::isfinite(c.joint_p(i)) ? std::optional<bool>(c.joint_p(i) < o.joint_level)
                                                               : std::nullopt);
    return c;
}

}  // namespace bowlby
