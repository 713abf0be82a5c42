//! `o2o report --events FILE | --store DIR [--json]`: visits, the campaign against its holdout,
//! every campaign's incremental, credited and influenced numbers (each labelled), the O2O
//! report, the ROPO report and the KPIs, for a period and a population.

use super::CliError;
use o2o_core::design::{
    DesignError, DesignFile, DesignKind, StoreMethod, StorePanel, StorePeriods, StoreReadout,
    read_store_test,
};
use o2o_core::identity::ResolutionRules;
use o2o_core::measure::{
    MeasureOptions, Period, Population, Rates, Side, TimeZone, events_in_currency, measure,
    side_from_store,
};
use o2o_core::render::series::{
    SeriesOptions, context_from_events, context_from_store, fingerprint,
};
use o2o_core::render::{self, ReportView};
use o2o_core::report::{HoldoutRow, IncrementalEstimate, ModelCredit, estimate_incremental};
use o2o_core::sim::read_audience_csv;
use o2o_core::store::Store;
use o2o_core::uplift::Correction;
use std::fs::{self, File};
use std::io::BufReader;
use std::path::{Path, PathBuf};

/// The analysis flags shared by `report` and `attribute`: period, population, visits, rules.
#[derive(clap::Args, Clone, Debug)]
pub struct Scope {
    /// First day analysed (`YYYY-MM-DD`, in the store's time zone; UTC for --events).
    #[arg(long)]
    pub from: Option<String>,
    /// Last day analysed (inclusive).
    #[arg(long)]
    pub to: Option<String>,
    /// Whose visits count: customers (a CRM, loyalty or POS customer id), assigned (in an
    /// assignment list) or all profiles. Default: customers for estimates of effect (the
    /// report, `attribute --model incremental`), all for the credited attribution models.
    #[arg(long)]
    pub population: Option<String>,
    /// Check-ins of one profile at one store within this window are one visit (`2h`, `90m`,
    /// `7200s`).
    #[arg(long, default_value = "2h")]
    pub visit_window: String,
    /// Resolution rules as JSON, as for `o2o resolve` (missing fields keep their defaults).
    #[arg(long)]
    pub rules: Option<PathBuf>,
}

/// The pre-period flags of `report` (CUPED).
#[derive(clap::Args, Clone, Debug)]
pub struct PrePeriod {
    /// First day of the pre-period used by CUPED (default: every day before --from).
    #[arg(long, requires = "pre_to")]
    pub pre_from: Option<String>,
    /// Last day of the pre-period (inclusive).
    #[arg(long, requires = "pre_from")]
    pub pre_to: Option<String>,
}

/// Seconds of a `2h` / `90m` / `7200s` duration.
pub fn parse_window(s: &str) -> Result<i64, CliError> {
    let bad = || {
        CliError::Usage(format!(
            "--visit-window `{s}`: expected a duration such as 2h, 90m or 7200s"
        ))
    };
    let s = s.trim();
    let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?);
    let n: i64 = num.parse().map_err(|_| bad())?;
    let k = match unit {
        "h" => 3600,
        "m" | "min" => 60,
        "s" => 1,
        _ => return Err(bad()),
    };
    n.checked_mul(k).filter(|x| *x > 0).ok_or_else(bad)
}

impl Scope {
    /// The rules (default when no file is given).
    pub fn rules(&self) -> Result<ResolutionRules, CliError> {
        match &self.rules {
            Some(p) => {
                let text = fs::read_to_string(p).map_err(CliError::io(p))?;
                serde_json::from_str::<ResolutionRules>(&text)
                    .map_err(|e| CliError::Usage(format!("{}: {e}", p.display())))
            }
            None => Ok(ResolutionRules::default()),
        }
    }

    /// Period, population (`default` when --population is not given) and visit window as
    /// measurement options, dates in `tz`.
    pub fn options(&self, tz: &TimeZone, default: Population) -> Result<MeasureOptions, CliError> {
        let usage = |e: o2o_core::measure::MeasureError| CliError::Usage(e.to_string());
        let period = Period::new(self.from.as_deref(), self.to.as_deref(), tz, ("from", "to"))
            .map_err(usage)?;
        let population = match &self.population {
            Some(p) => p.parse().map_err(usage)?,
            None => default,
        };
        Ok(MeasureOptions {
            period,
            population,
            visit_window_secs: parse_window(&self.visit_window)?,
            timezone: tz.clone(),
            ..MeasureOptions::default()
        })
    }

