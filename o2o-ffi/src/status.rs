//! Status codes: the return value of every fallible export, and the internal failure that carries
//! one with its message to the boundary.

use std::fmt::Display;

/// The outcome of a call. Every value is distinct and stable across versions of one ABI.
///
/// On anything but `O2O_STATUS_OK`, `o2o_last_error()` returns a message naming the argument or
/// the input position at fault, and every output argument holds its empty value (NULL handle,
/// `{NULL, 0}` string), which the matching free accepts.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum o2o_status {
    /// Success.
    Ok = 0,
    /// A pointer argument was NULL.
    NullArgument = 1,
    /// A string argument was not valid UTF-8.
    InvalidUtf8 = 2,
    /// An argument was out of its range: an unknown enum value or name, a non-finite number, a
    /// length that cannot be a real buffer.
    InvalidArgument = 3,
    /// Input data was malformed: a TC string, a key line, a JSON document, a path table, a
    /// snapshot. The message says what and where (line, field, bit offset).
    InvalidInput = 4,
    /// The consent signals do not allow the operation (o2o fails closed: unknown is denied).
    ConsentDenied = 5,
    /// The identifier or profile asked about is not known.
    NotFound = 6,
    /// A voucher code was rejected (bad check character, bad signature, unknown key, expired).
    VoucherRejected = 7,
    /// An internal error that is not the caller's fault (e.g. serialisation failed).
    Internal = 8,
    /// The library panicked. The call had no effect that can be relied upon; free the handles
    /// it was given rather than reuse them.
    Panic = 9,
}

/// A failure on its way to the C caller: the status to return and the message to keep.
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) status: o2o_status,
    pub(crate) message: String,
}

impl Failure {
    /// A failure of `status` with `message`.
    pub(crate) fn new(status: o2o_status, message: impl Display) -> Self {
        Failure {
            status,
            message: message.to_string(),
        }
    }

    /// `name` was NULL.
    pub(crate) fn null(name: &str) -> Self {
        Failure::new(
            o2o_status::NullArgument,
            format!("argument `{name}` is NULL"),
        )
    }

    /// `name` is out of range.
    pub(crate) fn arg(name: &str, why: impl Display) -> Self {
        Failure::new(
            o2o_status::InvalidArgument,
            format!("argument `{name}`: {why}"),
        )
    }

    /// Malformed input data.
    pub(crate) fn input(why: impl Display) -> Self {
        Failure::new(o2o_status::InvalidInput, why)
    }
}

/// Shorthand for the result of an export's body.
pub(crate) type FfiResult<T = ()> = Result<T, Failure>;
