//! A row becomes records under a compiled map: each field read, converted and checked; the
//! identifiers normalised (a value that is not one of its kind is dropped and counted, not a
//! rejected row); the record built for what the source produces; and its key computed for
//! deduplication.

use super::compile::{CompiledMap, ConsentKey, Field, FieldGetter, Getter, Origin, Type};
use super::map::Produces;
use super::row::Row;
use super::shape::shape;
use crate::consent::{ConsentMode, ConsentSignals, ConsentState};
use crate::event::{
    Assignment, AssignmentGroup, CheckIn, CheckInMethod, ConsentRecord, Customer, Event,
    Fulfilment, IdKind, Identifier, Item, Order, ProductView, Record, SpendRecord, TouchAction,
    Touchpoint, Tracking,
};
use crate::hashing::normalize_into;
use std::borrow::Cow;
use xxhash_rust::xxh3::Xxh3;

/// A rejected row: which field and why. It never holds the value itself, only its shape
/// (`99/99/9999`), because a value may be personal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Reject {
    /// The map key (`fields.timestamp`) or column at fault, when one is.
    pub field: Option<String>,
    /// What is wrong (the same text for every row with the same fault, so it can be tallied).
    pub reason: String,
    /// The shape of the value at fault, when showing it helps.
    pub shape: Option<String>,
}

impl Reject {
    pub(crate) fn new(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Reject {
            field: Some(field.into()),
            reason: reason.into(),
            shape: None,
        }
    }

    fn with_shape(mut self, value: &str) -> Self {
        self.shape = Some(shape(value));
        self
    }
}

/// What one row gave.
#[derive(Debug)]
pub(crate) enum Outcome {
    /// One record (two for an order collected in a store), its dedupe key, and for itemised
    /// rows the id that groups them.
    Records {
        records: Vec<Record>,
        key: u128,
        group: Option<String>,
    },
    /// `skip_if` matched, or a consent row said nothing.
    Skipped,
    /// The row is bad.
    Rejected(Reject),
}

/// Values of one row, as the fields give them.
#[derive(Default)]
struct Draft {
    timestamp: Option<i64>,
    id: Option<String>,
    store: Option<String>,
    region: Option<String>,
    city: Option<String>,
    method: Option<String>,
    action: Option<String>,
    channel: Option<String>,
    campaign: Option<String>,
    value: Option<f64>,
    cost: Option<f64>,
    currency: Option<String>,
    voucher: Option<String>,
    fulfilment: Option<String>,
    pickup_time: Option<i64>,
    group: Option<String>,
    sku: Option<String>,
    quantity: Option<f64>,
    price: Option<f64>,
    items: Vec<Item>,
    /// The `name` of each of `items`, when the list gives one (GA4's `item_name`).
    item_names: Vec<Option<String>>,
    name: Option<String>,
    url: Option<String>,
    tracking: Tracking,
}

/// Reads rows under one map, counting what it drops.
pub(crate) struct Assembler<'m> {
    map: &'m CompiledMap,
    scratch: String,
    /// Identifier values dropped because they are not valid values of their kind, by kind.
    pub dropped: [u64; IdKind::ALL.len()],
}

