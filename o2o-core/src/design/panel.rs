//! A simulated store × day panel with a known model, for checking store designs and comparing
//! them with other tools on the same data; and the panel CSV (`store,period,value`) that
//! `o2o design stores --panel FILE` reads and `o2o design panel` writes.
//!
//! The model: store `s` in region `r` on day `t` has
//! `level_s · (1 + a_s·sin(2πt/7 + φ_s)) · exp(c_t + g_{r,t} + ε_{s,t})`, with log-normal levels,
//! a weekly cycle per store, a common AR(1) factor `c` (the economy, the weather), a regional
//! AR(1) factor `g` (what makes a store's neighbours its best controls) and independent daily
//! noise `ε`. The structure (levels, regions, cycles) comes from `seed`; the factors and the
//! noise from the `noise_seed` of each draw, so fresh periods of the same stores can be drawn
//! again and again.

use super::error::DesignError;
use super::history::StorePanel;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use std::collections::BTreeMap;
use std::io::{Read, Write};

/// The model of a simulated panel.
#[derive(Clone, Debug, PartialEq)]
pub struct PanelModel {
    /// Stores.
    pub stores: usize,
    /// Regions (stores are spread over them in turn).
    pub regions: usize,
    /// Days.
    pub periods: usize,
    /// Seed of the structure.
    pub seed: u64,
    /// Mean daily value of a store (visits).
    pub level: f64,
    /// Log-sd of store levels.
    pub level_spread: f64,
    /// Sd of the daily log-noise of a store.
    pub noise: f64,
    /// Sd of the regional factor's innovations.
    pub region_noise: f64,
    /// Sd of the common factor's innovations.
    pub common_noise: f64,
    /// AR(1) coefficient of both factors.
    pub persistence: f64,
    /// Largest weekly amplitude.
    pub weekly: f64,
}

impl Default for PanelModel {
    fn default() -> Self {
        PanelModel {
            stores: 40,
            regions: 5,
            periods: 182,
            seed: 7,
            level: 120.0,
            level_spread: 0.5,
            noise: 0.06,
            region_noise: 0.03,
            common_noise: 0.03,
            persistence: 0.8,
            weekly: 0.2,
        }
    }
}

fn day_label(day: i64) -> String {
    jiff::Timestamp::from_second(day * 86_400)
        .map(|t| jiff::tz::TimeZone::UTC.to_datetime(t).date().to_string())
        .unwrap_or_default()
}

/// First day of a simulated panel: 2026-01-01.
const FIRST_DAY: i64 = 20_454;

/// Draw a panel of `model`: the structure from `model.seed`, factors and noise from
/// `noise_seed`. Store ids are `S00`, `S01`…, regions `R0`, `R1`…
#[must_use]
pub fn simulate_panel(model: &PanelModel, noise_seed: u64) -> StorePanel {
    let mut st = ChaCha8Rng::seed_from_u64(model.seed);
    let n = model.stores;
    let regions = model.regions.max(1);
    let levels: Vec<f64> = (0..n)
        .map(|_| {
            let z: f64 = StandardNormal.sample(&mut st);
            model.level * (model.level_spread * z).exp()
        })
        .collect();
    let amp: Vec<f64> = (0..n)
        .map(|_| st.random_range(0.3..=1.0) * model.weekly)
        .collect();
    let phase: Vec<f64> = (0..n).map(|_| st.random_range(-0.4..=0.4) + 1.0).collect();
    let mut rng = ChaCha8Rng::seed_from_u64(noise_seed ^ 0x9E37_79B9_7F4A_7C15);
    let t = model.periods;
    let ar = |rng: &mut ChaCha8Rng, sd: f64| -> Vec<f64> {
        let mut x = 0.0;
        (0..t)
            .map(|_| {
                let z: f64 = StandardNormal.sample(&mut *rng);
                x = model.persistence * x + sd * z;
                x
            })
            .collect()
    };
    let common = ar(&mut rng, model.common_noise);
    let regional: Vec<Vec<f64>> = (0..regions)
        .map(|_| ar(&mut rng, model.region_noise))
        .collect();
    let values: Vec<Vec<f64>> = (0..n)
        .map(|s| {
            (0..t)
                .map(|k| {
                    let eps: f64 = StandardNormal.sample(&mut rng);
                    let week = 1.0
                        + amp[s] * (2.0 * std::f64::consts::PI * k as f64 / 7.0 + phase[s]).sin();
                    let v = levels[s]
                        * week
                        * (common[k] + regional[s % regions][k] + model.noise * eps).exp();
                    (v * 100.0).round() / 100.0
                })
                .collect()
        })
        .collect();
    StorePanel {
        stores: (0..n).map(|s| format!("S{s:02}")).collect(),
        regions: (0..n).map(|s| Some(format!("R{}", s % regions))).collect(),
        periods: (0..t as i64).map(|d| day_label(FIRST_DAY + d)).collect(),
        values,
    }
}

