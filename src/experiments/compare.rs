//! Paired comparisons of two arms (a control and a treatment) on common
//! random numbers: run `r` of both arms draws from the streams of
//! (seed, `r`, mechanism) ([`crate::sim::Streams`]), so the arms see the
//! same attacks, blame and incidents up to where their parameters differ.
//!
//! Every aggregate is a sum of integers (outcome counts, the 2 × 2 table of
//! each outcome, fixed-point sums of the per-run cost difference), so the
//! result does not depend on the number of threads, and shards merge
//! exactly ([`CompareSummary::merge`], [`super::parts::merge_compare`]).
//! `docs/experiments.md` gives the formulas.
//!
//! # Example
//!
//! ```
//! use escalation::prelude::*;
//! use escalation::experiments::compare::{Arm, CompareOptions, compare};
//!
//! let toml = include_str!("../../examples/scenarios/islamabad.toml");
//! let (_, model) = Scenario::compile_str(toml, Format::Toml).unwrap();
//! let control = Arm::new("control", model.clone());
//! let treatment = Arm::with_set("treatment", &model, &[("incidents.rate", 0.06)]).unwrap();
//! let opts = CompareOptions { runs: 40, ..CompareOptions::default() };
//! let s = compare(&control, &treatment, &opts, None).unwrap();
//! let r = s.report(0.95).unwrap();
//! assert_eq!(r["runs"], 40);
//! let d = &r["difference"]["collapsed"];
//! assert!(d["interval"][0].as_f64().unwrap() <= d["estimate"].as_f64().unwrap());
//! ```

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::paired::{PairedCounts, mcnemar_exact, newcombe_interval, variance_ratio};
use super::{check_level, student_t_quantile};
use crate::ensemble::{Cancel, EnsembleSummary, FIXED_QUANTUM, check_cancel, fixed, wilson};
use crate::error::{Error, Result};
use crate::model::Model;
use crate::sim::{Outcome, SimOptions, Streams, simulate_checked};
use crate::sweep::Param;

/// The outcomes a comparison reports: the five [`Outcome`]s and `held`
/// (extended or expired: the phase held to its end).
pub const OUTCOMES: [&str; 6] = [
    "exploded",
    "collapsed",
    "extended",
    "expired",
    "none",
    "held",
];

/// Whether a run that ended with `outcome` counts under the name `name`
/// (one of [`OUTCOMES`]).
fn has(outcome: Outcome, name: &str) -> bool {
    if name == "held" {
        matches!(outcome, Outcome::Extended | Outcome::Expired)
    } else {
        outcome.name() == name
    }
}

/// One arm of a comparison: a name and a model.
#[derive(Debug, Clone, PartialEq)]
pub struct Arm {
    /// Name shown in reports ("control", "treatment", a file name).
    pub name: String,
    /// The model the arm simulates.
    pub model: Model,
}

impl Arm {
    /// An arm running `model` as it is.
    #[must_use]
    pub fn new(name: impl Into<String>, model: Model) -> Self {
        Self {
            name: name.into(),
            model,
        }
    }

    /// An arm running `base` with parameters set by path
    /// (`("incidents.rate", 0.06)`, see [`crate::sweep::PATHS`]).
    ///
    /// # Errors
    /// [`Error::Invalid`] (key `param`) for an unknown path, a parameter the
    /// model lacks or a value it does not allow.
    pub fn with_set(name: impl Into<String>, base: &Model, set: &[(&str, f64)]) -> Result<Self> {
        let mut model = base.clone();
        for &(path, value) in set {
            let p = Param::parse(path, base)?;
            p.check(value)?;
            p.apply(&mut model, value);
        }
        model.check()?;
        Ok(Self::new(name, model))
    }
}

/// Settings of a comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct CompareOptions {
    /// Paired runs (each arm runs this many; at least 2).
    pub runs: u64,
    /// Seed; `None` uses the control model's.
    pub seed: Option<u64>,
    /// Worker threads; `None`: rayon's default. The result does not depend on it.
    pub threads: Option<usize>,
    /// Only shard `k` of `n` (0-based): runs `r` with `r % n == k`.
    pub shard: Option<(u64, u64)>,
    /// Simulation settings of each run (`record` is ignored).
    pub sim: SimOptions,
    /// Stops the comparison when set (checked before each paired run).
    pub cancel: Option<Cancel>,
}

impl Default for CompareOptions {
    fn default() -> Self {
        Self {
            runs: 1000,
            seed: None,
            threads: None,
            shard: None,
            sim: SimOptions::ensemble(),
            cancel: None,
        }
    }
}

/// Fixed-point sums of the per-run difference in total cost
/// (treatment − control, summed over actors), in units of
/// [`FIXED_QUANTUM`] intensity·days: exact under any order of runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CostDifference {
    /// Σ dᵣ over runs.
    pub sum: i128,
    /// Σ dᵣ² over runs (saturating).
    pub sum_sq: u128,
}

