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
