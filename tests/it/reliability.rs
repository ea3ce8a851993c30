//! Numerical guards and file safety.

use escalation::error::{Error, NumericalError};
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
        Err(Error::Numerical(NumericalError::Stiff { time })) => assert!(time >= 0.0),
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
        Err(Error::Numerical(NumericalError::StepLimit { steps, .. })) => assert!(steps > 0),
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
    let text = include_str!("../../examples/scenarios/islamabad.toml").replacen(
        "lag = 1 ",
        "lag = 60 ",
        1,
    );
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
        matches!(
            err,
            Error::Numerical(NumericalError::CompanionTooLarge { limit: 256, .. })
        ),
        "{err}"
    );
}

/// The work's identity: the compiled model, exactly, but not its name or
/// default seed.
#[test]
fn the_model_fingerprint_sees_every_value_and_nothing_else() {
    use escalation::merge::fingerprint;
    let text = include_str!("../../examples/scenarios/richardson.toml");
    let (_, a) = Scenario::compile_str(text, Format::Toml).unwrap();
    let (_, b) = Scenario::compile_str(text, Format::Toml).unwrap();
    assert_eq!(fingerprint(&a), fingerprint(&b));
    assert!(fingerprint(&a).starts_with("sha256:") && fingerprint(&a).len() == 71);
    let mut renamed = a.clone();
    renamed.name = "other".into();
    renamed.seed = 99;
    assert_eq!(fingerprint(&a), fingerprint(&renamed));
    // One ulp anywhere changes it.
    let mut nudged = a.clone();
    nudged.dynamics.restraint[1] = f64::from_bits(nudged.dynamics.restraint[1].to_bits() + 1);
    assert_ne!(fingerprint(&a), fingerprint(&nudged));
    let mut longer = a.clone();
    longer.horizon += 1.0;
    assert_ne!(fingerprint(&a), fingerprint(&longer));
}

/// Values in validation errors: at most 17 significant digits, long text cut.
#[test]
fn invalid_values_print_short() {
    use escalation::error::Invalid;
    let show = |v: f64| Invalid::new("k", "r").value(v).to_string();
    assert_eq!(show(1e300), "`k` = 1e300: r");
    assert_eq!(show(-1e-300), "`k` = -1e-300: r");
    assert_eq!(show(0.1 + 0.2), "`k` = 0.30000000000000004: r");
    assert_eq!(show(2.5), "`k` = 2.5: r");
    let u = Invalid::new("k", "r").value(u64::MAX).to_string();
    assert!(u.contains("18446744073709551615"), "{u}");
    let long = Invalid::new("k", "r").value("x".repeat(1000)).to_string();
    assert!(
        long.len() < 200 && long.contains("(880 more characters)"),
        "{long}"
    );
}

/// Concurrent writers in one process: every name ends up in the manifest.
#[test]
fn concurrent_writers_keep_every_manifest_entry() {
    let dir = tempfile::tempdir().unwrap();
    std::thread::scope(|s| {
        for t in 0..8 {
            let path = dir.path().to_path_buf();
            s.spawn(move || {
                // Each thread opens its own OutputDir, as separate processes do.
                let out = OutputDir::create(&path, false).unwrap();
                for k in 0..10 {
                    out.write(&format!("f{t}-{k}.txt"), b"x").unwrap();
                }
            });
        }
    });
    let manifest = std::fs::read_to_string(dir.path().join(".escalation-manifest")).unwrap();
    assert_eq!(manifest.lines().count(), 80, "{manifest}");
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.contains("tmp"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
    // And a fresh OutputDir may replace any of them without force.
    OutputDir::create(dir.path(), false)
        .unwrap()
        .write("f3-7.txt", b"y")
        .unwrap();
}

/// Reading is capped: a file one byte over the limit is refused, naming it.
#[test]
fn reads_are_capped() {
    use escalation::output::read_capped;
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("s.toml");
    std::fs::write(&p, "x".repeat(101)).unwrap();
    let e = read_capped(&p, 100, "scenario file").unwrap_err();
    assert!(e.is_input_error());
    assert!(e.to_string().contains("s.toml") && e.to_string().contains("100 bytes"));
    assert_eq!(read_capped(&p, 101, "scenario file").unwrap().len(), 101);
    std::fs::write(&p, [0xff, 0xfe]).unwrap();
    assert!(
        read_capped(&p, 100, "x")
            .unwrap_err()
            .to_string()
            .contains("UTF-8")
    );
}
