//! Strings and bytes across the boundary: borrowed `(ptr, len)` views in, owned `{ptr, len}`
//! values out, each owned kind with one NULL-safe free.

use crate::boundary::boundary_or;
use std::ffi::c_char;
use std::ptr;

/// A borrowed UTF-8 string view passed *in* by the caller (an element of an input array).
/// Not NUL-terminated; the library never keeps it after the call returns.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct o2o_str {
    /// First byte; must not be NULL (use any valid pointer with `len` 0 for "").
    pub ptr: *const c_char,
    /// Length in bytes.
    pub len: usize,
}

/// An owned UTF-8 string returned by the library.
///
/// `ptr[len]` is always a NUL byte, so `ptr` may also be used as a C string when the text has
/// no interior NUL (o2o output never has one). The empty value `{NULL, 0}` is what every failed
/// call leaves in a string output.
///
/// Owner: the caller. Free it once with `o2o_string_free`.
#[repr(C)]
#[derive(Debug)]
pub struct o2o_string {
    /// The bytes, NUL-terminated at `ptr[len]`; NULL only in the empty value.
    pub ptr: *mut c_char,
    /// Length in bytes, without the terminating NUL.
    pub len: usize,
}

impl o2o_string {
    /// The empty value: nothing to free.
    pub(crate) const EMPTY: o2o_string = o2o_string {
        ptr: ptr::null_mut(),
        len: 0,
    };

    /// Move `s` into an owned C string (one allocation of `len + 1` bytes).
    pub(crate) fn from_string(s: String) -> o2o_string {
        let mut bytes = s.into_bytes();
        let len = bytes.len();
        bytes.push(0);
        let boxed: Box<[u8]> = bytes.into_boxed_slice();
        o2o_string {
            ptr: Box::into_raw(boxed).cast::<c_char>(),
            len,
        }
    }

    /// Copy `s` into an owned C string with one exact allocation of `len + 1` bytes (for hot
    /// paths that reuse their own buffer).
    pub(crate) fn copy_of(s: &str) -> o2o_string {
        let mut bytes = Vec::with_capacity(s.len() + 1);
        bytes.extend_from_slice(s.as_bytes());
        bytes.push(0);
        let len = s.len();
        o2o_string {
            ptr: Box::into_raw(bytes.into_boxed_slice()).cast::<c_char>(),
            len,
        }
    }

    /// Free the allocation, leaving the empty value.
    ///
    /// # Safety
    /// `self` is the empty value or came from [`o2o_string::from_string`] and was not freed.
    pub(crate) unsafe fn release(&mut self) {
        if !self.ptr.is_null() {
            let whole = ptr::slice_from_raw_parts_mut(self.ptr.cast::<u8>(), self.len + 1);
            // SAFETY: `from_string` allocated exactly `len + 1` bytes as a boxed slice.
            drop(unsafe { Box::from_raw(whole) });
        }
        *self = o2o_string::EMPTY;
    }
}

/// Owned binary data returned by the library (a graph snapshot).
///
/// Owner: the caller. Free it once with `o2o_bytes_free`. The empty value is `{NULL, 0}`.
#[repr(C)]
#[derive(Debug)]
pub struct o2o_bytes {
    /// The bytes; NULL when `len` is 0.
    pub ptr: *mut u8,
    /// Length in bytes.
    pub len: usize,
}

impl o2o_bytes {
    /// The empty value.
    pub(crate) const EMPTY: o2o_bytes = o2o_bytes {
        ptr: ptr::null_mut(),
        len: 0,
    };

    /// Move `v` into owned C bytes.
    #[allow(dead_code)] // used once the identity graph (snapshots) is bound
    pub(crate) fn from_vec(v: Vec<u8>) -> o2o_bytes {
        if v.is_empty() {
            return o2o_bytes::EMPTY;
        }
        let len = v.len();
        o2o_bytes {
            ptr: Box::into_raw(v.into_boxed_slice()).cast::<u8>(),
            len,
        }
    }
}

/// An owned array of owned strings (the output of a batch call).
///
/// Owner: the caller. Free the array and every string in it with one call to
/// `o2o_string_array_free`; do not free the elements one by one.
#[repr(C)]
#[derive(Debug)]
pub struct o2o_string_array {
    /// `len` strings; NULL when `len` is 0.
    pub items: *mut o2o_string,
    /// Number of strings.
    pub len: usize,
}

impl o2o_string_array {
    /// The empty value.
    pub(crate) const EMPTY: o2o_string_array = o2o_string_array {
        items: ptr::null_mut(),
        len: 0,
    };

    /// Move `v` into an owned array.
    #[allow(dead_code)] // used once batch hashing is bound
    pub(crate) fn from_vec(v: Vec<String>) -> o2o_string_array {
        if v.is_empty() {
            return o2o_string_array::EMPTY;
        }
        let items: Box<[o2o_string]> = v.into_iter().map(o2o_string::from_string).collect();
        let len = items.len();
        o2o_string_array {
            items: Box::into_raw(items).cast::<o2o_string>(),
            len,
        }
    }
}

/// Free a string returned by the library and reset it to `{NULL, 0}`.
///
/// \param s the string to free; NULL, or a pointer to the empty value, is a no-op.
/// \pre `*s` was returned by an o2o function and not freed since (or is the empty value).
/// \warning free each returned string exactly once; after the call `*s` is empty, so a second
///          call on the same variable is harmless.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn o2o_string_free(s: *mut o2o_string) {
    boundary_or((), || {
        // SAFETY: the caller's contract (\pre): `s` is NULL or points to a string we returned.
        if let Some(s) = unsafe { s.as_mut() } {
            // SAFETY: as above.
            unsafe { s.release() };
        }
    })
}

/// Free bytes returned by the library and reset them to `{NULL, 0}`.
///
/// \param b the bytes to free; NULL, or a pointer to the empty value, is a no-op.
/// \pre `*b` was returned by an o2o function and not freed since (or is the empty value).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn o2o_bytes_free(b: *mut o2o_bytes) {
    boundary_or((), || {
        // SAFETY: the caller's contract (\pre).
        if let Some(b) = unsafe { b.as_mut() } {
            if !b.ptr.is_null() {
                let whole = ptr::slice_from_raw_parts_mut(b.ptr, b.len);
                // SAFETY: `from_vec` allocated exactly `len` bytes as a boxed slice.
                drop(unsafe { Box::from_raw(whole) });
            }
            *b = o2o_bytes::EMPTY;
        }
    })
}

/// Free an array of strings returned by the library, every string in it included, and reset it
/// to `{NULL, 0}`.
///
/// \param a the array to free; NULL, or a pointer to the empty value, is a no-op.
/// \pre `*a` was returned by an o2o function and not freed since (or is the empty value); its
///      elements were not freed individually.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn o2o_string_array_free(a: *mut o2o_string_array) {
    boundary_or((), || {
        // SAFETY: the caller's contract (\pre).
        if let Some(a) = unsafe { a.as_mut() } {
            if !a.items.is_null() {
                let whole = ptr::slice_from_raw_parts_mut(a.items, a.len);
                // SAFETY: `from_vec` allocated exactly `len` elements as a boxed slice.
                let mut items = unsafe { Box::from_raw(whole) };
                for s in items.iter_mut() {
                    // SAFETY: each element came from `o2o_string::from_string`.
                    unsafe { s.release() };
                }
            }
            *a = o2o_string_array::EMPTY;
        }
    })
}
