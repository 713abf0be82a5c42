//! The fast path against the full libphonenumber parse: exact equality of every result (the
//! E.164 digits, or the same error) on large deterministic samples and on proptest inputs.

use super::super::{NormalizeOptions, Platform, country_by_alpha2};
use super::compiled::{self, Outcome};
use super::{full_international, full_national, normalize_with};
use phonenumber::metadata::DATABASE;
use proptest::prelude::*;
use std::cell::Cell;

thread_local! {
    /// Fast-path look-ups made by `normalize` on this thread, and those that went to the full
    /// parse.
    static LOOKUPS: Cell<(usize, usize)> = const { Cell::new((0, 0)) };
}

pub(super) fn count_lookup() {
    LOOKUPS.with(|c| c.set((c.get().0 + 1, c.get().1)));
}

pub(super) fn count_fallback() {
    LOOKUPS.with(|c| c.set((c.get().0, c.get().1 + 1)));
}

/// The countries the issue names as common.
const COMMON: [&str; 12] = [
    "VN", "TH", "ID", "MY", "SG", "PH", "US", "GB", "FR", "DE", "IN", "BR",
];

/// SplitMix64: a seeded stream for the samples (deterministic, no dependency).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'0' + self.below(10) as u8))
            .collect()
    }
}

/// Valid national significant numbers of a region: the metadata's example numbers.
fn examples(region: &str) -> Vec<String> {
    let Some(meta) = DATABASE.by_id(region) else {
        return Vec::new();
    };
    let d = meta.descriptors();
    [
        Some(d.general()),
        d.fixed_line(),
        d.mobile(),
        d.toll_free(),
        d.premium_rate(),
        d.shared_cost(),
        d.personal_number(),
        d.voip(),
        d.pager(),
        d.uan(),
        d.voicemail(),
    ]
    .into_iter()
    .flatten()
    .filter_map(|x| x.example().map(str::to_owned))
    .collect()
}

/// A national significant number near the region's valid ones: an example number with its
/// tail redrawn (often valid), a digit added or dropped (wrong length), or random digits.
fn nsn(rng: &mut Rng, examples: &[String]) -> String {
    let pick = |rng: &mut Rng| {
        examples
            .get(rng.below(examples.len()))
            .cloned()
            .unwrap_or_else(|| "912345678".into())
    };
    match rng.below(10) {
        0..=5 => {
            let e = pick(rng);
            let keep = rng.below(e.len() + 1).max(e.len().saturating_sub(7));
            format!("{}{}", &e[..keep], rng.digits(e.len() - keep))
        }
        6 => {
            let e = pick(rng);
            let extra = 1 + rng.below(2);
            format!("{e}{}", rng.digits(extra))
        }
        7 => {
            let e = pick(rng);
            let cut = 1 + rng.below(2.min(e.len() - 1));
            e[..e.len() - cut].to_owned()
        }
        8 => {
            let n = 1 + rng.below(16);
            rng.digits(n)
        }
        _ => {
            // A leading-zero or all-zero number, a classic junk entry.
            let n = 4 + rng.below(8);
            format!("0{}", "0".repeat(rng.below(n)) + &rng.digits(n))
        }
    }
}

/// Separators as exports have them, between digit groups of random sizes.
fn separate(rng: &mut Rng, digits: &str) -> String {
    let seps = [" ", "-", ".", "/", " - ", "  "];
    let mut out = String::new();
    let mut rest = digits;
    let sep = seps[rng.below(seps.len())];
    while !rest.is_empty() {
        let n = (1 + rng.below(4)).min(rest.len());
        if !out.is_empty() {
            out.push_str(sep);
        }
        out.push_str(&rest[..n]);
        rest = &rest[n..];
    }
    out
}

/// One raw phone value for default country `region`: its own numbers in national,
/// international and odd formats, or another country's number written internationally.
fn sample(
    rng: &mut Rng,
    region: &str,
    code: u16,
    trunk: &str,
    ex: &[String],
    other: &[(u16, Vec<String>)],
) -> String {
    let (code, n) = if rng.below(8) == 0 && !other.is_empty() {
        let (c, e) = &other[rng.below(other.len())];
        (*c, nsn(rng, e))
    } else {
        (code, nsn(rng, ex))
    };
    let _ = region;
    let national = format!("{trunk}{n}");

    match rng.below(15) {
        // A carrier code after the trunk prefix (`0 15 11 9…` in BR, read by a transform rule).
        14 => format!("{trunk}{}{n}", rng.digits(2)),
        0..=3 => national,
        4 => separate(rng, &national),
        5 => n.clone(),
        6 => format!("+{code}{n}"),
        7 => format!("+{code} {}", separate(rng, &n)),
        8 => format!("00{code}{n}"),
        9 => format!("{code}{n}"),
        10 => format!("+{code}{trunk}{n}"),
        11 => format!("+{code} (0){n}"),
        12 => {
            let k = 2.min(national.len());
            format!("({}) {}", &national[..k], separate(rng, &national[k..]))
        }
        // Dialled with a common international prefix (the full parse handles the country's
        // own one: `011` in the US, `001`/`002` in SG, …).
        _ => format!(
            "{}{code}{n}",
            ["011", "001", "002", "0011", "010"][rng.below(5)]
        ),
    }
}

