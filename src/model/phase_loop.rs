//! The loop in force during a phase: what its gain, guarantee and proxy
//! control make of the baseline dynamics, as dynamics with unit gain that
//! every analysis can take.

use super::{Dynamics, Model};
use crate::error::{Error, Result};

/// Which part of a phase's life a loop describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PhaseStage {
    /// While the phase is active: its `gain` among the parties, its
    /// `guarantee` on their restraint, its `proxy_control`.
    During,
    /// After a passed verification test: as `During` with `verified_gain`.
    Verified,
    /// After the phase ended or collapsed: `after_gain` among the parties
    /// (the baseline without one); guarantee and proxy control lifted.
    After,
}

impl Model {
    /// The loop of phase `k` at `stage`, as dynamics with unit gain: the
    /// coupling among the parties scaled by the stage's gain and elsewhere by
    /// the baseline gain, each proxy's row and grievance scaled by
    /// `1 − control` (with the phase's `proxy_control` for proxies of
    /// parties), and each party's restraint raised by the `guarantee`.
    ///
    /// A model whose only phase binds every actor with gain `g` has, during
    /// the phase, the loop of the same model with baseline gain `g`.
    ///
    /// # Errors
    /// [`Error::Invalid`] for an invalid model or no phase `k`.
    ///
    /// # Example
    ///
    /// ```
    /// use escalation::prelude::*;
    /// use escalation::model::PhaseStage;
    /// let m = Model::builder()
    ///     .horizon(30.0)
    ///     .actor(ActorSpec::new("A", 0.5))
    ///     .actor(ActorSpec::new("B", 0.4))
    ///     .coupling("A", "B", 0.3)
    ///     .coupling("B", "A", 0.6)
    ///     .phase(PhaseSpec::new("truce", 0.0, 14.0, 0.2).parties(["A", "B"]).guarantee(0.1))
    ///     .build()?;
    /// let during = m.phase_loop(0, PhaseStage::During)?;
    /// assert!((during.coupling[(0, 1)] - 0.06).abs() < 1e-15);
    /// assert!((during.restraint[0] - 0.6).abs() < 1e-15);
    /// # Ok::<(), escalation::Error>(())
    /// ```
    pub fn phase_loop(&self, k: usize, stage: PhaseStage) -> Result<Dynamics> {
        self.check()?;
        let Some(p) = self.phases.get(k) else {
            return Err(Error::invalid(
                "phase",
                format!("no phase {k} ({} phases)", self.phases.len()),
            ));
        };
        let active = stage != PhaseStage::After;
        let mut control = self.control();
        if active && let Some(c) = p.proxy_control {
            for x in &self.proxies {
                if p.parties.contains(&x.patron) {
                    control[x.actor] = control[x.actor].max(c);
                }
            }
        }
        let mut d = self.dynamics.with_control(&control);
        // Hardliners in steady state (see `steady_dynamics`).
        for (i, h) in self.heat_load().into_iter().enumerate() {
            if h > 0.0 {
                let a = d.restraint[i] - h;
                if a <= 0.0 {
                    return Err(Error::numerical(format!(
                        "the hardliner loop of {} alone is explosive: it has no steady state",
                        d.names[i]
                    )));
                }
                d.restraint[i] = a;
            }
        }
        if active {
            for &i in &p.parties {
                d.restraint[i] += p.guarantee;
            }
            // Outsiders the phase does not assure are anxious while it holds.
            for ax in &self.anxiety {
                if !p.parties.contains(&ax.actor) && !p.assures.contains(&ax.actor) {
                    d.grievance[ax.actor] += ax.level;
                }
            }
        }
        let gain = match stage {
            PhaseStage::During => p.gain,
            PhaseStage::Verified => p.verified_gain.unwrap_or(p.gain),
            PhaseStage::After => p.after_gain.unwrap_or(self.dynamics.gain),
        };
        Ok(d.with_party_gain(&p.parties, gain))
    }
}
