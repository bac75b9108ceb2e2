// The `bowlby` tool on fixture files whose expected scores were computed independently in R
// (tests/reference/make_cli_fixtures.R), and its handling of bad input and bad calls.
#include "../../examples/cli/input.hpp"
#include "../support/test_support.hpp"

#include <nlohmann/json.hpp>

#include <doctest/doctest.h>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <string>

using namespace test_support;

namespace {

// Compares bowlby's output with R's expected file cell by cell: the same header, the same
// text in text cells, numbers equal to 1e-12 (R wrote 17 significant digits).
void compare_scores(const std::string& actual_text, const std::string& expected_path) {
    const auto actual = read_simple_csv(actual_text);
    const auto expected = read_simple_csv(slurp(expected_path));
    REQUIRE(actual.size() == expected.size());
    REQUIRE(actual.size() > 1);
    CHECK(actual[0] == expected[0]);
    for (std::size_t r = 1; r < expected.size(); ++r) {
        REQUIRE(actual[r].size() == expected[r].size());
        for (std::size_t c = 0; c < expected[r].size(); ++c) {
            const std::string& a = actual[r][c];
            const std::string& e = expected[r][c];
            char* end = nullptr;
            const double ev = std::strtod(e.c_str(), &end);
            if (!e.empty() && end == e.c_str() + e.size()) {
                INFO("row " << r << ", column " << expected[0][c] << ": bowlby " << a << ", R " << e);
                CHECK(close(std::strtod(a.c_str(), nullptr), ev, 1e-12));
            } else {
                INFO("row " << r << ", column " << expected[0][c]);
                CHECK(a == e);
            }
        }
    }
}

// Compares the JSON report with R's per-score summary.
void compare_report(const std::string& report_path, const std::string& expected_path, std::size_t rows) {
    const auto report = nlohmann::json::parse(slurp(report_path));
    const auto expected = read_simple_csv(slurp(expected_path));
    CHECK(report["rows"].get<std::size_t>() == rows);
    CHECK(report["invalid_cells"].get<std::size_t>() == 0);
    const auto& subs = report["subscales"];
    REQUIRE(subs.size() == expected.size() - 1);
    for (std::size_t i = 1; i < expected.size(); ++i) {
        const auto& e = expected[i];
        const auto& s = subs[i - 1];
        INFO("score " << e[0]);
        CHECK(s["name"] == e[0]);
        CHECK(s["n"].get<long>() == std::stol(e[1]));
        CHECK(close(s["mean"].get<double>(), std::stod(e[2]), 1e-12));
        CHECK(close(s["sd"].get<double>(), std::stod(e[3]), 1e-12));
        CHECK(s["complete"].get<long>() == std::stol(e[4]));
        CHECK(s["prorated"].get<long>() == std::stol(e[5]));
        CHECK(s["insufficient"].get<long>() == std::stol(e[6]));
    }
}

struct fixture {
    const char* name;
    const char* options;
    std::size_t rows;
};

}  // namespace

TEST_CASE("bowlby score agrees with R on every fixture") {
    const fixture fixtures[] = {
        {"ecr_small", "--instrument ecr --items Q1:Q36 --keep id", 40},
        {"ecr_5pt", "--instrument ecr --items Q1:Q36 --keep id --scale 1:5 --missing-code 0 --min-answered 0.8", 30},
        {"rq_small", "--instrument rq --items sec,fea,pre,dis --keep id", 25},
        {"ecr_rs_small", "--instrument ecr-rs --items i1:i36 --keep id", 25},
        {"rsq_small", "--instrument rsq --items r1:r30 --keep id", 25},
        {"aas_small", "--instrument aas --items a1:a18 --keep id", 25},
    };
    for (const fixture& f : fixtures) {
        CAPTURE(f.name);
        const std::string out = tmp(std::string(f.name) + ".scores.csv");
        const std::string report = tmp(std::string(f.name) + ".report.json");
        const auto r = run(cli() + " score " + f.options + " --output " + out + " --report " + report + " " +
                               data(std::string(f.name) + ".csv"),
                           f.name);
        REQUIRE_MESSAGE(r.status == 0, r.err);
        compare_scores(slurp(out), data(std::string(f.name) + ".expected.csv"));
        compare_report(report, data(std::string(f.name) + ".report.csv"), f.rows);
    }
}

TEST_CASE("CRLF - a byte-order mark and quoted fields read the same as plain CSV") {
    const auto plain =
        run(cli() + " score --instrument ecr --items Q1:Q36 --keep id " + data("ecr_small.csv"), "plain");
    const auto crlf =
        run(cli() + " score --instrument ecr --items Q1:Q36 --keep id " + data("ecr_small_crlf_bom.csv"), "crlf");
    REQUIRE(plain.status == 0);
    REQUIRE(crlf.status == 0);
    CHECK(plain.out == crlf.out);
    // Standard input works too.
    const auto piped =
        run(cli() + " score --instrument ecr --items Q1:Q36 --keep id - < " + data("ecr_small.csv"), "stdin");
    CHECK(piped.out == plain.out);
}

