//! The critical loop gain `γ*`: where `M(γ) = −A + γK` stops being Hurwitz.

use nalgebra::{Complex, DMatrix};

use super::eigen::{abscissa_scale, eigenvalues, leading_mode, spectral_abscissa};
use super::perron::loop_perron_root;
use super::{MARGINAL_TOLERANCE, Verdict};
use crate::error::{Error, Result};
use crate::model::Dynamics;

/// The loss of stability at the critical gain.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Crossing {
    /// `γ*`, the smallest gain at which the loop explodes (dimensionless).
    pub gain: f64,
    /// The crossing eigenvalue's frequency `ω ≥ 0`, rad/day: 0 for a real
    /// (monotone) crossing, positive for an oscillatory (Hopf) one.
    pub frequency: f64,
}

impl Crossing {
    /// True for a Hopf crossing (a complex pair reaches the imaginary axis).
    #[must_use]
    pub fn is_oscillatory(&self) -> bool {
        self.frequency > 0.0
    }
}

/// `A⁻¹K`: each row of the coupling divided by its actor's restraint.
fn scaled_coupling(d: &Dynamics) -> DMatrix<f64> {
    let mut b = d.coupling.clone();
    for i in 0..d.n() {
        let a = d.restraint[i];
        for j in 0..d.n() {
            b[(i, j)] /= a;
        }
    }
    b
}

/// True when the directed graph of the non-zero couplings has a cycle. A
/// coupling without one is nilpotent (`ρ(A⁻¹K) = 0` exactly), a fact QR
/// cannot show: it returns eigenvalues of size `ε^{1/k}` for a chain of `k`.
fn has_cycle(k: &DMatrix<f64>) -> bool {
    let n = k.nrows();
    // Kahn's algorithm: repeatedly remove actors that react to nobody left.
    let mut out_degree: Vec<usize> = (0..n)
        .map(|i| (0..n).filter(|&j| k[(i, j)] != 0.0).count())
        .collect();
    let mut removed = vec![false; n];
    let mut stack: Vec<usize> = (0..n).filter(|&i| out_degree[i] == 0).collect();
    let mut count = 0;
    while let Some(j) = stack.pop() {
        if removed[j] {
            continue;
        }
        removed[j] = true;
        count += 1;
        for i in 0..n {
            if !removed[i] && k[(i, j)] != 0.0 {
                out_degree[i] -= 1;
                if out_degree[i] == 0 {
                    stack.push(i);
                }
            }
        }
    }
    count < n
}

/// Spectral radius of a matrix (closed form for 1×1 and 2×2 with zero diagonal).
fn spectral_radius(b: &DMatrix<f64>) -> Result<f64> {
    match b.nrows() {
        0 | 1 => Ok(0.0),
        2 if b[(0, 0)] == 0.0 && b[(1, 1)] == 0.0 => {
            // √|xy| as √|x|·√|y|: no overflow before the result's.
            Ok(b[(0, 1)].abs().sqrt() * b[(1, 0)].abs().sqrt())
        }
        _ => Ok(eigenvalues(b)?.iter().map(|z| z.norm()).fold(0.0, f64::max)),
    }
}