impl StorePanel {
    /// The panel restricted to its first `periods` periods.
    #[must_use]
    pub fn head(&self, periods: usize) -> StorePanel {
        let k = periods.min(self.periods.len());
        StorePanel {
            stores: self.stores.clone(),
            regions: self.regions.clone(),
            periods: self.periods[..k].to_vec(),
            values: self.values.iter().map(|v| v[..k].to_vec()).collect(),
        }
    }

    /// Write as CSV `store,region,period,value`, one row per store and period.
    pub fn write_csv<W: Write>(&self, out: W) -> Result<(), std::io::Error> {
        let mut w = csv::Writer::from_writer(out);
        w.write_record(["store", "region", "period", "value"])?;
        for (s, store) in self.stores.iter().enumerate() {
            let region = self.regions.get(s).cloned().flatten().unwrap_or_default();
            for (p, period) in self.periods.iter().enumerate() {
                w.write_record([store, &region, period, &self.values[s][p].to_string()])?;
            }
        }
        w.flush()
    }

    /// Read a CSV with columns `store`, `period` and `value` (others, such as `region`, kept
    /// or ignored); every store must have every period once. Periods sort as text (ISO dates,
    /// `2026-W01` weeks).
    pub fn read_csv<R: Read>(input: R, file: &str) -> Result<StorePanel, DesignError> {
        let err = |line: u64, field: &str, message: String| DesignError::Panel {
            file: file.to_owned(),
            line,
            field: field.to_owned(),
            message,
        };
        let mut r = csv::ReaderBuilder::new().flexible(true).from_reader(input);
        let headers = r
            .headers()
            .map_err(|e| err(1, "header", e.to_string()))?
            .clone();
        let col = |name: &str| headers.iter().position(|h| h.trim() == name);
        let (Some(cs), Some(cp), Some(cv)) = (col("store"), col("period"), col("value")) else {
            return Err(err(
                1,
                "header",
                "needs the columns store, period and value".into(),
            ));
        };
        let cr = col("region");
        let mut cells: BTreeMap<(String, String), (f64, u64)> = BTreeMap::new();
        let mut regions: BTreeMap<String, String> = BTreeMap::new();
        for (i, rec) in r.records().enumerate() {
            let line = i as u64 + 2;
            let rec = rec.map_err(|e| err(line, "row", e.to_string()))?;
            let get = |c: usize, name: &str| {
                rec.get(c)
                    .map(str::trim)
                    .filter(|v| !v.is_empty())
                    .ok_or_else(|| err(line, name, "is empty".into()))
            };
            let store = get(cs, "store")?.to_owned();
            let period = get(cp, "period")?.to_owned();
            let value: f64 = get(cv, "value")?
                .parse()
                .ok()
                .filter(|v: &f64| v.is_finite())
                .ok_or_else(|| err(line, "value", "is not a finite number".into()))?;
            if let Some(c) = cr
                && let Some(reg) = rec.get(c).map(str::trim).filter(|v| !v.is_empty())
            {
                regions.insert(store.clone(), reg.to_owned());
            }
            if let Some((_, first)) = cells.insert((store, period), (value, line)) {
                return Err(err(
                    line,
                    "period",
                    format!("repeats the store and period of line {first}"),
                ));
            }
        }
        let mut stores: Vec<String> = cells.keys().map(|k| k.0.clone()).collect();
        stores.dedup();
        let mut periods: Vec<String> = cells.keys().map(|k| k.1.clone()).collect();
        periods.sort();
        periods.dedup();
        if stores.len() < 3 || periods.len() < 4 {
            return Err(err(
                1,
                "rows",
                format!(
                    "{} stores and {} periods: a store design needs at least 3 stores and 4 \
                     periods",
                    stores.len(),
                    periods.len()
                ),
            ));
        }
        let mut values = Vec::with_capacity(stores.len());
        for s in &stores {
            let mut row = Vec::with_capacity(periods.len());
            for p in &periods {
                match cells.get(&(s.clone(), p.clone())) {
                    Some(&(v, _)) => row.push(v),
                    None => {
                        return Err(err(
                            1,
                            "period",
                            format!(
                                "store {s} has no row for period {p}: every store needs every period"
                            ),
                        ));
                    }
                }
            }
            values.push(row);
        }
        Ok(StorePanel {
            regions: stores.iter().map(|s| regions.get(s).cloned()).collect(),
            stores,
            periods,
            values,
        })
    }
}
