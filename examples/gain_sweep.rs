//! A gain sweep: at which loop gain does a rivalry explode, how much margin
//! is left, and what do the eigenvalues do on the way?
//!
//! First Richardson's dyad (`examples/scenarios/richardson.toml`), where
//! everything has a closed form: `γ* = √(ab/kl)`, a verdict that flips at
//! `γ*` in a sweep of the gain, and a stability boundary `kl = ab/γ²` in
//! the plane of the two reactions. Then three rivals with one deterrent
//! link (`examples/scenarios/triad.toml`), which lose stability through an
//! oscillation instead, with a boundary located numerically.
//!
//! ```text
//! cargo run --release --example gain_sweep [-- OUT_DIR]
//! ```

use std::path::PathBuf;

use escalation::analysis::{
    critical_crossing, critical_gain, gain_margin, gain_margin_db, spectral_abscissa,
};
use escalation::figures;
use escalation::output::OutputDir;
use escalation::plot;
use escalation::prelude::*;
use escalation::sweep::{Axis, Grid, Param, SweepOptions, sweep_linear};

const DYAD: &str = include_str!("scenarios/richardson.toml");
const TRIAD: &str = include_str!("scenarios/triad.toml");

fn main() -> Result<()> {
    let out_dir = std::env::args()
        .nth(1)
        .map_or_else(|| PathBuf::from("out/gain_sweep"), PathBuf::from);
    let out = OutputDir::create(&out_dir, false)?;

    // Part 1: Richardson's dyad.
    let (_, dyad) = Scenario::compile_str(DYAD, Format::Toml)?;
    let d = &dyad.dynamics;
    let (a, b, k, l) = (
        d.restraint[0],
        d.restraint[1],
        d.coupling[(0, 1)],
        d.coupling[(1, 0)],
    );
    let gstar = critical_gain(d)?.ok_or_else(|| Error::numerical("no critical gain"))?;
    let margin = gain_margin(Some(gstar), d.gain);
    println!(
        "{}: a = {a}, b = {b}, k = {k}, l = {l}, γ = {}",
        dyad.name, d.gain
    );
    println!(
        "critical gain γ* = {gstar:.6} (closed form √(ab/kl) = {:.6})",
        (a * b / (k * l)).sqrt()
    );
    if let Some(m) = margin {
        println!(
            "gain margin γ*/γ = {m:.4} ({:.2} dB): the loop explodes if every reaction grows by {:.1} %",
            gain_margin_db(Some(m)).unwrap_or(f64::NAN),
            100.0 * (m - 1.0)
        );
    }

    let sweep = Grid::new(vec![Axis::new(&dyad, Param::Gain, 0.9, 1.2, 13)?])?;
    let points = sweep_linear(&dyad, &sweep, &SweepOptions::default(), None)?;
    println!("\nsweep of the gain (escalation sweep --param gain=0.9:1.2:13):");
    println!("      γ    spectral abscissa (1/day)   verdict     doubling time");
    let mut last = None;
    for p in &points {
        if last.is_some_and(|v| v != p.verdict) {
            println!("  ---- γ* = {gstar:.4} ----");
        }
        last = Some(p.verdict);
        let doubling = if p.spectral_abscissa > 0.0 {
            format!("{:.0} days", std::f64::consts::LN_2 / p.spectral_abscissa)
        } else {
            "–".into()
        };
        println!(
            "  {:6.3}   {:+.5}                  {:<10}  {doubling}",
            p.values[0],
            p.spectral_abscissa,
            p.verdict.name()
        );
    }

    let locus = figures::root_locus(&dyad, &figures::default_gains(&dyad)?)?;
    let map_grid = Grid::new(vec![
        Axis::new(&dyad, Param::Coupling(0, 1), -1.0, 1.0, 81)?,
        Axis::new(&dyad, Param::Coupling(1, 0), -1.0, 1.2, 89)?,
    ])?;
    let mut map = figures::stability_map(&dyad, &map_grid)?;
    map.x_label = format!("k, reaction of {} to {} (1/day)", d.names[0], d.names[1]);
    map.y_label = format!("l, reaction of {} to {} (1/day)", d.names[1], d.names[0]);
    let explosive = explosive_share(&map);
    println!(
        "\nstability map over k × l ({} points): {:.1} % explosive; boundary kl = ab = {:.2} in {} branches",
        map.x.len() * map.y.len(),
        100.0 * explosive,
        a * b,
        map.boundary.len()
    );
    for ext in ["png", "svg"] {
        out.write_with(&format!("root_locus.{ext}"), |p| locus.save(p))?;
        out.write_with(&format!("stability_map.{ext}"), |p| map.save(p))?;
    }

    // Part 2: three rivals, one of them deterred.
    let (_, triad) = Scenario::compile_str(TRIAD, Format::Toml)?;
    let t = &triad.dynamics;
    println!("\n{}: {} actors, γ = {}", triad.name, t.n(), t.gain);
    if let Some(c) = critical_crossing(t)? {
        println!(
            "critical gain γ* = {:.4}, crossing at ±{:.4}i/day: an oscillation with a period of {:.1} days",
            c.gain,
            c.frequency,
            std::f64::consts::TAU / c.frequency
        );
        println!(
            "gain margin {:.4}: {:.1} % more gain and the swings grow",
            c.gain / t.gain,
            100.0 * (c.gain / t.gain - 1.0)
        );
    }
    let locus = figures::root_locus(&triad, &figures::default_gains(&triad)?)?;
    let grid = figures::default_map_grid(&triad)?;
    let tmap = figures::stability_map(&triad, &grid)?;
    let (i, j) = match (grid.axes[0].param, grid.axes[1].param) {
        (Param::Coupling(i, j), Param::Coupling(..)) => (i, j),
        _ => (0, 1),
    };
    println!(
        "stability map over {} × {}: boundary located by bisection, {} points",
        grid.axes[0].path,
        grid.axes[1].path,
        tmap.boundary.iter().map(|c| c.points.len()).sum::<usize>()
    );
    // How far can the first reaction grow, the others fixed?
    let (mut lo, mut hi) = (t.coupling[(i, j)], grid.axes[0].stop);
    let abscissa = |v: f64| {
        let mut m = t.clone();
        m.coupling[(i, j)] = v;
        spectral_abscissa(&m, m.gain)
    };
    if abscissa(lo)? < 0.0 && abscissa(hi)? > 0.0 {
        for _ in 0..60 {
            let mid = 0.5 * (lo + hi);
            if abscissa(mid)? < 0.0 {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        println!(
            "{} may react to {} up to {:.4}/day (now {}) before the loop explodes",
            t.names[i],
            t.names[j],
            0.5 * (lo + hi),
            t.coupling[(i, j)]
        );
    }
    for ext in ["png", "svg"] {
        out.write_with(&format!("triad_root_locus.{ext}"), |p| locus.save(p))?;
        out.write_with(&format!("triad_stability_map.{ext}"), |p| tmap.save(p))?;
    }
    println!("\npictures in {}", out.dir().display());
    Ok(())
}

/// Share of the map's cells above its threshold.
fn explosive_share(map: &plot::StabilityMap) -> f64 {
    match &map.cells {
        plot::MapCells::Values {
            values, threshold, ..
        } => {
            let all: Vec<f64> = values.iter().flatten().copied().collect();
            all.iter().filter(|&&v| v > *threshold).count() as f64 / all.len() as f64
        }
        plot::MapCells::Verdicts(v) => {
            let all: Vec<_> = v.iter().flatten().collect();
            all.iter()
                .filter(|&&&v| v == escalation::analysis::Verdict::Explosive)
                .count() as f64
                / all.len() as f64
        }
    }
}
