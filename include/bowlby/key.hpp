// bowlby: scoring of adult-attachment questionnaires. MIT licence, see LICENSE.
//
// Questionnaire keys: what a questionnaire's items are, on which response scale they are
// answered, and how they combine into subscale and derived scores.
//
// A key is read through `key_view`, a non-owning, constexpr-friendly description. The
// built-in instruments (bowlby/instruments.hpp) are `key_view`s made of compile-time
// arrays; a questionnaire defined at run time (`bowlby::questionnaire`, below) owns its
// storage and hands out the same `key_view`, so both go through the same scoring code.
//
// Item numbers in keys are 1-based, in the instrument's published order, so that a key can
// be checked line by line against its source.
#pragma once

#include "bowlby/error.hpp"

#include <cmath>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bowlby {

/// The response scale of a questionnaire: answers run from `min` to `max`; when `integral`
/// is true (every built-in), only whole numbers are valid answers.
struct response_scale {
    double min = 1;
    double max = 7;
    bool integral = true;

    /// The scale's midpoint, (min + max) / 2.
    constexpr double midpoint() const noexcept { return (min + max) / 2; }
};

/// How a subscale combines its items. A `sum` subscale with unanswered items is prorated:
/// the mean of the answered items times the subscale's item count.
enum class aggregation : unsigned char { mean, sum };

/// A non-owning view of a contiguous array (C++17 has no std::span).
template <class T>
class list_view {
public:
    constexpr list_view() noexcept = default;
    constexpr list_view(const T* data, std::size_t size) noexcept : data_(data), size_(size) {}
    template <std::size_t N>
    constexpr list_view(const T (&array)[N]) noexcept : data_(array), size_(N) {}      // NOLINT
    list_view(const std::vector<T>& v) noexcept : data_(v.data()), size_(v.size()) {}  // NOLINT

    constexpr const T* begin() const noexcept { return data_; }
    constexpr const T* end() const noexcept { return data_ + size_; }
    constexpr std::size_t size() const noexcept { return size_; }
    constexpr bool empty() const noexcept { return size_ == 0; }
    constexpr const T& operator[](std::size_t i) const noexcept { return data_[i]; }

private:
    const T* data_ = nullptr;
    std::size_t size_ = 0;
};

/// One subscale: its name (lower case, e.g. "anxiety"), its items (1-based), the subset of
/// them that is reverse-keyed, and whether it is a mean or a sum. `label` is its name for a
/// respondent ("Attachment anxiety") and `about` a sentence on what a high and a low score
/// mean; both may be empty (a front end then shows the name).
struct subscale_def {
    std::string_view name;
    list_view<int> items;
    list_view<int> reversed;
    aggregation agg = aggregation::mean;
    std::string_view label;
    std::string_view about;
};

/// A term of a derived score: `weight` times a subscale score (index into the key's
/// subscales, 0-based) or times an item's raw answer (1-based item number).
struct term {
    enum kind_type : unsigned char { subscale, item };
    kind_type kind = subscale;
    int index = 0;
    double weight = 1;
};

/// A score that is a linear combination of subscales or items, such as the RQ's model of
/// self. It is missing when any of its terms is missing.
struct derived_def {
    std::string_view name;
    list_view<term> terms;
    std::string_view label;  ///< as subscale_def::label
    std::string_view about;  ///< as subscale_def::about
};

/// A complete questionnaire key. `item_names` may be empty (items are then called by their
/// number); `source` says where the key was taken from.
struct key_view {
    std::string_view id;
    std::string_view name;
    std::string_view citation;
    std::string_view source;
    int n_items = 0;
    response_scale scale{};
    list_view<subscale_def> subscales;
    list_view<derived_def> derived;
    list_view<std::string_view> item_names;

    /// Number of scores the key produces: subscales first, then derived scores.
    constexpr std::size_t n_scores() const noexcept { return subscales.size() + derived.size(); }
    /// Name of score `s` in that order.
    constexpr std::string_view score_name(std::size_t s) const noexcept {
        return s < subscales.size() ? subscales[s].name : derived[s - subscales.size()].name;
    }
    /// The respondent's name of score `s`: its label, or its name when it has none.
    constexpr std::string_view score_label(std::size_t s) const noexcept {
        const std::string_view l = s < subscales.size() ? subscales[s].label : derived[s - subscales.size()].label;
        return l.empty() ? score_name(s) : l;
    }
    /// What a high and a low score `s` mean ("" when the key does not say).
    constexpr std::string_view score_about(std::size_t s) const noexcept {
        return s < subscales.size() ? subscales[s].about : derived[s - subscales.size()].about;
    }
};

/// The lowest and highest value a score can take when every item is answered on the key's
/// scale: a mean subscale spans the scale, a sum subscale its item count times the scale, a
/// derived score the weighted sum of its terms' ranges.
struct score_range {
    double min = 0;
    double max = 0;
};

