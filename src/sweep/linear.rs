//! Linear analysis at every grid point.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::{ActorField, Grid, Param, SweepOptions};
use std::borrow::Cow;

use crate::analysis::{Loop, Verdict, abscissa_and_scale_2, sampled_stability, stability};
use crate::ensemble::check_cancel;
use crate::error::{Error, NumericalError, Result};
use crate::model::{Model, PhaseStage};

/// The linear verdict at one grid point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinearPoint {
    /// Index of the point in the grid.
    pub index: usize,
    /// Parameter values, in axis order.
    pub values: Vec<f64>,
    /// Spectral abscissa of the continuous loop, 1/day.
    pub spectral_abscissa: f64,
    /// Stable, marginal or explosive: of the sampled loop when the scenario
    /// has a controller, of the continuous loop otherwise.
    pub verdict: Verdict,
    /// Spectral radius of the sampled loop (with a controller only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spectral_radius: Option<f64>,
}

/// Verdict counts of a sweep (`--summary`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SweepCounts {
    /// Points evaluated.
    pub points: u64,
    /// Stable points.
    pub stable: u64,
    /// Marginal points.
    pub marginal: u64,
    /// Explosive points.
    pub explosive: u64,
}

impl SweepCounts {
    fn count(mut self, v: Verdict) -> Self {
        self.points += 1;
        match v {
            Verdict::Stable => self.stable += 1,
            Verdict::Marginal => self.marginal += 1,
            Verdict::Explosive => self.explosive += 1,
        }
        self
    }

    /// The sum of two counts (e.g. of two shards).
    #[must_use]
    pub fn add(&self, o: &Self) -> Self {
        Self {
            points: self.points + o.points,
            stable: self.stable + o.stable,
            marginal: self.marginal + o.marginal,
            explosive: self.explosive + o.explosive,
        }
    }
}

/// Per-thread scratch: a copy of the model the grid values are written into.
struct Evaluator<'a> {
    grid: &'a Grid,
    model: Model,
    /// The phase whose loop a swept phase parameter shapes, and the stage.
    phase: Option<(usize, PhaseStage)>,
    /// Which loop's verdict is reported.
    loop_kind: Loop,
    /// Two actors, continuous loop: `[a, b, k, l, γ]` and, per axis, the
    /// slot it writes (`None`: no effect on stability, e.g. a grievance).
    fast: Option<([f64; 5], [Option<usize>; 2])>,
}

impl<'a> Evaluator<'a> {
    fn new(grid: &'a Grid, base: &'a Model, loop_kind: Loop) -> Self {
        let phase = grid.axes.iter().find_map(|a| match a.param {
            Param::Phase(k, f) => f.stage().map(|s| (k, s)),
            _ => None,
        });
        let d = &base.dynamics;
        let no_control = base.proxies.iter().all(|p| p.control == 0.0);
        let mut fast = None;
        if d.n() == 2 && loop_kind == Loop::Continuous && phase.is_none() && no_control {
            let mut slots = [None; 2];
            let mut ok = true;
            for (s, axis) in slots.iter_mut().zip(&grid.axes) {
                *s = match axis.param {
                    Param::Actor(i, ActorField::Restraint) => Some(i),
                    Param::Coupling(0, 1) => Some(2),
                    Param::Coupling(1, 0) => Some(3),
                    Param::Gain => Some(4),
                    Param::Actor(_, ActorField::Grievance) => None,
                    _ => {
                        ok = false;
                        None
                    }
                };
            }
            if ok {
                let base5 = [
                    d.restraint[0],
                    d.restraint[1],
                    d.coupling[(0, 1)],
                    d.coupling[(1, 0)],
                    d.gain,
                ];
                fast = Some((base5, slots));
            }
        }
        Self {
            grid,
            model: base.clone(),
            phase,
            loop_kind,
            fast,
        }
    }

    /// The verdict of a two-actor continuous loop without touching the model:
    /// the same arithmetic as [`stability`], so the same bits.
    #[inline]
    fn eval_fast(&self, p: usize, base: [f64; 5], slots: [Option<usize>; 2]) -> (f64, Verdict) {
        fast_verdict(self.grid.value_pair(p), base, slots)
    }

