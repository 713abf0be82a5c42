//! `o2o match --settings FILE (--input FILE.csv | --store DIR [--rules rules.json]
//! [--hmac-key-file F]) [--output FILE] [--model FILE] [--explain A B [--json]]`
//!
//! Probabilistic matching (Fellegi–Sunter, parameters estimated without labels): which records
//! are one person though they share no identifier. The settings (JSON or TOML: blocking rules,
//! comparisons, threshold; docs/identity.md, "Probabilistic matching") say what to compare.
//!
//! - `--input FILE.csv`: records with a header, an id column (`unique_id_column`) and the
//!   fields the settings read. Writes one JSON line per matched pair, `{"a": ID, "b": ID,
//!   "match_weight": W, "probability": P}`, to `--output` (stdout by default).
//! - `--store DIR`: the store's customers and events with names, birth dates or addresses, one
//!   record per person's strongest identifier; the matched pairs are stored in the store
//!   (`links/match.parquet`) as scored links with their weights, which `o2o resolve`, `profiles`
//!   and `explain --store` then use under the resolution rules.
//!
//! `--explain A B` prints the waterfall of records A and B (ids; `kind:value` identifiers with
//! `--store`) instead of the pairs: the prior and each field's weight, as text or, with
//! `--json`, as JSON. A summary goes to stderr. Exits 1 when the input has fewer than two usable
//! records. A store that keeps keyed pseudonyms (`o2o ingest --hmac-key-file`) needs its key
//! (`--hmac-key-file`) for `--explain`: A and B are pseudonymised with it, as `o2o explain`
//! does, before they are looked up.

use super::CliError;
use o2o_core::identity::parse_identifier;
use o2o_core::matching::{
    LINKS_FILE, MatchError, MatchSettings, Records, match_store, run, store_records,
};
use serde::Serialize;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

/// Flags of `o2o match`.
#[derive(clap::Args)]
pub struct Args {
    /// Matching settings (JSON, or TOML when the name ends in `.toml`).
    #[arg(long)]
    pub settings: PathBuf,
    /// Records as CSV with a header (an id column and the fields the settings read).
    #[arg(long, conflicts_with = "store", required_unless_present = "store")]
    pub input: Option<PathBuf>,
    /// The event store (`o2o ingest`): match its people and store the links.
    #[arg(long)]
    pub store: Option<PathBuf>,
    /// Write the matched pairs here (JSON lines) instead of stdout.
    #[arg(long)]
    pub output: Option<PathBuf>,
    /// Write the estimated model (m, u and weight per level, the prior) here as JSON.
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Explain the weight of two records (ids) instead of listing pairs.
    #[arg(long, num_args = 2, value_names = ["A", "B"])]
    pub explain: Option<Vec<String>>,
    /// With --explain: the waterfall as JSON.
    #[arg(long, requires = "explain")]
    pub json: bool,
    /// With --store: resolution rules as JSON (their priority picks each record's key
    /// identifier; a keyed store also needs the default country and phone check it was
    /// ingested under).
    #[arg(long, requires = "store")]
    pub rules: Option<PathBuf>,
    /// With --store --explain: key file holding the key of a store that keeps keyed
    /// pseudonyms (`o2o ingest --hmac-key-file`); A and B are pseudonymised with it.
    #[arg(long, requires = "store")]
    pub hmac_key_file: Option<PathBuf>,
    #[command(flatten)]
    pub key_perms: super::voucher::KeyFileArgs,
}

fn core(e: MatchError) -> CliError {
    match e {
        MatchError::Settings { .. } => CliError::Usage(e.to_string()),
        other => other.into(),
    }
}

#[derive(Serialize)]
struct Line<'a> {
    a: &'a str,
    b: &'a str,
    match_weight: f64,
    probability: f64,
}

