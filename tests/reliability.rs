//! Numerical guards and file safety.

use escalation::error::Error;
use escalation::model::{Dynamics, Model};
use escalation::output::{OutputDir, write_file};
use escalation::prelude::*;
use nalgebra::DVector;

fn stiff(ceiling: Option<f64>) -> Model {
    // Restraint 10⁴/day: A relaxes in about 0.1 ms to g/a = 2.
    let mut d = Dynamics::richardson(1.0e4, 0.5, 0.3, 0.4, 2.0e4, 0.1).unwrap();
    d.ceiling = vec![ceiling, None];
    let mut m = Model::from_dynamics(d, 5.0);
    m.initial = DVector::from_vec(vec![1.0, 0.0]);
    m
}

#[test]
fn stiff_linear_scenarios_are_solved_exactly() {
    let run = simulate(&stiff(None), &SimOptions::default()).unwrap();
    // A follows y quasi-statically: A ≈ (2·10⁴ + 0.3 y)/10⁴; y → (0.4·A + 0.1)/0.5.
    let (a, y) = (run.final_x[0], run.final_x[1]);
    let y_star = (0.4 * 2.0 + 0.1) / (0.5 - 0.4 * 0.3 / 1.0e4);
    assert!(
        (a - (2.0e4 + 0.3 * y) / 1.0e4).abs() < 1e-6,
        "A = {a}, y = {y}"
    );
    // y has not settled after 5 days; it lies between its start and its equilibrium,
    // near the one-dimensional solution y* (1 − e^{−0.5·5}).
    assert!(y > 0.0 && y < y_star, "y = {y}, y* = {y_star}");
    assert!(
        (y - y_star * (1.0 - (-0.5f64 * 5.0).exp())).abs() < 0.01,
        "y = {y}"
    );
}

#[test]
fn stiff_nonlinear_scenarios_are_solved_or_reported() {
    match simulate(&stiff(Some(5.0)), &SimOptions::default()) {
        Ok(run) => {
            assert!(run.final_x.iter().all(|v| v.is_finite()));
            assert!((run.final_x[0] - 2.0).abs() < 1e-3, "{:?}", run.final_x);
        }
        Err(Error::Numerical(msg)) => assert!(msg.contains("stiff"), "{msg}"),
        Err(e) => panic!("unexpected error {e}"),
    }
}

#[test]
fn the_step_limit_is_reported_not_a_hang() {
    let opts = SimOptions {
        max_steps: 3,
        force_ode: true,
        ..SimOptions::default()
    };
    match simulate(&stiff(Some(5.0)), &opts) {
        Err(Error::Numerical(msg)) => assert!(msg.contains("step limit"), "{msg}"),
        other => panic!("expected a step-limit error, got {other:?}"),
    }
}

#[test]
fn overflow_ends_as_an_explosion_at_its_time() {
    // kl = 400 ≫ ab: the state would overflow f64 within days; the run
    // must end when the top rung is reached, with finite numbers.
    let d = Dynamics::richardson(0.5, 0.5, 20.0, 20.0, 1.0, 1.0).unwrap();
    let mut m = Model::from_dynamics(d, 1000.0);
    m.initial = DVector::from_vec(vec![1.0, 1.0]);
    let run = simulate(&m, &SimOptions::default()).unwrap();
    assert_eq!(run.outcome, Outcome::Exploded);
    let te = run.explosion_time.unwrap();
    assert!(te > 0.0 && te < 0.2, "{te}");
    assert!(run.x.iter().flatten().all(|v| v.is_finite()));
    assert!((run.final_x.iter().cloned().fold(0.0, f64::max) - 6.0).abs() < 1e-6);
}

#[test]
fn an_interrupted_write_leaves_no_file_behind() {
    let dir = tempfile::tempdir().unwrap();
    let out = OutputDir::create(dir.path(), false).unwrap();
    let err = out
        .write_with("figure.png", |tmp| {
            std::fs::write(tmp, b"half a picture").unwrap();
            Err(Error::Plot("the disk is full".into()))
        })
        .unwrap_err();
    assert!(err.to_string().contains("disk is full"));
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n != ".escalation-manifest")
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

#[test]
fn files_we_did_not_create_are_never_overwritten_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let theirs = dir.path().join("results.csv");
    std::fs::write(&theirs, "their data").unwrap();
    assert!(matches!(
        write_file(&theirs, b"ours", false),
        Err(Error::WouldOverwrite(_))
    ));
    assert_eq!(std::fs::read_to_string(&theirs).unwrap(), "their data");
    // Our own file may be replaced; theirs only with force.
    let ours = dir.path().join("sweep.csv");
    write_file(&ours, b"v1", false).unwrap();
    write_file(&ours, b"v2", false).unwrap();
    assert_eq!(std::fs::read_to_string(&ours).unwrap(), "v2");
    write_file(&theirs, b"forced", true).unwrap();
    assert_eq!(std::fs::read_to_string(&theirs).unwrap(), "forced");
    // Names that would escape the directory are refused.
    let out = OutputDir::create(dir.path(), false).unwrap();
    assert!(out.write("../escape.txt", b"x").is_err());
    assert!(out.write(".escalation-manifest", b"x").is_err());
}

/// A lag so long that the sampled loop's companion matrix would take hours
/// to analyse: `analyze` reports the rest and says why the sampled part is
/// missing; a sweep stops with an error that says so.
#[test]
fn oversized_sampled_analysis_is_refused_not_run_for_hours() {
    let text =
        include_str!("../examples/scenarios/islamabad.toml").replacen("lag = 1 ", "lag = 60 ", 1);
    let (_, m) = Scenario::compile_str(&text, Format::Toml).unwrap();
    assert_eq!(m.controller.as_ref().unwrap().lag, 60);
    let report = escalation::analysis::analyze(&m).unwrap();
    let json: serde_json::Value = serde_json::from_str(&report.to_json().unwrap()).unwrap();
    assert!(json["sampled"].is_null());
    let notes = json["notes"].to_string();
    assert!(
        notes.contains("sampled-data analysis was skipped") && notes.contains("lag"),
        "{notes}"
    );
    let err = escalation::analysis::sampled_spectral_radius(
        &m.dynamics,
        m.controller.as_ref().unwrap(),
        1.0,
    )
    .unwrap_err();
    assert!(
        matches!(err, Error::Numerical(_)) && err.to_string().contains("shorten the lag"),
        "{err}"
    );
}
