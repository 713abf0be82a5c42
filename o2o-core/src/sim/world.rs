//! The generator itself: people → exposures → visits → events, with the truth kept on the side.

use super::MAX_BASELINE;
use super::config::{ChannelStyle, SimConfig, SimError};
use super::people::{self, Person};
use super::truth::{ChannelTruth, PersonTruth, SharedIdentifier, SharedReason, Totals, Truth};
use crate::consent::{ConsentMode, ConsentSignals, ConsentState};
use crate::event::{
    CheckIn, CheckInMethod, Event, IdKind, Identifier, Item, ProductView, TouchAction, Touchpoint,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Beta, Distribution, LogNormal, Poisson};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};

const DAY: i64 = 86_400;
const HOUR: i64 = 3_600;

/// Whether a customer was held out of the campaign.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    /// Never exposed: the control group.
    Holdout,
    /// Eligible for exposure.
    Target,
}

/// One customer of the campaign audience, as a CRM experiment readout would list them:
/// assignment, exposures and outcomes, pre-period included (for CUPED).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AudienceRow {
    /// Person index.
    pub person: u64,
    /// Holdout or target.
    pub group: Group,
    /// Channels the customer was exposed to, `|`-joined in config order (empty for none).
    pub channels: String,
    /// Home store.
    pub store: String,
    /// Region of the home store.
    pub region: String,
    /// Whether the customer consented to advertising use of their data.
    pub consent: bool,
    /// Check-ins in the pre-period.
    pub pre_checkins: u32,
    /// Revenue in the pre-period.
    pub pre_revenue: f64,
    /// Check-ins during the campaign.
    pub checkins: u32,
    /// Revenue during the campaign.
    pub revenue: f64,
}

/// A simulated campaign: the events, the truth and the audience readout.
#[derive(Clone, Debug)]
pub struct Campaign {
    /// The configuration that produced it.
    pub config: SimConfig,
    /// Every event, sorted by time (ties in generation order).
    pub events: Vec<Event>,
    /// The ground truth.
    pub truth: Truth,
    /// One row per customer.
    pub audience: Vec<AudienceRow>,
}

impl Campaign {
    /// The campaign period `[start, end)` in Unix seconds (the pre-period lies before it).
    #[must_use]
    pub fn window(&self) -> (i64, i64) {
        let start = self.config.start;
        (start, start + i64::from(self.config.days) * 86_400)
    }
}

/// Simulate a campaign.
pub fn simulate(cfg: &SimConfig) -> Result<Campaign, SimError> {
    simulate_with_progress(cfg, |_| {})
}

/// Simulate a campaign, calling `progress(customers_done)` now and then.
///
/// Customers are generated on every available core. Each customer draws from its own ChaCha8
/// stream seeded from `(seed, index)`, and everything summed over customers is summed in index
/// order afterwards, so the output is the same bytes whatever the number of threads.
pub fn simulate_with_progress(
    cfg: &SimConfig,
    progress: impl FnMut(usize),
) -> Result<Campaign, SimError> {
    simulate_on(cfg, default_threads(cfg.customers), progress)
}

/// [`simulate_with_progress`] on exactly `threads` threads (tests check that the count does not
/// change a byte).
pub(crate) fn simulate_on(
    cfg: &SimConfig,
    threads: usize,
    mut progress: impl FnMut(usize),
) -> Result<Campaign, SimError> {
    cfg.validate()?;
    let setup = Setup::new(cfg)?;
    let chunks = generate(&setup, 0, cfg.customers, threads, &mut progress);
    progress(cfg.customers);
    Ok(finish(&setup, chunks))
}

/// The thread count [`simulate_with_progress`] uses for `customers` customers.
pub(super) fn default_threads(customers: usize) -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8)
        .min(customers.div_ceil(2_000).max(1))
}

/// Generate customers `lo..hi` on `threads` threads; the worlds come back in customer order.
/// `progress` hears the number of customers of the range done, now and then.
pub(super) fn generate<'a>(
    setup: &'a Setup<'a>,
    lo: usize,
    hi: usize,
    threads: usize,
    progress: &mut dyn FnMut(usize),
) -> Vec<World<'a>> {
    let n = hi.saturating_sub(lo);
    let threads = threads.clamp(1, n.max(1));
    let per = n.div_ceil(threads);
    let done = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        let done = &done;
        let run = move |lo: usize, hi: usize| {
            let mut w = World::new(setup, hi - lo);
            for i in lo..hi {
                w.person(i as u64);
                if i % 1024 == 1023 {
                    done.fetch_add(1024, Ordering::Relaxed);
                }
            }
            w
        };
        let handles: Vec<_> = (1..threads)
            .map(|t| {
                let (a, b) = ((lo + t * per).min(hi), (lo + (t + 1) * per).min(hi));
                scope.spawn(move || run(a, b))
            })
            .collect();
        // The calling thread does the first chunk and reports progress for all of them.
        let first = {
            let end = (lo + per).min(hi);
            let mut w = World::new(setup, end - lo);
            for i in lo..end {
                w.person(i as u64);
                if i % 1024 == 1023 {
                    done.fetch_add(1024, Ordering::Relaxed);
                    progress(done.load(Ordering::Relaxed).min(n));
                }
            }
            w
        };
        let mut all = vec![first];
        for h in handles {
            match h.join() {
                Ok(w) => all.push(w),
                // A worker can only panic on a bug; re-raise it on the caller's thread.
                Err(e) => std::panic::resume_unwind(e),
            }
        }
        all
    })
}

