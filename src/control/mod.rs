//! The discrete controller: each actor decides at fixed periods with a
//! perception lag, an optional derivative (sensitization) term, a deadband
//! and a response saturation; decisions are held between ticks (zero-order hold).
//!
//! ```text
//! y[k] = x(t_{k-d})                        perception lag d periods (x(0) before t = 0)
//! φ[k] = y[k] + (τ_D/Δ)(y[k] - y[k-1])     sensitization to movement
//! u[k] = γ(t_k) K φ[k]                     held on [t_k, t_k + Δ)
//! ```

use crate::error::Result;
use crate::error::rules::{lag, non_negative, positive};

/// Parameters of the sampled-data loop.
#[derive(Debug, Clone, PartialEq)]
pub struct Controller {
    /// `Δ`, decision period, days.
    pub period: f64,
    /// `d`, perception lag in whole periods.
    pub lag: usize,
    /// `τ_D`, derivative time, days (0 = no sensitization).
    pub derivative: f64,
    /// Perceived changes smaller than this (intensity) are ignored.
    pub deadband: f64,
    /// Optional bound on `|u_i|`, intensity/day.
    pub saturation: Option<f64>,
    /// Adaptation of the derivative term to the movement seen recently
    /// (the paradox of the tactical pause); `None`: none.
    pub adaptation: Option<Adaptation>,
}

/// How the derivative term adapts to recent movement: for each observed
/// actor `s_j[k] = (1−β) s_j[k−1] + β |y_j[k] − y_j[k−1]|`, `s_j[0] = σ₀`, and
/// the derivative term is scaled by `σ₀ / max(s_j[k−1], σ_min)`: after a
/// quiet spell the same movement looks up to `σ₀/σ_min` times larger.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Adaptation {
    /// `β ∈ (0, 1]`, weight of the newest movement.
    pub memory: f64,
    /// `σ₀ > 0`, the movement the actors are used to, intensity per period.
    pub baseline: f64,
    /// `σ_min ∈ (0, σ₀]`, the least movement they adapt to.
    pub floor: f64,
}

impl Adaptation {
    /// `σ₀ / σ_min`: the most a movement can be magnified.
    #[must_use]
    pub fn max_sensitization(&self) -> f64 {
        self.baseline / self.floor
    }
}

impl Controller {
    /// A proportional controller with period `period` (days) and lag `lag` (periods).
    ///
    /// # Errors
    /// [`Error::Invalid`](crate::Error::Invalid) when the period is not positive and finite.
    pub fn new(period: f64, lag: usize) -> Result<Self> {
        let c = Self {
            period,
            lag,
            derivative: 0.0,
            deadband: 0.0,
            saturation: None,
            adaptation: None,
        };
        c.check()?;
        Ok(c)
    }

    /// Checks every field: a positive finite period, non-negative finite
    /// derivative and deadband, a positive finite saturation, and a lag of at
    /// most [`MAX_LAG`](crate::limits::MAX_LAG) periods.
    ///
    /// # Errors
    /// [`Error::Invalid`](crate::Error::Invalid) naming the field (`controller.period`, …).
    pub fn check(&self) -> Result<()> {
        positive("controller.period", self.period)?;
        lag("controller.lag", self.lag)?;
        non_negative("controller.derivative", self.derivative)?;
        non_negative("controller.deadband", self.deadband)?;
        if let Some(s) = self.saturation {
            positive("controller.saturation", s)?;
        }
        if let Some(a) = &self.adaptation {
            let beta = positive("controller.adaptation.memory", a.memory)?;
            if beta > 1.0 {
                return Err(crate::error::rules::bad(
                    "controller.adaptation.memory",
                    beta,
                    "must be in (0, 1]",
                ));
            }
            let base = positive("controller.adaptation.baseline", a.baseline)?;
            let floor = positive("controller.adaptation.floor", a.floor)?;
            if floor > base {
                return Err(crate::error::rules::bad(
                    "controller.adaptation.floor",
                    floor,
                    &format!("must not exceed the baseline ({})", crate::error::num(base)),
                ));
            }
        }
        Ok(())
    }
}
