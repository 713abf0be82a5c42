#!/usr/bin/env bash
# Installs what a fresh machine lacks for the full test suite. Sourced by .ci/run; safe to run
# again (each step is skipped when its tool is already there).
set -euo pipefail
rustup component add rustfmt clippy >/dev/null 2>&1 || true

# C toolchain for scripts/ci/test-c.sh (gcc with AddressSanitizer, valgrind, pkg-config, cmake, g++) and the
# pinned cbindgen for scripts/ci/check-header.sh.
o2o_missing_c_tools=()
command -v gcc >/dev/null 2>&1 || o2o_missing_c_tools+=(gcc libc6-dev)
command -v valgrind >/dev/null 2>&1 || o2o_missing_c_tools+=(valgrind)
command -v pkg-config >/dev/null 2>&1 || o2o_missing_c_tools+=(pkg-config)
command -v cmake >/dev/null 2>&1 || o2o_missing_c_tools+=(cmake) # checks lib/cmake/o2o
command -v g++ >/dev/null 2>&1 || o2o_missing_c_tools+=(g++) # checks the header as C++
if ((${#o2o_missing_c_tools[@]})); then
  o2o_sudo=""
  [[ "$(id -u)" == 0 ]] || o2o_sudo="sudo"
  $o2o_sudo apt-get update -qq
  $o2o_sudo apt-get install -y -qq "${o2o_missing_c_tools[@]}"
fi
unset o2o_missing_c_tools o2o_sudo
if [[ "$( (cbindgen --version || "$HOME/.cargo/bin/cbindgen" --version) 2>/dev/null)" != "cbindgen 0.29.4" ]]; then
  cargo install cbindgen --version 0.29.4
fi

# WASM: the wasm32 target, the wasm-bindgen CLI at the Cargo.lock version (skipped when already on
# PATH), and the npm tools of o2o-wasm/tests (binaryen's wasm-opt, playwright-core); all
# idempotent, see scripts/build-wasm.sh --tools. Chromium for the browser test.
if [[ ! -x /usr/bin/chromium ]]; then
  o2o_sudo=""
  [[ "$(id -u)" == 0 ]] || o2o_sudo="sudo"
  $o2o_sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $o2o_sudo apt-get install -y -qq chromium
  unset o2o_sudo
fi
"$(dirname "${BASH_SOURCE[0]}")/../build-wasm.sh" --tools

# Fuzzing: the nightly toolchain and cargo-fuzz for scripts/ci/fuzz-smoke.sh.
rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz
