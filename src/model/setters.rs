//! Constructors and chainable setters of the specs in [`super::spec`]: each
//! setter is named after the field it sets and returns the spec, so a model
//! reads in code as it reads in a scenario file.

use super::spec::{
    ActorSpec, AdaptationSpec, AgreementSpec, ConditionSpec, ControllerSpec, EffectSpec,
    HardlinerSpec, HotlineSpec, IncidentSpec, LadderSpec, PeaceSpec, PhaseSpec, SpoilerSpec, Whole,
};
use super::{OnBlame, Rung};

/// Setters that assign the argument to the field of the same name.
macro_rules! set {
    ($ty:ty { $($field:ident : $t:ty),* $(,)? }) => {
        impl $ty {
            $(
                #[doc = concat!("Sets `", stringify!($field), "`.")]
                #[must_use]
                pub fn $field(mut self, value: $t) -> Self {
                    self.$field = value.into();
                    self
                }
            )*
        }
    };
}

/// Setters of optional fields: the argument becomes `Some(argument)`.
macro_rules! set_some {
    ($ty:ty { $($field:ident : $t:ty),* $(,)? }) => {
        impl $ty {
            $(
                #[doc = concat!("Sets `", stringify!($field), "`.")]
                #[must_use]
                pub fn $field(mut self, value: $t) -> Self {
                    self.$field = Some(value.into());
                    self
                }
            )*
        }
    };
}

impl From<u64> for Whole {
    fn from(v: u64) -> Self {
        Whole(v)
    }
}

impl LadderSpec {
    /// A preset ladder: `"default"` (seven rungs) or `"kahn44"`.
    #[must_use]
    pub fn preset(name: impl Into<String>) -> Self {
        Self {
            preset: Some(name.into()),
            ..Self::default()
        }
    }

    /// A custom ladder, lowest rung first (the first from 0).
    #[must_use]
    pub fn custom(rungs: Vec<Rung>) -> Self {
        Self {
            rungs: Some(rungs),
            ..Self::default()
        }
    }
}
set!(LadderSpec { hysteresis: f64 });

impl ActorSpec {
    /// An actor with restraint `a > 0` (1/day) and everything else 0.
    #[must_use]
    pub fn new(name: impl Into<String>, restraint: f64) -> Self {
        Self {
            name: name.into(),
            restraint,
            ..Self::default()
        }
    }

    /// Makes the actor a proxy of `patron`, which removes the share
    /// `control ∈ [0, 1]` of its own reaction and grievance.
    #[must_use]
    pub fn proxy_of(mut self, patron: impl Into<String>, control: f64) -> Self {
        self.patron = Some(patron.into());
        self.control = Some(control);
        self
    }
}
set!(ActorSpec {
    grievance: f64,
    initial: f64,
    reset_rate: f64,
    anxiety: f64,
});
set_some!(ActorSpec {
    ceiling: f64,
    hardliners: HardlinerSpec
});

impl HardlinerSpec {
    /// Hardliners fed at `feed` per unit of intensity, decaying at `decay`
    /// (1/day), adding `weight` × heat to the grievance; no initial heat.
    #[must_use]
    pub fn new(feed: f64, decay: f64, weight: f64) -> Self {
        Self {
            feed,
            decay,
            weight,
            initial: 0.0,
        }
    }
}
set!(HardlinerSpec { initial: f64 });

impl AdaptationSpec {
    /// Adaptation with memory `β`, baseline movement `σ₀` and floor `σ_min`.
    #[must_use]
    pub fn new(memory: f64, baseline: f64, floor: f64) -> Self {
        Self {
            memory,
            baseline,
            floor,
        }
    }
}

impl PeaceSpec {
    /// Positive grievances decay at `grievance_decay` after `after_days` of quiet.
    #[must_use]
    pub fn new(after_days: f64, grievance_decay: f64) -> Self {
        Self {
            after_days,
            grievance_decay,
        }
    }
}

impl ControllerSpec {
    /// A proportional controller deciding every `period` days, without lag.
    #[must_use]
    pub fn new(period: f64) -> Self {
        Self {
            period,
            ..Self::default()
        }
    }
}
set!(ControllerSpec {
    lag: u64,
    derivative: f64,
    deadband: f64
});
set_some!(ControllerSpec {
    saturation: f64,
    adaptation: AdaptationSpec
});

impl PhaseSpec {
    /// A phase setting the gain among its parties to `gain` on `[start, end)` (days).
    #[must_use]
    pub fn new(name: impl Into<String>, start: f64, end: f64, gain: f64) -> Self {
        Self {
            name: name.into(),
            start,
            end,
            gain,
            ..Self::default()
        }
    }

