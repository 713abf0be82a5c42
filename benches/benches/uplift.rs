//! Uplift benchmarks.
//!
//! Targets (own; the issue sets none for uplift): `o2o demo` reads out 7 channels of a
//! 20,000-customer audience, so `channel_readout` over 20,000 rows ≤ 50 ms per channel (whole
//! readout well under a second); a synthetic-control estimate with 20 donors × 52 weeks (21
//! simplex fits including the placebos, on nearly collinear donors) ≤ 2 s; a DiD over a
//! 100-store × 52-week panel ≤ 5 ms. Issue #31's target: synthetic control on a retail panel of
//! 30 stores × 52 weeks (one treated store, 29 donors, 40 pre-weeks), the treated fit and its 29
//! donor placebos, ≤ 50 ms (`synthetic_control_30x52_placebos`). Current figures:
//! docs/performance.md.
//! `cargo bench -p o2o-benches --bench uplift -- --warm-up-time 1 --measurement-time 3`.

#![allow(missing_docs)] // criterion_group! generates undocumented functions.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use o2o_core::design::{PanelModel, simulate_panel};
use o2o_core::sim::{SimConfig, simulate};
use o2o_core::uplift::{DidOptions, PanelRow, channel_readout, did, synthetic_control};
use std::hint::black_box;

fn bench_readout(c: &mut Criterion) {
    let Ok(campaign) = simulate(&SimConfig::default()) else {
        return;
    };
    let mut g = c.benchmark_group("uplift");
    g.throughput(Throughput::Elements(campaign.audience.len() as u64));
    g.bench_function("channel_readout_20k", |b| {
        b.iter(|| {
            black_box(channel_readout(
                black_box(&campaign.audience),
                "facebook",
                0.05,
            ))
        })
    });
    g.finish();
}

fn bench_synth_and_did(c: &mut Criterion) {
    let donors: Vec<Vec<f64>> = (0..20)
        .map(|d| {
            (0..52)
                .map(|t| 100.0 + d as f64 + (t as f64 * (0.1 + 0.01 * d as f64)).sin() * 5.0)
                .collect()
        })
        .collect();
    let treated: Vec<f64> = (0..52)
        .map(|t| 0.3 * donors[2][t] + 0.7 * donors[11][t] + if t >= 40 { 4.0 } else { 0.0 })
        .collect();
    let rows: Vec<PanelRow> = (0..100)
        .flat_map(|s| {
            (0..52).map(move |w| PanelRow {
                store: format!("S{s:03}"),
                period: format!("W{w:02}"),
                treated: s < 50,
                post: w >= 40,
                value: 1000.0 + (s * 37 % 101) as f64 + w as f64 + ((s * w) % 7) as f64,
            })
        })
        .collect();
    let mut g = c.benchmark_group("uplift");
    g.bench_function("synthetic_control_20x52", |b| {
        b.iter(|| {
            black_box(synthetic_control(
                black_box(&treated),
                black_box(&donors),
                40,
            ))
        })
    });
    // A retail panel from the design simulator (store levels, regional and common factors that
    // carry over from week to week, noise): 30 stores, 52 weeks, a 5 % lift planted in store 0
    // for the last 12 weeks. `synthetic_control` fits store 0 and, as placebos, each of the 29
    // donors against the other 28.
    let panel = simulate_panel(
        &PanelModel {
            stores: 30,
            periods: 52,
            weekly: 0.0,
            ..PanelModel::default()
        },
        31,
    );
    let retail_treated: Vec<f64> = panel.values[0]
        .iter()
        .enumerate()
        .map(|(t, v)| if t >= 40 { v * 1.05 } else { *v })
        .collect();
    let retail_donors: Vec<Vec<f64>> = panel.values[1..].to_vec();
    // Time only a complete run: the treated fit and all 29 placebos.
    match synthetic_control(&retail_treated, &retail_donors, 40) {
        Ok(s) if s.placebo_failures.is_empty() && s.placebo_ratios.len() == 29 => {}
        other => {
            eprintln!("synthetic_control_30x52_placebos: not a complete run: {other:?}");
            return;
        }
    }
    g.bench_function("synthetic_control_30x52_placebos", |b| {
        b.iter(|| {
            black_box(synthetic_control(
                black_box(&retail_treated),
                black_box(&retail_donors),
                40,
            ))
        })
    });
    g.bench_function("did_100x52", |b| {
        b.iter(|| black_box(did(black_box(&rows), &DidOptions::default())))
    });
    g.finish();
}

criterion_group!(benches, bench_readout, bench_synth_and_did);
criterion_main!(benches);
