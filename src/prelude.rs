//! The names most users need: `use escalation::prelude::*;`.

pub use crate::control::Controller;
pub use crate::error::{Error, Result};
pub use crate::model::{Dynamics, Ladder, Model};
pub use crate::scenario::{Format, Scenario};
pub use crate::sim::{Event, Outcome, SimOptions, Trajectory, simulate};
