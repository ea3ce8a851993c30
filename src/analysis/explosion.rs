//! Explosion detection on a simulated trajectory, linear or not: the top
//! rung, the first time each rung was reached, and the exponential growth
//! rate fitted on the escalating segment.

use serde::Serialize;

use crate::model::Ladder;
use crate::sim::{EventKind, Trajectory};

/// The first time an actor reached a rung.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RungCrossing {
    /// Actor.
    pub actor: String,
    /// Rung reached (index in the ladder).
    pub rung: usize,
    /// Time, days (0 for a rung the actor started on).
    pub t: f64,
}

/// An exponential fit `y(t) ≈ c e^{rate·t}` by least squares on `ln y`, where `y`
/// is the speed `‖dx/dt‖` or a distance `‖x − x_ref‖` (see [`fit_growth`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct GrowthFit {
    /// Fitted rate, 1/day: positive for growth, negative for decay.
    pub rate: f64,
    /// `ln 2 / rate` for growth, days; `None` otherwise.
    pub doubling_time: Option<f64>,
    /// Coefficient of determination of the log-linear fit.
    pub r2: f64,
    /// First sample time used, days.
    pub t_start: f64,
    /// Last sample time used, days.
    pub t_end: f64,
    /// Number of samples used.
    pub samples: usize,
}

/// What a trajectory says about explosion.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explosion {
    /// True when the run reached the top rung (or overflowed).
    pub exploded: bool,
    /// When, days.
    pub explosion_time: Option<f64>,
    /// The ladder's top rung.
    pub top_rung: usize,
    /// The highest rung any actor reached.
    pub highest_rung: usize,
    /// First time each actor reached each rung above rung 0, in time order.
    pub crossings: Vec<RungCrossing>,
    /// Growth rate of the speed `‖dx/dt‖` on the escalating segment
    /// ([`fit_growth`]; `None` when too short or flat).
    pub growth: Option<GrowthFit>,
}

/// Least-squares line through `(t, y)`: slope, intercept, r².
fn line_fit(t: &[f64], y: &[f64]) -> Option<(f64, f64, f64)> {
    let n = t.len() as f64;
    if t.len() < 3 {
        return None;
    }
    let mt = t.iter().sum::<f64>() / n;
    let my = y.iter().sum::<f64>() / n;
    let stt: f64 = t.iter().map(|v| (v - mt).powi(2)).sum();
    let syy: f64 = y.iter().map(|v| (v - my).powi(2)).sum();
    let sty: f64 = t.iter().zip(y).map(|(a, b)| (a - mt) * (b - my)).sum();
    if stt.is_nan() || stt <= 0.0 {
        return None;
    }
    let slope = sty / stt;
    let r2 = if syy > 0.0 {
        (sty * sty / (stt * syy)).min(1.0)
    } else {
        1.0
    };
    Some((slope, my - slope * mt, r2))
}

/// Fits an exponential rate (1/day) to the samples `x[i][k]` at times `t[k]`
/// (days).
///
/// The fitted quantity is the speed `‖Δx/Δt‖₂` between consecutive samples
/// when `reference` is `None`, and the distance `‖x − reference‖₂` otherwise.
/// Near an equilibrium `x*` of a linear model `dx/dt = M(x − x*)`, so the
/// speed grows or decays like the leading mode whatever `x*` is: no
/// equilibrium needs to be known. (Intervals shorter than half the median,
/// such as the last one of an exploded run, are left out.)
///
/// When the fitted quantity rises to its maximum, the escalating segment
/// runs from its last minimum before that maximum to the maximum, and the
/// fit uses the samples between 25% and 90% of the way in logarithm
/// (skipping the initial transient and the saturation of a capped model).
/// Otherwise the decay from the maximum is fitted down to `10⁻⁹` of it.
/// `None` with fewer than three usable samples or less than a factor
/// `e^{0.5}` of change.
#[must_use]
pub fn fit_growth(t: &[f64], x: &[Vec<f64>], reference: Option<&[f64]>) -> Option<GrowthFit> {
    let len = t.len();
    if len < 3 || x.iter().any(|s| s.len() != len) {
        return None;
    }
    let (times, dist): (Vec<f64>, Vec<f64>) = match reference {
        Some(r) => {
            let d = (0..len)
                .map(|k| {
                    x.iter()
                        .enumerate()
                        .map(|(i, s)| (s[k] - r.get(i).copied().unwrap_or(0.0)).powi(2))
                        .sum::<f64>()
                        .sqrt()
                })
                .collect();
            (t.to_vec(), d)
        }
        None => {
            let mut steps: Vec<f64> = t.windows(2).map(|w| w[1] - w[0]).collect();
            steps.sort_by(f64::total_cmp);
            let median = steps[steps.len() / 2];
            (0..len - 1)
                .filter(|&k| t[k + 1] - t[k] >= 0.5 * median && t[k + 1] > t[k])
                .map(|k| {
                    let h = t[k + 1] - t[k];
                    let v = x
                        .iter()
                        .map(|s| ((s[k + 1] - s[k]) / h).powi(2))
                        .sum::<f64>()
                        .sqrt();
                    (0.5 * (t[k] + t[k + 1]), v)
                })
                .unzip()
        }
    };
    let t = times.as_slice();
    let len = t.len();
    if len < 3 {
        return None;
    }
    if dist.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let peak = (0..len).fold(0, |best, k| if dist[k] > dist[best] { k } else { best });
    let low = (0..=peak).fold(0, |best, k| if dist[k] <= dist[best] { k } else { best });
    let ln = |v: f64| v.max(f64::MIN_POSITIVE).ln();
    let (lo_log, hi_log, range) = if peak > low && dist[low] > 0.0 {
        let (a, b) = (ln(dist[low]), ln(dist[peak]));
        if b - a < 0.5 {
            return None;
        }
        (a + 0.25 * (b - a), a + 0.9 * (b - a), low..=peak)
    } else {
        let top = ln(dist[peak]);
        let floor = top - 9.0 * std::f64::consts::LN_10;
        let bottom = dist[peak..].iter().fold(f64::INFINITY, |m, &v| m.min(v));
        if top - ln(bottom) < 0.5 {
            return None;
        }
        (floor, top, peak..=len - 1)
    };
    let (mut ts, mut ys) = (Vec::new(), Vec::new());
    for k in range {
        let l = ln(dist[k]);
        if dist[k] > 0.0 && l >= lo_log && l <= hi_log {
            ts.push(t[k]);
            ys.push(l);
        }
    }
    let (rate, _, r2) = line_fit(&ts, &ys)?;
    Some(GrowthFit {
        rate,
        doubling_time: (rate > 0.0).then(|| std::f64::consts::LN_2 / rate),
        r2,
        t_start: ts[0],
        t_end: ts[ts.len() - 1],
        samples: ts.len(),
    })
}

