// CSV parsing and scoring end to end from an in-memory file of N x 36 ECR answers, next to a
// plain pass that counts the lines of the same buffer (the floor).
//
//   build/release/bench/bowlby_bench_csv
#include <bowlby/csv.hpp>
#include <bowlby/score.hpp>

#include <benchmark/benchmark.h>

#include <algorithm>
#include <random>
#include <sstream>
#include <string>

namespace {

std::string ecr_csv(long rows) {
    std::mt19937 rng(2);
    std::uniform_int_distribution<int> a(1, 7);
    std::string s = "id";
    for (int i = 1; i <= 36; ++i) s += ",Q" + std::to_string(i);
    s += "\n";
    for (long r = 0; r < rows; ++r) {
        s += std::to_string(r);
        for (int i = 0; i < 36; ++i) {
            s += ',';
            s += static_cast<char>('0' + a(rng));
        }
        s += '\n';
    }
    return s;
}

void BM_line_count(benchmark::State& state) {
    const std::string csv = ecr_csv(state.range(0));
    for (auto _ : state) benchmark::DoNotOptimize(std::count(csv.begin(), csv.end(), '\n'));
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(csv.size()));
}

void BM_parse_and_score(benchmark::State& state) {
    const std::string csv = ecr_csv(state.range(0));
    const bowlby::key_view& ecr = bowlby::instrument("ecr");
    for (auto _ : state) {
        std::istringstream in(csv);
        bowlby::csv::reader reader(in);
        std::vector<std::string> f;
        reader.next(f);
        Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> chunk(4096, 36);
        bowlby::chunk_scorer<double> scorer(ecr, {});
        double sum = 0;
        Eigen::Index n = 0;
        auto flush = [&] {
            if (n) sum += scorer.score(chunk.topRows(n)).values.sum();
            n = 0;
        };
        while (reader.next(f)) {
            for (Eigen::Index j = 0; j < 36; ++j) {
                double v = 0;
                bowlby::csv::parse_answer(f[static_cast<std::size_t>(j) + 1], v);
                chunk(n, j) = v;
            }
            if (++n == chunk.rows()) flush();
        }
        flush();
        benchmark::DoNotOptimize(sum);
    }
    state.SetItemsProcessed(state.iterations() * state.range(0) * 36);
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(csv.size()));
}

}  // namespace

BENCHMARK(BM_line_count)->Arg(100000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_parse_and_score)->Arg(100000)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
