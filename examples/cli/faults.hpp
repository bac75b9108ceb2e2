// What the tool does when a run is interrupted or its input changes under it. The signal
// handlers only touch fixed tables filled before the work starts, and call only functions
// that are safe in a handler (unlink, write, mmap, _exit).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace bowlby_cli::faults {

/// Installs the handlers (once, before any file is opened):
/// - SIGINT, SIGTERM, SIGHUP: every file being written is removed, one line on standard error
///   says the run was interrupted, and the tool exits with 128 + the signal's number (a signal
///   already ignored when the tool starts, as under nohup, stays ignored);
/// - SIGPIPE (the reader of standard output has gone, as `| head` does): the same files are
///   removed and the tool exits quietly with 141, as it would have died without the handler;
/// - SIGXFSZ is ignored, so that a file-size limit is a write error and not a silent death;
/// - SIGBUS inside a mapped input (the file shrank under the map) fills the rest of the map
///   with zeros and marks it, so that the reader can report the change.
void install();

/// A temporary file the run is writing, removed if the run is interrupted. Throws when the
/// table is full (more than 16 files at once).
class tracked_file {
public:
    explicit tracked_file(const std::string& path);
    tracked_file(const tracked_file&) = delete;
    tracked_file& operator=(const tracked_file&) = delete;
    ~tracked_file();
    /// The file has become a result (renamed over its target): it is no longer removed.
    void committed();

private:
    int slot_;
};

/// Holds SIGINT, SIGTERM and SIGHUP back on this thread while it lives (a step that must not be
/// cut in half, such as creating a file and recording it); one that arrives meanwhile is
/// handled when it ends.
class signals_held {
public:
    signals_held();
    signals_held(const signals_held&) = delete;
    signals_held& operator=(const signals_held&) = delete;
    ~signals_held();

private:
    unsigned char saved_[128];  // the previous mask (a sigset_t)
};

/// A mapped input, watched for SIGBUS.
class tracked_map {
public:
    tracked_map(const char* start, std::size_t size);
    tracked_map(const tracked_map&) = delete;
    tracked_map& operator=(const tracked_map&) = delete;
    ~tracked_map();
    /// Whether a read of the map faulted since it was mapped (the file was cut short).
    bool faulted() const;

private:
    int slot_;
};

/// Text of the input for a message: bytes that are not printable (control characters, NUL,
/// invalid UTF-8) written as \xHH, and cut after `limit` characters with "...". Inline here, so
/// that the bindings (the WebAssembly module among them) compile the parsers and the key-file
/// reader without the signal handlers or the rest of the tool.
inline std::string shown(std::string_view text, std::size_t limit = 40) {
    static const char hex[] = "0123456789abcdef";
    std::string out;
    std::size_t chars = 0, i = 0;
    while (i < text.size()) {
        if (chars == limit) return out + "...";
        const auto b = static_cast<unsigned char>(text[i]);
        // The length of a well-formed UTF-8 sequence starting here, 0 when it is not one.
        std::size_t len = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
        if (len > 1 && (b == 0xC0 || b == 0xC1 || b > 0xF4)) len = 0;  // overlong or beyond U+10FFFF
        for (std::size_t k = 1; k < len; ++k)
            if (i + k >= text.size() || (static_cast<unsigned char>(text[i + k]) >> 6) != 0x2) len = 0;
        if (len == 0 || (len == 1 && (b < 0x20 || b == 0x7F))) {
            out += "\\x";
            out += hex[b >> 4];
            out += hex[b & 0xF];
            ++i;
        } else {
            out.append(text.substr(i, len));
            i += len;
        }
        ++chars;
    }
    return out;
}

}  // namespace bowlby_cli::faults
