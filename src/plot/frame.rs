//! The frame every figure shares: title, axes with labelled ticks, legend,
//! optional colour bar. Sizes are chosen to be readable at 100 % on a
//! 1000–1200 pixel wide figure.

use std::ops::Range;

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use super::colormap::{Scale, colorbar};
use super::style::{FONT, tick};

/// A 2-D chart with `f64` axes.
pub(crate) type Chart2d<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Drawing errors as text (the [`super::Figure`] contract).
pub(crate) fn err<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

/// Title font size, pixels.
pub(crate) const TITLE: u32 = 26;
/// Tick label font size, pixels.
pub(crate) const TICKS: u32 = 16;
/// Axis description font size, pixels.
pub(crate) const AXIS: u32 = 18;
/// Legend font size, pixels.
pub(crate) const LEGEND: u32 = 15;
/// Width of the colour bar column, pixels.
pub(crate) const COLORBAR: u32 = 130;

/// Fills the background and writes the title; returns the area below it.
pub(crate) fn titled<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
) -> Result<DrawingArea<DB, Shift>, String> {
    root.fill(&WHITE).map_err(err)?;
    root.titled(title, (FONT, TITLE)).map_err(err)
}

/// Splits `area` into the plot and a colour-bar column on the right, draws
/// the bar for `scale` and returns the plot area.
pub(crate) fn with_colorbar<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    scale: &impl Scale,
    label: &str,
) -> Result<DrawingArea<DB, Shift>, String> {
    let (w, _) = area.dim_in_pixel();
    let (plot, bar) = area.split_horizontally(w.saturating_sub(COLORBAR));
    // Match the plot's vertical margins so the bar spans its y axis.
    colorbar(&bar, scale, label, MARGIN, MARGIN + X_LABELS)?;
    Ok(plot)
}

/// Outer margin, pixels.
pub(crate) const MARGIN: u32 = 14;
/// Height of the x label area (ticks and description), pixels.
pub(crate) const X_LABELS: u32 = 56;
/// Width of the y label area (ticks and description), pixels.
pub(crate) const Y_LABELS: u32 = 78;

/// A chart over `x` × `y` on `area`, with `right` extra pixels of margin
/// on the right (for names drawn beside the plot).
pub(crate) fn chart<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    x: Range<f64>,
    y: Range<f64>,
    right: u32,
) -> Result<Chart2d<'a, DB>, String> {
    ChartBuilder::on(area)
        .margin(MARGIN)
        .margin_right(MARGIN + right)
        .x_label_area_size(X_LABELS)
        .y_label_area_size(Y_LABELS)
        .build_cartesian_2d(x, y)
        .map_err(err)
}

/// Axes with ticks, labels and (if `grid`) light grid lines at the ticks.
pub(crate) fn mesh<'a, DB: DrawingBackend + 'a>(
    chart: &mut Chart2d<'a, DB>,
    x_desc: &str,
    y_desc: &str,
    grid: bool,
) -> Result<(), String> {
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .y_desc(y_desc)
        .x_labels(9)
        .y_labels(8)
        .x_label_formatter(&tick)
        .y_label_formatter(&tick)
        .label_style((FONT, TICKS))
        .axis_desc_style((FONT, AXIS))
        .bold_line_style(if grid {
            RGBColor(205, 205, 205).mix(0.6)
        } else {
            WHITE.mix(0.0)
        })
        .light_line_style(WHITE.mix(0.0))
        .draw()
        .map_err(err)
}

/// The legend entries of a figure, collected as series are labelled so the
/// legend can be placed where it hides the least.
#[derive(Debug, Default)]
pub(crate) struct Labels(Vec<String>);

impl Labels {
    /// Records `s` and returns it, for `.label(labels.add(...))`.
    pub(crate) fn add(&mut self, s: impl Into<String>) -> String {
        let s = s.into();
        self.0.push(s.clone());
        s
    }
}

/// Legend margin and swatch width, pixels (as passed to plotters).
const LEGEND_MARGIN: i32 = 8;
const LEGEND_SWATCH: i32 = 30;

