//! The sampled-data loop: exact ZOH, the companion matrix against the
//! simulator, delay independence of positive loops, the effect of lag with
//! derivative action, the delay margin, and verdicts against simulation.

use crate::common;
use approx::assert_relative_eq;
use escalation::analysis::{
    DelayMargin, Verdict, companion, critical_gain, delay_margin, loop_radius_bound,
    sampled_critical_gain, sampled_spectral_radius, sampled_stability, unstable_root_count, zoh,
};
use escalation::control::Controller;
use escalation::model::{Dynamics, Ladder, Model, Rung};
use escalation::sim::{Outcome, SimOptions, simulate};
use nalgebra::{DMatrix, DVector};
use rand::{Rng, SeedableRng};

fn random_dynamics(rng: &mut impl Rng, n: usize, lo: f64, hi: f64) -> Dynamics {
    let a = DVector::from_fn(n, |_, _| rng.random_range(0.2..1.0));
    let k = DMatrix::from_fn(n, n, |i, j| {
        if i == j {
            0.0
        } else {
            rng.random_range(lo..hi)
        }
    });
    let g = DVector::from_fn(n, |_, _| rng.random_range(0.01..0.1));
    Dynamics::new(a, k, g).unwrap()
}

fn controller(period: f64, lag: usize, derivative: f64) -> Controller {
    let mut c = Controller::new(period, lag).unwrap();
    c.derivative = derivative;
    c
}

#[test]
fn zoh_is_the_exact_matrix_exponential() {
    let d = Dynamics::new(
        DVector::from_vec(vec![0.3, 1.7, 0.05]),
        DMatrix::zeros(3, 3),
        DVector::zeros(3),
    )
    .unwrap();
    for period in [0.01, 0.5, 2.0, 10.0] {
        // exp([[−A, I], [0, 0]] Δ) = [[Φ, Γ], [0, I]].
        let mut aug = DMatrix::zeros(6, 6);
        for i in 0..3 {
            aug[(i, i)] = -d.restraint[i] * period;
            aug[(i, 3 + i)] = period;
        }
        let e = aug.exp();
        let z = zoh(&d, period).unwrap();
        for i in 0..3 {
            assert_relative_eq!(z.phi[i], e[(i, i)], max_relative = 1e-12);
            assert_relative_eq!(z.gamma[i], e[(i, 3 + i)], max_relative = 1e-12);
        }
    }
    assert!(zoh(&d, 0.0).is_err());
    assert!(zoh(&d, f64::NAN).is_err());
}

/// The simulator's tick values obey the companion recurrence exactly:
/// `(x[k+1], …) = C (x[k], …, x[k−L]) + (Γg, 0, …)` once the history is full.
#[test]
fn companion_reproduces_the_simulator() {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(4);
    for (period, lag, derivative) in [
        (1.0, 0, 0.0),
        (1.0, 1, 0.0),
        (0.5, 2, 0.0),
        (1.0, 1, 2.0),
        (0.7, 0, 0.35),
        (2.0, 3, 1.0),
    ] {
        let n = 3;
        let mut d = random_dynamics(&mut rng, n, 0.0, 0.3);
        d.gain = 0.8;
        let c = controller(period, lag, derivative);
        let mut model = Model::from_dynamics(d.clone(), 20.0 * period);
        model.controller = Some(c.clone());
        model.initial = DVector::from_vec(vec![2.0, 1.0, 0.5]);
        let opts = SimOptions {
            dt: period,
            ..SimOptions::default()
        };
        let run = simulate(&model, &opts).unwrap();
        assert_eq!(run.outcome, Outcome::None);
        let ticks: Vec<DVector<f64>> = (0..run.t.len())
            .map(|k| DVector::from_fn(n, |i, _| run.x[i][k]))
            .collect();
        for (k, &t) in run.t.iter().enumerate() {
            assert_relative_eq!(t, k as f64 * period, epsilon = 1e-9);
        }
        let cm = companion(&d, &c, d.gain).unwrap();
        let depth = cm.nrows() / n - 1;
        assert_eq!(depth, lag + usize::from(derivative > 0.0));
        let z = zoh(&d, period).unwrap();
        for k in depth + 1..ticks.len() - 1 {
            let stacked = DVector::from_fn(n * (depth + 1), |p, _| ticks[k - p / n][p % n]);
            let next = &cm * stacked;
            for i in 0..n {
                let want = ticks[k + 1][i];
                let got = next[i] + z.gamma[i] * d.grievance[i];
                assert!(
                    (got - want).abs() < 1e-9 * (1.0 + want.abs()),
                    "Δ={period} d={lag} τ={derivative} k={k}: {got} vs {want}"
                );
            }
        }
    }
}

