#include "scored_rows.hpp"

#include <cmath>
#include <limits>
#include <utility>

namespace bowlby_cli {
namespace {

// One block's part of a scored file.
struct scored_block {
    bowlby::score_table<double> scores;
    std::vector<std::string> kept;
    std::vector<std::size_t> lines;
    std::vector<outcome> outcomes;
    std::optional<bowlby::instrument_accumulator> items;
    std::size_t invalid = 0;
};

// The answers of the rows of a block that `take` accepts, added to `acc`.
void add_taken(bowlby::instrument_accumulator& acc, const parsed_rows& rows, const row_filter& take) {
    std::vector<Eigen::Index> idx;
    for (Eigen::Index r = 0; r < rows.rows(); ++r)
        if (!take || take(rows, r)) idx.push_back(r);
    if (idx.size() == static_cast<std::size_t>(rows.rows())) return add_answers(acc, rows);
    if (idx.empty()) return;
    if (rows.in_bytes) {
        const byte_matrix part = rows.bytes()(idx, Eigen::all);
        acc.add(part);
    } else {
        const chunk_matrix part = rows.answers()(idx, Eigen::all);
        acc.add(part);
    }
}

void append(scored_rows& out, std::vector<bowlby::score_table<double>>& parts, scored_block& b) {
    parts.push_back(std::move(b.scores));
    out.kept.insert(out.kept.end(), b.kept.begin(), b.kept.end());
    out.lines.insert(out.lines.end(), b.lines.begin(), b.lines.end());
    out.outcomes.insert(out.outcomes.end(), b.outcomes.begin(), b.outcomes.end());
    out.invalid_cells += b.invalid;
}

bowlby::score_table<double> concatenate(const score_plan& plan, const std::vector<bowlby::score_table<double>>& parts) {
    Eigen::Index n = 0;
    for (const auto& p : parts) n += p.rows();
    bowlby::score_table<double> t;
    for (std::size_t s = 0; s < plan.n_scores; ++s) t.names.emplace_back(plan.key->score_name(s));
    const auto cols = static_cast<Eigen::Index>(plan.n_scores);
    t.values.resize(n, cols);
    t.answered.resize(n, cols);
    t.status_codes.resize(n, cols);
    Eigen::Index at = 0;
    for (const auto& p : parts) {
        t.values.middleRows(at, p.rows()) = p.values;
        t.answered.middleRows(at, p.rows()) = p.answered;
        t.status_codes.middleRows(at, p.rows()) = p.status_codes;
        t.invalid_cells += p.invalid_cells;
        at += p.rows();
    }
    return t;
}

}  // namespace

std::vector<std::string> scored_rows::column(std::size_t c) const {
    std::vector<std::string> out;
    for (std::size_t r = 0; r < lines.size(); ++r) out.push_back(cell(r, c));
    return out;
}

scored_rows read_scored(const score_plan& plan, answer_reader& input, const answer_sink& sink) {
    scored_rows out;
    out.keep = input.keep_columns().size();
    out.row_word = input.row_word();
    std::vector<bowlby::score_table<double>> parts;
    const score_request& r = plan.req;
    input.run<scored_block>(
        r.threads, r.options.on_invalid, [&] { return block_scorer(*plan.key, r.options); },
        [&](block_scorer& scorer, const parsed_rows& rows, std::size_t, scored_block& res) {
            const bowlby::score_table<double>& t = scorer.score(rows);
            res.scores = t;
            res.invalid = scorer.last_invalid() + rows.text_invalid;
            res.kept = rows.kept;
            res.lines = rows.lines;
            if (plan.classifying)
                for (Eigen::Index row = 0; row < rows.rows(); ++row)
                    res.outcomes.push_back(classify_row(plan, rows, t, row));
            if (!sink.items) return;
            res.items.emplace(sink.key, rows.in_bytes ? byte_options(r.options) : r.options);
            add_taken(*res.items, rows, sink.take);
        },
        [&](scored_block& res) {
            append(out, parts, res);
            if (sink.items) sink.items->merge(*res.items);
        });
    out.scores = concatenate(plan, parts);
    return out;
}

bowlby::score_table<double> select_rows(const bowlby::score_table<double>& t, const std::vector<std::size_t>& rows) {
    std::vector<Eigen::Index> idx(rows.begin(), rows.end());
    bowlby::score_table<double> s;
    s.names = t.names;
    s.values = t.values(idx, Eigen::all);
    s.answered = t.answered(idx, Eigen::all);
    s.status_codes = t.status_codes(idx, Eigen::all);
    return s;
}

std::string lines_text(const scored_rows& s, const std::vector<std::size_t>& rows) {
    std::string t = s.row_word + std::string(rows.size() == 1 ? " " : "s ");
    for (std::size_t i = 0; i < rows.size(); ++i) {
        if (i > 0) t += i + 1 == rows.size() ? " and " : ", ";
        t += std::to_string(s.lines[rows[i]]);
    }
    return t;
}

std::string message_lines(const std::vector<std::string>& messages, std::size_t most) {
    std::string t;
    for (std::size_t i = 0; i < messages.size() && i < most; ++i) t += "\n  " + messages[i];
    if (messages.size() > most)
        t += "\n  ... and " + std::to_string(messages.size() - most) + " more (every one is in the --report)";
    return t;
}

std::vector<std::string> missing_scores(const scored_rows& s, std::size_t row) {
    std::vector<std::string> out;
    const auto r = static_cast<Eigen::Index>(row);
    for (Eigen::Index c = 0; c < s.scores.values.cols(); ++c) {
        if (std::isfinite(s.scores.values(r, c))) continue;
        const int answered = s.scores.answered(r, c);
        out.push_back("no " + s.scores.names[static_cast<std::size_t>(c)] + " score (" + std::to_string(answered) +
                      (answered == 1 ? " item" : " items") + " answered)");
    }
    return out;
}

std::string csv_cell(const std::string& s) {
    if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
    std::string q = "\"";
    for (char c : s) {
        if (c == '"') q += '"';
        q += c;
    }
    return q + "\"";
}

std::string number_cell(double x) { return std::isfinite(x) ? format_number(x) : std::string(); }

}  // namespace bowlby_cli
