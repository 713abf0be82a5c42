use super::*;
use crate::consent::{ConsentMode, ConsentState};
use crate::event::{CheckIn, CheckInMethod, Event, IdKind, Identifier, Item};
use crate::hashing::{self, NormalizeOptions, normalize, sha256_hex};
use crate::measure::group_visits;
use proptest::prelude::*;

fn mode(upload: ConsentState, personalise: ConsentState) -> ConsentSignals {
    ConsentSignals {
        tcf: None,
        gcm: Some(ConsentMode {
            ad_storage: ConsentState::Granted,
            analytics_storage: ConsentState::Granted,
            ad_user_data: upload,
            ad_personalization: personalise,
        }),
    }
}

fn state(i: u8) -> ConsentState {
    match i % 3 {
        0 => ConsentState::Granted,
        1 => ConsentState::Denied,
        _ => ConsentState::Unknown,
    }
}

/// A check-in of person `person`, whose email and phone are unique to this check-in (`n`), so
/// that a hash in an export names exactly one check-in.
fn checkin(n: usize, person: usize, ts: i64, consent: Option<ConsentSignals>) -> Event {
    Event::CheckIn(CheckIn {
        id: None,
        method: CheckInMethod::PosPurchase,
        store: "S1".into(),
        region: None,
        timestamp: ts,
        value: Some(10.0 + n as f64),
        currency: Some("USD".into()),
        items: vec![Item {
            sku: format!("SKU{n}"),
            quantity: 1,
            price: 10.0,
        }],
        campaign: None,
        voucher: None,
        channel: None,
        tracking: None,
        identifiers: vec![
            Identifier::new(IdKind::LoyaltyCard, format!("LC{person:06}")),
            Identifier::new(IdKind::Email, format!("c{n}.p{person}@example.com")),
            Identifier::new(IdKind::Phone, format!("+8491234{:04}", n % 10_000)),
        ],
        consent,
    })
}

fn card_key(e: &Event) -> Option<String> {
    e.identifiers()
        .iter()
        .find(|i| i.kind == IdKind::LoyaltyCard)
        .map(|i| i.value.clone())
}

/// Every hash and clear value a check-in's identifiers could appear as, under every profile.
fn forms(e: &Event) -> Vec<String> {
    let mut out = Vec::new();
    for id in e.identifiers() {
        if id.kind == IdKind::LoyaltyCard {
            continue; // shared by the person's other check-ins
        }
        out.push(id.value.clone());
        for p in hashing::Platform::ALL {
            let o = NormalizeOptions {
                profile: p,
                ..NormalizeOptions::default()
            };
            if let Ok(n) = normalize(id.kind, &id.value, &o) {
                out.push(sha256_hex(&n));
                out.push(n);
            }
        }
    }
    out
}

