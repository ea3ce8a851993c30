//! The Perron root of a non-negative matrix by power iteration, certified
//! by Collatz–Wielandt bounds.
//!
//! For a non-negative matrix `B` and any vector `x > 0`,
//!
//! ```text
//! minᵢ (Bx)ᵢ / xᵢ  ≤  ρ(B)  ≤  maxᵢ (Bx)ᵢ / xᵢ
//! ```
//!
//! (Collatz–Wielandt). Power iteration `x ← Bx / ‖Bx‖` drives both bounds to
//! `ρ(B)` when `B` is irreducible and primitive, at the rate `|λ₂|/ρ` per
//! step, so the bracket certifies the answer as it goes: no eigenvalue
//! solver, no heap allocation, `n²` multiply-adds per step. The iteration
//! runs on `B⁴` (`ρ(B⁴) = ρ⁴`: a quarter of the steps) after scaling `B` by
//! a power of two so that `B⁴` can neither overflow nor underflow.
//! When the bracket does not close (a reducible matrix with a zero row, a
//! cyclic one whose eigenvalues share the modulus `ρ`), the iteration is
//! repeated on `B + I` (whose Perron root is `ρ + 1` and which is primitive
//! whenever `B` is irreducible), and if that does not close either the
//! caller falls back to the eigenvalues.

use super::eigen::eigenvalues;
use super::{biased_exponent, unit_scale};
use crate::error::Result;
use crate::model::Dynamics;

/// Relative width of the Collatz–Wielandt bracket at which the iteration
/// stops: the midpoint is then within `5·10⁻¹⁴` of `ρ` (relative), plus
/// rounding of order `n·ε`.
pub(crate) const PERRON_TOLERANCE: f64 = 1e-13;

/// Steps per attempt (unshifted, then shifted by the identity); an attempt
/// also stops when the bracket does not halve in 16 steps.
const MAX_STEPS: usize = 400;

/// `ρ(A⁻¹|K|)` of a dynamics (`|K| = K` for a non-negative coupling) by the
/// certified power iteration, or `None` when it does not certify it (or
/// the loop has more than 16 actors: the iteration runs on fixed-size
/// arrays on the stack): use the eigenvalues then.
pub(crate) fn loop_perron_root(d: &Dynamics) -> Option<f64> {
    macro_rules! fixed {
        ($($n:literal)*) => {
            match d.n() {
                $($n => perron_fixed::<$n>(d),)*
                _ => None,
            }
        };
    }
    fixed!(1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16)
}

/// `ρ(A⁻¹|K|)` by the certified power iteration, else by the eigenvalues;
/// infinite when an entry of `A⁻¹|K|` overflows.
pub(crate) fn loop_radius(d: &Dynamics) -> Result<f64> {
    if let Some(rho) = loop_perron_root(d) {
        return Ok(rho);
    }
    let mut b = d.coupling.abs();
    for (i, a) in d.restraint.iter().enumerate() {
        b.row_mut(i).scale_mut(1.0 / a);
    }
    if b.iter().any(|v| !v.is_finite()) {
        // |K_ij|/a_i overflows: so does the Perron root.
        return Ok(f64::INFINITY);
    }
    Ok(eigenvalues(&b)?
        .iter()
        .map(|z| z.norm())
        .fold(0.0, f64::max))
}

fn perron_fixed<const N: usize>(d: &Dynamics) -> Option<f64> {
    // Columns: b[j][i] = |K_ij| / a_i.
    let mut b = [[0.0; N]; N];
    let mut inv = [0.0; N];
    for (v, a) in inv.iter_mut().zip(d.restraint.iter()) {
        *v = 1.0 / a;
    }
    for (col, kcol) in b.iter_mut().zip(d.coupling.as_slice().chunks_exact(N)) {
        for ((bij, kij), v) in col.iter_mut().zip(kcol.iter()).zip(inv.iter()) {
            *bij = kij.abs() * v;
        }
    }
    perron_root(b)
}

/// The Perron root `ρ(B)` of the non-negative matrix with columns `b`,
/// certified to [`PERRON_TOLERANCE`]; `None` when power iteration does not
/// certify it within its step limit.
///
/// On x86-64 processors with AVX the same code is compiled a second time
/// with 256-bit vectors (chosen at run time); the operations and their
/// order are the same, so the result is the same to the bit.
pub(crate) fn perron_root<const N: usize>(b: [[f64; N]; N]) -> Option<f64> {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx") {
        // SAFETY: the processor supports AVX, checked just above.
        return unsafe { perron_root_avx(b) };
    }
    perron_root_portable(b)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
