//! Figures, as PNG or SVG (chosen by the file extension).
//!
//! Every figure is a value that saves itself: fill in the data (plain
//! structs with public fields, so any analysis can feed them, or
//! [`crate::figures`] from a model) and call [`Figure::save`] (default size,
//! 1200 × 750 pixels) or [`Figure::save_sized`]:
//!
//! | figure | value | made from |
//! |---|---|---|
//! | trajectory with rung bands, phases, events | [`TrajectoryPlot`] | a [`crate::sim::Trajectory`] and its [`crate::model::Model`] |
//! | phase portrait (2 actors) | [`PhasePortrait`] | a two-actor [`crate::model::Dynamics`] |
//! | stability map over two parameters | [`StabilityMap`] | a verdict or a value per cell |
//! | root locus as `γ` rises | [`RootLocus`] | eigenvalues per gain |
//! | Monte Carlo fan chart | [`FanChart`] | median and quantile bands |
//! | heat map of a probability | [`Heatmap`] | a probability per cell |
//! | bifurcation diagram | [`Bifurcation`] | branches of equilibria |
//! | calibration fits | [`PooledFitPlot`], [`RichardsonFitPlot`] | [`crate::calibrate`] fits |
//! | sensitivity indices with intervals | [`SensitivityPlot`] | a `sensitivity` report |
//! | PRIM trade-off and chosen box | [`PrimPlot`] | a `discover` report |
//! | several figures of one kind in a row | [`SideBySide`] | any of the above |
//!
//! Saving checks the data before anything is drawn or written
//! ([`Figure::check`]): empty data, lengths that disagree and non-finite
//! values give [`Error::Invalid`] naming the field.
//!
//! Text is drawn with DejaVu Sans, shipped in the repository
//! (`assets/fonts`, with its licence) and registered once, so no system font
//! library is needed.
//!
//! # Example
//!
//! ```
//! use escalation::plot::{Figure, PhasePortrait};
//! use escalation::model::Dynamics;
//!
//! let d = Dynamics::richardson(0.5, 0.4, 0.3, 0.6, 0.2, 0.1)?;
//! let portrait = PhasePortrait::new(d, (0.0, 4.0), (0.0, 4.0));
//! let dir = std::env::temp_dir().join("escalation-plot-doc");
//! std::fs::create_dir_all(&dir)?;
//! portrait.save(dir.join("phase.svg"))?;
//! portrait.save_sized(dir.join("phase.png"), (900, 600))?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod bifurcation;
mod calibration;
mod check;
mod colormap;
mod fan_chart;
mod frame;
mod geometry;
mod heatmap;
mod overlay;
mod panels;
mod phase_portrait;
mod prim;
mod root_locus;
mod rungs;
mod sensitivity;
mod stability_map;
mod style;
mod trajectory;

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

pub use bifurcation::{Bifurcation, Branch};
pub use calibration::{PooledFitPlot, RichardsonFitPlot};
pub use fan_chart::{FanChart, FanSeries, QuantileBand};
pub use geometry::{Curve, Mark};
pub use heatmap::Heatmap;
pub use panels::SideBySide;
pub use phase_portrait::{EquilibriumMark, PhasePortrait};
pub use prim::{BoxLimit, PrimPlot};
pub use root_locus::{Plane, RootLocus};
pub use sensitivity::{IndexSeries, SensitivityPlot};
pub use stability_map::{MapCells, StabilityMap};
pub use style::{HEIGHT, WIDTH};
pub use trajectory::TrajectoryPlot;

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

/// A figure: data that checks itself, draws itself on any plotters backend
/// and saves itself as PNG or SVG.
///
/// Implementors provide [`check`](Figure::check) and [`draw`](Figure::draw);
/// [`save`](Figure::save) and [`save_sized`](Figure::save_sized) check the
/// size and the data before the file is created, so invalid data never
/// leaves a half-drawn file.
pub trait Figure {
    /// Checks the data: everything [`draw`](Figure::draw) relies on.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the offending field (and index).
    fn check(&self) -> Result<()>;

    /// Draws onto `root`, on data that passed [`check`](Figure::check)
    /// (unchecked data may draw nonsense, fail, or panic on an index).
    ///
    /// # Errors
    /// The backend's error, as text.
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
    ) -> std::result::Result<(), String>;

    /// The size [`save`](Figure::save) uses, pixels (width, height):
    /// [`WIDTH`] × [`HEIGHT`] unless the figure says otherwise.
    fn default_size(&self) -> (u32, u32) {
        (WIDTH, HEIGHT)
    }

    /// Checks a size in pixels (width, height): each side 200–10 000.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the side.
    fn check_size(&self, size: (u32, u32)) -> Result<()> {
        check::size(size)
    }

    /// Saves the figure at its [default size](Figure::default_size), as PNG
    /// or SVG by the extension of `path` (`.png`, `.svg`, any case).
    ///
    /// # Errors
    /// As [`save_sized`](Figure::save_sized).
    ///
    /// # Example
    ///
    /// A run of Richardson's dyad as PNG and SVG, in the system's
    /// temporary folder:
    ///
    /// ```
    /// use escalation::prelude::*;
    /// use escalation::plot::TrajectoryPlot;
    ///
    /// let model = Model::from_dynamics(Dynamics::richardson(0.5, 0.4, 0.3, 0.6, 0.2, 0.1)?, 60.0);
    /// let run = simulate(&model, &SimOptions::default())?;
    /// let dir = std::env::temp_dir().join(format!("escalation-doc-save-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir)?;
    /// let plot = TrajectoryPlot::new(&run, &model);
    /// plot.save(dir.join("run.png"))?;
    /// plot.save(dir.join("run.svg"))?;
    /// assert!(std::fs::read(dir.join("run.png"))?.starts_with(b"\x89PNG"));
    /// // An extension that is neither .png nor .svg is refused; nothing is written.
    /// assert!(plot.save(dir.join("run.gif")).is_err());
    /// assert!(!dir.join("run.gif").exists());
    /// std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        self.save_sized(path, self.default_size())
    }

    /// Saves the figure at `size` (width, height) pixels, as PNG or SVG by
    /// the extension of `path`.
    ///
    /// # Errors
    /// [`Error::Invalid`] for an unknown extension, a size refused by
    /// [`check_size`](Figure::check_size) or data refused by
    /// [`check`](Figure::check) (nothing is written then); [`Error::Plot`]
    /// when drawing or writing fails.
    fn save_sized(&self, path: impl AsRef<Path>, size: (u32, u32)) -> Result<()> {
        let path = path.as_ref();
        let kind = Kind::from_path(path)?;
        self.check_size(size)?;
        self.check()?;
        style::register_font()?;
        let fail = |e: String| Error::Plot(format!("{}: {e}", path.display()));
        match kind {
            Kind::Svg => {
                let root = SVGBackend::new(path, size).into_drawing_area();
                self.draw(&root).map_err(fail)?;
                root.present().map_err(|e| fail(e.to_string()))
            }
            Kind::Png => {
                let root = BitMapBackend::new(path, size).into_drawing_area();
                self.draw(&root).map_err(fail)?;
                root.present().map_err(|e| fail(e.to_string()))
            }
        }
    }
}
