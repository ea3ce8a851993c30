//! The simulator against closed-form solutions of the linear Richardson model.
#![allow(clippy::needless_range_loop)] // index loops mirror the math

use approx::assert_relative_eq;
use escalation::model::{Dynamics, Ladder, Model, Rung};
use escalation::sim::{Outcome, SimOptions, simulate};
use nalgebra::{DMatrix, DVector, SymmetricEigen};

/// A ladder whose top is so high that a 100-day linear run never reaches it.
fn tall_ladder() -> Ladder {
    Ladder::custom(vec![
        Rung {
            name: "low".into(),
            from: 0.0,
            threshold: None,
        },
        Rung {
            name: "top".into(),
            from: 1e12,
            threshold: None,
        },
    ])
    .unwrap()
}

fn model(d: Dynamics, x0: &[f64], horizon: f64) -> Model {
    let mut m = Model::from_dynamics(d, horizon);
    m.initial = DVector::from_column_slice(x0);
    m.ladder = tall_ladder();
    m
}

/// Worst relative error of the samples against `exact(t)`.
fn worst_error(m: &Model, opts: &SimOptions, exact: impl Fn(f64) -> Vec<f64>) -> f64 {
    let run = simulate(m, opts).unwrap();
    assert_eq!(run.outcome, Outcome::None);
    assert_eq!(*run.t.last().unwrap(), m.horizon);
    let mut worst: f64 = 0.0;
    for (k, &t) in run.t.iter().enumerate() {
        let want = exact(t);
        for i in 0..m.n() {
            let got = run.x[i][k];
            worst = worst.max((got - want[i]).abs() / want[i].abs().max(1e-3));
        }
    }
    worst
}

/// Two actors: x(t) = x* + c₊ v₊ e^{λ₊ t} + c₋ v₋ e^{λ₋ t}, with λ± from the
/// trace and determinant of M = [[-a, k], [l, -b]].
fn richardson_closed_form(
    a: f64,
    b: f64,
    k: f64,
    l: f64,
    g: f64,
    h: f64,
    x0: [f64; 2],
) -> impl Fn(f64) -> Vec<f64> {
    let (tr, det) = (-a - b, a * b - k * l);
    let disc = (tr * tr - 4.0 * det).sqrt();
    let (lp, lm) = ((tr + disc) / 2.0, (tr - disc) / 2.0);
    // Equilibrium: M x* = -(g, h).
    let xs = (-(-b * g - k * h) / det, -(-l * g - a * h) / det);
    // Eigenvectors (k, λ + a).
    let (vp, vm) = ((k, lp + a), (k, lm + a));
    let (d0, d1) = (x0[0] - xs.0, x0[1] - xs.1);
    // Solve c₊ vp + c₋ vm = d.
    let den = vp.0 * vm.1 - vm.0 * vp.1;
    let cp = (d0 * vm.1 - vm.0 * d1) / den;
    let cm = (vp.0 * d1 - d0 * vp.1) / den;
    move |t: f64| {
        let (ep, em) = ((lp * t).exp(), (lm * t).exp());
        vec![
            xs.0 + cp * vp.0 * ep + cm * vm.0 * em,
            xs.1 + cp * vp.1 * ep + cm * vm.1 * em,
        ]
    }
}

#[test]
fn two_actors_stable_match_closed_form() {
    let (a, b, k, l, g, h) = (0.5, 0.4, 0.3, 0.6, 0.2, 0.1);
    let d = Dynamics::richardson(a, b, k, l, g, h).unwrap();
    let m = model(d, &[2.0, 1.0], 100.0);
    let exact = richardson_closed_form(a, b, k, l, g, h, [2.0, 1.0]);
    let e_exact = worst_error(&m, &SimOptions::default(), &exact);
    assert!(e_exact < 1e-8, "exact path: {e_exact:e}");
    let ode = SimOptions {
        force_ode: true,
        ..SimOptions::default()
    };
    let e_ode = worst_error(&m, &ode, &exact);
    assert!(e_ode < 1e-8, "ODE path: {e_ode:e}");
}

