//! Checks of the fast paths against the slow ones they replace.

use nalgebra::DVector;
use ode_solvers::dop_shared::OutputType;
use ode_solvers::{Dopri5, System};
use rand::{Rng as _, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::dopri::{self, Tolerances};
use super::flow::Config;
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
    let s = (0..n + pairs.len())
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

struct Reference<'a>(&'a Config);

impl System<f64, DVector<f64>> for Reference<'_> {
    fn system(&self, _t: f64, y: &DVector<f64>, dy: &mut DVector<f64>) {
        self.0.rhs(y.as_slice(), dy.as_mut_slice());
    }
}

/// ode_solvers' Dopri5 with the settings the simulator used before the port
/// (`None` when it gives up).
fn reference(cfg: &Config, s: &[f64], h: f64, rtol: f64, atol: f64) -> Option<Vec<f64>> {
    let mut solver = Dopri5::from_param(
        Reference(cfg),
        0.0,
        h,
        0.0,
        DVector::from_column_slice(s),
        rtol,
        atol,
        0.9,
        0.04,
        0.2,
        10.0,
        h,
        0.0,
        100_000,
        1000,
        OutputType::Sparse,
    );
    solver.integrate().ok()?;
    Some(solver.y_out().last()?.iter().copied().collect())
}

#[test]
fn dopri_port_matches_ode_solvers() {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let mut compared = 0;
    for n in [1, 2, 3, 5, 6, 8, 12, 17] {
        for _ in 0..5 {
            let (cfg, s) = random_config(&mut rng, n);
            for (h, rtol, atol) in [(0.1, 1e-10, 1e-12), (2.5, 1e-7, 1e-9), (30.0, 1e-6, 1e-8)] {
                let want = reference(&cfg, &s, h, rtol, atol);
                let tol = Tolerances {
                    rtol,
                    atol,
                    max_steps: 100_000,
                };
                let mut got = s.clone();
                let steps = if s.len() == 7 {
                    let mut y = [0.0; 7];
                    y.copy_from_slice(&s);
                    let r = dopri::integrate(|y, dy| cfg.rhs(y, dy), &mut y, h, tol);
                    got.copy_from_slice(&y);
                    r
                } else {
                    dopri::integrate(|y, dy| cfg.rhs(y, dy), &mut got, h, tol)
                };
                let Some(want) = want else {
                    // The reference gave up (stiffness): so must the port.
                    assert!(steps.is_err(), "n = {n}, h = {h}: {steps:?}");
                    continue;
                };
                assert!(steps.is_ok(), "n = {n}, h = {h}: {steps:?}");
                // The same arithmetic in the same order: equal to the last bit.
                assert_eq!(got, want, "n = {n}, h = {h}");
                compared += 1;
            }
        }
    }
    assert!(compared >= 100, "only {compared} cases compared");
}

#[test]
fn dopri_port_reports_the_step_limit() {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let (cfg, mut s) = random_config(&mut rng, 4);
    let tol = Tolerances {
        rtol: 1e-12,
        atol: 1e-14,
        max_steps: 5,
    };
    let r = dopri::integrate(|y, dy| cfg.rhs(y, dy), &mut s, 50.0, tol);
    assert!(matches!(r, Err(dopri::Failure::StepLimit { .. })), "{r:?}");
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
