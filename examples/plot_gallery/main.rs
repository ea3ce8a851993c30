//! Writes one picture of every plot kind (PNG, 1000×620) into a folder,
//! default `docs/img`:
//!
//! ```text
//! cargo run --release --example plot_gallery -- docs/img
//! ```
//!
//! Every input is computed here from a model: closed forms for the
//! two-actor eigenvalues and boundaries, a Schur decomposition for three
//! actors, an enumeration of equilibria for the ceiling model, and the
//! simulator for trajectories and ensembles.

mod ensembles;
mod equilibria;
mod linear;

use std::path::{Path, PathBuf};

use escalation::model::{Dynamics, Ladder, Model, Rung};
use escalation::plot;
use escalation::prelude::*;
use nalgebra::DVector;

pub const SIZE: (u32, u32) = (1000, 620);

/// The running case: a fourteen-day ceasefire with spoilers and a hotline.
const CEASEFIRE: &str = r#"
name = "Fourteen-day cessation"
horizon = 60.0
gain = 1.0
seed = 11

[[actor]]
name = "US"
restraint = 0.5
grievance = 0.2
initial = 2.0

[[actor]]
name = "Iran"
restraint = 0.4
grievance = 0.25
initial = 2.5

[coupling]
US = { Iran = 0.35 }
Iran = { US = 0.6 }

[controller]
period = 1.0
lag = 1
derivative = 0.5

[[phase]]
name = "ceasefire"
start = 0.0
end = 14.0
gain = 0.3
parties = ["US", "Iran"]
verify = 4.0
breach_rung = 3
extend_days = 14.0
after_gain = 1.3

[spoilers]
rate = 0.15
magnitude = 1.5
targets = ["US"]
accused = "Iran"
attribution = 0.6
attribution_delay = 1.0

[hotline]
start = 2.0
lag = 0
attribution = 0.9
attribution_delay = 0.25
"#;

fn main() -> Result<()> {
    let dir: PathBuf = std::env::args()
        .nth(1)
        .map_or_else(|| PathBuf::from("docs/img"), PathBuf::from);
    std::fs::create_dir_all(&dir).map_err(|source| Error::Io {
        action: "cannot create",
        path: dir.clone(),
        source,
    })?;
    let (_, ceasefire) = Scenario::compile_str(CEASEFIRE, Format::Toml)?;
    ensembles::trajectory(&dir, &ceasefire)?;
    phase_portrait(&dir)?;
    linear::stability_map(&dir)?;
    linear::root_locus(&dir)?;
    ensembles::fan_chart(&dir, &ceasefire)?;
    ensembles::heatmap(&dir, &ceasefire)?;
    bifurcation(&dir)?;
    Ok(())
}

pub fn done(path: &Path) {
    println!("wrote {}", path.display());
}

pub fn run(model: &Model, seed: u64, opts: &SimOptions) -> Result<Trajectory> {
    simulate(
        model,
        &SimOptions {
            seed: Some(seed),
            ..opts.clone()
        },
    )
}

/// A bistable pair with ceilings: Blue has a standing grievance, Red a
/// standing wish for calm (negative grievance); both are capped at 6.
fn bistable() -> Result<Dynamics> {
    let mut d = Dynamics::richardson(0.5, 0.4, 0.3, 0.6, 0.2, -0.4)?;
    d.names = vec!["Blue".into(), "Red".into()];
    d.ceiling = vec![Some(6.0), Some(6.0)];
    d.check()?;
    Ok(d)
}

/// A ladder with no reachable top, so that runs are never cut short.
fn open_ladder() -> Result<Ladder> {
    Ladder::custom(vec![
        Rung {
            name: "all".into(),
            from: 0.0,
            threshold: None,
        },
        Rung {
            name: "unreachable".into(),
            from: 1e9,
            threshold: None,
        },
    ])
}

fn phase_portrait(dir: &Path) -> Result<()> {
    let mut d = bistable()?;
    d.gain = 1.3;
    let mut model = Model::from_dynamics(d.clone(), 40.0);
    model.ladder = open_ladder()?;
    let starts = [
        (0.1, 0.9),
        (0.1, 1.6),
        (1.6, 0.05),
        (1.0, 0.05),
        (3.0, 0.05),
        (0.1, 2.4),
        (4.5, 0.05),
        (0.5, 5.8),
        (3.0, 5.8),
        (5.8, 2.0),
    ];
    let mut trajectories = Vec::new();
    for (x, y) in starts {
        model.initial = DVector::from_vec(vec![x, y]);
        let r = run(&model, 0, &SimOptions::default())?;
        trajectories.push(r.x[0].iter().copied().zip(r.x[1].iter().copied()).collect());
    }
    let equilibria = equilibria::all(&d, d.gain)
        .into_iter()
        .map(|e| plot::EquilibriumMark {
            x: e.x[0],
            y: e.x[1],
            stable: e.stable,
        })
        .collect();
    let data = plot::PhasePortrait {
        title: "Bistable rivals at γ = 1.3: a quiet state and a war state".into(),
        trajectories,
        equilibria,
        ..plot::PhasePortrait::new(&d, (0.0, 6.5), (0.0, 6.5))
    };
    let path = dir.join("phase_portrait.png");
    plot::phase_portrait_sized(&data, &path, SIZE)?;
    done(&path);
    Ok(())
}

