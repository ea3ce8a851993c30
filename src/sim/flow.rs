//! Advancing the continuous state over one interval with constant parameters.
//!
//! Three methods, chosen per interval:
//! - controller (actors decoupled between decisions): each actor is advanced
//!   on its own, see [`super::alone`]: in closed form when its drive is
//!   constant (`dx/dt = -a x + b`, or `(1 - x/C)(b - a x)` with a ceiling,
//!   with the stop at zero, see [`super::exact`]), by the matrix exponential
//!   of its own `[x, c, h, π]` when that is linear, by Dopri5 on those four
//!   components otherwise (hardliners or a decaying `π` with a ceiling);
//! - continuous coupling without ceilings, in a positive system (non-negative
//!   effective coupling and drive): the matrix exponential of the augmented
//!   linear system, exact to rounding, cached per step length;
//! - anything else (continuous coupling with ceilings, negative coupling or
//!   drive, where the projection onto `x ≥ 0` makes the flow nonlinear):
//!   `ode_solvers`' Dopri5 with sparse output over the interval, taking only
//!   its final point; the state is a fixed-size `SVector` for up to 16
//!   components (no heap allocation per stage), a `DVector` beyond.

use std::collections::HashMap;

use nalgebra::allocator::Allocator;
use nalgebra::{DMatrix, DVector, DefaultAllocator, Dim, OVector, SVector};
use ode_solvers::dop_shared::{IntegrationError, OutputType};
use ode_solvers::{Dopri5, System};

use nalgebra::SMatrix;

use super::alone::{self, Alone};
use crate::error::{Error, NumericalError, Result};
use crate::model::field;

/// A hidden stock (the tactical reset) over an interval:
/// `ds/dt = growth − decay·s`, perceived by every other actor `j` as
/// `weight · s` of its owner's intensity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Stock {
    pub actor: usize,
    pub growth: f64,
    pub decay: f64,
    pub weight: f64,
}

/// Hardliners of one actor: `dh/dt = feed·x − decay·h`, drive `+ weight·h`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Heat {
    pub actor: usize,
    pub feed: f64,
    pub decay: f64,
    pub weight: f64,
}

/// Parameters constant over an interval. The state is
/// `s = [x; z; c; s; h; π]`: `n` intensities, one perceived "phantom"
/// intensity per (victim, perceived) pair, the `n` costs `c_i = ∫ x_i dt`
/// (intensity·days), one hidden stock per [`Stock`], one heat per [`Heat`],
/// and, with `[peace]`, the factor `π` by which positive grievances have
/// decayed. Every part is integrated by the same method as the intensities.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    /// Current restraint `a_i`.
    pub a: Vec<f64>,
    /// Effective coupling `G_ij K_ij` (gains folded in), row-major `n × n`.
    pub w: Vec<f64>,
    /// Constant drive per actor: grievance, plus the held controller input.
    pub b: Vec<f64>,
    /// Whether `w` acts continuously (no controller).
    pub coupled: bool,
    /// (victim, accused) of each phantom.
    pub pairs: Vec<(usize, usize)>,
    /// Ceilings.
    pub ceiling: Vec<Option<f64>>,
    /// Hidden stocks.
    pub stocks: Vec<Stock>,
    /// Hardliners.
    pub heat: Vec<Heat>,
    /// With `[peace]`: the positive grievance of each actor, scaled by the
    /// state `π`, and `π`'s decay rate now (0 until the quiet has lasted).
    pub peace: Option<(Vec<f64>, f64)>,
}

impl Config {
    fn n(&self) -> usize {
        self.a.len()
    }

    /// Index of the first cost in the state.
    pub fn cost_at(&self) -> usize {
        self.n() + self.pairs.len()
    }

    /// Index of the first hidden stock in the state.
    pub fn stock_at(&self) -> usize {
        self.cost_at() + self.n()
    }

