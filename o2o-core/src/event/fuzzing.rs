//! The checks the `pos_csv` and `ndjson` fuzz targets make (`fuzz/fuzz_targets/`), shared with
//! the test that replays `fuzz/regressions/pos_csv/` and `fuzz/regressions/ndjson/`
//! (`o2o-core/tests/fuzz_parsers.rs`), so both check exactly the same things. Not part of the
//! stable API.

/// Any bytes as NDJSON events: no panic; every non-blank line is counted once, as an event or
/// as an error naming a line from 1. A UTF-8 byte-order mark before line 1 is not part of it,
/// so a mark alone is a blank line.
pub fn check_ndjson(data: &[u8]) -> Result<(), String> {
    let Ok(out) = super::read_ndjson(data) else {
        return Ok(());
    };
    let body = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    let lines = body
        .split(|b| *b == b'\n')
        .filter(|l| !l.trim_ascii().is_empty())
        .count() as u64;
    if out.summary.read + out.summary.rejected != lines {
        return Err(format!(
            "{} read and {} rejected of {lines} non-blank lines",
            out.summary.read, out.summary.rejected
        ));
    }
    if let Some(e) = out.errors.iter().find(|e| e.line == 0) {
        return Err(format!("an error on line 0: {e:?}"));
    }
    Ok(())
}

/// Any bytes as a POS CSV export: no panic; every row is counted once, as an event or as an
/// error on a line of the file; and every event read writes back as NDJSON that the NDJSON
/// reader accepts whole (no non-finite amount written as `null`, no timestamp out of range).
#[cfg(feature = "csv")]
pub fn check_pos_csv(data: &[u8]) -> Result<(), String> {
    let Ok(out) = super::read_pos_csv(data) else {
        return Ok(());
    };
    if out.summary.read != out.events.len() as u64 {
        return Err(format!(
            "{} read, {} events",
            out.summary.read,
            out.events.len()
        ));
    }
    if out.summary.rejected != out.errors.len() as u64 {
        return Err(format!(
            "{} rejected, {} errors",
            out.summary.rejected,
            out.errors.len()
        ));
    }
    let lines = crate::csv_lines::count(data);
    if let Some(e) = out.errors.iter().find(|e| e.line == 0 || e.line > lines) {
        return Err(format!("an error outside the file's {lines} lines: {e:?}"));
    }
    let mut nd = Vec::new();
    super::write_ndjson(&out.events, &mut nd).map_err(|e| e.to_string())?;
    let back = super::read_ndjson(&nd[..]).map_err(|e| e.to_string())?;
    if let Some(e) = back.errors.first() {
        return Err(format!(
            "an event read from the CSV does not read back: {e:?}"
        ));
    }
    if back.events.len() != out.events.len() {
        return Err("the events do not read back one for one".to_owned());
    }
    Ok(())
}
