//! Partial results of sharded experiments (`compare … --shard K/N --out`,
//! `sensitivity … --shard K/N --out`) and their exact merge.
//!
//! A part is a JSON object whose first key is `experiment` (`"compare"` or
//! `"sensitivity"`), so `escalation merge` tells it from the parts of
//! `montecarlo` and `sweep` ([`is_experiment_part`]). Like those, a part is
//! not trusted: the merge checks that every part comes from the same work
//! (the [`crate::merge::fingerprint`] of each compiled model, the
//! arguments), that the shards are all there once, and every invariant of
//! every part (counts summing to the runs of its shard and agreeing with
//! each other, rows exactly those of its shard, finite values), with
//! checked integer arithmetic. Compare aggregates are integer sums and
//! sensitivity rows are moved, never recomputed, so the merge equals the
//! unsharded result bit for bit.

use std::io::Read;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::compare::{CompareSummary, OUTCOMES};
use super::sensitivity::check_row;
use super::study::StudySpec;
use crate::ensemble::EnsembleSummary;
use crate::error::{Error, Result};
use crate::merge::{check_shard_set, shard_count};
use crate::sim::Outcome;

/// The part of a comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComparePart {
    /// Always `"compare"` (first, so that a part is recognised by its start).
    pub experiment: String,
    /// Scenario names of the control and the treatment.
    pub scenario: [String; 2],
    /// Fingerprints of the control's and the treatment's compiled models.
    pub models: [String; 2],
    /// The command line that identifies the work, for people.
    pub work: String,
    /// Paired runs of the whole comparison.
    pub runs: u64,
    /// Seed of the streams.
    pub seed: u64,
    /// `(k, n)`, 0-based; `None` for the whole.
    pub shard: Option<(u64, u64)>,
    /// The aggregates of this shard.
    pub summary: CompareSummary,
}

/// One evaluated row of a sensitivity design.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// Row index in the design.
    pub index: usize,
    /// Output values, in the spec's order.
    pub values: Vec<f64>,
}

/// The part of a sensitivity analysis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SensitivityPart {
    /// Always `"sensitivity"`.
    pub experiment: String,
    /// Scenario name.
    pub scenario: String,
    /// Fingerprint of the compiled model.
    pub model: String,
    /// The command line that identifies the work, for people.
    pub work: String,
    /// The study.
    pub spec: StudySpec,
    /// Rows in the whole design.
    pub total_rows: usize,
    /// `(k, n)`, 0-based; `None` for the whole.
    pub shard: Option<(u64, u64)>,
    /// The rows of this shard, in order.
    pub rows: Vec<Row>,
}

/// A part of either kind.
#[derive(Debug, Clone, PartialEq)]
pub enum ExperimentPart {
    /// A comparison.
    Compare(Box<ComparePart>),
    /// A sensitivity analysis.
    Sensitivity(Box<SensitivityPart>),
}

/// True when the file at `path` starts (after white space) with
/// `{"experiment"`: a part of `compare` or `sensitivity`.
///
/// # Errors
/// [`Error::Io`] when the file cannot be read.
pub fn is_experiment_part(path: &Path) -> Result<bool> {
    let mut head = Vec::with_capacity(64);
    std::fs::File::open(path)
        .and_then(|f| f.take(64).read_to_end(&mut head))
        .map_err(|source| Error::Io {
            action: "cannot read",
            path: path.to_path_buf(),
            source,
        })?;
    let text = String::from_utf8_lossy(&head);
    let t = text.trim_start();
    Ok(t.strip_prefix('{')
        .is_some_and(|r| r.trim_start().starts_with("\"experiment\"")))
}

