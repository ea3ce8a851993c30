//! Extreme magnitudes (issue 17, class 1): every numeric key of the example
//! scenarios, and every sweep path, set to ±1e-300 … ±1e300, through every
//! entry point (analyze, simulate, the critical gain, the linear sweep,
//! ensembles, the fits). Each result is either right — finite, and
//! consistent (an exploded run has its explosion time, a verdict agrees
//! with an independent check) — or an error that names the value out of
//! range. Never a panic, never NaN or infinity in an `Ok`.

use std::panic::{AssertUnwindSafe, catch_unwind};

use escalation::analysis::{Report, Verdict, analyze, critical_gain};
use escalation::ensemble::{EnsembleOptions, run_ensemble};
use escalation::error::{Error, NumericalError};
use escalation::prelude::*;
use escalation::scenario::Format;
use escalation::sweep::{Grid, SweepOptions, path_patterns, sweep_linear};
use proptest::prelude::*;

const MAGNITUDES: [f64; 10] = [
    1e-300, 1e-200, 1e-100, 1e-20, 1e-6, 1e6, 1e20, 1e100, 1e200, 1e300,
];

fn scenario_text(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/examples/scenarios/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// True when a `Debug` rendering holds a NaN or an infinity.
fn has_non_finite(debug: &str) -> bool {
    let b = debug.as_bytes();
    ["NaN", "inf"].iter().any(|w| {
        debug.match_indices(w).any(|(i, _)| {
            let before = i.checked_sub(1).map(|k| b[k]);
            let after = b.get(i + w.len()).copied();
            !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_')
                && !after.is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_')
        })
    })
}

/// An error is acceptable when it is about the input (names a key) or a
/// numerical failure; an out-of-range one must name the values.
fn check_error(case: &str, e: &Error) {
    match e {
        Error::Invalid(_) | Error::Parse { .. } | Error::Data { .. } => {}
        Error::Numerical(NumericalError::OutOfRange { cause, .. }) => {
            assert!(
                cause.contains('`'),
                "{case}: an out-of-range error must name the value: {e}"
            );
        }
        Error::Numerical(_) => {}
        other => panic!("{case}: unexpected error {other}"),
    }
    assert!(!e.to_string().is_empty());
}

/// `γ²kl / ab` of a linear dyad, from logarithms (no overflow): above 1
/// the loop is explosive, below stable (`kl ≤ 0`: always stable).
fn dyad_ratio(d: &Dynamics) -> Option<f64> {
    let (a, b, k, l, g) = (
        d.restraint[0],
        d.restraint[1],
        d.coupling[(0, 1)],
        d.coupling[(1, 0)],
        d.gain,
    );
    if (k < 0.0) != (l < 0.0) || g == 0.0 || k == 0.0 || l == 0.0 {
        return Some(0.0);
    }
    let ln = 2.0 * g.ln() + k.abs().ln() + l.abs().ln() - a.ln() - b.ln();
    Some(ln.exp())
}

fn check_report(case: &str, model: &Model, r: &Report) {
    let debug = format!("{r:?}");
    assert!(!has_non_finite(&debug), "{case}: non-finite in {debug}");
    if let Some(first) = r.eigenvalues.first() {
        assert_eq!(first[0], r.spectral_abscissa, "{case}");
    }
    match r.verdict {
        Verdict::Stable => assert!(r.spectral_abscissa < 0.0, "{case}: {debug}"),
        Verdict::Explosive => {
            assert!(r.spectral_abscissa > 0.0, "{case}");
            assert!(
                r.growth_rate.is_some() && r.doubling_time.is_some(),
                "{case}"
            );
        }
        Verdict::Marginal => {}
    }
    let d = &model.dynamics;
    let plain = r.model == "linear" && d.n() == 2 && model.proxies.is_empty();
    if plain && let Some(ratio) = dyad_ratio(d) {
        // The independent check: det(−A + γK) = ab − γ²kl and the trace −(a+b).
        match r.verdict {
            Verdict::Stable => assert!(ratio < 1.0 + 1e-6, "{case}: ratio {ratio}, {debug}"),
            Verdict::Explosive => assert!(ratio > 1.0 - 1e-6, "{case}: ratio {ratio}, {debug}"),
            Verdict::Marginal => assert!((ratio - 1.0).abs() < 1e-3, "{case}: ratio {ratio}"),
        }
        // The equilibrium solves −A x + γK x + g = 0 with a small backward
        // error, norm-wise: ‖M x + g‖∞ ≤ 1e-9 (‖M‖∞ ‖x‖∞ + ‖g‖∞), what LU with
        // pivoting guarantees. (Row by row it can fail when the rows differ
        // by hundreds of decades: a tiny entry is then accurate in norm only,
        // see docs/analysis.md, "Magnitude ranges".)
        if let Some(x) = &r.equilibrium {
            let mut residual: f64 = 0.0;
            let mut scale: f64 = 0.0;
            let mut finite = true;
            let mut coef: f64 = 0.0;
            let xn = x.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
            for i in 0..2 {
                let j = 1 - i;
                let terms = [
                    -d.restraint[i] * x[i],
                    d.gain * d.coupling[(i, j)] * x[j],
                    d.grievance[i],
                ];
                if terms.iter().any(|t| !t.is_finite()) {
                    finite = false; // the terms overflow, not the equilibrium
                }
                residual = residual.max(terms.iter().sum::<f64>().abs());
                let row = d.restraint[i] + (d.gain * d.coupling[(i, j)]).abs();
                coef = coef.max(row);
                scale = scale.max(row * xn + d.grievance[i].abs());
            }
            if finite && scale.is_finite() {
                // An equilibrium below 2.2e-308 is subnormal: its rounding
                // is absolute (about 4.9e-324), times its coefficient.
                let floor = coef * 1e-320;
                assert!(
                    residual <= 1e-9 * scale + floor,
                    "{case}: residual {residual} against {scale}"
                );
            }
        }
    }
}

fn check_run(case: &str, model: &Model, run: &Trajectory) {
    let debug = format!("{:?} {:?} {:?}", run.final_x, run.cost, run.events);
    assert!(!has_non_finite(&debug), "{case}: non-finite in {debug}");
    assert!(
        run.x.iter().flatten().all(|v| v.is_finite()) && run.t.iter().all(|v| v.is_finite()),
        "{case}"
    );
    assert!(run.final_x.iter().all(|&v| v >= 0.0), "{case}: {debug}");
    assert_eq!(
        run.outcome == Outcome::Exploded,
        run.explosion_time.is_some(),
        "{case}"
    );
    if let Some(t) = run.explosion_time {
        assert!(t >= 0.0 && t <= model.horizon, "{case}: {t}");
        let top = model.ladder.bound(model.ladder.top());
        assert!(
            run.final_x.iter().any(|&v| v >= top * (1.0 - 1e-9)),
            "{case}: exploded below the top rung: {debug}"
        );
    }
}

/// Runs every entry point on `model`, catching panics to name the case.
fn exercise(case: &str, model: &Model, ensembles: bool) {
    let started = std::time::Instant::now();
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        if model.check().is_err() {
            return;
        }
        match analyze(model) {
            Ok(r) => check_report(case, model, &r),
            Err(e) => check_error(case, &e),
        }
        let opts = SimOptions::default().with_dt(0.5).unwrap();
        match simulate(model, &opts) {
            Ok(run) => check_run(case, model, &run),
            Err(e) => check_error(case, &e),
        }
        match critical_gain(&model.effective_dynamics()) {
            Ok(Some(g)) => assert!(g.is_finite() && g > 0.0, "{case}: critical gain {g}"),
            Ok(None) => {}
            Err(e) => check_error(case, &e),
        }
        if ensembles && model.horizon <= 1000.0 {
            let opts = EnsembleOptions {
                runs: 3,
                threads: Some(1),
                ..EnsembleOptions::default()
            };
            match run_ensemble(model, &opts, None) {
                Ok(s) => {
                    let debug = format!("{s:?}");
                    assert!(!has_non_finite(&debug), "{case}: {debug}");
                }
                Err(e) => check_error(case, &e),
            }
        }
    }));
    if let Err(p) = outcome {
        let msg = p
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        panic!("{case}: panicked: {msg}");
    }
    let took = started.elapsed().as_secs_f64();
    if took > 0.5 {
        eprintln!("slow case ({took:.1} s): {case}");
    }
}

