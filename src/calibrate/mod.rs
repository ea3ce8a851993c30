//! Calibration: fitting Richardson's model to observed yearly series.
//!
//! Two estimates are made, one refining the other:
//!
//! 1. **Richardson's method** (the difference equation). With yearly levels
//!    `x_t`, the yearly change `Δx_t = x_{t+1} - x_t` is regressed on the
//!    mid-interval level `m_t = (x_t + x_{t+1})/2`:
//!    - [`fit_pooled`]: one series `U` (the sum of the groups),
//!      `ΔU = slope·m + intercept`; the equilibrium is `U* = -intercept/slope`,
//!      unstable (the series runs away from it) when `slope > 0`;
//!    - [`fit_richardson`]: `N` groups, one equation per group,
//!      `Δx_i = -a_i m_i + Σ_{j≠i} K_ij m_j + g_i`, giving restraint `a_i`,
//!      coupling `K_ij` and grievance `g_i`.
//!
//!    This is the trapezoidal (Crank–Nicolson) discretization of
//!    `dx/dt = M x + g` with `M = -A + K`, so the fitted `M` is stable
//!    exactly when the continuous system is. Percentile intervals for every
//!    coefficient come from a seeded bootstrap ([`Resampling`]).
//! 2. **Trajectory matching** ([`TrajectoryFit`]): least squares on the path
//!    of the continuous linear ODE itself (closed form, a matrix
//!    exponential), by Levenberg–Marquardt started from the estimate of step 1,
//!    with the initial state fitted too.
//!
//! Time is counted in the data's step: coefficients are per **year**
//! (1/year), grievances and equilibria in the data's units. The crate's
//! scenarios count days; see [`RichardsonFit::to_dynamics`].
//!
//! # Example
//!
//! ```
//! use escalation::analysis::Verdict;
//! use escalation::calibrate::{fit_pooled, FitOptions, Group, Series};
//!
//! let csv = "year,X,Y\n2000,10,12\n2001,11,13.5\n2002,12.6,15.6\n2003,15,18.6\n";
//! let series = Series::parse(csv, None).unwrap();
//! let data = series.grouped(&Group::each_column(&series)).unwrap();
//! let fit = fit_pooled(&data, &FitOptions::default().with_bootstrap(200).unwrap()).unwrap();
//! assert!(fit.slope > 0.0);
//! assert_eq!(fit.verdict, Verdict::Explosive);
//! ```
//!
//! ## References
//!
//! - L. F. Richardson, *Arms and Insecurity*, Boxwood Press, 1960.
//! - S. J. Majeski and D. L. Jones, "Arms race modeling: causality analysis
//!   and model specification", *Journal of Conflict Resolution* 25(2) (1981)
//!   259–288: in most of twelve rival pairs the expenditures were
//!   independent, and where they were not, Richardson's specification was
//!   not supported. A good fit here is a description, not a proof.

mod bootstrap;
mod data;
mod difference;
mod group;
mod json;
mod ols;
mod pooled;
mod richardson;
mod trajectory_fit;

use nalgebra::{DMatrix, DVector};

pub use bootstrap::{BootstrapSummary, Interval, Resampling};
pub use data::Series;
pub use group::{Group, Grouped};
pub use pooled::{PooledFit, PooledIntervals, fit_pooled};
pub use richardson::{RichardsonFit, RichardsonIntervals, fit_richardson};
pub use trajectory_fit::{LmOptions, TrajectoryFit, linear_path};

use crate::analysis::{self, Verdict};
use crate::error::{Error, Location, Result};

/// Settings shared by [`fit_pooled`] and [`fit_richardson`].
///
/// `Default`: 1000 residual-bootstrap resamples, seed 0, 95 % intervals,
/// trajectory refinement on.
#[derive(Debug, Clone, PartialEq)]
pub struct FitOptions {
    /// Number of bootstrap resamples; 0 skips the bootstrap.
    pub bootstrap: usize,
    /// Seed of the bootstrap's random stream (ChaCha8).
    pub seed: u64,
    /// Coverage of the percentile intervals, in (0, 1).
    pub level: f64,
    /// What the bootstrap resamples.
    pub resampling: Resampling,
    /// Refine the estimate by trajectory matching.
    pub refine: bool,
    /// Settings of the Levenberg–Marquardt refinement.
    pub lm: LmOptions,
}

