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
/// `Event::Touchpoint(tp)` (a proptest checks it), written field by field rather than through
/// the derived `Serialize` of `Event`: the web tag writes only touchpoints, and the derived code
/// (a map serializer per field type, each enum's variant table) costs it kilobytes. Strings,
/// numbers and the nested consent and tracking objects still go through `serde_json`, so
/// escaping and float formatting are serde_json's own. A `String` rather than an `io::Write`:
/// converting serde_json's error into an `io::Error` would pull its `Debug` formatting (and
/// Unicode tables) into the tag.
///
/// ```
/// use o2o_core::event::{Event, read_ndjson, touchpoint_line};
/// let input = "{\"type\":\"touchpoint\",\"action\":\"click\",\"channel\":\"ads\",\"timestamp\":1,\"identifiers\":[]}\n";
/// let events = read_ndjson(input.as_bytes()).unwrap().events;
/// let Event::Touchpoint(tp) = &events[0] else { panic!("a touchpoint") };
/// assert_eq!(touchpoint_line(tp).unwrap(), input);
/// ```
pub fn touchpoint_line(tp: &Touchpoint) -> serde_json::Result<String> {
    // Field order and the skipped defaults are those of the derives of `Event` (tag first),
    // `Touchpoint`, `Identifier` and `Order`.
    let mut o = Line(String::with_capacity(160));
    o.0.push_str("{\"type\":\"touchpoint\"");
    if let Some(id) = &tp.id {
        o.str_field("id", id)?;
    }
    o.raw_field("action", tp.action.as_str());
    o.str_field("channel", &tp.channel)?;
    if let Some(c) = &tp.campaign {
        o.str_field("campaign", c)?;
    }
    o.key("timestamp");
    o.json(&tp.timestamp)?;
    if let Some(v) = tp.cost {
        o.key("cost");
        o.json(&v)?;
    }
    if let Some(v) = tp.value {
        o.key("value");
        o.json(&v)?;
    }
    if let Some(c) = &tp.currency {
        o.str_field("currency", c)?;
    }
    o.key("identifiers");
    o.array(&tp.identifiers, |o, id| {
        o.0.push_str("{\"kind\":");
        o.quoted(id.kind.as_str());
        o.str_field("value", &id.value)?;
        o.0.push('}');
        Ok(())
    })?;
    if let Some(c) = &tp.consent {
        o.key("consent");
        o.json(c)?;
    }
    if let Some(t) = &tp.tracking {
        o.key("tracking");
        o.json(t)?;
    }
    if let Some(order) = &tp.order {
        o.key("order");
        o.0.push_str("{\"fulfilment\":");
        o.quoted(order.fulfilment.as_str());
        if let Some(s) = &order.pickup_store {
            o.str_field("pickup_store", s)?;
        }
        if let Some(t) = order.pickup_time {
            o.key("pickup_time");
            o.json(&t)?;
        }
        if !order.items.is_empty() {
            o.key("items");
            o.array(&order.items, |o, item| {
                o.0.push_str("{\"sku\":");
                o.json(item.sku.as_str())?;
                o.key("quantity");
                o.json(&item.quantity)?;
                o.key("price");
                o.json(&item.price)?;
                o.0.push('}');
                Ok(())
            })?;
        }
        o.0.push('}');
    }
    if !tp.exposure.is_observational() {
        o.raw_field("exposure", tp.exposure.as_str());
    }
    o.0.push_str("}\n");
    Ok(o.0)
}

/// A JSON object being written into a `String`, after its first member.
struct Line(String);

impl Line {
    /// `,"name":`.
    fn key(&mut self, name: &str) {
        self.0.push_str(",\"");
        self.0.push_str(name);
        self.0.push_str("\":");
    }

    /// `"text"` for a text that needs no escaping (the snake_case names of enum values).
    fn quoted(&mut self, text: &str) {
        self.0.push('"');
        self.0.push_str(text);
        self.0.push('"');
    }

    /// `,"name":"value"` for a value that needs no escaping.
    fn raw_field(&mut self, name: &str, value: &str) {
        self.key(name);
        self.quoted(value);
    }

    /// `,"name":` and the JSON string of `value`, escaped by serde_json.
    fn str_field(&mut self, name: &str, value: &str) -> serde_json::Result<()> {
        self.key(name);
        self.json(value)
    }

    /// `[`, each item as `write` writes it, separated by commas, `]`.
    fn array<T>(
        &mut self,
        items: &[T],
        mut write: impl FnMut(&mut Self, &T) -> serde_json::Result<()>,
    ) -> serde_json::Result<()> {
        self.0.push('[');
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.0.push(',');
            }
            write(self, item)?;
        }
        self.0.push(']');
        Ok(())
    }

    /// A value as serde_json writes it.
    fn json<T: Serialize + ?Sized>(&mut self, value: &T) -> serde_json::Result<()> {
        self.0.push_str(&serde_json::to_string(value)?);
        Ok(())
    }
}
