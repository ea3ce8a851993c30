//! Partial results of sharded runs and their exact merge.
//!
//! `escalation montecarlo … --shard K/N --out part.json` and `escalation
//! sweep … --shard K/N --out part.json` write a [`Partial`]; `escalation
//! merge part*.json` combines them. Runs and grid points keep their seeds
//! whatever the shard, and every aggregate is a sum of integers, so the
//! merge equals the unsharded run exactly.
//!
//! A part is not trusted: [`merge`] identifies the work by the
//! [`fingerprint`] of the compiled model plus the work's arguments, checks
//! every invariant of every part (counts within and summing to the runs,
//! shard arithmetic, points inside their shard and grid, known outcome
//! names) with checked integer arithmetic, and says what differs or which
//! shard is missing.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::analysis::Verdict;
use crate::ensemble::{EnsembleSummary, FIXED_QUANTUM, TIME_BINS};
use crate::error::{Error, Result};
use crate::model::Model;
use crate::sim::Outcome;
use crate::sweep::{EnsemblePoint, LinearPoint, MAX_POINTS, SweepCounts};

/// The identity of a compiled model: `sha256:` and the SHA-256 of its
/// `Debug` form (which prints every number so that it reads back to the
/// same bits), with the name and the default seed left out (they do not
/// change a result: the seed used is part of the work).
#[must_use]
pub fn fingerprint(model: &Model) -> String {
    let mut m = model.clone();
    m.name = String::new();
    m.seed = 0;
    let digest = Sha256::digest(format!("{m:?}").as_bytes());
    let mut s = String::from("sha256:");
    for b in digest.iter() {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// One axis of a swept grid: `count` values from `start` to `stop`
/// inclusive, evenly spaced (the formula of [`crate::sweep::Axis::value`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GridAxis {
    /// The parameter path as written (`coupling.X.Y`).
    pub path: String,
    /// First value.
    pub start: f64,
    /// Last value.
    pub stop: f64,
    /// Number of values.
    pub count: u64,
}

impl GridAxis {
    /// The axis of a sweep grid.
    #[must_use]
    pub fn of(axis: &crate::sweep::Axis) -> Self {
        Self {
            path: axis.path.clone(),
            start: axis.start,
            stop: axis.stop,
            count: axis.count as u64,
        }
    }

    /// The `k`-th value, bit for bit as the sweep computes it.
    #[must_use]
    pub fn value(&self, k: u64) -> f64 {
        if self.count == 1 {
            self.start
        } else {
            self.start + (self.stop - self.start) * k as f64 / (self.count - 1) as f64
        }
    }
}

impl std::fmt::Display for GridAxis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}={}:{}:{}",
            self.path,
            short(self.start),
            short(self.stop),
            self.count
        )
    }
}

/// A number in at most 17 significant digits.
fn short(v: f64) -> String {
    let a = v.abs();
    if v == 0.0 || !v.is_finite() || (1e-5..1e16).contains(&a) {
        format!("{v}")
    } else {
        format!("{v:e}")
    }
}

/// The result of one shard (or of a whole run, with `shard = None`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Partial {
    /// Scenario name.
    pub scenario: String,
    /// [`fingerprint`] of the compiled model.
    #[serde(default)]
    pub model: String,
    /// The command line that identifies the work (grid specs, runs, seed),
    /// for people; the fields below are what is compared.
    pub work: String,
    /// The grid of a sweep (empty for an ensemble).
    #[serde(default)]
    pub grid: Vec<GridAxis>,
    /// Runs of an ensemble, or runs per point of a Monte Carlo sweep.
    #[serde(default)]
    pub runs: Option<u64>,
    /// Seed of an ensemble or Monte Carlo sweep.
    #[serde(default)]
    pub seed: Option<u64>,
    /// `(k, n)`: shard k (0-based) of n; `None` for a whole run.
    pub shard: Option<(u64, u64)>,
    /// The data.
    pub data: PartialData,
}

impl Partial {
    /// Names of the grid's parameters (empty for an ensemble).
    #[must_use]
    pub fn axes(&self) -> Vec<String> {
        self.grid.iter().map(|a| a.path.clone()).collect()
    }

