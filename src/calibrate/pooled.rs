//! Richardson's pooled fit: one series, the sum of all groups.

use nalgebra::{DMatrix, DVector};

use super::bootstrap::{BootstrapSummary, Interval};
use super::difference;
use super::trajectory_fit::{TrajectoryFit, refine};
use super::{FitOptions, Group, Grouped};
use crate::analysis::Verdict;
use crate::error::Result;

/// Bootstrap percentile intervals of the pooled line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PooledIntervals {
    /// Interval of the slope, 1/year.
    pub slope: Interval,
    /// Interval of the intercept, data units per year.
    pub intercept: Interval,
}

/// Richardson's regression of the yearly change of the total `U` on its
/// mid-interval level: `ΔU = slope · (U_t + U_{t+1})/2 + intercept`.
///
/// `slope > 0` makes the equilibrium `U* = -intercept/slope` unstable: above
/// it the total grows ever faster (Richardson's reading of 1909–1913).
#[derive(Debug, Clone, PartialEq)]
pub struct PooledFit {
    /// The groups summed into the total.
    pub groups: Vec<Group>,
    /// Observation years.
    pub years: Vec<i32>,
    /// `U` in each year, data units.
    pub level: Vec<f64>,
    /// Mid-interval levels `(U_t + U_{t+1})/2`.
    pub mid: Vec<f64>,
    /// Yearly changes `U_{t+1} - U_t`.
    pub change: Vec<f64>,
    /// Residuals of the changes.
    pub residuals: Vec<f64>,
    /// 1/year.
    pub slope: f64,
    /// Data units per year.
    pub intercept: f64,
    /// `-intercept/slope`, `None` when the slope is zero.
    pub equilibrium: Option<f64>,
    /// R² of the regression (`None` when the yearly change is constant).
    pub r2: Option<f64>,
    /// `explosive` for a positive slope, `stable` for a negative one.
    pub verdict: Verdict,
    /// Bootstrap intervals, `None` without a usable bootstrap (see `bootstrap.note`).
    pub intervals: Option<PooledIntervals>,
    /// How the bootstrap went.
    pub bootstrap: BootstrapSummary,
    /// Share of bootstrap resamples with the same verdict.
    pub verdict_support: Option<f64>,
    /// The trajectory-matching refinement, when requested.
    pub trajectory: Option<TrajectoryFit>,
}

/// Fits Richardson's pooled line to the sum of the groups in `data`.
///
/// Needs at least three years (two changes for two unknowns; with exactly
/// three the line is exact and there are no intervals).
///
/// # Errors
/// [`crate::Error::Data`] for too few years or a singular fit (a total whose
/// mid-interval level does not vary); [`crate::Error::Invalid`] when a
/// hand-built `data` is inconsistent ([`Grouped::check`]).
///
/// # Example
///
/// ```
/// use escalation::calibrate::{fit_pooled, FitOptions, Group, Series};
/// // U grows by 10 % of its mid-level minus 5 each year: slope 0.1, U* = 50.
/// let mut u = vec![100.0_f64];
/// for _ in 0..4 {
///     let x = *u.last().unwrap();
///     u.push((x * 1.05 - 5.0) / 0.95); // solves Δ = 0.1·(x + x')/2 - 5
/// }
/// let csv: String = std::iter::once("year,U".to_string())
///     .chain(u.iter().enumerate().map(|(k, v)| format!("{},{v}", 2000 + k)))
///     .collect::<Vec<_>>()
///     .join("\n");
/// let s = Series::parse(&csv, None).unwrap();
/// let fit = fit_pooled(&s.grouped(&Group::each_column(&s)).unwrap(), &FitOptions::default()).unwrap();
/// assert!((fit.slope - 0.1).abs() < 1e-9);
/// assert!((fit.equilibrium.unwrap() - 50.0).abs() < 1e-6);
/// ```
pub fn fit_pooled(data: &Grouped, opts: &FitOptions) -> Result<PooledFit> {
    data.check()?;
    let level = data.total();
    let total = DMatrix::from_column_slice(level.len(), 1, &level);
    let file = data.file.as_deref();
    let d = difference::fit(&total, &["the total".to_string()], file, "pooled", opts)?;
    let (slope, intercept) = (d.system[(0, 0)], d.drive[0]);
    let intervals = d.replicates.usable().then(|| PooledIntervals {
        slope: d.replicates.interval(|c| c[(0, 0)]),
        intercept: d.replicates.interval(|c| c[(1, 0)]),
    });
    let trajectory = if opts.refine {
        Some(refine(
            &total,
            data.years[0],
            &d.system,
            &d.drive,
            &opts.lm,
            file,
        )?)
    } else {
        None
    };
    let col = |m: &DMatrix<f64>| m.column(0).iter().copied().collect::<Vec<f64>>();
    Ok(PooledFit {
        groups: data.groups.clone(),
        years: data.years.clone(),
        mid: col(&d.mid),
        change: col(&d.change),
        residuals: col(&d.residuals),
        level,
        slope,
        intercept,
        equilibrium: d.stability.equilibrium.map(|e: DVector<f64>| e[0]),
        r2: d.r2[0],
        verdict: d.stability.verdict,
        intervals,
        bootstrap: d.replicates.summary,
        verdict_support: d.verdict_support,
        trajectory,
    })
}

impl PooledFit {
    /// The fitted yearly change at mid-interval level `mid`.
    #[must_use]
    pub fn line(&self, mid: f64) -> f64 {
        self.slope * mid + self.intercept
    }

    /// Every data column summed into the total, in order.
    #[must_use]
    pub fn columns(&self) -> Vec<String> {
        self.groups
            .iter()
            .flat_map(|g| g.columns.iter().cloned())
            .collect()
    }
}
