//! The scenario format: round trips, validation errors with keys and lines.

use escalation::error::Error;
use escalation::model::Ladder;
use escalation::scenario::{Format, Scenario};

const BASE: &str = r#"name = "Test"
horizon = 60.0
gain = 1.0
seed = 7

[ladder]
hysteresis = 0.25

[[actor]]
name = "US"
restraint = 0.5
grievance = 0.2
initial = 2.0

[[actor]]
name = "Iran"
restraint = 0.4
grievance = 0.1
initial = 1.0
ceiling = 7.0

[coupling]
US = { Iran = 0.3 }
Iran = { US = 0.6 }

[controller]
period = 1.0
lag = 1
derivative = 0.0
deadband = 0.0
"#;

fn invalid(text: &str) -> (String, Option<usize>, String) {
    match Scenario::compile_str(text, Format::Toml) {
        Err(Error::Invalid(inv)) => (inv.key.clone(), inv.location.line, inv.reason.clone()),
        Err(other) => panic!("expected a validation error, got {other}"),
        Ok(_) => panic!("expected a validation error, got a model"),
    }
}

fn parse_error(text: &str) -> (Option<usize>, String) {
    match Scenario::compile_str(text, Format::Toml) {
        Err(Error::Parse { location, message }) => (location.line, message),
        Err(other) => panic!("expected a parse error, got {other}"),
        Ok(_) => panic!("expected a parse error, got a model"),
    }
}

#[test]
fn base_scenario_compiles() {
    let (s, m) = Scenario::compile_str(BASE, Format::Toml).unwrap();
    assert_eq!(s.actors.len(), 2);
    assert_eq!(m.n(), 2);
    assert_eq!(m.dynamics.coupling[(0, 1)], 0.3);
    assert_eq!(m.dynamics.coupling[(1, 0)], 0.6);
    assert_eq!(m.dynamics.ceiling, vec![None, Some(7.0)]);
    assert_eq!(m.controller.as_ref().unwrap().lag, 1);
    assert_eq!(m.ladder.hysteresis(), 0.25);
}

#[test]
fn toml_round_trip() {
    let (s, m) = Scenario::compile_str(BASE, Format::Toml).unwrap();
    let text = s.to_toml_string().unwrap();
    let (s2, m2) = Scenario::compile_str(&text, Format::Toml).unwrap();
    assert_eq!(s, s2);
    assert_eq!(m, m2);
}

#[test]
fn json_round_trip_and_same_model_as_toml() {
    let (s, m) = Scenario::compile_str(BASE, Format::Toml).unwrap();
    let json = s.to_json_string().unwrap();
    let (s2, m2) = Scenario::compile_str(&json, Format::Json).unwrap();
    assert_eq!(s, s2);
    assert_eq!(m, m2);
}

#[test]
fn every_shipped_scenario_round_trips() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/scenarios");
    let mut count = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let (s, m) =
                Scenario::load(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let (s2, m2) =
                Scenario::compile_str(&s.to_json_string().unwrap(), Format::Json).unwrap();
            assert_eq!(s, s2, "{}", path.display());
            assert_eq!(m, m2, "{}", path.display());
            count += 1;
        }
    }
    assert!(count >= 1);
}

#[test]
fn kahn_preset_and_custom_rungs() {
    let text = BASE.replace("hysteresis = 0.25", "preset = \"kahn44\"");
    let (_, m) = Scenario::compile_str(&text, Format::Toml).unwrap();
    assert_eq!(m.ladder, Ladder::kahn44());
    let text = BASE.replace(
        "hysteresis = 0.25",
        "rungs = [{ name = \"calm\", from = 0.0 }, { name = \"tense\", from = 2.0 }, { name = \"war\", from = 5.0 }]",
    );
    let (_, m) = Scenario::compile_str(&text, Format::Toml).unwrap();
    assert_eq!(m.ladder.top(), 2);
    assert_eq!(m.ladder.rung_of(3.0), 1);
}

/// Replace the first occurrence of `from` by `to` in the base scenario.
fn with(from: &str, to: &str) -> String {
    assert!(BASE.contains(from), "{from}");
    BASE.replacen(from, to, 1)
}

/// 1-based line of the first line of `text` that starts with `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.trim_start().starts_with(needle))
        .expect("needle present")
        + 1
}

