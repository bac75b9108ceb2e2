// bowlby: scoring of adult-attachment questionnaires. MIT licence, see LICENSE.
//
// A streaming CSV reader (RFC 4180: quoted fields with "" escapes, embedded commas and line
// breaks; LF or CRLF line ends; an optional UTF-8 byte-order mark) and the number parsing
// the `bowlby` tool applies to answers. It reads from a std::istream in large blocks and
// holds one record at a time, so memory does not grow with the file.
//
//     std::ifstream in("answers.csv", std::ios::binary);
//     bowlby::csv::reader csv(in);
//     std::vector<std::string> fields;
//     while (csv.next(fields)) { /* csv.line() is where this record started */ }
#pragma once

#include "bowlby/error.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdlib>
#include <deque>
#include <istream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#if defined(__SSE2__) || defined(_M_X64)
#include <emmintrin.h>
#endif

namespace bowlby::csv {

/// Malformed CSV: a quote in the middle of an unquoted field, text after a closing quote,
/// or a quoted field still open at the end of the input. line() is 1-based.
class csv_error : public error {
public:
    csv_error(std::size_t line, const std::string& what)
        : error("line " + std::to_string(line) + ": " + what), line_(line) {}
    std::size_t line() const noexcept { return line_; }

private:
    std::size_t line_;
};

namespace detail {
// How many bytes of [p, p + n) equal c: sixteen at a time where SSE2 is available (a plain
// std::count widens every comparison to a 64-bit sum).
inline std::size_t count_byte(const char* p, std::size_t n, char c) {
    std::size_t count = 0, i = 0;
#if defined(__SSE2__) || defined(_M_X64)
    const __m128i want = _mm_set1_epi8(c);
    while (n - i >= 16) {
        // Up to 255 vectors counted in byte lanes, then summed.
        const std::size_t vectors = std::min<std::size_t>((n - i) / 16, 255);
        __m128i lanes = _mm_setzero_si128();
        for (std::size_t k = 0; k < vectors; ++k, i += 16)
            lanes = _mm_sub_epi8(lanes, _mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i)), want));
        const __m128i sums = _mm_sad_epu8(lanes, _mm_setzero_si128());
        count +=
            static_cast<std::size_t>(_mm_cvtsi128_si32(sums)) + static_cast<std::size_t>(_mm_extract_epi16(sums, 4));
    }
#endif
    for (; i < n; ++i) count += p[i] == c;
    return count;
}
}  // namespace detail

/// Reads a stream in blocks of whole records, for parsing blocks in parallel: each block
/// ends at the end of a record (a line break outside quotes) or at the end of the input, and
/// a UTF-8 byte-order mark at the start is dropped. Memory is one block plus the longest
/// record.
///
///     bowlby::csv::block_reader blocks(in);
///     std::string block;
///     while (blocks.next(block)) { bowlby::csv::splitter records(block, blocks.first_line()); ... }
class block_reader {
public:
    /// `max_record`: the longest record accepted, in bytes (0: no limit). A longer one is a
    /// csv_error as soon as that many bytes have been read without its end, so that memory
    /// stays bounded on input that is not line-oriented.
    explicit block_reader(std::istream& in, std::size_t block_size = std::size_t{1} << 20, std::size_t max_record = 0)
        : in_(in), block_size_(block_size < 64 ? 64 : block_size), max_record_(max_record) {}

    /// The next block (at least one record, or what is left at the end of the input).
    /// Returns false at the end of the input.
    bool next(std::string& block) {
        block.swap(carry_);
        carry_.clear();
        first_line_ = next_line_;
        // block[0, scanned) has been scanned: `cut` is its last line break outside quotes and
        // `in_quotes` the quote state after it. A block starts outside quotes.
        std::size_t scanned = 0, cut = std::string::npos;
        bool in_quotes = false;
        for (;;) {
            if (!in_quotes && block.find('"', scanned) == std::string::npos) {
                const std::size_t nl = block.rfind('\n');
                if (nl != std::string::npos && nl >= scanned) cut = nl;
            } else {
                for (std::size_t i = scanned; i < block.size(); ++i) {
                    if (block[i] == '"')
                        in_quotes = !in_quotes;
                    else if (block[i] == '\n' && !in_quotes)
                        cut = i;
                }
            }
            scanned = block.size();
            if (cut != std::string::npos && block.size() >= block_size_) break;
            if (cut == std::string::npos && max_record_ != 0 && block.size() > max_record_)
                throw csv_error(first_line_, "a record longer than " + std::to_string(max_record_) +
                                                 " bytes (no line break ends it)");
            if (!fill(block)) {  // the end of the input: the whole rest is the last block
                cut = std::string::npos;
                break;
            }
        }
        if (cut != std::string::npos) {
            carry_.assign(block, cut + 1, std::string::npos);
            block.resize(cut + 1);
        }
        next_line_ += detail::count_byte(block.data(), block.size(), '\n');
        return !block.empty();
    }

