//! [`ResolutionRules`]: what may link two identifiers, and what may not.
//!
//! Every rule exists because of an over-merge hazard seen in real retail data: a cashier's
//! `test@test.com` typed for every anonymous sale, a store's Wi-Fi IP shared by every visitor, a
//! family tablet, a MAC address reused weeks later by a stranger's randomised MAC. One bad bridge
//! glues thousands of people into one profile, and every later measurement built on it is wrong,
//! so the defaults lean to under-merging. `docs/identity.md` explains each default.

use super::error::IdentityError;
use super::intern::{ASet, ahash_state};
use crate::event::IdKind;
use regex::Regex;
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::BTreeMap;

/// Seconds in an hour.
pub const HOUR: i64 = 3_600;
/// Seconds in a day.
pub const DAY: i64 = 86_400;

/// A cap on how many identifiers of one kind a profile may hold.
///
/// ```
/// use o2o_core::identity::KindLimit;
/// let one_ever = KindLimit { max: 1, window_secs: None };
/// let five_a_year = KindLimit { max: 5, window_secs: Some(365 * 86_400) };
/// assert!(one_ever.window_secs.is_none() && five_a_year.max == 5);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KindLimit {
    /// At most this many distinct identifiers of the kind per profile.
    pub max: u32,
    /// When set, the cap applies to identifiers first seen within any span of this many seconds
    /// ("5 device ids per year"); when absent it applies for ever ("1 external id ever").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_secs: Option<i64>,
}

/// The rules of identity resolution. `ResolutionRules::default()` is usable as-is by a retailer;
/// every field can be overridden from JSON (missing fields keep their default). Per-kind
/// settings are maps from the kind to its setting (`{"phone": {"max": 2}}`); the older form, a
/// list of `[kind, setting]` pairs, is still read.
///
/// ```
/// use o2o_core::event::IdKind;
/// use o2o_core::identity::ResolutionRules;
/// let rules: ResolutionRules = serde_json::from_str(r#"{"default_country": "TH"}"#).unwrap();
/// assert_eq!(rules.default_country.as_deref(), Some("TH"));
/// assert_eq!(rules.limits, ResolutionRules::default().limits);
/// let rules: ResolutionRules =
///     serde_json::from_str(r#"{"hub_threshold": {"ip": 2}, "time_bounded": [["ip", 86400]]}"#).unwrap();
/// assert_eq!(rules.hub_threshold[&IdKind::Ip], 2);
/// assert_eq!(rules.time_bounded[&IdKind::Ip], 86_400);
/// let json = serde_json::to_value(&rules).unwrap();
/// assert_eq!(json["time_bounded"], serde_json::json!({"ip": 86400}));
/// ```
/// A misspelt field (`max_identifers`) is an error, not a rule silently left at its default.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ResolutionRules {
    /// Identifier kinds from the strongest to the weakest. Kinds not listed never link.
    pub priority: Vec<IdKind>,
    /// Per-kind caps per profile. When linking an observation would break one, the observation's
    /// lowest-priority identifier is dropped from linking and the observation retried.
    #[serde(deserialize_with = "kind_map")]
    pub limits: BTreeMap<IdKind, KindLimit>,
    /// Exact values (after normalisation, compared case-insensitively) never used to link.
    pub blocked_values: Vec<String>,
    /// Regular expressions (after normalisation); a matching value is never used to link.
    pub blocked_patterns: Vec<String>,
    /// Hub guard: an identifier of the kind observed with more than this many distinct
    /// identifiers of any one higher-priority kind is shared (a store IP, a family tablet) and
    /// never links. Identifiers already linked to each other by stronger evidence count once.
    #[serde(deserialize_with = "kind_map")]
    pub hub_threshold: BTreeMap<IdKind, u32>,
    /// Time-bounded kinds: an identifier of the kind links only observations that follow each
    /// other within this many seconds (a session); a later session starts afresh.
    #[serde(deserialize_with = "kind_map")]
    pub time_bounded: BTreeMap<IdKind, i64>,
    /// Country assumed for phone numbers written without a country code (ISO 3166-1 alpha-2).
    pub default_country: Option<String>,
}