#[test]
fn validation_errors_name_key_and_line() {
    // (text replaced, replacement, expected key, reason); the error must
    // point at the line of the replacement.
    let cases: Vec<(&str, &str, &str, &str)> = vec![
        (
            "restraint = 0.5",
            "restraint = -0.5",
            "actor[0].restraint",
            "positive",
        ),
        (
            "restraint = 0.4",
            "restraint = nan",
            "actor[1].restraint",
            "finite",
        ),
        (
            "grievance = 0.2",
            "grievance = inf",
            "actor[0].grievance",
            "finite",
        ),
        (
            "initial = 1.0",
            "initial = -1.0",
            "actor[1].initial",
            "negative",
        ),
        (
            "ceiling = 7.0",
            "ceiling = 0.0",
            "actor[1].ceiling",
            "positive",
        ),
        (
            "initial = 1.0",
            "initial = 8.0",
            "actor[1].initial",
            "ceiling",
        ),
        ("horizon = 60.0", "horizon = 0.0", "horizon", "positive"),
        (
            "horizon = 60.0",
            "horizon = 1e9",
            "horizon",
            "absurdly large",
        ),
        ("gain = 1.0", "gain = -1.0", "gain", "negative"),
        (
            "US = { Iran = 0.3 }",
            "US = { Irn = 0.3 }",
            "coupling.US.Irn",
            "unknown actor",
        ),
        (
            "US = { Iran = 0.3 }",
            "USA = { Iran = 0.3 }",
            "coupling.USA",
            "unknown actor",
        ),
        (
            "US = { Iran = 0.3 }",
            "US = { US = 0.3 }",
            "coupling.US.US",
            "self-coupling",
        ),
        (
            "US = { Iran = 0.3 }",
            "US = { Iran = nan }",
            "coupling.US.Iran",
            "finite",
        ),
        (
            "name = \"Iran\"",
            "name = \"US\"",
            "actor[1].name",
            "duplicate",
        ),
        (
            "period = 1.0",
            "period = 0.0",
            "controller.period",
            "positive",
        ),
        (
            "derivative = 0.0",
            "derivative = -1.0",
            "controller.derivative",
            "negative",
        ),
        (
            "hysteresis = 0.25",
            "hysteresis = 1.5",
            "ladder.hysteresis",
            "narrowest",
        ),
        (
            "hysteresis = 0.25",
            "preset = \"kahn45\"",
            "ladder.preset",
            "unknown preset",
        ),
    ];
    for (from, to, key, reason) in cases {
        let text = with(from, to);
        let line = BASE[..BASE.find(from).unwrap()].matches('\n').count() + 1;
        let (k, l, r) = invalid(&text);
        assert_eq!(k, key, "{text}");
        assert_eq!(l, Some(line), "{key}: {r}");
        assert!(r.contains(reason), "{key}: {r:?} should mention {reason:?}");
    }
}

#[test]
fn empty_actor_list_is_rejected() {
    let text = "horizon = 10.0\nactor = []\n";
    let (k, _, r) = invalid(text);
    assert_eq!(k, "actor");
    assert!(r.contains("at least one"));
}

#[test]
fn structural_errors_have_lines() {
    // A lag that is not a whole number.
    let text = with("lag = 1", "lag = 1.5");
    let (line, msg) = parse_error(&text);
    assert_eq!(line, Some(line_of(&text, "lag")));
    assert!(msg.contains("whole number"), "{msg}");
    let (line, msg) = parse_error(&with("lag = 1", "lag = -2"));
    assert_eq!(line, Some(line_of(&text, "lag")));
    assert!(msg.contains("whole number"), "{msg}");
    // A typo in a key.
    let text = with("restraint = 0.5", "restrain = 0.5");
    let (line, msg) = parse_error(&text);
    assert_eq!(line, Some(line_of(&text, "restrain ")));
    assert!(msg.contains("restrain"), "{msg}");
    // A missing required key.
    let (_, msg) = parse_error(&with("restraint = 0.5\n", ""));
    assert!(msg.contains("restraint"), "{msg}");
    // A wrong type.
    let (line, msg) = parse_error(&with("gain = 1.0", "gain = \"high\""));
    assert_eq!(line, Some(line_of(BASE, "gain")));
    assert!(msg.contains("float") || msg.contains("f64"), "{msg}");
    // Broken syntax.
    let (line, _) = parse_error(&with("[controller]", "[controller"));
    assert_eq!(line, Some(line_of(BASE, "[controller]")));
}

#[test]
fn file_errors_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(&path, with("restraint = 0.5", "restraint = -0.5")).unwrap();
    let err = Scenario::load(&path).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("bad.toml"), "{text}");
    assert!(
        text.contains(&format!("line {}", line_of(BASE, "restraint"))),
        "{text}"
    );
    assert!(text.contains("actor[0].restraint"), "{text}");
    assert!(err.is_input_error());
    let missing = Scenario::load(dir.path().join("none.toml")).unwrap_err();
    assert!(missing.is_input_error());
    // JSON errors carry line and column too.
    let jpath = dir.path().join("bad.json");
    std::fs::write(
        &jpath,
        "{\n  \"horizon\": 10.0,\n  \"actor\": [ {\"name\": \"A\", \"restraint\": \"x\"} ]\n}",
    )
    .unwrap();
    let err = Scenario::load(&jpath).unwrap_err().to_string();
    assert!(err.contains("bad.json") && err.contains("line 3"), "{err}");
}
