//! Scenario discovery: where in the space of uncertain inputs does a
//! ceasefire fail? PRIM (Friedman & Fisher 1999, as EMA workbench runs it:
//! [`super::prim`]) on cases sampled from a model — a Latin hypercube over
//! the factors' ranges, one run per case (case `i` is run `i` of the seed,
//! on its own streams), a case "of interest" when its outcome is a target —
//! or on cases read from a CSV file.
//!
//! # Example
//!
//! ```
//! use escalation::prelude::*;
//! use escalation::experiments::discover::{DiscoverOptions, discover_model};
//! use escalation::experiments::study::Factor;
//!
//! let toml = include_str!("../../examples/scenarios/islamabad.toml");
//! let (_, model) = Scenario::compile_str(toml, Format::Toml).unwrap();
//! let factors = vec![
//!     Factor::parse("phase.ceasefire.gain=0.5:1.0", &model).unwrap(),
//!     Factor::parse("spoilers.attribution=0.3:0.9", &model).unwrap(),
//! ];
//! let opts = DiscoverOptions { cases: 200, ..DiscoverOptions::default() };
//! let d = discover_model(&model, &factors, &["collapsed".into(), "exploded".into()], &opts).unwrap();
//! assert!(d.chosen.coverage >= 0.8);
//! assert_eq!(d.report()["trajectory"].as_array().unwrap().len(), d.result.trajectory.len());
//! ```

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde_json::{Value, json};

use super::compare::OUTCOMES;
use super::lhs::latin_hypercube;
use super::prim::{ChosenBox, DEFAULT_MIN_COVERAGE, PrimOptions, PrimResult, prim};
use super::study::Factor;
use crate::ensemble::{Cancel, check_cancel};
use crate::error::{Error, Invalid, Result};
use crate::model::Model;
use crate::sim::{Outcome, SimOptions, Streams, simulate_checked};

/// Most cases sampled from a model (10⁷): cases are held in memory.
pub const MAX_CASES: usize = 10_000_000;

/// Settings of a discovery.
#[derive(Debug, Clone)]
pub struct DiscoverOptions {
    /// Cases sampled from the model (one run each; default 1000).
    pub cases: usize,
    /// Seed of the sample and of the runs; `None` uses the model's.
    pub seed: Option<u64>,
    /// PRIM's parameters (peeling α 0.05 by default).
    pub prim: PrimOptions,
    /// The chosen box is the densest with at least this coverage (default 0.8).
    pub min_coverage: f64,
    /// Worker threads; `None`: rayon's default. The result does not depend on it.
    pub threads: Option<usize>,
    /// Simulation settings of each run (`record` is ignored).
    pub sim: SimOptions,
    /// Stops the runs when set.
    pub cancel: Option<Cancel>,
}

impl Default for DiscoverOptions {
    fn default() -> Self {
        Self {
            cases: 1000,
            seed: None,
            prim: PrimOptions::default(),
            min_coverage: DEFAULT_MIN_COVERAGE,
            threads: None,
            sim: SimOptions::ensemble(),
            cancel: None,
        }
    }
}

/// The cases, the PRIM trajectory and the chosen box.
#[derive(Debug, Clone, PartialEq)]
pub struct Discovery {
    /// Column names (parameter paths or CSV columns).
    pub columns: Vec<String>,
    /// One row per case.
    pub cases: Vec<Vec<f64>>,
    /// Which cases are of interest.
    pub of_interest: Vec<bool>,
    /// PRIM's trajectory.
    pub result: PrimResult,
    /// The chosen box.
    pub chosen: ChosenBox,
}

impl Discovery {
    /// PRIM on `cases` (named `columns`) with the chosen box.
    ///
    /// # Errors
    /// As [`prim`] and [`PrimResult::select`].
    pub fn from_cases(
        columns: Vec<String>,
        cases: Vec<Vec<f64>>,
        of_interest: Vec<bool>,
        prim_opts: &PrimOptions,
        min_coverage: f64,
    ) -> Result<Self> {
        let result = prim(&columns, &cases, &of_interest, prim_opts)?;
        let chosen = result.chosen(result.select(min_coverage)?)?;
        Ok(Self {
            columns,
            cases,
            of_interest,
            result,
            chosen,
        })
    }

