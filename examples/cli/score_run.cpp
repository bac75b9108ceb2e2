// `bowlby score`'s run: each block is scored, classified, accumulated for the report and
// formatted by the thread that took it, with the scorers and caches that thread keeps; blocks
// are written out and their statistics merged in file order, so that the output is the same
// for any number of threads.
#include "score_stages.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>

namespace bowlby_cli {
namespace {

// Shortest round-trip text of a score, remembered: scores are means of a few whole numbers,
// so the same few hundred values recur across a file. write() puts it at `to` (with room for
// at least 32 characters) and returns the end. A remembered text is copied as a fixed 24
// bytes (a variable-length copy costs more than the few extra bytes).
class number_text {
public:
    char* write(char* to, double v) {
        std::uint64_t bits;
        std::memcpy(&bits, &v, sizeof bits);
        entry& e = table_[(bits ^ (bits >> 29) ^ (bits >> 41)) & (size - 1)];
        if (e.len == 0 || e.bits != bits) {
            const std::string t = format_number(v);
            if (t.size() > sizeof e.text) return std::copy(t.begin(), t.end(), to);
            e.bits = bits;
            e.len = static_cast<unsigned char>(t.size());
            std::memcpy(e.text, t.data(), t.size());
        }
        // The text and the length byte after it, read as the entry's bytes.
        std::memcpy(to, reinterpret_cast<const char*>(&e) + offsetof(entry, text), sizeof e.text + 1);
        return to + e.len;
    }

private:
    static constexpr std::size_t size = 2048;
    struct entry {  // 32 bytes; len 0: empty
        std::uint64_t bits = 0;
        char text[23] = {};
        unsigned char len = 0;
    };
    static_assert(sizeof(entry) == 32 && offsetof(entry, len) == offsetof(entry, text) + sizeof(entry::text));
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
    std::optional<bowlby::instrument_accumulator> items;
    std::array<std::size_t, 5> counts{};
    std::size_t firm = 0, with_p = 0, rows = 0, invalid = 0;
};

// What a thread keeps from block to block: its scorers, the texts of the numbers it has
// written, and the classifications of score pairs it has met outside the plan's table.
class score_worker {
public:
    explicit score_worker(const score_plan& p)
        : plan(p), scorer(*p.key, p.req.options), byte_opts(byte_options(p.req.options)) {}

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
char* write_scores(char* w, score_worker& worker, const bowlby::score_table<double>& t, Eigen::Index r,
                   scored_block& res, bowlby::score_status& worst) {
    const bool report = !worker.plan.req.report_path.empty();
    for (std::size_t s = 0; s < worker.plan.n_scores; ++s) {
        const auto si = static_cast<Eigen::Index>(s);
        const auto st = t.status(r, si);
        ++res.stats[s].status[static_cast<int>(st)];
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
                     Eigen::Index r, scored_block& res) {
    const outcome c = worker.classify(in, t, r);
    ++res.counts[static_cast<std::size_t>(c.cat)];
    *w++ = ',';
    w = write_text(w, bowlby::to_string(c.cat));
    *w++ = ',';
    if (std::isfinite(c.probability)) {
        w = worker.numbers.write(w, c.probability);
        ++res.with_p;
        if (c.probability >= 0.8) ++res.firm;
    }
    return w;
}

// Every row of a block, scored, into its text: the row number, the kept cells, the scores,
// the status and, when classifying, the category and its probability.
void score_block(score_worker& worker, const parsed_rows& in, std::size_t first_row, scored_block& res) {
    const score_plan& plan = worker.plan;
    const bowlby::score_table<double>& t = worker.scorer.score(in);
    res.invalid = worker.scorer.last_invalid() + in.text_invalid;
    if (!plan.req.report_path.empty()) {
        res.items.emplace(*plan.key, in.in_bytes ? worker.byte_opts : plan.req.options);
        add_answers(*res.items, in);
    }
    res.stats.assign(plan.n_scores, running_stats{});
    res.rows = static_cast<std::size_t>(in.rows());
    // Room for a row: its number, the kept cells (quoted, at most 2 n + 3 each), per score
    // ",value,count" and the status, category and probability.
    const std::size_t row_room = 32 + plan.n_scores * 48 + 16 + (plan.classifying ? 64 : 0);
    for (Eigen::Index r = 0; r < in.rows(); ++r) {
        std::size_t room = row_room;
        for (std::size_t c = 0; c < plan.copied; ++c) room += 2 * in.kept_cell(r, c).size() + 3;
        char* w = res.text.room(room);
        w = std::to_chars(w, w + 24, first_row + static_cast<std::size_t>(r) + 1).ptr;
        for (std::size_t c = 0; c < plan.copied; ++c) {
            *w++ = ',';
            w = write_cell(w, in.kept_cell(r, c));
        }
        auto worst = bowlby::score_status::complete;
        w = write_scores(w, worker, t, r, res, worst);
        *w++ = ',';
        w = write_text(w, bowlby::to_string(worst));
        if (plan.classifying) w = write_category(w, worker, in, t, r, res);
        *w++ = '\n';
        res.text.advance(w);
    }
}

std::string output_header(const score_plan& plan) {
    const std::vector<std::string>& header = plan.input->header();
    const std::vector<std::size_t>& keep = plan.input->keep_columns();
    std::string line = "row";
    for (std::size_t c = 0; c < plan.copied; ++c) line += "," + csv_quote(header[keep[c]]);
    for (std::size_t s = 0; s < plan.n_scores; ++s) {
        const std::string name(plan.key->score_name(s));
        line += "," + name + "," + name + "_n";
    }
    line += plan.classifying ? ",status,category,category_p\n" : ",status\n";
    return line;
}

void add_block(score_totals& totals, const scored_block& res) {
    totals.rows += res.rows;
    totals.invalid_cells += res.invalid;
    for (std::size_t s = 0; s < totals.stats.size(); ++s) totals.stats[s].merge(res.stats[s]);
    if (totals.items) totals.items->merge(*res.items);
    for (std::size_t k = 0; k < 5; ++k) totals.counts[k] += res.counts[k];
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
    out.write(output_header(plan));
    score_totals totals;
    totals.stats.assign(plan.n_scores, running_stats{});
    if (!plan.req.report_path.empty()) totals.items.emplace(*plan.key, plan.req.options);
    plan.input->run<scored_block>(
        plan.req.threads, plan.req.options.on_invalid, [&] { return score_worker(plan); },
        [](score_worker& worker, const parsed_rows& in, std::size_t first_row, scored_block& res) {
            score_block(worker, in, first_row, res);
        },
        [&](scored_block& res) {
            out.write(res.text.view());
            add_block(totals, res);
        });
    return totals;
}

}  // namespace bowlby_cli
