//! The report as people see it: one value whose field names follow the report JSON contract of
//! the measurement issue (`period`, `population`, `currency`, `holdout`, `campaigns`, `visits`,
//! `ropo`), plus what only the rendered report needs (daily series, visits by store,
//! provenance). Every renderer (HTML, SVG charts, Excel, text) reads this value and nothing
//! else, so each number a person sees is a number of the JSON.

use crate::report::{Report, RopoReport};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The report period, local dates of the store's time zone (`YYYY-MM-DD`, both included).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Period {
    /// First day.
    pub from: String,
    /// Last day.
    pub to: String,
}

/// The campaign-wide comparison against a global holdout.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HoldoutView {
    /// Share of the target group who visited.
    pub visitors_rate_target: f64,
    /// Share of the holdout who visited.
    pub visitors_rate_holdout: f64,
    /// Relative lift (0.08 = +8 %).
    pub lift: f64,
    /// Its interval.
    pub lift_ci: [f64; 2],
    /// Incremental visitors in the target group.
    pub incremental_visitors: f64,
    /// Its interval.
    pub incremental_visitors_ci: [f64; 2],
    /// Incremental revenue.
    pub incremental_revenue: f64,
    /// Its interval.
    pub incremental_revenue_ci: [f64; 2],
}

/// Visits of people touched by a campaign before they came: an upper bound on its effect.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Influenced {
    /// Visits within the influence window after a touch.
    pub visits: u64,
    /// Their revenue.
    pub revenue: f64,
}

/// Visits identified only by the campaign's own voucher (a code it handed out, redeemed with
/// nothing else to say who paid): real visits, but only the campaign's exposed could be
/// identified that way, so every estimate leaves them out.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct InstrumentOnlyView {
    /// Visits.
    pub visits: u64,
    /// Their revenue.
    pub revenue: f64,
}

/// What a campaign caused, from a holdout or randomised exposure, with intervals.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct IncrementalView {
    /// `holdout`, `randomised_exposure` or `observational`.
    pub method: String,
    /// Confidence level of the intervals (0.95).
    pub confidence: f64,
    /// Relative lift of the visitor rate (0.08 = +8 %).
    pub lift: Option<f64>,
    /// Its interval.
    pub lift_ci: Option<[f64; 2]>,
    /// Incremental visitors (people who came because of the campaign).
    pub visitors: Option<f64>,
    /// Its interval.
    pub visitors_ci: Option<[f64; 2]>,
    /// Incremental visits.
    pub visits: Option<f64>,
    /// Its interval.
    pub visits_ci: Option<[f64; 2]>,
    /// Incremental revenue.
    pub revenue: f64,
    /// Its interval.
    pub revenue_ci: [f64; 2],
    /// Incremental revenue per unit of spend.
    pub iroas: Option<f64>,
    /// Its interval.
    pub iroas_ci: Option<[f64; 2]>,
    /// p-value adjusted for testing every campaign at once.
    pub p_adjusted: Option<f64>,
}

impl IncrementalView {
    /// Whether the campaign paid back: the whole iROAS interval is above 1.
    #[must_use]
    pub fn paid_back(&self) -> Option<bool> {
        self.iroas_ci.map(|[lo, _]| lo > 1.0)
    }

    /// Whether it surely did not: the whole iROAS interval is below 1.
    #[must_use]
    pub fn lost_money(&self) -> Option<bool> {
        self.iroas_ci.map(|[_, hi]| hi < 1.0)
    }
}

/// One campaign (or a channel's media without a campaign name).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CampaignView {
    /// Channel.
    pub channel: String,
    /// Campaign; `None` for media without one.
    pub campaign: Option<String>,
    /// Spend in the report currency.
    pub spend: f64,
    /// People touched.
    pub exposed: u64,
    /// Visits credited by each attribution model (a split of observed visits, not an effect).
    pub credited: BTreeMap<String, f64>,
    /// Visits and revenue of people touched before they came.
    pub influenced: Influenced,
    /// Visits identified only by its own voucher, kept out of every estimate.
    #[serde(default)]
    pub instrument_only: InstrumentOnlyView,
    /// What the campaign caused, when a holdout or randomised exposure measures it.
    pub incremental: Option<IncrementalView>,
}