fn perron_root_avx<const N: usize>(b: [[f64; N]; N]) -> Option<f64> {
    perron_root_portable(b)
}

#[inline(always)]
fn perron_root_portable<const N: usize>(mut b: [[f64; N]; N]) -> Option<f64> {
    // Scale B by a power of two (exact) so that its largest entry lies in
    // [1, 2): B⁴ can then neither overflow nor lose the loop to underflow.
    // (Row-wise maxima first: vector operations and a short dependency chain.)
    let mut rows = [0.0f64; N];
    for col in &b {
        for (m, &v) in rows.iter_mut().zip(col) {
            *m = if v > *m { v } else { *m };
        }
    }
    let largest = rows
        .iter()
        .fold(0.0, |m: f64, &v| if v > m { v } else { m });
    if !(largest.is_finite() && (64..=1984).contains(&biased_exponent(largest))) {
        return None;
    }
    let scale = unit_scale(largest);
    for col in &mut b {
        for v in col.iter_mut() {
            *v *= scale;
        }
    }
    // On B⁴, which converges in a quarter of the steps (ρ(B⁴) = ρ(B)⁴, and
    // the fourth root divides the relative width of the bracket by 4).
    let square = product(&b, &b);
    let fourth = product(&square, &square);
    if let Some(rho4) = iterate(&fourth, 0.0, 4.0 * PERRON_TOLERANCE) {
        return Some(rho4.sqrt().sqrt() / scale);
    }
    // Cyclic or reducible: B + I has the same Perron vector, root ρ + 1,
    // and no other eigenvalue of modulus ρ + 1 when B is irreducible.
    iterate(&b, 1.0, PERRON_TOLERANCE).map(|r| (r - 1.0).max(0.0) / scale)
}

/// The product of two matrices given by their columns.
#[inline(always)]
fn product<const N: usize>(a: &[[f64; N]; N], b: &[[f64; N]; N]) -> [[f64; N]; N] {
    let mut out = [[0.0; N]; N];
    for (col, bj) in out.iter_mut().zip(b.iter()) {
        for (ak, &bkj) in a.iter().zip(bj.iter()) {
            for (o, aik) in col.iter_mut().zip(ak) {
                *o += aik * bkj;
            }
        }
    }
    out
}

