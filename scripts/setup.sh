#!/usr/bin/env bash
# One-time, idempotent set-up of everything the build and the tests need (README: "Set up").
# Each step checks whether it is already done and skips itself; a failing step stops the
# script with its name. See ../shared/docs/toolchain.md for why the Debian route exists.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

step() { STEP="$1"; echo "==> setup: $1"; }
skip() { echo "    already done: $1"; }
trap 'echo "setup FAILED at step: ${STEP:-?}" >&2' ERR

SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
APT_UPDATED=""
apt_install() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && { skip "apt packages $*"; return; }
  if [ -z "$APT_UPDATED" ]; then $SUDO apt-get update -qq; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

WASM_BINDGEN_VERSION="$(sed -n 's/^wasm-bindgen = { version = "=\([0-9.]*\)".*/\1/p' Cargo.toml)"
[ -n "$WASM_BINDGEN_VERSION" ] || { echo "cannot read the pinned wasm-bindgen version from Cargo.toml" >&2; exit 1; }

step "wasm32 Rust toolchain"
# ANDOPEN_TOOLCHAIN=debian takes the Debian route even where rustup could download (to test it).
if [ "${ANDOPEN_TOOLCHAIN:-}" != debian ] && rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  skip "rustup has wasm32-unknown-unknown"
elif rustup toolchain list 2>/dev/null | grep -q '^debian-web' \
  && ls /usr/lib/rustlib/wasm32-unknown-unknown/lib/libstd-*.rlib >/dev/null 2>&1 \
  && [ -e /usr/lib/rustlib/x86_64-unknown-linux-gnu/bin/rust-lld ]; then
  skip "Debian rustc-web toolchain 'debian-web' with a wasm32 std"
elif [ "${ANDOPEN_TOOLCHAIN:-}" != debian ] && timeout 20 rustup target add wasm32-unknown-unknown; then
  echo "    ordinary route: rustup target add worked"
else
  echo "    rustup cannot download here: taking the Debian rustc-web route"
  step "Debian rustc-web packages"
  apt_install rustc-web cargo-web rust-web-src rust-web-clippy lld-19
  SYSROOT="$(/usr/bin/rustc --print sysroot)"
  WASM_LIB="$SYSROOT/lib/rustlib/wasm32-unknown-unknown/lib"
  step "wasm32 std built from rust-web-src (about 2 minutes)"
  if ls "$WASM_LIB"/libstd-*.rlib >/dev/null 2>&1; then
    skip "wasm32 std in $WASM_LIB"
  else
    SCRATCH="$(mktemp -d)"
    mkdir -p "$SCRATCH/src"
    printf '[package]\nname = "stdbuild"\nversion = "0.0.0"\nedition = "2021"\n[profile.release]\npanic = "abort"\n' > "$SCRATCH/Cargo.toml"
    echo 'pub fn f() {}' > "$SCRATCH/src/lib.rs"
    (cd "$SCRATCH" && env -u RUSTUP_TOOLCHAIN RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 \
      RUSTFLAGS=-Cembed-bitcode=yes CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=wasm-ld-19 \
      /usr/bin/cargo build --release --target wasm32-unknown-unknown \
      -Zbuild-std=std,panic_abort,panic_unwind,proc_macro,test)
    mkdir -p "$WASM_LIB"
    find "$SCRATCH/target/wasm32-unknown-unknown/release/deps" -name 'lib*.rlib' ! -name 'libstdbuild-*' -exec cp {} "$WASM_LIB/" \;
    rm -rf "$SCRATCH"
  fi
  step "rust-lld link for wasm32"
  LLD="$SYSROOT/lib/rustlib/x86_64-unknown-linux-gnu/bin/rust-lld"
  if [ -e "$LLD" ]; then skip "$LLD"; else mkdir -p "$(dirname "$LLD")"; ln -s "$(command -v lld-19)" "$LLD"; fi
  step "rustup toolchain link debian-web"
  rustup toolchain list | grep -q '^debian-web' || rustup toolchain link debian-web "$SYSROOT"
fi
# shellcheck source=env.sh
source "$ROOT/scripts/env.sh"

step "clippy for the wasm32 toolchain"
if cargo clippy --version >/dev/null 2>&1; then skip "cargo clippy"; else apt_install rust-web-clippy; fi

step "wasm-pack"
if command -v wasm-pack >/dev/null; then skip "$(wasm-pack --version)"; else cargo install wasm-pack; fi

step "wasm-bindgen-cli $WASM_BINDGEN_VERSION (equal to Cargo.toml's pin)"
if command -v wasm-bindgen >/dev/null && wasm-bindgen --version | grep -q " $WASM_BINDGEN_VERSION\$"; then
  skip "wasm-bindgen $WASM_BINDGEN_VERSION"
else
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

step "Chromium and chromedriver"
apt_install chromium chromium-driver

step "Node dependencies (npm ci)"
if [ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ]; then
  skip "node_modules up to date with package-lock.json"
else
  npm ci --no-audit --no-fund
fi

echo "==> setup: done"