    /// The report (`discover --json`): `cases`, `of_interest`,
    /// `trajectory` (each box's `coverage`, `density`, `mass`, `box`: its
    /// restricted columns → `[lo, hi]`), `box` (the chosen box's
    /// restricted columns → `[lo, hi]`), `chosen` (its index), `coverage`,
    /// `density`, `mass`, and `ranges` (every column → `[min, max]` over
    /// the cases).
    #[must_use]
    pub fn report(&self) -> Value {
        let limits = |s: &super::prim::PrimStep| -> BTreeMap<String, [f64; 2]> {
            s.restricted
                .iter()
                .map(|&j| (self.columns[j].clone(), s.limits[j]))
                .collect()
        };
        let trajectory: Vec<Value> = self
            .result
            .trajectory
            .iter()
            .map(|s| {
                json!({
                    "coverage": s.coverage,
                    "density": s.density,
                    "mass": s.mass,
                    "box": limits(s),
                })
            })
            .collect();
        let chosen: BTreeMap<String, [f64; 2]> = self
            .chosen
            .restrictions
            .iter()
            .map(|r| (r.column.clone(), [r.lo, r.hi]))
            .collect();
        let ranges: BTreeMap<String, [f64; 2]> = match self.result.trajectory.first() {
            Some(s) => self
                .columns
                .iter()
                .cloned()
                .zip(s.limits.iter().copied())
                .collect(),
            None => BTreeMap::new(),
        };
        json!({
            "ranges": ranges,
            "cases": self.cases.len(),
            "of_interest": self.of_interest.iter().filter(|&&b| b).count(),
            "trajectory": trajectory,
            "box": chosen,
            "chosen": self.chosen.index,
            "coverage": self.chosen.coverage,
            "density": self.chosen.density,
            "mass": self.chosen.mass,
        })
    }
}

/// Checks target outcome names (those of [`OUTCOMES`]).
fn check_targets(targets: &[String]) -> Result<()> {
    if targets.is_empty() {
        return Err(Error::invalid("target", "name at least one outcome"));
    }
    for t in targets {
        if !OUTCOMES.contains(&t.as_str()) {
            return Err(Invalid::new(
                "target",
                format!("unknown outcome (use: {})", OUTCOMES.join(", ")),
            )
            .value(t)
            .into());
        }
    }
    Ok(())
}

fn is_target(outcome: Outcome, targets: &[String]) -> bool {
    targets.iter().any(|t| {
        if t == "held" {
            matches!(outcome, Outcome::Extended | Outcome::Expired)
        } else {
            t == outcome.name()
        }
    })
}

/// Discovery on `model`: `opts.cases` Latin-hypercube cases over the
/// factors (seeded), one run each, of interest when the outcome is one of
/// `targets` (names of [`OUTCOMES`], e.g. `collapsed`, `exploded`, `held`).
///
/// # Errors
/// [`Error::Invalid`] for no factor, an unknown target, no case of
/// interest, or bad PRIM options; a run's error; [`Error::Cancelled`].
pub fn discover_model(
    model: &Model,
    factors: &[Factor],
    targets: &[String],
    opts: &DiscoverOptions,
) -> Result<Discovery> {
    model.check()?;
    check_targets(targets)?;
    if factors.is_empty() {
        return Err(Error::invalid("param", "give at least one PATH=LO:HI"));
    }
    if opts.cases > MAX_CASES {
        return Err(Error::invalid(
            "cases",
            format!("{} cases is more than the limit of {MAX_CASES}", opts.cases),
        ));
    }
    let seed = opts.seed.unwrap_or(model.seed);
    let bounds: Vec<[f64; 2]> = factors.iter().map(|f| [f.lo, f.hi]).collect();
    let cases = latin_hypercube(opts.cases, &bounds, seed).map_err(|e| match e {
        Error::Invalid(mut inv) if inv.key == "n" => {
            inv.key = "cases".into();
            Error::Invalid(inv)
        }
        other => other,
    })?;
    let mut sim = opts.sim.clone();
    sim.record = false;
    let work = || {
        cases
            .par_iter()
            .enumerate()
            .map(|(i, x)| {
                check_cancel(opts.cancel.as_ref())?;
                let mut m = model.clone();
                for (f, &v) in factors.iter().zip(x) {
                    f.param.check(v)?;
                    f.param.apply(&mut m, v);
                }
                m.check()?;
                let run = simulate_checked(&m, &sim, Streams::new(seed, i as u64))?;
                Ok(is_target(run.outcome, targets))
            })
            .collect::<Result<Vec<bool>>>()
    };
    let hot = match opts.threads {
        None => work(),
        Some(t) => rayon::ThreadPoolBuilder::new()
            .num_threads(t.max(1))
            .build()
            .map_err(|e| Error::numerical(format!("cannot start {t} threads: {e}")))?
            .install(work),
    }?;
    if !hot.iter().any(|&b| b) {
        return Err(Error::invalid(
            "target",
            format!(
                "no case of {} ended {}: nothing to discover (widen the ranges or add cases)",
                cases.len(),
                targets.join(" or ")
            ),
        ));
    }
    let columns = factors.iter().map(|f| f.path.clone()).collect();
    Discovery::from_cases(columns, cases, hot, &opts.prim, opts.min_coverage)
}

