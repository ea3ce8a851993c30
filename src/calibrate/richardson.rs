//! The N-group fit: restraint, coupling and grievance of each group.

use nalgebra::{DMatrix, DVector};

use super::bootstrap::{BootstrapSummary, Interval};
use super::difference;
use super::trajectory_fit::{TrajectoryFit, refine};
use super::{FitOptions, Group, Grouped};
use crate::analysis::Verdict;
use crate::error::{Error, Result};
use crate::model::Dynamics;

/// Bootstrap percentile intervals of the N-group coefficients.
#[derive(Debug, Clone, PartialEq)]
pub struct RichardsonIntervals {
    /// Interval of each `a_i`, 1/year.
    pub restraint: Vec<Interval>,
    /// `coupling[i][j]`: interval of `K_ij` (`None` on the diagonal), 1/year.
    pub coupling: Vec<Vec<Option<Interval>>>,
    /// Interval of each `g_i`, data units per year.
    pub grievance: Vec<Interval>,
}

/// Richardson's N-group model fitted by his difference method:
/// `Δx_i = -a_i m_i + Σ_{j≠i} K_ij m_j + g_i` on each yearly interval.
#[derive(Debug, Clone, PartialEq)]
pub struct RichardsonFit {
    /// The groups, in order.
    pub groups: Vec<Group>,
    /// Observation years.
    pub years: Vec<i32>,
    /// `T × N` observed levels.
    pub levels: DMatrix<f64>,
    /// `(T-1) × N` mid-interval levels.
    pub mid: DMatrix<f64>,
    /// `(T-1) × N` yearly changes.
    pub change: DMatrix<f64>,
    /// `(T-1) × N` residuals of the yearly changes.
    pub residuals: DMatrix<f64>,
    /// `a_i`, 1/year (negative: the group's own level spurs it on).
    pub restraint: DVector<f64>,
    /// `K_ij`, 1/year, zero diagonal.
    pub coupling: DMatrix<f64>,
    /// `g_i`, data units per year.
    pub grievance: DVector<f64>,
    /// R² of each group's equation (`None` when its change is constant).
    pub r2: Vec<Option<f64>>,
    /// `-M⁻¹ g` with `M = -A + K`; `None` when `M` is singular.
    pub equilibrium: Option<DVector<f64>>,
    /// Eigenvalues `(re, im)` of `M`, 1/year.
    pub eigenvalues: Vec<(f64, f64)>,
    /// Largest real part, 1/year.
    pub spectral_abscissa: f64,
    /// Stability of the fitted system.
    pub verdict: Verdict,
    /// Bootstrap intervals, `None` without a usable bootstrap (see `bootstrap.note`).
    pub intervals: Option<RichardsonIntervals>,
    /// How the bootstrap went.
    pub bootstrap: BootstrapSummary,
    /// Share of bootstrap resamples with the same verdict.
    pub verdict_support: Option<f64>,
    /// The trajectory-matching refinement, when requested.
    pub trajectory: Option<TrajectoryFit>,
}

/// Fits restraint, coupling and grievance of every group in `data`.
///
/// Each group's equation has `N + 1` unknowns, so at least `N + 2` years
/// are needed.
///
/// # Errors
/// [`Error::Data`] for too few years or a singular fit;
/// [`Error::Numerical`] if an eigenvalue or SVD computation fails;
/// [`Error::Invalid`] when a hand-built `data` is inconsistent ([`Grouped::check`]).
///
/// # Example
///
/// ```
/// use escalation::calibrate::{fit_richardson, FitOptions, Group, Series};
/// let csv = "year,A,B\n0,1,2\n1,1.6,2.5\n2,2.4,3.3\n3,3.5,4.3\n4,5.0,5.8\n5,7.1,7.9\n";
/// let s = Series::parse(csv, None).unwrap();
/// let fit = fit_richardson(&s.grouped(&Group::each_column(&s)).unwrap(), &FitOptions::default()).unwrap();
/// assert_eq!(fit.restraint.len(), 2);
/// assert_eq!(fit.coupling[(0, 0)], 0.0);
/// ```
pub fn fit_richardson(data: &Grouped, opts: &FitOptions) -> Result<RichardsonFit> {
    data.check()?;
    let names = data.names();
    let file = data.file.as_deref();
    let d = difference::fit(&data.levels, &names, file, "richardson", opts)?;
    let n = data.n();
    let restraint = -d.system.diagonal();
    let mut coupling = d.system.clone();
    coupling.fill_diagonal(0.0);
    let intervals = d.replicates.usable().then(|| RichardsonIntervals {
        restraint: (0..n)
            .map(|i| d.replicates.interval(|c| -c[(i, i)]))
            .collect(),
        coupling: (0..n)
            .map(|i| {
                (0..n)
                    .map(|j| (i != j).then(|| d.replicates.interval(|c| c[(j, i)])))
                    .collect()
            })
            .collect(),
        grievance: (0..n)
            .map(|i| d.replicates.interval(|c| c[(n, i)]))
            .collect(),
    });
    let trajectory = if opts.refine {
        Some(refine(
            &data.levels,
            data.years[0],
            &d.system,
            &d.drive,
            &opts.lm,
            file,
        )?)
    } else {
        None
    };
    Ok(RichardsonFit {
        groups: data.groups.clone(),
        years: data.years.clone(),
        levels: data.levels.clone(),
        mid: d.mid,
        change: d.change,
        residuals: d.residuals,
        restraint,
        coupling,
        grievance: d.drive,
        r2: d.r2,
        equilibrium: d.stability.equilibrium,
        eigenvalues: d.stability.eigenvalues,
        spectral_abscissa: d.stability.abscissa,
        verdict: d.stability.verdict,
        intervals,
        bootstrap: d.replicates.summary,
        verdict_support: d.verdict_support,
        trajectory,
    })
}

impl RichardsonFit {
    /// Group names, in order.
    #[must_use]
    pub fn names(&self) -> Vec<String> {
        self.groups.iter().map(|g| g.name.clone()).collect()
    }

    /// `M = -A + K`, 1/year.
    #[must_use]
    pub fn system_matrix(&self) -> DMatrix<f64> {
        let mut m = self.coupling.clone();
        for i in 0..m.nrows() {
            m[(i, i)] = -self.restraint[i];
        }
        m
    }

    /// The fitted system as crate [`Dynamics`] (gain 1, no ceilings), with
    /// rates converted from per-year to per `steps_per_year`-th of a year:
    /// pass `365.25` for the crate's days, `1.0` to keep years. Intensities
    /// stay in the data's units.
    ///
    /// # Errors
    /// [`Error::Invalid`] when a fitted restraint is not positive (the model
    /// needs `a_i > 0`) or `steps_per_year` is not positive.
    pub fn to_dynamics(&self, steps_per_year: f64) -> Result<Dynamics> {
        if !(steps_per_year.is_finite() && steps_per_year > 0.0) {
            return Err(Error::invalid(
                "steps_per_year",
                format!("must be a positive number, got {steps_per_year}"),
            ));
        }
        if let Some(i) = self.restraint.iter().position(|&a| a <= 0.0) {
            return Err(Error::invalid(
                format!("restraint[{i}]"),
                format!(
                    "the fitted restraint of `{}` is {} per year; the model needs a positive one",
                    self.groups[i].name, self.restraint[i]
                ),
            ));
        }
        let mut d = Dynamics::new(
            &self.restraint / steps_per_year,
            &self.coupling / steps_per_year,
            &self.grievance / steps_per_year,
        )?;
        d.names = self.names();
        Ok(d)
    }
}