impl Default for ResolutionRules {
    fn default() -> Self {
        use IdKind::*;
        let s = |v: &[&str]| v.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();
        ResolutionRules {
            priority: vec![ExternalId, LoyaltyCard, Email, Phone, DeviceId, Mac, Ip],
            limits: BTreeMap::from([
                (ExternalId, KindLimit::ever(1)),
                (LoyaltyCard, KindLimit::ever(1)),
                (Email, KindLimit::ever(1)),
                (Phone, KindLimit::ever(1)),
                (DeviceId, KindLimit::within(5, 365 * DAY)),
                (Mac, KindLimit::within(3, 365 * DAY)),
            ]),
            blocked_values: s(&[
                "",
                "null",
                "none",
                "nil",
                "n/a",
                "na",
                "unknown",
                "undefined",
                "test",
                "test@test.com",
                "test@example.com",
                "a@a.com",
                "0123456789",
                "+84123456789",
                "1234567890",
                "00000000-0000-0000-0000-000000000000",
                "00:00:00:00:00:00",
                "ff:ff:ff:ff:ff:ff",
                "0.0.0.0",
                "127.0.0.1",
            ]),
            blocked_patterns: s(&[
                // Only zeros, dashes and separators (`0000000000`, `+84 000 000 000`, `---`).
                r"^\+?[0\-\s.:]*$",
                // The same digit repeated (`9999999999`, `+84999999999`).
                r"^\+?(?:84)?(?:0{8,}|1{8,}|2{8,}|3{8,}|4{8,}|5{8,}|6{8,}|7{8,}|8{8,}|9{8,})$",
                // Placeholder mailboxes (`noemail@…`, `no-email@…`, `none@…`, `customer@…`).
                r"^(?:no-?e?mail|none|noreply|no-reply|customer|khach|unknown|test)@",
            ]),
            hub_threshold: BTreeMap::from([(DeviceId, 1), (Mac, 1), (Ip, 1)]),
            time_bounded: BTreeMap::from([(Mac, 12 * HOUR), (Ip, 28 * DAY)]),
            default_country: Some("VN".to_owned()),
        }
    }
}

impl KindLimit {
    /// At most `max` identifiers of the kind per profile, for ever.
    ///
    /// ```
    /// use o2o_core::identity::KindLimit;
    /// assert_eq!(KindLimit::ever(1), KindLimit { max: 1, window_secs: None });
    /// ```
    pub const fn ever(max: u32) -> Self {
        KindLimit {
            max,
            window_secs: None,
        }
    }

    /// At most `max` identifiers of the kind first seen within any `window_secs` seconds.
    ///
    /// ```
    /// use o2o_core::identity::{DAY, KindLimit};
    /// assert_eq!(KindLimit::within(5, 365 * DAY).window_secs, Some(31_536_000));
    /// ```
    pub const fn within(max: u32, window_secs: i64) -> Self {
        KindLimit {
            max,
            window_secs: Some(window_secs),
        }
    }
}

/// A per-kind setting read as a map (`{"ip": 2}`) or, as earlier versions wrote it, a list of
/// `[kind, setting]` pairs (`[["ip", 2]]`; a kind listed twice keeps its last setting).
fn kind_map<'de, D, V>(d: D) -> Result<BTreeMap<IdKind, V>, D::Error>
where
    D: Deserializer<'de>,
    V: Deserialize<'de>,
{
    struct KindMap<V>(std::marker::PhantomData<V>);

    impl<'de, V: Deserialize<'de>> serde::de::Visitor<'de> for KindMap<V> {
        type Value = BTreeMap<IdKind, V>;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(
                "a map from identifier kind to its setting, or a list of [kind, setting] pairs",
            )
        }

        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut a: A,
        ) -> Result<Self::Value, A::Error> {
            let mut m = BTreeMap::new();
            while let Some((k, v)) = a.next_entry()? {
                m.insert(k, v);
            }
            Ok(m)
        }

        fn visit_seq<A: serde::de::SeqAccess<'de>>(
            self,
            mut a: A,
        ) -> Result<Self::Value, A::Error> {
            let mut m = BTreeMap::new();
            while let Some((k, v)) = a.next_element::<(IdKind, V)>()? {
                m.insert(k, v);
            }
            Ok(m)
        }
    }

    d.deserialize_any(KindMap(std::marker::PhantomData))
}

