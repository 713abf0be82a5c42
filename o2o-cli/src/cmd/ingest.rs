//! `o2o ingest --store DIR --map MAP.toml FILE... [--rejects FILE] [--max-rejected PCT] [--json]
//! [--hmac-key-file F [--rules rules.json]]`
//!
//! Reads exports through a source map (docs/ingest.md) and appends their records to the event
//! store DIR (created when absent). Bad rows go to the rejects file as NDJSON
//! `{file, line, field, reason}`; a file with more than PCT % bad rows is refused whole; running
//! the same files again adds nothing. Exit status 1 when a file is refused or nothing usable was
//! read. With `--hmac-key-file` the store keeps identifiers as keyed pseudonyms
//! (`docs/privacy.md`, "At rest"); a store made so needs the same key for every later ingest.

use super::CliError;
use crate::output::{bytes_progress, table};
use o2o_core::ingest::{CompiledMap, FileReader, Format, SourceMap, open};
use o2o_core::store::{FileReport, IngestOptions, Store, StoreKey};
use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Flags of `o2o ingest`.
#[derive(clap::Args)]
pub struct Args {
    /// The event store (a directory; created when absent).
    #[arg(long)]
    pub store: PathBuf,
    /// The source map (TOML) saying how the files become records.
    #[arg(long)]
    pub map: PathBuf,
    /// The export files (CSV, NDJSON or Parquet, as the map says; `.gz` is read as gzip).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Write every rejected row here as NDJSON `{file, line, field, reason}`.
    #[arg(long)]
    pub rejects: Option<PathBuf>,
    /// Refuse (store nothing of) a file whose share of bad rows is above this percentage.
    #[arg(long, default_value_t = 5.0)]
    pub max_rejected: f64,
    /// Time zone of the store's days, when the store is created (default: the map's zone).
    #[arg(long)]
    pub timezone: Option<String>,
    /// Print the per-file summary as JSON.
    #[arg(long)]
    pub json: bool,
    /// Key file (`KEY_ID:HEX` lines; the first key makes a new store's pseudonyms): the store
    /// keeps every linking identifier (CRM id, loyalty card, email, phone, device id, MAC, IP)
    /// as its keyed pseudonym, never the value. A store made so needs this key for every ingest,
    /// `o2o forget` and `o2o explain`.
    #[arg(long)]
    pub hmac_key_file: Option<PathBuf>,
    #[command(flatten)]
    pub key_perms: super::voucher::KeyFileArgs,
    /// With --hmac-key-file: resolution rules whose default country, phone check and junk
    /// lists apply as values are pseudonymised (they cannot be applied to pseudonyms later).
    #[arg(long, requires = "hmac_key_file")]
    pub rules: Option<PathBuf>,
}

/// Counts the bytes a reader hands out, for the progress bar.
struct Counting<R> {
    inner: R,
    n: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let k = self.inner.read(buf)?;
        self.n.fetch_add(k as u64, Ordering::Relaxed);
        Ok(k)
    }
}

/// Load and compile a map file.
pub(crate) fn load_map(path: &Path) -> Result<CompiledMap, CliError> {
    let text = std::fs::read_to_string(path).map_err(CliError::io(path))?;
    let map = SourceMap::from_toml(&text)
        .map_err(|e| CliError::Usage(format!("{}: {e}", path.display())))?;
    CompiledMap::new(map).map_err(|e| CliError::Usage(format!("{}: {e}", path.display())))
}

