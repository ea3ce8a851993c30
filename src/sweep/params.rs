//! Parameter paths (`coupling.US.Iran`, `actor.Iran.restraint`,
//! `phase.ceasefire.deconfliction`, …): every numeric key of a scenario
//! that a sweep, a comparison or a sensitivity analysis may set.

use crate::error::{Error, Invalid, Result, num};
use crate::limits::MAX_LAG;
use crate::model::{Model, PhaseStage};

/// A settable number of a model, by index. Parse one from its path with
/// [`Param::parse`]; `docs/scenarios.md` lists every path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Param {
    /// `gain`: the baseline loop gain.
    Gain,
    /// `coupling.ROW.COL`: `K[row][col]`, 1/day.
    Coupling(usize, usize),
    /// `actor.NAME.FIELD`.
    Actor(usize, ActorField),
    /// `controller.FIELD`.
    Controller(ControllerField),
    /// `spoilers.FIELD`.
    Spoilers(SpoilerField),
    /// `hotline.FIELD`.
    Hotline(HotlineField),
    /// `incidents.FIELD`.
    Incidents(IncidentField),
    /// `phase.NAME.FIELD`.
    Phase(usize, PhaseField),
    /// `peace.FIELD`.
    Peace(PeaceField),
    /// `agreement.NAME.FIELD`.
    Agreement(usize, AgreementField),
}

/// Numbers of `[peace]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PeaceField {
    /// `after_days`, days.
    AfterDays,
    /// `grievance_decay`, 1/day.
    GrievanceDecay,
}

/// Numbers of an agreement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AgreementField {
    /// `at`: the day a `when.at` condition holds from.
    At,
    /// `for_days`: how long a rung or agreement condition must hold.
    ForDays,
}

/// Per-actor numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ActorField {
    /// `restraint`, 1/day.
    Restraint,
    /// `grievance`, intensity/day.
    Grievance,
    /// `control` of a proxy by its patron, in [0, 1].
    Control,
    /// `reset_rate`, intensity/day.
    ResetRate,
    /// `anxiety`, intensity/day.
    Anxiety,
    /// `hardliners.feed` κ.
    HardlinerFeed,
    /// `hardliners.decay` δ, 1/day.
    HardlinerDecay,
    /// `hardliners.weight` η.
    HardlinerWeight,
    /// `hardliners.initial` h(0).
    HardlinerInitial,
}

/// Numbers of the controller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ControllerField {
    /// `period`, days.
    Period,
    /// `lag`, whole periods.
    Lag,
    /// `derivative`, days.
    Derivative,
    /// `deadband`, intensity.
    Deadband,
    /// `adaptation.memory` β, in (0, 1].
    AdaptationMemory,
    /// `adaptation.baseline` σ₀.
    AdaptationBaseline,
    /// `adaptation.floor` σ_min.
    AdaptationFloor,
}

/// Numbers of the spoilers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SpoilerField {
    /// `rate`, attacks/day.
    Rate,
    /// `phase_rate`, attacks/day while a phase binds a target.
    PhaseRate,
    /// `magnitude`, intensity.
    Magnitude,
    /// `attribution`, probability.
    Attribution,
    /// `attribution_delay`, days.
    AttributionDelay,
}

/// Numbers of the hotline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HotlineField {
    /// `attribution`, probability, from the hotline's start.
    Attribution,
    /// `attribution_delay`, days.
    AttributionDelay,
    /// `misread`, probability an incident is misread.
    Misread,
}

/// Numbers of the incidents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum IncidentField {
    /// `rate` μ.
    Rate,
    /// `magnitude`, intensity.
    Magnitude,
    /// `misread`, probability.
    Misread,
}

/// Per-phase numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PhaseField {
    /// `gain` among the parties.
    Gain,
    /// `after_gain`.
    AfterGain,
    /// `verified_gain`.
    VerifiedGain,
    /// `deconfliction`, in [0, 1].
    Deconfliction,
    /// `guarantee`, 1/day.
    Guarantee,
    /// `proxy_control`, in [0, 1].
    ProxyControl,
    /// `surveillance`, in [0, 1].
    Surveillance,
}

