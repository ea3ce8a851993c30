//! Panic-freedom: the parser, `simulate`, `analyze`, `sweep` and `fit` on
//! arbitrary and mutated inputs either succeed or return an error; they
//! never panic, hang, or hand back a non-finite number where a finite one
//! is promised.
//!
//! 1,000 cases per property in the default run (`cargo test`); a longer run:
//! `cargo test --release --test it fuzz:: -- --ignored`.

use escalation::prelude::*;
use escalation::scenario::Format;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

const VALID: &str = include_str!("../../examples/scenarios/islamabad.toml");

/// Numbers a mutation may write into a value.
fn number() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("nan".to_string()),
        Just("inf".to_string()),
        Just("-inf".to_string()),
        Just("0".to_string()),
        Just("-1".to_string()),
        Just("1e308".to_string()),
        Just("1e-320".to_string()),
        Just("\"text\"".to_string()),
        Just("[]".to_string()),
        (-1e4f64..1e4).prop_map(|v| format!("{v}")),
        (0u64..50).prop_map(|v| v.to_string()),
    ]
}

#[derive(Debug, Clone)]
enum Mutation {
    /// Replace the value on line `l` (after `=`).
    Value(usize, String),
    /// Delete line `l`.
    Delete(usize),
    /// Duplicate line `l`.
    Duplicate(usize),
    /// Swap two lines.
    Swap(usize, usize),
    /// Cut the text at a byte.
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (any::<usize>(), number()).prop_map(|(l, v)| Mutation::Value(l, v)),
        1 => any::<usize>().prop_map(Mutation::Delete),
        1 => any::<usize>().prop_map(Mutation::Duplicate),
        1 => (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::Swap(a, b)),
        1 => any::<usize>().prop_map(Mutation::Truncate),
    ]
}

fn mutate(text: &str, muts: &[Mutation]) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    for m in muts {
        let n = lines.len().max(1);
        match m {
            Mutation::Value(l, v) => {
                // Only lines with a value; keep comments away.
                let l = l % n;
                if let Some(line) = lines.get_mut(l) {
                    let code = line.split('#').next().unwrap_or("").to_string();
                    if let Some((k, _)) = code.split_once('=') {
                        *line = format!("{k}= {v}");
                    }
                }
            }
            Mutation::Delete(l) => {
                if !lines.is_empty() {
                    lines.remove(l % n);
                }
            }
            Mutation::Duplicate(l) => {
                if let Some(line) = lines.get(l % n).cloned() {
                    lines.insert(l % n, line);
                }
            }
            Mutation::Swap(a, b) => {
                if !lines.is_empty() {
                    lines.swap(a % n, b % n);
                }
            }
            Mutation::Truncate(at) => {
                let joined = lines.join("\n");
                let mut cut = at % (joined.len() + 1);
                while !joined.is_char_boundary(cut) {
                    cut -= 1;
                }
                lines = joined[..cut].lines().map(str::to_string).collect();
            }
        }
    }
    lines.join("\n")
}

static SIMULATED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Parses, compiles and (if valid) simulates; checks every output number.
fn exercise(text: &str) -> Result<(), TestCaseError> {
    for format in [Format::Toml, Format::Json] {
        let Ok((_, mut model)) = Scenario::compile_str(text, format) else {
            continue;
        };
        // Keep each case fast: a valid file may ask for a million days.
        model.horizon = model.horizon.min(90.0);
        let opts = SimOptions {
            dt: 0.5,
            ..SimOptions::default()
        };
        SIMULATED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        // analyze and a small sweep: a result or an error, never a panic.
        if let Ok(report) = escalation::analysis::analyze(&model) {
            prop_assert!(report.to_json().is_ok());
        }
        if let Ok(grid) = escalation::sweep::Grid::parse(&["gain=0:3:4".to_string()], &model)
            && let Ok(points) =
                escalation::sweep::sweep_linear(&model, &grid, &Default::default(), None)
        {
            prop_assert_eq!(points.len(), 4);
        }
        if let Ok(run) = simulate(&model, &opts) {
            for s in &run.x {
                prop_assert!(s.iter().all(|v| v.is_finite() && *v >= 0.0));
            }
            prop_assert!(run.t.iter().all(|t| t.is_finite()));
            if let Some(te) = run.explosion_time {
                prop_assert!(te.is_finite() && te >= 0.0 && te <= model.horizon);
            }
            prop_assert!(run.to_json().is_ok());
        }
    }
    Ok(())
}

