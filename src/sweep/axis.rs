//! Grid axes: `PATH=START:STOP:COUNT`.

use std::fmt;

use super::{ControllerField, Param};
use crate::error::{Error, Invalid, Result};
use crate::model::Model;

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
        if param == Param::Controller(ControllerField::Lag) {
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
        if param == Param::Controller(ControllerField::Lag) {
            for k in 0..count {
                param.check(axis.value(k))?;
            }
        }
        Ok(axis)
    }

    /// The `k`-th value: `START` for `k = 0`, `STOP` for the last, and
    /// always between them (never beyond `STOP`, never infinite, even for
    /// an axis from `-1.7e308` to `1.7e308`).
    #[must_use]
    pub fn value(&self, k: usize) -> f64 {
        if self.count == 1 || k == 0 {
            return self.start;
        }
        if k >= self.count - 1 {
            return self.stop;
        }
        let (a, b) = (self.start, self.stop);
        let mut v = a + (b - a) * k as f64 / (self.count - 1) as f64;
        if !v.is_finite() {
            // `b − a` or its product overflowed: interpolate without it.
            let t = k as f64 / (self.count - 1) as f64;
            // Terms of one sign may still round past the largest f64: the
            // clamp brings that back to the bound it cannot exceed.
            v = a * (1.0 - t) + b * t;
        }
        v.clamp(a.min(b), a.max(b))
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
