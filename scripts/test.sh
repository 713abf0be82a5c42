#!/usr/bin/env bash
# Runs every test of o2o. This is the README's test command and exactly what .ci/run calls.
#
#   rust  the workspace: unit, integration, property and doc tests, benches built in test mode
#   c     the C library as a vendor installs it: header check, tests plain, under
#         AddressSanitizer and valgrind, the examples, CMake and C++ (scripts/ci/test-c.sh)
#   wasm  the WASM packages: the tag's size budget, node and headless Chromium
#         (scripts/ci/test-wasm.sh)
#   python the Python package: the wheel built once (maturin), pytest over o2o-py/tests, with
#         the o2o.spark tests in Spark local mode (scripts/ci/test-python.sh)
#   tour  every ```sh block of README.md and docs/*.md, run as pasted in a fresh clone
#         (scripts/ci/tour.sh)
#
# First installs what the suites need and the machine lacks (scripts/ci/install-test-tools.sh;
# nothing when every tool is there). A suite whose tools are still missing is SKIPPED with a line
# saying what and why, and the summary repeats it; with O2O_REQUIRE_ALL=1 (as .ci/run sets) a
# suite that cannot run fails the command instead.
#
# Usage: ./scripts/test.sh [SUITE...]        (default: rust c wasm python tour, in that order)
# Environment: O2O_NO_INSTALL=1   install nothing (suites lacking a tool are skipped)
#              O2O_REQUIRE_ALL=1  a suite that cannot run is a failure, not a skip
set -euo pipefail
cd "$(dirname "$0")/.."
O2O_ROOT=$PWD

if [[ -n "${O2O_TOUR:-}" ]]; then
  # The docs tour runs the README's commands, this one included: it is already running.
  echo "test.sh: not run again from inside the docs tour (scripts/ci/tour.sh), which it runs"
  exit 0
fi

source scripts/ci/tools.sh
suites=("$@")
((${#suites[@]})) || suites=(rust c wasm python tour)
for s in "${suites[@]}"; do
  case "$s" in
    rust | c | wasm | python | tour) ;;
    *) echo "test.sh: unknown suite '$s' (rust, c, wasm, python, tour)" >&2; exit 2 ;;
  esac
done
wants() { [[ " ${suites[*]} " == *" $1 "* ]]; }

summary=()
skipped=0
started=$SECONDS
# Run a suite with a header and its time in the summary.
run() {
  local name=$1 t0=$SECONDS
  shift
  echo
  echo "== test.sh: $name"
  "$@"
  summary+=("passed   $name ($((SECONDS - t0)) s)")
}
# Skip (or, under O2O_REQUIRE_ALL, fail) a suite whose tools are missing.
skip() {
  local name=$1 why=$2
  echo
  echo "== test.sh: SKIPPED $name: $why"
  if [[ -n "${O2O_REQUIRE_ALL:-}" ]]; then
    echo "test.sh: O2O_REQUIRE_ALL is set: a suite that cannot run is a failure" >&2
    exit 1
  fi
  summary+=("SKIPPED  $name: $why")
  skipped=$((skipped + 1))
}
# The missing-tool lines ("what: how to get it") joined into one.
why() { paste -sd';' - | sed 's/;/; /g'; }

if wants c || wants wasm || wants python || wants tour; then
  if [[ -n "${O2O_NO_INSTALL:-}" ]]; then
    echo "test.sh: O2O_NO_INSTALL is set: installing nothing"
  else
    t0=$SECONDS
    scripts/ci/install-test-tools.sh
    summary+=("checked  the tools, installing what was missing ($((SECONDS - t0)) s)")
  fi
fi
missing_c="$(o2o_missing_c | why)"
missing_wasm="$(o2o_missing_wasm | why)"
missing_python="$(o2o_missing_python | why)"
missing_spark="$(o2o_missing_spark | why)"

if wants rust; then
  run "Rust workspace (cargo test)" bash -c 'cargo test --workspace --all-targets && cargo test --workspace --doc'
fi
if wants c; then
  if [[ -z "$missing_c" ]]; then
    run "C library (scripts/ci/test-c.sh)" scripts/ci/test-c.sh
  else
    skip "C library (scripts/ci/test-c.sh)" "missing $missing_c"
  fi
fi
if wants wasm; then
  if [[ -z "$missing_wasm" ]]; then
    run "WASM, node and headless Chromium (scripts/ci/test-wasm.sh)" scripts/ci/test-wasm.sh
  else
    skip "WASM, node and headless Chromium (scripts/ci/test-wasm.sh)" "missing $missing_wasm"
  fi
fi
if wants python; then
  if [[ -z "$missing_python" ]]; then
    if [[ -n "$missing_spark" ]]; then
      if [[ -n "${O2O_REQUIRE_ALL:-}" ]]; then
        skip "o2o.spark tests" "missing $missing_spark"
      fi
      echo
      echo "== test.sh: the o2o.spark tests will be SKIPPED: missing $missing_spark"
      summary+=("SKIPPED  o2o.spark tests: missing $missing_spark")
      skipped=$((skipped + 1))
    fi
    run "Python package and o2o.spark (scripts/ci/test-python.sh)" scripts/ci/test-python.sh
  else
    skip "Python package (scripts/ci/test-python.sh)" "missing $missing_python"
  fi
fi
if wants tour; then
  # The tour itself skips (or fails, under O2O_REQUIRE_ALL) the blocks whose tools are missing,
  # and writes how many it skipped.
  tour_skips="$(mktemp)"
  trap 'rm -f "$tour_skips"' EXIT
  export O2O_TOUR_SKIPS_FILE="$tour_skips"
  run "docs tour (scripts/ci/tour.sh)" scripts/ci/tour.sh
  if [[ -s "$tour_skips" && "$(cat "$tour_skips")" != 0 ]]; then
    summary+=("SKIPPED  $(cat "$tour_skips") block(s) of the docs tour (their tools are missing, see above)")
    skipped=$((skipped + 1))
  fi
fi

echo
echo "== test.sh: summary ($(((SECONDS - started) / 60)) min $(((SECONDS - started) % 60)) s)"
printf '   %s\n' "${summary[@]}"
if ((skipped)); then
  echo "test.sh: PASSED, but $skipped suite(s) SKIPPED (above: what is missing and how to get it)"
else
  echo "test.sh: every suite passed"
fi
