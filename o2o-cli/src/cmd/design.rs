//! `o2o design holdout|stores|panel`: plan a test before the money is spent — holdout share and
//! duration, the holdout list, which stores to treat — and write the plan `o2o report
//! --design FILE` reads back. The logic is `o2o_core::design`; this module parses flags, reads
//! the store, prints and writes files.

use super::CliError;
use o2o_core::design::{
    self, DESIGN_FORMAT, DesignFile, DesignKind, History, HoldoutOptions, Metric, PanelModel,
    Readout, StoreMethod, StorePanel, StoresOptions,
};
use o2o_core::identity::ResolutionRules;
use o2o_core::store::Store;
use std::fs::{self, File};
use std::io::BufWriter;
use std::path::{Path, PathBuf};

/// Flags of `o2o design`.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: DesignCommand,
}

#[derive(clap::Subcommand)]
enum DesignCommand {
    /// Customer holdout: share and duration for a minimum detectable effect (with and without
    /// CUPED), and the stratified, seeded holdout list (--assign).
    Holdout(HoldoutArgs),
    /// Store (geo) test: which stores to treat, ranked by simulated power on the history.
    Stores(StoresArgs),
    /// Write a simulated store × day panel (known model) as CSV, for trying `design stores
    /// --panel` and comparing with other tools.
    Panel(PanelArgs),
}

/// Output flags shared by the design commands.
#[derive(clap::Args)]
struct Output {
    /// Print the design as JSON instead of text.
    #[arg(long)]
    json: bool,
    /// Also write the design as one HTML page with its power curves.
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
    /// Write the plan (design file) that `o2o report --design FILE` reads back.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// How the test will be read: fixed (once, at the end) or sequential (always-valid
    /// intervals, may be read every day).
    #[arg(long, default_value = "fixed")]
    readout: String,
    /// First day of the test (YYYY-MM-DD, the store's time zone), written into the plan.
    #[arg(long)]
    start: Option<String>,
    /// Seed of every random draw (the split, the candidate sets, the checks).
    #[arg(long, default_value_t = 42)]
    seed: u64,
}

#[derive(clap::Args)]
struct HoldoutArgs {
    /// The event store with the history (`o2o ingest` or `o2o simulate --store`).
    #[arg(long)]
    store: PathBuf,
    /// The campaign the holdout is for (written into the assignment list and the plan).
    #[arg(long)]
    campaign: String,
    /// Minimum detectable effect, relative (`5%` or `0.05`).
    #[arg(long, default_value = "5%")]
    mde: String,
    /// Target power.
    #[arg(long, default_value_t = 0.8)]
    power: f64,
    /// Test duration in days (default: the shortest that reaches the MDE).
    #[arg(long)]
    days: Option<usize>,
    /// A fixed holdout share (`10%`): the design then says which effect it detects.
    #[arg(long)]
    share: Option<String>,
    /// Two-sided significance level.
    #[arg(long, default_value_t = 0.05)]
    alpha: f64,
    /// The outcome: visits or revenue (per customer).
    #[arg(long, default_value = "visits")]
    metric: String,
    /// Write the holdout list here: a CSV assignment source for `o2o ingest`
    /// (map: docs/examples/maps/design_assignment.toml).
    #[arg(long, value_name = "OUT")]
    assign: Option<PathBuf>,
    /// Check the design by this many simulated tests on the history (power reached,
    /// false-positive rate at zero effect).
    #[arg(long, value_name = "REPS")]
    check: Option<u64>,
    #[command(flatten)]
    output: Output,
}

