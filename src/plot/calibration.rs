//! Calibration figures: the data against the fitted model, and Richardson's
//! regression of the yearly change on the mid-interval level.

use std::ops::Range;
use std::path::Path;

use nalgebra::DVector;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::style::{FONT, HEIGHT, WIDTH, color};
use crate::calibrate::{PooledFit, RichardsonFit, TrajectoryFit, linear_path};
use crate::error::Result;

type Draw = std::result::Result<(), String>;

/// Draws a pooled fit to `path` (`.png` or `.svg`), in two panels: left, the
/// yearly totals against the fitted continuous model (the refined path, and
/// the difference-equation estimate run from the first year) with the
/// equilibrium; right, the yearly change against the mid-interval level
/// with Richardson's fitted line, crossing zero at the equilibrium.
///
/// `units` names the data's unit in the axis labels (e.g. "thousands of
/// pounds sterling"); time is in years.
///
/// # Errors
/// [`crate::Error::Plot`] when drawing fails, [`crate::Error::Invalid`] for
/// an unknown extension.
pub fn calibration(fit: &PooledFit, units: &str, path: &Path) -> Result<()> {
    super::render(path, (WIDTH, HEIGHT), &Pooled { fit, units })
}

/// Draws an N-group fit to `path`, in two panels: left, each group's
/// yearly levels against its fitted path (refined: solid; the
/// difference-equation estimate run from the first year: dashed); right,
/// each group's observed yearly change against the change its fitted
/// equation predicts, around the diagonal of a perfect fit.
///
/// # Errors
/// As [`calibration`].
pub fn calibration_groups(fit: &RichardsonFit, units: &str, path: &Path) -> Result<()> {
    super::render(path, (WIDTH, HEIGHT), &Groups { fit, units })
}

struct Pooled<'a> {
    fit: &'a PooledFit,
    units: &'a str,
}

struct Groups<'a> {
    fit: &'a RichardsonFit,
    units: &'a str,
}

impl super::Figure for Pooled<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Draw {
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let root = root
            .titled("Richardson's method on the pooled series", (FONT, 26))
            .map_err(|e| e.to_string())?;
        let panels = root.split_evenly((1, 2));
        let f = self.fit;
        let m = nalgebra::DMatrix::from_element(1, 1, f.slope);
        let g = DVector::from_element(1, f.intercept);
        let x0 = DVector::from_element(1, f.level[0]);
        let start = path_fn(&m, &g, &x0, f.years[0]);
        let curves = Curves {
            years: &f.years,
            observed: vec![f.level.clone()],
            names: vec!["total".into()],
            refined: f.trajectory.as_ref(),
            start: vec![start],
            equilibrium: f.equilibrium,
        };
        levels_panel(&panels[0], &curves, self.units)?;
        regression_panel(&panels[1], f, self.units)
    }
}

impl super::Figure for Groups<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Draw {
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let root = root
            .titled("Richardson's model, one equation per group", (FONT, 26))
            .map_err(|e| e.to_string())?;
        let panels = root.split_evenly((1, 2));
        let f = self.fit;
        let n = f.groups.len();
        let m = f.system_matrix();
        let x0: DVector<f64> = f.levels.row(0).transpose();
        let curves = Curves {
            years: &f.years,
            observed: (0..n)
                .map(|i| f.levels.column(i).iter().copied().collect())
                .collect(),
            names: f.names(),
            refined: f.trajectory.as_ref(),
            start: (0..n)
                .map(|i| {
                    let (m, g, x0) = (m.clone(), f.grievance.clone(), x0.clone());
                    let y0 = f.years[0];
                    Box::new(move |y: f64| linear_path(&m, &g, &x0, y - f64::from(y0))[i])
                        as Box<dyn Fn(f64) -> f64>
                })
                .collect(),
            equilibrium: None,
        };
        levels_panel(&panels[0], &curves, self.units)?;
        changes_panel(&panels[1], f, self.units)
    }
}

fn path_fn(
    m: &nalgebra::DMatrix<f64>,
    g: &DVector<f64>,
    x0: &DVector<f64>,
    y0: i32,
) -> Box<dyn Fn(f64) -> f64> {
    let (m, g, x0) = (m.clone(), g.clone(), x0.clone());
    Box::new(move |y: f64| linear_path(&m, &g, &x0, y - f64::from(y0))[0])
}

/// What the left panel shows.
struct Curves<'a> {
    years: &'a [i32],
    observed: Vec<Vec<f64>>,
    names: Vec<String>,
    refined: Option<&'a TrajectoryFit>,
    start: Vec<Box<dyn Fn(f64) -> f64>>,
    equilibrium: Option<f64>,
}

