// The CSV reader against RFC 4180 cases, and the reading of answer cells.
#include <bowlby/csv.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
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

TEST_CASE("blocks of whole records: the same records and lines whatever the block size") {
    // 400 records whose fields hold quotes, delimiters and line breaks inside quotes, written
    // here from known contents, then read back in blocks of 64 bytes (the least), 100 bytes and
    // 1 MiB. Each record i is: i, "say ""i""", "two\nlines" (every third record), x.
    std::string text = "\xEF\xBB\xBFn,quote,multi,last\r\n";
    rows expected{{"n", "quote", "multi", "last"}};
    std::vector<std::size_t> expected_lines{1};
    std::size_t line = 2;
    for (int i = 0; i < 400; ++i) {
        const std::string n = std::to_string(i);
        const bool two = i % 3 == 0;
        text += n + ",\"say \"\"" + n + "\"\"\"," + (two ? "\"two\nlines\"" : "one") + ",x" + (i % 2 ? "\r\n" : "\n");
        if (i % 50 == 0) text += "\n";  // a blank line between records
        expected.push_back({n, "say \"" + n + "\"", two ? "two\nlines" : "one", "x"});
        expected_lines.push_back(line);
        line += (two ? 2 : 1) + (i % 50 == 0 ? 1 : 0);
    }
    for (std::size_t block_size : {std::size_t{64}, std::size_t{100}, std::size_t{1} << 20}) {
        CAPTURE(block_size);
        std::istringstream in(text);
        bowlby::csv::block_reader blocks(in, block_size);
        std::string block;
        rows got;
        std::vector<std::size_t> lines;
        std::size_t n_blocks = 0;
        while (blocks.next(block)) {
            ++n_blocks;
            // Every block but the last ends a record.
            CHECK(block.back() == '\n');
            bowlby::csv::splitter split(block, blocks.first_line());
            std::vector<std::string_view> f;
            while (split.next(f)) {
                got.emplace_back(f.begin(), f.end());
                lines.push_back(split.line());
            }
        }
        CHECK(got == expected);
        CHECK(lines == expected_lines);
        if (block_size < 1000) CHECK(n_blocks > 50);
    }
    // The record reader gives the same.
    std::vector<std::size_t> lines;
    CHECK(read_all(text, &lines) == expected);
    CHECK(lines == expected_lines);
}

TEST_CASE("counting line breaks sixteen bytes at a time gives what std::count gives") {
    // Lengths around the 16-byte vectors and the 255-vector batches, breaks at random places.
    std::uint64_t state = 7;
    std::string text(16 * 255 * 2 + 40, 'x');
    for (char& ch : text) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        if ((state >> 60) < 3) ch = '\n';
    }
    for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{15}, std::size_t{16}, std::size_t{17},
                          std::size_t{16 * 255}, std::size_t{16 * 255 + 1}, text.size()}) {
        CAPTURE(n);
        const auto expected =
            static_cast<std::size_t>(std::count(text.begin(), text.begin() + static_cast<long>(n), '\n'));
        CHECK(bowlby::csv::detail::count_byte(text.data(), n, '\n') == expected);
    }
    CHECK(bowlby::csv::detail::count_byte(text.data() + 3, 16 * 255 + 20, '\n') ==
          static_cast<std::size_t>(std::count(text.begin() + 3, text.begin() + 3 + 16 * 255 + 20, '\n')));
}

TEST_CASE("block_reader stops at a record longer than its limit - naming the record's first line") {
    // Lines 1-3 are short; line 4 holds 5,000 bytes and no line break (a limit of 1,000 bytes),
    // read 64 bytes at a time: the error comes once 1,000 bytes of it have been read.
    std::string text = "a,b\n1,2\n3,4\n" + std::string(5000, '7');
    std::istringstream in(text);
    bowlby::csv::block_reader blocks(in, 64, 1000);
    std::string block;
    std::size_t lines = 0;
    try {
        while (blocks.next(block)) lines += static_cast<std::size_t>(std::count(block.begin(), block.end(), '\n'));
        FAIL("no error");
    } catch (const bowlby::csv::csv_error& e) {
        CHECK(e.line() == 4);
        CHECK(std::string(e.what()) == "line 4: a record longer than 1000 bytes (no line break ends it)");
    }
    CHECK(lines == 3);
    // Without a limit, and under it, the same text reads to its end.
    for (const std::size_t limit : {std::size_t{0}, std::size_t{6000}}) {
        std::istringstream again(text);
        bowlby::csv::block_reader all(again, 64, limit);
        std::string joined;
        while (all.next(block)) joined += block;
        CHECK(joined == text);
    }
}
