use super::*;
use proptest::prelude::*;

#[test]
fn fifo_by_expiry_and_all_or_nothing() {
    let mut l = PointsLedger::default();
    l.earn("m", 100, 0, 1_000).unwrap();
    l.earn("m", 100, 5, 200).unwrap(); // expires first, so spent first
    l.redeem("m", 150, 10).unwrap();
    let a = l.account("m").unwrap();
    assert_eq!(
        a.lots,
        vec![Lot {
            earned_at: 0,
            expires_at: 1_000,
            remaining: 50
        }]
    );
    assert_eq!(
        l.redeem("m", 60, 20),
        Err(LoyaltyError::Insufficient {
            member: "m".into(),
            wanted: 60,
            available: 50
        })
    );
    assert_eq!(l.balance("m", 20), 50);
    assert_eq!(l.balance("m", 1_000), 0);
    assert_eq!(l.expire(1_000).get("m"), Some(&50));
    assert_eq!(l.account("m").unwrap().expired, 50);
    assert_eq!(
        l.earn("m", 0, 0, 1),
        Err(LoyaltyError::Zero { member: "m".into() })
    );
    assert!(matches!(
        l.earn("m", 1, 5, 5),
        Err(LoyaltyError::Expiry { .. })
    ));
}

#[test]
fn reminders_for_expiry_and_tiers() {
    let tiers = vec![
        Tier {
            name: "gold".into(),
            min_points: 1_000,
        },
        Tier {
            name: "silver".into(),
            min_points: 300,
        },
    ];
    let mut l = PointsLedger::default();
    l.earn("a", 280, 0, 100).unwrap();
    l.earn("b", 500, 0, 10_000).unwrap();
    let p = ReminderPolicy {
        expiring_within: 50,
        near_tier_within: 30,
    };
    let r = l.reminders(60, &p, &tiers);
    assert_eq!(
        r,
        vec![
            Reminder::PointsExpiring {
                member: "a".into(),
                points: 280,
                expires_at: 100
            },
            Reminder::NearTier {
                member: "a".into(),
                tier: "silver".into(),
                missing: 20
            },
        ]
    );
    assert_eq!(l.tier("b", &tiers).map(|t| t.name.as_str()), Some("silver"));
    assert!(reminders_table(&r).to_string().contains("20 pts to silver"));
}

proptest! {
    /// Conservation: earned = balance + redeemed + expired, whatever the operations.
    #[test]
    fn points_are_conserved(ops in proptest::collection::vec((0u8..3, 1u64..200, 0i64..100), 0..40)) {
        let mut l = PointsLedger::default();
        let mut now = 0;
        for (op, pts, dt) in ops {
            now += dt;
            match op {
                0 => { l.earn("m", pts, now, now + 1 + pts as i64).unwrap(); }
                1 => { let _ = l.redeem("m", pts, now); }
                _ => { l.expire(now); }
            }
        }
        l.expire(now);
        if let Some(a) = l.account("m") {
            prop_assert_eq!(a.lifetime, l.balance("m", now) + a.redeemed + a.expired);
        }
    }
}

#[test]
fn purchases_earn_whole_points_per_member_in_any_order() {
    use crate::event::read_ndjson_str;
    let lines = [
        r#"{"type":"checkin","method":"pos_purchase","store":"S1","timestamp":100,"value":42.9,"identifiers":[{"kind":"loyalty_card","value":"A"}]}"#,
        r#"{"type":"checkin","method":"voucher_redemption","store":"S1","timestamp":200,"value":10,"identifiers":[{"kind":"loyalty_card","value":"A"}]}"#,
        // Not a purchase, below one point, no member: nothing.
        r#"{"type":"checkin","method":"wifi_join","store":"S1","timestamp":300,"value":99,"identifiers":[{"kind":"loyalty_card","value":"A"}]}"#,
        r#"{"type":"checkin","method":"pos_purchase","store":"S1","timestamp":400,"value":0.4,"identifiers":[{"kind":"loyalty_card","value":"B"}]}"#,
        r#"{"type":"checkin","method":"pos_purchase","store":"S1","timestamp":500,"value":70,"identifiers":[{"kind":"ip","value":"10.0.0.1"}]}"#,
    ];
    let key = |e: &Event| {
        e.identifiers()
            .iter()
            .find(|i| i.kind == crate::event::IdKind::LoyaltyCard)
            .map(|i| i.value.clone())
    };
    let rule = EarnRule {
        points_per_unit: 2.0,
        valid_for: 1_000,
    };
    let forward = read_ndjson_str(&lines.join("\n")).events;
    let mut backward = forward.clone();
    backward.reverse();
    let l = PointsLedger::from_purchases(&forward, key, &rule).unwrap();
    assert_eq!(
        l,
        PointsLedger::from_purchases(&backward, key, &rule).unwrap()
    );
    // 42.9 × 2 = 85.8 → 85 points until 1100; 10 × 2 = 20 points until 1200.
    let a = l.account("A").unwrap();
    assert_eq!(a.lifetime, 105);
    assert_eq!(
        a.lots
            .iter()
            .map(|x| (x.remaining, x.expires_at))
            .collect::<Vec<_>>(),
        vec![(85, 1_100), (20, 1_200)]
    );
    assert_eq!(l.accounts().count(), 1);
    assert_eq!(l.balance("A", 1_150), 20);
    for (bad, field) in [
        (
            EarnRule {
                points_per_unit: 0.0,
                valid_for: 1,
            },
            "points_per_unit",
        ),
        (
            EarnRule {
                points_per_unit: f64::NAN,
                valid_for: 1,
            },
            "points_per_unit",
        ),
        (
            EarnRule {
                points_per_unit: 1.0,
                valid_for: 0,
            },
            "valid_for",
        ),
    ] {
        assert!(matches!(
            PointsLedger::from_purchases(&forward, key, &bad),
            Err(LoyaltyError::Rule { field: f, .. }) if f == field
        ));
    }
}

#[test]
fn reminders_read_as_dates() {
    let mut l = PointsLedger::default();
    l.earn("m", 50, 0, 1_772_359_200).unwrap();
    let r = l.reminders(
        1_772_300_000,
        &ReminderPolicy {
            expiring_within: 86_400,
            near_tier_within: 0,
        },
        &[],
    );
    assert!(
        reminders_table(&r)
            .to_string()
            .contains("50 pts on 2026-03-01 10:00 UTC")
    );
    assert_eq!(
        r[0].to_string(),
        "m: 50 points expire on 2026-03-01 10:00 UTC"
    );
}
