// The `bowlby` command-line tool: shared pieces of its commands.
#pragma once

#include "faults.hpp"

#include <bowlby/error.hpp>
#include <bowlby/key.hpp>
#include <bowlby/score.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace bowlby_cli {

/// A mistake in how the tool was called (exit status 2).
struct usage_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// A problem with the data (exit status 1).
struct data_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// Command-line arguments after the command word, read flag by flag.
class args {
public:
    args(int argc, char** argv, int first) {
        for (int i = first; i < argc; ++i) items_.emplace_back(argv[i]);
    }
    bool done() const { return pos_ >= items_.size(); }
    const std::string& peek() const { return items_[pos_]; }
    std::string next() { return items_[pos_++]; }
    /// The value of the flag just read; a usage error when there is none.
    std::string value(const std::string& flag) {
        if (done()) throw usage_error("option " + flag + " needs a value");
        return next();
    }

private:
    std::vector<std::string> items_;
    std::size_t pos_ = 0;
};

double parse_double(const std::string& text, const std::string& flag);
/// "MIN:MAX" -> {min, max}.
std::pair<double, double> parse_range(const std::string& text, const std::string& flag);
/// "A:B" -> {a, b}, any two numbers.
std::pair<double, double> parse_range_any(const std::string& text, const std::string& flag);
/// Splits on commas.
std::vector<std::string> split(std::string_view text, char sep);
/// The shortest text that reads back as the same double ("3.5", "0.1", "1e+300"); "nan",
/// "inf" and "-inf" for the rest.
std::string format_number(double x);

/// A built-in instrument by id; a usage error listing the ids otherwise.
const bowlby::key_view& builtin_instrument(const std::string& id);

/// Options shared by the commands that read answers: --missing-code V and --on-invalid MODE.
/// Returns false when `flag` is neither.
bool parse_answer_option(const std::string& flag, args& a, bowlby::score_options& options);

/// A whole number for --seed.
std::uint64_t parse_seed(const std::string& text, const std::string& flag);
/// A number of bytes for --max-record-bytes: a whole number from 1.
std::size_t parse_byte_count(const std::string& text, const std::string& flag);
/// A thread count: a whole number from 0 (0: all hardware threads).
unsigned parse_threads(const std::string& text, const std::string& flag);

/// Resolves a column spec against a header: a comma list of column names and spans
/// "FIRST:LAST" (every column from FIRST to LAST in file order, like SPSS's TO).
/// Returns 0-based column indices; throws usage_error naming a column that does not exist.
std::vector<std::size_t> resolve_columns(const std::string& spec, const std::vector<std::string>& header,
                                         const std::string& flag);

/// The header as one line for messages: "id, Q1, Q2, ...".
std::string join_header(const std::vector<std::string>& header);

/// Writes a file atomically: everything goes to a temporary file beside the target
/// (".NAME.bowlby-partial-XXXXXX" for NAME), which is renamed over it by commit(); if commit()
/// is never called, or the run is interrupted by a signal, the temporary file is removed.
/// The path "-" writes to standard output instead.
class output_file {
public:
    explicit output_file(std::string path);
    output_file(const output_file&) = delete;
    output_file& operator=(const output_file&) = delete;
    ~output_file();
    void write(std::string_view text);
    /// From now on, what is written is held, and commit() writes `convert(all of it)` instead:
    /// an SPSS file made of the CSV text, say.
    void convert_with(std::function<std::string(std::string_view)> convert) { convert_ = std::move(convert); }
    void commit();

private:
    [[noreturn]] void fail(const char* doing) const;

    std::string path_;
    std::string temp_;
    std::optional<faults::tracked_file> tracked_;
    std::FILE* file_ = nullptr;
    bool to_stdout_ = false;
    std::function<std::string(std::string_view)> convert_;
    std::string held_;
};

int run_score(args& a);
int run_screen(args& a);
int run_instruments(args& a);
int run_reliability(args& a);
int run_dyads(args& a);
int run_change(args& a);

}  // namespace bowlby_cli
