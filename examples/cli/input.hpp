// Reading the answers of a CSV file (the `bowlby` tool's commands share it): in blocks of
// whole records, parsed, scored and accumulated on several threads, and handed back in file
// order, so that output and statistics are the same whatever the number of threads.
#pragma once

#include "cli.hpp"
#include "progress.hpp"
#include "stat_files.hpp"

#include <bowlby/csv.hpp>
#include <bowlby/reliability.hpp>
#include <bowlby/score.hpp>

#include <Eigen/Core>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <fstream>
#include <istream>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace bowlby_cli {

using chunk_matrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

using byte_matrix = Eigen::Matrix<std::uint8_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// The data rows of one block, parsed: as doubles, or (when the reader was asked for them
/// and every answer of the block is a whole number from 0 to 254 or missing) as bytes, an
/// eighth of the memory for the scorer to read. A thread keeps one and parses block after
/// block into it, so its buffers are allocated once.
struct parsed_rows {
    /// The byte that stands for a missing answer (empty, NA, .) in `bytes()`.
    static constexpr std::uint8_t missing_byte = 255;
    /// rows x items; NaN for empty, NA, . (and text under invalid_policy::missing)
    Eigen::Map<const chunk_matrix> answers() const {
        return {answer_store.data(), in_bytes ? 0 : n_rows, answer_store.cols()};
    }
    /// rows x items when in_bytes; missing_byte for empty, NA, .
    Eigen::Map<const byte_matrix> bytes() const {
        return {byte_store.data(), in_bytes ? n_rows : 0, byte_store.cols()};
    }
    bool in_bytes = false;
    Eigen::Index n_rows = 0;
    chunk_matrix answer_store;  ///< room for a block's rows, of which the first n_rows are this block's
    byte_matrix byte_store;     ///< the same, for bytes
    std::vector<std::size_t> lines;
    std::vector<std::string> kept;  ///< rows x keep columns
    std::size_t keep = 0;
    std::size_t text_invalid = 0;
    Eigen::Index rows() const { return n_rows; }
    const std::string& kept_cell(Eigen::Index r, std::size_t c) const {
        return kept[static_cast<std::size_t>(r) * keep + c];
    }
};

namespace detail {
/// How a block parsed as plain text went: done, or to be parsed by the general code, or not
/// to be read as bytes.
enum class plain_result { done, general, not_bytes };
}  // namespace detail

/// How the input's text is laid out: the field delimiter (0: detected from the header line,
/// ',' ';' or tab, whichever splits it into the most fields outside quotes; tab for a .tsv
/// file) and whether numbers are written with a decimal comma (3,5 for 3.5).
struct text_format {
    char delimiter = 0;
    bool decimal_comma = false;
    /// --recode FROM=TO,...: an answer FROM is read as TO. Each answer is looked up once (with
    /// 1=2,2=3 an answer 1 becomes 2), before missing codes and the range check apply.
    std::vector<std::pair<double, double>> recode;
    /// What the file is: by default by its name (.sav and .zsav SPSS, .dta Stata, else CSV;
    /// standard input is CSV). An SPSS or Stata file is read through ReadStat (stat_files.hpp)
    /// into CSV text, whose rows are numbered as respondents from 1.
    file_kind kind = file_kind::by_name;
};

/// --delimiter C (one character, not a quote, a line break, a digit, a sign or a point; or tab,
/// comma, semicolon by name), --decimal-comma and --recode FROM=TO,... (repeatable), read into
/// `format`; false when `flag` is none of them. Every command that reads answers takes them.
bool parse_format_flag(const std::string& flag, args& a, text_format& format);

/// Which Qualtrics export a file is, by its first three records (docs/cli.md, "Qualtrics
/// exports"): `current` (row 2 question texts, row 3 {"ImportId":...} objects), `legacy` (row 2
/// question texts, under a header of Qualtrics' fixed columns), or `none`, a plain CSV file.
enum class qualtrics_export { none, current, legacy };

