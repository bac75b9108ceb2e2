#!/usr/bin/env bash
# The main job in one command: installs what is missing, builds the `bowlby` tool, and
# batch-scores the bundled synthetic ECR sample (2,000 respondents), printing the tool's summary
# (rows, status counts, each score's n, mean, sd and alpha, the categories) and the first rows.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh build
cmake -S . -B build/demo -G Ninja -DCMAKE_BUILD_TYPE=Release -DBOWLBY_BUILD_TESTS=OFF -DBOWLBY_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build build/demo --target bowlby_cli
./build/demo/bowlby score --instrument ecr --items Q1:Q36 --keep id --classify midpoint --summary \
  --output build/demo/ecr-sample-scores.csv --report build/demo/ecr-sample-report.json examples/sample/ecr-sample.csv
echo
echo "First rows of build/demo/ecr-sample-scores.csv:"
head -n 4 build/demo/ecr-sample-scores.csv
echo
echo "The machine-readable report is build/demo/ecr-sample-report.json."