impl Default for FitOptions {
    fn default() -> Self {
        Self {
            bootstrap: 1000,
            seed: 0,
            level: 0.95,
            resampling: Resampling::Residuals,
            refine: true,
            lm: LmOptions::default(),
        }
    }
}

impl FitOptions {
    /// Sets the number of bootstrap resamples (0 for none).
    ///
    /// # Errors
    /// [`Error::Invalid`] above 1 000 000.
    pub fn with_bootstrap(mut self, resamples: usize) -> Result<Self> {
        if resamples > 1_000_000 {
            return Err(Error::invalid(
                "bootstrap",
                format!("at most 1000000 resamples, got {resamples}"),
            ));
        }
        self.bootstrap = resamples;
        Ok(self)
    }

    /// Sets the bootstrap seed.
    #[must_use]
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Sets the coverage of the intervals.
    ///
    /// # Errors
    /// [`Error::Invalid`] unless `0 < level < 1`.
    pub fn with_level(mut self, level: f64) -> Result<Self> {
        if !(level > 0.0 && level < 1.0) {
            return Err(Error::invalid(
                "level",
                format!("must be strictly between 0 and 1, got {level}"),
            ));
        }
        self.level = level;
        Ok(self)
    }

    /// Sets what the bootstrap resamples.
    #[must_use]
    pub fn with_resampling(mut self, resampling: Resampling) -> Self {
        self.resampling = resampling;
        self
    }

    /// Turns the trajectory refinement on or off.
    #[must_use]
    pub fn with_refine(mut self, refine: bool) -> Self {
        self.refine = refine;
        self
    }
}

/// Eigenvalues `(re, im)`, spectral abscissa and verdict of a system matrix
/// (1/year), plus its equilibrium `-M⁻¹ g` (`None` when `M` is singular).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Stability {
    pub eigenvalues: Vec<(f64, f64)>,
    pub abscissa: f64,
    pub verdict: Verdict,
    pub equilibrium: Option<DVector<f64>>,
}

/// Analyses `dx/dt = M x + g`.
pub(crate) fn stability(m: &DMatrix<f64>, g: &DVector<f64>) -> Result<Stability> {
    let mut s = spectrum(m)?;
    // LU "solves" a numerically singular system with huge entries: a zero
    // eigenvalue means there is no isolated equilibrium.
    s.equilibrium = m
        .clone()
        .lu()
        .solve(&(-g))
        .filter(|x| x.iter().all(|v| v.is_finite()))
        .filter(|_| s.verdict != Verdict::Marginal);
    Ok(s)
}

/// Eigenvalues `(re, im)` of `M` (1/year) sorted by decreasing real part,
/// the spectral abscissa and the verdict (no equilibrium): the analysis'
/// eigenvalues ([`analysis::eigenvalues`], iteration cap and `hqr`
/// fallback) and its marginal tolerance relative to the Gershgorin bound of
/// `M` ([`analysis::gershgorin_bound`]).
pub(crate) fn spectrum(m: &DMatrix<f64>) -> Result<Stability> {
    if m.iter().any(|v| !v.is_finite()) {
        return Err(Error::numerical(
            "the fitted system has a coefficient that is not finite",
        ));
    }
    let eigenvalues: Vec<(f64, f64)> = analysis::eigenvalues(m)?
        .iter()
        .map(|z| (z.re, z.im))
        .collect();
    let abscissa = eigenvalues.first().map_or(f64::NEG_INFINITY, |e| e.0);
    Ok(Stability {
        eigenvalues,
        abscissa,
        verdict: Verdict::from_abscissa(abscissa, analysis::gershgorin_bound(m)),
        equilibrium: None,
    })
}

/// An [`Error::Data`] about the data set read from `file`.
pub(crate) fn data_error(file: Option<&std::path::Path>, message: impl Into<String>) -> Error {
    Error::Data {
        location: Location {
            // Location prints nothing without a file: name the input instead.
            file: Some(file.map_or_else(|| "CSV data".into(), std::path::Path::to_path_buf)),
            line: None,
            column: None,
        },
        message: message.into(),
    }
}
