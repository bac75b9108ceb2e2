// SPSS (.sav, .zsav) and Stata (.dta) files for the `bowlby` tool, through ReadStat when the
// tool is built with it (BOWLBY_CLI_READSTAT): answers read into the CSV text the tool's CSV
// reader reads, and score output written as an SPSS .sav file. Without ReadStat, each of these
// is a data error saying so.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace bowlby_cli {

/// What an input file is: CSV text, an SPSS .sav/.zsav file or a Stata .dta file.
enum class file_kind { by_name, csv, sav, dta };

/// The kind of a file by its name's extension (case-insensitive): .sav and .zsav, .dta, else CSV.
file_kind kind_of(const std::string& path);

/// True when `path` ends in .sav (case-insensitive): the score output is then an SPSS file.
bool is_sav_path(const std::string& path);

/// Whether the tool was built with ReadStat.
bool readstat_available();

/// "SPSS" or "Stata".
const char* kind_name(file_kind kind);

/// A .sav or .dta file's variables as a CSV table: the header (variable names, comma-separated)
/// and one record a respondent; numeric values written so that they read back as the same
/// double, missing values (system-missing, SPSS user-missing codes and ranges, Stata's . and
/// .a to .z) as empty cells; string values quoted as CSV needs, with line breaks made spaces so
/// that respondent n is the n-th record. `text[c]` is true for string variables. A file that is
/// not of its kind, or damaged, is a data error naming it.
struct stat_table {
    std::string csv;
    std::vector<std::string> names;
    std::vector<bool> text;
    std::size_t rows = 0;
};
stat_table read_stat_file(const std::string& path, file_kind kind);

/// A numeric or string column of a score output for write_sav: its name, its variable label
/// (may be empty) and, for a labelled numeric, the words its codes 1, 2, ... stand for (the
/// CSV cells are these words).
struct sav_column {
    std::string name;
    std::string label;
    bool text = false;
    /// A column copied from a CSV file: numeric when every cell is a number written as bowlby
    /// writes it (so that "007" stays text) or missing (empty, NA, .), else text.
    bool by_content = false;
    std::vector<std::string> codes;
    /// SPSS's print format of a numeric column ("F8.0" for whole numbers; empty: ReadStat's F8.2).
    std::string format;
};

/// A data error, before anything is read, when `path` ends in .sav and the tool was built
/// without ReadStat.
void check_sav_output(const std::string& path);

/// The .sav file of a CSV table (a header and records, as the score commands write them) whose
/// columns are described by `columns` (same order and count). A numeric column's cells are
/// numbers or empty (missing); a labelled one's are its code words or empty. A data error
/// naming `path` when ReadStat refuses a name or a value.
std::string write_sav(const std::string& path, std::string_view csv, const std::vector<sav_column>& columns);

}  // namespace bowlby_cli
