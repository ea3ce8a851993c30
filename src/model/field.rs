//! The projected vector field of `docs/model.md`, written once: the
//! simulator, the analyses and the phase portrait all evaluate it here.
//!
//! ```text
//! drive_i = −a_i x_i + Σ_j w_ij x_j + b_i            (w = the effective γK, b = grievance and inputs)
//! f_i     = (1 − x_i/C_i) · drive_i                  (with a ceiling C_i)
//! f_i     = 0 where x_i ≤ 0 and f_i < 0              (intensities never go negative)
//! ```

/// `out_i = −a_i x_i + Σ_j w_ij x_j + b_i` for the first `a.len()` entries
/// of `x`, with `w` row-major `n × n` (the coupling with its gains folded
/// in); `w = None` leaves the actors uncoupled (a controller's hold).
pub fn drive_into(a: &[f64], w: Option<&[f64]>, b: &[f64], x: &[f64], out: &mut [f64]) {
    let n = a.len();
    for i in 0..n {
        let mut f = -a[i] * x[i] + b[i];
        if let Some(w) = w {
            for (&wij, &xj) in w[i * n..(i + 1) * n].iter().zip(&x[..n]) {
                f += wij * xj;
            }
        }
        out[i] = f;
    }
}

/// Turns drives into rates: each `out_i` is scaled by `1 − x_i/C_i` for an
/// actor with a ceiling, and set to 0 where `x_i ≤ 0` and the rate is negative.
pub fn project_into(x: &[f64], ceiling: &[Option<f64>], out: &mut [f64]) {
    for (i, c) in ceiling.iter().enumerate() {
        out[i] = projected(x[i], out[i], *c);
    }
}

/// The rate of one actor at intensity `x` with drive `drive` and ceiling `ceiling`.
#[inline]
#[must_use]
pub fn projected(x: f64, drive: f64, ceiling: Option<f64>) -> f64 {
    let f = match ceiling {
        Some(c) => drive * (1.0 - x / c),
        None => drive,
    };
    if x <= 0.0 && f < 0.0 { 0.0 } else { f }
}