TEST_CASE("without --items - a file of exactly the item columns is taken as items") {
    {
        std::ofstream f(tmp("rq_only.csv"));
        f << "s,f,p,d\n6,2,3,5\n";
    }
    const auto r = run(cli() + " score --instrument rq " + tmp("rq_only.csv"), "rq_only");
    REQUIRE(r.status == 0);
    // self = (6 + 5) - (2 + 3) = 6; other = (6 + 3) - (2 + 5) = 2.
    CHECK(r.out ==
          "row,secure,secure_n,fearful,fearful_n,preoccupied,preoccupied_n,dismissing,dismissing_n,model_of_self,"
          "model_of_self_n,model_of_other,model_of_other_n,status\n1,6,1,2,1,3,1,5,1,6,4,2,4,complete\n");
    const auto wrong = run(cli() + " score --instrument ecr " + data("ecr_small.csv"), "no_items");
    CHECK(wrong.status == 2);
    CHECK(wrong.err.find("has 38 columns and ecr has 36 items") != std::string::npos);
    CHECK(wrong.err.find("id, Q1, Q2") != std::string::npos);
}

TEST_CASE("two columns of one name are an error naming the name and both positions") {
    {
        std::ofstream f(tmp("dup_header.csv"));
        f << "id,Q1,Q2,Q1,,\n1,2,3,4,,\n";
    }
    const auto r = run(cli() + " score --instrument rq --items Q1,Q2,Q1,id " + tmp("dup_header.csv"), "dup");
    CHECK(r.status == 1);
    CHECK(r.err ==
          "bowlby: " + tmp("dup_header.csv") + ": columns 2 and 4 are both named Q1; give each column its own name\n");
}

TEST_CASE("plain blocks and the general parser read the same - cells lines and errors") {
    // A block without quotes or carriage returns takes the direct parser; one quoted cell sends
    // the same block through the general one. Both must give the same scores, line numbers and
    // messages. Cells: NA, '.', empty, spaces, '+2', '07', an empty line, no final line break.
    const std::string rows =
        "A,6,2,NA,5\n"
        "B,.,2, 3 ,+2\n"
        "\n"
        "C,07,1,1,\n"
        "D,4,4,4,4";
    auto write = [](const std::string& name, const std::string& text) {
        std::ofstream f(tmp(name));
        f << text;
    };
    write("plain.csv", "id,s,f,p,d\n" + rows);
    write("quoted.csv", "id,s,f,p,d\n\"A\"" + rows.substr(1));
    const std::string score = cli() + " score --instrument rq --items s:d --keep id ";
    auto plain = run(score + tmp("plain.csv"), "plain_block");
    auto quoted = run(score + tmp("quoted.csv"), "quoted_block");
    REQUIRE(plain.status == 0);
    CHECK(plain.out == quoted.out);
    // Hand check of row C: secure 7 (written 07), fearful 1, preoccupied 1 (each with 1 answer),
    // dismissing missing (0 answers).
    CHECK(plain.out.find("3,C,7,1,1,1,1,1,,0,") != std::string::npos);
    // Errors: a short record on line 5 (the empty line counts), then text where a number belongs.
    for (const std::string bad : {"C,7,1,1\n", "C,7,x,1,1\n"}) {
        write("plain_bad.csv", "id,s,f,p,d\nA,6,2,3,5\n\n" + std::string("B,1,1,1,1\n") + bad);
        write("quoted_bad.csv", "id,s,f,p,d\n\"A\",6,2,3,5\n\n" + std::string("B,1,1,1,1\n") + bad);
        plain = run(score + tmp("plain_bad.csv"), "plain_bad");
        quoted = run(score + tmp("quoted_bad.csv"), "quoted_bad");
        CHECK(plain.status == 1);
        CHECK(plain.err.find("line 5") != std::string::npos);
        CHECK(plain.err.substr(plain.err.find(", line")) == quoted.err.substr(quoted.err.find(", line")));
    }
}

