//! The event loop of one run.

use std::collections::VecDeque;

use rand::Rng as _;

use super::events::{Event, EventKind, Outcome};
use super::flow::{Config, Flow, OdeSettings};
use super::{Rng, SimOptions, Trajectory};
use crate::error::Result;
use crate::model::{Model, RungTracker};

/// Two times closer than this (days) are the same instant.
const EPS: f64 = 1e-9;
/// Most events one run may log before it is stopped with an error.
const MAX_EVENTS: usize = 5_000_000;
/// Most steps of the event loop before a run is stopped with an error.
const MAX_ITERATIONS: u64 = 100_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PhaseState {
    Pending,
    Active,
    Collapsed,
    Ended,
}

struct PhaseRun {
    state: PhaseState,
    end: f64,
    verify_done: bool,
    extended: u32,
}

struct AgreementRun {
    held_since: Option<f64>,
    on_until: Option<f64>,
}

struct Blame {
    at: f64,
    victim: usize,
    /// `None`: blamed on the spoiler (correct).
    accused: Option<usize>,
    attack_time: f64,
}

/// Controller state; the vectors are reused from tick to tick.
struct ControllerRun {
    tick: u64,
    /// The last few observed states, oldest first.
    history: VecDeque<Vec<f64>>,
    /// `y[k-1]` after the deadband, once there is one.
    perceived: Vec<f64>,
    has_perceived: bool,
    u: Vec<f64>,
    y: Vec<f64>,
    prev: Vec<f64>,
    phi: Vec<f64>,
}

pub(crate) struct Run<'a> {
    m: &'a Model,
    opts: &'a SimOptions,
    rng: &'a mut Rng,
    n: usize,
    t: f64,
    s: Vec<f64>,
    pairs: Vec<(usize, usize)>,
    tracker: RungTracker,
    phases: Vec<PhaseRun>,
    agreements: Vec<AgreementRun>,
    hotline_on: bool,
    blames: Vec<Blame>,
    next_attack: f64,
    ctl: Option<ControllerRun>,
    cfg: Config,
    flow: Flow,
    /// The gain schedule changed since `cfg.w` was computed.
    phases_dirty: bool,
    /// Scratch states for `advance_to` and scratch parameters for `rebuild`.
    s_new: Vec<f64>,
    s_mid: Vec<f64>,
    crossing: Vec<usize>,
    a_buf: Vec<f64>,
    b_buf: Vec<f64>,
    w_buf: Vec<f64>,
    next_sample: u64,
    out: Trajectory,
    verification: Vec<(String, bool)>,
}

impl<'a> Run<'a> {
    pub fn new(m: &'a Model, opts: &'a SimOptions, rng: &'a mut Rng) -> Self {
        let n = m.n();
        let pairs: Vec<(usize, usize)> = match &m.spoilers {
            Some(sp) => sp
                .targets
                .iter()
                .filter(|&&v| v != sp.accused)
                .map(|&v| (v, sp.accused))
                .collect(),
            None => Vec::new(),
        };
        let mut s = m.initial.as_slice().to_vec();
        s.resize(n + pairs.len(), 0.0);
        let tracker = RungTracker::new(&m.ladder, &s[..n]);
        let cfg = Config {
            a: m.dynamics.restraint.as_slice().to_vec(),
            w: vec![0.0; n * n],
            b: vec![0.0; n],
            coupled: m.controller.is_none(),
            pairs: pairs.clone(),
            ceiling: m.dynamics.ceiling.clone(),
        };
        let flow = Flow::new(OdeSettings {
            rtol: opts.rtol,
            atol: opts.atol,
            max_steps: opts.max_steps,
            force_ode: opts.force_ode,
        });
        let actors = m.dynamics.names.clone();
        let ctl = m.controller.as_ref().map(|_| ControllerRun {
            tick: 0,
            history: VecDeque::new(),
            perceived: vec![0.0; n],
            has_perceived: false,
            u: vec![0.0; n],
            y: vec![0.0; n],
            prev: vec![0.0; n],
            phi: vec![0.0; n],
        });
        let phases = m
            .phases
            .iter()
            .map(|p| PhaseRun {
                state: PhaseState::Pending,
                end: p.end,
                verify_done: false,
                extended: 0,
            })
            .collect();
        let agreements = m
            .agreements
            .iter()
            .map(|_| AgreementRun {
                held_since: None,
                on_until: None,
            })
            .collect();
        let len = s.len();
        let mut run = Self {
            m,
            opts,
            rng,
            n,
            t: 0.0,
            s,
            pairs,
            tracker,
            phases,
            agreements,
            hotline_on: false,
            blames: Vec::new(),
            next_attack: f64::INFINITY,
            ctl,
            cfg,
            flow,
            phases_dirty: true,
            s_new: vec![0.0; len],
            s_mid: vec![0.0; len],
            crossing: Vec::with_capacity(n),
            a_buf: vec![0.0; n],
            b_buf: vec![0.0; n],
            w_buf: vec![0.0; n * n],
            next_sample: 0,
            out: Trajectory {
                x: vec![Vec::new(); n],
                rung: vec![Vec::new(); n],
                actors,
                t: Vec::new(),
                events: Vec::new(),
                outcome: Outcome::None,
                explosion_time: None,
                verification: Vec::new(),
                final_x: Vec::new(),
                end_time: 0.0,
            },
            verification: Vec::new(),
        };
        run.next_attack = run.draw_attack_time(0.0);
        run
    }