/// The aggregates of a comparison (or of a shard of one).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompareSummary {
    /// Paired runs aggregated.
    pub runs: u64,
    /// Seed of the streams.
    pub seed: u64,
    /// Names of the control and the treatment.
    pub names: [String; 2],
    /// Aggregates of the control (0) and the treatment (1).
    pub arms: [EnsembleSummary; 2],
    /// Per outcome of [`OUTCOMES`], the paired 2 × 2 table (control, treatment).
    pub paired: BTreeMap<String, PairedCounts>,
    /// The per-run cost difference.
    pub cost: CostDifference,
}

impl CompareSummary {
    fn empty(seed: u64, names: &[String; 2], horizons: [f64; 2]) -> Self {
        Self {
            runs: 0,
            seed,
            names: names.clone(),
            arms: [
                EnsembleSummary::empty(seed, horizons[0]),
                EnsembleSummary::empty(seed, horizons[1]),
            ],
            paired: OUTCOMES
                .iter()
                .map(|o| ((*o).to_string(), PairedCounts::default()))
                .collect(),
            cost: CostDifference::default(),
        }
    }

    fn add(mut self, c: &crate::sim::Trajectory, t: &crate::sim::Trajectory) -> Self {
        self.runs += 1;
        for (name, table) in &mut self.paired {
            match (has(c.outcome, name), has(t.outcome, name)) {
                (true, true) => table.both += 1,
                (false, true) => table.only_treatment += 1,
                (true, false) => table.only_control += 1,
                (false, false) => table.neither += 1,
            }
        }
        let total = |run: &crate::sim::Trajectory| -> i128 {
            run.cost.iter().map(|&v| fixed(v) as i128).sum()
        };
        let d = total(t) - total(c);
        self.cost.sum = self.cost.sum.saturating_add(d);
        let sq = d.unsigned_abs().checked_pow(2).unwrap_or(u128::MAX);
        self.cost.sum_sq = self.cost.sum_sq.saturating_add(sq);
        let [a, b] = self.arms;
        self.arms = [a.add_run(c), b.add_run(t)];
        self
    }

    /// Adds another summary of the same comparison (another shard).
    ///
    /// # Errors
    /// [`Error::Invalid`] when seeds, names or horizons differ.
    pub fn merge(self, other: &Self) -> Result<Self> {
        if self.seed != other.seed || self.names != other.names {
            return Err(Error::invalid(
                "merge",
                format!(
                    "comparisons differ in seed ({} vs {}) or arms ({:?} vs {:?})",
                    self.seed, other.seed, self.names, other.names
                ),
            ));
        }
        let [a, b] = self.arms;
        let arms = [a.merge(&other.arms[0])?, b.merge(&other.arms[1])?];
        let mut paired = self.paired;
        for (k, v) in &other.paired {
            let e = paired.entry(k.clone()).or_default();
            *e = e.merge(v);
        }
        Ok(Self {
            runs: self.runs + other.runs,
            seed: self.seed,
            names: self.names,
            arms,
            paired,
            cost: CostDifference {
                sum: self.cost.sum + other.cost.sum,
                sum_sq: self.cost.sum_sq.saturating_add(other.cost.sum_sq),
            },
        })
    }

    /// Mean total cost per run of arm `arm` (0 control, 1 treatment),
    /// intensity·days summed over actors.
    #[must_use]
    pub fn mean_cost(&self, arm: usize) -> f64 {
        self.arms
            .get(arm)
            .map_or(0.0, |s| s.mean_cost().iter().sum())
    }

    /// The paired mean difference of total cost (treatment − control),
    /// intensity·days per run, with a Student t interval at `level`
    /// (`None` with fewer than 2 runs).
    ///
    /// # Errors
    /// [`Error::Invalid`] for a level outside (0, 1).
    pub fn cost_difference(&self, level: f64) -> Result<(f64, Option<[f64; 2]>)> {
        check_level("level", level)?;
        if self.runs == 0 {
            return Ok((0.0, None));
        }
        let n = self.runs as f64;
        let mean = self.cost.sum as f64 / n * FIXED_QUANTUM;
        if self.runs < 2 {
            return Ok((mean, None));
        }
        // n Σd² − (Σd)² ≥ 0 exactly in integers when it fits.
        let s2 = self.cost.sum.unsigned_abs().checked_pow(2);
        let spread = s2.and_then(|s2| {
            u128::from(self.runs)
                .checked_mul(self.cost.sum_sq)
                .map(|a| a.saturating_sub(s2) as f64)
        });
        let spread = spread.unwrap_or_else(|| {
            let s = self.cost.sum as f64;
            (n * self.cost.sum_sq as f64 - s * s).max(0.0)
        });
        let var = spread / (n * (n - 1.0)) * FIXED_QUANTUM * FIXED_QUANTUM;
        let half = student_t_quantile(0.5 + level / 2.0, n - 1.0)? * (var / n).sqrt();
        Ok((mean, Some([mean - half, mean + half])))
    }