TEST_CASE("runs of one-digit answers read eight and four at a time - the same as the general parser") {
    // 36 ECR-R items after an id: the direct parser checks and converts runs of one-digit
    // answers a vector at a time and falls back to one cell at a time for anything else. Each
    // row breaks a run somewhere; a quoted id sends the same rows through the general parser.
    auto answers = [](std::vector<std::string> cells) {
        std::string line;
        for (const std::string& c : cells) line += "," + c;
        return line + "\n";
    };
    std::vector<std::string> fours(36, "4");
    std::string rows;
    auto row = [&](const std::string& id, std::vector<std::string> cells) { rows += id + answers(std::move(cells)); };
    std::vector<std::string> c = fours;
    c[0] = "7";
    row("A", c);  // every run fast; hand check below
    c = fours;
    c[10] = "";
    row("B", c);  // an empty cell in the second run of eight
    c = fours;
    c[3] = "07";
    c[34] = "NA";
    row("C", c);  // two characters in the first run, NA in the last four
    c = fours;
    c[35] = "5 ";
    row("D", c);  // a blank before the line break
    c = fours;
    c[19] = "1";
    row("E", c);  // item 20 is also kept: runs end around it
    std::string header = "id";
    for (int i = 1; i <= 36; ++i) header += ",Q" + std::to_string(i);
    auto write = [](const std::string& name, const std::string& text) {
        std::ofstream f(tmp(name));
        f << text;
    };
    write("runs_plain.csv", header + "\n" + rows);
    write("runs_quoted.csv", header + "\n\"A\"" + rows.substr(1));
    const std::string score = cli() + " score --instrument ecr-r --items Q1:Q36 --keep id,Q20 ";
    const auto plain = run(score + tmp("runs_plain.csv"), "runs_plain");
    const auto quoted = run(score + tmp("runs_quoted.csv"), "runs_quoted");
    REQUIRE(plain.status == 0);
    CHECK(plain.out == quoted.out);
    // Row A by hand: anxiety (items 1-18, 9 and 11 reversed as 8 - x) = (7 + 17 * 4) / 18 =
    // 75 / 18; avoidance: every item 4, reversed or not, so 4.
    CHECK(plain.out.find("1,A,4,4.166666666666667,18,4,18,complete") != std::string::npos);
    CHECK(plain.out.find("2,B,4,4,17,4,18,prorated") != std::string::npos);
    // A record with a 37th answer and one with 35: the same message from both parsers.
    for (const std::string& bad :
         {answers(std::vector<std::string>(37, "4")), answers(std::vector<std::string>(35, "4"))}) {
        write("runs_plain_bad.csv", header + "\n" + rows + "F" + bad);
        write("runs_quoted_bad.csv", header + "\n\"A\"" + rows.substr(1) + "F" + bad);
        const auto p = run(score + tmp("runs_plain_bad.csv"), "runs_plain_bad");
        const auto q = run(score + tmp("runs_quoted_bad.csv"), "runs_quoted_bad");
        CHECK(p.status == 1);
        CHECK(p.err.find("line 7") != std::string::npos);
        CHECK(p.err.substr(p.err.find(", line")) == q.err.substr(q.err.find(", line")));
    }
}

namespace {
// PREFIX_plain.csv: 36 ECR-R items after an id, every row with an empty cell or two, at each
// position of the runs of eight and four; PREFIX_quoted.csv: the same with a quoted first id;
// the PREFIX_fraction files add a row whose first answer is 3.5.
void write_byte_files(const std::string& prefix) {
    std::string header = "id";
    for (int i = 1; i <= 36; ++i) header += ",Q" + std::to_string(i);
    std::string rows;
    for (int r = 0; r < 36; ++r) {
        rows += "R" + std::to_string(r);
        for (int i = 0; i < 36; ++i) {
            rows += ",";
            if (i == r || (r % 5 == 0 && i == (r + 13) % 36)) continue;  // empty
            if (r == 7 && i == 20)
                rows += "NA";
            else if (r == 9 && i == 30)
                rows += "09";
            else if (r == 11 && i == 2)
                rows += "9";  // a missing code below
            else
                rows += std::to_string(1 + (r * 7 + i * 3) % 7);
        }
        rows += "\n";
    }
    auto write = [](const std::string& name, const std::string& text) {
        std::ofstream f(tmp(name));
        f << text;
    };
    std::string fractional = "F,3.5";
    for (int i = 1; i < 36; ++i) fractional += ",4";
    fractional += "\n";
    write(prefix + "_plain.csv", header + "\n" + rows);
    write(prefix + "_quoted.csv", header + "\n\"R0\"" + rows.substr(2));
    write(prefix + "_fraction_plain.csv", header + "\n" + rows + fractional);
    write(prefix + "_fraction_quoted.csv", header + "\n\"R0\"" + rows.substr(2) + fractional);
}
}  // namespace

