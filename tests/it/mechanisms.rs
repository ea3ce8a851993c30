//! Scenario mechanisms: phases, verification, extension, spoilers and
//! attribution, hotline, proxies, agreements, outcomes.

use escalation::ensemble::{EnsembleOptions, run_ensemble, wilson};
use escalation::prelude::*;
use escalation::sim::EventKind;

/// Two parties in a stable loop (γ* = √(0.2/0.18) ≈ 1.054 at gain 1), a
/// fourteen-day ceasefire at gain 0.3, extended by 14 days.
const CEASEFIRE: &str = r#"
horizon = 60.0
gain = 1.0
seed = 11
[[actor]]
name = "A"
restraint = 0.5
grievance = 0.02
initial = 2.0
[[actor]]
name = "B"
restraint = 0.4
grievance = 0.01
initial = 1.5
[coupling]
A = { B = 0.3 }
B = { A = 0.6 }
[[phase]]
name = "ceasefire"
start = 0.0
end = 14.0
gain = 0.3
parties = ["A", "B"]
verify = 4.0
breach_rung = 3
extend_days = 14.0
"#;

fn compile(text: &str) -> Model {
    Scenario::compile_str(text, Format::Toml).unwrap().1
}

fn kinds(run: &Trajectory) -> Vec<&'static str> {
    run.events
        .iter()
        .map(|e| e.kind.name())
        .filter(|k| *k != "rung")
        .collect()
}

#[test]
fn ceasefire_holds_passes_verification_and_is_extended_repeatedly() {
    let run = simulate(&compile(CEASEFIRE), &SimOptions::default()).unwrap();
    assert_eq!(run.outcome, Outcome::Extended);
    assert_eq!(run.verification_passed(), Some(true));
    let ext: Vec<f64> = run
        .events
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::Extended { until, .. } => Some(until),
            _ => None,
        })
        .collect();
    // Ends at 14, 28, 42, 56 each get extended (all before the 60-day horizon).
    assert_eq!(ext, vec![28.0, 42.0, 56.0, 70.0]);
    let vt = run
        .events
        .iter()
        .find(|e| matches!(e.kind, EventKind::VerificationPassed { .. }))
        .unwrap()
        .t;
    assert_eq!(vt, 4.0);
}

#[test]
fn without_extension_a_held_phase_expires() {
    let text = CEASEFIRE.replace("extend_days = 14.0\n", "");
    let run = simulate(&compile(&text), &SimOptions::default()).unwrap();
    assert_eq!(run.outcome, Outcome::Expired);
    assert_eq!(
        kinds(&run),
        ["phase_start", "verification_passed", "phase_end"]
    );
}

#[test]
fn no_phase_means_outcome_none() {
    let text = CEASEFIRE.split("[[phase]]").next().unwrap().to_string();
    let run = simulate(&compile(&text), &SimOptions::default()).unwrap();
    assert_eq!(run.outcome, Outcome::None);
}

#[test]
fn ceasefire_gain_changes_the_dynamics_only_among_parties_and_only_in_the_window() {
    // During the window the parties see gain 0.3: compare with a run whose
    // baseline gain is 0.3 throughout; they agree until day 14 and differ after.
    let m = compile(&CEASEFIRE.replace("extend_days = 14.0\n", ""));
    let mut low = m.clone();
    low.phases.clear();
    low.dynamics.gain = 0.3;
    let a = simulate(&m, &SimOptions::default()).unwrap();
    let b = simulate(&low, &SimOptions::default()).unwrap();
    let k14 = a.t.iter().position(|&t| (t - 14.0).abs() < 1e-9).unwrap();
    for k in 0..=k14 {
        assert!((a.x[0][k] - b.x[0][k]).abs() < 1e-9, "t = {}", a.t[k]);
    }
    let last = a.t.len() - 1;
    assert!(a.x[0][last] > b.x[0][last] + 0.01);
}

