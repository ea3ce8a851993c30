//! A model built by hand is held to the same rules as a scenario file.
//!
//! Two parts: the misuse cases found by trying the library as a new user
//! would (each must give an error naming the element), and a property test
//! that mutates valid models field by field (out-of-range indices, NaN, ±∞,
//! negatives, zero, empty and wrong-length vectors) and calls every entry
//! point: each returns an error or a sound result, never panics.
//!
//! 2,000 mutated models per default run; a longer run:
//! `cargo test --release --test it model_check:: -- --ignored`.

use crate::common;

use escalation::analysis::{self, Loop};
use escalation::ensemble::{EnsembleOptions, run_ensemble};
use escalation::figures;
use escalation::model::Phase;
use escalation::prelude::*;
use escalation::sweep::{ActorField, Axis, Grid, Param, SweepOptions, sweep_linear, sweep_summary};
use nalgebra::{DMatrix, DVector};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

/// A valid three-actor ceasefire model built in code.
fn three() -> Model {
    Model::builder()
        .horizon(30.0)
        .actor(ActorSpec::new("A", 0.5).initial(1.0).grievance(0.1))
        .actor(ActorSpec::new("B", 0.4).initial(1.0))
        .actor(ActorSpec::new("C", 0.6).proxy_of("B", 0.5))
        .coupling("A", "B", 0.3)
        .coupling("B", "A", 0.35)
        .coupling("C", "A", 0.2)
        .controller(ControllerSpec::new(1.0).lag(1))
        .phase(
            PhaseSpec::new("ceasefire", 0.0, 14.0, 0.3)
                .parties(["A", "B"])
                .verify(4.0)
                .breach_rung(4),
        )
        .spoilers(SpoilerSpec::new(0.2, 1.5, ["A"], "B").attribution(0.6))
        .hotline(HotlineSpec::new(2.0).attribution(0.9))
        .agreement(AgreementSpec::new(
            "relief",
            ConditionSpec::below("B", 3, 4.0),
            EffectSpec::on("B", 10.0).grievance(0.0),
        ))
        .build()
        .unwrap()
}

/// The error of every entry point that takes a model, each of which must
/// reject `m` with the same message, naming `needle`.
fn rejected_everywhere(m: &Model, needle: &str) {
    let opts = SimOptions::default();
    let mut errors: Vec<(&str, Result<(), Error>)> = vec![
        ("check", m.check()),
        ("simulate", simulate(m, &opts).map(drop)),
        ("analyze", analysis::analyze(m).map(drop)),
        (
            "run_ensemble",
            run_ensemble(
                m,
                &EnsembleOptions {
                    runs: 2,
                    ..Default::default()
                },
                None,
            )
            .map(drop),
        ),
        ("fan_chart", figures::fan_chart(m, 2, 1, None).map(drop)),
        ("default_gains", figures::default_gains(m).map(drop)),
        (
            "root_locus",
            figures::root_locus(m, &[0.0, 0.5, 1.0]).map(drop),
        ),
        ("default_map_grid", figures::default_map_grid(m).map(drop)),
    ];
    let grid = Grid {
        axes: vec![Axis {
            path: "gain".into(),
            param: Param::Gain,
            start: 0.0,
            stop: 1.0,
            count: 3,
        }],
    };
    errors.push((
        "sweep_linear",
        sweep_linear(m, &grid, &SweepOptions::default(), None).map(drop),
    ));
    errors.push((
        "sweep_summary",
        sweep_summary(m, &grid, &SweepOptions::default(), None).map(drop),
    ));
    for (name, r) in errors {
        match r {
            Err(Error::Invalid(e)) => assert!(
                e.to_string().contains(needle),
                "{name}: {e} does not name {needle:?}"
            ),
            other => panic!("{name}: expected an error naming {needle:?}, got {other:?}"),
        }
    }
}

#[test]
fn the_builder_gives_a_valid_model() {
    let m = three();
    m.check().unwrap();
    assert_eq!(m.proxies[0].patron, 1);
    // The proxy's reaction is halved in the loop, not in the model.
    assert_eq!(m.dynamics.coupling[(2, 0)], 0.2);
    assert_eq!(m.effective_dynamics().coupling[(2, 0)], 0.1);
}

