//! Phone normalisation benchmarks (issue "Real exports in").
//!
//! Target: phone normalisation ≥ 2,000,000 values/s on one core, with results identical to the
//! full libphonenumber parse (the equivalence is a test in `o2o-core`, not a bench). Two
//! workloads, all values distinct:
//! - `vn_national_distinct`: VN mobile and landline numbers as a POS export has them
//!   (`0912 345 678`, `091-234-5678`, `0283 812 3456`, …), default country VN;
//! - `mixed_countries`: twelve countries (VN, TH, ID, MY, SG, PH, US, GB, FR, DE, IN, BR) in their
//!   usual national formats, a quarter written internationally (`+84 …`, `0084…`, bare E.164
//!   digits as a store keeps them), each with its own default country; some are invalid
//!   (random subscriber digits), as in real exports.
//!
//! Throughput is printed as elements/s (values/s), wall clock; the run also prints each
//! workload's values per CPU-second of its thread, which a machine shared with other jobs does
//! not understate.
//! Run: `nice -n 10 cargo bench -p o2o-benches --bench phone -- --warm-up-time 1 --measurement-time 3`

#![allow(missing_docs)] // criterion_group! generates undocumented functions.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use o2o_benches::identity::SplitMix;
use o2o_core::event::IdKind;
use o2o_core::hashing::{NormalizeOptions, normalize_into};
use std::hint::black_box;

const N: usize = 20_000;

/// `n` random decimal digits.
fn digits(rng: &mut SplitMix, n: usize) -> String {
    (0..n)
        .map(|_| char::from(b'0' + (rng.next_u64() % 10) as u8))
        .collect()
}

/// Distinct VN numbers in national format with the separators POS exports use.
fn vn_national(n: usize) -> Vec<String> {
    let mut rng = SplitMix(26);
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let r = rng.next_u64();
        // Mobile prefixes (09x, 03x, 07x, 08x, 05x) and Ho Chi Minh City / Hanoi landlines.
        let (prefix, rest) = match r % 8 {
            0 | 1 => ("09", 8),
            2 => ("03", 8),
            3 => ("07", 8),
            4 => ("08", 8),
            5 => ("05", 8),
            6 => ("028", 8),
            _ => ("024", 8),
        };
        let d = format!("{prefix}{}", digits(&mut rng, rest));
        let v = match (r >> 8) % 4 {
            0 => format!("{} {} {}", &d[..4], &d[4..7], &d[7..]),
            1 => format!("{}-{}-{}", &d[..3], &d[3..6], &d[6..]),
            2 => format!("{}.{}.{}", &d[..4], &d[4..7], &d[7..]),
            _ => d,
        };
        if seen.insert(v.clone()) {
            out.push(v);
        }
    }
    out
}

/// One country's number shapes: national prefix digits and subscriber length, its calling code
/// and trunk prefix.
struct Shape {
    country: &'static str,
    code: &'static str,
    trunk: &'static str,
    /// (leading national digits after the trunk prefix, further random digits)
    ranges: &'static [(&'static str, usize)],
}

const SHAPES: &[Shape] = &[
    Shape {
        country: "VN",
        code: "84",
        trunk: "0",
        ranges: &[("91", 7), ("3", 8), ("28", 8)],
    },
    Shape {
        country: "TH",
        code: "66",
        trunk: "0",
        ranges: &[("81", 7), ("2", 7)],
    },
    Shape {
        country: "ID",
        code: "62",
        trunk: "0",
        ranges: &[("812", 8), ("21", 8)],
    },
    Shape {
        country: "MY",
        code: "60",
        trunk: "0",
        ranges: &[("12", 7), ("3", 8)],
    },
    Shape {
        country: "SG",
        code: "65",
        trunk: "",
        ranges: &[("8", 7), ("6", 7)],
    },
    Shape {
        country: "PH",
        code: "63",
        trunk: "0",
        ranges: &[("917", 7), ("2", 8)],
    },
    Shape {
        country: "US",
        code: "1",
        trunk: "",
        ranges: &[("201", 7), ("415", 7)],
    },
    Shape {
        country: "GB",
        code: "44",
        trunk: "0",
        ranges: &[("7400", 6), ("20", 8)],
    },
    Shape {
        country: "FR",
        code: "33",
        trunk: "0",
        ranges: &[("6", 8), ("1", 8)],
    },
    Shape {
        country: "DE",
        code: "49",
        trunk: "0",
        ranges: &[("151", 8), ("30", 7)],
    },
    Shape {
        country: "IN",
        code: "91",
        trunk: "0",
        ranges: &[("98", 8), ("11", 8)],
    },
    Shape {
        country: "BR",
        code: "55",
        trunk: "0",
        ranges: &[("119", 8), ("11", 8)],
    },
];