/// The Perron–Frobenius critical gain `γ* = 1/ρ(A⁻¹K)` of a loop with
/// non-negative coupling; `None` when `ρ = 0` (no feedback cycle: the loop
/// never explodes).
///
/// With `K ≥ 0`, `M(γ)` is Metzler and is Hurwitz iff `ρ(γA⁻¹K) < 1`.
///
/// For 3 to 16 actors `ρ` comes from power iteration certified by the
/// Collatz–Wielandt bounds `minᵢ (Bx)ᵢ/xᵢ ≤ ρ(B) ≤ maxᵢ (Bx)ᵢ/xᵢ`, stopped
/// when they agree to `10⁻¹³` (relative), retried on `B + I` for a cyclic
/// coupling; otherwise, and whenever the bracket does not close, from the
/// eigenvalues (`docs/analysis.md` §3, "Non-negative coupling").
///
/// ```
/// use escalation::analysis::perron_critical_gain;
/// use escalation::model::Dynamics;
/// use nalgebra::{DMatrix, DVector};
///
/// // Three actors, each reacting to all others with 0.2, restraint 0.5:
/// // ρ(A⁻¹K) = 2 · 0.2 / 0.5 = 0.8.
/// let k = DMatrix::from_fn(3, 3, |i, j| if i == j { 0.0 } else { 0.2 });
/// let d = Dynamics::new(DVector::from_element(3, 0.5), k, DVector::zeros(3)).unwrap();
/// let g = perron_critical_gain(&d).unwrap().unwrap();
/// assert!((g - 1.25).abs() < 1e-12);
/// ```
///
/// # Errors
/// [`Error::Invalid`] when a coupling entry is negative.
pub fn perron_critical_gain(d: &Dynamics) -> Result<Option<f64>> {
    d.check()?;
    if !d.is_nonnegative() {
        return Err(Error::invalid(
            "coupling",
            "the Perron–Frobenius critical gain needs non-negative coupling; use `critical_gain`",
        ));
    }
    // A certified positive Perron root proves a feedback cycle.
    if let Some(rho) = (d.n() > 2)
        .then(|| loop_perron_root(d))
        .flatten()
        .filter(|&r| r > 0.0 && r.is_finite())
    {
        return Ok(Some(1.0 / rho));
    }
    if !has_cycle(&d.coupling) {
        return Ok(None);
    }
    let rho = spectral_radius(&scaled_coupling(d))?;
    if !(rho > 0.0 && rho.is_finite()) {
        return Ok(None);
    }
    Ok(Some(1.0 / rho))
}

/// The bialternate product `B(M)` of `M` with the identity (dimension
/// `n(n−1)/2`, pairs `r < s`): its eigenvalues are `λᵢ + λⱼ`, `i < j`.
///
/// `B(M)_{(r,s),(p,q)} = M_rp δ_sq + δ_rp M_sq − M_rq δ_sp − δ_rq M_sp`.
fn bialternate(m: &DMatrix<f64>) -> DMatrix<f64> {
    let n = m.nrows();
    let pairs: Vec<(usize, usize)> = (0..n)
        .flat_map(|r| (r + 1..n).map(move |s| (r, s)))
        .collect();
    let dim = pairs.len();
    let delta = |i: usize, j: usize| if i == j { 1.0 } else { 0.0 };
    DMatrix::from_fn(dim, dim, |row, col| {
        let (r, s) = pairs[row];
        let (p, q) = pairs[col];
        m[(r, p)] * delta(s, q) + delta(r, p) * m[(s, q)]
            - m[(r, q)] * delta(s, p)
            - delta(r, q) * m[(s, p)]
    })
}

/// Real positive `1/μ` for each eigenvalue `μ` of `b` that is real to `1e-7`.
fn reciprocal_real_eigenvalues(b: &DMatrix<f64>, out: &mut Vec<f64>) -> Result<()> {
    for z in eigenvalues(b)? {
        if z.re > 0.0 && z.im.abs() <= 1e-7 * z.norm() {
            out.push(1.0 / z.re);
        }
    }
    Ok(())
}

/// Every gain `γ > 0` at which `M(γ)` can have an eigenvalue on the
/// imaginary axis, sorted: the real crossings `det(A − γK) = 0`
/// (`γ = 1/μ`, `μ` a real eigenvalue of `A⁻¹K`) and the pair crossings
/// `λᵢ + λⱼ = 0` (`γ = 1/μ`, `μ` a real eigenvalue of `D⁻¹B(K)`, where
/// `B` is the bialternate product and `D = diag(a_r + a_s)`). A Hopf pair
/// `±iω` is such a pair, so no crossing escapes this list; it also holds
/// gains where two real eigenvalues are opposite, which are harmless.
///
/// # Errors
/// [`Error::Numerical`] if an eigenvalue computation fails.
///
/// # Example
///
/// ```
/// use escalation::analysis::{critical_gain, crossing_candidates};
/// use escalation::model::Dynamics;
///
/// let d = Dynamics::richardson(0.5, 0.4, 0.3, 0.6, 0.0, 0.0)?;
/// let candidates = crossing_candidates(&d)?;
/// // γ* is among them (here the only real crossing, √(ab/kl)).
/// let g = critical_gain(&d)?.unwrap();
/// assert!(candidates.iter().any(|&c| (c - g).abs() < 1e-9 * g));
/// # Ok::<(), escalation::Error>(())
/// ```
pub fn crossing_candidates(d: &Dynamics) -> Result<Vec<f64>> {
    d.check()?;
    let n = d.n();
    let mut out = Vec::new();
    reciprocal_real_eigenvalues(&scaled_coupling(d), &mut out)?;
    if n >= 2 {
        let mut b = bialternate(&d.coupling);
        let pairs: Vec<(usize, usize)> = (0..n)
            .flat_map(|r| (r + 1..n).map(move |s| (r, s)))
            .collect();
        for (row, &(r, s)) in pairs.iter().enumerate() {
            let dr = d.restraint[r] + d.restraint[s];
            for c in 0..pairs.len() {
                b[(row, c)] /= dr;
            }
        }
        reciprocal_real_eigenvalues(&b, &mut out)?;
    }
    out.retain(|g| g.is_finite() && *g > 0.0);
    out.sort_by(f64::total_cmp);
    out.dedup_by(|a, b| (*a - *b).abs() <= 1e-12 * b.abs());
    Ok(out)
}

