//! The politics of the window on the Islamabad scenario, as paired
//! experiments on common random numbers (run `r` of every arm draws the
//! same attacks and skirmishes):
//!
//! 1. the tactical reset against heat dissipation, over a 14- and a 28-day
//!    window (renewed by as much when it held): how much each moves the
//!    chance the ceasefire fails;
//! 2. whether the limited waiver turns the conditional relief's deadlock
//!    into relief, and how long it must last;
//! 3. how much regional anxiety raises the chance of collapse, and what
//!    assuring the outsiders buys.
//!
//! Each answer comes with a paired 95% interval and the value where it
//! reverses or stops being distinguishable.
//!
//! ```text
//! cargo run --release --example window
//! ```

use escalation::experiments::paired::{PairedCounts, PairedProportions, paired_proportions};
use escalation::model::Model;
use escalation::prelude::*;
use escalation::sim::{EventKind, simulate_run};
use rayon::prelude::*;

const SCENARIO: &str = include_str!("scenarios/islamabad.toml");
const RUNS: u64 = 1000;

/// Runs `RUNS` paired runs and applies `hit` to each.
fn outcomes(m: &Model, hit: impl Fn(&Trajectory) -> bool + Sync) -> Result<Vec<bool>> {
    let opts = SimOptions::ensemble();
    (0..RUNS)
        .into_par_iter()
        .map(|r| simulate_run(m, &opts, m.seed, r).map(|t| hit(&t)))
        .collect()
}

fn failed(t: &Trajectory) -> bool {
    matches!(t.outcome, Outcome::Collapsed | Outcome::Exploded)
}

/// Treatment against control, paired.
fn compare(
    control: &Model,
    treatment: &Model,
    hit: impl Fn(&Trajectory) -> bool + Sync + Copy,
) -> Result<PairedProportions> {
    let c = outcomes(control, hit)?;
    let t = outcomes(treatment, hit)?;
    paired_proportions(&PairedCounts::from_outcomes(&c, &t)?, 0.95)
}

fn line(label: &str, p: &PairedProportions) {
    let verdict = if p.interval[0] > 0.0 {
        "raises it"
    } else if p.interval[1] < 0.0 {
        "lowers it"
    } else {
        "not distinguishable"
    };
    println!(
        "  {label:<44} {:>6.1}% → {:>6.1}%  {:>+6.1}% [{:+.1}%, {:+.1}%]  {verdict}",
        100.0 * p.p_control,
        100.0 * p.p_treatment,
        100.0 * p.difference,
        100.0 * p.interval[0],
        100.0 * p.interval[1]
    );
}

/// Islamabad with a single window of `days` days (not extended), the
/// baseline gain after it, and the run ending a week after it.
fn window(base: &Model, days: f64) -> Model {
    let mut m = base.clone();
    let p = &mut m.phases[0];
    p.end = p.start + days;
    p.extend_days = None;
    p.after_gain = None;
    m.horizon = p.end + AFTER;
    m
}

/// Days after the window in which an explosion counts.
const AFTER: f64 = 7.0;

/// The window broke (a collapse) or the loop exploded within [`AFTER`] days
/// of its end (every run ends then).
fn broke_or_exploded(t: &Trajectory) -> bool {
    t.explosion_time.is_some()
        || t.events
            .iter()
            .any(|e| matches!(e.kind, EventKind::Collapse { .. }))
}

/// Which of the two moves the outcome more: the reset's harm (`reset`:
/// reset on against off) or the heat's dissipation (`heat`: heat evolving
/// against frozen at its start; negative when it dissipates).
fn winner(reset: &PairedProportions, heat: &PairedProportions) -> &'static str {
    let distinct = |p: &PairedProportions| p.interval[0] > 0.0 || p.interval[1] < 0.0;
    match (distinct(reset), distinct(heat)) {
        (false, false) => "neither is distinguishable from 0",
        _ if heat.difference > 0.0 && distinct(heat) => {
            "heat does not dissipate: it feeds on the window's intensities (both hurt)"
        }
        _ if reset.difference > -heat.difference => "the reset dominates",
        _ => "heat dissipation dominates",
    }
}

fn without_reset(m: &Model) -> Model {
    let mut m = m.clone();
    m.resets.clear();
    m
}