#[test]
fn a_phase_party_past_the_last_actor() {
    let mut m = three();
    m.phases[0].parties.push(5);
    rejected_everywhere(&m, "`phase[0].parties[2]` = 5: no such actor (3 actors)");
}

#[test]
fn an_initial_state_of_the_wrong_length() {
    let mut m = three();
    m.initial = DVector::from_vec(vec![1.0, 1.0]);
    rejected_everywhere(&m, "`initial` = 2 entries: must have one entry per actor");
}

#[test]
fn a_spoiler_accused_out_of_range() {
    let mut m = three();
    m.spoilers.as_mut().unwrap().accused = 9;
    rejected_everywhere(&m, "`spoilers.accused` = 9: no such actor");
}

#[test]
fn spoilers_without_targets() {
    let mut m = three();
    m.spoilers.as_mut().unwrap().targets.clear();
    rejected_everywhere(&m, "`spoilers.targets`: must name at least one actor");
}

#[test]
fn a_model_with_no_actors() {
    let d = Dynamics {
        names: vec![],
        restraint: DVector::zeros(0),
        coupling: DMatrix::zeros(0, 0),
        grievance: DVector::zeros(0),
        ceiling: vec![],
        gain: 1.0,
    };
    let m = Model::from_dynamics(d, 10.0);
    rejected_everywhere(&m, "`actor`: at least one");
}

#[test]
fn an_axis_or_sweep_over_a_coupling_out_of_range() {
    let m = three();
    common::invalid(
        Axis::new(&m, Param::Coupling(0, 7), 0.0, 1.0, 3),
        "no such actor 7",
    );
    let grid = Grid {
        axes: vec![Axis {
            path: "coupling.A.?".into(),
            param: Param::Coupling(0, 7),
            start: 0.0,
            stop: 1.0,
            count: 3,
        }],
    };
    common::invalid(
        sweep_linear(&m, &grid, &SweepOptions::default(), None),
        "no such actor 7",
    );
    common::invalid(
        figures::stability_map(&m, &grid),
        "a stability map needs two parameters",
    );
}

#[test]
fn a_negative_restraint() {
    let mut m = three();
    m.dynamics.restraint[1] = -0.4;
    rejected_everywhere(&m, "`actor[1].restraint` = -0.4: must be positive");
}

#[test]
fn a_nan_coupling() {
    let mut m = three();
    m.dynamics.coupling[(0, 1)] = f64::NAN;
    rejected_everywhere(&m, "`coupling.A.B` = NaN: must be a finite number");
}

#[test]
fn a_controller_period_of_zero_or_minus_one() {
    for period in [0.0, -1.0] {
        let mut m = three();
        m.controller.as_mut().unwrap().period = period;
        rejected_everywhere(
            &m,
            &format!("`controller.period` = {period}: must be positive"),
        );
    }
}

#[test]
fn a_horizon_of_zero_minus_ten_or_nan() {
    for (h, why) in [
        (0.0, "= 0: must be positive"),
        (-10.0, "= -10: must be positive"),
        (f64::NAN, "= NaN: must be a finite number"),
    ] {
        let mut m = three();
        m.horizon = h;
        rejected_everywhere(&m, &format!("`horizon` {why}"));
    }
}

#[test]
fn an_attribution_of_seven() {
    let mut m = three();
    m.spoilers.as_mut().unwrap().attribution = 7.0;
    rejected_everywhere(
        &m,
        "`spoilers.attribution` = 7: must be a probability in [0, 1]",
    );
}

#[test]
fn a_breach_rung_of_99() {
    let mut m = three();
    m.phases[0].breach_rung = Some(99);
    rejected_everywhere(
        &m,
        "`phase[0].breach_rung` = 99: the ladder's rungs are 0 to 6",
    );
}

#[test]
fn overlapping_phases_with_the_same_parties() {
    let mut m = three();
    m.phases.push(Phase {
        name: "second".into(),
        start: 5.0,
        end: 20.0,
        gain: 0.5,
        parties: vec![0, 1],
        ..Phase::default()
    });
    rejected_everywhere(&m, "`phase[1].start` = 5: overlaps phase[0]");
}

#[test]
fn a_negative_gain() {
    let mut m = three();
    m.dynamics.gain = -0.5;
    rejected_everywhere(&m, "`gain` = -0.5: must not be negative");
}

