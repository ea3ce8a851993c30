//! Stability analysis of the continuous loop: Richardson's condition and
//! equilibrium, the Perron–Frobenius critical gain, Hopf crossings, the
//! sensitivity of γ*, and eigenvalue verdicts against simulated outcomes.

use crate::common;
use approx::assert_relative_eq;
use escalation::analysis::{
    Verdict, critical_crossing, critical_gain, critical_gain_sensitivity, crossing_candidates,
    eigenvalues, fit_growth, gain_margin, gain_margin_db, jacobian_eigenvalues, leading_mode,
    linear_equilibrium, perron_critical_gain, root_locus, spectral_abscissa, stability,
};
use escalation::model::{Dynamics, Ladder, Model, Rung};
use escalation::sim::{Outcome, SimOptions, simulate};
use nalgebra::{DMatrix, DVector};
use proptest::prelude::*;
use rand::{Rng, SeedableRng};

/// ρ(A⁻¹K) straight from nalgebra's eigenvalues (independent of the crate's code paths).
fn perron_root(d: &Dynamics) -> f64 {
    let mut b = d.coupling.clone();
    for i in 0..d.n() {
        b.row_mut(i).scale_mut(1.0 / d.restraint[i]);
    }
    nalgebra::linalg::Schur::try_new(b, f64::EPSILON, 100_000)
        .expect("QR converges on a random matrix")
        .complex_eigenvalues()
        .iter()
        .map(|z| z.norm())
        .fold(0.0, f64::max)
}

fn random_dynamics(rng: &mut impl Rng, n: usize, lo: f64, hi: f64, zero: f64) -> Dynamics {
    let a = DVector::from_fn(n, |_, _| rng.random_range(0.1..2.0));
    let k = DMatrix::from_fn(n, n, |i, j| {
        if i == j || rng.random::<f64>() < zero {
            0.0
        } else {
            rng.random_range(lo..hi)
        }
    });
    let g = DVector::from_fn(n, |_, _| rng.random_range(0.0..0.2));
    Dynamics::new(a, k, g).unwrap()
}

#[test]
fn richardson_condition_ab_greater_than_kl() {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
    let mut seen = [0usize; 2];
    for _ in 0..2000 {
        let (a, b): (f64, f64) = (rng.random_range(0.05..2.0), rng.random_range(0.05..2.0));
        let (k, l): (f64, f64) = (rng.random_range(0.0..2.0), rng.random_range(0.0..2.0));
        let d = Dynamics::richardson(a, b, k, l, 0.1, 0.1).unwrap();
        let margin = (a * b - k * l) / (a * b);
        if margin.abs() < 1e-6 {
            continue;
        }
        let (alpha, verdict) = stability(&d, 1.0).unwrap();
        let want = if a * b > k * l {
            Verdict::Stable
        } else {
            Verdict::Explosive
        };
        assert_eq!(verdict, want, "a={a} b={b} k={k} l={l} α={alpha}");
        seen[usize::from(want == Verdict::Stable)] += 1;
        // The closed form agrees with the QR eigenvalues.
        let qr = eigenvalues(&d.system_matrix(1.0)).unwrap()[0].re;
        assert_relative_eq!(alpha, qr, epsilon = 1e-12, max_relative = 1e-10);
        // γ* = √(ab/kl) (none without a loop).
        let gstar = critical_gain(&d).unwrap();
        if k * l > 0.0 {
            assert_relative_eq!(
                gstar.unwrap(),
                (a * b / (k * l)).sqrt(),
                max_relative = 1e-13
            );
        } else {
            assert_eq!(gstar, None);
        }
    }
    assert!(seen[0] > 200 && seen[1] > 200, "{seen:?}");
}