/// Parses a part from JSON text.
///
/// # Errors
/// [`Error::Invalid`] (key `merge`) naming `label` when the text is not a
/// part of an experiment.
pub fn parse_part(label: &str, text: &str) -> Result<ExperimentPart> {
    #[derive(Deserialize)]
    struct Head {
        experiment: String,
    }
    let bad = |e: serde_json::Error| bad(label, format!("not a partial result of escalation: {e}"));
    let head: Head = serde_json::from_str(text).map_err(bad)?;
    match head.experiment.as_str() {
        "compare" => Ok(ExperimentPart::Compare(Box::new(
            serde_json::from_str(text).map_err(bad)?,
        ))),
        "sensitivity" => Ok(ExperimentPart::Sensitivity(Box::new(
            serde_json::from_str(text).map_err(bad)?,
        ))),
        other => Err(self::bad(
            label,
            format!("unknown experiment {other:?} (compare or sensitivity)"),
        )),
    }
}

fn bad(label: &str, why: impl std::fmt::Display) -> Error {
    Error::invalid("merge", format!("{label}: {why}"))
}

fn shard_of(label: &str, shard: Option<(u64, u64)>) -> Result<(u64, u64)> {
    match shard {
        None => Err(bad(label, "is a whole run, not a shard")),
        Some((k, n)) if n == 0 || k >= n => Err(bad(
            label,
            format!("{}/{n} is not a shard: need 1 ≤ K ≤ N", u128::from(k) + 1),
        )),
        Some(s) => Ok(s),
    }
}

/// Checks one arm's aggregates: `runs` runs with `seed`, counts summing to them.
fn check_arm(label: &str, s: &EnsembleSummary, runs: u64, seed: u64) -> Result<()> {
    if s.runs != runs || s.seed != seed {
        return Err(bad(
            label,
            format!(
                "an arm holds {} runs with seed {}, its shard has {runs} with seed {seed}",
                s.runs, s.seed
            ),
        ));
    }
    let mut sum: u64 = 0;
    for (name, &c) in &s.counts {
        if !Outcome::ALL.iter().any(|o| o.name() == name) {
            return Err(bad(label, format!("unknown outcome {name:?}")));
        }
        sum = sum
            .checked_add(c)
            .ok_or_else(|| bad(label, "counts overflow"))?;
    }
    if sum != runs {
        return Err(bad(
            label,
            format!("an arm's outcome counts sum to {sum}, not its {runs} runs"),
        ));
    }
    Ok(())
}

/// Checks a comparison part against itself: runs of its shard, arms,
/// tables agreeing with the arms, cost sums agreeing with the arms'.
fn check_compare(label: &str, p: &ComparePart) -> Result<(u64, u64)> {
    let (k, n) = shard_of(label, p.shard)?;
    if p.experiment != "compare" {
        return Err(bad(label, "is not a compare part"));
    }
    if p.runs < 2 {
        return Err(bad(label, "a comparison has at least 2 runs"));
    }
    let s = &p.summary;
    let want = shard_count(p.runs, k, n);
    if s.runs != want || s.seed != p.seed {
        return Err(bad(
            label,
            format!(
                "holds {} runs with seed {}, shard {}/{n} has {want} with seed {}",
                s.runs,
                s.seed,
                u128::from(k) + 1,
                p.seed
            ),
        ));
    }
    for arm in &s.arms {
        check_arm(label, arm, want, p.seed)?;
    }
    if s.paired.len() != OUTCOMES.len() || OUTCOMES.iter().any(|o| !s.paired.contains_key(*o)) {
        return Err(bad(label, "the paired tables are not one per outcome"));
    }
    for (name, t) in &s.paired {
        let n_t = [t.both, t.only_treatment, t.only_control]
            .iter()
            .try_fold(t.neither, |a, &b| a.checked_add(b));
        let count = |arm: &EnsembleSummary| -> u64 {
            if name == "held" {
                arm.count(Outcome::Extended)
                    .saturating_add(arm.count(Outcome::Expired))
            } else {
                arm.counts.get(name).copied().unwrap_or(0)
            }
        };
        let ok = n_t == Some(want)
            && t.both.checked_add(t.only_control) == Some(count(&s.arms[0]))
            && t.both.checked_add(t.only_treatment) == Some(count(&s.arms[1]));
        if !ok {
            return Err(bad(
                label,
                format!("the paired table of {name} disagrees with the arms' counts"),
            ));
        }
    }
    let total = |arm: &EnsembleSummary| -> Option<i128> {
        arm.cost_sum
            .iter()
            .try_fold(0i128, |a, &c| a.checked_add(i128::try_from(c).ok()?))
    };
    let diff = total(&s.arms[1])
        .zip(total(&s.arms[0]))
        .and_then(|(t, c)| t.checked_sub(c));
    if diff != Some(s.cost.sum) {
        return Err(bad(
            label,
            "the cost difference disagrees with the arms' costs",
        ));
    }
    Ok((k, n))
}

