//! Issue 17, the input/output classes: bounded input, bounded resources,
//! safe output folders, a merge that trusts nothing, RFC 4180 CSV and short
//! error messages. Every case runs the built binary as a user would.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use proptest::prelude::*;

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

fn run(args: &[&str]) -> Output {
    bin().args(args).output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs and expects exit code 2 with every needle in the message; returns it.
fn refused(args: &[&str], needles: &[&str]) -> String {
    let o = run(args);
    let e = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{args:?}: {e}");
    for n in needles {
        assert!(e.contains(n), "{args:?}: {e:?} does not mention {n:?}");
    }
    e
}

fn ok(args: &[&str]) -> Vec<u8> {
    let o = run(args);
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    o.stdout
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    v.sort();
    v
}

fn temp_files(dir: &Path) -> Vec<String> {
    names_in(dir)
        .into_iter()
        .filter(|n| n.contains("tmp"))
        .collect()
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

const DYAD: &str = r#"
name = "d"
horizon = 30.0
[[actor]]
name = "A"
restraint = 0.5
grievance = 0.02
[[actor]]
name = "B"
restraint = 0.4
grievance = 0.01
[coupling]
A = { B = 0.3 }
B = { A = 0.6 }
"#;

// ---------------------------------------------------------------- class 2

#[cfg(unix)]
#[test]
fn endless_inputs_are_refused_at_once_naming_the_file_and_limit() {
    for (args, limit) in [
        (vec!["analyze", "/dev/zero"], "16 MiB"),
        (vec!["simulate", "/dev/urandom"], "16 MiB"),
        (vec!["merge", "/dev/urandom"], "partial result"),
        (vec!["merge", "/dev/zero"], "partial result"),
        (vec!["fit", "/dev/zero"], "64 MiB"),
    ] {
        let t = Instant::now();
        let e = refused(&args, &[args[1], limit]);
        assert!(
            t.elapsed() < Duration::from_secs(30),
            "{args:?} took {:?}",
            t.elapsed()
        );
        assert!(e.len() < 300, "{e}");
    }
}

#[test]
fn an_oversized_scenario_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.toml");
    let f = std::fs::File::create(&path).unwrap();
    f.set_len((16 << 20) + 1).unwrap(); // sparse: costs no disk
    let p = path.display().to_string();
    refused(&["analyze", &p], &["big.toml", "16 MiB"]);
    refused(&["montecarlo", &p, "--runs", "1"], &["big.toml", "limit"]);
    let part = dir.path().join("part.json");
    let f = std::fs::File::create(&part).unwrap();
    f.set_len((4 << 30) + 1).unwrap();
    refused(
        &["merge", &part.display().to_string()],
        &["part.json", "4 GiB"],
    );
}

#[test]
fn absurd_thread_counts_are_refused() {
    let s = scenario("richardson.toml");
    for t in ["100000", "1025", "0"] {
        refused(
            &["montecarlo", &s, "--runs", "2", "--threads", t, "--quiet"],
            &["--threads"],
        );
        refused(
            &["sweep", &s, "--param", "gain=0:1:3", "--threads", t],
            &["--threads"],
        );
    }
    ok(&["montecarlo", &s, "--runs", "2", "--threads", "2", "--quiet"]);
}

#[test]
fn enormous_plot_grids_are_refused_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("plots").display().to_string();
    let s = scenario("richardson.toml");
    let t = Instant::now();
    refused(
        &[
            "plot",
            "stability-map",
            &s,
            "--out",
            &out,
            "--param",
            "coupling.X.Y=0:1:5000",
            "--param",
            "coupling.Y.X=0:1:5000",
        ],
        &["cells", "250000"],
    );
    refused(
        &[
            "plot",
            "root-locus",
            &s,
            "--out",
            &out,
            "--param",
            "gain=0:1:10000000",
        ],
        &["gains"],
    );
    let sp = scenario("islamabad.toml");
    refused(
        &[
            "plot",
            "heatmap",
            &sp,
            "--out",
            &out,
            "--param",
            "spoilers.rate=0:0.1:1000",
            "--param",
            "spoilers.attribution=0:1:1000",
            "--runs",
            "1",
        ],
        &["cells"],
    );
    assert!(t.elapsed() < Duration::from_secs(20));
    assert!(
        !Path::new(&out).exists() || temp_files(Path::new(&out)).is_empty(),
        "nothing half-written"
    );
}

