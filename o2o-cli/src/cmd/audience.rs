//! `o2o audience --store DIR --segment RULES [--exclude-bought SKU|CATEGORY --within DAYS]
//! [--viewed-not-bought [--viewed-within DAYS]]`: the profiles a segment's rules select, minus
//! those who bought the product recently, as CSV or JSON lines — with `--viewed-not-bought`, each
//! consenting member's products viewed online and not bought since; `o2o export --to
//! customer-match|meta-audience` uploads the same audience.

use super::CliError;
use o2o_core::activation::{
    AudienceMember, AudienceOptions, AudienceStats, DEFAULT_VIEWED_WITHIN_DAYS, Suppression,
    ViewedOptions, audience_members,
};
use o2o_core::event::Event;
use o2o_core::identity::ResolutionRules;
use o2o_core::segment::RuleSet;
use o2o_core::store::Store;
use std::collections::{BTreeSet, HashMap};
use std::fs;
use std::path::{Path, PathBuf};

/// Who is in the audience: shared by `o2o audience` and `o2o export`.
#[derive(clap::Args, Clone, Debug)]
pub struct AudienceArgs {
    /// Segment rules (JSON, as for `o2o segment`): a profile is in the audience when a rule
    /// matches it. Without rules: every profile.
    #[arg(long)]
    pub segment: Option<PathBuf>,
    /// Leave out profiles that bought this SKU, or a SKU of this category (with --catalog),
    /// within --within days. Repeat for several.
    #[arg(long, value_name = "SKU|CATEGORY", requires = "within")]
    pub exclude_bought: Vec<String>,
    /// Days before the audience's time in which a purchase suppresses.
    #[arg(long, value_name = "DAYS", requires = "exclude_bought")]
    pub within: Option<u32>,
    /// CSV `sku,category` naming each SKU's category, for --exclude-bought CATEGORY.
    #[arg(long)]
    pub catalog: Option<PathBuf>,
    /// When the audience is judged (Unix seconds or RFC 3339); default: the latest event.
    #[arg(long)]
    pub at: Option<String>,
    /// List each member's products viewed online (within --viewed-within days) and not bought
    /// anywhere since; keep only members with marketing consent and such a product.
    #[arg(long)]
    pub viewed_not_bought: bool,
    /// Days before the audience's time in which a product view counts (default 30).
    #[arg(long, value_name = "DAYS", requires = "viewed_not_bought")]
    pub viewed_within: Option<u32>,
}

/// Resolution rules from a JSON file, or the defaults.
pub fn resolution_rules(path: Option<&Path>) -> Result<ResolutionRules, CliError> {
    match path {
        Some(p) => {
            let text = fs::read_to_string(p).map_err(CliError::io(p))?;
            serde_json::from_str(&text)
                .map_err(|e| CliError::Usage(format!("{}: {e}", p.display())))
        }
        None => Ok(ResolutionRules::default()),
    }
}

fn read_catalog(p: &Path) -> Result<HashMap<String, String>, CliError> {
    let mut r =
        csv::Reader::from_path(p).map_err(|e| CliError::Usage(format!("{}: {e}", p.display())))?;
    let mut out = HashMap::new();
    for (n, row) in r.records().enumerate() {
        let row = row.map_err(|e| CliError::Usage(format!("{}: {e}", p.display())))?;
        match (row.get(0), row.get(1)) {
            (Some(sku), Some(cat)) if !sku.is_empty() && !cat.is_empty() => {
                out.insert(sku.to_owned(), cat.to_owned());
            }
            _ => {
                return Err(CliError::Usage(format!(
                    "{}: line {}: expected sku,category",
                    p.display(),
                    n + 2
                )));
            }
        }
    }
    Ok(out)
}

impl AudienceArgs {
    /// The audience over `events` grouped by `key`.
    pub fn members(
        &self,
        events: &[Event],
        key: &dyn Fn(&Event) -> Option<String>,
    ) -> Result<(Vec<AudienceMember>, AudienceStats), CliError> {
        let rules = match &self.segment {
            Some(p) => {
                let text = fs::read_to_string(p).map_err(CliError::io(p))?;
                Some(
                    RuleSet::from_json(&text)
                        .map_err(|e| CliError::Usage(format!("{}: {e}", p.display())))?,
                )
            }
            None => None,
        };
        let suppression = match self.within {
            Some(days) if !self.exclude_bought.is_empty() => Some(Suppression {
                products: self
                    .exclude_bought
                    .iter()
                    .flat_map(|s| s.split(','))
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty())
                    .collect(),
                within_secs: i64::from(days) * 86_400,
                catalog: match &self.catalog {
                    Some(p) => read_catalog(p)?,
                    None => HashMap::new(),
                },
            }),
            _ => None,
        };
        let now = super::profiles::at(self.at.as_deref(), events)?;
        let viewed = self.viewed_not_bought.then(|| ViewedOptions {
            within_secs: i64::from(self.viewed_within.unwrap_or(DEFAULT_VIEWED_WITHIN_DAYS))
                * 86_400,
        });
        let opts = AudienceOptions {
            rules,
            suppression,
            viewed,
            ..AudienceOptions::default()
        };
        Ok(audience_members(events, key, now, &opts))
    }
}

