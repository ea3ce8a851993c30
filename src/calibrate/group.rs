//! Groups of columns (alliances): `NAME=COL+COL`, summed year by year.

use std::path::PathBuf;
use std::str::FromStr;

use nalgebra::DMatrix;

use super::Series;
use crate::error::{Error, Invalid, Result};

/// A named sum of data columns, e.g. `Entente=France+Russia`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// The group's name.
    pub name: String,
    /// The columns summed, at least one.
    pub columns: Vec<String>,
}

impl Group {
    /// A group of `columns` called `name`.
    pub fn new(
        name: impl Into<String>,
        columns: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        Self {
            name: name.into(),
            columns: columns.into_iter().map(Into::into).collect(),
        }
    }

    /// The default grouping: every data column is its own group.
    #[must_use]
    pub fn each_column(series: &Series) -> Vec<Group> {
        series
            .columns
            .iter()
            .map(|c| Group::new(c.clone(), [c.clone()]))
            .collect()
    }

    /// Parses `NAME=COL+COL+...` (spaces around names are ignored).
    ///
    /// # Errors
    /// [`Error::Invalid`] (key `group`) without `=`, with an empty name or
    /// an empty column name.
    ///
    /// # Example
    ///
    /// ```
    /// use escalation::calibrate::Group;
    /// let g: Group = "Entente=France+Russia".parse().unwrap();
    /// assert_eq!(g.name, "Entente");
    /// assert_eq!(g.columns, ["France", "Russia"]);
    /// ```
    pub fn parse(spec: &str) -> Result<Self> {
        let bad = |why: &str| Error::from(Invalid::new("group", why).value(spec));
        let (name, cols) = spec
            .split_once('=')
            .ok_or_else(|| bad("expected NAME=COLUMN+COLUMN"))?;
        let name = name.trim();
        if name.is_empty() {
            return Err(bad("the group has no name"));
        }
        let columns: Vec<String> = cols.split('+').map(|c| c.trim().to_string()).collect();
        if columns.iter().any(String::is_empty) {
            return Err(bad("a column name is empty"));
        }
        Ok(Self::new(name, columns))
    }
}

impl FromStr for Group {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Group::parse(s)
    }
}

/// Yearly levels of each group: what the fits consume.
#[derive(Debug, Clone, PartialEq)]
pub struct Grouped {
    /// The file the data came from (for error messages).
    pub file: Option<PathBuf>,
    /// Comment lines of the data file (its source).
    pub notes: Vec<String>,
    /// Consecutive years.
    pub years: Vec<i32>,
    /// The groups, in the order given.
    pub groups: Vec<Group>,
    /// `levels[(k, i)]`: group `i` in `years[k]`, the data's units.
    pub levels: DMatrix<f64>,
}

impl Series {
    /// Sums the columns of each group year by year.
    ///
    /// # Errors
    /// [`Error::Invalid`] (key `group`) when there is no group, a group
    /// names an unknown column, a column is in two groups or a group name
    /// repeats.
    pub fn grouped(&self, groups: &[Group]) -> Result<Grouped> {
        if groups.is_empty() {
            return Err(Error::invalid("group", "at least one group is needed"));
        }
        let mut levels = DMatrix::zeros(self.len(), groups.len());
        let mut owner: Vec<Option<&str>> = vec![None; self.columns.len()];
        for (i, g) in groups.iter().enumerate() {
            let spec = || format!("{}={}", g.name, g.columns.join("+"));
            if groups[..i].iter().any(|h| h.name == g.name) {
                return Err(Invalid::new(
                    "group",
                    format!("the group name `{}` is used twice", g.name),
                )
                .value(spec())
                .into());
            }
            if g.columns.is_empty() {
                return Err(Invalid::new("group", "the group has no column")
                    .value(spec())
                    .into());
            }
            for col in &g.columns {
                let c = self.columns.iter().position(|n| n == col).ok_or_else(|| {
                    Error::from(
                        Invalid::new(
                            "group",
                            format!(
                                "unknown column `{col}`; the data has: {}",
                                self.columns.join(", ")
                            ),
                        )
                        .value(spec()),
                    )
                })?;
                if let Some(other) = owner[c] {
                    return Err(Invalid::new(
                        "group",
                        format!("column `{col}` is already in group `{other}`"),
                    )
                    .value(spec())
                    .into());
                }
                owner[c] = Some(&g.name);
                for k in 0..self.len() {
                    levels[(k, i)] += self.values[c][k];
                }
            }
        }
        Ok(Grouped {
            file: self.file.clone(),
            notes: self.notes.clone(),
            years: self.years.clone(),
            groups: groups.to_vec(),
            levels,
        })
    }
}

