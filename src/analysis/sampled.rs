//! The sampled-data loop (`docs/model.md` §2, `docs/analysis.md` §4): the
//! lagged companion matrix built on the exact zero-order hold of `zoh.rs`,
//! its spectral radius and the sampled critical gain.
//!
//! Between decisions `dx/dt = −Ax + u[k] + g` with `u[k] = γK φ[k]` held
//! for one period `Δ`, so `x[k+1] = Φ x[k] + Γ (γK φ[k] + g)` with
//! `Φ = e^{−AΔ}` and `Γ = ∫₀^Δ e^{−As} ds`, both diagonal because `A` is.
//! With lag `d` and derivative ratio `r = τ_D/Δ`,
//! `φ[k] = (1 + r) x[k−d] − r x[k−d−1]`.

use nalgebra::DMatrix;

use super::eigen::eigenvalues;
use super::perron::loop_radius;
use super::schur_cohn::SampledPolynomial;
use super::zoh::{derivative_ratio, zoh};
use super::{MARGINAL_TOLERANCE, Verdict, check_gain};
use crate::control::Controller;
use crate::error::{NumericalError, Result};
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

/// The companion matrix's dimension for `n` actors, lag `lag` and derivative
/// ratio `r`, or an error above [`MAX_COMPANION`].
fn check_companion(n: usize, lag: usize, r: f64) -> Result<usize> {
    let depth = lag + usize::from(r > 0.0);
    let dim = n * (depth + 1);
    if dim > MAX_COMPANION {
        return Err(NumericalError::CompanionTooLarge {
            size: dim,
            limit: MAX_COMPANION,
        }
        .into());
    }
    Ok(dim)
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
    let r = derivative_ratio(c)?;
    let z = zoh(d, c.period)?;
    let n = d.n();
    let dim = check_companion(n, lag, r)?;
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
    if m.iter().any(|v| !v.is_finite()) {
        return Err(NumericalError::OutOfRange {
            quantity: "the sampled loop's companion matrix".into(),
            cause: super::range_cause(d, gain),
        }
        .into());
    }
    Ok(m)
}

/// The companion matrix of the sampled loop at gain `gain`: one period maps
/// `(x[k], …, x[k−L])` to `(x[k+1], …, x[k+1−L])`, with `L` the lag
/// (plus one when the controller has a derivative term). Deadband and
/// saturation are not part of the linear analysis.
///
/// # Errors
/// [`crate::Error::Invalid`] for an invalid controller or gain.
pub fn companion(d: &Dynamics, c: &Controller, gain: f64) -> Result<DMatrix<f64>> {
    d.check()?;
    c.check()?;
    companion_with_lag(d, c, gain, c.lag)
}

pub(crate) fn radius(m: &DMatrix<f64>) -> Result<f64> {
    Ok(eigenvalues(m)?.iter().map(|z| z.norm()).fold(0.0, f64::max))
}

/// Spectral radius by EISPACK's `hqr` (eigenvalues only: half the time of a
/// Schur decomposition on a 20×20 companion, and it converges on the
/// equal-modulus groups that stall nalgebra's QR), with the Schur
/// decomposition as the fallback.
pub(crate) fn radius_hqr_first(m: &DMatrix<f64>) -> Result<f64> {
    match super::hqr::eigenvalues(m) {
        Some(values) if values.iter().all(|z| z.re.is_finite() && z.im.is_finite()) => {
            Ok(values.iter().map(|z| z.norm()).fold(0.0, f64::max))
        }
        _ => radius(m),
    }
}

/// Spectral radius `ρ` of the sampled loop at gain `gain`: it explodes iff `ρ > 1`,
/// and perturbations scale by `ρ` per period.
///
/// # Errors
/// As [`companion`]; [`crate::Error::Numerical`] if QR fails.
pub fn sampled_spectral_radius(d: &Dynamics, c: &Controller, gain: f64) -> Result<f64> {
    d.check()?;
    c.check()?;
    let rho = radius(&companion(d, c, gain)?).map_err(|e| super::name_range_cause(e, d, gain))?;
    if rho.is_finite() {
        Ok(rho)
    } else {
        Err(NumericalError::OutOfRange {
            quantity: format!(
                "the sampled loop's spectral radius at gain {}",
                crate::error::num(gain)
            ),
            cause: super::range_cause(d, gain),
        }
        .into())
    }
}

/// The spectral radius and the verdict of the sampled loop.
///
/// # Errors
/// As [`sampled_spectral_radius`].
pub fn sampled_stability(d: &Dynamics, c: &Controller, gain: f64) -> Result<(f64, Verdict)> {
    d.check()?;
    c.check()?;
    let rho = sampled_spectral_radius(d, c, gain)?;
    Ok((rho, Verdict::from_radius(rho)))
}

