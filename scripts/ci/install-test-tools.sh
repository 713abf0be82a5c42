#!/usr/bin/env bash
# Installs what the test suites of scripts/test.sh need and this machine lacks (the list, with
# versions, is in scripts/ci/tools.sh). Every tool already there is left alone: on a machine that
# has them all this installs nothing and prints one line.
#
# Debian packages (gcc, g++, valgrind, pkg-config, cmake, chromium) need root, or sudo without a
# password; crates (cbindgen, wasm-bindgen-cli) go to $CARGO_HOME/bin; the wasm32 target comes
# from rustup; npm packages go to o2o-wasm/tests/node_modules. node and npm are prerequisites.
# Python packages (maturin, pytest, pyarrow, polars, pandas, pyspark) go into the virtual
# environment .venv (O2O_VENV), made with the system's python3 (it sees the system's packages).
#
# Exits 0 even when something could not be installed (it says what and why): scripts/test.sh then
# skips the suites that lack a tool, or fails under O2O_REQUIRE_ALL=1, as .ci/run sets.
set -euo pipefail
O2O_ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$O2O_ROOT"
source scripts/ci/tools.sh

say() { echo "install-test-tools: $*"; }
installed=0

# Debian packages.
missing_debs=()
java=()
o2o_java_ok || java=(openjdk-17-jre-headless)
for d in $(o2o_missing_debian_c) $(o2o_missing_debian_wasm) "${java[@]}"; do
  read -r -a pkgs <<<"$(o2o_deb_of "$d")"
  missing_debs+=("${pkgs[@]}")
done
if ((${#missing_debs[@]})); then
  apt=()
  if [[ "$(id -u)" == 0 ]]; then
    apt=(apt-get)
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    apt=(sudo -n apt-get)
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    say "cannot install ${missing_debs[*]}: no apt-get on this machine (install them with the system's package manager)"
  elif ((${#apt[@]} == 0)); then
    say "cannot install ${missing_debs[*]}: Debian packages need root or sudo without a password; run: sudo apt-get install ${missing_debs[*]}"
  else
    say "installing Debian packages: ${missing_debs[*]}"
    # Wait for another apt or dpkg run to finish rather than fail on its lock.
    lock=(-o DPkg::Lock::Timeout=600)
    if "${apt[@]}" "${lock[@]}" update -qq &&
      DEBIAN_FRONTEND=noninteractive "${apt[@]}" "${lock[@]}" install -y -qq --no-install-recommends \
        "${missing_debs[@]}" >/dev/null; then
      installed=1
    else
      say "apt-get install ${missing_debs[*]} failed"
    fi
  fi
fi

# Crates: the pinned cbindgen for the header check.
if ! o2o_cbindgen_ok; then
  say "installing cbindgen $O2O_CBINDGEN_VERSION (cargo install, a few minutes)"
  if o2o_cargo_install cbindgen "$O2O_CBINDGEN_VERSION"; then
    installed=1
  else
    say "cargo install cbindgen failed"
  fi
fi

# WASM: target, wasm-bindgen-cli and the npm packages (scripts/build-wasm.sh --tools knows how).
if ! o2o_wasm_target_ok || ! o2o_wasm_bindgen_ok || ! o2o_npm_current; then
  if scripts/build-wasm.sh --tools; then
    installed=1
  else
    say "the WASM tools could not all be installed"
  fi
fi

# Python: the venv and the packages it lacks.
if o2o_python_ok && [[ -n "$( (o2o_missing_python; o2o_venv_has pyspark || echo pyspark) | head -1)" ]]; then
  if [[ ! -x "$O2O_VENV/bin/python" ]]; then
    say "making the Python virtual environment $O2O_VENV"
    python3 -m venv --system-site-packages "$O2O_VENV" || say "python3 -m venv failed"
  fi
  if [[ -x "$O2O_VENV/bin/pip" ]]; then
    say "installing Python packages into $O2O_VENV: ${O2O_PY_PACKAGES[*]}"
    if "$O2O_VENV/bin/pip" install -q --disable-pip-version-check "${O2O_PY_PACKAGES[@]}"; then
      installed=1
    else
      say "pip install ${O2O_PY_PACKAGES[*]} failed"
    fi
  fi
fi

left="$( (o2o_missing_c; o2o_missing_wasm; o2o_missing_python; o2o_missing_spark) | sed 's/^/  /')"
if [[ -n "$left" ]]; then
  say "still missing (their suites will say so):"
  echo "$left"
elif ((installed)); then
  say "done: every tool the test suites need is installed"
else
  say "every tool the test suites need is already installed"
fi
