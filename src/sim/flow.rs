//! Advancing the continuous state over one interval with constant parameters.
//!
//! Three methods, chosen per interval:
//! - controller without ceilings: each intensity obeys `dx/dt = -a x + b`
//!   with constant `b`, solved in closed form (with the stop at zero);
//! - continuous coupling without ceilings, in a positive system (non-negative
//!   effective coupling and drive): the matrix exponential of the augmented
//!   linear system, exact to rounding;
//! - anything else (ceilings, negative coupling or drive, where the
//!   projection onto `x ≥ 0` makes the flow nonlinear): Dopri5 with sparse
//!   output over the interval, taking only its final point.

use std::collections::HashMap;

use nalgebra::{DMatrix, DVector};
use ode_solvers::dop_shared::{IntegrationError, OutputType};
use ode_solvers::{Dopri5, System};

use crate::error::{Error, Result};

/// Parameters constant over an interval. The state is `s = [x; z]`: `n`
/// intensities followed by one perceived "phantom" intensity per
/// (victim, accused) pair of the spoiler mechanism.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    /// Current restraint `a_i`.
    pub a: DVector<f64>,
    /// Effective coupling `G_ij K_ij` (gains folded in).
    pub w: DMatrix<f64>,
    /// Constant drive per actor: grievance, plus the held controller input.
    pub b: DVector<f64>,
    /// Whether `w` acts continuously (no controller).
    pub coupled: bool,
    /// (victim, accused) of each phantom.
    pub pairs: Vec<(usize, usize)>,
    /// Ceilings.
    pub ceiling: Vec<Option<f64>>,
}

impl Config {
    fn n(&self) -> usize {
        self.a.len()
    }

    fn linear(&self) -> bool {
        self.ceiling.iter().all(Option::is_none)
    }

    /// The linear flow keeps `x ≥ 0` without projection.
    fn positive(&self) -> bool {
        let n = self.n();
        self.b.iter().all(|&v| v >= 0.0)
            && (!self.coupled || (0..n).all(|i| (0..n).all(|j| i == j || self.w[(i, j)] >= 0.0)))
    }

    pub fn rhs(&self, s: &[f64], out: &mut [f64]) {
        let n = self.n();
        for i in 0..n {
            let mut f = -self.a[i] * s[i] + self.b[i];
            if self.coupled {
                for (j, &sj) in s.iter().enumerate().take(n) {
                    f += self.w[(i, j)] * sj;
                }
                for (q, &(v, acc)) in self.pairs.iter().enumerate() {
                    if v == i {
                        f += self.w[(i, acc)] * s[n + q];
                    }
                }
            }
            if let Some(c) = self.ceiling[i] {
                f *= 1.0 - s[i] / c;
            }
            if s[i] <= 0.0 && f < 0.0 {
                f = 0.0;
            }
            out[i] = f;
        }
        for (q, &(_, acc)) in self.pairs.iter().enumerate() {
            out[n + q] = -self.a[acc] * s[n + q];
        }
    }

    /// The augmented matrix `[[M, B, b], [0, -D, 0], [0, 0, 0]]` of the linear system.
    fn augmented(&self) -> DMatrix<f64> {
        let n = self.n();
        let p = self.pairs.len();
        let m = n + p + 1;
        let mut aug = DMatrix::zeros(m, m);
        for i in 0..n {
            if self.coupled {
                for j in 0..n {
                    aug[(i, j)] = self.w[(i, j)];
                }
            }
            aug[(i, i)] -= self.a[i];
            aug[(i, m - 1)] = self.b[i];
        }
        for (q, &(v, acc)) in self.pairs.iter().enumerate() {
            if self.coupled {
                aug[(v, n + q)] = self.w[(v, acc)];
            }
            aug[(n + q, n + q)] = -self.a[acc];
        }
        aug
    }
}

/// Numerical settings of the ODE fallback.
#[derive(Debug, Clone, Copy)]
pub(crate) struct OdeSettings {
    pub rtol: f64,
    pub atol: f64,
    pub max_steps: u32,
    pub force_ode: bool,
}

/// Advances states over intervals, caching propagators while the parameters
/// stay the same.
pub(crate) struct Flow {
    cache: HashMap<u64, DMatrix<f64>>,
    ode: OdeSettings,
    /// ODE steps taken in total, for diagnostics.
    pub ode_steps: u64,
}

struct OdeSystem<'a>(&'a Config);

impl System<f64, DVector<f64>> for OdeSystem<'_> {
    fn system(&self, _t: f64, y: &DVector<f64>, dy: &mut DVector<f64>) {
        self.0.rhs(y.as_slice(), dy.as_mut_slice());
    }
}

