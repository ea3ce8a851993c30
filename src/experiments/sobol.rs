//! Sobol' low-discrepancy points in [0, 1)^d, plain or scrambled.
//!
//! Direction numbers are Joe and Kuo's `new-joe-kuo-6.21201` set (search
//! criterion D(6)), dimensions 1 to [`MAX_DIM`], copied into
//! `new-joe-kuo-6.1024.txt` beside this file in the file's own format
//! (`d s a m_1 … m_s`; dimension 1 is the van der Corput sequence and has no
//! line). Points come in Gray-code order with 32 bits, like
//! `scipy.stats.qmc.Sobol`, so the unscrambled points equal scipy's
//! (`Sobol(d, scramble=False)`) bit for bit.
//!
//! Scrambling is the one scipy uses (and SALib through it): a random lower
//! triangular binary matrix with unit diagonal multiplies each direction
//! number's digits (linear matrix scrambling, Matoušek 1998), then a random
//! digital shift is XOR-ed onto every point. Both keep the net property, so
//! the first 2^k points still put exactly one point in each of the 2^k equal
//! intervals of every dimension. The random bits come from a
//! [`ChaCha8Rng`] seeded by the caller; they differ from scipy's generator,
//! so scrambled points are not scipy's.
//!
//! ## References
//! - Sobol', I. M. (1967). On the distribution of points in a cube and the
//!   approximate evaluation of integrals. *USSR Computational Mathematics and
//!   Mathematical Physics* 7(4), 86–112.
//! - Antonov, I. A. and Saleev, V. M. (1979). An economic method of computing
//!   LP_τ-sequences. *USSR Comput. Math. Math. Phys.* 19(1), 252–256 (Gray code).
//! - Joe, S. and Kuo, F. Y. (2008). Constructing Sobol' sequences with better
//!   two-dimensional projections. *SIAM J. Sci. Comput.* 30(5), 2635–2654.
//! - Matoušek, J. (1998). On the L2-discrepancy for anchored boxes.
//!   *J. Complexity* 14(4), 527–556 (linear matrix scrambling).
//! - Owen, A. B. (2020). On dropping the first Sobol' point. arXiv:2008.08051.

use std::sync::OnceLock;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::error::{Error, Result};

/// The most dimensions this generator supports.
pub const MAX_DIM: usize = 1024;

/// Bits per coordinate: at most 2^32 points, spacing 2^-32.
const BITS: usize = 32;

const JOE_KUO: &str = include_str!("new-joe-kuo-6.1024.txt");

/// `(s, a, m)` for dimensions 2..=MAX_DIM, parsed once.
fn table() -> &'static [(u32, u32, Vec<u32>)] {
    static TABLE: OnceLock<Vec<(u32, u32, Vec<u32>)>> = OnceLock::new();
    TABLE.get_or_init(|| {
        JOE_KUO
            .lines()
            .skip(1)
            .map(|line| {
                let v: Vec<u32> = line
                    .split_whitespace()
                    .map(|w| w.parse().expect("direction-number table is numeric"))
                    .collect();
                (v[1], v[2], v[3..].to_vec())
            })
            .collect()
    })
}

/// The direction numbers `v_k` (k = 0..32, most significant digit first) of
/// dimension `dim` (0-based), as 32-bit integers.
fn directions(dim: usize) -> [u32; BITS] {
    let mut v = [0u32; BITS];
    if dim == 0 {
        for (k, vk) in v.iter_mut().enumerate() {
            *vk = 1 << (BITS - 1 - k);
        }
        return v;
    }
    let (s, a, m) = &table()[dim - 1];
    let s = *s as usize;
    for k in 0..s.min(BITS) {
        v[k] = m[k] << (BITS - 1 - k);
    }
    for k in s..BITS {
        let mut x = v[k - s] ^ (v[k - s] >> s);
        for j in 1..s {
            if (a >> (s - 1 - j)) & 1 == 1 {
                x ^= v[k - j];
            }
        }
        v[k] = x;
    }
    v
}

