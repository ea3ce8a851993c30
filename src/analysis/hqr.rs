//! Eigenvalues of a real matrix by balancing, Hessenberg reduction and the
//! Francis double-shift QR iteration with exceptional shifts (EISPACK's
//! `balanc` and `hqr`; Press et al., *Numerical Recipes*, 2nd ed., §11.5–11.6).
//!
//! nalgebra's `Schur` has no exceptional shifts and an absolute deflation
//! threshold of `ε²` where the diagonal vanishes; on some matrices (a cycle
//! of six actors, the realified loop transfer of two actors) it never
//! converges. This routine is the fallback: its deflation test falls back to
//! the matrix norm where the diagonal vanishes, and exceptional shifts every
//! ten iterations break cycles. Both are capped.

use nalgebra::{Complex, DMatrix, linalg::Hessenberg};

/// Iterations allowed per eigenvalue (or pair) before giving up.
const MAX_ITS: usize = 60;

/// Scales rows and columns by powers of 2 so that each row and column have
/// similar norms (the spectrum is unchanged).
pub(crate) fn balance(a: &mut DMatrix<f64>) {
    let n = a.nrows();
    let radix = 2.0;
    let sqrdx = radix * radix;
    for _ in 0..100 {
        let mut done = true;
        for i in 0..n {
            let (mut c, mut r) = (0.0, 0.0);
            for j in 0..n {
                if j != i {
                    c += a[(j, i)].abs();
                    r += a[(i, j)].abs();
                }
            }
            if c == 0.0 || r == 0.0 {
                continue;
            }
            let s = c + r;
            let mut f = 1.0;
            let mut g = r / radix;
            while c < g {
                f *= radix;
                c *= sqrdx;
            }
            g = r * radix;
            while c > g {
                f /= radix;
                c /= sqrdx;
            }
            if (c + r) / f < 0.95 * s {
                done = false;
                for j in 0..n {
                    a[(i, j)] /= f;
                    a[(j, i)] *= f;
                }
            }
        }
        if done {
            break;
        }
    }
}

