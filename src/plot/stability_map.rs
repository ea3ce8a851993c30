//! Stability map: a verdict or a stability measure over a grid of two
//! parameters, with the analytic boundary drawn over it.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::check;
use super::colormap::{Diverging, Scale};
use super::frame;
use super::geometry::{Curve, Mark};
use super::overlay;
use super::overlay::{MarkStyle, Swatch};
use crate::analysis::Verdict;
use crate::error::{Error, Result};

/// Colour of a verdict's cells.
fn verdict_color(v: Verdict) -> RGBColor {
    match v {
        Verdict::Stable => RGBColor(103, 169, 207),
        Verdict::Marginal => RGBColor(240, 228, 150),
        Verdict::Explosive => RGBColor(214, 96, 77),
    }
}

/// Legend text of a verdict.
fn verdict_name(v: Verdict) -> &'static str {
    match v {
        Verdict::Stable => "stable",
        Verdict::Marginal => "marginal",
        Verdict::Explosive => "explosive",
    }
}

/// What each cell of a [`StabilityMap`] holds; rows are indexed by y, so
/// `[iy][ix]` is the cell at `(x[ix], y[iy])`.
#[derive(Debug, Clone, PartialEq)]
pub enum MapCells {
    /// A continuous measure, coloured on a diverging scale that is pale at
    /// `threshold`, blue below it (stable) and red above it (explosive).
    Values {
        /// The values, one row per y value.
        values: Vec<Vec<f64>>,
        /// Colour-bar label with units, e.g. "spectral abscissa (1/day)".
        label: String,
        /// The stability threshold: 0 for a spectral abscissa, 1 for a
        /// spectral radius.
        threshold: f64,
    },
    /// One [`Verdict`] per cell (as from [`crate::analysis`]), one row per y value.
    Verdicts(Vec<Vec<Verdict>>),
}

/// A stability map: a verdict or a value per cell of a grid of two
/// parameters, with the boundary and marks drawn over it.
///
/// Saving it checks it first ([`Figure::check`](super::Figure::check)):
/// [`Error::Invalid`] when an axis has fewer than two values or does not
/// increase, the cells do not match the axes, or a value or point is not
/// finite.
#[derive(Debug, Clone, PartialEq)]
pub struct StabilityMap {
    /// Title; empty for "Stability map".
    pub title: String,
    /// x axis label with units, e.g. "k, reaction of Blue to Red (1/day)".
    pub x_label: String,
    /// y axis label with units.
    pub y_label: String,
    /// Grid values of the x parameter (cell centres), strictly increasing, at least 2.
    pub x: Vec<f64>,
    /// Grid values of the y parameter (cell centres), strictly increasing, at least 2.
    pub y: Vec<f64>,
    /// The cells.
    pub cells: MapCells,
    /// Analytic boundary curves in (x, y) units, drawn in black over the cells.
    pub boundary: Vec<Curve>,
    /// Points to mark, e.g. the scenario's baseline.
    pub marks: Vec<Mark>,
}

impl super::Figure for StabilityMap {
    fn check(&self) -> Result<()> {
        match &self.cells {
            MapCells::Values {
                values, threshold, ..
            } => {
                overlay::check_grid(
                    "stability_map",
                    &self.x,
                    &self.y,
                    values,
                    &self.boundary,
                    &self.marks,
                )?;
                check::finite("stability_map.threshold", *threshold)?;
                for (j, row) in values.iter().enumerate() {
                    check::all_finite(&format!("stability_map.values[{j}]"), row)?;
                }
            }
            MapCells::Verdicts(v) => {
                overlay::check_grid(
                    "stability_map",
                    &self.x,
                    &self.y,
                    v,
                    &self.boundary,
                    &self.marks,
                )?;
            }
        }
        if self.x_label.trim().is_empty() || self.y_label.trim().is_empty() {
            return Err(Error::invalid(
                "stability_map.x_label/y_label",
                "axis labels must not be empty",
            ));
        }
        Ok(())
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
    ) -> std::result::Result<(), String> {
        let title = if self.title.is_empty() {
            "Stability map"
        } else {
            &self.title
        };
        let area = frame::titled(root, title)?;
        let mut items = Vec::new();
        if matches!(self.cells, MapCells::Verdicts(_)) {
            for v in [Verdict::Stable, Verdict::Marginal, Verdict::Explosive] {
                items.push((Swatch::Fill(verdict_color(v)), verdict_name(v).to_string()));
            }
        }
        items.extend(overlay::entries(
            &self.boundary,
            &self.marks,
            MarkStyle::Diamond,
        ));
        let area = overlay::legend_strip(area, &items)?;
        let bx = overlay::grid_bounds(&self.x, &self.y);
        let plot_area;
        let mut chart = match &self.cells {
            MapCells::Values {
                values,
                label,
                threshold,
            } => {
                let (lo, hi) =
                    super::geometry::extent(values.iter().flatten().copied()).unwrap_or((0.0, 0.0));
                let scale = Diverging::around(lo, hi, *threshold);
                plot_area = frame::with_colorbar(&area, &scale, label)?;
                let mut chart = frame::chart(&plot_area, bx.x0..bx.x1, bx.y0..bx.y1, 0)?;
                overlay::draw_cells(&mut chart, &self.x, &self.y, |ix, iy| {
                    scale.color(values[iy][ix])
                })?;
                chart
            }
            MapCells::Verdicts(v) => {
                let mut chart = frame::chart(&area, bx.x0..bx.x1, bx.y0..bx.y1, 0)?;
                overlay::draw_cells(&mut chart, &self.x, &self.y, |ix, iy| {
                    verdict_color(v[iy][ix])
                })?;
                chart
            }
        };
        frame::mesh(&mut chart, &self.x_label, &self.y_label, false)?;
        overlay::draw_curves(&mut chart, &self.boundary, &bx)?;
        overlay::draw_marks(&mut chart, &self.marks, &bx, MarkStyle::Diamond)
    }
}
