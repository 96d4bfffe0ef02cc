#!/usr/bin/env bash
# Builds a crate's release .wasm for wasm32-unknown-unknown and prints the folder it is in (the
# only line on stdout; progress goes to stderr). scripts/build-pkg.sh builds the package with it,
# bench/cold-floor/run.sh the cold-start floor, so the two are built alike.
#
# Where Debian's rustc-web and its std source are installed (scripts/setup.sh installs them;
# docs/TOOLCHAIN.md, "The package's std"), std is rebuilt with the crate:
# - for immediate-abort panics: a panic traps at once (with the toolchain's std it traps too,
#   after a panic hook that formats the message), so core::fmt's machinery leaves the .wasm
#   (about 3 KB gzip); no source locations either (-Zlocation-detail=none, 0.13 KB gzip): an
#   immediate-abort panic reports none;
# - without the reference-types feature: wasm-bindgen then keeps the JS values the .wasm holds in
#   an array of its JS glue rather than in a wasm table, so the .wasm has no table bookkeeping and
#   no externref shim around each export (the .wasm 1.0 KB gzip smaller, the glue 0.2 KB larger;
#   a slightly shorter workerd cold start; bench/NOTES.md, stop 15). The toolchain's prebuilt std
#   has the feature, and wasm-bindgen refuses a .wasm that mixes the two, so the fallback below
#   keeps it.
# Where they are missing or that build fails, the build falls back to the toolchain's own std and
# says so. ANDOPEN_BUILD_STD=0 forces the fallback.
#
# usage: scripts/cargo-wasm.sh CRATE_DIR TARGET_DIR   (cargo's output goes to TARGET_DIR/build-std.log
# or TARGET_DIR/cargo-build.log)
set -euo pipefail
CRATE="$1"
TARGET="$(mkdir -p "$2" && cd "$2" && pwd)"
cd "$CRATE"
if [ "${ANDOPEN_BUILD_STD:-1}" != 0 ] && [ -x /usr/bin/rustc ] && [ -x /usr/bin/cargo ] \
  && [ -d /usr/lib/rustlib/src/rust/library/std ] && command -v wasm-ld-19 >/dev/null; then
  echo "    cargo build --release, std rebuilt with immediate-abort panics ($(/usr/bin/rustc --version | cut -d' ' -f1-2))" >&2
  # Its own target folder: the rebuilt std must not mix with the toolchain's.
  if env -u RUSTUP_TOOLCHAIN RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 CARGO_TARGET_DIR="$TARGET/immediate-abort" \
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=wasm-ld-19 \
    RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Ctarget-feature=-reference-types" \
    /usr/bin/cargo build --release --target wasm32-unknown-unknown -Zbuild-std=std,panic_abort \
    >"$TARGET/build-std.log" 2>&1; then
    echo "$TARGET/immediate-abort/wasm32-unknown-unknown/release"
    exit 0
  fi
  echo "    that build failed ($TARGET/build-std.log); falling back to the toolchain's std" >&2
else
  echo "    no Debian rustc-web with rust-web-src and lld-19 (or ANDOPEN_BUILD_STD=0): the toolchain's std" >&2
fi
echo "    cargo build --release (the toolchain's std)" >&2
CARGO_TARGET_DIR="$TARGET" cargo build --release --target wasm32-unknown-unknown >"$TARGET/cargo-build.log" 2>&1 \
  || { cat "$TARGET/cargo-build.log" >&2; exit 1; }
echo "$TARGET/wasm32-unknown-unknown/release"
