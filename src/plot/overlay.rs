//! Pieces shared by the map figures: coloured grid cells, curves drawn
//! over them, and marked points.

use plotters::prelude::*;

use super::check;
use plotters::coord::Shift;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::frame::{Chart2d, LEGEND, err};
use super::geometry::{Bounds, Curve, Mark, cell_edges, clip_polyline};
use super::style::FONT;
use crate::error::Result;

/// Checks a grid of cells: axes strictly increasing with at least two
/// values, `rows[iy][ix]` of matching shape, curves and marks finite.
pub(crate) fn check_grid<T>(
    key: &str,
    x: &[f64],
    y: &[f64],
    rows: &[Vec<T>],
    curves: &[Curve],
    marks: &[Mark],
) -> Result<()> {
    check::increasing(&format!("{key}.x"), x, 2)?;
    check::increasing(&format!("{key}.y"), y, 2)?;
    check::grid_shape(&format!("{key}.values"), rows, x.len(), y.len())?;
    for (i, c) in curves.iter().enumerate() {
        let k = format!("{key}.curves[{i}]");
        check::non_empty(&k, &c.points)?;
        check::points_finite(&k, &c.points)?;
    }
    for (i, m) in marks.iter().enumerate() {
        check::points_finite(&format!("{key}.marks[{i}]"), &[(m.x, m.y)])?;
    }
    Ok(())
}

/// The cells' outer edges as a box.
pub(crate) fn grid_bounds(x: &[f64], y: &[f64]) -> Bounds {
    let ex = cell_edges(x);
    let ey = cell_edges(y);
    Bounds {
        x0: ex[0],
        x1: ex[ex.len() - 1],
        y0: ey[0],
        y1: ey[ey.len() - 1],
    }
}

/// One filled rectangle per cell, coloured by `paint(ix, iy)`.
pub(crate) fn draw_cells<'a, DB: DrawingBackend + 'a>(
    chart: &mut Chart2d<'a, DB>,
    x: &[f64],
    y: &[f64],
    paint: impl Fn(usize, usize) -> RGBColor,
) -> std::result::Result<(), String> {
    let ex = cell_edges(x);
    let ey = cell_edges(y);
    let mut rects = Vec::with_capacity(x.len() * y.len());
    for iy in 0..y.len() {
        for ix in 0..x.len() {
            rects.push(Rectangle::new(
                [(ex[ix], ey[iy]), (ex[ix + 1], ey[iy + 1])],
                paint(ix, iy).filled(),
            ));
        }
    }
    chart.draw_series(rects).map_err(err)?;
    Ok(())
}

/// Curves in black over a white halo (visible on any colour), clipped to `bx`.
pub(crate) fn draw_curves<'a, DB: DrawingBackend + 'a>(
    chart: &mut Chart2d<'a, DB>,
    curves: &[Curve],
    bx: &Bounds,
) -> std::result::Result<(), String> {
    for c in curves {
        let pieces = clip_polyline(&c.points, bx);
        for piece in &pieces {
            chart
                .draw_series(LineSeries::new(piece.clone(), WHITE.stroke_width(6)))
                .map_err(err)?;
        }
        for piece in pieces {
            chart
                .draw_series(LineSeries::new(piece, BLACK.stroke_width(3)))
                .map_err(err)?;
        }
    }
    Ok(())
}

/// The corners of a diamond of radius `r` pixels, closed.
fn diamond(r: i32) -> Vec<(i32, i32)> {
    vec![(0, -r), (r, 0), (0, r), (-r, 0), (0, -r)]
}

/// How marks are drawn.
#[derive(Debug, Clone, Copy)]
pub(crate) enum MarkStyle {
    /// A hollow diamond of radius 9 pixels.
    Diamond,
    /// A ring of this radius in pixels, drawn around a number written in a cell.
    Ring(i32),
}