#[test]
fn richardson_closed_form_equilibrium() {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(12);
    for _ in 0..500 {
        let (a, b): (f64, f64) = (rng.random_range(0.05..2.0), rng.random_range(0.05..2.0));
        let (k, l): (f64, f64) = (rng.random_range(-1.0..2.0), rng.random_range(-1.0..2.0));
        let (g, h): (f64, f64) = (rng.random_range(-1.0..1.0), rng.random_range(-1.0..1.0));
        let det = a * b - k * l;
        if det.abs() < 1e-3 {
            continue;
        }
        let d = Dynamics::richardson(a, b, k, l, g, h).unwrap();
        let x = linear_equilibrium(&d, 1.0).unwrap().unwrap();
        // −a x + k y + g = 0, l x − b y + h = 0.
        assert_relative_eq!(
            x[0],
            (b * g + k * h) / det,
            epsilon = 1e-10,
            max_relative = 1e-10
        );
        assert_relative_eq!(
            x[1],
            (l * g + a * h) / det,
            epsilon = 1e-10,
            max_relative = 1e-10
        );
    }
    // At ab = kl the system is singular: no equilibrium, a marginal loop.
    let d = Dynamics::richardson(0.5, 0.5, 0.5, 0.5, 0.1, 0.1).unwrap();
    assert_eq!(linear_equilibrium(&d, 1.0).unwrap(), None);
    assert_eq!(stability(&d, 1.0).unwrap().1, Verdict::Marginal);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

    /// For non-negative coupling the bracketing root-finder on the spectral
    /// abscissa lands on the Perron–Frobenius gain 1/ρ(A⁻¹K).
    #[test]
    fn perron_frobenius_critical_gain(n in 2usize..=10, seed in any::<u64>(), zero in 0.0f64..0.6) {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let d = random_dynamics(&mut rng, n, 0.0, 1.0, zero);
        let rho = perron_root(&d);
        let found = critical_crossing(&d).unwrap();
        let closed = perron_critical_gain(&d).unwrap();
        match found {
            Some(c) => {
                prop_assert!((c.gain * rho - 1.0).abs() < 1e-10, "γ* = {} but 1/ρ = {}", c.gain, 1.0 / rho);
                prop_assert_eq!(c.frequency, 0.0);
                let closed = closed.unwrap();
                prop_assert!((closed * rho - 1.0).abs() < 1e-10);
                // Stable just below, explosive just above.
                prop_assert!(spectral_abscissa(&d, c.gain * (1.0 - 1e-7)).unwrap() < 0.0);
                prop_assert!(spectral_abscissa(&d, c.gain * (1.0 + 1e-7)).unwrap() > 0.0);
            }
            None => {
                // No feedback cycle: A⁻¹K is nilpotent, (A⁻¹K)ⁿ = 0 exactly
                // (no path of length n exists, so every product has a zero factor).
                prop_assert_eq!(closed, None);
                let mut b = d.coupling.clone();
                for i in 0..n {
                    b.row_mut(i).scale_mut(1.0 / d.restraint[i]);
                }
                let mut p = b.clone();
                for _ in 1..n {
                    p = &p * &b;
                }
                prop_assert!(p.iter().all(|&v| v == 0.0), "coupling has a cycle: ρ = {}", rho);
            }
        }
    }

    /// With couplings of both signs, the critical gain from the candidate
    /// brackets matches a brute-force scan of α(γ) on a fine grid.
    #[test]
    fn mixed_sign_critical_gain_matches_scan(n in 2usize..=5, seed in any::<u64>()) {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let d = random_dynamics(&mut rng, n, -1.0, 1.0, 0.2);
        let found = critical_crossing(&d).unwrap().map(|c| c.gain);
        // Scan γ ∈ (0, 40] in steps of 0.2%, then bisect.
        let mut prev = 1e-3;
        let mut scan = None;
        while prev < 40.0 {
            let g = prev * 1.002;
            if spectral_abscissa(&d, g).unwrap() > 1e-9 {
                let (mut lo, mut hi) = (prev, g);
                for _ in 0..100 {
                    let mid = 0.5 * (lo + hi);
                    if spectral_abscissa(&d, mid).unwrap() > 0.0 { hi = mid } else { lo = mid }
                }
                scan = Some(hi);
                break;
            }
            prev = g;
        }
        match (found, scan) {
            (Some(f), Some(s)) if (f - s).abs() <= 1e-8 * s => {}
            // The root-finder may see an unstable window narrower than the
            // scan's step, before the scan's crossing: it must be real.
            (Some(f), s) if s.is_none_or(|s| f < s) => {
                prop_assert!(spectral_abscissa(&d, f * (1.0 - 1e-7)).unwrap() < 0.0, "no crossing at {}", f);
                prop_assert!(spectral_abscissa(&d, f * (1.0 + 1e-7)).unwrap() > 0.0, "no crossing at {}", f);
            }
            (f, Some(s)) => prop_assert!(false, "the root-finder ({:?}) missed the crossing at {}", f, s),
            (f, None) => prop_assert!(f.is_none()),
        }
    }
}

