//! Linear-analysis figures: the stability map and the root locus.

use super::boundary;
use super::{Axis, map_axes, scenario_mark, title_name};
use crate::analysis::critical_gain;
use crate::error::{Error, Result};
use crate::model::Model;
use crate::plot::{MapCells, Plane, RootLocus, StabilityMap};
use crate::sweep::{Grid, Param, SweepOptions, sweep_linear};

/// Grid points per map axis in [`default_map_grid`].
const MAP_POINTS: usize = 61;
/// Gains in [`default_gains`].
const LOCUS_POINTS: usize = 121;

/// The stability map of `model` over a two-axis `grid` of linear
/// parameters: one [`crate::sweep::sweep_linear`] verdict per point, with
/// the stability boundary drawn over it.
///
/// The cells hold the spectral abscissa of the continuous loop (1/day,
/// threshold 0) or, when the scenario has a controller, the spectral radius
/// of the sampled loop (threshold 1), which is what the verdict is taken
/// from. The boundary is
///
/// * the analytic Richardson hyperbola `k l = a b / γ²` (both branches)
///   when the model has two actors, no controller, and the axes are its two
///   couplings `k = K₁₂`, `l = K₂₁`: there `det(−A + γK) = ab − γ²kl`
///   changes sign while the trace `−(a + b)` stays negative;
/// * otherwise the contour where the measure crosses its threshold, located
///   by bisection on every grid edge (along rows and columns) whose two ends
///   fall on different sides, and joined cell by cell (marching squares).
///   A boundary that crosses an edge twice between two grid points is
///   missed: refine the grid to see it.
///
/// The scenario's own values are marked when they lie inside the grid. An
/// axis given from high to low is turned round.
///
/// # Errors
/// [`Error::Invalid`] unless the grid has two axes with at least two
/// different values each and no spoiler parameter; the analysis errors of
/// [`crate::sweep::sweep_linear`].
///
/// # Example
///
/// ```
/// use escalation::figures;
/// use escalation::model::{Dynamics, Model};
/// use escalation::sweep::{Axis, Grid, Param};
///
/// let d = Dynamics::richardson(0.5, 0.4, 0.3, 0.6, 0.02, 0.01).unwrap();
/// let model = Model::from_dynamics(d, 100.0);
/// let grid = Grid::new(vec![
///     Axis::new(&model, Param::Coupling(0, 1), 0.0, 1.0, 21).unwrap(),
///     Axis::new(&model, Param::Coupling(1, 0), 0.0, 1.0, 21).unwrap(),
/// ]).unwrap();
/// let map = figures::stability_map(&model, &grid).unwrap();
/// // every boundary point satisfies k l = a b
/// for (k, l) in map.boundary.iter().flat_map(|c| c.points.iter()) {
///     assert!((k * l - 0.2).abs() < 1e-12);
/// }
/// ```
pub fn stability_map(model: &Model, grid: &Grid) -> Result<StabilityMap> {
    let axes = map_axes(grid, "stability map")?;
    let grid = Grid::new(axes.to_vec())?;
    let points = sweep_linear(model, &grid, &SweepOptions::default(), None)?;
    let sampled = model.controller.is_some();
    let (nx, ny) = (axes[0].count, axes[1].count);
    let measure = |p: &crate::sweep::LinearPoint| -> Result<f64> {
        if sampled {
            p.spectral_radius.ok_or_else(|| {
                Error::numerical("the sweep gave no spectral radius for the sampled loop")
            })
        } else {
            Ok(p.spectral_abscissa)
        }
    };
    // Point p = ix·ny + iy (the first axis varies slowest); cells are [iy][ix].
    let mut values = vec![vec![0.0; nx]; ny];
    for p in &points {
        values[p.index % ny][p.index / ny] = measure(p)?;
    }
    let threshold = if sampled { 1.0 } else { 0.0 };
    let x: Vec<f64> = (0..nx).map(|i| axes[0].value(i)).collect();
    let y: Vec<f64> = (0..ny).map(|i| axes[1].value(i)).collect();
    let curves = match richardson_couplings(model, &axes) {
        Some(c) => boundary::hyperbola(c, (x[0], x[nx - 1]), (y[0], y[ny - 1])),
        None => boundary::contour(model, &axes, &values, threshold)?,
    };
    let (label, what) = if sampled {
        (
            "spectral radius of the sampled loop".to_string(),
            "spectral radius of the sampled loop",
        )
    } else {
        (
            "spectral abscissa (1/day)".to_string(),
            "spectral abscissa of −A + γK",
        )
    };
    Ok(StabilityMap {
        title: format!("{}: {what}", title_name(model)),
        x_label: axes[0].param.label(model),
        y_label: axes[1].param.label(model),
        x,
        y,
        cells: MapCells::Values {
            values,
            label,
            threshold,
        },
        boundary: curves,
        marks: scenario_mark(model, &axes),
    })
}