    fn name(&self, i: usize) -> String {
        self.m.dynamics.names[i].clone()
    }

    fn log(&mut self, kind: EventKind) {
        self.out.events.push(Event { t: self.t, kind });
    }

    fn draw_attack_time(&mut self, from: f64) -> f64 {
        match &self.m.spoilers {
            Some(sp) if sp.rate > 0.0 => {
                let u: f64 = self.rng.random();
                from - (1.0 - u).ln() / sp.rate
            }
            _ => f64::INFINITY,
        }
    }

    pub fn run(mut self) -> Result<Trajectory> {
        // Agreements whose condition holds at the start begin their clocks now.
        for k in 0..self.agreements.len() {
            let ag = &self.m.agreements[k];
            if self.tracker.rungs[ag.watch] < ag.below_rung {
                self.agreements[k].held_since = Some(0.0);
            }
        }
        if self.check_top() {
            return Ok(self.finish());
        }
        self.process_events()?;
        if self.out.explosion_time.is_some() {
            return Ok(self.finish());
        }
        let horizon = self.m.horizon;
        let mut iterations: u64 = 0;
        while self.t < horizon - EPS {
            iterations += 1;
            if iterations > MAX_ITERATIONS || self.out.events.len() > MAX_EVENTS {
                return Err(crate::Error::Numerical(format!(
                    "the run was stopped at day {:.6} after {iterations} steps and {} events: the scenario generates events faster than they can be simulated",
                    self.t,
                    self.out.events.len()
                )));
            }
            let next = self.next_event_time().min(horizon);
            // Land exactly on scheduled times rather than a rounding away from
            // them. Monotone flows cannot rise and fall between checks, so
            // they go from event to event.
            let step = self.t + self.opts.check_step;
            let target = if step < next - EPS && !self.flow.monotone(&self.cfg) {
                step
            } else {
                next
            };
            let crossed = self.advance_to(target)?;
            if crossed {
                self.on_rung_changes();
                if self.out.explosion_time.is_some() {
                    break;
                }
            }
            if !crossed || (target - self.t).abs() <= EPS {
                self.t = self.t.max(target);
                self.process_events()?;
                if self.out.explosion_time.is_some() {
                    break;
                }
            }
        }
        Ok(self.finish())
    }

