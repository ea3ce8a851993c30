//! The headline story: does a fourteen-day US–Iran ceasefire that lowers the
//! loop gain hold, in a region where not everyone signed?
//!
//! Analyses the built-in Islamabad scenario (`examples/scenarios/islamabad.toml`,
//! compiled into this example): the loop during the ceasefire and how large a
//! misattributed attack must be to break it. Then simulates one run with and
//! without spoilers, how 400 seeded runs fare, and what the loop decides: the
//! chance the ceasefire fails as the attack size, the hotline, de-confliction
//! and the patron's control of its proxy change, each arm on the same random
//! draws. Writes the plots (one run with and without spoilers, and the fan
//! chart of the 400 runs).
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

    let report = analyze(&model)?;
    for p in &report.phases {
        let stage = |s: &escalation::analysis::StageLoop| {
            format!(
                "{} (spectral radius {:.3}, gain margin {:.2}×)",
                s.verdict,
                s.spectral_radius.unwrap_or(f64::NAN),
                s.gain_margin.unwrap_or(f64::NAN)
            )
        };
        println!("the loop during the {}: {}", p.phase, stage(&p.during));
        println!("              after it: {}", stage(&p.after));
        for t in p.blame_threshold.iter().flatten() {
            if let Some(m) = t.magnitude {
                println!(
                    "  an attack on {} blamed on {} breaks it from {:.1} rungs",
                    t.victim, t.accused, m
                );
            }
        }
    }

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

    // What the loop decides: each change against the scenario, on the same draws.
    println!("\nWhat the loop decides ({FAN_RUNS} runs per arm, the same random draws in each):");
    let base = failure(&model)?;
    println!("  {:<44} {}", "the scenario as written", show(base));
    let arms: [(&str, Change); 6] = [
        ("attacks of 1 rung instead of 4", |m| {
            set(m, "spoilers.magnitude", 1.0)
        }),
        ("attacks of 8 rungs", |m| set(m, "spoilers.magnitude", 8.0)),
        ("no hotline", |m| m.hotline = None),
        ("no de-confliction zones", |m| {
            set(m, "phase.ceasefire.deconfliction", 0.0)
        }),
        ("full de-confliction", |m| {
            set(m, "phase.ceasefire.deconfliction", 1.0)
        }),
        ("Iran restrains its proxy fully (control 1)", |m| {
            set(m, "phase.ceasefire.proxy_control", 1.0);
        }),
    ];
    for (label, change) in arms {
        let mut m = model.clone();
        change(&mut m);
        println!("  {label:<44} {}", show(failure(&m)?));
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

/// A change to the scenario, one arm of a comparison.
type Change = fn(&mut Model);

/// Runs in which the ceasefire failed (collapsed, or exploded), of `FAN_RUNS`.
fn failure(m: &Model) -> Result<u64> {
    let s = run_ensemble(
        m,
        &EnsembleOptions {
            runs: FAN_RUNS,
            ..EnsembleOptions::default()
        },
        None,
    )?;
    Ok(s.count(Outcome::Collapsed) + s.count(Outcome::Exploded))
}

fn show(failed: u64) -> String {
    let [lo, hi] = escalation::ensemble::wilson(failed, FAN_RUNS);
    format!(
        "fails in {:5.1} % (95% interval {:4.1}–{:4.1} %)",
        100.0 * failed as f64 / FAN_RUNS as f64,
        100.0 * lo,
        100.0 * hi
    )
}

/// Sets the parameter at `path` (a path of the scenario, as `sweep` takes it).
fn set(m: &mut Model, path: &str, value: f64) {
    if let Ok(p) = escalation::sweep::Param::parse(path, m) {
        p.apply(m, value);
    }
}

fn tell(run: &Trajectory) {
    for e in &run.events {
        // Rung changes, correctly traced attacks and correctly read
        // incidents are many and change nothing.
        let quiet = match &e.kind {
            EventKind::Rung { .. } => true,
            EventKind::Attribution { correct, .. } => *correct,
            EventKind::Incident { misread, .. } => !*misread,
            _ => false,
        };
        if !quiet {
            println!("  {e}");
        }
    }
    match run.explosion_time {
        Some(t) => println!("  outcome: {} (day {t:.1})", run.outcome),
        None => println!("  outcome: {}", run.outcome),
    }
}
