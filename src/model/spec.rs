//! A model described by names: the input of [`super::ModelBuilder`] and the
//! structure of a scenario file (`docs/scenarios.md`).
//!
//! Every element refers to actors by name. [`Scenario::compile`] turns the
//! names into indices and checks the result ([`super::Model::check`]); the
//! same structure reads from TOML and JSON ([`crate::scenario`]). Unknown
//! keys are rejected so a typo never silently falls back to a default.
//!
//! Each spec has `Default` and chainable setters named after its fields:
//!
//! ```
//! use escalation::model::{ActorSpec, PhaseSpec};
//! let us = ActorSpec::new("US", 0.5).grievance(0.15).initial(2.5);
//! assert_eq!(us.restraint, 0.5);
//! let ceasefire = PhaseSpec::new("ceasefire", 0.0, 14.0, 0.3)
//!     .parties(["US", "Iran"])
//!     .breach_rung(4);
//! assert_eq!(ceasefire.parties, ["US", "Iran"]);
//! ```

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{OnBlame, Rung};

/// A whole number (a lag in periods, a rung index) that reads from an integer
/// or an integral float and rejects anything else with a clear message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Whole(pub u64);

impl Serialize for Whole {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(self.0)
    }
}

impl<'de> Deserialize<'de> for Whole {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Whole;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a non-negative whole number")
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Whole, E> {
                Ok(Whole(v))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Whole, E> {
                u64::try_from(v)
                    .map(Whole)
                    .map_err(|_| E::custom(format!("must be a non-negative whole number, got {v}")))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Whole, E> {
                if v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v < 9.0e15 {
                    Ok(Whole(v as u64))
                } else {
                    Err(E::custom(format!(
                        "must be a non-negative whole number, got {v}"
                    )))
                }
            }
        }
        d.deserialize_any(V)
    }
}

fn one() -> f64 {
    1.0
}
fn yes() -> bool {
    true
}
fn is_default<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}

/// A whole scenario file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Free-text name shown in outputs.
    #[serde(default)]
    pub name: String,
    /// Length of a run, days.
    pub horizon: f64,
    /// Baseline loop gain `γ` (default 1).
    #[serde(default = "one")]
    pub gain: f64,
    /// Default seed of the random stream (spoilers).
    #[serde(default)]
    pub seed: u64,
    /// The escalation ladder (default: the seven-rung ladder).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ladder: Option<LadderSpec>,
    /// The actors, in state order (`[[actor]]`).
    #[serde(rename = "actor")]
    pub actors: Vec<ActorSpec>,
    /// `coupling.ROW.COLUMN = K`: how ROW reacts to COLUMN, 1/day.
    #[serde(default)]
    pub coupling: BTreeMap<String, BTreeMap<String, f64>>,
    /// The discrete controller; absent means continuous coupling.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub controller: Option<ControllerSpec>,
    /// Gain schedules (`[[phase]]`), e.g. a ceasefire.
    #[serde(default, rename = "phase", skip_serializing_if = "Vec::is_empty")]
    pub phases: Vec<PhaseSpec>,
    /// Third-party attacks with an attribution problem.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spoilers: Option<SpoilerSpec>,
    /// A crisis hotline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hotline: Option<HotlineSpec>,
    /// Localized skirmishes between actors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incidents: Option<IncidentSpec>,
    /// Reversible, transaction-based agreements (`[[agreement]]`).
    #[serde(default, rename = "agreement", skip_serializing_if = "Vec::is_empty")]
    pub agreements: Vec<AgreementSpec>,
    /// Grievances that decay after a long quiet (a positive peace).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peace: Option<PeaceSpec>,
}

/// `[peace]`: once every actor has stayed on rung 0 for `after_days`, every
/// positive grievance decays at `grievance_decay` until the quiet breaks.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeaceSpec {
    /// `D > 0`, days.
    pub after_days: f64,
    /// `ε > 0`, 1/day.
    pub grievance_decay: f64,
}

/// `actor.hardliners = { feed, decay, weight, initial }`: political heat.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HardlinerSpec {
    /// `κ ≥ 0`: heat gained per unit of the actor's intensity per day.
    pub feed: f64,
    /// `δ > 0`: 1/day.
    pub decay: f64,
    /// `η ≥ 0`: grievance per unit of heat.
    pub weight: f64,
    /// `h(0) ≥ 0` (default 0).
    #[serde(default, skip_serializing_if = "is_default")]
    pub initial: f64,
}

/// `controller.adaptation = { memory, baseline, floor }`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdaptationSpec {
    /// `β ∈ (0, 1]`.
    pub memory: f64,
    /// `σ₀ > 0`, intensity per period.
    pub baseline: f64,
    /// `σ_min ∈ (0, σ₀]`.
    pub floor: f64,
}