#[test]
fn negative_cycle_crosses_oscillatory() {
    // A three-actor cycle with one deterrent link: K = k·[[0,1,0],[0,0,1],[−1,0,0]],
    // eigenvalues of K are k·e^{±iπ/3} and −k, so with A = aI the pair
    // −a + γk(1/2 ± i√3/2) crosses at γ* = 2a/k with frequency ω = a√3.
    let (a, k) = (0.4, 0.5);
    let kmat = DMatrix::from_row_slice(3, 3, &[0.0, k, 0.0, 0.0, 0.0, k, -k, 0.0, 0.0]);
    let d = Dynamics::new(
        DVector::from_element(3, a),
        kmat,
        DVector::from_element(3, 0.1),
    )
    .unwrap();
    let c = critical_crossing(&d).unwrap().unwrap();
    assert_relative_eq!(c.gain, 2.0 * a / k, max_relative = 1e-12);
    assert!(c.is_oscillatory());
    assert_relative_eq!(c.frequency, a * 3f64.sqrt(), max_relative = 1e-9);
    assert_eq!(critical_gain(&d).unwrap(), Some(c.gain));
    // The crossing eigenvalue is complex; the real eigenvalue never crosses.
    let at = jacobian_eigenvalues(&d, c.gain).unwrap();
    assert!(at[0].re.abs() < 1e-12 && at[0].im.abs() > 0.5);
    // Unequal restraints: still a Hopf crossing, found by the candidates; check the sign change.
    let kmat = DMatrix::from_row_slice(3, 3, &[0.0, 0.6, 0.1, 0.2, 0.0, 0.7, -0.8, 0.1, 0.0]);
    let d = Dynamics::new(
        DVector::from_vec(vec![0.3, 0.5, 0.4]),
        kmat,
        DVector::zeros(3),
    )
    .unwrap();
    let c = critical_crossing(&d).unwrap().unwrap();
    assert!(c.is_oscillatory(), "{c:?}");
    assert!(spectral_abscissa(&d, c.gain * (1.0 - 1e-8)).unwrap() < 0.0);
    assert!(spectral_abscissa(&d, c.gain * (1.0 + 1e-8)).unwrap() > 0.0);
    assert!(
        crossing_candidates(&d)
            .unwrap()
            .iter()
            .any(|g| (g - c.gain).abs() < 1e-9 * c.gain)
    );
}

#[test]
fn loops_without_explosion_have_no_critical_gain() {
    // Skew-symmetric coupling (mutual deterrence against provocation): −A + γS is always stable.
    let s = DMatrix::from_row_slice(3, 3, &[0.0, 1.0, -0.5, -1.0, 0.0, 2.0, 0.5, -2.0, 0.0]);
    let d = Dynamics::new(DVector::from_vec(vec![0.3, 0.2, 0.5]), s, DVector::zeros(3)).unwrap();
    assert_eq!(critical_gain(&d).unwrap(), None);
    for g in [0.1, 1.0, 10.0, 100.0] {
        assert_eq!(stability(&d, g).unwrap().1, Verdict::Stable);
    }
    // A chain without a cycle (acyclic, nilpotent coupling).
    let k = DMatrix::from_row_slice(3, 3, &[0.0, 5.0, 0.0, 0.0, 0.0, 5.0, 0.0, 0.0, 0.0]);
    let d = Dynamics::new(DVector::from_element(3, 0.5), k, DVector::zeros(3)).unwrap();
    assert_eq!(critical_gain(&d).unwrap(), None);
    assert_eq!(critical_crossing(&d).unwrap(), None);
    assert_eq!(gain_margin(None, 1.0), None);
}

#[test]
fn margins() {
    let d = Dynamics::richardson(0.5, 0.4, 0.3, 0.6, 0.02, 0.01).unwrap();
    let g = critical_gain(&d).unwrap();
    let m = gain_margin(g, 0.5).unwrap();
    assert_relative_eq!(m, 2.0 * (0.2f64 / 0.18).sqrt(), max_relative = 1e-13);
    assert_relative_eq!(
        gain_margin_db(Some(m)).unwrap(),
        20.0 * m.log10(),
        max_relative = 1e-13
    );
    assert_eq!(gain_margin(g, 0.0), None);
    assert_relative_eq!(gain_margin_db(Some(10.0)).unwrap(), 20.0);
}