impl<'m> Assembler<'m> {
    pub(crate) fn map(&self) -> &'m CompiledMap {
        self.map
    }

    pub(crate) fn new(map: &'m CompiledMap) -> Self {
        Assembler {
            map,
            scratch: String::with_capacity(64),
            dropped: [0; IdKind::ALL.len()],
        }
    }

    /// Read one row.
    pub(crate) fn row(&mut self, row: &dyn Row) -> Outcome {
        match self.try_row(row) {
            Ok(Some(o)) => o,
            Ok(None) => Outcome::Skipped,
            Err(r) => Outcome::Rejected(r),
        }
    }

    fn try_row(&mut self, row: &dyn Row) -> Result<Option<Outcome>, Reject> {
        let map = self.map;
        for s in &map.skip {
            let v = cell(map, row, s.column)?;
            let v = v.as_deref().map(str::trim).unwrap_or_default();
            if s.values.iter().any(|x| x == v) != s.negate {
                return Ok(None);
            }
        }
        let mut d = Draft::default();
        for f in &map.fields {
            read_field(map, f, row, &mut d)?;
        }
        let identifiers = self.identifiers(row)?;
        let consent = consent(map, row)?;
        let key = self.key(row)?;
        let records = match build(map, d, identifiers, consent)? {
            Some(r) => r,
            None => return Ok(None),
        };
        let group = if map.itemised {
            match &records.first() {
                Some(Record::Event(Event::CheckIn(c))) => c.id.clone(),
                Some(Record::Event(Event::Touchpoint(t))) => t.id.clone(),
                _ => None,
            }
        } else {
            None
        };
        Ok(Some(Outcome::Records {
            records,
            key,
            group,
        }))
    }

    fn identifiers(&mut self, row: &dyn Row) -> Result<Vec<Identifier>, Reject> {
        let mut out: Vec<Identifier> = Vec::with_capacity(self.map.ids.len());
        for g in &self.map.ids {
            let Some(v) = text(self.map, &g.get, row)? else {
                continue;
            };
            let ok = normalize_into(g.kind, &v, &g.normalize, &mut self.scratch).is_ok();
            if !ok {
                if let Some(n) = IdKind::ALL
                    .iter()
                    .position(|k| *k == g.kind)
                    .and_then(|i| self.dropped.get_mut(i))
                {
                    *n += 1;
                }
                continue;
            }
            if !out
                .iter()
                .any(|i| i.kind == g.kind && i.value == self.scratch)
            {
                out.push(Identifier::new(g.kind, self.scratch.as_str()));
            }
        }
        Ok(out)
    }

    /// The record's key: the source's name and its `dedupe` columns, or without them every
    /// column the map reads (the record's whole content).
    fn key(&self, row: &dyn Row) -> Result<u128, Reject> {
        let map = self.map;
        let mut h = Xxh3::new();
        h.update(map.name().as_bytes());
        h.update(&[0]);
        let all: Vec<usize>;
        let cols: &[usize] = if map.dedupe.is_empty() {
            all = (0..map.columns.len()).collect();
            &all
        } else {
            &map.dedupe
        };
        for &c in cols {
            match cell(map, row, c)? {
                Some(v) => {
                    h.update(&[1]);
                    h.update(v.trim().as_bytes());
                }
                None => h.update(&[0]),
            }
            h.update(&[0x1f]);
        }
        Ok(h.digest128())
    }
}

/// The raw cell of column `col`.
fn cell<'r>(
    map: &CompiledMap,
    row: &'r dyn Row,
    col: usize,
) -> Result<Option<Cow<'r, str>>, Reject> {
    row.cell(col).map_err(|reason| {
        Reject::new(
            map.columns.get(col).cloned().unwrap_or_default(),
            reason.to_owned(),
        )
    })
}

/// A getter's value: the cell (or the constant), trimmed, defaulted when empty, lowercased and
/// mapped. `None` when absent.
fn text<'r>(
    map: &'r CompiledMap,
    g: &'r Getter,
    row: &'r dyn Row,
) -> Result<Option<Cow<'r, str>>, Reject> {
    if let Some((col, values)) = &g.when {
        let v = cell(map, row, *col)?;
        let v = v.as_deref().map(str::trim).unwrap_or_default();
        if !values.iter().any(|x| x == v) {
            return Ok(None);
        }
    }
    let mut v: Option<Cow<'r, str>> = match &g.origin {
        Origin::Column(c) => cell(map, row, *c)?,
        Origin::Constant(s) if s.is_empty() => None,
        Origin::Constant(s) => Some(Cow::Borrowed(s.as_str())),
    };
    if g.trim
        && let Some(s) = &v
    {
        let t = s.trim();
        if t.len() != s.len() {
            v = Some(match v {
                Some(Cow::Borrowed(b)) => Cow::Borrowed(b.trim()),
                Some(Cow::Owned(o)) => Cow::Owned(o.trim().to_owned()),
                None => Cow::Borrowed(""),
            });
        }
    }
    if v.as_deref().is_none_or(str::is_empty) {
        v = g.default.as_deref().map(Cow::Borrowed);
    }
    let Some(mut s) = v else {
        return Ok(None);
    };
    if g.lowercase && s.chars().any(char::is_uppercase) {
        s = Cow::Owned(s.to_lowercase());
    }
    if let Some(table) = &g.map {
        match table.get(s.as_ref()) {
            Some(m) if m.is_empty() => return Ok(None),
            Some(m) => s = Cow::Borrowed(m.as_str()),
            None if g.map_strict => {
                return Err(Reject::new(&g.key, "not in the map's value table").with_shape(&s));
            }
            None => {}
        }
    }
    Ok(Some(s))
}

