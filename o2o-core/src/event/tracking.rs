//! What a touchpoint carries beyond the action itself: the UTM parameters and ad click ids that
//! offline-conversion uploads key on, the online order behind a purchase, and how exposure was
//! assigned.

use super::Item;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// UTM parameters and ad click ids of a touchpoint.
///
/// The UTM set (`utm_source` … `utm_term`) says where a visit came from; a click id names one ad
/// click on one platform, so Google Ads, Meta and TikTok can take an offline conversion back
/// against it, and two records with the same click id belong to the same person.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tracking {
    /// `utm_source`: the referrer (`facebook`, `google`, `newsletter`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub utm_source: Option<String>,
    /// `utm_medium`: the marketing medium (`cpc`, `email`, `social`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub utm_medium: Option<String>,
    /// `utm_campaign`: the campaign name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub utm_campaign: Option<String>,
    /// `utm_content`: the ad or link variant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub utm_content: Option<String>,
    /// `utm_term`: the paid search keyword.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub utm_term: Option<String>,
    /// Google Ads click id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gclid: Option<String>,
    /// Google Ads click id for iOS app-to-web measurement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gbraid: Option<String>,
    /// Google Ads click id for iOS web-to-app measurement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wbraid: Option<String>,
    /// Display & Video 360 / Campaign Manager click id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dclid: Option<String>,
    /// Meta click id as it appears in the landing URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fbclid: Option<String>,
    /// Meta's `_fbc` cookie value (`fb.1.<time>.<fbclid>`), what the Conversions API takes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fbc: Option<String>,
    /// TikTok click id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttclid: Option<String>,
    /// Microsoft Advertising click id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub msclkid: Option<String>,
    /// Google Merchant Center's auto-tagging id on Shopping listings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub srsltid: Option<String>,
}

/// The kinds of ad click id a [`Tracking`] holds, in field order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ClickIdKind {
    /// Google Ads `gclid`.
    Gclid,
    /// Google Ads `gbraid`.
    Gbraid,
    /// Google Ads `wbraid`.
    Wbraid,
    /// DV360 / CM360 `dclid`.
    Dclid,
    /// Meta `fbclid`.
    Fbclid,
    /// Meta `_fbc` cookie.
    Fbc,
    /// TikTok `ttclid`.
    Ttclid,
    /// Microsoft `msclkid`.
    Msclkid,
    /// Google Merchant Center `srsltid`.
    Srsltid,
}

impl ClickIdKind {
    /// Every kind, in field order.
    pub const ALL: [ClickIdKind; 9] = [
        ClickIdKind::Gclid,
        ClickIdKind::Gbraid,
        ClickIdKind::Wbraid,
        ClickIdKind::Dclid,
        ClickIdKind::Fbclid,
        ClickIdKind::Fbc,
        ClickIdKind::Ttclid,
        ClickIdKind::Msclkid,
        ClickIdKind::Srsltid,
    ];

    /// The parameter name (`gclid`, `fbc`, …).
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            ClickIdKind::Gclid => "gclid",
            ClickIdKind::Gbraid => "gbraid",
            ClickIdKind::Wbraid => "wbraid",
            ClickIdKind::Dclid => "dclid",
            ClickIdKind::Fbclid => "fbclid",
            ClickIdKind::Fbc => "fbc",
            ClickIdKind::Ttclid => "ttclid",
            ClickIdKind::Msclkid => "msclkid",
            ClickIdKind::Srsltid => "srsltid",
        }
    }
}

impl Tracking {
    /// The UTM parameter names, in field order.
    pub const UTM: [&'static str; 5] = [
        "utm_source",
        "utm_medium",
        "utm_campaign",
        "utm_content",
        "utm_term",
    ];

    /// The click id of `kind`, when present.
    #[must_use]
    pub fn click_id(&self, kind: ClickIdKind) -> Option<&str> {
        match kind {
            ClickIdKind::Gclid => self.gclid.as_deref(),
            ClickIdKind::Gbraid => self.gbraid.as_deref(),
            ClickIdKind::Wbraid => self.wbraid.as_deref(),
            ClickIdKind::Dclid => self.dclid.as_deref(),
            ClickIdKind::Fbclid => self.fbclid.as_deref(),
            ClickIdKind::Fbc => self.fbc.as_deref(),
            ClickIdKind::Ttclid => self.ttclid.as_deref(),
            ClickIdKind::Msclkid => self.msclkid.as_deref(),
            ClickIdKind::Srsltid => self.srsltid.as_deref(),
        }
    }

