// The scoring rule (bowlby/rule.hpp) on hand-worked cases, its whole-number test against every
// kind of double (and the SIMD forms of it against the scalar one), and the item accumulator's
// byte format.
#include <bowlby/detail/score/row_kernel.hpp>
#include <bowlby/item_statistics.hpp>
#include <bowlby/rule.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace {
constexpr double inf = std::numeric_limits<double>::infinity();
constexpr double not_a_number = std::numeric_limits<double>::quiet_NaN();

// Doubles of every kind: zeros, fractions, whole numbers near the int32 and 2^52 limits,
// subnormals, the largest finite values, infinities and NaN.
std::vector<double> special_doubles() {
    std::vector<double> v = {0.0,
                             -0.0,
                             0.5,
                             -0.5,
                             1.0,
                             -1.0,
                             1.5,
                             7.0,
                             7.000000000000001,
                             6.999999999999999,
                             2147483647.0,
                             2147483647.5,
                             2147483648.0,
                             -2147483648.0,
                             -2147483648.5,
                             -2147483649.0,
                             4503599627370495.5,  // 2^52 - 0.5: the last fraction
                             4503599627370496.0,  // 2^52
                             9007199254740993.0,  // rounds to 2^53
                             1e300,
                             -1e300,
                             std::numeric_limits<double>::max(),
                             std::numeric_limits<double>::lowest(),
                             std::numeric_limits<double>::min(),
                             std::numeric_limits<double>::denorm_min(),
                             -std::numeric_limits<double>::denorm_min(),
                             0.1,
                             1e-300,
                             inf,
                             -inf,
                             not_a_number};
    std::mt19937_64 rng(20261207);
    for (int i = 0; i < 2000; ++i) {
        std::uint64_t bits = rng();
        double d;
        std::memcpy(&d, &bits, sizeof d);
        v.push_back(d);
        v.push_back(std::trunc(std::ldexp(static_cast<double>(rng() % 1000000), static_cast<int>(rng() % 60)) / 3.0));
    }
    return v;
}

#if defined(BOWLBY_SIMD_AVX2)
// The AVX2 form's mask for four doubles, compiled for AVX2 (run only where the processor has it).
BOWLBY_AVX2_REGION_BEGIN
std::uint64_t avx2_whole_mask(const double* at) {
    using avx2 = bowlby::detail::avx2::dv;
    return avx2::mask(avx2::is_whole(avx2::load(at)));
}
BOWLBY_AVX2_REGION_END
#endif

// The definition, by another route: x is whole when it is finite and equals its floor.
bool whole_by_floor(double x) { return std::isfinite(x) && std::floor(x) == x; }
}  // namespace

TEST_CASE("rule::is_whole is exact for every kind of double") {
    for (double x : special_doubles()) {
        CAPTURE(x);
        CHECK(bowlby::rule::is_whole(x) == whole_by_floor(x));
    }
}

#if defined(BOWLBY_SIMD_SSE2)
TEST_CASE("the SIMD forms of the whole-number test agree with rule::is_whole") {
    const std::vector<double> v = special_doubles();
    for (std::size_t i = 0; i + 1 < v.size(); ++i) {
        CAPTURE(v[i]);
        CAPTURE(v[i + 1]);
        using sse2 = bowlby::detail::sse2::dv;
        const std::uint64_t m = sse2::mask(sse2::is_whole(sse2::load(&v[i])));
        CHECK((m & 1) == static_cast<std::uint64_t>(bowlby::rule::is_whole(v[i])));
        CHECK(((m >> 1) & 1) == static_cast<std::uint64_t>(bowlby::rule::is_whole(v[i + 1])));
#if defined(BOWLBY_SIMD_AVX2)
        if (bowlby::detail::simd_avx2() && i + 3 < v.size()) {
            const std::uint64_t w = avx2_whole_mask(&v[i]);
            for (std::size_t l = 0; l < 4; ++l)
                CHECK(((w >> l) & 1) == static_cast<std::uint64_t>(bowlby::rule::is_whole(v[i + l])));
        }
#endif
    }
}
#endif

TEST_CASE("rule::classify - missing - on the scale - and each kind of invalid answer") {
    using bowlby::rule::cell;
    const bowlby::response_scale s{1, 7, true};
    const std::vector<double> codes = {0, -99};
    CHECK(bowlby::rule::classify(not_a_number, s, codes) == cell::missing);
    CHECK(bowlby::rule::classify(0.0, s, codes) == cell::missing);
    CHECK(bowlby::rule::classify(-99, s, codes) == cell::missing);
    CHECK(bowlby::rule::classify(1.0, s, codes) == cell::answered);
    CHECK(bowlby::rule::classify(7, s, codes) == cell::answered);
    CHECK(bowlby::rule::classify(std::uint8_t{4}, s, codes) == cell::answered);
    CHECK(bowlby::rule::classify(8.0, s, codes) == cell::out_of_range);
    CHECK(bowlby::rule::classify(0.999, s, codes) == cell::out_of_range);
    CHECK(bowlby::rule::classify(inf, s, codes) == cell::infinite);
    CHECK(bowlby::rule::classify(2.5, s, codes) == cell::fractional);
    // On a scale that is not whole-number, fractions are answers.
    CHECK(bowlby::rule::classify(2.5, bowlby::response_scale{0, 10, false}, {}) == cell::answered);
    // A missing code wins over the scale: 4 is missing when it is a code.
    CHECK(bowlby::rule::classify(4.0, s, std::vector<double>{4}) == cell::missing);
}

