//! Errors crossing into Python: an exception of `o2o.errors` (a subclass of `o2o.O2OError`)
//! carrying the core's error kind, and the line, field and row when the core names them.
//!
//! The classes live in Python (`python/o2o/errors.py`) so that they can be documented, typed
//! and caught like any other; this module only picks the class and fills the attributes.

use pyo3::prelude::*;
use pyo3::types::PyDict;

/// Which `o2o.errors` class an error becomes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// `InvalidInput` (also a `ValueError`): an argument of the wrong shape or value.
    Input,
    /// `ConsentError`: the consent gate refused, or no consent was given.
    Consent,
    /// `MapError`: a source map that cannot be read or compiled.
    Map,
    /// `StoreError`: the event store could not be read or written, or refused a file.
    Store,
    /// `AnalysisError`: attribution, uplift, identity or measurement refused the data.
    Analysis,
}

impl Class {
    fn name(self) -> &'static str {
        match self {
            Class::Input => "InvalidInput",
            Class::Consent => "ConsentError",
            Class::Map => "MapError",
            Class::Store => "StoreError",
            Class::Analysis => "AnalysisError",
        }
    }
}

/// What an error carries to Python.
#[derive(Debug, Clone, PartialEq)]
pub struct Details {
    /// The exception class.
    pub class: Class,
    /// The core's error kind (`invalid_value`, `consent_missing`, `bad_map`, …): stable, for
    /// code that branches on it.
    pub kind: &'static str,
    /// The core's message (it names the field and the position).
    pub message: String,
    /// The line of the input file at fault, when there is one.
    pub line: Option<u64>,
    /// The field (map key, column, argument) at fault, when there is one.
    pub field: Option<String>,
    /// The row of the input array at fault (0-based), when there is one.
    pub row: Option<usize>,
    /// A JSON value attached to the exception as `details` (an ingest report).
    pub details: Option<String>,
}

/// An error on its way to Python (boxed: results stay one pointer wide on the happy path).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}", .0.message)]
pub struct Error(pub Box<Details>);

impl Error {
    /// An error of `class` and `kind` with `message`.
    pub fn new(class: Class, kind: &'static str, message: impl Into<String>) -> Self {
        Error(Box::new(Details {
            class,
            kind,
            message: message.into(),
            line: None,
            field: None,
            row: None,
            details: None,
        }))
    }

    /// `InvalidInput` for the argument `field`.
    pub fn input(field: &str, message: impl Into<String>) -> Self {
        Error::new(Class::Input, "invalid_input", message).field(field)
    }

    /// The same error naming `field`.
    pub fn field(mut self, field: impl Into<String>) -> Self {
        self.0.field = Some(field.into());
        self
    }

    /// The same error naming `line`, when known.
    pub fn line(mut self, line: impl Into<Option<u64>>) -> Self {
        self.0.line = line.into();
        self
    }

    /// The same error naming `row`.
    pub fn row(mut self, row: usize) -> Self {
        self.0.row = Some(row);
        self
    }

    /// The same error with a JSON value for the exception's `details`.
    pub fn details(mut self, json: String) -> Self {
        self.0.details = Some(json);
        self
    }

    fn to_py(&self, py: Python<'_>) -> PyResult<PyErr> {
        let d = &self.0;
        let cls = py.import("o2o.errors")?.getattr(d.class.name())?;
        let kw = PyDict::new(py);
        kw.set_item("kind", d.kind)?;
        kw.set_item("line", d.line)?;
        kw.set_item("field", d.field.as_deref())?;
        kw.set_item("row", d.row)?;
        if let Some(text) = &d.details {
            let json = py
                .import("json")?
                .getattr("loads")?
                .call1((text.as_str(),))?;
            kw.set_item("details", json)?;
        }
        let exc = cls.call((d.message.as_str(),), Some(&kw))?;
        Ok(PyErr::from_value(exc))
    }
}

