//! Parameter paths (`coupling.US.Iran`, `actor.Iran.restraint`, …) and grid axes.

use std::fmt;

use crate::error::{Error, Invalid, Result};
use crate::model::Model;

/// A sweepable parameter of a compiled model (design §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Param {
    /// `gain`: the baseline loop gain.
    Gain,
    /// `coupling.ROW.COL`: `K[row][col]`, 1/day.
    Coupling(usize, usize),
    /// `actor.NAME.restraint`, 1/day.
    Restraint(usize),
    /// `actor.NAME.grievance`, intensity/day.
    Grievance(usize),
    /// `controller.period`, days.
    Period,
    /// `controller.lag`, whole periods.
    Lag,
    /// `controller.derivative`, days.
    Derivative,
    /// `spoilers.rate`, attacks/day.
    SpoilerRate,
    /// `spoilers.attribution`, probability.
    SpoilerAttribution,
    /// `hotline.attribution`, probability (attribution from the hotline's start).
    HotlineAttribution,
    /// `phase.NAME.gain`.
    PhaseGain(usize),
}

/// The paths `sweep` accepts, for error messages.
pub const PATHS: &str = "gain, coupling.ROW.COL, actor.NAME.restraint, actor.NAME.grievance, controller.period, controller.lag, controller.derivative, spoilers.rate, spoilers.attribution, hotline.attribution, phase.NAME.gain";

impl Param {
    /// Parses `path` against `model` (actor and phase names must exist).
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the path and what is wrong.
    pub fn parse(path: &str, model: &Model) -> Result<Self> {
        let bad = |reason: String| -> Error { Invalid::new("param", reason).value(path).into() };
        let actor = |name: &str| {
            model.dynamics.index_of(name).ok_or_else(|| {
                bad(format!(
                    "unknown actor {name:?} (actors: {})",
                    model.dynamics.names.join(", ")
                ))
            })
        };
        let need_controller = |p: Param| {
            if model.controller.is_some() {
                Ok(p)
            } else {
                Err(bad("the scenario has no [controller]".into()))
            }
        };
        let need_spoilers = |p: Param| {
            if model.spoilers.is_some() {
                Ok(p)
            } else {
                Err(bad("the scenario has no [spoilers]".into()))
            }
        };
        if path == "gain" {
            return Ok(Param::Gain);
        }
        match path {
            "controller.period" => return need_controller(Param::Period),
            "controller.lag" => return need_controller(Param::Lag),
            "controller.derivative" => return need_controller(Param::Derivative),
            "spoilers.rate" => return need_spoilers(Param::SpoilerRate),
            "spoilers.attribution" => return need_spoilers(Param::SpoilerAttribution),
            "hotline.attribution" => {
                return match (&model.hotline, &model.spoilers) {
                    (Some(_), Some(_)) => Ok(Param::HotlineAttribution),
                    (None, _) => Err(bad("the scenario has no [hotline]".into())),
                    (_, None) => Err(bad("the scenario has no [spoilers]".into())),
                };
            }
            _ => {}
        }
        if let Some(rest) = path.strip_prefix("coupling.") {
            // Actor names may contain dots: try every split.
            for (k, _) in rest.match_indices('.') {
                let (row, col) = (&rest[..k], &rest[k + 1..]);
                if let (Some(i), Some(j)) =
                    (model.dynamics.index_of(row), model.dynamics.index_of(col))
                {
                    if i == j {
                        return Err(bad("self-coupling is not a parameter".into()));
                    }
                    return Ok(Param::Coupling(i, j));
                }
            }
            return Err(bad(format!(
                "expected coupling.ROW.COL with two actors (actors: {})",
                model.dynamics.names.join(", ")
            )));
        }
        if let Some(rest) = path.strip_prefix("actor.") {
            if let Some(name) = rest.strip_suffix(".restraint") {
                return Ok(Param::Restraint(actor(name)?));
            }
            if let Some(name) = rest.strip_suffix(".grievance") {
                return Ok(Param::Grievance(actor(name)?));
            }
            return Err(bad(
                "expected actor.NAME.restraint or actor.NAME.grievance".into()
            ));
        }
        if let Some(name) = path
            .strip_prefix("phase.")
            .and_then(|r| r.strip_suffix(".gain"))
        {
            return model
                .phases
                .iter()
                .position(|p| p.name == name)
                .map(Param::PhaseGain)
                .ok_or_else(|| bad(format!("unknown phase {name:?}")));
        }
        Err(bad(format!("unknown parameter path (use one of: {PATHS})")))
    }

