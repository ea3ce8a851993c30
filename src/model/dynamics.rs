use nalgebra::{DMatrix, DVector};

use crate::error::Result;

/// The continuous part of a model: restraint, coupling, grievance, ceilings
/// and the baseline loop gain.
///
/// Proxy control (an actor's own reaction and grievance scaled by `1 - c`)
/// is already folded into `coupling` and `grievance` when a scenario is
/// compiled, so everything downstream sees the effective system.
///
/// # Example
///
/// ```
/// use escalation::model::Dynamics;
/// // Richardson's two-actor system dx/dt = k y - a x + g, dy/dt = l x - b y + h
/// let d = Dynamics::richardson(0.5, 0.4, 0.3, 0.6, 0.2, 0.1).unwrap();
/// assert_eq!(d.n(), 2);
/// // stable iff ab > kl: 0.20 > 0.18
/// assert!(d.restraint[0] * d.restraint[1] > d.coupling[(0, 1)] * d.coupling[(1, 0)]);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Dynamics {
    /// Actor names, in the order of the state vector.
    pub names: Vec<String>,
    /// `a_i > 0`, restraint, 1/day.
    pub restraint: DVector<f64>,
    /// `K_ij`, how actor `i` reacts to actor `j`, 1/day (zero diagonal).
    pub coupling: DMatrix<f64>,
    /// `g_i`, grievance (constant drive), intensity/day.
    pub grievance: DVector<f64>,
    /// `C_i`, optional logistic ceiling, intensity.
    pub ceiling: Vec<Option<f64>>,
    /// `γ`, the baseline loop gain (dimensionless).
    pub gain: f64,
}

impl Dynamics {
    /// A linear system with gain 1 and generated names `A1, A2, …`.
    ///
    /// # Errors
    /// [`Error::Invalid`](crate::Error::Invalid) when the sizes disagree, a number is not finite,
    /// a restraint is not positive or the coupling has a non-zero diagonal.
    pub fn new(
        restraint: DVector<f64>,
        coupling: DMatrix<f64>,
        grievance: DVector<f64>,
    ) -> Result<Self> {
        let n = restraint.len();
        let names = (1..=n).map(|i| format!("A{i}")).collect();
        let d = Self {
            names,
            restraint,
            coupling,
            grievance,
            ceiling: vec![None; n],
            gain: 1.0,
        };
        d.check()?;
        Ok(d)
    }

    /// Richardson's two-actor system `dx/dt = k y - a x + g`, `dy/dt = l x - b y + h`.
    ///
    /// # Errors
    /// As [`Dynamics::new`].
    pub fn richardson(a: f64, b: f64, k: f64, l: f64, g: f64, h: f64) -> Result<Self> {
        let mut d = Self::new(
            DVector::from_vec(vec![a, b]),
            DMatrix::from_row_slice(2, 2, &[0.0, k, l, 0.0]),
            DVector::from_vec(vec![g, h]),
        )?;
        d.names = vec!["X".into(), "Y".into()];
        Ok(d)
    }

    /// Number of actors.
    #[must_use]
    pub fn n(&self) -> usize {
        self.restraint.len()
    }

    /// True when no actor has a ceiling (the model is linear on the orthant).
    #[must_use]
    pub fn is_linear(&self) -> bool {
        self.ceiling.iter().all(Option::is_none)
    }

    /// True when every coupling entry is non-negative (a Metzler Jacobian).
    #[must_use]
    pub fn is_nonnegative(&self) -> bool {
        self.coupling.as_slice().iter().all(|&k| k >= 0.0)
    }

    /// The linear system matrix `-A + γK` for the gain `gain`.
    #[must_use]
    pub fn system_matrix(&self, gain: f64) -> DMatrix<f64> {
        let mut m = &self.coupling * gain;
        for i in 0..self.n() {
            m[(i, i)] -= self.restraint[i];
        }
        m
    }

    /// The dynamics with actor `i`'s coupling row and grievance scaled by
    /// `1 − control[i]` (a patron's control of its proxy).
    #[must_use]
    pub fn with_control(&self, control: &[f64]) -> Self {
        let mut d = self.clone();
        for (i, &c) in control.iter().enumerate().take(d.n()) {
            if c != 0.0 {
                d.coupling.row_mut(i).scale_mut(1.0 - c);
                d.grievance[i] *= 1.0 - c;
            }
        }
        d
    }

    /// The loop during a phase: the gain among `parties` (reactions of a
    /// party to another party) is `gain`, the baseline gain holds elsewhere,
    /// and both are folded into the coupling, so the result has unit gain.
    #[must_use]
    pub fn with_party_gain(&self, parties: &[usize], gain: f64) -> Self {
        let mut d = self.clone();
        let n = d.n();
        for i in 0..n {
            for j in 0..n {
                let g = if parties.contains(&i) && parties.contains(&j) {
                    gain
                } else {
                    self.gain
                };
                d.coupling[(i, j)] *= g;
            }
        }
        d.gain = 1.0;
        d
    }

    /// Index of an actor by name.
    #[must_use]
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    /// The right-hand side with a per-pair gain matrix `gains` (`G_ij`
    /// multiplies `K_ij`), extra perceived intensity `bias` (added to the
    /// input of actor `i`, intensity/day) and the projection onto `x ≥ 0`.
    ///
    /// `out` receives `dx/dt`.
    pub fn rhs_into(
        &self,
        x: &[f64],
        gains: &DMatrix<f64>,
        grievance: &DVector<f64>,
        bias: &[f64],
        out: &mut [f64],
    ) {
        let n = self.n();
        for i in 0..n {
            let mut f = -self.restraint[i] * x[i] + grievance[i] + bias[i];
            for j in 0..n {
                f += gains[(i, j)] * self.coupling[(i, j)] * x[j];
            }
            if let Some(c) = self.ceiling[i] {
                f *= 1.0 - x[i] / c;
            }
            if x[i] <= 0.0 && f < 0.0 {
                f = 0.0;
            }
            out[i] = f;
        }
    }
}