/// The export of a file whose header is `header`, whose next records are `row2` and `row3`
/// (null when the file has no such record) and whose item columns are `item_cols`.
/// current: rows 2 and 3 have the header's number of fields, row 3 has at least one cell that
/// is not empty and every such cell is a JSON object starting {"ImportId":.
/// legacy: the header starts with ResponseID (or ResponseId) and ResponseSet, or with V1, V2;
/// row 2 has the header's number of fields, and the row-2 cell of every item column is text:
/// not empty, not a number and not a missing mark (NA, .).
qualtrics_export detect_qualtrics(const std::vector<std::string>& header, const std::vector<std::string>* row2,
                                  const std::vector<std::string>* row3, const std::vector<std::size_t>& item_cols);

/// The header records a Qualtrics export has before its first respondent.
inline std::size_t qualtrics_header_records(qualtrics_export e) {
    return e == qualtrics_export::current ? 3 : e == qualtrics_export::legacy ? 2 : 1;
}

class answer_reader {
public:
    /// The longest record read by default (--max-record-bytes): far beyond any questionnaire's
    /// row, and small enough that a file that is not line-oriented fails fast in little memory.
    static constexpr std::size_t default_max_record = std::size_t{1} << 20;

    /// Opens `path` ("-": standard input) and reads its header. `items_spec` names the item
    /// columns (see resolve_columns); when empty, the key's item names (`item_names`, when it
    /// has them and the header holds every one) or else a file of exactly `n_items` columns
    /// gives the items. `what` names the instrument in messages. A record longer than
    /// `max_record` bytes is an error naming its line.
    answer_reader(const std::string& path, const std::string& items_spec, std::size_t n_items, const std::string& what,
                  std::size_t max_record = default_max_record, const std::vector<std::string>& item_names = {},
                  text_format format = {});
    ~answer_reader();
    answer_reader(const answer_reader&) = delete;
    answer_reader& operator=(const answer_reader&) = delete;

    const std::vector<std::string>& header() const { return header_; }
    /// The kind of file read: csv, sav or dta.
    file_kind kind() const { return kind_; }
    /// Whether column `c` is a string variable of an SPSS or Stata file (false for CSV).
    bool column_is_text(std::size_t c) const { return stat_ && stat_->text[c]; }
    /// How a row's number reads in messages: "line 12" of a CSV file, "respondent 12" of an
    /// SPSS or Stata file.
    std::string row_at(std::size_t line) const;
    /// "line" or "respondent".
    const char* row_word() const { return stat_ ? "respondent" : "line"; }
    /// The Qualtrics export the file was read as (its extra header records are skipped).
    qualtrics_export qualtrics() const { return qualtrics_; }
    /// The delimiter read with (given, or detected) and whether numbers have decimal commas.
    const text_format& format() const { return format_; }
    const std::vector<std::size_t>& item_columns() const { return item_cols_; }
    std::vector<std::string> item_names() const;
    /// Columns to copy to the output alongside each row.
    void keep(const std::string& spec) { keep_cols_ = resolve_columns(spec, header_, "--keep"); }
    const std::vector<std::size_t>& keep_columns() const { return keep_cols_; }
    /// Column `c` kept as well, after those kept so far.
    void keep_also(std::size_t c) { keep_cols_.push_back(c); }

    /// A progress line on standard error while run() reads a file (not standard input): with
    /// `automatic`, on a terminal and for files of progress_meter::automatic_from bytes or more.
    void show_progress(progress_mode mode);

    /// Lets blocks of small whole-number answers arrive as bytes (parsed_rows::in_bytes). The
    /// caller then scores them with byte_options(): the same results as from the doubles.
    void allow_bytes(bool on) { allow_bytes_ = on; }

