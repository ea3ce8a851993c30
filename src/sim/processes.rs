//! The random processes of a run: spoiler attacks at a rate that may
//! depend on the phases in force, and incidents between pairs of actors at
//! a rate that depends on their intensities, sampled exactly by thinning
//! against a bound. Each draws from its own streams ([`super::Mechanism`]).

use rand::Rng as _;

use super::Mechanism;
use super::engine::{Blame, PhaseState, Run};
use super::events::{Event, EventKind};
use super::flow::Shape;
use crate::model::Model;

/// The attack process: a unit exponential `mass` per attack, spent at the
/// rate in force, so a change of rate moves the next attack without a new draw.
#[derive(Debug, Default)]
pub(crate) struct AttackClock {
    /// Unit-rate mass left before the next attack.
    mass: f64,
    /// When `mass` was last brought up to date, days.
    since: f64,
    /// Attacks per day in force.
    rate: f64,
}

/// Incidents: the pairs, the bound of their total rate, the next candidate.
#[derive(Debug)]
pub(crate) struct IncidentRun {
    /// Unordered pairs that can clash.
    pub(crate) pairs: Vec<(usize, usize)>,
    /// `Λ̄ = μ Σ b_i b_j` over the pairs, with `b_i` the largest intensity
    /// actor `i` can have in a run (its ceiling or the top rung's bound).
    bound: f64,
    /// The `b_i` of `bound`, per actor.
    caps: Vec<f64>,
    /// Next candidate time of the bounding Poisson process, days.
    pub(crate) next: f64,
    /// The next candidate's two uniforms (acceptance, pair), drawn when it
    /// is scheduled: the same numbers in the same order as if drawn when
    /// it is examined, so a candidate can be rejected without stopping
    /// the flow at its time.
    draw: (f64, f64),
    /// The next candidate's misreading uniform, once drawn by the look-back
    /// over an interval ([`Run::candidates_inside`]), which took the run
    /// back to it because it is a misread skirmish.
    misread_draw: Option<f64>,
}

impl IncidentRun {
    pub(crate) fn new(m: &Model) -> Option<Self> {
        let inc = m.incidents.as_ref()?;
        let n = m.n();
        let pairs: Vec<(usize, usize)> = match &inc.pairs {
            Some(p) => p.iter().map(|&(a, b)| (a.min(b), a.max(b))).collect(),
            None => {
                let k = &m.dynamics.coupling;
                (0..n)
                    .flat_map(|i| (i + 1..n).map(move |j| (i, j)))
                    .filter(|&(i, j)| k[(i, j)] != 0.0 || k[(j, i)] != 0.0)
                    .collect()
            }
        };
        let top = m.ladder.bound(m.ladder.top());
        let cap = |i: usize| m.dynamics.ceiling[i].map_or(top, |c| c.min(top));
        let bound = inc.rate * pairs.iter().map(|&(i, j)| cap(i) * cap(j)).sum::<f64>();
        Some(Self {
            pairs,
            caps: (0..n).map(cap).collect(),
            bound,
            next: f64::INFINITY,
            draw: (1.0, 0.0),
            misread_draw: None,
        })
    }
}

/// The (victim, perceived) pairs that carry a phantom: each spoiler target
/// perceives the accused, and both sides of an incident pair perceive each other.
pub(crate) fn phantom_pairs(m: &Model, incidents: Option<&IncidentRun>) -> Vec<(usize, usize)> {
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    let mut add = |p: (usize, usize)| {
        if p.0 != p.1 && !pairs.contains(&p) {
            pairs.push(p);
        }
    };
    if let Some(sp) = &m.spoilers {
        for &v in &sp.targets {
            add((v, sp.accused));
        }
    }
    if let Some(inc) = incidents {
        for &(i, j) in &inc.pairs {
            add((i, j));
            add((j, i));
        }
    }
    pairs
}