#[test]
fn analysis_functions_check_their_dynamics_and_controller() {
    let mut d = three().dynamics;
    d.restraint[0] = f64::INFINITY;
    let c = escalation::control::Controller::new(1.0, 1).unwrap();
    let needle = "`actor[0].restraint` = inf";
    common::invalid(analysis::critical_gain(&d), needle);
    common::invalid(analysis::spectral_abscissa(&d, 1.0), needle);
    common::invalid(analysis::stability(&d, 1.0), needle);
    common::invalid(analysis::sampled_critical_gain(&d, &c), needle);
    common::invalid(analysis::delay_margin(&d, &c, 1.0), needle);
    common::invalid(analysis::linear_equilibrium(&d, 1.0), needle);
    common::invalid(analysis::continuation(&d, (0.0, 1.0), 10), needle);
    let d = three().dynamics;
    let bad = escalation::control::Controller { period: -1.0, ..c };
    common::invalid(
        analysis::sampled_spectral_radius(&d, &bad, 1.0),
        "`controller.period` = -1",
    );
}

#[test]
fn the_sampled_loop_needs_a_controller() {
    let mut m = three();
    m.controller = None;
    let grid = Grid::new(vec![Axis::new(&m, Param::Gain, 0.0, 1.0, 3).unwrap()]).unwrap();
    let opts = SweepOptions {
        loop_kind: Some(Loop::Sampled),
        ..SweepOptions::default()
    };
    common::invalid(sweep_linear(&m, &grid, &opts, None), "needs a controller");
}

// ---------------------------------------------------------------------
// Property test: mutate valid models field by field.

/// Values a mutation may write into a number.
fn value() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(0.0),
        Just(-1.0),
        Just(1e-300),
        Just(1e300),
        Just(-1e300),
        Just(7.0),
        -2.0..2.0f64,
        0.0..20.0f64,
    ]
}

/// An index, sometimes in range, sometimes far out.
fn index() -> impl Strategy<Value = usize> {
    prop_oneof![0..8usize, Just(usize::MAX), Just(1000usize)]
}

#[derive(Debug, Clone)]
enum Mutation {
    Restraint(usize, f64),
    Grievance(usize, f64),
    Coupling(usize, usize, f64),
    Ceiling(usize, Option<f64>),
    Gain(f64),
    Names(usize),
    Resize(usize, usize),
    Initial(usize, f64),
    InitialLen(usize),
    Horizon(f64),
    Controller(usize, f64),
    Phase(usize, usize, f64),
    PhaseParty(usize, usize),
    PhaseCopy(usize),
    Spoiler(usize, f64),
    SpoilerTargets(Vec<usize>),
    SpoilerAccused(usize),
    Hotline(usize, f64),
    Agreement(usize, usize, f64),
    AgreementIndex(usize, usize, usize),
    Proxy(usize, usize, usize, f64),
    Politics(usize, usize, f64),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    use Mutation as M;
    prop_oneof![
        (index(), value()).prop_map(|(i, v)| M::Restraint(i, v)),
        (index(), value()).prop_map(|(i, v)| M::Grievance(i, v)),
        (index(), index(), value()).prop_map(|(i, j, v)| M::Coupling(i, j, v)),
        (index(), prop::option::of(value())).prop_map(|(i, v)| M::Ceiling(i, v)),
        value().prop_map(M::Gain),
        (0..4usize).prop_map(M::Names),
        (0..6usize, 0..6usize).prop_map(|(a, b)| M::Resize(a, b)),
        (index(), value()).prop_map(|(i, v)| M::Initial(i, v)),
        (0..6usize).prop_map(M::InitialLen),
        value().prop_map(M::Horizon),
        (0..5usize, value()).prop_map(|(f, v)| M::Controller(f, v)),
        (index(), 0..7usize, value()).prop_map(|(p, f, v)| M::Phase(p, f, v)),
        (index(), index()).prop_map(|(p, i)| M::PhaseParty(p, i)),
        index().prop_map(M::PhaseCopy),
        (0..4usize, value()).prop_map(|(f, v)| M::Spoiler(f, v)),
        prop::collection::vec(index(), 0..3).prop_map(M::SpoilerTargets),
        index().prop_map(M::SpoilerAccused),
        (0..4usize, value()).prop_map(|(f, v)| M::Hotline(f, v)),
        (index(), 0..4usize, value()).prop_map(|(k, f, v)| M::Agreement(k, f, v)),
        (index(), 0..3usize, index()).prop_map(|(k, f, i)| M::AgreementIndex(k, f, i)),
        (index(), index(), index(), value()).prop_map(|(k, a, p, c)| M::Proxy(k, a, p, c)),
        (0..14usize, index(), value()).prop_map(|(f, i, v)| M::Politics(f, i, v)),
    ]
}

