//! One error type for the crate.
//!
//! Every fallible function returns [`Result`]. Errors caused by the user's
//! input (a scenario file, a data file, a command-line argument) are kept
//! apart from internal numerical failures, so that the command-line tool can
//! map them to exit code 2 (bad input) and 1 (internal failure).

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
        self.value = Some(match text.trim().parse::<f64>() {
            Ok(v) if text.len() > 24 => format!("{v:e}"),
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

    /// An output file exists and was not created by this tool; pass `--force`.
    #[error("refusing to overwrite {0} (not created by escalation; use --force)")]
    WouldOverwrite(PathBuf),

    /// A numerical method failed (no convergence, singular system, step limit).
    #[error("numerical failure: {0}")]
    Numerical(String),

    /// Drawing a plot failed.
    #[error("plotting failed: {0}")]
    Plot(String),
}

impl Error {
    /// Shorthand for an [`Error::Invalid`] with a key and a reason.
    pub fn invalid(key: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::Invalid(Box::new(Invalid::new(key, reason)))
    }

    /// The process exit code the command-line tool uses for this error:
    /// 2 for bad input (including unreadable input files), 1 for internal failures.
    #[must_use]
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Invalid(_) | Error::Parse { .. } | Error::Data { .. } => 2,
            Error::WouldOverwrite(_) => 2,
            Error::Io { action, .. } if action.starts_with("cannot read") => 2,
            Error::Io { .. } | Error::Numerical(_) | Error::Plot(_) => 1,
        }
    }
}

impl From<Invalid> for Error {
    fn from(v: Invalid) -> Self {
        Error::Invalid(Box::new(v))
    }
}

/// `Result` with the crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