struct Store {
    id: String,
    region: String,
    ip: String,
}

struct Household {
    tablet: String,
    ip: String,
}

/// What every worker shares, read-only: the configuration, stores, households, distributions.
pub(super) struct Setup<'a> {
    cfg: &'a SimConfig,
    start: i64,
    end: i64,
    pre_start: i64,
    stores: Vec<Store>,
    carrier_ips: Vec<String>,
    /// Household index per customer, if any.
    household_of: Vec<Option<u32>>,
    households: Vec<Household>,
    baseline: Beta<f64>,
    order_value: LogNormal<f64>,
}

/// One worker's customers: their events and their share of the truth.
pub(super) struct World<'a> {
    s: &'a Setup<'a>,
    rng: ChaCha8Rng,
    /// (timestamp, customer index << 20 | event number within the customer, event)
    pub(super) events: Vec<(i64, u64, Event)>,
    seq: u64,
    exposed: Vec<u64>,
    totals: Totals,
    persons: Vec<PersonTruth>,
    shared: BTreeMap<Identifier, (SharedReason, Vec<u64>)>,
    pub(super) audience: Vec<AudienceRow>,
}

/// Per-person scratch while generating their events.
struct Ctx {
    index: u64,
    person: Person,
    signals: ConsentSignals,
    home_ip: String,
    home_ip_shared: bool,
    tablet: Option<String>,
    used: Vec<Identifier>,
    attributes: Vec<Identifier>,
}

/// The seed of customer `index`'s own stream: SplitMix64 of the campaign seed and the index,
/// so neighbouring customers get unrelated streams.
pub(crate) fn customer_seed(seed: u64, index: u64) -> u64 {
    let mut z = seed ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl<'a> Setup<'a> {
    pub(super) fn new(cfg: &'a SimConfig) -> Result<Self, SimError> {
        let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed);
        let span = i64::from(cfg.days) * DAY;
        let stores = (0..cfg.stores)
            .map(|k| Store {
                id: format!("S{:03}", k + 1),
                region: cfg.regions[k % cfg.regions.len()].clone(),
                // TEST-NET-3 and the benchmarking range: documentation addresses, never real hosts.
                ip: if k < 250 {
                    format!("203.0.113.{}", k + 1)
                } else {
                    format!("198.18.{}.{}", k / 250, k % 250 + 1)
                },
            })
            .collect();
        let carrier_ips = (0..64)
            .map(|k| format!("100.64.{}.{}", k / 8, 10 + k % 8))
            .collect();
        // Households: runs of 2–4 consecutive customers share a tablet and a home IP.
        let mut household_of = vec![None; cfg.customers];
        let mut households = Vec::new();
        let mut i = 0usize;
        while i < cfg.customers {
            if rng.random_bool(cfg.household_share / 3.0) {
                let size = rng.random_range(2..=4).min(cfg.customers - i);
                let h = households.len() as u32;
                households.push(Household {
                    tablet: people::uuid(&mut rng),
                    ip: household_ip(households.len()),
                });
                for slot in &mut household_of[i..i + size] {
                    *slot = Some(h);
                }
                i += size;
            } else {
                i += 1;
            }
        }
        let m = cfg.base_visit_rate.clamp(1e-6, 1.0 - 1e-6);
        // Concentration 10: heterogeneous customers, mean `base_visit_rate` before clipping.
        let baseline =
            Beta::new(10.0 * m, 10.0 * (1.0 - m)).map_err(|_| SimError::NotAProbability {
                field: "base_visit_rate".into(),
                value: cfg.base_visit_rate,
            })?;
        let sigma = cfg.order_value_sigma;
        let order_value = LogNormal::new(cfg.mean_order_value.ln() - sigma * sigma / 2.0, sigma)
            .map_err(|_| SimError::NotPositive {
                field: "order_value_sigma".into(),
                value: sigma,
            })?;
        Ok(Setup {
            cfg,
            start: cfg.start,
            end: cfg.start + span,
            pre_start: cfg.start - span,
            stores,
            carrier_ips,
            household_of,
            households,
            baseline,
            order_value,
        })
    }
}

impl<'a> World<'a> {
    fn new(s: &'a Setup<'a>, customers: usize) -> Self {
        World {
            s,
            rng: ChaCha8Rng::seed_from_u64(s.cfg.seed),
            events: Vec::with_capacity(customers * 13),
            seq: 0,
            exposed: vec![0; s.cfg.channels.len()],
            totals: Totals::default(),
            persons: Vec::with_capacity(customers),
            shared: BTreeMap::new(),
            audience: Vec::with_capacity(customers),
        }
    }

    fn push(&mut self, ev: Event) {
        self.events.push((ev.timestamp(), self.seq, ev));
        self.seq += 1;
    }

    /// Start customer `index`: its own RNG stream and its own event numbering.
    fn begin(&mut self, index: u64) {
        self.rng = ChaCha8Rng::seed_from_u64(customer_seed(self.s.cfg.seed, index));
        self.seq = index << 20;
    }

    fn poisson(&mut self, lambda: f64) -> u32 {
        if lambda <= 0.0 {
            return 0;
        }
        match Poisson::new(lambda) {
            // A Poisson draw is a non-negative whole number well inside u32 for our lambdas.
            Ok(p) => p.sample(&mut self.rng) as u32,
            Err(_) => 0,
        }
    }

    fn uniform_time(&mut self, from: i64, to: i64) -> i64 {
        if to <= from {
            from
        } else {
            self.rng.random_range(from..to)
        }
    }

