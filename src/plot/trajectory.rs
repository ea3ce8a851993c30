//! Trajectory: intensities against time over the rung bands, with phase
//! shading and event markers.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::frame::{self, Labels, err, legend_box, legend_line};
use super::style::color;
use super::{Figure, check, rungs};
use crate::error::{Error, Result};
use crate::model::Model;
use crate::sim::{EventKind, Trajectory};

/// One simulated run over its model's ladder: one line per actor, the
/// rungs as shaded bands named beside the plot, active phases shaded,
/// spoiler attacks, misattributed blame, breaches, the hotline and the
/// explosion marked.
///
/// Saving it checks it first ([`Figure::check`]): [`Error::Invalid`] when
/// the model is invalid, the run has no samples or another number of actors
/// than the model, its series' lengths disagree, or a value is NaN.
/// Infinite intensities (a run that overflowed) are left out of the lines.
///
/// # Example
///
/// ```
/// use escalation::prelude::*;
/// use escalation::plot::TrajectoryPlot;
///
/// let d = Dynamics::richardson(0.5, 0.4, 0.3, 0.6, 0.2, 0.1)?;
/// let model = Model::from_dynamics(d, 60.0);
/// let run = simulate(&model, &SimOptions::default())?;
/// let path = std::env::temp_dir().join("escalation-doc-trajectory.png");
/// TrajectoryPlot::new(&run, &model).save(&path)?;
/// # Ok::<(), escalation::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct TrajectoryPlot<'a> {
    /// The run, recorded (`SimOptions::record`).
    pub run: &'a Trajectory,
    /// The model it ran: its ladder, phases' names, hotline.
    pub model: &'a Model,
    /// Title; empty for "NAME: outcome OUTCOME".
    pub title: String,
}

impl<'a> TrajectoryPlot<'a> {
    /// The plot of `run`, a run of `model`, with the default title.
    #[must_use]
    pub fn new(run: &'a Trajectory, model: &'a Model) -> Self {
        Self {
            run,
            model,
            title: String::new(),
        }
    }
}

