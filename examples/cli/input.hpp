// Reading the answers of a CSV file (the `bowlby` tool's commands share it): in blocks of
// whole records, parsed, scored and accumulated on several threads, and handed back in file
// order, so that output and statistics are the same whatever the number of threads.
#pragma once

#include "cli.hpp"

#include <bowlby/csv.hpp>
#include <bowlby/reliability.hpp>
#include <bowlby/score.hpp>

#include <Eigen/Core>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <fstream>
#include <functional>
#include <future>
#include <istream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace bowlby_cli {

using chunk_matrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

using byte_matrix = Eigen::Matrix<std::uint8_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// The data rows of one block, parsed: as doubles, or (when the reader was asked for them
/// and every answer of the block is a whole number from 0 to 254 or missing) as bytes, an
/// eighth of the memory for the scorer to read.
struct parsed_rows {
    /// The byte that stands for a missing answer (empty, NA, .) in `bytes`.
    static constexpr std::uint8_t missing_byte = 255;
    chunk_matrix answers;  ///< rows x items; NaN for empty, NA, . (and text under invalid_policy::missing)
    byte_matrix bytes;     ///< rows x items when in_bytes; missing_byte for empty, NA, .
    bool in_bytes = false;
    std::vector<std::size_t> lines;
    std::vector<std::string> kept;  ///< rows x keep columns
    std::size_t keep = 0;
    std::size_t text_invalid = 0;
    Eigen::Index rows() const { return in_bytes ? bytes.rows() : answers.rows(); }
    const std::string& kept_cell(Eigen::Index r, std::size_t c) const {
        return kept[static_cast<std::size_t>(r) * keep + c];
    }
};

class answer_reader {
public:
    /// Opens `path` ("-": standard input) and reads its header. `items_spec` names the item
    /// columns (see resolve_columns); when empty, a file of exactly `n_items` columns is taken
    /// as items. `what` names the instrument in messages.
    answer_reader(const std::string& path, const std::string& items_spec, std::size_t n_items, const std::string& what);

    const std::vector<std::string>& header() const { return header_; }
    const std::vector<std::size_t>& item_columns() const { return item_cols_; }
    std::vector<std::string> item_names() const;
    /// Columns to copy to the output alongside each row.
    void keep(const std::string& spec) { keep_cols_ = resolve_columns(spec, header_, "--keep"); }
    const std::vector<std::size_t>& keep_columns() const { return keep_cols_; }

    /// Lets blocks of small whole-number answers arrive as bytes (parsed_rows::in_bytes). The
    /// caller then scores them with byte_options(): the same results as from the doubles.
    void allow_bytes(bool on) { allow_bytes_ = on; }

    /// Reads the whole input once. For each block of records, on a worker thread:
    /// `work(rows, first_row, result)` with the block's parsed rows and the 0-based index of its
    /// first data row; then, on this thread and in file order, `consume(result)`. An error in a
    /// block (malformed CSV, text where a number belongs, an invalid answer) is thrown here,
    /// when its block's turn comes, as a data_error naming the line and column.
    /// `threads` 0 means all hardware threads.
    template <class Result, class Work, class Consume>
    void run(unsigned threads, bowlby::invalid_policy policy, Work work, Consume consume);

    /// A data error for an invalid_response thrown while scoring row r of `rows`.
    data_error describe(const bowlby::invalid_response& e, const parsed_rows& rows) const;

private:
    void parse(const std::string& text, std::size_t first_line, bowlby::invalid_policy policy, parsed_rows& out) const;
    enum class plain_result { done, general, not_bytes };
    template <class T>
    plain_result parse_plain(const std::string& text, std::size_t first_line, T* answers, Eigen::Index stride,
                             parsed_rows& out) const;
    bool next_block(std::string& text, std::size_t& first_line);

    std::string path_;
    std::ifstream file_;
    std::unique_ptr<bowlby::csv::block_reader> blocks_;
    std::string first_;  ///< the first block's records after the header
    std::size_t first_line_ = 0;
    bool first_pending_ = false;
    std::vector<std::string> header_;
    std::vector<std::size_t> item_cols_, keep_cols_;
    bool allow_bytes_ = false;
    /// Cleared by the first block with an answer that is no byte: later blocks go straight to
    /// doubles (either way the results are the same).
    mutable std::atomic<bool> try_bytes_{true};
};

