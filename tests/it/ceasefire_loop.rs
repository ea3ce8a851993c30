//! Ceasefires that break, or hold, through the loop (`docs/scenarios.md`,
//! "Mechanisms that break or hold a ceasefire through the loop"): blame that
//! responds, the blame threshold against simulated attacks, spoilers who
//! profit from tension, accountable proxies, verification with consequences,
//! incidents with de-confliction, guarantees, and the loop in each phase.

use escalation::analysis::analyze;
use escalation::ensemble::wilson;
use escalation::model::{OnBlame, PhaseStage};
use escalation::prelude::*;
use escalation::sim::{EventKind, simulate_run};

/// Three actors; A and B sign a truce, C stays out. No ceilings: the loop is
/// linear, so the blame threshold of the linearised loop is exact.
fn truce(controller: bool) -> ModelBuilder {
    let mut b = Model::builder()
        .horizon(60.0)
        .actor(ActorSpec::new("A", 0.5).grievance(0.15))
        .actor(ActorSpec::new("B", 0.4).grievance(0.15))
        .actor(ActorSpec::new("C", 0.6).grievance(0.05))
        .coupling("A", "B", 0.3)
        .coupling("B", "A", 0.6)
        .coupling("C", "B", 0.2)
        .coupling("B", "C", 0.1)
        .phase(
            PhaseSpec::new("truce", 0.0, 60.0, 0.5)
                .parties(["A", "B"])
                .breach_rung(2),
        );
    if controller {
        b = b.controller(ControllerSpec::new(1.0).lag(1).derivative(0.5));
    }
    b
}

/// The model at the truce's equilibrium with spoilers attacking A and
/// blaming B every time, of `magnitude`, with blame `delay` days after.
fn at_equilibrium(controller: bool, magnitude: f64, delay: f64, rate: f64) -> Model {
    let base = truce(controller).build().unwrap();
    let report = analyze(&base).unwrap();
    let x = report.phases[0].equilibrium.clone().unwrap();
    let mut m = truce(controller)
        .spoilers(
            SpoilerSpec::new(rate, magnitude, ["A"], "B")
                .attribution(0.0)
                .attribution_delay(delay),
        )
        .build()
        .unwrap();
    m.initial = nalgebra::DVector::from_vec(x);
    m
}

fn attack_times(run: &Trajectory) -> Vec<f64> {
    run.events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::Attack { .. }))
        .map(|e| e.t)
        .collect()
}

fn breached(run: &Trajectory) -> bool {
    run.events
        .iter()
        .any(|e| matches!(e.kind, EventKind::Breach { .. }))
}

/// A seed whose run has exactly one attack, between days 1 and 5.
fn one_attack_seed(m: &Model) -> (u64, f64) {
    (0..5000)
        .find_map(|seed| {
            let run = simulate_run(m, &SimOptions::default(), seed, 0).unwrap();
            match attack_times(&run)[..] {
                [t] if (1.0..5.0).contains(&t) => Some((seed, t)),
                _ => None,
            }
        })
        .expect("a seed with one early attack")
}

