//! `escalation::figures`: the inputs of each plot computed from a model,
//! checked against closed forms, direct analyses and invariants (maps, root
//! locus, bifurcation, phase portrait; random runs in `figures_runs.rs`).

use crate::common;
use common::{grid, invalid, load};
use escalation::analysis::{
    critical_gain, jacobian_eigenvalues, sampled_spectral_radius, spectral_abscissa,
};
use escalation::figures;
use escalation::model::{Dynamics, Model};
use escalation::plot::{MapCells, StabilityMap};
use nalgebra::DVector;

/// `(values, threshold)` of a map with numeric cells.
fn cells(map: &StabilityMap) -> (&Vec<Vec<f64>>, f64) {
    match &map.cells {
        MapCells::Values {
            values, threshold, ..
        } => (values, *threshold),
        MapCells::Verdicts(_) => panic!("expected values"),
    }
}

#[test]
fn richardson_boundary_is_the_hyperbola_kl_equal_ab_over_gamma_squared() {
    let mut m = load("richardson.toml");
    m.dynamics.gain = 1.2;
    let g = grid(&m, &["coupling.X.Y=-1:1:41", "coupling.Y.X=-1.2:1.5:37"]);
    let map = figures::stability_map(&m, &g).unwrap();
    let c = 0.5 * 0.4 / (1.2 * 1.2);
    let points: Vec<(f64, f64)> = map.boundary.iter().flat_map(|b| b.points.clone()).collect();
    assert_eq!(map.boundary.len(), 2, "one branch per quadrant of kl > 0");
    assert!(points.len() > 100);
    for &(k, l) in &points {
        assert!(
            ((k * l - c) / c).abs() < 1e-12,
            "({k}, {l}): kl = {}",
            k * l
        );
        // inside the box, to rounding
        assert!(k.abs() <= 1.0 + 1e-12 && (-1.2 - 1e-12..=1.5 + 1e-12).contains(&l));
    }
    // The cells agree with the closed form on either side of the hyperbola.
    let (values, threshold) = cells(&map);
    assert_eq!(threshold, 0.0);
    for (iy, &l) in map.y.iter().enumerate() {
        for (ix, &k) in map.x.iter().enumerate() {
            let v = values[iy][ix];
            if k * l > c * 1.05 {
                assert!(v > 0.0, "k = {k}, l = {l}: {v}");
            } else if k * l < c * 0.95 {
                assert!(v < 0.0, "k = {k}, l = {l}: {v}");
            }
        }
    }
    // The scenario (k = 0.3, l = 0.6) is marked.
    assert_eq!(map.marks.len(), 1);
    assert_eq!((map.marks[0].x, map.marks[0].y), (0.3, 0.6));
}

/// The cell `[i, i+1]` of `axis` holding `v`.
fn cell_of(axis: &[f64], v: f64) -> usize {
    let i = axis.partition_point(|&a| a <= v);
    i.saturating_sub(1).min(axis.len() - 2)
}

/// Every boundary point lies in a grid cell whose corners disagree about
/// the side of the threshold, and `at(point)` is the measure there.
fn check_located_boundary(map: &StabilityMap, at: impl Fn(f64, f64) -> f64) {
    let (values, threshold) = cells(map);
    let points: Vec<(f64, f64)> = map.boundary.iter().flat_map(|b| b.points.clone()).collect();
    assert!(points.len() > 5, "a boundary was expected");
    for &(x, y) in &points {
        let (ix, iy) = (cell_of(&map.x, x), cell_of(&map.y, y));
        let sides: Vec<bool> = [(ix, iy), (ix + 1, iy), (ix, iy + 1), (ix + 1, iy + 1)]
            .iter()
            .map(|&(i, j)| values[j][i] > threshold)
            .collect();
        assert!(
            sides.iter().any(|&s| s) && sides.iter().any(|&s| !s),
            "({x}, {y}) is not within one cell of a verdict change"
        );
        let m = at(x, y);
        assert!((m - threshold).abs() < 1e-9, "({x}, {y}): measure {m}");
    }
}

#[test]
fn located_boundary_of_a_triad_is_where_the_abscissa_vanishes() {
    let m = load("triad.toml");
    let g = grid(
        &m,
        &["coupling.North.West=0:2:21", "coupling.West.North=0:0.5:11"],
    );
    let map = figures::stability_map(&m, &g).unwrap();
    check_located_boundary(&map, |x, y| {
        let mut d = m.dynamics.clone();
        d.coupling[(0, 2)] = x;
        d.coupling[(2, 0)] = y;
        spectral_abscissa(&d, d.gain).unwrap()
    });
}

