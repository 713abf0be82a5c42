//! Replays the checked-in inputs of the parser fuzz targets (`fuzz/regressions/<target>/`)
//! through the same checks the fuzzers make, so a crash once found stays fixed without a
//! nightly toolchain.
#![allow(clippy::unwrap_used)]

mod common;

fn replay(target: &str, check: fn(&[u8]) -> Result<(), String>) {
    let all = common::inputs(target);
    assert!(!all.is_empty(), "{target}: no inputs");
    for (path, data) in all {
        check(&data).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
}

#[test]
fn pos_csv() {
    replay("pos_csv", o2o_core::event::fuzzing::check_pos_csv);
}

#[test]
fn ndjson() {
    replay("ndjson", o2o_core::event::fuzzing::check_ndjson);
}

#[test]
fn panel_csv() {
    replay("panel_csv", o2o_core::uplift::fuzzing::check_panel_csv);
}

#[test]
fn key_file() {
    replay("key_file", o2o_core::keys::fuzzing::check_key_file);
}

#[test]
fn campaign_table() {
    replay(
        "campaign_table",
        o2o_core::voucher::fuzzing::check_campaign_table,
    );
}

#[test]
fn snapshot_restore() {
    replay(
        "snapshot_restore",
        o2o_core::identity::fuzzing::check_snapshot,
    );
}

#[test]
fn consent_policy() {
    replay("consent_policy", o2o_core::consent::fuzzing::check_policy);
}

#[test]
fn segment_rules() {
    replay("segment_rules", o2o_core::segment::fuzzing::check_rules);
}

#[test]
fn resolution_rules() {
    replay("resolution_rules", o2o_core::identity::fuzzing::check_rules);
}

#[test]
fn survey() {
    replay("survey", o2o_core::survey::fuzzing::check_readers);
}

#[test]
fn audience_csv() {
    replay("audience_csv", o2o_core::sim::fuzzing::check_audience_csv);
}

#[test]
fn redemption_ledger() {
    replay(
        "redemption_ledger",
        o2o_core::voucher::fuzzing::check_ledger,
    );
}
