//! The trajectory PRIM records and the choice of a box from it.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// One box of the trajectory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrimStep {
    /// Cases of interest inside over all cases of interest.
    pub coverage: f64,
    /// Cases of interest inside over cases inside.
    pub density: f64,
    /// Cases inside over all cases.
    pub mass: f64,
    /// Cases inside.
    pub n: usize,
    /// Cases of interest inside.
    pub k: usize,
    /// `[lo, hi]` of every column (inclusive).
    pub limits: Vec<[f64; 2]>,
    /// Indices of the columns whose limits differ from the data's range.
    pub restricted: Vec<usize>,
    /// True for a step of the pasting phase.
    pub pasted: bool,
}

/// A column limit of a chosen box.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Restriction {
    /// The column's name.
    pub column: String,
    /// Lower limit (inclusive).
    pub lo: f64,
    /// Upper limit (inclusive).
    pub hi: f64,
}

/// A box picked from the trajectory, with only its restricted columns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChosenBox {
    /// Its index in the trajectory.
    pub index: usize,
    /// Coverage.
    pub coverage: f64,
    /// Density.
    pub density: f64,
    /// Mass.
    pub mass: f64,
    /// The restricted columns and their limits.
    pub restrictions: Vec<Restriction>,
}

/// The peeling and pasting trajectory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrimResult {
    /// Column names, as given.
    pub columns: Vec<String>,
    /// The boxes, from the whole data to the last pasted box.
    pub trajectory: Vec<PrimStep>,
}

impl PrimResult {
    /// The index of the densest box whose coverage is at least
    /// `min_coverage` (ties: the higher coverage, then the earlier box);
    /// [`super::DEFAULT_MIN_COVERAGE`] is a reasonable start. Peeling stops only when
    /// a peel no longer raises the density, so the last boxes are often pure
    /// but cut a little into the region of interest: a higher threshold picks
    /// an earlier, larger box.
    /// The first box (all data) has coverage 1, so one always qualifies for
    /// `min_coverage <= 1`.
    ///
    /// # Errors
    /// [`Error::Invalid`] unless `0 <= min_coverage <= 1`.
    ///
    /// # Example
    /// ```
    /// use escalation::experiments::prim::{prim, PrimOptions};
    /// let cases: Vec<Vec<f64>> = (0..100).map(|i| vec![i as f64]).collect();
    /// let hot: Vec<bool> = (0..100).map(|i| i >= 70).collect();
    /// let r = prim(&["x".into()], &cases, &hot, &PrimOptions::default()).unwrap();
    /// let i = r.select(0.9).unwrap();
    /// assert!(r.trajectory[i].coverage >= 0.9);
    /// assert_eq!(r.select(0.0).unwrap(), r.select(1e-9).unwrap());
    /// ```
    pub fn select(&self, min_coverage: f64) -> Result<usize> {
        if !(0.0..=1.0).contains(&min_coverage) {
            return Err(Error::invalid(
                "min_coverage",
                format!("a coverage threshold lies in [0, 1], got {min_coverage}"),
            ));
        }
        let mut best = 0;
        for (i, s) in self.trajectory.iter().enumerate() {
            let b = &self.trajectory[best];
            if s.coverage >= min_coverage
                && (s.density > b.density || (s.density == b.density && s.coverage > b.coverage))
            {
                best = i;
            }
        }
        Ok(best)
    }

    /// Box `index` of the trajectory with its restricted columns only.
    ///
    /// # Errors
    /// [`Error::Invalid`] for an index past the trajectory.
    ///
    /// # Example
    /// ```
    /// use escalation::experiments::prim::{prim, PrimOptions};
    /// let cases: Vec<Vec<f64>> = (0..100).map(|i| vec![i as f64, 0.5]).collect();
    /// let hot: Vec<bool> = (0..100).map(|i| i < 30).collect();
    /// let r = prim(&["x".into(), "y".into()], &cases, &hot, &PrimOptions::default()).unwrap();
    /// let last = r.chosen(r.trajectory.len() - 1).unwrap();
    /// // Only the restricted column is reported; the last peel cut at 28.5,
    /// // one case inside the region of interest (x < 30).
    /// assert_eq!(last.restrictions.len(), 1);
    /// assert_eq!((last.restrictions[0].column.as_str(), last.restrictions[0].hi), ("x", 28.5));
    /// assert!(r.chosen(r.trajectory.len()).is_err());
    /// ```
    pub fn chosen(&self, index: usize) -> Result<ChosenBox> {
        let s = self.trajectory.get(index).ok_or_else(|| {
            Error::invalid(
                "index",
                format!(
                    "the trajectory has {} boxes, got index {index}",
                    self.trajectory.len()
                ),
            )
        })?;
        Ok(ChosenBox {
            index,
            coverage: s.coverage,
            density: s.density,
            mass: s.mass,
            restrictions: s
                .restricted
                .iter()
                .map(|&j| Restriction {
                    column: self.columns[j].clone(),
                    lo: s.limits[j][0],
                    hi: s.limits[j][1],
                })
                .collect(),
        })
    }
}