    /// Record an identifier a person used (for the truth) and return it.
    fn own(&mut self, cx: &mut Ctx, kind: IdKind, value: String) -> Identifier {
        let id = Identifier::new(kind, value);
        let list = if kind.is_attribute() {
            &mut cx.attributes
        } else {
            &mut cx.used
        };
        if !list.contains(&id) {
            list.push(id.clone());
        }
        id
    }

    fn shared_id(
        &mut self,
        kind: IdKind,
        value: String,
        reason: SharedReason,
        person: Option<u64>,
    ) -> Identifier {
        let id = Identifier::new(kind, value);
        let entry = self
            .shared
            .entry(id.clone())
            .or_insert((reason, Vec::new()));
        if let Some(p) = person
            && !entry.1.contains(&p)
        {
            entry.1.push(p);
        }
        id
    }

    fn phone_id(&mut self, cx: &mut Ctx) -> Option<Identifier> {
        let nsn = cx.person.phone.clone()?;
        let v = people::phone_variant(&nsn, &mut self.rng);
        Some(self.own(cx, IdKind::Phone, v))
    }

    fn email_id(&mut self, cx: &mut Ctx) -> Option<Identifier> {
        // A customer with a work email gives it for half of their contacts (a draw only for
        // them, so the others' draws are as before).
        let e = match cx.person.work_email.clone() {
            Some(w) if self.rng.random_bool(0.5) => w,
            _ => cx.person.email.clone()?,
        };
        let v = people::email_variant(&e, &mut self.rng);
        Some(self.own(cx, IdKind::Email, v))
    }

    /// A contact identifier: phone with probability `p_phone` when there is one, else email.
    fn contact_id(&mut self, cx: &mut Ctx, p_phone: f64) -> Option<Identifier> {
        let want_phone = self.rng.random_bool(p_phone);
        if want_phone || cx.person.email.is_none() {
            self.phone_id(cx).or_else(|| self.email_id(cx))
        } else {
            self.email_id(cx).or_else(|| self.phone_id(cx))
        }
    }

    fn device_id(&mut self, cx: &mut Ctx) -> Identifier {
        if let Some(t) = cx.tablet.clone()
            && self.rng.random_bool(0.25)
        {
            return self.shared_id(IdKind::DeviceId, t, SharedReason::Household, Some(cx.index));
        }
        let k = self.rng.random_range(0..cx.person.devices.len());
        let d = cx.person.devices[k].clone();
        self.own(cx, IdKind::DeviceId, d)
    }

    fn online_ip(&mut self, cx: &mut Ctx) -> Identifier {
        if self.rng.random_bool(0.4) {
            let k = self.rng.random_range(0..self.s.carrier_ips.len());
            let ip = self.s.carrier_ips[k].clone();
            self.shared_id(IdKind::Ip, ip, SharedReason::CarrierIp, None)
        } else if cx.home_ip_shared {
            self.shared_id(
                IdKind::Ip,
                cx.home_ip.clone(),
                SharedReason::Household,
                Some(cx.index),
            )
        } else {
            let ip = cx.home_ip.clone();
            self.own(cx, IdKind::Ip, ip)
        }
    }

    fn touch(
        &mut self,
        cx: &Ctx,
        action: TouchAction,
        ch: usize,
        ts: i64,
        cost: Option<f64>,
        identifiers: Vec<Identifier>,
    ) {
        let spec = &self.s.cfg.channels[ch];
        let t = Touchpoint {
            id: None,
            action,
            channel: spec.name.clone(),
            campaign: Some(spec.campaign.clone()),
            timestamp: ts,
            cost,
            value: None,
            identifiers,
            consent: Some(cx.signals.clone()),
            currency: None,
            tracking: None,
            order: None,
            exposure: Default::default(),
        };
        self.push(Event::Touchpoint(t));
    }

    /// Generate one exposure of `cx` to channel `ch`; returns the time of its first touch.
    fn expose(&mut self, cx: &mut Ctx, ch: usize) -> i64 {
        let spec = self.s.cfg.channels[ch].clone();
        let n = 1 + self.poisson(spec.touches - 1.0);
        let t0 = self.uniform_time(self.s.start, self.s.end - DAY);
        let mut first = i64::MAX;
        for k in 0..n {
            let ts = if k == 0 {
                t0
            } else {
                (t0 + self.rng.random_range(0..3 * DAY)).min(self.s.end - 1)
            };
            first = first.min(ts);
            match spec.style {
                ChannelStyle::Display => {
                    let ids = vec![self.device_id(cx), self.online_ip(cx)];
                    let device = ids[0].clone();
                    self.touch(
                        cx,
                        TouchAction::Impression,
                        ch,
                        ts,
                        Some(spec.cost_per_touch),
                        ids,
                    );
                    if self.rng.random_bool(spec.click_rate) {
                        let ip = self.online_ip(cx);
                        self.touch(
                            cx,
                            TouchAction::Click,
                            ch,
                            ts + 5,
                            Some(spec.cost_per_click),
                            vec![device.clone(), ip.clone()],
                        );
                        self.touch(cx, TouchAction::Visit, ch, ts + 20, None, vec![device, ip]);
                    }
                }
                ChannelStyle::Search => {
                    let ids = vec![self.device_id(cx), self.online_ip(cx)];
                    self.touch(
                        cx,
                        TouchAction::Click,
                        ch,
                        ts,
                        Some(spec.cost_per_click),
                        ids.clone(),
                    );
                    self.touch(cx, TouchAction::Visit, ch, ts + 15, None, ids);
                }
                ChannelStyle::Email => {
                    // The ESP logs the address it sent to, already clean; the open pixel gives a device.
                    let email = cx.person.email.clone().unwrap_or_default();
                    let mut ids = vec![self.own(cx, IdKind::Email, email)];
                    if self.rng.random_bool(0.5) {
                        ids.push(self.device_id(cx));
                    }
                    self.touch(
                        cx,
                        TouchAction::Open,
                        ch,
                        ts,
                        Some(spec.cost_per_touch),
                        ids.clone(),
                    );
                    if self.rng.random_bool(spec.click_rate) {
                        self.touch(
                            cx,
                            TouchAction::Click,
                            ch,
                            ts + 30,
                            Some(spec.cost_per_click),
                            ids,
                        );
                    }
                }
                ChannelStyle::Messaging => {
                    let nsn = cx.person.phone.clone().unwrap_or_default();
                    let phone = self.own(cx, IdKind::Phone, format!("+84{nsn}"));
                    self.touch(
                        cx,
                        TouchAction::Open,
                        ch,
                        ts,
                        Some(spec.cost_per_touch),
                        vec![phone.clone()],
                    );
                }
            }
        }
        first
    }

