//! Equilibria: closed form for the linear model, projected Newton for the
//! ceiling model; the Jacobian; "negative peace".

use nalgebra::{DMatrix, DVector, linalg::SVD};

use super::check_gain;
use crate::error::{Error, NumericalError, Result};
use crate::model::{Dynamics, Ladder};

/// Relative size of the smallest singular value below which `M(γ)` counts as singular.
const SINGULAR: f64 = 1e-12;

/// True when `m` is singular to working precision (`σ_min ≤ 1e-12 σ_max`).
fn is_singular(m: &DMatrix<f64>) -> Result<bool> {
    let n = m.nrows();
    if m.iter().any(|v| !v.is_finite()) {
        // nalgebra's SVD panics on NaN.
        return Err(NumericalError::OutOfRange {
            quantity: format!("a {n}×{n} matrix to be solved"),
            cause: "an entry is beyond the range of floating-point numbers".into(),
        }
        .into());
    }
    let svd =
        SVD::try_new(m.clone(), false, false, f64::EPSILON, 100 * n.max(10)).ok_or_else(|| {
            NumericalError::NoConvergence {
                method: format!("the SVD of a {n}×{n} matrix"),
                iterations: 100 * n.max(10),
            }
        })?;
    let s = &svd.singular_values;
    let max = s.max();
    let min = s.min();
    Ok(max.is_nan() || max <= 0.0 || min <= SINGULAR * max)
}

/// `R m C` with diagonal `R` and `C` of powers of two that bring the
/// largest entry of every row, then of every column, near 1 (row and
/// column equilibration, exact): the singularity test and the solve then
/// see the matrix's structure, not the units of its rows. Returns the
/// scaled matrix and the diagonals of `R` and `C`.
fn equilibrate(m: &DMatrix<f64>) -> (DMatrix<f64>, Vec<f64>, Vec<f64>) {
    let (nr, nc) = m.shape();
    let mut e = m.clone();
    let mut r = vec![1.0; nr];
    for (i, ri) in r.iter_mut().enumerate() {
        *ri = unit_but_normal(e.row(i).iter().copied());
        for j in 0..nc {
            e[(i, j)] *= *ri;
        }
    }
    let mut c = vec![1.0; nc];
    for (j, cj) in c.iter_mut().enumerate() {
        *cj = unit_but_normal(e.column(j).iter().copied());
        for i in 0..nr {
            e[(i, j)] *= *cj;
        }
    }
    (e, r, c)
}

/// The power of two that brings the largest of `values` near 1, unless that
/// would make the smallest non-zero one subnormal (where digits are lost):
/// then the largest that keeps it above `2⁻¹⁰⁰⁰`.
fn unit_but_normal(values: impl Iterator<Item = f64>) -> f64 {
    let (mut lo, mut hi) = (f64::INFINITY, 0.0f64);
    for v in values.map(f64::abs).filter(|v| *v > 0.0) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !(hi > 0.0 && hi.is_finite()) {
        return 1.0;
    }
    let s = super::pow2_scale(hi);
    let floor = super::pow2_scale(lo) * 2f64.powi(-1000);
    if s < floor && hi * floor < 2f64.powi(1000) {
        floor
    } else {
        s
    }
}

/// Solves `m x = rhs` with row and column equilibration ([`equilibrate`]):
/// `None` when the equilibrated matrix is singular to working precision.
fn solve_equilibrated(m: &DMatrix<f64>, rhs: &DVector<f64>) -> Result<Option<DVector<f64>>> {
    let (e, r, c) = equilibrate(m);
    if is_singular(&e)? {
        return Ok(None);
    }
    let b = DVector::from_fn(rhs.len(), |i, _| rhs[i] * r[i]);
    let lu = e.clone().lu();
    let Some(mut y) = lu.solve(&b) else {
        return Ok(None);
    };
    // Partial pivoting is accurate in norm only: an entry far smaller than
    // the others (an actor with a restraint of 1e100 beside one of 0.4)
    // carries an error of ε‖y‖. Two steps of iterative refinement make
    // the solve componentwise backward stable (Skeel 1980), so every entry
    // is accurate to its own size.
    for _ in 0..2 {
        let res = &b - &e * &y;
        match lu.solve(&res) {
            Some(d) if d.iter().all(|v| v.is_finite()) => y += d,
            _ => break,
        }
    }
    Ok(Some(DVector::from_fn(y.len(), |j, _| y[j] * c[j])))
}

