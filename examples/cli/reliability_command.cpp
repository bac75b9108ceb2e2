// `bowlby reliability`: the reliability statistics of an instrument's subscales, or of one
// scale made of the columns given, in one streaming pass (the bootstrap keeps the answers).
#include "cli.hpp"
#include "input.hpp"
#include "key_file.hpp"
#include "reliability_output.hpp"

#include <bowlby/instruments.hpp>
#include <bowlby/reliability.hpp>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace bowlby_cli {
namespace {

const char* const reliability_help =
    R"(usage: bowlby reliability ((--instrument ID | --key FILE.json) [--items SPEC]
                          | --items SPEC [--reverse SPEC] [--scale MIN:MAX]) [options] INPUT.csv

Reliability statistics (as R's psych::alpha, omega and splitHalf report them) of each subscale
of an instrument, or of one scale formed by the --items columns.

options:
  --instrument ID      a built-in instrument; its subscales are keyed and reversed as in scoring
  --key FILE.json      a questionnaire described in a key file (docs/key-files.md), likewise;
                       its missing codes apply along with any --missing-code
  --items SPEC         the item columns (names, commas and FIRST:LAST spans)
  --reverse SPEC       without --instrument: the columns to reverse as MIN + MAX - x (needs --scale)
  --scale MIN:MAX      the response scale (checked; with --instrument, the data's scale if not
                       the instrument's own)
  --delimiter C        the input's field delimiter: , ; | or tab (default: detected from the
                       header line, tab for .tsv files)
  --decimal-comma      numbers in the input are written 3,5 (needs a delimiter other than ,)
  --recode FROM=TO,... read the answer FROM as TO (once; before missing codes and the scale),
                       as in 'bowlby score'; Qualtrics exports are read as there
  --missing-code V     a value that means "no answer" (repeatable); empty, NA and . always do
  --on-invalid MODE    error (default) or missing
  --listwise           use only rows answered on every item of a scale (default: pairwise)
  --bootstrap N        add a percentile bootstrap interval of alpha from N resamples
  --seed S             the bootstrap's seed (default 20261122); same seed, same interval
  --threads T          threads that read and accumulate the data, and run the bootstrap
                       (default 0: all); the results are the same for any T
  --ci-level L         confidence level (default 0.95)
  --json               JSON instead of the table
  --max-record-bytes N the longest record read (default 1048576); a longer one is an error
  --progress MODE      a progress line on standard error: auto (a terminal, 64 MiB or more),
                       always, never
)";

struct reliability_request {
    std::string instrument_id, key_path, items_spec, reverse_spec, input_path;
    text_format format;
    std::size_t max_record = answer_reader::default_max_record;
    progress_mode progress = progress_mode::automatic;
    std::optional<std::pair<double, double>> scale;
    bowlby::score_options options;
    bowlby::reliability_options ropt;
    bool as_json = false;
};

// The options of the statistics themselves; false when `flag` is none of them.
bool parse_statistics_flag(const std::string& flag, args& a, bowlby::reliability_options& ropt) {
    if (flag == "--listwise") {
        ropt.missing = bowlby::missing_method::listwise;
    } else if (flag == "--bootstrap") {
        const double n = parse_double(a.value(flag), flag);
        if (!(n >= 1 && n <= 1e7 && n == std::floor(n)))
            throw usage_error("--bootstrap takes a whole number of resamples");
        ropt.bootstrap = static_cast<std::size_t>(n);
    } else if (flag == "--seed") {
        ropt.seed = parse_seed(a.value(flag), flag);
    } else if (flag == "--threads") {
        ropt.threads = parse_threads(a.value(flag), flag);
    } else if (flag == "--ci-level") {
        ropt.ci_level = parse_double(a.value(flag), flag);
        if (!(ropt.ci_level > 0 && ropt.ci_level < 1)) throw usage_error("--ci-level takes a number between 0 and 1");
    } else {
        return false;
    }
    return true;
}

// The options that say which columns form which scales; false when `flag` is none of them.
bool parse_scale_flag(const std::string& flag, args& a, reliability_request& r) {
    if (flag == "--instrument") {
        r.instrument_id = a.value(flag);
    } else if (flag == "--key") {
        r.key_path = a.value(flag);
    } else if (parse_format_flag(flag, a, r.format)) {  // --delimiter, --decimal-comma, --recode
    } else if (flag == "--items") {
        r.items_spec = a.value(flag);
    } else if (flag == "--reverse") {
        r.reverse_spec = a.value(flag);
    } else if (flag == "--scale") {
        r.scale = parse_range(a.value(flag), flag);
    } else if (flag == "--json") {
        r.as_json = true;
    } else if (flag == "--max-record-bytes") {
        r.max_record = parse_byte_count(a.value(flag), flag);
    } else if (flag == "--progress") {
        r.progress = parse_progress(a.value(flag));
    } else {
        return parse_answer_option(flag, a, r.options);  // --missing-code, --on-invalid
    }
    return true;
}

