//! The right-hand panels: yearly change against level (pooled), observed
//! against fitted change (groups).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{Draw, legend, max, min, padded};
use crate::calibrate::{PooledFit, RichardsonFit};
use crate::plot::style::{FONT, color};

pub(super) fn regression_panel<DB: DrawingBackend>(
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

pub(super) fn changes_panel<DB: DrawingBackend>(
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
