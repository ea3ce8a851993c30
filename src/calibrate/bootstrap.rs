//! Seeded bootstrap of the difference-equation regression, and percentile
//! intervals.
//!
//! ## References
//!
//! A. C. Davison and D. V. Hinkley, *Bootstrap Methods and their
//! Application*, Cambridge University Press, 1997, §6.2 (resampling
//! residuals and cases in linear regression).

use nalgebra::DMatrix;
use rand::Rng as _;
use serde::{Serialize, Serializer};

use super::FitOptions;
use super::ols::{self, Ols};

/// What the bootstrap resamples.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Resampling {
    /// Keep the mid-interval levels and add resampled residuals to the
    /// fitted changes (leverage-corrected and centred, whole rows so that
    /// the groups' residuals stay paired). Never singular; needs more
    /// intervals than unknowns.
    #[default]
    Residuals,
    /// Resample whole intervals (mid levels and changes) with replacement.
    /// Makes no assumption of equal variance, but with few intervals many
    /// resamples are singular; those are skipped and counted.
    Intervals,
}

/// A percentile interval `[lo, hi]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    /// Lower bound.
    pub lo: f64,
    /// Upper bound.
    pub hi: f64,
}

impl Interval {
    /// True when `v` lies in `[lo, hi]`.
    #[must_use]
    pub fn contains(&self, v: f64) -> bool {
        self.lo <= v && v <= self.hi
    }
}

impl Serialize for Interval {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        [self.lo, self.hi].serialize(s)
    }
}

/// How the bootstrap went.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BootstrapSummary {
    /// Resamples requested.
    pub resamples: usize,
    /// Resamples that gave a fit (the intervals use these).
    pub used: usize,
    /// Resamples skipped because their fit was singular.
    pub skipped: usize,
    /// Seed of the random stream.
    pub seed: u64,
    /// Coverage of the intervals.
    pub level: f64,
    /// What was resampled.
    pub method: Resampling,
    /// Why there are no intervals, when there are none.
    pub note: Option<String>,
}

/// Coefficient matrices of the successful resamples.
pub(crate) struct Replicates {
    pub coefs: Vec<DMatrix<f64>>,
    pub summary: BootstrapSummary,
}

impl Replicates {
    /// True when intervals can be reported.
    pub fn usable(&self) -> bool {
        self.summary.note.is_none() && !self.coefs.is_empty()
    }

    /// Percentile interval of `f(coef)` over the replicates.
    pub fn interval(&self, f: impl Fn(&DMatrix<f64>) -> f64) -> Interval {
        let mut v: Vec<f64> = self.coefs.iter().map(f).filter(|x| x.is_finite()).collect();
        percentile(&mut v, self.summary.level)
    }
}

/// Resamples the regression `y ≈ x·coef` solved in `fit`.
pub(crate) fn run(x: &DMatrix<f64>, y: &DMatrix<f64>, fit: &Ols, opts: &FitOptions) -> Replicates {
    let (n, p) = x.shape();
    let mut summary = BootstrapSummary {
        resamples: opts.bootstrap,
        used: 0,
        skipped: 0,
        seed: opts.seed,
        level: opts.level,
        method: opts.resampling,
        note: None,
    };
    let mut coefs = Vec::new();
    if opts.bootstrap == 0 {
        summary.note = Some("bootstrap turned off".into());
        return Replicates { coefs, summary };
    }
    if n <= p {
        summary.note = Some(format!(
            "no residual degrees of freedom ({n} intervals for {p} unknowns per equation): \
             the fit is exact and the data say nothing about its uncertainty"
        ));
        return Replicates { coefs, summary };
    }
    let mut rng = {
        use rand::SeedableRng;
        // The bootstrap's own stream: ChaCha8 from the seed, stream 0.
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(opts.seed);
        rng.set_stream(0);
        rng
    };
    match opts.resampling {
        Resampling::Residuals => {
            let mut e = fit.residuals.clone();
            for (k, h) in fit.leverage.iter().enumerate() {
                // h = 1 pins the row: its residual is zero whatever the data.
                let s = if *h < 1.0 - 1e-12 {
                    (1.0 - h).sqrt()
                } else {
                    1.0
                };
                e.row_mut(k).unscale_mut(s);
            }
            for mut col in e.column_iter_mut() {
                let mean = col.mean();
                col.add_scalar_mut(-mean);
            }
            let mut ystar = fit.fitted.clone();
            for _ in 0..opts.bootstrap {
                for k in 0..n {
                    let pick = rng.random_range(0..n);
                    ystar
                        .row_mut(k)
                        .copy_from(&(fit.fitted.row(k) + e.row(pick)));
                }
                coefs.push(&fit.pinv * &ystar);
            }
        }
        Resampling::Intervals => {
            let mut xs = x.clone();
            let mut ys = y.clone();
            for _ in 0..opts.bootstrap {
                for k in 0..n {
                    let pick = rng.random_range(0..n);
                    xs.row_mut(k).copy_from(&x.row(pick));
                    ys.row_mut(k).copy_from(&y.row(pick));
                }
                match ols::solve(&xs, &ys) {
                    Ok(f) => coefs.push(f.coef),
                    Err(_) => summary.skipped += 1,
                }
            }
        }
    }
    summary.used = coefs.len();
    let needed = (opts.bootstrap / 2).max(10.min(opts.bootstrap));
    if summary.used < needed {
        summary.note = Some(format!(
            "only {} of {} resamples gave a fit (the others were singular): too few for intervals",
            summary.used, opts.bootstrap
        ));
    }
    Replicates { coefs, summary }
}

/// Percentile interval of `values` at coverage `level` (linear
/// interpolation between order statistics). Sorts `values`.
pub(crate) fn percentile(values: &mut [f64], level: f64) -> Interval {
    values.sort_by(f64::total_cmp);
    let q = |p: f64| -> f64 {
        if values.is_empty() {
            return f64::NAN;
        }
        let pos = p * (values.len() - 1) as f64;
        let lo = pos.floor() as usize;
        let hi = pos.ceil() as usize;
        values[lo] + (pos - lo as f64) * (values[hi] - values[lo])
    };
    let tail = (1.0 - level) / 2.0;
    Interval {
        lo: q(tail),
        hi: q(1.0 - tail),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_of_a_ramp() {
        let mut v: Vec<f64> = (0..=100).rev().map(f64::from).collect();
        let i = percentile(&mut v, 0.9);
        assert!(
            (i.lo - 5.0).abs() < 1e-12 && (i.hi - 95.0).abs() < 1e-12,
            "{i:?}"
        );
        assert!(i.contains(50.0) && !i.contains(99.0));
    }
}
