//! [`Scenario::compile`]: names to indices, then [`Model::check`].
//!
//! Nothing here judges a value: a name that does not resolve is the only
//! error raised here (besides the file-only rule that a coupling entry may
//! not name its own row). Every other rule lives in `check.rs`.

use std::collections::HashMap;

use nalgebra::{DMatrix, DVector};

use super::spec::{Scenario, Whole};
use super::{
    Agreement, Anxiety, Condition, Dynamics, Effect, Hardliners, Hotline, Incidents, Ladder, Model,
    Peace, Phase, Proxy, Reset, Spoilers,
};
use crate::control::{Adaptation, Controller};
use crate::error::rules::bad;
use crate::error::{Error, Result};

/// Actor names and their indices.
struct Names(HashMap<String, usize>);

impl Names {
    fn get(&self, key: &str, name: &str) -> Result<usize> {
        self.0.get(name).copied().ok_or_else(|| {
            let mut known: Vec<&str> = self.0.keys().map(String::as_str).collect();
            known.sort_unstable();
            bad(
                key,
                format!("{name:?}"),
                &format!("unknown actor (actors are: {})", known.join(", ")),
            )
        })
    }
}

/// A whole number as an index; one too large for `usize` saturates, so that
/// the model's check reports it as out of range.
fn index(w: Whole) -> usize {
    usize::try_from(w.0).unwrap_or(usize::MAX)
}

