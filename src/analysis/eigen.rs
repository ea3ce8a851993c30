//! Eigenvalues with a bounded iteration count, the spectral abscissa, and
//! the leading mode with its participation factors.

use nalgebra::{Complex, DMatrix, DVector, linalg::SVD, linalg::Schur};

use super::{Verdict, check_gain};
use crate::error::{Error, NumericalError, Result};
use crate::model::Dynamics;

/// Iteration cap of the QR algorithm (LAPACK's DHSEQR allows 30 per eigenvalue).
fn qr_cap(n: usize) -> usize {
    30 * n.max(10)
}

/// Eigenvalues of a real square matrix, sorted by decreasing real part
/// (then decreasing imaginary part).
///
/// Uses the Francis QR algorithm (`Schur::try_new`) with an iteration cap
/// of `30·max(n, 10)`. nalgebra's QR has no exceptional shifts and stalls on
/// some matrices (a cycle of six actors with equal restraint, say); when the
/// cap is reached the eigenvalues come from a balanced EISPACK-style `hqr`
/// with exceptional shifts, itself capped at 60 iterations per eigenvalue.
///
/// # Errors
/// [`Error::Invalid`] for a non-square or non-finite matrix;
/// [`Error::Numerical`] when the iteration cap is reached every time.
pub fn eigenvalues(m: &DMatrix<f64>) -> Result<Vec<Complex<f64>>> {
    let n = m.nrows();
    if m.ncols() != n {
        return Err(Error::invalid(
            "matrix",
            format!("must be square, got {}×{}", n, m.ncols()),
        ));
    }
    if m.iter().any(|v| !v.is_finite()) {
        return Err(Error::invalid("matrix", "has a non-finite entry"));
    }
    if n == 0 {
        return Ok(Vec::new());
    }
    // Entries far from 1 are brought near it by an exact power of two
    // (QR is scale-equivariant, but its norms overflow past about 1e154
    // and lose digits among subnormals); the eigenvalues are scaled back.
    let (scaled, s) = scaled_to_unit(m);
    let mut m = scaled.unwrap_or_else(|| m.clone());
    // Entries of very different sizes (a sampled loop at a huge gain, a
    // tiny ceiling's row) are balanced by a diagonal similarity of powers
    // of two, which keeps the spectrum and gives QR a matrix whose
    // rounding no longer swamps the small entries.
    let small = m
        .iter()
        .filter(|v| **v != 0.0)
        .fold(f64::INFINITY, |a, v| a.min(v.abs()));
    if n > 2 && small.is_finite() && m.amax() > 1e8 * small {
        super::hqr::balance(&mut m);
    }
    let m = &m;
    let values: Vec<Complex<f64>> = if n == 2 {
        eigenvalues_2(m[(0, 0)], m[(0, 1)], m[(1, 0)], m[(1, 1)]).to_vec()
    } else {
        match Schur::try_new(m.clone(), f64::EPSILON, qr_cap(n)) {
            Some(schur) => schur.complex_eigenvalues().iter().copied().collect(),
            None => super::hqr::eigenvalues(m).ok_or_else(|| NumericalError::NoConvergence {
                method: format!("the QR algorithm (nalgebra's, then hqr) on a {n}×{n} matrix"),
                iterations: qr_cap(n),
            })?,
        }
    };
    let mut v: Vec<Complex<f64>> = values.into_iter().map(|z| z / s).collect();
    if v.iter().any(|z| !z.re.is_finite() || !z.im.is_finite()) {
        return Err(NumericalError::OutOfRange {
            quantity: format!("an eigenvalue of a {n}×{n} matrix"),
            cause: format!("its largest entry is {}", crate::error::num(m.amax() / s)),
        }
        .into());
    }
    v.sort_by(|a, b| b.re.total_cmp(&a.re).then(b.im.total_cmp(&a.im)));
    Ok(v)
}