constexpr score_range subscale_range(const key_view& k, std::size_t s) noexcept {
    const subscale_def& sub = k.subscales[s];
    const double n = sub.agg == aggregation::sum ? static_cast<double>(sub.items.size()) : 1.0;
    return {n * k.scale.min, n * k.scale.max};
}

/// The range of score `s` (subscales first, then derived scores, as key_view::score_name).
constexpr score_range range_of_score(const key_view& k, std::size_t s) noexcept {
    if (s < k.subscales.size()) return subscale_range(k, s);
    score_range r;
    for (const term& t : k.derived[s - k.subscales.size()].terms) {
        const score_range part = t.kind == term::subscale ? subscale_range(k, static_cast<std::size_t>(t.index))
                                                          : score_range{k.scale.min, k.scale.max};
        const double a = t.weight * part.min, b = t.weight * part.max;
        r.min += a < b ? a : b;
        r.max += a < b ? b : a;
    }
    return r;
}

namespace detail {
constexpr bool contains(list_view<int> list, int value) noexcept {
    for (int v : list)
        if (v == value) return true;
    return false;
}
}  // namespace detail

/// Checks a key for consistency. Returns nullptr when it is sound, otherwise a sentence
/// saying what is wrong. constexpr, so the built-in keys are checked at compile time.
constexpr const char* check_key(const key_view& k) noexcept {
    if (k.n_items < 1) return "a questionnaire needs at least one item";
    if (!(k.scale.min < k.scale.max)) return "the response scale needs min < max";
    if (k.subscales.empty()) return "a questionnaire needs at least one subscale";
    for (std::size_t s = 0; s < k.subscales.size(); ++s) {
        const subscale_def& sub = k.subscales[s];
        if (sub.name.empty()) return "every subscale needs a name";
        if (sub.items.empty()) return "every subscale needs at least one item";
        for (std::size_t i = 0; i < sub.items.size(); ++i) {
            const int item = sub.items[i];
            if (item < 1 || item > k.n_items) return "a subscale names an item number outside 1..n_items";
            for (std::size_t j = i + 1; j < sub.items.size(); ++j)
                if (sub.items[j] == item) return "a subscale lists the same item twice";
        }
        for (std::size_t i = 0; i < sub.reversed.size(); ++i) {
            if (!detail::contains(sub.items, sub.reversed[i]))
                return "a reversed item is not among its subscale's items";
            for (std::size_t j = i + 1; j < sub.reversed.size(); ++j)
                if (sub.reversed[j] == sub.reversed[i]) return "a subscale lists the same reversed item twice";
        }
        for (std::size_t t = 0; t < s; ++t)
            if (k.subscales[t].name == sub.name) return "two subscales share a name";
    }
    for (std::size_t d = 0; d < k.derived.size(); ++d) {
        const derived_def& der = k.derived[d];
        if (der.name.empty()) return "every derived score needs a name";
        if (der.terms.empty()) return "a derived score needs at least one term";
        for (const term& t : der.terms) {
            if (t.kind == term::subscale && (t.index < 0 || static_cast<std::size_t>(t.index) >= k.subscales.size()))
                return "a derived score names a subscale that does not exist";
            if (t.kind == term::item && (t.index < 1 || t.index > k.n_items))
                return "a derived score names an item number outside 1..n_items";
        }
        for (std::size_t s = 0; s < k.n_scores(); ++s)
            if (s != k.subscales.size() + d && k.score_name(s) == der.name) return "two scores share a name";
    }
    if (!k.item_names.empty() && k.item_names.size() != static_cast<std::size_t>(k.n_items))
        return "item_names, when given, needs one name per item";
    return nullptr;
}

/// A questionnaire defined at run time: a user's own instrument, or a built-in one with
/// another item order. It owns its storage and hands out a `key_view` over it.
///
///     bowlby::questionnaire q("my-scale", 6, {1, 5});
///     q.add_subscale("closeness", {1, 2, 3}, {2})
///      .add_subscale("worry", {4, 5, 6});
///     auto scores = bowlby::score(q.view(), answers);
class questionnaire {
public:
    questionnaire(std::string id, int n_items, response_scale scale)
        : id_(std::move(id)), n_items_(n_items), scale_(scale) {
        relink();
    }
    /// A copy of a key (for instance a built-in instrument) that can then be changed.
    explicit questionnaire(const key_view& k)
        : id_(k.id), name_(k.name), citation_(k.citation), source_(k.source), n_items_(k.n_items), scale_(k.scale) {
        for (const subscale_def& s : k.subscales)
            subs_.push_back({std::string(s.name),
                             {s.items.begin(), s.items.end()},
                             {s.reversed.begin(), s.reversed.end()},
                             s.agg,
                             std::string(s.label),
                             std::string(s.about)});
        for (const derived_def& d : k.derived)
            ders_.push_back(
                {std::string(d.name), {d.terms.begin(), d.terms.end()}, std::string(d.label), std::string(d.about)});
        for (std::string_view n : k.item_names) item_names_.emplace_back(n);
        relink();
    }
    questionnaire(const questionnaire& other) : questionnaire(other.view_unchecked()) {}
    questionnaire(questionnaire&& other)
        : id_(std::move(other.id_)),
          name_(std::move(other.name_)),
          citation_(std::move(other.citation_)),
          source_(std::move(other.source_)),
          n_items_(other.n_items_),
          scale_(other.scale_),
          subs_(std::move(other.subs_)),
          ders_(std::move(other.ders_)),
          item_names_(std::move(other.item_names_)) {
        relink();
    }
    questionnaire& operator=(questionnaire other) {
        swap(other);
        relink();
        return *this;
    }
    ~questionnaire() = default;

