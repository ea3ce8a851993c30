//! Scenario files: the TOML/JSON format of `docs/scenarios.md`, read into a
//! [`Scenario`] with errors that carry the file, line and column, and
//! compiled into a [`Model`] (names resolved, then [`Model::check`]).
//!
//! # Example
//!
//! ```
//! use escalation::scenario::Scenario;
//! let s = Scenario::from_toml_str(r#"
//!     horizon = 30.0
//!     [[actor]]
//!     name = "A"
//!     restraint = 0.5
//!     [[actor]]
//!     name = "B"
//!     restraint = 0.4
//!     [coupling]
//!     A = { B = 0.3 }
//!     B = { A = 0.6 }
//! "#).unwrap();
//! let model = s.compile().unwrap();
//! assert_eq!(model.n(), 2);
//! ```

mod locate;

use std::path::Path;

pub use crate::limits::{MAX_HORIZON, MAX_LAG, MAX_RATE, MAX_STEPS, MIN_DURATION};
pub use crate::model::{
    ActorSpec, AgreementSpec, ConditionSpec, ControllerSpec, EffectSpec, HotlineSpec, LadderSpec,
    PhaseSpec, Scenario, SpoilerSpec, Whole,
};

use crate::error::{Error, Location, Result};
use crate::model::Model;

/// The two file formats of a scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// TOML (the default).
    Toml,
    /// JSON with the same structure.
    Json,
}

impl Format {
    /// `Json` for a `.json` extension, otherwise `Toml`.
    #[must_use]
    pub fn from_path(path: &Path) -> Self {
        match path.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("json") => Format::Json,
            _ => Format::Toml,
        }
    }
}

/// Longest quoted source line in a parse error, characters.
const MAX_QUOTE: usize = 120;
/// Longest parser message, characters (a message may quote a long value).
const MAX_MESSAGE: usize = 300;

/// `text` cut to `max` characters, with an ellipsis and the number of
/// characters left out when cut.
fn clip(text: &str, max: usize) -> String {
    let total = text.chars().count();
    if total <= max {
        return text.to_string();
    }
    let head: String = text.chars().take(max).collect();
    format!("{head}… ({} more characters)", total - max)
}

impl Scenario {
    /// Parses TOML text (structure only; call [`Scenario::compile`] to validate values).
    ///
    /// # Errors
    /// [`Error::Parse`] with line and column.
    pub fn from_toml_str(text: &str) -> Result<Self> {
        toml::from_str(text).map_err(|e| {
            let (line, column) = match e.span() {
                Some(span) => {
                    let (l, c) = locate::line_col(text, span.start);
                    (Some(l), Some(c))
                }
                None => (None, None),
            };
            // toml's message does not name the key: quote the offending
            // line, cut to a readable length.
            let mut message = clip(e.message().trim(), MAX_MESSAGE);
            if let Some(l) = line
                && let Some(src) = text.lines().nth(l - 1)
                && !src.trim().is_empty()
            {
                message = format!("{message} (in `{}`)", clip(src.trim(), MAX_QUOTE));
            }
            Error::Parse {
                location: Location {
                    file: None,
                    line,
                    column,
                },
                message,
            }
        })
    }

    /// Parses JSON text with the same structure as the TOML format.
    ///
    /// # Errors
    /// [`Error::Parse`] with line and column.
    pub fn from_json_str(text: &str) -> Result<Self> {
        let located = |e: &serde_json::Error, path: &str| {
            let message = clip(&e.to_string(), MAX_MESSAGE);
            Error::Parse {
                location: Location {
                    file: None,
                    line: Some(e.line()),
                    column: Some(e.column()),
                },
                // Name the key path of a type error (`actor[1].restraint`).
                message: if path.is_empty() || path == "." {
                    message
                } else {
                    format!("`{path}`: {message}")
                },
            }
        };
        let mut de = serde_json::Deserializer::from_str(text);
        let scenario: Self = serde_path_to_error::deserialize(&mut de)
            .map_err(|e| located(e.inner(), &e.path().to_string()))?;
        de.end().map_err(|e| located(&e, ""))?;
        Ok(scenario)
    }

