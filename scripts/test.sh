#!/usr/bin/env bash
# Runs every test of o2o: the Rust workspace (unit, integration, property and doc tests, and the
# benches compiled in test mode), then the C suite and the WASM suites when their scripts exist.
# This is the README's test command and exactly what .ci/run calls.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== cargo test (workspace)"
cargo test --workspace --all-targets
cargo test --workspace --doc

for extra in scripts/ci/test-c.sh scripts/ci/test-wasm.sh; do
  if [[ -x "$extra" ]]; then
    echo "== $extra"
    "$extra"
  fi
done
