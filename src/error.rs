//! One error type for the crate.
//!
//! Every fallible function returns [`Result`]. Errors caused by the caller's
//! input (a model, a scenario file, a data file, an argument) are kept apart
//! from numerical failures ([`NumericalError`], with fields), so that a
//! caller can tell them apart ([`Error::is_input_error`]). The library speaks
//! of its own names (`param`, `axis`, `runs`); the command-line tool
//! translates them into its flags and exit codes.

use std::fmt;
use std::path::PathBuf;

/// Where in a file a problem was found (1-based line and column).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Location {
    /// The file, when the input came from one.
    pub file: Option<PathBuf>,
    /// Line, 1-based.
    pub line: Option<usize>,
    /// Column, 1-based.
    pub column: Option<usize>,
}

impl Location {
    /// True when nothing is known about the location.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.file.is_none() && self.line.is_none()
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut wrote = false;
        if let Some(file) = &self.file {
            write!(f, "{}", file.display())?;
            wrote = true;
        }
        if let Some(line) = self.line {
            if wrote {
                write!(f, ":")?;
            }
            write!(f, "line {line}")?;
            if let Some(col) = self.column {
                write!(f, ", column {col}")?;
            }
        }
        Ok(())
    }
}

/// A value that failed validation: which key, what value, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Invalid {
    /// Dotted path of the offending key, e.g. `actor[1].restraint` or
    /// `coupling.US.Iran`, or the name of a command-line argument.
    pub key: String,
    /// The offending value as written, when there is one.
    pub value: Option<String>,
    /// Why it is rejected.
    pub reason: String,
    /// Where it was found.
    pub location: Location,
}

impl Invalid {
    /// A new validation failure for `key` with `reason`.
    pub fn new(key: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            value: None,
            reason: reason.into(),
            location: Location::default(),
        }
    }

    /// Attach the offending value. A number whose text is longer than 24
    /// characters (1e300 prints as 301 digits) is written in scientific
    /// notation, with at most 17 significant digits; any other text longer
    /// than 120 characters is cut, saying how much was left out.
    #[must_use]
    pub fn value(mut self, value: impl fmt::Display) -> Self {
        const MAX: usize = 120;
        let text = value.to_string();
        // Whole numbers (a count, an index) are exact as written, unless
        // the text is a float's own (`-462208674223752600` for -4.6e17:
        // at most 17 significant digits, then zeros), which reads back the
        // same in scientific notation.
        let whole = |t: &str| {
            t.parse::<i128>().is_ok() && t.parse::<f64>().map(|v| v.to_string()).as_deref() != Ok(t)
        };
        self.value = Some(match text.trim().parse::<f64>() {
            Ok(v) if text.len() > 17 && !whole(text.trim()) || text.len() > 40 => num(v),
            _ if text.chars().count() > MAX => {
                let head: String = text.chars().take(MAX).collect();
                format!("{head}… ({} more characters)", text.chars().count() - MAX)
            }
            _ => text,
        });
        self
    }
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.location.is_empty() {
            write!(f, "{}: ", self.location)?;
        }
        write!(f, "`{}`", self.key)?;
        if let Some(v) = &self.value {
            write!(f, " = {v}")?;
        }
        write!(f, ": {}", self.reason)
    }
}

/// A number as error messages print it: plain when no run of digits is
/// longer than 17 (`0.30000000000000004`), otherwise in scientific notation
/// (`1e300`, not 301 digits).
#[must_use]
pub fn num(v: f64) -> String {
    let plain = format!("{v}");
    let longest = plain
        .split(|c: char| !c.is_ascii_digit())
        .map(str::len)
        .max()
        .unwrap_or(0);
    if longest <= 17 {
        plain
    } else {
        format!("{v:e}")
    }
}

/// Everything that can go wrong in `escalation`.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A scenario value or an argument is invalid.
    #[error("invalid input: {0}")]
    Invalid(Box<Invalid>),

    /// A file could not be parsed at all (syntax, wrong types).
    #[error("cannot parse {location}: {message}")]
    Parse {
        /// Where.
        location: Location,
        /// The parser's explanation.
        message: String,
    },

    /// A data file (CSV for `fit`) is malformed or unusable.
    #[error("bad data in {location}: {message}")]
    Data {
        /// Where.
        location: Location,
        /// What is wrong.
        message: String,
    },

    /// Reading or writing a file failed.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was being done ("cannot read", "cannot write").
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },

    /// An output file exists and was not created by this crate (open the
    /// output folder with `force` to overwrite it).
    #[error("refusing to overwrite {0} (not created by escalation)")]
    WouldOverwrite(PathBuf),

    /// A numerical method failed (step limit, stiffness, no convergence, a
    /// value beyond the range of the arithmetic).
    #[error("numerical failure: {0}")]
    Numerical(NumericalError),

    /// Drawing or writing a figure failed.
    #[error("plotting failed: {0}")]
    Plot(String),

    /// The work was stopped through its cancellation flag before it
    /// finished ([`crate::ensemble::Cancel`], set by a front end when its
    /// user interrupts: the Python package on Ctrl-C).
    #[error("cancelled before the work finished")]
    Cancelled,
}