/// Combines the shards of one comparison into the whole.
///
/// # Errors
/// [`Error::Invalid`] (key `merge`) when a part breaks an invariant, parts
/// come from different work (saying what differs), or a shard is missing
/// or given twice.
pub fn merge_compare(parts: Vec<(String, ComparePart)>) -> Result<ComparePart> {
    let Some((first_label, first)) = parts.first() else {
        return Err(Error::invalid("merge", "no partial results given"));
    };
    let mut shards = Vec::new();
    for (label, p) in &parts {
        let s = check_compare(label, p)?;
        let mut d = Vec::new();
        if p.scenario != first.scenario {
            d.push(format!(
                "scenarios {:?} vs {:?}",
                first.scenario, p.scenario
            ));
        }
        if p.models != first.models {
            d.push("models differ (the compiled arms are not the same)".to_string());
        }
        if p.runs != first.runs {
            d.push(format!("runs {} vs {}", first.runs, p.runs));
        }
        if p.seed != first.seed {
            d.push(format!("seed {} vs {}", first.seed, p.seed));
        }
        if p.summary.names != first.summary.names {
            d.push(format!(
                "arms {:?} vs {:?}",
                first.summary.names, p.summary.names
            ));
        }
        if p.shard.map(|s| s.1) != first.shard.map(|s| s.1) {
            d.push("number of shards".to_string());
        }
        if d.is_empty() && p.work != first.work {
            d.push(format!("command {:?} vs {:?}", first.work, p.work));
        }
        if !d.is_empty() {
            return Err(Error::invalid(
                "merge",
                format!(
                    "parts come from different work: {label} differs from {first_label}: {}",
                    d.join(", ")
                ),
            ));
        }
        shards.push((label.clone(), s));
    }
    check_shard_set(&shards)?;
    let mut it = parts.into_iter().map(|(_, p)| p);
    let mut whole = it
        .next()
        .ok_or_else(|| Error::invalid("merge", "no parts"))?;
    for p in it {
        whole.summary = whole.summary.merge(&p.summary)?;
    }
    whole.shard = None;
    Ok(whole)
}

/// Checks a sensitivity part: its rows are exactly those of its shard, in
/// order, each with one finite value per output.
fn check_sensitivity(label: &str, p: &SensitivityPart) -> Result<(u64, u64)> {
    let (k, n) = shard_of(label, p.shard)?;
    if p.experiment != "sensitivity" {
        return Err(bad(label, "is not a sensitivity part"));
    }
    let want = shard_count(p.total_rows as u64, k, n);
    if p.rows.len() as u64 != want {
        return Err(bad(
            label,
            format!(
                "holds {} rows, shard {}/{n} of {} rows has {want}",
                p.rows.len(),
                u128::from(k) + 1,
                p.total_rows
            ),
        ));
    }
    for (j, row) in p.rows.iter().enumerate() {
        let expect = k as usize + j * n as usize;
        if row.index != expect {
            return Err(bad(
                label,
                format!(
                    "row {} is not row {expect} of its shard (rows come in order)",
                    row.index
                ),
            ));
        }
        check_row(row.index, &row.values, p.spec.outputs.len()).map_err(|e| bad(label, e))?;
    }
    Ok((k, n))
}