#[derive(clap::Args)]
#[group(id = "input", required = true, multiple = false, args = ["store", "panel"])]
struct StoresArgs {
    /// The event store with the history.
    #[arg(long)]
    store: Option<PathBuf>,
    /// A store × period panel as CSV (`store,period,value`) instead of a store.
    #[arg(long)]
    panel: Option<PathBuf>,
    /// Number of stores to treat.
    #[arg(long)]
    treat: usize,
    /// Stores that may be neither treated nor controls, comma-separated.
    #[arg(long, value_name = "STORES", value_delimiter = ',')]
    exclude: Vec<String>,
    /// Test duration in days (periods of the panel).
    #[arg(long, default_value_t = 28)]
    days: usize,
    /// The outcome per store and day: visits or revenue.
    #[arg(long, default_value = "visits")]
    metric: String,
    /// Two-sided significance level.
    #[arg(long, default_value_t = 0.05)]
    alpha: f64,
    /// Target power.
    #[arg(long, default_value_t = 0.8)]
    power: f64,
    /// Relative effects planted, comma-separated (0 is always added).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "0,1%,2%,3%,4%,5%,7.5%,10%,15%,20%"
    )]
    effects: Vec<String>,
    /// Simulated test windows per candidate set in the screening.
    #[arg(long, default_value_t = 8)]
    windows: usize,
    /// Seeded random candidate sets besides the correlation neighbourhoods.
    #[arg(long, default_value_t = 30)]
    sets: usize,
    /// Sets reported.
    #[arg(long, default_value_t = 5)]
    top: usize,
    /// Fewest days of history before a simulated test.
    #[arg(long, default_value_t = 28)]
    min_pre: usize,
    /// The estimator that ranks the sets and reads the test: synthetic-control (weighted
    /// control stores) or did (difference in differences against matched control stores).
    #[arg(long, default_value = "synthetic-control")]
    method: String,
    /// With --method did: matched control stores per treated store (the most correlated
    /// before each test).
    #[arg(long, default_value_t = 3)]
    matches: usize,
    #[command(flatten)]
    output: Output,
}

#[derive(clap::Args)]
struct PanelArgs {
    /// Stores.
    #[arg(long, default_value_t = 40)]
    stores: usize,
    /// Regions.
    #[arg(long, default_value_t = 5)]
    regions: usize,
    /// Days.
    #[arg(long, default_value_t = 182)]
    days: usize,
    /// Seed of the stores (levels, regions, weekly cycles).
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// Seed of the daily factors and noise.
    #[arg(long, default_value_t = 100)]
    noise_seed: u64,
    /// The CSV to write.
    #[arg(long)]
    out: PathBuf,
}

/// Run `o2o design`.
pub fn run(a: Args) -> Result<(), CliError> {
    match a.command {
        DesignCommand::Holdout(h) => holdout(h),
        DesignCommand::Stores(s) => stores(s),
        DesignCommand::Panel(p) => panel(p),
    }
}

fn core(e: design::DesignError) -> CliError {
    match e {
        design::DesignError::Flag { .. } => CliError::Usage(e.to_string()),
        other => other.into(),
    }
}

/// `5%` → 0.05, `0.05` → 0.05.
fn fraction(flag: &str, s: &str) -> Result<f64, CliError> {
    let t = s.trim();
    let v = match t.strip_suffix('%') {
        Some(p) => p.trim().parse::<f64>().map(|x| x / 100.0),
        None => t.parse::<f64>(),
    };
    v.ok().filter(|x| x.is_finite()).ok_or_else(|| {
        CliError::Usage(format!(
            "--{flag} `{s}`: expected a share such as 5% or 0.05"
        ))
    })
}

pub(crate) fn history(dir: &Path) -> Result<(History, Store), CliError> {
    let store = Store::open(dir)?;
    let people = super::input::store_people(&store, ResolutionRules::default())?;
    if people.events.is_empty() {
        return Err(CliError::empty_store(dir));
    }
    let graph = &people.graph;
    let key = |e: &o2o_core::event::Event| graph.profile_id_of_event(e).map(String::from);
    // The profile, and its first normalised identifier of the same kind (the profile's own
    // form, which an ingested list links back to it).
    let profile_of = |i: &o2o_core::event::Identifier| {
        let p = graph.profile_of(i)?;
        let named = p.identifiers.iter().find(|x| x.kind == i.kind)?.clone();
        Some((p.id.to_string(), named))
    };
    let h = History::from_events_named(&people.events, &key, Some(&profile_of), &store.timezone())
        .map_err(CliError::at::<design::DesignError>(dir))?;
    Ok((h, store))
}

fn write_json(path: &Path, v: &impl serde::Serialize) -> Result<(), CliError> {
    let text = serde_json::to_string_pretty(v)?;
    fs::write(path, text + "\n").map_err(CliError::io(path))?;
    eprintln!("wrote {}", path.display());
    Ok(())
}

