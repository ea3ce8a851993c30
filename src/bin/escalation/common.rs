//! Helpers shared by the commands: shards, threads, progress, stdout.

use std::io::{IsTerminal, Write};
use std::str::FromStr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

pub use escalation::error::tidy_message;
use escalation::model::Model;
use escalation::sweep::{Axis, Grid};
use escalation::{Error, Result};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// `K/N`: shard K (1-based) of N.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub k: u64,
    pub n: u64,
}

impl FromStr for Shard {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let (k, n) = s
            .split_once('/')
            .ok_or_else(|| format!("{s:?}: expected K/N, e.g. 3/10"))?;
        let k: u64 = k
            .trim()
            .parse()
            .map_err(|_| format!("{s:?}: K is not a whole number"))?;
        let n: u64 = n
            .trim()
            .parse()
            .map_err(|_| format!("{s:?}: N is not a whole number"))?;
        if n == 0 || k == 0 || k > n {
            return Err(format!("{s:?}: need 1 ≤ K ≤ N"));
        }
        Ok(Self { k, n })
    }
}

impl Shard {
    /// `(k - 1, n)` for the library.
    pub fn zero_based(self) -> (u64, u64) {
        (self.k - 1, self.n)
    }

    /// How many of `total` items fall in this shard (item `i` goes to shard `i % n`).
    pub fn count_of(self, total: u64) -> u64 {
        let k = self.k - 1;
        if total > k {
            (total - k).div_ceil(self.n)
        } else {
            0
        }
    }
}

pub use escalation::limits::check_threads;

/// A pool of `threads` workers (`None`: none, use rayon's global pool).
pub fn pool(threads: Option<usize>) -> Result<Option<rayon::ThreadPool>> {
    threads
        .map(|t| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(t)
                .build()
                .map_err(|e| Error::numerical(format!("cannot start {t} threads: {e}")))
        })
        .transpose()
}

/// The `--param` error `e` about `spec`, naming the parameter's path.
fn name_path(e: Error, spec: &str) -> Error {
    match e {
        Error::Invalid(mut inv) if ["param", "axis", "--param"].contains(&inv.key.as_str()) => {
            let path = spec.split_once('=').map_or(spec, |p| p.0).trim();
            if !path.is_empty() {
                inv.key = format!("--param {path}");
                if inv.value.as_deref() == Some(path) {
                    inv.value = None;
                }
            }
            Error::Invalid(inv)
        }
        other => other,
    }
}

/// One `--param PATH=START:STOP:COUNT`; errors name the path.
pub fn parse_axis(spec: &str, model: &Model) -> Result<Axis> {
    Axis::parse(spec, model).map_err(|e| name_path(e, spec))
}

/// A grid of `--param` axes; errors name the path.
pub fn parse_grid(specs: &[String], model: &Model) -> Result<Grid> {
    Grid::new(
        specs
            .iter()
            .map(|s| parse_axis(s, model))
            .collect::<Result<_>>()?,
    )
}

/// Seconds between plain progress lines.
const PLAIN_EVERY: Duration = Duration::from_secs(10);
/// No plain progress line before this much time has passed.
const PLAIN_AFTER: Duration = Duration::from_secs(1);

/// Progress of long work on stderr: indicatif's bar on a terminal; when
/// stderr is not a terminal (a log file), a plain line `what: done/total
/// (P%), T s elapsed` at every tenth of the work and at least every 10 s,
/// once the work has lasted a second. Nothing with `quiet`.
pub struct Progress {
    bar: Option<ProgressBar>,
    plain: Option<Plain>,
}

struct Plain {
    what: String,
    total: u64,
    done: AtomicU64,
    start: Instant,
    /// Time and tenth of the last line printed.
    last: Mutex<(Instant, u64)>,
    printed: AtomicBool,
}

impl Plain {
    fn line(&self, done: u64) -> String {
        let pct = if self.total == 0 {
            100.0
        } else {
            100.0 * done as f64 / self.total as f64
        };
        format!(
            "{}: {done}/{} ({pct:.0}%), {:.1} s elapsed",
            self.what,
            self.total,
            self.start.elapsed().as_secs_f64()
        )
    }