    /// The earliest scheduled happening after `t`.
    fn next_event_time(&self) -> f64 {
        let mut next = f64::INFINITY;
        let t = self.t;
        let mut consider = |v: f64| {
            if v > t + EPS && v < next {
                next = v;
            }
        };
        if self.opts.record {
            consider(self.next_sample as f64 * self.opts.dt);
        }
        if let (Some(c), Some(ctl)) = (&self.ctl, &self.m.controller) {
            consider(c.tick as f64 * ctl.period);
        }
        for (p, run) in self.m.phases.iter().zip(&self.phases) {
            match run.state {
                PhaseState::Pending => consider(p.start),
                PhaseState::Active => {
                    consider(run.end);
                    if let (Some(v), false) = (p.verify, run.verify_done) {
                        consider(p.start + v);
                    }
                }
                _ => {}
            }
        }
        if let Some(h) = &self.m.hotline
            && !self.hotline_on
        {
            consider(h.start);
        }
        consider(self.next_attack);
        for b in &self.blames {
            consider(b.at);
        }
        for (ag, run) in self.m.agreements.iter().zip(&self.agreements) {
            match (run.on_until, run.held_since) {
                (Some(until), _) => consider(until),
                (None, Some(since)) => consider(since + ag.hold_days),
                _ => {}
            }
        }
        next
    }

    /// True when the state at `s` would change a rung or is not finite.
    fn crosses(&self, s: &[f64]) -> bool {
        (0..self.n).any(|i| self.crosses_one(i, s[i]))
    }

    /// True when actor `i` at intensity `x` would change rung or is not finite.
    fn crosses_one(&self, i: usize, x: f64) -> bool {
        let r = self.tracker.rungs[i];
        !x.is_finite() || self.m.ladder.step(r, x) != r
    }

    /// Advances to `target`; if a rung changes on the way, stops at the
    /// first change (located by bisection) and returns true.
    fn advance_to(&mut self, target: f64) -> Result<bool> {
        let h = target - self.t;
        if h <= 0.0 {
            return Ok(false);
        }
        self.flow.advance(&self.cfg, &self.s, h, &mut self.s_new)?;
        if !self.crosses(&self.s_new) {
            std::mem::swap(&mut self.s, &mut self.s_new);
            self.t = target;
            return Ok(false);
        }
        let (mut lo, mut hi) = (0.0, h);
        if self.flow.monotone(&self.cfg) {
            // Each intensity is monotone and evolves on its own, so only the
            // actors that changed rung by `h` can change earlier: bisect on them.
            self.crossing.clear();
            for i in 0..self.n {
                if self.crosses_one(i, self.s_new[i]) {
                    self.crossing.push(i);
                }
            }
            while hi - lo > 1e-10 * (1.0 + self.t.abs()) {
                let mid = 0.5 * (lo + hi);
                let hit = self.crossing.iter().any(|&i| {
                    self.crosses_one(i, self.flow.advance_one(&self.cfg, &self.s, i, mid))
                });
                if hit {
                    hi = mid;
                } else {
                    lo = mid;
                }
            }
            if hi < h {
                self.flow.advance(&self.cfg, &self.s, hi, &mut self.s_new)?;
            }
            std::mem::swap(&mut self.s, &mut self.s_new);
            self.t += hi;
            return Ok(true);
        }
        // `s_new` holds the state at `hi` throughout.
        while hi - lo > 1e-10 * (1.0 + self.t.abs()) {
            let mid = 0.5 * (lo + hi);
            self.flow
                .advance(&self.cfg, &self.s, mid, &mut self.s_mid)?;
            if self.crosses(&self.s_mid) {
                hi = mid;
                std::mem::swap(&mut self.s_new, &mut self.s_mid);
            } else {
                lo = mid;
            }
        }
        std::mem::swap(&mut self.s, &mut self.s_new);
        self.t += hi;
        Ok(true)
    }

    /// Explosion check on the current state; records it and returns true.
    fn check_top(&mut self) -> bool {
        let top = self.m.ladder.top();
        let bound = self.m.ladder.bound(top);
        for i in 0..self.n {
            let x = self.s[i];
            if !x.is_finite() || x >= bound {
                self.out.explosion_time = Some(self.t);
                let intensity = if x.is_finite() { x } else { f64::INFINITY };
                self.log(EventKind::Explosion {
                    actor: self.name(i),
                    intensity: if intensity.is_finite() {
                        intensity
                    } else {
                        f64::MAX
                    },
                });
                return true;
            }
        }
        false
    }

