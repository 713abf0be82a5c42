//! The checks the `consent_policy` fuzz target makes (`fuzz/fuzz_targets/consent_policy.rs`),
//! shared with the test that replays `fuzz/regressions/consent_policy/`, so both check exactly
//! the same things. Not part of the stable API.

use super::ConsentPolicy;

/// Any bytes (lossy UTF-8) as a consent policy: no panic; an error says something; a policy
/// that parses is valid and writes back to a policy equal to itself.
pub fn check_policy(data: &[u8]) -> Result<(), String> {
    let text = String::from_utf8_lossy(data);
    match ConsentPolicy::from_json(&text) {
        Err(e) if e.to_string().is_empty() => Err("an empty policy error".to_owned()),
        Err(_) => Ok(()),
        Ok(p) => {
            p.validate()
                .map_err(|e| format!("a parsed policy is invalid: {e}"))?;
            let json = serde_json::to_string(&p).map_err(|e| e.to_string())?;
            let back = ConsentPolicy::from_json(&json)
                .map_err(|e| format!("a written policy does not read back: {e}"))?;
            if back != p {
                return Err("the policy does not round-trip".to_owned());
            }
            Ok(())
        }
    }
}
