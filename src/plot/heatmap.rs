//! Heat map of a probability (for example of collapse) over a grid of two
//! parameters, with a colour bar.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::colormap::{Scale, Sequential};
use super::frame::{self, err};
use super::geometry::{Curve, Mark};
use super::overlay::{self, MarkStyle};
use super::style::FONT;
use crate::error::{Error, Result};

/// A heat map of a probability over a grid of two parameters.
///
/// Saving it checks it first ([`Figure::check`](super::Figure::check)):
/// [`Error::Invalid`] when an axis has fewer than two values or does not
/// increase, the values do not match the axes, a value is outside `[0, 1]`
/// or a point is not finite.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Heatmap {
    /// Title, e.g. "Collapse probability (400 runs per cell)".
    pub title: String,
    /// x axis label with units, e.g. "spoiler attack rate (1/day)".
    pub x_label: String,
    /// y axis label with units, e.g. "ceasefire gain γ".
    pub y_label: String,
    /// Colour-bar label, e.g. "collapse probability".
    pub value_label: String,
    /// Grid values of the x parameter (cell centres), strictly increasing, at least 2.
    pub x: Vec<f64>,
    /// Grid values of the y parameter (cell centres), strictly increasing, at least 2.
    pub y: Vec<f64>,
    /// Probabilities in `[0, 1]`, one row per y value: `values[iy][ix]`.
    pub values: Vec<Vec<f64>>,
    /// Curves drawn over the cells (e.g. an analytic boundary).
    pub curves: Vec<Curve>,
    /// Points to mark, e.g. the scenario's baseline.
    pub marks: Vec<Mark>,
    /// Write each cell's value in it (readable up to about 15 × 15 cells).
    pub annotate: bool,
}

/// Largest font of the numbers in cells, pixels, and the radius of the ring
/// that marks a cell's number.
const NUMBER: u32 = 16;
const RING: i32 = 21;

impl super::Figure for Heatmap {
    fn check(&self) -> Result<()> {
        overlay::check_grid(
            "heatmap",
            &self.x,
            &self.y,
            &self.values,
            &self.curves,
            &self.marks,
        )?;
        for (j, row) in self.values.iter().enumerate() {
            if let Some(i) = row.iter().position(|p| !(0.0..=1.0).contains(p)) {
                return Err(Error::invalid(
                    format!("heatmap.values[{j}][{i}]"),
                    format!(
                        "must be a probability in [0, 1], got {}",
                        crate::error::num(row[i])
                    ),
                ));
            }
        }
        if self.x_label.trim().is_empty() || self.y_label.trim().is_empty() {
            return Err(Error::invalid(
                "heatmap.x_label/y_label",
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
            "Probability map"
        } else {
            &self.title
        };
        let area = frame::titled(root, title)?;
        let marks = if self.annotate {
            MarkStyle::Ring(RING)
        } else {
            MarkStyle::Diamond
        };
        let area =
            overlay::legend_strip(area, &overlay::entries(&self.curves, &self.marks, marks))?;
        let scale = Sequential { lo: 0.0, hi: 1.0 };
        let label = if self.value_label.is_empty() {
            "probability"
        } else {
            &self.value_label
        };
        let plot_area = frame::with_colorbar(&area, &scale, label)?;
        let bx = overlay::grid_bounds(&self.x, &self.y);
        let mut chart = frame::chart(&plot_area, bx.x0..bx.x1, bx.y0..bx.y1, 0)?;
        overlay::draw_cells(&mut chart, &self.x, &self.y, |ix, iy| {
            scale.color(self.values[iy][ix])
        })?;
        frame::mesh(&mut chart, &self.x_label, &self.y_label, false)?;
        overlay::draw_curves(&mut chart, &self.curves, &bx)?;
        overlay::draw_marks(&mut chart, &self.marks, &bx, marks)?;
        // Numbers last, so that no mark or curve hides one.
        if self.annotate {
            let (w, h) = chart.plotting_area().dim_in_pixel();
            let cell = (w / self.x.len() as u32).min(h / self.y.len() as u32);
            let size = (cell / 3).clamp(9, NUMBER);
            for (iy, row) in self.values.iter().enumerate() {
                for (ix, &p) in row.iter().enumerate() {
                    // Light text on the dark end of viridis.
                    let ink = if p < 0.55 { WHITE } else { BLACK };
                    let style = TextStyle::from((FONT, size).into_font())
                        .color(&ink)
                        .pos(Pos::new(HPos::Center, VPos::Center));
                    chart
                        .draw_series(std::iter::once(Text::new(
                            format!("{p:.2}"),
                            (self.x[ix], self.y[iy]),
                            style,
                        )))
                        .map_err(err)?;
                }
            }
        }
        Ok(())
    }
}
