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
pub use crate::hashing::PhoneCheck;
use regex::Regex;
use serde::{Deserialize, Serialize};
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
/// a rules file (JSON) changes only what it names:
///
/// - a missing field keeps its default;
/// - per-kind settings (`limits`, `hub_threshold`, `time_bounded`) are maps from the kind to its
///   setting (`{"phone": {"max": 2}}`), and each kind named overrides that kind's default alone;
///   `null` removes a kind's setting, and `"replace": true` in the map drops every default of
///   the map first (the older form, a list of `[kind, setting]` pairs, is still read, likewise);
/// - `blocked_values` and `blocked_patterns` are added to the defaults (the junk list of
///   `docs/identity.md`); written as `{"replace": true, "values": [...]}` they replace them;
/// - `priority` is an order, so a list given replaces the default order.
///
/// A field the rules do not have (a misspelt `blocked_value`) is an error naming it.
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
/// // The MAC window kept its default: only the IP's was named.
/// assert_eq!(rules.time_bounded[&IdKind::Mac], 12 * 3_600);
/// let rules: ResolutionRules = serde_json::from_str(
///     r#"{"limits": {"phone": {"max": 2}}, "blocked_values": ["khong co"]}"#).unwrap();
/// assert_eq!(rules.limits[&IdKind::Phone].max, 2);
/// assert_eq!(rules.limits[&IdKind::ExternalId], ResolutionRules::default().limits[&IdKind::ExternalId]);
/// assert!(rules.blocked_values.iter().any(|v| v == "na@na.com"));
/// assert!(rules.blocked_values.iter().any(|v| v == "khong co"));
/// let only: ResolutionRules = serde_json::from_str(
///     r#"{"blocked_values": {"replace": true, "values": ["khong co"]}}"#).unwrap();
/// assert_eq!(only.blocked_values, ["khong co"]);
/// let err = serde_json::from_str::<ResolutionRules>(r#"{"blocked_value": ["x"]}"#).unwrap_err();
/// assert!(err.to_string().contains("blocked_value"));
/// // Written out and read back, rules are the same rules.
/// let text = serde_json::to_string(&only).unwrap();
/// assert_eq!(serde_json::from_str::<ResolutionRules>(&text).unwrap(), only);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ResolutionRules {
    /// Identifier kinds from the strongest to the weakest. Kinds not listed never link.
    pub priority: Vec<IdKind>,
    /// Per-kind caps per profile. When linking an observation would break one, the observation's
    /// lowest-priority identifier is dropped from linking and the observation retried.
    #[serde(
        deserialize_with = "patch::limits",
        serialize_with = "patch::write_limits"
    )]
    pub limits: BTreeMap<IdKind, KindLimit>,
    /// Exact values (after normalisation, compared case-insensitively) never used to link.
    #[serde(
        deserialize_with = "patch::blocked_values",
        serialize_with = "patch::write_blocked_values"
    )]
    pub blocked_values: Vec<String>,
    /// Regular expressions (after normalisation); a matching value is never used to link.
    #[serde(
        deserialize_with = "patch::blocked_patterns",
        serialize_with = "patch::write_blocked_patterns"
    )]
    pub blocked_patterns: Vec<String>,
    /// Hub guard: an identifier of the kind observed with more than this many distinct
    /// identifiers of any one higher-priority kind is shared (a store IP, a family tablet) and
    /// never links. Identifiers already linked to each other by stronger evidence count once.
    #[serde(
        deserialize_with = "patch::hub_threshold",
        serialize_with = "patch::write_hub_threshold"
    )]
    pub hub_threshold: BTreeMap<IdKind, u32>,
    /// Time-bounded kinds: an identifier of the kind links only observations that follow each
    /// other within this many seconds (a session); a later session starts afresh.
    #[serde(
        deserialize_with = "patch::time_bounded",
        serialize_with = "patch::write_time_bounded"
    )]
    pub time_bounded: BTreeMap<IdKind, i64>,
    /// Country assumed for phone numbers written without a country code (ISO 3166-1 alpha-2).
    pub default_country: Option<String>,
    /// Which phone numbers link: `"possible"` (the default: the right length for their country)
    /// or `"valid"` (also in a range the numbering plan assigns today). See [`PhoneCheck`].
    pub phone: PhoneCheck,
}

