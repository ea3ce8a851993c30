//! Explosion detection on simulated runs (linear and capped), and the
//! continuation of equilibria with tipping points and hysteresis.

use approx::assert_relative_eq;
use escalation::analysis::{
    Face, ceiling_equilibrium, continuation, critical_gain, detect_explosion, face_equilibria,
    fit_growth, leading_mode, spectral_abscissa,
};
use escalation::model::{Dynamics, Ladder, Model, Rung};
use escalation::sim::{Outcome, SimOptions, Trajectory, simulate};
use nalgebra::{DMatrix, DVector};

fn model(d: Dynamics, x0: &[f64], horizon: f64) -> Model {
    let mut m = Model::from_dynamics(d, horizon);
    m.initial = DVector::from_column_slice(x0);
    m
}

#[test]
fn explosion_along_the_leading_mode_is_exactly_exponential() {
    // kl = 0.8 > ab = 0.2; no grievance; start on the Perron vector.
    let d = Dynamics::richardson(0.5, 0.4, 0.8, 1.0, 0.0, 0.0).unwrap();
    let alpha = spectral_abscissa(&d, 1.0).unwrap();
    let mode = leading_mode(&d.system_matrix(1.0)).unwrap();
    let v: Vec<f64> = mode.right.iter().map(|z| z.re.abs()).collect();
    let x0: Vec<f64> = v.iter().map(|x| 0.01 * x / v[0]).collect();
    let run = simulate(&model(d, &x0, 100.0), &SimOptions::default()).unwrap();
    let ex = detect_explosion(&run, &Ladder::standard());
    assert!(ex.exploded);
    assert_eq!(ex.top_rung, 6);
    assert_eq!(ex.highest_rung, 6);
    // x_i(t) = x0_i e^{αt}: rung r is reached at ln(r/x0_i)/α.
    for c in &ex.crossings {
        let i = usize::from(c.actor == "Y");
        let want = (c.rung as f64 / x0[i]).ln() / alpha;
        assert!((c.t - want).abs() < 1e-7, "{c:?}: want {want}");
    }
    let first_top = x0
        .iter()
        .map(|x| (6.0 / x).ln() / alpha)
        .fold(f64::INFINITY, f64::min);
    assert_relative_eq!(ex.explosion_time.unwrap(), first_top, epsilon = 1e-7);
    assert!(ex.crossings.windows(2).all(|w| w[0].t <= w[1].t));
    let fit = ex.growth.unwrap();
    assert_relative_eq!(fit.rate, alpha, max_relative = 1e-6);
    assert!(fit.r2 > 0.999_999);
    assert_relative_eq!(
        fit.doubling_time.unwrap(),
        std::f64::consts::LN_2 / alpha,
        max_relative = 1e-6
    );
}

#[test]
fn fitted_growth_agrees_with_the_leading_eigenvalue() {
    // Generic starts, grievance and three to five actors: the transient
    // fades and the tail grows at the spectral abscissa.
    let cases: [(&[f64], &[f64], &[f64]); 3] = [
        (
            &[0.5, 0.3, 0.4],
            &[0.0, 0.4, 0.3, 0.5, 0.0, 0.2, 0.1, 0.6, 0.0],
            &[0.05, 0.0, 0.1],
        ),
        (
            &[0.2, 0.6, 0.4, 0.3],
            &[
                0.0, 0.5, 0.0, 0.2, 0.3, 0.0, 0.4, 0.0, 0.0, 0.3, 0.0, 0.5, 0.6, 0.0, 0.1, 0.0,
            ],
            &[0.1, 0.0, 0.0, 0.05],
        ),
        (
            &[0.3, 0.3, 0.3, 0.3, 0.3],
            &[
                0.0, 0.2, 0.0, 0.0, 0.2, 0.2, 0.0, 0.2, 0.0, 0.0, 0.0, 0.2, 0.0, 0.2, 0.0, 0.0,
                0.0, 0.2, 0.0, 0.2, 0.2, 0.0, 0.0, 0.2, 0.0,
            ],
            &[0.01; 5],
        ),
    ];
    for (a, k, g) in cases {
        let n = a.len();
        let d = Dynamics::new(
            DVector::from_column_slice(a),
            DMatrix::from_row_slice(n, n, k),
            DVector::from_column_slice(g),
        )
        .unwrap();
        let alpha = spectral_abscissa(&d, 1.0).unwrap();
        assert!(alpha > 0.0);
        let x0: Vec<f64> = (0..n).map(|i| 0.001 * (1.0 + i as f64)).collect();
        let run = simulate(&model(d, &x0, 400.0), &SimOptions::default()).unwrap();
        assert_eq!(run.outcome, Outcome::Exploded);
        let fit = detect_explosion(&run, &Ladder::standard()).growth.unwrap();
        assert!(
            (fit.rate - alpha).abs() < 0.03 * alpha,
            "n={n}: fit {} vs α {alpha}",
            fit.rate
        );
    }
}