/// How a numerical method failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum NumericalError {
    /// The ODE solver took its whole step budget inside one interval.
    #[error(
        "the ODE solver reached its step limit ({steps} steps) {time} days into an interval of {interval} days; the scenario may be too stiff for the nonlinear solver"
    )]
    StepLimit {
        /// Days into the interval where it stopped.
        time: f64,
        /// Length of the interval, days.
        interval: f64,
        /// Steps taken.
        steps: u64,
    },
    /// The ODE solver detected stiffness.
    #[error(
        "the scenario is stiff (detected {time} days into an interval): Dopri5 cannot solve it efficiently; remove ceilings or negative couplings so the exact linear solver applies, or lower the restraint"
    )]
    Stiff {
        /// Days into the interval where it was detected.
        time: f64,
    },
    /// An iterative method stopped at its iteration cap.
    #[error("{method} did not converge after {iterations} iterations")]
    NoConvergence {
        /// The method (e.g. "the QR algorithm on a 6×6 matrix").
        method: String,
        /// Iterations taken.
        iterations: usize,
    },
    /// The sampled loop's companion matrix would be too large to analyse.
    #[error(
        "the sampled loop's companion matrix would have {size} rows, more than the limit of {limit} (actors × lagged states): shorten the lag (in periods) or lengthen the period"
    )]
    CompanionTooLarge {
        /// Rows it would have: actors × (lag + 2).
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// A result (or an intermediate value) is beyond the range of
    /// floating-point numbers.
    #[error("{quantity} is beyond the range of floating-point numbers ({cause})")]
    OutOfRange {
        /// What could not be computed.
        quantity: String,
        /// Which inputs make it so.
        cause: String,
    },
    /// A run generated more events or steps than it may.
    #[error(
        "the run was stopped at day {time:.6} after {steps} steps and {events} events: the scenario generates events faster than they can be simulated"
    )]
    TooManyEvents {
        /// Day the run was stopped.
        time: f64,
        /// Steps of the event loop.
        steps: u64,
        /// Events logged.
        events: usize,
    },
    /// Anything else (a singular system, an output that cannot be written).
    #[error("{0}")]
    Other(String),
}

impl From<NumericalError> for Error {
    fn from(e: NumericalError) -> Self {
        Error::Numerical(e)
    }
}

impl Error {
    /// Shorthand for an [`Error::Invalid`] with a key and a reason.
    pub fn invalid(key: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::Invalid(Box::new(Invalid::new(key, reason)))
    }

    /// Shorthand for an [`Error::Numerical`] described in words.
    pub fn numerical(message: impl Into<String>) -> Self {
        Error::Numerical(NumericalError::Other(message.into()))
    }

    /// True when the caller's input is at fault: an invalid value, a file
    /// that cannot be parsed or read, bad data, or an output that would
    /// overwrite a file this crate did not create. False for numerical,
    /// plotting and write failures, and for [`Error::Cancelled`].
    #[must_use]
    pub fn is_input_error(&self) -> bool {
        match self {
            Error::Invalid(_) | Error::Parse { .. } | Error::Data { .. } => true,
            Error::WouldOverwrite(_) => true,
            Error::Io { action, .. } => action.starts_with("cannot read"),
            Error::Numerical(_) | Error::Plot(_) | Error::Cancelled => false,
        }
    }
}

impl From<Invalid> for Error {
    fn from(v: Invalid) -> Self {
        Error::Invalid(Box::new(v))
    }
}

/// Rewrites an error message as every front end shows it (the command line
/// after `error: `, the Python package in its exceptions): decimal numbers longer than
/// 17 significant digits (or 24 characters) in scientific notation with at
/// most 17 significant digits, and the whole message cut to a readable
/// length.
pub fn tidy_message(msg: &str) -> String {
    const MAX: usize = 2000;
    let mut out = String::with_capacity(msg.len().min(MAX + 64));
    let chars: Vec<char> = msg.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let starts_number = c.is_ascii_digit()
            && (i == 0 || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '_'));
        if starts_number {
            let mut j = i;
            while j < chars.len() && (chars[j].is_ascii_digit() || chars[j] == '.') {
                j += 1;
            }
            // Leave exponents, identifiers, dotted versions and numbers cut
            // short by an ellipsis (a quoted line) alone.
            let glued = j < chars.len()
                && (chars[j].is_alphanumeric() || chars[j] == '_' || chars[j] == '…');
            let token: String = chars[i..j].iter().collect();
            let token = token.trim_end_matches('.');
            let j = i + token.chars().count();
            let digits = token
                .chars()
                .filter(char::is_ascii_digit)
                .skip_while(|d| *d == '0')
                .count();
            let long = (token.contains('.') && digits > 17) || token.len() > 24;
            if !glued
                && long
                && token.matches('.').count() <= 1
                && let Ok(v) = token.parse::<f64>()
            {
                out.push_str(&format!("{v:e}"));
            } else {
                out.push_str(token);
            }
            i = j;
            continue;
        }
        out.push(c);
        i += 1;
    }
    let n = out.chars().count();
    if n > MAX {
        let head: String = out.chars().take(MAX).collect();
        format!("{head}… ({} more characters)", n - MAX)
    } else {
        out
    }
}

