// Scoring throughput against the floor of one plain read pass over the same buffer.
//
//   build/release/bench/bowlby_bench_score
//
// Each benchmark reports items/s (answers) and bytes/s. BM_read_pass sums the buffer once:
// no scorer can beat it, so score / read_pass is the cost of scoring over the memory floor.
#include <bowlby/score.hpp>

#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <type_traits>

namespace {

template <class T, int Order = Eigen::RowMajor>
Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Order> ecr_data(Eigen::Index rows, bool with_missing = false) {
    std::mt19937 rng(1);
    std::uniform_int_distribution<int> answer(1, 7), miss(0, 49);
    Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Order> x(rows, 36);
    for (Eigen::Index i = 0; i < x.size(); ++i) {
        // Missing: NaN in floating input, the code 0 in integer input.
        const bool missing = with_missing && miss(rng) == 0;
        x.data()[i] =
            missing ? (std::is_floating_point_v<T> ? static_cast<T>(NAN) : T(0)) : static_cast<T>(answer(rng));
    }
    return x;
}

template <class T>
void BM_read_pass(benchmark::State& state) {
    const auto x = ecr_data<T>(state.range(0));
    for (auto _ : state) {
        double sum = 0;
        for (Eigen::Index i = 0; i < x.size(); ++i) sum += static_cast<double>(x.data()[i]);
        benchmark::DoNotOptimize(sum);
    }
    state.SetItemsProcessed(state.iterations() * x.size());
    state.SetBytesProcessed(state.iterations() * x.size() * static_cast<std::int64_t>(sizeof(T)));
}

template <class T, int Order = Eigen::RowMajor, bool Missing = false>
void BM_score(benchmark::State& state) {
    const auto x = ecr_data<T, Order>(state.range(0), Missing);
    bowlby::score_options o;
    if (Missing && !std::is_floating_point_v<T>) o.missing_codes = {0};
    const bowlby::scorer<bowlby::instruments::ecr> ecr(o);
    for (auto _ : state) {
        auto t = ecr.score(x);
        benchmark::DoNotOptimize(t.values.data());
    }
    state.SetItemsProcessed(state.iterations() * x.size());
    state.SetBytesProcessed(state.iterations() * x.size() * static_cast<std::int64_t>(sizeof(T)));
}

}  // namespace

BENCHMARK(BM_read_pass<std::uint8_t>)->Arg(1000)->Arg(100000)->Arg(1000000);
BENCHMARK(BM_score<std::uint8_t>)->Arg(1000)->Arg(100000)->Arg(1000000);
BENCHMARK(BM_score<std::uint8_t, Eigen::RowMajor, true>)->Arg(1000000);
BENCHMARK(BM_score<std::int16_t>)->Arg(1000000);
BENCHMARK(BM_read_pass<double>)->Arg(1000)->Arg(100000)->Arg(1000000);
BENCHMARK(BM_score<double>)->Arg(1000)->Arg(100000)->Arg(1000000);
BENCHMARK(BM_score<double, Eigen::ColMajor>)->Arg(1000000);
BENCHMARK(BM_score<double, Eigen::RowMajor, true>)->Arg(1000000);
BENCHMARK(BM_score<float>)->Arg(1000000);
BENCHMARK(BM_read_pass<std::uint8_t>)->Arg(10000000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_score<std::uint8_t>)->Arg(10000000)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
