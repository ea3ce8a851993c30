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
    /// Share `v ∈ [0, 1]` of a party's hidden stock ([`Reset`]) the others
    /// see while the phase is active.
    pub surveillance: f64,
    /// Outsiders whose security anxieties the phase accounts for: their
    /// [`Anxiety`] does not apply to it.
    pub assures: Vec<usize>,
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

/// A reversible, transaction-based agreement: when its [`Condition`] has
/// held, its [`Effect`]s take hold, each for its own number of days; while
/// any is on, the agreement is on. A reversible agreement whose condition
/// breaks withdraws every effect at once.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Agreement {
    /// Name for events (and `when.agreement` of another agreement).
    pub name: String,
    /// When the effects take hold.
    pub condition: Condition,
    /// What changes, on which actors.
    pub effects: Vec<Effect>,
    /// Withdraw every effect at once if the condition breaks.
    pub reversible: bool,
}

impl Agreement {
    /// Days the agreement stays on once it takes hold: its longest effect.
    #[must_use]
    pub fn effect_days(&self) -> f64 {
        self.effects.iter().map(|e| e.days).fold(0.0, f64::max)
    }
}

/// When an agreement's effects take hold.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    /// `actor` stays strictly below `below_rung` for `for_days` days.
    Rung {
        /// Whose rung is watched.
        actor: usize,
        /// The rung the actor must stay below.
        below_rung: usize,
        /// For this many days, continuously.
        for_days: f64,
    },
    /// From day `day` on, unconditionally (a front-loaded step such as a
    /// limited waiver).
    At {
        /// Day from which the condition holds.
        day: f64,
    },
    /// While agreement `index`'s effects are on, for `for_days` days
    /// (a chain: this agreement answers that one).
    Agreement {
        /// Index of the agreement answered.
        index: usize,
        /// For this many days, continuously.
        for_days: f64,
    },
}

impl Default for Condition {
    /// From day 0.
    fn default() -> Self {
        Self::At { day: 0.0 }
    }
}

impl Condition {
    /// Days the condition must hold before the effects take hold.
    #[must_use]
    pub fn for_days(&self) -> f64 {
        match *self {
            Self::Rung { for_days, .. } | Self::Agreement { for_days, .. } => for_days,
            Self::At { .. } => 0.0,
        }
    }
}

/// One effect of an agreement on one actor: a new grievance, restraint, or
/// entries of its coupling row while on.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Effect {
    /// Whose parameters change.
    pub actor: usize,
    /// New grievance while on, intensity/day.
    pub grievance: Option<f64>,
    /// New restraint while on, 1/day.
    pub restraint: Option<f64>,
    /// New coupling entries `(column, K)` of the actor's row while on, 1/day.
    pub coupling: Vec<(usize, f64)>,
    /// How long the effect lasts once the agreement takes hold, days.
    pub days: f64,
}

/// Political heat: hardliners who feed on an actor's intensity and raise
/// its grievance, `dh/dt = κ x − δ h`, grievance `g + η h`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Hardliners {
    /// Index of the actor.
    pub actor: usize,
    /// `κ ≥ 0`, heat per unit of intensity per day.
    pub feed: f64,
    /// `δ > 0`, 1/day.
    pub decay: f64,
    /// `η ≥ 0`, grievance per unit of heat.
    pub weight: f64,
    /// `h(0) ≥ 0`.
    pub initial: f64,
}

/// The tactical reset: while the actor is a party to an active phase a
/// hidden stock grows at `rate` (intensity/day); it is revealed when no
/// phase binds the actor any more, then decays at the actor's restraint.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Reset {
    /// Index of the actor.
    pub actor: usize,
    /// `r ≥ 0`, intensity/day.
    pub rate: f64,
}

/// Regional anxiety: while a phase the actor is not a party to (and that
/// does not assure it) is active, its grievance is raised by `level`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Anxiety {
    /// Index of the actor.
    pub actor: usize,
    /// `θ ≥ 0`, intensity/day.
    pub level: f64,
}

/// A positive peace: once every actor has stayed on rung 0 for
/// `after_days`, every positive grievance decays at `grievance_decay`
/// until the quiet breaks.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Peace {
    /// `D > 0`, days of quiet before grievances start to decay.
    pub after_days: f64,
    /// `ε > 0`, 1/day.
    pub grievance_decay: f64,
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
