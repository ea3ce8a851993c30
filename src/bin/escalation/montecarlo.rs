use std::path::PathBuf;

use escalation::Result;
use escalation::ensemble::{EnsembleOptions, EnsembleSummary, run_ensemble};

use crate::common::{Progress, Shard, check_threads, write_stdout};

/// `montecarlo SCENARIO --runs N [--seed S] [--json]`
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Scenario file (TOML, or JSON with a .json extension).
    scenario: PathBuf,
    /// Number of runs.
    #[arg(long)]
    runs: u64,
    /// Seed of the ensemble (default: the scenario's `seed`); run r uses stream r.
    #[arg(long)]
    seed: Option<u64>,
    /// Worker threads (default: all cores; at most 16 per core and 1024).
    /// The numbers do not depend on it.
    #[arg(long)]
    threads: Option<usize>,
    /// Run only shard K of N (1-based), for job arrays; combine with `merge`.
    #[arg(long, value_name = "K/N")]
    shard: Option<Shard>,
    /// Also write the aggregate (JSON) to FILE; with --shard, the partial result for `merge`.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Allow overwriting FILE even if escalation did not create it.
    #[arg(long)]
    force: bool,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    /// No progress output.
    #[arg(long)]
    quiet: bool,
}

pub fn run(a: Args) -> Result<()> {
    let threads = check_threads(a.threads)?;
    let (_, model) = crate::load(&a.scenario)?;
    if a.runs == 0 {
        return Err(escalation::Error::invalid("--runs", "must be at least 1"));
    }
    match &a.out {
        // Refuse before the runs, not after.
        Some(path) => escalation::output::check_file(path, a.force)?,
        None if a.shard.is_some() => {
            return Err(escalation::Error::invalid(
                "--shard",
                "needs --out FILE.json to write the partial result for `merge`",
            ));
        }
        None => {}
    }
    let opts = EnsembleOptions {
        runs: a.runs,
        seed: a.seed,
        threads,
        shard: a.shard.map(|s| s.zero_based()),
        ..EnsembleOptions::default()
    };
    let expected = match a.shard {
        Some(s) => s.count_of(a.runs),
        None => a.runs,
    };
    let progress = Progress::new(expected, a.quiet, "runs");
    let tick = |n: u64| progress.inc(n);
    let summary = run_ensemble(&model, &opts, Some(&tick))?;
    progress.finish();
    if let Some(path) = &a.out {
        let partial = escalation::json::montecarlo_partial(&model, a.runs, opts.shard, &summary);
        let text = serde_json::to_string(&partial)
            .map_err(|e| escalation::Error::numerical(e.to_string()))?;
        escalation::output::write_file(path, text.as_bytes(), a.force)?;
    }
    print_summary(&summary, &model.name, a.json)
}

pub fn print_summary(summary: &EnsembleSummary, name: &str, json: bool) -> Result<()> {
    if json {
        let text = serde_json::to_string_pretty(&escalation::json::montecarlo(summary))
            .map_err(|e| escalation::Error::numerical(e.to_string()))?;
        return write_stdout(&format!("{text}\n"));
    }
    let mut s = String::new();
    if !name.is_empty() {
        s += &format!("scenario: {name}\n");
    }
    s += &format!("runs: {} (seed {})\n", summary.runs, summary.seed);
    let fr = summary.fractions();
    let iv = summary.intervals();
    for o in escalation::sim::Outcome::ALL {
        let k = o.name();
        s += &format!(
            "  {k:<10} {:6.1}%   95% CI [{:5.1}%, {:5.1}%]\n",
            100.0 * fr[k],
            100.0 * iv[k][0],
            100.0 * iv[k][1]
        );
    }
    if let Some(v) = summary.verification_passed() {
        s += &format!("verification passed: {:.1}%\n", 100.0 * v);
    }
    if let (Some(a), Some(m), Some(b)) = (
        summary.explosion_quantile(0.05),
        summary.explosion_quantile(0.5),
        summary.explosion_quantile(0.95),
    ) {
        s += &format!("explosion time (days): median {m:.1}, 5%–95% [{a:.1}, {b:.1}]\n");
    }
    let cost = summary.mean_cost();
    if !cost.is_empty() {
        let each: Vec<String> = cost.iter().map(|c| format!("{c:.2}")).collect();
        s += &format!(
            "mean cost per run (intensity·days, actors in order): {}\n",
            each.join(", ")
        );
    }
    s += &format!(
        "mean quiet days per run: {:.2}\n",
        summary.mean_quiet_days()
    );
    write_stdout(&s)
}
