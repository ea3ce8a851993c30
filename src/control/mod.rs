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
        Ok(())
    }
}
