//! Monte Carlo ensembles: many seeded runs of one scenario, aggregated as
//! they finish, so memory does not grow with the number of runs.
//!
//! Run `r` draws from its own random streams ([`crate::sim::Streams`]`::new(seed, r)`, one per mechanism),
//! and every aggregate is a sum of integers, so the result is the same
//! whatever the number of threads or the order runs finish in.
//!
//! # Example
//!
//! ```
//! use escalation::prelude::*;
//!
//! // A fourteen-day ceasefire between two rivals, with misattributed spoiler
//! // attacks (a smaller cousin of the repository's Islamabad scenario).
//! let model = Model::builder()
//!     .horizon(30.0)
//!     .seed(7)
//!     .actor(ActorSpec::new("US", 0.5).grievance(0.15).initial(2.5))
//!     .actor(ActorSpec::new("Iran", 0.4).grievance(0.2).initial(2.5))
//!     .coupling("US", "Iran", 0.3)
//!     .coupling("Iran", "US", 0.35)
//!     .controller(ControllerSpec::new(1.0).lag(1))
//!     .phase(PhaseSpec::new("ceasefire", 0.0, 14.0, 0.3).parties(["US", "Iran"]).breach_rung(4))
//!     .spoilers(SpoilerSpec::new(0.1, 1.5, ["US"], "Iran").attribution(0.6))
//!     .build()
//!     .unwrap();
//! let opts = EnsembleOptions { runs: 40, ..EnsembleOptions::default() };
//! let summary = run_ensemble(&model, &opts, None).unwrap();
//! let total: f64 = Outcome::ALL.iter().map(|&o| summary.fraction(o)).sum();
//! assert!((total - 1.0).abs() < 1e-12);
//! let [lo, hi] = summary.interval(Outcome::Collapsed);
//! assert!(lo <= summary.fraction(Outcome::Collapsed) && summary.fraction(Outcome::Collapsed) <= hi);
//! ```

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::Model;
use crate::sim::{Outcome, SimOptions, Streams, simulate_checked};

/// Bins of the explosion-time histogram over the horizon.
pub const TIME_BINS: usize = 10_000;

/// `z` of a two-sided 95% interval.
const Z95: f64 = 1.959_963_984_540_054;

/// Settings of an ensemble.
#[derive(Debug, Clone, PartialEq)]
pub struct EnsembleOptions {
    /// Number of runs.
    pub runs: u64,
    /// Seed; `None` uses the scenario's.
    pub seed: Option<u64>,
    /// Worker threads; `None` uses rayon's default (all cores).
    pub threads: Option<usize>,
    /// Run only shard `k` of `n` (0-based): runs `r` with `r % n == k`.
    pub shard: Option<(u64, u64)>,
    /// Simulation settings of each run (`record` is ignored: runs keep no samples).
    pub sim: SimOptions,
    /// Stops the ensemble when set from another thread (checked before
    /// each run); it then returns [`Error::Cancelled`]. `None`: never.
    pub cancel: Option<Cancel>,
}

/// A flag that stops long work (an ensemble, a sweep) from another thread,
/// e.g. when the user of an interactive front end presses Ctrl-C. Clones
/// share the flag.
///
/// ```
/// use escalation::ensemble::Cancel;
/// let cancel = Cancel::new();
/// let other = cancel.clone();
/// other.cancel();
/// assert!(cancel.is_cancelled());
/// ```
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    /// A flag not yet set.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the flag: the work that holds it stops at its next check.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// True once [`Cancel::cancel`] was called on this flag or a clone.
    #[must_use]
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    /// [`Error::Cancelled`] once the flag is set.
    ///
    /// # Errors
    /// [`Error::Cancelled`] when set.
    pub fn check(&self) -> Result<()> {
        if self.is_cancelled() {
            Err(Error::Cancelled)
        } else {
            Ok(())
        }
    }
}

/// Two flags are equal when they are the same flag.
impl PartialEq for Cancel {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

/// [`Cancel::check`] of an optional flag.
pub(crate) fn check_cancel(cancel: Option<&Cancel>) -> Result<()> {
    cancel.map_or(Ok(()), Cancel::check)
}

impl Default for EnsembleOptions {
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

/// Aggregates of an ensemble (or of a shard of one). Merge shards with
/// [`EnsembleSummary::merge`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnsembleSummary {
    /// Runs aggregated.
    pub runs: u64,
    /// Seed of the ensemble.
    pub seed: u64,
    /// Horizon of each run, days.
    pub horizon: f64,
    /// Runs per outcome.
    pub counts: BTreeMap<String, u64>,
    /// Runs whose verification windows were all decided, and those that all passed.
    pub verification: (u64, u64),
    /// Histogram of explosion times over `[0, horizon]` in [`TIME_BINS`] bins.
    pub explosion_hist: Vec<u64>,
    /// Sum over runs of each actor's cost `∫ x_i dt`, in fixed point (units of
    /// [`FIXED_QUANTUM`] intensity·days), so that sums do not depend on the
    /// order runs finish in and shards merge exactly. Empty until a run is added.
    #[serde(default, with = "wide::list")]
    pub cost_sum: Vec<u128>,
    /// Sum over runs of the quiet days, in units of [`FIXED_QUANTUM`] days.
    #[serde(default, with = "wide::one")]
    pub quiet_sum: u128,
}

/// 128-bit sums as decimal strings in JSON (serde's buffered enums and
/// many JSON readers cannot hold integers past 64 bits); numbers read too.
mod wide {
    use serde::de::Error as _;
    use serde::{Deserialize, Deserializer, Serializer};

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Wide {
        Text(String),
        Number(u64),
    }

