// Scoring throughput against the floor of one plain read pass over the same buffer.
//
//   build/release/bench/bowlby_bench_score
//
// Each benchmark reports items/s (answers) and bytes/s. BM_read_pass sums the buffer once:
// no scorer can beat it, so score / read_pass is the cost of scoring over the memory floor.
#include <bowlby/score.hpp>

#include <benchmark/benchmark.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
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

// The floor: one pass that reads every answer and does as little with it as the processor
// allows, so that the pass is bound by memory and not by arithmetic. Bytes are summed eight at
// a time (psadbw) into four independent sums; doubles into eight independent chains of vector
// additions (one chain would wait on the latency of its additions, not on memory). A plain loop
// where SSE2 is not there.
template <class T>
double read_sum(const T* x, Eigen::Index n) {
    Eigen::Index i = 0;
    double rest = 0;
#if defined(__SSE2__)
    if constexpr (std::is_same_v<T, std::uint8_t>) {
        __m128i s[4] = {_mm_setzero_si128(), _mm_setzero_si128(), _mm_setzero_si128(), _mm_setzero_si128()};
        for (; i + 64 <= n; i += 64)
            for (int c = 0; c < 4; ++c)
                s[c] =
                    _mm_add_epi64(s[c], _mm_sad_epu8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(x + i + 16 * c)),
                                                     _mm_setzero_si128()));
        const __m128i t = _mm_add_epi64(_mm_add_epi64(s[0], s[1]), _mm_add_epi64(s[2], s[3]));
        rest = static_cast<double>(_mm_cvtsi128_si64(t) + _mm_cvtsi128_si64(_mm_unpackhi_epi64(t, t)));
    } else if constexpr (std::is_same_v<T, double>) {
        __m128d s[8];
        for (auto& v : s) v = _mm_setzero_pd();
        for (; i + 16 <= n; i += 16)
            for (int c = 0; c < 8; ++c) s[c] = _mm_add_pd(s[c], _mm_loadu_pd(x + i + 2 * c));
        for (int c = 1; c < 8; ++c) s[0] = _mm_add_pd(s[0], s[c]);
        rest = _mm_cvtsd_f64(_mm_add_sd(s[0], _mm_unpackhi_pd(s[0], s[0])));
    }
#endif
    for (; i < n; ++i) rest += static_cast<double>(x[i]);
    return rest;
}

// One read pass on `threads` threads, each reading its part of the buffer on a thread of its
// own (started per pass, as the scorer starts its threads per call).
template <class T>
double read_pass(const T* x, Eigen::Index n, unsigned threads) {
    if (threads == 1) return read_sum(x, n);
    std::vector<double> part(threads);
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads; ++t) {
        const Eigen::Index b = n * t / threads, e = n * (t + 1) / threads;
        pool.emplace_back([&part, x, t, b, e] { part[t] = read_sum(x + b, e - b); });
    }
    part[0] = read_sum(x, n / threads);
    for (auto& th : pool) th.join();
    double total = 0;
    for (double p : part) total += p;
    return total;
}

template <class T, unsigned Threads = 1>
void BM_read_pass(benchmark::State& state) {
    const auto x = ecr_data<T>(state.range(0));
    for (auto _ : state) benchmark::DoNotOptimize(read_pass(x.data(), x.size(), Threads));
    state.SetItemsProcessed(state.iterations() * x.size());
    state.SetBytesProcessed(state.iterations() * x.size() * static_cast<std::int64_t>(sizeof(T)));
}

// Bytes written once: with `stream`, 16-byte non-temporal stores where SSE2 has them (so that
// the lines are not read first), as the scorer stores the scores of large tables.
void write_once(void* p, std::size_t bytes, bool stream) {
    auto* c = static_cast<unsigned char*>(p);
    std::size_t i = 0;
#if defined(__SSE2__)
    if (stream) {
        const __m128i v = _mm_set1_epi8(1);
        for (; i < bytes && reinterpret_cast<std::uintptr_t>(c + i) % 16 != 0; ++i) c[i] = 1;
        for (; i + 16 <= bytes; i += 16) _mm_stream_si128(reinterpret_cast<__m128i*>(c + i), v);
        _mm_sfence();
    }
#else
    (void)stream;
#endif
    std::memset(c + i, 1, bytes - i);
}

