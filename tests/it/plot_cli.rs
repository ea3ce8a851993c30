//! `escalation plot KIND SCENARIO --out DIR`: every kind writes a PNG and
//! a well-formed SVG; bad kinds and arguments exit with code 2.

#[allow(dead_code, unused_imports)]
use crate::plot_support;

use std::path::Path;
use std::process::{Command, Output};

use plot_support::{check_png, check_svg};

fn scenario(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/scenarios")
        .join(name)
        .display()
        .to_string()
}

fn plot(kind: &str, file: &str, out: &Path, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_escalation"))
        .args(["plot", kind, &scenario(file), "--out"])
        .arg(out)
        .args(["--quiet"])
        .args(extra)
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn every_kind_writes_a_png_and_an_svg() {
    let cases: [(&str, &str, &[&str]); 7] = [
        ("trajectory", "islamabad.toml", &["--seed", "3"]),
        ("phase-portrait", "dyad.toml", &[]),
        ("stability-map", "richardson.toml", &[]),
        ("root-locus", "triad.toml", &["--param", "gain=0:2:41"]),
        (
            "fan-chart",
            "islamabad.toml",
            &["--runs", "30", "--seed", "2"],
        ),
        (
            "heatmap",
            "islamabad.toml",
            &[
                "--param",
                "spoilers.rate=0:0.3:3",
                "--param",
                "spoilers.attribution=0.5:1:2",
                "--runs",
                "8",
            ],
        ),
        ("bifurcation", "richardson.toml", &[]),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (kind, file, extra) in cases {
        let o = plot(kind, file, dir.path(), extra);
        assert!(o.status.success(), "{kind}: {}", stderr(&o));
        let png = dir.path().join(format!("{kind}.png"));
        let svg = dir.path().join(format!("{kind}.svg"));
        check_png(&png, (1200, 750));
        check_svg(&svg);
        let said = String::from_utf8_lossy(&o.stdout);
        assert!(
            said.contains(&png.display().to_string()) && said.contains(&svg.display().to_string()),
            "{kind} should say where it wrote: {said}"
        );
    }
}

#[test]
fn json_lists_the_files_and_reruns_replace_our_own_files() {
    let dir = tempfile::tempdir().unwrap();
    for _ in 0..2 {
        let o = plot("root-locus", "dyad.toml", dir.path(), &["--json"]);
        assert!(o.status.success(), "{}", stderr(&o));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(v["kind"], "root-locus");
        let files = v["files"].as_array().unwrap();
        assert_eq!(files.len(), 2);
        assert!(files[0].as_str().unwrap().ends_with("root-locus.png"));
    }
}

#[test]
fn a_foreign_file_is_kept_without_force() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bifurcation.png"), b"mine").unwrap();
    let o = plot("bifurcation", "richardson.toml", dir.path(), &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--force"));
    assert_eq!(
        std::fs::read(dir.path().join("bifurcation.png")).unwrap(),
        b"mine"
    );
    let o = plot("bifurcation", "richardson.toml", dir.path(), &["--force"]);
    assert!(o.status.success(), "{}", stderr(&o));
    check_png(&dir.path().join("bifurcation.png"), (1200, 750));
}

#[test]
fn bad_kinds_and_arguments_exit_2_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let cases: [(&str, &str, &[&str], &str); 11] = [
        ("scatter", "dyad.toml", &[], "invalid value 'scatter'"),
        (
            "phase-portrait",
            "islamabad.toml",
            &[],
            "exactly 2 actors, got 6",
        ),
        ("phase-portrait", "dyad.toml", &["--runs", "5"], "`--runs`"),
        ("root-locus", "dyad.toml", &["--seed", "1"], "`--seed`"),
        (
            "trajectory",
            "dyad.toml",
            &["--param", "gain=0:1:3"],
            "`--param`",
        ),
        (
            "stability-map",
            "dyad.toml",
            &["--param", "gain=0:1:3"],
            "two axes",
        ),
        (
            "stability-map",
            "islamabad.toml",
            &["--param", "gain=0:1:3", "--param", "spoilers.rate=0:1:3"],
            "Monte Carlo",
        ),
        (
            "root-locus",
            "dyad.toml",
            &["--param", "coupling.Blue.Red=0:1:3"],
            "gain=START:STOP:COUNT",
        ),
        (
            "bifurcation",
            "dyad.toml",
            &["--param", "gain=1:1:3"],
            "gamma_range",
        ),
        ("fan-chart", "dyad.toml", &["--runs", "0"], "at least 1 run"),
        ("heatmap", "dyad.toml", &[], "no [spoilers]"),
    ];
    for (kind, file, extra, needle) in cases {
        let o = plot(kind, file, d, extra);
        assert_eq!(o.status.code(), Some(2), "{kind} {extra:?}: {}", stderr(&o));
        assert!(
            stderr(&o).contains(needle),
            "{kind} {extra:?}: {} does not mention {needle:?}",
            stderr(&o)
        );
    }
    // --out is required.
    let o = Command::new(env!("CARGO_BIN_EXE_escalation"))
        .args(["plot", "trajectory", &scenario("dyad.toml")])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--out"));
}