    fn checkin(
        &mut self,
        cx: &mut Ctx,
        ts: i64,
        voucher: Option<(usize, String)>,
        pre: bool,
    ) -> f64 {
        let store_k = if self.rng.random_bool(0.85) {
            (cx.index as usize * 7919) % self.s.stores.len()
        } else {
            self.rng.random_range(0..self.s.stores.len())
        };
        let (store, region, store_ip) = {
            let s = &self.s.stores[store_k];
            (s.id.clone(), s.region.clone(), s.ip.clone())
        };
        let purchase = self.rng.random_bool(self.s.cfg.purchase_share);
        let value =
            purchase.then(|| (self.s.order_value.sample(&mut self.rng) * 100.0).round() / 100.0);
        let method = match (&voucher, purchase) {
            (Some(_), true) => CheckInMethod::VoucherRedemption,
            (_, true) => CheckInMethod::PosPurchase,
            _ => match self.rng.random_range(0..20) {
                0..=6 => CheckInMethod::QrScan,
                7..=13 => CheckInMethod::WifiJoin,
                14..=15 => CheckInMethod::CrmVisit,
                _ => CheckInMethod::ProductQr,
            },
        };
        let mut ids = Vec::with_capacity(4);
        let store_ip_id =
            |w: &mut Self| w.shared_id(IdKind::Ip, store_ip.clone(), SharedReason::StoreIp, None);
        match method {
            CheckInMethod::PosPurchase
            | CheckInMethod::VoucherRedemption
            | CheckInMethod::Pickup => {
                if let Some(l) = cx.person.loyalty.clone() {
                    ids.push(self.own(cx, IdKind::LoyaltyCard, l));
                } else if let Some(x) = cx.person.external_id.clone() {
                    ids.push(self.own(cx, IdKind::ExternalId, x));
                }
                if ids.is_empty() || self.rng.random_bool(0.7) {
                    ids.extend(self.contact_id(cx, 0.8));
                }
            }
            CheckInMethod::QrScan => {
                ids.push(self.device_id(cx));
                ids.extend(self.contact_id(cx, 0.6));
                ids.push(store_ip_id(self));
            }
            CheckInMethod::WifiJoin => {
                let mac = people::mac_variant(&cx.person.mac, &mut self.rng);
                ids.push(self.own(cx, IdKind::Mac, mac));
                ids.extend(self.contact_id(cx, 0.9));
                ids.push(store_ip_id(self));
            }
            CheckInMethod::CrmVisit => {
                if let Some(x) = cx.person.external_id.clone() {
                    ids.push(self.own(cx, IdKind::ExternalId, x));
                }
                ids.extend(self.email_id(cx));
                ids.extend(self.phone_id(cx));
                if self.rng.random_bool(0.5) {
                    let p = &cx.person;
                    let (f, l, c, g) = (
                        p.first.to_owned(),
                        p.last.to_owned(),
                        p.city.to_owned(),
                        if p.female { "F" } else { "M" },
                    );
                    let dob = people::dob_variant(p.dob, &mut self.rng);
                    ids.push(self.own(cx, IdKind::FirstName, capitalise(&f)));
                    ids.push(self.own(cx, IdKind::LastName, capitalise(&l)));
                    ids.push(self.own(cx, IdKind::City, c));
                    ids.push(self.own(cx, IdKind::Gender, g.to_owned()));
                    ids.push(self.own(cx, IdKind::DateOfBirth, dob));
                    ids.push(self.own(cx, IdKind::Country, "VN".to_owned()));
                }
            }
            CheckInMethod::ProductQr => {
                ids.push(self.device_id(cx));
                ids.push(store_ip_id(self));
            }
        }
        if matches!(
            method,
            CheckInMethod::PosPurchase | CheckInMethod::VoucherRedemption
        ) && self.anonymous_purchase(cx, ts)
        {
            // The customer paid without showing a card or giving a phone or email.
            ids.clear();
        }
        if self.rng.random_bool(self.s.cfg.junk_share) {
            let (kind, v) = people::JUNK[self.rng.random_range(0..people::JUNK.len())];
            ids.push(self.shared_id(kind, v.to_owned(), SharedReason::Junk, None));
        }
        let items = match value {
            Some(v) => vec![Item {
                sku: format!("SKU{:04}", self.rng.random_range(0..500)),
                quantity: 1,
                price: v,
            }],
            None => Vec::new(),
        };
        let (campaign, code) = match voucher {
            Some((ch, code)) if method == CheckInMethod::VoucherRedemption => {
                (Some(self.s.cfg.channels[ch].campaign.clone()), Some(code))
            }
            _ => (None, None),
        };
        if let Some(c) = &code {
            // The till records the code redeemed, as an identifier: the claim log knows whose.
            ids.push(self.own(cx, IdKind::VoucherCode, c.clone()));
        }
        if purchase {
            self.wifi_join_before(cx, ts, &store, &region, &store_ip);
            if let Some(item) = items.first() {
                self.view_before(cx, ts, &item.sku, item.price);
            }
        }
        let ev = CheckIn {
            id: None,
            method,
            store,
            region: Some(region),
            timestamp: ts,
            value,
            currency: value.map(|_| "USD".to_owned()),
            items,
            campaign,
            voucher: code,
            identifiers: ids,
            consent: Some(cx.signals.clone()),
            channel: None,
            tracking: None,
        };
        self.push(Event::CheckIn(ev));
        if !pre {
            self.totals.checkins += 1;
        }
        value.unwrap_or(0.0)
    }

