// `bowlby change`'s run: both waves read and scored through the score plan, paired by id, and
// the change of each person, as rows of CSV.
#include "change_stages.hpp"

#include <bowlby/classify.hpp>
#include <bowlby/key.hpp>
#include <bowlby/reliability.hpp>

#include <cmath>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace bowlby_cli {
namespace {

// The rows `rows` of a scored file, in that order.
scored_rows subset(const scored_rows& s, const std::vector<std::size_t>& rows) {
    scored_rows out;
    out.keep = s.keep;
    out.scores = select_rows(s.scores, rows);
    for (std::size_t r : rows) {
        for (std::size_t c = 0; c < s.keep; ++c) out.kept.push_back(s.cell(r, c));
        out.lines.push_back(s.lines[r]);
        if (!s.outcomes.empty()) out.outcomes.push_back(s.outcomes[r]);
    }
    return out;
}

// Each score's reliability scale (bowlby::reliability_scales_for_change), read alongside the
// pre wave's scoring.
class reliability_scales {
public:
    explicit reliability_scales(const bowlby::key_view& key) : s_(bowlby::reliability_scales_for_change(key)) {}
    reliability_scales(const reliability_scales&) = delete;  // the accumulator refers to s_
    reliability_scales& operator=(const reliability_scales&) = delete;

    answer_sink sink(const score_request& r, row_filter take) {
        accumulator_.emplace(s_.scales.view(), r.options);
        return {&*accumulator_, s_.scales.view(), std::move(take)};
    }
    /// Raw alpha (pairwise, as 'bowlby reliability') per score, once sink() has been read;
    /// NaN where there is none.
    std::vector<double> alphas() const {
        const std::vector<bowlby::reliability_result> rel = bowlby::reliability(*accumulator_);
        std::vector<double> a;
        for (int s : s_.scale_of)
            a.push_back(s < 0 ? std::numeric_limits<double>::quiet_NaN()
                              : rel[static_cast<std::size_t>(s)].alpha.raw_alpha);
        return a;
    }

private:
    bowlby::change_reliability_scales s_;
    std::optional<bowlby::instrument_accumulator> accumulator_;
};

// One file holding both waves: its rows split by the wave column; alpha over the pre rows.
void read_one_file(const change_request& r, const score_plan& plan, two_waves& w) {
    reliability_scales scales(*plan.key);
    const scored_rows all =
        read_scored(plan, *plan.input, scales.sink(r.score, [&r](const parsed_rows& rows, Eigen::Index row) {
            return rows.kept_cell(row, 1) == r.pre;
        }));
    std::vector<std::size_t> pre, post;
    for (std::size_t row = 0; row < all.lines.size(); ++row) {
        const std::string& wave = all.cell(row, 1);
        if (wave == r.pre)
            pre.push_back(row);
        else if (wave == r.post)
            post.push_back(row);
        else
            ++w.other_rows;
    }
    w.pre = subset(all, pre);
    w.post = subset(all, post);
    w.pre_name = w.post_name = r.score.input_path;
    w.alpha = scales.alphas();
    w.first_user_keep = 2;
}

// Two files: the pre wave through the plan's reader, the post wave through one opened alike.
void read_two_files(const change_request& r, const score_plan& plan, two_waves& w) {
    reliability_scales scales(*plan.key);
    w.pre = read_scored(plan, *plan.input, scales.sink(r.score, {}));
    const std::unique_ptr<answer_reader> post_reader = open_answers(plan, r.post_file);  // read as the pre file
    answer_reader& post = *post_reader;
    post.allow_bytes(true);
    post.keep(plan.forced_choice ? r.score.keep_spec + "," + r.score.cls.forced_choice : r.score.keep_spec);
    w.post = read_scored(plan, post);
    w.pre_name = r.pre_file;
    w.post_name = r.post_file;
    w.alpha = scales.alphas();
    w.first_user_keep = 1;
}

std::string count_rows(std::size_t n, const char* wave) {
    return std::to_string(n) + (n == 1 ? " row" : " rows") + " in the " + wave + " wave";
}

}  // namespace

two_waves read_waves(const change_request& r, const score_plan& plan) {
    two_waves w;
    if (r.pre_file.empty())
        read_one_file(r, plan, w);
    else
        read_two_files(r, plan, w);
    w.pairing = bowlby::pair_waves(w.pre.column(0), w.post.column(0));
    return w;
}

std::vector<std::string> unmatched_messages(const change_request& r, const two_waves& w) {
    std::vector<std::string> out;
    const bool two_files = !r.pre_file.empty();
    for (const bowlby::unmatched_id& u : w.pairing.unmatched) {
        std::vector<std::string> where;
        if (!u.pre_rows.empty())
            where.push_back(count_rows(u.pre_rows.size(), "pre") + " (" + (two_files ? w.pre_name + " " : "") +
                            lines_text(w.pre, u.pre_rows) + ")");
        if (!u.post_rows.empty())
            where.push_back(count_rows(u.post_rows.size(), "post") + " (" + (two_files ? w.post_name + " " : "") +
                            lines_text(w.post, u.post_rows) + ")");
        const std::string what = where[0] + (where.size() > 1 ? ", " + where[1] : "");
        const std::string id = "id '" + faults::shown(u.id) + "': ";
        switch (u.reason) {
            case bowlby::wave_problem::no_id:
                out.push_back("a row with no " + faults::shown(r.id) + ": " + what);
                break;
            case bowlby::wave_problem::pre_only:
                out.push_back(id + what + ", none in the post wave");
                break;
            case bowlby::wave_problem::post_only:
                out.push_back(id + what + ", none in the pre wave");
                break;
            case bowlby::wave_problem::repeated:
                out.push_back(id + what + ", an id may appear once in each wave");
                break;
        }
    }
    return out;
}