    /// Verdicts of points `p0, p0 + step, …` (`count` of them) on the fast
    /// path, walking the grid row by row instead of dividing per point.
    fn count_fast(
        &self,
        p0: usize,
        step: usize,
        count: usize,
        base: [f64; 5],
        slots: [Option<usize>; 2],
    ) -> Result<SweepCounts> {
        let mut acc = SweepCounts::default();
        match self.grid.axes.as_slice() {
            [a, b] => {
                let (mut row, mut col) = (p0 / b.count, p0 % b.count);
                let mut x = a.value(row);
                for _ in 0..count {
                    let (alpha, v) = fast_verdict([x, b.value(col)], base, slots);
                    if !alpha.is_finite() {
                        return Err(out_of_range(self.grid, &[x, b.value(col)]));
                    }
                    acc = acc.count(v);
                    col += step;
                    if col >= b.count {
                        row += col / b.count;
                        col %= b.count;
                        x = a.value(row);
                    }
                }
            }
            _ => {
                for i in 0..count {
                    let p = p0 + i * step;
                    let (alpha, v) = self.eval_fast(p, base, slots);
                    if !alpha.is_finite() {
                        return Err(out_of_range(self.grid, &self.grid.values(p)));
                    }
                    acc = acc.count(v);
                }
            }
        }
        Ok(acc)
    }
}

/// The error for a grid point whose spectral abscissa (or spectral
/// radius) is beyond the range of `f64`: names the axes' values there.
fn out_of_range(grid: &super::Grid, values: &[f64]) -> Error {
    let at: Vec<String> = grid
        .axes
        .iter()
        .zip(values)
        .map(|(a, v)| format!("`{}` = {}", a.path, crate::error::num(*v)))
        .collect();
    NumericalError::OutOfRange {
        quantity: "the spectral abscissa".into(),
        cause: format!(
            "at the grid point {}: a restraint or gain × coupling too large or too small",
            at.join(", ")
        ),
    }
    .into()
}

/// The verdict of a two-actor continuous loop from `[a, b, k, l, γ]` with the
/// grid values written into their slots: the same arithmetic as
/// [`stability`], so the same bits.
#[inline]
fn fast_verdict(values: [f64; 2], base: [f64; 5], slots: [Option<usize>; 2]) -> (f64, Verdict) {
    let mut v = base;
    for (slot, x) in slots.iter().zip(values) {
        if let Some(s) = slot {
            v[*s] = x;
        }
    }
    let [a, b, k, l, gain] = v;
    let (alpha, scale) = abscissa_and_scale_2(a, b, k, l, gain);
    (alpha, Verdict::from_abscissa(alpha, scale))
}

impl Evaluator<'_> {
    fn eval(&mut self, p: usize) -> Result<(f64, Verdict, Option<f64>)> {
        if let Some((base, slots)) = self.fast {
            let (alpha, verdict) = self.eval_fast(p, base, slots);
            if !alpha.is_finite() {
                return Err(out_of_range(self.grid, &self.grid.values(p)));
            }
            return Ok((alpha, verdict, None));
        }
        let values = self.grid.value_pair(p);
        for (axis, &v) in self.grid.axes.iter().zip(&values) {
            axis.param.apply(&mut self.model, v);
        }
        // A swept phase parameter is analysed as the loop of that phase at
        // the stage it shapes (during, verified or after), at unit gain.
        let (dynamics, gain) = match self.phase {
            Some((k, stage)) => (Cow::Owned(self.model.phase_loop(k, stage)?), 1.0),
            None => {
                let d = self.model.steady_dynamics()?;
                let g = d.gain;
                (d, g)
            }
        };
        let (alpha, verdict) = stability(&dynamics, gain)?;
        match (self.loop_kind, &self.model.controller) {
            (Loop::Sampled, Some(c)) => {
                let (rho, v) = sampled_stability(&dynamics, c, gain)?;
                if !rho.is_finite() {
                    return Err(out_of_range(self.grid, &self.grid.values(p)));
                }
                Ok((alpha, v, Some(rho)))
            }
            (Loop::Sampled, None) => Err(Error::invalid(
                "loop",
                "the sampled loop needs a controller",
            )),
            (Loop::Continuous, _) => Ok((alpha, verdict, None)),
        }
    }
}