impl Grouped {
    /// Checks that the fields agree (they are public, so a hand-built value
    /// may not): one row per year, one column per group, consecutive years,
    /// finite levels.
    ///
    /// # Errors
    /// [`Error::Invalid`] (key `data`) naming the first problem.
    pub fn check(&self) -> Result<()> {
        let bad = |why: String| Err(Error::invalid("data", why));
        if self.years.is_empty() {
            return bad("no years".into());
        }
        if self.levels.shape() != (self.years.len(), self.groups.len()) {
            return bad(format!(
                "levels are {}×{} but there are {} years and {} groups",
                self.levels.nrows(),
                self.levels.ncols(),
                self.years.len(),
                self.groups.len()
            ));
        }
        if let Some(w) = self.years.windows(2).find(|w| w[1] != w[0] + 1) {
            return bad(format!("years {} and {} are not consecutive", w[0], w[1]));
        }
        if self.levels.iter().any(|v| !v.is_finite()) {
            return bad("a level is not a finite number".into());
        }
        Ok(())
    }

    /// Number of groups.
    #[must_use]
    pub fn n(&self) -> usize {
        self.groups.len()
    }

    /// Group names, in order.
    #[must_use]
    pub fn names(&self) -> Vec<String> {
        self.groups.iter().map(|g| g.name.clone()).collect()
    }

    /// Every column summed into one series, per year.
    #[must_use]
    pub fn total(&self) -> Vec<f64> {
        self.levels.row_iter().map(|r| r.sum()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_specs() {
        assert!(Group::parse("A=x+y").is_ok());
        for bad in ["Axy", "=x", "A=", "A=x++y"] {
            assert!(matches!(Group::parse(bad), Err(Error::Invalid(_))), "{bad}");
        }
    }

    #[test]
    fn sums_and_rejects() {
        let s = Series::parse("year,a,b,c\n1,1,2,4\n2,10,20,40\n", None).unwrap();
        let g = s
            .grouped(&[Group::parse("P=a+c").unwrap(), Group::parse("Q=b").unwrap()])
            .unwrap();
        assert_eq!(g.levels.column(0).as_slice(), [5.0, 50.0]);
        assert_eq!(g.total(), [7.0, 70.0]);
        for specs in [vec!["P=a+z"], vec!["P=a", "Q=a"], vec!["P=a", "P=b"]] {
            let groups: Vec<Group> = specs.iter().map(|s| s.parse().unwrap()).collect();
            let e = s.grouped(&groups).unwrap_err();
            assert!(matches!(e, Error::Invalid(_)), "{e}");
        }
        assert!(s.grouped(&[]).is_err());
    }

    #[test]
    fn check_catches_hand_built_data() {
        let s = Series::parse("year,a,b\n1,1,2\n2,10,20\n3,4,5\n", None).unwrap();
        let good = s.grouped(&Group::each_column(&s)).unwrap();
        assert!(good.check().is_ok());
        let mut gap = good.clone();
        gap.years[2] = 5;
        let mut shape = good.clone();
        shape.years.pop();
        let mut nan = good.clone();
        nan.levels[(0, 0)] = f64::NAN;
        let mut empty = good;
        empty.years.clear();
        for bad in [gap, shape, nan, empty] {
            assert!(matches!(bad.check(), Err(Error::Invalid(_))), "{bad:?}");
        }
    }
}
