//! Written as a user of the crate would: sweep the gain over a scenario and
//! check that the verdict flips at the critical gain.

use approx::assert_relative_eq;
use escalation::prelude::*;

#[test]
fn the_verdict_flips_at_the_critical_gain() -> Result<()> {
    let model = Model::builder()
        .horizon(60.0)
        .actor(ActorSpec::new("A", 0.5))
        .actor(ActorSpec::new("B", 0.4))
        .coupling("A", "B", 0.3)
        .coupling("B", "A", 0.6)
        .build()?;
    let gains = (0..=400).map(|k| 0.005 * f64::from(k));
    let verdicts = gain_sweep(&model, gains, Loop::Continuous)?;
    let (stable, explosive) = first_flip(&verdicts).expect("the verdict flips");
    let critical = critical_gain(&model.dynamics)?.expect("a critical gain");
    assert!(stable < critical && critical <= explosive);
    assert_relative_eq!(critical, (0.2f64 / 0.18).sqrt(), max_relative = 1e-12);
    Ok(())
}

#[test]
fn with_a_controller_the_sampled_loop_is_chosen_explicitly() -> Result<()> {
    // A lag with a derivative term lowers the gain the decisions tolerate.
    let (_, model) = Scenario::compile_str(
        r#"
        horizon = 60.0
        [[actor]]
        name = "A"
        restraint = 0.5
        [[actor]]
        name = "B"
        restraint = 0.4
        [coupling]
        A = { B = 0.3 }
        B = { A = 0.6 }
        [controller]
        period = 1.0
        lag = 1
        derivative = 2.0
        "#,
        Format::Toml,
    )?;
    let gains: Vec<f64> = (0..=300).map(|k| 0.005 * f64::from(k)).collect();
    let continuous = first_flip(&gain_sweep(&model, gains.clone(), Loop::Continuous)?).unwrap();
    let sampled = first_flip(&gain_sweep(&model, gains, Loop::Sampled)?).unwrap();
    let report = analyze(&model)?;
    let sampled_critical = report.sampled.unwrap().critical_gain.unwrap();
    assert!(sampled.0 < sampled_critical && sampled_critical <= sampled.1);
    assert!(sampled.1 < continuous.0, "the lag lowers the critical gain");
    Ok(())
}
