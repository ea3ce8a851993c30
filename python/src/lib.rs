//! `escalation._escalation`: the native part of the Python package
//! `escalation`. A thin layer over the Rust library: every result is the
//! document the command-line tool prints with `--json` (built by
//! `escalation::json`), converted to Python objects; the package's
//! `__init__.py` turns trajectories into NumPy arrays and documents the API.
//!
//! Three rules hold for every function here:
//!
//! * errors become `escalation.InvalidInput` (a `ValueError`: the input is
//!   at fault, `Error::is_input_error`) or `escalation.NumericalError` (a
//!   `RuntimeError`), with the message the command line prints (after
//!   `error: `), in the library's argument names rather than its flags;
//! * no Rust panic reaches Python: a panic becomes a `NumericalError`
//!   saying it is an internal error;
//! * the GIL is released while the library works; the long calls
//!   (`montecarlo`, `sweep`) run on a worker thread while the calling
//!   thread checks for signals every 50 ms, so Ctrl-C stops them (through
//!   the library's `Cancel` flag) and raises `KeyboardInterrupt`.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc;
use std::time::Duration;

use escalation::analysis::analyze;
use escalation::calibrate::{Group, Resampling, Series, fit_pooled, fit_richardson};
use escalation::ensemble::{Cancel, EnsembleOptions, run_ensemble};
use escalation::error::{Error, Location, tidy_message};
use escalation::json;
use escalation::merge::{Partial, PartialData, merge};
use escalation::model::Model;
use escalation::scenario::{Format, Scenario};
use escalation::sim::{SimOptions, simulate};
use escalation::sweep::{
    Axis, Grid, Param, SweepOptions, sweep_ensemble, sweep_linear, sweep_summary,
};
use pyo3::create_exception;
use pyo3::exceptions::{PyKeyboardInterrupt, PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyDict, PyList, PyTuple};
use serde_json::Value;

create_exception!(
    escalation,
    InvalidInput,
    PyValueError,
    "The input is at fault: a scenario value, a file, data or an argument."
);
create_exception!(
    escalation,
    NumericalError,
    PyRuntimeError,
    "The input was valid but the computation failed (or an internal error)."
);

/// The Python exception for a library error, with the command line's message.
fn to_py(e: Error) -> PyErr {
    match e {
        Error::Cancelled => PyKeyboardInterrupt::new_err("cancelled"),
        e if e.is_input_error() => InvalidInput::new_err(tidy_message(&e.to_string())),
        e => NumericalError::new_err(tidy_message(&e.to_string())),
    }
}

/// What a caught panic says.
fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    let what = p
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into());
    tidy_message(&format!(
        "internal error: {what} (this is a bug in escalation; please report it)"
    ))
}

/// Runs `f`, turning a panic into a `NumericalError` and a library error
/// into its Python exception.
fn guarded<T>(f: impl FnOnce() -> escalation::Result<T>) -> PyResult<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r.map_err(to_py),
        Err(p) => Err(NumericalError::new_err(panic_message(&*p))),
    }
}

/// Runs `f` without the GIL, guarded.
fn detached<T: Send>(
    py: Python<'_>,
    f: impl FnOnce() -> escalation::Result<T> + Send,
) -> PyResult<T> {
    py.detach(|| guarded(f))
}

/// Runs long work on a worker thread without the GIL while this thread
/// waits, checking for signals every 50 ms: on `KeyboardInterrupt` (or any
/// exception a signal handler raises) the work's [`Cancel`] flag is set,
/// the work stops at its next run or point, and the exception propagates.
fn cancellable<T: Send>(
    py: Python<'_>,
    work: impl FnOnce(Cancel) -> escalation::Result<T> + Send,
) -> PyResult<T> {
    let cancel = Cancel::new();
    let flag = cancel.clone();
    let (tx, rx) = mpsc::channel();
    std::thread::scope(|s| {
        s.spawn(move || {
            let r = catch_unwind(AssertUnwindSafe(|| work(flag)));
            let _ = tx.send(r);
        });
        let mut rx = rx;
        loop {
            let (got, back) = py.detach(move || (rx.recv_timeout(Duration::from_millis(50)), rx));
            rx = back;
            match got {
                Ok(Ok(r)) => return r.map_err(to_py),
                Ok(Err(p)) => return Err(NumericalError::new_err(panic_message(&*p))),
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if let Err(e) = py.check_signals() {
                        cancel.cancel();
                        // The worker stops at its next check; wait for it.
                        let _ = py.detach(move || rx.recv());
                        return Err(e);
                    }
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    return Err(NumericalError::new_err(
                        "internal error: the worker thread ended without a result",
                    ));
                }
            }
        }
    })
}