/// A sweep larger than one block goes through temporary files: the
/// streamed table must equal the library's points, in grid order.
#[test]
fn a_sweep_larger_than_memory_blocks_is_streamed_in_grid_order() {
    use escalation::prelude::*;
    use escalation::sweep::{Grid, SweepOptions, sweep_linear};
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("s.csv");
    let s = scenario("richardson.toml");
    let spec = "gain=0:3:300001";
    ok(&[
        "sweep",
        &s,
        "--param",
        spec,
        "--out",
        &out.display().to_string(),
        "--quiet",
    ]);
    let (_, m) = Scenario::load(&s).unwrap();
    let g = Grid::parse(&[spec.to_string()], &m).unwrap();
    let points = sweep_linear(&m, &g, &SweepOptions::default(), None).unwrap();
    let mut r = csv::Reader::from_path(&out).unwrap();
    assert_eq!(
        r.headers().unwrap().iter().collect::<Vec<_>>(),
        ["gain", "spectral_abscissa", "verdict"]
    );
    let mut n = 0;
    for (rec, p) in r.records().zip(&points) {
        let rec = rec.unwrap();
        assert_eq!(
            rec[0].parse::<f64>().unwrap().to_bits(),
            p.values[0].to_bits()
        );
        assert_eq!(
            rec[1].parse::<f64>().unwrap().to_bits(),
            p.spectral_abscissa.to_bits()
        );
        assert_eq!(&rec[2], p.verdict.name());
        n += 1;
    }
    assert_eq!(n, 300_001);
    assert!(
        temp_files(dir.path()).is_empty(),
        "{:?}",
        names_in(dir.path())
    );
}

fn long_series(years: usize) -> String {
    let mut s = String::from("# made up\nyear,A,B\n");
    let (mut a, mut b) = (1.0f64, 2.0f64);
    let mut seed = 7u64;
    let mut noise = || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((seed >> 11) as f64 / (1u64 << 53) as f64) - 0.5
    };
    for k in 0..years {
        s += &format!("{k},{a:.4},{b:.4}\n");
        a = 0.9 * a + 0.1 * b + 1.0 + noise();
        b = 0.9 * b + 0.05 * a + 1.0 + noise();
    }
    s
}

#[test]
fn fit_of_many_rows_is_bounded_and_says_what_it_left_out() {
    let dir = tempfile::tempdir().unwrap();
    // 260,000 rows: 961 bootstrap resamples fit the budget, not 1000.
    let data = write(dir.path(), "long.csv", &long_series(260_000));
    let t = Instant::now();
    let o = run(&["fit", &data]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(t.elapsed() < Duration::from_secs(240), "{:?}", t.elapsed());
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.contains("trajectory matching skipped"), "{text}");
    assert!(text.contains("resamples instead of 1000"), "{text}");
    assert!(text.lines().all(|l| l.len() < 400), "a line is too long");
    // An explicit bootstrap beyond the budget is refused, not run for hours.
    refused(
        &["fit", &data, "--bootstrap", "1000000"],
        &["--bootstrap", "at most"],
    );
    // Too many groups for a Richardson fit.
    let mut wide = String::from("year");
    for c in 0..60 {
        wide += &format!(",C{c}");
    }
    wide.push('\n');
    for y in 0..3 {
        wide += &format!("{y}{}\n", ",1".repeat(60));
    }
    let wide = write(dir.path(), "wide.csv", &wide);
    refused(
        &["fit", &wide, "--model", "richardson"],
        &["at most 50 groups"],
    );
}

#[test]
fn residuals_are_not_one_enormous_line() {
    let dir = tempfile::tempdir().unwrap();
    // 300 years: refined, residuals summarized in the text, all in JSON.
    let data = write(dir.path(), "d.csv", &long_series(300));
    let text = String::from_utf8(ok(&["fit", &data, "--bootstrap", "0"])).unwrap();
    assert!(text.contains("residuals total: 300 years, RMS"), "{text}");
    assert!(text.lines().all(|l| l.len() < 300));
    let json = String::from_utf8(ok(&["fit", &data, "--bootstrap", "0", "--json"])).unwrap();
    assert!(
        json.lines().all(|l| l.len() < 300),
        "JSON is one giant line"
    );
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        v["trajectory"]["residuals"].as_array().map(Vec::len),
        Some(300)
    );
    // 25 years: every residual, ten a line.
    let data = write(dir.path(), "s.csv", &long_series(25));
    let text = String::from_utf8(ok(&["fit", &data, "--bootstrap", "0"])).unwrap();
    let first = text
        .lines()
        .position(|l| l.contains("residuals total:"))
        .unwrap();
    let lines: Vec<&str> = text.lines().skip(first).take(3).collect();
    assert_eq!(lines[0].matches(", ").count(), 9, "{lines:?}");
    assert!(lines[0].ends_with(','), "{lines:?}");
    assert!(lines[2].contains("24 "), "{lines:?}");
}

#[test]
fn long_work_leaves_progress_lines_in_a_log() {
    let s = scenario("islamabad.toml");
    // stderr is a pipe, not a terminal: plain lines, not a bar.
    let mut runs = 20_000u64;
    loop {
        let t = Instant::now();
        let o = run(&["montecarlo", &s, "--runs", &runs.to_string()]);
        assert!(o.status.success());
        let e = stderr(&o);
        if t.elapsed() > Duration::from_secs(3) {
            assert!(e.contains(&format!("runs: {runs}/{runs} (100%)")), "{e}");
            assert!(e.contains("s elapsed"), "{e}");
            assert!(!e.contains('\r'), "a bar was drawn into a log: {e:?}");
            break;
        }
        assert!(runs < 10_000_000, "the machine is too fast for this test");
        runs *= 4;
    }
    // --quiet: nothing.
    let o = run(&["montecarlo", &s, "--runs", "50", "--quiet"]);
    assert!(o.stderr.is_empty(), "{}", stderr(&o));
}

