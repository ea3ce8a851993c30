//! The sampled loop's characteristic polynomial as a polynomial in the gain,
//! and the Schur–Cohn test of its roots against a circle.
//!
//! With `Φ = diag(φᵢ)`, `Γ = diag(gᵢ)` (the exact zero-order hold), lag `d`,
//! derivative ratio `r` and depth `L = d + [r > 0]`, a mode `x[k] = zᵏv` of
//! the companion matrix satisfies
//!
//! ```text
//! det( D(z) − γ q(z) ΓK ) = 0,   D(z) = diag(z^L (z − φᵢ)),
//! q(z) = (1 + r) z − r  (r > 0),   q(z) = 1  (r = 0),
//! ```
//!
//! a monic polynomial of degree `N = n(L + 1)`, the companion's dimension.
//! Expanding the determinant over the principal minors `m_S = det (ΓK)_S`
//! of the coupling (`S ⊆ {1…n}`),
//!
//! ```text
//! p(z; γ) = Σₖ γᵏ Pₖ(z),   Pₖ(z) = (−q(z))ᵏ Σ_{|S| = k} m_S Π_{i ∉ S} z^L (z − φᵢ).
//! ```
//!
//! The `Pₖ` depend on the system only, so after this one-off expansion
//! (`2ⁿ` small determinants) each gain costs `(n + 1)(N + 1)` multiply-adds
//! for the coefficients and `N²` for the Schur–Cohn step-down, instead of
//! the `O(N³)` eigenvalues of the companion matrix.
//!
//! The Schur–Cohn step-down: for `p(z) = Σ aⱼ zʲ` of degree `m`, let
//! `κ = a₀ / a_m`; all roots of `p` lie strictly inside the unit circle iff
//! `|κ| < 1` and all roots of `(p(z) − κ z^m p(1/z)) / z` (degree `m − 1`)
//! do. Testing against the circle of radius `R` is the same test on
//! `p(Rz)`, whose coefficients are `aⱼ Rʲ`.

use super::zoh::{derivative_ratio, zoh};
use super::{biased_exponent, unit_scale};
use crate::control::Controller;
use crate::error::Result;
use crate::model::Dynamics;

/// Largest number of actors for which the principal-minor expansion is used
/// (`2ⁿ` determinants); beyond, the companion's eigenvalues are used.
pub(crate) const MAX_ACTORS: usize = 10;

/// Below this size the Schur–Cohn step-down rescales its polynomial.
const TINY: f64 = 7.458_340_731_200_207e-155; // 2⁻⁵¹²

/// The sampled loop's characteristic polynomial, ready to be evaluated at
/// any gain.
pub(crate) struct SampledPolynomial {
    /// `N + 1`, the number of coefficients.
    len: usize,
    /// The parts are those of `s·ΓK` with `s` a power of two that brings
    /// its largest entry into [1, 2) (so the minors cannot overflow); a gain
    /// `γ` is evaluated as `γ/s`.
    gain_scale: f64,
    /// `parts[k·len + j]`: the coefficient of `zʲ` in `Pₖ`.
    parts: Vec<f64>,
    /// Scratch for the coefficients and the step-down.
    a: Vec<f64>,
    b: Vec<f64>,
}