    fn parse<E: serde::de::Error>(w: Wide) -> Result<u128, E> {
        match w {
            Wide::Text(t) => t
                .parse()
                .map_err(|_| E::custom(format!("not a whole number: {t:?}"))),
            Wide::Number(n) => Ok(u128::from(n)),
        }
    }

    pub mod one {
        use super::*;
        pub fn serialize<S: Serializer>(v: &u128, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_str(&v.to_string())
        }
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u128, D::Error> {
            parse(Wide::deserialize(d)?)
        }
    }

    pub mod list {
        use super::*;
        use serde::ser::SerializeSeq;
        pub fn serialize<S: Serializer>(v: &[u128], s: S) -> Result<S::Ok, S::Error> {
            let mut seq = s.serialize_seq(Some(v.len()))?;
            for x in v {
                seq.serialize_element(&x.to_string())?;
            }
            seq.end()
        }
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u128>, D::Error> {
            Vec::<Wide>::deserialize(d)?
                .into_iter()
                .map(parse::<D::Error>)
                .collect::<Result<_, _>>()
                .map_err(D::Error::custom)
        }
    }
}

/// The resolution of the fixed-point sums of [`EnsembleSummary`]: 2⁻²⁴
/// (about 6e-8) intensity·days or days per run.
pub const FIXED_QUANTUM: f64 = 1.0 / 16_777_216.0;

/// `v ≥ 0` in units of [`FIXED_QUANTUM`], rounded to nearest (saturating).
pub(crate) fn fixed(v: f64) -> u128 {
    // Casts of floats saturate, and NaN gives 0; costs are never negative.
    (v.max(0.0) / FIXED_QUANTUM).round() as u128
}

impl EnsembleSummary {
    pub(crate) fn empty(seed: u64, horizon: f64) -> Self {
        Self {
            runs: 0,
            seed,
            horizon,
            counts: Outcome::ALL
                .iter()
                .map(|o| (o.name().to_string(), 0))
                .collect(),
            verification: (0, 0),
            explosion_hist: vec![0; TIME_BINS],
            cost_sum: Vec::new(),
            quiet_sum: 0,
        }
    }

    pub(crate) fn add_run(mut self, run: &crate::sim::Trajectory) -> Self {
        if self.cost_sum.len() < run.cost.len() {
            self.cost_sum.resize(run.cost.len(), 0);
        }
        for (sum, &c) in self.cost_sum.iter_mut().zip(&run.cost) {
            *sum = sum.saturating_add(fixed(c));
        }
        self.quiet_sum = self.quiet_sum.saturating_add(fixed(run.quiet_days));
        self.add(run.outcome, run.explosion_time, run.verification_passed())
    }

    fn add(mut self, outcome: Outcome, explosion: Option<f64>, verified: Option<bool>) -> Self {
        self.runs += 1;
        // The keys exist from `empty`: no allocation per run.
        match self.counts.get_mut(outcome.name()) {
            Some(c) => *c += 1,
            None => {
                self.counts.insert(outcome.name().to_string(), 1);
            }
        }
        if let Some(ok) = verified {
            self.verification.0 += 1;
            self.verification.1 += u64::from(ok);
        }
        if let Some(t) = explosion {
            let bin = ((t / self.horizon) * TIME_BINS as f64).floor();
            let bin = (bin.max(0.0) as usize).min(TIME_BINS - 1);
            self.explosion_hist[bin] += 1;
        }
        self
    }