    /// The current value of this parameter in `model` (`None` for a parameter the
    /// model does not have, e.g. the controller period without a controller).
    #[must_use]
    pub fn value_in(self, model: &Model) -> Option<f64> {
        let d = &model.dynamics;
        let n = d.n();
        match self {
            Param::Gain => Some(d.gain),
            Param::Coupling(i, j) if i < n && j < n => Some(d.coupling[(i, j)]),
            Param::Restraint(i) => d.restraint.get(i).copied(),
            Param::Grievance(i) => d.grievance.get(i).copied(),
            Param::Coupling(..) => None,
            Param::Period => model.controller.as_ref().map(|c| c.period),
            Param::Lag => model.controller.as_ref().map(|c| c.lag as f64),
            Param::Derivative => model.controller.as_ref().map(|c| c.derivative),
            Param::SpoilerRate => model.spoilers.as_ref().map(|s| s.rate),
            Param::SpoilerAttribution => model.spoilers.as_ref().map(|s| s.attribution),
            Param::HotlineAttribution => model.hotline.as_ref().and_then(|h| h.attribution),
            Param::PhaseGain(k) => model.phases.get(k).map(|p| p.gain),
        }
    }

    /// An axis label with units for this parameter, e.g. "reaction of US to Iran,
    /// K (1/day)".
    #[must_use]
    pub fn label(self, model: &Model) -> String {
        let name = |i: usize| model.dynamics.names.get(i).map_or("?", String::as_str);
        match self {
            Param::Gain => "loop gain γ".into(),
            Param::Coupling(i, j) => format!("reaction of {} to {}, K (1/day)", name(i), name(j)),
            Param::Restraint(i) => format!("restraint of {} (1/day)", name(i)),
            Param::Grievance(i) => format!("grievance of {} (intensity/day)", name(i)),
            Param::Period => "decision period Δ (days)".into(),
            Param::Lag => "perception lag d (periods)".into(),
            Param::Derivative => "derivative time τ_D (days)".into(),
            Param::SpoilerRate => "spoiler attack rate (1/day)".into(),
            Param::SpoilerAttribution => "attribution accuracy".into(),
            Param::HotlineAttribution => "attribution accuracy with the hotline".into(),
            Param::PhaseGain(k) => format!(
                "gain during phase {}",
                model.phases.get(k).map_or("?", |p| p.name.as_str())
            ),
        }
    }

    /// The sweep path of this parameter (`coupling.US.Iran`, `phase.ceasefire.gain`, …).
    #[must_use]
    pub fn path(self, model: &Model) -> String {
        let name = |i: usize| model.dynamics.names.get(i).map_or("?", String::as_str);
        match self {
            Param::Gain => "gain".into(),
            Param::Coupling(i, j) => format!("coupling.{}.{}", name(i), name(j)),
            Param::Restraint(i) => format!("actor.{}.restraint", name(i)),
            Param::Grievance(i) => format!("actor.{}.grievance", name(i)),
            Param::Period => "controller.period".into(),
            Param::Lag => "controller.lag".into(),
            Param::Derivative => "controller.derivative".into(),
            Param::SpoilerRate => "spoilers.rate".into(),
            Param::SpoilerAttribution => "spoilers.attribution".into(),
            Param::HotlineAttribution => "hotline.attribution".into(),
            Param::PhaseGain(k) => format!(
                "phase.{}.gain",
                model.phases.get(k).map_or("?", |p| p.name.as_str())
            ),
        }
    }

    /// True for parameters that only matter to random runs (a Monte Carlo sweep).
    #[must_use]
    pub fn is_stochastic(self) -> bool {
        matches!(
            self,
            Param::SpoilerRate | Param::SpoilerAttribution | Param::HotlineAttribution
        )
    }