/// `(Some(s·m), s)` with `s` the power of two that brings the largest
/// entry of `m` into `[1, 2)`, when that entry is beyond `[2⁻¹⁰⁰, 2¹⁰⁰]`;
/// `(None, 1)` otherwise (or for a zero matrix). Exact: no digit is lost.
pub(crate) fn scaled_to_unit<R: nalgebra::Dim, C: nalgebra::Dim, S>(
    m: &nalgebra::Matrix<f64, R, C, S>,
) -> (Option<nalgebra::OMatrix<f64, R, C>>, f64)
where
    S: nalgebra::storage::Storage<f64, R, C>,
    nalgebra::DefaultAllocator: nalgebra::allocator::Allocator<R, C>,
{
    let mx = m.amax();
    if mx == 0.0 || !mx.is_finite() || (2f64.powi(-100)..=2f64.powi(100)).contains(&mx) {
        return (None, 1.0);
    }
    // For a subnormal maximum, 2¹⁰²³: the largest entry lands above 2⁻⁵².
    let s = super::pow2_scale(mx);
    (Some(m.map(|x| x * s)), s)
}

/// Eigenvalues of `[[p, q], [r, u]]` in closed form, the larger real part
/// first, with no overflow for entries up to about 1e308 (the caller scales
/// them near 1) and no cancellation in the smaller root of a real pair.
fn eigenvalues_2(p: f64, q: f64, r: f64, u: f64) -> [Complex<f64>; 2] {
    let t = 0.5 * (p + u);
    let h = 0.5 * (p - u);
    let disc = h * h + q * r;
    if disc < 0.0 {
        let w = (-disc).sqrt();
        return [Complex::new(t, w), Complex::new(t, -w)];
    }
    let root = disc.sqrt();
    let det = p * u - q * r;
    // t ± root: the one without cancellation directly, the other as det / it.
    let (big, small) = if t >= 0.0 {
        let big = t + root;
        (big, if big == 0.0 { 0.0 } else { det / big })
    } else {
        let low = t - root;
        (det / low, low)
    };
    let (hi, lo) = if big >= small {
        (big, small)
    } else {
        (small, big)
    };
    [Complex::new(hi, 0.0), Complex::new(lo, 0.0)]
}

/// Eigenvalues of the linear system matrix `M(γ) = −A + γK` (1/day), sorted
/// by decreasing real part.
///
/// # Errors
/// As [`eigenvalues`]; [`Error::Invalid`] for a non-finite gain.
pub fn jacobian_eigenvalues(d: &Dynamics, gain: f64) -> Result<Vec<Complex<f64>>> {
    d.check()?;
    check_gain(gain)?;
    super::check_range(d, gain)?;
    eigenvalues(&d.system_matrix(gain))
}

/// The eigenvalue scale `s` of `M(γ) = −A + γK` (1/day), the scale of the
/// marginal tolerance: a bound on the modulus of every eigenvalue that
/// the rounding of the arithmetic is relative to.
///
/// - one actor: `a`;
/// - two actors: [`abscissa_scale_2`] (the size of the terms whose
///   difference is `α`, or `(a+b)/2` for an oscillatory pair, whose real
///   part `−(a+b)/2` does not depend on the couplings);
/// - more: the Gershgorin bound `maxᵢ Σⱼ |Mᵢⱼ|` of `M(γ)` balanced by a
///   diagonal similarity of powers of two (EISPACK's `balanc`), which is
///   at most `maxᵢ (aᵢ + |γ| Σⱼ |Kᵢⱼ|)` and does not grow with couplings
///   that are large in one direction and small in the other.
#[must_use]
pub fn abscissa_scale(d: &Dynamics, gain: f64) -> f64 {
    // Never indexes past a malformed (unchecked) matrix.
    let n = d.n().min(d.coupling.nrows()).min(d.coupling.ncols());
    match n {
        0 => 0.0,
        1 => d.restraint[0],
        2 => abscissa_scale_2(
            d.restraint[0],
            d.restraint[1],
            d.coupling[(0, 1)],
            d.coupling[(1, 0)],
            gain,
        ),
        _ => {
            let mut m = d.system_matrix(gain);
            if m.iter().all(|v| v.is_finite()) {
                super::hqr::balance(&mut m);
            }
            gershgorin_bound(&m)
        }
    }
}

/// The scale of the spectral abscissa of Richardson's two-actor matrix
/// `[[−a, γk], [γl, −b]]` (1/day), to which the marginal tolerance is
/// relative: `(γ²|kl| + ab) / D` with `D = √(((a−b)/2)² + γ²kl) + (a+b)/2`,
/// the size of the two terms whose difference `(γ²kl − ab)/D` is `α` — so
/// `α` is marginal only when they cancel to 1e-9, however large the other
/// eigenvalue (a restraint of 1e20 beside one of 0.4 leaves `α ≈ −0.4`
/// stable). For an oscillatory pair (`((a−b)/2)² + γ²kl < 0`) it is
/// `(a+b)/2`, the size of `α = −(a+b)/2`. No allocation, no overflow before
/// the result's.
#[inline]
#[must_use]
pub fn abscissa_scale_2(a: f64, b: f64, k: f64, l: f64, gain: f64) -> f64 {
    abscissa_and_scale_2(a, b, k, l, gain).1
}

