use super::*;
use proptest::prelude::*;

fn opts(profile: Platform, cc: Option<&str>) -> NormalizeOptions {
    NormalizeOptions {
        profile,
        default_country: cc.map(str::to_owned),
        ip_truncate: false,
        phone: PhoneCheck::Valid,
    }
}

fn meta_vn() -> NormalizeOptions {
    opts(Platform::Meta, Some("VN"))
}

fn n(kind: IdKind, v: &str, o: &NormalizeOptions) -> String {
    normalize(kind, v, o).unwrap_or_else(|e| panic!("{kind} {v:?}: {e}"))
}

#[test]
fn simulator_phone_formats_agree() {
    let formats = [
        "0912 345 678",
        "+84 91 234 5678",
        "0084912345678",
        "(+84) 91-234-5678",
        "091.234.5678",
        "0912345678",
        "+84912345678",
        "84912345678",
    ];
    for p in Platform::ALL {
        let o = opts(p, Some("VN"));
        let want = if p == Platform::Meta {
            "84912345678"
        } else {
            "+84912345678"
        };
        for f in formats {
            assert_eq!(n(IdKind::Phone, f, &o), want, "{p} {f}");
        }
    }
}

#[test]
fn phone_prefixes_and_errors() {
    let gb = opts(Platform::Meta, Some("GB"));
    assert_eq!(n(IdKind::Phone, "+44 (0)20 7946 0958", &gb), "442079460958");
    assert_eq!(
        n(IdKind::Phone, "+44 (0)20 7946 0958", &meta_vn()),
        "442079460958"
    );
    assert_eq!(n(IdKind::Phone, "020 7946 0958", &gb), "442079460958");
    let us = opts(Platform::Google, Some("US"));
    assert_eq!(n(IdKind::Phone, "(650) 555-1234", &us), "+16505551234");
    assert_eq!(n(IdKind::Phone, "1-650-555-1234", &us), "+16505551234");
    let none = opts(Platform::Meta, None);
    assert_eq!(n(IdKind::Phone, "+1 650 555 1234", &none), "16505551234");
    assert!(matches!(
        normalize(IdKind::Phone, "0912345678", &none),
        Err(NormalizeError::Invalid {
            kind: IdKind::Phone,
            ..
        })
    ));
    for bad in [
        "call me",
        "12",
        "0000000000",
        "+",
        "+84 91 234 5678 ext 2",
        "++84912345678",
    ] {
        assert!(normalize(IdKind::Phone, bad, &meta_vn()).is_err(), "{bad}");
    }
    assert_eq!(
        normalize(
            IdKind::Phone,
            "0912345678",
            &opts(Platform::Meta, Some("XX"))
        ),
        Err(NormalizeError::BadDefaultCountry("XX".into()))
    );
}

#[test]
fn fallback_agrees_with_libphonenumber_on_simulator_numbers() {
    let vn = country_by_alpha2("VN").unwrap();
    for nsn in ["912345678", "901234567", "987654321", "961112223"] {
        let national = format!("0{nsn}");
        assert_eq!(
            phone::fallback::national(&national, vn).unwrap(),
            format!("84{nsn}")
        );
        assert_eq!(
            phone::fallback::international(&format!("84{nsn}")).unwrap(),
            format!("84{nsn}")
        );
        assert_eq!(n(IdKind::Phone, &national, &meta_vn()), format!("84{nsn}"));
    }
    let us = country_by_alpha2("us").unwrap();
    assert_eq!(
        phone::fallback::national("6505551234", us).unwrap(),
        "16505551234"
    );
    assert_eq!(
        phone::fallback::national("16505551234", us).unwrap(),
        "16505551234"
    );
}

