//! The command-line tool: outputs, files and exit codes.

use std::path::Path;
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_escalation"))
}

fn scenario(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/scenarios")
        .join(name)
        .display()
        .to_string()
}

#[test]
fn simulate_json_has_the_documented_keys() {
    let out = bin()
        .args([
            "simulate",
            &scenario("islamabad.toml"),
            "--json",
            "--dt",
            "0.5",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for key in ["t", "x", "rung", "events", "outcome", "explosion_time"] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    let t = v["t"].as_array().unwrap();
    assert_eq!(t[1].as_f64(), Some(0.5));
    let x = v["x"].as_object().unwrap();
    assert_eq!(x.len(), 6);
    assert_eq!(x["US"].as_array().unwrap().len(), t.len());
    assert_eq!(v["rung"]["Iran"].as_array().unwrap().len(), t.len());
    let outcome = v["outcome"].as_str().unwrap();
    assert!(["exploded", "collapsed", "extended", "expired", "none"].contains(&outcome));
    assert_eq!(v["explosion_time"].is_null(), outcome != "exploded");
    for e in v["events"].as_array().unwrap() {
        assert!(e["t"].is_f64() && e["kind"].is_string(), "{e}");
    }
}

#[test]
fn same_seed_same_output_other_seed_other_output() {
    let run = |seed: &str| {
        let out = bin()
            .args([
                "simulate",
                &scenario("islamabad.toml"),
                "--json",
                "--seed",
                seed,
            ])
            .output()
            .unwrap();
        assert!(out.status.success());
        out.stdout
    };
    assert_eq!(run("3"), run("3"));
    let runs: Vec<Vec<u8>> = (1..6).map(|s| run(&s.to_string())).collect();
    assert!(
        runs.windows(2).any(|w| w[0] != w[1]),
        "the seed must matter"
    );
}

#[test]
fn simulate_csv_has_header_and_rows() {
    let out = bin()
        .args(["simulate", &scenario("dyad.toml"), "--csv", "--dt", "1"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("t,Blue,Red,rung_Blue,rung_Red"));
    assert_eq!(lines.count(), 61, "samples at 0, 1, …, 60");
}

#[test]
fn out_dir_gets_csv_png_svg_and_protects_foreign_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let o = bin()
        .args([
            "simulate",
            &scenario("dyad.toml"),
            "--out",
            out.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let png = std::fs::read(out.join("trajectory.png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let svg = std::fs::read_to_string(out.join("trajectory.svg")).unwrap();
    assert!(
        svg.contains("<svg") && svg.contains("time (days)") && svg.contains("intensity (rungs)")
    );
    assert!(
        std::fs::read_to_string(out.join("trajectory.csv"))
            .unwrap()
            .starts_with("t,Blue,Red")
    );
    // Running again replaces our own files.
    let o = bin()
        .args([
            "simulate",
            &scenario("dyad.toml"),
            "--out",
            out.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(o.status.success());
    // A file we did not create is protected unless --force.
    let other = dir.path().join("mine");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(other.join("trajectory.csv"), "precious").unwrap();
    let o = bin()
        .args([
            "simulate",
            &scenario("dyad.toml"),
            "--out",
            other.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--force"));
    assert_eq!(
        std::fs::read_to_string(other.join("trajectory.csv")).unwrap(),
        "precious"
    );
    let o = bin()
        .args([
            "simulate",
            &scenario("dyad.toml"),
            "--out",
            other.to_str().unwrap(),
            "--force",
        ])
        .output()
        .unwrap();
    assert!(o.status.success());
    assert_ne!(
        std::fs::read_to_string(other.join("trajectory.csv")).unwrap(),
        "precious"
    );
}

#[test]
fn bad_input_exits_2_with_a_located_message() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(
        &path,
        "horizon = 10.0\n[[actor]]\nname = \"A\"\nrestraint = -1.0\n",
    )
    .unwrap();
    let o = bin()
        .args(["simulate", path.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("bad.toml") && err.contains("line 4") && err.contains("actor[0].restraint"),
        "{err}"
    );
    // Missing file, bad --dt, unknown flag.
    let o = bin()
        .args(["simulate", "/nonexistent/x.toml"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let o = bin()
        .args(["simulate", &scenario("dyad.toml"), "--dt", "0"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("dt"));
    let o = bin()
        .args(["simulate", &scenario("dyad.toml"), "--bogus"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
}

fn run_ok(args: &[&str]) -> Vec<u8> {
    let o = bin().args(args).output().unwrap();
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    o.stdout
}

#[test]
fn sharded_sweeps_merge_to_the_unsharded_output() {
    let dir = tempfile::tempdir().unwrap();
    let s = scenario("richardson.toml");
    for extra in [&[][..], &["--summary"][..], &["--json"][..]] {
        let mut base = vec![
            "sweep",
            s.as_str(),
            "--param",
            "coupling.X.Y=0:1:23",
            "--param",
            "coupling.Y.X=0:1:17",
        ];
        base.extend_from_slice(extra);
        let whole = run_ok(&base);
        let mut parts = Vec::new();
        for k in 1..=3 {
            let out = dir
                .path()
                .join(format!("part{k}{}.json", extra.len()))
                .display()
                .to_string();
            let shard = format!("{k}/3");
            let mut args = base.clone();
            args.extend_from_slice(&["--shard", &shard, "--out", &out]);
            run_ok(&args);
            parts.push(out);
        }
        let mut margs = vec!["merge"];
        margs.extend(parts.iter().map(String::as_str));
        if extra == ["--json"] {
            margs.push("--json");
        }
        let merged = String::from_utf8(run_ok(&margs)).unwrap();
        let whole = String::from_utf8(whole).unwrap();
        assert!(
            merged == whole,
            "{extra:?}: merged output differs ({} vs {} bytes)",
            merged.len(),
            whole.len()
        );
    }
}

#[test]
fn sharded_montecarlo_merges_to_the_unsharded_report() {
    let dir = tempfile::tempdir().unwrap();
    let s = scenario("islamabad.toml");
    let whole = run_ok(&["montecarlo", &s, "--runs", "50", "--json", "--quiet"]);
    let mut parts = Vec::new();
    for k in 1..=2 {
        let out = dir.path().join(format!("mc{k}.json")).display().to_string();
        run_ok(&[
            "montecarlo",
            &s,
            "--runs",
            "50",
            "--shard",
            &format!("{k}/2"),
            "--out",
            &out,
            "--quiet",
        ]);
        parts.push(out);
    }
    let merged = run_ok(&["merge", &parts[0], &parts[1], "--json"]);
    assert!(merged == whole, "merged report differs");
    // A missing shard is refused with exit code 2.
    let o = bin().args(["merge", &parts[0]]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("missing shards: 2/2"));
}

#[test]
fn montecarlo_json_keys_and_thread_independence() {
    let s = scenario("islamabad.toml");
    let one = run_ok(&[
        "montecarlo",
        &s,
        "--runs",
        "40",
        "--json",
        "--threads",
        "1",
        "--quiet",
    ]);
    let two = run_ok(&[
        "montecarlo",
        &s,
        "--runs",
        "40",
        "--json",
        "--threads",
        "2",
        "--quiet",
    ]);
    assert_eq!(one, two, "byte-identical whatever the thread count");
    let v: serde_json::Value = serde_json::from_slice(&one).unwrap();
    for key in [
        "runs",
        "seed",
        "outcomes",
        "intervals",
        "verification_passed",
        "explosion_time",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    assert_eq!(v["runs"], 40);
    let total: f64 = v["outcomes"]
        .as_object()
        .unwrap()
        .values()
        .map(|x| x.as_f64().unwrap())
        .sum();
    assert!((total - 1.0).abs() < 1e-12);
    for (_, iv) in v["intervals"].as_object().unwrap() {
        let (lo, hi) = (iv[0].as_f64().unwrap(), iv[1].as_f64().unwrap());
        assert!(0.0 <= lo && lo <= hi && hi <= 1.0);
    }
}

#[test]
fn sweep_and_montecarlo_bad_arguments_exit_2() {
    let s = scenario("richardson.toml");
    for args in [
        vec!["sweep", s.as_str(), "--param", "gain=0:1:0"],
        vec!["sweep", s.as_str(), "--param", "nonsense=0:1:3"],
        vec![
            "sweep",
            s.as_str(),
            "--param",
            "gain=0:1:3",
            "--shard",
            "4/3",
            "--out",
            "/tmp/x.json",
        ],
        vec![
            "sweep",
            s.as_str(),
            "--param",
            "gain=0:1:3",
            "--shard",
            "1/3",
        ],
        vec!["montecarlo", s.as_str(), "--runs", "0"],
        vec!["montecarlo", s.as_str(), "--runs", "x"],
    ] {
        let o = bin().args(&args).output().unwrap();
        assert_eq!(
            o.status.code(),
            Some(2),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
}

#[test]
fn internal_failures_exit_1() {
    // The input is valid but the output cannot be written: an internal failure, not bad input.
    let o = bin()
        .args([
            "simulate",
            &scenario("dyad.toml"),
            "--out",
            "/proc/escalation-cannot-write-here",
        ])
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(String::from_utf8_lossy(&o.stderr).starts_with("error: cannot create directory"));
}

#[test]
fn every_command_reports_a_missing_file_with_exit_2() {
    for cmd in ["simulate", "analyze", "montecarlo", "sweep", "fit"] {
        let mut args = vec![cmd, "/nonexistent/input.toml"];
        match cmd {
            "montecarlo" => args.extend(["--runs", "10"]),
            "sweep" => args.extend(["--param", "gain=0:1:3"]),
            _ => {}
        }
        let o = bin().args(&args).output().unwrap();
        assert_eq!(
            o.status.code(),
            Some(2),
            "{cmd}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(
            String::from_utf8_lossy(&o.stderr).contains("/nonexistent/input.toml"),
            "{cmd}"
        );
    }
}