/// The linear verdict at every grid point (or every point of a shard), in
/// grid order. `progress` is told of each finished point (called with 1).
///
/// # Errors
/// The first point's analysis error; [`Error::Cancelled`] when
/// `opts.cancel` is set before the last point.
///
/// # Example
///
/// Richardson's dyad over the plane of the two reactions `k × l`: the loop
/// is stable where `kl < ab = 0.2`.
///
/// ```
/// use escalation::prelude::*;
///
/// let model = Model::from_dynamics(Dynamics::richardson(0.5, 0.4, 0.3, 0.6, 0.0, 0.0)?, 30.0);
/// let grid = Grid::new(vec![
///     Axis::new(&model, Param::Coupling(0, 1), 0.0, 1.0, 11)?,
///     Axis::new(&model, Param::Coupling(1, 0), 0.0, 1.0, 11)?,
/// ])?;
/// let points = sweep_linear(&model, &grid, &SweepOptions::default(), None)?;
/// assert_eq!(points.len(), 121);
/// for p in &points {
///     let (k, l) = (p.values[0], p.values[1]);
///     if k * l < 0.19 {
///         assert_eq!(p.verdict, Verdict::Stable);
///     } else if k * l > 0.21 {
///         assert_eq!(p.verdict, Verdict::Explosive);
///     }
/// }
/// // The same grid by the command line's syntax.
/// let parsed = Grid::parse(&["coupling.X.Y=0:1:11".into(), "coupling.Y.X=0:1:11".into()], &model)?;
/// assert_eq!(parsed, grid);
/// # Ok::<(), escalation::Error>(())
/// ```
pub fn sweep_linear(
    model: &Model,
    grid: &Grid,
    opts: &SweepOptions,
    progress: Option<&(dyn Fn(u64) + Sync)>,
) -> Result<Vec<LinearPoint>> {
    model.check()?;
    check(grid, model)?;
    let loop_kind = opts.loop_for(model)?;
    let points = opts.points(grid.len())?;
    opts.install(|| {
        points
            .map_init(
                || Evaluator::new(grid, model, loop_kind),
                |ev, p| {
                    check_cancel(opts.cancel.as_ref())?;
                    let (spectral_abscissa, verdict, spectral_radius) = ev.eval(p)?;
                    let values = grid.values(p);
                    if let Some(f) = progress {
                        f(1);
                    }
                    Ok(LinearPoint {
                        index: p,
                        values,
                        spectral_abscissa,
                        verdict,
                        spectral_radius,
                    })
                },
            )
            .collect::<Result<Vec<_>>>()
    })?
}

/// Points per unit of parallel work in [`sweep_summary`]: large enough that
/// scheduling and progress reporting cost nothing per point.
const CHUNK: usize = 4096;

/// Verdict counts over the grid (or a shard), without storing the points:
/// memory does not grow with the grid. `progress` is told how many points
/// finished, once per chunk of points.
///
/// # Errors
/// The first point's analysis error; [`Error::Cancelled`] when
/// `opts.cancel` is set before the last chunk.
///
/// # Example
///
/// ```
/// use escalation::prelude::*;
/// use escalation::sweep::sweep_summary;
///
/// // Richardson's dyad, γ* = √(0.20/0.18) ≈ 1.054: of the gains 0, 0.01, …, 2,
/// // the 106 up to 1.05 are stable, the 95 from 1.06 explosive.
/// let model = Model::from_dynamics(Dynamics::richardson(0.5, 0.4, 0.3, 0.6, 0.0, 0.0)?, 30.0);
/// let grid = Grid::new(vec![Axis::new(&model, Param::Gain, 0.0, 2.0, 201)?])?;
/// let counts = sweep_summary(&model, &grid, &SweepOptions::default(), None)?;
/// assert_eq!((counts.points, counts.stable, counts.explosive), (201, 106, 95));
/// # Ok::<(), escalation::Error>(())
/// ```
pub fn sweep_summary(
    model: &Model,
    grid: &Grid,
    opts: &SweepOptions,
    progress: Option<&(dyn Fn(u64) + Sync)>,
) -> Result<SweepCounts> {
    model.check()?;
    check(grid, model)?;
    let loop_kind = opts.loop_for(model)?;
    let (k, n) = opts.shard.unwrap_or((0, 1));
    if n == 0 || k >= n {
        return Err(Error::invalid(
            "shard",
            format!("{}/{n}: need 1 ≤ K ≤ N", k + 1),
        ));
    }
    let (k, n) = (k as usize, n as usize);
    let total = grid.len();
    let count = if total > k {
        (total - k).div_ceil(n)
    } else {
        0
    };
    let chunks = count.div_ceil(CHUNK);
    opts.install(|| {
        (0..chunks)
            .into_par_iter()
            .map_init(
                || Evaluator::new(grid, model, loop_kind),
                |ev, c| {
                    check_cancel(opts.cancel.as_ref())?;
                    let mut acc = SweepCounts::default();
                    let end = ((c + 1) * CHUNK).min(count);
                    if let Some((base, slots)) = ev.fast {
                        acc = ev.count_fast(k + c * CHUNK * n, n, end - c * CHUNK, base, slots)?;
                    } else {
                        for i in c * CHUNK..end {
                            acc = acc.count(ev.eval(k + i * n)?.1);
                        }
                    }
                    if let Some(f) = progress {
                        f((end - c * CHUNK) as u64);
                    }
                    Ok(acc)
                },
            )
            .try_reduce(SweepCounts::default, |a, b| Ok(a.add(&b)))
    })?
}

fn check(grid: &Grid, model: &Model) -> Result<()> {
    grid.check_for(model)?;
    if grid.is_stochastic() {
        return Err(Error::invalid(
            "param",
            "spoiler parameters do not change the linear analysis: sweep them with runs per point (a Monte Carlo sweep)",
        ));
    }
    Ok(())
}
