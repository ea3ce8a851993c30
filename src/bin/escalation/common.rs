//! Helpers shared by the commands: shards, progress bars, stdout.

use std::io::Write;
use std::str::FromStr;

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

/// A progress bar on stderr, hidden when `quiet` or when stderr is not a terminal.
pub fn progress_bar(len: u64, quiet: bool, what: &str) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    if quiet {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    if let Ok(style) =
        ProgressStyle::with_template(&format!("{{bar:40}} {{pos}}/{{len}} {what} ({{eta}} left)"))
    {
        bar.set_style(style);
    }
    bar
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
