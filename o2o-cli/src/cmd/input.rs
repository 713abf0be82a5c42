//! Where analysis commands read their events: an NDJSON file (`--events`) or the event store
//! (`--store`). Bad lines are reported (the first few, then a count); input that yields no
//! event at all is an error, never an empty result with exit 0.

use super::CliError;
use o2o_core::event::{Event, read_ndjson};
use o2o_core::identity::{IdentityGraph, ResolutionRules};
use o2o_core::store::resolution::{self, Origin};
use o2o_core::store::{People, Store, resolve_people};
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

/// How many rejected lines are shown before the rest are counted.
pub const SHOWN_ERRORS: usize = 10;

/// The input flags shared by analysis commands.
#[derive(clap::Args, Clone, Debug)]
#[group(required = true, multiple = false)]
pub struct EventsInput {
    /// Events as NDJSON (as `o2o simulate` writes).
    #[arg(long)]
    pub events: Option<PathBuf>,
    /// The event store written by `o2o ingest` (or `o2o simulate --store`).
    #[arg(long)]
    pub store: Option<PathBuf>,
}

impl EventsInput {
    /// The input as the user named it (`events.ndjson`, `the store st`), for messages.
    pub fn describe(&self) -> String {
        match (&self.events, &self.store) {
            (Some(p), _) => p.display().to_string(),
            (None, Some(d)) => format!("the store {}", d.display()),
            (None, None) => "the input".to_owned(),
        }
    }

    /// Read every event.
    pub fn read(&self) -> Result<Vec<Event>, CliError> {
        match (&self.events, &self.store) {
            (Some(p), _) => read_events_file(p),
            (None, Some(dir)) => {
                let events = Store::open(dir)?.events()?;
                if events.is_empty() {
                    return Err(CliError::empty_store(dir));
                }
                Ok(events)
            }
            (None, None) => Err(CliError::Usage("give --events FILE or --store DIR".into())),
        }
    }
}

impl EventsInput {
    /// The events and their identity graph under `rules`. From a store, every record is an
    /// observation and consent reaches events through consent records and the person
    /// (`o2o_core::store::resolve_people`); from a file, the events' own consent decides.
    pub fn people(&self, rules: ResolutionRules) -> Result<(IdentityGraph, Vec<Event>), CliError> {
        match (&self.events, &self.store) {
            (None, Some(dir)) => {
                let store = Store::open(dir)?;
                let people = store_people(&store, rules)?;
                if people.events.is_empty() {
                    return Err(CliError::empty_store(dir));
                }
                let s = &people.stats;
                eprintln!(
                    "{}: {} hashed identifiers joined to raw ones ({} unmatched); consent from records {}, through the person {}, none {}",
                    dir.display(),
                    s.hashed_joined,
                    s.hashed_unmatched,
                    s.consent_from_records,
                    s.consent_from_person,
                    s.no_consent
                );
                Ok((people.graph, people.events))
            }
            _ => {
                let events = self.read()?;
                let mut graph =
                    IdentityGraph::new(rules).map_err(|e| CliError::Usage(e.to_string()))?;
                for ev in &events {
                    graph.observe_event(ev)?;
                }
                Ok((graph, events))
            }
        }
    }

    /// [`EventsInput::people`], resolving afresh even when the store holds a current
    /// resolution: for what needs the graph as resolving leaves it (`o2o explain` names consent
    /// refusals and scored-link weights, which a stored resolution does not keep).
    pub fn people_fresh(
        &self,
        rules: ResolutionRules,
    ) -> Result<(IdentityGraph, Vec<Event>), CliError> {
        match (&self.events, &self.store) {
            (None, Some(dir)) => {
                let store = Store::open(dir)?;
                let people = resolve_people(&store, rules)?;
                Ok((people.graph, people.events))
            }
            _ => self.people(rules),
        }
    }
}

/// The people of a store under `rules`: from its stored resolution (`o2o resolve --store`)
/// when that is current, resolved afresh otherwise, saying on stderr which and why.
pub fn store_people(store: &Store, rules: ResolutionRules) -> Result<People, CliError> {
    let dir = store.dir().display();
    let (people, origin) = resolution::people(store, rules)?;
    match origin {
        Origin::Stored => eprintln!(
            "{dir}: profiles read from the stored resolution (`o2o resolve --store` wrote it)"
        ),
        Origin::Resolved(Some(why)) => eprintln!(
            "{dir}: the stored resolution is out of date ({why}): resolved afresh; `o2o resolve --store {dir}` stores it again"
        ),
        Origin::Resolved(None) => eprintln!(
            "{dir}: resolved the profiles (`o2o resolve --store {dir}` stores them for later commands)"
        ),
    }
    Ok(people)
}

/// Read an NDJSON events file, reporting bad lines; an error when nothing is usable.
pub fn read_events_file(p: &Path) -> Result<Vec<Event>, CliError> {
    let f = File::open(p).map_err(CliError::io(p))?;
    let out = read_ndjson(BufReader::with_capacity(1 << 20, f))
        .map_err(|e| CliError::Usage(format!("{}: {e}", p.display())))?;
    for e in out.errors.iter().take(SHOWN_ERRORS) {
        eprintln!("{}: {e}", p.display());
    }
    if out.errors.len() > SHOWN_ERRORS {
        eprintln!(
            "{}: … {} more rejected lines",
            p.display(),
            out.errors.len() - SHOWN_ERRORS
        );
    }
    if out.events.is_empty() {
        return Err(CliError::NoUsableEvents {
            path: p.display().to_string(),
            rejected: out.errors.len(),
        });
    }
    let mut events = out.events;
    let dropped = o2o_core::event::dedupe_by_id(&mut events);
    if dropped > 0 {
        eprintln!(
            "{}: {dropped} events repeat the id of an earlier event of the same type and are counted once",
            p.display()
        );
    }
    Ok(events)
}