fn pct(x: f64) -> String {
    format!("{:.1} %", x * 100.0)
}

fn holdout(a: HoldoutArgs) -> Result<(), CliError> {
    let metric: Metric = a.metric.parse().map_err(core)?;
    let o = HoldoutOptions {
        metric,
        alpha: a.alpha,
        power: a.power,
        mde: fraction("mde", &a.mde)?,
        share: a
            .share
            .as_deref()
            .map(|s| fraction("share", s))
            .transpose()?,
        days: a.days,
        ..HoldoutOptions::default()
    };
    let (h, _store) = history(&a.store)?;
    let d = design::design_holdout(&h, &o).map_err(core)?;
    let r = &d.recommended;
    let n = (r.holdout_customers + r.target_customers) as f64;
    let readout = Readout::parse(&a.output.readout, n).map_err(core)?;
    let level = design::PowerTarget {
        alpha: d.alpha,
        ..design::PowerTarget::default()
    };
    let width = design::expected_width(readout, r.interval_width, n, &level).map_err(core)?;
    let mut assigned = None;
    if let Some(path) = &a.assign {
        let split = design::assign_holdout(&h, r.share, a.output.seed).map_err(core)?;
        let day = a
            .output
            .start
            .clone()
            .or_else(|| h.days.last().cloned())
            .unwrap_or_default();
        let f = File::create(path).map_err(CliError::io(path))?;
        design::write_assignment_csv(&split, &a.campaign, &day, BufWriter::new(f))
            .map_err(CliError::io(path))?;
        eprintln!(
            "wrote {}: {} held out, {} targeted, stratified by region and value tier ({} strata){}",
            path.display(),
            split.holdout,
            split.target,
            split.strata.len(),
            if split.unnamed > 0 {
                format!(
                    "; {} customers seen only by device or IP are left out",
                    split.unnamed
                )
            } else {
                String::new()
            }
        );
        assigned = Some(split);
    }
    let check = match a.check {
        Some(reps) => {
            let row = d
                .durations
                .iter()
                .find(|x| x.days == r.days)
                .ok_or_else(|| CliError::Unusable("the recommended duration has no row".into()))?;
            let check = design::HoldoutCheck {
                share: r.share,
                effect: d.mde,
                cuped: r.cuped,
                alpha: d.alpha,
                replications: reps,
                seed: a.output.seed,
            };
            let at_mde = design::check_holdout(&row.stats, &check).map_err(core)?;
            let at_zero = design::check_holdout(
                &row.stats,
                &design::HoldoutCheck {
                    effect: 0.0,
                    seed: a.output.seed ^ 1,
                    ..check
                },
            )
            .map_err(core)?;
            Some((at_mde, at_zero))
        }
        None => None,
    };
    let plan = DesignFile {
        o2o_design: DESIGN_FORMAT,
        kind: DesignKind::Holdout,
        campaign: Some(a.campaign.clone()),
        metric,
        alpha: d.alpha,
        power: d.power,
        mde: d.mde,
        days: r.days as u32,
        start: a.output.start.clone(),
        readout,
        holdout_share: Some(r.share),
        cuped: r.cuped,
        customers: Some(n as u64),
        treated_stores: Vec::new(),
        control_weights: Vec::new(),
        method: None,
        expected_interval_width: width,
        look_se: Vec::new(),
        seed: a.output.seed,
        assignment: a.assign.as_ref().map(|p| p.display().to_string()),
    };
    if let Some(p) = &a.output.out {
        write_json(p, &plan)?;
    }
    if let Some(p) = &a.output.html {
        let page = design::render_html(&format!("Holdout design: {}", a.campaign), Some(&d), None);
        fs::write(p, page).map_err(CliError::io(p))?;
        eprintln!("wrote {}", p.display());
    }
    if a.output.json {
        let mut v = serde_json::json!({ "design": d, "plan": plan });
        if let Some(s) = &assigned {
            v["assignment"] = serde_json::json!({
                "holdout": s.holdout, "target": s.target, "unnamed": s.unnamed, "strata": s.strata });
        }
        if let Some((m, z)) = &check {
            v["check"] = serde_json::json!({ "at_mde": m, "at_zero": z });
        }
        return super::uplift::print_json(&v);
    }
    let mut o = String::new();
    o.push_str(&format!(
        "Holdout for {}: hold out {} of {} customers ({}) for {} days, read {} ({} CUPED).\n",
        a.campaign,
        r.holdout_customers,
        r.holdout_customers + r.target_customers,
        pct(r.share),
        r.days,
        match readout {
            Readout::FixedHorizon => "once at the end",
            Readout::Sequential { .. } => "sequentially (always-valid intervals)",
        },
        if r.cuped { "with" } else { "without" }
    ));
    o.push_str(&format!(
        "It detects {} in {} per customer with power {} at α = {}; expected interval width {}.\n{}.\n\n",
        pct(r.mde),
        metric.as_str(),
        pct(r.power),
        d.alpha,
        pct(width),
        r.reason
    ));
    o.push_str("days  customers   mean/customer  pre-period ρ  share needed  with CUPED  MDE at share  with CUPED\n");
    for row in &d.durations {
        let s = |x: Option<f64>| x.map_or_else(|| "> 50 %".to_owned(), pct);
        o.push_str(&format!(
            "{:>4}  {:>9}  {:>14.3}  {:>12.2}  {:>12}  {:>10}  {:>12}  {:>10}\n",
            row.days,
            row.stats.customers,
            row.stats.mean,
            row.stats.correlation,
            s(row.share_needed),
            s(row.share_needed_cuped),
            pct(row.mde),
            pct(row.mde_cuped)
        ));
    }
    if let Some((m, z)) = &check {
        o.push_str(&format!(
            "\nCheck, {} simulated tests: power {} (stated {}, ±{}), false positives at zero effect {} (α = {}).\n",
            m.replications,
            pct(m.power),
            pct(m.stated_power),
            pct(m.power_se),
            pct(z.false_positive_rate),
            d.alpha
        ));
    }
    crate::output::print(&o)
}

