//! Plain-data shapes shared by the figures, and clipping.
//!
//! plotters clamps points that fall outside the plotting area onto its edge,
//! which bends lines that leave the view; curves are therefore clipped here
//! (Liang–Barsky) before they are drawn.

/// A labelled polyline in data coordinates, drawn over a figure (for
/// example the analytic stability boundary). Curves that share a label share
/// one legend entry.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Curve {
    /// Legend text.
    pub label: String,
    /// Points in the figure's axis units, in drawing order.
    pub points: Vec<(f64, f64)>,
}

impl Curve {
    /// A curve from a label and points.
    #[must_use]
    pub fn new(label: impl Into<String>, points: Vec<(f64, f64)>) -> Self {
        Self {
            label: label.into(),
            points,
        }
    }
}

/// A labelled point marked on a map (for example the scenario's baseline).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Mark {
    /// Legend text.
    pub label: String,
    /// Position on the x axis, in its units.
    pub x: f64,
    /// Position on the y axis, in its units.
    pub y: f64,
}

/// An axis-aligned box in data coordinates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Bounds {
    pub x0: f64,
    pub x1: f64,
    pub y0: f64,
    pub y1: f64,
}

impl Bounds {
    pub(crate) fn contains(&self, p: (f64, f64)) -> bool {
        p.0 >= self.x0 && p.0 <= self.x1 && p.1 >= self.y0 && p.1 <= self.y1
    }
}

/// The part of segment `a`–`b` inside `b0`, if any.
pub(crate) fn clip_segment(
    a: (f64, f64),
    b: (f64, f64),
    bx: &Bounds,
) -> Option<((f64, f64), (f64, f64))> {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let mut t0: f64 = 0.0;
    let mut t1: f64 = 1.0;
    for (p, q) in [
        (-dx, a.0 - bx.x0),
        (dx, bx.x1 - a.0),
        (-dy, a.1 - bx.y0),
        (dy, bx.y1 - a.1),
    ] {
        if p == 0.0 {
            if q < 0.0 {
                return None;
            }
        } else {
            let r = q / p;
            if p < 0.0 {
                t0 = t0.max(r);
            } else {
                t1 = t1.min(r);
            }
        }
    }
    if t0 > t1 {
        return None;
    }
    Some((
        (a.0 + t0 * dx, a.1 + t0 * dy),
        (a.0 + t1 * dx, a.1 + t1 * dy),
    ))
}

/// The pieces of a polyline inside `bx`, each a polyline of its own.
pub(crate) fn clip_polyline(points: &[(f64, f64)], bx: &Bounds) -> Vec<Vec<(f64, f64)>> {
    let mut pieces: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut current: Vec<(f64, f64)> = Vec::new();
    if points.len() == 1 && bx.contains(points[0]) {
        return vec![points.to_vec()];
    }
    for w in points.windows(2) {
        match clip_segment(w[0], w[1], bx) {
            Some((p, q)) => {
                if current.last() != Some(&p) {
                    if !current.is_empty() {
                        pieces.push(std::mem::take(&mut current));
                    }
                    current.push(p);
                }
                current.push(q);
                if q != w[1] {
                    pieces.push(std::mem::take(&mut current));
                }
            }
            None => {
                if !current.is_empty() {
                    pieces.push(std::mem::take(&mut current));
                }
            }
        }
    }
    if !current.is_empty() {
        pieces.push(current);
    }
    pieces
}

/// The segment of the line `α x + β y = c` inside `bx`, if any.
pub(crate) fn clip_line(alpha: f64, beta: f64, c: f64, bx: &Bounds) -> Option<[(f64, f64); 2]> {
    let norm2 = alpha * alpha + beta * beta;
    if norm2 == 0.0 || !norm2.is_finite() || !c.is_finite() {
        return None;
    }
    // The point of the line nearest the box centre, then far along the line.
    let (cx, cy) = (0.5 * (bx.x0 + bx.x1), 0.5 * (bx.y0 + bx.y1));
    let s = (c - alpha * cx - beta * cy) / norm2;
    let p = (cx + s * alpha, cy + s * beta);
    let span = (bx.x1 - bx.x0).abs() + (bx.y1 - bx.y0).abs();
    let n = norm2.sqrt();
    let d = (-beta / n * span * 2.0, alpha / n * span * 2.0);
    clip_segment((p.0 - d.0, p.1 - d.1), (p.0 + d.0, p.1 + d.1), bx).map(|(a, b)| [a, b])
}

