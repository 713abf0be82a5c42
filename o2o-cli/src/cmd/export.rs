//! `o2o export --store DIR --to PLATFORM --out FILE [--from DAY --to DAY] [--event-name NAME]`:
//! the file an ad platform's documented import takes, consent-gated per record
//! (docs/activation.md, "Ad-platform exports").
//!
//! `--to` names the platform; given a second time with a date it is the period's last day, so
//! `--to meta-capi --from 2026-03-01 --to 2026-03-31` reads as written. Conversions platforms
//! take the store's visits of the period; `customer-match` and `meta-audience` take an audience
//! (`--segment RULES` with optional suppression, or `--audience FILE` from `o2o audience`).

use super::CliError;
use super::audience::{AudienceArgs, read_profiles};
use o2o_core::activation::{
    DEFAULT_CLICK_LOOKBACK_SECS, ExportOptions, ExportSummary, Platform, conversions,
    export_audience, export_conversions,
};
use o2o_core::consent::ConsentGate;
use o2o_core::measure::{Period, group_visits};
use o2o_core::store::Store;
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

/// Flags of `o2o export`.
#[derive(clap::Args)]
pub struct Args {
    /// The event store (`o2o ingest`, `o2o simulate --store`).
    #[arg(long)]
    store: PathBuf,
    /// The platform: meta-capi, google-ads-clicks, google-ads-enhanced, tiktok-events,
    /// customer-match or meta-audience. Given again with a date (`YYYY-MM-DD`, the store's
    /// time zone): the last day of the period, inclusive.
    #[arg(long = "to", value_name = "PLATFORM|DAY", required = true, action = clap::ArgAction::Append)]
    to: Vec<String>,
    /// The file to write (replaced whole: written beside it, then renamed).
    #[arg(long)]
    out: PathBuf,
    /// First day of the period (`YYYY-MM-DD`, the store's time zone).
    #[arg(long)]
    from: Option<String>,
    /// Event name (Meta, TikTok) or conversion name / action (Google) of every record; default:
    /// the platform's purchase event for visits with a purchase, a store-visit event otherwise.
    #[arg(long)]
    event_name: Option<String>,
    /// ISO 4217 currency of purchases recorded without one.
    #[arg(long)]
    currency: Option<String>,
    /// Country (ISO 3166-1 alpha-2) of phone numbers written without a country code.
    #[arg(long)]
    default_country: Option<String>,
    /// TikTok: the offline event set id written as `event_source_id`.
    #[arg(long)]
    event_source_id: Option<String>,
    /// Check-ins of one profile at one store within this window are one visit.
    #[arg(long, default_value = "2h")]
    visit_window: String,
    /// Resolution rules as JSON, as for `o2o resolve`.
    #[arg(long)]
    rules: Option<PathBuf>,
    /// Audience platforms: the profiles listed in this file (`o2o audience` CSV or JSON lines)
    /// instead of `--segment`.
    #[arg(long, conflicts_with = "segment")]
    audience: Option<PathBuf>,
    #[command(flatten)]
    select: AudienceArgs,
}

/// The platform and the period's last day from the `--to` values.
fn platform_and_end(values: &[String]) -> Result<(Platform, Option<String>), CliError> {
    let mut platform = None;
    let mut end = None;
    for v in values {
        if let Ok(p) = v.parse::<Platform>() {
            if platform.replace(p).is_some() {
                return Err(CliError::Usage(format!(
                    "--to `{v}`: a platform was already given"
                )));
            }
        } else if v.len() == 10 && v.as_bytes()[4] == b'-' {
            if end.replace(v.clone()).is_some() {
                return Err(CliError::Usage(format!(
                    "--to `{v}`: the period's last day was already given"
                )));
            }
        } else {
            return Err(CliError::Usage(format!(
                "--to `{v}`: neither a platform ({}) nor a day YYYY-MM-DD",
                Platform::ALL.map(Platform::as_str).join(", ")
            )));
        }
    }
    let platform = platform.ok_or_else(|| {
        CliError::Usage("--to PLATFORM is required (meta-capi, google-ads-clicks, …)".into())
    })?;
    Ok((platform, end))
}

