// libFuzzer target: recognising a Qualtrics export by its first records (detect_qualtrics in
// examples/cli/input.cpp) on any bytes, through the tool's reader. The first input byte picks
// the options (answers as bytes, one or two threads, a --recode); the rest is the file. The
// reader must agree with the detection applied to the file's own first three records, must
// give the first respondent a line after the header records it skipped, and a malformed file
// must end in a data or usage error; anything else is a finding.
#include "../../examples/cli/input.hpp"
#include "memory_file.hpp"

#include <bowlby/csv.hpp>

#include <sys/mman.h>
#include <unistd.h>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace {

// The detection applied to the first three records of `text` (after a byte-order mark), split
// with the reader's delimiter; a record that is not well-formed ends the records read.
bowlby_cli::qualtrics_export detect_in(std::string_view text, const bowlby_cli::answer_reader& input) {
    if (text.size() >= 3 && std::memcmp(text.data(), "\xEF\xBB\xBF", 3) == 0) text.remove_prefix(3);
    bowlby::csv::splitter split(text, 1, input.format().delimiter);
    std::vector<std::string_view> fields;
    std::vector<std::string> records[3];
    std::size_t n = 0;
    try {
        for (; n < 3 && split.next(fields); ++n) records[n].assign(fields.begin(), fields.end());
    } catch (const bowlby::csv::csv_error&) {
    }
    if (n == 0 || records[0] != input.header()) std::abort();  // the reader read another header
    return bowlby_cli::detect_qualtrics(records[0], n > 1 ? &records[1] : nullptr, n > 2 ? &records[2] : nullptr,
                                        input.item_columns());
}

void read_answers(const std::string& path, std::string_view text, std::uint8_t options) {
    bowlby_cli::text_format format;
    if (options & 4) format.recode = {{8, 1}, {9, 2}, {1, 0.5}};
    // Items: Q1 and Q2 by name, or a file of exactly two columns.
    bowlby_cli::answer_reader input(path, "", 2, "the fuzzed key", 4096, {"Q1", "Q2"}, format);
    const bowlby_cli::qualtrics_export found = input.qualtrics();
    if (detect_in(text, input) != found) std::abort();
    input.allow_bytes((options & 1) != 0);
    const std::size_t skipped = bowlby_cli::qualtrics_header_records(found);
    input.run<std::size_t>(
        1 + (options >> 1 & 1), bowlby::invalid_policy::missing,
        [skipped](const bowlby_cli::parsed_rows& rows, std::size_t, std::size_t& n) {
            for (std::size_t line : rows.lines)
                if (line <= skipped) std::abort();  // a header record read as a respondent
            n = rows.lines.size();
        },
        [](const std::size_t&) {});
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::string path = fuzz_support::memory_file_with(data + 1, size - 1);
    try {
        read_answers(path, std::string_view(reinterpret_cast<const char*>(data + 1), size - 1), data[0]);
    } catch (const bowlby_cli::data_error&) {
    } catch (const bowlby_cli::usage_error&) {
    }
    return 0;
}