/// `ρ(A⁻¹|K|)`, the Perron root of the loop with every reaction made positive.
fn abs_loop_radius(d: &Dynamics) -> Result<f64> {
    if d.n() < 2 || d.coupling.iter().all(|&x| x == 0.0) {
        return Ok(0.0);
    }
    loop_radius(d)
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
/// Each step asks only whether `ρ(γ)` reaches 1 (`1 + 10⁻⁹` in the scan).
/// With up to ten actors that question is answered without eigenvalues: the
/// companion's characteristic polynomial is expanded once in powers of the
/// gain, and the Schur–Cohn test decides whether its roots lie inside the
/// unit circle (`docs/analysis.md`, "Sampled critical gain"). The gain
/// found is then certified by the companion's eigenvalues (stable at
/// `γ(1 − 10⁻¹¹)`, explosive at `γ(1 + 10⁻¹¹)`), or re-bisected with them in
/// the narrowest bracket they confirm. Beyond ten actors, or if the
/// coefficients overflow, every step uses the eigenvalues.
///
/// ```
/// use escalation::analysis::{sampled_critical_gain, sampled_spectral_radius};
/// use escalation::control::Controller;
/// use escalation::model::Dynamics;
///
/// let d = Dynamics::richardson(0.5, 0.4, 0.3, 0.6, 0.0, 0.0).unwrap();
/// let mut c = Controller::new(1.0, 2).unwrap();
/// c.derivative = 2.0;
/// let g = sampled_critical_gain(&d, &c).unwrap().unwrap();
/// // The loop is marginal there: ρ = 1.
/// assert!((sampled_spectral_radius(&d, &c, g).unwrap() - 1.0).abs() < 1e-8);
/// ```
///
/// # Errors
/// As [`sampled_spectral_radius`].
pub fn sampled_critical_gain(d: &Dynamics, c: &Controller) -> Result<Option<f64>> {
    d.check()?;
    c.check()?;
    let r = derivative_ratio(c)?;
    check_companion(d.n(), c.lag, r)?;
    let rho_abs = abs_loop_radius(d)?;
    if rho_abs <= 0.0 {
        return Ok(None);
    }
    let safe = 1.0 / ((1.0 + 2.0 * r) * rho_abs);
    if !(safe.is_finite() && safe >= f64::MIN_POSITIVE && safe * GAIN_SPAN < f64::MAX) {
        // A subnormal start would make the 2% steps round to nothing.
        return Err(NumericalError::OutOfRange {
            quantity: format!(
                "the guaranteed-stable gain 1/((1 + 2r)ρ(A⁻¹|K|)) = {safe:e}, where the sampled critical gain search starts,"
            ),
            cause: format!("ρ(A⁻¹|K|) = {rho_abs:e}; rescale the couplings or the restraints"),
        }
        .into());
    }
    let mut poly = SampledPolynomial::new(d, c, c.lag)?;
    // Does ρ(γ) reach `radius`?
    let mut reaches = |g: f64, radius: f64| -> Result<bool> {
        if let Some(answer) = poly.as_mut().and_then(|p| p.reaches(g, radius)) {
            return Ok(answer);
        }
        Ok(sampled_spectral_radius(d, c, g)? >= radius)
    };
    let mut lo = 0.5 * safe;
    let mut hi = None;
    let mut g = lo;
    // At most ln(2·GAIN_SPAN)/ln(GAIN_STEP) ≈ 500 steps.
    while g <= safe * GAIN_SPAN {
        g *= GAIN_STEP;
        if reaches(g, 1.0 + MARGINAL_TOLERANCE)? {
            hi = Some(g);
            break;
        }
        lo = g;
    }
    let Some(hi) = hi else {
        return Ok(None);
    };
    // The scan used the marginal tolerance; the bisection uses ρ = 1.
    let found = super::bisect_gain(lo, hi, |g| reaches(g, 1.0))?;
    if poly.is_none() {
        return Ok(Some(found));
    }
    // The polynomial's coefficients lose relative accuracy when its roots
    // crowd near z = 1 (a period short against the restraints), so the
    // crossing is certified by the companion's eigenvalues: stable just
    // below, explosive just above. If that fails at 10⁻¹¹, the widest
    // bracket that passes (or the scan's) is bisected by the eigenvalues.
    let explosive = |g: f64| -> Result<bool> { Ok(radius_hqr_first(&companion(d, c, g)?)? > 1.0) };
    for eta in CERTIFY {
        let (below, above) = (found * (1.0 - eta), found * (1.0 + eta));
        if below > lo && !explosive(below)? && explosive(above)? {
            if eta == CERTIFY[0] {
                return Ok(Some(found));
            }
            return Ok(Some(super::bisect_gain(below, above, explosive)?));
        }
    }
    Ok(Some(super::bisect_gain(lo, hi, explosive)?))
}

/// Relative half-widths of the brackets in which the eigenvalues certify
/// the Schur–Cohn crossing, narrowest first.
const CERTIFY: [f64; 3] = [1e-11, 1e-7, 1e-4];
