//! Turning C arguments into Rust values: every pointer is checked for NULL, every length for
//! plausibility, every string for UTF-8. Nothing here reads past what the caller promised.

use crate::buffers::o2o_str;
use crate::status::{Failure, FfiResult, o2o_status};
use std::ffi::c_char;

/// A byte slice from `(ptr, len)`.
///
/// # Safety
/// When `ptr` is not NULL it must point to `len` readable bytes that stay valid and unmodified
/// for `'a`.
pub(crate) unsafe fn bytes_arg<'a>(ptr: *const u8, len: usize, name: &str) -> FfiResult<&'a [u8]> {
    if ptr.is_null() {
        return Err(Failure::null(name));
    }
    if len > isize::MAX as usize {
        return Err(Failure::arg(
            name,
            format!("length {len} is not a buffer length"),
        ));
    }
    // SAFETY: non-NULL and len ≤ isize::MAX checked above; readability is the caller's contract.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// A UTF-8 string from `(ptr, len)`; not NUL-terminated.
///
/// # Safety
/// As [`bytes_arg`].
pub(crate) unsafe fn str_arg<'a>(ptr: *const c_char, len: usize, name: &str) -> FfiResult<&'a str> {
    // SAFETY: forwarded contract.
    let bytes = unsafe { bytes_arg(ptr.cast::<u8>(), len, name) }?;
    std::str::from_utf8(bytes).map_err(|e| {
        Failure::new(
            o2o_status::InvalidUtf8,
            format!(
                "argument `{name}` is not valid UTF-8 (at byte {})",
                e.valid_up_to()
            ),
        )
    })
}

/// A slice of `count` `o2o_str` values, each turned into a `&str` (NULL or invalid UTF-8 in any
/// element is an error naming its index).
///
/// # Safety
/// `items` must point to `count` readable `o2o_str`, each obeying [`str_arg`]'s contract.
#[allow(dead_code)] // used once batch hashing is bound
pub(crate) unsafe fn str_array_arg<'a>(
    items: *const o2o_str,
    count: usize,
    name: &str,
) -> FfiResult<Vec<&'a str>> {
    if items.is_null() {
        return Err(Failure::null(name));
    }
    if count > isize::MAX as usize / std::mem::size_of::<o2o_str>() {
        return Err(Failure::arg(
            name,
            format!("count {count} is not an array length"),
        ));
    }
    // SAFETY: non-NULL, size checked; readability is the caller's contract.
    let raw = unsafe { std::slice::from_raw_parts(items, count) };
    raw.iter()
        .enumerate()
        .map(|(i, s)| {
            let element = format!("{name}[{i}]");
            // SAFETY: the caller's contract covers every element.
            unsafe { str_arg(s.ptr, s.len, &element) }
        })
        .collect()
}

/// A shared reference to a handle.
///
/// # Safety
/// When not NULL, `ptr` must come from the matching `o2o_*_new` and not have been freed.
pub(crate) unsafe fn handle_ref<'a, T>(ptr: *const T, name: &str) -> FfiResult<&'a T> {
    // SAFETY: the caller's contract; NULL is mapped to an error by `as_ref`.
    unsafe { ptr.as_ref() }.ok_or_else(|| Failure::null(name))
}

/// An exclusive reference to a handle.
///
/// # Safety
/// As [`handle_ref`], and no other reference to the handle may be in use during the call (the
/// C documentation says handles are not thread-safe for concurrent mutation).
pub(crate) unsafe fn handle_mut<'a, T>(ptr: *mut T, name: &str) -> FfiResult<&'a mut T> {
    // SAFETY: the caller's contract; NULL is mapped to an error by `as_mut`.
    unsafe { ptr.as_mut() }.ok_or_else(|| Failure::null(name))
}

/// An output slot: checked for NULL and reset to `empty` so that, whatever happens next, the
/// caller may pass it to the matching free.
///
/// # Safety
/// When not NULL, `ptr` must be valid for writes of a `T`. Any value it held is overwritten
/// without being freed (outputs are write-only).
pub(crate) unsafe fn out_arg<'a, T>(ptr: *mut T, name: &str, empty: T) -> FfiResult<&'a mut T> {
    if ptr.is_null() {
        return Err(Failure::null(name));
    }
    // SAFETY: non-NULL, writable by the caller's contract; `write` does not drop the old value,
    // which may be uninitialised memory.
    unsafe {
        ptr.write(empty);
        Ok(&mut *ptr)
    }
}

/// A finite `f64`.
pub(crate) fn finite_arg(v: f64, name: &str) -> FfiResult<f64> {
    if v.is_finite() {
        Ok(v)
    } else {
        Err(Failure::arg(name, format!("{v} is not a finite number")))
    }
}