/// Explosion detection on a simulated run: whether and when the top rung
/// was reached, the first time each actor reached each rung (exact times
/// from the run's rung events; linear interpolation between samples when
/// there are none), and the growth rate of the speed `‖dx/dt‖`
/// ([`fit_growth`] without a reference). Works on any trajectory, linear or not.
#[must_use]
pub fn detect_explosion(run: &Trajectory, ladder: &Ladder) -> Explosion {
    let n = run.actors.len();
    let mut first: Vec<Vec<Option<f64>>> = vec![vec![None; ladder.top() + 1]; n];
    // Rungs held at the start.
    for (i, rungs) in first.iter_mut().enumerate() {
        if let Some(&x0) = run.x.get(i).and_then(|s| s.first()) {
            for slot in rungs.iter_mut().take(ladder.rung_of(x0) + 1) {
                *slot = Some(0.0);
            }
        }
    }
    let has_events = run
        .events
        .iter()
        .any(|e| matches!(e.kind, EventKind::Rung { .. }));
    if has_events {
        for e in &run.events {
            if let EventKind::Rung {
                actor, from, to, ..
            } = &e.kind
                && let Some(i) = run.actors.iter().position(|a| a == actor)
            {
                for slot in first[i]
                    .iter_mut()
                    .take((*to).min(ladder.top()) + 1)
                    .skip(from + 1)
                {
                    slot.get_or_insert(e.t);
                }
            }
        }
    } else {
        for (rungs, s) in first.iter_mut().zip(&run.x) {
            for k in 1..s.len().min(run.t.len()) {
                for (r, slot) in rungs.iter_mut().enumerate().skip(1) {
                    let b = ladder.bound(r);
                    if slot.is_none() && s[k] >= b && s[k - 1] < b {
                        let w = (b - s[k - 1]) / (s[k] - s[k - 1]);
                        *slot = Some(run.t[k - 1] + w * (run.t[k] - run.t[k - 1]));
                    }
                }
            }
        }
    }
    if let Some(te) = run.explosion_time
        && let Some(ev) = run
            .events
            .iter()
            .rev()
            .find(|e| matches!(e.kind, EventKind::Explosion { .. }))
        && let EventKind::Explosion { actor, .. } = &ev.kind
        && let Some(i) = run.actors.iter().position(|a| a == actor)
    {
        first[i][ladder.top()].get_or_insert(te);
    }
    let mut crossings: Vec<RungCrossing> = Vec::new();
    for (i, rungs) in first.iter().enumerate() {
        for (r, t) in rungs.iter().enumerate().skip(1) {
            if let Some(t) = t {
                crossings.push(RungCrossing {
                    actor: run.actors[i].clone(),
                    rung: r,
                    t: *t,
                });
            }
        }
    }
    crossings.sort_by(|a, b| a.t.total_cmp(&b.t).then(a.rung.cmp(&b.rung)));
    let highest_rung = first
        .iter()
        .filter_map(|rungs| rungs.iter().rposition(Option::is_some))
        .max()
        .unwrap_or(0);
    Explosion {
        exploded: run.explosion_time.is_some(),
        explosion_time: run.explosion_time,
        top_rung: ladder.top(),
        highest_rung,
        crossings,
        growth: fit_growth(&run.t, &run.x, None),
    }
}