    /// Items of the whole work: runs of an ensemble, points of a sweep.
    ///
    /// # Errors
    /// [`Error::Invalid`] when the grid or the runs are missing or too large.
    pub fn total(&self) -> Result<u64> {
        match &self.data {
            PartialData::Montecarlo { .. } => match self.runs {
                Some(r) if r > 0 => Ok(r),
                _ => Err(Error::invalid("merge", "an ensemble part has no runs")),
            },
            _ => {
                if self.grid.is_empty() || self.grid.len() > 2 {
                    return Err(Error::invalid(
                        "merge",
                        format!(
                            "a sweep part needs one or two grid axes, it has {}",
                            self.grid.len()
                        ),
                    ));
                }
                let mut total: u64 = 1;
                for a in &self.grid {
                    if a.count == 0 || !a.start.is_finite() || !a.stop.is_finite() {
                        return Err(Error::invalid(
                            "merge",
                            format!("grid axis {a} is not a valid axis"),
                        ));
                    }
                    total = total.saturating_mul(a.count);
                }
                if total > MAX_POINTS {
                    return Err(Error::invalid(
                        "merge",
                        format!("the grid has {total} points, more than the limit of {MAX_POINTS}"),
                    ));
                }
                Ok(total)
            }
        }
    }
}

/// What a partial result holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PartialData {
    /// A Monte Carlo ensemble.
    Montecarlo {
        /// Its aggregates.
        summary: EnsembleSummary,
    },
    /// A linear sweep, point by point.
    Sweep {
        /// Points, any order.
        points: Vec<LinearPoint>,
    },
    /// A linear sweep, counts only (`--summary`).
    SweepSummary {
        /// Verdict counts.
        counts: SweepCounts,
    },
    /// A Monte Carlo sweep.
    SweepEnsemble {
        /// Points, any order.
        points: Vec<EnsemblePoint>,
    },
}

/// The name of a part's kind.
#[must_use]
pub fn kind(d: &PartialData) -> &'static str {
    match d {
        PartialData::Montecarlo { .. } => "montecarlo",
        PartialData::Sweep { .. } => "sweep",
        PartialData::SweepSummary { .. } => "sweep_summary",
        PartialData::SweepEnsemble { .. } => "sweep_ensemble",
    }
}

/// `K/N` of a 0-based shard, without overflow.
fn shard_name(k: u64, n: u64) -> String {
    format!("{}/{n}", u128::from(k) + 1)
}

/// Items of `total` in shard `k` of `n` (item `i` goes to shard `i % n`).
#[must_use]
pub fn shard_count(total: u64, k: u64, n: u64) -> u64 {
    if n == 0 || total <= k {
        0
    } else {
        (total - k).div_ceil(n)
    }
}

fn bad(label: &str, why: impl std::fmt::Display) -> Error {
    Error::invalid("merge", format!("{label}: {why}"))
}

fn opt<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map_or_else(|| "none".into(), |v| v.to_string())
}

/// Field by field, how `b` differs from `a` in its work.
fn differences(a: &Partial, b: &Partial) -> Vec<String> {
    let mut d = Vec::new();
    if kind(&a.data) != kind(&b.data) {
        d.push(format!("kind {} vs {}", kind(&a.data), kind(&b.data)));
    }
    if a.scenario != b.scenario {
        d.push(format!(
            "scenario name {:?} vs {:?}",
            a.scenario, b.scenario
        ));
    }
    if a.model != b.model {
        let cut = |s: &str| s.chars().take(23).collect::<String>();
        d.push(format!(
            "model differs (fingerprint {}… vs {}…: the compiled scenarios are not the same)",
            cut(&a.model),
            cut(&b.model)
        ));
    }
    if a.runs != b.runs {
        d.push(format!("runs {} vs {}", opt(a.runs), opt(b.runs)));
    }
    if a.seed != b.seed {
        d.push(format!("seed {} vs {}", opt(a.seed), opt(b.seed)));
    }
    if a.grid != b.grid {
        let g = |p: &Partial| {
            p.grid
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" ")
        };
        d.push(format!("grid {} vs {}", g(a), g(b)));
    }
    if let (Some((_, n)), Some((_, m))) = (a.shard, b.shard)
        && n != m
    {
        d.push(format!("number of shards {n} vs {m}"));
    }
    if d.is_empty() && a.work != b.work {
        d.push(format!("command {:?} vs {:?}", a.work, b.work));
    }
    d
}

