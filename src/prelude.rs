//! The names most users need: `use escalation::prelude::*;`.
//!
//! Building and checking a model ([`Model::builder`] and the specs it
//! takes), running it ([`simulate`], [`run_ensemble`]), analysing it
//! ([`analyze`], [`critical_gain`], [`Verdict`], [`Loop`]) and sweeping it
//! ([`gain_sweep`], [`first_flip`], [`sweep_linear`], [`Grid`], [`Axis`]);
//! saving a figure ([`Figure::save`]).

pub use crate::analysis::{Loop, Report, Verdict, analyze, critical_gain};
pub use crate::control::Controller;
pub use crate::ensemble::{EnsembleOptions, EnsembleSummary, run_ensemble};
pub use crate::error::{Error, Result};
pub use crate::model::{
    ActorSpec, AgreementSpec, ConditionSpec, ControllerSpec, Dynamics, EffectSpec, HotlineSpec,
    IncidentSpec, Ladder, LadderSpec, Model, ModelBuilder, PhaseSpec, SpoilerSpec,
};
pub use crate::plot::Figure;
pub use crate::scenario::{Format, Scenario};
pub use crate::sim::{Event, EventKind, Outcome, SimOptions, Trajectory, simulate};
pub use crate::sweep::{
    Axis, Grid, Param, SweepOptions, first_flip, gain_sweep, sweep_ensemble, sweep_linear,
};