fn export_all(events: &[Event]) -> Vec<(Platform, String, ExportSummary)> {
    let gate = ConsentGate::default();
    let visits = group_visits(events, &card_key, 2 * 3600);
    let (convs, _) = conversions(events, &visits, &card_key, (None, None), &gate, 90 * 86_400);
    let (members, _) = audience_members(events, &card_key, i64::MAX, &AudienceOptions::default());
    let opts = ExportOptions::default();
    Platform::ALL
        .into_iter()
        .map(|p| {
            let mut out = Vec::new();
            let s = if p.is_audience() {
                export_audience(p, &members, &opts, &mut out)
            } else {
                export_conversions(p, &convs, &opts, &mut out)
            };
            let s = s.unwrap_or_else(|e| panic!("{p}: {e}"));
            (p, String::from_utf8(out).unwrap_or_default(), s)
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Fail closed: no value of a check-in without a `hash_for_upload` permit appears, hashed or
    /// not, in any platform's export, whatever the consent of the other check-ins of its visit
    /// and person.
    #[test]
    fn no_record_without_upload_permission_appears_in_any_export(
        records in proptest::collection::vec((0usize..6, 0i64..400_000, any::<u8>(), any::<u8>(), any::<bool>()), 1..40)
    ) {
        let gate = ConsentGate::default();
        let events: Vec<Event> = records
            .iter()
            .enumerate()
            .map(|(n, (person, ts, up, pers, has))| {
                let consent = has.then(|| mode(state(*up), state(*pers)));
                checkin(n, *person, *ts, consent)
            })
            .collect();
        let forbidden: Vec<String> = events
            .iter()
            .filter(|e| !gate.check(crate::consent::Operation::HashForUpload, e.consent()).allowed)
            .flat_map(forms)
            .collect();
        for (p, text, s) in export_all(&events) {
            for f in &forbidden {
                prop_assert!(!text.contains(f.as_str()), "{p}: `{f}` of a check-in without permission in {text}");
            }
            prop_assert!(s.exported <= s.records);
        }
    }
}

#[test]
fn permitted_check_ins_are_exported_and_hashed_by_the_platforms_rules() {
    let granted = Some(mode(ConsentState::Granted, ConsentState::Granted));
    let events = vec![checkin(0, 1, 1_000, granted.clone())];
    for (p, text, s) in export_all(&events) {
        if p == Platform::GoogleAdsClicks {
            // No Google click led to this visit.
            assert_eq!((s.exported, s.no_identifier), (0, 1), "{p}: {s:?}");
            continue;
        }
        assert_eq!((s.records, s.exported), (1, 1), "{p}: {s:?}");
        let opts = NormalizeOptions {
            profile: p.profile(),
            ..NormalizeOptions::default()
        };
        let phone = sha256_hex(&normalize(IdKind::Phone, "+84912340000", &opts).unwrap());
        assert!(text.contains(&phone), "{p}: {text}");
    }
}

#[test]
fn a_visit_takes_only_the_identifiers_of_its_permitted_check_ins() {
    let granted = Some(mode(ConsentState::Granted, ConsentState::Granted));
    let denied = Some(mode(ConsentState::Denied, ConsentState::Granted));
    // One person, one visit: a permitted purchase and a Wi-Fi join without permission.
    let events = vec![checkin(0, 1, 1_000, granted), checkin(1, 1, 1_600, denied)];
    let visits = group_visits(&events, &card_key, 2 * 3600);
    assert_eq!(visits.len(), 1);
    let (c, kept_out) = conversions(
        &events,
        &visits,
        &card_key,
        (None, None),
        &ConsentGate::default(),
        0,
    );
    assert_eq!(kept_out, 1);
    assert!(
        c[0].identifiers
            .iter()
            .all(|i| !i.value.starts_with("c1.") && i.value != "+84912340001")
    );
}

#[test]
fn batches_hold_at_most_the_platforms_limit() {
    let granted = Some(mode(ConsentState::Granted, ConsentState::Granted));
    let events: Vec<Event> = (0..2_500)
        .map(|n| checkin(n, n, n as i64 * 10_000, granted.clone()))
        .collect();
    for (p, text, s) in export_all(&events) {
        if p == Platform::GoogleAdsClicks {
            continue;
        }
        if p.batch_size() == 0 {
            assert_eq!(
                text.lines().count() as u64,
                s.exported + 1,
                "{p}: header + rows"
            );
            continue;
        }
        let lines = text.lines().count() as u64;
        assert_eq!(lines, s.batches, "{p}");
        assert_eq!(lines, s.exported.div_ceil(p.batch_size() as u64), "{p}");
    }
}

#[test]
fn platform_names_round_trip_and_options_are_checked() {
    for p in Platform::ALL {
        assert_eq!(p.as_str().parse::<Platform>().unwrap(), p);
    }
    let bad = ExportOptions {
        currency: Some("dong".into()),
        ..ExportOptions::default()
    };
    assert!(export_conversions(Platform::MetaCapi, &[], &bad, Vec::new()).is_err());
    assert!(matches!(
        export_audience(
            Platform::MetaCapi,
            &[],
            &ExportOptions::default(),
            Vec::new()
        ),
        Err(ActivationError::WrongInput { .. })
    ));
}

#[test]
fn suppression_leaves_out_recent_buyers_of_a_sku_or_its_category() {
    let granted = Some(mode(ConsentState::Granted, ConsentState::Granted));
    let events = vec![
        checkin(0, 1, 90 * 86_400, granted.clone()), // SKU0, recent
        checkin(1, 2, 10, granted.clone()),          // SKU1, long ago
        checkin(2, 3, 90 * 86_400, granted),         // SKU2
    ];
    let mut catalog = std::collections::HashMap::new();
    catalog.insert("SKU2".to_owned(), "phones".to_owned());
    let opts = AudienceOptions {
        suppression: Some(Suppression {
            products: vec!["SKU0".into(), "SKU1".into(), "phones".into()],
            within_secs: 30 * 86_400,
            catalog,
        }),
        ..AudienceOptions::default()
    };
    let (m, stats) = audience_members(&events, &card_key, 91 * 86_400, &opts);
    assert_eq!(stats.suppressed, 2);
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].profile, "LC000002");
}