    /// Adds a subscale. `items` and `reversed` are 1-based item numbers.
    questionnaire& add_subscale(std::string name, std::vector<int> items, std::vector<int> reversed = {},
                                aggregation agg = aggregation::mean) {
        subs_.push_back({std::move(name), std::move(items), std::move(reversed), agg, {}, {}});
        relink();
        return *this;
    }
    /// Adds a derived score, a linear combination of subscales or items.
    questionnaire& add_derived(std::string name, std::vector<term> terms) {
        ders_.push_back({std::move(name), std::move(terms), {}, {}});
        relink();
        return *this;
    }
    questionnaire& set_name(std::string name) {
        name_ = std::move(name);
        relink();
        return *this;
    }
    questionnaire& set_citation(std::string citation) {
        citation_ = std::move(citation);
        relink();
        return *this;
    }
    questionnaire& set_source(std::string source) {
        source_ = std::move(source);
        relink();
        return *this;
    }
    /// Sets the respondent's name (`label`) and the meaning (`about`) of the subscale or derived
    /// score called `score`; throws bowlby::key_error when there is none of that name.
    questionnaire& describe(std::string_view score, std::string label, std::string about) {
        for (owned_subscale& s : subs_)
            if (s.name == score) return describe(s.label, s.about, std::move(label), std::move(about));
        for (owned_derived& d : ders_)
            if (d.name == score) return describe(d.label, d.about, std::move(label), std::move(about));
        throw key_error("questionnaire '" + id_ + "' has no score called '" + std::string(score) + "'");
    }
    questionnaire& set_item_names(std::vector<std::string> names) {
        item_names_ = std::move(names);
        relink();
        return *this;
    }
    questionnaire& set_scale(response_scale scale) {
        scale_ = scale;
        relink();
        return *this;
    }

    /// The key, checked: throws bowlby::key_error with check_key()'s sentence when unsound.
    /// The view is valid until this questionnaire is changed or destroyed.
    const key_view& view() const {
        if (const char* problem = check_key(view_)) throw key_error("questionnaire '" + id_ + "': " + problem);
        return view_;
    }

    /// The key as it stands, unchecked (for check_key() or for inspecting a draft).
    const key_view& view_unchecked() const noexcept { return view_; }

private:
    struct owned_subscale {
        std::string name;
        std::vector<int> items;
        std::vector<int> reversed;
        aggregation agg;
        std::string label, about;
    };
    struct owned_derived {
        std::string name;
        std::vector<term> terms;
        std::string label, about;
    };

    questionnaire& describe(std::string& label, std::string& about, std::string new_label, std::string new_about) {
        label = std::move(new_label);
        about = std::move(new_about);
        relink();
        return *this;
    }

    void swap(questionnaire& o) noexcept {
        using std::swap;
        swap(id_, o.id_);
        swap(name_, o.name_);
        swap(citation_, o.citation_);
        swap(source_, o.source_);
        swap(n_items_, o.n_items_);
        swap(scale_, o.scale_);
        swap(subs_, o.subs_);
        swap(ders_, o.ders_);
        swap(item_names_, o.item_names_);
    }

    // Rebuilds the views over the owned storage; called after every change, copy and move.
    void relink() {
        sub_defs_.clear();
        for (const owned_subscale& s : subs_)
            sub_defs_.push_back({s.name, s.items, s.reversed, s.agg, s.label, s.about});
        der_defs_.clear();
        for (const owned_derived& d : ders_) der_defs_.push_back({d.name, d.terms, d.label, d.about});
        item_name_views_.assign(item_names_.begin(), item_names_.end());
        view_ = key_view{id_, name_, citation_, source_, n_items_, scale_, sub_defs_, der_defs_, item_name_views_};
    }

    std::string id_, name_, citation_, source_;
    int n_items_ = 0;
    response_scale scale_{};
    std::vector<owned_subscale> subs_;
    std::vector<owned_derived> ders_;
    std::vector<std::string> item_names_;
    std::vector<subscale_def> sub_defs_;
    std::vector<derived_def> der_defs_;
    std::vector<std::string_view> item_name_views_;
    key_view view_{};
};

}  // namespace bowlby
