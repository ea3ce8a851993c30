//! Validation: from the file structs to a [`Model`], with errors that name the key.

use std::collections::{BTreeSet, HashMap};

use nalgebra::{DMatrix, DVector};

use super::file::{Scenario, Whole};
use crate::control::Controller;
use crate::error::{Error, Invalid, Result};
use crate::model::{Agreement, Dynamics, Hotline, Ladder, Model, Phase, Spoilers};

/// Longest horizon accepted, days (about 2,700 years): anything longer is a typo.
pub const MAX_HORIZON: f64 = 1.0e6;
/// Largest lag accepted, periods.
pub const MAX_LAG: u64 = 10_000;
/// Shortest duration accepted (periods, windows, timers), days: about 0.1 s.
/// Shorter ones are typos and would make a run take forever.
pub const MIN_DURATION: f64 = 1e-6;
/// Most decisions (or timer cycles) a run may need: `horizon / duration`.
pub const MAX_STEPS: f64 = 1e7;
/// Highest spoiler attack rate accepted, per day.
pub const MAX_RATE: f64 = 1000.0;

fn bad(key: impl Into<String>, value: impl std::fmt::Display, reason: &str) -> Error {
    Invalid::new(key, reason).value(value).into()
}

fn finite(key: &str, v: f64) -> Result<f64> {
    if v.is_finite() {
        Ok(v)
    } else {
        Err(bad(key, v, "must be a finite number"))
    }
}

fn positive(key: &str, v: f64) -> Result<f64> {
    finite(key, v)?;
    if v > 0.0 {
        Ok(v)
    } else {
        Err(bad(key, v, "must be positive"))
    }
}

fn non_negative(key: &str, v: f64) -> Result<f64> {
    finite(key, v)?;
    if v >= 0.0 {
        Ok(v)
    } else {
        Err(bad(key, v, "must not be negative"))
    }
}

/// A positive duration that is neither absurdly short nor would repeat more
/// than [`MAX_STEPS`] times over `horizon`.
fn duration(key: &str, v: f64, horizon: f64) -> Result<f64> {
    positive(key, v)?;
    if v < MIN_DURATION || horizon / v > MAX_STEPS {
        return Err(bad(
            key,
            v,
            &format!(
                "is too short: at least {MIN_DURATION:e} days and at least horizon / {MAX_STEPS:e}"
            ),
        ));
    }
    Ok(v)
}

fn probability(key: &str, v: f64) -> Result<f64> {
    finite(key, v)?;
    if (0.0..=1.0).contains(&v) {
        Ok(v)
    } else {
        Err(bad(key, v, "must be a probability in [0, 1]"))
    }
}

fn lag(key: &str, w: Whole) -> Result<usize> {
    if w.0 > MAX_LAG {
        return Err(bad(key, w.0, &format!("must be at most {MAX_LAG} periods")));
    }
    Ok(w.0 as usize)
}

struct Names(HashMap<String, usize>);

impl Names {
    fn get(&self, key: &str, name: &str) -> Result<usize> {
        self.0.get(name).copied().ok_or_else(|| {
            let mut known: Vec<&String> = self.0.keys().collect();
            known.sort();
            let known: Vec<&str> = known.iter().map(|s| s.as_str()).collect();
            bad(
                key,
                format!("{name:?}"),
                &format!("unknown actor (actors are: {})", known.join(", ")),
            )
        })
    }
}

fn rung(key: &str, w: Whole, ladder: &Ladder) -> Result<usize> {
    let r = w.0 as usize;
    if w.0 > ladder.top() as u64 {
        return Err(bad(
            key,
            w.0,
            &format!("the ladder's rungs are 0 to {}", ladder.top()),
        ));
    }
    Ok(r)
}

