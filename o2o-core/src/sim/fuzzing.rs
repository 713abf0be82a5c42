//! The checks the `audience_csv` fuzz target makes (`fuzz/fuzz_targets/audience_csv.rs`),
//! shared with the test that replays `fuzz/regressions/audience_csv/`, so both check exactly
//! the same things. Not part of the stable API.

use super::{read_audience_csv, write_audience_csv};

/// Any bytes as an audience readout: no panic; every error on a line of the file; the rows
/// read write back to a file that reads to the same rows with no error.
pub fn check_audience_csv(data: &[u8]) -> Result<(), String> {
    let (rows, errors) = read_audience_csv(data);
    let lines = crate::csv_lines::count(data);
    if let Some(e) = errors.iter().find(|e| e.line == 0 || e.line > lines) {
        return Err(format!("an error outside the file's {lines} lines: {e:?}"));
    }
    let mut out = Vec::new();
    write_audience_csv(&rows, &mut out).map_err(|e| e.to_string())?;
    let (back, errs) = read_audience_csv(&out[..]);
    if let Some(e) = errs.first() {
        return Err(format!("a row read does not read back: {e:?}"));
    }
    if back != rows {
        return Err("the rows do not round-trip".to_owned());
    }
    Ok(())
}