impl CampaignView {
    /// Whether any campaign of `campaigns` has visits identified only by its own voucher.
    #[must_use]
    pub fn any_instrument_only(campaigns: &[CampaignView]) -> bool {
        campaigns.iter().any(|c| c.instrument_only.visits > 0)
    }

    /// The campaign's name when it names its channel (`facebook-spring`), else
    /// `channel / campaign`, or the channel alone.
    #[must_use]
    pub fn label(&self) -> String {
        match &self.campaign {
            Some(c) if c.contains(self.channel.as_str()) => c.clone(),
            Some(c) => format!("{} / {c}", self.channel),
            None => self.channel.clone(),
        }
    }
}

/// Store visits over the period.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct VisitsView {
    /// Visits.
    pub count: u64,
    /// Visits with a purchase.
    pub with_purchase: u64,
    /// Revenue of those purchases.
    pub revenue: f64,
    /// Visits per check-in method (how the visit was recognised); a visit recognised by Wi-Fi
    /// and at the till counts under both.
    pub by_method: BTreeMap<String, u64>,
    /// Check-ins as recorded (several per visit when a Wi-Fi join precedes a receipt).
    #[serde(default)]
    pub checkins: u64,
    /// Check-ins per method, as recorded: check-ins, not visits.
    #[serde(default)]
    pub checkins_by_method: BTreeMap<String, u64>,
    /// Check-ins of one person at one store within this many seconds are one visit.
    #[serde(default)]
    pub visit_window_secs: i64,
}

/// Visits of one local day by the target group and the holdout, per 1,000 members of each.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DailyVisits {
    /// Local date (`YYYY-MM-DD`).
    pub date: String,
    /// Visits by target-group members per 1,000 members.
    pub target: f64,
    /// Visits by holdout members per 1,000 members.
    pub holdout: f64,
}

/// Visits and revenue of one store.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StoreVisits {
    /// Store.
    pub store: String,
    /// Its region, when known.
    pub region: Option<String>,
    /// Visits (check-ins of one person within the visit window are one).
    pub visits: u64,
    /// Check-ins grouped into those visits, as recorded.
    #[serde(default)]
    pub checkins: u64,
    /// Revenue.
    pub revenue: f64,
}

/// One file read into the data.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SourceView {
    /// Source name (from its map).
    pub source: String,
    /// File name.
    pub file: String,
    /// Rows read.
    pub rows: u64,
    /// Rows rejected.
    pub rejected: u64,
}

/// Where the numbers come from.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    /// Files read.
    pub sources: Vec<SourceView>,
    /// Rows read over all sources.
    pub rows_read: u64,
    /// Rows rejected over all sources.
    pub rows_rejected: u64,
    /// SHA-256 (first 16 hex digits) of the identity-resolution rules as JSON: two reports with
    /// the same fingerprint grouped people the same way.
    pub rules_fingerprint: String,
    /// The influence window in days.
    pub window_days: u32,
    /// What produced the report (`o2o 0.1.0`).
    pub generator: String,
}

/// The report as people read it.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ReportView {
    /// Title.
    pub title: String,
    /// The period covered.
    pub period: Period,
    /// Whose visits are counted (`customers`, `assigned` or `all`).
    pub population: String,
    /// ISO 4217 code of every money amount.
    pub currency: String,
    /// IANA time zone of the dates.
    pub timezone: String,
    /// Comparison against a global holdout, when one exists.
    pub holdout: Option<HoldoutView>,
    /// Per campaign.
    pub campaigns: Vec<CampaignView>,
    /// Store visits.
    pub visits: VisitsView,
    /// Webrooming and showrooming.
    pub ropo: RopoReport,
    /// Daily visits of the target group and the holdout.
    pub daily: Vec<DailyVisits>,
    /// Visits per store.
    pub by_store: Vec<StoreVisits>,
    /// Where the numbers come from.
    pub provenance: Provenance,
    /// Findings next to a known truth (the demo only), one sentence each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub truth_notes: Vec<String>,
}

