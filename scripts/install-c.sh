#!/usr/bin/env bash
# Builds the o2o C library and installs it under PREFIX:
#   PREFIX/include/o2o.h
#   PREFIX/lib/libo2o.a, libo2o.so.VERSION (+ libo2o.so.ABI and libo2o.so links)
#   PREFIX/lib/pkgconfig/o2o.pc           -> pkg-config --cflags --libs o2o        (shared)
#   PREFIX/lib/pkgconfig/o2o-static.pc    -> pkg-config --cflags --libs o2o-static (libo2o.a)
#   PREFIX/lib/cmake/o2o/o2oConfig.cmake  -> find_package(o2o ABI) ; o2o::o2o / o2o::o2o_static
#   PREFIX/share/o2o/valgrind.supp        -> valgrind --suppressions=… (libphonenumber's tables)
# The libraries are installed without debug info (symbols are kept, so backtraces and valgrind
# name functions). O2O_DEBUG_INFO=separate also installs it beside them, in
# PREFIX/lib/debug/<library>.debug (linked with .gnu_debuglink, found by gdb); keep installs
# the libraries as built.
# Usage: scripts/install-c.sh PREFIX [cargo-profile]   (profile defaults to release)
# Builds where cargo builds (CARGO_TARGET_DIR is honoured), so an earlier build is reused.
set -euo pipefail
cd "$(dirname "$0")/.."
O2O_ROOT=$PWD
source scripts/ci/tools.sh     # o2o_target_dir

if [[ $# -lt 1 ]]; then
  echo "usage: scripts/install-c.sh PREFIX [cargo-profile]" >&2
  exit 2
fi
mkdir -p "$1"
PREFIX="$(cd "$1" && pwd)"
PROFILE="${2:-release}"

cargo build --quiet --profile "$PROFILE" -p o2o-ffi
TARGET_DIR="$(o2o_target_dir)"
case "$PROFILE" in
  dev | test) dir="$TARGET_DIR/debug" ;;
  bench) dir="$TARGET_DIR/release" ;;
  *) dir="$TARGET_DIR/$PROFILE" ;;
esac

VERSION="$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)"
ABI="$(sed -n 's/^#define O2O_ABI_VERSION \([0-9]*\)$/\1/p' o2o-ffi/include/o2o.h)"
BUILD_ABI="$(sed -n 's/^ *const ABI: u32 = \([0-9]*\);$/\1/p' o2o-ffi/build.rs)"
if [[ -z "$ABI" || "$ABI" != "$BUILD_ABI" ]]; then
  echo "install-c: O2O_ABI_VERSION in the header ($ABI) and the soname in build.rs ($BUILD_ABI) disagree" >&2
  exit 1
fi
# What a Rust staticlib needs from the system on Linux (rustc --print native-static-libs).
NATIVE_LIBS="-lgcc_s -lutil -lrt -lpthread -lm -ldl -lc"

install -d "$PREFIX/include" "$PREFIX/lib/pkgconfig" "$PREFIX/lib/cmake/o2o" "$PREFIX/share/o2o"
install -m 0644 o2o-ffi/include/o2o.h "$PREFIX/include/o2o.h"
install -m 0644 "$dir/libo2o.a" "$PREFIX/lib/libo2o.a"
install -m 0755 "$dir/libo2o.so" "$PREFIX/lib/libo2o.so.$VERSION"
ln -sf "libo2o.so.$VERSION" "$PREFIX/lib/libo2o.so.$ABI"
ln -sf "libo2o.so.$ABI" "$PREFIX/lib/libo2o.so"
install -m 0644 o2o-ffi/tests/c/valgrind.supp "$PREFIX/share/o2o/valgrind.supp"

# Debug info: stripped by default (the shared library shrinks about sixfold).
case "${O2O_DEBUG_INFO:-strip}" in
  keep) ;;
  strip | separate)
    for lib in "libo2o.so.$VERSION" libo2o.a; do
      if [[ "${O2O_DEBUG_INFO:-strip}" == separate && "$lib" != *.a ]]; then
        install -d "$PREFIX/lib/debug"
        objcopy --only-keep-debug "$PREFIX/lib/$lib" "$PREFIX/lib/debug/$lib.debug"
        strip --strip-debug "$PREFIX/lib/$lib"
        objcopy --add-gnu-debuglink="$PREFIX/lib/debug/$lib.debug" "$PREFIX/lib/$lib"
      else
        strip --strip-debug "$PREFIX/lib/$lib"
      fi
    done
    ;;
  *)
    echo "install-c: O2O_DEBUG_INFO must be strip, separate or keep" >&2
    exit 2
    ;;
esac

subst() {
  sed -e "s|@PREFIX@|$PREFIX|g" -e "s|@VERSION@|$VERSION|g" -e "s|@ABI@|$ABI|g" \
      -e "s|@NATIVE_LIBS@|$NATIVE_LIBS|g" \
      -e "s|@NATIVE_LIBS_CMAKE@|$(echo "$NATIVE_LIBS" | sed 's/-l//g; s/ /;/g')|g" "$1"
}
subst o2o-ffi/pkg/o2o.pc.in > "$PREFIX/lib/pkgconfig/o2o.pc"
subst o2o-ffi/pkg/o2o-static.pc.in > "$PREFIX/lib/pkgconfig/o2o-static.pc"
subst o2o-ffi/pkg/o2oConfig.cmake.in > "$PREFIX/lib/cmake/o2o/o2oConfig.cmake"
subst o2o-ffi/pkg/o2oConfigVersion.cmake.in > "$PREFIX/lib/cmake/o2o/o2oConfigVersion.cmake"
echo "install-c: o2o $VERSION (ABI $ABI) installed under $PREFIX"