/// The equilibrium of the linear model at gain `gain`: `x* = −M(γ)⁻¹ g`
/// (intensity). `None` when `M(γ)` is singular (at a real critical gain).
///
/// The result may have negative entries: it is then not reachable, since
/// intensities never go negative, and [`is_negative_peace`] is false.
///
/// # Example
///
/// ```
/// use escalation::analysis::linear_equilibrium;
/// use escalation::model::Dynamics;
/// // Richardson: x* = (bg + kh, lg + ah) / (ab − kl)
/// let (a, b, k, l, g, h) = (0.5, 0.4, 0.3, 0.6, 0.02, 0.01);
/// let d = Dynamics::richardson(a, b, k, l, g, h).unwrap();
/// let x = linear_equilibrium(&d, 1.0).unwrap().unwrap();
/// let det = a * b - k * l;
/// assert!((x[0] - (b * g + k * h) / det).abs() < 1e-12);
/// assert!((x[1] - (l * g + a * h) / det).abs() < 1e-12);
/// ```
///
/// # Errors
/// [`Error::Invalid`] for a non-finite gain; [`Error::Numerical`] if the solve fails.
pub fn linear_equilibrium(d: &Dynamics, gain: f64) -> Result<Option<DVector<f64>>> {
    d.check()?;
    check_gain(gain)?;
    super::check_range(d, gain)?;
    let m = d.system_matrix(gain);
    let rhs = -&d.grievance;
    let Some(x) = solve_equilibrated(&m, &rhs)? else {
        return Ok(None);
    };
    if x.iter().all(|v| v.is_finite()) {
        Ok(Some(x))
    } else {
        Err(NumericalError::OutOfRange {
            quantity: "the equilibrium −M(γ)⁻¹g".into(),
            cause: super::range_cause(d, gain),
        }
        .into())
    }
}

/// The drive `h(x) = −Ax + γKx + g` (intensity/day), before the ceiling factor.
fn drive(d: &Dynamics, gain: f64, x: &DVector<f64>) -> DVector<f64> {
    d.system_matrix(gain) * x + &d.grievance
}

/// The ceiling factor `1 − xᵢ/Cᵢ` (1 without a ceiling).
fn factor(d: &Dynamics, i: usize, xi: f64) -> f64 {
    d.ceiling[i].map_or(1.0, |c| 1.0 - xi / c)
}

/// The Jacobian of the smooth right-hand side at `x` (1/day):
/// `Jᵢⱼ = (1 − xᵢ/Cᵢ) Mᵢⱼ − δᵢⱼ hᵢ(x)/Cᵢ`, which is `M(γ)` without ceilings.
///
/// # Errors
/// [`Error::Invalid`] when `x` has the wrong length or the gain is not finite.
pub fn jacobian(d: &Dynamics, gain: f64, x: &DVector<f64>) -> Result<DMatrix<f64>> {
    d.check()?;
    check_gain(gain)?;
    if x.len() != d.n() {
        return Err(Error::invalid(
            "x",
            format!("must have {} entries, got {}", d.n(), x.len()),
        ));
    }
    let m = d.system_matrix(gain);
    let h = &m * x + &d.grievance;
    let mut j = m;
    for i in 0..d.n() {
        let f = factor(d, i, x[i]);
        for c in 0..d.n() {
            j[(i, c)] *= f;
        }
        if let Some(c) = d.ceiling[i] {
            j[(i, i)] -= h[i] / c;
        }
    }
    Ok(j)
}