/// What the report does not compute itself and the view needs.
#[derive(Clone, Debug, Default)]
pub struct ViewContext {
    /// Title.
    pub title: String,
    /// Period.
    pub period: Period,
    /// Population.
    pub population: String,
    /// Currency code.
    pub currency: String,
    /// Time zone.
    pub timezone: String,
    /// Daily series.
    pub daily: Vec<DailyVisits>,
    /// Per store.
    pub by_store: Vec<StoreVisits>,
    /// The visits the series count (the report's `visits` object when it has none).
    pub visits: Option<VisitsView>,
    /// Provenance.
    pub provenance: Provenance,
}

/// Round money to the currency's minor unit (0 decimals for VND, JPY, KRW…, else 2).
#[must_use]
pub fn round_money(x: f64, currency: &str) -> f64 {
    let d = super::format::minor_digits(currency);
    let f = 10f64.powi(d as i32);
    (x * f).round() / f
}

impl ReportView {
    /// Fill the view from the current report and its context.
    #[must_use]
    pub fn from_report(r: &Report, ctx: ViewContext) -> ReportView {
        let cur = ctx.currency.clone();
        let m = |x: f64| round_money(x, &cur);
        let campaigns = r
            .o2o
            .rows
            .iter()
            .map(|row| CampaignView {
                channel: row.channel.clone(),
                campaign: row.campaign.clone(),
                spend: m(row.spend),
                exposed: row.exposed_profiles,
                credited: row
                    .credited
                    .iter()
                    .map(|c| (c.model.clone(), c.conversions))
                    .collect(),
                influenced: Influenced {
                    visits: row.checkins_influenced,
                    revenue: m(row.revenue_influenced),
                },
                instrument_only: InstrumentOnlyView::default(),
                incremental: row.incremental.as_ref().map(|i| IncrementalView {
                    method: "holdout".to_owned(),
                    confidence: i.confidence,
                    visits: Some(i.incremental_checkins),
                    visits_ci: Some([i.ci_checkins.0, i.ci_checkins.1]),
                    revenue: m(i.incremental_revenue),
                    revenue_ci: [m(i.ci_revenue.0), m(i.ci_revenue.1)],
                    iroas: i.iroas,
                    iroas_ci: i.ci_iroas.map(|(a, b)| [a, b]),
                    ..IncrementalView::default()
                }),
            })
            .collect();
        let k = &r.kpis;
        ReportView {
            title: ctx.title,
            period: ctx.period,
            population: ctx.population,
            currency: ctx.currency,
            timezone: ctx.timezone,
            holdout: None,
            campaigns,
            visits: match ctx.visits {
                Some(v) => VisitsView {
                    revenue: m(v.revenue),
                    ..v
                },
                // No grouping given: every check-in is its own visit.
                None => VisitsView {
                    count: k.checkins_by_method.values().sum(),
                    with_purchase: k.purchases,
                    revenue: m(k.revenue),
                    by_method: k.checkins_by_method.clone(),
                    checkins: k.checkins_by_method.values().sum(),
                    checkins_by_method: k.checkins_by_method.clone(),
                    visit_window_secs: 0,
                },
            },
            ropo: r.ropo.clone(),
            daily: ctx.daily,
            by_store: ctx
                .by_store
                .into_iter()
                .map(|s| StoreVisits {
                    revenue: m(s.revenue),
                    ..s
                })
                .collect(),
            provenance: ctx.provenance,
            truth_notes: Vec::new(),
        }
    }

    /// Models that credited visits, in a stable order.
    #[must_use]
    pub fn models(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .campaigns
            .iter()
            .flat_map(|c| c.credited.keys().cloned())
            .collect();
        v.sort();
        v.dedup();
        v
    }
}

