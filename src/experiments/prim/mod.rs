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

mod trajectory;

pub use trajectory::{ChosenBox, PrimResult, PrimStep, Restriction};

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

/// EMA workbench's `get_quantile` on sorted, non-empty `data`.
fn ema_quantile(data: &[f64], q: f64) -> f64 {
    let i = (data.len() - 1) as f64 * q;
    let (mut lo, mut hi) = (i.floor() as usize, i.ceil() as usize);
    if q > 0.5 {
        while data[lo] == data[hi] && lo > 0 {
            lo -= 1;
        }
    } else {
        while data[lo] == data[hi] && hi < data.len() - 1 {
            hi += 1;
        }
    }
    (data[lo] + data[hi]) / 2.0
}

/// A candidate box: objective, unrestricted columns, limits, cases inside.
type Candidate = (f64, usize, Vec<[f64; 2]>, Vec<usize>);

struct Prim<'a> {
    x: &'a [Vec<f64>],
    y: &'a [bool],
    init: Vec<[f64; 2]>,
    n: usize,
    t_coi: usize,
}

impl Prim<'_> {
    fn k(&self, idx: &[usize]) -> usize {
        idx.iter().filter(|&&i| self.y[i]).count()
    }

    fn mean(&self, idx: &[usize]) -> f64 {
        if idx.is_empty() {
            0.0
        } else {
            self.k(idx) as f64 / idx.len() as f64
        }
    }

    /// LENIENT1: gain in mean over the change in the number of cases.
    fn objective(&self, old: &[usize], new: &[usize]) -> f64 {
        let (m_old, m_new) = (self.mean(old), self.mean(new));
        if m_old == m_new || old.len() == new.len() {
            return 0.0;
        }
        (m_new - m_old) / old.len().abs_diff(new.len()) as f64
    }

    fn restricted(&self, limits: &[[f64; 2]]) -> Vec<usize> {
        (0..limits.len())
            .filter(|&j| limits[j] != self.init[j])
            .collect()
    }

    fn step(&self, idx: &[usize], limits: &[[f64; 2]], pasted: bool) -> PrimStep {
        let k = self.k(idx);
        PrimStep {
            coverage: k as f64 / self.t_coi as f64,
            density: k as f64 / idx.len() as f64,
            mass: idx.len() as f64 / self.n as f64,
            n: idx.len(),
            k,
            limits: limits.to_vec(),
            restricted: self.restricted(limits),
            pasted,
        }
    }

    /// All rows inside `limits` on the columns `dims`, ascending.
    fn inside(&self, limits: &[[f64; 2]], dims: &[usize]) -> Vec<usize> {
        (0..self.n)
            .filter(|&i| {
                dims.iter()
                    .all(|&j| limits[j][0] <= self.x[i][j] && self.x[i][j] <= limits[j][1])
            })
            .collect()
    }

    /// Keeps the best of the candidates by (objective, unrestricted columns).
    fn consider(
        &self,
        best: &mut Option<Candidate>,
        old: &[usize],
        limits: Vec<[f64; 2]>,
        idx: Vec<usize>,
    ) {
        let obj = self.objective(old, &idx);
        let free = limits.len() - self.restricted(&limits).len();
        if best
            .as_ref()
            .is_none_or(|b| obj > b.0 || (obj == b.0 && free > b.1))
        {
            *best = Some((obj, free, limits, idx));
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
        x: cases,
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
        let mut best = None;
        for j in 0..m {
            let mut sorted: Vec<f64> = idx.iter().map(|&i| p.x[i][j]).collect();
            sorted.sort_by(f64::total_cmp);
            for upper in [true, false] {
                let q = ema_quantile(
                    &sorted,
                    if upper {
                        1.0 - options.peel_alpha
                    } else {
                        options.peel_alpha
                    },
                );
                let kept: Vec<usize> = idx
                    .iter()
                    .copied()
                    .filter(|&i| {
                        if upper {
                            p.x[i][j] <= q
                        } else {
                            p.x[i][j] >= q
                        }
                    })
                    .collect();
                let mut lim = limits.clone();
                lim[j][usize::from(upper)] = q;
                p.consider(&mut best, &idx, lim, kept);
            }
        }
        let Some((obj, _, lim, kept)) = best else {
            break;
        };
        let (mass_old, mass_new) = (
            idx.len() as f64 / p.n as f64,
            kept.len() as f64 / p.n as f64,
        );
        if !(mass_new >= options.mass_min && mass_new < mass_old && obj > 0.0) {
            break;
        }
        idx = kept;
        limits = lim;
        trajectory.push(p.step(&idx, &limits, false));
    }

    // Pasting.
    loop {
        let dims = p.restricted(&limits);
        if dims.is_empty() {
            break;
        }
        let mut best = None;
        for &u in &dims {
            let [min_u, max_u] = p.init[u];
            for lower in [true, false] {
                let mut strip = limits.clone();
                strip[u] = if lower {
                    [min_u, limits[u][0]]
                } else {
                    [limits[u][1], max_u]
                };
                let mut data: Vec<f64> =
                    p.inside(&strip, &dims).iter().map(|&i| p.x[i][u]).collect();
                data.sort_by(f64::total_cmp);
                let value = match (data.is_empty(), lower) {
                    (true, true) => min_u,
                    (true, false) => max_u,
                    (false, true) => ema_quantile(&data, 1.0 - options.paste_alpha),
                    (false, false) => ema_quantile(&data, options.paste_alpha),
                };
                let mut lim = limits.clone();
                lim[u][usize::from(!lower)] = value;
                let inside = p.inside(&lim, &dims);
                p.consider(&mut best, &idx, lim, inside);
            }
        }
        let Some((obj, _, lim, inside)) = best else {
            break;
        };
        let (mass_old, mass_new) = (
            idx.len() as f64 / p.n as f64,
            inside.len() as f64 / p.n as f64,
        );
        if !(mass_new >= options.mass_min
            && mass_new > mass_old
            && obj > 0.0
            && p.mean(&inside) > p.mean(&idx))
        {
            break;
        }
        idx = inside;
        limits = lim;
        trajectory.push(p.step(&idx, &limits, true));
    }
    Ok(PrimResult {
        columns: columns.to_vec(),
        trajectory,
    })
}