fn run(cases: u32, strategy: impl Strategy<Value = String>) {
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    runner.run(&strategy, |text| exercise(&text)).unwrap();
}

fn mutated() -> impl Strategy<Value = String> {
    prop::collection::vec(mutation(), 1..6).prop_map(|m| mutate(VALID, &m))
}

fn arbitrary() -> impl Strategy<Value = String> {
    prop_oneof![
        ".{0,300}",
        // Plausible TOML shapes with random keys and values.
        prop::collection::vec(("[a-z_\\.\\[\\]]{1,12}", number()), 0..12).prop_map(|kv| kv
            .iter()
            .map(|(k, v)| format!("{k} = {v}\n"))
            .collect::<String>()),
    ]
}

#[test]
fn mutated_valid_scenarios_never_panic() {
    let before = SIMULATED.load(std::sync::atomic::Ordering::Relaxed);
    run(1000, mutated());
    let simulated = SIMULATED.load(std::sync::atomic::Ordering::Relaxed) - before;
    eprintln!("{simulated} of 1000 mutated scenarios compiled and were simulated");
    // The mutations must leave enough files valid to exercise the simulator.
    assert!(
        simulated >= 100,
        "only {simulated} of 1000 mutated files were simulated"
    );
}

#[test]
fn arbitrary_text_never_panics() {
    run(1000, arbitrary());
}

const COW: &str = include_str!("../../examples/data/cow_nmc_1909_1913.csv");

/// Parses a CSV and runs both fits with a small bootstrap.
fn exercise_fit(text: &str) -> Result<(), TestCaseError> {
    use escalation::calibrate::{FitOptions, Group, Series, fit_pooled, fit_richardson};
    let Ok(series) = Series::parse(text, None) else {
        return Ok(());
    };
    let Ok(opts) = FitOptions::default().with_bootstrap(20) else {
        return Ok(());
    };
    if let Ok(grouped) = series.grouped(&Group::each_column(&series)) {
        if let Ok(fit) = fit_pooled(&grouped, &opts) {
            prop_assert!(serde_json::to_string(&fit.to_json()).is_ok());
        }
        if let Ok(fit) = fit_richardson(&grouped, &opts) {
            prop_assert!(serde_json::to_string(&fit.to_json()).is_ok());
        }
    }
    Ok(())
}

fn csv_mutated() -> impl Strategy<Value = String> {
    prop::collection::vec((any::<usize>(), any::<usize>(), number()), 1..4).prop_map(|edits| {
        let mut rows: Vec<Vec<String>> = COW
            .lines()
            .map(|l| l.split(',').map(str::to_string).collect())
            .collect();
        for (r, c, v) in edits {
            let r = 1 + r % (rows.len() - 1);
            let row = &mut rows[r];
            let c = c % row.len();
            row[c] = v;
        }
        rows.iter()
            .map(|r| r.join(","))
            .collect::<Vec<_>>()
            .join("\n")
    })
}

#[test]
fn mutated_and_arbitrary_csv_never_panics_the_fits() {
    let mut runner = TestRunner::new(Config {
        cases: 500,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&csv_mutated(), |text| exercise_fit(&text))
        .unwrap();
    runner
        .run(&"[0-9a-z,\\.\\n#-]{0,200}", |text| exercise_fit(&text))
        .unwrap();
}

#[test]
#[ignore = "long fuzz run: cargo test --release --test it fuzz:: -- --ignored"]
fn long_fuzz_run() {
    run(50_000, mutated());
    run(50_000, arbitrary());
    let mut runner = TestRunner::new(Config {
        cases: 20_000,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&csv_mutated(), |text| exercise_fit(&text))
        .unwrap();
}
