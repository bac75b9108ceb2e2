// numpy arrays as Eigen maps over their own memory (never copied), keys and options from
// Python: the pieces every function of bowlby._core shares.
#pragma once

#include <bowlby/error.hpp>
#include <bowlby/instruments.hpp>
#include <bowlby/key.hpp>
#include <bowlby/rule.hpp>

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <Eigen/Core>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace bowlby_py {

namespace py = pybind11;

/// Data of a type bowlby does not read (Python's DTypeError, a TypeError).
struct dtype_error : bowlby::error {
    using bowlby::error::error;
};

/// A 2-D array of T read in place: rows and columns as far apart as the array's strides say
/// (C order, Fortran order or a strided view alike).
template <class T>
using strided_map = Eigen::Map<const Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>,
                               Eigen::Unaligned, Eigen::Stride<Eigen::Dynamic, Eigen::Dynamic>>;

/// Calls f(map) with the array as a strided_map of its own element type. Throws shape_error
/// for an array that is not 2-D, dtype_error for an element type bowlby does not read (or not in
/// the machine's byte order) and for strides that are negative or not whole elements (the
/// Python layer copies such arrays first).
template <class F>
void with_matrix(const py::array& a, F&& f) {
    if (a.ndim() != 2)
        throw bowlby::shape_error("the answers must be a 2-D array (rows x items); this one has " +
                                  std::to_string(a.ndim()) + " dimensions");
    const py::dtype dt = a.dtype();
    const std::uint16_t probe = 1;
    const bool little = *reinterpret_cast<const unsigned char*>(&probe) == 1;
    const char order = dt.byteorder();
    if ((order == '>' && little) || (order == '<' && !little))
        throw dtype_error("the answers are not in the machine's byte order");
    const auto size = static_cast<Eigen::Index>(dt.itemsize());
    const Eigen::Index s0 = a.strides(0), s1 = a.strides(1);
    if (s0 < 0 || s1 < 0 || s0 % size != 0 || s1 % size != 0)
        throw dtype_error("the answers' strides are negative or not whole elements");
    const Eigen::Stride<Eigen::Dynamic, Eigen::Dynamic> stride(s0 / size, s1 / size);
    const Eigen::Index rows = a.shape(0), cols = a.shape(1);
    auto run = [&](auto* tag) {
        using T = std::remove_pointer_t<decltype(tag)>;
        f(strided_map<T>(static_cast<const T*>(a.data()), rows, cols, stride));
    };
    const char kind = dt.kind();
    if (kind == 'f' && size == 8) return run(static_cast<double*>(nullptr));
    if (kind == 'f' && size == 4) return run(static_cast<float*>(nullptr));
    if (kind == 'u' && size == 1) return run(static_cast<std::uint8_t*>(nullptr));
    if (kind == 'i' && size == 1) return run(static_cast<std::int8_t*>(nullptr));
    if (kind == 'i' && size == 2) return run(static_cast<std::int16_t*>(nullptr));
    if (kind == 'i' && size == 4) return run(static_cast<std::int32_t*>(nullptr));
    if (kind == 'i' && size == 8) return run(static_cast<std::int64_t*>(nullptr));
    throw dtype_error("bowlby reads answers of dtype float64, float32, uint8, int8, int16, int32 or int64, not " +
                      py::str(dt.attr("name")).cast<std::string>());
}

/// A questionnaire key as Python holds it: a built-in's (static) or one defined in Python,
/// owned here so that its view stays valid for as long as anything refers to it.
struct key_handle {
    std::shared_ptr<const bowlby::questionnaire> owned;
    bowlby::key_view view;
    /// Non-empty for a built-in: its id.
    std::string builtin;
};

using key_ptr = std::shared_ptr<key_handle>;

key_ptr builtin_key(const std::string& id);
/// A key file (docs/key-files.md): (its key, its missing codes, its min_answered).
py::tuple read_key_file(const std::string& path);
/// subscales: (name, items, reversed, "mean" or "sum"); derived: (name, [(kind, index, weight)])
/// with kind "subscale" (0-based index) or "item" (1-based item number).
key_ptr custom_key(const std::string& id, int n_items, double scale_min, double scale_max, bool integral,
                   const py::list& subscales, const py::list& derived, const std::string& name,
                   const std::string& citation, const std::vector<std::string>& item_names);

/// The options of a scoring or accumulating run. `scale`: the data's scale when it is not the
/// key's; on_invalid "error" or "missing"; threads from 0 (all hardware threads).
bowlby::score_options make_options(const key_handle& key, const std::optional<std::pair<double, double>>& scale,
                                   const std::vector<double>& missing_codes, double min_answered,
                                   const std::string& on_invalid, long threads);

/// Throws shape_error unless the data have the key's number of item columns.
void check_items(const bowlby::key_view& key, Eigen::Index cols);

}  // namespace bowlby_py
