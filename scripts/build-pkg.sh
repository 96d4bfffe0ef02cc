#!/usr/bin/env bash
# Builds the npm package in pkg/: the release .wasm, wasm-bindgen's --target web output (which
# every entry can instantiate without compiling at run time; the same files `wasm-pack build
# --target web` writes), wasm-opt from the npm package binaryen, then pkg-template/ on top.
# Prints the size report (raw and gzip -9 of the .wasm and the JS glue).
#
# The .wasm comes from scripts/cargo-wasm.sh: with a std rebuilt for immediate-abort panics and
# without reference types where it can, else with the toolchain's std (it says which).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
# shellcheck source=env.sh
source scripts/env.sh

# Snippets from earlier builds would otherwise ship (wasm-bindgen only adds and overwrites).
rm -rf pkg/snippets
echo "==> build:pkg: the release .wasm (scripts/cargo-wasm.sh)"
WASM="$(scripts/cargo-wasm.sh . target)/andopen_client.wasm"
echo "==> build:pkg: wasm-bindgen --target web"
# `--encode-into always`: every runtime the package supports has TextEncoder.encodeInto, so the
# glue keeps only that way of passing a string to the .wasm (42 bytes gzip of the bundled entry).
wasm-bindgen "$WASM" --out-dir pkg --typescript --target web --out-name andopen_client --encode-into always

echo "==> build:pkg: wasm-opt (scripts/wasm-opt.sh)"
scripts/wasm-opt.sh pkg/andopen_client_bg.wasm

echo "==> build:pkg: short names between the .wasm and its glue (scripts/short-names.mjs)"
node scripts/short-names.mjs pkg/andopen_client_bg.wasm pkg/andopen_client.js

echo "==> build:pkg: minify the JS glue (esbuild: whitespace and syntax, names kept for stack traces)"
# Identifiers stay as written, so stack traces name our functions. Not `--minify --keep-names`:
# that wraps every function, closures made per call included, in a helper that redefines its
# `name`, which cost about 3 µs per warm call and 1.3 KB gzip of the bundled entry (bench/NOTES.md).
for js in pkg/andopen_client.js $(find pkg/snippets -name '*.js'); do
  node_modules/.bin/esbuild "$js" --minify-whitespace --minify-syntax --format=esm --outfile="$js" --allow-overwrite --log-level=error
done

echo "==> build:pkg: pkg-template, docs/API.md"
rm -f pkg/.gitignore pkg/package.json
cp pkg-template/package.json pkg-template/index.*.js pkg-template/index.d.ts pkg-template/README.md pkg/
# The API reference ships in the package, at the path the package README links to.
mkdir -p pkg/docs
cp docs/API.md pkg/docs/API.md

echo "==> build:pkg: functions compiled with their module, not on first call (scripts/eager-js.mjs)"
# Last: it rewrites the entries copied above too. esbuild keeps what it writes.
node scripts/eager-js.mjs pkg/andopen_client.js pkg/index.*.js $(find pkg/snippets -name '*.js')

node scripts/size-report.mjs pkg