    /// Checks that `value` is allowed for this parameter.
    ///
    /// # Errors
    /// [`Error::Invalid`] with the reason.
    pub fn check(self, value: f64) -> Result<()> {
        let fail = |reason: &str| Err(Invalid::new("param", reason).value(value).into());
        if !value.is_finite() {
            return fail("values must be finite");
        }
        match self {
            Param::Restraint(_) | Param::Period if value <= 0.0 => fail("must be positive"),
            Param::Gain | Param::PhaseGain(_) | Param::Derivative | Param::SpoilerRate
                if value < 0.0 =>
            {
                fail("must not be negative")
            }
            Param::Lag
                if value < 0.0
                    || value.fract() != 0.0
                    || value > crate::scenario::MAX_LAG as f64 =>
            {
                fail("a lag must be a whole number of periods")
            }
            Param::SpoilerAttribution | Param::HotlineAttribution
                if !(0.0..=1.0).contains(&value) =>
            {
                fail("must be a probability in [0, 1]")
            }
            _ => Ok(()),
        }
    }

    /// Checks that `model` has this parameter: its actor, pair or phase
    /// index exists, and the section it belongs to (controller, spoilers,
    /// hotline) is present.
    ///
    /// # Errors
    /// [`Error::Invalid`] with key `param`, naming what is missing.
    pub fn validate(self, model: &Model) -> Result<()> {
        let n = model.n();
        let fail = |reason: String| -> Result<()> {
            Err(Invalid::new("param", reason)
                .value(format!("{self:?}"))
                .into())
        };
        let actor = |i: usize| -> Result<()> {
            if i < n {
                Ok(())
            } else {
                fail(format!("no such actor {i} ({n} actors)"))
            }
        };
        match self {
            Param::Gain => Ok(()),
            Param::Coupling(i, j) => {
                actor(i)?;
                actor(j)?;
                if i == j {
                    fail("self-coupling is not a parameter".into())
                } else {
                    Ok(())
                }
            }
            Param::Restraint(i) | Param::Grievance(i) => actor(i),
            Param::Period | Param::Lag | Param::Derivative if model.controller.is_none() => {
                fail("the model has no controller".into())
            }
            Param::SpoilerRate | Param::SpoilerAttribution if model.spoilers.is_none() => {
                fail("the model has no spoilers".into())
            }
            Param::HotlineAttribution if model.hotline.is_none() || model.spoilers.is_none() => {
                fail("the model needs a hotline and spoilers".into())
            }
            Param::PhaseGain(k) if k >= model.phases.len() => {
                fail(format!("no such phase {k} ({} phases)", model.phases.len()))
            }
            _ => Ok(()),
        }
    }

    /// Sets the parameter in `model` (after [`Param::validate`] and
    /// [`Param::check`]; a parameter the model does not have is ignored).
    pub fn apply(self, model: &mut Model, value: f64) {
        let n = model.n();
        match self {
            Param::Gain => model.dynamics.gain = value,
            Param::Coupling(i, j) if i < n && j < n => model.dynamics.coupling[(i, j)] = value,
            Param::Restraint(i) if i < n => model.dynamics.restraint[i] = value,
            Param::Grievance(i) if i < n => model.dynamics.grievance[i] = value,
            Param::Period => {
                if let Some(c) = model.controller.as_mut() {
                    c.period = value;
                }
            }
            Param::Lag => {
                if let Some(c) = model.controller.as_mut() {
                    c.lag = value as usize;
                }
            }
            Param::Derivative => {
                if let Some(c) = model.controller.as_mut() {
                    c.derivative = value;
                }
            }
            Param::SpoilerRate => {
                if let Some(s) = model.spoilers.as_mut() {
                    s.rate = value;
                }
            }
            Param::SpoilerAttribution => {
                if let Some(s) = model.spoilers.as_mut() {
                    s.attribution = value;
                }
            }
            Param::HotlineAttribution => {
                if let Some(h) = model.hotline.as_mut() {
                    h.attribution = Some(value);
                }
            }
            Param::PhaseGain(k) => {
                if let Some(p) = model.phases.get_mut(k) {
                    p.gain = value;
                }
            }
            _ => {}
        }
    }
}

