//! Regional actors outside the agreement: does the US–Iran ceasefire fail
//! because of the actors who did not sign it?
//!
//! Runs the Islamabad scenario (`examples/scenarios/islamabad.toml`) three
//! ways: as written (Israel, the Iran-aligned proxy, Saudi Arabia and the
//! UAE keep reacting at the baseline gain), with every reaction that
//! involves a non-party switched off, and with everyone in the room (all six
//! actors parties to the ceasefire). Each is an ensemble of seeded runs;
//! fan charts show how the intensities spread.
//!
//! ```text
//! cargo run --release --example regional [-- OUT_DIR]
//! ```

use std::collections::BTreeMap;
use std::path::PathBuf;

use escalation::ensemble::wilson;
use escalation::figures;
use escalation::model::Model;
use escalation::output::OutputDir;
use escalation::prelude::*;
use escalation::sim::{EventKind, simulate_run};
use escalation::sweep::{Axis, Grid, Param, PhaseField, SweepOptions, sweep_linear};
use rayon::prelude::*;

const SCENARIO: &str = include_str!("scenarios/islamabad.toml");
const RUNS: u64 = 1000;
const FAN_RUNS: u64 = 400;

/// What an ensemble of one variant did.
struct Tally {
    outcomes: BTreeMap<Outcome, u64>,
    /// Who reached the top rung first, in runs that exploded.
    first: BTreeMap<String, u64>,
}

fn main() -> Result<()> {
    let out_dir = std::env::args()
        .nth(1)
        .map_or_else(|| PathBuf::from("out/regional"), PathBuf::from);
    let (_, model) = Scenario::compile_str(SCENARIO, Format::Toml)?;
    let phase = model.phases.first().ok_or_else(|| bad("a [[phase]]"))?;
    let names = &model.dynamics.names;
    let parties: Vec<&str> = phase.parties.iter().map(|&i| names[i].as_str()).collect();
    let outside: Vec<&str> = (0..model.n())
        .filter(|i| !phase.parties.contains(i))
        .map(|i| names[i].as_str())
        .collect();
    println!("{}", model.name);
    println!(
        "ceasefire gain {} among {}; outside it: {}",
        phase.gain,
        parties.join(" and "),
        outside.join(", ")
    );

    // Outside actors cut off: every reaction with a non-party on either side is zero.
    let mut cut = model.clone();
    for i in 0..cut.n() {
        for j in 0..cut.n() {
            if !phase.binds(i, j) {
                cut.dynamics.coupling[(i, j)] = 0.0;
            }
        }
    }
    // Everyone signs: all actors are parties.
    let mut all = model.clone();
    all.phases[0].parties = (0..all.n()).collect();

    let variants = [
        ("as written", &model),
        ("outside reactions off", &cut),
        ("everyone signs", &all),
    ];
    println!(
        "\nthe loop during the ceasefire and after a collapse (sampled spectral radius per day):"
    );
    println!(
        "  variant                during (gain {})    after (gain {} among parties)",
        phase.gain,
        after_gain(&model)
    );
    for (name, m) in variants {
        let during = ceasefire_loop(m, m.phases[0].gain)?;
        let after = ceasefire_loop(m, after_gain(m))?;
        println!(
            "  {name:<22} {during:.4} ({})      {after:.4} ({})",
            verdict(during),
            verdict(after)
        );
    }

    println!(
        "\n{RUNS} runs each (seed {}), fraction with 95 % Wilson interval:",
        model.seed
    );
    println!(
        "  variant                exploded               collapsed              held (extended)"
    );
    let mut tallies = Vec::new();
    for (name, m) in variants {
        let t = tally(m)?;
        let f = |o: Outcome| {
            let k = t.outcomes.get(&o).copied().unwrap_or(0);
            let [lo, hi] = wilson(k, RUNS);
            format!("{:.3} [{lo:.3}, {hi:.3}]", k as f64 / RUNS as f64)
        };
        println!(
            "  {name:<22} {}   {}   {}",
            f(Outcome::Exploded),
            f(Outcome::Collapsed),
            f(Outcome::Extended)
        );
        tallies.push((name, t));
    }
    for (name, t) in &tallies {
        if !t.first.is_empty() {
            let who: Vec<String> = t.first.iter().map(|(a, n)| format!("{a} {n}")).collect();
            println!("  first to reach the top rung, {name}: {}", who.join(", "));
        }
    }
    let failed = |t: &Tally| {
        [Outcome::Exploded, Outcome::Collapsed]
            .iter()
            .map(|o| t.outcomes.get(o).copied().unwrap_or(0))
            .sum::<u64>()
    };
    let exploded = |t: &Tally| t.outcomes.get(&Outcome::Exploded).copied().unwrap_or(0);
    println!(
        "\nThe ceasefire fails in {} / {} / {} of {RUNS} runs (as written / outside off / everyone signs):",
        failed(&tallies[0].1),
        failed(&tallies[1].1),
        failed(&tallies[2].1)
    );
    println!("blame for the spoiler's attacks breaks it whoever reacts outside it. What the");
    println!("outsiders decide is what a collapse leads to:");
    println!(
        "{} of {} collapses end in war as written, {} with their reactions off; signing them up",
        exploded(&tallies[0].1),
        failed(&tallies[0].1),
        exploded(&tallies[1].1)
    );
    println!(
        "does not help ({} of {}) while everyone is sensitized after a collapse.",
        exploded(&tallies[2].1),
        failed(&tallies[2].1)
    );

    let out = OutputDir::create(&out_dir, false)?;
    for (file, m, title) in [
        ("fan_chart", &model, "as written"),
        (
            "fan_chart_outside_off",
            &cut,
            "reactions of non-parties off",
        ),
    ] {
        let mut fan = figures::fan_chart(m, FAN_RUNS, m.seed, None)?;
        fan.title = format!(
            "Islamabad, {title}: {}",
            fan.title.split(": ").last().unwrap_or("")
        );
        for ext in ["png", "svg"] {
            out.write_with(&format!("{file}.{ext}"), |p| fan.save(p))?;
        }
    }
    println!("\npictures in {}", out.dir().display());
    Ok(())
}

