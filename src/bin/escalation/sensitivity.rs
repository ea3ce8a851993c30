//! `sensitivity`: Sobol' or Morris over parameter paths; and the merge of
//! experiment parts (compare, sensitivity).

use std::path::{Path, PathBuf};

use escalation::experiments::parts::{
    ExperimentPart, SensitivityPart, merge_compare, merge_sensitivity, parse_part,
};
use escalation::experiments::sensitivity::{
    Method, OutputIndices, SensitivityOptions, SensitivityResult,
};
use escalation::experiments::study::{Factor, Output, Study, StudyExec};
use escalation::{Error, Result};

use crate::common::{Progress, Shard, check_threads, write_stdout};

/// `sensitivity SCENARIO --param PATH=LO:HI … --method sobol|morris --samples N [--runs R] --output NAME …`
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Scenario file (TOML, or JSON with a .json extension).
    scenario: PathBuf,
    /// An uncertain input and its range (repeat for each).
    #[arg(long = "param", value_name = "PATH=LO:HI", required = true)]
    params: Vec<String>,
    /// sobol (first-order and total indices) or morris (μ*, σ).
    #[arg(long, default_value = "sobol")]
    method: String,
    /// Sobol': base samples N, a power of two (N(D + 2) samples in all); Morris: trajectories.
    #[arg(long)]
    samples: usize,
    /// Runs per sample for run outputs, on common random numbers.
    #[arg(long, default_value_t = 100)]
    runs: u64,
    /// Outputs (repeat or separate with commas): critical_gain,
    /// spectral_abscissa, sampled.spectral_radius, gain_margin, p_exploded,
    /// p_collapsed, p_held, mean_cost.
    #[arg(
        long = "output",
        value_name = "NAME",
        required = true,
        value_delimiter = ','
    )]
    outputs: Vec<String>,
    /// Morris grid levels (even).
    #[arg(long, default_value_t = 4)]
    levels: usize,
    /// Bootstrap resamples of the intervals.
    #[arg(long, default_value_t = 1000)]
    resamples: usize,
    /// Seed of the design, the bootstrap and the runs (default: the scenario's).
    #[arg(long)]
    seed: Option<u64>,
    /// Worker threads (default: all cores). The numbers do not depend on it.
    #[arg(long)]
    threads: Option<usize>,
    /// Run only shard K of N (1-based), for job arrays; combine with `merge`.
    #[arg(long, value_name = "K/N")]
    shard: Option<Shard>,
    /// Also write the evaluated samples (JSON) to FILE; with --shard, the partial result for `merge`.
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
    let factors = a
        .params
        .iter()
        .map(|s| Factor::parse(s, &model))
        .collect::<Result<Vec<_>>>()?;
    let outputs = a
        .outputs
        .iter()
        .map(|s| Output::parse(s.trim()))
        .collect::<Result<Vec<_>>>()?;
    let options = SensitivityOptions {
        method: Method::parse(&a.method)?,
        samples: a.samples,
        levels: a.levels,
        seed: a.seed.unwrap_or(model.seed),
        resamples: a.resamples,
        level: 0.95,
    };
    let study = Study::new(&model, factors, outputs, a.runs, options)?;
    let design = study.design()?;
    match &a.out {
        Some(path) => escalation::output::check_file(path, a.force)?,
        None if a.shard.is_some() => {
            return Err(Error::invalid(
                "--shard",
                "needs --out FILE.json to write the partial result for `merge`",
            ));
        }
        None => {}
    }
    let total = design.rows().len();
    let rows_here = a.shard.map_or(total as u64, |s| s.count_of(total as u64));
    let per_row = study.runs.max(1);
    let what = if study.runs > 0 { "runs" } else { "samples" };
    let progress = Progress::new(rows_here.saturating_mul(per_row), a.quiet, what);
    let tick = |n: u64| progress.inc(n);
    let exec = StudyExec {
        threads,
        shard: a.shard.map(|s| s.zero_based()),
        ..StudyExec::default()
    };
    let rows = study.evaluate(&model, &design, &exec, Some(&tick))?;
    progress.finish();
    let work = format!(
        "sensitivity {} --method {} --samples {} --runs {} --output {} --seed {}",
        a.params
            .iter()
            .map(|p| format!("--param {p}"))
            .collect::<Vec<_>>()
            .join(" "),
        study.options.method.name(),
        study.options.samples,
        study.runs,
        study.output_names().join(","),
        study.options.seed
    );
    let values: Vec<Vec<f64>> = rows.iter().map(|(_, y)| y.clone()).collect();
    if let Some(path) = &a.out {
        let part = SensitivityPart::new(&model, &study, work, total, exec.shard, rows);
        let text = serde_json::to_string(&part).map_err(|e| Error::numerical(e.to_string()))?;
        escalation::output::write_file(path, text.as_bytes(), a.force)?;
    }
    if let Some(s) = a.shard {
        return write_stdout(&format!(
            "wrote shard {}/{} ({rows_here} of {total} samples) to {}; combine the shards with `escalation merge`\n",
            s.k,
            s.n,
            a.out
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default()
        ));
    }
    let result = study.analyze(&design, &values)?;
    print_sensitivity(&result, a.json)
}

