// The `bowlby` tool's examples/cli/reliability_output.cpp, compiled into bowlby._core (found through the
// include path that setup.py gives; setuptools takes only sources inside this folder).
#include "reliability_output.cpp"
