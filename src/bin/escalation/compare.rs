//! `compare`: two arms on common random numbers.

use std::path::PathBuf;

use escalation::experiments::compare::{Arm, CompareOptions, CompareSummary, OUTCOMES, compare};
use escalation::experiments::parts::ComparePart;
use escalation::{Error, Result};

use crate::common::{Progress, Shard, check_threads, write_stdout};

/// `compare SCENARIO --set PATH=VALUE … [--against PATH=VALUE …] --runs N`
/// or `compare A.toml B.toml --runs N`
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Scenario file; with a second file, the control.
    scenario: PathBuf,
    /// A second scenario file: the treatment (then no --set or --against).
    treatment: Option<PathBuf>,
    /// Treatment: the scenario with PATH set to VALUE (repeat for several).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    set: Vec<String>,
    /// Control: the scenario with PATH set to VALUE (default: as written).
    #[arg(long = "against", value_name = "PATH=VALUE")]
    against: Vec<String>,
    /// Paired runs (each arm runs N; at least 2).
    #[arg(long)]
    runs: u64,
    /// Seed of the streams (default: the control scenario's); run r of both arms uses stream r.
    #[arg(long)]
    seed: Option<u64>,
    /// Worker threads (default: all cores). The numbers do not depend on it.
    #[arg(long)]
    threads: Option<usize>,
    /// Run only shard K of N (1-based), for job arrays; combine with `merge`.
    #[arg(long, value_name = "K/N")]
    shard: Option<Shard>,
    /// Also write the aggregates (JSON) to FILE; with --shard, the partial result for `merge`.
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

/// Parses `PATH=VALUE`.
fn parse_set(spec: &str) -> Result<(&str, f64)> {
    let bad = || {
        escalation::error::Invalid::new("--set", "expected PATH=VALUE, e.g. incidents.rate=0.06")
            .value(spec)
    };
    let (path, value) = spec.split_once('=').ok_or_else(bad)?;
    let value: f64 = value.trim().parse().map_err(|_| bad())?;
    Ok((path.trim(), value))
}

fn arm(name: &str, base: &escalation::model::Model, specs: &[String]) -> Result<Arm> {
    let set = specs
        .iter()
        .map(|s| parse_set(s))
        .collect::<Result<Vec<_>>>()?;
    Arm::with_set(name, base, &set)
}

pub fn run(a: Args) -> Result<()> {
    let threads = check_threads(a.threads)?;
    let (control, treatment) = match &a.treatment {
        Some(b) => {
            if !a.set.is_empty() || !a.against.is_empty() {
                return Err(Error::invalid(
                    "--set",
                    "with two scenario files the arms are the files: drop --set and --against",
                ));
            }
            let (_, ma) = crate::load(&a.scenario)?;
            let (_, mb) = crate::load(b)?;
            let (na, nb) = (a.scenario.display().to_string(), b.display().to_string());
            (Arm::new(na, ma), Arm::new(nb, mb))
        }
        None => {
            if a.set.is_empty() {
                return Err(Error::invalid(
                    "--set",
                    "give the treatment with --set PATH=VALUE, or a second scenario file",
                ));
            }
            let (_, model) = crate::load(&a.scenario)?;
            (
                arm("control", &model, &a.against)?,
                arm("treatment", &model, &a.set)?,
            )
        }
    };
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
    let opts = CompareOptions {
        runs: a.runs,
        seed: a.seed,
        threads,
        shard: a.shard.map(|s| s.zero_based()),
        ..CompareOptions::default()
    };
    let expected = a.shard.map_or(a.runs, |s| s.count_of(a.runs));
    let progress = Progress::new(expected, a.quiet, "paired runs");
    let tick = |n: u64| progress.inc(n);
    let summary = compare(&control, &treatment, &opts, Some(&tick))?;
    progress.finish();
    let mut work = format!("compare --runs {} --seed {}", a.runs, summary.seed);
    for s in &a.set {
        work += &format!(" --set {s}");
    }
    for s in &a.against {
        work += &format!(" --against {s}");
    }
    if let Some(path) = &a.out {
        let part = ComparePart::new(
            &control,
            &treatment,
            work,
            a.runs,
            opts.shard,
            summary.clone(),
        );
        let text = serde_json::to_string(&part).map_err(|e| Error::numerical(e.to_string()))?;
        escalation::output::write_file(path, text.as_bytes(), a.force)?;
    }
    if let Some(s) = a.shard {
        let path = a.out.as_ref().map(|p| p.display().to_string());
        return write_stdout(&format!(
            "wrote shard {}/{} ({} paired runs) to {}; combine the shards with `escalation merge`\n",
            s.k,
            s.n,
            summary.runs,
            path.unwrap_or_default()
        ));
    }
    print_compare(&summary, a.json)
}

fn pct(v: f64) -> String {
    format!("{:.1}%", 100.0 * v)
}

/// Prints the report of a whole comparison (text or JSON).
pub fn print_compare(s: &CompareSummary, json: bool) -> Result<()> {
    let r = escalation::json::compare(s)?;
    if json {
        let text = serde_json::to_string_pretty(&r).map_err(|e| Error::numerical(e.to_string()))?;
        return write_stdout(&format!("{text}\n"));
    }
    let f = |v: &serde_json::Value| v.as_f64().unwrap_or(f64::NAN);
    let arms = if s.names == ["control", "treatment"] {
        "treatment (--set) against control".to_string()
    } else {
        format!(
            "{} (treatment) against {} (control)",
            s.names[1], s.names[0]
        )
    };
    let mut out = format!("compare: {arms}, {} paired runs, seed {}\n", s.runs, s.seed);
    out += &format!(
        "  {:<10} {:>9} {:>9}   {:<28} {:>13} {:>10} {:>7}\n",
        "outcome",
        "control",
        "treatment",
        "difference [95% CI]",
        "discordant",
        "McNemar p",
        "var.r"
    );
    for o in OUTCOMES {
        let d = &r["difference"][o];
        let iv = &d["interval"];
        let disc = &r["discordant"][o];
        let ratio = r["variance_ratio"][o]
            .as_f64()
            .map_or("-".to_string(), |v| format!("{v:.3}"));
        out += &format!(
            "  {:<10} {:>9} {:>9}   {:<28} {:>13} {:>10.3e} {:>7}\n",
            o,
            pct(f(&r["arms"][0]["outcomes"][o])),
            pct(f(&r["arms"][1]["outcomes"][o])),
            format!(
                "{:+.1} pp [{:+.1}, {:+.1}]",
                100.0 * f(&d["estimate"]),
                100.0 * f(&iv[0]),
                100.0 * f(&iv[1])
            ),
            format!("{}/{}", disc[0], disc[1]),
            f(&r["p_value"][o]),
            ratio
        );
    }
    let c = &r["cost_difference"];
    let interval = match c["interval"].as_array() {
        Some(iv) => format!(" [{:+.2}, {:+.2}]", f(&iv[0]), f(&iv[1])),
        None => String::new(),
    };
    out += &format!(
        "mean cost per run (intensity·days, all actors): control {:.2}, treatment {:.2}, paired difference {:+.2}{interval}\n",
        f(&c["control"]),
        f(&c["treatment"]),
        f(&c["estimate"])
    );
    out += "discordant b/c: runs with the outcome only in the treatment / only in the control\n";
    write_stdout(&out)
}
