#![allow(clippy::unwrap_used)]

use super::*;
use crate::event::{CheckIn, CheckInMethod, IdKind, Identifier, Touchpoint};
use crate::report::simple_key;
use proptest::prelude::*;

const DAY: i64 = 86_400;
const T0: i64 = 1_772_323_200; // 2026-03-01T00:00:00Z

fn checkin(who: &str, store: &str, method: CheckInMethod, ts: i64, value: Option<f64>) -> Event {
    Event::CheckIn(CheckIn {
        id: None,
        method,
        store: store.into(),
        region: None,
        timestamp: ts,
        value,
        currency: value.map(|_| "USD".to_owned()),
        items: vec![],
        campaign: None,
        voucher: None,
        identifiers: vec![Identifier::new(IdKind::ExternalId, who)],
        consent: None,
        channel: None,
        tracking: None,
    })
}

fn touch(who: &str, channel: &str, ts: i64, exposure: Exposure) -> Event {
    Event::Touchpoint(Touchpoint {
        id: None,
        action: TouchAction::Impression,
        channel: channel.into(),
        campaign: Some(format!("{channel}-spring")),
        timestamp: ts,
        cost: Some(0.01),
        value: None,
        currency: Some("USD".to_owned()),
        identifiers: vec![Identifier::new(IdKind::ExternalId, who)],
        consent: None,
        tracking: None,
        order: None,
        exposure,
    })
}

fn key(e: &Event) -> Option<String> {
    simple_key(e)
}

#[test]
fn a_wifi_join_before_a_purchase_is_one_visit_with_both_methods() {
    use CheckInMethod::*;
    let events = vec![
        checkin("1", "S1", WifiJoin, T0, None),
        checkin("1", "S1", PosPurchase, T0 + 600, Some(30.0)),
        checkin("1", "S2", QrScan, T0 + 900, None), // another store: another visit
        checkin("1", "S1", PosPurchase, T0 + 3 * 3600, Some(5.0)), // after the window
    ];
    let v = group_visits(&events, &key, DEFAULT_VISIT_WINDOW_SECS);
    assert_eq!(v.len(), 3);
    let first = v.iter().find(|v| v.start == T0).unwrap();
    assert_eq!((first.checkins, first.purchases, first.value), (2, 1, 30.0));
    assert_eq!(
        first.methods.iter().copied().collect::<Vec<_>>(),
        vec![WifiJoin, PosPurchase]
    );
    // The visit's event is the purchase, worth the visit.
    let ve = visit_events(&events, &v);
    assert_eq!(ve.len(), 3);
    assert!(ve.iter().any(|e| matches!(e, Event::CheckIn(c)
        if c.method == PosPurchase && c.value == Some(30.0) && c.timestamp == T0 + 600)));
    let s = VisitSummary::of(&v, &events);
    assert_eq!((s.count, s.with_purchase, s.checkins), (3, 2, 4));
    assert_eq!(s.by_method["wifi_join"], 1);
    assert_eq!(s.checkins_by_method["pos_purchase"], 2);
    // A 10-minute window splits the first visit.
    assert_eq!(group_visits(&events, &key, 300).len(), 4);
}

/// 40 customers: the first 20 are targets, the next 20 the holdout; targets 0..10 see the
/// banner (no effect) and facebook (randomised); visits depend only on facebook.
fn campaign(fb_exposure: Exposure) -> (Vec<Event>, Side) {
    let mut events = Vec::new();
    let mut side = Side::default();
    for i in 0..40u32 {
        let who = format!("c{i}");
        let target = i < 20;
        side.assignments.push(ProfileAssignment {
            profile: format!("external_id:{who}"),
            campaign: None,
            group: if target {
                AssignmentGroup::Target
            } else {
                AssignmentGroup::Holdout
            },
        });
        if target && i % 2 == 0 {
            events.push(touch(&who, "facebook", T0 + 3600, fb_exposure));
        }
        if target && i < 10 {
            events.push(touch(&who, "banner", T0 + 7200, Exposure::Randomised));
        }
        let visits = if target && i % 2 == 0 {
            i % 4 != 2 || i < 8
        } else {
            i % 5 == 0
        };
        if visits {
            events.push(checkin(&who, "S1", CheckInMethod::WifiJoin, T0 + DAY, None));
            events.push(checkin(
                &who,
                "S1",
                CheckInMethod::PosPurchase,
                T0 + DAY + 300,
                Some(10.0 + f64::from(i)),
            ));
        }
        if i % 3 == 0 {
            events.push(checkin(
                &who,
                "S1",
                CheckInMethod::QrScan,
                T0 - 5 * DAY,
                None,
            ));
        }
    }
    side.spend.push(SpendRecord {
        day: "2026-03-01".into(),
        timestamp: T0,
        channel: "facebook".into(),
        campaign: Some("facebook-spring".into()),
        value: 100.0,
        currency: "USD".into(),
    });
    (events, side)
}

