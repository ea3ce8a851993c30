//! Several figures of one kind side by side in one picture.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::style::{HEIGHT, WIDTH};
use super::{Figure, check};
use crate::error::{Error, Result};

/// Figures drawn left to right in one picture, each in an equal share of
/// the width, each with its own title, axes and legend.
///
/// Its [default size](Figure::default_size) gives each panel 1200 × 750
/// pixels; [`Figure::save_sized`] takes the size of the whole picture.
/// Saving it checks every panel first ([`Figure::check`]): [`Error::Invalid`]
/// for no panels or a panel whose data are invalid, and for a picture
/// whose panels would be less than 200 pixels wide or which is more than
/// 10 000 pixels wide or high.
///
/// # Example
///
/// ```
/// use escalation::figures;
/// use escalation::model::{Dynamics, Model};
/// use escalation::plot::{Figure, SideBySide};
///
/// let calm = Model::from_dynamics(Dynamics::richardson(0.5, 0.4, 0.3, 0.6, 0.02, 0.01)?, 100.0);
/// let wild = Model::from_dynamics(Dynamics::richardson(0.5, 0.4, 0.6, 0.6, 0.02, 0.01)?, 100.0);
/// let panels = [figures::phase_portrait(&calm)?, figures::phase_portrait(&wild)?];
/// let path = std::env::temp_dir().join("escalation-doc-portraits.png");
/// SideBySide::new(&panels).save_sized(&path, (1800, 750))?;
/// # Ok::<(), escalation::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct SideBySide<'a, F> {
    /// The panels, left to right.
    pub panels: &'a [F],
}

impl<'a, F: Figure> SideBySide<'a, F> {
    /// `panels` in a row, left to right.
    #[must_use]
    pub fn new(panels: &'a [F]) -> Self {
        Self { panels }
    }

    /// The number of panels, at least 1 (for dividing a width).
    fn count(&self) -> u32 {
        u32::try_from(self.panels.len()).unwrap_or(u32::MAX).max(1)
    }
}

impl<F: Figure> Figure for SideBySide<'_, F> {
    fn check(&self) -> Result<()> {
        if self.panels.is_empty() {
            return Err(Error::invalid("panels", "need at least one figure"));
        }
        self.panels.iter().try_for_each(Figure::check)
    }

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

    /// [`WIDTH`] × [`HEIGHT`] per panel.
    fn default_size(&self) -> (u32, u32) {
        (WIDTH.saturating_mul(self.count()), HEIGHT)
    }

    /// The whole picture within 200–10 000 pixels a side, and each panel at
    /// least 200 pixels wide.
    fn check_size(&self, size: (u32, u32)) -> Result<()> {
        check::size(size)?;
        let panel = size.0 / self.count();
        if panel < 200 {
            return Err(Error::invalid(
                "panel width",
                format!(
                    "must be at least 200 pixels: {} pixels for {} panels is {panel} each",
                    size.0,
                    self.panels.len()
                ),
            ));
        }
        Ok(())
    }
}
