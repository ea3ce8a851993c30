//! Calibration figures: the data against the fitted model, and Richardson's
//! regression of the yearly change on the mid-interval level.

use std::ops::Range;

use nalgebra::{DMatrix, DVector};
use plotters::coord::Shift;
use plotters::prelude::*;

mod changes;

use super::Figure;
use super::style::{FONT, color};
use crate::calibrate::{PooledFit, RichardsonFit, TrajectoryFit, linear_path};
use crate::error::{Error, Result};
use changes::{changes_panel, regression_panel};

pub(super) type Draw = std::result::Result<(), String>;

/// A pooled fit, in two panels: left, the yearly totals against the fitted
/// continuous model (the refined path, and the difference-equation estimate
/// run from the first year) with the equilibrium; right, the yearly change
/// against the mid-interval level with Richardson's fitted line, crossing
/// zero at the equilibrium. Time is in years.
///
/// Saving it checks it first ([`Figure::check`]): [`Error::Invalid`] when
/// the fit has fewer than two years or its series disagree in length.
///
/// # Example
///
/// ```
/// use escalation::calibrate::{fit_pooled, FitOptions, Group, Series};
/// use escalation::plot::{Figure, PooledFitPlot};
///
/// let csv = "year,X,Y\n2000,10,12\n2001,11,13.5\n2002,12.6,15.6\n2003,15,18.6\n";
/// let series = Series::parse(csv, None)?;
/// let data = series.grouped(&Group::each_column(&series))?;
/// let fit = fit_pooled(&data, &FitOptions::default().with_bootstrap(0)?)?;
/// let path = std::env::temp_dir().join("escalation-doc-pooled-fit.svg");
/// PooledFitPlot::new(&fit, "millions").save(&path)?;
/// # Ok::<(), escalation::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct PooledFitPlot<'a> {
    /// The fit.
    pub fit: &'a PooledFit,
    /// The data's unit in the axis labels, e.g. "thousands of pounds sterling".
    pub units: &'a str,
}

impl<'a> PooledFitPlot<'a> {
    /// The plot of `fit`, whose data are in `units`.
    #[must_use]
    pub fn new(fit: &'a PooledFit, units: &'a str) -> Self {
        Self { fit, units }
    }
}

/// An N-group fit, in two panels: left, each group's yearly levels against
/// its fitted path (refined: solid; the difference-equation estimate run
/// from the first year: dashed); right, each group's observed yearly change
/// against the change its fitted equation predicts, around the diagonal of
/// a perfect fit.
///
/// Saving it checks it first ([`Figure::check`]): [`Error::Invalid`] when
/// the fit has fewer than two years or its matrices do not match the years
/// and groups.
#[derive(Debug, Clone, Copy)]
pub struct RichardsonFitPlot<'a> {
    /// The fit.
    pub fit: &'a RichardsonFit,
    /// The data's unit in the axis labels.
    pub units: &'a str,
}

impl<'a> RichardsonFitPlot<'a> {
    /// The plot of `fit`, whose data are in `units`.
    #[must_use]
    pub fn new(fit: &'a RichardsonFit, units: &'a str) -> Self {
        Self { fit, units }
    }
}

/// The error of a fit whose series disagree.
fn inconsistent() -> Error {
    Error::invalid("fit", "has fewer than two years or inconsistent series")
}

impl Figure for PooledFitPlot<'_> {
    fn check(&self) -> Result<()> {
        let f = self.fit;
        if f.years.len() < 2 || f.level.len() != f.years.len() || f.mid.len() + 1 != f.years.len() {
            return Err(inconsistent());
        }
        Ok(())
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Draw {
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let root = root
            .titled("Richardson's method on the pooled series", (FONT, 26))
            .map_err(|e| e.to_string())?;
        let panels = root.split_evenly((1, 2));
        let f = self.fit;
        let curves = Curves {
            years: &f.years,
            observed: vec![f.level.clone()],
            names: vec!["total".into()],
            refined: f.trajectory.as_ref(),
            start: (
                DMatrix::from_element(1, 1, f.slope),
                DVector::from_element(1, f.intercept),
                DVector::from_element(1, f.level[0]),
            ),
            equilibrium: f.equilibrium,
        };
        levels_panel(&panels[0], &curves, self.units)?;
        regression_panel(&panels[1], f, self.units)
    }
}

impl Figure for RichardsonFitPlot<'_> {
    fn check(&self) -> Result<()> {
        let f = self.fit;
        let n = f.groups.len();
        if f.years.len() < 2
            || f.levels.shape() != (f.years.len(), n)
            || f.change.shape() != (f.years.len() - 1, n)
            || f.residuals.shape() != f.change.shape()
        {
            return Err(inconsistent());
        }
        Ok(())
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Draw {
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let root = root
            .titled("Richardson's model, one equation per group", (FONT, 26))
            .map_err(|e| e.to_string())?;
        let panels = root.split_evenly((1, 2));
        let f = self.fit;
        let curves = Curves {
            years: &f.years,
            observed: f
                .levels
                .column_iter()
                .map(|c| c.iter().copied().collect())
                .collect(),
            names: f.names(),
            refined: f.trajectory.as_ref(),
            start: (
                f.system_matrix(),
                f.grievance.clone(),
                f.levels.row(0).transpose(),
            ),
            equilibrium: None,
        };
        levels_panel(&panels[0], &curves, self.units)?;
        changes_panel(&panels[1], f, self.units)
    }
}

