// bowlby: scoring of adult-attachment questionnaires. MIT licence, see LICENSE.
//
// Careless-responding screening (docs/screening.md): per-row indices of inattentive answering,
// computed with the questionnaire's key, so that they can ask whether the reversed items were
// read. Each answer goes through the scoring rule (bowlby/rule.hpp): the scale in force, the
// missing codes and the invalid-answer policy of the score_options, keyed as scoring keys it.
//
//     bowlby::screen_layout layout(bowlby::instrument("ecr"), options);
//     bowlby::screen_sample sample(layout);             // only for psychsyn, psychant, mahad
//     sample.add(answers);                              // every row (in blocks, merged)
//     const bowlby::screen_statistics stats = sample.finish();
//     bowlby::screener s(layout, &stats);               // or (layout): the one-pass indices
//     bowlby::screen_indices row = s.screen(answers.row(0).data(), 1, 0);
//
// Every index is NaN where it is undefined for the row; a row with no answer at all has every
// index NaN.
#pragma once

#include "bowlby/detail/screen/byte_rows.hpp"
#include "bowlby/detail/screen/indices.hpp"
#include "bowlby/detail/screen/moments.hpp"
#include "bowlby/error.hpp"
#include "bowlby/key.hpp"
#include "bowlby/rule.hpp"

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <Eigen/Eigenvalues>
#include <boost/math/special_functions/gamma.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

namespace bowlby {

/// Options of screening besides the scoring rule's (score_options).
struct screen_options {
    /// psychsyn uses the item pairs whose sample correlation of keyed answers is at least this.
    double syn_r = 0.60;
    /// psychant uses the item pairs whose sample correlation of raw answers is at most this.
    double ant_r = -0.60;
    /// The order the items were presented in, as 0-based item indices (each once); empty: the
    /// key's item order. longstring reads the answers in this order.
    std::vector<int> presented_order;
};

/// One row's indices (NaN: undefined). reverse_gap follows screen_layout::gaps().
struct screen_indices {
    double longstring = detail::screen::undefined;
    double longstring_avg = detail::screen::undefined;
    double irv = detail::screen::undefined;
    double evenodd = detail::screen::undefined;
    double psychsyn = detail::screen::undefined;
    double psychant = detail::screen::undefined;
    std::vector<double> reverse_gap;
    double mahad = detail::screen::undefined;
    double mahad_df = detail::screen::undefined;
    double mahad_p = detail::screen::undefined;
    double seconds_per_item = detail::screen::undefined;
};

/// A subscale with both forward and reversed items: the reverse_gap_<name> it gets.
struct reverse_gap_def {
    std::string name;                    ///< the subscale's name
    std::vector<int> forward, reversed;  ///< 0-based item indices, in key order
};

/// What screening needs of the key, made once: each item's direction, the presented order,
/// each subscale's odd and even halves, and the subscales with a reverse gap.
class screen_layout {
public:
    screen_layout(const key_view& key, const score_options& scoring = {}, screen_options options = {});

    std::size_t n_items() const { return reversed_.size(); }
    const response_scale& scale() const { return scale_; }
    const score_options& scoring() const { return scoring_; }
    const screen_options& options() const { return options_; }
    /// Whether item i (0-based) is reverse-keyed: in the first subscale that holds it.
    bool reversed(std::size_t i) const { return reversed_[i] != 0; }
    const std::vector<int>& order() const { return options_.presented_order; }
    const std::vector<reverse_gap_def>& gaps() const { return gaps_; }
    /// Subscales that split into odd and even halves; evenodd needs at least 3.
    std::size_t halved_subscales() const { return odd_.size(); }
    const std::vector<std::vector<int>>& odd_halves() const { return odd_; }
    const std::vector<std::vector<int>>& even_halves() const { return even_; }

private:
    response_scale scale_;
    score_options scoring_;
    screen_options options_;
    std::vector<char> reversed_;
    std::vector<reverse_gap_def> gaps_;
    std::vector<std::vector<int>> odd_, even_;
};

/// The sample statistics of psychsyn, psychant and mahad, from all the rows.
struct screen_statistics {
    std::size_t rows = 0;                    ///< rows with at least one answer
    std::size_t complete_rows = 0;           ///< rows that answered every item
    Eigen::MatrixXd correlations;            ///< pairwise-complete correlations of raw answers (NaN: undefined)
    std::vector<int> syn_first, syn_second;  ///< psychsyn's pairs (0-based items, j < k)
    std::vector<int> ant_first, ant_second;  ///< psychant's pairs
    Eigen::VectorXd mean;                    ///< of the complete rows
    Eigen::MatrixXd covariance;              ///< of the complete rows (n - 1)
    /// Empty when mahad can be computed; otherwise why not (mahad is then NaN for every row).
    std::string covariance_problem;
};

/// Streams rows into the sums behind screen_statistics; blocks can be added on several
/// threads into their own samples and merged (the sums are exact for whole-number answers).
class screen_sample {
public:
    explicit screen_sample(const screen_layout& layout)
        : layout_(&layout),
          sums_(static_cast<Eigen::Index>(layout.n_items()), layout.scale().midpoint()),
          row_(layout.n_items()) {}

