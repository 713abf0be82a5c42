//! # o2o-ffi: the C ABI of o2o-core
//!
//! Point-of-sale and CRM vendors link C. This crate makes every o2o-core capability callable from
//! C as safely as from Rust, and decides nothing itself: each export converts its arguments, calls
//! the core, and converts the result or the error back (a rule that lives here is a bug).
//!
//! Conventions, shared by every export (full text in `docs/c-api.md`):
//! - names are `o2o_<thing>_<verb>`; state lives behind opaque handles (`o2o_key`, `o2o_consent`,
//!   `o2o_checkin`, …), each created by one function and freed by exactly one `o2o_<thing>_free`;
//! - every fallible call returns an [`status::o2o_status`]; the message of the last failure on the
//!   calling thread is `o2o_last_error()`;
//! - strings go in as `(const char *ptr, size_t len)` UTF-8, never NUL-terminated, and come out as an
//!   owned [`buffers::o2o_string`] freed by `o2o_string_free`;
//! - every pointer argument is checked: NULL is `O2O_STATUS_NULL_ARGUMENT`, never a crash;
//! - every export runs inside [`boundary`], which catches panics (the release profile unwinds).
//!
//! The header `include/o2o.h` is generated from this crate by cbindgen 0.29.4 with the checked-in
//! `cbindgen.toml`, and `scripts/ci/check-header.sh` fails when it is out of date.

// The safety contract of every export is written in Doxygen form (`\pre`, `\warning`), because
// that text is what C users read in the generated header; a Rust `# Safety` heading would duplicate it.
#![allow(clippy::missing_safety_doc)]
// C names (`o2o_status`, `o2o_string`) are the public contract of this crate.
#![allow(non_camel_case_types)]

mod args;
pub mod attribution;
mod boundary;
pub mod buffers;
pub mod checkin;
pub mod consent;
pub mod error;
pub mod events;
pub mod graph;
mod handle;
pub mod hash;
pub mod keys;
pub mod status;
pub mod uplift;
pub mod voucher;

use std::ffi::c_char;

/// ABI version of this library; bumped on every incompatible change of the C interface.
/// Compare it with `o2o_abi_version()` at start-up to detect a header/library mismatch.
pub const O2O_ABI_VERSION: u32 = 2;

/// The library version (`"0.1.0"`) as a static NUL-terminated string.
///
/// \return a pointer to static storage; never NULL.
/// \warning owned by the library: do not free or modify it.
#[unsafe(no_mangle)]
pub extern "C" fn o2o_version() -> *const c_char {
    boundary::boundary_or(c"?".as_ptr(), || {
        concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
    })
}

/// The ABI version the library was built with (`O2O_ABI_VERSION` of its header).
///
/// A program compiled against one header and run against another library should check
/// `o2o_abi_version() == O2O_ABI_VERSION` once at start-up.
///
/// \return the library's ABI version.
#[unsafe(no_mangle)]
pub extern "C" fn o2o_abi_version() -> u32 {
    boundary::boundary_or(0, || O2O_ABI_VERSION)
}

#[cfg(test)]
mod tests;
