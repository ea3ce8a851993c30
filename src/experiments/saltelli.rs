//! Saltelli's design and Sobol' first-order and total indices, exactly as
//! SALib 1.6 computes them without second order.
//!
//! **Design.** From an N × 2D Sobol' matrix (scrambled by default) take A
//! (the first D columns) and B (the last D); `AB_i` is A with column i taken
//! from B. Rows are laid out as `SALib.sample.sobol.sample(problem, N,
//! calc_second_order=False)` lays them out: for each j, `A_j, AB_1j, …,
//! AB_Dj, B_j`, so N(D + 2) rows, each scaled to `x·(hi − lo) + lo`.
//!
//! **Estimators** (`SALib.analyze.sobol.analyze(…, calc_second_order=False)`):
//! the outputs are first standardised over all N(D + 2) values (mean and
//! population standard deviation), then, with `V = var(f_A ∪ f_B)` (population
//! variance, numpy's default `ddof = 0`),
//! - first order (Saltelli et al. 2010): `S_i = mean(f_B (f_ABi − f_A)) / V`;
//! - total (Jansen 1999): `ST_i = ½ mean((f_A − f_ABi)²) / V`.
//!
//! The standardisation matters: the first-order estimator is not shift
//! invariant, so it is part of SALib's definition and is kept here.
//!
//! **Intervals.** The N rows (each with its D + 2 outputs) are resampled with
//! replacement `resamples` times (default 1000, seeded). This module reports
//! the percentile interval (the (1 − level)/2 and (1 + level)/2 quantiles of
//! the resampled indices, numpy's linear interpolation) and, for comparison
//! with SALib, its `_conf` half-width `z·sd(resampled)` (normal
//! approximation, `ddof = 1`). The percentile interval needs no normality
//! and may be asymmetric (it is, for indices near 0 or 1). Like SALib, a
//! resample whose `f_A ∪ f_B` is constant contributes an index of 0.
//!
//! ## References
//! - Saltelli, A., Annoni, P., Azzini, I., Campolongo, F., Ratto, M. and
//!   Tarantola, S. (2010). Variance based sensitivity analysis of model
//!   output. Design and estimator for the total sensitivity index. *Computer
//!   Physics Communications* 181(2), 259–270.
//! - Jansen, M. J. W. (1999). Analysis of variance designs for model output.
//!   *Computer Physics Communications* 117(1–2), 35–43.
//! - Saltelli, A. (2002). Making best use of model evaluations to compute
//!   sensitivity indices. *Computer Physics Communications* 145(2), 280–297.
//! - Herman, J. and Usher, W. (2017). SALib: An open-source Python library
//!   for sensitivity analysis. *Journal of Open Source Software* 2(9), 97.
//! - Efron, B. and Tibshirani, R. J. (1993). *An Introduction to the
//!   Bootstrap*, ch. 13 (percentile intervals).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::sobol::sobol_points;
use super::{check_bounds, check_finite, check_level, evaluate_rows, quantile_sorted};
use crate::error::{Error, Result};

/// A Saltelli design: N base samples of D inputs, N(D + 2) rows.
#[derive(Debug, Clone, PartialEq)]
pub struct SaltelliDesign {
    n: usize,
    bounds: Vec<[f64; 2]>,
    rows: Vec<Vec<f64>>,
}

impl SaltelliDesign {
    /// The design for inputs uniform on `bounds` (one `[lo, hi]` per input)
    /// with `n` base samples (a power of two) from 2D-dimensional Sobol'
    /// points, scrambled with `seed` (`None`: unscrambled, as SALib's
    /// `scramble=False`).
    ///
    /// # Errors
    /// [`Error::Invalid`] for bad bounds, `n` not a power of two, or more
    /// than [`super::sobol::MAX_DIM`]` / 2` inputs.
    ///
    /// # Example
    /// ```
    /// use escalation::experiments::saltelli::SaltelliDesign;
    /// let d = SaltelliDesign::new(&[[0.0, 1.0], [10.0, 20.0]], 4, None).unwrap();
    /// assert_eq!(d.rows().len(), 4 * (2 + 2));
    /// // Base point 2 of the 4-D Sobol' sequence is (0.75, 0.25 | 0.25, 0.25):
    /// // rows 8..12 are A_2, AB_1, AB_2 and B_2.
    /// assert_eq!(d.rows()[8], vec![0.75, 12.5]);
    /// assert_eq!(d.rows()[9], vec![0.25, 12.5]);
    /// ```
    pub fn new(bounds: &[[f64; 2]], n: usize, seed: Option<u64>) -> Result<Self> {
        check_bounds("bounds", bounds)?;
        let base = sobol_points(n, 2 * bounds.len(), seed)?;
        Self::from_unit(&base, bounds)
    }