// ---------------------------------------------------------------- class 3

fn manifest(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(dir.join(".escalation-manifest"))
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn concurrent_runs_into_one_folder_keep_every_manifest_entry() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_path_buf();
    let s = scenario("richardson.toml");
    for round in 0..2 {
        let children: Vec<_> = (0..8)
            .map(|k| {
                bin()
                    .args([
                        "sweep",
                        &s,
                        "--param",
                        &format!("gain=0:1:{}", 50 + k),
                        "--out",
                        &out.join(format!("s{k}.csv")).display().to_string(),
                        "--quiet",
                    ])
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for c in children {
            let o = c.wait_with_output().unwrap();
            assert!(o.status.success(), "round {round}: {}", stderr(&o));
        }
        let m = manifest(&out);
        for k in 0..8 {
            assert!(m.contains(&format!("s{k}.csv")), "round {round}: {m:?}");
        }
    }
    assert!(temp_files(&out).is_empty(), "{:?}", names_in(&out));
}

#[test]
fn every_target_is_checked_before_any_is_written() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("trajectory.svg"), "theirs").unwrap();
    let out = dir.path().display().to_string();
    refused(
        &["simulate", &scenario("dyad.toml"), "--out", &out],
        &["refusing to overwrite", "trajectory.svg"],
    );
    assert_eq!(names_in(dir.path()), ["trajectory.svg"]);
    std::fs::write(dir.path().join("heatmap.svg"), "theirs").unwrap();
    refused(
        &[
            "plot",
            "heatmap",
            &scenario("islamabad.toml"),
            "--out",
            &out,
            "--runs",
            "1",
        ],
        &["heatmap.svg"],
    );
    assert!(!dir.path().join("heatmap.png").exists());
    let data = write(dir.path(), "d.csv", &long_series(10));
    std::fs::write(dir.path().join("fit.svg"), "theirs").unwrap();
    refused(&["fit", &data, "--out", &out], &["fit.svg"]);
    assert!(!dir.path().join("fit.png").exists());
}

#[test]
fn a_directory_named_like_the_manifest_is_refused_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".escalation-manifest")).unwrap();
    let out = dir.path().display().to_string();
    let s = scenario("dyad.toml");
    for force in [false, true] {
        let mut args = vec!["simulate", s.as_str(), "--out", &out];
        if force {
            args.push("--force");
        }
        refused(&args, &[".escalation-manifest", "not a regular file"]);
        assert_eq!(
            names_in(dir.path()),
            [".escalation-manifest"],
            "left behind"
        );
    }
    // Once it is removed, the folder works.
    std::fs::remove_dir(dir.path().join(".escalation-manifest")).unwrap();
    ok(&["simulate", &scenario("dyad.toml"), "--out", &out]);
    ok(&["simulate", &scenario("dyad.toml"), "--out", &out]);
}

#[test]
fn out_onto_a_directory_or_a_file_is_bad_input_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("target");
    std::fs::create_dir(&target).unwrap();
    let t = target.display().to_string();
    let s = scenario("richardson.toml");
    for force in [false, true] {
        let f = if force { "--force" } else { "--quiet" };
        refused(
            &["sweep", &s, "--param", "gain=0:1:5", "--out", &t, f],
            &["is a directory"],
        );
        refused(
            &["montecarlo", &s, "--runs", "3", "--out", &t, f],
            &["is a directory"],
        );
        assert!(
            temp_files(dir.path()).is_empty(),
            "{:?}",
            names_in(dir.path())
        );
        assert!(names_in(&target).is_empty());
    }
    // The folder still takes files afterwards.
    ok(&["simulate", &s, "--out", &t]);
    ok(&["simulate", &s, "--out", &t]);
    // --out DIR onto a regular file: exit 2 as documented.
    let file = write(dir.path(), "plain.txt", "x");
    refused(&["simulate", &s, "--out", &file], &["not a directory"]);
    refused(
        &["simulate", &s, "--out", &file, "--force"],
        &["not a directory"],
    );
    refused(
        &["plot", "trajectory", &s, "--out", &file],
        &["not a directory"],
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "x");
}

#[cfg(unix)]
fn signal(pid: u32, sig: &str) {
    let st = Command::new("kill")
        .args([sig, &pid.to_string()])
        .status()
        .unwrap();
    assert!(st.success());
}