/// Heat frozen at its initial level: no feed, (almost) no decay.
fn frozen_heat(m: &Model) -> Model {
    let mut m = m.clone();
    for h in &mut m.hardliners {
        h.feed = 0.0;
        h.decay = 1e-9;
    }
    m
}

fn relief_held(t: &Trajectory) -> bool {
    t.events.iter().any(|e| {
        matches!(&e.kind, EventKind::AgreementOn { agreement, .. } if agreement == "tier 1: sanctions relief")
    })
}

fn main() -> Result<()> {
    let (_, base) = Scenario::compile_str(SCENARIO, Format::Toml)?;
    println!(
        "{}: {RUNS} paired runs per comparison; P(fail) = P(collapsed or exploded)",
        base.name
    );

    println!(
        "\n1. The tactical reset against heat dissipation (control → treatment, paired difference):"
    );
    for days in [14.0, 28.0] {
        let m = window(&base, days);
        println!(" window of {days} days:");
        let reset = compare(&without_reset(&m), &m, broke_or_exploded)?;
        line("reset on (vs off)", &reset);
        let heat = compare(&frozen_heat(&m), &m, broke_or_exploded)?;
        line("heat evolving (vs frozen at its start)", &heat);
        println!("  over {days} days: {}", winner(&reset, &heat));
    }
    println!(
        " where it reverses: the heat the war left (initial heat × k, hardliner weight 0.5), 28-day window:"
    );
    for k in [1.0, 4.0, 8.0, 16.0] {
        let mut m = window(&base, 28.0);
        for h in &mut m.hardliners {
            h.weight = 0.5;
            h.initial *= k;
        }
        if m.steady_dynamics().is_err() {
            println!("  × {k}: the hardliner loop alone explodes");
            continue;
        }
        let reset = compare(&without_reset(&m), &m, broke_or_exploded)?;
        let heat = compare(&frozen_heat(&m), &m, broke_or_exploded)?;
        println!(
            "  × {k:<4}: reset {:+.1}% [{:+.1}%, {:+.1}%], heat evolving {:+.1}% [{:+.1}%, {:+.1}%]: {}",
            100.0 * reset.difference,
            100.0 * reset.interval[0],
            100.0 * reset.interval[1],
            100.0 * heat.difference,
            100.0 * heat.interval[0],
            100.0 * heat.interval[1],
            winner(&reset, &heat)
        );
    }

    println!("\n2. The limited waiver and the conditional relief (tier 1):");
    let mut no_waiver = base.clone();
    no_waiver
        .agreements
        .retain(|a| a.name != "limited waiver" && a.name != "restraint for the waiver");
    let relief = compare(&no_waiver, &base, relief_held)?;
    line("waiver (vs none): P(relief takes hold)", &relief);
    let fail = compare(&no_waiver, &base, failed)?;
    line("waiver (vs none): P(fail)", &fail);
    println!(" how long must it last? (waiver length, P(relief) against no waiver)");
    for days in [1.0, 3.0, 7.0, 14.0] {
        let mut m = base.clone();
        for a in &mut m.agreements {
            if a.name == "limited waiver" {
                for e in &mut a.effects {
                    e.days = days;
                }
            }
        }
        let p = compare(&no_waiver, &m, relief_held)?;
        line(&format!("waiver of {days} days: P(relief)"), &p);
    }

    println!("\n3. Regional anxiety:");
    let mut calm = base.clone();
    calm.anxiety.clear();
    let anxiety = compare(&calm, &base, failed)?;
    line("anxiety as in the scenario (vs none): P(fail)", &anxiety);
    let mut assured = base.clone();
    assured.phases[0].assures = assured.anxiety.iter().map(|a| a.actor).collect();
    let assure = compare(&base, &assured, failed)?;
    line("the deal assures the outsiders: P(fail)", &assure);
    println!(" where it stops mattering: every outsider's anxiety θ");
    for theta in [0.005, 0.01, 0.02, 0.05, 0.1] {
        let mut m = base.clone();
        for a in &mut m.anxiety {
            a.level = theta;
        }
        let p = compare(&calm, &m, failed)?;
        line(&format!("θ = {theta}: P(fail)"), &p);
    }
    Ok(())
}