/// Checks an ensemble summary of `runs` runs with `seed`.
fn check_summary(label: &str, s: &EnsembleSummary, runs: u64, seed: u64) -> Result<()> {
    if s.runs != runs {
        return Err(bad(
            label,
            format!("holds {} runs, its shard has {runs}", s.runs),
        ));
    }
    if s.seed != seed {
        return Err(bad(
            label,
            format!("its runs used seed {}, the work says {seed}", s.seed),
        ));
    }
    if !(s.horizon.is_finite() && s.horizon > 0.0) {
        return Err(bad(label, "the horizon is not a positive number"));
    }
    let names: BTreeSet<&str> = Outcome::ALL.iter().map(|o| o.name()).collect();
    for k in s.counts.keys() {
        if !names.contains(k.as_str()) {
            return Err(bad(
                label,
                format!(
                    "unknown outcome {k:?} (outcomes are {})",
                    names.iter().copied().collect::<Vec<_>>().join(", ")
                ),
            ));
        }
    }
    let mut sum: u64 = 0;
    for name in &names {
        let c = *s
            .counts
            .get(*name)
            .ok_or_else(|| bad(label, format!("no count for the outcome {name:?}")))?;
        if c > runs {
            return Err(bad(
                label,
                format!("{c} runs {name}, more than its {runs} runs"),
            ));
        }
        sum = sum
            .checked_add(c)
            .ok_or_else(|| bad(label, "the outcome counts overflow"))?;
    }
    if sum != runs {
        return Err(bad(
            label,
            format!("the outcome counts sum to {sum}, not to its {runs} runs"),
        ));
    }
    let (decided, passed) = s.verification;
    if decided > runs || passed > decided {
        return Err(bad(
            label,
            format!(
                "verification counts {passed} passed of {decided} decided do not fit {runs} runs"
            ),
        ));
    }
    if s.explosion_hist.len() != TIME_BINS {
        return Err(bad(
            label,
            format!(
                "the explosion-time histogram has {} bins, not {TIME_BINS}",
                s.explosion_hist.len()
            ),
        ));
    }
    let mut hist: u64 = 0;
    for &c in &s.explosion_hist {
        hist = hist
            .checked_add(c)
            .ok_or_else(|| bad(label, "the explosion-time histogram overflows"))?;
    }
    let exploded = s.counts.get(Outcome::Exploded.name()).copied().unwrap_or(0);
    if hist != exploded {
        return Err(bad(
            label,
            format!("the explosion-time histogram holds {hist} runs, but {exploded} exploded"),
        ));
    }
    // Each run's quiet days fit its horizon (plus half a quantum of rounding).
    let quiet_max = (s.horizon / FIXED_QUANTUM + 1.0) * runs as f64;
    if s.quiet_sum as f64 > quiet_max {
        return Err(bad(
            label,
            format!(
                "the quiet days exceed {runs} runs of {} days",
                short(s.horizon)
            ),
        ));
    }
    if runs == 0 && !s.cost_sum.is_empty() {
        return Err(bad(label, "costs of an empty summary"));
    }
    Ok(())
}