impl SampledPolynomial {
    /// The expansion for the dynamics, controller and lag; `None` with more
    /// than [`MAX_ACTORS`] actors.
    ///
    /// # Errors
    /// As the controller's check.
    pub(crate) fn new(d: &Dynamics, c: &Controller, lag: usize) -> Result<Option<Self>> {
        let r = derivative_ratio(c)?;
        let n = d.n();
        if n > MAX_ACTORS || n == 0 {
            return Ok(None);
        }
        let z = zoh(d, c.period)?;
        let depth = lag + usize::from(r > 0.0);
        let len = n * (depth + 1) + 1;
        let mut parts = vec![0.0; (n + 1) * len];
        // −q(z), ascending coefficients.
        let neg_q: &[f64] = if r > 0.0 { &[r, -(1.0 + r)] } else { &[-1.0] };
        let largest = (0..n)
            .flat_map(|i| (0..n).map(move |j| (i, j)))
            .map(|(i, j)| (z.gamma[i] * d.coupling[(i, j)]).abs())
            .fold(0.0, f64::max);
        if !largest.is_finite()
            || (largest > 0.0 && !(1..=2045).contains(&biased_exponent(largest)))
        {
            return Ok(None);
        }
        // The largest entry of s·ΓK lies in [1, 2).
        let s = if largest > 0.0 {
            unit_scale(largest)
        } else {
            1.0
        };
        let mut minor = [0.0; MAX_ACTORS * MAX_ACTORS];
        let mut poly = vec![0.0; len];
        let mut tmp = vec![0.0; len];
        for set in 0u32..(1u32 << n) {
            let members: Vec<usize> = (0..n).filter(|&i| set >> i & 1 == 1).collect();
            let k = members.len();
            // m_S = det (ΓK)_S.
            for (p, &i) in members.iter().enumerate() {
                for (q, &j) in members.iter().enumerate() {
                    minor[p * k + q] = z.gamma[i] * d.coupling[(i, j)] * s;
                }
            }
            let m = det(&mut minor[..k * k], k);
            if m == 0.0 {
                continue;
            }
            // m_S · Π_{i∉S} (z − φᵢ) · (−q)ᵏ, then shifted by z^{L(n−k)}.
            poly.fill(0.0);
            poly[0] = m;
            let mut deg = 0;
            for i in (0..n).filter(|&i| set >> i & 1 == 0) {
                deg = mul_linear(&mut poly, deg, &[-z.phi[i], 1.0], &mut tmp);
            }
            for _ in 0..k {
                deg = mul_linear(&mut poly, deg, neg_q, &mut tmp);
            }
            let shift = depth * (n - k);
            let part = &mut parts[k * len..(k + 1) * len];
            for j in 0..=deg {
                part[j + shift] += poly[j];
            }
        }
        Ok(Some(Self {
            len,
            gain_scale: s,
            parts,
            a: vec![0.0; len],
            b: vec![0.0; len],
        }))
    }

    /// The coefficients of `p(Rz; γ)` (ascending), into `self.a`.
    fn coefficients(&mut self, gain: f64, radius: f64) {
        let gain = gain / self.gain_scale;
        let len = self.len;
        let top = self.parts.len() / len - 1;
        self.a.copy_from_slice(&self.parts[top * len..]);
        for k in (0..top).rev() {
            let part = &self.parts[k * len..(k + 1) * len];
            for (a, p) in self.a.iter_mut().zip(part) {
                *a = *a * gain + p;
            }
        }
        if radius != 1.0 {
            let mut scale = 1.0;
            for a in &mut self.a {
                *a *= scale;
                scale *= radius;
            }
        }
    }

    /// True when some eigenvalue of the companion matrix at gain `gain` has
    /// modulus `≥ radius`; `None` when the coefficients are not finite (the
    /// caller then uses the eigenvalues).
    pub(crate) fn reaches(&mut self, gain: f64, radius: f64) -> Option<bool> {
        self.coefficients(gain, radius);
        if !self.a.iter().all(|a| a.is_finite()) {
            return None;
        }
        let (mut a, mut b) = (&mut self.a, &mut self.b);
        let mut m = self.len - 1;
        while m > 0 {
            let lead = a[m];
            if lead == 0.0 || !lead.is_finite() {
                return None;
            }
            let kappa = a[0] / lead;
            if kappa.abs() >= 1.0 || kappa.is_nan() {
                return Some(true);
            }
            // (p − κ p̃)/z, of degree m − 1 and leading coefficient
            // a_m (1 − κ²): one division per degree. The leading
            // coefficient shrinks by 1 − κ² per step; when it falls below
            // 2⁻⁵¹², the polynomial is rescaled by a power of two (exact).
            for j in 0..m {
                b[j] = a[j + 1] - kappa * a[m - 1 - j];
            }
            let lead = b[m - 1].abs();
            if lead < TINY && lead > 0.0 {
                let scale = unit_scale(lead);
                for v in &mut b[..m] {
                    *v *= scale;
                }
            }
            std::mem::swap(&mut a, &mut b);
            m -= 1;
        }
        Some(false)
    }
}

/// `poly ← poly · f` for `poly` of degree `deg` and the short polynomial
/// `f` (ascending); returns the new degree.
fn mul_linear(poly: &mut [f64], deg: usize, f: &[f64], tmp: &mut [f64]) -> usize {
    let new = deg + f.len() - 1;
    tmp[..=new].fill(0.0);
    for (i, p) in poly[..=deg].iter().enumerate() {
        for (j, fj) in f.iter().enumerate() {
            tmp[i + j] += p * fj;
        }
    }
    poly[..=new].copy_from_slice(&tmp[..=new]);
    new
}

