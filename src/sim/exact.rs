//! Closed-form flows of one intensity with constant parameters.
//!
//! Under a controller the actors are decoupled between decisions: each obeys
//! `dx/dt = -a x + b` (held input `b`), or with a ceiling `C`
//! `dx/dt = (1 - x/C)(b - a x)`, projected onto `x ≥ 0`. Both have exact
//! solutions, and both are monotone in time (one-dimensional autonomous
//! flows), which the event loop uses to check rungs only at interval ends.

/// `dx/dt = -a x + b` from `x0` over `h` days, stopping at zero when `b < 0`.
#[inline]
pub(crate) fn linear(a: f64, b: f64, x0: f64, h: f64) -> f64 {
    let xs = b / a;
    let e = (-a * h).exp();
    let mut x = xs + (x0 - xs) * e;
    if b < 0.0 {
        // Reaches zero at t0 = ln(1 + a x0 / (-b)) / a, then stays there.
        let t0 = (a * x0 / (-b)).ln_1p() / a;
        if h >= t0 {
            x = 0.0;
        }
    }
    x.max(0.0)
}

/// `dx/dt = (1 - x/C)(b - a x)` from `x0` over `h` days, stopping at zero.
///
/// With `x* = b/a`, `y = x - x*` obeys the logistic equation
/// `dy/dt = -λ y + μ y²` with `λ = a (C - x*)/C` and `μ = a/C`, whose solution
/// is `y(h) = y0 e^{-λh} / (1 - μ y0 (1 - e^{-λh})/λ)`; written with `expm1`
/// so it stays accurate as `λ → 0` (the double root `x* = C`) and never
/// overflows for `λ < 0`. A denominator that reaches zero means a
/// finite-time blow-up (possible only from `x0 > C`): the result is `+∞`.
/// The trajectory is monotone towards `x*` (or `C`), so when the formula
/// goes negative the projected flow has stopped at zero: the result is 0.
#[inline]
pub(crate) fn logistic(a: f64, b: f64, c: f64, x0: f64, h: f64) -> f64 {
    let xs = b / a;
    let y0 = x0 - xs;
    if y0 == 0.0 {
        return xs.max(0.0);
    }
    let lambda = a * (c - xs) / c;
    let mu = a / c;
    let lt = lambda * h;
    let y = if lambda >= 0.0 {
        // φ = (1 - e^{-λh})/λ, with φ → h as λ → 0.
        let phi = if lambda == 0.0 {
            h
        } else {
            -(-lt).exp_m1() / lambda
        };
        let den = 1.0 - mu * y0 * phi;
        if den <= 0.0 {
            return f64::INFINITY;
        }
        y0 * (-lt).exp() / den
    } else {
        // Multiply through by e^{λh} ≤ 1: ψ = (e^{λh} - 1)/λ ∈ [0, 1/|λ|).
        let psi = lt.exp_m1() / lambda;
        let den = lt.exp() - mu * y0 * psi;
        if den <= 0.0 {
            return f64::INFINITY;
        }
        y0 / den
    };
    (xs + y).max(0.0)
}

/// `∫₀ʰ x dt` along [`linear`]'s flow, intensity·days.
#[inline]
pub(crate) fn linear_integral(a: f64, b: f64, x0: f64, h: f64) -> f64 {
    let xs = b / a;
    // Until zero is reached (when b < 0), then nothing.
    let span = if b < 0.0 {
        h.min((a * x0 / (-b)).ln_1p() / a)
    } else {
        h
    };
    (xs * span + (x0 - xs) * -(-a * span).exp_m1() / a).max(0.0)
}

/// `∫₀ʰ x dt` along [`logistic`]'s flow, intensity·days.
///
/// `d/dt ln(C − x) = −ẋ/(C − x) = −(a/C)(b/a − x)`, so
/// `∫ x dt = (b/a) t + (C/a) ln((C − x(t))/(C − x0))` while `x < C`. A flow
/// that stops at zero is integrated to the time it gets there (found by
/// bisection on the closed form).
#[cfg(test)]
pub(crate) fn logistic_integral(a: f64, b: f64, c: f64, x0: f64, h: f64) -> f64 {
    logistic_integral_to(a, b, c, x0, h, logistic(a, b, c, x0, h))
}

