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
    let headers = match rdr.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            errors.push(csv_error(&e));
            return (rows, errors);
        }
    };
    let mut rec = csv::StringRecord::new();
    loop {
        match rdr.read_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                errors.push(csv_error(&e));
                continue;
            }
        }
        let line = rec.position().map_or(0, |p| p.line());
        match rec.deserialize::<AudienceRow>(Some(&headers)) {
            Ok(r) => match non_finite(&r) {
                None => rows.push(r),
                Some(field) => errors.push(LineError {
                    line,
                    field: Some(field.to_owned()),
                    message: format!("{field} is not a finite number"),
                }),
            },
            Err(e) => errors.push(LineError {
                line,
                ..csv_error(&e)
            }),
        }
    }
    (rows, errors)
}

/// A CSV error as a line error: its line, and the column a value failed to parse in.
fn csv_error(e: &csv::Error) -> LineError {
    LineError {
        line: e.position().map_or(0, |p| p.line()),
        field: match e.kind() {
            csv::ErrorKind::Deserialize { err, .. } => {
                err.field().map(|f| format!("column {}", f + 1))
            }
            _ => None,
        },
        message: e.to_string(),
    }
}

/// The first revenue column of a row that is NaN or infinite: a sum over customers would carry
/// it into every estimate, so such a row is rejected rather than kept.
fn non_finite(r: &AudienceRow) -> Option<&'static str> {
    if !r.pre_revenue.is_finite() {
        Some("pre_revenue")
    } else if !r.revenue.is_finite() {
        Some("revenue")
    } else {
        None
    }
}
