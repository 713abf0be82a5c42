//! Errors of the identity module.

use crate::hashing::NormalizeError;
use std::sync::Arc;

/// What went wrong in the identity graph. Every variant names what and where.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum IdentityError {
    /// A field of the rules is inconsistent.
    #[error("resolution rules: {field}: {reason}")]
    Rules {
        /// The field, as written in the rules file (`priority`, `limits.email`).
        field: String,
        /// Why it is refused.
        reason: String,
    },
    /// A pattern of `blocked_patterns` is not a regular expression.
    #[error("resolution rules: {field}: {source}")]
    Pattern {
        /// The field and the pattern (`blocked_patterns[2] `^0+$``).
        field: String,
        /// The regular-expression error.
        #[source]
        source: regex::Error,
    },
    /// A permit for another operation was presented where `link_identity` is needed.
    #[error("a permit for `{0}` cannot link identities (need `link_identity`)")]
    WrongPermit(String),
    /// The graph outgrew its 32-bit indexes (4 billion identifiers or bytes of values).
    #[error("identity graph capacity exceeded: {0}")]
    Capacity(&'static str),
    /// A snapshot is not JSON of the snapshot's shape; the message gives line and column.
    #[error("snapshot: {source}")]
    SnapshotJson {
        /// The JSON error (shared, so that the error stays `Clone`).
        #[source]
        source: Arc<serde_json::Error>,
    },
    /// A field of a snapshot or a stored resolution is inconsistent.
    #[error("snapshot: {field}: {reason}")]
    Snapshot {
        /// The field (`version`, `observations[3]`, `stored resolution`).
        field: String,
        /// Why it is refused.
        reason: String,
    },
    /// The graph holds keyed pseudonyms and the key to pseudonymise a raw identifier with was
    /// not given.
    #[error(
        "the graph holds identifiers as keyed pseudonyms under key `{key_id}`: give the key file \
         holding it (--hmac-key-file) to look up raw identifiers"
    )]
    KeyNeeded {
        /// The graph's key id.
        key_id: String,
    },
    /// An identifier could not be pseudonymised for a snapshot.
    #[error("snapshot: pseudonym: {source}")]
    Pseudonym {
        /// The normalisation error (names the kind, never the value).
        #[source]
        source: NormalizeError,
    },
    /// A profile id is not `p` followed by 16 hex digits.
    #[error("profile id `{input}`: expected `p` followed by 16 hex digits")]
    BadProfileId {
        /// What was given.
        input: String,
    },
    /// An identifier given as `kind:value` could not be parsed (the message never repeats the
    /// value).
    #[error(transparent)]
    BadIdentifier(#[from] crate::event::ParseIdentifierError),
}

impl IdentityError {
    pub(crate) fn rules(field: impl Into<String>, reason: impl Into<String>) -> Self {
        IdentityError::Rules {
            field: field.into(),
            reason: reason.into(),
        }
    }

    pub(crate) fn snapshot(field: impl Into<String>, reason: impl Into<String>) -> Self {
        IdentityError::Snapshot {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

impl From<serde_json::Error> for IdentityError {
    fn from(source: serde_json::Error) -> Self {
        IdentityError::SnapshotJson {
            source: Arc::new(source),
        }
    }
}
