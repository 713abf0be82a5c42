//! IAB TCF v2.2 TC strings: decode every field of the core segment and of the optional
//! disclosed-vendors, allowed-vendors and publisher-TC segments, and encode them back.
//!
//! Follows the IAB Tech Lab "Transparency and Consent String with Global Vendor List Format"
//! v2.2 specification. A TC string is one to four base64url (no padding) segments joined by `.`;
//! the core segment comes first and starts with the 6-bit version (2). Every other segment
//! starts with a 3-bit segment type: 1 disclosed vendors, 2 allowed vendors, 3 publisher TC.
//!
//! Anything malformed is a [`TcfError`] that says what and at which bit; no input panics.
//! Version 1 strings (TCF v1.1, retired in 2020) are refused with [`TcfError::BadVersion`].
//!
//! ```
//! use o2o_core::consent::tcf::TcString;
//! let tc = TcString::decode("COrVd1pOrVd1pACABCENAHCAAAAAAAAAAAiQAAAAAAAA").unwrap();
//! assert_eq!(tc.core.version, 2);
//! assert_eq!(tc.core.cmp_id, 2);
//! assert_eq!(tc.core.publisher_country_code, "ES");
//! assert!(TcString::decode("COrVd1pOrVd1pAC").is_err()); // truncated: error, never a panic
//! ```

mod bits;
mod core;
mod ids;
mod json;
mod restrictions;
mod segments;
#[cfg(test)]
mod tests;

pub use self::core::CoreSegment;
pub use ids::{Flags, IdSet};
pub use json::{RestrictionJson, TcModelJson};
pub use restrictions::{PublisherRestriction, RestrictionType};
pub use segments::PublisherTc;

/// The `TcfPolicyVersion` values of the Global Vendor Lists IAB Europe has published: 2 (TCF
/// v2.0 and v2.1, GVL v2), 4 (TCF v2.2, GVL v3, 2023) and 5 (TCF v2.3, 2025). The specification
/// defines the field as "from the corresponding field in the GVL" and says a new policy version
/// invalidates existing strings, so any other value (0, 1, 3, 6 and up) is refused: o2o cannot
/// know what a string under an unknown policy allows, and fails closed. The values are those of
/// the strings @iabtcf/core encodes in `tests/fixtures/tcf` and of the IAB's own decoder tests.
/// Add a version here when IAB Europe publishes one.
pub const POLICY_VERSIONS: [u8; 3] = [2, 4, 5];

/// Why a TC string could not be decoded. Segments are numbered from 0 (the core segment),
/// bit offsets from 0 at the start of that segment, character positions from 0 in the string.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TcfError {
    /// The string is empty.
    #[error("empty TC string")]
    Empty,
    /// A segment between dots is empty.
    #[error("segment {segment} is empty")]
    EmptySegment {
        /// Segment index.
        segment: usize,
    },
    /// A character outside the base64url alphabet.
    #[error("segment {segment}: `{character}` at character {position} is not base64url")]
    BadBase64 {
        /// Segment index.
        segment: usize,
        /// Character position in the whole string.
        position: usize,
        /// The offending character.
        character: char,
    },
    /// The segment ends inside a field.
    #[error(
        "segment {segment}: truncated in {field} at bit {bit} ({needed} bits needed, {available} left)"
    )]
    Truncated {
        /// Segment index.
        segment: usize,
        /// The field being read.
        field: &'static str,
        /// Bit offset where the field starts.
        bit: usize,
        /// Bits the field needs.
        needed: usize,
        /// Bits left in the segment.
        available: usize,
    },
    /// The core segment's version is not 2.
    #[error("TC string version {found} is not supported (only TCF v2, version 2)")]
    BadVersion {
        /// The version found.
        found: u8,
    },
    /// `TcfPolicyVersion` is not a policy version IAB Europe has published (see
    /// [`POLICY_VERSIONS`]): what such a string allows cannot be known, so it allows nothing.
    #[error(
        "TcfPolicyVersion {found} at bit 132 is not a published TCF policy version (2, 4 or 5)"
    )]
    BadPolicyVersion {
        /// The version found.
        found: u8,
    },
    /// A vendor range entry names an id above the vector's `MaxVendorId`.
    #[error("segment {segment}: {field} at bit {bit} has vendor id {id} above MaxVendorId {max}")]
    VendorAboveMax {
        /// Segment index.
        segment: usize,
        /// The field.
        field: &'static str,
        /// Bit offset of the entry.
        bit: usize,
        /// The largest id in the entry.
        id: u16,
        /// The vector's `MaxVendorId`.
        max: u16,
    },
    /// The first segment is not a core segment, or a later one has an unknown type.
    #[error("segment {segment}: segment type {found} is not valid here")]
    BadSegmentType {
        /// Segment index.
        segment: usize,
        /// The 3-bit type found.
        found: u8,
    },
    /// The same optional segment occurs twice.
    #[error("segment {segment}: a second {kind} segment")]
    DuplicateSegment {
        /// Segment index.
        segment: usize,
        /// Which segment kind.
        kind: &'static str,
    },
    /// A letter field (language, country) holds a value outside A–Z.
    #[error("segment {segment}: {field} at bit {bit} has letter value {value}, not A-Z")]
    BadLetter {
        /// Segment index.
        segment: usize,
        /// The field.
        field: &'static str,
        /// Bit offset of the letter.
        bit: usize,
        /// The 6-bit value (0 = A).
        value: u8,
    },
    /// A vendor id of 0 (ids start at 1).
    #[error("segment {segment}: {field} at bit {bit} has vendor id 0")]
    ZeroVendorId {
        /// Segment index.
        segment: usize,
        /// The field.
        field: &'static str,
        /// Bit offset of the id.
        bit: usize,
    },
    /// A range entry that ends before it starts.
    #[error(
        "segment {segment}: {field} at bit {bit} has range {start}-{end} that ends before it starts"
    )]
    BadRange {
        /// Segment index.
        segment: usize,
        /// The field.
        field: &'static str,
        /// Bit offset of the entry.
        bit: usize,
        /// First id.
        start: u16,
        /// Last id.
        end: u16,
    },
}

