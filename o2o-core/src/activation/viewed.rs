//! "Viewed online, not bought": per profile, the products it looked at online within a window
//! and has not bought anywhere since — neither on a store receipt nor in an online order.
//!
//! This is the list behind "a personal discount on the smartphone they looked at": the product
//! a customer considered and left. A product bought after its last view is off the list (the
//! offer would come too late); a view after a purchase puts it back (they are looking again).
//! A purchase without items names no product, so it takes nothing off the list.

use crate::event::{Event, ProductView};
use serde::Serialize;
use std::collections::BTreeMap;

/// The window a view counts in when none is given: 30 days before the list's time.
pub const DEFAULT_VIEWED_WITHIN_DAYS: u32 = 30;

/// How to build the viewed-not-bought lists of an audience.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ViewedOptions {
    /// How far back a view counts, in seconds before the audience's time.
    pub within_secs: i64,
}

impl Default for ViewedOptions {
    fn default() -> Self {
        ViewedOptions {
            within_secs: i64::from(DEFAULT_VIEWED_WITHIN_DAYS) * 86_400,
        }
    }
}

/// One product a profile viewed online and has not bought since.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ViewedProduct {
    /// The product's id or SKU.
    pub sku: String,
    /// Its name, from the latest view that gave one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The price shown at the latest view that gave one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price: Option<f64>,
    /// The currency of `price`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// The latest view (Unix seconds).
    pub last_viewed: i64,
    /// Views within the window.
    pub views: u32,
}

/// Per (profile, sku): the views counted and, for the latest view and for the latest views
/// giving a name and a price, their time and value. Ties at one second are broken by the values
/// themselves, so the result does not depend on the order events come in.
#[derive(Default)]
struct Seen {
    views: u32,
    last: i64,
    name: Option<(i64, String)>,
    price: Option<(i64, f64, Option<String>)>,
}

impl Seen {
    fn view(&mut self, v: &ProductView) {
        let t = v.timestamp;
        self.last = if self.views == 0 { t } else { self.last.max(t) };
        self.views += 1;
        if let Some(n) = &v.name
            && self
                .name
                .as_ref()
                .is_none_or(|(at, old)| (t, n) > (*at, old))
        {
            self.name = Some((t, n.clone()));
        }
        if let Some(x) = v.price
            && self.price.as_ref().is_none_or(|(at, old, cur)| {
                t.cmp(at)
                    .then(x.total_cmp(old))
                    .then_with(|| v.currency.cmp(cur))
                    .is_gt()
            })
        {
            self.price = Some((t, x, v.currency.clone()));
        }
    }

    fn product(self, sku: String) -> ViewedProduct {
        let (price, currency) = match self.price {
            Some((_, x, c)) => (Some(x), c),
            None => (None, None),
        };
        ViewedProduct {
            sku,
            name: self.name.map(|(_, n)| n),
            price,
            currency,
            last_viewed: self.last,
            views: self.views,
        }
    }
}

/// The SKUs an event bought: a receipt's items, an online order's items.
fn bought(e: &Event) -> impl Iterator<Item = &str> {
    let items = match e {
        Event::CheckIn(c) => c.items.as_slice(),
        Event::Touchpoint(t) => t.order.as_deref().map_or(&[][..], |o| o.items.as_slice()),
        Event::ProductView(_) => &[],
    };
    items.iter().map(|i| i.sku.as_str())
}

/// The viewed-not-bought list of every profile of `events` (grouped by `key`) at `now`:
/// products viewed in `[now - within, now]` with no purchase of the same SKU by the same profile
/// at or after the latest of those views (and at or before `now`). Profiles without such a
/// product are absent; products come latest view first, then by SKU. Consent is not judged
/// here: [`super::audience_members`] keeps only profiles with marketing consent.
pub(crate) fn lists(
    events: &[&Event],
    key: &dyn Fn(&Event) -> Option<String>,
    now: i64,
    opts: &ViewedOptions,
) -> BTreeMap<String, Vec<ViewedProduct>> {
    let from = now.saturating_sub(opts.within_secs.max(0));
    let mut seen: BTreeMap<(String, String), Seen> = BTreeMap::new();
    // The latest purchase of each (profile, sku) up to `now`.
    let mut last_bought: BTreeMap<(String, String), i64> = BTreeMap::new();
    for e in events {
        let ts = e.timestamp();
        if ts > now {
            continue;
        }
        match e {
            Event::ProductView(v) if ts >= from => {
                let Some(p) = key(e) else { continue };
                seen.entry((p, v.sku.clone())).or_default().view(v);
            }
            _ => {
                let mut skus = bought(e).peekable();
                if skus.peek().is_none() {
                    continue;
                }
                let Some(p) = key(e) else { continue };
                for sku in skus {
                    let t = last_bought.entry((p.clone(), sku.to_owned())).or_insert(ts);
                    *t = (*t).max(ts);
                }
            }
        }
    }
    let mut out: BTreeMap<String, Vec<ViewedProduct>> = BTreeMap::new();
    for ((profile, sku), s) in seen {
        // Bought at or after the latest view: the view led to the purchase (or came with it).
        let bought_since = last_bought
            .get(&(profile.clone(), sku.clone()))
            .is_some_and(|&t| t >= s.last);
        if !bought_since {
            out.entry(profile).or_default().push(s.product(sku));
        }
    }
    for list in out.values_mut() {
        list.sort_by(|a, b| {
            b.last_viewed
                .cmp(&a.last_viewed)
                .then_with(|| a.sku.cmp(&b.sku))
        });
    }
    out
}
