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
