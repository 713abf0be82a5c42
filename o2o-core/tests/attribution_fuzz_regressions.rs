//! Replays `fuzz/regressions/path_table/` with the checks of the `path_table` fuzz target, so the
//! parser's edge cases stay covered without a nightly toolchain.
#![allow(clippy::unwrap_used)]

use o2o_core::attribution::heuristic::{Rule, attribute};
use o2o_core::attribution::{PathTable, markov::markov, shapley::shapley};

#[test]
fn path_table_inputs_parse_and_attribute_without_panicking() {
    let dir =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fuzz/regressions/path_table");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(!files.is_empty());
    for path in files {
        let data = std::fs::read(&path).unwrap();
        let Ok(text) = std::str::from_utf8(&data) else {
            continue;
        };
        let Ok(parsed) = PathTable::parse_str(text, ">") else {
            continue;
        };
        let lines = text.lines().count() as u64;
        for e in &parsed.errors {
            assert!(e.line >= 1 && e.line <= lines, "{}: {e}", path.display());
        }
        let t = &parsed.table;
        let (tc, tv) = (t.total_conversions(), t.total_value());
        if tc < 1e12 && tv < 1e12 {
            assert!(attribute(t, Rule::Linear).check_totals(tc, tv));
            assert!(shapley(t).check_totals(tc, tv));
        }
        let _ = markov(t, 2);
    }
}

#[test]
fn edge_cases_report_each_bad_row() {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/regressions/path_table/edge-cases.csv");
    let text = std::fs::read_to_string(dir).unwrap();
    let parsed = PathTable::parse_str(&text, ">").unwrap();
    let at: Vec<(u64, &str)> = parsed
        .errors
        .iter()
        .map(|e| (e.line, e.field.as_str()))
        .collect();
    assert_eq!(
        at,
        vec![
            (2, "path"),
            (3, "total_null"),
            (5, "total_conversions"),
            (6, "total_conversions")
        ]
    );
    assert_eq!(parsed.table.rows().len(), 1);
}
