// `bowlby score`'s run: each block is scored, classified, accumulated for the report and
// formatted by the thread that took it, with the scorers and caches that thread keeps; blocks
// are written out and their statistics merged in file order, so that the output is the same
// for any number of threads.
#include "score_stages.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <map>
#include <memory>

namespace bowlby_cli {
namespace {

// Shortest round-trip text of a number, remembered: scores are means of a few whole numbers,
// and the screening indices functions of a few sums, so that some ten thousand values recur
// across a file. write() puts it at `to` (with room for at least 32 characters) and returns
// the end. A value is looked for in 4 neighbouring slots of a table (32768 slots, 1 MiB) and
// takes an empty one or the first when it is not there. A remembered text is copied as a
// fixed 24 bytes (a variable-length copy costs more than the few extra bytes).
class number_text {
public:
    char* write(char* to, double v) {
        std::uint64_t bits;
        std::memcpy(&bits, &v, sizeof bits);
        const std::size_t home = home_of(bits);
        entry* e = nullptr;
        for (std::size_t k = 0; k < ways; ++k) {
            entry& slot = table_[(home + k) & (size - 1)];
            if (slot.len != 0 && slot.bits == bits) return copy(to, slot);
            if (slot.len == 0 && e == nullptr) e = &slot;
        }
        if (e == nullptr) e = &table_[home];
        const std::string t = format_number(v);
        if (t.size() > sizeof e->text) return std::copy(t.begin(), t.end(), to);
        e->bits = bits;
        e->len = static_cast<unsigned char>(t.size());
        std::memcpy(e->text, t.data(), t.size());
        return copy(to, *e);
    }

    /// Asks for the cache line where `v` would be, ahead of its write(): the table is larger
    /// than the processor's nearest caches, and a value's slot is as good as random.
    void prefetch(double v) const {
        std::uint64_t bits;
        std::memcpy(&bits, &v, sizeof bits);
#if defined(__GNUC__) || defined(__clang__)
        __builtin_prefetch(&table_[home_of(bits)]);
#endif
    }

private:
    static std::size_t home_of(std::uint64_t bits) {
        return static_cast<std::size_t>((bits * 0x9E3779B97F4A7C15ULL) >> (64 - size_bits));
    }
    static constexpr unsigned size_bits = 15;
    static constexpr std::size_t size = std::size_t{1} << size_bits, ways = 4;
    struct entry {  // 32 bytes; len 0: empty
        std::uint64_t bits = 0;
        char text[23] = {};
        unsigned char len = 0;
    };
    static_assert(sizeof(entry) == 32 && offsetof(entry, len) == offsetof(entry, text) + sizeof(entry::text));
    // The text and the length byte after it, read as the entry's bytes.
    static char* copy(char* to, const entry& e) {
        std::memcpy(to, reinterpret_cast<const char*>(&e) + offsetof(entry, text), sizeof e.text + 1);
        return to + e.len;
    }
    std::vector<entry> table_ = std::vector<entry>(size);
};

// A block's output text, written through a pointer: room() makes space for at most n more
// characters (without initialising them) and returns where they go; advance() ends the write.
class text_buffer {
public:
    char* room(std::size_t n) {
        if (cap_ - size_ < n) {
            const std::size_t cap = std::max(2 * cap_, size_ + n);
            std::unique_ptr<char[]> grown(new char[cap]);
            if (size_ > 0) std::memcpy(grown.get(), data_.get(), size_);
            data_ = std::move(grown);
            cap_ = cap;
        }
        return data_.get() + size_;
    }
    void advance(const char* to) { size_ = static_cast<std::size_t>(to - data_.get()); }
    std::string_view view() const { return {data_.get(), size_}; }

private:
    std::unique_ptr<char[]> data_;
    std::size_t size_ = 0, cap_ = 0;
};

// A CSV cell at `to`, quoted when it holds a comma, quote or line break (at most 2 n + 2
// characters); returns the end.
char* write_cell(char* to, std::string_view s) {
    // One pass over the cell (find_first_of calls memchr on the set for every character).
    bool plain = true;
    for (char c : s) plain &= c != ',' && c != '"' && c != '\r' && c != '\n';
    if (plain) return std::copy(s.begin(), s.end(), to);
    *to++ = '"';
    for (char c : s) {
        if (c == '"') *to++ = '"';
        *to++ = c;
    }
    *to++ = '"';
    return to;
}

char* write_text(char* to, std::string_view s) { return std::copy(s.begin(), s.end(), to); }

std::string csv_quote(std::string_view s) {
    std::string q(2 * s.size() + 2, '\0');
    q.resize(static_cast<std::size_t>(write_cell(q.data(), s) - q.data()));
    return q;
}

// A block's output and what it adds to the totals.
struct scored_block {
    text_buffer text;
    std::vector<running_stats> stats;
    std::optional<bowlby::instrument_accumulator> items, clean_items, flagged_items;
    std::vector<std::size_t> raised, excluded_by, matched_by;
    std::size_t excluded = 0, flagged = 0;
    std::array<std::size_t, 5> counts{};
    std::array<std::size_t, 4> row_status{};  // complete, prorated, insufficient, excluded
    std::size_t firm = 0, with_p = 0, rows = 0, invalid = 0;
};

// What a thread keeps from block to block: its scorers, the texts of the numbers it has
// written, and the classifications of score pairs it has met outside the plan's table.
class score_worker {
public:
    explicit score_worker(const score_plan& p)
        : plan(p), scorer(*p.key, p.req.options), byte_opts(byte_options(p.req.options)) {
        if (p.req.screen.on) screener.emplace(*p.screen.layout, p.screen.stats.get(), parsed_rows::missing_byte);
    }