/// `(lo, hi)` widened by `frac` of its span on each side (by a unit-scale
/// amount when the span is zero).
pub(crate) fn padded(lo: f64, hi: f64, frac: f64) -> (f64, f64) {
    let span = hi - lo;
    if span > 0.0 {
        (lo - frac * span, hi + frac * span)
    } else {
        let d = 0.5 * lo.abs().max(1.0);
        (lo - d, hi + d)
    }
}

/// Smallest and largest finite value, if any.
pub(crate) fn extent(values: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
    values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold(None, |acc, v| match acc {
            None => Some((v, v)),
            Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
        })
}

/// The edges of the cells centred on grid values `v` (at least two, strictly
/// increasing): midpoints between neighbours, half a step beyond the ends.
pub(crate) fn cell_edges(v: &[f64]) -> Vec<f64> {
    let n = v.len();
    let mut e = Vec::with_capacity(n + 1);
    e.push(v[0] - 0.5 * (v[1] - v[0]));
    for w in v.windows(2) {
        e.push(0.5 * (w[0] + w[1]));
    }
    e.push(v[n - 1] + 0.5 * (v[n - 1] - v[n - 2]));
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    const B: Bounds = Bounds {
        x0: 0.0,
        x1: 1.0,
        y0: 0.0,
        y1: 1.0,
    };

    #[test]
    fn segments_are_cut_at_the_box() {
        let (p, q) = clip_segment((-1.0, 0.5), (2.0, 0.5), &B).unwrap();
        assert_eq!((p, q), ((0.0, 0.5), (1.0, 0.5)));
        assert!(clip_segment((-1.0, 2.0), (2.0, 2.0), &B).is_none());
        assert!(clip_segment((2.0, 0.0), (3.0, 1.0), &B).is_none());
        let (p, q) = clip_segment((0.2, 0.2), (0.4, 0.6), &B).unwrap();
        assert_eq!((p, q), ((0.2, 0.2), (0.4, 0.6)));
    }

    #[test]
    fn a_polyline_leaving_and_reentering_splits_in_two() {
        let pts = [(0.1, 0.5), (0.5, 2.0), (0.9, 0.5)];
        let pieces = clip_polyline(&pts, &B);
        assert_eq!(pieces.len(), 2);
        for piece in &pieces {
            assert!(piece.iter().all(|&p| B.contains(p)));
            assert_eq!(piece.len(), 2);
        }
        assert_eq!(pieces[0][0], (0.1, 0.5));
        assert_eq!(pieces[1][1], (0.9, 0.5));
        // Fully inside: one piece, unchanged.
        let inside = [(0.1, 0.1), (0.2, 0.3), (0.5, 0.5)];
        assert_eq!(clip_polyline(&inside, &B), vec![inside.to_vec()]);
    }

    #[test]
    fn a_line_is_cut_to_its_chord() {
        // x + y = 1 crosses the unit box from (0, 1) to (1, 0).
        let [a, b] = clip_line(1.0, 1.0, 1.0, &B).unwrap();
        for p in [a, b] {
            assert!((p.0 + p.1 - 1.0).abs() < 1e-12);
            let near = |v: f64| (-1e-9..=1.0 + 1e-9).contains(&v);
            assert!(near(p.0) && near(p.1), "{p:?}");
        }
        assert!(((a.0 - b.0).abs() - 1.0).abs() < 1e-12);
        assert!(clip_line(1.0, 1.0, 5.0, &B).is_none());
        assert!(clip_line(0.0, 0.0, 1.0, &B).is_none());
    }

    #[test]
    fn cells_are_centred_on_grid_values() {
        assert_eq!(cell_edges(&[0.0, 1.0, 3.0]), vec![-0.5, 0.5, 2.0, 4.0]);
        assert_eq!(padded(2.0, 2.0, 0.1), (1.0, 3.0));
        assert_eq!(extent([1.0, f64::NAN, -2.0]), Some((-2.0, 1.0)));
        assert_eq!(extent([f64::NAN]), None);
    }
}
