//! The path-table parser (and the models behind it) on arbitrary text: never panics, every
//! rejected row names a line inside the input, and any table that parses attributes without
//! panicking, with credit summing to its totals.
#![no_main]

use libfuzzer_sys::fuzz_target;
use o2o_core::attribution::heuristic::{Rule, attribute};
use o2o_core::attribution::{PathTable, markov::markov, shapley::shapley};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(parsed) = PathTable::parse_str(text, ">") else {
        return;
    };
    let lines = text.lines().count() as u64;
    for e in &parsed.errors {
        assert!(e.line >= 1 && e.line <= lines.max(1));
    }
    let t = &parsed.table;
    if t.channels().len() > 64 || t.rows().len() > 1_000 {
        return;
    }
    let (tc, tv) = (t.total_conversions(), t.total_value());
    if !(tc.is_finite() && tv.is_finite() && tc < 1e12 && tv < 1e12) {
        return;
    }
    assert!(attribute(t, Rule::Linear).check_totals(tc, tv));
    assert!(shapley(t).check_totals(tc, tv));
    let _ = markov(t, 2);
});
