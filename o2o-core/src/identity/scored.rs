//! Scored links: two identifiers joined by probabilistic matching (`crate::matching`) rather
//! than seen together in one event. A scored link enters the graph as an observation of the two
//! identifiers, so the hub guard, the per-profile limits and the kind priorities treat it exactly
//! as they treat an exact link; beside it the graph keeps the link's [`Waterfall`], which
//! [`IdentityGraph::explain`](super::IdentityGraph::explain) shows for each scored link of a
//! chain.

use serde::{Deserialize, Serialize};
use std::fmt::Write as _;

/// One comparison's part of a match weight.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct FieldWeight {
    /// The field compared (`given_name`, `date_of_birth`, …).
    pub field: String,
    /// The level the pair fell in (`exact`, `jaro_winkler >= 0.92`, `else`, `null`).
    pub level: String,
    /// The chance that two records of one person fall in this level (absent for `null`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub m: Option<f64>,
    /// The chance that two records of different people fall in it (absent for `null`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub u: Option<f64>,
    /// log2(m / u): what the level adds to the match weight.
    pub weight: f64,
    /// What the value's rarity adds (term-frequency adjustment; 0 when not adjusted).
    pub tf_adjustment: f64,
}

/// How a pair's match weight is made: the prior, then each field's part. The match weight is
/// their sum (log2 of the odds that the two records are one person).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Waterfall {
    /// log2 of the prior odds (two random records matching).
    pub prior: f64,
    /// Each comparison, in the settings' order.
    pub fields: Vec<FieldWeight>,
    /// The match weight: the prior plus every field's weight and adjustment.
    pub match_weight: f64,
    /// The match probability, 2^w / (1 + 2^w).
    pub probability: f64,
}

// Weights are finite (probabilities are floored away from 0 and 1), so comparing their bits is
// an equivalence: `Explanation`s that hold waterfalls stay `Eq`.
impl PartialEq for Waterfall {
    fn eq(&self, other: &Self) -> bool {
        let same = |a: f64, b: f64| a.to_bits() == b.to_bits();
        let opt = |a: Option<f64>, b: Option<f64>| match (a, b) {
            (Some(a), Some(b)) => same(a, b),
            (None, None) => true,
            _ => false,
        };
        same(self.prior, other.prior)
            && same(self.match_weight, other.match_weight)
            && same(self.probability, other.probability)
            && self.fields.len() == other.fields.len()
            && self.fields.iter().zip(&other.fields).all(|(a, b)| {
                a.field == b.field
                    && a.level == b.level
                    && opt(a.m, b.m)
                    && opt(a.u, b.u)
                    && same(a.weight, b.weight)
                    && same(a.tf_adjustment, b.tf_adjustment)
            })
    }
}

impl Eq for Waterfall {}

impl Waterfall {
    /// The waterfall as text: one line per step, its weight and the running total.
    ///
    /// ```
    /// use o2o_core::identity::{FieldWeight, Waterfall};
    /// let w = Waterfall { prior: -10.0, match_weight: 2.5, probability: 0.85, fields: vec![
    ///     FieldWeight { field: "surname".into(), level: "exact".into(), m: Some(0.9), u: Some(0.001),
    ///                   weight: 9.81, tf_adjustment: 2.69 }] };
    /// let text = w.to_text();
    /// assert!(text.contains("surname"));
    /// assert!(text.lines().last().unwrap().contains("+2.50"));
    /// ```
    #[must_use]
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let mut total = self.prior;
        let _ = writeln!(out, "{:<40} {:>8} {:>9}", "step", "weight", "total");
        let _ = writeln!(out, "{:<40} {:>+8.2} {:>+9.2}", "prior", self.prior, total);
        for f in &self.fields {
            total += f.weight;
            let _ = writeln!(
                out,
                "{:<40} {:>+8.2} {:>+9.2}",
                format!("{}: {}", f.field, f.level),
                f.weight,
                total
            );
            if f.tf_adjustment != 0.0 {
                total += f.tf_adjustment;
                let _ = writeln!(
                    out,
                    "{:<40} {:>+8.2} {:>+9.2}",
                    format!("{}: term frequency", f.field),
                    f.tf_adjustment,
                    total
                );
            }
        }
        let _ = write!(
            out,
            "{:<40} {:>8} {:>+9.2}  (probability {:.6})",
            "match weight", "", self.match_weight, self.probability
        );
        out
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::consent::{
        ConsentGate, ConsentMode, ConsentSignals, ConsentState, Operation, Permit,
    };
    use crate::event::{IdKind, Identifier};
    use crate::identity::{IdentityGraph, KindLimit, NotLinked, ResolutionRules, Scratch};
    use proptest::prelude::*;

