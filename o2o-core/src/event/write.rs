//! Writing events back out as NDJSON, the format every o2o command reads.

use super::{Event, Touchpoint};
use serde::Serialize;
use std::io::{self, Write};

/// Write one event per line. The output reads back to the same events with
/// [`super::read_ndjson`] (floats round-trip exactly).
///
/// ```
/// use o2o_core::event::{read_ndjson, write_ndjson};
/// let input = "{\"type\":\"checkin\",\"method\":\"qr_scan\",\"store\":\"S1\",\"timestamp\":1,\"identifiers\":[]}\n";
/// let events = read_ndjson(input.as_bytes()).unwrap().events;
/// let mut out = Vec::new();
/// write_ndjson(&events, &mut out).unwrap();
/// assert_eq!(String::from_utf8(out).unwrap(), input);
/// ```
pub fn write_ndjson<'a, W: Write>(
    events: impl IntoIterator<Item = &'a Event>,
    mut out: W,
) -> io::Result<()> {
    for ev in events {
        serde_json::to_writer(&mut out, ev)?;
        out.write_all(b"\n")?;
    }
    out.flush()
}

/// One touchpoint as its NDJSON line (ending in `\n`): the bytes [`write_ndjson`] writes for
/// `Event::Touchpoint(tp)`, without compiling the serialisation of every other event kind (the
/// web tag writes only touchpoints, and each kind's serde code costs it kilobytes). A `String`
/// rather than an `io::Write`: converting serde_json's error into an `io::Error` would pull its
/// `Debug` formatting (and Unicode tables) into the tag.
///
/// ```
/// use o2o_core::event::{Event, read_ndjson, touchpoint_line};
/// let input = "{\"type\":\"touchpoint\",\"action\":\"click\",\"channel\":\"ads\",\"timestamp\":1,\"identifiers\":[]}\n";
/// let events = read_ndjson(input.as_bytes()).unwrap().events;
/// let Event::Touchpoint(tp) = &events[0] else { panic!("a touchpoint") };
/// assert_eq!(touchpoint_line(tp).unwrap(), input);
/// ```
pub fn touchpoint_line(tp: &Touchpoint) -> serde_json::Result<String> {
    /// `Event`'s tagging (`"type":"touchpoint"` first), for one variant only.
    #[derive(Serialize)]
    #[serde(tag = "type", rename_all = "snake_case")]
    enum Line<'a> {
        Touchpoint(&'a Touchpoint),
    }
    let mut line = serde_json::to_string(&Line::Touchpoint(tp))?;
    line.push('\n');
    Ok(line)
}
