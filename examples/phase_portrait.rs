//! Phase portraits: where does a pair of rivals go from any starting point?
//!
//! First Richardson's dyad (`examples/scenarios/richardson.toml`) on either
//! side of its critical gain, side by side: below it every run settles on
//! one equilibrium; above it every run climbs to the top rung. Then a pair
//! with capacity limits (`examples/scenarios/bistable.toml`), where a quiet
//! state and a war state are both stable and the size of a shock decides
//! between them, with its bifurcation diagram.
//!
//! ```text
//! cargo run --release --example phase_portrait [-- OUT_DIR]
//! ```

use std::path::PathBuf;

use escalation::analysis::{continuation, critical_gain};
use escalation::figures;
use escalation::model::Model;
use escalation::output::OutputDir;
use escalation::plot::{PhasePortrait, SideBySide};
use escalation::prelude::*;

const DYAD: &str = include_str!("scenarios/richardson.toml");
const BISTABLE: &str = include_str!("scenarios/bistable.toml");
/// The explosive side: 30 % above the dyad's baseline gain, past γ* ≈ 1.054.
const HIGH_GAIN: f64 = 1.3;

fn main() -> Result<()> {
    let out_dir = std::env::args()
        .nth(1)
        .map_or_else(|| PathBuf::from("out/phase_portrait"), PathBuf::from);
    let out = OutputDir::create(&out_dir, false)?;

    let (_, calm) = Scenario::compile_str(DYAD, Format::Toml)?;
    let d = &calm.dynamics;
    let gstar = critical_gain(d)?.ok_or_else(|| Error::numerical("no critical gain"))?;
    println!(
        "{}: a = {}, b = {}, k = {}, l = {}",
        calm.name,
        d.restraint[0],
        d.restraint[1],
        d.coupling[(0, 1)],
        d.coupling[(1, 0)]
    );
    println!("critical gain γ* = √(ab/kl) = {gstar:.4}");
    let mut wild = calm.clone();
    wild.dynamics.gain = HIGH_GAIN;
    let mut panels = [
        figures::phase_portrait(&calm)?,
        figures::phase_portrait(&wild)?,
    ];
    panels[0].title = format!("γ = {} < γ* = {gstar:.3}: stable", calm.dynamics.gain);
    panels[1].title = format!("γ = {HIGH_GAIN} > γ*: explosive");
    for (m, p) in [(&calm, &panels[0]), (&wild, &panels[1])] {
        tell(m, p);
    }
    for ext in ["png", "svg"] {
        out.write_with(&format!("stable_and_explosive.{ext}"), |path| {
            SideBySide::new(&panels).save_sized(path, (2000, 750))
        })?;
    }

    let (_, pair) = Scenario::compile_str(BISTABLE, Format::Toml)?;
    println!("\n{} at γ = {}", pair.name, pair.dynamics.gain);
    let mut portrait = figures::phase_portrait(&pair)?;
    portrait.title = format!(
        "{}: a quiet and a war state at γ = {}",
        pair.name, pair.dynamics.gain
    );
    tell(&pair, &portrait);
    let range = (0.0, 2.5);
    let branches = continuation(&pair.dynamics, range, 400)?;
    for f in &branches.folds {
        println!(
            "  tipping point at γ = {:.4}, met with the gain {}: the state {}",
            f.gain,
            if f.increasing { "rising" } else { "falling" },
            if f.escalation {
                "jumps up (war)"
            } else {
                "falls back (quiet)"
            }
        );
    }
    if let Some(h) = branches.hysteresis {
        println!(
            "  hysteresis: war from γ = {:.4} up, quiet again only below γ = {:.4} (width {:.4})",
            h.escalation_gain, h.deescalation_gain, h.width
        );
    }
    let diagram = figures::bifurcation(&pair, range)?;
    for ext in ["png", "svg"] {
        out.write_with(&format!("bistable.{ext}"), |p| portrait.save(p))?;
        out.write_with(&format!("bifurcation.{ext}"), |p| diagram.save(p))?;
    }
    println!("\npictures in {}", out.dir().display());
    Ok(())
}

/// Prints the equilibria in view and where the drawn runs ended.
fn tell(model: &Model, p: &PhasePortrait) {
    let top = model.ladder.bound(model.ladder.top());
    for e in &p.equilibria {
        println!(
            "  equilibrium ({:.3}, {:.3}): {}",
            e.x,
            e.y,
            if e.stable { "stable" } else { "unstable" }
        );
    }
    if p.equilibria.is_empty() {
        println!("  no equilibrium in view");
    }
    let ends: Vec<(f64, f64)> = p
        .trajectories
        .iter()
        .filter_map(|t| t.last().copied())
        .collect();
    let stable: Vec<_> = p.equilibria.iter().filter(|e| e.stable).collect();
    let at = |q: &(f64, f64)| {
        stable
            .iter()
            .position(|e| (q.0 - e.x).hypot(q.1 - e.y) < 0.05)
    };
    let mut line = format!("  {} runs from a spread of starting points:", ends.len());
    for (k, e) in stable.iter().enumerate() {
        let n = ends.iter().filter(|q| at(q) == Some(k)).count();
        line += &format!(" {n} settle at ({:.2}, {:.2});", e.x, e.y);
    }
    let exploded = ends
        .iter()
        .filter(|q| at(q).is_none() && q.0.max(q.1) >= top - 1e-9)
        .count();
    line += &format!(
        " the top rung ({}) reached by {exploded}",
        model.ladder.rungs()[model.ladder.top()].name
    );
    println!("{line}");
}
