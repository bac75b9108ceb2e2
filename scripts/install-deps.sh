#!/usr/bin/env bash
# Installs the Debian 12 packages bowlby needs that are missing, and nothing else.
#   scripts/install-deps.sh build    compiler, CMake, Eigen, Boost (Math), nlohmann-json (the library and the tool),
#                                    ReadStat (the tool's SPSS and Stata files; optional, found when present)
#   scripts/install-deps.sh test     + doctest, Google Benchmark, R with psych (reference values) and haven (SPSS and
#                                    Stata files written and read back at test time), clang-format,
#                                    xmllint and Chromium (the plot renders), GNU time (peak memory in the fault
#                                    tests), Emscripten (the WebAssembly build),
#                                    and the python, r and fuzz sets
#   scripts/install-deps.sh python   compiler, Eigen, Boost, nlohmann-json, Python 3 with venv and pip, pybind11,
#                                    numpy, pandas, pytest, Dask and distributed (the Python package, bindings/python),
#                                    jsonschema (its tests check key files against docs/key-file.schema.json)
#   scripts/install-deps.sh r        compiler, Eigen, Boost, nlohmann-json, R with its headers, Rcpp, testthat,
#                                    tibble, psych and psychTools (the R package, bindings/r, and its tests)
#   scripts/install-deps.sh web      compiler, CMake, Eigen, Boost, Emscripten, Node.js and npm (the survey)
#   scripts/install-deps.sh fuzz     the build set, clang-14 and libFuzzer (scripts/fuzz.sh)
# Uses sudo when not run as root.
set -euo pipefail
set_name=${1:-test}
build_pkgs=(g++ cmake ninja-build pkg-config libeigen3-dev libboost-dev nlohmann-json3-dev libreadstat-dev)
test_pkgs=(doctest-dev libbenchmark-dev r-base-core r-cran-psych r-cran-psychtools r-cran-gparotation r-cran-haven clang-format
  libxml2-utils chromium time)
web_pkgs=(emscripten)
fuzz_pkgs=(clang-14 libfuzzer-14-dev)
python_pkgs=(python3 python3-dev python3-venv python3-pip python3-setuptools python3-wheel python3-pybind11 pybind11-dev
  python3-numpy python3-pandas python3-pytest python3-dask python3-distributed python3-jsonschema)
r_pkgs=(r-base-dev r-cran-rcpp r-cran-testthat r-cran-tibble r-cran-psych r-cran-psychtools)
pkgs=("${build_pkgs[@]}")
if [ "$set_name" = test ]; then
  pkgs+=("${test_pkgs[@]}" "${web_pkgs[@]}" "${python_pkgs[@]}" "${r_pkgs[@]}" "${fuzz_pkgs[@]}")
fi
if [ "$set_name" = fuzz ]; then pkgs+=("${fuzz_pkgs[@]}"); fi
if [ "$set_name" = web ]; then pkgs+=("${web_pkgs[@]}"); fi
if [ "$set_name" = python ]; then pkgs+=("${python_pkgs[@]}"); fi
if [ "$set_name" = r ]; then pkgs+=("${r_pkgs[@]}"); fi

missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then missing+=("$p"); fi
done
# Node.js and npm by command: Debian 12's nodejs has no npm, while a nodejs from elsewhere may bring both.
if [ "$set_name" = web ] || [ "$set_name" = test ]; then
  command -v node >/dev/null || missing+=(nodejs)
  command -v npm >/dev/null || missing+=(npm)
fi
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#pkgs[@]} packages present"
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
