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
            stocks: Vec::new(),
            heat: Vec::new(),
            peace: None,
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
/// 0.05 day: the same story, to the solver's tolerance. Under `force_ode`
/// every incident candidate is examined on the state at its time; on the
/// fast path most are thinned at bounds on the intensities: the same
/// incidents at the same times.
#[test]
fn controller_closed_form_matches_the_ode_solver() {
    let (_, model) = Scenario::compile_str(ISLAMABAD, Format::Toml).unwrap();
    let mut incidents = 0;
    for seed in [1, 7, 19, 23, 31, 37] {
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
        incidents += a
            .events
            .iter()
            .filter(|e| matches!(e.kind, super::EventKind::Incident { .. }))
            .count();
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
    assert!(incidents >= 10, "only {incidents} incidents compared");
}

/// Every shipped scenario, 30 runs each: in unit tests the event loop
/// rebuilds the interval parameters even where it would skip the rebuild
/// as unchanged, and panics if that rebuild changes anything (see
/// `Run::rebuild_if_stale`); here every mechanism of the shipped scenarios
/// goes through it.
#[test]
fn skipped_rebuilds_change_nothing_in_any_shipped_scenario() {
    let scenarios = [
        include_str!("../../examples/scenarios/bistable.toml"),
        include_str!("../../examples/scenarios/dyad.toml"),
        ISLAMABAD,
        include_str!("../../examples/scenarios/richardson.toml"),
        include_str!("../../examples/scenarios/spoilers.toml"),
        include_str!("../../examples/scenarios/tactical_pause.toml"),
        include_str!("../../examples/scenarios/triad.toml"),
        include_str!("../../examples/scenarios/waiver.toml"),
    ];
    let mut models: Vec<_> = scenarios
        .iter()
        .map(|text| Scenario::compile_str(text, Format::Toml).unwrap().1)
        .collect();
    // Effects of one agreement that end on different days: the shorter
    // one ends with no change of state to flag it.
    let staggered = format!(
        "{ISLAMABAD}\n[[agreement]]\nname = \"staggered\"\nwhen = {{ at = 2.0 }}\n\
         then = [\n  {{ actor = \"Iran\", grievance = 0.05, for_days = 14.0 }},\n  \
         {{ actor = \"Iran\", restraint = 0.6, for_days = 7.0 }},\n]\n"
    );
    models.push(Scenario::compile_str(&staggered, Format::Toml).unwrap().1);
    // A quiet region, where `[peace]` takes hold.
    let mut quiet = models[2].clone();
    quiet.spoilers = None;
    quiet.incidents = None;
    quiet.dynamics.coupling *= 0.2;
    if let Some(p) = quiet.peace.as_mut() {
        p.after_days = 3.0;
    }
    models.push(quiet);
    let (mut events, mut peace) = (0, 0);
    for model in &models {
        model.check().unwrap();
        for run in 0..30 {
            let r = super::simulate_run(model, &SimOptions::default(), 11, run).unwrap();
            events += r.events.len();
            peace += r
                .events
                .iter()
                .filter(|e| matches!(e.kind, super::EventKind::PeaceHolds))
                .count();
        }
    }
    assert!(
        events > 1000 && peace > 0,
        "{events} events, {peace} with [peace]"
    );
}

/// A skirmish that is not misread changes nothing in the dynamics, so the
/// look-back logs it at its time and the run goes on without stopping
/// there. Against the reference that stops at every skirmish (as when
/// candidates were events): the same events at the same times, the same
/// outcome, the same costs to rounding, on the Taylor path (hardliners,
/// `[peace]`), with and without the hotline's lower misreading.
#[test]
fn skirmishes_not_misread_need_no_stop() {
    use super::Streams;
    use super::engine::Run;
    let (_, model) = Scenario::compile_str(ISLAMABAD, Format::Toml).unwrap();
    let mut no_hotline = model.clone();
    no_hotline.hotline = None;
    let opts = SimOptions::default();
    let (mut kept, mut misread) = (0, 0);
    for m in [&model, &no_hotline] {
        for run in 0..40 {
            let fast = Run::new(m, &opts, Streams::new(3, run)).run().unwrap();
            let mut reference = Run::new(m, &opts, Streams::new(3, run));
            reference.stop_at_every_skirmish = true;
            let slow = reference.run().unwrap();
            assert_eq!(fast.outcome, slow.outcome, "run {run}");
            assert_eq!(fast.events.len(), slow.events.len(), "run {run}");
            for (a, b) in fast.events.iter().zip(&slow.events) {
                assert_eq!(
                    std::mem::discriminant(&a.kind),
                    std::mem::discriminant(&b.kind),
                    "run {run}"
                );
                assert!((a.t - b.t).abs() < 1e-8, "run {run}: {a:?} vs {b:?}");
                if let super::EventKind::Incident { misread: m, .. } = a.kind {
                    assert_eq!(a.kind, b.kind, "run {run}");
                    if m {
                        misread += 1;
                    } else {
                        kept += 1;
                    }
                }
            }
            for (p, q) in fast.cost.iter().zip(&slow.cost) {
                assert!((p - q).abs() < 1e-8 * (1.0 + q.abs()), "run {run}");
            }
            assert!((fast.quiet_days - slow.quiet_days).abs() < 1e-8);
        }
    }
    // Both kinds occurred, and most skirmishes needed no stop.
    assert!(
        misread >= 20 && kept >= 2 * misread,
        "{kept} kept, {misread} misread"
    );
}

/// A revealed stock acts on the others exactly as phantoms of the same size
/// on each of them would: same perceived intensity, same decay at its
/// owner's restraint. Checked on the matrix-exponential path and on Dopri5.
#[test]
fn a_revealed_stock_acts_like_phantoms_of_the_same_size() {
    use super::flow::Stock;
    let n = 4;
    let owner = 1;
    let a = vec![0.5, 0.3, 0.6, 0.4];
    let w: Vec<f64> = (0..n * n)
        .map(|k| {
            if k % (n + 1) == 0 {
                0.0
            } else {
                0.05 + 0.01 * k as f64
            }
        })
        .collect();
    let base = Config {
        a: a.clone(),
        w,
        b: vec![0.1, 0.0, 0.2, 0.05],
        coupled: true,
        pairs: Vec::new(),
        ceiling: vec![None; n],
        stocks: Vec::new(),
        heat: Vec::new(),
        peace: None,
    };
    let size = 2.5;
    let x0 = [1.0, 0.5, 0.2, 0.8];
    let with_stock = Config {
        stocks: vec![Stock {
            actor: owner,
            growth: 0.0,
            decay: a[owner],
            weight: 1.0,
        }],
        ..base.clone()
    };
    let victims: Vec<usize> = (0..n).filter(|&j| j != owner).collect();
    let with_phantoms = Config {
        pairs: victims.iter().map(|&j| (j, owner)).collect(),
        ..base.clone()
    };
    // [x; c; stock] against [x; phantoms; c].
    let mut s1: Vec<f64> = x0.to_vec();
    s1.extend([0.0; 4]);
    s1.push(size);
    let mut s2: Vec<f64> = x0.to_vec();
    s2.extend(victims.iter().map(|_| size));
    s2.extend([0.0; 4]);
    for force_ode in [false, true] {
        let mut f = Flow::new(OdeSettings {
            rtol: 1e-11,
            atol: 1e-13,
            max_steps: 100_000,
            force_ode,
        });
        for h in [0.5, 3.0, 12.0] {
            let mut o1 = vec![0.0; s1.len()];
            let mut o2 = vec![0.0; s2.len()];
            f.advance(&with_stock, &s1, h, &mut o1).unwrap();
            f.invalidate();
            f.advance(&with_phantoms, &s2, h, &mut o2).unwrap();
            f.invalidate();
            for i in 0..n {
                assert!(
                    (o1[i] - o2[i]).abs() < 1e-9 * o2[i].abs().max(1.0),
                    "ode {force_ode}, h {h}, actor {i}: {} vs {}",
                    o1[i],
                    o2[i]
                );
            }
            let stock = o1[s1.len() - 1];
            assert!((stock - size * (-a[owner] * h).exp()).abs() < 1e-9);
        }
    }
}

/// A random decoupled system (controller between decisions) with hardliners
/// on some actors, ceilings on some, drives of both signs and, with
/// `[peace]`, a decaying `π` (or a constant one).
fn random_alone_config(rng: &mut ChaCha8Rng, n: usize, rate: f64) -> (Config, Vec<f64>) {
    use super::flow::Heat;
    let a: Vec<f64> = (0..n).map(|_| rng.random_range(0.1..1.0)).collect();
    let b: Vec<f64> = (0..n).map(|_| rng.random_range(-0.3..0.5)).collect();
    let ceiling: Vec<Option<f64>> = (0..n)
        .map(|i| (i % 3 != 2).then(|| rng.random_range(5.0..9.0)))
        .collect();
    let heat: Vec<Heat> = (0..n)
        .filter(|i| i % 2 == 0)
        .map(|actor| Heat {
            actor,
            feed: rng.random_range(0.0..0.3),
            decay: rng.random_range(0.02..0.5),
            weight: rng.random_range(0.0..0.8),
        })
        .collect();
    let bp: Vec<f64> = (0..n)
        .map(|_| {
            if rng.random_bool(0.6) {
                rng.random_range(0.0..0.6)
            } else {
                0.0
            }
        })
        .collect();
    let cfg = Config {
        a,
        w: vec![0.0; n * n],
        b,
        coupled: false,
        pairs: Vec::new(),
        ceiling: ceiling.clone(),
        stocks: Vec::new(),
        heat,
        peace: Some((bp, rate)),
    };
    let mut s = vec![0.0; cfg.len()];
    for i in 0..n {
        let top = ceiling[i].unwrap_or(9.0);
        s[i] = if rng.random_bool(0.2) {
            0.0
        } else {
            rng.random_range(0.0..top)
        };
        s[cfg.cost_at() + i] = rng.random_range(0.0..10.0);
    }
    for k in 0..cfg.heat.len() {
        s[cfg.heat_at() + k] = rng.random_range(0.0..3.0);
    }
    s[cfg.peace_at()] = rng.random_range(0.2..1.0);
    (cfg, s)
}

/// Each actor advanced on its own (closed form, its own matrix exponential,
/// or Dopri5 on its four components) equals Dopri5 on the whole state.
#[test]
fn actors_advanced_alone_match_the_whole_state_solver() {
    let mut rng = ChaCha8Rng::seed_from_u64(29);
    let mut paths = [0usize; 3];
    for case in 0..120 {
        let n = 1 + case % 5;
        let rate = if case % 3 == 0 {
            0.0
        } else {
            rng.random_range(0.01..0.3)
        };
        let (cfg, s) = random_alone_config(&mut rng, n, rate);
        for i in 0..n {
            let al = super::alone::Alone::of(&cfg, i);
            paths[if al.scalar() {
                0
            } else if al.linear() {
                1
            } else {
                2
            }] += 1;
        }
        for h in [0.05, 1.0, 7.5] {
            let mut whole = flow(1e-12, 1e-14, 1_000_000);
            let mut alone = Flow::new(OdeSettings {
                rtol: 1e-12,
                atol: 1e-14,
                max_steps: 1_000_000,
                force_ode: false,
            });
            let (mut o1, mut o2) = (vec![0.0; s.len()], vec![0.0; s.len()]);
            alone.advance(&cfg, &s, h, &mut o1).unwrap();
            whole.advance(&cfg, &s, h, &mut o2).unwrap();
            for (k, (p, q)) in o1.iter().zip(&o2).enumerate() {
                assert!(
                    (p - q).abs() < 1e-9 * (1.0 + q.abs()),
                    "case {case}, h {h}, component {k}: {p} vs {q}"
                );
            }
            // The intensity alone, as the crossing search asks for it.
            for (i, &xi) in o1.iter().enumerate().take(n) {
                let x = alone.advance_one(&cfg, &s, i, h).unwrap();
                assert_eq!(x, xi, "case {case}, h {h}, actor {i}");
            }
        }
    }
    assert!(paths.iter().all(|&c| c >= 30), "paths exercised: {paths:?}");
}

/// Where the cooperative test says "monotone", the intensity is monotone;
/// the bounds of `range` hold at every point of the interval.
#[test]
fn monotone_test_and_range_bounds_hold_along_trajectories() {
    use super::alone::Alone;
    let mut rng = ChaCha8Rng::seed_from_u64(31);
    let (mut monotone, mut bounded) = (0, 0);
    for case in 0..150 {
        let n = 1 + case % 4;
        let rate = if case % 4 == 0 {
            0.0
        } else {
            rng.random_range(0.01..0.5)
        };
        let (cfg, s) = random_alone_config(&mut rng, n, rate);
        let mut f = flow(1e-12, 1e-14, 1_000_000);
        let h = [0.1, 1.0, 5.0][case % 3];
        let times: Vec<f64> = (0..=100).map(|k| h * f64::from(k) / 100.0).collect();
        let mut path = Vec::new();
        for &t in &times {
            let mut o = vec![0.0; s.len()];
            f.advance(&cfg, &s, t, &mut o).unwrap();
            path.push(o);
        }
        for i in 0..n {
            let al = Alone::of(&cfg, i);
            if al.scalar() {
                continue;
            }
            let y = al.y(&cfg, &s, i);
            let xs: Vec<f64> = path.iter().map(|o| o[i]).collect();
            if al.monotone_at(&y) {
                monotone += 1;
                let up = xs.windows(2).all(|w| w[1] >= w[0] - 1e-10);
                let down = xs.windows(2).all(|w| w[1] <= w[0] + 1e-10);
                assert!(up || down, "case {case}, actor {i}: not monotone {xs:?}");
            }
            if let Some((lo, hi)) = al.range(&y, h) {
                bounded += 1;
                for (t, x) in times.iter().zip(&xs) {
                    assert!(
                        *x >= lo - 1e-10 && *x <= hi + 1e-10,
                        "case {case}, actor {i}, t {t}: {x} outside [{lo}, {hi}]"
                    );
                }
            }
        }
    }
    assert!(
        monotone >= 40 && bounded >= 40,
        "{monotone} monotone, {bounded} bounded"
    );
}
