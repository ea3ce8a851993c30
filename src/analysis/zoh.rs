//! The exact zero-order-hold discretization of the restraint over one
//! decision period, shared by the sampled loop's companion matrix
//! (`sampled.rs`, `delay.rs`) and its characteristic polynomial
//! (`schur_cohn.rs`).

use nalgebra::DVector;

use crate::control::Controller;
use crate::error::{Error, Result};
use crate::model::Dynamics;

/// Exact zero-order-hold discretization of `dx/dt = −Ax + u` over one period.
#[derive(Debug, Clone, PartialEq)]
pub struct Zoh {
    /// `Φᵢ = e^{−aᵢΔ}` (dimensionless).
    pub phi: DVector<f64>,
    /// `Γᵢ = (1 − e^{−aᵢΔ})/aᵢ`, days.
    pub gamma: DVector<f64>,
}

/// The exact ZOH discretization for the period `period` (days).
///
/// ```
/// use escalation::analysis::zoh;
/// use escalation::model::Dynamics;
/// let d = Dynamics::richardson(0.5, 0.4, 0.3, 0.6, 0.0, 0.0).unwrap();
/// let z = zoh(&d, 2.0).unwrap();
/// assert!((z.phi[0] - (-1.0f64).exp()).abs() < 1e-15);
/// assert!((z.gamma[0] - (1.0 - (-1.0f64).exp()) / 0.5).abs() < 1e-15);
/// ```
///
/// # Errors
/// [`Error::Invalid`] unless the period is positive and finite.
pub fn zoh(d: &Dynamics, period: f64) -> Result<Zoh> {
    d.check()?;
    if !period.is_finite() || period <= 0.0 {
        return Err(Error::invalid(
            "controller.period",
            format!(
                "must be a positive number of days, got {}",
                crate::error::num(period)
            ),
        ));
    }
    Ok(Zoh {
        phi: d.restraint.map(|a| (-a * period).exp()),
        gamma: d.restraint.map(|a| -(-a * period).exp_m1() / a),
    })
}

/// Checks the controller and returns its derivative ratio `r = τ_D/Δ`.
pub(crate) fn derivative_ratio(c: &Controller) -> Result<f64> {
    c.check()?;
    Ok(c.derivative / c.period)
}
