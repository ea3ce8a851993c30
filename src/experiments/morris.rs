//! Morris screening: elementary effects along random one-at-a-time
//! trajectories, summarised by μ, μ* and σ, with SALib 1.6's conventions.
//!
//! **Design** (`SALib.sample.morris.sample`, no trajectory optimisation):
//! each of r trajectories starts at a random point x* of the p-level grid
//! whose coordinates are drawn from `linspace(0, 1 − Δ, p/2)`, with
//! `Δ = p / (2(p − 1))`; every input moves once, in a random order, by +Δ or
//! −Δ (a random sign per input: with −, the input starts at x*ᵢ + Δ and
//! drops to x*ᵢ). A trajectory is D + 1 rows; r trajectories are r(D + 1)
//! rows, scaled to `x·(hi − lo) + lo`.
//!
//! **Elementary effects** (`SALib.analyze.morris.analyze`, `scaled=False`):
//! `EE = (f(higher) − f(lower)) / Δ`, with Δ the step *in the unit cube*.
//! SALib does not divide by the range of the input, so an effect is in
//! output units per Δ-step of the scaled range: for `f(x) = Σ cᵢ xᵢ` on
//! `[loᵢ, hiᵢ]` every effect of input i is `cᵢ (hiᵢ − loᵢ)` and
//! `μ*ᵢ = |cᵢ| (hiᵢ − loᵢ)`, `σᵢ = 0`.
//!
//! **Statistics:** μ = mean EE, μ* = mean |EE| (Campolongo et al. 2007),
//! σ = standard deviation of EE with `ddof = 1` (numpy `std(ddof=1)`, as
//! SALib), so at least two trajectories are needed. `mu_star_conf` is SALib's
//! bootstrap half-width `z·sd(resampled μ*)`; the percentile interval of the
//! same resamples is reported too. Resampling uses a seeded
//! [`ChaCha8Rng`], not numpy's generator.
//!
//! ## References
//! - Morris, M. D. (1991). Factorial sampling plans for preliminary
//!   computational experiments. *Technometrics* 33(2), 161–174.
//! - Campolongo, F., Cariboni, J. and Saltelli, A. (2007). An effective
//!   screening design for sensitivity analysis of large models.
//!   *Environmental Modelling & Software* 22(10), 1509–1518.
//! - Herman, J. and Usher, W. (2017). SALib. *JOSS* 2(9), 97.

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::{check_bounds, check_finite, check_level, evaluate_rows, quantile_sorted};
use crate::error::{Error, Result};

/// SALib's default number of grid levels p (so Δ = 2/3).
pub const DEFAULT_LEVELS: usize = 4;

/// A Morris design: r trajectories of D + 1 rows.
#[derive(Debug, Clone, PartialEq)]
pub struct MorrisDesign {
    levels: usize,
    d: usize,
    rows: Vec<Vec<f64>>,
    /// Per trajectory, per step: the input that moved and whether it rose.
    steps: Vec<Vec<(usize, bool)>>,
}