/// True when the loop is explosive (beyond the marginal tolerance) at `gain`.
fn explosive(d: &Dynamics, gain: f64) -> Result<bool> {
    let alpha = spectral_abscissa(d, gain)?;
    Ok(Verdict::from_abscissa(alpha, abscissa_scale(d, gain)) == Verdict::Explosive)
}

/// The critical crossing for any coupling, by a bracketing root-finder on
/// the spectral abscissa `α(γ)`.
///
/// The [`crossing_candidates`] split `(0, ∞)` into intervals on which `α`
/// keeps its sign. `α` is evaluated at one interior point of each interval
/// (and at twice the last candidate); the first interval where the loop is
/// explosive (beyond the marginal tolerance) brackets `γ*` together with the
/// previous interior point, and bisection on the sign of `α` narrows the
/// bracket to machine precision.
/// Real and oscillatory (Hopf) crossings are found alike. `None` when the
/// loop is stable for every gain (for instance a skew-symmetric or acyclic
/// coupling).
///
/// # Errors
/// [`Error::Numerical`] if an eigenvalue computation fails.
///
/// # Example
///
/// Three rivals reacting in a cycle, West deterred by East (a negative
/// reaction; `examples/scenarios/triad.toml` in the repository): the loop
/// loses stability through an oscillation, at `γ* ≈ 1.067` with a period of
/// about 8.5 days.
///
/// ```
/// use escalation::analysis::{critical_crossing, spectral_abscissa};
/// use escalation::model::Dynamics;
/// use escalation::nalgebra::{DMatrix, DVector};
///
/// let a = DVector::from_vec(vec![0.5, 0.4, 0.6]);
/// let k = DMatrix::from_row_slice(3, 3, &[
///     0.0, 0.1, 0.9,  // North reacts to East, West
///     0.8, 0.0, 0.1,  // East
///     0.2, -0.9, 0.0, // West backs down as East rises
/// ]);
/// let d = Dynamics::new(a, k, DVector::from_vec(vec![0.05, 0.05, 0.6]))?;
/// let c = critical_crossing(&d)?.unwrap();
/// assert!(c.is_oscillatory());
/// assert!((c.gain - 1.067).abs() < 1e-3);
/// assert!((std::f64::consts::TAU / c.frequency - 8.5).abs() < 0.1);
/// // The loop is marginal there: the spectral abscissa is zero.
/// assert!(spectral_abscissa(&d, c.gain)?.abs() < 1e-9);
///
/// // A skew-symmetric coupling never explodes.
/// let skew = Dynamics::richardson(0.5, 0.4, 0.3, -0.3, 0.0, 0.0)?;
/// assert_eq!(critical_crossing(&skew)?, None);
/// # Ok::<(), escalation::Error>(())
/// ```
pub fn critical_crossing(d: &Dynamics) -> Result<Option<Crossing>> {
    d.check()?;
    // Without a feedback cycle M(γ) is triangular up to a permutation: its
    // eigenvalues are −aᵢ at every gain.
    if !has_cycle(&d.coupling) {
        return Ok(None);
    }
    let cands = crossing_candidates(d)?;
    let Some(&last) = cands.last() else {
        return Ok(None);
    };
    let mut probes: Vec<f64> = cands.windows(2).map(|w| 0.5 * (w[0] + w[1])).collect();
    probes.push(2.0 * last);
    let mut lo = 0.5 * cands[0];
    let mut hi = None;
    for &p in &probes {
        if explosive(d, p)? {
            hi = Some(p);
            break;
        }
        lo = p;
    }
    let Some(hi) = hi else {
        return Ok(None);
    };
    // The probes used the marginal tolerance; the bisection uses the exact
    // sign of α, so that γ* is where α crosses zero, not where it reaches the tolerance.
    let gain = super::bisect_gain(lo, hi, |g| Ok(spectral_abscissa(d, g)? > 0.0))?;
    let lead = super::eigen::jacobian_eigenvalues(d, gain)?;
    let scale = abscissa_scale(d, gain);
    let frequency = lead.first().map_or(0.0, |z| z.im.abs());
    // A real crossing shows an imaginary part of rounding size only.
    let frequency = if frequency <= 1e-6 * scale {
        0.0
    } else {
        frequency
    };
    Ok(Some(Crossing { gain, frequency }))
}

