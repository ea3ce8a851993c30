//! `analyze`: the report of the shipped scenarios, its JSON keys, and the
//! command line.

use std::process::Command;

use approx::assert_relative_eq;
use escalation::analysis::{DelayMargin, Verdict, analyze, companion, critical_gain, eigenvalues};
use escalation::scenario::Scenario;
use serde_json::Value;

const REQUIRED: [&str; 11] = [
    "actors",
    "gain",
    "equilibrium",
    "eigenvalues",
    "spectral_abscissa",
    "verdict",
    "doubling_time",
    "critical_gain",
    "gain_margin",
    "dominant_actors",
    "sampled",
];

#[test]
fn dyad_report_matches_richardson() {
    let (_, m) = Scenario::load("examples/scenarios/dyad.toml").unwrap();
    let r = analyze(&m).unwrap();
    assert_eq!(r.actors, vec!["Blue", "Red"]);
    assert_eq!(r.model, "linear");
    // ab = 0.20 > kl = 0.18; x* = (bg + kh, lg + ah)/(ab − kl) = (0.55, 0.85).
    let x = r.equilibrium.as_ref().unwrap();
    assert_relative_eq!(x[0], 0.55, epsilon = 1e-12);
    assert_relative_eq!(x[1], 0.85, epsilon = 1e-12);
    assert!(r.negative_peace);
    assert_eq!(r.verdict, Verdict::Stable);
    assert_eq!(r.doubling_time, None);
    // Eigenvalues: trace −0.9, determinant 0.02.
    assert_relative_eq!(
        r.eigenvalues[0][0] + r.eigenvalues[1][0],
        -0.9,
        epsilon = 1e-12
    );
    assert_relative_eq!(
        r.eigenvalues[0][0] * r.eigenvalues[1][0],
        0.02,
        epsilon = 1e-12
    );
    assert_relative_eq!(r.spectral_abscissa, r.eigenvalues[0][0]);
    let gstar = (0.20f64 / 0.18).sqrt();
    assert_relative_eq!(r.critical_gain.unwrap(), gstar, max_relative = 1e-13);
    assert_eq!(r.crossing, Some("real"));
    assert_relative_eq!(r.gain_margin.unwrap(), gstar, max_relative = 1e-13);
    assert_relative_eq!(
        r.gain_margin_db.unwrap(),
        20.0 * gstar.log10(),
        max_relative = 1e-12
    );
    let total: f64 = r.dominant_actors.iter().map(|a| a.participation).sum();
    assert_relative_eq!(total, 1.0, epsilon = 1e-12);
    // Non-negative loop: every sensitivity is negative (more reaction, less margin).
    let s = r.sensitivity.as_ref().unwrap();
    assert!(
        s.0.iter()
            .all(|(_, row)| row.0.iter().all(|(_, v)| *v < 0.0))
    );
    // The sampled loop (Δ = 1, lag 1, no derivative) keeps the continuous γ*.
    let sampled = r.sampled.as_ref().unwrap();
    assert_relative_eq!(sampled.critical_gain.unwrap(), gstar, max_relative = 1e-9);
    assert_eq!(sampled.delay_margin, DelayMargin::AllStable);
    let c = m.controller.as_ref().unwrap();
    let rho = eigenvalues(&companion(&m.dynamics, c, 1.0).unwrap())
        .unwrap()
        .iter()
        .map(|z| z.norm())
        .fold(0.0, f64::max);
    assert_relative_eq!(sampled.spectral_radius, rho);
    assert!(r.folds.is_none() && r.hysteresis.is_none());

    let json: Value = serde_json::from_str(&r.to_json().unwrap()).unwrap();
    for key in REQUIRED {
        assert!(json.get(key).is_some(), "missing {key}");
    }
    assert_eq!(json["verdict"], "stable");
    assert!(json["doubling_time"].is_null());
    assert!(json["sampled"]["delay_margin"].is_null());
    assert_eq!(json["eigenvalues"][0].as_array().unwrap().len(), 2);
}

#[test]
fn islamabad_report() {
    let (_, m) = Scenario::load("examples/scenarios/islamabad.toml").unwrap();
    let r = analyze(&m).unwrap();
    assert_eq!(r.model, "ceiling");
    // The scenario file states γ* ≈ 0.876 for the continuous loop, that of
    // the steady-state loop with the hardliners' heat.
    let gstar = r.critical_gain.unwrap();
    assert!((gstar - 0.876).abs() < 5e-4, "{gstar}");
    assert_relative_eq!(
        gstar,
        critical_gain(&m.steady_dynamics().unwrap())
            .unwrap()
            .unwrap()
    );
    // Without hardliners it is the Perron gain of the effective loop, higher.
    let cool = critical_gain(&m.effective_dynamics()).unwrap().unwrap();
    assert!(cool > gstar);
    assert_eq!(r.breach_rung, 4);
    // At gain 1 > γ* the sampled loop explodes even without lag.
    let sampled = r.sampled.as_ref().unwrap();
    assert_eq!(sampled.verdict, Verdict::Explosive);
    assert_eq!(sampled.delay_margin, DelayMargin::Unstable);
    assert!(sampled.critical_gain.unwrap() <= gstar * (1.0 + 1e-9));
    // The capped equilibrium sits in the box, and the analysis found no tipping point.
    let x = r.equilibrium.as_ref().unwrap();
    assert!(x.iter().all(|&v| (0.0..=7.0 + 1e-9).contains(&v)));
    assert!(r.folds.is_some());
    let json: Value = serde_json::from_str(&r.to_json().unwrap()).unwrap();
    for key in REQUIRED {
        assert!(json.get(key).is_some(), "missing {key}");
    }
    assert_eq!(json["sampled"]["delay_margin"], -1);
}

#[test]
fn command_line() {
    let bin = env!("CARGO_BIN_EXE_escalation");
    let out = Command::new(bin)
        .args(["analyze", "examples/scenarios/dyad.toml", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    for key in REQUIRED {
        assert!(json.get(key).is_some(), "missing {key}");
    }
    assert_eq!(json["actors"][0], "Blue");
    let out = Command::new(bin)
        .args(["analyze", "examples/scenarios/dyad.toml"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("verdict: stable"), "{text}");
    assert!(text.contains("critical gain: 1.054093"), "{text}");
    let out = Command::new(bin)
        .args(["analyze", "no/such/file.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no/such/file.toml"));
}