/// The smallest magnitude whose single attack breaches, by bisection on runs.
fn bisect(make: impl Fn(f64) -> Model, seed: u64, hi: f64) -> f64 {
    let breaks =
        |m: f64| breached(&simulate_run(&make(m), &SimOptions::default(), seed, 0).unwrap());
    let (mut lo, mut hi) = (0.0, hi);
    assert!(
        !breaks(lo) && breaks(hi),
        "the bracket must straddle the threshold"
    );
    for _ in 0..50 {
        let mid = 0.5 * (lo + hi);
        if breaks(mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    0.5 * (lo + hi)
}

fn threshold(m: &Model) -> f64 {
    let report = analyze(m).unwrap();
    let t = &report.phases[0].blame_threshold.as_ref().unwrap()[0];
    assert_eq!((t.victim.as_str(), t.accused.as_str()), ("A", "B"));
    t.magnitude.expect("some attack breaks the truce")
}

#[test]
fn the_blame_threshold_agrees_with_simulated_attacks_continuous() {
    let probe = at_equilibrium(false, 0.0, 0.0, 0.05);
    let (seed, _) = one_attack_seed(&probe);
    let analytic = threshold(&probe);
    let simulated = bisect(
        |m| at_equilibrium(false, m, 0.0, 0.05),
        seed,
        3.0 * analytic,
    );
    assert!(
        (simulated - analytic).abs() <= 1e-3 * analytic,
        "analysis {analytic}, simulation {simulated}"
    );
    // Just below never breaches; just above does.
    let run = |m: f64| {
        simulate_run(
            &at_equilibrium(false, m, 0.0, 0.05),
            &SimOptions::default(),
            seed,
            0,
        )
        .unwrap()
    };
    assert!(!breached(&run(0.99 * analytic)));
    assert!(breached(&run(1.01 * analytic)));
}

#[test]
fn the_blame_threshold_agrees_with_simulated_attacks_sampled() {
    let probe = at_equilibrium(true, 0.0, 0.0, 0.05);
    let (seed, t) = one_attack_seed(&probe);
    // Blame lands on a decision, as the analysis assumes.
    let delay = t.ceil() - t;
    let analytic = threshold(&at_equilibrium(true, 0.0, delay, 0.05));
    let simulated = bisect(
        |m| at_equilibrium(true, m, delay, 0.05),
        seed,
        3.0 * analytic,
    );
    assert!(
        (simulated - analytic).abs() <= 1e-3 * analytic,
        "analysis {analytic}, simulation {simulated}"
    );
}

/// Collapsed or exploded runs out of `runs`.
fn failures(m: &Model, runs: u64) -> (u64, u64) {
    let s = run_ensemble(
        m,
        &EnsembleOptions {
            runs,
            ..EnsembleOptions::default()
        },
        None,
    )
    .unwrap();
    (
        s.count(Outcome::Collapsed) + s.count(Outcome::Exploded),
        runs,
    )
}

fn spoiled(magnitude: f64, on_blame: OnBlame) -> Model {
    let mut m = at_equilibrium(false, magnitude, 0.5, 0.1);
    m.spoilers.as_mut().unwrap().attribution = 0.5;
    m.phases[0].on_blame = on_blame;
    m.phases[0].end = 30.0;
    m.horizon = 30.0;
    m
}

#[test]
fn under_respond_the_size_of_the_attack_decides_under_breach_it_does_not() {
    let t = threshold(&spoiled(1.0, OnBlame::Respond));
    let runs = 400;
    let respond: Vec<u64> = [0.3, 0.8, 1.5]
        .iter()
        .map(|&f| failures(&spoiled(f * t, OnBlame::Respond), runs).0)
        .collect();
    // Attacks far below the threshold, even several, break nothing.
    assert_eq!(respond[0], 0, "{respond:?}");
    assert!(respond.windows(2).all(|w| w[0] <= w[1]), "{respond:?}");
    assert!(
        wilson(respond[0], runs)[1] < wilson(respond[2], runs)[0],
        "{respond:?}"
    );
    // The old rule: the same attacks (common random numbers) break the truce
    // whatever their size.
    let counts: Vec<u64> = [0.1, 0.5 * t, 1.5 * t]
        .iter()
        .map(|&m| failures(&spoiled(m, OnBlame::Breach), runs).0)
        .collect();
    assert!(counts[0] > 0);
    assert!(counts.iter().all(|&c| c == counts[0]), "{counts:?}");
}

#[test]
fn spoilers_attack_at_the_phase_rate_while_a_phase_binds_a_target() {
    // Rate 0.1 outside, 1.0 during the truce (days 0–30 of 60).
    let mut m = at_equilibrium(false, 0.0, 0.0, 0.1);
    m.phases[0].end = 30.0;
    m.spoilers.as_mut().unwrap().phase_rate = Some(1.0);
    let (mut during, mut after) = (0usize, 0usize);
    let runs = 300;
    for r in 0..runs {
        let run = simulate_run(&m, &SimOptions::ensemble(), 3, r).unwrap();
        for t in attack_times(&run) {
            if t < 30.0 { during += 1 } else { after += 1 }
        }
    }
    // Poisson counts: 300 × 30 × 1.0 = 9000 and 300 × 30 × 0.1 = 900.
    let z = |k: usize, mean: f64| (k as f64 - mean) / mean.sqrt();
    assert!(z(during, 9000.0).abs() < 4.0, "{during}");
    assert!(z(after, 900.0).abs() < 4.0, "{after}");
}

#[test]
fn an_accountable_proxy_breaches_for_its_patron() {
    let m = Model::builder()
        .horizon(40.0)
        .actor(ActorSpec::new("A", 0.5).grievance(0.1))
        .actor(ActorSpec::new("B", 0.4).grievance(0.1))
        .actor(ActorSpec::new("P", 0.2).grievance(0.9).proxy_of("B", 0.0))
        .coupling("A", "B", 0.2)
        .coupling("B", "A", 0.2)
        .phase(
            PhaseSpec::new("truce", 0.0, 40.0, 0.5)
                .parties(["A", "B"])
                .breach_rung(3)
                .accountable(true),
        )
        .build()
        .unwrap();
    // P's own drive takes it to 0.9/0.2 = 4.5 > 3: it crosses the breach rung.
    let run = simulate(&m, &SimOptions::default()).unwrap();
    let breach = run
        .events
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::Breach {
                actor, cause, by, ..
            } => Some((actor.clone(), cause.clone(), by.clone())),
            _ => None,
        })
        .expect("the proxy breaches");
    assert_eq!(breach, ("B".into(), "proxy".into(), Some("P".into())));
    assert_eq!(run.outcome, Outcome::Collapsed);
    // Not accountable: the same proxy does not break the truce.
    let mut free = m.clone();
    free.phases[0].accountable = false;
    assert_eq!(
        simulate(&free, &SimOptions::default()).unwrap().outcome,
        Outcome::Expired
    );
    // Its patron naming and restraining it (proxy control 0.5) keeps it below: 0.45/0.2 = 2.25.
    let mut named = m.clone();
    named.phases[0].proxy_control = Some(0.5);
    assert_eq!(
        simulate(&named, &SimOptions::default()).unwrap().outcome,
        Outcome::Expired
    );
}