    /// The design built from any N × 2D matrix of points in [0, 1].
    ///
    /// # Errors
    /// [`Error::Invalid`] for bad bounds, an empty matrix, rows that are not
    /// 2D long or values outside [0, 1].
    ///
    /// # Example
    /// ```
    /// use escalation::experiments::saltelli::SaltelliDesign;
    /// let base = vec![vec![0.1, 0.2, 0.7, 0.8]];
    /// let d = SaltelliDesign::from_unit(&base, &[[0.0, 1.0], [0.0, 10.0]]).unwrap();
    /// assert_eq!(d.rows(), &[vec![0.1, 2.0], vec![0.7, 2.0], vec![0.1, 8.0], vec![0.7, 8.0]]);
    /// ```
    pub fn from_unit(base: &[Vec<f64>], bounds: &[[f64; 2]]) -> Result<Self> {
        check_bounds("bounds", bounds)?;
        let d = bounds.len();
        if base.is_empty() {
            return Err(Error::invalid("base", "give at least one base sample"));
        }
        for (j, row) in base.iter().enumerate() {
            if row.len() != 2 * d || row.iter().any(|u| !(0.0..=1.0).contains(u)) {
                return Err(Error::invalid(
                    format!("base[{j}]"),
                    format!("each base row needs {} values in [0, 1]", 2 * d),
                ));
            }
        }
        let scale = |u: &[f64]| -> Vec<f64> {
            u.iter()
                .zip(bounds)
                .map(|(x, [lo, hi])| x * (hi - lo) + lo)
                .collect()
        };
        let mut rows = Vec::with_capacity(base.len() * (d + 2));
        for row in base {
            let (a, b) = row.split_at(d);
            rows.push(scale(a));
            for i in 0..d {
                let mut ab = a.to_vec();
                ab[i] = b[i];
                rows.push(scale(&ab));
            }
            rows.push(scale(b));
        }
        Ok(Self {
            n: base.len(),
            bounds: bounds.to_vec(),
            rows,
        })
    }

    /// The number of base samples N.
    #[must_use]
    pub fn base_samples(&self) -> usize {
        self.n
    }

    /// The number of inputs D.
    #[must_use]
    pub fn inputs(&self) -> usize {
        self.bounds.len()
    }

    /// All N(D + 2) rows in SALib's order.
    #[must_use]
    pub fn rows(&self) -> &[Vec<f64>] {
        &self.rows
    }

    /// `f` at every row, in parallel, in row order.
    pub fn evaluate<F>(&self, f: F) -> Vec<f64>
    where
        F: Fn(&[f64]) -> f64 + Sync,
    {
        evaluate_rows(&self.rows, f)
    }

    /// The indices from outputs in row order (e.g. from [`Self::evaluate`]
    /// or [`super::merge_shards`]).
    ///
    /// # Errors
    /// As [`sobol_analyze`], and for a number of outputs other than the
    /// number of rows.
    ///
    /// # Example
    /// ```
    /// use escalation::experiments::saltelli::{SaltelliDesign, SobolOptions};
    /// let d = SaltelliDesign::new(&[[0.0, 1.0]; 2], 128, Some(3)).unwrap();
    /// let y = d.evaluate(|x| x[1]);
    /// let s = d.analyze(&y, &SobolOptions { resamples: 200, ..Default::default() }).unwrap();
    /// assert_eq!(s.total[0], 0.0);
    /// assert!(d.analyze(&y[1..], &SobolOptions::default()).is_err());
    /// ```
    pub fn analyze(&self, outputs: &[f64], options: &SobolOptions) -> Result<SobolIndices> {
        if outputs.len() != self.rows.len() {
            return Err(Error::invalid(
                "outputs",
                format!(
                    "the design has {} rows, got {} outputs",
                    self.rows.len(),
                    outputs.len()
                ),
            ));
        }
        sobol_analyze(self.inputs(), outputs, options)
    }
}

