#include "faults.hpp"

#include "cli.hpp"

#include <atomic>
#include <csignal>
#include <cstdint>
#include <cstring>

#if defined(__unix__) || defined(__APPLE__)
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>
#define BOWLBY_CLI_SIGNALS 1
#else
#define BOWLBY_CLI_SIGNALS 0
#endif

namespace bowlby_cli::faults {
namespace {

// A slot is free (0), being filled (1) or in use (2): a handler reads only slots in use.
struct file_slot {
    std::atomic<int> state{0};
    char path[4096];
};
struct map_slot {
    std::atomic<int> state{0};
    const char* start = nullptr;
    std::size_t size = 0;
    std::atomic<bool> faulted{false};
};
file_slot files[16];
map_slot maps[4];
std::atomic<int> results_written{0};
std::size_t page_size = 4096;

template <class Slot, std::size_t N>
int claim(Slot (&slots)[N]) {
    for (std::size_t i = 0; i < N; ++i) {
        int expected = 0;
        if (slots[i].state.compare_exchange_strong(expected, 1)) return static_cast<int>(i);
    }
    return -1;
}

#if BOWLBY_CLI_SIGNALS
void say(const char* text) {
    const std::size_t n = std::strlen(text);
    if (::write(STDERR_FILENO, text, n) < 0) return;
}

extern "C" void on_stop(int sig) {
    for (file_slot& f : files)
        if (f.state.load() == 2) ::unlink(f.path);
    if (sig == SIGPIPE) ::_exit(128 + sig);  // the reader of the output left (| head): quietly
    const char* name = sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "SIGHUP";
    say("bowlby: interrupted (");
    say(name);
    say(results_written.load() == 0 ? "): nothing was written\n" : "): the files not yet complete were removed\n");
    ::_exit(128 + sig);
}

extern "C" void on_bus(int, siginfo_t* info, void*) {
    const char* at = static_cast<const char*>(info->si_addr);
    for (map_slot& m : maps) {
        if (m.state.load() != 2 || at < m.start || at >= m.start + m.size) continue;
        // Zeros from the faulting page to the end of the map: the read is retried on them and
        // the reader reports the change when it looks at the map.
        const auto page = reinterpret_cast<std::uintptr_t>(at) / page_size * page_size;
        char* const from = reinterpret_cast<char*>(page);
        const auto rest = static_cast<std::size_t>(m.start + m.size - from);
        if (::mmap(from, rest, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED) break;
        m.faulted.store(true);
        return;
    }
    // Not a mapped input: the default action (the fault repeats when the handler returns).
    ::signal(SIGBUS, SIG_DFL);
}
#endif

}  // namespace

void install() {
#if BOWLBY_CLI_SIGNALS
    page_size = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    struct sigaction stop {};
    stop.sa_handler = on_stop;
    sigemptyset(&stop.sa_mask);
    for (int s : {SIGINT, SIGTERM, SIGHUP, SIGPIPE}) sigaddset(&stop.sa_mask, s);
    for (int s : {SIGINT, SIGTERM, SIGHUP, SIGPIPE}) {
        // A signal ignored by whoever started the tool (nohup, a background job of a script)
        // stays ignored.
        struct sigaction before {};
        if (::sigaction(s, nullptr, &before) == 0 && before.sa_handler == SIG_IGN) continue;
        ::sigaction(s, &stop, nullptr);
    }
    ::signal(SIGXFSZ, SIG_IGN);
    struct sigaction bus {};
    bus.sa_sigaction = on_bus;
    bus.sa_flags = SA_SIGINFO;
    sigemptyset(&bus.sa_mask);
    ::sigaction(SIGBUS, &bus, nullptr);
#endif
}

tracked_file::tracked_file(const std::string& path) : slot_(path.size() < sizeof files[0].path ? claim(files) : -1) {
    if (slot_ < 0)
        throw data_error("cannot write '" + path + "': the path is too long, or more than 16 files are open");
    file_slot& f = files[slot_];
    std::memcpy(f.path, path.c_str(), path.size() + 1);
    f.state.store(2);
}

tracked_file::~tracked_file() { files[slot_].state.store(0); }

void tracked_file::committed() {
    ++results_written;
    files[slot_].state.store(0);
}

signals_held::signals_held() {
#if BOWLBY_CLI_SIGNALS
    static_assert(sizeof(sigset_t) <= sizeof saved_);
    sigset_t stop, old;
    sigemptyset(&stop);
    for (int s : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&stop, s);
    ::pthread_sigmask(SIG_BLOCK, &stop, &old);
    std::memcpy(saved_, &old, sizeof old);
#endif
}

signals_held::~signals_held() {
#if BOWLBY_CLI_SIGNALS
    sigset_t old;
    std::memcpy(&old, saved_, sizeof old);
    ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
#endif
}

tracked_map::tracked_map(const char* start, std::size_t size) : slot_(claim(maps)) {
    if (slot_ < 0) return;  // not watched: a fault then ends the run as it would without the handler
    map_slot& m = maps[slot_];
    m.start = start;
    m.size = size;
    m.faulted.store(false);
    m.state.store(2);
}

tracked_map::~tracked_map() {
    if (slot_ >= 0) maps[slot_].state.store(0);
}

bool tracked_map::faulted() const { return slot_ >= 0 && maps[slot_].faulted.load(); }

}  // namespace bowlby_cli::faults
