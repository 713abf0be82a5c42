//! The one error type of the uplift module.

/// Why an uplift computation refused its input. Every variant names the offending argument.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum UpliftError {
    /// An argument is outside its domain (a count above its total, a probability outside 0..1,
    /// a negative standard deviation, a NaN…).
    #[error("{field}: {reason}")]
    Invalid {
        /// The argument (`test.successes`, `alpha`, `donors[2][5]`…).
        field: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Too few observations for the method.
    #[error("{what} needs at least {need} observations, got {got}")]
    TooFew {
        /// What was being computed.
        what: String,
        /// The minimum.
        need: usize,
        /// What was given.
        got: usize,
    },
    /// The data carry no information for the statistic (zero variance, no conversions in the
    /// control arm for a ratio, a singular design matrix…).
    #[error("{0}")]
    Degenerate(String),
    /// A statistic of the result is not a finite number (the inputs are so large or so extreme
    /// that the result cannot be represented in `f64`); the call is refused instead of
    /// returning NaN or ±∞.
    #[error(
        "{field}: the result is not a finite number (inputs too large or too extreme for double precision)"
    )]
    NonFinite {
        /// The field of the result (`absolute_lift`, `ci_welch[1]`, `placebos[3].ratio`…).
        field: String,
    },
    /// An iterative solver did not reach its tolerance.
    #[error("{what} did not converge in {iterations} iterations")]
    NoConvergence {
        /// The solver.
        what: String,
        /// Iterations run.
        iterations: usize,
    },
}

impl UpliftError {
    pub(crate) fn invalid(field: impl Into<String>, reason: impl Into<String>) -> UpliftError {
        UpliftError::Invalid {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

/// Check that `alpha` is a usable significance level (strictly between 0 and 1).
pub(crate) fn check_alpha(alpha: f64) -> Result<(), UpliftError> {
    if alpha.is_finite() && alpha > 0.0 && alpha < 1.0 {
        Ok(())
    } else {
        Err(UpliftError::invalid(
            "alpha",
            format!("{alpha} is not strictly between 0 and 1"),
        ))
    }
}

/// Check that a value is finite.
pub(crate) fn check_finite(field: &str, v: f64) -> Result<(), UpliftError> {
    if v.is_finite() {
        Ok(())
    } else {
        Err(UpliftError::invalid(
            field,
            format!("{v} is not a finite number"),
        ))
    }
}
