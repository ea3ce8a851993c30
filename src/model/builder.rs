//! [`ModelBuilder`]: a model from names, in code.

use super::Model;
use super::spec::{
    ActorSpec, AgreementSpec, ControllerSpec, HotlineSpec, IncidentSpec, LadderSpec, PeaceSpec,
    PhaseSpec, Scenario, SpoilerSpec,
};
use crate::error::Result;

/// Builds a [`Model`] from names, element by element, exactly as a scenario
/// file describes one; [`ModelBuilder::build`] resolves the names and checks
/// the model ([`Model::check`]).
///
/// Elements are numbered in the order they are added, so an error names
/// them as a file would: the second phase added is `phase[1]`.
///
/// # Example
///
/// A ceasefire between two rivals, with spoilers and a hotline:
///
/// ```
/// use escalation::prelude::*;
/// use escalation::model::{ActorSpec, ControllerSpec, HotlineSpec, PhaseSpec, SpoilerSpec};
///
/// let model = Model::builder()
///     .name("two rivals")
///     .horizon(60.0)
///     .seed(7)
///     .actor(ActorSpec::new("US", 0.5).grievance(0.15).initial(2.5))
///     .actor(ActorSpec::new("Iran", 0.4).grievance(0.2).initial(2.5))
///     .coupling("US", "Iran", 0.3)
///     .coupling("Iran", "US", 0.35)
///     .controller(ControllerSpec::new(1.0).lag(1))
///     .phase(
///         PhaseSpec::new("ceasefire", 0.0, 14.0, 0.3)
///             .parties(["US", "Iran"])
///             .verify(4.0)
///             .breach_rung(4),
///     )
///     .spoilers(SpoilerSpec::new(0.1, 1.5, ["US"], "Iran").attribution(0.6))
///     .hotline(HotlineSpec::new(2.0).attribution(0.9))
///     .build()?;
/// let run = simulate(&model, &SimOptions::default())?;
/// assert!(run.end_time > 0.0);
///
/// // A name that does not resolve is an error naming the element.
/// let err = Model::builder()
///     .horizon(10.0)
///     .actor(ActorSpec::new("A", 0.5))
///     .phase(PhaseSpec::new("p", 0.0, 5.0, 0.1).parties(["A", "Z"]))
///     .build()
///     .unwrap_err();
/// assert!(err.to_string().contains("`phase[0].parties[1]` = \"Z\": unknown actor"));
/// # Ok::<(), escalation::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ModelBuilder {
    spec: Scenario,
}

impl ModelBuilder {
    /// A builder with no actors and gain 1; set at least the horizon and one actor.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Continues from a scenario (for example one read from a file).
    #[must_use]
    pub fn from_scenario(spec: Scenario) -> Self {
        Self { spec }
    }

    /// The scenario built so far (write it to a file with
    /// [`Scenario::to_toml_string`]).
    #[must_use]
    pub fn scenario(&self) -> &Scenario {
        &self.spec
    }

    /// Sets the name shown in outputs.
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.spec.name = name.into();
        self
    }

    /// Sets the length of a run, days.
    #[must_use]
    pub fn horizon(mut self, days: f64) -> Self {
        self.spec.horizon = days;
        self
    }

    /// Sets the baseline loop gain `γ` (default 1).
    #[must_use]
    pub fn gain(mut self, gain: f64) -> Self {
        self.spec.gain = gain;
        self
    }

    /// Sets the default seed of the random streams.
    #[must_use]
    pub fn seed(mut self, seed: u64) -> Self {
        self.spec.seed = seed;
        self
    }

    /// Sets the escalation ladder (default: the seven-rung ladder).
    #[must_use]
    pub fn ladder(mut self, ladder: LadderSpec) -> Self {
        self.spec.ladder = Some(ladder);
        self
    }

    /// Adds an actor (state order is the order of addition).
    #[must_use]
    pub fn actor(mut self, actor: ActorSpec) -> Self {
        self.spec.actors.push(actor);
        self
    }

    /// Sets `K[row][column]`: how `row` reacts to `column`, 1/day.
    #[must_use]
    pub fn coupling(mut self, row: impl Into<String>, column: impl Into<String>, k: f64) -> Self {
        self.spec
            .coupling
            .entry(row.into())
            .or_default()
            .insert(column.into(), k);
        self
    }

    /// Sets the discrete controller (absent: continuous coupling).
    #[must_use]
    pub fn controller(mut self, controller: ControllerSpec) -> Self {
        self.spec.controller = Some(controller);
        self
    }

    /// Adds a gain schedule (a ceasefire phase).
    #[must_use]
    pub fn phase(mut self, phase: PhaseSpec) -> Self {
        self.spec.phases.push(phase);
        self
    }

    /// Sets the spoilers.
    #[must_use]
    pub fn spoilers(mut self, spoilers: SpoilerSpec) -> Self {
        self.spec.spoilers = Some(spoilers);
        self
    }

    /// Sets the hotline.
    #[must_use]
    pub fn hotline(mut self, hotline: HotlineSpec) -> Self {
        self.spec.hotline = Some(hotline);
        self
    }

    /// Sets the incidents (localized skirmishes).
    #[must_use]
    pub fn incidents(mut self, incidents: IncidentSpec) -> Self {
        self.spec.incidents = Some(incidents);
        self
    }

    /// Adds an agreement.
    #[must_use]
    pub fn agreement(mut self, agreement: AgreementSpec) -> Self {
        self.spec.agreements.push(agreement);
        self
    }

    /// Sets `[peace]`: grievances decaying after a long quiet.
    #[must_use]
    pub fn peace(mut self, peace: PeaceSpec) -> Self {
        self.spec.peace = Some(peace);
        self
    }

    /// Resolves the names and checks the model.
    ///
    /// # Errors
    /// [`crate::Error::Invalid`] naming the first offending element.
    ///
    /// ```
    /// use escalation::prelude::*;
    ///
    /// let builder = Model::builder()
    ///     .horizon(30.0)
    ///     .actor(ActorSpec::new("A", 0.5))
    ///     .actor(ActorSpec::new("B", 0.4))
    ///     .coupling("A", "B", 0.3);
    /// assert_eq!(builder.build()?.n(), 2);
    /// // A restraint must be positive: the error names the element.
    /// let err = builder.actor(ActorSpec::new("C", -1.0)).build().unwrap_err();
    /// assert!(err.to_string().contains("actor[2].restraint"), "{err}");
    /// # Ok::<(), escalation::Error>(())
    /// ```
    pub fn build(&self) -> Result<Model> {
        self.spec.compile()
    }
}
