//! The `escalation` command-line tool: argument parsing and printing only;
//! every computation lives in the library.
//!
//! Exit codes: 0 success, 2 bad input (file, data or argument), 1 internal failure.

mod analyze;
mod common;
mod fit;
mod montecarlo;
mod plot;
mod simulate;
mod sweep;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Escalation and de-escalation between rival actors as a feedback loop.
#[derive(Parser, Debug)]
#[command(name = "escalation", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Simulate one run of a scenario.
    Simulate(simulate::Args),
    /// Linear stability analysis at the baseline gain.
    Analyze(analyze::Args),
    /// Sweep one or two parameters over a grid.
    Sweep(sweep::Args),
    /// Run a Monte Carlo ensemble.
    Montecarlo(montecarlo::Args),
    /// Fit Richardson's model to yearly series.
    Fit(fit::Args),
    /// Draw a figure.
    Plot(plot::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Simulate(a) => simulate::run(a),
        Command::Analyze(a) => analyze::run(a),
        Command::Sweep(a) => sweep::run(a),
        Command::Montecarlo(a) => montecarlo::run(a),
        Command::Fit(a) => fit::run(a),
        Command::Plot(a) => plot::run(a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(1))
        }
    }
}

/// Loads a scenario file for any command.
fn load(
    path: &PathBuf,
) -> escalation::Result<(escalation::scenario::Scenario, escalation::model::Model)> {
    escalation::scenario::Scenario::load(path)
}