    /// Adds another summary of the same scenario and seed (e.g. another shard).
    ///
    /// # Errors
    /// [`Error::Invalid`] when seeds, horizons or histogram sizes differ.
    pub fn merge(mut self, other: &Self) -> Result<Self> {
        if self.seed != other.seed
            || self.horizon != other.horizon
            || self.explosion_hist.len() != other.explosion_hist.len()
        {
            return Err(Error::invalid(
                "merge",
                format!(
                    "summaries differ in seed ({} vs {}) or horizon ({} vs {})",
                    self.seed, other.seed, self.horizon, other.horizon
                ),
            ));
        }
        self.runs += other.runs;
        for (k, v) in &other.counts {
            *self.counts.entry(k.clone()).or_insert(0) += v;
        }
        self.verification.0 += other.verification.0;
        self.verification.1 += other.verification.1;
        for (a, b) in self.explosion_hist.iter_mut().zip(&other.explosion_hist) {
            *a += b;
        }
        if self.cost_sum.len() < other.cost_sum.len() {
            self.cost_sum.resize(other.cost_sum.len(), 0);
        }
        for (a, b) in self.cost_sum.iter_mut().zip(&other.cost_sum) {
            *a = a.saturating_add(*b);
        }
        self.quiet_sum = self.quiet_sum.saturating_add(other.quiet_sum);
        Ok(self)
    }

    /// Runs that ended with `outcome`.
    #[must_use]
    pub fn count(&self, outcome: Outcome) -> u64 {
        self.counts.get(outcome.name()).copied().unwrap_or(0)
    }

    /// Fraction of runs that ended with `outcome` (0 for an empty summary).
    #[must_use]
    pub fn fraction(&self, outcome: Outcome) -> f64 {
        if self.runs == 0 {
            0.0
        } else {
            self.count(outcome) as f64 / self.runs as f64
        }
    }

    /// Wilson 95% interval of the fraction of runs that ended with `outcome`.
    #[must_use]
    pub fn interval(&self, outcome: Outcome) -> [f64; 2] {
        wilson(self.count(outcome), self.runs)
    }

    /// Fraction of runs per outcome, keyed by the outcome's JSON name.
    #[must_use]
    pub fn fractions(&self) -> BTreeMap<String, f64> {
        self.counts
            .iter()
            .map(|(k, &c)| {
                (
                    k.clone(),
                    if self.runs == 0 {
                        0.0
                    } else {
                        c as f64 / self.runs as f64
                    },
                )
            })
            .collect()
    }

    /// Wilson 95% interval of each outcome's fraction.
    #[must_use]
    pub fn intervals(&self) -> BTreeMap<String, [f64; 2]> {
        self.counts
            .iter()
            .map(|(k, &c)| (k.clone(), wilson(c, self.runs)))
            .collect()
    }

    /// Fraction of runs (with decided verification windows) whose windows all passed.
    #[must_use]
    pub fn verification_passed(&self) -> Option<f64> {
        (self.verification.0 > 0).then(|| self.verification.1 as f64 / self.verification.0 as f64)
    }

    /// Mean cost `∫ x_i dt` per run of each actor, intensity·days (empty for
    /// an empty summary), to [`FIXED_QUANTUM`].
    #[must_use]
    pub fn mean_cost(&self) -> Vec<f64> {
        if self.runs == 0 {
            return Vec::new();
        }
        self.cost_sum
            .iter()
            .map(|&c| c as f64 * FIXED_QUANTUM / self.runs as f64)
            .collect()
    }

    /// Mean days per run with every actor on rung 0 (0 for an empty summary).
    #[must_use]
    pub fn mean_quiet_days(&self) -> f64 {
        if self.runs == 0 {
            0.0
        } else {
            self.quiet_sum as f64 * FIXED_QUANTUM / self.runs as f64
        }
    }

    /// Quantile `q` in [0, 1] of the explosion time among exploded runs, days
    /// (resolution `horizon / TIME_BINS`: the bin's midpoint).
    #[must_use]
    pub fn explosion_quantile(&self, q: f64) -> Option<f64> {
        let total: u64 = self.explosion_hist.iter().sum();
        if total == 0 || !(0.0..=1.0).contains(&q) {
            return None;
        }
        let rank = ((q * total as f64).ceil() as u64).clamp(1, total);
        let mut seen = 0;
        for (b, &c) in self.explosion_hist.iter().enumerate() {
            seen += c;
            if seen >= rank {
                return Some((b as f64 + 0.5) * self.horizon / TIME_BINS as f64);
            }
        }
        None
    }

