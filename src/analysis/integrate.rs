//! A small fixed-step integrator of the autonomous model (no mechanisms),
//! used to find where the state lands after a tipping point.

use nalgebra::DVector;

use crate::model::Dynamics;

/// Where an integration ended.
pub(crate) struct Settled {
    /// Final state, intensity.
    pub x: DVector<f64>,
    /// The field fell below its tolerance: `x` is (near) an equilibrium.
    pub converged: bool,
    /// The state grew beyond `10⁹` (an explosion without a ceiling).
    pub diverged: bool,
}

/// The projected, capped right-hand side at gain `gain`.
fn field(d: &Dynamics, gain: f64, x: &DVector<f64>) -> DVector<f64> {
    DVector::from_vec(d.field(gain, x.as_slice()))
}

fn clamp(d: &Dynamics, x: &mut DVector<f64>) {
    for i in 0..d.n() {
        x[i] = x[i].clamp(0.0, d.ceiling[i].unwrap_or(f64::INFINITY));
    }
}

/// Integrates from `x0` with classical RK4 (step `0.1/s`, `s` the
/// eigenvalue scale, so `|hλ| ≤ 0.1`), clamping to the box after each step,
/// until the field is below `1e-9` of its scale, the state exceeds `10⁹`,
/// or `max_steps` steps are taken.
pub(crate) fn settle(d: &Dynamics, gain: f64, x0: &DVector<f64>, max_steps: usize) -> Settled {
    let s = super::abscissa_scale(d, gain).max(f64::MIN_POSITIVE);
    let h = 0.1 / s;
    let g = d.grievance.amax();
    let mut x = x0.clone();
    clamp(d, &mut x);
    for _ in 0..max_steps {
        let k1 = field(d, gain, &x);
        if k1.amax() <= 1e-9 * (s * (1.0 + x.amax()) + g) {
            return Settled {
                x,
                converged: true,
                diverged: false,
            };
        }
        let k2 = field(d, gain, &(&x + &k1 * (0.5 * h)));
        let k3 = field(d, gain, &(&x + &k2 * (0.5 * h)));
        let k4 = field(d, gain, &(&x + &k3 * h));
        x += (k1 + k2 * 2.0 + k3 * 2.0 + k4) * (h / 6.0);
        clamp(d, &mut x);
        if x.iter().any(|v| !v.is_finite() || v.abs() > 1e9) {
            return Settled {
                x,
                converged: false,
                diverged: true,
            };
        }
    }
    Settled {
        x,
        converged: false,
        diverged: false,
    }
}
