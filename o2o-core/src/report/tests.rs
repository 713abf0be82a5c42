use super::*;
use crate::event::{CheckIn, CheckInMethod, IdKind, Identifier, TouchAction, Touchpoint};

const DAY: i64 = 86_400;

fn touch(who: &str, channel: &str, action: TouchAction, ts: i64, cost: Option<f64>) -> Event {
    Event::Touchpoint(Touchpoint {
        id: None,
        action,
        channel: channel.into(),
        campaign: (action != TouchAction::Purchase && channel != "direct")
            .then(|| format!("{channel}-spring")),
        timestamp: ts,
        cost,
        value: (action == TouchAction::Purchase).then_some(30.0),
        identifiers: vec![Identifier::new(IdKind::Email, who)],
        consent: None,
        currency: None,
        tracking: None,
        order: None,
        exposure: Default::default(),
    })
}

fn checkin(who: &str, method: CheckInMethod, ts: i64, value: Option<f64>) -> Event {
    Event::CheckIn(CheckIn {
        id: None,
        method,
        store: "S1".into(),
        region: None,
        timestamp: ts,
        value,
        currency: None,
        items: vec![],
        campaign: None,
        voucher: None,
        identifiers: vec![Identifier::new(IdKind::Email, who)],
        consent: None,
        channel: None,
        tracking: None,
    })
}

fn sample() -> Vec<Event> {
    use CheckInMethod::*;
    use TouchAction::*;
    vec![
        touch("a@x", "facebook", Impression, 0, Some(1.0)),
        touch("a@x", "facebook", Click, DAY, Some(2.0)),
        checkin("a@x", PosPurchase, 2 * DAY, Some(40.0)),
        checkin("a@x", PosPurchase, 40 * DAY, Some(10.0)), // outside the 28-day window
        touch("b@x", "facebook", Impression, 0, Some(1.0)),
        touch("b@x", "email", Open, DAY, Some(0.5)),
        checkin("b@x", QrScan, DAY + 3_000, None),
        touch("b@x", "web", Purchase, DAY + 7_200, None),
        checkin("c@x", PosPurchase, 5 * DAY, Some(20.0)), // never exposed
    ]
}

#[test]
fn o2o_counts_exposure_influence_spend_and_credit() {
    let credits = vec![ModelCredit {
        model: "last_touch".into(),
        channel: "facebook".into(),
        campaign: None,
        conversions: 1.0,
        value: 40.0,
    }];
    let inc = vec![IncrementalEstimate {
        channel: "facebook".into(),
        campaign: None,
        exposed: 2,
        control: 1,
        confidence: 0.95,
        incremental_checkins: 0.5,
        ci: (-1.0, 2.0),
        incremental_revenue: 20.0,
        ci_revenue: (-8.0, 48.0),
    }];
    let r = o2o_report(
        &sample(),
        &simple_key,
        &O2oOptions::default(),
        &credits,
        &inc,
    );
    assert_eq!(r.rows.len(), 2);
    let email = &r.rows[0];
    assert_eq!(
        (
            email.channel.as_str(),
            email.exposed_profiles,
            email.checkins_influenced
        ),
        ("email", 1, 1)
    );
    let fb = &r.rows[1];
    assert_eq!(fb.exposed_profiles, 2);
    assert_eq!(fb.touchpoints, 3);
    assert_eq!(fb.spend, 4.0);
    // a's first purchase and b's QR scan; a's purchase on day 40 is outside the window.
    assert_eq!(fb.checkins_influenced, 2);
    assert_eq!(fb.revenue_influenced, 40.0);
    assert_eq!(fb.cost_per_checkin, Some(2.0));
    assert_eq!(fb.roas, Some(10.0));
    assert_eq!(fb.credited[0].roas, Some(10.0));
    let i = fb.incremental.as_ref().unwrap();
    assert_eq!(i.iroas, Some(5.0));
    assert_eq!(i.ci_iroas, Some((-2.0, 12.0)));
    assert_eq!(i.cost_per_incremental_checkin, Some(8.0));
    assert!(email.incremental.is_none());
    let text = r.to_string();
    assert!(
        text.contains("facebook") && text.contains("last_touch") && text.contains("[-2.00, 12.00]")
    );
}

#[test]
fn report_is_independent_of_event_order() {
    let mut ev = sample();
    let a = serde_json::to_string(&build_report(
        &ev,
        &simple_key,
        &O2oOptions::default(),
        &[],
        &[],
    ))
    .unwrap();
    ev.reverse();
    let b = serde_json::to_string(&build_report(
        &ev,
        &simple_key,
        &O2oOptions::default(),
        &[],
        &[],
    ))
    .unwrap();
    assert_eq!(a, b);
}

#[test]
fn ropo_counts_webrooming_and_showrooming_with_lags() {
    let r = ropo_report(&sample(), &simple_key, 28);
    // Purchases in store: a (day 2, day 40), c (day 5). Only a's day-2 purchase follows research
    // (the click on day 1) within the window.
    assert_eq!(r.offline_purchases, 3);
    assert_eq!(r.webrooming, 1);
    // Lag exactly one day: the "1 – 3 d" bucket (bounds are lower-inclusive).
    assert_eq!(r.webrooming_lag[1].count, 0);
    assert_eq!(r.webrooming_lag[2].count, 1);
    assert_eq!(r.webrooming_lag[2].share, Some(1.0));
    assert_eq!(r.online_purchases, 1);
    assert_eq!(r.showrooming, 1);
    assert_eq!(r.showrooming_lag[1].count, 1); // 4,200 s: 1 h – 1 d
    assert_eq!(r.showrooming_share, Some(1.0));
    assert!(r.to_string().contains("showrooming"));
}

#[test]
fn kpis_rates_and_methods() {
    let k = kpis(&sample(), &simple_key, 28);
    assert_eq!(k.profiles, 3);
    assert_eq!(k.exposed_profiles, 2);
    assert_eq!(k.converted_profiles, 2);
    assert_eq!(k.purchases, 3);
    assert_eq!(k.average_order_value, Some(70.0 / 3.0));
    assert_eq!((k.purchasers, k.repeat_purchasers), (2, 1));
    assert_eq!(k.repeat_rate, Some(0.5));
    assert_eq!(k.checkins_by_method["pos_purchase"], 3);
    assert_eq!(k.checkins_by_method["voucher_redemption"], 0);
    assert_eq!(k.checkins_by_method.len(), CheckInMethod::ALL.len());
}

#[cfg(feature = "stats")]
#[test]
fn incremental_rejects_bad_input() {
    assert_eq!(
        estimate_incremental(&[], 1.0),
        Err(ReportError::Confidence(1.0))
    );
    let rows = vec![HoldoutRow {
        target: true,
        channels: vec![],
        checkins: f64::NAN,
        revenue: 0.0,
    }];
    assert_eq!(
        estimate_incremental(&rows, 0.95),
        Err(ReportError::NotFinite {
            row: 0,
            field: "checkins"
        })
    );
}
