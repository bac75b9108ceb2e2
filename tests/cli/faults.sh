#!/usr/bin/env bash
# Faults: `bowlby score` interrupted, disturbed or fed hostile input ends with the documented
# exit status and message, leaves no file behind and never crashes.
#   bash tests/cli/faults.sh BOWLBY MAKE_SAMPLE WORKDIR
# Each check prints "ok" or "FAIL" and why; the script exits 1 when any failed.
set -u
# Job control: background runs get the default signal handling (a script's background jobs
# otherwise start with SIGINT ignored, which the tool, like any program, keeps).
set -m
bowlby=$1
make_sample=$2
work=$3
rm -rf "$work"
mkdir -p "$work/out"
failures=0
pass() { echo "ok   $1"; }
fail() {
  echo "FAIL $1: $2"
  failures=$((failures + 1))
}
score_args=(score --instrument ecr-r --items Q1:Q36 --keep id)
"$make_sample" 1000000 >"$work/big.csv"

# The files left in the output folder (hidden ones included), or nothing.
leftovers() { find "$work/out" -mindepth 1 -printf '%f '; }
# expect NAME STATUS WANT_STATUS ERR_FILE PATTERN: the status, the message and an empty out/.
expect() {
  local name=$1 status=$2 want=$3 err=$4 pattern=$5 left
  left=$(leftovers)
  if [ "$status" != "$want" ]; then
    fail "$name" "exit status $status, expected $want; stderr: $(head -c 300 "$err")"
  elif ! grep -q -- "$pattern" "$err"; then
    fail "$name" "stderr does not say '$pattern': $(head -c 300 "$err")"
  elif [ -n "$left" ]; then
    fail "$name" "files left behind: $left"
  else
    pass "$name"
  fi
  rm -rf "$work/out" && mkdir -p "$work/out"
}
# Waits for `pid` at most 20 s, then kills it (a run that ignored the signal); sets $status.
wait_for() {
  local pid=$1 i
  for i in $(seq 1 200); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    kill -9 "$pid"
    wait "$pid"
    status="still running 20 s after the signal"
    return
  fi
  wait "$pid"
  status=$?
}
# Peak resident memory (KiB) of a command, by GNU time; its status in $status.
peak_kib() {
  local out=$1
  shift
  /usr/bin/time -f '%M' -o "$work/time.txt" "$@" >"$out" 2>"$work/peak.err"
  status=$?
  tail -n 1 "$work/time.txt"
}

# --- signals: the input comes through a FIFO fed up to a point, so that the run is surely in
# progress when the signal arrives: after 1 MB, after 30 MB, and with the whole file read and
# the input still open.
mkfifo "$work/fifo"
for sig in INT TERM HUP; do
  for bytes in 1000000 30000000 all; do
    "$bowlby" "${score_args[@]}" --output "$work/out/scores.csv" --report "$work/out/report.json" --threads 2 \
      "$work/fifo" 2>"$work/err" &
    pid=$!
    exec 3>"$work/fifo"
    if [ "$bytes" = all ]; then cat "$work/big.csv" >&3; else head -c "$bytes" "$work/big.csv" >&3; fi
    sleep 0.5
    kill -s "$sig" "$pid"
    wait_for "$pid"
    exec 3>&-
    case $sig in INT) want=130 ;; TERM) want=143 ;; HUP) want=129 ;; esac
    expect "SIG$sig after $bytes bytes of input" "$status" "$want" "$work/err" "interrupted (SIG$sig): nothing was written"
  done
done
# A mapped file, interrupted wherever the run happens to be: either a complete result or none.
for delay in 0.02 0.06 0.12; do
  "$bowlby" "${score_args[@]}" --output "$work/out/scores.csv" --report "$work/out/report.json" \
    --plot "$work/out/plane.svg" --threads 1 "$work/big.csv" 2>"$work/err" &
  pid=$!
  sleep "$delay"
  kill -s INT "$pid"
  wait_for "$pid"
  if [ "$status" = 0 ]; then
    if [ "$(wc -l <"$work/out/scores.csv")" = 1000001 ] && [ -z "$(find "$work/out" -name '.*')" ]; then
      pass "SIGINT after ${delay}s of a mapped file (the run had finished: complete output)"
    else
      fail "SIGINT after ${delay}s of a mapped file" "exit 0 with an incomplete output or a partial file"
    fi
    rm -rf "$work/out" && mkdir -p "$work/out"
  else
    expect "SIGINT after ${delay}s of a mapped file" "$status" 130 "$work/err" "interrupted (SIGINT)"
  fi
done

# --- a closed pipe (| head) ends the run quietly, leaving no report or plot behind
"$bowlby" "${score_args[@]}" --classify midpoint --output - --report "$work/out/report.json" \
  --plot "$work/out/plane.svg" "$work/big.csv" 2>"$work/err" | head -n 2 >/dev/null
status=${PIPESTATUS[0]}
if [ "$status" = 141 ] && [ ! -s "$work/err" ] && [ -z "$(leftovers)" ]; then
  pass "a closed pipe (| head)"
else
  fail "a closed pipe (| head)" "status $status, stderr '$(head -c 200 "$work/err")', left: $(leftovers)"
fi
rm -rf "$work/out" && mkdir -p "$work/out"

# --- the input cut short while it is read: the output goes to a pipe that is not read until
# the file has been truncated, so the run is surely holding the map when it shrinks.
cp "$work/big.csv" "$work/changing.csv"
mkfifo "$work/pipe"
"$bowlby" "${score_args[@]}" --output - --report "$work/out/report.json" --threads 2 "$work/changing.csv" \
  >"$work/pipe" 2>"$work/err" &
