//! The paradox of the tactical pause: can a two-week pause leave a stable
//! rivalry worse off than before it?
//!
//! Uses `examples/scenarios/tactical_pause.toml`: two rivals deciding daily
//! on day-old information, sensitized to movement (a derivative term) and,
//! after the pause, to each other (a gain above the baseline). The same
//! pause is run four times: with no sensitization, with each kind alone,
//! and with both; the linear analysis of the sampled loop says why.
//!
//! ```text
//! cargo run --release --example tactical_pause [-- OUT_DIR]
//! ```

use std::path::PathBuf;

use escalation::analysis::{sampled_critical_gain, sampled_spectral_radius};
use escalation::figures;
use escalation::model::Model;
use escalation::output::OutputDir;
use escalation::plot::{Mark, TrajectoryPlot};
use escalation::prelude::*;
use escalation::sweep::{Axis, ControllerField, Grid, Param};

const SCENARIO: &str = include_str!("scenarios/tactical_pause.toml");

/// One variant of the scenario and what it did.
struct Case {
    name: &'static str,
    model: Model,
    run: Trajectory,
}

fn main() -> Result<()> {
    let out_dir = std::env::args()
        .nth(1)
        .map_or_else(|| PathBuf::from("out/tactical_pause"), PathBuf::from);
    let (_, model) = Scenario::compile_str(SCENARIO, Format::Toml)?;
    let pause = model
        .phases
        .first()
        .cloned()
        .ok_or_else(|| bad("a [[phase]]"))?;
    let ctrl = model
        .controller
        .clone()
        .ok_or_else(|| bad("a [controller]"))?;
    let base = model.dynamics.gain;
    let after = pause.after_gain.unwrap_or(base);
    println!("{}", model.name);
    println!(
        "pause from day {} to day {} (gain {}); baseline gain {base}; after the pause {after}; derivative τ_D = {} days",
        pause.start, pause.end, pause.gain, ctrl.derivative
    );

    let variant = |name: &'static str, derivative: bool, sensitized: bool| -> Result<Case> {
        let mut m = model.clone();
        m.name = format!("{}, {name}", model.name);
        if let Some(c) = m.controller.as_mut()
            && !derivative
        {
            c.derivative = 0.0;
        }
        if !sensitized {
            m.phases[0].after_gain = None;
        }
        let run = simulate(&m, &SimOptions::default())?;
        Ok(Case {
            name,
            model: m,
            run,
        })
    };
    let cases = [
        variant("no sensitization", false, false)?,
        variant("derivative only", true, false)?,
        variant("after-gain only", false, true)?,
        variant("both (the scenario)", true, true)?,
    ];

    println!("\nlinear analysis of the sampled loop (spectral radius per day; < 1 is stable):");
    println!(
        "  variant                before (γ = {base})   after (γ = {after} or {base})   sampled γ*"
    );
    for c in &cases {
        let ctl = c
            .model
            .controller
            .clone()
            .ok_or_else(|| bad("a [controller]"))?;
        let g_after = c.model.phases[0].after_gain.unwrap_or(base);
        let d = &c.model.dynamics;
        println!(
            "  {:<22} {:>8.3}          {:>8.3} at γ = {g_after:<4}     {}",
            c.name,
            sampled_spectral_radius(d, &ctl, base)?,
            sampled_spectral_radius(d, &ctl, g_after)?,
            sampled_critical_gain(d, &ctl)?.map_or("none".into(), |g| format!("{g:.3}"))
        );
    }

    println!(
        "\nwhat the runs did (intensity, rungs; top rung at {}):",
        model.ladder.bound(model.ladder.top())
    );
    println!("  variant                eve of the pause   peak after the pause   outcome");
    for c in &cases {
        let eve = peak(&c.run, pause.start - 1.0, pause.start);
        let later = peak(&c.run, pause.end, c.model.horizon);
        let outcome = match c.run.explosion_time {
            Some(t) => format!("exploded on day {t:.1}"),
            None => format!("no explosion in {} days", c.model.horizon),
        };
        println!(
            "  {:<22} {eve:>8.2}           {later:>8.2}              {outcome}",
            c.name
        );
    }
    println!("Either sensitization alone leaves the loop stable; together they turn the renewed");
    println!("movement after the quiet spell into swings that grow until one side reaches war.");

    // The map of the sampled loop over gain × derivative, with the loop
    // before and after the pause marked.
    let grid = Grid::new(vec![
        Axis::new(&model, Param::Gain, 0.0, 2.4, 61)?,
        Axis::new(
            &model,
            Param::Controller(ControllerField::Derivative),
            0.0,
            4.0,
            41,
        )?,
    ])?;
    let mut map = figures::stability_map(&model, &grid)?;
    map.title = format!(
        "{}: the sampled loop before and after the pause",
        model.name
    );
    map.marks = vec![
        Mark {
            label: format!("before (γ = {base}, τ_D = {})", ctrl.derivative),
            x: base,
            y: ctrl.derivative,
        },
        Mark {
            label: format!("after (γ = {after}, τ_D = {})", ctrl.derivative),
            x: after,
            y: ctrl.derivative,
        },
    ];
    let out = OutputDir::create(&out_dir, false)?;
    for ext in ["png", "svg"] {
        out.write_with(&format!("stability_map.{ext}"), |p| map.save(p))?;
        out.write_with(&format!("sensitized.{ext}"), |p| {
            TrajectoryPlot::new(&cases[3].run, &cases[3].model).save(p)
        })?;
        out.write_with(&format!("not_sensitized.{ext}"), |p| {
            TrajectoryPlot::new(&cases[0].run, &cases[0].model).save(p)
        })?;
    }
    println!("\npictures in {}", out.dir().display());
    Ok(())
}

/// The highest intensity of any actor on `[from, to]`, days.
fn peak(run: &Trajectory, from: f64, to: f64) -> f64 {
    let mut top = f64::NEG_INFINITY;
    for (k, &t) in run.t.iter().enumerate() {
        if t >= from && t <= to {
            for x in &run.x {
                top = top.max(x[k]);
            }
        }
    }
    top
}

fn bad(what: &str) -> Error {
    Error::invalid("scenario", format!("tactical_pause.toml must have {what}"))
}