    /// Adds N x n_items raw answers; `first_row` numbers them in error messages.
    template <class Derived>
    void add(const Eigen::MatrixBase<Derived>& answers, std::size_t first_row = 0);
    void merge(screen_sample& other) {
        sums_.merge(other.sums_);
        rows_ += other.rows_;
    }
    screen_statistics finish();

private:
    const screen_layout* layout_;
    detail::screen::moments sums_;
    std::vector<double> row_;
    std::size_t rows_ = 0;
};

/// Computes one row's indices; with statistics, psychsyn, psychant and mahad too. Keeps a
/// cache of covariance factors by pattern of missing answers: one screener per thread.
/// Rows of bytes (std::uint8_t) are read through a table of the rule's verdict on each of the
/// 256 values, and their runs and sums counted in integers: the same indices, bit for bit, as
/// the same answers given as doubles (tests/unit/test_screen.cpp), at a fraction of the cost.
class screener {
public:
    /// `missing_byte`, from 0 to 255, is a byte value that means "no answer" in rows of bytes
    /// (as a parser's mark for an empty cell), besides the scoring options' missing codes; -1:
    /// none.
    explicit screener(const screen_layout& layout, const screen_statistics* stats = nullptr, int missing_byte = -1);

    /// The indices of the row of n_items answers at `row` (successive items `stride` apart),
    /// `row_index` (0-based) for error messages, and a total duration in seconds (NaN: none).
    template <class T>
    screen_indices screen(const T* row, std::ptrdiff_t stride, std::size_t row_index,
                          double duration = detail::screen::undefined) {
        screen_indices out;
        screen_into(out, row, stride, row_index, duration);
        return out;
    }
    /// The same into `out`, whose storage is reused (no allocation once it has held a row).
    template <class T>
    void screen_into(screen_indices& out, const T* row, std::ptrdiff_t stride, std::size_t row_index,
                     double duration = detail::screen::undefined);

private:
    void read_bytes(const std::uint8_t* row, std::ptrdiff_t stride, std::size_t row_index,
                    detail::screen::code_pass* pass);
    void check_bytes(const std::uint8_t* row, std::uint64_t answers, std::size_t row_index);
    void finish_bytes(const std::uint8_t* row, std::ptrdiff_t stride, std::size_t row_index, bool invalid);
    void sample_indices(screen_indices& out, Eigen::Index answered);
    double distance(Eigen::Index answered);

