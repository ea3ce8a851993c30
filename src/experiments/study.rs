//! Sensitivity analysis of a model over sweep paths ([`crate::sweep::Param`]):
//! outputs from the linear analysis (`critical_gain`, `spectral_abscissa`,
//! `sampled.spectral_radius`, `gain_margin`, as `escalation analyze`
//! reports them at the baseline gain) and from runs (`p_exploded`,
//! `p_collapsed`, `p_held`, `mean_cost`: R runs per row on common random
//! numbers, run `r` of every row drawing from the streams of (seed, `r`)).
//!
//! # Example
//!
//! ```
//! use escalation::prelude::*;
//! use escalation::experiments::sensitivity::{Method, SensitivityOptions};
//! use escalation::experiments::study::{Factor, Output, Study, StudyExec};
//!
//! let toml = include_str!("../../examples/scenarios/islamabad.toml");
//! let (_, model) = Scenario::compile_str(toml, Format::Toml).unwrap();
//! let factors = vec![
//!     Factor::parse("coupling.Iran.US=0.2:0.5", &model).unwrap(),
//!     Factor::parse("actor.Iran.restraint=0.3:0.5", &model).unwrap(),
//! ];
//! let opts = SensitivityOptions { method: Method::Morris, samples: 4, ..Default::default() };
//! let study = Study::new(&model, factors, vec![Output::CriticalGain], 0, opts).unwrap();
//! let r = study.run(&model, &StudyExec::default(), None).unwrap();
//! let m = r.morris(0).unwrap();
//! assert!(m.mu_star.iter().all(|&v| v > 0.0));
//! ```

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::sensitivity::{Design, SensitivityOptions, SensitivityResult, analyze, check_row};
use crate::analysis::{
    analyze as analyze_model, critical_crossing, critical_gain, eigenvalues, gain_margin,
    sampled_stability,
};
use crate::ensemble::{Cancel, check_cancel};
use crate::error::{Error, Invalid, Result};
use crate::model::Model;
use crate::sim::{Outcome, SimOptions, Streams, simulate_checked};

pub use super::factors::{Factor, FactorSpec, Output};

/// The analysis outputs of one row (`None`: not asked for, or undefined).
#[derive(Debug, Default)]
struct Linear {
    critical: Option<f64>,
    margin: Option<f64>,
    abscissa: Option<f64>,
    radius: Option<f64>,
}

/// Everything that defines a model sensitivity analysis, as stored in a
/// partial result: two equal specs on the same model give the same rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StudySpec {
    /// The factors.
    pub params: Vec<FactorSpec>,
    /// Output names.
    pub outputs: Vec<String>,
    /// Runs per row (0 when no output needs runs).
    pub runs: u64,
    /// Method, samples, levels, seed, resamples, level.
    pub options: SensitivityOptions,
}

impl StudySpec {
    /// The design (the same as [`Study::design`] of the study this spec
    /// describes: it depends only on the ranges and the options).
    ///
    /// # Errors
    /// As [`Design::new`].
    pub fn design(&self) -> Result<Design> {
        let bounds: Vec<[f64; 2]> = self.params.iter().map(|f| [f.lo, f.hi]).collect();
        Design::new(&bounds, &self.options)
    }

    /// The indices from the outputs of every row (in row order).
    ///
    /// # Errors
    /// As [`analyze`].
    pub fn analyze(&self, values: &[Vec<f64>]) -> Result<SensitivityResult> {
        let names: Vec<String> = self.params.iter().map(|f| f.path.clone()).collect();
        analyze(
            &self.design()?,
            &names,
            &self.outputs,
            values,
            &self.options,
        )
    }
}

/// A model sensitivity analysis: factors, outputs, runs per row, options.
#[derive(Debug, Clone, PartialEq)]
pub struct Study {
    /// The uncertain inputs.
    pub factors: Vec<Factor>,
    /// The outputs.
    pub outputs: Vec<Output>,
    /// Runs per row for run outputs (run `r` of every row uses the streams
    /// of (`options.seed`, `r`)).
    pub runs: u64,
    /// Method and design settings; `seed` seeds the design, the bootstrap
    /// and the runs.
    pub options: SensitivityOptions,
}

/// How to execute a study.
#[derive(Debug, Clone)]
pub struct StudyExec {
    /// Worker threads; `None`: rayon's default. The result does not depend on it.
    pub threads: Option<usize>,
    /// Only shard `k` of `n` (0-based): rows `i` with `i % n == k`.
    pub shard: Option<(u64, u64)>,
    /// Simulation settings of each run (`record` is ignored).
    pub sim: SimOptions,
    /// Stops the work when set (checked before each row).
    pub cancel: Option<Cancel>,
}

impl Default for StudyExec {
    fn default() -> Self {
        Self {
            threads: None,
            shard: None,
            sim: SimOptions::ensemble(),
            cancel: None,
        }
    }
}

