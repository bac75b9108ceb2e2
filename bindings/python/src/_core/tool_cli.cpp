// The `bowlby` tool's examples/cli/cli.cpp, compiled into bowlby._core (found through the
// include path that setup.py gives; setuptools takes only sources inside this folder).
#include "cli.cpp"