#[test]
fn emails_per_profile() {
    let m = meta_vn();
    let g = opts(Platform::Google, None);
    assert_eq!(
        n(IdKind::Email, "  John.Smith+promo@GMail.com ", &m),
        "john.smith+promo@gmail.com"
    );
    assert_eq!(
        n(IdKind::Email, "  John.Smith+promo@GMail.com ", &g),
        "johnsmith@gmail.com"
    );
    assert_eq!(
        n(IdKind::Email, "j.s@googlemail.com", &g),
        "js@googlemail.com"
    );
    assert_eq!(n(IdKind::Email, "j.s+x@yahoo.com", &g), "j.s+x@yahoo.com");
    assert_eq!(
        n(
            IdKind::Email,
            "Ann@Example.VN",
            &opts(Platform::Tiktok, None)
        ),
        "ann@example.vn"
    );
    assert_eq!(n(IdKind::Email, "ÄNN@bücher.de", &m), "änn@bücher.de");
    for bad in [
        "null",
        "a@b",
        "@x.com",
        "a@@x.com",
        "a b@x.com",
        "a@x..com",
        "a@.com",
    ] {
        assert!(
            matches!(
                normalize(IdKind::Email, bad, &m),
                Err(NormalizeError::Invalid {
                    kind: IdKind::Email,
                    ..
                })
            ),
            "{bad}"
        );
    }
    assert_eq!(
        normalize(IdKind::Email, "  ", &m),
        Err(NormalizeError::Empty {
            kind: IdKind::Email
        })
    );
    assert!(normalize(IdKind::Email, "+@gmail.com", &g).is_err());
}

#[test]
fn names_cities_states_gender() {
    let m = meta_vn();
    let g = opts(Platform::Google, None);
    assert_eq!(n(IdKind::FirstName, " Mary-Ann ", &m), "maryann");
    assert_eq!(n(IdKind::LastName, "O'Brien", &m), "obrien");
    assert_eq!(n(IdKind::LastName, "Nguyễn", &m), "nguyễn");
    assert_eq!(n(IdKind::FirstName, " Mary Ann ", &g), "mary ann");
    assert!(normalize(IdKind::FirstName, "R2D2", &m).is_err());
    assert!(normalize(IdKind::FirstName, "--", &m).is_err());
    assert_eq!(n(IdKind::City, "Ho Chi Minh City", &m), "hochiminhcity");
    assert_eq!(n(IdKind::City, "St. John's", &m), "stjohns");
    assert_eq!(n(IdKind::State, "California", &m), "ca");
    assert_eq!(n(IdKind::State, "NY", &m), "ny");
    assert_eq!(n(IdKind::State, "New South Wales", &m), "newsouthwales");
    assert_eq!(n(IdKind::Gender, "Female", &m), "f");
    assert_eq!(n(IdKind::Gender, " M ", &m), "m");
    assert_eq!(n(IdKind::Gender, "Nữ", &m), "f");
    assert!(normalize(IdKind::Gender, "unknown", &m).is_err());
}

#[test]
fn dates() {
    let m = meta_vn();
    let us = opts(Platform::Meta, Some("US"));
    for v in [
        "1997-02-16",
        "1997/2/16",
        "19970216",
        "16/02/1997",
        "16.02.1997",
        "1997-02-16T00:00:00Z",
    ] {
        assert_eq!(n(IdKind::DateOfBirth, v, &m), "19970216", "{v}");
    }
    assert_eq!(n(IdKind::DateOfBirth, "03/04/1990", &m), "19900403");
    assert_eq!(n(IdKind::DateOfBirth, "03/04/1990", &us), "19900304");
    assert_eq!(n(IdKind::DateOfBirth, "02/16/1997", &m), "19970216");
    for bad in [
        "1997-02-30",
        "1899-01-01",
        "97-02-16",
        "yesterday",
        "2001-13-01",
        "é1234567",
    ] {
        assert!(normalize(IdKind::DateOfBirth, bad, &m).is_err(), "{bad}");
    }
}

