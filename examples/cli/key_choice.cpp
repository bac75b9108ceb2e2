// --instrument ID or --key FILE.json, for the tool's commands. Apart from key_file.cpp, which
// the bindings compile without the tool's command-line machinery (cli.cpp).
#include "cli.hpp"
#include "key_file.hpp"

#include <memory>
#include <utility>

namespace bowlby_cli {

chosen_key choose_key(const std::string& instrument_id, const std::string& key_path, const std::string& command) {
    if (!instrument_id.empty() && !key_path.empty()) throw usage_error("give --instrument or --key, not both");
    chosen_key chosen;
    if (!key_path.empty()) {
        try {
            auto file = std::make_shared<key_file>(read_key_file(key_path));
            chosen.key = &file->key.view();
            chosen.file = std::move(file);
        } catch (const bowlby::key_error& e) {
            throw data_error(e.what());
        }
        return chosen;
    }
    if (instrument_id.empty())
        throw usage_error("bowlby " + command +
                          " needs --instrument ID ('bowlby instruments' lists them) or --key FILE.json");
    chosen.key = &builtin_instrument(instrument_id);
    return chosen;
}

}  // namespace bowlby_cli
