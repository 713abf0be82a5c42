#!/usr/bin/env bash
# Regenerates the C header into a temporary file with the pinned cbindgen (version in
# scripts/ci/tools.sh) and fails when it differs from the checked-in o2o-ffi/include/o2o.h (so
# the header C users read is always the one the library exports). With --fix, rewrites the
# checked-in header instead.
set -euo pipefail
cd "$(dirname "$0")/../.."

O2O_ROOT=$PWD
source scripts/ci/tools.sh     # the pinned version; puts $CARGO_HOME/bin on PATH
PINNED="$O2O_CBINDGEN_VERSION"
CBINDGEN="${CBINDGEN:-cbindgen}"
if ! have="$("$CBINDGEN" --version 2>/dev/null)"; then
  echo "check-header: cbindgen not found; install it with: cargo install --locked cbindgen@$PINNED" >&2
  echo "check-header: (scripts/ci/install-test-tools.sh installs it, as ./scripts/test.sh does)" >&2
  exit 1
fi
if [[ "$have" != "cbindgen $PINNED" ]]; then
  echo "check-header: need cbindgen $PINNED, found '$have' (cargo install --locked cbindgen@$PINNED)" >&2
  exit 1
fi

tmp="$(mktemp)"
trap 'rm -f "$tmp"' EXIT
"$CBINDGEN" --quiet --config o2o-ffi/cbindgen.toml --crate o2o-ffi --output "$tmp"

if [[ "${1:-}" == "--fix" ]]; then
  cp "$tmp" o2o-ffi/include/o2o.h
  echo "check-header: o2o-ffi/include/o2o.h regenerated"
  exit 0
fi
if ! diff -u o2o-ffi/include/o2o.h "$tmp"; then
  echo "check-header: o2o-ffi/include/o2o.h is out of date; run scripts/ci/check-header.sh --fix and commit it" >&2
  exit 1
fi
echo "check-header: o2o-ffi/include/o2o.h is current"