/// A JSON document as Python objects (dicts, lists, floats, ints, str, None).
fn to_python<'py>(py: Python<'py>, v: &Value) -> PyResult<Bound<'py, PyAny>> {
    pythonize::pythonize(py, v).map_err(|e| NumericalError::new_err(e.to_string()))
}

/// A compiled scenario: the model every function takes. Immutable;
/// `with_values` returns a new one.
#[pyclass(module = "escalation", name = "Scenario", frozen)]
struct PyScenario {
    /// The scenario as written (file or dict), before `with_values`.
    spec: Scenario,
    /// The compiled model, with the values applied.
    model: Model,
    /// The values applied by `with_values`, in order.
    values: Vec<(String, f64)>,
}

impl PyScenario {
    fn new(spec: Scenario, model: Model) -> Self {
        Self {
            spec,
            model,
            values: Vec::new(),
        }
    }

    /// `model` with `values` (sweep paths) applied, checked.
    fn apply(model: &Model, values: &[(String, f64)]) -> escalation::Result<Model> {
        let mut m = model.clone();
        for (path, v) in values {
            let param = Param::parse(path, &m)?;
            param.check(*v)?;
            param.apply(&mut m, *v);
        }
        m.check()?;
        Ok(m)
    }

    /// A scenario from a dict with the file's structure.
    fn from_value(obj: &Bound<'_, PyAny>) -> PyResult<Self> {
        let mut de = pythonize::Depythonizer::from_object(obj);
        let spec: Scenario = serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let path = e.path().to_string();
            let message = e.inner().to_string();
            to_py(Error::Parse {
                location: Location {
                    file: Some("the scenario dict".into()),
                    line: None,
                    column: None,
                },
                message: if path.is_empty() || path == "." {
                    message
                } else {
                    format!("`{path}`: {message}")
                },
            })
        })?;
        let model = guarded(|| spec.compile())?;
        Ok(Self::new(spec, model))
    }
}

#[pymethods]
impl PyScenario {
    /// Reads a scenario file (TOML, or JSON with a `.json` extension).
    #[staticmethod]
    fn load(py: Python<'_>, path: std::path::PathBuf) -> PyResult<Self> {
        let (spec, model) = detached(py, || Scenario::load(&path))?;
        Ok(Self::new(spec, model))
    }

    /// A scenario from TOML text.
    #[staticmethod]
    fn from_toml(text: &str) -> PyResult<Self> {
        let (spec, model) = guarded(|| Scenario::compile_str(text, Format::Toml))?;
        Ok(Self::new(spec, model))
    }

    /// A scenario from JSON text with the file's structure.
    #[staticmethod]
    fn from_json(text: &str) -> PyResult<Self> {
        let (spec, model) = guarded(|| Scenario::compile_str(text, Format::Json))?;
        Ok(Self::new(spec, model))
    }

    /// A scenario from a dict with the file's structure.
    #[staticmethod]
    fn from_dict(d: &Bound<'_, PyAny>) -> PyResult<Self> {
        Self::from_value(d)
    }

    /// A scenario from keyword arguments with the file's keys (`actors`,
    /// `phases`, `agreements` may be spelled as in the file: `actor`, …).
    #[staticmethod]
    #[pyo3(signature = (**kwargs))]
    fn build(py: Python<'_>, kwargs: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        let d = PyDict::new(py);
        if let Some(kw) = kwargs {
            for (k, v) in kw.iter() {
                let k: String = k.extract()?;
                let key = match k.as_str() {
                    "actors" => "actor",
                    "phases" => "phase",
                    "agreements" => "agreement",
                    other => other,
                };
                d.set_item(key, v)?;
            }
        }
        Self::from_value(d.as_any())
    }

