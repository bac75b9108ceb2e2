// Key files (docs/key-files.md): every built-in instrument exported and read back scores byte
// for byte as the built-in does; a questionnaire of one's own scores as worked out by hand
// below; a malformed key is an error naming the file, the JSON path and the problem.
#include "../support/test_support.hpp"

#include <nlohmann/json.hpp>

#include <doctest/doctest.h>

#include <cstdint>
#include <fstream>
#include <string>

using namespace test_support;

namespace {

void write_file(const std::string& path, const std::string& text) {
    std::ofstream f(path, std::ios::binary);
    f << text;
}

// Whole-number answers on [lo, hi] with about one cell in ten left empty, from a fixed
// generator, under a header Q1..Qn preceded by an id column.
std::string synthetic_answers(int n_items, int lo, int hi, int rows, std::uint64_t seed) {
    std::string text = "id";
    for (int i = 1; i <= n_items; ++i) text += ",Q" + std::to_string(i);
    text += "\n";
    std::uint64_t s = seed;
    auto next = [&s] {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        return static_cast<int>(s >> 33);
    };
    for (int r = 0; r < rows; ++r) {
        text += "p" + std::to_string(r + 1);
        for (int i = 0; i < n_items; ++i) {
            const int draw = next();
            text += ",";
            if (draw % 10 != 0) text += std::to_string(lo + draw / 10 % (hi - lo + 1));
        }
        text += "\n";
    }
    return text;
}

// A key file: the version, then `body` (which closes the object).
std::string key_with(const std::string& body) { return "{\"bowlby_key\": 1, " + body; }

// Runs `bowlby score --key` on a key file written from `key`; returns the run.
run_result score_with_key(const std::string& key, const std::string& name) {
    const std::string path = tmp(name + ".key.json");
    write_file(path, key);
    write_file(tmp(name + ".csv"), "A1,A2\n1,2\n");
    return run(cli() + " score --key " + path + " " + tmp(name + ".csv"), name);
}

}  // namespace

TEST_CASE("every built-in instrument exported and read back scores byte for byte as the built-in") {
    const auto list = run(cli() + " instruments", "list");
    REQUIRE(list.status == 0);
    int exported = 0;
    for (const char* id : {"ecr", "ecr-r", "ecr-s", "ecr-12", "ecr-rs", "rq", "rsq", "aas", "saam"}) {
        CAPTURE(id);
        REQUIRE(list.out.find(std::string(id) + "\n  ") != std::string::npos);
        const auto exp = run(cli() + " instruments --export " + id, "export");
        REQUIRE_MESSAGE(exp.status == 0, exp.err);
        const std::string key = tmp(std::string(id) + ".key.json");
        write_file(key, exp.out);
        const auto j = nlohmann::json::parse(exp.out);
        CHECK(j["min_answered"] == 0.5);
        CHECK(j["missing_codes"].empty());
        const int n = j["n_items"].get<int>();
        const int lo = j["scale"]["min"].get<int>(), hi = j["scale"]["max"].get<int>();
        const std::string input = tmp(std::string(id) + ".synthetic.csv");
        write_file(input, synthetic_answers(n, lo, hi, 200, 17 + static_cast<std::uint64_t>(exported)));
        const std::string items = " --items Q1:Q" + std::to_string(n) + " ";
        const std::string common = items + "--keep id ";
        const auto by_id = run(cli() + " score --instrument " + id + common + "--report " + tmp("by_id.json") +
                                   " --output " + tmp("by_id.csv") + " " + input,
                               "by_id");
        const auto by_key = run(cli() + " score --key " + key + common + "--report " + tmp("by_key.json") +
                                    " --output " + tmp("by_key.csv") + " " + input,
                                "by_key");
        REQUIRE_MESSAGE(by_id.status == 0, by_id.err);
        REQUIRE_MESSAGE(by_key.status == 0, by_key.err);
        CHECK(slurp(tmp("by_id.csv")) == slurp(tmp("by_key.csv")));
        CHECK(slurp(tmp("by_id.json")) == slurp(tmp("by_key.json")));
        const auto rel_id = run(cli() + " reliability --json --instrument " + id + items + input, "rel_id");
        const auto rel_key = run(cli() + " reliability --json --key " + key + items + input, "rel_key");
        REQUIRE_MESSAGE(rel_id.status == 0, rel_id.err);
        CHECK(rel_id.out == rel_key.out);
        // Read back and written again: the same file.
        const auto again = run(cli() + " instruments --export " + id, "again");
        CHECK(again.out == exp.out);
        ++exported;
    }
    CHECK(exported == 9);
}

