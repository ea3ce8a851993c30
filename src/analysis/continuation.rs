//! Continuation of equilibria in the gain `γ`, fold (tipping point)
//! detection and the hysteresis between escalation and de-escalation.
//!
//! In the capped model the equilibria on each face (see [`Face`]) are
//! smooth in `γ`; a stable branch ends where its equilibrium leaves the box
//! or loses stability. If another stable equilibrium continues from the same
//! point, the state moves on smoothly; if not, the end is a tipping point
//! (a fold, reached here as a collision with the box boundary or as the
//! escape of the equilibrium to infinity at the critical gain): the state
//! jumps. Following the attractor up from the lowest state and down from
//! the highest locates the escalation and the de-escalation gains; when
//! the second is lower, the loop has hysteresis.

use nalgebra::DVector;
use serde::Serialize;

use super::MARGINAL_TOLERANCE;
use super::eigen::abscissa_scale;
use super::faces::{Face, FaceEquilibrium, MAX_FACES, face_count, face_equilibria, solve_face};
use super::integrate::settle;
use crate::error::{Error, Result};
use crate::model::Dynamics;

/// One point of a branch.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BranchPoint {
    /// Gain.
    pub gain: f64,
    /// Intensities.
    pub x: Vec<f64>,
    /// Stability at this gain.
    pub stable: bool,
}

/// Equilibria on one face over a contiguous run of gains.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Branch {
    /// Face of each actor along the branch.
    pub faces: Vec<Face>,
    /// The points, by increasing gain.
    pub points: Vec<BranchPoint>,
}

/// A tipping point met while following the attractor.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fold {
    /// Gain at which the stable branch ends.
    pub gain: f64,
    /// True when met with the gain increasing.
    pub increasing: bool,
    /// True when the state jumps up (total intensity grows, or it explodes).
    pub escalation: bool,
    /// The equilibrium that ends.
    pub from: Vec<f64>,
    /// The equilibrium the state lands on one grid step further; `None`
    /// when it explodes or settles on no equilibrium.
    pub to: Option<Vec<f64>>,
}

/// Bistability between a lower and a higher state.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Hysteresis {
    /// Raising the gain from the low state, the loop escalates here.
    pub escalation_gain: f64,
    /// Lowering the gain from the high state, it de-escalates here.
    pub deescalation_gain: f64,
    /// `escalation_gain − deescalation_gain`.
    pub width: f64,
}

/// Equilibria against the gain: the data of a bifurcation diagram.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Branches {
    /// The gain grid.
    pub gains: Vec<f64>,
    /// Branches, one per face and contiguous run of grid gains.
    pub branches: Vec<Branch>,
    /// Tipping points met following the attractor up, then down.
    pub folds: Vec<Fold>,
    /// The hysteresis loop, when the two sweeps tip at different gains.
    pub hysteresis: Option<Hysteresis>,
}

/// Steps of the landing integration after a fold.
const SETTLE_STEPS: usize = 400_000;

/// The equilibrium on `faces` at `gain` if it exists and is not explosive.
/// Marginal counts: where a free actor meets its ceiling, the branch and the
/// ceiling face are both marginal at the meeting point.
fn stable_on(d: &Dynamics, gain: f64, faces: &[Face]) -> Result<Option<Vec<f64>>> {
    let tol = MARGINAL_TOLERANCE * abscissa_scale(d, gain).max(f64::MIN_POSITIVE);
    Ok(solve_face(d, gain, faces)?
        .filter(|e| e.abscissa <= tol)
        .map(|e| e.x))
}

fn weakly_stable(d: &Dynamics, gain: f64, e: &FaceEquilibrium) -> bool {
    e.abscissa <= MARGINAL_TOLERANCE * abscissa_scale(d, gain).max(f64::MIN_POSITIVE)
}

fn distance(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).fold(0.0, |m, (x, y)| m.max((x - y).abs()))
}

fn size(x: &[f64]) -> f64 {
    1.0 + x.iter().fold(0.0f64, |m, v| m.max(v.abs()))
}

