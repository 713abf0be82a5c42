//! Journeys: for each offline check-in, the ordered online touchpoints of the same profile inside
//! a lookback window; and for each profile, the touchpoints after its last check-in as a journey
//! that ended without one (Markov needs those "nulls").
//!
//! Who is the same person is not decided here: the caller passes the profile of each event (the
//! identity graph's profile id, the simulator's true person, or [`naive_profiles`]).

use super::path_table::ChannelMap;
use crate::event::{Event, TouchAction};
use std::collections::BTreeMap;

const DAY: i64 = 86_400;

/// One touchpoint inside a journey.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Touch {
    /// Channel after grouping.
    pub channel: String,
    /// What happened.
    pub action: TouchAction,
    /// Unix seconds.
    pub timestamp: i64,
}

/// The touchpoints that preceded one conversion, or a run of touchpoints that ended without one.
#[derive(Clone, Debug, PartialEq)]
pub struct Journey<K = u64> {
    /// The profile it belongs to.
    pub profile: K,
    /// Touchpoints in time order.
    pub touches: Vec<Touch>,
    /// Whether it ended in a check-in.
    pub converted: bool,
    /// The check-in time, or the last touch of an unconverted journey.
    pub end: i64,
    /// The purchase value of the check-in (0 when it bought nothing or did not convert).
    pub value: f64,
}

/// How journeys are cut.
#[derive(Clone, Debug, PartialEq)]
pub struct JourneyConfig {
    /// Lookback per touch action, in seconds; `None` leaves that action out of journeys.
    pub lookback: BTreeMap<TouchAction, Option<i64>>,
    /// Campaign or raw channel → channel. A touch's channel is the mapping of its campaign when
    /// the campaign has an entry, else the mapping of its channel.
    pub channel_map: ChannelMap,
    /// Whether a check-in consumes the touches before it (a later check-in only sees newer
    /// touches). Default true, the usual "journey ends at conversion" convention.
    pub reset_after_conversion: bool,
}

impl Default for JourneyConfig {
    /// Clicks, visits and voucher claims 30 days, opens 7 days, impressions 1 day; online
    /// purchases are outcomes, not touches, so they are left out.
    fn default() -> Self {
        let lookback = [
            (TouchAction::Click, Some(30 * DAY)),
            (TouchAction::Visit, Some(30 * DAY)),
            (TouchAction::VoucherClaim, Some(30 * DAY)),
            (TouchAction::Open, Some(7 * DAY)),
            (TouchAction::Impression, Some(DAY)),
            (TouchAction::Purchase, None),
            (TouchAction::SignUp, None),
        ]
        .into_iter()
        .collect();
        JourneyConfig {
            lookback,
            channel_map: ChannelMap::new(),
            reset_after_conversion: true,
        }
    }
}

impl JourneyConfig {
    /// Set the lookback of one action (`None` excludes it).
    #[must_use]
    pub fn with_lookback(mut self, action: TouchAction, seconds: Option<i64>) -> Self {
        self.lookback.insert(action, seconds);
        self
    }

    /// Parse `click=30d,impression=1d,open=7d,purchase=off` (units `d`, `h`, `m`, `s`; a bare
    /// number is days) over the defaults.
    ///
    /// ```
    /// use o2o_core::attribution::JourneyConfig;
    /// use o2o_core::event::TouchAction;
    /// let cfg = JourneyConfig::default().parse_lookbacks("impression=12h,open=off").unwrap();
    /// assert_eq!(cfg.lookback[&TouchAction::Impression], Some(43_200));
    /// assert_eq!(cfg.lookback[&TouchAction::Open], None);
    /// ```
    pub fn parse_lookbacks(mut self, spec: &str) -> Result<Self, super::AttributionError> {
        let bad = |m: String| super::AttributionError::Config {
            field: "lookback".into(),
            message: m,
        };
        for part in spec.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let (name, dur) = part
                .split_once('=')
                .ok_or_else(|| bad(format!("`{part}` is not ACTION=DURATION")))?;
            let action = TouchAction::ALL
                .into_iter()
                .find(|a| a.as_str() == name.trim())
                .ok_or_else(|| bad(format!("unknown touch action `{}`", name.trim())))?;
            let dur = dur.trim();
            let secs = if dur == "off" || dur == "none" {
                None
            } else {
                let (num, unit) = match dur.char_indices().last() {
                    Some((i, c)) if c.is_ascii_alphabetic() => (&dur[..i], c),
                    _ => (dur, 'd'),
                };
                let mult = match unit {
                    'd' => DAY,
                    'h' => 3_600,
                    'm' => 60,
                    's' => 1,
                    _ => return Err(bad(format!("unknown unit in `{dur}` (use d, h, m, s)"))),
                };
                let n: f64 = num
                    .parse()
                    .map_err(|_| bad(format!("`{dur}` is not a duration")))?;
                if !(n.is_finite() && n >= 0.0) {
                    return Err(bad(format!("`{dur}` must be a non-negative duration")));
                }
                Some((n * mult as f64).round() as i64)
            };
            self.lookback.insert(action, secs);
        }
        Ok(self)
    }

    fn lookback_of(&self, a: TouchAction) -> Option<i64> {
        self.lookback.get(&a).copied().flatten()
    }
}