#[test]
fn sensitivity_matches_finite_differences() {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
    let mut checked = 0;
    for trial in 0..12 {
        let n = 2 + trial % 4;
        let (lo, hi) = if trial % 2 == 0 {
            (0.0, 1.0)
        } else {
            (-1.0, 1.0)
        };
        let d = random_dynamics(&mut rng, n, lo, hi, 0.0);
        let (Some(g0), Some(s)) = (
            critical_gain(&d).unwrap(),
            critical_gain_sensitivity(&d).unwrap(),
        ) else {
            continue;
        };
        for i in 0..n {
            for j in 0..n {
                if i == j {
                    assert_eq!(s[(i, j)], 0.0);
                    continue;
                }
                let h = 1e-6;
                let (mut up, mut down) = (d.clone(), d.clone());
                up.coupling[(i, j)] += h;
                down.coupling[(i, j)] -= h;
                let (Some(gu), Some(gd)) =
                    (critical_gain(&up).unwrap(), critical_gain(&down).unwrap())
                else {
                    continue;
                };
                let fd = (gu - gd) / (2.0 * h);
                assert!(
                    (fd - s[(i, j)]).abs() <= 1e-4 * (1.0 + fd.abs()),
                    "trial {trial} ({i},{j}): fd {fd} vs {}",
                    s[(i, j)]
                );
                checked += 1;
            }
        }
        // For non-negative coupling more reaction can only lower γ*.
        if lo >= 0.0 {
            assert!(s.iter().all(|&v| v <= 1e-12), "{s}");
        }
        let _ = g0;
    }
    assert!(checked > 40, "{checked}");
}

#[test]
fn leading_mode_and_participation() {
    // A strong loop between actors 0 and 1 and a weakly attached actor 2.
    let k = DMatrix::from_row_slice(3, 3, &[0.0, 0.9, 0.0, 0.9, 0.0, 0.0, 0.01, 0.01, 0.0]);
    let d = Dynamics::new(DVector::from_vec(vec![0.5, 0.5, 0.5]), k, DVector::zeros(3)).unwrap();
    let m = d.system_matrix(1.0);
    let mode = leading_mode(&m).unwrap();
    assert_relative_eq!(mode.eigenvalue.re, 0.4, epsilon = 1e-12);
    // M v = λ v and wᴴ M = λ wᴴ.
    let mc = m.map(|x| nalgebra::Complex::new(x, 0.0));
    assert!((&mc * &mode.right - &mode.right * mode.eigenvalue).norm() < 1e-12);
    assert!((mode.left.adjoint() * &mc - mode.left.adjoint() * mode.eigenvalue).norm() < 1e-12);
    let p = mode.participation();
    assert_relative_eq!(p.iter().sum::<f64>(), 1.0, epsilon = 1e-12);
    assert_relative_eq!(p[0], 0.5, epsilon = 1e-9);
    assert_relative_eq!(p[1], 0.5, epsilon = 1e-9);
    assert!(p[2] < 1e-9);
}

#[test]
fn root_locus_follows_the_gain() {
    let d = Dynamics::richardson(0.5, 0.4, 0.3, 0.6, 0.0, 0.0).unwrap();
    let gains = [0.0, 0.5, 1.0, 2.0];
    let locus = root_locus(&d, &gains).unwrap();
    assert_eq!(locus.len(), 4);
    assert_eq!(locus[0], vec![(-0.4, 0.0), (-0.5, 0.0)]);
    for (g, eig) in gains.iter().zip(&locus) {
        // Trace −(a+b) and determinant ab − γ²kl.
        assert_relative_eq!(eig[0].0 + eig[1].0, -0.9, epsilon = 1e-12);
        assert_relative_eq!(eig[0].0 * eig[1].0, 0.2 - g * g * 0.18, epsilon = 1e-12);
    }
}

/// A ladder whose top is out of reach of a stable run and reached by an explosive one.
fn tall(model: &mut Model) {
    model.ladder = Ladder::custom(vec![
        Rung {
            name: "low".into(),
            from: 0.0,
            threshold: None,
        },
        Rung {
            name: "top".into(),
            from: 1e6,
            threshold: None,
        },
    ])
    .unwrap();
}

