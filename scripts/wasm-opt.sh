#!/usr/bin/env bash
# Optimises a .wasm in place, as the package ships it: scripts/build-pkg.sh runs it on
# wasm-bindgen's output, and bench/cold-floor/run.sh on its own, so that the two compare.
# wasm-opt is the npm package binaryen's (Debian's is too old for what Rust emits).
# usage: scripts/wasm-opt.sh FILE.wasm
set -euo pipefail
cd "$(dirname "$0")/.."
# The features Rust 1.9x emits by default (docs/TOOLCHAIN.md, "wasm tools"). A second -Oz finds
# what the first one's inlining exposed (0.23 KB gzip), and the producers and target-features
# sections are for tools, not runtimes (0.08 KB); `--converge` took no more than the second pass.
# A function with one caller is inlined only if it is small (binaryen's size: 20 expressions; its
# default is any size): inlined into the export shims, the big ones made functions of hundreds of
# locals, whose two-byte local indices gzip worse (-1.4 KB gzip of the .wasm, bench/NOTES.md).
node_modules/.bin/wasm-opt "$1" -Oz -Oz --one-caller-inline-max-function-size 20 \
  --strip-producers --strip-target-features \
  -o "$1" \
  --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-reference-types --enable-multivalue --enable-mutable-globals
