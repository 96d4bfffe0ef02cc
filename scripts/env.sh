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
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

# Node (docs/TOOLCHAIN.md): scripts/setup.sh installs Node 24 into .tools/node24 when the system's
# is older, and Node 22 into .tools/node22 when the system has no 22.12+; the test script runs
# the Node suites on both. ANDOPEN_NODE22 is the Node 22 binary.
ANDOPEN_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ -x "$ANDOPEN_ROOT/.tools/node24/bin/node" ]; then
  case ":$PATH:" in
    *":$ANDOPEN_ROOT/.tools/node24/bin:"*) ;;
    *) export PATH="$ANDOPEN_ROOT/.tools/node24/bin:$PATH" ;;
  esac
fi
if [ -z "${ANDOPEN_NODE22:-}" ]; then
  if [ -x "$ANDOPEN_ROOT/.tools/node22/bin/node" ]; then
    export ANDOPEN_NODE22="$ANDOPEN_ROOT/.tools/node22/bin/node"
  elif command -v node >/dev/null && node --version | grep -qE '^v22\.(1[2-9]|[2-9][0-9])\.'; then
    export ANDOPEN_NODE22="$(command -v node)"
  fi
fi
# wasm-bindgen-test finds Debian's chromedriver on PATH; Chromium as root needs --no-sandbox.
export CHROMEDRIVER="${CHROMEDRIVER:-$(command -v chromedriver || true)}"
# The emulator's fixed test ports, read by the wasm tests at compile time (tests/common).
export ANDOPEN_EMULATOR_AUTH_PORT="${ANDOPEN_EMULATOR_AUTH_PORT:-4401}"
export ANDOPEN_EMULATOR_API_PORT="${ANDOPEN_EMULATOR_API_PORT:-4402}"
