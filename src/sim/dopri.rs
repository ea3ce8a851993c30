//! Dormand–Prince 5(4) on stack arrays, for the nonlinear intervals.
//!
//! A step-for-step port of `ode_solvers::Dopri5` as the simulator used it
//! (sparse output, automatic initial step, PI step control with β = 0.04,
//! safety 0.9, step factors in [0.2, 10], stiffness test every 1000 steps):
//! the same arithmetic in the same order, so the results agree with the crate
//! to the last bit, but with the state in a fixed-size array for the common
//! sizes (no heap allocation per stage or per step) and without the crate's
//! per-step output vectors.
//!
//! ## References
//! J. R. Dormand, P. J. Prince, "A family of embedded Runge–Kutta formulae",
//! J. Comput. Appl. Math. 6 (1980) 19–26; E. Hairer, S. P. Nørsett,
//! G. Wanner, *Solving Ordinary Differential Equations I*, §II.4–5 (DOPRI5).

/// Storage of one state vector: a stack array for the common sizes, a `Vec`
/// beyond them.
pub(crate) trait Buf: Clone {
    fn zeros(n: usize) -> Self;
    fn s(&self) -> &[f64];
    fn m(&mut self) -> &mut [f64];
}

impl<const N: usize> Buf for [f64; N] {
    #[inline(always)]
    fn zeros(_: usize) -> Self {
        [0.0; N]
    }
    #[inline(always)]
    fn s(&self) -> &[f64] {
        self
    }
    #[inline(always)]
    fn m(&mut self) -> &mut [f64] {
        self
    }
}

impl Buf for Vec<f64> {
    fn zeros(n: usize) -> Self {
        vec![0.0; n]
    }
    fn s(&self) -> &[f64] {
        self
    }
    fn m(&mut self) -> &mut [f64] {
        self
    }
}

/// Why an integration stopped early.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Failure {
    /// More than the allowed number of steps; `x` is how far it got.
    StepLimit { x: f64, steps: u32 },
    /// The stiffness test fired 15 times in a row at `x`.
    Stiff { x: f64 },
    /// The step fell below rounding at `x` (the state blew up).
    Underflow { x: f64 },
}

/// Tolerances and step limit.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tolerances {
    pub rtol: f64,
    pub atol: f64,
    pub max_steps: u32,
}

// Butcher tableau of Dormand and Prince, as in ode_solvers (the nodes `c`
// are not needed: the systems are autonomous between events).
const A: [[f64; 6]; 6] = [
    [0.2, 0.0, 0.0, 0.0, 0.0, 0.0],
    [3.0 / 40.0, 9.0 / 40.0, 0.0, 0.0, 0.0, 0.0],
    [44.0 / 45.0, -56.0 / 15.0, 32.0 / 9.0, 0.0, 0.0, 0.0],
    [
        19372.0 / 6561.0,
        -25360.0 / 2187.0,
        64448.0 / 6561.0,
        -212.0 / 729.0,
        0.0,
        0.0,
    ],
    [
        9017.0 / 3168.0,
        -355.0 / 33.0,
        46732.0 / 5247.0,
        49.0 / 176.0,
        -5103.0 / 18656.0,
        0.0,
    ],
    [
        35.0 / 384.0,
        0.0,
        500.0 / 1113.0,
        125.0 / 192.0,
        -2187.0 / 6784.0,
        11.0 / 84.0,
    ],
];
const E: [f64; 7] = [
    71.0 / 57600.0,
    0.0,
    -71.0 / 16695.0,
    71.0 / 1920.0,
    -17253.0 / 339200.0,
    22.0 / 525.0,
    -1.0 / 40.0,
];

// Step control (the simulator's settings of ode_solvers' controller).
const SAFETY: f64 = 0.9;
const BETA: f64 = 0.04;
const FAC_MIN: f64 = 0.2;
const FAC_MAX: f64 = 10.0;
const N_STIFF: u32 = 1000;

