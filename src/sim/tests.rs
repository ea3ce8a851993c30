//! Checks of the fast paths against the slow ones they replace.

use nalgebra::DVector;
use rand::{Rng as _, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::flow::{Config, Flow, OdeSettings};
use super::{Outcome, SimOptions, simulate};
use crate::scenario::{Format, Scenario};

/// A random nonlinear system: continuous coupling with some negative
/// entries, ceilings on some actors, phantoms.
fn random_config(rng: &mut ChaCha8Rng, n: usize) -> (Config, Vec<f64>) {
    let a: Vec<f64> = (0..n).map(|_| rng.random_range(0.2..1.0)).collect();
    let w: Vec<f64> = (0..n * n)
        .map(|k| {
            if k % (n + 1) == 0 {
                0.0
            } else {
                rng.random_range(-0.1..0.4)
            }
        })
        .collect();
    let b: Vec<f64> = (0..n).map(|_| rng.random_range(-0.1..0.3)).collect();
    let ceiling = (0..n)
        .map(|i| (i % 2 == 0).then(|| rng.random_range(5.0..9.0)))
        .collect();
    let pairs = if n > 2 { vec![(0, 1), (2, 1)] } else { vec![] };
    // Intensities, phantoms, then the costs so far.
    let s = (0..n + pairs.len() + n)
        .map(|_| rng.random_range(0.0..4.0))
        .collect();
    (
        Config {
            a,
            w,
            b,
            coupled: true,
            pairs,
            ceiling,
        },
        s,
    )
}

fn flow(rtol: f64, atol: f64, max_steps: u32) -> Flow {
    Flow::new(OdeSettings {
        rtol,
        atol,
        max_steps,
        force_ode: true,
    })
}

/// The fixed-size (`SVector`) dispatch is a speed-up only: it must give the
/// same bits as the heap-allocated `DVector` path of the same solver.
#[test]
fn fixed_size_dopri_equals_the_dynamic_one() {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let mut compared = 0;
    for n in [1, 2, 3, 5, 6, 8, 12] {
        for _ in 0..5 {
            let (cfg, s) = random_config(&mut rng, n);
            for (h, rtol, atol) in [(0.1, 1e-10, 1e-12), (2.5, 1e-7, 1e-9), (30.0, 1e-6, 1e-8)] {
                let mut f = flow(rtol, atol, 100_000);
                let mut fixed = vec![0.0; s.len()];
                let a = f.advance(&cfg, &s, h, &mut fixed);
                let mut dynamic = vec![0.0; s.len()];
                let b = f.dopri_in(&cfg, DVector::from_column_slice(&s), h, &mut dynamic);
                assert_eq!(a.is_ok(), b.is_ok(), "n = {n}, h = {h}");
                if a.is_ok() {
                    assert_eq!(fixed, dynamic, "n = {n}, h = {h}");
                    assert!(fixed.iter().all(|v| v.is_finite()));
                    compared += 1;
                }
            }
        }
    }
    assert!(compared >= 80, "only {compared} cases compared");
}

#[test]
fn dopri_reports_the_step_limit() {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let (cfg, s) = random_config(&mut rng, 4);
    let mut out = vec![0.0; s.len()];
    let r = flow(1e-12, 1e-14, 5).advance(&cfg, &s, 50.0, &mut out);
    match r {
        Err(crate::Error::Numerical(crate::error::NumericalError::StepLimit { steps, .. })) => {
            assert!(steps > 0);
        }
        other => panic!("expected a step-limit error, got {other:?}"),
    }
}

const ISLAMABAD: &str = include_str!("../../examples/scenarios/islamabad.toml");

/// The closed forms (checked at events only) against Dopri5 checked every
/// 0.05 day: the same story, to the solver's tolerance.
#[test]
fn controller_closed_form_matches_the_ode_solver() {
    let (_, model) = Scenario::compile_str(ISLAMABAD, Format::Toml).unwrap();
    for seed in [1, 7, 19, 23] {
        let fast = SimOptions {
            seed: Some(seed),
            ..SimOptions::default()
        };
        let slow = SimOptions {
            force_ode: true,
            ..fast.clone()
        };
        let a = simulate(&model, &fast).unwrap();
        let b = simulate(&model, &slow).unwrap();
        assert_eq!(a.outcome, b.outcome, "seed {seed}");
        assert_eq!(a.events.len(), b.events.len(), "seed {seed}");
        for (ea, eb) in a.events.iter().zip(&b.events) {
            assert_eq!(
                std::mem::discriminant(&ea.kind),
                std::mem::discriminant(&eb.kind)
            );
            assert!((ea.t - eb.t).abs() < 1e-7, "{ea:?} vs {eb:?}");
        }
        assert_eq!(a.t.len(), b.t.len());
        for (p, q) in a.t.iter().zip(&b.t) {
            assert!((p - q).abs() < 1e-7);
        }
        for (xa, xb) in a.x.iter().zip(&b.x) {
            for (p, q) in xa.iter().zip(xb) {
                assert!((p - q).abs() < 1e-7 * (1.0 + q.abs()), "seed {seed}");
            }
        }
        if a.outcome == Outcome::Exploded {
            let (ta, tb) = (a.explosion_time.unwrap(), b.explosion_time.unwrap());
            assert!((ta - tb).abs() < 1e-7);
        }
    }
}
