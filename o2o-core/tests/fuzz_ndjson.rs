//! Replays the checked-in fuzz inputs (`fuzz/regressions/<target>/`) with the same checks as the
//! fuzz targets, so a crash once found stays fixed without a nightly toolchain.
#![allow(clippy::unwrap_used)]

mod common;

use common::inputs;

#[test]
fn ndjson_inputs_keep_every_line_accounted_for() {
    let all = inputs("ndjson");
    assert!(!all.is_empty());
    for (path, data) in all {
        let out = o2o_core::event::read_ndjson(&data[..]).unwrap();
        let lines = data
            .split(|b| *b == b'\n')
            .filter(|l| !l.trim_ascii().is_empty())
            .count() as u64;
        assert_eq!(
            out.summary.read + out.summary.rejected,
            lines,
            "{}",
            path.display()
        );
        assert!(out.errors.iter().all(|e| e.line >= 1), "{}", path.display());
    }
}
