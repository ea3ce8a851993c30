//! Workload 2: critical gains of many random systems.
//!
//! - `perron_10000x10`: γ* = 1/ρ(A⁻¹K) of 10,000 random non-negative
//!   10-actor systems ([`perron_critical_gain`]: certified power iteration);
//! - `sampled_1000x5`: the sampled-data critical gain of 1,000 random
//!   5-actor systems with period 1 day, lag 2 and derivative 2 days
//!   ([`sampled_critical_gain`]: Schur–Cohn scan and bisection, certified
//!   by eigenvalues).
//!
//! A single timed pass over each set is printed first (JSON on stderr, with
//! the checksum that `benches/reference/critical_gain.py` prints).
//!
//! `cargo bench --bench critical_gain`. The systems come from a
//! counter-based SplitMix64 stream shared with the NumPy reference
//! (`benches/reference/critical_gain.py`): both print the same checksum.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use escalation::analysis::{perron_critical_gain, sampled_critical_gain};
use escalation::control::Controller;
use escalation::model::Dynamics;
use nalgebra::{DMatrix, DVector};

/// SplitMix64 outputs for counters `1..=count`, as uniforms in [0, 1).
fn uniforms(seed: u64, count: usize) -> Vec<f64> {
    (1..=count as u64)
        .map(|i| {
            let mut z = seed.wrapping_add(i.wrapping_mul(0x9E37_79B9_7F4A_7C15));
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            (z >> 11) as f64 * 2f64.powi(-53)
        })
        .collect()
}

/// Restraints in [0.2, 1), couplings in [0, 0.3), zero diagonal.
fn systems(seed: u64, count: usize, n: usize) -> Vec<Dynamics> {
    let per = n + n * (n - 1);
    let u = uniforms(seed, count * per);
    u.chunks(per)
        .map(|u| {
            let a = DVector::from_iterator(n, u[..n].iter().map(|v| 0.2 + 0.8 * v));
            let mut k = DMatrix::zeros(n, n);
            let mut m = n;
            for i in 0..n {
                for j in 0..n {
                    if i != j {
                        k[(i, j)] = 0.3 * u[m];
                        m += 1;
                    }
                }
            }
            Dynamics::new(a, k, DVector::zeros(n)).expect("valid system")
        })
        .collect()
}

fn perron(systems: &[Dynamics]) -> Vec<Option<f64>> {
    systems
        .iter()
        .map(|d| perron_critical_gain(d).expect("critical gain"))
        .collect()
}

fn sampled(systems: &[Dynamics], c: &Controller) -> Vec<Option<f64>> {
    systems
        .iter()
        .map(|d| sampled_critical_gain(d, c).expect("sampled critical gain"))
        .collect()
}

/// One timed pass with the checksum the NumPy reference prints.
fn report(name: &str, f: impl Fn() -> Vec<Option<f64>>) {
    let t0 = Instant::now();
    let g = f();
    let secs = t0.elapsed().as_secs_f64();
    let checksum: f64 = g.iter().flatten().sum();
    let none = g.iter().filter(|v| v.is_none()).count();
    let first: Vec<f64> = g.iter().take(3).map(|v| v.unwrap_or(f64::NAN)).collect();
    eprintln!(
        "{{\"workload\": \"critical_gain/{name}\", \"systems\": {}, \"seconds\": {secs}, \"checksum\": {checksum}, \"none\": {none}, \"first\": {first:?}}}",
        g.len()
    );
}

fn critical_gain(c: &mut Criterion) {
    let tenfold = systems(1, 10_000, 10);
    let fives = systems(2, 1_000, 5);
    let mut ctl = Controller::new(1.0, 2).expect("controller");
    ctl.derivative = 2.0;
    report("perron", || perron(&tenfold));
    report("sampled", || sampled(&fives, &ctl));

    let mut g = c.benchmark_group("critical_gain");
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(5));
    g.bench_function("perron_10000x10", |b| {
        b.iter(|| black_box(perron(&tenfold)));
    });
    g.bench_function("sampled_1000x5", |b| {
        b.iter(|| black_box(sampled(&fives, &ctl)));
    });
    g.finish();
}

criterion_group!(benches, critical_gain);
criterion_main!(benches);