    /// Whether a flag of the period or the population was given (they need events).
    pub fn is_given(&self) -> bool {
        self.from.is_some() || self.to.is_some() || self.population.is_some()
    }
}

impl PrePeriod {
    /// The pre-period, when both ends are given.
    pub fn period(&self, tz: &TimeZone) -> Result<Option<Period>, CliError> {
        match (&self.pre_from, &self.pre_to) {
            (Some(f), Some(t)) => Period::new(Some(f), Some(t), tz, ("pre-from", "pre-to"))
                .map(Some)
                .map_err(|e| CliError::Usage(e.to_string())),
            _ => Ok(None),
        }
    }
}

/// Flags of `o2o report`.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    input: super::input::EventsInput,
    #[command(flatten)]
    scope: Scope,
    #[command(flatten)]
    pre: PrePeriod,
    /// Print JSON instead of tables.
    #[arg(long)]
    json: bool,
    /// Experiment readout (`audience.csv` of `o2o simulate`): adds incremental check-ins and
    /// revenue per channel to the O2O rows, with confidence intervals and iROAS.
    #[arg(long)]
    audience: Option<PathBuf>,
    /// Attribution credits: a JSON array of {model, channel, campaign?, conversions, value}.
    #[arg(long)]
    credits: Option<PathBuf>,
    /// Holdout estimates from another tool: a JSON array of IncrementalEstimate (overrides
    /// --audience).
    #[arg(long)]
    incremental: Option<PathBuf>,
    /// Influence window in days.
    #[arg(long, default_value_t = 28)]
    window_days: u32,
    /// Confidence level of the intervals.
    #[arg(long, default_value_t = 0.95)]
    confidence: f64,
    /// Multiple-testing correction across campaigns: holm or bh (Benjamini–Hochberg).
    #[arg(long, default_value = "holm")]
    correction: String,
    /// Show every amount in this currency (ISO 4217), converted with --rates.
    #[arg(long)]
    currency: Option<String>,
    /// Exchange rates, CSV `currency,date,rate` (one base unit bought `rate` units of
    /// `currency` on `date`).
    #[arg(long, requires = "currency")]
    rates: Option<PathBuf>,
    /// Also write the report as one self-contained HTML page (charts, tables, how to read it).
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
    /// Also write the report's tables as an Excel workbook, one sheet per table.
    #[arg(long, value_name = "FILE")]
    xlsx: Option<PathBuf>,
    /// The plan written by `o2o design … --out FILE`: its period (when --from/--to are not
    /// given), level, population and readout (fixed or sequential) make the analysis the one
    /// planned.
    #[arg(long, value_name = "FILE")]
    design: Option<PathBuf>,
    /// With a store plan (--design): the store × period panel (`store,period,value` CSV, as
    /// `o2o design stores --panel` reads) to read the test on, instead of --store or --events.
    #[arg(long, value_name = "FILE", group = "EventsInput", requires = "design")]
    panel: Option<PathBuf>,
}

/// Title of the rendered report.
const TITLE: &str = "O2O campaign report";

fn read_json<T: serde::de::DeserializeOwned>(p: &Path) -> Result<T, CliError> {
    let text = fs::read_to_string(p).map_err(CliError::io(p))?;
    serde_json::from_str(&text).map_err(|e| CliError::Usage(format!("{}: {e}", p.display())))
}

/// `holm` or `bh`.
pub fn parse_correction(s: &str) -> Result<Correction, CliError> {
    match s {
        "holm" => Ok(Correction::Holm),
        "bh" | "benjamini-hochberg" | "fdr" => Ok(Correction::BenjaminiHochberg),
        other => Err(CliError::Usage(format!(
            "--correction `{other}`: expected holm or bh"
        ))),
    }
}

/// The test period of a store plan: --from/--to, else the plan's start and days.
fn store_periods(a: &Args, d: &DesignFile) -> Result<StorePeriods, CliError> {
    let (from, to) = match (&a.scope.from, &a.scope.to, d.period()) {
        (Some(f), Some(t), _) => (f.clone(), t.clone()),
        (None, None, Some(p)) => p,
        _ => {
            return Err(CliError::Usage(
                "a store plan is read over its test period: give --from and --to (first and \
                 last day of the test), or write the plan with --start"
                    .into(),
            ));
        }
    };
    Ok(StorePeriods {
        from,
        to,
        pre: a.pre.pre_from.clone().zip(a.pre.pre_to.clone()),
    })
}

