//! Calibration: recovery of known systems, Richardson's 1909–1913 pooled fit
//! against a hand computation, bad data, and the `fit` command.

use approx::assert_relative_eq;
use escalation::Error;
use escalation::analysis::Verdict;
use escalation::calibrate::{
    FitOptions, Group, Grouped, Resampling, Series, fit_pooled, fit_richardson,
};
use nalgebra::{DMatrix, DVector, Matrix2, Vector2, matrix, vector};
use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const COW: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/examples/data/cow_nmc_1909_1913.csv"
);

/// A 2-actor linear system `dx/dt = M x + g` built from its eigen-pairs, so
/// that its path and its matrix functions are known in closed form
/// (independently of the crate's matrix exponential).
struct Known {
    v: Matrix2<f64>,
    lambda: Vector2<f64>,
    fixed: Vector2<f64>,
}

impl Known {
    fn func(&self, f: impl Fn(f64) -> f64) -> Matrix2<f64> {
        let inv = self.v.try_inverse().expect("eigenvectors are independent");
        self.v * Matrix2::from_diagonal(&self.lambda.map(f)) * inv
    }
    fn m(&self) -> Matrix2<f64> {
        self.func(|l| l)
    }
    fn g(&self) -> Vector2<f64> {
        -self.m() * self.fixed
    }
    /// x(t) = x* + V e^{Λt} V⁻¹ (x0 - x*).
    fn at(&self, x0: Vector2<f64>, t: f64) -> Vector2<f64> {
        self.fixed + self.func(|l| (l * t).exp()) * (x0 - self.fixed)
    }
    /// What Richardson's difference fit must return on exact yearly data:
    /// the trapezoidal map with the same one-year step, M̂ = V·2tanh(Λ/2)·V⁻¹.
    fn m_difference(&self) -> Matrix2<f64> {
        self.func(|l| 2.0 * (l / 2.0).tanh())
    }
}

fn arms_race() -> Known {
    Known {
        v: matrix![1.0, 1.0; 1.5, -1.0],
        lambda: vector![0.15, -0.6],
        fixed: vector![50.0, 80.0],
    }
}

fn grouped(years: &[i32], names: &[&str], rows: &[Vec<f64>]) -> Grouped {
    let mut csv = format!("year,{}\n", names.join(","));
    for (y, r) in years.iter().zip(rows) {
        let cells: Vec<String> = r.iter().map(|v| format!("{v:?}")).collect();
        csv.push_str(&format!("{y},{}\n", cells.join(",")));
    }
    let s = Series::parse(&csv, None).unwrap();
    s.grouped(&Group::each_column(&s)).unwrap()
}

fn simulate(k: &Known, x0: Vector2<f64>, years: usize, noise: f64, seed: u64) -> Grouped {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut normal = move || {
        // Box–Muller.
        let (u1, u2): (f64, f64) = (rng.random::<f64>().max(1e-300), rng.random());
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    };
    let rows: Vec<Vec<f64>> = (0..years)
        .map(|t| {
            let x = k.at(x0, t as f64);
            x.iter().map(|v| v * (1.0 + noise * normal())).collect()
        })
        .collect();
    let years: Vec<i32> = (0..years as i32).map(|t| 1950 + t).collect();
    grouped(&years, &["X", "Y"], &rows)
}

fn system(restraint: &DVector<f64>, coupling: &DMatrix<f64>) -> DMatrix<f64> {
    let mut m = coupling.clone();
    for i in 0..m.nrows() {
        m[(i, i)] = -restraint[i];
    }
    m
}

#[test]
fn noise_free_difference_fit_is_the_trapezoidal_map() {
    let k = arms_race();
    let data = simulate(&k, vector![100.0, 120.0], 10, 0.0, 0);
    let fit = fit_richardson(&data, &FitOptions::default().with_bootstrap(0).unwrap()).unwrap();
    let want = k.m_difference();
    let got = system(&fit.restraint, &fit.coupling);
    for i in 0..2 {
        for j in 0..2 {
            assert_relative_eq!(got[(i, j)], want[(i, j)], epsilon = 1e-8);
        }
    }
    let g_want = -want * k.fixed;
    assert_relative_eq!(fit.grievance[0], g_want[0], epsilon = 1e-6);
    assert_relative_eq!(fit.grievance[1], g_want[1], epsilon = 1e-6);
    let eq = fit.equilibrium.as_ref().unwrap();
    assert_relative_eq!(eq[0], k.fixed[0], epsilon = 1e-6);
    assert_relative_eq!(eq[1], k.fixed[1], epsilon = 1e-6);
    assert!(fit.r2.iter().all(|r| r.unwrap() > 1.0 - 1e-12));
    assert_eq!(fit.verdict, Verdict::Explosive);
    // tanh keeps signs: the leading eigenvalue is 2 tanh(0.15/2).
    assert_relative_eq!(
        fit.spectral_abscissa,
        2.0 * (0.075f64).tanh(),
        epsilon = 1e-9
    );
}