/// Build journeys. `profile_of` names the profile of each event (`None` drops the event).
///
/// Journeys come out grouped by profile (profiles in `Ord` order) and in time order inside a
/// profile, so the output does not depend on the order of `events`' profiles.
///
/// ```
/// use o2o_core::attribution::{JourneyConfig, build_journeys};
/// use o2o_core::event::read_ndjson_str;
/// let ev = read_ndjson_str(concat!(
///   r#"{"type":"touchpoint","action":"click","channel":"search","timestamp":100,"identifiers":[{"kind":"email","value":"a@x.vn"}]}"#, "\n",
///   r#"{"type":"checkin","method":"qr_scan","store":"S1","timestamp":200,"value":12.5,"identifiers":[{"kind":"email","value":"a@x.vn"}]}"#,
/// )).events;
/// let js = build_journeys(&ev, |_| Some(1u64), &JourneyConfig::default());
/// assert_eq!(js.len(), 1);
/// assert!(js[0].converted);
/// assert_eq!(js[0].touches[0].channel, "search");
/// assert_eq!(js[0].value, 12.5);
/// ```
pub fn build_journeys<K: Ord + Clone>(
    events: &[Event],
    profile_of: impl Fn(&Event) -> Option<K>,
    cfg: &JourneyConfig,
) -> Vec<Journey<K>> {
    let keys: Vec<Option<K>> = events.iter().map(profile_of).collect();
    build_journeys_keyed(events, &keys, cfg)
}

/// [`build_journeys`] with the profile of `events[i]` given as `keys[i]` (missing keys drop the
/// event).
pub fn build_journeys_keyed<K: Ord + Clone>(
    events: &[Event],
    keys: &[Option<K>],
    cfg: &JourneyConfig,
) -> Vec<Journey<K>> {
    let mut by_profile: BTreeMap<&K, Vec<usize>> = BTreeMap::new();
    for (i, k) in keys.iter().enumerate().take(events.len()) {
        if let Some(k) = k {
            by_profile.entry(k).or_default().push(i);
        }
    }
    let mut out = Vec::new();
    let mut pending: Vec<Touch> = Vec::new();
    for (key, mut idx) in by_profile {
        // Time order; at equal times touchpoints first (a click at the till precedes the
        // check-in it led to), then input order.
        idx.sort_by_key(|&i| {
            (
                events[i].timestamp(),
                matches!(events[i], Event::CheckIn(_)),
                i,
            )
        });
        pending.clear();
        for i in idx {
            match &events[i] {
                Event::Touchpoint(t) => {
                    if cfg.lookback_of(t.action).is_none() {
                        continue;
                    }
                    let channel = match &t.campaign {
                        Some(c) if cfg.channel_map.group(c) != c => cfg.channel_map.group(c),
                        _ => cfg.channel_map.group(&t.channel),
                    };
                    pending.push(Touch {
                        channel: channel.to_owned(),
                        action: t.action,
                        timestamp: t.timestamp,
                    });
                }
                Event::CheckIn(c) => {
                    let touches = within(&pending, c.timestamp, cfg);
                    out.push(Journey {
                        profile: key.clone(),
                        touches,
                        converted: true,
                        end: c.timestamp,
                        value: c.value.filter(|v| v.is_finite()).unwrap_or(0.0),
                    });
                    if cfg.reset_after_conversion {
                        pending.clear();
                    }
                }
                Event::ProductView(_) => {}
            }
        }
        if let Some(last) = pending.last() {
            let end = last.timestamp;
            out.push(Journey {
                profile: key.clone(),
                touches: within(&pending, end, cfg),
                converted: false,
                end,
                value: 0.0,
            });
        }
    }
    out
}

fn within(pending: &[Touch], end: i64, cfg: &JourneyConfig) -> Vec<Touch> {
    pending
        .iter()
        .filter(|t| {
            cfg.lookback_of(t.action)
                .is_some_and(|lb| t.timestamp <= end && end - t.timestamp <= lb)
        })
        .cloned()
        .collect()
}