    /// Reads the whole input once. For each block of records, on one of `threads` threads
    /// (the caller's among them): `work(rows, first_row, result)` with the block's parsed rows
    /// and the 0-based index of its first data row; then `consume(result)`, one block at a
    /// time and in file order (on whichever thread finished the block that was holding the
    /// rest up). An error in a block (malformed CSV, text where a number belongs, an invalid
    /// answer, an exception from `work` or `consume`) is thrown here, once every block before
    /// it has been consumed, as a data_error naming the line and column; nothing after that
    /// block is consumed. `threads` 0 means all hardware threads.
    template <class Result, class Work, class Consume>
    void run(unsigned threads, bowlby::invalid_policy policy, Work work, Consume consume);

    /// The same, with state that each thread keeps from block to block (scorers, buffers,
    /// caches): `make_state()` is called once on each thread, and the work is
    /// `work(state, rows, first_row, result)`.
    template <class Result, class MakeState, class Work, class Consume>
    void run(unsigned threads, bowlby::invalid_policy policy, MakeState make_state, Work work, Consume consume);

    /// Throws a data error when the mapped file has changed since it was opened (its size, or a
    /// read that faulted because it was cut short).
    void check_unchanged() const;

    /// A data error for an invalid_response thrown while scoring row r of `rows`.
    data_error describe(const bowlby::invalid_response& e, const parsed_rows& rows) const;

private:
    /// Reads the header and finds the item columns (the constructor's second half).
    void read_header(const std::string& items_spec, std::size_t n_items, const std::string& what,
                     const std::vector<std::string>& item_names);
    /// Unmaps the file and closes it (the destructor; the constructor when it throws).
    void release_map() noexcept;
    /// Sets item_cols_ from --items, the key's item names or the column count (see the constructor).
    void find_items(const std::string& items_spec, std::size_t n_items, const std::string& what,
                    const std::vector<std::string>& item_names);

    static constexpr std::size_t block_size = std::size_t{1} << 19;  // 512 KiB: memory is a few blocks per thread
    /// A block of whole records: a view into the mapped file, or into the taking thread's
    /// own storage when the input is read from a stream.
    struct text_block {
        std::string_view text;
        // Set by measure():
        std::size_t breaks = 0;      ///< line breaks
        bool plain = false;          ///< holds no quote and no carriage return
        std::size_t records = 0;     ///< when plain: its records (lines not empty)
        std::size_t first_line = 1;  ///< once the blocks before it are measured
    };
    /// The next block's text; false at the end of the input. One thread at a time.
    bool next_block(std::string& storage, text_block& block);
    /// Counts a block's line breaks and records and says whether it is plain: one pass.
    static void measure(text_block& block);
    bool next_mapped(text_block& block);
    /// The text before `end` (blocks consumed) is not read again: the mapped pages before it
    /// are let go, a few MB at a time, so that memory stays flat as the file is read.
    void release(const char* end);
    /// The blocks up to `end` have been consumed, `rows` more rows: the progress line.
    void progressed(const char* end, std::size_t rows);
    void parse(const text_block& block, bowlby::invalid_policy policy, parsed_rows& out) const;
    void parse_text(const text_block& block, bowlby::invalid_policy policy, parsed_rows& out) const;
    /// --recode applied to a parsed block's answers.
    void recode(parsed_rows& out) const;
    template <class T>
    detail::plain_result parse_plain(std::string_view text, std::size_t first_line, T* answers, Eigen::Index stride,
                                     parsed_rows& out) const;

    /// The 1-based line of byte `offset` of the mapped file.
    std::size_t line_at(std::size_t offset) const;