    /// Whether a purchase at `ts` is anonymous at the till, with probability
    /// `anonymous_purchase_share` (from a hash of the seed, customer and time, not the random
    /// stream, so no other draw moves).
    fn anonymous_purchase(&self, cx: &Ctx, ts: i64) -> bool {
        let share = self.s.cfg.anonymous_purchase_share;
        if share <= 0.0 {
            return false;
        }
        let h = customer_seed(
            !self.s.cfg.seed ^ (ts as u64).rotate_left(29) ^ 0x5EED_A404,
            cx.index,
        );
        ((h >> 11) as f64 / (1u64 << 53) as f64) < share
    }

    /// With probability `wifi_before_purchase` (from a hash of the seed, customer and time, not
    /// the random stream, so no other draw moves), a join of the store Wi-Fi 2 to 31 minutes
    /// before a purchase: the captive portal asks for the phone (or email) and sees the MAC.
    fn wifi_join_before(
        &mut self,
        cx: &mut Ctx,
        ts: i64,
        store: &str,
        region: &str,
        store_ip: &str,
    ) {
        let h = customer_seed(self.s.cfg.seed ^ (ts as u64).rotate_left(17), cx.index);
        if (h >> 11) as f64 / (1u64 << 53) as f64 >= self.s.cfg.wifi_before_purchase {
            return;
        }
        let mac = cx.person.mac.clone();
        let mut ids = vec![self.own(cx, IdKind::Mac, mac)];
        if let Some(n) = cx.person.phone.clone() {
            ids.push(self.own(cx, IdKind::Phone, format!("0{n}")));
        } else if let Some(e) = cx.person.email.clone() {
            ids.push(self.own(cx, IdKind::Email, e));
        }
        ids.push(self.shared_id(IdKind::Ip, store_ip.to_owned(), SharedReason::StoreIp, None));
        let before = 120 + (h % 1800) as i64;
        self.push(Event::CheckIn(CheckIn {
            id: None,
            method: CheckInMethod::WifiJoin,
            store: store.to_owned(),
            region: Some(region.to_owned()),
            timestamp: ts - before,
            value: None,
            currency: None,
            items: Vec::new(),
            campaign: None,
            voucher: None,
            identifiers: ids,
            consent: Some(cx.signals.clone()),
            channel: None,
            tracking: None,
        }));
    }

    /// A uniform number in [0, 1) and a hash for the other choices, from the seed, the customer
    /// and a salt: the views draw nothing from the random stream, so no other draw moves.
    fn unit_hash(&self, cx: &Ctx, salt: u64) -> (f64, u64) {
        let h = customer_seed(
            self.s.cfg.seed ^ salt.rotate_left(29) ^ 0x7669_6577,
            cx.index,
        );
        ((h >> 11) as f64 / (1u64 << 53) as f64, h)
    }

    /// With probability `view_before_purchase`, a view online of the product bought at `ts`,
    /// 1 hour to 7 days before.
    fn view_before(&mut self, cx: &mut Ctx, ts: i64, sku: &str, price: f64) {
        let (u, h) = self.unit_hash(cx, ts as u64);
        if u >= self.s.cfg.view_before_purchase {
            return;
        }
        let at = ts - HOUR - (h % (7 * DAY as u64 - HOUR as u64)) as i64;
        self.view(cx, at, sku.to_owned(), price, h);
    }

    /// With probability `browse_share`, a view in the campaign window of a product the
    /// simulator never sells in a store (`SKU0500` to `SKU0999`): viewed, never bought.
    fn browse(&mut self, cx: &mut Ctx) {
        let (u, h) = self.unit_hash(cx, 0x6272_6f77);
        if u >= self.s.cfg.browse_share {
            return;
        }
        let span = (self.s.end - self.s.start).max(1) as u64;
        let at = self.s.start + (h % span) as i64;
        let sku = format!("SKU{:04}", 500 + (h >> 20) % 500);
        let price = 10.0 + ((h >> 40) % 9000) as f64 / 100.0;
        self.view(cx, at, sku, price, h);
    }

