#!/usr/bin/env bash
# One command: the same datasets through bowlby, R (data.table::fread + psych) and Python
# (pandas + numpy), timed in this one run, with a table of times and ratios.
#   bash bench/compare.sh [ROWS]        (default 1,000,000 respondents x 36 items)
# Installs what is missing (Debian packages), builds bowlby in Release, writes the datasets to
# build/bench-data/, prints the table and rewrites bench/RESULTS.md. A baseline that cannot run
# is reported as such in the table rather than failing the command.
set -uo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
bash scripts/install-deps.sh build >/dev/null
missing=()
for p in libbenchmark-dev r-base-core r-cran-psych r-cran-data.table python3-numpy python3-pandas; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || echo "compare: could not install ${missing[*]}; the table says which baselines did not run"
fi
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/release --target bowlby_cli bowlby_make_sample bowlby_bench_score >/dev/null || exit 1
data=build/bench-data
mkdir -p "$data"
csv=$data/ecr-r-$rows.csv
[ -f "$csv" ] || build/release/examples/bowlby_make_sample "$rows" > "$csv"
py=/usr/bin/python3
now() { date +%s.%N; }
# time_cmd NAME COMMAND...: runs the command once, records seconds or "failed". The file named
# in $fresh (if any) is deleted first, outside the clock: each tool writes a new output file
# and none pays for deleting the previous run's (ext4 takes about 30 ms to free 62 MB).
declare -A secs
fresh=""
time_cmd() {
  local name=$1; shift
  local t0 t1
  [[ -n "$fresh" ]] && rm -f "$fresh"
  t0=$(now)
  if "$@" > "$data/$name.out" 2> "$data/$name.err"; then t1=$(now); secs[$name]=$(echo "$t1 - $t0" | bc -l)
  else secs[$name]=failed; echo "compare: $name failed: $(tail -n 2 "$data/$name.err")" >&2; fi
}
# best_of N NAME COMMAND...: the fastest of N runs (bowlby's runs take a fraction of a second, so
# a moment's noise on a shared machine would otherwise decide the ratio).
best_of() {
  local n=$1 name=$2 best=""; shift 2
  for ((k = 0; k < n; k++)); do
    time_cmd "$name" "$@"
    [[ ${secs[$name]} == failed ]] && return
    if [[ -z "$best" ]] || (( $(echo "${secs[$name]} < $best" | bc -l) )); then best=${secs[$name]}; fi
  done
  secs[$name]=$best
}

# 1. Scoring a CSV end to end: read, reverse-key, subscale means, write.
# The same command writing over its last output (the file is replaced when the run succeeds).
best_of 5 bowlby_score_over build/release/bowlby score --instrument ecr-r --items Q1:Q36 --keep id --threads 2 --output "$data/bowlby-scores.csv" "$csv"
fresh="$data/bowlby-scores.csv"
best_of 5 bowlby_score build/release/bowlby score --instrument ecr-r --items Q1:Q36 --keep id --threads 2 --output "$data/bowlby-scores.csv" "$csv"
fresh="$data/bowlby-scores-1t.csv"
best_of 5 bowlby_score_1t build/release/bowlby score --instrument ecr-r --items Q1:Q36 --keep id --threads 1 --output "$data/bowlby-scores-1t.csv" "$csv"
same_scores=$(cmp -s "$data/bowlby-scores.csv" "$data/bowlby-scores-1t.csv" && echo identical || echo DIFFERENT)
fresh="$data/pandas-scores.csv"
time_cmd pandas_score $py - "$csv" "$data/pandas-scores.csv" <<'PY'
import sys, numpy as np, pandas as pd
d = pd.read_csv(sys.argv[1])
x = d[[f"Q{i}" for i in range(1, 37)]].to_numpy(dtype=float)
rev = np.array([9, 11, 20, 22, 26, 27, 28, 29, 30, 31, 33, 34, 35, 36]) - 1
x[:, rev] = 8 - x[:, rev]
out = pd.DataFrame({"id": d["id"], "anxiety": np.nanmean(x[:, :18], axis=1), "avoidance": np.nanmean(x[:, 18:], axis=1)})
out.to_csv(sys.argv[2], index=False)
PY
fresh="$data/r-scores.csv"
time_cmd r_score Rscript -e '
suppressMessages({library(data.table); library(psych)})
a <- commandArgs(trailingOnly = TRUE); d <- fread(a[1])
keys <- list(anxiety = c(paste0("Q", 1:8), "-Q9", "Q10", "-Q11", paste0("Q", 12:18)),
             avoidance = c("Q19", "-Q20", "Q21", "-Q22", "Q23", "Q24", "Q25", "-Q26", "-Q27", "-Q28", "-Q29", "-Q30", "-Q31", "Q32", "-Q33", "-Q34", "-Q35", "-Q36"))