/// A person with several emails and phones: every consented value is written, once after
/// normalisation (two spellings of one email are one value), at most three of each: in
/// repeated columns for Customer Match, in a person's consecutive rows for Meta.
#[test]
fn audiences_carry_every_distinct_email_and_phone_up_to_the_platforms_limit() {
    let ids = vec![
        Identifier::new(IdKind::Email, " Ann.Lee@Example.com "),
        Identifier::new(IdKind::Email, "ann.lee@example.com"),
        Identifier::new(IdKind::Email, "ann@work.example"),
        Identifier::new(IdKind::Phone, "+84 91 234 0001"),
        Identifier::new(IdKind::Phone, "+84912340001"),
        Identifier::new(IdKind::Phone, "+84 91 234 0002"),
        Identifier::new(IdKind::Phone, "+84 91 234 0003"),
        Identifier::new(IdKind::Phone, "+84 91 234 0004"),
    ];
    let member = |profile: &str, identifiers: Vec<Identifier>| AudienceMember {
        profile: profile.into(),
        rule: None,
        because: Vec::new(),
        identifiers,
        consent: Some(mode(ConsentState::Granted, ConsentState::Granted)),
        viewed_not_bought: Vec::new(),
    };
    let one_email = vec![Identifier::new(IdKind::Email, "bo@example.com")];
    let members = [member("p1", ids.clone()), member("p2", one_email)];
    for (platform, profile) in [
        (Platform::CustomerMatch, hashing::Platform::Google),
        (Platform::MetaAudience, hashing::Platform::Meta),
    ] {
        let o = NormalizeOptions {
            profile,
            ..NormalizeOptions::default()
        };
        let distinct = |kind: IdKind| {
            let mut v: Vec<String> = ids
                .iter()
                .filter(|i| i.kind == kind)
                .map(|i| sha256_hex(&normalize(kind, &i.value, &o).unwrap()))
                .collect();
            v.sort();
            v.dedup();
            v
        };
        let (emails, phones) = (distinct(IdKind::Email), distinct(IdKind::Phone));
        assert_eq!((emails.len(), phones.len()), (2, 4), "{platform}");
        // Rows come in their own sorted order, not profile order: p2 is found by its email.
        let bo = sha256_hex(&normalize(IdKind::Email, "bo@example.com", &o).unwrap());
        let mut out = Vec::new();
        let s = export_audience(platform, &members, &ExportOptions::default(), &mut out).unwrap();
        assert_eq!(s.exported, 2, "{platform}");
        let text = String::from_utf8(out).unwrap();
        let rows: Vec<Vec<String>> = if platform == Platform::CustomerMatch {
            let mut r = csv::Reader::from_reader(text.as_bytes());
            let header: Vec<String> = r.headers().unwrap().iter().map(str::to_owned).collect();
            assert_eq!(
                header[..6],
                ["Email", "Email", "Email", "Phone", "Phone", "Phone"]
            );
            let mut rows: Vec<Vec<String>> = r
                .records()
                .map(|rec| rec.unwrap().iter().map(str::to_owned).collect())
                .collect();
            rows.sort_by_key(|r| r[0] == bo);
            rows
        } else {
            let body: serde_json::Value = serde_json::from_str(text.trim_end()).unwrap();
            let schema = &body["payload"]["schema"];
            assert_eq!(schema[0], "EMAIL");
            assert_eq!(schema[1], "PHONE");
            assert_eq!(schema.as_array().unwrap().len(), 9, "distinct keys only");
            let data: Vec<Vec<String>> =
                serde_json::from_value(body["payload"]["data"].clone()).unwrap();
            // p1 takes a row per distinct phone (three of four), p2 one row; the k-th email and
            // phone of a person are in their k-th row, and every row repeats the other keys.
            assert_eq!(data.len(), 4, "rows: three for p1, one for p2");
            let p2 = data.iter().position(|r| r[0] == bo).unwrap();
            assert!(p2 == 0 || p2 == 3, "a person's rows stay together");
            let p1: Vec<Vec<String>> = (0..4)
                .filter(|&i| i != p2)
                .map(|i| data[i].clone())
                .collect();
            assert!(p1.iter().all(|r| r[2..] == p1[0][2..]));
            let wide = |rows: &[Vec<String>]| -> Vec<String> {
                let col = |c: usize| {
                    (0..3).map(move |k| rows.get(k).map_or(String::new(), |r| r[c].clone()))
                };
                col(0).chain(col(1)).collect()
            };
            vec![wide(&p1), wide(&data[p2..=p2])]
        };
        let expected_emails = [emails[0].as_str(), emails[1].as_str(), ""];
        assert_eq!(
            &rows[0][..3],
            &expected_emails[..],
            "{platform}: distinct emails"
        );
        assert_eq!(
            &rows[0][3..6],
            &phones[..3],
            "{platform}: the first three phones"
        );
        assert!(
            !text.contains(&phones[3]),
            "{platform}: at most three phones"
        );
        assert_eq!(
            &rows[1][1..6],
            ["", "", "", "", ""],
            "{platform}: empty cells"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Viewed online, not bought.

const DAY: i64 = 86_400;
const NOW: i64 = 1_772_323_200 + 60 * DAY;

fn email(who: &str) -> Vec<Identifier> {
    vec![Identifier::new(IdKind::Email, format!("{who}@x.vn"))]
}

fn view(who: &str, sku: &str, ts: i64, consent: Option<ConsentSignals>) -> Event {
    Event::ProductView(crate::event::ProductView {
        id: None,
        sku: sku.into(),
        name: Some(format!("{sku} name")),
        channel: "web".into(),
        campaign: None,
        timestamp: ts,
        price: Some(100.0),
        currency: Some("VND".into()),
        tracking: None,
        identifiers: email(who),
        consent,
    })
}

fn receipt(who: &str, sku: &str, ts: i64) -> Event {
    Event::CheckIn(CheckIn {
        id: None,
        method: CheckInMethod::PosPurchase,
        store: "S1".into(),
        region: None,
        timestamp: ts,
        value: Some(100.0),
        currency: Some("VND".into()),
        items: vec![Item {
            sku: sku.into(),
            quantity: 1,
            price: 100.0,
        }],
        campaign: None,
        voucher: None,
        channel: None,
        tracking: None,
        identifiers: email(who),
        consent: None,
    })
}

fn online_order(who: &str, sku: &str, ts: i64) -> Event {
    Event::Touchpoint(crate::event::Touchpoint {
        id: None,
        action: crate::event::TouchAction::Purchase,
        channel: "web".into(),
        campaign: None,
        timestamp: ts,
        cost: None,
        value: Some(100.0),
        currency: Some("VND".into()),
        identifiers: email(who),
        consent: None,
        tracking: None,
        order: Some(Box::new(crate::event::Order {
            fulfilment: crate::event::Fulfilment::Delivery,
            pickup_store: None,
            pickup_time: None,
            items: vec![Item {
                sku: sku.into(),
                quantity: 1,
                price: 100.0,
            }],
        })),
        exposure: Default::default(),
    })
}

fn yes() -> Option<ConsentSignals> {
    Some(mode(ConsentState::Granted, ConsentState::Granted))
}

fn email_key(e: &Event) -> Option<String> {
    e.identifiers().first().map(|i| i.value.clone())
}

/// The viewed-not-bought list at `NOW` (30-day window): profile → SKUs.
fn viewed_list(events: &[Event]) -> (BTreeMap<String, Vec<String>>, AudienceStats) {
    let opts = AudienceOptions {
        viewed: Some(ViewedOptions::default()),
        ..AudienceOptions::default()
    };
    let (members, stats) = audience_members(events, &email_key, NOW, &opts);
    let list = members
        .into_iter()
        .map(|m| {
            (
                m.profile,
                m.viewed_not_bought.into_iter().map(|p| p.sku).collect(),
            )
        })
        .collect();
    (list, stats)
}

use std::collections::BTreeMap;

#[test]
fn a_product_viewed_and_not_bought_is_listed_with_its_details() {
    let events = [
        view("ann", "PHONE", NOW - 3 * DAY, yes()),
        view("ann", "PHONE", NOW - 2 * DAY, None),
    ];
    let opts = AudienceOptions {
        viewed: Some(ViewedOptions::default()),
        ..AudienceOptions::default()
    };
    let (members, _) = audience_members(&events, &email_key, NOW, &opts);
    assert_eq!(members.len(), 1);
    assert_eq!(
        members[0].viewed_not_bought,
        vec![ViewedProduct {
            sku: "PHONE".into(),
            name: Some("PHONE name".into()),
            price: Some(100.0),
            currency: Some("VND".into()),
            last_viewed: NOW - 2 * DAY,
            views: 2,
        }]
    );
    let json = serde_json::to_string(&members[0]).unwrap();
    assert!(
        json.contains(r#""viewed_not_bought":[{"sku":"PHONE","name":"PHONE name","price":100.0,"currency":"VND","last_viewed":"#),
        "{json}"
    );
}

#[test]
fn a_product_bought_after_its_view_in_a_store_or_online_is_not_listed() {
    let (list, stats) = viewed_list(&[
        view("ann", "PHONE", NOW - 5 * DAY, yes()),
        receipt("ann", "PHONE", NOW - 4 * DAY),
        view("bob", "PHONE", NOW - 5 * DAY, yes()),
        online_order("bob", "PHONE", NOW - 5 * DAY),
    ]);
    assert!(list.is_empty(), "{list:?}");
    assert_eq!(stats.nothing_viewed, 2);
}

#[test]
fn a_purchase_of_another_product_or_by_someone_else_leaves_the_view_listed() {
    let (list, _) = viewed_list(&[
        view("ann", "PHONE", NOW - 5 * DAY, yes()),
        receipt("ann", "CASE", NOW - 4 * DAY),
        online_order("ann", "TEA", NOW - 3 * DAY),
        receipt("bob", "PHONE", NOW - 3 * DAY),
    ]);
    assert_eq!(list["ann@x.vn"], vec!["PHONE".to_owned()]);
}

#[test]
fn a_view_after_a_purchase_puts_the_product_back_and_purchases_after_now_do_not_count() {
    let (list, _) = viewed_list(&[
        view("ann", "PHONE", NOW - 9 * DAY, yes()),
        receipt("ann", "PHONE", NOW - 8 * DAY),
        view("ann", "PHONE", NOW - 2 * DAY, None),
        view("ann", "WATCH", NOW - DAY, None),
        receipt("ann", "WATCH", NOW + DAY),
    ]);
    assert_eq!(
        list["ann@x.vn"],
        vec!["WATCH".to_owned(), "PHONE".to_owned()],
        "latest view first"
    );
}

#[test]
fn a_view_outside_the_window_is_not_listed() {
    let (list, _) = viewed_list(&[
        view("ann", "PHONE", NOW - 31 * DAY, yes()),
        view("ann", "WATCH", NOW - 30 * DAY, None),
        view("ann", "LATER", NOW + 1, None),
    ]);
    assert_eq!(list["ann@x.vn"], vec!["WATCH".to_owned()]);
    let opts = AudienceOptions {
        viewed: Some(ViewedOptions {
            within_secs: 7 * DAY,
        }),
        ..AudienceOptions::default()
    };
    let (members, stats) = audience_members(
        &[view("ann", "WATCH", NOW - 8 * DAY, yes())],
        &email_key,
        NOW,
        &opts,
    );
    assert!(members.is_empty());
    assert_eq!(stats.nothing_viewed, 1);
}

#[test]
fn no_profile_without_marketing_consent_is_listed() {
    let (list, stats) = viewed_list(&[
        // No consent signal at all.
        view("ann", "PHONE", NOW - DAY, None),
        // Upload allowed, personalisation denied.
        view(
            "bob",
            "PHONE",
            NOW - DAY,
            Some(mode(ConsentState::Granted, ConsentState::Denied)),
        ),
        // Granted, then withdrawn.
        view("cat", "PHONE", NOW - 3 * DAY, yes()),
        view(
            "cat",
            "PHONE",
            NOW - 2 * DAY,
            Some(mode(ConsentState::Granted, ConsentState::Denied)),
        ),
        // Granted and denied in the same second: denied wins.
        view("dan", "PHONE", NOW - DAY, yes()),
        view(
            "dan",
            "WATCH",
            NOW - DAY,
            Some(mode(ConsentState::Granted, ConsentState::Denied)),
        ),
        // Granted.
        view("eve", "PHONE", NOW - DAY, yes()),
    ]);
    assert_eq!(list.keys().collect::<Vec<_>>(), ["eve@x.vn"]);
    assert_eq!(stats.no_marketing_consent, 4);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]
    /// Whatever the events, no listed product was bought by its profile at or after its last
    /// view (up to the list's time), every listed product was viewed in the window, every
    /// listed profile has marketing consent, and the order of the events does not matter.
    #[test]
    fn the_list_never_holds_a_product_bought_after_its_view(
        raw in proptest::collection::vec(
            (0u8..4, 0u8..3, 0u8..4, -40i64..5, any::<u8>()),
            1..40,
        ),
        within_days in 1i64..40,
    ) {
        let people = ["ann", "bob", "cat"];
        let skus = ["PHONE", "CASE", "TEA"];
        let events: Vec<Event> = raw
            .iter()
            .map(|&(what, who, sku, day, c)| {
                let who = people[usize::from(who) % people.len()];
                let sku = skus[usize::from(sku) % skus.len()];
                let ts = NOW + day * DAY / 2;
                let consent = (c % 4 != 3).then(|| mode(state(c), state(c / 3)));
                match what {
                    0 | 1 => view(who, sku, ts, consent),
                    2 => receipt(who, sku, ts),
                    _ => online_order(who, sku, ts),
                }
            })
            .collect();
        let opts = AudienceOptions {
            viewed: Some(ViewedOptions { within_secs: within_days * DAY }),
            ..AudienceOptions::default()
        };
        let (members, _) = audience_members(&events, &email_key, NOW, &opts);
        let gate = ConsentGate::default();
        for m in &members {
            prop_assert!(!m.viewed_not_bought.is_empty());
            // The latest signals of the profile allow personalisation.
            let latest = events
                .iter()
                .filter(|e| email_key(e).as_deref() == Some(m.profile.as_str()) && e.timestamp() <= NOW)
                .filter_map(|e| e.consent().map(|c| (e.timestamp(), c)))
                .max_by_key(|(t, _)| *t);
            let (t, _) = latest.expect("a listed profile gave consent");
            let all_ok = events
                .iter()
                .filter(|e| email_key(e).as_deref() == Some(m.profile.as_str()) && e.timestamp() == t)
                .filter_map(|e| e.consent())
                .all(|c| gate.check(Operation::Personalise, Some(c)).allowed);
            prop_assert!(all_ok);
            for p in &m.viewed_not_bought {
                prop_assert!(p.last_viewed <= NOW && p.last_viewed >= NOW - within_days * DAY);
                let bought_after = events.iter().any(|e| {
                    email_key(e).as_deref() == Some(m.profile.as_str())
                        && e.timestamp() >= p.last_viewed
                        && e.timestamp() <= NOW
                        && match e {
                            Event::CheckIn(c) => c.items.iter().any(|i| i.sku == p.sku),
                            Event::Touchpoint(t) => t.order.as_ref().is_some_and(|o| o.items.iter().any(|i| i.sku == p.sku)),
                            Event::ProductView(_) => false,
                        }
                });
                prop_assert!(!bought_after, "{} bought {} after viewing it", m.profile, p.sku);
            }
        }
        let mut reversed = events.clone();
        reversed.reverse();
        let (again, _) = audience_members(&reversed, &email_key, NOW, &opts);
        prop_assert_eq!(again, members);
    }
}

// ---------------------------------------------------------------------------------------------
// Uploads from a keyed store.

/// With stored hashes, an email or phone pseudonym sends the hash stored for the platform (two
/// Gmail spellings that Google hashes alike each find it), a phone no upload sends counts as
/// invalid, a CRM id or card pseudonym is counted and left out, and another default country
/// than the store's is refused.
#[test]
fn a_keyed_store_sends_its_stored_hashes_and_leaves_out_what_has_none() {
    use std::sync::Arc;
    let google = |v: &str, kind: IdKind| {
        let o = NormalizeOptions {
            profile: hashing::Platform::Google,
            ..NormalizeOptions::default()
        };
        sha256_hex(&normalize(kind, v, &o).unwrap())
    };
    let same = google("a.nn@gmail.com", IdKind::Email);
    assert_eq!(same, google("ann@gmail.com", IdKind::Email));
    let mut stored = StoredHashes::new(Some("VN".into()));
    stored.insert(
        hashing::Platform::Google,
        "k1:e1".into(),
        same.clone(),
        true,
    );
    stored.insert(
        hashing::Platform::Google,
        "k1:e2".into(),
        same.clone(),
        true,
    );
    stored.insert(
        hashing::Platform::Meta,
        "k1:e1".into(),
        "m".repeat(64),
        true,
    );
    stored.insert(
        hashing::Platform::Google,
        "k1:p1".into(),
        "f".repeat(64),
        false,
    );
    let visit = |ids: Vec<Identifier>| Conversion {
        event_id: "r-1".into(),
        timestamp: 1_772_359_200,
        store: "S1".into(),
        value: None,
        currency: None,
        items: vec![],
        identifiers: ids,
        consent: Some(mode(ConsentState::Granted, ConsentState::Granted)),
        clicks: vec![],
    };
    let convs = [
        visit(vec![
            Identifier::new(IdKind::Email, "k1:e1"),
            Identifier::new(IdKind::Email, "k1:e2"),
            Identifier::new(IdKind::LoyaltyCard, "k1:c1"),
        ]),
        visit(vec![
            Identifier::new(IdKind::Phone, "k1:p1"),
            Identifier::new(IdKind::ExternalId, "k1:x1"),
        ]),
    ];
    let opts = ExportOptions {
        stored_hashes: Some(Arc::new(stored)),
        ..ExportOptions::default()
    };
    let mut out = Vec::new();
    let s = export_conversions(Platform::GoogleAdsEnhanced, &convs, &opts, &mut out).unwrap();
    assert_eq!((s.exported, s.no_identifier, s.invalid_values), (1, 1, 1));
    assert_eq!(s.pseudonyms_not_sent.get("loyalty_card"), Some(&1));
    assert_eq!(s.pseudonyms_not_sent.get("external_id"), Some(&1));
    assert!(
        s.line().contains("1 external_id, 1 loyalty_card"),
        "{}",
        s.line()
    );
    let text = String::from_utf8(out).unwrap();
    assert_eq!(text.matches(&same).count(), 1, "{text}");
    assert!(!text.contains("k1:") && !text.contains(&"m".repeat(64)));

    let th = ExportOptions {
        default_country: Some("TH".into()),
        ..opts.clone()
    };
    let err = export_conversions(Platform::MetaCapi, &convs, &th, Vec::new()).unwrap_err();
    assert!(err.to_string().contains("`TH`"), "{err}");
    let vn = ExportOptions {
        default_country: Some("vn".into()),
        ..opts
    };
    assert!(export_conversions(Platform::MetaCapi, &convs, &vn, Vec::new()).is_ok());
}

/// Placeholders the junk lists block are never hashed, from a plain store either.
#[test]
fn placeholder_values_are_never_uploaded() {
    let c = Conversion {
        event_id: "r-1".into(),
        timestamp: 1_772_359_200,
        store: "S1".into(),
        value: None,
        currency: None,
        items: vec![],
        identifiers: vec![
            Identifier::new(IdKind::Email, "noemail@noemail.com"),
            Identifier::new(IdKind::Phone, "+84 987 654 321"),
            Identifier::new(IdKind::Email, "ann@example.com"),
        ],
        consent: Some(mode(ConsentState::Granted, ConsentState::Granted)),
        clicks: vec![],
    };
    let mut out = Vec::new();
    let s = export_conversions(
        Platform::MetaCapi,
        &[c],
        &ExportOptions::default(),
        &mut out,
    )
    .unwrap();
    assert_eq!((s.exported, s.junk_values), (1, 2));
    let body: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(
        body["data"][0]["user_data"]["em"],
        serde_json::json!([sha256_hex("ann@example.com")])
    );
    assert!(body["data"][0]["user_data"].get("ph").is_none());
}