#[test]
fn two_actors_unstable_match_closed_form() {
    // kl = 0.8 > ab = 0.2: grows like e^{0.45 t}; over 60 days by ~5e11.
    let (a, b, k, l, g, h) = (0.5, 0.4, 0.8, 1.0, 0.2, 0.1);
    let d = Dynamics::richardson(a, b, k, l, g, h).unwrap();
    let m = model(d, &[0.5, 0.2], 60.0);
    let exact = richardson_closed_form(a, b, k, l, g, h, [0.5, 0.2]);
    let e = worst_error(&m, &SimOptions::default(), &exact);
    assert!(e < 1e-8, "exact path: {e:e}");
    let ode = SimOptions {
        force_ode: true,
        ..SimOptions::default()
    };
    let e = worst_error(&m, &ode, &exact);
    assert!(e < 1e-8, "ODE path: {e:e}");
}

/// Five actors with equal restraint and symmetric coupling: M is symmetric,
/// so x(t) = x* + V e^{Λ t} Vᵀ (x0 - x*).
fn five_actor_case(gain: f64) -> (Dynamics, Vec<f64>, impl Fn(f64) -> Vec<f64>) {
    let n = 5;
    let a = 0.6;
    let mut k = DMatrix::zeros(n, n);
    let entries = [
        (0, 1, 0.10),
        (0, 2, 0.05),
        (1, 3, 0.12),
        (2, 3, 0.08),
        (3, 4, 0.15),
        (1, 4, 0.04),
        (0, 4, 0.09),
    ];
    for &(i, j, v) in &entries {
        k[(i, j)] = v;
        k[(j, i)] = v;
    }
    let g = DVector::from_vec(vec![0.1, 0.05, 0.2, 0.0, 0.15]);
    let mut d = Dynamics::new(DVector::from_element(n, a), k, g.clone()).unwrap();
    d.gain = gain;
    let m = d.system_matrix(gain);
    let xs = -m.clone().lu().solve(&g).unwrap();
    let eig = SymmetricEigen::new(m);
    let x0 = vec![1.0, 0.5, 2.0, 0.0, 1.5];
    let d0 = DVector::from_column_slice(&x0) - &xs;
    let coeff = eig.eigenvectors.transpose() * d0;
    let exact = move |t: f64| {
        let scaled =
            DVector::from_iterator(n, (0..n).map(|i| coeff[i] * (eig.eigenvalues[i] * t).exp()));
        (&xs + &eig.eigenvectors * scaled).iter().copied().collect()
    };
    (d, x0, exact)
}

#[test]
fn five_actors_match_closed_form() {
    for gain in [1.0, 3.0] {
        // gain 1: stable; gain 3: ρ(K)·3 > 0.6, explosive.
        let (d, x0, exact) = five_actor_case(gain);
        let m = model(d, &x0, 100.0);
        let e = worst_error(&m, &SimOptions::default(), &exact);
        assert!(e < 1e-8, "gain {gain}, exact path: {e:e}");
        let ode = SimOptions {
            force_ode: true,
            ..SimOptions::default()
        };
        let e = worst_error(&m, &ode, &exact);
        assert!(e < 1e-8, "gain {gain}, ODE path: {e:e}");
    }
}