/// Combines the shards of one sensitivity analysis into the whole (rows
/// in design order); the analysis of the whole is
/// [`super::study::Study::analyze`] on its rows.
///
/// # Errors
/// As [`merge_compare`].
pub fn merge_sensitivity(parts: Vec<(String, SensitivityPart)>) -> Result<SensitivityPart> {
    let Some((first_label, first)) = parts.first() else {
        return Err(Error::invalid("merge", "no partial results given"));
    };
    let mut shards = Vec::new();
    for (label, p) in &parts {
        let s = check_sensitivity(label, p)?;
        let mut d = Vec::new();
        if p.scenario != first.scenario {
            d.push(format!("scenario {:?} vs {:?}", first.scenario, p.scenario));
        }
        if p.model != first.model {
            d.push("model differs (the compiled scenarios are not the same)".to_string());
        }
        if p.spec != first.spec || p.total_rows != first.total_rows {
            d.push("parameters, outputs, runs or design differ".to_string());
        }
        if p.shard.map(|s| s.1) != first.shard.map(|s| s.1) {
            d.push("number of shards".to_string());
        }
        if d.is_empty() && p.work != first.work {
            d.push(format!("command {:?} vs {:?}", first.work, p.work));
        }
        if !d.is_empty() {
            return Err(Error::invalid(
                "merge",
                format!(
                    "parts come from different work: {label} differs from {first_label}: {}",
                    d.join(", ")
                ),
            ));
        }
        shards.push((label.clone(), s));
    }
    check_shard_set(&shards)?;
    let n = shards[0].1.1 as usize;
    let total = first.total_rows;
    let mut by_shard: Vec<Option<std::vec::IntoIter<Row>>> = (0..n).map(|_| None).collect();
    let mut head = None;
    for ((_, p), (_, (k, _))) in parts.into_iter().zip(&shards) {
        let SensitivityPart { rows, .. } = &p;
        by_shard[*k as usize] = Some(rows.clone().into_iter());
        head.get_or_insert(p);
    }
    let mut rows = Vec::with_capacity(total);
    for r in 0..total {
        let row = by_shard[r % n]
            .as_mut()
            .and_then(Iterator::next)
            .ok_or_else(|| Error::invalid("merge", format!("row {r} is missing")))?;
        rows.push(row);
    }
    let mut whole = head.ok_or_else(|| Error::invalid("merge", "no parts"))?;
    whole.rows = rows;
    whole.shard = None;
    Ok(whole)
}

impl ComparePart {
    /// The part of a comparison of `control` and `treatment` (`shard`
    /// 0-based, `None` for the whole); `work` is the command line, for people.
    #[must_use]
    pub fn new(
        control: &super::compare::Arm,
        treatment: &super::compare::Arm,
        work: String,
        runs: u64,
        shard: Option<(u64, u64)>,
        summary: CompareSummary,
    ) -> Self {
        Self {
            experiment: "compare".into(),
            scenario: [control.model.name.clone(), treatment.model.name.clone()],
            models: [
                crate::merge::fingerprint(&control.model),
                crate::merge::fingerprint(&treatment.model),
            ],
            work,
            runs,
            seed: summary.seed,
            shard,
            summary,
        }
    }
}

impl SensitivityPart {
    /// The analysis of a whole part (all rows, e.g. from
    /// [`merge_sensitivity`]).
    ///
    /// # Errors
    /// [`Error::Invalid`] for a shard, or as [`StudySpec::analyze`].
    pub fn analyze(&self) -> Result<super::sensitivity::SensitivityResult> {
        if self.shard.is_some() {
            return Err(Error::invalid(
                "merge",
                "a shard holds only some samples: merge the shards first",
            ));
        }
        let values: Vec<Vec<f64>> = self.rows.iter().map(|r| r.values.clone()).collect();
        self.spec.analyze(&values)
    }

    /// The part of `study` on `model` holding `rows` (`(index, outputs)`
    /// in row order) of a design of `total_rows` rows.
    #[must_use]
    pub fn new(
        model: &crate::model::Model,
        study: &super::study::Study,
        work: String,
        total_rows: usize,
        shard: Option<(u64, u64)>,
        rows: Vec<(usize, Vec<f64>)>,
    ) -> Self {
        Self {
            experiment: "sensitivity".into(),
            scenario: model.name.clone(),
            model: crate::merge::fingerprint(model),
            work,
            spec: study.spec(),
            total_rows,
            shard,
            rows: rows
                .into_iter()
                .map(|(index, values)| Row { index, values })
                .collect(),
        }
    }
}
