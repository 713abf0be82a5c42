#!/usr/bin/env bash
# Tests the built WASM packages: builds them (scripts/build-wasm.sh, which also enforces the tag's
# 100 KB gzip budget), then runs node's test runner over o2o-wasm/tests/node/: the nodejs builds
# against the core's own outputs (fixtures), and the web build and the HTML report in headless
# Chromium.
# Called by scripts/test.sh (the README test command).
set -euo pipefail
cd "$(dirname "$0")/../.."

scripts/build-wasm.sh
echo "== node --test o2o-wasm/tests/node o2o-cli/tests/browser"
# o2o-cli/tests/browser: the HTML report in the same headless Chromium (it runs `o2o demo`).
node --test o2o-wasm/tests/node/ o2o-cli/tests/browser/
