//! `o2o attribute --paths FILE | --events FILE | --store DIR --model M [--order K] [--sep ">"]
//! [--lookback ...] [--from D --to D] [--population P] [--visit-window 2h]`
//!
//! Prints `{"model": M, "order": K, "channels": [{"channel", "conversions", "value"}...]}` (and
//! for Markov `removal_effects` and `p_conversion`). From events, the conversions are visits
//! (check-ins grouped as the report groups them) of a population over a period, which the JSON
//! states (`period`, `population`, `visits`…). Rejected rows or lines go to stderr with their
//! line and field; the good ones are used.

use super::CliError;
use o2o_core::attribution::incremental::incremental;
use o2o_core::attribution::markov::Solver;
use o2o_core::attribution::{JourneyConfig, Model, PathTable};
use o2o_core::event::Event;
use o2o_core::measure::{NumberKind, Population, Side, TimeZone, analysis_events, side_from_store};
use o2o_core::store::Store;
use std::fs;
use std::io::Write;
use std::path::PathBuf;

/// Flags of `o2o attribute`.
#[derive(clap::Args)]
#[command(
    after_help = "Which number: the attribution models give *credited* conversions \
(`\"measure\": \"credited\"`), a split of the observed visits among the channels on their paths, \
not an effect. `--model incremental` gives *observational incremental* visits \
(`\"measure\": \"observational_incremental\"`): exposed against unexposed customers, a model, not \
an experiment. For what a campaign caused, measure it against a holdout (`o2o report`, `o2o uplift`)."
)]
#[command(group(clap::ArgGroup::new("input").required(true).args(["paths", "events", "store"])))]
pub struct Args {
    /// A path table in ChannelAttribution's format:
    /// `path;total_conversions[;total_conversion_value][;total_null]` (`;` or `,` delimited).
    #[arg(long)]
    pub paths: Option<PathBuf>,
    /// Raw events (NDJSON, as `o2o simulate` writes). Profiles: events sharing an external id,
    /// loyalty card, email, phone or device id (trimmed, lowercased) are one person.
    #[arg(long)]
    pub events: Option<PathBuf>,
    /// The event store written by `o2o ingest` (instead of --events).
    #[arg(long)]
    pub store: Option<PathBuf>,
    /// first | last | last-non-direct | linear | position | markov | shapley (time-decay and
    /// incremental with --events).
    #[arg(long)]
    pub model: String,
    /// Markov order, 1 to 4.
    #[arg(long, default_value_t = 1)]
    pub order: usize,
    /// Separator between channels in a path.
    #[arg(long, default_value = ">")]
    pub sep: String,
    /// Lookbacks per touch action over the defaults (click/visit/voucher_claim 30d, open 7d,
    /// impression 1d, purchase off), e.g. `click=14d,impression=12h,open=off`.
    #[arg(long)]
    pub lookback: Option<String>,
    /// Time-decay half-life in days.
    #[arg(long, default_value_t = 7.0)]
    pub half_life_days: f64,
    /// Position model: share of the first and of the last touch.
    #[arg(long, default_value_t = 0.4)]
    pub position_ends: f64,
    /// Markov: estimate removal effects from this many seeded random walks instead of solving
    /// the chain (only for chains too large to solve); at least 1.
    #[arg(long)]
    pub walks: Option<u64>,
    /// Seed of `--walks`.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Period, population, visit window and resolution rules (with --events or --store).
    #[command(flatten)]
    pub scope: super::report::Scope,
}

fn core(e: impl std::fmt::Display) -> CliError {
    CliError::Usage(e.to_string())
}

