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
        let bad = |reason: String| -> Error { Invalid::new("--param", reason).value(path).into() };
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
        let fail = |reason: &str| Err(Invalid::new("--param", reason).value(value).into());
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

    /// Sets the parameter in `model` (after [`Param::check`]).
    pub fn apply(self, model: &mut Model, value: f64) {
        match self {
            Param::Gain => model.dynamics.gain = value,
            Param::Coupling(i, j) => model.dynamics.coupling[(i, j)] = value,
            Param::Restraint(i) => model.dynamics.restraint[i] = value,
            Param::Grievance(i) => model.dynamics.grievance[i] = value,
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
            Param::PhaseGain(k) => model.phases[k].gain = value,
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
    /// Parses `PATH=START:STOP:COUNT` against `model`, checking every value.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming what is wrong.
    pub fn parse(spec: &str, model: &Model) -> Result<Self> {
        let bad = |reason: &str| -> Error { Invalid::new("--param", reason).value(spec).into() };
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