fn read_field(
    map: &CompiledMap,
    f: &FieldGetter,
    row: &dyn Row,
    d: &mut Draft,
) -> Result<(), Reject> {
    if f.field.ty() == Type::List {
        if let Origin::Column(c) = f.get.origin
            && let Some(list) = row.list(c)
        {
            for (i, v) in list.iter().enumerate() {
                let item: Item = serde_json::from_value(v.clone())
                    .map_err(|e| Reject::new(format!("{}[{i}]", f.get.key), e.to_string()))?;
                check_amount(&f.get.key, item.price)?;
                d.items.push(item);
                d.item_names
                    .push(v.get("name").and_then(|n| n.as_str()).map(str::to_owned));
            }
        }
        return Ok(());
    }
    let Some(t) = text(map, &f.get, row)? else {
        return Ok(());
    };
    let bad = |e: String| Reject::new(&f.get.key, e).with_shape(&t);
    match f.field.ty() {
        Type::Time => {
            let ts = f
                .time
                .as_ref()
                .map_or(Err("no parser".to_owned()), |p| p.parse(&t))
                .map_err(bad)?;
            match f.field {
                Field::PickupTime => d.pickup_time = Some(ts),
                _ => d.timestamp = Some(ts),
            }
        }
        Type::Money => {
            let x = f.number.parse(&t).map_err(bad)?;
            check_amount(&f.get.key, x)?;
            match f.field {
                Field::Cost => d.cost = Some(x),
                Field::Price => d.price = Some(x),
                _ => d.value = Some(x),
            }
        }
        Type::Count => {
            let x = f.number.parse(&t).map_err(bad)?;
            if x < 0.0 || x.fract() != 0.0 || x > f64::from(u32::MAX) {
                return Err(Reject::new(&f.get.key, "must be a whole number of units"));
            }
            d.quantity = Some(x);
        }
        Type::List => {}
        Type::Text => {
            let s = t.into_owned();
            match f.field {
                Field::Id => d.id = Some(s),
                Field::Store => d.store = Some(s),
                Field::Region => d.region = Some(s),
                Field::City => d.city = Some(s),
                Field::Method => d.method = Some(s),
                Field::Action => d.action = Some(s),
                Field::Channel => d.channel = Some(s),
                Field::Campaign => d.campaign = Some(s),
                Field::Currency => d.currency = Some(s),
                Field::Voucher => d.voucher = Some(s),
                Field::Fulfilment => d.fulfilment = Some(s),
                Field::Group => d.group = Some(s),
                Field::Sku => d.sku = Some(s),
                Field::Url => d.url = Some(s),
                Field::Name => d.name = Some(s),
                Field::Tracking(i) => {
                    let name = f.field.name();
                    let _ = i;
                    if let Some(slot) = d.tracking.field_mut(name) {
                        *slot = Some(s);
                    }
                }
                _ => {}
            }
        }
    }
    Ok(())
}

/// Amounts are finite and not negative (a refund or a void is a row to skip with `skip_if`).
fn check_amount(key: &str, x: f64) -> Result<(), Reject> {
    if !x.is_finite() {
        return Err(Reject::new(key, "not a finite amount"));
    }
    if x < 0.0 {
        return Err(Reject::new(
            key,
            "negative amount (refunds and voids: skip them with skip_if)",
        ));
    }
    Ok(())
}

