// `bowlby dyads`: partners' scores side by side, paired by a dyad id, with the pairing of their
// categories and the similarity of partners (bowlby/dyads.hpp). The file is scored through
// `bowlby score`'s plan and options, then paired.
#include "cli.hpp"
#include "reliability_output.hpp"
#include "score_stages.hpp"
#include "scored_rows.hpp"

#include <bowlby/dyads.hpp>

#include <algorithm>
#include <array>
#include <iostream>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace bowlby_cli {
namespace {

const char* const dyads_help = R"(usage: bowlby dyads (--instrument ID | --key FILE.json) --dyad COL [options] INPUT.csv

Scores every row of INPUT.csv (one row per person) as 'bowlby score' does and pairs the rows
by the dyad id in column COL: a dyad has exactly two rows. Partner 1 is the dyad's first row,
or with --distinguish the row with the lower value in that column (numbers compared as
numbers, anything else byte by byte).

options:
  --dyad COL             the column of the dyad (couple) id
  --distinguish COL      a column that tells the partners apart (a role, gender): partner 1
                         has the lower value; Pearson correlations replace intraclass ones
  --layout wide|pairwise wide (default): one row per dyad: dyad, per score s: s_1, s_2,
                         s_diff (= s_1 - s_2), with --classify category_1, category_2 and
                         pairing (the two categories in alphabetical order joined by '+');
                         pairwise: two rows per dyad, each partner once as actor: dyad, actor,
                         per score s and partner_s (with --classify category, partner_category),
                         the layout of actor-partner interdependence models (APIM)
  --strict               a dyad that cannot be paired is an error (exit status 1)
  --output FILE|-        where the rows go (default: standard output)
  --report FILE.json|-   dyads paired, those not paired (id, lines, reason), pairing counts,
                         and the similarity of partners with the dyads each statistic used
  Scoring and classification: --items, --scale, --missing-code, --min-answered, --recode,
  --on-invalid, --classify and its options (--cut, --at-cut, ...), --threads and
  --max-record-bytes, as in 'bowlby score --help'.

A dyad with one row, more than two rows, or two equal --distinguish values gets no output
row; each is named on standard error and in the report.
)";

struct dyads_request {
    score_request score;
    std::string dyad, distinguish;
    bool pairwise = false, strict = false;
};

std::optional<dyads_request> parse_dyads_args(args& a) {
    dyads_request r;
    while (!a.done()) {
        const std::string flag = a.next();
        if (flag == "--help" || flag == "-h") {
            std::cout << dyads_help;
            return std::nullopt;
        }
        if (flag == "--dyad") {
            r.dyad = a.value(flag);
        } else if (flag == "--distinguish") {
            r.distinguish = a.value(flag);
        } else if (flag == "--layout") {
            const std::string v = a.value(flag);
            if (v != "wide" && v != "pairwise")
                throw usage_error("--layout takes wide or pairwise, got '" + faults::shown(v) + "'");
            r.pairwise = v == "pairwise";
        } else if (flag == "--strict") {
            r.strict = true;
        } else if (flag == "--plot" || flag == "--keep") {
            throw usage_error("bowlby dyads has no " + flag + " (run 'bowlby dyads --help' for the options)");
        } else if (parse_score_flag(flag, a, r.score)) {
            continue;  // scoring and classification, as in bowlby score
        } else if (flag.size() > 1 && flag[0] == '-') {
            throw usage_error("unknown option '" + faults::shown(flag) +
                              "' (run 'bowlby dyads --help' for the options)");
        } else {
            if (!r.score.input_path.empty())
                throw usage_error("more than one input file ('" + faults::shown(r.score.input_path) + "' and '" +
                                  faults::shown(flag) + "')");
            r.score.input_path = flag;
        }
    }
    if (r.score.instrument_id.empty() && r.score.key_path.empty())
        throw usage_error("bowlby dyads needs --instrument ID ('bowlby instruments' lists them) or --key FILE.json");
    if (r.dyad.empty()) throw usage_error("bowlby dyads needs --dyad COL, the column of the dyad id");
    if (r.score.input_path.empty()) throw usage_error("bowlby dyads needs an input file (run 'bowlby dyads --help')");
    r.score.keep_spec = r.distinguish.empty() ? r.dyad : r.dyad + "," + r.distinguish;
    return r;
}