/// Adds `b` into `a` (checked): both already checked.
fn add_summary(a: &mut EnsembleSummary, b: &EnsembleSummary) -> Result<()> {
    let overflow = || Error::invalid("merge", "the merged counts overflow");
    if a.seed != b.seed || a.horizon.to_bits() != b.horizon.to_bits() {
        return Err(Error::invalid(
            "merge",
            format!(
                "summaries differ in seed ({} vs {}) or horizon ({} vs {})",
                a.seed,
                b.seed,
                short(a.horizon),
                short(b.horizon)
            ),
        ));
    }
    a.runs = a.runs.checked_add(b.runs).ok_or_else(overflow)?;
    for (k, v) in &b.counts {
        let c = a.counts.entry(k.clone()).or_insert(0);
        *c = c.checked_add(*v).ok_or_else(overflow)?;
    }
    a.verification.0 = a
        .verification
        .0
        .checked_add(b.verification.0)
        .ok_or_else(overflow)?;
    a.verification.1 = a
        .verification
        .1
        .checked_add(b.verification.1)
        .ok_or_else(overflow)?;
    for (x, y) in a.explosion_hist.iter_mut().zip(&b.explosion_hist) {
        *x = x.checked_add(*y).ok_or_else(overflow)?;
    }
    if !a.cost_sum.is_empty() && !b.cost_sum.is_empty() && a.cost_sum.len() != b.cost_sum.len() {
        return Err(Error::invalid(
            "merge",
            format!(
                "the parts hold costs of {} and {} actors",
                a.cost_sum.len(),
                b.cost_sum.len()
            ),
        ));
    }
    if a.cost_sum.len() < b.cost_sum.len() {
        a.cost_sum.resize(b.cost_sum.len(), 0);
    }
    for (x, y) in a.cost_sum.iter_mut().zip(&b.cost_sum) {
        *x = x.checked_add(*y).ok_or_else(overflow)?;
    }
    a.quiet_sum = a.quiet_sum.checked_add(b.quiet_sum).ok_or_else(overflow)?;
    Ok(())
}

/// Checks the points of a sweep part one at a time, in increasing index
/// order (so that a part of millions of points needs no memory): each
/// inside the grid and the part's shard, none twice, the values those of
/// the grid, and as many as the shard has.
#[derive(Debug, Clone)]
pub struct PointCheck {
    grid: Vec<GridAxis>,
    total: u64,
    shard: (u64, u64),
    last: Option<u64>,
    count: u64,
}

impl PointCheck {
    /// A checker for the points of `p` (whose header is checked first).
    ///
    /// # Errors
    /// [`Error::Invalid`] when the grid or shard is not valid.
    pub fn new(label: &str, p: &Partial) -> Result<Self> {
        let shard = check_shard(label, p)?;
        let total = p.total().map_err(|e| bad(label, e))?;
        Ok(Self {
            grid: p.grid.clone(),
            total,
            shard,
            last: None,
            count: 0,
        })
    }

    /// Checks the next point of the part.
    ///
    /// # Errors
    /// [`Error::Invalid`] saying what is wrong with the point.
    pub fn point(&mut self, label: &str, index: usize, values: &[f64]) -> Result<()> {
        let (k, n) = self.shard;
        let i = index as u64;
        if i >= self.total {
            return Err(bad(
                label,
                format!("point {i} is outside the grid of {} points", self.total),
            ));
        }
        if i % n != k {
            return Err(bad(
                label,
                format!("point {i} does not belong to shard {}", shard_name(k, n)),
            ));
        }
        match self.last {
            Some(l) if l == i => return Err(bad(label, format!("point {i} is given twice"))),
            Some(l) if l > i => {
                return Err(bad(
                    label,
                    format!("point {i} comes after point {l}: points must be in grid order"),
                ));
            }
            _ => {}
        }
        let expect = grid_values(&self.grid, i);
        let same = expect.len() == values.len()
            && expect
                .iter()
                .zip(values)
                .all(|(a, b)| a.to_bits() == b.to_bits());
        if !same {
            return Err(bad(
                label,
                format!("the parameter values of point {i} are not those of the grid"),
            ));
        }
        self.last = Some(i);
        self.count += 1;
        Ok(())
    }

    /// Checks that the part held every point of its shard.
    ///
    /// # Errors
    /// [`Error::Invalid`] when points are missing.
    pub fn finish(&self, label: &str) -> Result<()> {
        let (k, n) = self.shard;
        let want = shard_count(self.total, k, n);
        if self.count != want {
            return Err(bad(
                label,
                format!(
                    "holds {} points, shard {} of the grid has {want}",
                    self.count,
                    shard_name(k, n)
                ),
            ));
        }
        Ok(())
    }
}

