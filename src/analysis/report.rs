//! `analyze`: the whole linear analysis of a model at its baseline gain, as
//! one serializable report (the JSON of `docs/analysis.md` §7).

use nalgebra::{DMatrix, DVector};
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

use super::continuation::{Fold, Hysteresis, continuation};
use super::critical::{
    critical_crossing, critical_gain, critical_gain_sensitivity, gain_margin, gain_margin_db,
};
use super::delay::{DelayMargin, delay_margin};
use super::eigen::{abscissa_scale, eigenvalues, leading_mode};
use super::equilibrium::{
    ceiling_equilibrium, is_negative_peace, jacobian, linear_equilibrium, pinned_actors,
};
use super::faces::{MAX_FACES, face_count};
use super::integrate::settle;
use super::sampled::{sampled_critical_gain, sampled_stability};
use super::{Verdict, check_gain};
use crate::error::{Error, Result};
use crate::model::{Dynamics, Model};

/// An actor's share in the leading mode.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DominantActor {
    /// Actor name.
    pub actor: String,
    /// Participation factor in `[0, 1]`; the shares sum to 1.
    pub participation: f64,
}

/// The sampled-data part of the report (models with a controller).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SampledReport {
    /// Decision period `Δ`, days.
    pub period: f64,
    /// Perception lag, periods.
    pub lag: usize,
    /// Derivative time `τ_D`, days.
    pub derivative: f64,
    /// Spectral radius of the companion matrix at the baseline gain.
    pub spectral_radius: f64,
    /// Verdict from the spectral radius.
    pub verdict: Verdict,
    /// Smallest gain at which the sampled loop explodes.
    pub critical_gain: Option<f64>,
    /// `critical_gain / gain`.
    pub gain_margin: Option<f64>,
    /// Largest lag (periods) such that every lag up to it is stable; `null`
    /// when every lag is, `-1` when even lag 0 is not.
    #[serde(serialize_with = "ser_delay")]
    pub delay_margin: DelayMargin,
    /// False when the lag scan stopped at its size limit before finding an
    /// unstable lag (the margin is then a lower bound).
    pub delay_margin_exact: bool,
    /// With `controller.adaptation`: the loop fully sensitized, its
    /// derivative time multiplied by `σ₀/σ_min` (after a long quiet spell).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sensitized: Option<Sensitized>,
}

/// The sampled loop fully sensitized by adaptation (`docs/analysis.md`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sensitized {
    /// `τ_D · σ₀/σ_min`, days.
    pub derivative: f64,
    /// Spectral radius at the baseline gain.
    pub spectral_radius: f64,
    /// Verdict from the spectral radius.
    pub verdict: Verdict,
    /// Smallest gain at which the sensitized loop explodes.
    pub critical_gain: Option<f64>,
}

/// Hardliners in the analysis: `H_i = η_i κ_i / δ_i` for each actor with
/// hardliners (the restraint their heat removes in steady state).
struct HeatLoad {
    actor: usize,
    load: f64,
    weight: f64,
    feed: f64,
    decay: f64,
}

fn heat_loads(model: &Model) -> Vec<HeatLoad> {
    model
        .hardliners
        .iter()
        .map(|h| HeatLoad {
            actor: h.actor,
            load: h.weight * h.feed / h.decay,
            weight: h.weight,
            feed: h.feed,
            decay: h.decay,
        })
        .collect()
}

/// The Jacobian of the state with hardliners, `[[J_xx, J_xh], [J_hx, −δ]]`,
/// from `jac`, the Jacobian of the steady-state loop (restraint `a − H`) at
/// `x`: `J_xx = jac − diag((1 − x_i/C_i) H_i)`, `J_xh = (1 − x_i/C_i) η_i`,
/// `J_hx = κ_i`.
fn augmented_jacobian(
    jac: &DMatrix<f64>,
    d: &Dynamics,
    x: Option<&DVector<f64>>,
    heat: &[HeatLoad],
) -> DMatrix<f64> {
    let n = jac.nrows();
    let m = n + heat.len();
    let mut out = DMatrix::zeros(m, m);
    out.view_mut((0, 0), (n, n)).copy_from(jac);
    for (k, h) in heat.iter().enumerate() {
        let i = h.actor;
        let factor = match (d.ceiling[i], x) {
            (Some(c), Some(x)) => 1.0 - x[i] / c,
            _ => 1.0,
        };
        out[(i, i)] -= factor * h.load;
        out[(i, n + k)] = factor * h.weight;
        out[(n + k, i)] = h.feed;
        out[(n + k, n + k)] = -h.decay;
    }
    out
}

