// What the reader targets do with a reader made on a fuzzed file: every block read and its
// answers summed in file order, under the options of the input's first byte (bit 1 answers as
// bytes, bit 2 the first column kept, bit 3 invalid answers missing, bit 4 two threads).
#pragma once

#include "../../examples/cli/input.hpp"

#include <cstdint>

namespace fuzz_support {

inline void read_all(bowlby_cli::answer_reader& input, std::uint8_t options) {
    input.allow_bytes((options & 2) != 0);
    if (options & 4) input.keep(input.header().front());
    const auto policy = (options & 8) ? bowlby::invalid_policy::missing : bowlby::invalid_policy::error;
    double sink = 0;  // the blocks' sums, consumed in file order
    input.run<double>(
        1 + (options >> 4 & 1), policy,
        [](const bowlby_cli::parsed_rows& rows, std::size_t, double& sum) {
            sum = 0;
            if (rows.in_bytes)
                sum += static_cast<double>(rows.bytes().template cast<int>().sum());
            else
                for (Eigen::Index r = 0; r < rows.answers().rows(); ++r)
                    for (Eigen::Index c = 0; c < rows.answers().cols(); ++c)
                        if (rows.answers()(r, c) == rows.answers()(r, c)) sum += rows.answers()(r, c);
        },
        [&sink](const double& sum) { sink += sum; });
}

}  // namespace fuzz_support