/// Number of identifier kinds (the length of [`IdKind::ALL`]).
pub(crate) const KINDS: usize = IdKind::ALL.len();

/// Whether the graph links identifiers of `kind`: identifying kinds that are not hashed (an
/// `email_sha256` links through the raw email it hashes, which `store::resolve_people` puts in
/// its place).
const fn links(kind: IdKind) -> bool {
    !kind.is_attribute() && !kind.is_hashed()
}

/// Number of linking kinds: those of [`IdKind::ALL`] that neither describe a person nor are
/// hashed, which come first (checked below, at compile time). Only they are interned and linked,
/// so the resolver keeps per-kind counts for these alone.
pub(crate) const LINK_KINDS: usize = {
    let mut n = 0;
    while n < KINDS && links(IdKind::ALL[n]) {
        n += 1;
    }
    n
};

// Every kind after the linking ones is an attribute or hashed, and kinds are numbered in `ALL`'s
// order (`kind_index`).
const _: () = {
    let mut k = 0;
    while k < KINDS {
        assert!(links(IdKind::ALL[k]) == (k < LINK_KINDS));
        assert!(IdKind::ALL[k] as usize == k);
        k += 1;
    }
};

/// The rules in the form resolution reads in its inner loop: tables indexed by kind.
#[derive(Clone, Debug)]
pub(crate) struct CompiledRules {
    /// Rank per kind: 0 is the strongest; `u8::MAX` means the kind never links.
    pub rank: [u8; KINDS],
    pub limit: [Option<KindLimit>; KINDS],
    /// Each kind's `limit` maximum, `u32::MAX` without a limit: resolution tests a merge
    /// against every limit at once with it.
    pub limit_max: [u32; KINDS],
    pub hub: [Option<u32>; KINDS],
    pub window: [Option<i64>; KINDS],
    pub blocked_exact: ASet<String>,
    pub blocked_re: Vec<Regex>,
}

/// Position of a kind in [`IdKind::ALL`].
pub(crate) fn kind_index(k: IdKind) -> usize {
    k as usize
}

