//! Arrow data across the boundary through the Arrow PyCapsule interface
//! (<https://arrow.apache.org/docs/format/CDataInterface/PyCapsuleInterface.html>): any object
//! with `__arrow_c_array__` or `__arrow_c_stream__` (pyarrow, polars, nanoarrow, arro3, DuckDB
//! results) comes in without a copy of its buffers, and what goes out is an [`ArrowArray`] or
//! [`ArrowTable`] that pyarrow and polars take the same way.
//!
//! The C Data Interface structs and their import/export are arrow-rs's own (`arrow_array::ffi`,
//! `arrow_array::ffi_stream`); this module only moves them in and out of capsules.

use crate::error::{Error, Result};
use arrow_array::ffi::{FFI_ArrowArray, FFI_ArrowSchema, from_ffi};
use arrow_array::ffi_stream::{ArrayStreamReader, FFI_ArrowArrayStream};
use arrow_array::{Array, ArrayRef, RecordBatch, RecordBatchIterator, make_array};
use arrow_schema::{ArrowError, Field, SchemaRef};
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyCapsuleMethods, PyTuple};
use std::ffi::CStr;

const SCHEMA: &CStr = c"arrow_schema";
const ARRAY: &CStr = c"arrow_array";
const STREAM: &CStr = c"arrow_array_stream";

fn ffi_error(what: &str) -> impl Fn(ArrowError) -> Error + '_ {
    move |e| Error::input(what, format!("{what}: not a readable Arrow array ({e})"))
}

/// Import one Arrow array (the chunks of a chunked array or a stream are concatenated by the
/// caller through [`import_chunks`]).
pub fn import_chunks(obj: &Bound<'_, PyAny>, what: &str) -> Result<Vec<ArrayRef>> {
    let py_err = |e: PyErr| Error::input(what, format!("{what}: {e}"));
    if obj.hasattr("__arrow_c_array__").map_err(py_err)? {
        let pair = obj.call_method0("__arrow_c_array__").map_err(py_err)?;
        let pair = pair.cast::<PyTuple>().map_err(|e| py_err(e.into()))?;
        if pair.len() != 2 {
            return Err(Error::input(
                what,
                format!("{what}: __arrow_c_array__ must return (schema, array) capsules"),
            ));
        }
        let schema = pair.get_item(0).map_err(py_err)?;
        let array = pair.get_item(1).map_err(py_err)?;
        let schema = schema.cast::<PyCapsule>().map_err(|e| py_err(e.into()))?;
        let array = array.cast::<PyCapsule>().map_err(|e| py_err(e.into()))?;
        let schema_ptr = schema.pointer_checked(Some(SCHEMA)).map_err(py_err)?;
        let array_ptr = array.pointer_checked(Some(ARRAY)).map_err(py_err)?;
        // SAFETY: the capsules are named `arrow_schema` and `arrow_array`, so by the PyCapsule
        // interface they point at a valid ArrowSchema and ArrowArray. `from_raw` moves the
        // array out and marks the capsule's copy released, so the capsule's destructor does not
        // free it a second time; the schema is only borrowed while the capsule is alive.
        let data = unsafe {
            let ffi_array = FFI_ArrowArray::from_raw(array_ptr.as_ptr().cast());
            let ffi_schema = &*(schema_ptr.as_ptr() as *const FFI_ArrowSchema);
            from_ffi(ffi_array, ffi_schema).map_err(ffi_error(what))?
        };
        return Ok(vec![make_array(data)]);
    }
    if obj.hasattr("__arrow_c_stream__").map_err(py_err)? {
        let capsule = obj.call_method0("__arrow_c_stream__").map_err(py_err)?;
        let capsule = capsule.cast::<PyCapsule>().map_err(|e| py_err(e.into()))?;
        let ptr = capsule.pointer_checked(Some(STREAM)).map_err(py_err)?;
        // SAFETY: a capsule named `arrow_array_stream` points at a valid ArrowArrayStream;
        // `from_raw` moves it out and marks the capsule's copy released.
        let stream = unsafe { FFI_ArrowArrayStream::from_raw(ptr.as_ptr().cast()) };
        let reader = ArrayStreamReader::try_new(stream).map_err(ffi_error(what))?;
        return reader
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(ffi_error(what));
    }
    Err(Error::input(
        what,
        format!(
            "{what}: expected an Arrow array (pyarrow, polars, or any object with __arrow_c_array__ or __arrow_c_stream__), got {}",
            obj.get_type()
                .name()
                .map(|n| n.to_string())
                .unwrap_or_default()
        ),
    ))
}

/// An Arrow array handed to Python: `pyarrow.array(x)`, `polars.Series(x)` take it without a
/// copy (the `__arrow_c_array__` protocol).
#[pyclass(module = "o2o._o2o", frozen)]
pub struct ArrowArray {
    array: ArrayRef,
}

impl ArrowArray {
    /// Wrap `array`.
    pub fn new(array: ArrayRef) -> Self {
        ArrowArray { array }
    }
}

#[pymethods]
impl ArrowArray {
    /// The schema and array capsules of the Arrow PyCapsule interface.
    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_array__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyTuple>> {
        // A requested schema is a hint the producer may ignore (the interface says so).
        let _ = requested_schema;
        let field = Field::new("", self.array.data_type().clone(), true);
        let schema = FFI_ArrowSchema::try_from(&field)
            .map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))?;
        let array = FFI_ArrowArray::new(&self.array.to_data());
        let schema = PyCapsule::new_with_value(py, schema, SCHEMA)?;
        let array = PyCapsule::new_with_value(py, array, ARRAY)?;
        PyTuple::new(py, [schema.into_any(), array.into_any()])
    }

    fn __len__(&self) -> usize {
        self.array.len()
    }
}

/// A table handed to Python: `pyarrow.table(x)`, `polars.DataFrame(x)` take it without a copy
/// (the `__arrow_c_stream__` protocol). It can be read once.
#[pyclass(module = "o2o._o2o")]
pub struct ArrowTable {
    schema: SchemaRef,
    batches: Option<Vec<RecordBatch>>,
}

impl ArrowTable {
    /// A table of `batches` under `schema`.
    pub fn new(schema: SchemaRef, batches: Vec<RecordBatch>) -> Self {
        ArrowTable {
            schema,
            batches: Some(batches),
        }
    }
}

#[pymethods]
impl ArrowTable {
    /// The stream capsule of the Arrow PyCapsule interface.
    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_stream__<'py>(
        &mut self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        let _ = requested_schema;
        let batches = self.batches.take().ok_or_else(|| {
            pyo3::exceptions::PyRuntimeError::new_err("this o2o table was already read")
        })?;
        let reader = RecordBatchIterator::new(batches.into_iter().map(Ok), self.schema.clone());
        let stream = FFI_ArrowArrayStream::new(Box::new(reader));
        PyCapsule::new_with_value(py, stream, STREAM)
    }
}
