//! Several figures of one kind side by side in one picture.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::error::{Error, Result};
use crate::plot::{Figure, render};

/// Panels drawn left to right, each in an equal share of the width.
struct Row<'a, F> {
    panels: &'a [F],
}

impl<F: Figure> Figure for Row<'_, F> {
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
    ) -> std::result::Result<(), String> {
        let areas = root.split_evenly((1, self.panels.len()));
        for (panel, area) in self.panels.iter().zip(&areas) {
            panel.draw(area)?;
        }
        Ok(())
    }
}

/// Draws `panels` side by side into one PNG or SVG (by the extension of
/// `path`), each `panel_size` (width, height) pixels, so the picture is
/// `panels.len()` times as wide. Each panel keeps its own title, axes and
/// legend, and is checked as its plot function checks it.
///
/// # Errors
/// [`Error::Invalid`] for no panels, a panel size outside 200–10 000
/// pixels or a total width above 10 000; [`Error::Plot`] when a panel's
/// input is invalid or drawing fails.
///
/// # Example
///
/// ```no_run
/// use escalation::figures;
/// use escalation::model::{Dynamics, Model};
///
/// let calm = Model::from_dynamics(Dynamics::richardson(0.5, 0.4, 0.3, 0.6, 0.02, 0.01)?, 100.0);
/// let wild = Model::from_dynamics(Dynamics::richardson(0.5, 0.4, 0.6, 0.6, 0.02, 0.01)?, 100.0);
/// let panels = [figures::phase_portrait(&calm)?, figures::phase_portrait(&wild)?];
/// figures::side_by_side("portraits.png".as_ref(), &panels, (900, 750))?;
/// # Ok::<(), escalation::Error>(())
/// ```
pub fn side_by_side<F: Figure>(path: &Path, panels: &[F], panel_size: (u32, u32)) -> Result<()> {
    if panels.is_empty() {
        return Err(Error::invalid("panels", "need at least one figure"));
    }
    let count = u32::try_from(panels.len()).unwrap_or(u32::MAX);
    let width = panel_size.0.saturating_mul(count);
    for (key, v) in [
        ("panel width", panel_size.0),
        ("panel height", panel_size.1),
    ] {
        if !(200..=10_000).contains(&v) {
            return Err(Error::invalid(
                key,
                format!("must be 200–10 000 pixels, got {v}"),
            ));
        }
    }
    if width > 10_000 {
        return Err(Error::invalid(
            "panels",
            format!(
                "{} panels of {} pixels are wider than 10 000 pixels",
                panels.len(),
                panel_size.0
            ),
        ));
    }
    render(path, (width, panel_size.1), &Row { panels })
}