#[test]
fn noise_free_trajectory_fit_recovers_the_system() {
    let k = arms_race();
    let x0 = vector![100.0, 120.0];
    let data = simulate(&k, x0, 10, 0.0, 0);
    let fit = fit_richardson(&data, &FitOptions::default().with_bootstrap(0).unwrap()).unwrap();
    let t = fit.trajectory.as_ref().unwrap();
    assert!(t.converged, "{t:?}");
    let (m, g) = (k.m(), k.g());
    for i in 0..2 {
        assert_relative_eq!(t.drive[i], g[i], epsilon = 1e-5, max_relative = 1e-6);
        assert_relative_eq!(t.initial[i], x0[i], epsilon = 1e-6);
        for j in 0..2 {
            assert_relative_eq!(t.system[(i, j)], m[(i, j)], epsilon = 1e-7);
        }
    }
    assert!(t.sse < 1e-12 * t.sse_start, "{} vs {}", t.sse, t.sse_start);
    assert!(t.residuals.amax() < 1e-6);
    assert_relative_eq!(t.spectral_abscissa, 0.15, epsilon = 1e-7);
}

#[test]
fn noisy_series_recover_the_system() {
    // 1 % multiplicative noise on 15 yearly values, 20 seeded data sets.
    let k = arms_race();
    let m = k.m();
    let runs = 20;
    let mut est: Vec<[f64; 4]> = Vec::new();
    for seed in 0..runs {
        let data = simulate(&k, vector![100.0, 120.0], 15, 0.01, seed);
        let fit = fit_richardson(&data, &FitOptions::default().with_bootstrap(0).unwrap()).unwrap();
        let t = fit.trajectory.as_ref().unwrap();
        assert!(t.converged && t.sse <= t.sse_start, "seed {seed}");
        // The growing mode dominates the data: the verdict and its rate are well determined.
        assert_eq!(t.verdict, Verdict::Explosive, "seed {seed}");
        assert!(
            (t.spectral_abscissa - 0.15).abs() < 0.03,
            "seed {seed}: {}",
            t.spectral_abscissa
        );
        est.push([
            t.system[(0, 0)],
            t.system[(0, 1)],
            t.system[(1, 0)],
            t.system[(1, 1)],
        ]);
    }
    // Single entries scatter (the decaying mode fades within a few years),
    // but the estimator is unbiased to within its own sampling error.
    for (e, truth) in [m[(0, 0)], m[(0, 1)], m[(1, 0)], m[(1, 1)]]
        .iter()
        .enumerate()
    {
        let xs: Vec<f64> = est.iter().map(|r| r[e]).collect();
        let mean = xs.iter().sum::<f64>() / runs as f64;
        let sd = (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (runs - 1) as f64).sqrt();
        let se = sd / (runs as f64).sqrt();
        assert!(sd < 0.15, "entry {e}: spread {sd}");
        assert!(
            (mean - truth).abs() < 3.0 * se,
            "entry {e}: mean {mean} vs {truth} (se {se})"
        );
    }
}

