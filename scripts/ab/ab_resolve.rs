//! Old and new `resolve` timed alternately in one process on one built graph (used by
//! `scripts/ab-resolve.sh`, which puts this file and the old code in place in a copy of the
//! tree; not compiled in the workspace itself).
//!
//! The host's noise moves whole runs by more than the changes being judged (±0.2 s per round
//! on a ~2 s resolve); two builds timed side by side in one process, the order flipped every
//! pair, see the same moments of the host. An A/A run (the same code on both sides) shows the
//! method's own spread.

use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let pairs: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(16);
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(10_000_000);
    let g = o2o_benches::identity::build(n, 7)?;
    // The first resolve of a process pays for memory fresh from the kernel: one of each, untimed.
    let _ = g.resolve_old().profiles();
    let _ = g.resolve_fresh().profiles();
    let (mut old, mut new) = (Vec::new(), Vec::new());
    for i in 0..pairs {
        for k in 0..2 {
            let take_old = (k == 0) == (i % 2 == 0);
            let t = Instant::now();
            let summary = if take_old {
                let r = g.resolve_old();
                (r.profiles(), r.largest_profile(), r.prevented_merges())
            } else {
                let r = g.resolve_fresh();
                (r.profiles(), r.largest_profile(), r.prevented_merges())
            };
            let dt = t.elapsed().as_secs_f64();
            if take_old {
                old.push((dt, summary));
            } else {
                new.push((dt, summary));
            }
        }
    }
    let same = old.iter().zip(&new).all(|(a, b)| a.1 == b.1);
    let mut diff: Vec<f64> = old.iter().zip(&new).map(|(a, b)| b.0 - a.0).collect();
    let faster = diff.iter().filter(|&&d| d < 0.0).count();
    let sorted = |v: &mut Vec<f64>| v.sort_by(f64::total_cmp);
    let (mut to, mut tn): (Vec<f64>, Vec<f64>) =
        (old.iter().map(|a| a.0).collect(), new.iter().map(|a| a.0).collect());
    sorted(&mut diff);
    sorted(&mut to);
    sorted(&mut tn);
    let q = |v: &[f64], f: usize| v[(v.len() - 1) * f / 4];
    println!("same results: {same}");
    println!("old: median {:.3} s, min {:.3} s", q(&to, 2), to[0]);
    println!("new: median {:.3} s, min {:.3} s", q(&tn, 2), tn[0]);
    println!(
        "new - old per pair: median {:+.4} s (quartiles {:+.4}, {:+.4}); new faster in {faster} of {pairs}",
        q(&diff, 2),
        q(&diff, 1),
        q(&diff, 3)
    );
    if !same {
        return Err("old and new resolve disagree".into());
    }
    Ok(())
}