// The options, or nothing when --help was asked for (and printed).
std::optional<reliability_request> parse_reliability_args(args& a) {
    reliability_request r;
    r.ropt.threads = 0;  // all hardware threads, for reading and for the bootstrap
    while (!a.done()) {
        const std::string flag = a.next();
        if (flag == "--help" || flag == "-h") {
            std::cout << reliability_help;
            return std::nullopt;
        }
        if (parse_scale_flag(flag, a, r) || parse_statistics_flag(flag, a, r.ropt)) continue;
        if (flag.size() > 1 && flag[0] == '-')
            throw usage_error("unknown option '" + faults::shown(flag) +
                              "' (run 'bowlby reliability --help' for the options)");
        if (!r.input_path.empty())
            throw usage_error("more than one input file ('" + faults::shown(r.input_path) + "' and '" +
                              faults::shown(flag) + "')");
        r.input_path = flag;
    }
    if (r.input_path.empty())
        throw usage_error("bowlby reliability needs an input file (run 'bowlby reliability --help')");
    if (r.instrument_id.empty() && r.key_path.empty() && r.items_spec.empty())
        throw usage_error(
            "bowlby reliability needs --instrument ID, --key FILE.json or --items SPEC (run 'bowlby reliability "
            "--help')");
    if (!r.instrument_id.empty() && !r.key_path.empty()) throw usage_error("give --instrument or --key, not both");
    if ((!r.instrument_id.empty() || !r.key_path.empty()) && !r.reverse_spec.empty())
        throw usage_error("--reverse goes with --items alone: an instrument's key says which items are reversed");
    if (!r.reverse_spec.empty() && !r.scale)
        throw usage_error("--reverse needs --scale MIN:MAX: reversing is MIN + MAX - x");
    return r;
}

// The scales to analyse and the reader of their columns: a built-in instrument's subscales, or
// one scale of the --items columns (own). The key refers to `own` when it is one.
struct reliability_plan {
    chosen_key chosen;
    std::optional<bowlby::questionnaire> own;
    const bowlby::key_view* key = nullptr;
    std::optional<answer_reader> input;
};

// Positions (1-based, within --items) of the --reverse columns.
std::vector<int> reversed_items(const reliability_request& r, const answer_reader& input) {
    const auto& cols = input.item_columns();
    std::vector<int> reversed;
    if (r.reverse_spec.empty()) return reversed;
    for (std::size_t c : resolve_columns(r.reverse_spec, input.header(), "--reverse")) {
        bool found = false;
        for (std::size_t i = 0; i < cols.size(); ++i)
            if (cols[i] == c) {
                reversed.push_back(static_cast<int>(i + 1));
                found = true;
            }
        if (!found) throw usage_error("--reverse names '" + input.header()[c] + "', which is not among --items");
    }
    return reversed;
}

void plan_reliability(reliability_request& r, reliability_plan& plan) {
    if (!r.instrument_id.empty() || !r.key_path.empty()) {
        plan.chosen = choose_key(r.instrument_id, r.key_path, "reliability");
        plan.key = plan.chosen.key;
        if (plan.chosen.file) {
            add_key_missing_codes(*plan.chosen.file, r.options);
            r.instrument_id = plan.chosen.id();
        }
        if (r.scale) r.options.data_scale = bowlby::response_scale{r.scale->first, r.scale->second, true};
        plan.input.emplace(r.input_path, r.items_spec, static_cast<std::size_t>(plan.key->n_items), r.instrument_id,
                           r.max_record, key_item_names(*plan.key), r.format);
        return;
    }
    plan.input.emplace(r.input_path, r.items_spec, 0, "the scale", r.max_record, std::vector<std::string>{}, r.format);
    const auto& cols = plan.input->item_columns();
    if (cols.size() < 2)
        throw usage_error("--items names " + std::to_string(cols.size()) + " column; a scale needs two or more");
    std::vector<int> items;
    for (std::size_t i = 0; i < cols.size(); ++i) items.push_back(static_cast<int>(i + 1));
    const std::vector<int> reversed = reversed_items(r, *plan.input);
    // Without --scale any finite answer is accepted.
    const bowlby::response_scale rs = r.scale ? bowlby::response_scale{r.scale->first, r.scale->second, false}
                                              : bowlby::response_scale{-std::numeric_limits<double>::max() / 4,
                                                                       std::numeric_limits<double>::max() / 4, false};
    plan.own.emplace("scale", static_cast<int>(cols.size()), rs);
    plan.own->add_subscale("scale", items, reversed);
    plan.key = &plan.own->view();
}