/// The legend, with a half-transparent white background, in the corner or
/// edge of the plot that covers the fewest of the `avoid` points (data
/// coordinates; repeat a point to weigh it more). Nothing when no series
/// was labelled.
pub(crate) fn legend<'a, DB: DrawingBackend + 'a>(
    chart: &mut Chart2d<'a, DB>,
    labels: &Labels,
    avoid: &[(f64, f64)],
) -> Result<(), String> {
    if labels.0.is_empty() {
        return Ok(());
    }
    let font = (FONT, LEGEND).into_font();
    let mut text = MultiLineText::<(i32, i32), &str>::new((0, 0), font);
    for l in &labels.0 {
        text.push_line(l.as_str());
    }
    let (w, h) = text.estimate_dimension().map_err(err)?;
    let (w, h) = (w + LEGEND_SWATCH + 2 * LEGEND_MARGIN, h + 2 * LEGEND_MARGIN);
    let (aw, ah) = chart.plotting_area().dim_in_pixel();
    let (aw, ah) = (aw as i32, ah as i32);
    let base = chart.plotting_area().get_base_pixel();
    let pixels: Vec<(i32, i32)> = avoid
        .iter()
        .filter(|p| p.0.is_finite() && p.1.is_finite())
        .map(|p| {
            let q = chart.backend_coord(p);
            (q.0 - base.0, q.1 - base.1)
        })
        .collect();
    use SeriesLabelPosition::*;
    // In order of preference when they tie.
    let candidates = [
        UpperRight,
        UpperLeft,
        LowerRight,
        LowerLeft,
        UpperMiddle,
        MiddleRight,
        MiddleLeft,
        LowerMiddle,
    ];
    let corner = |pos: &SeriesLabelPosition| -> (i32, i32) {
        let x = match pos {
            UpperLeft | MiddleLeft | LowerLeft => 5,
            UpperMiddle | MiddleMiddle | LowerMiddle => (aw - w) / 2,
            _ => aw - w - 5,
        };
        let y = match pos {
            UpperLeft | UpperMiddle | UpperRight => 5,
            MiddleLeft | MiddleMiddle | MiddleRight => (ah - h) / 2,
            _ => ah - h - 5,
        };
        (x, y)
    };
    let covered = |pos: &SeriesLabelPosition| {
        let (x, y) = corner(pos);
        pixels
            .iter()
            .filter(|p| p.0 >= x - 6 && p.0 <= x + w + 6 && p.1 >= y - 6 && p.1 <= y + h + 6)
            .count()
    };
    let mut best = UpperRight;
    let mut fewest = usize::MAX;
    for c in candidates {
        let n = covered(&c);
        if n < fewest {
            fewest = n;
            best = c;
        }
    }
    chart
        .configure_series_labels()
        .position(best)
        .label_font((FONT, LEGEND))
        .background_style(WHITE.mix(0.88))
        .border_style(RGBColor(120, 120, 120))
        .margin(LEGEND_MARGIN as u32)
        .legend_area_size(LEGEND_SWATCH as u32)
        .draw()
        .map_err(err)
}

/// `samples` points per segment of a polyline, for [`legend`]'s `avoid`.
pub(crate) fn along(points: &[(f64, f64)], samples: usize) -> Vec<(f64, f64)> {
    let mut out = Vec::new();
    for w in points.windows(2) {
        for k in 0..samples {
            let f = k as f64 / samples as f64;
            out.push((
                w[0].0 + f * (w[1].0 - w[0].0),
                w[0].1 + f * (w[1].1 - w[0].1),
            ));
        }
    }
    out.extend(points.last().copied());
    out
}

/// A short horizontal line for a legend entry.
pub(crate) fn legend_line(
    c: RGBColor,
    width: u32,
) -> impl Fn((i32, i32)) -> PathElement<(i32, i32)> {
    move |(x, y)| PathElement::new(vec![(x, y), (x + 22, y)], c.stroke_width(width))
}

/// A short dashed line for a legend entry (two dashes): a closure for
/// `.legend(...)`. A macro, because the element's type names the backend.
macro_rules! legend_dashed {
    ($c:expr, $w:expr) => {{
        let (c, w) = ($c, $w);
        move |(x, y): (i32, i32)| {
            EmptyElement::at((x, y))
                + PathElement::new(vec![(0, 0), (9, 0)], c.stroke_width(w))
                + PathElement::new(vec![(14, 0), (23, 0)], c.stroke_width(w))
        }
    }};
}
pub(crate) use legend_dashed;

/// A filled square for a legend entry.
pub(crate) fn legend_box(c: RGBAColor) -> impl Fn((i32, i32)) -> Rectangle<(i32, i32)> {
    move |(x, y)| Rectangle::new([(x, y - 7), (x + 20, y + 7)], c.filled())
}
