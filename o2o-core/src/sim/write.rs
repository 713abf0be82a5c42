//! The audience readout as CSV (`audience.csv`), one row per customer.

use super::AudienceRow;
use crate::event::LineError;
use std::io::{Read, Write};

/// Write the audience readout with a header row.
pub fn write_audience_csv<W: Write>(rows: &[AudienceRow], out: W) -> Result<(), csv::Error> {
    let mut w = csv::Writer::from_writer(out);
    for r in rows {
        w.serialize(r)?;
    }
    w.flush()?;
    Ok(())
}

/// Read an audience readout written by [`write_audience_csv`]; bad rows are collected with
/// their line number, good rows kept.
pub fn read_audience_csv<R: Read>(input: R) -> (Vec<AudienceRow>, Vec<LineError>) {
    let mut rdr = csv::Reader::from_reader(input);
    let (mut rows, mut errors) = (Vec::new(), Vec::new());
    for rec in rdr.deserialize::<AudienceRow>() {
        match rec {
            Ok(r) => rows.push(r),
            Err(e) => errors.push(LineError {
                line: e.position().map_or(0, |p| p.line()),
                field: match e.kind() {
                    csv::ErrorKind::Deserialize { err, .. } => {
                        err.field().map(|f| format!("column {}", f + 1))
                    }
                    _ => None,
                },
                message: e.to_string(),
            }),
        }
    }
    (rows, errors)
}
