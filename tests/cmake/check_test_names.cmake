# CTest runs each doctest case by name (doctest_discover_tests): doctest reads a comma in a
# --test-case filter as a separator, and CMake a semicolon as a list separator, so a case whose
# name holds either would match nothing and "pass" without running. This check fails on such a name.
file(GLOB_RECURSE sources ${SOURCE_DIR}/tests/*.cpp)
set(bad "")
foreach(source ${sources})
  file(STRINGS ${source} lines REGEX "TEST_CASE\\(\"[^\"]*[,;]")
  foreach(line ${lines})
    string(APPEND bad "\n  ${source}: ${line}")
  endforeach()
endforeach()
if(bad)
  message(FATAL_ERROR "test case names with a comma or semicolon (CTest would run none of them):${bad}")
endif()
