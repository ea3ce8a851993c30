//! Figures of random runs: the Monte Carlo fan chart and the heat map of
//! the probability that a ceasefire fails.

use rayon::prelude::*;

use super::{map_axes, scenario_mark, title_name};
use crate::ensemble::EnsembleOptions;
use crate::error::{Error, Result};
use crate::model::Model;
use crate::plot::{FanChart, FanSeries, Heatmap, QuantileBand};
use crate::sim::{Outcome, SimOptions, Streams, simulate_checked};
use crate::sweep::{Axis, Grid, Param, SpoilerField, SweepOptions, sweep_ensemble};

/// Sample times of a fan chart: 201, evenly spaced over the horizon.
pub const FAN_TIMES: usize = 201;
/// The quantile bands of a fan chart: 5–95 % and 25–75 %.
pub const BANDS: [(f64, f64); 2] = [(0.05, 0.95), (0.25, 0.75)];
/// Histogram bins per actor and time, over `[0, explosion threshold]`.
const BINS: usize = 2000;
/// Runs simulated at once (their samples are kept until they are binned).
const CHUNK: u64 = 256;
/// Largest heat map that carries its numbers in the cells.
const ANNOTATE_CELLS: usize = 15;

/// Counts of intensities per actor, sample time and bin.
struct Histograms {
    counts: Vec<u32>,
    actors: usize,
    top: f64,
}

impl Histograms {
    fn slot(&self, i: usize, k: usize) -> std::ops::Range<usize> {
        let at = (i * FAN_TIMES + k) * BINS;
        at..at + BINS
    }

    fn add(&mut self, i: usize, k: usize, v: f64) {
        // Non-finite values come only from a run that overflowed: count
        // them at the top, where the run exploded.
        let b = if v.is_finite() {
            ((v / self.top) * BINS as f64)
                .floor()
                .clamp(0.0, (BINS - 1) as f64) as usize
        } else {
            BINS - 1
        };
        let slot = self.slot(i, k);
        self.counts[slot.start + b] += 1;
    }

    /// Quantile `q` of actor `i` at time `k`, interpolated linearly within its bin.
    fn quantile(&self, i: usize, k: usize, q: f64, total: u64) -> f64 {
        let width = self.top / BINS as f64;
        let rank = q * total as f64;
        let mut seen = 0.0;
        for (b, &c) in self.counts[self.slot(i, k)].iter().enumerate() {
            let c = f64::from(c);
            if c > 0.0 && seen + c >= rank {
                return (b as f64 + ((rank - seen) / c).clamp(0.0, 1.0)) * width;
            }
            seen += c;
        }
        self.top
    }
}

/// The intensities of every actor at `times` in one run; after the run
/// ends (an explosion) they stay where it stopped: war is absorbing.
fn resample(run: &crate::sim::Trajectory, times: &[f64]) -> Vec<Vec<f64>> {
    let eps = 1e-9 * times.last().copied().unwrap_or(1.0).max(1.0);
    run.x
        .iter()
        .enumerate()
        .map(|(i, xs)| {
            times
                .iter()
                .map(|&t| {
                    let k = run.t.partition_point(|&s| s <= t + eps);
                    if k == 0 {
                        xs.first().copied().unwrap_or(run.final_x[i])
                    } else if k >= run.t.len() {
                        run.final_x[i]
                    } else {
                        xs[k - 1]
                    }
                })
                .collect()
        })
        .collect()
}

/// A Monte Carlo fan chart of `model`: `runs` recorded runs, run `r` drawing
/// from the stream [`crate::sim::stream`]`(seed, r)` (as in
/// [`crate::ensemble::run_ensemble`], with the same ensemble tolerances),
/// summarised at 201 times over the horizon by each actor's median
/// intensity and its 5–95 % and 25–75 % bands. A run that exploded keeps
/// the intensity at which it stopped. The title counts the runs that
/// exploded.
///
/// Memory does not grow with `runs`: runs are simulated 256 at a time (in
/// parallel) and binned into a histogram per actor and time, 2000 bins up
/// to the explosion threshold, so quantiles are exact to 1/2000 of it
/// (linear within a bin). The result does not depend on the thread count.
/// `progress` is called with 1 for each finished run.
///
/// # Errors
/// [`Error::Invalid`] for zero runs; the simulator's errors.
pub fn fan_chart(
    model: &Model,
    runs: u64,
    seed: u64,
    progress: Option<&(dyn Fn(u64) + Sync)>,
) -> Result<FanChart> {
    model.check()?;
    if runs == 0 {
        return Err(Error::invalid("runs", "a fan chart needs at least 1 run"));
    }
    let n = model.n();
    let times = super::linspace(0.0, model.horizon, FAN_TIMES);
    let opts = SimOptions {
        dt: model.horizon / (FAN_TIMES - 1) as f64,
        record: true,
        ..SimOptions::ensemble()
    };
    let top = model.ladder.bound(model.ladder.top());
    let mut hist = Histograms {
        counts: vec![0; n * FAN_TIMES * BINS],
        actors: n,
        top,
    };
    let mut exploded = 0u64;
    let mut start = 0;
    while start < runs {
        let end = (start + CHUNK).min(runs);
        let chunk = (start..end)
            .into_par_iter()
            .map(|r| {
                let run = simulate_checked(model, &opts, Streams::new(seed, r))?;
                if let Some(p) = progress {
                    p(1);
                }
                Ok((resample(&run, &times), run.outcome == Outcome::Exploded))
            })
            .collect::<Result<Vec<_>>>()?;
        for (x, boom) in chunk {
            exploded += u64::from(boom);
            for (i, xs) in x.iter().enumerate() {
                for (k, &v) in xs.iter().enumerate() {
                    hist.add(i, k, v);
                }
            }
        }
        start = end;
    }
    let series = (0..hist.actors)
        .map(|i| FanSeries {
            name: model.dynamics.names[i].clone(),
            median: (0..FAN_TIMES)
                .map(|k| hist.quantile(i, k, 0.5, runs))
                .collect(),
            bands: BANDS
                .iter()
                .map(|&(lq, uq)| QuantileBand {
                    lower_q: lq,
                    upper_q: uq,
                    lower: (0..FAN_TIMES)
                        .map(|k| hist.quantile(i, k, lq, runs))
                        .collect(),
                    upper: (0..FAN_TIMES)
                        .map(|k| hist.quantile(i, k, uq, runs))
                        .collect(),
                })
                .collect(),
        })
        .collect();
    Ok(FanChart {
        title: format!(
            "{}: {runs} runs (seed {seed}), {exploded} exploded",
            title_name(model)
        ),
        t: times,
        series,
        ladder: Some(model.ladder.clone()),
        threshold: Some(top),
    })
}

