//! The checks the ingest fuzz targets make (`fuzz/fuzz_targets/ingest_map.rs`,
//! `ingest_rows.rs`), shared with the test that replays `fuzz/regressions/ingest_*`, so both
//! check exactly the same things. Not part of the stable API.

use super::{CompiledMap, FileReader, Output, SourceMap, open};

/// Any text as a source map: parsing and compiling never panic, and an error names a key or a
/// position.
pub fn check_map(data: &[u8]) -> Result<(), String> {
    let Ok(text) = std::str::from_utf8(data) else {
        return Ok(());
    };
    match SourceMap::from_toml(text) {
        Err(e) => {
            if e.to_string().is_empty() {
                return Err("an empty map error".to_owned());
            }
        }
        Ok(map) => {
            if let Err(e) = CompiledMap::new(map)
                && e.to_string().is_empty()
            {
                return Err("an empty compile error".to_owned());
            }
        }
    }
    Ok(())
}

/// The maps the row fuzzer reads with: one per decoder (CSV with items, NDJSON, GA4).
const MAPS: [&str; 3] = [
    r#"
[source]
name = "pos"
format = "csv"
produces = "checkin"
timezone = "Asia/Ho_Chi_Minh"
delimiter = ";"
dedupe = ["id"]
skip_if = { column = "status", in = ["void"] }
[fields]
timestamp = { column = "ts", format = ["%d/%m/%Y %H:%M", "%Y-%m-%d"] }
store = "store"
method = { column = "m", map = { "s" = "pos_purchase" }, default = "qr_scan" }
id = "id"
value = { column = "v", decimal = ",", thousands = "." }
sku = "sku"
quantity = "q"
price = "p"
[identifiers]
phone = { column = "phone", default_country = "VN" }
email = { column = "login", when = { column = "t", equals = "e" } }
email_sha256 = "h"
[consent]
granted = { column = "c", values = ["Y"] }
"#,
    r#"
[source]
name = "log"
format = "ndjson"
produces = "order"
max_record_bytes = 4096
[fields]
timestamp = { column = "at", unit = "ms" }
id = "id"
value = "v"
fulfilment = "f"
store = "s"
pickup_time = "p"
url = "u"
items = "items"
[identifiers]
device_id = "d.x"
phone = ["a", "b"]
"#,
    r#"
[source]
name = "ga4"
format = "ga4"
"#,
];

/// Bytes as an export: the first byte picks a map, the rest is the file. Reading never panics,
/// and every row is counted once: as records, rejected or skipped; every rejection names a line
/// and never holds more of the file than a shape.
pub fn check_rows(data: &[u8]) -> Result<(), String> {
    let Some((&pick, file)) = data.split_first() else {
        return Ok(());
    };
    let text = MAPS[usize::from(pick) % MAPS.len()];
    let map = SourceMap::from_toml(text)
        .and_then(CompiledMap::new)
        .map_err(|e| format!("fixed map: {e}"))?;
    let input = open(file).map_err(|e| e.to_string())?;
    let mut reader = match FileReader::text(&map, "fuzz", input) {
        Ok(r) => r,
        // A CSV whose header lacks the map's columns is refused as a whole: fine.
        Err(_) => return Ok(()),
    };
    let mut rejected = 0u64;
    loop {
        match reader.next_output() {
            Ok(None) => break,
            Ok(Some(Output::Record { line, .. })) => {
                if line == 0 {
                    return Err("a record on line 0".to_owned());
                }
            }
            Ok(Some(Output::Rejected(e))) => {
                rejected += 1;
                if e.line == 0 {
                    return Err(format!("a rejection on line 0: {e}"));
                }
                if e.shape.as_ref().is_some_and(|s| s.chars().count() > 25) {
                    return Err(format!("a shape longer than 25 characters: {e}"));
                }
            }
            Err(_) => return Ok(()),
        }
    }
    let stats = reader.into_stats();
    if stats.rejected != rejected {
        return Err(format!(
            "{} rejections counted, {rejected} reported",
            stats.rejected
        ));
    }
    if stats.rejected + stats.skipped > stats.rows {
        return Err(format!(
            "more rows rejected or skipped than read: {stats:?}"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fixed_maps_compile_and_some_inputs_pass() {
        for (i, _) in MAPS.iter().enumerate() {
            let mut data = vec![i as u8];
            data.extend_from_slice(b"id;ts;store;m;v;sku;q;p;phone;login;t;h;c;status\nR1;01/03/2026 10:00;S1;s;1.000,5;A;2;3;0912345678;a@b.co;e;;Y;\n");
            check_rows(&data).unwrap();
        }
        check_map(b"[source]\nname='x'").unwrap();
        check_map(b"\xff\xfe").unwrap();
    }
}
