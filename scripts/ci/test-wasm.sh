#!/usr/bin/env bash
# Tests the built WASM packages: builds them (scripts/build-wasm.sh, which also enforces the tag's
# 100 KB gzip budget), then runs node's test runner over o2o-wasm/tests/node/: the nodejs builds
# against the core's own outputs (fixtures), and the web build and the HTML report in headless
# Chromium.
# Called by scripts/test.sh (the README test command).
set -euo pipefail
cd "$(dirname "$0")/../.."
O2O_ROOT=$PWD
source scripts/ci/tools.sh     # o2o_target_dir

scripts/build-wasm.sh
# The report page test runs `o2o demo`. Use the debug binary the Rust suite builds: the same
# command with the same workspace-wide features is a no-op after that suite, where `cargo run -p
# o2o-cli` alone would compile the dependencies again with another feature set (minutes, and GBs).
echo "== cargo test --workspace --all-targets --no-run (the o2o binary for the report page)"
cargo test --workspace --all-targets --no-run --quiet
target_dir="$(o2o_target_dir)"
export O2O_BIN="${O2O_BIN:-$target_dir/debug/o2o}"
echo "== node --test o2o-wasm/tests/node o2o-cli/tests/browser"
# o2o-cli/tests/browser: the HTML report in the same headless Chromium (it runs `o2o demo`).
node --test o2o-wasm/tests/node/ o2o-cli/tests/browser/