#[test]
fn pooled_recovers_slope_and_equilibrium() {
    // dU/dt = s U + c, U* = -c/s: U(t) = U* + (U0 - U*) e^{st}.
    let (s, u_star, u0) = (0.3, 400.0, 450.0);
    let rows: Vec<Vec<f64>> = (0..6)
        .map(|t| vec![u_star + (u0 - u_star) * (s * f64::from(t)).exp()])
        .collect();
    let data = grouped(&[1, 2, 3, 4, 5, 6], &["U"], &rows);
    let fit = fit_pooled(&data, &FitOptions::default()).unwrap();
    assert_relative_eq!(fit.slope, 2.0 * (s / 2.0).tanh(), epsilon = 1e-10);
    assert_relative_eq!(fit.equilibrium.unwrap(), u_star, epsilon = 1e-7);
    assert_eq!(fit.verdict, Verdict::Explosive);
    let t = fit.trajectory.as_ref().unwrap();
    assert_relative_eq!(t.system[(0, 0)], s, epsilon = 1e-7);
    assert_relative_eq!(t.equilibrium.as_ref().unwrap()[0], u_star, epsilon = 1e-5);
    // A declining series toward a stable level.
    let rows: Vec<Vec<f64>> = (0..6)
        .map(|t| vec![u_star + (u0 - u_star) * (-s * f64::from(t)).exp()])
        .collect();
    let fit = fit_pooled(
        &grouped(&[1, 2, 3, 4, 5, 6], &["U"], &rows),
        &FitOptions::default(),
    )
    .unwrap();
    assert_eq!(fit.verdict, Verdict::Stable);
    assert_relative_eq!(fit.slope, -2.0 * (s / 2.0).tanh(), epsilon = 1e-10);
}

/// The Correlates of War NMC v6.0 `milex` values shipped in examples/data
/// (thousands of pounds sterling): France, Russia, Germany, Austria-Hungary.
const MILEX: [[f64; 4]; 5] = [
    [47412.0, 60029.0, 58567.0, 26217.0],
    [49539.0, 62099.0, 60416.0, 23208.0],
    [55441.0, 64291.0, 61652.0, 22227.0],
    [61367.0, 73512.0, 63926.0, 27376.0],
    [66706.0, 85391.0, 88418.0, 37513.0],
];

#[test]
fn shipped_1909_1913_pooled_fit_matches_hand_computation() {
    let series = Series::from_path(COW).unwrap();
    assert_eq!(series.years, [1909, 1910, 1911, 1912, 1913]);
    assert_eq!(
        series.columns,
        ["France", "Russia", "Germany", "Austria-Hungary"]
    );
    for (k, row) in MILEX.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            assert_eq!(series.values[c][k], *v);
        }
    }
    assert!(
        series.notes[0].contains("Correlates of War"),
        "{:?}",
        series.notes
    );

    // By hand: totals, changes, mid-points, then simple least squares.
    let u: Vec<f64> = MILEX.iter().map(|r| r.iter().sum()).collect();
    let dy: Vec<f64> = (0..4).map(|k| u[k + 1] - u[k]).collect();
    let mx: Vec<f64> = (0..4).map(|k| (u[k] + u[k + 1]) / 2.0).collect();
    let (xbar, ybar) = (mx.iter().sum::<f64>() / 4.0, dy.iter().sum::<f64>() / 4.0);
    let sxy: f64 = (0..4).map(|k| (mx[k] - xbar) * (dy[k] - ybar)).sum();
    let sxx: f64 = (0..4).map(|k| (mx[k] - xbar).powi(2)).sum();
    let syy: f64 = (0..4).map(|k| (dy[k] - ybar).powi(2)).sum();
    let slope = sxy / sxx;
    let intercept = ybar - slope * xbar;
    let r2 = sxy * sxy / (sxx * syy);

    let data = series
        .grouped(&[
            Group::parse("Entente=France+Russia").unwrap(),
            Group::parse("Central=Germany+Austria-Hungary").unwrap(),
        ])
        .unwrap();
    let fit = fit_pooled(&data, &FitOptions::default()).unwrap();
    assert_eq!(fit.level, u);
    assert_relative_eq!(fit.slope, slope, max_relative = 1e-10);
    assert_relative_eq!(fit.intercept, intercept, max_relative = 1e-10);
    assert_relative_eq!(
        fit.equilibrium.unwrap(),
        -intercept / slope,
        max_relative = 1e-10
    );
    assert_relative_eq!(fit.r2.unwrap(), r2, max_relative = 1e-10);
    assert_eq!(
        fit.verdict,
        if slope > 0.0 {
            Verdict::Explosive
        } else {
            Verdict::Stable
        }
    );
    // Richardson's conclusion holds on these data: the total is above an
    // unstable equilibrium from the first year on.
    assert!(slope > 0.0 && u[0] > -intercept / slope);
    // The default grouping (each column alone) sums to the same total.
    let each = series.grouped(&Group::each_column(&series)).unwrap();
    let fit2 = fit_pooled(&each, &FitOptions::default()).unwrap();
    assert_relative_eq!(fit2.slope, fit.slope, max_relative = 1e-12);
    // The bootstrap interval holds the estimate; refinement lowers the SSE.
    let iv = fit.intervals.unwrap();
    assert!(iv.slope.contains(fit.slope) && iv.intercept.contains(fit.intercept));
    let t = fit.trajectory.unwrap();
    assert!(t.sse < t.sse_start && t.converged);
}