/// Starts a sweep writing into `dir` and waits until its temporary file exists.
#[cfg(unix)]
fn start_long_sweep(dir: &Path) -> std::process::Child {
    let child = bin()
        .args([
            "sweep",
            &scenario("richardson.toml"),
            "--param",
            "coupling.X.Y=0:1:3000",
            "--param",
            "coupling.Y.X=0:1:3000",
            "--out",
            &dir.join("big.csv").display().to_string(),
            "--quiet",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let t = Instant::now();
    while temp_files(dir).is_empty() {
        assert!(
            t.elapsed() < Duration::from_secs(60),
            "no temporary file appeared"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child
}

#[cfg(unix)]
#[test]
fn termination_signals_remove_temporary_files() {
    for sig in ["-TERM", "-INT"] {
        let dir = tempfile::tempdir().unwrap();
        let mut child = start_long_sweep(dir.path());
        std::thread::sleep(Duration::from_millis(200));
        signal(child.id(), sig);
        let status = child.wait().unwrap();
        assert!(!status.success());
        let left: Vec<String> = names_in(dir.path())
            .into_iter()
            .filter(|n| !n.starts_with(".escalation-manifest"))
            .collect();
        assert!(left.is_empty(), "{sig}: left behind {left:?}");
    }
}

#[cfg(unix)]
#[test]
fn temporary_files_of_killed_runs_are_removed_by_the_next_run() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = start_long_sweep(dir.path());
    signal(child.id(), "-KILL");
    child.wait().unwrap();
    assert!(
        !temp_files(dir.path()).is_empty(),
        "SIGKILL cannot be caught"
    );
    // A temporary file of a live process (this one) is left alone.
    let mine = format!(".escalation-tmp.{}.0.other.csv", std::process::id());
    std::fs::write(dir.path().join(&mine), "in progress").unwrap();
    ok(&[
        "simulate",
        &scenario("dyad.toml"),
        "--out",
        &dir.path().display().to_string(),
    ]);
    assert_eq!(temp_files(dir.path()), [mine]);
}

// ---------------------------------------------------------------- class 4

/// Shards of a Monte Carlo run as JSON values.
fn mc_parts(dir: &Path, s: &str, n: u32, extra: &[&str]) -> Vec<serde_json::Value> {
    (1..=n)
        .map(|k| {
            let out = dir.join(format!("mc{k}-{n}.json"));
            let mut args = vec![
                "montecarlo",
                s,
                "--runs",
                "30",
                "--out",
                out.to_str().unwrap(),
                "--quiet",
            ];
            let shard = format!("{k}/{n}");
            args.extend_from_slice(&["--shard", &shard]);
            args.extend_from_slice(extra);
            ok(&args);
            serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap()
        })
        .collect()
}

fn save(dir: &Path, parts: &[serde_json::Value]) -> Vec<String> {
    parts
        .iter()
        .enumerate()
        .map(|(i, p)| write(dir, &format!("edit{i}.json"), &p.to_string()))
        .collect()
}

fn merge_refused(dir: &Path, parts: &[serde_json::Value], needles: &[&str]) -> String {
    let files = save(dir, parts);
    let mut args = vec!["merge"];
    args.extend(files.iter().map(String::as_str));
    refused(&args, needles)
}

#[test]
fn merge_checks_every_invariant_of_an_ensemble_part() {
    let dir = tempfile::tempdir().unwrap();
    let s = scenario("islamabad.toml");
    let good = mc_parts(dir.path(), &s, 2, &[]);
    let files = save(dir.path(), &good);
    ok(&["merge", &files[0], &files[1]]);
    let edit = |f: &dyn Fn(&mut serde_json::Value)| {
        let mut p = good.clone();
        f(&mut p[0]);
        p
    };
    // A count above the runs ("exploded 1037 %").
    let p = edit(&|p| {
        let runs = p["data"]["summary"]["runs"].as_u64().unwrap();
        p["data"]["summary"]["counts"]["none"] = (runs * 10).into();
    });
    merge_refused(dir.path(), &p, &["more than its"]);
    // Counts that do not sum to the runs (fractions summing to 149 %).
    let p = edit(&|p| {
        let runs = p["data"]["summary"]["runs"].as_u64().unwrap();
        let counts = p["data"]["summary"]["counts"].as_object_mut().unwrap();
        let c = counts
            .values_mut()
            .find(|c| c.as_u64().unwrap() < runs)
            .unwrap();
        *c = (c.as_u64().unwrap() + 1).into();
    });
    merge_refused(dir.path(), &p, &["sum to"]);
    // u64::MAX does not wrap.
    let p = edit(&|p| {
        p["data"]["summary"]["counts"]["none"] = u64::MAX.into();
        p["data"]["summary"]["counts"]["expired"] = 1.into();
    });
    merge_refused(dir.path(), &p, &["merge"]);
    let p = edit(&|p| p["data"]["summary"]["runs"] = u64::MAX.into());
    merge_refused(dir.path(), &p, &["runs"]);
    // Shard 7/3.
    let p = edit(&|p| p["shard"] = serde_json::json!([6, 3]));
    merge_refused(dir.path(), &p, &["7/3", "not a shard"]);
    // Unknown outcome.
    let p = edit(&|p| p["data"]["summary"]["counts"]["vanished"] = 0.into());
    merge_refused(dir.path(), &p, &["unknown outcome \"vanished\""]);
    // Verification beyond the runs.
    let p = edit(&|p| p["data"]["summary"]["verification"] = serde_json::json!([1000, 1000]));
    merge_refused(dir.path(), &p, &["verification"]);
    // A histogram that does not match the exploded runs.
    let p = edit(&|p| {
        let h = &mut p["data"]["summary"]["explosion_hist"][5];
        *h = (h.as_u64().unwrap() + 1).into();
    });
    merge_refused(dir.path(), &p, &["histogram"]);
    // A seed that is not the work's.
    let p = edit(&|p| p["data"]["summary"]["seed"] = 99.into());
    merge_refused(dir.path(), &p, &["seed"]);
    // No fingerprint.
    let p = edit(&|p| {
        p.as_object_mut().unwrap().remove("model");
    });
    merge_refused(dir.path(), &p, &["fingerprint"]);
    // Twice the same shard; a missing shard by its index.
    merge_refused(
        dir.path(),
        &[good[0].clone(), good[0].clone()],
        &["1/2 is given twice"],
    );
    let three = mc_parts(dir.path(), &s, 3, &[]);
    merge_refused(
        dir.path(),
        &[three[0].clone(), three[2].clone()],
        &["missing shards: 2/3"],
    );
    // Shards of different splits.
    merge_refused(
        dir.path(),
        &[good[0].clone(), three[1].clone()],
        &["number of shards 2 vs 3"],
    );
}

#[test]
fn merge_says_what_differs_between_parts_of_different_work() {
    let dir = tempfile::tempdir().unwrap();
    let s = scenario("islamabad.toml");
    let a = mc_parts(dir.path(), &s, 2, &["--seed", "5"]);
    let b = mc_parts(dir.path(), &s, 2, &["--seed", "6"]);
    merge_refused(dir.path(), &[a[0].clone(), b[1].clone()], &["seed 5 vs 6"]);
    // Same name, same arguments, another scenario: the model differs.
    let text = std::fs::read_to_string(&s).unwrap();
    let edited = {
        // Change one number of the first actor, keep the name.
        let at = text.find("\nrestraint").unwrap() + 1;
        let end = at + text[at..].find('\n').unwrap();
        format!("{}restraint = 0.123456{}", &text[..at], &text[end..])
    };
    let t = write(dir.path(), "islamabad.toml", &edited);
    let c = mc_parts(dir.path(), &t, 2, &["--seed", "5"]);
    assert_eq!(a[0]["work"], c[1]["work"]);
    assert_eq!(a[0]["scenario"], c[1]["scenario"]);
    merge_refused(
        dir.path(),
        &[a[0].clone(), c[1].clone()],
        &["model differs", "fingerprint"],
    );
}

#[test]
fn merge_checks_sweep_points_against_their_shard_and_grid() {
    let dir = tempfile::tempdir().unwrap();
    let s = scenario("richardson.toml");
    let parts: Vec<serde_json::Value> = (1..=2)
        .map(|k| {
            let out = dir.path().join(format!("sw{k}.json"));
            ok(&[
                "sweep",
                &s,
                "--param",
                "gain=0:2:9",
                "--shard",
                &format!("{k}/2"),
                "--out",
                out.to_str().unwrap(),
                "--quiet",
            ]);
            serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap()
        })
        .collect();
    let files = save(dir.path(), &parts);
    ok(&["merge", &files[0], &files[1]]);
    let edit = |f: &dyn Fn(&mut serde_json::Value)| {
        let mut p = parts.clone();
        f(&mut p[0]);
        p
    };
    let p = edit(&|p| p["data"]["points"][0]["index"] = 1.into());
    merge_refused(dir.path(), &p, &["does not belong to shard 1/2"]);
    let p = edit(&|p| p["data"]["points"][0]["index"] = 100.into());
    merge_refused(dir.path(), &p, &["outside the grid"]);
    let p = edit(&|p| p["data"]["points"][1]["values"][0] = 7.5.into());
    merge_refused(dir.path(), &p, &["not those of the grid"]);
    let p = edit(&|p| {
        p["data"]["points"].as_array_mut().unwrap().pop();
    });
    merge_refused(dir.path(), &p, &["holds 4 points", "has 5"]);
    let p = edit(&|p| {
        let q = p["data"]["points"][0].clone();
        p["data"]["points"].as_array_mut().unwrap().insert(0, q);
    });
    merge_refused(dir.path(), &p, &["point 0 is given twice"]);
    let p = edit(&|p| p["data"]["points"].as_array_mut().unwrap().swap(0, 1));
    merge_refused(dir.path(), &p, &["grid order"]);
    // Keys in another order (as a tool that sorts them writes them) are fine.
    let sorted: Vec<serde_json::Value> = parts.clone();
    let files = save(dir.path(), &sorted);
    assert!(
        std::fs::read_to_string(&files[0])
            .unwrap()
            .starts_with("{\"data\"")
    );
    ok(&["merge", &files[0], &files[1]]);
    let p = edit(&|p| p["data"]["points"][0]["verdict"] = "explosive".into());
    merge_refused(dir.path(), &p, &["contradicts"]);
    let p = edit(&|p| p["grid"][0]["count"] = 10.into());
    merge_refused(dir.path(), &p, &["grid gain=0:2:10 vs gain=0:2:9"]);
    // Summary counts that do not add up.
    let sums: Vec<serde_json::Value> = (1..=2)
        .map(|k| {
            let out = dir.path().join(format!("sum{k}.json"));
            ok(&[
                "sweep",
                &s,
                "--param",
                "gain=0:2:9",
                "--summary",
                "--shard",
                &format!("{k}/2"),
                "--out",
                out.to_str().unwrap(),
                "--quiet",
            ]);
            serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap()
        })
        .collect();
    let mut p = sums.clone();
    p[0]["data"]["counts"]["explosive"] = u64::MAX.into();
    merge_refused(dir.path(), &p, &["is not its"]);
    let mut p = sums.clone();
    let c = &mut p[0]["data"]["counts"];
    let key = if c["stable"].as_u64() > Some(0) {
        "stable"
    } else {
        "explosive"
    };
    c[key] = (c[key].as_u64().unwrap() - 1).into();
    c["points"] = 4.into();
    merge_refused(dir.path(), &p, &["counts 4 points"]);
}

// ---------------------------------------------------------------- class 5

#[test]
fn csv_names_are_quoted_as_rfc_4180_requires() {
    let dir = tempfile::tempdir().unwrap();
    let odd = ["He said \"no\", twice", "line\nbreak", "plain"];
    let mut text = String::from("horizon = 5.0\n");
    for n in odd {
        text += &format!(
            "[[actor]]\nname = {}\nrestraint = 0.5\ngrievance = 0.1\n",
            toml_string(n)
        );
    }
    let path = write(dir.path(), "odd.toml", &text);
    // simulate --csv and --out
    let out = ok(&["simulate", &path, "--csv", "--dt", "1"]);
    let mut r = csv::Reader::from_reader(out.as_slice());
    let h: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    assert_eq!(h[1..4], odd.map(String::from));
    assert_eq!(h[4], format!("rung_{}", odd[0]));
    assert!(r.records().all(|x| x.unwrap().len() == 7));
    // sweep CSV: the axis path holds the name
    let spec = format!("actor.{}.restraint=0.1:1:4", odd[0]);
    let out = ok(&["sweep", &path, "--param", &spec]);
    let mut r = csv::Reader::from_reader(out.as_slice());
    assert_eq!(
        r.headers().unwrap().get(0),
        Some(format!("actor.{}.restraint", odd[0]).as_str())
    );
    assert_eq!(r.records().count(), 4);
    let spec = format!("actor.{}.grievance=0:1:3", odd[1]);
    let out = ok(&["sweep", &path, "--param", &spec]);
    let mut r = csv::Reader::from_reader(out.as_slice());
    assert_eq!(r.headers().unwrap().len(), 3);
    assert_eq!(r.records().count(), 3);
}

fn toml_string(s: &str) -> String {
    serde_json::to_string(s).unwrap() // a JSON string is a TOML basic string
}

#[test]
fn csv_numbers_round_trip_and_stay_short() {
    let s = scenario("richardson.toml");
    let out = ok(&["sweep", &s, "--param", "coupling.X.Y=1e-300:1e300:3"]);
    let text = String::from_utf8(out).unwrap();
    assert!(text.lines().all(|l| l.len() < 120), "{text}");
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let first: f64 = r.records().next().unwrap().unwrap()[0].parse().unwrap();
    assert_eq!(first, 1e-300);
}

// ---------------------------------------------------------------- class 6

/// The longest run of digits in `s`, ignoring leading zeros.
fn longest_digits(s: &str) -> usize {
    s.split(|c: char| !c.is_ascii_digit() && c != '.')
        .map(|t| {
            t.chars()
                .filter(char::is_ascii_digit)
                .skip_while(|d| *d == '0')
                .count()
        })
        .max()
        .unwrap_or(0)
}

#[test]
fn huge_values_print_in_at_most_17_digits() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        format!("{DYAD}[ladder]\nhysteresis = 1e300\n"),
        DYAD.replace("horizon = 30.0", "horizon = 1e300"),
        DYAD.replace("restraint = 0.5", "restraint = -1e300"),
        DYAD.replace("restraint = 0.5", "restraint = 1e-320"),
    ];
    for (i, text) in cases.iter().enumerate() {
        let p = write(dir.path(), &format!("c{i}.toml"), text);
        let o = run(&["analyze", &p]);
        if o.status.success() {
            continue;
        }
        let e = stderr(&o);
        assert!(longest_digits(&e) <= 17, "{e}");
        assert!(e.len() < 400, "{e}");
    }
    let p = write(dir.path(), "h.toml", &cases[0]);
    refused(&["analyze", &p], &["1e300"]);
}

#[test]
fn a_long_offending_line_is_cut() {
    let dir = tempfile::tempdir().unwrap();
    let long = "x".repeat(100_000);
    let toml = DYAD.replace("grievance = 0.02", &format!("grievance = {long}"));
    let p = write(dir.path(), "l.toml", &toml);
    let e = refused(&["analyze", &p], &["l.toml", "…"]);
    assert!(e.len() < 1000, "{} bytes", e.len());
    let toml = DYAD.replace("grievance = 0.02", &format!("grievance = \"{long}\""));
    let p = write(dir.path(), "s.toml", &toml);
    let e = refused(&["analyze", &p], &["s.toml"]);
    assert!(e.len() < 1000, "{} bytes", e.len());
    let json = format!(r#"{{"actor": [{{"name": "A", "restraint": "{long}"}}]}}"#);
    let p = write(dir.path(), "j.json", &json);
    let e = refused(&["analyze", &p], &["j.json"]);
    assert!(e.len() < 1000, "{} bytes", e.len());
}

#[test]
fn json_type_errors_name_the_key_path() {
    let dir = tempfile::tempdir().unwrap();
    let json = r#"{"horizon": 10, "actor": [
        {"name": "A", "restraint": 0.5},
        {"name": "B", "restraint": "fast"}]}"#;
    let p = write(dir.path(), "t.json", json);
    refused(&["analyze", &p], &["actor[1].restraint", "line 3"]);
    let p = write(
        dir.path(),
        "u.json",
        r#"{"horizon": 10, "ladder": {"hysteresis": []}}"#,
    );
    refused(&["analyze", &p], &["ladder.hysteresis"]);
}

