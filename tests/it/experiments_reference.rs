//! Writes the matrices, outputs and results of the experiments core to
//! `target/experiments-reference/` for the Python references in
//! `benches/reference/` (SALib 1.6, EMA workbench), with the Rust timings:
//!
//! ```text
//! cargo test --release --test it experiments_reference:: -- --ignored
//! python benches/reference/sensitivity.py target/experiments-reference
//! python benches/reference/prim.py target/experiments-reference
//! ```

use std::f64::consts::PI;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use escalation::experiments::morris::{MorrisDesign, MorrisOptions};
use escalation::experiments::prim::{PrimOptions, PrimResult, prim};
use escalation::experiments::saltelli::{SaltelliDesign, SobolOptions};
use escalation::experiments::sobol::sobol_points;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn out_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/experiments-reference");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write_matrix(path: &Path, header: &[String], rows: &[Vec<f64>]) {
    let mut s = header.join(",") + "\n";
    for r in rows {
        let line: Vec<String> = r.iter().map(|v| format!("{v:?}")).collect();
        s += &line.join(",");
        s.push('\n');
    }
    std::fs::write(path, s).unwrap();
}

fn names(prefix: &str, n: usize) -> Vec<String> {
    (1..=n).map(|i| format!("{prefix}{i}")).collect()
}

fn ishigami(x: &[f64]) -> f64 {
    x[0].sin() + 7.0 * x[1].sin().powi(2) + 0.1 * x[2].powi(4) * x[0].sin()
}

/// Sobol's G function with a = (0, 1, 4.5, 9, 99, 99, 99, 99) on [0, 1]⁸.
fn g_function(x: &[f64]) -> f64 {
    const A: [f64; 8] = [0.0, 1.0, 4.5, 9.0, 99.0, 99.0, 99.0, 99.0];
    x.iter()
        .zip(A)
        .map(|(x, a)| ((4.0 * x - 2.0).abs() + a) / (1.0 + a))
        .product()
}

fn seconds(t: Instant) -> f64 {
    t.elapsed().as_secs_f64()
}

fn sobol_case(
    dir: &Path,
    name: &str,
    bounds: &[[f64; 2]],
    n: usize,
    f: fn(&[f64]) -> f64,
    timings: &mut String,
) {
    let t = Instant::now();
    let design = SaltelliDesign::new(bounds, n, Some(12345)).unwrap();
    let t_design = seconds(t);
    let t = Instant::now();
    let y = design.evaluate(f);
    let t_eval = seconds(t);
    let t = Instant::now();
    let s = design.analyze(&y, &SobolOptions::default()).unwrap();
    let t_analyze = seconds(t);
    let d = bounds.len();
    write_matrix(
        &dir.join(format!("{name}_X.csv")),
        &names("x", d),
        design.rows(),
    );
    let ys: Vec<Vec<f64>> = y.iter().map(|v| vec![*v]).collect();
    write_matrix(&dir.join(format!("{name}_Y.csv")), &["y".into()], &ys);
    let rows: Vec<Vec<f64>> = (0..d)
        .map(|i| {
            vec![
                s.first[i],
                s.total[i],
                s.first_conf[i],
                s.total_conf[i],
                s.first_interval[i][0],
                s.first_interval[i][1],
                s.total_interval[i][0],
                s.total_interval[i][1],
            ]
        })
        .collect();
    let header = [
        "S1", "ST", "S1_conf", "ST_conf", "S1_lo", "S1_hi", "ST_lo", "ST_hi",
    ]
    .map(String::from);
    write_matrix(&dir.join(format!("{name}_rust.csv")), &header, &rows);
    let bounds_rows: Vec<Vec<f64>> = bounds.iter().map(|b| b.to_vec()).collect();
    write_matrix(
        &dir.join(format!("{name}_bounds.csv")),
        &["lo".into(), "hi".into()],
        &bounds_rows,
    );
    writeln!(timings, "{name},{n},{d},design,{t_design}").unwrap();
    writeln!(timings, "{name},{n},{d},evaluate,{t_eval}").unwrap();
    writeln!(timings, "{name},{n},{d},analyze_1000_resamples,{t_analyze}").unwrap();
}

fn write_trajectory(path: &Path, r: &PrimResult) {
    let mut header: Vec<String> = ["coverage", "density", "mass", "n", "k", "res_dim"]
        .map(String::from)
        .to_vec();
    for c in &r.columns {
        header.push(format!("{c}_lo"));
        header.push(format!("{c}_hi"));
    }
    let rows: Vec<Vec<f64>> = r
        .trajectory
        .iter()
        .map(|s| {
            let mut v = vec![
                s.coverage,
                s.density,
                s.mass,
                s.n as f64,
                s.k as f64,
                s.restricted.len() as f64,
            ];
            v.extend(s.limits.iter().flatten());
            v
        })
        .collect();
    write_matrix(path, &header, &rows);
}

