//! Sequential monitoring: a marketer looks at the dashboard every day. A fixed-horizon p-value
//! read daily rejects a true null far more often than α; an **always-valid** p-value and a
//! **confidence sequence** do not, whenever one stops.
//!
//! This is the asymptotic confidence sequence of Waudby-Smith, Howard et al. (normal mixture
//! boundary) as GrowthBook documents it: for an estimate θ̂ after N units with standard error
//! `se` (so `σ̂ = se·√N`),
//!
//! ```text
//! θ̂ ± σ̂ · sqrt( 2(Nρ² + 1) / (N²ρ²) · ln( sqrt(Nρ² + 1) / α ) ),
//! ρ = sqrt( (−2 ln α + ln(−2 ln α + 1)) / N* ),
//! ```
//!
//! where the tuning parameter `N*` is the sample size at which the sequence is tightest
//! (GrowthBook's default 5,000). The always-valid p-value at one look is the smallest α whose
//! sequence excludes 0: `min(1, sqrt(Nρ²+1) · exp(−N²ρ² (θ̂/σ̂)² / (2(Nρ²+1))))` (ρ fixed from
//! the design α). [`SequentialMonitor`] keeps the running minimum p-value and the running
//! intersection of intervals across looks.
//!
//! # A minimum sample before the first look
//! The sequence is *asymptotic*: its guarantee holds as the sample grows, with the estimate's
//! standard error estimated from the data. At a handful of units that estimate is poor, and
//! peeking from the very first units breaks the guarantee (after every unit from n = 2 with
//! N* = 50, 12.5 % of null experiments reject at α = 5 %). Looks before
//! [`SequentialOptions::min_n`] units (both arms together; default [`DEFAULT_MIN_N`]) therefore
//! count for nothing: they return p = 1 and no interval. With that default the simulated
//! type-I error under continuous peeking stays at or below α in every setting of the simulation
//! bench (`cargo run --release -p o2o-benches --example sequential_type1`; figures in
//! `docs/uplift.md`). Below the minimum, or for a metric far more skewed than those simulated,
//! the guarantee is not established.

use super::error::{UpliftError, check_alpha, check_finite};
use super::finite::guard;
use super::proportions::{Counts, Interval};
use serde::{Deserialize, Serialize};

/// GrowthBook's default tuning sample size N*.
pub const DEFAULT_TUNING_N: f64 = 5000.0;

/// Default minimum number of units (both arms together) before a look counts: the smallest
/// round number that keeps the simulated type-I error at or below α under continuous peeking
/// in every setting of the simulation bench.
pub const DEFAULT_MIN_N: f64 = 100.0;

/// The design of a sequential test. `Default`: α = 0.05, N* = 5,000, looks count from
/// [`DEFAULT_MIN_N`] units.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SequentialOptions {
    /// Significance level, in (0, 1).
    pub alpha: f64,
    /// Tuning sample size N*: where the sequence is tightest.
    pub tuning_n: f64,
    /// Units (both arms) before which a look counts for nothing. 0 looks from the first unit
    /// (the asymptotic guarantee then does not hold at small samples).
    pub min_n: f64,
}

impl Default for SequentialOptions {
    fn default() -> Self {
        SequentialOptions {
            alpha: 0.05,
            tuning_n: DEFAULT_TUNING_N,
            min_n: DEFAULT_MIN_N,
        }
    }
}

impl SequentialOptions {
    fn check(&self) -> Result<(), UpliftError> {
        check_alpha(self.alpha)?;
        if !(self.tuning_n.is_finite() && self.tuning_n > 0.0) {
            return Err(UpliftError::invalid(
                "tuning_n",
                format!("{} must be positive and finite", self.tuning_n),
            ));
        }
        if !(self.min_n.is_finite() && self.min_n >= 0.0) {
            return Err(UpliftError::invalid(
                "min_n",
                format!("{} must be a non-negative number", self.min_n),
            ));
        }
        Ok(())
    }
}

/// The mixture parameter ρ for the options' significance `alpha` and tuning size `tuning_n`
/// (N*); `min_n` plays no part.
///
/// ```
/// use o2o_core::uplift::{SequentialOptions, mixture_rho};
/// let options = SequentialOptions { tuning_n: 5000.0, ..SequentialOptions::default() };
/// assert!(mixture_rho(&options).unwrap() > 0.0);
/// assert!(mixture_rho(&SequentialOptions { alpha: 2.0, ..options }).is_err());
/// ```
pub fn mixture_rho(options: &SequentialOptions) -> Result<f64, UpliftError> {
    options.check()?;
    guard(rho(options.alpha, options.tuning_n))
}

fn rho(alpha: f64, tuning_n: f64) -> f64 {
    let l = -2.0 * alpha.ln();
    ((l + (l + 1.0).ln()) / tuning_n).sqrt()
}

/// One look of a sequential test.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SequentialLook {
    /// The estimate at this look.
    pub estimate: f64,
    /// Confidence-sequence interval (for a monitor, the running intersection); `null` until a
    /// look with at least `min_n` units and a positive standard error.
    pub ci: Option<Interval>,
    /// Always-valid p-value (for a monitor, the running minimum); 1 until a look counts.
    pub p_value: f64,
    /// Units seen so far (both arms).
    pub n: f64,
}

