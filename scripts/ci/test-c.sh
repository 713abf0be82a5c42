#!/usr/bin/env bash
# The C test suite of o2o, run against the *installed* library (as a POS vendor would use it):
#  1. the checked-in header is what cbindgen 0.29.4 generates (scripts/ci/check-header.sh);
#  2. install into a temporary prefix (scripts/install-c.sh);
#  3. every function the installed header declares is called by o2o-ffi/tests/c/*.c;
#  4. the installed libraries carry no debug info (O2O_DEBUG_INFO), valgrind.supp is installed;
#  5. the C tests, compiled with gcc -std=c11 -Wall -Wextra -Werror -pedantic, run three times:
#     linked to the shared library; under AddressSanitizer (+LeakSanitizer) linked to the static
#     library; under valgrind --leak-check=full linked to the shared library, with the
#     installed share/o2o/valgrind.supp;
#  6. examples/*.c (the POS till) built with pkg-config and run, also under valgrind;
#  7. the example program in docs/c-api.md (between its markers) built as C99 -pedantic with
#     pkg-config o2o (run, and under valgrind) and with pkg-config o2o-static (checked to need
#     no libo2o.so, and run);
#  8. when cmake is installed, a CMake project using find_package(o2o ABI) (and one asking for
#     another ABI, which must fail); when g++ is, the header compiled as C++.
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
read -r -a PC_STATIC <<<"$(pkg-config --libs o2o-static)"
RPATH=(-Wl,-rpath,"$PREFIX/lib")
ABI="$(sed -n 's/^#define O2O_ABI_VERSION \([0-9]*\)$/\1/p' "$PREFIX/include/o2o.h")"
SUPP="$PREFIX/share/o2o/valgrind.supp"

echo "-- installed artefacts: stripped, suppressions installed"
[[ -f "$SUPP" ]] || { echo "not installed: share/o2o/valgrind.supp" >&2; exit 1; }
for lib in "$PREFIX"/lib/libo2o.so.*.*.* "$PREFIX/lib/libo2o.a"; do
  if [[ "${O2O_DEBUG_INFO:-strip}" != keep ]] && readelf -S "$lib" 2>/dev/null | grep -q '\.debug_info'; then
    echo "$lib has debug info (install-c.sh strips it unless O2O_DEBUG_INFO=keep)" >&2
    exit 1
  fi
  echo "   $(basename "$lib"): $(($(stat -c %s "$lib") / 1024)) KiB"
done

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
  --num-callers=60 --suppressions="$SUPP")

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
  -o "$WORK/test-o2o-asan" "${PC_STATIC[@]}" -pthread -lm
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
# C99 is the stated minimum: the example (and so the header) must compile as C99 -pedantic.
C99FLAGS=(-std=c99 -Wall -Wextra -Werror -pedantic -g)
gcc "${C99FLAGS[@]}" $(pkg-config --cflags o2o) "$WORK/doc_example.c" -o "$WORK/doc_example" \
  $(pkg-config --libs o2o) "${RPATH[@]}"
(cd "$WORK" && ./doc_example) | sed 's/^/     /'
(cd "$WORK" && "${VALGRIND[@]}" ./doc_example >/dev/null)
echo "   valgrind --leak-check=full with share/o2o/valgrind.supp: clean"

echo "-- static link: pkg-config o2o-static"
gcc "${C99FLAGS[@]}" $(pkg-config --cflags o2o-static) "$WORK/doc_example.c" \
  -o "$WORK/doc_example_static" $(pkg-config --libs o2o-static)
if readelf -d "$WORK/doc_example_static" | grep -q 'NEEDED.*libo2o'; then
  echo "the o2o-static link needs libo2o.so:" >&2
  readelf -d "$WORK/doc_example_static" | grep NEEDED >&2
  exit 1
fi
(cd "$WORK" && ./doc_example_static >/dev/null)
echo "   linked with libo2o.a, needs no libo2o.so, runs"

if command -v cmake >/dev/null 2>&1; then
  echo "-- CMake find_package(o2o)"
  mkdir -p "$WORK/cmake-src"
  cp "$WORK/doc_example.c" "$WORK/cmake-src/main.c"
  cat >"$WORK/cmake-src/CMakeLists.txt" <<CMAKE
cmake_minimum_required(VERSION 3.13)
project(o2o_cmake_check C)
find_package(o2o $ABI REQUIRED)
add_executable(shared_till main.c)
target_link_libraries(shared_till PRIVATE o2o::o2o)
add_executable(static_till main.c)
target_link_libraries(static_till PRIVATE o2o::o2o_static)
CMAKE
  cmake -S "$WORK/cmake-src" -B "$WORK/cmake-build" -DCMAKE_PREFIX_PATH="$PREFIX" >/dev/null
  cmake --build "$WORK/cmake-build" >/dev/null
  (cd "$WORK" && LD_LIBRARY_PATH="$PREFIX/lib" "$WORK/cmake-build/shared_till" >/dev/null)
  (cd "$WORK" && "$WORK/cmake-build/static_till" >/dev/null)
  echo "   find_package(o2o $ABI): shared and static targets build and run"
  mkdir -p "$WORK/cmake-other"
  printf 'cmake_minimum_required(VERSION 3.13)\nproject(o2o_other_abi C)\nfind_package(o2o %s REQUIRED)\n' \
    "$((ABI - 1))" >"$WORK/cmake-other/CMakeLists.txt"
  if cmake -S "$WORK/cmake-other" -B "$WORK/cmake-other/build" -DCMAKE_PREFIX_PATH="$PREFIX" \
    >/dev/null 2>&1; then
    echo "find_package(o2o $((ABI - 1))) accepted a library of ABI $ABI" >&2
    exit 1
  fi
  echo "   find_package(o2o $((ABI - 1))) refuses ABI $ABI"
else
  echo "-- cmake not installed: CMake package check skipped"
fi
echo "test-c: all C checks passed"