/// How a vendor vector was (or will be) written: one bit per vendor, or a list of id ranges.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum VectorEncoding {
    /// `MaxVendorId` bits, bit `i - 1` for vendor `i`.
    #[default]
    Bitfield,
    /// `NumEntries` single ids or `start..=end` ranges.
    Range,
}

/// A vendor vector: vendor consents, vendor legitimate interests, disclosed or allowed vendors.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct VendorVector {
    /// `MaxVendorId` as written in the string.
    pub max_id: u16,
    /// The encoding used.
    pub encoding: VectorEncoding,
    /// The vendor ids set.
    pub ids: IdSet,
}

impl VendorVector {
    /// A vector of `ids` with `max_id` their maximum and the shorter of the two encodings
    /// (bitfield on a tie), as a CMP would write it.
    ///
    /// ```
    /// use o2o_core::consent::tcf::{VectorEncoding, VendorVector};
    /// assert_eq!(VendorVector::from_ids([1, 2, 3]).encoding, VectorEncoding::Bitfield);
    /// assert_eq!(VendorVector::from_ids([5, 900]).encoding, VectorEncoding::Range);
    /// ```
    pub fn from_ids(ids: impl IntoIterator<Item = u16>) -> Self {
        let ids = IdSet::from_ids(ids);
        let max_id = ids.max().unwrap_or(0);
        let range_bits: usize = 12
            + ids
                .runs()
                .iter()
                .map(|(a, b)| if a == b { 17 } else { 33 })
                .sum::<usize>();
        let encoding = if range_bits < usize::from(max_id) {
            VectorEncoding::Range
        } else {
            VectorEncoding::Bitfield
        };
        VendorVector {
            max_id,
            encoding,
            ids,
        }
    }

    /// Whether vendor `id` is set.
    #[inline]
    #[must_use]
    pub fn contains(&self, id: u16) -> bool {
        self.ids.contains(id)
    }
}

/// A decoded TC string: the core segment and whichever optional segments were present.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TcString {
    /// The core segment (always present).
    pub core: CoreSegment,
    /// The disclosed-vendors segment (type 1): vendors the CMP disclosed to the user.
    pub disclosed_vendors: Option<VendorVector>,
    /// The allowed-vendors segment (type 2, deprecated in v2.2 but still decoded).
    pub allowed_vendors: Option<VendorVector>,
    /// The publisher TC segment (type 3): the publisher's own purposes and custom purposes.
    pub publisher_tc: Option<PublisherTc>,
}

impl TcString {
    /// Decode a TC string. Whitespace is not trimmed: the caller hands in the exact string.
    pub fn decode(s: &str) -> Result<TcString, TcfError> {
        if s.is_empty() {
            return Err(TcfError::Empty);
        }
        let mut buf = Vec::with_capacity(s.len() * 3 / 4 + 3);
        let mut out = TcString::default();
        let mut offset = 0;
        for (i, seg) in s.split('.').enumerate() {
            let len = bits::decode_segment(seg, i, offset, &mut buf)?;
            offset += seg.len() + 1;
            let mut r = bits::BitReader::new(&buf, len, i);
            if i == 0 {
                out.core = CoreSegment::decode(&mut r)?;
                continue;
            }
            let kind = r.u8(3, "SegmentType")?;
            match kind {
                1 => {
                    let v = segments::decode_vendors(&mut r, "DisclosedVendors")?;
                    put(&mut out.disclosed_vendors, v, i, "disclosed vendors")?;
                }
                2 => {
                    let v = segments::decode_vendors(&mut r, "AllowedVendors")?;
                    put(&mut out.allowed_vendors, v, i, "allowed vendors")?;
                }
                3 => {
                    let p = PublisherTc::decode(&mut r)?;
                    put(&mut out.publisher_tc, p, i, "publisher TC")?;
                }
                found => return Err(TcfError::BadSegmentType { segment: i, found }),
            }
        }
        Ok(out)
    }

    /// Encode as a TC string: the core segment, then disclosed vendors, allowed vendors and
    /// publisher TC when present. Each segment is padded with zero bits to whole base64 quads.
    /// Fields wider than their bit width are truncated to it (a model from [`decode`] always
    /// fits).
    ///
    /// [`decode`]: TcString::decode
    #[must_use]
    pub fn encode(&self) -> String {
        let mut out = self.core.encode();
        if let Some(v) = &self.disclosed_vendors {
            out.push('.');
            out.push_str(&segments::encode_vendors(1, v));
        }
        if let Some(v) = &self.allowed_vendors {
            out.push('.');
            out.push_str(&segments::encode_vendors(2, v));
        }
        if let Some(p) = &self.publisher_tc {
            out.push('.');
            out.push_str(&p.encode());
        }
        out
    }

    /// The model in @iabtcf/core's TCModel field names (what `o2o consent decode` prints).
    #[must_use]
    pub fn to_json(&self) -> TcModelJson {
        TcModelJson::from(self)
    }
}

/// Decode `s` (shorthand for [`TcString::decode`]).
pub fn decode(s: &str) -> Result<TcString, TcfError> {
    TcString::decode(s)
}

fn put<T>(slot: &mut Option<T>, v: T, segment: usize, kind: &'static str) -> Result<(), TcfError> {
    if slot.is_some() {
        return Err(TcfError::DuplicateSegment { segment, kind });
    }
    *slot = Some(v);
    Ok(())
}