/// The paths a sweep accepts, for error messages.
pub const PATHS: &str = "gain, coupling.ROW.COL, \
actor.NAME.{restraint, grievance, control, reset_rate, anxiety}, \
actor.NAME.hardliners.{feed, decay, weight, initial}, \
controller.{period, lag, derivative, deadband}, \
controller.adaptation.{memory, baseline, floor}, \
spoilers.{rate, phase_rate, magnitude, attribution, attribution_delay}, \
hotline.{attribution, attribution_delay, misread}, incidents.{rate, magnitude, misread}, \
phase.NAME.{gain, after_gain, verified_gain, deconfliction, guarantee, proxy_control, surveillance}, \
peace.{after_days, grievance_decay}, agreement.NAME.{at, for_days}";

/// Every path pattern a sweep accepts, one per key (the braces of
/// [`PATHS`] expanded): `NAME` stands for an actor or phase name, `ROW` and
/// `COL` for actor names.
///
/// ```
/// let all = escalation::sweep::path_patterns();
/// assert!(all.iter().any(|p| p == "phase.NAME.gain"));
/// assert!(all.iter().any(|p| p == "spoilers.attribution"));
/// ```
pub fn path_patterns() -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = PATHS;
    while !rest.is_empty() {
        // The next item ends at a comma outside braces.
        let mut depth = 0;
        let mut end = rest.len();
        for (i, c) in rest.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    end = i;
                    break;
                }
                _ => {}
            }
        }
        let item = rest[..end].trim();
        rest = rest.get(end + 1..).unwrap_or("");
        match (item.find('{'), item.rfind('}')) {
            (Some(open), Some(close)) => {
                for leaf in item[open + 1..close].split(',') {
                    out.push(format!("{}{}", &item[..open], leaf.trim()));
                }
            }
            _ => out.push(item.to_string()),
        }
    }
    out
}

/// How a value must lie.
#[derive(Clone, Copy)]
enum Range {
    Finite,
    NonNegative,
    Positive,
    Probability,
    Whole,
}

impl ActorField {
    const ALL: [Self; 9] = [
        Self::Restraint,
        Self::Grievance,
        Self::Control,
        Self::ResetRate,
        Self::Anxiety,
        Self::HardlinerFeed,
        Self::HardlinerDecay,
        Self::HardlinerWeight,
        Self::HardlinerInitial,
    ];
    fn name(self) -> &'static str {
        match self {
            Self::Restraint => "restraint",
            Self::Grievance => "grievance",
            Self::Control => "control",
            Self::ResetRate => "reset_rate",
            Self::Anxiety => "anxiety",
            Self::HardlinerFeed => "hardliners.feed",
            Self::HardlinerDecay => "hardliners.decay",
            Self::HardlinerWeight => "hardliners.weight",
            Self::HardlinerInitial => "hardliners.initial",
        }
    }

    fn is_hardliners(self) -> bool {
        matches!(
            self,
            Self::HardlinerFeed
                | Self::HardlinerDecay
                | Self::HardlinerWeight
                | Self::HardlinerInitial
        )
    }
}

impl PeaceField {
    const ALL: [Self; 2] = [Self::AfterDays, Self::GrievanceDecay];
    fn name(self) -> &'static str {
        match self {
            Self::AfterDays => "after_days",
            Self::GrievanceDecay => "grievance_decay",
        }
    }
}

impl AgreementField {
    const ALL: [Self; 2] = [Self::At, Self::ForDays];
    fn name(self) -> &'static str {
        match self {
            Self::At => "at",
            Self::ForDays => "for_days",
        }
    }
}

impl ControllerField {
    const ALL: [Self; 7] = [
        Self::Period,
        Self::Lag,
        Self::Derivative,
        Self::Deadband,
        Self::AdaptationMemory,
        Self::AdaptationBaseline,
        Self::AdaptationFloor,
    ];
    fn name(self) -> &'static str {
        match self {
            Self::Period => "period",
            Self::Lag => "lag",
            Self::Derivative => "derivative",
            Self::Deadband => "deadband",
            Self::AdaptationMemory => "adaptation.memory",
            Self::AdaptationBaseline => "adaptation.baseline",
            Self::AdaptationFloor => "adaptation.floor",
        }
    }
}

