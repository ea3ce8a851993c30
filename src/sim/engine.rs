//! The event loop of one run.

use std::collections::VecDeque;

use super::events::{Event, EventKind, Outcome};
use super::flow::{Config, Flow, Heat, OdeSettings, Shape, Stock};
use super::processes::{AttackClock, IncidentRun, phantom_pairs};
use super::{SimOptions, Streams, Trajectory};
use crate::error::Result;
use crate::model::{Model, RungTracker};

/// Two times closer than this (days) are the same instant.
pub(super) const EPS: f64 = 1e-9;
/// Most events one run may log before it is stopped with an error.
const MAX_EVENTS: usize = 5_000_000;
/// Most steps of the event loop before a run is stopped with an error.
const MAX_ITERATIONS: u64 = 100_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum PhaseState {
    Pending,
    Active,
    Collapsed,
    Ended,
}

pub(super) struct PhaseRun {
    pub(super) state: PhaseState,
    pub(super) end: f64,
    pub(super) verify_done: bool,
    /// The verification test passed (the verified gain holds).
    pub(super) verified: bool,
    pub(super) extended: u32,
}

pub(super) struct AgreementRun {
    /// Since when the condition has held without a break.
    pub(super) held_since: Option<f64>,
    /// When the effects took hold (`None`: off).
    pub(super) on_since: Option<f64>,
    /// A `when.at` agreement that has run its course (it takes hold once).
    pub(super) spent: bool,
}

pub(super) struct Blame {
    pub(super) at: f64,
    pub(super) victim: usize,
    /// `None`: blamed on the spoiler (correct).
    pub(super) accused: Option<usize>,
    pub(super) attack_time: f64,
}

/// Controller state; the vectors are reused from tick to tick.
pub(super) struct ControllerRun {
    pub(super) tick: u64,
    /// The last few observed states, oldest first.
    pub(super) history: VecDeque<Vec<f64>>,
    /// `y[k-1]` after the deadband, once there is one.
    pub(super) perceived: Vec<f64>,
    pub(super) has_perceived: bool,
    pub(super) u: Vec<f64>,
    pub(super) y: Vec<f64>,
    pub(super) prev: Vec<f64>,
    pub(super) phi: Vec<f64>,
    /// Adapted movement `s_j` of each observed actor (with adaptation).
    pub(super) adapt: Vec<f64>,
}

pub(crate) struct Run<'a> {
    pub(super) m: &'a Model,
    pub(super) opts: &'a SimOptions,
    pub(super) streams: Streams,
    pub(super) n: usize,
    pub(super) t: f64,
    pub(super) s: Vec<f64>,
    pub(super) pairs: Vec<(usize, usize)>,
    pub(super) tracker: RungTracker,
    pub(super) phases: Vec<PhaseRun>,
    pub(super) agreements: Vec<AgreementRun>,
    pub(super) hotline_on: bool,
    pub(super) blames: Vec<Blame>,
    pub(super) next_attack: f64,
    pub(super) attack: AttackClock,
    pub(super) incidents: Option<IncidentRun>,
    pub(super) ctl: Option<ControllerRun>,
    pub(super) cfg: Config,
    pub(super) flow: Flow,
    /// The gain schedule changed since `cfg.w` was computed.
    pub(super) phases_dirty: bool,
    /// Scratch states for `advance_to` and scratch parameters for `rebuild`.
    pub(super) s_new: Vec<f64>,
    pub(super) s_mid: Vec<f64>,
    /// The state at the start of the current interval, and how each actor
    /// can move over it (for incident candidates inside it).
    pub(super) s_start: Vec<f64>,
    pub(super) shapes: Vec<Shape>,
    pub(super) crossing: Vec<usize>,
    pub(super) a_buf: Vec<f64>,
    pub(super) b_buf: Vec<f64>,
    /// The held drives of the last [`Run::rebuild`] before the controller's
    /// input is added (for [`Run::apply_input`]).
    pub(super) b_base: Vec<f64>,
    pub(super) w_buf: Vec<f64>,
    pub(super) next_sample: u64,
    pub(super) out: Trajectory,
    pub(super) verification: Vec<(String, bool)>,
    /// Phases by start (stable): a later-starting phase overrides an earlier
    /// one for the pairs both bind.
    pub(super) order: Vec<usize>,
    /// Each actor's control by its patron in force now (0 for non-proxies).
    pub(super) control: Vec<f64>,
    /// Whether each stock of `cfg.stocks` is hidden (its owner bound by an
    /// active phase).
    pub(super) hidden: Vec<bool>,
    /// Since when every actor has been on rung 0.
    pub(super) quiet_since: Option<f64>,
    /// An agreement's coupling entries were in force at the last rebuild.
    pub(super) overrides_on: bool,
    /// Positive grievances are decaying (`[peace]`).
    pub(super) peace_on: bool,
    /// The earliest end of an agreement's effect in force at the last
    /// [`Run::rebuild`] (infinite if none), and whether `[peace]` was on
    /// then: with `phases_dirty`, what tells that the parameters may have
    /// changed since ([`Run::rebuild_if_stale`]).
    pub(super) effects_until: f64,
    pub(super) built_peace_on: bool,
    /// Every skirmish found by the look-back takes the run back to its
    /// time, misread or not (the reference the tests compare with).
    pub(super) stop_at_every_skirmish: bool,
}

