// `bowlby change`: each person's scores in two waves paired by id, the change, Jacobson &
// Truax's reliable change index and, on the attachment plane, the joint test
// (bowlby/change.hpp). The waves are scored through `bowlby score`'s plan and options.
#include "change_stages.hpp"

#include <bowlby/classify.hpp>

#include <iostream>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace bowlby_cli {
namespace {

const char* const change_help =
    R"(usage: bowlby change (--instrument ID | --key FILE.json) --id COL --wave COL --pre VALUE --post VALUE [options] INPUT.csv
       bowlby change (--instrument ID | --key FILE.json) --id COL --pre-file A.csv --post-file B.csv [options]

Scores both waves as 'bowlby score' does and pairs each person's two rows by the id in column
COL (an id in one wave only, or twice in a wave, is left out and named). Per score s the output
has s_pre, s_post, s_change (= post - pre), s_rci and s_reliable (increased, decreased or
none): the reliable change index of Jacobson & Truax (1991), RCI = change / (sqrt(2) SE),
SE = sd sqrt(1 - r), with sd the standard deviation (n - 1) of the score over every pre-wave
row that has it and r its alpha in those rows (pairwise, as 'bowlby reliability'). On the
attachment plane also joint_d2 = RCI_anxiety^2 + RCI_avoidance^2, joint_p (chi-square, 2 df)
and joint_reliable (joint_p < 0.05).

options:
  --id COL               the column of the person's id; it comes first in the output, under
                         its own name, followed by the --keep columns
  --wave COL --pre V --post V   one file holding both waves: rows whose COL is V (text)
  --pre-file A --post-file B    the two waves in two files
  --reliability R1:R2... the reliability of each score, in the instrument's score order ('-'
                         keeps the sample's alpha), e.g. published test-retest values
  --sd S1:S2...          the standard deviation of each score to use ('-': the pre wave's)
  --rci-z Z              |RCI| above Z is reliable (default 1.96)
  --functional M1:SD1,M2:SD2...  functional-population means and sds, per score ('-' for
                         none): adds s_clinical (recovered, improved, unchanged, deteriorated)
                         by Jacobson & Truax's criterion c
  --better lower|higher  the direction of improvement for s_clinical (default lower)
  --strict               an id that cannot be paired is an error (exit status 1)
  --plot FILE.svg        each person's move from pre to post on the attachment plane: arrows
                         up to 2,000 people (reliable changes drawn apart), beyond that the
                         transitions between categories
  --output FILE|-        where the rows go (default: standard output)
  --report FILE.json|-   counts of reliable changes, the sd and reliability used, the ids left
                         out, and with --classify the transition table (pre x post)
  Scoring and classification: --items, --scale, --missing-code, --min-answered, --recode,
  --on-invalid, --keep, --classify and its options (adds category_pre, category_pre_p,
  category_post, category_post_p), --threads and --max-record-bytes, as in 'bowlby score
  --help'. A rule fitted to the sample (median, kmeans) and the SEMs are taken from the input
  file (both waves) or, with two files, from the pre file.
)";

// A colon list of one number (or '-') per score.
std::vector<std::optional<double>> parse_per_score(const std::string& text, const std::string& flag) {
    std::vector<std::optional<double>> out;
    for (const std::string& part : split(text, ':')) {
        if (part == "-")
            out.emplace_back();
        else
            out.emplace_back(parse_double(part, flag));
    }
    return out;
}

std::vector<std::optional<bowlby::functional_norm>> parse_functional(const std::string& text) {
    std::vector<std::optional<bowlby::functional_norm>> out;
    for (const std::string& part : split(text, ',')) {
        if (part == "-") {
            out.emplace_back();
            continue;
        }
        const auto [m, sd] = parse_range_any(part, "--functional");
        if (!(sd > 0)) throw usage_error("--functional takes MEAN:SD pairs with a positive SD, got '" + part + "'");
        out.push_back(bowlby::functional_norm{m, sd});
    }
    return out;
}

// The options of change itself; false when `flag` is none of them.
bool parse_change_flag(const std::string& flag, args& a, change_request& r) {
    if (flag == "--id") {
        r.id = a.value(flag);
    } else if (flag == "--wave") {
        r.wave = a.value(flag);
    } else if (flag == "--pre") {
        r.pre = a.value(flag);
    } else if (flag == "--post") {
        r.post = a.value(flag);
    } else if (flag == "--pre-file") {
        r.pre_file = a.value(flag);
    } else if (flag == "--post-file") {
        r.post_file = a.value(flag);
    } else if (flag == "--reliability") {
        r.reliability = parse_per_score(a.value(flag), flag);
    } else if (flag == "--sd") {
        r.sd = parse_per_score(a.value(flag), flag);
    } else if (flag == "--rci-z") {
        r.options.rci_z = parse_double(a.value(flag), flag);
        if (!(r.options.rci_z > 0)) throw usage_error("--rci-z takes a positive number");
    } else if (flag == "--functional") {
        r.options.functional = parse_functional(a.value(flag));
    } else if (flag == "--better") {
        const std::string v = a.value(flag);
        if (v != "lower" && v != "higher")
            throw usage_error("--better takes lower or higher, got '" + faults::shown(v) + "'");
        r.options.lower_is_better = v == "lower";
    } else if (flag == "--strict") {
        r.strict = true;
    } else if (flag == "--plot") {
        r.plot = a.value(flag);
    } else {
        return false;
    }
    return true;
}

void check_change_request(change_request& r, const std::string& input) {
    if (r.score.instrument_id.empty() && r.score.key_path.empty())
        throw usage_error("bowlby change needs --instrument ID ('bowlby instruments' lists them) or --key FILE.json");
    if (r.id.empty()) throw usage_error("bowlby change needs --id COL, the column of the person's id");
    const bool one_file = !r.wave.empty() || !r.pre.empty() || !r.post.empty() || !input.empty();
    const bool two_files = !r.pre_file.empty() || !r.post_file.empty();
    if (one_file == two_files)
        throw usage_error(
            "bowlby change reads either one file with --wave COL --pre VALUE --post VALUE INPUT, or --pre-file A "
            "--post-file B");
    if (one_file && (r.wave.empty() || r.pre.empty() || r.post.empty() || input.empty()))
        throw usage_error("with one file, give --wave COL, --pre VALUE, --post VALUE and the input file");
    if (one_file && r.pre == r.post) throw usage_error("--pre and --post name the same wave '" + r.pre + "'");
    if (two_files && (r.pre_file.empty() || r.post_file.empty()))
        throw usage_error("give both --pre-file and --post-file");
    r.score.input_path = one_file ? input : r.pre_file;
    std::string keep = r.id;
    if (one_file) keep += "," + r.wave;
    r.user_keep = r.score.keep_spec;
    if (!r.user_keep.empty()) keep += "," + r.user_keep;
    r.score.keep_spec = keep;
}

std::optional<change_request> parse_change_args(args& a) {
    change_request r;
    std::string input;
    while (!a.done()) {
        const std::string flag = a.next();
        if (flag == "--help" || flag == "-h") {
            std::cout << change_help;
            return std::nullopt;
        }
        if (parse_change_flag(flag, a, r) || parse_score_flag(flag, a, r.score)) continue;
        if (flag.size() > 1 && flag[0] == '-')
            throw usage_error("unknown option '" + faults::shown(flag) +
                              "' (run 'bowlby change --help' for the options)");
        if (!input.empty())
            throw usage_error("more than one input file ('" + faults::shown(input) + "' and '" + faults::shown(flag) +
                              "')");
        input = flag;
    }
    check_change_request(r, input);
    return r;
}

}  // namespace

