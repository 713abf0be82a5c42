#!/usr/bin/env bash
# Installs what CI needs and a fresh machine lacks: everything the test suites need
# (scripts/ci/install-test-tools.sh, which scripts/test.sh also runs), then what only CI uses:
# rustfmt and clippy, and the nightly toolchain with cargo-fuzz for scripts/ci/fuzz-smoke.sh.
# Each step is skipped when its tool is already there. Run by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/../.."

scripts/ci/install-test-tools.sh

for c in rustfmt clippy; do
  if ! rustup component list --installed 2>/dev/null | grep -q "^$c"; then
    echo "install-ci-tools: adding the $c component (rustup)"
    rustup component add "$c"
  fi
done
if ! rustup toolchain list | grep -q '^nightly'; then
  echo "install-ci-tools: installing the nightly toolchain (rustup, for cargo-fuzz)"
  rustup toolchain install nightly --profile minimal
fi
if ! command -v cargo-fuzz >/dev/null 2>&1 && [[ ! -x "${CARGO_HOME:-$HOME/.cargo}/bin/cargo-fuzz" ]]; then
  echo "install-ci-tools: installing cargo-fuzz (cargo install, a few minutes)"
  cargo install --quiet --locked cargo-fuzz
fi
