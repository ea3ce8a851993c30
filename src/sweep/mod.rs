//! Parameter sweeps over one or two axes: the linear verdict at every grid
//! point ([`sweep_linear`], [`sweep_summary`]) or a Monte Carlo ensemble per
//! point ([`sweep_ensemble`]) for random quantities such as the collapse
//! probability. Points run in parallel (rayon); cost is linear in points.
//!
//! Point `p` of a two-axis grid is `(i, j)` with `p = i·count₂ + j` (the first
//! axis varies slowest). A shard `k` of `n` takes the points with `p % n == k`,
//! so shards of a job array partition the grid and merge back exactly.

mod axis;
mod gains;
mod linear;
mod params;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

pub use axis::{Axis, MAX_POINTS};
pub use gains::{first_flip, gain_sweep};
pub use linear::{LinearPoint, SweepCounts, sweep_linear, sweep_summary};
pub use params::{
    ActorField, ControllerField, HotlineField, IncidentField, PATHS, Param, PhaseField,
    SpoilerField, path_patterns,
};

use crate::analysis::Loop;
use crate::ensemble::{Cancel, EnsembleOptions, EnsembleSummary, check_cancel, run_ensemble};
use crate::error::{Error, Result};
use crate::model::Model;

/// A grid of one or two axes.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    /// The axes, outermost first.
    pub axes: Vec<Axis>,
}

impl Grid {
    /// A grid over `axes` (one or two, different parameters).
    ///
    /// # Errors
    /// [`Error::Invalid`] for zero or more than two axes, a repeated
    /// parameter, or more than [`MAX_POINTS`] points.
    pub fn new(axes: Vec<Axis>) -> Result<Self> {
        if axes.is_empty() || axes.len() > 2 {
            return Err(Error::invalid(
                "param",
                format!("give one or two parameters, got {}", axes.len()),
            ));
        }
        if axes.len() == 2 && axes[0].param == axes[1].param {
            return Err(Error::invalid(
                "param",
                format!("{} is given twice", axes[0].path),
            ));
        }
        let points: u64 = axes.iter().map(|a| a.count as u64).product();
        if points > MAX_POINTS {
            return Err(Error::invalid(
                "param",
                format!("{points} points is more than the limit of {MAX_POINTS}"),
            ));
        }
        Ok(Self { axes })
    }

    /// Parses `PATH=START:STOP:COUNT` specs against `model`.
    ///
    /// # Errors
    /// As [`Axis::parse`] and [`Grid::new`].
    pub fn parse(specs: &[String], model: &Model) -> Result<Self> {
        Self::new(
            specs
                .iter()
                .map(|s| Axis::parse(s, model))
                .collect::<Result<_>>()?,
        )
    }

    /// Checks every axis against `model` ([`Param::validate`]).
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the parameter the model does not have.
    pub fn check_for(&self, model: &Model) -> Result<()> {
        for a in &self.axes {
            a.param.validate(model)?;
        }
        Ok(())
    }

    /// Number of points.
    #[must_use]
    pub fn len(&self) -> usize {
        self.axes.iter().map(|a| a.count).product()
    }

    /// Always false: a grid has at least one point.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Parameter values at point `p`.
    #[must_use]
    pub fn values(&self, p: usize) -> Vec<f64> {
        match self.axes.as_slice() {
            [a] => vec![a.value(p)],
            [a, b] => vec![a.value(p / b.count), b.value(p % b.count)],
            _ => Vec::new(),
        }
    }

    /// Parameter values at point `p` without allocating (the second is 0
    /// for a one-axis grid).
    #[must_use]
    pub fn value_pair(&self, p: usize) -> [f64; 2] {
        match self.axes.as_slice() {
            [a] => [a.value(p), 0.0],
            [a, b] => [a.value(p / b.count), b.value(p % b.count)],
            _ => [0.0, 0.0],
        }
    }

    /// True when any axis is a random-only parameter (spoilers).
    #[must_use]
    pub fn is_stochastic(&self) -> bool {
        self.axes.iter().any(|a| a.param.is_stochastic())
    }

    /// `model` with the parameters of point `p` applied.
    #[must_use]
    pub fn model_at(&self, model: &Model, p: usize) -> Model {
        let mut m = model.clone();
        for (axis, v) in self.axes.iter().zip(self.values(p)) {
            axis.param.apply(&mut m, v);
        }
        m
    }
}

/// How to run a sweep.
#[derive(Debug, Clone, Default)]
pub struct SweepOptions {
    /// Worker threads (`None`: all cores).
    pub threads: Option<usize>,
    /// Only shard `k` of `n` (0-based).
    pub shard: Option<(u64, u64)>,
    /// Whose verdict a linear sweep reports; `None`: the loop the model's
    /// runs follow ([`Loop::of`]: sampled with a controller).
    pub loop_kind: Option<Loop>,
    /// Stops the sweep when set from another thread (checked before each
    /// point, or chunk of points); it then returns [`Error::Cancelled`].
    pub cancel: Option<Cancel>,
}

