//! Network identifiers: MAC addresses and IP addresses.

use super::NormalizeError;
use crate::event::IdKind;
use std::fmt::Write as _;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// MAC address in the canonical lowercase colon form `aa:bb:cc:dd:ee:ff`, from `AA-BB-…`,
/// `aa:bb:…`, Cisco `aabb.ccdd.eeff` or bare `AABBCCDDEEFF`.
pub(super) fn mac(v: &str, out: &mut String) -> Result<(), NormalizeError> {
    let err = |reason| Err(NormalizeError::invalid(IdKind::Mac, reason));
    let b = v.as_bytes();
    let mut hex = [0u8; 12];
    let mut n = 0;
    let sep = b.iter().copied().find(|c| !c.is_ascii_hexdigit());
    let group = match (sep, b.len()) {
        (None, 12) => 12,
        (Some(b':') | Some(b'-'), 17) => 2,
        (Some(b'.'), 14) => 4,
        _ => {
            return err(
                "expected 12 hex digits as aa:bb:cc:dd:ee:ff, AA-BB-CC-DD-EE-FF, aabb.ccdd.eeff or aabbccddeeff",
            );
        }
    };
    for (i, &c) in b.iter().enumerate() {
        // Separator positions: every `group` digits, i.e. at i = k·(group+1) − 1.
        if group < 12 && (i + 1) % (group + 1) == 0 {
            if Some(c) != sep {
                return err("mixed or misplaced separators");
            }
            continue;
        }
        if !c.is_ascii_hexdigit() || n >= 12 {
            return err("not a hex digit");
        }
        hex[n] = c.to_ascii_lowercase();
        n += 1;
    }
    if n != 12 {
        return err("expected 12 hex digits");
    }
    for (i, pair) in hex.chunks(2).enumerate() {
        if i > 0 {
            out.push(':');
        }
        for &c in pair {
            out.push(char::from(c));
        }
    }
    Ok(())
}

/// IP address in canonical text (IPv6 per RFC 5952); IPv4-mapped IPv6 becomes IPv4; brackets
/// around IPv6 are removed. With `truncate`, IPv4 keeps its /24 and IPv6 its /48 network.
pub(super) fn ip(v: &str, truncate: bool, out: &mut String) -> Result<(), NormalizeError> {
    let s = v
        .strip_prefix('[')
        .and_then(|s| s.strip_suffix(']'))
        .unwrap_or(v);
    let Ok(addr) = s.parse::<IpAddr>() else {
        return Err(NormalizeError::invalid(
            IdKind::Ip,
            "not an IPv4 or IPv6 address",
        ));
    };
    let addr = match addr.to_canonical() {
        IpAddr::V4(a) if truncate => {
            let o = a.octets();
            IpAddr::V4(Ipv4Addr::new(o[0], o[1], o[2], 0))
        }
        IpAddr::V6(a) if truncate => {
            let s = a.segments();
            IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], 0, 0, 0, 0, 0))
        }
        a => a,
    };
    // Writing to a String cannot fail.
    let _ = write!(out, "{addr}");
    Ok(())
}