    const screen_layout* layout_;
    const screen_statistics* stats_;
    std::vector<double> raw_, keyed_;
    // For rows of bytes: each byte value's answer (NaN: none), its code for the integer pass
    // (the value + 1; 0: no answer) and whether it is invalid; each item's code in the row.
    std::vector<double> byte_value_;
    std::vector<std::uint16_t> byte_code_, codes_;
    std::vector<char> byte_invalid_;
    // The integer pass is exact (the midpoint is a multiple of 1/2) and keeps its runs as bit
    // masks (at most 64 items).
    bool masks_ = false;
    bool in_order_ = false;  // the items are presented in key order
    // Rows of bytes back to back, 16 answers at a time, when masks_ and in_order_ and the rule
    // allows; the means of the reverse gaps' halves (forward, reversed) of the row.
    std::optional<detail::screen::byte_rows> byte_rows_;
    std::vector<double> side_means_;
    Eigen::LLT<Eigen::MatrixXd> full_;
    Eigen::MatrixXd precision_;  ///< the inverse covariance
    std::vector<Eigen::Index> answered_, missing_;
};

/// A flag: an index against a threshold. An undefined index raises no flag.
struct screen_flag {
    enum class index : unsigned char {
        longstring,
        irv,
        evenodd,
        psychsyn,
        psychant,
        reverse_gap,
        mahad_p,
        seconds_per_item
    };
    /// How the index is compared with the threshold: raised when index >= threshold
    /// (at_least), <= (at_most), > (above), < (below), or |index| >= threshold (size_at_least).
    enum class when : unsigned char { at_least, at_most, above, below, size_at_least };
    std::string name;  ///< as the index's column: longstring, reverse_gap_anxiety, mahad_p ...
    index of = index::longstring;
    std::size_t gap = 0;  ///< for reverse_gap: the position in screen_layout::gaps()
    when compare = when::at_least;
    double threshold = 0;
    std::string source;  ///< where the default comes from
    /// Whether the flag needs the sample statistics (psychsyn, psychant, mahad_p).
    bool needs_sample() const { return of == index::psychsyn || of == index::psychant || of == index::mahad_p; }
};

/// "<=", ">=", "<", ">" or "|x| >=": the comparison, for reports.
inline const char* to_string(screen_flag::when w) {
    switch (w) {
        case screen_flag::when::at_least:
            return ">=";
        case screen_flag::when::at_most:
            return "<=";
        case screen_flag::when::above:
            return ">";
        case screen_flag::when::below:
            return "<";
        case screen_flag::when::size_at_least:
            return "|x| >=";
    }
    return ">=";
}

/// The value of the index a flag reads.
inline double flagged_value(const screen_flag& f, const screen_indices& x) {
    switch (f.of) {
        case screen_flag::index::longstring:
            return x.longstring;
        case screen_flag::index::irv:
            return x.irv;
        case screen_flag::index::evenodd:
            return x.evenodd;
        case screen_flag::index::psychsyn:
            return x.psychsyn;
        case screen_flag::index::psychant:
            return x.psychant;
        case screen_flag::index::reverse_gap:
            return f.gap < x.reverse_gap.size() ? x.reverse_gap[f.gap] : detail::screen::undefined;
        case screen_flag::index::mahad_p:
            return x.mahad_p;
        case screen_flag::index::seconds_per_item:
            return x.seconds_per_item;
    }
    return detail::screen::undefined;
}

/// Whether a row's indices raise the flag (never when the index is undefined).
inline bool raised(const screen_flag& f, const screen_indices& x) {
    const double v = flagged_value(f, x);
    if (v != v) return false;
    switch (f.compare) {
        case screen_flag::when::at_least:
            return v >= f.threshold;
        case screen_flag::when::at_most:
            return v <= f.threshold;
        case screen_flag::when::above:
            return v > f.threshold;
        case screen_flag::when::below:
            return v < f.threshold;
        case screen_flag::when::size_at_least:
            return (v < 0 ? -v : v) >= f.threshold;
    }
    return false;
}

/// The default flags of a layout (docs/screening.md gives their sources and what they flag in
/// the real ECR data): one per index, and one per reverse gap.
std::vector<screen_flag> default_flags(const screen_layout& layout);

/// A change to a default flag, by its name: another threshold, or off (no threshold).
struct flag_setting {
    std::string name;
    std::optional<double> threshold;
};

/// The flags in force: the defaults with `settings` applied (`source` says where a threshold
/// given came from), without those whose index is not computed: psychsyn, psychant and
/// mahad_p without the sample statistics, seconds_per_item without durations. Throws
/// option_error for a name that is no flag of the layout, naming those there are.
std::vector<screen_flag> flags_in_force(const screen_layout& layout, const std::vector<flag_setting>& settings,
                                        bool with_sample, bool with_duration, const std::string& source);

/// Which indices a screening gives: psychsyn, psychant and mahad need the sample statistics,
/// seconds_per_item durations.
struct screen_columns_of {
    bool sample = true;
    bool duration = false;
};

/// The names of the indices' columns, in the order every output gives them: longstring,
/// longstring_avg, irv, evenodd, psychsyn, psychant, reverse_gap_<subscale> for each subscale
/// that has one, mahad, mahad_df, mahad_p, seconds_per_item (those computed).
inline std::vector<std::string> screen_columns(const screen_layout& layout, screen_columns_of which) {
    std::vector<std::string> names = {"longstring", "longstring_avg", "irv", "evenodd"};
    if (which.sample) names.insert(names.end(), {"psychsyn", "psychant"});
    for (const reverse_gap_def& g : layout.gaps()) names.push_back("reverse_gap_" + g.name);
    if (which.sample) names.insert(names.end(), {"mahad", "mahad_df", "mahad_p"});
    if (which.duration) names.emplace_back("seconds_per_item");
    return names;
}

/// Calls put(value) for each of a row's indices, in the order of screen_columns().
template <class Put>
void for_each_index(const screen_indices& x, screen_columns_of which, Put&& put) {
    put(x.longstring);
    put(x.longstring_avg);
    put(x.irv);
    put(x.evenodd);
    if (which.sample) {
        put(x.psychsyn);
        put(x.psychant);
    }
    for (double g : x.reverse_gap) put(g);
    if (which.sample) {
        put(x.mahad);
        put(x.mahad_df);
        put(x.mahad_p);
    }
    if (which.duration) put(x.seconds_per_item);
}

/// The names of the flags a row raises, separated by ';' (the `flags` column), into `names`;
/// returns how many (the `n_flags` column).
inline std::size_t raised_flags(const std::vector<screen_flag>& flags, const screen_indices& x, std::string& names) {
    names.clear();
    std::size_t n = 0;
    for (const screen_flag& f : flags)
        if (raised(f, x)) {
            if (n++ > 0) names += ';';
            names += f.name;
        }
    return n;
}

/// Reads one row's answers through the scoring rule: the value, or NaN when missing (or
/// invalid under invalid_policy::missing); an invalid answer under invalid_policy::error
/// throws invalid_response. Returns the number answered.
template <class T>
std::size_t read_row(const screen_layout& layout, const T* row, std::ptrdiff_t stride, std::size_t row_index,
                     std::vector<double>& raw) {
    const score_options& o = layout.scoring();
    std::size_t answered = 0;
    for (std::size_t i = 0; i < layout.n_items(); ++i) {
        const T v = row[static_cast<std::ptrdiff_t>(i) * stride];
        const rule::cell c = rule::classify(v, layout.scale(), o.missing_codes);
        if (c == rule::cell::answered) {
            raw[i] = static_cast<double>(v);
            ++answered;
            continue;
        }
        raw[i] = detail::screen::undefined;
        if (c != rule::cell::missing && o.on_invalid == invalid_policy::error)
            rule::throw_invalid(layout.scale(), row_index, i, static_cast<double>(v), c);
    }
    return answered;
}

// ---------------------------------------------------------------------------------------------

inline screen_layout::screen_layout(const key_view& key, const score_options& scoring, screen_options options)
    : scale_(scoring.data_scale ? *scoring.data_scale : key.scale),
      scoring_(scoring),
      options_(std::move(options)),
      reversed_(static_cast<std::size_t>(key.n_items), 0) {
    if (const char* problem = check_key(key)) throw key_error(std::string("screening: ") + problem);
    const auto n = static_cast<std::size_t>(key.n_items);
    std::vector<char> seen(n, 0);
    for (const subscale_def& s : key.subscales) {
        reverse_gap_def gap{std::string(s.name), {}, {}};
        std::vector<int> odd, even;
        for (std::size_t pos = 0; pos < s.items.size(); ++pos) {
            const int i = s.items[pos] - 1;
            const bool rev = detail::contains(s.reversed, s.items[pos]);
            if (!seen[static_cast<std::size_t>(i)]) reversed_[static_cast<std::size_t>(i)] = rev;
            seen[static_cast<std::size_t>(i)] = 1;
            (rev ? gap.reversed : gap.forward).push_back(i);
            (pos % 2 == 0 ? odd : even).push_back(i);
        }
        if (!gap.forward.empty() && !gap.reversed.empty()) gaps_.push_back(std::move(gap));
        if (!odd.empty() && !even.empty()) {
            odd_.push_back(std::move(odd));
            even_.push_back(std::move(even));
        }
    }
    std::vector<int>& order = options_.presented_order;
    if (order.empty())
        for (std::size_t i = 0; i < n; ++i) order.push_back(static_cast<int>(i));
    std::vector<char> placed(n, 0);
    for (int i : order) {
        if (i < 0 || static_cast<std::size_t>(i) >= n || placed[static_cast<std::size_t>(i)])
            throw option_error("screen_options::presented_order must list each item index 0..n_items-1 once");
        placed[static_cast<std::size_t>(i)] = 1;
    }
    if (order.size() != n)
        throw option_error("screen_options::presented_order must list each item index 0..n_items-1 once");
}

template <class Derived>
void screen_sample::add(const Eigen::MatrixBase<Derived>& answers, std::size_t first_row) {
    using T = typename Derived::Scalar;
    const typename Eigen::internal::nested_eval<Derived, 1>::type x = answers.derived();
    if (static_cast<std::size_t>(x.cols()) != layout_->n_items())
        throw shape_error("expected " + std::to_string(layout_->n_items()) + " item columns, got " +
                          std::to_string(x.cols()));
    std::vector<T> cells(layout_->n_items());
    for (Eigen::Index r = 0; r < x.rows(); ++r) {
        for (Eigen::Index i = 0; i < x.cols(); ++i) cells[static_cast<std::size_t>(i)] = x(r, i);
        const std::size_t answered = read_row(*layout_, cells.data(), 1, first_row + static_cast<std::size_t>(r), row_);
        if (answered > 0) ++rows_;
        sums_.add(row_.data(), static_cast<Eigen::Index>(answered));
    }
}

namespace detail {
namespace screen {
/// Why a covariance cannot give Mahalanobis distances, or "" when it can.
inline std::string covariance_problem(const Eigen::MatrixXd& cov, std::size_t complete, std::size_t n_items) {
    if (complete <= n_items)
        return "singular covariance: " + std::to_string(complete) + " complete rows for " + std::to_string(n_items) +
               " items (at least " + std::to_string(n_items + 1) + " needed)";
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(cov, Eigen::EigenvaluesOnly);
    const Eigen::VectorXd& ev = eig.eigenvalues();
    if (!(ev.minCoeff() > 1e-10 * ev.maxCoeff()))
        return "singular covariance of the complete rows (a constant item, or items that are exact linear "
               "combinations of others)";
    return "";
}
}  // namespace screen
}  // namespace detail

inline screen_statistics screen_sample::finish() {
    sums_.flush();
    screen_statistics st;
    const auto p = static_cast<Eigen::Index>(layout_->n_items());
    st.rows = rows_;
    st.complete_rows = static_cast<std::size_t>(sums_.complete_rows());
    st.correlations.resize(p, p);
    for (Eigen::Index j = 0; j < p; ++j)
        for (Eigen::Index k = 0; k < p; ++k) st.correlations(j, k) = j == k ? 1.0 : sums_.correlation(j, k);
    const screen_options& o = layout_->options();
    for (Eigen::Index j = 0; j < p; ++j)
        for (Eigen::Index k = j + 1; k < p; ++k) {
            const double r = st.correlations(j, k);
            const bool flip =
                layout_->reversed(static_cast<std::size_t>(j)) != layout_->reversed(static_cast<std::size_t>(k));
            if ((flip ? -r : r) >= o.syn_r) {
                st.syn_first.push_back(static_cast<int>(j));
                st.syn_second.push_back(static_cast<int>(k));
            }
            if (r <= o.ant_r) {
                st.ant_first.push_back(static_cast<int>(j));
                st.ant_second.push_back(static_cast<int>(k));
            }
        }
    if (st.complete_rows >= 2) {
        st.mean = sums_.complete_mean();
        st.covariance = sums_.complete_covariance();
    }
    st.covariance_problem = detail::screen::covariance_problem(st.covariance, st.complete_rows, layout_->n_items());
    return st;
}

inline screener::screener(const screen_layout& layout, const screen_statistics* stats, int missing_byte)
    : layout_(&layout),
      stats_(stats),
      raw_(layout.n_items()),
      keyed_(layout.n_items()),
      byte_value_(256),
      byte_code_(256),
      codes_(layout.n_items()),
      byte_invalid_(256) {
    const double twice_shift = 2 * layout.scale().midpoint();
    masks_ = twice_shift == std::floor(twice_shift) && std::fabs(twice_shift) < 1e6 && layout.n_items() <= 64;
    in_order_ = true;
    for (std::size_t p = 0; p < layout.order().size(); ++p) in_order_ &= layout.order()[p] == static_cast<int>(p);
    for (int b = 0; b < 256; ++b) {
        const auto u = static_cast<std::size_t>(b);
        const rule::cell c =
            b == missing_byte ? rule::cell::missing
                              : rule::classify(static_cast<double>(b), layout.scale(), layout.scoring().missing_codes);
        const bool answered = c == rule::cell::answered;
        byte_value_[u] = answered ? static_cast<double>(b) : detail::screen::undefined;
        byte_code_[u] = static_cast<std::uint16_t>(answered ? b + 1 : 0);
        byte_invalid_[u] = c != rule::cell::answered && c != rule::cell::missing;
    }
    if (masks_ && in_order_) {
        std::vector<std::vector<int>> sides;
        for (const reverse_gap_def& g : layout.gaps()) {
            sides.push_back(g.forward);
            sides.push_back(g.reversed);
        }
        byte_rows_.emplace(byte_code_, layout.n_items(), sides);
        if (!byte_rows_->usable()) byte_rows_.reset();
        side_means_.assign(sides.size(), detail::screen::undefined);
    }
    if (stats_ && stats_->covariance_problem.empty()) {
        full_.compute(stats_->covariance);
        precision_ = full_.solve(Eigen::MatrixXd::Identity(stats_->covariance.rows(), stats_->covariance.cols()));
    }
}

template <class T>
void screener::screen_into(screen_indices& out, const T* row, std::ptrdiff_t stride, std::size_t row_index,
                           double duration) {
    namespace sc = detail::screen;
    std::vector<double> gaps = std::move(out.reverse_gap);
    out = screen_indices{};
    out.reverse_gap = std::move(gaps);
    out.reverse_gap.assign(layout_->gaps().size(), sc::undefined);
    const response_scale& scale = layout_->scale();
    std::size_t answered = 0;
    sc::row_pass pass;
    constexpr bool bytes = std::is_same_v<T, std::uint8_t>;
    bool sides_read = false;  // side_means_ holds the row's reverse gaps' halves
    if constexpr (bytes) {
        sc::code_pass read;
        if (byte_rows_ && stride == 1) {
            byte_rows_->read(row, read, side_means_.data());
            sides_read = true;
            check_bytes(row, read.answers, row_index);
        } else {
            read_bytes(row, stride, row_index, masks_ && in_order_ ? &read : nullptr);
        }
        if (masks_ && in_order_) {
            answered = read.answered();
            if (answered > 0) pass = read.finish(scale.midpoint());
        } else if (masks_) {
            pass = sc::one_pass(codes_.data(), layout_->order(), scale.midpoint(), answered);
        } else {
            answered = layout_->n_items() - static_cast<std::size_t>(std::count(codes_.begin(), codes_.end(), 0));
            if (answered > 0) pass = sc::one_pass(raw_.data(), layout_->order(), scale.midpoint());
        }
        if (answered == 0) return;
    } else {
        answered = read_row(*layout_, row, stride, row_index, raw_);
        if (answered == 0) return;
        pass = sc::one_pass(raw_.data(), layout_->order(), scale.midpoint());
    }
    if (layout_->halved_subscales() >= 3 || stats_)  // evenodd and psychsyn read keyed answers
        for (std::size_t i = 0; i < raw_.size(); ++i) keyed_[i] = rule::keyed(raw_[i], layout_->reversed(i), scale);
    out.longstring = pass.longest;
    out.longstring_avg = pass.average;
    out.irv = pass.sd;
    if (layout_->halved_subscales() >= 3) {
        std::vector<double> halves(2 * layout_->halved_subscales());
        for (std::size_t s = 0; s < layout_->halved_subscales(); ++s) {
            halves[2 * s] = sc::mean_of(keyed_.data(), layout_->odd_halves()[s]);
            halves[2 * s + 1] = sc::mean_of(keyed_.data(), layout_->even_halves()[s]);
        }
        std::vector<int> odd, even;
        for (std::size_t s = 0; s < layout_->halved_subscales(); ++s) {
            odd.push_back(static_cast<int>(2 * s));
            even.push_back(static_cast<int>(2 * s + 1));
        }
        out.evenodd = sc::spearman_brown_careless(sc::pair_correlation(halves.data(), odd, even, 3));
    }
    for (std::size_t g = 0; g < layout_->gaps().size(); ++g) {
        // Each subscale's items keyed in its own direction: its forward items as they are, its
        // reversed items reversed.
        const reverse_gap_def& gap = layout_->gaps()[g];
        const double fwd = sides_read ? side_means_[2 * g]
                           : bytes    ? sc::mean_of_codes(codes_.data(), gap.forward)
                                      : sc::mean_of(raw_.data(), gap.forward);
        double rev = sides_read ? side_means_[2 * g + 1]
                     : bytes    ? sc::mean_of_codes(codes_.data(), gap.reversed)
                                : sc::mean_of(raw_.data(), gap.reversed);
        rev = rule::keyed(rev, true, scale);
        out.reverse_gap[g] = fwd - rev;
    }
    if (duration == duration) out.seconds_per_item = duration / static_cast<double>(raw_.size());
    if (stats_) sample_indices(out, static_cast<Eigen::Index>(answered));
}

// A row of bytes through the tables: codes_, and raw_ when an index reads it; with `pass`, the
// integer pass in the same loop (the items in presented order).
inline void screener::read_bytes(const std::uint8_t* row, std::ptrdiff_t stride, std::size_t row_index,
                                 detail::screen::code_pass* pass) {
    bool invalid = false;
    for (std::size_t i = 0; i < codes_.size(); ++i) {
        const std::uint8_t b = row[static_cast<std::ptrdiff_t>(i) * stride];
        codes_[i] = byte_code_[b];
        invalid |= byte_invalid_[b] != 0;
        if (pass) pass->add(codes_[i], i);
    }
    finish_bytes(row, stride, row_index, invalid);
}

// After byte_rows: the bytes that are not answers checked for invalid ones.
inline void screener::check_bytes(const std::uint8_t* row, std::uint64_t answers, std::size_t row_index) {
    bool invalid = false;
    for (std::uint64_t rest = ~answers & byte_rows_->items(); rest != 0; rest &= rest - 1)
        invalid |= byte_invalid_[row[detail::lowest_bit(rest)]] != 0;
    finish_bytes(row, 1, row_index, invalid);
}

// An invalid byte under invalid_policy::error: the error for the first one, as the rule words it
// (the byte that means no answer is never that one); then raw_ filled when an index reads it.
inline void screener::finish_bytes(const std::uint8_t* row, std::ptrdiff_t stride, std::size_t row_index,
                                   bool invalid) {
    if (invalid && layout_->scoring().on_invalid == invalid_policy::error)
        for (std::size_t i = 0; i < raw_.size(); ++i) {
            const std::uint8_t b = row[static_cast<std::ptrdiff_t>(i) * stride];
            if (byte_invalid_[b])
                rule::throw_invalid(
                    layout_->scale(), row_index, i, static_cast<double>(b),
                    rule::classify(static_cast<double>(b), layout_->scale(), layout_->scoring().missing_codes));
        }
    if (!masks_ || layout_->halved_subscales() >= 3 || stats_)
        for (std::size_t i = 0; i < raw_.size(); ++i)
            raw_[i] = byte_value_[row[static_cast<std::ptrdiff_t>(i) * stride]];
}

inline void screener::sample_indices(screen_indices& out, Eigen::Index answered) {
    namespace sc = detail::screen;
    out.psychsyn = sc::pair_correlation(keyed_.data(), stats_->syn_first, stats_->syn_second, 3);
    out.psychant = sc::pair_correlation(raw_.data(), stats_->ant_first, stats_->ant_second, 3);
    if (!stats_->covariance_problem.empty()) return;
    out.mahad = distance(answered);
    out.mahad_df = static_cast<double>(answered);
    // In double throughout (Boost would otherwise promote to long double, several times slower).
    using in_double = boost::math::policies::policy<boost::math::policies::promote_double<false>>;
    out.mahad_p = boost::math::gamma_q(out.mahad_df / 2, out.mahad / 2, in_double());
}

// The squared Mahalanobis distance of the answered items A under their marginal distribution,
// r' inv(S_AA) r with r the answers less the means. With few items missing (M), inv(S_AA) is
// taken from the precision matrix P = inv(S) by the Schur complement, inv(S_AA) = P_AA -
// P_AM inv(P_MM) P_MA, which needs a system of |M| equations only; with more missing than
// answered, S_AA is factored directly.
inline double screener::distance(Eigen::Index answered) {
    const auto p = static_cast<Eigen::Index>(raw_.size());
    answered_.clear();
    missing_.clear();
    for (Eigen::Index i = 0; i < p; ++i)
        (raw_[static_cast<std::size_t>(i)] == raw_[static_cast<std::size_t>(i)] ? answered_ : missing_).push_back(i);
    Eigen::VectorXd r(answered);
    for (Eigen::Index a = 0; a < answered; ++a) {
        const Eigen::Index i = answered_[static_cast<std::size_t>(a)];
        r(a) = raw_[static_cast<std::size_t>(i)] - stats_->mean(i);
    }
    if (answered == p) return full_.matrixL().solve(r).squaredNorm();
    const auto m = static_cast<Eigen::Index>(missing_.size());
    if (m > answered) {
        const Eigen::MatrixXd sub = stats_->covariance(answered_, answered_);
        return Eigen::LLT<Eigen::MatrixXd>(sub).matrixL().solve(r).squaredNorm();
    }
    double direct = 0;
    for (Eigen::Index a = 0; a < answered; ++a) {
        const Eigen::Index i = answered_[static_cast<std::size_t>(a)];
        double row = 0;
        for (Eigen::Index b = 0; b < answered; ++b) row += precision_(answered_[static_cast<std::size_t>(b)], i) * r(b);
        direct += r(a) * row;
    }
    Eigen::VectorXd u = Eigen::VectorXd::Zero(m);
    Eigen::MatrixXd pmm(m, m);
    for (Eigen::Index k = 0; k < m; ++k) {
        const Eigen::Index j = missing_[static_cast<std::size_t>(k)];
        for (Eigen::Index a = 0; a < answered; ++a)
            u(k) += precision_(answered_[static_cast<std::size_t>(a)], j) * r(a);
        for (Eigen::Index l = 0; l < m; ++l) pmm(k, l) = precision_(missing_[static_cast<std::size_t>(l)], j);
    }
    return direct - u.dot(Eigen::LLT<Eigen::MatrixXd>(pmm).solve(u));
}

}  // namespace bowlby