#[test]
fn oscillatory_growth_is_fitted_too() {
    // The three-cycle with one deterrent link crosses as a Hopf pair at
    // γ = 2a/k = 1.6; at γ = 2 the pair grows at −a + γk/2 = 0.1 per day.
    let (a, k) = (0.4, 0.5);
    let kmat = DMatrix::from_row_slice(3, 3, &[0.0, k, 0.0, 0.0, 0.0, k, -k, 0.0, 0.0]);
    let mut d = Dynamics::new(DVector::from_element(3, a), kmat, DVector::zeros(3)).unwrap();
    d.gain = 2.0;
    let alpha = spectral_abscissa(&d, 2.0).unwrap();
    assert_relative_eq!(alpha, 0.1, epsilon = 1e-12);
    // Equilibrium at 10⁴ so the oscillation never touches the floor.
    let xstar = DVector::from_element(3, 1e4);
    d.grievance = -(d.system_matrix(2.0) * &xstar);
    let mut m = model(d, &[1e4 + 1.0, 1e4, 1e4 - 0.5], 80.0);
    m.ladder = Ladder::custom(vec![
        Rung {
            name: "low".into(),
            from: 0.0,
            threshold: None,
        },
        Rung {
            name: "top".into(),
            from: 1e9,
            threshold: None,
        },
    ])
    .unwrap();
    let run = simulate(&m, &SimOptions::default()).unwrap();
    let fit = fit_growth(&run.t, &run.x, Some(xstar.as_slice())).unwrap();
    assert!(
        (fit.rate - alpha).abs() < 0.05 * alpha,
        "fit {} vs α {alpha}",
        fit.rate
    );
}

#[test]
fn a_capped_explosion_is_detected_and_slower_than_linear() {
    // Ceilings at 10 lie above the top rung (6): the run still explodes,
    // but the logistic factor slows the growth below the linear rate.
    let mut d = Dynamics::richardson(0.5, 0.4, 0.8, 1.0, 0.01, 0.01).unwrap();
    d.ceiling = vec![Some(10.0), Some(10.0)];
    let alpha = spectral_abscissa(&d, 1.0).unwrap();
    let run = simulate(&model(d, &[0.01, 0.01], 100.0), &SimOptions::default()).unwrap();
    let ex = detect_explosion(&run, &Ladder::standard());
    assert!(ex.exploded);
    assert_eq!(ex.highest_rung, 6);
    for r in 1..=5 {
        assert!(
            ex.crossings.iter().any(|c| c.rung == r && c.actor == "X"),
            "rung {r}"
        );
    }
    assert!(
        ex.crossings
            .iter()
            .any(|c| c.rung == 6 && c.t == ex.explosion_time.unwrap())
    );
    let fit = ex.growth.unwrap();
    assert!(
        fit.rate < alpha && fit.rate > 0.6 * alpha,
        "fit {} vs α {alpha}",
        fit.rate
    );
}

