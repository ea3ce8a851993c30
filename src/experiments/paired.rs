//! Statistics for two arms run on the same runs (common random numbers):
//! paired binary outcomes and paired real-valued quantities.
//!
//! For binary outcomes run r falls in one cell of a 2 × 2 table: both arms
//! have the outcome (a), only the treatment (b), only the control (c), or
//! neither (d), with n = a + b + c + d. The paired difference is
//! `θ = p_treatment − p_control = (b − c)/n`.
//!
//! - **Interval:** Newcombe's (1998) method 10: Wilson score limits for each
//!   proportion, combined with the φ correlation corrected for continuity
//!   (`φ = C/√((a+b)(c+d)(a+c)(b+d))`, `C = ad − bc − n/2` when
//!   `ad − bc > n/2`, `C = ad − bc` when it is negative, else 0):
//!   `L = θ − √(d₁² − 2φ d₁ e₂ + e₂²)`, `U = θ + √(d₂² − 2φ d₂ e₁ + e₁²)`,
//!   with `d₁ = p_t − l_t`, `e₁ = u_t − p_t`, `d₂ = p_c − l_c`, `e₂ = u_c − p_c`.
//!   φ = 0 when a margin is empty. Limits are clipped to [−1, 1].
//! - **McNemar's exact test:** `p = min(1, 2 P(X ≤ min(b, c)))`,
//!   X ~ Binomial(b + c, ½); `p = 1` when `b + c = 0`.
//! - **Variance ratio:** the plug-in variance of the paired estimate over that
//!   of two independent arms of n runs each,
//!   `[(b + c)/n − ((b − c)/n)²] / [p_t(1 − p_t) + p_c(1 − p_c)]`.
//!   Below 1, common random numbers pay: independent arms would need
//!   1/ratio times as many runs for the same precision. Undefined (`None`)
//!   when both arms are constant.
//!
//! Counts add, so sharded runs merge exactly ([`PairedCounts::merge`]).
//!
//! For a real quantity (e.g. cost), the per-run differences `dᵣ = tᵣ − cᵣ`
//! give a Student t interval `d̄ ± t_{(1+level)/2, n−1} s/√n`.
//!
//! ## References
//! - Newcombe, R. G. (1998). Improved confidence intervals for the
//!   difference between binomial proportions based on paired data.
//!   *Statistics in Medicine* 17(22), 2635–2650.
//! - Wilson, E. B. (1927). Probable inference, the law of succession, and
//!   statistical inference. *JASA* 22(158), 209–212.
//! - McNemar, Q. (1947). Note on the sampling error of the difference between
//!   correlated proportions or percentages. *Psychometrika* 12(2), 153–157.
//! - Fagerland, M. W., Lydersen, S. and Laake, P. (2013). The McNemar test
//!   for binary matched-pairs data: mid-p and asymptotic are better than
//!   exact conditional. *BMC Medical Research Methodology* 13, 91.

use serde::{Deserialize, Serialize};

use super::dist::binomial_half_cdf;
use super::{check_finite, check_level, normal_quantile, student_t_quantile};
use crate::error::{Error, Result};

/// The 2 × 2 table of paired binary outcomes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PairedCounts {
    /// Runs where both arms have the outcome (a).
    pub both: u64,
    /// Runs where only the treatment has it (b).
    pub only_treatment: u64,
    /// Runs where only the control has it (c).
    pub only_control: u64,
    /// Runs where neither has it (d).
    pub neither: u64,
}

impl PairedCounts {
    /// The table from per-run outcomes of the two arms on the same runs.
    ///
    /// # Errors
    /// [`Error::Invalid`] when the arms have different lengths.
    ///
    /// # Example
    /// ```
    /// use escalation::experiments::paired::PairedCounts;
    /// let t = PairedCounts::from_outcomes(&[true, false, true], &[true, true, false]).unwrap();
    /// assert_eq!((t.both, t.only_treatment, t.only_control, t.neither), (1, 1, 1, 0));
    /// ```
    pub fn from_outcomes(control: &[bool], treatment: &[bool]) -> Result<Self> {
        if control.len() != treatment.len() {
            return Err(Error::invalid(
                "treatment",
                format!(
                    "paired arms need the same runs: {} control and {} treatment outcomes",
                    control.len(),
                    treatment.len()
                ),
            ));
        }
        let mut t = Self::default();
        for (&c, &x) in control.iter().zip(treatment) {
            match (c, x) {
                (true, true) => t.both += 1,
                (false, true) => t.only_treatment += 1,
                (true, false) => t.only_control += 1,
                (false, false) => t.neither += 1,
            }
        }
        Ok(t)
    }

    /// The number of runs n.
    #[must_use]
    pub fn n(&self) -> u64 {
        self.both + self.only_treatment + self.only_control + self.neither
    }