/// Gain sweep: the verdict from the eigenvalues agrees with the simulated
/// outcome at every grid point, and where stable the run settles on the
/// equilibrium at the rate the leading eigenvalue predicts.
#[test]
fn verdict_agrees_with_simulation_on_a_gain_grid() {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(21);
    let mut points = 0;
    for n in [2usize, 3, 5] {
        let d = random_dynamics(&mut rng, n, 0.05, 0.6, 0.0);
        let gstar = critical_gain(&d).unwrap().unwrap();
        for factor in [
            0.1, 0.3, 0.5, 0.7, 0.85, 0.95, 1.05, 1.15, 1.3, 1.6, 2.0, 3.0,
        ] {
            let gain = factor * gstar;
            let (alpha, verdict) = stability(&d, gain).unwrap();
            let mut dd = d.clone();
            dd.gain = gain;
            let horizon = (40.0 / alpha.abs()).min(5000.0);
            let mut model = Model::from_dynamics(dd.clone(), horizon);
            tall(&mut model);
            model.initial = DVector::from_element(n, 1.0);
            let opts = SimOptions {
                dt: horizon / 400.0,
                ..SimOptions::default()
            };
            let run = simulate(&model, &opts).unwrap();
            match verdict {
                Verdict::Stable => {
                    assert_eq!(run.outcome, Outcome::None, "n={n} γ={gain}");
                    let eq = linear_equilibrium(&d, gain).unwrap().unwrap();
                    let err = (DVector::from_column_slice(run.final_state()) - &eq).amax();
                    assert!(err < 1e-6 * (1.0 + eq.amax()), "n={n} γ={gain}: {err}");
                    let fit = fit_growth(&run.t, &run.x, Some(eq.as_slice())).unwrap();
                    assert!(
                        (fit.rate - alpha).abs() < 0.05 * alpha.abs(),
                        "decay {} vs α {alpha}",
                        fit.rate
                    );
                }
                Verdict::Explosive => {
                    assert_eq!(run.outcome, Outcome::Exploded, "n={n} γ={gain}");
                }
                Verdict::Marginal => panic!("no grid point is marginal"),
            }
            points += 1;
        }
    }
    assert_eq!(points, 36);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, .. ProptestConfig::default() })]

    /// The Perron root by certified power iteration (with its shifted retry
    /// and its eigenvalue fallback) equals nalgebra's spectral radius to
    /// 1e-12 on dense, sparse, cyclic (imprimitive) and block-triangular
    /// (reducible) non-negative couplings of 3–16 actors.
    #[test]
    fn perron_gain_on_every_structure(n in 3usize..=16, shape in 0usize..4, seed in any::<u64>()) {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let a = DVector::from_fn(n, |_, _| rng.random_range(0.2..1.0));
        let half = n / 2;
        let k = DMatrix::from_fn(n, n, |i, j| {
            let w = rng.random_range(0.01..1.0);
            let keep = match shape {
                0 => i != j,
                1 => i != j && rng.random_bool(0.3),
                // A cycle 0 → 1 → … → n−1 → 0: eigenvalues of equal modulus.
                2 => j == (i + 1) % n,
                // Two diagonal blocks, the second feeding the first only.
                _ => i != j && (i < half || j >= half),
            };
            if keep { w } else { 0.0 }
        });
        let d = Dynamics::new(a, k, DVector::zeros(n)).unwrap();
        // nalgebra's Schur does not converge on some cyclic matrices; the
        // crate's eigenvalues fall back to its own QR there.
        let (b, rho) = common::scaled_coupling_radius(&d, false);
        match perron_critical_gain(&d).unwrap() {
            Some(g) => prop_assert!((g * rho - 1.0).abs() < 1e-12, "γ* = {g}, 1/ρ = {}", 1.0 / rho),
            None => {
                // No feedback cycle: Bⁿ = 0 exactly (QR's ρ is then of size ε^{1/k}).
                let mut p = b.clone();
                for _ in 1..n {
                    p = &p * &b;
                }
                prop_assert!(p.iter().all(|&v| v == 0.0), "no gain but ρ = {rho}");
            }
        }
    }
}
