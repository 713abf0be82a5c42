//! Errors of the identity module.

/// What went wrong in the identity graph. Every variant names what and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentityError {
    /// The rules are inconsistent; the message names the field.
    #[error("resolution rules: {0}")]
    Rules(String),
    /// A permit for another operation was presented where `link_identity` is needed.
    #[error("a permit for `{0}` cannot link identities (need `link_identity`)")]
    WrongPermit(String),
    /// The graph outgrew its 32-bit indexes (4 billion identifiers or bytes of values).
    #[error("identity graph capacity exceeded: {0}")]
    Capacity(&'static str),
    /// A snapshot could not be read.
    #[error("snapshot: {0}")]
    Snapshot(String),
    /// A profile id is not `p` followed by 16 hex digits.
    #[error("profile id `{input}`: expected `p` followed by 16 hex digits")]
    BadProfileId {
        /// What was given.
        input: String,
    },
    /// An identifier given as `kind:value` could not be parsed.
    #[error("identifier `{input}`: {reason}")]
    BadIdentifier {
        /// What was given.
        input: String,
        /// Why it is unusable.
        reason: String,
    },
}
