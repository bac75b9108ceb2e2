// `bowlby score`: batch-scores a CSV file, streaming it in blocks so that memory stays flat.
// This file parses the options and runs the stages (score_stages.hpp) in order.
#include "cli.hpp"
#include "score_stages.hpp"

#include <unistd.h>

#include <iostream>
#include <optional>
#include <string>
#include <utility>

namespace bowlby_cli {
namespace {

const char* const score_help = R"(usage: bowlby score (--instrument ID | --key FILE.json) [options] INPUT.csv

Scores every data row of INPUT.csv (a header row first; "-" reads standard input) and writes
one output row per data row: row, the --keep columns, then for each score <name> and <name>_n
(answered items), then status (the least complete status of the row's scores).

SPSS (.sav, .zsav) and Stata (.dta) files are read by variable name, their user-missing
values, system-missing and .a-.z as missing answers; --output FILE.sav writes an SPSS file
(variable labels, status labelled 1 complete .. 4 excluded). Both need a bowlby built with
ReadStat.

Qualtrics CSV exports are recognised without a flag and their extra header rows skipped (row 1
is the first respondent; messages give the file's own line numbers): the current export, when
every non-empty cell of row 3 is a {"ImportId":...} object; the legacy export, when the header
starts with ResponseID,ResponseSet (or V1,V2) and row 2 holds text in every item column.

options:
  --instrument ID        a built-in instrument ('bowlby instruments' lists them)
  --key FILE.json        a questionnaire described in a key file (docs/key-files.md); its
                         missing codes and min_answered apply unless given here
  --items SPEC           the item columns in the instrument's item order: names separated by
                         commas and spans FIRST:LAST (Q1:Q36); without it, the key's item names
                         when the header has them all, or else a file with exactly as many
                         columns as the instrument has items, are taken as items
  --delimiter C          the input's field delimiter: , ; | or tab (default: the one of , ;
                         and tab that splits the header line into the most fields; tab for
                         .tsv files); the output is always comma-separated
  --decimal-comma        numbers in the input are written 3,5 (needs a delimiter other than ,)
  --recode FROM=TO,...   read the answer FROM as TO (--recode 8=1,9=2 for Qualtrics' recode
                         values; repeatable), once for each answer (1=2,2=3 makes 1 a 2, not
                         a 3), before missing codes and the range check
  --scale MIN:MAX        the scale the data were collected on, if not the instrument's own
                         (reverse keying is then MIN + MAX - x)
  --missing-code V       a value that means "no answer" (repeatable); empty cells, NA and .
                         are always missing
  --min-answered F       fraction of a subscale's items that must be answered (default 0.5)
  --on-invalid MODE      error (default: stop with exit status 1) or missing (count the cell
                         as missing and report it in invalid_cells)
  --keep COL,...         input columns copied to the output after 'row'
  --output FILE|-        where the scores go (default: standard output; FILE.sav: SPSS)
  --classify METHOD      add columns category and category_p: midpoint, median, brennan1998,
                         kmeans, rq (RQ) or aas (AAS, Collins 1996); category_p is the
                         probability of the category given the scores' measurement error
  --cut ANX:AVO          with midpoint: your own cuts instead of the scale's midpoint
  --cut-source TEXT      where those cuts come from (a citation), for the report
  --at-cut MODE          a score exactly on a cut counts as low, high or unclassified (default)
  --rescale-to 1:7       brennan1998 on scores from another scale: map them linearly onto 1-7
  --allow-other-instrument  brennan1998 on an instrument other than the ECR, knowingly
  --sem ANX:AVO          standard errors of measurement to use (default: sd * sqrt(1 - alpha)
                         of each subscale in this sample)
  --seed S               kmeans: the seed of its starting centres (default 20261122)
  --forced-choice COL    rq: the column of the forced choice (a prototype name or A-D)
  --plot FILE.svg        draw the respondents on the anxiety x avoidance plane
  --threads T            threads that parse, score and format (default 0: all); the output
                         is the same for any T
  --report FILE.json|-   a JSON summary: rows, invalid cells, and n, mean, sd and status
                         counts of every score, with each subscale's reliability statistics
                         (as 'bowlby reliability --json' gives them, pairwise)
  --summary              a short summary on standard error (rows read and their status, each
                         score's n, mean, sd and alpha, the categories, where the results
                         went); written by default when standard error is a terminal
  --quiet, -q            no summary, not even on a terminal
  --progress MODE        a progress line on standard error (bytes read, rows a second, time
                         left): auto (default: on a terminal, for files of 64 MiB or more),
                         always, never
  --max-record-bytes N   the longest record read (default 1048576); a longer one is an error
  --screen               add careless-responding indices and flags after the scores (the
                         options of 'bowlby screen --help'; docs/screening.md), a screening
                         part in the summary and a "screening" section in the report
  --exclude-flagged N    with --screen: rows with N or more flags get status 'excluded' and are
                         left out of the report's statistics (means, alpha, categories)
  --exclude COL=VALUE    rows whose column COL holds exactly VALUE get status 'excluded': they
                         are scored and written, and left out of the report's statistics as with
                         --exclude-flagged (repeatable: a row matching any is excluded; e.g.
                         --exclude DistributionChannel=preview --exclude Finished=0); the report
                         counts the rows each one matched

On SIGINT, SIGTERM or SIGHUP the files being written are removed (exit status 128 + the
signal's number). A file left by a harder kill is named .NAME.bowlby-partial-XXXXXX.
)";

const char* const screen_help = R"(usage: bowlby screen --instrument ID [options] INPUT.csv

Screens every data row of INPUT.csv for careless responding and writes one output row per data
row: row, the --keep columns, longstring, longstring_avg, irv, evenodd, psychsyn, psychant,
reverse_gap_<subscale> for each subscale with forward and reversed items, mahad, mahad_df,
mahad_p, seconds_per_item (with --duration), flags (the flags raised, separated by ;) and
n_flags. An index that is undefined for a row is empty. Definitions, default thresholds and
their sources: docs/screening.md. A summary (flag counts, alpha with and without the flagged
rows) goes to standard error when it is a terminal, or with --summary. The file is read twice (psychsyn, psychant and mahad need the
whole sample first) unless --one-pass.

options:
  --instrument ID, --items SPEC, --scale MIN:MAX, --missing-code V, --on-invalid MODE,
  --keep COL,..., --output FILE|-, --threads T, --max-record-bytes N
                         as in 'bowlby score'
  --report FILE.json|-   the JSON summary of 'bowlby score', with a "screening" section
  --summary              the summary on standard error, also when it is not a terminal
  --quiet, -q            no summary, not even on a terminal
  --presented-order SPEC the item columns in the order they were shown (names and FIRST:LAST
                         spans); default: their order in the file. longstring follows it
  --duration COL         a column of total time in seconds (Qualtrics' 'Duration (in seconds)'):
                         adds seconds_per_item, that time over the instrument's item count
  --flag NAME=VALUE      another threshold for the flag NAME (a column name: longstring, irv,
                         evenodd, psychsyn, psychant, reverse_gap_<subscale>, mahad_p,
                         seconds_per_item), or NAME=off to raise it never
  --syn-r R              psychsyn's item pairs: keyed sample correlation >= R (default 0.60)
  --ant-r R              psychant's item pairs: raw sample correlation <= R (default -0.60)
  --one-pass             leave out psychsyn, psychant and mahad: one pass, standard input allowed
)";

bowlby::at_cut parse_at_cut(const std::string& m) {
    if (m == "low") return bowlby::at_cut::low;
    if (m == "high") return bowlby::at_cut::high;
    if (m == "unclassified") return bowlby::at_cut::unclassified;
    throw usage_error("--at-cut takes low, high or unclassified, got '" + faults::shown(m) + "'");
}

// --classify and the options that go with it, and --plot; false when `flag` is none of them.
bool parse_classify_flag(const std::string& flag, args& a, classify_request& cls) {
    if (flag == "--classify") {
        cls.rule.method = a.value(flag);
    } else if (flag == "--cut") {
        cls.rule.cut = parse_range_any(a.value(flag), flag);
    } else if (flag == "--cut-source") {
        cls.rule.cut_source = a.value(flag);
    } else if (flag == "--at-cut") {
        cls.rule.on_cut = parse_at_cut(a.value(flag));
    } else if (flag == "--rescale-to") {
        cls.rescale_to = parse_range(a.value(flag), flag);
    } else if (flag == "--allow-other-instrument") {
        cls.rule.allow_other_instrument = true;
    } else if (flag == "--sem") {
        cls.sem = parse_range_any(a.value(flag), flag);
        if (!(cls.sem->first > 0 && cls.sem->second > 0)) throw usage_error("--sem takes two positive numbers ANX:AVO");
    } else if (flag == "--seed") {
        cls.rule.seed = parse_seed(a.value(flag), flag);
    } else if (flag == "--forced-choice") {
        cls.forced_choice = a.value(flag);
    } else if (flag == "--plot") {
        cls.plot = a.value(flag);
    } else {
        return false;
    }
    return true;
}

// The options that say what is read and where the results go; false when `flag` is none.
bool parse_io_flag(const std::string& flag, args& a, score_request& r) {
    if (flag == "--instrument") {
        r.instrument_id = a.value(flag);
    } else if (flag == "--key") {
        r.key_path = a.value(flag);
    } else if (parse_format_flag(flag, a, r.format)) {  // --delimiter, --decimal-comma, --recode
    } else if (flag == "--items") {
        r.items_spec = a.value(flag);
    } else if (flag == "--keep") {
        r.keep_spec = a.value(flag);
    } else if (flag == "--output" || flag == "-o") {
        r.output_path = a.value(flag);
    } else if (flag == "--report") {
        r.report_path = a.value(flag);
    } else if (flag == "--threads") {
        r.threads = parse_threads(a.value(flag), flag);
    } else if (flag == "--max-record-bytes") {
        r.max_record = parse_byte_count(a.value(flag), flag);
    } else if (flag == "--progress") {
        r.progress = parse_progress(a.value(flag));
    } else {
        return false;
    }
    return true;
}

// The options of scoring itself; false when `flag` is none of them.
bool parse_scoring_flag(const std::string& flag, args& a, bowlby::score_options& options) {
    if (flag == "--scale") {
        const auto [lo, hi] = parse_range(a.value(flag), flag);
        options.data_scale = bowlby::response_scale{lo, hi, true};
        return true;
    }
    if (flag == "--min-answered") {
        const std::string text = a.value(flag);
        options.min_answered = parse_double(text, flag);
        if (!(options.min_answered >= 0 && options.min_answered <= 1))
            throw usage_error("--min-answered takes a fraction from 0 to 1, got " + text);
        return true;
    }
    return parse_answer_option(flag, a, options);  // --missing-code, --on-invalid
}

}  // namespace

bool parse_score_flag(const std::string& flag, args& a, score_request& r) {
    if (flag == "--min-answered") r.min_answered_given = true;  // it then overrides a key file's
    return parse_io_flag(flag, a, r) || parse_scoring_flag(flag, a, r.options) || parse_classify_flag(flag, a, r.cls);
}

std::optional<score_request> parse_score_args(args& a, bool screen_command) {
    score_request r;
    const std::string command = screen_command ? "screen" : "score";
    r.screen.on = screen_command;
    r.screen.scores = !screen_command;
    while (!a.done()) {
        const std::string flag = a.next();
        if (flag == "--help" || flag == "-h") {
            std::cout << (screen_command ? screen_help : score_help);
            return std::nullopt;
        }
        if (flag == "--min-answered") r.min_answered_given = true;  // it then overrides a key file's
        if (!screen_command && flag == "--exclude") {
            const std::string v = a.value(flag);
            const std::size_t eq = v.find('=');
            if (eq == std::string::npos || eq == 0)
                throw usage_error("--exclude takes COLUMN=VALUE (--exclude Finished=0), got '" + faults::shown(v) +
                                  "'");
            r.exclude.emplace_back(v.substr(0, eq), v.substr(eq + 1));
            continue;
        }
        if (flag == "--summary" || flag == "--quiet" || flag == "-q") {
            r.summary = flag == "--summary" ? summary_mode::always : summary_mode::never;
            continue;
        }
        if (parse_io_flag(flag, a, r) || parse_scoring_flag(flag, a, r.options) ||
            (!screen_command && parse_classify_flag(flag, a, r.cls)) || parse_screen_flag(flag, a, r.screen))
            continue;
        if (flag.size() > 1 && flag[0] == '-')
            throw usage_error("unknown option '" + faults::shown(flag) + "' (run 'bowlby " + command +
                              " --help' for the options)");
        if (!r.input_path.empty())
            throw usage_error("more than one input file ('" + faults::shown(r.input_path) + "' and '" +
                              faults::shown(flag) + "')");
        r.input_path = flag;
    }
    if (r.instrument_id.empty() && r.key_path.empty())
        throw usage_error("bowlby " + command +
                          " needs --instrument ID ('bowlby instruments' lists them) or --key FILE.json");
    if (r.input_path.empty())
        throw usage_error("bowlby " + command + " needs an input file (run 'bowlby " + command + " --help')");
    const screen_request& sr = r.screen;
    if (!sr.on && (sr.one_pass || !sr.presented_order.empty() || !sr.duration.empty() || !sr.flags.empty() ||
                   sr.exclude_flagged > 0 || sr.options.syn_r != 0.60 || sr.options.ant_r != -0.60))
        throw usage_error(
            "--one-pass, --presented-order, --duration, --flag, --syn-r, --ant-r and --exclude-flagged "
            "go with --screen");
    return r;
}

int run_score(args& a) {
    std::optional<score_request> request = parse_score_args(a);
    if (!request) return 0;
    return run_score_request(*request);
}

int run_screen(args& a) {
    std::optional<score_request> request = parse_score_args(a, true);
    if (!request) return 0;
    return run_score_request(*request);
}

int run_score_request(const score_request& request) {
    check_sav_output(request.output_path);
    score_plan plan = make_score_plan(request);
    // The summaries (of the scores, of screening) go to a terminal, or anywhere with --summary.
    plan.summarizing =
        plan.req.summary == summary_mode::always || (plan.req.summary == summary_mode::automatic && ::isatty(2) == 1);
    plan.reporting = !plan.req.report_path.empty() || plan.summarizing;
    // Every output is opened before the run (a folder that does not exist fails at once) and
    // committed after it, so that a failure or an interruption leaves none of them behind.
    output_file out(plan.req.output_path);
    std::optional<output_file> report, plot;
    if (!plan.req.report_path.empty()) report.emplace(plan.req.report_path);
    if (!plan.req.cls.plot.empty()) plot.emplace(plan.req.cls.plot);
    const score_totals totals = run_score_blocks(plan, out);
    if (plot) write_plot(plan, totals, *plot);
    std::optional<json> j;
    if (plan.reporting) j = score_report(plan, totals);
    if (report) report->write(j->dump(2) + "\n");
    out.commit();
    if (plot) plot->commit();
    if (report) report->commit();
    if (plan.summarizing && plan.req.screen.scores) std::cerr << score_summary(plan, *j);
    if (plan.summarizing && plan.req.screen.on) write_screen_summary(plan, totals, std::cerr);
    return 0;
}

}  // namespace bowlby_cli