fn opts_from(from: &str) -> MeasureOptions {
    MeasureOptions {
        period: Period::new(Some(from), None, &TimeZone::UTC, ("from", "to")).unwrap(),
        ..MeasureOptions::default()
    }
}

#[test]
fn campaigns_are_measured_by_holdout_randomised_exposure_or_labelled_observational() {
    let (events, side) = campaign(Exposure::Randomised);
    let m = measure(&events, &key, &side, &opts_from("2026-03-01")).unwrap();
    assert_eq!(m.population, Population::Customers);
    assert_eq!(m.period.from.as_deref(), Some("2026-03-01"));
    assert_eq!(m.period.to.as_deref(), Some("2026-03-02"));
    assert_eq!(m.currency.as_deref(), Some("USD"));
    let h = m.holdout.as_ref().unwrap();
    assert_eq!((h.target, h.holdout), (20, 20));
    assert!(h.cuped, "the days before --from are the pre-period");
    let fb = m
        .campaigns
        .iter()
        .find(|r| r.channel == "facebook")
        .unwrap();
    let inc = fb.incremental.as_ref().unwrap();
    assert_eq!(inc.method, Method::RandomisedExposure);
    assert_eq!((inc.treated, inc.control), (10, 10));
    assert_eq!(fb.spend, Some(100.0));
    assert_eq!(fb.spend_source, Some("spend_records"));
    assert!(inc.p_adjusted.unwrap() >= inc.p_value);
    assert_eq!(inc.iroas, Some(inc.revenue / 100.0));
    // One visit per Wi-Fi join and purchase.
    assert_eq!(m.visits.count, m.visits.with_purchase);
    assert_eq!(m.visits.checkins, 2 * m.visits.count);
    let json = serde_json::to_value(&m).unwrap();
    for field in [
        "period",
        "population",
        "currency",
        "holdout",
        "campaigns",
        "visits",
        "ropo",
    ] {
        assert!(json.get(field).is_some(), "{field}");
    }
    let c = &json["campaigns"][0];
    for field in [
        "channel",
        "campaign",
        "spend",
        "exposed",
        "credited",
        "influenced",
        "incremental",
    ] {
        assert!(c.get(field).is_some(), "{field}");
    }
    for field in [
        "method",
        "lift",
        "lift_ci",
        "visitors",
        "visitors_ci",
        "revenue",
        "revenue_ci",
        "iroas",
        "iroas_ci",
        "p_adjusted",
    ] {
        assert!(c["incremental"].get(field).is_some(), "{field}");
    }
    assert!(json["holdout"]["lift_ci"].is_array());

    // Not randomised: the same numbers become an observational estimate, with a warning.
    let (events, side) = campaign(Exposure::Observational);
    let m = measure(&events, &key, &side, &opts_from("2026-03-01")).unwrap();
    let fb = m
        .campaigns
        .iter()
        .find(|r| r.channel == "facebook")
        .unwrap();
    let inc = fb.incremental.as_ref().unwrap();
    assert_eq!(inc.method, Method::Observational);
    assert_eq!(inc.label, "observational incremental");
    assert!(inc.warning.as_ref().unwrap().contains("not randomised"));
    assert!(fb.verdict.contains("not an experiment"));

    // A holdout of the campaign's own wins over exposure comparisons.
    let (events, mut side) = campaign(Exposure::Randomised);
    for a in side.assignments.clone() {
        side.assignments.push(ProfileAssignment {
            campaign: Some("facebook-spring".into()),
            ..a
        });
    }
    let m = measure(&events, &key, &side, &opts_from("2026-03-01")).unwrap();
    let fb = m
        .campaigns
        .iter()
        .find(|r| r.channel == "facebook")
        .unwrap();
    assert_eq!(fb.incremental.as_ref().unwrap().method, Method::Holdout);
}

