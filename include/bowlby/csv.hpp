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

#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdlib>
#include <istream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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

class reader {
public:
    explicit reader(std::istream& in, char delimiter = ',') : in_(in), delim_(delimiter), buffer_(1 << 16) {}

    /// Reads the next record into `fields` (reusing its strings' storage). Returns false at
    /// the end of the input. Empty lines are skipped.
    bool next(std::vector<std::string>& fields) {
        std::size_t n = 0;
        quoted_field_ = false;
        auto field = [&]() -> std::string& {
            if (n == fields.size()) fields.emplace_back();
            std::string& f = fields[n++];
            f.clear();
            return f;
        };
        int c = get();
        while (c == '\n' || c == '\r') {  // blank lines between records
            if (c == '\n') ++line_;
            c = get();
        }
        if (c == eof) {
            fields.resize(0);
            return false;
        }
        record_line_ = line_;
        std::string* f = &field();
        for (;;) {
            if (c == '"' && f->empty() && !quoted_field_) {
                quoted_field_ = true;
                for (;;) {
                    c = get();
                    if (c == eof)
                        throw csv_error(record_line_, "a quoted field is not closed before the end of the file");
                    if (c == '"') {
                        c = get();
                        if (c == '"') {
                            f->push_back('"');
                            continue;
                        }
                        break;  // closing quote; c is the character after it
                    }
                    if (c == '\n') ++line_;
                    f->push_back(static_cast<char>(c));
                }
                if (c != delim_ && c != '\n' && c != '\r' && c != eof)
                    throw csv_error(line_, "text after the closing quote of a quoted field");
                continue;
            }
            if (c == delim_) {
                f = &field();
                quoted_field_ = false;
            } else if (c == '\n' || c == eof) {
                if (c == '\n') ++line_;
                break;
            } else if (c == '\r') {
                const int d = get();
                if (d == '\n' || d == eof) {
                    if (d == '\n') ++line_;
                    break;
                }
                f->push_back('\r');
                c = d;
                continue;
            } else if (c == '"') {
                throw csv_error(line_, "a quote inside an unquoted field (quote the whole field and double the quote)");
            } else {
                f->push_back(static_cast<char>(c));
            }
            c = get();
        }
        quoted_field_ = false;
        fields.resize(n);
        return true;
    }

    /// 1-based line on which the last record returned by next() started.
    std::size_t line() const noexcept { return record_line_; }

private:
    static constexpr int eof = -1;

    int get() {
        if (pos_ == end_) {
            if (!in_) return eof;
            in_.read(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
            end_ = static_cast<std::size_t>(in_.gcount());
            pos_ = 0;
            if (end_ == 0) return eof;
            if (first_block_) {
                first_block_ = false;
                if (end_ >= 3 && buffer_[0] == '\xEF' && buffer_[1] == '\xBB' && buffer_[2] == '\xBF') pos_ = 3;
                if (pos_ == end_) return get();
            }
        }
        return static_cast<unsigned char>(buffer_[pos_++]);
    }

    std::istream& in_;
    char delim_;
    std::vector<char> buffer_;
    std::size_t pos_ = 0;
    std::size_t end_ = 0;
    bool first_block_ = true;
    bool quoted_field_ = false;
    std::size_t line_ = 1;
    std::size_t record_line_ = 0;
};

/// How a CSV cell reads as an answer.
enum class cell_kind { number, missing, text };

/// Reads a cell as an answer: an empty cell, `NA` and `.` are missing (R's and SPSS's
/// conventions); a number (surrounding blanks allowed) is a number; anything else is text,
/// which the caller treats as invalid.
inline cell_kind parse_answer(std::string_view s, double& value) {
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
