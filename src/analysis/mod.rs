//! Stability analysis: when does the loop explode, and how much margin is left?
//!
//! The continuous model (`docs/model.md` §1) linearised at its equilibrium is
//! `dξ/dt = J ξ`, with `J = M(γ) = −A + γK` for the linear model. Everything
//! here is built on that matrix and on its sampled-data counterpart:
//!
//! | question | function |
//! |---|---|
//! | where does the loop settle? | [`equilibrium`], [`linear_equilibrium`], [`ceiling_equilibrium`] |
//! | is it stable at gain `γ`? | [`spectral_abscissa`], [`stability`], [`jacobian_eigenvalues`] |
//! | which actors drive the explosion? | [`leading_mode`], [`Mode::participation`] |
//! | at which gain does it explode? | [`critical_gain`], [`perron_critical_gain`], [`critical_crossing`] |
//! | how sensitive is that gain to each reaction? | [`critical_gain_sensitivity`] |
//! | with a discrete controller? | [`sampled_spectral_radius`], [`sampled_critical_gain`], [`delay_margin`], [`unstable_root_count`] |
//! | did a simulated run explode, and how fast? | [`detect_explosion`], [`fit_growth`] |
//! | tipping points of the ceiling model? | [`continuation`], [`face_equilibria`] |
//! | everything at once (`escalation analyze`) | [`analyze`] → [`Report`] |
//!
//! The functions a parameter sweep calls per grid point ([`spectral_abscissa`],
//! [`stability`], [`sampled_spectral_radius`], [`critical_gain`]) allocate
//! at most one matrix and use closed forms for one and two actors.
//!
//! # Tolerance of the verdict
//!
//! A continuous loop is *marginal* when its spectral abscissa `α` satisfies
//! `|α| ≤ MARGINAL_TOLERANCE · s`, with `s = maxᵢ (aᵢ + |γ| Σⱼ |Kᵢⱼ|)` (a
//! Gershgorin bound on every eigenvalue's modulus, 1/day): *stable* below,
//! *explosive* above. For a matrix that does not come from a model (the
//! fitted systems of [`crate::calibrate`]), `s` is its Gershgorin bound
//! `maxᵢ Σⱼ |Mᵢⱼ|` ([`gershgorin_bound`]). A sampled loop is marginal when
//! its spectral radius `ρ` satisfies `|ρ − 1| ≤ MARGINAL_TOLERANCE`.
//!
//! # Example
//!
//! ```
//! use escalation::analysis::{critical_gain, spectral_abscissa, stability, Verdict};
//! use escalation::model::Dynamics;
//!
//! // Richardson: a = 0.5, b = 0.4, k = 0.3, l = 0.6: ab = 0.20 > kl = 0.18.
//! let d = Dynamics::richardson(0.5, 0.4, 0.3, 0.6, 0.02, 0.01).unwrap();
//! assert!(spectral_abscissa(&d, 1.0).unwrap() < 0.0);
//! assert_eq!(stability(&d, 1.0).unwrap().1, Verdict::Stable);
//! // γ* = √(ab / kl)
//! let g = critical_gain(&d).unwrap().unwrap();
//! assert!((g - (0.20f64 / 0.18).sqrt()).abs() < 1e-12);
//! ```
//!
//! The mathematics is written out in `docs/analysis.md`.

mod continuation;
mod critical;
mod delay;
mod eigen;
mod equilibrium;
mod explosion;
mod faces;
mod hqr;
mod integrate;
mod perron;
mod phases;
mod report;
mod sampled;
mod schur_cohn;
mod zoh;

use serde::{Deserialize, Serialize};

pub use continuation::{Branch, BranchPoint, Branches, Fold, Hysteresis, continuation};
pub use critical::{
    Crossing, critical_crossing, critical_gain, critical_gain_sensitivity, crossing_candidates,
    gain_margin, gain_margin_db, perron_critical_gain,
};
pub use delay::{DelayMargin, delay_margin, loop_radius_bound, unstable_root_count};
pub use eigen::{
    Mode, abscissa_2, abscissa_and_scale_2, abscissa_scale, abscissa_scale_2, dyad_eigenvalues,
    eigenvalues, gershgorin_bound, jacobian_eigenvalues, leading_mode, root_locus,
    spectral_abscissa, stability,
};
pub use equilibrium::{
    ceiling_equilibrium, equilibrium, is_negative_peace, jacobian, linear_equilibrium,
    pinned_actors,
};
pub use explosion::{Explosion, GrowthFit, RungCrossing, detect_explosion, fit_growth};
pub use faces::{Face, FaceEquilibrium, face_equilibria};
pub use phases::{BlameThreshold, PhaseReport, StageLoop};
pub use report::{DominantActor, Ordered, Report, SampledReport, Sensitized, analyze};
pub use sampled::{
    MAX_COMPANION, companion, sampled_critical_gain, sampled_spectral_radius, sampled_stability,
};
pub use zoh::{Zoh, zoh};

