//! The scenario mechanisms of a [`super::Model`]: gain schedules with
//! verification, spoilers, the hotline, agreements and proxies
//! (`docs/scenarios.md` gives each one's rule). Actors are referred to by
//! index; [`super::Model::check`] checks every index and value.

/// A gain schedule among `parties` on `[start, end)`; a ceasefire when its
/// gain is below the baseline.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Phase {
    /// Name, for events and sweeps.
    pub name: String,
    /// Start, days.
    pub start: f64,
    /// End, days.
    pub end: f64,
    /// Gain among parties during the phase.
    pub gain: f64,
    /// Indices of the parties.
    pub parties: Vec<usize>,
    /// Quiet-for-quiet test length from `start`, days.
    pub verify: Option<f64>,
    /// A party reaching this rung breaches the phase.
    pub breach_rung: Option<usize>,
    /// Extension by this many days when the phase held to its end.
    pub extend_days: Option<f64>,
    /// Gain among parties after the phase ends or collapses (`None`: baseline).
    pub after_gain: Option<f64>,
    /// What a misattributed attack on a party does: act through the
    /// victim's perception (`Respond`, the default) or breach at once.
    pub on_blame: OnBlame,
    /// A proxy whose patron is a party breaches on its patron's behalf when
    /// it reaches `breach_rung`.
    pub accountable: bool,
    /// While active, every proxy of a party has control `max(this, its own)`.
    pub proxy_control: Option<f64>,
    /// Gain among parties from a passed verification test to the end.
    pub verified_gain: Option<f64>,
    /// Share `D ∈ [0, 1]` of incidents between two parties that
    /// de-confliction zones prevent while the phase is active.
    pub deconfliction: f64,
    /// Added to each party's restraint while active, 1/day (the cost of
    /// breaking a guaranteed deal).
    pub guarantee: f64,
}

/// What a misattributed attack on a party of a phase does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OnBlame {
    /// It acts only through the victim's perception (a phantom); the phase
    /// breaks only if a party then reaches the breach rung.
    #[default]
    Respond,
    /// Blame on a party breaches the phase at once (cause `attack`).
    Breach,
}

impl Phase {
    /// True when both `i` and `j` are parties.
    #[must_use]
    pub fn binds(&self, i: usize, j: usize) -> bool {
        self.parties.contains(&i) && self.parties.contains(&j)
    }
}

/// Third-party attacks with an attribution problem.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Spoilers {
    /// Poisson rate, attacks per day.
    pub rate: f64,
    /// Perceived size of an attack, intensity.
    pub magnitude: f64,
    /// Indices of the actors attacked (one is drawn uniformly per attack).
    pub targets: Vec<usize>,
    /// Index of the actor blamed when attribution fails.
    pub accused: usize,
    /// Probability of correct attribution.
    pub attribution: f64,
    /// Days from attack to blame.
    pub attribution_delay: f64,
    /// Attack rate while a phase binding a target is active, per day
    /// (`None`: `rate`).
    pub phase_rate: Option<f64>,
}

/// Localized skirmishes between pairs of actors.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Incidents {
    /// `μ`: incidents between `i` and `j` occur at `μ x_i x_j (1 − D_ij)` per day.
    pub rate: f64,
    /// Perceived escalation of a misread incident, intensity.
    pub magnitude: f64,
    /// Probability an incident is misread.
    pub misread: f64,
    /// The pairs that can clash (`None`: every pair with a non-zero
    /// coupling in either direction).
    pub pairs: Option<Vec<(usize, usize)>>,
}

/// A crisis hotline from day `start`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Hotline {
    /// Day the hotline starts working.
    pub start: f64,
    /// Controller lag with the hotline, periods.
    pub lag: Option<usize>,
    /// Attribution accuracy with the hotline.
    pub attribution: Option<f64>,
    /// Attribution delay with the hotline, days.
    pub attribution_delay: Option<f64>,
    /// Probability an incident is misread with the hotline.
    pub misread: Option<f64>,
}

/// A reversible, transaction-based agreement.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Agreement {
    /// Name for events.
    pub name: String,
    /// Whose rung is watched.
    pub watch: usize,
    /// The watched actor must stay strictly below this rung…
    pub below_rung: usize,
    /// …for this many days.
    pub hold_days: f64,
    /// Whose parameters change.
    pub target: usize,
    /// New grievance while on.
    pub grievance: Option<f64>,
    /// New restraint while on.
    pub restraint: Option<f64>,
    /// How long the effect lasts, days.
    pub effect_days: f64,
    /// Withdraw at once if the condition breaks.
    pub reversible: bool,
}

/// A proxy: an actor whose patron removes the share `control` of its own
/// reaction (its coupling row) and grievance.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Proxy {
    /// Index of the proxy.
    pub actor: usize,
    /// Index of its patron.
    pub patron: usize,
    /// Share of the proxy's reaction and grievance its patron removes, in `[0, 1]`.
    pub control: f64,
}