    // The classification of row r of a scored block.
    outcome classify(const parsed_rows& in, const bowlby::score_table<double>& t, Eigen::Index r) {
        if (plan.is_rq) return classify_row(plan, in, t, r);
        const dimensions& d = plan.dims;
        return outcome_of(t.values(r, d.anxiety), d.avo(t.values(r, d.avoidance)));
    }

    const score_plan& plan;
    block_scorer scorer;
    const bowlby::score_options byte_opts;
    number_text numbers;
    std::optional<bowlby::screener> screener;  ///< when screening
    std::vector<bowlby::screen_indices> screened;
    std::vector<std::uint64_t> raised;  ///< per row of the block: a bit per flag raised (at most 64 flags)
    std::vector<char> matched;          ///< per row of the block: it matches an --exclude

private:
    // A pair of the sample is in the plan's table; any other is classified here once and
    // remembered by this thread (bounded, for continuous scores).
    outcome outcome_of(double anxiety, double avoidance) {
        auto classify = [&] {
            const bowlby::classification c = plan.rule->classify(anxiety, avoidance);
            return outcome{c.cat, c.probability};
        };
        if (std::isnan(anxiety) || std::isnan(avoidance)) return classify();
        if (const outcome* known = plan.outcomes.find(anxiety, avoidance)) return *known;
        if (cache_.size() > 1000000) cache_.clear();
        const std::pair<double, double> key{anxiety, avoidance};
        const auto it = cache_.find(key);
        if (it != cache_.end()) return it->second;
        return cache_.emplace(key, classify()).first->second;
    }

