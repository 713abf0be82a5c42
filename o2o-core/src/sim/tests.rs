use super::*;
use crate::event::{Event, IdKind};
use std::collections::HashMap;

fn small(seed: u64) -> Campaign {
    simulate(&SimConfig {
        customers: 2_000,
        seed,
        ..SimConfig::default()
    })
    .unwrap()
}

#[test]
fn same_seed_same_events_other_seed_other_events() {
    let a = small(7);
    let b = small(7);
    let c = small(8);
    assert_eq!(a.events, b.events);
    assert_eq!(a.truth, b.truth);
    assert_ne!(a.events, c.events);
}

#[test]
fn events_are_sorted_by_time() {
    let c = small(1);
    assert!(
        c.events
            .windows(2)
            .all(|w| w[0].timestamp() <= w[1].timestamp())
    );
}

#[test]
fn holdout_is_never_exposed() {
    let c = small(3);
    for row in &c.audience {
        if row.group == Group::Holdout {
            assert!(
                row.channels.is_empty(),
                "holdout person {} exposed",
                row.person
            );
        }
    }
    let holdout = c
        .audience
        .iter()
        .filter(|r| r.group == Group::Holdout)
        .count();
    assert_eq!(holdout as u64, c.truth.totals.holdout);
    // 10 % ± 3 sd of a binomial(2000, 0.1)
    assert!((134..=266).contains(&holdout), "{holdout}");
}

#[test]
fn no_identifier_is_claimed_by_two_people() {
    let c = small(5);
    let mut owner: HashMap<(IdKind, String), u64> = HashMap::new();
    for p in &c.truth.persons {
        for id in &p.identifiers {
            if let Some(prev) = owner.insert((id.kind, id.value.clone()), p.person) {
                assert_eq!(prev, p.person, "{id:?} owned by {prev} and {}", p.person);
            }
        }
    }
    for s in &c.truth.shared {
        assert!(
            !owner.contains_key(&(s.identifier.kind, s.identifier.value.clone())),
            "{s:?} is also personal"
        );
    }
}

#[test]
fn every_event_identifier_is_in_the_truth() {
    let c = small(9);
    let mut known: std::collections::HashSet<(IdKind, &str)> = Default::default();
    for p in &c.truth.persons {
        known.extend(p.identifiers.iter().map(|i| (i.kind, i.value.as_str())));
    }
    for p in &c.truth.persons {
        known.extend(p.attributes.iter().map(|i| (i.kind, i.value.as_str())));
    }
    known.extend(
        c.truth
            .shared
            .iter()
            .map(|s| (s.identifier.kind, s.identifier.value.as_str())),
    );
    for ev in &c.events {
        for id in ev.identifiers() {
            assert!(
                known.contains(&(id.kind, id.value.as_str())),
                "{id:?} not in truth"
            );
        }
    }
}

#[test]
fn truth_incremental_effects_follow_the_lifts() {
    let c = small(11);
    for (spec, t) in c.config.channels.iter().zip(&c.truth.channels) {
        assert_eq!(spec.name, t.channel);
        assert!((t.incremental_visitors - spec.lift * t.exposed as f64).abs() < 1e-9);
        assert!(
            (t.incremental_revenue - t.incremental_visitors * c.truth.revenue_per_visitor).abs()
                < 1e-6
        );
    }
    // The observed exposed-vs-unexposed visit rates agree with the lift of the strongest channel
    // (zalo, +6 pp) within a loose binomial tolerance.
    let big = simulate(&SimConfig {
        customers: 40_000,
        seed: 2,
        ..SimConfig::default()
    })
    .unwrap();
    let rate = |f: &dyn Fn(&AudienceRow) -> bool| {
        let rows: Vec<_> = big
            .audience
            .iter()
            .filter(|r| r.group == Group::Target && f(r))
            .collect();
        rows.iter().filter(|r| r.checkins > 0).count() as f64 / rows.len() as f64
    };
    let with = rate(&|r| r.channels.split('|').any(|c| c == "zalo"));
    let without = rate(&|r| !r.channels.split('|').any(|c| c == "zalo"));
    let lift = with - without;
    assert!((lift - 0.06).abs() < 0.02, "estimated zalo lift {lift}");
}

#[test]
fn junk_values_and_shared_ips_are_marked_shared() {
    let c = small(13);
    assert!(
        c.truth
            .shared
            .iter()
            .any(|s| s.reason == SharedReason::Junk)
    );
    assert!(
        c.truth
            .shared
            .iter()
            .any(|s| s.reason == SharedReason::StoreIp)
    );
    assert!(
        c.truth
            .shared
            .iter()
            .any(|s| s.reason == SharedReason::Household && s.persons.len() >= 2)
    );
    assert!(
        c.events
            .iter()
            .any(|e| matches!(e, Event::CheckIn(ci) if ci.voucher.is_some()))
    );
}

