//! Global sensitivity analysis of any function with several outputs:
//! Sobol' indices (Saltelli's design on scrambled Sobol' points; first
//! order by Saltelli 2010, total by Jansen 1999; bootstrap intervals) or
//! Morris screening (μ*, σ). [`super::study`] applies it to a model.
//!
//! The function is a closure `Fn(&[f64]) -> Result<Vec<f64>>`: one value
//! per output for one row of inputs. Rows are evaluated in parallel and
//! kept in row order, so the result does not depend on the number of
//! threads.
//!
//! # Example
//!
//! ```
//! use std::f64::consts::PI;
//! use escalation::experiments::sensitivity::{Method, SensitivityOptions, sensitivity};
//!
//! // Ishigami (a = 7, b = 0.1): S₁ ≈ (0.314, 0.442, 0), S_T ≈ (0.558, 0.442, 0.244).
//! let ishigami = |x: &[f64]| -> escalation::Result<Vec<f64>> {
//!     Ok(vec![x[0].sin() + 7.0 * x[1].sin().powi(2) + 0.1 * x[2].powi(4) * x[0].sin()])
//! };
//! let opts = SensitivityOptions { samples: 1024, ..SensitivityOptions::default() };
//! let names = ["x1".to_string(), "x2".into(), "x3".into()];
//! let r = sensitivity(&[[-PI, PI]; 3], &names, &["y".to_string()], ishigami, &opts).unwrap();
//! let s = r.sobol(0).unwrap();
//! assert!((s.first[1] - 0.442).abs() < 0.05 && (s.total[2] - 0.244).abs() < 0.05);
//! assert_eq!(r.report()["method"], "sobol");
//! ```

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::morris::{DEFAULT_LEVELS, MorrisDesign, MorrisIndices, MorrisOptions};
use super::saltelli::{SaltelliDesign, SobolIndices, SobolOptions};
use crate::error::{Error, Result};

/// The method of a sensitivity analysis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// Sobol' first-order and total indices.
    Sobol,
    /// Morris screening: μ*, σ.
    Morris,
}

impl Method {
    /// `sobol` or `morris`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Method::Sobol => "sobol",
            Method::Morris => "morris",
        }
    }

    /// Parses `sobol` or `morris`.
    ///
    /// # Errors
    /// [`Error::Invalid`] (key `method`) for anything else.
    pub fn parse(text: &str) -> Result<Self> {
        match text {
            "sobol" => Ok(Method::Sobol),
            "morris" => Ok(Method::Morris),
            _ => Err(Error::invalid(
                "method",
                format!("unknown method {text:?}: use sobol or morris"),
            )),
        }
    }
}

/// Settings of a sensitivity analysis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SensitivityOptions {
    /// Sobol' or Morris.
    pub method: Method,
    /// Sobol': base samples N (a power of two; N(D + 2) rows). Morris:
    /// trajectories r (at least 2; r(D + 1) rows).
    pub samples: usize,
    /// Morris grid levels p (even; default 4). Unused by Sobol'.
    pub levels: usize,
    /// Seed of the design (scrambling, trajectories) and of the bootstrap.
    pub seed: u64,
    /// Bootstrap resamples of the intervals (default 1000).
    pub resamples: usize,
    /// Confidence level of the intervals (default 0.95).
    pub level: f64,
}

impl Default for SensitivityOptions {
    fn default() -> Self {
        Self {
            method: Method::Sobol,
            samples: 512,
            levels: DEFAULT_LEVELS,
            seed: 0,
            resamples: 1000,
            level: 0.95,
        }
    }
}

/// Most rows of a design (10⁷): the rows are held in memory.
pub const MAX_ROWS: usize = 10_000_000;

/// The design of an analysis: its rows in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Design {
    /// Saltelli's design.
    Sobol(SaltelliDesign),
    /// Morris trajectories.
    Morris(MorrisDesign),
}

impl Design {
    /// The design for inputs on `bounds` with `opts`.
    ///
    /// # Errors
    /// [`Error::Invalid`] for bad bounds, a sample count that is not a
    /// power of two (Sobol') or below 2 (Morris), or bad levels.
    pub fn new(bounds: &[[f64; 2]], opts: &SensitivityOptions) -> Result<Self> {
        // The core names the count after its own argument; here it is `samples`.
        let samples = |e: Error| match e {
            Error::Invalid(mut inv) if inv.key == "n" || inv.key == "trajectories" => {
                inv.key = "samples".into();
                Error::Invalid(inv)
            }
            other => other,
        };
        Self::build(bounds, opts).map_err(samples)
    }

