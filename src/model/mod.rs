//! The model: continuous dynamics (Richardson family), the escalation ladder,
//! and a compiled scenario ([`Model`]) with its mechanisms.
//!
//! For `N` actors with intensities `x_i ≥ 0` (one unit = one rung of the
//! default ladder):
//!
//! ```text
//! dx_i/dt = -a_i x_i + γ Σ_j K_ij x_j + g_i                      (linear model)
//! dx_i/dt = (1 - x_i/C_i) · (-a_i x_i + γ Σ_j K_ij x_j + g_i)    (with a ceiling C_i)
//! ```
//!
//! Intensities never go negative: where `x_i = 0` and the drive is negative,
//! the derivative is set to zero (the flow is projected onto the orthant).

//!
//! A [`Model`] is a plain value: build one from names with [`Model::builder`]
//! (or from a file with [`crate::scenario::Scenario::load`]), or write its
//! fields directly with indices. Either way [`Model::check`] holds every
//! rule, and every entry point of the crate calls it.

mod builder;
mod check;
mod compile;
mod dynamics;
pub mod field;
mod ladder;
mod mechanisms;
mod phase_loop;
mod setters;
mod spec;

use std::borrow::Cow;

use nalgebra::DVector;

pub use builder::ModelBuilder;
pub use dynamics::Dynamics;
pub use ladder::{KAHN_GROUPS, Ladder, Rung, RungTracker};
pub use mechanisms::{
    Agreement, Anxiety, Condition, Effect, Hardliners, Hotline, Incidents, OnBlame, Peace, Phase,
    Proxy, Reset, Spoilers,
};
pub use phase_loop::PhaseStage;
pub use spec::{
    ActorSpec, AdaptationSpec, AgreementSpec, ConditionSpec, ControllerSpec, EffectSpec,
    HardlinerSpec, HotlineSpec, IncidentSpec, LadderSpec, PeaceSpec, PhaseSpec, Scenario,
    SpoilerSpec, Whole,
};

use crate::control::Controller;

/// A model: everything the simulator and the analyses need, with actors
/// referred to by index.
///
/// Build one from names with [`Model::builder`] or
/// [`crate::scenario::Scenario::compile`], or write the fields directly
/// (indices, not names); [`Model::check`] says whether it is valid, and every
/// entry point of the crate calls it.
///
/// # Example
///
/// ```
/// use escalation::prelude::*;
/// use escalation::model::{ActorSpec, PhaseSpec};
///
/// let model = Model::builder()
///     .horizon(30.0)
///     .actor(ActorSpec::new("A", 0.5).initial(1.0))
///     .actor(ActorSpec::new("B", 0.4))
///     .coupling("A", "B", 0.3)
///     .coupling("B", "A", 0.6)
///     .phase(PhaseSpec::new("truce", 0.0, 14.0, 0.2).parties(["A", "B"]))
///     .build()?;
/// assert_eq!(model.n(), 2);
/// assert_eq!(model.phases[0].parties, [0, 1]);
/// # Ok::<(), escalation::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// Scenario name.
    pub name: String,
    /// The continuous dynamics at the baseline gain, with each actor's own
    /// reaction and grievance as written (proxy control is applied by
    /// [`Model::effective_dynamics`]).
    pub dynamics: Dynamics,
    /// `x(0)`, intensity.
    pub initial: DVector<f64>,
    /// The escalation ladder.
    pub ladder: Ladder,
    /// The discrete controller, if any.
    pub controller: Option<Controller>,
    /// Run length, days.
    pub horizon: f64,
    /// Default seed.
    pub seed: u64,
    /// Gain schedules, in the order written (a later-starting phase
    /// overrides an earlier one for the pairs both bind).
    pub phases: Vec<Phase>,
    /// Spoiler attacks.
    pub spoilers: Option<Spoilers>,
    /// Hotline.
    pub hotline: Option<Hotline>,
    /// Localized skirmishes.
    pub incidents: Option<Incidents>,
    /// Agreements.
    pub agreements: Vec<Agreement>,
    /// Proxies and their patrons' control.
    pub proxies: Vec<Proxy>,
    /// Hardliners (political heat), at most one entry per actor.
    pub hardliners: Vec<Hardliners>,
    /// Hidden stocks built during phases (the tactical reset), at most one
    /// entry per actor.
    pub resets: Vec<Reset>,
    /// Regional anxiety of actors outside a phase, at most one entry per actor.
    pub anxiety: Vec<Anxiety>,
    /// Grievances decaying after a long quiet.
    pub peace: Option<Peace>,
}

