//! PRIM's peeling trajectory (the coverage–density trade-off) and the
//! chosen box, each restricted input drawn within its full range.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::frame::{self, err};
use super::style::{FONT, color};
use crate::error::{Error, Result};

/// One restricted input of the chosen box.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BoxLimit {
    /// The input's name.
    pub name: String,
    /// The box's limits `[lo, hi]`.
    pub limits: [f64; 2],
    /// The input's range over all cases `[min, max]`.
    pub range: [f64; 2],
}

/// The figure of a PRIM run: the trajectory's (coverage, density) points
/// with the chosen box marked, and the box's limits.
///
/// Build it by hand or from the JSON report of `escalation discover`
/// ([`PrimPlot::from_report`]).
///
/// ```
/// use escalation::plot::{BoxLimit, Figure, PrimPlot};
/// let fig = PrimPlot {
///     title: "collapse".into(),
///     coverage: vec![1.0, 0.9, 0.8],
///     density: vec![0.2, 0.5, 0.9],
///     chosen: 2,
///     limits: vec![BoxLimit { name: "gain".into(), limits: [0.8, 1.0], range: [0.5, 1.0] }],
/// };
/// fig.save(std::env::temp_dir().join("escalation-doc-prim.png")).unwrap();
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PrimPlot {
    /// Title.
    pub title: String,
    /// Coverage of each box of the trajectory.
    pub coverage: Vec<f64>,
    /// Density of each box.
    pub density: Vec<f64>,
    /// Index of the chosen box.
    pub chosen: usize,
    /// The chosen box's restricted inputs.
    pub limits: Vec<BoxLimit>,
}

impl PrimPlot {
    /// The figure of a `discover --json` report.
    ///
    /// # Errors
    /// [`Error::Invalid`] when the report lacks `trajectory`, `chosen`,
    /// `box` or `ranges`, or a value is not a number.
    pub fn from_report(report: &serde_json::Value) -> Result<Self> {
        let bad = |why: &str| Error::invalid("report", why.to_string());
        let steps = report["trajectory"]
            .as_array()
            .ok_or_else(|| bad("not a discover report (no `trajectory`)"))?;
        let mut coverage = Vec::new();
        let mut density = Vec::new();
        for s in steps {
            coverage.push(
                s["coverage"]
                    .as_f64()
                    .ok_or_else(|| bad("a coverage is not a number"))?,
            );
            density.push(
                s["density"]
                    .as_f64()
                    .ok_or_else(|| bad("a density is not a number"))?,
            );
        }
        let chosen = report["chosen"]
            .as_u64()
            .ok_or_else(|| bad("no `chosen` box index"))? as usize;
        let boxed = report["box"]
            .as_object()
            .ok_or_else(|| bad("no `box` object"))?;
        let mut limits = Vec::new();
        for (name, lim) in boxed {
            let r = &report["ranges"][name];
            let f =
                |v: &serde_json::Value| v.as_f64().ok_or_else(|| bad("a limit is not a number"));
            limits.push(BoxLimit {
                name: name.clone(),
                limits: [f(&lim[0])?, f(&lim[1])?],
                range: [f(&r[0])?, f(&r[1])?],
            });
        }
        Ok(Self {
            title: format!(
                "PRIM: {} of {} cases of interest",
                report["of_interest"], report["cases"]
            ),
            coverage,
            density,
            chosen,
            limits,
        })
    }
}