#[test]
fn with_a_controller_the_map_and_its_boundary_use_the_sampled_radius() {
    let m = load("dyad.toml");
    let g = grid(&m, &["gain=0.6:1.6:11", "controller.derivative=0:3:7"]);
    let map = figures::stability_map(&m, &g).unwrap();
    let (_, threshold) = cells(&map);
    assert_eq!(threshold, 1.0);
    let c = m.controller.clone().unwrap();
    check_located_boundary(&map, |gain, tau| {
        let c = escalation::control::Controller {
            derivative: tau,
            ..c.clone()
        };
        sampled_spectral_radius(&m.dynamics, &c, gain).unwrap()
    });
    // A lag axis has no values in between: its crossings sit mid-edge.
    let g = grid(&m, &["controller.lag=0:4:5", "gain=0.8:1.4:7"]);
    figures::stability_map(&m, &g).unwrap();
}

#[test]
fn maps_need_two_axes_with_two_values_and_no_spoiler_parameter() {
    let m = load("richardson.toml");
    invalid(
        figures::stability_map(&m, &grid(&m, &["gain=0:2:5"])),
        "two parameters",
    );
    invalid(
        figures::stability_map(&m, &grid(&m, &["gain=0:2:5", "coupling.X.Y=0.3:0.3:4"])),
        "two different values",
    );
    let isl = load("islamabad.toml");
    invalid(
        figures::stability_map(&isl, &grid(&isl, &["gain=0:2:3", "spoilers.rate=0:1:3"])),
        "Monte Carlo",
    );
    // An axis given from high to low is turned round.
    let map = figures::stability_map(&m, &grid(&m, &["coupling.X.Y=1:0:5", "gain=2:0:3"])).unwrap();
    assert_eq!(map.x, vec![0.0, 0.25, 0.5, 0.75, 1.0]);
    assert_eq!(map.y, vec![0.0, 1.0, 2.0]);
}

#[test]
fn default_map_grid_takes_the_strongest_mutual_reaction() {
    let m = load("islamabad.toml");
    let g = figures::default_map_grid(&m).unwrap();
    let paths: Vec<&str> = g.axes.iter().map(|a| a.path.as_str()).collect();
    assert_eq!(paths, ["coupling.US.Iran", "coupling.Iran.US"]);
    assert_eq!((g.axes[0].start, g.axes[0].stop), (0.0, 2.5 * 0.30));
    let one = Model::from_dynamics(
        Dynamics::new(
            DVector::from_vec(vec![0.5]),
            nalgebra::DMatrix::zeros(1, 1),
            DVector::from_vec(vec![0.1]),
        )
        .unwrap(),
        10.0,
    );
    invalid(figures::default_map_grid(&one), "one-actor");
}

#[test]
fn root_locus_rings_the_critical_gain_on_the_imaginary_axis() {
    let m = load("triad.toml");
    let gains = figures::linspace(0.0, 2.0, 101);
    let locus = figures::root_locus(&m, &gains).unwrap();
    let c = critical_gain(&m.dynamics).unwrap().unwrap();
    assert_eq!(locus.critical_gain, Some(c));
    let k = locus
        .gains
        .iter()
        .position(|&g| g == c)
        .expect("γ* inserted");
    assert_eq!(locus.gains.len(), gains.len() + 1);
    let lead = locus.eigenvalues[k]
        .iter()
        .map(|z| z.0)
        .fold(f64::NEG_INFINITY, f64::max);
    assert!(lead.abs() < 1e-9, "abscissa at γ* = {lead}");
    // A Hopf crossing: the eigenvalues on the axis are a complex pair.
    assert!(
        locus.eigenvalues[k]
            .iter()
            .any(|z| z.0.abs() < 1e-9 && z.1 > 0.5)
    );
    // Every other gain: the eigenvalues of −A + γK.
    for (g, ev) in locus.gains.iter().zip(&locus.eigenvalues).step_by(17) {
        let direct = jacobian_eigenvalues(&m.dynamics, *g).unwrap();
        assert_eq!(ev.len(), direct.len());
    }
    // The default runs to 1.6 γ*.
    let d = figures::default_gains(&m).unwrap();
    assert_eq!((d[0], d.len()), (0.0, 121));
    assert!((d[120] - 1.6 * c).abs() < 1e-12);
    invalid(figures::root_locus(&m, &[1.0]), "at least two");
    invalid(figures::root_locus(&m, &[0.0, 1.0, 0.5]), "increasing");
    invalid(figures::root_locus(&m, &[-1.0, 1.0]), "non-negative");
}

