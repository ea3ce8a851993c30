//! Common random numbers: every random quantity of a run comes from its own
//! stream, keyed by (seed, run, mechanism).
//!
//! Stream `m` of run `r` with seed `s` is ChaCha8 seeded with
//! `seed_from_u64(splitmix64(s + id(m) · 0x9E3779B97F4A7C15))` and set to
//! stream number `r` (`rand_chacha`'s 64-bit stream selector). Each
//! mechanism draws the same number of values per occurrence whatever its
//! parameters (an attribution draws its uniform even when the target is the
//! accused), so changing one mechanism's parameters never moves another
//! mechanism's draws, and two runs that differ only in a parameter see the
//! same attacks, blame and incidents up to where the parameter acts. That is
//! what makes paired comparisons (`compare`) precise. `docs/experiments.md`
//! gives the ids.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// The generator of every random stream in the crate: ChaCha8.
pub type Rng = ChaCha8Rng;

/// The mechanisms that draw random numbers, each from its own stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Mechanism {
    /// Spoiler attack times: one unit exponential per attack, spent against
    /// the attack rate in force (id 1).
    AttackTimes,
    /// Which target an attack hits: one draw per attack (id 2).
    AttackTargets,
    /// Whether the victim blames the attack correctly: one uniform per
    /// attack, compared with the accuracy in force (id 3).
    Attribution,
    /// Incidents: candidate times of the bounding process, one unit
    /// exponential each (id 4).
    IncidentTimes,
    /// Incidents: the thinning uniform and the pair of each candidate (id 5).
    IncidentAccept,
    /// Incidents: whether an incident is misread, one uniform each (id 6).
    Misreading,
}

impl Mechanism {
    /// Every mechanism, in id order.
    pub const ALL: [Mechanism; 6] = [
        Mechanism::AttackTimes,
        Mechanism::AttackTargets,
        Mechanism::Attribution,
        Mechanism::IncidentTimes,
        Mechanism::IncidentAccept,
        Mechanism::Misreading,
    ];

    /// The stream id that keys this mechanism's draws (stable across versions).
    #[must_use]
    pub fn id(self) -> u64 {
        match self {
            Mechanism::AttackTimes => 1,
            Mechanism::AttackTargets => 2,
            Mechanism::Attribution => 3,
            Mechanism::IncidentTimes => 4,
            Mechanism::IncidentAccept => 5,
            Mechanism::Misreading => 6,
        }
    }

    fn index(self) -> usize {
        // ok: ids are 1..=6.
        (self.id() - 1) as usize
    }
}

/// SplitMix64's output function (Steele, Lea & Flood 2014).
fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The stream of `mechanism` in run `run` of an ensemble with seed `seed`
/// (run 0 is the one [`super::simulate`] uses).
///
/// # Example
///
/// ```
/// use rand::Rng as _;
/// use escalation::sim::{Mechanism, stream};
/// let a: f64 = stream(7, 3, Mechanism::AttackTimes).random();
/// let b: f64 = stream(7, 3, Mechanism::AttackTimes).random();
/// let c: f64 = stream(7, 3, Mechanism::Attribution).random();
/// assert_eq!(a, b);
/// assert_ne!(a, c);
/// ```
#[must_use]
pub fn stream(seed: u64, run: u64, mechanism: Mechanism) -> Rng {
    let key = splitmix64(seed.wrapping_add(mechanism.id().wrapping_mul(0x9E37_79B9_7F4A_7C15)));
    let mut rng = ChaCha8Rng::seed_from_u64(key);
    rng.set_stream(run);
    rng
}

/// The streams of one run, created when first drawn from.
#[derive(Debug, Clone)]
pub struct Streams {
    seed: u64,
    run: u64,
    rngs: [Option<Rng>; 6],
}

impl Streams {
    /// The streams of run `run` with seed `seed`.
    #[must_use]
    pub fn new(seed: u64, run: u64) -> Self {
        Self {
            seed,
            run,
            rngs: Default::default(),
        }
    }

    /// The stream of `mechanism`.
    pub fn get(&mut self, mechanism: Mechanism) -> &mut Rng {
        let (seed, run) = (self.seed, self.run);
        self.rngs[mechanism.index()].get_or_insert_with(|| stream(seed, run, mechanism))
    }

    /// The seed and run these streams belong to.
    #[must_use]
    pub fn key(&self) -> (u64, u64) {
        (self.seed, self.run)
    }
}
