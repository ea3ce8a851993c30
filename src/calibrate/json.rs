//! JSON reports of the fits (the `fit --json` output; keys in `docs/calibration.md`, "Command line and JSON").

use nalgebra::{DMatrix, DVector};
use serde_json::{Map, Value, json};

use super::{PooledFit, RichardsonFit, TrajectoryFit};

fn column(m: &DMatrix<f64>, i: usize) -> Vec<f64> {
    m.column(i).iter().copied().collect()
}

fn pairs(ev: &[(f64, f64)]) -> Value {
    ev.iter().map(|&(re, im)| json!([re, im])).collect()
}

fn common(t: &TrajectoryFit) -> Map<String, Value> {
    let mut o = Map::new();
    o.insert("eigenvalues".into(), pairs(&t.eigenvalues));
    o.insert("spectral_abscissa".into(), json!(t.spectral_abscissa));
    o.insert("verdict".into(), json!(t.verdict));
    o.insert("sse_start".into(), json!(t.sse_start));
    o.insert("sse".into(), json!(t.sse));
    o.insert("improvement".into(), json!(t.improvement()));
    o.insert("r2".into(), json!(t.r2));
    o.insert("iterations".into(), json!(t.iterations));
    o.insert("converged".into(), json!(t.converged));
    o
}

fn named(names: &[String], skip: usize, row: impl Fn(usize) -> Value) -> Value {
    let mut o = Map::new();
    for (j, n) in names.iter().enumerate() {
        if j != skip {
            o.insert(n.clone(), row(j));
        }
    }
    Value::Object(o)
}

impl PooledFit {
    /// The report printed by `escalation fit --json` (pooled model).
    ///
    /// Keys: `model`, `years`, `n` (number of yearly intervals), `groups`,
    /// `level`, `mid`, `change`, `residuals`, `slope`, `intercept`,
    /// `equilibrium`, `r2`, `verdict`, `verdict_support`, `intervals`
    /// (`slope`, `intercept` as `[lo, hi]`, or null), `bootstrap`, and
    /// `trajectory` (the refined `slope`, `intercept`, `equilibrium`,
    /// `initial`, `fitted`, `residuals`, `sse_start`, `sse`,
    /// `improvement`, `r2`, `iterations`, `converged`, or null).
    #[must_use]
    pub fn to_json(&self) -> Value {
        let trajectory = self.trajectory.as_ref().map(|t| {
            let mut o = common(t);
            o.insert("slope".into(), json!(t.system[(0, 0)]));
            o.insert("intercept".into(), json!(t.drive[0]));
            o.insert(
                "equilibrium".into(),
                json!(t.equilibrium.as_ref().map(|e| e[0])),
            );
            o.insert("initial".into(), json!(t.initial[0]));
            o.insert("fitted".into(), json!(column(&t.fitted, 0)));
            o.insert("residuals".into(), json!(column(&t.residuals, 0)));
            Value::Object(o)
        });
        json!({
            "model": "pooled",
            "years": self.years,
            "n": self.change.len(),
            "groups": self.groups.iter().map(|g| json!({"name": g.name, "columns": g.columns})).collect::<Vec<_>>(),
            "level": self.level,
            "mid": self.mid,
            "change": self.change,
            "residuals": self.residuals,
            "slope": self.slope,
            "intercept": self.intercept,
            "equilibrium": self.equilibrium,
            "r2": self.r2,
            "verdict": self.verdict,
            "verdict_support": self.verdict_support,
            "intervals": self.intervals.map(|i| json!({"slope": i.slope, "intercept": i.intercept})),
            "bootstrap": self.bootstrap,
            "trajectory": trajectory,
        })
    }
}

impl RichardsonFit {
    /// The report printed by `escalation fit --model richardson --json`.
    ///
    /// Keys: `model`, `years`, `n`, `groups` (one object per group: `name`,
    /// `columns`, `restraint`, `coupling` (other group → `K_ij`),
    /// `grievance`, `r2`, `equilibrium`, `intervals` (same shape, `[lo,
    /// hi]`, or null), `mid`, `change`, `residuals`), `equilibrium` (group →
    /// level, or null), `eigenvalues`, `spectral_abscissa`, `verdict`,
    /// `verdict_support`, `bootstrap`, `trajectory` (per group the refined
    /// `restraint`, `coupling`, `grievance`, `initial`, `equilibrium`,
    /// `fitted`, `residuals`; and `eigenvalues`, `spectral_abscissa`,
    /// `verdict`, `sse_start`, `sse`, `improvement`, `r2`, `iterations`,
    /// `converged`; or null).
    #[must_use]
    pub fn to_json(&self) -> Value {
        let names = self.names();
        let eq = |e: &Option<DVector<f64>>, i: usize| json!(e.as_ref().map(|v| v[i]));
        let groups: Vec<Value> = self
            .groups
            .iter()
            .enumerate()
            .map(|(i, g)| {
                let intervals = self.intervals.as_ref().map(|iv| {
                    json!({
                        "restraint": iv.restraint[i],
                        "coupling": named(&names, i, |j| json!(iv.coupling[i][j])),
                        "grievance": iv.grievance[i],
                    })
                });
                json!({
                    "name": g.name,
                    "columns": g.columns,
                    "restraint": self.restraint[i],
                    "coupling": named(&names, i, |j| json!(self.coupling[(i, j)])),
                    "grievance": self.grievance[i],
                    "r2": self.r2[i],
                    "equilibrium": eq(&self.equilibrium, i),
                    "intervals": intervals,
                    "mid": column(&self.mid, i),
                    "change": column(&self.change, i),
                    "residuals": column(&self.residuals, i),
                })
            })
            .collect();
        let trajectory = self.trajectory.as_ref().map(|t| {
            let mut o = common(t);
            let per: Vec<Value> = names
                .iter()
                .enumerate()
                .map(|(i, name)| {
                    json!({
                        "name": name,
                        "restraint": -t.system[(i, i)],
                        "coupling": named(&names, i, |j| json!(t.system[(i, j)])),
                        "grievance": t.drive[i],
                        "initial": t.initial[i],
                        "equilibrium": eq(&t.equilibrium, i),
                        "fitted": column(&t.fitted, i),
                        "residuals": column(&t.residuals, i),
                    })
                })
                .collect();
            o.insert("groups".into(), Value::Array(per));
            Value::Object(o)
        });
        let equilibrium = self
            .equilibrium
            .as_ref()
            .map(|e| named(&names, usize::MAX, |i| json!(e[i])));
        json!({
            "model": "richardson",
            "years": self.years,
            "n": self.change.nrows(),
            "groups": groups,
            "equilibrium": equilibrium,
            "eigenvalues": pairs(&self.eigenvalues),
            "spectral_abscissa": self.spectral_abscissa,
            "verdict": self.verdict,
            "verdict_support": self.verdict_support,
            "bootstrap": self.bootstrap,
            "trajectory": trajectory,
        })
    }
}