/// `[ladder]`: a preset or custom rungs, and hysteresis.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LadderSpec {
    /// `"default"` or `"kahn44"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preset: Option<String>,
    /// Custom rungs `[{ name, from }]`, lowest first, the first from 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rungs: Option<Vec<Rung>>,
    /// Stepping down needs the intensity below the rung's bound minus this.
    #[serde(default, skip_serializing_if = "is_default")]
    pub hysteresis: f64,
}

/// `[[actor]]`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActorSpec {
    /// Unique name.
    pub name: String,
    /// `a_i > 0`, 1/day.
    pub restraint: f64,
    /// `g_i`, intensity/day (default 0).
    #[serde(default, skip_serializing_if = "is_default")]
    pub grievance: f64,
    /// `x_i(0) ≥ 0`, intensity (default 0).
    #[serde(default, skip_serializing_if = "is_default")]
    pub initial: f64,
    /// Logistic ceiling `C_i > 0`, intensity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ceiling: Option<f64>,
    /// For a proxy: the actor that partly controls it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patron: Option<String>,
    /// For a proxy: how much of its reaction and grievance the patron removes, in [0, 1].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control: Option<f64>,
    /// Hidden stock built per day while a party to an active phase (default 0).
    #[serde(default, skip_serializing_if = "is_default")]
    pub reset_rate: f64,
    /// Political heat (default none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hardliners: Option<HardlinerSpec>,
    /// Grievance added while a phase the actor is outside of is active (default 0).
    #[serde(default, skip_serializing_if = "is_default")]
    pub anxiety: f64,
}

/// `[controller]`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ControllerSpec {
    /// Decision period `Δ`, days.
    pub period: f64,
    /// Perception lag, whole periods (default 0).
    #[serde(default, skip_serializing_if = "is_default")]
    pub lag: Whole,
    /// Derivative time `τ_D`, days (default 0).
    #[serde(default, skip_serializing_if = "is_default")]
    pub derivative: f64,
    /// Ignored perceived change, intensity (default 0).
    #[serde(default, skip_serializing_if = "is_default")]
    pub deadband: f64,
    /// Bound on `|u_i|`, intensity/day (default none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub saturation: Option<f64>,
    /// Adaptation of the derivative term to recent movement (default none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adaptation: Option<AdaptationSpec>,
}

/// `[[phase]]`: a gain schedule among `parties` on `[start, end)`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhaseSpec {
    /// Unique name (used by `phase.NAME.gain` in sweeps).
    pub name: String,
    /// Start, days.
    pub start: f64,
    /// End, days (`> start`).
    pub end: f64,
    /// Gain among parties during the phase.
    pub gain: f64,
    /// The actors bound by the phase.
    pub parties: Vec<String>,
    /// Length of the quiet-for-quiet test from `start`, days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify: Option<f64>,
    /// A party reaching this rung breaches the phase.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub breach_rung: Option<Whole>,
    /// A phase that held is extended by this many days (repeatedly).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extend_days: Option<f64>,
    /// Gain among parties after the phase ends or collapses (default: baseline).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_gain: Option<f64>,
    /// What a misattributed attack on a party does: `"respond"` (default)
    /// or `"breach"`.
    #[serde(default, skip_serializing_if = "is_default")]
    pub on_blame: OnBlame,
    /// A proxy of a party breaches on its patron's behalf (default false).
    #[serde(default, skip_serializing_if = "is_default")]
    pub accountable: bool,
    /// Control of every proxy of a party while active: `max(this, own)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy_control: Option<f64>,
    /// Gain among parties from a passed verification test to the end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified_gain: Option<f64>,
    /// Share of incidents between parties prevented, in [0, 1] (default 0).
    #[serde(default, skip_serializing_if = "is_default")]
    pub deconfliction: f64,
    /// Added to each party's restraint while active, 1/day (default 0).
    #[serde(default, skip_serializing_if = "is_default")]
    pub guarantee: f64,
    /// Share of a party's hidden stock the others see while active, in [0, 1] (default 0).
    #[serde(default, skip_serializing_if = "is_default")]
    pub surveillance: f64,
    /// Outsiders whose anxiety the phase accounts for (default none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assures: Vec<String>,
}

/// `[spoilers]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpoilerSpec {
    /// Poisson rate of attacks, per day.
    pub rate: f64,
    /// Size of an attack, intensity.
    pub magnitude: f64,
    /// Actors attacked.
    pub targets: Vec<String>,
    /// Who is blamed when attribution fails.
    pub accused: String,
    /// Probability the victim blames the spoiler correctly, in [0, 1] (default 1).
    #[serde(default = "one")]
    pub attribution: f64,
    /// Days from attack to blame (default 0).
    #[serde(default, skip_serializing_if = "is_default")]
    pub attribution_delay: f64,
    /// Attack rate while a phase binding a target is active (default `rate`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase_rate: Option<f64>,
}

