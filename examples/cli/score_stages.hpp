// `bowlby score` in four stages:
//   parse   the options into a score_request;
//   plan    what the file and the options ask for: the instrument, the columns, the output's
//           header, and, when classifying or plotting, the rule and what it needs of the whole
//           sample first (a first pass over the file);
//   run     every block of the file read, scored, classified and formatted on the thread that
//           took it (each thread keeps its scorers and caches from block to block), and
//           written out with its statistics merged in file order;
//   report  the plot and the JSON summary.
#pragma once

#include "classify_setup.hpp"
#include "cli.hpp"
#include "input.hpp"
#include "key_file.hpp"
#include "reliability_output.hpp"

#include <bowlby/classify.hpp>
#include <bowlby/key.hpp>
#include <bowlby/reliability.hpp>
#include <bowlby/score.hpp>
#include <bowlby/screen.hpp>

#include <array>
#include <cstddef>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace bowlby_cli {

/// --classify and the options that go with it, and --plot.
struct classify_request {
    rule_request rule;  ///< rule.method "" for no classification
    std::optional<std::pair<double, double>> rescale_to;
    std::optional<std::pair<double, double>> sem;  ///< anxiety:avoidance, given by the user
    std::string forced_choice;                     ///< RQ: the column of the forced choice
    std::string plot;                              ///< SVG path
};

/// Screening for careless responding (--screen, and `bowlby screen`).
struct screen_request {
    bool on = false;
    bool scores = true;     ///< false for `bowlby screen`: no score columns
    bool one_pass = false;  ///< --one-pass: without psychsyn, psychant and mahad (no first pass)
    std::string presented_order, duration;
    std::vector<std::pair<std::string, std::string>> flags;  ///< --flag NAME=VALUE, in order given
    bowlby::screen_options options;                          ///< --syn-r, --ant-r
    std::size_t exclude_flagged = 0;                         ///< 0: no row is excluded
};

/// When `bowlby score` writes its human summary to standard error: when that is a terminal
/// (automatic), always (--summary) or never (--quiet).
enum class summary_mode { automatic, always, never };

struct score_request {
    std::string instrument_id, key_path, items_spec, keep_spec, output_path = "-", report_path, input_path;
    bowlby::score_options options;
    bool min_answered_given = false;  ///< --min-answered given: it overrides a key file's
    text_format format;               ///< --delimiter, --decimal-comma, --recode
    /// --exclude COL=VALUE, in the order given: rows whose COL cell is VALUE get status excluded.
    std::vector<std::pair<std::string, std::string>> exclude;
    classify_request cls;
    screen_request screen;
    unsigned threads = 0;
    std::size_t max_record = answer_reader::default_max_record;
    summary_mode summary = summary_mode::automatic;
    progress_mode progress = progress_mode::automatic;  ///< --progress
};

/// The category and firmness of a score pair: what a row of output needs of its classification.
struct outcome {
    bowlby::category cat = bowlby::category::unclassified;
    double probability = std::numeric_limits<double>::quiet_NaN();
};

/// Every distinct score pair of the sample, classified once before the rows are, on all
/// threads: a rule of functions integrates numerically for each pair, and pairs recur (scores
/// are means of a few whole numbers). Read-only once made.
class outcome_table {
public:
    outcome_table() = default;
    outcome_table(const classifier& rule, const point_counts& points, unsigned threads);
    /// The outcome of a pair of the sample; nullptr for any other pair.
    const outcome* find(double anxiety, double avoidance) const;

private:
    std::vector<std::pair<double, double>> pairs_;  // in increasing order
    std::vector<outcome> outcomes_;
};

/// Screening's part of a plan. The layout and statistics are held by pointer: the screeners
/// of the threads refer to them while the plan moves.
struct screen_plan {
    std::unique_ptr<bowlby::screen_layout> layout;
    std::unique_ptr<bowlby::screen_statistics> stats;  ///< from the first pass; null with --one-pass
    std::vector<bowlby::screen_flag> flags;            ///< in force, in column order
    static constexpr std::size_t none = static_cast<std::size_t>(-1);
    std::size_t duration_cell = none;   ///< the duration's position among the kept cells
    bowlby::screen_columns_of columns;  ///< which indices are computed and written
    /// Rows with at least this many flags are the "flagged" rows of the report: --exclude-flagged's
    /// N, or 1.
    std::size_t flagged_at = 1;
};

struct score_plan {
    score_request req;
    chosen_key chosen;  ///< --instrument or --key; `key` is chosen.key
    const bowlby::key_view* key = nullptr;
    bowlby::response_scale scale;
    std::size_t n_scores = 0;
    bool classifying = false, is_rq = false;
    dimensions dims;
    /// From the first pass, when there is one: every respondent's (anxiety, avoidance), counted,
    /// and the SEMs of the two subscales (or those given with --sem).
    point_counts points;
    bowlby::measurement_error sem;
    std::optional<classifier> rule;  ///< when classifying
    outcome_table outcomes;          ///< empty without a first pass
    std::unique_ptr<answer_reader> input;
    std::size_t copied = 0;      ///< kept columns copied to the output
    bool forced_choice = false;  ///< read as the last kept column, not copied
    screen_plan screen;          ///< when req.screen.on
    /// Per --exclude, the position of its column among the kept cells.
    std::vector<std::size_t> exclude_cells;
    bool summarizing = false;  ///< the human summary goes to standard error
    bool reporting = false;    ///< the report's statistics are gathered: --report or the summary
};