fn ser_delay<S: Serializer>(d: &DelayMargin, s: S) -> std::result::Result<S::Ok, S::Error> {
    d.periods().serialize(s)
}

/// A map that keeps the actors' order when serialized.
#[derive(Debug, Clone, PartialEq)]
pub struct Ordered<T>(pub Vec<(String, T)>);

impl<T: Serialize> Serialize for Ordered<T> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

/// The analysis of a model at its baseline gain.
///
/// Serializes to the JSON of `docs/analysis.md` §7 (`actors`, `gain`, `equilibrium`,
/// `eigenvalues`, `spectral_abscissa`, `verdict`, `doubling_time`,
/// `critical_gain`, `gain_margin`, `dominant_actors`, `sampled`) plus the
/// keys documented on each field.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// Actor names, in state order.
    pub actors: Vec<String>,
    /// The baseline gain analysed.
    pub gain: f64,
    /// `"linear"` or `"ceiling"` (some actor has a ceiling).
    pub model: &'static str,
    /// The equilibrium (intensity); `None` when singular or not found.
    pub equilibrium: Option<Vec<f64>>,
    /// True when the equilibrium exists, is non-negative and below `breach_rung`.
    pub negative_peace: bool,
    /// The rung that counts as a breach: the lowest `breach_rung` of the
    /// phases, or the top rung without one.
    pub breach_rung: usize,
    /// Eigenvalues `[re, im]` (1/day) of the Jacobian at the equilibrium,
    /// by decreasing real part.
    pub eigenvalues: Vec<[f64; 2]>,
    /// Largest real part, 1/day.
    pub spectral_abscissa: f64,
    /// Stable, marginal or explosive.
    pub verdict: Verdict,
    /// Growth rate of the explosion (the spectral abscissa), 1/day; `None` unless explosive.
    pub growth_rate: Option<f64>,
    /// `ln 2 / growth_rate`, days; `None` unless explosive.
    pub doubling_time: Option<f64>,
    /// Critical gain of the linear loop `−A + γK`.
    pub critical_gain: Option<f64>,
    /// `"real"` or `"oscillatory"` (Hopf) crossing at the critical gain.
    pub crossing: Option<&'static str>,
    /// Frequency of the crossing eigenvalue, rad/day.
    pub critical_frequency: Option<f64>,
    /// `critical_gain / gain`.
    pub gain_margin: Option<f64>,
    /// `20 log₁₀ gain_margin`, dB.
    pub gain_margin_db: Option<f64>,
    /// Participation of each actor in the leading mode, largest first.
    pub dominant_actors: Vec<DominantActor>,
    /// `∂γ*/∂K[row][column]`, day: row actor → column actor → sensitivity.
    pub sensitivity: Option<Ordered<Ordered<f64>>>,
    /// The sampled-data loop, with a controller.
    pub sampled: Option<SampledReport>,
    /// Tipping points of the ceiling model over `γ ∈ [0, 2 max(γ, γ*)]`
    /// (`None` for the linear model or beyond the enumeration limit).
    pub folds: Option<Vec<Fold>>,
    /// Hysteresis between escalation and de-escalation gains, if any.
    pub hysteresis: Option<Hysteresis>,
    /// The loop in each phase (during, verified, after) and its blame
    /// thresholds.
    pub phases: Vec<super::PhaseReport>,
    /// Caveats about what was (not) computed, in plain words.
    pub notes: Vec<String>,
}

/// Eigen-analysis at the equilibrium: eigenvalues of the Jacobian restricted
/// to actors that are not held at zero, and their participation.
fn modes(
    m: &DMatrix<f64>,
    keep: &[usize],
    n: usize,
) -> Result<(Vec<nalgebra::Complex<f64>>, Vec<f64>)> {
    let sub = DMatrix::from_fn(keep.len(), keep.len(), |p, q| m[(keep[p], keep[q])]);
    if keep.is_empty() {
        return Ok((Vec::new(), vec![0.0; n]));
    }
    let values = eigenvalues(&sub)?;
    let part = leading_mode(&sub)?.participation();
    let mut full = vec![0.0; n];
    for (p, &i) in keep.iter().enumerate() {
        full[i] = part[p];
    }
    Ok((values, full))
}

