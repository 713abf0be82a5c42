//! The thread-local message of the last failure: status codes say what kind of failure, this says
//! which argument or which line, field or bit, so a POS log line is actionable.

use crate::boundary;
use std::cell::RefCell;
use std::ffi::{CString, c_char};

thread_local! {
    static LAST_ERROR: RefCell<Option<CString>> = const { RefCell::new(None) };
}

/// Remember `message` as this thread's last error. Interior NULs (from user input quoted in a
/// message) are replaced so the C string is never cut short.
pub(crate) fn set_last_error(message: &str) {
    let clean = message.replace('\0', "\u{FFFD}");
    // Proof: every NUL was replaced just above, so `CString::new` cannot fail; the fallback keeps
    // the function total anyway.
    let c = CString::new(clean).unwrap_or_default();
    LAST_ERROR.with(|slot| *slot.borrow_mut() = Some(c));
}

/// The message of the last failed o2o call on the calling thread.
///
/// Successful calls leave it unchanged, so read it right after a call returned a status other
/// than `O2O_STATUS_OK`.
///
/// \return a NUL-terminated UTF-8 message, or `""` when no call has failed on this thread yet.
///         Never NULL.
/// \warning owned by the library: do not free it. It stays valid until the next failing o2o call
///          on the same thread or until the thread exits, whichever comes first; copy it to keep it.
#[unsafe(no_mangle)]
pub extern "C" fn o2o_last_error() -> *const c_char {
    boundary::boundary_or(c"".as_ptr(), || {
        LAST_ERROR.with(|slot| match slot.borrow().as_ref() {
            // The CString lives in the thread-local until replaced by the next failure.
            Some(c) => c.as_ptr(),
            None => c"".as_ptr(),
        })
    })
}