    fn build(bounds: &[[f64; 2]], opts: &SensitivityOptions) -> Result<Self> {
        let per = bounds.len() + if opts.method == Method::Sobol { 2 } else { 1 };
        if opts
            .samples
            .checked_mul(per)
            .is_none_or(|rows| rows > MAX_ROWS)
        {
            return Err(Error::invalid(
                "samples",
                format!(
                    "{} samples of {} inputs make more than the limit of {MAX_ROWS} rows",
                    opts.samples,
                    bounds.len()
                ),
            ));
        }
        match opts.method {
            Method::Sobol => Ok(Design::Sobol(SaltelliDesign::new(
                bounds,
                opts.samples,
                Some(opts.seed),
            )?)),
            Method::Morris => Ok(Design::Morris(MorrisDesign::new(
                bounds,
                opts.samples,
                opts.levels,
                opts.seed,
            )?)),
        }
    }

    /// The rows, in order.
    #[must_use]
    pub fn rows(&self) -> &[Vec<f64>] {
        match self {
            Design::Sobol(d) => d.rows(),
            Design::Morris(d) => d.rows(),
        }
    }
}

/// The indices of one output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum OutputIndices {
    /// Sobol' indices.
    Sobol(SobolIndices),
    /// Morris statistics.
    Morris(MorrisIndices),
    /// The output took one value on every row: no input moves it.
    Constant(f64),
}

/// The result of a sensitivity analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct SensitivityResult {
    /// Sobol' or Morris.
    pub method: Method,
    /// Base samples (Sobol') or trajectories (Morris).
    pub samples: usize,
    /// Rows evaluated.
    pub rows: usize,
    /// Names of the inputs.
    pub params: Vec<String>,
    /// Names of the outputs.
    pub outputs: Vec<String>,
    /// Per output, its indices.
    pub indices: Vec<OutputIndices>,
}

impl SensitivityResult {
    /// The Sobol' indices of output `k` (`None` for Morris or a constant output).
    #[must_use]
    pub fn sobol(&self, k: usize) -> Option<&SobolIndices> {
        match self.indices.get(k) {
            Some(OutputIndices::Sobol(s)) => Some(s),
            _ => None,
        }
    }

    /// The Morris statistics of output `k` (`None` for Sobol' or a constant output).
    #[must_use]
    pub fn morris(&self, k: usize) -> Option<&MorrisIndices> {
        match self.indices.get(k) {
            Some(OutputIndices::Morris(m)) => Some(m),
            _ => None,
        }
    }

    /// The report (`sensitivity --json`): `method`, `samples`, `rows`,
    /// `params`, `indices` (output → parameter → `{first, first_interval,
    /// total, total_interval}` for Sobol', `{mu_star, mu_star_interval,
    /// mu, sigma}` for Morris), and `constant` (output → its value, for
    /// outputs no input moves; they have no indices).
    #[must_use]
    pub fn report(&self) -> Value {
        let mut indices = Map::new();
        let mut constant = Map::new();
        for (name, ix) in self.outputs.iter().zip(&self.indices) {
            let mut per = Map::new();
            for (i, p) in self.params.iter().enumerate() {
                let v = match ix {
                    OutputIndices::Sobol(s) => json!({
                        "first": s.first[i],
                        "first_interval": s.first_interval[i],
                        "total": s.total[i],
                        "total_interval": s.total_interval[i],
                    }),
                    OutputIndices::Morris(m) => json!({
                        "mu_star": m.mu_star[i],
                        "mu_star_interval": m.mu_star_interval[i],
                        "mu": m.mu[i],
                        "sigma": m.sigma[i],
                    }),
                    OutputIndices::Constant(_) => continue,
                };
                per.insert(p.clone(), v);
            }
            match ix {
                OutputIndices::Constant(v) => {
                    constant.insert(name.clone(), json!(v));
                }
                _ => {
                    indices.insert(name.clone(), Value::Object(per));
                }
            }
        }
        json!({
            "method": self.method.name(),
            "samples": self.samples,
            "rows": self.rows,
            "params": self.params,
            "indices": indices,
            "constant": constant,
        })
    }
}

