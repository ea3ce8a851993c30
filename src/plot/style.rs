//! Shared look: font, palette, sizes, tick labels.

use std::sync::OnceLock;

use plotters::style::{FontStyle, RGBColor};

use crate::error::{Error, Result};

/// Default figure width, pixels.
pub const WIDTH: u32 = 1200;
/// Default figure height, pixels.
pub const HEIGHT: u32 = 750;

/// The font family name every figure uses.
pub const FONT: &str = "sans-serif";

static FONT_BYTES: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// Registers the shipped DejaVu Sans as `sans-serif` (once per process).
pub(crate) fn register_font() -> Result<()> {
    static DONE: OnceLock<bool> = OnceLock::new();
    let ok = *DONE.get_or_init(|| {
        plotters::style::register_font(FONT, FontStyle::Normal, FONT_BYTES).is_ok()
            & plotters::style::register_font(FONT, FontStyle::Bold, FONT_BYTES).is_ok()
    });
    if ok {
        Ok(())
    } else {
        Err(Error::Plot("the shipped font could not be loaded".into()))
    }
}

/// A colour-blind-safe palette (Okabe–Ito), one colour per actor.
pub(crate) const PALETTE: [RGBColor; 8] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(0, 0, 0),
    RGBColor(240, 228, 66),
];

/// Colour of series `i`.
pub(crate) fn color(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// A tick label: at most six decimals, trailing zeros dropped, no "-0"
/// (plotters puts ticks at 1, 2 or 5 times a power of ten).
pub(crate) fn tick(v: &f64) -> String {
    let s = format!("{v:.6}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s.as_str()
    };
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_short_and_never_negative_zero() {
        assert_eq!(tick(&-0.0), "0");
        assert_eq!(tick(&-1e-9), "0");
        assert_eq!(tick(&0.30000000000000004), "0.3");
        assert_eq!(tick(&10.0), "10");
        assert_eq!(tick(&-2.5), "-2.5");
        assert_eq!(tick(&12000.0), "12000");
    }
}
