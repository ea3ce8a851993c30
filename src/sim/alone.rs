//! One actor on its own between two decisions.
//!
//! Under a controller the actors are decoupled between decisions: each one's
//! intensity depends only on its own restraint, held drive, ceiling, its
//! hardliners' heat and, with `[peace]`, the factor `π` by which positive
//! grievances have decayed. Its part of the state is `y = [x, c, h, π]`:
//!
//! ```text
//! dx/dt = P(x, b + b⁺·π + w·h − a·x)   (P: ceiling factor, stop at zero)
//! dc/dt = x
//! dh/dt = κ·x − δ·h
//! dπ/dt = −r·π
//! ```
//!
//! Three cases, from cheapest to dearest:
//! - **scalar**: no heat and a constant `π` (no `[peace]`, `r = 0`, or no
//!   positive grievance): the drive is constant, the closed forms of
//!   [`super::exact`] apply;
//! - **linear**: no ceiling and `b ≥ 0` (so `x` never reaches the stop at
//!   zero): `[x, c, h, π, 1]` obeys a linear system, advanced by its
//!   matrix exponential (exact to rounding, cached per step length);
//! - otherwise a Taylor-series integrator of order [`ORDER`] on the four
//!   components (the right-hand side is a polynomial, so the series'
//!   coefficients follow from a recurrence), with the stop at zero located
//!   as a root of the series; Dopri5 on the four components where the
//!   series cannot be used (coefficients out of the float range).
//!
//! **Monotonicity.** The system is cooperative while `x ≤ C`: every
//! off-diagonal partial derivative is non-negative (`∂ẋ/∂h = w(1 − x/C)`,
//! `∂ẋ/∂π = b⁺(1 − x/C)`, `∂ḣ/∂x = κ`). By Kamke's theorem (Smith, *Monotone
//! Dynamical Systems*, 1995, Prop. 3.2.1) a trajectory of a cooperative
//! autonomous system whose initial velocity is componentwise `≥ 0` (or
//! `≤ 0`) is monotone in every component for all time. So when `ẋ`, `ḣ` and
//! `π̇` share a sign at the start of an interval, `x` cannot rise and fall
//! inside it and rungs need only be checked at its end; otherwise the event
//! loop checks them every `check_step`.

use nalgebra::{DMatrix, SMatrix, SVector};

use super::exact;
use super::flow::Config;
use crate::model::field;

/// An actor's parameters over one interval (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Alone {
    /// Restraint `a`.
    pub a: f64,
    /// Held drive `b` (grievance not carried by `π`, plus the controller input).
    pub b: f64,
    /// Positive grievance `b⁺` carried by `π` (0 without `[peace]`).
    pub bp: f64,
    /// Decay rate `r` of `π`.
    pub rate: f64,
    /// Ceiling `C`.
    pub ceiling: Option<f64>,
    /// Hardliners: (feed `κ`, decay `δ`, weight `w`), and the index of the
    /// heat in the whole state.
    pub heat: Option<(f64, f64, f64, usize)>,
}

impl Alone {
    /// Actor `i` of `cfg` (which must not be coupled).
    pub fn of(cfg: &Config, i: usize) -> Self {
        let h0 = cfg.heat_at();
        let heat = cfg.heat.iter().position(|h| h.actor == i).map(|k| {
            let h = &cfg.heat[k];
            (h.feed, h.decay, h.weight, h0 + k)
        });
        let (bp, rate) = match &cfg.peace {
            Some((bp, rate)) => (bp[i], *rate),
            None => (0.0, 0.0),
        };
        Self {
            a: cfg.a[i],
            b: cfg.b[i],
            bp,
            rate,
            ceiling: cfg.ceiling[i],
            heat,
        }
    }

    /// `[x, c, h, π]` of actor `i` in the whole state `s`.
    pub fn y(&self, cfg: &Config, s: &[f64], i: usize) -> [f64; 4] {
        [
            s[i],
            s[cfg.cost_at() + i],
            self.heat.map_or(0.0, |(.., k)| s[k]),
            if cfg.peace.is_some() {
                s[cfg.peace_at()]
            } else {
                0.0
            },
        ]
    }