impl SpoilerField {
    const ALL: [Self; 5] = [
        Self::Rate,
        Self::PhaseRate,
        Self::Magnitude,
        Self::Attribution,
        Self::AttributionDelay,
    ];
    fn name(self) -> &'static str {
        match self {
            Self::Rate => "rate",
            Self::PhaseRate => "phase_rate",
            Self::Magnitude => "magnitude",
            Self::Attribution => "attribution",
            Self::AttributionDelay => "attribution_delay",
        }
    }
}

impl HotlineField {
    const ALL: [Self; 3] = [Self::Attribution, Self::AttributionDelay, Self::Misread];
    fn name(self) -> &'static str {
        match self {
            Self::Attribution => "attribution",
            Self::AttributionDelay => "attribution_delay",
            Self::Misread => "misread",
        }
    }
}

impl IncidentField {
    const ALL: [Self; 3] = [Self::Rate, Self::Magnitude, Self::Misread];
    fn name(self) -> &'static str {
        match self {
            Self::Rate => "rate",
            Self::Magnitude => "magnitude",
            Self::Misread => "misread",
        }
    }
}

impl PhaseField {
    const ALL: [Self; 7] = [
        Self::Gain,
        Self::AfterGain,
        Self::VerifiedGain,
        Self::Deconfliction,
        Self::Guarantee,
        Self::ProxyControl,
        Self::Surveillance,
    ];
    fn name(self) -> &'static str {
        match self {
            Self::Gain => "gain",
            Self::AfterGain => "after_gain",
            Self::VerifiedGain => "verified_gain",
            Self::Deconfliction => "deconfliction",
            Self::Guarantee => "guarantee",
            Self::ProxyControl => "proxy_control",
            Self::Surveillance => "surveillance",
        }
    }

    /// The stage of the phase's loop this field shapes (see [`Model::phase_loop`]).
    #[must_use]
    pub fn stage(self) -> Option<PhaseStage> {
        match self {
            Self::Gain | Self::Guarantee | Self::ProxyControl => Some(PhaseStage::During),
            Self::VerifiedGain => Some(PhaseStage::Verified),
            Self::AfterGain => Some(PhaseStage::After),
            Self::Deconfliction | Self::Surveillance => None,
        }
    }
}

fn field<F: Copy>(all: &[F], name: fn(F) -> &'static str, text: &str) -> Option<F> {
    all.iter().copied().find(|&f| name(f) == text)
}