    std::string path_;
    std::size_t max_record_;
    file_kind kind_ = file_kind::csv;
    std::unique_ptr<stat_table> stat_;  ///< an SPSS or Stata file as CSV text, read as if mapped
    // A regular file is mapped into memory and read in place (POSIX), blocks being views into
    // it. A file that changes while it is read is reported (check_unchanged): its descriptor
    // stays open to compare sizes, and a read past a shortened end is caught (faults.hpp).
    // Standard input and anything that cannot be mapped is read through a stream.
    int map_fd_ = -1;
    std::unique_ptr<faults::tracked_map> watch_;
    const char* map_ = nullptr;
    std::size_t map_size_ = 0, map_pos_ = 0;
    std::size_t read_end_ = 0;       ///< how far a stream of the file would have been read
    std::size_t map_first_end_ = 0;  ///< the end of the records read with the header
    std::size_t released_ = 0;       ///< mapped pages before this offset have been let go
    std::ifstream file_;
    std::unique_ptr<bowlby::csv::block_reader> blocks_;
    std::string first_;                ///< the first block's records after the header (stream)
    std::size_t first_data_line_ = 2;  ///< the line after the header
    bool first_pending_ = false;
    std::vector<std::string> header_;
    qualtrics_export qualtrics_ = qualtrics_export::none;
    text_format format_;
    /// With --recode: each byte's recoded byte (bytes whose answers all recode to bytes).
    std::vector<std::uint8_t> byte_recode_;
    std::vector<std::size_t> item_cols_, keep_cols_;
    bool allow_bytes_ = false;
    std::unique_ptr<progress_meter> progress_;
    std::size_t rows_done_ = 0;  ///< rows consumed, for the progress line
    /// Cleared by the first block with an answer that is no byte: later blocks go straight to
    /// doubles (either way the results are the same).
    mutable std::atomic<bool> try_bytes_{true};

    template <class Result>
    class pipeline;
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
        acc.add(rows.bytes());
    else
        acc.add(rows.answers());
}

namespace detail {
// Running sums over blocks taken in order, each term known at its own time: before(k), the
// sum of the terms of the blocks before block k, is known once all of them are.
class block_sums {
public:
    explicit block_sums(std::size_t start) : before_{start} {}
    void take() { terms_.push_back(unknown); }
    void set(std::size_t k, std::size_t term) {
        terms_[k] = term;
        while (before_.size() <= terms_.size() && terms_[before_.size() - 1] != unknown)
            before_.push_back(before_.back() + terms_[before_.size() - 1]);
    }
    bool known(std::size_t k) const { return before_.size() > k; }
    std::size_t before(std::size_t k) const { return before_[k]; }

private:
    static constexpr std::size_t unknown = static_cast<std::size_t>(-1);
    std::vector<std::size_t> terms_, before_;
};
}  // namespace detail

// How run() shares the blocks among its threads. Every thread takes the next block (one thread
// at a time: finding where a block ends reads it once), measures and parses it into its own
// parsed_rows, and does the work; so no text or rows pass between threads. A block's first
// line is known once the blocks before it are measured, and its first row once their records
// are counted: for a plain block, by measuring it (its records are its lines that are not
// empty), else by parsing. A finished block waits in a slot of the window (two a thread)
// until the blocks before it are consumed; the thread that finishes the oldest consumes it and
// every finished one after.
template <class Result>
class answer_reader::pipeline {
public:
    pipeline(answer_reader& reader, unsigned threads, bowlby::invalid_policy policy)
        : reader_(reader),
          policy_(policy),
          slots_(2 * static_cast<std::size_t>(threads)),
          lines_(reader.first_data_line_),
          records_(0) {}

