//! Events of a run and its outcome.

use serde::Serialize;

/// How a run ended: the first that applies (`docs/scenarios.md`, "Outcomes").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The top rung was reached (or the state overflowed).
    Exploded,
    /// A ceasefire phase broke before its end.
    Collapsed,
    /// A phase held to its end and was extended at least once.
    Extended,
    /// A phase held to its end (or to the horizon) and was not extended.
    Expired,
    /// No phase began.
    None,
}

impl Outcome {
    /// All outcomes, in order of precedence.
    pub const ALL: [Outcome; 5] = [
        Outcome::Exploded,
        Outcome::Collapsed,
        Outcome::Extended,
        Outcome::Expired,
        Outcome::None,
    ];

    /// The lowercase name used in JSON.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Exploded => "exploded",
            Outcome::Collapsed => "collapsed",
            Outcome::Extended => "extended",
            Outcome::Expired => "expired",
            Outcome::None => "none",
        }
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Something that happened at time `t` (days).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    /// Time, days.
    pub t: f64,
    /// What happened.
    #[serde(flatten)]
    pub kind: EventKind,
}

/// The kinds of event, serialized with a `kind` tag and their details.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum EventKind {
    /// An actor moved to another rung.
    Rung {
        /// Actor.
        actor: String,
        /// Old rung.
        from: usize,
        /// New rung.
        to: usize,
        /// Name of the new rung.
        name: String,
    },
    /// The top rung was reached or the state overflowed.
    Explosion {
        /// The actor that got there first.
        actor: String,
        /// Its intensity.
        intensity: f64,
    },
    /// A phase began.
    PhaseStart {
        /// Phase name.
        phase: String,
        /// Gain among its parties.
        gain: f64,
    },
    /// A phase passed its quiet-for-quiet test.
    VerificationPassed {
        /// Phase name.
        phase: String,
    },
    /// A phase was breached.
    Breach {
        /// Phase name.
        phase: String,
        /// The party blamed for the breach.
        actor: String,
        /// Why: `"rung"` (a party reached the breach rung), `"proxy"` (an
        /// accountable phase's proxy of the party reached it) or `"attack"`
        /// (an attack was attributed to a party, under `on_blame = "breach"`).
        cause: String,
        /// The proxy that breached on the party's behalf (cause `"proxy"`).
        #[serde(skip_serializing_if = "Option::is_none")]
        by: Option<String>,
    },
    /// A phase failed its quiet-for-quiet test: an attack was blamed on a party.
    VerificationFailed {
        /// Phase name.
        phase: String,
        /// The party blamed.
        actor: String,
    },
    /// A localized skirmish between two actors.
    Incident {
        /// The two actors.
        actors: [String; 2],
        /// Whether it was misread (each side then perceives the other as
        /// having escalated by the incident magnitude).
        misread: bool,
    },
    /// A phase collapsed; the gain among its parties became `gain`.
    Collapse {
        /// Phase name.
        phase: String,
        /// Gain among parties from now on.
        gain: f64,
    },
    /// A phase that held was extended.
    Extended {
        /// Phase name.
        phase: String,
        /// New end, days.
        until: f64,
    },
    /// A phase ended without extension.
    PhaseEnd {
        /// Phase name.
        phase: String,
        /// Gain among parties from now on.
        gain: f64,
    },
    /// A spoiler attacked.
    Attack {
        /// The actor attacked.
        target: String,
        /// Perceived size, intensity.
        magnitude: f64,
    },
    /// The victim of an attack assigned blame.
    Attribution {
        /// The victim.
        victim: String,
        /// Who was blamed: `"spoiler"` or an actor's name.
        blamed: String,
        /// Whether the blame was correct.
        correct: bool,
        /// When the attack happened, days.
        attack_time: f64,
    },
    /// The hotline started working.
    HotlineStart,
    /// An agreement's effect took hold.
    AgreementOn {
        /// Agreement name.
        agreement: String,
        /// Until when, days.
        until: f64,
    },
    /// An agreement's effect ended.
    AgreementOff {
        /// Agreement name.
        agreement: String,
        /// `"expired"` or `"withdrawn"` (the condition broke).
        reason: String,
    },
    /// A hidden stock built during a phase came to light (the phase ended
    /// or collapsed).
    Revealed {
        /// Whose stock.
        actor: String,
        /// Its size, intensity.
        stock: f64,
    },
    /// Every actor has stayed on rung 0 for `[peace] after_days`: positive
    /// grievances start to decay.
    PeaceHolds,
    /// The quiet broke: grievances stop decaying.
    PeaceBroken,
}

