//! The cancellation flag of ensembles and sweeps (`ensemble::Cancel`), the
//! hook the Python package's Ctrl-C uses.

use escalation::Error;
use escalation::ensemble::{Cancel, EnsembleOptions, run_ensemble};
use escalation::scenario::Scenario;
use escalation::sweep::{Grid, SweepOptions, sweep_ensemble, sweep_linear, sweep_summary};

fn islamabad() -> escalation::model::Model {
    Scenario::load("examples/scenarios/islamabad.toml")
        .unwrap()
        .1
}

#[test]
fn a_set_flag_stops_every_long_call() {
    let model = islamabad();
    let cancel = Cancel::new();
    cancel.clone().cancel();
    assert!(cancel.is_cancelled());
    let ens = EnsembleOptions {
        runs: 1000,
        cancel: Some(cancel.clone()),
        ..EnsembleOptions::default()
    };
    let e = run_ensemble(&model, &ens, None).unwrap_err();
    assert!(matches!(e, Error::Cancelled) && !e.is_input_error(), "{e}");
    let linear = Grid::parse(&["phase.ceasefire.gain=0:1:50".into()], &model).unwrap();
    let opts = SweepOptions {
        cancel: Some(cancel.clone()),
        ..SweepOptions::default()
    };
    assert!(matches!(
        sweep_linear(&model, &linear, &opts, None),
        Err(Error::Cancelled)
    ));
    assert!(matches!(
        sweep_summary(&model, &linear, &opts, None),
        Err(Error::Cancelled)
    ));
    let mc = Grid::parse(&["spoilers.attribution=0:1:3".into()], &model).unwrap();
    let plain = EnsembleOptions {
        runs: 10,
        ..EnsembleOptions::default()
    };
    assert!(matches!(
        sweep_ensemble(&model, &mc, &plain, &opts, None),
        Err(Error::Cancelled)
    ));
    assert!(matches!(
        sweep_ensemble(&model, &mc, &ens, &SweepOptions::default(), None),
        Err(Error::Cancelled)
    ));
}

#[test]
fn a_flag_set_midway_stops_the_ensemble_and_an_unset_one_changes_nothing() {
    let model = islamabad();
    let cancel = Cancel::new();
    let opts = EnsembleOptions {
        runs: 400,
        seed: Some(3),
        cancel: Some(cancel.clone()),
        ..EnsembleOptions::default()
    };
    let plain = EnsembleOptions {
        cancel: None,
        ..opts.clone()
    };
    assert_eq!(
        run_ensemble(&model, &opts, None).unwrap(),
        run_ensemble(&model, &plain, None).unwrap()
    );
    let big = EnsembleOptions {
        runs: 100_000_000,
        ..opts
    };
    let stop = |_: u64| cancel.cancel();
    assert!(matches!(
        run_ensemble(&model, &big, Some(&stop)),
        Err(Error::Cancelled)
    ));
}