TEST_CASE("rule keying - needed answers - subscale scores and statuses by hand") {
    using bowlby::score_status;
    namespace rule = bowlby::rule;
    const bowlby::response_scale s17{1, 7, true}, s15{1, 5, true}, s04{0, 4, true};
    CHECK(rule::keyed(2, true, s17) == 6);  // (1 + 7) - 2
    CHECK(rule::keyed(2, false, s17) == 2);
    CHECK(rule::keyed(2, true, s15) == 4);  // (1 + 5) - 2
    CHECK(rule::keyed(0, true, s04) == 4);  // (0 + 4) - 0
    // min_answered 0.5 of 18 items: 9; 0.7 of 10: 7 (not 8 from 0.7 * 10 = 7.000000000000001);
    // 0 still needs one; 1 needs all.
    CHECK(rule::needed(0.5, 18) == 9);
    CHECK(rule::needed(0.5, 3) == 2);
    CHECK(rule::needed(0.7, 10) == 7);
    CHECK(rule::needed(0.0, 5) == 1);
    CHECK(rule::needed(1.0, 6) == 6);
    // Items 5, 3, missing, 6 of a 4-item subscale: mean 14 / 3; as a sum, 14 / 3 * 4.
    CHECK(rule::subscale_value(14, 3, 2, 4, false) == 14.0 / 3.0);
    CHECK(rule::subscale_value(14, 3, 2, 4, true) == 14.0 / 3.0 * 4.0);
    CHECK(rule::subscale_status(3, 2, 4) == score_status::prorated);
    CHECK(rule::subscale_status(4, 2, 4) == score_status::complete);
    CHECK(rule::subscale_status(1, 2, 4) == score_status::insufficient);
    CHECK(std::isnan(rule::subscale_value(5, 1, 2, 4, false)));
    CHECK(rule::combine(score_status::complete, score_status::prorated) == score_status::prorated);
    CHECK(rule::combine(score_status::insufficient, score_status::prorated) == score_status::insufficient);
    CHECK(rule::combine(score_status::complete, score_status::complete) == score_status::complete);
}

TEST_CASE("rule::throw_invalid says where - what - and why") {
    const bowlby::response_scale s{1, 7, true};
    try {
        bowlby::rule::throw_invalid(s, 1, 4, 2.5, bowlby::rule::cell::fractional);
    } catch (const bowlby::invalid_response& e) {
        CHECK(e.row() == 1);
        CHECK(e.item() == 4);
        CHECK(std::string(e.what()) ==
              "row 2, item 5: value 2.5 is not a whole number (the response scale 1..7 takes whole numbers)");
    }
}

TEST_CASE("an item accumulator survives its byte format - and merges the same after it") {
    std::mt19937_64 rng(7);
    std::uniform_int_distribution<int> answer(1, 5);
    auto chunk = [&](int rows) {
        Eigen::MatrixXd x(rows, 6);
        for (Eigen::Index r = 0; r < x.rows(); ++r)
            for (Eigen::Index c = 0; c < x.cols(); ++c)
                x(r, c) = (r + c) % 11 == 0 ? not_a_number : answer(rng) + 0.25 * static_cast<double>(r % 3);
        return x;
    };
    bowlby::item_accumulator a(6, 3.0, {0, 0, 0, 1, 1, 1}), b(6, 3.0, {0, 0, 0, 1, 1, 1});
    a.add(chunk(500));
    b.add(chunk(700));
    const std::string bytes = b.to_bytes();
    const bowlby::item_accumulator b2 = bowlby::item_accumulator::from_bytes(bytes);
    CHECK(b2.to_bytes() == bytes);
    bowlby::item_accumulator via_bytes = a, direct = a;
    via_bytes.merge(b2);
    direct.merge(b);
    CHECK(via_bytes.to_bytes() == direct.to_bytes());
    CHECK(via_bytes.rows() == 1200);
    const auto c1 = via_bytes.covariance({0, 1, 2, 3, 4, 5}, bowlby::missing_method::pairwise);
    const auto c2 = direct.covariance({0, 1, 2, 3, 4, 5}, bowlby::missing_method::pairwise);
    CHECK(c1 == c2);
    CHECK(via_bytes.person_scores(1).sxx == direct.person_scores(1).sxx);
}

TEST_CASE("bytes that are not an item accumulator's are refused with a reason") {
    bowlby::item_accumulator a(3, 3.0);
    a.add(Eigen::MatrixXd::Constant(4, 3, 2.0));
    const std::string good = a.to_bytes();
    CHECK_THROWS_WITH_AS(bowlby::item_accumulator::from_bytes("hello"),
                         "not the bytes of a bowlby item accumulator (they start differently)", bowlby::error);
    CHECK_THROWS_WITH_AS(bowlby::item_accumulator::from_bytes(good.substr(0, good.size() - 3)),
                         doctest::Contains("end early"), bowlby::error);
    CHECK_THROWS_WITH_AS(bowlby::item_accumulator::from_bytes(good + "x"),
                         "item accumulator bytes have 1 bytes past the end", bowlby::error);
    std::string other_version = good;
    other_version[24] = 2;  // the version word follows the 24-byte magic
    CHECK_THROWS_WITH_AS(bowlby::item_accumulator::from_bytes(other_version),
                         "item accumulator bytes of format version 2; this bowlby reads 1", bowlby::error);
}