#[test]
fn a_party_reaching_the_breach_rung_collapses_the_phase_and_after_gain_applies() {
    // Strong grievance drives A over rung 3 during the ceasefire.
    // A ceiling of 4.5 keeps it below the top rung (and makes the flow nonlinear).
    let text = CEASEFIRE
        .replace("grievance = 0.02", "grievance = 2.0\nceiling = 4.5")
        .replace("extend_days = 14.0", "extend_days = 14.0\nafter_gain = 0.8");
    let run = simulate(&compile(&text), &SimOptions::default()).unwrap();
    assert_eq!(run.outcome, Outcome::Collapsed);
    let breach = run
        .events
        .iter()
        .find(|e| matches!(e.kind, EventKind::Breach { .. }))
        .unwrap();
    match &breach.kind {
        EventKind::Breach { actor, cause, .. } => {
            assert_eq!(actor, "A");
            assert_eq!(cause, "rung");
        }
        _ => unreachable!(),
    }
    // The breach is located where A crosses 3.0 (to the bisection tolerance).
    let k = run.t.iter().position(|&t| t > breach.t).unwrap();
    assert!(run.x[0][k - 1] < 3.0 + 1e-6 && run.x[0][k] >= 3.0 - 1e-6);
    let collapse = run.events.iter().find_map(|e| match e.kind {
        EventKind::Collapse { gain, .. } => Some(gain),
        _ => None,
    });
    assert_eq!(collapse, Some(0.8));
    assert_eq!(run.verification_passed(), Some(breach.t >= 4.0));
}

#[test]
fn a_non_party_can_collapse_a_ceasefire_the_parties_alone_would_keep() {
    // C is outside the agreement and locked in its own loop with A.
    let outsider = format!(
        "{CEASEFIRE}\n[[actor]]\nname = \"C\"\nrestraint = 0.3\ngrievance = 0.2\ninitial = 2.0\n"
    )
    .replace("A = { B = 0.3 }", "A = { B = 0.3, C = 0.4 }")
    .replace("B = { A = 0.6 }", "B = { A = 0.6 }\nC = { A = 0.4 }");
    // Without C's coupling the same actors keep the ceasefire.
    let quiet = outsider.replace("A = { B = 0.3, C = 0.4 }", "A = { B = 0.3 }");
    let kept = simulate(&compile(&quiet), &SimOptions::default()).unwrap();
    assert_eq!(kept.outcome, Outcome::Extended);
    let broken = simulate(&compile(&outsider), &SimOptions::default()).unwrap();
    assert!(
        matches!(broken.outcome, Outcome::Collapsed | Outcome::Exploded),
        "{}",
        broken.outcome
    );
    assert!(kinds(&broken).contains(&"breach"));
}

const SPOILED: &str = r#"
[spoilers]
rate = 0.5
magnitude = 1.5
targets = ["A"]
accused = "B"
attribution = 0.0
attribution_delay = 1.0
"#;

/// The old rule, kept as `on_blame = "breach"`.
fn breach_on_blame(text: &str) -> String {
    text.replace(
        "extend_days = 14.0",
        "extend_days = 14.0\non_blame = \"breach\"",
    )
}

#[test]
fn a_misattributed_attack_breaches_the_phase_after_the_delay() {
    let run = simulate(
        &compile(&breach_on_blame(&format!("{CEASEFIRE}{SPOILED}"))),
        &SimOptions::default(),
    )
    .unwrap();
    // Collapsed, or exploded later under the restored gain and repeated blame.
    assert!(
        matches!(run.outcome, Outcome::Collapsed | Outcome::Exploded),
        "{}",
        run.outcome
    );
    let attack = run
        .events
        .iter()
        .find(|e| matches!(e.kind, EventKind::Attack { .. }))
        .unwrap()
        .t;
    let blame = run
        .events
        .iter()
        .find(|e| matches!(e.kind, EventKind::Attribution { .. }))
        .unwrap();
    assert!((blame.t - attack - 1.0).abs() < 1e-12);
    match &blame.kind {
        EventKind::Attribution {
            victim,
            blamed,
            correct,
            attack_time,
        } => {
            assert_eq!(
                (victim.as_str(), blamed.as_str(), *correct),
                ("A", "B", false)
            );
            assert_eq!(*attack_time, attack);
        }
        _ => unreachable!(),
    }
    let breach = run
        .events
        .iter()
        .find(|e| matches!(e.kind, EventKind::Breach { .. }))
        .unwrap();
    assert_eq!(breach.t, blame.t);
}

