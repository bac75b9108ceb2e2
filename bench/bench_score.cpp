// Scoring throughput against the floor of one plain read pass over the same buffer.
//
//   build/release/bench/bowlby_bench_score
//
// Each benchmark reports items/s (answers) and bytes/s. BM_read_pass sums the buffer once:
// no scorer can beat it, so score / read_pass is the cost of scoring over the memory floor.
#include <bowlby/score.hpp>

#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>

namespace {

template <class T>
Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> ecr_data(Eigen::Index rows) {
    std::mt19937 rng(1);
    std::uniform_int_distribution<int> answer(1, 7);
    Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> x(rows, 36);
    for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = static_cast<T>(answer(rng));
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

template <class T>
void BM_score(benchmark::State& state) {
    const auto x = ecr_data<T>(state.range(0));
    const bowlby::scorer<bowlby::instruments::ecr> ecr;
    for (auto _ : state) {
        auto t = ecr.score(x);
        benchmark::DoNotOptimize(t.values.data());
    }
    state.SetItemsProcessed(state.iterations() * x.size());
    state.SetBytesProcessed(state.iterations() * x.size() * static_cast<std::int64_t>(sizeof(T)));
}

}  // namespace

BENCHMARK(BM_read_pass<std::uint8_t>)->Arg(100000)->Arg(1000000);
BENCHMARK(BM_score<std::uint8_t>)->Arg(100000)->Arg(1000000);
BENCHMARK(BM_read_pass<double>)->Arg(100000)->Arg(1000000);
BENCHMARK(BM_score<double>)->Arg(100000)->Arg(1000000);

BENCHMARK_MAIN();
