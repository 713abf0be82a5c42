//! Replays the checked-in inputs of the ingest fuzz targets (`fuzz/regressions/ingest_map/`,
//! `ingest_rows/`) through the same checks the fuzzers make.
#![allow(clippy::unwrap_used)]

mod common;

use common::inputs;

#[test]
fn map_inputs_parse_or_fail_with_a_message() {
    let all = inputs("ingest_map");
    assert!(!all.is_empty());
    for (path, data) in all {
        o2o_core::ingest::fuzzing::check_map(&data)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
}

#[test]
fn row_inputs_keep_every_row_accounted_for() {
    let all = inputs("ingest_rows");
    assert!(!all.is_empty());
    for (path, data) in all {
        o2o_core::ingest::fuzzing::check_rows(&data)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
}
