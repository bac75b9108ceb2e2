// bowlby._core.score: the library's scorer over a numpy array read in place, its table handed
// to Python without a copy.
#include "core.hpp"

#include <bowlby/rule.hpp>
#include <bowlby/score.hpp>

#include <pybind11/stl.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <vector>

namespace bowlby_py {

namespace {

// A score table and each row's status (the least complete of its scores, as the `bowlby` tool
// writes it), owned by the numpy arrays that show them.
struct scored {
    bowlby::score_table<double> table;
    std::unique_ptr<std::int8_t[]> row_status;  // codes of pd.Categorical: int8; written, never zeroed first
};

// GCC vectorises the loop below only when asked (at -O2 its cost model declines); 16 rows at a
// time it costs a tenth of the scoring of bytes instead of a third.
#if defined(__GNUC__) && !defined(__clang__)
#define BOWLBY_PY_VECTORISE __attribute__((optimize("tree-vectorize", "vect-cost-model=dynamic")))
#else
#define BOWLBY_PY_VECTORISE
#endif

// Column by column, as the table stores its statuses: the first column copied, each other one
// combined into it (one pass fewer than starting from `complete`).
BOWLBY_PY_VECTORISE void row_statuses(scored& s) {
    const auto& t = s.table;
    const auto n = static_cast<std::size_t>(t.rows());
    s.row_status.reset(new std::int8_t[n > 0 ? n : 1]);
    std::int8_t* out = s.row_status.get();
    const Eigen::Index k = t.status_codes.cols();
    if (k == 0) std::fill_n(out, n, static_cast<std::int8_t>(bowlby::score_status::complete));
    if (k > 0) std::copy_n(reinterpret_cast<const std::int8_t*>(t.status_codes.col(0).data()), n, out);
    for (Eigen::Index c = 1; c < k; ++c) {
        const std::uint8_t* column = t.status_codes.col(c).data();
        for (std::size_t r = 0; r < n; ++r)
            out[r] = static_cast<std::int8_t>(bowlby::rule::combine(static_cast<bowlby::score_status>(out[r]),
                                                                    static_cast<bowlby::score_status>(column[r])));
    }
}

// The table's columns as numpy arrays over its own memory (rows x scores, column-major).
py::dict as_arrays(std::unique_ptr<scored> s) {
    scored* raw = s.release();
    const py::capsule owner(raw, [](void* p) { delete static_cast<scored*>(p); });
    const auto n = static_cast<py::ssize_t>(raw->table.rows());
    const auto k = static_cast<py::ssize_t>(raw->table.values.cols());
    py::dict out;
    out["names"] = raw->table.names;
    out["values"] = py::array_t<double>({n, k}, {py::ssize_t{sizeof(double)}, py::ssize_t(sizeof(double)) * n},
                                        raw->table.values.data(), owner);
    out["answered"] = py::array_t<int>({n, k}, {py::ssize_t{sizeof(int)}, py::ssize_t(sizeof(int)) * n},
                                       raw->table.answered.data(), owner);
    out["status"] = py::array_t<std::int8_t>({n}, {py::ssize_t{1}}, raw->row_status.get(), owner);
    out["invalid_cells"] = raw->table.invalid_cells;
    return out;
}

}  // namespace

py::dict score(const key_ptr& key, const py::array& data, const std::optional<std::pair<double, double>>& scale,
               const std::vector<double>& missing_codes, double min_answered, const std::string& on_invalid,
               long threads) {
    const bowlby::score_options o = make_options(*key, scale, missing_codes, min_answered, on_invalid, threads);
    auto s = std::make_unique<scored>();
    with_matrix(data, [&](const auto& x) {
        check_items(key->view, x.cols());
        const py::gil_scoped_release unlocked;
        s->table = bowlby::score<double>(key->view, x, o);
        row_statuses(*s);
    });
    return as_arrays(std::move(s));
}

// The library's score call alone on the same array and options, timed in C++ (seconds): the
// baseline bench/bench_python.py measures the package's overhead against.
double library_score_seconds(const key_ptr& key, const py::array& data, long threads) {
    const bowlby::score_options o = make_options(*key, std::nullopt, {}, 0.5, "error", threads);
    double seconds = 0;
    with_matrix(data, [&](const auto& x) {
        check_items(key->view, x.cols());
        const py::gil_scoped_release unlocked;
        const auto t0 = std::chrono::steady_clock::now();
        const bowlby::score_table<double> t = bowlby::score<double>(key->view, x, o);
        seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        if (t.rows() != x.rows()) throw std::logic_error("the library scored another number of rows");
    });
    return seconds;
}

void bind_score(py::module_& m) {
    m.def("_library_score_seconds", &library_score_seconds, py::arg("key"), py::arg("data"), py::arg("threads"),
          "Times the library's score call alone (for bench/bench_python.py).");
    m.def("score", &score, py::arg("key"), py::arg("data"), py::arg("scale"), py::arg("missing_codes"),
          py::arg("min_answered"), py::arg("on_invalid"), py::arg("threads"),
          "Scores a 2-D array of answers (read in place) with a key; returns the table's arrays.");
}

}  // namespace bowlby_py