    /// A product view on the web shop from one of the customer's devices, signed in (with
    /// the CRM id) when the customer has an account.
    fn view(&mut self, cx: &mut Ctx, at: i64, sku: String, price: f64, h: u64) {
        let Some(device) = cx
            .person
            .devices
            .get((h >> 8) as usize % cx.person.devices.len().max(1))
            .cloned()
        else {
            return;
        };
        let mut ids = vec![self.own(cx, IdKind::DeviceId, device)];
        if let Some(x) = cx.person.external_id.clone() {
            ids.push(self.own(cx, IdKind::ExternalId, x));
        }
        self.push(Event::ProductView(ProductView {
            id: None,
            sku,
            name: None,
            channel: "web".to_owned(),
            campaign: None,
            timestamp: at,
            price: Some(price),
            currency: Some("USD".to_owned()),
            tracking: None,
            identifiers: ids,
            consent: Some(cx.signals.clone()),
        }));
    }

    /// The customer's account sign-up / loyalty enrolment, where the retailer recorded their
    /// card, CRM id, email, phone and devices together. It draws nothing from the RNG (its time
    /// comes from a hash of the seed and index), so adding it changed no other draw.
    fn sign_up(&mut self, cx: &mut Ctx) {
        let span = (self.s.start - self.s.pre_start).max(1) as u64;
        let ts = self.s.pre_start + (customer_seed(!self.s.cfg.seed, cx.index) % span) as i64;
        let p = &cx.person;
        let mut raw: Vec<(IdKind, String)> = Vec::new();
        raw.extend(p.external_id.clone().map(|v| (IdKind::ExternalId, v)));
        raw.extend(p.loyalty.clone().map(|v| (IdKind::LoyaltyCard, v)));
        raw.extend(p.email.clone().map(|v| (IdKind::Email, v)));
        // A CRM's second email field: where a work email meets the rest of the person.
        raw.extend(p.work_email.clone().map(|v| (IdKind::Email, v)));
        raw.extend(p.phone.as_ref().map(|n| (IdKind::Phone, format!("0{n}"))));
        raw.extend(p.devices.iter().map(|d| (IdKind::DeviceId, d.clone())));
        let identifiers = raw.into_iter().map(|(k, v)| self.own(cx, k, v)).collect();
        let t = Touchpoint {
            id: None,
            action: TouchAction::SignUp,
            channel: "account".to_owned(),
            campaign: None,
            timestamp: ts,
            cost: None,
            value: None,
            identifiers,
            consent: Some(cx.signals.clone()),
            currency: None,
            tracking: None,
            order: None,
            exposure: Default::default(),
        };
        self.push(Event::Touchpoint(t));
    }

