//! Phase portrait of a two-actor system: the vector field, the nullclines,
//! equilibria and trajectories in the plane of the two intensities.

use nalgebra::{DMatrix, DVector};
use plotters::coord::Shift;
use plotters::prelude::*;

use super::check;
use super::frame::{self, Chart2d, Labels, err, legend_line};
use super::geometry::{Bounds, clip_line, clip_polyline};
use super::style::color;
use crate::error::{Error, Result};
use crate::model::Dynamics;

/// An equilibrium to mark on a phase portrait.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EquilibriumMark {
    /// Intensity of the first actor (x axis), intensity.
    pub x: f64,
    /// Intensity of the second actor (y axis), intensity.
    pub y: f64,
    /// Stable (filled disc) or unstable (open circle).
    pub stable: bool,
}

/// A phase portrait: a two-actor system and what to draw over it.
///
/// The vector field and the nullclines are computed from `dynamics` at
/// `gain`: arrows show the direction of `(dx/dt, dy/dt)` with a fixed
/// length (darker where the flow is faster); the nullcline of actor `i` is
/// where `-a_i x_i + γ Σ_j K_ij x_j + g_i = 0`, and with a ceiling `C_i` also
/// the line `x_i = C_i`.
///
/// Saving it checks it first ([`Figure::check`](super::Figure::check)):
/// [`Error::Invalid`] when the system does not have two actors, a range is
/// empty or negative, or a point is not finite.
#[derive(Debug, Clone)]
pub struct PhasePortrait {
    /// Title; empty for "Phase portrait at γ = …".
    pub title: String,
    /// The system; it must have exactly two actors.
    pub dynamics: Dynamics,
    /// Loop gain `γ` (dimensionless, ≥ 0) at which the field is drawn.
    pub gain: f64,
    /// Range of the first actor's intensity (x axis), `0 ≤ lo < hi`.
    pub x_range: (f64, f64),
    /// Range of the second actor's intensity (y axis), `0 ≤ lo < hi`.
    pub y_range: (f64, f64),
    /// Trajectories as `(x, y)` intensity pairs in time order (possibly none).
    pub trajectories: Vec<Vec<(f64, f64)>>,
    /// Equilibria to mark (possibly none).
    pub equilibria: Vec<EquilibriumMark>,
}

impl PhasePortrait {
    /// A portrait of `dynamics` at its baseline gain over the given ranges,
    /// with no trajectories or equilibria.
    #[must_use]
    pub fn new(dynamics: Dynamics, x_range: (f64, f64), y_range: (f64, f64)) -> Self {
        Self {
            title: String::new(),
            gain: dynamics.gain,
            dynamics,
            x_range,
            y_range,
            trajectories: Vec::new(),
            equilibria: Vec::new(),
        }
    }

    /// `(dx/dt, dy/dt)` at `(x, y)`, intensity/day (projected onto `x ≥ 0`).
    fn field(&self, gains: &DMatrix<f64>, p: (f64, f64)) -> (f64, f64) {
        let d = &self.dynamics;
        let mut out = [0.0; 2];
        d.rhs_into(&[p.0, p.1], gains, &d.grievance, &[0.0, 0.0], &mut out);
        (out[0], out[1])
    }
}