/// Actors held at zero at `x`: `xᵢ = 0` with a negative drive. The
/// projection keeps them there, so they take no part in small motions.
///
/// # Errors
/// [`Error::Invalid`] for invalid dynamics or an `x` of the wrong length.
pub fn pinned_actors(d: &Dynamics, gain: f64, x: &DVector<f64>) -> Result<Vec<bool>> {
    d.check()?;
    check_state(d, x, "x")?;
    Ok(pinned(d, gain, x))
}

fn pinned(d: &Dynamics, gain: f64, x: &DVector<f64>) -> Vec<bool> {
    let h = drive(d, gain, x);
    (0..d.n()).map(|i| x[i] <= 0.0 && h[i] < 0.0).collect()
}

/// Checks that `x` holds one finite intensity per actor.
fn check_state(d: &Dynamics, x: &DVector<f64>, key: &str) -> Result<()> {
    if x.len() != d.n() || x.iter().any(|v| !v.is_finite()) {
        return Err(Error::invalid(
            key,
            format!("must hold {} finite intensities", d.n()),
        ));
    }
    Ok(())
}

/// Residual of the projected field: `fᵢ = (1 − xᵢ/Cᵢ) hᵢ`, zero where an actor is pinned.
fn residual(d: &Dynamics, gain: f64, x: &DVector<f64>) -> DVector<f64> {
    let h = drive(d, gain, x);
    DVector::from_fn(d.n(), |i, _| {
        let f = factor(d, i, x[i]) * h[i];
        if x[i] <= 0.0 && f < 0.0 { 0.0 } else { f }
    })
}

/// Keeps `x` in the box `0 ≤ xᵢ ≤ Cᵢ`.
fn project(d: &Dynamics, x: &mut DVector<f64>) {
    for i in 0..d.n() {
        let hi = d.ceiling[i].unwrap_or(f64::INFINITY);
        x[i] = x[i].clamp(0.0, hi);
    }
}

/// An equilibrium of the ceiling model at gain `gain` by damped, projected
/// Newton iteration from `start` (intensity).
///
/// Solves `(1 − xᵢ/Cᵢ)·hᵢ(x) = 0` with the iterates kept in the box
/// `0 ≤ xᵢ ≤ Cᵢ`; an actor at zero with a negative drive is an equilibrium of
/// the projected flow and is held there (an active-set step). Each step
/// halves until the residual decreases; at most 200 steps. Returns `None`
/// when the iteration stalls or the Jacobian is singular.
///
/// # Errors
/// [`Error::Invalid`] for a wrong `start` length or a non-finite gain.
pub fn ceiling_equilibrium(
    d: &Dynamics,
    gain: f64,
    start: &DVector<f64>,
) -> Result<Option<DVector<f64>>> {
    d.check()?;
    check_gain(gain)?;
    let n = d.n();
    if start.len() != n || start.iter().any(|v| !v.is_finite()) {
        return Err(Error::invalid(
            "start",
            format!("must hold {n} finite intensities"),
        ));
    }
    super::check_range(d, gain)?;
    let mut x = start.clone();
    project(d, &mut x);
    let scale = super::abscissa_scale(d, gain);
    let g_max = d.grievance.amax();
    let tol = |x: &DVector<f64>| 1e-12 * (scale * (1.0 + x.amax()) + g_max);
    let mut r = residual(d, gain, &x);
    for _ in 0..200 {
        if r.amax() <= tol(&x) {
            return Ok(Some(snap(d, gain, x)));
        }
        let pinned = pinned(d, gain, &x);
        let free: Vec<usize> = (0..n).filter(|&i| !pinned[i]).collect();
        let j = jacobian(d, gain, &x)?;
        let jf = DMatrix::from_fn(free.len(), free.len(), |p, q| j[(free[p], free[q])]);
        let rf = DVector::from_fn(free.len(), |p, _| r[free[p]]);
        // Equilibrated: a tiny ceiling's row (entries ~ drive / ceiling)
        // would otherwise swamp the others.
        let (e, rs, cs) = equilibrate(&jf);
        let rf = DVector::from_fn(rf.len(), |p, _| rf[p] * rs[p]);
        let Some(step) = e.lu().solve(&rf) else {
            return Ok(None);
        };
        let step = DVector::from_fn(step.len(), |p, _| step[p] * cs[p]);
        if step.iter().any(|v| !v.is_finite()) {
            return Ok(None);
        }
        let mut t = 1.0;
        let norm = r.norm();
        loop {
            let mut trial = x.clone();
            for (p, &i) in free.iter().enumerate() {
                trial[i] -= t * step[p];
            }
            project(d, &mut trial);
            let rt = residual(d, gain, &trial);
            if rt.norm() < norm * (1.0 - 1e-4 * t) || rt.amax() <= tol(&trial) {
                x = trial;
                r = rt;
                break;
            }
            t *= 0.5;
            if t < 1e-12 {
                return Ok(None);
            }
        }
    }
    Ok((r.amax() <= tol(&x)).then(|| snap(d, gain, x)))
}

