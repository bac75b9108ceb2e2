#include "stat_files.hpp"

#include "cli.hpp"

#include <bowlby/csv.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <exception>
#include <limits>

#ifdef BOWLBY_CLI_READSTAT
#include <readstat.h>
#endif

namespace bowlby_cli {

namespace {
bool ends_with_ci(const std::string& path, std::string_view ext) {
    if (path.size() < ext.size()) return false;
    for (std::size_t i = 0; i < ext.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(path[path.size() - ext.size() + i])) != ext[i]) return false;
    return true;
}

[[noreturn]] void without_readstat(const std::string& path, const char* what) {
    throw data_error(path + ": " + what +
                     " need ReadStat, and this bowlby was built without it (install libreadstat-dev, or run "
                     "scripts/install-deps.sh build, and build again); or save the file as CSV");
}
}  // namespace

file_kind kind_of(const std::string& path) {
    if (ends_with_ci(path, ".sav") || ends_with_ci(path, ".zsav")) return file_kind::sav;
    if (ends_with_ci(path, ".dta")) return file_kind::dta;
    return file_kind::csv;
}

bool is_sav_path(const std::string& path) { return ends_with_ci(path, ".sav"); }

const char* kind_name(file_kind kind) { return kind == file_kind::dta ? "Stata" : "SPSS"; }

void check_sav_output(const std::string& path) {
    if (is_sav_path(path) && !readstat_available()) without_readstat(path, "SPSS .sav output files");
}

#ifndef BOWLBY_CLI_READSTAT

bool readstat_available() { return false; }

stat_table read_stat_file(const std::string& path, file_kind kind) {
    without_readstat(path, kind == file_kind::dta ? "Stata files" : "SPSS files");
}

std::string write_sav(const std::string& path, std::string_view, const std::vector<sav_column>&) {
    without_readstat(path, "SPSS .sav output files");
}

#else

bool readstat_available() { return true; }

namespace {

// What the parser's callbacks build. An exception is kept here and thrown once ReadStat has
// returned: it cannot pass through ReadStat's C frames.
struct reading {
    stat_table table;
    std::size_t next_var = 0, next_obs = 0;
    std::string readstat_message;
    std::exception_ptr error;
};

// A string cell: quoted when CSV needs it, line breaks made spaces (a record a respondent).
void append_text(std::string& csv, const char* s) {
    std::string cell = s ? s : "";
    std::replace(cell.begin(), cell.end(), '\n', ' ');
    std::replace(cell.begin(), cell.end(), '\r', ' ');
    if (cell.find_first_of(",\"") == std::string::npos) {
        csv += cell;
        return;
    }
    csv += '"';
    for (char c : cell) {
        if (c == '"') csv += '"';
        csv += c;
    }
    csv += '"';
}

int on_variable(int index, readstat_variable_t* variable, const char*, void* ctx) {
    auto& r = *static_cast<reading*>(ctx);
    try {
        if (index != static_cast<int>(r.table.names.size())) return READSTAT_HANDLER_ABORT;
        const char* name = readstat_variable_get_name(variable);
        r.table.names.emplace_back(name ? name : "");
        r.table.text.push_back(readstat_variable_get_type_class(variable) == READSTAT_TYPE_CLASS_STRING);
        return READSTAT_HANDLER_OK;
    } catch (...) {
        r.error = std::current_exception();
        return READSTAT_HANDLER_ABORT;
    }
}

int on_value(int obs_index, readstat_variable_t* variable, readstat_value_t value, void* ctx) {
    auto& r = *static_cast<reading*>(ctx);
    try {
        const std::size_t n_vars = r.table.names.size();
        const int index = readstat_variable_get_index(variable);
        // Values arrive respondent by respondent, variable by variable: anything else is a
        // file ReadStat half understood.
        if (n_vars == 0 || obs_index < 0 || static_cast<std::size_t>(obs_index) != r.next_obs || index < 0 ||
            static_cast<std::size_t>(index) != r.next_var)
            return READSTAT_HANDLER_ABORT;
        if (r.table.csv.empty()) {  // the header, before the first value
            for (std::size_t c = 0; c < n_vars; ++c) {
                if (c > 0) r.table.csv += ',';
                append_text(r.table.csv, r.table.names[c].c_str());
            }
            r.table.csv += '\n';
        }
        if (index > 0) r.table.csv += ',';
        if (r.table.text[static_cast<std::size_t>(index)]) {
            if (readstat_value_type(value) == READSTAT_TYPE_STRING ||
                readstat_value_type(value) == READSTAT_TYPE_STRING_REF)
                append_text(r.table.csv, readstat_string_value(value));
        } else if (!readstat_value_is_missing(value, variable)) {
            const double x = readstat_double_value(value);
            if (!std::isnan(x)) r.table.csv += format_number(x);
        }
        if (++r.next_var == n_vars) {
            r.table.csv += '\n';
            r.next_var = 0;
            ++r.next_obs;
        }
        return READSTAT_HANDLER_OK;
    } catch (...) {
        r.error = std::current_exception();
        return READSTAT_HANDLER_ABORT;
    }
}

void on_error(const char* message, void* ctx) {
    auto& r = *static_cast<reading*>(ctx);
    try {
        if (message) r.readstat_message = message;
    } catch (...) {
    }
}

std::string trimmed(std::string s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
    return s;
}

}  // namespace

