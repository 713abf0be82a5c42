//! The checks the `segment_rules` fuzz target makes (`fuzz/fuzz_targets/segment_rules.rs`),
//! shared with the test that replays `fuzz/regressions/segment_rules/`, so both check exactly
//! the same things. Not part of the stable API.

use super::RuleSet;

/// Any bytes (lossy UTF-8) as segment rules: no panic; an error says something; rules that
/// parse are valid and write back to rules equal to themselves.
pub fn check_rules(data: &[u8]) -> Result<(), String> {
    let text = String::from_utf8_lossy(data);
    match RuleSet::from_json(&text) {
        Err(e) if e.to_string().is_empty() => Err("an empty rules error".to_owned()),
        Err(_) => Ok(()),
        Ok(r) => {
            r.validate()
                .map_err(|e| format!("parsed rules are invalid: {e}"))?;
            let json = serde_json::to_string(&r).map_err(|e| e.to_string())?;
            let back = RuleSet::from_json(&json)
                .map_err(|e| format!("written rules do not read back: {e}"))?;
            if back != r {
                return Err("the rules do not round-trip".to_owned());
            }
            Ok(())
        }
    }
}
