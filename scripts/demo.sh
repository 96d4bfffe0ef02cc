#!/usr/bin/env bash
# The main job (README, command 1): set up, build the package, start the &Open emulator and
# make a real authenticated GET / through the wasm build, printing the banner.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
scripts/setup.sh
# shellcheck source=env.sh
source scripts/env.sh
scripts/build-pkg.sh

export ANDOPEN_AUTH_URL="http://127.0.0.1:${ANDOPEN_EMULATOR_AUTH_PORT}"
export ANDOPEN_API_URL="http://127.0.0.1:${ANDOPEN_EMULATOR_API_PORT}"
mkdir -p target
node emulator/server.mjs > target/emulator-demo.log 2>&1 &
EMULATOR_PID=$!
trap 'kill $EMULATOR_PID 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  grep -q '^api: ' target/emulator-demo.log 2>/dev/null && break
  kill -0 $EMULATOR_PID 2>/dev/null || break
  sleep 0.1
done
grep -q '^api: ' target/emulator-demo.log || { cat target/emulator-demo.log; echo "the emulator did not start (port in use?)" >&2; exit 1; }
echo "==> demo: emulator up"
cat target/emulator-demo.log
echo "==> demo: GET / through the wasm build ($(node --version))"
node examples/ping.mjs

# The demo page: the same client in a browser, drawing the token's life against the emulator.
# Serving blocks until Ctrl-C, so it runs only in a terminal (or with DEMO_SERVE=1).
echo "==> demo: the demo page (Ctrl-C to stop)"
if [ -t 0 ] || [ "${DEMO_SERVE:-0}" = 1 ]; then
  WWW_PORT="${WWW_PORT:-8080}" node scripts/serve-www.mjs
else
  echo "to see it: WWW_PORT=8080 node scripts/serve-www.mjs (with the emulator running), then open http://127.0.0.1:8080/"
fi
