// Reliability statistics: accumulating N x k answers (one streaming pass; whole-number answers
// take the accumulator's integer path, and BM_accumulate_in_doubles holds it to doubles for
// comparison) and computing every statistic, for k from 6 to 100; the seeded bootstrap with
// 1000 repetitions.
//
//   build/release/bench/bowlby_bench_reliability
#include <bowlby/reliability.hpp>

#include <benchmark/benchmark.h>

#include <random>

namespace {

// One factor plus noise, rounded to 1-7, one answer in 50 missing.
Eigen::MatrixXd answers(Eigen::Index n, Eigen::Index k) {
    std::mt19937_64 rng(3);
    std::normal_distribution<double> z;
    std::uniform_int_distribution<int> miss(0, 49);
    Eigen::MatrixXd x(n, k);
    for (Eigen::Index r = 0; r < n; ++r) {
        const double f = z(rng);
        for (Eigen::Index j = 0; j < k; ++j)
            x(r, j) = miss(rng) == 0 ? std::nan("") : std::clamp(std::round(4 + f + z(rng)), 1.0, 7.0);
    }
    return x;
}

void BM_accumulate(benchmark::State& state) {
    const Eigen::MatrixXd x = answers(state.range(0), state.range(1));
    for (auto _ : state) {
        bowlby::item_accumulator acc(x.cols(), 4.0);
        acc.add(x);
        benchmark::DoNotOptimize(acc.rows());
    }
    state.SetItemsProcessed(state.iterations() * x.size());
    state.SetBytesProcessed(state.iterations() * x.size() * static_cast<std::int64_t>(sizeof(double)));
}

// The same with the accumulator held to its path in doubles (the integer path's baseline: the
// answers are whole numbers, which add() otherwise sums as integers).
void BM_accumulate_in_doubles(benchmark::State& state) {
    const bool was = bowlby::detail::integer_moments().exchange(false);
    BM_accumulate(state);
    bowlby::detail::integer_moments() = was;
}

void BM_all_statistics(benchmark::State& state) {
    const Eigen::MatrixXd x = answers(state.range(0), state.range(1));
    for (auto _ : state) {
        auto r = bowlby::reliability(x);
        benchmark::DoNotOptimize(r.alpha.raw_alpha);
    }
    state.SetItemsProcessed(state.iterations() * x.size());
    state.SetBytesProcessed(state.iterations() * x.size() * static_cast<std::int64_t>(sizeof(double)));
}

void BM_bootstrap(benchmark::State& state) {
    const Eigen::MatrixXd x = answers(state.range(0), 18);
    bowlby::reliability_options o;
    o.bootstrap = 1000;
    o.threads = static_cast<unsigned>(state.range(1));
    for (auto _ : state) {
        auto ci = bowlby::bootstrap_alpha(x, o);
        benchmark::DoNotOptimize(ci.lower);
    }
    state.SetItemsProcessed(state.iterations() * x.size() * 1000);
}

}  // namespace

BENCHMARK(BM_accumulate)->ArgsProduct({{10000, 1000000}, {6, 18, 36, 100}})->Unit(benchmark::kMillisecond);
BENCHMARK(BM_accumulate)->Args({10000000, 6})->Unit(benchmark::kMillisecond);
BENCHMARK(BM_accumulate_in_doubles)->ArgsProduct({{1000000}, {6, 18, 36, 100}})->Unit(benchmark::kMillisecond);
BENCHMARK(BM_all_statistics)->ArgsProduct({{10000, 1000000}, {6, 18, 36}})->Unit(benchmark::kMillisecond);
BENCHMARK(BM_bootstrap)->Args({10000, 1})->Args({10000, 2})->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