#[test]
fn crossings_from_samples_when_there_are_no_events() {
    // A hand-made trajectory: x = t/2 for one actor, no events.
    let t: Vec<f64> = (0..=20).map(f64::from).collect();
    let run = Trajectory {
        actors: vec!["A".into()],
        x: vec![t.iter().map(|v| v / 2.0).collect()],
        rung: vec![vec![0; t.len()]],
        t,
        events: Vec::new(),
        outcome: Outcome::None,
        explosion_time: None,
        verification: Vec::new(),
        final_x: vec![10.0],
        end_time: 20.0,
        cost: vec![100.0],
        quiet_days: 2.0,
        hardliners: Vec::new(),
        hardliner_actors: Vec::new(),
    };
    let ex = detect_explosion(&run, &Ladder::standard());
    assert!(!ex.exploded);
    assert_eq!(ex.highest_rung, 6);
    for c in &ex.crossings {
        assert_relative_eq!(c.t, 2.0 * c.rung as f64, epsilon = 1e-12);
    }
    assert_eq!(ex.crossings.len(), 6);
}

#[test]
fn linear_continuation_tips_at_the_critical_gain() {
    let mut rng_free = Dynamics::new(
        DVector::from_vec(vec![0.5, 0.4, 0.6]),
        DMatrix::from_row_slice(3, 3, &[0.0, 0.3, 0.1, 0.4, 0.0, 0.2, 0.1, 0.5, 0.0]),
        DVector::from_vec(vec![0.1, 0.05, 0.0]),
    )
    .unwrap();
    rng_free.gain = 1.0;
    let gstar = critical_gain(&rng_free).unwrap().unwrap();
    let b = continuation(&rng_free, (0.0, 2.0 * gstar), 50).unwrap();
    assert_eq!(b.folds.len(), 1, "{:?}", b.folds);
    let f = &b.folds[0];
    assert!(f.increasing && f.escalation && f.to.is_none());
    assert_relative_eq!(f.gain, gstar, max_relative = 1e-9);
    assert!(b.hysteresis.is_none());
    // One interior branch, stable up to γ*.
    let interior: Vec<_> = b
        .branches
        .iter()
        .filter(|br| br.faces.iter().all(|&f| f == Face::Free))
        .collect();
    assert_eq!(interior.len(), 1);
    for p in &interior[0].points {
        assert_eq!(p.stable, p.gain < gstar, "γ = {}", p.gain);
    }
}

/// Two rivals, one with a standing grievance (g₁ = 0.5), one inclined to
/// calm (g₂ = −1), unit restraint and coupling, ceilings at 5 (γ* = 1).
///
/// Peace `(0.5, 0)` holds while actor 2's drive `0.5γ − 1` stays negative:
/// up to γ = 2. War is the corner `(5, 5)`, continued down through the
/// face `(5, 5γ − 1)` until actor 1's drive `−4.5 + γ(5γ − 1)` vanishes at
/// `γ = (1 + √91)/10`. Between the two gains the loop is bistable.
fn bistable() -> Dynamics {
    let mut d = Dynamics::richardson(1.0, 1.0, 1.0, 1.0, 0.5, -1.0).unwrap();
    d.ceiling = vec![Some(5.0), Some(5.0)];
    d
}

