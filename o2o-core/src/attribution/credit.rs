//! What every model returns: credit per channel, in the CLI's JSON shape.

use super::error::AttributionError;
use serde::Serialize;

/// Credit earned by one channel.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ChannelCredit {
    /// Channel name.
    pub channel: String,
    /// Conversions credited to it.
    pub conversions: f64,
    /// Conversion value credited to it.
    pub value: f64,
}

/// A Markov removal effect: the relative drop in conversion probability (and expected value)
/// when the channel is removed from every journey.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RemovalEffect {
    /// Channel name.
    pub channel: String,
    /// Relative drop of the conversion probability, in 0..=1.
    pub conversion: f64,
    /// Relative drop of the expected conversion value, in 0..=1.
    pub value: f64,
}

/// The output of a model: `{"model": M, "order": K, "channels": [...]}` plus, for Markov,
/// `removal_effects` and `p_conversion`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Credit {
    /// Model name as on the command line (`first`, `markov`…).
    pub model: String,
    /// Markov order; 1 for the other models.
    pub order: usize,
    /// Credit per channel, in channel-name order.
    pub channels: Vec<ChannelCredit>,
    /// Markov removal effects, per channel.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub removal_effects: Option<Vec<RemovalEffect>>,
    /// Markov probability that a journey from the start converts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p_conversion: Option<f64>,
}

impl Credit {
    /// Credit with these per-channel amounts (`names[i]` gets `conv[i]`, `value[i]`).
    pub(crate) fn new(
        model: &str,
        order: usize,
        names: &[String],
        conv: &[f64],
        value: &[f64],
    ) -> Self {
        Credit {
            model: model.to_owned(),
            order,
            channels: names
                .iter()
                .zip(conv.iter().zip(value))
                .map(|(n, (&c, &v))| ChannelCredit {
                    channel: n.clone(),
                    conversions: c,
                    value: v,
                })
                .collect(),
            removal_effects: None,
            p_conversion: None,
        }
    }

    /// This credit, or [`AttributionError::NotFinite`] naming the first amount that is not a
    /// finite number: every model's result passes here, so no binding ever prints `null` (JSON's
    /// rendering of NaN and infinity) for a credit.
    pub(crate) fn finite(self) -> Result<Self, AttributionError> {
        let bad = |what: String| Err(AttributionError::NotFinite { what });
        for c in &self.channels {
            if !c.conversions.is_finite() {
                return bad(format!("credit of channel `{}` (conversions)", c.channel));
            }
            if !c.value.is_finite() {
                return bad(format!("credit of channel `{}` (value)", c.channel));
            }
        }
        for r in self.removal_effects.iter().flatten() {
            if !(r.conversion.is_finite() && r.value.is_finite()) {
                return bad(format!("removal effect of channel `{}`", r.channel));
            }
        }
        if self.p_conversion.is_some_and(|p| !p.is_finite()) {
            return bad("the probability of conversion".into());
        }
        Ok(self)
    }

    /// The credit of one channel.
    #[must_use]
    pub fn get(&self, channel: &str) -> Option<&ChannelCredit> {
        self.channels.iter().find(|c| c.channel == channel)
    }

    /// Sum of credited conversions.
    #[must_use]
    pub fn total_conversions(&self) -> f64 {
        self.channels.iter().map(|c| c.conversions).sum()
    }

    /// Sum of credited value.
    #[must_use]
    pub fn total_value(&self) -> f64 {
        self.channels.iter().map(|c| c.value).sum()
    }

    /// Whether credited conversions and value equal `conversions` and `value` within a relative
    /// tolerance of 1e-9: shares are computed in f64 and summed, so the error is a few ulps per
    /// channel, far below 1e-9 for any realistic number of channels.
    #[must_use]
    pub fn check_totals(&self, conversions: f64, value: f64) -> bool {
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * b.abs().max(1.0);
        close(self.total_conversions(), conversions) && close(self.total_value(), value)
    }
}
