//! PRIM scenario discovery: the peeling and pasting trajectory of one box,
//! as EMA workbench's `ema_workbench.analysis.prim.Prim` computes it with its
//! defaults (`peel_alpha = 0.05`, `paste_alpha = 0.05`, `mass_min = 0.05`,
//! the LENIENT1 objective, binary mode), for real-valued columns.
//!
//! **Peeling.** For every column (in order) two candidates: the *upper*
//! peel cuts at the `1 − peel_alpha` quantile of the column's values inside
//! the box and keeps the cases `≤` it; the *lower* peel cuts at the
//! `peel_alpha` quantile and keeps the cases `≥` it. The quantile is EMA's
//! (`prim_util.get_quantile`, after sdtoolkit): sort the values, take
//! `i = (len − 1)·q`, and move the far index past ties — upward for `q ≤ ½`,
//! downward for `q > ½` — before averaging the two neighbouring values; so
//! a peel removes whole groups of tied values. Each candidate scores the
//! LENIENT1 objective `(mean_new − mean_old) / |n_old − n_new|` (0 when the
//! mean does not change), ties broken by more *un*restricted columns, then
//! by the earlier candidate (Python's stable sort). The best candidate is
//! taken while its mass is at least `mass_min`, below the current mass, and
//! its objective positive.
//!
//! **Pasting.** For every restricted column, two candidates: widen the lower
//! limit to the `1 − paste_alpha` quantile of the column's values among the
//! cases between the column's minimum and the current lower limit that
//! satisfy the other limits (upper: the `paste_alpha` quantile above the
//! upper limit). The best (same scoring) is taken while its mass is at least
//! `mass_min`, above the current mass, with a positive objective and a
//! higher mean.
//!
//! Every accepted box is a step of the trajectory: coverage (cases of
//! interest inside over all cases of interest), density (cases of interest
//! inside over cases inside), mass (cases inside over all cases) and the
//! limits of every column. Box limits are inclusive. The first step is the
//! box around all data. Only the first box is searched (no covering).
//!
//! ## References
//! - Friedman, J. H. and Fisher, N. I. (1999). Bump hunting in
//!   high-dimensional data. *Statistics and Computing* 9(2), 123–143.
//! - Bryant, B. P. and Lempert, R. J. (2010). Thinking inside the box: A
//!   participatory, computer-assisted approach to scenario discovery.
//!   *Technological Forecasting and Social Change* 77(1), 34–49.
//! - Kwakkel, J. H. (2017). The Exploratory Modeling Workbench.
//!   *Environmental Modelling & Software* 96, 239–250.

use serde::{Deserialize, Serialize};

mod engine;
mod trajectory;

pub use trajectory::{ChosenBox, PrimResult, PrimStep, Restriction};

use engine::{Prim, ema_quantile};

use crate::error::{Error, Result};

/// The coverage threshold suggested for [`PrimResult::select`]: the densest
/// box that still holds 80% of the cases of interest.
pub const DEFAULT_MIN_COVERAGE: f64 = 0.8;

/// PRIM's parameters; the defaults are EMA workbench's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrimOptions {
    /// Fraction peeled per step, in (0, ½) (default 0.05).
    pub peel_alpha: f64,
    /// Fraction pasted per step, in (0, ½) (default 0.05).
    pub paste_alpha: f64,
    /// Smallest mass of a box, in [0, 1) (default 0.05).
    pub mass_min: f64,
}

impl Default for PrimOptions {
    fn default() -> Self {
        Self {
            peel_alpha: 0.05,
            paste_alpha: 0.05,
            mass_min: 0.05,
        }
    }
}

