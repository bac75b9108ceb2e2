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
#include <thread>
#include <type_traits>
#include <vector>

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

// The floor: one pass that reads every answer and does as little as the compiler allows
// with it (integer sums vectorise; floating-point sums run in four independent chains, so
// that the pass is bound by memory, not by the latency of one chain of additions).
template <class T>
double read_sum(const T* x, Eigen::Index n) {
    if constexpr (std::is_integral_v<T>) {
        std::uint64_t sum = 0;
        for (Eigen::Index i = 0; i < n; ++i) sum += static_cast<std::uint64_t>(x[i]);
        return static_cast<double>(sum);
    } else {
        double s[4] = {0, 0, 0, 0};
        const Eigen::Index n4 = n / 4 * 4;
        for (Eigen::Index i = 0; i < n4; i += 4)
            for (int l = 0; l < 4; ++l) s[l] += static_cast<double>(x[i + l]);
        for (Eigen::Index i = n4; i < n; ++i) s[0] += static_cast<double>(x[i]);
        return s[0] + s[1] + s[2] + s[3];
    }
}

// With Threads > 1 the buffer is cut into that many parts, each read on a thread of its own
// (started per pass, as the scorer starts its threads per call).
template <class T, unsigned Threads = 1>
void BM_read_pass(benchmark::State& state) {
    const auto x = ecr_data<T>(state.range(0));
    for (auto _ : state) {
        if constexpr (Threads == 1) {
            benchmark::DoNotOptimize(read_sum(x.data(), x.size()));
        } else {
            double part[Threads];
            std::vector<std::thread> pool;
            for (unsigned t = 0; t < Threads; ++t) {
                const Eigen::Index b = x.size() * t / Threads, e = x.size() * (t + 1) / Threads;
                pool.emplace_back([&part, &x, t, b, e] { part[t] = read_sum(x.data() + b, e - b); });
            }
            for (auto& th : pool) th.join();
            benchmark::DoNotOptimize(part[0] + part[Threads - 1]);
        }
    }
    state.SetItemsProcessed(state.iterations() * x.size());
    state.SetBytesProcessed(state.iterations() * x.size() * static_cast<std::int64_t>(sizeof(T)));
}

template <class T, int Order = Eigen::RowMajor, bool Missing = false, unsigned Threads = 1>
void BM_score(benchmark::State& state) {
    const auto x = ecr_data<T, Order>(state.range(0), Missing);
    bowlby::score_options o;
    if (Missing && !std::is_floating_point_v<T>) o.missing_codes = {0};
    o.threads = Threads;
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
BENCHMARK(BM_read_pass<std::uint8_t, 2>)->Arg(1000000)->UseRealTime();
BENCHMARK(BM_score<std::uint8_t, Eigen::RowMajor, false, 2>)->Arg(1000000)->UseRealTime();
BENCHMARK(BM_score<std::uint8_t, Eigen::RowMajor, true>)->Arg(1000000);
BENCHMARK(BM_score<std::int16_t>)->Arg(1000000);
BENCHMARK(BM_read_pass<double>)->Arg(1000)->Arg(100000)->Arg(1000000);
BENCHMARK(BM_score<double>)->Arg(1000)->Arg(100000)->Arg(1000000);
BENCHMARK(BM_read_pass<double, 2>)->Arg(1000000)->UseRealTime();
BENCHMARK(BM_score<double, Eigen::RowMajor, false, 2>)->Arg(1000000)->UseRealTime();
BENCHMARK(BM_score<double, Eigen::ColMajor>)->Arg(1000000);
BENCHMARK(BM_score<double, Eigen::RowMajor, true>)->Arg(1000000);
BENCHMARK(BM_score<float>)->Arg(1000000);
BENCHMARK(BM_read_pass<std::uint8_t>)->Arg(10000000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_score<std::uint8_t>)->Arg(10000000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_score<std::uint8_t, Eigen::RowMajor, false, 2>)
    ->Arg(10000000)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
