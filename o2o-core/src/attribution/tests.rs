use super::heuristic::{self, Rule};
use super::markov::{Solver, markov, markov_with};
use super::shapley::{shapley, shapley_coalitions, shapley_ordered, shapley_sampled};
use super::*;
use crate::event::{Event, TouchAction, read_ndjson_str};
use proptest::prelude::*;

fn table(text: &str) -> PathTable {
    let p = PathTable::parse_str(text, ">").unwrap();
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    p.table
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

/// Counts near the largest double: Markov scales them (an exact power of two) so the chain's
/// weights do not overflow, and gives the credit of the same table scaled down; a total that
/// does not fit in a double is refused by every model, never returned as NaN or infinity.
#[test]
fn huge_counts_give_finite_credit_or_a_named_error() {
    let huge = table("path;total_conversions;total_null\na > b;1e308;1e308\nb;1e307;3e307\n");
    let small = table("path;total_conversions;total_null\na > b;10;10\nb;1;3\n");
    let (h, s) = (markov(&huge, 1).unwrap(), markov(&small, 1).unwrap());
    for c in ["a", "b"] {
        let (hc, sc) = (h.get(c).unwrap().conversions, s.get(c).unwrap().conversions);
        assert!(hc.is_finite() && close(hc / 1e307, sc), "{c}: {hc} vs {sc}");
    }
    assert!(close(h.p_conversion.unwrap(), s.p_conversion.unwrap()));

    // a's share under every model passes 1.8e308.
    let overflow =
        table("path;total_conversions;total_null\na;1e308;1\na > b;1e308;1\nb > a;1e308;1\n");
    for model in ["markov", "first", "linear", "shapley"] {
        let e = model.parse::<Model>().unwrap().run(&overflow).unwrap_err();
        assert!(
            matches!(&e, AttributionError::NotFinite { what } if what.contains("channel `")),
            "{model}: {e}"
        );
    }
}

#[test]
fn parser_detects_delimiters_and_optional_columns() {
    let a = table("path;total_conversions;total_conversion_value;total_null\na > b;2;10;3\n");
    let b = table("path,total_conversions,total_conversion_value,total_null\r\na > b,2,10,3\r\n");
    assert_eq!(a, b);
    let c = table("total_conversions,path\n2,a>b\n");
    assert_eq!(c.rows()[0].path, vec![0, 1]);
    assert_eq!(c.total_nulls(), 0.0);
    assert_eq!(c.total_value(), 0.0);
}

#[test]
fn parser_keeps_good_rows_and_names_bad_ones() {
    let text = "path;total_conversions;total_conversion_value;total_null\n\
                a > b;1;2;3\n\
                a >  > b;1;2;3\n\
                b;-1;2;3\n\
                b;1;x;3\n\
                b;1;2\n\
                c;1;2;inf\n\
                \"a > c\";4;0;0\n";
    let p = PathTable::parse_str(text, ">").unwrap();
    let where_: Vec<(u64, &str)> = p
        .errors
        .iter()
        .map(|e| (e.line, e.field.as_str()))
        .collect();
    assert_eq!(
        where_,
        vec![
            (3, "path"),
            (4, "total_conversions"),
            (5, "total_conversion_value"),
            (6, "total_null"),
            (7, "total_null")
        ]
    );
    assert_eq!(p.table.total_conversions(), 5.0);
    assert!(p.errors[0].to_string().contains("line 3"));
}

#[test]
fn parser_rejects_bad_headers() {
    assert!(matches!(
        PathTable::parse_str("", ">"),
        Err(AttributionError::Header(_))
    ));
    assert!(matches!(
        PathTable::parse_str("route;total_conversions\n", ">"),
        Err(AttributionError::Header(_))
    ));
    assert!(matches!(
        PathTable::parse_str("path;conversions\n", ">"),
        Err(AttributionError::Header(_))
    ));
    assert!(PathTable::parse_str("path;total_conversions\n", " ").is_err());
}

#[test]
fn identical_paths_merge_and_csv_round_trips() {
    let t = table(
        "path;total_conversions;total_conversion_value;total_null\nb > a;1;2;3\nb>a;1;1;0\na;0;0;1\n",
    );
    assert_eq!(t.rows().len(), 2);
    let again = table(&t.to_csv(">"));
    assert_eq!(t, again);
}

#[test]
fn regroup_merges_channels() {
    let t = table("path;total_conversions\nfb > yt;1\nfacebook > yt;1\n");
    let g = t.regroup(&ChannelMap::from_pairs([("fb", "facebook")]));
    assert_eq!(g.channels(), ["facebook", "yt"]);
    assert_eq!(g.rows().len(), 1);
    assert_eq!(g.rows()[0].conversions, 2.0);
}

#[test]
fn heuristics_by_hand() {
    let t = table(
        "path;total_conversions;total_conversion_value\na > b > direct;1;10\ndirect;1;5\na > b;2;4\n",
    );
    let first = heuristic::attribute(&t, Rule::First);
    assert_eq!(first.get("a").unwrap().conversions, 3.0);
    assert_eq!(first.get("direct").unwrap().value, 5.0);
    let last = heuristic::attribute(&t, Rule::Last);
    assert_eq!(last.get("direct").unwrap().conversions, 2.0);
    let lnd = heuristic::attribute(&t, Rule::LastNonDirect);
    assert_eq!(lnd.get("b").unwrap().conversions, 3.0);
    assert_eq!(lnd.get("direct").unwrap().conversions, 1.0);
    let lin = heuristic::attribute(&t, Rule::Linear);
    assert!(close(lin.get("a").unwrap().conversions, 1.0 / 3.0 + 1.0));
    let pos = heuristic::attribute(&t, Rule::POSITION);
    assert!(close(pos.get("b").unwrap().conversions, 0.2 + 1.0));
    assert!(close(pos.get("a").unwrap().value, 4.0 + 2.0));
    for c in [first, last, lnd, lin, pos] {
        assert!(c.check_totals(4.0, 19.0), "{c:?}");
    }
}

#[test]
fn time_decay_halves_per_half_life() {
    let t = |c: &str, ts| Touch {
        channel: c.into(),
        action: TouchAction::Click,
        timestamp: ts,
    };
    let j = Journey {
        profile: 0u64,
        touches: vec![t("a", 0), t("b", 7 * 86_400), t("c", 14 * 86_400)],
        converted: true,
        end: 14 * 86_400,
        value: 7.0,
    };
    let c = heuristic::time_decay(std::slice::from_ref(&j), 7 * 86_400);
    assert!(close(c.get("c").unwrap().conversions, 4.0 / 7.0));
    assert!(close(c.get("a").unwrap().value, 1.0));
    // Weights stay finite even when every touch is far older than the half-life.
    let mut far = j;
    far.end += 10_000 * 86_400;
    let c = heuristic::time_decay(&[far], 60);
    assert!(c.check_totals(1.0, 7.0));
}

#[test]
fn markov_two_channel_chain_by_hand() {
    // start → a (w 3), start → b (w 1); a → b (w 2), a → conv 1; b → conv 1, b → null 2.
    let t = table("path;total_conversions;total_null\na > b;1;1\na;1;0\nb;0;1\n");
    let c = markov(&t, 1).unwrap();
    // P(conv|b) = 1/3; P(conv|a) = 1/3 + 2/3·1/3 = 5/9; P = 3/4·5/9 + 1/4·1/3 = 1/2.
    assert!(close(c.p_conversion.unwrap(), 0.5));
    let re = c.removal_effects.as_ref().unwrap();
    // Without a: 1/4 · 1/3 = 1/12 → RE 5/6. Without b: 3/4 · 1/3 = 1/4 → RE 1/2.
    assert!(close(re[0].conversion, 5.0 / 6.0));
    assert!(close(re[1].conversion, 0.5));
    assert!(close(
        c.get("a").unwrap().conversions,
        2.0 * (5.0 / 6.0) / (4.0 / 3.0)
    ));
    assert!(c.check_totals(2.0, 0.0));
}

#[test]
fn markov_rejects_bad_orders_and_empty_tables() {
    let t = table("path;total_conversions\na;1\n");
    assert_eq!(markov(&t, 0), Err(AttributionError::Order(0)));
    assert_eq!(markov(&t, 5), Err(AttributionError::Order(5)));
    let empty = table("path;total_conversions\na;0\n");
    assert_eq!(markov(&empty, 1), Err(AttributionError::Empty));
}

#[test]
fn markov_refuses_zero_walks() {
    let t = table("path;total_conversions;total_null\na > b;1;1\n");
    let e = markov_with(&t, 1, Solver::MonteCarlo { walks: 0, seed: 1 }).unwrap_err();
    assert!(
        matches!(e, AttributionError::Config { ref field, .. } if field == "walks"),
        "{e}"
    );
    assert!(markov_with(&t, 1, Solver::MonteCarlo { walks: 1, seed: 1 }).is_ok());
}

/// Removal effects and credit of the ancestor-only solves against one full re-solve per
/// channel: the same system, so equal to rounding.
fn assert_same_as_full_resolves(t: &PathTable, order: usize) {
    let chain = super::markov::Chain::fit(t, order).unwrap();
    let (fast, full) = (
        chain.attribute().unwrap(),
        chain.attribute_by_full_resolves().unwrap(),
    );
    let near = |a: f64, b: f64| (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1.0);
    assert!(near(fast.p_conversion.unwrap(), full.p_conversion.unwrap()));
    let (fr, gr) = (
        fast.removal_effects.as_ref().unwrap(),
        full.removal_effects.as_ref().unwrap(),
    );
    for (a, b) in fr.iter().zip(gr) {
        assert!(
            near(a.conversion, b.conversion),
            "{}: {a:?} vs {b:?}",
            a.channel
        );
        assert!(near(a.value, b.value), "{}: {a:?} vs {b:?}", a.channel);
    }
    for (a, b) in fast.channels.iter().zip(&full.channels) {
        assert!(
            near(a.conversions, b.conversions) && near(a.value, b.value),
            "{a:?} vs {b:?}"
        );
    }
}

#[test]
fn markov_ancestor_solves_equal_full_resolves_on_large_chains() {
    // Dense (≤ DENSE_MAX states) and iterative (more) solves, loops and revisits included.
    let names = ["a", "b", "c", "d", "e", "f", "g", "h"];
    let mut x: u64 = 99;
    let mut text = String::from("path;total_conversions;total_conversion_value;total_null\n");
    for i in 0..2000 {
        let p: Vec<&str> = (0..1 + i % 7)
            .map(|_| {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                names[(x >> 33) as usize % 8]
            })
            .collect();
        text.push_str(&format!(
            "{};{};{};{}\n",
            p.join(" > "),
            i % 3,
            i % 11,
            1 + i % 4
        ));
    }
    let t = table(&text);
    for order in 1..=4 {
        assert_same_as_full_resolves(&t, order);
    }
    // Many channels, short journeys: the case the ancestor solves make linear.
    let mut text = String::from("path;total_conversions;total_null\n");
    for i in 0..600 {
        text.push_str(&format!(
            "c{i};{};{}\nc{i} > c{};1;1\n",
            i % 3,
            1 + i % 2,
            (i * 7) % 600
        ));
    }
    assert_same_as_full_resolves(&table(&text), 1);
    assert_same_as_full_resolves(&table(&text), 2);
}

#[test]
fn markov_monte_carlo_approaches_exact() {
    let t = table(
        "path;total_conversions;total_conversion_value;total_null\na > b > c;3;30;5\nb > a;2;8;4\nc;1;1;9\na > c > a;1;5;2\n",
    );
    let exact = markov(&t, 1).unwrap();
    let mc = markov_with(
        &t,
        1,
        Solver::MonteCarlo {
            walks: 400_000,
            seed: 7,
        },
    )
    .unwrap();
    // 400k walks: standard error of p ≈ 0.001, so 0.01 absolute is > 5 sigma.
    assert!((exact.p_conversion.unwrap() - mc.p_conversion.unwrap()).abs() < 0.01);
    for (e, m) in exact.channels.iter().zip(&mc.channels) {
        assert!(
            (e.conversions - m.conversions).abs() < 0.05 * 8.0,
            "{e:?} {m:?}"
        );
    }
    let again = markov_with(
        &t,
        1,
        Solver::MonteCarlo {
            walks: 400_000,
            seed: 7,
        },
    )
    .unwrap();
    assert_eq!(mc, again);
}

#[test]
fn large_chains_use_the_iterative_solver_and_agree() {
    // Order 4 over 8 channels gives well over DENSE_MAX states.
    let mut text = String::from("path;total_conversions;total_null\n");
    let names = ["a", "b", "c", "d", "e", "f", "g", "h"];
    let mut x: u64 = 12345;
    for i in 0..3000 {
        let len = 2 + i % 6;
        let p: Vec<&str> = (0..len)
            .map(|_| {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                names[(x >> 33) as usize % 8]
            })
            .collect();
        text.push_str(&format!("{};{};{}\n", p.join(" > "), i % 3, 1 + i % 2));
    }
    let t = table(&text);
    let c = markov(&t, 4).unwrap();
    assert!(super::markov::Chain::fit(&t, 4).unwrap().states() > super::linalg::DENSE_MAX);
    assert!(c.check_totals(t.total_conversions(), 0.0));
}

fn brute_force_shapley(t: &PathTable) -> Vec<f64> {
    // Scan the data for every coalition: v(S) = conversions of rows whose channels ⊆ S.
    let n = t.channels().len();
    let v = |s: usize| -> f64 {
        t.rows()
            .iter()
            .filter(|r| r.path.iter().all(|&c| s & (1 << c) != 0))
            .map(|r| r.conversions)
            .sum()
    };
    let fact = |k: usize| (1..=k).map(|x| x as f64).product::<f64>();
    let mut phi = vec![0.0; n];
    for s in 0..(1usize << n) {
        for (i, p) in phi.iter_mut().enumerate() {
            if s & (1 << i) == 0 {
                let k = s.count_ones() as usize;
                *p += fact(k) * fact(n - k - 1) / fact(n) * (v(s | 1 << i) - v(s));
            }
        }
    }
    phi
}

fn arb_table(max_channels: u32) -> impl Strategy<Value = PathTable> {
    prop::collection::vec(
        (
            prop::collection::vec(0..max_channels, 1..6),
            0u32..5,
            0u32..50,
            0u32..5,
        ),
        1..25,
    )
    .prop_map(|rows| {
        let mut b = PathTable::builder();
        for (p, c, v, n) in rows {
            let names: Vec<String> = p.iter().map(|i| format!("ch{i}")).collect();
            b.add(&names, c as f64, v as f64, n as f64);
        }
        b.finish()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn shapley_matches_brute_force(t in arb_table(7)) {
        let brute = brute_force_shapley(&t);
        let fast = shapley(&t);
        let coal = shapley_coalitions(&t).unwrap();
        for (i, b) in brute.iter().enumerate() {
            prop_assert!((fast.channels[i].conversions - b).abs() < 1e-9);
            prop_assert!((coal.channels[i].conversions - b).abs() < 1e-9);
        }
        // Efficiency: the credit sums to the conversions (and value) of the table.
        prop_assert!(fast.check_totals(t.total_conversions(), t.total_value()));
        prop_assert!(coal.check_totals(t.total_conversions(), t.total_value()));
        // Ordered variant: positions sum to the channel's credit.
        for (o, c) in shapley_ordered(&t).iter().zip(&fast.channels) {
            prop_assert!((o.positions.iter().sum::<f64>() - c.conversions).abs() < 1e-9);
        }
    }

    #[test]
    fn markov_ancestor_solves_equal_full_resolves(t in arb_table(7), order in 1usize..=4) {
        if super::markov::Chain::fit(&t, order).is_ok() {
            assert_same_as_full_resolves(&t, order);
        }
    }

    #[test]
    fn every_model_sums_to_the_totals(t in arb_table(6), order in 1usize..=4) {
        let (tc, tv) = (t.total_conversions(), t.total_value());
        for rule in [Rule::First, Rule::Last, Rule::LastNonDirect, Rule::Linear, Rule::POSITION] {
            prop_assert!(heuristic::attribute(&t, rule).check_totals(tc, tv));
        }
        prop_assert!(shapley(&t).check_totals(tc, tv));
        match markov(&t, order) {
            Ok(c) => {
                let re = c.removal_effects.as_ref().unwrap();
                // A chain with no conversion path credits nothing; otherwise the totals.
                if re.iter().any(|r| r.conversion > 0.0) {
                    prop_assert!((c.total_conversions() - tc).abs() <= 1e-9 * tc.max(1.0));
                }
                if re.iter().any(|r| r.value > 0.0) {
                    prop_assert!((c.total_value() - tv).abs() <= 1e-9 * tv.max(1.0));
                }
            }
            Err(e) => prop_assert_eq!(e, AttributionError::Empty),
        }
    }

    #[test]
    fn models_do_not_depend_on_row_order(t in arb_table(5), seed in any::<u64>()) {
        let mut text = t.to_csv(">").lines().skip(1).map(str::to_owned).collect::<Vec<_>>();
        // Deterministic shuffle driven by the seed.
        let mut x = seed | 1;
        for i in (1..text.len()).rev() {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            text.swap(i, (x % (i as u64 + 1)) as usize);
        }
        let shuffled = table(&format!("path;total_conversions;total_conversion_value;total_null\n{}\n", text.join("\n")));
        prop_assert_eq!(&shuffled, &t);
        prop_assert_eq!(markov(&shuffled, 2), markov(&t, 2));
    }

    #[test]
    fn shapley_is_symmetric(t in arb_table(4)) {
        // Swapping two channel names everywhere swaps their credit.
        let map = ChannelMap::from_pairs([("ch0", "ch1"), ("ch1", "ch0")]);
        let swapped = t.regroup(&map);
        let (a, b) = (shapley(&t), shapley(&swapped));
        for c in &a.channels {
            let other = map.group(&c.channel);
            prop_assert!((b.get(other).map_or(0.0, |x| x.conversions) - c.conversions).abs() < 1e-9);
        }
    }

    #[test]
    fn parser_never_panics(s in ".{0,200}") {
        let _ = PathTable::parse_str(&format!("path;total_conversions\n{s}"), ">");
        let _ = PathTable::parse_str(&s, ">");
    }
}

#[test]
fn symmetric_channels_get_equal_shapley_credit() {
    let t = table(
        "path;total_conversions;total_conversion_value\na > b;4;8\nb > a;2;2\nc > a;1;1\nc > b;1;1\n",
    );
    let s = shapley(&t);
    assert!(close(
        s.get("a").unwrap().conversions,
        s.get("b").unwrap().conversions
    ));
}

#[test]
fn sampled_shapley_converges_and_is_seeded() {
    let t =
        table("path;total_conversions;total_conversion_value\na > b > c;6;6\nb;2;1\na > c;3;9\n");
    let exact = shapley(&t);
    let s = shapley_sampled(&t, 20_000, 3);
    assert_eq!(s, shapley_sampled(&t, 20_000, 3));
    for (e, x) in exact.channels.iter().zip(&s.channels) {
        // Each permutation's credit to a channel is at most 11: sd/√20000 < 0.08.
        assert!((e.conversions - x.conversions).abs() < 0.3, "{e:?} {x:?}");
    }
    assert!(s.check_totals(11.0, 16.0));
}

#[test]
fn shapley_coalitions_refuses_too_many_channels() {
    let mut b = PathTable::builder();
    let names: Vec<String> = (0..21).map(|i| format!("c{i:02}")).collect();
    b.add(&names, 1.0, 0.0, 0.0);
    let t = b.finish();
    assert!(matches!(
        shapley_coalitions(&t),
        Err(AttributionError::TooManyChannels { max: 20, got: 21 })
    ));
    // The dividend formula has no limit.
    assert!(close(shapley(&t).channels[0].conversions, 1.0 / 21.0));
}

fn events(lines: &[&str]) -> Vec<Event> {
    let out = read_ndjson_str(&lines.join("\n"));
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    out.events
}

#[test]
fn journeys_respect_lookbacks_and_reset_after_conversion() {
    let day = 86_400;
    let tp = |action: &str, ch: &str, ts: i64, who: &str| {
        format!(
            r#"{{"type":"touchpoint","action":"{action}","channel":"{ch}","timestamp":{ts},"identifiers":[{{"kind":"email","value":"{who}"}}]}}"#
        )
    };
    let ci = |ts: i64, who: &str, value: &str| {
        format!(
            r#"{{"type":"checkin","method":"qr_scan","store":"S","timestamp":{ts}{value},"identifiers":[{{"kind":"email","value":"{who}"}}]}}"#
        )
    };
    let lines = [
        tp("impression", "banner", 0, "a"), // too old for an impression (1 d)
        tp("click", "search", day, "a"),    // within 30 d
        tp("impression", "youtube", 10 * day, "a"), // 12 h before: in
        ci(10 * day + day / 2, "a", r#","value":20"#),
        ci(12 * day, "a", ""), // nothing new since the last check-in
        tp("open", "email", 13 * day, "a"), // tail: a null journey
        tp("purchase", "web", 13 * day, "a"), // purchases are not touches
        tp("click", "facebook", 5 * day, "b"),
    ];
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let ev = events(&refs);
    let keys: Vec<_> = ev.iter().map(crate::report::simple_key).collect();
    let js = journey::build_journeys_keyed(&ev, &keys, &JourneyConfig::default());
    let chans = |j: &Journey<String>| {
        j.touches
            .iter()
            .map(|t| t.channel.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(js.len(), 4);
    assert_eq!(chans(&js[0]), ["search", "youtube"]);
    assert!(js[0].converted);
    assert_eq!(js[0].value, 20.0);
    assert!(js[1].converted && js[1].touches.is_empty());
    assert_eq!(chans(&js[2]), ["email"]);
    assert!(!js[2].converted);
    assert_eq!(chans(&js[3]), ["facebook"]);
    let t = PathTable::from_journeys(&js);
    assert_eq!(t.total_conversions(), 1.0);
    assert_eq!(t.total_nulls(), 2.0);
    // Without the reset, the second check-in sees the same touches again.
    let cfg = JourneyConfig {
        reset_after_conversion: false,
        ..JourneyConfig::default()
    };
    let js = journey::build_journeys_keyed(&ev, &keys, &cfg);
    assert_eq!(chans(&js[1]), ["search"]);
    // Shuffled input gives the same journeys.
    let mut rev = ev.clone();
    rev.reverse();
    let keys_rev: Vec<_> = rev.iter().map(crate::report::simple_key).collect();
    let a = PathTable::from_journeys(&journey::build_journeys_keyed(
        &ev,
        &keys,
        &JourneyConfig::default(),
    ));
    let b = PathTable::from_journeys(&journey::build_journeys_keyed(
        &rev,
        &keys_rev,
        &JourneyConfig::default(),
    ));
    assert_eq!(a, b);
}

#[test]
fn journeys_group_campaigns_into_channels() {
    let ev = events(&[
        r#"{"type":"touchpoint","action":"click","channel":"facebook","campaign":"zalo-oa-push","timestamp":1,"identifiers":[{"kind":"phone","value":"1"}]}"#,
        r#"{"type":"checkin","method":"qr_scan","store":"S","timestamp":2,"identifiers":[{"kind":"phone","value":"1"}]}"#,
    ]);
    let mut cfg = JourneyConfig::default();
    cfg.channel_map.insert("zalo-oa-push", "zalo");
    let js = build_journeys(&ev, |_| Some(0u8), &cfg);
    assert_eq!(js[0].touches[0].channel, "zalo");
}

#[test]
fn lookback_specs_parse_and_fail_clearly() {
    let cfg = JourneyConfig::default()
        .parse_lookbacks("click=14d, impression=6h, visit=90m, open=30s, voucher_claim=2")
        .unwrap();
    assert_eq!(cfg.lookback[&TouchAction::Click], Some(14 * 86_400));
    assert_eq!(cfg.lookback[&TouchAction::Visit], Some(5_400));
    assert_eq!(cfg.lookback[&TouchAction::VoucherClaim], Some(2 * 86_400));
    for bad in ["click", "tap=1d", "click=1w", "click=-1d", "click=xd"] {
        assert!(
            JourneyConfig::default().parse_lookbacks(bad).is_err(),
            "{bad}"
        );
    }
}

#[test]
fn spearman_handles_ties_and_degenerate_input() {
    use super::compare::spearman;
    assert_eq!(spearman(&[1.0], &[1.0]), None);
    assert_eq!(spearman(&[1.0, 1.0], &[1.0, 2.0]), None);
    assert_eq!(spearman(&[1.0, 2.0], &[1.0]), None);
    let r = spearman(&[1.0, 2.0, 2.0, 3.0], &[1.0, 2.0, 3.0, 4.0]).unwrap();
    assert!((r - 0.9486832980505138).abs() < 1e-12);
}

mod incremental_model {
    use crate::attribution::JourneyConfig;
    use crate::attribution::incremental::{BASELINE, ExposureTable, incremental};
    use crate::event::read_ndjson_str;
    use proptest::prelude::*;

    /// Two independent channels with additive effects, every exposure set equally common: the
    /// fit recovers the lifts exactly (the data are exactly additive) and the credit sums to
    /// the total.
    #[test]
    fn recovers_additive_lifts_exactly() {
        let mut t = ExposureTable::new(vec!["a".into(), "b".into()]).unwrap();
        // Rates: ∅ 0.1, {a} 0.3, {b} 0.15, {a, b} 0.35 → lift a = 0.2, b = 0.05.
        for (set, per_100) in [(0u64, 10), (1, 30), (2, 15), (3, 35)] {
            for i in 0..100 {
                t.add_profile(
                    set,
                    if i < per_100 { 1.0 } else { 0.0 },
                    if i < per_100 { 20.0 } else { 0.0 },
                );
            }
        }
        let fit = incremental(&t).unwrap();
        assert!((fit.baseline_rate - 0.1).abs() < 1e-12);
        assert!((fit.lifts[0].lift - 0.2).abs() < 1e-12);
        assert!((fit.lifts[1].lift - 0.05).abs() < 1e-12);
        assert!((fit.lifts[0].incremental - 40.0).abs() < 1e-9);
        assert!((fit.lifts[1].incremental_value - 200.0).abs() < 1e-9);
        assert!(fit.credit.check_totals(90.0, 1800.0));
        assert!((fit.credit.get(BASELINE).unwrap().conversions - 40.0).abs() < 1e-9);
        // The interval is centred on the estimate and has positive width.
        let l = &fit.lifts[0];
        assert!(l.se > 0.0 && l.ci.0 < l.incremental && l.incremental < l.ci.1);
    }

    /// A channel that reached every profile is indistinguishable from the baseline: refused,
    /// naming the channel.
    #[test]
    fn a_channel_on_every_profile_is_refused_by_name() {
        let mut t = ExposureTable::new(vec!["banner".into(), "zalo".into()]).unwrap();
        for i in 0..50 {
            t.add_profile(0b01, f64::from(i % 2), 0.0);
            t.add_profile(0b11, f64::from(i % 3 == 0), 0.0);
        }
        let e = incremental(&t).unwrap_err().to_string();
        assert!(e.contains("`banner`"), "{e}");
    }

    #[test]
    fn exposure_table_from_events_counts_unexposed_profiles_and_ignores_order() {
        let lines = [
            r#"{"type":"touchpoint","action":"click","channel":"zalo","timestamp":100,"identifiers":[{"kind":"email","value":"a@x.vn"}]}"#,
            r#"{"type":"checkin","method":"qr_scan","store":"S","timestamp":200,"value":10,"identifiers":[{"kind":"email","value":"a@x.vn"}]}"#,
            r#"{"type":"touchpoint","action":"sign_up","channel":"account","timestamp":50,"identifiers":[{"kind":"email","value":"b@x.vn"}]}"#,
            r#"{"type":"checkin","method":"qr_scan","store":"S","timestamp":300,"identifiers":[{"kind":"email","value":"c@x.vn"}]}"#,
            r#"{"type":"touchpoint","action":"impression","channel":"banner","timestamp":900,"identifiers":[{"kind":"email","value":"c@x.vn"}]}"#,
        ];
        let key = |e: &crate::event::Event| Some(e.identifiers()[0].value.clone());
        let build = |text: String| {
            let ev = read_ndjson_str(&text).events;
            let keys: Vec<_> = ev.iter().map(key).collect();
            ExposureTable::from_keyed_events(&ev, &keys, &JourneyConfig::default(), Some((0, 800)))
                .unwrap()
        };
        let t = build(lines.join("\n"));
        // The banner impression is outside the window; the sign-up is not an exposure.
        assert_eq!(t.channels(), ["zalo".to_owned()]);
        let sets: Vec<(u64, f64, f64)> = t
            .sets()
            .map(|(m, s)| (m, s.profiles, s.conversions))
            .collect();
        assert_eq!(sets, vec![(0, 2.0, 1.0), (1, 1.0, 1.0)]);
        let mut rev = lines.to_vec();
        rev.reverse();
        assert_eq!(build(rev.join("\n")), t);
    }

    proptest! {
        /// Whatever the data (as long as the fit is identified), the credit sums to the totals.
        #[test]
        fn credit_sums_to_the_totals(rows in prop::collection::vec((0u64..8, 0u8..4, 0u16..500), 40..200)) {
            let mut t = ExposureTable::new(vec!["a".into(), "b".into(), "c".into()]).unwrap();
            let (mut tc, mut tv) = (0.0, 0.0);
            for (set, c, v) in &rows {
                t.add_profile(*set, f64::from(*c), f64::from(*v));
                tc += f64::from(*c);
                tv += f64::from(*v);
            }
            if let Ok(fit) = incremental(&t) {
                prop_assert!(fit.credit.check_totals(tc, tv));
            }
        }
    }
}