/// Write through a temporary file beside `path`, renamed over it once complete.
fn write_file(
    path: &Path,
    write: impl FnOnce(BufWriter<File>) -> Result<ExportSummary, CliError>,
) -> Result<ExportSummary, CliError> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "export".into());
    let tmp = path.with_file_name(format!(".{name}.tmp"));
    let f = File::create(&tmp).map_err(CliError::io(&tmp))?;
    let summary = match write(BufWriter::with_capacity(1 << 20, f)) {
        Ok(s) => s,
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
    };
    std::fs::rename(&tmp, path).map_err(CliError::io(path))?;
    Ok(summary)
}

/// Run `o2o export`.
pub fn run(a: Args) -> Result<(), CliError> {
    let (platform, end) = platform_and_end(&a.to)?;
    let store = Store::open(&a.store)?;
    // A keyed store: emails and phones go out as the platform hashes it keeps (aliases/).
    let stored_hashes = store.upload_hashes()?.map(std::sync::Arc::new);
    let tz = store.timezone();
    let rules = super::audience::resolution_rules(a.rules.as_deref())?;
    let people = super::input::store_people(&store, rules.clone())?;
    let graph = &people.graph;
    let key = |e: &o2o_core::event::Event| graph.profile_id_of_event(e).map(String::from);
    let opts = ExportOptions {
        event_name: a.event_name.clone(),
        currency: a.currency.clone(),
        default_country: a.default_country.clone(),
        event_source_id: a.event_source_id.clone(),
        gate: ConsentGate::default(),
        timezone: Some(tz.clone()),
        stored_hashes,
        rules,
    };
    let describe = format!("the store {}", a.store.display());
    let summary = if platform.is_audience() {
        if a.from.is_some() || end.is_some() {
            return Err(CliError::Usage(format!(
                "--from/--to DAY: {platform} takes an audience, not a period (judge it with --at)"
            )));
        }
        let (mut members, stats) = a.select.members(&people.events, &key)?;
        if let Some(p) = &a.audience {
            let wanted = read_profiles(p)?;
            members.retain(|m| wanted.contains(&m.profile));
            eprintln!(
                "{describe}: audience of {} profiles ({} listed in {})",
                members.len(),
                wanted.len(),
                p.display()
            );
        } else if a.select.viewed_not_bought {
            eprintln!(
                "{describe}: audience of {} profiles who viewed a product online and have not bought it ({} selected, {} suppressed, {} without marketing consent, {} with nothing viewed and not bought)",
                members.len(),
                stats.selected,
                stats.suppressed,
                stats.no_marketing_consent,
                stats.nothing_viewed
            );
        } else {
            eprintln!(
                "{describe}: audience of {} profiles ({} selected, {} suppressed)",
                members.len(),
                stats.selected,
                stats.suppressed
            );
        }
        write_file(&a.out, |w| {
            export_audience(platform, &members, &opts, w).map_err(CliError::from)
        })?
    } else {
        if a.audience.is_some() || a.select.segment.is_some() || a.select.viewed_not_bought {
            return Err(CliError::Usage(format!(
                "--audience/--segment/--viewed-not-bought: {platform} takes the store's visits, not an audience"
            )));
        }
        let period = Period::new(a.from.as_deref(), end.as_deref(), &tz, ("from", "to"))
            .map_err(|e| CliError::Usage(e.to_string()))?;
        let window = super::report::parse_window(&a.visit_window)?;
        let visits = group_visits(&people.events, &key, window);
        let (convs, kept_out) = conversions(
            &people.events,
            &visits,
            &key,
            (period.start, period.end),
            &opts.gate,
            DEFAULT_CLICK_LOOKBACK_SECS,
        );
        let mut s = write_file(&a.out, |w| {
            export_conversions(platform, &convs, &opts, w).map_err(CliError::from)
        })?;
        s.checkins_without_consent = kept_out;
        s
    };
    eprintln!("{describe}: {}", summary.line());
    if summary.exported == 0 {
        return Err(CliError::Unusable(format!(
            "{}: nothing to export ({} records, none with consent and an identifier {platform} matches); the file holds {}",
            describe,
            summary.records,
            if platform.batch_size() == 0 {
                "only the header"
            } else {
                "nothing"
            }
        )));
    }
    eprintln!("wrote {} ({} records)", a.out.display(), summary.exported);
    Ok(())
}
