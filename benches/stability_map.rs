//! Workload 1: the stability map of a two-actor continuous loop
//! (a = 0.5, b = 0.4): `sweep_summary` over both couplings, one thread.
//!
//! `cargo bench --bench stability_map`; the command a user times:
//! `escalation sweep benches/scenarios/richardson.toml
//!  --param coupling.X.Y=0:1:1000 --param coupling.Y.X=0:1:1000 --summary --threads 1`.
//! Reference: `benches/reference/stability_map.py` (NumPy batched `eigvals`).

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use escalation::scenario::{Format, Scenario};
use escalation::sweep::{Grid, SweepOptions, sweep_summary};

const RICHARDSON: &str = include_str!("scenarios/richardson.toml");

fn stability_map(c: &mut Criterion) {
    let (_, model) = Scenario::compile_str(RICHARDSON, Format::Toml).expect("scenario");
    let opts = SweepOptions {
        threads: Some(1),
        ..SweepOptions::default()
    };
    let mut g = c.benchmark_group("stability_map");
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    // Cost per point should not depend on the grid size.
    for count in [250, 500, 1000] {
        let specs = [
            format!("coupling.X.Y=0:1:{count}"),
            format!("coupling.Y.X=0:1:{count}"),
        ];
        let grid = Grid::parse(&specs, &model).expect("grid");
        g.throughput(Throughput::Elements((count * count) as u64));
        g.bench_function(format!("{count}x{count}"), |b| {
            b.iter(|| black_box(sweep_summary(&model, &grid, &opts, None).expect("sweep")));
        });
    }
    g.finish();
}

criterion_group!(benches, stability_map);
criterion_main!(benches);