int run_change(args& a) {
    std::optional<change_request> request = parse_change_args(a);
    if (!request) return 0;
    const change_request& r = *request;
    if (is_sav_path(r.score.output_path))
        throw usage_error("bowlby change writes CSV; SPSS .sav output is made by bowlby score and bowlby screen");
    const score_plan plan = make_score_plan(r.score);
    if (!r.plot.empty() && !bowlby::find_classification_axes(*plan.key))
        throw usage_error("--plot draws anxiety and avoidance, which " + r.score.instrument_id + " has not");
    output_file out(plan.req.output_path);
    std::optional<output_file> report, plot;
    if (!plan.req.report_path.empty()) report.emplace(plan.req.report_path);
    if (!r.plot.empty()) plot.emplace(r.plot);
    const two_waves w = read_waves(r, plan);
    if (r.strict && !w.pairing.unmatched.empty())
        throw data_error(std::to_string(w.pairing.unmatched.size()) +
                         " id(s) cannot be paired (--strict):" + message_lines(unmatched_messages(r, w)));
    const bowlby::change_result c = compute_change(r, plan, w);
    out.write(change_rows(r, plan, w, c));
    if (plot) plot->write(change_plot_svg(plan, w, c));
    if (report) report->write(change_report(r, plan, w, c).dump(2) + "\n");
    out.commit();
    if (plot) plot->commit();
    if (report) report->commit();
    std::cerr << "bowlby change: " << w.pairing.pairs.size() << (w.pairing.pairs.size() == 1 ? " person" : " people")
              << " paired";
    if (!w.pairing.unmatched.empty())
        std::cerr << "; " << w.pairing.unmatched.size()
                  << " id(s) left out:" << message_lines(unmatched_messages(r, w));
    const std::vector<std::string> missing = missing_messages(w);
    if (!missing.empty()) std::cerr << "\nscores missing in paired people:" << message_lines(missing);
    std::cerr << "\n";
    return 0;
}

}  // namespace bowlby_cli
