//! Writing a campaign straight to files, in bounded memory.
//!
//! [`simulate`](super::simulate) holds every event of the campaign at once (about 11 KB per
//! customer: 11 GB for a million). [`write_campaign`] writes the same three files as
//! `o2o simulate --out` without that: customers are generated in blocks of [`BLOCK`]; each
//! block's events are sorted by time and spilled to a run file beside the output; the runs are
//! then merged by (time, generation order), which is exactly the order of the in-memory sort, so
//! the files are byte-identical to those written from [`simulate`](super::simulate) for the
//! same configuration. What stays in memory is one block of events, the truth's per-person rows
//! and one buffered reader per run.

use super::config::{SimConfig, SimError};
use super::world::{
    Gathered, Setup, Spend, cost_of, default_threads, generate, sort_events, truth,
};
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// Customers generated, sorted and spilled together: about 180 MB of events at a time.
pub const BLOCK: usize = 16_384;

/// Why [`write_campaign`] failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StreamError {
    /// The configuration is invalid.
    #[error(transparent)]
    Config(#[from] SimError),
    /// A file could not be written or read back.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The underlying error.
        source: io::Error,
    },
}

/// What [`write_campaign`] wrote.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Written {
    /// Events in events.ndjson.
    pub events: u64,
}

/// The run file, removed however the writing ends.
struct Runs {
    path: PathBuf,
}

impl Drop for Runs {
    fn drop(&mut self) {
        // Best effort: the file is a scratch copy of events.ndjson's lines.
        let _ = std::fs::remove_file(&self.path);
    }
}

/// One spilled event: its sort key, what the truth counts of it, and its NDJSON line.
struct Spilled {
    ts: i64,
    seq: u64,
    channel: Option<usize>,
    cost: f64,
    line: Vec<u8>,
}

fn put(w: &mut impl Write, s: &Spilled) -> io::Result<()> {
    w.write_all(&s.ts.to_le_bytes())?;
    w.write_all(&s.seq.to_le_bytes())?;
    let ch = s.channel.map_or(u32::MAX, |c| c as u32);
    w.write_all(&ch.to_le_bytes())?;
    w.write_all(&s.cost.to_bits().to_le_bytes())?;
    w.write_all(&(s.line.len() as u64).to_le_bytes())?;
    w.write_all(&s.line)
}

fn get(r: &mut impl Read) -> io::Result<Option<Spilled>> {
    let mut head = [0u8; 36];
    match r.read_exact(&mut head[..8]) {
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        other => other?,
    }
    r.read_exact(&mut head[8..])?;
    let word = |a: usize| {
        let mut b = [0u8; 8];
        b.copy_from_slice(&head[a..a + 8]);
        b
    };
    let mut ch = [0u8; 4];
    ch.copy_from_slice(&head[16..20]);
    let ch = u32::from_le_bytes(ch);
    let len = u64::from_le_bytes(word(28));
    let mut line = vec![0u8; usize::try_from(len).map_err(io::Error::other)?];
    r.read_exact(&mut line)?;
    Ok(Some(Spilled {
        ts: i64::from_le_bytes(word(0)),
        seq: u64::from_le_bytes(word(8)),
        channel: (ch != u32::MAX).then_some(ch as usize),
        cost: f64::from_bits(u64::from_le_bytes(word(20))),
        line,
    }))
}

/// Simulate `cfg` and write `events.ndjson`, `truth.json` and `audience.csv` into `dir`
/// (created if missing), byte-identical to writing [`simulate`](super::simulate)'s campaign,
/// in memory bounded by [`BLOCK`] customers' events. `progress(done, total)` hears the work done:
/// generating every customer is the first half, merging their events into events.ndjson the
/// second. A scratch file `.events.runs` lives in `dir` while it runs.
pub fn write_campaign(
    cfg: &SimConfig,
    dir: &Path,
    progress: impl FnMut(u64, u64),
) -> Result<Written, StreamError> {
    write_in_blocks(cfg, dir, BLOCK, progress)
}