/// Read a store plan on the panel of --panel, or of the event store (the plan's metric).
fn store_readout(a: &Args, d: &DesignFile) -> Result<StoreReadout, CliError> {
    let periods = store_periods(a, d)?;
    let panel = match (&a.panel, &a.input.store) {
        (Some(p), _) => {
            let f = File::open(p).map_err(CliError::io(p))?;
            StorePanel::read_csv(BufReader::new(f), &p.display().to_string())
                .map_err(|e| CliError::Usage(e.to_string()))?
        }
        (None, Some(dir)) => super::design::history(dir)?.0.store_panel(d.metric)?,
        (None, None) => {
            return Err(CliError::Usage(
                "a store plan is read on a store × day panel: give --panel FILE or --store DIR"
                    .into(),
            ));
        }
    };
    read_store_test(d, &panel, &periods).map_err(|e| match e {
        DesignError::Flag { .. } => CliError::Usage(e.to_string()),
        other => other.into(),
    })
}

/// Run `o2o report`.
pub fn run(mut a: Args) -> Result<(), CliError> {
    if a.panel.is_some() {
        // Only a store plan reads a panel (clap: --panel requires --design).
        let Some(p) = &a.design else {
            return Err(CliError::Usage("--panel needs --design PLAN".into()));
        };
        let text = fs::read_to_string(p).map_err(CliError::io(p))?;
        let d = DesignFile::from_json(&text)
            .map_err(|e| CliError::Usage(format!("{}: {e}", p.display())))?;
        if d.kind != DesignKind::Stores {
            return Err(CliError::Usage(format!(
                "--panel: {} is a customer-holdout plan; it is read on --store or --events",
                p.display()
            )));
        }
        let r = store_readout(&a, &d)?;
        if a.json {
            let v = serde_json::json!({ "design": { "plan": d, "readout": r } });
            let text = serde_json::to_string_pretty(&v)?;
            return crate::output::print_line(text);
        }
        return crate::output::print(&store_text(&d, &r));
    }
    let plan = match &a.design {
        Some(p) => {
            let text = fs::read_to_string(p).map_err(CliError::io(p))?;
            let d = DesignFile::from_json(&text)
                .map_err(|e| CliError::Usage(format!("{}: {e}", p.display())))?;
            if let (None, None, Some((from, to))) = (&a.scope.from, &a.scope.to, d.period()) {
                a.scope.from = Some(from);
                a.scope.to = Some(to);
            }
            a.confidence = d.confidence();
            if d.kind == DesignKind::Holdout && d.assignment.is_some() {
                a.scope.population = Some("assigned".to_owned());
            }
            Some(d)
        }
        None => None,
    };
    let credits: Vec<ModelCredit> = match &a.credits {
        Some(p) => read_json(p)?,
        None => Vec::new(),
    };
    let incremental: Vec<IncrementalEstimate> = match (&a.incremental, &a.audience) {
        (Some(p), _) => read_json(p)?,
        (None, Some(p)) => {
            let f = File::open(p).map_err(CliError::io(p))?;
            let (rows, errors) = read_audience_csv(BufReader::new(f));
            for e in errors.iter().take(10) {
                eprintln!("{}: {e}", p.display());
            }
            if errors.len() > 10 {
                eprintln!(
                    "{}: … and {} more rejected rows",
                    p.display(),
                    errors.len() - 10
                );
            }
            if rows.is_empty() {
                // A wrong file (events, a binary) rejects every row: the incremental table it
                // was given for must not silently vanish from the report.
                return Err(CliError::Usage(format!(
                    "{}: no usable audience row ({} rejected): expected the CSV of `o2o simulate` (customer, group, visits…)",
                    p.display(),
                    errors.len()
                )));
            }
            let rows: Vec<HoldoutRow> = rows.iter().map(HoldoutRow::from).collect();
            estimate_incremental(&rows, a.confidence).map_err(|e| CliError::Usage(e.to_string()))?
        }
        (None, None) => Vec::new(),
    };
    let store = match &a.input.store {
        Some(dir) => Some(Store::open(dir)?),
        None => None,
    };
    let tz = store.as_ref().map_or(TimeZone::UTC, Store::timezone);
    let mut opts = a.scope.options(&tz, Population::Customers)?;
    opts.pre = a.pre.period(&tz)?;
    opts.window_days = a.window_days;
    opts.confidence = a.confidence;
    opts.correction = parse_correction(&a.correction)?;
    opts.currency = a.currency.clone();
    opts.credits = credits;
    opts.external_incremental = incremental;
    if let Some(p) = &a.rates {
        let f = File::open(p).map_err(CliError::io(p))?;
        opts.rates = Some(
            Rates::read_csv(BufReader::new(f), &p.display().to_string())
                .map_err(|e| CliError::Usage(e.to_string()))?,
        );
    }
    let (graph, events) = a.input.people(a.scope.rules()?)?;
    let side = match &store {
        Some(s) => {
            let (side, unlinked) = side_from_store(s, &graph)?;
            if unlinked > 0 {
                eprintln!(
                    "{}: {unlinked} assignment or customer records match no profile (no consent to link, or no event) and are left out",
                    a.input.describe()
                );
            }
            side
        }
        None => Side::default(),
    };
    let key = |e: &o2o_core::event::Event| graph.profile_id_of_event(e).map(String::from);
    let m = measure(&events, &key, &side, &opts).map_err(|e| match e {
        o2o_core::measure::MeasureError::Flag { .. }
        | o2o_core::measure::MeasureError::MixedCurrencies { .. }
        | o2o_core::measure::MeasureError::MissingRate { .. } => CliError::Usage(e.to_string()),
        other => other.into(),
    })?;
    // The same grouping and period as the measurement, so that the series add up to its visits.
    let series = SeriesOptions {
        visit_window_secs: opts.visit_window_secs,
        period: opts.period.clone(),
    };
    // The per-store revenue in the report's currency, like every other amount.
    let converted = match &opts.currency {
        Some(_) => {
            Some(events_in_currency(&events, &opts).map_err(|e| CliError::Usage(e.to_string()))?)
        }
        None => None,
    };
    let shown = converted.as_deref().unwrap_or(&events);
    let ctx = match &store {
        Some(s) => context_from_store(s, &graph, shown, TITLE, a.window_days, &series)?,
        None => context_from_events(
            shown,
            &key,
            fingerprint(graph.rules()),
            TITLE,
            a.window_days,
            &series,
        ),
    };
    let view = ReportView::from_measurement(&m, ctx);
    write_rendered(&view, a.html.as_deref(), a.xlsx.as_deref())?;
    let stores = match &plan {
        Some(d) if d.kind == DesignKind::Stores => Some(store_readout(&a, d)?),
        _ => None,
    };
    let planned = match (&plan, &m.holdout) {
        (Some(d), Some(h)) if d.kind == DesignKind::Holdout => {
            Some(o2o_core::design::planned_readout(d, h)?)
        }
        _ => None,
    };
    if a.json {
        let mut v = serde_json::to_value(&m)?;
        if let Some(d) = &plan {
            v["design"] = match &stores {
                Some(r) => serde_json::json!({ "plan": d, "readout": r }),
                None => serde_json::json!({ "plan": d, "readout": planned }),
            };
        }
        let text = serde_json::to_string_pretty(&v)?;
        crate::output::print_line(text)?;
    } else {
        crate::output::print(&render::text::render(&view))?;
        crate::output::print(&trust_text(&m))?;
        match (&plan, &stores) {
            (Some(d), Some(r)) => crate::output::print(&store_text(d, r))?,
            (Some(d), None) => crate::output::print(&planned_text(d, planned.as_ref()))?,
            _ => {}
        }
    }
    Ok(())
}