#[test]
fn misattribution_raises_the_victims_response() {
    // The victim answers a phantom rise of the accused: A's intensity after
    // the blame is higher than in a run where every attack is traced correctly.
    let base = CEASEFIRE.split("[[phase]]").next().unwrap().to_string();
    let wrong = simulate(
        &compile(&format!("{base}{SPOILED}")),
        &SimOptions::default(),
    )
    .unwrap();
    let right = simulate(
        &compile(&format!(
            "{base}{}",
            SPOILED.replace("attribution = 0.0", "attribution = 1.0")
        )),
        &SimOptions::default(),
    )
    .unwrap();
    let blame = wrong
        .events
        .iter()
        .find(|e| matches!(e.kind, EventKind::Attribution { .. }))
        .unwrap()
        .t;
    let k = wrong.t.iter().position(|&t| t > blame + 0.5).unwrap();
    assert!(
        wrong.x[0][k] > right.x[0][k] + 0.05,
        "{} vs {}",
        wrong.x[0][k],
        right.x[0][k]
    );
    // Before the first blame the runs are identical: same attack times, no effect yet.
    let k0 = wrong.t.iter().position(|&t| t >= blame).unwrap();
    for k in 0..k0 {
        assert_eq!(wrong.x[0][k], right.x[0][k]);
    }
}

#[test]
fn hotline_improves_attribution_from_its_start() {
    let hot = format!(
        "{CEASEFIRE}{SPOILED}\n[hotline]\nstart = 0.0\nattribution = 1.0\nattribution_delay = 0.25\n"
    );
    let run = simulate(&compile(&hot), &SimOptions::default()).unwrap();
    assert_eq!(run.outcome, Outcome::Extended);
    assert!(kinds(&run).contains(&"hotline_start"));
    for e in &run.events {
        if let EventKind::Attribution {
            correct,
            attack_time,
            ..
        } = e.kind
        {
            assert!(correct);
            assert!((e.t - attack_time - 0.25).abs() < 1e-12);
        }
    }
}

#[test]
fn hotline_shortens_the_controller_lag() {
    let base = format!("{CEASEFIRE}\n[controller]\nperiod = 1.0\nlag = 3\n");
    let with_hotline = format!("{base}\n[hotline]\nstart = 5.0\nlag = 0\n");
    let a = simulate(&compile(&base), &SimOptions::default()).unwrap();
    let b = simulate(&compile(&with_hotline), &SimOptions::default()).unwrap();
    let k5 = a.t.iter().position(|&t| (t - 5.0).abs() < 1e-9).unwrap();
    for k in 0..=k5 {
        assert_eq!(a.x[0][k], b.x[0][k]);
    }
    assert_ne!(a.x[0][k5 + 10], b.x[0][k5 + 10]);
}

#[test]
fn proxy_control_scales_its_reaction_and_grievance() {
    let text = format!("{CEASEFIRE}\n[[actor]]\nname = \"P\"\nrestraint = 0.3\ngrievance = 0.4\npatron = \"B\"\ncontrol = 0.75\n")
        .replace("B = { A = 0.6 }", "B = { A = 0.6 }\nP = { A = 0.2 }");
    let m = compile(&text);
    // The model keeps the proxy's own values; the loop sees them scaled.
    assert_eq!(m.dynamics.grievance[2], 0.4);
    assert_eq!(m.dynamics.coupling[(2, 0)], 0.2);
    let d = m.effective_dynamics();
    assert!((d.grievance[2] - 0.1).abs() < 1e-15);
    assert!((d.coupling[(2, 0)] - 0.05).abs() < 1e-15);
    assert_eq!(d.coupling[(1, 0)], 0.6, "the patron itself is unchanged");
    // A run of the model equals a run of the scaled dynamics without a proxy.
    let mut folded = m.clone();
    folded.dynamics = d.into_owned();
    folded.proxies.clear();
    let opts = SimOptions::default();
    assert_eq!(
        simulate(&m, &opts).unwrap().x,
        simulate(&folded, &opts).unwrap().x
    );
}

