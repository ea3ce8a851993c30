//! Equilibria of a two-actor system with logistic ceilings on the orthant,
//! by enumeration, for the gallery's phase portrait and bifurcation diagram.
//!
//! With `F_i(x) = -a_i x_i + γ Σ_j K_ij x_j + g_i` the flow is
//! `dx_i/dt = (1 - x_i/C_i) F_i(x)`, held at `x_i = 0` when `F_i < 0`. So at
//! an equilibrium each actor is either at zero (with `F_i ≤ 0`), at its
//! ceiling, or free with `F_i = 0`. Each of the nine combinations is a linear
//! problem. Stability: a zero actor needs `F_i < 0`, a capped actor
//! `F_i > 0` (its Jacobian row is `-F_i/C_i` on the diagonal), and the free
//! actors' block `diag(1 - x_i/C_i) (-A + γK)` must be Hurwitz.

use escalation::model::Dynamics;

/// Where an actor sits at an equilibrium.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Zero,
    Free,
    Cap,
}

/// The nine combinations, in a fixed order.
pub const COMBOS: [[Role; 2]; 9] = {
    use Role::{Cap, Free, Zero};
    [
        [Zero, Zero],
        [Zero, Free],
        [Zero, Cap],
        [Free, Zero],
        [Free, Free],
        [Free, Cap],
        [Cap, Zero],
        [Cap, Free],
        [Cap, Cap],
    ]
};

/// An equilibrium: its combination, state (intensity) and stability.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Equilibrium {
    pub combo: usize,
    pub x: [f64; 2],
    pub stable: bool,
}

fn drive(d: &Dynamics, gain: f64, x: [f64; 2], i: usize) -> f64 {
    let j = 1 - i;
    -d.restraint[i] * x[i] + gain * d.coupling[(i, j)] * x[j] + d.grievance[i]
}

/// The equilibrium of combination `c` at `gain`, if it is admissible.
pub fn solve(d: &Dynamics, gain: f64, c: usize) -> Option<Equilibrium> {
    let roles = COMBOS[c];
    let cap = |i: usize| d.ceiling[i];
    let m = d.system_matrix(gain);
    let mut x = [0.0; 2];
    for i in 0..2 {
        if roles[i] == Role::Cap {
            x[i] = cap(i)?;
        }
    }
    let free: Vec<usize> = (0..2).filter(|&i| roles[i] == Role::Free).collect();
    match free.as_slice() {
        [] => {}
        &[i] => {
            let j = 1 - i;
            if m[(i, i)] == 0.0 {
                return None;
            }
            x[i] = -(d.grievance[i] + m[(i, j)] * x[j]) / m[(i, i)];
        }
        _ => {
            let det = m[(0, 0)] * m[(1, 1)] - m[(0, 1)] * m[(1, 0)];
            if det.abs() < 1e-14 {
                return None;
            }
            let (g0, g1) = (-d.grievance[0], -d.grievance[1]);
            x[0] = (g0 * m[(1, 1)] - m[(0, 1)] * g1) / det;
            x[1] = (m[(0, 0)] * g1 - m[(1, 0)] * g0) / det;
        }
    }
    let tol = 1e-12;
    let mut stable = true;
    for i in 0..2 {
        let f = drive(d, gain, x, i);
        match roles[i] {
            Role::Zero => {
                if f > tol {
                    return None;
                }
                stable &= f < -tol;
            }
            Role::Cap => stable &= f > tol,
            Role::Free => {
                let hi = cap(i).unwrap_or(f64::INFINITY);
                if !(x[i] > tol && x[i] < hi - tol) {
                    return None;
                }
            }
        }
    }
    // The free block of the Jacobian.
    let scale = |i: usize| cap(i).map_or(1.0, |ci| 1.0 - x[i] / ci);
    stable &= match free.as_slice() {
        [] => true,
        &[i] => scale(i) * m[(i, i)] < 0.0,
        _ => {
            let j00 = scale(0) * m[(0, 0)];
            let j01 = scale(0) * m[(0, 1)];
            let j10 = scale(1) * m[(1, 0)];
            let j11 = scale(1) * m[(1, 1)];
            j00 + j11 < 0.0 && j00 * j11 - j01 * j10 > 0.0
        }
    };
    Some(Equilibrium {
        combo: c,
        x,
        stable,
    })
}

/// All admissible equilibria at `gain`.
pub fn all(d: &Dynamics, gain: f64) -> Vec<Equilibrium> {
    (0..COMBOS.len())
        .filter_map(|c| solve(d, gain, c))
        .collect()
}

/// The gain in `(lo, hi)` where combination `c` stops (or starts) being
/// admissible, by bisection; `lo` admissible iff `lo_in`.
pub fn edge(d: &Dynamics, c: usize, mut lo: f64, mut hi: f64, lo_in: bool) -> f64 {
    for _ in 0..60 {
        let mid = 0.5 * (lo + hi);
        if solve(d, mid, c).is_some() == lo_in {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}
