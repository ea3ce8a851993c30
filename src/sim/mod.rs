//! The hybrid simulator: continuous dynamics between events (decision
//! ticks, phase boundaries, attacks, blame, agreement timers, samples),
//! solved in closed form under a controller (the actors are decoupled between
//! decisions), exactly where continuous dynamics are linear and positive, and
//! with Dopri5 otherwise.
//!
//! # Example
//!
//! ```
//! use escalation::prelude::*;
//! use escalation::model::Dynamics;
//!
//! // k l = 0.8 > a b = 0.2: Richardson's unstable case.
//! let d = Dynamics::richardson(0.5, 0.4, 0.8, 1.0, 0.2, 0.1).unwrap();
//! let mut model = Model::from_dynamics(d, 100.0);
//! model.initial[0] = 1.0;
//! let run = simulate(&model, &SimOptions::default()).unwrap();
//! assert_eq!(run.outcome, Outcome::Exploded);
//! assert!(run.explosion_time.unwrap() < 100.0);
//! ```

mod alone;
mod decisions;
mod engine;
mod events;
mod exact;
mod flow;
mod mechanisms;
mod processes;
mod streams;
mod trajectory;

pub use events::{Event, EventKind, Outcome};
pub use streams::{Mechanism, Rng, Streams, stream};
pub use trajectory::Trajectory;

use crate::error::{Error, Result, num};
use crate::model::Model;

/// Settings of one run. `Default` gives samples every 0.1 day.
#[derive(Debug, Clone, PartialEq)]
pub struct SimOptions {
    /// Seed of the random stream; `None` uses the scenario's `seed`.
    pub seed: Option<u64>,
    /// Sample interval, days: samples at every multiple of `dt` and at the end.
    pub dt: f64,
    /// Keep the samples (turn off for Monte Carlo, where only events and the
    /// outcome matter).
    pub record: bool,
    /// Longest interval between two checks of the rungs, days. Rung changes
    /// (and so breaches and explosions) are located to 1e-9 day inside an
    /// interval by bisection, but a rise and fall within one interval is missed.
    /// Under a controller the actors evolve on their own between events, and
    /// the rungs are checked at events only wherever nothing can be missed:
    /// an actor whose drive is constant moves monotonically; one with
    /// hardliners or a decaying `[peace]` factor is monotone when its
    /// velocity components share a sign (a cooperative system), or else is
    /// bounded over the interval by frozen-drive flows, and needs checks
    /// every `check_step` only when those bounds reach another rung (see
    /// `docs/architecture.md`). With `force_ode` every interval is checked
    /// every `check_step`.
    pub check_step: f64,
    /// Relative tolerance of the ODE solver (nonlinear intervals only).
    pub rtol: f64,
    /// Absolute tolerance of the ODE solver, intensity.
    pub atol: f64,
    /// Step limit of the ODE solver per interval.
    pub max_steps: u32,
    /// Use the ODE solver even where an exact solution exists (for tests).
    pub force_ode: bool,
}

impl Default for SimOptions {
    fn default() -> Self {
        Self {
            seed: None,
            dt: 0.1,
            record: true,
            check_step: 0.05,
            rtol: 1e-10,
            atol: 1e-12,
            max_steps: 100_000,
            force_ode: false,
        }
    }
}

impl SimOptions {
    /// Options for ensembles: no samples, looser ODE tolerances.
    #[must_use]
    pub fn ensemble() -> Self {
        Self {
            record: false,
            rtol: 1e-7,
            atol: 1e-9,
            check_step: 0.1,
            ..Self::default()
        }
    }

    /// Sets the sample interval.
    ///
    /// # Errors
    /// [`Error::Invalid`] unless `dt` is positive and finite.
    pub fn with_dt(mut self, dt: f64) -> Result<Self> {
        if !dt.is_finite() || dt <= 0.0 {
            return Err(Error::invalid(
                "dt",
                format!("must be a positive number of days, got {}", num(dt)),
            ));
        }
        self.dt = dt;
        Ok(self)
    }