/// Options of the Sobol' analysis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SobolOptions {
    /// Bootstrap resamples (at least 2; default 1000).
    pub resamples: usize,
    /// Confidence level of the intervals (default 0.95).
    pub level: f64,
    /// Seed of the resampling.
    pub seed: u64,
}

impl Default for SobolOptions {
    fn default() -> Self {
        Self {
            resamples: 1000,
            level: 0.95,
            seed: 0,
        }
    }
}

/// First-order and total Sobol' indices with their intervals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SobolIndices {
    /// First-order indices S_i (Saltelli 2010), one per input.
    pub first: Vec<f64>,
    /// Total indices ST_i (Jansen 1999).
    pub total: Vec<f64>,
    /// Bootstrap percentile interval of each S_i.
    pub first_interval: Vec<[f64; 2]>,
    /// Bootstrap percentile interval of each ST_i.
    pub total_interval: Vec<[f64; 2]>,
    /// SALib's `S1_conf`: z·sd of the resampled S_i (a half-width).
    pub first_conf: Vec<f64>,
    /// SALib's `ST_conf`: z·sd of the resampled ST_i.
    pub total_conf: Vec<f64>,
}

/// Standardised outputs split into f_A, f_B and f_ABi (column i of `ab`).
struct Parts {
    a: Vec<f64>,
    b: Vec<f64>,
    ab: Vec<Vec<f64>>,
}

/// First-order and total indices of one (re)sample.
type Estimates = (Vec<f64>, Vec<f64>);

/// Both estimators on the rows `idx` of `p`; `None` when f_A ∪ f_B is
/// (numerically) constant, as SALib's `ptp <= eps` / `var <= eps` checks.
fn estimate(p: &Parts, idx: &[usize]) -> Option<Estimates> {
    let m = idx.len() as f64;
    let (mut lo, mut hi, mut sum) = (f64::INFINITY, f64::NEG_INFINITY, 0.0);
    for &j in idx {
        for y in [p.a[j], p.b[j]] {
            lo = lo.min(y);
            hi = hi.max(y);
            sum += y;
        }
    }
    let mean = sum / (2.0 * m);
    let var = idx
        .iter()
        .map(|&j| (p.a[j] - mean).powi(2) + (p.b[j] - mean).powi(2))
        .sum::<f64>()
        / (2.0 * m);
    if hi - lo <= f64::EPSILON || var <= f64::EPSILON {
        return None;
    }
    let mut first = Vec::with_capacity(p.ab.len());
    let mut total = Vec::with_capacity(p.ab.len());
    for ab in &p.ab {
        let (mut s1, mut st) = (0.0, 0.0);
        for &j in idx {
            s1 += p.b[j] * (ab[j] - p.a[j]);
            st += (p.a[j] - ab[j]).powi(2);
        }
        first.push(s1 / m / var);
        total.push(0.5 * (st / m) / var);
    }
    Some((first, total))
}