    /// The table of two disjoint sets of runs together (shards merge exactly).
    ///
    /// # Example
    /// ```
    /// use escalation::experiments::paired::PairedCounts;
    /// let (c, t) = ([true, false, false, true], [true, true, false, false]);
    /// let whole = PairedCounts::from_outcomes(&c, &t).unwrap();
    /// let a = PairedCounts::from_outcomes(&c[..1], &t[..1]).unwrap();
    /// let b = PairedCounts::from_outcomes(&c[1..], &t[1..]).unwrap();
    /// assert_eq!(a.merge(&b), whole);
    /// assert_eq!(whole.n(), 4);
    /// ```
    #[must_use]
    pub fn merge(&self, other: &Self) -> Self {
        Self {
            both: self.both + other.both,
            only_treatment: self.only_treatment + other.only_treatment,
            only_control: self.only_control + other.only_control,
            neither: self.neither + other.neither,
        }
    }
}

/// The paired comparison of two binary arms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairedProportions {
    /// The table.
    pub counts: PairedCounts,
    /// Fraction of runs with the outcome in the control arm.
    pub p_control: f64,
    /// Fraction of runs with the outcome in the treatment arm.
    pub p_treatment: f64,
    /// `p_treatment − p_control`.
    pub difference: f64,
    /// Newcombe's method-10 interval for the difference.
    pub interval: [f64; 2],
    /// The confidence level of the interval.
    pub level: f64,
    /// McNemar's exact two-sided p-value.
    pub mcnemar_p: f64,
    /// Variance of the paired estimate over that of independent arms.
    pub variance_ratio: Option<f64>,
}

/// Wilson score limits for `x` of `n` at normal quantile `z`, in [0, 1].
fn wilson(x: u64, n: u64, z: f64) -> (f64, f64) {
    let (x, n) = (x as f64, n as f64);
    let p = x / n;
    let center = (2.0 * x + z * z) / (2.0 * (n + z * z));
    let half = z * (z * z + 4.0 * x * (1.0 - p)).sqrt() / (2.0 * (n + z * z));
    let lo = if x == 0.0 {
        0.0
    } else {
        (center - half).max(0.0)
    };
    let hi = if x == n {
        1.0
    } else {
        (center + half).min(1.0)
    };
    (lo, hi)
}

/// Newcombe's method-10 interval for `p_treatment − p_control` at `level`.
///
/// # Errors
/// [`Error::Invalid`] for an empty table or a level outside (0, 1).
///
/// # Example
/// Newcombe (1998), Table III, first example (a, b, c, d = 36, 12, 2, 0):
/// ```
/// use escalation::experiments::paired::{newcombe_interval, PairedCounts};
/// let t = PairedCounts { both: 36, only_treatment: 12, only_control: 2, neither: 0 };
/// let [lo, hi] = newcombe_interval(&t, 0.95).unwrap();
/// assert!((lo - 0.0569).abs() < 1e-4 && (hi - 0.3404).abs() < 1e-4);
/// ```
pub fn newcombe_interval(counts: &PairedCounts, level: f64) -> Result<[f64; 2]> {
    check_level("level", level)?;
    let n = counts.n();
    if n == 0 {
        return Err(Error::invalid(
            "counts",
            "no runs: the proportions are undefined",
        ));
    }
    let z = normal_quantile(0.5 + level / 2.0)?;
    let (a, b, c, d) = (
        counts.both as f64,
        counts.only_treatment as f64,
        counts.only_control as f64,
        counts.neither as f64,
    );
    let nf = n as f64;
    let (x1, x2) = (
        counts.both + counts.only_treatment,
        counts.both + counts.only_control,
    );
    let (p1, p2) = (x1 as f64 / nf, x2 as f64 / nf);
    let (l1, u1) = wilson(x1, n, z);
    let (l2, u2) = wilson(x2, n, z);
    let margins = (a + b) * (c + d) * (a + c) * (b + d);
    let det = a * d - b * c;
    let corrected = if det > nf / 2.0 {
        det - nf / 2.0
    } else if det < 0.0 {
        det
    } else {
        0.0
    };
    let phi = if margins > 0.0 {
        corrected / margins.sqrt()
    } else {
        0.0
    };
    let theta = p1 - p2;
    let (d1, e1, d2, e2) = (p1 - l1, u1 - p1, p2 - l2, u2 - p2);
    let lower = theta - (d1 * d1 - 2.0 * phi * d1 * e2 + e2 * e2).max(0.0).sqrt();
    let upper = theta + (d2 * d2 - 2.0 * phi * d2 * e1 + e1 * e1).max(0.0).sqrt();
    Ok([lower.max(-1.0), upper.min(1.0)])
}

/// McNemar's exact two-sided p-value for `b` and `c` discordant runs:
/// `min(1, 2 P(X ≤ min(b, c)))`, X ~ Binomial(b + c, ½); 1 when b + c = 0.
///
/// # Example
/// Fagerland et al. (2013), the airway example (b = 1, c = 7): 18/256.
/// ```
/// use escalation::experiments::paired::mcnemar_exact;
/// assert_eq!(mcnemar_exact(1, 7), 18.0 / 256.0);
/// assert_eq!(mcnemar_exact(0, 0), 1.0);
/// ```
#[must_use]
pub fn mcnemar_exact(b: u64, c: u64) -> f64 {
    if b + c == 0 {
        return 1.0;
    }
    (2.0 * binomial_half_cdf(b.min(c), b + c)).min(1.0)
}