/// One axis of a grid: `PATH=START:STOP:COUNT`, `COUNT` evenly spaced values
/// from `START` to `STOP` inclusive.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    /// The path as written.
    pub path: String,
    /// The parameter.
    pub param: Param,
    /// First value.
    pub start: f64,
    /// Last value.
    pub stop: f64,
    /// Number of values (≥ 1).
    pub count: usize,
}

/// Largest grid accepted, points.
pub const MAX_POINTS: u64 = 100_000_000;

impl Axis {
    /// An axis over `param` of `model` from `start` to `stop` with `count`
    /// values, its path written as the command line expects it.
    ///
    /// # Errors
    /// [`Error::Invalid`] (key `axis` or `param`) for a count below 1, a
    /// parameter the model does not have, or a value the parameter does not
    /// allow (see [`Param::check`]).
    ///
    /// # Example
    ///
    /// ```
    /// use escalation::model::{Dynamics, Model};
    /// use escalation::sweep::{Axis, Param};
    /// let model = Model::from_dynamics(Dynamics::richardson(0.5, 0.4, 0.3, 0.6, 0.0, 0.0)?, 30.0);
    /// let axis = Axis::new(&model, Param::Coupling(0, 1), 0.0, 1.0, 11)?;
    /// assert_eq!(axis.path, "coupling.X.Y");
    /// assert_eq!(axis.value(10), 1.0);
    /// assert!(Axis::new(&model, Param::Coupling(0, 5), 0.0, 1.0, 11).is_err());
    /// # Ok::<(), escalation::Error>(())
    /// ```
    pub fn new(model: &Model, param: Param, start: f64, stop: f64, count: usize) -> Result<Self> {
        if count == 0 {
            return Err(Error::invalid("axis", "needs at least one value"));
        }
        if count as u64 > MAX_POINTS {
            return Err(Error::invalid(
                "axis",
                format!("{count} values is more than the limit of {MAX_POINTS}"),
            ));
        }
        param.validate(model)?;
        param.check(start)?;
        param.check(stop)?;
        let axis = Self {
            path: param.path(model),
            param,
            start,
            stop,
            count,
        };
        if param == Param::Lag {
            for k in 0..count {
                param.check(axis.value(k))?;
            }
        }
        Ok(axis)
    }

    /// Parses `PATH=START:STOP:COUNT` against `model`, checking every value.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming what is wrong.
    pub fn parse(spec: &str, model: &Model) -> Result<Self> {
        let bad = |reason: &str| -> Error { Invalid::new("axis", reason).value(spec).into() };
        let (path, range) = spec
            .split_once('=')
            .ok_or_else(|| bad("expected PATH=START:STOP:COUNT"))?;
        let parts: Vec<&str> = range.split(':').collect();
        if parts.len() != 3 {
            return Err(bad("expected PATH=START:STOP:COUNT"));
        }
        let num = |s: &str, what: &str| {
            s.trim()
                .parse::<f64>()
                .map_err(|_| bad(&format!("{what} {s:?} is not a number")))
        };
        let start = num(parts[0], "START")?;
        let stop = num(parts[1], "STOP")?;
        let count: usize = parts[2]
            .trim()
            .parse()
            .map_err(|_| bad(&format!("COUNT {:?} is not a whole number", parts[2])))?;
        if count == 0 {
            return Err(bad("COUNT must be at least 1"));
        }
        if count as u64 > MAX_POINTS {
            return Err(bad(&format!("COUNT must be at most {MAX_POINTS}")));
        }
        if !start.is_finite() || !stop.is_finite() {
            return Err(bad("START and STOP must be finite"));
        }
        let param = Param::parse(path.trim(), model)?;
        let axis = Self {
            path: path.trim().to_string(),
            param,
            start,
            stop,
            count,
        };
        param.check(start)?;
        param.check(stop)?;
        if param == Param::Lag {
            for k in 0..count {
                param.check(axis.value(k))?;
            }
        }
        Ok(axis)
    }

    /// The `k`-th value.
    #[must_use]
    pub fn value(&self, k: usize) -> f64 {
        if self.count == 1 {
            self.start
        } else {
            self.start + (self.stop - self.start) * k as f64 / (self.count - 1) as f64
        }
    }
}

impl fmt::Display for Axis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}={}:{}:{}",
            self.path, self.start, self.stop, self.count
        )
    }
}