impl From<Error> for PyErr {
    fn from(e: Error) -> PyErr {
        // Building the exception can only fail when `o2o.errors` cannot be imported (a broken
        // install); the error then still reaches Python, as a RuntimeError with the message.
        Python::attach(|py| {
            e.to_py(py).unwrap_or_else(|import| {
                pyo3::exceptions::PyRuntimeError::new_err(format!(
                    "{} (and o2o.errors could not be loaded: {import})",
                    e.0.message
                ))
            })
        })
    }
}

impl From<o2o_core::consent::Denied> for Error {
    fn from(e: o2o_core::consent::Denied) -> Self {
        Error::new(Class::Consent, "consent_denied", e.to_string())
    }
}

impl From<o2o_core::hashing::NormalizeError> for Error {
    fn from(e: o2o_core::hashing::NormalizeError) -> Self {
        use o2o_core::hashing::NormalizeError as N;
        let kind = match e {
            N::BadDefaultCountry(_) => "invalid_input",
            _ => "invalid_value",
        };
        Error::new(Class::Input, kind, e.to_string())
    }
}

impl From<o2o_core::ingest::MapError> for Error {
    fn from(e: o2o_core::ingest::MapError) -> Self {
        use o2o_core::ingest::MapError as M;
        let field = match &e {
            M::Invalid { key, .. } => Some(key.clone()),
            _ => None,
        };
        let line = match &e {
            // toml's message starts "TOML parse error at line N, column M".
            M::Toml(m) => m
                .split("line ")
                .nth(1)
                .and_then(|s| s.split(|c: char| !c.is_ascii_digit()).next())
                .and_then(|n| n.parse().ok()),
            _ => None,
        };
        let err = Error::new(Class::Map, "bad_map", e.to_string()).line(line);
        match field {
            Some(f) => err.field(f),
            None => err,
        }
    }
}

impl From<o2o_core::store::StoreError> for Error {
    fn from(e: o2o_core::store::StoreError) -> Self {
        use o2o_core::store::StoreError as S;
        let kind = match &e {
            S::Io { .. } => "io",
            S::NotAStore { .. } => "not_a_store",
            S::Locked { .. } => "locked",
            S::Parquet(_) | S::Arrow(_) | S::Decode { .. } => "damaged_store",
            S::Ingest(_) => "ingest",
            S::KeyNeeded { .. } | S::WrongKey { .. } | S::PlainStore | S::KeySettings { .. } => {
                "key"
            }
            _ => "store",
        };
        Error::new(Class::Store, kind, e.to_string())
    }
}

impl From<o2o_core::store::PeopleError> for Error {
    fn from(e: o2o_core::store::PeopleError) -> Self {
        match e {
            o2o_core::store::PeopleError::Store(s) => s.into(),
            other => Error::new(Class::Analysis, "identity", other.to_string()),
        }
    }
}

impl From<o2o_core::store::ResolutionError> for Error {
    fn from(e: o2o_core::store::ResolutionError) -> Self {
        use o2o_core::store::ResolutionError as R;
        match e {
            R::Store(s) => s.into(),
            R::People(p) => p.into(),
            other => Error::new(Class::Store, "resolution", other.to_string()),
        }
    }
}

impl From<o2o_core::identity::IdentityError> for Error {
    fn from(e: o2o_core::identity::IdentityError) -> Self {
        Error::new(Class::Analysis, "identity", e.to_string())
    }
}

impl From<o2o_core::uplift::UpliftError> for Error {
    fn from(e: o2o_core::uplift::UpliftError) -> Self {
        use o2o_core::uplift::UpliftError as U;
        let (kind, field) = match &e {
            U::Invalid { field, .. } => ("invalid_input", Some(field.clone())),
            U::NonFinite { field } => ("non_finite", Some(field.clone())),
            U::TooFew { .. } => ("too_few", None),
            U::NoConvergence { .. } => ("no_convergence", None),
            _ => ("degenerate", None),
        };
        let class = if kind == "invalid_input" {
            Class::Input
        } else {
            Class::Analysis
        };
        let err = Error::new(class, kind, e.to_string());
        match field {
            Some(f) => err.field(f),
            None => err,
        }
    }
}

/// A `Result` whose error becomes a Python exception.
pub type Result<T, E = Error> = std::result::Result<T, E>;
