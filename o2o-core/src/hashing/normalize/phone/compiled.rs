//! The phone fast path: libphonenumber's own metadata (the `phonenumber` crate's database),
//! compiled once per calling code into one DFA per region, and the crate's parse-and-validate
//! steps replayed over those DFAs for a string of ASCII digits.
//!
//! Why: `phonenumber::parse` + `is_valid` costs microseconds per number. Its regular
//! expressions sit behind one process-wide LRU cache of 100 compiled regexes guarded by a mutex:
//! every match locks it, and a mix of countries (more than 100 patterns) recompiles regexes on
//! the hot path. Here each region's patterns (general description, the ten number types that
//! make a number valid, leading digits, international prefix) are one anchored multi-pattern DFA,
//! built lazily and thread-safely on first use, and one pass over the digits tells which of them
//! match at the start.
//!
//! What is replayed, step for step as `phonenumber` 0.3 does it (the equivalence is tested
//! against the full parse, see `phone/tests.rs`): the country code read from an international
//! number (or kept from the default country, and stripped from a national number that starts with
//! it when it is not possible without), the national prefix for parsing with its carrier capture
//! and transform rule (through the `regex` crate, the engine `phonenumber` uses, with the same
//! pattern and flags), the national (trunk) prefix, the possible-length rule, the national number's
//! bounds, the region chosen for validation (leading digits, or the first region of a shared
//! calling code whose number types accept the number) and the number-type patterns with their
//! possible lengths.
//!
//! What is not: a national number that starts with the default country's international
//! prefix (`011…` with default US, `001…` with default SG), and any region whose patterns do not
//! compile to a DFA within the size limits. Those answer [`Outcome::Unsure`] and the caller runs
//! the full parse.

use phonenumber::metadata::{DATABASE, Descriptor, Metadata};
use regex_automata::dfa::{Automaton, StartKind, dense};
use regex_automata::util::primitives::StateID;
use regex_automata::util::start;
use regex_automata::{Anchored, MatchKind, nfa::thompson, util::syntax};
use std::borrow::Cow;
use std::sync::{LazyLock, OnceLock};

/// `phonenumber`'s bounds on a national significant number (`consts::MIN_LENGTH_FOR_NSN`,
/// `MAX_LENGTH_FOR_NSN`).
const MIN_NSN: usize = 2;
const MAX_NSN: usize = 17;
/// A national number is stored as a `u64` below 2^56 (`NationalNumber::new`).
const MAX_NATIONAL_VALUE: u64 = 1 << 56;
/// Size limits for one region's DFA; past them the region falls back to the full parse.
const DFA_SIZE_LIMIT: usize = 16 << 20;

/// The answer of the fast path for one number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Valid: these are its E.164 digits (no `+`).
    Valid(E164),
    /// Not a valid number (what the full parse + `is_valid` would say).
    Invalid,
    /// Not covered here: ask the full parse.
    Unsure,
}

/// E.164 digits without `+`, at most 15 (checked by the caller's rule), kept on the stack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct E164 {
    buf: [u8; 24],
    len: usize,
}

impl E164 {
    /// The digits.
    pub(crate) fn as_str(&self) -> &str {
        // Only ASCII digits are ever stored (a calling code's decimal digits and the digits of
        // a national number, which are digits of the input), so the bytes are valid UTF-8.
        std::str::from_utf8(self.buf.get(..self.len).unwrap_or_default()).unwrap_or_default()
    }

    /// `code` followed by `national`, or `None` past 15 digits (the caller's E.164 limit).
    fn new(code: u16, national: &str) -> Option<E164> {
        let mut e = E164 {
            buf: [0; 24],
            len: 0,
        };
        let mut cc = [0u8; 5];
        let mut n = 0;
        let mut c = code;
        loop {
            *cc.get_mut(n)? = b'0' + (c % 10) as u8;
            n += 1;
            c /= 10;
            if c == 0 {
                break;
            }
        }
        let total = n + national.len();
        if total > 15 {
            return None;
        }
        for (i, d) in cc.iter().take(n).rev().enumerate() {
            *e.buf.get_mut(i)? = *d;
        }
        e.buf
            .get_mut(n..total)?
            .copy_from_slice(national.as_bytes());
        e.len = total;
        Some(e)
    }
}

