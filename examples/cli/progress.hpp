// A progress line on standard error while a long input is read: bytes read of the total,
// rows a second and the time left. On a terminal one line is redrawn in place; elsewhere
// (--progress always into a log) a line is written every few seconds. Nothing is written
// into a pipe or a log unless asked.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace bowlby_cli {

/// --progress: auto (on a terminal, for inputs of 64 MiB or more), always, never.
enum class progress_mode { automatic, always, never };

/// Parses --progress's value; usage_error for anything else.
progress_mode parse_progress(const std::string& value);

class progress_meter {
public:
    /// Inputs smaller than this get no progress line unless it is asked for.
    static constexpr std::size_t automatic_from = std::size_t{64} << 20;

    /// `what` names the input ("data.csv"); `total` is its size in bytes.
    progress_meter(std::string what, std::size_t total, progress_mode mode);
    progress_meter(const progress_meter&) = delete;
    progress_meter& operator=(const progress_meter&) = delete;
    ~progress_meter() { finish(); }

    bool active() const { return active_; }
    /// `bytes` of the input and `rows` rows done so far; redraws at most a few times a second.
    void update(std::size_t bytes, std::size_t rows);
    /// Ends the line: cleared on a terminal, a last line elsewhere. Once.
    void finish();

    /// The line shown for `bytes` of `total` and `rows` after `seconds` (for tests and logs).
    static std::string line(const std::string& what, std::size_t bytes, std::size_t total, std::size_t rows,
                            double seconds);

private:
    std::string what_;
    std::size_t total_ = 0, bytes_ = 0, rows_ = 0;
    bool active_ = false, terminal_ = false, drawn_ = false;
    std::chrono::steady_clock::time_point start_, last_;
};

}  // namespace bowlby_cli
