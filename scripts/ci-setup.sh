#!/usr/bin/env bash
# Installs what a fresh machine lacks for the full test suite. Sourced by .ci/run; safe to run
# again (each step is skipped when its tool is already there).
set -euo pipefail
rustup component add rustfmt clippy >/dev/null 2>&1 || true
