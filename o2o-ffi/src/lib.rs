//! C ABI for o2o-core. See `docs/c-api.md`.

use std::ffi::c_char;

/// ABI version of this library; bumped on every incompatible change of the C interface.
pub const O2O_ABI_VERSION: u32 = 1;

/// The library version as a static NUL-terminated string. Never NULL; do not free.
#[unsafe(no_mangle)]
pub extern "C" fn o2o_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}