impl CompiledRules {
    pub fn new(rules: &ResolutionRules) -> Result<Self, IdentityError> {
        let mut rank = [u8::MAX; KINDS];
        for (i, k) in rules.priority.iter().enumerate() {
            if k.is_attribute() {
                return Err(IdentityError::Rules(format!(
                    "priority: `{k}` describes a person but does not identify one, so it cannot link"
                )));
            }
            if k.is_hashed() {
                return Err(IdentityError::Rules(format!(
                    "priority: `{k}` is a hash; it links through the raw `{}` it hashes, so list that instead",
                    k.unhashed()
                )));
            }
            let slot = &mut rank[kind_index(*k)];
            if *slot != u8::MAX {
                return Err(IdentityError::Rules(format!(
                    "priority: `{k}` listed twice"
                )));
            }
            *slot = i as u8;
        }
        let mut limit = [None; KINDS];
        for (k, l) in &rules.limits {
            if l.max == 0 {
                return Err(IdentityError::Rules(format!(
                    "limits.{k}: max must be at least 1"
                )));
            }
            if l.window_secs.is_some_and(|w| w <= 0) {
                return Err(IdentityError::Rules(format!(
                    "limits.{k}: window_secs must be positive"
                )));
            }
            limit[kind_index(*k)] = Some(*l);
        }
        let limit_max = limit.map(|l| l.map_or(u32::MAX, |l| l.max));
        let mut hub = [None; KINDS];
        for (k, n) in &rules.hub_threshold {
            if *n > MAX_HUB_THRESHOLD {
                return Err(IdentityError::Rules(format!(
                    "hub_threshold.{k}: {n} is above the supported maximum {MAX_HUB_THRESHOLD}"
                )));
            }
            hub[kind_index(*k)] = Some(*n);
        }
        let mut window = [None; KINDS];
        for (k, w) in &rules.time_bounded {
            if *w <= 0 {
                return Err(IdentityError::Rules(format!(
                    "time_bounded.{k}: the window must be positive seconds"
                )));
            }
            window[kind_index(*k)] = Some(*w);
        }
        let mut blocked_exact = ASet::with_hasher(ahash_state());
        blocked_exact.extend(rules.blocked_values.iter().map(|v| v.trim().to_lowercase()));
        let blocked_re = rules
            .blocked_patterns
            .iter()
            .enumerate()
            .map(|(i, p)| {
                Regex::new(p)
                    .map_err(|e| IdentityError::Rules(format!("blocked_patterns[{i}] `{p}`: {e}")))
            })
            .collect::<Result<_, _>>()?;
        Ok(CompiledRules {
            rank,
            limit,
            limit_max,
            hub,
            window,
            blocked_exact,
            blocked_re,
        })
    }

    /// Whether a normalised value is blocked, and by which rule.
    pub fn blocked(&self, value: &str) -> Option<String> {
        let low = value.to_lowercase();
        if self.blocked_exact.contains(&low) {
            return Some(format!("blocked value `{value}`"));
        }
        self.blocked_re
            .iter()
            .find(|re| re.is_match(&low))
            .map(|re| format!("blocked pattern `{}`", re.as_str()))
    }

    /// Whether the kind can link at all.
    pub fn links(&self, k: IdKind) -> bool {
        self.rank_of(k) != u8::MAX
    }

    /// The kind's rank (0 the strongest, `u8::MAX` if it never links).
    pub fn rank_of(&self, k: IdKind) -> u8 {
        self.rank[kind_index(k)]
    }

    /// The rank of a kind given by its index (as observations store kinds); `u8::MAX`, never
    /// linking, for an index that is no kind.
    pub fn rank_at(&self, kind: u8) -> u8 {
        self.rank.get(usize::from(kind)).copied().unwrap_or(u8::MAX)
    }
}

/// The largest hub threshold: resolution keeps up to this many + 1 neighbours per identifier.
pub const MAX_HUB_THRESHOLD: u32 = 15;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_compile_and_block_the_simulator_junk() {
        let c = CompiledRules::new(&ResolutionRules::default()).unwrap();
        for junk in [
            "test@test.com",
            "noemail@noemail.com",
            "0000000000",
            "+840000000000",
            "0123456789",
            "null",
            "unknown",
            "",
        ] {
            assert!(c.blocked(junk).is_some(), "{junk} should be blocked");
        }
        for good in [
            "+84912345678",
            "an.nguyen1@gmail.com",
            "C00000001",
            "LC0000000097",
        ] {
            assert!(c.blocked(good).is_none(), "{good} should not be blocked");
        }
    }

    #[test]
    fn bad_rules_are_named() {
        let bad = ResolutionRules {
            blocked_patterns: vec!["(".into()],
            ..ResolutionRules::default()
        };
        let e = CompiledRules::new(&bad).unwrap_err().to_string();
        assert!(e.contains("blocked_patterns[0]"), "{e}");
        let bad = ResolutionRules {
            priority: vec![IdKind::Email, IdKind::City],
            ..ResolutionRules::default()
        };
        assert!(CompiledRules::new(&bad).is_err());
    }
}