#[derive(Default, Debug)]
struct Tally {
    samples: usize,
    ok: usize,
    err: usize,
    /// Look-ups `normalize` made through the fast path, and those it answered itself.
    fast_asked: usize,
    fast_answered: usize,
}

/// Compare the fast path with the full parse on `samples` values for `region`: the whole
/// `normalize` under both profiles that differ (`+` or not), and the two look-ups on the
/// value's digits.
fn check_region(region: &str, samples: usize, seed: u64) -> Tally {
    let mut rng = Rng(seed ^ region.bytes().fold(0u64, |h, b| h * 131 + u64::from(b)));
    let Some(country) = country_by_alpha2(region) else {
        return Tally::default();
    };
    let Some(meta) = DATABASE.by_id(region) else {
        return Tally::default();
    };
    let code = meta.country_code();
    let trunk = meta.national_prefix().unwrap_or("");
    let ex = examples(region);
    let other: Vec<(u16, Vec<String>)> = ["VN", "US", "GB", "DE", "SG", "BR", "CA", "IT"]
        .iter()
        .filter_map(|r| Some((DATABASE.by_id(*r)?.country_code(), examples(r))))
        .collect();
    let mut t = Tally::default();
    LOOKUPS.with(|c| c.set((0, 0)));
    for i in 0..samples {
        let v = sample(&mut rng, region, code, trunk, &ex, &other);
        let profile = if i % 2 == 0 {
            Platform::Meta
        } else {
            Platform::Google
        };
        let opts = NormalizeOptions {
            profile,
            default_country: Some(region.into()),
            ..Default::default()
        };
        let (mut fast, mut full) = (String::new(), String::new());
        let a = normalize_with::<true>(&v, &opts, &mut fast).map(|()| fast);
        let b = normalize_with::<false>(&v, &opts, &mut full).map(|()| full);
        assert_eq!(a, b, "{region}: `{v}`");
        t.samples += 1;
        if b.is_ok() {
            t.ok += 1;
        } else {
            t.err += 1;
        }
        // The two look-ups on their own, on the value's digits (every fourth value: the full
        // parse is the slow side).
        let digits: String = v.chars().filter(char::is_ascii_digit).collect();
        if digits.len() >= 4 && i % 4 == 0 {
            let fast = compiled::national(&digits, country.alpha2());
            if fast != Outcome::Unsure {
                assert_eq!(
                    as_option(fast),
                    full_national(&digits, country),
                    "{region}: national `{digits}`"
                );
            }
            if !digits.starts_with('0') {
                let fast = compiled::international(&digits);
                assert_ne!(fast, Outcome::Unsure, "international `{digits}`");
                assert_eq!(
                    as_option(fast),
                    full_international(&digits),
                    "international `{digits}`"
                );
            }
        }
    }
    let (asked, fallbacks) = LOOKUPS.with(Cell::get);
    t.fast_asked = asked;
    t.fast_answered = asked - fallbacks;
    t
}

fn as_option(o: Outcome<'_>) -> Option<String> {
    match o {
        Outcome::Valid(e) => {
            let mut s = String::new();
            e.push_to(&mut s);
            Some(s)
        }
        _ => None,
    }
}

/// 20,000 values for each common country: identical results, a real mix of valid and invalid
/// numbers, and the fast path answering nearly every national look-up itself.
#[test]
fn fast_path_equals_full_parse_common_countries() {
    for region in COMMON {
        let t = check_region(region, 20_000, 26);
        eprintln!("{region}: {t:?}");
        assert_eq!(t.samples, 20_000, "{region}");
        // Neither side of the comparison may be vacuous.
        assert!(
            t.ok >= t.samples / 5,
            "{region}: only {} valid of {}",
            t.ok,
            t.samples
        );
        assert!(t.err >= t.samples / 10, "{region}: only {} invalid", t.err);
        // Only numbers starting with the country's own international prefix go to the full
        // parse; in SG that prefix is `0[0-3]\d`, in TH `00[1-9]` and so on.
        assert!(
            t.fast_answered * 100 >= t.fast_asked * 90,
            "{region}: fast path answered {} of {}",
            t.fast_answered,
            t.fast_asked
        );
    }
}

