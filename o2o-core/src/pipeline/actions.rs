//! "What's next?" on the simulated campaign: vouchers chosen by segment rules and signed for
//! offline verification, survey alerts for unhappy customers, and loyalty reminders.
//!
//! The simulator records no survey answers, so the demo derives a deterministic score for a
//! share of purchases from a hash of the seed and the event (documented as simulated).

use crate::event::{CheckInMethod, Event};
use crate::hashing::sha256;
use crate::keys::{KeyRing, SecretKey};
use crate::loyalty::{EarnRule, PointsLedger, Reminder, ReminderPolicy, Tier};
use crate::segment::{RuleSet, decide_all, summarise};
use crate::sim::customer_seed;
use crate::survey::{Alert, AlertPolicy, Response, alerts, open_alerts};
use crate::voucher::{CampaignTable, Issuer, day};
use serde::Serialize;
use std::collections::BTreeMap;

const DAY: i64 = 86_400;

/// The segment rules the demo applies (JSON, as a retailer would configure them).
pub const DEMO_RULES: &str = r#"{"rules": [
  {"name": "lapsed-vip", "priority": 10, "voucher_type": 1,
   "when": [{"lapsed_vip": {"min_spend": 80.0, "days_since_visit": 21}}, "consent"]},
  {"name": "new-customer", "priority": 5, "voucher_type": 2,
   "when": [{"new_customer": {"days": 14}}, "consent"]},
  {"name": "south-regulars", "priority": 1, "voucher_type": 3,
   "when": [{"region_in": ["south"]}, {"min_visits": 2}, "consent"]}
]}"#;

/// One voucher the rules decided on, signed: a personal short code (16 characters) bound to
/// the customer's pseudonym, valid until the campaign's last day.
#[derive(Clone, Debug, Serialize)]
pub struct VoucherAction {
    /// Profile id.
    pub profile: String,
    /// The customer pseudonym the code is bound to (the till reads it from the loyalty card).
    pub customer: String,
    /// The rule that matched.
    pub rule: String,
    /// Voucher type of the rule.
    pub voucher_type: u8,
    /// Why the rule matched.
    pub because: Vec<String>,
    /// The signed code, verifiable offline at the till.
    pub code: String,
}

/// The next actions.
#[derive(Clone, Debug, Serialize)]
pub struct NextActions {
    /// Vouchers decided per rule.
    pub vouchers_by_rule: BTreeMap<String, u64>,
    /// A sample of the vouchers, with their codes.
    pub vouchers: Vec<VoucherAction>,
    /// Survey responses (simulated for the demo).
    pub survey_responses: u64,
    /// Alerts still open at the end of the campaign (score below 3, answer due within 24 h).
    pub open_alerts: u64,
    /// A sample of the open alerts.
    pub alerts: Vec<Alert>,
    /// Loyalty reminders at the end of the campaign.
    pub reminders_total: u64,
    /// A sample of the reminders.
    pub reminders: Vec<Reminder>,
}