/// Prints a sensitivity report (text or JSON).
pub fn print_sensitivity(r: &SensitivityResult, json: bool) -> Result<()> {
    if json {
        let text = serde_json::to_string_pretty(&escalation::json::sensitivity(r))
            .map_err(|e| Error::numerical(e.to_string()))?;
        return write_stdout(&format!("{text}\n"));
    }
    let mut out = format!(
        "sensitivity: {} with {} {} ({} samples)\n",
        r.method.name(),
        r.samples,
        match r.method {
            Method::Sobol => "base samples",
            Method::Morris => "trajectories",
        },
        r.rows
    );
    let width = r.params.iter().map(String::len).max().unwrap_or(5).max(9);
    for (name, ix) in r.outputs.iter().zip(&r.indices) {
        out += &format!("\n{name}\n");
        match ix {
            OutputIndices::Constant(v) => {
                out += &format!("  constant ({v}) on every sample: no input moves it\n");
            }
            OutputIndices::Sobol(s) => {
                out += &format!(
                    "  {:<width$} {:>7} {:>17} {:>7} {:>17}\n",
                    "parameter", "S1", "95% CI", "ST", "95% CI"
                );
                let mut order: Vec<usize> = (0..r.params.len()).collect();
                order.sort_by(|&i, &j| s.total[j].total_cmp(&s.total[i]));
                for i in order {
                    out += &format!(
                        "  {:<width$} {:>7.3} [{:>6.3}, {:>6.3}] {:>7.3} [{:>6.3}, {:>6.3}]\n",
                        r.params[i],
                        s.first[i],
                        s.first_interval[i][0],
                        s.first_interval[i][1],
                        s.total[i],
                        s.total_interval[i][0],
                        s.total_interval[i][1]
                    );
                }
            }
            OutputIndices::Morris(m) => {
                out += &format!(
                    "  {:<width$} {:>10} {:>23} {:>10}\n",
                    "parameter", "mu*", "95% CI", "sigma"
                );
                let mut order: Vec<usize> = (0..r.params.len()).collect();
                order.sort_by(|&i, &j| m.mu_star[j].total_cmp(&m.mu_star[i]));
                for i in order {
                    out += &format!(
                        "  {:<width$} {:>10.4} [{:>9.4}, {:>9.4}] {:>10.4}\n",
                        r.params[i],
                        m.mu_star[i],
                        m.mu_star_interval[i][0],
                        m.mu_star_interval[i][1],
                        m.sigma[i]
                    );
                }
            }
        }
    }
    write_stdout(&out)
}

/// `merge` of experiment parts: all parts must be of one experiment.
pub fn merge(parts: &[PathBuf], out: Option<&Path>, json: bool, force: bool) -> Result<()> {
    let mut compares = Vec::new();
    let mut sens = Vec::new();
    for path in parts {
        let label = path.display().to_string();
        let text = read_limited(path)?;
        match parse_part(&label, &text)? {
            ExperimentPart::Compare(p) => compares.push((label, *p)),
            ExperimentPart::Sensitivity(p) => sens.push((label, *p)),
        }
    }
    if !compares.is_empty() && !sens.is_empty() {
        return Err(Error::invalid(
            "merge",
            "parts are of different kinds (compare and sensitivity)",
        ));
    }
    if compares.len() + sens.len() != parts.len() {
        return Err(Error::invalid(
            "merge",
            "parts are of different kinds (an experiment and a sweep or Monte Carlo run)",
        ));
    }
    let write = |text: String| -> Result<()> {
        if let Some(path) = out {
            escalation::output::write_file(path, text.as_bytes(), force)?;
        }
        Ok(())
    };
    if !compares.is_empty() {
        let whole = merge_compare(compares)?;
        write(serde_json::to_string(&whole).map_err(|e| Error::numerical(e.to_string()))?)?;
        return crate::compare::print_compare(&whole.summary, json);
    }
    let whole = merge_sensitivity(sens)?;
    write(serde_json::to_string(&whole).map_err(|e| Error::numerical(e.to_string()))?)?;
    print_sensitivity(&whole.analyze()?, json)
}

fn read_limited(path: &Path) -> Result<String> {
    // Experiment parts are held in memory: a sensitivity part stores one
    // row of outputs per sample, far below the data-file limit.
    escalation::output::read_capped(path, escalation::output::MAX_DATA_BYTES, "partial result")
}