const AGREEMENT: &str = r#"
[[agreement]]
name = "relief"
when = { actor = "A", below_rung = 3, for_days = 2.0 }
then = { actor = "A", grievance = -0.2, for_days = 30.0 }
reversible = true
"#;

#[test]
fn agreement_takes_effect_after_its_condition_held() {
    let base = CEASEFIRE.split("[[phase]]").next().unwrap().to_string();
    let run = simulate(
        &compile(&format!("{base}{AGREEMENT}")),
        &SimOptions::default(),
    )
    .unwrap();
    let on = run
        .events
        .iter()
        .find(|e| matches!(e.kind, EventKind::AgreementOn { .. }))
        .unwrap();
    assert_eq!(on.t, 2.0);
    // A's grievance is now negative: it falls faster than without the agreement.
    let plain = simulate(&compile(&base), &SimOptions::default()).unwrap();
    let k = run.t.iter().position(|&t| t >= 10.0).unwrap();
    assert!(run.x[0][k] < plain.x[0][k]);
}

#[test]
fn a_reversible_agreement_is_withdrawn_when_its_condition_breaks() {
    // From day 10 a surge phase triples the gain between A and B: A climbs
    // past rung 3 while the relief (on from day 2 to day 32) is in force.
    let base = CEASEFIRE.split("[[phase]]").next().unwrap().to_string();
    let surge = "[[phase]]\nname = \"surge\"\nstart = 10.0\nend = 40.0\ngain = 3.0\nparties = [\"A\", \"B\"]\n";
    let text = format!("{base}{surge}{AGREEMENT}");
    let run = simulate(&compile(&text), &SimOptions::default()).unwrap();
    let off = run
        .events
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::AgreementOff { reason, .. } => Some((e.t, reason.clone())),
            _ => None,
        })
        .expect("the agreement ends");
    assert_eq!(off.1, "withdrawn");
    assert!(
        off.0 > 10.0 && off.0 < 32.0,
        "withdrawn at {} before it would expire",
        off.0
    );
    // At that moment A has just reached rung 3.
    let rung_up = run
        .events
        .iter()
        .find(|e| matches!(&e.kind, EventKind::Rung { actor, to: 3, .. } if actor == "A"))
        .unwrap();
    assert_eq!(rung_up.t, off.0);
    // Not reversible: the effect stays until it expires.
    let kept = simulate(
        &compile(&text.replace("reversible = true", "reversible = false")),
        &SimOptions::default(),
    )
    .unwrap();
    assert!(!kept.events.iter().any(
        |e| matches!(&e.kind, EventKind::AgreementOff { reason, .. } if reason == "withdrawn")
    ));
}

fn collapse_fraction(text: &str, runs: u64) -> (u64, u64) {
    let m = compile(text);
    let s = run_ensemble(
        &m,
        &EnsembleOptions {
            runs,
            ..EnsembleOptions::default()
        },
        None,
    )
    .unwrap();
    (s.counts["collapsed"] + s.counts["exploded"], s.runs)
}

#[test]
fn with_no_spoilers_and_a_stable_loop_every_run_holds() {
    let m = compile(CEASEFIRE);
    let s = run_ensemble(
        &m,
        &EnsembleOptions {
            runs: 200,
            ..EnsembleOptions::default()
        },
        None,
    )
    .unwrap();
    assert_eq!(s.counts["extended"] + s.counts["expired"], 200);
}

