//! [`Model::check`]: every rule a model must satisfy, in one place.
//!
//! The scenario compiler and the builder only turn names into indices and
//! call this; every public entry point that takes a model calls it too, so
//! a model built by hand is held to the same rules as a file. Errors name
//! the element as a scenario file would (`actor[1].restraint`,
//! `coupling.US.Iran`, `phase[0].parties[1]`), so the file loader can point
//! at the line.

use std::collections::BTreeSet;

use super::{Condition, Dynamics, Model};
use crate::error::rules::{bad, duration, finite, lag, non_negative, positive, probability};
use crate::error::{Error, Result, num};
use crate::limits::{MAX_ACTORS, MAX_HORIZON, MAX_RATE};

/// An actor index `i` of a model with `n` actors.
/// A positive rate (1/day) of at most [`MAX_RATE`].
fn rate(key: &str, v: f64) -> Result<f64> {
    positive(key, v)?;
    if v > MAX_RATE {
        return Err(bad(
            key,
            v,
            &format!("is absurdly fast (at most {MAX_RATE} per day)"),
        ));
    }
    Ok(v)
}

fn actor(key: &str, i: usize, n: usize) -> Result<usize> {
    if i < n {
        Ok(i)
    } else {
        Err(bad(key, i, &format!("no such actor ({n} actors)")))
    }
}

fn rung(key: &str, r: usize, top: usize) -> Result<usize> {
    if r > top {
        return Err(bad(key, r, &format!("the ladder's rungs are 0 to {top}")));
    }
    Ok(r)
}

impl Dynamics {
    /// Checks sizes and values: at least one and at most [`MAX_ACTORS`]
    /// actors, unique non-empty names, positive finite restraints, finite
    /// grievances and couplings, a zero diagonal, positive finite ceilings
    /// and a non-negative finite gain.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the offending entry (`actor[1].restraint`,
    /// `coupling.US.Iran`, `gain`).
    pub fn check(&self) -> Result<()> {
        let n = self.restraint.len();
        if n == 0 {
            return Err(Error::invalid("actor", "at least one [[actor]] is needed"));
        }
        if n > MAX_ACTORS {
            return Err(bad(
                "actor",
                n,
                &format!("too many actors (at most {MAX_ACTORS})"),
            ));
        }
        for (what, len) in [
            ("names", self.names.len()),
            ("grievance", self.grievance.len()),
            ("ceiling", self.ceiling.len()),
        ] {
            if len != n {
                return Err(bad(
                    what,
                    format!("{len} entries"),
                    &format!("must have one entry per actor ({n} actors)"),
                ));
            }
        }
        if self.coupling.nrows() != n || self.coupling.ncols() != n {
            return Err(Error::invalid(
                "coupling",
                format!(
                    "must be {n}×{n}, got {}×{}",
                    self.coupling.nrows(),
                    self.coupling.ncols()
                ),
            ));
        }
        for (i, name) in self.names.iter().enumerate() {
            if name.trim().is_empty() {
                return Err(Error::invalid(
                    format!("actor[{i}].name"),
                    "must not be empty",
                ));
            }
            if self.names[..i].contains(name) {
                return Err(bad(
                    format!("actor[{i}].name"),
                    format!("{name:?}"),
                    "duplicate actor name",
                ));
            }
        }
        // Called by every analysis, sometimes per grid point: test the values
        // first and build a key only for an error.
        for i in 0..n {
            let key = |f: &str| format!("actor[{i}].{f}");
            let a = self.restraint[i];
            if !(a.is_finite() && a > 0.0) {
                positive(&key("restraint"), a)?;
            }
            if !self.grievance[i].is_finite() {
                finite(&key("grievance"), self.grievance[i])?;
            }
            if let Some(c) = self.ceiling[i]
                && !(c.is_finite() && c > 0.0)
            {
                positive(&key("ceiling"), c)?;
            }
        }
        for j in 0..n {
            for i in 0..n {
                let k = self.coupling[(i, j)];
                if k.is_finite() && (i != j || k == 0.0) {
                    continue;
                }
                let key = format!("coupling.{}.{}", self.names[i], self.names[j]);
                finite(&key, k)?;
                return Err(bad(
                    key,
                    k,
                    "self-coupling is not allowed (restraint plays that role)",
                ));
            }
        }
        non_negative("gain", self.gain)?;
        Ok(())
    }
}