impl MorrisDesign {
    /// `trajectories` trajectories on a `levels`-level grid (even, at least
    /// 2; SALib's default is [`DEFAULT_LEVELS`] = 4) for inputs on `bounds`, seeded.
    ///
    /// # Errors
    /// [`Error::Invalid`] for bad bounds, fewer than 2 trajectories, or an
    /// odd or too small number of levels.
    ///
    /// # Example
    /// ```
    /// use escalation::experiments::morris::MorrisDesign;
    /// let d = MorrisDesign::new(&[[0.0, 1.0]; 3], 10, 4, 7).unwrap();
    /// assert_eq!(d.rows().len(), 10 * 4);
    /// assert!((d.delta() - 2.0 / 3.0).abs() < 1e-15);
    /// ```
    pub fn new(bounds: &[[f64; 2]], trajectories: usize, levels: usize, seed: u64) -> Result<Self> {
        check_bounds("bounds", bounds)?;
        if trajectories < 2 {
            return Err(Error::invalid(
                "trajectories",
                format!("σ needs at least 2 trajectories, got {trajectories}"),
            ));
        }
        if levels < 2 || !levels.is_multiple_of(2) {
            return Err(Error::invalid(
                "levels",
                format!("the number of grid levels must be even and at least 2, got {levels}"),
            ));
        }
        let d = bounds.len();
        let delta = delta(levels);
        let half = levels / 2;
        // numpy.linspace(0, 1 − Δ, p/2).
        let grid: Vec<f64> = (0..half)
            .map(|k| {
                if k + 1 == half && half > 1 {
                    1.0 - delta
                } else if half == 1 {
                    0.0
                } else {
                    k as f64 * ((1.0 - delta) / (half - 1) as f64)
                }
            })
            .collect();
        let scale = |u: &[f64]| -> Vec<f64> {
            u.iter()
                .zip(bounds)
                .map(|(x, [lo, hi])| x * (hi - lo) + lo)
                .collect()
        };
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut rows = Vec::with_capacity(trajectories * (d + 1));
        let mut steps = Vec::with_capacity(trajectories);
        for _ in 0..trajectories {
            let base: Vec<f64> = (0..d).map(|_| grid[rng.random_range(0..half)]).collect();
            let up: Vec<bool> = (0..d).map(|_| rng.random::<bool>()).collect();
            let mut order: Vec<usize> = (0..d).collect();
            order.shuffle(&mut rng);
            let mut x: Vec<f64> = (0..d)
                .map(|i| if up[i] { base[i] } else { base[i] + delta })
                .collect();
            rows.push(scale(&x));
            let mut traj = Vec::with_capacity(d);
            for &i in &order {
                x[i] = if up[i] { base[i] + delta } else { base[i] };
                rows.push(scale(&x));
                traj.push((i, up[i]));
            }
            steps.push(traj);
        }
        Ok(Self {
            levels,
            d,
            rows,
            steps,
        })
    }

    /// The step Δ = p / (2(p − 1)) in the unit cube.
    #[must_use]
    pub fn delta(&self) -> f64 {
        delta(self.levels)
    }

    /// All r(D + 1) rows, trajectory by trajectory.
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

    /// μ, μ* and σ from outputs in row order.
    ///
    /// # Errors
    /// [`Error::Invalid`] for the wrong number of outputs, a non-finite
    /// output or bad options.
    ///
    /// # Example
    /// ```
    /// use escalation::experiments::morris::{MorrisDesign, MorrisOptions};
    /// let d = MorrisDesign::new(&[[0.0, 1.0]; 2], 8, 4, 5).unwrap();
    /// let y = d.evaluate(|x| x[0] * x[1]);
    /// let m = d.analyze(&y, &MorrisOptions::default()).unwrap();
    /// assert!(m.sigma[0] > 0.0); // an interaction: effects of x₀ depend on x₁
    /// ```
    pub fn analyze(&self, outputs: &[f64], options: &MorrisOptions) -> Result<MorrisIndices> {
        check_finite("outputs", outputs)?;
        check_level("level", options.level)?;
        if options.resamples < 2 {
            return Err(Error::invalid(
                "resamples",
                "use at least 2 bootstrap resamples",
            ));
        }
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
        let r = self.steps.len();
        let delta = self.delta();
        let mut effects = vec![vec![0.0; r]; self.d];
        for (t, traj) in self.steps.iter().enumerate() {
            let y = &outputs[t * (self.d + 1)..(t + 1) * (self.d + 1)];
            for (m, &(i, up)) in traj.iter().enumerate() {
                let (hi, lo) = if up {
                    (y[m + 1], y[m])
                } else {
                    (y[m], y[m + 1])
                };
                effects[i][t] = (hi - lo) / delta;
            }
        }
        let z = super::normal_quantile(0.5 + options.level / 2.0)?;
        let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
        let (mut mu, mut mu_star, mut sigma) = (vec![], vec![], vec![]);
        let (mut conf, mut interval) = (vec![], vec![]);
        for ee in &effects {
            let m = ee.iter().sum::<f64>() / r as f64;
            mu.push(m);
            mu_star.push(ee.iter().map(|e| e.abs()).sum::<f64>() / r as f64);
            sigma.push((ee.iter().map(|e| (e - m).powi(2)).sum::<f64>() / (r - 1) as f64).sqrt());
            let mut reps: Vec<f64> = (0..options.resamples)
                .map(|_| {
                    (0..r)
                        .map(|_| ee[rng.random_range(0..r)].abs())
                        .sum::<f64>()
                        / r as f64
                })
                .collect();
            let rm = reps.iter().sum::<f64>() / reps.len() as f64;
            let rv = reps.iter().map(|x| (x - rm).powi(2)).sum::<f64>() / (reps.len() - 1) as f64;
            conf.push(z * rv.sqrt());
            reps.sort_by(f64::total_cmp);
            let tail = (1.0 - options.level) / 2.0;
            interval.push([
                quantile_sorted(&reps, tail),
                quantile_sorted(&reps, 1.0 - tail),
            ]);
        }
        Ok(MorrisIndices {
            mu,
            mu_star,
            sigma,
            mu_star_conf: conf,
            mu_star_interval: interval,
            effects,
        })
    }
}

