//! The checksum of a resolution of the synthetic identity workload: a resolver change (a new
//! pass layout, a faster kernel) must leave it unchanged.
//!
//! `cargo run --release -p o2o-benches --example identity_checksum -- [OBSERVATIONS]` builds
//! OBSERVATIONS (default 10,000,000) synthetic observations (`o2o_benches::identity`), resolves
//! them and prints the profile count and the SHA-256 of every profile, prevented merge and
//! shared identifier as JSON lines (`o2o_benches::identity::checksum`). The current value is in
//! docs/dev/identity-resolver.md.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: usize = match std::env::args().nth(1) {
        Some(a) => a.parse()?,
        None => 10_000_000,
    };
    let g = o2o_benches::identity::build(n, 7)?;
    let profiles = g.profiles();
    println!(
        "observations {n}, identifiers {}, profiles {}, largest {}, prevented merges {}, shared {}",
        g.identifiers(),
        profiles.len(),
        profiles.largest(),
        profiles.prevented_merges(),
        profiles.shared().len()
    );
    println!("checksum {}", o2o_benches::identity::checksum(&profiles)?);
    Ok(())
}
