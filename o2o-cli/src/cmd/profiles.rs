//! Events grouped into people, for the commands that act per person (`segment`, `loyalty`).

use super::CliError;
use o2o_core::event::{Event, parse_timestamp, read_ndjson};
use o2o_core::identity::{IdentityGraph, ResolutionRules};
use std::fs::File;
use std::io::BufReader;
use std::path::Path;

/// Rejected lines shown on stderr before the rest are only counted.
const SHOWN_ERRORS: usize = 10;

/// Read the events (the first rejected lines on stderr, then a count) and resolve them into
/// profiles with the default rules, as `o2o report` does. No usable event is an error.
pub fn load(path: &Path) -> Result<(Vec<Event>, IdentityGraph), CliError> {
    let f = File::open(path).map_err(CliError::io(path))?;
    let read = read_ndjson(BufReader::with_capacity(1 << 20, f)).map_err(|e| CliError::Io {
        path: path.display().to_string(),
        source: std::io::Error::other(e.to_string()),
    })?;
    for e in read.errors.iter().take(SHOWN_ERRORS) {
        eprintln!("{}: {e}", path.display());
    }
    if read.errors.len() > SHOWN_ERRORS {
        eprintln!(
            "{}: … {} more rejected lines",
            path.display(),
            read.errors.len() - SHOWN_ERRORS
        );
    }
    if read.events.is_empty() {
        return Err(CliError::Usage(format!(
            "{}: no usable event ({} lines rejected)",
            path.display(),
            read.errors.len()
        )));
    }
    let graph = IdentityGraph::from_events(ResolutionRules::default(), &read.events)?;
    Ok((read.events, graph))
}

/// `--at`: Unix seconds or RFC 3339; without it, the latest event's time (an export is judged as
/// of its end, so the same file gives the same answer on any day).
pub fn at(flag: Option<&str>, events: &[Event]) -> Result<i64, CliError> {
    match flag {
        Some(t) => parse_timestamp(t).map_err(|e| CliError::Usage(format!("--at: {e}"))),
        None => events
            .iter()
            .map(Event::timestamp)
            .max()
            .ok_or_else(|| CliError::Usage("no event to take the time from: give --at".into())),
    }
}

/// Unix seconds as RFC 3339 (UTC) for messages, or the number when out of range.
pub fn when(ts: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(ts)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| ts.to_string())
}

/// The events up to `now`: a command judging "as of" a time ignores what came after it.
pub fn up_to(events: Vec<Event>, now: i64) -> Vec<Event> {
    let mut events = events;
    events.retain(|e| e.timestamp() <= now);
    events
}