impl Model {
    /// A model with only continuous dynamics: default ladder, no controller,
    /// no mechanisms, initial state zero.
    #[must_use]
    pub fn from_dynamics(dynamics: Dynamics, horizon: f64) -> Self {
        let n = dynamics.n();
        Self {
            name: String::new(),
            dynamics,
            initial: DVector::zeros(n),
            ladder: Ladder::standard(),
            controller: None,
            horizon,
            seed: 0,
            phases: Vec::new(),
            spoilers: None,
            hotline: None,
            incidents: None,
            agreements: Vec::new(),
            proxies: Vec::new(),
            hardliners: Vec::new(),
            resets: Vec::new(),
            anxiety: Vec::new(),
            peace: None,
        }
    }

    /// A builder that takes names (see [`ModelBuilder`]).
    ///
    /// ```
    /// use escalation::prelude::*;
    ///
    /// // Richardson's dyad with a logistic ceiling on one side, in code.
    /// let model = Model::builder()
    ///     .horizon(100.0)
    ///     .actor(ActorSpec::new("A", 0.5).grievance(0.02))
    ///     .actor(ActorSpec::new("B", 0.4).grievance(0.01).ceiling(5.0))
    ///     .coupling("A", "B", 0.3)
    ///     .coupling("B", "A", 0.6)
    ///     .build()?;
    /// assert_eq!(model.dynamics.names, ["A", "B"]);
    /// assert_eq!(model.dynamics.coupling[(1, 0)], 0.6);
    /// assert_eq!(model.dynamics.ceiling, [None, Some(5.0)]);
    /// # Ok::<(), escalation::Error>(())
    /// ```
    #[must_use]
    pub fn builder() -> ModelBuilder {
        ModelBuilder::default()
    }

    /// Control in `[0, 1]` of each actor by its patron (0 for non-proxies).
    #[must_use]
    pub fn control(&self) -> Vec<f64> {
        let mut c = vec![0.0; self.n()];
        for p in &self.proxies {
            if let Some(v) = c.get_mut(p.actor) {
                *v = p.control;
            }
        }
        c
    }

    /// The dynamics the actors follow at the baseline: each proxy's coupling
    /// row and grievance scaled by `1 − control`. Borrowed when there are no
    /// proxies. Every analysis of a model uses these.
    #[must_use]
    pub fn effective_dynamics(&self) -> Cow<'_, Dynamics> {
        if self.proxies.iter().all(|p| p.control == 0.0) {
            return Cow::Borrowed(&self.dynamics);
        }
        Cow::Owned(self.dynamics.with_control(&self.control()))
    }

    /// The restraint hardliners remove in steady state, `H_i = η_i κ_i / δ_i`
    /// per actor (0 without hardliners).
    #[must_use]
    pub fn heat_load(&self) -> Vec<f64> {
        let mut h = vec![0.0; self.n()];
        for x in &self.hardliners {
            if let Some(v) = h.get_mut(x.actor) {
                *v += x.weight * x.feed / x.decay;
            }
        }
        h
    }

    /// The loop of the intensities alone in steady state: the
    /// [`Model::effective_dynamics`] with each restraint lowered by the
    /// [`Model::heat_load`] of its hardliners (`h = κx/δ`). The linear
    /// analyses of sweeps, figures and phases use it (`docs/analysis.md`).
    ///
    /// # Errors
    /// [`crate::Error::Numerical`] when some actor's hardliners outweigh its
    /// restraint (`a_i ≤ η_i κ_i / δ_i`): that heat loop explodes alone, at
    /// any gain, and has no steady state.
    pub fn steady_dynamics(&self) -> crate::Result<Cow<'_, Dynamics>> {
        let d = self.effective_dynamics();
        if self.hardliners.is_empty() {
            return Ok(d);
        }
        let load = self.heat_load();
        let mut d = d.into_owned();
        for (i, &h) in load.iter().enumerate() {
            let a = d.restraint[i] - h;
            if a <= 0.0 {
                return Err(crate::Error::numerical(format!(
                    "the hardliner loop of {} alone is explosive (restraint {} ≤ ηκ/δ = {}): it has no steady state at any gain",
                    d.names[i],
                    crate::error::num(d.restraint[i]),
                    crate::error::num(h)
                )));
            }
            d.restraint[i] = a;
        }
        Ok(Cow::Owned(d))
    }

    /// Number of actors.
    #[must_use]
    pub fn n(&self) -> usize {
        self.dynamics.n()
    }
}
