#!/usr/bin/env bash
# Tests the built WASM packages: builds them (scripts/build-wasm.sh, which also enforces the tag's
# 100 KB gzip budget), then runs node's test runner over o2o-wasm/tests/node/: the nodejs builds
# against the core's own outputs (fixtures), and the web build in headless Chromium.
# Called by scripts/test.sh (the README test command).
set -euo pipefail
cd "$(dirname "$0")/../.."

scripts/build-wasm.sh
echo "== node --test o2o-wasm/tests/node"
node --test o2o-wasm/tests/node/