impl Run<'_> {
    /// Adds `size` to the phantom by which `victim` perceives `accused`.
    pub(super) fn raise_phantom(&mut self, victim: usize, accused: usize, size: f64) {
        if let Some(q) = self.pairs.iter().position(|&p| p == (victim, accused)) {
            self.s[self.n + q] += size;
        }
    }

    /// The attack rate in force: `phase_rate` while an active phase binds a
    /// target, `rate` otherwise.
    fn attack_rate(&self) -> f64 {
        let Some(sp) = &self.m.spoilers else {
            return 0.0;
        };
        let Some(pr) = sp.phase_rate else {
            return sp.rate;
        };
        let bound = self.m.phases.iter().zip(&self.phases).any(|(p, run)| {
            run.state == PhaseState::Active && sp.targets.iter().any(|t| p.parties.contains(t))
        });
        if bound { pr } else { sp.rate }
    }

    fn draw_mass(&mut self) -> f64 {
        let u: f64 = self.streams.get(Mechanism::AttackTimes).random();
        -(1.0 - u).ln()
    }

    fn schedule_attack(&mut self) {
        let a = &self.attack;
        self.next_attack = if a.rate > 0.0 {
            a.since + a.mass / a.rate
        } else {
            f64::INFINITY
        };
    }

    pub(super) fn start_attacks(&mut self) {
        if self.m.spoilers.is_none() {
            return;
        }
        self.attack = AttackClock {
            mass: self.draw_mass(),
            since: 0.0,
            rate: self.attack_rate(),
        };
        self.schedule_attack();
    }

    /// Brings the attack clock to now and applies a changed rate.
    pub(super) fn retime_attacks(&mut self) {
        if self.m.spoilers.is_none() {
            return;
        }
        let rate = self.attack_rate();
        if rate == self.attack.rate {
            return;
        }
        let a = &mut self.attack;
        a.mass = (a.mass - a.rate * (self.t - a.since)).max(0.0);
        a.since = self.t;
        a.rate = rate;
        self.schedule_attack();
    }

    pub(super) fn attacks(&mut self) {
        let Some(sp) = &self.m.spoilers else { return };
        while self.due(self.next_attack) {
            let at = self.next_attack;
            let k = self
                .streams
                .get(Mechanism::AttackTargets)
                .random_range(0..sp.targets.len());
            let target = sp.targets[k];
            let hot = self.m.hotline.as_ref().filter(|_| self.hotline_on);
            let accuracy = hot.and_then(|h| h.attribution).unwrap_or(sp.attribution);
            let delay = hot
                .and_then(|h| h.attribution_delay)
                .unwrap_or(sp.attribution_delay);
            // One uniform per attack, drawn whoever the target: the same
            // attacks are blamed the same way in two runs that differ in
            // accuracy only where the accuracy decides.
            let u: f64 = self.streams.get(Mechanism::Attribution).random();
            let correct = target == sp.accused || u < accuracy;
            self.log(EventKind::Attack {
                target: self.name(target),
                magnitude: sp.magnitude,
            });
            self.blames.push(Blame {
                at: at + delay,
                victim: target,
                accused: if correct { None } else { Some(sp.accused) },
                attack_time: at,
            });
            self.attack.mass = self.draw_mass();
            self.attack.since = at;
            self.schedule_attack();
        }
    }

    pub(super) fn start_incidents(&mut self) {
        let Some(bound) = self.incidents.as_ref().map(|i| i.bound) else {
            return;
        };
        self.schedule_candidate(0.0, bound);
    }

    fn schedule_candidate(&mut self, from: f64, bound: f64) {
        let next = if bound > 0.0 {
            let u: f64 = self.streams.get(Mechanism::IncidentTimes).random();
            from - (1.0 - u).ln() / bound
        } else {
            f64::INFINITY
        };
        let accept = self.streams.get(Mechanism::IncidentAccept);
        let draw: (f64, f64) = (accept.random(), accept.random());
        if let Some(inc) = self.incidents.as_mut() {
            inc.next = next;
            inc.draw = draw;
            inc.misread_draw = None;
        }
    }

    /// The share of incidents between `i` and `j` prevented now: the largest
    /// de-confliction of an active phase binding both.
    fn deconfliction(&self, i: usize, j: usize) -> f64 {
        self.m
            .phases
            .iter()
            .zip(&self.phases)
            .filter(|(p, run)| run.state == PhaseState::Active && p.binds(i, j))
            .map(|(p, _)| p.deconfliction)
            .fold(0.0, f64::max)
    }

    /// The pair of the incident that the candidate with uniforms `(u, v)`
    /// makes at intensities `x`, or `None` when the candidate is thinned
    /// out: an incident with probability `λ/Λ̄`, `λ = μ Σ x_i x_j (1 − d_ij)`
    /// over the pairs, on a pair drawn in proportion to its rate.
    fn incident_at(&self, x: &[f64], (u, v): (f64, f64)) -> Option<(usize, usize)> {
        let (spec, inc) = (self.m.incidents.as_ref()?, self.incidents.as_ref()?);
        let rate =
            |&(i, j): &(usize, usize)| spec.rate * x[i] * x[j] * (1.0 - self.deconfliction(i, j));
        let total: f64 = inc.pairs.iter().map(rate).sum();
        if u * inc.bound >= total {
            return None;
        }
        let mut pick = v * total;
        let mut k = 0;
        while k + 1 < inc.pairs.len() {
            let r = rate(&inc.pairs[k]);
            if pick < r {
                break;
            }
            pick -= r;
            k += 1;
        }
        Some(inc.pairs[k])
    }

    /// Candidates of the bounding process due now: each is an incident with
    /// probability `λ(t)/Λ̄`, on a pair drawn in proportion to its rate.
    pub(super) fn incident_candidates(&mut self) {
        let (Some(spec), Some(inc)) = (&self.m.incidents, &self.incidents) else {
            return;
        };
        let bound = inc.bound;
        let magnitude = spec.magnitude;
        while let Some((at, draw)) = self.incidents.as_ref().map(|i| (i.next, i.draw))
            && self.due(at)
        {
            if let Some((i, j)) = self.incident_at(&self.s, draw) {
                let misread = self.misreads();
                if misread {
                    // Each side perceives the other as having escalated.
                    self.raise_phantom(i, j, magnitude);
                    self.raise_phantom(j, i, magnitude);
                }
                self.log(EventKind::Incident {
                    actors: [self.name(i), self.name(j)],
                    misread,
                });
            }
            self.schedule_candidate(at, bound);
        }
    }

    /// Whether the skirmish of the next candidate is misread: one uniform
    /// of its own stream per skirmish, in the order of the skirmishes (the
    /// one the look-back over an interval has drawn already, if it has).
    fn misreads(&mut self) -> bool {
        let kept = self.incidents.as_mut().and_then(|i| i.misread_draw.take());
        let w = kept.unwrap_or_else(|| self.streams.get(Mechanism::Misreading).random());
        w < self.misread_probability()
    }

    /// The probability that a skirmish is misread now (the hotline's, once
    /// it works and sets one).
    fn misread_probability(&self) -> f64 {
        let Some(spec) = &self.m.incidents else {
            return 0.0;
        };
        self.m
            .hotline
            .as_ref()
            .filter(|_| self.hotline_on)
            .and_then(|h| h.misread)
            .unwrap_or(spec.misread)
    }

    /// The pair of the skirmish that the candidate with uniforms `draw`,
    /// `dt` days after the state `s0`, makes (`None`: thinned out), with
    /// the intensities of the pairs' actors written into `state`. Under a
    /// controller each actor is advanced on its own, so only the actors of
    /// the pairs are advanced; the whole state when the flow is coupled.
    fn candidate_at(
        &mut self,
        s0: &[f64],
        dt: f64,
        draw: (f64, f64),
        state: &mut [f64],
    ) -> crate::error::Result<Option<(usize, usize)>> {
        if self.cfg.coupled {
            self.flow.advance(&self.cfg, s0, dt, state)?;
            return Ok(self.incident_at(state, draw));
        }
        let pairs = self.incidents.as_ref().map_or(0, |i| i.pairs.len());
        for k in 0..pairs {
            let Some(inc) = self.incidents.as_ref() else {
                break;
            };
            let (i, j) = inc.pairs[k];
            let seen = |a: usize| inc.pairs[..k].iter().any(|&(p, q)| p == a || q == a);
            let (new_i, new_j) = (!seen(i), !seen(j) && j != i);
            if new_i {
                state[i] = self.flow.advance_one(&self.cfg, s0, i, dt)?;
            }
            if new_j {
                state[j] = self.flow.advance_one(&self.cfg, s0, j, dt)?;
            }
        }
        Ok(self.incident_at(state, draw))
    }

    /// Candidates inside an interval just advanced, from `t0` (state
    /// `s0`) to now, with `shapes` how each actor could move over it: the
    /// upper bound on an intensity is the larger end for a monotone actor,
    /// the bound of [`Shape::Within`], else the cap of the bounding
    /// process. A candidate whose acceptance uniform rules it out even at
    /// those bounds is thinned without computing the state at its time;
    /// otherwise the intensities there are recomputed from `s0` (the
    /// parameters are constant over the interval) and the candidate
    /// examined exactly. A skirmish that is not misread changes nothing
    /// in the dynamics: it is logged at its time and the run stays where
    /// it is. The first misread one moves the run back to its time
    /// (returns true, its misreading uniform kept) for the event loop to
    /// raise the phantoms there; rejected candidates change nothing.
    pub(super) fn candidates_inside(
        &mut self,
        t0: f64,
        s0: &[f64],
        shapes: &[Shape],
    ) -> crate::error::Result<bool> {
        let (Some(spec), Some(inc)) = (&self.m.incidents, &self.incidents) else {
            return Ok(false);
        };
        let bound = inc.bound;
        let top: Vec<f64> = (0..self.n)
            .map(|i| match shapes.get(i) {
                Some(Shape::Monotone) => s0[i].max(self.s[i]),
                Some(Shape::Within(_, hi)) => hi.max(s0[i]).max(self.s[i]),
                _ => inc.caps[i],
            })
            .collect();
        // λ at the bounds, with a margin for rounding.
        let most: f64 = inc
            .pairs
            .iter()
            .map(|&(i, j)| spec.rate * top[i] * top[j] * (1.0 - self.deconfliction(i, j)))
            .sum::<f64>()
            * (1.0 + 1e-9);
        let mut state = std::mem::take(&mut self.s_mid);
        let result = loop {
            let Some((at, draw)) = self.incidents.as_ref().map(|i| (i.next, i.draw)) else {
                break Ok(false);
            };
            if at > self.t - super::engine::EPS {
                break Ok(false);
            }
            if draw.0 * bound < most {
                let dt = (at - t0).max(0.0);
                let pair = match self.candidate_at(s0, dt, draw, &mut state) {
                    Ok(v) => v,
                    Err(e) => break Err(e),
                };
                if let Some((i, j)) = pair {
                    let w: f64 = self.streams.get(Mechanism::Misreading).random();
                    if self.stop_at_every_skirmish || w < self.misread_probability() {
                        // Back to the skirmish's time, keeping its candidate
                        // and its misreading uniform for
                        // `incident_candidates`.
                        if let Some(inc) = self.incidents.as_mut() {
                            inc.misread_draw = Some(w);
                        }
                        // (A coupled flow has the whole state there already.)
                        if !self.cfg.coupled
                            && let Err(e) = self.flow.advance(&self.cfg, s0, dt, &mut state)
                        {
                            break Err(e);
                        }
                        std::mem::swap(&mut self.s, &mut state);
                        self.t = t0.max(at);
                        break Ok(true);
                    }
                    self.out.events.push(Event {
                        t: t0.max(at),
                        kind: EventKind::Incident {
                            actors: [self.name(i), self.name(j)],
                            misread: false,
                        },
                    });
                }
            }
            self.schedule_candidate(at, bound);
        };
        self.s_mid = state;
        result
    }
}