/// Confidence-sequence interval and always-valid p-value at a single look after `n` units;
/// refused below `options.min_n` units.
///
/// ```
/// use o2o_core::uplift::{SequentialOptions, confidence_sequence};
/// let l = confidence_sequence(0.01, 0.004, 10_000.0, &SequentialOptions::default()).unwrap();
/// // Wider than the fixed-horizon interval 0.01 ± 1.96·0.004.
/// assert!(l.ci.unwrap()[0] < 0.01 - 1.96 * 0.004);
/// ```
pub fn confidence_sequence(
    estimate: f64,
    se: f64,
    n: f64,
    options: &SequentialOptions,
) -> Result<SequentialLook, UpliftError> {
    options.check()?;
    check_finite("estimate", estimate)?;
    if !(se.is_finite() && se > 0.0) {
        return Err(UpliftError::invalid(
            "se",
            format!("{se} must be positive and finite"),
        ));
    }
    if !(n.is_finite() && n >= 1.0) {
        return Err(UpliftError::invalid("n", format!("{n} must be at least 1")));
    }
    if n < options.min_n {
        return Err(UpliftError::TooFew {
            what: "an always-valid look (units, both arms; SequentialOptions::min_n)".into(),
            need: options.min_n.ceil() as usize,
            got: n as usize,
        });
    }
    let rho2 = rho(options.alpha, options.tuning_n).powi(2);
    // σ̂ = se·√n and the half-width σ̂·√(…); z̄ = θ̂/σ̂. Computed from se directly so that a
    // large se does not overflow through σ̂².
    let a = n * rho2 + 1.0;
    let half = se * (2.0 * a / (n * rho2) * (a.sqrt() / options.alpha).ln()).sqrt();
    let z = estimate / se;
    let log_lambda = n * rho2 * z * z / (2.0 * a) - 0.5 * a.ln();
    let p = (-log_lambda).exp().min(1.0);
    guard(SequentialLook {
        estimate,
        ci: Some([estimate - half, estimate + half]),
        p_value: p,
        n,
    })
}

/// Running state of a sequentially monitored experiment.
///
/// ```
/// use o2o_core::uplift::{Counts, SequentialMonitor, SequentialOptions};
/// let mut m = SequentialMonitor::new(&SequentialOptions::default()).unwrap();
/// let l1 = m.look_proportions(Counts { successes: 30, trials: 500 },
///     Counts { successes: 20, trials: 500 }).unwrap();
/// let l2 = m.look_proportions(Counts { successes: 75, trials: 1000 },
///     Counts { successes: 40, trials: 1000 }).unwrap();
/// assert!(l2.p_value <= l1.p_value);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SequentialMonitor {
    options: SequentialOptions,
    p_min: f64,
    ci: Option<Interval>,
    looks: usize,
}

impl SequentialMonitor {
    /// Start monitoring.
    pub fn new(options: &SequentialOptions) -> Result<SequentialMonitor, UpliftError> {
        options.check()?;
        Ok(SequentialMonitor {
            options: *options,
            p_min: 1.0,
            ci: None,
            looks: 0,
        })
    }

    /// The look to return when this one carries no information (too few units, no variance).
    fn idle(&mut self, estimate: f64, n: f64) -> Result<SequentialLook, UpliftError> {
        self.looks += 1;
        guard(SequentialLook {
            estimate,
            ci: self.ci,
            p_value: self.p_min,
            n,
        })
    }

    /// Record a look at an estimate with its standard error after `n` units; returns the running
    /// (always-valid) p-value and the running intersection of the intervals. Looks before
    /// `min_n` units count for nothing.
    pub fn look(&mut self, estimate: f64, se: f64, n: f64) -> Result<SequentialLook, UpliftError> {
        if n.is_finite() && n < self.options.min_n {
            check_finite("estimate", estimate)?;
            return self.idle(estimate, n);
        }
        let l = confidence_sequence(estimate, se, n, &self.options)?;
        self.p_min = self.p_min.min(l.p_value);
        if let Some([lo, hi]) = l.ci {
            self.ci = Some(match self.ci {
                Some([a, b]) => [a.max(lo), b.min(hi)],
                None => [lo, hi],
            });
        }
        self.idle(estimate, n)
    }

    /// Look at the cumulative conversion counts of both arms (difference of rates, unpooled
    /// standard error).
    pub fn look_proportions(
        &mut self,
        test: Counts,
        control: Counts,
    ) -> Result<SequentialLook, UpliftError> {
        let test = Counts::new(test.successes, test.trials, "test")?;
        let control = Counts::new(control.successes, control.trials, "control")?;
        let (p1, p2) = (test.rate(), control.rate());
        let var = p1 * (1.0 - p1) / test.trials as f64 + p2 * (1.0 - p2) / control.trials as f64;
        // Sum as f64: trials near u64::MAX must not wrap.
        let n = test.trials as f64 + control.trials as f64;
        if var <= 0.0 {
            // No variance yet (no conversions): nothing can be concluded at this look.
            return self.idle(p1 - p2, n);
        }
        self.look(p1 - p2, var.sqrt(), n)
    }

    /// Whether the running p-value is at or below α: stop and declare a difference.
    #[must_use]
    pub fn rejected(&self) -> bool {
        self.p_min <= self.options.alpha
    }

    /// Number of looks so far.
    #[must_use]
    pub fn looks(&self) -> usize {
        self.looks
    }
}