    /// Index of the first heat in the state.
    pub fn heat_at(&self) -> usize {
        self.stock_at() + self.stocks.len()
    }

    /// Index of `π` in the state (with `[peace]`).
    pub fn peace_at(&self) -> usize {
        self.heat_at() + self.heat.len()
    }

    /// Length of the state.
    pub fn len(&self) -> usize {
        self.peace_at() + usize::from(self.peace.is_some())
    }

    fn linear(&self) -> bool {
        self.ceiling.iter().all(Option::is_none)
    }

    /// The linear flow keeps `x ≥ 0` without projection.
    fn positive(&self) -> bool {
        let n = self.n();
        self.b.iter().all(|&v| v >= 0.0)
            && (!self.coupled
                || ((0..n).all(|i| (0..n).all(|j| i == j || self.w[i * n + j] >= 0.0))
                    && self.stocks.iter().all(|st| {
                        (0..n).all(|j| j == st.actor || self.w[j * n + st.actor] >= 0.0)
                    })))
    }

    pub fn rhs(&self, s: &[f64], out: &mut [f64]) {
        let n = self.n();
        let w = self.coupled.then_some(self.w.as_slice());
        field::drive_into(&self.a, w, &self.b, s, out);
        if self.coupled {
            // A phantom raises the victim's perception of the accused.
            for (q, &(v, acc)) in self.pairs.iter().enumerate() {
                out[v] += self.w[v * n + acc] * s[n + q];
            }
            // A stock raises everyone else's perception of its owner.
            let s0 = self.stock_at();
            for (k, st) in self.stocks.iter().enumerate() {
                let seen = st.weight * s[s0 + k];
                for (j, o) in out.iter_mut().enumerate().take(n) {
                    if j != st.actor {
                        *o += self.w[j * n + st.actor] * seen;
                    }
                }
            }
        }
        let h0 = self.heat_at();
        for (k, h) in self.heat.iter().enumerate() {
            out[h.actor] += h.weight * s[h0 + k];
        }
        if let Some((bp, _)) = &self.peace {
            let pi = s[self.peace_at()];
            for (o, &g) in out.iter_mut().zip(bp) {
                *o += g * pi;
            }
        }
        field::project_into(&s[..n], &self.ceiling, out);
        let c0 = self.cost_at();
        out[c0..c0 + n].copy_from_slice(&s[..n]);
        for (q, &(_, acc)) in self.pairs.iter().enumerate() {
            out[n + q] = -self.a[acc] * s[n + q];
        }
        let s0 = self.stock_at();
        for (k, st) in self.stocks.iter().enumerate() {
            out[s0 + k] = st.growth - st.decay * s[s0 + k];
        }
        for (k, h) in self.heat.iter().enumerate() {
            out[h0 + k] = h.feed * s[h.actor] - h.decay * s[h0 + k];
        }
        if let Some((_, rate)) = &self.peace {
            let at = self.peace_at();
            out[at] = -rate * s[at];
        }
    }