/// Eigenvalues of a square, finite matrix; `None` if an eigenvalue needs
/// more than 60 iterations.
pub(crate) fn eigenvalues(m: &DMatrix<f64>) -> Option<Vec<Complex<f64>>> {
    let n = m.nrows();
    let mut b = m.clone();
    balance(&mut b);
    let mut a = if n > 2 {
        Hessenberg::new(b).unpack_h()
    } else {
        b
    };
    let mut wr = vec![0.0; n];
    let mut wi = vec![0.0; n];
    let mut anorm = 0.0;
    for i in 0..n {
        for j in i.saturating_sub(1)..n {
            anorm += a[(i, j)].abs();
        }
    }
    // `nn` is one past the last row of the active block (0-based: rows < nn).
    let mut nn = n;
    let mut t = 0.0;
    while nn >= 1 {
        let mut its = 0;
        loop {
            let e = nn - 1; // last active row
            // Look for a single small subdiagonal element.
            let mut l = e;
            while l >= 1 {
                let mut s = a[(l - 1, l - 1)].abs() + a[(l, l)].abs();
                if s == 0.0 {
                    s = anorm;
                }
                if a[(l, l - 1)].abs() + s == s {
                    a[(l, l - 1)] = 0.0;
                    break;
                }
                l -= 1;
            }
            let mut x = a[(e, e)];
            if l == e {
                // One root found.
                wr[e] = x + t;
                wi[e] = 0.0;
                nn -= 1;
                break;
            }
            let mut y = a[(e - 1, e - 1)];
            let mut w = a[(e, e - 1)] * a[(e - 1, e)];
            if l + 1 == e {
                // Two roots found.
                let p = 0.5 * (y - x);
                let q = p * p + w;
                let mut z = q.abs().sqrt();
                x += t;
                if q >= 0.0 {
                    z = p + z.copysign(p);
                    wr[e - 1] = x + z;
                    wr[e] = if z != 0.0 { x - w / z } else { x + z };
                    wi[e - 1] = 0.0;
                    wi[e] = 0.0;
                } else {
                    wr[e - 1] = x + p;
                    wr[e] = x + p;
                    wi[e - 1] = -z;
                    wi[e] = z;
                }
                nn -= 2;
                break;
            }
            if its == MAX_ITS {
                return None;
            }
            if its > 0 && its % 10 == 0 {
                // Exceptional shift.
                t += x;
                for i in 0..nn {
                    a[(i, i)] -= x;
                }
                let s = a[(e, e - 1)].abs() + a[(e - 1, e - 2)].abs();
                x = 0.75 * s;
                y = x;
                w = -0.4375 * s * s;
            }
            its += 1;
            // Look for two consecutive small subdiagonal elements.
            let mut mm = e - 2;
            let (mut p, mut q, mut r);
            loop {
                let z = a[(mm, mm)];
                let r0 = x - z;
                let s0 = y - z;
                p = (r0 * s0 - w) / a[(mm + 1, mm)] + a[(mm, mm + 1)];
                q = a[(mm + 1, mm + 1)] - z - r0 - s0;
                r = a[(mm + 2, mm + 1)];
                let s = p.abs() + q.abs() + r.abs();
                p /= s;
                q /= s;
                r /= s;
                if mm == l {
                    break;
                }
                let u = a[(mm, mm - 1)].abs() * (q.abs() + r.abs());
                let v = p.abs() * (a[(mm - 1, mm - 1)].abs() + z.abs() + a[(mm + 1, mm + 1)].abs());
                if u + v == v {
                    break;
                }
                mm -= 1;
            }
            for i in mm + 2..=e {
                a[(i, i - 2)] = 0.0;
                if i != mm + 2 {
                    a[(i, i - 3)] = 0.0;
                }
            }
            // Double QR step on rows l..=e and columns mm..=e.
            let mut k = mm;
            while k < e {
                if k != mm {
                    p = a[(k, k - 1)];
                    q = a[(k + 1, k - 1)];
                    r = if k != e - 1 { a[(k + 2, k - 1)] } else { 0.0 };
                    x = p.abs() + q.abs() + r.abs();
                    if x != 0.0 {
                        p /= x;
                        q /= x;
                        r /= x;
                    }
                }
                let s = (p * p + q * q + r * r).sqrt().copysign(p);
                if s != 0.0 {
                    if k == mm {
                        if l != mm {
                            a[(k, k - 1)] = -a[(k, k - 1)];
                        }
                    } else {
                        a[(k, k - 1)] = -s * x;
                    }
                    p += s;
                    x = p / s;
                    y = q / s;
                    let z = r / s;
                    q /= p;
                    r /= p;
                    for j in k..nn {
                        let mut pp = a[(k, j)] + q * a[(k + 1, j)];
                        if k != e - 1 {
                            pp += r * a[(k + 2, j)];
                            a[(k + 2, j)] -= pp * z;
                        }
                        a[(k + 1, j)] -= pp * y;
                        a[(k, j)] -= pp * x;
                    }
                    let mmin = if e < k + 3 { e } else { k + 3 };
                    for i in l..=mmin {
                        let mut pp = x * a[(i, k)] + y * a[(i, k + 1)];
                        if k != e - 1 {
                            pp += z * a[(i, k + 2)];
                            a[(i, k + 2)] -= pp * r;
                        }
                        a[(i, k + 1)] -= pp * q;
                        a[(i, k)] -= pp;
                    }
                }
                k += 1;
            }
            if l + 1 >= e {
                break;
            }
        }
    }
    let out: Vec<Complex<f64>> = wr
        .iter()
        .zip(&wi)
        .map(|(&re, &im)| Complex::new(re, im))
        .collect();
    out.iter()
        .all(|z| z.re.is_finite() && z.im.is_finite())
        .then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use nalgebra::linalg::Schur;
    use rand::{Rng, SeedableRng};

    fn sorted(mut v: Vec<Complex<f64>>) -> Vec<Complex<f64>> {
        v.sort_by(|a, b| a.re.total_cmp(&b.re).then(a.im.total_cmp(&b.im)));
        v
    }

    fn same_spectrum(a: Vec<Complex<f64>>, b: Vec<Complex<f64>>, tol: f64) {
        let (a, b) = (sorted(a), sorted(b));
        assert_eq!(a.len(), b.len());
        // Match greedily: every eigenvalue of `a` has a partner in `b`.
        let mut used = vec![false; b.len()];
        for z in &a {
            let k = (0..b.len())
                .filter(|&k| !used[k])
                .min_by(|&i, &j| (b[i] - z).norm().total_cmp(&(b[j] - z).norm()))
                .unwrap();
            assert!((b[k] - z).norm() <= tol, "{z} vs {}", b[k]);
            used[k] = true;
        }
    }

    #[test]
    fn agrees_with_schur_on_random_matrices() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        for n in 1..=12 {
            for _ in 0..20 {
                let m = DMatrix::from_fn(n, n, |_, _| rng.random_range(-1.0..1.0));
                let want: Vec<Complex<f64>> = Schur::try_new(m.clone(), f64::EPSILON, 10_000)
                    .unwrap()
                    .complex_eigenvalues()
                    .iter()
                    .copied()
                    .collect();
                same_spectrum(eigenvalues(&m).unwrap(), want, 1e-9);
            }
        }
    }

    #[test]
    fn converges_where_nalgebra_stalls() {
        // A six-cycle: eigenvalues are the sixth roots of unity.
        let mut p = DMatrix::zeros(6, 6);
        for i in 0..5 {
            p[(i + 1, i)] = 1.0;
        }
        p[(0, 5)] = 1.0;
        assert!(Schur::try_new(p.clone(), f64::EPSILON, 300).is_none());
        let want = (0..6)
            .map(|k| Complex::from_polar(1.0, std::f64::consts::PI * k as f64 / 3.0))
            .collect();
        same_spectrum(eigenvalues(&p).unwrap(), want, 1e-12);
        // The realified loop transfer of two actors at one frequency.
        let m = DMatrix::from_row_slice(
            4,
            4,
            &[
                0.0,
                -0.1460127944051369,
                0.0,
                0.026458659678386835,
                -0.2945969195286659,
                0.0,
                0.051293159496339814,
                0.0,
                0.0,
                -0.026458659678386835,
                0.0,
                -0.1460127944051369,
                -0.051293159496339814,
                0.0,
                -0.2945969195286659,
                0.0,
            ],
        );
        assert!(Schur::try_new(m.clone(), f64::EPSILON, 300).is_none());
        // Eigenvalues ±μ, ±μ̄ with μ² = h₁₂h₂₁.
        let h12 = Complex::new(-0.1460127944051369, -0.026458659678386835);
        let h21 = Complex::new(-0.2945969195286659, -0.051293159496339814);
        let mu = (h12 * h21).sqrt();
        same_spectrum(
            eigenvalues(&m).unwrap(),
            vec![mu, -mu, mu.conj(), -mu.conj()],
            1e-12,
        );
    }
}
