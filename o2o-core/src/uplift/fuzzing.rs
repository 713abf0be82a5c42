//! The checks the `panel_csv` fuzz target makes (`fuzz/fuzz_targets/panel_csv.rs`), shared with
//! the test that replays `fuzz/regressions/panel_csv/`, so both check exactly the same things.
//! Not part of the stable API.

/// Any bytes as a difference-in-differences panel: no panic; every error on a line of the file;
/// every row kept has a finite value and non-empty labels.
#[cfg(feature = "csv")]
pub fn check_panel_csv(data: &[u8]) -> Result<(), String> {
    let Ok((rows, errors)) = super::read_panel_csv(data) else {
        return Ok(());
    };
    let lines = crate::csv_lines::count(data);
    if let Some(e) = errors.iter().find(|e| e.line == 0 || e.line > lines) {
        return Err(format!("an error outside the file's {lines} lines: {e:?}"));
    }
    if rows.len() + errors.len() > lines as usize {
        return Err("more rows and errors than lines".to_owned());
    }
    if let Some(r) = rows.iter().find(|r| !r.value.is_finite()) {
        return Err(format!("a non-finite value kept: {}", r.value));
    }
    Ok(())
}