impl Model {
    /// Checks every rule of a model: the dynamics ([`Dynamics::check`]), the
    /// initial state, the ladder, the controller, and each mechanism's
    /// indices, values and limits (`docs/scenarios.md` lists them). Every
    /// public entry point that takes a model calls this first.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the first offending element as a scenario
    /// file would, e.g. `` `phase[0].parties[1]` = 5: no such actor (3 actors) ``.
    ///
    /// # Example
    ///
    /// ```
    /// use escalation::model::{Dynamics, Model};
    /// let d = Dynamics::richardson(0.5, 0.4, 0.3, 0.6, 0.0, 0.0)?;
    /// let mut model = Model::from_dynamics(d, 30.0);
    /// assert!(model.check().is_ok());
    /// model.horizon = -10.0;
    /// let err = model.check().unwrap_err().to_string();
    /// assert!(err.contains("`horizon` = -10: must be positive"), "{err}");
    /// # Ok::<(), escalation::Error>(())
    /// ```
    pub fn check(&self) -> Result<()> {
        let horizon = positive("horizon", self.horizon)?;
        if horizon > MAX_HORIZON {
            return Err(bad(
                "horizon",
                horizon,
                &format!("is absurdly large (at most {MAX_HORIZON} days)"),
            ));
        }
        self.dynamics.check()?;
        let n = self.n();
        if self.initial.len() != n {
            return Err(bad(
                "initial",
                format!("{} entries", self.initial.len()),
                &format!("must have one entry per actor ({n} actors)"),
            ));
        }
        for i in 0..n {
            let key = format!("actor[{i}].initial");
            non_negative(&key, self.initial[i])?;
            if let Some(c) = self.dynamics.ceiling[i]
                && self.initial[i] > c
            {
                return Err(bad(
                    key,
                    self.initial[i],
                    "must not exceed the actor's ceiling",
                ));
            }
        }
        self.ladder.check()?;
        if let Some(c) = &self.controller {
            c.check()?;
            duration("controller.period", c.period, horizon)?;
            if c.period > horizon {
                return Err(bad(
                    "controller.period",
                    c.period,
                    "must not exceed the horizon",
                ));
            }
        }
        self.check_proxies()?;
        self.check_phases()?;
        self.check_spoilers()?;
        self.check_hotline()?;
        self.check_incidents()?;
        self.check_agreements()?;
        self.check_politics()
    }

    fn check_proxies(&self) -> Result<()> {
        let n = self.n();
        let mut seen = BTreeSet::new();
        for (k, p) in self.proxies.iter().enumerate() {
            let i = actor(&format!("proxies[{k}].actor"), p.actor, n)?;
            let key = format!("actor[{i}].patron");
            actor(&key, p.patron, n)?;
            if p.patron == i {
                return Err(bad(
                    key,
                    format!("{:?}", self.dynamics.names[i]),
                    "an actor cannot be its own patron",
                ));
            }
            if !seen.insert(i) {
                return Err(bad(key, i, "an actor can have only one patron"));
            }
            probability(&format!("actor[{i}].control"), p.control)?;
        }
        Ok(())
    }