    fn permit() -> Permit {
        let yes = ConsentSignals {
            gcm: Some(ConsentMode {
                ad_user_data: ConsentState::Granted,
                ..Default::default()
            }),
            ..Default::default()
        };
        ConsentGate::default()
            .permit(Operation::LinkIdentity, Some(&yes))
            .unwrap()
    }

    fn ident(kind: u8, n: u8) -> Identifier {
        let n = n % 10;
        match kind % 5 {
            0 => Identifier::new(IdKind::ExternalId, format!("C{n}")),
            1 => Identifier::new(IdKind::LoyaltyCard, format!("L{n}")),
            2 => Identifier::new(IdKind::Email, format!("u{n}@x.com")),
            3 => Identifier::new(IdKind::DeviceId, format!("d{n}")),
            _ => Identifier::new(IdKind::Ip, format!("10.0.0.{n}")),
        }
    }

    fn waterfall(w: f64) -> Waterfall {
        Waterfall {
            prior: -10.0,
            fields: vec![FieldWeight {
                field: "surname".into(),
                level: "exact".into(),
                m: Some(0.9),
                u: Some(0.001),
                weight: w + 10.0,
                tf_adjustment: 0.0,
            }],
            match_weight: w,
            probability: crate::matching::probability(w),
        }
    }

    type Obs = (i64, u8, Vec<(u8, u8)>);
    type Scored = ((u8, u8), (u8, u8), u8);

    /// Observations, then scored links among their identifiers, under `rules`.
    fn build(obs: &[Obs], scored: &[Scored], rules: ResolutionRules) -> IdentityGraph {
        let p = permit();
        let mut g = IdentityGraph::new(rules).unwrap();
        for (ts, src, ids) in obs {
            let ids: Vec<Identifier> = ids.iter().map(|&(k, n)| ident(k, n)).collect();
            g.observe(&p, *ts, &format!("s{}", src % 3), &ids).unwrap();
        }
        for &(a, b, w) in scored {
            let _ = g
                .link_scored(
                    "match",
                    &ident(a.0, a.1),
                    &ident(b.0, b.1),
                    waterfall(f64::from(w)),
                )
                .unwrap();
        }
        g
    }

    fn rules() -> impl Strategy<Value = ResolutionRules> {
        (
            0u32..3,
            prop::option::of(1i64..2_000),
            1u32..3,
            any::<bool>(),
        )
            .prop_map(|(hub, window, max, reverse)| {
                let mut r = ResolutionRules {
                    hub_threshold: [(IdKind::DeviceId, hub), (IdKind::Ip, hub)].into(),
                    limits: [
                        (IdKind::ExternalId, KindLimit::ever(max)),
                        (IdKind::Email, KindLimit::ever(max + 1)),
                    ]
                    .into(),
                    ..ResolutionRules::default()
                };
                if let Some(w) = window {
                    r.time_bounded.insert(IdKind::Ip, w);
                }
                if reverse {
                    r.priority.reverse();
                }
                r
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(
            std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(64)))]

        /// With scored links present, the optimised resolution gives exactly what the
        /// straightforward one gives.
        #[test]
        fn resolve_matches_the_reference_with_scored_links(
            obs in prop::collection::vec(
                (0i64..6_000, any::<u8>(), prop::collection::vec((any::<u8>(), any::<u8>()), 1..4)),
                0..80),
            scored in prop::collection::vec(((any::<u8>(), any::<u8>()), (any::<u8>(), any::<u8>()), any::<u8>()), 0..30),
            rules in rules(),
        ) {
            let g = build(&obs, &scored, rules);
            let fast = g.resolve_fresh(&mut Scratch::new()).resolution().clone();
            let reference = crate::identity::reference::resolve_reference(&g.input());
            prop_assert_eq!(fast, reference);
        }
    }

