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

mod equilibria;

use std::path::{Path, PathBuf};

use escalation::model::{Dynamics, Ladder, Model, Rung};
use escalation::plot::{self, Curve, Mark};
use escalation::prelude::*;
use nalgebra::{DMatrix, DVector, Schur};
use rayon::prelude::*;

const SIZE: (u32, u32) = (1000, 620);

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
    trajectory(&dir, &ceasefire)?;
    phase_portrait(&dir)?;
    stability_map(&dir)?;
    root_locus(&dir)?;
    fan_chart(&dir, &ceasefire)?;
    heatmap(&dir, &ceasefire)?;
    bifurcation(&dir)?;
    Ok(())
}

fn done(path: &Path) {
    println!("wrote {}", path.display());
}

fn run(model: &Model, seed: u64, opts: &SimOptions) -> Result<Trajectory> {
    simulate(
        model,
        &SimOptions {
            seed: Some(seed),
            ..opts.clone()
        },
    )
}

/// The first seed whose run breaks the ceasefire and explodes.
fn trajectory(dir: &Path, model: &Model) -> Result<()> {
    let opts = SimOptions::default();
    for seed in 0..500 {
        let r = run(model, seed, &opts)?;
        if r.outcome == Outcome::Exploded {
            let path = dir.join("trajectory.png");
            plot::trajectory_sized(&r, model, &path, SIZE)?;
            println!("trajectory: seed {seed}");
            done(&path);
            return Ok(());
        }
    }
    Err(Error::Numerical("no seed in 0..500 exploded".into()))
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

/// Spectral abscissa of [[-a, k], [l, -b]] (closed form), 1/day.
fn abscissa2(a: f64, b: f64, k: f64, l: f64) -> f64 {
    let tr = -(a + b);
    let det = a * b - k * l;
    let disc = tr * tr - 4.0 * det;
    if disc >= 0.0 {
        0.5 * (tr + disc.sqrt())
    } else {
        0.5 * tr
    }
}

fn grid(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| lo + (hi - lo) * i as f64 / (n - 1) as f64)
        .collect()
}

fn stability_map(dir: &Path) -> Result<()> {
    let (a, b) = (0.5, 0.4);
    let ks = grid(-1.0, 1.0, 81);
    let ls = grid(-1.0, 1.2, 89);
    let values = ls
        .iter()
        .map(|&l| ks.iter().map(|&k| abscissa2(a, b, k, l)).collect())
        .collect();
    // The boundary kl = ab: a hyperbola, one branch per sign.
    let branch = |sign: f64| {
        let ks = grid(0.05, 1.0, 200);
        Curve::new(
            "analytic boundary kl = ab",
            ks.iter().map(|&k| (sign * k, sign * a * b / k)).collect(),
        )
    };
    let data = plot::StabilityMap {
        title: "Two rivals: spectral abscissa of −A + K (a = 0.5, b = 0.4)".into(),
        x_label: "k, reaction of Blue to Red (1/day)".into(),
        y_label: "l, reaction of Red to Blue (1/day)".into(),
        x: ks,
        y: ls,
        cells: plot::MapCells::Values {
            values,
            label: "spectral abscissa (1/day)".into(),
            threshold: 0.0,
        },
        boundary: vec![branch(1.0), branch(-1.0)],
        marks: vec![Mark {
            label: "dyad.toml (k = 0.3, l = 0.6)".into(),
            x: 0.3,
            y: 0.6,
        }],
    };
    let path = dir.join("stability_map.png");
    plot::stability_map_sized(&data, &path, SIZE)?;
    done(&path);
    Ok(())
}

/// Eigenvalues of `m` as (re, im), by a capped Schur decomposition.
fn eigenvalues(m: &DMatrix<f64>) -> Result<Vec<(f64, f64)>> {
    let schur = Schur::try_new(m.clone(), 1e-12, 10_000)
        .ok_or_else(|| Error::Numerical("Schur decomposition did not converge".into()))?;
    Ok(schur
        .complex_eigenvalues()
        .iter()
        .map(|c| (c.re, c.im))
        .collect())
}

fn abscissa(m: &DMatrix<f64>) -> Result<f64> {
    Ok(eigenvalues(m)?
        .into_iter()
        .map(|p| p.0)
        .fold(f64::NEG_INFINITY, f64::max))
}

