// The `bowlby` tool's output files (cli.hpp's output_file): written under a temporary name
// that the fault handlers (faults.hpp) remove on a signal, renamed when complete. Apart from
// cli.cpp so that the bindings, which compile cli.cpp's parsers, need neither stdout nor the
// fault handlers.
#include "cli.hpp"

#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace bowlby_cli {

namespace {
// The temporary file for `path`: hidden, beside it, named for what it is.
std::string partial_name(const std::string& path) {
    const std::size_t slash = path.rfind('/');
    const std::size_t base = slash == std::string::npos ? 0 : slash + 1;
    return path.substr(0, base) + "." + path.substr(base) + ".bowlby-partial-XXXXXX";
}
}  // namespace

output_file::output_file(std::string path) : path_(std::move(path)) {
    if (path_ == "-") {
        to_stdout_ = true;
        file_ = stdout;
        return;
    }
    temp_ = partial_name(path_);
    const faults::signals_held hold;  // the file is recorded for removal as soon as it exists
    const int fd = ::mkstemp(temp_.data());
    if (fd < 0) fail("create");
    try {
        tracked_.emplace(temp_);
    } catch (...) {
        ::close(fd);
        std::remove(temp_.c_str());
        throw;
    }
    // mkstemp makes the file private (0600); give it the permissions a plain open would.
    const mode_t mask = ::umask(0);
    ::umask(mask);
    ::fchmod(fd, static_cast<mode_t>(0666 & ~mask));
    file_ = ::fdopen(fd, "wb");
    if (file_ == nullptr) {
        ::close(fd);
        std::remove(temp_.c_str());
        fail("write");
    }
    std::setvbuf(file_, nullptr, _IOFBF, 1 << 16);
}

output_file::~output_file() {
    if (!to_stdout_ && file_ != nullptr) {
        std::fclose(file_);
        std::remove(temp_.c_str());
    }
}

void output_file::fail(const char* doing) const {
    const int err = errno;
    std::string why = err != 0 ? std::strerror(err) : "disk full?";
    if (err == ENOENT) why += ": does its folder exist?";
    throw data_error(std::string("cannot ") + doing + " '" + path_ + "' (" + why + ")");
}

void output_file::write(std::string_view text) {
    if (convert_) {
        held_ += text;
        return;
    }
    errno = 0;
    if (std::fwrite(text.data(), 1, text.size(), file_) != text.size()) fail("write");
}

void output_file::commit() {
    if (convert_) {
        const std::string converted = convert_(held_);
        convert_ = nullptr;
        held_ = std::string();
        write(converted);
    }
    if (to_stdout_) {
        errno = 0;
        if (std::fflush(stdout) != 0) fail("write");
        return;
    }
    errno = 0;
    const bool ok = std::fclose(file_) == 0;
    file_ = nullptr;
    const faults::signals_held hold;  // renamed and no longer removed, in one step
    if (!ok || std::rename(temp_.c_str(), path_.c_str()) != 0) {
        const int err = errno;
        std::remove(temp_.c_str());
        errno = err;
        fail("write");
    }
    tracked_->committed();
}

}  // namespace bowlby_cli
