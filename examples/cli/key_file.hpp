// Key files: a questionnaire described in JSON (docs/key-files.md, docs/key-file.schema.json),
// read by `bowlby score --key` and `bowlby reliability --key`, written by
// `bowlby instruments --export ID`, and shared with the Python package. Needs the library and
// nlohmann::json only.
#pragma once

#include <bowlby/key.hpp>
#include <bowlby/rule.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace bowlby_cli {

/// The version of the format this tool reads and writes ("bowlby_key": 1).
inline constexpr int key_file_version = 1;

/// A questionnaire read from a key file, with the scoring defaults the file gives: missing
/// codes (values that mean "no answer") and the fraction of a subscale's items that must be
/// answered.
struct key_file {
    bowlby::questionnaire key;
    std::vector<double> missing_codes;
    double min_answered = 0.5;
};

/// Parses the text of a key file. `where` names it in messages. A malformed key throws
/// bowlby::key_error naming `where`, the JSON path and the problem ("k.json:
/// subscales[1].reversed[2]: item 40 is not one of the key's 36 items"); text that is not JSON
/// names the line and column.
key_file parse_key_file(std::string_view text, const std::string& where);

/// Reads and parses a key file (bowlby::key_error when it cannot be read).
key_file read_key_file(const std::string& path);

/// The key file of a key, every field written (defaults included), ending in a newline.
std::string key_file_json(const bowlby::key_view& key, const std::vector<double>& missing_codes, double min_answered);

/// Adds the key file's missing codes to those of `options`, each once (--missing-code may give
/// more).
void add_key_missing_codes(const key_file& file, bowlby::score_options& options);

/// The key's item names (the data's column names when the file has them), or none.
std::vector<std::string> key_item_names(const bowlby::key_view& key);

/// The questionnaire a command works with: a built-in instrument (--instrument ID) or a key
/// file (--key FILE.json), exactly one of them. `key` points into `file` when there is one.
struct chosen_key {
    const bowlby::key_view* key = nullptr;
    std::shared_ptr<const key_file> file;
    /// The id for messages ("ecr-r", or the key file's id).
    std::string id() const { return key ? std::string(key->id) : std::string(); }
};

/// Resolves --instrument and --key (a usage error unless exactly one is given). The tool's
/// alone: defined in key_choice.cpp, with the tool's errors.
chosen_key choose_key(const std::string& instrument_id, const std::string& key_path, const std::string& command);

}  // namespace bowlby_cli
