//! Every equilibrium of the capped, projected model at one gain, face by face.
//!
//! An equilibrium in the box `0 ≤ xᵢ ≤ Cᵢ` has each actor either at its
//! floor (`xᵢ = 0` with drive `hᵢ ≤ 0`), at its ceiling (`xᵢ = Cᵢ`), or
//! free (`hᵢ = 0`). For a given assignment (a *face*) the free intensities
//! solve one linear system, so the equilibria are found exactly by
//! enumerating the faces.

use nalgebra::{DMatrix, DVector};
use serde::Serialize;

use super::eigen::eigenvalues;
use crate::error::{Error, Result};
use crate::model::Dynamics;

/// Where an actor sits at an equilibrium.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Face {
    /// Held at zero by a non-positive drive.
    Floor,
    /// Strictly inside: its drive balances.
    Free,
    /// At its ceiling.
    Ceiling,
}

/// An equilibrium of the capped, projected model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FaceEquilibrium {
    /// Intensities, one per actor.
    pub x: Vec<f64>,
    /// Face of each actor.
    pub faces: Vec<Face>,
    /// True when every small perturbation decays.
    pub stable: bool,
    /// Largest growth rate of a small perturbation, 1/day (actors at the
    /// floor excluded: they stay there).
    pub abscissa: f64,
}

/// At most this many faces are enumerated (eight actors with ceilings).
pub(crate) const MAX_FACES: usize = 6561;

/// The faces available to each actor.
fn options(d: &Dynamics, i: usize) -> &'static [Face] {
    if d.ceiling[i].is_some() {
        &[Face::Floor, Face::Free, Face::Ceiling]
    } else {
        &[Face::Floor, Face::Free]
    }
}

/// Number of faces of the model.
pub(crate) fn face_count(d: &Dynamics) -> usize {
    (0..d.n()).map(|i| options(d, i).len()).product()
}

/// The equilibrium on face `faces` at gain `gain`, if it exists in the box.
pub(crate) fn solve_face(
    d: &Dynamics,
    gain: f64,
    faces: &[Face],
) -> Result<Option<FaceEquilibrium>> {
    let n = d.n();
    let m = d.system_matrix(gain);
    let free: Vec<usize> = (0..n).filter(|&i| faces[i] == Face::Free).collect();
    let mut x = DVector::zeros(n);
    for i in 0..n {
        if faces[i] == Face::Ceiling {
            x[i] = d.ceiling[i].unwrap_or(0.0);
        }
    }
    if !free.is_empty() {
        let mff = DMatrix::from_fn(free.len(), free.len(), |p, q| m[(free[p], free[q])]);
        let fixed = &m * &x + &d.grievance;
        let rhs = DVector::from_fn(free.len(), |p, _| -fixed[free[p]]);
        let Some(sol) = mff.lu().solve(&rhs) else {
            return Ok(None);
        };
        for (p, &i) in free.iter().enumerate() {
            x[i] = sol[p];
        }
    }
    if x.iter().any(|v| !v.is_finite()) {
        return Ok(None);
    }
    let scale = super::abscissa_scale(d, gain).max(f64::MIN_POSITIVE);
    let size = 1.0 + x.amax();
    let tol_x = 1e-10 * size;
    let tol_h = 1e-10 * (scale * size + d.grievance.amax());
    let h = &m * &x + &d.grievance;
    for &i in &free {
        let cap = d.ceiling[i].unwrap_or(f64::INFINITY);
        if x[i] < -tol_x || x[i] > cap + tol_x {
            return Ok(None);
        }
    }
    let mut stable = true;
    let mut abscissa = f64::NEG_INFINITY;
    for i in 0..n {
        match faces[i] {
            Face::Floor if h[i] > tol_h => return Ok(None),
            Face::Floor => stable &= h[i] < -tol_h,
            Face::Ceiling => {
                let c = d.ceiling[i].unwrap_or(f64::INFINITY);
                let rate = -h[i] / c;
                abscissa = abscissa.max(rate);
                stable &= h[i] > tol_h;
            }
            Face::Free => {}
        }
    }
    if !free.is_empty() {
        let jff = DMatrix::from_fn(free.len(), free.len(), |p, q| {
            let i = free[p];
            d.ceiling[i].map_or(1.0, |c| 1.0 - x[i] / c) * m[(i, free[q])]
        });
        let alpha = eigenvalues(&jff)?
            .first()
            .map_or(f64::NEG_INFINITY, |z| z.re);
        abscissa = abscissa.max(alpha);
        stable &= alpha < -super::MARGINAL_TOLERANCE * scale;
    }
    Ok(Some(FaceEquilibrium {
        x: x.iter().map(|v| v.max(0.0)).collect(),
        faces: faces.to_vec(),
        stable,
        abscissa,
    }))
}

/// Every equilibrium of the model (ceilings and the floor at zero included)
/// at gain `gain`, with its stability; equilibria found on two faces (at a
/// boundary) are listed once. Sorted by total intensity.
///
/// # Errors
/// [`Error::Invalid`] for a non-finite gain or more than 6561 faces (eight
/// actors with ceilings, or thirteen without); [`Error::Numerical`] if an
/// eigenvalue computation fails.
pub fn face_equilibria(d: &Dynamics, gain: f64) -> Result<Vec<FaceEquilibrium>> {
    d.check()?;
    super::check_gain(gain)?;
    let count = face_count(d);
    if count > MAX_FACES {
        return Err(Error::invalid(
            "actor",
            format!("{count} faces to enumerate; the equilibrium enumeration stops at {MAX_FACES}"),
        ));
    }
    let n = d.n();
    let mut out: Vec<FaceEquilibrium> = Vec::new();
    let mut digits = vec![0usize; n];
    for _ in 0..count {
        let faces: Vec<Face> = (0..n).map(|i| options(d, i)[digits[i]]).collect();
        if let Some(e) = solve_face(d, gain, &faces)? {
            let size = 1.0 + e.x.iter().fold(0.0f64, |m, v| m.max(v.abs()));
            let same = out.iter_mut().find(|o| {
                o.x.iter()
                    .zip(&e.x)
                    .all(|(a, b)| (a - b).abs() <= 1e-9 * size)
            });
            match same {
                Some(o) => {
                    // At a boundary the face that proves stability wins.
                    if e.stable && !o.stable {
                        *o = e;
                    }
                }
                None => out.push(e),
            }
        }
        for (i, digit) in digits.iter_mut().enumerate() {
            *digit += 1;
            if *digit < options(d, i).len() {
                break;
            }
            *digit = 0;
        }
    }
    out.sort_by(|a, b| a.x.iter().sum::<f64>().total_cmp(&b.x.iter().sum::<f64>()));
    Ok(out)
}
