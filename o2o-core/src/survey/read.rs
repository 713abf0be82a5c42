//! Survey readers: NDJSON and CSV, line-numbered errors, good rows kept.

use super::Response;
use crate::event::{LineError, parse_timestamp};
use serde::{Deserialize, Deserializer};

/// What a read produced.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SurveyRead {
    /// Valid responses, in input order.
    pub responses: Vec<Response>,
    /// One error per rejected line.
    pub errors: Vec<LineError>,
}

/// Serde: Unix seconds or an RFC 3339 string.
pub(super) fn timestamp<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Ts {
        Int(i64),
        Text(String),
    }
    match Ts::deserialize(d)? {
        Ts::Int(v) => Ok(v),
        Ts::Text(s) => parse_timestamp(&s).map_err(serde::de::Error::custom),
    }
}

fn check(r: Response, line: u64) -> Result<Response, LineError> {
    if !(1..=5).contains(&r.score) {
        return Err(LineError {
            line,
            field: Some("score".into()),
            message: format!("score {} is not 1 to 5", r.score),
        });
    }
    for (name, v) in [("customer", &r.customer), ("store", &r.store)] {
        if v.trim().is_empty() {
            return Err(LineError {
                line,
                field: Some(name.into()),
                message: "is empty".into(),
            });
        }
    }
    Ok(r)
}

/// Read NDJSON responses (blank lines skipped).
#[must_use]
pub fn read_responses_ndjson(input: &str) -> SurveyRead {
    let mut out = SurveyRead::default();
    for (i, l) in input.lines().enumerate() {
        let line = i as u64 + 1;
        if l.trim().is_empty() {
            continue;
        }
        let de = &mut serde_json::Deserializer::from_str(l);
        let parsed = serde_path_to_error::deserialize::<_, Response>(de).map_err(|e| {
            let path = e.path().to_string();
            LineError {
                line,
                field: (path != ".").then_some(path),
                message: e.inner().to_string(),
            }
        });
        match parsed.and_then(|r| check(r, line)) {
            Ok(r) => out.responses.push(r),
            Err(e) => out.errors.push(e),
        }
    }
    out
}

/// Read CSV responses with a header row (`customer,store,score,timestamp[,segment][,comment]`).
#[cfg(feature = "csv")]
pub fn read_responses_csv<R: std::io::Read>(input: R) -> SurveyRead {
    let mut out = SurveyRead::default();
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(input);
    let headers = match rdr.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            out.errors.push(LineError {
                line: 1,
                field: None,
                message: format!("header: {e}"),
            });
            return out;
        }
    };
    for rec in rdr.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                out.errors.push(LineError {
                    line: e.position().map_or(0, |p| p.line()),
                    field: None,
                    message: e.to_string(),
                });
                continue;
            }
        };
        let line = rec.position().map_or(0, |p| p.line());
        let parsed = rec
            .deserialize::<Response>(Some(&headers))
            .map_err(|e| LineError {
                line,
                field: match e.kind() {
                    csv::ErrorKind::Deserialize { err, .. } => err
                        .field()
                        .and_then(|f| headers.get(f as usize))
                        .map(str::to_owned),
                    _ => None,
                },
                message: e.to_string(),
            });
        match parsed.and_then(|r| check(r, line)) {
            Ok(r) => out.responses.push(r),
            Err(e) => out.errors.push(e),
        }
    }
    out
}
