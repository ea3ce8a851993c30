//! Root locus: the eigenvalues of the loop as its gain `γ` rises, coloured by
//! gain, with the stability boundary and the critical gain marked.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::check;
use super::colormap::{Scale, Sequential};
use super::frame::{self, Labels, err, legend_box, legend_line};
use super::geometry::{extent, padded};
use crate::error::{Error, Result};

/// Where the eigenvalues live, which fixes the stability boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Plane {
    /// Continuous time: eigenvalues `λ` of `-A + γK` in 1/day; stable
    /// left of the imaginary axis.
    #[default]
    Continuous,
    /// Sampled data: eigenvalues `z` of the one-period map (dimensionless);
    /// stable inside the unit circle.
    Discrete,
}

/// A root locus: the eigenvalues of the loop as the gain rises.
///
/// Saving it checks it first ([`Figure::check`](super::Figure::check)):
/// [`Error::Invalid`] when the gains are fewer than two, do not increase or
/// do not match the eigenvalue lists, a list is empty, or a value is not
/// finite.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RootLocus {
    /// Title; empty for "Root locus".
    pub title: String,
    /// Loop gains `γ` (dimensionless), strictly increasing, at least 2.
    pub gains: Vec<f64>,
    /// `eigenvalues[k]`: the eigenvalues `(re, im)` at `gains[k]`, in 1/day
    /// for [`Plane::Continuous`], dimensionless for [`Plane::Discrete`].
    pub eigenvalues: Vec<Vec<(f64, f64)>>,
    /// The critical gain `γ*`, if any: the eigenvalues at the sampled gain
    /// nearest to it are ringed (include `γ*` in `gains` to ring it exactly).
    pub critical_gain: Option<f64>,
    /// Continuous or sampled-data eigenvalues.
    pub plane: Plane,
}

impl RootLocus {
    /// The plotted window: all eigenvalues and the stability boundary.
    fn window(&self) -> ((f64, f64), (f64, f64)) {
        let all = || self.eigenvalues.iter().flatten();
        let (mut x0, mut x1) = extent(all().map(|p| p.0)).unwrap_or((-1.0, 1.0));
        let mut ymax = all().map(|p| p.1.abs()).fold(0.0, f64::max);
        match self.plane {
            Plane::Continuous => {
                x0 = x0.min(0.0);
                x1 = x1.max(0.0);
            }
            Plane::Discrete => {
                x0 = x0.min(-1.0);
                x1 = x1.max(1.0);
                ymax = ymax.max(1.0);
            }
        }
        let (x0, x1) = padded(x0, x1, 0.08);
        let ymax = ymax.max(0.2 * (x1 - x0)) * 1.12;
        ((x0, x1), (-ymax, ymax))
    }
}

const UNSTABLE: RGBColor = RGBColor(252, 228, 228);
const BOUNDARY: RGBColor = RGBColor(150, 30, 30);