/// A descriptor (general description or one number type): its pattern's index in the region's
/// DFA and its possible lengths (bit `n` set: length `n` possible; no bit set: any length, as
/// `Descriptor::is_match` treats an empty list).
#[derive(Debug, Clone, Copy)]
struct Desc {
    pattern: u8,
    lengths: u64,
}

impl Desc {
    /// `Descriptor::is_match`: the length is possible and the pattern matches at the start.
    fn is_match(self, matched: u16, len: usize) -> bool {
        (self.lengths == 0 || (len < 64 && self.lengths >> len & 1 == 1))
            && matched >> self.pattern & 1 == 1
    }
}

/// Bit `n` set for each possible length `n` (lengths are below 64: national numbers have at
/// most 17 digits).
fn lengths_mask(lengths: &[u16]) -> u64 {
    lengths
        .iter()
        .filter(|&&l| l < 64)
        .fold(0, |m, &l| m | 1 << l)
}

/// `validator::length` with `Type::Unknown`, reduced to what the parser asks of it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Length {
    TooShort,
    Possible,
    Other,
}

/// The national prefix for parsing, compiled as `phonenumber` compiles it.
struct Npfp {
    re: regex::Regex,
    transform: Option<String>,
}

/// One region's metadata, compiled.
struct Region {
    code: u16,
    /// The calling code in decimal, as the parser writes it.
    code_str: String,
    national_prefix: Option<String>,
    npfp: Option<Npfp>,
    dfa: dense::DFA<Vec<u32>>,
    start: StateID,
    general: Desc,
    /// The number types whose match makes a number valid (`validator::number_type`).
    types: Vec<Desc>,
    leading_digits: Option<u8>,
    international_prefix: Option<u8>,
    /// The general description's possible lengths and local-only lengths, in metadata order.
    possible: Vec<u16>,
    local: Vec<u16>,
}

