//! Figures of equilibria: the phase portrait of two actors and the
//! bifurcation diagram.

use std::collections::BTreeMap;

use nalgebra::DVector;

use super::title_name;
use crate::analysis::{
    Branch, BranchPoint, Branches, continuation, critical_gain, face_equilibria, spectral_abscissa,
};
use crate::error::{Error, Result};
use crate::model::Model;
use crate::plot::{Bifurcation, EquilibriumMark, PhasePortrait};
use crate::sim::{SimOptions, simulate};

/// Gain steps of the continuation behind [`bifurcation`].
const CONTINUATION_STEPS: usize = 400;
/// Fractions of the start box at which portrait trajectories begin.
const SPREAD: [f64; 3] = [0.25, 0.5, 0.75];

/// The phase portrait of a two-actor `model` at its baseline gain: the
/// vector field and nullclines (drawn by [`crate::plot::PhasePortrait`]),
/// every equilibrium in view with its stability
/// ([`crate::analysis::face_equilibria`], ceilings and the floor at zero
/// included), and trajectories of the continuous model from a spread of
/// initial states.
///
/// The view runs from 0 to 5% beyond the largest of the explosion
/// threshold (the top rung's bound), the actor's ceiling, its initial
/// intensity and any equilibrium below twice the threshold. Trajectories
/// start on the four edges of the box below 92% of the threshold (at
/// ¼, ½ and ¾ of each edge, and its corners), at the origin, just off each
/// unstable equilibrium (2 % of the view diagonally on either side, so the
/// runs show which way the flow leaves it) and at the scenario's initial
/// state. They follow the autonomous continuous
/// dynamics: the controller, phases and other mechanisms are left out, as
/// in the field. A run stops where it reaches the top rung (an explosion),
/// otherwise after `8/|α|` days for a spectral abscissa `α < 0` (between
/// 40 and 600 days: disturbances shrink by `e⁻⁸`) or 200 days.
///
/// # Errors
/// [`Error::Invalid`] unless the model has exactly two actors; the errors
/// of the simulator and the equilibrium enumeration.
///
/// # Example
///
/// ```
/// use escalation::figures;
/// use escalation::model::{Dynamics, Model};
///
/// let d = Dynamics::richardson(0.5, 0.4, 0.3, 0.6, 0.02, 0.01).unwrap();
/// let model = Model::from_dynamics(d, 100.0);
/// let portrait = figures::phase_portrait(&model).unwrap();
/// // one stable equilibrium, x* = (bg + kh, lg + ah) / (ab − kl) = (0.55, 0.85)
/// assert_eq!(portrait.equilibria.len(), 1);
/// let e = portrait.equilibria[0];
/// assert!(e.stable);
/// assert!((e.x - 0.55).abs() < 1e-9 && (e.y - 0.85).abs() < 1e-9);
/// ```
pub fn phase_portrait(model: &Model) -> Result<PhasePortrait> {
    model.check()?;
    let owned = model.effective_dynamics().into_owned();
    let d = &owned;
    if d.n() != 2 {
        return Err(Error::invalid(
            "actor",
            format!(
                "a phase portrait needs exactly 2 actors, got {} ({})",
                d.n(),
                d.names.join(", ")
            ),
        ));
    }
    let gain = d.gain;
    let top = model.ladder.bound(model.ladder.top());
    let equilibria = face_equilibria(d, gain)?;
    let extent = |i: usize| {
        let mut h = top.max(model.initial[i]);
        if let Some(c) = d.ceiling[i] {
            h = h.max(c);
        }
        for e in &equilibria {
            if e.x.iter().all(|&v| v <= 2.0 * top) {
                h = h.max(e.x[i]);
            }
        }
        1.05 * h
    };
    let (xr, yr) = ((0.0, extent(0)), (0.0, extent(1)));
    let marks = equilibria
        .iter()
        .filter(|e| e.x[0] <= xr.1 && e.x[1] <= yr.1)
        .map(|e| EquilibriumMark {
            x: e.x[0],
            y: e.x[1],
            stable: e.stable,
        })
        .collect();

    let alpha = spectral_abscissa(d, gain)?;
    let horizon = if alpha < 0.0 {
        (8.0 / -alpha).clamp(40.0, 600.0)
    } else {
        200.0
    };
    let mut free = Model::from_dynamics(d.clone(), horizon);
    free.ladder = model.ladder.clone();
    let box_side = |i: usize, r: (f64, f64)| {
        let cap = d.ceiling[i].unwrap_or(f64::INFINITY);
        0.92 * top.min(cap).min(r.1)
    };
    let (sx, sy) = (box_side(0, xr), box_side(1, yr));
    let mut starts = vec![(0.0, 0.0), (sx, 0.0), (0.0, sy), (sx, sy)];
    for f in SPREAD {
        starts.extend([(f * sx, 0.0), (0.0, f * sy), (f * sx, sy), (sx, f * sy)]);
    }
    // Just off each unstable equilibrium, so the runs show which way the
    // flow leaves it (the separatrix of a saddle).
    let (dx, dy) = (0.02 * xr.1, 0.02 * yr.1);
    for e in equilibria.iter().filter(|e| !e.stable) {
        for (sx, sy) in [(1.0, 1.0), (-1.0, -1.0), (1.0, -1.0), (-1.0, 1.0)] {
            let p = (e.x[0] + sx * dx, e.x[1] + sy * dy);
            let inside = |v: f64, i: usize, r: (f64, f64)| {
                v >= 0.0 && v < 0.999 * top.min(r.1).min(d.ceiling[i].unwrap_or(f64::INFINITY))
            };
            if inside(p.0, 0, xr) && inside(p.1, 1, yr) {
                starts.push(p);
            }
        }
    }
    let own = (model.initial[0], model.initial[1]);
    if !starts.contains(&own) {
        starts.push(own);
    }
    let opts = SimOptions::default();
    let mut trajectories = Vec::with_capacity(starts.len());
    for (x0, y0) in starts {
        free.initial = DVector::from_vec(vec![x0, y0]);
        let run = simulate(&free, &opts)?;
        let line: Vec<(f64, f64)> = run.x[0]
            .iter()
            .zip(&run.x[1])
            .map(|(&x, &y)| (x, y))
            .filter(|p| p.0.is_finite() && p.1.is_finite())
            .collect();
        if !line.is_empty() {
            trajectories.push(line);
        }
    }
    Ok(PhasePortrait {
        title: format!("{}: phase portrait at γ = {gain}", title_name(model)),
        trajectories,
        equilibria: marks,
        ..PhasePortrait::new(owned.clone(), xr, yr)
    })
}