stat_table read_stat_file(const std::string& path, file_kind kind) {
    reading r;
    readstat_parser_t* parser = readstat_parser_init();
    if (!parser) throw std::bad_alloc();
    readstat_set_variable_handler(parser, on_variable);
    readstat_set_value_handler(parser, on_value);
    readstat_set_error_handler(parser, on_error);
    const readstat_error_t err = kind == file_kind::dta ? readstat_parse_dta(parser, path.c_str(), &r)
                                                        : readstat_parse_sav(parser, path.c_str(), &r);
    readstat_parser_free(parser);
    if (r.error) std::rethrow_exception(r.error);
    const std::string what = kind == file_kind::dta ? "a Stata .dta" : "an SPSS .sav";
    if (err == READSTAT_ERROR_OPEN) throw data_error("cannot open '" + path + "'");
    if (err != READSTAT_OK || r.next_var != 0) {
        std::string why = err != READSTAT_OK ? readstat_error_message(err) : "a respondent's values end early";
        if (err == READSTAT_ERROR_USER_ABORT) why = "its values are not in respondent order";
        if (!r.readstat_message.empty()) why += "; " + trimmed(r.readstat_message);
        throw data_error(path + ": cannot be read as " + what + " file (ReadStat: " + why + ")");
    }
    if (r.table.names.empty()) throw data_error(path + ": " + what + " file with no variables");
    if (r.table.csv.empty()) {  // variables but no respondent
        for (std::size_t c = 0; c < r.table.names.size(); ++c) {
            if (c > 0) r.table.csv += ',';
            append_text(r.table.csv, r.table.names[c].c_str());
        }
        r.table.csv += '\n';
    }
    r.table.rows = r.next_obs;
    return std::move(r.table);
}

namespace {

ssize_t append_bytes(const void* data, size_t len, void* ctx) {
    try {
        static_cast<std::string*>(ctx)->append(static_cast<const char*>(data), len);
        return static_cast<ssize_t>(len);
    } catch (...) {
        return -1;
    }
}

// Frees a writer and its variables and label sets however write_sav ends.
struct writer_handle {
    readstat_writer_t* w = readstat_writer_init();
    writer_handle() {
        if (!w) throw std::bad_alloc();
    }
    ~writer_handle() { readstat_writer_free(w); }
    writer_handle(const writer_handle&) = delete;
    writer_handle& operator=(const writer_handle&) = delete;
};

}  // namespace