/// The ensemble of `model`: run `r` draws from stream `r` of the seed (the
/// runs of `escalation montecarlo`), counted by outcome and by the actor
/// that reached the top rung first.
fn tally(model: &Model) -> Result<Tally> {
    let opts = SimOptions {
        record: false,
        ..SimOptions::ensemble()
    };
    let runs = (0..RUNS)
        .into_par_iter()
        .map(|r| {
            let run = simulate_run(model, &opts, model.seed, r)?;
            let first = run.events.iter().find_map(|e| match &e.kind {
                EventKind::Explosion { actor, .. } => Some(actor.clone()),
                _ => None,
            });
            Ok((run.outcome, first))
        })
        .collect::<Result<Vec<_>>>()?;
    let mut t = Tally {
        outcomes: BTreeMap::new(),
        first: BTreeMap::new(),
    };
    for (o, first) in runs {
        *t.outcomes.entry(o).or_insert(0) += 1;
        if let Some(a) = first {
            *t.first.entry(a).or_insert(0) += 1;
        }
    }
    Ok(t)
}

/// The sampled spectral radius of the loop with gain `g` among the first
/// phase's parties and the baseline elsewhere (a one-point sweep of
/// `phase.NAME.gain`): the loop during the ceasefire, or after its collapse.
fn ceasefire_loop(model: &Model, g: f64) -> Result<f64> {
    let grid = Grid::new(vec![Axis {
        path: Param::Phase(0, PhaseField::Gain).path(model),
        param: Param::Phase(0, PhaseField::Gain),
        start: g,
        stop: g,
        count: 1,
    }])?;
    let p = sweep_linear(model, &grid, &SweepOptions::default(), None)?;
    let p = p.first().ok_or_else(|| Error::numerical("empty sweep"))?;
    p.spectral_radius.ok_or_else(|| bad("a [controller]"))
}

fn after_gain(m: &Model) -> f64 {
    m.phases[0].after_gain.unwrap_or(m.dynamics.gain)
}

fn verdict(rho: f64) -> &'static str {
    if rho < 1.0 { "stable" } else { "explosive" }
}

fn bad(what: &str) -> Error {
    Error::invalid("scenario", format!("islamabad.toml must have {what}"))
}
