//! The limits [`crate::model::Model::check`] enforces beyond signs and finiteness:
//! values past them are typos or would make a run or an analysis take
//! unbounded time (`docs/scenarios.md`, "Limits").

/// Longest horizon accepted, days (about 2,700 years): anything longer is a typo.
pub const MAX_HORIZON: f64 = 1.0e6;
/// Largest lag accepted, periods.
pub const MAX_LAG: u64 = 10_000;
/// Shortest duration accepted (periods, windows, timers), days: about 0.1 s.
/// Shorter ones are typos and would make a run take forever.
pub const MIN_DURATION: f64 = 1e-6;
/// Most decisions (or timer cycles) a run may need: `horizon / duration`.
pub const MAX_STEPS: f64 = 1e7;
/// Highest spoiler attack rate accepted, per day.
pub const MAX_RATE: f64 = 1000.0;
/// Most actors a model may have. The analyses cost `O(N³)` and a run
/// `O(N²)` per step; beyond this a model is refused before any work starts.
pub const MAX_ACTORS: usize = 256;