/// Positive loops without derivative action are delay-independent: the
/// sampled critical gain equals 1/ρ(A⁻¹K) for every period and lag.
#[test]
fn positive_loops_are_delay_independent() {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(8);
    for n in [2, 3, 4, 6] {
        let d = random_dynamics(&mut rng, n, 0.0, 0.6);
        let gc = critical_gain(&d).unwrap().unwrap();
        for period in [0.1, 1.0, 3.0] {
            for lag in [0, 1, 2, 4] {
                let c = controller(period, lag, 0.0);
                let gs = sampled_critical_gain(&d, &c).unwrap().unwrap();
                assert!(
                    (gs - gc).abs() <= 1e-9 * gc,
                    "n={n} Δ={period} d={lag}: {gs} vs {gc}"
                );
                assert!(sampled_spectral_radius(&d, &c, gc * (1.0 - 1e-6)).unwrap() < 1.0);
                assert!(sampled_spectral_radius(&d, &c, gc * (1.0 + 1e-6)).unwrap() > 1.0);
                // The loop transfer peaks at zero frequency, at γρ(A⁻¹K).
                assert_relative_eq!(
                    loop_radius_bound(&d, &c, 0.5 * gc).unwrap(),
                    0.5,
                    max_relative = 1e-10
                );
                assert_eq!(
                    delay_margin(&d, &c, 0.9 * gc).unwrap(),
                    DelayMargin::AllStable
                );
                assert_eq!(
                    delay_margin(&d, &c, 1.1 * gc).unwrap(),
                    DelayMargin::Unstable
                );
            }
        }
    }
}

/// With derivative action (τ_D = 2Δ) a lag of one period or more lowers the
/// sampled critical gain below the unlagged one; and for positive coupling
/// the sampled loop never tolerates more gain than the continuous one.
#[test]
fn derivative_action_makes_lag_costly() {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
    let mut lowered = 0;
    for trial in 0..16 {
        let n = 3 + trial % 3;
        let d = random_dynamics(&mut rng, n, 0.0, 0.6);
        let gc = critical_gain(&d).unwrap().unwrap();
        let g0 = sampled_critical_gain(&d, &controller(1.0, 0, 2.0))
            .unwrap()
            .unwrap();
        assert!(g0 <= gc * (1.0 + 1e-9), "{g0} > {gc}");
        for lag in 1..=3 {
            let g = sampled_critical_gain(&d, &controller(1.0, lag, 2.0))
                .unwrap()
                .unwrap();
            assert!(g <= gc * (1.0 + 1e-9));
            assert!(
                g < g0 * (1.0 + 1e-9),
                "trial {trial}, lag {lag}: {g} above the unlagged {g0}"
            );
            if g < 0.95 * g0 {
                lowered += 1;
            }
        }
    }
    // Most of these loops lose more than 5% of their critical gain to one lag.
    assert!(lowered >= 25, "{lowered} of 48");
}

fn with_lag(c: &Controller, lag: usize) -> Controller {
    Controller { lag, ..c.clone() }
}

#[test]
fn delay_margin_is_the_last_stable_lag() {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(17);
    let mut kinds = [0usize; 3];
    for trial in 0..40 {
        let n = 2 + trial % 4;
        let d = random_dynamics(&mut rng, n, -0.5, 0.6);
        let period = [0.2, 0.5, 1.0][trial % 3];
        let c = controller(period, 0, [0.0, 0.5, 1.5][trial % 3] * period);
        let Some(gs) = sampled_critical_gain(&d, &c).unwrap() else {
            continue;
        };
        let gain = 0.8 * gs;
        // Companion eigenvalues for short lags, the root count for long ones.
        let stable = |lag: usize| {
            if lag <= 12 {
                sampled_stability(&d, &with_lag(&c, lag), gain).unwrap().1 == Verdict::Stable
            } else {
                unstable_root_count(&d, &c, gain, lag).unwrap() == Some(0)
            }
        };
        let spot = |l: usize| {
            (0..=l.min(12))
                .chain([l / 2, l.saturating_sub(1), l])
                .collect::<Vec<_>>()
        };
        match delay_margin(&d, &c, gain).unwrap() {
            DelayMargin::Largest(l) => {
                assert!(spot(l).into_iter().all(stable), "trial {trial}: margin {l}");
                assert!(!stable(l + 1), "trial {trial}: lag {} is stable", l + 1);
                kinds[0] += 1;
            }
            DelayMargin::AllStable => {
                assert!(loop_radius_bound(&d, &c, gain).unwrap() < 1.0);
                assert!((0..=12).chain([25, 50, 100]).all(stable), "trial {trial}");
                kinds[1] += 1;
            }
            DelayMargin::AtLeast(l) => {
                assert!(spot(l).into_iter().all(stable));
                kinds[2] += 1;
            }
            DelayMargin::Unstable => panic!("0.8 γ* is stable without lag"),
        }
    }
    assert!(kinds[0] >= 5 && kinds[1] >= 5, "{kinds:?}");
}