/// Cases read from a file: column names, one row per case, and which
/// cases are of interest.
pub type Cases = (Vec<String>, Vec<Vec<f64>>, Vec<bool>);

/// Reads cases from CSV text: a header, then one case per line; every
/// column but `target` is an input (numbers); `target` marks the cases of
/// interest (`1`/`0`, `true`/`false`, or an outcome name, then of interest
/// when it is in `targets`).
///
/// # Errors
/// [`Error::Invalid`] (key `data`) naming the line and column of a value
/// that is not a number, a missing target column, rows of the wrong
/// length, or no input column.
pub fn read_cases(text: &str, target: &str, targets: &[String]) -> Result<Cases> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    let bad = |why: String| Error::invalid("data", why);
    let header: Vec<String> = r
        .headers()
        .map_err(|e| bad(format!("cannot read the header: {e}")))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let t = header.iter().position(|h| h == target).ok_or_else(|| {
        bad(format!(
            "no column {target:?} (columns: {})",
            header.join(", ")
        ))
    })?;
    if header.len() < 2 {
        return Err(bad(
            "needs at least one input column besides the target".into()
        ));
    }
    let columns: Vec<String> = header
        .iter()
        .enumerate()
        .filter(|(j, _)| *j != t)
        .map(|(_, h)| h.clone())
        .collect();
    let (mut cases, mut hot) = (Vec::new(), Vec::new());
    for (i, rec) in r.records().enumerate() {
        let line = i + 2;
        let rec = rec.map_err(|e| bad(format!("line {line}: {e}")))?;
        if rec.len() != header.len() {
            return Err(bad(format!(
                "line {line} has {} fields, the header {}",
                rec.len(),
                header.len()
            )));
        }
        let mut row = Vec::with_capacity(columns.len());
        for (j, field) in rec.iter().enumerate() {
            let field = field.trim();
            if j == t {
                let v = match field {
                    "1" | "true" | "True" | "TRUE" => true,
                    "0" | "false" | "False" | "FALSE" => false,
                    other if targets.iter().any(|x| x == other) => true,
                    other if OUTCOMES.contains(&other) => false,
                    other => {
                        return Err(bad(format!(
                            "line {line}, column {target}: {other:?} is not 0/1, true/false or an outcome name"
                        )));
                    }
                };
                hot.push(v);
            } else {
                let v: f64 = field.parse().map_err(|_| {
                    bad(format!(
                        "line {line}, column {}: {field:?} is not a number",
                        header[j]
                    ))
                })?;
                if !v.is_finite() {
                    return Err(bad(format!(
                        "line {line}, column {}: {field:?} is not finite",
                        header[j]
                    )));
                }
                row.push(v);
            }
        }
        cases.push(row);
    }
    if cases.is_empty() {
        return Err(bad("holds no case".into()));
    }
    Ok((columns, cases, hot))
}
