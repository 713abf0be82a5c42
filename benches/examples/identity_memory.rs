//! Peak memory and wall time of the identity graph at scale, and the links for the networkx
//! comparison.
//!
//! `cargo run --release -p o2o-benches --example identity_memory -- [OBSERVATIONS] [--resolves N]
//! [--links FILE]` builds OBSERVATIONS (default 10,000,000) synthetic observations, resolves them,
//! and prints the distinct identifiers, the resolve time, the peak RSS (VmHWM) and bytes per
//! identifier (target ≤ 200). With `--resolves N` it resolves N times (as the criterion bench
//! does, one after another, each result dropped before the next) and prints the peak after
//! each: the allocator's state after the first resolve can move the peak of the later ones.
//! The resolves share one `Scratch`; it then prints the working memory that scratch keeps for
//! the next resolution (the RSS `Scratch::release` gives back).
//! With `--links FILE` it also writes every co-occurrence link as `a b` lines (identifier
//! indexes) for `scripts/bench/identity_vs_networkx.py`.

use o2o_core::identity::Scratch;
use std::io::Write;
use std::time::Instant;

fn status_kib(field: &str) -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn vm_hwm_kib() -> Option<u64> {
    status_kib("VmHWM:")
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut n = 10_000_000usize;
    let mut links = None;
    let mut resolves = 1usize;
    let mut i = 0;
    while i < args.len() {
        if args[i] == "--links" {
            links = args.get(i + 1).cloned();
            i += 2;
        } else if args[i] == "--resolves" {
            resolves = args
                .get(i + 1)
                .ok_or("--resolves needs a number")?
                .parse()?;
            i += 2;
        } else {
            n = args[i].parse()?;
            i += 1;
        }
    }
    let t0 = Instant::now();
    let g = o2o_benches::identity::build(n, 7)?;
    let observe = t0.elapsed();
    let mut scratch = Scratch::new();
    let t1 = Instant::now();
    let res = g.resolve_fresh(&mut scratch);
    let resolve = t1.elapsed();
    let hwm = vm_hwm_kib().unwrap_or(0) * 1024;
    let ids = g.identifiers();
    println!(
        "observations {n}, distinct identifiers {ids}, profiles {}, largest {}",
        res.len(),
        res.largest()
    );
    println!(
        "observe {:.2} s ({:.0} obs/s), resolve {:.3} s ({:.0} obs/s)",
        observe.as_secs_f64(),
        n as f64 / observe.as_secs_f64(),
        resolve.as_secs_f64(),
        n as f64 / resolve.as_secs_f64()
    );
    println!(
        "peak RSS {:.1} MiB = {:.0} bytes per distinct identifier (target ≤ 200); graph heap {:.0} bytes/identifier",
        hwm as f64 / 1048576.0,
        hwm as f64 / ids.max(1) as f64,
        g.heap_bytes() as f64 / ids.max(1) as f64
    );
    drop(res);
    for r in 2..=resolves {
        let t = Instant::now();
        let res = g.resolve_fresh(&mut scratch);
        let took = t.elapsed().as_secs_f64();
        drop(res);
        let hwm = vm_hwm_kib().unwrap_or(0) * 1024;
        println!(
            "resolve {r}: {took:.3} s; peak RSS so far {:.1} MiB = {:.0} bytes per distinct identifier",
            hwm as f64 / 1048576.0,
            hwm as f64 / ids.max(1) as f64
        );
    }
    // What the scratch keeps for the next resolution: the resident memory it gives back.
    let before = status_kib("VmRSS:").unwrap_or(0);
    scratch.release();
    let after = status_kib("VmRSS:").unwrap_or(0);
    let kept = before.saturating_sub(after) * 1024;
    println!(
        "working memory kept between resolutions: {:.1} MiB = {:.0} bytes per distinct identifier (RSS {:.1} -> {:.1} MiB on release)",
        kept as f64 / 1048576.0,
        kept as f64 / ids.max(1) as f64,
        before as f64 / 1024.0,
        after as f64 / 1024.0
    );
    if let Some(path) = links {
        let mut w = std::io::BufWriter::new(std::fs::File::create(&path)?);
        let mut count = 0u64;
        for (a, b) in g.links() {
            writeln!(w, "{a} {b}")?;
            count += 1;
        }
        w.flush()?;
        // The same links through the core's union-find, for the networkx ratio. Like networkx,
        // which is timed on a graph already built, the links are in memory before the clock
        // starts; best of 3 runs, as the script takes for networkx.
        let all: Vec<(u32, u32)> = g.links().collect();
        let mut best = f64::INFINITY;
        let mut comps = 0;
        for _ in 0..3 {
            let t = Instant::now();
            comps = o2o_core::identity::connected_components(ids, all.iter().copied());
            best = best.min(t.elapsed().as_secs_f64());
        }
        println!(
            "links {count} written to {path}; rust connected components {comps} in {best:.4} s (best of 3)"
        );
    }
    Ok(())
}