    fn tick(&self, n: u64) {
        let done = self.done.fetch_add(n, Ordering::Relaxed) + n;
        let now = Instant::now();
        if now.duration_since(self.start) < PLAIN_AFTER {
            return;
        }
        let tenth = done
            .saturating_mul(10)
            .checked_div(self.total)
            .map_or(10, |t| t.min(10));
        let Ok(mut last) = self.last.try_lock() else {
            return;
        };
        if tenth > last.1 || now.duration_since(last.0) >= PLAIN_EVERY {
            *last = (now, tenth);
            self.printed.store(true, Ordering::Relaxed);
            eprintln!("{}", self.line(done));
        }
    }
}

impl Progress {
    /// Progress over `total` units named `what` ("runs", "points").
    pub fn new(total: u64, quiet: bool, what: &str) -> Self {
        if quiet {
            return Self {
                bar: None,
                plain: None,
            };
        }
        if std::io::stderr().is_terminal() {
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
            if let Ok(style) = ProgressStyle::with_template(&format!(
                "{{bar:40}} {{pos}}/{{len}} {what} ({{eta}} left)"
            )) {
                bar.set_style(style);
            }
            Self {
                bar: Some(bar),
                plain: None,
            }
        } else {
            let start = Instant::now();
            Self {
                bar: None,
                plain: Some(Plain {
                    what: what.to_string(),
                    total,
                    done: AtomicU64::new(0),
                    start,
                    last: Mutex::new((start, 0)),
                    printed: AtomicBool::new(false),
                }),
            }
        }
    }

    /// `n` more units done (from any thread).
    pub fn inc(&self, n: u64) {
        if let Some(b) = &self.bar {
            b.inc(n);
        }
        if let Some(p) = &self.plain {
            p.tick(n);
        }
    }

    /// Clears the bar; after plain lines, prints the last one.
    pub fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
        if let Some(p) = &self.plain
            && p.printed.load(Ordering::Relaxed)
        {
            let done = p.done.load(Ordering::Relaxed);
            if p.last.lock().is_ok_and(|l| l.1 < 10) {
                eprintln!("{}", p.line(done));
            }
        }
    }
}

/// A line on stderr every 10 s while long work without a count runs
/// (`fit`), so that a log shows it is alive; stops when dropped.
pub struct Heartbeat {
    stop: Option<std::sync::mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Heartbeat {
    /// Starts the heartbeat for `what`, unless `quiet`.
    pub fn start(what: &str, quiet: bool) -> Self {
        if quiet {
            return Self {
                stop: None,
                thread: None,
            };
        }
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let what = what.to_string();
        let start = Instant::now();
        let thread = std::thread::spawn(move || {
            while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) = rx.recv_timeout(PLAIN_EVERY)
            {
                eprintln!(
                    "{what}: still working, {:.0} s elapsed",
                    start.elapsed().as_secs_f64()
                );
            }
        });
        Self {
            stop: Some(tx),
            thread: Some(thread),
        }
    }
}

impl Drop for Heartbeat {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Writes to stdout, mapping a closed pipe to an I/O error.
pub fn write_stdout(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes()).map_err(|source| Error::Io {
        action: "cannot write",
        path: "standard output".into(),
        source,
    })
}

/// A number for text and CSV output: Rust's shortest round-trip form,
/// in scientific notation when that form is longer than 32 characters
/// (1e300 is `1e300`, not 301 digits). Parsing it gives back the same bits.
pub fn num(v: f64) -> String {
    let plain = format!("{v}");
    if plain.len() <= 32 {
        plain
    } else {
        format!("{v:e}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_trip_and_stay_short() {
        for v in [0.0, 0.5, 1e300, -1e-300, 123456.789, 1e16, 1e-5, 0.1 + 0.2] {
            let s = num(v);
            assert!(s.len() <= 32, "{s}");
            assert_eq!(s.parse::<f64>().unwrap().to_bits(), v.to_bits());
        }
        assert_eq!(num(0.25), "0.25");
        assert_eq!(num(1e300), "1e300");
    }
}