/// Integrates `dy/dt = f(y)` (autonomous) from `y` over `[0, h_end]` in
/// place; returns the number of accepted steps.
pub(crate) fn integrate<B: Buf, F: Fn(&[f64], &mut [f64])>(
    f: F,
    y: &mut B,
    h_end: f64,
    tol: Tolerances,
) -> Result<u32, Failure> {
    let n = y.s().len();
    let h_max = h_end.abs();
    let alpha = 0.2 - BETA * 0.75;
    let (facc1, facc2) = (1.0 / FAC_MIN, 1.0 / FAC_MAX);
    let mut fac_old: f64 = 1.0e-4;
    let mut reject = false;

    let mut k: [B; 7] = std::array::from_fn(|_| B::zeros(n));
    let mut y_next = B::zeros(n);
    let mut y_stiff = B::zeros(n);

    let mut x = 0.0_f64;
    let mut h = hinit(&f, y.s(), h_end, h_max, tol, &mut k);
    f(y.s(), k[0].m());

    let mut n_step: u32 = 0;
    let mut accepted: u32 = 0;
    let (mut non_stiff, mut iasti) = (0_u32, 0_u32);
    let mut h_new;
    let mut last = false;
    while !last {
        if n_step > tol.max_steps {
            return Err(Failure::StepLimit { x, steps: n_step });
        }
        if 0.1 * h.abs() <= f64::EPSILON * x.abs() {
            return Err(Failure::Underflow { x });
        }
        if x + 1.01 * h - h_end > 0.0 {
            h = h_end - x;
            last = true;
        }
        n_step += 1;

        for s in 1..7 {
            {
                let (done, rest) = k.split_at_mut(s);
                let yn = y_next.m();
                yn.copy_from_slice(y.s());
                for (j, kj) in done.iter().enumerate() {
                    let a = A[s - 1][j];
                    for (v, &kv) in yn.iter_mut().zip(kj.s()) {
                        *v += kv * h * a;
                    }
                }
                f(y_next.s(), rest[0].m());
            }
            if s == 5 {
                y_stiff.clone_from(&y_next);
            }
        }
        let k6 = k[6].clone();
        k[1] = k6;

        // Error estimate, summed in ode_solvers' order.
        let mut err = 0.0;
        {
            let (ys, yn) = (y.s(), y_next.s());
            for i in 0..n {
                let est = (((((k[0].s()[i] * E[0] + k[2].s()[i] * E[2]) + k[3].s()[i] * E[3])
                    + k[4].s()[i] * E[4])
                    + k[5].s()[i] * E[5])
                    + k[1].s()[i] * E[6])
                    * h;
                let sc = tol.atol + ys[i].abs().max(yn[i].abs()) * tol.rtol;
                err += (est / sc) * (est / sc);
            }
        }
        err = (err / n as f64).sqrt();

        // PI step control.
        let fac11 = err.powf(alpha);
        let fac = facc2.max(facc1.min(fac11 * fac_old.powf(-BETA) / SAFETY));
        h_new = h / fac;
        if err <= 1.0 {
            fac_old = err.max(1.0e-4);
            if h_new.abs() > h_max {
                h_new = h_max;
            }
            if reject {
                h_new = h_new.abs().min(h.abs());
            }
            reject = false;
            accepted += 1;

            if accepted.is_multiple_of(N_STIFF) || iasti > 0 {
                let (mut num, mut den) = (0.0, 0.0);
                for i in 0..n {
                    let dk = k[1].s()[i] - k[5].s()[i];
                    let dy = y_next.s()[i] - y_stiff.s()[i];
                    num += dk * dk;
                    den += dy * dy;
                }
                let h_lamb = if den > 0.0 {
                    h * (num / den).sqrt()
                } else {
                    0.0
                };
                if h_lamb > 3.25 {
                    iasti += 1;
                    non_stiff = 0;
                    if iasti == 15 {
                        return Err(Failure::Stiff { x });
                    }
                } else {
                    non_stiff += 1;
                    if non_stiff == 6 {
                        iasti = 0;
                    }
                }
            }

            let k1 = k[1].clone();
            k[0] = k1;
            y.clone_from(&y_next);
            x += h;
        } else {
            h_new = h / facc1.min(fac11 / SAFETY);
            reject = true;
            last = false;
        }
        h = h_new;
    }
    Ok(accepted)
}

/// Initial step size (Hairer's `HINIT`, in ode_solvers' variant).
fn hinit<B: Buf, F: Fn(&[f64], &mut [f64])>(
    f: &F,
    y: &[f64],
    h_end: f64,
    h_max: f64,
    tol: Tolerances,
    work: &mut [B; 7],
) -> f64 {
    let (f0s, rest) = work.split_at_mut(1);
    let f0 = f0s[0].m();
    f(y, f0);
    let (mut d0, mut d1) = (0.0, 0.0);
    for (&yi, &fi) in y.iter().zip(f0.iter()) {
        let sc = tol.atol + yi.abs() * tol.rtol;
        d0 += (yi / sc) * (yi / sc);
        d1 += (fi / sc) * (fi / sc);
    }
    let mut h0 = if d0 < 1.0e-10 || d1 < 1.0e-10 {
        1.0e-6
    } else {
        0.01 * (d0 / d1).sqrt()
    };
    h0 = h0.min(h_max);
    let posneg = 1.0_f64.copysign(h_end);
    h0 = h0.abs().copysign(posneg);

    let (y1s, rest) = rest.split_at_mut(1);
    let y1 = y1s[0].m();
    for ((v, &yi), &fi) in y1.iter_mut().zip(y).zip(f0.iter()) {
        *v = yi + fi * h0;
    }
    let f1 = rest[0].m();
    f(y1, f1);
    let mut d2 = 0.0;
    for ((&f1i, &f0i), &yi) in f1.iter().zip(f0.iter()).zip(y) {
        let sc = tol.atol + yi.abs() * tol.rtol;
        d2 += ((f1i - f0i) / sc) * ((f1i - f0i) / sc);
    }
    d2 = d2.sqrt() / h0;
    let h1 = if d1.sqrt().max(d2.abs()) <= 1.0e-15 {
        1.0e-6_f64.max(h0.abs() * 1.0e-3)
    } else {
        (0.01 / d1.sqrt().max(d2)).powf(1.0 / 5.0)
    };
    (100.0 * h0.abs()).min(h1.min(h_max)).copysign(posneg)
}