/// Collapse probability rises with the spoiler rate, falls with attribution
/// accuracy and with a hotline; 400 runs per point, 95% intervals disjoint.
#[test]
fn collapse_probability_responds_to_rate_attribution_and_hotline() {
    let scenario = |rate: f64, attribution: f64, hotline: bool| {
        let mut t = breach_on_blame(&format!(
            "{CEASEFIRE}\n[spoilers]\nrate = {rate}\nmagnitude = 1.5\ntargets = [\"A\"]\naccused = \"B\"\nattribution = {attribution}\nattribution_delay = 1.0\n"
        ));
        if hotline {
            t += "\n[hotline]\nstart = 0.0\nattribution = 0.95\n";
        }
        t
    };
    let disjoint = |lo: (u64, u64), hi: (u64, u64)| {
        let (a, b) = (wilson(lo.0, lo.1), wilson(hi.0, hi.1));
        assert!(a[1] < b[0], "{a:?} should lie below {b:?}");
    };
    let runs = 400;
    let rates: Vec<(u64, u64)> = [0.01, 0.05, 0.2]
        .iter()
        .map(|&r| collapse_fraction(&scenario(r, 0.5, false), runs))
        .collect();
    disjoint(rates[0], rates[1]);
    disjoint(rates[1], rates[2]);
    let attr: Vec<(u64, u64)> = [0.2, 0.6, 0.95]
        .iter()
        .map(|&a| collapse_fraction(&scenario(0.1, a, false), runs))
        .collect();
    disjoint(attr[1], attr[0]);
    disjoint(attr[2], attr[1]);
    let without = collapse_fraction(&scenario(0.1, 0.5, false), runs);
    let with = collapse_fraction(&scenario(0.1, 0.5, true), runs);
    disjoint(with, without);
}

#[test]
fn ensembles_do_not_depend_on_thread_count() {
    let (_, m) = Scenario::load(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/scenarios/islamabad.toml"
    ))
    .unwrap();
    let run = |threads| {
        let opts = EnsembleOptions {
            runs: 64,
            threads: Some(threads),
            ..EnsembleOptions::default()
        };
        serde_json::to_string(&run_ensemble(&m, &opts, None).unwrap().report()).unwrap()
    };
    assert_eq!(run(1), run(2));
}

/// An ensemble's mean cost and quiet days are the means of its runs' (each
/// run simulated on its own from the same streams), to the fixed-point
/// quantum, and two shards merge to the unsharded sums exactly.
#[test]
fn ensemble_means_of_cost_and_quiet_days_are_the_runs_means() {
    let (_, m) = Scenario::load(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/scenarios/islamabad.toml"
    ))
    .unwrap();
    let runs = 48;
    let opts = EnsembleOptions {
        runs,
        ..EnsembleOptions::default()
    };
    let all = run_ensemble(&m, &opts, None).unwrap();
    let mut cost = vec![0.0; m.n()];
    let mut quiet = 0.0;
    for r in 0..runs {
        let t = escalation::sim::simulate_run(&m, &opts.sim, m.seed, r).unwrap();
        for (c, v) in cost.iter_mut().zip(&t.cost) {
            *c += v / runs as f64;
        }
        quiet += t.quiet_days / runs as f64;
        assert!(t.quiet_days >= 0.0 && t.quiet_days <= t.end_time);
        assert!(t.cost.iter().all(|&c| c >= 0.0));
    }
    let got = all.mean_cost();
    assert_eq!(got.len(), m.n());
    for (g, w) in got.iter().zip(&cost) {
        assert!((g - w).abs() < 1e-6, "{g} vs {w}");
    }
    assert!((all.mean_quiet_days() - quiet).abs() < 1e-6);
    assert!(cost.iter().sum::<f64>() > 0.0);
    let shard = |k| {
        run_ensemble(
            &m,
            &EnsembleOptions {
                shard: Some((k, 2)),
                ..opts.clone()
            },
            None,
        )
        .unwrap()
    };
    let merged = shard(0).merge(&shard(1)).unwrap();
    assert_eq!(merged.cost_sum, all.cost_sum);
    assert_eq!(merged.quiet_sum, all.quiet_sum);
}