    /// The drive is constant over the interval: closed forms apply.
    pub fn scalar(&self) -> bool {
        self.heat.is_none() && (self.rate == 0.0 || self.bp == 0.0)
    }

    /// No ceiling and no stop at zero: the flow is linear.
    pub fn linear(&self) -> bool {
        self.ceiling.is_none() && self.b >= 0.0
    }

    /// The drive before the ceiling factor and the stop at zero.
    fn drive(&self, y: &[f64]) -> f64 {
        let w = self.heat.map_or(0.0, |(_, _, w, _)| w);
        self.b + self.bp * y[3] + w * y[2] - self.a * y[0]
    }

    /// `dy/dt` at `y`.
    pub fn rhs(&self, y: &[f64], out: &mut [f64]) {
        out[0] = field::projected(y[0], self.drive(y), self.ceiling);
        out[1] = y[0];
        out[2] = match self.heat {
            Some((feed, decay, _, _)) => feed * y[0] - decay * y[2],
            None => 0.0,
        };
        out[3] = -self.rate * y[3];
    }

    /// True when `x` is monotone over any interval starting at `y` (see the
    /// module documentation).
    pub fn monotone_at(&self, y: &[f64; 4]) -> bool {
        if self.scalar() {
            return true;
        }
        if self.ceiling.is_some_and(|c| y[0] > c) {
            return false;
        }
        let mut d = [0.0; 4];
        self.rhs(y, &mut d);
        let (x, h, p) = (d[0], d[2], d[3]);
        (x >= 0.0 && h >= 0.0 && p >= 0.0) || (x <= 0.0 && h <= 0.0 && p <= 0.0)
    }

    /// Bounds `[lo, hi]` on `x` over the next `h` days from `y`, for an actor
    /// with a ceiling (`None` without one, or above it).
    ///
    /// By the comparison theorem for scalar equations, `x` stays between the
    /// frozen-drive flows with the least and the greatest drive the interval
    /// allows: `π ∈ [π₀e^{−rh}, π₀]`, `h ∈ [h₀e^{−δh}, h₀ + κ·x̄·h]` (heat only
    /// decays without feed, and gains at most `κ` times the largest
    /// intensity), first with `x̄ = C`, then with the upper bound found. Each
    /// frozen flow is monotone in time, so its extreme over the interval is
    /// at one of its ends. Used to skip intermediate rung checks when the
    /// whole range stays on one rung.
    pub fn range(&self, y: &[f64; 4], h: f64) -> Option<(f64, f64)> {
        let c = self.ceiling?;
        if y[0].is_nan() || y[0] > c {
            return None;
        }
        let (feed, decay, w) = self.heat.map_or((0.0, 0.0, 0.0), |(f, d, w, _)| (f, d, w));
        let frozen = |drive: f64| exact::logistic(self.a, drive, c, y[0], h);
        let pi_lo = y[3] * (-self.rate * h).exp();
        let heat_lo = y[2] * (-decay * h).exp();
        let lo = frozen(self.b + self.bp * pi_lo + w * heat_lo).min(y[0]);
        let mut hi = c;
        for _ in 0..2 {
            let heat_hi = y[2] + feed * hi * h;
            hi = frozen(self.b + self.bp * y[3] + w * heat_hi).max(y[0]);
        }
        // A margin for the rounding of the closed forms.
        let pad = |v: f64| 1e-9 * (1.0 + v.abs());
        Some((lo - pad(lo), hi + pad(hi)))
    }

    /// `(x, c)` after `h` days in closed form (for [`Alone::scalar`]).
    pub fn scalar_step(&self, y: &[f64; 4], h: f64) -> (f64, f64) {
        let b = self.b + self.bp * y[3];
        match self.ceiling {
            None => (
                exact::linear(self.a, b, y[0], h),
                y[1] + exact::linear_integral(self.a, b, y[0], h),
            ),
            Some(c) => {
                let x = exact::logistic(self.a, b, c, y[0], h);
                (
                    x,
                    y[1] + exact::logistic_integral_to(self.a, b, c, y[0], h, x),
                )
            }
        }
    }

