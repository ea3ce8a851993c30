//! Helpers shared by several test modules (not every helper is used).
#![allow(dead_code)]

use escalation::prelude::*;
use escalation::sweep::Grid;
use nalgebra::DMatrix;

/// A scenario of `examples/scenarios/`, compiled.
pub fn load(name: &str) -> Model {
    Scenario::load(format!(
        "{}/examples/scenarios/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
    .1
}

/// A grid from `--param`-style specifications.
pub fn grid(m: &Model, specs: &[&str]) -> Grid {
    Grid::parse(&specs.iter().map(|s| s.to_string()).collect::<Vec<_>>(), m).unwrap()
}

/// Asserts an invalid-input error whose message mentions `needle`.
pub fn invalid(r: Result<impl std::fmt::Debug>, needle: &str) {
    match r {
        Err(Error::Invalid(e)) => assert!(
            e.to_string().contains(needle),
            "{e} does not mention {needle:?}"
        ),
        other => panic!("expected an invalid-input error about {needle:?}, got {other:?}"),
    }
}

/// `A⁻¹K` (or `A⁻¹|K|` with `abs`) and its spectral radius from the crate's
/// eigenvalues (nalgebra's Schur, with the crate's QR where that stalls on
/// cyclic matrices): the reference for the Perron root.
pub fn scaled_coupling_radius(d: &Dynamics, abs: bool) -> (DMatrix<f64>, f64) {
    let mut b = if abs {
        d.coupling.abs()
    } else {
        d.coupling.clone()
    };
    for i in 0..d.n() {
        b.row_mut(i).scale_mut(1.0 / d.restraint[i]);
    }
    let rho = escalation::analysis::eigenvalues(&b)
        .unwrap()
        .iter()
        .map(|z| z.norm())
        .fold(0.0, f64::max);
    (b, rho)
}
