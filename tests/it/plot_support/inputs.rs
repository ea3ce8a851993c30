//! Inputs computed from the model for `tests/it/plots.rs`: closed forms and
//! simulated ensembles.

use escalation::analysis::Verdict;
use escalation::model::Model;
use escalation::plot::{self, Curve, Mark};
use escalation::prelude::*;

/// A fourteen-day ceasefire with spoilers and a hotline.
pub const CEASEFIRE: &str = r#"
name = "Fourteen-day cessation"
horizon = 40.0
seed = 3

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

[[phase]]
name = "ceasefire"
start = 0.0
end = 14.0
gain = 0.3
parties = ["US", "Iran"]
verify = 4.0
breach_rung = 3
after_gain = 1.3

[spoilers]
rate = 0.3
magnitude = 1.5
targets = ["US"]
accused = "Iran"
attribution = 0.5
attribution_delay = 1.0

[hotline]
start = 2.0
attribution = 0.9
"#;

/// `n` evenly spaced values from `lo` to `hi`.
pub fn linspace(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| lo + (hi - lo) * i as f64 / (n - 1) as f64)
        .collect()
}

/// Quantile `q` of sorted values, interpolated linearly (monotone in `q`).
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let pos = q * (sorted.len() - 1) as f64;
    let i = pos.floor() as usize;
    let j = (i + 1).min(sorted.len() - 1);
    sorted[i] + (pos - i as f64) * (sorted[j] - sorted[i])
}

/// Median and 5–95 %, 25–75 % bands of `runs` simulated runs on a half-day
/// grid; a run that exploded keeps its last value.
pub fn ensemble_fan(model: &Model, runs: u64) -> plot::FanChart {
    let opts = SimOptions {
        dt: 0.5,
        ..SimOptions::default()
    };
    let results: Vec<Trajectory> = (0..runs)
        .map(|s| {
            simulate(
                model,
                &SimOptions {
                    seed: Some(s),
                    ..opts.clone()
                },
            )
            .unwrap()
        })
        .collect();
    let t = linspace(0.0, model.horizon, (model.horizon / opts.dt) as usize + 1);
    let at = |r: &Trajectory, i: usize, tk: f64| {
        let k = r.t.partition_point(|&s| s <= tk + 1e-9).saturating_sub(1);
        r.x[i][k]
    };
    let series = model
        .dynamics
        .names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let mut median = Vec::new();
            let mut bands =
                [(0.05, 0.95), (0.25, 0.75)].map(|(lower_q, upper_q)| plot::QuantileBand {
                    lower_q,
                    upper_q,
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
            plot::FanSeries {
                name: name.clone(),
                median,
                bands: bands.to_vec(),
            }
        })
        .collect();
    plot::FanChart {
        title: format!("{runs} runs"),
        t,
        series,
        ladder: Some(model.ladder.clone()),
        threshold: Some(model.ladder.bound(model.ladder.top())),
    }
}

/// Equilibria of the linear pair `a = 0.5, b = 0.4, k = 0.3, l = 0.6`
/// with `g = 0.2` for Blue and `h = -0.4` for Red, on `x ≥ 0`, against `γ`.
///
/// The boundary state `(g/a, 0)` (Red held at zero) is stable while Red's
/// drive there, `γ l g/a + h`, is negative: up to `γ_b = -h a / (l g) = 5/3`.
/// Past `γ* = sqrt(ab/kl)` an interior saddle `(A - γK)⁻¹ g` exists, with
/// Red's intensity `(a h + γ l g) / (ab - γ² kl)` positive until `γ_b`, where
/// it meets the boundary state: the two vanish together, a fold.
pub fn border_fold() -> plot::Bifurcation {
    let (a, b, k, l, g, h): (f64, f64, f64, f64, f64, f64) = (0.5, 0.4, 0.3, 0.6, 0.2, -0.4);
    let critical = (a * b / (k * l)).sqrt();
    let fold_gain = -h * a / (l * g);
    let low: Vec<(f64, f64)> = linspace(0.0, fold_gain, 50)
        .into_iter()
        .map(|gm| (gm, g / a))
        .collect();
    let saddle: Vec<(f64, f64)> = linspace(critical + 0.005, fold_gain, 200)
        .into_iter()
        .map(|gm| (gm, (b * g + gm * k * h) / (a * b - gm * gm * k * l)))
        .collect();
    let at_fold = saddle.last().unwrap().1;
    assert!(
        (at_fold - g / a).abs() < 1e-9,
        "the saddle meets the boundary state at γ_b"
    );
    plot::Bifurcation {
        title: "Border fold".into(),
        y_label: "equilibrium intensity of Blue (rungs)".into(),
        branches: vec![
            plot::Branch::uniform(low, true),
            plot::Branch::uniform(saddle, false),
        ],
        folds: vec![(fold_gain, g / a)],
        critical_gain: Some(critical),
        y_range: Some((0.0, 6.0)),
        ..plot::Bifurcation::default()
    }
}

/// The two-actor stability grid over (k, l) from `ab - γ²kl`, with its
/// analytic boundary `l = ab / (γ² k)`.
pub fn stability_grid(verdicts: bool) -> plot::StabilityMap {
    let (a, b, gain) = (0.5, 0.4, 1.0);
    let ks = linspace(0.05, 1.0, 25);
    let ls = linspace(0.05, 1.2, 30);
    let det = |k: f64, l: f64| a * b - gain * gain * k * l;
    let cells = if verdicts {
        plot::MapCells::Verdicts(
            ls.iter()
                .map(|&l| {
                    ks.iter()
                        .map(|&k| match det(k, l) {
                            v if v.abs() < 1e-3 => Verdict::Marginal,
                            v if v > 0.0 => Verdict::Stable,
                            _ => Verdict::Explosive,
                        })
                        .collect()
                })
                .collect(),
        )
    } else {
        // Spectral abscissa of [[-a, γk], [γl, -b]] (real eigenvalues for k, l > 0).
        let abscissa = |k: f64, l: f64| {
            let tr = -(a + b);
            0.5 * (tr + (tr * tr - 4.0 * det(k, l)).sqrt())
        };
        plot::MapCells::Values {
            values: ls
                .iter()
                .map(|&l| ks.iter().map(|&k| abscissa(k, l)).collect())
                .collect(),
            label: "spectral abscissa (1/day)".into(),
            threshold: 0.0,
        }
    };
    let boundary = linspace(0.05, 1.0, 100)
        .into_iter()
        .map(|k| (k, a * b / (gain * gain * k)))
        .collect();
    plot::StabilityMap {
        title: "Two rivals".into(),
        x_label: "k (1/day)".into(),
        y_label: "l (1/day)".into(),
        x: ks,
        y: ls,
        cells,
        boundary: vec![Curve::new("ab = γ²kl", boundary)],
        marks: vec![Mark {
            label: "baseline".into(),
            x: 0.3,
            y: 0.6,
        }],
    }
}

/// Eigenvalues of [[-a, γk], [γl, -b]] in closed form.
pub fn eigen2(a: f64, b: f64, k: f64, l: f64, gain: f64) -> Vec<(f64, f64)> {
    let tr = -(a + b);
    let det = a * b - gain * gain * k * l;
    let disc = tr * tr - 4.0 * det;
    if disc >= 0.0 {
        vec![
            (0.5 * (tr + disc.sqrt()), 0.0),
            (0.5 * (tr - disc.sqrt()), 0.0),
        ]
    } else {
        let w = 0.5 * (-disc).sqrt();
        vec![(0.5 * tr, w), (0.5 * tr, -w)]
    }
}