#[test]
fn populations_choose_whose_visits_count() {
    let (mut events, side) = campaign(Exposure::Randomised);
    // A passer-by seen only by a device id.
    events.push(Event::CheckIn(CheckIn {
        identifiers: vec![Identifier::new(IdKind::DeviceId, "cookie-1")],
        ..match checkin("x", "S1", CheckInMethod::QrScan, T0 + DAY, None) {
            Event::CheckIn(c) => c,
            _ => unreachable!(),
        }
    }));
    let count = |population| {
        let opts = MeasureOptions {
            population,
            ..opts_from("2026-03-01")
        };
        measure(&events, &key, &side, &opts)
            .unwrap()
            .population_profiles
    };
    assert_eq!(count(Population::Customers), 40);
    assert_eq!(count(Population::Assigned), 40);
    assert_eq!(count(Population::All), 41);
    assert!("everyone".parse::<Population>().is_err());
}

#[test]
fn mixed_currencies_need_a_currency_and_rates() {
    let (events, mut side) = campaign(Exposure::Randomised);
    side.spend[0].currency = "VND".into();
    side.spend[0].value = 2_500_000.0;
    let err = measure(&events, &key, &side, &opts_from("2026-03-01")).unwrap_err();
    assert!(matches!(err, MeasureError::MixedCurrencies { .. }), "{err}");
    let mut opts = opts_from("2026-03-01");
    opts.currency = Some("USD".into());
    let err = measure(&events, &key, &side, &opts).unwrap_err();
    assert!(err.to_string().contains("--rates"), "{err}");
    let mut rates = Rates::new();
    rates.insert("USD", "2026-02-01", 1.0);
    opts.rates = Some(rates.clone());
    let err = measure(&events, &key, &side, &opts).unwrap_err();
    assert_eq!(
        err,
        MeasureError::MissingRate {
            currency: "VND".into(),
            day: "2026-03-01".into()
        }
    );
    rates.insert("VND", "2026-02-01", 25_000.0);
    opts.rates = Some(rates);
    let m = measure(&events, &key, &side, &opts).unwrap();
    let fb = m
        .campaigns
        .iter()
        .find(|r| r.channel == "facebook")
        .unwrap();
    assert_eq!(fb.spend, Some(100.0));
}

#[test]
fn rates_files_are_checked_line_by_line() {
    let ok = "currency,date,rate\nUSD,2026-03-01,1\nvnd,2026-03-01,25000\n";
    let r = Rates::read_csv(ok.as_bytes(), "rates.csv").unwrap();
    assert_eq!(
        r.convert(25_000.0, "VND", "USD", "2026-03-09").unwrap(),
        1.0
    );
    let bad = "currency,date,rate\nUSD,2026-03-01,1\nVND,01/03/2026,25000\n";
    let e = Rates::read_csv(bad.as_bytes(), "rates.csv").unwrap_err();
    assert_eq!(e.to_string().split(':').next(), Some("rates.csv"));
    assert!(e.to_string().contains("line 3, date"), "{e}");
    let e = Rates::read_csv("currency,date\n".as_bytes(), "r.csv").unwrap_err();
    assert!(e.to_string().contains("rate"), "{e}");
}

fn arb_events() -> impl Strategy<Value = Vec<Event>> {
    let one = (
        0u8..4,
        0u8..2,
        0u8..4,
        0i64..(10 * 3600),
        prop::option::of(1u32..500),
    )
        .prop_map(|(who, store, m, ts, v)| {
            let method = [
                CheckInMethod::WifiJoin,
                CheckInMethod::PosPurchase,
                CheckInMethod::QrScan,
                CheckInMethod::VoucherRedemption,
            ][usize::from(m)];
            checkin(
                &format!("p{who}"),
                &format!("S{store}"),
                method,
                T0 + ts,
                v.map(|c| f64::from(c) / 7.0),
            )
        });
    prop::collection::vec(one, 0..40)
}

