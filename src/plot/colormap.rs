//! Colour scales and the colour bar that explains them.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::style::{FONT, tick};

/// Viridis (perceptually uniform, colour-blind safe), sampled at nine points.
const VIRIDIS: [(u8, u8, u8); 9] = [
    (68, 1, 84),
    (71, 44, 122),
    (59, 82, 139),
    (44, 114, 142),
    (33, 145, 140),
    (40, 174, 128),
    (94, 201, 98),
    (173, 220, 48),
    (253, 231, 37),
];

/// Blue (stable) through near-white to red (explosive), after ColorBrewer RdBu.
const DIVERGING: [(u8, u8, u8); 5] = [
    (33, 102, 172),
    (103, 169, 207),
    (247, 247, 247),
    (239, 138, 98),
    (178, 24, 43),
];

fn interpolate(stops: &[(u8, u8, u8)], t: f64) -> RGBColor {
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let s = t * (stops.len() - 1) as f64;
    // ok: s is in [0, len-1], so the index is in range.
    let i = (s.floor() as usize).min(stops.len() - 2);
    let f = s - i as f64;
    let mix = |a: u8, b: u8| (f64::from(a) + f * (f64::from(b) - f64::from(a))).round() as u8;
    let (a, b) = (stops[i], stops[i + 1]);
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Viridis at `t` in `[0, 1]` (clamped).
pub(crate) fn viridis(t: f64) -> RGBColor {
    interpolate(&VIRIDIS, t)
}

/// The diverging scale at `t` in `[0, 1]` (clamped); 0.5 is near-white.
pub(crate) fn diverging(t: f64) -> RGBColor {
    interpolate(&DIVERGING, t)
}

/// A map from values to colours.
pub(crate) trait Scale {
    /// Lowest and highest value shown on the colour bar.
    fn range(&self) -> (f64, f64);
    /// Colour of value `v`.
    fn color(&self, v: f64) -> RGBColor;
}

/// Viridis, linear over `[lo, hi]`.
pub(crate) struct Sequential {
    pub lo: f64,
    pub hi: f64,
}

impl Scale for Sequential {
    fn range(&self) -> (f64, f64) {
        (self.lo, self.hi)
    }
    fn color(&self, v: f64) -> RGBColor {
        viridis((v - self.lo) / (self.hi - self.lo))
    }
}

/// The diverging scale with `mid` at the pale centre, each side linear on its own.
pub(crate) struct Diverging {
    pub lo: f64,
    pub mid: f64,
    pub hi: f64,
}

impl Diverging {
    /// A scale covering `[lo, hi]` and `mid`, with equal room on each side
    /// of `mid` when the data sit on one side only.
    pub(crate) fn around(lo: f64, hi: f64, mid: f64) -> Self {
        let below = (mid - lo).max(0.0);
        let above = (hi - mid).max(0.0);
        let pad = below.max(above);
        let pad = if pad > 0.0 {
            pad
        } else {
            0.1 * mid.abs().max(1.0)
        };
        Self {
            lo: if below > 0.0 { lo } else { mid - pad },
            mid,
            hi: if above > 0.0 { hi } else { mid + pad },
        }
    }
}

impl Scale for Diverging {
    fn range(&self) -> (f64, f64) {
        (self.lo, self.hi)
    }
    fn color(&self, v: f64) -> RGBColor {
        let t = if v <= self.mid {
            0.5 * (v - self.lo) / (self.mid - self.lo)
        } else {
            0.5 + 0.5 * (v - self.mid) / (self.hi - self.mid)
        };
        diverging(t)
    }
}

/// Draws a vertical colour bar for `scale` filling `area`, with ticks and
/// `label` on its right.
pub(crate) fn colorbar<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    scale: &impl Scale,
    label: &str,
    top_margin: u32,
    bottom_margin: u32,
) -> std::result::Result<(), String> {
    let e = |err: DrawingAreaErrorKind<DB::ErrorType>| err.to_string();
    let (lo, hi) = scale.range();
    let mut bar = ChartBuilder::on(area)
        .margin_top(top_margin)
        .margin_bottom(bottom_margin)
        .margin_left(8)
        .margin_right(4)
        .right_y_label_area_size(78)
        .build_cartesian_2d(0.0..1.0, lo..hi)
        .map_err(e)?;
    let steps = 120;
    let dv = (hi - lo) / f64::from(steps);
    bar.draw_series((0..steps).map(|k| {
        let v0 = lo + dv * f64::from(k);
        let c = scale.color(v0 + 0.5 * dv);
        Rectangle::new([(0.0, v0), (1.0, v0 + dv)], c.filled())
    }))
    .map_err(e)?;
    bar.configure_mesh()
        .disable_x_mesh()
        .disable_y_mesh()
        .disable_x_axis()
        .y_labels(6)
        .y_label_formatter(&tick)
        .y_desc(label)
        .label_style((FONT, 15))
        .axis_desc_style((FONT, 17))
        .draw()
        .map_err(e)?;
    bar.draw_series(std::iter::once(Rectangle::new(
        [(0.0, lo), (1.0, hi)],
        BLACK.stroke_width(1),
    )))
    .map_err(e)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_hit_their_end_colours() {
        assert_eq!(viridis(0.0), RGBColor(68, 1, 84));
        assert_eq!(viridis(1.0), RGBColor(253, 231, 37));
        assert_eq!(viridis(2.0), viridis(1.0));
        assert_eq!(viridis(f64::NAN), viridis(0.0));
        let d = Diverging::around(-0.8, 0.2, 0.0);
        assert_eq!(d.color(0.0), RGBColor(247, 247, 247));
        assert_eq!(d.color(-0.8), RGBColor(33, 102, 172));
        assert_eq!(d.color(0.2), RGBColor(178, 24, 43));
        // All data below the threshold: the bar still reaches above it.
        let d = Diverging::around(-0.8, -0.1, 0.0);
        assert_eq!(d.range(), (-0.8, 0.8));
    }
}
