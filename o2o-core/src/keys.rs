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
//!
//! What is refused, and why:
//! - a secret with fewer than [`MIN_DISTINCT_BYTES`] distinct byte values: that is a placeholder
//!   (16 zero bytes, one byte repeated, `deadbeef` repeated), not a random secret. A random
//!   16-byte secret has so few distinct values with probability 6·10⁻¹³, so no real key is ever
//!   refused. The check cannot tell a random secret from a merely unpredictable-looking one
//!   (`000102…0f` passes): generate secrets with a CSPRNG (`head -c 32 /dev/urandom | xxd -p -c 64`);
//! - one key id twice with different secrets: which one signs or verifies would depend on the
//!   line order, and a code signed under one would fail under the other (the same line twice is
//!   harmless and kept once).
//!
//! Key files are secrets: [`KeyRing::load`] reads one and reports when its permissions let the
//! group or others in (as ssh does for private keys), refusing it under
//! [`Permissions::Strict`].

#[cfg(feature = "fuzzing")]
pub mod fuzzing;

use std::fmt;
use std::path::Path;
use zeroize::Zeroizing;

/// The shortest secret accepted, in bytes (128 bits).
pub const MIN_SECRET_LEN: usize = 16;

/// The fewest distinct byte values a secret must have (see the module docs).
pub const MIN_DISTINCT_BYTES: usize = 8;

/// A key that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The key id is empty or has characters other than `[A-Za-z0-9_.-]`, or is longer than 32.
    #[error("line {line}: key id `{id}` must be 1 to 32 characters of A-Z a-z 0-9 _ . -")]
    BadId {
        /// Line in the key file (1 when not from a file).
        line: usize,
        /// The id given, or only its length when it could be a secret (a long hex run).
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
    /// The secret has too few distinct byte values to be random: a placeholder.
    #[error(
        "line {line}: secret has only {distinct} distinct byte values, at least {MIN_DISTINCT_BYTES} \
         are needed: it looks like a placeholder, not a random secret (generate one with \
         `head -c 32 /dev/urandom | xxd -p -c 64`)"
    )]
    LowEntropy {
        /// Line in the key file.
        line: usize,
        /// Its number of distinct byte values.
        distinct: usize,
    },
    /// A key id is given twice with different secrets.
    #[error("line {line}: key id `{id}` is already given on line {first} with another secret")]
    DuplicateId {
        /// Line of the second occurrence.
        line: usize,
        /// The id.
        id: String,
        /// Line of the first occurrence.
        first: usize,
    },
    /// The key file has no key.
    #[error("no key in key file")]
    Empty,
}

/// A key file that cannot be used: unreadable, exposed (under [`Permissions::Strict`]) or
/// malformed. Messages start with the file's path.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyFileError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// Group or others may read or write the file, and strict permissions were asked for.
    #[error("{path}: {exposure}; refusing a key file that others can access (chmod 600 it)")]
    Exposed {
        /// The file.
        path: String,
        /// Who has access.
        exposure: Exposure,
    },
    /// The file's content is not a key ring.
    #[error("{path}: {source}")]
    Key {
        /// The file.
        path: String,
        /// What is wrong, with the line.
        #[source]
        source: KeyError,
    },
}

/// How [`KeyRing::load`] treats a key file that the group or others may access.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Permissions {
    /// Use it, and return an [`Exposure`] for the caller to warn about (the default).
    #[default]
    Warn,
    /// Refuse it ([`KeyFileError::Exposed`]), as ssh refuses an exposed private key.
    Strict,
}

/// Who besides the owner may access a key file: the permission bits of the group and others.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Exposure {
    /// The file's permission bits (`0o644`…).
    pub mode: u32,
}

impl fmt::Display for Exposure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let who = match (self.mode & 0o070 != 0, self.mode & 0o007 != 0) {
            (true, true) => "its group and others",
            (true, false) => "its group",
            _ => "others",
        };
        let what = match (self.mode & 0o044 != 0, self.mode & 0o022 != 0) {
            (true, true) => "read and write",
            (false, true) => "write",
            _ => "read",
        };
        write!(
            f,
            "key file mode {:04o} lets {who} {what} it",
            self.mode & 0o7777
        )
    }
}

/// The exposure of a file's permissions, `None` when only its owner has access (or on a
/// platform without Unix permissions).
#[must_use]
pub fn exposure(meta: &std::fs::Metadata) -> Option<Exposure> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = meta.permissions().mode();
        (mode & 0o077 != 0).then_some(Exposure {
            mode: mode & 0o7777,
        })
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        None
    }
}