/// Every numeric leaf of a TOML document, as a path of keys and indices.
fn numeric_paths(v: &toml::Value, path: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    match v {
        toml::Value::Float(_) | toml::Value::Integer(_) => out.push(path.clone()),
        toml::Value::Table(t) => {
            for (k, v) in t {
                path.push(k.clone());
                numeric_paths(v, path, out);
                path.pop();
            }
        }
        toml::Value::Array(a) => {
            for (i, v) in a.iter().enumerate() {
                path.push(format!("#{i}"));
                numeric_paths(v, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

fn set(v: &mut toml::Value, path: &[String], x: f64) {
    let mut cur = v;
    for p in path {
        cur = match p.strip_prefix('#') {
            Some(i) => &mut cur.as_array_mut().unwrap()[i.parse::<usize>().unwrap()],
            None => cur.as_table_mut().unwrap().get_mut(p).unwrap(),
        };
    }
    *cur = toml::Value::Float(x);
}

/// Each example scenario with each numeric key at each extreme magnitude.
fn sweep_scenario_keys(name: &str, short_horizon: f64, ensembles: bool) -> usize {
    let doc: toml::Value = toml::from_str(&scenario_text(name)).unwrap();
    let mut paths = Vec::new();
    numeric_paths(&doc, &mut Vec::new(), &mut paths);
    let mut cases = 0;
    for path in &paths {
        for &m in &MAGNITUDES {
            for x in [m, -m] {
                let mut v = doc.clone();
                set(&mut v, path, x);
                let text = toml::to_string(&v).unwrap();
                let case = format!("{name}: {} = {x:e}", path.join("."));
                let Ok((_, mut model)) = Scenario::compile_str(&text, Format::Toml) else {
                    continue;
                };
                // A short run: the magnitudes, not the length, are under test.
                if path.first().is_none_or(|p| p != "horizon") {
                    model.horizon = model.horizon.min(short_horizon);
                }
                exercise(&case, &model, ensembles);
                cases += 1;
            }
        }
    }
    cases
}

#[test]
fn every_key_of_the_dyads_at_every_magnitude() {
    let n = sweep_scenario_keys("richardson.toml", 10.0, true)
        + sweep_scenario_keys("dyad.toml", 10.0, true);
    assert!(n > 100, "{n} cases");
}

#[test]
fn every_key_of_the_ceiling_and_triad_scenarios_at_every_magnitude() {
    let n = sweep_scenario_keys("bistable.toml", 10.0, false)
        + sweep_scenario_keys("triad.toml", 10.0, false);
    assert!(n > 100, "{n} cases");
}

#[test]
fn every_key_of_the_mechanism_scenarios_at_every_magnitude() {
    let n = sweep_scenario_keys("tactical_pause.toml", 5.0, false)
        + sweep_scenario_keys("spoilers.toml", 5.0, false);
    assert!(n > 100, "{n} cases");
}

/// A concrete instance of a sweep path pattern for `model`, if it applies.
fn instance(pattern: &str, model: &Model) -> String {
    let names = &model.dynamics.names;
    let phase = model.phases.first().map_or("none", |p| p.name.as_str());
    pattern
        .replace("ROW", &names[0])
        .replace("COL", names.get(1).unwrap_or(&names[0]))
        .replace("actor.NAME", &format!("actor.{}", names[0]))
        .replace("phase.NAME", &format!("phase.{phase}"))
}

#[test]
fn every_sweep_path_at_every_magnitude() {
    let mut points = 0;
    for name in [
        "richardson.toml",
        "dyad.toml",
        "triad.toml",
        "islamabad.toml",
    ] {
        let (_, base) = Scenario::compile_str(&scenario_text(name), Format::Toml).unwrap();
        // Six actors with every mechanism: the four decades that matter.
        let magnitudes: &[f64] = if name == "islamabad.toml" {
            &[1e-300, 1e-20, 1e20, 1e300]
        } else {
            &MAGNITUDES
        };
        for pattern in path_patterns() {
            let path = instance(&pattern, &base);
            for &m in magnitudes {
                for x in [m, -m] {
                    let case = format!("{name}: sweep {path}={x:e}");
                    let specs = vec![format!("{path}={x:e}:{x:e}:1")];
                    let Ok(grid) = Grid::parse(&specs, &base) else {
                        continue;
                    };
                    let result = catch_unwind(AssertUnwindSafe(|| {
                        sweep_linear(&base, &grid, &SweepOptions::default(), None)
                    }));
                    match result {
                        Err(_) => panic!("{case}: panicked"),
                        Ok(Ok(pts)) => {
                            let debug = format!("{pts:?}");
                            assert!(!has_non_finite(&debug), "{case}: {debug}");
                            for p in &pts {
                                assert_eq!(p.values, vec![x], "{case}");
                                match p.verdict {
                                    Verdict::Stable if p.spectral_radius.is_none() => {
                                        assert!(p.spectral_abscissa < 0.0, "{case}")
                                    }
                                    Verdict::Explosive if p.spectral_radius.is_none() => {
                                        assert!(p.spectral_abscissa > 0.0, "{case}")
                                    }
                                    Verdict::Stable => {
                                        assert!(p.spectral_radius.unwrap() < 1.0, "{case}")
                                    }
                                    Verdict::Explosive => {
                                        assert!(p.spectral_radius.unwrap() > 1.0, "{case}")
                                    }
                                    Verdict::Marginal => {}
                                }
                            }
                            points += 1;
                        }
                        Ok(Err(e)) => check_error(&case, &e),
                    }
                    // The same value set on the model, through every entry point.
                    let mut model = base.clone();
                    grid.axes[0].param.apply(&mut model, x);
                    model.horizon = model.horizon.min(5.0);
                    exercise(&case, &model, false);
                }
            }
        }
    }
    assert!(points > 50, "{points} points");
}

#[test]
fn axes_stay_between_start_and_stop_at_any_magnitude() {
    let (_, base) = Scenario::compile_str(&scenario_text("richardson.toml"), Format::Toml).unwrap();
    for (start, stop) in [
        (0.0, 1.7e308),
        (0.0, f64::MAX),
        (1e300, 1.7e308),
        (1e-300, 1e300),
        (f64::MAX, 0.0),
    ] {
        for count in [2, 3, 7, 1000] {
            let spec = vec![format!("gain={start:e}:{stop:e}:{count}")];
            let grid = Grid::parse(&spec, &base).unwrap();
            let axis = &grid.axes[0];
            let (lo, hi) = (start.min(stop), start.max(stop));
            for k in 0..count {
                let v = axis.value(k);
                assert!(v.is_finite() && v >= lo && v <= hi, "{spec:?}[{k}] = {v}");
            }
            assert_eq!(axis.value(count - 1), stop);
            match sweep_linear(&base, &grid, &SweepOptions::default(), None) {
                Ok(pts) => assert!(!has_non_finite(&format!("{pts:?}")), "{spec:?}"),
                Err(e) => check_error(&format!("{spec:?}"), &e),
            }
        }
    }
}

/// The Correlates of War data with every value multiplied by `m`.
fn scaled_cow(m: f64) -> String {
    let text = std::fs::read_to_string(format!(
        "{}/examples/data/cow_nmc_1909_1913.csv",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                return l.to_string();
            }
            let mut cells = l.split(',');
            let year = cells.next().unwrap().to_string();
            let rest: Vec<String> = cells
                .map(|c| format!("{:e}", c.trim().parse::<f64>().unwrap() * m))
                .collect();
            format!("{year},{}", rest.join(","))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn fits_at_every_magnitude() {
    use escalation::calibrate::{FitOptions, Group, Series, fit_pooled, fit_richardson};
    for &m in &MAGNITUDES {
        let case = format!("fit of data × {m:e}");
        let text = scaled_cow(m);
        let result = catch_unwind(AssertUnwindSafe(|| {
            let series = match Series::parse(&text, None) {
                Ok(s) => s,
                Err(e) => return check_error(&case, &e),
            };
            let opts = FitOptions::default().with_bootstrap(20).unwrap();
            let grouped = match series.grouped(&Group::each_column(&series)) {
                Ok(g) => g,
                Err(e) => return check_error(&case, &e),
            };
            match fit_pooled(&grouped, &opts) {
                Ok(fit) => {
                    let debug = format!("{fit:?}");
                    assert!(!has_non_finite(&debug), "{case}: pooled {debug}");
                }
                Err(e) => check_error(&case, &e),
            }
            match fit_richardson(&grouped, &opts) {
                Ok(fit) => {
                    let debug = format!("{fit:?}");
                    assert!(!has_non_finite(&debug), "{case}: richardson {debug}");
                }
                Err(e) => check_error(&case, &e),
            }
        }));
        assert!(result.is_ok(), "{case}: panicked");
    }
}

fn dyad(a: f64, b: f64, k: f64, l: f64, g: f64, h: f64, gain: f64) -> Option<Model> {
    let mut d = Dynamics::richardson(a, b, k, l, g, h).ok()?;
    d.gain = gain;
    let mut m = Model::from_dynamics(d, 5.0);
    m.initial[0] = 1.0;
    m.initial[1] = 0.5;
    Some(m)
}

fn magnitude() -> impl Strategy<Value = f64> {
    (-300i32..=300, 1.0f64..10.0, any::<bool>())
        .prop_map(|(e, mant, neg)| if neg { -mant } else { mant } * 10f64.powi(e))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    /// Random dyads with every value anywhere in 1e-300 … 1e300.
    #[test]
    fn random_dyads_are_right_or_refused(
        a in magnitude(), b in magnitude(), k in magnitude(), l in magnitude(),
        g in magnitude(), h in magnitude(), gain in magnitude(),
    ) {
        if let Some(m) = dyad(a.abs(), b.abs(), k, l, g, h, gain.abs()) {
            exercise(&format!("dyad a={a:e} b={b:e} k={k:e} l={l:e} g={g:e} h={h:e} gain={gain:e}"), &m, false);
        }
    }
}

/// The issue's failing files (`tests/corpus/extreme/`), each with the exact
/// error its command (`# command:` in the file) must give.
#[test]
fn the_issue_files_give_their_exact_errors() {
    let dir = std::path::Path::new("tests/corpus/extreme");
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    paths.sort();
    for path in &paths {
        let text = std::fs::read_to_string(path).unwrap();
        let command = text
            .lines()
            .find_map(|l| l.strip_prefix("# command: "))
            .unwrap();
        let want = std::fs::read_to_string(path.with_extension("err")).unwrap();
        let (_, model) = Scenario::load(path).unwrap();
        let err = match command {
            "analyze" => analyze(&model).map(|_| ()),
            "simulate" => simulate(&model, &SimOptions::default()).map(|_| ()),
            other => panic!("unknown command {other}"),
        }
        .unwrap_err();
        assert_eq!(err.to_string(), want.trim_end(), "{}", path.display());
        assert!(
            matches!(err, Error::Numerical(NumericalError::OutOfRange { .. })),
            "{}",
            path.display()
        );
    }
    assert!(paths.len() >= 5);
}

/// Issue 17's answers that must be right, not refused.
#[test]
fn the_issue_cases_that_have_an_answer_get_it() {
    // A = { B = −1e300 }: eigenvalues −0.5 ± 7.7e149i, stable, not singular.
    let m = dyad(0.5, 0.5, -1e300, 0.6, 0.02, 0.01, 1.0).unwrap();
    let r = analyze(&m).unwrap();
    assert_eq!(r.verdict, Verdict::Stable);
    assert_eq!(r.spectral_abscissa, -0.5);
    let im = r.eigenvalues[0][1].abs();
    assert!((im / 7.745966692414834e149 - 1.0).abs() < 1e-12, "{im}");
    let x = r.equilibrium.expect("not singular");
    // x* = (bg + kh, lg + ah) / (ab − kl)
    let det = 0.25 + 0.6e300;
    assert!((x[0] / ((0.5 * 0.02 - 1e300 * 0.01) / det) - 1.0).abs() < 1e-12);
    assert!((x[1] / ((0.6 * 0.02 + 0.5 * 0.01) / det) - 1.0).abs() < 1e-12);
    // The same loop with a ceiling of 1e-300 on B: analyze answers (it
    // failed with a key `start` not in the file).
    let mut m = dyad(0.5, 0.5, 0.0, 0.6, 0.02, 0.01, 1.0).unwrap();
    m.dynamics.ceiling[1] = Some(1e-300);
    m.initial[1] = 0.0;
    let r = analyze(&m).unwrap();
    let x = r.equilibrium.unwrap();
    assert!((x[0] - 0.04).abs() < 1e-12 && x[1] <= 1e-300, "{x:?}");
    assert_eq!(r.verdict, Verdict::Stable);
    // Sweeps at huge gains: finite abscissae, the right verdicts.
    for name in [
        "dyad.toml",
        "islamabad.toml",
        "richardson.toml",
        "triad.toml",
    ] {
        let (_, base) = Scenario::compile_str(&scenario_text(name), Format::Toml).unwrap();
        let grid = Grid::parse(&["gain=1e200:1e200:1".to_string()], &base).unwrap();
        let pts = sweep_linear(&base, &grid, &SweepOptions::default(), None).unwrap();
        assert_eq!(pts[0].verdict, Verdict::Explosive, "{name}");
        assert!(pts[0].spectral_abscissa > 1e199, "{name}");
        let grid = Grid::parse(&["gain=0:1.7e308:3".to_string()], &base).unwrap();
        assert_eq!(grid.axes[0].value(2), 1.7e308);
        match sweep_linear(&base, &grid, &SweepOptions::default(), None) {
            Ok(pts) => assert!(
                pts.iter()
                    .all(|p| p.values[0] <= 1.7e308 && p.spectral_abscissa.is_finite())
            ),
            Err(e) => check_error(name, &e),
        }
    }
}
