// `bowlby score`: batch-scores a CSV file, streaming it in chunks so that memory stays flat.
#include "classify_setup.hpp"
#include "cli.hpp"
#include "input.hpp"
#include "plot.hpp"
#include "reliability_output.hpp"

#include <bowlby/csv.hpp>
#include <bowlby/detail/format.hpp>
#include <bowlby/instruments.hpp>
#include <bowlby/reliability.hpp>
#include <bowlby/score.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <fstream>
#include <iostream>
#include <limits>
#include <memory>
#include <mutex>
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
)";

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
    // Chan, Golub & LeVeque's pairwise update: the statistics of both parts together.
    void merge(const running_stats& o) {
        for (int k = 0; k < 3; ++k) status[k] += o.status[k];
        if (o.n == 0) return;
        if (n == 0) {
            n = o.n;
            mean = o.mean;
            m2 = o.m2;
            return;
        }
        const auto na = static_cast<double>(n), nb = static_cast<double>(o.n), nt = na + nb;
        const double d = o.mean - mean;
        mean += d * nb / nt;
        m2 += o.m2 + d * d * na * nb / nt;
        n += o.n;
    }
};

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
            const std::string t = bowlby::detail::format_number(v);
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

struct sample_summary {
    point_counts points;
    bowlby::measurement_error sem;
};

// The first pass: every respondent's (anxiety, avoidance), counted, and the SEMs of the two
// subscales from their reliability in this sample.
sample_summary summarize(const std::string& path, const std::string& items_spec, const bowlby::key_view& key,
                         const std::string& id, const bowlby::score_options& options, const dimensions& dims,
                         bool want_sem, unsigned threads) {
    answer_reader input(path, items_spec, static_cast<std::size_t>(key.n_items), id);
    input.allow_bytes(true);
    const bowlby::score_options byte_opts = byte_options(options);
    std::optional<bowlby::instrument_accumulator> items;
    // The AAS's close_depend is the mean of the close and depend items: its reliability is
    // that of those twelve items, keyed, as one scale.
    std::optional<bowlby::questionnaire> cd;
    std::optional<bowlby::instrument_accumulator> cd_items;
    if (want_sem) {
        items.emplace(key, options);
        if (dims.avoidance_subscale == "close_depend") {
            std::vector<int> all, rev;
            for (std::size_t s = 0; s < 2; ++s) {
                for (int i : key.subscales[s].items) all.push_back(i);
                for (int i : key.subscales[s].reversed) rev.push_back(i);
            }
            cd.emplace("aas-close-depend", key.n_items, key.scale);
            cd->add_subscale("close_depend", all, rev);
            cd_items.emplace(cd->view(), options);
        }
    }
    sample_summary out;
    struct block_result {
        point_counts points;
        std::optional<bowlby::instrument_accumulator> items, cd_items;
    };
    input.run<block_result>(
        threads, options.on_invalid,
        [&](const parsed_rows& rows, std::size_t, block_result& res) {
            const bowlby::score_options& opts = rows.in_bytes ? byte_opts : options;
            bowlby::chunk_scorer<double> scorer(key, opts);
            const auto& t = rows.in_bytes ? scorer.score(rows.bytes()) : scorer.score(rows.answers());
            if (items) {
                res.items.emplace(key, opts);
                add_answers(*res.items, rows);
            }
            if (cd_items) {
                res.cd_items.emplace(cd->view(), opts);
                add_answers(*res.cd_items, rows);
            }
            for (Eigen::Index r = 0; r < rows.rows(); ++r) {
                const double anx = t.values(r, dims.anxiety), avo = dims.avo(t.values(r, dims.avoidance));
                if (std::isfinite(anx) && std::isfinite(avo)) res.points[{anx, avo}] += 1;
            }
        },
        [&](block_result& res) {
            for (const auto& [p, n] : res.points) out.points[p] += n;
            if (items) items->merge(*res.items);
            if (cd_items) cd_items->merge(*res.cd_items);
        });
    if (want_sem) {
        const auto rel = bowlby::reliability(*items);
        auto sem_of = [&](const std::string& name) {
            if (name == "close_depend" && cd_items) return bowlby::reliability(*cd_items)[0].sem;
            for (const auto& r : rel)
                if (r.name == name) return r.sem;
            return std::numeric_limits<double>::quiet_NaN();
        };
        out.sem = {sem_of(dims.anxiety_subscale), sem_of(dims.avoidance_subscale)};
    }
    return out;
}

}  // namespace

