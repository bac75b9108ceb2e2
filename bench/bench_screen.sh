#!/usr/bin/env bash
# Screening's cost, timed in one run on the same 1M x 36 file (bowlby_make_sample, ECR-R):
#   bowlby score                        scoring alone (the baseline)
#   bowlby score --report               scoring with the report's item statistics
#   bowlby score --screen --one-pass    with the one-pass indices (longstring, longstring_avg,
#                                       irv, evenodd, reverse gaps) and their flags
#   ... --screen --one-pass --report    the same with the report: alpha with and without the
#                                       flagged rows (set against score --report)
#   bowlby score --screen               all indices: a first pass for the sample statistics,
#                                       then psychsyn, psychant and mahad as well
#   R                                   tests/reference/screen_reference.R: the same indices in
#                                       base R (apply / sapply over rows), reading with read.csv
# bowlby's times are the best of 3 (a shared machine), R's a single run.
#   bash bench/bench_screen.sh [ROWS] [THREADS]      (default 1000000 rows, 2 threads)
# Prints a table of seconds and ratios over scoring alone (markdown, for bench/RESULTS.md).
set -uo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
threads=${2:-2}
cmake --build build/release --target bowlby_cli bowlby_make_sample >/dev/null || exit 1
data=build/bench-data
mkdir -p "$data"
csv=$data/ecr-r-$rows.csv
[ -f "$csv" ] || build/release/examples/bowlby_make_sample "$rows" > "$csv"
bowlby=build/release/bowlby
now() { date +%s.%N; }
declare -A secs
# best NAME RUNS COMMAND...: the fastest of RUNS runs, or "failed".
best() {
  local name=$1 n=$2 b="" t0 t1 s; shift 2
  for ((k = 0; k < n; k++)); do
    t0=$(now)
    if ! "$@" > "$data/screen-$name.out" 2> "$data/screen-$name.err"; then
      secs[$name]=failed; echo "bench_screen: $name failed: $(tail -n 2 "$data/screen-$name.err")" >&2; return; fi
    t1=$(now); s=$(echo "$t1 - $t0" | bc -l)
    if [[ -z "$b" ]] || (( $(echo "$s < $b" | bc -l) )); then b=$s; fi
  done
  secs[$name]=$b
}
common=(--instrument ecr-r --items Q1:Q36 --keep id --threads "$threads")
best score 3 "$bowlby" score "${common[@]}" --output "$data/screen-score.csv" "$csv"
best score_report 3 "$bowlby" score "${common[@]}" --report "$data/screen-report.json" --output "$data/screen-score.csv" "$csv"
best one_pass 3 "$bowlby" score "${common[@]}" --screen --one-pass --output "$data/screen-one-pass.csv" "$csv"
best one_pass_report 3 "$bowlby" score "${common[@]}" --screen --one-pass --report "$data/screen-one-pass.json" --output "$data/screen-one-pass.csv" "$csv"
best full 3 "$bowlby" score "${common[@]}" --screen --output "$data/screen-full.csv" "$csv"
best r 1 Rscript tests/reference/screen_reference.R "$csv" "$data/screen-r.csv" ecr-r Q1 1 7 none none 0.6 -0.6
ratio() { [[ ${secs[$1]} == failed || ${secs[$2]} == failed ]] && echo "-" || printf "%.2fx" "$(echo "${secs[$1]} / ${secs[$2]}" | bc -l)"; }
shown() { [[ ${secs[$1]} == failed ]] && echo failed || printf "%.2f" "${secs[$1]}"; }
echo "$rows rows x 36 items, $threads threads, $(nproc) cores, $(date -u +%Y-%m-%d)"
echo
echo "| run | seconds | over score alone |"
echo "|---|---:|---:|"
echo "| bowlby score | $(shown score) | 1.00x |"
echo "| bowlby score --report | $(shown score_report) | $(ratio score_report score) |"
echo "| bowlby score --screen --one-pass | $(shown one_pass) | $(ratio one_pass score) |"
echo "| bowlby score --screen --one-pass --report | $(shown one_pass_report) | $(ratio one_pass_report score) (over score --report: $(ratio one_pass_report score_report)) |"
echo "| bowlby score --screen (two passes) | $(shown full) | $(ratio full score) |"
echo "| R, base (screen_reference.R) | $(shown r) | $(ratio r score) |"
echo
echo "R over bowlby score --screen: $(ratio r full)"
