// bowlby: scoring of adult-attachment questionnaires. MIT licence, see LICENSE.
//
// An instrument's raw answers keyed by the scoring rule (bowlby/rule.hpp) and streamed into the
// sufficient statistics of all its subscales at once (bowlby/item_statistics.hpp).
//
//     bowlby::instrument_accumulator acc(bowlby::instrument("ecr"), options);  // as in scoring
//     acc.add(chunk1);                                   // raw answers, N x 36
//     acc.add(chunk2);                                   // or merge() accumulators of shards
//     auto scales = bowlby::reliability(acc);            // bowlby/reliability.hpp
#pragma once

#include "bowlby/detail/score/plan.hpp"
#include "bowlby/detail/stats/halves.hpp"
#include "bowlby/detail/stats/signature.hpp"
#include "bowlby/error.hpp"
#include "bowlby/item_statistics.hpp"
#include "bowlby/key.hpp"
#include "bowlby/rule.hpp"

#include <Eigen/Core>

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace bowlby {

/// Streams an instrument's raw answers into the sufficient statistics of all its subscales
/// at once: each subscale's items, reverse keyed on the data's scale, with missing codes and
/// invalid answers handled as the scorer handles them (score_options). An item that belongs to
/// two subscales (RSQ item 6) is a column in each. Like std::string_view, it refers to the key
/// it is given: a questionnaire's key must outlive it (built-in keys always do).
class instrument_accumulator {
public:
    instrument_accumulator(const key_view& key, const score_options& options = {})
        : key_(key), plan_(detail::make_plan(key, options)) {
        std::vector<int> group;
        for (std::size_t s = 0; s < key.subscales.size(); ++s)
            for (int item : key.subscales[s].items) {
                group.push_back(static_cast<int>(s));
                source_.push_back(item - 1);
                reversed_.push_back(detail::contains(key.subscales[s].reversed, item));
            }
        acc_ = item_accumulator(static_cast<Eigen::Index>(group.size()), plan_.scale.midpoint(), group);
    }

    /// Adds N x n_items raw answers (as given to the scorer).
    template <class Derived>
    void add(const Eigen::MatrixBase<Derived>& answers) {
        using T = typename Derived::Scalar;
        const typename Eigen::internal::nested_eval<Derived, 1>::type x = answers.derived();
        if (x.cols() != plan_.n_items)
            throw shape_error("expected " + std::to_string(plan_.n_items) + " item columns, got " +
                              std::to_string(x.cols()));
        const auto m = static_cast<Eigen::Index>(source_.size());
        const double lo = plan_.scale.min, hi = plan_.scale.max;
        const bool integral = plan_.scale.integral;
        const bool codes = !plan_.missing_codes.empty();
        if constexpr (std::is_same_v<T, std::uint8_t>) {
            add_bytes(x);
            return;
        }
        keyed_.resize(x.rows(), m);
        keyed_in_halves_ = false;
        // Row by row (rows of the keyed matrix are contiguous); answers on the scale, the usual
        // case, are checked with two comparisons and, on whole-number scales, one rounding,
        // everything else by the general rules.
        for (Eigen::Index r = 0; r < x.rows(); ++r) {
            double* out = keyed_.row(r).data();
            for (Eigen::Index c = 0; c < m; ++c) {
                const Eigen::Index j = source_[static_cast<std::size_t>(c)];
                const bool rev = reversed_[static_cast<std::size_t>(c)];
                const T raw = x.coeff(r, j);
                const auto xv = static_cast<double>(raw);
                double v = std::numeric_limits<double>::quiet_NaN();
                if (!codes && xv >= lo && xv <= hi && (!integral || rule::is_whole(xv))) {
                    v = rule::keyed(xv, rev, plan_.scale);
                } else {
                    const rule::cell cl = rule::classify(raw, plan_.scale, plan_.missing_codes);
                    if (cl == rule::cell::answered)
                        v = rule::keyed(xv, rev, plan_.scale);
                    else if (cl != rule::cell::missing && plan_.on_invalid == invalid_policy::error)
                        rule::throw_invalid(plan_.scale, static_cast<std::size_t>(r), static_cast<std::size_t>(j), xv,
                                            cl);
                }
                out[c] = v;
            }
        }
        acc_.add(keyed_);
    }

    /// Adds another accumulator's data. Both must have the same key (instrument, items,
    /// subscales, reversed items) and the same scale in force (which reverse keys and shifts
    /// the answers); otherwise throws bowlby::option_error saying what differs. Missing codes
    /// and the invalid policy may differ: they decide which answers count, not what the sums mean.
    void merge(const instrument_accumulator& other) {
        const std::string differs = signature().difference(other.signature());
        if (!differs.empty()) throw option_error("instrument accumulators that cannot be merged: " + differs);
        acc_.merge(other.acc_);
    }

    /// The accumulator as bytes, to send a shard's statistics to another process or store them:
    /// a magic line, the format version, what the totals mean (the key and the scale in force)
    /// and the item accumulator's own bytes (item_accumulator::to_bytes); little-endian and the
    /// same on every platform.
    std::string to_bytes() const {
        std::string out(bytes_magic);
        detail::accumulator_totals::append_u64(out, bytes_version);
        signature().write(out);
        out += acc_.to_bytes();
        return out;
    }

    /// The accumulator that to_bytes() wrote, for this key and these options (which answers
    /// added later are read with). Throws bowlby::error for bytes of another format or version,
    /// and for bytes written with another key or scale in force (saying what differs). Like the
    /// constructor, it refers to `key`.
    static instrument_accumulator from_bytes(const key_view& key, const score_options& options, std::string_view in) {
        using T = detail::accumulator_totals;
        if (in.substr(0, bytes_magic.size()) != bytes_magic)
            throw error("not the bytes of a bowlby instrument accumulator (they start differently)");
        std::size_t at = bytes_magic.size();
        const std::uint64_t version = T::read_u64(in, at);
        if (version != bytes_version)
            throw error("instrument accumulator bytes of format version " + std::to_string(version) +
                        "; this bowlby reads " + std::to_string(bytes_version));
        instrument_accumulator out(key, options);
        const detail::accumulator_signature theirs = detail::accumulator_signature::read(in, at);
        const std::string differs = out.signature().difference(theirs);
        if (!differs.empty())
            throw error("instrument accumulator bytes written for another key or scale: " + differs +
                        " (this accumulator's, then the bytes')");
        out.acc_.merge(item_accumulator::from_bytes(in.substr(at)));
        return out;
    }
    const item_accumulator& items() const noexcept { return acc_; }
    const key_view& key() const noexcept { return key_; }
    /// The keyed answers of the last chunk added (rows x columns of all subscales, NaN =
    /// missing), as a new matrix.
    Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> last_keyed() const {
        if (!keyed_in_halves_) return keyed_;
        // Kept as halves, h = 2 (x - midpoint): x = h / 2 + midpoint, exactly.
        const double nan = std::numeric_limits<double>::quiet_NaN(), shift = acc_.shift();
        Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> out(halves_rows_, acc_.items());
        const std::int16_t* h = halves_.data();
        for (Eigen::Index r = 0; r < out.rows(); ++r)
            for (Eigen::Index c = 0; c < out.cols(); ++c, ++h)
                out(r, c) = *h == detail::missing_half ? nan : 0.5 * *h + shift;
        return out;
    }
    /// The columns of subscale s, as 1-based item numbers.
    std::vector<std::string> item_names(std::size_t s, const std::vector<std::string>& column_names = {}) const {
        std::vector<std::string> names;
        for (int item : key_.subscales[s].items) {
            const auto i = static_cast<std::size_t>(item - 1);
            if (i < column_names.size())
                names.push_back(column_names[i]);
            else if (!key_.item_names.empty())
                names.emplace_back(key_.item_names[i]);
            else
                names.push_back("item" + std::to_string(item));
        }
        return names;
    }

private:
    static constexpr std::string_view bytes_magic{"bowlby.instrument_accumulator\n"};
    static constexpr std::uint64_t bytes_version = 1;

    detail::accumulator_signature signature() const { return detail::accumulator_signature::of(key_, plan_.scale); }

    // Bytes: each of the 256 values is classified once (missing codes, scale), so a cell costs
    // a table look-up; the keyed values and errors are those of the general rules.
    template <class Matrix>
    void add_bytes(const Matrix& x) {
        const double nan = std::numeric_limits<double>::quiet_NaN();
        std::array<double, 512> value{};  // [2 b]: byte b as it is, [2 b + 1]: reverse keyed
        std::array<rule::cell, 256> kind{};
        bool any_invalid = false;
        for (std::size_t b = 0; b < 256; ++b) {
            kind[b] = rule::classify(static_cast<std::uint8_t>(b), plan_.scale, plan_.missing_codes);
            const bool answered = kind[b] == rule::cell::answered;
            const auto v = static_cast<double>(b);
            value[2 * b] = answered ? rule::keyed(v, false, plan_.scale) : nan;
            value[2 * b + 1] = answered ? rule::keyed(v, true, plan_.scale) : nan;
            any_invalid = any_invalid || (!answered && kind[b] != rule::cell::missing);
        }
        const bool check = any_invalid && plan_.on_invalid == invalid_policy::error;
        const auto m = static_cast<Eigen::Index>(source_.size());
        const std::vector<std::size_t> rev(reversed_.begin(), reversed_.end());
        // Where every answered byte is a small whole number of halves from the midpoint (any
        // questionnaire's scale), the keyed answers go to the accumulator as halves, as its
        // add() would turn their doubles into (detail::to_halves): the same sums.
        std::array<std::int16_t, 512> half{};
        bool halves =
            m <= detail::integer_moments_max_items && detail::integer_moments().load(std::memory_order_relaxed);
        for (std::size_t i = 0; i < 512 && halves; ++i) halves = detail::to_half(value[i], acc_.shift(), half[i]);
        keyed_in_halves_ = halves;
        // Keys every cell into `out` (rows m apart) from `table`, checking the invalid ones.
        const auto key_cells = [&](auto* out, const auto& table) {
            for (Eigen::Index r = 0; r < x.rows(); ++r, out += m)
                for (Eigen::Index c = 0; c < m; ++c) {
                    const Eigen::Index j = source_[static_cast<std::size_t>(c)];
                    const std::size_t b = x.coeff(r, j);
                    out[c] = table[2 * b + rev[static_cast<std::size_t>(c)]];
                    if (check && kind[b] != rule::cell::answered && kind[b] != rule::cell::missing)
                        rule::throw_invalid(plan_.scale, static_cast<std::size_t>(r), static_cast<std::size_t>(j),
                                            static_cast<double>(b), kind[b]);
                }
        };
        if (halves) {
            halves_rows_ = x.rows();
            halves_.resize(static_cast<std::size_t>(x.rows() * m));
            key_cells(halves_.data(), half);
            acc_.add_halves(halves_.data(), x.rows());
            return;
        }
        keyed_.resize(x.rows(), m);
        key_cells(keyed_.data(), value);
        acc_.add(keyed_);
    }

    key_view key_;
    detail::scoring_plan plan_;
    std::vector<Eigen::Index> source_;
    std::vector<bool> reversed_;
    item_accumulator acc_;
    // The last chunk's keyed answers: as doubles, or (bytes, keyed_in_halves_) as halves.
    Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> keyed_;
    std::vector<std::int16_t> halves_;
    Eigen::Index halves_rows_ = 0;
    bool keyed_in_halves_ = false;
};

}  // namespace bowlby
