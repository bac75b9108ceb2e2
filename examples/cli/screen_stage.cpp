// Screening for careless responding in `bowlby score --screen` and `bowlby screen`: its options,
// its part of the plan (the layout, the flags, the first pass for the sample statistics) and of
// the report. The rows themselves are screened in score_run.cpp, beside their scores.
#include "score_stages.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>

namespace bowlby_cli {
namespace {

double parse_correlation(const std::string& text, const std::string& flag) {
    const double r = parse_double(text, flag);
    if (!(r >= -1 && r <= 1)) throw usage_error(flag + " takes a correlation from -1 to 1, got " + text);
    return r;
}

// --presented-order: the item columns in the order the respondents saw them; without it, the
// order of the item columns in the file.
std::vector<int> presented_order(const score_plan& plan) {
    const std::vector<std::size_t>& items = plan.input->item_columns();
    std::vector<int> order(items.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
    const std::string& spec = plan.req.screen.presented_order;
    if (spec.empty()) {
        std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
            return items[static_cast<std::size_t>(a)] < items[static_cast<std::size_t>(b)];
        });
        return order;
    }
    const std::vector<std::size_t> cols = resolve_columns(spec, plan.input->header(), "--presented-order");
    order.clear();
    for (std::size_t c : cols) {
        const auto at = std::find(items.begin(), items.end(), c);
        if (at == items.end())
            throw usage_error("--presented-order names '" + faults::shown(plan.input->header()[c]) +
                              "', which is not an item column");
        const int item = static_cast<int>(at - items.begin());
        if (std::find(order.begin(), order.end(), item) != order.end())
            throw usage_error("--presented-order names '" + faults::shown(plan.input->header()[c]) + "' twice");
        order.push_back(item);
    }
    if (order.size() != items.size())
        throw usage_error("--presented-order names " + std::to_string(order.size()) + " item columns; the " +
                          std::to_string(items.size()) + " item columns must all be named, once each");
    return order;
}

// The default flags with --flag NAME=VALUE (a number, or "off") applied.
std::vector<bowlby::screen_flag> flags_in_force(const score_plan& plan) {
    std::vector<bowlby::flag_setting> settings;
    for (const auto& [name, value] : plan.req.screen.flags)
        settings.push_back(
            {name, value == "off" ? std::nullopt : std::optional<double>(parse_double(value, "--flag " + name))});
    try {
        return bowlby::flags_in_force(*plan.screen.layout, settings, plan.screen.columns.sample,
                                      plan.screen.columns.duration, "given with --flag");
    } catch (const bowlby::option_error& e) {
        throw usage_error("--flag: " + faults::shown(e.what()));
    }
}

// A block's answers as doubles, NaN for missing (bytes' missing byte included).
chunk_matrix as_doubles(const parsed_rows& rows) {
    if (!rows.in_bytes) return rows.answers();
    return rows.bytes().cast<double>().unaryExpr(
        [](double x) { return x == parsed_rows::missing_byte ? std::numeric_limits<double>::quiet_NaN() : x; });
}

// The first pass: the sums behind the sample statistics, block by block, merged in file order.
std::unique_ptr<bowlby::screen_statistics> sample_statistics(const score_plan& plan) {
    const score_request& r = plan.req;
    const std::unique_ptr<answer_reader> reader = open_answers(plan, r.input_path);
    answer_reader& input = *reader;
    input.allow_bytes(true);
    const std::vector<std::size_t> exclude_cells = keep_exclude_columns(r, input);
    bowlby::screen_sample total(*plan.screen.layout);
    input.run<std::optional<bowlby::screen_sample>>(
        r.threads, r.options.on_invalid,
        [&](const parsed_rows& rows, std::size_t, std::optional<bowlby::screen_sample>& part) {
            part.emplace(*plan.screen.layout);
            parsed_rows kept;  // the rows --exclude leaves out are not of the sample
            part->add(as_doubles(without_excluded(r, exclude_cells, rows, kept)));
        },
        [&](std::optional<bowlby::screen_sample>& part) { total.merge(*part); });
    return std::make_unique<bowlby::screen_statistics>(total.finish());
}

}  // namespace