    /// 1-based line number of the first character of the last block returned.
    std::size_t first_line() const noexcept { return first_line_; }

private:
    // Appends up to block_size bytes of input; false when nothing was left.
    bool fill(std::string& block) {
        if (!in_) return false;
        const std::size_t old = block.size();
        block.resize(old + block_size_);
        in_.read(&block[old], static_cast<std::streamsize>(block_size_));
        const auto got = static_cast<std::size_t>(in_.gcount());
        block.resize(old + got);
        if (first_read_ && got > 0) {
            first_read_ = false;
            if (block.size() >= 3 && block.compare(0, 3, "\xEF\xBB\xBF") == 0) block.erase(0, 3);
        }
        return got > 0;
    }

    std::istream& in_;
    std::size_t block_size_;
    std::size_t max_record_;
    std::string carry_;
    bool first_read_ = true;
    std::size_t first_line_ = 1, next_line_ = 1;
};

/// Splits the records of a block of CSV text (RFC 4180) into fields without copying them:
/// the views point into the block, except for quoted fields holding a doubled quote (or a CR
/// after the closing quote, kept as the reader always did), which point into the splitter's
/// own storage (valid until the next call). Empty lines are skipped; LF and CRLF end a record.
class splitter {
public:
    explicit splitter(std::string_view text, std::size_t first_line = 1, char delimiter = ',')
        : s_(text), delim_(delimiter), line_(first_line) {}