/// What the left panel shows.
struct Curves<'a> {
    years: &'a [i32],
    observed: Vec<Vec<f64>>,
    names: Vec<String>,
    refined: Option<&'a TrajectoryFit>,
    /// The difference-equation estimate `(M, g, x(first year))`, run as an ODE.
    start: (DMatrix<f64>, DVector<f64>, DVector<f64>),
    equilibrium: Option<f64>,
}

pub(super) fn padded(lo: f64, hi: f64, frac: f64) -> Range<f64> {
    let pad = ((hi - lo) * frac).max(hi.abs().max(1.0) * 1e-6);
    (lo - pad)..(hi + pad)
}

fn levels_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    c: &Curves<'_>,
    units: &str,
) -> Draw {
    let e = |err: DrawingAreaErrorKind<DB::ErrorType>| err.to_string();
    let (y0, y1) = (
        f64::from(c.years[0]),
        f64::from(*c.years.last().unwrap_or(&c.years[0])),
    );
    let ts: Vec<f64> = (0..=200)
        .map(|k| y0 + (y1 - y0) * f64::from(k) / 200.0)
        .collect();
    let mut values: Vec<f64> = c.observed.iter().flatten().copied().collect();
    let refined: Vec<Vec<(f64, f64)>> = (0..c.names.len())
        .map(|i| match c.refined {
            Some(t) => ts.iter().map(|&y| (y, t.state_at(y)[i])).collect(),
            None => Vec::new(),
        })
        .collect();
    let (m, g, x0) = &c.start;
    let start_path: Vec<DVector<f64>> = ts.iter().map(|&y| linear_path(m, g, x0, y - y0)).collect();
    let start: Vec<Vec<(f64, f64)>> = (0..c.names.len())
        .map(|i| {
            ts.iter()
                .zip(&start_path)
                .map(|(&y, x)| (y, x[i]))
                .collect()
        })
        .collect();
    values.extend(refined.iter().chain(&start).flatten().map(|p| p.1));
    values.extend(c.equilibrium);
    values.retain(|v| v.is_finite());
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut chart = ChartBuilder::on(area)
        .caption("Data against the fitted model", (FONT, 20))
        .margin(14)
        .x_label_area_size(45)
        .y_label_area_size(85)
        .build_cartesian_2d((y0 - 0.3)..(y1 + 0.3), padded(lo, hi, 0.08))
        .map_err(e)?;
    chart
        .configure_mesh()
        .x_desc("year")
        .y_desc(format!("level ({units})"))
        .x_labels(c.years.len() + 2)
        .x_label_formatter(&|y| {
            if y.fract().abs() < 1e-9 {
                format!("{y:.0}")
            } else {
                String::new()
            }
        })
        .y_label_formatter(&|v| format!("{v:.0}"))
        .light_line_style(WHITE.mix(0.0))
        .label_style((FONT, 14))
        .axis_desc_style((FONT, 16))
        .draw()
        .map_err(e)?;
    if let Some(eq) = c.equilibrium {
        chart
            .draw_series(DashedLineSeries::new(
                [(y0 - 0.3, eq), (y1 + 0.3, eq)],
                4,
                6,
                RGBColor(110, 110, 110).stroke_width(2),
            ))
            .map_err(e)?
            .label(format!("equilibrium {eq:.0} (Richardson's method)"))
            .legend(|(x, y)| {
                PathElement::new(
                    vec![(x, y), (x + 18, y)],
                    RGBColor(110, 110, 110).stroke_width(2),
                )
            });
    }
    for (i, name) in c.names.iter().enumerate() {
        let col = color(i);
        let pts = c
            .years
            .iter()
            .map(|&y| f64::from(y))
            .zip(c.observed[i].iter().copied());
        chart
            .draw_series(pts.map(|p| Circle::new(p, 6, col.filled())))
            .map_err(e)?
            .label(format!("{name}: data"))
            .legend(move |(x, y)| Circle::new((x + 9, y), 5, col.filled()));
        if !refined[i].is_empty() {
            chart
                .draw_series(LineSeries::new(
                    refined[i].iter().copied(),
                    col.stroke_width(3),
                ))
                .map_err(e)?
                .label(format!("{name}: trajectory fit"))
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 18, y)], col.stroke_width(3))
                });
        }
        chart
            .draw_series(DashedLineSeries::new(
                start[i].iter().copied(),
                8,
                6,
                col.stroke_width(2),
            ))
            .map_err(e)?
            .label(format!("{name}: difference-equation estimate"))
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 8, y)], col.stroke_width(2)));
    }
    legend(&mut chart, e)
}

pub(super) fn legend<'a, DB: DrawingBackend + 'a, CT: CoordTranslate>(
    chart: &mut ChartContext<'a, DB, CT>,
    e: impl Fn(DrawingAreaErrorKind<DB::ErrorType>) -> String,
) -> Draw {
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .label_font((FONT, 13))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()
        .map_err(e)
}

pub(super) fn min(v: &[f64]) -> f64 {
    v.iter()
        .copied()
        .filter(|x| x.is_finite())
        .fold(f64::INFINITY, f64::min)
}

pub(super) fn max(v: &[f64]) -> f64 {
    v.iter()
        .copied()
        .filter(|x| x.is_finite())
        .fold(f64::NEG_INFINITY, f64::max)
}
