//! Latin hypercube samples in given bounds.
//!
//! Each dimension is cut into `n` equal strata; case i of dimension j lies in
//! stratum `π_j(i)` for an independent random permutation `π_j`, at a
//! uniformly random position inside it. So every stratum of every dimension
//! holds exactly one case. Randomness: one [`ChaCha8Rng`] seeded by the
//! caller, dimension by dimension (the permutation, then the positions).
//!
//! ## References
//! McKay, M. D., Beckman, R. J. and Conover, W. J. (1979). A comparison of
//! three methods for selecting values of input variables in the analysis of
//! output from a computer code. *Technometrics* 21(2), 239–245.

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::check_bounds;
use crate::error::{Error, Result};

/// `n` cases (rows) of a Latin hypercube sample over `bounds`, seeded.
///
/// # Errors
/// [`Error::Invalid`] for `n == 0` or bad bounds.
///
/// # Example
/// ```
/// use escalation::experiments::lhs::latin_hypercube;
/// let x = latin_hypercube(10, &[[0.0, 1.0], [5.0, 6.0]], 3).unwrap();
/// let mut strata: Vec<usize> = x.iter().map(|r| ((r[1] - 5.0) * 10.0) as usize).collect();
/// strata.sort();
/// assert_eq!(strata, (0..10).collect::<Vec<_>>());
/// ```
pub fn latin_hypercube(n: usize, bounds: &[[f64; 2]], seed: u64) -> Result<Vec<Vec<f64>>> {
    check_bounds("bounds", bounds)?;
    if n == 0 {
        return Err(Error::invalid("n", "give at least one case"));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut rows = vec![Vec::with_capacity(bounds.len()); n];
    for &[lo, hi] in bounds {
        let mut strata: Vec<usize> = (0..n).collect();
        strata.shuffle(&mut rng);
        let width = hi - lo;
        for (row, &k) in rows.iter_mut().zip(&strata) {
            let u: f64 = rng.random();
            // Stay inside the stratum despite rounding: [k/n, (k+1)/n).
            let top = (k + 1) as f64 / n as f64;
            let mut t = (k as f64 + u) / n as f64;
            if t >= top {
                t = top.next_down();
            }
            let mut x = lo + width * t;
            let x_top = lo + width * top;
            if x >= x_top && k + 1 < n {
                x = x_top.next_down();
            }
            row.push(x.min(hi));
        }
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_bad_input() {
        assert!(latin_hypercube(0, &[[0.0, 1.0]], 0).is_err());
        assert!(latin_hypercube(3, &[[1.0, 1.0]], 0).is_err());
        assert!(latin_hypercube(3, &[[0.0, f64::NAN]], 0).is_err());
        assert!(latin_hypercube(3, &[], 0).is_err());
    }

    #[test]
    fn same_seed_same_sample() {
        let a = latin_hypercube(50, &[[0.0, 1.0]; 4], 9).unwrap();
        assert_eq!(a, latin_hypercube(50, &[[0.0, 1.0]; 4], 9).unwrap());
        assert_ne!(a, latin_hypercube(50, &[[0.0, 1.0]; 4], 10).unwrap());
    }
}