impl Flow {
    pub fn new(ode: OdeSettings) -> Self {
        Self {
            cache: HashMap::new(),
            ode,
            ode_steps: 0,
        }
    }

    /// Forget cached propagators (call when the parameters change).
    pub fn invalidate(&mut self) {
        self.cache.clear();
    }

    /// The state `h` days after `s` (which is not modified).
    pub fn advance(&mut self, cfg: &Config, s: &[f64], h: f64) -> Result<Vec<f64>> {
        if h <= 0.0 {
            return Ok(s.to_vec());
        }
        if !self.ode.force_ode && cfg.linear() {
            if !cfg.coupled {
                return Ok(scalar_exact(cfg, s, h));
            }
            if cfg.positive() {
                return Ok(self.exp_exact(cfg, s, h));
            }
        }
        self.dopri(cfg, s, h)
    }

    fn exp_exact(&mut self, cfg: &Config, s: &[f64], h: f64) -> Vec<f64> {
        let m = s.len() + 1;
        if self.cache.len() > 32 {
            self.cache.clear();
        }
        let p = self
            .cache
            .entry(h.to_bits())
            .or_insert_with(|| (cfg.augmented() * h).exp());
        let mut out = vec![0.0; m - 1];
        for (i, o) in out.iter_mut().enumerate() {
            let mut acc = p[(i, m - 1)];
            for (j, &sj) in s.iter().enumerate() {
                acc += p[(i, j)] * sj;
            }
            // Rounding may leave -1e-17 where the exact value is 0.
            *o = if i < cfg.n() { acc.max(0.0) } else { acc };
        }
        out
    }

    fn dopri(&mut self, cfg: &Config, s: &[f64], h: f64) -> Result<Vec<f64>> {
        let y0 = DVector::from_column_slice(s);
        let mut solver = Dopri5::from_param(
            OdeSystem(cfg),
            0.0,
            h,
            0.0,
            y0,
            self.ode.rtol,
            self.ode.atol,
            0.9,
            0.04,
            0.2,
            10.0,
            h,
            0.0,
            self.ode.max_steps,
            1000,
            OutputType::Sparse,
        );
        match solver.integrate() {
            Ok(stats) => {
                self.ode_steps += stats.accepted_steps as u64;
                let y = solver
                    .y_out()
                    .last()
                    .cloned()
                    .unwrap_or_else(|| DVector::from_column_slice(s));
                let mut out: Vec<f64> = y.iter().copied().collect();
                for v in out.iter_mut().take(cfg.n()) {
                    if *v < 0.0 {
                        *v = 0.0;
                    }
                }
                Ok(out)
            }
            Err(IntegrationError::MaxNumStepReached { x, n_step }) => {
                Err(Error::Numerical(format!(
                    "the ODE solver reached its step limit ({n_step} steps) {x} days into an interval of {h} days; the scenario may be too stiff for the nonlinear solver"
                )))
            }
            Err(IntegrationError::StiffnessDetected { x }) => Err(Error::Numerical(format!(
                "the scenario is stiff (detected {x} days into an interval): Dopri5 cannot solve it efficiently; remove ceilings or negative couplings so the exact linear solver applies, or lower the restraint"
            ))),
            Err(IntegrationError::StepSizeUnderflow { x }) => {
                // The state blew up inside the interval: report what we have
                // as a non-finite state so the caller records an explosion.
                let _ = x;
                Ok(vec![f64::INFINITY; s.len()])
            }
        }
    }
}

/// `dx/dt = -a x + b` per actor (no coupling, no ceiling), with the stop at zero.
fn scalar_exact(cfg: &Config, s: &[f64], h: f64) -> Vec<f64> {
    let n = cfg.n();
    let mut out = s.to_vec();
    for i in 0..n {
        let (a, b, x0) = (cfg.a[i], cfg.b[i], s[i]);
        let xs = b / a;
        let e = (-a * h).exp();
        let mut x = xs + (x0 - xs) * e;
        if b < 0.0 {
            // Reaches zero at t0 = ln(1 + a x0 / (-b)) / a, then stays there.
            let t0 = (a * x0 / (-b)).ln_1p() / a;
            if h >= t0 {
                x = 0.0;
            }
        }
        out[i] = x.max(0.0);
    }
    for (q, &(_, acc)) in cfg.pairs.iter().enumerate() {
        out[n + q] = s[n + q] * (-cfg.a[acc] * h).exp();
    }
    out
}
