//! Constructors and chainable setters of the specs in [`super::spec`]: each
//! setter is named after the field it sets and returns the spec, so a model
//! reads in code as it reads in a scenario file.

use super::spec::{
    ActorSpec, AgreementSpec, ConditionSpec, ControllerSpec, EffectSpec, HotlineSpec, IncidentSpec,
    LadderSpec, PhaseSpec, SpoilerSpec, Whole,
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
    initial: f64
});
set_some!(ActorSpec { ceiling: f64 });

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
set_some!(ControllerSpec { saturation: f64 });

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
            actor: actor.into(),
            below_rung: Whole(rung),
            for_days: days,
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

impl AgreementSpec {
    /// A reversible agreement: when `condition` has held, `effect` takes hold.
    #[must_use]
    pub fn new(name: impl Into<String>, condition: ConditionSpec, effect: EffectSpec) -> Self {
        Self {
            name: name.into(),
            when: condition,
            then: effect,
            reversible: true,
        }
    }
}
set!(AgreementSpec { reversible: bool });
