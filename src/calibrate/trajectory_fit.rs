//! Trajectory matching: least squares on the path of the continuous linear
//! system `dx/dt = M x + g` (closed form, a matrix exponential), by
//! Levenberg–Marquardt, started from the difference-equation estimate.
//!
//! ## References
//!
//! D. W. Marquardt, "An algorithm for least-squares estimation of nonlinear
//! parameters", *J. SIAM* 11 (1963) 431–441.

use std::path::Path;

use nalgebra::{DMatrix, DVector};

use super::{data_error, stability};
use crate::analysis::Verdict;
use crate::error::{NumericalError, Result};

/// Settings of the Levenberg–Marquardt refinement.
#[derive(Debug, Clone, PartialEq)]
pub struct LmOptions {
    /// Iteration cap.
    pub max_iter: usize,
    /// Stop when an accepted step lowers the SSE by less than this fraction.
    pub tol: f64,
    /// Fit the initial state too (otherwise it is the first observation).
    pub fit_initial: bool,
}

impl Default for LmOptions {
    fn default() -> Self {
        Self {
            max_iter: 500,
            tol: 1e-14,
            fit_initial: true,
        }
    }
}

/// The refined fit: the continuous system whose path is closest to the data.
#[derive(Debug, Clone, PartialEq)]
pub struct TrajectoryFit {
    /// The first observed year (time origin of the path).
    pub start_year: i32,
    /// `M = -A + K`, 1/year.
    pub system: DMatrix<f64>,
    /// `g`, data units per year.
    pub drive: DVector<f64>,
    /// The fitted state in `start_year`, data units.
    pub initial: DVector<f64>,
    /// `-M⁻¹ g`, `None` when `M` is singular.
    pub equilibrium: Option<DVector<f64>>,
    /// Eigenvalues `(re, im)` of `M`, 1/year.
    pub eigenvalues: Vec<(f64, f64)>,
    /// Largest real part of the eigenvalues, 1/year.
    pub spectral_abscissa: f64,
    /// Stability of the fitted system.
    pub verdict: Verdict,
    /// `T × N` path at the observed years.
    pub fitted: DMatrix<f64>,
    /// `T × N` observed minus fitted.
    pub residuals: DMatrix<f64>,
    /// Sum of squared residuals of the difference-equation estimate's path
    /// started from the first observation.
    pub sse_start: f64,
    /// Sum of squared residuals after refinement.
    pub sse: f64,
    /// `1 - SSE / SST` on the levels (`None` when every series is constant).
    pub r2: Option<f64>,
    /// Levenberg–Marquardt iterations taken.
    pub iterations: usize,
    /// False when the iteration cap was reached first.
    pub converged: bool,
}

impl TrajectoryFit {
    /// The fitted path at `year` (any real number), data units.
    #[must_use]
    pub fn state_at(&self, year: f64) -> DVector<f64> {
        linear_path(
            &self.system,
            &self.drive,
            &self.initial,
            year - f64::from(self.start_year),
        )
    }

    /// Fraction by which refinement lowered the SSE: `1 - sse/sse_start`
    /// (0 when the start was already exact).
    #[must_use]
    pub fn improvement(&self) -> f64 {
        if self.sse_start > 0.0 {
            1.0 - self.sse / self.sse_start
        } else {
            0.0
        }
    }
}

/// `x(t)` of `dx/dt = M x + g` from `x(0) = initial`, in closed form:
/// the top of `exp(t [[M, g], [0, 0]]) [x0; 1]`.
///
/// # Example
///
/// ```
/// use escalation::calibrate::linear_path;
/// use nalgebra::{dmatrix, dvector};
/// // dx/dt = -x + 2: x(t) = 2 + (x0 - 2) e^{-t}
/// let x = linear_path(&dmatrix![-1.0], &dvector![2.0], &dvector![0.0], 1.0);
/// assert!((x[0] - 2.0 * (1.0 - (-1.0f64).exp())).abs() < 1e-12);
/// ```
#[must_use]
pub fn linear_path(
    system: &DMatrix<f64>,
    drive: &DVector<f64>,
    initial: &DVector<f64>,
    t: f64,
) -> DVector<f64> {
    let n = system.nrows();
    let step = augmented(system, drive) * t;
    let z = step.exp() * initial.clone().insert_row(n, 1.0);
    z.rows(0, n).into_owned()
}

fn augmented(system: &DMatrix<f64>, drive: &DVector<f64>) -> DMatrix<f64> {
    let n = system.nrows();
    let mut aug = DMatrix::zeros(n + 1, n + 1);
    aug.view_mut((0, 0), (n, n)).copy_from(system);
    aug.view_mut((0, n), (n, 1)).copy_from(drive);
    aug
}

/// The least-squares problem in scaled units (levels divided by `scale`).
struct Problem<'a> {
    obs: &'a DMatrix<f64>,
    scale: f64,
    n: usize,
    fit_initial: bool,
}

