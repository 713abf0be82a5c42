//! Vendor vectors (bitfield or range encoded) and the optional segments: disclosed vendors,
//! allowed vendors, publisher TC.

use super::bits::{BitReader, BitWriter};
use super::core::{read_flags, write_flags};
use super::{Flags, IdSet, TcfError, VectorEncoding, VendorVector};

/// Read `NumEntries` range entries (`IsARange`, start, optional end) into `ids`. With `max`
/// (a vendor vector's `MaxVendorId`), an entry naming a higher id is refused: the string
/// contradicts itself, and o2o fails closed rather than guess which part is right.
pub(crate) fn read_ranges(
    r: &mut BitReader<'_>,
    ids: &mut IdSet,
    field: &'static str,
    max: Option<u16>,
) -> Result<(), TcfError> {
    let n = r.u16(12, field)?;
    for _ in 0..n {
        let bit = r.pos();
        let is_range = r.bool(field)?;
        let start = r.u16(16, field)?;
        let end = if is_range { r.u16(16, field)? } else { start };
        if start == 0 {
            return Err(TcfError::ZeroVendorId {
                segment: r.segment(),
                field,
                bit,
            });
        }
        if end < start {
            return Err(TcfError::BadRange {
                segment: r.segment(),
                field,
                bit,
                start,
                end,
            });
        }
        if let Some(max) = max.filter(|&m| end > m) {
            return Err(TcfError::VendorAboveMax {
                segment: r.segment(),
                field,
                bit,
                id: end,
                max,
            });
        }
        ids.insert_range(start, end);
    }
    Ok(())
}

/// Write `ids` as range entries (maximal runs), preceded by their count.
pub(crate) fn write_ranges(w: &mut BitWriter, ids: &IdSet) {
    let runs = ids.runs();
    // At most 4095 entries fit the 12-bit count; a set with more runs than that cannot be
    // range-encoded and is cut (callers use the bitfield for such sets).
    let runs = &runs[..runs.len().min(4095)];
    w.write(12, runs.len() as u64);
    for &(a, b) in runs {
        w.bool(a != b);
        w.write(16, u64::from(a));
        if a != b {
            w.write(16, u64::from(b));
        }
    }
}

/// Read a vendor vector: `MaxVendorId`, `IsRangeEncoding`, then a bitfield or range entries.
pub(crate) fn decode_vendor_vector(
    r: &mut BitReader<'_>,
    field: &'static str,
) -> Result<VendorVector, TcfError> {
    let max_id = r.u16(16, field)?;
    let is_range = r.bool(field)?;
    let mut ids = IdSet::new();
    if is_range {
        read_ranges(r, &mut ids, field, Some(max_id))?;
    } else {
        let total = usize::from(max_id);
        let mut done = 0;
        while done < total {
            let k = (total - done).min(64);
            let chunk = r.read(k, field)?;
            // Bit k-1-j of `chunk` is vendor done+1+j; reversing puts vendor done+1+j at bit j.
            ids.or_bits(done + 1, chunk.reverse_bits() >> (64 - k));
            done += k;
        }
    }
    Ok(VendorVector {
        max_id,
        encoding: if is_range {
            VectorEncoding::Range
        } else {
            VectorEncoding::Bitfield
        },
        ids,
    })
}

/// Write a vendor vector in its own encoding.
pub(crate) fn encode_vendor_vector(w: &mut BitWriter, v: &VendorVector) {
    w.write(16, u64::from(v.max_id));
    match v.encoding {
        VectorEncoding::Range => {
            w.bool(true);
            write_ranges(w, &v.ids);
        }
        VectorEncoding::Bitfield => {
            w.bool(false);
            for id in 1..=v.max_id {
                w.bool(v.ids.contains(id));
            }
        }
    }
}

/// Read a disclosed- or allowed-vendors segment body (after its segment type).
pub(crate) fn decode_vendors(
    r: &mut BitReader<'_>,
    field: &'static str,
) -> Result<VendorVector, TcfError> {
    decode_vendor_vector(r, field)
}

/// Encode a disclosed- (1) or allowed- (2) vendors segment.
pub(crate) fn encode_vendors(kind: u64, v: &VendorVector) -> String {
    let mut w = BitWriter::default();
    w.write(3, kind);
    encode_vendor_vector(&mut w, v);
    w.finish()
}

/// The publisher TC segment: the publisher's own purpose signals and custom purposes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct PublisherTc {
    /// `PubPurposesConsent` (24 bits).
    pub purpose_consents: Flags,
    /// `PubPurposesLITransparency` (24 bits).
    pub purpose_legitimate_interests: Flags,
    /// `NumCustomPurposes` (6 bits).
    pub num_custom_purposes: u8,
    /// `CustomPurposesConsent` (`NumCustomPurposes` bits).
    pub custom_purpose_consents: Flags,
    /// `CustomPurposesLITransparency` (`NumCustomPurposes` bits).
    pub custom_purpose_legitimate_interests: Flags,
}

impl PublisherTc {
    pub(crate) fn decode(r: &mut BitReader<'_>) -> Result<PublisherTc, TcfError> {
        let purpose_consents = read_flags(r, 24, "PubPurposesConsent")?;
        let purpose_legitimate_interests = read_flags(r, 24, "PubPurposesLITransparency")?;
        let n = r.u8(6, "NumCustomPurposes")?;
        Ok(PublisherTc {
            purpose_consents,
            purpose_legitimate_interests,
            num_custom_purposes: n,
            custom_purpose_consents: read_flags(r, usize::from(n), "CustomPurposesConsent")?,
            custom_purpose_legitimate_interests: read_flags(
                r,
                usize::from(n),
                "CustomPurposesLITransparency",
            )?,
        })
    }

    pub(crate) fn encode(&self) -> String {
        let mut w = BitWriter::default();
        w.write(3, 3);
        write_flags(&mut w, 24, self.purpose_consents);
        write_flags(&mut w, 24, self.purpose_legitimate_interests);
        let n = self.num_custom_purposes.min(63);
        w.write(6, u64::from(n));
        write_flags(&mut w, usize::from(n), self.custom_purpose_consents);
        write_flags(
            &mut w,
            usize::from(n),
            self.custom_purpose_legitimate_interests,
        );
        w.finish()
    }
}
