// The `bowlby` tool's examples/cli/key_file.cpp (the key-file reader), compiled into bowlby._core.
#include "key_file.cpp"