    /// The augmented matrix of the linear system `d/dt [s; 1] = A [s; 1]`.
    fn augmented(&self) -> DMatrix<f64> {
        let n = self.n();
        let p = self.pairs.len();
        let m = self.len() + 1;
        let one = m - 1;
        let mut aug = DMatrix::zeros(m, m);
        for i in 0..n {
            aug[(n + p + i, i)] = 1.0;
        }
        for i in 0..n {
            if self.coupled {
                for j in 0..n {
                    aug[(i, j)] = self.w[i * n + j];
                }
            }
            aug[(i, i)] -= self.a[i];
            aug[(i, one)] = self.b[i];
        }
        for (q, &(v, acc)) in self.pairs.iter().enumerate() {
            if self.coupled {
                aug[(v, n + q)] = self.w[v * n + acc];
            }
            aug[(n + q, n + q)] = -self.a[acc];
        }
        let s0 = self.stock_at();
        for (k, st) in self.stocks.iter().enumerate() {
            if self.coupled {
                for j in 0..n {
                    if j != st.actor {
                        aug[(j, s0 + k)] += self.w[j * n + st.actor] * st.weight;
                    }
                }
            }
            aug[(s0 + k, s0 + k)] = -st.decay;
            aug[(s0 + k, one)] = st.growth;
        }
        let h0 = self.heat_at();
        for (k, h) in self.heat.iter().enumerate() {
            aug[(h.actor, h0 + k)] += h.weight;
            aug[(h0 + k, h.actor)] = h.feed;
            aug[(h0 + k, h0 + k)] = -h.decay;
        }
        if let Some((bp, rate)) = &self.peace {
            let at = self.peace_at();
            for (i, &g) in bp.iter().enumerate() {
                aug[(i, at)] = g;
            }
            aug[(at, at)] = -rate;
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

/// A right-hand side for the ODE solver whose first components are
/// intensities.
pub(crate) trait Field {
    /// How many leading components are intensities (kept at or above zero).
    fn intensities(&self) -> usize;
    /// `ds/dt` at `s`.
    fn field(&self, s: &[f64], out: &mut [f64]);
}

impl Field for Config {
    fn intensities(&self) -> usize {
        self.n()
    }
    fn field(&self, s: &[f64], out: &mut [f64]) {
        self.rhs(s, out);
    }
}

impl Field for Alone {
    fn intensities(&self) -> usize {
        1
    }
    fn field(&self, s: &[f64], out: &mut [f64]) {
        self.rhs(s, out);
    }
}

/// How one decoupled actor's intensity can move over an interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Shape {
    /// Monotonically: a rung change shows at the end of the interval.
    Monotone,
    /// Not known to be monotone, but it stays within these bounds.
    Within(f64, f64),
    /// Nothing is known (coupled flows, forced ODE, no ceiling).
    Unknown,
}

/// Advances states over intervals, caching propagators while the parameters
/// stay the same.
pub(crate) struct Flow {
    cache: HashMap<u64, DMatrix<f64>>,
    /// Propagators of single actors, by (actor, step length).
    alone: HashMap<(usize, u64), SMatrix<f64, 5, 5>>,
    /// Each actor's parameters under the current `Config` (empty until
    /// asked for after an [`Flow::invalidate`]).
    alones: Vec<Alone>,
    ode: OdeSettings,
    /// ODE steps taken in total, for diagnostics.
    pub ode_steps: u64,
}

impl Flow {
    pub fn new(ode: OdeSettings) -> Self {
        Self {
            cache: HashMap::new(),
            alone: HashMap::new(),
            alones: Vec::new(),
            ode,
            ode_steps: 0,
        }
    }

    /// Forget cached propagators (call when the parameters change).
    pub fn invalidate(&mut self) {
        if !self.cache.is_empty() {
            self.cache.clear();
        }
        if !self.alone.is_empty() {
            self.alone.clear();
        }
        self.alones.clear();
    }

    /// Writes into `out` the state `h` days after `s`.
    pub fn advance(&mut self, cfg: &Config, s: &[f64], h: f64, out: &mut [f64]) -> Result<()> {
        if h <= 0.0 {
            out.copy_from_slice(s);
            return Ok(());
        }
        if !self.ode.force_ode {
            if !cfg.coupled {
                return self.decoupled(cfg, s, h, out);
            }
            if cfg.linear() && cfg.positive() {
                self.exp_exact(cfg, s, h, out);
                return Ok(());
            }
        }
        self.dopri(cfg, s, h, out)
    }

    /// Actor `i`'s parameters, kept until [`Flow::invalidate`].
    fn alone_of(&mut self, cfg: &Config, i: usize) -> Alone {
        if self.alones.len() != cfg.n() {
            self.alones.clear();
            self.alones.extend((0..cfg.n()).map(|j| Alone::of(cfg, j)));
        }
        self.alones[i]
    }

    /// How actor `i` can move over the next `h` days from `s`.
    pub fn shape(&mut self, cfg: &Config, s: &[f64], i: usize, h: f64) -> Shape {
        if cfg.coupled || self.ode.force_ode {
            return Shape::Unknown;
        }
        let al = self.alone_of(cfg, i);
        if al.scalar() {
            return Shape::Monotone;
        }
        let y = al.y(cfg, s, i);
        if al.monotone_at(&y) {
            return Shape::Monotone;
        }
        match al.range(&y, h) {
            Some((lo, hi)) => Shape::Within(lo, hi),
            None => Shape::Unknown,
        }
    }

    /// Intensity of actor `i` after `h` days, for a decoupled `cfg` (the
    /// same value [`Flow::advance`] gives for that actor).
    pub fn advance_one(&mut self, cfg: &Config, s: &[f64], i: usize, h: f64) -> Result<f64> {
        if h <= 0.0 {
            return Ok(s[i]);
        }
        Ok(self.alone_step(cfg, s, i, h)?.0[0])
    }

    /// Decoupled actors (controller between decisions), each on its own;
    /// phantoms decay at the accused's restraint, stocks and `π` in closed
    /// form.
    fn decoupled(&mut self, cfg: &Config, s: &[f64], h: f64, out: &mut [f64]) -> Result<()> {
        let n = cfg.n();
        for (q, &(_, acc)) in cfg.pairs.iter().enumerate() {
            out[n + q] = s[n + q] * (-cfg.a[acc] * h).exp();
        }
        let s0 = cfg.stock_at();
        for (k, st) in cfg.stocks.iter().enumerate() {
            let v = s[s0 + k];
            out[s0 + k] = if st.decay > 0.0 {
                let eq = st.growth / st.decay;
                eq + (v - eq) * (-st.decay * h).exp()
            } else {
                v + st.growth * h
            };
        }
        let c0 = cfg.cost_at();
        for i in 0..n {
            let (y, heat) = self.alone_step(cfg, s, i, h)?;
            out[i] = y[0];
            out[c0 + i] = y[1];
            if let Some(k) = heat {
                out[k] = y[2];
            }
        }
        if let Some((_, rate)) = &cfg.peace {
            let at = cfg.peace_at();
            out[at] = s[at] * (-rate * h).exp();
        }
        Ok(())
    }

    /// `[x, c, h, π]` of actor `i` after `h` days (decoupled `cfg`), and
    /// the index of its heat in the state.
    fn alone_step(
        &mut self,
        cfg: &Config,
        s: &[f64],
        i: usize,
        h: f64,
    ) -> Result<([f64; 4], Option<usize>)> {
        let al = self.alone_of(cfg, i);
        let heat = al.heat.map(|(.., k)| k);
        let y = al.y(cfg, s, i);
        if al.scalar() {
            let (x, c) = al.scalar_step(&y, h);
            return Ok(([x, c, y[2], y[3]], heat));
        }
        if al.linear() {
            if self.alone.len() > 256 {
                self.alone.clear();
            }
            let p = self
                .alone
                .entry((i, h.to_bits()))
                .or_insert_with(|| al.propagator(h));
            return Ok((alone::apply(p, &y), heat));
        }
        let o = self.ode;
        if let Some(out) = al.taylor(&y, h, (o.rtol, o.atol, o.max_steps)) {
            return Ok((out, heat));
        }
        let mut out = [0.0; 4];
        self.dopri_in(&al, nalgebra::SVector::<f64, 4>::from(y), h, &mut out)?;
        Ok((out, heat))
    }

    fn exp_exact(&mut self, cfg: &Config, s: &[f64], h: f64, out: &mut [f64]) {
        let m = s.len() + 1;
        if self.cache.len() > 32 {
            self.cache.clear();
        }
        let p = self
            .cache
            .entry(h.to_bits())
            .or_insert_with(|| crate::analysis::expm(&(cfg.augmented() * h)));
        for (i, o) in out.iter_mut().enumerate() {
            let mut acc = p[(i, m - 1)];
            for (j, &sj) in s.iter().enumerate() {
                acc += p[(i, j)] * sj;
            }
            // Rounding may leave -1e-17 where the exact value is 0.
            *o = if i < cfg.n() { acc.max(0.0) } else { acc };
        }
    }

    fn dopri(&mut self, cfg: &Config, s: &[f64], h: f64, out: &mut [f64]) -> Result<()> {
        // Fixed-size vectors for the common sizes: several times faster per step.
        macro_rules! sized {
            ($($k:literal)*) => {
                match s.len() {
                    $($k => self.dopri_in(cfg, SVector::<f64, $k>::from_column_slice(s), h, out),)*
                    _ => self.dopri_in(cfg, DVector::from_column_slice(s), h, out),
                }
            };
        }
        sized!(1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 18 20 22 24 26 28 30 32)
    }

    pub(crate) fn dopri_in<D: Dim, F: Field>(
        &mut self,
        cfg: &F,
        y0: OVector<f64, D>,
        h: f64,
        out: &mut [f64],
    ) -> Result<()>
    where
        DefaultAllocator: Allocator<D>,
    {
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
                self.ode_steps += u64::from(stats.accepted_steps);
                let Some(y) = solver.y_out().last() else {
                    return Err(Error::numerical("the ODE solver returned no state"));
                };
                out.copy_from_slice(y.as_slice());
                for v in out.iter_mut().take(cfg.intensities()) {
                    if *v < 0.0 {
                        *v = 0.0;
                    }
                }
                Ok(())
            }
            Err(IntegrationError::MaxNumStepReached { x, n_step }) => {
                Err(NumericalError::StepLimit {
                    time: x,
                    interval: h,
                    steps: u64::from(n_step),
                }
                .into())
            }
            Err(IntegrationError::StiffnessDetected { x }) => {
                Err(NumericalError::Stiff { time: x }.into())
            }
            Err(IntegrationError::StepSizeUnderflow { x }) => {
                // Either the state blew up inside the interval (an
                // intensity past 1e100 at the last accepted step: report the
                // actors that did as non-finite, the others as they were,
                // so that the caller records an explosion of the right
                // actor), or the flow is faster than any step (a rate far
                // out of range), which is an error, not an explosion.
                let last = solver.y_out().last().map(|y| y.as_slice().to_vec());
                let n = cfg.intensities();
                match last {
                    Some(y) if y[..n].iter().any(|v| !v.is_finite() || v.abs() > 1e100) => {
                        for (o, v) in out.iter_mut().zip(&y) {
                            *o = if v.is_finite() && v.abs() <= 1e100 {
                                v.max(0.0)
                            } else {
                                f64::INFINITY
                            };
                        }
                        // Costs and phantoms are not intensities.
                        out[n..].copy_from_slice(&y[n..]);
                        Ok(())
                    }
                    _ => Err(NumericalError::OutOfRange {
                        quantity: format!(
                            "the speed of the flow (faster than any step of the ODE solver, {} days into an interval of {} days)",
                            crate::error::num(x),
                            crate::error::num(h)
                        ),
                        cause: "a rate far out of range".into(),
                    }
                    .into()),
                }
            }
        }
    }
}

/// The interval's right-hand side for `ode_solvers`, on any vector storage.
struct OdeSystem<'a, F>(&'a F);

impl<D: Dim, F: Field> System<f64, OVector<f64, D>> for OdeSystem<'_, F>
where
    DefaultAllocator: Allocator<D>,
{
    fn system(&self, _t: f64, y: &OVector<f64, D>, dy: &mut OVector<f64, D>) {
        self.0.field(y.as_slice(), dy.as_mut_slice());
    }
}