TEST_CASE("answers read as bytes score as doubles do - empty cells anywhere in a run") {
    // 36 ECR-R items after an id, in blocks that the reader takes as bytes (every answer a
    // whole number from 0 to 254 or missing); a quoted id sends the same rows through the
    // general parser into doubles, and a fractional answer sends a plain block to doubles.
    write_byte_files("bytes");
    const std::string score =
        cli() + " score --instrument ecr-r --items Q1:Q36 --keep id --missing-code 9 --on-invalid missing ";
    const auto plain = run(score + tmp("bytes_plain.csv"), "bytes_plain");
    const auto quoted = run(score + tmp("bytes_quoted.csv"), "bytes_quoted");
    REQUIRE(plain.status == 0);
    CHECK(plain.out == quoted.out);
    const auto fp = run(score + tmp("bytes_fraction_plain.csv"), "bytes_fraction_plain");
    const auto fq = run(score + tmp("bytes_fraction_quoted.csv"), "bytes_fraction_quoted");
    REQUIRE(fp.status == 0);
    CHECK(fp.out == fq.out);
    CHECK(fp.out.substr(0, plain.out.size()) == plain.out);
    // Row R1 by hand: item 2 empty; answers 1 + (7 + 3 i) % 7 for item i + 1. Anxiety, items 1-18
    // (9 and 11 reversed as 8 - x), over the 17 answered.
    double anxiety = 0;
    for (int i = 0; i < 18; ++i) {
        if (i == 1) continue;
        const int x = 1 + (7 + i * 3) % 7;
        anxiety += (i == 8 || i == 10) ? 8 - x : x;
    }
    anxiety /= 17;
    const auto lines = read_simple_csv(plain.out);
    REQUIRE(lines.size() == 37);
    CHECK(lines[2][1] == "R1");
    CHECK(std::stod(lines[2][2]) == doctest::Approx(anxiety).epsilon(1e-15));
    CHECK(lines[2][3] == "17");
    CHECK(lines[12][3] == "16");  // R11: item 12 empty, item 3 the missing code 9
    CHECK(lines[12][5] == "18");
    // The reliability command reads the same blocks.
    const std::string rel =
        cli() + " reliability --instrument ecr-r --items Q1:Q36 --missing-code 9 --on-invalid missing --json ";
    const auto rp = run(rel + tmp("bytes_plain.csv"), "bytes_rel_plain");
    const auto rq = run(rel + tmp("bytes_quoted.csv"), "bytes_rel_quoted");
    REQUIRE(rp.status == 0);
    auto jp = nlohmann::json::parse(rp.out), jq = nlohmann::json::parse(rq.out);
    jp.erase("input");
    jq.erase("input");
    CHECK(jp == jq);
    CHECK(jp["rows"] == 36);
}

TEST_CASE("the reader hands over bytes only when every answer is one - cells equal the general parser's") {
    // The files of the case above (written again), read block by block: the plain file as bytes, the file with
    // a fractional answer as doubles, a reader not asked for bytes as doubles; every cell equal
    // to what the general parser (the quoted file) gives.
    struct cells {
        bool bytes = false;
        std::vector<double> v;
        std::vector<std::size_t> lines;
    };
    auto read = [](const std::string& file, bool allow) {
        bowlby_cli::answer_reader reader(tmp(file), "Q1:Q36", 36, "ECR-R");
        reader.allow_bytes(allow);
        cells out;
        out.bytes = true;
        reader.run<int>(
            1, bowlby::invalid_policy::missing,
            [&](const bowlby_cli::parsed_rows& rows, std::size_t, int&) {
                out.bytes &= rows.in_bytes;
                for (Eigen::Index r = 0; r < rows.rows(); ++r)
                    for (Eigen::Index c = 0; c < 36; ++c) {
                        const std::uint8_t b = rows.in_bytes ? rows.bytes()(r, c) : 0;
                        out.v.push_back(!rows.in_bytes                               ? rows.answers()(r, c)
                                        : b == bowlby_cli::parsed_rows::missing_byte ? std::nan("")
                                                                                     : b);
                    }
                out.lines.insert(out.lines.end(), rows.lines.begin(), rows.lines.end());
            },
            [](int&) {});
        return out;
    };
    auto same = [](const cells& a, const cells& b) {
        REQUIRE(a.v.size() == b.v.size());
        CHECK(a.lines == b.lines);
        int differ = 0;
        for (std::size_t i = 0; i < a.v.size(); ++i)
            differ += !(a.v[i] == b.v[i] || (std::isnan(a.v[i]) && std::isnan(b.v[i])));
        CHECK(differ == 0);
    };
    write_byte_files("reader");
    const cells general = read("reader_quoted.csv", true);
    CHECK_FALSE(general.bytes);
    REQUIRE(general.v.size() == 36 * 36);
    CHECK(general.v[36 + 2] == 7);  // R1, item 3
    CHECK(std::isnan(general.v[36 + 1]));
    const cells bytes = read("reader_plain.csv", true);
    CHECK(bytes.bytes);
    same(bytes, general);
    const cells doubles = read("reader_plain.csv", false);
    CHECK_FALSE(doubles.bytes);
    same(doubles, general);
    const cells fraction = read("reader_fraction_plain.csv", true);
    CHECK_FALSE(fraction.bytes);
    same(fraction, read("reader_fraction_quoted.csv", true));
    CHECK(fraction.v[36 * 36] == 3.5);
}