/// Relative tolerance of the marginal verdict (see the module documentation).
pub const MARGINAL_TOLERANCE: f64 = 1e-9;

/// Stability of a loop: the answer to "does it explode?".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Every mode decays.
    Stable,
    /// The leading mode neither grows nor decays (within [`MARGINAL_TOLERANCE`]).
    Marginal,
    /// At least one mode grows: the loop explodes.
    Explosive,
}

impl Verdict {
    /// Verdict of a continuous loop with spectral abscissa `alpha` (1/day)
    /// and eigenvalue scale `scale` (1/day, see [`abscissa_scale`]).
    #[must_use]
    pub fn from_abscissa(alpha: f64, scale: f64) -> Self {
        let tol = MARGINAL_TOLERANCE * scale.abs().max(f64::MIN_POSITIVE);
        if alpha > tol {
            Verdict::Explosive
        } else if alpha < -tol {
            Verdict::Stable
        } else {
            Verdict::Marginal
        }
    }

    /// Verdict of a sampled loop with spectral radius `rho`.
    #[must_use]
    pub fn from_radius(rho: f64) -> Self {
        if rho > 1.0 + MARGINAL_TOLERANCE {
            Verdict::Explosive
        } else if rho < 1.0 - MARGINAL_TOLERANCE {
            Verdict::Stable
        } else {
            Verdict::Marginal
        }
    }

    /// The lowercase name used in JSON.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Stable => "stable",
            Verdict::Marginal => "marginal",
            Verdict::Explosive => "explosive",
        }
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Which loop an analysis is about: the continuous loop of `docs/model.md`
/// (coupling acting at every instant) or the sampled-data loop of the
/// controller (decisions every period, with lag and sensitization).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Loop {
    /// `dx/dt = −Ax + γKx + g`: verdict from the spectral abscissa.
    Continuous,
    /// The controller's loop: verdict from the spectral radius of the
    /// sampled companion matrix (needs a controller).
    Sampled,
}

impl Loop {
    /// The loop a model's runs follow: sampled with a controller, continuous without.
    #[must_use]
    pub fn of(model: &crate::model::Model) -> Self {
        if model.controller.is_some() {
            Loop::Sampled
        } else {
            Loop::Continuous
        }
    }
}