/// The critical gain `γ*`: the smallest gain at which the loop explodes,
/// `None` if it never does.
///
/// Non-negative coupling uses the closed form [`perron_critical_gain`];
/// any other coupling the root-finder [`critical_crossing`].
///
/// # Errors
/// [`Error::Numerical`] if an eigenvalue computation fails.
///
/// # Example
///
/// Richardson's dyad explodes above `γ* = √(ab/kl)`; its margin at gain 1
/// is `γ*/1`, about 0.46 dB:
///
/// ```
/// use escalation::analysis::{critical_gain, gain_margin, gain_margin_db, stability, Verdict};
/// use escalation::model::Dynamics;
///
/// let d = Dynamics::richardson(0.5, 0.4, 0.3, 0.6, 0.02, 0.01)?;
/// let g = critical_gain(&d)?.unwrap();
/// assert!((g - (0.20f64 / 0.18).sqrt()).abs() < 1e-12);
/// assert_eq!(stability(&d, 0.99 * g)?.1, Verdict::Stable);
/// assert_eq!(stability(&d, 1.01 * g)?.1, Verdict::Explosive);
/// let margin = gain_margin(Some(g), d.gain);
/// assert!((gain_margin_db(margin).unwrap() - 0.4576).abs() < 1e-4);
///
/// // No feedback cycle (only A reacts to B): never explodes.
/// let chain = Dynamics::richardson(0.5, 0.4, 0.3, 0.0, 0.0, 0.0)?;
/// assert_eq!(critical_gain(&chain)?, None);
/// # Ok::<(), escalation::Error>(())
/// ```
pub fn critical_gain(d: &Dynamics) -> Result<Option<f64>> {
    d.check()?;
    let g = if d.is_nonnegative() {
        perron_critical_gain(d)?
    } else {
        critical_crossing(d)?.map(|c| c.gain)
    };
    match g {
        // A critical gain past the largest float (e.g. √(ab/kl) with
        // ab ≈ 1e326 and kl ≈ 1e-291) is out of range, not infinite.
        Some(v) if !v.is_finite() => Err(crate::error::NumericalError::OutOfRange {
            quantity: "the critical gain".into(),
            cause: super::range_cause(d, d.gain),
        }
        .into()),
        other => Ok(other),
    }
}

/// Gain margin `γ*/γ` (dimensionless): how many times the current gain
/// may be multiplied before the loop explodes. `None` without a critical
/// gain or at zero gain.
///
/// ```
/// use escalation::analysis::{gain_margin, gain_margin_db};
///
/// // γ* = 1.5 at gain 1.2: the gain may grow by a quarter (1.94 dB).
/// let m = gain_margin(Some(1.5), 1.2);
/// assert!((m.unwrap() - 1.25).abs() < 1e-12);
/// assert!((gain_margin_db(m).unwrap() - 1.938).abs() < 1e-3);
/// // Past γ* the margin is below 1 (negative in dB).
/// assert!(gain_margin_db(gain_margin(Some(1.5), 2.0)).unwrap() < 0.0);
/// assert_eq!(gain_margin(None, 1.0), None);
/// ```
#[must_use]
pub fn gain_margin(critical: Option<f64>, gain: f64) -> Option<f64> {
    critical
        .filter(|_| gain > 0.0)
        .map(|c| c / gain)
        .filter(|m| m.is_finite())
}

/// Gain margin in decibels, `20 log₁₀(γ*/γ)` (see [`gain_margin`]).
#[must_use]
pub fn gain_margin_db(margin: Option<f64>) -> Option<f64> {
    margin.filter(|m| *m > 0.0).map(|m| 20.0 * m.log10())
}