impl Problem<'_> {
    fn unpack(&self, theta: &DVector<f64>) -> (DMatrix<f64>, DVector<f64>, DVector<f64>) {
        let n = self.n;
        let m = DMatrix::from_row_slice(n, n, &theta.as_slice()[..n * n]);
        let g = theta.rows(n * n, n).into_owned();
        let x0 = if self.fit_initial {
            theta.rows(n * n + n, n).into_owned()
        } else {
            self.obs.row(0).transpose() / self.scale
        };
        (m, g, x0)
    }

    fn pack(&self, m: &DMatrix<f64>, g: &DVector<f64>, x0: &DVector<f64>) -> DVector<f64> {
        let mut v: Vec<f64> = m.transpose().iter().copied().collect();
        v.extend(g.iter().map(|x| x / self.scale));
        if self.fit_initial {
            v.extend(x0.iter().map(|x| x / self.scale));
        }
        DVector::from_vec(v)
    }

    /// Path at the observed years, scaled units (`T × N`).
    fn path(&self, theta: &DVector<f64>) -> DMatrix<f64> {
        let (m, g, x0) = self.unpack(theta);
        let step = crate::analysis::expm(&augmented(&m, &g));
        let t = self.obs.nrows();
        let mut out = DMatrix::zeros(t, self.n);
        let mut z = x0.insert_row(self.n, 1.0);
        for k in 0..t {
            out.row_mut(k).copy_from(&z.rows(0, self.n).transpose());
            z = &step * z;
        }
        out
    }

    fn residuals(&self, theta: &DVector<f64>) -> DVector<f64> {
        let r = self.path(theta) - self.obs / self.scale;
        DVector::from_iterator(r.len(), r.iter().copied())
    }
}

fn sse(r: &DVector<f64>) -> f64 {
    let s = r.norm_squared();
    if s.is_finite() { s } else { f64::INFINITY }
}

/// Central-difference Jacobian of the residuals.
fn jacobian(p: &Problem<'_>, theta: &DVector<f64>, m: usize) -> DMatrix<f64> {
    let mut j = DMatrix::zeros(m, theta.len());
    for c in 0..theta.len() {
        let h = 1e-6 * (1.0 + theta[c].abs());
        let (mut up, mut down) = (theta.clone(), theta.clone());
        up[c] += h;
        down[c] -= h;
        let d = (p.residuals(&up) - p.residuals(&down)) / (2.0 * h);
        j.set_column(c, &d);
    }
    j
}

/// Refines `(system, drive)` on the observed `levels` (`T × N`, consecutive years).
pub(crate) fn refine(
    levels: &DMatrix<f64>,
    start_year: i32,
    system: &DMatrix<f64>,
    drive: &DVector<f64>,
    opts: &LmOptions,
    file: Option<&Path>,
) -> Result<TrajectoryFit> {
    let (t, n) = levels.shape();
    let unknowns = n * n + n + if opts.fit_initial { n } else { 0 };
    if unknowns > t * n {
        return Err(data_error(
            file,
            format!(
                "too few points for trajectory matching: {unknowns} unknowns and {} observations",
                t * n
            ),
        ));
    }
    let mean_abs = levels.iter().map(|v| v.abs()).sum::<f64>() / levels.len() as f64;
    let scale = if mean_abs > 0.0 { mean_abs } else { 1.0 };
    let prob = Problem {
        obs: levels,
        scale,
        n,
        fit_initial: opts.fit_initial,
    };
    let x0: DVector<f64> = levels.row(0).transpose();
    let mut theta = prob.pack(system, drive, &x0);
    let mut r = prob.residuals(&theta);
    let mut cost = sse(&r);
    let sse_start = cost * scale * scale;
    let mut lambda = 1e-3;
    let mut iterations = 0;
    let mut converged = false;
    while iterations < opts.max_iter && cost.is_finite() {
        iterations += 1;
        if cost < 1e-30 {
            converged = true;
            break;
        }
        let jac = jacobian(&prob, &theta, r.len());
        if jac.iter().any(|v| !v.is_finite()) {
            break;
        }
        let a = jac.transpose() * &jac;
        let grad = jac.transpose() * &r;
        let dmax = a.diagonal().max();
        let mut accepted = false;
        while lambda < 1e16 {
            let mut lhs = a.clone();
            for k in 0..lhs.nrows() {
                lhs[(k, k)] += lambda * a[(k, k)].max(1e-12 * dmax).max(f64::MIN_POSITIVE);
            }
            let Some(step) = lhs.cholesky().map(|c| c.solve(&(-&grad))) else {
                lambda *= 10.0;
                continue;
            };
            let trial = &theta + &step;
            let rt = prob.residuals(&trial);
            let ct = sse(&rt);
            if ct < cost {
                let gain = (cost - ct) / cost;
                theta = trial;
                r = rt;
                cost = ct;
                lambda = (lambda / 3.0).max(1e-15);
                accepted = true;
                if gain < opts.tol || step.norm() <= 1e-14 * (1.0 + theta.norm()) {
                    converged = true;
                }
                break;
            }
            lambda *= 4.0;
        }
        if !accepted {
            // No step lowers the SSE any more: a minimum, to rounding.
            converged = true;
        }
        if converged {
            break;
        }
    }
    if !cost.is_finite() {
        return Err(NumericalError::OutOfRange {
            quantity: "the path of the difference-equation estimate (trajectory matching)".into(),
            cause: "the fitted system explodes over the data's years".into(),
        }
        .into());
    }
    let (m, g_s, x0_s) = prob.unpack(&theta);
    let drive = g_s * scale;
    let initial = x0_s * scale;
    let fitted = prob.path(&theta) * scale;
    let residuals = levels - &fitted;
    let sst: f64 = levels
        .column_iter()
        .map(|c| {
            let mean = c.mean();
            c.iter().map(|v| (v - mean).powi(2)).sum::<f64>()
        })
        .sum();
    let sse_final = residuals.norm_squared();
    let stab = stability(&m, &drive)?;
    Ok(TrajectoryFit {
        start_year,
        system: m,
        drive,
        initial,
        equilibrium: stab.equilibrium,
        eigenvalues: stab.eigenvalues,
        spectral_abscissa: stab.abscissa,
        verdict: stab.verdict,
        fitted,
        residuals,
        sse_start,
        sse: sse_final,
        r2: (sst > 0.0).then(|| 1.0 - sse_final / sst),
        iterations,
        converged,
    })
}
