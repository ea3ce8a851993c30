//! The loop in each phase, and how large a misattributed attack must be to
//! break it: the `phases` part of [`super::analyze`].
//!
//! For each phase, the loop while it is active (its gain, guarantee and
//! proxy control), after a passed verification test (its verified gain) and
//! after it ends ([`Model::phase_loop`]) is judged like the baseline: the
//! verdict, spectral abscissa (and spectral radius with a controller) and
//! gain margin.
//!
//! The blame threshold of a phase with a `breach_rung`: the phase sits at
//! the equilibrium `x*` of its loop; blame lands on `accused` for an attack
//! on `victim` of magnitude `m`, a phantom `z(t) = m e^{−a_c t}` in the
//! victim's perception of the accused (`docs/model.md`). The linearised loop
//! answers `δx(t) = m r(t)`: continuous, `r` solves
//! `ṙ = J r + c e_v e^{−a_c t}` with the Jacobian `J` at `x*` and
//! `c = K_vc (1 − x*_v/C_v)`, solved exactly with the exponential of the
//! augmented matrix; with a controller, the decisions' linear recursion with
//! the exact zero-order hold, blame landing at a decision. The phase breaks
//! when a party (or, if `accountable`, a proxy of a party) reaches the bound
//! `B` of the breach rung, so the threshold is
//! `m* = min_p (B − x*_p) / max_t r_p(t)` over those with a positive
//! response: `null` when none responds, 0 when one is already at the rung.

use nalgebra::{DMatrix, DVector};
use serde::Serialize;

use super::critical::critical_gain;
use super::eigen::abscissa_scale;
use super::equilibrium::{ceiling_equilibrium, jacobian, linear_equilibrium};
use super::sampled::{sampled_critical_gain, sampled_stability};
use super::{Verdict, spectral_abscissa};
use crate::control::Controller;
use crate::error::Result;
use crate::model::{Dynamics, Model, PhaseStage};

/// The loop at one stage of a phase.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageLoop {
    /// Stable, marginal or explosive (of the sampled loop with a controller).
    pub verdict: Verdict,
    /// Spectral abscissa of the continuous loop, 1/day.
    pub spectral_abscissa: f64,
    /// Spectral radius of the sampled loop (with a controller).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spectral_radius: Option<f64>,
    /// By how much the loop's gain may be scaled before it explodes
    /// (the critical gain of the stage's loop at unit gain).
    pub gain_margin: Option<f64>,
}

/// The smallest attack magnitude that breaks a phase, for one victim and
/// one accused.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BlameThreshold {
    /// The actor attacked.
    pub victim: String,
    /// The actor blamed.
    pub accused: String,
    /// Intensity; `None` when no attack breaks the phase.
    pub magnitude: Option<f64>,
    /// The party (or its accountable proxy) that reaches the breach rung first.
    pub breaker: Option<String>,
}

/// The analysis of one phase.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PhaseReport {
    /// Phase name.
    pub phase: String,
    /// The loop while the phase is active.
    pub during: StageLoop,
    /// The loop after a passed verification test (phases with `verified_gain`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verified: Option<StageLoop>,
    /// The loop after the phase ends or collapses (`after_gain`).
    pub after: StageLoop,
    /// The equilibrium of the loop during the phase, intensity (`None` when
    /// singular or not found).
    pub equilibrium: Option<Vec<f64>>,
    /// Blame thresholds, for phases with a `breach_rung`, per (victim, accused).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blame_threshold: Option<Vec<BlameThreshold>>,
}

/// The loop of `d` at unit gain, with `controller` if any.
fn stage_loop(d: &Dynamics, controller: Option<&Controller>) -> Result<StageLoop> {
    let alpha = spectral_abscissa(d, 1.0)?;
    Ok(match controller {
        Some(c) => {
            let (rho, verdict) = sampled_stability(d, c, 1.0)?;
            StageLoop {
                verdict,
                spectral_abscissa: alpha,
                spectral_radius: Some(rho),
                gain_margin: sampled_critical_gain(d, c)?,
            }
        }
        None => StageLoop {
            verdict: Verdict::from_abscissa(alpha, abscissa_scale(d, 1.0)),
            spectral_abscissa: alpha,
            spectral_radius: None,
            gain_margin: critical_gain(d)?,
        },
    })
}

