//! Workload 3: Monte Carlo ensembles of the Islamabad scenario (60 days,
//! daily decisions with lag and derivative, logistic ceilings, spoilers).
//!
//! `cargo bench --bench montecarlo`; the command a user times:
//! `escalation montecarlo examples/scenarios/islamabad.toml --runs 10000 --threads 1 --quiet`.
//! Reference: `benches/reference/montecarlo.py` (SciPy `solve_ivp`).

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use escalation::ensemble::{EnsembleOptions, run_ensemble};
use escalation::scenario::{Format, Scenario};
use escalation::sim::{SimOptions, simulate_run};

const ISLAMABAD: &str = include_str!("../examples/scenarios/islamabad.toml");

fn montecarlo(c: &mut Criterion) {
    let (_, model) = Scenario::compile_str(ISLAMABAD, Format::Toml).expect("scenario");
    let mut g = c.benchmark_group("montecarlo");
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));

    // One run as the ensemble does it (closed-form flow between events).
    let opts = SimOptions::ensemble();
    let mut r = 0;
    g.bench_function("islamabad_one_run", |b| {
        b.iter(|| {
            r += 1;
            black_box(simulate_run(&model, &opts, 7, r).expect("run"))
        });
    });
    // The same run forcing Dopri5 between events (checks every 0.1 day).
    let ode = SimOptions {
        force_ode: true,
        ..SimOptions::ensemble()
    };
    g.bench_function("islamabad_one_run_dopri5", |b| {
        b.iter(|| {
            r += 1;
            black_box(simulate_run(&model, &ode, 7, r).expect("run"))
        });
    });
    for threads in [1, 2] {
        let ens = EnsembleOptions {
            runs: 1000,
            threads: Some(threads),
            ..EnsembleOptions::default()
        };
        g.bench_function(format!("islamabad_1000_runs_{threads}_threads"), |b| {
            b.iter(|| black_box(run_ensemble(&model, &ens, None).expect("ensemble")));
        });
    }
    g.finish();
}

criterion_group!(benches, montecarlo);
criterion_main!(benches);