proptest! {
    #[test]
    fn visit_grouping_does_not_depend_on_input_order(
        events in arb_events(),
        seed in any::<u64>(),
        window in 60i64..(4 * 3600),
    ) {
        let mut shuffled = events.clone();
        // A seeded Fisher–Yates shuffle.
        let mut s = seed | 1;
        for i in (1..shuffled.len()).rev() {
            s ^= s << 13; s ^= s >> 7; s ^= s << 17;
            shuffled.swap(i, (s % (i as u64 + 1)) as usize);
        }
        let canon = |e: &[Event]| {
            let mut v: Vec<String> = group_visits(e, &key, window)
                .into_iter()
                .map(|v| format!("{:?} {} {} {} {} {} {:?} {:?}",
                    v.profile, v.store, v.start, v.end, v.checkins, v.value.to_bits(),
                    v.methods, v.campaigns))
                .collect();
            v.sort();
            v
        };
        prop_assert_eq!(canon(&events), canon(&shuffled));
        let a = VisitSummary::of(&group_visits(&events, &key, window), &events);
        let b = VisitSummary::of(&group_visits(&shuffled, &key, window), &shuffled);
        prop_assert_eq!(a, b);
    }

    #[test]
    fn a_period_covering_all_data_equals_no_period(before in 1i64..400, after in 1i64..400) {
        let (events, side) = campaign(Exposure::Randomised);
        let open = measure(&events, &key, &side, &MeasureOptions::default()).unwrap();
        let tz = TimeZone::UTC;
        let first = events.iter().map(Event::timestamp).min().unwrap();
        let last = events.iter().map(Event::timestamp).max().unwrap();
        let from = local_day(first - before * DAY, &tz);
        let to = local_day(last + after * DAY, &tz);
        let opts = MeasureOptions {
            period: Period::new(Some(&from), Some(&to), &tz, ("from", "to")).unwrap(),
            // Nothing lies before the data: the pre-period is empty, as with no window.
            pre: Some(Period { from: None, to: None, start: Some(first - 2 * before * DAY), end: Some(first - before * DAY) }),
            ..MeasureOptions::default()
        };
        let windowed = measure(&events, &key, &side, &opts).unwrap();
        let mut a = serde_json::to_value(&open).unwrap();
        let mut b = serde_json::to_value(&windowed).unwrap();
        // The stated period differs by construction; with no pre-period data CUPED has
        // nothing to use, so the flags may differ while every number is the same.
        for v in [&mut a, &mut b] {
            v["period"] = serde_json::Value::Null;
        }
        let strip = |v: &mut serde_json::Value| {
            let text = v.to_string().replace("\"cuped\":true", "\"cuped\":false");
            serde_json::from_str::<serde_json::Value>(&text).unwrap()
        };
        prop_assert_eq!(strip(&mut a), strip(&mut b));
    }

    #[test]
    fn a_report_in_one_currency_equals_it_converted_back(rate in 0.5f64..2000.0) {
        // In USD, then in XTS (a test currency, 2 decimals) at `rate` per USD.
        let (events, side) = campaign(Exposure::Randomised);
        let usd = measure(&events, &key, &side, &opts_from("2026-03-01")).unwrap();
        let mut rates = Rates::new();
        rates.insert("USD", "2026-01-01", 1.0);
        rates.insert("XTS", "2026-01-01", rate);
        let opts = MeasureOptions {
            currency: Some("XTS".into()),
            rates: Some(rates),
            ..opts_from("2026-03-01")
        };
        let xts = measure(&events, &key, &side, &opts).unwrap();
        prop_assert_eq!(xts.currency.as_deref(), Some("XTS"));
        // Back to USD: equal up to the rounding of each amount to a cent of XTS (half a
        // cent, divided by the rate) and of USD (half a cent).
        let tol = 0.005 / rate + 0.005 + 1e-9;
        let close = |a: f64, b: f64| (a - b / rate).abs() <= tol * (1.0 + a.abs() * 1e-12);
        prop_assert!(close(usd.visits.revenue, xts.visits.revenue));
        for (u, x) in usd.campaigns.iter().zip(&xts.campaigns) {
            prop_assert_eq!(&u.channel, &x.channel);
            if let (Some(a), Some(b)) = (u.spend, x.spend) {
                prop_assert!(close(a, b), "{} {}", a, b);
            }
            prop_assert!(close(u.influenced.revenue, x.influenced.revenue));
            if let (Some(a), Some(b)) = (&u.incremental, &x.incremental) {
                prop_assert!(close(a.revenue, b.revenue), "{} {}", a.revenue, b.revenue);
                prop_assert!(close(a.revenue_ci[0], b.revenue_ci[0]));
                prop_assert!((a.visitors - b.visitors).abs() < 1e-9);
                prop_assert_eq!(a.p_value, b.p_value);
                if let (Some(p), Some(q)) = (a.iroas, b.iroas) {
                    prop_assert!((p - q).abs() <= 1e-6 * (1.0 + p.abs()), "{} {}", p, q);
                }
            }
        }
    }
}

#[test]
fn money_is_rounded_to_the_minor_unit_and_grouped_in_tables() {
    assert_eq!(round_money(169.866_000_000_082_98, "USD"), 169.87);
    assert_eq!(round_money(12.3456, "KWD"), 12.346);
    assert_eq!(round_money(-0.001, "USD"), 0.0);
    assert_eq!(format_money(1234.5, "EUR"), "1,234.50 EUR");
    assert_eq!(format_money(999.0, "VND"), "999 VND");
    assert_eq!(group_thousands("-1234567.5"), "-1,234,567.5");
}
