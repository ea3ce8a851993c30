//! Spoilers and attribution: how likely is a misattributed attack to break
//! a ceasefire, and what does a crisis hotline buy?
//!
//! Uses `examples/scenarios/spoilers.toml`: two parties whose loop is
//! explosive at the baseline gain, a ceasefire that lowers it, renewed
//! every fourteen days while it holds, and a spoiler whose attacks on the
//! US may be blamed on Iran. A wrongly blamed attack breaches the
//! ceasefire; after that the loop runs away. So the ceasefire fails when
//! the first misattributed attack lands, and the Monte Carlo answer can be
//! checked against the Poisson formula `1 − exp(−λ (1 − p) T)`.
//!
//! ```text
//! cargo run --release --example spoilers [-- OUT_DIR]
//! ```

use std::path::PathBuf;

use escalation::ensemble::{EnsembleOptions, EnsembleSummary, run_ensemble, wilson};
use escalation::figures;
use escalation::model::Model;
use escalation::output::OutputDir;
use escalation::plot::Curve;
use escalation::prelude::*;
use escalation::sweep::{Axis, Grid, Param, SpoilerField, SweepOptions, sweep_ensemble};

const SCENARIO: &str = include_str!("scenarios/spoilers.toml");
const RUNS: u64 = 1000;
const MAP_RUNS: u64 = 200;

