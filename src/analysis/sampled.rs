//! The sampled-data loop (design §3): exact zero-order-hold discretization,
//! the lagged companion matrix, its spectral radius, the sampled critical
//! gain and the delay margin.
//!
//! Between decisions `dx/dt = −Ax + u[k] + g` with `u[k] = γK φ[k]` held
//! for one period `Δ`, so `x[k+1] = Φ x[k] + Γ (γK φ[k] + g)` with
//! `Φ = e^{−AΔ}` and `Γ = ∫₀^Δ e^{−As} ds`, both diagonal because `A` is.
//! With lag `d` and derivative ratio `r = τ_D/Δ`,
//! `φ[k] = (1 + r) x[k−d] − r x[k−d−1]`.

use nalgebra::{DMatrix, DVector};

use super::eigen::eigenvalues;
use super::{Verdict, check_gain};
use crate::control::Controller;
use crate::error::{Error, Result};
use crate::model::Dynamics;

/// The sampled critical gain is sought up to this multiple of the
/// guaranteed-stable gain.
const GAIN_SPAN: f64 = 1e4;
/// Ratio of successive gains in the bracketing scan.
const GAIN_STEP: f64 = 1.02;
/// Largest companion matrix the sampled analysis builds (its eigenvalues are
/// computed about 150 times per critical-gain search): 256 is 42 periods of
/// lag for 6 actors, and a few seconds at most.
pub const MAX_COMPANION: usize = 256;

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
    if !period.is_finite() || period <= 0.0 {
        return Err(Error::invalid(
            "controller.period",
            format!("must be a positive number of days, got {period}"),
        ));
    }
    Ok(Zoh {
        phi: d.restraint.map(|a| (-a * period).exp()),
        gamma: d.restraint.map(|a| -(-a * period).exp_m1() / a),
    })
}

pub(crate) fn check(c: &Controller) -> Result<f64> {
    c.check()?;
    Ok(c.derivative / c.period)
}

/// The companion matrix with lag `lag` (periods), acting on the stacked
/// state `(x[k], x[k−1], …, x[k−L])` with `L = lag` (+1 with a derivative term).
pub(crate) fn companion_with_lag(
    d: &Dynamics,
    c: &Controller,
    gain: f64,
    lag: usize,
) -> Result<DMatrix<f64>> {
    check_gain(gain)?;
    let r = check(c)?;
    let z = zoh(d, c.period)?;
    let n = d.n();
    let depth = lag + usize::from(r > 0.0);
    let dim = n * (depth + 1);
    if dim > MAX_COMPANION {
        return Err(Error::Numerical(format!(
            "the sampled loop's companion matrix would be {dim}×{dim} ({n} actors × {} lagged states); \
             the eigenvalue analysis is limited to {MAX_COMPANION}×{MAX_COMPANION} so that it cannot run for hours: \
             shorten the lag (in periods) or lengthen the period",
            depth + 1
        )));
    }
    let mut m = DMatrix::zeros(dim, dim);
    for i in 0..n {
        m[(i, i)] = z.phi[i];
        for j in 0..n {
            let b = gain * z.gamma[i] * d.coupling[(i, j)];
            m[(i, lag * n + j)] += (1.0 + r) * b;
            if r > 0.0 {
                m[(i, (lag + 1) * n + j)] -= r * b;
            }
        }
    }
    for k in n..dim {
        m[(k, k - n)] = 1.0;
    }
    Ok(m)
}

/// The companion matrix of the sampled loop at gain `gain`: one period maps
/// `(x[k], …, x[k−L])` to `(x[k+1], …, x[k+1−L])`, with `L` the lag
/// (plus one when the controller has a derivative term). Deadband and
/// saturation are not part of the linear analysis.
///
/// # Errors
/// [`Error::Invalid`] for an invalid controller or gain.
pub fn companion(d: &Dynamics, c: &Controller, gain: f64) -> Result<DMatrix<f64>> {
    companion_with_lag(d, c, gain, c.lag)
}

pub(crate) fn radius(m: &DMatrix<f64>) -> Result<f64> {
    Ok(eigenvalues(m)?.iter().map(|z| z.norm()).fold(0.0, f64::max))
}

/// Spectral radius `ρ` of the sampled loop at gain `gain`: it explodes iff `ρ > 1`,
/// and perturbations scale by `ρ` per period.
///
/// # Errors
/// As [`companion`]; [`Error::Numerical`] if QR fails.
pub fn sampled_spectral_radius(d: &Dynamics, c: &Controller, gain: f64) -> Result<f64> {
    radius(&companion(d, c, gain)?)
}

/// The spectral radius and the verdict of the sampled loop.
///
/// # Errors
/// As [`sampled_spectral_radius`].
pub fn sampled_stability(d: &Dynamics, c: &Controller, gain: f64) -> Result<(f64, Verdict)> {
    let rho = sampled_spectral_radius(d, c, gain)?;
    Ok((rho, Verdict::from_radius(rho)))
}

/// `ρ(A⁻¹|K|)`, the Perron root of the loop with every reaction made positive.
fn abs_loop_radius(d: &Dynamics) -> Result<f64> {
    let mut b = d.coupling.abs();
    for i in 0..d.n() {
        let a = d.restraint[i];
        b.row_mut(i).iter_mut().for_each(|x| *x /= a);
    }
    if d.n() < 2 || b.iter().all(|&x| x == 0.0) {
        return Ok(0.0);
    }
    radius(&b)
}

/// The sampled critical gain: the smallest gain at which the sampled loop
/// explodes; `None` if it does not below `10⁴` times the guaranteed-stable
/// gain `1/((1 + 2r) ρ(A⁻¹|K|))` (below which the entrywise-absolute
/// companion, a positive system, is stable, and so is this one).
///
/// A bracketing root-finder on `ρ(γ) − 1`: gains from half the
/// guaranteed-stable gain upward in steps of 2%, then bisection to machine
/// precision between the last stable and the first explosive gain. An
/// unstable window narrower than 2% of its gain can be missed.
///
/// # Errors
/// As [`sampled_spectral_radius`].
pub fn sampled_critical_gain(d: &Dynamics, c: &Controller) -> Result<Option<f64>> {
    let r = check(c)?;
    let rho_abs = abs_loop_radius(d)?;
    if rho_abs <= 0.0 {
        return Ok(None);
    }
    let safe = 1.0 / ((1.0 + 2.0 * r) * rho_abs);
    let explosive =
        |g: f64| -> Result<bool> { Ok(sampled_stability(d, c, g)?.1 == Verdict::Explosive) };
    let mut lo = 0.5 * safe;
    let mut hi = None;
    let mut g = lo;
    while g <= safe * GAIN_SPAN {
        g *= GAIN_STEP;
        if explosive(g)? {
            hi = Some(g);
            break;
        }
        lo = g;
    }
    let Some(hi) = hi else {
        return Ok(None);
    };
    // The scan used the marginal tolerance; the bisection uses the exact
    // sign of ρ − 1.
    Ok(Some(super::bisect_gain(lo, hi, |g| {
        Ok(sampled_spectral_radius(d, c, g)? > 1.0)
    })?))
}