impl super::Figure for PrimPlot {
    fn check(&self) -> Result<()> {
        if self.coverage.is_empty() || self.coverage.len() != self.density.len() {
            return Err(Error::invalid(
                "prim.coverage",
                format!(
                    "needs one density per coverage, at least one box (got {} and {})",
                    self.coverage.len(),
                    self.density.len()
                ),
            ));
        }
        if self.chosen >= self.coverage.len() {
            return Err(Error::invalid(
                "prim.chosen",
                format!("box {} is past the trajectory", self.chosen),
            ));
        }
        let unit = |v: &f64| (0.0..=1.0).contains(v);
        if !self.coverage.iter().chain(&self.density).all(unit) {
            return Err(Error::invalid(
                "prim.coverage",
                "coverage and density lie in [0, 1]",
            ));
        }
        for (i, l) in self.limits.iter().enumerate() {
            let ok = l.limits.iter().chain(&l.range).all(|v| v.is_finite())
                && l.range[0] <= l.range[1]
                && l.limits[0] <= l.limits[1];
            if !ok {
                return Err(Error::invalid(
                    format!("prim.limits[{i}]"),
                    "limits and range must be finite and ordered",
                ));
            }
        }
        Ok(())
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
    ) -> std::result::Result<(), String> {
        let area = frame::titled(root, &self.title)?;
        let (w, _) = area.dim_in_pixel();
        let (left, right) = area.split_horizontally(w / 2);
        let mut chart = frame::chart(&left, 0.0..1.02, 0.0..1.02, 0)?;
        frame::mesh(&mut chart, "coverage", "density", true)?;
        let pts: Vec<(f64, f64)> = self
            .coverage
            .iter()
            .copied()
            .zip(self.density.iter().copied())
            .collect();
        chart
            .draw_series(LineSeries::new(pts.clone(), color(0).stroke_width(2)))
            .map_err(err)?;
        chart
            .draw_series(pts.iter().map(|&p| Circle::new(p, 4, color(0).filled())))
            .map_err(err)?;
        let c = pts[self.chosen];
        chart
            .draw_series(std::iter::once(Circle::new(c, 9, color(1).stroke_width(3))))
            .map_err(err)?;
        let style = TextStyle::from((FONT, frame::LEGEND).into_font())
            .pos(Pos::new(HPos::Left, VPos::Bottom));
        chart
            .draw_series(std::iter::once(Text::new(
                format!(
                    "chosen box {}: coverage {:.2}, density {:.2}",
                    self.chosen, c.0, c.1
                ),
                (0.03, 0.04),
                style,
            )))
            .map_err(err)?;
        // Right: each restricted input, its box within its range (scaled to [0, 1]).
        let n = self.limits.len().max(1) as f64;
        let mut chart = ChartBuilder::on(&right)
            .margin(frame::MARGIN)
            .x_label_area_size(frame::X_LABELS)
            .y_label_area_size(20)
            .build_cartesian_2d(0.0..1.0, -0.5..(n - 0.5))
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc("position in the input's range (0 = min, 1 = max)")
            .disable_y_mesh()
            .y_labels(0)
            .x_label_formatter(&super::style::tick)
            .label_style((FONT, frame::TICKS))
            .axis_desc_style((FONT, frame::AXIS))
            .light_line_style(WHITE.mix(0.0))
            .draw()
            .map_err(err)?;
        if self.limits.is_empty() {
            let style = TextStyle::from((FONT, frame::AXIS).into_font())
                .pos(Pos::new(HPos::Center, VPos::Center));
            chart
                .draw_series(std::iter::once(Text::new(
                    "no restriction",
                    (0.5, 0.0),
                    style,
                )))
                .map_err(err)?;
        }
        for (i, l) in self.limits.iter().enumerate() {
            let y = n - 1.0 - i as f64;
            let span = (l.range[1] - l.range[0]).max(f64::MIN_POSITIVE);
            let a = (l.limits[0] - l.range[0]) / span;
            let b = (l.limits[1] - l.range[0]) / span;
            chart
                .draw_series([
                    Rectangle::new(
                        [(0.0, y - 0.12), (1.0, y + 0.12)],
                        RGBColor(220, 220, 220).filled(),
                    ),
                    Rectangle::new([(a, y - 0.2), (b, y + 0.2)], color(1).mix(0.8).filled()),
                ])
                .map_err(err)?;
            let style = TextStyle::from((FONT, frame::LEGEND).into_font())
                .pos(Pos::new(HPos::Left, VPos::Bottom));
            chart
                .draw_series(std::iter::once(Text::new(
                    format!(
                        "{} ∈ [{:.4}, {:.4}]  (range [{:.4}, {:.4}])",
                        l.name, l.limits[0], l.limits[1], l.range[0], l.range[1]
                    ),
                    (0.0, y + 0.26),
                    style,
                )))
                .map_err(err)?;
        }
        Ok(())
    }
}
