use super::*;
use crate::consent::{ConsentMode, ConsentSignals, ConsentState};
use crate::event::{CheckIn, CheckInMethod, Event, IdKind, Identifier};
use proptest::prelude::*;

const DAY: i64 = 86_400;

fn rules() -> RuleSet {
    RuleSet::from_json(
        r#"{"rules":[
        {"name":"welcome","priority":5,"voucher_type":1,"when":[{"new_customer":{"days":30}}]},
        {"name":"win-back","priority":10,"voucher_type":2,
         "when":[{"lapsed_vip":{"min_spend":500,"days_since_visit":60}},"consent"]},
        {"name":"south","priority":5,"voucher_type":3,"when":[{"region_in":["south"]}]},
        {"name":"everyone","priority":-1,"voucher_type":0,"when":["always"]}
    ]}"#,
    )
    .unwrap()
}

fn profile(first_days_ago: i64, spend: f64, idle_days: i64, consent: bool) -> ProfileSummary {
    let now = 400 * DAY;
    ProfileSummary {
        id: "p".into(),
        first_seen: now - first_days_ago * DAY,
        last_visit: Some(now - idle_days * DAY),
        total_spend: spend,
        visits: 3,
        regions: vec!["south".into()],
        consent_personalise: consent,
    }
}

#[test]
fn priority_then_name_and_explanation() {
    let now = 400 * DAY;
    let d = rules()
        .evaluate(&profile(300, 900.0, 90, true), now)
        .unwrap();
    assert_eq!(d.rule, "win-back");
    assert_eq!(
        d.because[0],
        "spent 900.00 (VIP if ≥ 500), last visit 90 days ago (lapsed if ≥ 60)"
    );
    // Not lapsed: welcome and south tie at priority 5 → "south" < "welcome" by name.
    let d = rules().evaluate(&profile(10, 900.0, 5, true), now).unwrap();
    assert_eq!((d.rule.as_str(), d.voucher_type), ("south", 3));
    // No consent: only the non-personalised catch-all.
    let d = rules()
        .evaluate(&profile(300, 900.0, 90, false), now)
        .unwrap();
    assert_eq!(d.rule, "everyone");
}

#[test]
fn bad_rules_are_named() {
    assert!(matches!(
        RuleSet::from_json("{\"rules\":[{\"name\":\"a\"}]}"),
        Err(SegmentError::Json(_))
    ));
    let dup = r#"{"rules":[{"name":"a","voucher_type":1,"when":["always"]},{"name":"a","voucher_type":1,"when":["always"]}]}"#;
    assert_eq!(
        RuleSet::from_json(dup),
        Err(SegmentError::DuplicateName("a".into()))
    );
    let t = r#"{"rules":[{"name":"a","voucher_type":9,"when":["always"]}]}"#;
    assert!(matches!(
        RuleSet::from_json(t),
        Err(SegmentError::VoucherType { .. })
    ));
    let e = r#"{"rules":[{"name":"a","voucher_type":1,"when":[]}]}"#;
    assert_eq!(
        RuleSet::from_json(e),
        Err(SegmentError::NoCondition("a".into()))
    );
}

fn ev(who: &str, ts: i64, value: f64, region: &str, consent: bool) -> Event {
    let s = if consent {
        ConsentState::Granted
    } else {
        ConsentState::Denied
    };
    Event::CheckIn(CheckIn {
        id: None,
        method: CheckInMethod::PosPurchase,
        store: "S1".into(),
        region: Some(region.into()),
        timestamp: ts,
        value: Some(value),
        currency: None,
        items: vec![],
        campaign: None,
        voucher: None,
        identifiers: vec![Identifier::new(IdKind::Email, who)],
        consent: Some(ConsentSignals {
            tcf: None,
            gcm: Some(ConsentMode {
                ad_personalization: s,
                ..ConsentMode::default()
            }),
        }),
        channel: None,
        tracking: None,
    })
}

#[test]
fn summaries_from_events() {
    let events = vec![
        ev("a", 100, 10.0, "north", false),
        ev("a", 50, 5.0, "south", true),
        ev("b", 70, 1.0, "south", true),
    ];
    let s = summarise(&events, |e| {
        e.identifiers().first().map(|i| i.value.clone())
    });
    assert_eq!(s.len(), 2);
    assert_eq!(s[0].id, "a");
    assert_eq!(
        (s[0].first_seen, s[0].last_visit, s[0].visits),
        (50, Some(100), 2)
    );
    assert_eq!(s[0].total_spend, 15.0);
    assert_eq!(s[0].regions, vec!["north", "south"]);
    assert!(
        !s[0].consent_personalise,
        "the latest signal (a denial) wins"
    );
    assert!(s[1].consent_personalise);
}

proptest! {
    #[test]
    fn evaluation_ignores_rule_order(seed in 0u64..1000, first in 0i64..400, spend in 0.0f64..2000.0,
                                     idle in 0i64..200, consent: bool) {
        let mut r = rules();
        let n = r.rules.len();
        r.rules.rotate_left((seed as usize) % n);
        if seed % 2 == 0 { r.rules.reverse(); }
        let p = profile(first, spend, idle, consent);
        prop_assert_eq!(r.evaluate(&p, 400 * DAY), rules().evaluate(&p, 400 * DAY));
    }

    #[test]
    fn summaries_ignore_event_order(mut order in Just((0..6).collect::<Vec<usize>>()).prop_shuffle()) {
        let base: Vec<Event> = (0..6).map(|i| ev(if i % 2 == 0 { "a" } else { "b" }, 10 * (i as i64 % 3), i as f64, "r", i % 3 != 0)).collect();
        let shuffled: Vec<Event> = order.drain(..).map(|i| base[i].clone()).collect();
        let key = |e: &Event| e.identifiers().first().map(|i| i.value.clone());
        prop_assert_eq!(summarise(&shuffled, key), summarise(&base, key));
    }
}