impl Region {
    /// Compile `meta`; `None` when a pattern does not compile within the limits.
    fn build(meta: &'static Metadata) -> Option<Region> {
        let d = meta.descriptors();
        let mut patterns: Vec<&str> = Vec::new();
        let mut add = |src: &'static str| -> Option<u8> {
            patterns.push(src);
            u8::try_from(patterns.len() - 1).ok().filter(|&i| i < 16)
        };
        let desc = |x: &'static Descriptor, add: &mut dyn FnMut(&'static str) -> Option<u8>| {
            Some(Desc {
                pattern: add(x.national_number().as_str())?,
                lengths: lengths_mask(x.possible_length()),
            })
        };
        let general = desc(d.general(), &mut add)?;
        let types = [
            d.premium_rate(),
            d.toll_free(),
            d.shared_cost(),
            d.voip(),
            d.personal_number(),
            d.pager(),
            d.uan(),
            d.voicemail(),
            d.fixed_line(),
            d.mobile(),
        ]
        .into_iter()
        .flatten()
        .map(|x| desc(x, &mut add))
        .collect::<Option<Vec<Desc>>>()?;
        let leading_digits = match meta.leading_digits() {
            Some(re) => Some(add(re.as_str())?),
            None => None,
        };
        let international_prefix = match meta.international_prefix() {
            Some(re) => Some(add(re.as_str())?),
            None => None,
        };
        let dfa = dense::Builder::new()
            .configure(
                dense::Config::new()
                    .match_kind(MatchKind::All)
                    .start_kind(StartKind::Anchored)
                    .dfa_size_limit(Some(DFA_SIZE_LIMIT))
                    .determinize_size_limit(Some(DFA_SIZE_LIMIT)),
            )
            // Only ASCII digits are ever searched, so ASCII classes (`\d` = `[0-9]`) match
            // exactly what the Unicode ones of the `regex` crate match on them.
            .syntax(
                syntax::Config::new()
                    .unicode(false)
                    .utf8(false)
                    .ignore_whitespace(true),
            )
            .thompson(thompson::Config::new().utf8(false))
            .build_many(&patterns)
            .ok()?;
        let start = dfa
            .start_state(&start::Config::new().anchored(Anchored::Yes))
            .ok()?;
        let npfp = match meta.national_prefix_for_parsing() {
            None => None,
            Some(re) => Some(Npfp {
                // The flags `phonenumber` builds its metadata regexes with.
                re: regex::RegexBuilder::new(re.as_str())
                    .ignore_whitespace(true)
                    .build()
                    .ok()?,
                transform: meta.national_prefix_transform_rule().map(str::to_owned),
            }),
        };
        Some(Region {
            code: meta.country_code(),
            code_str: meta.country_code().to_string(),
            national_prefix: meta.national_prefix().map(str::to_owned),
            npfp,
            dfa,
            start,
            general,
            types,
            leading_digits,
            international_prefix,
            possible: d.general().possible_length().to_vec(),
            local: d.general().possible_local_length().to_vec(),
        })
    }

    /// Which patterns match at the start of `digits` (bit `i`: pattern `i`), in one pass.
    fn matches(&self, digits: &str) -> u16 {
        let dfa = &self.dfa;
        let mut mask = 0u16;
        let collect = |s: StateID, mask: &mut u16| {
            for i in 0..dfa.match_len(s) {
                *mask |= 1 << (dfa.match_pattern(s, i).as_usize() & 15);
            }
        };
        let mut s = self.start;
        for &b in digits.as_bytes() {
            s = dfa.next_state(s, b);
            if dfa.is_special_state(s) {
                if dfa.is_match_state(s) {
                    collect(s, &mut mask);
                } else if dfa.is_dead_state(s) || dfa.is_quit_state(s) {
                    return mask;
                }
            }
        }
        s = dfa.next_eoi_state(s);
        if dfa.is_match_state(s) {
            collect(s, &mut mask);
        }
        mask
    }

    /// `validator::number_type(meta, value) != Type::Unknown`.
    fn is_valid_number(&self, value: &str) -> bool {
        let m = self.matches(value);
        let len = value.len();
        self.general.is_match(m, len) && self.types.iter().any(|t| t.is_match(m, len))
    }

    /// `validator::length(meta, number, Type::Unknown)`.
    fn length(&self, len: usize) -> Length {
        let len = len as u16;
        let (Some(&min), Some(&max)) = (self.possible.first(), self.possible.last()) else {
            return Length::Other;
        };
        if self.local.contains(&len) || len == min {
            Length::Possible
        } else if len < min {
            Length::TooShort
        } else if len > max {
            Length::Other
        } else if self.possible.contains(&len) {
            Length::Possible
        } else {
            Length::Other
        }
    }

    /// `helper::national_number`: the national prefix for parsing (or, without one, the
    /// national prefix) removed or transformed.
    fn national_number<'a>(&self, national: &'a str) -> Cow<'a, str> {
        let Some(npfp) = &self.npfp else {
            return match &self.national_prefix {
                Some(p) if national.starts_with(p.as_str()) => {
                    Cow::Borrowed(national.get(p.len()..).unwrap_or_default())
                }
                _ => Cow::Borrowed(national),
            };
        };
        let Some(m) = npfp.re.find(national) else {
            return Cow::Borrowed(national);
        };
        if m.start() != 0 {
            return Cow::Borrowed(national);
        }
        let viable = self
            .general
            .is_match(self.matches(national), national.len());
        let last_participates = npfp
            .re
            .captures(national)
            .and_then(|c| c.get(c.len() - 1))
            .is_some();
        match &npfp.transform {
            Some(rule) if last_participates => {
                let transformed = npfp.re.replace(national, rule.as_str());
                if viable
                    && !self
                        .general
                        .is_match(self.matches(&transformed), transformed.len())
                {
                    Cow::Borrowed(national)
                } else {
                    Cow::Owned(transformed.into_owned())
                }
            }
            // `phonenumber` checks here that the general description still matches
            // `national[start..]`; with `start == 0` that is `national` itself, so the
            // prefix is always removed.
            _ => Cow::Borrowed(national.get(m.end()..).unwrap_or_default()),
        }
    }
}

