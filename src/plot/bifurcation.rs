//! Bifurcation diagram: equilibria against the loop gain `γ`, stable
//! branches solid, unstable branches dashed, folds and the critical gain
//! marked.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::check;
use super::frame::{self, Chart2d, Labels, err, legend_line};
use super::geometry::{Bounds, clip_polyline, extent, padded};
use super::style::color;
use crate::error::{Error, Result};

/// A branch of equilibria: points `(γ, x)` in continuation order, with the
/// stability of each.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Branch {
    /// `(γ, x)`: gain (dimensionless) and the plotted equilibrium
    /// coordinate (intensity), in order along the branch.
    pub points: Vec<(f64, f64)>,
    /// Whether the equilibrium at each point is stable (same length as `points`).
    pub stable: Vec<bool>,
}

impl Branch {
    /// A branch whose points all share one stability.
    #[must_use]
    pub fn uniform(points: Vec<(f64, f64)>, stable: bool) -> Self {
        let stable = vec![stable; points.len()];
        Self { points, stable }
    }
}

/// A bifurcation diagram: branches of equilibria against the gain.
///
/// Saving it checks it first ([`Figure::check`](super::Figure::check)):
/// [`Error::Invalid`] when there is no branch, a branch is empty or its
/// stability flags do not match its points, a value is not finite, or the y
/// range is empty.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Bifurcation {
    /// Title; empty for "Bifurcation diagram".
    pub title: String,
    /// x axis label; empty for "loop gain γ".
    pub x_label: String,
    /// y axis label with units; empty for "equilibrium intensity (rungs)".
    pub y_label: String,
    /// The branches (at least one).
    pub branches: Vec<Branch>,
    /// Folds `(γ, x)`: where two equilibria meet and vanish.
    pub folds: Vec<(f64, f64)>,
    /// Branch points `(γ, x)`: where branches cross (an eigenvalue passes
    /// through zero; stability may be exchanged).
    pub branch_points: Vec<(f64, f64)>,
    /// The critical gain `γ*` of the linear loop, drawn as a vertical line.
    pub critical_gain: Option<f64>,
    /// Visible range of the y axis; `None` fits the data. Branches that run
    /// off to infinity near `γ*` are clipped to it.
    pub y_range: Option<(f64, f64)>,
}

impl Bifurcation {
    /// The diagram of `actor`'s equilibrium intensity from a continuation
    /// ([`crate::analysis::continuation`]): one branch per face run, each
    /// point with its stability, and the tipping points met following the
    /// attractor up and down as folds. `name` labels the y axis.
    ///
    /// # Errors
    /// [`Error::Invalid`] when a point has no intensity for `actor`.
    pub fn from_continuation(
        branches: &crate::analysis::Branches,
        actor: usize,
        name: &str,
    ) -> Result<Self> {
        let coord = |x: &[f64], what: &str| {
            x.get(actor).copied().ok_or_else(|| {
                Error::invalid(
                    "bifurcation.actor",
                    format!("{what} has {} intensities, no actor {actor}", x.len()),
                )
            })
        };
        let mut out = Vec::with_capacity(branches.branches.len());
        for b in &branches.branches {
            let mut branch = Branch::default();
            for p in &b.points {
                branch.points.push((p.gain, coord(&p.x, "a branch point")?));
                branch.stable.push(p.stable);
            }
            out.push(branch);
        }
        let folds = branches
            .folds
            .iter()
            .map(|f| Ok((f.gain, coord(&f.from, "a fold")?)))
            .collect::<Result<Vec<_>>>()?;
        Ok(Self {
            y_label: format!("equilibrium intensity of {name} (rungs)"),
            branches: out,
            folds,
            ..Self::default()
        })
    }

