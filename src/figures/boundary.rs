//! The stability boundary of a map: Richardson's hyperbola in closed form,
//! or the threshold contour of a swept measure located by bisection.

use std::collections::BTreeMap;

use rayon::prelude::*;

use super::Axis;
use crate::error::{Error, Result};
use crate::model::Model;
use crate::plot::Curve;
use crate::sweep::{Grid, Param, SweepOptions, sweep_linear};

/// Points per hyperbola branch.
const BRANCH_POINTS: usize = 240;
/// Bisection steps per crossing: the bracket shrinks to 2⁻⁴⁸ of a cell.
const BISECTIONS: usize = 48;

/// Label of the analytic boundary.
pub(crate) const HYPERBOLA: &str = "analytic boundary k l = a b / γ²";
/// Label of the located boundary.
pub(crate) const CONTOUR: &str = "stability boundary (bisection)";

/// The values `u > 0` with `s·u` in `[lo, hi]`, as a closed interval.
fn positive_preimage(lo: f64, hi: f64, s: f64) -> Option<(f64, f64)> {
    let (a, b) = if s > 0.0 { (lo, hi) } else { (-hi, -lo) };
    (b > 0.0).then_some((a.max(0.0), b))
}

/// Both branches of `x y = c` (`c > 0`) inside the box `xr × yr`:
/// `(s u, s c / u)` for `s = ±1`, `u` spaced geometrically, so the steep
/// ends are drawn as finely as the bend.
pub(crate) fn hyperbola(c: f64, xr: (f64, f64), yr: (f64, f64)) -> Vec<Curve> {
    let mut out = Vec::new();
    for s in [1.0, -1.0] {
        let (Some(ux), Some((p, q))) = (
            positive_preimage(xr.0, xr.1, s),
            positive_preimage(yr.0, yr.1, s),
        ) else {
            continue;
        };
        // s·c/u ∈ [yr] ⇔ c/u ∈ [p, q] ⇔ u ∈ [c/q, c/p]
        let lo = ux.0.max(c / q);
        let hi = if p > 0.0 { ux.1.min(c / p) } else { ux.1 };
        if !(lo > 0.0 && hi > lo) {
            continue;
        }
        let ratio = hi / lo;
        let points = (0..BRANCH_POINTS)
            .map(|m| {
                let u = lo * ratio.powf(m as f64 / (BRANCH_POINTS - 1) as f64);
                (s * u, s * c / u)
            })
            .collect();
        out.push(Curve::new(HYPERBOLA, points));
    }
    out
}

/// A grid edge: `H(ix, iy)` joins points `(ix, iy)` and `(ix + 1, iy)`,
/// `V(ix, iy)` joins `(ix, iy)` and `(ix, iy + 1)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Edge {
    H(usize, usize),
    V(usize, usize),
}

/// The swept measure minus its threshold at one parameter pair.
fn measure_at(model: &Model, axes: &[Axis; 2], v: (f64, f64), threshold: f64) -> Result<f64> {
    let one = |a: &Axis, x: f64| Axis {
        start: x,
        stop: x,
        count: 1,
        ..a.clone()
    };
    let grid = Grid {
        axes: vec![one(&axes[0], v.0), one(&axes[1], v.1)],
    };
    let p = sweep_linear(model, &grid, &SweepOptions::default(), None)?;
    let p = p
        .first()
        .ok_or_else(|| Error::numerical("a one-point sweep returned no point"))?;
    let m = if model.controller.is_some() {
        p.spectral_radius.ok_or_else(|| {
            Error::numerical("the sweep gave no spectral radius for the sampled loop")
        })?
    } else {
        p.spectral_abscissa
    };
    Ok(m - threshold)
}