/// The regions of one calling code, in the database's order (its main country first).
struct Code {
    regions: Vec<Region>,
    /// The database's region ids, parallel to `regions`.
    ids: Vec<String>,
    /// The code belongs to a single non-geographic entity ("001").
    non_geographic: bool,
}

impl Code {
    /// Compile every region of `code`; `None` if the database does not know it or one region
    /// does not compile.
    fn build(code: u16) -> Option<Code> {
        let ids = DATABASE.region(&code)?;
        let mut regions = Vec::with_capacity(ids.len());
        let non_geographic = ids.len() == 1 && ids.first() == Some(&"001");
        if non_geographic {
            let metas = DATABASE.by_code(&code)?;
            regions.push(Region::build(metas.first()?)?);
        } else {
            for id in &ids {
                regions.push(Region::build(DATABASE.by_id(*id)?)?);
            }
        }
        Some(Code {
            regions,
            ids: ids.iter().map(|s| (*s).to_owned()).collect(),
            non_geographic,
        })
    }

    /// `validator::source_for` followed by the database look-up: the region whose metadata
    /// judges `national`.
    fn source_for(&self, national: &str) -> Option<&Region> {
        if self.regions.len() == 1 {
            if self.non_geographic {
                return self.regions.first();
            }
            // `source_for` parses the id as a `country::Id`; an id the enum lacks is no region.
            return self
                .ids
                .first()
                .filter(|id| id.parse::<phonenumber::country::Id>().is_ok())
                .and(self.regions.first());
        }
        self.regions.iter().find(|r| match r.leading_digits {
            Some(p) => r.matches(national) >> p & 1 == 1,
            None => r.is_valid_number(national),
        })
    }
}

/// Compiled calling codes, built on first use.
static CODES: [OnceLock<Option<Code>>; 1000] = [const { OnceLock::new() }; 1000];

fn code(code: u16) -> Option<&'static Code> {
    CODES
        .get(usize::from(code))?
        .get_or_init(|| Code::build(code))
        .as_ref()
}

/// Which calling codes the database knows (`Database::by_code(code).is_some()`).
static KNOWN_CODES: LazyLock<[bool; 1000]> = LazyLock::new(|| {
    let mut known = [false; 1000];
    for (c, k) in known.iter_mut().enumerate() {
        *k = u16::try_from(c)
            .ok()
            .and_then(|c| DATABASE.by_code(&c))
            .is_some();
    }
    known
});

/// A default country's calling code and its index among the code's regions, by alpha-2 code
/// (`(a - 'A') * 26 + (b - 'A')`), built on first use.
static COUNTRIES: [OnceLock<Option<(u16, usize)>>; 676] = [const { OnceLock::new() }; 676];

fn country(alpha2: &str) -> Option<(&'static Code, &'static Region)> {
    let &[a, b] = alpha2.as_bytes() else {
        return None;
    };
    if !a.is_ascii_uppercase() || !b.is_ascii_uppercase() {
        return None;
    }
    let slot = usize::from(a - b'A') * 26 + usize::from(b - b'A');
    let &(cc, index) = COUNTRIES
        .get(slot)?
        .get_or_init(|| {
            // `national` in phone.rs parses the code as a `country::Id` first.
            let id: phonenumber::country::Id = alpha2.parse().ok()?;
            let meta = DATABASE.by_id(id.as_ref())?;
            let cc = meta.country_code();
            let index = code(cc)?.ids.iter().position(|r| r == meta.id())?;
            Some((cc, index))
        })
        .as_ref()?;
    let c = code(cc)?;
    Some((c, c.regions.get(index)?))
}