TEST_CASE("a classification from an exported key is the built-in's") {
    const auto exp = run(cli() + " instruments --export ecr", "export");
    REQUIRE(exp.status == 0);
    write_file(tmp("ecr.key.json"), exp.out);
    const std::string tail = " --items Q1:Q36 --keep id --classify median " + data("ecr_small.csv");
    const auto by_id = run(cli() + " score --instrument ecr" + tail, "by_id");
    const auto by_key = run(cli() + " score --key " + tmp("ecr.key.json") + tail, "by_key");
    REQUIRE_MESSAGE(by_id.status == 0, by_id.err);
    CHECK(by_id.out == by_key.out);
}

TEST_CASE("a questionnaire of one's own - items found by name - the key's missing codes and min_answered") {
    // Scale 1-5, so a reversed answer x counts as 6 - x.
    //   closeness = mean of A1 and (6 - A2); worry = sum of A3 and A4 (prorated: mean x 2);
    //   diff = closeness - A3; its count is closeness's count + 1 (A3 answered).
    // p1: A1 3, A2 5 -> closeness (3 + 1) / 2 = 2; worry 2 + 4 = 6; diff 2 - 2 = 0 (n 3).
    // p2: A1 empty, A2 2 -> closeness 4 (n 1, prorated); A4 is -9, a missing code -> worry
    //     1 x 2 = 2 (n 1, prorated); diff 4 - 1 = 3 (n 2, prorated).
    // p3: every item -9: nothing answered, every score insufficient.
    const std::string key = key_with(R"("id": "own", "name": "Own scale", "scale": {"min": 1, "max": 5},
        "items": ["A1", "A2", "A3", "A4"],
        "subscales": [
          {"name": "closeness", "items": ["A1", "A2"], "reversed": ["A2"]},
          {"name": "worry", "items": [3, 4], "aggregation": "sum"}],
        "derived": [{"name": "diff", "terms": [{"subscale": "closeness"}, {"item": "A3", "weight": -1}]}],
        "missing_codes": [-9], "min_answered": 0.5})");
    write_file(tmp("own.key.json"), key);
    // Columns in another order than the key's, with others around them: found by name.
    write_file(tmp("own.csv"), "id,A4,A3,A2,A1,extra\np1,4,2,5,3,x\np2,-9,1,2,,y\np3,-9,-9,-9,-9,z\n");
    const auto r = run(cli() + " score --key " + tmp("own.key.json") + " --keep id " + tmp("own.csv"), "own");
    REQUIRE_MESSAGE(r.status == 0, r.err);
    CHECK(r.out ==
          "row,id,closeness,closeness_n,worry,worry_n,diff,diff_n,status\n"
          "1,p1,2,2,6,2,0,3,complete\n"
          "2,p2,4,1,2,1,3,2,prorated\n"
          "3,p3,,0,,0,,0,insufficient\n");
    // --min-answered overrides the key's: one item of two is then too few.
    const auto strict =
        run(cli() + " score --key " + tmp("own.key.json") + " --min-answered 1 " + tmp("own.csv"), "strict");
    REQUIRE_MESSAGE(strict.status == 0, strict.err);
    CHECK(strict.out.find("\n2,,1,,1,,2,insufficient\n") != std::string::npos);
    // A header without the key's names and with another column count: the names are in the message.
    write_file(tmp("own_other.csv"), "x,y,z\n1,2,3\n");
    const auto absent = run(cli() + " score --key " + tmp("own.key.json") + " " + tmp("own_other.csv"), "absent");
    CHECK(absent.status == 2);
    CHECK(absent.err.find("of the key's item names, 4 are not in the header (A1, ...)") != std::string::npos);
}