    fn check(&self, horizon: f64, actors: usize) -> Result<()> {
        use crate::limits::MAX_RECORDED_VALUES;
        if !self.dt.is_finite() || self.dt <= 0.0 {
            return Err(Error::invalid(
                "dt",
                format!("must be a positive number of days, got {}", num(self.dt)),
            ));
        }
        // Memory grows with samples × actors, not with samples alone.
        let per_sample = actors as f64 + 1.0;
        let samples = (horizon / self.dt).floor() + 2.0;
        if self.record && samples * per_sample > MAX_RECORDED_VALUES {
            let min_dt = horizon * per_sample / (MAX_RECORDED_VALUES - 2.0 * per_sample).max(1.0);
            // Round the suggestion up to two significant digits.
            let mag = 10f64.powf(min_dt.log10().floor() - 1.0);
            let suggest = (min_dt / mag).ceil() * mag;
            return Err(crate::error::Invalid::new(
                "dt",
                format!(
                    "over a {}-day horizon with {actors} actors this records about {} values (samples × (actors + 1)), more than the limit of {}: use a sample interval of at least {} days (--dt), or do not record the samples",
                    num(horizon),
                    num((samples * per_sample).round()),
                    num(MAX_RECORDED_VALUES),
                    num(suggest)
                ),
            )
            .value(num(self.dt))
            .into());
        }
        if !self.check_step.is_finite() || self.check_step <= 0.0 {
            return Err(Error::invalid(
                "check_step",
                "must be a positive number of days",
            ));
        }
        if !(self.rtol > 0.0 && self.atol > 0.0) {
            return Err(Error::invalid("rtol", "ODE tolerances must be positive"));
        }
        Ok(())
    }
}

/// Simulates one run of `model`: run 0 of its seed (or `opts.seed`).
///
/// # Errors
/// [`Error::Invalid`] for an invalid model ([`Model::check`]) or bad
/// options; [`Error::Numerical`] when the ODE solver fails (step limit,
/// stiffness). An explosion is not an error: it ends the run with
/// [`Outcome::Exploded`] and its time.
///
/// # Example
///
/// Richardson's dyad (restraints `a = 0.5`, `b = 0.4`, reactions `k = 0.3`,
/// `l = 0.6`, grievances 0.02 and 0.01) is stable at gain 1 (`ab = 0.20 >
/// kl = 0.18`) and settles at its equilibrium `(0.55, 0.85)`; at gain 1.2,
/// past `γ* = √(ab/kl) ≈ 1.054`, the same loop explodes:
///
/// ```
/// use escalation::prelude::*;
///
/// let d = Dynamics::richardson(0.5, 0.4, 0.3, 0.6, 0.02, 0.01)?;
/// let model = Model::from_dynamics(d, 400.0);
/// let run = simulate(&model, &SimOptions::default())?;
/// assert_eq!(run.outcome, Outcome::None);
/// assert_eq!(run.end_time, 400.0);
/// let x = run.final_state();
/// assert!((x[0] - 0.55).abs() < 1e-2 && (x[1] - 0.85).abs() < 1e-2);
/// // Samples every `dt` = 0.1 day, and the event log of rung changes.
/// assert_eq!(run.t.len(), run.series("X").unwrap().len());
/// assert!(run.events.iter().all(|e| e.t <= 400.0));
///
/// let mut hot = model.clone();
/// hot.dynamics.gain = 1.2;
/// let run = simulate(&hot, &SimOptions::default())?;
/// assert_eq!(run.outcome, Outcome::Exploded);
/// assert!(run.explosion_time.unwrap() < 400.0);
/// # Ok::<(), escalation::Error>(())
/// ```
pub fn simulate(model: &Model, opts: &SimOptions) -> Result<Trajectory> {
    simulate_run(model, opts, opts.seed.unwrap_or(model.seed), 0)
}