fn main() -> Result<()> {
    let out_dir = std::env::args()
        .nth(1)
        .map_or_else(|| PathBuf::from("out/spoilers"), PathBuf::from);
    let (_, model) = Scenario::compile_str(SCENARIO, Format::Toml)?;
    let sp = model
        .spoilers
        .clone()
        .ok_or_else(|| missing("[spoilers]"))?;
    let hot = model.hotline.clone().ok_or_else(|| missing("[hotline]"))?;
    println!("{}", model.name);
    println!(
        "attacks at {}/day on {}, blamed on {} when attribution fails; {} runs of {} days per point",
        sp.rate,
        names(&model, &sp.targets),
        model.dynamics.names[sp.accused],
        RUNS,
        model.horizon
    );

    // Without attacks the ceasefire always holds: every failure below is blame.
    let mut calm = model.clone();
    calm.spoilers = None;
    let held = run(&calm, 200)?;
    println!(
        "without the spoiler: {:.0} % of 200 runs fail",
        100.0 * failed(&held)
    );

    // The same accuracy with and without the hotline's speed (lag 0 and
    // blame within six hours from day 2): the hotline inherits the swept accuracy.
    let mut slow = model.clone();
    slow.hotline = None;
    let mut fast = model.clone();
    if let Some(h) = fast.hotline.as_mut() {
        h.attribution = None;
    }
    let grid = Grid::new(vec![Axis::new(
        &model,
        Param::Spoilers(SpoilerField::Attribution),
        0.5,
        1.0,
        6,
    )?])?;
    let ens = EnsembleOptions {
        runs: RUNS,
        ..EnsembleOptions::default()
    };
    let without = sweep_ensemble(&slow, &grid, &ens, &SweepOptions::default(), None)?;
    let with = sweep_ensemble(&fast, &grid, &ens, &SweepOptions::default(), None)?;
    let horizon = model.horizon;
    let poisson = |p: f64, hotline: Option<(f64, f64, f64)>| {
        // Expected misattributions whose blame lands within the horizon.
        let m = match hotline {
            None => (1.0 - p) * (horizon - sp.attribution_delay),
            Some((start, p_hot, delay)) => {
                (1.0 - p) * start.min(horizon - sp.attribution_delay)
                    + (1.0 - p_hot) * (horizon - delay - start).max(0.0)
            }
        };
        1.0 - (-sp.rate * m).exp()
    };
    let hot_delay = hot.attribution_delay.unwrap_or(sp.attribution_delay);
    println!(
        "\nP(ceasefire fails) against attribution accuracy (Monte Carlo, Wilson 95 %; Poisson formula):"
    );
    println!(
        "  accuracy   no hotline                      hotline from day {}, same accuracy",
        hot.start
    );
    for (a, b) in without.iter().zip(&with) {
        let p = a.values[0];
        println!(
            "  {p:7.1}    {}  formula {:.3}    {}  formula {:.3}",
            cell(&a.summary),
            poisson(p, None),
            cell(&b.summary),
            poisson(p, Some((hot.start, p, hot_delay)))
        );
    }
    let as_written = run(&model, RUNS)?;
    let p_hot = hot.attribution.unwrap_or(sp.attribution);
    println!(
        "\nThe scenario as written (accuracy {} before day {}, {} with the hotline): {}  formula {:.3}",
        sp.attribution,
        hot.start,
        p_hot,
        cell(&as_written),
        poisson(sp.attribution, Some((hot.start, p_hot, hot_delay)))
    );
    let at = |pts: &[escalation::sweep::EnsemblePoint]| {
        pts.iter()
            .find(|q| (q.values[0] - sp.attribution).abs() < 1e-9)
            .map(|q| failed(&q.summary))
            .ok_or_else(|| missing("an attribution on the grid 0.5, 0.6, …, 1"))
    };
    println!(
        "At {:.0} % accuracy the hotline's speed changes little ({:.3} vs {:.3}); its accuracy does: {:.3}.",
        100.0 * sp.attribution,
        at(&without)?,
        at(&with)?,
        failed(&as_written)
    );
    println!("What fails the ceasefire is the expected number of misattributions, λ(1 − p)T.");

    // Where the hotline is absent: failure over attack rate × accuracy.
    let map_grid = Grid::new(vec![
        Axis::new(&slow, Param::Spoilers(SpoilerField::Rate), 0.0, 0.45, 10)?,
        Axis::new(
            &slow,
            Param::Spoilers(SpoilerField::Attribution),
            0.5,
            1.0,
            11,
        )?,
    ])?;
    let mut map = figures::collapse_heatmap(&slow, &map_grid, MAP_RUNS, None)?;
    map.title = format!("Without a hotline: P(ceasefire fails), {MAP_RUNS} runs per cell");
    // The Poisson formula's 50 % line: λ (1 − p)(T − δ) = ln 2.
    let window = horizon - sp.attribution_delay;
    let half: Vec<(f64, f64)> = figures::linspace(2.0 * std::f64::consts::LN_2 / window, 0.45, 120)
        .into_iter()
        .map(|rate| (rate, 1.0 - std::f64::consts::LN_2 / (rate * window)))
        .collect();
    map.curves = vec![Curve::new("formula: P = 0.5", half)];
    let cells = map_grid.len() as u64;

    let out = OutputDir::create(&out_dir, false)?;
    for ext in ["png", "svg"] {
        out.write_with(&format!("heatmap.{ext}"), |p| map.save(p))?;
    }
    println!(
        "\nheat map: {cells} cells × {MAP_RUNS} runs; at 0.15 attacks/day P(fail) = {:.2} at 60 % accuracy, {:.2} at 90 %, {:.2} at 100 %",
        map.values[2][3], map.values[8][3], map.values[10][3]
    );
    println!("pictures in {}", out.dir().display());
    Ok(())
}

fn run(model: &Model, runs: u64) -> Result<EnsembleSummary> {
    run_ensemble(
        model,
        &EnsembleOptions {
            runs,
            ..EnsembleOptions::default()
        },
        None,
    )
}

/// Fraction of runs that ended collapsed or exploded.
fn failed(s: &EnsembleSummary) -> f64 {
    (s.counts["collapsed"] + s.counts["exploded"]) as f64 / s.runs as f64
}

/// "0.973 [0.962, 0.981]"
fn cell(s: &EnsembleSummary) -> String {
    let k = s.counts["collapsed"] + s.counts["exploded"];
    let [lo, hi] = wilson(k, s.runs);
    format!("{:.3} [{lo:.3}, {hi:.3}]", failed(s))
}

fn names(model: &Model, idx: &[usize]) -> String {
    idx.iter()
        .map(|&i| model.dynamics.names[i].as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn missing(what: &str) -> Error {
    Error::invalid("scenario", format!("spoilers.toml must have {what}"))
}