impl Scenario {
    /// Validates the scenario and builds the [`Model`].
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the first offending key (for example
    /// `actor[1].restraint`, `coupling.US.Iran`, `phase[0].end`).
    pub fn compile(&self) -> Result<Model> {
        let horizon = positive("horizon", self.horizon)?;
        if horizon > MAX_HORIZON {
            return Err(bad(
                "horizon",
                horizon,
                &format!("is absurdly large (at most {MAX_HORIZON} days)"),
            ));
        }
        let gain = non_negative("gain", self.gain)?;
        let ladder = self.ladder()?;
        let (dynamics, initial, names) = self.dynamics(gain)?;
        let controller = match &self.controller {
            None => None,
            Some(c) => {
                let ctl = Controller {
                    period: duration("controller.period", c.period, horizon)?,
                    lag: lag("controller.lag", c.lag)?,
                    derivative: non_negative("controller.derivative", c.derivative)?,
                    deadband: non_negative("controller.deadband", c.deadband)?,
                    saturation: match c.saturation {
                        Some(s) => Some(positive("controller.saturation", s)?),
                        None => None,
                    },
                };
                if ctl.period > horizon {
                    return Err(bad(
                        "controller.period",
                        ctl.period,
                        "must not exceed the horizon",
                    ));
                }
                Some(ctl)
            }
        };
        let phases = self.phases(&names, &ladder)?;
        let spoilers = match &self.spoilers {
            None => None,
            Some(s) => {
                if s.targets.is_empty() {
                    return Err(Error::invalid(
                        "spoilers.targets",
                        "must name at least one actor",
                    ));
                }
                let targets = s
                    .targets
                    .iter()
                    .enumerate()
                    .map(|(i, t)| names.get(&format!("spoilers.targets[{i}]"), t))
                    .collect::<Result<Vec<_>>>()?;
                Some(Spoilers {
                    rate: {
                        let r = non_negative("spoilers.rate", s.rate)?;
                        if r > MAX_RATE {
                            return Err(bad(
                                "spoilers.rate",
                                r,
                                &format!("is absurdly high (at most {MAX_RATE} attacks per day)"),
                            ));
                        }
                        r
                    },
                    magnitude: non_negative("spoilers.magnitude", s.magnitude)?,
                    targets,
                    accused: names.get("spoilers.accused", &s.accused)?,
                    attribution: probability("spoilers.attribution", s.attribution)?,
                    attribution_delay: non_negative(
                        "spoilers.attribution_delay",
                        s.attribution_delay,
                    )?,
                })
            }
        };
        let hotline = match &self.hotline {
            None => None,
            Some(h) => Some(Hotline {
                start: non_negative("hotline.start", h.start)?,
                lag: h.lag.map(|l| lag("hotline.lag", l)).transpose()?,
                attribution: h
                    .attribution
                    .map(|p| probability("hotline.attribution", p))
                    .transpose()?,
                attribution_delay: h
                    .attribution_delay
                    .map(|d| non_negative("hotline.attribution_delay", d))
                    .transpose()?,
            }),
        };
        let agreements = self.agreements(&names, &ladder)?;
        Ok(Model {
            name: self.name.clone(),
            dynamics,
            initial,
            ladder,
            controller,
            horizon,
            seed: self.seed,
            phases,
            spoilers,
            hotline,
            agreements,
        })
    }

    fn ladder(&self) -> Result<Ladder> {
        let Some(spec) = &self.ladder else {
            return Ok(Ladder::standard());
        };
        let base = match (&spec.preset, &spec.rungs) {
            (Some(_), Some(_)) => {
                return Err(Error::invalid(
                    "ladder",
                    "give either `preset` or `rungs`, not both",
                ));
            }
            (None, None) => Ladder::standard(),
            (Some(p), None) => match p.as_str() {
                "default" => Ladder::standard(),
                "kahn44" => Ladder::kahn44(),
                other => {
                    return Err(bad(
                        "ladder.preset",
                        format!("{other:?}"),
                        "unknown preset (use \"default\" or \"kahn44\")",
                    ));
                }
            },
            (None, Some(r)) => Ladder::custom(r.clone())?,
        };
        base.with_hysteresis(spec.hysteresis)
    }

    fn dynamics(&self, gain: f64) -> Result<(Dynamics, DVector<f64>, Names)> {
        let n = self.actors.len();
        if n == 0 {
            return Err(Error::invalid("actor", "at least one [[actor]] is needed"));
        }
        let mut names = HashMap::new();
        for (i, a) in self.actors.iter().enumerate() {
            if a.name.trim().is_empty() {
                return Err(Error::invalid(
                    format!("actor[{i}].name"),
                    "must not be empty",
                ));
            }
            if names.insert(a.name.clone(), i).is_some() {
                return Err(bad(
                    format!("actor[{i}].name"),
                    format!("{:?}", a.name),
                    "duplicate actor name",
                ));
            }
        }
        let names = Names(names);
        let mut restraint = DVector::zeros(n);
        let mut grievance = DVector::zeros(n);
        let mut initial = DVector::zeros(n);
        let mut ceiling = vec![None; n];
        for (i, a) in self.actors.iter().enumerate() {
            let key = |f: &str| format!("actor[{i}].{f}");
            restraint[i] = positive(&key("restraint"), a.restraint)?;
            grievance[i] = finite(&key("grievance"), a.grievance)?;
            initial[i] = non_negative(&key("initial"), a.initial)?;
            ceiling[i] = a
                .ceiling
                .map(|c| positive(&key("ceiling"), c))
                .transpose()?;
            if let Some(c) = ceiling[i]
                && initial[i] > c
            {
                return Err(bad(
                    key("initial"),
                    initial[i],
                    "must not exceed the actor's ceiling",
                ));
            }
        }
        let mut coupling = DMatrix::zeros(n, n);
        for (row, cols) in &self.coupling {
            let i = names.get(&format!("coupling.{row}"), row)?;
            for (col, &k) in cols {
                let key = format!("coupling.{row}.{col}");
                let j = names.get(&key, col)?;
                if i == j {
                    return Err(bad(
                        key,
                        k,
                        "self-coupling is not allowed (restraint plays that role)",
                    ));
                }
                coupling[(i, j)] = finite(&key, k)?;
            }
        }
        // Proxies: the patron removes a share `control` of the proxy's own
        // reaction and grievance.
        for (i, a) in self.actors.iter().enumerate() {
            match (&a.patron, a.control) {
                (None, None) => {}
                (None, Some(c)) => {
                    return Err(bad(
                        format!("actor[{i}].control"),
                        c,
                        "`control` needs a `patron`",
                    ));
                }
                (Some(p), c) => {
                    let key = format!("actor[{i}].patron");
                    let pi = names.get(&key, p)?;
                    if pi == i {
                        return Err(bad(
                            key,
                            format!("{p:?}"),
                            "an actor cannot be its own patron",
                        ));
                    }
                    let c = probability(&format!("actor[{i}].control"), c.unwrap_or(0.0))?;
                    for j in 0..n {
                        coupling[(i, j)] *= 1.0 - c;
                    }
                    grievance[i] *= 1.0 - c;
                }
            }
        }
        let dynamics = Dynamics {
            names: self.actors.iter().map(|a| a.name.clone()).collect(),
            restraint,
            coupling,
            grievance,
            ceiling,
            gain,
        };
        dynamics.check()?;
        Ok((dynamics, initial, names))
    }

    fn phases(&self, names: &Names, ladder: &Ladder) -> Result<Vec<Phase>> {
        let mut out: Vec<Phase> = Vec::new();
        let mut seen = BTreeSet::new();
        for (p, s) in self.phases.iter().enumerate() {
            let key = |f: &str| format!("phase[{p}].{f}");
            if s.name.trim().is_empty() {
                return Err(Error::invalid(key("name"), "must not be empty"));
            }
            if !seen.insert(s.name.clone()) {
                return Err(bad(
                    key("name"),
                    format!("{:?}", s.name),
                    "duplicate phase name",
                ));
            }
            let start = non_negative(&key("start"), s.start)?;
            let end = finite(&key("end"), s.end)?;
            if end <= start {
                return Err(bad(
                    key("end"),
                    end,
                    &format!("must be after start ({start})"),
                ));
            }
            if s.parties.is_empty() {
                return Err(Error::invalid(
                    key("parties"),
                    "must name at least one actor",
                ));
            }
            let mut parties = Vec::new();
            for (q, name) in s.parties.iter().enumerate() {
                let idx = names.get(&format!("phase[{p}].parties[{q}]"), name)?;
                if parties.contains(&idx) {
                    return Err(bad(
                        format!("phase[{p}].parties[{q}]"),
                        format!("{name:?}"),
                        "listed twice",
                    ));
                }
                parties.push(idx);
            }
            let verify = s
                .verify
                .map(|v| duration(&key("verify"), v, self.horizon))
                .transpose()?;
            if let Some(v) = verify
                && v > end - start
            {
                return Err(bad(
                    key("verify"),
                    v,
                    &format!("must not exceed the phase's length ({})", end - start),
                ));
            }
            let phase = Phase {
                name: s.name.clone(),
                start,
                end,
                gain: non_negative(&key("gain"), s.gain)?,
                parties,
                verify,
                breach_rung: s
                    .breach_rung
                    .map(|r| rung(&key("breach_rung"), r, ladder))
                    .transpose()?,
                extend_days: s
                    .extend_days
                    .map(|d| duration(&key("extend_days"), d, self.horizon))
                    .transpose()?,
                after_gain: s
                    .after_gain
                    .map(|g| non_negative(&key("after_gain"), g))
                    .transpose()?,
            };
            for (q, other) in out.iter().enumerate() {
                let shared = phase.parties.iter().any(|i| other.parties.contains(i));
                if shared && phase.start < other.end && other.start < phase.end {
                    return Err(bad(
                        key("start"),
                        phase.start,
                        &format!(
                            "overlaps phase[{q}] ({:?}, [{}, {})) for the same parties",
                            other.name, other.start, other.end
                        ),
                    ));
                }
            }
            out.push(phase);
        }
        out.sort_by(|a, b| a.start.total_cmp(&b.start));
        Ok(out)
    }

    fn agreements(&self, names: &Names, ladder: &Ladder) -> Result<Vec<Agreement>> {
        self.agreements
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let key = |f: &str| format!("agreement[{i}].{f}");
                if s.then.grievance.is_none() && s.then.restraint.is_none() {
                    return Err(Error::invalid(
                        key("then"),
                        "must change `grievance` or `restraint`",
                    ));
                }
                let below_rung = rung(&key("when.below_rung"), s.when.below_rung, ladder)?;
                if below_rung == 0 {
                    return Err(bad(
                        key("when.below_rung"),
                        0,
                        "no actor can be below rung 0; use 1 or more",
                    ));
                }
                Ok(Agreement {
                    name: if s.name.is_empty() {
                        format!("agreement {}", i + 1)
                    } else {
                        s.name.clone()
                    },
                    watch: names.get(&key("when.actor"), &s.when.actor)?,
                    below_rung,
                    hold_days: duration(&key("when.for_days"), s.when.for_days, self.horizon)?,
                    target: names.get(&key("then.actor"), &s.then.actor)?,
                    grievance: s
                        .then
                        .grievance
                        .map(|g| finite(&key("then.grievance"), g))
                        .transpose()?,
                    restraint: s
                        .then
                        .restraint
                        .map(|r| positive(&key("then.restraint"), r))
                        .transpose()?,
                    effect_days: duration(&key("then.for_days"), s.then.for_days, self.horizon)?,
                    reversible: s.reversible,
                })
            })
            .collect()
    }
}
