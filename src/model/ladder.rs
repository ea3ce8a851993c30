use serde::{Deserialize, Serialize};

use crate::error::{Error, Result, num};

/// One named rung: the interval of intensity from `from` up to the next rung's `from`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rung {
    /// Name shown in plots and events.
    pub name: String,
    /// Lower bound of the rung, intensity.
    pub from: f64,
    /// Kahn's threshold crossed when stepping onto this rung, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<String>,
}

/// The escalation ladder: named rungs of intensity, with optional hysteresis.
///
/// Reaching the top rung is an explosion.
///
/// # Example
///
/// ```
/// use escalation::model::Ladder;
/// let ladder = Ladder::standard();
/// assert_eq!(ladder.rung_of(3.2), 3);
/// assert_eq!(ladder.rungs()[3].name, "Proxy and covert action");
/// assert_eq!(ladder.top(), 6);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ladder {
    rungs: Vec<Rung>,
    hysteresis: f64,
}

const STANDARD: [(&str, f64); 7] = [
    ("Quiet", 0.0),
    ("Posturing", 1.0),
    ("Economic pressure", 2.0),
    ("Proxy and covert action", 3.0),
    ("Limited strikes", 4.0),
    ("Sustained strikes", 5.0),
    ("Regional war", 6.0),
];

/// Herman Kahn, *On Escalation: Metaphors and Scenarios* (1965): 44 rungs in
/// seven groups separated by six thresholds. The threshold is attached to the
/// first rung above it.
const KAHN: [(&str, Option<&str>); 44] = [
    ("Ostensible crisis", None),
    ("Political, economic and diplomatic gestures", None),
    ("Solemn and formal declarations", None),
    (
        "Hardening of positions: confrontation of wills",
        Some("Don't rock the boat"),
    ),
    ("Show of force", None),
    ("Significant mobilization", None),
    ("\"Legal\" harassment: retortions", None),
    ("Harassing acts of violence", None),
    ("Dramatic military confrontations", None),
    (
        "Provocative breaking off of diplomatic relations",
        Some("Nuclear war is unthinkable"),
    ),
    ("Super-ready status", None),
    ("Large conventional war (or actions)", None),
    ("Large compound escalation", None),
    ("Declaration of limited conventional war", None),
    ("Barely nuclear war", None),
    ("Nuclear \"ultimatums\"", None),
    ("Limited evacuation (about 20 percent)", None),
    ("Spectacular show or demonstration of force", None),
    ("\"Justifiable\" counterforce attack", None),
    ("\"Peaceful\" world-wide embargo or blockade", None),
    ("Local nuclear war: exemplary", Some("No nuclear use")),
    ("Declaration of limited nuclear war", None),
    ("Local nuclear war: military", None),
    ("Unusual, provocative and significant countermeasures", None),
    ("Evacuation (about 70 percent)", None),
    (
        "Demonstration attack on zone of interior",
        Some("Central sanctuary"),
    ),
    ("Exemplary attack on military", None),
    ("Exemplary attacks against property", None),
    ("Exemplary attacks on population", None),
    ("Complete evacuation (about 95 percent)", None),
    ("Reciprocal reprisals", None),
    ("Formal declaration of \"general\" war", Some("Central war")),
    ("Slow-motion counter-\"property\" war", None),
    ("Slow-motion counterforce war", None),
    ("Constrained force-reduction salvo", None),
    ("Constrained disarming attack", None),
    ("Counterforce-with-avoidance attack", None),
    ("Unmodified counterforce attack", None),
    ("Slow-motion countercity war", Some("City targeting")),
    ("Countervalue salvo", None),
    ("Augmented disarming attack", None),
    ("Civilian devastation attack", None),
    ("Some other kinds of controlled general war", None),
    ("Spasm or insensate war", None),
];

/// The groups of Kahn's ladder: (name, first rung index, 0-based).
pub const KAHN_GROUPS: [(&str, usize); 7] = [
    ("Subcrisis maneuvering", 0),
    ("Traditional crises", 3),
    ("Intense crises", 9),
    ("Bizarre crises", 20),
    ("Exemplary central attacks", 25),
    ("Military central wars", 31),
    ("Civilian central wars", 38),
];

impl Ladder {
    /// The default seven-rung ladder, one intensity unit per rung, no hysteresis.
    #[must_use]
    pub fn standard() -> Self {
        Self {
            rungs: STANDARD
                .iter()
                .map(|&(name, from)| Rung {
                    name: name.into(),
                    from,
                    threshold: None,
                })
                .collect(),
            hysteresis: 0.0,
        }
    }

    /// Kahn's 44-rung ladder spread over the same intensity range as the
    /// default ladder (0 to 6), so a scenario can switch presets without
    /// rescaling: rung `k` (0-based) starts at `6k/43`.
    #[must_use]
    pub fn kahn44() -> Self {
        Self {
            rungs: KAHN
                .iter()
                .enumerate()
                .map(|(k, &(name, th))| Rung {
                    name: name.into(),
                    from: 6.0 * k as f64 / 43.0,
                    threshold: th.map(String::from),
                })
                .collect(),
            hysteresis: 0.0,
        }
    }