    /// A scored link is held to the per-profile limits like an exact link: two CRM ids (the
    /// default allows one per profile) stay apart, and `explain` says why.
    #[test]
    fn a_scored_link_obeys_the_limits() {
        let p = permit();
        let mut g = IdentityGraph::new(ResolutionRules::default()).unwrap();
        let (a, b) = (ident(0, 1), ident(0, 2));
        g.observe(&p, 10, "crm", std::slice::from_ref(&a)).unwrap();
        g.observe(&p, 20, "crm", std::slice::from_ref(&b)).unwrap();
        assert!(g.link_scored("match", &a, &b, waterfall(12.0)).unwrap());
        let e = g.explain(&a, &b);
        assert!(!e.is_linked());
        assert!(
            e.reasons()
                .iter()
                .any(|r| matches!(r, NotLinked::Limit { .. }))
        );
    }

    /// A scored link never brings in an identifier the graph has not recorded (one denied or
    /// never seen), and a linked pair's chain carries the waterfall in JSON.
    #[test]
    fn a_scored_link_joins_only_recorded_identifiers() {
        let p = permit();
        let mut g = IdentityGraph::new(ResolutionRules::default()).unwrap();
        let (crm, card) = (ident(0, 1), ident(1, 1));
        g.observe(&p, 10, "crm", std::slice::from_ref(&crm))
            .unwrap();
        assert!(!g.link_scored("match", &crm, &card, waterfall(9.0)).unwrap());
        assert_eq!(g.observations(), 1);
        g.observe(&p, 30, "pos", std::slice::from_ref(&card))
            .unwrap();
        assert!(g.link_scored("match", &crm, &card, waterfall(9.0)).unwrap());
        let json = serde_json::to_value(g.explain(&crm, &card)).unwrap();
        assert_eq!(json["chain"][0]["match_weight"]["match_weight"], 9.0);
        assert_eq!(
            json["chain"][0]["match_weight"]["fields"][0]["field"],
            "surname"
        );
        // The link moves neither end's sightings.
        let profile = g.profile_of(&crm).unwrap();
        assert_eq!((profile.first_seen, profile.last_seen), (10, 30));
    }

    /// Ann's CRM id and card, Bao's: each pair joined by a scored link of its own weight.
    fn two_matched_people() -> (IdentityGraph, [Identifier; 4]) {
        let p = permit();
        let mut g = IdentityGraph::new(ResolutionRules::default()).unwrap();
        let ids = [ident(0, 1), ident(1, 1), ident(0, 2), ident(1, 2)];
        for (n, id) in ids.iter().enumerate() {
            g.observe(&p, 10 * n as i64, "crm", std::slice::from_ref(id))
                .unwrap();
        }
        assert!(
            g.link_scored("match", &ids[0], &ids[1], waterfall(9.25))
                .unwrap()
        );
        assert!(
            g.link_scored("match", &ids[2], &ids[3], waterfall(7.5))
                .unwrap()
        );
        (g, ids)
    }

    /// A restored snapshot explains a scored link with the waterfall it had, in JSON and text.
    #[test]
    fn waterfalls_survive_a_snapshot() {
        let (g, ids) = two_matched_people();
        let bytes = g.snapshot();
        let back = IdentityGraph::restore(&bytes).unwrap();
        assert_eq!(back.snapshot(), bytes);
        for (a, b) in [(&ids[0], &ids[1]), (&ids[2], &ids[3])] {
            let (before, after) = (g.explain(a, b), back.explain(a, b));
            assert!(after.chain()[0].match_weight.is_some());
            assert_eq!(
                serde_json::to_string(&before).unwrap(),
                serde_json::to_string(&after).unwrap()
            );
            let text = |e: &crate::identity::Explanation| {
                e.chain()[0].match_weight.as_ref().unwrap().to_text()
            };
            assert_eq!(text(&before), text(&after));
        }
    }

