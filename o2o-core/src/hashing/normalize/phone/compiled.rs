//! The phone fast path: libphonenumber's own metadata (the `phonenumber` crate's database)
//! compiled into DFAs once per calling code, and the crate's parse-and-validate steps replayed
//! over them for a string of ASCII digits.
//!
//! Why: `phonenumber::parse` + `is_valid` costs microseconds per number. Its regular
//! expressions sit behind one process-wide LRU cache of 100 compiled regexes guarded by a mutex:
//! every match locks it, and a mix of countries (more than 100 patterns) recompiles regexes on
//! the hot path. Here each region's validity patterns (the general description and the ten number
//! types that make a number valid) are one anchored multi-pattern DFA, built lazily and
//! thread-safely on first use, and one pass over the digits tells which of them match at the
//! start; a region's international prefix, and the leading digits of the regions that share a
//! calling code, are two more small DFAs.
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
//! compile to a DFA within the size limit. Those answer [`Outcome::Unsure`] and the caller runs
//! the full parse.

use phonenumber::metadata::{DATABASE, Metadata};
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
/// Size limit for one DFA; past it the region falls back to the full parse (the largest of the
/// metadata's regions needs about 30 KB).
const DFA_SIZE_LIMIT: usize = 16 << 20;
/// E.164 allows 15 digits (the caller's rule for the full parse's output too).
const MAX_E164: usize = 15;

/// The answer of the fast path for one number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome<'a> {
    /// Valid: these are its E.164 digits.
    Valid(E164<'a>),
    /// Not a valid number (what the full parse + `is_valid` would say).
    Invalid,
    /// Not covered here: ask the full parse.
    Unsure,
}

/// E.164 digits without `+` (at most 15): the calling code and the national number, borrowed
/// where possible.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct E164<'a> {
    code: &'a str,
    national: Cow<'a, str>,
}

impl E164<'_> {
    /// Append the digits to `out`.
    pub(crate) fn push_to(&self, out: &mut String) {
        out.push_str(self.code);
        out.push_str(&self.national);
    }
}

/// Patterns that may match at the start of a digit string, as one anchored DFA that reports
/// every pattern (`MatchKind::All`). Each pattern `p` is compiled as `(?:p)[0-9]*`: on a string
/// of digits, that matches the whole string exactly when `p` matches a prefix of it, so the
/// answer is the match set of the state after the end of input, and the loop over the digits
/// does nothing but step (and stop when no pattern can match any more).
struct Prefixes {
    dfa: dense::DFA<Vec<u32>>,
    start: StateID,
}

impl Prefixes {
    /// Compile `patterns` (at most 32); `None` past the size limit or on a syntax the DFA does
    /// not support.
    fn build(patterns: &[&str]) -> Option<Prefixes> {
        if patterns.len() > 32 {
            return None;
        }
        // The newline ends a `#` comment the pattern might end with (whitespace mode).
        let suffixed: Vec<String> = patterns
            .iter()
            .map(|p| format!("(?:{p}\n)[0-9]*"))
            .collect();
        let dfa = dense::Builder::new()
            .configure(
                dense::Config::new()
                    .match_kind(MatchKind::All)
                    .start_kind(StartKind::Anchored)
                    .dfa_size_limit(Some(DFA_SIZE_LIMIT))
                    .determinize_size_limit(Some(DFA_SIZE_LIMIT)),
            )
            // Only ASCII digits are ever searched, so ASCII classes (`\d` = `[0-9]`) match
            // exactly what the Unicode ones of the `regex` crate match on them. The metadata's
            // patterns carry insignificant whitespace, as `phonenumber` compiles them.
            .syntax(
                syntax::Config::new()
                    .unicode(false)
                    .utf8(false)
                    .ignore_whitespace(true),
            )
            .thompson(thompson::Config::new().utf8(false))
            .build_many(&suffixed)
            .ok()?;
        let start = dfa
            .start_state(&start::Config::new().anchored(Anchored::Yes))
            .ok()?;
        Some(Prefixes { dfa, start })
    }

