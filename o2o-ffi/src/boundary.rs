//! The panic boundary: every export runs its body through one of these two functions, so no
//! panic ever unwinds into C (undefined behaviour) and every failure sets `o2o_last_error()`.
//!
//! The workspace's release profile keeps `panic = "unwind"`; with `abort` a panic would kill the
//! till instead of returning `O2O_STATUS_PANIC`.

use crate::error::set_last_error;
use crate::status::{FfiResult, o2o_status};
use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};

fn panic_message(payload: &(dyn Any + Send)) -> String {
    let what = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned());
    format!("internal error (panic): {what}")
}

/// Run a fallible export body: `Ok` → `O2O_STATUS_OK`; a failure → its status with its message
/// stored; a panic → `O2O_STATUS_PANIC`.
///
/// `AssertUnwindSafe`: after a panic the caller is told (status `PANIC`) that handles passed in
/// may be inconsistent and must only be freed, so no broken invariant is observed through them.
pub(crate) fn boundary(body: impl FnOnce() -> FfiResult) -> o2o_status {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => o2o_status::Ok,
        Ok(Err(failure)) => {
            set_last_error(&failure.message);
            failure.status
        }
        Err(payload) => {
            set_last_error(&panic_message(payload.as_ref()));
            o2o_status::Panic
        }
    }
}

/// Run an infallible export body (frees, getters of static data); on a panic, record it and
/// return `fallback`.
pub(crate) fn boundary_or<T>(fallback: T, body: impl FnOnce() -> T) -> T {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(v) => v,
        Err(payload) => {
            set_last_error(&panic_message(payload.as_ref()));
            fallback
        }
    }
}