/// Run `o2o attribute`.
pub fn run(a: Args) -> Result<(), CliError> {
    let mut model: Model = a.model.parse().map_err(core)?;
    match &mut model {
        Model::Markov { order, solver } => {
            *order = a.order;
            if let Some(walks) = a.walks {
                *solver = Solver::MonteCarlo {
                    walks,
                    seed: a.seed,
                };
            }
        }
        Model::TimeDecay { half_life } => {
            if !(a.half_life_days.is_finite() && a.half_life_days > 0.0) {
                return Err(CliError::Usage(
                    "--half-life-days must be a positive number".into(),
                ));
            }
            *half_life = (a.half_life_days * 86_400.0).round() as i64;
        }
        Model::Rule(o2o_core::attribution::heuristic::Rule::Position { first, last }) => {
            if !(0.0..=0.5).contains(&a.position_ends) {
                return Err(CliError::Usage("--position-ends must be in 0..=0.5".into()));
            }
            *first = a.position_ends;
            *last = a.position_ends;
        }
        _ => {}
    }
    if a.paths.is_some() && a.scope.is_given() {
        return Err(CliError::Usage(
            "--from, --to and --population select visits of events: give --events FILE or --store DIR, not --paths".into(),
        ));
    }
    let credit = if let Some(p) = &a.paths {
        let bytes = fs::read(p).map_err(CliError::io(p))?;
        let parsed = PathTable::parse_bytes(&bytes, &a.sep)
            .map_err(|e| CliError::Usage(format!("{}: {e}", p.display())))?;
        for e in &parsed.errors {
            eprintln!("{}: {e}", p.display());
        }
        model.run(&parsed.table).map_err(core)?
    } else if a.events.is_some() || a.store.is_some() {
        let input = super::input::EventsInput {
            events: a.events.clone(),
            store: a.store.clone(),
        };
        let mut cfg = JourneyConfig::default();
        if let Some(spec) = &a.lookback {
            cfg = cfg.parse_lookbacks(spec).map_err(core)?;
        }
        let store = match &a.store {
            Some(dir) => Some(Store::open(dir)?),
            None => None,
        };
        let tz = store.as_ref().map_or(TimeZone::UTC, Store::timezone);
        // An estimate of effect compares customers; a credited split shares out every visit.
        let default = if model == Model::Incremental {
            Population::Customers
        } else {
            Population::All
        };
        let opts = a.scope.options(&tz, default)?;
        // Journeys follow people: the identity graph's profiles, under --rules or the defaults.
        let (graph, events) = super::resolve::load(&input, a.scope.rules.as_deref())?;
        let side = match &store {
            Some(s) => side_from_store(s, &graph).map_err(core)?.0,
            None => Side::default(),
        };
        let key = |e: &Event| graph.profile_id_of_event(e).map(String::from);
        // Visits, population and period as the report counts them.
        let analysis = analysis_events(&events, &key, &side, &opts);
        let scope = serde_json::to_value(&analysis.scope)?;
        if model == Model::Incremental {
            let table = analysis.exposure_table(&cfg).map_err(core)?;
            let fit = incremental(&table).map_err(core)?;
            let mut json = serde_json::to_value(&fit.credit)?;
            if let Some(obj) = json.as_object_mut() {
                obj.insert("baseline_rate".into(), fit.baseline_rate.into());
                obj.insert("lifts".into(), serde_json::to_value(&fit.lifts)?);
            }
            return print_json(&labelled(
                with_scope(json, scope),
                NumberKind::ObservationalIncremental,
            ));
        }
        let journeys = analysis.journeys(&cfg);
        let credit = model.run_journeys(&journeys).map_err(core)?;
        let json = serde_json::to_value(&credit)?;
        return print_json(&labelled(with_scope(json, scope), NumberKind::Credited));
    } else {
        return Err(CliError::Usage(
            "give --paths FILE, --events FILE or --store DIR".into(),
        ));
    };
    let json = serde_json::to_value(&credit)?;
    print_json(&labelled(json, NumberKind::Credited))
}

/// The result with the kind of number it is (`measure`) and what that means (`meaning`).
pub(crate) fn labelled(mut json: serde_json::Value, kind: NumberKind) -> serde_json::Value {
    if let Some(obj) = json.as_object_mut() {
        obj.insert("measure".into(), kind.as_str().into());
        obj.insert("meaning".into(), kind.meaning().into());
    }
    json
}

/// The result with the period, population and visits it covered beside it.
fn with_scope(mut json: serde_json::Value, scope: serde_json::Value) -> serde_json::Value {
    if let (Some(obj), serde_json::Value::Object(scope)) = (json.as_object_mut(), scope) {
        obj.extend(scope);
    }
    json
}

fn print_json<T: serde::Serialize>(value: &T) -> Result<(), CliError> {
    let json = serde_json::to_string_pretty(value)?;
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{json}") {
        // A closed pipe (`| head`) is not an error of ours.
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(CliError::Io {
            path: "stdout".into(),
            source: e,
        }),
        _ => Ok(()),
    }
}
