//! What an analysis covers: the period (dates in the store's time zone) and the population
//! (whose visits count).

use super::MeasureError;
use crate::event::{Event, IdKind};
use serde::Serialize;
use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

/// Whose behaviour an estimate compares.
///
/// Passers-by seen only by a cookie or a MAC address are never linked to a customer: counting
/// them as "unexposed profiles" compares customers with strangers and manufactures lift. Uplift
/// and incremental estimates default to [`Population::Customers`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Population {
    /// Profiles with a CRM, loyalty or POS customer identifier (`external_id`,
    /// `loyalty_card`), a customer record of the store, or an assignment (target or holdout).
    #[default]
    Customers,
    /// Profiles in an assignment list (target or holdout of any campaign).
    Assigned,
    /// Every profile with an event.
    All,
}

impl Population {
    /// The snake_case name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Population::Customers => "customers",
            Population::Assigned => "assigned",
            Population::All => "all",
        }
    }

    /// Whether the events of a profile carry a customer identifier.
    #[must_use]
    pub fn is_customer_event(e: &Event) -> bool {
        e.identifiers()
            .iter()
            .any(|i| matches!(i.kind, IdKind::ExternalId | IdKind::LoyaltyCard))
    }
}

impl fmt::Display for Population {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Population {
    type Err = MeasureError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "customers" => Ok(Population::Customers),
            "assigned" => Ok(Population::Assigned),
            "all" => Ok(Population::All),
            other => Err(MeasureError::Flag {
                flag: "population",
                message: format!("`{other}` (expected customers, assigned or all)"),
            }),
        }
    }
}

/// A period: from the start of the first day to the end of the last (both inclusive), in a
/// time zone. Either end may be open.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Period {
    /// First day, `YYYY-MM-DD`, when given.
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD`, when given.
    pub to: Option<String>,
    /// Start (Unix seconds, inclusive).
    #[serde(skip)]
    pub start: Option<i64>,
    /// End (Unix seconds, exclusive): the start of the day after `to`.
    #[serde(skip)]
    pub end: Option<i64>,
}

fn day_start(
    flag: &'static str,
    day: &str,
    tz: &jiff::tz::TimeZone,
    after: bool,
) -> Result<i64, MeasureError> {
    let bad = |m: String| MeasureError::Flag { flag, message: m };
    let d: jiff::civil::Date = day
        .trim()
        .parse()
        .map_err(|e| bad(format!("`{day}` is not a date YYYY-MM-DD ({e})")))?;
    let d = if after {
        d.tomorrow().map_err(|e| bad(e.to_string()))?
    } else {
        d
    };
    tz.to_ambiguous_timestamp(d.to_datetime(jiff::civil::Time::midnight()))
        .compatible()
        .map(|t| t.as_second())
        .map_err(|e| bad(e.to_string()))
}

/// The local date of a Unix time in `tz`, `YYYY-MM-DD`.
#[must_use]
pub fn local_day(ts: i64, tz: &jiff::tz::TimeZone) -> String {
    jiff::Timestamp::from_second(ts)
        .map(|t| tz.to_datetime(t).date().to_string())
        .unwrap_or_default()
}

impl Period {
    /// The period from `from` to `to` (dates, both inclusive) in `tz`; `flags` name the flags
    /// in errors (`("from", "to")`).
    pub fn new(
        from: Option<&str>,
        to: Option<&str>,
        tz: &jiff::tz::TimeZone,
        flags: (&'static str, &'static str),
    ) -> Result<Period, MeasureError> {
        let start = from.map(|d| day_start(flags.0, d, tz, false)).transpose()?;
        let end = to.map(|d| day_start(flags.1, d, tz, true)).transpose()?;
        if let (Some(s), Some(e)) = (start, end)
            && e <= s
        {
            return Err(MeasureError::Flag {
                flag: flags.1,
                message: format!(
                    "`{}` is before --{} `{}`",
                    to.unwrap_or_default(),
                    flags.0,
                    from.unwrap_or_default()
                ),
            });
        }
        Ok(Period {
            from: from.map(|s| s.trim().to_owned()),
            to: to.map(|s| s.trim().to_owned()),
            start,
            end,
        })
    }

    /// Whether a time is inside.
    #[must_use]
    pub fn contains(&self, ts: i64) -> bool {
        self.start.is_none_or(|s| ts >= s) && self.end.is_none_or(|e| ts < e)
    }

    /// Whether neither end is given.
    #[must_use]
    pub fn is_open(&self) -> bool {
        self.start.is_none() && self.end.is_none()
    }

    /// The period as stated in a report: the dates given, or the first and last day of the
    /// events when an end is open.
    pub fn stated(&self, events: &[Event], tz: &jiff::tz::TimeZone) -> Period {
        let inside: Vec<i64> = events
            .iter()
            .map(Event::timestamp)
            .filter(|t| self.contains(*t))
            .collect();
        let first = inside.iter().min().map(|t| local_day(*t, tz));
        let last = inside.iter().max().map(|t| local_day(*t, tz));
        Period {
            from: self.from.clone().or(first),
            to: self.to.clone().or(last),
            start: self.start,
            end: self.end,
        }
    }
}

/// The profiles of a population.
pub fn population_profiles(
    population: Population,
    events: &[Event],
    key: &dyn Fn(&Event) -> Option<String>,
    customers: &BTreeSet<String>,
    assigned: &BTreeSet<String>,
) -> BTreeSet<String> {
    match population {
        Population::Assigned => assigned.clone(),
        Population::All => {
            let mut out: BTreeSet<String> = events.iter().filter_map(key).collect();
            out.extend(customers.iter().cloned());
            out.extend(assigned.iter().cloned());
            out
        }
        Population::Customers => {
            // An assignment list is a list of known customers: its members count even when
            // they never showed up (a holdout member who stayed away is the point of a holdout).
            let mut out = customers.clone();
            out.extend(assigned.iter().cloned());
            out.extend(
                events
                    .iter()
                    .filter(|e| Population::is_customer_event(e))
                    .filter_map(key),
            );
            out
        }
    }
}
