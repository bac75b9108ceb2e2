// Inputs laid out otherwise than with commas: semicolons and tabs (given or detected from the
// header line, tab for .tsv files) and decimal commas read the same answers as the plain CSV
// file they were made from.
#include "../support/test_support.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <string>

using namespace test_support;

namespace {

void write_file(const std::string& path, const std::string& text) {
    std::ofstream f(path, std::ios::binary);
    f << text;
}

// `text` with every comma outside quotes replaced by `delimiter` (the fixtures quote nothing
// that holds a comma).
std::string with_delimiter(std::string text, char delimiter) {
    bool quoted = false;
    for (char& c : text) {
        if (c == '"') quoted = !quoted;
        if (!quoted && c == ',') c = delimiter;
    }
    return text;
}

}  // namespace

TEST_CASE("semicolons and tabs - given or detected - read as the comma-separated file") {
    const std::string csv = slurp(data("ecr_small.csv"));
    write_file(tmp("ecr_semicolon.csv"), with_delimiter(csv, ';'));
    write_file(tmp("ecr_tab.tsv"), with_delimiter(csv, '\t'));
    write_file(tmp("ecr_tab.txt"), with_delimiter(csv, '\t'));
    write_file(tmp("ecr_pipe.csv"), with_delimiter(csv, '|'));
    const std::string options = " score --instrument ecr --items Q1:Q36 --keep id ";
    const auto plain = run(cli() + options + data("ecr_small.csv"), "plain");
    REQUIRE_MESSAGE(plain.status == 0, plain.err);
    for (const std::string& call :
         {options + tmp("ecr_semicolon.csv"), options + "--delimiter ';' " + tmp("ecr_semicolon.csv"),
          options + tmp("ecr_tab.tsv"), options + tmp("ecr_tab.txt"), options + "--delimiter tab " + tmp("ecr_tab.txt"),
          options + "--delimiter '|' " + tmp("ecr_pipe.csv")}) {
        CAPTURE(call);
        const auto r = run(cli() + call, "other");
        REQUIRE_MESSAGE(r.status == 0, r.err);
        CHECK(r.out == plain.out);  // the output is comma-separated whatever the input
    }
    // Read as commas (the wrong delimiter given), the semicolon file is one column.
    const auto wrong = run(cli() + options + "--delimiter , " + tmp("ecr_semicolon.csv"), "wrong");
    CHECK(wrong.status == 2);
    CHECK(wrong.err.find("--items") != std::string::npos);
}

TEST_CASE("decimal commas read as decimal points") {
    // One scale of three columns, any finite answers: the reliability of the same numbers,
    // once written 2.5 in a comma file and once 2,5 in a semicolon file.
    const std::string points = "a,b,c\n2.5,3,1.25\n4,4.75,2\n1.5,2,3.5\n5,4.5,4\n3.25,3,2.5\n";
    const std::string commas = "a;b;c\n2,5;3;1,25\n4;4,75;2\n1,5;2;3,5\n5;4,5;4\n3,25;3;2,5\n";
    write_file(tmp("points.csv"), points);
    write_file(tmp("commas.csv"), commas);
    const auto a = run(cli() + " reliability --json --items a:c " + tmp("points.csv"), "points");
    const auto b = run(cli() + " reliability --json --items a:c --decimal-comma " + tmp("commas.csv"), "commas");
    REQUIRE_MESSAGE(a.status == 0, a.err);
    REQUIRE_MESSAGE(b.status == 0, b.err);
    // The same JSON but for the input's name.
    const auto without_input = [](std::string json) { return json.erase(0, json.find("\"instrument\"")); };
    CHECK(without_input(a.out) == without_input(b.out));
    CHECK(a.out.find("\"raw_alpha\"") != std::string::npos);
    // Without --decimal-comma, 2,5 is text where a number belongs: named by line and column.
    const auto c = run(cli() + " reliability --json --items a:c " + tmp("commas.csv"), "no_flag");
    CHECK(c.status == 1);
    CHECK(c.err.find("line 2, column a: value '2,5' is not a number") != std::string::npos);
}

TEST_CASE("delimiter mistakes are named") {
    write_file(tmp("plain3.csv"), "a,b,c\n1,2,3\n");
    const auto comma = run(cli() + " reliability --items a:c --decimal-comma " + tmp("plain3.csv"), "comma");
    CHECK(comma.status == 1);
    CHECK(comma.err.find("separated by commas, so --decimal-comma cannot be read") != std::string::npos);
    const auto both =
        run(cli() + " reliability --items a:c --delimiter , --decimal-comma " + tmp("plain3.csv"), "both");
    CHECK(both.status == 2);
    const auto bad = run(cli() + " reliability --items a:c --delimiter ab " + tmp("plain3.csv"), "bad");
    CHECK(bad.status == 2);
    CHECK(bad.err.find("--delimiter takes one character") != std::string::npos);
    // A quoted header name holding semicolons does not make the file semicolon-separated.
    write_file(tmp("quoted_header.csv"), "\"x;y;z\",b,c\n1,2,3\n2,3,4\n3,3,5\n");
    const auto quoted = run(cli() + " reliability --items b:c " + tmp("quoted_header.csv"), "quoted");
    CHECK_MESSAGE(quoted.status == 0, quoted.err);
}