/// The threshold crossing on `edge`, by bisection between its ends (at the
/// midpoint for a whole-number parameter such as the lag).
fn locate(
    model: &Model,
    axes: &[Axis; 2],
    edge: Edge,
    above_first: bool,
    threshold: f64,
) -> Result<(f64, f64)> {
    let (ix, iy) = match edge {
        Edge::H(i, j) | Edge::V(i, j) => (i, j),
    };
    let start = (axes[0].value(ix), axes[1].value(iy));
    let end = match edge {
        Edge::H(..) => (axes[0].value(ix + 1), start.1),
        Edge::V(..) => (start.0, axes[1].value(iy + 1)),
    };
    let at = |t: f64| {
        (
            start.0 + t * (end.0 - start.0),
            start.1 + t * (end.1 - start.1),
        )
    };
    let moving = match edge {
        Edge::H(..) => axes[0].param,
        Edge::V(..) => axes[1].param,
    };
    if moving == Param::Controller(crate::sweep::ControllerField::Lag) {
        return Ok(at(0.5));
    }
    let (mut lo, mut hi) = (0.0, 1.0);
    for _ in 0..BISECTIONS {
        let mid = 0.5 * (lo + hi);
        if (measure_at(model, axes, at(mid), threshold)? > 0.0) == above_first {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Ok(at(0.5 * (lo + hi)))
}

/// The contour where `values − threshold` changes sign (`values[iy][ix]`
/// on the grid of `axes`), as polylines through crossings located on the
/// model by bisection and joined cell by cell (marching squares; a saddle
/// cell is resolved by the mean of its corners).
pub(crate) fn contour(
    model: &Model,
    axes: &[Axis; 2],
    values: &[Vec<f64>],
    threshold: f64,
) -> Result<Vec<Curve>> {
    let (nx, ny) = (axes[0].count, axes[1].count);
    let above = |ix: usize, iy: usize| values[iy][ix] - threshold > 0.0;
    let mut edges = Vec::new();
    for iy in 0..ny {
        for ix in 0..nx {
            if ix + 1 < nx && above(ix, iy) != above(ix + 1, iy) {
                edges.push(Edge::H(ix, iy));
            }
            if iy + 1 < ny && above(ix, iy) != above(ix, iy + 1) {
                edges.push(Edge::V(ix, iy));
            }
        }
    }
    let points: BTreeMap<Edge, (f64, f64)> = edges
        .par_iter()
        .map(|&e| {
            let (ix, iy) = match e {
                Edge::H(i, j) | Edge::V(i, j) => (i, j),
            };
            Ok((e, locate(model, axes, e, above(ix, iy), threshold)?))
        })
        .collect::<Result<_>>()?;
    let mut segments = Vec::new();
    for iy in 0..ny.saturating_sub(1) {
        for ix in 0..nx.saturating_sub(1) {
            let (bottom, right) = (Edge::H(ix, iy), Edge::V(ix + 1, iy));
            let (top, left) = (Edge::H(ix, iy + 1), Edge::V(ix, iy));
            let cut: Vec<Edge> = [bottom, right, top, left]
                .into_iter()
                .filter(|e| points.contains_key(e))
                .collect();
            match cut.as_slice() {
                [a, b] => segments.push((*a, *b)),
                [_, _, _, _] => {
                    let mean = (values[iy][ix]
                        + values[iy][ix + 1]
                        + values[iy + 1][ix]
                        + values[iy + 1][ix + 1])
                        / 4.0;
                    if (mean - threshold > 0.0) == above(ix, iy) {
                        // The (ix, iy)–(ix+1, iy+1) diagonal is connected:
                        // cut off the other two corners.
                        segments.push((bottom, right));
                        segments.push((top, left));
                    } else {
                        segments.push((bottom, left));
                        segments.push((right, top));
                    }
                }
                _ => {}
            }
        }
    }
    Ok(chain(&segments, &points))
}

/// Joins segments that share an edge into polylines, open ones first.
fn chain(segments: &[(Edge, Edge)], points: &BTreeMap<Edge, (f64, f64)>) -> Vec<Curve> {
    let mut at: BTreeMap<Edge, Vec<usize>> = BTreeMap::new();
    for (k, (a, b)) in segments.iter().enumerate() {
        at.entry(*a).or_default().push(k);
        at.entry(*b).or_default().push(k);
    }
    let mut used = vec![false; segments.len()];
    let mut starts: Vec<Edge> = at
        .iter()
        .filter(|(_, s)| s.len() == 1)
        .map(|(e, _)| *e)
        .collect();
    starts.extend(segments.iter().map(|s| s.0));
    let mut curves = Vec::new();
    // Indexing `points` cannot fail: every segment joins two edges that
    // `contour` took from its keys.
    for start in starts {
        let mut edge = start;
        let mut line = Vec::new();
        while let Some(&k) = at.get(&edge).and_then(|s| s.iter().find(|&&k| !used[k])) {
            if line.is_empty() {
                line.push(points[&edge]);
            }
            used[k] = true;
            let (a, b) = segments[k];
            edge = if a == edge { b } else { a };
            line.push(points[&edge]);
        }
        if line.len() >= 2 {
            curves.push(Curve::new(CONTOUR, line));
        }
    }
    curves
}
