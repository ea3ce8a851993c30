//! The random processes of a run: spoiler attacks at a rate that may
//! depend on the phases in force, and incidents between pairs of actors at
//! a rate that depends on their intensities, sampled exactly by thinning
//! against a bound. Each draws from its own streams ([`super::Mechanism`]).

use rand::Rng as _;

use super::Mechanism;
use super::engine::{Blame, PhaseState, Run};
use super::events::EventKind;
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
    /// Next candidate time of the bounding Poisson process, days.
    pub(crate) next: f64,
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
            bound,
            next: f64::INFINITY,
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
        if let Some(inc) = self.incidents.as_mut() {
            inc.next = next;
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

    /// Candidates of the bounding process due now: each is an incident with
    /// probability `λ(t)/Λ̄`, on a pair drawn in proportion to its rate.
    pub(super) fn incident_candidates(&mut self) {
        let (Some(spec), Some(inc)) = (&self.m.incidents, &self.incidents) else {
            return;
        };
        let (bound, mu) = (inc.bound, spec.rate);
        while let Some(at) = self.incidents.as_ref().map(|i| i.next)
            && self.due(at)
        {
            let pairs = &self.incidents.as_ref().map_or(&[][..], |i| &i.pairs[..]);
            let rates: Vec<f64> = pairs
                .iter()
                .map(|&(i, j)| mu * self.s[i] * self.s[j] * (1.0 - self.deconfliction(i, j)))
                .collect();
            let total: f64 = rates.iter().sum();
            let accept = self.streams.get(Mechanism::IncidentAccept);
            let (u, v): (f64, f64) = (accept.random(), accept.random());
            if u * bound < total {
                let mut pick = v * total;
                let mut k = 0;
                while k + 1 < rates.len() && pick >= rates[k] {
                    pick -= rates[k];
                    k += 1;
                }
                let (i, j) = self.incidents.as_ref().map_or((0, 0), |inc| inc.pairs[k]);
                let q = self
                    .m
                    .hotline
                    .as_ref()
                    .filter(|_| self.hotline_on)
                    .and_then(|h| h.misread)
                    .unwrap_or(spec.misread);
                let w: f64 = self.streams.get(Mechanism::Misreading).random();
                let misread = w < q;
                if misread {
                    // Each side perceives the other as having escalated.
                    self.raise_phantom(i, j, spec.magnitude);
                    self.raise_phantom(j, i, spec.magnitude);
                }
                self.log(EventKind::Incident {
                    actors: [self.name(i), self.name(j)],
                    misread,
                });
            }
            self.schedule_candidate(at, bound);
        }
    }
}