// "dyad 'D7' (lines 4 and 9): ..." for a dyad that was not paired.
std::string unpaired_message(const bowlby::unpaired_dyad& u, const scored_rows& s, const std::string& distinguish) {
    std::string m = "dyad '" + faults::shown(u.dyad) + "' (" + lines_text(s, u.rows) + "): ";
    switch (u.reason) {
        case bowlby::unpaired_reason::one_row:
            return m + "one row, no partner";
        case bowlby::unpaired_reason::more_than_two_rows:
            return m + std::to_string(u.rows.size()) + " rows, a dyad has two";
        case bowlby::unpaired_reason::equal_distinguish:
            return m + "both partners have " + faults::shown(distinguish) + " '" + faults::shown(s.cell(u.rows[0], 1)) +
                   "', the partners cannot be told apart";
        case bowlby::unpaired_reason::no_dyad_id:
            return "a row with no dyad id (" + lines_text(s, u.rows) + ")";
    }
    return m;
}

std::string wide_rows(const score_plan& plan, const scored_rows& s, const bowlby::dyad_pairing& p) {
    std::string text = "dyad";
    for (const std::string& n : s.scores.names) text += "," + n + "_1," + n + "_2," + n + "_diff";
    text += plan.classifying ? ",category_1,category_2,pairing\n" : "\n";
    for (const bowlby::dyad_pair& d : p.pairs) {
        text += csv_cell(d.dyad);
        for (Eigen::Index c = 0; c < s.scores.values.cols(); ++c) {
            const double a = s.scores.values(static_cast<Eigen::Index>(d.row1), c),
                         b = s.scores.values(static_cast<Eigen::Index>(d.row2), c);
            text += "," + number_cell(a) + "," + number_cell(b) + "," + number_cell(a - b);
        }
        if (plan.classifying) {
            const bowlby::category a = s.outcomes[d.row1].cat, b = s.outcomes[d.row2].cat;
            text += "," + std::string(bowlby::to_string(a)) + "," + std::string(bowlby::to_string(b)) + "," +
                    bowlby::pairing_name(a, b);
        }
        text += "\n";
    }
    return text;
}

std::string pairwise_rows(const score_plan& plan, const scored_rows& s, const bowlby::dyad_pairing& p) {
    std::string text = "dyad,actor";
    for (const std::string& n : s.scores.names) text += "," + n + ",partner_" + n;
    text += plan.classifying ? ",category,partner_category\n" : "\n";
    for (const bowlby::dyad_pair& d : p.pairs) {
        const std::array<std::size_t, 2> rows{d.row1, d.row2};
        for (std::size_t actor = 0; actor < 2; ++actor) {
            const auto me = static_cast<Eigen::Index>(rows[actor]), other = static_cast<Eigen::Index>(rows[1 - actor]);
            text += csv_cell(d.dyad) + "," + std::to_string(actor + 1);
            for (Eigen::Index c = 0; c < s.scores.values.cols(); ++c)
                text += "," + number_cell(s.scores.values(me, c)) + "," + number_cell(s.scores.values(other, c));
            if (plan.classifying)
                text += "," + std::string(bowlby::to_string(s.outcomes[rows[actor]].cat)) + "," +
                        std::string(bowlby::to_string(s.outcomes[rows[1 - actor]].cat));
            text += "\n";
        }
    }
    return text;
}

json correlations_json(const std::vector<bowlby::dyad_correlation>& cs, bool with_z) {
    json a = json::array();
    for (const bowlby::dyad_correlation& c : cs) {
        json o;
        o["x"] = c.x;
        o["y"] = c.y;
        o["r"] = number(c.r);
        if (with_z) o["z"] = number(c.z);
        o["n"] = c.n;
        a.push_back(o);
    }
    return a;
}

// The ten unordered pairs of the four categories, with their counts, and the unclassified.
json pairing_counts(const scored_rows& s, const bowlby::dyad_pairing& p) {
    json counts;
    for (const std::string& k : bowlby::all_pairings()) counts[k] = 0;
    std::size_t unclassified = 0;
    for (const bowlby::dyad_pair& d : p.pairs) {
        const std::string k = bowlby::pairing_name(s.outcomes[d.row1].cat, s.outcomes[d.row2].cat);
        if (k.empty())
            ++unclassified;
        else
            counts[k] = counts[k].get<std::size_t>() + 1;
    }
    counts["unclassified"] = unclassified;
    return counts;
}

