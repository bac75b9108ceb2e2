// Helpers shared by the tests: running the CLI, reading small CSV files, comparing numbers.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace test_support {

inline std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

inline bool exists(const std::string& path) { return std::ifstream(path).good(); }

struct run_result {
    int status;
    std::string out;
    std::string err;
};

/// This process's own scratch directory under the build's test directory. CTest runs each test
/// case as its own process, several at once, so files named alike by different cases (a key
/// exported as ecr.key.json, a run tagged "by_id") must not meet.
inline const std::string& scratch_dir() {
    static const std::string dir = [] {
        const std::string d = std::string(BOWLBY_TEST_TMP_DIR) + "/p" + std::to_string(::getpid());
        std::filesystem::create_directories(d);
        return d;
    }();
    return dir;
}

/// Runs a shell command line, capturing its exit status, standard output and error.
inline run_result run(const std::string& command, const std::string& tag) {
    const std::string out = scratch_dir() + "/" + tag + ".stdout";
    const std::string err = scratch_dir() + "/" + tag + ".stderr";
    const int raw = std::system((command + " > " + out + " 2> " + err).c_str());
    const int status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    return {status, slurp(out), slurp(err)};
}

inline std::string cli() { return BOWLBY_CLI_PATH; }
inline std::string data(const std::string& name) { return std::string(BOWLBY_TEST_DATA_DIR) + "/" + name; }
inline std::string tmp(const std::string& name) { return scratch_dir() + "/" + name; }

/// Plain comma split of a simple CSV (no quoting): the fixtures and bowlby's output for them.
inline std::vector<std::vector<std::string>> read_simple_csv(const std::string& text) {
    std::vector<std::vector<std::string>> rows;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        std::vector<std::string> fields;
        std::string field;
        std::istringstream ls(line);
        while (std::getline(ls, field, ',')) fields.push_back(field);
        if (!line.empty() && line.back() == ',') fields.emplace_back();
        rows.push_back(fields);
    }
    return rows;
}

/// Relative-or-absolute closeness.
inline bool close(double a, double b, double tol) { return std::abs(a - b) <= tol * std::max(1.0, std::abs(b)); }

}  // namespace test_support
