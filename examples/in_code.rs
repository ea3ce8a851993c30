//! The Islamabad scenario built in Rust instead of read from a file.
//!
//! Every element of `examples/scenarios/islamabad.toml` has a builder call
//! of the same name, so a model reads in code as it reads in the file; the
//! test `tests/it/in_code.rs` checks that the two give the same model. This
//! example builds it, analyses it, runs it once and compares a stricter
//! ceasefire with it on the same random draws.
//!
//! ```text
//! cargo run --release --example in_code
//! ```

use escalation::model::{AdaptationSpec, HardlinerSpec, OnBlame, PeaceSpec};
use escalation::prelude::*;

/// The Islamabad scenario, element by element (numbers as in the file).
pub fn islamabad() -> Result<Model> {
    Model::builder()
        .name("US-Iran fourteen-day cessation (Islamabad)")
        .horizon(60.0)
        .gain(1.0)
        .seed(7)
        .ladder(LadderSpec::preset("default").hysteresis(0.25))
        .actor(
            ActorSpec::new("US", 0.5)
                .grievance(0.15)
                .initial(2.5)
                .ceiling(7.0)
                .reset_rate(0.01)
                .hardliners(HardlinerSpec::new(0.005, 0.1, 0.1).initial(0.125)),
        )
        .actor(
            ActorSpec::new("Iran", 0.4)
                .grievance(0.14)
                .initial(2.5)
                .ceiling(7.0)
                .reset_rate(0.015)
                .hardliners(HardlinerSpec::new(0.01, 0.1, 0.1).initial(0.25)),
        )
        .actor(
            ActorSpec::new("Proxy", 0.3)
                .grievance(0.25)
                .initial(2.0)
                .ceiling(7.0)
                .proxy_of("Iran", 0.5),
        )
        .actor(
            ActorSpec::new("Israel", 0.45)
                .grievance(0.15)
                .initial(2.5)
                .ceiling(7.0)
                .anxiety(0.02),
        )
        .actor(
            ActorSpec::new("Saudi Arabia", 0.6)
                .grievance(0.05)
                .initial(1.0)
                .ceiling(7.0)
                .anxiety(0.02),
        )
        .actor(
            ActorSpec::new("UAE", 0.7)
                .grievance(0.03)
                .initial(0.8)
                .ceiling(7.0)
                .anxiety(0.02),
        )
        .coupling("US", "Iran", 0.30)
        .coupling("US", "Proxy", 0.10)
        .coupling("US", "Israel", 0.05)
        .coupling("Iran", "US", 0.35)
        .coupling("Iran", "Israel", 0.20)
        .coupling("Iran", "Saudi Arabia", 0.03)
        .coupling("Proxy", "Iran", 0.15)
        .coupling("Proxy", "US", 0.20)
        .coupling("Proxy", "Israel", 0.25)
        .coupling("Israel", "Iran", 0.30)
        .coupling("Israel", "Proxy", 0.20)
        .coupling("Saudi Arabia", "Iran", 0.12)
        .coupling("Saudi Arabia", "Proxy", 0.12)
        .coupling("UAE", "Iran", 0.08)
        .coupling("UAE", "Proxy", 0.08)
        .controller(
            ControllerSpec::new(1.0)
                .lag(1)
                .derivative(0.5)
                .deadband(0.05)
                .adaptation(AdaptationSpec::new(0.2, 0.5, 0.15)),
        )
        .phase(
            PhaseSpec::new("ceasefire", 0.0, 14.0, 0.75)
                .parties(["US", "Iran"])
                .verify(4.0)
                .breach_rung(4)
                .extend_days(14.0)
                .after_gain(1.2)
                .on_blame(OnBlame::Respond)
                .accountable(true)
                .proxy_control(0.7)
                .verified_gain(0.6)
                .deconfliction(0.5)
                .guarantee(0.05)
                .surveillance(0.3),
        )
        .spoilers(
            SpoilerSpec::new(0.1, 4.0, ["US", "Israel"], "Iran")
                .phase_rate(0.3)
                .attribution(0.6)
                .attribution_delay(1.0),
        )
        .hotline(
            HotlineSpec::new(2.0)
                .lag(0)
                .attribution(0.85)
                .attribution_delay(0.25)
                .misread(0.1),
        )
        .incidents(IncidentSpec::new(0.03, 2.5).misread(0.5).pairs([
            ("US", "Iran"),
            ("US", "Proxy"),
            ("Israel", "Proxy"),
            ("Israel", "Iran"),
        ]))
        .peace(PeaceSpec::new(10.0, 0.03))
        .agreement(
            AgreementSpec::new(
                "limited waiver",
                ConditionSpec::at(1.0),
                EffectSpec::on("US", 7.0).coupling("Iran", 0.2),
            )
            .reversible(false),
        )
        .agreement(AgreementSpec::new(
            "restraint for the waiver",
            ConditionSpec::agreement("limited waiver", 2.0),
            EffectSpec::on("Iran", 7.0).restraint(0.5),
        ))
        .agreement(AgreementSpec::new(
            "tier 1: sanctions relief",
            ConditionSpec::below("Iran", 3, 4.0),
            EffectSpec::on("Iran", 14.0).grievance(0.05),
        ))
        .agreement(AgreementSpec::new(
            "tier 2: proxy stand-down",
            ConditionSpec::below("Proxy", 3, 7.0),
            EffectSpec::on("Proxy", 14.0).grievance(0.0),
        ))
        .build()
}

#[allow(dead_code)] // `tests/it/in_code.rs` includes this file for `islamabad` only
fn main() -> Result<()> {
    let model = islamabad()?;
    let report = analyze(&model)?;
    println!("{}", model.name);
    println!(
        "critical gain of the continuous loop γ* = {:.3} (gain margin {:.2})",
        report.critical_gain.unwrap_or(f64::NAN),
        report.gain_margin.unwrap_or(f64::NAN)
    );
    let run = simulate(&model, &SimOptions::default())?;
    println!(
        "one run (seed {}): {} at day {:.1}",
        model.seed,
        run.outcome,
        run.outcome_time()
    );

    // A stricter ceasefire on the same random draws: the gain among the parties halved.
    let mut strict = model.clone();
    strict.phases[0].gain = 0.375;
    let opts = EnsembleOptions {
        runs: 400,
        ..EnsembleOptions::default()
    };
    for (label, m) in [("gain 0.75", &model), ("gain 0.375", &strict)] {
        let s = run_ensemble(m, &opts, None)?;
        let failed = s.count(Outcome::Collapsed) + s.count(Outcome::Exploded);
        let [lo, hi] = escalation::ensemble::wilson(failed, s.runs);
        println!(
            "{label}: the ceasefire failed (collapsed or exploded) in {:.1} % of 400 runs (95% interval {:.1}–{:.1} %)",
            100.0 * failed as f64 / s.runs as f64,
            100.0 * lo,
            100.0 * hi
        );
    }
    Ok(())
}