impl super::Figure for PhasePortrait {
    fn check(&self) -> Result<()> {
        self.dynamics.check()?;
        if self.dynamics.n() != 2 {
            return Err(Error::invalid(
                "phase_portrait.dynamics",
                format!(
                    "a phase portrait needs exactly 2 actors, got {}",
                    self.dynamics.n()
                ),
            ));
        }
        check::finite("phase_portrait.gain", self.gain)?;
        if self.gain < 0.0 {
            return Err(Error::invalid(
                "phase_portrait.gain",
                format!("must be ≥ 0, got {}", crate::error::num(self.gain)),
            ));
        }
        for (key, r) in [
            ("phase_portrait.x_range", self.x_range),
            ("phase_portrait.y_range", self.y_range),
        ] {
            check::range(key, r)?;
            if r.0 < 0.0 {
                return Err(Error::invalid(
                    key,
                    format!(
                        "intensities are never negative: the range must start at 0 or above, got {}",
                        r.0
                    ),
                ));
            }
        }
        for (i, tr) in self.trajectories.iter().enumerate() {
            let key = format!("phase_portrait.trajectories[{i}]");
            check::non_empty(&key, tr)?;
            check::points_finite(&key, tr)?;
        }
        for (i, e) in self.equilibria.iter().enumerate() {
            let key = format!("phase_portrait.equilibria[{i}]");
            check::points_finite(&key, &[(e.x, e.y)])?;
        }
        Ok(())
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
    ) -> std::result::Result<(), String> {
        let names = &self.dynamics.names;
        let title = if self.title.is_empty() {
            format!(
                "Phase portrait of {} and {} at γ = {:.3}",
                names[0], names[1], self.gain
            )
        } else {
            self.title.clone()
        };
        let area = frame::titled(root, &title)?;
        let (x0, x1) = self.x_range;
        let (y0, y1) = self.y_range;
        let mut chart = frame::chart(&area, x0..x1, y0..y1, 0)?;
        frame::mesh(
            &mut chart,
            &format!("intensity of {} (rungs)", names[0]),
            &format!("intensity of {} (rungs)", names[1]),
            true,
        )?;
        let bx = Bounds { x0, x1, y0, y1 };
        self.draw_field(&mut chart, &bx)?;
        let mut labels = Labels::default();
        let mut avoid = self.draw_nullclines(&mut chart, &bx, &mut labels)?;
        self.draw_trajectories(&mut chart, &bx, &mut labels)?;
        self.draw_equilibria(&mut chart, &bx, &mut labels)?;
        for tr in &self.trajectories {
            avoid.extend(tr.iter().copied());
        }
        for e in &self.equilibria {
            avoid.extend(std::iter::repeat_n((e.x, e.y), 100));
        }
        frame::legend(&mut chart, &labels, &avoid)
    }
}

/// Arrow length and grid spacing, pixels.
const ARROW: f64 = 16.0;
const SPACING: f64 = 42.0;

impl PhasePortrait {
    fn gains(&self) -> DMatrix<f64> {
        DMatrix::from_element(2, 2, self.gain)
    }