s <- scoreItems(keys, as.data.frame(d)[, paste0("Q", 1:36)], impute = "none", min = 1, max = 7)
fwrite(data.frame(id = d$id, s$scores), a[2])' "$csv" "$data/r-scores.csv"
fresh=""

# 2. Reliability of both subscales from the CSV: bowlby all fields; pandas+numpy alpha only; R psych::alpha.
best_of 5 bowlby_reliability build/release/bowlby reliability --instrument ecr-r --items Q1:Q36 --json --threads 2 "$csv"
best_of 5 bowlby_reliability_1t build/release/bowlby reliability --instrument ecr-r --items Q1:Q36 --json --threads 1 "$csv"
same_rel=$(cmp -s "$data/bowlby_reliability.out" "$data/bowlby_reliability_1t.out" && echo identical || echo DIFFERENT)
time_cmd pandas_alpha $py - "$csv" <<'PY'
import sys, numpy as np, pandas as pd
d = pd.read_csv(sys.argv[1])
x = d[[f"Q{i}" for i in range(1, 37)]].to_numpy(dtype=float)
rev = np.array([9, 11, 20, 22, 26, 27, 28, 29, 30, 31, 33, 34, 35, 36]) - 1
x[:, rev] = 8 - x[:, rev]
for s in (x[:, :18], x[:, 18:]):
    c = pd.DataFrame(s).cov().to_numpy()  # pairwise-complete, as psych
    k = c.shape[0]
    print(k / (k - 1) * (1 - np.trace(c) / c.sum()))
PY
time_cmd r_alpha Rscript -e '
suppressMessages({library(data.table); library(psych)})
d <- as.matrix(fread(commandArgs(trailingOnly = TRUE)[1])[, paste0("Q", 1:36)])
rev <- c(9, 11, 20, 22, 26, 27, 28, 29, 30, 31, 33, 34, 35, 36); d[, rev] <- 8 - d[, rev]
print(alpha(d[, 1:18], warnings = FALSE)$total$raw_alpha); print(alpha(d[, 19:36], warnings = FALSE)$total$raw_alpha)' "$csv"

# 3. In memory: numpy X @ W on N x 36 doubles, and bowlby's scoring and read pass (Google Benchmark).
time_cmd numpy_matmul $py - "$rows" <<'PY'
import sys, time, numpy as np
n = int(sys.argv[1]); rng = np.random.default_rng(1)
x = rng.integers(1, 8, size=(n, 36)).astype(float); w = rng.random((36, 2))
best = min((lambda t0: (x @ w, time.perf_counter() - t0)[1])(time.perf_counter()) for _ in range(5))
# The BLAS numpy loaded, for the table: Debian's reference BLAS runs on one thread.
blas = "BLAS unknown"
for line in open("/proc/self/maps"):
    if "openblas" in line: blas = "OpenBLAS"; break
    if "libblis" in line: blas = "BLIS"; break
    if "mkl" in line: blas = "MKL"; break
    if "/blas/libblas.so" in line: blas = "reference BLAS, one thread"
print(blas)
print(best)
PY
# Five repetitions, the median of each: two-thread runs of a few milliseconds wait now and then
# for a virtual core, and one such wait would otherwise decide the ratio.
build/release/bench/bowlby_bench_score --benchmark_filter="/$rows(/real_time)?\$" --benchmark_repetitions=5 \
  --benchmark_report_aggregates_only=true --benchmark_format=json > "$data/bench.json" 2> "$data/bench.err" || true
# Two threads against one, in pairs (each iteration runs both, back to back): the speed-ups
# below, for the scorer and for the read pass (what the memory itself gave two threads).
build/release/bench/bowlby_bench_score --benchmark_filter="BM_two_against_one<.*>/$rows/" \
  --benchmark_format=json > "$data/bench-pairs.json" 2>> "$data/bench.err" || true