/// [`abscissa_2`] and [`abscissa_scale_2`] at once (what a sweep computes
/// per grid point).
#[inline]
#[must_use]
pub fn abscissa_and_scale_2(a: f64, b: f64, k: f64, l: f64, gain: f64) -> (f64, f64) {
    let ok = |x: f64| x == 0.0 || (1e-100..=1e100).contains(&x.abs());
    if ok(a) && ok(b) && ok(gain) && ok(k) && ok(l) {
        let kl = gain * gain * k * l;
        let half_diff = 0.5 * (a - b);
        let disc = half_diff * half_diff + kl;
        let mean = 0.5 * (a + b);
        if disc < 0.0 {
            return (-mean, mean);
        }
        let den = disc.sqrt() + mean;
        let alpha = (kl - a * b) / den;
        if alpha.is_finite() && den > 0.0 {
            return (alpha, (kl.abs() + a * b) / den);
        }
    }
    wide_2(a, b, k, l, gain)
}

/// `(α, scale)` of a dyad for any magnitudes: written with
/// `G = |γ|√|k|√|l|`, `r = √a√b` and `hypot`, so that no intermediate
/// overflows or underflows before the result does
/// (`α = (G − r)(G + r)/D` for `kl > 0`).
fn wide_2(a: f64, b: f64, k: f64, l: f64, gain: f64) -> (f64, f64) {
    let g = gain.abs() * k.abs().sqrt() * l.abs().sqrt();
    let r = a.sqrt() * b.sqrt();
    let hd = (0.5 * a - 0.5 * b).abs();
    let mean = 0.5 * a + 0.5 * b;
    let oscillatory = (k < 0.0) != (l < 0.0) && g > 0.0;
    let den = if oscillatory {
        if g > hd {
            return (-mean, mean);
        }
        // disc = hd² − G² = (hd − G)(hd + G) ≥ 0.
        (hd - g).sqrt() * (hd + g).sqrt() + mean
    } else {
        hd.hypot(g) + mean
    };
    if den == 0.0 || !den.is_finite() {
        let v = if den == 0.0 { 0.0 } else { f64::NAN };
        return (v, v);
    }
    let scale = g * (g / den) + r * (r / den);
    let alpha = if oscillatory {
        -scale
    } else {
        (g - r) * ((g + r) / den)
    };
    (alpha, scale)
}

/// The two eigenvalues of `[[−a, γk], [γl, −b]]` in closed form, the
/// larger real part first, for any magnitudes (from [`abscissa_2`] and the
/// trace `−(a+b)`, or `−(a+b)/2 ± iω` for an oscillatory pair).
#[must_use]
pub fn dyad_eigenvalues(a: f64, b: f64, k: f64, l: f64, gain: f64) -> [Complex<f64>; 2] {
    let g = gain.abs() * k.abs().sqrt() * l.abs().sqrt();
    let hd = (0.5 * a - 0.5 * b).abs();
    let mean = 0.5 * a + 0.5 * b;
    if (k < 0.0) != (l < 0.0) && g > hd {
        let w = (g - hd).sqrt() * (g + hd).sqrt();
        return [Complex::new(-mean, w), Complex::new(-mean, -w)];
    }
    let alpha = abscissa_2(a, b, k, l, gain);
    let other = (-mean - alpha) + (-mean);
    [
        Complex::new(alpha, 0.0),
        Complex::new(other.min(alpha), 0.0),
    ]
}

