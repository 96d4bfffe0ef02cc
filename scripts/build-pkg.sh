#!/usr/bin/env bash
# Builds the npm package in pkg/: the release .wasm, wasm-bindgen's --target web output (which
# every entry can instantiate without compiling at run time; the same files `wasm-pack build
# --target web` writes), wasm-opt from the npm package binaryen, then pkg-template/ on top.
# Prints the size report (raw and gzip -9 of the .wasm and the JS glue).
#
# The .wasm is built with a std rebuilt for immediate-abort panics where Debian's rustc-web and
# its std source are installed (scripts/setup.sh installs them; docs/TOOLCHAIN.md, "The package's
# std"): a panic traps at once (with the toolchain's std it traps too, after a panic hook that
# formats the message), so core::fmt's machinery leaves the .wasm (about 3 KB gzip). Where they
# are missing or that build fails, the build falls back to the toolchain's own std and says so.
# ANDOPEN_BUILD_STD=0 forces the fallback.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
# shellcheck source=env.sh
source scripts/env.sh

# target/ does not exist yet in a fresh clone: the log below goes there.
mkdir -p target
# Snippets from earlier builds would otherwise ship (wasm-bindgen only adds and overwrites).
rm -rf pkg/snippets
WASM=""
if [ "${ANDOPEN_BUILD_STD:-1}" != 0 ] && [ -x /usr/bin/rustc ] && [ -x /usr/bin/cargo ] \
  && [ -d /usr/lib/rustlib/src/rust/library/std ] && command -v wasm-ld-19 >/dev/null; then
  echo "==> build:pkg: cargo build --release, std rebuilt with immediate-abort panics ($(/usr/bin/rustc --version | cut -d' ' -f1-2))"
  # Its own target folder: the rebuilt std must not mix with the toolchain's. No source locations
  # either (-Zlocation-detail=none, 0.13 KB gzip): an immediate-abort panic reports none.
  if env -u RUSTUP_TOOLCHAIN RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 CARGO_TARGET_DIR=target/immediate-abort \
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=wasm-ld-19 RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none" \
    /usr/bin/cargo build --release --target wasm32-unknown-unknown -Zbuild-std=std,panic_abort \
    >target/build-std.log 2>&1; then
    WASM=target/immediate-abort/wasm32-unknown-unknown/release/andopen_client.wasm
  else
    echo "    that build failed (target/build-std.log); falling back to the toolchain's std"
  fi
else
  echo "    no Debian rustc-web with rust-web-src and lld-19 (or ANDOPEN_BUILD_STD=0): the toolchain's std"
fi
if [ -z "$WASM" ]; then
  echo "==> build:pkg: cargo build --release (the toolchain's std)"
  cargo build --release --target wasm32-unknown-unknown >target/cargo-build.log 2>&1 \
    || { cat target/cargo-build.log; exit 1; }
  WASM=target/wasm32-unknown-unknown/release/andopen_client.wasm
fi
echo "==> build:pkg: wasm-bindgen --target web"
wasm-bindgen "$WASM" --out-dir pkg --typescript --target web --out-name andopen_client

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