std::string write_sav(const std::string& path, std::string_view csv, const std::vector<sav_column>& columns) {
    std::vector<std::vector<std::string> > rows;
    try {
        bowlby::csv::splitter split(csv);
        std::vector<std::string_view> fields;
        if (!split.next(fields) || fields.size() != columns.size())
            throw std::logic_error("bowlby: a .sav output's header does not match its columns");
        while (split.next(fields)) {
            if (fields.size() != columns.size())
                throw std::logic_error("bowlby: a .sav output's record does not match its columns");
            rows.emplace_back(fields.begin(), fields.end());
        }
    } catch (const bowlby::csv::csv_error& e) {
        throw std::logic_error(std::string("bowlby: a .sav output is not CSV: ") + e.what());
    }
    auto fail = [&](const std::string& why) {
        throw data_error("cannot write '" + path + "' as an SPSS file: " + why);
    };
    std::vector<sav_column> typed = columns;
    for (sav_column& col : typed) {
        if (!col.by_content) continue;
        const auto c = static_cast<std::size_t>(&col - typed.data());
        col.text = std::any_of(rows.begin(), rows.end(), [&](const std::vector<std::string>& row) {
            double x = 0;
            const bowlby::csv::cell_kind k = bowlby::csv::parse_answer(row[c], x);
            return k == bowlby::csv::cell_kind::text ||
                   (k == bowlby::csv::cell_kind::number && format_number(x) != row[c]);
        });
    }
    std::vector<std::vector<double> > numbers(columns.size());
    std::vector<std::size_t> widths(columns.size(), 1);
    for (std::size_t c = 0; c < columns.size(); ++c) {
        const sav_column& col = typed[c];
        for (std::size_t r = 0; r < rows.size(); ++r) {
            const std::string& cell = rows[r][c];
            if (col.text) {
                widths[c] = std::max(widths[c], cell.size());
                continue;
            }
            double x = std::numeric_limits<double>::quiet_NaN();
            if (!col.codes.empty()) {
                const auto it = std::find(col.codes.begin(), col.codes.end(), cell);
                if (it != col.codes.end()) x = static_cast<double>(it - col.codes.begin() + 1);
            } else if (bowlby::csv::parse_answer(cell, x) == bowlby::csv::cell_kind::text) {
                fail("column " + faults::shown(col.name) + " holds '" + faults::shown(cell) + "', not a number");
            }
            numbers[c].push_back(x);
        }
        if (col.text && widths[c] > 32767)
            fail("column " + faults::shown(col.name) + " holds text longer than SPSS's 32767 bytes");
    }
    std::string out;
    writer_handle h;
    readstat_set_data_writer(h.w, append_bytes);
    std::vector<readstat_variable_t*> vars(columns.size());
    for (std::size_t c = 0; c < columns.size(); ++c) {
        const sav_column& col = typed[c];
        vars[c] = readstat_add_variable(h.w, col.name.c_str(), col.text ? READSTAT_TYPE_STRING : READSTAT_TYPE_DOUBLE,
                                        col.text ? widths[c] : 0);
        if (!vars[c]) throw std::bad_alloc();
        if (!col.label.empty()) readstat_variable_set_label(vars[c], col.label.c_str());
        if (!col.text && !col.format.empty()) readstat_variable_set_format(vars[c], col.format.c_str());
        if (!col.codes.empty()) {
            const std::string set_name = "labels" + std::to_string(c);
            readstat_label_set_t* set = readstat_add_label_set(h.w, READSTAT_TYPE_DOUBLE, set_name.c_str());
            if (!set) throw std::bad_alloc();
            for (std::size_t k = 0; k < col.codes.size(); ++k)
                readstat_label_double_value(set, static_cast<double>(k + 1), col.codes[k].c_str());
            readstat_variable_set_label_set(vars[c], set);
            readstat_variable_set_measure(vars[c], READSTAT_MEASURE_NOMINAL);
        } else {
            readstat_variable_set_measure(vars[c], col.text ? READSTAT_MEASURE_NOMINAL : READSTAT_MEASURE_SCALE);
        }
    }
    auto check = [&](readstat_error_t err) {
        if (err == READSTAT_OK) return;
        std::string why = readstat_error_message(err);
        if (err == READSTAT_ERROR_NAME_BEGINS_WITH_ILLEGAL_CHARACTER ||
            err == READSTAT_ERROR_NAME_CONTAINS_ILLEGAL_CHARACTER || err == READSTAT_ERROR_NAME_IS_RESERVED_WORD ||
            err == READSTAT_ERROR_NAME_IS_TOO_LONG || err == READSTAT_ERROR_NAME_IS_ZERO_LENGTH) {
            std::string names;
            for (const sav_column& col : columns) names += (names.empty() ? "" : ", ") + col.name;
            why +=
                " (SPSS names start with a letter and hold letters, digits, _ . @ # $, at most 64 bytes; the "
                "columns are " +
                names + "; rename the --keep column, or write CSV)";
        }
        fail(why);
    };
    check(readstat_begin_writing_sav(h.w, &out, static_cast<long>(rows.size())));
    for (std::size_t r = 0; r < rows.size(); ++r) {
        check(readstat_begin_row(h.w));
        for (std::size_t c = 0; c < columns.size(); ++c) {
            if (typed[c].text) {
                check(readstat_insert_string_value(h.w, vars[c], rows[r][c].c_str()));
            } else {
                const double x = numbers[c][r];
                check(std::isnan(x) ? readstat_insert_missing_value(h.w, vars[c])
                                    : readstat_insert_double_value(h.w, vars[c], x));
            }
        }
        check(readstat_end_row(h.w));
    }
    check(readstat_end_writing(h.w));
    return out;
}

#endif

}  // namespace bowlby_cli
