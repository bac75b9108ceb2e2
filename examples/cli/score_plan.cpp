// `bowlby score`'s plan: the instrument, the columns, the rule and the first pass over the file
// that some rules and the plot need.
#include "score_stages.hpp"

#include <bowlby/instruments.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <limits>
#include <thread>

namespace bowlby_cli {

std::unique_ptr<answer_reader> open_answers(const score_plan& plan, const std::string& path) {
    const score_request& r = plan.req;
    auto reader = std::make_unique<answer_reader>(path, r.items_spec, static_cast<std::size_t>(plan.key->n_items),
                                                  r.instrument_id, r.max_record, key_item_names(*plan.key), r.format);
    reader->show_progress(r.progress);
    return reader;
}
std::vector<std::size_t> keep_exclude_columns(const score_request& r, answer_reader& input) {
    std::vector<std::size_t> cells;
    const std::vector<std::string>& header = input.header();
    for (const auto& [column, value] : r.exclude) {
        const auto at = std::find(header.begin(), header.end(), column);
        if (at == header.end())
            throw usage_error("--exclude " + faults::shown(column) + "=" + faults::shown(value) + ": " + r.input_path +
                              " has no column '" + faults::shown(column) +
                              "'; the columns are: " + join_header(header));
        cells.push_back(input.keep_columns().size());
        input.keep_also(static_cast<std::size_t>(at - header.begin()));
    }
    return cells;
}

bool matches_exclude(const score_request& r, const std::vector<std::size_t>& cells, const parsed_rows& rows,
                     Eigen::Index row) {
    for (std::size_t e = 0; e < cells.size(); ++e)
        if (rows.kept_cell(row, cells[e]) == r.exclude[e].second) return true;
    return false;
}

const parsed_rows& without_excluded(const score_request& r, const std::vector<std::size_t>& cells,
                                    const parsed_rows& rows, parsed_rows& kept) {
    if (cells.empty()) return rows;
    std::vector<Eigen::Index> index;
    for (Eigen::Index row = 0; row < rows.rows(); ++row)
        if (!matches_exclude(r, cells, rows, row)) index.push_back(row);
    if (index.size() == static_cast<std::size_t>(rows.rows())) return rows;
    kept.in_bytes = rows.in_bytes;
    kept.n_rows = static_cast<Eigen::Index>(index.size());
    if (rows.in_bytes)
        kept.byte_store = rows.bytes()(index, Eigen::all);
    else
        kept.answer_store = rows.answers()(index, Eigen::all);
    kept.keep = rows.keep;
    kept.lines.clear();
    kept.kept.clear();
    for (Eigen::Index row : index) {
        kept.lines.push_back(rows.lines[static_cast<std::size_t>(row)]);
        for (std::size_t c = 0; c < rows.keep; ++c) kept.kept.push_back(rows.kept_cell(row, c));
    }
    kept.text_invalid = rows.text_invalid;
    return kept;
}

namespace {

// A rule_error in the words of the tool's options.
usage_error in_cli_words(const rule_error& e, const std::string& id, const std::string& method) {
    switch (e.problem) {
        case rule_problem::unknown_method:
            return usage_error("--classify takes midpoint, median, brennan1998, kmeans, rq or aas, got '" + method +
                               "'");
        case rule_problem::rq_only:
            return usage_error("--classify rq is the RQ's own rule; for " + id +
                               " use midpoint, median, brennan1998 or kmeans");
        case rule_problem::not_for_rq:
            return usage_error("the RQ has no anxiety and avoidance scores: use --classify rq");
        case rule_problem::aas_only:
            return usage_error("--classify aas is Collins' rule for the AAS only");
        case rule_problem::no_axes:
            break;
    }
    return usage_error(e.what());
}

// The rule of --classify, once the sample has been read where the rule needs it.
classifier make_rule(const score_plan& plan) {
    const classify_request& cls = plan.req.cls;
    rule_request req = cls.rule;
    if (req.cut && req.cut_source.empty()) req.cut_source = "cuts given with --cut";
    if (req.method == "brennan1998" && cls.rescale_to) {
        if (cls.rescale_to->first != 1 || cls.rescale_to->second != 7)
            throw usage_error("brennan1998 rescales onto 1:7 only (--rescale-to 1:7)");
        req.rescale = true;
    }
    try {
        return make_classifier(req, *plan.key, plan.scale, plan.points, plan.sem);
    } catch (const rule_error& e) {
        throw in_cli_words(e, plan.req.instrument_id, req.method);
    } catch (const bowlby::option_error& e) {
        if (req.method != "brennan1998") throw;
        const std::string what = e.what();
        throw usage_error(what + (what.find("rescaling") != std::string::npos ? " (--rescale-to 1:7)"
                                                                              : " (--allow-other-instrument)"));
    }
}

// Classification and the plot: which scores they read, and what they need to know of the
// whole sample first (medians, clusters, the SEMs from alpha, the plot's points), which takes
// a first pass over the file.
void plan_classification(score_plan& plan) {
    const classify_request& cls = plan.req.cls;
    const std::string& method = cls.rule.method;
    plan.classifying = !method.empty();
    plan.is_rq = method == "rq";
    if (!plan.classifying && (cls.rule.cut || cls.rescale_to || cls.sem || !cls.forced_choice.empty()))
        throw usage_error("--cut, --rescale-to, --sem and --forced-choice go with --classify METHOD");
    if (!cls.plot.empty() && plan.is_rq) throw usage_error("--plot draws anxiety and avoidance, which the RQ has not");
    if (plan.classifying || !cls.plot.empty()) {
        const std::string read_as = plan.classifying ? method : "midpoint";
        try {
            plan.dims = find_dimensions(*plan.key, plan.scale, read_as);
        } catch (const rule_error& e) {
            throw in_cli_words(e, plan.req.instrument_id, read_as);
        }
    }
    const bool first_pass =
        !cls.plot.empty() || fitted_to_sample(method) || (plan.classifying && !plan.is_rq && !cls.sem);
    if (first_pass && plan.req.input_path == "-")
        throw usage_error(
            "this --classify or --plot reads the data twice: give a file, not standard input (or give "
            "--sem, and a rule that needs no sample statistics)");
    if (cls.sem) plan.sem = {cls.sem->first, cls.sem->second};
    if (first_pass) {
        auto [points, sem] = summarize(plan, !cls.sem);
        plan.points = std::move(points);
        if (!cls.sem) plan.sem = sem;
    }
    if (!plan.classifying) return;
    plan.rule = make_rule(plan);
    if (!plan.is_rq && first_pass) plan.outcomes = outcome_table(*plan.rule, plan.points, plan.req.threads);
}

// The reader of the scoring pass, with the kept columns; the forced choice, when given, is
// read as the last kept column but not copied out.
void open_input(score_plan& plan) {
    const score_request& r = plan.req;
    plan.input = open_answers(plan, r.input_path);
    plan.input->allow_bytes(true);
    if (!r.keep_spec.empty()) plan.input->keep(r.keep_spec);
    // Read as kept columns after the copied ones, not copied: the forced choice, the duration.
    std::string spec = r.keep_spec;
    auto read_also = [&](const std::string& column, const char* flag) {
        resolve_columns(column, plan.input->header(), flag);  // a usage error when absent
        spec = spec.empty() ? column : spec + "," + column;
    };
    const std::size_t copied = r.keep_spec.empty() ? 0 : plan.input->keep_columns().size();
    const std::string& forced = r.cls.forced_choice;
    if (!forced.empty()) {
        if (!plan.is_rq) throw usage_error("--forced-choice goes with --classify rq");
        read_also(forced, "--forced-choice");
        plan.forced_choice = true;
    }
    if (!r.screen.duration.empty()) {
        read_also(r.screen.duration, "--duration");
        plan.screen.duration_cell = copied + (plan.forced_choice ? 1 : 0);
    }
    if (spec != r.keep_spec) plan.input->keep(spec);
    plan.copied = copied;
    plan.exclude_cells = keep_exclude_columns(r, *plan.input);
}

// The answers a first pass keeps for the SEMs of the two dimensions: the instrument's items
// and, for the AAS, close_depend's. close_depend is the mean of the close and depend items: its
// reliability is that of those twelve items, keyed, as one scale.
class sem_sources {
public:
    struct block {
        std::optional<bowlby::instrument_accumulator> items, close_depend;
    };