impl Param {
    /// Parses `path` against `model` (actor and phase names must exist, and
    /// the section the path names must be in the model).
    ///
    /// # Errors
    /// [`Error::Invalid`] (key `param`) naming the path and what is wrong.
    ///
    /// # Example
    ///
    /// ```
    /// use escalation::prelude::*;
    /// use escalation::sweep::{Param, PhaseField};
    /// let m = Model::builder()
    ///     .horizon(30.0)
    ///     .actor(ActorSpec::new("A", 0.5))
    ///     .actor(ActorSpec::new("B", 0.4))
    ///     .phase(PhaseSpec::new("truce", 0.0, 14.0, 0.2).parties(["A", "B"]))
    ///     .build()?;
    /// let p = Param::parse("phase.truce.deconfliction", &m)?;
    /// assert_eq!(p, Param::Phase(0, PhaseField::Deconfliction));
    /// assert_eq!(p.path(&m), "phase.truce.deconfliction");
    /// assert!(Param::parse("phase.war.gain", &m).is_err());
    /// # Ok::<(), escalation::Error>(())
    /// ```
    pub fn parse(path: &str, model: &Model) -> Result<Self> {
        let bad = |reason: String| -> Error { Invalid::new("param", reason).value(path).into() };
        let names = || model.dynamics.names.join(", ");
        let param = if path == "gain" {
            Some(Param::Gain)
        } else if let Some(rest) = path.strip_prefix("coupling.") {
            // Actor names may contain dots: try every split.
            let found = rest.match_indices('.').find_map(|(k, _)| {
                let (row, col) = (&rest[..k], &rest[k + 1..]);
                Some(Param::Coupling(
                    model.dynamics.index_of(row)?,
                    model.dynamics.index_of(col)?,
                ))
            });
            if found.is_none() {
                return Err(bad(format!(
                    "expected coupling.ROW.COL with two actors (actors: {})",
                    names()
                )));
            }
            found
        } else if let Some(rest) = path.strip_prefix("actor.") {
            // `hardliners.X` is a two-part field.
            let split = match rest.rsplit_once('.') {
                Some((head, _)) if head.ends_with(".hardliners") => head
                    .strip_suffix(".hardliners")
                    .map(|name| (name, &rest[name.len() + 1..])),
                other => other,
            };
            let Some((name, f)) = split else {
                return Err(bad("expected actor.NAME.FIELD".into()));
            };
            let i = model
                .dynamics
                .index_of(name)
                .ok_or_else(|| bad(format!("unknown actor {name:?} (actors: {})", names())))?;
            field(&ActorField::ALL, ActorField::name, f).map(|f| Param::Actor(i, f))
        } else if let Some(rest) = path.strip_prefix("phase.") {
            let Some((name, f)) = rest.rsplit_once('.') else {
                return Err(bad("expected phase.NAME.FIELD".into()));
            };
            let k = model
                .phases
                .iter()
                .position(|p| p.name == name)
                .ok_or_else(|| bad(format!("unknown phase {name:?}")))?;
            field(&PhaseField::ALL, PhaseField::name, f).map(|f| Param::Phase(k, f))
        } else if let Some(rest) = path.strip_prefix("agreement.") {
            let Some((name, f)) = rest.rsplit_once('.') else {
                return Err(bad("expected agreement.NAME.FIELD".into()));
            };
            let k = model
                .agreements
                .iter()
                .position(|a| a.name == name)
                .ok_or_else(|| bad(format!("unknown agreement {name:?}")))?;
            field(&AgreementField::ALL, AgreementField::name, f).map(|f| Param::Agreement(k, f))
        } else if let Some(f) = path.strip_prefix("peace.") {
            field(&PeaceField::ALL, PeaceField::name, f).map(Param::Peace)
        } else if let Some(f) = path.strip_prefix("controller.") {
            field(&ControllerField::ALL, ControllerField::name, f).map(Param::Controller)
        } else if let Some(f) = path.strip_prefix("spoilers.") {
            field(&SpoilerField::ALL, SpoilerField::name, f).map(Param::Spoilers)
        } else if let Some(f) = path.strip_prefix("hotline.") {
            field(&HotlineField::ALL, HotlineField::name, f).map(Param::Hotline)
        } else if let Some(f) = path.strip_prefix("incidents.") {
            field(&IncidentField::ALL, IncidentField::name, f).map(Param::Incidents)
        } else {
            None
        };
        let param =
            param.ok_or_else(|| bad(format!("unknown parameter path (use one of: {PATHS})")))?;
        param.validate(model).map_err(|e| match e {
            Error::Invalid(mut inv) => {
                inv.value = Some(path.to_string());
                Error::Invalid(inv)
            }
            other => other,
        })?;
        Ok(param)
    }

