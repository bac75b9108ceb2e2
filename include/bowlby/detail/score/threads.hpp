// bowlby: scoring of adult-attachment questionnaires. MIT licence, see LICENSE.
//
// Scoring one matrix on several threads: contiguous ranges of rows, each scored as one thread
// would score it (score_rows), so the scores never depend on the thread count.
#pragma once

#include "bowlby/detail/score/plan.hpp"
#include "bowlby/detail/score/row_kernel.hpp"
#include "bowlby/detail/score/score_rows.hpp"
#include "bowlby/score_table.hpp"

#include <Eigen/Core>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <thread>
#include <type_traits>
#include <vector>

namespace bowlby::detail {

/// Scores all rows of `input` into `out` (sized already), on plan.threads threads, which take
/// ranges of rows in turn (so that a thread slowed down by other work on its core does not hold
/// up the rest). Adds the invalid answers counted to out.invalid_cells. When several ranges
/// hold an invalid answer (invalid_policy::error), the earliest range's error is thrown, as a
/// single thread would.
template <class Scalar, class Derived>
void score_all(const scoring_plan& p, const Eigen::MatrixBase<Derived>& input, score_table<Scalar>& out) {
    const typename Eigen::internal::nested_eval<Derived, 1>::type X = input.derived();
    unsigned threads = p.threads == 0 ? std::max(1u, std::thread::hardware_concurrency()) : p.threads;
    // Ranges of about equal size, 16,384 to 65,536 rows (whole blocks), at least eight a thread
    // where the rows allow: a range has a cost of its own (it starts new streams of reads and
    // writes, and scores the rows before its first cache line of scores apart), so fewer and
    // longer ranges do better while there are enough of them to share out.
    const Eigen::Index aim =
        std::clamp<Eigen::Index>(X.rows() / (8 * static_cast<Eigen::Index>(threads)), 16384, 65536);
    const Eigen::Index aimed_ranges = std::max<Eigen::Index>(1, (X.rows() + aim - 1) / aim);
    const Eigen::Index range_rows = std::max<Eigen::Index>(16384, (X.rows() / aimed_ranges + 127) / 128 * 128);
    threads = static_cast<unsigned>(
        std::max<Eigen::Index>(1, std::min<Eigen::Index>(static_cast<Eigen::Index>(threads), X.rows() / range_rows)));
    if (threads <= 1) {
        out.invalid_cells += score_rows(p, X, out, 0);
        return;
    }
    const Eigen::Index n_ranges = (X.rows() + range_rows - 1) / range_rows;
    // The row kernel's plan, made once for all ranges (they share the element type and stride).
    using T = typename Derived::Scalar;
    row_plan shared;
    const row_plan* rp = nullptr;
    if constexpr (bool(std::decay_t<decltype(X)>::Flags & Eigen::DirectAccessBit) && row_kernel_type<T>) {
        if (p.fast_kernel && X.colStride() == 1) {
            shared = row_plan_for<T>(p, X.rowStride());
            rp = &shared;
        }
    }
    std::vector<std::size_t> invalid(static_cast<std::size_t>(n_ranges), 0);
    std::vector<std::exception_ptr> failures(static_cast<std::size_t>(n_ranges));
    std::atomic<Eigen::Index> next{0}, first_failure{n_ranges};
    auto work = [&] {
        for (;;) {
            const Eigen::Index r = next.fetch_add(1, std::memory_order_relaxed);
            // Ranges after one that failed need not be scored: its error is thrown.
            if (r >= n_ranges || r > first_failure.load(std::memory_order_relaxed)) return;
            const Eigen::Index begin = r * range_rows, end = std::min(X.rows(), begin + range_rows);
            try {
                invalid[static_cast<std::size_t>(r)] = score_rows(p, X.middleRows(begin, end - begin), out, begin, rp);
            } catch (...) {
                failures[static_cast<std::size_t>(r)] = std::current_exception();
                Eigen::Index seen = first_failure.load(std::memory_order_relaxed);
                while (r < seen && !first_failure.compare_exchange_weak(seen, r, std::memory_order_relaxed)) {
                }
            }
        }
    };
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work);
    work();
    for (auto& th : pool) th.join();
    for (const auto& f : failures)
        if (f) std::rethrow_exception(f);
    for (std::size_t n : invalid) out.invalid_cells += n;
}

}  // namespace bowlby::detail