    fn bounds(&self) -> Bounds {
        let pts = || self.branches.iter().flat_map(|b| b.points.iter());
        let (mut g0, mut g1) = extent(pts().map(|p| p.0)).unwrap_or((0.0, 1.0));
        if let Some(gc) = self.critical_gain {
            g0 = g0.min(gc);
            g1 = g1.max(gc);
        }
        let (x0, x1) = if g1 > g0 {
            (g0, g1)
        } else {
            padded(g0, g1, 0.05)
        };
        let (y0, y1) = self.y_range.unwrap_or_else(|| {
            let (lo, hi) = extent(pts().map(|p| p.1)).unwrap_or((0.0, 1.0));
            let (plo, phi) = padded(lo, hi, 0.06);
            (if lo >= 0.0 { 0.0 } else { plo }, phi)
        });
        Bounds { x0, x1, y0, y1 }
    }
}

const STABLE: RGBColor = RGBColor(0, 114, 178);

impl super::Figure for Bifurcation {
    fn check(&self) -> Result<()> {
        check::non_empty("bifurcation.branches", &self.branches)?;
        for (i, b) in self.branches.iter().enumerate() {
            let key = format!("bifurcation.branches[{i}]");
            check::non_empty(&format!("{key}.points"), &b.points)?;
            check::points_finite(&format!("{key}.points"), &b.points)?;
            check::same_len(
                &format!("{key}.stable"),
                b.stable.len(),
                b.points.len(),
                "points",
            )?;
        }
        check::points_finite("bifurcation.folds", &self.folds)?;
        check::points_finite("bifurcation.branch_points", &self.branch_points)?;
        if let Some(g) = self.critical_gain {
            check::finite("bifurcation.critical_gain", g)?;
        }
        if let Some(r) = self.y_range {
            check::range("bifurcation.y_range", r)?;
        }
        if self.x_label.contains('\n') || self.y_label.contains('\n') {
            return Err(Error::invalid(
                "bifurcation.x_label/y_label",
                "labels must be one line",
            ));
        }
        Ok(())
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
    ) -> std::result::Result<(), String> {
        let title = if self.title.is_empty() {
            "Bifurcation diagram"
        } else {
            &self.title
        };
        let x_label = if self.x_label.is_empty() {
            "loop gain γ"
        } else {
            &self.x_label
        };
        let y_label = if self.y_label.is_empty() {
            "equilibrium intensity (rungs)"
        } else {
            &self.y_label
        };
        let area = frame::titled(root, title)?;
        let bx = self.bounds();
        let mut chart = frame::chart(&area, bx.x0..bx.x1, bx.y0..bx.y1, 0)?;
        frame::mesh(&mut chart, x_label, y_label, true)?;
        let unstable = color(1);
        let mut labels = Labels::default();

        if let Some(gc) = self.critical_gain.filter(|g| *g >= bx.x0 && *g <= bx.x1) {
            let grey = RGBColor(110, 110, 110);
            chart
                .draw_series(DashedLineSeries::new(
                    [(gc, bx.y0), (gc, bx.y1)],
                    5,
                    5,
                    grey.stroke_width(2),
                ))
                .map_err(err)?
                .label(labels.add(format!("critical gain γ* = {gc:.3}")))
                .legend(frame::legend_dashed!(grey, 2));
        }
        let (mut any_stable, mut any_unstable) = (false, false);
        for b in &self.branches {
            for (stable, run) in runs(b) {
                for piece in clip_polyline(&run, &bx) {
                    if stable {
                        any_stable = true;
                        chart
                            .draw_series(LineSeries::new(piece, STABLE.stroke_width(4)))
                            .map_err(err)?;
                    } else {
                        any_unstable = true;
                        chart
                            .draw_series(DashedLineSeries::new(
                                piece,
                                9,
                                6,
                                unstable.stroke_width(3),
                            ))
                            .map_err(err)?;
                    }
                }
            }
            // A one-point branch is a single equilibrium.
            if b.points.len() == 1 && bx.contains(b.points[0]) {
                let c = if b.stable[0] { STABLE } else { unstable };
                chart
                    .draw_series(std::iter::once(Circle::new(b.points[0], 4, c.filled())))
                    .map_err(err)?;
            }
        }
        legend_only(
            &mut chart,
            &mut labels,
            any_stable,
            "stable equilibria",
            STABLE,
            4,
            false,
        )?;
        legend_only(
            &mut chart,
            &mut labels,
            any_unstable,
            "unstable equilibria",
            unstable,
            3,
            true,
        )?;
        let inside = |v: &[(f64, f64)]| {
            v.iter()
                .copied()
                .filter(|&p| bx.contains(p))
                .collect::<Vec<_>>()
        };
        let folds = inside(&self.folds);
        if !folds.is_empty() {
            chart
                .draw_series(folds.into_iter().map(|p| {
                    EmptyElement::at(p) + Rectangle::new([(-7, -7), (7, 7)], BLACK.filled())
                }))
                .map_err(err)?
                .label(labels.add("fold"))
                .legend(|(x, y)| {
                    EmptyElement::at((x + 10, y))
                        + Rectangle::new([(-6, -6), (6, 6)], BLACK.filled())
                });
        }
        let bps = inside(&self.branch_points);
        if !bps.is_empty() {
            chart
                .draw_series(bps.iter().map(|&p| Circle::new(p, 8, WHITE.filled())))
                .map_err(err)?;
            chart
                .draw_series(
                    bps.into_iter()
                        .map(|p| Circle::new(p, 8, BLACK.stroke_width(3))),
                )
                .map_err(err)?
                .label(labels.add("branch point (branches cross)"))
                .legend(|(x, y)| Circle::new((x + 10, y), 6, BLACK.stroke_width(2)));
        }
        let mut avoid = Vec::new();
        for b in &self.branches {
            avoid.extend(frame::along(&b.points, 2));
        }
        for &p in self.folds.iter().chain(&self.branch_points) {
            avoid.extend(std::iter::repeat_n(p, 50));
        }
        frame::legend(&mut chart, &labels, &avoid)
    }
}

