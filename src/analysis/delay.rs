//! Lag in the sampled loop: the frequency-domain bound that proves
//! stability for every lag, a root count by the argument principle, and the
//! delay margin.
//!
//! With lag `d` the characteristic equation of the sampled loop is
//! `det(I − z⁻ᵈ H(z)) = 0` with the one-period loop transfer
//! `H(z) = γ((1 + r) − r z⁻¹)(zI − Φ)⁻¹ΓK` (see [`super::sampled`]).

use nalgebra::{Complex, DMatrix};

use super::sampled::{companion_with_lag, radius, radius_hqr_first};
use super::zoh::{Zoh, derivative_ratio, zoh};
use super::{MARGINAL_TOLERANCE, Verdict, check_gain};
use crate::control::Controller;
use crate::error::{NumericalError, Result};
use crate::model::Dynamics;

/// Longest lag the delay-margin scan tries, periods.
const MAX_LAG: usize = 400;
/// Companion matrices up to this size are solved directly; longer lags are
/// counted by the argument principle.
const DIRECT: usize = 64;

/// `ρ(H(e^{iθ}))` for the loop transfer over one period without the lag factor.
fn loop_radius_at(z: &Zoh, d: &Dynamics, gain: f64, r: f64, theta: f64) -> Result<f64> {
    let n = d.n();
    let e = Complex::from_polar(1.0, theta);
    let scalar = gain * (Complex::new(1.0 + r, 0.0) - r * e.conj());
    // H = scalar · diag(Γᵢ/(e − Φᵢ)) K, realified to [[Re, −Im], [Im, Re]].
    let mut real = DMatrix::zeros(2 * n, 2 * n);
    for i in 0..n {
        let di = scalar * z.gamma[i] / (e - z.phi[i]);
        for j in 0..n {
            let h = di * d.coupling[(i, j)];
            real[(i, j)] = h.re;
            real[(i, n + j)] = -h.im;
            real[(n + i, j)] = h.im;
            real[(n + i, n + j)] = h.re;
        }
    }
    // A realified matrix's eigenvalues come in equal-modulus groups that
    // stall nalgebra's QR: hqr first.
    radius_hqr_first(&real)
}

/// `sup_θ ρ(H(e^{iθ}))` with `H(z) = γ((1 + r) − r z⁻¹)(zI − Φ)⁻¹ΓK`, the
/// loop transfer over one period without its lag factor `z⁻ᵈ`.
///
/// A root of the lagged loop on the unit circle needs `H(e^{iθ})` to have
/// an eigenvalue `e^{iθd}`: if this bound is below 1 the loop is stable for
/// every lag (a homotopy from zero gain cannot cross the circle); above 1 it
/// explodes at long enough lags. Evaluated on 513 frequencies (denser near
/// `θ = 0`, where slow actors make `H` peak) and refined around the three
/// largest values by golden-section search.
///
/// # Errors
/// As [`super::sampled_spectral_radius`].
pub fn loop_radius_bound(d: &Dynamics, c: &Controller, gain: f64) -> Result<f64> {
    d.check()?;
    c.check()?;
    check_gain(gain)?;
    let r = derivative_ratio(c)?;
    let z = zoh(d, c.period)?;
    let pi = std::f64::consts::PI;
    let grid: Vec<f64> = (0..=512).map(|k| pi * (k as f64 / 512.0).powi(2)).collect();
    let values: Vec<f64> = grid
        .iter()
        .map(|&t| loop_radius_at(&z, d, gain, r, t))
        .collect::<Result<_>>()?;
    let mut order: Vec<usize> = (0..grid.len()).collect();
    order.sort_by(|&a, &b| values[b].total_cmp(&values[a]));
    let mut best = values[order[0]];
    for &k in order.iter().take(3) {
        let (mut a, mut b) = (grid[k.saturating_sub(1)], grid[(k + 1).min(grid.len() - 1)]);
        let inv_phi = 0.5 * (5f64.sqrt() - 1.0);
        for _ in 0..40 {
            let x1 = b - inv_phi * (b - a);
            let x2 = a + inv_phi * (b - a);
            let (f1, f2) = (
                loop_radius_at(&z, d, gain, r, x1)?,
                loop_radius_at(&z, d, gain, r, x2)?,
            );
            best = best.max(f1).max(f2);
            if f1 > f2 {
                b = x2;
            } else {
                a = x1;
            }
        }
    }
    Ok(best)
}

