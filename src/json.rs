//! The documents the command-line tool prints with `--json` and writes with
//! `--shard K/N --out`, built here so that every front end (the
//! `escalation` binary, the Python package) gives the same structure from
//! the same function.
//!
//! | command | document |
//! |---|---|
//! | `simulate --json` | [`simulate`] (the [`Trajectory`]'s own serialization) |
//! | `analyze --json` | [`analyze`] |
//! | `montecarlo --json`, `merge --json` of ensembles | [`montecarlo`] ([`EnsembleSummary::report`]) |
//! | `sweep --json` | a list of [`linear_point`] or [`ensemble_point`]; `--summary`: [`SweepCounts`] |
//! | `fit --json` | [`fit`], with the notes of its [`FitPlan`] |
//! | `montecarlo --shard K/N --out` | [`montecarlo_partial`] |
//! | `sweep --shard K/N --out` | [`sweep_partial`] with the points |
//! | `compare --json` | [`compare`] |
//! | `sensitivity --json` | [`sensitivity`] |
//! | `discover --json` | [`discover`] |

use serde_json::Value;

use crate::analysis::Report;
use crate::calibrate::{FitOptions, Resampling};
use crate::ensemble::EnsembleSummary;
use crate::error::{Error, Invalid, Result};
use crate::merge::{GridAxis, Partial, PartialData, fingerprint};
use crate::model::Model;
use crate::sim::Trajectory;
use crate::sweep::{EnsemblePoint, Grid, LinearPoint, SweepCounts};

fn to_value(v: &impl serde::Serialize) -> Result<Value> {
    serde_json::to_value(v).map_err(|e| Error::numerical(format!("JSON output: {e}")))
}

/// `simulate --json`: `t`, `x` (actor → series), `rung` (actor → series),
/// `events`, `outcome`, `explosion_time`, `verification_passed`.
///
/// # Errors
/// [`Error::Numerical`] if a value has no JSON form (never for a finished run).
pub fn simulate(run: &Trajectory) -> Result<Value> {
    to_value(run)
}

/// `analyze --json`: the [`Report`]'s fields.
///
/// # Errors
/// [`Error::Numerical`] if a value has no JSON form.
pub fn analyze(report: &Report) -> Result<Value> {
    to_value(report)
}

/// `montecarlo --json`: [`EnsembleSummary::report`].
#[must_use]
pub fn montecarlo(summary: &EnsembleSummary) -> Value {
    summary.report()
}

/// One point of `sweep --json` without spoiler parameters: `index`,
/// `values`, `spectral_abscissa`, `verdict` and, with a controller,
/// `spectral_radius` (the command line prints them in this order, straight
/// from [`LinearPoint`]'s serialization; a [`Value`] keeps its keys sorted).
///
/// # Errors
/// [`Error::Numerical`] if a value has no JSON form.
pub fn linear_point(point: &LinearPoint) -> Result<Value> {
    to_value(point)
}

/// One point of a Monte Carlo `sweep --json`: the ensemble's
/// [`EnsembleSummary::report`] and the point's parameter `values`.
#[must_use]
pub fn ensemble_point(point: &EnsemblePoint) -> Value {
    let mut v = point.summary.report();
    v["values"] = serde_json::json!(point.values);
    v
}

/// `sweep --summary`: `points`, `stable`, `marginal`, `explosive`.
///
/// # Errors
/// Never in practice (integers only).
pub fn sweep_counts(counts: &SweepCounts) -> Result<Value> {
    to_value(counts)
}

/// `fit --json`: the fit's own JSON (`PooledFit::to_json`,
/// `RichardsonFit::to_json`) with the plan's `notes`.
#[must_use]
pub fn fit(mut fit_json: Value, notes: &[String]) -> Value {
    if let Some(o) = fit_json.as_object_mut() {
        o.insert("notes".into(), serde_json::json!(notes));
    }
    fit_json
}

/// The partial result of `montecarlo --shard K/N --out FILE` (`shard`
/// 0-based), for [`crate::merge::merge`].
#[must_use]
pub fn montecarlo_partial(
    model: &Model,
    runs: u64,
    shard: Option<(u64, u64)>,
    summary: &EnsembleSummary,
) -> Partial {
    Partial {
        scenario: model.name.clone(),
        model: fingerprint(model),
        work: format!("montecarlo --runs {runs} --seed {}", summary.seed),
        grid: Vec::new(),
        runs: Some(runs),
        seed: Some(summary.seed),
        shard,
        data: PartialData::Montecarlo {
            summary: summary.clone(),
        },
    }
}

/// The head of the partial result of `sweep --shard K/N --out FILE`
/// (`shard` 0-based), its data empty of the kind the sweep produces: a
/// Monte Carlo sweep (`runs` per point, `seed`; the grid has a spoiler
/// parameter), verdict counts (`summary`) or linear points. `specs` are
/// the axes as the user wrote them (`PATH=START:STOP:COUNT`), for people.
#[must_use]
pub fn sweep_partial(
    model: &Model,
    grid: &Grid,
    specs: &[String],
    summary: bool,
    runs_seed: Option<(u64, u64)>,
    shard: Option<(u64, u64)>,
) -> Partial {
    let mut work = format!("sweep {}", specs.join(" "));
    let data = if let Some((runs, seed)) = runs_seed {
        work += &format!(" --runs {runs} --seed {seed}");
        PartialData::SweepEnsemble { points: Vec::new() }
    } else if summary {
        PartialData::SweepSummary {
            counts: SweepCounts::default(),
        }
    } else {
        PartialData::Sweep { points: Vec::new() }
    };
    Partial {
        scenario: model.name.clone(),
        model: fingerprint(model),
        work,
        grid: grid.axes.iter().map(GridAxis::of).collect(),
        runs: runs_seed.map(|r| r.0),
        seed: runs_seed.map(|r| r.1),
        shard,
        data,
    }
}