    /// A copy with parameters set by sweep path (a dict, or pairs).
    fn with_values(&self, values: &Bound<'_, PyAny>) -> PyResult<Self> {
        let values: Vec<(String, f64)> = match values.cast::<PyDict>() {
            Ok(d) => d
                .iter()
                .map(|(k, v)| Ok((k.extract()?, v.extract()?)))
                .collect::<PyResult<_>>()?,
            Err(_) => values.extract()?,
        };
        let model = guarded(|| Self::apply(&self.model, &values))?;
        let mut all = self.values.clone();
        all.extend(values);
        Ok(Self {
            spec: self.spec.clone(),
            model,
            values: all,
        })
    }

    /// The current value of a sweep path (`None` if the scenario lacks it).
    fn value(&self, path: &str) -> PyResult<Option<f64>> {
        let p = guarded(|| Param::parse(path, &self.model))?;
        Ok(p.value_in(&self.model))
    }

    /// The scenario as written, as a dict (without `with_values`).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let v =
            serde_json::to_value(&self.spec).map_err(|e| NumericalError::new_err(e.to_string()))?;
        to_python(py, &v)
    }

    /// The scenario as written, as TOML text (without `with_values`).
    fn to_toml(&self) -> PyResult<String> {
        guarded(|| self.spec.to_toml_string())
    }

    #[getter]
    fn name(&self) -> String {
        self.model.name.clone()
    }

    #[getter]
    fn actors(&self) -> Vec<String> {
        self.model.dynamics.names.clone()
    }

    #[getter]
    fn phases(&self) -> Vec<String> {
        self.model.phases.iter().map(|p| p.name.clone()).collect()
    }

    #[getter]
    fn horizon(&self) -> f64 {
        self.model.horizon
    }

    #[getter]
    fn seed(&self) -> u64 {
        self.model.seed
    }

    #[getter]
    fn values(&self) -> Vec<(String, f64)> {
        self.values.clone()
    }

    /// The fingerprint shards carry (`sha256:…`).
    #[getter]
    fn fingerprint(&self) -> String {
        escalation::merge::fingerprint(&self.model)
    }

    fn __repr__(&self) -> String {
        let name = if self.model.name.is_empty() {
            "(unnamed)"
        } else {
            &self.model.name
        };
        let mut s = format!(
            "<escalation.Scenario {name:?}: {} actors, {} days",
            self.model.n(),
            self.model.horizon
        );
        for (p, v) in &self.values {
            s += &format!(", {p}={v}");
        }
        s + ">"
    }

    /// Pickling: the scenario as JSON text and the values applied.
    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let py = slf.py();
        let me = slf.get();
        let text = guarded(|| me.spec.to_json_string())?;
        let restore = py.get_type::<Self>().getattr("_restore")?;
        let args = PyTuple::new(
            py,
            [
                text.into_pyobject(py)?.into_any(),
                me.values.clone().into_pyobject(py)?.into_any(),
            ],
        )?;
        Ok((restore, args))
    }

    #[staticmethod]
    fn _restore(text: &str, values: Vec<(String, f64)>) -> PyResult<Self> {
        let (spec, model) = guarded(|| Scenario::compile_str(text, Format::Json))?;
        let model = guarded(|| Self::apply(&model, &values))?;
        Ok(Self {
            spec,
            model,
            values,
        })
    }
}

/// One run: `(t, x, rung, n, actors, events, outcome, explosion_time,
/// verification_passed)` with `t`, `x`, `rung` as little-endian bytes
/// (`x` and `rung` time-major), for `__init__.py` to wrap as arrays.
#[pyfunction]
#[pyo3(signature = (scenario, seed=None, dt=0.1))]
fn simulate_raw<'py>(
    py: Python<'py>,
    scenario: &PyScenario,
    seed: Option<u64>,
    dt: f64,
) -> PyResult<Bound<'py, PyTuple>> {
    let run = detached(py, || {
        let mut opts = SimOptions::default().with_dt(dt)?;
        opts.seed = seed;
        simulate(&scenario.model, &opts)
    })?;
    let n = run.actors.len();
    let samples = run.t.len();
    let mut t = Vec::with_capacity(8 * samples);
    for v in &run.t {
        t.extend_from_slice(&v.to_le_bytes());
    }
    let mut x = Vec::with_capacity(8 * samples * n);
    let mut rung = Vec::with_capacity(8 * samples * n);
    for k in 0..samples {
        for i in 0..n {
            x.extend_from_slice(&run.x[i][k].to_le_bytes());
            rung.extend_from_slice(&(run.rung[i][k] as i64).to_le_bytes());
        }
    }
    let events =
        serde_json::to_value(&run.events).map_err(|e| NumericalError::new_err(e.to_string()))?;
    let outcome = run.outcome.name();
    let items: Vec<Bound<'py, PyAny>> = vec![
        PyByteArray::new(py, &t).into_any(),
        PyByteArray::new(py, &x).into_any(),
        PyByteArray::new(py, &rung).into_any(),
        n.into_pyobject(py)?.into_any(),
        PyList::new(py, &run.actors)?.into_any(),
        to_python(py, &events)?,
        outcome.into_pyobject(py)?.into_any(),
        run.explosion_time.into_pyobject(py)?.into_any(),
        run.verification_passed().into_pyobject(py)?.into_any(),
    ];
    PyTuple::new(py, items)
}