    /// The propagator `e^{M h}` of `[x, c, h, π, 1]` (for [`Alone::linear`]).
    pub fn propagator(&self, h: f64) -> SMatrix<f64, 5, 5> {
        let (feed, decay, w) = self.heat.map_or((0.0, 0.0, 0.0), |(f, d, w, _)| (f, d, w));
        let mut m = DMatrix::zeros(5, 5);
        m[(0, 0)] = -self.a;
        m[(0, 2)] = w;
        m[(0, 3)] = self.bp;
        m[(0, 4)] = self.b;
        m[(1, 0)] = 1.0;
        m[(2, 0)] = feed;
        m[(2, 2)] = -decay;
        m[(3, 3)] = -self.rate;
        let e = crate::analysis::expm(&(m * h));
        SMatrix::<f64, 5, 5>::from_iterator(e.iter().copied())
    }
}

/// Order of the Taylor series of [`Alone::taylor`].
pub(crate) const ORDER: usize = 20;

/// `1/(k+1)` for `k < ORDER` (a multiplication instead of a division in
/// the recurrence).
const RECIPROCALS: [f64; ORDER] = {
    let mut r = [0.0; ORDER];
    let mut k = 0;
    while k < ORDER {
        r[k] = 1.0 / (k + 1) as f64;
        k += 1;
    }
    r
};