pid=$!
exec 4<"$work/pipe"
sleep 0.5
truncate -s 5000000 "$work/changing.csv"
cat <&4 >/dev/null
wait "$pid"
status=$?
exec 4<&-
expect "input truncated while it is read" "$status" 1 "$work/err" "changed while it was being read (it was [0-9]* bytes, now 5000000)"

# --- a full disk for a file output: a 1 MB tmpfs where mounting is allowed, else a file-size limit
if mkdir -p "$work/small" && mount -t tmpfs -o size=1m tmpfs "$work/small" 2>/dev/null; then
  "$bowlby" "${score_args[@]}" --output "$work/small/scores.csv" "$work/big.csv" 2>"$work/err"
  status=$?
  left=$(find "$work/small" -mindepth 1 -printf '%f ')
  umount "$work/small"
  if [ "$status" = 1 ] && grep -q "cannot write '$work/small/scores.csv' (No space left on device)" "$work/err" &&
    [ -z "$left" ]; then
    pass "a full disk (tmpfs of 1 MB)"
  else
    fail "a full disk (tmpfs of 1 MB)" "status $status, left: '$left', stderr: $(cat "$work/err")"
  fi
else
  echo "note: cannot mount a tmpfs here; the full disk is a file-size limit (ulimit -f)"
fi
(
  ulimit -f 1024
  "$bowlby" "${score_args[@]}" --output "$work/out/scores.csv" "$work/big.csv" 2>"$work/err"
)
expect "a file-size limit (ulimit -f)" "$?" 1 "$work/err" "cannot write '$work/out/scores.csv' (File too large)"

# --- output folder that does not exist; an input that is a directory
"$bowlby" "${score_args[@]}" --output "$work/out/no/such/scores.csv" "$work/big.csv" 2>"$work/err"
expect "an output folder that does not exist" "$?" 1 "$work/err" "does its folder exist?"
"$bowlby" "${score_args[@]}" --output "$work/out/scores.csv" "$work" 2>"$work/err"
expect "an input that is a directory" "$?" 1 "$work/err" "is a directory"

# --- hostile input: a 60 MB line with no line break, in about the memory of an ordinary run
ordinary=$(peak_kib "$work/peak.out" "$bowlby" "${score_args[@]}" --output "$work/out/scores.csv" --threads 2 \
  "$work/big.csv")
rm -f "$work/out/scores.csv"
{
  head -n 1 "$work/big.csv"
  head -n 3 "$work/big.csv" | tail -n 2
  head -c 60000000 /dev/zero | tr '\0' '4'
} >"$work/long-line.csv"
for how in file stdin; do
  if [ "$how" = file ]; then
    hostile=$(peak_kib "$work/peak.out" "$bowlby" "${score_args[@]}" --output "$work/out/scores.csv" --threads 2 \
      "$work/long-line.csv")
  else
    hostile=$(peak_kib "$work/peak.out" sh -c "\"\$0\" score --instrument ecr-r --items Q1:Q36 --output \"\$1\" - <\"\$2\"" \
      "$bowlby" "$work/out/scores.csv" "$work/long-line.csv")
  fi
  echo "     peak memory: $ordinary KiB on 1M ordinary rows, $hostile KiB on the 60 MB line ($how)"
  if [ $((hostile)) -gt $((ordinary + 8192)) ]; then
    fail "a 60 MB line ($how)" "peak memory $hostile KiB against $ordinary KiB for an ordinary run"
  else
    expect "a 60 MB line ($how)" "$status" 1 "$work/peak.err" "line 4: a record longer than 1048576 bytes"
  fi
done

# --- messages show what is there: a NUL and control bytes escaped, a long value cut
header="id$(printf ',Q%d' $(seq 1 36))"
answers=$(printf ',4%.0s' $(seq 2 36))
printf '%s\nR1,4%s\nR2,a\0b\001c%s\n' "$header" "$answers" "$answers" >"$work/nul.csv"
"$bowlby" "${score_args[@]}" --output "$work/out/scores.csv" "$work/nul.csv" 2>"$work/err"
expect "a NUL byte in a cell" "$?" 1 "$work/err" "line 3, column Q1: value 'a\\\\x00b\\\\x01c' is not a number"
printf '%s\nR1,%s%s\n' "$header" "$(head -c 200 /dev/zero | tr '\0' 'x')" "$answers" >"$work/wide.csv"
"$bowlby" "${score_args[@]}" --output "$work/out/scores.csv" "$work/wide.csv" 2>"$work/err"
expect "a 200-character value is cut" "$?" 1 "$work/err" "value 'x\{40\}\.\.\.' is not a number"

# --- 200 MB of random bytes, answers that cannot be read counted as missing
head -c 200000000 /dev/urandom >"$work/random.csv"
peak=$(peak_kib "$work/peak.out" "$bowlby" score --instrument ecr-r --on-invalid missing \
  --output "$work/out/scores.csv" "$work/random.csv")
if [ "$status" -ge 128 ]; then
  fail "200 MB of random bytes" "the tool crashed (status $status): $(head -c 300 "$work/peak.err")"
elif [ "$peak" -gt $((ordinary + 65536)) ]; then
  fail "200 MB of random bytes" "peak memory $peak KiB"
elif [ "$status" = 0 ] || grep -q "^bowlby: " "$work/peak.err"; then
  pass "200 MB of random bytes (status $status, peak $peak KiB): $(head -c 160 "$work/peak.err")"
else
  fail "200 MB of random bytes" "status $status without a message: $(head -c 300 "$work/peak.err")"
fi
rm -f "$work/random.csv" "$work/big.csv" "$work/changing.csv" "$work/long-line.csv"

if [ "$failures" -gt 0 ]; then
  echo "$failures fault checks failed"
  exit 1
fi
echo "all fault checks passed"