/// `maxᵢ Σⱼ |Mᵢⱼ|`: a Gershgorin bound on the modulus of every eigenvalue
/// of a square matrix `m`, the scale of the marginal tolerance for a matrix
/// that does not come from a [`Dynamics`] (a fitted system, say). For
/// `M(γ) = −A + γK` with a zero diagonal in `K` it equals [`abscissa_scale`].
///
/// ```
/// use escalation::analysis::{Verdict, gershgorin_bound};
/// use escalation::nalgebra::DMatrix;
/// let m = DMatrix::from_row_slice(2, 2, &[-0.5, 0.3, 0.6, -0.4]);
/// assert_eq!(gershgorin_bound(&m), 1.0);
/// assert_eq!(Verdict::from_abscissa(1e-12, gershgorin_bound(&m)), Verdict::Marginal);
/// ```
#[must_use]
pub fn gershgorin_bound(m: &DMatrix<f64>) -> f64 {
    m.row_iter()
        .map(|r| r.iter().map(|v| v.abs()).sum::<f64>())
        .fold(0.0, f64::max)
}

/// The spectral abscissa `α = max Re λ(−A + γK)`, 1/day: the loop explodes
/// iff `α > 0`, and perturbations grow (or decay) like `e^{αt}`.
///
/// Closed forms for one and two actors (no allocation); the QR algorithm
/// otherwise. For two actors with `kl ≥ 0`,
/// `α = (γ²kl − ab) / (√(((a−b)/2)² + γ²kl) + (a+b)/2)`, which has no cancellation near `α = 0`.
///
/// # Example
///
/// ```
/// use escalation::analysis::spectral_abscissa;
/// use escalation::model::Dynamics;
/// let d = Dynamics::richardson(0.5, 0.4, 0.8, 1.0, 0.0, 0.0).unwrap();
/// // kl = 0.8 > ab = 0.2: explosive; α = -0.45 + √(0.0025 + 0.8)
/// let alpha = spectral_abscissa(&d, 1.0).unwrap();
/// assert!((alpha - (-0.45 + 0.8025f64.sqrt())).abs() < 1e-14);
/// ```
///
/// # Errors
/// [`Error::Invalid`] for a non-finite gain; [`Error::Numerical`] if QR fails.
pub fn spectral_abscissa(d: &Dynamics, gain: f64) -> Result<f64> {
    d.check()?;
    check_gain(gain)?;
    let alpha = abscissa_unchecked(d, gain)?;
    if alpha.is_finite() {
        Ok(alpha)
    } else {
        Err(NumericalError::OutOfRange {
            quantity: format!("the spectral abscissa at gain {}", crate::error::num(gain)),
            cause: super::range_cause(d, gain),
        }
        .into())
    }
}

fn abscissa_unchecked(d: &Dynamics, gain: f64) -> Result<f64> {
    match d.n() {
        1 => Ok(-d.restraint[0]),
        2 => Ok(abscissa_2(
            d.restraint[0],
            d.restraint[1],
            d.coupling[(0, 1)],
            d.coupling[(1, 0)],
            gain,
        )),
        _ => Ok(jacobian_eigenvalues(d, gain)?
            .first()
            .map_or(f64::NEG_INFINITY, |z| z.re)),
    }
}

/// The spectral abscissa (1/day) of Richardson's two-actor matrix
/// `[[−a, γk], [γl, −b]]`, in closed form: what a sweep needs per grid
/// point, with no allocation (gain not checked: callers do; the verdict's
/// scale is [`abscissa_scale_2`]).
///
/// Magnitudes beyond `[1e-100, 1e100]`, where `γ²kl` or `ab` would
/// overflow or underflow, are computed from square roots and `hypot`
/// instead of products: the result is then non-finite only when `α` itself
/// is beyond the range of `f64`.
#[inline]
#[must_use]
pub fn abscissa_2(a: f64, b: f64, k: f64, l: f64, gain: f64) -> f64 {
    abscissa_and_scale_2(a, b, k, l, gain).0
}

/// The spectral abscissa (1/day) and the verdict at gain `gain`.
///
/// # Errors
/// As [`spectral_abscissa`].
pub fn stability(d: &Dynamics, gain: f64) -> Result<(f64, Verdict)> {
    d.check()?;
    let alpha = spectral_abscissa(d, gain)?;
    Ok((
        alpha,
        Verdict::from_abscissa(alpha, abscissa_scale(d, gain)),
    ))
}

/// Eigenvalues of `M(γ)` for each gain in `gains`, as `(re, im)` pairs in
/// 1/day sorted by decreasing real part: the data of a root-locus plot.
///
/// # Errors
/// As [`jacobian_eigenvalues`].
pub fn root_locus(d: &Dynamics, gains: &[f64]) -> Result<Vec<Vec<(f64, f64)>>> {
    d.check()?;
    gains
        .iter()
        .map(|&g| {
            Ok(jacobian_eigenvalues(d, g)?
                .iter()
                .map(|z| (z.re, z.im))
                .collect())
        })
        .collect()
}

