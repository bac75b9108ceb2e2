// The `bowlby` tool's examples/cli/faults.cpp, where the tool has it: cli.cpp's output_file
// records its temporary files in the fault handlers' tables. The handlers themselves are never
// installed here (faults::install is the tool's main's to call).
#if __has_include("faults.hpp")
#include "faults.cpp"
#endif
