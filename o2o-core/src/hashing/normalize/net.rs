//! Network identifiers: MAC addresses and IP addresses.

use super::NormalizeError;
use crate::event::IdKind;
use std::fmt::Write as _;

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
///
/// Parsed and written here rather than with `std::net`: the standard library's generic address
/// parser and its padded `Display` cost the web tag about 3 KB, and a test checks that this
/// accepts exactly what `std::net::IpAddr` accepts and writes exactly what it writes.
pub(super) fn ip(v: &str, truncate: bool, out: &mut String) -> Result<(), NormalizeError> {
    let s = v
        .strip_prefix('[')
        .and_then(|s| s.strip_suffix(']'))
        .unwrap_or(v);
    let Some(addr) = parse_ip(s.as_bytes()) else {
        return Err(NormalizeError::invalid(
            IdKind::Ip,
            "not an IPv4 or IPv6 address",
        ));
    };
    match addr {
        Ip::V4(mut o) => {
            if truncate {
                o[3] = 0;
            }
            write_v4(o, out);
        }
        Ip::V6(mut g) => {
            if truncate {
                g[3..].fill(0);
            }
            write_v6(g, out);
        }
    }
    Ok(())
}

/// A parsed address, IPv4-mapped IPv6 already turned into IPv4 (`to_canonical`).
#[derive(Debug, PartialEq, Eq)]
enum Ip {
    V4([u8; 4]),
    V6([u16; 8]),
}

fn parse_ip(s: &[u8]) -> Option<Ip> {
    if let Some(o) = parse_v4(s) {
        return Some(Ip::V4(o));
    }
    let g = parse_v6(s)?;
    if g[..5] == [0; 5] && g[5] == 0xffff {
        let [a, b] = g[6].to_be_bytes();
        let [c, d] = g[7].to_be_bytes();
        return Some(Ip::V4([a, b, c, d]));
    }
    Some(Ip::V6(g))
}

/// Dotted-quad IPv4 as `std` reads it: four decimal parts of 1–3 digits, each at most 255,
/// without a leading zero (`01` could be read as octal elsewhere, so it is refused).
fn parse_v4(s: &[u8]) -> Option<[u8; 4]> {
    let mut out = [0u8; 4];
    let mut parts = s.split(|&c| c == b'.');
    for o in &mut out {
        let p = parts.next()?;
        if p.is_empty() || p.len() > 3 || (p.len() > 1 && p[0] == b'0') {
            return None;
        }
        let mut n = 0u16;
        for &c in p {
            if !c.is_ascii_digit() {
                return None;
            }
            n = n * 10 + u16::from(c - b'0');
        }
        *o = u8::try_from(n).ok()?;
    }
    parts.next().is_none().then_some(out)
}

/// IPv6 as `std` reads it: groups of 1–4 hex digits separated by `:`, at most one `::` standing
/// for one or more zero groups, and optionally a dotted IPv4 as the last 32 bits.
fn parse_v6(s: &[u8]) -> Option<[u16; 8]> {
    let (head, tail) = match find_double_colon(s) {
        Some(i) => (&s[..i], Some(&s[i + 2..])),
        None => (s, None),
    };
    let mut groups = [0u16; 8];
    let n_head = groups_of(head, &mut groups, tail.is_none())?;
    let Some(tail) = tail else {
        return (n_head == 8).then_some(groups);
    };
    if n_head > 7 {
        return None;
    }
    let mut rest = [0u16; 8];
    // `::` stands for at least one group.
    let n_tail = groups_of(tail, &mut rest[..7 - n_head], true)?;
    groups[8 - n_tail..].copy_from_slice(&rest[..n_tail]);
    Some(groups)
}

fn find_double_colon(s: &[u8]) -> Option<usize> {
    s.windows(2).position(|w| w == b"::")
}

/// Reads `part` (no `::` in it) as `:`-separated groups into `out`; an empty `part` is no
/// group. With `last`, the final group may be a dotted IPv4 (two groups). The group count.
fn groups_of(part: &[u8], out: &mut [u16], last: bool) -> Option<usize> {
    if part.is_empty() {
        return Some(0);
    }
    let mut n = 0;
    let mut pieces = part.split(|&c| c == b':').peekable();
    while let Some(p) = pieces.next() {
        if last && pieces.peek().is_none() && p.contains(&b'.') {
            let [a, b, c, d] = parse_v4(p)?;
            let slot = out.get_mut(n..n + 2)?;
            slot[0] = u16::from_be_bytes([a, b]);
            slot[1] = u16::from_be_bytes([c, d]);
            return Some(n + 2);
        }
        if p.is_empty() || p.len() > 4 {
            return None;
        }
        let mut g = 0u16;
        for &c in p {
            g = (g << 4) | u16::from(char::from(c).to_digit(16)? as u8);
        }
        *out.get_mut(n)? = g;
        n += 1;
    }
    Some(n)
}

fn write_v4(o: [u8; 4], out: &mut String) {
    for (i, b) in o.iter().enumerate() {
        if i > 0 {
            out.push('.');
        }
        // Writing to a String cannot fail.
        let _ = write!(out, "{b}");
    }
}

