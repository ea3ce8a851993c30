//! The inputs and outputs of a model sensitivity analysis
//! ([`super::study`]): factors (a parameter path and its range) and the
//! outputs a row can report.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Invalid, Result};
use crate::model::Model;
use crate::sweep::{ControllerField, Param};

/// An output of a model sensitivity analysis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// Critical gain γ* of the continuous loop (`analyze`'s `critical_gain`).
    CriticalGain,
    /// Spectral abscissa of the continuous loop at the baseline gain, 1/day.
    SpectralAbscissa,
    /// Spectral radius of the sampled loop (needs a controller).
    SampledSpectralRadius,
    /// Gain margin γ*/γ of the continuous loop.
    GainMargin,
    /// Fraction of the R runs that exploded.
    PExploded,
    /// Fraction of the R runs whose ceasefire collapsed.
    PCollapsed,
    /// Fraction of the R runs whose phase held (extended or expired).
    PHeld,
    /// Mean total cost per run, `Σᵢ ∫ xᵢ dt`, intensity·days.
    MeanCost,
}

impl Output {
    /// Every output, in the order of `docs/cli.md`.
    pub const ALL: [Output; 8] = [
        Output::CriticalGain,
        Output::SpectralAbscissa,
        Output::SampledSpectralRadius,
        Output::GainMargin,
        Output::PExploded,
        Output::PCollapsed,
        Output::PHeld,
        Output::MeanCost,
    ];

    /// The name on the command line and in JSON.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Output::CriticalGain => "critical_gain",
            Output::SpectralAbscissa => "spectral_abscissa",
            Output::SampledSpectralRadius => "sampled.spectral_radius",
            Output::GainMargin => "gain_margin",
            Output::PExploded => "p_exploded",
            Output::PCollapsed => "p_collapsed",
            Output::PHeld => "p_held",
            Output::MeanCost => "mean_cost",
        }
    }

    /// Parses an output name.
    ///
    /// # Errors
    /// [`Error::Invalid`] (key `output`) listing the names.
    pub fn parse(name: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|o| o.name() == name)
            .ok_or_else(|| {
                let all: Vec<&str> = Self::ALL.iter().map(|o| o.name()).collect();
                Invalid::new(
                    "output",
                    format!("unknown output (use one of: {})", all.join(", ")),
                )
                .value(name)
                .into()
            })
    }

    /// True for outputs estimated from runs.
    #[must_use]
    pub fn needs_runs(self) -> bool {
        matches!(
            self,
            Output::PExploded | Output::PCollapsed | Output::PHeld | Output::MeanCost
        )
    }
}

/// One uncertain input: a parameter path and its range `[lo, hi]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Factor {
    /// The path as written (`coupling.Iran.US`).
    pub path: String,
    /// The parameter.
    pub param: Param,
    /// Lower end of the range.
    pub lo: f64,
    /// Upper end of the range.
    pub hi: f64,
}

impl Factor {
    /// The factor `path` of `model` on `[lo, hi]`.
    ///
    /// # Errors
    /// [`Error::Invalid`] (key `param`) for an unknown path, `lo ≥ hi`, an
    /// end the parameter does not allow, or a whole-number parameter
    /// (`controller.lag`), which a continuous design cannot sample.
    pub fn new(model: &Model, path: &str, lo: f64, hi: f64) -> Result<Self> {
        let param = Param::parse(path, model)?;
        if param == Param::Controller(ControllerField::Lag) {
            return Err(Invalid::new(
                "param",
                "controller.lag takes whole numbers; a sensitivity design samples continuous ranges",
            )
            .value(path)
            .into());
        }
        param.check(lo)?;
        param.check(hi)?;
        if lo >= hi {
            return Err(Invalid::new("param", "the range needs LO < HI")
                .value(format!("{path}={lo}:{hi}"))
                .into());
        }
        Ok(Self {
            path: path.to_string(),
            param,
            lo,
            hi,
        })
    }

    /// Parses `PATH=LO:HI`.
    ///
    /// # Errors
    /// As [`Factor::new`], and for a spec not of that form.
    pub fn parse(spec: &str, model: &Model) -> Result<Self> {
        let bad = || -> Error {
            Invalid::new(
                "param",
                "expected PATH=LO:HI, e.g. coupling.Iran.US=0.2:0.5",
            )
            .value(spec)
            .into()
        };
        let (path, range) = spec.split_once('=').ok_or_else(bad)?;
        let (lo, hi) = range.split_once(':').ok_or_else(bad)?;
        let lo: f64 = lo.trim().parse().map_err(|_| bad())?;
        let hi: f64 = hi.trim().parse().map_err(|_| bad())?;
        Self::new(model, path.trim(), lo, hi)
    }
}

/// A factor as stored in a partial result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FactorSpec {
    /// Parameter path.
    pub path: String,
    /// Lower end.
    pub lo: f64,
    /// Upper end.
    pub hi: f64,
}