impl EventKind {
    /// The kind's name, as the `kind` key of the JSON (`"phase_start"`, …).
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::Rung { .. } => "rung",
            EventKind::Explosion { .. } => "explosion",
            EventKind::PhaseStart { .. } => "phase_start",
            EventKind::VerificationPassed { .. } => "verification_passed",
            EventKind::VerificationFailed { .. } => "verification_failed",
            EventKind::Breach { .. } => "breach",
            EventKind::Collapse { .. } => "collapse",
            EventKind::Extended { .. } => "extended",
            EventKind::PhaseEnd { .. } => "phase_end",
            EventKind::Attack { .. } => "attack",
            EventKind::Attribution { .. } => "attribution",
            EventKind::Incident { .. } => "incident",
            EventKind::HotlineStart => "hotline_start",
            EventKind::AgreementOn { .. } => "agreement_on",
            EventKind::AgreementOff { .. } => "agreement_off",
            EventKind::Revealed { .. } => "revealed",
            EventKind::PeaceHolds => "peace_holds",
            EventKind::PeaceBroken => "peace_broken",
        }
    }
}

impl std::fmt::Display for Event {
    /// One line, e.g. `day 3.25: US moved from rung 2 to 3 (Proxy and covert action)`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "day {:.2}: {}", self.t, self.kind)
    }
}

impl std::fmt::Display for EventKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EventKind::Rung {
                actor,
                from,
                to,
                name,
            } => write!(f, "{actor} moved from rung {from} to {to} ({name})"),
            EventKind::Explosion { actor, intensity } => {
                write!(f, "explosion: {actor} reached intensity {intensity:.3}")
            }
            EventKind::PhaseStart { phase, gain } => {
                write!(f, "phase {phase} began (gain {gain} among its parties)")
            }
            EventKind::VerificationPassed { phase } => {
                write!(f, "phase {phase} passed its quiet-for-quiet test")
            }
            EventKind::Breach {
                phase,
                actor,
                cause,
                by,
            } => match by {
                Some(proxy) => write!(
                    f,
                    "phase {phase} breached by {actor}'s proxy {proxy} ({cause})"
                ),
                None => write!(f, "phase {phase} breached by {actor} ({cause})"),
            },
            EventKind::VerificationFailed { phase, actor } => write!(
                f,
                "phase {phase} failed its quiet-for-quiet test (an attack was blamed on {actor})"
            ),
            EventKind::Incident { actors, misread } => {
                let how = if *misread {
                    "misread"
                } else {
                    "read correctly"
                };
                write!(
                    f,
                    "incident between {} and {} ({how})",
                    actors[0], actors[1]
                )
            }
            EventKind::Collapse { phase, gain } => {
                write!(f, "phase {phase} collapsed (gain {gain} from now on)")
            }
            EventKind::Extended { phase, until } => {
                write!(f, "phase {phase} held and was extended to day {until}")
            }
            EventKind::PhaseEnd { phase, gain } => {
                write!(f, "phase {phase} ended (gain {gain} from now on)")
            }
            EventKind::Attack { target, magnitude } => {
                write!(f, "spoiler attack on {target} (magnitude {magnitude})")
            }
            EventKind::Attribution {
                victim,
                blamed,
                correct,
                attack_time,
            } => {
                let how = if *correct { "correctly" } else { "wrongly" };
                write!(
                    f,
                    "{victim} blamed {blamed} ({how}) for the attack of day {attack_time:.2}"
                )
            }
            EventKind::HotlineStart => f.write_str("the hotline began working"),
            EventKind::AgreementOn { agreement, until } => {
                write!(f, "agreement {agreement} took hold until day {until:.2}")
            }
            EventKind::AgreementOff { agreement, reason } => {
                write!(f, "agreement {agreement} ended ({reason})")
            }
            EventKind::Revealed { actor, stock } => {
                write!(f, "{actor}'s hidden build-up of {stock:.3} came to light")
            }
            EventKind::PeaceHolds => f.write_str("the quiet has lasted: grievances begin to decay"),
            EventKind::PeaceBroken => f.write_str("the quiet broke: grievances stop decaying"),
        }
    }
}
