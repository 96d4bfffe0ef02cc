#!/usr/bin/env bash
# Runs every test (README, command 2): formatting, clippy on host and wasm32, the native core
# tests, the emulator's own tests, the wasm tests in Node and in headless Chromium against an
# emulator this script starts and stops, then the npm package: its types, its docs, bundlers,
# workerd, the fault matrix, profile "oauth2" against oidc-provider and the demo page, then the
# fault matrix again on the package built with the toolchain's std (the build's fallback). Node:
# everything runs on the Node first on PATH (24, scripts/env.sh); the wasm tests in Node, the
# fault matrix and the oauth2 tests in Node, the example and the require() test run again on
# Node 22 ($ANDOPEN_NODE22).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
# shellcheck source=env.sh
source scripts/env.sh

step() { echo; echo "==> test: $1"; }
# Everything is also logged, so the closing line can add up what every runner passed.
mkdir -p target
LOG=target/test-output.log
: > "$LOG"
exec > >(tee -a "$LOG") 2>&1
trap 'echo "tests FAILED at step: ${STEP:-?}" >&2' ERR
run() {
  STEP="$1"; step "$1"; shift
  # The wasm tests and the example need the emulator this script started; say so if it is gone.
  if [ -n "${EMULATOR_PID:-}" ] && ! kill -0 "$EMULATOR_PID" 2>/dev/null; then
    echo "the test emulator (pid $EMULATOR_PID) is no longer running: was it killed from outside?" >&2
  fi
  "$@"
}

[ -n "${ANDOPEN_NODE22:-}" ] || { echo "no Node 22 (ANDOPEN_NODE22): run scripts/setup.sh first" >&2; exit 1; }
NODE22_BIN="$(dirname "$ANDOPEN_NODE22")"
echo "Node: $(node --version) (PATH) and $("$ANDOPEN_NODE22" --version) (ANDOPEN_NODE22)"

# fmt comes from rustup's default toolchain (Debian's rustc-web ships no rustfmt).
run "cargo fmt --check" env -u RUSTUP_TOOLCHAIN cargo fmt --check
run "clippy (host)" cargo clippy --all-targets -- -D warnings
run "clippy (wasm32)" cargo clippy --all-targets --target wasm32-unknown-unknown -- -D warnings
run "native core tests (cargo test)" cargo test
# scripts/fuzz.sh needs nightly and runs by hand; this keeps its targets compiling with the core.
run "the fuzz targets compile (cargo check of fuzz/)" cargo check --manifest-path fuzz/Cargo.toml --bins
run "no import circle among the modules of src/core or src/js" python3 scripts/import-cycles.py
run "emulator tests" node --test "emulator/test/*.test.mjs"

# The emulator for the wasm tests, on the ports tests/support/mod.rs was compiled with.
export ANDOPEN_TEST_AUTH_URL="http://127.0.0.1:${ANDOPEN_TEST_AUTH_PORT:-4411}"
export ANDOPEN_TEST_API_URL="http://127.0.0.1:${ANDOPEN_TEST_API_PORT:-4412}"
STEP="start the emulator"; step "$STEP"
ANDOPEN_EMULATOR_AUTH_PORT="${ANDOPEN_TEST_AUTH_PORT:-4411}" ANDOPEN_EMULATOR_API_PORT="${ANDOPEN_TEST_API_PORT:-4412}" \
  node emulator/server.mjs > target/emulator-test.log 2>&1 &
EMULATOR_PID=$!
trap 'kill $EMULATOR_PID 2>/dev/null || true' EXIT
# Ready when it has printed both URLs (it does once both listeners are bound); a process that
# died instead (port in use, say) fails here rather than letting another one stand in for it.
for _ in $(seq 100); do
  grep -q '^api: ' target/emulator-test.log 2>/dev/null && break
  kill -0 $EMULATOR_PID 2>/dev/null || break
  sleep 0.1
done
grep -q '^api: ' target/emulator-test.log || { cat target/emulator-test.log; echo "the test emulator did not start" >&2; exit 1; }
cat target/emulator-test.log

# Node runs the tests as ES modules (the JS snippets are ES modules).
run "wasm tests in Node $(node --version) (wasm-pack test --node)" env WASM_BINDGEN_USE_NODE_EXPERIMENTAL=1 wasm-pack test --node
# The same build, run by Node 22 (wasm-bindgen-test-runner runs the `node` first on PATH).
run "wasm tests in Node $("$ANDOPEN_NODE22" --version) (wasm-pack test --node)" \
  env PATH="$NODE22_BIN:$PATH" WASM_BINDGEN_USE_NODE_EXPERIMENTAL=1 wasm-pack test --node