/// [`logistic_integral`] given `end = logistic(a, b, c, x0, h)`.
pub(crate) fn logistic_integral_to(a: f64, b: f64, c: f64, x0: f64, h: f64, end: f64) -> f64 {
    if x0 >= c {
        // At the cap the flow stays there (x0 ≤ C is a model rule).
        return c * h;
    }
    let xs = b / a;
    let mut span = h;
    let mut end = end;
    if end <= 0.0 && x0 > 0.0 {
        let (mut lo, mut hi) = (0.0, h);
        for _ in 0..100 {
            let mid = 0.5 * (lo + hi);
            if logistic(a, b, c, x0, mid) > 0.0 {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        span = hi;
        end = 0.0;
    } else if x0 <= 0.0 && end <= 0.0 {
        return 0.0;
    }
    if !end.is_finite() {
        return f64::INFINITY;
    }
    (xs * span + (c / a) * ((c - end) / (c - x0)).ln()).max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fourth-order Runge–Kutta with many small steps, for reference.
    fn rk4(f: impl Fn(f64) -> f64, x0: f64, h: f64) -> f64 {
        let steps = 20_000;
        let dt = h / steps as f64;
        let mut x = x0;
        for _ in 0..steps {
            let k1 = f(x);
            let k2 = f(x + 0.5 * dt * k1);
            let k3 = f(x + 0.5 * dt * k2);
            let k4 = f(x + dt * k3);
            x += dt / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4);
        }
        x
    }

    /// `∫₀ʰ x dt` by RK4 on the pair `(x, c)`, `ċ = x`, with the projection at zero.
    fn rk4_integral(f: impl Fn(f64) -> f64, x0: f64, h: f64) -> f64 {
        let g = |x: f64| {
            let v = f(x);
            if x <= 0.0 && v < 0.0 { 0.0 } else { v }
        };
        let steps = 200_000;
        let dt = h / steps as f64;
        let (mut x, mut c) = (x0, 0.0);
        for _ in 0..steps {
            let k1 = g(x);
            let k2 = g((x + 0.5 * dt * k1).max(0.0));
            let k3 = g((x + 0.5 * dt * k2).max(0.0));
            let k4 = g((x + dt * k3).max(0.0));
            let (l1, l2, l3, l4) = (x, x + 0.5 * dt * k1, x + 0.5 * dt * k2, x + dt * k3);
            x = (x + dt / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)).max(0.0);
            c += dt / 6.0 * (l1 + 2.0 * l2.max(0.0) + 2.0 * l3.max(0.0) + l4.max(0.0));
        }
        c
    }

    #[test]
    fn integrals_match_numerical_quadrature() {
        // (a, b, C, x0, h), with stops at zero (b < 0) among them.
        let cases = [
            (0.5, 0.15, Some(7.0), 2.5, 1.0),
            (0.3, 3.0, Some(7.0), 2.0, 10.0),
            (0.3, 2.1, Some(7.0), 7.0, 10.0),
            (0.4, -0.3, Some(7.0), 2.0, 20.0),
            (0.5, 0.15, None, 2.5, 7.0),
            (0.4, -0.3, None, 2.0, 20.0),
            (0.4, -0.3, None, 0.0, 5.0),
        ];
        for (a, b, c, x0, h) in cases {
            let (got, want) = match c {
                Some(c) => (
                    logistic_integral(a, b, c, x0, h),
                    rk4_integral(|x| (1.0 - x / c) * (b - a * x), x0, h),
                ),
                None => (
                    linear_integral(a, b, x0, h),
                    rk4_integral(|x| b - a * x, x0, h),
                ),
            };
            assert!(
                (got - want).abs() <= 1e-6 * want.abs().max(1.0),
                "{a} {b} {c:?} {x0} {h}: {got} vs {want}"
            );
        }
    }

    #[test]
    fn logistic_matches_numerical_solution() {
        // (a, b, C, x0, h): below and above x*, x* above C, x* = C, x0 = C.
        let cases = [
            (0.5, 0.15, 7.0, 2.5, 1.0),
            (0.4, 0.2, 7.0, 6.5, 3.0),
            (0.3, 3.0, 7.0, 2.0, 10.0),
            (0.3, 2.1, 7.0, 2.0, 10.0),
            (0.3, 2.1, 7.0, 7.0, 10.0),
            (0.7, 0.03, 7.0, 0.8, 0.25),
            (1.2, 0.9, 2.0, 0.1, 40.0),
        ];
        for (a, b, c, x0, h) in cases {
            let f = |x: f64| (1.0 - x / c) * (b - a * x);
            let want = rk4(f, x0, h);
            let got = logistic(a, b, c, x0, h);
            assert!(
                (got - want).abs() <= 1e-10 * (1.0 + want.abs()),
                "a={a} b={b} C={c} x0={x0} h={h}: {got} vs {want}"
            );
        }
    }

    #[test]
    fn logistic_stops_at_zero_with_negative_drive() {
        // x* = -0.2: reaches 0 after a finite time and stays there.
        let (a, b, c) = (0.5, -0.1, 7.0);
        assert_eq!(logistic(a, b, c, 0.3, 50.0), 0.0);
        assert_eq!(logistic(a, b, c, 0.0, 1.0), 0.0);
        // Before reaching zero it follows the unprojected flow.
        let f = |x: f64| (1.0 - x / c) * (b - a * x);
        let early = logistic(a, b, c, 3.0, 0.5);
        assert!((early - rk4(f, 3.0, 0.5)).abs() < 1e-10);
    }

    #[test]
    fn logistic_blows_up_above_the_ceiling() {
        // x0 > C with x* < C: (1 - x/C) < 0 and (b - a x) < 0, so x grows
        // without bound in finite time.
        let (a, b, c, x0) = (0.5, 0.5, 2.0, 3.0);
        assert!(logistic(a, b, c, x0, 0.1).is_finite());
        assert_eq!(logistic(a, b, c, x0, 100.0), f64::INFINITY);
    }

    #[test]
    fn logistic_is_monotone_and_stays_below_the_ceiling() {
        let (a, b, c) = (0.3, 3.0, 7.0);
        let mut prev = 1.0;
        for k in 1..=200 {
            let x = logistic(a, b, c, 1.0, f64::from(k) * 0.5);
            assert!(x >= prev && x <= c, "{x}");
            prev = x;
        }
        let (a, b) = (0.3, 0.3);
        let mut prev = 5.0;
        for k in 1..=200 {
            let x = logistic(a, b, c, 5.0, f64::from(k) * 0.5);
            assert!(x <= prev && x >= b / a, "{x}");
            prev = x;
        }
    }

    #[test]
    fn linear_matches_closed_form() {
        let (a, b, x0, h): (f64, f64, f64, f64) = (0.5, 0.2, 2.0, 1.7);
        let want = 0.4 + (x0 - 0.4) * (-a * h).exp();
        assert!((linear(a, b, x0, h) - want).abs() < 1e-15);
        assert_eq!(linear(0.5, -0.1, 0.1, 10.0), 0.0);
    }
}