/// Bisects a bracket `lo < hi` of gains, where `explosive(lo)` is false and
/// `explosive(hi)` true, down to rounding; returns the midpoint.
fn bisect_gain(
    mut lo: f64,
    mut hi: f64,
    mut explosive: impl FnMut(f64) -> crate::Result<bool>,
) -> crate::Result<f64> {
    for _ in 0..200 {
        if hi - lo <= 4.0 * f64::EPSILON * hi {
            break;
        }
        let mid = 0.5 * (lo + hi);
        if explosive(mid)? {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    Ok(0.5 * (lo + hi))
}

/// The biased binary exponent `E` of a positive `x` (`x = 1.m·2^{E−1023}`
/// when normal).
fn biased_exponent(x: f64) -> u64 {
    x.to_bits() >> 52
}

/// The power of two `s` with `s·x ∈ [1, 2)`, exact, for a positive `x` with
/// biased exponent `E` in `0..=2045` (every positive finite number below
/// 2¹⁰²³; for a subnormal one, `2¹⁰²³`).
fn unit_scale(x: f64) -> f64 {
    debug_assert!(biased_exponent(x) <= 2045);
    f64::from_bits((2046 - biased_exponent(x)) << 52)
}

/// The power of two `s` that brings a positive finite `x` near 1 (`s·x`
/// in `[1, 4)`; for a subnormal `x`, at least `2⁻⁵²`), for any such `x`.
pub(crate) fn pow2_scale(x: f64) -> f64 {
    f64::from_bits((2046 - biased_exponent(x).clamp(1, 2045)) << 52)
}

/// The input values that drive a quantity out of the range of `f64`: the
/// largest of the restraints, grievances and gain × couplings, by key, and
/// the smallest non-zero one (or a ceiling) when it is below `1e-100`.
/// Used as the `cause` of [`crate::error::NumericalError::OutOfRange`].
#[must_use]
pub fn range_cause(d: &crate::model::Dynamics, gain: f64) -> String {
    use crate::error::num;
    let n = d.n().min(d.names.len());
    let mut items: Vec<(f64, String)> = Vec::new();
    for i in 0..n {
        items.push((
            d.restraint[i].abs(),
            format!("`actor[{i}].restraint` = {}", num(d.restraint[i])),
        ));
        items.push((
            d.grievance[i].abs(),
            format!("`actor[{i}].grievance` = {}", num(d.grievance[i])),
        ));
        if let Some(c) = d.ceiling.get(i).copied().flatten() {
            items.push((c.abs(), format!("`actor[{i}].ceiling` = {}", num(c))));
        }
        for j in 0..n {
            let k = d.coupling[(i, j)];
            if k != 0.0 {
                let key = format!("coupling.{}.{}", d.names[i], d.names[j]);
                let text = if gain == 1.0 {
                    format!("`{key}` = {}", num(k))
                } else {
                    format!("`gain` = {} × `{key}` = {}", num(gain), num(k))
                };
                items.push(((gain * k).abs(), text));
            }
        }
    }
    items.retain(|(m, _)| *m > 0.0);
    let largest = items.iter().max_by(|a, b| a.0.total_cmp(&b.0));
    let smallest = items.iter().min_by(|a, b| a.0.total_cmp(&b.0));
    match (largest, smallest) {
        (Some(l), Some(s)) if s.0 < 1e-100 && l.0 > 1e100 => {
            format!("{} is too large and {} too small", l.1, s.1)
        }
        (Some(l), Some(s)) if s.0 < 1e-100 && s.0 * 1e100 < l.0 => {
            format!("{} is too small against {}", s.1, l.1)
        }
        (Some(l), _) => format!("{} is too large", l.1),
        _ => "the values are out of range".to_string(),
    }
}

/// Checks that `M(γ) = −A + γK` and its row sums are finite: otherwise an
/// [`crate::error::NumericalError::OutOfRange`] naming the values.
pub(crate) fn check_range(d: &crate::model::Dynamics, gain: f64) -> crate::Result<()> {
    let n = d.n();
    let ok = (0..n).all(|i| {
        let mut row = d.restraint[i];
        for j in 0..n {
            row += (gain * d.coupling[(i, j)]).abs();
        }
        row.is_finite()
    });
    if ok {
        Ok(())
    } else {
        Err(crate::error::NumericalError::OutOfRange {
            quantity: "the loop matrix −A + γK".into(),
            cause: range_cause(d, gain),
        }
        .into())
    }
}

/// Gives an [`crate::error::NumericalError::OutOfRange`] raised deep in a
/// method (about a matrix, not the model) the model's values as its cause.
pub(crate) fn name_range_cause(
    e: crate::Error,
    d: &crate::model::Dynamics,
    gain: f64,
) -> crate::Error {
    match e {
        crate::Error::Numerical(crate::error::NumericalError::OutOfRange { quantity, cause })
            if !cause.contains('`') =>
        {
            crate::error::NumericalError::OutOfRange {
                quantity,
                cause: range_cause(d, gain),
            }
            .into()
        }
        e => e,
    }
}

/// `e^a`, bounded in time for any matrix: nalgebra's `exp` computes its
/// number of squarings from powers of the norm (`‖a¹⁰‖`), which overflow
/// for a norm past about 1e30 and make that number `u64::MAX` (a loop
/// that never ends). A matrix whose one-norm exceeds 1e15 is first scaled
/// by `2⁻ʲ` (exact) and the result squared `j` times (at most about 1,020);
/// a non-finite matrix gives a matrix of NaN, which callers report.
pub(crate) fn expm(a: &nalgebra::DMatrix<f64>) -> nalgebra::DMatrix<f64> {
    let norm = a
        .column_iter()
        .map(|c| c.iter().map(|v| v.abs()).sum::<f64>())
        .fold(0.0, f64::max);
    if !norm.is_finite() {
        return nalgebra::DMatrix::from_element(a.nrows(), a.ncols(), f64::NAN);
    }
    if norm <= 1e15 {
        return a.exp();
    }
    let j = (norm / 1e15).log2().ceil().max(0.0) as i32;
    let mut e = (a * 2f64.powi(-j)).exp();
    for _ in 0..j {
        e = &e * &e;
    }
    e
}

/// Checks that a gain argument is a finite number.
fn check_gain(gain: f64) -> crate::Result<()> {
    if gain.is_finite() {
        Ok(())
    } else {
        Err(crate::Error::invalid(
            "gain",
            format!("must be a finite number, got {}", crate::error::num(gain)),
        ))
    }
}