impl Study {
    /// A study of `model` (checked against it).
    ///
    /// # Errors
    /// [`Error::Invalid`] for no factor, a repeated factor, no output, a
    /// repeated output, `sampled.spectral_radius` without a controller, or
    /// run outputs with `runs == 0`.
    pub fn new(
        model: &Model,
        factors: Vec<Factor>,
        outputs: Vec<Output>,
        runs: u64,
        options: SensitivityOptions,
    ) -> Result<Self> {
        if factors.is_empty() {
            return Err(Error::invalid("param", "give at least one PATH=LO:HI"));
        }
        for (i, f) in factors.iter().enumerate() {
            f.param.validate(model)?;
            if factors[..i].iter().any(|g| g.param == f.param) {
                return Err(Invalid::new("param", "given twice").value(&f.path).into());
            }
        }
        if outputs.is_empty() {
            return Err(Error::invalid("output", "give at least one output"));
        }
        for (i, o) in outputs.iter().enumerate() {
            if outputs[..i].contains(o) {
                return Err(Invalid::new("output", "given twice").value(o.name()).into());
            }
            if *o == Output::SampledSpectralRadius && model.controller.is_none() {
                return Err(
                    Invalid::new("output", "needs a [controller] in the scenario")
                        .value(o.name())
                        .into(),
                );
            }
        }
        let needs_runs = outputs.iter().any(|o| o.needs_runs());
        if needs_runs && runs == 0 {
            return Err(Error::invalid(
                "runs",
                "run outputs (p_exploded, p_collapsed, p_held, mean_cost) need at least 1 run per sample",
            ));
        }
        Ok(Self {
            factors,
            outputs,
            runs: if needs_runs { runs } else { 0 },
            options,
        })
    }

    /// The study of a stored spec, on `model`.
    ///
    /// # Errors
    /// As [`Factor::new`], [`Output::parse`] and [`Study::new`].
    pub fn from_spec(model: &Model, spec: &StudySpec) -> Result<Self> {
        let factors = spec
            .params
            .iter()
            .map(|f| Factor::new(model, &f.path, f.lo, f.hi))
            .collect::<Result<_>>()?;
        let outputs = spec
            .outputs
            .iter()
            .map(|o| Output::parse(o))
            .collect::<Result<_>>()?;
        Self::new(model, factors, outputs, spec.runs, spec.options.clone())
    }

    /// The spec stored in partial results.
    #[must_use]
    pub fn spec(&self) -> StudySpec {
        StudySpec {
            params: self
                .factors
                .iter()
                .map(|f| FactorSpec {
                    path: f.path.clone(),
                    lo: f.lo,
                    hi: f.hi,
                })
                .collect(),
            outputs: self.output_names(),
            runs: self.runs,
            options: self.options.clone(),
        }
    }

    /// The output names.
    #[must_use]
    pub fn output_names(&self) -> Vec<String> {
        self.outputs.iter().map(|o| o.name().to_string()).collect()
    }

    /// The parameter paths.
    #[must_use]
    pub fn param_names(&self) -> Vec<String> {
        self.factors.iter().map(|f| f.path.clone()).collect()
    }

    /// The design (deterministic in the options).
    ///
    /// # Errors
    /// As [`Design::new`].
    pub fn design(&self) -> Result<Design> {
        let bounds: Vec<[f64; 2]> = self.factors.iter().map(|f| [f.lo, f.hi]).collect();
        Design::new(&bounds, &self.options)
    }

    /// The outputs of `model` with the factors set to `x` (one value per
    /// factor, in order). Run outputs use runs `0..runs` of the seed.
    ///
    /// # Errors
    /// [`Error::Invalid`] for a value the parameter refuses or an
    /// undefined analysis output (no critical gain); a run's error.
    pub fn outputs_at(&self, model: &Model, sim: &SimOptions, x: &[f64]) -> Result<Vec<f64>> {
        let mut m = model.clone();
        for (f, &v) in self.factors.iter().zip(x) {
            f.param.check(v)?;
            f.param.apply(&mut m, v);
        }
        m.check()?;
        let lin = self.linear_outputs(&m)?;
        let (mut exploded, mut collapsed, mut held, mut cost) = (0u64, 0u64, 0u64, 0.0);
        for r in 0..self.runs {
            let t = simulate_checked(&m, sim, Streams::new(self.options.seed, r))?;
            match t.outcome {
                Outcome::Exploded => exploded += 1,
                Outcome::Collapsed => collapsed += 1,
                Outcome::Extended | Outcome::Expired => held += 1,
                Outcome::None => {}
            }
            cost += t.cost.iter().sum::<f64>();
        }
        let runs = self.runs as f64;
        let undefined = |o: Output| -> Error {
            Invalid::new(
                "output",
                format!(
                    "{} is undefined at {} (no critical gain there, or no controller)",
                    o.name(),
                    self.describe(x)
                ),
            )
            .into()
        };
        self.outputs
            .iter()
            .map(|&o| {
                Ok(match o {
                    Output::CriticalGain => lin.critical.ok_or_else(|| undefined(o))?,
                    Output::GainMargin => lin.margin.ok_or_else(|| undefined(o))?,
                    Output::SpectralAbscissa => lin.abscissa.ok_or_else(|| undefined(o))?,
                    Output::SampledSpectralRadius => lin.radius.ok_or_else(|| undefined(o))?,
                    Output::PExploded => exploded as f64 / runs,
                    Output::PCollapsed => collapsed as f64 / runs,
                    Output::PHeld => held as f64 / runs,
                    Output::MeanCost => cost / runs,
                })
            })
            .collect()
    }