    /// Parses `text` in `format` and validates it into a [`Model`]; a
    /// validation error in TOML text gets the line and column of its key.
    ///
    /// # Errors
    /// [`Error::Parse`] or [`Error::Invalid`].
    ///
    /// # Example
    ///
    /// The format is that of the scenario files (`docs/scenarios.md`):
    ///
    /// ```
    /// use escalation::prelude::*;
    ///
    /// let text = r#"
    /// name = "dyad"
    /// horizon = 100.0
    ///
    /// [[actor]]
    /// name = "A"
    /// restraint = 0.5
    ///
    /// [[actor]]
    /// name = "B"
    /// restraint = 0.4
    ///
    /// [coupling]
    /// A = { B = 0.3 }
    /// B = { A = 0.6 }
    ///
    /// [[phase]]
    /// name = "ceasefire"
    /// start = 10.0
    /// end = 24.0
    /// gain = 0.3
    /// parties = ["A", "B"]
    /// "#;
    /// let (spec, model) = Scenario::compile_str(text, Format::Toml)?;
    /// assert_eq!(spec.name, "dyad");
    /// assert_eq!(model.dynamics.names, ["A", "B"]);
    /// assert_eq!(model.phases[0].parties, [0, 1]); // names became indices
    ///
    /// // The same scenario as JSON compiles to the same model.
    /// let json = serde_json::to_string(&spec).unwrap();
    /// assert_eq!(Scenario::compile_str(&json, Format::Json)?.1, model);
    ///
    /// // An error names the key and, in TOML, its line.
    /// let bad = text.replace("restraint = 0.4", "restraint = -0.4");
    /// let err = Scenario::compile_str(&bad, Format::Toml).unwrap_err();
    /// assert!(err.to_string().contains("actor[1].restraint"), "{err}");
    /// # Ok::<(), escalation::Error>(())
    /// ```
    pub fn compile_str(text: &str, format: Format) -> Result<(Self, Model)> {
        let scenario = match format {
            Format::Toml => Self::from_toml_str(text)?,
            Format::Json => Self::from_json_str(text)?,
        };
        match scenario.compile() {
            Ok(model) => Ok((scenario, model)),
            Err(Error::Invalid(mut inv)) => {
                if format == Format::Toml
                    && let Some((line, column)) = locate::find(text, &inv.key)
                {
                    inv.location.line = Some(line);
                    inv.location.column = Some(column);
                }
                Err(Error::Invalid(inv))
            }
            Err(e) => Err(e),
        }
    }

    /// Reads (at most [`crate::output::MAX_SCENARIO_BYTES`]), parses and validates a scenario file (`.json` is JSON, anything
    /// else TOML). Errors carry the file name, and for TOML the line.
    ///
    /// # Errors
    /// [`Error::Io`], [`Error::Parse`] or [`Error::Invalid`].
    ///
    /// # Example
    ///
    /// A scenario written to a file and read back (the repository's own
    /// scenarios are in `examples/scenarios/`):
    ///
    /// ```
    /// use escalation::prelude::*;
    ///
    /// let model = Model::builder()
    ///     .name("dyad")
    ///     .horizon(100.0)
    ///     .actor(ActorSpec::new("A", 0.5))
    ///     .actor(ActorSpec::new("B", 0.4))
    ///     .coupling("A", "B", 0.3);
    /// let path = std::env::temp_dir().join(format!("escalation-doc-{}.toml", std::process::id()));
    /// std::fs::write(&path, model.scenario().to_toml_string()?)?;
    /// let (spec, loaded) = Scenario::load(&path)?;
    /// assert_eq!(&spec, model.scenario());
    /// assert_eq!(loaded, model.build()?);
    /// std::fs::remove_file(&path)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn load(path: impl AsRef<Path>) -> Result<(Self, Model)> {
        let path = path.as_ref();
        let text =
            crate::output::read_capped(path, crate::output::MAX_SCENARIO_BYTES, "scenario file")?;
        Self::compile_str(&text, Format::from_path(path)).map_err(|e| match e {
            Error::Invalid(mut inv) => {
                inv.location.file = Some(path.to_path_buf());
                Error::Invalid(inv)
            }
            Error::Parse {
                mut location,
                message,
            } => {
                location.file = Some(path.to_path_buf());
                Error::Parse { location, message }
            }
            other => other,
        })
    }

    /// Serializes to TOML.
    ///
    /// # Errors
    /// [`Error::Numerical`] if a value cannot be written (never for a valid scenario).
    pub fn to_toml_string(&self) -> Result<String> {
        toml::to_string_pretty(self).map_err(|e| Error::numerical(format!("TOML output: {e}")))
    }

    /// Serializes to pretty JSON.
    ///
    /// # Errors
    /// [`Error::Numerical`] if a value cannot be written (NaN has no JSON form).
    pub fn to_json_string(&self) -> Result<String> {
        serde_json::to_string_pretty(self)
            .map_err(|e| Error::numerical(format!("JSON output: {e}")))
    }
}
