//! Secret keys from C: a key ring parsed from `KEY_ID:HEX_SECRET` text (one key per line, the
//! first signs and pseudonymises, all verify). The secret never leaves the handle and is zeroized
//! when it is freed.

use crate::args::{handle_ref, out_arg, str_arg};
use crate::boundary::{boundary, boundary_or};
use crate::buffers::o2o_string;
use crate::handle::{free_handle, into_handle};
use crate::status::{Failure, o2o_status};
use o2o_core::keys::KeyRing;
use std::ffi::c_char;

/// A ring of secret keys (HMAC pseudonyms, voucher signatures). Opaque.
///
/// Ownership: Box-owned; made by `o2o_key_new`, freed by `o2o_key_free` (which zeroizes the
/// secrets). Immutable after creation, so it may be shared between threads.
#[derive(Debug)]
pub struct o2o_key {
    pub(crate) ring: KeyRing,
}

/// Parse a key ring from key-file text: lines `KEY_ID:HEX_SECRET` (at least 16 bytes of secret),
/// blank lines and `#` comments ignored. The first key is the current one.
///
/// \param text the key-file text, `text_len` bytes of UTF-8.
/// \param text_len its length in bytes.
/// \param[out] out receives the new handle; NULL on failure.
/// \return `O2O_STATUS_OK`; `O2O_STATUS_NULL_ARGUMENT`; `O2O_STATUS_INVALID_UTF8`;
///         `O2O_STATUS_INVALID_INPUT` when a line is malformed (the message names the line).
/// \warning the caller owns `*out` and frees it with `o2o_key_free`. Wipe your own copy of
///          `text` once the key is made.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn o2o_key_new(
    text: *const c_char,
    text_len: usize,
    out: *mut *mut o2o_key,
) -> o2o_status {
    boundary(|| {
        // SAFETY: the caller's contract: `out` is NULL or writable.
        let out = unsafe { out_arg(out, "out", std::ptr::null_mut()) }?;
        // SAFETY: the caller's contract: `text` points to `text_len` readable bytes.
        let text = unsafe { str_arg(text, text_len, "text") }?;
        let ring = KeyRing::parse(text).map_err(|e| Failure::input(format!("key: {e}")))?;
        *out = into_handle(o2o_key { ring });
        Ok(())
    })
}

/// The id of the current key (the first of the ring). The secret is never returned.
///
/// \param key the handle.
/// \param[out] id receives the key id; `{NULL, 0}` on failure.
/// \return `O2O_STATUS_OK`; `O2O_STATUS_NULL_ARGUMENT`.
/// \warning the caller owns `*id` and frees it with `o2o_string_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn o2o_key_id(key: *const o2o_key, id: *mut o2o_string) -> o2o_status {
    boundary(|| {
        // SAFETY: the caller's contract: `id` is NULL or writable.
        let id = unsafe { out_arg(id, "id", o2o_string::EMPTY) }?;
        // SAFETY: the caller's contract: a live handle.
        let key = unsafe { handle_ref(key, "key") }?;
        *id = o2o_string::copy_of(key.ring.current().id());
        Ok(())
    })
}

/// Free a key ring; its secrets are zeroized.
///
/// \param key the handle; NULL is a no-op.
/// \pre `key` came from `o2o_key_new` and was not freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn o2o_key_free(key: *mut o2o_key) {
    // SAFETY: the caller's contract (\pre).
    boundary_or((), || unsafe { free_handle(key) })
}