/// Run `o2o ingest`.
pub fn run(a: Args) -> Result<(), CliError> {
    if !(0.0..=100.0).contains(&a.max_rejected) {
        return Err(CliError::Usage(
            "--max-rejected must be a percentage between 0 and 100".to_owned(),
        ));
    }
    let map = load_map(&a.map)?;
    let tz = a
        .timezone
        .clone()
        .or_else(|| map.map().source.timezone.clone())
        .unwrap_or_else(|| "UTC".to_owned());
    let mut store = Store::create(&a.store, &tz)?;
    if let Some(p) = &a.hmac_key_file {
        let ring = super::voucher::ring(p, &a.key_perms)?;
        let rules = super::resolve::read_rules(a.rules.as_deref())?;
        store.set_key(StoreKey::new(&ring, &rules)?)?;
    }
    let mut rejects = match &a.rejects {
        Some(p) => Some((
            BufWriter::new(File::create(p).map_err(CliError::io(p))?),
            p.clone(),
        )),
        None => None,
    };
    let opts = IngestOptions {
        max_rejected_percent: a.max_rejected,
    };
    let mut reports = Vec::with_capacity(a.files.len());
    let mut shown = 0usize;
    for path in &a.files {
        let label = path.display().to_string();
        let total = std::fs::metadata(path).map_err(CliError::io(path))?.len();
        let counter = Arc::new(AtomicU64::new(0));
        let bar = bytes_progress(total, a.json, &label);
        let mut on_reject = |e: &o2o_core::ingest::RowError| {
            if let Some((w, p)) = &mut rejects {
                let ok = serde_json::to_writer(&mut *w, e).is_ok() && w.write_all(b"\n").is_ok();
                if !ok {
                    eprintln!("o2o: {}: could not write a rejected row", p.display());
                }
            } else if shown < 10 && !a.json {
                bar.suspend(|| eprintln!("{e}"));
                shown += 1;
            }
        };
        let progress = |_: u64| bar.set_position(counter.load(Ordering::Relaxed));
        let report = if matches!(map.format(), Format::Parquet | Format::Ga4) && is_parquet(path)? {
            let f = File::open(path).map_err(CliError::io(path))?;
            let rows = o2o_core::store::parquet_rows(f)?;
            let reader = FileReader::rows(&map, &label, rows);
            store.ingest(&map, reader, &opts, &mut on_reject, progress)?
        } else {
            let f = File::open(path).map_err(CliError::io(path))?;
            let counting = Counting {
                inner: f,
                n: counter.clone(),
            };
            let input = open(counting).map_err(CliError::io(path))?;
            let reader = FileReader::text(&map, &label, input)?;
            store.ingest(&map, reader, &opts, &mut on_reject, progress)?
        };
        bar.finish_and_clear();
        reports.push(report);
    }
    if let Some((mut w, p)) = rejects {
        w.flush().map_err(CliError::io(&p))?;
    }
    let rejected: u64 = reports.iter().map(|r| r.stats.rejected).sum();
    if a.json {
        let text = serde_json::to_string_pretty(&reports).map_err(|e| CliError::Io {
            path: "stdout".to_owned(),
            source: e.into(),
        })?;
        println!("{text}");
    } else {
        print_summary(&reports);
        if a.rejects.is_none() && rejected as usize > shown {
            eprintln!(
                "… and {} more rejected rows (write them all with --rejects FILE)",
                rejected as usize - shown
            );
        }
    }
    if let Some(r) = reports.iter().find(|r| r.refused.is_some()) {
        return Err(CliError::Unusable(format!(
            "{}: refused: {}",
            r.file,
            r.refused.as_deref().unwrap_or_default()
        )));
    }
    let usable: u64 = reports.iter().map(|r| r.stored + r.duplicates).sum();
    if usable == 0 {
        return Err(CliError::Unusable(
            "nothing usable was read: every row was rejected or skipped (is this the right map?)"
                .to_owned(),
        ));
    }
    Ok(())
}

/// Whether `path` starts with Parquet's magic bytes.
fn is_parquet(path: &Path) -> Result<bool, CliError> {
    let mut magic = [0u8; 4];
    let mut f = File::open(path).map_err(CliError::io(path))?;
    let n = f.read(&mut magic).map_err(CliError::io(path))?;
    Ok(n == 4 && &magic == b"PAR1")
}

fn print_summary(reports: &[FileReport]) {
    let mut t = table(&[
        "file",
        "source",
        "rows",
        "stored",
        "rejected",
        "skipped",
        "duplicates",
    ]);
    for r in reports {
        t.row([
            r.file.clone(),
            r.source.clone(),
            r.stats.rows.to_string(),
            r.stored.to_string(),
            r.stats.rejected.to_string(),
            r.stats.skipped.to_string(),
            r.duplicates.to_string(),
        ]);
    }
    print!("{t}");
    for r in reports {
        for (reason, n) in &r.stats.by_reason {
            println!("  {}: {n} × {reason}", r.file);
        }
        for (kind, n) in &r.stats.dropped_identifiers {
            println!(
                "  {}: {n} {kind} values dropped (not valid {kind}s)",
                r.file
            );
        }
        if let Some(p) = &r.pseudonyms {
            println!(
                "  {}: {} identifiers stored as keyed pseudonyms, {} dropped (invalid or junk)",
                r.file, p.identifiers_pseudonymised, p.identifiers_dropped
            );
        }
        if let Some(why) = &r.refused {
            println!("  {}: REFUSED, nothing stored: {why}", r.file);
        }
    }
}
