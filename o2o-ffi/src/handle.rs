//! Ownership of handles. Every handle type in this crate is **Box-owned**: `o2o_<thing>_new` (or
//! another constructor) moves a Rust value into a `Box` and hands C the raw pointer; exactly one
//! call to `o2o_<thing>_free` takes it back. No handle is reference-counted and none is borrowed
//! from another handle, so lifetimes never depend on each other.

/// Move `value` into a new Box-owned handle.
pub(crate) fn into_handle<T>(value: T) -> *mut T {
    Box::into_raw(Box::new(value))
}

/// Free a Box-owned handle; NULL is a no-op.
///
/// # Safety
/// When not NULL, `ptr` must come from [`into_handle`] with the same `T` and not have been freed.
pub(crate) unsafe fn free_handle<T>(ptr: *mut T) {
    if !ptr.is_null() {
        // SAFETY: the caller's contract: `ptr` came from `Box::into_raw` and is freed once.
        drop(unsafe { Box::from_raw(ptr) });
    }
}
