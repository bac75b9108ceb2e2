// Classification with firmness: cut rules (closed form) and Brennan's Fisher functions
// (numerical integration): 100,000 respondents by a cut rule, 10,000 by the Fisher functions.
//
//   build/release/bench/bowlby_bench_classify
#include <bowlby/classify.hpp>
#include <bowlby/instruments.hpp>

#include <benchmark/benchmark.h>

#include <random>
#include <vector>

namespace {

std::vector<std::pair<double, double>> scores(std::size_t n) {
    std::mt19937_64 rng(5);
    std::uniform_real_distribution<double> u(1, 7);
    std::vector<std::pair<double, double>> s(n);
    for (auto& p : s) p = {u(rng), u(rng)};
    return s;
}

void BM_midpoint(benchmark::State& state) {
    const auto s = scores(static_cast<std::size_t>(state.range(0)));
    const auto rule = bowlby::midpoint_rule({1, 7, true});
    for (auto _ : state)
        for (const auto& [anx, avo] : s) benchmark::DoNotOptimize(rule.classify(anx, avo, {0.3, 0.3}).probability);
    state.SetItemsProcessed(state.iterations() * state.range(0));
}

void BM_brennan(benchmark::State& state) {
    const auto s = scores(static_cast<std::size_t>(state.range(0)));
    const bowlby::brennan_rule rule(bowlby::instrument("ecr"), {1, 7, true});
    for (auto _ : state)
        for (const auto& [anx, avo] : s) benchmark::DoNotOptimize(rule.classify(anx, avo, {0.3, 0.3}).probability);
    state.SetItemsProcessed(state.iterations() * state.range(0));
}

}  // namespace

BENCHMARK(BM_midpoint)->Arg(100000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_brennan)->Arg(10000)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