/// The complete analysis of `model` at its baseline gain.
///
/// Phases, spoilers, the hotline and agreements are ignored (the baseline
/// gain holds throughout); proxies act through their patrons' control
/// ([`Model::effective_dynamics`]).
/// For the ceiling model the equilibrium is the one reached from the
/// initial state (a short integration of the autonomous model, polished by
/// Newton), the eigenvalues are those of the Jacobian there, and the
/// critical gain is that of the linear loop (small intensities).
///
/// # Errors
/// [`Error::Invalid`] for an invalid model ([`Model::check`]);
/// [`Error::Numerical`] if an eigenvalue computation fails.
///
/// # Example
///
/// Richardson's dyad at gain 1: stable, settling at `(0.55, 0.85)`, with
/// `γ* = √(ab/kl) = √(0.20/0.18)` and so a margin of about 5 %:
///
/// ```
/// use escalation::prelude::*;
///
/// let d = Dynamics::richardson(0.5, 0.4, 0.3, 0.6, 0.02, 0.01)?;
/// let report = analyze(&Model::from_dynamics(d, 100.0))?;
/// assert_eq!(report.verdict, Verdict::Stable);
/// let x = report.equilibrium.as_ref().unwrap();
/// assert!((x[0] - 0.55).abs() < 1e-12 && (x[1] - 0.85).abs() < 1e-12);
/// let critical = (0.20f64 / 0.18).sqrt();
/// assert!((report.critical_gain.unwrap() - critical).abs() < 1e-12);
/// assert!((report.gain_margin.unwrap() - critical).abs() < 1e-12);
/// assert!(report.spectral_abscissa < 0.0 && report.doubling_time.is_none());
/// // The same report as `escalation analyze --json` prints.
/// let json = serde_json::to_value(&report).unwrap();
/// assert_eq!(json["verdict"], "stable");
/// # Ok::<(), escalation::Error>(())
/// ```
pub fn analyze(model: &Model) -> Result<Report> {
    model.check()?;
    let d = model.effective_dynamics();
    let heat = heat_loads(model);
    // Hardliners whose heat outweighs their actor's restraint explode alone.
    if let Some(h) = heat.iter().find(|h| d.restraint[h.actor] <= h.load) {
        check_gain(d.gain)?;
        return hardliner_explosion(model, d.as_ref(), &heat, h);
    }
    // In steady state h = κx/δ: the loop of the intensities alone has
    // restraint a − H (equilibrium, critical gain, sampled loop).
    let steady;
    let d = if heat.is_empty() {
        d.as_ref()
    } else {
        let mut r = d.into_owned();
        for h in &heat {
            r.restraint[h.actor] -= h.load;
        }
        steady = r;
        &steady
    };
    check_gain(d.gain)?;
    super::check_range(d, d.gain)?;
    analyze_checked(model, d, &heat).map_err(|e| super::name_range_cause(e, d, d.gain))
}

