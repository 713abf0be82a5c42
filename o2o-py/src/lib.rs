//! The `o2o` Python package's native module (`o2o._o2o`), built with PyO3 and maturin.
//!
//! Like the C and WASM wrappers it only translates: Arrow arrays in and out through the Arrow
//! PyCapsule interface ([`arrow`]), core errors into `o2o.errors` exceptions that carry the
//! error kind, line and field ([`error`]), keyword arguments into the core's options. Every rule
//! is in `o2o-core`. The Python layer (`python/o2o/`) adds docstrings, dicts from the JSON
//! results and pyarrow objects from the capsules. PyO3 turns a Rust panic into a Python
//! `PanicException` at every entry point, so nothing unwinds into the interpreter.

mod arrow;
mod error;
mod hashing;
mod spark;
mod store;
mod uplift;

use pyo3::prelude::*;

/// Write a simulated campaign (events, holdout assignments, spend) into the store at `path`,
/// as `o2o simulate --store` does, and its ground truth to `path/truth.json`.
#[pyfunction]
#[pyo3(signature = (path, customers=20_000, seed=42, days=28))]
fn simulate(
    py: Python<'_>,
    path: std::path::PathBuf,
    customers: usize,
    seed: u64,
    days: u32,
) -> error::Result<usize> {
    use error::{Class, Error};
    use o2o_core::event::Record;
    use o2o_core::sim::{SimConfig, side_records, simulate_with_progress};
    let cfg = SimConfig {
        customers,
        seed,
        days,
        ..SimConfig::default()
    };
    py.detach(|| {
        let campaign = simulate_with_progress(&cfg, |_| {})
            .map_err(|e| Error::input("customers", e.to_string()))?;
        let mut store = o2o_core::store::Store::create(&path, "UTC")?;
        let n = campaign.events.len();
        store.append(
            "simulator",
            "events",
            campaign.events.iter().cloned().map(Record::Event),
        )?;
        store.append("simulator", "side", side_records(&campaign))?;
        let truth = path.join("truth.json");
        let text = serde_json::to_string(&campaign.truth)
            .map_err(|e| Error::new(Class::Analysis, "internal", e.to_string()))?;
        std::fs::write(&truth, text)
            .map_err(|e| Error::new(Class::Store, "io", format!("{}: {e}", truth.display())))?;
        Ok(n)
    })
}

/// The native module.
#[pymodule]
fn _o2o(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", o2o_core::VERSION)?;
    m.add_class::<arrow::ArrowArray>()?;
    m.add_class::<arrow::ArrowTable>()?;
    m.add_class::<store::Store>()?;
    m.add_function(wrap_pyfunction!(hashing::normalize, m)?)?;
    m.add_function(wrap_pyfunction!(hashing::hash, m)?)?;
    m.add_function(wrap_pyfunction!(hashing::pseudonymize, m)?)?;
    m.add_function(wrap_pyfunction!(simulate, m)?)?;
    uplift::register(m)?;
    spark::register(m)?;
    Ok(())
}