#[test]
fn param_value_errors_name_the_path() {
    let s = scenario("dyad.toml");
    refused(
        &["sweep", &s, "--param", "controller.lag=1.5:2:3"],
        &["--param controller.lag", "1.5"],
    );
    refused(
        &["sweep", &s, "--param", "actor.Blue.restraint=-1:1:3"],
        &["--param actor.Blue.restraint", "-1"],
    );
    refused(
        &["sweep", &s, "--param", "gain=abc:1:3"],
        &["--param gain", "abc"],
    );
    let dir = tempfile::tempdir().unwrap();
    refused(
        &[
            "plot",
            "root-locus",
            &s,
            "--out",
            &dir.path().display().to_string(),
            "--param",
            "gain=0:x:3",
        ],
        &["--param gain"],
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Any magnitude in any of these keys: either accepted, or refused with
    /// a short message whose numbers have at most 17 significant digits.
    #[test]
    fn error_messages_stay_short_at_any_magnitude(
        key in 0usize..6,
        mantissa in -9.99f64..9.99,
        exp in -320i32..309,
    ) {
        let v = format!("{mantissa}e{exp}");
        let text = match key {
            0 => format!("{DYAD}[ladder]\nhysteresis = {v}\n"),
            1 => DYAD.replace("horizon = 30.0", &format!("horizon = {v}")),
            2 => DYAD.replace("restraint = 0.5", &format!("restraint = {v}")),
            3 => DYAD.replace("grievance = 0.02", &format!("grievance = {v}\ninitial = {v}")),
            4 => DYAD.replace("A = { B = 0.3 }", &format!("A = {{ B = {v} }}")),
            _ => DYAD.replace("horizon = 30.0", &format!("horizon = 30.0\ngain = {v}")),
        };
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "m.toml", &text);
        let o = run(&["analyze", &p]);
        let e = stderr(&o);
        prop_assert!(o.status.code() != Some(101), "panic: {}", e);
        prop_assert!(longest_digits(&e) <= 17, "{}", e);
        prop_assert!(e.len() < 600, "{}", e);
    }
}