/// Distinct numbers of the twelve countries, each with its country's options.
fn mixed(n: usize) -> Vec<(usize, String)> {
    let mut rng = SplitMix(2626);
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let r = rng.next_u64();
        let ci = (r % SHAPES.len() as u64) as usize;
        let s = &SHAPES[ci];
        let (lead, k) = s.ranges[((r >> 8) % s.ranges.len() as u64) as usize];
        let nsn = format!("{lead}{}", digits(&mut rng, k));
        let v = match (r >> 16) % 8 {
            0 => format!("+{} {nsn}", s.code),
            1 => format!("00{}{nsn}", s.code),
            2 => format!("{}{nsn}", s.code),
            3 => format!("{}{} {}", s.trunk, &nsn[..3], &nsn[3..]),
            4 => format!("({}{}) {}-{}", s.trunk, &nsn[..2], &nsn[2..5], &nsn[5..]),
            _ => format!("{}{nsn}", s.trunk),
        };
        if seen.insert(v.clone()) {
            out.push((ci, v));
        }
    }
    out
}

/// Each shape's country as the default country.
fn country_options() -> Vec<NormalizeOptions> {
    SHAPES
        .iter()
        .map(|s| NormalizeOptions {
            default_country: Some(s.country.into()),
            ..Default::default()
        })
        .collect()
}

fn bench_phone(c: &mut Criterion) {
    let mut g = c.benchmark_group("phone");
    g.throughput(Throughput::Elements(N as u64));
    let mut buf = String::with_capacity(32);

    let vn = NormalizeOptions {
        default_country: Some("VN".into()),
        ..Default::default()
    };
    let values = vn_national(N);
    g.bench_function("vn_national_distinct", |b| {
        b.iter(|| {
            for v in &values {
                let _ = black_box(normalize_into(IdKind::Phone, black_box(v), &vn, &mut buf));
            }
        })
    });

    let opts = country_options();
    let values = mixed(N);
    g.bench_function("mixed_countries", |b| {
        b.iter(|| {
            for (ci, v) in &values {
                let o = &opts[*ci];
                let _ = black_box(normalize_into(IdKind::Phone, black_box(v), o, &mut buf));
            }
        })
    });
    g.finish();
}

/// Run `f` over `n` values 100 times; print values per CPU-second and per wall second.
fn cpu_rate(name: &str, n: usize, f: impl FnMut()) {
    o2o_benches::cpu::rate(&format!("phone/{name}"), "values", n, 100, f);
}

/// Prints the CPU-time throughput of both workloads (see [`o2o_benches::cpu`]).
fn bench_cpu_time(_c: &mut Criterion) {
    let mut buf = String::with_capacity(32);
    let vn = NormalizeOptions {
        default_country: Some("VN".into()),
        ..Default::default()
    };
    let values = vn_national(N);
    cpu_rate("vn_national_distinct", N, || {
        for v in &values {
            let _ = black_box(normalize_into(IdKind::Phone, black_box(v), &vn, &mut buf));
        }
    });
    let opts = country_options();
    let values = mixed(N);
    cpu_rate("mixed_countries", N, || {
        for (ci, v) in &values {
            let _ = black_box(normalize_into(
                IdKind::Phone,
                black_box(v),
                &opts[*ci],
                &mut buf,
            ));
        }
    });
}

criterion_group!(benches, bench_cpu_time, bench_phone);
criterion_main!(benches);
