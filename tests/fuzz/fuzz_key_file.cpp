// libFuzzer target: the key-file parser (examples/cli/key_file.cpp) on any bytes. A malformed
// key must end in bowlby::key_error; a key that parses must survive a round trip: written out
// (key_file_json) and read back, it is written out the same, byte for byte.
#include "../../examples/cli/key_file.hpp"

#include <bowlby/error.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    std::string written;
    try {
        const bowlby_cli::key_file k = bowlby_cli::parse_key_file(text, "fuzz.json");
        written = bowlby_cli::key_file_json(k.key.view(), k.missing_codes, k.min_answered);
    } catch (const bowlby::key_error&) {
        return 0;
    }
    const bowlby_cli::key_file again = bowlby_cli::parse_key_file(written, "written.json");  // must not throw
    if (bowlby_cli::key_file_json(again.key.view(), again.missing_codes, again.min_answered) != written) {
        std::fputs("a key file written and read back is written differently\n", stderr);
        std::abort();
    }
    return 0;
}