/// `v` as a whole number the way a careless caller might convert it.
fn whole(v: f64) -> usize {
    if v.is_finite() && v >= 0.0 {
        v as usize
    } else {
        usize::MAX
    }
}

fn apply(m: &mut Model, mutation: &Mutation) {
    use Mutation as M;
    let n = m.n().max(1);
    match *mutation {
        M::Restraint(i, v) => {
            if let Some(a) = m.dynamics.restraint.get_mut(i % n) {
                *a = v;
            }
        }
        M::Grievance(i, v) => {
            if let Some(g) = m.dynamics.grievance.get_mut(i % n) {
                *g = v;
            }
        }
        M::Coupling(i, j, v) => {
            let (r, c) = m.dynamics.coupling.shape();
            if r > 0 && c > 0 {
                m.dynamics.coupling[(i % r, j % c)] = v;
            }
        }
        M::Ceiling(i, v) => {
            if let Some(c) = m.dynamics.ceiling.get_mut(i % n) {
                *c = v;
            }
        }
        M::Gain(v) => m.dynamics.gain = v,
        M::Names(k) => match k {
            0 => m.dynamics.names.clear(),
            1 => m.dynamics.names.push("extra".into()),
            2 => {
                if let Some(first) = m.dynamics.names.first_mut() {
                    first.clear();
                }
            }
            _ => {
                let first = m.dynamics.names.first().cloned().unwrap_or_default();
                if let Some(last) = m.dynamics.names.last_mut() {
                    *last = first;
                }
            }
        },
        M::Resize(a, b) => {
            m.dynamics.restraint = DVector::from_element(a, 0.5);
            m.dynamics.coupling = DMatrix::zeros(b, b);
        }
        M::Initial(i, v) => {
            if let Some(x) = m.initial.get_mut(i % n) {
                *x = v;
            }
        }
        M::InitialLen(k) => m.initial = DVector::from_element(k, 0.5),
        M::Horizon(v) => m.horizon = v,
        M::Controller(f, v) => {
            let c = m
                .controller
                .get_or_insert_with(|| escalation::control::Controller::new(1.0, 0).unwrap());
            match f {
                0 => c.period = v,
                1 => c.lag = whole(v),
                2 => c.derivative = v,
                3 => c.deadband = v,
                _ => c.saturation = Some(v),
            }
        }
        M::Phase(p, f, v) => {
            if m.phases.is_empty() {
                return;
            }
            let k = p % m.phases.len();
            let ph = &mut m.phases[k];
            match f {
                0 => ph.start = v,
                1 => ph.end = v,
                2 => ph.gain = v,
                3 => ph.verify = Some(v),
                4 => ph.breach_rung = Some(whole(v)),
                5 => ph.extend_days = Some(v),
                _ => ph.after_gain = Some(v),
            }
        }
        M::PhaseParty(p, i) => {
            if let Some(ph) = m.phases.get_mut(p % 2) {
                if i % 3 == 0 {
                    ph.parties.clear();
                } else {
                    ph.parties.push(i);
                }
            }
        }
        M::PhaseCopy(p) => {
            if let Some(ph) = m.phases.get(p % 2).cloned() {
                m.phases.push(ph);
            }
        }
        M::Spoiler(f, v) => {
            if let Some(s) = m.spoilers.as_mut() {
                match f {
                    0 => s.rate = v,
                    1 => s.magnitude = v,
                    2 => s.attribution = v,
                    _ => s.attribution_delay = v,
                }
            }
        }
        M::SpoilerTargets(ref t) => {
            if let Some(s) = m.spoilers.as_mut() {
                s.targets = t.clone();
            }
        }
        M::SpoilerAccused(i) => {
            if let Some(s) = m.spoilers.as_mut() {
                s.accused = i;
            }
        }
        M::Hotline(f, v) => {
            if let Some(h) = m.hotline.as_mut() {
                match f {
                    0 => h.start = v,
                    1 => h.lag = Some(whole(v)),
                    2 => h.attribution = Some(v),
                    _ => h.attribution_delay = Some(v),
                }
            }
        }
        M::Agreement(k, f, v) => {
            if let Some(a) = m.agreements.get_mut(k % 2) {
                use escalation::model::Condition;
                match (f, &mut a.condition, a.effects.first_mut()) {
                    (
                        0,
                        Condition::Rung { for_days, .. } | Condition::Agreement { for_days, .. },
                        _,
                    ) => {
                        *for_days = v;
                    }
                    (0, Condition::At { day }, _) => *day = v,
                    (1, _, Some(e)) => e.days = v,
                    (2, _, Some(e)) => e.grievance = Some(v),
                    (3, _, Some(e)) => e.restraint = Some(v),
                    (_, _, Some(e)) => e.coupling.push((0, v)),
                    _ => a.effects.clear(),
                }
            }
        }
        M::AgreementIndex(k, f, i) => {
            if let Some(a) = m.agreements.get_mut(k % 2) {
                use escalation::model::Condition;
                match (f, &mut a.condition, a.effects.first_mut()) {
                    (0, Condition::Rung { actor, .. }, _) => *actor = i,
                    (0, Condition::Agreement { index, .. }, _) => *index = i,
                    (0, c, _) => {
                        *c = Condition::Agreement {
                            index: i,
                            for_days: 1.0,
                        }
                    }
                    (1, _, Some(e)) => e.actor = i,
                    (2, Condition::Rung { below_rung, .. }, _) => *below_rung = i,
                    (_, _, Some(e)) => e.coupling.push((i, 0.1)),
                    _ => {}
                }
            }
        }
        M::Politics(f, i, v) => {
            use escalation::control::Adaptation;
            use escalation::model::{Anxiety, Hardliners, Peace, Reset};
            match f {
                0 => m.hardliners.push(Hardliners {
                    actor: i,
                    feed: 0.1,
                    decay: 0.2,
                    weight: 0.5,
                    initial: 0.0,
                }),
                1 => {
                    if let Some(h) = m.hardliners.first_mut() {
                        match i % 4 {
                            0 => h.feed = v,
                            1 => h.decay = v,
                            2 => h.weight = v,
                            _ => h.initial = v,
                        }
                    }
                }
                2 => m.resets.push(Reset { actor: i, rate: v }),
                3 => m.anxiety.push(Anxiety { actor: i, level: v }),
                4 => {
                    m.peace = Some(Peace {
                        after_days: v,
                        grievance_decay: 0.1,
                    })
                }
                5 => {
                    m.peace = Some(Peace {
                        after_days: 2.0,
                        grievance_decay: v,
                    })
                }
                6..=8 => {
                    if let Some(c) = m.controller.as_mut() {
                        let mut a = c.adaptation.unwrap_or(Adaptation {
                            memory: 0.5,
                            baseline: 1.0,
                            floor: 0.2,
                        });
                        match f {
                            6 => a.memory = v,
                            7 => a.baseline = v,
                            _ => a.floor = v,
                        }
                        c.adaptation = Some(a);
                    }
                }
                9 => {
                    if let Some(p) = m.phases.first_mut() {
                        p.surveillance = v;
                    }
                }
                10 => {
                    if let Some(p) = m.phases.first_mut() {
                        p.assures.push(i);
                    }
                }
                11 => m.hardliners.push(Hardliners {
                    actor: i % n,
                    feed: v,
                    decay: 0.3,
                    weight: 0.2,
                    initial: 1.0,
                }),
                12 => m.resets.push(Reset {
                    actor: i % n,
                    rate: 0.05,
                }),
                _ => m.anxiety.push(Anxiety {
                    actor: i % n,
                    level: 0.1,
                }),
            }
        }
        M::Proxy(k, a, p, c) => {
            if k % 2 == 0 {
                m.proxies.push(escalation::model::Proxy {
                    actor: a,
                    patron: p,
                    control: c,
                });
            } else if let Some(x) = m.proxies.get_mut(0) {
                x.actor = a;
                x.patron = p;
                x.control = c;
            }
        }
    }
}