/// Welford's running mean and variance of a score, and its status counts.
struct running_stats {
    std::size_t n = 0;
    double mean = 0;
    double m2 = 0;
    std::size_t status[3] = {0, 0, 0};
    void add(double x) {
        ++n;
        const double d = x - mean;
        mean += d / static_cast<double>(n);
        m2 += d * (x - mean);
    }
    /// Chan, Golub & LeVeque's pairwise update: the statistics of both parts together.
    void merge(const running_stats& o);
};

/// What the run leaves for the report, merged block by block in file order.
struct score_totals {
    std::vector<running_stats> stats;                     ///< per score
    std::array<std::size_t, 4> row_status{};              ///< rows complete, prorated, insufficient, excluded
    std::optional<bowlby::instrument_accumulator> items;  ///< with --report
    std::array<std::size_t, 5> counts{};                  ///< per category, when classifying
    std::size_t firm = 0, with_p = 0, rows = 0, invalid_cells = 0;
    // Screening: rows that raised each flag, excluded rows that raised it, rows excluded and
    // flagged, and the items of all rows and of the rows not flagged (alpha with and without).
    std::vector<std::size_t> raised, excluded_by;
    std::size_t excluded = 0, flagged = 0;
    std::optional<bowlby::instrument_accumulator> all_items, clean_items;
    std::vector<std::size_t> matched_by;  ///< per --exclude, the rows it matched
};

/// A thread's scorers, made once and used for every block it takes: one for blocks read as
/// doubles and one for blocks read as bytes (with byte_options()), each made when first needed.
class block_scorer {
public:
    block_scorer(const bowlby::key_view& key, const bowlby::score_options& options) : key_(key), options_(options) {}
    const bowlby::score_table<double>& score(const parsed_rows& rows);
    /// Answers of the last block scored that were treated as missing (--on-invalid missing).
    std::size_t last_invalid() const { return last_invalid_; }

private:
    bowlby::key_view key_;
    bowlby::score_options options_;
    std::optional<bowlby::chunk_scorer<double>> doubles_, bytes_;
    std::size_t last_invalid_ = 0;
};

/// The options, or nothing when --help was asked for (and printed). `screen_command`: the
/// options of `bowlby screen` (no classification, no score columns).
std::optional<score_request> parse_score_args(args& a, bool screen_command = false);
/// The screening options (--screen, --flag, ...); false when `flag` is none of them.
bool parse_screen_flag(const std::string& flag, args& a, screen_request& r);
/// The columns that hold the presented order and the duration, the layout, the flags and, unless
/// --one-pass, the first pass for the sample statistics.
void plan_screening(score_plan& plan);
/// The screening columns' header, from ",longstring" to ",n_flags".
std::string screen_header(const score_plan& plan);
/// Runs `bowlby score` with the request's outputs (score_command.cpp).
int run_score_request(const score_request& request);
/// The JSON report's "screening" section and the summary on standard error.
json screening_json(const score_plan& plan, const score_totals& totals);
void write_screen_summary(const score_plan& plan, const score_totals& totals, std::ostream& out);
/// A reader of `path` as the plan reads its input: the same item columns (--items or the key's
/// item names), layout (--delimiter, --decimal-comma) and record limit; for another pass over
/// the input, or another file of the same kind.
std::unique_ptr<answer_reader> open_answers(const score_plan& plan, const std::string& path);
/// The --exclude columns kept by `input` as well (after its other kept columns): their
/// positions among the kept cells. A usage error names a column the header has not.
std::vector<std::size_t> keep_exclude_columns(const score_request& r, answer_reader& input);
/// Whether row `row` matches one of the --exclude (`cells`: from keep_exclude_columns).
bool matches_exclude(const score_request& r, const std::vector<std::size_t>& cells, const parsed_rows& rows,
                     Eigen::Index row);
/// `rows` without those that match an --exclude: `rows` itself when none does, else a copy of
/// the others in `kept`. The first passes (sample statistics) read their rows through it.
const parsed_rows& without_excluded(const score_request& r, const std::vector<std::size_t>& cells,
                                    const parsed_rows& rows, parsed_rows& kept);
/// One of `bowlby score`'s options (what is read, how it is scored and classified, where the
/// results go), read into `r`; false when `flag` is none of them. Other commands that score a
/// file take the same options through it.
bool parse_score_flag(const std::string& flag, args& a, score_request& r);
/// The category and firmness of row r of a scored block, by the plan's rule: from the plan's
/// table of the sample's pairs where it has the pair, else classified here (not remembered).
outcome classify_row(const score_plan& plan, const parsed_rows& in, const bowlby::score_table<double>& t,
                     Eigen::Index r);
score_plan make_score_plan(score_request req);
/// The first pass: every respondent's (anxiety, avoidance), counted, and, when `want_sem`,
/// the SEMs of the two dimensions from their reliability in this sample.
std::pair<point_counts, bowlby::measurement_error> summarize(const score_plan& plan, bool want_sem);
/// Writes the header and every row to `out`.
score_totals run_score_blocks(const score_plan& plan, output_file& out);
void write_plot(const score_plan& plan, const score_totals& totals, output_file& svg);
/// The JSON report (--report) of a run.
json score_report(const score_plan& plan, const score_totals& totals);
/// The human summary of a run, from its report: rows read and their status, each score's n,
/// mean, sd and alpha with its interval, the categories, and where the results went.
std::string score_summary(const score_plan& plan, const json& report);

}  // namespace bowlby_cli