/// `analyze --json` as a dict.
#[pyfunction]
fn analyze_json<'py>(py: Python<'py>, scenario: &PyScenario) -> PyResult<Bound<'py, PyAny>> {
    let v = detached(py, || json::analyze(&analyze(&scenario.model)?))?;
    to_python(py, &v)
}

fn ensemble_options(
    runs: u64,
    seed: Option<u64>,
    threads: Option<usize>,
    shard: Option<(u64, u64)>,
) -> escalation::Result<EnsembleOptions> {
    let threads = escalation::limits::check_threads(threads)?;
    if runs == 0 {
        return Err(Error::invalid("runs", "must be at least 1"));
    }
    Ok(EnsembleOptions {
        runs,
        seed,
        threads,
        shard,
        ..EnsembleOptions::default()
    })
}

/// `montecarlo --json` as a dict; with `shard` (0-based `(k, n)`), the
/// partial result `--shard K/N --out` writes.
#[pyfunction]
#[pyo3(signature = (scenario, runs, seed=None, threads=None, shard=None))]
fn montecarlo_json<'py>(
    py: Python<'py>,
    scenario: &PyScenario,
    runs: u64,
    seed: Option<u64>,
    threads: Option<usize>,
    shard: Option<(u64, u64)>,
) -> PyResult<Bound<'py, PyAny>> {
    let model = &scenario.model;
    let v = cancellable(py, |cancel| {
        let mut opts = ensemble_options(runs, seed, threads, shard)?;
        opts.cancel = Some(cancel);
        let summary = run_ensemble(model, &opts, None)?;
        Ok(match shard {
            None => json::montecarlo(&summary),
            Some(_) => partial_value(&json::montecarlo_partial(model, runs, shard, &summary))?,
        })
    })?;
    to_python(py, &v)
}

fn partial_value(p: &Partial) -> escalation::Result<Value> {
    serde_json::to_value(p).map_err(|e| Error::numerical(format!("JSON output: {e}")))
}