/// The bifurcation diagram of `model` over the gains `gamma_range`:
/// equilibria of the (capped) model against `γ` with their stability and
/// the tipping points met following the attractor up and down, from
/// [`crate::analysis::continuation`] on 400 gain steps, and the linear
/// critical gain `γ*` as a vertical line.
///
/// One actor is drawn: the one whose stable equilibrium intensity varies
/// most over the diagram (over all equilibria if none is stable). An
/// unstable equilibrium drawn at the same point as a stable one (it differs
/// only in actors not drawn) is left out, so dashes never hide a stable
/// branch. The y axis runs from 0 to 8% above the highest
/// equilibrium, but no higher than the larger of the explosion threshold
/// and the highest ceiling, so that branches escaping to infinity at `γ*`
/// are cut off.
///
/// # Errors
/// [`Error::Invalid`] for a bad range (`0 ≤ start < end`) or a model with
/// too many faces to enumerate (see [`crate::analysis::face_equilibria`]);
/// [`Error::Numerical`] if no equilibrium is found or an eigenvalue
/// computation fails.
pub fn bifurcation(model: &Model, gamma_range: (f64, f64)) -> Result<Bifurcation> {
    model.check()?;
    let d = model.steady_dynamics()?;
    let d = d.as_ref();
    let branches = continuation(d, gamma_range, CONTINUATION_STEPS)?;
    let cap = d
        .ceiling
        .iter()
        .flatten()
        .fold(model.ladder.bound(model.ladder.top()), |m, &c| m.max(c));
    let points = || branches.branches.iter().flat_map(|b| b.points.iter());
    if points().next().is_none() {
        return Err(Error::numerical(format!(
            "no equilibrium found for γ in [{}, {}]",
            gamma_range.0, gamma_range.1
        )));
    }
    let clipped = |i: usize| points().map(move |p| p.x[i].clamp(0.0, cap));
    // Stable states are what a reader follows; unstable ones only if none is stable.
    let any_stable = points().any(|p| p.stable);
    let spread = |i: usize| {
        let (lo, hi) = points()
            .filter(|p| p.stable || !any_stable)
            .map(|p| p.x[i].clamp(0.0, cap))
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                (lo.min(v), hi.max(v))
            });
        hi - lo
    };
    let actor = (0..d.n())
        .max_by(|&a, &b| spread(a).total_cmp(&spread(b)).then(b.cmp(&a)))
        .unwrap_or(0);
    let top = clipped(actor).fold(0.0f64, f64::max);
    let mut out =
        Bifurcation::from_continuation(&unshadowed(&branches, actor), actor, &d.names[actor])?;
    out.title = format!("{}: equilibria against the loop gain", title_name(model));
    out.critical_gain = critical_gain(d)?.filter(|g| *g >= gamma_range.0 && *g <= gamma_range.1);
    out.y_range = Some((0.0, 1.08 * top.max(0.5)));
    Ok(out)
}

