# Sourced by every project script: the one place that knows which Rust toolchain builds wasm32.
# On an ordinary machine rustup's own toolchain has the wasm32 target; on ours (rustup's server
# unreachable) scripts/setup.sh links Debian's rustc-web as the rustup toolchain "debian-web".
# shellcheck shell=bash
if [ -z "${RUSTUP_TOOLCHAIN:-}" ]; then
  if [ "${ANDOPEN_TOOLCHAIN:-}" = debian ] && rustup toolchain list 2>/dev/null | grep -q '^debian-web'; then
    export RUSTUP_TOOLCHAIN=debian-web
  elif rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    :
  elif rustup toolchain list 2>/dev/null | grep -q '^debian-web'; then
    export RUSTUP_TOOLCHAIN=debian-web
  fi
fi
export PATH="$HOME/.cargo/bin:$PATH"
# wasm-bindgen-test finds Debian's chromedriver on PATH; Chromium as root needs --no-sandbox.
export CHROMEDRIVER="${CHROMEDRIVER:-$(command -v chromedriver || true)}"
# The emulator's fixed test ports, read by the wasm tests at compile time (tests/common).
export ANDOPEN_EMULATOR_AUTH_PORT="${ANDOPEN_EMULATOR_AUTH_PORT:-4401}"
export ANDOPEN_EMULATOR_API_PORT="${ANDOPEN_EMULATOR_API_PORT:-4402}"