#[cfg(all(feature = "stats", feature = "ingest"))]
impl ReportView {
    /// Fill the view from the measurement `o2o report --json` prints (the measurement issue's
    /// contract), so that every number the page, the workbook and the text show is a number of
    /// that JSON. `ctx` brings what the measurement does not hold (daily series, stores,
    /// provenance); its period, population and currency are replaced by the measurement's.
    #[must_use]
    pub fn from_measurement(m: &crate::measure::Measurement, ctx: ViewContext) -> ReportView {
        use crate::measure::Method;
        let currency = m.currency.clone().unwrap_or_else(|| ctx.currency.clone());
        let money = |x: f64| round_money(x, &currency);
        let campaigns = m
            .campaigns
            .iter()
            .map(|row| CampaignView {
                channel: row.channel.clone(),
                campaign: row.campaign.clone(),
                spend: money(row.spend.unwrap_or(0.0)),
                exposed: row.exposed,
                credited: row.credited.clone(),
                influenced: Influenced {
                    visits: row.influenced.visits,
                    revenue: money(row.influenced.revenue),
                },
                instrument_only: InstrumentOnlyView {
                    visits: row.instrument_only.visits,
                    revenue: money(row.instrument_only.revenue),
                },
                incremental: row.incremental.as_ref().map(|i| IncrementalView {
                    method: match i.method {
                        Method::Holdout => "holdout",
                        Method::RandomisedExposure => "randomised_exposure",
                        Method::Observational => "observational",
                    }
                    .to_owned(),
                    confidence: m.confidence,
                    lift: i.lift,
                    lift_ci: i.lift_ci,
                    visitors: Some(i.visitors),
                    visitors_ci: Some(i.visitors_ci),
                    visits: None,
                    visits_ci: None,
                    revenue: money(i.revenue),
                    revenue_ci: [money(i.revenue_ci[0]), money(i.revenue_ci[1])],
                    iroas: i.iroas,
                    iroas_ci: i.iroas_ci,
                    p_adjusted: i.p_adjusted,
                }),
            })
            .collect();
        let holdout = m.holdout.as_ref().map(|h| HoldoutView {
            visitors_rate_target: h.visitors_rate_target,
            visitors_rate_holdout: h.visitors_rate_holdout,
            lift: h.lift.unwrap_or(f64::NAN),
            lift_ci: h.lift_ci.unwrap_or([f64::NAN, f64::NAN]),
            incremental_visitors: h.incremental_visitors,
            incremental_visitors_ci: h.incremental_visitors_ci,
            incremental_revenue: money(h.incremental_revenue),
            incremental_revenue_ci: [
                money(h.incremental_revenue_ci[0]),
                money(h.incremental_revenue_ci[1]),
            ],
        });
        let mut notes = vec![m.trust.clone()];
        notes.extend(m.warnings.iter().cloned());
        ReportView {
            title: ctx.title,
            period: Period {
                from: m.period.from.clone().unwrap_or(ctx.period.from),
                to: m.period.to.clone().unwrap_or(ctx.period.to),
            },
            population: m.population.as_str().to_owned(),
            currency: currency.clone(),
            timezone: ctx.timezone,
            holdout,
            campaigns,
            visits: VisitsView {
                count: m.visits.count,
                with_purchase: m.visits.with_purchase,
                revenue: money(m.visits.revenue),
                by_method: m.visits.by_method.clone(),
                checkins: m.visits.checkins_by_method.values().sum(),
                checkins_by_method: m.visits.checkins_by_method.clone(),
                visit_window_secs: m.visit_window_secs,
            },
            ropo: m.ropo.clone(),
            daily: ctx.daily,
            by_store: ctx
                .by_store
                .into_iter()
                .map(|s| StoreVisits {
                    revenue: money(s.revenue),
                    ..s
                })
                .collect(),
            provenance: ctx.provenance,
            truth_notes: notes.into_iter().filter(|s| !s.is_empty()).collect(),
        }
    }
}