impl SweepOptions {
    /// The loop analysed for `model`.
    ///
    /// # Errors
    /// [`Error::Invalid`] (key `loop`) when the sampled loop is asked of a
    /// model without a controller.
    pub fn loop_for(&self, model: &Model) -> Result<Loop> {
        match self.loop_kind {
            None => Ok(Loop::of(model)),
            Some(Loop::Sampled) if model.controller.is_none() => Err(Error::invalid(
                "loop",
                "the sampled loop needs a controller",
            )),
            Some(l) => Ok(l),
        }
    }

    pub(crate) fn points(
        &self,
        total: usize,
    ) -> Result<impl IndexedParallelIterator<Item = usize> + use<>> {
        let (k, n) = self.shard.unwrap_or((0, 1));
        if n == 0 || k >= n {
            return Err(Error::invalid(
                "shard",
                format!("{}/{n}: need 1 ≤ K ≤ N", k + 1),
            ));
        }
        let (k, n) = (k as usize, n as usize);
        let count = if total > k {
            (total - k).div_ceil(n)
        } else {
            0
        };
        Ok((0..count).into_par_iter().map(move |i| k + i * n))
    }

    pub(crate) fn install<T: Send>(&self, work: impl FnOnce() -> T + Send) -> Result<T> {
        match self.threads {
            None => Ok(work()),
            Some(t) => Ok(rayon::ThreadPoolBuilder::new()
                .num_threads(t.max(1))
                .build()
                .map_err(|e| Error::numerical(format!("cannot start {t} threads: {e}")))?
                .install(work)),
        }
    }
}

/// The ensemble at one grid point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnsemblePoint {
    /// Index of the point in the grid.
    pub index: usize,
    /// Parameter values, in axis order.
    pub values: Vec<f64>,
    /// The aggregates of its runs.
    pub summary: EnsembleSummary,
}

/// Runs an ensemble at every grid point (or every point of a shard). Every
/// point uses the same seed, so all points see the same attack draws
/// (common random numbers) and differences between points are due to the
/// parameters, not to luck. `progress` is called with 1 for each finished run.
///
/// # Errors
/// As [`run_ensemble`]; [`Error::Invalid`] for a bad parameter value;
/// [`Error::Cancelled`] when `opts.cancel` or `ensemble.cancel` is set.
///
/// # Example
///
/// The chance a fourteen-day ceasefire fails as spoiler attacks are traced
/// correctly more often (`spoilers.attribution` 0, 0.5, 1): every point
/// sees the same attacks, so only the blame differs.
///
/// ```
/// use escalation::prelude::*;
/// use escalation::sweep::SpoilerField;
///
/// let model = Model::builder()
///     .horizon(30.0)
///     .actor(ActorSpec::new("US", 0.5).grievance(0.2).initial(2.0))
///     .actor(ActorSpec::new("Iran", 0.4).grievance(0.25).initial(2.5))
///     .coupling("US", "Iran", 0.35)
///     .coupling("Iran", "US", 0.6)
///     .controller(ControllerSpec::new(1.0).lag(1).derivative(0.5))
///     .phase(PhaseSpec::new("ceasefire", 0.0, 14.0, 0.3).parties(["US", "Iran"]).breach_rung(3))
///     .spoilers(SpoilerSpec::new(0.15, 1.5, ["US"], "Iran"))
///     .build()?;
/// let axis = Axis::new(&model, Param::Spoilers(SpoilerField::Attribution), 0.0, 1.0, 3)?;
/// let grid = Grid::new(vec![axis])?;
/// let ensemble = EnsembleOptions { runs: 200, ..EnsembleOptions::default() };
/// let points = sweep_ensemble(&model, &grid, &ensemble, &SweepOptions::default(), None)?;
/// assert_eq!(points[2].values, [1.0]);
/// let failed: Vec<f64> = points
///     .iter()
///     .map(|p| p.summary.fraction(Outcome::Collapsed) + p.summary.fraction(Outcome::Exploded))
///     .collect();
/// // Misattributed attacks break it; correctly attributed ones never do.
/// assert!(failed[0] > failed[1] && failed[1] > failed[2]);
/// assert_eq!(failed[2], 0.0);
/// # Ok::<(), escalation::Error>(())
/// ```
pub fn sweep_ensemble(
    model: &Model,
    grid: &Grid,
    ensemble: &EnsembleOptions,
    opts: &SweepOptions,
    progress: Option<&(dyn Fn(u64) + Sync)>,
) -> Result<Vec<EnsemblePoint>> {
    model.check()?;
    grid.check_for(model)?;
    let (k, n) = opts.shard.unwrap_or((0, 1));
    if n == 0 || k >= n {
        return Err(Error::invalid(
            "shard",
            format!("{}/{n}: need 1 ≤ K ≤ N", k + 1),
        ));
    }
    let ens = EnsembleOptions {
        threads: opts.threads,
        shard: None,
        cancel: opts.cancel.clone().or_else(|| ensemble.cancel.clone()),
        ..ensemble.clone()
    };
    (0..grid.len())
        .filter(|p| *p as u64 % n == k)
        .map(|p| {
            check_cancel(ens.cancel.as_ref())?;
            let m = grid.model_at(model, p);
            let summary = run_ensemble(&m, &ens, progress)?;
            Ok(EnsemblePoint {
                index: p,
                values: grid.values(p),
                summary,
            })
        })
        .collect()
}