/// The demo's customer pseudonym of a profile: `p:` and 64 bits of SHA-256 over a secret and
/// the profile id (a retailer would use its loyalty card's keyed pseudonym).
fn customer_pseudonym(secret: &[u8], profile: &str) -> String {
    let mut input = secret.to_vec();
    input.extend_from_slice(b"\0profile\0");
    input.extend_from_slice(profile.as_bytes());
    let h = sha256(&input);
    let hex: String = h[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("p:{hex}")
}

/// An action stage that could not run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ActionError {
    /// The segment rules were refused.
    #[error("next actions: {0}")]
    Segment(#[from] crate::segment::SegmentError),
    /// The voucher key was refused.
    #[error("next actions: {0}")]
    Key(#[from] crate::keys::KeyError),
    /// A voucher campaign or code could not be made.
    #[error("next actions: {0}")]
    Voucher(#[from] crate::voucher::VoucherError),
    /// The loyalty ledger could not be built.
    #[error("next actions: {0}")]
    Loyalty(#[from] crate::loyalty::LoyaltyError),
    /// `now` plus the voucher validity is past the last representable day.
    #[error("next actions: expiry out of range")]
    Expiry,
}

/// Decide and prepare the next actions at time `now` for the events grouped by `key`.
pub fn next_actions(
    events: &[Event],
    key: &dyn Fn(&Event) -> Option<String>,
    seed: u64,
    now: i64,
) -> Result<NextActions, ActionError> {
    // Vouchers by segment. The demo key is derived from the seed: a real deployment loads its
    // key ring from a key file (`KEY_ID:HEX`).
    let rules = RuleSet::from_json(DEMO_RULES)?;
    let profiles = summarise(events, key);
    let decisions = decide_all(&rules, &profiles, now);
    let secret = sha256(format!("o2o demo key {seed}").as_bytes()).to_vec();
    let pseudonym_secret = sha256(format!("o2o demo pseudonyms {seed}").as_bytes());
    let ring = KeyRing::single(SecretKey::new("demo", secret)?);
    let expires = day::of_timestamp(now + 30 * DAY).ok_or(ActionError::Expiry)?;
    let mut campaigns = CampaignTable::default();
    let campaign = campaigns.register_until("next-best-offer", expires)?;
    let issuer = Issuer::new(&ring, &campaigns);
    let mut vouchers_by_rule = BTreeMap::new();
    let mut vouchers = Vec::new();
    for d in &decisions {
        *vouchers_by_rule.entry(d.rule.clone()).or_insert(0u64) += 1;
        if vouchers.len() < 5 {
            let customer = customer_pseudonym(&pseudonym_secret, &d.profile);
            let code = issuer
                .issue_short(campaign, d.voucher_type, Some(&customer))?
                .code;
            vouchers.push(VoucherAction {
                profile: d.profile.clone(),
                customer,
                rule: d.rule.clone(),
                voucher_type: d.voucher_type,
                because: d.because.clone(),
                code,
            });
        }
    }

    // Surveys (simulated answers) and loyalty points from the purchases.
    let mut responses = Vec::new();
    let ledger = PointsLedger::from_purchases(events, key, &EarnRule::default())?;
    for (i, ev) in events.iter().enumerate() {
        let Event::CheckIn(c) = ev else { continue };
        if !matches!(
            c.method,
            CheckInMethod::PosPurchase | CheckInMethod::VoucherRedemption
        ) {
            continue;
        }
        let Some(member) = key(ev) else { continue };
        let h = customer_seed(seed, i as u64);
        if h % 10 < 3 {
            // Scores skewed to the happy end: 1 → 5 with weights 1, 1, 2, 3, 3.
            let score = [1u8, 2, 3, 3, 4, 4, 4, 5, 5, 5][((h >> 8) % 10) as usize];
            responses.push(Response {
                customer: member.clone(),
                store: c.store.clone(),
                score,
                timestamp: c.timestamp + 2 * 3_600,
                segment: c.region.clone(),
                comment: None,
            });
        }
    }
    let all_alerts = alerts(&responses, &AlertPolicy::default());
    let open: Vec<Alert> = open_alerts(&all_alerts, now).into_iter().cloned().collect();
    let tiers = [
        Tier {
            name: "silver".into(),
            min_points: 100,
        },
        Tier {
            name: "gold".into(),
            min_points: 300,
        },
    ];
    let policy = ReminderPolicy {
        expiring_within: 14 * DAY,
        near_tier_within: 30,
    };
    let reminders = ledger.reminders(now, &policy, &tiers);
    Ok(NextActions {
        vouchers_by_rule,
        vouchers,
        survey_responses: responses.len() as u64,
        open_alerts: open.len() as u64,
        alerts: open.into_iter().take(5).collect(),
        reminders_total: reminders.len() as u64,
        reminders: reminders.into_iter().take(5).collect(),
    })
}