/// A key ring read from a file, and the file's exposure when others may access it (to warn
/// about: see [`KeyRing::load`]).
#[derive(Debug)]
pub struct LoadedRing {
    /// The keys.
    pub ring: KeyRing,
    /// Set when the group or others may read or write the file.
    pub exposure: Option<Exposure>,
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

/// A key id as errors show it: as given, unless it could be a secret, which is what a line
/// written the wrong way round (`HEX_SECRET:KEY_ID`) puts there, or a pasted line without its
/// id. Then only its length is shown.
fn shown_id(id: &str) -> String {
    let longest_hex_run = id
        .split(|c: char| !c.is_ascii_hexdigit())
        .map(str::len)
        .max()
        .unwrap_or(0);
    if longest_hex_run >= 16 || id.chars().count() > 32 {
        format!("<{} characters, not shown>", id.chars().count())
    } else {
        id.to_owned()
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
    /// The secret must be at least [`MIN_SECRET_LEN`] bytes with [`MIN_DISTINCT_BYTES`]
    /// distinct values (a random secret always is).
    ///
    /// ```
    /// use o2o_core::keys::{KeyError, SecretKey};
    /// let k = SecretKey::new("k1", (1..=32).collect()).unwrap();
    /// assert_eq!(k.id(), "k1");
    /// assert!(!format!("{k:?}").contains("17"));
    /// assert!(matches!(SecretKey::new("k1", vec![7u8; 32]), Err(KeyError::LowEntropy { .. })));
    /// ```
    pub fn new(id: impl Into<String>, secret: Vec<u8>) -> Result<Self, KeyError> {
        let id = id.into();
        let secret = Zeroizing::new(secret);
        if !valid_id(&id) {
            return Err(KeyError::BadId {
                line: 1,
                id: shown_id(&id),
            });
        }
        check_secret(&secret, 1)?;
        Ok(SecretKey { id, secret })
    }

    /// A key without the length and entropy checks, for tests that replay codes made under
    /// an old placeholder key.
    #[cfg(test)]
    pub(crate) fn unchecked(id: &str, secret: Vec<u8>) -> Self {
        SecretKey {
            id: id.to_owned(),
            secret: Zeroizing::new(secret),
        }
    }

    /// The key id.
    #[must_use]
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The secret bytes. Keep borrows short; never log them.
    #[must_use]
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
                id: shown_id(id),
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
        check_secret(&secret, line)?;
        Ok(SecretKey {
            id: id.to_owned(),
            secret,
        })
    }
}

/// Length and entropy checks of a secret (see the module docs).
fn check_secret(secret: &[u8], line: usize) -> Result<(), KeyError> {
    if secret.len() < MIN_SECRET_LEN {
        return Err(KeyError::TooShort {
            line,
            len: secret.len(),
        });
    }
    let mut seen = [false; 256];
    for &b in secret {
        seen[usize::from(b)] = true;
    }
    let distinct = seen.iter().filter(|&&s| s).count();
    if distinct < MIN_DISTINCT_BYTES {
        return Err(KeyError::LowEntropy { line, distinct });
    }
    Ok(())
}

/// Keys in order of preference: the first signs, all verify.
#[derive(Clone, Debug)]
pub struct KeyRing {
    keys: Vec<SecretKey>,
}

impl KeyRing {
    /// A ring of one key.
    #[must_use]
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
    ///
    /// A key id given twice with different secrets is refused ([`KeyError::DuplicateId`]); the
    /// same line twice is kept once.
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        let mut keys: Vec<SecretKey> = Vec::new();
        let mut lines: Vec<usize> = Vec::new();
        for (i, l) in text.lines().enumerate() {
            let t = l.trim();
            if t.is_empty() || t.starts_with('#') {
                continue;
            }
            let key = SecretKey::parse_line(t, i + 1)?;
            if let Some(j) = keys.iter().position(|k| k.id == key.id) {
                // Comparing two secrets of the same file: no attacker observes the timing.
                if keys[j].secret() != key.secret() {
                    return Err(KeyError::DuplicateId {
                        line: i + 1,
                        id: shown_id(&key.id),
                        first: lines[j],
                    });
                }
                continue;
            }
            keys.push(key);
            lines.push(i + 1);
        }
        if keys.is_empty() {
            return Err(KeyError::Empty);
        }
        Ok(KeyRing { keys })
    }

    /// Read a key file, checking its permissions first: when the group or others may access
    /// it, [`Permissions::Warn`] returns the ring with the [`Exposure`] (the CLI prints a
    /// warning) and [`Permissions::Strict`] refuses it. The text read is zeroized after parsing.
    pub fn load(path: &Path, permissions: Permissions) -> Result<LoadedRing, KeyFileError> {
        let shown = || path.display().to_string();
        let io = |source| KeyFileError::Io {
            path: shown(),
            source,
        };
        let exposure = exposure(&std::fs::metadata(path).map_err(io)?);
        if let (Some(exposure), Permissions::Strict) = (exposure, permissions) {
            return Err(KeyFileError::Exposed {
                path: shown(),
                exposure,
            });
        }
        let text = Zeroizing::new(std::fs::read_to_string(path).map_err(io)?);
        let ring = KeyRing::parse(&text).map_err(|source| KeyFileError::Key {
            path: shown(),
            source,
        })?;
        Ok(LoadedRing { ring, exposure })
    }

