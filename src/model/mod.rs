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

mod dynamics;
mod ladder;
mod mechanisms;

use nalgebra::DVector;

pub use dynamics::Dynamics;
pub use ladder::{KAHN_GROUPS, Ladder, Rung, RungTracker};
pub use mechanisms::{Agreement, Hotline, Phase, Spoilers};

use crate::control::Controller;

/// A compiled, validated scenario: everything the simulator and the analyses need.
///
/// Build one with [`crate::scenario::Scenario::compile`].
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// Scenario name.
    pub name: String,
    /// The continuous dynamics at the baseline gain (proxy control folded in).
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
    /// Gain schedules, sorted by start.
    pub phases: Vec<Phase>,
    /// Spoiler attacks.
    pub spoilers: Option<Spoilers>,
    /// Hotline.
    pub hotline: Option<Hotline>,
    /// Agreements.
    pub agreements: Vec<Agreement>,
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
            agreements: Vec::new(),
        }
    }

    /// Number of actors.
    #[must_use]
    pub fn n(&self) -> usize {
        self.dynamics.n()
    }
}
