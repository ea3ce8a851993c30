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

/// Most values a recorded run may keep: samples × (actors + 1) (a time
/// and one intensity per actor each; about 16 bytes per value with the
/// rungs, so at most about 320 MB). A longer record is refused before the
/// run starts, naming the shortest sample interval (`dt`) that fits.
pub const MAX_RECORDED_VALUES: f64 = 2.0e7;

/// Most worker threads accepted, whatever the machine.
pub const MAX_THREADS: usize = 1024;
/// Most worker threads accepted per available core.
pub const THREADS_PER_CORE: usize = 16;

/// Checks a thread count (`--threads`, the Python package's `threads=`):
/// at least 1, at most [`THREADS_PER_CORE`] per
/// available core and at most [`MAX_THREADS`].
///
/// # Errors
/// [`crate::Error::Invalid`] (key `threads`) outside those bounds.
pub fn check_threads(threads: Option<usize>) -> crate::Result<Option<usize>> {
    let Some(t) = threads else {
        return Ok(None);
    };
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let limit = MAX_THREADS.min(THREADS_PER_CORE * cores);
    if t == 0 {
        return Err(crate::Error::invalid("threads", "must be at least 1"));
    }
    if t > limit {
        return Err(crate::error::Invalid::new(
            "threads",
            format!(
                "at most {limit} ({THREADS_PER_CORE} per available core, {cores} here; never more than {MAX_THREADS})"
            ),
        )
        .value(t)
        .into());
    }
    Ok(Some(t))
}