fn delta(levels: usize) -> f64 {
    levels as f64 / (2.0 * (levels as f64 - 1.0))
}

/// Options of the Morris analysis (the bootstrap of μ*).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MorrisOptions {
    /// Bootstrap resamples of μ* (at least 2; default 1000).
    pub resamples: usize,
    /// Confidence level (default 0.95).
    pub level: f64,
    /// Seed of the resampling.
    pub seed: u64,
}

impl Default for MorrisOptions {
    fn default() -> Self {
        Self {
            resamples: 1000,
            level: 0.95,
            seed: 0,
        }
    }
}

/// Morris statistics, one entry per input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MorrisIndices {
    /// Mean elementary effect μ.
    pub mu: Vec<f64>,
    /// Mean absolute elementary effect μ*.
    pub mu_star: Vec<f64>,
    /// Standard deviation of the elementary effects σ (`ddof = 1`).
    pub sigma: Vec<f64>,
    /// SALib's `mu_star_conf`: z·sd of the bootstrapped μ*.
    pub mu_star_conf: Vec<f64>,
    /// Percentile interval of the bootstrapped μ*.
    pub mu_star_interval: Vec<[f64; 2]>,
    /// The elementary effects: `effects[i][t]` for input i, trajectory t.
    pub effects: Vec<Vec<f64>>,
}

/// The whole screening for a closure: design, `f` at every row in
/// parallel, statistics.
///
/// # Errors
/// As [`MorrisDesign::new`] and [`MorrisDesign::analyze`].
///
/// # Example
/// ```
/// use escalation::experiments::morris::{morris_screening, MorrisOptions};
/// let bounds = [[0.0, 2.0], [-1.0, 1.0]];
/// let m = morris_screening(&bounds, 20, 4, 1, |x| 3.0 * x[0] - x[1], &MorrisOptions::default()).unwrap();
/// assert!((m.mu_star[0] - 6.0).abs() < 1e-12 && (m.mu_star[1] - 2.0).abs() < 1e-12);
/// ```
pub fn morris_screening<F>(
    bounds: &[[f64; 2]],
    trajectories: usize,
    levels: usize,
    seed: u64,
    f: F,
    options: &MorrisOptions,
) -> Result<MorrisIndices>
where
    F: Fn(&[f64]) -> f64 + Sync,
{
    let design = MorrisDesign::new(bounds, trajectories, levels, seed)?;
    let y = design.evaluate(f);
    design.analyze(&y, options)
}