TEST_CASE("invalid data: exit 1 naming file - line - column and value - no output left behind") {
    {
        std::ofstream f(tmp("bad.csv"));
        f << "id,s,f,p,d\nA,6,2,3,5\nB,6,9,3,5\n";
    }
    const std::string out = tmp("bad.scores.csv");
    std::remove(out.c_str());
    std::remove(tmp("bad.json").c_str());
    auto r = run(cli() + " score --instrument rq --items s:d --output " + out + " --report " + tmp("bad.json") + " " +
                     tmp("bad.csv"),
                 "bad");
    CHECK(r.status == 1);
    CHECK(r.err == "bowlby: " + tmp("bad.csv") + ", line 3, column f: value 9 is outside the response scale 1..7\n");
    CHECK_FALSE(exists(out));
    CHECK_FALSE(exists(tmp("bad.json")));

    r = run(cli() + " score --instrument rq --items s:d --on-invalid missing --output " + out + " --report " +
                tmp("bad.json") + " " + tmp("bad.csv"),
            "bad_missing");
    REQUIRE(r.status == 0);
    CHECK(nlohmann::json::parse(slurp(tmp("bad.json")))["invalid_cells"] == 1);
    // Row B: fearful (9) is missing now, so the models of self and other are missing; the items
    // behind each are secure + dismissing + preoccupied = 3 answered.
    CHECK(slurp(out).find("2,6,1,,0,3,1,5,1,,3,,3,insufficient") != std::string::npos);

    {
        std::ofstream f(tmp("text.csv"));
        f << "s,f,p,d\n6,two,3,5\n";
    }
    r = run(cli() + " score --instrument rq " + tmp("text.csv"), "text");
    CHECK(r.status == 1);
    CHECK(r.err == "bowlby: " + tmp("text.csv") + ", line 2, column f: value 'two' is not a number\n");
    {
        std::ofstream f(tmp("ragged.csv"));
        f << "s,f,p,d\n6,2,3\n";
    }
    r = run(cli() + " score --instrument rq " + tmp("ragged.csv"), "ragged");
    CHECK(r.status == 1);
    CHECK(r.err.find("line 2: 3 fields, but the header has 4") != std::string::npos);
}

TEST_CASE("usage errors exit 2 and say what to do") {
    auto r = run(cli() + " score --instrument ecr --frobnicate " + data("ecr_small.csv"), "u1");
    CHECK(r.status == 2);
    CHECK(r.err.find("unknown option '--frobnicate' (run 'bowlby score --help'") != std::string::npos);
    r = run(cli() + " score --instrument ecr-xx " + data("ecr_small.csv"), "u2");
    CHECK(r.status == 2);
    CHECK(r.err.find("unknown instrument 'ecr-xx'; the built-in instruments are: ecr, ecr-r") != std::string::npos);
    r = run(cli() + " score --instrument ecr --items Q1:Q35 " + data("ecr_small.csv"), "u3");
    CHECK(r.status == 2);
    CHECK(r.err.find("--items names 35 columns, but ecr has 36 items") != std::string::npos);
    r = run(cli() + " score --instrument ecr --items Q1:Q99 " + data("ecr_small.csv"), "u4");
    CHECK(r.status == 2);
    CHECK(r.err.find("column 'Q99', which the file does not have") != std::string::npos);
    r = run(cli() + " score --instrument ecr --min-answered 2 " + data("ecr_small.csv"), "u5");
    CHECK(r.status == 2);
    r = run(cli() + " frobnicate", "u6");
    CHECK(r.status == 2);
    r = run(cli() + " score --help", "u7");
    CHECK(r.status == 0);
    CHECK(r.out.find("--on-invalid") != std::string::npos);
}

TEST_CASE("--keep copies columns - quoting where needed") {
    {
        std::ofstream f(tmp("keep.csv"));
        f << "name,s,f,p,d\n\"Doe, J.\",6,2,3,5\n";
    }
    const auto r = run(cli() + " score --instrument rq --items s:d --keep name " + tmp("keep.csv"), "keep");
    REQUIRE(r.status == 0);
    CHECK(r.out.find("\n1,\"Doe, J.\",6,1,") != std::string::npos);
}

TEST_CASE("bowlby instruments lists every built-in with its citation") {
    const auto r = run(cli() + " instruments", "instruments");
    REQUIRE(r.status == 0);
    for (const char* id : {"ecr\n", "ecr-r\n", "ecr-s\n", "ecr-12\n", "ecr-rs\n", "rq\n", "rsq\n", "aas\n", "saam\n"})
        CHECK((r.out.find(std::string("\n") + id) != std::string::npos || r.out.rfind(id, 0) == 0));
    CHECK(r.out.find("Brennan, K. A., Clark, C. L., & Shaver, P. R. (1998)") != std::string::npos);
    CHECK(r.out.find("model_of_self = secure + dismissing - fearful - preoccupied") != std::string::npos);
    CHECK(r.out.find("avoidance: items 1,3R,5") != std::string::npos);
}

