// The `bowlby` command-line tool: batch scoring of attachment questionnaires.
//
//   bowlby instruments [--export ID]   list the built-in instruments, or write one as a key file
//   bowlby score --instrument ID ...   score a CSV file (bowlby score --help)
//   bowlby reliability ...             reliability statistics (bowlby reliability --help)
//   bowlby dyads ...                   partners paired by a dyad id (bowlby dyads --help)
//   bowlby change ...                  reliable change between two waves (bowlby change --help)
//
// Exit status: 0 success, 1 a problem with the data or files, 2 a usage error.
#include "cli.hpp"
#include "key_file.hpp"

#include <bowlby/instruments.hpp>
#include <bowlby/version.hpp>

#include <cmath>
#include <exception>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <iostream>
#include <string>

namespace bowlby_cli {

int run_instruments(args& a) {
    if (!a.done() && a.peek() == "--export") {
        a.next();
        const std::string id = a.value("--export");
        if (!a.done())
            throw usage_error("bowlby instruments --export takes one id, then nothing, got '" +
                              faults::shown(a.peek()) + "'");
        std::cout << key_file_json(builtin_instrument(id), {}, bowlby::score_options{}.min_answered);
        return 0;
    }
    if (!a.done())
        throw usage_error("bowlby instruments takes no arguments but --export ID, got '" + faults::shown(a.peek()) +
                          "'");
    for (const bowlby::key_view& k : bowlby::builtin_instruments()) {
        std::cout << k.id << "\n  " << k.name << "\n  items: " << k.n_items << ", scale " << format_number(k.scale.min)
                  << "-" << format_number(k.scale.max) << "\n  subscales:";
        for (const bowlby::subscale_def& s : k.subscales) {
            std::cout << "\n    " << s.name << ": items";
            for (std::size_t i = 0; i < s.items.size(); ++i) {
                std::cout << (i ? "," : " ") << s.items[i];
                for (int r : s.reversed)
                    if (r == s.items[i]) std::cout << "R";
            }
            std::cout << (s.agg == bowlby::aggregation::mean ? " (mean)" : " (sum)");
        }
        for (const bowlby::derived_def& d : k.derived) {
            std::cout << "\n    " << d.name << " =";
            bool first = true;
            for (const bowlby::term& t : d.terms) {
                const std::string what = t.kind == bowlby::term::subscale
                                             ? std::string(k.subscales[static_cast<std::size_t>(t.index)].name)
                                             : "item " + std::to_string(t.index);
                const double w = first ? t.weight : std::abs(t.weight);
                std::cout << (first ? " " : (t.weight < 0 ? " - " : " + "));
                if (w != 1) std::cout << format_number(w) << " * ";
                std::cout << what;
                first = false;
            }
        }
        std::cout << "\n  citation: " << k.citation << "\n  key source: " << k.source << "\n\n";
    }
    return 0;
}

}  // namespace bowlby_cli

namespace {
const char* const main_help = R"(usage: bowlby COMMAND [options]

commands:
  instruments   list the built-in instruments, their items, subscales and sources;
                '--export ID' writes one as a key file (docs/key-files.md)
  score         score a CSV file of responses ('bowlby score --help')
  screen        careless-responding indices and flags of each row ('bowlby screen --help')
  reliability   reliability statistics of subscales or a scale ('bowlby reliability --help')
  dyads         partners' scores side by side and their similarity ('bowlby dyads --help')
  change        reliable change between two waves ('bowlby change --help')
  version       print the version
)";
}

int main(int argc, char** argv) {
    using namespace bowlby_cli;
#if defined(__GLIBC__)
    // Every block of the input takes a few buffers of a few MB (its text, answers, scores and
    // output). glibc would map each from the system and unmap it when freed, so that the next
    // block's buffers fault in fresh zeroed pages: a third of the run's time on a large file.
    // Kept in the heap instead, freed buffers are reused; the peak is a few blocks per thread.
    mallopt(M_MMAP_THRESHOLD, 64 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
#endif
    faults::install();
    bool dispatched = false;
    try {
        if (argc < 2) throw usage_error("a command is needed");
        const std::string command = argv[1];
        args a(argc, argv, 2);
        dispatched = true;
        if (command == "score") return run_score(a);
        if (command == "screen") return run_screen(a);
        if (command == "instruments") return run_instruments(a);
        if (command == "reliability") return run_reliability(a);
        if (command == "dyads") return run_dyads(a);
        if (command == "change") return run_change(a);
        if (command == "version" || command == "--version") {
            std::cout << "bowlby " << bowlby::version_string << "\n";
            return 0;
        }
        if (command == "help" || command == "--help" || command == "-h") {
            std::cout << main_help;
            return 0;
        }
        dispatched = false;
        throw usage_error("unknown command '" + faults::shown(command) + "'");
    } catch (const usage_error& e) {
        std::cerr << "bowlby: " << e.what() << "\n";
        if (!dispatched) std::cerr << "\n" << main_help;
        return 2;
    } catch (const data_error& e) {
        std::cerr << "bowlby: " << e.what() << "\n";
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "bowlby: " << e.what() << "\n";
        return 1;
    }
}