    fn on_rung_changes(&mut self) {
        let changes = self.tracker.update(&self.m.ladder, &self.s[..self.n]);
        for &(i, from, to) in &changes {
            let name = self.m.ladder.rungs()[to].name.clone();
            self.log(EventKind::Rung {
                actor: self.name(i),
                from,
                to,
                name,
            });
        }
        for &(i, _, to) in &changes {
            self.check_rung_breach(i, to);
            self.check_agreements(i);
        }
        self.check_top();
        self.rebuild();
    }

    fn check_rung_breach(&mut self, actor: usize, rung: usize) {
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

    fn collapse(&mut self, k: usize, actor: usize, cause: &str) {
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

    fn check_agreements(&mut self, actor: usize) {
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

    fn due(&self, at: f64) -> bool {
        at <= self.t + EPS
    }

    /// Handles everything scheduled at the current time.
    fn process_events(&mut self) -> Result<()> {
        self.hotline_event();
        self.attacks();
        self.blames_due();
        self.phase_events();
        self.agreement_timers();
        self.rebuild();
        self.controller_tick();
        self.sample();
        Ok(())
    }

    fn hotline_event(&mut self) {
        if let Some(h) = &self.m.hotline
            && !self.hotline_on
            && self.due(h.start)
        {
            self.hotline_on = true;
            self.log(EventKind::HotlineStart);
        }
    }

    fn attacks(&mut self) {
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

    fn blames_due(&mut self) {
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

    fn phase_events(&mut self) {
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

    fn agreement_timers(&mut self) {
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

    /// Writes the effective coupling `G_ij K_ij` in force now (row-major)
    /// into `w`, where `G_ij` is the pairwise gain of the phases.
    fn effective_coupling(m: &Model, phases: &[PhaseRun], w: &mut [f64]) {
        let n = m.n();
        w.fill(m.dynamics.gain);
        for (p, run) in m.phases.iter().zip(phases) {
            let gain = match run.state {
                PhaseState::Pending => None,
                PhaseState::Active => Some(p.gain),
                PhaseState::Collapsed | PhaseState::Ended => p.after_gain,
            };
            if let Some(gain) = gain {
                for &i in &p.parties {
                    for &j in &p.parties {
                        w[i * n + j] = gain;
                    }
                }
            }
        }
        let k = &m.dynamics.coupling;
        for i in 0..n {
            for j in 0..n {
                w[i * n + j] *= k[(i, j)];
            }
        }
    }

    /// Recomputes the interval parameters from the current mechanism state,
    /// without allocating; the gains only when the schedule changed.
    fn rebuild(&mut self) {
        let d = &self.m.dynamics;
        self.a_buf.copy_from_slice(d.restraint.as_slice());
        self.b_buf.copy_from_slice(d.grievance.as_slice());
        for (ag, run) in self.m.agreements.iter().zip(&self.agreements) {
            if run.on_until.is_some() {
                if let Some(v) = ag.grievance {
                    self.b_buf[ag.target] = v;
                }
                if let Some(v) = ag.restraint {
                    self.a_buf[ag.target] = v;
                }
            }
        }
        if let Some(c) = &self.ctl {
            for (g, &u) in self.b_buf.iter_mut().zip(&c.u) {
                *g += u;
            }
        }
        let mut changed = false;
        if self.phases_dirty {
            self.phases_dirty = false;
            Self::effective_coupling(self.m, &self.phases, &mut self.w_buf);
            if self.w_buf != self.cfg.w {
                std::mem::swap(&mut self.w_buf, &mut self.cfg.w);
                changed = true;
            }
        }
        if self.a_buf != self.cfg.a {
            std::mem::swap(&mut self.a_buf, &mut self.cfg.a);
            changed = true;
        }
        if self.b_buf != self.cfg.b {
            std::mem::swap(&mut self.b_buf, &mut self.cfg.b);
            changed = true;
        }
        if changed {
            self.flow.invalidate();
        }
    }

    /// A decision, if one is due. Runs right after [`Self::rebuild`], so
    /// `cfg.w` holds the gains in force now.
    fn controller_tick(&mut self) {
        let (Some(ctl), Some(c)) = (&self.m.controller, self.ctl.as_mut()) else {
            return;
        };
        if c.tick as f64 * ctl.period > self.t + EPS {
            return;
        }
        let n = self.n;
        let lag = match &self.m.hotline {
            Some(h) if self.hotline_on => h.lag.unwrap_or(ctl.lag),
            _ => ctl.lag,
        };
        let cap = ctl
            .lag
            .max(self.m.hotline.as_ref().and_then(|h| h.lag).unwrap_or(0))
            + 2;
        // Keep at most `cap` states, recycling the oldest one's storage.
        let mut x_now = Vec::new();
        while c.history.len() >= cap {
            x_now = c.history.pop_front().unwrap_or_default();
        }
        x_now.clear();
        x_now.extend_from_slice(&self.s[..n]);
        c.history.push_back(x_now);
        // y[k] = x(t_{k-d}); before t = 0 the actors see x(0).
        if (c.tick as usize) < lag {
            c.y.copy_from_slice(self.m.initial.as_slice());
        } else {
            c.y.copy_from_slice(&c.history[c.history.len() - 1 - lag]);
        }
        if c.has_perceived {
            c.prev.copy_from_slice(&c.perceived);
        } else {
            c.prev.copy_from_slice(&c.y);
        }
        for j in 0..n {
            c.perceived[j] = if (c.y[j] - c.prev[j]).abs() >= ctl.deadband {
                c.y[j]
            } else {
                c.prev[j]
            };
        }
        c.has_perceived = true;
        let ratio = ctl.derivative / ctl.period;
        for j in 0..n {
            c.phi[j] = c.perceived[j] + ratio * (c.perceived[j] - c.prev[j]);
        }
        let w = &self.cfg.w;
        for i in 0..n {
            let row = &w[i * n..(i + 1) * n];
            let mut ui = 0.0;
            for (&wij, &pj) in row.iter().zip(&c.phi) {
                ui += wij * pj;
            }
            for (q, &(v, acc)) in self.pairs.iter().enumerate() {
                if v == i {
                    ui += row[acc] * self.s[n + q];
                }
            }
            if let Some(sat) = ctl.saturation {
                ui = ui.clamp(-sat, sat);
            }
            c.u[i] = ui;
        }
        c.tick += 1;
        self.rebuild();
    }

    fn sample(&mut self) {
        if !self.opts.record {
            return;
        }
        let at = self.next_sample as f64 * self.opts.dt;
        if self.due(at) {
            self.push_sample();
            self.next_sample += 1;
            while self.due(self.next_sample as f64 * self.opts.dt) {
                self.next_sample += 1;
            }
        }
    }

    fn push_sample(&mut self) {
        if self
            .out
            .t
            .last()
            .is_some_and(|&last| (last - self.t).abs() <= EPS)
        {
            return;
        }
        self.out.t.push(self.t);
        for i in 0..self.n {
            self.out.x[i].push(self.s[i]);
            self.out.rung[i].push(self.tracker.rungs[i]);
        }
    }

    fn finish(mut self) -> Trajectory {
        if self.opts.record {
            self.push_sample();
        }
        let outcome = if self.out.explosion_time.is_some() {
            Outcome::Exploded
        } else if self.phases.iter().any(|p| p.state == PhaseState::Collapsed) {
            Outcome::Collapsed
        } else if self.phases.iter().any(|p| p.extended > 0) {
            Outcome::Extended
        } else if self.phases.iter().any(|p| p.state != PhaseState::Pending) {
            Outcome::Expired
        } else {
            Outcome::None
        };
        self.out.outcome = outcome;
        self.out.final_x = self.s[..self.n].to_vec();
        self.out.end_time = self.t;
        self.out.verification = std::mem::take(&mut self.verification);
        self.out
    }
}