/// How much perception lag the sampled loop tolerates at a given gain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DelayMargin {
    /// Stable for every lag.
    AllStable,
    /// Stable for lags `0..=L` and explosive (or marginal) at `L + 1`, periods.
    Largest(usize),
    /// Lags `0..=L` are stable; longer ones were not examined (the scan
    /// stops at 400), though some long lag explodes.
    AtLeast(usize),
    /// Not stable even without lag.
    Unstable,
}

impl DelayMargin {
    /// The value for JSON: `None` when every lag is stable, `-1` when no lag
    /// is, the largest stable lag otherwise.
    #[must_use]
    pub fn periods(self) -> Option<i64> {
        match self {
            DelayMargin::AllStable => None,
            DelayMargin::Largest(l) | DelayMargin::AtLeast(l) => {
                Some(i64::try_from(l).unwrap_or(i64::MAX))
            }
            DelayMargin::Unstable => Some(-1),
        }
    }
}

/// The delay margin at gain `gain`: the largest `L` such that every lag
/// `0..=L` (periods) keeps the sampled loop stable, with the controller's
/// period and derivative term.
///
/// Lag 0 is checked first; then [`loop_radius_bound`] `< 1` proves
/// stability for every lag; otherwise lags are tried in turn (up to 400):
/// on the companion matrix while it has at most 64 rows, by
/// [`unstable_root_count`] beyond.
///
/// # Errors
/// As [`super::sampled_spectral_radius`].
///
/// # Example
///
/// ```
/// use escalation::analysis::{DelayMargin, delay_margin};
/// use escalation::control::Controller;
/// use escalation::model::Dynamics;
///
/// let d = Dynamics::richardson(0.5, 0.4, 0.3, 0.6, 0.0, 0.0)?;
/// let c = Controller::new(1.0, 0)?;
/// // Below γ* ≈ 1.054 no lag destabilizes the plain controller...
/// assert_eq!(delay_margin(&d, &c, 1.0)?, DelayMargin::AllStable);
/// // ...and above it not even lag 0 is stable.
/// assert_eq!(delay_margin(&d, &c, 1.2)?, DelayMargin::Unstable);
/// // Strong sensitization (a derivative term of 3 days) destabilizes the
/// // loop at gain 1 even without lag, though not at gain 0.5.
/// let mut sensitized = c.clone();
/// sensitized.derivative = 3.0;
/// assert_eq!(delay_margin(&d, &sensitized, 1.0)?, DelayMargin::Unstable);
/// assert_eq!(delay_margin(&d, &sensitized, 0.5)?, DelayMargin::AllStable);
/// # Ok::<(), escalation::Error>(())
/// ```
pub fn delay_margin(d: &Dynamics, c: &Controller, gain: f64) -> Result<DelayMargin> {
    d.check()?;
    c.check()?;
    let n = d.n();
    let extra = usize::from(c.derivative > 0.0);
    let stable = |lag: usize| -> Result<bool> {
        if n * (lag + extra + 1) <= DIRECT {
            let rho = radius(&companion_with_lag(d, c, gain, lag)?)?;
            Ok(Verdict::from_radius(rho) == Verdict::Stable)
        } else {
            Ok(unstable_root_count(d, c, gain, lag)? == Some(0))
        }
    };
    if !stable(0)? {
        return Ok(DelayMargin::Unstable);
    }
    if loop_radius_bound(d, c, gain)? < 1.0 - MARGINAL_TOLERANCE {
        return Ok(DelayMargin::AllStable);
    }
    for lag in 1..=MAX_LAG {
        if !stable(lag)? {
            return Ok(DelayMargin::Largest(lag - 1));
        }
    }
    Ok(DelayMargin::AtLeast(MAX_LAG))
}

