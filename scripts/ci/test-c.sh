#!/usr/bin/env bash
# The C test suite of o2o, run against the *installed* library (as a POS vendor would use it):
#  1. the checked-in header is what cbindgen 0.29.4 generates (scripts/ci/check-header.sh);
#  2. install into a temporary prefix (scripts/install-c.sh);
#  3. every function the installed header declares is called by o2o-ffi/tests/c/*.c;
#  4. the C tests, compiled with gcc -std=c11 -Wall -Wextra -Werror -pedantic, run three times:
#     linked to the shared library; under AddressSanitizer (+LeakSanitizer) linked to the static
#     library; under valgrind --leak-check=full linked to the shared library;
#  5. examples/*.c (the POS till) built with pkg-config and run, also under valgrind;
#  6. the example program in docs/c-api.md (between its markers) built with pkg-config and run;
#  7. when cmake is installed, a CMake project using find_package(o2o); when g++ is, the header
#     compiled as C++.
# Set O2O_C_PROFILE=dev to test a debug build (default: release, what install-c.sh installs).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$(pwd)"

CFLAGS=(-std=c11 -Wall -Wextra -Werror -pedantic -g)
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
PREFIX="$WORK/prefix"

echo "-- header"
scripts/ci/check-header.sh

echo "-- install into a temporary prefix"
scripts/install-c.sh "$PREFIX" "${O2O_C_PROFILE:-release}"
export PKG_CONFIG_PATH="$PREFIX/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
read -r -a PC_CFLAGS <<<"$(pkg-config --cflags o2o)"
read -r -a PC_LIBS <<<"$(pkg-config --libs o2o)"
read -r -a PC_STATIC <<<"$(pkg-config --libs-only-other --libs-only-l --static o2o | sed 's/-lo2o//')"
RPATH=(-Wl,-rpath,"$PREFIX/lib")

echo "-- every exported function is tested"
missing=0
for fn in $(grep -oE '\bo2o_[a-z0-9_]+\(' "$PREFIX/include/o2o.h" | tr -d '(' | sort -u); do
  if ! grep -q "\b$fn\b" o2o-ffi/tests/c/*.c; then
    echo "not covered by o2o-ffi/tests/c: $fn" >&2
    missing=1
  fi
done
[[ $missing == 0 ]] || exit 1

TESTS=(o2o-ffi/tests/c/*.c)
VALGRIND=(valgrind -q --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,possible
  --num-callers=60 --suppressions="$ROOT/o2o-ffi/tests/c/valgrind.supp")

echo "-- C tests (shared library)"
gcc "${CFLAGS[@]}" "${PC_CFLAGS[@]}" "${TESTS[@]}" -o "$WORK/test-o2o" "${PC_LIBS[@]}" "${RPATH[@]}" -pthread -lm
"$WORK/test-o2o"

if command -v g++ >/dev/null 2>&1; then
  echo "-- the header compiles as C++ (extern \"C\", g++ -std=c++17 -Werror)"
  printf '#include <o2o.h>\nint main() { o2o_string s = {nullptr, 0}; o2o_string_free(&s);\n  return o2o_abi_version() == O2O_ABI_VERSION ? 0 : 1; }\n' >"$WORK/cxx.cpp"
  g++ -std=c++17 -Wall -Wextra -Werror -pedantic "${PC_CFLAGS[@]}" "$WORK/cxx.cpp" -o "$WORK/cxx" \
    "${PC_LIBS[@]}" "${RPATH[@]}"
  "$WORK/cxx"
fi

echo "-- C tests under AddressSanitizer (static library)"
gcc "${CFLAGS[@]}" -fsanitize=address -fno-omit-frame-pointer "${PC_CFLAGS[@]}" "${TESTS[@]}" \
  -o "$WORK/test-o2o-asan" "$PREFIX/lib/libo2o.a" "${PC_STATIC[@]}" -pthread -lm
ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 "$WORK/test-o2o-asan"

echo "-- C tests under valgrind (shared library)"
"${VALGRIND[@]}" "$WORK/test-o2o"

echo "-- examples"
shopt -s nullglob
for ex in examples/*.c; do
  name="$(basename "$ex" .c)"
  gcc "${CFLAGS[@]}" "${PC_CFLAGS[@]}" "$ex" -o "$WORK/$name" "${PC_LIBS[@]}" "${RPATH[@]}"
  echo "   $ex:"
  (cd "$WORK" && "${VALGRIND[@]}" "./$name") | sed 's/^/     /'
done

echo "-- the example of docs/c-api.md"
sed -n '/<!-- c-api-example:begin -->/,/<!-- c-api-example:end -->/p' docs/c-api.md \
  | sed '1,/^```c$/d; /^```$/,$d' >"$WORK/doc_example.c"
if [[ ! -s "$WORK/doc_example.c" ]]; then
  echo "docs/c-api.md: no example between the c-api-example markers" >&2
  exit 1
fi
gcc "${CFLAGS[@]}" $(pkg-config --cflags o2o) "$WORK/doc_example.c" -o "$WORK/doc_example" \
  $(pkg-config --libs o2o) "${RPATH[@]}"
"$WORK/doc_example" | sed 's/^/     /'

if command -v cmake >/dev/null 2>&1; then
  echo "-- CMake find_package(o2o)"
  mkdir -p "$WORK/cmake-src"
  cp "$WORK/doc_example.c" "$WORK/cmake-src/main.c"
  cat >"$WORK/cmake-src/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.13)
project(o2o_cmake_check C)
find_package(o2o 0.1 REQUIRED)
add_executable(shared_till main.c)
target_link_libraries(shared_till PRIVATE o2o::o2o)
add_executable(static_till main.c)
target_link_libraries(static_till PRIVATE o2o::o2o_static)
CMAKE
  cmake -S "$WORK/cmake-src" -B "$WORK/cmake-build" -DCMAKE_PREFIX_PATH="$PREFIX" >/dev/null
  cmake --build "$WORK/cmake-build" >/dev/null
  LD_LIBRARY_PATH="$PREFIX/lib" "$WORK/cmake-build/shared_till" >/dev/null
  "$WORK/cmake-build/static_till" >/dev/null
  echo "   find_package(o2o): shared and static targets build and run"
else
  echo "-- cmake not installed: CMake package check skipped"
fi
echo "test-c: all C checks passed"