    /// A custom ladder. Rungs must be at least two, start at 0 and strictly increase.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the offending rung.
    pub fn custom(rungs: Vec<Rung>) -> Result<Self> {
        check_rungs(&rungs)?;
        Ok(Self {
            rungs,
            hysteresis: 0.0,
        })
    }

    /// Checks the rungs and the hysteresis (a ladder read with serde is not
    /// checked on the way in).
    ///
    /// # Errors
    /// As [`Ladder::custom`] and [`Ladder::with_hysteresis`].
    pub fn check(&self) -> Result<()> {
        check_rungs(&self.rungs)?;
        check_hysteresis(&self.rungs, self.hysteresis)
    }

    /// Sets the hysteresis (intensity): stepping down from a rung needs the
    /// intensity below the rung's bound minus this amount.
    ///
    /// # Errors
    /// [`Error::Invalid`] when negative, not finite, or not smaller than the narrowest rung.
    pub fn with_hysteresis(mut self, h: f64) -> Result<Self> {
        check_hysteresis(&self.rungs, h)?;
        self.hysteresis = h;
        Ok(self)
    }

    /// The rungs, lowest first.
    #[must_use]
    pub fn rungs(&self) -> &[Rung] {
        &self.rungs
    }

    /// The hysteresis, intensity.
    #[must_use]
    pub fn hysteresis(&self) -> f64 {
        self.hysteresis
    }

    /// Index of the top rung; reaching it is an explosion.
    #[must_use]
    pub fn top(&self) -> usize {
        self.rungs.len() - 1
    }

    /// Lower bound of rung `r`, intensity (the top rung's bound for `r` past the top).
    #[must_use]
    pub fn bound(&self, r: usize) -> f64 {
        self.rungs[r.min(self.top())].from
    }

    /// The rung of intensity `x` without hysteresis (negative or NaN maps to 0).
    #[must_use]
    pub fn rung_of(&self, x: f64) -> usize {
        self.rungs.iter().rposition(|r| x >= r.from).unwrap_or(0)
    }

    /// The rung after observing `x` when the actor was on `current`: up at
    /// once when a higher bound is reached, down only below a bound minus
    /// the hysteresis.
    #[must_use]
    pub fn step(&self, current: usize, x: f64) -> usize {
        let mut r = current.min(self.top());
        while r < self.top() && x >= self.rungs[r + 1].from {
            r += 1;
        }
        while r > 0 && x < self.rungs[r].from - self.hysteresis {
            r -= 1;
        }
        r
    }
}

impl Default for Ladder {
    fn default() -> Self {
        Self::standard()
    }
}

/// Follows the rungs of all actors through time, with the ladder's hysteresis.
#[derive(Debug, Clone, PartialEq)]
pub struct RungTracker {
    /// Current rung of each actor.
    pub rungs: Vec<usize>,
}

impl RungTracker {
    /// Starts every actor on the rung of its initial intensity.
    #[must_use]
    pub fn new(ladder: &Ladder, x: &[f64]) -> Self {
        Self {
            rungs: x.iter().map(|&v| ladder.rung_of(v)).collect(),
        }
    }

    /// Updates with new intensities; returns the actors whose rung changed with
    /// their old and new rung.
    pub fn update(&mut self, ladder: &Ladder, x: &[f64]) -> Vec<(usize, usize, usize)> {
        let mut changed = Vec::new();
        for (i, r) in self.rungs.iter_mut().enumerate() {
            let new = ladder.step(*r, x[i]);
            if new != *r {
                changed.push((i, *r, new));
                *r = new;
            }
        }
        changed
    }
}

fn check_rungs(rungs: &[Rung]) -> Result<()> {
    if rungs.len() < 2 {
        return Err(Error::invalid(
            "ladder.rungs",
            "a ladder needs at least two rungs",
        ));
    }
    for (i, r) in rungs.iter().enumerate() {
        if !r.from.is_finite() {
            return Err(Error::invalid(
                format!("ladder.rungs[{i}].from"),
                "must be finite",
            ));
        }
        if i == 0 && r.from != 0.0 {
            return Err(Error::invalid(
                "ladder.rungs[0].from",
                format!("the first rung must start at 0, got {}", num(r.from)),
            ));
        }
        if i > 0 && r.from <= rungs[i - 1].from {
            return Err(Error::invalid(
                format!("ladder.rungs[{i}].from"),
                format!(
                    "rungs must strictly increase: {} after {}",
                    num(r.from),
                    num(rungs[i - 1].from)
                ),
            ));
        }
        if r.name.trim().is_empty() {
            return Err(Error::invalid(
                format!("ladder.rungs[{i}].name"),
                "must not be empty",
            ));
        }
    }
    Ok(())
}

fn check_hysteresis(rungs: &[Rung], h: f64) -> Result<()> {
    if !h.is_finite() || h < 0.0 {
        return Err(Error::invalid(
            "ladder.hysteresis",
            format!("must be a non-negative finite intensity, got {}", num(h)),
        ));
    }
    let narrowest = rungs
        .windows(2)
        .map(|w| w[1].from - w[0].from)
        .fold(f64::INFINITY, f64::min);
    if h >= narrowest {
        return Err(Error::invalid(
            "ladder.hysteresis",
            format!(
                "must be smaller than the narrowest rung ({}), got {}",
                num(narrowest),
                num(h)
            ),
        ));
    }
    Ok(())
}