    /// Checks that `model` has this parameter: its actor, pair or phase
    /// index exists and the section it belongs to is present.
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
            Param::Actor(i, f) => {
                actor(i)?;
                if f == ActorField::Control && !model.proxies.iter().any(|p| p.actor == i) {
                    return fail(format!(
                        "{} is not a proxy (it has no patron)",
                        model.dynamics.names[i]
                    ));
                }
                if f.is_hardliners() && !model.hardliners.iter().any(|h| h.actor == i) {
                    return fail(format!(
                        "{} has no hardliners (set `hardliners` on the actor)",
                        model.dynamics.names[i]
                    ));
                }
                Ok(())
            }
            Param::Controller(
                ControllerField::AdaptationMemory
                | ControllerField::AdaptationBaseline
                | ControllerField::AdaptationFloor,
            ) if model
                .controller
                .as_ref()
                .is_none_or(|c| c.adaptation.is_none()) =>
            {
                fail("the controller has no `adaptation`".into())
            }
            Param::Peace(_) if model.peace.is_none() => fail("the scenario has no [peace]".into()),
            Param::Agreement(k, f) => match model.agreements.get(k) {
                None => fail(format!(
                    "no such agreement {k} ({} agreements)",
                    model.agreements.len()
                )),
                Some(a) => match (f, &a.condition) {
                    (AgreementField::At, crate::model::Condition::At { .. })
                    | (
                        AgreementField::ForDays,
                        crate::model::Condition::Rung { .. }
                        | crate::model::Condition::Agreement { .. },
                    ) => Ok(()),
                    (AgreementField::At, _) => {
                        fail(format!("agreement {} has no `when.at`", a.name))
                    }
                    (AgreementField::ForDays, _) => fail(format!(
                        "agreement {} holds from a day (`when.at`): it has no `for_days`",
                        a.name
                    )),
                },
            },
            Param::Controller(_) if model.controller.is_none() => {
                fail("the scenario has no [controller]".into())
            }
            Param::Spoilers(_) if model.spoilers.is_none() => {
                fail("the scenario has no [spoilers]".into())
            }
            Param::Hotline(_) if model.hotline.is_none() => {
                fail("the scenario has no [hotline]".into())
            }
            Param::Incidents(_) if model.incidents.is_none() => {
                fail("the scenario has no [incidents]".into())
            }
            Param::Phase(k, f) => match model.phases.get(k) {
                None => fail(format!("no such phase {k} ({} phases)", model.phases.len())),
                Some(p) if f == PhaseField::VerifiedGain && p.verify.is_none() => {
                    fail(format!("phase {} has no `verify` window", p.name))
                }
                Some(_) => Ok(()),
            },
            _ => Ok(()),
        }
    }

    fn range(self) -> Range {
        use Range::*;
        match self {
            Param::Coupling(..) | Param::Actor(_, ActorField::Grievance) => Finite,
            Param::Actor(_, ActorField::Restraint | ActorField::HardlinerDecay) => Positive,
            Param::Controller(
                ControllerField::Period
                | ControllerField::AdaptationMemory
                | ControllerField::AdaptationBaseline
                | ControllerField::AdaptationFloor,
            ) => Positive,
            Param::Peace(_) => Positive,
            Param::Controller(ControllerField::Lag) => Whole,
            Param::Actor(_, ActorField::Control)
            | Param::Spoilers(SpoilerField::Attribution)
            | Param::Hotline(HotlineField::Attribution | HotlineField::Misread)
            | Param::Incidents(IncidentField::Misread)
            | Param::Phase(
                _,
                PhaseField::Deconfliction | PhaseField::ProxyControl | PhaseField::Surveillance,
            ) => Probability,
            _ => NonNegative,
        }
    }

    /// Checks that `value` is allowed for this parameter.
    ///
    /// # Errors
    /// [`Error::Invalid`] (key `param`) with the reason.
    pub fn check(self, value: f64) -> Result<()> {
        let fail = |reason: &str| Err(Invalid::new("param", reason).value(num(value)).into());
        if !value.is_finite() {
            return fail("values must be finite");
        }
        match self.range() {
            Range::Positive if value <= 0.0 => fail("must be positive"),
            Range::NonNegative if value < 0.0 => fail("must not be negative"),
            Range::Probability if !(0.0..=1.0).contains(&value) => {
                fail("must be a probability in [0, 1]")
            }
            Range::Whole if value < 0.0 || value.fract() != 0.0 || value > MAX_LAG as f64 => {
                fail("a lag must be a whole number of periods")
            }
            _ => Ok(()),
        }
    }

    /// True for parameters that act only through random runs (spoilers,
    /// hotline accuracy, incidents, de-confliction): a sweep over one needs
    /// runs per point.
    #[must_use]
    pub fn is_stochastic(self) -> bool {
        matches!(
            self,
            Param::Spoilers(_)
                | Param::Hotline(_)
                | Param::Incidents(_)
                | Param::Phase(_, PhaseField::Deconfliction | PhaseField::Surveillance)
                | Param::Actor(_, ActorField::ResetRate | ActorField::Anxiety)
                | Param::Peace(_)
                | Param::Agreement(..)
        )
    }

    /// Sets the parameter in `model` (after [`Param::validate`] and
    /// [`Param::check`]; a parameter the model does not have is ignored).
    pub fn apply(self, model: &mut Model, value: f64) {
        self.access(model, Some(value));
    }

    /// The current value of this parameter in `model` (`None` for one the
    /// model does not have); an optional key reads as the value in force
    /// (`spoilers.phase_rate` as `rate` when unset).
    #[must_use]
    pub fn value_in(self, model: &Model) -> Option<f64> {
        self.access(&mut model.clone(), None)
    }

    /// Reads the value in force and, with `set`, writes a new one.
    fn access(self, m: &mut Model, set: Option<f64>) -> Option<f64> {
        fn rw(slot: &mut f64, set: Option<f64>) -> Option<f64> {
            let old = *slot;
            if let Some(v) = set {
                *slot = v;
            }
            Some(old)
        }
        fn rw_opt(slot: &mut Option<f64>, default: f64, set: Option<f64>) -> Option<f64> {
            let old = slot.unwrap_or(default);
            if let Some(v) = set {
                *slot = Some(v);
            }
            Some(old)
        }
        let n = m.n();
        let base_gain = m.dynamics.gain;
        match self {
            Param::Gain => rw(&mut m.dynamics.gain, set),
            Param::Coupling(i, j) if i < n && j < n => rw(&mut m.dynamics.coupling[(i, j)], set),
            Param::Coupling(..) => None,
            Param::Actor(i, ActorField::Restraint) => {
                m.dynamics.restraint.get_mut(i).and_then(|v| rw(v, set))
            }
            Param::Actor(i, ActorField::Grievance) => {
                m.dynamics.grievance.get_mut(i).and_then(|v| rw(v, set))
            }
            Param::Actor(i, ActorField::Control) => m
                .proxies
                .iter_mut()
                .find(|p| p.actor == i)
                .and_then(|p| rw(&mut p.control, set)),
            Param::Actor(i, ActorField::ResetRate) => {
                if i >= n {
                    return None;
                }
                let k = match m.resets.iter().position(|r| r.actor == i) {
                    Some(k) => k,
                    None if set.is_some() => {
                        m.resets.push(crate::model::Reset {
                            actor: i,
                            rate: 0.0,
                        });
                        m.resets.len() - 1
                    }
                    None => return Some(0.0),
                };
                rw(&mut m.resets[k].rate, set)
            }
            Param::Actor(i, ActorField::Anxiety) => {
                if i >= n {
                    return None;
                }
                let k = match m.anxiety.iter().position(|a| a.actor == i) {
                    Some(k) => k,
                    None if set.is_some() => {
                        m.anxiety.push(crate::model::Anxiety {
                            actor: i,
                            level: 0.0,
                        });
                        m.anxiety.len() - 1
                    }
                    None => return Some(0.0),
                };
                rw(&mut m.anxiety[k].level, set)
            }
            Param::Actor(i, f) => {
                let h = m.hardliners.iter_mut().find(|h| h.actor == i)?;
                match f {
                    ActorField::HardlinerFeed => rw(&mut h.feed, set),
                    ActorField::HardlinerDecay => rw(&mut h.decay, set),
                    ActorField::HardlinerWeight => rw(&mut h.weight, set),
                    _ => rw(&mut h.initial, set),
                }
            }
            Param::Peace(f) => {
                let p = m.peace.as_mut()?;
                match f {
                    PeaceField::AfterDays => rw(&mut p.after_days, set),
                    PeaceField::GrievanceDecay => rw(&mut p.grievance_decay, set),
                }
            }
            Param::Agreement(k, f) => {
                use crate::model::Condition;
                let a = m.agreements.get_mut(k)?;
                match (f, &mut a.condition) {
                    (AgreementField::At, Condition::At { day }) => rw(day, set),
                    (
                        AgreementField::ForDays,
                        Condition::Rung { for_days, .. } | Condition::Agreement { for_days, .. },
                    ) => rw(for_days, set),
                    _ => None,
                }
            }
            Param::Controller(f) => {
                let c = m.controller.as_mut()?;
                match f {
                    ControllerField::Period => rw(&mut c.period, set),
                    ControllerField::Derivative => rw(&mut c.derivative, set),
                    ControllerField::Deadband => rw(&mut c.deadband, set),
                    ControllerField::AdaptationMemory => {
                        c.adaptation.as_mut().and_then(|a| rw(&mut a.memory, set))
                    }
                    ControllerField::AdaptationBaseline => {
                        c.adaptation.as_mut().and_then(|a| rw(&mut a.baseline, set))
                    }
                    ControllerField::AdaptationFloor => {
                        c.adaptation.as_mut().and_then(|a| rw(&mut a.floor, set))
                    }
                    ControllerField::Lag => {
                        let old = c.lag as f64;
                        if let Some(v) = set {
                            // ok: checked to be a whole number ≤ MAX_LAG.
                            c.lag = v as usize;
                        }
                        Some(old)
                    }
                }
            }
            Param::Spoilers(f) => {
                let s = m.spoilers.as_mut()?;
                match f {
                    SpoilerField::Rate => rw(&mut s.rate, set),
                    SpoilerField::PhaseRate => rw_opt(&mut s.phase_rate, s.rate, set),
                    SpoilerField::Magnitude => rw(&mut s.magnitude, set),
                    SpoilerField::Attribution => rw(&mut s.attribution, set),
                    SpoilerField::AttributionDelay => rw(&mut s.attribution_delay, set),
                }
            }
            Param::Hotline(f) => {
                let (attribution, delay) = m
                    .spoilers
                    .as_ref()
                    .map_or((1.0, 0.0), |s| (s.attribution, s.attribution_delay));
                let misread = m.incidents.as_ref().map_or(0.0, |i| i.misread);
                let h = m.hotline.as_mut()?;
                match f {
                    HotlineField::Attribution => rw_opt(&mut h.attribution, attribution, set),
                    HotlineField::AttributionDelay => rw_opt(&mut h.attribution_delay, delay, set),
                    HotlineField::Misread => rw_opt(&mut h.misread, misread, set),
                }
            }
            Param::Incidents(f) => {
                let inc = m.incidents.as_mut()?;
                match f {
                    IncidentField::Rate => rw(&mut inc.rate, set),
                    IncidentField::Magnitude => rw(&mut inc.magnitude, set),
                    IncidentField::Misread => rw(&mut inc.misread, set),
                }
            }
            Param::Phase(k, f) => {
                let p = m.phases.get_mut(k)?;
                match f {
                    PhaseField::Gain => rw(&mut p.gain, set),
                    PhaseField::AfterGain => rw_opt(&mut p.after_gain, base_gain, set),
                    PhaseField::VerifiedGain => {
                        let g = p.gain;
                        rw_opt(&mut p.verified_gain, g, set)
                    }
                    PhaseField::Deconfliction => rw(&mut p.deconfliction, set),
                    PhaseField::Guarantee => rw(&mut p.guarantee, set),
                    PhaseField::ProxyControl => rw_opt(&mut p.proxy_control, 0.0, set),
                    PhaseField::Surveillance => rw(&mut p.surveillance, set),
                }
            }
        }
    }

    /// The path of this parameter in `model` (`coupling.US.Iran`,
    /// `phase.ceasefire.gain`, …); `?` stands for a name the model lacks.
    #[must_use]
    pub fn path(self, model: &Model) -> String {
        let name = |i: usize| model.dynamics.names.get(i).map_or("?", String::as_str);
        let phase = |k: usize| model.phases.get(k).map_or("?", |p| p.name.as_str());
        match self {
            Param::Gain => "gain".into(),
            Param::Coupling(i, j) => format!("coupling.{}.{}", name(i), name(j)),
            Param::Actor(i, f) => format!("actor.{}.{}", name(i), f.name()),
            Param::Controller(f) => format!("controller.{}", f.name()),
            Param::Spoilers(f) => format!("spoilers.{}", f.name()),
            Param::Hotline(f) => format!("hotline.{}", f.name()),
            Param::Incidents(f) => format!("incidents.{}", f.name()),
            Param::Phase(k, f) => format!("phase.{}.{}", phase(k), f.name()),
            Param::Peace(f) => format!("peace.{}", f.name()),
            Param::Agreement(k, f) => format!(
                "agreement.{}.{}",
                model.agreements.get(k).map_or("?", |a| a.name.as_str()),
                f.name()
            ),
        }
    }

    /// An axis label with units, e.g. "reaction of US to Iran, K (1/day)".
    #[must_use]
    pub fn label(self, model: &Model) -> String {
        let name = |i: usize| model.dynamics.names.get(i).map_or("?", String::as_str);
        let phase = |k: usize| model.phases.get(k).map_or("?", |p| p.name.as_str());
        match self {
            Param::Gain => "loop gain γ".into(),
            Param::Coupling(i, j) => format!("reaction of {} to {}, K (1/day)", name(i), name(j)),
            Param::Actor(i, ActorField::Restraint) => format!("restraint of {} (1/day)", name(i)),
            Param::Actor(i, ActorField::Grievance) => {
                format!("grievance of {} (intensity/day)", name(i))
            }
            Param::Actor(i, ActorField::Control) => format!("patron's control of {}", name(i)),
            Param::Actor(i, ActorField::ResetRate) => {
                format!("reset rate of {} (intensity/day)", name(i))
            }
            Param::Actor(i, ActorField::Anxiety) => {
                format!("anxiety of {} (intensity/day)", name(i))
            }
            Param::Actor(i, ActorField::HardlinerFeed) => {
                format!("hardliner feed κ of {}", name(i))
            }
            Param::Actor(i, ActorField::HardlinerDecay) => {
                format!("hardliner decay δ of {} (1/day)", name(i))
            }
            Param::Actor(i, ActorField::HardlinerWeight) => {
                format!("hardliner weight η of {}", name(i))
            }
            Param::Actor(i, ActorField::HardlinerInitial) => {
                format!("initial heat of {}'s hardliners", name(i))
            }
            Param::Controller(ControllerField::AdaptationMemory) => "adaptation memory β".into(),
            Param::Controller(ControllerField::AdaptationBaseline) => {
                "adaptation baseline σ₀ (intensity)".into()
            }
            Param::Controller(ControllerField::AdaptationFloor) => {
                "adaptation floor σ_min (intensity)".into()
            }
            Param::Peace(PeaceField::AfterDays) => "days of quiet before grievances decay".into(),
            Param::Peace(PeaceField::GrievanceDecay) => "grievance decay ε (1/day)".into(),
            Param::Agreement(k, f) => {
                let a = model.agreements.get(k).map_or("?", |a| a.name.as_str());
                match f {
                    AgreementField::At => format!("day agreement {a} holds from"),
                    AgreementField::ForDays => format!("days agreement {a}'s condition must hold"),
                }
            }
            Param::Controller(ControllerField::Period) => "decision period Δ (days)".into(),
            Param::Controller(ControllerField::Lag) => "perception lag d (periods)".into(),
            Param::Controller(ControllerField::Derivative) => "derivative time τ_D (days)".into(),
            Param::Controller(ControllerField::Deadband) => "deadband (intensity)".into(),
            Param::Spoilers(SpoilerField::Rate) => "spoiler attack rate (1/day)".into(),
            Param::Spoilers(SpoilerField::PhaseRate) => {
                "spoiler attack rate during a phase (1/day)".into()
            }
            Param::Spoilers(SpoilerField::Magnitude) => "attack magnitude (intensity)".into(),
            Param::Spoilers(SpoilerField::Attribution) => "attribution accuracy".into(),
            Param::Spoilers(SpoilerField::AttributionDelay) => "attribution delay (days)".into(),
            Param::Hotline(HotlineField::Attribution) => {
                "attribution accuracy with the hotline".into()
            }
            Param::Hotline(HotlineField::AttributionDelay) => {
                "attribution delay with the hotline (days)".into()
            }
            Param::Hotline(HotlineField::Misread) => {
                "probability an incident is misread, with the hotline".into()
            }
            Param::Incidents(IncidentField::Rate) => "incident rate μ".into(),
            Param::Incidents(IncidentField::Magnitude) => "incident magnitude (intensity)".into(),
            Param::Incidents(IncidentField::Misread) => "probability an incident is misread".into(),
            Param::Phase(k, f) => {
                let what = match f {
                    PhaseField::Gain => "gain during",
                    PhaseField::AfterGain => "gain after",
                    PhaseField::VerifiedGain => "verified gain of",
                    PhaseField::Deconfliction => "de-confliction during",
                    PhaseField::Guarantee => "guarantee (1/day) of",
                    PhaseField::ProxyControl => "proxy control during",
                    PhaseField::Surveillance => "surveillance during",
                };
                format!("{what} phase {}", phase(k))
            }
        }
    }
}
