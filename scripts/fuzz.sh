#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz) with clang-14, AddressSanitizer and UBSan, and runs
# each for SECONDS (default 60; as many at once as there are cores) on its seed corpus
# (tests/fuzz/corpus/<name>, copied, so that the repository's seeds stay as they are), with its
# dictionary (tests/fuzz/<name>.dict). Fails on any crash, leak or sanitizer report; prints how
# many inputs each target ran.
#   scripts/fuzz.sh [SECONDS] [TARGET...]      targets: csv_reader key_file qualtrics_header stat_file
#                                              (default: all; stat_file, SPSS and Stata input, needs libreadstat-dev)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(csv_reader key_file qualtrics_header stat_file)
command -v clang++-14 >/dev/null || { echo "fuzz.sh: clang++-14 is missing (scripts/install-deps.sh fuzz)"; exit 1; }
cmake -S . -B build/fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-14 \
  -DBOWLBY_BUILD_FUZZERS=ON -DBOWLBY_BUILD_TESTS=OFF -DBOWLBY_BUILD_EXAMPLES=OFF -DBOWLBY_BUILD_BENCHMARKS=OFF \
  -DBOWLBY_INSTALL=OFF >/dev/null
cmake --build build/fuzz -j "$(nproc)" --target "${targets[@]/#/bowlby_fuzz_}"
# One target: its corpus copied, run, its count of inputs shown; status 1 on a finding.
fuzz_one() {
  local t=$1 corpus=build/fuzz/corpus/$1 log=build/fuzz/$1.log runs
  rm -rf "$corpus" && mkdir -p "$corpus" && cp tests/fuzz/corpus/"$t"/* "$corpus"/
  if ! (cd build/fuzz && "./tests/fuzz/bowlby_fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -dict="$PWD/../../tests/fuzz/$t.dict" -print_final_stats=1 "corpus/$t" >"$t.log" 2>&1); then
    tail -n 60 "$log"
    echo "fuzz.sh: $t found a problem (the input that shows it is in build/fuzz, crash-* or leak-*)"
    return 1
  fi
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
  echo "$t: $runs inputs run, no finding"
}
# As many targets at once as there are cores (a fuzzer runs on one), each for the whole time.
jobs=$(nproc)
failed=0
for ((i = 0; i < ${#targets[@]}; i += jobs)); do
  pids=()
  for t in "${targets[@]:i:jobs}"; do
    echo "== fuzzing $t for ${seconds} s"
    fuzz_one "$t" &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || failed=1; done
done
exit "$failed"
