// The CSV reader against RFC 4180 cases, and the reading of answer cells.
#include <bowlby/csv.hpp>

#include <doctest/doctest.h>

#include <sstream>
#include <string>
#include <vector>

namespace {
using rows = std::vector<std::vector<std::string>>;
rows read_all(const std::string& text, std::vector<std::size_t>* lines = nullptr) {
    std::istringstream in(text);
    bowlby::csv::reader r(in);
    rows out;
    std::vector<std::string> fields;
    while (r.next(fields)) {
        out.push_back(fields);
        if (lines) lines->push_back(r.line());
    }
    return out;
}
}  // namespace

TEST_CASE("plain records - LF and CRLF - with and without a final line break") {
    CHECK(read_all("a,b\n1,2\n") == rows{{"a", "b"}, {"1", "2"}});
    CHECK(read_all("a,b\r\n1,2\r\n") == rows{{"a", "b"}, {"1", "2"}});
    CHECK(read_all("a,b\r\n1,2") == rows{{"a", "b"}, {"1", "2"}});
    CHECK(read_all("a,,b,\n") == rows{{"a", "", "b", ""}});
    CHECK(read_all("") == rows{});
}

TEST_CASE("quoted fields: delimiters - doubled quotes - line breaks") {
    CHECK(read_all("\"a,b\",\"say \"\"hi\"\"\",\"\"\n") == rows{{"a,b", "say \"hi\"", ""}});
    std::vector<std::size_t> lines;
    CHECK(read_all("h\n\"two\nlines\",x\nlast,y\n", &lines) == rows{{"h"}, {"two\nlines", "x"}, {"last", "y"}});
    CHECK(lines == std::vector<std::size_t>{1, 2, 4});
    CHECK(read_all("\"a\r\nb\"\r\n") == rows{{"a\r\nb"}});
}

TEST_CASE("a UTF-8 byte-order mark is dropped - blank lines are skipped") {
    CHECK(read_all("\xEF\xBB\xBFid,Q1\n1,2\n") == rows{{"id", "Q1"}, {"1", "2"}});
    std::vector<std::size_t> lines;
    CHECK(read_all("a\n\n\nb\n", &lines) == rows{{"a"}, {"b"}});
    CHECK(lines == std::vector<std::size_t>{1, 4});
}

TEST_CASE("malformed quoting is an error that names the line") {
    CHECK_THROWS_WITH_AS(read_all("a\n\"open,b\n"), "line 2: a quoted field is not closed before the end of the file",
                         bowlby::csv::csv_error);
    CHECK_THROWS_WITH_AS(read_all("a\n\"x\"y,b\n"), "line 2: text after the closing quote of a quoted field",
                         bowlby::csv::csv_error);
    CHECK_THROWS_AS(read_all("a\nx\"y\n"), bowlby::csv::csv_error);
}

TEST_CASE("a record longer than the read buffer") {
    std::string big(200000, 'x');
    CHECK(read_all("h\n" + big + ",1\n") == rows{{"h"}, {big, "1"}});
}

TEST_CASE("answer cells: numbers - missing spellings - text") {
    double v = 0;
    using bowlby::csv::cell_kind;
    CHECK(bowlby::csv::parse_answer("5", v) == cell_kind::number);
    CHECK(v == 5);
    CHECK(bowlby::csv::parse_answer(" 2.5 ", v) == cell_kind::number);
    CHECK(v == 2.5);
    CHECK(bowlby::csv::parse_answer("+3", v) == cell_kind::number);
    CHECK(v == 3);
    CHECK(bowlby::csv::parse_answer("-1", v) == cell_kind::number);
    CHECK(v == -1);
    CHECK(bowlby::csv::parse_answer("", v) == cell_kind::missing);
    CHECK(bowlby::csv::parse_answer("NA", v) == cell_kind::missing);
    CHECK(bowlby::csv::parse_answer(".", v) == cell_kind::missing);
    CHECK(bowlby::csv::parse_answer("  ", v) == cell_kind::missing);
    CHECK(bowlby::csv::parse_answer("abc", v) == cell_kind::text);
    CHECK(bowlby::csv::parse_answer("4x", v) == cell_kind::text);
    CHECK(bowlby::csv::parse_answer("+-3", v) == cell_kind::text);
    CHECK(bowlby::csv::parse_answer("-", v) == cell_kind::text);
    CHECK(bowlby::csv::parse_answer("123456789", v) == cell_kind::number);
    CHECK(v == 123456789);
    CHECK(bowlby::csv::parse_answer("12345678901", v) == cell_kind::number);  // past the fast path
    CHECK(v == 12345678901.0);
    CHECK(bowlby::csv::parse_answer("-0", v) == cell_kind::number);
    CHECK(v == 0);
    CHECK(bowlby::csv::parse_answer("+", v) == cell_kind::text);
}