    std::map<std::pair<double, double>, outcome> cache_;
};

// Per score ",value,count" at w, counted in the block's statistics; returns the end. `worst`
// becomes the least complete status of the row's scores.
// An excluded row is written but not counted.
char* write_scores(char* w, score_worker& worker, const bowlby::score_table<double>& t, Eigen::Index r,
                   scored_block& res, bowlby::score_status& worst, bool excluded) {
    const bool report = worker.plan.reporting && !excluded;
    for (std::size_t s = 0; s < worker.plan.n_scores; ++s) {
        const auto si = static_cast<Eigen::Index>(s);
        const auto st = t.status(r, si);
        if (!excluded) ++res.stats[s].status[static_cast<int>(st)];
        *w++ = ',';
        if (st != bowlby::score_status::insufficient) {
            const double v = t.values(r, si);
            w = worker.numbers.write(w, v);
            if (report) res.stats[s].add(v);  // the report's mean and sd
        }
        *w++ = ',';
        w = std::to_chars(w, w + 12, t.answered(r, si)).ptr;
        if (static_cast<int>(st) > static_cast<int>(worst)) worst = st;
    }
    return w;
}

// ",category,probability" of row r at w, counted; returns the end.
char* write_category(char* w, score_worker& worker, const parsed_rows& in, const bowlby::score_table<double>& t,
                     Eigen::Index r, scored_block& res, bool excluded) {
    const outcome c = worker.classify(in, t, r);
    if (!excluded) ++res.counts[static_cast<std::size_t>(c.cat)];
    *w++ = ',';
    w = write_text(w, bowlby::to_string(c.cat));
    *w++ = ',';
    if (std::isfinite(c.probability)) {
        w = worker.numbers.write(w, c.probability);
        if (!excluded) ++res.with_p;
        if (!excluded && c.probability >= 0.8) ++res.firm;
    }
    return w;
}

// A row's total duration in seconds from its kept cell: NaN when empty (or NA, .); a data
// error for anything but a number >= 0.
double duration_of(const score_plan& plan, const parsed_rows& in, Eigen::Index r) {
    const std::string& cell = in.kept_cell(r, plan.screen.duration_cell);
    if (cell.empty() || cell == "NA" || cell == ".") return std::numeric_limits<double>::quiet_NaN();
    char* end = nullptr;
    const double x = std::strtod(cell.c_str(), &end);
    if (end != cell.c_str() + cell.size() || !(x >= 0) || std::isinf(x)) {
        const std::string column = plan.input->header()[plan.input->keep_columns()[plan.screen.duration_cell]];
        throw data_error(plan.req.input_path + ", " + plan.input->row_at(in.lines[static_cast<std::size_t>(r)]) +
                         ", column " + faults::shown(column) + ": value '" + faults::shown(cell) +
                         "' is not a duration in seconds (a number, 0 or more)");
    }
    return x;
}

// Every row of a block screened into worker.screened and worker.raised, with the block's
// counts of flags raised and rows flagged or excluded.
void screen_rows(score_worker& worker, const parsed_rows& in, scored_block& res) {
    const score_plan& plan = worker.plan;
    const std::size_t n_flags = plan.screen.flags.size();
    worker.screened.resize(static_cast<std::size_t>(in.rows()));
    worker.raised.assign(static_cast<std::size_t>(in.rows()), 0);
    res.raised.assign(n_flags, 0);
    res.excluded_by.assign(n_flags, 0);
    const bool has_duration = plan.screen.duration_cell != screen_plan::none;
    for (Eigen::Index r = 0; r < in.rows(); ++r) {
        const double duration = has_duration ? duration_of(plan, in, r) : std::numeric_limits<double>::quiet_NaN();
        bowlby::screen_indices& x = worker.screened[static_cast<std::size_t>(r)];
        if (in.in_bytes)
            worker.screener->screen_into(x, in.bytes().row(r).data(), 1, static_cast<std::size_t>(r), duration);
        else
            worker.screener->screen_into(x, in.answers().row(r).data(), 1, static_cast<std::size_t>(r), duration);
        std::uint64_t& bits = worker.raised[static_cast<std::size_t>(r)];
        std::size_t count = 0;
        for (std::size_t f = 0; f < n_flags; ++f)
            if (bowlby::raised(plan.screen.flags[f], x)) {
                bits |= std::uint64_t{1} << f;
                ++res.raised[f];
                ++count;
            }
        if (count < plan.screen.flagged_at) continue;
        ++res.flagged;
        if (plan.req.screen.exclude_flagged == 0) continue;
        ++res.excluded;
        for (std::size_t f = 0; f < n_flags; ++f)
            if (bits >> f & 1) ++res.excluded_by[f];
    }
}

std::size_t flag_count(std::uint64_t bits) {
    std::size_t n = 0;
    for (; bits != 0; bits &= bits - 1) ++n;
    return n;
}

// The rows of a block that match an --exclude, into worker.matched, counted per --exclude.
void match_excludes(score_worker& worker, const parsed_rows& in, scored_block& res) {
    const score_plan& plan = worker.plan;
    const std::size_t n = plan.exclude_cells.size();
    worker.matched.assign(static_cast<std::size_t>(in.rows()), 0);
    res.matched_by.assign(n, 0);
    for (std::size_t e = 0; e < n; ++e) {
        const std::string& value = plan.req.exclude[e].second;
        for (Eigen::Index r = 0; r < in.rows(); ++r)
            if (in.kept_cell(r, plan.exclude_cells[e]) == value) {
                ++res.matched_by[e];
                worker.matched[static_cast<std::size_t>(r)] = 1;
            }
    }
}

// The answers of a block's rows that are flagged (or those that are not), added to `acc`;
// rows that match an --exclude are left out of both.
void add_answers_of(bowlby::instrument_accumulator& acc, const score_worker& worker, const parsed_rows& in,
                    bool flagged) {
    const bool screened = worker.plan.req.screen.on;
    std::vector<Eigen::Index> rows;
    for (Eigen::Index r = 0; r < in.rows(); ++r)
        if (!worker.matched[static_cast<std::size_t>(r)] &&
            (!screened ||
             (flag_count(worker.raised[static_cast<std::size_t>(r)]) >= worker.plan.screen.flagged_at) == flagged))
            rows.push_back(r);
    if (rows.empty()) return;
    if (rows.size() == static_cast<std::size_t>(in.rows())) return add_answers(acc, in);
    if (in.in_bytes) {
        const byte_matrix part = in.bytes()(rows, Eigen::all);
        acc.add(part);
    } else {
        const chunk_matrix part = in.answers()(rows, Eigen::all);
        acc.add(part);
    }
}

// The screening columns of row r at w, from ",longstring" to ",n_flags"; returns the end.
char* write_screen(char* w, score_worker& worker, Eigen::Index r) {
    const score_plan& plan = worker.plan;
    const bowlby::screen_indices& x = worker.screened[static_cast<std::size_t>(r)];
    bowlby::for_each_index(x, plan.screen.columns, [&](double v) {
        *w++ = ',';
        if (v == v) w = worker.numbers.write(w, v);
    });
    *w++ = ',';
    const std::uint64_t bits = worker.raised[static_cast<std::size_t>(r)];
    bool first = true;
    for (std::size_t f = 0; f < plan.screen.flags.size(); ++f)
        if (bits >> f & 1) {
            if (!first) *w++ = ';';
            w = write_text(w, plan.screen.flags[f].name);
            first = false;
        }
    *w++ = ',';
    return std::to_chars(w, w + 4, flag_count(bits)).ptr;
}

// How many rows ahead of the one written the slots of its screening numbers are asked for.
constexpr Eigen::Index prefetch_rows = 8;

// Asks for the slots of the numbers write_screen will write for row r.
void prefetch_screen(const score_worker& worker, Eigen::Index r) {
    bowlby::for_each_index(worker.screened[static_cast<std::size_t>(r)], worker.plan.screen.columns,
                           [&](double v) { worker.numbers.prefetch(v); });
}

// The block's answers in the report's accumulators: all rows, and when screening, the rows
// not flagged and the flagged ones (the report's own statistics leave out the excluded rows).
void accumulate_items(score_worker& worker, const parsed_rows& in, scored_block& res) {
    const score_plan& plan = worker.plan;
    if (!plan.reporting) return;
    const bowlby::score_options& opts = in.in_bytes ? worker.byte_opts : plan.req.options;
    if (plan.req.screen.on) {
        // Flagged rows are few: the rows not flagged and the flagged ones are accumulated apart
        // and make all rows when merged, so that each row is added once.
        res.clean_items.emplace(*plan.key, opts);
        add_answers_of(*res.clean_items, worker, in, false);
        res.flagged_items.emplace(*plan.key, opts);
        add_answers_of(*res.flagged_items, worker, in, true);
        return;
    }
    res.items.emplace(*plan.key, opts);
    add_answers_of(*res.items, worker, in, false);
}

// Every row of a block, scored, into its text: the row number, the kept cells, the scores,
// the status and, when classifying, the category and its probability; when screening, the
// indices and flags (`bowlby screen`: these without the scores).
void score_block(score_worker& worker, const parsed_rows& in, std::size_t first_row, scored_block& res) {
    const score_plan& plan = worker.plan;
    const bowlby::score_table<double>& t = worker.scorer.score(in);
    res.invalid = worker.scorer.last_invalid() + in.text_invalid;
    const bool screening = plan.req.screen.on, scores = !screening || plan.req.screen.scores;
    const std::size_t exclude_at = plan.req.screen.exclude_flagged;
    if (screening) screen_rows(worker, in, res);
    match_excludes(worker, in, res);
    accumulate_items(worker, in, res);
    res.stats.assign(plan.n_scores, running_stats{});
    res.rows = static_cast<std::size_t>(in.rows());
    // Room for a row: its number, the kept cells (quoted, at most 2 n + 3 each), per score
    // ",value,count" and the status, category and probability, and the screening columns.
    const std::size_t row_room =
        32 + plan.n_scores * 48 + 16 + (plan.classifying ? 64 : 0) +
        (screening ? 40 * (12 + plan.screen.layout->gaps().size()) + 64 * plan.screen.flags.size() : 0);
    for (Eigen::Index r = 0; r < in.rows(); ++r) {
        std::size_t room = row_room;
        for (std::size_t c = 0; c < plan.copied; ++c) room += 2 * in.kept_cell(r, c).size() + 3;
        char* w = res.text.room(room);
        w = std::to_chars(w, w + 24, first_row + static_cast<std::size_t>(r) + 1).ptr;
        for (std::size_t c = 0; c < plan.copied; ++c) {
            *w++ = ',';
            w = write_cell(w, in.kept_cell(r, c));
        }
        const bool excluded = worker.matched[static_cast<std::size_t>(r)] ||
                              (exclude_at > 0 && flag_count(worker.raised[static_cast<std::size_t>(r)]) >= exclude_at);
        if (scores) {
            auto worst = bowlby::score_status::complete;
            w = write_scores(w, worker, t, r, res, worst, excluded);
            *w++ = ',';
            w = write_text(w, excluded ? "excluded" : bowlby::to_string(worst));
            ++res.row_status[excluded ? 3 : static_cast<std::size_t>(worst)];
            if (plan.classifying) w = write_category(w, worker, in, t, r, res, excluded);
        }
        if (screening) {
            if (r + prefetch_rows < in.rows()) prefetch_screen(worker, r + prefetch_rows);
            w = write_screen(w, worker, r);
        }
        *w++ = '\n';
        res.text.advance(w);
    }
}

std::string output_header(const score_plan& plan) {
    const std::vector<std::string>& header = plan.input->header();
    const std::vector<std::size_t>& keep = plan.input->keep_columns();
    std::string line = "row";
    for (std::size_t c = 0; c < plan.copied; ++c) line += "," + csv_quote(header[keep[c]]);
    if (plan.req.screen.scores) {
        for (std::size_t s = 0; s < plan.n_scores; ++s) {
            const std::string name(plan.key->score_name(s));
            line += "," + name + "," + name + "_n";
        }
        line += plan.classifying ? ",status,category,category_p" : ",status";
    }
    if (plan.req.screen.on) line += screen_header(plan);
    return line + "\n";
}

// The columns of output_header(plan) as an SPSS file has them: variable labels, the status as
// a labelled numeric (1 complete, 2 prorated, 3 insufficient, 4 excluded), text where the
// output holds words, and kept columns as the input had them.
std::vector<sav_column> sav_columns(const score_plan& plan) {
    std::vector<sav_column> cols;
    auto add = [&](std::string name, std::string label, bool text = false, const char* format = "") {
        sav_column c;
        c.name = std::move(name);
        c.label = std::move(label);
        c.text = text;
        c.format = format;
        cols.push_back(std::move(c));
    };
    add("row", "Respondent: row of the input, from 1", false, "F8.0");
    const answer_reader& input = *plan.input;
    for (std::size_t c = 0; c < plan.copied; ++c) {
        const std::size_t col = input.keep_columns()[c];
        add(input.header()[col], "", input.column_is_text(col));
        cols.back().by_content = input.kind() == file_kind::csv;
    }
    const bowlby::key_view& key = *plan.key;
    std::string id(key.id);
    for (char& ch : id) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    if (plan.req.screen.scores) {
        for (std::size_t s = 0; s < plan.n_scores; ++s) {
            const std::string name(key.score_name(s));
            std::string what;
            if (s < key.subscales.size()) {
                const bowlby::subscale_def& sub = key.subscales[s];
                what = std::string(sub.agg == bowlby::aggregation::sum ? "sum" : "mean") + " of " +
                       std::to_string(sub.items.size()) + (sub.items.size() == 1 ? " item" : " items");
            } else {
                const std::string_view label = key.derived[s - key.subscales.size()].label;
                what = label.empty() ? "derived score" : std::string(label);
            }
            add(name, id + " " + name + ": " + what);
            add(name + "_n", id + " " + name + ": items answered", false, "F8.0");
        }
        add("status", "Scoring status", false, "F8.0");
        cols.back().codes = {"complete", "prorated", "insufficient", "excluded"};
        if (plan.classifying) {
            add("category", "Attachment category", true);
            add("category_p", "Probability of the category");
        }
    }
    if (plan.req.screen.on) {
        const std::string screen = screen_header(plan);
        for (const std::string& name : split(screen.substr(1), ','))
            add(name,
                name == "flags"     ? "Screening flags raised"
                : name == "n_flags" ? "Number of flags raised"
                                    : "",
                name == "flags", name == "n_flags" || name == "mahad_df" ? "F8.0" : "");
    }
    return cols;
}

void add_block(score_totals& totals, const scored_block& res) {
    totals.rows += res.rows;
    totals.invalid_cells += res.invalid;
    for (std::size_t s = 0; s < totals.stats.size(); ++s) totals.stats[s].merge(res.stats[s]);
    if (totals.items) totals.items->merge(*res.items);
    if (totals.all_items) {
        totals.all_items->merge(*res.clean_items);
        totals.all_items->merge(*res.flagged_items);
        totals.clean_items->merge(*res.clean_items);
    }
    for (std::size_t f = 0; f < totals.raised.size(); ++f) {  // screening's counts (none without)
        totals.raised[f] += res.raised[f];
        totals.excluded_by[f] += res.excluded_by[f];
    }
    totals.flagged += res.flagged;
    totals.excluded += res.excluded;
    for (std::size_t e = 0; e < totals.matched_by.size(); ++e) totals.matched_by[e] += res.matched_by[e];
    for (std::size_t k = 0; k < 5; ++k) totals.counts[k] += res.counts[k];
    for (std::size_t k = 0; k < 4; ++k) totals.row_status[k] += res.row_status[k];
    totals.firm += res.firm;
    totals.with_p += res.with_p;
}

}  // namespace

outcome classify_row(const score_plan& plan, const parsed_rows& in, const bowlby::score_table<double>& t,
                     Eigen::Index r) {
    if (plan.is_rq) {
        const auto fc =
            plan.forced_choice ? parse_forced_choice(in.kept_cell(r, plan.copied)) : bowlby::category::unclassified;
        const bowlby::classification c =
            bowlby::rq_classify(t.values(r, 0), t.values(r, 1), t.values(r, 2), t.values(r, 3), fc);
        return {c.cat, c.probability};
    }
    const dimensions& d = plan.dims;
    const double anxiety = t.values(r, d.anxiety), avoidance = d.avo(t.values(r, d.avoidance));
    if (!std::isnan(anxiety) && !std::isnan(avoidance))
        if (const outcome* known = plan.outcomes.find(anxiety, avoidance)) return *known;
    const bowlby::classification c = plan.rule->classify(anxiety, avoidance);
    return {c.cat, c.probability};
}

score_totals run_score_blocks(const score_plan& plan, output_file& out) {
    if (is_sav_path(plan.req.output_path)) {
        std::vector<sav_column> cols = sav_columns(plan);
        out.convert_with([cols = std::move(cols), path = plan.req.output_path](std::string_view csv) {
            return write_sav(path, csv, cols);
        });
    }
    out.write(output_header(plan));
    score_totals totals;
    totals.stats.assign(plan.n_scores, running_stats{});
    totals.matched_by.assign(plan.exclude_cells.size(), 0);
    if (plan.req.screen.on) {
        totals.raised.assign(plan.screen.flags.size(), 0);
        totals.excluded_by.assign(plan.screen.flags.size(), 0);
    }
    if (plan.req.screen.on && plan.reporting) {
        totals.all_items.emplace(*plan.key, plan.req.options);
        totals.clean_items.emplace(*plan.key, plan.req.options);
    } else if (plan.reporting) {
        totals.items.emplace(*plan.key, plan.req.options);
    }
    plan.input->run<scored_block>(
        plan.req.threads, plan.req.options.on_invalid, [&] { return score_worker(plan); },
        [](score_worker& worker, const parsed_rows& in, std::size_t first_row, scored_block& res) {
            score_block(worker, in, first_row, res);
        },
        [&](scored_block& res) {
            out.write(res.text.view());
            add_block(totals, res);
        });
    // Screening: the report's statistics leave out the excluded rows.
    if (plan.req.screen.on && plan.reporting)
        totals.items.emplace(plan.req.screen.exclude_flagged > 0 ? *totals.clean_items : *totals.all_items);
    return totals;
}

}  // namespace bowlby_cli