/// Sensitivity of the critical gain to each coupling entry, `∂γ*/∂Kᵢⱼ`
/// (day): how much the critical gain moves per unit of extra reaction of `i`
/// to `j`. Diagonal entries are zero (no self-coupling).
///
/// At `γ*` the crossing eigenvalue `λ` has right and left eigenvectors
/// `v`, `w`; keeping `Re λ = 0` while `Kᵢⱼ` changes gives
/// `∂γ*/∂Kᵢⱼ = −γ* Re[w̄ᵢ vⱼ / wᴴv] / Re[wᴴKv / wᴴv]`; for non-negative
/// coupling this is `−γ*² wᵢ vⱼ / wᵀAv` (the Perron vectors).
/// `None` without a critical gain, or when the crossing is degenerate.
///
/// # Errors
/// As [`critical_gain`].
///
/// # Example
///
/// For Richardson's dyad `γ* = √(ab/kl)`, so `∂γ*/∂k = −γ*/(2k)`: a stronger
/// reaction of the first actor to the second lowers the critical gain.
///
/// ```
/// use escalation::analysis::{critical_gain, critical_gain_sensitivity};
/// use escalation::model::Dynamics;
///
/// let d = Dynamics::richardson(0.5, 0.4, 0.3, 0.6, 0.0, 0.0)?;
/// let g = critical_gain(&d)?.unwrap();
/// let s = critical_gain_sensitivity(&d)?.unwrap();
/// assert!((s[(0, 1)] - (-g / (2.0 * 0.3))).abs() < 1e-9);
/// assert!((s[(1, 0)] - (-g / (2.0 * 0.6))).abs() < 1e-9);
/// assert_eq!(s[(0, 0)], 0.0);
/// # Ok::<(), escalation::Error>(())
/// ```
pub fn critical_gain_sensitivity(d: &Dynamics) -> Result<Option<DMatrix<f64>>> {
    d.check()?;
    let Some(gstar) = critical_gain(d)? else {
        return Ok(None);
    };
    let m = d.system_matrix(gstar);
    let mode = leading_mode(&m)?;
    let (v, w) = (&mode.right, &mode.left);
    let wv: Complex<f64> = w.iter().zip(v.iter()).map(|(wi, vi)| wi.conj() * vi).sum();
    let kc = d.coupling.map(|x| Complex::new(x, 0.0));
    let kv = &kc * v;
    let wkv: Complex<f64> = w.iter().zip(kv.iter()).map(|(wi, x)| wi.conj() * x).sum();
    let den = (wkv / wv).re;
    let scale = abscissa_scale(d, gstar);
    if !den.is_finite() || wv.norm() <= 1e-12 || den.abs() <= MARGINAL_TOLERANCE * scale {
        return Ok(None);
    }
    let n = d.n();
    let s = DMatrix::from_fn(n, n, |i, j| {
        if i == j {
            0.0
        } else {
            -gstar * (w[i].conj() * v[j] / wv).re / den
        }
    });
    Ok(s.iter().all(|x| x.is_finite()).then_some(s))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    #[test]
    fn bialternate_eigenvalues_are_pair_sums() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(2);
        for n in 2..=6 {
            let m = DMatrix::from_fn(n, n, |_, _| rng.random_range(-1.0..1.0));
            let lambda = eigenvalues(&m).unwrap();
            let mut want: Vec<Complex<f64>> = Vec::new();
            for i in 0..n {
                for j in i + 1..n {
                    want.push(lambda[i] + lambda[j]);
                }
            }
            let got = eigenvalues(&bialternate(&m)).unwrap();
            assert_eq!(got.len(), want.len());
            for z in &want {
                let best = got
                    .iter()
                    .map(|g| (g - z).norm())
                    .fold(f64::INFINITY, f64::min);
                assert!(best < 1e-9, "n={n}: {z} missing from {got:?}");
            }
        }
    }

    #[test]
    fn cycles_are_detected() {
        let chain = DMatrix::from_row_slice(3, 3, &[0.0, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0]);
        assert!(!has_cycle(&chain));
        let mut ring = chain.clone();
        ring[(2, 0)] = -0.1;
        assert!(has_cycle(&ring));
        assert!(!has_cycle(&DMatrix::zeros(4, 4)));
    }
}