    fn check_phases(&self) -> Result<()> {
        let n = self.n();
        let mut names = BTreeSet::new();
        for (p, phase) in self.phases.iter().enumerate() {
            let key = |f: &str| format!("phase[{p}].{f}");
            if phase.name.trim().is_empty() {
                return Err(Error::invalid(key("name"), "must not be empty"));
            }
            if !names.insert(phase.name.as_str()) {
                return Err(bad(
                    key("name"),
                    format!("{:?}", phase.name),
                    "duplicate phase name",
                ));
            }
            let start = non_negative(&key("start"), phase.start)?;
            let end = finite(&key("end"), phase.end)?;
            if end <= start {
                return Err(bad(
                    key("end"),
                    end,
                    &format!("must be after start ({})", num(start)),
                ));
            }
            non_negative(&key("gain"), phase.gain)?;
            if phase.parties.is_empty() {
                return Err(Error::invalid(
                    key("parties"),
                    "must name at least one actor",
                ));
            }
            for (q, &i) in phase.parties.iter().enumerate() {
                let pk = format!("phase[{p}].parties[{q}]");
                actor(&pk, i, n)?;
                if phase.parties[..q].contains(&i) {
                    return Err(bad(
                        pk,
                        format!("{:?}", self.dynamics.names[i]),
                        "listed twice",
                    ));
                }
            }
            if let Some(v) = phase.verify {
                duration(&key("verify"), v, self.horizon)?;
                if v > end - start {
                    return Err(bad(
                        key("verify"),
                        v,
                        &format!("must not exceed the phase's length ({})", num(end - start)),
                    ));
                }
            }
            if let Some(r) = phase.breach_rung {
                rung(&key("breach_rung"), r, self.ladder.top())?;
            }
            if let Some(d) = phase.extend_days {
                duration(&key("extend_days"), d, self.horizon)?;
            }
            if let Some(g) = phase.after_gain {
                non_negative(&key("after_gain"), g)?;
            }
            if let Some(c) = phase.proxy_control {
                probability(&key("proxy_control"), c)?;
            }
            if let Some(g) = phase.verified_gain {
                non_negative(&key("verified_gain"), g)?;
                if phase.verify.is_none() {
                    return Err(bad(
                        key("verified_gain"),
                        g,
                        "needs a `verify` window (the gain holds from a passed test)",
                    ));
                }
            }
            probability(&key("deconfliction"), phase.deconfliction)?;
            non_negative(&key("guarantee"), phase.guarantee)?;
            probability(&key("surveillance"), phase.surveillance)?;
            for (q, &i) in phase.assures.iter().enumerate() {
                let ak = format!("phase[{p}].assures[{q}]");
                actor(&ak, i, n)?;
                if phase.parties.contains(&i) {
                    return Err(bad(
                        ak,
                        format!("{:?}", self.dynamics.names[i]),
                        "is a party (only outsiders are assured)",
                    ));
                }
                if phase.assures[..q].contains(&i) {
                    return Err(bad(
                        ak,
                        format!("{:?}", self.dynamics.names[i]),
                        "listed twice",
                    ));
                }
            }
            for (q, other) in self.phases[..p].iter().enumerate() {
                let shared = phase.parties.iter().any(|i| other.parties.contains(i));
                if shared && phase.start < other.end && other.start < phase.end {
                    return Err(bad(
                        key("start"),
                        phase.start,
                        &format!(
                            "overlaps phase[{q}] ({:?}, [{}, {})) for the same parties",
                            other.name,
                            num(other.start),
                            num(other.end)
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    fn check_spoilers(&self) -> Result<()> {
        let Some(s) = &self.spoilers else {
            return Ok(());
        };
        let n = self.n();
        let rate = non_negative("spoilers.rate", s.rate)?;
        if rate > MAX_RATE {
            return Err(bad(
                "spoilers.rate",
                rate,
                &format!("is absurdly high (at most {MAX_RATE} attacks per day)"),
            ));
        }
        non_negative("spoilers.magnitude", s.magnitude)?;
        if s.targets.is_empty() {
            return Err(Error::invalid(
                "spoilers.targets",
                "must name at least one actor",
            ));
        }
        for (q, &t) in s.targets.iter().enumerate() {
            actor(&format!("spoilers.targets[{q}]"), t, n)?;
        }
        actor("spoilers.accused", s.accused, n)?;
        probability("spoilers.attribution", s.attribution)?;
        non_negative("spoilers.attribution_delay", s.attribution_delay)?;
        if let Some(r) = s.phase_rate {
            let r = non_negative("spoilers.phase_rate", r)?;
            if r > MAX_RATE {
                return Err(bad(
                    "spoilers.phase_rate",
                    r,
                    &format!("is absurdly high (at most {MAX_RATE} attacks per day)"),
                ));
            }
        }
        Ok(())
    }

    fn check_incidents(&self) -> Result<()> {
        let Some(s) = &self.incidents else {
            return Ok(());
        };
        let n = self.n();
        let rate = non_negative("incidents.rate", s.rate)?;
        // μ x_i x_j with every intensity below the top rung's bound.
        let top = self.ladder.bound(self.ladder.top());
        let bound = rate * top * top * (n * n) as f64;
        if bound > MAX_RATE {
            return Err(bad(
                "incidents.rate",
                rate,
                &format!(
                    "is absurdly high: with {n} actors below intensity {} it allows {} incidents per day (at most {MAX_RATE})",
                    num(top),
                    num(bound)
                ),
            ));
        }
        non_negative("incidents.magnitude", s.magnitude)?;
        probability("incidents.misread", s.misread)?;
        if let Some(pairs) = &s.pairs {
            for (k, &(a, b)) in pairs.iter().enumerate() {
                actor(&format!("incidents.pairs[{k}][0]"), a, n)?;
                let kb = format!("incidents.pairs[{k}][1]");
                actor(&kb, b, n)?;
                if a == b {
                    return Err(bad(kb, b, "a pair needs two different actors"));
                }
                if pairs[..k]
                    .iter()
                    .any(|&(c, d)| (c, d) == (a, b) || (c, d) == (b, a))
                {
                    return Err(bad(
                        format!("incidents.pairs[{k}]"),
                        format!("[{a}, {b}]"),
                        "listed twice",
                    ));
                }
            }
        }
        Ok(())
    }

    fn check_hotline(&self) -> Result<()> {
        let Some(h) = &self.hotline else {
            return Ok(());
        };
        non_negative("hotline.start", h.start)?;
        if let Some(l) = h.lag {
            lag("hotline.lag", l)?;
        }
        if let Some(p) = h.attribution {
            probability("hotline.attribution", p)?;
        }
        if let Some(d) = h.attribution_delay {
            non_negative("hotline.attribution_delay", d)?;
        }
        if let Some(q) = h.misread {
            probability("hotline.misread", q)?;
        }
        Ok(())
    }

    fn check_agreements(&self) -> Result<()> {
        let n = self.n();
        let hold = |key: &str, d: f64| -> Result<()> {
            if d != 0.0 {
                duration(key, d, self.horizon)?;
            }
            Ok(())
        };
        for (k, ag) in self.agreements.iter().enumerate() {
            let key = |f: &str| format!("agreement[{k}].{f}");
            match ag.condition {
                Condition::Rung {
                    actor: watch,
                    below_rung,
                    for_days,
                } => {
                    actor(&key("when.actor"), watch, n)?;
                    let below = rung(&key("when.below_rung"), below_rung, self.ladder.top())?;
                    if below == 0 {
                        return Err(bad(
                            key("when.below_rung"),
                            0,
                            "no actor can be below rung 0; use 1 or more",
                        ));
                    }
                    non_negative(&key("when.for_days"), for_days)?;
                    hold(&key("when.for_days"), for_days)?;
                }
                Condition::At { day } => {
                    non_negative(&key("when.at"), day)?;
                }
                Condition::Agreement { index, for_days } => {
                    if index >= self.agreements.len() {
                        return Err(bad(
                            key("when.agreement"),
                            index,
                            &format!("no such agreement ({} agreements)", self.agreements.len()),
                        ));
                    }
                    if index == k {
                        return Err(bad(
                            key("when.agreement"),
                            format!("{:?}", ag.name),
                            "an agreement cannot answer itself",
                        ));
                    }
                    non_negative(&key("when.for_days"), for_days)?;
                    hold(&key("when.for_days"), for_days)?;
                }
            }
            if ag.effects.is_empty() {
                return Err(Error::invalid(key("then"), "must hold at least one effect"));
            }
            for (e, eff) in ag.effects.iter().enumerate() {
                let ek = |f: &str| {
                    if ag.effects.len() == 1 {
                        key(&format!("then.{f}"))
                    } else {
                        key(&format!("then[{e}].{f}"))
                    }
                };
                let i = actor(&ek("actor"), eff.actor, n)?;
                if eff.grievance.is_none() && eff.restraint.is_none() && eff.coupling.is_empty() {
                    return Err(Error::invalid(
                        ek("actor"),
                        "the effect must change `grievance`, `restraint` or `coupling`",
                    ));
                }
                if let Some(g) = eff.grievance {
                    finite(&ek("grievance"), g)?;
                }
                if let Some(r) = eff.restraint {
                    positive(&ek("restraint"), r)?;
                }
                for (q, &(j, v)) in eff.coupling.iter().enumerate() {
                    let ck = ek(&format!("coupling[{q}]"));
                    actor(&ck, j, n)?;
                    if j == i {
                        return Err(bad(ck, v, "self-coupling is not allowed"));
                    }
                    if eff.coupling[..q].iter().any(|&(c, _)| c == j) {
                        return Err(bad(ck, j, "listed twice"));
                    }
                    finite(&ck, v)?;
                }
                duration(&ek("for_days"), eff.days, self.horizon)?;
            }
        }
        Ok(())
    }

    /// Hardliners, resets, anxiety: each on an existing actor, at most once,
    /// with values in range; `[peace]`.
    fn check_politics(&self) -> Result<()> {
        let n = self.n();
        let mut seen = BTreeSet::new();
        for (k, h) in self.hardliners.iter().enumerate() {
            let i = actor(&format!("hardliners[{k}].actor"), h.actor, n)?;
            let key = |f: &str| format!("actor[{i}].hardliners.{f}");
            if !seen.insert(i) {
                return Err(bad(
                    key("actor"),
                    i,
                    "an actor has at most one set of hardliners",
                ));
            }
            non_negative(&key("feed"), h.feed)?;
            rate(&key("decay"), h.decay)?;
            non_negative(&key("weight"), h.weight)?;
            non_negative(&key("initial"), h.initial)?;
        }
        seen.clear();
        for (k, r) in self.resets.iter().enumerate() {
            let i = actor(&format!("resets[{k}].actor"), r.actor, n)?;
            let key = format!("actor[{i}].reset_rate");
            if !seen.insert(i) {
                return Err(bad(key, i, "an actor has at most one reset rate"));
            }
            non_negative(&key, r.rate)?;
        }
        seen.clear();
        for (k, a) in self.anxiety.iter().enumerate() {
            let i = actor(&format!("anxiety[{k}].actor"), a.actor, n)?;
            let key = format!("actor[{i}].anxiety");
            if !seen.insert(i) {
                return Err(bad(key, i, "an actor has at most one anxiety"));
            }
            non_negative(&key, a.level)?;
        }
        if let Some(p) = &self.peace {
            duration("peace.after_days", p.after_days, self.horizon)?;
            rate("peace.grievance_decay", p.grievance_decay)?;
        }
        Ok(())
    }
}