// What one pass over the data gives: the accumulated items, each subscale's keyed answers
// when the bootstrap resamples rows, and the cells read as missing for being text.
struct reliability_data {
    std::optional<bowlby::instrument_accumulator> acc;
    std::vector<std::vector<double>> kept;
    std::vector<std::size_t> first_col;  ///< subscale s: keyed columns first_col[s] to first_col[s + 1]
    std::size_t text_invalid = 0;
};

// Blocks are accumulated on the threads that take them and merged in file order: the same
// result whatever the number of threads.
reliability_data read_reliability_data(const reliability_request& r, reliability_plan& plan) {
    const bowlby::key_view& key = *plan.key;
    plan.input->allow_bytes(true);
    plan.input->show_progress(r.progress);
    const bowlby::score_options byte_opts = byte_options(r.options);
    const std::size_t n_sub = key.subscales.size();
    reliability_data d;
    d.acc.emplace(key, r.options);
    d.kept.resize(r.ropt.bootstrap > 0 ? n_sub : 0);
    d.first_col.assign(n_sub + 1, 0);
    for (std::size_t s = 0; s < n_sub; ++s) d.first_col[s + 1] = d.first_col[s] + key.subscales[s].items.size();
    struct block_result {
        std::optional<bowlby::instrument_accumulator> acc;
        std::vector<std::vector<double>> kept;
        std::size_t text_invalid = 0;
    };
    plan.input->run<block_result>(
        r.ropt.threads, r.options.on_invalid,
        [&](const parsed_rows& rows, std::size_t, block_result& res) {
            res.acc.emplace(key, rows.in_bytes ? byte_opts : r.options);
            add_answers(*res.acc, rows);
            res.text_invalid = rows.text_invalid;
            res.kept.resize(d.kept.size());
            if (d.kept.empty()) return;
            const auto keyed = res.acc->last_keyed();
            for (std::size_t s = 0; s < d.kept.size(); ++s)
                for (Eigen::Index row = 0; row < rows.rows(); ++row)
                    for (std::size_t c = d.first_col[s]; c < d.first_col[s + 1]; ++c)
                        res.kept[s].push_back(keyed(row, static_cast<Eigen::Index>(c)));
        },
        [&](block_result& res) {
            d.acc->merge(*res.acc);
            d.text_invalid += res.text_invalid;
            for (std::size_t s = 0; s < d.kept.size(); ++s)
                d.kept[s].insert(d.kept[s].end(), res.kept[s].begin(), res.kept[s].end());
        });
    return d;
}

// The bootstrap interval of each subscale's alpha from its kept answers.
void add_bootstrap(const reliability_request& r, const reliability_data& d,
                   std::vector<bowlby::reliability_result>& results) {
    for (std::size_t s = 0; s < d.kept.size(); ++s) {
        const auto k = static_cast<Eigen::Index>(d.first_col[s + 1] - d.first_col[s]);
        const Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>> x(
            d.kept[s].data(), static_cast<Eigen::Index>(d.kept[s].size()) / k, k);
        if (results[s].n >= 3 && k >= 2) {
            results[s].bootstrap = bowlby::bootstrap_alpha(x, r.ropt, &results[s].warnings);
            results[s].bootstrap_repetitions = r.ropt.bootstrap;
        }
    }
}

void print_reliability(const reliability_request& r, const reliability_data& d,
                       const std::vector<bowlby::reliability_result>& results,
                       const std::optional<bowlby::scale_correlations>& cors) {
    const std::string method = r.ropt.missing == bowlby::missing_method::pairwise ? "pairwise" : "listwise";
    if (!r.as_json) {
        for (const auto& res : results) std::cout << to_table(res, method);
        if (cors) std::cout << to_table(*cors);
        return;
    }
    json j;
    j["input"] = r.input_path;
    j["instrument"] = r.instrument_id.empty() ? json(nullptr) : json(r.instrument_id);
    j["missing"] = method;
    j["rows"] = d.acc->items().rows();
    j["invalid_cells"] = d.text_invalid;
    json scales = json::array();
    for (const auto& res : results) scales.push_back(to_json(res));
    j["scales"] = scales;
    if (cors) j["intercorrelations"] = to_json(*cors);
    std::cout << j.dump(2) << "\n";
}

}  // namespace

int run_reliability(args& a) {
    std::optional<reliability_request> request = parse_reliability_args(a);
    if (!request) return 0;
    reliability_request& r = *request;
    reliability_plan plan;
    plan_reliability(r, plan);
    const reliability_data d = read_reliability_data(r, plan);
    std::vector<bowlby::reliability_result> results = bowlby::reliability(*d.acc, r.ropt, plan.input->item_names());
    add_bootstrap(r, d, results);
    std::optional<bowlby::scale_correlations> cors;
    if (plan.key->subscales.size() >= 2) cors = bowlby::intercorrelations(*d.acc, results, r.ropt.missing);
    print_reliability(r, d, results, cors);
    return 0;
}

}  // namespace bowlby_cli
