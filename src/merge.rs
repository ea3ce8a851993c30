//! Partial results of sharded runs and their exact merge.
//!
//! `escalation montecarlo … --shard K/N --out part.json` and `escalation
//! sweep … --shard K/N --out part.json` write a [`Partial`]; `escalation
//! merge part*.json` combines them. Runs and grid points keep their seeds
//! whatever the shard, and every aggregate is a sum of integers, so the
//! merge equals the unsharded run exactly.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::ensemble::EnsembleSummary;
use crate::error::{Error, Result};
use crate::sweep::{EnsemblePoint, LinearPoint, SweepCounts};

/// The result of one shard (or of a whole run, with `shard = None`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Partial {
    /// Scenario name.
    pub scenario: String,
    /// The command line that identifies the work (grid specs, runs, seed),
    /// which must agree between shards.
    pub work: String,
    /// `(k, n)`: shard k (0-based) of n; `None` for a whole run.
    pub shard: Option<(u64, u64)>,
    /// The data.
    pub data: PartialData,
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

fn kind(d: &PartialData) -> &'static str {
    match d {
        PartialData::Montecarlo { .. } => "montecarlo",
        PartialData::Sweep { .. } => "sweep",
        PartialData::SweepSummary { .. } => "sweep_summary",
        PartialData::SweepEnsemble { .. } => "sweep_ensemble",
    }
}

/// Combines the shards `1/N … N/N` of one piece of work into the whole.
///
/// # Errors
/// [`Error::Invalid`] when the parts are of different kinds or work, when
/// a shard is missing or given twice, or when one is a whole run.
pub fn merge(parts: Vec<Partial>) -> Result<Partial> {
    let Some(first) = parts.first().cloned() else {
        return Err(Error::invalid("merge", "no partial results given"));
    };
    let n = match first.shard {
        Some((_, n)) => n,
        None => return Err(Error::invalid("merge", "the first file is a whole run, not a shard")),
    };
    let mut seen = BTreeSet::new();
    for p in &parts {
        if p.work != first.work || p.scenario != first.scenario || kind(&p.data) != kind(&first.data) {
            return Err(Error::invalid(
                "merge",
                format!("parts come from different work: {:?} ({}) vs {:?} ({})", first.work, kind(&first.data), p.work, kind(&p.data)),
            ));
        }
        match p.shard {
            Some((k, m)) if m == n => {
                if !seen.insert(k) {
                    return Err(Error::invalid("merge", format!("shard {}/{n} is given twice", k + 1)));
                }
            }
            _ => return Err(Error::invalid("merge", "parts were split into different numbers of shards")),
        }
    }
    if seen.len() as u64 != n {
        let missing: Vec<String> = (0..n).filter(|k| !seen.contains(k)).map(|k| format!("{}/{n}", k + 1)).collect();
        return Err(Error::invalid("merge", format!("missing shards: {}", missing.join(", "))));
    }
    let mut parts = parts.into_iter();
    let mut acc = parts.next().map(|p| p.data).ok_or_else(|| Error::invalid("merge", "no parts"))?;
    for p in parts {
        acc = match (acc, p.data) {
            (PartialData::Montecarlo { summary: a }, PartialData::Montecarlo { summary: b }) => {
                PartialData::Montecarlo { summary: a.merge(&b)? }
            }
            (PartialData::Sweep { points: mut a }, PartialData::Sweep { points: b }) => {
                a.extend(b);
                PartialData::Sweep { points: a }
            }
            (PartialData::SweepSummary { counts: a }, PartialData::SweepSummary { counts: b }) => {
                PartialData::SweepSummary { counts: a.add(&b) }
            }
            (PartialData::SweepEnsemble { points: mut a }, PartialData::SweepEnsemble { points: b }) => {
                a.extend(b);
                PartialData::SweepEnsemble { points: a }
            }
            _ => return Err(Error::invalid("merge", "parts are of different kinds")),
        };
    }
    match &mut acc {
        PartialData::Sweep { points } => points.sort_by_key(|p| p.index),
        PartialData::SweepEnsemble { points } => points.sort_by_key(|p| p.index),
        _ => {}
    }
    Ok(Partial { scenario: first.scenario, work: first.work, shard: None, data: acc })
}