/// Profile ids from an `o2o audience` file: CSV with a `profile` column, or JSON lines with a
/// `profile` field.
pub fn read_profiles(p: &Path) -> Result<BTreeSet<String>, CliError> {
    let text = fs::read_to_string(p).map_err(CliError::io(p))?;
    let bad = |line: usize, m: &str| CliError::Usage(format!("{}: line {line}: {m}", p.display()));
    let mut out = BTreeSet::new();
    if text.trim_start().starts_with('{') {
        for (n, line) in text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
        {
            let v: serde_json::Value =
                serde_json::from_str(line).map_err(|e| bad(n + 1, &e.to_string()))?;
            let id = v["profile"]
                .as_str()
                .ok_or_else(|| bad(n + 1, "no `profile` field"))?;
            out.insert(id.to_owned());
        }
    } else {
        let mut r = csv::Reader::from_reader(text.as_bytes());
        let col = r
            .headers()
            .map_err(|e| bad(1, &e.to_string()))?
            .iter()
            .position(|h| h == "profile")
            .ok_or_else(|| bad(1, "no `profile` column"))?;
        for (n, row) in r.records().enumerate() {
            let row = row.map_err(|e| bad(n + 2, &e.to_string()))?;
            if let Some(id) = row.get(col).filter(|s| !s.is_empty()) {
                out.insert(id.to_owned());
            }
        }
    }
    if out.is_empty() {
        return Err(CliError::Usage(format!(
            "{}: no profile listed",
            p.display()
        )));
    }
    Ok(out)
}

/// Flags of `o2o audience`.
#[derive(clap::Args)]
pub struct Args {
    /// The event store.
    #[arg(long)]
    store: PathBuf,
    #[command(flatten)]
    select: AudienceArgs,
    /// Output format: csv (`profile,rule,because`; with --viewed-not-bought one row per product,
    /// `profile,sku,name,price,currency,last_viewed,views,rule`) or json (one object per line).
    #[arg(long, default_value = "csv")]
    format: String,
    /// Write here instead of stdout.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Resolution rules as JSON, as for `o2o resolve`.
    #[arg(long)]
    rules: Option<PathBuf>,
}

/// The viewed-not-bought list as CSV: one row per member and product, latest view first.
fn viewed_csv(members: &[AudienceMember]) -> Result<String, CliError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "profile",
        "sku",
        "name",
        "price",
        "currency",
        "last_viewed",
        "views",
        "rule",
    ])?;
    for m in members {
        for p in &m.viewed_not_bought {
            w.write_record([
                m.profile.as_str(),
                p.sku.as_str(),
                p.name.as_deref().unwrap_or(""),
                &p.price.map(|x| x.to_string()).unwrap_or_default(),
                p.currency.as_deref().unwrap_or(""),
                &super::profiles::when(p.last_viewed),
                &p.views.to_string(),
                m.rule.as_deref().unwrap_or(""),
            ])?;
        }
    }
    let bytes = w
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Run `o2o audience`.
pub fn run(a: Args) -> Result<(), CliError> {
    let json = match a.format.as_str() {
        "csv" => false,
        "json" => true,
        other => {
            return Err(CliError::Usage(format!(
                "--format `{other}`: expected csv or json"
            )));
        }
    };
    let store = Store::open(&a.store)?;
    let people = super::input::store_people(&store, resolution_rules(a.rules.as_deref())?)?;
    if people.events.is_empty() {
        return Err(CliError::empty_store(a.store));
    }
    let graph = &people.graph;
    let key = |e: &Event| graph.profile_id_of_event(e).map(String::from);
    let (members, stats) = a.select.members(&people.events, &key)?;
    let mut out = String::new();
    if json {
        for m in &members {
            out.push_str(&serde_json::to_string(m)?);
            out.push('\n');
        }
    } else if a.select.viewed_not_bought {
        out = viewed_csv(&members)?;
    } else {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(["profile", "rule", "because"])?;
        for m in &members {
            w.write_record([
                m.profile.as_str(),
                m.rule.as_deref().unwrap_or(""),
                &m.because.join("; "),
            ])?;
        }
        let bytes = w
            .into_inner()
            .map_err(|e| csv::Error::from(e.into_error()))?;
        out = String::from_utf8_lossy(&bytes).into_owned();
    }
    match &a.out {
        Some(p) => fs::write(p, &out).map_err(CliError::io(p))?,
        None => crate::output::print(&out)?,
    }
    eprintln!(
        "{}: {} profiles, {} selected, {} suppressed, {} in the audience",
        a.store.display(),
        stats.profiles,
        stats.selected,
        stats.suppressed,
        members.len()
    );
    if a.select.viewed_not_bought {
        eprintln!(
            "viewed, not bought: {} products for {} members; left out: {} without marketing consent, {} with nothing viewed and not bought",
            members
                .iter()
                .map(|m| m.viewed_not_bought.len())
                .sum::<usize>(),
            members.len(),
            stats.no_marketing_consent,
            stats.nothing_viewed
        );
    }
    if members.is_empty() {
        return Err(CliError::Unusable("the audience is empty".into()));
    }
    Ok(())
}