// The other floor of scoring: a fresh score table of N rows (as score() makes it) written once
// in full, doing nothing else. The scorer must both read the answers and write this table; for
// bytes the table (26 bytes a row: two double scores, two int counts, two status bytes) is
// nearly as large as the answers (36 bytes a row), so read pass + write pass bounds it.
void BM_write_pass(benchmark::State& state) {
    const bowlby::scorer<bowlby::instruments::ecr> ecr;
    const Eigen::Index rows = state.range(0);
    std::size_t bytes = 0;
    for (auto _ : state) {
        auto t = bowlby::detail::make_table<double>(ecr.key(), rows);
        const auto cells = static_cast<std::size_t>(t.values.size());
        bytes = cells * (sizeof(double) + sizeof(int) + 1);
        // As score_rows stores them: scores streamed when the table is large, counts and
        // statuses through the cache (see detail::streamable).
        const bool stream = bowlby::detail::written_around_cache(t);
        write_once(t.values.data(), cells * sizeof(double), stream);
        write_once(t.answered.data(), cells * sizeof(int), false);
        write_once(t.status_codes.data(), cells, false);
        benchmark::DoNotOptimize(t.values.data());
    }
    state.SetItemsProcessed(state.iterations() * rows);
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(bytes));
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

// Two threads against one, measured in pairs: each iteration runs the task on one thread and
// on two, back to back (in turns, which goes first), so that both see the same state of a
// shared machine. Reported as counters: the median time of each, and the median of the
// iterations' ratios (`speedup`). Score = false runs the read pass (the floor) instead.
template <class T, bool Score>
void BM_two_against_one(benchmark::State& state) {
    const auto x = ecr_data<T>(state.range(0));
    bowlby::score_options o1, o2;
    o2.threads = 2;
    const bowlby::scorer<bowlby::instruments::ecr> one(o1), two(o2);
    auto run = [&](unsigned threads) {
        const auto t0 = std::chrono::steady_clock::now();
        if constexpr (Score) {
            auto t = (threads == 1 ? one : two).score(x);
            benchmark::DoNotOptimize(t.values.data());
        } else {
            benchmark::DoNotOptimize(read_pass(x.data(), x.size(), threads));
        }
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    };
    std::vector<double> t1, t2, ratio;
    for (auto _ : state) {
        const bool one_first = t1.size() % 2 == 0;
        const double a = one_first ? run(1) : 0.0;
        const double b = run(2);
        const double c = one_first ? a : run(1);
        t1.push_back(c);
        t2.push_back(b);
        ratio.push_back(c / b);
    }
    auto median = [](std::vector<double> v) {
        std::sort(v.begin(), v.end());
        const std::size_t n = v.size();
        return n == 0 ? 0.0 : n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    };
    state.counters["one_thread_ms"] = median(t1) * 1e3;
    state.counters["two_threads_ms"] = median(t2) * 1e3;
    state.counters["speedup"] = median(ratio);
}

}  // namespace

BENCHMARK(BM_two_against_one<double, true>)->Arg(1000000)->Iterations(40)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_two_against_one<std::uint8_t, true>)->Arg(1000000)->Iterations(100)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_two_against_one<double, false>)->Arg(1000000)->Iterations(40)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_two_against_one<std::uint8_t, false>)->Arg(1000000)->Iterations(100)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_read_pass<std::uint8_t>)->Arg(1000)->Arg(100000)->Arg(1000000);
BENCHMARK(BM_score<std::uint8_t>)->Arg(1000)->Arg(100000)->Arg(1000000);
BENCHMARK(BM_write_pass)->Arg(1000000);
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
