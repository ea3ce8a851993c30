//! Sanctions sequencing: conditional-only relief deadlocks; a limited waiver
//! unlocks it (`examples/scenarios/waiver.toml`).
//!
//! The US offers relief only after Iran has stayed below rung 2 for four
//! days; under full pressure Iran cannot get there. A waiver (relief for a
//! few days from day 3, unconditionally) lets Iran's intensity fall through
//! the loop, and the conditional relief then takes over. The example runs
//! both, then the waiver's length from 1 to 12 days: how long must a waiver
//! last to unlock the deal?
//!
//! ```text
//! cargo run --release --example waiver [-- OUT_DIR]
//! ```

use std::path::PathBuf;

use escalation::model::{AgreementSpec, ConditionSpec, EffectSpec, ModelBuilder};
use escalation::output::OutputDir;
use escalation::plot::TrajectoryPlot;
use escalation::prelude::*;
use escalation::sim::EventKind;

const SCENARIO: &str = include_str!("scenarios/waiver.toml");

/// The scenario with a waiver of `days` days from day 3 (none for 0).
fn with_waiver(spec: &Scenario, days: f64) -> Result<Model> {
    let mut b = ModelBuilder::from_scenario(spec.clone());
    if days > 0.0 {
        b = b.agreement(
            AgreementSpec::new(
                "limited waiver",
                ConditionSpec::at(3.0),
                EffectSpec::on("Iran", days).grievance(0.2),
            )
            .reversible(false),
        );
    }
    b.build()
}

/// When the conditional relief first took hold, if it did.
fn relief_day(run: &Trajectory) -> Option<f64> {
    run.events.iter().find_map(|e| match &e.kind {
        EventKind::AgreementOn { agreement, .. } if agreement == "relief for restraint" => {
            Some(e.t)
        }
        _ => None,
    })
}

fn main() -> Result<()> {
    let out_dir = std::env::args()
        .nth(1)
        .map_or_else(|| PathBuf::from("out/waiver"), PathBuf::from);
    let (spec, _) = Scenario::compile_str(SCENARIO, Format::Toml)?;
    let opts = SimOptions::default();
    println!("{}", spec.name);
    println!(
        "  {:<28} {:>14} {:>12} {:>16} {:>12}",
        "case", "relief from", "Iran, day 60", "Iran cost", "quiet days"
    );
    let mut runs = Vec::new();
    for (name, days) in [
        ("conditional relief only", 0.0),
        ("with a 7-day waiver", 7.0),
    ] {
        let m = with_waiver(&spec, days)?;
        let run = simulate(&m, &opts)?;
        println!(
            "  {name:<28} {:>14} {:>12.3} {:>16.2} {:>12.2}",
            relief_day(&run).map_or("never".to_string(), |d| format!("day {d:.2}")),
            run.final_x[1],
            run.cost[1],
            run.quiet_days
        );
        runs.push((m, run));
    }
    println!("\nhow long must the waiver last? (relief on day 3 for D days)");
    let mut unlocked_from = None;
    for days in 1..=12 {
        let m = with_waiver(&spec, f64::from(days))?;
        let run = simulate(&m, &opts)?;
        let relief = relief_day(&run);
        if relief.is_some() && unlocked_from.is_none() {
            unlocked_from = Some(days);
        }
        println!(
            "  D = {days:>2}: {}",
            relief.map_or("deadlock".to_string(), |d| format!(
                "relief for restraint from day {d:.2}"
            ))
        );
    }
    match unlocked_from {
        Some(d) => println!(
            "A waiver of {d} days or more unlocks the deal; a shorter one ends before Iran has spent four days below rung 2."
        ),
        None => println!("No waiver up to 12 days unlocks the deal."),
    }
    let out = OutputDir::create(&out_dir, false)?;
    for ext in ["png", "svg"] {
        out.write_with(&format!("deadlock.{ext}"), |p| {
            TrajectoryPlot::new(&runs[0].1, &runs[0].0).save(p)
        })?;
        out.write_with(&format!("waiver.{ext}"), |p| {
            TrajectoryPlot::new(&runs[1].1, &runs[1].0).save(p)
        })?;
    }
    println!("\npictures in {}", out.dir().display());
    Ok(())
}