    /// The key used to sign or pseudonymise.
    #[must_use]
    pub fn current(&self) -> &SecretKey {
        // Invariant: constructors never build an empty ring.
        &self.keys[0]
    }

    /// The key with this id, if in the ring.
    #[must_use]
    pub fn get(&self, id: &str) -> Option<&SecretKey> {
        self.keys.iter().find(|k| k.id == id)
    }

    /// Every key, current first.
    #[must_use]
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

    /// A line written the wrong way round puts the secret where the id goes: the error shows
    /// its length, never the hex; a short id is still shown as given.
    #[test]
    fn an_id_that_could_be_a_secret_is_not_echoed() {
        let secret = "00112233445566778899aabbccddeeff0011";
        for text in [format!("{secret}:k1"), format!("{secret}:{secret}")] {
            let msg = KeyRing::parse(&text).unwrap_err().to_string();
            assert!(!msg.contains("00112233"), "{msg}");
            assert!(msg.contains("<36 characters, not shown>"), "{msg}");
        }
        let id = "0123456789abcdef0123456789abcdef";
        let text = format!("{id}:{secret}\n{id}:{}\n", "1f2e3d4c5b6a7988".repeat(2));
        let msg = KeyRing::parse(&text).unwrap_err().to_string();
        assert!(!msg.contains(id) && msg.contains("already given"), "{msg}");
        let msg = KeyRing::parse("bad id:00").unwrap_err().to_string();
        assert!(msg.contains("`bad id`"), "{msg}");
    }

    #[test]
    fn placeholder_secrets_are_refused() {
        // 16 zero bytes, one repeated byte (the docs' old example), a repeated word.
        for (hex, distinct) in [
            ("00".repeat(16), 1),
            ("8f".repeat(32), 1),
            ("deadbeef".repeat(8), 4),
            ("0102030405060708".repeat(2) + &"01".repeat(16), 8),
        ] {
            let got = KeyRing::parse(&format!("k:{hex}"));
            if distinct < MIN_DISTINCT_BYTES {
                assert_eq!(
                    got.unwrap_err(),
                    KeyError::LowEntropy { line: 1, distinct },
                    "{hex}"
                );
            } else {
                assert!(got.is_ok(), "{hex}");
            }
        }
        assert!(matches!(
            SecretKey::new("k", vec![0; 32]),
            Err(KeyError::LowEntropy { distinct: 1, .. })
        ));
        let msg = KeyRing::parse(&("\nk:".to_owned() + &"00".repeat(16)))
            .unwrap_err()
            .to_string();
        assert!(
            msg.starts_with("line 2: secret has only 1 distinct"),
            "{msg}"
        );
    }

    #[test]
    fn one_id_with_two_secrets_is_refused() {
        let a = "k1:000102030405060708090a0b0c0d0e0f";
        let b = "k1:101112131415161718191a1b1c1d1e1f";
        assert_eq!(
            KeyRing::parse(&format!("{a}\n# rotated\n{b}\n")).unwrap_err(),
            KeyError::DuplicateId {
                line: 3,
                id: "k1".into(),
                first: 1
            }
        );
        // The same line twice is harmless: kept once.
        let ring = KeyRing::parse(&format!("{a}\n{a}\n")).unwrap();
        assert_eq!(ring.keys().len(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn exposed_key_files_warn_or_are_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("o2o-keys-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("keys.txt");
        std::fs::write(&path, "k1:000102030405060708090a0b0c0d0e0f\n").unwrap();
        let set = |mode| std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode));

        set(0o600).unwrap();
        for p in [Permissions::Warn, Permissions::Strict] {
            let loaded = KeyRing::load(&path, p).unwrap();
            assert_eq!(loaded.exposure, None);
            assert_eq!(loaded.ring.current().id(), "k1");
        }
        set(0o644).unwrap();
        let loaded = KeyRing::load(&path, Permissions::Warn).unwrap();
        assert_eq!(loaded.exposure, Some(Exposure { mode: 0o644 }));
        assert_eq!(
            loaded.exposure.unwrap().to_string(),
            "key file mode 0644 lets its group and others read it"
        );
        let err = KeyRing::load(&path, Permissions::Strict).unwrap_err();
        assert!(matches!(err, KeyFileError::Exposed { .. }), "{err}");
        assert!(err.to_string().contains("chmod 600"), "{err}");
        set(0o620).unwrap();
        assert_eq!(
            KeyRing::load(&path, Permissions::Warn)
                .unwrap()
                .exposure
                .unwrap()
                .to_string(),
            "key file mode 0620 lets its group write it"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn secret_round_trips_from_hex() {
        let k = SecretKey::parse_line("a:000102030405060708090a0b0c0d0e0f", 1).unwrap();
        assert_eq!(k.secret(), (0u8..16).collect::<Vec<_>>().as_slice());
    }
}