/// The planned readout, within 100 columns.
fn planned_text(
    d: &o2o_core::design::DesignFile,
    r: Option<&o2o_core::design::PlannedReadout>,
) -> String {
    use render::text::{COLUMNS, wrap};
    let mut o = String::from("\nAs planned\n");
    let how = match d.readout {
        o2o_core::design::Readout::FixedHorizon => "read once at the end (fixed horizon)",
        o2o_core::design::Readout::Sequential { .. } => {
            "read sequentially (always-valid intervals)"
        }
    };
    o.push_str(&wrap(
        &format!(
            "{} days, α = {}, {how}; planned to detect {:+.1} % with power {:.0} %",
            d.days,
            d.alpha,
            d.mde * 100.0,
            d.power * 100.0
        ),
        COLUMNS,
        "• ",
        2,
    ));
    match r {
        Some(r) => o.push_str(&wrap(&r.decision, COLUMNS, "• ", 2)),
        None => o.push_str(&wrap(
            "no holdout comparison in this period and population to read as planned",
            COLUMNS,
            "• ",
            2,
        )),
    }
    o
}

/// A store test read as planned, within 100 columns.
fn store_text(d: &DesignFile, r: &StoreReadout) -> String {
    use render::text::{COLUMNS, wrap};
    let mut o = String::from("\nAs planned: store test\n");
    let method = match r.method {
        StoreMethod::SyntheticControl => "synthetic control",
        StoreMethod::Did => "difference in differences against matched control stores",
    };
    let controls: Vec<String> = r
        .controls
        .iter()
        .filter(|w| w.weight >= 0.001)
        .map(|w| format!("{} {:.3}", w.store, w.weight))
        .collect();
    for line in [
        format!(
            "read by {method}, {}, α = {}; planned to detect {:+.1} % with power {:.0} % in {} \
             days",
            if r.looks.is_empty() {
                "once at the end (fixed horizon)"
            } else {
                "every day (sequential, always-valid intervals)"
            },
            r.alpha,
            d.mde * 100.0,
            d.power * 100.0,
            r.planned_days
        ),
        format!(
            "test {} to {} ({} periods) against the {} periods from {} to {}",
            r.test[0], r.test[1], r.test_periods, r.pre_periods, r.pre[0], r.pre[1]
        ),
        format!(
            "treated: {}; controls: {}",
            r.treated_stores.join(", "),
            controls.join(", ")
        ),
        match r.p_value {
            None => format!(
                "effect {:+.2} %, planned interval {:+.2} % to {:+.2} %; the estimator's own \
                 p-value {:.3}",
                r.relative_effect * 100.0,
                r.interval[0] * 100.0,
                r.interval[1] * 100.0,
                r.estimator_p_value
            ),
            Some(p) => format!(
                "effect {:+.2} % after {} periods, always-valid interval {:+.2} % to {:+.2} %, \
                 always-valid p-value {:.3}; the estimator's own p-value {:.3}",
                r.relative_effect * 100.0,
                r.test_periods,
                r.interval[0] * 100.0,
                r.interval[1] * 100.0,
                p,
                r.estimator_p_value
            ),
        },
        r.decision.clone(),
    ] {
        o.push_str(&wrap(&line, COLUMNS, "• ", 2));
    }
    if !r.looks.is_empty() {
        o.push_str("\nperiod      days  effect    always-valid interval   p-value\n");
        for l in &r.looks {
            o.push_str(&format!(
                "{:<10}  {:>4}  {:>+7.2} %  {:>+7.2} % to {:>+7.2} %  {:>7.3}\n",
                l.period,
                l.periods,
                l.estimate * 100.0,
                l.interval[0] * 100.0,
                l.interval[1] * 100.0,
                l.p_value
            ));
        }
    }
    o
}