/// RFC 5952: lower-case hex without leading zeros, the longest run of two or more zero groups
/// (the first of equal runs) written as `::`.
fn write_v6(g: [u16; 8], out: &mut String) {
    let (mut best, mut best_len, mut i) = (0, 0, 0);
    while i < 8 {
        let start = i;
        while i < 8 && g[i] == 0 {
            i += 1;
        }
        if i - start > best_len {
            (best, best_len) = (start, i - start);
        }
        i += 1;
    }
    let hex = |out: &mut String, groups: &[u16]| {
        for (k, x) in groups.iter().enumerate() {
            if k > 0 {
                out.push(':');
            }
            let _ = write!(out, "{x:x}");
        }
    };
    if best_len < 2 {
        hex(out, &g);
    } else {
        hex(out, &g[..best]);
        out.push_str("::");
        hex(out, &g[best + best_len..]);
    }
}

#[cfg(test)]
mod tests {
    use super::ip;
    use proptest::prelude::*;
    use std::fmt::Write as _;
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

    /// The normalisation as it was written with `std::net`: the reference.
    fn ip_std(v: &str, truncate: bool) -> Option<String> {
        let s = v
            .strip_prefix('[')
            .and_then(|s| s.strip_suffix(']'))
            .unwrap_or(v);
        let addr = match s.parse::<IpAddr>().ok()?.to_canonical() {
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
        let mut out = String::new();
        write!(out, "{addr}").unwrap();
        Some(out)
    }

    fn ours(v: &str, truncate: bool) -> Option<String> {
        let mut out = String::new();
        ip(v, truncate, &mut out).ok().map(|()| out)
    }

    fn same(v: &str) -> Result<(), TestCaseError> {
        for t in [false, true] {
            prop_assert_eq!(ours(v, t), ip_std(v, t), "{:?} truncate={}", v, t);
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        /// Every address std writes, in every spelling std writes: the same text.
        #[test]
        fn addresses_read_and_write_as_std_does(g in any::<[u16; 8]>(), zeros in any::<u8>(), v4 in any::<[u8; 4]>()) {
            // Runs of zero groups, so that `::` compression is exercised.
            let mut g = g;
            for (i, x) in g.iter_mut().enumerate() {
                if zeros & (1 << i) != 0 {
                    *x = 0;
                }
            }
            let a6 = Ipv6Addr::from(g);
            same(&a6.to_string())?;
            same(&format!("[{a6}]"))?;
            same(&a6.segments().map(|x| format!("{x:04X}")).join(":"))?;
            same(&Ipv4Addr::from(v4).to_string())?;
            same(&Ipv4Addr::from(v4).to_ipv6_mapped().to_string())?;
            same(&format!("::ffff:{}", Ipv4Addr::from(v4)))?;
            same(&format!("1:2:3:4:5:6:{}", Ipv4Addr::from(v4)))?;
            same(&format!("::{}", Ipv4Addr::from(v4)))?;
        }

        /// Any text over the characters of addresses: accepted and refused exactly as std does.
        #[test]
        fn texts_are_accepted_exactly_as_std_accepts_them(s in "[0-9a-fA-F:.\\[\\]%g ]{0,24}") {
            same(&s)?;
        }

        /// Near misses of valid addresses (one character changed, added or removed).
        #[test]
        fn near_misses_are_judged_as_std_judges_them(g in any::<[u16; 8]>(), zeros in any::<u8>(), at in any::<prop::sample::Index>(), c in "[0-9a-f:.]") {
            let mut g = g;
            for (i, x) in g.iter_mut().enumerate() {
                if zeros & (1 << i) != 0 {
                    *x = 0;
                }
            }
            let text = Ipv6Addr::from(g).to_string();
            let i = at.index(text.len() + 1);
            let mut inserted = text.clone();
            inserted.insert_str(i, &c);
            same(&inserted)?;
            if i < text.len() {
                let mut removed = text.clone();
                removed.remove(i);
                same(&removed)?;
                let mut replaced = text.clone();
                replaced.replace_range(i..=i, &c);
                same(&replaced)?;
            }
        }
    }

    #[test]
    fn edge_cases_agree_with_std() {
        for v in [
            "",
            "::",
            "::1",
            "1::",
            ":",
            ":::",
            "1:2:3:4:5:6:7:8",
            "1:2:3:4:5:6:7::",
            "::2:3:4:5:6:7:8",
            "1:2:3:4:5:6:7::8",
            "1:2:3:4:5:6:7:8:9",
            "1::2::3",
            "12345::",
            "0.0.0.0",
            "255.255.255.255",
            "256.1.1.1",
            "01.1.1.1",
            "1.1.1",
            "1.1.1.1.",
            "1.1.1.1.1",
            "::ffff:1.2.3.4",
            "::1.2.3.4",
            "1:2:3:4:5:6:1.2.3.4",
            "1:2:3:4:5:6:7:1.2.3.4",
            "::1.2.3",
            "1.2.3.4::",
            "fe80::1%eth0",
            "[::1]",
            "[1.2.3.4]",
            "2001:DB8::1",
            "2001:0db8:0000:0000:0000:ff00:0042:8329",
            "2001:db8:0:0:1:0:0:1",
            "0:0:0:0:0:0:0:0",
            "::ffff:0:0",
            "1:0:0:2:0:0:0:3",
            " 1.2.3.4",
        ] {
            same(v).unwrap();
        }
    }
}
