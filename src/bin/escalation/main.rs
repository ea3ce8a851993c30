//! The `escalation` command-line tool: argument parsing and printing only;
//! every computation lives in the library.
//!
//! Exit codes: 0 success, 2 bad input (file, data or argument), 1 internal
//! failure, 130 interrupted (SIGINT, SIGTERM or SIGHUP).

mod analyze;
mod common;
mod compare;
mod discover;
mod fit;
mod merge;
mod montecarlo;
mod plot;
mod sensitivity;
mod simulate;
mod sweep;

use std::path::Path;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use escalation::model::Model;
use escalation::scenario::Scenario;
use escalation::{Error, Result};

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
    /// Combine the shards of a sweep, Monte Carlo run, comparison or sensitivity analysis.
    Merge(merge::Args),
    /// Compare two arms on common random numbers (paired runs).
    Compare(compare::Args),
    /// Global sensitivity (Sobol' or Morris) over parameter ranges.
    Sensitivity(sensitivity::Args),
    /// Scenario discovery (PRIM): where in the parameter space an outcome happens.
    Discover(discover::Args),
}

fn main() -> ExitCode {
    // SIGINT, SIGTERM, SIGHUP: remove the temporary files being written,
    // then exit with 130.
    let _ = ctrlc::set_handler(|| {
        escalation::output::remove_temp_files();
        std::process::exit(130);
    });
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Simulate(a) => simulate::run(a),
        Command::Analyze(a) => analyze::run(a),
        Command::Sweep(a) => sweep::run(a),
        Command::Montecarlo(a) => montecarlo::run(a),
        Command::Fit(a) => fit::run(a),
        Command::Plot(a) => plot::run(a),
        Command::Merge(a) => merge::run(a),
        Command::Compare(a) => compare::run(a),
        Command::Sensitivity(a) => sensitivity::run(a),
        Command::Discover(a) => discover::run(a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let code = exit_code(&e);
            eprintln!("error: {}", common::tidy_message(&in_flags(e)));
            ExitCode::from(code)
        }
    }
}

/// 2 for bad input (including unreadable input files and outputs that would
/// overwrite a foreign file), 1 for internal failures.
fn exit_code(e: &Error) -> u8 {
    if e.is_input_error() { 2 } else { 1 }
}

/// The error in the command line's words: the library's argument names
/// become flags (`param` → `--param`, `runs` → `--runs`, …), and an
/// overwrite refusal says how to force it.
fn in_flags(e: Error) -> String {
    const FLAGS: [(&str, &str); 17] = [
        ("param", "--param"),
        ("axis", "--param"),
        ("runs", "--runs"),
        ("shard", "--shard"),
        ("threads", "--threads"),
        ("dt", "--dt"),
        ("seed", "--seed"),
        ("loop", "--loop"),
        ("gains", "--param gain"),
        ("bootstrap", "--bootstrap"),
        ("groups", "--group"),
        ("output", "--output"),
        ("method", "--method"),
        ("target", "--target"),
        ("cases", "--cases"),
        ("samples", "--samples"),
        ("levels", "--levels"),
    ];
    match e {
        Error::Invalid(mut inv) => {
            if let Some((_, flag)) = FLAGS.iter().find(|(k, _)| *k == inv.key) {
                inv.key = (*flag).to_string();
            }
            Error::Invalid(inv).to_string()
        }
        Error::WouldOverwrite(_) => format!("{e}; use --force"),
        other => other.to_string(),
    }
}

/// Loads a scenario file for any command, reading at most
/// [`escalation::output::MAX_SCENARIO_BYTES`].
fn load(path: &Path) -> Result<(Scenario, Model)> {
    Scenario::load(path)
}
