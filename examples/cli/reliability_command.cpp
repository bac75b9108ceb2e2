// `bowlby reliability`: the reliability statistics of an instrument's subscales, or of one
// scale made of the columns given, in one streaming pass (the bootstrap keeps the answers).
#include "cli.hpp"
#include "input.hpp"
#include "reliability_output.hpp"

#include <bowlby/instruments.hpp>
#include <bowlby/reliability.hpp>

#include <iostream>
#include <limits>
#include <optional>

namespace bowlby_cli {
namespace {

const char* const reliability_help =
    R"(usage: bowlby reliability (--instrument ID [--items SPEC] | --items SPEC [--reverse SPEC]
                          [--scale MIN:MAX]) [options] INPUT.csv

Reliability statistics (as R's psych::alpha, omega and splitHalf report them) of each subscale
of an instrument, or of one scale formed by the --items columns.

options:
  --instrument ID      a built-in instrument; its subscales are keyed and reversed as in scoring
  --items SPEC         the item columns (names, commas and FIRST:LAST spans)
  --reverse SPEC       without --instrument: the columns to reverse as MIN + MAX - x (needs --scale)
  --scale MIN:MAX      the response scale (checked; with --instrument, the data's scale if not
                       the instrument's own)
  --missing-code V     a value that means "no answer" (repeatable); empty, NA and . always do
  --on-invalid MODE    error (default) or missing
  --listwise           use only rows answered on every item of a scale (default: pairwise)
  --bootstrap N        add a percentile bootstrap interval of alpha from N resamples
  --seed S             the bootstrap's seed (default 20261122); same seed, same interval
  --threads T          threads that read and accumulate the data, and run the bootstrap
                       (default 0: all); the results are the same for any T
  --ci-level L         confidence level (default 0.95)
  --json               JSON instead of the table
)";

}  // namespace

int run_reliability(args& a) {
    std::string instrument_id, items_spec, reverse_spec, input_path;
    std::optional<std::pair<double, double>> scale;
    bowlby::score_options options;
    bowlby::reliability_options ropt;
    ropt.threads = 0;  // all hardware threads, for reading and for the bootstrap
    bool as_json = false;
    while (!a.done()) {
        const std::string flag = a.next();
        if (flag == "--help" || flag == "-h") {
            std::cout << reliability_help;
            return 0;
        } else if (flag == "--instrument") {
            instrument_id = a.value(flag);
        } else if (flag == "--items") {
            items_spec = a.value(flag);
        } else if (flag == "--reverse") {
            reverse_spec = a.value(flag);
        } else if (flag == "--scale") {
            scale = parse_range(a.value(flag), flag);
        } else if (parse_answer_option(flag, a, options)) {
            // --missing-code, --on-invalid
        } else if (flag == "--listwise") {
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
            if (!(ropt.ci_level > 0 && ropt.ci_level < 1))
                throw usage_error("--ci-level takes a number between 0 and 1");
        } else if (flag == "--json") {
            as_json = true;
        } else if (flag.size() > 1 && flag[0] == '-') {
            throw usage_error("unknown option '" + flag + "' (run 'bowlby reliability --help' for the options)");
        } else if (!input_path.empty()) {
            throw usage_error("more than one input file ('" + input_path + "' and '" + flag + "')");
        } else {
            input_path = flag;
        }
    }
    if (input_path.empty())
        throw usage_error("bowlby reliability needs an input file (run 'bowlby reliability --help')");
    if (instrument_id.empty() && items_spec.empty())
        throw usage_error("bowlby reliability needs --instrument ID or --items SPEC (run 'bowlby reliability --help')");
    if (!instrument_id.empty() && !reverse_spec.empty())
        throw usage_error("--reverse goes with --items alone: an instrument's key says which items are reversed");
    if (!reverse_spec.empty() && !scale)
        throw usage_error("--reverse needs --scale MIN:MAX: reversing is MIN + MAX - x");

    // The key: a built-in, or a one-scale questionnaire over the --items columns.
    std::optional<bowlby::questionnaire> own;
    const bowlby::key_view* key = nullptr;
    std::optional<answer_reader> input;
    if (!instrument_id.empty()) {
        key = &builtin_instrument(instrument_id);
        if (scale) options.data_scale = bowlby::response_scale{scale->first, scale->second, true};
        input.emplace(input_path, items_spec, static_cast<std::size_t>(key->n_items), instrument_id);
    } else {
        input.emplace(input_path, items_spec, 0, "the scale");
        const auto& cols = input->item_columns();
        if (cols.size() < 2)
            throw usage_error("--items names " + std::to_string(cols.size()) + " column; a scale needs two or more");
        std::vector<int> items, reversed;
        for (std::size_t i = 0; i < cols.size(); ++i) items.push_back(static_cast<int>(i + 1));
        if (!reverse_spec.empty()) {
            for (std::size_t c : resolve_columns(reverse_spec, input->header(), "--reverse")) {
                bool found = false;
                for (std::size_t i = 0; i < cols.size(); ++i)
                    if (cols[i] == c) {
                        reversed.push_back(static_cast<int>(i + 1));
                        found = true;
                    }
                if (!found)
                    throw usage_error("--reverse names '" + input->header()[c] + "', which is not among --items");
            }
        }
        // Without --scale any finite answer is accepted.
        const bowlby::response_scale rs = scale ? bowlby::response_scale{scale->first, scale->second, false}
                                                : bowlby::response_scale{-std::numeric_limits<double>::max() / 4,
                                                                         std::numeric_limits<double>::max() / 4, false};
        own.emplace("scale", static_cast<int>(cols.size()), rs);
        own->add_subscale("scale", items, reversed);
        key = &own->view();
    }

    input->allow_bytes(true);
    const bowlby::score_options byte_opts = byte_options(options);
    bowlby::instrument_accumulator acc(*key, options);
    const std::size_t n_sub = key->subscales.size();
    // The bootstrap resamples rows, so it keeps each subscale's keyed answers.
    std::vector<std::vector<double>> kept(ropt.bootstrap > 0 ? n_sub : 0);
    std::vector<std::size_t> first_col(n_sub + 1, 0);
    for (std::size_t s = 0; s < n_sub; ++s) first_col[s + 1] = first_col[s] + key->subscales[s].items.size();
    // Blocks are accumulated on the threads that take them and merged in file order: the same result
    // whatever the number of threads.
    struct block_result {
        std::optional<bowlby::instrument_accumulator> acc;
        std::vector<std::vector<double>> kept;
        std::size_t text_invalid = 0;
    };
    std::size_t text_invalid = 0;
    input->run<block_result>(
        ropt.threads, options.on_invalid,
        [&](const parsed_rows& rows, std::size_t, block_result& res) {
            res.acc.emplace(*key, rows.in_bytes ? byte_opts : options);
            add_answers(*res.acc, rows);
            res.text_invalid = rows.text_invalid;
            res.kept.resize(kept.size());
            if (kept.empty()) return;
            const auto keyed = res.acc->last_keyed();
            for (std::size_t s = 0; s < kept.size(); ++s)
                for (Eigen::Index r = 0; r < rows.rows(); ++r)
                    for (std::size_t c = first_col[s]; c < first_col[s + 1]; ++c)
                        res.kept[s].push_back(keyed(r, static_cast<Eigen::Index>(c)));
        },
        [&](block_result& res) {
            acc.merge(*res.acc);
            text_invalid += res.text_invalid;
            for (std::size_t s = 0; s < kept.size(); ++s)
                kept[s].insert(kept[s].end(), res.kept[s].begin(), res.kept[s].end());
        });

    std::vector<std::string> column_names = input->item_names();
    std::vector<bowlby::reliability_result> results = bowlby::reliability(acc, ropt, column_names);
    for (std::size_t s = 0; s < kept.size(); ++s) {
        const auto k = static_cast<Eigen::Index>(first_col[s + 1] - first_col[s]);
        const Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>> x(
            kept[s].data(), static_cast<Eigen::Index>(kept[s].size()) / k, k);
        if (results[s].n >= 3 && k >= 2) {
            results[s].bootstrap = bowlby::bootstrap_alpha(x, ropt, &results[s].warnings);
            results[s].bootstrap_repetitions = ropt.bootstrap;
        }
    }
    std::optional<bowlby::scale_correlations> cors;
    if (n_sub >= 2) cors = bowlby::intercorrelations(acc, results, ropt.missing);

    const std::string method = ropt.missing == bowlby::missing_method::pairwise ? "pairwise" : "listwise";
    if (as_json) {
        json j;
        j["input"] = input_path;
        j["instrument"] = instrument_id.empty() ? json(nullptr) : json(instrument_id);
        j["missing"] = method;
        j["rows"] = acc.items().rows();
        j["invalid_cells"] = text_invalid;
        json scales = json::array();
        for (const auto& r : results) scales.push_back(to_json(r));
        j["scales"] = scales;
        if (cors) j["intercorrelations"] = to_json(*cors);
        std::cout << j.dump(2) << "\n";
    } else {
        for (const auto& r : results) std::cout << to_table(r, method);
        if (cors) std::cout << to_table(*cors);
    }
    return 0;
}

}  // namespace bowlby_cli