fn stores(a: StoresArgs) -> Result<(), CliError> {
    let metric: Metric = a.metric.parse().map_err(core)?;
    let panel = match (&a.store, &a.panel) {
        (Some(dir), _) => history(dir)?.0.store_panel(metric).map_err(core)?,
        (None, Some(p)) => {
            let f = File::open(p).map_err(CliError::io(p))?;
            StorePanel::read_csv(std::io::BufReader::new(f), &p.display().to_string())
                .map_err(core)?
        }
        (None, None) => return Err(CliError::Usage("give --store DIR or --panel FILE".into())),
    };
    let mut effects = vec![0.0];
    for e in &a.effects {
        let v = fraction("effects", e)?;
        if !effects.contains(&v) {
            effects.push(v);
        }
    }
    effects.sort_by(f64::total_cmp);
    let o = StoresOptions {
        treat: a.treat,
        exclude: a
            .exclude
            .iter()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect(),
        days: a.days,
        alpha: a.alpha,
        power: a.power,
        effects,
        windows: a.windows,
        random_sets: a.sets,
        top: a.top,
        min_pre: a.min_pre,
        seed: a.output.seed,
        method: a.method.parse().map_err(core)?,
        matches: a.matches,
        stated_power: design::StatedPower::Predictive,
        calibration: design::Calibration::Whole,
    };
    // A sequential store test is tuned to be tightest at the planned end.
    let readout = match Readout::parse(&a.output.readout, 0.0).map_err(core)? {
        Readout::FixedHorizon => Readout::FixedHorizon,
        Readout::Sequential { .. } => design::sequential_store_readout(a.days),
    };
    let d = design::design_stores(&panel, &o).map_err(core)?;
    let best = d.top.first();
    // Sequential: the error scale of each daily look, read on the history, and the width of
    // the always-valid interval at the planned end.
    let (look_se, width) = match (readout, best) {
        (Readout::Sequential { tuning_n }, Some(b)) => {
            let se = design::look_scales(&panel, b, &o).map_err(core)?;
            let last = se.last().copied().unwrap_or(f64::NAN);
            let end = o2o_core::uplift::confidence_sequence(
                0.0,
                last,
                d.days as f64,
                &design::store_sequence(d.alpha, tuning_n),
            )
            .map_err(|e| CliError::Unusable(e.to_string()))?;
            let w = end.ci.map_or(f64::NAN, |c| c[1] - c[0]);
            (se, Some(w))
        }
        _ => (Vec::new(), None),
    };
    let plan = best.map(|b| DesignFile {
        o2o_design: DESIGN_FORMAT,
        kind: DesignKind::Stores,
        campaign: None,
        metric,
        alpha: d.alpha,
        power: d.power,
        mde: b.mde.unwrap_or(f64::NAN),
        days: d.days as u32,
        start: a.output.start.clone(),
        readout,
        holdout_share: None,
        cuped: false,
        customers: None,
        treated_stores: b.stores.clone(),
        control_weights: b.weights.clone(),
        method: Some(d.method),
        expected_interval_width: width.unwrap_or(b.interval_width),
        look_se: look_se.clone(),
        seed: d.seed,
        assignment: None,
    });
    if let (Some(p), Some(plan)) = (&a.output.out, &plan) {
        if !plan.mde.is_finite() {
            return Err(CliError::Unusable(
                "no candidate set detects any of the planted effects with the target power: \
                 plant larger --effects, run longer (--days) or treat more stores"
                    .into(),
            ));
        }
        write_json(p, plan)?;
    }
    if let Some(p) = &a.output.html {
        let page = design::render_html("Store test design", None, Some(&d));
        fs::write(p, page).map_err(CliError::io(p))?;
        eprintln!("wrote {}", p.display());
    }
    if a.output.json {
        return super::uplift::print_json(&serde_json::json!({ "design": d, "plan": plan }));
    }
    let mut o = format!(
        "{} candidate sets of {} stores read by {} and ranked on {} simulated {}-day tests ending \
         by period {}; the figures of the best {} come from the {} tests after it (not used to \
         rank them), of {} periods of history.\n\n",
        d.candidates,
        d.treat,
        match d.method {
            StoreMethod::SyntheticControl => "synthetic control".to_owned(),
            StoreMethod::Did => format!(
                "difference in differences against {} matched controls per store",
                d.matches.unwrap_or_default()
            ),
        },
        d.screening_windows,
        d.days,
        d.ranked_before,
        d.top.len(),
        d.stated_windows,
        d.periods
    );
    o.push_str("rank  stores                          MDE     power  bias at 0  false pos.  interval  origin\n");
    for c in &d.top {
        o.push_str(&format!(
            "{:>4}  {:<30}  {:>6}  {:>6}  {:>9}  {:>10}  {:>8}  {}\n",
            c.rank,
            c.stores.join(","),
            c.mde.map_or_else(|| "—".to_owned(), pct),
            c.power_at_mde.map_or_else(|| "—".to_owned(), pct),
            pct(c.bias),
            pct(c.false_positive_rate),
            pct(c.interval_width),
            c.origin
        ));
    }
    if let Some(b) = best {
        let controls: Vec<String> = b
            .weights
            .iter()
            .map(|w| format!("{} {:.3}", w.store, w.weight))
            .collect();
        o.push_str(&format!(
            "\n{} of the best set: {}\n",
            match d.method {
                StoreMethod::SyntheticControl => "Controls (synthetic-control weights)",
                StoreMethod::Did => "Matched controls (equal weights)",
            },
            controls.join(", ")
        ));
        if let Some(w) = width {
            o.push_str(&format!(
                "Read every day with always-valid intervals: expected width {} after the {} \
                 days (read once at the end: {}).\n",
                pct(w),
                d.days,
                pct(b.interval_width)
            ));
        }
    }
    crate::output::print(&o)
}

fn panel(a: PanelArgs) -> Result<(), CliError> {
    if a.stores < 3 || a.days < 4 {
        return Err(CliError::Usage(
            "--stores at least 3 and --days at least 4".into(),
        ));
    }
    let model = PanelModel {
        stores: a.stores,
        regions: a.regions.max(1),
        periods: a.days,
        seed: a.seed,
        ..PanelModel::default()
    };
    let p = design::simulate_panel(&model, a.noise_seed);
    let f = File::create(&a.out).map_err(CliError::io(&a.out))?;
    p.write_csv(BufWriter::new(f))
        .map_err(CliError::io(&a.out))?;
    eprintln!(
        "wrote {}: {} stores × {} days",
        a.out.display(),
        a.stores,
        a.days
    );
    Ok(())
}