/// Follows the attractor across the grid (`up`: increasing gain), recording folds.
fn sweep(d: &Dynamics, gains: &[f64], up: bool, folds: &mut Vec<Fold>) -> Result<()> {
    let order: Vec<f64> = if up {
        gains.to_vec()
    } else {
        gains.iter().rev().copied().collect()
    };
    // Start on the lowest (up) or highest (down) stable equilibrium.
    let mut start = None;
    for (k, &g) in order.iter().enumerate() {
        let stable: Vec<FaceEquilibrium> = face_equilibria(d, g)?
            .into_iter()
            .filter(|e| e.stable)
            .collect();
        let pick = if up {
            stable.into_iter().next()
        } else {
            stable.into_iter().last()
        };
        if let Some(e) = pick {
            start = Some((k, e));
            break;
        }
    }
    let Some((k0, e)) = start else {
        return Ok(());
    };
    let (mut faces, mut x, mut cur) = (e.faces, e.x, order[k0]);
    for &target in &order[k0 + 1..] {
        let mut exchanges = 0;
        loop {
            if let Some(y) = stable_on(d, target, &faces)? {
                x = y;
                cur = target;
                break;
            }
            // The branch ends between `cur` (stable) and `target`.
            let (mut lo, mut hi) = (cur, target);
            for _ in 0..100 {
                if (hi - lo).abs() <= 4.0 * f64::EPSILON * hi.abs().max(lo.abs()) {
                    break;
                }
                let mid = 0.5 * (lo + hi);
                if stable_on(d, mid, &faces)?.is_some() {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            let end = stable_on(d, lo, &faces)?.unwrap_or_else(|| x.clone());
            let next = face_equilibria(d, hi)?
                .into_iter()
                .filter(|e| weakly_stable(d, hi, e) && e.faces != faces)
                .find(|e| distance(&e.x, &end) <= 1e-6 * size(&end));
            if let Some(e) = next {
                // Exchange of stability: the state moves on without a jump.
                exchanges += 1;
                if exchanges > 4 * d.n() + 4 {
                    return Err(Error::numerical(format!(
                        "the attractor cannot be followed near gain {hi}"
                    )));
                }
                faces = e.faces;
                x = e.x;
                cur = hi;
                continue;
            }
            // A tipping point: let the state fall from just past the end.
            let sign = if up { 1.0 } else { -1.0 };
            let nudge = 1e-6 * size(&end);
            let x0 = DVector::from_fn(d.n(), |i, _| {
                let v = end[i] + sign * nudge;
                match d.ceiling[i] {
                    Some(c) => v.min(c * (1.0 - 1e-6)),
                    None => v,
                }
            });
            let landed = settle(d, target, &x0, SETTLE_STEPS);
            let total = |v: &[f64]| v.iter().sum::<f64>();
            let arrival = if landed.diverged {
                None
            } else {
                face_equilibria(d, target)?
                    .into_iter()
                    .filter(|e| e.stable)
                    .min_by(|a, b| {
                        distance(&a.x, landed.x.as_slice())
                            .total_cmp(&distance(&b.x, landed.x.as_slice()))
                    })
                    .filter(|e| {
                        landed.converged || distance(&e.x, landed.x.as_slice()) <= 1e-2 * size(&e.x)
                    })
            };
            let escalation = arrival.as_ref().is_none_or(|e| total(&e.x) > total(&end));
            folds.push(Fold {
                gain: lo,
                increasing: up,
                escalation,
                from: end,
                to: arrival.as_ref().map(|e| e.x.clone()),
            });
            match arrival {
                Some(e) => {
                    faces = e.faces;
                    x = e.x;
                    cur = target;
                    break;
                }
                None => return Ok(()),
            }
        }
    }
    Ok(())
}

/// Equilibria of the capped model over `steps + 1` evenly spaced gains in
/// `gamma_range` (inclusive), their stability, the tipping points met while
/// following the attractor with the gain rising (from the lowest stable
/// state) and falling (from the highest), and the resulting hysteresis.
///
/// Fold gains are located by bisection to machine precision; the landing
/// state after a fold is found by integrating the model at the next grid
/// gain. Works without ceilings too (the only fold is then the escape to
/// infinity at the critical gain).
///
/// # Errors
/// [`Error::Invalid`] for a bad range, fewer than 2 steps, or too many faces
/// (see [`face_equilibria`]); [`Error::Numerical`] if an eigenvalue
/// computation fails.
pub fn continuation(d: &Dynamics, gamma_range: (f64, f64), steps: usize) -> Result<Branches> {
    d.check()?;
    let (g0, g1) = gamma_range;
    if !(g0.is_finite() && g1.is_finite() && g0 >= 0.0 && g1 > g0) {
        return Err(Error::invalid(
            "gamma_range",
            format!(
                "must satisfy 0 ≤ start < end, got ({}, {})",
                crate::error::num(g0),
                crate::error::num(g1)
            ),
        ));
    }
    if !(2..=100_000).contains(&steps) {
        return Err(Error::invalid(
            "steps",
            format!("must be between 2 and 100000, got {steps}"),
        ));
    }
    if face_count(d) > MAX_FACES {
        return Err(Error::invalid(
            "actor",
            format!("continuation enumerates at most {MAX_FACES} faces"),
        ));
    }
    let gains: Vec<f64> = (0..=steps)
        .map(|k| g0 + (g1 - g0) * k as f64 / steps as f64)
        .collect();
    let mut branches: Vec<Branch> = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    for (k, &g) in gains.iter().enumerate() {
        let eqs = face_equilibria(d, g)?;
        let mut still_open = Vec::new();
        for e in eqs {
            let point = BranchPoint {
                gain: g,
                x: e.x.clone(),
                stable: e.stable,
            };
            let continuing = open.iter().copied().find(|&b| {
                branches[b].faces == e.faces
                    && branches[b]
                        .points
                        .last()
                        .is_some_and(|p| k > 0 && p.gain == gains[k - 1])
            });
            match continuing {
                Some(b) => {
                    branches[b].points.push(point);
                    still_open.push(b);
                }
                None => {
                    branches.push(Branch {
                        faces: e.faces,
                        points: vec![point],
                    });
                    still_open.push(branches.len() - 1);
                }
            }
        }
        open = still_open;
    }
    let mut folds = Vec::new();
    sweep(d, &gains, true, &mut folds)?;
    sweep(d, &gains, false, &mut folds)?;
    let up = folds
        .iter()
        .find(|f| f.increasing && f.escalation)
        .map(|f| f.gain);
    let down = folds
        .iter()
        .find(|f| !f.increasing && !f.escalation)
        .map(|f| f.gain);
    let hysteresis = match (up, down) {
        (Some(u), Some(dn)) if dn < u => Some(Hysteresis {
            escalation_gain: u,
            deescalation_gain: dn,
            width: u - dn,
        }),
        _ => None,
    };
    Ok(Branches {
        gains,
        branches,
        folds,
        hysteresis,
    })
}