ratio() { # ratio A B -> A/B or n/a; two decimals below 10x, so that rounding decides no target
  if [[ "$1" == failed || "$2" == failed || -z "$1" || -z "$2" ]]; then echo "n/a"; else
    local r; r=$(echo "$1 / $2" | bc -l)
    if (( $(echo "$r < 10" | bc -l) )); then printf "%.2fx" "$r"; else printf "%.1fx" "$r"; fi
  fi
}
fmt() { # seconds, or milliseconds below 0.1 s
  if [[ "$1" == failed || -z "$1" ]]; then echo "did not run"
  elif (( $(echo "$1 < 0.1" | bc -l) )); then printf "%.1f ms" "$(echo "$1 * 1000" | bc -l)"
  else printf "%.3f s" "$1"; fi
}
bench_time() { # median real_time of a benchmark over the repetitions, in seconds
  $py -c "import json,sys; b=[x for x in json.load(open('$data/bench.json'))['benchmarks'] if x['name']=='$1_median']; print(b[0]['real_time']/1e9 if b else 'failed')" 2>/dev/null || echo failed
}
pair() { # pair NAME COUNTER -> a counter of a paired benchmark (ms, or the speed-up)
  $py -c "import json; b=[x for x in json.load(open('$data/bench-pairs.json'))['benchmarks'] if x['name'].startswith('BM_two_against_one<$1>/')]; print(b[0]['$2'] if b else 'failed')" 2>/dev/null || echo failed
}
speedup() { # a paired benchmark's median ratio, two decimals
  local v; v=$(pair "$1" speedup); [[ $v == failed ]] && echo "n/a" || printf "%.2fx" "$v"
}
ms() { local v; v=$(pair "$1" "$2"); [[ $v == failed ]] && echo "did not run" || printf "%.1f ms" "$v"; }
numpy_mm=$( [[ ${secs[numpy_matmul]} == failed ]] && echo failed || tail -n 1 "$data/numpy_matmul.out")
numpy_blas=$( [[ ${secs[numpy_matmul]} == failed ]] && echo "" || tail -n 2 "$data/numpy_matmul.out" | head -n 1)
score_u8=$(bench_time "BM_score<std::uint8_t>/$rows"); read_u8=$(bench_time "BM_read_pass<std::uint8_t>/$rows")
score_d=$(bench_time "BM_score<double>/$rows"); read_d=$(bench_time "BM_read_pass<double>/$rows")
score_d2=$(bench_time "BM_score<double, Eigen::RowMajor, false, 2>/$rows/real_time")
score_u82=$(bench_time "BM_score<std::uint8_t, Eigen::RowMajor, false, 2>/$rows/real_time")
write_t=$(bench_time "BM_write_pass/$rows")  # a fresh score table written once: the scorer's other floor
read_write_u8=$( [[ $read_u8 == failed || $write_t == failed ]] && echo failed || echo "$read_u8 + $write_t" | bc -l)
read_d2=$(bench_time "BM_read_pass<double, 2>/$rows/real_time"); read_u82=$(bench_time "BM_read_pass<std::uint8_t, 2>/$rows/real_time")