#[test]
fn pooled_equals_one_group_richardson() {
    let series = Series::from_path(COW).unwrap();
    let all = Group::new("total", series.columns.clone());
    let data = series.grouped(&[all]).unwrap();
    let opts = FitOptions::default().with_seed(3);
    let p = fit_pooled(&data, &opts).unwrap();
    let r = fit_richardson(&data, &opts).unwrap();
    assert_relative_eq!(p.slope, -r.restraint[0], max_relative = 1e-12);
    assert_relative_eq!(p.intercept, r.grievance[0], max_relative = 1e-12);
    let (pi, ri) = (p.intervals.unwrap(), r.intervals.unwrap());
    assert_relative_eq!(pi.slope.lo, -ri.restraint[0].hi, max_relative = 1e-12);
}

#[test]
fn bootstrap_is_seeded_and_nested() {
    let data = simulate(&arms_race(), vector![100.0, 120.0], 12, 0.02, 5);
    for method in [Resampling::Residuals, Resampling::Intervals] {
        let base = FitOptions::default()
            .with_refine(false)
            .with_resampling(method)
            .with_seed(11);
        let a = fit_richardson(&data, &base).unwrap();
        let b = fit_richardson(&data, &base).unwrap();
        assert_eq!(a.intervals, b.intervals, "same seed, same intervals");
        let c = fit_richardson(&data, &base.clone().with_seed(12)).unwrap();
        assert_ne!(a.intervals, c.intervals, "another seed, other resamples");
        // Same resamples at two levels: the wider interval contains the narrower.
        let wide = fit_richardson(&data, &base.clone().with_level(0.99).unwrap()).unwrap();
        let narrow = fit_richardson(&data, &base.with_level(0.5).unwrap()).unwrap();
        let (w, n) = (wide.intervals.unwrap(), narrow.intervals.unwrap());
        for i in 0..2 {
            assert!(
                w.restraint[i].lo <= n.restraint[i].lo && n.restraint[i].hi <= w.restraint[i].hi
            );
            assert!(
                w.grievance[i].lo <= n.grievance[i].lo && n.grievance[i].hi <= w.grievance[i].hi
            );
        }
        let s = a.verdict_support.unwrap();
        assert!((0.0..=1.0).contains(&s));
    }
}

#[test]
fn exact_fit_has_no_intervals() {
    // Three years, two unknowns, no residual left: no honest interval.
    let data = grouped(&[1, 2, 3], &["U"], &[vec![1.0], vec![2.0], vec![4.5]]);
    let fit = fit_pooled(&data, &FitOptions::default()).unwrap();
    assert!(fit.intervals.is_none());
    assert!(
        fit.bootstrap
            .note
            .as_deref()
            .unwrap()
            .contains("degrees of freedom")
    );
    assert!(fit.verdict_support.is_none());
}

