//! Secret keys for keyed pseudonyms (HMAC-SHA256 of identifiers) and voucher signatures.
//!
//! Keys carry an id so that codes and pseudonyms made under an old key can still be checked
//! after rotation (the id travels with the output, the secret never does). The secret bytes are
//! zeroized when the key is dropped and never printed by `Debug`.
//!
//! Key file format (`--hmac-key-file`, `--key-file`): one line `KEY_ID:HEX_SECRET`, e.g.
//! `k2026a:8f3c…` with at least 16 bytes (32 hex digits) of secret; 32 bytes are recommended.
//! Blank lines and lines starting with `#` are ignored; several lines make a key ring whose first
//! key is the one used to sign or pseudonymise and all of which are accepted to verify.

use std::fmt;
use zeroize::Zeroizing;

/// The shortest secret accepted, in bytes (128 bits).
pub const MIN_SECRET_LEN: usize = 16;

/// A key that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// The key id is empty or has characters other than `[A-Za-z0-9_.-]`, or is longer than 32.
    #[error("line {line}: key id `{id}` must be 1 to 32 characters of A-Z a-z 0-9 _ . -")]
    BadId {
        /// Line in the key file (1 when not from a file).
        line: usize,
        /// The id given.
        id: String,
    },
    /// The secret is not hex.
    #[error("line {line}: secret is not hexadecimal (character {position})")]
    NotHex {
        /// Line in the key file.
        line: usize,
        /// 1-based character position in the secret.
        position: usize,
    },
    /// The secret is too short.
    #[error("line {line}: secret has {len} bytes, at least {MIN_SECRET_LEN} are needed")]
    TooShort {
        /// Line in the key file.
        line: usize,
        /// Its length in bytes.
        len: usize,
    },
    /// A line is not `KEY_ID:HEX_SECRET`.
    #[error("line {line}: expected KEY_ID:HEX_SECRET")]
    Format {
        /// Line in the key file.
        line: usize,
    },
    /// The key file has no key.
    #[error("no key in key file")]
    Empty,
}

/// A secret key with its id. Zeroized on drop; `Debug` shows only the id.
#[derive(Clone)]
pub struct SecretKey {
    id: String,
    secret: Zeroizing<Vec<u8>>,
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecretKey")
            .field("id", &self.id)
            .field("secret", &"<redacted>")
            .finish()
    }
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 32
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

impl SecretKey {
    /// A key from raw secret bytes.
    ///
    /// ```
    /// use o2o_core::keys::SecretKey;
    /// let k = SecretKey::new("k1", vec![7u8; 32]).unwrap();
    /// assert_eq!(k.id(), "k1");
    /// assert!(!format!("{k:?}").contains('7'));
    /// ```
    pub fn new(id: impl Into<String>, secret: Vec<u8>) -> Result<Self, KeyError> {
        let id = id.into();
        let secret = Zeroizing::new(secret);
        if !valid_id(&id) {
            return Err(KeyError::BadId { line: 1, id });
        }
        if secret.len() < MIN_SECRET_LEN {
            return Err(KeyError::TooShort {
                line: 1,
                len: secret.len(),
            });
        }
        Ok(SecretKey { id, secret })
    }

    /// The key id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The secret bytes. Keep borrows short; never log them.
    pub fn secret(&self) -> &[u8] {
        &self.secret
    }

    /// Parse one `KEY_ID:HEX_SECRET` line.
    pub fn parse_line(text: &str, line: usize) -> Result<Self, KeyError> {
        let (id, hex) = text
            .trim()
            .split_once(':')
            .ok_or(KeyError::Format { line })?;
        let (id, hex) = (id.trim(), hex.trim());
        if !valid_id(id) {
            return Err(KeyError::BadId {
                line,
                id: id.to_owned(),
            });
        }
        let bytes = hex.as_bytes();
        if bytes.len() % 2 != 0 {
            return Err(KeyError::NotHex {
                line,
                position: bytes.len(),
            });
        }
        let mut secret = Zeroizing::new(Vec::with_capacity(bytes.len() / 2));
        for (i, pair) in bytes.chunks(2).enumerate() {
            let nib = |b: u8, pos: usize| {
                (b as char).to_digit(16).ok_or(KeyError::NotHex {
                    line,
                    position: pos,
                })
            };
            let hi = nib(pair[0], 2 * i + 1)?;
            let lo = nib(pair[1], 2 * i + 2)?;
            // Two hex digits make one byte: hi, lo < 16, so hi * 16 + lo < 256.
            secret.push((hi * 16 + lo) as u8);
        }
        if secret.len() < MIN_SECRET_LEN {
            return Err(KeyError::TooShort {
                line,
                len: secret.len(),
            });
        }
        Ok(SecretKey {
            id: id.to_owned(),
            secret,
        })
    }
}

/// Keys in order of preference: the first signs, all verify.
#[derive(Clone, Debug)]
pub struct KeyRing {
    keys: Vec<SecretKey>,
}

impl KeyRing {
    /// A ring of one key.
    pub fn single(key: SecretKey) -> Self {
        KeyRing { keys: vec![key] }
    }

    /// Parse a key file (see the module docs).
    ///
    /// ```
    /// use o2o_core::keys::KeyRing;
    /// let ring = KeyRing::parse("# current\nk2:00112233445566778899aabbccddeeff\nk1:ffeeddccbbaa99887766554433221100\n").unwrap();
    /// assert_eq!(ring.current().id(), "k2");
    /// assert!(ring.get("k1").is_some());
    /// ```
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        let mut keys = Vec::new();
        for (i, l) in text.lines().enumerate() {
            let t = l.trim();
            if t.is_empty() || t.starts_with('#') {
                continue;
            }
            keys.push(SecretKey::parse_line(t, i + 1)?);
        }
        if keys.is_empty() {
            return Err(KeyError::Empty);
        }
        Ok(KeyRing { keys })
    }

    /// The key used to sign or pseudonymise.
    pub fn current(&self) -> &SecretKey {
        // Invariant: constructors never build an empty ring.
        &self.keys[0]
    }

    /// The key with this id, if in the ring.
    pub fn get(&self, id: &str) -> Option<&SecretKey> {
        self.keys.iter().find(|k| k.id == id)
    }

    /// Every key, current first.
    pub fn keys(&self) -> &[SecretKey] {
        &self.keys
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_file_errors_name_the_line() {
        assert_eq!(KeyRing::parse("\n# c\n").unwrap_err(), KeyError::Empty);
        assert_eq!(
            KeyRing::parse("nocolon").unwrap_err(),
            KeyError::Format { line: 1 }
        );
        assert_eq!(
            KeyRing::parse("\nk:00112233445566778899aabbccddeeZZ").unwrap_err(),
            KeyError::NotHex {
                line: 2,
                position: 31
            }
        );
        assert_eq!(
            KeyRing::parse("k:0011").unwrap_err(),
            KeyError::TooShort { line: 1, len: 2 }
        );
        assert!(matches!(
            KeyRing::parse("bad id:00").unwrap_err(),
            KeyError::BadId { line: 1, .. }
        ));
    }

    #[test]
    fn secret_round_trips_from_hex() {
        let k = SecretKey::parse_line("a:000102030405060708090a0b0c0d0e0f", 1).unwrap();
        assert_eq!(k.secret(), (0u8..16).collect::<Vec<_>>().as_slice());
    }
}