/// The bistable pair of docs/plots.md: Blue has a grievance, Red a wish for calm.
fn bistable() -> Model {
    let mut d = Dynamics::richardson(0.5, 0.4, 0.3, 0.6, 0.2, -0.4).unwrap();
    d.names = vec!["Blue".into(), "Red".into()];
    d.ceiling = vec![Some(6.0), Some(6.0)];
    d.gain = 1.3;
    Model::from_dynamics(d, 40.0)
}

#[test]
fn bifurcation_marks_both_tipping_points_of_the_bistable_pair() {
    let m = bistable();
    let b = figures::bifurcation(&m, (0.0, 2.5)).unwrap();
    // γ* = √(ab/kl) for the linear loop.
    let c = (0.2f64 / 0.18).sqrt();
    assert!((b.critical_gain.unwrap() - c).abs() < 1e-12);
    let gains: Vec<f64> = b.folds.iter().map(|f| f.0).collect();
    assert!(
        gains.iter().any(|g| (g - 5.0 / 3.0).abs() < 1e-6),
        "{gains:?}"
    );
    assert!(gains.iter().any(|g| (g - 1.0843).abs() < 1e-3), "{gains:?}");
    assert!(b.branches.iter().any(|br| br.stable.iter().any(|&s| s)));
    let (lo, hi) = b.y_range.unwrap();
    assert!(lo == 0.0 && hi > 6.0 && hi < 7.0);
    // The gain range is checked.
    invalid(figures::bifurcation(&m, (1.0, 1.0)), "gamma_range");
    let (g0, g1) = figures::default_gamma_range(&m).unwrap();
    assert_eq!(g0, 0.0);
    assert!((g1 - 2.0 * 1.3).abs() < 1e-12);
}

#[test]
fn phase_portrait_marks_the_equilibria_and_follows_the_flow() {
    let m = load("richardson.toml");
    let p = figures::phase_portrait(&m).unwrap();
    // x* = (bg + kh, lg + ah) / (ab − kl)
    assert_eq!(p.equilibria.len(), 1);
    let e = p.equilibria[0];
    assert!((e.x - 0.55).abs() < 1e-9 && (e.y - 0.85).abs() < 1e-9 && e.stable);
    assert!(p.x_range.1 >= 6.0 && p.y_range.1 >= 6.0);
    assert!(p.trajectories.len() >= 15);
    // Runs that stay below the top rung settle on the equilibrium; those
    // that reach it (from the top right corner) stop there.
    let top = m.ladder.bound(m.ladder.top());
    let mut settled = 0;
    for t in &p.trajectories {
        let q = t.last().unwrap();
        if q.0.max(q.1) >= top - 1e-9 {
            continue;
        }
        assert!(
            (q.0 - e.x).abs() < 1e-2 && (q.1 - e.y).abs() < 1e-2,
            "run from {:?} ends at {q:?}",
            t[0]
        );
        settled += 1;
    }
    assert!(settled >= 12, "{settled}");

    // The bistable pair: two stable states and a saddle between them.
    let m = bistable();
    let p = figures::phase_portrait(&m).unwrap();
    // Quiet at (a⁻¹g, 0) = (0.4, 0); war with Red at its ceiling,
    // Blue at (g + γk·6)/a = 5.08; the saddle between them solves the
    // linear system; the corner (6, 6) is unstable.
    let near = |x: f64, y: f64| {
        p.equilibria
            .iter()
            .find(|e| (e.x - x).abs() < 1e-9 && (e.y - y).abs() < 1e-9)
            .map(|e| e.stable)
    };
    let det = 0.5 * 0.4 - 1.3 * 1.3 * 0.3 * 0.6;
    let saddle = (
        (0.4 * 0.2 + 1.3 * 0.3 * -0.4) / det,
        (1.3 * 0.6 * 0.2 + 0.5 * -0.4) / det,
    );
    assert_eq!(near(0.4, 0.0), Some(true), "{:?}", p.equilibria);
    assert_eq!(near(0.2 / 0.5 + 1.3 * 0.3 * 6.0 / 0.5, 6.0), Some(true));
    assert_eq!(near(saddle.0, saddle.1), Some(false));
    assert_eq!(near(6.0, 6.0), Some(false));
    assert_eq!(p.equilibria.len(), 4);
}

#[test]
fn phase_portrait_rejects_other_than_two_actors() {
    invalid(
        figures::phase_portrait(&load("triad.toml")),
        "exactly 2 actors, got 3",
    );
    invalid(
        figures::phase_portrait(&load("islamabad.toml")),
        "exactly 2 actors, got 6",
    );
}