    /// The next record's fields; false at the end of the text. Throws csv_error on
    /// malformed CSV, naming the line.
    bool next(std::vector<std::string_view>& fields) {
        fields.clear();
        std::size_t unescaped = 0;
        while (pos_ < s_.size() && (s_[pos_] == '\n' || s_[pos_] == '\r')) {
            if (s_[pos_] == '\n') ++line_;
            ++pos_;
        }
        if (pos_ >= s_.size()) return false;
        record_line_ = line_;
        const char* const data = s_.data();
        const std::size_t n = s_.size();
        for (;;) {
            std::size_t i = pos_;
            if (i < n && data[i] == '"') {
                // A quoted field: up to the closing quote, "" standing for one quote.
                std::size_t start = ++i;
                bool copy = false;  // the field needs its own storage
                for (;;) {
                    if (i >= n)
                        throw csv_error(record_line_, "a quoted field is not closed before the end of the file");
                    const char c = data[i];
                    if (c == '"') {
                        if (i + 1 < n && data[i + 1] == '"') {
                            copy = true;
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    if (c == '\n') ++line_;
                    ++i;
                }
                std::string_view field(data + start, i - start);
                ++i;  // past the closing quote
                // A CR after the closing quote that does not end the line is kept, with what
                // follows it up to the delimiter, as part of the field.
                std::size_t j = i;
                if (j < n && data[j] == '\r' && j + 1 < n && data[j + 1] != '\n') {
                    j = scan_unquoted(j + 1);
                    copy = true;
                } else if (j < n && data[j] != delim_ && data[j] != '\n' && data[j] != '\r') {
                    throw csv_error(line_, "text after the closing quote of a quoted field");
                }
                if (copy) {
                    if (unescaped == store_.size()) store_.emplace_back();
                    std::string& f = store_[unescaped++];
                    f.clear();
                    for (std::size_t k = 0; k < field.size(); ++k) {
                        f.push_back(field[k]);
                        if (field[k] == '"') ++k;
                    }
                    f.append(data + i, j - i);
                    field = f;
                }
                fields.push_back(field);
                if (end_field(j, fields)) return true;
                continue;
            }
            const std::size_t j = scan_unquoted(i);
            fields.emplace_back(data + i, j - i);
            if (end_field(j, fields)) return true;
        }
    }

    /// 1-based line on which the last record returned by next() started.
    std::size_t line() const noexcept { return record_line_; }
    /// Offset in the text where the next record starts, and its 1-based line.
    std::size_t position() const noexcept { return pos_; }
    std::size_t next_line() const noexcept { return line_; }

private:
    // The end of an unquoted field starting at i: the delimiter, LF, CR LF or CR at the end of
    // the text. A CR not followed by LF belongs to the field.
    std::size_t scan_unquoted(std::size_t j) const {
        const char* const data = s_.data();
        const std::size_t n = s_.size();
        for (; j < n; ++j) {
            const char c = data[j];
            if (c == delim_ || c == '\n') break;
            if (c == '\r' && (j + 1 >= n || data[j + 1] == '\n')) break;
            if (c == '"')
                throw csv_error(line_, "a quote inside an unquoted field (quote the whole field and double the quote)");
        }
        return j;
    }

    // After a field ending at j: true at the end of the record (position moved past it), false
    // when another field follows (position at its start).
    bool end_field(std::size_t j, std::vector<std::string_view>& fields) {
        const std::size_t n = s_.size();
        if (j >= n) {
            pos_ = j;
            return true;
        }
        const char c = s_[j];
        if (c == delim_) {
            pos_ = j + 1;
            if (pos_ >= n) {
                fields.emplace_back();
                return true;
            }
            return false;
        }
        if (c == '\n') {
            ++line_;
            pos_ = j + 1;
        } else {  // CR LF, or CR at the end
            if (j + 1 < n) ++line_;
            pos_ = j + 2;
        }
        return true;
    }

    std::string_view s_;
    char delim_;
    std::size_t pos_ = 0;
    std::size_t line_;
    std::size_t record_line_ = 0;
    std::deque<std::string> store_;  // stable addresses as it grows
};

/// Reads a stream record by record (block_reader and splitter underneath):
///
///     std::ifstream in("answers.csv", std::ios::binary);
///     bowlby::csv::reader csv(in);
///     std::vector<std::string> fields;
///     while (csv.next(fields)) { /* csv.line() is where this record started */ }
class reader {
public:
    explicit reader(std::istream& in, char delimiter = ',') : blocks_(in, std::size_t{1} << 16), delim_(delimiter) {}

    /// Reads the next record into `fields` (reusing its strings' storage). Returns false at
    /// the end of the input. Empty lines are skipped.
    bool next(std::vector<std::string>& fields) {
        for (;;) {
            if (split_ && split_->next(views_)) {
                fields.resize(views_.size());
                for (std::size_t i = 0; i < views_.size(); ++i) fields[i].assign(views_[i].data(), views_[i].size());
                return true;
            }
            if (!blocks_.next(block_)) {
                fields.clear();
                return false;
            }
            split_.emplace(block_, blocks_.first_line(), delim_);
        }
    }

    /// 1-based line on which the last record returned by next() started.
    std::size_t line() const noexcept { return split_ ? split_->line() : 0; }

private:
    block_reader blocks_;
    char delim_;
    std::string block_;
    std::optional<splitter> split_;
    std::vector<std::string_view> views_;
};

/// How a CSV cell reads as an answer.
enum class cell_kind { number, missing, text };

/// Reads a cell as an answer: an empty cell, `NA` and `.` are missing (R's and SPSS's
/// conventions); a number (surrounding blanks allowed) is a number; anything else is text,
/// which the caller treats as invalid.
inline cell_kind parse_answer(std::string_view s, double& value) {
    if (s.size() == 1 && s[0] >= '0' && s[0] <= '9') {  // the usual answer: one digit
        value = s[0] - '0';
        return cell_kind::number;
    }
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    if (s.empty() || s == "NA" || s == ".") return cell_kind::missing;
    if (s.front() == '+') {
        s.remove_prefix(1);
        if (s.empty() || s.front() == '-') return cell_kind::text;
    }
    // Whole numbers of up to 9 digits, the usual answer, without general-purpose float parsing.
    if (s.size() <= 10) {
        const bool negative = s.front() == '-';
        std::size_t i = negative ? 1 : 0;
        if (i < s.size()) {
            long whole = 0;
            while (i < s.size() && s[i] >= '0' && s[i] <= '9') whole = whole * 10 + (s[i++] - '0');
            if (i == s.size() && s.size() - (negative ? 1 : 0) <= 9) {
                value = static_cast<double>(negative ? -whole : whole);
                return cell_kind::number;
            }
        }
    }
#if defined(__cpp_lib_to_chars) && __cpp_lib_to_chars >= 201611L
    const char* end = s.data() + s.size();
    const auto res = std::from_chars(s.data(), end, value);
    if (res.ec != std::errc() || res.ptr != end) return cell_kind::text;
#else
    // Without floating-point from_chars (LLVM 14's libc++): strtod on a copy, decimal numbers only.
    const std::string copy(s);
    if (copy.find_first_not_of("0123456789+-.eE") != std::string::npos) return cell_kind::text;
    char* end = nullptr;
    value = std::strtod(copy.c_str(), &end);
    if (end != copy.c_str() + copy.size()) return cell_kind::text;
#endif
    return cell_kind::number;
}

}  // namespace bowlby::csv