/// Values of point `p` of `grid`.
fn grid_values(grid: &[GridAxis], p: u64) -> Vec<f64> {
    match grid {
        [a] => vec![a.value(p)],
        [a, b] => vec![a.value(p / b.count), b.value(p % b.count)],
        _ => Vec::new(),
    }
}

/// Runs a [`PointCheck`] over points in any order.
fn check_points<'a>(
    label: &str,
    p: &Partial,
    points: impl Iterator<Item = (usize, &'a [f64])>,
) -> Result<()> {
    let mut sorted: Vec<(usize, &[f64])> = points.collect();
    sorted.sort_by_key(|x| x.0);
    let mut check = PointCheck::new(label, p)?;
    for (i, v) in sorted {
        check.point(label, i, v)?;
    }
    check.finish(label)
}

/// Checks one linear point's numbers against its verdict.
///
/// # Errors
/// [`Error::Invalid`] for a non-finite number or a contradicting verdict.
pub fn check_linear(label: &str, q: &LinearPoint) -> Result<()> {
    let i = q.index;
    if !q.spectral_abscissa.is_finite() {
        return Err(bad(label, format!("point {i}: the abscissa is not finite")));
    }
    let (x, one) = match q.spectral_radius {
        Some(r) if !(r.is_finite() && r >= 0.0) => {
            return Err(bad(
                label,
                format!("point {i}: the spectral radius is not a non-negative number"),
            ));
        }
        Some(r) => (r, 1.0),
        None => (q.spectral_abscissa, 0.0),
    };
    let fits = match q.verdict {
        Verdict::Stable => x <= one,
        Verdict::Explosive => x >= one,
        Verdict::Marginal => true,
    };
    if !fits {
        return Err(bad(
            label,
            format!(
                "point {i}: the verdict {} contradicts its numbers",
                q.verdict.name()
            ),
        ));
    }
    Ok(())
}

/// The part's shard `(k, n)`, checked: `k < n`.
fn check_shard(label: &str, p: &Partial) -> Result<(u64, u64)> {
    let (k, n) = p
        .shard
        .ok_or_else(|| bad(label, "is a whole run, not a shard"))?;
    if n == 0 || k >= n {
        return Err(bad(
            label,
            format!("{} is not a shard: need 1 ≤ K ≤ N", shard_name(k, n)),
        ));
    }
    Ok((k, n))
}

/// Checks everything a part says about itself except its points (see
/// [`PointCheck`] and [`check_linear`]); returns its shard `(k, n)`.
///
/// # Errors
/// [`Error::Invalid`] saying what is wrong.
pub fn check_header(label: &str, p: &Partial) -> Result<(u64, u64)> {
    let (k, n) = check_shard(label, p)?;
    if p.model.is_empty() {
        return Err(bad(
            label,
            "has no model fingerprint (written by an older escalation?): run the shard again",
        ));
    }
    let total = p.total().map_err(|e| bad(label, e))?;
    let want = shard_count(total, k, n);
    let stochastic = matches!(
        p.data,
        PartialData::Montecarlo { .. } | PartialData::SweepEnsemble { .. }
    );
    let (runs, seed) = match (p.runs, p.seed) {
        (Some(r), Some(s)) if stochastic && r > 0 => (r, s),
        (None, None) if !stochastic => (0, 0),
        _ if stochastic => return Err(bad(label, "needs its runs and seed")),
        _ => return Err(bad(label, "a linear sweep has no runs or seed")),
    };
    match &p.data {
        PartialData::Montecarlo { summary } => {
            if !p.grid.is_empty() {
                return Err(bad(label, "an ensemble has no grid"));
            }
            check_summary(label, summary, want, seed)?;
        }
        PartialData::Sweep { .. } => {}
        PartialData::SweepSummary { counts } => {
            let sum = counts
                .stable
                .checked_add(counts.marginal)
                .and_then(|s| s.checked_add(counts.explosive));
            if sum != Some(counts.points) {
                return Err(bad(
                    label,
                    format!(
                        "{} stable + {} marginal + {} explosive is not its {} points",
                        counts.stable, counts.marginal, counts.explosive, counts.points
                    ),
                ));
            }
            if counts.points != want {
                return Err(bad(
                    label,
                    format!(
                        "counts {} points, shard {} of the grid has {want}",
                        counts.points,
                        shard_name(k, n)
                    ),
                ));
            }
        }
        PartialData::SweepEnsemble { points } => {
            for q in points {
                check_summary(
                    &format!("{label}, point {}", q.index),
                    &q.summary,
                    runs,
                    seed,
                )?;
            }
        }
    }
    Ok((k, n))
}