/// Bootstrap resamples of a fit when none are asked for.
pub const DEFAULT_BOOTSTRAP: usize = 1000;
/// Most groups of a Richardson fit (one equation and one row of couplings
/// per group).
pub const MAX_GROUPS: usize = 50;
/// Budget of the bootstrap: resamples × yearly changes × n(n+1)² for n
/// equations (pooled: n = 1); about 10 s of work.
pub const BOOTSTRAP_BUDGET: f64 = 1e9;
/// Budget of one trajectory-matching iteration: years × parameters ×
/// (n+1)²; up to 500 iterations take about 10 s at this size.
pub const REFINE_BUDGET: f64 = 1e6;

/// What `fit` does for a request: the options within the work budgets,
/// and notes saying where it did less than asked.
#[derive(Debug, Clone)]
pub struct FitPlan {
    /// The options to fit with.
    pub options: FitOptions,
    /// What was reduced or skipped, and why (printed, and in the JSON).
    pub notes: Vec<String>,
}

impl FitPlan {
    /// Plans a fit of `equations` equations (1 for the pooled model, the
    /// number of groups for Richardson's) on `years` years of data:
    /// `bootstrap` resamples (`None`: [`DEFAULT_BOOTSTRAP`], or fewer
    /// within [`BOOTSTRAP_BUDGET`], with a note), the trajectory matching
    /// when `refine` and within [`REFINE_BUDGET`] (otherwise skipped, with
    /// a note).
    ///
    /// # Errors
    /// [`Error::Invalid`] (key `groups`) for more than [`MAX_GROUPS`]
    /// equations, (key `bootstrap`) for more resamples than the budget
    /// allows, (key `level`) for a level outside (0, 1).
    pub fn new(
        equations: usize,
        years: usize,
        bootstrap: Option<usize>,
        seed: u64,
        level: f64,
        resampling: Resampling,
        refine: bool,
    ) -> Result<Self> {
        let n = equations;
        if n > MAX_GROUPS {
            return Err(Invalid::new(
                "groups",
                format!("a Richardson fit takes at most {MAX_GROUPS} groups: sum columns into groups with --group NAME=COL+COL"),
            )
            .value(n)
            .into());
        }
        let changes = years.saturating_sub(1) as f64;
        let nf = n as f64;
        let mut notes = Vec::new();
        // The bootstrap: within its budget, or refused when asked for explicitly.
        let per_resample = (changes * nf * (nf + 1.0) * (nf + 1.0)).max(1.0);
        let affordable = (BOOTSTRAP_BUDGET / per_resample).floor() as usize;
        let bootstrap = match bootstrap {
            Some(b) if b > affordable => {
                return Err(Invalid::new(
                    "bootstrap",
                    format!(
                        "at most {affordable} resamples for {} yearly changes and {n} equation(s) \
                         (a budget of resamples × changes × n(n+1)² ≤ {BOOTSTRAP_BUDGET:e}); \
                         pass a smaller number or 0",
                        changes
                    ),
                )
                .value(b)
                .into());
            }
            Some(b) => b,
            None if DEFAULT_BOOTSTRAP > affordable => {
                notes.push(format!(
                    "bootstrap: {affordable} resamples instead of {DEFAULT_BOOTSTRAP}, the most that \
                     {changes} yearly changes allow (resamples × changes × n(n+1)² ≤ {BOOTSTRAP_BUDGET:e})"
                ));
                affordable
            }
            None => DEFAULT_BOOTSTRAP,
        };
        // Trajectory matching: only where an iteration fits its budget.
        let params = nf * nf + 2.0 * nf;
        let refine_cost = years as f64 * params * (nf + 1.0) * (nf + 1.0);
        let refine_ok = refine && refine_cost <= REFINE_BUDGET;
        if refine && !refine_ok {
            notes.push(format!(
                "trajectory matching skipped: {years} years × {params} parameters × (n+1)² = {refine_cost:e} \
                 is more than its budget of {REFINE_BUDGET:e}"
            ));
        }
        let options = FitOptions::default()
            .with_bootstrap(bootstrap)?
            .with_seed(seed)
            .with_level(level)?
            .with_resampling(resampling)
            .with_refine(refine_ok);
        Ok(Self { options, notes })
    }
}

/// `compare --json`: [`crate::experiments::compare::CompareSummary::report`] at 95%.
///
/// # Errors
/// [`Error::Invalid`] for an empty summary.
pub fn compare(summary: &crate::experiments::compare::CompareSummary) -> Result<Value> {
    summary.report(0.95)
}

/// `sensitivity --json`: [`crate::experiments::sensitivity::SensitivityResult::report`].
#[must_use]
pub fn sensitivity(result: &crate::experiments::sensitivity::SensitivityResult) -> Value {
    result.report()
}

/// `discover --json`: [`crate::experiments::discover::Discovery::report`].
#[must_use]
pub fn discover(found: &crate::experiments::discover::Discovery) -> Value {
    found.report()
}