    /// The click ids present, as (kind, value).
    pub fn click_ids(&self) -> impl Iterator<Item = (ClickIdKind, &str)> + '_ {
        ClickIdKind::ALL
            .into_iter()
            .filter_map(|k| self.click_id(k).map(|v| (k, v)))
    }

    /// The field named `name` (a UTM parameter or a click id), for readers that fill it by name.
    /// `None` for any other name.
    pub fn field_mut(&mut self, name: &str) -> Option<&mut Option<String>> {
        Some(match name {
            "utm_source" => &mut self.utm_source,
            "utm_medium" => &mut self.utm_medium,
            "utm_campaign" => &mut self.utm_campaign,
            "utm_content" => &mut self.utm_content,
            "utm_term" => &mut self.utm_term,
            "gclid" => &mut self.gclid,
            "gbraid" => &mut self.gbraid,
            "wbraid" => &mut self.wbraid,
            "dclid" => &mut self.dclid,
            "fbclid" => &mut self.fbclid,
            "fbc" => &mut self.fbc,
            "ttclid" => &mut self.ttclid,
            "msclkid" => &mut self.msclkid,
            "srsltid" => &mut self.srsltid,
            _ => return None,
        })
    }

    /// The field named `name`, read-only (see [`Tracking::field_mut`]).
    #[must_use]
    pub fn field(&self, name: &str) -> Option<&str> {
        match name {
            "utm_source" => self.utm_source.as_deref(),
            "utm_medium" => self.utm_medium.as_deref(),
            "utm_campaign" => self.utm_campaign.as_deref(),
            "utm_content" => self.utm_content.as_deref(),
            "utm_term" => self.utm_term.as_deref(),
            other => ClickIdKind::ALL
                .into_iter()
                .find(|k| k.as_str() == other)
                .and_then(|k| self.click_id(k)),
        }
    }

    /// Every field name a `Tracking` has (UTM parameters, then click ids).
    pub fn field_names() -> impl Iterator<Item = &'static str> {
        Self::UTM
            .into_iter()
            .chain(ClickIdKind::ALL.into_iter().map(ClickIdKind::as_str))
    }

    /// Whether no field is set.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        *self == Tracking::default()
    }

    /// The UTM parameters and click ids in the query of a landing page's URL (`location.href`),
    /// percent- and `+`-decoded as browsers encode forms. Other parameters and the fragment are
    /// ignored; the first occurrence of a parameter wins; empty values are absent. A URL without
    /// a query gives an empty `Tracking`.
    ///
    /// ```
    /// use o2o_core::event::Tracking;
    /// let t = Tracking::from_url("https://shop.example/p/42?utm_source=zalo&utm_campaign=t%E1%BA%BFt+2026&gclid=Cj0KCQ&x=1#top");
    /// assert_eq!(t.utm_source.as_deref(), Some("zalo"));
    /// assert_eq!(t.utm_campaign.as_deref(), Some("tết 2026"));
    /// assert_eq!(t.gclid.as_deref(), Some("Cj0KCQ"));
    /// ```
    #[must_use]
    pub fn from_url(url: &str) -> Tracking {
        let query = url.split('#').next().unwrap_or("");
        let query = query.split_once('?').map_or("", |(_, q)| q);
        let mut t = Tracking::default();
        for (k, v) in form_urlencoded::parse(query.as_bytes()) {
            let v = v.trim();
            if v.is_empty() {
                continue;
            }
            if let Some(slot) = t.field_mut(&k)
                && slot.is_none()
            {
                *slot = Some(v.to_owned());
            }
        }
        t
    }
}

/// How an online order reaches the customer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fulfilment {
    /// Shipped to the customer.
    Delivery,
    /// Bought online, collected in a store: the pickup is a store visit.
    ClickAndCollect,
    /// Reserved online, paid and collected in a store.
    Reservation,
}

impl Fulfilment {
    /// Every kind.
    pub const ALL: [Fulfilment; 3] = [
        Fulfilment::Delivery,
        Fulfilment::ClickAndCollect,
        Fulfilment::Reservation,
    ];

    /// The snake_case name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Fulfilment::Delivery => "delivery",
            Fulfilment::ClickAndCollect => "click_and_collect",
            Fulfilment::Reservation => "reservation",
        }
    }

    /// Whether the customer comes to a store for it.
    #[must_use]
    pub const fn in_store(self) -> bool {
        !matches!(self, Fulfilment::Delivery)
    }
}

impl fmt::Display for Fulfilment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Fulfilment {
    type Err = super::UnknownName;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Fulfilment::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| {
                super::UnknownName::new(
                    "fulfilment",
                    s,
                    "delivery, click_and_collect or reservation",
                )
            })
    }
}

/// The online order behind a `purchase` touchpoint.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Order {
    /// How the order is fulfilled.
    pub fulfilment: Fulfilment,
    /// The store where it is collected (click-and-collect, reservation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pickup_store: Option<String>,
    /// When it was collected (Unix seconds), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pickup_time: Option<i64>,
    /// The order lines.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<Item>,
}

/// How the people who saw a touchpoint were chosen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Exposure {
    /// The platform chose whom to show the ad (targeting, auctions): exposed and unexposed
    /// people differ in more than the ad, so any lift estimate is observational.
    #[default]
    Observational,
    /// The platform split the audience at random (a conversion-lift study): exposed against
    /// unexposed is a randomised comparison.
    Randomised,
}

impl Exposure {
    /// The snake_case name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Exposure::Observational => "observational",
            Exposure::Randomised => "randomised",
        }
    }

    /// Serde helper: the default is left out of JSON.
    #[must_use]
    pub fn is_observational(&self) -> bool {
        *self == Exposure::Observational
    }
}

impl FromStr for Exposure {
    type Err = super::UnknownName;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "observational" => Ok(Exposure::Observational),
            "randomised" | "randomized" => Ok(Exposure::Randomised),
            other => Err(super::UnknownName::new(
                "exposure",
                other,
                "observational or randomised",
            )),
        }
    }
}