/// Power iteration on `B + shift·I` from `x = 1`, with the
/// Collatz–Wielandt bracket as the stopping test (relative width
/// `tolerance`).
///
/// `μ = maxᵢ yᵢ / maxᵢ xᵢ` estimates `ρ` at no extra cost; the bracket (`n`
/// divisions) is computed once `μ` has settled to the tolerance, and every
/// 16 steps to check progress. `x` is rescaled by a power of two (exact,
/// and no division on the iteration's critical path), and the sums and the
/// maximum use two and four accumulators to shorten dependency chains.
#[inline(always)]
fn iterate<const N: usize>(b: &[[f64; N]; N], shift: f64, tolerance: f64) -> Option<f64> {
    let mut x = [1.0; N];
    let mut x_max = 1.0;
    let mut previous = f64::INFINITY;
    let mut checkpoint = f64::INFINITY;
    for step in 0..MAX_STEPS {
        // y = (B + shift I) x, column by column, even and odd columns apart.
        let mut even = x.map(|v| shift * v);
        let mut odd = [0.0; N];
        for (pair, xs) in b.chunks(2).zip(x.chunks(2)) {
            for (yi, bij) in even.iter_mut().zip(&pair[0]) {
                *yi += bij * xs[0];
            }
            if let (Some(col), Some(&xj)) = (pair.get(1), xs.get(1)) {
                for (yi, bij) in odd.iter_mut().zip(col) {
                    *yi += bij * xj;
                }
            }
        }
        let mut y = even;
        for (yi, o) in y.iter_mut().zip(odd) {
            *yi += o;
        }
        let mut lanes = [0.0f64; 4];
        for chunk in y.chunks(4) {
            for (m, &v) in lanes.iter_mut().zip(chunk) {
                *m = if v > *m { v } else { *m };
            }
        }
        let y_max = lanes
            .iter()
            .fold(0.0, |m: f64, &v| if v > m { v } else { m });
        if !(y_max.is_finite() && y_max > 0.0) {
            // Bᵏ1 = 0: in exact arithmetic B would be nilpotent, but
            // underflow can do the same; the caller decides on the graph.
            return None;
        }
        let mu = y_max / x_max;
        let settled = (mu - previous).abs() <= tolerance * mu;
        if settled || step % 16 == 15 {
            let (mut lo, mut hi) = (f64::INFINITY, 0.0f64);
            for (yi, xi) in y.iter().zip(x.iter()) {
                if xi.is_nan() || *xi <= 0.0 {
                    // x = Bᵏ1 has lost positivity: Bᵏ has a zero row, and B
                    // is reducible. The bounds need x > 0.
                    return None;
                }
                let r = yi / xi;
                lo = if r < lo { r } else { lo };
                hi = if r > hi { r } else { hi };
            }
            if !(lo > 0.0 && hi.is_finite()) {
                // A zero row of B: x would lose positivity.
                return None;
            }
            if hi - lo <= tolerance * hi {
                return Some(0.5 * (lo + hi));
            }
            // The bracket must halve every 16 steps; a cyclic matrix's does
            // not shrink at all.
            if step % 16 == 15 {
                let width = (hi - lo) / hi;
                if width > 0.5 * checkpoint {
                    return None;
                }
                checkpoint = width;
            }
        }
        previous = mu;
        // A power of two that brings x_max into [1, 2). Near the ends of
        // the range, leave it to the eigenvalues.
        if !(64..=1984).contains(&biased_exponent(y_max)) {
            return None;
        }
        let scale = unit_scale(y_max);
        x = y.map(|v| v * scale);
        x_max = y_max * scale;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn columns<const N: usize>(rows: [[f64; N]; N]) -> [[f64; N]; N] {
        std::array::from_fn(|j| std::array::from_fn(|i| rows[i][j]))
    }

    #[test]
    fn closed_forms() {
        // Dyad (cyclic, eigenvalues ±√(bc)): needs the shift.
        let b = columns([[0.0, 0.8], [0.5, 0.0]]);
        let rho = perron_root(b).unwrap();
        assert!((rho - 0.4f64.sqrt()).abs() < 1e-13);
        // Three-cycle with equal links: ρ = the link.
        let b = columns([[0.0, 0.7, 0.0], [0.0, 0.0, 0.7], [0.7, 0.0, 0.0]]);
        assert!((perron_root(b).unwrap() - 0.7).abs() < 1e-13);
        // All-ones: ρ = n.
        assert!((perron_root([[1.0; 4]; 4]).unwrap() - 4.0).abs() < 1e-13);
        assert_eq!(perron_root([[0.0; 3]; 3]), None);
        // Scaled far down and up: the power-of-two scaling keeps B⁴ finite.
        for scale in [1e-120, 1e120] {
            let b = columns([[0.0, 0.7, 0.0], [0.0, 0.0, 0.7], [0.7, 0.0, 0.0]])
                .map(|c| c.map(|v| v * scale));
            let rho = perron_root(b).unwrap();
            assert!((rho / (0.7 * scale) - 1.0).abs() < 1e-13, "{rho}");
            let b = [[scale; 5]; 5];
            assert!((perron_root(b).unwrap() / (5.0 * scale) - 1.0).abs() < 1e-13);
        }
    }

    /// The AVX copy (chosen at run time where the processor has it) and the
    /// portable code give the same bits.
    #[test]
    fn dispatch_is_bit_identical() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut uniform = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        for _ in 0..200 {
            let b: [[f64; 10]; 10] = std::array::from_fn(|j| {
                std::array::from_fn(|i| if i == j { 0.0 } else { 0.5 * uniform() })
            });
            let dispatched = perron_root(b).map(f64::to_bits);
            let portable = perron_root_portable(b).map(f64::to_bits);
            assert_eq!(dispatched, portable);
        }
    }

    #[test]
    fn reducible_matrices() {
        // A chain is nilpotent (B³ = 0): left to the caller, which decides
        // on the graph.
        let b = columns([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [0.0, 0.0, 0.0]]);
        assert_eq!(perron_root(b), None);
        // Two separate cycles of radii 2 and 1: the second block's ratios
        // stay at 1, the bracket never closes, and the caller is told so.
        let b = columns([
            [0.0, 2.0, 0.0, 0.0],
            [2.0, 0.0, 0.0, 0.0],
            [0.0, 0.0, 0.0, 1.0],
            [0.0, 0.0, 1.0, 0.0],
        ]);
        assert_eq!(perron_root(b), None);
        // A cycle feeding a sink that reacts to it: ρ is the cycle's.
        let b = columns([[0.0, 0.5, 0.0], [0.8, 0.0, 0.0], [0.3, 0.3, 0.0]]);
        let rho = perron_root(b);
        assert!(
            rho.is_none_or(|r| (r - 0.4f64.sqrt()).abs() < 1e-13),
            "{rho:?}"
        );
    }
}
