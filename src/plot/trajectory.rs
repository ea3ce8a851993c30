//! Trajectory: intensities against time over the rung bands, with phase
//! shading and event markers.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::style::{FONT, HEIGHT, WIDTH, color};
use crate::error::Result;
use crate::model::Model;
use crate::sim::{EventKind, Trajectory};

/// Draws `traj` of `model` to `path` (`.png` or `.svg`): one line per actor,
/// the ladder's rungs as labelled bands, active phases shaded, attacks,
/// breaches and the explosion marked.
///
/// # Errors
/// [`crate::Error::Plot`] when drawing fails, [`crate::Error::Invalid`] for
/// an unknown extension or a run without samples.
pub fn trajectory(traj: &Trajectory, model: &Model, path: &Path) -> Result<()> {
    if traj.t.is_empty() {
        return Err(crate::Error::invalid(
            "trajectory",
            "has no samples (simulate with recording on)",
        ));
    }
    super::render(path, (WIDTH, HEIGHT), &TrajectoryFigure { traj, model })
}

struct TrajectoryFigure<'a> {
    traj: &'a Trajectory,
    model: &'a Model,
}

impl super::Figure for TrajectoryFigure<'_> {
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
    ) -> std::result::Result<(), String> {
        draw(root, self.traj, self.model)
    }
}

/// Intervals `[start, end)` during which each phase was active.
fn phase_spans(traj: &Trajectory) -> Vec<(String, f64, f64)> {
    let mut open: Vec<(String, f64)> = Vec::new();
    let mut spans = Vec::new();
    for e in &traj.events {
        match &e.kind {
            EventKind::PhaseStart { phase, .. } => open.push((phase.clone(), e.t)),
            EventKind::Collapse { phase, .. } | EventKind::PhaseEnd { phase, .. } => {
                if let Some(k) = open.iter().position(|(p, _)| p == phase) {
                    let (p, s) = open.remove(k);
                    spans.push((p, s, e.t));
                }
            }
            _ => {}
        }
    }
    for (p, s) in open {
        spans.push((p, s, traj.end_time));
    }
    spans
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    traj: &Trajectory,
    model: &Model,
) -> std::result::Result<(), String> {
    let e = |err: DrawingAreaErrorKind<DB::ErrorType>| err.to_string();
    root.fill(&WHITE).map_err(e)?;
    let t_end = traj
        .t
        .last()
        .copied()
        .unwrap_or(model.horizon)
        .max(model.horizon);
    let ladder = &model.ladder;
    let top = ladder.bound(ladder.top());
    let x_max = traj
        .x
        .iter()
        .flat_map(|s| s.iter().copied())
        .filter(|v| v.is_finite())
        .fold(0.0_f64, f64::max);
    let y_max = (top + (top / ladder.top().max(1) as f64)).max(x_max * 1.05);
    let title = if model.name.is_empty() {
        "Escalation trajectory".to_string()
    } else {
        model.name.clone()
    };
    let mut chart = ChartBuilder::on(root)
        .caption(title, (FONT, 28))
        .margin(16)
        .x_label_area_size(50)
        .y_label_area_size(70)
        .right_y_label_area_size(230)
        .build_cartesian_2d(0.0..t_end, 0.0..y_max)
        .map_err(e)?;

    // Rung bands, alternating shades, named on the right.
    for (r, rung) in ladder.rungs().iter().enumerate() {
        let lo = rung.from;
        let hi = if r == ladder.top() {
            y_max
        } else {
            ladder.bound(r + 1)
        };
        let shade = if r == ladder.top() {
            RGBColor(250, 215, 215)
        } else if r % 2 == 0 {
            RGBColor(246, 246, 246)
        } else {
            RGBColor(234, 234, 234)
        };
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(0.0, lo), (t_end, hi)],
                shade.filled(),
            )))
            .map_err(e)?;
    }
    let label_every = (ladder.rungs().len() / 12).max(1);
    for (r, rung) in ladder.rungs().iter().enumerate() {
        if r % label_every != 0 && r != ladder.top() {
            continue;
        }
        let hi = if r == ladder.top() {
            y_max
        } else {
            ladder.bound(r + 1)
        };
        let mid = 0.5 * (rung.from + hi.min(y_max));
        let name: String = rung.name.chars().take(30).collect();
        chart
            .draw_series(std::iter::once(Text::new(
                format!("{r} {name}"),
                (t_end, mid),
                (FONT, 14).into_font().color(&RGBColor(90, 90, 90)),
            )))
            .map_err(e)?;
    }

    // Phase shading.
    for (name, s, end) in phase_spans(traj) {
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(s, 0.0), (end.min(t_end), y_max)],
                RGBColor(120, 190, 120).mix(0.18).filled(),
            )))
            .map_err(e)?
            .label(format!("phase: {name}"))
            .legend(|(x, y)| {
                Rectangle::new(
                    [(x, y - 6), (x + 18, y + 6)],
                    RGBColor(120, 190, 120).mix(0.4).filled(),
                )
            });
    }

    chart
        .configure_mesh()
        .x_desc("time (days)")
        .y_desc("intensity (rungs)")
        .label_style((FONT, 16))
        .axis_desc_style((FONT, 18))
        .light_line_style(WHITE.mix(0.0))
        .draw()
        .map_err(e)?;

    for (i, name) in traj.actors.iter().enumerate() {
        let c = color(i);
        chart
            .draw_series(LineSeries::new(
                traj.t.iter().copied().zip(traj.x[i].iter().copied()),
                c.stroke_width(3),
            ))
            .map_err(e)?
            .label(name.clone())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], c.stroke_width(3)));
    }

    // Event markers along the top.
    let mark_y = y_max * 0.97;
    let attacks: Vec<f64> = traj
        .events
        .iter()
        .filter(|ev| matches!(ev.kind, EventKind::Attack { .. }))
        .map(|ev| ev.t)
        .collect();
    if !attacks.is_empty() {
        chart
            .draw_series(
                attacks
                    .iter()
                    .map(|&t| TriangleMarker::new((t, mark_y), 7, RGBColor(200, 0, 0).filled())),
            )
            .map_err(e)?
            .label("spoiler attack")
            .legend(|(x, y)| TriangleMarker::new((x + 9, y), 6, RGBColor(200, 0, 0).filled()));
    }
    let breaches: Vec<f64> = traj
        .events
        .iter()
        .filter(|ev| matches!(ev.kind, EventKind::Breach { .. }))
        .map(|ev| ev.t)
        .collect();
    if !breaches.is_empty() {
        chart
            .draw_series(breaches.iter().map(|&t| {
                PathElement::new(
                    vec![(t, 0.0), (t, y_max)],
                    RGBColor(200, 0, 0).stroke_width(2),
                )
            }))
            .map_err(e)?
            .label("breach")
            .legend(|(x, y)| {
                PathElement::new(
                    vec![(x, y), (x + 18, y)],
                    RGBColor(200, 0, 0).stroke_width(2),
                )
            });
    }
    if let Some(te) = traj.explosion_time {
        chart
            .draw_series(std::iter::once(Cross::new(
                (te, top),
                10,
                BLACK.stroke_width(3),
            )))
            .map_err(e)?
            .label(format!("explosion (day {te:.1})"))
            .legend(|(x, y)| Cross::new((x + 9, y), 6, BLACK.stroke_width(2)));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .label_font((FONT, 16))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()
        .map_err(e)?;
    Ok(())
}