fn prim_case(dir: &Path, name: &str, cases: &[Vec<f64>], hot: &[bool], timings: &mut String) {
    let cols = names("x", cases[0].len());
    let t = Instant::now();
    let r = prim(&cols, cases, hot, &PrimOptions::default()).unwrap();
    let t_prim = seconds(t);
    let mut header = cols.clone();
    header.push("y".into());
    let rows: Vec<Vec<f64>> = cases
        .iter()
        .zip(hot)
        .map(|(c, &h)| {
            let mut v = c.clone();
            v.push(if h { 1.0 } else { 0.0 });
            v
        })
        .collect();
    write_matrix(&dir.join(format!("{name}_cases.csv")), &header, &rows);
    write_trajectory(&dir.join(format!("{name}_rust_trajectory.csv")), &r);
    writeln!(
        timings,
        "{name},{},{},prim,{t_prim}",
        cases.len(),
        cols.len()
    )
    .unwrap();
}

#[test]
#[ignore = "writes reference data for benches/reference/*.py; run explicitly"]
fn write_reference_data() {
    let dir = out_dir();
    let mut timings = String::from("case,n,d,step,seconds\n");

    // Unscrambled Sobol' points, to compare with scipy bit for bit.
    write_matrix(
        &dir.join("sobol_8192x16.csv"),
        &names("d", 16),
        &sobol_points(8192, 16, None).unwrap(),
    );
    write_matrix(
        &dir.join("sobol_64x1024.csv"),
        &names("d", 1024),
        &sobol_points(64, 1024, None).unwrap(),
    );
    // An unscrambled Saltelli design, to compare with SALib's sample(scramble=False).
    let plain = SaltelliDesign::new(&[[-PI, PI]; 3], 64, None).unwrap();
    write_matrix(
        &dir.join("saltelli_plain_X.csv"),
        &names("x", 3),
        plain.rows(),
    );

    sobol_case(
        &dir,
        "ishigami",
        &[[-PI, PI]; 3],
        1 << 13,
        ishigami,
        &mut timings,
    );
    sobol_case(
        &dir,
        "gfunc8",
        &[[0.0, 1.0]; 8],
        1 << 14,
        g_function,
        &mut timings,
    );

    // Morris on Ishigami and on the G function.
    for (name, bounds, f) in [
        (
            "morris_ishigami",
            vec![[-PI, PI]; 3],
            ishigami as fn(&[f64]) -> f64,
        ),
        ("morris_gfunc8", vec![[0.0, 1.0]; 8], g_function),
    ] {
        let t = Instant::now();
        let design = MorrisDesign::new(&bounds, 1000, 4, 77).unwrap();
        let y = design.evaluate(f);
        let m = design.analyze(&y, &MorrisOptions::default()).unwrap();
        let t_morris = seconds(t);
        write_matrix(
            &dir.join(format!("{name}_X.csv")),
            &names("x", bounds.len()),
            design.rows(),
        );
        let ys: Vec<Vec<f64>> = y.iter().map(|v| vec![*v]).collect();
        write_matrix(&dir.join(format!("{name}_Y.csv")), &["y".into()], &ys);
        let rows: Vec<Vec<f64>> = (0..bounds.len())
            .map(|i| vec![m.mu[i], m.mu_star[i], m.sigma[i], m.mu_star_conf[i]])
            .collect();
        write_matrix(
            &dir.join(format!("{name}_rust.csv")),
            &["mu", "mu_star", "sigma", "mu_star_conf"].map(String::from),
            &rows,
        );
        let bounds_rows: Vec<Vec<f64>> = bounds.iter().map(|b| b.to_vec()).collect();
        write_matrix(
            &dir.join(format!("{name}_bounds.csv")),
            &["lo".into(), "hi".into()],
            &bounds_rows,
        );
        writeln!(
            timings,
            "{name},1000,{},design_evaluate_analyze,{t_morris}",
            bounds.len()
        )
        .unwrap();
    }

    // PRIM: the planted box; the same with 10% of labels flipped; and a
    // coarse grid (values on 0.05 steps) so that ties decide the peels.
    let mut rng = ChaCha8Rng::seed_from_u64(17);
    let cases: Vec<Vec<f64>> = (0..2000)
        .map(|_| (0..5).map(|_| rng.random::<f64>()).collect())
        .collect();
    let inside = |c: &[f64]| (0.2..=0.6).contains(&c[0]) && (0.3..=0.9).contains(&c[1]);
    let hot: Vec<bool> = cases.iter().map(|c| inside(c)).collect();
    prim_case(&dir, "prim_planted", &cases, &hot, &mut timings);
    let noisy: Vec<bool> = hot
        .iter()
        .map(|&h| if rng.random_bool(0.1) { !h } else { h })
        .collect();
    prim_case(&dir, "prim_noisy", &cases, &noisy, &mut timings);
    let coarse: Vec<Vec<f64>> = cases
        .iter()
        .map(|c| c.iter().map(|v| (v * 20.0).round() / 20.0).collect())
        .collect();
    let hot_coarse: Vec<bool> = coarse.iter().map(|c| inside(c)).collect();
    prim_case(&dir, "prim_ties", &coarse, &hot_coarse, &mut timings);
    let big: Vec<Vec<f64>> = (0..100_000)
        .map(|_| (0..8).map(|_| rng.random::<f64>()).collect())
        .collect();
    let hot_big: Vec<bool> = big
        .iter()
        .map(|c| inside(c) ^ rng.random_bool(0.05))
        .collect();
    prim_case(&dir, "prim_big", &big, &hot_big, &mut timings);

    std::fs::write(dir.join("rust_timings.csv"), timings).unwrap();
    eprintln!("wrote {}", dir.display());
}
