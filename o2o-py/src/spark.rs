//! Helpers of `o2o.spark`: the core's work on one partition or one group of a Spark job.

use pyo3::prelude::*;

/// Register the functions in `module`.
pub fn register(_m: &Bound<'_, PyModule>) -> PyResult<()> {
    Ok(())
}
