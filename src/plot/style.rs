//! Shared look: font, palette, sizes.

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
