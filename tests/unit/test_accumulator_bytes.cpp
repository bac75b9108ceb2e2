// The instrument accumulator's byte format (what crosses processes in the Python package's
// pickles and Dask reductions): a round trip gives the same totals and statistics, merging
// through bytes equals merging directly, and bytes or accumulators of another key, scale,
// missing codes, version or format are refused with a sentence naming the difference.
#include <bowlby/instrument_accumulator.hpp>
#include <bowlby/instruments.hpp>
#include <bowlby/reliability.hpp>

#include <doctest/doctest.h>

#include <cstdint>
#include <random>
#include <string>

namespace {

// Answers to the 36 ECR items on 1-5 with 0 for "no answer", as in the openpsychometrics file.
Eigen::Matrix<std::uint8_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> ecr_answers(int rows, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<int> answer(0, 5);
    Eigen::Matrix<std::uint8_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> x(rows, 36);
    for (Eigen::Index r = 0; r < x.rows(); ++r)
        for (Eigen::Index c = 0; c < x.cols(); ++c) x(r, c) = static_cast<std::uint8_t>(answer(rng));
    return x;
}

bowlby::score_options on_1_to_5() {
    bowlby::score_options o;
    o.data_scale = bowlby::response_scale{1, 5, true};
    o.missing_codes = {0};
    return o;
}

}  // namespace

TEST_CASE("an instrument accumulator survives its byte format - and merges the same after it") {
    const bowlby::key_view& ecr = bowlby::instrument("ecr");
    const bowlby::score_options o = on_1_to_5();
    bowlby::instrument_accumulator a(ecr, o), b(ecr, o);
    a.add(ecr_answers(700, 1));
    b.add(ecr_answers(900, 2).cast<double>());
    const std::string bytes = b.to_bytes();
    const bowlby::instrument_accumulator b2 = bowlby::instrument_accumulator::from_bytes(ecr, o, bytes);
    CHECK(b2.to_bytes() == bytes);
    CHECK(b2.items().to_bytes() == b.items().to_bytes());
    bowlby::instrument_accumulator via_bytes = a, direct = a;
    via_bytes.merge(b2);
    direct.merge(b);
    CHECK(via_bytes.to_bytes() == direct.to_bytes());
    const auto rv = bowlby::reliability(via_bytes), rd = bowlby::reliability(direct);
    REQUIRE(rv.size() == 2);
    for (std::size_t s = 0; s < 2; ++s) {
        CHECK(rv[s].n == 1600);
        CHECK(rv[s].alpha.raw_alpha == rd[s].alpha.raw_alpha);
        CHECK(rv[s].sd == rd[s].sd);
        CHECK(rv[s].n_complete == rd[s].n_complete);
        CHECK(rv[s].items[3].r_drop == rd[s].items[3].r_drop);
    }
}

TEST_CASE("instrument accumulator bytes of another key or other options are refused - saying what differs") {
    const bowlby::key_view& ecr = bowlby::instrument("ecr");
    const bowlby::score_options o = on_1_to_5();
    bowlby::instrument_accumulator a(ecr, o);
    a.add(ecr_answers(50, 3));
    const std::string good = a.to_bytes();
    using bowlby::instrument_accumulator;
    CHECK_THROWS_WITH_AS(instrument_accumulator::from_bytes(bowlby::instrument("ecr-r"), o, good),
                         doctest::Contains("the instruments differ ('ecr-r' and 'ecr')"), bowlby::error);
    CHECK_THROWS_WITH_AS(instrument_accumulator::from_bytes(ecr, {}, good),
                         doctest::Contains("the response scales differ (1..7 and 1..5)"), bowlby::error);
    bowlby::score_options other_codes = o;  // which answers count, not what the sums mean
    other_codes.missing_codes = {0, 255};
    CHECK(instrument_accumulator::from_bytes(ecr, other_codes, good).to_bytes() == good);
    bowlby::questionnaire changed(ecr);
    changed.add_subscale("extra", {1, 2});
    CHECK_THROWS_WITH_AS(instrument_accumulator::from_bytes(changed.view(), o, good),
                         doctest::Contains("differ in their number of subscales"), bowlby::error);
    CHECK_THROWS_WITH_AS(instrument_accumulator::from_bytes(ecr, o, "hello"),
                         "not the bytes of a bowlby instrument accumulator (they start differently)", bowlby::error);
    std::string other_version = good;
    other_version[30] = 2;  // the version word follows the 30-byte magic
    CHECK_THROWS_WITH_AS(instrument_accumulator::from_bytes(ecr, o, other_version),
                         "instrument accumulator bytes of format version 2; this bowlby reads 1", bowlby::error);
    CHECK_THROWS_WITH_AS(instrument_accumulator::from_bytes(ecr, o, good.substr(0, good.size() - 5)),
                         doctest::Contains("end early"), bowlby::error);
}

TEST_CASE("instrument accumulators of different keys or scales do not merge - other missing codes do") {
    const bowlby::score_options o = on_1_to_5();
    bowlby::instrument_accumulator ecr(bowlby::instrument("ecr"), o), ecr_r(bowlby::instrument("ecr-r"), o),
        ecr_7(bowlby::instrument("ecr"), {});
    bowlby::score_options with_255 = o;  // as the tool reads a block of bytes: 255 for an empty cell
    with_255.missing_codes.push_back(255);
    bowlby::instrument_accumulator bytes_block(bowlby::instrument("ecr"), with_255);
    bytes_block.add(ecr_answers(20, 4));
    ecr.merge(bytes_block);
    CHECK(ecr.items().rows() == 20);
    CHECK_THROWS_WITH_AS(ecr.merge(ecr_r),
                         "instrument accumulators that cannot be merged: the instruments differ ('ecr' and 'ecr-r')",
                         bowlby::option_error);
    CHECK_THROWS_WITH_AS(ecr.merge(ecr_7), doctest::Contains("the response scales differ (1..5 and 1..7)"),
                         bowlby::option_error);
}
