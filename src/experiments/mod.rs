//! The numerical core of experiments: designs and estimators that work on
//! closures and plain matrices and know nothing of the model.
//!
//! - [`sobol`]: Sobol' low-discrepancy points (Joe–Kuo direction numbers,
//!   Gray-code order), optionally scrambled (linear matrix scramble plus a
//!   digital shift, seeded).
//! - [`saltelli`]: Saltelli's design and the Saltelli (2010) first-order and
//!   Jansen (1999) total-order estimators, as SALib 1.6 computes them, with
//!   bootstrap intervals; shardable designs.
//! - [`morris`]: Morris screening (μ, μ*, σ) as SALib 1.6 computes it.
//! - [`prim`]: PRIM scenario discovery as EMA workbench's `Prim` does it.
//! - [`lhs`]: Latin hypercube samples.
//! - [`paired`]: paired binary outcomes (Newcombe's interval, McNemar's exact
//!   test, the variance ratio against independent arms) and paired means.
//!
//! On the model (`escalation compare`, `sensitivity`, `discover`):
//!
//! - [`compare`]: two arms on common random numbers, paired differences.
//! - [`sensitivity`]: Sobol' or Morris for any closure with several outputs;
//!   [`study`]: the same over a model's parameter paths, with analysis and
//!   run outputs.
//! - [`discover`]: PRIM on Latin-hypercube cases of a model, or on a CSV.
//! - [`parts`]: partial results of sharded experiments and their exact merge.
//!
//! Every random choice comes from a [`rand_chacha::ChaCha8Rng`] seeded by the
//! caller, so a result is a function of its inputs and its seed. Bad
//! arguments (NaN, empty input, `lo >= hi`, …) are [`crate::Error::Invalid`];
//! nothing here panics on input or returns NaN.
//!
//! Matrices are `Vec<Vec<f64>>`, one inner vector per row (case, sample).
//!
//! ```
//! use escalation::experiments::saltelli::{SaltelliDesign, SobolOptions};
//!
//! // f(x, y) = x + 2y on [0, 1]²: first-order indices 0.2 and 0.8.
//! let design = SaltelliDesign::new(&[[0.0, 1.0], [0.0, 1.0]], 1024, Some(7)).unwrap();
//! let y = design.evaluate(|x| x[0] + 2.0 * x[1]);
//! let s = design.analyze(&y, &SobolOptions::default()).unwrap();
//! assert!((s.first[0] - 0.2).abs() < 0.02 && (s.first[1] - 0.8).abs() < 0.02);
//! ```

pub mod compare;
pub mod discover;
mod dist;
mod factors;
pub mod lhs;
pub mod morris;
pub mod paired;
pub mod parts;
pub mod prim;
pub mod saltelli;
pub mod sensitivity;
pub mod sobol;
pub mod study;

pub use dist::{normal_quantile, student_t_quantile};

use rayon::prelude::*;

use crate::error::{Error, Result};

/// Evaluates `f` on every row in parallel (rayon); the result is in row
/// order whatever the scheduling.
///
/// # Example
/// ```
/// let y = escalation::experiments::evaluate_rows(&[vec![1.0, 2.0], vec![3.0, 4.0]], |x| x[0] * x[1]);
/// assert_eq!(y, [2.0, 12.0]);
/// ```
pub fn evaluate_rows<F>(rows: &[Vec<f64>], f: F) -> Vec<f64>
where
    F: Fn(&[f64]) -> f64 + Sync,
{
    rows.par_iter().map(|r| f(r)).collect()
}

/// The rows of a design of `len` rows that shard `shard` of `shards` owns:
/// row `r` belongs to shard `r % shards`.
///
/// # Errors
/// [`Error::Invalid`] for `shards == 0` or `shard >= shards`.
///
/// # Example
/// ```
/// use escalation::experiments::shard_indices;
/// assert_eq!(shard_indices(7, 1, 3).unwrap(), [1, 4]);
/// ```
pub fn shard_indices(len: usize, shard: usize, shards: usize) -> Result<Vec<usize>> {
    if shards == 0 || shard >= shards {
        return Err(Error::invalid(
            "shard",
            format!("shard {shard} of {shards} does not exist (shards count from 0)"),
        ));
    }
    Ok((shard..len).step_by(shards).collect())
}

/// Puts the outputs of `shards.len()` shards back in row order:
/// `shards[k]` holds the outputs of the rows [`shard_indices`]`(len, k, n)`
/// in that order. The merge only moves values, so it is exact.
///
/// # Errors
/// [`Error::Invalid`] when a shard has the wrong number of outputs.
///
/// # Example
/// ```
/// use escalation::experiments::merge_shards;
/// let y = merge_shards(5, &[vec![0.0, 2.0, 4.0], vec![1.0, 3.0]]).unwrap();
/// assert_eq!(y, [0.0, 1.0, 2.0, 3.0, 4.0]);
/// ```
pub fn merge_shards(len: usize, shards: &[Vec<f64>]) -> Result<Vec<f64>> {
    let n = shards.len();
    if n == 0 {
        return Err(Error::invalid("shards", "give at least one shard"));
    }
    for (k, s) in shards.iter().enumerate() {
        let want = (k..len).step_by(n).count();
        if s.len() != want {
            return Err(Error::invalid(
                format!("shards[{k}]"),
                format!(
                    "shard {k} of {n} should hold {want} outputs, got {}",
                    s.len()
                ),
            ));
        }
    }
    Ok((0..len).map(|r| shards[r % n][r / n]).collect())
}

/// Checks bounds `[lo, hi]` per dimension: at least one, finite, `lo < hi`.
pub(crate) fn check_bounds(key: &str, bounds: &[[f64; 2]]) -> Result<()> {
    if bounds.is_empty() {
        return Err(Error::invalid(key, "give at least one dimension"));
    }
    for (i, [lo, hi]) in bounds.iter().enumerate() {
        if !lo.is_finite() || !hi.is_finite() {
            return Err(Error::invalid(
                format!("{key}[{i}]"),
                format!("bounds must be finite, got [{lo}, {hi}]"),
            ));
        }
        if lo >= hi {
            return Err(Error::invalid(
                format!("{key}[{i}]"),
                format!("lower bound {lo} is not below upper bound {hi}"),
            ));
        }
    }
    Ok(())
}

/// Checks that every value is finite; `what` names the vector in the error.
pub(crate) fn check_finite(key: &str, values: &[f64]) -> Result<()> {
    match values.iter().position(|v| !v.is_finite()) {
        Some(i) => Err(Error::invalid(
            key,
            format!("value {i} is {}, not a finite number", values[i]),
        )),
        None => Ok(()),
    }
}

/// Checks a confidence level in (0, 1).
pub(crate) fn check_level(key: &str, level: f64) -> Result<()> {
    if level.is_finite() && level > 0.0 && level < 1.0 {
        Ok(())
    } else {
        Err(Error::invalid(
            key,
            format!("a confidence level must lie strictly between 0 and 1, got {level}"),
        ))
    }
}

/// The `q`-quantile of sorted values with linear interpolation between order
/// statistics (numpy's default, Hyndman–Fan type 7). `sorted` is non-empty.
pub(crate) fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}
