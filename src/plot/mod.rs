//! Figures, as PNG or SVG (chosen by the file extension).
//!
//! Text is drawn with DejaVu Sans, shipped in the repository
//! (`assets/fonts`, with its licence) and registered once, so no system font
//! library is needed.

mod calibration;
mod style;
mod trajectory;

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

pub use calibration::{calibration, calibration_groups};
pub use style::{HEIGHT, WIDTH};
pub use trajectory::trajectory;

use crate::error::{Error, Result};

/// Output kind, from the file extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Raster image.
    Png,
    /// Vector image.
    Svg,
}

impl Kind {
    /// `Svg` for `.svg`, `Png` for `.png`.
    ///
    /// # Errors
    /// [`Error::Invalid`] for any other extension.
    pub fn from_path(path: &Path) -> Result<Self> {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
        {
            Some(e) if e == "svg" => Ok(Kind::Svg),
            Some(e) if e == "png" => Ok(Kind::Png),
            _ => Err(Error::invalid(
                "plot file",
                format!("{}: the extension must be .png or .svg", path.display()),
            )),
        }
    }
}

/// A figure that can draw itself on any plotters backend.
pub trait Figure {
    /// Draws onto `root`; errors are returned as text.
    ///
    /// # Errors
    /// The backend's error, as text.
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
    ) -> std::result::Result<(), String>;
}

/// Renders `figure` to a PNG or SVG file of `size` pixels at `path`.
///
/// # Errors
/// [`Error::Invalid`] for an unknown extension, [`Error::Plot`] when drawing
/// or writing fails.
pub fn render(path: &Path, size: (u32, u32), figure: &impl Figure) -> Result<()> {
    style::register_font()?;
    let kind = Kind::from_path(path)?;
    let fail = |e: String| Error::Plot(format!("{}: {e}", path.display()));
    match kind {
        Kind::Svg => {
            let root = SVGBackend::new(path, size).into_drawing_area();
            figure.draw(&root).map_err(fail)?;
            root.present().map_err(|e| fail(e.to_string()))?;
        }
        Kind::Png => {
            let root = BitMapBackend::new(path, size).into_drawing_area();
            figure.draw(&root).map_err(fail)?;
            root.present().map_err(|e| fail(e.to_string()))?;
        }
    }
    Ok(())
}