TEST_CASE("memory stays flat as the input grows (streaming)") {
    // Peak resident memory of the tool on 200,000 rows and on 500,000 rows (about 15 and 38 MB):
    // both are many times the blocks the tool holds at once (a few 512 KiB blocks per thread),
    // so any growth with the input would show.
    const std::string gen = BOWLBY_MAKE_SAMPLE_PATH;
    REQUIRE(run("sh -c '" + gen + " 200000 > " + tmp("flat_small.csv") + "'", "gen_small").status == 0);
    REQUIRE(run("sh -c '" + gen + " 500000 > " + tmp("flat_large.csv") + "'", "gen_large").status == 0);
    // Peak resident set of one child process, read with wait4().
    auto peak_kib = [](const std::string& input, const std::string& tag) -> long {
        const std::string cmd = "exec " + cli() +
                                " score --instrument ecr --items Q1:Q36 --keep id --threads 2 --output " +
                                tmp(tag + ".out") + " " + input;
        const pid_t pid = fork();
        if (pid == 0) {
            // In the sanitizer build, ASan's quarantine keeps freed memory resident by design;
            // switch it off in this child so that what is measured is the tool's own memory.
            const char* asan = std::getenv("ASAN_OPTIONS");
            const std::string opts = std::string(asan ? asan : "") + (asan ? ":" : "") + "quarantine_size_mb=0";
            setenv("ASAN_OPTIONS", opts.c_str(), 1);
            execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
            _exit(127);
        }
        int status = 0;
        struct rusage usage {};
        wait4(pid, &status, 0, &usage);
        REQUIRE(WIFEXITED(status));
        REQUIRE(WEXITSTATUS(status) == 0);
        return usage.ru_maxrss;
    };
    const long small = peak_kib(tmp("flat_small.csv"), "flat_small");
    const long large = peak_kib(tmp("flat_large.csv"), "flat_large");
    MESSAGE("peak RSS: " << small << " KiB on 200,000 rows, " << large << " KiB on 500,000 rows");
    // 300,000 more rows would add 86 MB if their answers were held, and 25 MB for their output
    // text; what varies here (4 MB at most) is how the allocator reuses the blocks' memory.
    CHECK(large <= small + 4096);
}

TEST_CASE("--classify midpoint: categories - firmness with given SEMs - and the report") {
    // ECR-S on 1-7. Avoidance = items 1,3,5,7,9,11 (1, 5, 9 reversed); anxiety = 2,4,...,12 (8 reversed).
    // Row A: all 1 -> avoidance (3*1 + 3*7)/6 = 4 (on the cut), anxiety (5*1 + 7)/6 = 2.
    // Row B: keyed targets anxiety 6, avoidance 3 -> preoccupied, 2 and 1 units from the cuts.
    // Row C: keyed anxiety 2 (items 2,4,6,10,12 = 2, item 8 = 6), avoidance 3 -> secure.
    {
        std::ofstream f(tmp("ecrs.csv"));
        f << "id,i1,i2,i3,i4,i5,i6,i7,i8,i9,i10,i11,i12\n"
          << "A,1,1,1,1,1,1,1,1,1,1,1,1\n"
          << "B,5,6,3,6,5,6,3,2,5,6,3,6\n"
          << "C,5,2,3,2,5,2,3,6,5,2,3,2\n";
    }
    const auto r = run(cli() + " score --instrument ecr-s --items i1:i12 --keep id --classify midpoint --sem 0.5:0.4 " +
                           "--report " + tmp("ecrs.json") + " " + tmp("ecrs.csv"),
                       "classify_mid");
    REQUIRE_MESSAGE(r.status == 0, r.err);
    const auto rows = read_simple_csv(r.out);
    REQUIRE(rows.size() == 4);
    CHECK(rows[0][rows[0].size() - 2] == "category");
    CHECK(rows[1][rows[1].size() - 2] == "unclassified");
    CHECK(rows[1].back() == "");
    CHECK(rows[2][rows[2].size() - 2] == "preoccupied");
    // P = Phi((6 - 4) / 0.5) * Phi((4 - 3) / 0.4) = Phi(4) * Phi(2.5).
    CHECK(std::stod(rows[2].back()) == doctest::Approx(0.9999683287581669 * 0.9937903346742238).epsilon(1e-12));
    CHECK(rows[3][rows[3].size() - 2] == "secure");
    const auto rep = nlohmann::json::parse(slurp(tmp("ecrs.json")))["classification"];
    CHECK(rep["method"] == "midpoint");
    CHECK(rep["cuts"]["anxiety"] == 4.0);
    CHECK(rep["counts"]["secure"] == 1);
    CHECK(rep["counts"]["preoccupied"] == 1);
    CHECK(rep["counts"]["unclassified"] == 1);
    CHECK(rep["firm_share"] == 1.0);  // both classified rows have P >= 0.8
    // At the cut counted as high, row A becomes dismissing with P = 0.5 * Phi(2 / 0.5).
    const auto high =
        run(cli() + " score --instrument ecr-s --items i1:i12 --classify midpoint --sem 0.5:0.4 --at-cut high " +
                tmp("ecrs.csv"),
            "classify_high");
    const auto hrows = read_simple_csv(high.out);
    CHECK(hrows[1][hrows[1].size() - 2] == "dismissing");
    CHECK(std::stod(hrows[1].back()) == doctest::Approx(0.5 * 0.9999683287581669).epsilon(1e-12));
}