    fn person(&mut self, index: u64) {
        self.begin(index);
        let person = Person::new(
            index,
            &mut self.rng,
            self.s.cfg.work_email_share,
            self.s.cfg.unranged_phone_share,
        );
        let consent = !self.rng.random_bool(self.s.cfg.refuse_consent_share);
        let holdout = self.rng.random_bool(self.s.cfg.holdout_share);
        let hh = self.s.household_of[index as usize].map(|h| h as usize);
        let (home_ip, home_ip_shared, tablet) = match hh {
            Some(h) => (
                self.s.households[h].ip.clone(),
                true,
                Some(self.s.households[h].tablet.clone()),
            ),
            None => (single_ip(index), false, None),
        };
        let signals = consent_signals(consent);
        let mut cx = Ctx {
            index,
            person,
            signals,
            home_ip,
            home_ip_shared,
            tablet,
            used: Vec::new(),
            attributes: Vec::new(),
        };
        let p0 = self.s.baseline.sample(&mut self.rng).min(MAX_BASELINE);

        self.sign_up(&mut cx);
        self.browse(&mut cx);

        // Pre-period: same baseline behaviour, no ads.
        let (mut pre_checkins, mut pre_revenue) = (0u32, 0.0);
        if self.rng.random_bool(p0) {
            let n = 1 + self.poisson(self.s.cfg.repeat_visits);
            for _ in 0..n {
                let ts = self.uniform_time(self.s.pre_start, self.s.start);
                pre_revenue += self.checkin(&mut cx, ts, None, true);
                pre_checkins += 1;
            }
        }

        // Organic site logins: the bridge between a person's devices and their contact details.
        for d in 0..cx.person.devices.len() {
            if self.rng.random_bool(0.7) {
                let ts = self.uniform_time(self.s.pre_start, self.s.end);
                let device = cx.person.devices[d].clone();
                let mut ids = vec![self.own(&mut cx, IdKind::DeviceId, device)];
                ids.extend(self.contact_id(&mut cx, 0.3));
                ids.push(self.online_ip(&mut cx));
                let t = Touchpoint {
                    id: None,
                    action: TouchAction::Visit,
                    channel: "direct".to_owned(),
                    campaign: None,
                    timestamp: ts,
                    cost: None,
                    value: None,
                    identifiers: ids,
                    consent: Some(cx.signals.clone()),
                    currency: None,
                    tracking: None,
                    order: None,
                    exposure: Default::default(),
                };
                self.push(Event::Touchpoint(t));
            }
        }

        // Exposures.
        let mut exposed = Vec::new();
        let mut first_touch = i64::MAX;
        let mut voucher = None;
        let mut p = p0;
        if !holdout {
            for ch in 0..self.s.cfg.channels.len() {
                let spec = &self.s.cfg.channels[ch];
                let reachable = match spec.style {
                    ChannelStyle::Email => cx.person.email.is_some(),
                    ChannelStyle::Messaging => cx.person.phone.is_some(),
                    _ => true,
                };
                let reach = spec.reach;
                if self.rng.random_bool(reach) && reachable {
                    exposed.push(ch);
                    p += self.s.cfg.channels[ch].lift;
                    self.exposed[ch] += 1;
                    let t = self.expose(&mut cx, ch);
                    first_touch = first_touch.min(t);
                    if self.s.cfg.channels[ch].style == ChannelStyle::Messaging
                        && self.rng.random_bool(0.7)
                    {
                        let code = format!("ZL{:08X}", self.rng.random::<u32>());
                        let ts = (t + self.rng.random_range(60..6 * HOUR)).min(self.s.end - 1);
                        let mut ids: Vec<Identifier> = self.phone_id(&mut cx).into_iter().collect();
                        ids.push(self.device_id(&mut cx));
                        // The claim log records the code issued to this phone: the issuance link.
                        ids.push(self.own(&mut cx, IdKind::VoucherCode, code.clone()));
                        self.touch(&cx, TouchAction::VoucherClaim, ch, ts, None, ids);
                        voucher = Some((ch, code));
                    }
                }
            }
        }

        // Campaign-period visits: one Bernoulli draw against p0 + Σ lifts (additive truth).
        let (mut checkins, mut revenue) = (0u32, 0.0);
        if self.rng.random::<f64>() < p {
            self.totals.visitors += 1;
            let n = 1 + self.poisson(self.s.cfg.repeat_visits);
            let first = if first_touch < i64::MAX {
                let u: f64 = self.rng.random();
                // Visits cluster soon after the first touch: u² skews towards it.
                first_touch + 60 + ((self.s.end - first_touch - 61) as f64 * u * u) as i64
            } else {
                self.uniform_time(self.s.start, self.s.end)
            };
            let mut times = vec![first];
            for _ in 1..n {
                times.push(self.uniform_time(first, self.s.end));
            }
            for (k, ts) in times.into_iter().enumerate() {
                let v = if k == 0 { voucher.take() } else { None };
                let value = self.checkin(&mut cx, ts, v, false);
                revenue += value;
                checkins += 1;
                if self.rng.random_bool(self.s.cfg.showrooming_share) {
                    let online_ts = ts + self.rng.random_range(HOUR..3 * DAY);
                    let device = self.device_id(&mut cx);
                    let amount = (self.s.order_value.sample(&mut self.rng) * 100.0).round() / 100.0;
                    let t = Touchpoint {
                        id: None,
                        action: TouchAction::Purchase,
                        channel: "web".to_owned(),
                        campaign: None,
                        timestamp: online_ts,
                        cost: None,
                        value: Some(amount),
                        identifiers: vec![device],
                        consent: Some(cx.signals.clone()),
                        currency: None,
                        tracking: None,
                        order: None,
                        exposure: Default::default(),
                    };
                    self.push(Event::Touchpoint(t));
                }
            }
        }

        let store_k = (index as usize * 7919) % self.s.stores.len();
        self.audience.push(AudienceRow {
            person: index,
            group: if holdout {
                Group::Holdout
            } else {
                Group::Target
            },
            channels: exposed
                .iter()
                .map(|&c| self.s.cfg.channels[c].name.as_str())
                .collect::<Vec<_>>()
                .join("|"),
            store: self.s.stores[store_k].id.clone(),
            region: self.s.stores[store_k].region.clone(),
            consent,
            pre_checkins,
            pre_revenue,
            checkins,
            revenue,
        });
        if holdout {
            self.totals.holdout += 1;
        }
        self.persons.push(PersonTruth {
            person: index,
            consent,
            household: hh.map(|h| h as u64),
            identifiers: cx.used,
            attributes: cx.attributes,
        });
    }
}

/// What is summed over customers, gathered chunk by chunk in customer order.
pub(super) struct Gathered {
    totals: Totals,
    exposed: Vec<u64>,
    persons: Vec<PersonTruth>,
    shared: BTreeMap<Identifier, (SharedReason, Vec<u64>)>,
}

impl Gathered {
    pub(super) fn new(cfg: &SimConfig) -> Self {
        Gathered {
            totals: Totals::default(),
            exposed: vec![0; cfg.channels.len()],
            persons: Vec::with_capacity(cfg.customers),
            shared: BTreeMap::new(),
        }
    }

    /// Take a chunk's share of the truth; its events and audience are left to the caller.
    pub(super) fn absorb(&mut self, c: &mut World<'_>) {
        self.totals.holdout += c.totals.holdout;
        self.totals.visitors += c.totals.visitors;
        self.totals.checkins += c.totals.checkins;
        for (e, n) in self.exposed.iter_mut().zip(&c.exposed) {
            *e += n;
        }
        self.persons.append(&mut c.persons);
        for (id, (reason, ps)) in std::mem::take(&mut c.shared) {
            self.shared
                .entry(id)
                .or_insert((reason, Vec::new()))
                .1
                .extend(ps);
        }
    }
}

/// Touchpoints and spend per channel, counted over the events in time order.
#[derive(Clone, Debug)]
pub(super) struct Spend {
    per_channel: Vec<(u64, f64)>,
    pub(super) events: u64,
}

impl Spend {
    pub(super) fn new(cfg: &SimConfig) -> Self {
        Spend {
            per_channel: vec![(0, 0.0); cfg.channels.len()],
            events: 0,
        }
    }

    /// The channel an event is a touchpoint of (the first configured channel of its name).
    pub(super) fn channel_of(cfg: &SimConfig, ev: &Event) -> Option<usize> {
        match ev {
            Event::Touchpoint(t) => cfg.channels.iter().position(|c| c.name == t.channel),
            _ => None,
        }
    }