/// The per-phase part of the report.
pub(crate) fn phase_reports(model: &Model) -> Result<Vec<PhaseReport>> {
    let controller = model.controller.as_ref();
    (0..model.phases.len())
        .map(|k| {
            let p = &model.phases[k];
            let during_d = model.phase_loop(k, PhaseStage::During)?;
            let during = stage_loop(&during_d, controller)?;
            let verified = match p.verified_gain {
                Some(_) => Some(stage_loop(
                    &model.phase_loop(k, PhaseStage::Verified)?,
                    controller,
                )?),
                None => None,
            };
            let after = stage_loop(&model.phase_loop(k, PhaseStage::After)?, controller)?;
            let eq = phase_equilibrium(model, &during_d)?;
            let blame_threshold = match (p.breach_rung, &eq) {
                (Some(_), Some(x)) if during.verdict == Verdict::Stable => {
                    Some(thresholds(model, k, &during_d, x)?)
                }
                (Some(_), _) => Some(
                    blame_pairs(model, k)
                        .into_iter()
                        .map(|(v, c)| BlameThreshold {
                            victim: model.dynamics.names[v].clone(),
                            accused: model.dynamics.names[c].clone(),
                            magnitude: None,
                            breaker: None,
                        })
                        .collect(),
                ),
                (None, _) => None,
            };
            Ok(PhaseReport {
                phase: p.name.clone(),
                during,
                verified,
                after,
                equilibrium: eq.map(|x| x.iter().copied().collect()),
                blame_threshold,
            })
        })
        .collect()
}

/// The equilibrium of the phase's loop (unit gain), from the model's initial state.
fn phase_equilibrium(model: &Model, d: &Dynamics) -> Result<Option<DVector<f64>>> {
    if d.is_linear() {
        Ok(linear_equilibrium(d, 1.0)?.filter(|x| x.iter().all(|&v| v >= 0.0)))
    } else {
        ceiling_equilibrium(d, 1.0, &model.initial)
    }
}

/// The (victim, accused) pairs of the spoilers; without spoilers, every
/// party's rivals that react to it.
fn blame_pairs(model: &Model, k: usize) -> Vec<(usize, usize)> {
    match &model.spoilers {
        Some(s) => s
            .targets
            .iter()
            .filter(|&&v| v != s.accused)
            .map(|&v| (v, s.accused))
            .collect(),
        None => {
            let p = &model.phases[k];
            let n = model.n();
            p.parties
                .iter()
                .flat_map(|&c| (0..n).map(move |v| (v, c)))
                .filter(|&(v, c)| v != c && model.dynamics.coupling[(v, c)] != 0.0)
                .collect()
        }
    }
}

/// Thresholds of phase `k` whose loop `d` sits at `x`.
fn thresholds(
    model: &Model,
    k: usize,
    d: &Dynamics,
    x: &DVector<f64>,
) -> Result<Vec<BlameThreshold>> {
    let p = &model.phases[k];
    let rung = p.breach_rung.unwrap_or(model.ladder.top());
    let bound = model.ladder.bound(rung);
    // Who breaks the phase: the parties, and an accountable phase's proxies of parties.
    let mut breakers: Vec<usize> = p.parties.clone();
    if p.accountable {
        breakers.extend(
            model
                .proxies
                .iter()
                .filter(|x| p.parties.contains(&x.patron))
                .map(|x| x.actor),
        );
    }
    let names = &model.dynamics.names;
    blame_pairs(model, k)
        .into_iter()
        .map(|(v, c)| {
            let peaks = match &model.controller {
                Some(ctl) => sampled_peaks(model, k, d, x, ctl, v, c)?,
                None => continuous_peaks(d, x, v, c)?,
            };
            let mut best: Option<(f64, usize)> = None;
            for &b in &breakers {
                let gap = bound - x[b];
                let m = if gap <= 0.0 {
                    Some(0.0)
                } else if peaks[b] > 0.0 {
                    Some(gap / peaks[b])
                } else {
                    None
                };
                if let Some(m) = m
                    && best.is_none_or(|(old, _)| m < old)
                {
                    best = Some((m, b));
                }
            }
            Ok(BlameThreshold {
                victim: names[v].clone(),
                accused: names[c].clone(),
                magnitude: best.map(|b| b.0),
                breaker: best.map(|b| names[b.1].clone()),
            })
        })
        .collect()
}

