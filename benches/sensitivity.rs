//! The per-run cost of `sensitivity` against `montecarlo` on the Islamabad
//! scenario: 1,000 runs each, one thread. The sensitivity design varies
//! `incidents.magnitude` in a range of width 1e-9 around its value (Morris,
//! 5 trajectories of 2 rows, 100 runs per row), so its runs are the
//! ensemble's runs and the difference is the overhead per row (a model
//! copy, the parameter set, a check) and per run.
//!
//! `cargo bench --bench sensitivity`; results in `docs/performance.md`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use escalation::ensemble::{EnsembleOptions, run_ensemble};
use escalation::experiments::sensitivity::{Method, SensitivityOptions};
use escalation::experiments::study::{Factor, Output, Study, StudyExec};
use escalation::scenario::{Format, Scenario};

const ISLAMABAD: &str = include_str!("../examples/scenarios/islamabad.toml");

fn per_run(c: &mut Criterion) {
    let (_, model) = Scenario::compile_str(ISLAMABAD, Format::Toml).expect("scenario");
    let mut g = c.benchmark_group("sensitivity_vs_montecarlo");
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(5));
    let ens = EnsembleOptions {
        runs: 1000,
        threads: Some(1),
        ..EnsembleOptions::default()
    };
    g.bench_function("montecarlo_1000_runs", |b| {
        b.iter(|| black_box(run_ensemble(&model, &ens, None).expect("ensemble")));
    });
    let factor = Factor::parse("incidents.magnitude=2.5:2.500000001", &model).expect("factor");
    let opts = SensitivityOptions {
        method: Method::Morris,
        samples: 5,
        seed: model.seed,
        ..SensitivityOptions::default()
    };
    let outputs = vec![
        Output::PExploded,
        Output::PCollapsed,
        Output::PHeld,
        Output::MeanCost,
    ];
    let study = Study::new(&model, vec![factor], outputs, 100, opts).expect("study");
    let design = study.design().expect("design");
    assert_eq!(design.rows().len() as u64 * study.runs, 1000);
    let exec = StudyExec {
        threads: Some(1),
        ..StudyExec::default()
    };
    g.bench_function("sensitivity_1000_runs", |b| {
        b.iter(|| black_box(study.evaluate(&model, &design, &exec, None).expect("rows")));
    });
    g.finish();
}

criterion_group!(benches, per_run);
criterion_main!(benches);