    /// One thread's part of the run: blocks taken, worked on and handed over until the input
    /// ends or the run fails.
    template <class MakeState, class Work, class Consume>
    void serve(MakeState& make_state, Work& work, Consume& consume) {
        parsed_rows rows;
        std::string storage;
        text_block block;
        std::unique_lock<std::mutex> lock(m_, std::defer_lock);
        try {
            auto state = make_state();
            for (;;) {
                std::size_t k = 0;
                std::exception_ptr err;
                if (!take(lock, storage, block, k, err)) return;
                const char* const block_end = block.text.data() + block.text.size();
                std::optional<Result> result;
                std::size_t n_rows = 0;
                if (!err) {
                    result = work_on(lock, block, k, rows, err, [&](std::size_t first_row, Result& r) {
                        work(state, static_cast<const parsed_rows&>(rows), first_row, r);
                    });
                    if (result) n_rows = static_cast<std::size_t>(rows.rows());
                } else {
                    lock.lock();
                }
                hand_over(lock, k, std::move(result), err, block_end, n_rows, consume);
            }
        } catch (...) {  // memory ran out: the run fails
            if (!lock.owns_lock()) lock.lock();
            if (!failed_) error_ = std::current_exception();
            failed_ = true;
            cv_.notify_all();
        }
    }

    /// The run's error, if it failed.
    void rethrow() const {
        if (error_) std::rethrow_exception(error_);
    }

private:
    static constexpr std::size_t none = static_cast<std::size_t>(-1);
    struct slot {
        std::optional<Result> result;
        std::exception_ptr error;
        const char* end = nullptr;  // where the block's text ends
        std::size_t rows = 0;
        bool ready = false;
    };

    // The next block of the input, as block k (one thread at a time). False when the input has
    // ended or the run stops, with the lock held; true with it released. A block that cannot be
    // read is taken with its error, to be reported in its turn.
    bool take(std::unique_lock<std::mutex>& lock, std::string& storage, text_block& block, std::size_t& k,
              std::exception_ptr& err) {
        const std::lock_guard<std::mutex> taking(source_);
        lock.lock();
        cv_.wait(lock, [&] { return failed_ || end_ || taken_ < consumed_ + slots_.size(); });
        if (failed_ || end_ || taken_ > unparsed_) return false;
        lock.unlock();
        bool got = false;
        try {
            got = reader_.next_block(storage, block);
        } catch (...) {
            err = std::current_exception();
        }
        lock.lock();
        if (!got && !err) {
            end_ = true;
            cv_.notify_all();
            return false;
        }
        k = taken_++;
        lines_.take();
        records_.take();
        if (err) unparsed_ = std::min(unparsed_, k);
        lock.unlock();
        return true;
    }

    // Measures and parses block k, then does the work on it once its first row is known.
    // Called without the lock; returns with it held. Returns no result when the block is not
    // needed (a block before it failed) or has failed itself (err).
    template <class Do>
    std::optional<Result> work_on(std::unique_lock<std::mutex>& lock, text_block& block, std::size_t k,
                                  parsed_rows& rows, std::exception_ptr& err, Do&& work) {
        if (!parse(lock, block, k, rows, err)) return std::nullopt;
        lock.lock();
        if (err) {
            unparsed_ = std::min(unparsed_, k);
            cv_.notify_all();
            return std::nullopt;
        }
        if (!block.plain) {
            records_.set(k, static_cast<std::size_t>(rows.rows()));
            cv_.notify_all();
        }
        cv_.wait(lock, [&] { return failed_ || records_.known(k) || unparsed_ < k; });
        if (!records_.known(k) || failed_) return std::nullopt;  // this block is not needed
        const std::size_t first_row = records_.before(k);
        lock.unlock();
        std::optional<Result> result;
        try {
            result.emplace();
            work(first_row, *result);
        } catch (const bowlby::invalid_response& e) {
            err = std::make_exception_ptr(reader_.describe(e, rows));
        } catch (...) {
            err = std::current_exception();
        }
        lock.lock();
        return result;
    }

