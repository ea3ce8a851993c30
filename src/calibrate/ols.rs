//! Ordinary least squares with several responses sharing one design matrix,
//! solved by SVD after scaling the columns, with a rank check.

use nalgebra::{DMatrix, SVD};

/// Columns whose scaled singular values fall below this fraction of the
/// largest are taken as linearly dependent.
pub(crate) const RANK_TOL: f64 = 1e-10;

/// Why a least-squares problem has no unique answer.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum OlsError {
    /// Fewer rows than unknowns.
    TooFew { rows: usize, unknowns: usize },
    /// Linearly dependent columns: `ratio` = smallest / largest singular value.
    Singular { ratio: f64 },
    /// The SVD did not converge.
    NoConvergence,
}

/// A solved problem `Y ≈ X B`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Ols {
    /// `p × m` coefficients: column `i` for response `i`.
    pub coef: DMatrix<f64>,
    /// `n × m` fitted values.
    pub fitted: DMatrix<f64>,
    /// `n × m` residuals `Y - X B`.
    pub residuals: DMatrix<f64>,
    /// `p × n` pseudo-inverse of `X` (reused by the residual bootstrap).
    pub pinv: DMatrix<f64>,
    /// Leverage `h_kk` of each row.
    pub leverage: Vec<f64>,
}

/// Solves `min ‖Y - X B‖` column by column.
pub(crate) fn solve(x: &DMatrix<f64>, y: &DMatrix<f64>) -> Result<Ols, OlsError> {
    let (n, p) = x.shape();
    if n < p {
        return Err(OlsError::TooFew {
            rows: n,
            unknowns: p,
        });
    }
    // Scale columns to unit norm so that the rank test does not depend on
    // units (a level in the hundred thousands against an intercept of 1).
    let norms: Vec<f64> = x.column_iter().map(|c| c.norm()).collect();
    if norms.iter().any(|&s| s == 0.0 || !s.is_finite()) {
        return Err(OlsError::Singular { ratio: 0.0 });
    }
    let mut xs = x.clone();
    for (j, s) in norms.iter().enumerate() {
        xs.column_mut(j).unscale_mut(*s);
    }
    let svd = SVD::try_new(xs, true, true, 1e-15, 10_000).ok_or(OlsError::NoConvergence)?;
    let sv = &svd.singular_values;
    let (smax, smin) = (sv.max(), sv.min());
    let ratio = smin / smax;
    if ratio.is_nan() || ratio <= RANK_TOL {
        return Err(OlsError::Singular { ratio });
    }
    let (Some(u), Some(v_t)) = (&svd.u, &svd.v_t) else {
        return Err(OlsError::NoConvergence);
    };
    // pinv(Xs) = V Σ⁻¹ Uᵀ; pinv(X) = D⁻¹ pinv(Xs) with D = diag(norms).
    let mut vs = v_t.transpose();
    for (j, s) in sv.iter().enumerate() {
        vs.column_mut(j).unscale_mut(*s);
    }
    let mut pinv = vs * u.transpose();
    for (j, s) in norms.iter().enumerate() {
        pinv.row_mut(j).unscale_mut(*s);
    }
    let coef = &pinv * y;
    let fitted = x * &coef;
    let residuals = y - &fitted;
    let leverage = u.row_iter().map(|r| r.norm_squared()).collect();
    Ok(Ols {
        coef,
        fitted,
        residuals,
        pinv,
        leverage,
    })
}

/// Coefficient of determination of each response; `None` when the
/// response is constant (its variance is zero, R² undefined).
pub(crate) fn r_squared(y: &DMatrix<f64>, residuals: &DMatrix<f64>) -> Vec<Option<f64>> {
    y.column_iter()
        .zip(residuals.column_iter())
        .map(|(yc, rc)| {
            let mean = yc.mean();
            let sst: f64 = yc.iter().map(|v| (v - mean).powi(2)).sum();
            let sse = rc.norm_squared();
            // A constant response: no variation to explain.
            (sst > 1e-24 * yc.norm_squared().max(f64::MIN_POSITIVE)).then(|| 1.0 - sse / sst)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn exact_line() {
        let x = DMatrix::from_row_slice(3, 2, &[1.0, 1.0, 2.0, 1.0, 3.0, 1.0]);
        let y = DMatrix::from_column_slice(3, 1, &[5.0, 7.0, 9.0]);
        let f = solve(&x, &y).unwrap();
        assert_relative_eq!(f.coef[(0, 0)], 2.0, epsilon = 1e-12);
        assert_relative_eq!(f.coef[(1, 0)], 3.0, epsilon = 1e-12);
        assert_relative_eq!(f.leverage.iter().sum::<f64>(), 2.0, epsilon = 1e-12);
        assert_relative_eq!(
            r_squared(&y, &f.residuals)[0].unwrap(),
            1.0,
            epsilon = 1e-12
        );
    }

    #[test]
    fn singular_and_short() {
        let x = DMatrix::from_row_slice(3, 2, &[2.0, 1.0, 2.0, 1.0, 2.0, 1.0]);
        let y = DMatrix::from_column_slice(3, 1, &[5.0, 7.0, 9.0]);
        assert!(matches!(solve(&x, &y), Err(OlsError::Singular { .. })));
        let x = DMatrix::from_row_slice(1, 2, &[2.0, 1.0]);
        let y = DMatrix::from_column_slice(1, 1, &[5.0]);
        assert_eq!(
            solve(&x, &y),
            Err(OlsError::TooFew {
                rows: 1,
                unknowns: 2
            })
        );
    }
}
