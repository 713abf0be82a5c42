//! Headline KPIs: conversion rate, average order value, repeat rate, check-ins by method.

use super::profiles::by_profile;
use super::{Table, num, ratio};
use crate::event::{CheckInMethod, Event, TouchAction};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;

/// The KPIs.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Kpis {
    /// Distinct profiles seen.
    pub profiles: u64,
    /// Profiles with a media touch (a touchpoint with a campaign or a cost).
    pub exposed_profiles: u64,
    /// Exposed profiles that checked in within the window after their first touch.
    pub converted_profiles: u64,
    /// `converted_profiles / exposed_profiles`.
    pub conversion_rate: Option<f64>,
    /// In-store purchases (check-ins with a value), all profiles and unknown customers.
    pub purchases: u64,
    /// Their revenue.
    pub revenue: f64,
    /// `revenue / purchases`.
    pub average_order_value: Option<f64>,
    /// Profiles with at least one in-store purchase.
    pub purchasers: u64,
    /// Profiles with two or more.
    pub repeat_purchasers: u64,
    /// `repeat_purchasers / purchasers`.
    pub repeat_rate: Option<f64>,
    /// Check-ins per method (every method listed, zeros included).
    pub checkins_by_method: BTreeMap<String, u64>,
}

/// Compute the KPIs.
pub fn kpis(events: &[Event], key: &dyn Fn(&Event) -> Option<String>, window_days: u32) -> Kpis {
    let mut by_method: BTreeMap<String, u64> = CheckInMethod::ALL
        .iter()
        .map(|m| (m.as_str().to_owned(), 0))
        .collect();
    let (mut purchases, mut revenue) = (0u64, 0.0);
    for e in events {
        if let Event::CheckIn(c) = e {
            *by_method.entry(c.method.as_str().to_owned()).or_default() += 1;
            if let Some(v) = c.value.filter(|v| *v > 0.0) {
                purchases += 1;
                revenue += v;
            }
        }
    }
    let window = i64::from(window_days) * 86_400;
    let profiles = by_profile(events, key);
    let (mut exposed, mut converted, mut purchasers, mut repeat) = (0u64, 0u64, 0u64, 0u64);
    for evs in profiles.values() {
        let first_touch = evs.iter().find_map(|e| match e {
            Event::Touchpoint(t)
                if t.action != TouchAction::Purchase
                    && (t.campaign.is_some() || t.cost.is_some()) =>
            {
                Some(t.timestamp)
            }
            _ => None,
        });
        if let Some(ft) = first_touch {
            exposed += 1;
            if evs.iter().any(|e| {
                matches!(e, Event::CheckIn(c) if c.timestamp >= ft && c.timestamp - ft <= window)
            }) {
                converted += 1;
            }
        }
        let bought = evs
            .iter()
            .filter(|e| matches!(e, Event::CheckIn(c) if c.value.is_some_and(|v| v > 0.0)))
            .count();
        purchasers += u64::from(bought >= 1);
        repeat += u64::from(bought >= 2);
    }
    Kpis {
        profiles: profiles.len() as u64,
        exposed_profiles: exposed,
        converted_profiles: converted,
        conversion_rate: ratio(converted as f64, exposed as f64),
        purchases,
        revenue,
        average_order_value: ratio(revenue, purchases as f64),
        purchasers,
        repeat_purchasers: repeat,
        repeat_rate: ratio(repeat as f64, purchasers as f64),
        checkins_by_method: by_method,
    }
}

impl Kpis {
    /// The people view: headline numbers, then check-ins by method.
    #[must_use]
    pub fn tables(&self) -> Vec<Table> {
        let mut t = Table::new(["kpi", "value"]);
        t.row(["profiles".to_owned(), self.profiles.to_string()]);
        t.row([
            "exposed profiles".to_owned(),
            self.exposed_profiles.to_string(),
        ]);
        t.row([
            "conversion rate %".to_owned(),
            num(self.conversion_rate.map(|x| x * 100.0), 2),
        ]);
        t.row(["purchases".to_owned(), self.purchases.to_string()]);
        t.row([
            "average order value".to_owned(),
            num(self.average_order_value, 2),
        ]);
        t.row([
            "repeat rate %".to_owned(),
            num(self.repeat_rate.map(|x| x * 100.0), 2),
        ]);
        let mut m = Table::new(["check-in method", "check-ins"]);
        for (k, v) in &self.checkins_by_method {
            m.row([k.clone(), v.to_string()]);
        }
        vec![t, m]
    }
}

impl fmt::Display for Kpis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [a, b] = <[Table; 2]>::try_from(self.tables()).map_err(|_| fmt::Error)?;
        write!(f, "{a}\n{b}")
    }
}