/// The E.164 digits of an international number (`digits`: ASCII digits, what follows `+`),
/// as `phonenumber::parse(None, "+" + digits)` then `is_valid` and E.164 formatting give them.
pub(crate) fn international(digits: &str) -> Outcome {
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Outcome::Unsure;
    }
    if digits.starts_with('0') || digits.len() <= MIN_NSN {
        return Outcome::Invalid;
    }
    // `helper::country_code`: the first of 1, 2, 3 leading digits that is a known code.
    let found = (1..=3).find_map(|n| {
        let cc: u16 = digits.get(..n)?.parse().ok()?;
        KNOWN_CODES
            .get(usize::from(cc))
            .copied()
            .unwrap_or(false)
            .then_some((cc, n))
    });
    let Some((cc, n)) = found else {
        return Outcome::Invalid;
    };
    let Some(c) = code(cc) else {
        return Outcome::Unsure;
    };
    let national = digits.get(n..).unwrap_or_default();
    let meta = c.source_for(national.trim_start_matches('0'));
    finish(c, cc, meta, national)
}

/// The E.164 digits of `digits` (ASCII digits, no international prefix) read as a national
/// number of `alpha2`, as `phonenumber::parse(Some(alpha2), digits)` then `is_valid` and E.164
/// formatting give them.
pub(crate) fn national(digits: &str, alpha2: &str) -> Outcome {
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Outcome::Unsure;
    }
    let Some((c, region)) = country(alpha2) else {
        return Outcome::Unsure;
    };
    let m = region.matches(digits);
    if region.international_prefix.is_some_and(|p| m >> p & 1 == 1) {
        // Dialled with the country's international prefix: the full parse reads the country
        // code from it, with this country's metadata.
        return Outcome::Unsure;
    }
    // `helper::country_code`, default-country branch: a national number that starts with the
    // country code and is not possible (or does not match) as it stands loses the code.
    let mut national = digits;
    if let Some(rest) = digits.strip_prefix(region.code_str.as_str())
        && (!region.general.is_match(m, digits.len())
            || region.length(digits.len()) != Length::Possible)
    {
        national = rest;
    }
    finish(c, region.code, Some(region), national)
}

/// The rest of `parse` (national prefixes removed when the result is not too short, the national
/// number's bounds), then `is_valid` and E.164 formatting.
fn finish(c: &Code, cc: u16, meta: Option<&Region>, national: &str) -> Outcome {
    let potential;
    let mut number = national;
    if let Some(meta) = meta {
        let mut p = meta.national_number(national);
        if let Some(np) = &meta.national_prefix
            && p.starts_with(np.as_str())
        {
            p = match p {
                Cow::Borrowed(s) => Cow::Borrowed(s.get(np.len()..).unwrap_or_default()),
                Cow::Owned(s) => Cow::Owned(s.get(np.len()..).unwrap_or_default().to_owned()),
            };
        }
        potential = p;
        if meta.length(potential.len()) != Length::TooShort {
            number = &potential;
        }
    }
    if number.len() < MIN_NSN || number.len() > MAX_NSN {
        return Outcome::Invalid;
    }
    // `NationalNumber::from_str`: leading zeros counted, the rest a `u64` below 2^56 (an
    // all-zero number does not parse).
    let rest = number.trim_start_matches('0');
    match rest.parse::<u64>() {
        Ok(v) if v < MAX_NATIONAL_VALUE => {}
        _ => return Outcome::Invalid,
    }
    if !number.bytes().all(|b| b.is_ascii_digit()) {
        return Outcome::Unsure;
    }
    let valid = c
        .source_for(number)
        .is_some_and(|r| r.is_valid_number(number));
    if !valid {
        return Outcome::Invalid;
    }
    match E164::new(cc, number) {
        Some(e) => Outcome::Valid(e),
        None => Outcome::Invalid,
    }
}
