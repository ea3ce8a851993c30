//! Figures, as PNG or SVG (chosen by the file extension).
//!
//! One function per figure kind, each taking plain data (so any analysis can
//! feed it) and a path; `*_sized` variants take the size in pixels:
//!
//! | figure | function | input |
//! |---|---|---|
//! | trajectory with rung bands, phases, events | [`trajectory`] | [`crate::sim::Trajectory`] + [`crate::model::Model`] |
//! | phase portrait (2 actors) | [`phase_portrait`] | [`PhasePortrait`] |
//! | stability map over two parameters | [`stability_map`] | [`StabilityMap`] |
//! | root locus as `γ` rises | [`root_locus`] | [`RootLocus`] |
//! | Monte Carlo fan chart | [`fan_chart`] | [`FanChart`] |
//! | heat map of a probability | [`heatmap`] | [`Heatmap`] |
//! | bifurcation diagram | [`bifurcation`] | [`Bifurcation`] |
//! | calibration fits | [`calibration`], [`calibration_groups`] | [`crate::calibrate`] fits |
//!
//! Inputs are validated before anything is drawn: empty data, lengths that
//! disagree and non-finite values give [`Error::Invalid`] naming the field.
//!
//! Text is drawn with DejaVu Sans, shipped in the repository
//! (`assets/fonts`, with its licence) and registered once, so no system font
//! library is needed.

mod bifurcation;
mod calibration;
mod check;
mod colormap;
mod fan_chart;
mod frame;
mod geometry;
mod heatmap;
mod overlay;
mod phase_portrait;
mod root_locus;
mod rungs;
mod stability_map;
mod style;
mod trajectory;

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

pub use bifurcation::{Bifurcation, Branch, bifurcation, bifurcation_sized};
pub use calibration::{calibration, calibration_groups};
pub use fan_chart::{FanChart, FanSeries, QuantileBand, fan_chart, fan_chart_sized};
pub use geometry::{Curve, Mark};
pub use heatmap::{Heatmap, heatmap, heatmap_sized};
pub use phase_portrait::{EquilibriumMark, PhasePortrait, phase_portrait, phase_portrait_sized};
pub use root_locus::{Plane, RootLocus, root_locus, root_locus_sized};
pub use stability_map::{MapCells, StabilityMap, stability_map, stability_map_sized};
pub use style::{HEIGHT, WIDTH};
pub use trajectory::{trajectory, trajectory_sized};

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
