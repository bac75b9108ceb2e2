// A whole file scored and held in memory, row by row, through `bowlby score`'s plan: the
// commands that pair rows (dyads, change) need every row before they can write one.
#pragma once

#include "score_stages.hpp"

#include <bowlby/instrument_accumulator.hpp>
#include <bowlby/score_table.hpp>

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace bowlby_cli {

struct scored_rows {
    bowlby::score_table<double> scores;  ///< every data row, in file order
    std::vector<std::string> kept;       ///< rows x keep columns of the reader
    std::size_t keep = 0;
    std::vector<std::size_t> lines;  ///< the 1-based line of each row (respondent, for SPSS and Stata files)
    const char* row_word = "line";   ///< what `lines` number: "line" or "respondent"
    std::vector<outcome> outcomes;   ///< per row, when the plan classifies
    std::size_t invalid_cells = 0;
    const std::string& cell(std::size_t row, std::size_t c) const { return kept[row * keep + c]; }
    /// The kept column c of every row.
    std::vector<std::string> column(std::size_t c) const;
};

/// Which rows' answers go into an accumulator: (block, row in block) -> yes.
using row_filter = std::function<bool(const parsed_rows&, Eigen::Index)>;

/// Where read_scored adds answers, for the reliability of some rows: an accumulator over
/// `key` (a key of the instrument's items, made with the plan's options), and the rows taken
/// (all when empty).
struct answer_sink {
    bowlby::instrument_accumulator* items = nullptr;
    bowlby::key_view key;
    row_filter take;
};

/// Reads, scores and (when the plan classifies) classifies every row of `input`, which was
/// opened like the plan's own; the answers of the rows `sink` takes are added to its
/// accumulator.
scored_rows read_scored(const score_plan& plan, answer_reader& input, const answer_sink& sink = {});

/// The rows `rows` of a table, in that order.
bowlby::score_table<double> select_rows(const bowlby::score_table<double>& t, const std::vector<std::size_t>& rows);

/// "line 12" or "lines 12, 15 and 20" for 0-based rows of `s` ("respondent 12" and
/// "respondents 12, 15 and 20" for an SPSS or Stata file).
std::string lines_text(const scored_rows& s, const std::vector<std::size_t>& rows);

/// Messages as lines indented under a summary: at most `most`, then how many more there are.
std::string message_lines(const std::vector<std::string>& messages, std::size_t most = 20);

/// What row `row` lacks: "no anxiety score (2 items answered)" for each score it has not.
std::vector<std::string> missing_scores(const scored_rows& s, std::size_t row);

/// A CSV cell: quoted when it holds a comma, quote or line break.
std::string csv_cell(const std::string& s);
/// A number as a CSV cell: empty where it is not finite.
std::string number_cell(double x);

}  // namespace bowlby_cli