    /// A pseudonymised snapshot keeps the waterfalls, keyed by the pseudonyms: the restored
    /// graph explains the pseudonyms' link as the plain graph explained the values'.
    #[test]
    fn waterfalls_survive_a_pseudonymised_snapshot() {
        use crate::hashing::{NormalizeOptions, Pseudonymizer};
        use crate::keys::SecretKey;
        let (g, ids) = two_matched_people();
        let key = SecretKey::new("k1", (1u8..=32).collect()).unwrap();
        let mut pz = Pseudonymizer::new(&key, NormalizeOptions::default());
        let bytes = g.snapshot_pseudonymized(&mut pz).unwrap();
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(text.contains("\"scored\":[["), "{text}");
        for id in &ids {
            assert!(!text.contains(&format!("\"{}\"", id.value)), "{text}");
        }
        let back = IdentityGraph::restore(&bytes).unwrap();
        let mut pseudonym = |id: &Identifier| {
            let mut s = String::new();
            pz.text_into(id.kind, &id.value, &mut s).unwrap();
            Identifier::new(id.kind, s)
        };
        for (a, b) in [(&ids[0], &ids[1]), (&ids[2], &ids[3])] {
            let (pa, pb) = (pseudonym(a), pseudonym(b));
            let after = serde_json::to_value(back.explain(&pa, &pb)).unwrap();
            // The plain explanation, its identifiers replaced by their pseudonyms and its
            // profile id (a hash of the strongest identifier) by the restored one.
            let mut want = serde_json::to_value(g.explain(a, b)).unwrap();
            want["profile"] = after["profile"].clone();
            for end in ["from", "to"] {
                let id: Identifier = serde_json::from_value(want["chain"][0][end].clone()).unwrap();
                want["chain"][0][end] = serde_json::to_value(pseudonym(&id)).unwrap();
            }
            assert!(after["chain"][0]["match_weight"].is_object(), "{after}");
            assert_eq!(after, want);
        }
        // Its own snapshot, plain now (it holds pseudonyms), gives the same bytes back.
        assert_eq!(back.snapshot(), bytes);
    }

    /// Erasure drops the waterfall of every scored link touching an erased identifier, in
    /// memory and in the next snapshot; everyone else's stay.
    #[test]
    fn erasure_drops_the_erased_persons_waterfalls() {
        use crate::identity::Forget;
        let (mut g, ids) = two_matched_people();
        // A third CRM id matched to Ann's, kept apart by the one-CRM-id limit: not Ann's
        // profile, so not erased, but its link touches her.
        let p = permit();
        let other = ident(0, 3);
        g.observe(&p, 50, "crm", std::slice::from_ref(&other))
            .unwrap();
        assert!(
            g.link_scored("match", &ids[0], &other, waterfall(5.75))
                .unwrap()
        );
        assert_eq!(g.scored.len(), 3);
        let r = g.forget(&Forget::Identifier(ids[0].clone())).unwrap();
        assert_eq!(r.identifiers_erased, 2);
        assert_eq!(g.scored.len(), 1);
        let bao = g.explain(&ids[2], &ids[3]);
        assert_eq!(bao.chain()[0].match_weight, Some(waterfall(7.5)));
        assert!(g.profile_of(&other).is_some());
        let snap = String::from_utf8(g.snapshot()).unwrap();
        assert!(snap.contains("\"match_weight\":7.5"), "{snap}");
        assert!(!snap.contains("9.25") && !snap.contains("5.75"), "{snap}");
        let back = IdentityGraph::restore(snap.as_bytes()).unwrap();
        assert_eq!(back.explain(&ids[2], &ids[3]), bao);
    }

    /// A snapshot written before waterfalls were kept (version 2) restores: the scored links
    /// are observations, so the profiles are the same; their weights are not known.
    #[test]
    fn a_snapshot_without_waterfalls_restores() {
        let (g, ids) = two_matched_people();
        let mut v: serde_json::Value = serde_json::from_slice(&g.snapshot()).unwrap();
        assert_eq!(v["version"], 3);
        v.as_object_mut().unwrap().remove("scored");
        v["version"] = 2.into();
        let back = IdentityGraph::restore(&serde_json::to_vec(&v).unwrap()).unwrap();
        for id in &ids {
            let profile = |g: &IdentityGraph| g.profile_of(id).map(|p| p.id);
            assert_eq!(profile(&back), profile(&g));
        }
        let e = back.explain(&ids[0], &ids[1]);
        assert!(e.is_linked());
        assert_eq!(e.chain()[0].match_weight, None);
        let old = br#"{"version":2,"rules":{},"identifiers":[["external_id","c1"],["loyalty_card","L1"]],"sources":["crm","match"],"observations":[[0,0,[0]],[10,0,[1]],[10,1,[0,1]]]}"#;
        let back = IdentityGraph::restore(old).unwrap();
        let e = back.explain(&ids[0], &ids[1]);
        assert!(e.is_linked(), "{e:?}");
        // A waterfall naming an identifier that is not there is refused, by position.
        v["version"] = 3.into();
        v["scored"] = serde_json::json!([[0, 99, waterfall(1.0)]]);
        let e = IdentityGraph::restore(&serde_json::to_vec(&v).unwrap())
            .unwrap_err()
            .to_string();
        assert!(e.contains("scored[0]") && e.contains("99"), "{e}");
    }
}
