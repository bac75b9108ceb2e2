// libFuzzer target: SPSS and Stata input of the `bowlby` tool (examples/cli/stat_files.cpp
// through ReadStat, and the answer reader on the CSV text it makes) on any bytes. The first
// input byte picks the options: bit 0 Stata (else SPSS), bit 1 answers as bytes, bit 2 the
// first variable kept, bit 3 invalid answers missing, bit 4 two threads; the rest is the file.
// The items are the file's first three numeric variables. A file ReadStat cannot read, or one
// whose answers are not numbers, must end in a data or usage error; anything else (a crash,
// another exception, a sanitizer report, a leak) is a finding. ReadStat itself is Debian's
// library, not instrumented: only the tool's side is checked for memory errors.
#include "../../examples/cli/input.hpp"
#include "../../examples/cli/stat_files.hpp"
#include "memory_file.hpp"
#include "read_all.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

namespace {

void read_answers(const std::string& path, std::uint8_t options) {
    bowlby_cli::text_format format;
    format.kind = (options & 1) ? bowlby_cli::file_kind::dta : bowlby_cli::file_kind::sav;
    const bowlby_cli::stat_table table = bowlby_cli::read_stat_file(path, format.kind);
    std::string items;
    std::size_t n_items = 0;
    for (std::size_t c = 0; c < table.names.size() && n_items < 3; ++c)
        if (!table.text[c]) {
            items += (n_items++ > 0 ? "," : "") + table.names[c];
        }
    if (n_items == 0) return;
    bowlby_cli::answer_reader input(path, items, n_items, "the fuzzed key", 4096, {}, format);
    fuzz_support::read_all(input, options);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::string path = fuzz_support::memory_file_with(data + 1, size - 1);
    try {
        read_answers(path, data[0] & 31);
    } catch (const bowlby_cli::data_error&) {
    } catch (const bowlby_cli::usage_error&) {
    }
    return 0;
}