#[test]
fn bad_configs_are_rejected() {
    let bad = SimConfig {
        holdout_share: 1.5,
        ..SimConfig::default()
    };
    assert!(matches!(
        bad.validate(),
        Err(SimError::NotAProbability { .. })
    ));
    let bad = SimConfig {
        customers: 0,
        ..SimConfig::default()
    };
    assert_eq!(bad.validate(), Err(SimError::Zero("customers")));
    let mut bad = SimConfig::default();
    bad.channels[0].lift = 0.9;
    assert!(matches!(
        bad.validate(),
        Err(SimError::LiftsTooLarge { .. })
    ));
}

#[test]
fn thread_count_does_not_change_a_byte() {
    let cfg = SimConfig {
        customers: 1_500,
        seed: 21,
        ..SimConfig::default()
    };
    let one = world::simulate_on(&cfg, 1, |_| {}).unwrap();
    let three = world::simulate_on(&cfg, 3, |_| {}).unwrap();
    assert_eq!(one.events, three.events);
    assert_eq!(one.truth, three.truth);
    assert_eq!(one.audience, three.audience);
}

/// The streamed files are the bytes the in-memory campaign writes, whatever the block size, and
/// the progress reaches its total exactly at the end, never going back.
#[test]
fn streamed_files_are_the_in_memory_bytes() {
    let cfg = SimConfig {
        customers: 2_500,
        seed: 11,
        ..SimConfig::default()
    };
    let c = simulate(&cfg).unwrap();
    let mut events = Vec::new();
    crate::event::write_ndjson(&c.events, &mut events).unwrap();
    let truth = serde_json::to_vec(&c.truth).unwrap();
    let mut audience = Vec::new();
    write_audience_csv(&c.audience, &mut audience).unwrap();
    for block in [700, 2_500, 10_000] {
        let dir =
            std::env::temp_dir().join(format!("o2o-sim-stream-{}-{block}", std::process::id()));
        let mut seen = Vec::new();
        let w = stream::write_in_blocks(&cfg, &dir, block, |d, t| seen.push((d, t))).unwrap();
        assert_eq!(w.events, c.events.len() as u64);
        let read = |f: &str| std::fs::read(dir.join(f)).unwrap();
        assert!(read("events.ndjson") == events, "events, block {block}");
        assert!(read("truth.json") == truth, "truth, block {block}");
        assert!(read("audience.csv") == audience, "audience, block {block}");
        assert!(!dir.join(".events.runs").exists());
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(seen.windows(2).all(|w| w[0].0 <= w[1].0));
        assert_eq!(seen.last(), Some(&(5_000, 5_000)));
        // Half the bar is the merge: it is not full when generation ends.
        assert!(seen.iter().filter(|(d, _)| *d < 5_000).count() > 2);
    }
}

#[test]
fn audience_rows_with_non_finite_revenue_are_line_errors_and_the_rest_are_kept() {
    let header =
        "person,group,channels,store,region,consent,pre_checkins,pre_revenue,checkins,revenue";
    let text = format!(
        "{header}\n1,target,email,S001,north,true,0,0.0,1,5.0\n\
         2,holdout,,S001,north,true,0,NaN,0,0.0\n\
         3,target,email,S002,south,true,1,2.0,0,inf\n\
         4,holdout,,S002,south,false,x,0.0,0,0.0\n\
         5,target,email,S002,south,true,0,0.0,2,-3.5\n"
    );
    let (rows, errors) = read_audience_csv(text.as_bytes());
    assert_eq!(rows.iter().map(|r| r.person).collect::<Vec<_>>(), [1, 5]);
    let got: Vec<_> = errors
        .iter()
        .map(|e| (e.line, e.field.clone().unwrap_or_default()))
        .collect();
    assert_eq!(
        got,
        [
            (3, "pre_revenue".to_owned()),
            (4, "revenue".to_owned()),
            (5, "column 7".to_owned())
        ]
    );
}

#[test]
fn customers_view_products_before_some_purchases_and_some_never_buy() {
    let cfg = SimConfig {
        customers: 2_000,
        ..SimConfig::default()
    };
    let c = simulate(&cfg).unwrap();
    let views: Vec<_> = c
        .events
        .iter()
        .filter_map(|e| match e {
            Event::ProductView(v) => Some(v),
            _ => None,
        })
        .collect();
    let bought: std::collections::BTreeSet<&str> = c
        .events
        .iter()
        .filter_map(|e| match e {
            Event::CheckIn(ch) => Some(ch.items.iter().map(|i| i.sku.as_str())),
            _ => None,
        })
        .flatten()
        .collect();
    let (before, never): (Vec<&crate::event::ProductView>, Vec<_>) =
        views.iter().partition(|v| bought.contains(v.sku.as_str()));
    assert!(
        before.len() > 50,
        "{} views of bought products",
        before.len()
    );
    assert!(never.len() > 100, "{} views never bought", never.len());
    assert!(
        views
            .iter()
            .all(|v| !v.identifiers.is_empty() && v.consent.is_some())
    );
    // Views draw nothing from the random streams: without them, every other event is the same.
    let none = simulate(&SimConfig {
        view_before_purchase: 0.0,
        browse_share: 0.0,
        ..cfg
    })
    .unwrap();
    let others: Vec<&Event> = c
        .events
        .iter()
        .filter(|e| !matches!(e, Event::ProductView(_)))
        .collect();
    assert_eq!(others, none.events.iter().collect::<Vec<_>>());
}