pub fn grid(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| lo + (hi - lo) * i as f64 / (n - 1) as f64)
        .collect()
}

fn bifurcation(dir: &Path) -> Result<()> {
    let d = bistable()?;
    let gains = grid(0.0, 2.5, 1001);
    let mut branches = Vec::new();
    let mut ends = Vec::new();
    for c in 0..equilibria::COMBOS.len() {
        let mut points = Vec::new();
        let mut stable = Vec::new();
        let flush =
            |points: &mut Vec<(f64, f64)>, stable: &mut Vec<bool>, out: &mut Vec<plot::Branch>| {
                if !points.is_empty() {
                    out.push(plot::Branch {
                        points: std::mem::take(points),
                        stable: std::mem::take(stable),
                    });
                }
            };
        for w in 0..gains.len() {
            let g = gains[w];
            let here = equilibria::solve(&d, g, c);
            let prev = w.checked_sub(1).map(|p| equilibria::solve(&d, gains[p], c));
            // Entering or leaving between two samples: find the edge.
            if let Some(prev) = prev
                && prev.is_some() != here.is_some()
            {
                let e = equilibria::edge(&d, c, gains[w - 1], g, prev.is_some());
                let inside = if prev.is_some() { e - 1e-9 } else { e + 1e-9 };
                if let Some(q) = equilibria::solve(&d, inside, c) {
                    if prev.is_none() {
                        flush(&mut points, &mut stable, &mut branches);
                    }
                    points.push((e, q.x[0]));
                    stable.push(q.stable);
                    ends.push((c, e, q.x, prev.is_some()));
                }
            }
            match here {
                Some(q) => {
                    points.push((g, q.x[0]));
                    stable.push(q.stable);
                }
                None => flush(&mut points, &mut stable, &mut branches),
            }
        }
        flush(&mut points, &mut stable, &mut branches);
    }
    // Classify branch ends: two branches ending on the same side at the same
    // state are a fold; a branch ending on another that goes on is a branch point.
    let (mut folds, mut branch_points) = (Vec::new(), Vec::new());
    for &(c, e, x, ends_here) in &ends {
        let near = |y: [f64; 2]| (y[0] - x[0]).abs() + (y[1] - x[1]).abs() < 1e-5;
        let partner_same_side = ends.iter().any(|&(c2, e2, x2, s2)| {
            c2 != c && (e2 - e).abs() < 1e-7 && near(x2) && s2 == ends_here
        });
        let through = (0..equilibria::COMBOS.len())
            .filter(|&c2| c2 != c)
            .any(|c2| {
                [e - 1e-6, e + 1e-6]
                    .iter()
                    .all(|&g| equilibria::solve(&d, g, c2).is_some_and(|q| near(q.x)))
            });
        let p = (e, x[0]);
        let known = |v: &Vec<(f64, f64)>| {
            v.iter()
                .any(|q: &(f64, f64)| (q.0 - p.0).abs() + (q.1 - p.1).abs() < 1e-5)
        };
        if partner_same_side && !known(&folds) {
            folds.push(p);
        } else if through && !known(&branch_points) {
            branch_points.push(p);
        }
    }
    let critical =
        (d.restraint[0] * d.restraint[1] / (d.coupling[(0, 1)] * d.coupling[(1, 0)])).sqrt();
    let data = plot::Bifurcation {
        title: "Bistable rivals with ceilings: equilibria against the loop gain".into(),
        y_label: "equilibrium intensity of Blue (rungs)".into(),
        branches,
        folds,
        branch_points,
        critical_gain: Some(critical),
        y_range: Some((0.0, 6.6)),
        ..plot::Bifurcation::default()
    };
    println!(
        "bifurcation: folds {:?}, branch points {:?}",
        data.folds, data.branch_points
    );
    let path = dir.join("bifurcation.png");
    plot::bifurcation_sized(&data, &path, SIZE)?;
    done(&path);
    Ok(())
}
