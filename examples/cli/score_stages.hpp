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

#include <bowlby/classify.hpp>
#include <bowlby/key.hpp>
#include <bowlby/reliability.hpp>
#include <bowlby/score.hpp>

#include <array>
#include <cstddef>
#include <limits>
#include <map>
#include <memory>
#include <optional>
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

struct score_request {
    std::string instrument_id, key_path, items_spec, keep_spec, output_path = "-", report_path, input_path;
    bowlby::score_options options;
    bool min_answered_given = false;  ///< --min-answered given: it overrides a key file's
    text_format format;               ///< --delimiter, --decimal-comma
    classify_request cls;
    unsigned threads = 0;
    std::size_t max_record = answer_reader::default_max_record;
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
    std::optional<bowlby::instrument_accumulator> items;  ///< with --report
    std::array<std::size_t, 5> counts{};                  ///< per category, when classifying
    std::size_t firm = 0, with_p = 0, rows = 0, invalid_cells = 0;
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

/// The options, or nothing when --help was asked for (and printed).
std::optional<score_request> parse_score_args(args& a);
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
void write_report(const score_plan& plan, const score_totals& totals, output_file& report);

}  // namespace bowlby_cli