    /// Sets the parties by name.
    #[must_use]
    pub fn parties<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.parties = names.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the outsiders whose anxiety the phase accounts for.
    #[must_use]
    pub fn assures<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.assures = names.into_iter().map(Into::into).collect();
        self
    }
}
set_some!(PhaseSpec {
    verify: f64,
    breach_rung: u64,
    extend_days: f64,
    after_gain: f64,
    proxy_control: f64,
    verified_gain: f64,
});
set!(PhaseSpec {
    on_blame: OnBlame,
    accountable: bool,
    deconfliction: f64,
    guarantee: f64,
    surveillance: f64,
});

impl SpoilerSpec {
    /// Attacks at `rate` per day of size `magnitude` (intensity) on
    /// `targets`, blamed on `accused` when misattributed (attribution 1 until set).
    #[must_use]
    pub fn new<S: Into<String>>(
        rate: f64,
        magnitude: f64,
        targets: impl IntoIterator<Item = S>,
        accused: impl Into<String>,
    ) -> Self {
        Self {
            rate,
            magnitude,
            targets: targets.into_iter().map(Into::into).collect(),
            accused: accused.into(),
            ..Self::default()
        }
    }
}
set!(SpoilerSpec {
    attribution: f64,
    attribution_delay: f64
});
set_some!(SpoilerSpec { phase_rate: f64 });

impl IncidentSpec {
    /// Incidents at `μ x_i x_j` per day (`rate` = μ) of perceived size
    /// `magnitude` when misread (never misread until [`IncidentSpec::misread`]).
    #[must_use]
    pub fn new(rate: f64, magnitude: f64) -> Self {
        Self {
            rate,
            magnitude,
            ..Self::default()
        }
    }

    /// Restricts incidents to these pairs of actors (by name).
    #[must_use]
    pub fn pairs<S: Into<String>>(mut self, pairs: impl IntoIterator<Item = (S, S)>) -> Self {
        self.pairs = Some(
            pairs
                .into_iter()
                .map(|(a, b)| [a.into(), b.into()])
                .collect(),
        );
        self
    }
}
set!(IncidentSpec { misread: f64 });

impl HotlineSpec {
    /// A hotline working from day `start` (set what it changes with the setters).
    #[must_use]
    pub fn new(start: f64) -> Self {
        Self {
            start,
            ..Self::default()
        }
    }
}
set_some!(HotlineSpec {
    lag: u64,
    attribution: f64,
    attribution_delay: f64,
    misread: f64,
});

impl ConditionSpec {
    /// `actor` stays strictly below `rung` for `days` days.
    #[must_use]
    pub fn below(actor: impl Into<String>, rung: u64, days: f64) -> Self {
        Self {
            actor: Some(actor.into()),
            below_rung: Some(Whole(rung)),
            for_days: days,
            ..Self::default()
        }
    }

    /// From day `day` on, unconditionally (a front-loaded step).
    #[must_use]
    pub fn at(day: f64) -> Self {
        Self {
            at: Some(day),
            ..Self::default()
        }
    }

    /// While agreement `name`'s effects are on, for `days` days.
    #[must_use]
    pub fn agreement(name: impl Into<String>, days: f64) -> Self {
        Self {
            agreement: Some(name.into()),
            for_days: days,
            ..Self::default()
        }
    }
}

impl EffectSpec {
    /// An effect on `actor` lasting `days` days (set what it changes with the setters).
    #[must_use]
    pub fn on(actor: impl Into<String>, days: f64) -> Self {
        Self {
            actor: actor.into(),
            for_days: days,
            ..Self::default()
        }
    }
}
set_some!(EffectSpec {
    grievance: f64,
    restraint: f64
});

impl EffectSpec {
    /// Sets the actor's coupling to `column` to `k` while the effect is on.
    #[must_use]
    pub fn coupling(mut self, column: impl Into<String>, k: f64) -> Self {
        self.coupling.insert(column.into(), k);
        self
    }
}

impl AgreementSpec {
    /// A reversible agreement: when `condition` has held, `effect` takes hold.
    #[must_use]
    pub fn new(name: impl Into<String>, condition: ConditionSpec, effect: EffectSpec) -> Self {
        Self {
            name: name.into(),
            when: condition,
            then: vec![effect],
            reversible: true,
        }
    }

    /// Adds another effect (on the same or another actor).
    #[must_use]
    pub fn and(mut self, effect: EffectSpec) -> Self {
        self.then.push(effect);
        self
    }
}
set!(AgreementSpec { reversible: bool });