/// A generator of Sobol' points.
///
/// # Example
/// ```
/// use escalation::experiments::sobol::Sobol;
///
/// let mut s = Sobol::new(2).unwrap();
/// let pts = s.take(4).unwrap();
/// assert_eq!(pts, vec![vec![0.0, 0.0], vec![0.5, 0.5], vec![0.75, 0.25], vec![0.25, 0.75]]);
/// ```
#[derive(Debug, Clone)]
pub struct Sobol {
    v: Vec<[u32; BITS]>,
    quasi: Vec<u32>,
    count: u64,
}

impl Sobol {
    /// Unscrambled points in `dim` dimensions, starting at the origin.
    ///
    /// # Errors
    /// [`Error::Invalid`] unless `1 <= dim <= MAX_DIM`.
    pub fn new(dim: usize) -> Result<Self> {
        if dim == 0 || dim > MAX_DIM {
            return Err(Error::invalid(
                "dim",
                format!("Sobol' points need 1 to {MAX_DIM} dimensions, got {dim}"),
            ));
        }
        Ok(Self {
            v: (0..dim).map(directions).collect(),
            quasi: vec![0; dim],
            count: 0,
        })
    }

    /// Scrambled points (linear matrix scramble plus digital shift) in `dim`
    /// dimensions; the same `seed` gives the same points.
    ///
    /// # Errors
    /// [`Error::Invalid`] unless `1 <= dim <= MAX_DIM`.
    ///
    /// # Example
    /// ```
    /// use escalation::experiments::sobol::Sobol;
    ///
    /// let a = Sobol::scrambled(3, 42).unwrap().take(8).unwrap();
    /// let b = Sobol::scrambled(3, 42).unwrap().take(8).unwrap();
    /// assert_eq!(a, b);
    /// // One point in each eighth of every axis.
    /// let mut cells: Vec<usize> = a.iter().map(|p| (p[1] * 8.0) as usize).collect();
    /// cells.sort();
    /// assert_eq!(cells, (0..8).collect::<Vec<_>>());
    /// ```
    pub fn scrambled(dim: usize, seed: u64) -> Result<Self> {
        let mut s = Self::new(dim)?;
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        for (v, quasi) in s.v.iter_mut().zip(s.quasi.iter_mut()) {
            *quasi = rng.random::<u32>();
            // Row r of the lower triangular matrix, as a mask over digits
            // (digit c ↔ bit 31 − c): the diagonal plus random digits c < r.
            let rows: [u32; BITS] = std::array::from_fn(|r| {
                let diag = 1u32 << (BITS - 1 - r);
                let above = if r == 0 { 0 } else { !0u32 << (BITS - r) };
                diag | (rng.random::<u32>() & above)
            });
            for vk in v.iter_mut() {
                let mut out = 0u32;
                for (r, row) in rows.iter().enumerate() {
                    out |= ((row & *vk).count_ones() & 1) << (BITS - 1 - r);
                }
                *vk = out;
            }
        }
        Ok(s)
    }

    /// The number of dimensions.
    #[must_use]
    pub fn dim(&self) -> usize {
        self.v.len()
    }

    /// The next point, or `None` after 2^32 points.
    ///
    /// # Example
    /// ```
    /// use escalation::experiments::sobol::Sobol;
    /// let mut s = Sobol::new(3).unwrap();
    /// assert_eq!(s.next_point(), Some(vec![0.0; 3]));
    /// assert_eq!(s.next_point(), Some(vec![0.5; 3]));
    /// assert_eq!(s.dim(), 3);
    /// ```
    pub fn next_point(&mut self) -> Option<Vec<f64>> {
        if self.count >= 1 << BITS {
            return None;
        }
        if self.count > 0 {
            // Gray code: flip the direction of the lowest zero bit of count − 1.
            let c = (self.count - 1).trailing_ones() as usize;
            for (q, v) in self.quasi.iter_mut().zip(&self.v) {
                *q ^= v[c];
            }
        }
        self.count += 1;
        let scale = 1.0 / (1u64 << BITS) as f64;
        Some(self.quasi.iter().map(|&q| f64::from(q) * scale).collect())
    }