fn padded(lo: f64, hi: f64, frac: f64) -> Range<f64> {
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
    let start: Vec<Vec<(f64, f64)>> = c
        .start
        .iter()
        .map(|f| ts.iter().map(|&y| (y, f(y))).collect())
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

fn legend<'a, DB: DrawingBackend + 'a, CT: CoordTranslate>(
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

fn regression_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    f: &PooledFit,
    units: &str,
) -> Draw {
    let e = |err: DrawingAreaErrorKind<DB::ErrorType>| err.to_string();
    let mut xs: Vec<f64> = f.mid.clone();
    // Extend the line to the equilibrium, where it crosses zero, if it is near.
    let (dmin, dmax) = (min(&f.mid), max(&f.mid));
    if let Some(eq) = f
        .equilibrium
        .filter(|&q| q > dmin - 2.0 * (dmax - dmin) && q < dmax + 2.0 * (dmax - dmin))
    {
        xs.push(eq);
    }
    let (x_lo, x_hi) = (min(&xs), max(&xs));
    let xr = padded(x_lo, x_hi, 0.06);
    // Room on the right for the last interval's label.
    let xr = xr.start..(xr.end + 0.08 * (xr.end - xr.start));
    let line = [(xr.start, f.line(xr.start)), (xr.end, f.line(xr.end))];
    let mut ys: Vec<f64> = f.change.clone();
    ys.extend([line[0].1, line[1].1, 0.0]);
    let mut chart = ChartBuilder::on(area)
        .caption("Yearly change against mid-interval level", (FONT, 20))
        .margin(14)
        .x_label_area_size(45)
        .y_label_area_size(85)
        .build_cartesian_2d(xr.clone(), padded(min(&ys), max(&ys), 0.08))
        .map_err(e)?;
    chart
        .configure_mesh()
        .x_desc(format!("mid-interval level ({units})"))
        .y_desc(format!("yearly change ({units}/year)"))
        .x_labels(6)
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_label_formatter(&|v| format!("{v:.0}"))
        .light_line_style(WHITE.mix(0.0))
        .label_style((FONT, 14))
        .axis_desc_style((FONT, 16))
        .draw()
        .map_err(e)?;
    chart
        .draw_series(LineSeries::new(
            [(xr.start, 0.0), (xr.end, 0.0)],
            RGBColor(150, 150, 150).stroke_width(1),
        ))
        .map_err(e)?;
    let r2 =
        f.r2.map_or_else(|| "undefined".into(), |r| format!("{r:.3}"));
    let c = color(0);
    chart
        .draw_series(LineSeries::new(line, c.stroke_width(3)))
        .map_err(e)?
        .label(format!(
            "ΔU = {:.3}·U_mid {:+.0}   (R² {r2})",
            f.slope, f.intercept
        ))
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], c.stroke_width(3)));
    let c1 = color(1);
    chart
        .draw_series(
            f.mid
                .iter()
                .zip(&f.change)
                .map(|(&x, &y)| Circle::new((x, y), 6, c1.filled())),
        )
        .map_err(e)?
        .label("yearly intervals")
        .legend(move |(x, y)| Circle::new((x + 9, y), 5, c1.filled()));
    for (k, (&x, &y)) in f.mid.iter().zip(&f.change).enumerate() {
        let label = format!("{}–{}", f.years[k], f.years[k + 1] % 100);
        chart
            .draw_series(std::iter::once(
                EmptyElement::at((x, y)) + Text::new(label, (8, 4), (FONT, 13).into_font()),
            ))
            .map_err(e)?;
    }
    if let Some(eq) = f.equilibrium.filter(|q| xr.contains(q)) {
        chart
            .draw_series(std::iter::once(Cross::new(
                (eq, 0.0),
                9,
                BLACK.stroke_width(3),
            )))
            .map_err(e)?
            .label(format!("equilibrium U* = {eq:.0} ({})", f.verdict))
            .legend(|(x, y)| Cross::new((x + 9, y), 6, BLACK.stroke_width(2)));
    }
    legend(&mut chart, e)
}

fn changes_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    f: &RichardsonFit,
    units: &str,
) -> Draw {
    let e = |err: DrawingAreaErrorKind<DB::ErrorType>| err.to_string();
    let predicted = &f.change - &f.residuals;
    let all: Vec<f64> = f.change.iter().chain(predicted.iter()).copied().collect();
    let r = padded(min(&all), max(&all), 0.08);
    let mut chart = ChartBuilder::on(area)
        .caption("Observed against fitted yearly change", (FONT, 20))
        .margin(14)
        .x_label_area_size(45)
        .y_label_area_size(85)
        .build_cartesian_2d(r.clone(), r.clone())
        .map_err(e)?;
    chart
        .configure_mesh()
        .x_desc(format!("fitted yearly change ({units}/year)"))
        .y_desc(format!("observed yearly change ({units}/year)"))
        .x_labels(6)
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_label_formatter(&|v| format!("{v:.0}"))
        .light_line_style(WHITE.mix(0.0))
        .label_style((FONT, 14))
        .axis_desc_style((FONT, 16))
        .draw()
        .map_err(e)?;
    chart
        .draw_series(LineSeries::new(
            [(r.start, r.start), (r.end, r.end)],
            RGBColor(150, 150, 150).stroke_width(1),
        ))
        .map_err(e)?;
    for (i, name) in f.names().iter().enumerate() {
        let c = color(i);
        let r2 = f.r2[i].map_or_else(|| "undefined".into(), |r| format!("{r:.3}"));
        chart
            .draw_series(
                predicted
                    .column(i)
                    .iter()
                    .zip(f.change.column(i).iter())
                    .map(|(&p, &o)| Circle::new((p, o), 6, c.filled())),
            )
            .map_err(e)?
            .label(format!("{name} (R² {r2})"))
            .legend(move |(x, y)| Circle::new((x + 9, y), 5, c.filled()));
    }
    legend(&mut chart, e)
}

fn min(v: &[f64]) -> f64 {
    v.iter()
        .copied()
        .filter(|x| x.is_finite())
        .fold(f64::INFINITY, f64::min)
}

fn max(v: &[f64]) -> f64 {
    v.iter()
        .copied()
        .filter(|x| x.is_finite())
        .fold(f64::NEG_INFINITY, f64::max)
}