    sem_sources(const bowlby::key_view& key, const bowlby::score_options& options, const dimensions& dims)
        : key_(key), options_(options), byte_options_(byte_options(options)) {
        items_.emplace(key, options);
        if (dims.avoidance_subscale != "close_depend") return;
        std::vector<int> all, rev;
        for (std::size_t s = 0; s < 2; ++s) {
            for (int i : key.subscales[s].items) all.push_back(i);
            for (int i : key.subscales[s].reversed) rev.push_back(i);
        }
        close_depend_.emplace("aas-close-depend", key.n_items, key.scale);
        close_depend_->add_subscale("close_depend", all, rev);
        close_depend_items_.emplace(close_depend_->view(), options);
    }
    sem_sources(const sem_sources&) = delete;  // the accumulators refer to close_depend_
    sem_sources& operator=(const sem_sources&) = delete;

    void add(const parsed_rows& rows, block& b) const {
        const bowlby::score_options& opts = rows.in_bytes ? byte_options_ : options_;
        b.items.emplace(key_, opts);
        add_answers(*b.items, rows);
        if (!close_depend_) return;
        b.close_depend.emplace(close_depend_->view(), opts);
        add_answers(*b.close_depend, rows);
    }
    void merge(const block& b) {
        items_->merge(*b.items);
        if (close_depend_items_) close_depend_items_->merge(*b.close_depend);
    }
    bowlby::measurement_error sem(const dimensions& dims) const {
        const auto rel = bowlby::reliability(*items_);
        auto sem_of = [&](const std::string& name) {
            if (name == "close_depend" && close_depend_items_) return bowlby::reliability(*close_depend_items_)[0].sem;
            for (const auto& r : rel)
                if (r.name == name) return r.sem;
            return std::numeric_limits<double>::quiet_NaN();
        };
        return {sem_of(dims.anxiety_subscale), sem_of(dims.avoidance_subscale)};
    }

private:
    bowlby::key_view key_;
    bowlby::score_options options_, byte_options_;
    std::optional<bowlby::questionnaire> close_depend_;
    std::optional<bowlby::instrument_accumulator> items_, close_depend_items_;
};

}  // namespace

const bowlby::score_table<double>& block_scorer::score(const parsed_rows& rows) {
    std::optional<bowlby::chunk_scorer<double>>& scorer = rows.in_bytes ? bytes_ : doubles_;
    if (!scorer) scorer.emplace(key_, rows.in_bytes ? byte_options(options_) : options_);
    const std::size_t before = scorer->invalid_cells();
    const bowlby::score_table<double>& t = rows.in_bytes ? scorer->score(rows.bytes()) : scorer->score(rows.answers());
    last_invalid_ = scorer->invalid_cells() - before;
    return t;
}

std::pair<point_counts, bowlby::measurement_error> summarize(const score_plan& plan, bool want_sem) {
    const score_request& r = plan.req;
    const dimensions& dims = plan.dims;
    const std::unique_ptr<answer_reader> reader = open_answers(plan, r.input_path);
    answer_reader& input = *reader;
    input.allow_bytes(true);
    const std::vector<std::size_t> exclude_cells = keep_exclude_columns(r, input);
    std::optional<sem_sources> sem;
    if (want_sem) sem.emplace(*plan.key, r.options, dims);
    point_counts points;
    struct block_result {
        point_counts points;
        sem_sources::block sem;
    };
    input.run<block_result>(
        r.threads, r.options.on_invalid, [&] { return block_scorer(*plan.key, r.options); },
        [&](block_scorer& scorer, const parsed_rows& all_rows, std::size_t, block_result& res) {
            parsed_rows kept;  // the rows --exclude leaves out are not of the sample
            const parsed_rows& rows = without_excluded(r, exclude_cells, all_rows, kept);
            const bowlby::score_table<double>& t = scorer.score(rows);
            if (sem) sem->add(rows, res.sem);
            for (Eigen::Index row = 0; row < rows.rows(); ++row) {
                const double anx = t.values(row, dims.anxiety), avo = dims.avo(t.values(row, dims.avoidance));
                if (std::isfinite(anx) && std::isfinite(avo)) res.points[{anx, avo}] += 1;
            }
        },
        [&](block_result& res) {
            for (const auto& [p, n] : res.points) points[p] += n;
            if (sem) sem->merge(res.sem);
        });
    return {std::move(points), sem ? sem->sem(dims) : bowlby::measurement_error{}};
}

outcome_table::outcome_table(const classifier& rule, const point_counts& points, unsigned threads) {
    for (const auto& point : points) pairs_.push_back(point.first);
    outcomes_.resize(pairs_.size());
    if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
    // Threads take the pairs 64 at a time: some take an integration each, some almost nothing.
    constexpr std::size_t step = 64;
    std::atomic<std::size_t> next{0};
    std::vector<std::exception_ptr> errors(threads);
    auto classify_pairs = [&](unsigned t) {
        try {
            for (std::size_t first; (first = next.fetch_add(step)) < pairs_.size();)
                for (std::size_t i = first; i < std::min(first + step, pairs_.size()); ++i) {
                    const bowlby::classification c = rule.classify(pairs_[i].first, pairs_[i].second);
                    outcomes_[i] = {c.cat, c.probability};
                }
        } catch (...) {
            errors[t] = std::current_exception();
        }
    };
    {
        std::vector<std::thread> helpers;
        for (unsigned t = 1; t < threads && t * step < pairs_.size(); ++t) helpers.emplace_back(classify_pairs, t);
        classify_pairs(0);
        for (auto& h : helpers) h.join();
    }
    for (const auto& e : errors)
        if (e) std::rethrow_exception(e);
}

const outcome* outcome_table::find(double anxiety, double avoidance) const {
    const std::pair<double, double> key{anxiety, avoidance};
    const auto it = std::lower_bound(pairs_.begin(), pairs_.end(), key);
    if (it == pairs_.end() || key < *it) return nullptr;
    return &outcomes_[static_cast<std::size_t>(it - pairs_.begin())];
}

// A key file's scoring defaults: its missing codes join those given with --missing-code, and its
// min_answered holds unless --min-answered was given. Messages then name the key by its id.
void apply_key_file(const key_file& file, score_request& r) {
    add_key_missing_codes(file, r.options);
    if (!r.min_answered_given) r.options.min_answered = file.min_answered;
    r.instrument_id = std::string(file.key.view().id);
}

score_plan make_score_plan(score_request req) {
    score_plan plan;
    plan.req = std::move(req);
    plan.chosen = choose_key(plan.req.instrument_id, plan.req.key_path, "score");
    plan.key = plan.chosen.key;
    if (plan.chosen.file) apply_key_file(*plan.chosen.file, plan.req);
    if (plan.req.report_path == "-" && plan.req.output_path == "-")
        throw usage_error("--report - and the scores cannot both go to standard output; give --output FILE");
    plan.scale = plan.req.options.data_scale ? *plan.req.options.data_scale : plan.key->scale;
    plan.n_scores = plan.key->n_scores();
    plan_classification(plan);
    open_input(plan);
    if (plan.req.screen.on) plan_screening(plan);
    return plan;
}

void running_stats::merge(const running_stats& o) {
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

}  // namespace bowlby_cli