TEST_CASE("--classify brennan1998 refuses what it is not calibrated for - saying what to do") {
    auto r = run(cli() + " score --instrument ecr-s --items i1:i12 --classify brennan1998 --sem 1:1 " + tmp("ecrs.csv"),
                 "b1");
    CHECK(r.status == 2);
    CHECK(r.err.find("calibrated for the ECR only") != std::string::npos);
    r = run(
        cli() +
            " score --instrument ecr --items Q1:Q36 --scale 1:5 --missing-code 0 --classify brennan1998 --sem 1:1 " +
            data("ecr_5pt.csv"),
        "b2");
    CHECK(r.status == 2);
    CHECK(r.err.find("--rescale-to 1:7") != std::string::npos);
    r = run(cli() +
                " score --instrument ecr --items Q1:Q36 --scale 1:5 --missing-code 0 --classify brennan1998 "
                "--rescale-to 1:7 " +
                "--report " + tmp("b3.json") + " --output " + tmp("b3.csv") + " " + data("ecr_5pt.csv"),
            "b3");
    CHECK(r.status == 0);
    const auto rep = nlohmann::json::parse(slurp(tmp("b3.json")))["classification"];
    CHECK(rep["rescaled_to_1_7_by"] == 1.5);
    CHECK(rep["sem"]["anxiety"].is_number());  // from this sample's alpha
}

TEST_CASE("--classify rq: highest rating - forced choice breaks ties") {
    {
        std::ofstream f(tmp("rq_fc.csv"));
        f << "s,f,p,d,choice\n6,2,3,5,\n5,2,5,1,C\n5,2,5,1,\n";
    }
    const auto r = run(
        cli() + " score --instrument rq --items s:d --classify rq --forced-choice choice " + tmp("rq_fc.csv"), "rq_fc");
    REQUIRE_MESSAGE(r.status == 0, r.err);
    const auto rows = read_simple_csv(r.out);
    CHECK(rows[1][rows[1].size() - 2] == "secure");
    CHECK(rows[2][rows[2].size() - 2] == "preoccupied");
    CHECK(rows[3][rows[3].size() - 2] == "unclassified");
    CHECK(rows[0].size() == rows[1].size());  // the forced choice column is read, not copied
}

