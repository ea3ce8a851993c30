//! Pictures from simulated runs: one trajectory, the fan chart and the
//! heat map of failure probability.

use std::path::Path;

use escalation::model::Model;
use escalation::plot::{self, Mark};
use escalation::prelude::*;
use rayon::prelude::*;

use crate::{SIZE, done, grid, run};

/// The first seed whose run breaks the ceasefire and explodes.
pub fn trajectory(dir: &Path, model: &Model) -> Result<()> {
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

/// Quantile `q` of sorted values (linear interpolation).
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let pos = q * (sorted.len() - 1) as f64;
    let i = pos.floor() as usize;
    let j = (i + 1).min(sorted.len() - 1);
    sorted[i] + (pos - i as f64) * (sorted[j] - sorted[i])
}

pub fn fan_chart(dir: &Path, model: &Model) -> Result<()> {
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

pub fn heatmap(dir: &Path, model: &Model) -> Result<()> {
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
