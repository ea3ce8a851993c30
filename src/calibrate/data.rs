//! Yearly series from CSV: a `year` column, then one column per series.
//!
//! Lines starting with `#` are comments; those before the header are kept as
//! [`Series::notes`] (the data's source line). Every problem is reported as
//! [`Error::Data`] with the file and line.

use std::path::{Path, PathBuf};

use crate::error::{Error, Location, Result};

/// Observed yearly series: `values[c][k]` is column `c` in `years[k]`.
///
/// Years are consecutive integers in increasing order; every value is finite.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// The file read, if any.
    pub file: Option<PathBuf>,
    /// Comment lines before the header, without the `#` (the source line).
    pub notes: Vec<String>,
    /// Observation years, consecutive and increasing.
    pub years: Vec<i32>,
    /// Column names after `year`, in file order.
    pub columns: Vec<String>,
    /// `values[c][k]`: column `c` in `years[k]`, in the data's units.
    pub values: Vec<Vec<f64>>,
}

fn located(file: Option<&Path>, line: Option<usize>, message: impl Into<String>) -> Error {
    Error::Data {
        location: Location {
            file: Some(file.map_or_else(|| "CSV data".into(), Path::to_path_buf)),
            line,
            column: None,
        },
        message: message.into(),
    }
}

impl Series {
    /// Reads a CSV file.
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be read or is larger than
    /// [`crate::output::MAX_DATA_BYTES`]; otherwise as [`Series::parse`].
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let text = crate::output::read_capped(path, crate::output::MAX_DATA_BYTES, "data file")?;
        Self::parse(&text, Some(path))
    }

    /// Parses CSV text; `file` is only used in error messages.
    ///
    /// The header's first column must be `year` (any case); the other
    /// column names must be distinct and non-empty. Cells may be quoted and
    /// are trimmed.
    ///
    /// # Errors
    /// [`Error::Data`] naming the line for: no header or no data rows, a
    /// row with the wrong number of cells, a year that is not an integer, a
    /// missing year (a gap), years out of order or repeated, an empty cell,
    /// a cell that is not a finite number.
    ///
    /// # Example
    ///
    /// ```
    /// use escalation::calibrate::Series;
    /// let s = Series::parse("# source: made up\nyear,A\n1990,1\n1991,2.5\n", None).unwrap();
    /// assert_eq!(s.notes, ["source: made up"]);
    /// assert_eq!(s.years, [1990, 1991]);
    /// assert_eq!(s.values[0], [1.0, 2.5]);
    /// assert!(Series::parse("year,A\n1990,1\n1992,2\n", None).is_err()); // 1991 missing
    /// ```
    pub fn parse(text: &str, file: Option<&Path>) -> Result<Self> {
        let notes = text
            .lines()
            .map(str::trim)
            .take_while(|l| l.is_empty() || l.starts_with('#'))
            .filter_map(|l| l.strip_prefix('#'))
            .map(|l| l.trim().to_string())
            .collect();
        let err = |line: Option<usize>, m: String| located(file, line, m);
        // One record per physical line, so that every message names the
        // right line (quoted cells may not span lines).
        let mut records = text.lines().enumerate().filter_map(|(k, l)| {
            let t = l.trim();
            (!t.is_empty() && !t.starts_with('#')).then(|| (k + 1, record(l, file, k + 1)))
        });

        let (hline, header) = match records.next() {
            None => return Err(err(None, "no header: expected `year,NAME,...`".into())),
            Some((line, r)) => (Some(line), r?),
        };
        if header.get(0).map(str::to_ascii_lowercase).as_deref() != Some("year") {
            return Err(err(
                hline,
                format!(
                    "the first column of the header must be `year`, got `{}`",
                    header.get(0).unwrap_or("")
                ),
            ));
        }
        let columns: Vec<String> = header.iter().skip(1).map(str::to_string).collect();
        if columns.is_empty() {
            return Err(err(hline, "no data columns after `year`".into()));
        }
        for (c, name) in columns.iter().enumerate() {
            if name.is_empty() {
                return Err(err(hline, format!("column {} has no name", c + 2)));
            }
            if columns[..c].contains(name) {
                return Err(err(hline, format!("column `{name}` appears twice")));
            }
        }

        let mut years: Vec<i32> = Vec::new();
        let mut values = vec![Vec::new(); columns.len()];
        let mut prev_line = hline;
        for (line, record) in records {
            let record = record?;
            let line = Some(line);
            if record.len() != columns.len() + 1 {
                return Err(err(
                    line,
                    format!(
                        "expected {} cells (year and {} columns), found {}",
                        columns.len() + 1,
                        columns.len(),
                        record.len()
                    ),
                ));
            }
            let cell = record.get(0).unwrap_or("");
            let year: i32 = cell
                .parse()
                .map_err(|_| err(line, format!("year `{cell}` is not an integer")))?;
            if let Some(&last) = years.last() {
                if year <= last {
                    return Err(err(
                        line,
                        format!("year {year} comes after {last}: years must increase"),
                    ));
                }
                if year != last + 1 {
                    let missing = if year == last + 2 {
                        format!("{}", last + 1)
                    } else {
                        format!("{}–{}", last + 1, year - 1)
                    };
                    return Err(err(
                        line,
                        format!(
                            "missing year {missing} (between line {} and this one): \
                             the series must be yearly without gaps",
                            prev_line.map_or_else(|| "?".into(), |l| l.to_string())
                        ),
                    ));
                }
            }
            for (c, name) in columns.iter().enumerate() {
                let cell = record.get(c + 1).unwrap_or("");
                values[c].push(
                    number(cell)
                        .map_err(|why| err(line, format!("column `{name}` ({year}): {why}")))?,
                );
            }
            years.push(year);
            prev_line = line;
        }
        if years.is_empty() {
            return Err(err(hline, "no data rows after the header".into()));
        }
        Ok(Self {
            file: file.map(Path::to_path_buf),
            notes,
            years,
            columns,
            values,
        })
    }

    /// Number of years.
    #[must_use]
    pub fn len(&self) -> usize {
        self.years.len()
    }

    /// True when there is no year (never, for a parsed series).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.years.is_empty()
    }

    /// The values of column `name`, if present.
    #[must_use]
    pub fn column(&self, name: &str) -> Option<&[f64]> {
        self.columns
            .iter()
            .position(|c| c == name)
            .map(|c| self.values[c].as_slice())
    }
}