/// Puts intensities within `1e-9` of a ceiling (or of zero) on it, when
/// that is an equilibrium too: Newton approaches a ceiling only linearly.
fn snap(d: &Dynamics, gain: f64, x: DVector<f64>) -> DVector<f64> {
    let mut y = x.clone();
    for i in 0..d.n() {
        if let Some(c) = d.ceiling[i]
            && (c - y[i]).abs() <= 1e-9 * c
        {
            y[i] = c;
        }
        if y[i].abs() <= 1e-12 {
            y[i] = 0.0;
        }
    }
    let before = residual(d, gain, &x).amax();
    if residual(d, gain, &y).amax() <= before.max(1e-14) * 10.0 {
        y
    } else {
        x
    }
}

/// The equilibrium the analysis reports: [`linear_equilibrium`] without
/// ceilings, [`ceiling_equilibrium`] from `start` with them.
///
/// # Errors
/// As the two functions.
pub fn equilibrium(d: &Dynamics, gain: f64, start: &DVector<f64>) -> Result<Option<DVector<f64>>> {
    d.check()?;
    if d.is_linear() {
        linear_equilibrium(d, gain)
    } else {
        ceiling_equilibrium(d, gain, start)
    }
}

/// A "negative peace": every intensity is non-negative (to `1e-12`) and on
/// a rung below `breach_rung`. No conflict, but nothing resolved.
#[must_use]
pub fn is_negative_peace(x: &DVector<f64>, ladder: &Ladder, breach_rung: usize) -> bool {
    x.iter()
        .all(|&v| v >= -1e-12 && ladder.rung_of(v) < breach_rung)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jacobian_matches_finite_differences() {
        let mut d = Dynamics::new(
            DVector::from_vec(vec![0.5, 0.3, 0.8]),
            DMatrix::from_row_slice(3, 3, &[0.0, 0.4, -0.2, 0.6, 0.0, 0.3, 0.1, -0.5, 0.0]),
            DVector::from_vec(vec![0.2, -0.1, 0.3]),
        )
        .unwrap();
        d.ceiling = vec![Some(4.0), None, Some(6.0)];
        let x = DVector::from_vec(vec![1.5, 2.0, 3.5]);
        let j = jacobian(&d, 1.3, &x).unwrap();
        let f = |x: &DVector<f64>| {
            let h = drive(&d, 1.3, x);
            DVector::from_fn(3, |i, _| factor(&d, i, x[i]) * h[i])
        };
        for c in 0..3 {
            let mut up = x.clone();
            let mut down = x.clone();
            up[c] += 1e-6;
            down[c] -= 1e-6;
            let col = (f(&up) - f(&down)) / 2e-6;
            for r in 0..3 {
                assert!(
                    (col[r] - j[(r, c)]).abs() < 1e-8,
                    "({r},{c}): {} vs {}",
                    col[r],
                    j[(r, c)]
                );
            }
        }
    }
}