/// `[incidents]`: localized skirmishes.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IncidentSpec {
    /// `μ`, per day per unit of intensity squared.
    pub rate: f64,
    /// Perceived escalation of a misread incident, intensity.
    pub magnitude: f64,
    /// Probability an incident is misread, in [0, 1] (default 0).
    #[serde(default, skip_serializing_if = "is_default")]
    pub misread: f64,
    /// Pairs that can clash (default: every pair with a non-zero coupling).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pairs: Option<Vec<[String; 2]>>,
}

/// `[hotline]`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HotlineSpec {
    /// Day from which the hotline works.
    pub start: f64,
    /// Controller lag with the hotline, whole periods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lag: Option<Whole>,
    /// Attribution accuracy with the hotline, in [0, 1].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribution: Option<f64>,
    /// Attribution delay with the hotline, days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribution_delay: Option<f64>,
    /// Probability an incident is misread with the hotline, in [0, 1].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub misread: Option<f64>,
}

/// `[[agreement]]`: when a condition has held for a time, parameter changes
/// take effect for a limited time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgreementSpec {
    /// Optional name for events and chains (`when.agreement`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// The condition.
    pub when: ConditionSpec,
    /// The effects: one table or a list of tables, each on one actor.
    #[serde(
        serialize_with = "one_or_many::serialize",
        deserialize_with = "one_or_many::deserialize"
    )]
    pub then: Vec<EffectSpec>,
    /// Withdraw the effects at once if the condition breaks (default true).
    #[serde(default = "yes")]
    pub reversible: bool,
}

/// `when = { actor, below_rung, for_days }`, `when = { at }` or
/// `when = { agreement, for_days }`: exactly one kind.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConditionSpec {
    /// Whose rung is watched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    /// The actor must stay strictly below this rung.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub below_rung: Option<Whole>,
    /// The condition holds from this day on, unconditionally.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<f64>,
    /// The condition holds while this agreement's effects are on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agreement: Option<String>,
    /// For this many days, continuously (default 0; not with `at`).
    #[serde(default, skip_serializing_if = "is_default")]
    pub for_days: f64,
}

/// `then = { actor, grievance, restraint, coupling, for_days }`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EffectSpec {
    /// Whose parameters change.
    pub actor: String,
    /// New grievance while the effect is on, intensity/day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grievance: Option<f64>,
    /// New restraint while the effect is on, 1/day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restraint: Option<f64>,
    /// New entries of the actor's coupling row while on: `{ COLUMN = K }`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub coupling: BTreeMap<String, f64>,
    /// How long the effect lasts, days.
    pub for_days: f64,
}

/// `then` as one table or a list of tables.
mod one_or_many {
    use std::fmt;

    use serde::de::{self, MapAccess, SeqAccess, Visitor};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::EffectSpec;

    pub fn serialize<S: Serializer>(v: &[EffectSpec], s: S) -> Result<S::Ok, S::Error> {
        match v {
            [one] => one.serialize(s),
            many => many.serialize(s),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<EffectSpec>, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Vec<EffectSpec>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an effect table or a list of effect tables")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                Ok(vec![EffectSpec::deserialize(
                    de::value::MapAccessDeserializer::new(map),
                )?])
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                Vec::<EffectSpec>::deserialize(de::value::SeqAccessDeserializer::new(seq))
            }
        }
        d.deserialize_any(V)
    }
}

impl Default for Scenario {
    /// No actors, horizon 0 (to be set), gain 1, seed 0.
    fn default() -> Self {
        Self {
            name: String::new(),
            horizon: 0.0,
            gain: 1.0,
            seed: 0,
            ladder: None,
            actors: Vec::new(),
            coupling: BTreeMap::new(),
            controller: None,
            phases: Vec::new(),
            spoilers: None,
            hotline: None,
            incidents: None,
            agreements: Vec::new(),
            peace: None,
        }
    }
}

impl Default for SpoilerSpec {
    /// No attacks (rate 0), correct attribution (1), no delay.
    fn default() -> Self {
        Self {
            rate: 0.0,
            magnitude: 0.0,
            targets: Vec::new(),
            accused: String::new(),
            attribution: 1.0,
            attribution_delay: 0.0,
            phase_rate: None,
        }
    }
}

impl Default for AgreementSpec {
    /// Reversible, with an empty condition and effect (to be set).
    fn default() -> Self {
        Self {
            name: String::new(),
            when: ConditionSpec::default(),
            then: Vec::new(),
            reversible: true,
        }
    }
}