/// Checks the ensemble of one point of a Monte Carlo sweep part `p`
/// (its runs, seed and counts; see [`PointCheck`] for its index).
///
/// # Errors
/// [`Error::Invalid`] saying what is wrong.
pub fn check_ensemble_point(label: &str, p: &Partial, q: &EnsemblePoint) -> Result<()> {
    let (Some(runs), Some(seed)) = (p.runs, p.seed) else {
        return Err(bad(label, "needs its runs and seed"));
    };
    check_summary(
        &format!("{label}, point {}", q.index),
        &q.summary,
        runs,
        seed,
    )
}

/// [`check_header`] and the points held in memory.
fn check_part(label: &str, p: &Partial) -> Result<(u64, u64)> {
    let shard = check_header(label, p)?;
    match &p.data {
        PartialData::Sweep { points } => {
            for q in points {
                check_linear(label, q)?;
            }
            check_points(
                label,
                p,
                points.iter().map(|q| (q.index, q.values.as_slice())),
            )?;
        }
        PartialData::SweepEnsemble { points } => check_points(
            label,
            p,
            points.iter().map(|q| (q.index, q.values.as_slice())),
        )?,
        _ => {}
    }
    Ok(shard)
}

/// Checks that the parts are shards of one piece of work: each a valid
/// shard, and no part differing from the first (saying in what).
///
/// # Errors
/// [`Error::Invalid`] saying what differs.
pub fn check_same_work(parts: &[(String, &Partial)]) -> Result<()> {
    let Some((first_label, first)) = parts.first() else {
        return Err(Error::invalid("merge", "no partial results given"));
    };
    for (label, p) in parts {
        check_shard(label, p)?;
    }
    for (label, p) in parts {
        let d = differences(first, p);
        if !d.is_empty() {
            return Err(Error::invalid(
                "merge",
                format!(
                    "parts come from different work: {label} differs from {first_label}: {}",
                    d.join(", ")
                ),
            ));
        }
    }
    Ok(())
}

/// Checks that the shards `(k, n)` of the parts (in order, with their
/// labels) are each given once and none is missing (naming the missing).
///
/// # Errors
/// [`Error::Invalid`] for a duplicate or missing shard.
pub fn check_shard_set(shards: &[(String, (u64, u64))]) -> Result<()> {
    let mut seen: BTreeMap<u64, &str> = BTreeMap::new();
    let mut n = 0;
    for (label, (k, m)) in shards {
        n = *m;
        if let Some(other) = seen.insert(*k, label) {
            return Err(Error::invalid(
                "merge",
                format!(
                    "shard {} is given twice ({other} and {label})",
                    shard_name(*k, *m)
                ),
            ));
        }
    }
    if seen.len() as u64 == n {
        return Ok(());
    }
    const SHOWN: usize = 20;
    let mut missing = Vec::new();
    let mut count: u64 = 0;
    let mut note = |from: u64, to: u64| {
        // Shards from..to (exclusive) are missing.
        for k in from..to {
            if missing.len() < SHOWN {
                missing.push(shard_name(k, n));
            } else {
                break;
            }
        }
        count += to - from;
    };
    let mut prev: Option<u64> = None;
    for &k in seen.keys() {
        note(prev.map_or(0, |p| p + 1), k);
        prev = Some(k);
    }
    note(prev.map_or(0, |p| p + 1), n);
    let more = if count > missing.len() as u64 {
        format!(" and {} more", count - missing.len() as u64)
    } else {
        String::new()
    };
    Err(Error::invalid(
        "merge",
        format!(
            "missing shards: {}{more} ({count} of {n} shards missing)",
            missing.join(", ")
        ),
    ))
}