TEST_CASE("a mapped file is cut where a piped one is - quotes across blocks - CRLF - empty lines - errors") {
    // About 3 MB of ECR-R rows (several 512 KiB blocks), read from the file (mapped and cut by
    // the reader) and piped in (cut by bowlby::csv::block_reader), on 1 thread and on 3. Every
    // 13th record has all answers 4 and, but in the plain file, an id that is quoted and holds
    // a line break and a comma, so that some block ends fall inside quotes; every 17th record
    // is followed by an empty line; the last has no line break. The outputs must be byte for
    // byte the same (the reliability sums depend on where blocks are cut), the rows numbered
    // across blocks (in the plain file, from the lines that are not empty), and an error deep
    // in the file must name its line.
    struct built {
        std::string text;
        std::size_t records = 0, bad_line = 0;
    };
    auto build = [](const std::string& eol, bool quotes, bool with_error) {
        built b;
        b.text = "id";
        for (int j = 1; j <= 36; ++j) b.text += ",Q" + std::to_string(j);
        b.text += eol;
        std::size_t line = 2;
        const int n = 40000;
        for (int i = 1; i <= n; ++i) {
            const bool fours = i % 13 == 0, quoted = fours && quotes;
            std::string rec = quoted ? "\"R" + std::to_string(i) + "\nsecond, line\"" : "R" + std::to_string(i);
            for (int j = 1; j <= 36; ++j) {
                rec += ',';
                if (with_error && i == 30001 && j == 5) {
                    rec += '9';
                    b.bad_line = line;
                } else if (fours) {
                    rec += '4';  // all 4: every subscale mean is 4, reversed or not
                } else if ((i + j) % 11 != 0) {
                    rec += std::to_string(1 + (i * 7 + j * 3) % 7);
                }  // else empty: missing
            }
            b.text += rec;
            line += quoted ? 2 : 1;
            if (i < n) b.text += eol;
            if (i % 17 == 0 && i < n) {
                b.text += eol;
                ++line;
            }
            ++b.records;
        }
        return b;
    };
    for (const std::string tag : {"lf", "crlf", "plain"}) {
        const std::string eol = tag == "crlf" ? "\r\n" : "\n";
        const bool quotes = tag != "plain";
        const built good = build(eol, quotes, false);
        REQUIRE(good.text.size() > 5 * (std::size_t{1} << 19));
        {
            std::ofstream f(tmp("cut_" + tag + ".csv"), std::ios::binary);
            f << good.text;
        }
        std::string first_scores, first_rel;
        for (const std::string threads : {"1", "3"}) {
            for (const bool piped : {false, true}) {
                const std::string input = (piped ? "- < " : "") + tmp("cut_" + tag + ".csv");
                const std::string what = tag + " " + threads + (piped ? " piped" : " mapped");
                const auto s =
                    run(cli() + " score --instrument ecr-r --items Q1:Q36 --keep id --threads " + threads + " " + input,
                        "cut_score");
                REQUIRE_MESSAGE(s.status == 0, what << ": " << s.err);
                const auto r = run(
                    cli() + " reliability --instrument ecr-r --items Q1:Q36 --json --threads " + threads + " " + input,
                    "cut_rel");
                REQUIRE_MESSAGE(r.status == 0, what << ": " << r.err);
                auto rel = nlohmann::json::parse(r.out);
                rel.erase("input");
                if (first_scores.empty()) {
                    first_scores = s.out;
                    first_rel = rel.dump();
                    CHECK(rel["rows"] == good.records);
                    // Row 39013 (R39013, quoted): its id written back quoted, all answers 4.
                    CHECK(s.out.find(quotes ? "\n39013,\"R39013\nsecond, line\",4,18,4,18,complete\n"
                                            : "\n39013,R39013,4,18,4,18,complete\n") != std::string::npos);
                    CHECK(s.out.find("\n40000,R40000,") != std::string::npos);
                    CHECK(s.out.find("\n40001,") == std::string::npos);
                } else {
                    INFO(what);
                    CHECK(s.out == first_scores);
                    CHECK(rel.dump() == first_rel);
                }
            }
        }
        const built bad = build(eol, quotes, true);
        {
            std::ofstream f(tmp("cut_bad_" + tag + ".csv"), std::ios::binary);
            f << bad.text;
        }
        for (const std::string threads : {"1", "3"})
            for (const bool piped : {false, true}) {
                const auto e = run(cli() + " score --instrument ecr-r --items Q1:Q36 --threads " + threads + " " +
                                       (piped ? "- < " : "") + tmp("cut_bad_" + tag + ".csv"),
                                   "cut_bad");
                INFO(tag << " " << threads << (piped ? " piped" : " mapped"));
                CHECK(e.status == 1);
                CHECK(e.err.find(", line " + std::to_string(bad.bad_line) +
                                 ", column Q5: value 9 is outside the response scale 1..7") != std::string::npos);
            }
    }
}

TEST_CASE("the same scores - report and reliability on 1 thread and on 3") {
    // 120,000 rows (about 9 MB) run through many blocks; blocks are merged in file order, so
    // the outputs are byte for byte the same whatever the number of threads.
    const std::string gen = BOWLBY_MAKE_SAMPLE_PATH;
    REQUIRE(run("sh -c '" + gen + " 120000 > " + tmp("threads.csv") + "'", "gen_threads").status == 0);
    for (const char* t : {"1", "3"}) {
        const std::string tag = std::string("threads") + t;
        const auto s = run(cli() + " score --instrument ecr --items Q1:Q36 --keep id --threads " + t + " --report " +
                               tmp(tag + ".json") + " --output " + tmp(tag + ".out") + " " + tmp("threads.csv"),
                           tag);
        REQUIRE_MESSAGE(s.status == 0, s.err);
        const auto r = run(cli() + " reliability --instrument ecr --items Q1:Q36 --json --threads " + t + " " +
                               tmp("threads.csv") + " > " + tmp(tag + ".rel"),
                           tag + "_rel");
        REQUIRE_MESSAGE(r.status == 0, r.err);
    }
    const std::string scores = slurp(tmp("threads1.out"));
    CHECK(std::count(scores.begin(), scores.end(), '\n') == 120001);
    CHECK(scores == slurp(tmp("threads3.out")));
    CHECK(slurp(tmp("threads1.json")) == slurp(tmp("threads3.json")));
    CHECK(slurp(tmp("threads1.rel")) == slurp(tmp("threads3.rel")));
    // The rows are numbered across blocks: the last one is row 120000.
    CHECK(scores.find("\n120000,") != std::string::npos);
}