fn number(cell: &str) -> std::result::Result<f64, String> {
    if cell.is_empty() {
        return Err("the cell is empty (missing value)".into());
    }
    match cell.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(_) => Err(format!("`{cell}` is not a finite number")),
        Err(_) => Err(format!("`{cell}` is not a number")),
    }
}

/// Splits one line into trimmed cells.
fn record(line: &str, file: Option<&Path>, number: usize) -> Result<csv::StringRecord> {
    // Most lines have no quotes: split them directly (a CSV reader per
    // line costs tens of microseconds, minutes for a million rows).
    if !line.contains('"') {
        return Ok(line.split(',').map(str::trim).collect());
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(line.as_bytes());
    match reader.records().next() {
        Some(Ok(r)) => Ok(r),
        Some(Err(e)) => Err(located(file, Some(number), format!("cannot read CSV: {e}"))),
        None => Ok(csv::StringRecord::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line_of(e: &Error) -> Option<usize> {
        match e {
            Error::Data { location, .. } => location.line,
            _ => None,
        }
    }

    #[test]
    fn line_numbers_count_comments() {
        let text = "# source\nyear,A,B\n2000,1,2\n# note\n2001,x,3\n";
        let e = Series::parse(text, None).unwrap_err();
        assert_eq!(line_of(&e), Some(5), "{e}");
        assert!(e.to_string().contains("`x` is not a number"), "{e}");
    }

    #[test]
    fn quoted_and_spaced_cells() {
        let s = Series::parse("Year,\"A\" , B\n2000, 1 ,\"2.5\"\n2001,2,3\n", None).unwrap();
        assert_eq!(s.columns, ["A", "B"]);
        assert_eq!(s.values[1], [2.5, 3.0]);
    }

    #[test]
    fn rejects_malformed_tables() {
        for (text, what) in [
            ("", "no header"),
            ("when,A\n2000,1\n", "must be `year`"),
            ("year\n2000\n", "no data columns"),
            ("year,A,A\n2000,1,2\n", "appears twice"),
            ("year,A\n", "no data rows"),
            ("year,A\n2000,1,2\n", "expected 2 cells"),
            ("year,A\n2000.5,1\n", "not an integer"),
            ("year,A\n2001,1\n2000,2\n", "must increase"),
            ("year,A\n2000,1\n2000,2\n", "must increase"),
            ("year,A\n2000,1\n2003,2\n", "missing year 2001–2002"),
            ("year,A\n2000,\n", "empty"),
            ("year,A\n2000,NaN\n", "not a finite number"),
            ("year,A\n2000,inf\n", "not a finite number"),
        ] {
            let e = Series::parse(text, Some(Path::new("d.csv"))).unwrap_err();
            assert!(matches!(e, Error::Data { .. }), "{text:?}: {e}");
            assert!(e.to_string().contains(what), "{text:?}: {e}");
            assert!(e.to_string().contains("d.csv"), "{e}");
        }
    }
}
