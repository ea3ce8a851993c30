//! The integration tests, linked into one binary (`cargo test --release
//! --test it`): one module per former test file, so the crate and its
//! dependencies are linked once instead of once per file. Select one
//! module with a filter, e.g. `cargo test --release --test it sweep::`.
//!
//! Data the tests read (`tests/corpus/`, `examples/scenarios/`) is found
//! from the package root, where cargo runs the tests.

mod common;
mod plot_support;

mod analysis;
mod analysis_dynamics;
mod analysis_report;
mod analysis_sampled;
mod analytic;
mod calibration;
mod cancel;
mod ceasefire_loop;
mod cli;
mod corpus;
mod experiments;
mod experiments_math;
mod experiments_reference;
mod figures;
mod figures_runs;
mod fuzz;
mod in_code;
mod ladder;
mod magnitudes;
mod mechanisms;
mod model_check;
mod plot_cli;
mod plot_save;
mod plots;
mod politics;
mod reliability;
mod reliability_io;
mod scenario_files;
mod sweep;
mod user_gain_sweep;