/// `a b / γ²` when `axes` are the two couplings of a two-actor continuous
/// model with positive gain: the map's boundary is then `x y = a b / γ²`.
fn richardson_couplings(model: &Model, axes: &[Axis; 2]) -> Option<f64> {
    let d = &model.dynamics;
    let pair = matches!(
        (axes[0].param, axes[1].param),
        (Param::Coupling(0, 1), Param::Coupling(1, 0))
            | (Param::Coupling(1, 0), Param::Coupling(0, 1))
    );
    let uncontrolled = model.proxies.iter().all(|p| p.control == 0.0);
    (d.n() == 2 && model.controller.is_none() && pair && d.gain > 0.0 && uncontrolled)
        .then(|| d.restraint[0] * d.restraint[1] / (d.gain * d.gain))
}

/// A map grid around the scenario: the strongest mutual reaction
/// `K_ij`, `K_ji` (largest product, then largest sum), each from 0 to 2.5
/// times its current value (or to the larger restraint when it is 0), with
/// 61 values per axis.
///
/// # Errors
/// [`Error::Invalid`] for a model with one actor (there is no coupling to
/// map: give two `--param` axes).
pub fn default_map_grid(model: &Model) -> Result<Grid> {
    model.check()?;
    let d = &model.dynamics;
    let n = d.n();
    if n < 2 {
        return Err(Error::invalid(
            "param",
            "a one-actor model has no coupling to map: give two parameter axes",
        ));
    }
    let mut best = (0, 1);
    let mut key = (f64::NEG_INFINITY, f64::NEG_INFINITY);
    for i in 0..n {
        for j in i + 1..n {
            let (kij, kji) = (d.coupling[(i, j)], d.coupling[(j, i)]);
            let k = (kij * kji, kij.abs() + kji.abs());
            if k > key {
                key = k;
                best = (i, j);
            }
        }
    }
    let (i, j) = best;
    let range = |v: f64| {
        if v == 0.0 {
            (0.0, d.restraint.max())
        } else {
            let end = 2.5 * v;
            (end.min(0.0), end.max(0.0))
        }
    };
    let mk = |p: Param| {
        let (lo, hi) = range(p.value_in(model).unwrap_or(0.0));
        Axis::new(model, p, lo, hi, MAP_POINTS)
    };
    Grid::new(vec![mk(Param::Coupling(i, j))?, mk(Param::Coupling(j, i))?])
}

/// The root locus of `model`'s continuous loop: the eigenvalues of
/// `−A + γK` (1/day) at each gain in `gains`, with the critical gain `γ*`
/// ([`crate::analysis::critical_gain`]) ringed. `γ*` is inserted among the
/// gains when it lies inside their range, so its eigenvalues are drawn
/// exactly on the boundary.
///
/// # Errors
/// [`Error::Invalid`] for fewer than two gains, gains that are not finite,
/// negative or strictly increasing; [`Error::Numerical`] if an eigenvalue
/// computation fails.
pub fn root_locus(model: &Model, gains: &[f64]) -> Result<RootLocus> {
    if gains.len() < 2 {
        return Err(Error::invalid(
            "gains",
            format!("a root locus needs at least two gains, got {}", gains.len()),
        ));
    }
    for (k, w) in gains.windows(2).enumerate() {
        if !(w[0].is_finite() && w[1].is_finite() && w[0] >= 0.0 && w[1] > w[0]) {
            return Err(Error::invalid(
                format!("gains[{}]", k + 1),
                format!(
                    "gains must be finite, non-negative and strictly increasing, got {} after {}",
                    w[1], w[0]
                ),
            ));
        }
    }
    model.check()?;
    let d = model.steady_dynamics()?;
    let d = d.as_ref();
    let critical = critical_gain(d)?;
    let mut all = gains.to_vec();
    if let Some(c) = critical
        && c > gains[0]
        && c < gains[gains.len() - 1]
    {
        let at = all.partition_point(|&g| g < c);
        if all[at] != c {
            all.insert(at, c);
        }
    }
    let eigenvalues = crate::analysis::root_locus(d, &all)?;
    Ok(RootLocus {
        title: format!(
            "{}: eigenvalues of −A + γK as the gain rises",
            title_name(model)
        ),
        gains: all,
        eigenvalues,
        critical_gain: critical,
        plane: Plane::Continuous,
    })
}

/// 121 gains from 0 to 1.6 γ* (or to twice the baseline gain, at least 2,
/// when the loop never explodes).
///
/// # Errors
/// [`Error::Numerical`] if the critical gain cannot be computed.
pub fn default_gains(model: &Model) -> Result<Vec<f64>> {
    model.check()?;
    let hi = match critical_gain(model.steady_dynamics()?.as_ref())? {
        Some(c) if c > 0.0 => 1.6 * c.max(model.dynamics.gain / 1.6),
        _ => (2.0 * model.dynamics.gain).max(2.0),
    };
    Ok(super::linspace(0.0, hi, LOCUS_POINTS))
}
