use std::path::PathBuf;

use escalation::ensemble::EnsembleOptions;
use escalation::merge::{Partial, PartialData};
use escalation::sweep::{Grid, SweepOptions, sweep_ensemble, sweep_linear, sweep_summary};
use escalation::{Error, Result};

use crate::common::{Shard, progress_bar, write_stdout};

/// `sweep SCENARIO --param PATH=START:STOP:COUNT [--param ...] [--summary] [--out FILE]`
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Scenario file (TOML, or JSON with a .json extension).
    scenario: PathBuf,
    /// A grid axis PATH=START:STOP:COUNT (once or twice). PATH is one of:
    /// gain, coupling.ROW.COL, actor.NAME.restraint, actor.NAME.grievance,
    /// controller.period, controller.lag, controller.derivative,
    /// spoilers.rate, spoilers.attribution, hotline.attribution, phase.NAME.gain.
    #[arg(long = "param", value_name = "PATH=START:STOP:COUNT", required = true)]
    params: Vec<String>,
    /// Print only the verdict counts {"points","stable","marginal","explosive"}.
    #[arg(long)]
    summary: bool,
    /// Write the table to FILE (.csv or .json); with --shard, a partial result (.json) for `merge`.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Print JSON instead of CSV.
    #[arg(long)]
    json: bool,
    /// Runs per point when a spoiler parameter is swept (a Monte Carlo sweep).
    #[arg(long, default_value_t = 200)]
    runs: u64,
    /// Seed of the Monte Carlo runs (default: the scenario's); the same at every point.
    #[arg(long)]
    seed: Option<u64>,
    /// Worker threads (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// Evaluate only shard K of N (1-based); write it with --out and combine with `merge`.
    #[arg(long, value_name = "K/N")]
    shard: Option<Shard>,
    /// Allow overwriting FILE even if escalation did not create it.
    #[arg(long)]
    force: bool,
    /// No progress bar.
    #[arg(long)]
    quiet: bool,
}

pub fn run(a: Args) -> Result<()> {
    let (_, model) = crate::load(&a.scenario)?;
    let grid = Grid::parse(&a.params, &model)?;
    let opts = SweepOptions {
        threads: a.threads,
        shard: a.shard.map(Shard::zero_based),
        loop_kind: None,
    };
    let n_points = match a.shard {
        Some(s) => s.count_of(grid.len() as u64),
        None => grid.len() as u64,
    };
    let mut work = format!("sweep {}", a.params.join(" "));
    let data = if grid.is_stochastic() {
        if a.summary {
            return Err(Error::invalid(
                "--summary",
                "counts verdicts of a linear sweep; a Monte Carlo sweep reports outcome fractions per point",
            ));
        }
        if a.runs == 0 {
            return Err(Error::invalid("--runs", "must be at least 1"));
        }
        let seed = a.seed.unwrap_or(model.seed);
        work += &format!(" --runs {} --seed {seed}", a.runs);
        let ens = EnsembleOptions {
            runs: a.runs,
            seed: Some(seed),
            ..EnsembleOptions::default()
        };
        let bar = progress_bar(n_points * a.runs, a.quiet, "runs");
        let tick = |n: u64| bar.inc(n);
        let points = sweep_ensemble(&model, &grid, &ens, &opts, Some(&tick))?;
        bar.finish_and_clear();
        PartialData::SweepEnsemble { points }
    } else {
        let bar = progress_bar(n_points, a.quiet || n_points < 100_000, "points");
        let tick = |n: u64| bar.inc(n);
        let data = if a.summary {
            PartialData::SweepSummary {
                counts: sweep_summary(&model, &grid, &opts, Some(&tick))?,
            }
        } else {
            PartialData::Sweep {
                points: sweep_linear(&model, &grid, &opts, Some(&tick))?,
            }
        };
        bar.finish_and_clear();
        data
    };
    let partial = Partial {
        scenario: model.name.clone(),
        work,
        axes: grid.axes.iter().map(|x| x.path.clone()).collect(),
        shard: opts.shard,
        data,
    };
    if a.shard.is_some() {
        let Some(path) = &a.out else {
            return Err(Error::invalid(
                "--shard",
                "needs --out FILE.json to write the partial result for `merge`",
            ));
        };
        let text = serde_json::to_string(&partial).map_err(|e| Error::Numerical(e.to_string()))?;
        escalation::output::write_file(path, text.as_bytes(), a.force)?;
        eprintln!(
            "wrote shard {}/{} ({n_points} points) to {}",
            partial.shard.map_or(1, |s| s.0 + 1),
            partial.shard.map_or(1, |s| s.1),
            path.display()
        );
        return Ok(());
    }
    emit(&partial, a.out.as_ref(), a.json, a.force)
}

/// Prints or writes a whole sweep (also used by `merge`, so a merged sweep
/// prints exactly as an unsharded one).
pub fn emit(p: &Partial, out: Option<&PathBuf>, json: bool, force: bool) -> Result<()> {
    let as_json = json
        || out.is_some_and(|o| {
            o.extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        });
    let text = match &p.data {
        PartialData::SweepSummary { counts } => {
            serde_json::to_string_pretty(counts).map_err(|e| Error::Numerical(e.to_string()))?
                + "\n"
        }
        PartialData::Sweep { points } if as_json => {
            serde_json::to_string_pretty(points).map_err(|e| Error::Numerical(e.to_string()))?
                + "\n"
        }
        PartialData::SweepEnsemble { points } if as_json => {
            let rows: Vec<serde_json::Value> = points
                .iter()
                .map(|pt| {
                    let mut v = pt.summary.report();
                    v["values"] = serde_json::json!(pt.values);
                    v
                })
                .collect();
            serde_json::to_string_pretty(&rows).map_err(|e| Error::Numerical(e.to_string()))? + "\n"
        }
        PartialData::Sweep { points } => {
            let radius = points.iter().any(|q| q.spectral_radius.is_some());
            let mut s = p.axes.join(",")
                + ",spectral_abscissa,verdict"
                + if radius { ",spectral_radius\n" } else { "\n" };
            for q in points {
                let vals: Vec<String> = q.values.iter().map(|v| v.to_string()).collect();
                s += &format!(
                    "{},{},{}",
                    vals.join(","),
                    q.spectral_abscissa,
                    q.verdict.name()
                );
                if let Some(r) = q.spectral_radius {
                    s += &format!(",{r}");
                }
                s.push('\n');
            }
            s
        }
        PartialData::SweepEnsemble { points } => {
            let mut s = p.axes.join(",")
                + ",runs,exploded,collapsed,extended,expired,none,collapse_lo,collapse_hi,verification_passed\n";
            for q in points {
                let f = q.summary.fractions();
                let iv = q.summary.intervals();
                let vals: Vec<String> = q.values.iter().map(|v| v.to_string()).collect();
                s += &format!(
                    "{},{},{},{},{},{},{},{},{},{}\n",
                    vals.join(","),
                    q.summary.runs,
                    f["exploded"],
                    f["collapsed"],
                    f["extended"],
                    f["expired"],
                    f["none"],
                    iv["collapsed"][0],
                    iv["collapsed"][1],
                    q.summary
                        .verification_passed()
                        .map_or(String::new(), |v| v.to_string())
                );
            }
            s
        }
        PartialData::Montecarlo { .. } => return Err(Error::invalid("merge", "not a sweep")),
    };
    match out {
        Some(path) => {
            escalation::output::write_file(path, text.as_bytes(), force)?;
            eprintln!("wrote {}", path.display());
            Ok(())
        }
        None => write_stdout(&text),
    }
}