TEST_CASE("a malformed key file is an error naming the file - the JSON path - the problem") {
    const std::string scale = R"("id": "k", "scale": {"min": 1, "max": 7}, "n_items": 36, )";
    const std::string two = R"("subscales": [{"name": "a", "items": [1, 2, 3]}, )";
    struct bad_key {
        std::string text, message;
    };
    const bad_key cases[] = {
        {key_with(scale + two + R"({"name": "b", "items": [4, 5, 6, 7], "reversed": [4, 5, 40]}]})"),
         "subscales[1].reversed[2]: item 40 is not one of the key's 36 items"},
        {key_with(scale + two + R"({"name": "b", "items": [4, 5], "reversed": [6]}]})"),
         "subscales[1].reversed[0]: item 6 is not one of this subscale's items"},
        {key_with(scale + R"("subscales": [{"name": "a", "items": [1, 2], "reverse": [2]}]})"),
         "subscales[0].reverse: unknown field; a subscale has the fields name, items, reversed, aggregation, label, "
         "about"},
        {key_with(scale + R"("subscales": [{"name": "a", "items": [1, 2.5]}]})"),
         "subscales[0].items[1]: 2.5 is not an item: give its number (1 to 36) or its name"},
        {key_with(scale + R"("subscales": [{"name": "a", "items": [1, "Q2"]}]})"),
         "subscales[0].items[1]: \"Q2\" is not one of the key's item names (\"items\")"},
        {key_with(scale + R"("subscales": [{"name": "a", "items": [1, 1]}]})"),
         "subscales[0].items[1]: item 1 is listed twice"},
        {key_with(scale + R"("subscales": [{"name": "a", "items": [1], "aggregation": "avg"}]})"),
         "subscales[0].aggregation: \"avg\" is not mean or sum"},
        {key_with(scale + R"("subscales": []})"), "subscales: missing or empty; a key needs at least one subscale"},
        {key_with(scale + R"("subscales": [{"name": "a", "items": [1]}], "min_answered": 50})"),
         "min_answered: a fraction from 0 to 1 is needed (0.5: half of a subscale's items), got 50"},
        {key_with(R"("id": "k", "n_items": 3, "subscales": [{"name": "a", "items": [1]}]})"),
         "scale: missing; give the response scale, for example {\"min\": 1, \"max\": 7}"},
        {key_with(
             R"("id": "k", "scale": {"min": 5, "max": 1}, "n_items": 3, "subscales": [{"name": "a", "items": [1]}]})"),
         "scale: min must be below max"},
        {key_with(
             scale +
             R"("subscales": [{"name": "a", "items": [1]}], "derived": [{"name": "d", "terms": [{"subscale": "zz"}]}]})"),
         "derived[0].terms[0].subscale: \"zz\" is not the name of one of the key's subscales"},
        {R"({"id": "k"})", "bowlby_key: missing; a key file starts with \"bowlby_key\": 1"},
        {R"({"bowlby_key": 2, "id": "k"})", "bowlby_key: version 2 is newer than this bowlby reads (1)"},
        {"{\"bowlby_key\": 1,\n \"id\": \"k\",\n \"scale\": {\"min\": 1 \"max\": 7}}", "line 3, column "},
        // Found by the fuzzer (tests/fuzz): a number beyond a double's range.
        {key_with(R"("id": "k", "scale": {"min": 1, "max": 2e308}})"),
         "not valid JSON (number overflow parsing '2e308')"},
    };
    int i = 0;
    for (const bad_key& c : cases) {
        CAPTURE(c.text);
        const std::string name = "bad" + std::to_string(i++);
        const auto r = score_with_key(c.text, name);
        CHECK(r.status == 1);
        CHECK_MESSAGE(r.err.find(tmp(name + ".key.json") + ": " + c.message) != std::string::npos, r.err);
    }
}

TEST_CASE("--key goes alone and must exist") {
    write_file(tmp("two.csv"), "A1,A2\n1,2\n");
    const auto both = run(cli() + " score --instrument ecr --key x.json " + tmp("two.csv"), "both");
    CHECK(both.status == 2);
    CHECK(both.err.find("give --instrument or --key, not both") != std::string::npos);
    const auto absent = run(cli() + " score --key " + tmp("no-such-key.json") + " " + tmp("two.csv"), "absent");
    CHECK(absent.status == 1);
    CHECK(absent.err.find("cannot open the key file") != std::string::npos);
    const auto neither = run(cli() + " score " + tmp("two.csv"), "neither");
    CHECK(neither.status == 2);
    CHECK(neither.err.find("--key FILE.json") != std::string::npos);
    const auto unknown = run(cli() + " instruments --export nope", "unknown");
    CHECK(unknown.status == 2);
}