/// Determinant of the `k × k` row-major matrix `m` (overwritten), by
/// Gaussian elimination with partial pivoting; 1 for `k = 0`.
fn det(m: &mut [f64], k: usize) -> f64 {
    let mut det = 1.0;
    for col in 0..k {
        let pivot = (col..k)
            .max_by(|&x, &y| m[x * k + col].abs().total_cmp(&m[y * k + col].abs()))
            .unwrap_or(col);
        let p = m[pivot * k + col];
        if p == 0.0 {
            return 0.0;
        }
        if pivot != col {
            for j in 0..k {
                m.swap(pivot * k + j, col * k + j);
            }
            det = -det;
        }
        det *= p;
        for row in col + 1..k {
            let f = m[row * k + col] / p;
            if f != 0.0 {
                for j in col..k {
                    m[row * k + j] -= f * m[col * k + j];
                }
            }
        }
    }
    det
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::companion;
    use crate::analysis::eigenvalues;
    use nalgebra::{DMatrix, DVector};

    #[test]
    fn determinant() {
        let mut m = [2.0, 1.0, 0.0, 1.0, 3.0, 1.0, 0.0, 1.0, 4.0];
        assert!((det(&mut m, 3) - 18.0).abs() < 1e-14);
        let mut m = [0.0, 1.0, 1.0, 0.0];
        assert!((det(&mut m, 2) + 1.0).abs() < 1e-15);
        assert_eq!(det(&mut [], 0), 1.0);
    }

    /// A polynomial given directly by its coefficients (ascending).
    fn given(coefficients: &[f64]) -> SampledPolynomial {
        SampledPolynomial {
            len: coefficients.len(),
            gain_scale: 1.0,
            parts: coefficients.to_vec(),
            a: vec![0.0; coefficients.len()],
            b: vec![0.0; coefficients.len()],
        }
    }

    #[test]
    fn step_down_is_scale_invariant() {
        // (z − 0.5)(z + 0.3)(z² − 1.6z + 0.65): roots 0.5, −0.3, 0.8 ± 0.1i
        // (modulus 0.806).
        let mut poly = vec![1.0];
        let mut tmp = vec![0.0; 5];
        let mut padded = vec![0.0; 5];
        let mut deg = 0;
        for factor in [&[-0.5, 1.0][..], &[0.3, 1.0], &[0.65, -1.6, 1.0]] {
            padded[..=deg].copy_from_slice(&poly);
            deg = mul_linear(&mut padded, deg, factor, &mut tmp);
            poly = padded[..=deg].to_vec();
        }
        // Scaled by 2⁻¹⁰⁰⁰ the leading coefficient falls below 2⁻⁵¹² at the
        // first step and is rescaled; the answers must not change.
        for scale in [1.0, 2f64.powi(-1000)] {
            let scaled: Vec<f64> = poly.iter().map(|c| c * scale).collect();
            let mut p = given(&scaled);
            let modulus = 0.65f64.sqrt();
            assert_eq!(
                p.reaches(1.0, modulus * (1.0 + 1e-12)),
                Some(false),
                "{scale}"
            );
            assert_eq!(
                p.reaches(1.0, modulus * (1.0 - 1e-12)),
                Some(true),
                "{scale}"
            );
            assert_eq!(p.reaches(1.0, 1.0), Some(false));
            assert_eq!(p.reaches(1.0, 0.4), Some(true));
        }
    }

    #[test]
    fn roots_against_companion_eigenvalues() {
        let k = DMatrix::from_row_slice(3, 3, &[0.0, 0.3, -0.1, 0.2, 0.0, 0.25, 0.15, 0.05, 0.0]);
        let d =
            Dynamics::new(DVector::from_vec(vec![0.5, 0.3, 0.8]), k, DVector::zeros(3)).unwrap();
        for (lag, derivative) in [(0, 0.0), (1, 0.0), (2, 2.0), (0, 0.5), (60, 2.0)] {
            let mut c = Controller::new(1.0, lag).unwrap();
            c.derivative = derivative;
            let mut p = SampledPolynomial::new(&d, &c, lag).unwrap().unwrap();
            for gain in [0.5, 1.0, 2.0, 4.0, 8.0] {
                let rho = eigenvalues(&companion(&d, &c, gain).unwrap())
                    .unwrap()
                    .iter()
                    .map(|z| z.norm())
                    .fold(0.0, f64::max);
                assert_eq!(p.reaches(gain, rho * (1.0 + 1e-9)), Some(false));
                assert_eq!(p.reaches(gain, rho * (1.0 - 1e-9)), Some(true));
            }
        }
    }
}