    /// The report (`compare --json`, `docs/cli.md`): `runs`, `seed`,
    /// `level`, `arms` (each `name`, `outcomes`, `intervals` (Wilson),
    /// `counts`, `mean_cost`), and per outcome of [`OUTCOMES`]:
    /// `difference` (`estimate`, `interval`: Newcombe's method 10),
    /// `discordant` (`[b, c]`: only treatment, only control), `p_value`
    /// (exact McNemar), `variance_ratio` (paired over independent arms;
    /// `null` when both arms are constant); and `cost_difference`
    /// (`control`, `treatment`, `estimate`, `interval`).
    ///
    /// # Errors
    /// [`Error::Invalid`] for an empty summary or a level outside (0, 1).
    pub fn report(&self, level: f64) -> Result<serde_json::Value> {
        check_level("level", level)?;
        if self.runs == 0 {
            return Err(Error::invalid("runs", "the comparison holds no runs"));
        }
        let arms: Vec<serde_json::Value> = (0..2)
            .map(|i| {
                let s = &self.arms[i];
                let mut outcomes = s.fractions();
                let mut intervals = s.intervals();
                let mut counts = s.counts.clone();
                let held = s.count(Outcome::Extended) + s.count(Outcome::Expired);
                outcomes.insert("held".into(), held as f64 / s.runs as f64);
                intervals.insert("held".into(), wilson(held, s.runs));
                counts.insert("held".into(), held);
                json!({
                    "name": self.names[i],
                    "outcomes": outcomes,
                    "intervals": intervals,
                    "counts": counts,
                    "mean_cost": self.mean_cost(i),
                })
            })
            .collect();
        let mut difference = serde_json::Map::new();
        let mut discordant = serde_json::Map::new();
        let mut p_value = serde_json::Map::new();
        let mut ratio = serde_json::Map::new();
        for (name, t) in &self.paired {
            let n = t.n() as f64;
            let estimate = (t.only_treatment as f64 - t.only_control as f64) / n;
            let interval = newcombe_interval(t, level)?;
            difference.insert(
                name.clone(),
                json!({ "estimate": estimate, "interval": interval }),
            );
            discordant.insert(name.clone(), json!([t.only_treatment, t.only_control]));
            p_value.insert(
                name.clone(),
                json!(mcnemar_exact(t.only_treatment, t.only_control)),
            );
            ratio.insert(name.clone(), json!(variance_ratio(t)));
        }
        let (estimate, interval) = self.cost_difference(level)?;
        Ok(json!({
            "runs": self.runs,
            "seed": self.seed,
            "level": level,
            "arms": arms,
            "difference": difference,
            "discordant": discordant,
            "p_value": p_value,
            "variance_ratio": ratio,
            "cost_difference": {
                "control": self.mean_cost(0),
                "treatment": self.mean_cost(1),
                "estimate": estimate,
                "interval": interval,
            },
        }))
    }
}

/// Runs `control` and `treatment` on the same streams: run `r` of both
/// arms is [`crate::sim::simulate_run`]`(arm, sim, seed, r)`. `progress`, if
/// given, is called with 1 per paired run (from worker threads).
///
/// # Errors
/// [`Error::Invalid`] for an invalid arm model, fewer than 2 runs or a bad
/// shard; the first [`Error::Numerical`] of a run; [`Error::Cancelled`].
pub fn compare(
    control: &Arm,
    treatment: &Arm,
    opts: &CompareOptions,
    progress: Option<&(dyn Fn(u64) + Sync)>,
) -> Result<CompareSummary> {
    control.model.check()?;
    treatment.model.check()?;
    if opts.runs < 2 {
        return Err(Error::invalid(
            "runs",
            format!(
                "a paired comparison needs at least 2 runs, got {}",
                opts.runs
            ),
        ));
    }
    let (k, n) = opts.shard.unwrap_or((0, 1));
    if n == 0 || k >= n {
        return Err(Error::invalid(
            "shard",
            format!("{}/{n}: need 1 ≤ K ≤ N", u128::from(k) + 1),
        ));
    }
    let seed = opts.seed.unwrap_or(control.model.seed);
    let mut sim = opts.sim.clone();
    sim.record = false;
    let names = [control.name.clone(), treatment.name.clone()];
    let horizons = [control.model.horizon, treatment.model.horizon];
    let empty = || CompareSummary::empty(seed, &names, horizons);
    let work = || {
        (0..opts.runs)
            .into_par_iter()
            .filter(|r| r % n == k)
            .try_fold(empty, |acc, r| {
                check_cancel(opts.cancel.as_ref())?;
                let c = simulate_checked(&control.model, &sim, Streams::new(seed, r))?;
                let t = simulate_checked(&treatment.model, &sim, Streams::new(seed, r))?;
                if let Some(p) = progress {
                    p(1);
                }
                Ok::<_, Error>(acc.add(&c, &t))
            })
            .try_reduce(empty, |a, b| a.merge(&b))
    };
    match opts.threads {
        None => work(),
        Some(t) => rayon::ThreadPoolBuilder::new()
            .num_threads(t.max(1))
            .build()
            .map_err(|e| Error::numerical(format!("cannot start {t} threads: {e}")))?
            .install(work),
    }
}