impl Figure for TrajectoryPlot<'_> {
    fn check(&self) -> Result<()> {
        let (traj, model) = (self.run, self.model);
        model.check()?;
        if traj.actors.len() != model.n() {
            return Err(Error::invalid(
                "trajectory.actors",
                format!(
                    "the run has {} actors, the model {}",
                    traj.actors.len(),
                    model.n()
                ),
            ));
        }
        if traj.t.is_empty() {
            return Err(Error::invalid(
                "trajectory",
                "has no samples (simulate with recording on)",
            ));
        }
        check::all_finite("trajectory.t", &traj.t)?;
        check::same_len("trajectory.x", traj.x.len(), traj.actors.len(), "actors")?;
        for (i, s) in traj.x.iter().enumerate() {
            let key = format!("trajectory.x[{i}]");
            check::same_len(&key, s.len(), traj.t.len(), "t")?;
            // An overflowed run may end at +∞ (left out of the line); NaN never
            // comes from a valid run.
            if let Some(k) = s.iter().position(|v| v.is_nan()) {
                return Err(Error::invalid(format!("{key}[{k}]"), "is NaN"));
            }
        }
        Ok(())
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
    ) -> std::result::Result<(), String> {
        draw(root, self.run, self.model, &self.title)
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

/// Times of the events matching `pick`.
fn times(traj: &Trajectory, pick: impl Fn(&EventKind) -> bool) -> Vec<f64> {
    traj.events
        .iter()
        .filter(|ev| pick(&ev.kind) && ev.t.is_finite())
        .map(|ev| ev.t)
        .collect()
}

const PHASE: RGBColor = RGBColor(110, 185, 110);
const ALERT: RGBColor = RGBColor(200, 0, 0);
const BLAME: RGBColor = RGBColor(230, 140, 0);

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    traj: &Trajectory,
    model: &Model,
    title: &str,
) -> std::result::Result<(), String> {
    let t_end = traj
        .t
        .last()
        .copied()
        .unwrap_or(model.horizon)
        .max(model.horizon)
        .max(traj.end_time);
    let t_end = if t_end > 0.0 { t_end } else { 1.0 };
    let ladder = &model.ladder;
    let top = ladder.bound(ladder.top());
    let data_max = traj
        .x
        .iter()
        .flat_map(|s| s.iter().copied())
        .filter(|v| v.is_finite())
        .fold(0.0_f64, f64::max);
    let y_max = rungs::y_max(ladder, data_max);
    let title = if title.is_empty() {
        let name = if model.name.is_empty() {
            "Escalation trajectory"
        } else {
            model.name.as_str()
        };
        format!("{name}: outcome {}", traj.outcome)
    } else {
        title.to_string()
    };
    let area = frame::titled(root, &title)?;
    let mut chart = frame::chart(&area, 0.0..t_end, 0.0..y_max, rungs::NAMES_WIDTH)?;
    rungs::draw_bands(&mut chart, ladder, (0.0, t_end), y_max)?;

    let mut labels = Labels::default();
    let mut labelled = Vec::new();
    for (name, s, end) in phase_spans(traj) {
        let series = chart
            .draw_series(std::iter::once(Rectangle::new(
                [(s.max(0.0), 0.0), (end.min(t_end), y_max)],
                PHASE.mix(0.2).filled(),
            )))
            .map_err(err)?;
        if !labelled.contains(&name) {
            series
                .label(labels.add(format!("phase: {name}")))
                .legend(legend_box(PHASE.mix(0.45)));
            labelled.push(name);
        }
    }
    frame::mesh(&mut chart, "time (days)", "intensity (rungs)", false)?;
    rungs::draw_names(root, &chart, ladder, t_end, y_max, false)?;

    if let Some(h) = &model.hotline
        && h.start <= t_end
    {
        chart
            .draw_series(DashedLineSeries::new(
                [(h.start, 0.0), (h.start, y_max)],
                6,
                5,
                RGBColor(90, 90, 90).stroke_width(2),
            ))
            .map_err(err)?
            .label(labels.add(format!("hotline (day {:.1})", h.start)))
            .legend(frame::legend_dashed!(RGBColor(90, 90, 90), 2));
    }
    let breaches = times(traj, |k| matches!(k, EventKind::Breach { .. }));
    if !breaches.is_empty() {
        for (n, &t) in breaches.iter().enumerate() {
            let s = chart
                .draw_series(DashedLineSeries::new(
                    [(t, 0.0), (t, y_max)],
                    8,
                    4,
                    ALERT.stroke_width(2),
                ))
                .map_err(err)?;
            if n == 0 {
                s.label(labels.add("breach"))
                    .legend(frame::legend_dashed!(ALERT, 2));
            }
        }
    }

    for (i, name) in traj.actors.iter().enumerate() {
        let c = color(i);
        let finite = traj
            .t
            .iter()
            .copied()
            .zip(traj.x[i].iter().copied())
            .filter(|p| p.1.is_finite());
        chart
            .draw_series(LineSeries::new(finite, c.stroke_width(3)))
            .map_err(err)?
            .label(labels.add(name.clone()))
            .legend(legend_line(c, 3));
    }
    // Hardliners' heat, dashed in its actor's colour (on the same axis: heat
    // is in the units of intensity it feeds on).
    for (series, &i) in traj.hardliners.iter().zip(&traj.hardliner_actors) {
        let c = color(i);
        let points: Vec<(f64, f64)> = traj
            .t
            .iter()
            .copied()
            .zip(series.iter().copied())
            .filter(|p| p.1.is_finite())
            .map(|(t, h)| (t, h.min(y_max)))
            .collect();
        chart
            .draw_series(DashedLineSeries::new(points, 5, 4, c.stroke_width(2)))
            .map_err(err)?
            .label(labels.add(format!(
                "{} hardliners (heat)",
                traj.actors.get(i).map_or("?", String::as_str)
            )))
            .legend(frame::legend_dashed!(c, 2));
    }

    // Event markers along the top of the plot.
    let mark_y = y_max - 0.03 * y_max;
    let attacks = times(traj, |k| matches!(k, EventKind::Attack { .. }));
    if !attacks.is_empty() {
        chart
            .draw_series(
                attacks
                    .iter()
                    .map(|&t| TriangleMarker::new((t, mark_y), 7, ALERT.filled())),
            )
            .map_err(err)?
            .label(labels.add("spoiler attack"))
            .legend(|(x, y)| TriangleMarker::new((x + 10, y), 6, ALERT.filled()));
    }
    let wrong = times(traj, |k| {
        matches!(k, EventKind::Attribution { correct: false, .. })
    });
    if !wrong.is_empty() {
        let y = y_max - 0.07 * y_max;
        chart
            .draw_series(
                wrong
                    .iter()
                    .map(|&t| Circle::new((t, y), 5, BLAME.filled())),
            )
            .map_err(err)?
            .label(labels.add("blame on the wrong actor"))
            .legend(|(x, y)| Circle::new((x + 10, y), 5, BLAME.filled()));
    }
    if let Some(te) = traj.explosion_time.filter(|t| t.is_finite()) {
        chart
            .draw_series(std::iter::once(Cross::new(
                (te, top),
                10,
                BLACK.stroke_width(3),
            )))
            .map_err(err)?
            .label(labels.add(format!("explosion (day {te:.1})")))
            .legend(|(x, y)| Cross::new((x + 10, y), 6, BLACK.stroke_width(2)));
    }
    // Keep the legend off the lines and the markers along the top.
    let mut avoid: Vec<(f64, f64)> = traj
        .x
        .iter()
        .flat_map(|s| traj.t.iter().copied().zip(s.iter().copied()))
        .collect();
    for &t in attacks.iter().chain(&wrong) {
        avoid.extend(std::iter::repeat_n((t, mark_y), 5));
    }
    if let Some(te) = traj.explosion_time {
        avoid.extend(std::iter::repeat_n((te, top), 20));
    }
    frame::legend(&mut chart, &labels, &avoid)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Format, Scenario};
    use crate::sim::{SimOptions, simulate};

    #[test]
    fn phase_spans_close_at_collapse_or_run_end() {
        let (_, model) = Scenario::compile_str(
            r#"
            horizon = 30.0
            [[actor]]
            name = "A"
            restraint = 0.5
            initial = 0.5
            [[actor]]
            name = "B"
            restraint = 0.5
            [coupling]
            A = { B = 0.2 }
            B = { A = 0.2 }
            [[phase]]
            name = "pause"
            start = 5.0
            end = 10.0
            gain = 0.5
            parties = ["A", "B"]
            "#,
            Format::Toml,
        )
        .unwrap();
        let run = simulate(&model, &SimOptions::default()).unwrap();
        let spans = phase_spans(&run);
        assert_eq!(spans.len(), 1);
        let (name, s, e) = &spans[0];
        assert_eq!(name, "pause");
        assert!((s - 5.0).abs() < 1e-9 && (e - 10.0).abs() < 1e-9, "{s} {e}");
    }
}