/// `sweep --param … --json` as Python objects (a list of points, or the
/// counts with `summary`); with `shard` (0-based), the partial result.
/// `specs`: `PATH=START:STOP:COUNT`, one or two.
#[pyfunction]
#[pyo3(signature = (scenario, specs, summary=false, runs=200, seed=None, threads=None, shard=None))]
#[allow(clippy::too_many_arguments)]
fn sweep_json<'py>(
    py: Python<'py>,
    scenario: &PyScenario,
    specs: Vec<String>,
    summary: bool,
    runs: u64,
    seed: Option<u64>,
    threads: Option<usize>,
    shard: Option<(u64, u64)>,
) -> PyResult<Bound<'py, PyAny>> {
    let model = &scenario.model;
    let v = cancellable(py, |cancel| {
        let threads = escalation::limits::check_threads(threads)?;
        let grid = grid_of(model, &specs)?;
        let stochastic = grid.is_stochastic();
        if stochastic && summary {
            return Err(Error::invalid(
                "summary",
                "counts verdicts of a linear sweep; a Monte Carlo sweep reports outcome fractions per point",
            ));
        }
        if stochastic && runs == 0 {
            return Err(Error::invalid("runs", "must be at least 1"));
        }
        let opts = SweepOptions {
            threads,
            shard,
            cancel: Some(cancel.clone()),
            ..SweepOptions::default()
        };
        let seed = stochastic.then(|| seed.unwrap_or(model.seed));
        let mut head = shard.map(|s| {
            json::sweep_partial(
                model,
                &grid,
                &specs,
                summary,
                seed.map(|x| (runs, x)),
                Some(s),
            )
        });
        if stochastic {
            let ens = EnsembleOptions {
                runs,
                seed,
                cancel: Some(cancel),
                ..EnsembleOptions::default()
            };
            let points = sweep_ensemble(model, &grid, &ens, &opts, None)?;
            if let Some(h) = head.as_mut() {
                h.data = PartialData::SweepEnsemble { points };
                return partial_value(h);
            }
            return Ok(Value::Array(
                points.iter().map(json::ensemble_point).collect(),
            ));
        }
        if summary {
            let counts = sweep_summary(model, &grid, &opts, None)?;
            if let Some(h) = head.as_mut() {
                h.data = PartialData::SweepSummary { counts };
                return partial_value(h);
            }
            return json::sweep_counts(&counts);
        }
        let points = sweep_linear(model, &grid, &opts, None)?;
        if let Some(h) = head.as_mut() {
            h.data = PartialData::Sweep { points };
            return partial_value(h);
        }
        Ok(Value::Array(
            points
                .iter()
                .map(json::linear_point)
                .collect::<escalation::Result<_>>()?,
        ))
    })?;
    to_python(py, &v)
}

/// The grid of `specs` (`PATH=START:STOP:COUNT`); an error about an axis
/// names its path (`param PATH`), as the command line does (`--param PATH`).
fn grid_of(model: &Model, specs: &[String]) -> escalation::Result<Grid> {
    let mut axes = Vec::new();
    for spec in specs {
        axes.push(Axis::parse(spec, model).map_err(|e| match e {
            Error::Invalid(mut inv) if ["param", "axis"].contains(&inv.key.as_str()) => {
                let path = spec.split_once('=').map_or(spec.as_str(), |p| p.0).trim();
                if !path.is_empty() {
                    inv.key = format!("param {path}");
                    if inv.value.as_deref() == Some(path) {
                        inv.value = None;
                    }
                }
                Error::Invalid(inv)
            }
            other => other,
        })?);
    }
    Grid::new(axes)
}

/// `fit DATA --json` as a dict. `data`: a file path, or the CSV text when
/// `text` is true.
#[pyfunction]
#[pyo3(signature = (data, text=false, groups=None, model="pooled", bootstrap=None, seed=0, level=0.95, resample="residuals", refine=true))]
#[allow(clippy::too_many_arguments)]
fn fit_json<'py>(
    py: Python<'py>,
    data: String,
    text: bool,
    groups: Option<Vec<String>>,
    model: &str,
    bootstrap: Option<usize>,
    seed: u64,
    level: f64,
    resample: &str,
    refine: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let model = model.to_string();
    let resample = resample.to_string();
    let v = cancellable(py, move |_| {
        let series = if text {
            Series::parse(&data, None)?
        } else {
            Series::from_path(&data)?
        };
        let groups = match groups {
            None => Group::each_column(&series),
            Some(g) => g
                .iter()
                .map(|s| Group::parse(s))
                .collect::<escalation::Result<Vec<_>>>()?,
        };
        let grouped = series.grouped(&groups)?;
        let richardson = match model.as_str() {
            "pooled" => false,
            "richardson" => true,
            _ => {
                return Err(escalation::error::Invalid::new(
                    "model",
                    "must be \"pooled\" or \"richardson\"",
                )
                .value(format!("{model:?}"))
                .into());
            }
        };
        let resampling = match resample.as_str() {
            "residuals" => Resampling::Residuals,
            "intervals" => Resampling::Intervals,
            _ => {
                return Err(escalation::error::Invalid::new(
                    "resample",
                    "must be \"residuals\" or \"intervals\"",
                )
                .value(format!("{resample:?}"))
                .into());
            }
        };
        let n = if richardson { grouped.n() } else { 1 };
        let plan = json::FitPlan::new(n, series.len(), bootstrap, seed, level, resampling, refine)?;
        let fit = if richardson {
            fit_richardson(&grouped, &plan.options)?.to_json()
        } else {
            fit_pooled(&grouped, &plan.options)?.to_json()
        };
        Ok(json::fit(fit, &plan.notes))
    })?;
    to_python(py, &v)
}