/// What to trust and how each incremental estimate was identified, within 100 columns.
fn trust_text(m: &o2o_core::measure::Measurement) -> String {
    use render::text::{COLUMNS, wrap};
    let mut o = String::from("\nWhat to trust\n");
    for line in std::iter::once(&m.trust).chain(&m.warnings) {
        if !line.is_empty() {
            o.push_str(&wrap(line, COLUMNS, "• ", 2));
        }
    }
    let rows: Vec<String> = m
        .campaigns
        .iter()
        .filter_map(|c| {
            let i = c.incremental.as_ref()?;
            let name = match &c.campaign {
                Some(k) => format!("{} / {k}", c.channel),
                None => c.channel.clone(),
            };
            Some(format!("{name}: {}", i.label))
        })
        .collect();
    if !rows.is_empty() {
        o.push_str("\nHow each incremental estimate was identified\n");
        for r in rows {
            o.push_str(&wrap(&r, COLUMNS, "• ", 2));
        }
    }
    o
}

/// Write the HTML page and the workbook where asked.
pub fn write_rendered(
    view: &ReportView,
    html: Option<&Path>,
    xlsx: Option<&Path>,
) -> Result<(), CliError> {
    if let Some(p) = html {
        fs::write(p, render::html::render(view)).map_err(CliError::io(p))?;
        eprintln!("wrote {}", p.display());
    }
    if let Some(p) = xlsx {
        render::xlsx::write(view, p).map_err(CliError::at::<render::xlsx::XlsxRenderError>(p))?;
        eprintln!("wrote {}", p.display());
    }
    Ok(())
}
