//! Linear analysis pictures: the stability map and the root locus.

use std::path::Path;

use escalation::model::Dynamics;
use escalation::plot::{self, Curve, Mark};
use escalation::prelude::*;
use nalgebra::{DMatrix, DVector, Schur};

use crate::{SIZE, done, grid};

/// Spectral abscissa of [[-a, k], [l, -b]] (closed form), 1/day.
fn abscissa2(a: f64, b: f64, k: f64, l: f64) -> f64 {
    let tr = -(a + b);
    let det = a * b - k * l;
    let disc = tr * tr - 4.0 * det;
    if disc >= 0.0 {
        0.5 * (tr + disc.sqrt())
    } else {
        0.5 * tr
    }
}

pub fn stability_map(dir: &Path) -> Result<()> {
    let (a, b) = (0.5, 0.4);
    let ks = grid(-1.0, 1.0, 81);
    let ls = grid(-1.0, 1.2, 89);
    let values = ls
        .iter()
        .map(|&l| ks.iter().map(|&k| abscissa2(a, b, k, l)).collect())
        .collect();
    // The boundary kl = ab: a hyperbola, one branch per sign.
    let branch = |sign: f64| {
        let ks = grid(0.05, 1.0, 200);
        Curve::new(
            "analytic boundary kl = ab",
            ks.iter().map(|&k| (sign * k, sign * a * b / k)).collect(),
        )
    };
    let data = plot::StabilityMap {
        title: "Two rivals: spectral abscissa of −A + K (a = 0.5, b = 0.4)".into(),
        x_label: "k, reaction of Blue to Red (1/day)".into(),
        y_label: "l, reaction of Red to Blue (1/day)".into(),
        x: ks,
        y: ls,
        cells: plot::MapCells::Values {
            values,
            label: "spectral abscissa (1/day)".into(),
            threshold: 0.0,
        },
        boundary: vec![branch(1.0), branch(-1.0)],
        marks: vec![Mark {
            label: "dyad.toml (k = 0.3, l = 0.6)".into(),
            x: 0.3,
            y: 0.6,
        }],
    };
    let path = dir.join("stability_map.png");
    plot::stability_map_sized(&data, &path, SIZE)?;
    done(&path);
    Ok(())
}

/// Eigenvalues of `m` as (re, im), by a capped Schur decomposition.
fn eigenvalues(m: &DMatrix<f64>) -> Result<Vec<(f64, f64)>> {
    let schur = Schur::try_new(m.clone(), 1e-12, 10_000)
        .ok_or_else(|| Error::Numerical("Schur decomposition did not converge".into()))?;
    Ok(schur
        .complex_eigenvalues()
        .iter()
        .map(|c| (c.re, c.im))
        .collect())
}

fn abscissa(m: &DMatrix<f64>) -> Result<f64> {
    Ok(eigenvalues(m)?
        .into_iter()
        .map(|p| p.0)
        .fold(f64::NEG_INFINITY, f64::max))
}

pub fn root_locus(dir: &Path) -> Result<()> {
    // Three rivals reacting in a cycle, one link deterrent (negative): the
    // loop's feedback is negative overall, and it loses stability through a
    // complex pair (an oscillatory, Hopf crossing) rather than a real root.
    let d = Dynamics::new(
        DVector::from_vec(vec![0.5, 0.4, 0.6]),
        DMatrix::from_row_slice(3, 3, &[0.0, 0.1, 0.9, 0.8, 0.0, 0.1, 0.2, -0.9, 0.0]),
        DVector::from_vec(vec![0.1, 0.1, 0.1]),
    )?;
    // γ* by bisection on the spectral abscissa.
    let (mut lo, mut hi) = (0.0, 10.0);
    if abscissa(&d.system_matrix(hi))? < 0.0 {
        return Err(Error::Numerical("stable up to γ = 10".into()));
    }
    for _ in 0..80 {
        let mid = 0.5 * (lo + hi);
        if abscissa(&d.system_matrix(mid))? < 0.0 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let critical = 0.5 * (lo + hi);
    let mut gains = grid(0.0, 1.6 * critical, 121);
    gains.push(critical);
    gains.sort_by(f64::total_cmp);
    gains.dedup_by(|a, b| (*a - *b).abs() < 1e-12);
    let eigenvalues = gains
        .iter()
        .map(|&g| eigenvalues(&d.system_matrix(g)))
        .collect::<Result<Vec<_>>>()?;
    let data = plot::RootLocus {
        title: "Three rivals, one deterrent link: eigenvalues of −A + γK".into(),
        gains,
        eigenvalues,
        critical_gain: Some(critical),
        plane: plot::Plane::Continuous,
    };
    let path = dir.join("root_locus.png");
    plot::root_locus_sized(&data, &path, SIZE)?;
    println!("root locus: γ* = {critical:.4}");
    done(&path);
    Ok(())
}