/// Run `o2o match`.
pub fn run_cmd(a: Args) -> Result<(), CliError> {
    let settings = MatchSettings::from_path(&a.settings).map_err(core)?;
    if let Some(dir) = &a.store {
        return store(&a, &settings, dir);
    }
    let Some(input) = &a.input else {
        return Err(CliError::Usage(
            "give --input FILE or --store DIR".to_owned(),
        ));
    };
    let file = File::open(input).map_err(CliError::io(input))?;
    let records = Records::from_csv(
        std::io::BufReader::new(file),
        &input.display().to_string(),
        &settings,
    )
    .map_err(core)?;
    let result = run(&settings, &records).map_err(core)?;
    if let Some(path) = &a.model {
        write_json(path, &result.model)?;
    }
    if let Some(ids) = &a.explain {
        let find = |id: &str| {
            (0..records.len())
                .find(|&i| records.id(i) == id)
                .ok_or_else(|| CliError::Usage(format!("no record with id `{id}` in the input")))
        };
        let (x, y) = (find(&ids[0])?, find(&ids[1])?);
        let w = result.waterfall(x as u32, y as u32);
        if a.json {
            let text = serde_json::to_string_pretty(&w)?;
            println!("{text}");
        } else {
            println!("{}", w.to_text());
        }
        return Ok(());
    }
    let mut out: Box<dyn Write> = match &a.output {
        Some(p) => Box::new(BufWriter::new(File::create(p).map_err(CliError::io(p))?)),
        None => Box::new(BufWriter::new(std::io::stdout().lock())),
    };
    let target = a
        .output
        .as_ref()
        .map_or("stdout".to_owned(), |p| p.display().to_string());
    for p in &result.pairs {
        let line = Line {
            a: records.id(p.a as usize),
            b: records.id(p.b as usize),
            match_weight: p.match_weight,
            probability: o2o_core::matching::probability(p.match_weight),
        };
        serde_json::to_writer(&mut out, &line)?;
        out.write_all(b"\n").map_err(CliError::io(&target))?;
    }
    out.flush().map_err(CliError::io(&target))?;
    let s = &result.stats;
    eprintln!(
        "{} records, {} candidate pairs, {} matches at match weight >= {} (prior {:.3e})",
        s.records,
        s.candidate_pairs,
        s.matches,
        settings.threshold,
        result.model.probability_two_random_records_match
    );
    Ok(())
}

fn write_json<T: Serialize>(path: &std::path::Path, value: &T) -> Result<(), CliError> {
    let text = serde_json::to_string_pretty(value)?;
    std::fs::write(path, text + "\n").map_err(CliError::io(path))
}

fn store(a: &Args, settings: &MatchSettings, dir: &std::path::Path) -> Result<(), CliError> {
    let store = o2o_core::store::Store::open(dir)?;
    let rules = super::resolve::read_rules(a.rules.as_deref())?;
    if let Some(ids) = &a.explain {
        let mut ids = ids
            .iter()
            .map(|s| parse_identifier(s).map_err(|e| CliError::Usage(e.to_string())))
            .collect::<Result<Vec<_>, _>>()?;
        super::explain::stored_forms(
            &store,
            a.hmac_key_file.as_deref(),
            &a.key_perms,
            &rules,
            ids.iter_mut(),
        )?;
        let matched = store_records(&store, settings, &rules).map_err(core)?;
        let result = run(settings, &matched.records).map_err(core)?;
        let find = |id: &o2o_core::event::Identifier| {
            matched
                .keys
                .iter()
                .position(|k| k.kind == id.kind && k.value == id.value)
                .ok_or_else(|| {
                    CliError::Usage(format!(
                        "`{}` is not the key of a record with attributes in the store",
                        id.kind.as_str()
                    ))
                })
        };
        let (x, y) = (find(&ids[0])?, find(&ids[1])?);
        let w = result.waterfall(x as u32, y as u32);
        if a.json {
            let text = serde_json::to_string_pretty(&w)?;
            println!("{text}");
        } else {
            println!("{}", w.to_text());
        }
        return Ok(());
    }
    let matched = store_records(&store, settings, &rules).map_err(core)?;
    let result = match_store(&store, settings, &matched).map_err(core)?;
    if let Some(path) = &a.model {
        write_json(path, &result.model)?;
    }
    let s = &result.stats;
    eprintln!(
        "{}: {} records with attributes, {} candidate pairs, {} matches at match weight >= {} stored in {}",
        dir.display(),
        s.records,
        s.candidate_pairs,
        s.matches,
        settings.threshold,
        LINKS_FILE
    );
    Ok(())
}