    /// The analysis outputs this study asks for, computed as
    /// [`crate::analysis::analyze`] computes them but without the rest of
    /// its report (delay margin, sensitivities), which costs far more.
    fn linear_outputs(&self, m: &Model) -> Result<Linear> {
        let wants = |o: Output| self.outputs.contains(&o);
        let mut lin = Linear::default();
        let d = m.effective_dynamics();
        let d = d.as_ref();
        let gain = d.gain;
        if wants(Output::CriticalGain) || wants(Output::GainMargin) {
            lin.critical = if d.is_nonnegative() {
                critical_gain(d)?
            } else {
                critical_crossing(d)?.map(|c| c.gain)
            };
            lin.margin = gain_margin(lin.critical, gain);
        }
        if wants(Output::SampledSpectralRadius)
            && let Some(c) = &m.controller
        {
            lin.radius = Some(sampled_stability(d, c, gain)?.0);
        }
        if wants(Output::SpectralAbscissa) {
            lin.abscissa = Some(if d.is_linear() {
                let values = eigenvalues(&d.system_matrix(gain))?;
                values
                    .iter()
                    .map(|z| z.re)
                    .fold(f64::NEG_INFINITY, f64::max)
                    .max(if values.is_empty() {
                        -d.restraint.min()
                    } else {
                        f64::NEG_INFINITY
                    })
            } else {
                // The equilibrium of the ceiling model and its Jacobian:
                // the report's own computation.
                analyze_model(m)?.spectral_abscissa
            });
        }
        Ok(lin)
    }

    fn describe(&self, x: &[f64]) -> String {
        self.factors
            .iter()
            .zip(x)
            .map(|(f, v)| format!("{}={v}", f.path))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Evaluates the rows of `design` that the shard of `exec` owns, in
    /// parallel; returns `(row, outputs)` in row order. `progress` is
    /// called with the runs of each finished row (1 without runs).
    ///
    /// # Errors
    /// As [`Study::outputs_at`]; [`Error::Invalid`] for a bad shard;
    /// [`Error::Cancelled`].
    pub fn evaluate(
        &self,
        model: &Model,
        design: &Design,
        exec: &StudyExec,
        progress: Option<&(dyn Fn(u64) + Sync)>,
    ) -> Result<Vec<(usize, Vec<f64>)>> {
        model.check()?;
        let (k, n) = exec.shard.unwrap_or((0, 1));
        if n == 0 || k >= n {
            return Err(Error::invalid(
                "shard",
                format!("{}/{n}: need 1 ≤ K ≤ N", u128::from(k) + 1),
            ));
        }
        let mut sim = exec.sim.clone();
        sim.record = false;
        let rows = design.rows();
        let width = self.outputs.len();
        let idx: Vec<usize> = (0..rows.len()).filter(|i| *i as u64 % n == k).collect();
        let work = || {
            idx.par_iter()
                .map(|&i| {
                    check_cancel(exec.cancel.as_ref())?;
                    let y = self.outputs_at(model, &sim, &rows[i])?;
                    check_row(i, &y, width)?;
                    if let Some(p) = progress {
                        p(self.runs.max(1));
                    }
                    Ok((i, y))
                })
                .collect::<Result<Vec<_>>>()
        };
        match exec.threads {
            None => work(),
            Some(t) => rayon::ThreadPoolBuilder::new()
                .num_threads(t.max(1))
                .build()
                .map_err(|e| Error::numerical(format!("cannot start {t} threads: {e}")))?
                .install(work),
        }
    }

    /// The indices from the outputs of every row (in row order).
    ///
    /// # Errors
    /// As [`analyze`].
    pub fn analyze(&self, design: &Design, values: &[Vec<f64>]) -> Result<SensitivityResult> {
        analyze(
            design,
            &self.param_names(),
            &self.output_names(),
            values,
            &self.options,
        )
    }

    /// The whole analysis: design, every row, indices (`exec.shard` must be
    /// `None`; use [`Study::evaluate`] for a shard).
    ///
    /// # Errors
    /// As [`Study::evaluate`] and [`Study::analyze`]; [`Error::Invalid`]
    /// (key `shard`) with a shard set.
    pub fn run(
        &self,
        model: &Model,
        exec: &StudyExec,
        progress: Option<&(dyn Fn(u64) + Sync)>,
    ) -> Result<SensitivityResult> {
        if exec.shard.is_some() {
            return Err(Error::invalid(
                "shard",
                "a shard gives partial outputs: use Study::evaluate and merge",
            ));
        }
        let design = self.design()?;
        let rows = self.evaluate(model, &design, exec, progress)?;
        let values: Vec<Vec<f64>> = rows.into_iter().map(|(_, y)| y).collect();
        self.analyze(&design, &values)
    }
}