/// Every region in the metadata as the default country, 400 values each.
#[test]
fn fast_path_equals_full_parse_every_region() {
    let mut regions: Vec<&str> = DATABASE
        .iter()
        .map(|m| m.id())
        .filter(|id| id.len() == 2)
        .collect();
    regions.sort_unstable();
    regions.dedup();
    assert!(regions.len() > 200, "{} regions", regions.len());
    let mut total = Tally::default();
    for region in regions {
        let t = check_region(region, 400, 7);
        total.samples += t.samples;
        total.ok += t.ok;
        total.err += t.err;
        total.fast_answered += t.fast_answered;
        total.fast_asked += t.fast_asked;
    }
    eprintln!("every region: {total:?}");
    assert!(total.samples > 80_000, "{total:?}");
    assert!(
        total.ok >= total.samples / 5 && total.err >= total.samples / 10,
        "{total:?}"
    );
    assert!(
        total.fast_answered * 100 >= total.fast_asked * 90,
        "{total:?}"
    );
}

/// Every calling code's international numbers: the fast path always answers, and as the full
/// parse does.
#[test]
fn international_every_code() {
    let mut rng = Rng(84);
    for cc in 1..1000u16 {
        for _ in 0..40 {
            let n = 1 + rng.below(15);
            let d = format!("{cc}{}", rng.digits(n));
            let fast = compiled::international(&d);
            assert_ne!(fast, Outcome::Unsure, "`{d}`");
            assert_eq!(as_option(fast), full_international(&d), "`{d}`");
        }
    }
}

#[test]
fn fast_path_examples() {
    let vn = NormalizeOptions {
        default_country: Some("VN".into()),
        ..Default::default()
    };
    let mut out = String::new();
    for (v, want) in [
        ("0912 345 678", Some("84912345678")),
        ("84912345678", Some("84912345678")),
        ("+84 91 234 5678", Some("84912345678")),
        ("0084912345678", Some("84912345678")),
        ("0283 812 3456", Some("842838123456")),
        ("0123456789", None),
        ("0000000000", None),
    ] {
        out.clear();
        let r = normalize_with::<true>(v, &vn, &mut out).map(|()| out.clone());
        assert_eq!(r.as_deref().ok(), want, "`{v}`");
    }
    // The fast path answers these itself.
    assert!(matches!(
        compiled::national("0912345678", "VN"),
        Outcome::Valid(_)
    ));
    assert_eq!(compiled::national("0123456789", "VN"), Outcome::Invalid);
    assert!(matches!(
        compiled::international("84912345678"),
        Outcome::Valid(_)
    ));
    // Brazil's carrier code after the trunk prefix, removed by its transform rule; Britain's
    // national prefix for parsing.
    assert!(matches!(
        compiled::national("01511961234567", "BR"),
        Outcome::Valid(_)
    ));
    assert_eq!(
        as_option(compiled::national("01511961234567", "BR")),
        Some("5511961234567".into())
    );
    assert_eq!(
        as_option(compiled::national("02079460018", "GB")),
        Some("442079460018".into())
    );
    // A number dialled with the default country's international prefix goes to the full parse.
    assert_eq!(compiled::national("01144207946001", "US"), Outcome::Unsure);
}

fn raw_phone() -> impl Strategy<Value = (usize, String)> {
    (
        0..COMMON.len(),
        prop::sample::select(vec![
            "", "+", "00", "0", "+0", "(0)", "011", "1", "44", "84", "65",
        ]),
        "[0-9]{1,16}",
        prop::collection::vec(
            (
                0usize..16,
                prop::sample::select(vec![" ", "-", ".", "(", ")", "/"]),
            ),
            0..4,
        ),
    )
        .prop_map(|(c, prefix, digits, seps)| {
            let mut v = format!("{prefix}{digits}");
            for (at, s) in seps {
                let at = at.min(v.len());
                v.insert_str(at, s);
            }
            (c, v)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    /// Any digits with any prefix and separators: the fast path and the full parse agree.
    #[test]
    fn fast_path_equals_full_parse((c, v) in raw_phone()) {
        let opts = NormalizeOptions {
            default_country: Some(COMMON[c].into()),
            ..Default::default()
        };
        let (mut fast, mut full) = (String::new(), String::new());
        let a = normalize_with::<true>(&v, &opts, &mut fast).map(|()| fast);
        let b = normalize_with::<false>(&v, &opts, &mut full).map(|()| full);
        prop_assert_eq!(a, b, "{}: `{}`", COMMON[c], v);
    }
}
