//! Writing events back out as NDJSON, the format every o2o command reads.

use super::Event;
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
