//! The checks the `key_file` fuzz target makes (`fuzz/fuzz_targets/key_file.rs`), shared with
//! the test that replays `fuzz/regressions/key_file/`, so both check exactly the same things.
//! Not part of the stable API.

use super::KeyRing;

/// Any bytes (lossy UTF-8) as a key file: no panic; an error says something and never echoes a
/// secret's hex; a ring that parses has a current key, finds each of its keys by id, and
/// refuses a low-entropy secret (no key of it is one repeated byte).
pub fn check_key_file(data: &[u8]) -> Result<(), String> {
    let text = String::from_utf8_lossy(data);
    match KeyRing::parse(&text) {
        Err(e) => {
            let msg = e.to_string();
            if msg.is_empty() {
                return Err("an empty key error".to_owned());
            }
            // A secret is at least 32 hex digits: the message must not hold such a run of the
            // input.
            for word in text.split(|c: char| !c.is_ascii_hexdigit()) {
                if word.len() >= 32 && msg.contains(word) {
                    return Err("the error echoes a secret".to_owned());
                }
            }
        }
        Ok(ring) => {
            let current = ring.current();
            if ring.get(current.id()).is_none() {
                return Err(format!("the current key `{}` is not found", current.id()));
            }
            for k in ring.keys() {
                if k.secret().windows(2).all(|w| w[0] == w[1]) {
                    return Err(format!("key `{}` is one repeated byte", k.id()));
                }
            }
        }
    }
    Ok(())
}