int run_score(args& a) {
    std::string instrument_id, items_spec, keep_spec, output_path = "-", report_path, input_path;
    bowlby::score_options options;
    classify_request cls;
    unsigned threads = 0;
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
        } else if (parse_answer_option(flag, a, options)) {
            // --missing-code, --on-invalid
        } else if (flag == "--min-answered") {
            const std::string text = a.value(flag);
            options.min_answered = parse_double(text, flag);
            if (!(options.min_answered >= 0 && options.min_answered <= 1))
                throw usage_error("--min-answered takes a fraction from 0 to 1, got " + text);
        } else if (flag == "--keep") {
            keep_spec = a.value(flag);
        } else if (flag == "--output" || flag == "-o") {
            output_path = a.value(flag);
        } else if (flag == "--report") {
            report_path = a.value(flag);
        } else if (flag == "--classify") {
            cls.method = a.value(flag);
        } else if (flag == "--cut") {
            cls.cut = parse_range_any(a.value(flag), flag);
        } else if (flag == "--cut-source") {
            cls.cut_source = a.value(flag);
        } else if (flag == "--at-cut") {
            const std::string m = a.value(flag);
            if (m == "low")
                cls.on_cut = bowlby::at_cut::low;
            else if (m == "high")
                cls.on_cut = bowlby::at_cut::high;
            else if (m == "unclassified")
                cls.on_cut = bowlby::at_cut::unclassified;
            else
                throw usage_error("--at-cut takes low, high or unclassified, got '" + m + "'");
        } else if (flag == "--rescale-to") {
            cls.rescale_to = parse_range(a.value(flag), flag);
        } else if (flag == "--allow-other-instrument") {
            cls.allow_other_instrument = true;
        } else if (flag == "--sem") {
            cls.sem = parse_range_any(a.value(flag), flag);
            if (!(cls.sem->first > 0 && cls.sem->second > 0))
                throw usage_error("--sem takes two positive numbers ANX:AVO");
        } else if (flag == "--seed") {
            cls.seed = parse_seed(a.value(flag), flag);
        } else if (flag == "--threads") {
            threads = parse_threads(a.value(flag), flag);
        } else if (flag == "--forced-choice") {
            cls.forced_choice = a.value(flag);
        } else if (flag == "--plot") {
            cls.plot = a.value(flag);
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
    const bowlby::key_view* key = &builtin_instrument(instrument_id);
    if (report_path == "-" && output_path == "-")
        throw usage_error("--report - and the scores cannot both go to standard output; give --output FILE");

    const bowlby::response_scale scale = options.data_scale ? *options.data_scale : key->scale;

    // Classification and the plot: which scores they read, and what they need to know of the
    // whole sample first (medians, clusters, the SEMs from alpha, the plot's points), which
    // takes a first pass over the file.
    const bool classifying = !cls.method.empty();
    if (!classifying && (cls.cut || cls.rescale_to || cls.sem || !cls.forced_choice.empty()))
        throw usage_error("--cut, --rescale-to, --sem and --forced-choice go with --classify METHOD");
    if (!cls.plot.empty() && cls.method == "rq")
        throw usage_error("--plot draws anxiety and avoidance, which the RQ has not");
    dimensions dims;
    if (classifying || !cls.plot.empty()) dims = find_dimensions(*key, scale, classifying ? cls.method : "midpoint");
    const bool is_rq = cls.method == "rq";
    const bool pass1 =
        !cls.plot.empty() || cls.method == "median" || cls.method == "kmeans" || (classifying && !is_rq && !cls.sem);
    if (pass1 && input_path == "-")
        throw usage_error(
            "this --classify or --plot reads the data twice: give a file, not standard input (or give "
            "--sem, and a rule that needs no sample statistics)");
    point_counts points;
    bowlby::measurement_error sem;
    if (cls.sem) sem = {cls.sem->first, cls.sem->second};
    if (pass1) {
        const sample_summary summary =
            summarize(input_path, items_spec, *key, instrument_id, options, dims, !cls.sem, threads);
        points = summary.points;
        if (!cls.sem) sem = summary.sem;
    }
    std::optional<classifier> rule;
    if (classifying && !is_rq) rule = make_classifier(cls, *key, scale, points, sem);

    answer_reader input(input_path, items_spec, static_cast<std::size_t>(key->n_items), instrument_id);
    input.allow_bytes(true);
    const bowlby::score_options byte_opts = byte_options(options);
    if (!keep_spec.empty()) input.keep(keep_spec);
    std::optional<std::size_t> forced_col;
    if (!cls.forced_choice.empty()) {
        if (!is_rq) throw usage_error("--forced-choice goes with --classify rq");
        forced_col = resolve_columns(cls.forced_choice, input.header(), "--forced-choice").at(0);
        input.keep(keep_spec.empty() ? cls.forced_choice : keep_spec + "," + cls.forced_choice);
    }
    const std::vector<std::size_t>& keep_cols = input.keep_columns();

    output_file out(output_path);
    std::optional<output_file> report;
    if (!report_path.empty()) report.emplace(report_path);

    // Output header.
    std::string line = "row";
    // The forced choice, when given, is read as the last kept column but not copied out.
    const std::size_t copied = keep_cols.size() - (forced_col ? 1 : 0);
    for (std::size_t c = 0; c < copied; ++c) line += "," + csv_quote(input.header()[keep_cols[c]]);
    const std::size_t n_scores = key->n_scores();
    for (std::size_t s = 0; s < n_scores; ++s) {
        const std::string name(key->score_name(s));
        line += "," + name + "," + name + "_n";
    }
    line += classifying ? ",status,category,category_p\n" : ",status\n";
    out.write(line);
    std::array<std::size_t, 5> counts{};
    std::size_t firm = 0, with_p = 0;

    // One pass: each block is scored, accumulated for the report and formatted by the thread
    // that took it; blocks are written out and their statistics merged in file order.
    struct block_result {
        text_buffer text;
        std::vector<running_stats> stats;
        std::optional<bowlby::instrument_accumulator> items;
        std::array<std::size_t, 5> counts{};
        std::size_t firm = 0, with_p = 0, rows = 0, invalid = 0;
    };
    std::vector<running_stats> stats(n_scores);
    std::optional<bowlby::instrument_accumulator> items;
    if (report) items.emplace(*key, options);
    std::size_t rows = 0, invalid_cells = 0;
    std::mutex rule_mutex;
    input.run<block_result>(
        threads, options.on_invalid,
        [&](const parsed_rows& in, std::size_t first_row, block_result& res) {
            const Eigen::Index n = in.rows();
            const bowlby::score_options& opts = in.in_bytes ? byte_opts : options;
            bowlby::chunk_scorer<double> scorer(*key, opts);
            const bowlby::score_table<double>& t = in.in_bytes ? scorer.score(in.bytes()) : scorer.score(in.answers());
            res.invalid = scorer.invalid_cells() + in.text_invalid;
            if (report) {
                res.items.emplace(*key, opts);
                add_answers(*res.items, in);
            }
            res.stats.assign(n_scores, running_stats{});
            res.rows = static_cast<std::size_t>(n);
            thread_local number_text numbers;
            text_buffer& buf = res.text;
            // Room for a row: its number, the kept cells (quoted, at most 2 n + 3 each), per score
            // ",value,count" and the status, category and probability.
            const std::size_t row_room = 32 + n_scores * 48 + 16 + (classifying ? 64 : 0);
            for (Eigen::Index r = 0; r < n; ++r) {
                std::size_t room = row_room;
                for (std::size_t c = 0; c < copied; ++c) room += 2 * in.kept_cell(r, c).size() + 3;
                char* w = buf.room(room);
                w = std::to_chars(w, w + 24, first_row + static_cast<std::size_t>(r) + 1).ptr;
                for (std::size_t c = 0; c < copied; ++c) {
                    *w++ = ',';
                    w = write_cell(w, in.kept_cell(r, c));
                }
                auto worst = bowlby::score_status::complete;
                for (std::size_t s = 0; s < n_scores; ++s) {
                    const auto si = static_cast<Eigen::Index>(s);
                    const auto st = t.status(r, si);
                    ++res.stats[s].status[static_cast<int>(st)];
                    *w++ = ',';
                    if (st != bowlby::score_status::insufficient) {
                        const double v = t.values(r, si);
                        w = numbers.write(w, v);
                        if (report) res.stats[s].add(v);  // the report's mean and sd
                    }
                    *w++ = ',';
                    w = std::to_chars(w, w + 12, t.answered(r, si)).ptr;
                    if (static_cast<int>(st) > static_cast<int>(worst)) worst = st;
                }
                *w++ = ',';
                w = write_text(w, bowlby::to_string(worst));
                if (classifying) {
                    bowlby::classification c;
                    if (is_rq) {
                        const auto fc = forced_col ? parse_forced_choice(in.kept_cell(r, keep_cols.size() - 1))
                                                   : bowlby::category::unclassified;
                        c = bowlby::rq_classify(t.values(r, 0), t.values(r, 1), t.values(r, 2), t.values(r, 3), fc);
                    } else {
                        // One cache for all threads: a new score pair may take an integration.
                        const std::lock_guard<std::mutex> lock(rule_mutex);
                        c = rule->classify_cached(t.values(r, dims.anxiety), dims.avo(t.values(r, dims.avoidance)));
                    }
                    ++res.counts[static_cast<std::size_t>(c.cat)];
                    *w++ = ',';
                    w = write_text(w, bowlby::to_string(c.cat));
                    *w++ = ',';
                    if (std::isfinite(c.probability)) {
                        w = numbers.write(w, c.probability);
                        ++res.with_p;
                        if (c.probability >= 0.8) ++res.firm;
                    }
                }
                *w++ = '\n';
                buf.advance(w);
            }
        },
        [&](block_result& res) {
            out.write(res.text.view());
            rows += res.rows;
            invalid_cells += res.invalid;
            for (std::size_t s = 0; s < n_scores; ++s) stats[s].merge(res.stats[s]);
            if (items) items->merge(*res.items);
            for (std::size_t k = 0; k < 5; ++k) counts[k] += res.counts[k];
            firm += res.firm;
            with_p += res.with_p;
        });
    out.commit();

    if (!cls.plot.empty()) {
        plot_input pi;
        pi.title = std::string(key->name);
        pi.x_title = dims.avoidance_title;
        pi.y_title = dims.anxiety_title;
        pi.lo = scale.min;
        pi.hi = scale.max;
        pi.points = points;
        classify_request midpoint;
        midpoint.method = "midpoint";
        const classifier shown = rule ? *rule : make_classifier(midpoint, *key, scale, points, sem);
        pi.method = rule ? "rule: " + rule->method : "rule: midpoint (shown)";
        pi.classify = [&shown](double anx, double avo) { return shown.category_of(anx, avo); };
        if (shown.cut) pi.cuts = std::make_pair(shown.cut->anxiety_cut(), shown.cut->avoidance_cut());
        if (classifying) {
            pi.counts = counts;
        } else {
            for (const auto& [p, n] : points)
                pi.counts[static_cast<std::size_t>(pi.classify(p.first, p.second))] += static_cast<std::size_t>(n);
        }
        output_file svg(cls.plot);
        svg.write(attachment_plot_svg(pi));
        svg.commit();
    }

    if (report) {
        nlohmann::ordered_json j;
        j["instrument"] = std::string(key->id);
        j["input"] = input_path;
        j["scale"] = {scale.min, scale.max};
        j["min_answered"] = options.min_answered;
        j["rows"] = rows;
        j["invalid_cells"] = invalid_cells;
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
        if (classifying) {
            nlohmann::ordered_json c =
                rule ? rule->describe() : nlohmann::ordered_json{{"method", "rq"}, {"cuts", nullptr}};
            c["sem"] = {{"anxiety", number(sem.anxiety)}, {"avoidance", number(sem.avoidance)}};
            const char* names[5] = {"secure", "preoccupied", "dismissing", "fearful", "unclassified"};
            nlohmann::ordered_json cn;
            for (int k = 0; k < 5; ++k) cn[names[k]] = counts[static_cast<std::size_t>(k)];
            c["counts"] = cn;
            const std::size_t classified = rows - counts[4];
            // Share of classified rows with category_p >= 0.8 (null when no probability is known).
            c["firm_share"] = with_p > 0 && classified > 0
                                  ? nlohmann::ordered_json(static_cast<double>(firm) / static_cast<double>(classified))
                                  : nlohmann::ordered_json(nullptr);
            j["classification"] = c;
        }
        report->write(j.dump(2) + "\n");
        report->commit();
    }
    return 0;
}

}  // namespace bowlby_cli
