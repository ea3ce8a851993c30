//! Figures from a model: the glue between the analyses and [`crate::plot`].
//!
//! The figures of [`crate::plot`] hold plain data; the functions here
//! compute that data from a compiled [`Model`], so that the command-line
//! tool (`escalation plot KIND SCENARIO --out DIR`) and the examples build
//! every figure the same way. None of them draws or prints: each returns a
//! figure, which the caller may adjust (a title, a mark) before saving it
//! with [`crate::plot::Figure::save`].
//!
//! | figure | function | computed with |
//! |---|---|---|
//! | stability map | [`stability_map`] | [`crate::sweep::sweep_linear`]; boundary in closed form (Richardson) or by bisection |
//! | root locus | [`root_locus`] | [`crate::analysis::root_locus`], [`crate::analysis::critical_gain`] |
//! | bifurcation diagram | [`bifurcation`] | [`crate::analysis::continuation`] |
//! | fan chart | [`fan_chart`] | seeded recorded runs ([`crate::sim::stream`]) |
//! | heat map of collapse probability | [`collapse_heatmap`] | [`crate::sweep::sweep_ensemble`] |
//! | phase portrait (2 actors) | [`phase_portrait`] | [`crate::sim::simulate`], [`crate::analysis::face_equilibria`] |
//!
//! The trajectory plot needs no glue: [`crate::plot::TrajectoryPlot`]
//! takes a simulated run and its model. [`crate::plot::SideBySide`] draws
//! several figures of one kind in a row (for example a stable and an
//! explosive phase portrait).
//!
//! Each function that needs a range has a default around the scenario's
//! current values: [`default_map_grid`], [`default_gains`],
//! [`default_gamma_range`], [`default_heatmap_grid`].
//!
//! # Example
//!
//! ```
//! use escalation::prelude::*;
//! use escalation::figures;
//!
//! let d = Dynamics::richardson(0.5, 0.4, 0.3, 0.6, 0.02, 0.01)?;
//! let model = Model::from_dynamics(d, 100.0);
//! let grid = figures::default_map_grid(&model)?;
//! let mut map = figures::stability_map(&model, &grid)?;
//! map.title = "Richardson's dyad".into();
//! map.save(std::env::temp_dir().join("escalation-doc-map.png"))?;
//! # Ok::<(), escalation::Error>(())
//! ```

mod boundary;
mod ensembles;
mod equilibria;
mod linear;

pub use ensembles::{
    BANDS, FAN_TIMES, collapse_heatmap, default_heatmap_grid, fan_chart, quantile,
};
pub use equilibria::{bifurcation, default_gamma_range, phase_portrait};
pub use linear::{default_gains, default_map_grid, root_locus, stability_map};

use crate::error::{Error, Result};
use crate::model::Model;
use crate::sweep::Axis;

/// `n ≥ 2` evenly spaced values from `lo` to `hi` inclusive.
#[must_use]
pub fn linspace(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    match n {
        0 => Vec::new(),
        1 => vec![lo],
        _ => (0..n)
            .map(|i| lo + (hi - lo) * i as f64 / (n - 1) as f64)
            .collect(),
    }
}

/// The two axes of a map, each with at least two values and increasing (an
/// axis given from high to low is turned round: it holds the same values).
fn map_axes(grid: &crate::sweep::Grid, what: &str) -> Result<[Axis; 2]> {
    let [a, b] = grid.axes.as_slice() else {
        return Err(Error::invalid(
            "param",
            format!("a {what} needs two parameters, got {}", grid.axes.len()),
        ));
    };
    let fix = |a: &Axis| -> Result<Axis> {
        if a.count < 2 || a.start == a.stop {
            return Err(Error::invalid(
                "axis",
                format!("{a}: a map axis needs at least two different values"),
            ));
        }
        let mut a = a.clone();
        if a.start > a.stop {
            std::mem::swap(&mut a.start, &mut a.stop);
        }
        Ok(a)
    };
    Ok([fix(a)?, fix(b)?])
}

/// Marks the scenario's own parameter values on a map, if inside it.
fn scenario_mark(model: &Model, axes: &[Axis; 2]) -> Vec<crate::plot::Mark> {
    let (Some(x), Some(y)) = (axes[0].param.value_in(model), axes[1].param.value_in(model)) else {
        return Vec::new();
    };
    let inside = |v: f64, a: &Axis| v >= a.start && v <= a.stop;
    if inside(x, &axes[0]) && inside(y, &axes[1]) {
        vec![crate::plot::Mark {
            label: format!("scenario ({x}, {y})"),
            x,
            y,
        }]
    } else {
        Vec::new()
    }
}

/// The scenario's name, or "Scenario" when it has none.
fn title_name(model: &Model) -> &str {
    if model.name.is_empty() {
        "Scenario"
    } else {
        &model.name
    }
}