#[test]
fn closed_form_helper_is_itself_consistent() {
    // Guard the test's own algebra: the closed form satisfies x(0) = x0 and the ODE.
    let (a, b, k, l, g, h) = (0.5, 0.4, 0.3, 0.6, 0.2, 0.1);
    let f = richardson_closed_form(a, b, k, l, g, h, [2.0, 1.0]);
    let x0 = f(0.0);
    assert_relative_eq!(x0[0], 2.0, epsilon = 1e-12);
    assert_relative_eq!(x0[1], 1.0, epsilon = 1e-12);
    let (t, dt) = (3.0, 1e-5);
    let (p, q) = (f(t + dt), f(t - dt));
    let x = f(t);
    assert_relative_eq!(
        (p[0] - q[0]) / (2.0 * dt),
        -a * x[0] + k * x[1] + g,
        epsilon = 1e-6
    );
    assert_relative_eq!(
        (p[1] - q[1]) / (2.0 * dt),
        l * x[0] - b * x[1] + h,
        epsilon = 1e-6
    );
}

#[test]
fn explosion_time_is_the_top_rung_crossing() {
    // Unstable dyad on the default ladder: the run must stop when the first
    // actor reaches 6, at the time the closed form reaches 6.
    let (a, b, k, l, g, h) = (0.5, 0.4, 0.8, 1.0, 0.2, 0.1);
    let d = Dynamics::richardson(a, b, k, l, g, h).unwrap();
    let mut m = Model::from_dynamics(d, 100.0);
    m.initial = DVector::from_vec(vec![0.5, 0.2]);
    let run = simulate(&m, &SimOptions::default()).unwrap();
    assert_eq!(run.outcome, Outcome::Exploded);
    let te = run.explosion_time.unwrap();
    let f = richardson_closed_form(a, b, k, l, g, h, [0.5, 0.2]);
    let at = f(te);
    let top = at[0].max(at[1]);
    assert!(
        (top - 6.0).abs() < 1e-6,
        "max intensity at the explosion time: {top}"
    );
    let before = f(te - 1e-4);
    assert!(before[0].max(before[1]) < 6.0);
    assert_eq!(*run.t.last().unwrap(), te);
}

#[test]
fn controller_approaches_continuous_model_as_period_shrinks() {
    let (a, b, k, l, g, h) = (0.5, 0.4, 0.3, 0.6, 0.2, 0.1);
    let d = Dynamics::richardson(a, b, k, l, g, h).unwrap();
    let m = model(d, &[2.0, 1.0], 20.0);
    let exact = richardson_closed_form(a, b, k, l, g, h, [2.0, 1.0]);
    let mut errors = Vec::new();
    for period in [0.1, 0.01, 0.001] {
        let mut mc = m.clone();
        mc.controller = Some(escalation::control::Controller::new(period, 0).unwrap());
        let run = simulate(&mc, &SimOptions::default()).unwrap();
        let mut worst: f64 = 0.0;
        for (kk, &t) in run.t.iter().enumerate() {
            let want = exact(t);
            for i in 0..2 {
                worst = worst.max((run.x[i][kk] - want[i]).abs() / want[i]);
            }
        }
        errors.push(worst);
    }
    // Zero-order hold is first order in Δ: ten times smaller Δ, about ten times smaller error.
    assert!(errors[1] < errors[0] / 5.0, "{errors:?}");
    assert!(errors[2] < errors[1] / 5.0, "{errors:?}");
    assert!(errors[2] < 2e-3, "{errors:?}");
}

#[test]
fn intensities_never_go_negative() {
    // Deterrence (negative coupling) and negative grievance push towards zero.
    let mut d = Dynamics::richardson(0.3, 0.3, -0.8, -0.5, -0.05, 0.1).unwrap();
    d.gain = 1.0;
    let m = model(d, &[1.0, 3.0], 50.0);
    let run = simulate(&m, &SimOptions::default()).unwrap();
    for s in &run.x {
        assert!(s.iter().all(|&v| v >= 0.0));
    }
    // Actor 0 is driven to zero and must stay there.
    assert_eq!(*run.x[0].last().unwrap(), 0.0);
}

