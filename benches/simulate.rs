//! Workload 4: one `simulate` of the headline scenario, with its plots.
//!
//! `cargo bench --bench simulate`; the command a user times:
//! `escalation simulate examples/scenarios/islamabad.toml --out DIR --force`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use escalation::output::OutputDir;
use escalation::plot::{Figure, TrajectoryPlot};
use escalation::scenario::{Format, Scenario};
use escalation::sim::{SimOptions, simulate};

const ISLAMABAD: &str = include_str!("../examples/scenarios/islamabad.toml");

fn headline(c: &mut Criterion) {
    let (_, model) = Scenario::compile_str(ISLAMABAD, Format::Toml).expect("scenario");
    let opts = SimOptions::default();
    let mut g = c.benchmark_group("simulate");
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    g.bench_function("islamabad", |b| {
        b.iter(|| black_box(simulate(&model, &opts).expect("run")));
    });
    let dir = tempfile::tempdir().expect("temporary directory");
    g.bench_function("islamabad_with_plots", |b| {
        b.iter(|| {
            let run = simulate(&model, &opts).expect("run");
            let out = OutputDir::create(dir.path(), true).expect("output directory");
            out.write("trajectory.csv", run.to_csv().expect("csv").as_bytes())
                .expect("csv");
            for name in ["trajectory.png", "trajectory.svg"] {
                out.write_with(name, |p| TrajectoryPlot::new(&run, &model).save(p))
                    .expect("plot");
            }
        });
    });
    g.finish();
}

criterion_group!(benches, headline);
criterion_main!(benches);