/// One eigen-mode of a matrix: eigenvalue, right and left eigenvectors.
#[derive(Debug, Clone, PartialEq)]
pub struct Mode {
    /// The eigenvalue, 1/day (for a complex pair, the member with `Im ≥ 0`).
    pub eigenvalue: Complex<f64>,
    /// Right eigenvector `v`: `M v = λ v`, unit length.
    pub right: DVector<Complex<f64>>,
    /// Left eigenvector `w`: `wᴴ M = λ wᴴ`, unit length.
    pub left: DVector<Complex<f64>>,
}

impl Mode {
    /// Participation factors `pᵢ = |wᵢ vᵢ| / Σₖ |wₖ vₖ|` (Pérez-Arriaga,
    /// Verghese and Schweppe, 1982): the share of actor `i` in the mode.
    /// They are scale-free and sum to 1.
    #[must_use]
    pub fn participation(&self) -> Vec<f64> {
        let p: Vec<f64> = self
            .left
            .iter()
            .zip(self.right.iter())
            .map(|(w, v)| (w.conj() * v).norm())
            .collect();
        let total: f64 = p.iter().sum();
        if total > 0.0 && total.is_finite() {
            p.iter().map(|x| x / total).collect()
        } else {
            vec![1.0 / p.len().max(1) as f64; p.len()]
        }
    }
}

/// The null vector of a (nearly) singular complex matrix `s`, and that of `sᴴ`.
/// A complex column vector.
type CVector = DVector<Complex<f64>>;

fn null_vectors(s: DMatrix<Complex<f64>>) -> Result<(CVector, CVector)> {
    let n = s.nrows();
    // nalgebra's SVD panics on a non-finite entry and overflows its norms
    // on entries past about 1e154: check, then scale near 1 (exactly, by a
    // power of two; the singular vectors do not change).
    let top = s
        .iter()
        .map(|z| z.re.abs().max(z.im.abs()))
        .fold(0.0, f64::max);
    if !top.is_finite() {
        return Err(NumericalError::OutOfRange {
            quantity: format!("the leading mode of a {n}×{n} matrix"),
            cause: "an entry is beyond the range of floating-point numbers".into(),
        }
        .into());
    }
    let s = if top > 0.0 {
        let f = super::pow2_scale(top);
        s.map(|z| z * f)
    } else {
        s
    };
    let svd = SVD::try_new(s, true, true, f64::EPSILON, 100 * n.max(10)).ok_or_else(|| {
        NumericalError::NoConvergence {
            method: format!("the SVD of a {n}×{n} matrix"),
            iterations: 100 * n.max(10),
        }
    })?;
    let (Some(u), Some(v_t)) = (svd.u, svd.v_t) else {
        return Err(Error::numerical("SVD returned no singular vectors"));
    };
    if u.iter()
        .chain(v_t.iter())
        .any(|z| !z.re.is_finite() || !z.im.is_finite())
    {
        return Err(NumericalError::OutOfRange {
            quantity: format!("the singular vectors of a {n}×{n} matrix"),
            cause: "its entries are beyond the range the SVD handles".into(),
        }
        .into());
    }
    // Singular values are sorted in decreasing order: the last is the smallest.
    let right = v_t.row(n - 1).transpose().map(|z| z.conj());
    let left = u.column(n - 1).into_owned();
    Ok((right, left))
}

/// The leading mode of `m` (largest real part; for a complex pair the
/// member with `Im ≥ 0`), with right and left eigenvectors from the SVD of
/// `m − λI`.
///
/// # Errors
/// As [`eigenvalues`]; [`Error::Numerical`] if the SVD fails.
pub fn leading_mode(m: &DMatrix<f64>) -> Result<Mode> {
    let values = eigenvalues(m)?;
    let Some(&first) = values.first() else {
        return Err(Error::invalid("matrix", "is empty"));
    };
    let lambda = Complex::new(first.re, first.im.abs());
    let n = m.nrows();
    let mut s: DMatrix<Complex<f64>> = m.map(|x| Complex::new(x, 0.0));
    for i in 0..n {
        s[(i, i)] -= lambda;
    }
    let (right, left) = null_vectors(s)?;
    Ok(Mode {
        eigenvalue: lambda,
        right,
        left,
    })
}