/// Simulates run `run` of an ensemble with seed `seed`: its random draws
/// come from the streams of (seed, run, mechanism) ([`Streams`]), so run
/// `r` of two models that differ in one parameter sees the same draws
/// (common random numbers). `opts.seed` is ignored.
///
/// # Errors
/// As [`simulate`].
///
/// # Example
///
/// Two models that differ in one parameter see the same attacks in run `r`,
/// so their difference is the parameter's, not luck's:
///
/// ```
/// use escalation::prelude::*;
/// use escalation::sim::simulate_run;
///
/// let model = Model::builder()
///     .horizon(30.0)
///     .actor(ActorSpec::new("A", 0.5).grievance(0.1))
///     .actor(ActorSpec::new("B", 0.4).grievance(0.1))
///     .coupling("A", "B", 0.3)
///     .coupling("B", "A", 0.35)
///     .spoilers(SpoilerSpec::new(0.2, 1.0, ["A"], "B").attribution(0.5))
///     .build()?;
/// let opts = SimOptions::default();
/// let run = simulate_run(&model, &opts, 42, 3)?;
/// // The same (seed, run) gives the same run, bit for bit.
/// assert_eq!(run, simulate_run(&model, &opts, 42, 3)?);
/// let attacks = |r: &Trajectory| -> Vec<f64> {
///     r.events.iter().filter(|e| matches!(e.kind, EventKind::Attack { .. })).map(|e| e.t).collect()
/// };
/// // A model with more restraint sees the attacks at the same times.
/// let mut calmer = model.clone();
/// calmer.dynamics.restraint[0] = 0.8;
/// assert_eq!(attacks(&run), attacks(&simulate_run(&calmer, &opts, 42, 3)?));
/// # Ok::<(), escalation::Error>(())
/// ```
pub fn simulate_run(model: &Model, opts: &SimOptions, seed: u64, run: u64) -> Result<Trajectory> {
    model.check()?;
    simulate_checked(model, opts, Streams::new(seed, run))
}

/// [`simulate_run`] for a model already checked (ensembles check once).
pub(crate) fn simulate_checked(
    model: &Model,
    opts: &SimOptions,
    streams: Streams,
) -> Result<Trajectory> {
    opts.check(model.horizon, model.n())?;
    let run = engine::Run::new(model, opts, streams)
        .run()
        .map_err(|e| name_range_cause(model, e))?;
    let finite = |v: &[f64]| v.iter().all(|x| x.is_finite());
    let intensities_ok = run.events.iter().all(|e| match &e.kind {
        EventKind::Explosion { intensity, .. } => intensity.is_finite() && *intensity < f64::MAX,
        _ => true,
    });
    if finite(&run.final_x)
        && finite(&run.cost)
        && run.x.iter().all(|x| finite(x))
        && intensities_ok
        && run.quiet_days.is_finite()
    {
        Ok(run)
    } else {
        Err(crate::error::NumericalError::OutOfRange {
            quantity: "an intensity of the run".into(),
            cause: crate::analysis::range_cause(&model.dynamics, model.dynamics.gain),
        }
        .into())
    }
}

/// A step limit or stiffness in a run whose model has values far from 1
/// (beyond `[1e-50, 1e50]`), and any out-of-range failure, is reported as
/// the model's extreme values being out of range, naming them: the failure
/// is then their consequence.
fn name_range_cause(model: &Model, e: Error) -> Error {
    use crate::error::NumericalError;
    let d = &model.dynamics;
    let extreme = |v: f64| v != 0.0 && !(1e-50..=1e50).contains(&v.abs());
    let any_extreme = d.restraint.iter().any(|&v| extreme(v))
        || d.grievance.iter().any(|&v| extreme(v))
        || d.coupling.iter().any(|&v| extreme(v * d.gain))
        || d.ceiling.iter().flatten().any(|&v| extreme(v))
        || model.initial.iter().any(|&v| extreme(v));
    let rename = |e| rename_range(model, e);
    let unnamed = matches!(&e, Error::Numerical(NumericalError::OutOfRange { cause, .. }) if !cause.contains('`'));
    match e {
        Error::Numerical(NumericalError::StepLimit { .. } | NumericalError::Stiff { .. })
            if any_extreme =>
        {
            rename(e)
        }
        e if unnamed => rename(e),
        e => e,
    }
}

/// The error `e` as an out-of-range error naming the model's extreme values.
fn rename_range(model: &Model, e: Error) -> Error {
    use crate::error::NumericalError;
    let d = &model.dynamics;
    match e {
        Error::Numerical(_) => {
            let what = match &e {
                Error::Numerical(NumericalError::OutOfRange { quantity, .. }) => quantity.clone(),
                Error::Numerical(other) => format!("the run ({other})"),
                _ => unreachable!(),
            };
            NumericalError::OutOfRange {
                quantity: what,
                cause: crate::analysis::range_cause(d, d.gain),
            }
            .into()
        }
        e => e,
    }
}

#[cfg(test)]
mod tests;