fn consent(map: &CompiledMap, row: &dyn Row) -> Result<Option<ConsentSignals>, Reject> {
    if map.consent.is_empty() {
        return Ok(None);
    }
    let mut signals = ConsentSignals::default();
    let mut gcm: Option<ConsentMode> = None;
    let mut any = false;
    // `granted` first, so that the Consent Mode columns override it.
    let mut ordered: Vec<_> = map.consent.iter().collect();
    ordered.sort_by_key(|g| g.key != ConsentKey::Granted);
    for g in ordered {
        let v = cell(map, row, g.column)?;
        let v = v.as_deref().map(str::trim).unwrap_or_default();
        if v.is_empty() {
            continue;
        }
        any = true;
        if g.key == ConsentKey::Tcf {
            signals.tcf = Some(v.to_owned());
            continue;
        }
        let state = if g.values.iter().any(|x| x.eq_ignore_ascii_case(v)) {
            ConsentState::Granted
        } else {
            ConsentState::Denied
        };
        let m = gcm.get_or_insert_with(ConsentMode::default);
        match g.key {
            ConsentKey::Granted => {
                *m = ConsentMode {
                    ad_storage: state,
                    analytics_storage: state,
                    ad_user_data: state,
                    ad_personalization: state,
                }
            }
            ConsentKey::AdStorage => m.ad_storage = state,
            ConsentKey::AnalyticsStorage => m.analytics_storage = state,
            ConsentKey::AdUserData => m.ad_user_data = state,
            ConsentKey::AdPersonalization => m.ad_personalization = state,
            ConsentKey::Tcf => {}
        }
    }
    signals.gcm = gcm;
    Ok(any.then_some(signals))
}

fn missing(field: &str, produces: Produces) -> Reject {
    Reject::new(
        format!("fields.{field}"),
        format!("missing (a {} record needs it)", produces.as_str()),
    )
}

fn currency(c: Option<String>) -> Result<Option<String>, Reject> {
    match c {
        None => Ok(None),
        Some(c) if c.len() == 3 && c.bytes().all(|b| b.is_ascii_alphabetic()) => {
            Ok(Some(c.to_ascii_uppercase()))
        }
        Some(c) => Err(Reject::new(
            "fields.currency",
            "not an ISO 4217 code (such as VND or USD)",
        )
        .with_shape(&c)),
    }
}