/// A legend entry with nothing drawn (for styles drawn piecewise).
fn legend_only<'a, DB: DrawingBackend + 'a>(
    chart: &mut Chart2d<'a, DB>,
    labels: &mut Labels,
    show: bool,
    label: &str,
    c: RGBColor,
    width: u32,
    dashed: bool,
) -> std::result::Result<(), String> {
    if show {
        let s = chart
            .draw_series(std::iter::empty::<PathElement<(f64, f64)>>())
            .map_err(err)?
            .label(labels.add(label));
        if dashed {
            s.legend(frame::legend_dashed!(c, width));
        } else {
            s.legend(legend_line(c, width));
        }
    }
    Ok(())
}

/// The branch cut into runs of one stability: a segment is stable when
/// both its ends are.
fn runs(b: &Branch) -> Vec<(bool, Vec<(f64, f64)>)> {
    let mut out: Vec<(bool, Vec<(f64, f64)>)> = Vec::new();
    for k in 1..b.points.len() {
        let s = b.stable[k - 1] && b.stable[k];
        match out.last_mut() {
            Some((last, run)) if *last == s => run.push(b.points[k]),
            _ => out.push((s, vec![b.points[k - 1], b.points[k]])),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_branch_splits_where_its_stability_changes() {
        let b = Branch {
            points: vec![(0.0, 0.0), (1.0, 1.0), (2.0, 2.0), (3.0, 3.0)],
            stable: vec![true, true, false, false],
        };
        let r = runs(&b);
        assert_eq!(r.len(), 2);
        assert_eq!(r[0], (true, vec![(0.0, 0.0), (1.0, 1.0)]));
        assert_eq!(r[1], (false, vec![(1.0, 1.0), (2.0, 2.0), (3.0, 3.0)]));
        assert!(runs(&Branch::uniform(vec![(0.0, 1.0)], true)).is_empty());
    }
}