fn analyze_checked(model: &Model, d: &crate::model::Dynamics, heat: &[HeatLoad]) -> Result<Report> {
    let gain = d.gain;
    let n = d.n();
    let linear = d.is_linear();
    let eq = if linear {
        linear_equilibrium(d, gain)?
    } else {
        // The short integration cannot follow a flow much faster than its
        // step (a ceiling far below the drive): then Newton starts from
        // the initial state.
        let settled = settle(d, gain, &model.initial, 100_000).x;
        let start = if settled.iter().all(|v| v.is_finite()) {
            settled
        } else {
            model.initial.clone()
        };
        ceiling_equilibrium(d, gain, &start)?
    };
    let (jac, keep): (DMatrix<f64>, Vec<usize>) = match (&eq, linear) {
        (Some(x), false) => {
            let pinned = pinned_actors(d, gain, x)?;
            (
                jacobian(d, gain, x)?,
                (0..n).filter(|&i| !pinned[i]).collect(),
            )
        }
        _ => (d.system_matrix(gain), (0..n).collect()),
    };
    let (values, part) = if heat.is_empty() {
        let (mut values, part) = modes(&jac, &keep, n)?;
        if linear && n == 2 {
            // The closed form holds at any magnitude (QR's rounding is relative
            // to the largest eigenvalue, which may dwarf the leading one).
            values = super::eigen::dyad_eigenvalues(
                d.restraint[0],
                d.restraint[1],
                d.coupling[(0, 1)],
                d.coupling[(1, 0)],
                gain,
            )
            .to_vec();
        }
        (values, part)
    } else {
        // Eigenvalues of the whole state, heat included.
        let aug = augmented_jacobian(&jac, d, eq.as_ref(), heat);
        let mut keep_aug = keep.clone();
        keep_aug.extend(n..n + heat.len());
        let (values, mut part) = modes(&aug, &keep_aug, n + heat.len())?;
        part.truncate(n);
        (values, part)
    };
    let alpha = values.first().map_or(-d.restraint.min(), |z| z.re);
    let verdict = Verdict::from_abscissa(alpha, abscissa_scale(d, gain));
    let explosive = verdict == Verdict::Explosive;
    let breach_rung = model
        .phases
        .iter()
        .filter_map(|p| p.breach_rung)
        .min()
        .unwrap_or(model.ladder.top());
    let negative_peace = eq
        .as_ref()
        .is_some_and(|x| is_negative_peace(x, &model.ladder, breach_rung));

    let (critical, frequency) = if d.is_nonnegative() {
        (critical_gain(d)?, Some(0.0))
    } else {
        match critical_crossing(d)? {
            Some(c) => (Some(c.gain), Some(c.frequency)),
            None => (None, None),
        }
    };
    let frequency = frequency.filter(|_| critical.is_some());
    let margin = gain_margin(critical, gain);
    let sensitivity = critical_gain_sensitivity(d)?.map(|s| {
        Ordered(
            (0..n)
                .map(|i| {
                    let row = (0..n)
                        .filter(|&j| j != i)
                        .map(|j| (d.names[j].clone(), s[(i, j)]))
                        .collect();
                    (d.names[i].clone(), Ordered(row))
                })
                .collect(),
        )
    });
    let mut dominant: Vec<DominantActor> = (0..n)
        .map(|i| DominantActor {
            actor: d.names[i].clone(),
            participation: part[i],
        })
        .collect();
    dominant.sort_by(|a, b| b.participation.total_cmp(&a.participation));

    let mut sampled_skipped = None;
    let sampled = match &model.controller {
        Some(c) => (|| -> Result<SampledReport> {
            let (rho, v) = sampled_stability(d, c, gain)?;
            let crit = sampled_critical_gain(d, c)?;
            let dm = delay_margin(d, c, gain)?;
            let sensitized = match &c.adaptation {
                Some(ad) => {
                    let mut full = c.clone();
                    full.derivative = c.derivative * ad.max_sensitization();
                    let (rho, v) = sampled_stability(d, &full, gain)?;
                    Some(Sensitized {
                        derivative: full.derivative,
                        spectral_radius: rho,
                        verdict: v,
                        critical_gain: sampled_critical_gain(d, &full)?,
                    })
                }
                None => None,
            };
            Ok(SampledReport {
                period: c.period,
                lag: c.lag,
                derivative: c.derivative,
                spectral_radius: rho,
                verdict: v,
                critical_gain: crit,
                gain_margin: gain_margin(crit, gain),
                delay_margin: dm,
                delay_margin_exact: !matches!(dm, DelayMargin::AtLeast(_)),
                sensitized,
            })
        })()
        .map_err(|e| sampled_skipped = Some(e.to_string()))
        .ok(),
        None => None,
    };

    let mut notes = Vec::new();
    if !heat.is_empty() {
        notes.push(
            "hardliners: the equilibrium and critical gains are those of the steady-state loop (restraint a − ηκ/δ); the eigenvalues are those of the whole state, heat included; the sampled-data figures treat heat as quasi-static"
                .to_string(),
        );
    }
    if let Some(why) = sampled_skipped {
        notes.push(format!("the sampled-data analysis was skipped: {why}"));
    }
    if !model.phases.is_empty() || model.spoilers.is_some() || !model.agreements.is_empty() {
        notes.push(
            "the top-level figures are the baseline loop's; `phases` gives the loop in each phase; spoilers, incidents and agreements act only in runs"
                .to_string(),
        );
    }
    let phases = match super::phases::phase_reports(model) {
        Ok(p) => p,
        Err(Error::Numerical(e)) => {
            notes.push(format!("the per-phase analysis was skipped: {e}"));
            Vec::new()
        }
        Err(e) => return Err(e),
    };
    if let Some(c) = critical.filter(|&c| !linear && gain > c) {
        notes.push(format!(
            "the loop without ceilings is explosive at this gain (critical gain {c:.6}): \
             intensities grow until the ceilings stop them"
        ));
    }
    if let Some(x) = &eq
        && x.iter()
            .any(|&v| model.ladder.rung_of(v) >= model.ladder.top())
    {
        notes.push("the equilibrium lies on the top rung: the loop settles in an explosion in the ladder's sense".to_string());
    }
    if !linear && eq.is_none() {
        notes.push(
            "no equilibrium of the capped model was found: eigenvalues are those of −A + γK"
                .to_string(),
        );
    }
    let (folds, hysteresis) = if linear {
        (None, None)
    } else if face_count(d) > MAX_FACES {
        notes.push(format!(
            "tipping points not searched: {} faces exceed the limit of {MAX_FACES}",
            face_count(d)
        ));
        (None, None)
    } else {
        let top = 2.0 * gain.max(critical.unwrap_or(1.0));
        match continuation(d, (0.0, top), 200) {
            Ok(b) => (Some(b.folds), b.hysteresis),
            Err(Error::Numerical(msg)) => {
                notes.push(format!("tipping points not found: {msg}"));
                (None, None)
            }
            Err(e) => return Err(e),
        }
    };

    Ok(Report {
        actors: d.names.clone(),
        gain,
        model: if linear { "linear" } else { "ceiling" },
        equilibrium: eq.map(|x: DVector<f64>| x.iter().copied().collect()),
        negative_peace,
        breach_rung,
        eigenvalues: values.iter().map(|z| [z.re, z.im]).collect(),
        spectral_abscissa: alpha,
        verdict,
        growth_rate: explosive.then_some(alpha),
        doubling_time: explosive.then(|| std::f64::consts::LN_2 / alpha),
        critical_gain: critical,
        crossing: frequency.map(|w| if w > 0.0 { "oscillatory" } else { "real" }),
        critical_frequency: frequency,
        gain_margin: margin,
        gain_margin_db: gain_margin_db(margin),
        dominant_actors: dominant,
        sensitivity,
        sampled,
        folds,
        hysteresis,
        phases,
        notes,
    })
}

