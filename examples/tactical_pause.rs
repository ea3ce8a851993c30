//! The paradox of the tactical pause: can a two-week pause leave a rivalry
//! worse off than no pause at all?
//!
//! Uses `examples/scenarios/tactical_pause.toml`: two rivals deciding daily
//! on day-old information, kept moving by skirmishes. The paradox has to
//! come out of what the sides perceive: adaptation (a quiet spell makes the
//! same movement look larger) and positioning (a stock built unobserved
//! during the pause and revealed at its end). Each combination is run with
//! the pause and against a control without it, with the same gains, on
//! common random numbers (run `r` of both arms sees the same skirmishes
//! until their paths diverge), and compared as paired proportions.
//!
//! ```text
//! cargo run --release --example tactical_pause [-- OUT_DIR]
//! ```

use std::path::PathBuf;

use escalation::analysis::analyze;
use escalation::experiments::paired::{PairedCounts, paired_proportions};
use escalation::model::Model;
use escalation::output::OutputDir;
use escalation::plot::TrajectoryPlot;
use escalation::prelude::*;
use escalation::sim::{EventKind, simulate_run};
use rayon::prelude::*;

const SCENARIO: &str = include_str!("scenarios/tactical_pause.toml");
const RUNS: u64 = 1000;

/// The scenario with or without adaptation and positioning.
fn variant(base: &Model, adaptation: bool, positioning: bool) -> Model {
    let mut m = base.clone();
    if !adaptation && let Some(c) = m.controller.as_mut() {
        c.adaptation = None;
    }
    if !positioning {
        m.resets.clear();
    }
    m
}

/// The same model without the pause.
fn control(m: &Model) -> Model {
    let mut c = m.clone();
    c.phases.clear();
    c
}

/// The rung that counts as a flare-up.
const FLARE: usize = 3;

/// Whether some actor reached rung [`FLARE`] in each run, after the pause's
/// end (day `after`).
fn flared(m: &Model, seed: u64, after: f64) -> Result<Vec<bool>> {
    let opts = SimOptions::ensemble();
    (0..RUNS)
        .into_par_iter()
        .map(|r| {
            let t = simulate_run(m, &opts, seed, r)?;
            Ok(first_flare(&t).is_some_and(|d| d >= after))
        })
        .collect()
}

/// The first time an actor reached rung [`FLARE`] or higher.
fn first_flare(t: &Trajectory) -> Option<f64> {
    t.events.iter().find_map(|e| match e.kind {
        EventKind::Rung { to, .. } if to >= FLARE => Some(e.t),
        _ => None,
    })
}

fn main() -> Result<()> {
    let out_dir = std::env::args()
        .nth(1)
        .map_or_else(|| PathBuf::from("out/tactical_pause"), PathBuf::from);
    let (_, model) = Scenario::compile_str(SCENARIO, Format::Toml)?;
    let pause =
        model.phases.first().cloned().ok_or_else(|| {
            Error::invalid("scenario", "tactical_pause.toml must have a [[phase]]")
        })?;
    println!("{}", model.name);
    println!(
        "pause from day {} to day {} (gain {} instead of {}); {RUNS} paired runs per case",
        pause.start, pause.end, pause.gain, model.dynamics.gain
    );

    let report = analyze(&model)?;
    if let Some(s) = &report.sampled {
        println!(
            "sampled loop at the baseline gain: spectral radius {:.3} ({}); critical gain {}",
            s.spectral_radius,
            s.verdict.name(),
            s.critical_gain.map_or("none".into(), |g| format!("{g:.3}"))
        );
        if let Some(full) = &s.sensitized {
            println!(
                "fully sensitized (τ_D {:.1} days): spectral radius {:.3} ({}); critical gain {}",
                full.derivative,
                full.spectral_radius,
                full.verdict.name(),
                full.critical_gain
                    .map_or("none".into(), |g| format!("{g:.3}"))
            );
        }
    }

    println!(
        "\nP(an actor reaches rung {FLARE}, {}, after day {}), pause against no pause (same gains, same skirmishes):",
        model.ladder.rungs()[FLARE].name,
        pause.end
    );
    println!(
        "  {:<30} {:>9} {:>9} {:>10}  {:<18} verdict",
        "mechanisms", "no pause", "pause", "difference", "95% interval"
    );
    let mut shown = None;
    for (name, adaptation, positioning) in [
        ("neither", false, false),
        ("adaptation only", true, false),
        ("positioning only", false, true),
        ("adaptation and positioning", true, true),
    ] {
        let m = variant(&model, adaptation, positioning);
        let treated = flared(&m, model.seed, pause.end)?;
        let plain = flared(&control(&m), model.seed, pause.end)?;
        let counts = PairedCounts::from_outcomes(&plain, &treated)?;
        let p = paired_proportions(&counts, 0.95)?;
        let verdict = if p.interval[0] > 0.0 {
            "the pause makes it worse"
        } else if p.interval[1] < 0.0 {
            "the pause helps"
        } else {
            "not distinguishable"
        };
        println!(
            "  {name:<30} {:>8.1}% {:>8.1}% {:>+9.1}%  [{:+.1}%, {:+.1}%]   {verdict}",
            100.0 * p.p_control,
            100.0 * p.p_treatment,
            100.0 * p.difference,
            100.0 * p.interval[0],
            100.0 * p.interval[1],
        );
        if adaptation && positioning {
            shown = Some(m);
        }
    }
    println!("(a verdict needs the paired 95% interval to exclude 0)");

    let out = OutputDir::create(&out_dir, false)?;
    if let Some(m) = shown {
        let opts = SimOptions::default();
        // The first run that flares up after the pause, and its control.
        let hit = (0..RUNS).find(|&r| {
            simulate_run(&m, &opts, model.seed, r)
                .is_ok_and(|t| first_flare(&t).is_some_and(|d| d >= pause.end))
        });
        let r = hit.unwrap_or(0);
        let with = simulate_run(&m, &opts, model.seed, r)?;
        let ctl = control(&m);
        let without = simulate_run(&ctl, &opts, model.seed, r)?;
        for ext in ["png", "svg"] {
            out.write_with(&format!("pause.{ext}"), |p| {
                TrajectoryPlot::new(&with, &m).save(p)
            })?;
            out.write_with(&format!("no_pause.{ext}"), |p| {
                TrajectoryPlot::new(&without, &ctl).save(p)
            })?;
        }
        println!(
            "\nrun {r}, with and without the pause: pictures in {}",
            out.dir().display()
        );
    }
    Ok(())
}