bool parse_screen_flag(const std::string& flag, args& a, screen_request& r) {
    if (flag == "--screen") {
        r.on = true;
    } else if (flag == "--one-pass") {
        r.one_pass = true;
    } else if (flag == "--presented-order") {
        r.presented_order = a.value(flag);
    } else if (flag == "--duration") {
        r.duration = a.value(flag);
    } else if (flag == "--syn-r") {
        r.options.syn_r = parse_correlation(a.value(flag), flag);
    } else if (flag == "--ant-r") {
        r.options.ant_r = parse_correlation(a.value(flag), flag);
    } else if (flag == "--flag") {
        const std::string v = a.value(flag);
        const std::size_t eq = v.find('=');
        if (eq == std::string::npos || eq == 0 || eq + 1 == v.size())
            throw usage_error("--flag takes NAME=VALUE (a threshold, or off), got '" + faults::shown(v) + "'");
        r.flags.emplace_back(v.substr(0, eq), v.substr(eq + 1));
    } else if (flag == "--exclude-flagged") {
        const std::string v = a.value(flag);
        const double n = parse_double(v, flag);
        if (!(n >= 1 && n == std::floor(n) && n < 1e6))
            throw usage_error("--exclude-flagged takes a whole number of flags, 1 or more, got " + v);
        r.exclude_flagged = static_cast<std::size_t>(n);
    } else {
        return false;
    }
    return true;
}

void plan_screening(score_plan& plan) {
    const score_request& r = plan.req;
    if (r.screen.exclude_flagged > 0 && !r.screen.scores)
        throw usage_error(
            "--exclude-flagged goes with bowlby score --screen (bowlby screen has no statistics to "
            "exclude rows from)");
    if (!r.screen.one_pass && r.input_path == "-")
        throw usage_error(
            "screening reads the data twice (psychsyn, psychant and mahad need the sample): give a "
            "file, not standard input, or --one-pass for the indices that need no sample");
    bowlby::screen_options options = r.screen.options;
    options.presented_order = presented_order(plan);
    plan.screen.layout = std::make_unique<bowlby::screen_layout>(*plan.key, r.options, std::move(options));
    plan.screen.columns = {!r.screen.one_pass, plan.screen.duration_cell != screen_plan::none};
    plan.screen.flags = flags_in_force(plan);
    plan.screen.flagged_at = r.screen.exclude_flagged > 0 ? r.screen.exclude_flagged : 1;
    if (!r.screen.one_pass) plan.screen.stats = sample_statistics(plan);
}

std::string screen_header(const score_plan& plan) {
    std::string h;
    for (const std::string& name : bowlby::screen_columns(*plan.screen.layout, plan.screen.columns)) h += "," + name;
    return h + ",flags,n_flags";
}

}  // namespace bowlby_cli