/// Gain sweep with a controller: the spectral-radius verdict agrees with
/// the simulated run at every grid point. The equilibrium is placed at
/// 10⁷ so that even an oscillatory instability (a flip or a complex pair,
/// common with derivative action) grows a thousandfold without touching the
/// floor at zero: explosive means the deviation grows by 10³, stable that it
/// shrinks by 10³, within 14 e-folds of the leading mode.
#[test]
fn sampled_verdict_agrees_with_simulation() {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(31);
    let mut points = 0;
    let mut oscillatory = 0;
    for (n, period, lag, derivative) in [
        (2, 1.0, 1, 0.0),
        (3, 0.5, 2, 0.0),
        (3, 1.0, 1, 2.0),
        (4, 1.0, 0, 1.0),
    ] {
        let d = random_dynamics(&mut rng, n, 0.05, 0.6);
        let c = controller(period, lag, derivative);
        let gs = sampled_critical_gain(&d, &c).unwrap().unwrap();
        for factor in [0.2, 0.5, 0.8, 0.95, 1.05, 1.2, 1.5, 2.5] {
            let gain = factor * gs;
            let (rho, verdict) = sampled_stability(&d, &c, gain).unwrap();
            let horizon = (14.0 / rho.ln().abs()).ceil() * period;
            let xstar = DVector::from_element(n, 1e7);
            let mut dd = d.clone();
            dd.gain = gain;
            dd.grievance = -(dd.system_matrix(gain) * &xstar);
            let mut model = Model::from_dynamics(dd, horizon);
            model.controller = Some(c.clone());
            model.ladder = Ladder::custom(vec![
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
            .unwrap();
            let delta = DVector::from_fn(n, |i, _| if i % 2 == 0 { 1.0 } else { -0.6 });
            model.initial = &xstar + &delta;
            let opts = SimOptions {
                dt: period,
                ..SimOptions::default()
            };
            let run = simulate(&model, &opts).unwrap();
            assert_eq!(run.outcome, Outcome::None);
            let dev = |k: usize| {
                (0..n)
                    .map(|i| (run.x[i][k] - xstar[i]).abs())
                    .fold(0.0, f64::max)
            };
            assert!(
                run.x.iter().flatten().all(|&x| x > 0.0),
                "the floor was reached"
            );
            let last = dev(run.t.len() - 1);
            let peak = (0..run.t.len()).map(dev).fold(0.0, f64::max);
            match verdict {
                Verdict::Stable => assert!(last < 1e-3, "n={n} γ={gain} ρ={rho}: deviation {last}"),
                Verdict::Explosive => {
                    assert!(peak > 1e3, "n={n} γ={gain} ρ={rho}: deviation {peak}")
                }
                Verdict::Marginal => panic!("no grid point is marginal"),
            }
            let eig = escalation::analysis::eigenvalues(&companion(&d, &c, gain).unwrap()).unwrap();
            let lead = eig
                .iter()
                .max_by(|a, b| a.norm().total_cmp(&b.norm()))
                .unwrap();
            if verdict == Verdict::Explosive && (lead.im != 0.0 || lead.re < 0.0) {
                oscillatory += 1;
            }
            points += 1;
        }
    }
    assert_eq!(points, 32);
    assert!(oscillatory >= 2, "{oscillatory}");
}

/// The argument-principle count agrees with the companion eigenvalues.
#[test]
fn root_count_matches_the_companion() {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(23);
    let mut unstable = 0;
    for trial in 0..30 {
        let n = 2 + trial % 3;
        let d = random_dynamics(&mut rng, n, -0.6, 0.8);
        let derivative = [0.0, 0.5, 2.0][trial % 3];
        for lag in [0, 1, 3, 6] {
            let c = controller(1.0, lag, derivative);
            for gain in [0.5, 1.0, 2.0] {
                let eig =
                    escalation::analysis::eigenvalues(&companion(&d, &c, gain).unwrap()).unwrap();
                if eig.iter().any(|z| (z.norm() - 1.0).abs() < 1e-6) {
                    continue;
                }
                let outside = eig.iter().filter(|z| z.norm() > 1.0).count();
                let count = unstable_root_count(&d, &c, gain, lag).unwrap();
                assert_eq!(count, Some(outside), "trial {trial} lag {lag} γ {gain}");
                unstable += usize::from(outside > 0);
            }
        }
    }
    assert!(unstable > 50, "{unstable}");
}

/// The sampled critical gain by the eigenvalues of the companion matrix:
/// the scan and bisection of `sampled_critical_gain`, with every question
/// "does ρ(γ) reach R?" answered by nalgebra's eigenvalues instead of the
/// crate's Schur–Cohn test.
fn sampled_critical_gain_by_eigenvalues(d: &Dynamics, c: &Controller) -> Option<f64> {
    let r = c.derivative / c.period;
    let (_, rho_abs) = common::scaled_coupling_radius(d, true);
    if rho_abs <= 1e-300 {
        return None;
    }
    let safe = 1.0 / ((1.0 + 2.0 * r) * rho_abs);
    let rho = |g: f64| sampled_spectral_radius(d, c, g).unwrap();
    let (mut lo, mut g) = (0.5 * safe, 0.5 * safe);
    let mut hi = None;
    while g <= safe * 1e4 {
        g *= 1.02;
        if rho(g) > 1.0 + 1e-9 {
            hi = Some(g);
            break;
        }
        lo = g;
    }
    let mut hi = hi?;
    while hi - lo > 4.0 * f64::EPSILON * hi {
        let mid = 0.5 * (lo + hi);
        if rho(mid) > 1.0 {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    Some(0.5 * (lo + hi))
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 48, .. Default::default() })]

    /// The Schur–Cohn search finds the gain the companion's eigenvalues
    /// find, over random signed systems of 1–6 actors, lags 0–3 and
    /// derivative ratios 0, ½ and 2; and ρ = 1 there.
    #[test]
    fn sampled_critical_gain_matches_the_eigenvalues(
        n in 1usize..=6,
        lag in 0usize..=3,
        derivative in proptest::sample::select(vec![0.0, 0.5, 2.0]),
        period in proptest::sample::select(vec![0.5, 1.0, 3.0]),
        negative in proptest::bool::ANY,
        seed in proptest::prelude::any::<u64>(),
    ) {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let d = random_dynamics(&mut rng, n, if negative { -0.5 } else { 0.0 }, 0.8);
        let c = controller(period, lag, derivative * period);
        let fast = sampled_critical_gain(&d, &c).unwrap();
        let slow = sampled_critical_gain_by_eigenvalues(&d, &c);
        match (fast, slow) {
            (Some(f), Some(s)) => {
                proptest::prop_assert!((f / s - 1.0).abs() < 1e-9, "Schur–Cohn {f} vs eigenvalues {s}");
                let rho = sampled_spectral_radius(&d, &c, f).unwrap();
                proptest::prop_assert!((rho - 1.0).abs() < 1e-7, "ρ(γ*) = {rho}");
            }
            (f, s) => proptest::prop_assert_eq!(f, s),
        }
    }
}

/// The sampled critical gain scales exactly with the coupling: `K·2⁶⁰⁰`
/// (whose principal minors would overflow without the crate's power-of-two
/// scaling) gives `γ*·2⁻⁶⁰⁰`; and a coupling whose `A⁻¹|K|` overflows is an
/// error that says so, not a search that creeps through subnormal gains.
#[test]
fn sampled_critical_gain_at_extreme_scales() {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(31);
    let d = random_dynamics(&mut rng, 6, 0.0, 0.8);
    let c = controller(1.0, 2, 2.0);
    let g = sampled_critical_gain(&d, &c).unwrap().unwrap();
    let big = 2f64.powi(600);
    let scaled = Dynamics::new(
        d.restraint.clone(),
        d.coupling.map(|k| k * big),
        d.grievance.clone(),
    )
    .unwrap();
    let gs = sampled_critical_gain(&scaled, &c).unwrap().unwrap();
    assert_relative_eq!(gs * big, g, max_relative = 1e-11);

    let huge = Dynamics::new(
        DVector::from_element(3, 1e-10),
        DMatrix::from_fn(3, 3, |i, j| if i == j { 0.0 } else { 1e300 }),
        DVector::zeros(3),
    )
    .unwrap();
    let err = sampled_critical_gain(&huge, &c).unwrap_err().to_string();
    assert!(
        err.contains("beyond the range of floating-point numbers"),
        "{err}"
    );
}