/// Sobol' indices of `d` inputs from outputs of a Saltelli design
/// (N(D + 2) values in [`SaltelliDesign`]'s row order).
///
/// # Errors
/// [`Error::Invalid`] when the length is not a multiple of D + 2, an output
/// is not finite, the options are bad, or the outputs (or f_A ∪ f_B) have
/// zero variance — the indices are then undefined, and no NaN is returned.
///
/// # Example
/// ```
/// use escalation::experiments::saltelli::{SaltelliDesign, SobolOptions, sobol_analyze};
/// let design = SaltelliDesign::new(&[[0.0, 1.0]; 3], 256, Some(1)).unwrap();
/// let y = design.evaluate(|x| x[0]);
/// let s = sobol_analyze(3, &y, &SobolOptions::default()).unwrap();
/// assert!((s.total[0] - 1.0).abs() < 1e-9 && s.total[1] == 0.0);
/// ```
pub fn sobol_analyze(d: usize, outputs: &[f64], options: &SobolOptions) -> Result<SobolIndices> {
    check_finite("outputs", outputs)?;
    check_level("level", options.level)?;
    if options.resamples < 2 {
        return Err(Error::invalid(
            "resamples",
            "use at least 2 bootstrap resamples",
        ));
    }
    let step = d + 2;
    if d == 0 || outputs.is_empty() || !outputs.len().is_multiple_of(step) {
        return Err(Error::invalid(
            "outputs",
            format!(
                "{} outputs do not fill N(D + 2) rows with D = {d}",
                outputs.len()
            ),
        ));
    }
    let n = outputs.len() / step;
    let total_n = outputs.len() as f64;
    let mean = outputs.iter().sum::<f64>() / total_n;
    let sd = (outputs.iter().map(|y| (y - mean).powi(2)).sum::<f64>() / total_n).sqrt();
    if sd == 0.0 {
        return Err(Error::invalid(
            "outputs",
            "every output is the same: Sobol' indices are undefined (zero variance)",
        ));
    }
    let z: Vec<f64> = outputs.iter().map(|y| (y - mean) / sd).collect();
    let parts = Parts {
        a: (0..n).map(|j| z[j * step]).collect(),
        b: (0..n).map(|j| z[j * step + step - 1]).collect(),
        ab: (0..d)
            .map(|i| (0..n).map(|j| z[j * step + 1 + i]).collect())
            .collect(),
    };
    let all: Vec<usize> = (0..n).collect();
    let (first, total) = estimate(&parts, &all).ok_or_else(|| {
        Error::invalid(
            "outputs",
            "f_A and f_B have zero variance: Sobol' indices are undefined",
        )
    })?;
    let reps: Vec<Estimates> = (0..options.resamples)
        .into_par_iter()
        .map(|r| {
            let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
            rng.set_stream(r as u64);
            let idx: Vec<usize> = (0..n).map(|_| rng.random_range(0..n)).collect();
            estimate(&parts, &idx).unwrap_or_else(|| (vec![0.0; d], vec![0.0; d]))
        })
        .collect();
    let zq = super::normal_quantile(0.5 + options.level / 2.0)?;
    let summarise = |pick: &dyn Fn(&Estimates) -> &Vec<f64>| {
        let mut intervals = Vec::with_capacity(d);
        let mut conf = Vec::with_capacity(d);
        for i in 0..d {
            let mut v: Vec<f64> = reps.iter().map(|r| pick(r)[i]).collect();
            let m = v.iter().sum::<f64>() / v.len() as f64;
            let var = v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len() - 1) as f64;
            conf.push(zq * var.sqrt());
            v.sort_by(f64::total_cmp);
            let tail = (1.0 - options.level) / 2.0;
            intervals.push([quantile_sorted(&v, tail), quantile_sorted(&v, 1.0 - tail)]);
        }
        (intervals, conf)
    };
    let (first_interval, first_conf) = summarise(&|r| &r.0);
    let (total_interval, total_conf) = summarise(&|r| &r.1);
    Ok(SobolIndices {
        first,
        total,
        first_interval,
        total_interval,
        first_conf,
        total_conf,
    })
}

/// The whole analysis for a closure: the design (`n` base samples, scrambled
/// with `seed`), `f` at every row in parallel, and the indices.
///
/// # Errors
/// As [`SaltelliDesign::new`] and [`sobol_analyze`].
///
/// # Example
/// ```
/// use escalation::experiments::saltelli::{sobol_indices, SobolOptions};
/// let s = sobol_indices(&[[0.0, 1.0], [0.0, 1.0]], 512, 3, |x| x[0] * x[1], &SobolOptions::default()).unwrap();
/// assert!((s.first[0] - s.first[1]).abs() < 0.05);
/// ```
pub fn sobol_indices<F>(
    bounds: &[[f64; 2]],
    n: usize,
    seed: u64,
    f: F,
    options: &SobolOptions,
) -> Result<SobolIndices>
where
    F: Fn(&[f64]) -> f64 + Sync,
{
    let design = SaltelliDesign::new(bounds, n, Some(seed))?;
    let y = design.evaluate(f);
    design.analyze(&y, options)
}
