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
//! intersection of intervals across looks, which stay valid.

use super::error::{UpliftError, check_alpha, check_finite};
use super::proportions::{Counts, Interval};
use serde::{Deserialize, Serialize};

/// GrowthBook's default tuning sample size N*.
pub const DEFAULT_TUNING_N: f64 = 5000.0;

/// The mixture parameter ρ for significance `alpha` and tuning size `tuning_n` (N*).
pub fn mixture_rho(alpha: f64, tuning_n: f64) -> f64 {
    let l = -2.0 * alpha.ln();
    ((l + (l + 1.0).ln()) / tuning_n).sqrt()
}

/// One look of a sequential test.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SequentialLook {
    /// The estimate at this look.
    pub estimate: f64,
    /// Confidence-sequence interval at this look.
    pub ci: Interval,
    /// Always-valid p-value at this look.
    pub p_value: f64,
    /// Units seen so far (both arms).
    pub n: f64,
}

/// Confidence-sequence interval and always-valid p-value at a single look.
///
/// ```
/// use o2o_core::uplift::confidence_sequence;
/// let l = confidence_sequence(0.01, 0.004, 10_000.0, 0.05, 5000.0).unwrap();
/// // Wider than the fixed-horizon interval 0.01 ± 1.96·0.004.
/// assert!(l.ci[0] < 0.01 - 1.96 * 0.004);
/// ```
pub fn confidence_sequence(
    estimate: f64,
    se: f64,
    n: f64,
    alpha: f64,
    tuning_n: f64,
) -> Result<SequentialLook, UpliftError> {
    check_alpha(alpha)?;
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
    if !(tuning_n.is_finite() && tuning_n > 0.0) {
        return Err(UpliftError::invalid(
            "tuning_n",
            format!("{tuning_n} must be positive"),
        ));
    }
    let rho2 = mixture_rho(alpha, tuning_n).powi(2);
    let sigma = se * n.sqrt();
    let a = n * rho2 + 1.0;
    let half = sigma * (2.0 * a / (n * n * rho2) * (a.sqrt() / alpha).ln()).sqrt();
    let zbar = estimate / sigma;
    let log_lambda = n * n * rho2 * zbar * zbar / (2.0 * a) - 0.5 * a.ln();
    let p = (-log_lambda).exp().min(1.0);
    Ok(SequentialLook {
        estimate,
        ci: [estimate - half, estimate + half],
        p_value: p,
        n,
    })
}

/// Running state of a sequentially monitored experiment.
///
/// ```
/// use o2o_core::uplift::{Counts, SequentialMonitor};
/// let mut m = SequentialMonitor::new(0.05, 5000.0).unwrap();
/// let l1 = m.look_proportions(Counts { successes: 30, trials: 500 },
///     Counts { successes: 20, trials: 500 }).unwrap();
/// let l2 = m.look_proportions(Counts { successes: 75, trials: 1000 },
///     Counts { successes: 40, trials: 1000 }).unwrap();
/// assert!(l2.p_value <= l1.p_value);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SequentialMonitor {
    alpha: f64,
    tuning_n: f64,
    p_min: f64,
    ci: Interval,
    looks: usize,
}

impl SequentialMonitor {
    /// Start monitoring at significance `alpha` with tuning size `tuning_n`.
    pub fn new(alpha: f64, tuning_n: f64) -> Result<SequentialMonitor, UpliftError> {
        check_alpha(alpha)?;
        Ok(SequentialMonitor {
            alpha,
            tuning_n,
            p_min: 1.0,
            ci: [f64::NEG_INFINITY, f64::INFINITY],
            looks: 0,
        })
    }

    /// Record a look at an estimate with its standard error after `n` units; returns the running
    /// (always-valid) p-value and the running intersection of the intervals.
    pub fn look(&mut self, estimate: f64, se: f64, n: f64) -> Result<SequentialLook, UpliftError> {
        let l = confidence_sequence(estimate, se, n, self.alpha, self.tuning_n)?;
        self.p_min = self.p_min.min(l.p_value);
        self.ci = [self.ci[0].max(l.ci[0]), self.ci[1].min(l.ci[1])];
        self.looks += 1;
        Ok(SequentialLook {
            estimate,
            ci: self.ci,
            p_value: self.p_min,
            n,
        })
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
        if var <= 0.0 {
            // No variance yet (no conversions): nothing can be concluded at this look.
            self.looks += 1;
            return Ok(SequentialLook {
                estimate: p1 - p2,
                ci: self.ci,
                p_value: self.p_min,
                n: (test.trials + control.trials) as f64,
            });
        }
        self.look(p1 - p2, var.sqrt(), (test.trials + control.trials) as f64)
    }

    /// Whether the running p-value is at or below α: stop and declare a difference.
    pub fn rejected(&self) -> bool {
        self.p_min <= self.alpha
    }

    /// Number of looks so far.
    pub fn looks(&self) -> usize {
        self.looks
    }
}
