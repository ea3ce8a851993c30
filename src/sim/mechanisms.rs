//! The scenario mechanisms of a run (`docs/scenarios.md`): breaches and
//! collapse, verification and extension, blame, the hotline and agreements.
//! They change the run's mechanism state and log events; the event loop in
//! `engine.rs` decides when they are called, and `processes.rs` draws the
//! attacks and incidents.

use super::engine::{EPS, PhaseState, Run};
use super::events::EventKind;
use crate::model::Condition;

impl Run<'_> {
    /// A rung change of `actor` to `rung`: a party at the breach rung
    /// breaches; so does an accountable phase's proxy of a party, on its
    /// patron's behalf.
    pub(super) fn check_rung_breach(&mut self, actor: usize, rung: usize) {
        let patron = self
            .m
            .proxies
            .iter()
            .find(|p| p.actor == actor)
            .map(|p| p.patron);
        for k in 0..self.phases.len() {
            let p = &self.m.phases[k];
            if self.phases[k].state != PhaseState::Active || p.breach_rung.is_none_or(|r| rung < r)
            {
                continue;
            }
            if p.parties.contains(&actor) {
                self.collapse(k, actor, "rung", None);
            } else if let Some(pat) = patron
                && p.accountable
                && p.parties.contains(&pat)
            {
                self.collapse(k, pat, "proxy", Some(actor));
            }
        }
    }

    /// Phase `k` collapses, breached by `actor` (for whom a proxy `by` may
    /// have acted) for `cause`.
    pub(super) fn collapse(&mut self, k: usize, actor: usize, cause: &str, by: Option<usize>) {
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
            by: by.map(|i| self.name(i)),
        });
        self.log(EventKind::Collapse { phase, gain });
    }

    /// After the phases may have changed: the proxies' control and the
    /// attack rate in force.
    pub(super) fn after_phase_changes(&mut self) {
        if !self.phases_dirty {
            return;
        }
        let mut control = self.m.control();
        for p in &self.m.proxies {
            for (ph, run) in self.m.phases.iter().zip(&self.phases) {
                if run.state == PhaseState::Active
                    && let Some(c) = ph.proxy_control
                    && ph.parties.contains(&p.patron)
                {
                    control[p.actor] = control[p.actor].max(c);
                }
            }
        }
        self.control = control;
        self.retime_attacks();
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
                // The victim perceives the accused as having escalated.
                self.raise_phantom(b.victim, acc, sp.magnitude);
                for p in 0..self.phases.len() {
                    let phase = &self.m.phases[p];
                    if self.phases[p].state != PhaseState::Active || !phase.parties.contains(&acc) {
                        continue;
                    }
                    // Blame on a party fails a pending quiet-for-quiet test.
                    if phase.verify.is_some() && !self.phases[p].verify_done {
                        self.phases[p].verify_done = true;
                        self.verification.push((phase.name.clone(), false));
                        let name = phase.name.clone();
                        self.log(EventKind::VerificationFailed {
                            phase: name,
                            actor: self.name(acc),
                        });
                    }
                    if phase.on_blame == crate::model::OnBlame::Breach {
                        self.collapse(p, acc, "attack", None);
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
                // A party (or an accountable phase's proxy of a party)
                // already at or above the breach rung breaches at once.
                if let Some(r) = p.breach_rung {
                    if let Some(&i) = p.parties.iter().find(|&&i| self.tracker.rungs[i] >= r) {
                        self.collapse(k, i, "rung", None);
                        continue;
                    }
                    if p.accountable
                        && let Some(x) = self.m.proxies.iter().find(|x| {
                            p.parties.contains(&x.patron) && self.tracker.rungs[x.actor] >= r
                        })
                    {
                        let (patron, proxy) = (x.patron, x.actor);
                        self.collapse(k, patron, "proxy", Some(proxy));
                        continue;
                    }
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
                self.phases[k].verified = true;
                // Trust deepens: the verified gain holds from now on.
                self.phases_dirty |= p.verified_gain.is_some();
                self.verification.push((p.name.clone(), true));
                self.log(EventKind::VerificationPassed {
                    phase: p.name.clone(),
                });
            }
            if self.due(self.phases[k].end) {
                // With a test, only a phase that passed it is extended.
                let earned = p.verify.is_none() || self.phases[k].verified;
                match p.extend_days {
                    Some(d) if earned && self.phases[k].end < horizon - EPS => {
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

    /// Whether agreement `k`'s condition holds now.
    fn condition_holds(&self, k: usize) -> bool {
        match self.m.agreements[k].condition {
            Condition::Rung {
                actor, below_rung, ..
            } => self.tracker.rungs[actor] < below_rung,
            Condition::At { day } => !self.agreements[k].spent && self.due(day),
            Condition::Agreement { index, .. } => self.agreements[index].on_since.is_some(),
        }
    }

    /// Expires, withdraws and starts agreements at the current time. A
    /// chain (`when.agreement`) settles within the same instant: the pass is
    /// repeated until nothing changes (at most once per agreement).
    pub(super) fn update_agreements(&mut self) {
        let count = self.agreements.len();
        let mut any = false;
        for _ in 0..=count {
            let mut changed = false;
            for k in 0..count {
                let ag = &self.m.agreements[k];
                if let Some(on) = self.agreements[k].on_since
                    && self.due(on + ag.effect_days())
                {
                    self.agreements[k].on_since = None;
                    // The condition must hold anew before the next round; a
                    // `when.at` step happens once.
                    self.agreements[k].held_since = None;
                    self.agreements[k].spent = matches!(ag.condition, Condition::At { .. });
                    changed = true;
                    self.log(EventKind::AgreementOff {
                        agreement: ag.name.clone(),
                        reason: "expired".into(),
                    });
                }
                let holds = self.condition_holds(k);
                let run = &mut self.agreements[k];
                if !holds {
                    run.held_since = None;
                    if run.on_since.is_some() && ag.reversible {
                        run.on_since = None;
                        changed = true;
                        self.log(EventKind::AgreementOff {
                            agreement: ag.name.clone(),
                            reason: "withdrawn".into(),
                        });
                    }
                    continue;
                }
                if run.held_since.is_none() {
                    run.held_since = Some(self.t);
                }
                if run.on_since.is_none()
                    && let Some(since) = run.held_since
                    && self.due(since + ag.condition.for_days())
                {
                    self.agreements[k].on_since = Some(self.t);
                    changed = true;
                    let until = self.t + ag.effect_days();
                    self.log(EventKind::AgreementOn {
                        agreement: ag.name.clone(),
                        until,
                    });
                }
            }
            any |= changed;
            if !changed {
                break;
            }
        }
        if any {
            self.phases_dirty = true;
        }
    }

    /// Tracks the quiet (every actor on rung 0) after rung changes: a break
    /// stops the decay of grievances.
    pub(super) fn update_quiet(&mut self) {
        let quiet = self.tracker.rungs.iter().all(|&r| r == 0);
        if !quiet {
            self.quiet_since = None;
            if self.peace_on {
                self.peace_on = false;
                self.log(EventKind::PeaceBroken);
            }
        } else if self.quiet_since.is_none() {
            self.quiet_since = Some(self.t);
        }
    }

    /// Starts the decay of grievances once the quiet has lasted `[peace] after_days`.
    pub(super) fn peace_timer(&mut self) {
        if let (Some(p), Some(since), false) = (&self.m.peace, self.quiet_since, self.peace_on)
            && self.due(since + p.after_days)
        {
            self.peace_on = true;
            self.log(EventKind::PeaceHolds);
        }
    }
}