/// PRIM on `cases` (one row per case, one value per column named in
/// `columns`) with `of_interest[i]` marking the cases to explain.
///
/// # Errors
/// [`Error::Invalid`] for no cases, rows of the wrong length, non-finite
/// values, duplicate column names, no case of interest, or bad options.
///
/// # Example
/// ```
/// use escalation::experiments::prim::{prim, PrimOptions};
/// let cases: Vec<Vec<f64>> = (0..400).map(|i| vec![(i % 20) as f64, (i / 20) as f64]).collect();
/// let hot: Vec<bool> = cases.iter().map(|c| c[0] >= 15.0).collect();
/// let r = prim(&["a".into(), "b".into()], &cases, &hot, &PrimOptions::default()).unwrap();
/// let best = r.chosen(r.select(0.8).unwrap()).unwrap();
/// assert_eq!(best.density, 1.0);
/// assert_eq!(best.restrictions[0].column, "a");
/// ```
pub fn prim(
    columns: &[String],
    cases: &[Vec<f64>],
    of_interest: &[bool],
    options: &PrimOptions,
) -> Result<PrimResult> {
    for (key, a) in [
        ("peel_alpha", options.peel_alpha),
        ("paste_alpha", options.paste_alpha),
    ] {
        if !(a > 0.0 && a < 0.5) {
            return Err(Error::invalid(
                key,
                format!("must lie in (0, 0.5), got {a}"),
            ));
        }
    }
    if !(options.mass_min >= 0.0 && options.mass_min < 1.0) {
        return Err(Error::invalid(
            "mass_min",
            format!("must lie in [0, 1), got {}", options.mass_min),
        ));
    }
    let m = columns.len();
    if cases.is_empty() || m == 0 {
        return Err(Error::invalid(
            "cases",
            "PRIM needs at least one case and one column",
        ));
    }
    for (j, c) in columns.iter().enumerate() {
        if columns[..j].contains(c) {
            return Err(Error::invalid(
                "columns",
                format!("column `{c}` appears twice"),
            ));
        }
    }
    for (i, row) in cases.iter().enumerate() {
        if row.len() != m || row.iter().any(|v| !v.is_finite()) {
            return Err(Error::invalid(
                format!("cases[{i}]"),
                format!("each case needs {m} finite values"),
            ));
        }
    }
    if of_interest.len() != cases.len() {
        return Err(Error::invalid(
            "of_interest",
            format!("{} flags for {} cases", of_interest.len(), cases.len()),
        ));
    }
    let t_coi = of_interest.iter().filter(|&&b| b).count();
    if t_coi == 0 {
        return Err(Error::invalid(
            "of_interest",
            "no case is of interest: coverage is undefined",
        ));
    }
    let init: Vec<[f64; 2]> = (0..m)
        .map(|j| {
            cases
                .iter()
                .fold([f64::INFINITY, f64::NEG_INFINITY], |[lo, hi], r| {
                    [lo.min(r[j]), hi.max(r[j])]
                })
        })
        .collect();
    let p = Prim {
        x: (0..m)
            .map(|j| cases.iter().map(|r| r[j]).collect())
            .collect(),
        y: of_interest,
        init: init.clone(),
        n: cases.len(),
        t_coi,
    };
    let mut idx: Vec<usize> = (0..p.n).collect();
    let mut limits = init;
    let mut trajectory = vec![p.step(&idx, &limits, false)];

    // Peeling.
    loop {
        let old = (idx.len(), p.k(&idx));
        let mut best = None;
        let mut column = Vec::with_capacity(idx.len());
        for j in 0..m {
            for upper in [true, false] {
                column.clear();
                column.extend(idx.iter().map(|&i| p.x[j][i]));
                let alpha = if upper {
                    1.0 - options.peel_alpha
                } else {
                    options.peel_alpha
                };
                let q = ema_quantile(&mut column, alpha);
                let keep = |i: usize| {
                    if upper {
                        p.x[j][i] <= q
                    } else {
                        p.x[j][i] >= q
                    }
                };
                let (mut n, mut k) = (0, 0);
                for &i in idx.iter().filter(|&&i| keep(i)) {
                    n += 1;
                    k += usize::from(p.y[i]);
                }
                let mut lim = limits.clone();
                lim[j][usize::from(upper)] = q;
                p.consider(&mut best, old, lim, (n, k), (j, upper, q));
            }
        }
        let Some(b) = best else { break };
        let (mass_old, mass_new) = (idx.len() as f64 / p.n as f64, b.n as f64 / p.n as f64);
        if !(mass_new >= options.mass_min && mass_new < mass_old && b.obj > 0.0) {
            break;
        }
        let (j, upper, q) = b.payload;
        idx.retain(|&i| {
            if upper {
                p.x[j][i] <= q
            } else {
                p.x[j][i] >= q
            }
        });
        limits = b.limits;
        trajectory.push(p.step(&idx, &limits, false));
    }

    // Pasting.
    loop {
        let dims = p.restricted(&limits);
        if dims.is_empty() {
            break;
        }
        let old = (idx.len(), p.k(&idx));
        let violations = p.violations(&limits, &dims);
        let mut best = None;
        for &u in &dims {
            let [min_u, max_u] = p.init[u];
            // The cases within the limits of every restricted column but u,
            // ascending: EMA's `_in_box` on the restricted columns with u's
            // limits replaced.
            let others: Vec<usize> = (0..p.n)
                .filter(|&i| matches!(violations[i], Some(None)) || violations[i] == Some(Some(u)))
                .collect();
            let within = |i: usize, [lo, hi]: [f64; 2]| lo <= p.x[u][i] && p.x[u][i] <= hi;
            for lower in [true, false] {
                let strip = if lower {
                    [min_u, limits[u][0]]
                } else {
                    [limits[u][1], max_u]
                };
                let mut data: Vec<f64> = others
                    .iter()
                    .filter(|&&i| within(i, strip))
                    .map(|&i| p.x[u][i])
                    .collect();
                let value = match (data.is_empty(), lower) {
                    (true, true) => min_u,
                    (true, false) => max_u,
                    (false, true) => ema_quantile(&mut data, 1.0 - options.paste_alpha),
                    (false, false) => ema_quantile(&mut data, options.paste_alpha),
                };
                let mut lim = limits.clone();
                lim[u][usize::from(!lower)] = value;
                let inside: Vec<usize> = others
                    .iter()
                    .copied()
                    .filter(|&i| within(i, lim[u]))
                    .collect();
                let new = (inside.len(), p.k(&inside));
                p.consider(&mut best, old, lim, new, inside);
            }
        }
        let Some(b) = best else { break };
        let (mass_old, mass_new) = (idx.len() as f64 / p.n as f64, b.n as f64 / p.n as f64);
        let (mean_old, mean_new) = (old.1 as f64 / old.0 as f64, b.k as f64 / b.n as f64);
        if !(mass_new >= options.mass_min
            && mass_new > mass_old
            && b.obj > 0.0
            && mean_new > mean_old)
        {
            break;
        }
        idx = b.payload;
        limits = b.limits;
        trajectory.push(p.step(&idx, &limits, true));
    }
    Ok(PrimResult {
        columns: columns.to_vec(),
        trajectory,
    })
}
