//! The scenario mechanisms of a run (design §5): breaches and collapse,
//! verification and extension, spoiler attacks and blame, the hotline and
//! agreements. They change the run's mechanism state and log events; the
//! event loop in `engine.rs` decides when they are called.

use rand::Rng as _;

use super::engine::{Blame, EPS, PhaseState, Run};
use super::events::EventKind;

impl Run<'_> {
    pub(super) fn check_rung_breach(&mut self, actor: usize, rung: usize) {
        for k in 0..self.phases.len() {
            let p = &self.m.phases[k];
            if self.phases[k].state == PhaseState::Active
                && p.parties.contains(&actor)
                && p.breach_rung.is_some_and(|r| rung >= r)
            {
                self.collapse(k, actor, "rung");
            }
        }
    }

    pub(super) fn collapse(&mut self, k: usize, actor: usize, cause: &str) {
        let p = &self.m.phases[k];
        self.phases[k].state = PhaseState::Collapsed;
        self.phases_dirty = true;
        if p.verify.is_some() && !self.phases[k].verify_done {
            self.phases[k].verify_done = true;
            self.verification.push((p.name.clone(), false));
        }
        let gain = p.after_gain.unwrap_or(self.m.dynamics.gain);
        let phase = p.name.clone();
        self.log(EventKind::Breach {
            phase: phase.clone(),
            actor: self.name(actor),
            cause: cause.into(),
        });
        self.log(EventKind::Collapse { phase, gain });
    }

    pub(super) fn check_agreements(&mut self, actor: usize) {
        for k in 0..self.agreements.len() {
            let ag = &self.m.agreements[k];
            if ag.watch != actor {
                continue;
            }
            let holds = self.tracker.rungs[actor] < ag.below_rung;
            let run = &mut self.agreements[k];
            if !holds {
                run.held_since = None;
                if run.on_until.is_some() && ag.reversible {
                    run.on_until = None;
                    let name = ag.name.clone();
                    self.log(EventKind::AgreementOff {
                        agreement: name,
                        reason: "withdrawn".into(),
                    });
                }
            } else if run.held_since.is_none() {
                run.held_since = Some(self.t);
            }
        }
    }

    pub(super) fn hotline_event(&mut self) {
        if let Some(h) = &self.m.hotline
            && !self.hotline_on
            && self.due(h.start)
        {
            self.hotline_on = true;
            self.log(EventKind::HotlineStart);
        }
    }

    pub(super) fn attacks(&mut self) {
        let Some(sp) = &self.m.spoilers else { return };
        while self.due(self.next_attack) {
            let at = self.next_attack;
            let target = sp.targets[self.rng.random_range(0..sp.targets.len())];
            let hot = self.m.hotline.as_ref().filter(|_| self.hotline_on);
            let accuracy = hot.and_then(|h| h.attribution).unwrap_or(sp.attribution);
            let delay = hot
                .and_then(|h| h.attribution_delay)
                .unwrap_or(sp.attribution_delay);
            let correct = target == sp.accused || self.rng.random::<f64>() < accuracy;
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
            self.next_attack = self.draw_attack_time(at);
        }
    }

    pub(super) fn blames_due(&mut self) {
        let Some(sp) = &self.m.spoilers else { return };
        let mut k = 0;
        while k < self.blames.len() {
            if !self.due(self.blames[k].at) {
                k += 1;
                continue;
            }
            let b = self.blames.swap_remove(k);
            let blamed = match b.accused {
                None => "spoiler".to_string(),
                Some(a) => self.name(a),
            };
            self.log(EventKind::Attribution {
                victim: self.name(b.victim),
                blamed,
                correct: b.accused.is_none(),
                attack_time: b.attack_time,
            });
            if let Some(acc) = b.accused {
                if let Some(q) = self.pairs.iter().position(|&p| p == (b.victim, acc)) {
                    self.s[self.n + q] += sp.magnitude;
                }
                for p in 0..self.phases.len() {
                    if self.phases[p].state == PhaseState::Active
                        && self.m.phases[p].parties.contains(&acc)
                    {
                        self.collapse(p, acc, "attack");
                    }
                }
            }
        }
    }

    pub(super) fn phase_events(&mut self) {
        let horizon = self.m.horizon;
        for k in 0..self.phases.len() {
            let p = &self.m.phases[k];
            if self.phases[k].state == PhaseState::Pending && self.due(p.start) {
                self.phases[k].state = PhaseState::Active;
                self.phases_dirty = true;
                self.log(EventKind::PhaseStart {
                    phase: p.name.clone(),
                    gain: p.gain,
                });
                // A party already at or above the breach rung breaches at once.
                if let Some(r) = p.breach_rung
                    && let Some(&i) = p.parties.iter().find(|&&i| self.tracker.rungs[i] >= r)
                {
                    self.collapse(k, i, "rung");
                    continue;
                }
            }
            if self.phases[k].state != PhaseState::Active {
                continue;
            }
            if let Some(v) = p.verify
                && !self.phases[k].verify_done
                && self.due(p.start + v)
            {
                self.phases[k].verify_done = true;
                self.verification.push((p.name.clone(), true));
                self.log(EventKind::VerificationPassed {
                    phase: p.name.clone(),
                });
            }
            if self.due(self.phases[k].end) {
                match p.extend_days {
                    Some(d) if self.phases[k].end < horizon - EPS => {
                        self.phases[k].end += d;
                        self.phases[k].extended += 1;
                        let until = self.phases[k].end;
                        self.log(EventKind::Extended {
                            phase: p.name.clone(),
                            until,
                        });
                    }
                    _ => {
                        self.phases[k].state = PhaseState::Ended;
                        self.phases_dirty = true;
                        let gain = p.after_gain.unwrap_or(self.m.dynamics.gain);
                        self.log(EventKind::PhaseEnd {
                            phase: p.name.clone(),
                            gain,
                        });
                    }
                }
            }
        }
    }

    pub(super) fn agreement_timers(&mut self) {
        for k in 0..self.agreements.len() {
            let ag = &self.m.agreements[k];
            if let Some(until) = self.agreements[k].on_until
                && self.due(until)
            {
                self.agreements[k].on_until = None;
                // The condition must hold anew before the next round.
                self.agreements[k].held_since =
                    (self.tracker.rungs[ag.watch] < ag.below_rung).then_some(self.t);
                self.log(EventKind::AgreementOff {
                    agreement: ag.name.clone(),
                    reason: "expired".into(),
                });
            }
            if self.agreements[k].on_until.is_none()
                && let Some(since) = self.agreements[k].held_since
                && self.due(since + ag.hold_days)
            {
                let until = self.t + ag.effect_days;
                self.agreements[k].on_until = Some(until);
                self.log(EventKind::AgreementOn {
                    agreement: ag.name.clone(),
                    until,
                });
            }
        }
    }

    pub(super) fn draw_attack_time(&mut self, from: f64) -> f64 {
        match &self.m.spoilers {
            Some(sp) if sp.rate > 0.0 => {
                let u: f64 = self.rng.random();
                from - (1.0 - u).ln() / sp.rate
            }
            _ => f64::INFINITY,
        }
    }
}
