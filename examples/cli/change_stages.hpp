// `bowlby change` in stages: parse the options, read and pair the two waves, compute the
// change (bowlby/change.hpp), write the rows, the report and the plot.
#pragma once

#include "cli.hpp"
#include "reliability_output.hpp"
#include "score_stages.hpp"
#include "scored_rows.hpp"

#include <bowlby/change.hpp>

#include <optional>
#include <string>
#include <vector>

namespace bowlby_cli {

struct change_request {
    score_request score;  ///< keep_spec: the id, the wave column (one file), then --keep
    std::string id, wave, pre, post, pre_file, post_file, plot;
    std::string user_keep;                           ///< --keep as given
    std::vector<std::optional<double>> reliability;  ///< per score; nothing: the sample's alpha
    std::vector<std::optional<double>> sd;           ///< per score; nothing: the pre wave's
    bowlby::change_options options;
    bool strict = false;
};

/// Both waves scored, and their rows paired.
struct two_waves {
    scored_rows pre, post;            ///< each wave's rows (with one file, the rows of that wave)
    std::string pre_name, post_name;  ///< the files the waves come from
    std::size_t other_rows = 0;       ///< one file: rows of neither wave
    std::vector<double> alpha;        ///< per score: alpha over the pre wave's rows
    bowlby::wave_pairing pairing;
    std::size_t first_user_keep = 1;  ///< where the --keep columns start among the kept cells
};

two_waves read_waves(const change_request& r, const score_plan& plan);
/// Each id left out: the id, its lines in each wave and why.
std::vector<std::string> unmatched_messages(const change_request& r, const two_waves& w);
/// Each score a paired person lacks in a wave, with the line.
std::vector<std::string> missing_messages(const two_waves& w);
bowlby::change_result compute_change(const change_request& r, const score_plan& plan, const two_waves& w);
std::string change_rows(const change_request& r, const score_plan& plan, const two_waves& w,
                        const bowlby::change_result& c);
json change_report(const change_request& r, const score_plan& plan, const two_waves& w, const bowlby::change_result& c);
std::string change_plot_svg(const score_plan& plan, const two_waves& w, const bowlby::change_result& c);

}  // namespace bowlby_cli