    /// The next `n` points, one row each.
    ///
    /// # Errors
    /// [`Error::Invalid`] when fewer than `n` of the 2^32 points are left.
    ///
    /// # Example
    /// ```
    /// use escalation::experiments::sobol::Sobol;
    /// let mut s = Sobol::new(1).unwrap();
    /// let first = s.take(2).unwrap();
    /// let next = s.take(2).unwrap(); // continues the sequence
    /// assert_eq!((first, next), (vec![vec![0.0], vec![0.5]], vec![vec![0.75], vec![0.25]]));
    /// ```
    pub fn take(&mut self, n: usize) -> Result<Vec<Vec<f64>>> {
        if self.count + n as u64 > 1 << BITS {
            return Err(Error::invalid(
                "n",
                format!("at most 2^{BITS} Sobol' points exist; {n} more were asked for"),
            ));
        }
        Ok((0..n).filter_map(|_| self.next_point()).collect())
    }
}

/// `n` Sobol' points in `dim` dimensions: scrambled with `seed`, or plain
/// when `seed` is `None`. `n` must be a power of two (the balance properties
/// hold only for such `n`).
///
/// # Errors
/// [`Error::Invalid`] for `n` not a power of two or `dim` out of range.
///
/// # Example
/// ```
/// use escalation::experiments::sobol::sobol_points;
/// let p = sobol_points(8, 1, None).unwrap();
/// let x: Vec<f64> = p.iter().map(|r| r[0]).collect();
/// assert_eq!(x, [0.0, 0.5, 0.75, 0.25, 0.375, 0.875, 0.625, 0.125]);
/// ```
pub fn sobol_points(n: usize, dim: usize, seed: Option<u64>) -> Result<Vec<Vec<f64>>> {
    if !n.is_power_of_two() {
        return Err(Error::invalid(
            "n",
            format!("the number of Sobol' points must be a power of two, got {n}"),
        ));
    }
    let mut s = match seed {
        Some(seed) => Sobol::scrambled(dim, seed)?,
        None => Sobol::new(dim)?,
    };
    s.take(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_points_match_published_values() {
        // Joe & Kuo's first points (and scipy's Sobol(d, scramble=False)).
        let p = sobol_points(8, 5, None).unwrap();
        assert_eq!(p[1], vec![0.5; 5]);
        assert_eq!(p[2], vec![0.75, 0.25, 0.25, 0.25, 0.75]);
        assert_eq!(p[3], vec![0.25, 0.75, 0.75, 0.75, 0.25]);
        assert_eq!(p[4], vec![0.375, 0.375, 0.625, 0.875, 0.375]);
        assert_eq!(p[5], vec![0.875, 0.875, 0.125, 0.375, 0.875]);
    }

    #[test]
    fn every_dimension_is_a_permutation_of_the_strata() {
        for seed in [None, Some(3)] {
            let k = 10;
            let p = sobol_points(1 << k, MAX_DIM, seed).unwrap();
            for j in 0..MAX_DIM {
                let mut seen = vec![false; 1 << k];
                for row in &p {
                    seen[(row[j] * (1 << k) as f64) as usize] = true;
                }
                assert!(seen.iter().all(|&s| s), "dimension {j}, seed {seed:?}");
            }
        }
    }

    #[test]
    fn rejects_bad_arguments() {
        assert!(Sobol::new(0).is_err());
        assert!(Sobol::new(MAX_DIM + 1).is_err());
        assert!(sobol_points(6, 2, None).is_err());
    }
}
