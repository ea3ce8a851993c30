//! The working parts of PRIM: EMA's quantile, the candidate bookkeeping
//! and the statistics of a box.

use super::PrimStep;

/// EMA workbench's `get_quantile` (after sdtoolkit) on non-empty `data`,
/// which it reorders: with `i = (len − 1)·q`, the values at ⌊i⌋ and ⌈i⌉ of
/// the sorted data, the far one moved past ties (down for `q > ½`, up
/// otherwise), averaged. Linear time: two order statistics and a scan.
pub(super) fn ema_quantile(data: &mut [f64], q: f64) -> f64 {
    let i = (data.len() - 1) as f64 * q;
    let (lo, hi) = (i.floor() as usize, i.ceil() as usize);
    let a = *data.select_nth_unstable_by(lo, f64::total_cmp).1;
    let b = if hi == lo {
        a
    } else {
        data[lo + 1..].iter().copied().fold(f64::INFINITY, f64::min)
    };
    if a != b {
        return (a + b) / 2.0;
    }
    if q > 0.5 {
        // Sorted-order walk down from ⌊i⌋: the largest value below b, if any.
        let below = data
            .iter()
            .copied()
            .filter(|&v| v < b)
            .fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.max(v))));
        (below.unwrap_or(b) + b) / 2.0
    } else {
        let above = data
            .iter()
            .copied()
            .filter(|&v| v > a)
            .fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.min(v))));
        (a + above.unwrap_or(a)) / 2.0
    }
}

/// The best candidate so far: objective, unrestricted columns, limits, its
/// size and cases of interest, and what is needed to rebuild it.
pub(super) struct Best<T> {
    pub(super) obj: f64,
    free: usize,
    pub(super) limits: Vec<[f64; 2]>,
    pub(super) n: usize,
    pub(super) k: usize,
    pub(super) payload: T,
}

pub(super) struct Prim<'a> {
    /// The cases column by column (`x[j][i]`: column j, case i).
    pub(super) x: Vec<Vec<f64>>,
    pub(super) y: &'a [bool],
    pub(super) init: Vec<[f64; 2]>,
    pub(super) n: usize,
    pub(super) t_coi: usize,
}

impl Prim<'_> {
    pub(super) fn k(&self, idx: &[usize]) -> usize {
        idx.iter().filter(|&&i| self.y[i]).count()
    }

    /// LENIENT1: the gain in mean over the change in the number of cases
    /// (`np.mean` of an empty box is taken as 0, as EMA does).
    pub(super) fn objective(old: (usize, usize), new: (usize, usize)) -> f64 {
        let mean = |(n, k): (usize, usize)| if n == 0 { 0.0 } else { k as f64 / n as f64 };
        let (m_old, m_new) = (mean(old), mean(new));
        if m_old == m_new || old.0 == new.0 {
            return 0.0;
        }
        (m_new - m_old) / old.0.abs_diff(new.0) as f64
    }

    pub(super) fn restricted(&self, limits: &[[f64; 2]]) -> Vec<usize> {
        (0..limits.len())
            .filter(|&j| limits[j] != self.init[j])
            .collect()
    }

    pub(super) fn step(&self, idx: &[usize], limits: &[[f64; 2]], pasted: bool) -> PrimStep {
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

    /// For every case, whether it lies outside `limits` on none of `dims`
    /// (`Some(None)`), on exactly one (`Some(Some(j))`), or on more (`None`).
    pub(super) fn violations(
        &self,
        limits: &[[f64; 2]],
        dims: &[usize],
    ) -> Vec<Option<Option<usize>>> {
        (0..self.n)
            .map(|i| {
                let mut out = dims
                    .iter()
                    .filter(|&&j| !(limits[j][0] <= self.x[j][i] && self.x[j][i] <= limits[j][1]));
                match (out.next(), out.next()) {
                    (None, _) => Some(None),
                    (Some(&j), None) => Some(Some(j)),
                    _ => None,
                }
            })
            .collect()
    }

    /// Keeps the best candidate by (objective, unrestricted columns); on a
    /// tie the earlier one stays, as Python's stable sort keeps it.
    pub(super) fn consider<T>(
        &self,
        best: &mut Option<Best<T>>,
        old: (usize, usize),
        limits: Vec<[f64; 2]>,
        new: (usize, usize),
        payload: T,
    ) {
        let obj = Self::objective(old, new);
        let free = limits.len() - self.restricted(&limits).len();
        if best
            .as_ref()
            .is_none_or(|b| obj > b.obj || (obj == b.obj && free > b.free))
        {
            *best = Some(Best {
                obj,
                free,
                limits,
                n: new.0,
                k: new.1,
                payload,
            });
        }
    }
}
