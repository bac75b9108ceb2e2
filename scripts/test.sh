#!/usr/bin/env bash
# All the tests in one command: installs what is missing, then
#   1. builds everything (warnings as errors) and runs the test suite with CTest;
#   2. builds the Python package (bindings/python) in a fresh venv and runs its pytest suite,
#      against the tool's output;
#   3. builds the R package (bindings/r) and runs R CMD check on it, with its testthat suite;
#   4. builds again with AddressSanitizer + UndefinedBehaviorSanitizer and runs it again;
#   5. fuzzes the CSV reader, its Qualtrics detection, the key-file parser and SPSS and Stata input with libFuzzer
#      (ASan + UBSan), 60 s each (BOWLBY_FUZZ_SECONDS);
#   6. builds the WebAssembly module and tests it in Node and, through the jsPsych survey, in
#      headless Chromium, against the tool's scores;
#   7. checks that the sources are formatted as .clang-format says.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh test
jobs=$(nproc)
if [ ! -f ../shared/data/ecr-openpsychometrics/data.csv ]; then
  echo "NOTE: ../shared/data/ecr-openpsychometrics/data.csv is absent: the real-data test will be reported as skipped"
fi

echo "== release build, warnings as errors"
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DBOWLBY_WARNINGS_AS_ERRORS=ON >/dev/null
cmake --build build/release -j "$jobs"
(cd build/release && ctest --output-on-failure -j "$jobs")

echo "== Python package"
# Debian's python3 (numpy, pandas, pybind11, Dask come from apt), one compile of the extension.
rm -rf build/python-venv
/usr/bin/python3 -m venv --system-site-packages build/python-venv
build/python-venv/bin/pip install --quiet --no-build-isolation --no-index ./bindings/python
(cd bindings/python && BOWLBY_CLI="$PWD/../../build/release/bowlby" ../../build/python-venv/bin/python -m pytest -q -rs tests)

echo "== R package"
# R CMD build copies the package folder (its links to include/ and examples/cli as files), R CMD
# check installs that tarball and runs the testthat suite once. check exits 0 on a WARNING, so
# its log's status line decides; the tests' summary (skips and why) is shown.
rm -rf build/r && mkdir -p build/r
(cd build/r && R CMD build --no-build-vignettes ../../bindings/r)
(cd build/r && BOWLBY_SHARED_DATA="$PWD/../../../shared/data" BOWLBY_CLI="$(cd ../.. && pwd)/build/release/bowlby" \
  MAKEFLAGS=-j2 R CMD check --no-manual bowlby_*.tar.gz) || {
  cat build/r/bowlby.Rcheck/00install.out build/r/bowlby.Rcheck/tests/testthat.Rout.fail 2>/dev/null || true
  exit 1
}
grep -E "^\[ FAIL|^── Skip|^• " build/r/bowlby.Rcheck/tests/testthat.Rout || true
if grep -E "^Status:.*(WARNING|ERROR)" build/r/bowlby.Rcheck/00check.log; then
  echo "R CMD check: WARNING or ERROR above (build/r/bowlby.Rcheck/00check.log)"
  exit 1
fi

echo "== ASan + UBSan build"
cmake -S . -B build/sanitize -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-g -O1" \
  -DBOWLBY_SANITIZE=ON -DBOWLBY_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build build/sanitize -j "$jobs"
(cd build/sanitize && ctest --output-on-failure -j "$jobs")

echo "== fuzzing: the CSV reader, its Qualtrics detection, the key-file parser, SPSS and Stata input (libFuzzer, ASan + UBSan)"
bash scripts/fuzz.sh "${BOWLBY_FUZZ_SECONDS:-60}"

echo "== WebAssembly module, jsPsych survey in headless Chromium, Node example"
cmake --preset wasm >/dev/null
cmake --build --preset wasm
(cd examples/web-survey && npm ci --no-audit --no-fund --loglevel=error)
BOWLBY_CLI=build/release/bowlby BOWLBY_WASM_DIR=build/wasm/web node --test tests/web/

echo "== clang-format"
# bindings/r/src/RcppExports.cpp is written by Rcpp::compileAttributes(), not by hand.
files=$(git ls-files '*.hpp' '*.ipp' '*.cpp' ':!bindings/r/src/RcppExports.cpp')
if ! clang-format --dry-run -Werror $files; then
  echo "clang-format: the files above need formatting (clang-format -i)"
  exit 1
fi
echo "all checks passed"