impl Scenario {
    /// Resolves the names and builds the [`Model`], then checks it.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the first offending key (for example
    /// `actor[1].restraint`, `coupling.US.Iran`, `phase[0].parties[1]`).
    pub fn compile(&self) -> Result<Model> {
        if self.actors.is_empty() {
            return Err(Error::invalid("actor", "at least one [[actor]] is needed"));
        }
        // Before the n × n coupling is allocated (800 MB for 10,000 actors).
        if self.actors.len() > crate::limits::MAX_ACTORS {
            return Err(bad(
                "actor",
                self.actors.len(),
                &format!("too many actors (at most {})", crate::limits::MAX_ACTORS),
            ));
        }
        let mut names = HashMap::new();
        for (i, a) in self.actors.iter().enumerate() {
            if names.insert(a.name.clone(), i).is_some() {
                return Err(bad(
                    format!("actor[{i}].name"),
                    format!("{:?}", a.name),
                    "duplicate actor name",
                ));
            }
        }
        let names = Names(names);
        let model = Model {
            name: self.name.clone(),
            dynamics: self.dynamics(&names)?,
            initial: DVector::from_iterator(
                self.actors.len(),
                self.actors.iter().map(|a| a.initial),
            ),
            ladder: self.ladder()?,
            controller: self.controller.as_ref().map(|c| Controller {
                period: c.period,
                lag: index(c.lag),
                derivative: c.derivative,
                deadband: c.deadband,
                saturation: c.saturation,
                adaptation: c.adaptation.as_ref().map(|a| Adaptation {
                    memory: a.memory,
                    baseline: a.baseline,
                    floor: a.floor,
                }),
            }),
            horizon: self.horizon,
            seed: self.seed,
            phases: self.phases(&names)?,
            spoilers: self.spoilers(&names)?,
            hotline: self.hotline.as_ref().map(|h| Hotline {
                start: h.start,
                lag: h.lag.map(index),
                attribution: h.attribution,
                attribution_delay: h.attribution_delay,
                misread: h.misread,
            }),
            incidents: self.incidents(&names)?,
            agreements: self.agreements(&names)?,
            proxies: self.proxies(&names)?,
            hardliners: self
                .actors
                .iter()
                .enumerate()
                .filter_map(|(i, a)| {
                    a.hardliners.as_ref().map(|h| Hardliners {
                        actor: i,
                        feed: h.feed,
                        decay: h.decay,
                        weight: h.weight,
                        initial: h.initial,
                    })
                })
                .collect(),
            resets: self
                .actors
                .iter()
                .enumerate()
                .filter(|(_, a)| a.reset_rate != 0.0)
                .map(|(i, a)| Reset {
                    actor: i,
                    rate: a.reset_rate,
                })
                .collect(),
            anxiety: self
                .actors
                .iter()
                .enumerate()
                .filter(|(_, a)| a.anxiety != 0.0)
                .map(|(i, a)| Anxiety {
                    actor: i,
                    level: a.anxiety,
                })
                .collect(),
            peace: self.peace.as_ref().map(|p| Peace {
                after_days: p.after_days,
                grievance_decay: p.grievance_decay,
            }),
        };
        model.check()?;
        Ok(model)
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

    fn dynamics(&self, names: &Names) -> Result<Dynamics> {
        let n = self.actors.len();
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
                coupling[(i, j)] = k;
            }
        }
        Ok(Dynamics {
            names: self.actors.iter().map(|a| a.name.clone()).collect(),
            restraint: DVector::from_iterator(n, self.actors.iter().map(|a| a.restraint)),
            coupling,
            grievance: DVector::from_iterator(n, self.actors.iter().map(|a| a.grievance)),
            ceiling: self.actors.iter().map(|a| a.ceiling).collect(),
            gain: self.gain,
        })
    }

    fn proxies(&self, names: &Names) -> Result<Vec<Proxy>> {
        let mut out = Vec::new();
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
                (Some(p), c) => out.push(Proxy {
                    actor: i,
                    patron: names.get(&format!("actor[{i}].patron"), p)?,
                    control: c.unwrap_or(0.0),
                }),
            }
        }
        Ok(out)
    }

    fn phases(&self, names: &Names) -> Result<Vec<Phase>> {
        self.phases
            .iter()
            .enumerate()
            .map(|(p, s)| {
                let parties = s
                    .parties
                    .iter()
                    .enumerate()
                    .map(|(q, name)| names.get(&format!("phase[{p}].parties[{q}]"), name))
                    .collect::<Result<_>>()?;
                Ok(Phase {
                    name: s.name.clone(),
                    start: s.start,
                    end: s.end,
                    gain: s.gain,
                    parties,
                    verify: s.verify,
                    breach_rung: s.breach_rung.map(index),
                    extend_days: s.extend_days,
                    after_gain: s.after_gain,
                    on_blame: s.on_blame,
                    accountable: s.accountable,
                    proxy_control: s.proxy_control,
                    verified_gain: s.verified_gain,
                    deconfliction: s.deconfliction,
                    guarantee: s.guarantee,
                    surveillance: s.surveillance,
                    assures: s
                        .assures
                        .iter()
                        .enumerate()
                        .map(|(q, name)| names.get(&format!("phase[{p}].assures[{q}]"), name))
                        .collect::<Result<_>>()?,
                })
            })
            .collect()
    }

    fn spoilers(&self, names: &Names) -> Result<Option<Spoilers>> {
        let Some(s) = &self.spoilers else {
            return Ok(None);
        };
        let targets = s
            .targets
            .iter()
            .enumerate()
            .map(|(i, t)| names.get(&format!("spoilers.targets[{i}]"), t))
            .collect::<Result<_>>()?;
        Ok(Some(Spoilers {
            rate: s.rate,
            magnitude: s.magnitude,
            targets,
            accused: names.get("spoilers.accused", &s.accused)?,
            attribution: s.attribution,
            attribution_delay: s.attribution_delay,
            phase_rate: s.phase_rate,
        }))
    }

    fn incidents(&self, names: &Names) -> Result<Option<Incidents>> {
        let Some(s) = &self.incidents else {
            return Ok(None);
        };
        let pairs = match &s.pairs {
            None => None,
            Some(list) => Some(
                list.iter()
                    .enumerate()
                    .map(|(k, [a, b])| {
                        Ok((
                            names.get(&format!("incidents.pairs[{k}][0]"), a)?,
                            names.get(&format!("incidents.pairs[{k}][1]"), b)?,
                        ))
                    })
                    .collect::<Result<Vec<_>>>()?,
            ),
        };
        Ok(Some(Incidents {
            rate: s.rate,
            magnitude: s.magnitude,
            misread: s.misread,
            pairs,
        }))
    }

    fn agreements(&self, names: &Names) -> Result<Vec<Agreement>> {
        let name_of = |i: usize, s: &super::AgreementSpec| {
            if s.name.is_empty() {
                format!("agreement {}", i + 1)
            } else {
                s.name.clone()
            }
        };
        let agreement_names: Vec<String> = self
            .agreements
            .iter()
            .enumerate()
            .map(|(i, s)| name_of(i, s))
            .collect();
        self.agreements
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let key = |f: &str| format!("agreement[{i}].{f}");
                let w = &s.when;
                let condition = match (&w.actor, w.below_rung, w.at, &w.agreement) {
                    (Some(actor), Some(below), None, None) => Condition::Rung {
                        actor: names.get(&key("when.actor"), actor)?,
                        below_rung: index(below),
                        for_days: w.for_days,
                    },
                    (None, None, Some(day), None) => {
                        if w.for_days != 0.0 {
                            return Err(bad(
                                key("when.for_days"),
                                w.for_days,
                                "does not go with `at` (the condition holds from that day)",
                            ));
                        }
                        Condition::At { day }
                    }
                    (None, None, None, Some(other)) => Condition::Agreement {
                        index: agreement_names.iter().position(|n| n == other).ok_or_else(
                            || {
                                bad(
                                    key("when.agreement"),
                                    format!("{other:?}"),
                                    &format!(
                                        "unknown agreement (agreements are: {})",
                                        agreement_names.join(", ")
                                    ),
                                )
                            },
                        )?,
                        for_days: w.for_days,
                    },
                    _ => {
                        return Err(Error::invalid(
                            key("when"),
                            "give exactly one of `actor` with `below_rung`, `at`, or `agreement`",
                        ));
                    }
                };
                let effects = s
                    .then
                    .iter()
                    .enumerate()
                    .map(|(e, t)| {
                        let ek = |f: &str| {
                            if s.then.len() == 1 {
                                key(&format!("then.{f}"))
                            } else {
                                key(&format!("then[{e}].{f}"))
                            }
                        };
                        let actor = names.get(&ek("actor"), &t.actor)?;
                        let coupling = t
                            .coupling
                            .iter()
                            .map(|(col, &k)| {
                                let ck = ek(&format!("coupling.{col}"));
                                let j = names.get(&ck, col)?;
                                if j == actor {
                                    return Err(bad(
                                        ck,
                                        k,
                                        "self-coupling is not allowed (restraint plays that role)",
                                    ));
                                }
                                Ok((j, k))
                            })
                            .collect::<Result<_>>()?;
                        Ok(Effect {
                            actor,
                            grievance: t.grievance,
                            restraint: t.restraint,
                            coupling,
                            days: t.for_days,
                        })
                    })
                    .collect::<Result<_>>()?;
                Ok(Agreement {
                    name: agreement_names[i].clone(),
                    condition,
                    effects,
                    reversible: s.reversible,
                })
            })
            .collect()
    }
}
