#!/usr/bin/env bash
# Builds the npm package in pkg/: wasm-pack's release output (--target web, which every entry
# can instantiate without compiling at run time), wasm-opt from the npm package binaryen, then
# pkg-template/ on top. Prints the size report (raw and gzip -9 of the .wasm and the JS glue).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
# shellcheck source=env.sh
source scripts/env.sh

# target/ does not exist yet in a fresh clone: the log below goes there.
mkdir -p target
# Snippets from earlier builds would otherwise ship (wasm-pack only adds and overwrites).
rm -rf pkg/snippets
echo "==> build:pkg: wasm-pack build --release --target web"
wasm-pack build --release --target web --out-dir pkg --out-name andopen_client --no-pack >/dev/null 2>target/wasm-pack-build.log \
  || { cat target/wasm-pack-build.log; exit 1; }

echo "==> build:pkg: wasm-opt -Oz (npm binaryen)"
# The features Rust 1.9x emits by default (docs/TOOLCHAIN.md, "wasm tools").
node_modules/.bin/wasm-opt pkg/andopen_client_bg.wasm -Oz -o pkg/andopen_client_bg.wasm \
  --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-reference-types --enable-multivalue --enable-mutable-globals

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

node scripts/size-report.mjs pkg