#[test]
fn hysteresis_between_escalation_and_deescalation() {
    let d = bistable();
    let b = continuation(&d, (0.0, 3.0), 120).unwrap();
    let h = b.hysteresis.unwrap();
    let down = (1.0 + 91f64.sqrt()) / 10.0;
    assert_relative_eq!(h.escalation_gain, 2.0, max_relative = 1e-9);
    // Fold gains are located to the marginal tolerance (1e-9 of the eigenvalue scale).
    assert_relative_eq!(h.deescalation_gain, down, max_relative = 1e-8);
    assert_relative_eq!(h.width, 2.0 - down, max_relative = 1e-8);
    let up = b.folds.iter().find(|f| f.increasing).unwrap();
    assert!(up.escalation);
    assert_relative_eq!(up.from[0], 0.5, epsilon = 1e-9);
    assert_eq!(up.to.as_deref(), Some(&[5.0, 5.0][..]));
    let dn = b.folds.iter().find(|f| !f.increasing).unwrap();
    assert!(!dn.escalation);
    assert_relative_eq!(dn.to.as_ref().unwrap()[0], 0.5, epsilon = 1e-6);
    assert_eq!(b.folds.len(), 2, "{:?}", b.folds);

    // Inside the window both states are stable equilibria…
    let eqs = face_equilibria(&d, 1.5).unwrap();
    let stable: Vec<_> = eqs.iter().filter(|e| e.stable).collect();
    assert_eq!(stable.len(), 2, "{eqs:?}");
    assert_eq!(stable[0].faces, vec![Face::Free, Face::Floor]);
    assert_eq!(stable[1].faces, vec![Face::Ceiling, Face::Ceiling]);
    // …which Newton finds from nearby starts (it finds equilibria, not
    // attractors: next to the saddle (0.8, 0.2) it lands on the saddle)…
    let low = ceiling_equilibrium(&d, 1.5, &DVector::from_vec(vec![0.6, 0.0]))
        .unwrap()
        .unwrap();
    assert!((low[0] - 0.5).abs() < 1e-12 && low[1] == 0.0, "{low}");
    let saddle = ceiling_equilibrium(&d, 1.5, &DVector::from_vec(vec![0.7, 0.1]))
        .unwrap()
        .unwrap();
    assert!(
        (saddle[0] - 0.8).abs() < 1e-12 && (saddle[1] - 0.2).abs() < 1e-12,
        "{saddle}"
    );
    assert!(
        eqs.iter()
            .any(|e| !e.stable && (e.x[0] - 0.8).abs() < 1e-12)
    );
    let high = ceiling_equilibrium(&d, 1.5, &DVector::from_vec(vec![4.5, 4.6]))
        .unwrap()
        .unwrap();
    assert!((high[0] - 5.0).abs() < 1e-9 && (high[1] - 5.0).abs() < 1e-9);
    // …and the simulator confirms: each state holds at γ = 1.5, and each
    // tips past its own gain.
    let settle = |gain: f64, x0: [f64; 2]| {
        let mut dd = d.clone();
        dd.gain = gain;
        simulate(&model(dd, &x0, 200.0), &SimOptions::default())
            .unwrap()
            .final_x
    };
    let peace = settle(1.5, [0.5, 0.0]);
    assert!(
        (peace[0] - 0.5).abs() < 1e-6 && peace[1] < 1e-6,
        "{peace:?}"
    );
    let war = settle(1.5, [4.9, 4.9]);
    assert!(war.iter().all(|&x| x > 4.99), "{war:?}");
    let tipped_up = settle(2.1, [0.5, 0.0]);
    assert!(tipped_up.iter().all(|&x| x > 4.9), "{tipped_up:?}");
    let tipped_down = settle(1.0, [4.9, 4.9]);
    assert!(
        (tipped_down[0] - 0.5).abs() < 1e-3 && tipped_down[1] < 1e-3,
        "{tipped_down:?}"
    );
}

#[test]
fn capped_loop_without_hysteresis_moves_continuously() {
    // Positive grievance and coupling: the low equilibrium rises into the
    // ceilings and the state follows it without a jump.
    let mut d = Dynamics::richardson(0.5, 0.4, 0.3, 0.6, 0.2, 0.1).unwrap();
    d.ceiling = vec![Some(5.0), Some(5.0)];
    let b = continuation(&d, (0.0, 3.0), 60).unwrap();
    assert!(b.folds.is_empty(), "{:?}", b.folds);
    assert!(b.hysteresis.is_none());
    // At every grid gain exactly one stable equilibrium.
    for &g in &b.gains {
        let n = face_equilibria(&d, g)
            .unwrap()
            .iter()
            .filter(|e| e.stable)
            .count();
        assert_eq!(n, 1, "γ = {g}");
    }
}