/// Marks, hollow and black with a white halo, so that the cell colour (and
/// any number written in the cell) stay visible.
pub(crate) fn draw_marks<'a, DB: DrawingBackend + 'a>(
    chart: &mut Chart2d<'a, DB>,
    marks: &[Mark],
    bx: &Bounds,
    style: MarkStyle,
) -> std::result::Result<(), String> {
    for m in marks {
        if !bx.contains((m.x, m.y)) {
            continue;
        }
        let at = (m.x, m.y);
        for (ink, width) in [(WHITE, 7), (BLACK, 3)] {
            match style {
                MarkStyle::Diamond => chart
                    .draw_series(std::iter::once(
                        EmptyElement::at(at)
                            + PathElement::new(diamond(9), ink.stroke_width(width)),
                    ))
                    .map_err(err)?,
                MarkStyle::Ring(r) => chart
                    .draw_series(std::iter::once(Circle::new(at, r, ink.stroke_width(width))))
                    .map_err(err)?,
            };
        }
    }
    Ok(())
}

/// What a legend entry of a map looks like.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Swatch {
    /// A curve drawn by [`draw_curves`].
    Line,
    /// A mark drawn by [`draw_marks`] as a diamond.
    Diamond,
    /// A mark drawn by [`draw_marks`] as a ring.
    Ring,
    /// A cell colour.
    Fill(RGBColor),
}

/// The legend entries of the curves (one per distinct label) and marks.
pub(crate) fn entries(curves: &[Curve], marks: &[Mark], style: MarkStyle) -> Vec<(Swatch, String)> {
    let mut out: Vec<(Swatch, String)> = Vec::new();
    for c in curves {
        if !c.label.is_empty() && !out.iter().any(|(_, l)| *l == c.label) {
            out.push((Swatch::Line, c.label.clone()));
        }
    }
    for m in marks {
        if !m.label.is_empty() {
            let sw = match style {
                MarkStyle::Diamond => Swatch::Diamond,
                MarkStyle::Ring(_) => Swatch::Ring,
            };
            out.push((sw, m.label.clone()));
        }
    }
    out
}

/// Height of the legend strip, pixels.
const STRIP: u32 = 30;

/// A one-line legend across the top of `area` (maps are covered in colour,
/// so their legend goes outside the plot); returns the area below it.
pub(crate) fn legend_strip<DB: DrawingBackend>(
    area: DrawingArea<DB, Shift>,
    items: &[(Swatch, String)],
) -> std::result::Result<DrawingArea<DB, Shift>, String> {
    let (w, _) = area.dim_in_pixel();
    if items.is_empty() {
        return Ok(area);
    }
    let (strip, rest) = area.split_vertically(STRIP);
    let style = TextStyle::from((FONT, LEGEND).into_font()).pos(Pos::new(HPos::Left, VPos::Center));
    const SW: i32 = 24;
    const GAP_IN: i32 = 7;
    const GAP_OUT: i32 = 26;
    let mut widths = Vec::with_capacity(items.len());
    for (_, text) in items {
        let (tw, _) = strip.estimate_text_size(text, &style).map_err(err)?;
        widths.push(tw as i32);
    }
    let total: i32 = widths
        .iter()
        .map(|tw| SW + GAP_IN + tw + GAP_OUT)
        .sum::<i32>()
        - GAP_OUT;
    let mut x = ((w as i32 - total) / 2).max(4);
    let y = STRIP as i32 / 2;
    for ((swatch, text), tw) in items.iter().zip(widths) {
        match swatch {
            Swatch::Line => strip
                .draw(&PathElement::new(
                    vec![(x, y), (x + SW, y)],
                    BLACK.stroke_width(3),
                ))
                .map_err(err)?,
            Swatch::Diamond => strip
                .draw(
                    &(EmptyElement::at((x + SW / 2, y))
                        + PathElement::new(diamond(7), BLACK.stroke_width(3))),
                )
                .map_err(err)?,
            Swatch::Ring => strip
                .draw(&Circle::new((x + SW / 2, y), 8, BLACK.stroke_width(3)))
                .map_err(err)?,
            Swatch::Fill(c) => {
                strip
                    .draw(&Rectangle::new([(x, y - 8), (x + SW, y + 8)], c.filled()))
                    .map_err(err)?;
                strip
                    .draw(&Rectangle::new(
                        [(x, y - 8), (x + SW, y + 8)],
                        RGBColor(90, 90, 90).stroke_width(1),
                    ))
                    .map_err(err)?;
            }
        }
        strip
            .draw(&Text::new(
                text.clone(),
                (x + SW + GAP_IN, y),
                style.clone(),
            ))
            .map_err(err)?;
        x += SW + GAP_IN + tw + GAP_OUT;
    }
    Ok(rest)
}