impl Default for ResolutionRules {
    fn default() -> Self {
        use IdKind::*;
        let s = |v: &[&str]| v.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();
        ResolutionRules {
            priority: vec![ExternalId, LoyaltyCard, Email, Phone, DeviceId, Mac, Ip],
            // Why these numbers, and how they compare with Segment's and RudderStack's: the
            // limits table of docs/identity.md.
            limits: BTreeMap::from([
                (ExternalId, KindLimit::ever(1)),
                (LoyaltyCard, KindLimit::ever(1)),
                (Email, KindLimit::ever(2)),
                (Phone, KindLimit::ever(1)),
                (DeviceId, KindLimit::within(5, 365 * DAY)),
                (Mac, KindLimit::within(3, 365 * DAY)),
            ]),
            blocked_values: s(super::junk::VALUES),
            blocked_patterns: s(super::junk::PATTERNS),
            hub_threshold: BTreeMap::from([(DeviceId, 1), (Mac, 1), (Ip, 1)]),
            time_bounded: BTreeMap::from([(Mac, 12 * HOUR), (Ip, 28 * DAY)]),
            default_country: Some("VN".to_owned()),
            phone: PhoneCheck::Possible,
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
    #[must_use]
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
    #[must_use]
    pub const fn within(max: u32, window_secs: i64) -> Self {
        KindLimit {
            max,
            window_secs: Some(window_secs),
        }
    }
}

/// Number of identifier kinds (the length of [`IdKind::ALL`]).
pub(crate) const KINDS: usize = IdKind::ALL.len();

/// Whether the graph links identifiers of `kind`: identifying kinds that are not hashed (an
/// `email_sha256` links through the raw email it hashes, which `store::resolve_people` puts in
/// its place) and that no campaign handed out (a voucher code: measurement follows its
/// issuance itself, and keeps visits known only through it apart).
const fn links(kind: IdKind) -> bool {
    !kind.is_attribute() && !kind.is_hashed() && !kind.is_instrument()
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
                return Err(IdentityError::rules(
                    "priority",
                    format!(
                        "`{k}` describes a person but does not identify one, so it cannot link"
                    ),
                ));
            }
            if k.is_hashed() {
                return Err(IdentityError::rules(
                    "priority",
                    format!(
                        "`{k}` is a hash; it links through the raw `{}` it hashes, so list that instead",
                        k.unhashed()
                    ),
                ));
            }
            if k.is_instrument() {
                return Err(IdentityError::rules(
                    "priority",
                    format!(
                        "`{k}` was handed out by a campaign; it identifies only the people the campaign reached, so it never links profiles (measurement follows its issuance)"
                    ),
                ));
            }
            let slot = &mut rank[kind_index(*k)];
            if *slot != u8::MAX {
                return Err(IdentityError::rules(
                    "priority",
                    format!("`{k}` listed twice"),
                ));
            }
            *slot = i as u8;
        }
        let mut limit = [None; KINDS];
        for (k, l) in &rules.limits {
            if l.max == 0 {
                return Err(IdentityError::rules(
                    format!("limits.{k}"),
                    "max must be at least 1",
                ));
            }
            if l.window_secs.is_some_and(|w| w <= 0) {
                return Err(IdentityError::rules(
                    format!("limits.{k}"),
                    "window_secs must be positive",
                ));
            }
            limit[kind_index(*k)] = Some(*l);
        }
        let limit_max = limit.map(|l| l.map_or(u32::MAX, |l| l.max));
        let mut hub = [None; KINDS];
        for (k, n) in &rules.hub_threshold {
            if *n > MAX_HUB_THRESHOLD {
                return Err(IdentityError::rules(
                    format!("hub_threshold.{k}"),
                    format!("{n} is above the supported maximum {MAX_HUB_THRESHOLD}"),
                ));
            }
            hub[kind_index(*k)] = Some(*n);
        }
        let mut window = [None; KINDS];
        for (k, w) in &rules.time_bounded {
            if *w <= 0 {
                return Err(IdentityError::rules(
                    format!("time_bounded.{k}"),
                    "the window must be positive seconds",
                ));
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
                Regex::new(p).map_err(|source| IdentityError::Pattern {
                    field: format!("blocked_patterns[{i}] `{p}`"),
                    source,
                })
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

    /// Whether an identifier is blocked, given raw and normalised: the normalised value, and for
    /// a phone also its raw digits (`0123 456 789` is junk whatever country it would be read
    /// in, and the list names it as typed).
    pub fn blocked_identifier(&self, kind: IdKind, raw: &str, value: &str) -> Option<String> {
        if let Some(why) = self.blocked(value) {
            return Some(why);
        }
        if kind != IdKind::Phone {
            return None;
        }
        let digits: String = raw
            .trim()
            .chars()
            .filter(|c| c.is_ascii_digit() || *c == '+')
            .collect();
        if digits == value {
            return None;
        }
        self.blocked(&digits)
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

/// Rules files as patches of the defaults: see [`ResolutionRules`]. Each setting is written so
/// that reading it back gives the same rules (a map that lost a default kind says
/// `"replace": true`, as does a blocked list that lost a default value).
mod patch {
    use super::{IdKind, KindLimit, ResolutionRules};
    use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
    use serde::ser::{SerializeMap, Serializer};
    use serde::{Deserialize, Serialize};
    use std::collections::BTreeMap;

    /// A per-kind map read onto `defaults`: see [`ResolutionRules`].
    fn kind_patch<'de, D, V>(
        d: D,
        defaults: BTreeMap<IdKind, V>,
    ) -> Result<BTreeMap<IdKind, V>, D::Error>
    where
        D: Deserializer<'de>,
        V: Deserialize<'de>,
    {
        struct Patch<V>(BTreeMap<IdKind, V>);

        impl<'de, V: Deserialize<'de>> Visitor<'de> for Patch<V> {
            type Value = BTreeMap<IdKind, V>;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(
                    "a map from identifier kind to its setting (null removes it; \"replace\": true drops the defaults), or a list of [kind, setting] pairs",
                )
            }

            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
                let mut m = self.0;
                let mut named: Vec<(IdKind, Option<V>)> = Vec::new();
                let mut replace = false;
                while let Some(key) = a.next_key::<String>()? {
                    if key == "replace" {
                        replace = a.next_value()?;
                        continue;
                    }
                    let kind: IdKind =
                        IdKind::deserialize(de::value::StrDeserializer::<A::Error>::new(&key))?;
                    named.push((kind, a.next_value()?));
                }
                if replace {
                    m.clear();
                }
                for (k, v) in named {
                    match v {
                        Some(v) => m.insert(k, v),
                        None => m.remove(&k),
                    };
                }
                Ok(m)
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
                let mut m = self.0;
                while let Some((k, v)) = a.next_element::<(IdKind, V)>()? {
                    m.insert(k, v);
                }
                Ok(m)
            }
        }

        d.deserialize_any(Patch(defaults))
    }