/// `∫₀ᵀ x dt` of the two-actor closed form: x* T + Σ c± v± (e^{λ± T} − 1)/λ±.
#[allow(clippy::too_many_arguments)] // the parameters of the closed form
fn richardson_cost(
    a: f64,
    b: f64,
    k: f64,
    l: f64,
    g: f64,
    h: f64,
    x0: [f64; 2],
    t: f64,
) -> [f64; 2] {
    let (tr, det) = (-a - b, a * b - k * l);
    let disc = (tr * tr - 4.0 * det).sqrt();
    let (lp, lm) = ((tr + disc) / 2.0, (tr - disc) / 2.0);
    let xs = (-(-b * g - k * h) / det, -(-l * g - a * h) / det);
    let (vp, vm) = ((k, lp + a), (k, lm + a));
    let (d0, d1) = (x0[0] - xs.0, x0[1] - xs.1);
    let den = vp.0 * vm.1 - vm.0 * vp.1;
    let cp = (d0 * vm.1 - vm.0 * d1) / den;
    let cm = (vp.0 * d1 - d0 * vp.1) / den;
    let (ip, im) = (((lp * t).exp() - 1.0) / lp, ((lm * t).exp() - 1.0) / lm);
    [
        xs.0 * t + cp * vp.0 * ip + cm * vm.0 * im,
        xs.1 * t + cp * vp.1 * ip + cm * vm.1 * im,
    ]
}

/// A run's cost is the integral of its intensities: on the exact path and
/// the ODE path it equals the closed-form integral to 1e-8 relative, for a
/// stable and an unstable dyad. Every day is quiet on a ladder whose first
/// rung above 0 is out of reach.
#[test]
fn cost_is_the_closed_form_integral_of_intensity() {
    for (a, b, k, l, g, h, x0, horizon) in [
        (0.5, 0.4, 0.3, 0.6, 0.2, 0.1, [2.0, 1.0], 100.0),
        (0.5, 0.4, 0.8, 1.0, 0.2, 0.1, [0.5, 0.2], 40.0),
    ] {
        let d = Dynamics::richardson(a, b, k, l, g, h).unwrap();
        let m = model(d, &x0, horizon);
        let want = richardson_cost(a, b, k, l, g, h, x0, horizon);
        for force_ode in [false, true] {
            let opts = SimOptions {
                force_ode,
                ..SimOptions::default()
            };
            let run = simulate(&m, &opts).unwrap();
            for i in 0..2 {
                let rel = (run.cost[i] - want[i]).abs() / want[i].abs();
                assert!(
                    rel < 1e-8,
                    "actor {i}, ode {force_ode}: {} vs {} ({rel:e})",
                    run.cost[i],
                    want[i]
                );
            }
            assert_eq!(run.quiet_days, horizon);
        }
    }
}

/// Quiet days end at the first rung crossing: for a growing dyad on the
/// standard ladder, they equal the time the closed form first reaches the
/// rung above 0, found by bisection.
#[test]
fn quiet_days_end_at_the_first_crossing() {
    let (a, b, k, l, g, h) = (0.5, 0.4, 0.8, 1.0, 0.2, 0.1);
    let x0 = [0.5, 0.2];
    let d = Dynamics::richardson(a, b, k, l, g, h).unwrap();
    let mut m = Model::from_dynamics(d, 60.0);
    m.initial = DVector::from_column_slice(&x0);
    let first = m.ladder.rungs()[1].from;
    assert!(x0.iter().all(|&x| x < first));
    let exact = richardson_closed_form(a, b, k, l, g, h, x0);
    let above = |t: f64| exact(t).iter().any(|&x| x >= first);
    let (mut lo, mut hi) = (0.0, 60.0);
    assert!(above(hi));
    for _ in 0..80 {
        let mid = 0.5 * (lo + hi);
        if above(mid) { hi = mid } else { lo = mid }
    }
    let run = simulate(&m, &SimOptions::default()).unwrap();
    assert!(
        (run.quiet_days - hi).abs() < 1e-6,
        "{} vs {hi}",
        run.quiet_days
    );
}
