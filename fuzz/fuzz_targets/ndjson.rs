//! The NDJSON event reader on arbitrary bytes: never panics, and every non-blank line is either
//! an event or an error naming that line.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(out) = o2o_core::event::read_ndjson(data) else {
        return;
    };
    let lines = data.split(|b| *b == b'\n').filter(|l| !l.trim_ascii().is_empty()).count() as u64;
    assert_eq!(out.summary.read + out.summary.rejected, lines);
    for e in &out.errors {
        assert!(e.line >= 1);
    }
});
