// bowlby._core.Accumulator: the library's instrument accumulator over numpy arrays read in
// place, on several threads, with its byte format for pickling; its reliability statistics as
// the `bowlby` tool writes them (examples/cli/reliability_output.cpp: JSON and the table).
#include "core.hpp"
#include "reliability_output.hpp"

#include <bowlby/detail/format.hpp>
#include <bowlby/instrument_accumulator.hpp>
#include <bowlby/reliability.hpp>

#include <pybind11/stl.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace bowlby_py {

namespace {

// Rows a thread keys and accumulates at a time: blocks are accumulated on whichever thread
// takes them and merged in row order, so the totals do not depend on the number of threads.
constexpr Eigen::Index block_rows = 16384;

// The error of an invalid answer in a block, with its row counted from the start of the data.
std::exception_ptr shifted(const bowlby::invalid_response& e, Eigen::Index first_row) {
    return std::make_exception_ptr(bowlby::invalid_response(e.row() + static_cast<std::size_t>(first_row), e.item(),
                                                            e.value(), bowlby::detail::format_number(e.value()),
                                                            e.reason()));
}

}  // namespace

class accumulator {
public:
    accumulator(key_ptr key, bowlby::score_options options, bool keep_rows)
        : key_(std::move(key)), options_(std::move(options)), acc_(key_->view, options_), keep_rows_(keep_rows) {
        kept_.resize(keep_rows_ ? key_->view.subscales.size() : 0);
    }
    accumulator(key_ptr key, bowlby::score_options options, bowlby::instrument_accumulator acc)
        : key_(std::move(key)), options_(std::move(options)), acc_(std::move(acc)) {}

    /// Adds a 2-D array of raw answers (read in place), without the GIL. On an error nothing is
    /// added.
    void add(const py::array& data, long threads) {
        if (threads < 0 || threads > 1024)
            throw bowlby::option_error("threads takes a whole number from 0 (0: all cores)");
        with_matrix(data, [&](const auto& x) {
            check_items(key_->view, x.cols());
            const py::gil_scoped_release unlocked;
            add_blocks(
                x, threads == 0 ? std::max(1u, std::thread::hardware_concurrency()) : static_cast<unsigned>(threads));
        });
    }

    void merge(const accumulator& other) {
        acc_.merge(other.acc_);
        for (std::size_t s = 0; s < kept_.size() && s < other.kept_.size(); ++s)
            kept_[s].insert(kept_[s].end(), other.kept_[s].begin(), other.kept_[s].end());
    }

    py::bytes to_bytes() const { return py::bytes(acc_.to_bytes()); }

    static accumulator from_bytes(key_ptr key, bowlby::score_options options, const py::bytes& bytes) {
        const std::string in = bytes;
        auto acc = bowlby::instrument_accumulator::from_bytes(key->view, options, in);
        return accumulator(std::move(key), std::move(options), std::move(acc));
    }

    double rows() const { return acc_.items().rows(); }

    py::dict reliability(bool listwise, double ci_level, std::uint64_t seed, std::size_t bootstrap, long threads,
                         const std::vector<std::string>& column_names) const;

private:
    template <class Map>
    void add_blocks(const Map& x, unsigned threads);
    void keep(const bowlby::instrument_accumulator& part);
    void add_bootstrap(const bowlby::reliability_options& o, std::vector<bowlby::reliability_result>& results) const;

    key_ptr key_;
    bowlby::score_options options_;
    bowlby::instrument_accumulator acc_;
    bool keep_rows_ = false;
    std::vector<std::vector<double>> kept_;  // per subscale, its keyed answers row after row (bootstrap)
};

// Threads take blocks in turn; each block is accumulated on its own and merged, in row order,
// into a total that is merged into this accumulator once every block has been added. The first
// block that fails, in row order, throws its error.
template <class Map>
void accumulator::add_blocks(const Map& x, unsigned threads) {
    const Eigen::Index n_blocks = (x.rows() + block_rows - 1) / block_rows;
    bowlby::instrument_accumulator total(key_->view, options_);
    std::vector<std::vector<double>> kept_before = kept_;
    std::mutex m;
    std::condition_variable turn;
    Eigen::Index merged = 0;
    std::exception_ptr failure;
    std::atomic<Eigen::Index> next{0};
    auto work = [&] {
        for (Eigen::Index b; (b = next.fetch_add(1)) < n_blocks;) {
            const Eigen::Index r0 = b * block_rows;
            std::optional<bowlby::instrument_accumulator> part;
            std::exception_ptr err;
            try {
                part.emplace(key_->view, options_);
                part->add(x.middleRows(r0, std::min(block_rows, x.rows() - r0)));
            } catch (const bowlby::invalid_response& e) {
                err = shifted(e, r0);
            } catch (...) {
                err = std::current_exception();
            }
            std::unique_lock<std::mutex> lock(m);
            turn.wait(lock, [&] { return merged == b || failure; });
            if (failure) return;
            try {
                if (err) std::rethrow_exception(err);
                total.merge(*part);
                if (keep_rows_) keep(*part);
                ++merged;
            } catch (...) {
                failure = std::current_exception();
            }
            turn.notify_all();
        }
    };
    {
        std::vector<std::thread> helpers;
        struct join_all {
            std::vector<std::thread>& t;
            ~join_all() {
                for (auto& h : t) h.join();
            }
        } joiner{helpers};
        for (unsigned t = 1; t < threads && static_cast<Eigen::Index>(t) < n_blocks; ++t) helpers.emplace_back(work);
        work();
    }
    if (failure) {
        kept_ = std::move(kept_before);
        std::rethrow_exception(failure);
    }
    acc_.merge(total);
}

