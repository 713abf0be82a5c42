//! Voucher verification throughput.
//!
//! Target (issue "Acting on O2O data"): a POS verifies ≥ 1,000,000 codes/s on one core.
//! Each format verifies a batch of 1,024 valid codes (two keys in the ring) and reports
//! elements/s: `short` (the default 16-character codes: the 256 shared anonymous codes of a full
//! 32-campaign table and 768 personal codes), `valid` (21-character serial codes, a quarter
//! personal); `forged` measures rejections, which take the same path up to the tag comparison.

#![allow(missing_docs)] // criterion_group! generates undocumented functions.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use o2o_core::keys::KeyRing;
use o2o_core::voucher::{CampaignTable, Issuer, Verifier, Voucher};
use std::hint::black_box;
use time::{Date, Duration, Month};

fn bench_verify(c: &mut Criterion) {
    let Ok(ring) = KeyRing::parse(&format!(
        "k2026:{}\nk2025:{}\n",
        "3c8e2f71d4a6095be07c1a93f5486d2b9e14c7703af8256bd1e04973c28a5f16",
        "c1d2e3f405162738495a6b7c8d9eafb0c1d2e3f405162738495a6b7c8d9eafb0"
    )) else {
        return;
    };
    let Ok(today) = Date::from_calendar_date(2026, Month::March, 1) else {
        return;
    };
    let mut table = CampaignTable::default();
    for n in 0..32 {
        if table
            .register_until(&format!("campaign-{n}"), today + Duration::days(30 + n))
            .is_err()
        {
            return;
        }
    }
    let issuer = Issuer::new(&ring, &table);
    let short: Vec<(String, Option<String>)> = (0..1024u16)
        .filter_map(|i| {
            let customer = (i >= 256).then(|| format!("p:{:016x}", u64::from(i) * 7919));
            let (campaign, voucher_type) = ((i / 8 % 32) as u8, (i % 8) as u8);
            issuer
                .issue_short(campaign, voucher_type, customer.as_deref())
                .ok()
                .map(|c| (c.code, customer))
        })
        .collect();
    let codes: Vec<(String, Option<String>)> = (0..1024u16)
        .filter_map(|i| {
            let customer = (i % 4 == 0).then(|| format!("{:016x}", u64::from(i) * 7919));
            let v = Voucher {
                campaign: (i % 32) as u8,
                voucher_type: (i % 8) as u8,
                expires: today + Duration::days(i64::from(i % 300)),
                serial: Some(u32::from(i % 512)),
                customer: customer.clone(),
            };
            issuer.issue(&v).ok().map(|c| (c, customer))
        })
        .collect();
    let verifier = Verifier::new(&ring, &table);
    let mut g = c.benchmark_group("voucher_verify");
    g.throughput(Throughput::Elements(codes.len() as u64));
    assert_eq!(short.len(), 1024);
    g.bench_function("short", |b| {
        b.iter(|| {
            let mut ok = 0usize;
            for (code, cust) in &short {
                ok += usize::from(
                    verifier
                        .verify(black_box(code), today, cust.as_deref())
                        .is_ok(),
                );
            }
            assert_eq!(ok, 1024);
            black_box(ok)
        })
    });
    g.bench_function("valid", |b| {
        b.iter(|| {
            let mut ok = 0usize;
            for (code, cust) in &codes {
                ok += usize::from(
                    verifier
                        .verify(black_box(code), today, cust.as_deref())
                        .is_ok(),
                );
            }
            black_box(ok)
        })
    });
    // Forged: flip the tag but keep the check character right, by re-issuing under another key
    // with the same ids.
    let Ok(other) =
        KeyRing::parse("k2026:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0\n")
    else {
        return;
    };
    let forger = Issuer::new(&other, &table);
    let forged: Vec<(String, Option<String>)> = (0..1024u16)
        .filter_map(|i| {
            let v = Voucher {
                campaign: (i % 32) as u8,
                voucher_type: 1,
                expires: today + Duration::days(30),
                serial: Some(u32::from(i % 512)),
                customer: None,
            };
            forger.issue(&v).ok().map(|c| (c, None))
        })
        .collect();
    g.bench_function("forged", |b| {
        b.iter(|| {
            let mut bad = 0usize;
            for (code, cust) in &forged {
                bad += usize::from(
                    verifier
                        .verify(black_box(code), today, cust.as_deref())
                        .is_err(),
                );
            }
            black_box(bad)
        })
    });
    g.finish();
}

criterion_group!(benches, bench_verify);
criterion_main!(benches);