# The same test files in a real browser page; webdriver.json passes Chromium its flags.
run "wasm tests in headless Chromium (wasm-pack test --headless --chrome)" \
  env WASM_BINDGEN_USE_BROWSER=1 wasm-pack test --headless --chrome

# examples/ping.mjs, the smallest real use, against the test emulator on each Node.
example_on_both() {
  local bin out
  for bin in "$(command -v node)" "$ANDOPEN_NODE22"; do
    out="$(ANDOPEN_AUTH_URL="$ANDOPEN_TEST_AUTH_URL" ANDOPEN_API_URL="$ANDOPEN_TEST_API_URL" \
      ANDOPEN_TENANT="example-$("$bin" --version)-$$" "$bin" examples/ping.mjs 2>&1)" || true
    grep -q '^& for Makers' <<<"$out" || { echo "$out"; echo "examples/ping.mjs printed no banner on $("$bin" --version)"; return 1; }
    echo "ok: examples/ping.mjs printed the banner on $("$bin" --version)"
  done
}

# The npm package (release build, wasm-opt), installed from its tarball into a scratch Worker,
# bundled by wrangler and run in workerd (Miniflare) against an emulator the tests start.
run "build the npm package (scripts/build-pkg.sh)" scripts/build-pkg.sh
run "the package's .wasm and glue: short names between them (scripts/short-names.mjs)" node --test "tests/build/*.test.mjs"
run "docs/API.md against the code; links stay inside the repository and the package" node --test "tests/docs/*.test.mjs"
run "TypeScript: the published .d.ts under a Workers project, tsc --init, strict + DOM" node --test "tests/types/*.test.mjs"
run "the example (examples/ping.mjs) in Node $(node --version) and $("$ANDOPEN_NODE22" --version)" example_on_both
run "bundlers: Vite build in Chromium; require() in Node $(node --version)" node --test "tests/bundlers/*.test.mjs"
run "require() in Node $("$ANDOPEN_NODE22" --version)" "$ANDOPEN_NODE22" --test tests/bundlers/require.test.mjs
run "Worker tests in workerd (Miniflare $(node -p 'JSON.parse(require("fs").readFileSync("node_modules/miniflare/package.json")).version'))" node --test "tests/worker/*.test.mjs"
run "token broker (Durable Object): several isolates, one broker, in workerd" node --test "tests/broker/*.test.mjs"
run "encrypted KvStore (WebCrypto) in Node $("$ANDOPEN_NODE22" --version)" "$ANDOPEN_NODE22" --test tests/worker/kv-encryption-node.test.mjs
run "fault matrix + secret scan in Node $(node --version)" node --test tests/matrix/node.test.mjs
run "fault matrix + secret scan in Node $("$ANDOPEN_NODE22" --version)" "$ANDOPEN_NODE22" --test tests/matrix/node.test.mjs
run "fault matrix + secret scan in workerd (Miniflare)" node --test tests/matrix/workerd.test.mjs
# profile "oauth2" against a real authorization server (oidc-provider) and a JWT-checking API.
run "oauth2 against oidc-provider in Node $(node --version) and workerd" node --test "tests/oauth2/*.test.mjs"
run "oauth2 against oidc-provider in Node $("$ANDOPEN_NODE22" --version)" "$ANDOPEN_NODE22" --test tests/oauth2/node.test.mjs
run "demo page in headless Chromium (Playwright)" node --test "tests/www/*.test.mjs"

# The package a machine without Debian's rustc-web gets (scripts/build-pkg.sh falls back to the
# toolchain's std): the fault matrix in Node and workerd on that build, then pkg/ rebuilt as it
# ships (a cached build: a few seconds), so what is left in pkg/ is what the suites above tested.
run "build the npm package with the toolchain's std (ANDOPEN_BUILD_STD=0, the fallback)" \
  env ANDOPEN_BUILD_STD=0 scripts/build-pkg.sh
run "fault matrix on the fallback build in Node $(node --version)" node --test tests/matrix/node.test.mjs
run "fault matrix on the fallback build in workerd (Miniflare)" node --test tests/matrix/workerd.test.mjs
run "rebuild the npm package as it ships" scripts/build-pkg.sh

echo
echo "==> test: all passed"
# node --test closes with "# pass N" (TAP, Node 22 when piped) or "ℹ pass N" (spec, Node 24).
passed=$(grep -hoE '(test result: ok\. [0-9]+ passed|^(#|ℹ) pass [0-9]+)' "$LOG" | grep -oE '[0-9]+' | awk '{s+=$1} END {print s+0}')
failed=$(grep -hoE '([0-9]+ failed;|^(#|ℹ) fail [0-9]+)' "$LOG" | grep -oE '[0-9]+' | awk '{s+=$1} END {print s+0}')
echo "summary: ${passed:-0} passed, ${failed:-0} failed"
