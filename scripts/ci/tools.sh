# Sourced (not run) by the scripts of scripts/ci/: which tools each test suite needs, how to tell
# whether they are there, and how to install them. One place, so that scripts/test.sh, the tool
# installers and the suites agree on versions and names.
#
#   suite  needs                                                   installed from
#   c      gcc, libc6-dev, g++, valgrind, pkg-config, cmake        Debian (apt-get)
#          cbindgen 0.29.4 (the header check)                      crates.io (cargo install)
#   wasm   node and npm                                            a prerequisite, not installed
#          the wasm32-unknown-unknown target                       rustup
#          wasm-bindgen-cli at the Cargo.lock version              crates.io (cargo install)
#          o2o-wasm/tests' npm packages (wasm-opt, playwright)     npm (npm ci, from the lock file)
#          chromium (the browser test)                             Debian (apt-get)
#   python python3 (3.9 or later) with venv                        a prerequisite (Debian: python3-venv)
#          maturin, pytest, pyarrow, polars, pandas in .venv       PyPI (pip, into $O2O_VENV)
#          pyspark 4 (the o2o.spark tests) and Java 17 or later    PyPI; Debian (openjdk-17-jre-headless)
#
# Functions print what is missing, one item per line, as "what: how to get it"; nothing when all
# is there. Requires O2O_ROOT (the repository root).

O2O_CBINDGEN_VERSION=0.29.4
O2O_WASM_TARGET=wasm32-unknown-unknown
O2O_NPM_DIR=o2o-wasm/tests
O2O_CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
# The Python suite's virtual environment (gitignored): the wheel and its test tools go there.
O2O_VENV="${O2O_VENV:-$O2O_ROOT/.venv}"
O2O_PY_PACKAGES=(maturin pytest pyarrow polars pandas "pyspark>=4,<5")

# `cargo install` puts binaries here; make sure this shell finds them even when the user's
# profile has not put it on PATH yet (a fresh rustup install).
O2O_CARGO_BIN="${CARGO_HOME:-$HOME/.cargo}/bin"
case ":$PATH:" in
  *":$O2O_CARGO_BIN:"*) ;;
  *) export PATH="$PATH:$O2O_CARGO_BIN" ;;
esac

# Cargo's output directory for the workspace of the current directory, wherever it is
# (CARGO_TARGET_DIR, build.target-dir, or target/). Fails when cargo does not say.
o2o_target_dir() {
  local dir
  dir=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
  if [[ -z "$dir" ]]; then
    echo "cargo metadata did not give the target directory" >&2
    return 1
  fi
  echo "$dir"
}

# The wasm-bindgen CLI must be exactly the version of the wasm-bindgen crate in Cargo.lock.
o2o_wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' "$O2O_ROOT/Cargo.lock"
}

# `cargo install` of a pinned tool: with the lock file the crate was published with (--locked),
# or, when the registry no longer has a version that lock file names (a yanked release), with
# the newest compatible dependencies.
o2o_cargo_install() { # $1 = crate, $2 = version
  cargo install --quiet --locked "$1" --version "$2" ||
    {
      echo "cargo install --locked $1 $2 failed; trying again without its lock file"
      cargo install --quiet "$1" --version "$2"
    }
}

# A stamp of the npm lock file, written into node_modules after `npm ci`: node_modules is current
# when the stamp matches the lock file.
o2o_npm_stamp() {
  cksum <"$O2O_ROOT/$O2O_NPM_DIR/package-lock.json" | awk '{print $1 "-" $2}'
}
o2o_npm_current() {
  local stamp="$O2O_ROOT/$O2O_NPM_DIR/node_modules/.o2o-lock-stamp"
  [[ -f "$stamp" && "$(cat "$stamp")" == "$(o2o_npm_stamp)" ]]
}

# Debian package that provides a missing command.
o2o_deb_of() {
  case "$1" in
    gcc) echo "gcc libc6-dev" ;;
    c-headers) echo "libc6-dev" ;;
    *) echo "$1" ;;
  esac
}