namespace bowlby {

inline std::vector<screen_flag> default_flags(const screen_layout& layout) {
    using idx = screen_flag::index;
    using w = screen_flag::when;
    const double n = static_cast<double>(layout.n_items());
    const double width = layout.scale().max - layout.scale().min;
    std::vector<screen_flag> flags;
    // The thresholds, and the share of the real ECR file's 51,491 rows each flags there, are in
    // docs/screening.md; a default that flags many attentive respondents is wrong.
    flags.push_back({"longstring", idx::longstring, 0, w::at_least, std::ceil(n / 2),
                     "a run of half the items or more: a rule of thumb reported from Curran (2016)"});
    flags.push_back({"irv", idx::irv, 0, w::at_most, width / 8,
                     "low variability (Dunn, Heggestad, Shanock & Theilgard, 2018, give no cut-off); an eighth of the "
                     "scale's width, chosen on the real ECR data"});
    flags.push_back({"evenodd", idx::evenodd, 0, w::above, -0.30,
                     "even-odd consistency (Johnson, 2005) below .30: a convention, not a published cut-off"});
    flags.push_back({"psychsyn", idx::psychsyn, 0, w::below, -0.30,
                     "Meade & Craig (2012): synonyms answered against each other; -.30 chosen on the real ECR data"});
    flags.push_back({"psychant", idx::psychant, 0, w::above, -0.03,
                     "psychological antonyms (Johnson, 2005) answered alike: bowlby's -.03, not a published cut-off"});
    for (std::size_t g = 0; g < layout.gaps().size(); ++g) {
        // A gap resting on one or two reversed items is noisier: it needs to be larger to count.
        const bool few = layout.gaps()[g].reversed.size() < 3;
        flags.push_back(
            {"reverse_gap_" + layout.gaps()[g].name, idx::reverse_gap, g, w::size_at_least, (few ? 0.875 : 0.5) * width,
             few ? "bowlby, on the real ECR data: seven eighths of the scale's width (under 3 reversed items)"
                 : "bowlby, on the real ECR data: half the scale's width (3 or more reversed items)"});
    }
    flags.push_back({"mahad_p", idx::mahad_p, 0, w::below, 1e-6,
                     "chi-square p < .001, the usual outlier cut-off, flags 5.7% of the real ECR data (ordinal "
                     "answers are far from normal); 1e-6 flags 1.2%"});
    flags.push_back(
        {"seconds_per_item", idx::seconds_per_item, 0, w::below, 2.0,
         "under 2 seconds an item: Huang, Curran, Keeney, Poposki & DeShon (2012), as later work cites them"});
    return flags;
}

inline std::vector<screen_flag> flags_in_force(const screen_layout& layout, const std::vector<flag_setting>& settings,
                                               bool with_sample, bool with_duration, const std::string& source) {
    std::vector<screen_flag> flags = default_flags(layout);
    std::vector<char> off(flags.size(), 0);
    for (const flag_setting& set : settings) {
        std::size_t f = 0;
        while (f < flags.size() && flags[f].name != set.name) ++f;
        if (f == flags.size()) {
            std::string names;
            for (const screen_flag& g : flags) names += (names.empty() ? "" : ", ") + g.name;
            throw option_error("no flag '" + set.name + "' for this instrument (flags: " + names + ")");
        }
        if (!set.threshold) {
            off[f] = 1;
            continue;
        }
        flags[f].threshold = *set.threshold;
        flags[f].source = source;
    }
    std::vector<screen_flag> kept;
    for (std::size_t f = 0; f < flags.size(); ++f) {
        const bool unused = (flags[f].needs_sample() && !with_sample) ||
                            (flags[f].of == screen_flag::index::seconds_per_item && !with_duration);
        if (!off[f] && !unused) kept.push_back(flags[f]);
    }
    return kept;
}

}  // namespace bowlby