// ------------------------------------------------------------ long fuzz run

/// Random edits of valid parts: `merge` either accepts them with fractions
/// that make sense or refuses them with exit code 2; never a panic, never
/// an internal error. `cargo test --release --test it reliability_io:: -- --ignored`.
#[test]
#[ignore = "long fuzz run"]
fn fuzz_merge_with_edited_parts() {
    let dir = tempfile::tempdir().unwrap();
    let s = scenario("islamabad.toml");
    let good = mc_parts(dir.path(), &s, 3, &[]);
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let values = [
        serde_json::json!(0),
        serde_json::json!(1),
        serde_json::json!(u64::MAX),
        serde_json::json!(-1),
        serde_json::json!(1e300),
        serde_json::json!("x"),
        serde_json::json!(null),
        serde_json::json!([7, 3]),
    ];
    for _ in 0..300 {
        let mut parts = good.clone();
        let i = (next() % 3) as usize;
        let paths: [&[&str]; 8] = [
            &["shard"],
            &["runs"],
            &["seed"],
            &["data", "summary", "runs"],
            &["data", "summary", "counts", "none"],
            &["data", "summary", "counts", "exploded"],
            &["data", "summary", "verification"],
            &["model"],
        ];
        let path = paths[(next() % 8) as usize];
        let mut v = &mut parts[i];
        for k in &path[..path.len() - 1] {
            v = &mut v[*k];
        }
        v[path[path.len() - 1]] = values[(next() % values.len() as u64) as usize].clone();
        if next() % 4 == 0 {
            parts.swap(0, 2);
        }
        let files = save(dir.path(), &parts);
        let mut args = vec!["merge", "--json"];
        args.extend(files.iter().map(String::as_str));
        let o = run(&args);
        match o.status.code() {
            Some(0) => {
                let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
                let total: f64 = v["outcomes"]
                    .as_object()
                    .unwrap()
                    .values()
                    .map(|x| x.as_f64().unwrap())
                    .sum();
                assert!((total - 1.0).abs() < 1e-9, "{v}");
                assert_eq!(v["runs"], 30);
            }
            Some(2) => {}
            other => panic!("{other:?}: {}", stderr(&o)),
        }
    }
}

