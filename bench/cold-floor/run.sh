#!/usr/bin/env bash
# The cold-start floor of the package's architecture: builds bench/cold-floor (a minimal Rust
# core behind wasm-bindgen and a JS driver making the same two requests) the way
# scripts/build-pkg.sh builds the package, into pkg-cold-floor/, then measures its cold start in
# workerd against pkg/'s, interleaved (bench/cold-floor/ab.mjs). Run scripts/build-pkg.sh first.
# usage: bench/cold-floor/run.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/env.sh
FLOOR=bench/cold-floor
OUT=pkg-cold-floor
WASM_DIR="$(scripts/cargo-wasm.sh $FLOOR $FLOOR/target)"
rm -rf $OUT && mkdir -p $OUT
wasm-bindgen "$WASM_DIR/cold_floor.wasm" --out-dir $OUT --target web
scripts/wasm-opt.sh $OUT/cold_floor_bg.wasm
cp $FLOOR/index.workerd.js $OUT/
node scripts/eager-js.mjs $OUT/cold_floor.js $OUT/index.workerd.js
echo "cold floor: .wasm $(gzip -9c $OUT/cold_floor_bg.wasm | wc -c) bytes gzip -9"
DIRS=pkg,$OUT ROUNDS="${1:-15}" node $FLOOR/ab.mjs
