#include "progress.hpp"

#include "cli.hpp"
#include "faults.hpp"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <utility>

namespace bowlby_cli {

progress_mode parse_progress(const std::string& value) {
    if (value == "auto") return progress_mode::automatic;
    if (value == "always") return progress_mode::always;
    if (value == "never") return progress_mode::never;
    throw usage_error("--progress takes auto, always or never, got '" + faults::shown(value) + "'");
}

progress_meter::progress_meter(std::string what, std::size_t total, progress_mode mode)
    : what_(std::move(what)), total_(total), terminal_(::isatty(2) == 1) {
    active_ = total > 0 && (mode == progress_mode::always ||
                            (mode == progress_mode::automatic && terminal_ && total >= automatic_from));
    start_ = last_ = std::chrono::steady_clock::now();
}

namespace {
std::string size_text(double bytes) {
    char buf[32];
    if (bytes >= 1024.0 * 1024 * 1024)
        std::snprintf(buf, sizeof buf, "%.1f GiB", bytes / (1024.0 * 1024 * 1024));
    else
        std::snprintf(buf, sizeof buf, "%.0f MiB", bytes / (1024.0 * 1024));
    return buf;
}
}  // namespace

std::string progress_meter::line(const std::string& what, std::size_t bytes, std::size_t total, std::size_t rows,
                                 double seconds) {
    const double share = total > 0 ? static_cast<double>(bytes) / static_cast<double>(total) : 0.0;
    char buf[160];
    std::snprintf(buf, sizeof buf, ": %s of %s (%.0f%%)", size_text(static_cast<double>(bytes)).c_str(),
                  size_text(static_cast<double>(total)).c_str(), 100.0 * share);
    std::string text = "bowlby: " + what + buf;
    if (seconds > 0 && rows > 0) {
        const double rate = static_cast<double>(rows) / seconds;
        if (rate >= 1e6)
            std::snprintf(buf, sizeof buf, ", %.1fM rows/s", rate / 1e6);
        else
            std::snprintf(buf, sizeof buf, ", %.0fk rows/s", rate / 1e3);
        text += buf;
    }
    if (seconds > 0 && share > 0 && share < 1) {
        std::snprintf(buf, sizeof buf, ", %.0f s left", std::ceil(seconds * (1 - share) / share));
        text += buf;
    }
    return text;
}

void progress_meter::update(std::size_t bytes, std::size_t rows) {
    if (!active_) return;
    bytes_ = bytes;
    rows_ = rows;
    const auto now = std::chrono::steady_clock::now();
    if (now - last_ < (terminal_ ? std::chrono::milliseconds(250) : std::chrono::milliseconds(2000))) return;
    last_ = now;
    const double seconds = std::chrono::duration<double>(now - start_).count();
    const std::string text = line(what_, bytes_, total_, rows_, seconds);
    if (terminal_)
        std::fprintf(stderr, "\r%s\x1b[K", text.c_str());
    else
        std::fprintf(stderr, "%s\n", text.c_str());
    drawn_ = true;
}

void progress_meter::finish() {
    if (!active_) return;
    active_ = false;
    if (terminal_) {
        if (drawn_) std::fprintf(stderr, "\r\x1b[K");
        return;
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    std::fprintf(stderr, "%s\n", line(what_, bytes_, total_, rows_, seconds).c_str());
}

}  // namespace bowlby_cli