o2o_missing_debian_c() {
  local c
  for c in gcc g++ valgrind pkg-config cmake; do
    command -v "$c" >/dev/null 2>&1 || echo "$c"
  done
  if command -v gcc >/dev/null 2>&1 &&
    ! printf '#include <stdio.h>\nint main(void) { return 0; }\n' | gcc -x c -fsyntax-only - 2>/dev/null; then
    echo c-headers
  fi
}

o2o_missing_debian_wasm() {
  [[ -x "$O2O_CHROMIUM" ]] || echo chromium
}

o2o_cbindgen_ok() {
  [[ "$(cbindgen --version 2>/dev/null)" == "cbindgen $O2O_CBINDGEN_VERSION" ]]
}

o2o_wasm_bindgen_ok() {
  [[ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" == "$(o2o_wasm_bindgen_version)" ]]
}

o2o_wasm_target_ok() {
  # Without rustup, ask the compiler whether it has the target's standard library.
  if command -v rustup >/dev/null 2>&1; then
    rustup target list --installed 2>/dev/null | grep -qx "$O2O_WASM_TARGET"
  else
    [[ -d "$(rustc --print sysroot)/lib/rustlib/$O2O_WASM_TARGET" ]]
  fi
}

# What the C suite lacks.
o2o_missing_c() {
  local d
  for d in $(o2o_missing_debian_c); do
    echo "$d: apt-get install $(o2o_deb_of "$d")"
  done
  o2o_cbindgen_ok || echo "cbindgen $O2O_CBINDGEN_VERSION: cargo install --locked cbindgen --version $O2O_CBINDGEN_VERSION"
}

# What the WASM suites lack.
o2o_missing_wasm() {
  command -v node >/dev/null 2>&1 || echo "node: a prerequisite (node 18 or later, with npm), see README.md"
  command -v npm >/dev/null 2>&1 || echo "npm: a prerequisite (comes with node), see README.md"
  o2o_wasm_target_ok || echo "the $O2O_WASM_TARGET target: rustup target add $O2O_WASM_TARGET"
  o2o_wasm_bindgen_ok ||
    echo "wasm-bindgen-cli $(o2o_wasm_bindgen_version): cargo install --locked wasm-bindgen-cli --version $(o2o_wasm_bindgen_version)"
  o2o_npm_current || echo "the npm packages of $O2O_NPM_DIR: (cd $O2O_NPM_DIR && npm ci)"
  local d
  for d in $(o2o_missing_debian_wasm); do
    echo "$d: apt-get install $d"
  done
}

# Whether the interpreter that makes the venv is there (3.9 or later, with the venv module).
o2o_python_ok() {
  command -v python3 >/dev/null 2>&1 &&
    python3 -c 'import sys, venv; sys.exit(sys.version_info < (3, 9))' 2>/dev/null
}

# A Python module importable in the suite's venv.
o2o_venv_has() { # $1 = module
  [[ -x "$O2O_VENV/bin/python" ]] && "$O2O_VENV/bin/python" -c "import $1" >/dev/null 2>&1
}

# Java for PySpark: 17 or later.
o2o_java_ok() {
  command -v java >/dev/null 2>&1 &&
    [[ "$(java -version 2>&1 | awk -F'"' '/version/ { split($2, v, "."); print v[1]; exit }')" -ge 17 ]]
}

# What the Python suite lacks (the o2o.spark tests need o2o_missing_spark as well).
o2o_missing_python() {
  if ! o2o_python_ok; then
    echo "python3 (3.9 or later, with venv): apt-get install python3 python3-venv"
    return
  fi
  local m
  for m in maturin pytest pyarrow polars pandas; do
    o2o_venv_has "$m" || echo "$m: $O2O_VENV/bin/pip install $m (scripts/ci/install-test-tools.sh does)"
  done
}

# What the o2o.spark tests lack.
o2o_missing_spark() {
  o2o_venv_has pyspark || echo "pyspark 4: $O2O_VENV/bin/pip install 'pyspark>=4,<5' (scripts/ci/install-test-tools.sh does)"
  o2o_java_ok || echo "java 17 or later: apt-get install openjdk-17-jre-headless"
}