    /// Count one event, the next in time order: `channel` and `cost` as [`Spend::channel_of`]
    /// and its cost give them.
    pub(super) fn add(&mut self, channel: Option<usize>, cost: f64) {
        self.events += 1;
        if let Some(c) = channel.and_then(|i| self.per_channel.get_mut(i)) {
            c.0 += 1;
            c.1 += cost;
        }
    }
}

/// The cost of a touchpoint event as the truth sums it (none: 0).
pub(super) fn cost_of(ev: &Event) -> f64 {
    match ev {
        Event::Touchpoint(t) => t.cost.unwrap_or(0.0),
        _ => 0.0,
    }
}

/// Merge the workers' chunks (in customer order) into one campaign. Sums over customers are
/// taken here, in index or event order, so they do not depend on how customers were chunked.
fn finish(s: &Setup<'_>, chunks: Vec<World<'_>>) -> Campaign {
    let cfg = s.cfg;
    let mut gathered = Gathered::new(cfg);
    let mut events = Vec::with_capacity(chunks.iter().map(|c| c.events.len()).sum());
    let mut audience = Vec::with_capacity(cfg.customers);
    for mut c in chunks {
        gathered.absorb(&mut c);
        events.append(&mut c.events);
        audience.append(&mut c.audience);
    }
    let events = sort_events(events);
    let mut spend = Spend::new(cfg);
    for ev in &events {
        spend.add(Spend::channel_of(cfg, ev), cost_of(ev));
    }
    let revenue = audience.iter().map(|r| r.revenue).sum();
    let truth = truth(s, gathered, &spend, revenue);
    Campaign {
        config: cfg.clone(),
        events,
        truth,
        audience,
    }
}

/// Events sorted by time, ties in generation order (the keys are distinct).
pub(super) fn sort_events(events: Vec<(i64, u64, Event)>) -> Vec<Event> {
    // Sort small keys, not the events themselves: moving 12 million 200-byte events around in
    // a comparison sort costs more than generating them.
    let mut keys: Vec<(i64, u64, u32)> = events
        .iter()
        .enumerate()
        .map(|(i, (ts, seq, _))| (*ts, *seq, i as u32))
        .collect();
    keys.sort_unstable();
    let mut slots: Vec<Option<Event>> = events.into_iter().map(|(_, _, e)| Some(e)).collect();
    keys.iter()
        .filter_map(|&(_, _, i)| slots[i as usize].take())
        .collect()
}

/// The truth of a campaign from what was gathered over customers, the spend counted over its
/// events and its revenue summed over the audience in customer order.
pub(super) fn truth(s: &Setup<'_>, g: Gathered, spend: &Spend, revenue: f64) -> Truth {
    let cfg = s.cfg;
    let mut totals = g.totals;
    let checkins_per_visitor = 1.0 + cfg.repeat_visits;
    let revenue_per_visitor = checkins_per_visitor * cfg.purchase_share * cfg.mean_order_value;
    let channels: Vec<ChannelTruth> = cfg
        .channels
        .iter()
        .zip(&g.exposed)
        .zip(&spend.per_channel)
        .map(|((c, &n), &(touchpoints, spent))| {
            let incremental_visitors = c.lift * n as f64;
            ChannelTruth {
                channel: c.name.clone(),
                campaign: c.campaign.clone(),
                lift: c.lift,
                exposed: n,
                touchpoints,
                spend: spent,
                incremental_visitors,
                incremental_checkins: incremental_visitors * checkins_per_visitor,
                incremental_revenue: incremental_visitors * revenue_per_visitor,
            }
        })
        .collect();
    for c in &channels {
        totals.touchpoints += c.touchpoints;
        totals.spend += c.spend;
    }
    totals.revenue = revenue;
    totals.events = spend.events;
    let shared = g
        .shared
        .into_iter()
        .map(|(identifier, (reason, mut persons))| {
            persons.sort_unstable();
            persons.dedup();
            SharedIdentifier {
                identifier,
                reason,
                persons,
            }
        })
        .collect();
    Truth {
        seed: cfg.seed,
        customers: cfg.customers,
        start: s.start,
        end: s.end,
        revenue_per_visitor,
        checkins_per_visitor,
        channels,
        totals,
        persons: g.persons,
        shared,
    }
}

/// Home IP of a customer living alone: private 10.0.0.0/8, never routed, so no real host is
/// named. `index · 0x9E3779 + 12345 mod 2^24` is a bijection (odd multiplier), so no two
/// customers share one by chance.
fn single_ip(index: u64) -> String {
    let a = (index.wrapping_mul(0x9E_3779).wrapping_add(12_345)) & 0xff_ffff;
    format!("10.{}.{}.{}", a >> 16, (a >> 8) & 0xff, a & 0xff)
}

/// Home IP of household `h`: private 172.16.0.0/12, distinct per household.
fn household_ip(h: usize) -> String {
    format!(
        "172.{}.{}.{}",
        16 + ((h >> 16) & 15),
        (h >> 8) & 0xff,
        h & 0xff
    )
}

fn consent_signals(consent: bool) -> ConsentSignals {
    let s = |granted: bool| {
        if granted {
            ConsentState::Granted
        } else {
            ConsentState::Denied
        }
    };
    ConsentSignals {
        tcf: None,
        gcm: Some(ConsentMode {
            ad_storage: s(consent),
            analytics_storage: ConsentState::Granted,
            ad_user_data: s(consent),
            ad_personalization: s(consent),
        }),
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
