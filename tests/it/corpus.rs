//! Malformed scenario files under `tests/corpus/`, each with the exact error
//! it must give in the `.err` file beside it.

use std::path::Path;
use std::process::Command;

use escalation::scenario::Scenario;

#[test]
fn every_malformed_file_gives_its_exact_error() {
    let dir = Path::new("tests/corpus");
    let mut checked = 0;
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
    {
        let want = std::fs::read_to_string(path.with_extension("err")).unwrap();
        let err = match Scenario::load(path) {
            Ok(_) => panic!("{} should be rejected", path.display()),
            Err(e) => e,
        };
        assert_eq!(err.to_string(), want.trim_end(), "{}", path.display());
        assert!(err.is_input_error(), "{}", path.display());
        checked += 1;
    }
    assert!(checked >= 25, "only {checked} files");
}

#[test]
fn the_cli_prints_the_same_error_and_exits_2() {
    for name in ["lag_not_integer", "overlapping_phases", "unknown_party"] {
        let path = format!("tests/corpus/{name}.toml");
        let out = Command::new(env!("CARGO_BIN_EXE_escalation"))
            .args(["simulate", &path])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        let want = std::fs::read_to_string(format!("tests/corpus/{name}.err")).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&out.stderr).trim_end(),
            format!("error: {}", want.trim_end())
        );
    }
}