/// Merges partial results (dicts) with the library's exact merge; returns
/// what the unsharded call returns.
#[pyfunction]
fn merge_json<'py>(py: Python<'py>, parts: Vec<Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
    let mut ps = Vec::with_capacity(parts.len());
    for (i, p) in parts.iter().enumerate() {
        let mut de = pythonize::Depythonizer::from_object(p);
        let part: Partial = serde_path_to_error::deserialize(&mut de).map_err(|e| {
            to_py(Error::Data {
                location: Location {
                    file: Some(format!("part {}", i + 1).into()),
                    line: None,
                    column: None,
                },
                message: format!("not a partial result: `{}`: {}", e.path(), e.inner()),
            })
        })?;
        ps.push(part);
    }
    let v = detached(py, move || {
        let whole = merge(ps)?;
        match &whole.data {
            PartialData::Montecarlo { summary } => Ok(json::montecarlo(summary)),
            PartialData::SweepSummary { counts } => json::sweep_counts(counts),
            PartialData::Sweep { points } => Ok(Value::Array(
                points
                    .iter()
                    .map(json::linear_point)
                    .collect::<escalation::Result<_>>()?,
            )),
            PartialData::SweepEnsemble { points } => Ok(Value::Array(
                points.iter().map(json::ensemble_point).collect(),
            )),
        }
    })?;
    to_python(py, &v)
}

// `compare`, `sensitivity` and `discover`, in the shape of `montecarlo_json`.

/// `compare --json` as a dict: `control` and `treatment` (scenarios, e.g.
/// one and its `with_values`) on common random numbers.
#[pyfunction]
#[pyo3(signature = (control, treatment, runs, seed=None, threads=None, names=None))]
fn compare_json<'py>(
    py: Python<'py>,
    control: &PyScenario,
    treatment: &PyScenario,
    runs: u64,
    seed: Option<u64>,
    threads: Option<usize>,
    names: Option<(String, String)>,
) -> PyResult<Bound<'py, PyAny>> {
    use escalation::experiments::compare::{Arm, CompareOptions, compare};
    let (nc, nt) = names.unwrap_or(("control".into(), "treatment".into()));
    let (c, t) = (
        Arm::new(nc, control.model.clone()),
        Arm::new(nt, treatment.model.clone()),
    );
    let v = cancellable(py, |cancel| {
        let opts = CompareOptions {
            runs,
            seed,
            threads: escalation::limits::check_threads(threads)?,
            cancel: Some(cancel),
            ..CompareOptions::default()
        };
        json::compare(&compare(&c, &t, &opts, None)?)
    })?;
    to_python(py, &v)
}

/// `sensitivity --json` as a dict. `params`: `PATH=LO:HI` specs.
#[pyfunction]
#[pyo3(signature = (scenario, params, outputs, method="sobol", samples=512, runs=100, levels=4, resamples=1000, seed=None, threads=None))]
#[allow(clippy::too_many_arguments)]
fn sensitivity_json<'py>(
    py: Python<'py>,
    scenario: &PyScenario,
    params: Vec<String>,
    outputs: Vec<String>,
    method: &str,
    samples: usize,
    runs: u64,
    levels: usize,
    resamples: usize,
    seed: Option<u64>,
    threads: Option<usize>,
) -> PyResult<Bound<'py, PyAny>> {
    use escalation::experiments::sensitivity::{Method, SensitivityOptions};
    use escalation::experiments::study::{Factor, Output, Study, StudyExec};
    let model = &scenario.model;
    let v = cancellable(py, |cancel| {
        let factors = params
            .iter()
            .map(|s| Factor::parse(s, model))
            .collect::<escalation::Result<Vec<_>>>()?;
        let outputs = outputs
            .iter()
            .map(|s| Output::parse(s))
            .collect::<escalation::Result<Vec<_>>>()?;
        let options = SensitivityOptions {
            method: Method::parse(method)?,
            samples,
            levels,
            seed: seed.unwrap_or(model.seed),
            resamples,
            level: 0.95,
        };
        let study = Study::new(model, factors, outputs, runs, options)?;
        let exec = StudyExec {
            threads: escalation::limits::check_threads(threads)?,
            cancel: Some(cancel),
            ..StudyExec::default()
        };
        Ok(json::sensitivity(&study.run(model, &exec, None)?))
    })?;
    to_python(py, &v)
}