json dyads_report(const dyads_request& r, const score_plan& plan, const scored_rows& s, const bowlby::dyad_pairing& p,
                  const std::vector<std::string>& missing) {
    json j;
    j["instrument"] = std::string(plan.key->id);
    j["input"] = r.score.input_path;
    j["rows"] = s.lines.size();
    j["invalid_cells"] = s.invalid_cells;
    j["dyad_column"] = r.dyad;
    j["distinguish_column"] = r.distinguish.empty() ? json(nullptr) : json(r.distinguish);
    j["dyads"] = p.pairs.size();
    json un = json::array();
    for (const bowlby::unpaired_dyad& u : p.unpaired) {
        json o;
        o["dyad"] = u.dyad;
        o["rows"] = u.rows.size();
        json lines = json::array();
        for (std::size_t row : u.rows) lines.push_back(s.lines[row]);
        o["lines"] = lines;
        o["reason"] = std::string(bowlby::to_string(u.reason));
        un.push_back(o);
    }
    j["unpaired"] = un;
    j["missing_scores"] = missing;
    if (plan.classifying) {
        j["classification"] = plan.rule ? plan.rule->describe() : json({{"method", "rq"}});
        j["pairings"] = pairing_counts(s, p);
    }
    const bowlby::dyad_similarity sim = bowlby::dyad_statistics(s.scores, p);
    if (sim.distinguishable) {
        j["partner_correlation"] = correlations_json(sim.partner, false);
        j["cross_partner_correlation"] = correlations_json(sim.cross_partner, false);
    } else {
        j["intraclass"] = correlations_json(sim.intraclass, true);
        j["cross_intraclass"] = correlations_json(sim.cross_intraclass, false);
    }
    return j;
}

}  // namespace

int run_dyads(args& a) {
    std::optional<dyads_request> request = parse_dyads_args(a);
    if (!request) return 0;
    const dyads_request& r = *request;
    if (is_sav_path(r.score.output_path))
        throw usage_error("bowlby dyads writes CSV; SPSS .sav output is made by bowlby score and bowlby screen");
    const score_plan plan = make_score_plan(r.score);
    output_file out(plan.req.output_path);
    std::optional<output_file> report;
    if (!plan.req.report_path.empty()) report.emplace(plan.req.report_path);
    const scored_rows s = read_scored(plan, *plan.input);
    const bowlby::dyad_pairing p =
        bowlby::pair_dyads(s.column(0), r.distinguish.empty() ? std::vector<std::string>{} : s.column(1));
    std::vector<std::string> problems, missing;
    for (const bowlby::unpaired_dyad& u : p.unpaired) problems.push_back(unpaired_message(u, s, r.distinguish));
    if (r.strict && !p.unpaired.empty())
        throw data_error(r.score.input_path + ": " + std::to_string(p.unpaired.size()) +
                         " dyad(s) cannot be paired (--strict):" + message_lines(problems));
    for (const bowlby::dyad_pair& d : p.pairs)
        for (int k = 0; k < 2; ++k)
            for (const std::string& m : missing_scores(s, k == 0 ? d.row1 : d.row2))
                missing.push_back("dyad '" + faults::shown(d.dyad) + "', partner " + std::to_string(k + 1) + " (" +
                                  lines_text(s, {k == 0 ? d.row1 : d.row2}) + "): " + m +
                                  ", left out of the statistics that need it");
    out.write(r.pairwise ? pairwise_rows(plan, s, p) : wide_rows(plan, s, p));
    if (report) report->write(dyads_report(r, plan, s, p, missing).dump(2) + "\n");
    out.commit();
    if (report) report->commit();
    std::cerr << "bowlby dyads: " << p.pairs.size() << (p.pairs.size() == 1 ? " dyad" : " dyads") << " paired from "
              << s.lines.size() << " rows";
    if (!p.unpaired.empty()) std::cerr << "; " << p.unpaired.size() << " not paired:" << message_lines(problems);
    if (!missing.empty()) std::cerr << "\nscores missing in paired dyads:" << message_lines(missing);
    std::cerr << "\n";
    return 0;
}

}  // namespace bowlby_cli
