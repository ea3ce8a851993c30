//! # escalation
//!
//! Escalation and de-escalation between rival actors as a feedback loop.
//!
//! The model is Richardson's: each actor's intensity `x_i ≥ 0` decays at its
//! restraint `a_i`, is driven by its grievance `g_i`, and reacts to the others
//! through a coupling matrix `K` scaled by a loop gain `γ`:
//! `dx_i/dt = -a_i x_i + γ Σ_j K_ij x_j + g_i`. Actors may instead decide at
//! fixed periods with a perception lag (a sampled-data controller), and the
//! intensities are read off an escalation ladder of named rungs. Scenario
//! mechanisms (ceasefire phases, spoilers, a hotline, agreements) act on that
//! loop; the analyses find when it explodes and how much margin is left.
//!
//! Data flows one way: [`scenario`] → [`model`] → [`sim`] / analyses → output;
//! [`figures`] turns a model into the figures of [`plot`], which save themselves.
//!
//! ```
//! use escalation::prelude::*;
//!
//! let (_, model) = Scenario::compile_str(r#"
//!     horizon = 100.0
//!     [[actor]]
//!     name = "A"
//!     restraint = 0.5
//!     grievance = 0.02
//!     [[actor]]
//!     name = "B"
//!     restraint = 0.4
//!     grievance = 0.01
//!     [coupling]
//!     A = { B = 0.3 }
//!     B = { A = 0.6 }
//! "#, Format::Toml).unwrap();
//! let run = simulate(&model, &SimOptions::default()).unwrap();
//! // ab = 0.20 > kl = 0.18: the loop is stable; it settles near (0.55, 0.85).
//! assert_eq!(run.outcome, Outcome::None);
//! assert!(run.final_state().iter().all(|&x| x < 3.0));
//! ```

#![warn(missing_docs)]

pub mod analysis;
pub mod calibrate;
pub mod control;
pub mod ensemble;
pub mod error;
pub mod experiments;
pub mod figures;
pub mod json;
pub mod limits;
pub mod merge;
pub mod model;
pub mod output;
pub mod plot;
pub mod prelude;
pub mod scenario;
pub mod sim;
pub mod sweep;

pub use error::{Error, Result};
/// nalgebra 0.34, the version the crate's matrices and vectors come from.
pub use nalgebra;