namespace bowlby_cli {
namespace {

// Each subscale's alpha over all rows and over the rows not flagged.
json alpha_json(const score_plan& plan, const score_totals& totals) {
    const auto all = bowlby::reliability(*totals.all_items, {}, plan.input->item_names());
    const auto clean = bowlby::reliability(*totals.clean_items, {}, plan.input->item_names());
    auto out = json::array();
    for (std::size_t s = 0; s < all.size() && s < clean.size(); ++s)
        out.push_back({{"subscale", all[s].name},
                       {"all_rows", number(all[s].alpha.raw_alpha)},
                       {"without_flagged", number(clean[s].alpha.raw_alpha)},
                       {"n_all", all[s].n},
                       {"n_without_flagged", clean[s].n}});
    return out;
}

// Indices that cannot be computed for any row, and why.
json undefined_json(const score_plan& plan) {
    json u = json::object();
    const bowlby::screen_layout& layout = *plan.screen.layout;
    if (layout.halved_subscales() < 3)
        u["evenodd"] = "needs 3 subscales that split into odd and even halves; " + plan.req.instrument_id + " has " +
                       std::to_string(layout.halved_subscales()) + " (so for the two-subscale ECR family)";
    if (layout.gaps().empty()) u["reverse_gap"] = "no subscale has both forward and reversed items";
    if (const bowlby::screen_statistics* st = plan.screen.stats.get()) {
        if (st->syn_first.size() < 3)
            u["psychsyn"] = std::to_string(st->syn_first.size()) + " item pairs correlate at least " +
                            format_number(layout.options().syn_r) + " (keyed); 3 are needed";
        if (st->ant_first.size() < 3)
            u["psychant"] = std::to_string(st->ant_first.size()) + " item pairs correlate at most " +
                            format_number(layout.options().ant_r) + " (raw); 3 are needed";
        if (!st->covariance_problem.empty()) u["mahad"] = st->covariance_problem;
    }
    return u;
}

std::string rule_text(const bowlby::screen_flag& f) {
    if (f.compare == bowlby::screen_flag::when::size_at_least)
        return "|" + f.name + "| >= " + format_number(f.threshold);
    return f.name + " " + bowlby::to_string(f.compare) + " " + format_number(f.threshold);
}

}  // namespace

json screening_json(const score_plan& plan, const score_totals& totals) {
    json j;
    auto flags = json::array();
    for (std::size_t f = 0; f < plan.screen.flags.size(); ++f) {
        const bowlby::screen_flag& fl = plan.screen.flags[f];
        flags.push_back({{"name", fl.name},
                         {"rule", rule_text(fl)},
                         {"threshold", fl.threshold},
                         {"source", fl.source},
                         {"rows", totals.raised[f]},
                         {"excluded", totals.excluded_by[f]}});
    }
    j["flags"] = flags;
    j["flagged_at"] = plan.screen.flagged_at;
    j["rows_flagged"] = totals.flagged;
    j["exclude_flagged"] = plan.req.screen.exclude_flagged > 0 ? json(plan.req.screen.exclude_flagged) : json(nullptr);
    j["rows_excluded"] = totals.excluded;
    j["alpha"] = alpha_json(plan, totals);
    if (const bowlby::screen_statistics* st = plan.screen.stats.get()) {
        j["complete_rows"] = st->complete_rows;
        j["psychsyn_pairs"] = st->syn_first.size();
        j["psychant_pairs"] = st->ant_first.size();
    }
    j["undefined"] = undefined_json(plan);
    return j;
}

void write_screen_summary(const score_plan& plan, const score_totals& totals, std::ostream& out) {
    const json j = screening_json(plan, totals);
    out << "screening: " << totals.rows << " rows, " << totals.flagged << " with at least " << plan.screen.flagged_at
        << (plan.screen.flagged_at == 1 ? " flag" : " flags");
    if (plan.req.screen.exclude_flagged > 0) out << " (excluded from the statistics)";
    out << "\n  flags raised:";
    const char* sep = " ";
    for (const auto& f : j["flags"]) {
        out << sep << f["name"].get<std::string>() << " " << f["rows"].get<std::size_t>();
        sep = ", ";
    }
    out << "\n";
    for (const auto& a : j["alpha"]) {
        auto shown = [](const json& v) {
            if (v.is_null()) return std::string("undefined");
            std::ostringstream t;
            t << std::fixed << std::setprecision(4) << v.get<double>();
            return t.str();
        };
        std::ostringstream line;
        line << "  alpha " << a["subscale"].get<std::string>() << ": " << shown(a["all_rows"]) << " all rows, "
             << shown(a["without_flagged"]) << " without the flagged rows\n";
        out << line.str();
    }
    for (const auto& [name, why] : j["undefined"].items())
        out << "  " << name << " not computed: " << why.get<std::string>() << "\n";
}

}  // namespace bowlby_cli