/// `branches` without the unstable points whose `actor` coordinate repeats
/// a stable equilibrium's at the same gain: in the diagram they lie on the
/// stable branch (they differ only in actors not drawn, or are the same
/// state reached on two faces), and dashes drawn over it would hide it.
fn unshadowed(branches: &Branches, actor: usize) -> Branches {
    let mut stable: BTreeMap<u64, Vec<f64>> = BTreeMap::new();
    for p in branches.branches.iter().flat_map(|b| &b.points) {
        if p.stable {
            stable.entry(p.gain.to_bits()).or_default().push(p.x[actor]);
        }
    }
    let shadowed = |p: &BranchPoint| {
        !p.stable
            && stable.get(&p.gain.to_bits()).is_some_and(|s| {
                let v = p.x[actor];
                s.iter().any(|x| (x - v).abs() <= 1e-9 * (1.0 + v.abs()))
            })
    };
    let mut out = Vec::new();
    for b in &branches.branches {
        let mut run: Vec<BranchPoint> = Vec::new();
        for p in &b.points {
            if shadowed(p) {
                if !run.is_empty() {
                    out.push(Branch {
                        faces: b.faces.clone(),
                        points: std::mem::take(&mut run),
                    });
                }
            } else {
                run.push(p.clone());
            }
        }
        if !run.is_empty() {
            out.push(Branch {
                faces: b.faces.clone(),
                points: run,
            });
        }
    }
    Branches {
        branches: out,
        ..branches.clone()
    }
}

/// From 0 to twice the larger of the baseline gain and the critical gain
/// (1 when the loop never explodes).
///
/// # Errors
/// [`Error::Numerical`] if the critical gain cannot be computed.
pub fn default_gamma_range(model: &Model) -> Result<(f64, f64)> {
    model.check()?;
    let g = model.dynamics.gain;
    let c = critical_gain(model.steady_dynamics()?.as_ref())?.unwrap_or(1.0);
    Ok((0.0, 2.0 * g.max(c).max(f64::MIN_POSITIVE)))
}