/// `det(I − z⁻ᵈ H(z))` at `z = e^{iθ}`.
fn char_fn(z: &Zoh, d: &Dynamics, gain: f64, r: f64, lag: usize, theta: f64) -> Complex<f64> {
    let n = d.n();
    let e = Complex::from_polar(1.0, theta);
    let scalar = gain
        * Complex::from_polar(1.0, -theta * lag as f64)
        * (Complex::new(1.0 + r, 0.0) - r * e.conj());
    let m = DMatrix::from_fn(n, n, |i, j| {
        let h = scalar * z.gamma[i] / (e - z.phi[i]) * d.coupling[(i, j)];
        if i == j {
            Complex::new(1.0, 0.0) - h
        } else {
            -h
        }
    });
    m.lu().determinant()
}

/// Number of roots of the lagged sampled loop outside the unit circle
/// (`0` means stable), by the argument principle; `None` when a root lies
/// on the circle (to rounding) or the count is not an integer.
///
/// `P(z) = z^{n(d+1)} det(zI − Φ) det(I − z⁻ᵈH(z))`, and the first two
/// factors have all their roots inside the circle, so the roots outside are
/// the zeros of `F(z) = det(I − z⁻ᵈH(z))` there, which is analytic outside
/// the circle and tends to 1 at infinity: their number is minus the winding
/// number of `F(e^{iθ})` around 0. The winding is accumulated over
/// `θ ∈ [0, π]` (the other half mirrors it), from `64(d + 2) + 256` points,
/// each step bisected until the phase moves less than π/4 (at most 40
/// times). Costs `O(d n³)`, against `O(d³ n³)` for the companion matrix.
///
/// # Errors
/// [`crate::Error::Invalid`] for an invalid controller or gain.
pub fn unstable_root_count(
    d: &Dynamics,
    c: &Controller,
    gain: f64,
    lag: usize,
) -> Result<Option<usize>> {
    d.check()?;
    c.check()?;
    check_gain(gain)?;
    let r = derivative_ratio(c)?;
    let z = zoh(d, c.period)?;
    let f = |t: f64| char_fn(&z, d, gain, r, lag, t);
    let pi = std::f64::consts::PI;
    let tiny = 1e-13;
    let points = 64 * (lag + 2) + 256;
    // Bisection may refine where the phase turns fast, but a function that
    // turns fast everywhere (values beyond the range of the arithmetic)
    // would refine forever: the evaluations are capped.
    let budget = 64 * points;
    let mut evaluations = 0usize;
    let mut total = 0.0;
    let (mut t0, mut f0) = (0.0, f(0.0));
    for k in 1..=points {
        let t1 = pi * k as f64 / points as f64;
        let f1 = f(t1);
        // Bisect [t0, t1] until every step turns by less than π/4.
        let mut stack = vec![(t1, f1, 0u32)];
        while let Some(&(tb, fb, depth)) = stack.last() {
            evaluations += 1;
            if evaluations > budget || !(f0.norm().is_finite() && fb.norm().is_finite()) {
                return Err(NumericalError::NoConvergence {
                    method: format!(
                        "the argument principle on the loop with lag {lag} (det(I − z⁻ᵈH(z)) not finite or turning too fast on the unit circle)"
                    ),
                    iterations: budget,
                }
                .into());
            }
            if f0.norm() <= tiny || fb.norm() <= tiny {
                return Ok(None);
            }
            let turn = (fb / f0).arg();
            if turn.abs() <= 0.25 * pi || depth >= 40 {
                if depth >= 40 && turn.abs() > 0.25 * pi {
                    return Ok(None);
                }
                total += turn;
                t0 = tb;
                f0 = fb;
                stack.pop();
            } else {
                let tm = 0.5 * (t0 + tb);
                stack.push((tm, f(tm), depth + 1));
            }
        }
    }
    let count = -total / pi;
    let rounded = count.round();
    if (count - rounded).abs() > 0.05 || rounded < 0.0 {
        return Ok(None);
    }
    // ok: rounded is a small non-negative integer here.
    Ok(Some(rounded as usize))
}