fn root_locus(dir: &Path) -> Result<()> {
    // Three rivals reacting in a cycle, one link deterrent (negative): the
    // loop's feedback is negative overall, and it loses stability through a
    // complex pair (an oscillatory, Hopf crossing) rather than a real root.
    let d = Dynamics::new(
        DVector::from_vec(vec![0.5, 0.4, 0.6]),
        DMatrix::from_row_slice(3, 3, &[0.0, 0.1, 0.9, 0.8, 0.0, 0.1, 0.2, -0.9, 0.0]),
        DVector::from_vec(vec![0.1, 0.1, 0.1]),
    )?;
    // γ* by bisection on the spectral abscissa.
    let (mut lo, mut hi) = (0.0, 10.0);
    if abscissa(&d.system_matrix(hi))? < 0.0 {
        return Err(Error::Numerical("stable up to γ = 10".into()));
    }
    for _ in 0..80 {
        let mid = 0.5 * (lo + hi);
        if abscissa(&d.system_matrix(mid))? < 0.0 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let critical = 0.5 * (lo + hi);
    let mut gains = grid(0.0, 1.6 * critical, 121);
    gains.push(critical);
    gains.sort_by(f64::total_cmp);
    gains.dedup_by(|a, b| (*a - *b).abs() < 1e-12);
    let eigenvalues = gains
        .iter()
        .map(|&g| eigenvalues(&d.system_matrix(g)))
        .collect::<Result<Vec<_>>>()?;
    let data = plot::RootLocus {
        title: "Three rivals, one deterrent link: eigenvalues of −A + γK".into(),
        gains,
        eigenvalues,
        critical_gain: Some(critical),
        plane: plot::Plane::Continuous,
    };
    let path = dir.join("root_locus.png");
    plot::root_locus_sized(&data, &path, SIZE)?;
    println!("root locus: γ* = {critical:.4}");
    done(&path);
    Ok(())
}

/// Quantile `q` of sorted values (linear interpolation).
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let pos = q * (sorted.len() - 1) as f64;
    let i = pos.floor() as usize;
    let j = (i + 1).min(sorted.len() - 1);
    sorted[i] + (pos - i as f64) * (sorted[j] - sorted[i])
}

fn fan_chart(dir: &Path, model: &Model) -> Result<()> {
    let runs = 400;
    let opts = SimOptions {
        dt: 0.25,
        ..SimOptions::default()
    };
    let results = (0..runs)
        .into_par_iter()
        .map(|s| run(model, s, &opts))
        .collect::<Result<Vec<_>>>()?;
    let t: Vec<f64> = grid(0.0, model.horizon, (model.horizon / opts.dt) as usize + 1);
    // A run that exploded stays where it stopped (war is absorbing).
    let at = |r: &Trajectory, i: usize, tk: f64| {
        let k = r.t.partition_point(|&s| s <= tk + 1e-9).saturating_sub(1);
        r.x[i][k]
    };
    let mut series = Vec::new();
    for (i, name) in model.dynamics.names.iter().enumerate() {
        let mut median = Vec::new();
        let mut bands = [(0.05, 0.95), (0.25, 0.75)].map(|(lq, uq)| plot::QuantileBand {
            lower_q: lq,
            upper_q: uq,
            ..plot::QuantileBand::default()
        });
        for &tk in &t {
            let mut v: Vec<f64> = results.iter().map(|r| at(r, i, tk)).collect();
            v.sort_by(f64::total_cmp);
            median.push(quantile(&v, 0.5));
            for b in &mut bands {
                b.lower.push(quantile(&v, b.lower_q));
                b.upper.push(quantile(&v, b.upper_q));
            }
        }
        series.push(plot::FanSeries {
            name: name.clone(),
            median,
            bands: bands.to_vec(),
        });
    }
    let exploded = results
        .iter()
        .filter(|r| r.outcome == Outcome::Exploded)
        .count();
    let data = plot::FanChart {
        title: format!("Fourteen-day cessation: {runs} runs ({exploded} exploded)"),
        t,
        series,
        ladder: Some(model.ladder.clone()),
        threshold: Some(model.ladder.bound(model.ladder.top())),
    };
    let path = dir.join("fan_chart.png");
    plot::fan_chart_sized(&data, &path, SIZE)?;
    done(&path);
    Ok(())
}

fn heatmap(dir: &Path, model: &Model) -> Result<()> {
    let runs = 100_u64;
    let rates = grid(0.0, 0.45, 10);
    let accuracy = grid(0.5, 1.0, 11);
    let opts = SimOptions::ensemble();
    let cells: Vec<(usize, usize)> = (0..accuracy.len())
        .flat_map(|j| (0..rates.len()).map(move |i| (i, j)))
        .collect();
    let probs = cells
        .par_iter()
        .map(|&(i, j)| {
            let mut m = model.clone();
            if let Some(s) = m.spoilers.as_mut() {
                s.rate = rates[i];
            }
            if let Some(h) = m.hotline.as_mut() {
                h.attribution = Some(accuracy[j]);
            }
            let mut failed = 0;
            for s in 0..runs {
                let o = run(&m, s, &opts)?.outcome;
                if matches!(o, Outcome::Collapsed | Outcome::Exploded) {
                    failed += 1;
                }
            }
            Ok(f64::from(failed) / runs as f64)
        })
        .collect::<Result<Vec<f64>>>()?;
    let values = probs.chunks(rates.len()).map(<[f64]>::to_vec).collect();
    let data = plot::Heatmap {
        title: format!("Fourteen-day cessation: P(ceasefire fails), {runs} runs per cell"),
        x_label: "spoiler attack rate (1/day)".into(),
        y_label: "attribution accuracy with the hotline".into(),
        value_label: "P(collapsed or exploded)".into(),
        x: rates,
        y: accuracy,
        values,
        marks: vec![Mark {
            label: "scenario".into(),
            x: 0.15,
            y: 0.9,
        }],
        annotate: true,
        ..plot::Heatmap::default()
    };
    let path = dir.join("heatmap.png");
    plot::heatmap_sized(&data, &path, SIZE)?;
    done(&path);
    Ok(())
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