table=$(cat <<TABLE
| task ($rows respondents x 36 items) | bowlby | pandas + numpy | R | bowlby vs pandas | bowlby vs R |
|---|---|---|---|---|---|
| score the CSV end to end | $(fmt "${secs[bowlby_score]}") | $(fmt "${secs[pandas_score]}") | $(fmt "${secs[r_score]}") (fread + scoreItems) | $(ratio "${secs[pandas_score]}" "${secs[bowlby_score]}") | $(ratio "${secs[r_score]}" "${secs[bowlby_score]}") |
| score the CSV, writing over the last output | $(fmt "${secs[bowlby_score_over]}") | | | | $(ratio "${secs[r_score]}" "${secs[bowlby_score_over]}") |
| reliability of both subscales from the CSV | $(fmt "${secs[bowlby_reliability]}") (all fields) | $(fmt "${secs[pandas_alpha]}") (alpha only) | $(fmt "${secs[r_alpha]}") (fread + psych::alpha) | $(ratio "${secs[pandas_alpha]}" "${secs[bowlby_reliability]}") | $(ratio "${secs[r_alpha]}" "${secs[bowlby_reliability]}") |
| in memory: score doubles, 1 thread | $(fmt "$score_d") | $(fmt "$numpy_mm") (X @ W, $numpy_blas) | | $(ratio "$numpy_mm" "$score_d") | |
| in memory: score doubles, 2 threads | $(fmt "$score_d2") | $(fmt "$numpy_mm") (X @ W, $numpy_blas) | | $(ratio "$numpy_mm" "$score_d2") | |
| in memory: score bytes, 1 / 2 threads | $(fmt "$score_u8") / $(fmt "$score_u82") | | | | |
| in memory: one read pass (the floor), doubles / bytes, 1 thread | $(fmt "$read_d") / $(fmt "$read_u8") | | | score / read pass, 1 thread: $(ratio "$score_d" "$read_d") (double), $(ratio "$score_u8" "$read_u8") (uint8) | |
| in memory: writing a fresh score table once (26 bytes a row), 1 thread | $(fmt "$write_t") | | | bytes: score / (read pass + write pass): $(ratio "$score_u8" "$read_write_u8") | |
| in memory: one read pass (the floor), doubles / bytes, 2 threads | $(fmt "$read_d2") / $(fmt "$read_u82") | | | score / read pass, 2 threads: $(ratio "$score_d2" "$read_d2") (double), $(ratio "$score_u82" "$read_u82") (uint8) | |

Multi-threaded paths, 2 threads against 1 (same run):

| task | 1 thread | 2 threads | speed-up | results |
|---|---|---|---|---|
| \`bowlby score\` on the CSV | $(fmt "${secs[bowlby_score_1t]}") | $(fmt "${secs[bowlby_score]}") | $(ratio "${secs[bowlby_score_1t]}" "${secs[bowlby_score]}") | $same_scores output |
| \`bowlby reliability\` on the CSV | $(fmt "${secs[bowlby_reliability_1t]}") | $(fmt "${secs[bowlby_reliability]}") | $(ratio "${secs[bowlby_reliability_1t]}" "${secs[bowlby_reliability]}") | $same_rel output |
| in memory: score doubles | $(ms "double, true" one_thread_ms) | $(ms "double, true" two_threads_ms) | $(speedup "double, true") | tested equal |
| in memory: score bytes | $(ms "std::uint8_t, true" one_thread_ms) | $(ms "std::uint8_t, true" two_threads_ms) | $(speedup "std::uint8_t, true") | tested equal |
| in memory: read pass (the floor), doubles | $(ms "double, false" one_thread_ms) | $(ms "double, false" two_threads_ms) | $(speedup "double, false") | |
| in memory: read pass (the floor), bytes | $(ms "std::uint8_t, false" one_thread_ms) | $(ms "std::uint8_t, false" two_threads_ms) | $(speedup "std::uint8_t, false") | |
TABLE
)
echo "$table"
cpu=$(grep -m1 "model name" /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
# The row kernel picks AVX2 + FMA at run time where the processor has them, SSE2 otherwise.
if grep -qw avx2 /proc/cpuinfo && grep -qw fma /proc/cpuinfo; then isa="AVX2 + FMA"; else isa="SSE2"; fi
cat > bench/RESULTS.md <<MD
# Benchmark results

Measured by \`bash bench/compare.sh $rows\` on $(date -u +%Y-%m-%d), $(nproc) cores ($cpu),
$(free -g | awk '/Mem:/ {print $2}') GiB, one run of each task, the best of five for bowlby's commands (wall-clock seconds, including process
start-up and, for R and Python, loading their libraries). Ratios are the baseline's time over
bowlby's: above 1x bowlby is faster. The in-memory rows of the first table come from Google Benchmark, the median of 5 repetitions
(\`bowlby_bench_score\`; Debian's libbenchmark is a debug build, which affects its own timing loop,
not the code measured). The read pass is the memory floor: it sums every answer with SSE2
(bytes eight at a time with psadbw, doubles in eight independent chains), so that memory, not
arithmetic, bounds it; on 2 threads each reads half. The in-memory rows of the second table are
measured in pairs (\`BM_two_against_one\`: each iteration runs one thread and two back to back,
40 iterations for doubles, 100 for bytes): times are medians, the speed-up is the median of the
pairs' ratios, and the read pass rows show how much a second thread could get from memory at
that time.
numpy runs with its BLAS's default threads (the BLAS it loaded is named in the table); bowlby's
library scores on \`score_options::threads\` threads (1 unless set; 0 for every core), its
command-line tool on every core unless \`--threads\` says otherwise. bowlby's rows in the first table run on 2 threads; its row
kernel ran on $isa (chosen at run time; the build itself targets plain x86-64). Each tool scores
into a new file: the last run's output is deleted before the clock starts, for bowlby, pandas and
R alike (ext4 takes about 30 ms to free a 62 MB file); the row "writing over the last output"
shows bowlby with that cost included. Timings on a shared machine are noisy: compare ratios
from one run.

$table
MD
echo "wrote bench/RESULTS.md"
