#!/usr/bin/env bash
# usage: NODE=/usr/bin/node RUNS=20 ./loop.sh <label> [node flags...]   (env for storm.mjs passes through)
# Appends one line per run to results.txt: label rc crashed(0/1) summary
set -u
label=$1; shift
NODE=${NODE:-/usr/bin/node}; RUNS=${RUNS:-20}
dir=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$dir/logs"
crashes=0
for i in $(seq "$RUNS"); do
  err="$dir/logs/$label.$i.stderr"
  out=$(timeout 120 nice -n 10 "$NODE" "$@" "$dir/storm.mjs" 2>"$err"); rc=$?
  crashed=0
  if [ $rc -ne 0 ] || grep -q "Fatal error" "$err"; then crashed=1; crashes=$((crashes+1)); fi
  [ -s "$err" ] || rm -f "$err"
  echo "$label run=$i rc=$rc crashed=$crashed $(grep -m1 -o 'Fatal error.*\|# Fatal.*\|unreachable code' "$err" 2>/dev/null | head -1) $out" >> "$dir/results.txt"
done
echo "$label: $crashes/$RUNS crashed" | tee -a "$dir/summary.txt"
