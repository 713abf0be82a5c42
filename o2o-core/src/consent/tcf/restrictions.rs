//! Publisher restrictions: a publisher narrowing, per purpose, the legal basis its vendors may
//! use (not allowed at all, consent only, legitimate interest only).

use super::bits::{BitReader, BitWriter};
use super::segments::{read_ranges, write_ranges};
use super::{IdSet, TcfError};

/// `RestrictionType` (2 bits).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RestrictionType {
    /// 0: the purpose is not allowed for these vendors.
    NotAllowed,
    /// 1: these vendors need consent for the purpose (legitimate interest is not enough).
    RequireConsent,
    /// 2: these vendors may only use legitimate interest for the purpose.
    RequireLegitimateInterest,
    /// 3: reserved by the specification; o2o treats it as not allowed (fail closed).
    Undefined,
}

impl RestrictionType {
    /// The 2-bit value in the string.
    #[must_use]
    pub fn as_u8(self) -> u8 {
        match self {
            RestrictionType::NotAllowed => 0,
            RestrictionType::RequireConsent => 1,
            RestrictionType::RequireLegitimateInterest => 2,
            RestrictionType::Undefined => 3,
        }
    }

    /// From the 2-bit value (values above 3 are cut to their low 2 bits).
    #[must_use]
    pub fn from_u8(v: u8) -> Self {
        match v & 3 {
            0 => RestrictionType::NotAllowed,
            1 => RestrictionType::RequireConsent,
            2 => RestrictionType::RequireLegitimateInterest,
            _ => RestrictionType::Undefined,
        }
    }
}

/// One publisher restriction: `purpose` under `restriction_type` for `vendors`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PublisherRestriction {
    /// `PurposeId` (6 bits).
    pub purpose: u8,
    /// `RestrictionType` (2 bits).
    pub restriction_type: RestrictionType,
    /// The vendors restricted.
    pub vendors: IdSet,
}

/// Read `NumPubRestrictions` and the restrictions. Repeated (purpose, type) pairs are merged
/// and restrictions with no vendor are dropped (they restrict nothing), as @iabtcf/core does.
pub(crate) fn decode(r: &mut BitReader<'_>) -> Result<Vec<PublisherRestriction>, TcfError> {
    let n = r.u16(12, "NumPubRestrictions")?;
    let mut out: Vec<PublisherRestriction> = Vec::new();
    for _ in 0..n {
        let purpose = r.u8(6, "PurposeId")?;
        let restriction_type = RestrictionType::from_u8(r.u8(2, "RestrictionType")?);
        let mut vendors = IdSet::new();
        read_ranges(r, &mut vendors, "PubRestrictionEntry", None)?;
        match out
            .iter_mut()
            .find(|p| p.purpose == purpose && p.restriction_type == restriction_type)
        {
            Some(p) => {
                for v in vendors.iter() {
                    p.vendors.insert(v);
                }
            }
            None => out.push(PublisherRestriction {
                purpose,
                restriction_type,
                vendors,
            }),
        }
    }
    out.retain(|p| !p.vendors.is_empty());
    Ok(out)
}

/// Write the restrictions (count, then each with its vendors as maximal runs).
pub(crate) fn encode(w: &mut BitWriter, rs: &[PublisherRestriction]) {
    let rs = &rs[..rs.len().min(4095)];
    w.write(12, rs.len() as u64);
    for p in rs {
        w.write(6, u64::from(p.purpose));
        w.write(2, u64::from(p.restriction_type.as_u8()));
        write_ranges(w, &p.vendors);
    }
}
