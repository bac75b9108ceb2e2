// The parts of bowlby._core, each adding its functions and classes to the module.
#pragma once

#include "arrays.hpp"

namespace bowlby_py {

void bind_score(py::module_& m);
void bind_reliability(py::module_& m);
void bind_classify(py::module_& m);
void bind_couples(py::module_& m);

}  // namespace bowlby_py
