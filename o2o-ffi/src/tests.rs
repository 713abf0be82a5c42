//! Unit tests of the boundary machinery; the exported functions are tested from C in
//! `o2o-ffi/tests/c/` (scripts/ci/test-c.sh), against the installed library.

use crate::boundary::{boundary, boundary_or};
use crate::buffers::{o2o_string, o2o_string_array, o2o_string_array_free, o2o_string_free};
use crate::error::o2o_last_error;
use crate::status::{Failure, o2o_status};
use std::ffi::CStr;

fn last_error() -> String {
    // SAFETY: o2o_last_error never returns NULL and the string lives until the next failure.
    unsafe { CStr::from_ptr(o2o_last_error()) }
        .to_string_lossy()
        .into_owned()
}

#[test]
fn a_panic_becomes_a_status_and_a_message() {
    let st = boundary(|| panic!("boom"));
    assert_eq!(st, o2o_status::Panic);
    assert_eq!(last_error(), "internal error (panic): boom");
    assert_eq!(boundary_or(7, || panic!("again")), 7);
    assert!(last_error().contains("again"));
}

#[test]
fn a_failure_sets_its_status_and_message_and_success_keeps_it() {
    let st = boundary(|| Err(Failure::null("thing")));
    assert_eq!(st, o2o_status::NullArgument);
    assert_eq!(last_error(), "argument `thing` is NULL");
    assert_eq!(boundary(|| Ok(())), o2o_status::Ok);
    assert_eq!(last_error(), "argument `thing` is NULL");
}

#[test]
fn interior_nul_in_a_message_does_not_cut_it() {
    let st = boundary(|| Err(Failure::input("a\0b")));
    assert_eq!(st, o2o_status::InvalidInput);
    assert_eq!(last_error(), "a\u{FFFD}b");
}

#[test]
fn status_values_are_distinct() {
    use o2o_status::*;
    let all = [
        Ok,
        NullArgument,
        InvalidUtf8,
        InvalidArgument,
        InvalidInput,
        ConsentDenied,
        NotFound,
        VoucherRejected,
        Internal,
        Panic,
    ];
    let mut values: Vec<i32> = all.iter().map(|s| *s as i32).collect();
    values.dedup();
    assert_eq!(values, (0..all.len() as i32).collect::<Vec<_>>());
}

#[test]
fn owned_strings_are_nul_terminated_and_freed_once() {
    let mut s = o2o_string::from_string("héllo".to_owned());
    assert_eq!(s.len, 6);
    // SAFETY: from_string allocates len + 1 bytes.
    assert_eq!(unsafe { *s.ptr.add(s.len) }, 0);
    // SAFETY: s came from from_string.
    unsafe { o2o_string_free(&mut s) };
    assert!(s.ptr.is_null());
    // SAFETY: the empty value is accepted.
    unsafe { o2o_string_free(&mut s) };

    let mut a = o2o_string_array::from_vec(vec!["a".into(), String::new()]);
    assert_eq!(a.len, 2);
    // SAFETY: a came from from_vec.
    unsafe { o2o_string_array_free(&mut a) };
    assert!(a.items.is_null());
}
