// libFuzzer target: the `bowlby` tool's CSV reader (examples/cli/input.cpp: the header, the
// plain-block parser, the general RFC 4180 parser, answers read as doubles or bytes) on any
// bytes. The first input byte picks the reader's options (items, bytes, kept column, invalid
// answers, threads, semicolons with decimal commas); the rest is the file. A malformed
// file must end in a data or usage error naming its place; anything else (a crash, another
// exception, a sanitizer report, a leak) is a finding.
#include "../../examples/cli/input.hpp"
#include "memory_file.hpp"
#include "read_all.hpp"

#include <bowlby/csv.hpp>

#include <sys/mman.h>
#include <unistd.h>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

namespace {

void read_answers(const std::string& path, std::uint8_t options) {
    // Items: the first three columns (a span), or the file's own columns when it has three.
    const std::string items = (options & 1) ? "" : "a:c";
    bowlby_cli::text_format format;  // detected from the header line
    if (options & 32) {
        format.delimiter = ';';
        format.decimal_comma = true;
    }
    bowlby_cli::answer_reader input(path, items, 3, "the fuzzed key", 4096, {}, format);
    fuzz_support::read_all(input, options);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::string path = fuzz_support::memory_file_with(data + 1, size - 1);
    try {
        read_answers(path, data[0] & 63);
    } catch (const bowlby_cli::data_error&) {
    } catch (const bowlby_cli::usage_error&) {
    }
    return 0;
}
