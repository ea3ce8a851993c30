//! The Islamabad scenario built with the builder (`examples/in_code.rs`)
//! equals the one compiled from `examples/scenarios/islamabad.toml`.

#[allow(clippy::module_inception)] // the example, included by path
#[path = "../../examples/in_code.rs"]
mod in_code;

use crate::common;

#[test]
fn the_in_code_islamabad_equals_the_file() {
    let built = in_code::islamabad().unwrap();
    let file = common::load("islamabad.toml");
    assert_eq!(built, file);
}

#[test]
fn a_scenario_read_back_into_the_builder_gives_the_same_model() {
    let (scenario, model) = escalation::scenario::Scenario::load(format!(
        "{}/examples/scenarios/islamabad.toml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let again = escalation::model::ModelBuilder::from_scenario(scenario)
        .build()
        .unwrap();
    assert_eq!(again, model);
}
