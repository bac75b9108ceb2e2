// `bowlby score`: batch-scores a CSV file, streaming it in chunks so that memory stays flat.
#include "cli.hpp"
#include "input.hpp"
#include "reliability_output.hpp"

#include <bowlby/csv.hpp>
#include <bowlby/detail/format.hpp>
#include <bowlby/instruments.hpp>
#include <bowlby/reliability.hpp>
#include <bowlby/score.hpp>

#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <iostream>
#include <limits>
#include <optional>

namespace bowlby_cli {
namespace {

const char* const score_help = R"(usage: bowlby score --instrument ID [options] INPUT.csv

Scores every data row of INPUT.csv (a header row first; "-" reads standard input) and writes
one output row per data row: row, the --keep columns, then for each score <name> and <name>_n
(answered items), then status (the least complete status of the row's scores).

options:
  --instrument ID        a built-in instrument ('bowlby instruments' lists them)
  --items SPEC           the item columns in the instrument's item order: names separated by
                         commas and spans FIRST:LAST (Q1:Q36); without it, a file with exactly
                         as many columns as the instrument has items is taken as items
  --scale MIN:MAX        the scale the data were collected on, if not the instrument's own
                         (reverse keying is then MIN + MAX - x)
  --missing-code V       a value that means "no answer" (repeatable); empty cells, NA and .
                         are always missing
  --min-answered F       fraction of a subscale's items that must be answered (default 0.5)
  --on-invalid MODE      error (default: stop with exit status 1) or missing (count the cell
                         as missing and report it in invalid_cells)
  --keep COL,...         input columns copied to the output after 'row'
  --output FILE|-        where the scores go (default: standard output)
  --report FILE.json|-   a JSON summary: rows, invalid cells, and n, mean, sd and status
                         counts of every score, with each subscale's reliability statistics
                         (as 'bowlby reliability --json' gives them, pairwise)
)";

std::string csv_quote(const std::string& s) {
    if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
    std::string q = "\"";
    for (char c : s) {
        if (c == '"') q += '"';
        q += c;
    }
    return q + "\"";
}

struct running_stats {  // Welford's algorithm
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
};

}  // namespace

int run_score(args& a) {
    std::string instrument_id, items_spec, keep_spec, output_path = "-", report_path, input_path;
    bowlby::score_options options;
    while (!a.done()) {
        const std::string flag = a.next();
        if (flag == "--help" || flag == "-h") {
            std::cout << score_help;
            return 0;
        } else if (flag == "--instrument") {
            instrument_id = a.value(flag);
        } else if (flag == "--items") {
            items_spec = a.value(flag);
        } else if (flag == "--scale") {
            const auto [lo, hi] = parse_range(a.value(flag), flag);
            options.data_scale = bowlby::response_scale{lo, hi, true};
        } else if (flag == "--missing-code") {
            options.missing_codes.push_back(parse_double(a.value(flag), flag));
        } else if (flag == "--min-answered") {
            const std::string text = a.value(flag);
            options.min_answered = parse_double(text, flag);
            if (!(options.min_answered >= 0 && options.min_answered <= 1))
                throw usage_error("--min-answered takes a fraction from 0 to 1, got " + text);
        } else if (flag == "--on-invalid") {
            const std::string mode = a.value(flag);
            if (mode == "error")
                options.on_invalid = bowlby::invalid_policy::error;
            else if (mode == "missing")
                options.on_invalid = bowlby::invalid_policy::missing;
            else
                throw usage_error("--on-invalid takes 'error' or 'missing', got '" + mode + "'");
        } else if (flag == "--keep") {
            keep_spec = a.value(flag);
        } else if (flag == "--output" || flag == "-o") {
            output_path = a.value(flag);
        } else if (flag == "--report") {
            report_path = a.value(flag);
        } else if (flag.size() > 1 && flag[0] == '-') {
            throw usage_error("unknown option '" + flag + "' (run 'bowlby score --help' for the options)");
        } else if (!input_path.empty()) {
            throw usage_error("more than one input file ('" + input_path + "' and '" + flag + "')");
        } else {
            input_path = flag;
        }
    }
    if (instrument_id.empty())
        throw usage_error("bowlby score needs --instrument ID ('bowlby instruments' lists them)");
    if (input_path.empty()) throw usage_error("bowlby score needs an input file (run 'bowlby score --help')");
    const bowlby::key_view* key = bowlby::find_instrument(instrument_id);
    if (key == nullptr) {
        std::string ids;
        for (const auto& k : bowlby::builtin_instruments()) ids += (ids.empty() ? "" : ", ") + std::string(k.id);
        throw usage_error("unknown instrument '" + instrument_id + "'; the built-in instruments are: " + ids);
    }
    if (report_path == "-" && output_path == "-")
        throw usage_error("--report - and the scores cannot both go to standard output; give --output FILE");

    answer_reader input(input_path, items_spec, static_cast<std::size_t>(key->n_items), instrument_id);
    if (!keep_spec.empty()) input.keep(keep_spec);
    const std::vector<std::size_t>& keep_cols = input.keep_columns();

    output_file out(output_path);
    std::optional<output_file> report;
    if (!report_path.empty()) report.emplace(report_path);

    // Output header.
    std::string line = "row";
    for (std::size_t c : keep_cols) line += "," + csv_quote(input.header()[c]);
    const std::size_t n_scores = key->n_scores();
    for (std::size_t s = 0; s < n_scores; ++s) {
        const std::string name(key->score_name(s));
        line += "," + name + "," + name + "_n";
    }
    line += ",status\n";
    out.write(line);

    chunk_matrix chunk(4096, static_cast<Eigen::Index>(key->n_items));
    bowlby::chunk_scorer<double> scorer(*key, options);
    // The report's reliability statistics come from the same pass over the data.
    std::optional<bowlby::instrument_accumulator> items;
    if (report) items.emplace(*key, options);
    std::vector<running_stats> stats(n_scores);
    std::size_t rows = 0;
    std::string buf;  // one chunk of output, reused
    while (const Eigen::Index n = input.read(chunk, options.on_invalid)) {
        const bowlby::score_table<double>* t = nullptr;
        try {
            t = &scorer.score(chunk.topRows(n));
            if (items) items->add(chunk.topRows(n));
        } catch (const bowlby::invalid_response& e) {
            throw input.describe(e);
        }
        buf.clear();
        for (Eigen::Index r = 0; r < n; ++r) {
            ++rows;
            buf += std::to_string(rows);
            for (std::size_t c = 0; c < keep_cols.size(); ++c) buf += "," + csv_quote(input.kept(r, c));
            auto worst = bowlby::score_status::complete;
            for (std::size_t s = 0; s < n_scores; ++s) {
                const auto si = static_cast<Eigen::Index>(s);
                const auto st = t->status(r, si);
                ++stats[s].status[static_cast<int>(st)];
                buf += ',';
                if (st != bowlby::score_status::insufficient) {
                    const double v = t->values(r, si);
                    buf += bowlby::detail::format_number(v);
                    stats[s].add(v);
                }
                buf += ',';
                buf += std::to_string(t->answered(r, si));
                if (static_cast<int>(st) > static_cast<int>(worst)) worst = st;
            }
            buf += ',';
            buf += bowlby::to_string(worst);
            buf += '\n';
        }
        out.write(buf);
    }
    out.commit();

    if (report) {
        nlohmann::ordered_json j;
        j["instrument"] = std::string(key->id);
        j["input"] = input_path;
        const bowlby::response_scale scale = options.data_scale ? *options.data_scale : key->scale;
        j["scale"] = {scale.min, scale.max};
        j["min_answered"] = options.min_answered;
        j["rows"] = rows;
        j["invalid_cells"] = scorer.invalid_cells() + input.text_invalid();
        const std::vector<bowlby::reliability_result> rel = bowlby::reliability(*items, {}, input.item_names());
        auto subs = nlohmann::ordered_json::array();
        for (std::size_t s = 0; s < n_scores; ++s) {
            const running_stats& st = stats[s];
            nlohmann::ordered_json o;
            o["name"] = std::string(key->score_name(s));
            o["n"] = st.n;
            o["mean"] = st.n > 0 ? nlohmann::ordered_json(st.mean) : nlohmann::ordered_json(nullptr);
            o["sd"] = st.n > 1 ? nlohmann::ordered_json(std::sqrt(st.m2 / static_cast<double>(st.n - 1)))
                               : nlohmann::ordered_json(nullptr);
            o["complete"] = st.status[0];
            o["prorated"] = st.status[1];
            o["insufficient"] = st.status[2];
            if (s < rel.size()) o["reliability"] = to_json(rel[s]);
            subs.push_back(o);
        }
        j["subscales"] = subs;
        report->write(j.dump(2) + "\n");
        report->commit();
    }
    return 0;
}

}  // namespace bowlby_cli