#[test]
fn proxy_control_in_a_phase_is_the_larger_of_the_two() {
    let mut m = truce(false)
        .actor(ActorSpec::new("P", 0.3).grievance(0.2).proxy_of("B", 0.4))
        .coupling("P", "A", 0.5)
        .build()
        .unwrap();
    m.phases[0].proxy_control = Some(0.7);
    let during = m.phase_loop(0, PhaseStage::During).unwrap();
    assert!((during.coupling[(3, 0)] - 0.5 * 0.3).abs() < 1e-15);
    assert!((during.grievance[3] - 0.2 * 0.3).abs() < 1e-15);
    m.phases[0].proxy_control = Some(0.1);
    let during = m.phase_loop(0, PhaseStage::During).unwrap();
    assert!((during.coupling[(3, 0)] - 0.5 * 0.6).abs() < 1e-15);
    let after = m.phase_loop(0, PhaseStage::After).unwrap();
    assert!((after.coupling[(3, 0)] - 0.5 * 0.6).abs() < 1e-15);
}

/// `analyze` of `m` with one phase binding every actor, against `analyze`
/// of the same model whose baseline has the phase's values.
#[test]
fn the_loop_in_a_phase_equals_the_baseline_with_its_values() {
    let every = Model::builder()
        .horizon(60.0)
        .actor(ActorSpec::new("A", 0.5).grievance(0.1))
        .actor(ActorSpec::new("B", 0.4).grievance(0.1))
        .actor(ActorSpec::new("C", 0.6).grievance(0.1))
        .coupling("A", "B", 0.3)
        .coupling("B", "A", 0.6)
        .coupling("C", "B", 0.2)
        .coupling("B", "C", 0.4)
        .phase(
            PhaseSpec::new("deal", 0.0, 30.0, 0.4)
                .parties(["A", "B", "C"])
                .verify(4.0)
                .verified_gain(0.2)
                .guarantee(0.1)
                .after_gain(1.3),
        );
    for controller in [false, true] {
        let b = if controller {
            every
                .clone()
                .controller(ControllerSpec::new(1.0).lag(1).derivative(0.5))
        } else {
            every.clone()
        };
        let m = b.build().unwrap();
        let report = analyze(&m).unwrap();
        let phase = &report.phases[0];
        let baseline = |gain: f64, guarantee: f64| {
            let mut x = m.clone();
            x.phases.clear();
            x.dynamics.gain = gain;
            x.dynamics.restraint.add_scalar_mut(guarantee);
            analyze(&x).unwrap()
        };
        for (stage, gain, guarantee) in [
            (&phase.during, 0.4, 0.1),
            (phase.verified.as_ref().unwrap(), 0.2, 0.1),
            (&phase.after, 1.3, 0.0),
        ] {
            let b = baseline(gain, guarantee);
            assert!((stage.spectral_abscissa - b.spectral_abscissa).abs() < 1e-12);
            match (&b.sampled, stage.spectral_radius) {
                (Some(s), Some(r)) => {
                    assert!((r - s.spectral_radius).abs() < 1e-12);
                    assert_eq!(stage.verdict, s.verdict);
                    let margin = stage.gain_margin.unwrap();
                    assert!((margin - s.gain_margin.unwrap()).abs() < 1e-9 * margin);
                }
                (None, None) => {
                    assert_eq!(stage.verdict, b.verdict);
                    let margin = stage.gain_margin.unwrap();
                    assert!((margin - b.gain_margin.unwrap()).abs() < 1e-9 * margin);
                }
                _ => panic!("a sampled figure on one side only"),
            }
        }
    }
}

