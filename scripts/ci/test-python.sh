#!/usr/bin/env bash
# Tests the Python package as a user installs it: builds the wheel once (maturin, a debug build
# that shares target/ with cargo), installs it into the suite's virtual environment (.venv, or
# O2O_VENV), and runs pytest over o2o-py/tests/. The o2o.spark tests (o2o-py/tests/spark/) run
# when pyspark and Java 17+ are there; otherwise pytest skips them with the reason, and under
# O2O_REQUIRE_ALL=1 they fail instead.
# Called by scripts/test.sh (the README test command).
set -euo pipefail
cd "$(dirname "$0")/../.."
O2O_ROOT=$PWD
source scripts/ci/tools.sh

py="$O2O_VENV/bin/python"
wheels="$O2O_ROOT/target/wheels/python-suite"
rm -rf "$wheels"
echo "== maturin build (o2o-py, debug) into $wheels"
"$O2O_VENV/bin/maturin" build --quiet --profile dev -m o2o-py/Cargo.toml --out "$wheels"
"$py" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps "$wheels"/o2o-*.whl
echo "== pytest o2o-py/tests"
# Run from outside the source tree, so that the installed wheel is what is imported.
cd "$O2O_ROOT/target"
"$py" -m pytest -q -p no:cacheprovider -rs "$O2O_ROOT/o2o-py/tests"