#[test]
fn zips_and_countries() {
    let m = meta_vn();
    assert_eq!(n(IdKind::Zip, "94025-1234", &m), "94025");
    assert_eq!(n(IdKind::Zip, "SW1A 1AA", &m), "sw1a1aa");
    assert_eq!(n(IdKind::Zip, "700000", &m), "700000");
    assert_eq!(
        n(IdKind::Zip, "940251234", &opts(Platform::Meta, Some("US"))),
        "94025"
    );
    assert!(normalize(IdKind::Zip, "9#", &m).is_err());
    for (v, want) in [
        ("US", "us"),
        ("usa", "us"),
        ("United States", "us"),
        ("Viet Nam", "vn"),
        ("Vietnam", "vn"),
        ("VNM", "vn"),
        ("UK", "gb"),
        ("united kingdom", "gb"),
    ] {
        assert_eq!(n(IdKind::Country, v, &m), want, "{v}");
    }
    assert!(normalize(IdKind::Country, "Atlantis", &m).is_err());
    assert!(normalize(IdKind::Country, "XX", &m).is_err());
}

#[test]
fn ids_mac_ip() {
    let m = meta_vn();
    let g = opts(Platform::Google, None);
    assert_eq!(n(IdKind::ExternalId, " C00000123 ", &m), "c00000123");
    assert_eq!(n(IdKind::ExternalId, " C00000123 ", &g), "C00000123");
    assert_eq!(n(IdKind::LoyaltyCard, " lc 0012-3456 ", &m), "LC00123456");
    assert!(normalize(IdKind::LoyaltyCard, "LC#1", &m).is_err());
    assert_eq!(
        n(IdKind::DeviceId, "6F9619FF-8B86-D011-B42D-00C04FC964FF", &m),
        "6f9619ff-8b86-d011-b42d-00c04fc964ff"
    );
    assert_eq!(
        n(IdKind::DeviceId, "fb.1.1596403881668.AbC", &m),
        "fb.1.1596403881668.AbC"
    );
    for v in [
        "AA-BB-CC-DD-EE-FF",
        "aabb.ccdd.eeff",
        "AABBCCDDEEFF",
        "aa:bb:cc:dd:ee:ff",
    ] {
        assert_eq!(n(IdKind::Mac, v, &m), "aa:bb:cc:dd:ee:ff", "{v}");
    }
    for bad in [
        "aa:bb:cc:dd:ee",
        "aa:bb-cc:dd:ee:ff",
        "gg:bb:cc:dd:ee:ff",
        "aabb.ccdd.eeff.0011",
    ] {
        assert!(normalize(IdKind::Mac, bad, &m).is_err(), "{bad}");
    }
    // Leading zeros are ambiguous (octal in some parsers): rejected rather than guessed.
    assert!(normalize(IdKind::Ip, "192.168.001.1", &m).is_err());
    assert_eq!(n(IdKind::Ip, "203.0.113.7", &m), "203.0.113.7");
    assert_eq!(n(IdKind::Ip, "2001:DB8:0:0:0:0:0:1", &m), "2001:db8::1");
    assert_eq!(n(IdKind::Ip, "[::ffff:203.0.113.7]", &m), "203.0.113.7");
    let t = NormalizeOptions {
        ip_truncate: true,
        ..m.clone()
    };
    assert_eq!(n(IdKind::Ip, "203.0.113.7", &t), "203.0.113.0");
    assert_eq!(
        n(IdKind::Ip, "2001:db8:abcd:12:1:2:3:4", &t),
        "2001:db8:abcd::"
    );
    assert!(normalize(IdKind::Ip, "300.1.1.1", &m).is_err());
}

#[test]
fn errors_name_the_kind() {
    let e = normalize(IdKind::Mac, "zz", &meta_vn()).unwrap_err();
    assert!(e.to_string().starts_with("mac: "), "{e}");
    let e = normalize(IdKind::City, "a\u{7}b", &meta_vn()).unwrap_err();
    assert_eq!(e.to_string(), "city: contains control characters");
}