impl super::Figure for RootLocus {
    fn check(&self) -> Result<()> {
        check::increasing("root_locus.gains", &self.gains, 2)?;
        check::same_len(
            "root_locus.eigenvalues",
            self.eigenvalues.len(),
            self.gains.len(),
            "gains",
        )?;
        for (k, ev) in self.eigenvalues.iter().enumerate() {
            let key = format!("root_locus.eigenvalues[{k}]");
            check::non_empty(&key, ev)?;
            check::points_finite(&key, ev)?;
        }
        if let Some(g) = self.critical_gain {
            check::finite("root_locus.critical_gain", g)?;
            if g < 0.0 {
                return Err(Error::invalid(
                    "root_locus.critical_gain",
                    format!("must be ≥ 0, got {}", crate::error::num(g)),
                ));
            }
        }
        Ok(())
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
    ) -> std::result::Result<(), String> {
        let title = if self.title.is_empty() {
            "Root locus"
        } else {
            &self.title
        };
        let area = frame::titled(root, title)?;
        let g0 = self.gains[0];
        let g1 = self.gains[self.gains.len() - 1];
        let scale = Sequential { lo: g0, hi: g1 };
        let plot_area = frame::with_colorbar(&area, &scale, "loop gain γ")?;
        let ((x0, x1), (y0, y1)) = self.window();
        let mut chart = frame::chart(&plot_area, x0..x1, y0..y1, 0)?;
        let mut labels = Labels::default();

        // The unstable region, pale red, and its boundary.
        let (xl, yl) = match self.plane {
            Plane::Continuous => ("Re λ (1/day)", "Im λ (1/day)"),
            Plane::Discrete => ("Re z (per period)", "Im z (per period)"),
        };
        match self.plane {
            Plane::Continuous => {
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(0.0, y0), (x1, y1)],
                        UNSTABLE.filled(),
                    )))
                    .map_err(err)?
                    .label(labels.add("unstable region"))
                    .legend(legend_box(UNSTABLE.to_rgba()));
            }
            Plane::Discrete => {
                let circle: Vec<(f64, f64)> = (0..=180)
                    .map(|k| {
                        let th = f64::from(k) * std::f64::consts::TAU / 180.0;
                        (th.cos(), th.sin())
                    })
                    .collect();
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(x0, y0), (x1, y1)],
                        UNSTABLE.filled(),
                    )))
                    .map_err(err)?
                    .label(labels.add("unstable region"))
                    .legend(legend_box(UNSTABLE.to_rgba()));
                chart
                    .draw_series(std::iter::once(Polygon::new(circle, WHITE.filled())))
                    .map_err(err)?;
            }
        }
        frame::mesh(&mut chart, xl, yl, true)?;
        match self.plane {
            Plane::Continuous => {
                chart
                    .draw_series(LineSeries::new(
                        [(0.0, y0), (0.0, y1)],
                        BOUNDARY.stroke_width(2),
                    ))
                    .map_err(err)?
                    .label(labels.add("Re λ = 0 (stability boundary)"))
                    .legend(legend_line(BOUNDARY, 2));
            }
            Plane::Discrete => {
                let circle: Vec<(f64, f64)> = (0..=180)
                    .map(|k| {
                        let th = f64::from(k) * std::f64::consts::TAU / 180.0;
                        (th.cos(), th.sin())
                    })
                    .collect();
                chart
                    .draw_series(LineSeries::new(circle, BOUNDARY.stroke_width(2)))
                    .map_err(err)?
                    .label(labels.add("|z| = 1 (stability boundary)"))
                    .legend(legend_line(BOUNDARY, 2));
            }
        }
        // Real axis, for reference.
        chart
            .draw_series(LineSeries::new(
                [(x0, 0.0), (x1, 0.0)],
                RGBColor(150, 150, 150).stroke_width(1),
            ))
            .map_err(err)?;

        for (g, ev) in self.gains.iter().zip(&self.eigenvalues) {
            let c = scale.color(*g);
            chart
                .draw_series(ev.iter().map(|&p| Circle::new(p, 3, c.filled())))
                .map_err(err)?;
        }
        let last = self.gains.len() - 1;
        chart
            .draw_series(
                self.eigenvalues[0]
                    .iter()
                    .map(|&p| Cross::new(p, 7, BLACK.stroke_width(3))),
            )
            .map_err(err)?
            .label(labels.add(format!("start, γ = {g0:.3}")))
            .legend(|(x, y)| Cross::new((x + 10, y), 6, BLACK.stroke_width(2)));
        chart
            .draw_series(self.eigenvalues[last].iter().map(|&p| {
                EmptyElement::at(p) + Rectangle::new([(-6, -6), (6, 6)], BLACK.stroke_width(2))
            }))
            .map_err(err)?
            .label(labels.add(format!("end, γ = {g1:.3}")))
            .legend(|(x, y)| {
                EmptyElement::at((x + 10, y))
                    + Rectangle::new([(-5, -5), (5, 5)], BLACK.stroke_width(2))
            });
        if let Some(gc) = self.critical_gain {
            let k = nearest(&self.gains, gc);
            chart
                .draw_series(
                    self.eigenvalues[k]
                        .iter()
                        .map(|&p| Circle::new(p, 9, BLACK.stroke_width(3))),
                )
                .map_err(err)?
                .label(labels.add(format!("critical gain γ* = {gc:.3}")))
                .legend(|(x, y)| Circle::new((x + 10, y), 7, BLACK.stroke_width(2)));
        }
        let avoid: Vec<(f64, f64)> = self.eigenvalues.iter().flatten().copied().collect();
        frame::legend(&mut chart, &labels, &avoid)
    }
}

/// Index of the value in `v` nearest to `x` (`v` is not empty).
fn nearest(v: &[f64], x: f64) -> usize {
    let mut best = 0;
    for (i, &g) in v.iter().enumerate() {
        if (g - x).abs() < (v[best] - x).abs() {
            best = i;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_holds_the_eigenvalues_and_the_boundary() {
        let rl = RootLocus {
            gains: vec![0.0, 1.0],
            eigenvalues: vec![
                vec![(-0.5, 0.0), (-0.4, 0.0)],
                vec![(-0.9, 0.3), (-0.9, -0.3)],
            ],
            ..RootLocus::default()
        };
        let ((x0, x1), (y0, y1)) = rl.window();
        assert!(
            x0 < -0.9 && x1 > 0.0 && y0 < -0.3 && y1 > 0.3,
            "{x0} {x1} {y0} {y1}"
        );
        assert_eq!(nearest(&[0.0, 0.5, 1.0], 0.7), 1);
    }
}