fn bases() -> Vec<Model> {
    let mut v: Vec<Model> = ["islamabad.toml", "dyad.toml", "triad.toml", "bistable.toml"]
        .iter()
        .map(|f| common::load(f))
        .collect();
    v.push(three());
    v
}

/// Calls every entry point; each must give an error or a sound result.
fn exercise(m: &Model) -> Result<(), TestCaseError> {
    let valid = m.check().is_ok();
    // Keep each case fast: a valid model may ask for a million days.
    let mut short = m.clone();
    if short.horizon.is_finite() && short.horizon > 40.0 {
        short.horizon = 40.0;
    }
    let opts = SimOptions {
        dt: 0.5,
        ..SimOptions::default()
    };
    match simulate(&short, &opts) {
        Ok(run) => {
            prop_assert!(valid || short.check().is_ok());
            for s in &run.x {
                prop_assert!(s.iter().all(|v| v.is_finite() && *v >= 0.0));
            }
            if let Some(te) = run.explosion_time {
                prop_assert!(te.is_finite() && (0.0..=short.horizon).contains(&te));
            }
        }
        Err(e) => prop_assert!(!matches!(e, Error::Invalid(_)) || !valid, "{e}"),
    }
    if let Ok(report) = analysis::analyze(m) {
        prop_assert!(valid);
        prop_assert!(report.to_json().is_ok(), "a report with a NaN");
    }
    if let Ok(summary) = run_ensemble(
        &short,
        &EnsembleOptions {
            runs: 3,
            threads: Some(1),
            ..Default::default()
        },
        None,
    ) {
        prop_assert_eq!(summary.runs, 3);
    }
    let d = &m.dynamics;
    if let Ok(Some(g)) = analysis::critical_gain(d) {
        prop_assert!(g.is_finite() && g > 0.0);
    }
    if let Ok(a) = analysis::spectral_abscissa(d, d.gain) {
        prop_assert!(a.is_finite());
    }
    if let Some(c) = &m.controller {
        if let Ok(r) = analysis::sampled_spectral_radius(d, c, d.gain) {
            prop_assert!(r.is_finite() && r >= 0.0);
        }
        let _ = analysis::delay_margin(d, c, d.gain);
    }
    for param in [
        Param::Gain,
        Param::Coupling(0, 1),
        Param::Actor(9, ActorField::Restraint),
    ] {
        if let Ok(axis) = Axis::new(m, param, 0.0, 1.0, 3)
            && let Ok(grid) = Grid::new(vec![axis])
            && let Ok(points) = sweep_linear(m, &grid, &SweepOptions::default(), None)
        {
            prop_assert!(valid);
            prop_assert!(points.iter().all(|p| p.spectral_abscissa.is_finite()));
        }
    }
    let _ = figures::default_gains(m).and_then(|g| figures::root_locus(m, &g));
    if m.n() == 2 {
        let _ = figures::phase_portrait(&short);
    }
    Ok(())
}

fn run_cases(cases: u32) {
    let bases = bases();
    let strategy = (0..bases.len(), prop::collection::vec(mutation(), 1..4));
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&strategy, |(b, muts)| {
            let mut m = bases[b].clone();
            for mu in &muts {
                apply(&mut m, mu);
            }
            if std::env::var("TRACE").is_ok() {
                eprintln!("case: base {b} {muts:?}");
            }
            let t0 = std::time::Instant::now();
            let r = exercise(&m);
            if std::env::var("SLOW").is_ok() && t0.elapsed().as_secs_f64() > 0.5 {
                eprintln!(
                    "slow case {:.1}s: base {b} {muts:?}",
                    t0.elapsed().as_secs_f64()
                );
            }
            r
        })
        .unwrap();
}

#[test]
fn mutated_models_never_panic_any_entry_point() {
    run_cases(
        std::env::var("CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(2000),
    );
}

#[test]
#[ignore = "long run: cargo test --release --test it model_check:: -- --ignored"]
fn mutated_models_long_run() {
    run_cases(50_000);
}