/// `discover --json` as a dict. `params`: `PATH=LO:HI` specs; `target`:
/// outcome names.
#[pyfunction]
#[pyo3(signature = (scenario, params, target, cases=1000, seed=None, alpha=0.05, min_coverage=0.8, threads=None))]
#[allow(clippy::too_many_arguments)]
fn discover_json<'py>(
    py: Python<'py>,
    scenario: &PyScenario,
    params: Vec<String>,
    target: Vec<String>,
    cases: usize,
    seed: Option<u64>,
    alpha: f64,
    min_coverage: f64,
    threads: Option<usize>,
) -> PyResult<Bound<'py, PyAny>> {
    use escalation::experiments::discover::{DiscoverOptions, discover_model};
    use escalation::experiments::prim::PrimOptions;
    use escalation::experiments::study::Factor;
    let model = &scenario.model;
    let v = cancellable(py, |cancel| {
        let factors = params
            .iter()
            .map(|s| Factor::parse(s, model))
            .collect::<escalation::Result<Vec<_>>>()?;
        let opts = DiscoverOptions {
            cases,
            seed,
            prim: PrimOptions {
                peel_alpha: alpha,
                ..PrimOptions::default()
            },
            min_coverage,
            threads: escalation::limits::check_threads(threads)?,
            cancel: Some(cancel),
            ..DiscoverOptions::default()
        };
        Ok(json::discover(&discover_model(
            model, &factors, &target, &opts,
        )?))
    })?;
    to_python(py, &v)
}

/// The sweep paths the library knows, for messages and help.
#[pyfunction]
fn sweep_paths() -> Vec<String> {
    escalation::sweep::path_patterns()
}

/// Mean seconds of one `simulate` of `scenario` in Rust alone (no Python
/// objects), over `repeats` calls: the baseline of the benchmark of the
/// binding's overhead (`python/benchmarks/bench.py`).
#[pyfunction]
#[pyo3(signature = (scenario, repeats, dt=0.1))]
fn _rust_simulate_seconds(
    py: Python<'_>,
    scenario: &PyScenario,
    repeats: u32,
    dt: f64,
) -> PyResult<f64> {
    detached(py, || {
        let opts = SimOptions::default().with_dt(dt)?;
        let start = std::time::Instant::now();
        for _ in 0..repeats {
            std::hint::black_box(simulate(std::hint::black_box(&scenario.model), &opts)?);
        }
        Ok(start.elapsed().as_secs_f64() / f64::from(repeats.max(1)))
    })
}

/// Panics inside the guard, for the test that no panic reaches Python.
#[pyfunction]
fn _panic_for_test(py: Python<'_>, long: bool) -> PyResult<()> {
    if long {
        cancellable(py, |_| -> escalation::Result<()> { panic!("a test panic") })
    } else {
        detached(py, || -> escalation::Result<()> { panic!("a test panic") })
    }
}

#[pymodule]
fn _escalation(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("InvalidInput", py.get_type::<InvalidInput>())?;
    m.add("NumericalError", py.get_type::<NumericalError>())?;
    m.add_class::<PyScenario>()?;
    m.add_function(wrap_pyfunction!(simulate_raw, m)?)?;
    m.add_function(wrap_pyfunction!(analyze_json, m)?)?;
    m.add_function(wrap_pyfunction!(montecarlo_json, m)?)?;
    m.add_function(wrap_pyfunction!(sweep_json, m)?)?;
    m.add_function(wrap_pyfunction!(fit_json, m)?)?;
    m.add_function(wrap_pyfunction!(merge_json, m)?)?;
    m.add_function(wrap_pyfunction!(sweep_paths, m)?)?;
    m.add_function(wrap_pyfunction!(compare_json, m)?)?;
    m.add_function(wrap_pyfunction!(sensitivity_json, m)?)?;
    m.add_function(wrap_pyfunction!(discover_json, m)?)?;
    m.add_function(wrap_pyfunction!(_panic_for_test, m)?)?;
    m.add_function(wrap_pyfunction!(_rust_simulate_seconds, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