/// Combines the shards `1/N … N/N` of one piece of work into the whole.
///
/// # Errors
/// [`Error::Invalid`] when a part breaks an invariant, when parts come
/// from different work (saying what differs), when a shard is missing
/// (saying which) or given twice, or when one is a whole run.
pub fn merge(parts: Vec<Partial>) -> Result<Partial> {
    merge_labelled(
        parts
            .into_iter()
            .enumerate()
            .map(|(i, p)| (format!("part {}", i + 1), p))
            .collect(),
    )
}

/// [`merge`], naming each part by its label (e.g. its file) in errors.
///
/// # Errors
/// As [`merge`].
pub fn merge_labelled(parts: Vec<(String, Partial)>) -> Result<Partial> {
    let refs: Vec<(String, &Partial)> = parts.iter().map(|(l, p)| (l.clone(), p)).collect();
    check_same_work(&refs)?;
    let mut shards = Vec::new();
    for (label, p) in &parts {
        shards.push((label.clone(), check_part(label, p)?));
    }
    check_shard_set(&shards)?;
    let first = {
        let p = &parts[0].1;
        Partial {
            scenario: p.scenario.clone(),
            model: p.model.clone(),
            work: p.work.clone(),
            grid: p.grid.clone(),
            runs: p.runs,
            seed: p.seed,
            shard: None,
            data: PartialData::SweepSummary {
                counts: SweepCounts::default(),
            },
        }
    };
    let mut it = parts.into_iter().map(|(_, p)| p.data);
    let mut acc = it
        .next()
        .ok_or_else(|| Error::invalid("merge", "no parts"))?;
    for data in it {
        match (&mut acc, data) {
            (PartialData::Montecarlo { summary: a }, PartialData::Montecarlo { summary: b }) => {
                add_summary(a, &b)?;
            }
            (PartialData::Sweep { points: a }, PartialData::Sweep { points: b }) => a.extend(b),
            (PartialData::SweepSummary { counts: a }, PartialData::SweepSummary { counts: b }) => {
                let sum = |x: u64, y: u64| {
                    x.checked_add(y)
                        .ok_or_else(|| Error::invalid("merge", "the merged counts overflow"))
                };
                *a = SweepCounts {
                    points: sum(a.points, b.points)?,
                    stable: sum(a.stable, b.stable)?,
                    marginal: sum(a.marginal, b.marginal)?,
                    explosive: sum(a.explosive, b.explosive)?,
                };
            }
            (
                PartialData::SweepEnsemble { points: a },
                PartialData::SweepEnsemble { points: b },
            ) => {
                a.extend(b);
            }
            _ => return Err(Error::invalid("merge", "parts are of different kinds")),
        }
    }
    match &mut acc {
        PartialData::Sweep { points } => points.sort_by_key(|p| p.index),
        PartialData::SweepEnsemble { points } => points.sort_by_key(|p| p.index),
        _ => {}
    }
    Ok(Partial {
        shard: None,
        data: acc,
        ..first
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_counts_partition_the_total() {
        for total in [0u64, 1, 7, 100] {
            for n in 1..9 {
                let sum: u64 = (0..n).map(|k| shard_count(total, k, n)).sum();
                assert_eq!(sum, total);
            }
        }
        assert_eq!(shard_name(u64::MAX, 3), "18446744073709551616/3");
    }

    #[test]
    fn the_axis_formula_matches_the_sweep() {
        let a = GridAxis {
            path: "gain".into(),
            start: 0.1,
            stop: 0.7,
            count: 7,
        };
        assert_eq!(a.value(0), 0.1);
        assert_eq!(a.value(6), 0.7);
        assert_eq!(a.to_string(), "gain=0.1:0.7:7");
    }
}