std::vector<std::string> missing_messages(const two_waves& w) {
    std::vector<std::string> out;
    for (const bowlby::wave_pair& p : w.pairing.pairs)
        for (int k = 0; k < 2; ++k) {
            const scored_rows& wave = k == 0 ? w.pre : w.post;
            const std::size_t row = k == 0 ? p.pre_row : p.post_row;
            for (const std::string& m : missing_scores(wave, row))
                out.push_back("id '" + faults::shown(p.id) + "', " + (k == 0 ? "pre" : "post") + " wave (" +
                              lines_text(wave, {row}) + "): " + m + ", its change on that score is empty");
        }
    return out;
}

bowlby::change_result compute_change(const change_request& r, const score_plan& plan, const two_waves& w) {
    const std::size_t n = plan.n_scores;
    for (const auto* list : {&r.reliability, &r.sd})
        if (!list->empty() && list->size() != n)
            throw usage_error(std::string(list == &r.reliability ? "--reliability" : "--sd") + " takes " +
                              std::to_string(n) + " values (one per score of " + r.score.instrument_id +
                              ", '-' for the sample's), got " + std::to_string(list->size()));
    if (!r.options.functional.empty() && r.options.functional.size() != n)
        throw usage_error("--functional takes " + std::to_string(n) +
                          " MEAN:SD pairs (one per score, '-' for none), got " +
                          std::to_string(r.options.functional.size()));
    std::vector<double> rel = w.alpha;
    for (std::size_t s = 0; s < r.reliability.size(); ++s)
        if (r.reliability[s]) rel[s] = *r.reliability[s];
    std::vector<bowlby::change_basis> basis = bowlby::pre_wave_basis(w.pre.scores, rel);
    for (std::size_t s = 0; s < r.sd.size(); ++s)
        if (r.sd[s]) basis[s].sd = *r.sd[s];
    bowlby::change_options o = r.options;
    if (const auto axes = bowlby::find_classification_axes(*plan.key))
        o.plane = std::make_pair(static_cast<Eigen::Index>(axes->anxiety), static_cast<Eigen::Index>(axes->avoidance));
    return bowlby::reliable_change(w.pre.scores, w.post.scores, w.pairing, basis, o);
}

std::string change_rows(const change_request& r, const score_plan& plan, const two_waves& w,
                        const bowlby::change_result& c) {
    const std::vector<std::string>& header = plan.input->header();
    const std::vector<std::size_t>& keep = plan.input->keep_columns();
    const std::size_t user_end = plan.copied;  // the forced choice, when read, comes after
    std::string text = csv_cell(r.id);
    for (std::size_t k = w.first_user_keep; k < user_end; ++k) text += "," + csv_cell(header[keep[k]]);
    const bool clinical = !c.clinical.empty();
    for (const std::string& s : c.names)
        text += "," + s + "_pre," + s + "_post," + s + "_change," + s + "_rci," + s + "_reliable" +
                (clinical ? "," + s + "_clinical" : "");
    if (c.joint) text += ",joint_d2,joint_p,joint_reliable";
    if (plan.classifying) text += ",category_pre,category_pre_p,category_post,category_post_p";
    text += "\n";
    for (std::size_t i = 0; i < w.pairing.pairs.size(); ++i) {
        const bowlby::wave_pair& p = w.pairing.pairs[i];
        const auto ii = static_cast<Eigen::Index>(i);
        text += csv_cell(p.id);
        for (std::size_t k = w.first_user_keep; k < user_end; ++k) text += "," + csv_cell(w.pre.cell(p.pre_row, k));
        for (std::size_t s = 0; s < c.names.size(); ++s) {
            const auto si = static_cast<Eigen::Index>(s);
            text += "," + number_cell(c.pre(ii, si)) + "," + number_cell(c.post(ii, si)) + "," +
                    number_cell(c.change(ii, si)) + "," + number_cell(c.rci(ii, si)) + "," +
                    std::string(bowlby::to_string(c.reliable[i][s]));
            if (clinical) text += "," + std::string(bowlby::to_string(c.clinical[i][s]));
        }
        if (c.joint)
            text += "," + number_cell(c.joint_d2(ii)) + "," + number_cell(c.joint_p(ii)) + "," +
                    (c.joint_reliable[i] ? (*c.joint_reliable[i] ? "true" : "false") : "");
        if (plan.classifying) {
            const outcome& a = w.pre.outcomes[p.pre_row];
            const outcome& b = w.post.outcomes[p.post_row];
            text += "," + std::string(bowlby::to_string(a.cat)) + "," + number_cell(a.probability) + "," +
                    std::string(bowlby::to_string(b.cat)) + "," + number_cell(b.probability);
        }
        text += "\n";
    }
    return text;
}

}  // namespace bowlby_cli