/// [`write_campaign`] with blocks of `block` customers (tests use small blocks to get many runs).
pub(super) fn write_in_blocks(
    cfg: &SimConfig,
    dir: &Path,
    block: usize,
    mut progress: impl FnMut(u64, u64),
) -> Result<Written, StreamError> {
    cfg.validate()?;
    let block = block.max(1);
    let setup = Setup::new(cfg)?;
    let io_at = |path: &Path| {
        let path = path.display().to_string();
        move |source| StreamError::Io { path, source }
    };
    std::fs::create_dir_all(dir).map_err(io_at(dir))?;
    let total = 2 * cfg.customers as u64;

    // Generate block by block: audience rows go straight to audience.csv, events to the runs.
    let runs = Runs {
        path: dir.join(".events.runs"),
    };
    let audience_path = dir.join("audience.csv");
    let mut audience = csv::Writer::from_writer(BufWriter::new(
        File::create(&audience_path).map_err(io_at(&audience_path))?,
    ));
    let csv_err = |e: csv::Error| StreamError::Io {
        path: audience_path.display().to_string(),
        source: io::Error::other(e),
    };
    let mut spill = BufWriter::with_capacity(
        1 << 20,
        File::create(&runs.path).map_err(io_at(&runs.path))?,
    );
    let mut bounds: Vec<(u64, u64)> = Vec::new();
    let mut offset = 0u64;
    let mut gathered = Gathered::new(cfg);
    let mut revenues: Vec<f64> = Vec::with_capacity(cfg.customers);
    let threads = default_threads(block.min(cfg.customers));
    for lo in (0..cfg.customers).step_by(block) {
        let hi = (lo + block).min(cfg.customers);
        let mut tick = |n: usize| progress((lo + n) as u64, total);
        let chunks = generate(&setup, lo, hi, threads, &mut tick);
        let mut events = Vec::new();
        for mut c in chunks {
            gathered.absorb(&mut c);
            events.append(&mut c.events);
            for r in c.audience.drain(..) {
                revenues.push(r.revenue);
                audience.serialize(&r).map_err(csv_err)?;
            }
        }
        let keys: Vec<(i64, u64)> = {
            let mut k: Vec<(i64, u64)> = events.iter().map(|(t, s, _)| (*t, *s)).collect();
            k.sort_unstable();
            k
        };
        let start = offset;
        for ((ts, seq), ev) in keys.into_iter().zip(sort_events(events)) {
            let mut line = serde_json::to_vec(&ev).map_err(|e| StreamError::Io {
                path: runs.path.display().to_string(),
                source: e.into(),
            })?;
            line.push(b'\n');
            let s = Spilled {
                ts,
                seq,
                channel: Spend::channel_of(cfg, &ev),
                cost: cost_of(&ev),
                line,
            };
            offset += 36 + s.line.len() as u64;
            put(&mut spill, &s).map_err(io_at(&runs.path))?;
        }
        bounds.push((start, offset));
        progress(hi as u64, total);
    }
    spill.flush().map_err(io_at(&runs.path))?;
    drop(spill);
    audience.flush().map_err(|e| StreamError::Io {
        path: audience_path.display().to_string(),
        source: e,
    })?;
    drop(audience);

    // Merge the runs into events.ndjson, counting touchpoints and spend in time order.
    let mut readers = Vec::with_capacity(bounds.len());
    for &(a, b) in &bounds {
        let mut f = File::open(&runs.path).map_err(io_at(&runs.path))?;
        f.seek(SeekFrom::Start(a)).map_err(io_at(&runs.path))?;
        readers.push(BufReader::with_capacity(1 << 16, f.take(b - a)));
    }
    let mut heads: Vec<Option<Spilled>> = Vec::with_capacity(readers.len());
    let mut heap = BinaryHeap::new();
    for (i, r) in readers.iter_mut().enumerate() {
        let s = get(r).map_err(io_at(&runs.path))?;
        if let Some(s) = &s {
            heap.push(Reverse((s.ts, s.seq, i)));
        }
        heads.push(s);
    }
    let events_path = dir.join("events.ndjson");
    let mut out = BufWriter::with_capacity(
        1 << 20,
        File::create(&events_path).map_err(io_at(&events_path))?,
    );
    let mut spend = Spend::new(cfg);
    let (mut merged, step) = (0u64, offset / cfg.customers.max(1) as u64 + 1);
    while let Some(Reverse((_, _, i))) = heap.pop() {
        // Every index in the heap has a head: it was pushed right after its head was read.
        let Some(s) = heads[i].take() else { continue };
        out.write_all(&s.line).map_err(io_at(&events_path))?;
        spend.add(s.channel, s.cost);
        let before = merged / step;
        merged += 36 + s.line.len() as u64;
        if merged / step != before {
            progress(cfg.customers as u64 + merged / step, total);
        }
        let next = get(&mut readers[i]).map_err(io_at(&runs.path))?;
        if let Some(n) = &next {
            heap.push(Reverse((n.ts, n.seq, i)));
        }
        heads[i] = next;
    }
    out.flush().map_err(io_at(&events_path))?;
    drop(out);
    drop(readers);
    drop(runs);

    let revenue = revenues.iter().sum();
    let truth = truth(&setup, gathered, &spend, revenue);
    let truth_path = dir.join("truth.json");
    let mut w = BufWriter::with_capacity(
        1 << 20,
        File::create(&truth_path).map_err(io_at(&truth_path))?,
    );
    serde_json::to_writer(&mut w, &truth).map_err(|e| StreamError::Io {
        path: truth_path.display().to_string(),
        source: e.into(),
    })?;
    w.flush().map_err(io_at(&truth_path))?;
    progress(total, total);
    Ok(Written {
        events: spend.events,
    })
}