/// Fill the tracking fields a landing URL carries and the map did not give.
fn tracking_from_url(d: &mut Draft) {
    let Some(url) = d.url.take() else {
        return;
    };
    let query = url.split_once('?').map_or("", |(_, q)| q);
    let query = query.split('#').next().unwrap_or_default();
    for pair in query.split('&') {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        if v.is_empty() {
            continue;
        }
        if let Some(slot) = d.tracking.field_mut(k)
            && slot.is_none()
        {
            *slot = Some(percent_decode(v));
        }
    }
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' if i + 2 < b.len() => {
                let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(x) => {
                        out.push(x);
                        i += 3;
                        continue;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b'+' => out.push(b' '),
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn item(d: &mut Draft) {
    if let Some(sku) = d.sku.take() {
        let quantity = d.quantity.map_or(1, |q| q as u32);
        d.items.push(Item {
            sku,
            quantity,
            price: d.price.unwrap_or(0.0),
        });
    }
}

/// The action a GA4 event is mapped to (`ga4_events`) to become product views.
pub(crate) const PRODUCT_VIEW: &str = "product_view";

/// The product views of a row: its `sku` (and `price`), or one per item of its `items` list (a
/// GA4 `view_item` event lists the product viewed in `items`). A price of 0 is GA4's "not
/// set" and reads as unknown.
fn product_views(
    mut d: Draft,
    timestamp: i64,
    identifiers: Vec<Identifier>,
    consent: Option<ConsentSignals>,
) -> Result<Vec<Record>, Reject> {
    if identifiers.is_empty() {
        return Err(Reject::new(
            "identifiers",
            "no usable identifier (a product_view record is about a person)",
        ));
    }
    let currency = currency(d.currency.take())?;
    tracking_from_url(&mut d);
    let tracking = (!d.tracking.is_empty()).then(|| Box::new(std::mem::take(&mut d.tracking)));
    let channel = d
        .channel
        .take()
        .or_else(|| tracking.as_ref().and_then(|t| t.utm_source.clone()))
        .unwrap_or_else(|| "direct".to_owned());
    let products: Vec<(String, Option<String>, Option<f64>)> = match d.sku.take() {
        Some(sku) => vec![(sku, d.name.take(), d.price)],
        None => {
            let mut names = std::mem::take(&mut d.item_names).into_iter();
            std::mem::take(&mut d.items)
                .into_iter()
                .map(|i| {
                    let name = names.next().flatten();
                    (i.sku, name, (i.price > 0.0).then_some(i.price))
                })
                .collect()
        }
    };
    if products.is_empty() {
        return Err(Reject::new(
            "fields.sku",
            "missing (a product_view record needs a sku, or a product in its items)",
        ));
    }
    let several = products.len() > 1;
    Ok(products
        .into_iter()
        .map(|(sku, name, price)| {
            let id = match &d.id {
                Some(id) if several => Some(format!("{id}:{sku}")),
                other => other.clone(),
            };
            Record::Event(Event::ProductView(ProductView {
                id,
                sku,
                name,
                channel: channel.clone(),
                campaign: d.campaign.clone(),
                timestamp,
                price,
                currency: currency.clone(),
                tracking: tracking.clone(),
                identifiers: identifiers.clone(),
                consent: consent.clone(),
            }))
        })
        .collect())
}

fn build(
    map: &CompiledMap,
    mut d: Draft,
    identifiers: Vec<Identifier>,
    consent: Option<ConsentSignals>,
) -> Result<Option<Vec<Record>>, Reject> {
    // A GA4 export mixes events, purchases and product views: its purchases are orders.
    let ga4 = map.format() == super::map::Format::Ga4;
    let p = match d.action.as_deref() {
        Some("purchase") if ga4 => Produces::Order,
        Some(PRODUCT_VIEW) if ga4 => Produces::ProductView,
        _ => map.produces,
    };
    let ts = |d: &Draft| d.timestamp.ok_or_else(|| missing("timestamp", p));
    if p == Produces::ProductView {
        let timestamp = ts(&d)?;
        return product_views(d, timestamp, identifiers, consent).map(Some);
    }
    item(&mut d);
    tracking_from_url(&mut d);
    let currency = currency(d.currency.take())?;
    let tracking = (!d.tracking.is_empty()).then(|| Box::new(std::mem::take(&mut d.tracking)));
    let need_person = |ids: &[Identifier]| {
        if ids.is_empty() {
            Err(Reject::new(
                "identifiers",
                format!(
                    "no usable identifier (a {} record is about a person)",
                    p.as_str()
                ),
            ))
        } else {
            Ok(())
        }
    };
    let value_or_items = |d: &Draft| {
        d.value.or_else(|| {
            (!d.items.is_empty() && d.items.iter().any(|i| i.price > 0.0)).then(|| {
                d.items
                    .iter()
                    .map(|i| f64::from(i.quantity) * i.price)
                    .sum()
            })
        })
    };
    let record = match p {
        Produces::Checkin => {
            let timestamp = ts(&d)?;
            let method: CheckInMethod = d
                .method
                .as_deref()
                .ok_or_else(|| missing("method", p))?
                .parse()
                .map_err(|e: crate::event::UnknownName| {
                    Reject::new("fields.method", e.to_string())
                })?;
            let store = d.store.take().ok_or_else(|| missing("store", p))?;
            let value = value_or_items(&d);
            Record::Event(Event::CheckIn(CheckIn {
                id: d.id,
                method,
                store,
                region: d.region,
                timestamp,
                value,
                currency,
                items: d.items,
                campaign: d.campaign,
                voucher: d.voucher,
                channel: d.channel,
                tracking,
                identifiers,
                consent,
            }))
        }
        Produces::Touchpoint => {
            let timestamp = ts(&d)?;
            let action: TouchAction = d
                .action
                .as_deref()
                .ok_or_else(|| missing("action", p))?
                .parse()
                .map_err(|e: crate::event::UnknownName| {
                    Reject::new("fields.action", e.to_string())
                })?;
            let channel = d
                .channel
                .or_else(|| tracking.as_ref().and_then(|t| t.utm_source.clone()))
                .ok_or_else(|| missing("channel", p))?;
            Record::Event(Event::Touchpoint(Touchpoint {
                id: d.id,
                action,
                channel,
                campaign: d.campaign,
                timestamp,
                cost: d.cost,
                value: d.value,
                currency,
                identifiers,
                consent,
                tracking,
                order: None,
                exposure: map.map.source.exposure,
            }))
        }
        Produces::Order => {
            let timestamp = ts(&d)?;
            let fulfilment: Fulfilment = match d.fulfilment.as_deref() {
                None => Fulfilment::Delivery,
                Some(f) => f.parse().map_err(|e: crate::event::UnknownName| {
                    Reject::new("fields.fulfilment", e.to_string())
                })?,
            };
            let value = value_or_items(&d);
            let channel = d
                .channel
                .or_else(|| tracking.as_ref().and_then(|t| t.utm_source.clone()))
                .unwrap_or_else(|| "direct".to_owned());
            let pickup = match (fulfilment.in_store(), &d.store, d.pickup_time) {
                (true, Some(store), Some(at)) => Some(CheckIn {
                    id: d.id.as_ref().map(|i| format!("{i}:pickup")),
                    method: CheckInMethod::Pickup,
                    store: store.clone(),
                    region: None,
                    timestamp: at,
                    // A reservation is paid at the pickup; a click-and-collect order online.
                    value: (fulfilment == Fulfilment::Reservation)
                        .then_some(value)
                        .flatten(),
                    currency: currency.clone(),
                    items: Vec::new(),
                    campaign: d.campaign.clone(),
                    voucher: None,
                    channel: Some(channel.clone()),
                    tracking: None,
                    identifiers: identifiers.clone(),
                    consent: consent.clone(),
                }),
                _ => None,
            };
            let order = Touchpoint {
                id: d.id,
                action: TouchAction::Purchase,
                channel,
                campaign: d.campaign,
                timestamp,
                cost: None,
                value,
                currency,
                identifiers,
                consent,
                tracking,
                order: Some(Box::new(Order {
                    fulfilment,
                    pickup_store: d.store,
                    pickup_time: d.pickup_time,
                    items: d.items,
                })),
                exposure: map.map.source.exposure,
            };
            let mut out = vec![Record::Event(Event::Touchpoint(order))];
            if let Some(c) = pickup {
                out.push(Record::Event(Event::CheckIn(c)));
            }
            return Ok(Some(out));
        }
        Produces::Consent => {
            let timestamp = ts(&d)?;
            need_person(&identifiers)?;
            let Some(consent) = consent else {
                return Ok(None);
            };
            Record::Consent(ConsentRecord {
                timestamp,
                identifiers,
                consent,
            })
        }
        Produces::Spend => {
            let timestamp = ts(&d)?;
            let day = jiff::Timestamp::from_second(timestamp)
                .map(|t| map.tz.to_datetime(t).date())
                .map_err(|_| Reject::new("fields.timestamp", "out of range"))?;
            let start = map
                .tz
                .to_ambiguous_timestamp(day.to_datetime(jiff::civil::Time::midnight()))
                .compatible()
                .map(|t| t.as_second())
                .map_err(|_| Reject::new("fields.timestamp", "out of range"))?;
            Record::Spend(SpendRecord {
                day: day.to_string(),
                timestamp: start,
                channel: d.channel.ok_or_else(|| missing("channel", p))?,
                campaign: d.campaign,
                value: d.value.ok_or_else(|| missing("value", p))?,
                currency: currency.ok_or_else(|| missing("currency", p))?,
            })
        }
        Produces::Assignment => {
            let timestamp = ts(&d)?;
            need_person(&identifiers)?;
            let group: AssignmentGroup = d
                .group
                .as_deref()
                .ok_or_else(|| missing("group", p))?
                .parse()
                .map_err(|e: crate::event::UnknownName| {
                    Reject::new("fields.group", e.to_string())
                })?;
            Record::Assignment(Assignment {
                timestamp,
                identifiers,
                campaign: d.campaign,
                group,
            })
        }
        // Handled above, before the row's sku became an item.
        Produces::ProductView => return Ok(None),
        Produces::Customer => {
            need_person(&identifiers)?;
            Record::Customer(Customer {
                timestamp: d.timestamp,
                identifiers,
                store: d.store,
                region: d.region,
                city: d.city,
                consent,
            })
        }
    };
    Ok(Some(vec![record]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("a%20b+c"), "a b c");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz"), "%zz");
    }
}