/// The probability that the ceasefire fails (a run ends `collapsed` or
/// `exploded`) over a two-axis `grid`, from a Monte Carlo ensemble of
/// `runs` runs per cell ([`crate::sweep::sweep_ensemble`]: every cell uses
/// the scenario's seed, so cells differ by their parameters, not by luck).
/// Any sweep parameter may be an axis. Cells carry their number up to
/// 15 × 15 cells; the scenario's own values are marked. `progress` is
/// called with 1 for each finished run.
///
/// A scenario without a phase has no ceasefire to collapse: the map is
/// then the probability of an explosion. Note that a hotline with its own
/// `attribution` replaces `spoilers.attribution` from the day it starts.
///
/// # Errors
/// [`Error::Invalid`] unless the grid has two axes with two or more
/// different values each, or for zero runs; the simulator's errors.
pub fn collapse_heatmap(
    model: &Model,
    grid: &Grid,
    runs: u64,
    progress: Option<&(dyn Fn(u64) + Sync)>,
) -> Result<Heatmap> {
    let axes = map_axes(grid, "heat map")?;
    if runs == 0 {
        return Err(Error::invalid("runs", "must be at least 1 per cell"));
    }
    let grid = Grid::new(axes.to_vec())?;
    let ens = EnsembleOptions {
        runs,
        ..EnsembleOptions::default()
    };
    let points = sweep_ensemble(model, &grid, &ens, &SweepOptions::default(), progress)?;
    let (nx, ny) = (axes[0].count, axes[1].count);
    let mut values = vec![vec![0.0; nx]; ny];
    for p in &points {
        let c = &p.summary.counts;
        let failed =
            c.get("collapsed").copied().unwrap_or(0) + c.get("exploded").copied().unwrap_or(0);
        values[p.index % ny][p.index / ny] = failed as f64 / p.summary.runs.max(1) as f64;
    }
    let value_label = if model.phases.is_empty() {
        "P(exploded)"
    } else {
        "P(collapsed or exploded)"
    };
    Ok(Heatmap {
        title: format!("{}: {value_label}, {runs} runs per cell", title_name(model)),
        x_label: axes[0].param.label(model),
        y_label: axes[1].param.label(model),
        value_label: value_label.into(),
        x: (0..nx).map(|i| axes[0].value(i)).collect(),
        y: (0..ny).map(|i| axes[1].value(i)).collect(),
        values,
        curves: Vec::new(),
        marks: scenario_mark(model, &axes),
        annotate: nx <= ANNOTATE_CELLS && ny <= ANNOTATE_CELLS,
    })
}

/// A heat map grid around the scenario's spoilers: the attack rate from 0
/// to three times its value (0.3/day when it is 0) in 10 steps, and the
/// attribution accuracy from 0.5 (or lower, to include the scenario's) to
/// 1 in 11 steps.
///
/// # Errors
/// [`Error::Invalid`] for a scenario without `[spoilers]`.
pub fn default_heatmap_grid(model: &Model) -> Result<Grid> {
    model.check()?;
    let Some(s) = &model.spoilers else {
        return Err(Error::invalid(
            "param",
            "the scenario has no [spoilers]: give two parameter axes for the heat map",
        ));
    };
    let rate = if s.rate > 0.0 { 3.0 * s.rate } else { 0.3 };
    let low = (s.attribution.min(0.5) * 10.0).floor() / 10.0;
    Grid::new(vec![
        Axis::new(model, Param::Spoilers(SpoilerField::Rate), 0.0, rate, 10)?,
        Axis::new(
            model,
            Param::Spoilers(SpoilerField::Attribution),
            low,
            1.0,
            11,
        )?,
    ])
}

/// Quantile `q ∈ [0, 1]` of sorted values, interpolated linearly between
/// order statistics (`None` for no values).
#[must_use]
pub fn quantile(sorted: &[f64], q: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let pos = q.clamp(0.0, 1.0) * last as f64;
    let i = pos.floor() as usize;
    let j = (i + 1).min(last);
    Some(sorted[i] + (pos - i as f64) * (sorted[j] - sorted[i]))
}