/// Evaluates `f` on `rows` in parallel, in row order; every result must
/// have `outputs` finite values.
///
/// # Errors
/// The first error of `f` (by row), or [`Error::Invalid`] naming the row
/// and output of a wrong length or a non-finite value.
pub fn evaluate<F>(rows: &[Vec<f64>], outputs: usize, f: F) -> Result<Vec<Vec<f64>>>
where
    F: Fn(&[f64]) -> Result<Vec<f64>> + Sync,
{
    rows.par_iter()
        .enumerate()
        .map(|(r, x)| {
            let y = f(x)?;
            check_row(r, &y, outputs)?;
            Ok(y)
        })
        .collect()
}

/// Checks one row's outputs: `outputs` values, all finite.
pub(crate) fn check_row(r: usize, y: &[f64], outputs: usize) -> Result<()> {
    if y.len() != outputs {
        return Err(Error::invalid(
            "outputs",
            format!("row {r} gave {} values for {outputs} outputs", y.len()),
        ));
    }
    if let Some(k) = y.iter().position(|v| !v.is_finite()) {
        return Err(Error::invalid(
            "outputs",
            format!("row {r}: output {k} is {}, not a finite number", y[k]),
        ));
    }
    Ok(())
}

/// The indices from the outputs of every row of `design` (`values[r][k]`:
/// output `k` at row `r`).
///
/// # Errors
/// [`Error::Invalid`] for a wrong number of rows or outputs, non-finite
/// values or bad options; an output that is constant on every row is
/// reported as [`OutputIndices::Constant`], not an error.
pub fn analyze(
    design: &Design,
    params: &[String],
    outputs: &[String],
    values: &[Vec<f64>],
    opts: &SensitivityOptions,
) -> Result<SensitivityResult> {
    let rows = design.rows();
    if values.len() != rows.len() {
        return Err(Error::invalid(
            "outputs",
            format!(
                "the design has {} rows, got outputs of {}",
                rows.len(),
                values.len()
            ),
        ));
    }
    let d = rows.first().map_or(0, Vec::len);
    if params.len() != d {
        return Err(Error::invalid(
            "params",
            format!("{} names for {d} inputs", params.len()),
        ));
    }
    for (r, y) in values.iter().enumerate() {
        check_row(r, y, outputs.len())?;
    }
    let mut indices = Vec::with_capacity(outputs.len());
    for (k, name) in outputs.iter().enumerate() {
        let y: Vec<f64> = values.iter().map(|row| row[k]).collect();
        if y.iter().all(|&v| v == y[0]) {
            indices.push(OutputIndices::Constant(y[0]));
            continue;
        }
        let named = |e: Error| match e {
            Error::Invalid(mut inv) => {
                inv.reason = format!("output {name}: {}", inv.reason);
                Error::Invalid(inv)
            }
            other => other,
        };
        let ix = match design {
            Design::Sobol(s) => OutputIndices::Sobol(
                s.analyze(
                    &y,
                    &SobolOptions {
                        resamples: opts.resamples,
                        level: opts.level,
                        seed: opts.seed,
                    },
                )
                .map_err(named)?,
            ),
            Design::Morris(m) => OutputIndices::Morris(
                m.analyze(
                    &y,
                    &MorrisOptions {
                        resamples: opts.resamples,
                        level: opts.level,
                        seed: opts.seed,
                    },
                )
                .map_err(named)?,
            ),
        };
        indices.push(ix);
    }
    Ok(SensitivityResult {
        method: opts.method,
        samples: opts.samples,
        rows: rows.len(),
        params: params.to_vec(),
        outputs: outputs.to_vec(),
        indices,
    })
}

/// The whole analysis of a closure: the design on `bounds` (one per input
/// named in `params`), `f` at every row in parallel, the indices of each
/// output named in `outputs`.
///
/// # Errors
/// As [`Design::new`], [`evaluate`] and [`analyze`].
pub fn sensitivity<F>(
    bounds: &[[f64; 2]],
    params: &[String],
    outputs: &[String],
    f: F,
    opts: &SensitivityOptions,
) -> Result<SensitivityResult>
where
    F: Fn(&[f64]) -> Result<Vec<f64>> + Sync,
{
    if params.len() != bounds.len() {
        return Err(Error::invalid(
            "params",
            format!("{} names for {} bounds", params.len(), bounds.len()),
        ));
    }
    if outputs.is_empty() {
        return Err(Error::invalid("outputs", "name at least one output"));
    }
    let design = Design::new(bounds, opts)?;
    let values = evaluate(design.rows(), outputs.len(), f)?;
    analyze(&design, params, outputs, &values, opts)
}