#[test]
fn options_deserialise_with_defaults() {
    let o: NormalizeOptions =
        serde_json::from_str(r#"{"profile":"google","default_country":"VN"}"#).unwrap();
    assert_eq!(o.profile, Platform::Google);
    assert_eq!(o.default_country.as_deref(), Some("VN"));
    assert!(!o.ip_truncate);
    assert_eq!(
        serde_json::from_str::<NormalizeOptions>("{}").unwrap(),
        NormalizeOptions::default()
    );
}

#[test]
fn profile_parses_and_serialises() {
    for p in Platform::ALL {
        assert_eq!(p.as_str().parse::<Platform>().unwrap(), p);
        assert_eq!(serde_json::to_string(&p).unwrap(), format!("\"{p}\""));
    }
}

/// Inputs shaped like real captures of every kind, plus arbitrary text.
fn any_input() -> impl Strategy<Value = (IdKind, String)> {
    let kind = prop::sample::select(IdKind::ALL.to_vec());
    let realistic = prop_oneof![
        "[ ]{0,2}[A-Za-z0-9._+-]{1,12}@[A-Za-z0-9-]{1,8}\\.(com|vn|CO\\.UK)[ ]{0,2}",
        "(\\+84 |0084|0|\\(\\+84\\) )(90|91|93|94|96|97|98)[ .-]?[0-9]{3}[ .-]?[0-9]{4}",
        "\\+?[0-9 ()-]{4,16}",
        "[0-9]{1,2}[/.-][0-9]{1,2}[/.-](19|20)[0-9]{2}",
        "(19|20)[0-9]{2}[/.-]?[01][0-9][/.-]?[0-3][0-9]",
        "[A-Fa-f0-9]{2}([:-][A-Fa-f0-9]{2}){5}",
        "[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}",
        "[A-Za-zÀ-ỹ' .-]{1,20}",
        "\\PC{0,20}",
    ];
    (kind, realistic)
}

proptest! {
    #[test]
    fn normalize_is_idempotent((kind, v) in any_input(), p in 0usize..3, cc in prop::sample::select(vec![None, Some("VN"), Some("US"), Some("GB")]), trunc in any::<bool>()) {
        let o = NormalizeOptions { profile: Platform::ALL[p], default_country: cc.map(str::to_owned), ip_truncate: trunc, phone: if trunc { PhoneCheck::Possible } else { PhoneCheck::Valid } };
        if let Ok(once) = normalize(kind, &v, &o) {
            prop_assert!(!once.is_empty());
            let twice = normalize(kind, &once, &o);
            prop_assert_eq!(twice.as_ref(), Ok(&once), "{} {:?}", kind, v);
        }
    }

    #[test]
    fn normalize_into_matches_normalize((kind, v) in any_input()) {
        let o = meta_vn();
        let mut buf = String::from("stale");
        let r = normalize_into(kind, &v, &o, &mut buf);
        match normalize(kind, &v, &o) {
            Ok(s) => { prop_assert!(r.is_ok()); prop_assert_eq!(buf, s); }
            Err(e) => { prop_assert_eq!(r, Err(e)); prop_assert!(buf.is_empty()); }
        }
    }
}

/// Email-shaped strings with the edge cases the one-pass path must hand back: case, spaces,
/// controls, non-ASCII, extra `@`, empty labels, Gmail domains.
fn email_like() -> impl Strategy<Value = String> {
    "[ \\t]{0,2}[A-Za-z0-9.+_ \\x01é@-]{0,12}@?[A-Za-z0-9.@é -]{0,10}(\\.com|\\.vn|gmail\\.com|GoogleMail\\.COM|\\.)?[ \\r]{0,2}"
}

proptest! {
    #[test]
    fn email_fast_path_agrees_with_the_general_rules(v in email_like(), p in 0usize..3) {
        let o = NormalizeOptions { profile: Platform::ALL[p], ..NormalizeOptions::default() };
        let (mut fast, mut general) = (String::from("stale"), String::from("stale"));
        let rf = normalize_into(IdKind::Email, &v, &o, &mut fast);
        let rg = super::normalize_general(IdKind::Email, &v, &o, &mut general);
        prop_assert_eq!(rf, rg, "{:?}", v);
        prop_assert_eq!(fast, general, "{:?}", v);
    }
}

#[test]
fn email_fast_path_takes_plain_addresses_and_leaves_the_rest() {
    let mut out = String::new();
    assert!(super::email::fast_ascii(
        " Ann.Lee@Example.COM\r",
        Platform::Meta,
        &mut out
    ));
    assert_eq!(out, "ann.lee@example.com");
    for hard in [
        "a@b@c.com",
        "@x.com",
        "a@x",
        "a@.x.com",
        "a b@x.com",
        "é@x.com",
        "a@x.com.",
    ] {
        assert!(
            !super::email::fast_ascii(hard, Platform::Meta, &mut out),
            "{hard}"
        );
    }
    // Gmail under Google's rules needs the dot and +suffix removal of the general path.
    assert!(!super::email::fast_ascii(
        "a.b+c@gmail.com",
        Platform::Google,
        &mut out
    ));
    assert!(super::email::fast_ascii(
        "a.b+c@gmail.com",
        Platform::Meta,
        &mut out
    ));
}

proptest! {
    #[test]
    fn swar_at_scan_equals_a_byte_loop(v in prop::collection::vec(prop_oneof![Just(b'@'), Just(b' '), Just(0x7f_u8), Just(0x21_u8), Just(0x7e_u8), any::<u8>()], 0..40)) {
        let printable = v.iter().all(|b| (0x21..0x7f).contains(b));
        let ats: Vec<usize> = v.iter().enumerate().filter(|(_, b)| **b == b'@').map(|(i, _)| i).collect();
        let want = (printable && ats.len() == 1).then(|| ats[0]);
        prop_assert_eq!(super::email::only_at(&v), want);
    }
}

/// The compact rules (the web tag has no libphonenumber) never reject an unambiguous number
/// that libphonenumber accepts — a national number written with its trunk prefix, or an
/// international one written with `+` — and give the same E.164 digits; the three-digit prefix
/// table makes them reject most numbers in ranges no operator uses, such as a VN `0123456789`.
/// (Bare digits without either are ambiguous: the compact rules may read some as international
/// that libphonenumber reads as national; see docs/js-api.md.)
#[cfg(feature = "phone")]
#[test]
fn fallback_never_rejects_what_libphonenumber_accepts() {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
    let (mut accepted, mut both_reject, mut compact_only) = (0, 0, 0);
    let mut missed: Vec<String> = Vec::new();
    for cc in [
        "VN", "US", "GB", "DE", "FR", "JP", "IN", "BR", "SG", "AU", "NO", "IT", "CN", "ID",
    ] {
        let country = country_by_alpha2(cc).unwrap();
        let o = opts(Platform::Meta, Some(cc));
        for _ in 0..2_000 {
            let len = rng.random_range(usize::from(country.min_len)..=usize::from(country.max_len));
            let nsn: String = (0..len)
                .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
                .collect();
            // A trunk prefix after the country code is checked on its own below; here the
            // number is written as dialled from abroad.
            if !country.trunk().is_empty() && nsn.starts_with(country.trunk()) {
                continue;
            }
            let mut cases = vec![(format!("+{}{nsn}", country.calling_code), {
                phone::fallback::international(&format!("{}{nsn}", country.calling_code))
            })];
            if !country.trunk().is_empty() && !nsn.starts_with(country.trunk()) {
                let national = format!("{}{nsn}", country.trunk());
                let compact = phone::fallback::national(&national, country);
                cases.push((national, compact));
            }
            for (input, compact) in cases {
                match (normalize(IdKind::Phone, &input, &o).ok(), compact) {
                    (Some(l), c) => {
                        if c.as_ref() != Some(&l) {
                            missed.push(format!("{cc} {input}: {l} vs {c:?}"));
                        }
                        accepted += 1;
                    }
                    (None, None) => both_reject += 1,
                    (None, Some(_)) => compact_only += 1,
                }
            }
        }
    }
    println!(
        "accepted by both {accepted}, rejected by both {both_reject}, accepted only by the compact rules {compact_only}, rejected only by them {}",
        missed.len()
    );
    // The table comes from Python `phonenumbers` 9.0.43 metadata and the native path from the
    // `phonenumber` crate's (9.0.33), which are not the same release: a few ranges differ (Norwegian
    // 49x mobiles), and the compact rules know only `+` and `00`, not every country's own
    // international prefix (Japan's `010`). Measured: 33 of 10,702 (0.3 %).
    assert!(
        missed.len() * 200 <= accepted,
        "{} missed: {:?}",
        missed.len(),
        &missed[..missed.len().min(20)]
    );
    assert!(accepted > 1_000, "{accepted}");
    assert!(both_reject > compact_only, "{both_reject} {compact_only}");
    let vn = country_by_alpha2("VN").unwrap();
    assert_eq!(phone::fallback::national("0123456789", vn), None);
    assert_eq!(phone::fallback::international("84123456789"), None);
    // The trunk prefix written after the country code is dropped, as libphonenumber does.
    assert_eq!(
        phone::fallback::international("840912345678").as_deref(),
        Some("84912345678")
    );
    assert_eq!(
        phone::fallback::international("4402079460018").as_deref(),
        Some("442079460018")
    );
}

/// The packed tables read back whole: every country's codes and trunk, every name and state
/// record (sorted, found by `packed_lookup`), and misses between and around them.
#[test]
fn generated_tables_read_back() {
    let mut last = "";
    for c in tables::COUNTRIES {
        assert!(
            c.alpha2() > last,
            "COUNTRIES sorted by alpha-2 at {}",
            c.alpha2()
        );
        last = c.alpha2();
        assert!(c.alpha2().len() == 2 && c.alpha2().bytes().all(|b| b.is_ascii_uppercase()));
        assert!(c.alpha3().len() == 3 && c.alpha3().bytes().all(|b| b.is_ascii_uppercase()));
        assert!(c.trunk().len() <= 2 && c.trunk().bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(
            country_by_alpha2(c.alpha2()).map(|f| f.alpha3()),
            Some(c.alpha3())
        );
    }
    assert_eq!(country_by_alpha2("HU").map(|c| c.trunk()), Some("06"));
    assert_eq!(country_by_alpha2("VN").map(|c| c.trunk()), Some("0"));
    assert_eq!(country_by_alpha2("AD").map(|c| c.trunk()), Some(""));
    for (records, ends, count) in [
        (tables::COUNTRY_NAMES, tables::COUNTRY_NAME_ENDS, 400),
        (tables::US_STATES, tables::US_STATE_ENDS, 50),
    ] {
        assert!(ends.len() > count);
        assert_eq!(ends.last().map(|&e| usize::from(e)), Some(records.len()));
        let mut last = "";
        for i in 0..ends.len() {
            let (name, code) = packed_record(records, ends, i).unwrap();
            assert!(name > last, "sorted at {name}");
            last = name;
            assert!(code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase()));
            assert_eq!(packed_lookup(records, ends, name), Some(code));
            for probe in [format!("{name}a"), name[..name.len() - 1].to_owned()] {
                let linear = (0..ends.len())
                    .filter_map(|j| packed_record(records, ends, j))
                    .find(|(n, _)| *n == probe)
                    .map(|(_, c)| c);
                assert_eq!(packed_lookup(records, ends, &probe), linear, "{probe}");
            }
        }
        assert_eq!(packed_lookup(records, ends, ""), None);
        assert_eq!(packed_lookup(records, ends, "zzzzzz"), None);
    }
    assert_eq!(
        packed_lookup(tables::US_STATES, tables::US_STATE_ENDS, "newyork"),
        Some("NY")
    );
    assert_eq!(
        packed_lookup(tables::COUNTRY_NAMES, tables::COUNTRY_NAME_ENDS, "vietnam"),
        Some("VN")
    );
}