/// The options that score a block read as bytes as its doubles would be scored: the missing
/// byte is a missing code.
inline bowlby::score_options byte_options(bowlby::score_options o) {
    o.missing_codes.push_back(parsed_rows::missing_byte);
    return o;
}

/// Adds a block's answers, bytes or doubles, to an accumulator made with the options that go
/// with them (byte_options() for bytes).
inline void add_answers(bowlby::instrument_accumulator& acc, const parsed_rows& rows) {
    if (rows.in_bytes)
        acc.add(rows.bytes);
    else
        acc.add(rows.answers);
}

template <class Result, class Work, class Consume>
void answer_reader::run(unsigned threads, bowlby::invalid_policy policy, Work work, Consume consume) {
    if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
    // Each block learns how many data rows precede it from the block before it.
    auto job = [this, policy, &work](std::string text, std::size_t first_line,
                                     std::shared_future<std::size_t> rows_before,
                                     std::promise<std::size_t> rows_through) {
        parsed_rows rows;
        Result result{};
        try {
            parse(text, first_line, policy, rows);
        } catch (...) {
            rows_through.set_exception(std::current_exception());
            throw;
        }
        const std::size_t first_row = rows_before.get();
        rows_through.set_value(first_row + static_cast<std::size_t>(rows.rows()));
        try {
            work(rows, first_row, result);
        } catch (const bowlby::invalid_response& e) {
            throw describe(e, rows);
        }
        return result;
    };
    std::promise<std::size_t> start;
    start.set_value(0);
    std::shared_future<std::size_t> before = start.get_future().share();
    // A fixed pool of worker threads takes the blocks from a queue (so that the memory held by
    // threads does not grow with the number of blocks); at most `threads` blocks are in flight.
    std::mutex m;
    std::condition_variable cv;
    std::deque<std::function<void()>> queue;
    bool closing = false;
    std::vector<std::thread> pool;
    auto worker = [&] {
        for (;;) {
            std::function<void()> task;
            {
                std::unique_lock<std::mutex> lock(m);
                cv.wait(lock, [&] { return closing || !queue.empty(); });
                if (queue.empty()) return;
                task = std::move(queue.front());
                queue.pop_front();
            }
            task();
        }
    };
    struct stop_pool {  // joins the pool on every way out, errors included
        std::mutex& m;
        std::condition_variable& cv;
        bool& closing;
        std::vector<std::thread>& pool;
        ~stop_pool() {
            {
                const std::lock_guard<std::mutex> lock(m);
                closing = true;
            }
            cv.notify_all();
            for (auto& t : pool) t.join();
        }
    } stopper{m, cv, closing, pool};
    if (threads > 1)
        for (unsigned t = 0; t < threads; ++t) pool.emplace_back(worker);
    std::deque<std::future<Result>> in_flight;
    std::string text;
    std::size_t first_line = 0;
    while (next_block(text, first_line)) {
        std::promise<std::size_t> through;
        std::shared_future<std::size_t> after = through.get_future().share();
        if (threads == 1) {
            Result r = job(std::move(text), first_line, before, std::move(through));
            consume(r);
        } else {
            auto task = std::make_shared<std::packaged_task<Result()>>(
                [&job, t = std::move(text), first_line, before, th = std::move(through)]() mutable {
                    return job(std::move(t), first_line, before, std::move(th));
                });
            in_flight.push_back(task->get_future());
            {
                const std::lock_guard<std::mutex> lock(m);
                queue.emplace_back([task] { (*task)(); });
            }
            cv.notify_one();
            if (in_flight.size() >= 2 * threads) {
                Result r = in_flight.front().get();
                in_flight.pop_front();
                consume(r);
            }
        }
        before = after;
        text = std::string();
    }
    while (!in_flight.empty()) {
        Result r = in_flight.front().get();
        in_flight.pop_front();
        consume(r);
    }
}

}  // namespace bowlby_cli
