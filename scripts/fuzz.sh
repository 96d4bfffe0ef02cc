#!/usr/bin/env bash
# Fuzzes the pure core (fuzz/, cargo-fuzz + libFuzzer, nightly Rust): every target for the
# given number of seconds (default 60), then one line per target with libFuzzer's executions
# and the crashes found. Exits non-zero when any target crashed; the crashing inputs are in
# fuzz/artifacts/<target>/ (replay: cargo +nightly fuzz run <target> <file>).
#
#   scripts/fuzz.sh [seconds-per-target] [target...]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
# shellcheck source=env.sh
source scripts/env.sh
# cargo-fuzz needs nightly, whatever toolchain env.sh chose for wasm32.
unset RUSTUP_TOOLCHAIN
TOOLCHAIN="${FUZZ_TOOLCHAIN:-nightly}"

SECONDS_PER_TARGET="${1:-60}"
shift || true
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then
  TARGETS=(token_response json retry_after config stored_token)
fi

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "==> installing cargo-fuzz"
  cargo install cargo-fuzz
fi

echo "==> building the fuzz targets"
(cd fuzz && cargo "+$TOOLCHAIN" fuzz build)

mkdir -p target/fuzz-logs
declare -A EXECS CRASHES
FAILED=0
for target in "${TARGETS[@]}"; do
  echo "==> fuzzing $target for ${SECONDS_PER_TARGET}s"
  log="target/fuzz-logs/$target.log"
  mkdir -p "fuzz/corpus/$target" "fuzz/artifacts/$target"
  before=$(find "fuzz/artifacts/$target" -type f | wc -l)
  seeds=()
  [ -d "fuzz/seeds/$target" ] && seeds=("fuzz/seeds/$target")
  set +e
  (cd fuzz && cargo "+$TOOLCHAIN" fuzz run "$target" "corpus/$target" "${seeds[@]/#fuzz\//}" -- \
    -max_total_time="$SECONDS_PER_TARGET" -print_final_stats=1) > "$log" 2>&1
  rc=$?
  set -e
  after=$(find "fuzz/artifacts/$target" -type f | wc -l)
  EXECS[$target]=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || echo "?")
  CRASHES[$target]=$((after - before))
  if [ "$rc" -ne 0 ] || [ "${CRASHES[$target]}" -gt 0 ]; then
    FAILED=1
    [ "${CRASHES[$target]}" -gt 0 ] || CRASHES[$target]="1 (exit $rc)"
    echo "!! $target failed (exit $rc); last lines of $log:"
    tail -n 30 "$log"
  fi
done

echo
echo "==> fuzz summary (${SECONDS_PER_TARGET}s per target; logs in target/fuzz-logs/)"
printf '%-16s %14s %8s\n' target executions crashes
for target in "${TARGETS[@]}"; do
  printf '%-16s %14s %8s\n' "$target" "${EXECS[$target]}" "${CRASHES[$target]}"
done
exit "$FAILED"