#[test]
fn a_guarantee_and_a_verified_gain_act_in_runs_as_in_the_baseline() {
    // One phase over the whole run binding everyone: its run equals the run
    // of a phaseless model with the phase's values.
    let m = Model::builder()
        .horizon(30.0)
        .actor(ActorSpec::new("A", 0.5).grievance(0.1).initial(1.0))
        .actor(ActorSpec::new("B", 0.4).grievance(0.1).initial(0.5))
        .coupling("A", "B", 0.3)
        .coupling("B", "A", 0.6)
        .phase(
            PhaseSpec::new("deal", 0.0, 30.0, 0.4)
                .parties(["A", "B"])
                .guarantee(0.15),
        )
        .build()
        .unwrap();
    let mut plain = m.clone();
    plain.phases.clear();
    plain.dynamics.gain = 0.4;
    plain.dynamics.restraint.add_scalar_mut(0.15);
    let (a, b) = (
        simulate(&m, &SimOptions::default()).unwrap(),
        simulate(&plain, &SimOptions::default()).unwrap(),
    );
    for (x, y) in a.x.iter().zip(&b.x) {
        for (p, q) in x.iter().zip(y) {
            assert!((p - q).abs() < 1e-9, "{p} vs {q}");
        }
    }
}

#[test]
fn a_verified_gain_holds_from_the_passed_test_and_extension_needs_a_pass() {
    let m = truce(false)
        .build()
        .map(|mut m| {
            let p = &mut m.phases[0];
            p.end = 20.0;
            p.verify = Some(4.0);
            p.verified_gain = Some(0.1);
            p.extend_days = Some(10.0);
            m
        })
        .unwrap();
    let run = simulate(&m, &SimOptions::default()).unwrap();
    assert_eq!(run.verification_passed(), Some(true));
    assert_eq!(run.outcome, Outcome::Extended);
    // Blame on a party inside the window fails the test: no extension.
    let mut blamed = at_equilibrium(false, 0.01, 0.0, 1.0);
    blamed.horizon = 25.0;
    let p = &mut blamed.phases[0];
    p.end = 20.0;
    p.verify = Some(4.0);
    p.extend_days = Some(10.0);
    let run = simulate(&blamed, &SimOptions::default()).unwrap();
    assert_eq!(run.verification_passed(), Some(false));
    assert!(
        run.events
            .iter()
            .any(|e| matches!(e.kind, EventKind::VerificationFailed { .. }))
    );
    assert_eq!(run.outcome, Outcome::Expired, "held, but not extended");
}