/// The plug-in variance of the paired difference over that of two
/// independent arms of the same size; `None` when both arms are constant.
///
/// # Example
/// ```
/// use escalation::experiments::paired::{variance_ratio, PairedCounts};
/// // Identical arms: the paired difference has no variance at all.
/// let t = PairedCounts { both: 30, only_treatment: 0, only_control: 0, neither: 70 };
/// assert_eq!(variance_ratio(&t), Some(0.0));
/// ```
#[must_use]
pub fn variance_ratio(counts: &PairedCounts) -> Option<f64> {
    let n = counts.n();
    if n == 0 {
        return None;
    }
    let nf = n as f64;
    let p1 = (counts.both + counts.only_treatment) as f64 / nf;
    let p2 = (counts.both + counts.only_control) as f64 / nf;
    let independent = p1 * (1.0 - p1) + p2 * (1.0 - p2);
    if independent <= 0.0 {
        return None;
    }
    let disc = (counts.only_treatment + counts.only_control) as f64 / nf;
    let diff = (counts.only_treatment as f64 - counts.only_control as f64) / nf;
    Some(((disc - diff * diff) / independent).max(0.0))
}

/// The full paired comparison of a table at `level`.
///
/// # Errors
/// As [`newcombe_interval`].
///
/// # Example
/// ```
/// use escalation::experiments::paired::{paired_proportions, PairedCounts};
/// let x = [true, false, true, true, false, false, true, false];
/// let t = PairedCounts::from_outcomes(&x, &x).unwrap();
/// let p = paired_proportions(&t, 0.95).unwrap();
/// assert_eq!((p.difference, p.mcnemar_p), (0.0, 1.0));
/// ```
pub fn paired_proportions(counts: &PairedCounts, level: f64) -> Result<PairedProportions> {
    let interval = newcombe_interval(counts, level)?;
    let nf = counts.n() as f64;
    let p_treatment = (counts.both + counts.only_treatment) as f64 / nf;
    let p_control = (counts.both + counts.only_control) as f64 / nf;
    Ok(PairedProportions {
        counts: *counts,
        p_control,
        p_treatment,
        difference: p_treatment - p_control,
        interval,
        level,
        mcnemar_p: mcnemar_exact(counts.only_treatment, counts.only_control),
        variance_ratio: variance_ratio(counts),
    })
}

/// The paired difference of a real-valued quantity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairedMean {
    /// Number of runs.
    pub n: usize,
    /// Mean in the control arm.
    pub mean_control: f64,
    /// Mean in the treatment arm.
    pub mean_treatment: f64,
    /// Mean of the per-run differences (treatment − control).
    pub difference: f64,
    /// Standard deviation of the per-run differences (`n − 1` divisor).
    pub sd: f64,
    /// Student t interval for the mean difference.
    pub interval: [f64; 2],
    /// The confidence level.
    pub level: f64,
}

/// The mean of `treatment − control` over paired runs with a Student t
/// interval at `level` (n − 1 degrees of freedom; the quantile is exact to
/// about 1e-12, see [`student_t_quantile`]).
///
/// # Errors
/// [`Error::Invalid`] for arms of different lengths, fewer than 2 runs, a
/// non-finite value or a bad level.
///
/// # Example
/// ```
/// use escalation::experiments::paired::paired_mean_difference;
/// let m = paired_mean_difference(&[1.0, 2.0, 3.0], &[2.0, 4.0, 3.0], 0.95).unwrap();
/// assert_eq!(m.difference, 1.0);
/// // s = 1, t(0.975, 2) = 4.3027: 1 ± 4.3027/√3.
/// assert!((m.interval[1] - (1.0 + 4.302652729749464 / 3f64.sqrt())).abs() < 1e-9);
/// ```
pub fn paired_mean_difference(
    control: &[f64],
    treatment: &[f64],
    level: f64,
) -> Result<PairedMean> {
    check_level("level", level)?;
    check_finite("control", control)?;
    check_finite("treatment", treatment)?;
    if control.len() != treatment.len() {
        return Err(Error::invalid(
            "treatment",
            format!(
                "paired arms need the same runs: {} control and {} treatment values",
                control.len(),
                treatment.len()
            ),
        ));
    }
    let n = control.len();
    if n < 2 {
        return Err(Error::invalid(
            "control",
            "a t interval needs at least 2 paired runs",
        ));
    }
    let nf = n as f64;
    let diffs: Vec<f64> = treatment.iter().zip(control).map(|(t, c)| t - c).collect();
    let difference = diffs.iter().sum::<f64>() / nf;
    let sd = (diffs.iter().map(|d| (d - difference).powi(2)).sum::<f64>() / (nf - 1.0)).sqrt();
    let half = student_t_quantile(0.5 + level / 2.0, nf - 1.0)? * sd / nf.sqrt();
    Ok(PairedMean {
        n,
        mean_control: control.iter().sum::<f64>() / nf,
        mean_treatment: treatment.iter().sum::<f64>() / nf,
        difference,
        sd,
        interval: [difference - half, difference + half],
        level,
    })
}