    fn draw_field<'a, DB: DrawingBackend + 'a>(
        &self,
        chart: &mut Chart2d<'a, DB>,
        bx: &Bounds,
    ) -> std::result::Result<(), String> {
        let (w, h) = chart.plotting_area().dim_in_pixel();
        let (w, h) = (f64::from(w.max(1)), f64::from(h.max(1)));
        // Pixels per unit intensity on each axis.
        let sx = w / (bx.x1 - bx.x0);
        let sy = h / (bx.y1 - bx.y0);
        let nx = ((w / SPACING).round() as usize).max(2);
        let ny = ((h / SPACING).round() as usize).max(2);
        let gains = self.gains();
        let mut arrows = Vec::with_capacity(nx * ny);
        for i in 0..nx {
            for j in 0..ny {
                let p = (
                    bx.x0 + (i as f64 + 0.5) / nx as f64 * (bx.x1 - bx.x0),
                    bx.y0 + (j as f64 + 0.5) / ny as f64 * (bx.y1 - bx.y0),
                );
                let f = self.field(&gains, p);
                arrows.push((p, f));
            }
        }
        let speeds: Vec<f64> = arrows
            .iter()
            .map(|(_, f)| (f.0 * sx).hypot(f.1 * sy))
            .collect();
        let fastest = speeds
            .iter()
            .copied()
            .filter(|s| s.is_finite())
            .fold(0.0, f64::max);
        for ((p, f), speed) in arrows.into_iter().zip(speeds) {
            if !speed.is_finite() || speed <= fastest * 1e-9 || fastest == 0.0 {
                chart
                    .draw_series(std::iter::once(Circle::new(
                        p,
                        2,
                        RGBColor(120, 120, 120).filled(),
                    )))
                    .map_err(err)?;
                continue;
            }
            // Direction in pixels (y up), back to data units for drawing.
            let (ux, uy) = (f.0 * sx / speed, f.1 * sy / speed);
            let half = (0.5 * ARROW * ux / sx, 0.5 * ARROW * uy / sy);
            let tail = (p.0 - half.0, p.1 - half.1);
            let tip = (p.0 + half.0, p.1 + half.1);
            let head = |angle: f64| {
                let (c, s) = (angle.cos(), angle.sin());
                let (bx_, by_) = (-(ux * c - uy * s), -(ux * s + uy * c));
                (tip.0 + 6.0 * bx_ / sx, tip.1 + 6.0 * by_ / sy)
            };
            // Faster flow, darker arrow (log scale over three decades).
            let rel = ((speed / fastest).log10() / 3.0 + 1.0).clamp(0.0, 1.0);
            let shade = RGBColor(40, 40, 40).mix(0.25 + 0.6 * rel);
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![tail, tip, head(0.45), tip, head(-0.45)],
                    shade.stroke_width(1),
                )))
                .map_err(err)?;
        }
        Ok(())
    }

    fn draw_nullclines<'a, DB: DrawingBackend + 'a>(
        &self,
        chart: &mut Chart2d<'a, DB>,
        bx: &Bounds,
        labels: &mut Labels,
    ) -> std::result::Result<Vec<(f64, f64)>, String> {
        let d = &self.dynamics;
        let (a, k, g): (&DVector<f64>, &DMatrix<f64>, &DVector<f64>) =
            (&d.restraint, &d.coupling, &d.grievance);
        let gam = self.gain;
        // Row i of F(x) = -A x + γ K x + g as α x + β y = c.
        let lines = [
            (-a[0], gam * k[(0, 1)], -g[0]),
            (gam * k[(1, 0)], -a[1], -g[1]),
        ];
        let mut points = Vec::new();
        for (i, &(al, be, rhs)) in lines.iter().enumerate() {
            let c = color(i);
            let style = c.stroke_width(3);
            let mut segs = Vec::new();
            if let Some(s) = clip_line(al, be, rhs, bx) {
                segs.push(s);
            }
            if let Some(cap) = d.ceiling[i] {
                let (al, be) = if i == 0 { (1.0, 0.0) } else { (0.0, 1.0) };
                if let Some(s) = clip_line(al, be, cap, bx) {
                    segs.push(s);
                }
            }
            for (n, s) in segs.into_iter().enumerate() {
                points.extend(frame::along(&s, 40));
                let series = chart.draw_series(LineSeries::new(s, style)).map_err(err)?;
                if n == 0 {
                    series
                        .label(labels.add(format!("d{}/dt = 0", d.names[i])))
                        .legend(legend_line(c, 3));
                }
            }
        }
        Ok(points)
    }

    fn draw_trajectories<'a, DB: DrawingBackend + 'a>(
        &self,
        chart: &mut Chart2d<'a, DB>,
        bx: &Bounds,
        labels: &mut Labels,
    ) -> std::result::Result<(), String> {
        let ink = RGBColor(60, 60, 60);
        let mut first = true;
        for tr in &self.trajectories {
            for piece in clip_polyline(tr, bx) {
                chart
                    .draw_series(LineSeries::new(piece, ink.stroke_width(2)))
                    .map_err(err)?;
            }
            if bx.contains(tr[0]) {
                let s = chart
                    .draw_series(std::iter::once(Circle::new(tr[0], 4, ink.stroke_width(2))))
                    .map_err(err)?;
                if first {
                    s.label(labels.add("trajectory (○ start)"))
                        .legend(legend_line(ink, 2));
                    first = false;
                }
            }
        }
        Ok(())
    }

    fn draw_equilibria<'a, DB: DrawingBackend + 'a>(
        &self,
        chart: &mut Chart2d<'a, DB>,
        bx: &Bounds,
        labels: &mut Labels,
    ) -> std::result::Result<(), String> {
        let mut seen = [false, false];
        for e in &self.equilibria {
            let p = (e.x, e.y);
            if !bx.contains(p) {
                continue;
            }
            let k = usize::from(e.stable);
            if e.stable {
                let s = chart
                    .draw_series(std::iter::once(Circle::new(p, 8, BLACK.filled())))
                    .map_err(err)?;
                if !seen[k] {
                    s.label(labels.add("stable equilibrium"))
                        .legend(|(x, y)| Circle::new((x + 10, y), 6, BLACK.filled()));
                }
            } else {
                chart
                    .draw_series(std::iter::once(Circle::new(p, 8, WHITE.filled())))
                    .map_err(err)?;
                let s = chart
                    .draw_series(std::iter::once(Circle::new(p, 8, BLACK.stroke_width(3))))
                    .map_err(err)?;
                if !seen[k] {
                    s.label(labels.add("unstable equilibrium"))
                        .legend(|(x, y)| Circle::new((x + 10, y), 6, BLACK.stroke_width(2)));
                }
            }
            seen[k] = true;
        }
        Ok(())
    }
}