void accumulator::keep(const bowlby::instrument_accumulator& part) {
    const auto keyed = part.last_keyed();
    std::size_t first = 0;
    for (std::size_t s = 0; s < kept_.size(); ++s) {
        const auto k = static_cast<Eigen::Index>(key_->view.subscales[s].items.size());
        for (Eigen::Index r = 0; r < keyed.rows(); ++r)
            for (Eigen::Index c = 0; c < k; ++c) kept_[s].push_back(keyed(r, static_cast<Eigen::Index>(first) + c));
        first += static_cast<std::size_t>(k);
    }
}

// The bootstrap interval of each subscale's alpha from its kept answers, as the tool adds it.
void accumulator::add_bootstrap(const bowlby::reliability_options& o,
                                std::vector<bowlby::reliability_result>& results) const {
    for (std::size_t s = 0; s < kept_.size(); ++s) {
        const auto k = static_cast<Eigen::Index>(key_->view.subscales[s].items.size());
        const Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>> x(
            kept_[s].data(), static_cast<Eigen::Index>(kept_[s].size()) / k, k);
        if (results[s].n >= 3 && k >= 2) {
            results[s].bootstrap = bowlby::bootstrap_alpha(x, o, &results[s].warnings);
            results[s].bootstrap_repetitions = o.bootstrap;
        }
    }
}

py::dict accumulator::reliability(bool listwise, double ci_level, std::uint64_t seed, std::size_t bootstrap,
                                  long threads, const std::vector<std::string>& column_names) const {
    bowlby::reliability_options o;
    o.missing = listwise ? bowlby::missing_method::listwise : bowlby::missing_method::pairwise;
    o.ci_level = ci_level;
    o.seed = seed;
    o.bootstrap = bootstrap;
    if (threads < 0 || threads > 1024) throw bowlby::option_error("threads takes a whole number from 0 (0: all cores)");
    o.threads = static_cast<unsigned>(threads);
    if (bootstrap > 0 && !keep_rows_)
        throw bowlby::option_error(
            "the bootstrap resamples rows, which an Accumulator does not keep: call bowlby.reliability on the data");
    std::vector<bowlby::reliability_result> results;
    std::optional<bowlby::scale_correlations> cors;
    {
        const py::gil_scoped_release unlocked;
        results = bowlby::reliability(acc_, o, column_names);
        if (bootstrap > 0) add_bootstrap(o, results);
        if (key_->view.subscales.size() >= 2) cors = bowlby::intercorrelations(acc_, results, o.missing);
    }
    const std::string method = listwise ? "listwise" : "pairwise";
    const auto text = [](const bowlby_cli::json& j) {
        return j.dump(-1, ' ', false, bowlby_cli::json::error_handler_t::replace);
    };
    py::list scales, tables;
    for (const auto& r : results) {
        scales.append(text(bowlby_cli::to_json(r)));
        tables.append(bowlby_cli::to_table(r, method));
    }
    py::dict out;
    out["scales"] = scales;
    out["tables"] = tables;
    out["intercorrelations"] = cors ? py::object(py::str(text(bowlby_cli::to_json(*cors)))) : py::object(py::none());
    out["intercorrelations_table"] = cors ? py::object(py::str(bowlby_cli::to_table(*cors))) : py::object(py::none());
    out["rows"] = rows();
    out["missing"] = method;
    return out;
}

void bind_reliability(py::module_& m) {
    py::class_<accumulator>(m, "Accumulator")
        .def(py::init([](const key_ptr& key, const std::optional<std::pair<double, double>>& scale,
                         const std::vector<double>& missing_codes, const std::string& on_invalid, bool keep_rows) {
                 return accumulator(key, make_options(*key, scale, missing_codes, 0.5, on_invalid, 1), keep_rows);
             }),
             py::arg("key"), py::arg("scale"), py::arg("missing_codes"), py::arg("on_invalid"),
             py::arg("keep_rows") = false)
        .def("add", &accumulator::add, py::arg("data"), py::arg("threads"))
        .def("merge", &accumulator::merge, py::arg("other"))
        .def("to_bytes", &accumulator::to_bytes)
        .def_static(
            "from_bytes",
            [](const key_ptr& key, const std::optional<std::pair<double, double>>& scale,
               const std::vector<double>& missing_codes, const std::string& on_invalid, const py::bytes& bytes) {
                return accumulator::from_bytes(key, make_options(*key, scale, missing_codes, 0.5, on_invalid, 1),
                                               bytes);
            },
            py::arg("key"), py::arg("scale"), py::arg("missing_codes"), py::arg("on_invalid"), py::arg("bytes"))
        .def_property_readonly("rows", &accumulator::rows)
        .def("reliability", &accumulator::reliability, py::arg("listwise"), py::arg("ci_level"), py::arg("seed"),
             py::arg("bootstrap"), py::arg("threads"), py::arg("column_names"));
}

}  // namespace bowlby_py
