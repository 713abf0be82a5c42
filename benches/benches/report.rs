//! Report rendering benchmarks.
//!
//! Targets (issue: a report people read): rendering adds ≤ 10 % to `o2o report`'s time, so the
//! view, HTML page, text and Excel workbook of a report together take ≤ 10 % of building the
//! report itself over the same events (`build_report` on the 20,000-customer simulated campaign;
//! both scale with the data, the renderers with its campaigns, days and stores only); the HTML
//! page for 20 campaigns × 90 days is ≤ 2 MB (checked by a test in `o2o_core::render::html`, its
//! size printed here). Current figures: docs/performance.md.
//! `cargo bench -p o2o-benches --bench report -- --warm-up-time 1 --measurement-time 3`.

#![allow(missing_docs)] // criterion_group! generates undocumented functions.

use criterion::{Criterion, criterion_group, criterion_main};
use o2o_core::render::series::{SeriesOptions, context_from_events};
use o2o_core::render::{ReportView, html, text, xlsx};
use o2o_core::report::{O2oOptions, build_report, simple_key};
use o2o_core::sim::{SimConfig, simulate};
use std::hint::black_box;

fn render_all(r: &o2o_core::report::Report, events: &[o2o_core::event::Event]) -> usize {
    let ctx = context_from_events(
        events,
        &simple_key,
        String::new(),
        "bench",
        28,
        &SeriesOptions::default(),
    );
    let v = ReportView::from_report(r, ctx);
    let page = html::render(&v);
    let t = text::render(&v);
    let book = xlsx::workbook(&v)
        .and_then(|mut w| w.save_to_buffer().map_err(Into::into))
        .map_or(0, |b| b.len());
    page.len() + t.len() + book
}

fn bench_report(c: &mut Criterion) {
    let Ok(campaign) = simulate(&SimConfig::default()) else {
        return;
    };
    let events = &campaign.events;
    let opts = O2oOptions::default();
    let report = build_report(events, &simple_key, &opts, &[], &[]);
    let mut g = c.benchmark_group("report");
    g.sample_size(10);
    g.bench_function("build_report_20k_customers", |b| {
        b.iter(|| {
            black_box(build_report(
                black_box(events),
                &simple_key,
                &opts,
                &[],
                &[],
            ))
        })
    });
    g.bench_function("render_html_text_xlsx_20k_customers", |b| {
        b.iter(|| black_box(render_all(black_box(&report), black_box(events))))
    });
    let big = html::tests_support::view_20_campaigns_90_days();
    eprintln!(
        "HTML page for 20 campaigns × 90 days × 50 stores: {} bytes",
        html::render(&big).len()
    );
    g.bench_function("render_html_20_campaigns_90_days", |b| {
        b.iter(|| black_box(html::render(black_box(&big)).len()))
    });
    g.finish();
}

criterion_group!(benches, bench_report);
criterion_main!(benches);