/// `max_t r_p(t)` per actor for a unit phantom of `victim` on `accused`, continuous loop.
fn continuous_peaks(
    d: &Dynamics,
    x: &DVector<f64>,
    victim: usize,
    accused: usize,
) -> Result<Vec<f64>> {
    let n = d.n();
    let j = jacobian(d, 1.0, x)?;
    let factor = d.ceiling[victim].map_or(1.0, |cap| 1.0 - x[victim] / cap);
    let decay = d.restraint[accused];
    let mut h = DMatrix::zeros(n + 1, n + 1);
    h.view_mut((0, 0), (n, n)).copy_from(&j);
    h[(victim, n)] = d.coupling[(victim, accused)] * factor;
    h[(n, n)] = -decay;
    // The response lasts a few times the slowest decay of the loop and the phantom.
    let slowest = super::eigen::eigenvalues(&j)?
        .iter()
        .map(|z| -z.re)
        .fold(decay, f64::min)
        .max(1e-6);
    let span = 40.0 / slowest;
    let steps = 4000;
    let dt = span / f64::from(steps);
    let step = super::expm(&(&h * dt));
    let mut r = DVector::zeros(n + 1);
    r[n] = 1.0;
    let mut peaks = vec![0.0f64; n];
    let mut best_k = vec![0u32; n];
    for s in 1..=steps {
        r = &step * r;
        for i in 0..n {
            if r[i] > peaks[i] {
                peaks[i] = r[i];
                best_k[i] = s;
            }
        }
    }
    // Refine each peak between its grid neighbours (golden-section search).
    for i in 0..n {
        if peaks[i] <= 0.0 {
            continue;
        }
        let at = |t: f64| -> f64 { super::expm(&(&h * t))[(i, n)] };
        let (mut a, mut b) = (
            dt * f64::from(best_k[i].saturating_sub(1)),
            dt * f64::from(best_k[i] + 1),
        );
        let g = 0.5 * (5f64.sqrt() - 1.0);
        for _ in 0..60 {
            let (t1, t2) = (b - g * (b - a), a + g * (b - a));
            if at(t1) > at(t2) {
                b = t2;
            } else {
                a = t1;
            }
        }
        peaks[i] = peaks[i].max(at(0.5 * (a + b)));
    }
    Ok(peaks)
}

/// `max_k r_p(t_k)` per actor for a unit phantom of `victim` on `accused`
/// landing at a decision, for the controller's loop linearised at `x` (no
/// deadband, no saturation). Between decisions each actor moves
/// monotonically, so the peak is at a decision.
fn sampled_peaks(
    model: &Model,
    k: usize,
    d: &Dynamics,
    x: &DVector<f64>,
    ctl: &Controller,
    victim: usize,
    accused: usize,
) -> Result<Vec<f64>> {
    let n = d.n();
    let dt = ctl.period;
    // The lag in force: the hotline's when it works from the phase's start.
    let lag = match &model.hotline {
        Some(h) if h.start <= model.phases[k].start => h.lag.unwrap_or(ctl.lag),
        _ => ctl.lag,
    };
    let r = ctl.derivative / dt;
    // Between decisions: δẋ_i = −ã_i δx_i + f_i δu_i, ã_i = a_i f_i, f_i = 1 − x_i/C_i.
    let f: Vec<f64> = (0..n)
        .map(|i| d.ceiling[i].map_or(1.0, |c| 1.0 - x[i] / c))
        .collect();
    let phi: Vec<f64> = (0..n)
        .map(|i| (-d.restraint[i] * f[i] * dt).exp())
        .collect();
    let gam: Vec<f64> = (0..n)
        .map(|i| {
            let a = d.restraint[i] * f[i];
            if a > 0.0 {
                f[i] * -(-a * dt).exp_m1() / a
            } else {
                f[i] * dt
            }
        })
        .collect();
    let decay = (-d.restraint[accused] * dt).exp();
    let w = d.coupling[(victim, accused)];
    let mut history: Vec<Vec<f64>> = vec![vec![0.0; n]; lag + 2];
    let mut state = vec![0.0; n];
    let mut prev_y = vec![0.0; n];
    let mut z = 1.0;
    let mut peaks = vec![0.0f64; n];
    let slowest = d.restraint.min().min(d.restraint[accused]).max(1e-6);
    let periods = ((60.0 / (slowest * dt)).ceil() as usize).clamp(200, 200_000);
    for _ in 0..periods {
        // y[k] = x[k − d]
        history.rotate_right(1);
        history[0].clone_from(&state);
        let y = &history[lag];
        let phi_y: Vec<f64> = y
            .iter()
            .zip(&prev_y)
            .map(|(&yj, &pj)| yj + r * (yj - pj))
            .collect();
        let mut u = vec![0.0; n];
        for (i, ui) in u.iter_mut().enumerate() {
            *ui = (0..n).map(|j| d.coupling[(i, j)] * phi_y[j]).sum::<f64>();
            if i == victim {
                *ui += w * z;
            }
        }
        prev_y.clone_from(y);
        for i in 0..n {
            state[i] = phi[i] * state[i] + gam[i] * u[i];
            peaks[i] = peaks[i].max(state[i]);
        }
        z *= decay;
    }
    Ok(peaks)
}
