// The file a fuzz target's reader maps: one memory file per process, rewritten with each input,
// named by a path the reader opens like any other.
#pragma once

#include <sys/mman.h>
#include <unistd.h>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

namespace fuzz_support {

/// Writes `size` bytes at `data` as the whole content of the process's memory file; returns
/// its path (/proc/self/fd/N).
inline std::string memory_file_with(const std::uint8_t* data, std::size_t size) {
    static const int fd = memfd_create("bowlby-fuzz", 0);
    if (fd < 0) std::abort();
    if (ftruncate(fd, 0) != 0 || lseek(fd, 0, SEEK_SET) != 0) std::abort();
    while (size > 0) {
        const ssize_t n = write(fd, data, size);
        if (n <= 0) std::abort();
        data += n;
        size -= static_cast<std::size_t>(n);
    }
    return "/proc/self/fd/" + std::to_string(fd);
}

}  // namespace fuzz_support