    // Measures block k and, once its first line is known, parses it (an error goes to err).
    // False, with the lock held, when the block is not needed; true, without it, otherwise.
    bool parse(std::unique_lock<std::mutex>& lock, text_block& block, std::size_t k, parsed_rows& rows,
               std::exception_ptr& err) {
        answer_reader::measure(block);
        lock.lock();
        lines_.set(k, block.breaks);
        if (block.plain) records_.set(k, block.records);
        cv_.notify_all();
        cv_.wait(lock, [&] { return failed_ || lines_.known(k) || unparsed_ < k; });
        if (!lines_.known(k) || failed_) return false;  // a block before it failed
        block.first_line = lines_.before(k);
        lock.unlock();
        try {
            reader_.parse(block, policy_, rows);
            if (block.plain && static_cast<std::size_t>(rows.rows()) != block.records)
                throw std::logic_error("bowlby: a block's records were miscounted");
        } catch (...) {
            err = std::current_exception();
        }
        return true;
    }

    // Leaves block k's result in its slot. A thread that finds no one consuming consumes every
    // finished block in file order, from the oldest not yet consumed. Called with the lock
    // held; returns without it.
    template <class Consume>
    void hand_over(std::unique_lock<std::mutex>& lock, std::size_t k, std::optional<Result> result,
                   std::exception_ptr err, const char* end, std::size_t rows, Consume& consume) {
        slot& done = slots_[k % slots_.size()];
        done.result = std::move(result);
        done.error = err;
        done.end = end;
        done.rows = rows;
        done.ready = true;
        if (consuming_) {  // the thread consuming will take this block in turn
            lock.unlock();
            return;
        }
        consuming_ = true;
        while (!failed_ && slots_[consumed_ % slots_.size()].ready) {
            slot& oldest = slots_[consumed_ % slots_.size()];
            if (oldest.error) {
                error_ = oldest.error;
                failed_ = true;
                break;
            }
            std::optional<Result> r = std::move(oldest.result);
            const char* const text_end = oldest.end;
            const std::size_t text_rows = oldest.rows;
            oldest = slot{};
            ++consumed_;
            cv_.notify_all();
            lock.unlock();
            try {
                consume(*r);
                reader_.release(text_end);
                reader_.progressed(text_end, text_rows);
            } catch (...) {
                lock.lock();
                error_ = std::current_exception();
                failed_ = true;
                break;
            }
            lock.lock();
        }
        consuming_ = false;
        if (failed_) cv_.notify_all();
        lock.unlock();
    }

    answer_reader& reader_;
    const bowlby::invalid_policy policy_;
    std::vector<slot> slots_;  // the window: blocks finished, waiting for those before them
    detail::block_sums lines_, records_;
    std::size_t taken_ = 0, consumed_ = 0, unparsed_ = none;  // unparsed_: the first block that failed to parse
    bool end_ = false, failed_ = false, consuming_ = false;
    std::exception_ptr error_;
    std::mutex source_;  // held while a thread takes a block
    std::mutex m_;       // everything else
    std::condition_variable cv_;
};

template <class Result, class MakeState, class Work, class Consume>
void answer_reader::run(unsigned threads, bowlby::invalid_policy policy, MakeState make_state, Work work,
                        Consume consume) {
    if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
    pipeline<Result> blocks(*this, threads, policy);
    {
        std::vector<std::thread> helpers;
        struct join_all {
            std::vector<std::thread>& t;
            ~join_all() {
                for (auto& h : t) h.join();
            }
        } joiner{helpers};
        for (unsigned t = 1; t < threads; ++t) helpers.emplace_back([&] { blocks.serve(make_state, work, consume); });
        blocks.serve(make_state, work, consume);
    }
    if (progress_) progress_->finish();
    check_unchanged();  // a change explains any other error
    blocks.rethrow();
}

template <class Result, class Work, class Consume>
void answer_reader::run(unsigned threads, bowlby::invalid_policy policy, Work work, Consume consume) {
    struct no_state {};
    run<Result>(
        threads, policy, [] { return no_state{}; },
        [&work](no_state&, const parsed_rows& rows, std::size_t first_row, Result& result) {
            work(rows, first_row, result);
        },
        std::move(consume));
}

}  // namespace bowlby_cli