impl<'a> Run<'a> {
    pub fn new(m: &'a Model, opts: &'a SimOptions, streams: Streams) -> Self {
        let n = m.n();
        let incidents = IncidentRun::new(m);
        let pairs = phantom_pairs(m, incidents.as_ref());
        let cfg = Config {
            a: m.dynamics.restraint.as_slice().to_vec(),
            w: vec![0.0; n * n],
            b: vec![0.0; n],
            coupled: m.controller.is_none(),
            pairs: pairs.clone(),
            ceiling: m.dynamics.ceiling.clone(),
            stocks: m
                .resets
                .iter()
                .map(|r| Stock {
                    actor: r.actor,
                    growth: 0.0,
                    decay: m.dynamics.restraint[r.actor],
                    weight: 1.0,
                })
                .collect(),
            heat: m
                .hardliners
                .iter()
                .map(|h| Heat {
                    actor: h.actor,
                    feed: h.feed,
                    decay: h.decay,
                    weight: h.weight,
                })
                .collect(),
            peace: m.peace.as_ref().map(|_| (vec![0.0; n], 0.0)),
        };
        // Intensities, phantoms, costs and stocks start at 0 beyond x(0);
        // heat at its initial value; π at 1.
        let mut s = m.initial.as_slice().to_vec();
        s.resize(cfg.len(), 0.0);
        let h0 = cfg.heat_at();
        for (k, h) in m.hardliners.iter().enumerate() {
            s[h0 + k] = h.initial;
        }
        if cfg.peace.is_some() {
            s[cfg.peace_at()] = 1.0;
        }
        let tracker = RungTracker::new(&m.ladder, &s[..n]);
        let quiet_since = tracker.rungs.iter().all(|&r| r == 0).then_some(0.0);
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
            adapt: vec![
                m.controller
                    .as_ref()
                    .and_then(|c| c.adaptation)
                    .map_or(0.0, |a| a.baseline);
                n
            ],
        });
        let phases = m
            .phases
            .iter()
            .map(|p| PhaseRun {
                state: PhaseState::Pending,
                end: p.end,
                verify_done: false,
                verified: false,
                extended: 0,
            })
            .collect();
        let agreements = m
            .agreements
            .iter()
            .map(|_| AgreementRun {
                held_since: None,
                on_since: None,
                spent: false,
            })
            .collect();
        let len = s.len();
        let mut order: Vec<usize> = (0..m.phases.len()).collect();
        order.sort_by(|&a, &b| m.phases[a].start.total_cmp(&m.phases[b].start));
        let mut run = Self {
            m,
            opts,
            streams,
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
            attack: AttackClock::default(),
            incidents,
            ctl,
            cfg,
            flow,
            phases_dirty: true,
            s_new: vec![0.0; len],
            s_mid: vec![0.0; len],
            s_start: vec![0.0; len],
            shapes: Vec::with_capacity(n),
            crossing: Vec::with_capacity(n),
            a_buf: vec![0.0; n],
            b_buf: vec![0.0; n],
            b_base: vec![0.0; n],
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
                cost: Vec::new(),
                quiet_days: 0.0,
                hardliners: vec![Vec::new(); m.hardliners.len()],
                hardliner_actors: m.hardliners.iter().map(|h| h.actor).collect(),
            },
            verification: Vec::new(),
            order,
            control: m.control(),
            hidden: vec![false; m.resets.len()],
            quiet_since,
            overrides_on: false,
            peace_on: false,
            stop_at_every_skirmish: false,
            effects_until: f64::INFINITY,
            built_peace_on: false,
        };
        run.start_attacks();
        run.start_incidents();
        run
    }

    pub(super) fn name(&self, i: usize) -> String {
        self.m.dynamics.names[i].clone()
    }

    pub(super) fn log(&mut self, kind: EventKind) {
        self.out.events.push(Event { t: self.t, kind });
    }

    pub fn run(mut self) -> Result<Trajectory> {
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
                return Err(crate::error::NumericalError::TooManyEvents {
                    time: self.t,
                    steps: iterations,
                    events: self.out.events.len(),
                }
                .into());
            }
            let next = self.next_event_time().min(horizon);
            // Land exactly on scheduled times rather than a rounding away from
            // them. Monotone flows cannot rise and fall between checks, so
            // they go from event to event.
            let step = self.t + self.opts.check_step;
            let settled = self.settled(next - self.t);
            let target = if step < next - EPS && !settled {
                step
            } else {
                next
            };
            // Candidates of the incident process are not events: those
            // inside the interval are examined afterwards, from its start.
            let watch = self
                .incidents
                .as_ref()
                .is_some_and(|inc| inc.next < target - EPS);
            let (t0, quiet) = (self.t, self.tracker.rungs.iter().all(|&r| r == 0));
            if watch {
                self.s_start.copy_from_slice(&self.s);
            }
            let crossed = self.advance_to(target, settled)?;
            if watch {
                let (s0, shapes) = (
                    std::mem::take(&mut self.s_start),
                    std::mem::take(&mut self.shapes),
                );
                let t_end = self.t;
                let back = self.candidates_inside(t0, &s0, &shapes);
                (self.s_start, self.shapes) = (s0, shapes);
                if back? {
                    if quiet {
                        self.out.quiet_days -= t_end - self.t;
                    }
                    self.process_events()?;
                    if self.out.explosion_time.is_some() {
                        break;
                    }
                    continue;
                }
            }
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
            match (run.on_since, run.held_since) {
                (Some(on), _) => {
                    for e in &ag.effects {
                        consider(on + e.days);
                    }
                }
                (None, Some(since)) => consider(since + ag.condition.for_days()),
                (None, None) => {
                    if let crate::model::Condition::At { day } = ag.condition
                        && !run.spent
                    {
                        consider(day);
                    }
                }
            }
        }
        if let (Some(p), Some(since), false) = (&self.m.peace, self.quiet_since, self.peace_on) {
            consider(since + p.after_days);
        }
        next
    }

    /// True when the state at `s` would change a rung or is not finite.
    fn crosses(&self, s: &[f64]) -> bool {
        (0..self.n).any(|i| self.crosses_one(i, s[i]))
    }

    /// True when no rung can change inside the next `h` days other than
    /// monotonically (each actor decoupled and either monotone, or kept
    /// within its rung by the bounds of [`Flow::shape`]): a change then
    /// shows at the end of the interval.
    ///
    /// Keeps each actor's [`Shape`] in `shapes` (for incident candidates).
    fn settled(&mut self, h: f64) -> bool {
        let mut shapes = std::mem::take(&mut self.shapes);
        shapes.clear();
        shapes.extend((0..self.n).map(|i| self.flow.shape(&self.cfg, &self.s, i, h)));
        let settled = shapes.iter().enumerate().all(|(i, sh)| match *sh {
            Shape::Monotone => true,
            Shape::Within(lo, hi) => !self.crosses_one(i, lo) && !self.crosses_one(i, hi),
            Shape::Unknown => false,
        });
        self.shapes = shapes;
        settled
    }

    /// True when actor `i` at intensity `x` would change rung or is not finite.
    fn crosses_one(&self, i: usize, x: f64) -> bool {
        let r = self.tracker.rungs[i];
        !x.is_finite() || self.m.ladder.step(r, x) != r
    }

    /// Advances to `target`; if a rung changes on the way, stops at the
    /// first change (located by bisection) and returns true.
    fn advance_to(&mut self, target: f64, settled: bool) -> Result<bool> {
        let h = target - self.t;
        if h <= 0.0 {
            return Ok(false);
        }
        // Rungs are constant until the first crossing, so the time advanced
        // is quiet when every actor is on rung 0 now.
        let quiet = self.tracker.rungs.iter().all(|&r| r == 0);
        let t0 = self.t;
        let crossed = self.advance_inner(target, h, settled)?;
        if quiet {
            self.out.quiet_days += self.t - t0;
        }
        Ok(crossed)
    }

    fn advance_inner(&mut self, target: f64, h: f64, settled: bool) -> Result<bool> {
        self.flow.advance(&self.cfg, &self.s, h, &mut self.s_new)?;
        if !self.crosses(&self.s_new) {
            std::mem::swap(&mut self.s, &mut self.s_new);
            self.t = target;
            return Ok(false);
        }
        let (mut lo, mut hi) = (0.0, h);
        if settled {
            // Each intensity evolves on its own and can change rung only
            // monotonically, so only the actors that changed rung by `h` can
            // change earlier: bisect on them.
            self.crossing.clear();
            for i in 0..self.n {
                if self.crosses_one(i, self.s_new[i]) {
                    self.crossing.push(i);
                }
            }
            let tol = 1e-10 * (1.0 + self.t.abs());
            for k in 0..self.crossing.len() {
                let i = self.crossing[k];
                hi = self.first_crossing(i, hi, tol)?;
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

    /// The first time in `(0, hi]` (to within `tol`, the bracket's upper end)
    /// at which actor `i`, monotone and changing rung by `hi`, changes rung.
    ///
    /// Regula falsi with the Illinois modification on the distance to the
    /// rung bound it passes, keeping a bracket `[lo, hi]` on the rung check
    /// itself; every trial point is at least `tol/2` inside the bracket, so
    /// an accurate estimate is confirmed in one more evaluation. A few
    /// evaluations instead of the ~35 of bisection.
    fn first_crossing(&mut self, i: usize, hi: f64, tol: f64) -> Result<f64> {
        let x_hi = self.flow.advance_one(&self.cfg, &self.s, i, hi)?;
        if !self.crosses_one(i, x_hi) {
            // Another actor crosses earlier: this one does not before `hi`.
            return Ok(hi);
        }
        let r = self.tracker.rungs[i];
        let x0 = self.s[i];
        // The bound being passed: up to the next rung, or down below this
        // rung's lower bound minus the hysteresis.
        let rungs = self.m.ladder.rungs();
        let bound = if x_hi > x0 && r + 1 < rungs.len() {
            rungs[r + 1].from
        } else {
            rungs[r].from - self.m.ladder.hysteresis()
        };
        let (mut lo, mut hi) = (0.0, hi);
        let (mut g_lo, mut g_hi) = (x0 - bound, x_hi - bound);
        if !(g_lo.is_finite() && g_hi.is_finite()) || g_lo * g_hi > 0.0 {
            // No usable distance (a blow-up, or a jump over several rungs
            // that the bound does not describe): bisection.
            g_lo = f64::NAN;
        }
        let mut kept = 0i8;
        for _ in 0..400 {
            if hi - lo <= tol {
                break;
            }
            let mut mid = if g_lo.is_nan() {
                0.5 * (lo + hi)
            } else {
                hi - g_hi * (hi - lo) / (g_hi - g_lo)
            };
            if !(mid > lo && mid < hi) {
                mid = 0.5 * (lo + hi);
            }
            let (inner_lo, inner_hi) = (lo + 0.5 * tol, hi - 0.5 * tol);
            mid = if inner_lo <= inner_hi {
                mid.max(inner_lo).min(inner_hi)
            } else {
                0.5 * (lo + hi)
            };
            let x = self.flow.advance_one(&self.cfg, &self.s, i, mid)?;
            let g = x - bound;
            if self.crosses_one(i, x) {
                hi = mid;
                g_hi = g;
                if kept == -1 {
                    g_lo *= 0.5;
                }
                kept = -1;
            } else {
                lo = mid;
                g_lo = if g_lo.is_nan() { f64::NAN } else { g };
                if kept == 1 {
                    g_hi *= 0.5;
                }
                kept = 1;
            }
        }
        Ok(hi)
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
        }
        self.update_agreements();
        self.update_quiet();
        self.check_top();
        self.after_phase_changes();
        self.rebuild();
    }

    pub(super) fn due(&self, at: f64) -> bool {
        at <= self.t + EPS
    }

    /// Handles everything scheduled at the current time.
    fn process_events(&mut self) -> Result<()> {
        self.hotline_event();
        self.attacks();
        self.incident_candidates();
        self.blames_due();
        self.phase_events();
        self.update_agreements();
        self.peace_timer();
        self.after_phase_changes();
        self.rebuild_if_stale();
        self.controller_tick();
        self.sample();
        Ok(())
    }

    /// Writes the effective coupling `G_ij K_ij (1 − c_i)` in force now
    /// (row-major) into `w`, where `G_ij` is the pairwise gain of the phases
    /// and `c_i` the control of actor `i` by its patron.
    fn effective_coupling(
        m: &Model,
        phases: &[PhaseRun],
        order: &[usize],
        control: &[f64],
        overrides: &[(usize, usize, f64)],
        w: &mut [f64],
    ) {
        let n = m.n();
        w.fill(m.dynamics.gain);
        for &k in order {
            let (p, run) = (&m.phases[k], &phases[k]);
            let gain = match run.state {
                PhaseState::Pending => None,
                PhaseState::Active if run.verified => Some(p.verified_gain.unwrap_or(p.gain)),
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
            let own = 1.0 - control[i];
            for j in 0..n {
                // An agreement's coupling entry replaces the model's (the
                // last agreement listed wins).
                let kij = overrides
                    .iter()
                    .rev()
                    .find(|o| o.0 == i && o.1 == j)
                    .map_or(k[(i, j)], |o| o.2);
                w[i * n + j] *= kij * own;
            }
        }
    }

    /// [`Run::rebuild`] unless nothing it reads can have changed since the
    /// last one: the phases, the agreements in force and the controls
    /// (which set `phases_dirty`), `[peace]`, or the end of an agreement's
    /// effect. (The controller's input is brought in by
    /// [`Run::apply_input`].) Unit tests rebuild anyway and check that the
    /// skipped rebuild would have changed nothing.
    fn rebuild_if_stale(&mut self) {
        let stale = self.phases_dirty
            || self.peace_on != self.built_peace_on
            || self.t >= self.effects_until - EPS;
        if stale {
            self.rebuild();
        } else if cfg!(test) {
            let events = self.out.events.len();
            assert!(!self.rebuild(), "a skipped rebuild changed the parameters");
            assert_eq!(events, self.out.events.len());
        }
    }

    /// Recomputes the interval parameters from the current mechanism state,
    /// without allocating in the common case; the gains only when the
    /// schedule (or an agreement's coupling) changed. True when any changed.
    pub(super) fn rebuild(&mut self) -> bool {
        let d = &self.m.dynamics;
        self.a_buf.copy_from_slice(d.restraint.as_slice());
        self.b_buf.copy_from_slice(d.grievance.as_slice());
        self.built_peace_on = self.peace_on;
        self.effects_until = f64::INFINITY;
        let mut overrides = Vec::new();
        for (ag, run) in self.m.agreements.iter().zip(&self.agreements) {
            let Some(on) = run.on_since else { continue };
            for e in &ag.effects {
                if self.t >= on + e.days - EPS {
                    continue;
                }
                self.effects_until = self.effects_until.min(on + e.days);
                if let Some(v) = e.grievance {
                    self.b_buf[e.actor] = v;
                }
                if let Some(v) = e.restraint {
                    self.a_buf[e.actor] = v;
                }
                for &(j, v) in &e.coupling {
                    overrides.push((e.actor, j, v));
                }
            }
        }
        // A guaranteed deal raises its parties' restraint while it holds.
        for (p, run) in self.m.phases.iter().zip(&self.phases) {
            if run.state == PhaseState::Active && p.guarantee > 0.0 {
                for &i in &p.parties {
                    self.a_buf[i] += p.guarantee;
                }
            }
        }
        for (g, &c) in self.b_buf.iter_mut().zip(&self.control) {
            *g *= 1.0 - c;
        }
        // With [peace], positive grievances are carried by π.
        // (Compared with the parameters in force in place, without
        // allocating.)
        let mut peace_changed = false;
        if let Some((bp, rate)) = self.cfg.peace.as_mut() {
            for (g, p) in self.b_buf.iter_mut().zip(bp.iter_mut()) {
                let v = if *g > 0.0 {
                    std::mem::replace(g, 0.0)
                } else {
                    0.0
                };
                if *p != v {
                    *p = v;
                    peace_changed = true;
                }
            }
            let r = match (&self.m.peace, self.peace_on) {
                (Some(p), true) => p.grievance_decay,
                _ => 0.0,
            };
            if *rate != r {
                *rate = r;
                peace_changed = true;
            }
        }
        // Regional anxiety: an outsider of an active phase that does not
        // assure it.
        for ax in &self.m.anxiety {
            let anxious = self.m.phases.iter().zip(&self.phases).any(|(p, run)| {
                run.state == PhaseState::Active
                    && !p.parties.contains(&ax.actor)
                    && !p.assures.contains(&ax.actor)
            });
            if anxious {
                self.b_buf[ax.actor] += ax.level;
            }
        }
        if let Some(c) = &self.ctl {
            self.b_base.copy_from_slice(&self.b_buf);
            for (g, &u) in self.b_buf.iter_mut().zip(&c.u) {
                *g += u;
            }
        }
        let mut changed = false;
        let overriding = !overrides.is_empty();
        if self.phases_dirty || overriding || self.overrides_on {
            self.phases_dirty = false;
            self.overrides_on = overriding;
            Self::effective_coupling(
                self.m,
                &self.phases,
                &self.order,
                &self.control,
                &overrides,
                &mut self.w_buf,
            );
            if self.w_buf != self.cfg.w {
                std::mem::swap(&mut self.w_buf, &mut self.cfg.w);
                changed = true;
            }
        }
        if !self.m.resets.is_empty() {
            changed |= self.rebuild_stocks();
        }
        changed |= peace_changed;
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
        changed
    }

    /// Brings the held drives up to date after a decision changed the
    /// controller's input, everything else as at the [`Run::rebuild`] of
    /// the same instant: the same numbers as a whole rebuild, for a
    /// fraction of its cost.
    pub(super) fn apply_input(&mut self) {
        let Some(c) = &self.ctl else {
            return;
        };
        for ((g, &base), &u) in self.b_buf.iter_mut().zip(&self.b_base).zip(&c.u) {
            *g = base + u;
        }
        if self.b_buf != self.cfg.b {
            std::mem::swap(&mut self.b_buf, &mut self.cfg.b);
            self.flow.invalidate();
        }
    }

    /// The stocks' growth, decay and visibility now: growing and seen at the
    /// phases' surveillance while the owner is bound by an active phase,
    /// otherwise revealed (seen whole) and decaying at its restraint. Logs
    /// each reveal. True when anything changed.
    fn rebuild_stocks(&mut self) -> bool {
        let mut changed = false;
        let s0 = self.cfg.stock_at();
        for k in 0..self.m.resets.len() {
            let r = &self.m.resets[k];
            let mut bound = false;
            let mut seen: f64 = 0.0;
            for (p, run) in self.m.phases.iter().zip(&self.phases) {
                if run.state == PhaseState::Active && p.parties.contains(&r.actor) {
                    bound = true;
                    seen = seen.max(p.surveillance);
                }
            }
            let st = if bound {
                Stock {
                    actor: r.actor,
                    growth: r.rate,
                    decay: 0.0,
                    weight: seen,
                }
            } else {
                Stock {
                    actor: r.actor,
                    growth: 0.0,
                    decay: self.a_buf[r.actor],
                    weight: 1.0,
                }
            };
            if self.hidden[k] && !bound {
                let stock = self.s[s0 + k];
                self.log(EventKind::Revealed {
                    actor: self.name(r.actor),
                    stock,
                });
            }
            self.hidden[k] = bound;
            if self.cfg.stocks[k] != st {
                self.cfg.stocks[k] = st;
                changed = true;
            }
        }
        changed
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
        let h0 = self.cfg.heat_at();
        for (k, series) in self.out.hardliners.iter_mut().enumerate() {
            series.push(self.s[h0 + k]);
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
        let c0 = self.cfg.cost_at();
        self.out.cost = self.s[c0..c0 + self.n].to_vec();
        self.out.end_time = self.t;
        self.out.verification = std::mem::take(&mut self.verification);
        self.out
    }
}
