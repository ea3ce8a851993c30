//! Input validation shared by the figures: every problem becomes an
//! [`Error::Invalid`] naming the field, never a panic or a silent NaN.

use crate::error::{Error, Result, num};

/// Smallest and largest accepted figure side, pixels.
const MIN_SIDE: u32 = 200;
const MAX_SIDE: u32 = 10_000;

/// Checks a figure size in pixels.
pub(crate) fn size(size: (u32, u32)) -> Result<()> {
    for (name, v) in [("width", size.0), ("height", size.1)] {
        if !(MIN_SIDE..=MAX_SIDE).contains(&v) {
            return Err(Error::invalid(
                format!("plot {name}"),
                format!("must be between {MIN_SIDE} and {MAX_SIDE} pixels, got {v}"),
            ));
        }
    }
    Ok(())
}

/// `v` must be finite.
pub(crate) fn finite(key: &str, v: f64) -> Result<()> {
    if v.is_finite() {
        Ok(())
    } else {
        Err(Error::invalid(
            key,
            format!("must be finite, got {}", num(v)),
        ))
    }
}

/// Every value must be finite; the error names the first bad index.
pub(crate) fn all_finite(key: &str, vs: &[f64]) -> Result<()> {
    match vs.iter().position(|v| !v.is_finite()) {
        None => Ok(()),
        Some(i) => Err(Error::invalid(
            format!("{key}[{i}]"),
            format!("must be finite, got {}", num(vs[i])),
        )),
    }
}

/// Every point must have finite coordinates.
pub(crate) fn points_finite(key: &str, ps: &[(f64, f64)]) -> Result<()> {
    match ps.iter().position(|p| !p.0.is_finite() || !p.1.is_finite()) {
        None => Ok(()),
        Some(i) => Err(Error::invalid(
            format!("{key}[{i}]"),
            format!("must be finite, got ({}, {})", num(ps[i].0), num(ps[i].1)),
        )),
    }
}

/// Not empty.
pub(crate) fn non_empty<T>(key: &str, vs: &[T]) -> Result<()> {
    if vs.is_empty() {
        Err(Error::invalid(key, "must not be empty"))
    } else {
        Ok(())
    }
}

/// `got` items where `want` are expected.
pub(crate) fn same_len(key: &str, got: usize, want: usize, of: &str) -> Result<()> {
    if got == want {
        Ok(())
    } else {
        Err(Error::invalid(
            key,
            format!("has {got} values but {of} has {want}"),
        ))
    }
}

/// At least `min` finite, strictly increasing values.
pub(crate) fn increasing(key: &str, vs: &[f64], min: usize) -> Result<()> {
    if vs.len() < min {
        return Err(Error::invalid(
            key,
            format!("needs at least {min} values, got {}", vs.len()),
        ));
    }
    all_finite(key, vs)?;
    match vs.windows(2).position(|w| w[1] <= w[0]) {
        None => Ok(()),
        Some(i) => Err(Error::invalid(
            format!("{key}[{}]", i + 1),
            format!(
                "values must strictly increase: {} after {}",
                vs[i + 1],
                vs[i]
            ),
        )),
    }
}

/// A finite interval with `lo < hi`.
pub(crate) fn range(key: &str, r: (f64, f64)) -> Result<()> {
    if !r.0.is_finite() || !r.1.is_finite() || r.0 >= r.1 {
        return Err(Error::invalid(
            key,
            format!(
                "must be a finite interval with lower < upper, got ({}, {})",
                r.0, r.1
            ),
        ));
    }
    Ok(())
}

/// A grid of `ny` rows of `nx` values.
pub(crate) fn grid_shape<T>(key: &str, rows: &[Vec<T>], nx: usize, ny: usize) -> Result<()> {
    if rows.len() != ny {
        return Err(Error::invalid(
            key,
            format!("needs one row per y value ({ny} rows), got {}", rows.len()),
        ));
    }
    for (j, row) in rows.iter().enumerate() {
        if row.len() != nx {
            return Err(Error::invalid(
                format!("{key}[{j}]"),
                format!("needs one value per x value ({nx}), got {}", row.len()),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_offending_entry() {
        let e = all_finite("median", &[1.0, f64::NAN]).unwrap_err();
        assert!(e.to_string().contains("median[1]"), "{e}");
        let e = increasing("t", &[0.0, 1.0, 1.0], 2).unwrap_err();
        assert!(e.to_string().contains("t[2]"), "{e}");
        assert!(increasing("t", &[0.0], 2).is_err());
        assert!(range("x_range", (1.0, 1.0)).is_err());
        assert!(range("x_range", (0.0, f64::INFINITY)).is_err());
        assert!(grid_shape("values", &[vec![1.0, 2.0], vec![3.0]], 2, 2).is_err());
        assert!(grid_shape("values", &[vec![1.0, 2.0]], 2, 2).is_err());
        assert!(size((100, 700)).is_err());
        assert!(size((1000, 620)).is_ok());
        assert!(same_len("lower", 3, 4, "t").is_err());
        assert!(non_empty::<f64>("gains", &[]).is_err());
    }
}
