#include "input.hpp"

#include <bowlby/detail/format.hpp>
#include <bowlby/detail/row_kernel.hpp>

#if defined(__SSE2__) || defined(_M_X64)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <cmath>
#include <cstring>
#include <iostream>
#include <limits>
#include <type_traits>

namespace bowlby_cli {

answer_reader::answer_reader(const std::string& path, const std::string& items_spec, std::size_t n_items,
                             const std::string& what)
    : path_(path) {
    std::istream* in = &std::cin;
    if (path != "-") {
        file_.open(path, std::ios::binary);
        if (!file_) throw data_error("cannot open '" + path + "'");
        in = &file_;
    }
    blocks_ = std::make_unique<bowlby::csv::block_reader>(
        *in, std::size_t{1} << 19);  // 512 KiB blocks: memory is a few blocks per thread
    try {
        std::string block;
        if (!blocks_->next(block)) throw data_error(path + ": the file is empty; a header row is needed");
        bowlby::csv::splitter split(block, blocks_->first_line());
        std::vector<std::string_view> fields;
        if (!split.next(fields)) throw data_error(path + ": the file is empty; a header row is needed");
        header_.assign(fields.begin(), fields.end());
        first_ = block.substr(split.position());
        first_line_ = split.next_line();
        first_pending_ = true;
    } catch (const bowlby::csv::csv_error& e) {
        throw data_error(path + ", " + e.what());
    }
    if (!items_spec.empty()) {
        item_cols_ = resolve_columns(items_spec, header_, "--items");
        if (n_items != 0 && item_cols_.size() != n_items)
            throw usage_error("--items names " + std::to_string(item_cols_.size()) + " columns, but " + what + " has " +
                              std::to_string(n_items) + " items");
    } else if (header_.size() == n_items) {
        for (std::size_t i = 0; i < n_items; ++i) item_cols_.push_back(i);
    } else {
        throw usage_error(path + " has " + std::to_string(header_.size()) + " columns and " + what + " has " +
                          std::to_string(n_items) + " items: name the item columns with --items (for example --items " +
                          header_.front() + ":...); the columns are: " + join_header(header_));
    }
}

std::vector<std::string> answer_reader::item_names() const {
    std::vector<std::string> names;
    for (std::size_t c : item_cols_) names.push_back(header_[c]);
    return names;
}

bool answer_reader::next_block(std::string& text, std::size_t& first_line) {
    if (first_pending_) {
        first_pending_ = false;
        text.swap(first_);
        first_line = first_line_;
        if (!text.empty()) return true;
    }
    if (!blocks_->next(text)) return false;
    first_line = blocks_->first_line();
    return true;
}

#if defined(__SSE2__) || defined(_M_X64)
namespace {
// Up to n (8 or 4) one-digit answers, each followed by a comma (the last by a line break when
// `ends_line`), at p: returns how many of the n cells from p are such answers before the
// first that is not, and writes n values to out (doubles or bytes; those from that cell on
// are meaningless, for the caller to overwrite). Reads 2n bytes.
template <int n, class T>
int digit_run(const char* p, bool ends_line, T* out) {
    static_assert(n == 8 || n == 4);
    const __m128i v = n == 8 ? _mm_loadu_si128(reinterpret_cast<const __m128i*>(p))
                             : _mm_loadl_epi64(reinterpret_cast<const __m128i*>(p));
    const __m128i nine = _mm_set1_epi8(9);
    const __m128i t = _mm_sub_epi8(v, _mm_set1_epi8('0'));
    const __m128i digit = _mm_cmpeq_epi8(_mm_max_epu8(t, nine), nine);  // '0'..'9'
    // Odd bytes: commas, and a line break at the end when the run ends the record.
    const __m128i sep = ends_line
                            ? (n == 8 ? _mm_set_epi8('\n', 0, ',', 0, ',', 0, ',', 0, ',', 0, ',', 0, ',', 0, ',', 0)
                                      : _mm_set_epi8(0, 0, 0, 0, 0, 0, 0, 0, '\n', 0, ',', 0, ',', 0, ',', 0))
                            : _mm_set1_epi8(',');
    const __m128i odd = _mm_set1_epi16(static_cast<short>(0xFF00));
    const __m128i good = _mm_or_si128(_mm_andnot_si128(odd, digit), _mm_and_si128(odd, _mm_cmpeq_epi8(v, sep)));
    // Cells answered up to the first bad byte (a bit per byte, two bytes a cell).
    const unsigned bad = ~static_cast<unsigned>(_mm_movemask_epi8(good)) | (n == 8 ? 0x10000u : 0x100u);
    const int cells = bowlby::detail::lowest_bit(bad) / 2;
    if (cells == 0) return 0;
    const __m128i w = _mm_andnot_si128(odd, t);  // the digits, as 16-bit numbers
    if constexpr (std::is_same_v<T, std::uint8_t>) {
        const __m128i packed = _mm_packus_epi16(w, w);
        if constexpr (n == 8) {
            _mm_storel_epi64(reinterpret_cast<__m128i*>(out), packed);
        } else {
            const int four = _mm_cvtsi128_si32(packed);
            std::memcpy(out, &four, 4);
        }
    } else {
        const __m128i zero = _mm_setzero_si128();
        const __m128i lo = _mm_unpacklo_epi16(w, zero);
        _mm_storeu_pd(out, _mm_cvtepi32_pd(lo));
        _mm_storeu_pd(out + 2, _mm_cvtepi32_pd(_mm_shuffle_epi32(lo, 0x0E)));
        if constexpr (n == 8) {
            const __m128i hi = _mm_unpackhi_epi16(w, zero);
            _mm_storeu_pd(out + 4, _mm_cvtepi32_pd(hi));
            _mm_storeu_pd(out + 6, _mm_cvtepi32_pd(_mm_shuffle_epi32(hi, 0x0E)));
        }
    }
    return cells;
}
}  // namespace
#endif

// The usual block: no quotes and no carriage returns, so that a record is a line and a field
// ends at the next comma. Cells go straight from the text into the matrix (doubles, or bytes:
// T = std::uint8_t), one-digit answers without a call. Anything unusual (a field count that
// differs from the header's, text where a number belongs) returns `general` before anything
// is reported, and the block is parsed again by the general code, which says what is wrong;
// so both give the same rows, lines and errors. Into bytes, an answer that is no whole number
// from 0 to 254 returns `not_bytes`.
template <class T>
answer_reader::plain_result answer_reader::parse_plain(const std::string& text, std::size_t first_line, T* answers,
                                                       Eigen::Index stride, parsed_rows& out) const {
    constexpr bool bytes = std::is_same_v<T, std::uint8_t>;
    if (text.find('"') != std::string::npos || text.find('\r') != std::string::npos) return plain_result::general;
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const std::size_t n_fields = header_.size();
    // Per field: the item it holds (-1: none) and whether a kept column is in it.
    std::vector<int> item_of(n_fields, -1);
    std::vector<char> kept_field(n_fields, 0);
    for (std::size_t j = 0; j < item_cols_.size(); ++j) item_of[item_cols_[j]] = static_cast<int>(j);
    for (std::size_t c : keep_cols_) kept_field[c] = 1;
    // Per field: how many fields from it on hold consecutive items and are not kept, so that a
    // run of one-digit answers can be checked and converted a vector at a time.
    std::vector<std::size_t> run(n_fields + 1, 0);
    for (std::size_t f = n_fields; f-- > 0;)
        if (item_of[f] >= 0 && !kept_field[f])
            run[f] = f + 1 < n_fields && item_of[f + 1] == item_of[f] + 1 ? run[f + 1] + 1 : 1;
    std::vector<std::string_view> kept_views(n_fields);
    const char* p = text.data();
    const char* const end = p + text.size();
    std::size_t line = first_line;
    Eigen::Index r = 0;
    while (p < end) {
        if (*p == '\n') {  // an empty line
            ++line;
            ++p;
            continue;
        }
        T* row = answers + r * stride;
        std::size_t f = 0;
        for (;;) {
#if defined(__SSE2__) || defined(_M_X64)
            // Runs of one-digit answers; the run's last separator is consumed unless it ends
            // the record (left for the code below, as a field's end).
            // A run that stops short (at an empty cell, say) leaves that cell to the code below.
            if (f < n_fields && run[f] >= 4) {
                const bool eight = run[f] >= 8 && end - p >= 16;
                if (eight || end - p >= 8) {
                    const std::size_t n = eight ? 8 : 4;
                    const bool ends = f + n == n_fields;
                    const auto k = static_cast<std::size_t>(eight ? digit_run<8>(p, ends, row + item_of[f])
                                                                  : digit_run<4>(p, ends, row + item_of[f]));
                    f += k;
                    if (k == n && ends) {
                        p += 2 * n - 1;
                        break;
                    }
                    p += 2 * k;
                    if (k == n) continue;
                }
            }
#endif
            const char* start = p;
            // One digit and the field's end: the usual answer.
            const char* stop = p + 1 < end && *p >= '0' && *p <= '9' && (p[1] == ',' || p[1] == '\n') ? p + 1 : nullptr;
            if (!stop) {
                stop = p;
                while (stop < end && *stop != ',' && *stop != '\n') ++stop;
            }
            if (f >= n_fields) return plain_result::general;
            if (const int j = item_of[f]; j >= 0) {
                const bool one_digit = stop == start + 1 && *start >= '0' && *start <= '9';
                double v = nan;  // an empty cell is missing
                if (one_digit)
                    v = *start - '0';
                else if (stop != start &&
                         bowlby::csv::parse_answer(std::string_view(start, static_cast<std::size_t>(stop - start)),
                                                   v) == bowlby::csv::cell_kind::text)
                    return plain_result::general;
                if constexpr (bytes) {
                    if (one_digit)
                        row[j] = static_cast<std::uint8_t>(*start - '0');
                    else if (std::isnan(v))
                        row[j] = parsed_rows::missing_byte;
                    else if (v >= 0 && v < parsed_rows::missing_byte && v == std::floor(v) && !std::signbit(v))
                        row[j] = static_cast<std::uint8_t>(v);
                    else
                        return plain_result::not_bytes;
                } else {
                    row[j] = v;
                }
            }
            if (kept_field[f]) kept_views[f] = std::string_view(start, static_cast<std::size_t>(stop - start));
            ++f;
            p = stop;
            if (p >= end || *p == '\n') break;
            ++p;  // the comma
        }
        if (f != n_fields) return plain_result::general;
        out.lines.push_back(line);
        for (std::size_t c : keep_cols_) out.kept.emplace_back(kept_views[c]);
        ++r;
        if (p < end) {  // the line break
            ++p;
            ++line;
        }
    }
    const auto n_items = static_cast<Eigen::Index>(item_cols_.size());
    if constexpr (bytes)
        out.bytes.conservativeResize(r, n_items);
    else
        out.answers.conservativeResize(r, n_items);
    return plain_result::done;
}

void answer_reader::parse(const std::string& text, std::size_t first_line, bowlby::invalid_policy policy,
                          parsed_rows& out) const {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const auto n_items = static_cast<Eigen::Index>(item_cols_.size());
    out.keep = keep_cols_.size();
    // A record of the header's n fields takes at least n bytes (n - 1 commas and its end), the
    // last one n - 1: so there are at most size / n + 1 records. The matrix is trimmed at the
    // end (memory reserved for rows never written is not touched).
    const auto max_rows = static_cast<Eigen::Index>(text.size() / std::max<std::size_t>(header_.size(), 1) + 1);
    out.in_bytes = false;
    out.lines.clear();
    out.kept.clear();
    out.lines.reserve(static_cast<std::size_t>(max_rows));
    out.kept.reserve(static_cast<std::size_t>(max_rows) * keep_cols_.size());
    plain_result plain = plain_result::not_bytes;
    if (allow_bytes_ && try_bytes_.load(std::memory_order_relaxed)) {
        out.bytes.resize(max_rows, n_items);
        plain = parse_plain(text, first_line, out.bytes.data(), n_items, out);
        if (plain == plain_result::done) {
            out.in_bytes = true;
            return;
        }
        out.bytes.resize(0, n_items);
        out.lines.clear();
        out.kept.clear();
        if (plain == plain_result::not_bytes) try_bytes_.store(false, std::memory_order_relaxed);
    }
    out.answers.resize(max_rows, n_items);
    if (plain == plain_result::not_bytes &&
        parse_plain(text, first_line, out.answers.data(), n_items, out) == plain_result::done)
        return;
    out.answers.resize(max_rows, n_items);
    out.lines.clear();
    out.kept.clear();
    bowlby::csv::splitter split(text, first_line);
    std::vector<std::string_view> fields;
    Eigen::Index r = 0;
    try {
        while (split.next(fields)) {
            if (fields.size() != header_.size())
                throw data_error(path_ + ", line " + std::to_string(split.line()) + ": " +
                                 std::to_string(fields.size()) + " fields, but the header has " +
                                 std::to_string(header_.size()));
            out.lines.push_back(split.line());
            double* row = out.answers.row(r).data();
            for (std::size_t j = 0; j < item_cols_.size(); ++j) {
                const std::string_view cell = fields[item_cols_[j]];
                double v = nan;
                if (bowlby::csv::parse_answer(cell, v) == bowlby::csv::cell_kind::text) {
                    if (policy == bowlby::invalid_policy::error)
                        throw data_error(path_ + ", line " + std::to_string(split.line()) + ", column " +
                                         header_[item_cols_[j]] + ": value '" + std::string(cell) +
                                         "' is not a number");
                    ++out.text_invalid;
                    v = nan;
                }
                row[j] = v;
            }
            for (std::size_t c : keep_cols_) out.kept.emplace_back(fields[c]);
            ++r;
        }
    } catch (const bowlby::csv::csv_error& e) {
        throw data_error(path_ + ", " + e.what());
    }
    out.answers.conservativeResize(r, n_items);
}

data_error answer_reader::describe(const bowlby::invalid_response& e, const parsed_rows& rows) const {
    return data_error(path_ + ", line " + std::to_string(rows.lines[e.row()]) + ", column " +
                      header_[item_cols_[e.item()]] + ": value " + bowlby::detail::format_number(e.value()) + " " +
                      e.reason());
}

}  // namespace bowlby_cli