/// `Result` with the crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The value rules shared by every check (`Model::check`, `Controller::check`,
/// sweep parameters): each returns the value or an [`Error::Invalid`] naming
/// `key`, with the same words everywhere.
pub(crate) mod rules {
    use super::{Error, Invalid, Result, num};
    use crate::limits::{MAX_LAG, MAX_STEPS, MIN_DURATION};

    /// A value as an error shows it: numbers with at most 17 significant
    /// digits ([`num`]), whole numbers and text as they are.
    pub trait Shown {
        fn shown(&self) -> String;
    }
    impl Shown for f64 {
        fn shown(&self) -> String {
            num(*self)
        }
    }
    impl Shown for usize {
        fn shown(&self) -> String {
            self.to_string()
        }
    }
    impl Shown for u64 {
        fn shown(&self) -> String {
            self.to_string()
        }
    }
    impl Shown for i32 {
        fn shown(&self) -> String {
            self.to_string()
        }
    }
    impl Shown for String {
        fn shown(&self) -> String {
            self.clone()
        }
    }
    impl Shown for &str {
        fn shown(&self) -> String {
            (*self).to_string()
        }
    }

    pub fn bad(key: impl Into<String>, value: impl Shown, reason: &str) -> Error {
        Invalid::new(key, reason).value(value.shown()).into()
    }

    pub fn finite(key: &str, v: f64) -> Result<f64> {
        if v.is_finite() {
            Ok(v)
        } else {
            Err(bad(key, num(v), "must be a finite number"))
        }
    }

    pub fn positive(key: &str, v: f64) -> Result<f64> {
        finite(key, v)?;
        if v > 0.0 {
            Ok(v)
        } else {
            Err(bad(key, num(v), "must be positive"))
        }
    }

    pub fn non_negative(key: &str, v: f64) -> Result<f64> {
        finite(key, v)?;
        if v >= 0.0 {
            Ok(v)
        } else {
            Err(bad(key, num(v), "must not be negative"))
        }
    }

    pub fn probability(key: &str, v: f64) -> Result<f64> {
        finite(key, v)?;
        if (0.0..=1.0).contains(&v) {
            Ok(v)
        } else {
            Err(bad(key, num(v), "must be a probability in [0, 1]"))
        }
    }

    /// A positive duration that is neither absurdly short nor would repeat more
    /// than [`MAX_STEPS`] times over `horizon`.
    pub fn duration(key: &str, v: f64, horizon: f64) -> Result<f64> {
        positive(key, v)?;
        if v < MIN_DURATION || horizon / v > MAX_STEPS {
            return Err(bad(
                key,
                num(v),
                &format!(
                    "is too short: at least {MIN_DURATION:e} days and at least horizon / {MAX_STEPS:e}"
                ),
            ));
        }
        Ok(v)
    }

    pub fn lag(key: &str, l: usize) -> Result<usize> {
        if l as u64 > MAX_LAG {
            return Err(bad(key, l, &format!("must be at most {MAX_LAG} periods")));
        }
        Ok(l)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_keep_whole_numbers_and_shorten_long_floats() {
        let v = |x: &dyn fmt::Display| Invalid::new("k", "r").value(x).value.unwrap();
        assert_eq!(v(&-4.622086742237526e17), "-4.622086742237526e17");
        assert_eq!(v(&1e20), "1e20");
        assert_eq!(v(&u64::MAX), "18446744073709551615");
        assert_eq!(v(&123_456_789_012_345_678u64), "123456789012345678");
        assert_eq!(v(&-0.5), "-0.5");
        assert_eq!(v(&1e16), "10000000000000000");
    }

    #[test]
    fn long_numbers_are_shortened() {
        let big = format!("{}", 1e300);
        let m = tidy_message(&format!("must be smaller than 1, got {big}"));
        assert_eq!(m, "must be smaller than 1, got 1e300");
        let small = format!("{}", 1.234e-200);
        assert_eq!(tidy_message(&small), "1.234e-200");
        // Ordinary numbers, integers, versions and names are kept.
        for keep in [
            "0.30000000000000004",
            "18446744073709551615",
            "line 12, column 3",
            "v1.2.3",
            "A1e5",
            "1e300",
        ] {
            assert_eq!(tidy_message(keep), keep);
        }
        assert!(tidy_message(&"x".repeat(5000)).contains("(3000 more characters)"));
        let cut = format!("(in `gain = {}… (10 more characters)`)", "9".repeat(113));
        assert_eq!(tidy_message(&cut), cut);
    }
}
