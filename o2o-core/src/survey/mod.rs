//! Post-purchase surveys: ingest scores (1–5), alert customer service about unhappy customers
//! before they churn, and read satisfaction per store and per segment.
//!
//! Input is NDJSON (one [`Response`] per line) or CSV with a header naming the same fields
//! (`customer,store,score,timestamp[,segment][,comment]`). As with event files, a bad line is
//! reported with its number and field and the good lines around it are kept.
//!
//! ```
//! use o2o_core::survey::{read_responses_ndjson, alerts, AlertPolicy};
//! let out = read_responses_ndjson(
//!     "{\"customer\":\"p1\",\"store\":\"S1\",\"score\":2,\"timestamp\":1000}\n{\"score\":9}\n");
//! assert_eq!(out.errors[0].line, 2);
//! let a = alerts(&out.responses, &AlertPolicy::default());
//! assert_eq!(a[0].deadline, 1000 + 24 * 3600);
//! ```

#[cfg(feature = "fuzzing")]
pub mod fuzzing;
mod read;

#[cfg(feature = "csv")]
pub use read::read_responses_csv;
pub use read::{SurveyRead, read_responses_ndjson};

use crate::table::Table;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// One survey answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Response {
    /// Customer (profile id or pseudonym).
    pub customer: String,
    /// Store of the purchase.
    pub store: String,
    /// Score 1 (very unhappy) to 5 (very happy).
    pub score: u8,
    /// When the customer answered, Unix seconds (or RFC 3339 on input).
    #[serde(deserialize_with = "read::timestamp")]
    pub timestamp: i64,
    /// Segment of the customer (e.g. the segment rule that matched), if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment: Option<String>,
    /// Free-text comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// When a response becomes an alert, and how long customer service has to act.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertPolicy {
    /// Scores strictly below this alert (default 3: scores 1 and 2).
    pub threshold: u8,
    /// Hours from the response to the deadline (default 24).
    pub deadline_hours: u32,
}

impl Default for AlertPolicy {
    fn default() -> Self {
        AlertPolicy {
            threshold: 3,
            deadline_hours: 24,
        }
    }
}

/// A follow-up customer service owes an unhappy customer.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Alert {
    /// Customer to contact.
    pub customer: String,
    /// Store concerned.
    pub store: String,
    /// The score given.
    pub score: u8,
    /// When they answered.
    pub responded_at: i64,
    /// Contact them before this time (Unix seconds).
    pub deadline: i64,
    /// Their comment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// Alerts for every response below the threshold, most urgent (earliest deadline) first, ties
/// by customer then store.
#[must_use]
pub fn alerts(responses: &[Response], policy: &AlertPolicy) -> Vec<Alert> {
    let mut out: Vec<Alert> = responses
        .iter()
        .filter(|r| r.score < policy.threshold)
        .map(|r| Alert {
            customer: r.customer.clone(),
            store: r.store.clone(),
            score: r.score,
            responded_at: r.timestamp,
            deadline: r
                .timestamp
                .saturating_add(i64::from(policy.deadline_hours) * 3_600),
            comment: r.comment.clone(),
        })
        .collect();
    out.sort_by(|a, b| {
        (a.deadline, &a.customer, &a.store, a.score).cmp(&(
            b.deadline,
            &b.customer,
            &b.store,
            b.score,
        ))
    });
    out
}

/// Alerts as a table for people: customer, store, score, when they answered and the deadline
/// (UTC, to the minute), comment.
pub fn alerts_table<'a>(alerts: impl IntoIterator<Item = &'a Alert>) -> Table {
    let mut t = Table::new([
        "customer", "store", "score", "answered", "deadline", "comment",
    ]);
    for a in alerts {
        t.row([
            a.customer.clone(),
            a.store.clone(),
            a.score.to_string(),
            crate::utc::minute(a.responded_at),
            crate::utc::minute(a.deadline),
            a.comment.clone().unwrap_or_default(),
        ]);
    }
    t
}

/// Alerts whose deadline has not passed at `now` (still actionable).
#[must_use]
pub fn open_alerts(alerts: &[Alert], now: i64) -> Vec<&Alert> {
    alerts.iter().filter(|a| a.deadline >= now).collect()
}

/// Satisfaction of one group.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Satisfaction {
    /// Responses.
    pub responses: u64,
    /// Mean score.
    pub mean_score: f64,
    /// CSAT: share of scores 4 or 5.
    pub csat: f64,
    /// Share of scores below the alert threshold.
    pub unhappy_share: f64,
}

/// Satisfaction per store and per segment.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct SatisfactionReport {
    /// By store id.
    pub by_store: BTreeMap<String, Satisfaction>,
    /// By segment (`unknown` when a response has none).
    pub by_segment: BTreeMap<String, Satisfaction>,
}

/// Aggregate satisfaction.
#[must_use]
pub fn satisfaction(responses: &[Response], policy: &AlertPolicy) -> SatisfactionReport {
    let mut acc: [BTreeMap<String, [u64; 4]>; 2] = Default::default();
    for r in responses {
        let seg = r.segment.clone().unwrap_or_else(|| "unknown".into());
        for (m, k) in acc.iter_mut().zip([r.store.clone(), seg]) {
            let a = m.entry(k).or_default();
            a[0] += 1;
            a[1] += u64::from(r.score);
            a[2] += u64::from(r.score >= 4);
            a[3] += u64::from(r.score < policy.threshold);
        }
    }
    let fin = |m: BTreeMap<String, [u64; 4]>| {
        m.into_iter()
            .map(|(k, [n, sum, happy, unhappy])| {
                let n_f = n as f64;
                (
                    k,
                    Satisfaction {
                        responses: n,
                        mean_score: sum as f64 / n_f,
                        csat: happy as f64 / n_f,
                        unhappy_share: unhappy as f64 / n_f,
                    },
                )
            })
            .collect()
    };
    let [stores, segments] = acc;
    SatisfactionReport {
        by_store: fin(stores),
        by_segment: fin(segments),
    }
}

impl SatisfactionReport {
    /// The people view: one table per grouping.
    #[must_use]
    pub fn tables(&self) -> Vec<Table> {
        [("store", &self.by_store), ("segment", &self.by_segment)]
            .into_iter()
            .map(|(name, m)| {
                let mut t = Table::new([name, "responses", "mean", "CSAT %", "unhappy %"]);
                for (k, s) in m {
                    t.row([
                        k.clone(),
                        s.responses.to_string(),
                        format!("{:.2}", s.mean_score),
                        format!("{:.1}", s.csat * 100.0),
                        format!("{:.1}", s.unhappy_share * 100.0),
                    ]);
                }
                t
            })
            .collect()
    }
}

impl fmt::Display for SatisfactionReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, t) in self.tables().iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{t}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
