//! The headline story: does a fourteen-day US–Iran ceasefire that lowers the
//! loop gain hold, in a region where not everyone signed?
//!
//! Simulates the built-in Islamabad scenario (`examples/scenarios/islamabad.toml`,
//! compiled into this example), prints what happened, then how 400 seeded
//! runs fare, and writes the plots (one run with and without spoilers, and
//! the fan chart of the 400 runs).
//!
//! ```text
//! cargo run --release --example ceasefire [-- OUT_DIR]
//! ```

use std::path::PathBuf;

use escalation::ensemble::{EnsembleOptions, run_ensemble};
use escalation::figures;
use escalation::output::OutputDir;
use escalation::plot::TrajectoryPlot;
use escalation::prelude::*;
use escalation::sim::EventKind;

const SCENARIO: &str = include_str!("scenarios/islamabad.toml");
/// Runs of the ensemble and its fan chart.
const FAN_RUNS: u64 = 400;

fn main() -> Result<()> {
    let out_dir = std::env::args()
        .nth(1)
        .map_or_else(|| PathBuf::from("out/ceasefire"), PathBuf::from);
    let (scenario, model) = Scenario::compile_str(SCENARIO, Format::Toml)?;
    println!("{}", model.name);
    println!(
        "{} actors, {} days, baseline gain {}, ceasefire gain {} among {}",
        model.n(),
        model.horizon,
        model.dynamics.gain,
        model.phases[0].gain,
        scenario.phases[0].parties.join(" and ")
    );

    let run = simulate(&model, &SimOptions::default())?;
    println!("\nWith spoilers (seed {}):", model.seed);
    tell(&run);

    // The same ceasefire with no spoilers: what the actors alone would do.
    let mut quiet = model.clone();
    quiet.spoilers = None;
    let calm = simulate(&quiet, &SimOptions::default())?;
    println!("\nWithout spoilers:");
    tell(&calm);

    // Many runs: how the cessation fares across the spoiler's possible attacks.
    let summary = run_ensemble(
        &model,
        &EnsembleOptions {
            runs: FAN_RUNS,
            ..EnsembleOptions::default()
        },
        None,
    )?;
    let share = |o: &str| 100.0 * summary.fractions()[o];
    println!(
        "\nOver {FAN_RUNS} runs: {:.1} % held (extended), {:.1} % collapsed, {:.1} % exploded",
        share("extended"),
        share("collapsed"),
        share("exploded")
    );
    if let Some(t) = summary.explosion_quantile(0.5) {
        println!("  median explosion day {t:.1}");
    }
    let fan = figures::fan_chart(&model, FAN_RUNS, model.seed, None)?;

    let out = OutputDir::create(&out_dir, false)?;
    out.write("trajectory.csv", run.to_csv()?.as_bytes())?;
    for name in ["trajectory.png", "trajectory.svg"] {
        out.write_with(name, |p| TrajectoryPlot::new(&run, &model).save(p))?;
    }
    for name in ["no_spoilers.png", "no_spoilers.svg"] {
        out.write_with(name, |p| TrajectoryPlot::new(&calm, &quiet).save(p))?;
    }
    for name in ["fan_chart.png", "fan_chart.svg"] {
        out.write_with(name, |p| fan.save(p))?;
    }
    println!("\nplots written to {}", out.dir().display());
    Ok(())
}

fn tell(run: &Trajectory) {
    for e in &run.events {
        let line = match &e.kind {
            EventKind::PhaseStart { phase, gain } => format!("{phase} begins (gain {gain})"),
            EventKind::VerificationPassed { phase } => {
                format!("{phase}: quiet-for-quiet test passed")
            }
            EventKind::Attack { target, .. } => format!("spoiler attack on {target}"),
            EventKind::Attribution {
                victim,
                blamed,
                correct: false,
                ..
            } => {
                format!("{victim} blames {blamed} (wrongly)")
            }
            EventKind::Breach {
                phase,
                actor,
                cause,
                ..
            } => format!("{phase} breached by {actor} ({cause})"),
            EventKind::Collapse { phase, gain } => {
                format!("{phase} collapses; gain among parties now {gain}")
            }
            EventKind::Extended { phase, until } => format!("{phase} extended to day {until}"),
            EventKind::PhaseEnd { phase, .. } => format!("{phase} ends"),
            EventKind::AgreementOn { agreement, until } => {
                format!("{agreement} takes effect until day {until}")
            }
            EventKind::AgreementOff { agreement, reason } => format!("{agreement} {reason}"),
            EventKind::Explosion { actor, .. } => {
                format!("{actor} reaches the top rung: explosion")
            }
            _ => continue,
        };
        println!("  day {:5.1}  {line}", e.t);
    }
    match run.explosion_time {
        Some(t) => println!("  outcome: {} (day {t:.1})", run.outcome),
        None => println!("  outcome: {}", run.outcome),
    }
}
