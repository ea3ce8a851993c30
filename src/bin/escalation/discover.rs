//! `discover`: PRIM scenario discovery.

use std::path::PathBuf;

use escalation::experiments::discover::{DiscoverOptions, Discovery, discover_model, read_cases};
use escalation::experiments::prim::PrimOptions;
use escalation::experiments::study::Factor;
use escalation::{Error, Result};

use crate::common::{Heartbeat, check_threads, write_stdout};

/// `discover SCENARIO --param PATH=LO:HI … --cases N --target OUTCOMES` or
/// `discover --data FILE.csv --target COLUMN`
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Scenario file (not with --data).
    scenario: Option<PathBuf>,
    /// An uncertain input and its range (repeat for each).
    #[arg(long = "param", value_name = "PATH=LO:HI")]
    params: Vec<String>,
    /// Cases sampled from the scenario (Latin hypercube, one run each).
    #[arg(long, default_value_t = 1000)]
    cases: usize,
    /// With a scenario: the outcomes of interest (comma-separated:
    /// exploded, collapsed, extended, expired, none, held). With --data:
    /// the column marking the cases of interest.
    #[arg(long)]
    target: String,
    /// Read the cases from a CSV file (header; numeric inputs; the target column).
    #[arg(long, value_name = "FILE.csv")]
    data: Option<PathBuf>,
    /// With --data and a target column of outcome names: the names of interest.
    #[arg(long, value_name = "OUTCOMES", value_delimiter = ',')]
    interest: Vec<String>,
    /// Fraction peeled per step.
    #[arg(long, default_value_t = 0.05)]
    alpha: f64,
    /// Choose the densest box with at least this coverage.
    #[arg(long, default_value_t = 0.8)]
    min_coverage: f64,
    /// Seed of the sample and the runs (default: the scenario's).
    #[arg(long)]
    seed: Option<u64>,
    /// Worker threads (default: all cores). The numbers do not depend on it.
    #[arg(long)]
    threads: Option<usize>,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    /// No progress output.
    #[arg(long)]
    quiet: bool,
}

pub fn run(a: Args) -> Result<()> {
    let threads = check_threads(a.threads)?;
    let prim = PrimOptions {
        peel_alpha: a.alpha,
        ..PrimOptions::default()
    };
    let found = match (&a.data, &a.scenario) {
        (Some(_), Some(_)) => {
            return Err(Error::invalid(
                "--data",
                "give a scenario or --data FILE.csv, not both",
            ));
        }
        (None, None) => {
            return Err(Error::invalid(
                "--data",
                "give a scenario (with --param ranges) or --data FILE.csv",
            ));
        }
        (Some(path), None) => {
            if !a.params.is_empty() {
                return Err(Error::invalid(
                    "--param",
                    "with --data the inputs are the file's columns",
                ));
            }
            let text = escalation::output::read_capped(
                path,
                escalation::output::MAX_DATA_BYTES,
                "data file",
            )?;
            let (columns, cases, hot) =
                read_cases(&text, &a.target, &a.interest).map_err(|e| in_file(e, path))?;
            if !hot.iter().any(|&b| b) {
                return Err(Error::invalid(
                    "--target",
                    format!("no case of {} is of interest", cases.len()),
                ));
            }
            Discovery::from_cases(columns, cases, hot, &prim, a.min_coverage)?
        }
        (None, Some(path)) => {
            if !a.interest.is_empty() {
                return Err(Error::invalid(
                    "--interest",
                    "is for --data; with a scenario, --target names the outcomes",
                ));
            }
            let (_, model) = crate::load(path)?;
            let factors = a
                .params
                .iter()
                .map(|s| Factor::parse(s, &model))
                .collect::<Result<Vec<_>>>()?;
            let targets: Vec<String> = a.target.split(',').map(|s| s.trim().to_string()).collect();
            let opts = DiscoverOptions {
                cases: a.cases,
                seed: a.seed,
                prim,
                min_coverage: a.min_coverage,
                threads,
                ..DiscoverOptions::default()
            };
            let _beat = Heartbeat::start("discover", a.quiet);
            discover_model(&model, &factors, &targets, &opts)?
        }
    };
    print_discovery(&found, a.json)
}

fn in_file(e: Error, path: &std::path::Path) -> Error {
    match e {
        Error::Invalid(mut inv) => {
            inv.reason = format!("{}: {}", path.display(), inv.reason);
            inv.key = "--data".into();
            Error::Invalid(inv)
        }
        other => other,
    }
}

fn print_discovery(d: &Discovery, json: bool) -> Result<()> {
    if json {
        let text = serde_json::to_string_pretty(&escalation::json::discover(d))
            .map_err(|e| Error::numerical(e.to_string()))?;
        return write_stdout(&format!("{text}\n"));
    }
    let hot = d.of_interest.iter().filter(|&&b| b).count();
    let mut out = format!(
        "discover: {} cases, {hot} of interest ({:.1}%); {} boxes on the peeling trajectory\n",
        d.cases.len(),
        100.0 * hot as f64 / d.cases.len() as f64,
        d.result.trajectory.len()
    );
    out += &format!(
        "chosen box {}: coverage {:.3}, density {:.3}, mass {:.3}\n",
        d.chosen.index, d.chosen.coverage, d.chosen.density, d.chosen.mass
    );
    if d.chosen.restrictions.is_empty() {
        out += "  (no restriction: the cases of interest are spread over the whole space)\n";
    }
    for r in &d.chosen.restrictions {
        out += &format!("  {} in [{}, {}]\n", r.column, r.lo, r.hi);
    }
    write_stdout(&out)
}
