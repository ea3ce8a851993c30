//! The verdict as the loop gain rises: `(gain, verdict)` pairs and the first
//! place the verdict flips, for tests and quick studies.

use rayon::prelude::*;

use crate::analysis::{Loop, Verdict, sampled_stability, stability};
use crate::error::{Error, Result};
use crate::model::Model;

/// The verdict of `model`'s `loop_kind` loop at each gain in `gains`
/// (the baseline gain replaced, phases ignored), in the order given.
///
/// # Errors
/// [`Error::Invalid`] for an invalid model, a gain that is negative or not
/// finite, or the sampled loop of a model without a controller;
/// [`Error::Numerical`] if an eigenvalue computation fails.
///
/// # Example
///
/// Richardson's dyad explodes above `γ* = √(ab/kl)`:
///
/// ```
/// use escalation::prelude::*;
/// use escalation::sweep::{first_flip, gain_sweep};
///
/// let model = Model::from_dynamics(Dynamics::richardson(0.5, 0.4, 0.3, 0.6, 0.0, 0.0)?, 30.0);
/// let gains = (0..=100).map(|k| 0.02 * f64::from(k));
/// let verdicts = gain_sweep(&model, gains, Loop::Continuous)?;
/// let (below, above) = first_flip(&verdicts).unwrap();
/// let critical = (0.2f64 / 0.18).sqrt();
/// assert!(below < critical && critical <= above);
/// # Ok::<(), escalation::Error>(())
/// ```
pub fn gain_sweep(
    model: &Model,
    gains: impl IntoIterator<Item = f64>,
    loop_kind: Loop,
) -> Result<Vec<(f64, Verdict)>> {
    model.check()?;
    let controller = match (loop_kind, &model.controller) {
        (Loop::Sampled, None) => {
            return Err(Error::invalid(
                "loop",
                "the sampled loop needs a controller",
            ));
        }
        (Loop::Sampled, Some(c)) => Some(c),
        (Loop::Continuous, _) => None,
    };
    let gains: Vec<f64> = gains.into_iter().collect();
    if let Some((k, &g)) = gains
        .iter()
        .enumerate()
        .find(|(_, g)| !(g.is_finite() && **g >= 0.0))
    {
        return Err(Error::invalid(
            format!("gains[{k}]"),
            format!("must be a non-negative finite gain, got {g}"),
        ));
    }
    let d = model.steady_dynamics()?;
    gains
        .par_iter()
        .map(|&g| {
            let verdict = match controller {
                Some(c) => sampled_stability(&d, c, g)?.1,
                None => stability(&d, g)?.1,
            };
            Ok((g, verdict))
        })
        .collect()
}

/// The first place the verdict changes along `points`: the last value with
/// the first verdict and the first value with another, or `None` when every
/// verdict is the same.
///
/// ```
/// use escalation::prelude::*;
///
/// let points = [(0.5, Verdict::Stable), (1.0, Verdict::Stable), (1.5, Verdict::Explosive)];
/// assert_eq!(first_flip(&points), Some((1.0, 1.5)));
/// assert_eq!(first_flip(&points[..2]), None);
/// ```
#[must_use]
pub fn first_flip(points: &[(f64, Verdict)]) -> Option<(f64, f64)> {
    points
        .windows(2)
        .find(|w| w[0].1 != w[1].1)
        .map(|w| (w[0].0, w[1].0))
}