/// The report when some actor's hardliners outweigh its restraint
/// (`a_i ≤ η_i κ_i / δ_i`): the heat loop explodes at any gain, so there is
/// no equilibrium and no critical gain; the eigenvalues are those of the
/// whole linear state at the baseline gain.
fn hardliner_explosion(
    model: &Model,
    d: &Dynamics,
    heat: &[HeatLoad],
    worst: &HeatLoad,
) -> Result<Report> {
    let gain = d.gain;
    check_gain(gain)?;
    let n = d.n();
    let jac = d.system_matrix(gain);
    let mut reduced = jac.clone();
    for h in heat {
        reduced[(h.actor, h.actor)] += h.load;
    }
    let aug = augmented_jacobian(&reduced, d, None, heat);
    let keep: Vec<usize> = (0..n + heat.len()).collect();
    let (values, mut part) = modes(&aug, &keep, n + heat.len())?;
    part.truncate(n);
    let alpha = values.first().map_or(0.0, |z| z.re);
    let verdict = Verdict::from_abscissa(alpha, abscissa_scale(d, gain));
    let mut dominant: Vec<DominantActor> = (0..n)
        .map(|i| DominantActor {
            actor: d.names[i].clone(),
            participation: part[i],
        })
        .collect();
    dominant.sort_by(|a, b| b.participation.total_cmp(&a.participation));
    let breach_rung = model
        .phases
        .iter()
        .filter_map(|p| p.breach_rung)
        .min()
        .unwrap_or(model.ladder.top());
    let a = d.restraint[worst.actor];
    Ok(Report {
        actors: d.names.clone(),
        gain,
        model: if d.is_linear() { "linear" } else { "ceiling" },
        equilibrium: None,
        negative_peace: false,
        breach_rung,
        eigenvalues: values.iter().map(|z| [z.re, z.im]).collect(),
        spectral_abscissa: alpha,
        verdict,
        growth_rate: (verdict == Verdict::Explosive).then_some(alpha),
        doubling_time: (verdict == Verdict::Explosive).then(|| std::f64::consts::LN_2 / alpha),
        critical_gain: None,
        crossing: None,
        critical_frequency: None,
        gain_margin: None,
        gain_margin_db: None,
        dominant_actors: dominant,
        sensitivity: None,
        sampled: None,
        folds: None,
        hysteresis: None,
        phases: Vec::new(),
        notes: vec![format!(
            "the hardliner loop of one actor alone is explosive: {}'s restraint {} is at most ηκ/δ = {} (feed {} × weight {} / decay {}), so heat and intensity feed each other at any gain",
            d.names[worst.actor],
            crate::error::num(a),
            crate::error::num(worst.load),
            crate::error::num(worst.feed),
            crate::error::num(worst.weight),
            crate::error::num(worst.decay),
        )],
    })
}

impl Report {
    /// Pretty JSON.
    ///
    /// # Errors
    /// [`Error::Numerical`] if a value has no JSON form.
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string_pretty(self)
            .map_err(|e| Error::numerical(format!("JSON output: {e}")))
    }
}