/// Incidents between A and B over a run of the truce with no feedback from
/// them (never misread): μ∫x_A x_B (1 − D) dt per run, by Simpson's rule on
/// the recorded run.
fn expected_incidents(m: &Model, mu: f64, d: f64) -> f64 {
    let opts = SimOptions {
        dt: 0.01,
        ..SimOptions::default()
    };
    let run = simulate(m, &opts).unwrap();
    let f: Vec<f64> = (0..run.t.len())
        .map(|k| run.x[0][k] * run.x[1][k])
        .collect();
    let h = run.t[1] - run.t[0];
    let n = f.len() - 1;
    assert!(n.is_multiple_of(2));
    let simpson: f64 = h / 3.0
        * (f[0]
            + f[n]
            + (1..n)
                .map(|k| if k % 2 == 1 { 4.0 } else { 2.0 } * f[k])
                .sum::<f64>());
    mu * simpson * (1.0 - d)
}

fn count_incidents(m: &Model, runs: u64) -> usize {
    (0..runs)
        .map(|r| {
            simulate_run(m, &SimOptions::ensemble(), 5, r)
                .unwrap()
                .events
                .iter()
                .filter(|e| matches!(e.kind, EventKind::Incident { .. }))
                .count()
        })
        .sum()
}

fn with_incidents(d: f64) -> Model {
    truce(false)
        .incidents(IncidentSpec::new(0.05, 1.0).pairs([("A", "B")]))
        .build()
        .map(|mut m| {
            m.initial = nalgebra::DVector::from_vec(vec![1.0, 1.5, 0.5]);
            m.phases[0].deconfliction = d;
            m.phases[0].breach_rung = None;
            m
        })
        .unwrap()
}

#[test]
fn incidents_follow_the_intensities_and_de_confliction_removes_them() {
    let runs = 400;
    for d in [0.0, 0.6] {
        let m = with_incidents(d);
        let mean = runs as f64 * expected_incidents(&m, 0.05, d);
        let got = count_incidents(&m, runs) as f64;
        let z = (got - mean) / mean.sqrt();
        assert!(z.abs() < 4.0, "D = {d}: {got} incidents, expected {mean}");
    }
    assert_eq!(count_incidents(&with_incidents(1.0), runs), 0);
}

#[test]
fn misread_zero_changes_no_outcome_and_the_incident_rate_moves_no_attack() {
    let base = spoiled(2.0, OnBlame::Respond);
    let mut quiet = base.clone();
    quiet.incidents = Some(escalation::model::Incidents {
        rate: 0.05,
        magnitude: 3.0,
        misread: 0.0,
        pairs: None,
    });
    let mut busy = quiet.clone();
    busy.incidents.as_mut().unwrap().rate = 0.2;
    for r in 0..200 {
        let opts = SimOptions::ensemble();
        let (a, b, c) = (
            simulate_run(&base, &opts, 9, r).unwrap(),
            simulate_run(&quiet, &opts, 9, r).unwrap(),
            simulate_run(&busy, &opts, 9, r).unwrap(),
        );
        assert_eq!(a.outcome, b.outcome, "run {r}");
        assert_eq!(attack_times(&b), attack_times(&c), "run {r}");
    }
}

#[test]
fn a_misread_incident_raises_both_sides() {
    let mut m = with_incidents(0.0);
    m.incidents.as_mut().unwrap().misread = 1.0;
    m.incidents.as_mut().unwrap().rate = 0.3;
    let plain = with_incidents(0.0);
    // Same streams: the first incident happens at the same time in both;
    // misread, it pushes both parties above the run where it is read correctly.
    let (a, b) = (
        simulate_run(&m, &SimOptions::default(), 2, 0).unwrap(),
        simulate_run(&plain, &SimOptions::default(), 2, 0).unwrap(),
    );
    let first = a
        .events
        .iter()
        .find(|e| matches!(e.kind, EventKind::Incident { misread: true, .. }))
        .expect("an incident")
        .t;
    let k = a.t.iter().position(|&t| t > first + 1.0).unwrap();
    assert!(a.x[0][k] > b.x[0][k] && a.x[1][k] > b.x[1][k]);
}