    /// Which patterns match a prefix of `digits` (bit `i`: pattern `i`), in one pass; `digits`
    /// must be ASCII digits. That a regex's leftmost-first `find` starts at 0, as `phonenumber`
    /// tests it, is exactly this.
    fn matches(&self, digits: &str) -> u32 {
        let dfa = &self.dfa;
        let mut s = self.start;
        for &b in digits.as_bytes() {
            s = dfa.next_state(s, b);
            if dfa.is_dead_state(s) {
                return 0;
            }
        }
        s = dfa.next_eoi_state(s);
        let mut mask = 0u32;
        if dfa.is_match_state(s) {
            for i in 0..dfa.match_len(s) {
                mask |= 1 << (dfa.match_pattern(s, i).as_usize() & 31);
            }
        }
        mask
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
    fn is_match(self, matched: u32, len: usize) -> bool {
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
    /// The calling code in decimal, as the parser writes it.
    code: String,
    national_prefix: Option<String>,
    npfp: Option<Npfp>,
    /// The general description (pattern 0) and the number types.
    patterns: Prefixes,
    general: Desc,
    /// The number types whose match makes a number valid (`validator::number_type`).
    types: Vec<Desc>,
    international_prefix: Option<Prefixes>,
    /// The general description's possible lengths and local-only lengths, in metadata order.
    possible: Vec<u16>,
    local: Vec<u16>,
}

impl Region {
    /// Compile `meta`; `None` when a pattern does not compile within the limit.
    fn build(meta: &'static Metadata) -> Option<Region> {
        let d = meta.descriptors();
        // `validator::number_type`'s order; the general description first.
        let descs: Vec<_> = [
            Some(d.general()),
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
        .collect();
        let sources: Vec<&str> = descs.iter().map(|x| x.national_number().as_str()).collect();
        let patterns = Prefixes::build(&sources)?;
        let mut descs = descs.iter().enumerate().map(|(i, x)| {
            Some(Desc {
                pattern: u8::try_from(i).ok()?,
                lengths: lengths_mask(x.possible_length()),
            })
        });
        let general = descs.next()??;
        let types = descs.collect::<Option<Vec<Desc>>>()?;
        let international_prefix = match meta.international_prefix() {
            Some(re) => Some(Prefixes::build(&[re.as_str()])?),
            None => None,
        };
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
            code: meta.country_code().to_string(),
            national_prefix: meta.national_prefix().map(str::to_owned),
            npfp,
            patterns,
            general,
            types,
            international_prefix,
            possible: d.general().possible_length().to_vec(),
            local: d.general().possible_local_length().to_vec(),
        })
    }

    /// `Descriptor::is_match` of the general description.
    fn general_match(&self, value: &str) -> bool {
        self.general
            .is_match(self.patterns.matches(value), value.len())
    }

    /// `validator::number_type(meta, value) != Type::Unknown`.
    fn is_valid_number(&self, value: &str) -> bool {
        let m = self.patterns.matches(value);
        let len = value.len();
        self.general.is_match(m, len) && self.types.iter().any(|t| t.is_match(m, len))
    }

    /// `validator::length(meta, number, Type::Unknown)`.
    fn length(&self, len: usize) -> Length {
        let len = u16::try_from(len).unwrap_or(u16::MAX);
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
                Some(p) => Cow::Borrowed(national.strip_prefix(p.as_str()).unwrap_or(national)),
                None => Cow::Borrowed(national),
            };
        };
        // `phonenumber` calls `find`, then `captures` for the groups: the same leftmost-first
        // match, so one `captures` answers both.
        let Some(caps) = npfp.re.captures(national) else {
            return Cow::Borrowed(national);
        };
        let Some(m) = caps.get(0).filter(|m| m.start() == 0) else {
            return Cow::Borrowed(national);
        };
        let viable = self.general_match(national);
        let last_participates = caps.get(caps.len() - 1).is_some();
        match &npfp.transform {
            Some(rule) if last_participates => {
                let transformed = npfp.re.replace(national, rule.as_str());
                if viable && !self.general_match(&transformed) {
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
    /// With several regions: the regions' leading-digits patterns, one DFA (bit `i`: region
    /// `i`'s pattern matches), and which regions have one.
    leading: Option<Prefixes>,
    has_leading: u32,
    /// With a single region, whether `source_for` finds it: always for a non-geographic
    /// entity ("001"), otherwise when its id parses as a `country::Id`.
    single_found: bool,
}

impl Code {
    /// Compile every region of `code`; `None` if the database does not know it or something
    /// does not compile.
    fn build(code: u16) -> Option<Code> {
        let ids = DATABASE.region(&code)?;
        let non_geographic = ids.len() == 1 && ids.first() == Some(&"001");
        let metas: Vec<&'static Metadata> = if non_geographic {
            vec![*DATABASE.by_code(&code)?.first()?]
        } else {
            ids.iter()
                .map(|id| DATABASE.by_id(*id))
                .collect::<Option<_>>()?
        };
        let regions = metas
            .iter()
            .map(|m| Region::build(m))
            .collect::<Option<Vec<_>>>()?;
        let (mut leading, mut has_leading) = (None, 0u32);
        if metas.len() > 1 {
            // A region without leading digits gets a pattern that never matches, so that
            // pattern `i` stays region `i`.
            let sources: Vec<&str> = metas
                .iter()
                .map(|m| m.leading_digits().map_or("[^\\s\\S]", |re| re.as_str()))
                .collect();
            leading = Some(Prefixes::build(&sources)?);
            for (i, m) in metas.iter().enumerate() {
                if m.leading_digits().is_some() {
                    has_leading |= 1 << i;
                }
            }
        }
        let single_found = non_geographic
            || ids
                .first()
                .is_some_and(|id| id.parse::<phonenumber::country::Id>().is_ok());
        Some(Code {
            regions,
            ids: ids.iter().map(|s| (*s).to_owned()).collect(),
            leading,
            has_leading,
            single_found,
        })
    }

    /// `validator::source_for` followed by the database look-up: the region whose metadata
    /// judges `national`, and whether it was chosen because its number types accept `national`
    /// (then `is_valid` is already known to hold).
    fn source_for(&self, national: &str) -> Option<(&Region, bool)> {
        if let [region] = self.regions.as_slice() {
            return self.single_found.then_some((region, false));
        }
        // The leading-digits DFA runs when the first region that has leading digits is reached
        // (the main country, first, usually has none).
        let mut lead = None;
        self.regions.iter().enumerate().find_map(|(i, r)| {
            if self.has_leading >> i & 1 == 1 {
                let lead = *lead.get_or_insert_with(|| {
                    self.leading.as_ref().map_or(0, |l| l.matches(national))
                });
                (lead >> i & 1 == 1).then_some((r, false))
            } else {
                r.is_valid_number(national).then_some((r, true))
            }
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
pub(crate) fn international(digits: &str) -> Outcome<'_> {
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
    let (code, national) = digits.split_at(n);
    let meta = c
        .source_for(national.trim_start_matches('0'))
        .map(|(r, _)| r);
    finish(c, code, meta, national)
}

/// The E.164 digits of `digits` (ASCII digits, no international prefix) read as a national
/// number of `alpha2`, as `phonenumber::parse(Some(alpha2), digits)` then `is_valid` and E.164
/// formatting give them.
pub(crate) fn national<'a>(digits: &'a str, alpha2: &str) -> Outcome<'a> {
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Outcome::Unsure;
    }
    let Some((c, region)) = country(alpha2) else {
        return Outcome::Unsure;
    };
    if region
        .international_prefix
        .as_ref()
        .is_some_and(|p| p.matches(digits) != 0)
    {
        // Dialled with the country's international prefix: the full parse reads the country
        // code from it, with this country's metadata.
        return Outcome::Unsure;
    }
    // `helper::country_code`, default-country branch: a national number that starts with the
    // country code and is not possible (or does not match) as it stands loses the code.
    let mut national = digits;
    if let Some(rest) = digits.strip_prefix(region.code.as_str())
        && (!region.general_match(digits) || region.length(digits.len()) != Length::Possible)
    {
        national = rest;
    }
    finish(c, &region.code, Some(region), national)
}

/// The rest of `parse` (national prefixes removed when the result is not too short, the national
/// number's bounds), then `is_valid` and E.164 formatting.
fn finish<'a>(c: &Code, code: &'a str, meta: Option<&Region>, national: &'a str) -> Outcome<'a> {
    let mut number = Cow::Borrowed(national);
    if let Some(meta) = meta {
        let mut potential = meta.national_number(national);
        if let Some(np) = &meta.national_prefix
            && potential.starts_with(np.as_str())
        {
            potential = match potential {
                Cow::Borrowed(s) => Cow::Borrowed(s.get(np.len()..).unwrap_or_default()),
                Cow::Owned(s) => Cow::Owned(s.get(np.len()..).unwrap_or_default().to_owned()),
            };
        }
        if meta.length(potential.len()) != Length::TooShort {
            number = potential;
        }
    }
    if number.len() < MIN_NSN || number.len() > MAX_NSN {
        return Outcome::Invalid;
    }
    // `NationalNumber::from_str`: leading zeros counted, the rest a `u64` below 2^56 (an
    // all-zero number does not parse).
    match number.trim_start_matches('0').parse::<u64>() {
        Ok(v) if v < MAX_NATIONAL_VALUE => {}
        _ => return Outcome::Invalid,
    }
    if !number.bytes().all(|b| b.is_ascii_digit()) {
        // A transform rule wrote something else: not covered.
        return Outcome::Unsure;
    }
    let valid = match c.source_for(&number) {
        Some((_, true)) => true,
        Some((r, false)) => r.is_valid_number(&number),
        None => false,
    };
    if !valid || code.len() + number.len() > MAX_E164 {
        return Outcome::Invalid;
    }
    Outcome::Valid(E164 {
        code,
        national: number,
    })
}
