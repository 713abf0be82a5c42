//! The checks the `survey` fuzz target makes (`fuzz/fuzz_targets/survey.rs`), shared with the
//! test that replays `fuzz/regressions/survey/`, so both check exactly the same things. Not part
//! of the stable API.

use super::SurveyRead;

fn lines_ok(read: &SurveyRead, lines: u64, what: &str) -> Result<(), String> {
    if let Some(e) = read.errors.iter().find(|e| e.line == 0 || e.line > lines) {
        return Err(format!(
            "{what}: an error outside the file's {lines} lines: {e:?}"
        ));
    }
    if (read.responses.len() + read.errors.len()) as u64 > lines {
        return Err(format!("{what}: more responses and errors than lines"));
    }
    Ok(())
}

/// Any bytes as survey responses, read by both readers (NDJSON on lossy UTF-8, CSV on the
/// bytes): no panic; every error on a line of the input; no more responses and errors than
/// lines.
pub fn check_readers(data: &[u8]) -> Result<(), String> {
    let text = String::from_utf8_lossy(data);
    let lines = text.lines().count().max(1) as u64;
    lines_ok(&super::read_responses_ndjson(&text), lines, "ndjson")?;
    #[cfg(feature = "csv")]
    {
        let lines = crate::csv_lines::count(data);
        lines_ok(&super::read_responses_csv(data), lines, "csv")?;
    }
    Ok(())
}