    /// A per-kind map, with `"replace": true` first when it lacks a kind the defaults have.
    fn write_kinds<S, V>(
        m: &BTreeMap<IdKind, V>,
        defaults: &BTreeMap<IdKind, V>,
        s: S,
    ) -> Result<S::Ok, S::Error>
    where
        S: Serializer,
        V: Serialize,
    {
        let replace = defaults.keys().any(|k| !m.contains_key(k));
        let mut out = s.serialize_map(Some(m.len() + usize::from(replace)))?;
        if replace {
            out.serialize_entry("replace", &true)?;
        }
        for (k, v) in m {
            out.serialize_entry(k, v)?;
        }
        out.end()
    }

    /// A blocked list read onto `defaults`: a list adds to them, `{"replace": true, "values":
    /// [...]}` replaces them (`{"values": [...]}` alone adds).
    fn list_patch<'de, D>(d: D, defaults: Vec<String>) -> Result<Vec<String>, D::Error>
    where
        D: Deserializer<'de>,
    {
        struct Given;

        impl<'de> Visitor<'de> for Given {
            type Value = (bool, Vec<String>);

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(
                    "a list of values (added to the defaults) or {\"replace\": true, \"values\": [...]}",
                )
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
                let mut v = Vec::new();
                while let Some(x) = a.next_element::<String>()? {
                    v.push(x);
                }
                Ok((false, v))
            }

            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
                let (mut replace, mut values) = (false, Vec::new());
                while let Some(key) = a.next_key::<String>()? {
                    match key.as_str() {
                        "replace" => replace = a.next_value()?,
                        "values" => values = a.next_value()?,
                        other => {
                            return Err(de::Error::unknown_field(other, &["replace", "values"]));
                        }
                    }
                }
                Ok((replace, values))
            }
        }
        let (replace, values) = d.deserialize_any(Given)?;
        let mut out = if replace { Vec::new() } else { defaults };
        for v in values {
            if !out.contains(&v) {
                out.push(v);
            }
        }
        Ok(out)
    }

    /// A blocked list: the plain list when it holds every default, else the replacing form.
    fn write_list<S: Serializer>(
        v: &[String],
        defaults: &[String],
        s: S,
    ) -> Result<S::Ok, S::Error> {
        if defaults.iter().all(|d| v.contains(d)) {
            return v.serialize(s);
        }
        let mut out = s.serialize_map(Some(2))?;
        out.serialize_entry("replace", &true)?;
        out.serialize_entry("values", v)?;
        out.end()
    }

    pub(super) fn limits<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<BTreeMap<IdKind, KindLimit>, D::Error> {
        kind_patch(d, ResolutionRules::default().limits)
    }

    pub(super) fn hub_threshold<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<BTreeMap<IdKind, u32>, D::Error> {
        kind_patch(d, ResolutionRules::default().hub_threshold)
    }

    pub(super) fn time_bounded<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<BTreeMap<IdKind, i64>, D::Error> {
        kind_patch(d, ResolutionRules::default().time_bounded)
    }

    pub(super) fn blocked_values<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
        list_patch(d, ResolutionRules::default().blocked_values)
    }

    pub(super) fn blocked_patterns<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Vec<String>, D::Error> {
        list_patch(d, ResolutionRules::default().blocked_patterns)
    }

    pub(super) fn write_limits<S: Serializer>(
        m: &BTreeMap<IdKind, KindLimit>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        write_kinds(m, &ResolutionRules::default().limits, s)
    }

    pub(super) fn write_hub_threshold<S: Serializer>(
        m: &BTreeMap<IdKind, u32>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        write_kinds(m, &ResolutionRules::default().hub_threshold, s)
    }

    pub(super) fn write_time_bounded<S: Serializer>(
        m: &BTreeMap<IdKind, i64>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        write_kinds(m, &ResolutionRules::default().time_bounded, s)
    }

    pub(super) fn write_blocked_values<S: Serializer>(
        v: &[String],
        s: S,
    ) -> Result<S::Ok, S::Error> {
        write_list(v, &ResolutionRules::default().blocked_values, s)
    }

    pub(super) fn write_blocked_patterns<S: Serializer>(
        v: &[String],
        s: S,
    ) -> Result<S::Ok, S::Error> {
        write_list(v, &ResolutionRules::default().blocked_patterns, s)
    }
}

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
    fn placeholders_are_blocked_raw_and_normalised() {
        let rules = ResolutionRules::default();
        let c = CompiledRules::new(&rules).unwrap();
        for (kind, raw) in [
            (IdKind::Email, "na@na.com"),
            (IdKind::Email, "NoEmail@shop.vn"),
            (IdKind::Email, "none@gmail.com"),
            (IdKind::Email, "test@anything.vn"),
            (IdKind::Email, "khach@le.vn"),
            (IdKind::Phone, "0000000000"),
            (IdKind::Phone, "1234567890"),
            (IdKind::Phone, "0123 456 789"),
            (IdKind::Phone, "+84 999 999 999"),
            (IdKind::Phone, "0987654321"),
            (IdKind::ExternalId, "-1"),
            (IdKind::ExternalId, "anonymous"),
        ] {
            let normalised = super::super::normalize::normalize_value(kind, raw, &rules);
            let blocked = match &normalised {
                Ok(v) => c.blocked_identifier(kind, raw, v).is_some(),
                // Not a value of its kind at all: never linked either.
                Err(_) => true,
            };
            assert!(
                blocked,
                "{kind} {raw:?} -> {normalised:?} should be blocked"
            );
        }
        for (kind, raw) in [
            (IdKind::Email, "ann.le1@gmail.com"),
            (IdKind::Email, "ann@example.com"),
            (IdKind::Phone, "0912 345 678"),
            (IdKind::Phone, "0162 345 6789"),
            (IdKind::ExternalId, "42"),
        ] {
            let v = super::super::normalize::normalize_value(kind, raw, &rules).unwrap();
            assert!(
                c.blocked_identifier(kind, raw, &v).is_none(),
                "{kind} {raw:?}"
            );
        }
    }

    #[test]
    fn a_rules_file_changes_only_what_it_names() {
        let d = ResolutionRules::default();
        let r: ResolutionRules = serde_json::from_str(
            r#"{"limits": {"phone": {"max": 2}, "mac": null}, "hub_threshold": {"ip": 3},
                "blocked_values": ["khong co"], "blocked_patterns": ["^x+$"], "phone": "valid"}"#,
        )
        .unwrap();
        assert_eq!(r.limits[&IdKind::Phone], KindLimit::ever(2));
        assert!(!r.limits.contains_key(&IdKind::Mac));
        for k in [
            IdKind::ExternalId,
            IdKind::LoyaltyCard,
            IdKind::Email,
            IdKind::DeviceId,
        ] {
            assert_eq!(r.limits[&k], d.limits[&k], "{k}");
        }
        assert_eq!(r.hub_threshold[&IdKind::Ip], 3);
        assert_eq!(r.hub_threshold[&IdKind::Mac], d.hub_threshold[&IdKind::Mac]);
        assert_eq!(r.blocked_values.len(), d.blocked_values.len() + 1);
        assert_eq!(r.blocked_patterns.len(), d.blocked_patterns.len() + 1);
        assert_eq!(r.phone, PhoneCheck::Valid);
        let back: ResolutionRules =
            serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap();
        assert_eq!(back, r);
        let r: ResolutionRules =
            serde_json::from_str(r#"{"limits": {"replace": true, "email": {"max": 3}}}"#).unwrap();
        assert_eq!(r.limits.len(), 1);
        let back: ResolutionRules =
            serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap();
        assert_eq!(back, r);
        // Misspelt fields and kinds are errors naming them.
        for (bad, named) in [
            (r#"{"limit": {}}"#, "limit"),
            (r#"{"limits": {"emial": {"max": 2}}}"#, "emial"),
            (r#"{"limits": {"email": {"maxx": 2}}}"#, "maxx"),
            (
                r#"{"blocked_values": {"replace": true, "value": []}}"#,
                "`value`",
            ),
            (r#"{"phone": "strict"}"#, "strict"),
        ] {
            let e = serde_json::from_str::<ResolutionRules>(bad)
                .unwrap_err()
                .to_string();
            assert!(e.contains(named), "{bad}: {e}");
        }
    }

    /// The user guide's example rules file changes what it names and keeps every other default
    /// (an earlier reading replaced whole maps, and the example dropped four limits).
    #[test]
    fn the_example_rules_file_keeps_the_other_defaults() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/examples/rules.json");
        let Ok(text) = std::fs::read_to_string(path) else {
            return; // a packaged crate has no docs folder
        };
        let r: ResolutionRules = serde_json::from_str(&text).unwrap();
        let d = ResolutionRules::default();
        assert_eq!(r.limits[&IdKind::Phone].max, 2);
        assert_eq!(r.limits.len(), d.limits.len());
        assert_eq!(r.time_bounded[&IdKind::Mac], d.time_bounded[&IdKind::Mac]);
        assert_eq!(r.hub_threshold, d.hub_threshold);
        assert!(
            d.blocked_values
                .iter()
                .all(|v| r.blocked_values.contains(v))
        );
        assert!(r.blocked_values.iter().any(|v| v == "khong co"));
    }

    proptest::proptest! {
        /// Rules that restate any part of the defaults are the defaults.
        #[test]
        fn restating_the_defaults_changes_nothing(
            limits in proptest::sample::subsequence(ResolutionRules::default().limits.into_iter().collect::<Vec<_>>(), 0..=6),
            hubs in proptest::sample::subsequence(ResolutionRules::default().hub_threshold.into_iter().collect::<Vec<_>>(), 0..=3),
            windows in proptest::sample::subsequence(ResolutionRules::default().time_bounded.into_iter().collect::<Vec<_>>(), 0..=2),
            values in proptest::sample::subsequence(ResolutionRules::default().blocked_values, 0..=20),
            patterns in proptest::sample::subsequence(ResolutionRules::default().blocked_patterns, 0..=5),
            which in 0u32..256,
        ) {
            let mut json = serde_json::Map::new();
            let map = |pairs: Vec<(IdKind, serde_json::Value)>| {
                serde_json::Value::Object(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
            };
            if which & 1 != 0 {
                json.insert("limits".into(), map(limits.iter().map(|(k, l)| (*k, serde_json::to_value(l).unwrap())).collect()));
            }
            if which & 2 != 0 {
                json.insert("hub_threshold".into(), map(hubs.iter().map(|(k, t)| (*k, (*t).into())).collect()));
            }
            if which & 4 != 0 {
                json.insert("time_bounded".into(), map(windows.iter().map(|(k, w)| (*k, (*w).into())).collect()));
            }
            if which & 8 != 0 {
                json.insert("blocked_values".into(), values.clone().into());
            }
            if which & 16 != 0 {
                json.insert("blocked_patterns".into(), patterns.clone().into());
            }
            if which & 32 != 0 {
                json.insert("priority".into(), serde_json::to_value(ResolutionRules::default().priority).unwrap());
            }
            if which & 64 != 0 {
                json.insert("phone".into(), "possible".into());
            }
            if which & 128 != 0 {
                json.insert("default_country".into(), "VN".into());
            }
            let r: ResolutionRules = serde_json::from_value(serde_json::Value::Object(json)).unwrap();
            proptest::prop_assert_eq!(r, ResolutionRules::default());
        }
    }

    #[test]
    fn bad_rules_are_named() {
        let bad = ResolutionRules {
            blocked_patterns: vec!["(".into()],
            ..ResolutionRules::default()
        };
        let e = CompiledRules::new(&bad).unwrap_err();
        assert!(e.to_string().contains("blocked_patterns[0]"), "{e}");
        assert!(
            matches!(&e, IdentityError::Pattern { field, .. } if field.starts_with("blocked_patterns[0]")),
            "{e:?}"
        );
        assert!(
            std::error::Error::source(&e).is_some(),
            "the regex error is kept"
        );
        let bad = ResolutionRules {
            priority: vec![IdKind::Email, IdKind::City],
            ..ResolutionRules::default()
        };
        let e = CompiledRules::new(&bad).unwrap_err();
        assert!(
            matches!(&e, IdentityError::Rules { field, .. } if field == "priority"),
            "{e:?}"
        );
        assert!(
            e.to_string()
                .starts_with("resolution rules: priority: `city`"),
            "{e}"
        );
    }
}
