//! Old and new resolution timed alternately in one process on one built graph (used by
//! `scripts/bench/ab-resolve.sh`, which puts this file and REV's resolver in place in a copy of the
//! tree; not compiled in the workspace itself).
//!
//! The host's noise moves whole runs by more than the changes being judged (±0.2 s per round
//! on a ~2 s resolve); two builds timed side by side in one process, the order flipped every
//! pair, see the same moments of the host. An A/A run (the same code on both sides) shows the
//! method's own spread. Each side keeps its working memory between its resolutions, as a graph
//! resolved again and again in use does; the first resolution of each, on fresh memory, is not
//! timed. Every pair's two results must be equal (exits non-zero otherwise).

use o2o_core::identity::Scratch;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let pairs: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(16);
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(10_000_000);
    let g = o2o_benches::identity::build(n, 7)?;
    let mut scratch = Scratch::new();
    // The first resolve of a process pays for memory fresh from the kernel: one of each, untimed.
    let first = g.resolve_fresh(&mut scratch);
    if g.resolve_old() != first {
        return Err("old and new resolution disagree".into());
    }
    // What both give (`examples/identity_checksum.rs` prints the same for the working tree).
    println!("checksum {}", o2o_benches::identity::checksum(&first)?);
    drop(first);
    let (mut old, mut new) = (Vec::new(), Vec::new());
    for i in 0..pairs {
        let mut results = Vec::with_capacity(2);
        for k in 0..2 {
            let take_old = (k == 0) == (i % 2 == 0);
            let t = Instant::now();
            let res = if take_old {
                g.resolve_old()
            } else {
                g.resolve_fresh(&mut scratch)
            };
            let dt = t.elapsed().as_secs_f64();
            if take_old {
                old.push(dt);
            } else {
                new.push(dt);
            }
            results.push(res);
        }
        if results[0] != results[1] {
            return Err(format!("old and new resolution disagree (pair {i})").into());
        }
    }
    if pairs == 0 {
        println!("same results: true (no pair timed)");
        return Ok(());
    }
    let mut diff: Vec<f64> = old.iter().zip(&new).map(|(a, b)| b - a).collect();
    let faster = diff.iter().filter(|&&d| d < 0.0).count();
    let sorted = |v: &mut Vec<f64>| v.sort_by(f64::total_cmp);
    sorted(&mut diff);
    sorted(&mut old);
    sorted(&mut new);
    let q = |v: &[f64], f: usize| v[(v.len() - 1) * f / 4];
    println!("observations {n}, pairs {pairs}; same results: true");
    println!("old: median {:.3} s, min {:.3} s", q(&old, 2), old[0]);
    println!("new: median {:.3} s, min {:.3} s", q(&new, 2), new[0]);
    println!(
        "new - old per pair: median {:+.4} s (quartiles {:+.4}, {:+.4}); new faster in {faster} of {pairs}",
        q(&diff, 2),
        q(&diff, 1),
        q(&diff, 3)
    );
    Ok(())
}