#[test]
fn to_dynamics_needs_positive_restraint() {
    let k = Known {
        v: matrix![1.0, 1.0; 1.5, -1.0],
        lambda: vector![-0.2, -0.6],
        fixed: vector![50.0, 80.0],
    };
    let data = simulate(&k, vector![100.0, 120.0], 10, 0.0, 0);
    let fit = fit_richardson(&data, &FitOptions::default().with_bootstrap(0).unwrap()).unwrap();
    assert_eq!(fit.verdict, Verdict::Stable);
    let d = fit.to_dynamics(365.25).unwrap();
    assert_relative_eq!(
        d.restraint[0] * 365.25,
        fit.restraint[0],
        max_relative = 1e-12
    );
    assert_eq!(d.names, ["X", "Y"]);
    // 1909–1913: negative restraints, not a valid crate model.
    let s = Series::from_path(COW).unwrap();
    let g = s
        .grouped(&[
            Group::parse("E=France+Russia").unwrap(),
            Group::parse("C=Germany+Austria-Hungary").unwrap(),
        ])
        .unwrap();
    let fit = fit_richardson(&g, &FitOptions::default()).unwrap();
    assert!(matches!(fit.to_dynamics(1.0), Err(Error::Invalid(_))));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// On exact yearly data of any 2-actor system, the difference fit is the
    /// trapezoidal map and the trajectory fit never raises the SSE.
    #[test]
    fn difference_fit_of_random_systems(
        l1 in -0.5f64..0.3, l2 in -0.9f64..-0.05,
        v21 in 0.3f64..2.0, v22 in -2.0f64..-0.3,
        f1 in 10.0f64..100.0, f2 in 10.0f64..100.0,
        d1 in 5.0f64..50.0, d2 in -50.0f64..-5.0,
    ) {
        let k = Known { v: matrix![1.0, 1.0; v21, v22], lambda: vector![l1, l2], fixed: vector![f1, f2] };
        // Start off the equilibrium along both eigenvectors.
        let x0 = k.fixed + k.v * vector![d1, d2];
        let data = simulate(&k, x0, 8, 0.0, 0);
        let fit = fit_richardson(&data, &FitOptions::default().with_bootstrap(0).unwrap()).unwrap();
        let (want, got) = (k.m_difference(), system(&fit.restraint, &fit.coupling));
        for i in 0..2 {
            for j in 0..2 {
                prop_assert!((got[(i, j)] - want[(i, j)]).abs() < 1e-6, "{got} vs {want}");
            }
        }
        let t = fit.trajectory.unwrap();
        prop_assert!(t.sse <= t.sse_start);
        let expected = if l1 > 0.0 { Verdict::Explosive } else { Verdict::Stable };
        prop_assert_eq!(fit.verdict, expected);
    }
}

// ---- bad data ------------------------------------------------------------

fn data_error(e: &Error) -> (&str, Option<usize>) {
    match e {
        Error::Data { location, message } => (message.as_str(), location.line),
        other => panic!("expected a data error, got {other}"),
    }
}

#[test]
fn bad_tables_are_located() {
    let cases = [
        ("year,A,B\n1909,1,2\n1911,2,3\n", "missing year 1910", 3),
        (
            "# src\nyear,A,B\n1909,1,2\n1910,x,3\n",
            "`x` is not a number",
            4,
        ),
        ("year,A,B\n1909,1,2\n1910,,3\n", "empty", 3),
        ("year,A,B\n1909,1,2\n1910,2\n", "expected 3 cells", 3),
        ("year,A,B\n1909,1,2\n1909,2,3\n", "must increase", 3),
    ];
    for (text, what, line) in cases {
        let e = Series::parse(text, Some(std::path::Path::new("milex.csv"))).unwrap_err();
        let (msg, at) = data_error(&e);
        assert!(msg.contains(what), "{text:?}: {msg}");
        assert_eq!(at, Some(line), "{text:?}: {e}");
        assert!(e.to_string().contains("milex.csv"), "{e}");
        assert!(e.is_input_error());
    }
}

#[test]
fn too_few_points() {
    let two = grouped(&[1, 2], &["U"], &[vec![1.0], vec![2.0]]);
    let e = fit_pooled(&two, &FitOptions::default()).unwrap_err();
    assert!(data_error(&e).0.contains("too few points"), "{e}");
    // Four groups need five unknowns per equation: 5 years give 4 changes.
    let s = Series::from_path(COW).unwrap();
    let e = fit_richardson(
        &s.grouped(&Group::each_column(&s)).unwrap(),
        &FitOptions::default(),
    )
    .unwrap_err();
    let msg = data_error(&e).0;
    assert!(
        msg.contains("too few points") && msg.contains("at least 6 years"),
        "{msg}"
    );
}

#[test]
fn singular_fits() {
    // A total that does not move.
    let flat = grouped(
        &[1, 2, 3, 4],
        &["U"],
        &[vec![5.0], vec![5.0], vec![5.0], vec![5.0]],
    );
    let e = fit_pooled(&flat, &FitOptions::default()).unwrap_err();
    assert!(data_error(&e).0.contains("singular"), "{e}");
    // Two groups proportional to each other: their reactions cannot be told apart.
    let rows: Vec<Vec<f64>> = [1.0, 1.5, 2.6, 3.1, 5.0]
        .iter()
        .map(|&x| vec![x, 2.0 * x])
        .collect();
    let prop = grouped(&[1, 2, 3, 4, 5], &["A", "B"], &rows);
    let e = fit_richardson(&prop, &FitOptions::default()).unwrap_err();
    let msg = data_error(&e).0;
    assert!(msg.contains("singular") && msg.contains("A, B"), "{msg}");
}