    /// The JSON report (`docs/cli.md`): `runs`, `seed`, `outcomes`,
    /// `intervals`, `verification_passed`, `explosion_time` (quantiles),
    /// `counts`, `mean_cost` (per actor, in the model's order) and
    /// `mean_quiet_days`.
    #[must_use]
    pub fn report(&self) -> serde_json::Value {
        let quantiles = if self.explosion_hist.iter().any(|&c| c > 0) {
            let q = |p: f64| self.explosion_quantile(p);
            serde_json::json!({
                "p05": q(0.05), "p25": q(0.25), "p50": q(0.5), "p75": q(0.75), "p95": q(0.95),
            })
        } else {
            serde_json::Value::Null
        };
        serde_json::json!({
            "runs": self.runs,
            "seed": self.seed,
            "outcomes": self.fractions(),
            "intervals": self.intervals(),
            "counts": self.counts,
            "verification_passed": self.verification_passed(),
            "explosion_time": quantiles,
            "mean_cost": self.mean_cost(),
            "mean_quiet_days": self.mean_quiet_days(),
        })
    }
}

/// Wilson score interval (95%) for `k` successes in `n` trials.
#[must_use]
pub fn wilson(k: u64, n: u64) -> [f64; 2] {
    if n == 0 {
        return [0.0, 1.0];
    }
    let (k, n) = (k as f64, n as f64);
    let p = k / n;
    let z2 = Z95 * Z95;
    let denom = 1.0 + z2 / n;
    let center = (p + z2 / (2.0 * n)) / denom;
    let half = Z95 / denom * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    [(center - half).max(0.0), (center + half).min(1.0)]
}

/// Runs the ensemble. `progress`, if given, is called with 1 for each finished run
/// (from worker threads).
///
/// # Errors
/// [`Error::Invalid`] for zero runs or a bad shard; the first run's
/// [`Error::Numerical`] if the simulator fails; [`Error::Cancelled`] when
/// `opts.cancel` is set before the last run.
///
/// # Example
///
/// A fourteen-day ceasefire with spoiler attacks, half of them blamed on
/// the wrong side: some runs fail. The summary is the same whatever the
/// number of threads:
///
/// ```
/// use escalation::prelude::*;
///
/// let model = Model::builder()
///     .horizon(30.0)
///     .seed(11)
///     .actor(ActorSpec::new("US", 0.5).grievance(0.2).initial(2.0))
///     .actor(ActorSpec::new("Iran", 0.4).grievance(0.25).initial(2.5))
///     .coupling("US", "Iran", 0.35)
///     .coupling("Iran", "US", 0.6)
///     .controller(ControllerSpec::new(1.0).lag(1).derivative(0.5))
///     .phase(PhaseSpec::new("ceasefire", 0.0, 14.0, 0.3).parties(["US", "Iran"]).breach_rung(3))
///     .spoilers(SpoilerSpec::new(0.15, 1.5, ["US"], "Iran").attribution(0.5))
///     .build()?;
/// let opts = EnsembleOptions { runs: 200, ..EnsembleOptions::default() };
/// let seen = std::sync::atomic::AtomicU64::new(0);
/// let tick = |k: u64| {
///     seen.fetch_add(k, std::sync::atomic::Ordering::Relaxed);
/// };
/// let summary = run_ensemble(&model, &opts, Some(&tick))?;
/// assert_eq!(seen.into_inner(), 200);
/// let runs: u64 = Outcome::ALL.iter().map(|&o| summary.count(o)).sum();
/// assert_eq!(runs, 200);
/// let exploded = summary.fraction(Outcome::Exploded);
/// let [lo, hi] = summary.interval(Outcome::Exploded); // Wilson, 95 %
/// assert!(0.0 < exploded && lo < exploded && exploded < hi);
/// assert!(summary.explosion_quantile(0.5).is_some());
/// // One thread or all: the same numbers.
/// let serial = EnsembleOptions { threads: Some(1), ..opts.clone() };
/// assert_eq!(run_ensemble(&model, &serial, None)?, summary);
/// # Ok::<(), escalation::Error>(())
/// ```
pub fn run_ensemble(
    model: &Model,
    opts: &EnsembleOptions,
    progress: Option<&(dyn Fn(u64) + Sync)>,
) -> Result<EnsembleSummary> {
    model.check()?;
    if opts.runs == 0 {
        return Err(Error::invalid("runs", "must be at least 1"));
    }
    let (k, n) = opts.shard.unwrap_or((0, 1));
    if n == 0 || k >= n {
        return Err(Error::invalid(
            "shard",
            format!("{}/{n}: need 0 ≤ K < N", k + 1),
        ));
    }
    let seed = opts.seed.unwrap_or(model.seed);
    let mut sim = opts.sim.clone();
    sim.record = false;
    let work = || {
        (0..opts.runs)
            .into_par_iter()
            .filter(|r| r % n == k)
            .try_fold(
                || EnsembleSummary::empty(seed, model.horizon),
                |acc, r| {
                    check_cancel(opts.cancel.as_ref())?;
                    let run = simulate_checked(model, &sim, Streams::new(seed, r))?;
                    if let Some(p) = progress {
                        p(1);
                    }
                    Ok::<_, Error>(acc.add_run(&run))
                },
            )
            .try_reduce(
                || EnsembleSummary::empty(seed, model.horizon),
                |a, b| a.merge(&b),
            )
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