/// Random edits of sweep parts (linear and summary) and random bytes as
/// scenario and part files: exit 0 with a table of the grid's size, or 2;
/// never a panic or an internal error.
/// `cargo test --release --test it reliability_io:: -- --ignored`.
#[test]
#[ignore = "long fuzz run"]
fn fuzz_merge_sweeps_and_random_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let s = scenario("richardson.toml");
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let parts = |extra: &[&str]| -> Vec<serde_json::Value> {
        (1..=3)
            .map(|k| {
                let out = dir.path().join(format!("f{k}.json"));
                let mut args = vec![
                    "sweep",
                    s.as_str(),
                    "--param",
                    "coupling.X.Y=0:1:7",
                    "--param",
                    "gain=0.5:1.5:5",
                    "--out",
                    out.to_str().unwrap(),
                    "--quiet",
                ];
                let shard = format!("{k}/3");
                args.extend_from_slice(&["--shard", &shard]);
                args.extend_from_slice(extra);
                ok(&args);
                serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap()
            })
            .collect()
    };
    let linear = parts(&[]);
    let summary = parts(&["--summary"]);
    let values = [
        serde_json::json!(0),
        serde_json::json!(3),
        serde_json::json!(34),
        serde_json::json!(35),
        serde_json::json!(u64::MAX),
        serde_json::json!(-1),
        serde_json::json!(0.5),
        serde_json::json!(1e300),
        serde_json::json!("stable"),
        serde_json::json!(null),
    ];
    for round in 0..400 {
        let base = if round % 2 == 0 { &linear } else { &summary };
        let mut p = base.clone();
        let i = (next() % 3) as usize;
        let pick = next() % 8;
        let v = values[(next() % values.len() as u64) as usize].clone();
        match (round % 2, pick) {
            (_, 0) => p[i]["shard"][0] = v,
            (_, 1) => p[i]["shard"][1] = v,
            (_, 2) => p[i]["grid"][0]["count"] = v,
            (_, 3) => p[i]["grid"][1]["start"] = v,
            (0, 4) => p[i]["data"]["points"][0]["index"] = v,
            (0, 5) => p[i]["data"]["points"][1]["values"][0] = v,
            (0, 6) => p[i]["data"]["points"][2]["verdict"] = v,
            (0, _) => p[i]["data"]["points"][0]["spectral_abscissa"] = v,
            (_, 4) => p[i]["data"]["counts"]["points"] = v,
            (_, 5) => p[i]["data"]["counts"]["stable"] = v,
            (_, 6) => p[i]["data"]["counts"]["explosive"] = v,
            (_, _) => p[i]["model"] = v,
        }
        let files = save(dir.path(), &p);
        let mut args = vec!["merge"];
        args.extend(files.iter().map(String::as_str));
        let o = run(&args);
        match o.status.code() {
            Some(0) if round % 2 == 0 => {
                let rows = csv::Reader::from_reader(o.stdout.as_slice())
                    .records()
                    .count();
                assert_eq!(rows, 35);
            }
            Some(0) => {
                let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
                assert_eq!(v["points"], 35, "{v}");
            }
            Some(2) => {}
            other => panic!("{other:?}: {}", stderr(&o)),
        }
    }
    // Random bytes as every kind of input file.
    for round in 0..200 {
        let len = (next() % 4000) as usize;
        let bytes: Vec<u8> = (0..len).map(|_| (next() % 256) as u8).collect();
        let name = ["r.toml", "r.json", "r.csv"][round % 3];
        let path = dir.path().join(name);
        std::fs::write(&path, &bytes).unwrap();
        let p = path.display().to_string();
        let args: Vec<&str> = match round % 4 {
            0 => vec!["analyze", &p],
            1 => vec!["merge", &p],
            2 => vec!["fit", &p],
            _ => vec!["simulate", &p],
        };
        let o = run(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(o.stderr.len() < 2500, "{}", stderr(&o));
    }
}