#[test]
fn unknown_column_in_group() {
    let s = Series::from_path(COW).unwrap();
    let e = s
        .grouped(&[Group::parse("Entente=France+Britain").unwrap()])
        .unwrap_err();
    let text = e.to_string();
    assert!(matches!(e, Error::Invalid(_)), "{text}");
    assert!(
        text.contains("unknown column `Britain`") && text.contains("France"),
        "{text}"
    );
}

// ---- command line --------------------------------------------------------

fn escalation(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_escalation"))
        .args(args)
        .output()
        .expect("the binary runs")
}

#[test]
fn cli_fit_json_pooled() {
    let out = escalation(&["fit", COW, "--json", "--bootstrap", "300"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let s = Series::from_path(COW).unwrap();
    let fit = fit_pooled(
        &s.grouped(&Group::each_column(&s)).unwrap(),
        &FitOptions::default().with_bootstrap(300).unwrap(),
    )
    .unwrap();
    // JSON keeps every digit up to the last unit of the text parser.
    assert_relative_eq!(
        v["slope"].as_f64().unwrap(),
        fit.slope,
        max_relative = 1e-15
    );
    assert_relative_eq!(
        v["intercept"].as_f64().unwrap(),
        fit.intercept,
        max_relative = 1e-15
    );
    assert_relative_eq!(
        v["equilibrium"].as_f64().unwrap(),
        fit.equilibrium.unwrap(),
        max_relative = 1e-15
    );
    assert_relative_eq!(
        v["r2"].as_f64().unwrap(),
        fit.r2.unwrap(),
        max_relative = 1e-15
    );
    assert_eq!(v["verdict"], "explosive");
    let lo = fit.intervals.unwrap().slope.lo;
    assert_relative_eq!(
        v["intervals"]["slope"][0].as_f64().unwrap(),
        lo,
        max_relative = 1e-15
    );
    assert_eq!(v["n"], 4);
    assert!(
        v["trajectory"]["sse"].as_f64().unwrap() < v["trajectory"]["sse_start"].as_f64().unwrap()
    );
    // Deterministic: the same command prints the same bytes.
    let again = escalation(&["fit", COW, "--json", "--bootstrap", "300"]);
    assert_eq!(out.stdout, again.stdout);
}

#[test]
fn cli_fit_json_richardson_and_plot() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("fit");
    let out = escalation(&[
        "fit",
        COW,
        "--model",
        "richardson",
        "--group",
        "Entente=France+Russia",
        "--group",
        "Central=Germany+Austria-Hungary",
        "--json",
        "--bootstrap",
        "200",
        "--out",
        out_dir.to_str().unwrap(),
        "--units",
        "thousands of pounds sterling",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let groups = v["groups"].as_array().unwrap();
    assert_eq!(groups[0]["name"], "Entente");
    for g in groups {
        for key in ["restraint", "grievance", "r2"] {
            assert!(g[key].is_number(), "{key} in {g}");
        }
        assert!(g["coupling"].is_object() && g["intervals"]["restraint"].is_array());
    }
    assert!(groups[0]["coupling"]["Central"].is_number());
    assert!(v["equilibrium"]["Entente"].is_number() && v["verdict"].is_string());
    let svg = std::fs::read_to_string(out_dir.join("fit.svg")).unwrap();
    assert!(svg.contains("thousands of pounds sterling"));
    assert!(std::fs::metadata(out_dir.join("fit.png")).unwrap().len() > 1000);
}

#[test]
fn cli_fit_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let gap = dir.path().join("gap.csv");
    std::fs::write(&gap, "year,A,B\n1909,1,2\n1911,2,3\n1912,3,4\n").unwrap();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["fit", gap.to_str().unwrap()], "missing year 1910"),
        (
            vec!["fit", COW, "--group", "X=France+Britain"],
            "unknown column `Britain`",
        ),
        (vec!["fit", COW, "--model", "richardson"], "too few points"),
        (vec!["fit", COW, "--level", "1.5"], "level"),
        (vec!["fit", "/nonexistent/milex.csv"], "cannot read"),
    ];
    for (args, what) in cases {
        let out = escalation(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(what), "{args:?}: {err}");
        assert!(out.stdout.is_empty());
    }
}
