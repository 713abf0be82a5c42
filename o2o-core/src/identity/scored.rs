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
}