impl Alone {
    /// `y` after `h` days by Taylor series, with the local error per step
    /// below `atol + rtol·|yᵢ|` in every component (estimated from the last
    /// two coefficients, as in Jorba and Zou, *Experimental Mathematics*
    /// 14, 2005), in at most `max_steps` steps. `None` when the series
    /// cannot be used (non-finite coefficients, a vanishing step, the step
    /// limit): the caller then falls back to Dopri5.
    ///
    /// With `x(t) = Σ Xₖtᵏ` and likewise `H`, `P`, `C`: `D = b + wH + b⁺P −
    /// aX` (plus `b` at order 0), `F = 1 − X/C` (1 without a ceiling), and
    /// `X_{k+1} = (F·D)ₖ/(k+1)` (a Cauchy product), `H_{k+1} = (κXₖ −
    /// δHₖ)/(k+1)`, `P_{k+1} = −rPₖ/(k+1)`, `C_{k+1} = Xₖ/(k+1)`. Where
    /// the series takes `x` below zero, the crossing is found on the
    /// polynomial by bisection and `x` stays at zero from there: at `x = 0`
    /// the drive `b + wh + b⁺π` can only fall (heat and `π` only decay
    /// there), so the flow does not leave zero within the interval.
    pub fn taylor(
        &self,
        y0: &[f64; 4],
        h: f64,
        (rtol, atol, max_steps): (f64, f64, u32),
    ) -> Option<[f64; 4]> {
        let (feed, decay, w) = self.heat.map_or((0.0, 0.0, 0.0), |(f, d, w, _)| (f, d, w));
        let inv_c = self.ceiling.map_or(0.0, |c| 1.0 / c);
        let mut y = *y0;
        let mut t = 0.0;
        let mut co = [[0.0; ORDER + 1]; 4];
        let mut steps = 0;
        while t < h {
            steps += 1;
            if steps > max_steps {
                return None;
            }
            let left = h - t;
            if y[0] <= 0.0 && self.drive(&[0.0, y[1], y[2], y[3]]) <= 0.0 {
                // Stopped at zero for the rest of the interval.
                return Some([
                    0.0,
                    y[1],
                    y[2] * (-decay * left).exp(),
                    y[3] * (-self.rate * left).exp(),
                ]);
            }
            for (c, v) in co.iter_mut().zip(y) {
                c[0] = v;
            }
            let tol: [f64; 4] = std::array::from_fn(|i| atol + rtol * y[i].abs());
            let inv_tol: [f64; 4] = std::array::from_fn(|i| 1.0 / tol[i]);
            // Components that stay constant have no higher coefficients.
            let (heat_moves, pi_moves) = (self.heat.is_some(), self.rate != 0.0);
            // Terms are added until one is below the tolerance over the
            // whole remaining interval and at most half the one before; if
            // the order runs out first, the step is shortened from the
            // last two coefficients.
            let mut d = [0.0; ORDER + 1];
            let mut order = ORDER;
            let mut converged = false;
            let mut prev = 0.0;
            let mut power = 1.0;
            for k in 0..ORDER {
                d[k] = w * co[2][k] + self.bp * co[3][k] - self.a * co[0][k];
                if k == 0 {
                    d[0] += self.b;
                }
                // (F·D)ₖ with F₀ = 1 − X₀/C, Fⱼ = −Xⱼ/C.
                let xd: f64 = co[0][..=k]
                    .iter()
                    .zip(d[..=k].iter().rev())
                    .map(|(x, d)| x * d)
                    .sum();
                let r = RECIPROCALS[k];
                co[0][k + 1] = (d[k] - inv_c * xd) * r;
                co[1][k + 1] = co[0][k] * r;
                co[2][k + 1] = if heat_moves {
                    (feed * co[0][k] - decay * co[2][k]) * r
                } else {
                    0.0
                };
                co[3][k + 1] = if pi_moves {
                    -self.rate * co[3][k] * r
                } else {
                    0.0
                };
                power *= left;
                // The largest scaled coefficient, over the components that
                // move. (Plain comparisons: a NaN coefficient is caught by
                // the finiteness check of the step's result, which then
                // hands the interval to Dopri5.)
                let big = |a: f64, b: f64| if a > b { a } else { b };
                let mut m = big(
                    co[0][k + 1].abs() * inv_tol[0],
                    co[1][k + 1].abs() * inv_tol[1],
                );
                if heat_moves {
                    m = big(m, co[2][k + 1].abs() * inv_tol[2]);
                }
                if pi_moves {
                    m = big(m, co[3][k + 1].abs() * inv_tol[3]);
                }
                let term = power * m;
                // A term below the tolerance and at most half the one
                // before: the tail (a faster-than-geometric series here)
                // is then below that term.
                if k > 0 && term < 1.0 && term <= 0.5 * prev {
                    converged = true;
                    order = k + 1;
                    break;
                }
                prev = term;
            }
            let step = if converged {
                left
            } else {
                let mut step = f64::INFINITY;
                for (i, c) in co.iter().enumerate() {
                    for k in [ORDER - 1, ORDER] {
                        let m = c[k].abs() / tol[i];
                        if !m.is_finite() {
                            return None;
                        }
                        if m > 0.0 {
                            step = step.min(m.powf(-1.0 / k as f64));
                        }
                    }
                }
                (0.5 * step).min(left)
            };
            if step.is_nan() || step <= 1e-12 * left.max(1e-300) {
                return None;
            }
            let eval = |c: &[f64; ORDER + 1], s: f64| {
                c[..=order].iter().rev().fold(0.0, |acc, &v| acc * s + v)
            };
            let x_end = eval(&co[0], step);
            if x_end < 0.0 {
                // The stop at zero: the first root of X in (0, step).
                let (mut lo, mut hi) = (0.0, step);
                for _ in 0..200 {
                    let mid = 0.5 * (lo + hi);
                    if mid <= lo || mid >= hi {
                        break;
                    }
                    if eval(&co[0], mid) > 0.0 {
                        lo = mid;
                    } else {
                        hi = mid;
                    }
                }
                y = [0.0, eval(&co[1], hi), eval(&co[2], hi), eval(&co[3], hi)];
                t += hi;
                continue;
            }
            let mut x = x_end;
            if let Some(c) = self.ceiling {
                x = x.min(c);
            }
            y = [
                x,
                eval(&co[1], step),
                eval(&co[2], step),
                eval(&co[3], step),
            ];
            if !y.iter().all(|v| v.is_finite()) {
                return None;
            }
            t += step;
        }
        Some(y)
    }
}

/// `p · [y; 1]`, the intensity kept at or above zero (rounding may leave
/// -1e-17 where the exact value is 0).
pub(crate) fn apply(p: &SMatrix<f64, 5, 5>, y: &[f64; 4]) -> [f64; 4] {
    let v = p * SVector::<f64, 5>::new(y[0], y[1], y[2], y[3], 1.0);
    [v[0].max(0.0), v[1], v[2], v[3]]
}
