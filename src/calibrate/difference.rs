//! Richardson's difference-equation regression, shared by the pooled and
//! the N-group fits: `Δx_t = M m_t + g` with `m_t = (x_t + x_{t+1})/2`.

use std::path::Path;

use nalgebra::{DMatrix, DVector};

use super::bootstrap::{self, Replicates};
use super::ols::{self, OlsError};
use super::{FitOptions, Stability, data_error, spectrum, stability};
use crate::analysis::Verdict;
use crate::error::Result;

/// The regression and everything derived from it.
pub(crate) struct Difference {
    /// `n × N` mid-interval levels.
    pub mid: DMatrix<f64>,
    /// `n × N` yearly changes.
    pub change: DMatrix<f64>,
    /// `n × N` residuals of the changes.
    pub residuals: DMatrix<f64>,
    /// `M` (1/year): `M_ii = -a_i`, `M_ij = K_ij`.
    pub system: DMatrix<f64>,
    /// `g`, units/year.
    pub drive: DVector<f64>,
    /// R² of each equation.
    pub r2: Vec<Option<f64>>,
    /// Eigenvalues, verdict and equilibrium of `(M, g)`.
    pub stability: Stability,
    /// Bootstrap coefficient matrices (`(N+1) × N`, as `coef` below).
    pub replicates: Replicates,
    /// Share of resamples giving the same verdict.
    pub verdict_support: Option<f64>,
}

/// `M` and `g` from a `(N+1) × N` coefficient matrix (column `i` = equation `i`).
pub(crate) fn split(coef: &DMatrix<f64>) -> (DMatrix<f64>, DVector<f64>) {
    let n = coef.ncols();
    let system = coef.rows(0, n).transpose();
    let drive = coef.row(n).transpose();
    (system, drive)
}

/// Fits the difference equation to `levels` (`T × N`, one column per
/// series); `what` names the model in error messages, `names` the series.
pub(crate) fn fit(
    levels: &DMatrix<f64>,
    names: &[String],
    file: Option<&Path>,
    what: &str,
    opts: &FitOptions,
) -> Result<Difference> {
    let (t, n_groups) = levels.shape();
    let unknowns = n_groups + 1;
    let intervals = t.saturating_sub(1);
    if intervals < unknowns {
        return Err(data_error(
            file,
            format!(
                "too few points for the {what} model: {t} year(s) give {intervals} yearly change(s), \
                 but each equation has {unknowns} unknowns ({}); at least {} years are needed",
                if n_groups == 1 {
                    "slope and intercept".to_string()
                } else {
                    format!("{n_groups} reaction coefficients and a grievance")
                },
                unknowns + 1
            ),
        ));
    }
    let mut mid = DMatrix::zeros(intervals, n_groups);
    let mut change = DMatrix::zeros(intervals, n_groups);
    for k in 0..intervals {
        for i in 0..n_groups {
            mid[(k, i)] = 0.5 * (levels[(k, i)] + levels[(k + 1, i)]);
            change[(k, i)] = levels[(k + 1, i)] - levels[(k, i)];
        }
    }
    let design = mid.clone().insert_column(n_groups, 1.0);
    let sol = ols::solve(&design, &change).map_err(|e| match e {
        OlsError::TooFew { rows, unknowns } => data_error(
            file,
            format!("too few points: {rows} yearly changes for {unknowns} unknowns"),
        ),
        OlsError::Singular { ratio } => data_error(
            file,
            format!(
                "singular fit for the {what} model: the mid-interval levels of {} and the \
                 constant term are linearly dependent (smallest/largest scaled singular value \
                 {ratio:.1e}), e.g. a series that does not move or series proportional to \
                 each other; the coefficients are not identifiable",
                names.join(", ")
            ),
        ),
        OlsError::NoConvergence => {
            crate::Error::numerical("the least-squares SVD did not converge")
        }
    })?;
    let (system, drive) = split(&sol.coef);
    let r2 = ols::r_squared(&change, &sol.residuals);
    let stab = stability(&system, &drive)?;
    let replicates = bootstrap::run(&design, &change, &sol, opts);
    let verdict_support = if replicates.usable() {
        Some(support(&replicates, stab.verdict))
    } else {
        None
    };
    Ok(Difference {
        mid,
        change,
        residuals: sol.residuals,
        system,
        drive,
        r2,
        stability: stab,
        replicates,
        verdict_support,
    })
}

/// Share of replicates whose system has verdict `v`.
fn support(reps: &Replicates, v: Verdict) -> f64 {
    let same = reps
        .coefs
        .iter()
        .filter(|c| {
            let (m, _) = split(c);
            spectrum(&m).is_ok_and(|s| s.verdict == v)
        })
        .count();
    same as f64 / reps.coefs.len() as f64
}
