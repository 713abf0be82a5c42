//! Ingest benchmarks (the ingest issue).
//!
//! Target: reading a POS-like CSV export through its source map — local times, locale numbers,
//! phone normalisation, loyalty cards, a consent column, item-row grouping and dedupe keys — at
//! ≥ 1,000,000 rows/s on one core (`read_pos_csv`). `ingest_pos_csv` adds writing the records
//! into a fresh event store (Parquet, partitioned by day): what `o2o ingest` does per row.
//! Throughput is printed as rows/s, and `read_pos_csv` also as rows per CPU-second of its
//! thread (`o2o_benches::cpu`), which a machine shared with other jobs does not understate.
//! Run: `cargo bench -p o2o-benches --bench ingest -- --warm-up-time 1 --measurement-time 5`

#![allow(missing_docs)] // criterion_group! generates undocumented functions.
#![allow(clippy::expect_used)] // A bench whose setup fails has nothing to measure.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use o2o_core::ingest::{CompiledMap, FileReader, Output, SourceMap, open};
use o2o_core::store::{IngestOptions, Store};
use std::fmt::Write as _;
use std::hint::black_box;

const MAP: &str = r#"
[source]
name = "pos"
format = "csv"
produces = "checkin"
timezone = "Asia/Ho_Chi_Minh"
delimiter = ";"
dedupe = ["receipt_id"]
skip_if = { column = "status", in = ["void"] }

[fields]
timestamp = { column = "ts", format = "%d/%m/%Y %H:%M" }
store     = "store_id"
method    = { value = "pos_purchase" }
value     = { column = "total", decimal = ",", thousands = "." }
currency  = { value = "VND" }
id        = "receipt_id"

[identifiers]
phone        = { column = "customer_phone", default_country = "VN" }
loyalty_card = "card_no"

[consent]
granted = { column = "marketing_opt_in", values = ["Y"] }
"#;

/// A POS export of `n` receipts: distinct Vietnamese mobile numbers in national format with
/// separators, times over March in local time, amounts with dots for thousands.
fn pos_csv(n: usize) -> String {
    let mut s = String::from(
        "receipt_id;ts;store_id;status;total;customer_phone;card_no;marketing_opt_in\n",
    );
    let prefixes = ["90", "91", "93", "94", "96", "97", "98", "86", "88", "89"];
    for i in 0..n {
        let (d, h, m) = (1 + i % 28, 8 + (i / 28) % 12, (i / 7) % 60);
        let p = prefixes[i % prefixes.len()];
        let x = (i * 7919) % 10_000_000;
        let _ = writeln!(
            s,
            "R{i:08};{d:02}/03/2026 {h:02}:{m:02};HCM{:02};paid;\"{}.{:03}\";0{p} {:03} {:04};LC{:07};{}",
            i % 40,
            10 + i % 990,
            (i * 37) % 1000,
            x / 10_000,
            x % 10_000,
            i % 300_000,
            if i % 5 == 0 { "N" } else { "Y" }
        );
    }
    s
}

fn bench_ingest(c: &mut Criterion) {
    const N: usize = 100_000;
    let csv = pos_csv(N);
    let map = CompiledMap::new(SourceMap::from_toml(MAP).expect("map")).expect("compiled");
    let mut g = c.benchmark_group("ingest");
    g.throughput(Throughput::Elements(N as u64));
    g.sample_size(10);
    g.bench_function("read_pos_csv", |b| {
        b.iter(|| {
            let input = open(csv.as_bytes()).expect("open");
            let mut r = FileReader::text(&map, "pos.csv", input).expect("reader");
            let mut n = 0u64;
            while let Some(o) = r.next_output().expect("read") {
                if let Output::Record { key, .. } = o {
                    n = n.wrapping_add(key as u64);
                }
            }
            black_box(n)
        })
    });
    let dir = std::env::temp_dir().join(format!("o2o-bench-ingest-{}", std::process::id()));
    g.bench_function("ingest_pos_csv", |b| {
        b.iter(|| {
            let _ = std::fs::remove_dir_all(&dir);
            let mut store = Store::create(&dir, "Asia/Ho_Chi_Minh").expect("store");
            let input = open(csv.as_bytes()).expect("open");
            let r = FileReader::text(&map, "pos.csv", input).expect("reader");
            let report = store
                .ingest(&map, r, &IngestOptions::default(), |_| {}, |_| {})
                .expect("ingest");
            black_box(report.stored)
        })
    });
    let _ = std::fs::remove_dir_all(&dir);
    g.finish();
    o2o_benches::cpu::rate("ingest/read_pos_csv", "rows", N, 10, || {
        let input = open(csv.as_bytes()).expect("open");
        let mut r = FileReader::text(&map, "pos.csv", input).expect("reader");
        while let Some(o) = r.next_output().expect("read") {
            black_box(o);
        }
    });
}

criterion_group!(benches, bench_ingest);
criterion_main!(benches);
