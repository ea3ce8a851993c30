//! Every plot kind renders a non-empty PNG of the requested size and a
//! well-formed SVG that carries its axis labels; bad input is an
//! `Error::Invalid`, never a panic.
//!
//! Inputs are computed from the model: the two-actor closed forms
//! (`ab - γ²kl`, the eigenvalues of a 2×2 matrix, the equilibria), a Poisson
//! probability, and simulated ensembles.

use crate::plot_support;

use escalation::model::Dynamics;
use escalation::plot::{self, Mark, TrajectoryPlot};
use escalation::prelude::*;
use plot_support::*;

#[test]
fn trajectory_renders_with_rung_names_clear_of_the_ticks() {
    let dir = tempfile::tempdir().unwrap();
    let (_, model) = Scenario::compile_str(CEASEFIRE, Format::Toml).unwrap();
    let run = simulate(&model, &SimOptions::default()).unwrap();
    let svg = both(dir.path(), "trajectory", |p, size| {
        TrajectoryPlot::new(&run, &model).save_sized(p, size)
    });
    for label in [
        "time (days)",
        "intensity (rungs)",
        "Regional war",
        "phase: ceasefire",
        "US",
        "Iran",
    ] {
        assert!(svg.contains(label), "trajectory SVG lacks {label:?}");
    }
    // Every rung name sits right of every tick label, and no two names overlap.
    let texts = svg_texts(&svg);
    let ticks: Vec<&(f64, f64, String)> = texts
        .iter()
        .filter(|t| !t.2.is_empty() && t.2.parse::<f64>().is_ok())
        .collect();
    let names: Vec<&(f64, f64, String)> = texts
        .iter()
        .filter(|t| {
            t.2.split_once("  ")
                .is_some_and(|(r, _)| r.parse::<usize>().is_ok())
        })
        .collect();
    assert_eq!(names.len(), model.ladder.rungs().len(), "{names:?}");
    assert!(!ticks.is_empty());
    let rightmost_tick = ticks.iter().map(|t| t.0).fold(f64::MIN, f64::max);
    let leftmost_name = names.iter().map(|t| t.0).fold(f64::MAX, f64::min);
    assert!(
        leftmost_name > rightmost_tick,
        "names at x = {leftmost_name}, ticks up to {rightmost_tick}"
    );
    let mut ys: Vec<f64> = names.iter().map(|t| t.1).collect();
    ys.sort_by(f64::total_cmp);
    assert!(
        ys.windows(2).all(|w| w[1] - w[0] >= 14.0),
        "rung names overlap: {ys:?}"
    );
    // Kahn's 44 rungs: names thinned out so none overlap, the top one kept.
    let mut kahn = model.clone();
    kahn.ladder = escalation::model::Ladder::kahn44();
    let p = dir.path().join("kahn.svg");
    TrajectoryPlot::new(&run, &kahn).save(&p).unwrap();
    let texts = svg_texts(&check_svg(&p));
    let mut ys: Vec<f64> = texts
        .iter()
        .filter(|t| {
            t.2.split_once("  ")
                .is_some_and(|(r, _)| r.parse::<usize>().is_ok())
        })
        .map(|t| t.1)
        .collect();
    assert!(ys.len() >= 10, "only {} Kahn rungs named", ys.len());
    ys.sort_by(f64::total_cmp);
    assert!(
        ys.windows(2).all(|w| w[1] - w[0] >= 14.0),
        "Kahn rung names overlap: {ys:?}"
    );
    assert!(texts.iter().any(|t| t.2 == "43  Spasm or insensate war"));
    // No samples: refused.
    let mut empty = run.clone();
    empty.t.clear();
    assert_invalid(
        TrajectoryPlot::new(&empty, &model).save(dir.path().join("e.png")),
        "trajectory",
    );
}

#[test]
fn phase_portrait_renders_field_nullclines_equilibrium_and_runs() {
    let dir = tempfile::tempdir().unwrap();
    let d = Dynamics::richardson(0.5, 0.4, 0.3, 0.6, 0.2, 0.1).unwrap();
    // Equilibrium of the stable linear pair: -M⁻¹g, M = -A + K.
    let det = 0.5 * 0.4 - 0.3 * 0.6;
    let eq = ((0.4 * 0.2 + 0.3 * 0.1) / det, (0.6 * 0.2 + 0.5 * 0.1) / det);
    let mut model = Model::from_dynamics(d.clone(), 30.0);
    let mut trajectories = Vec::new();
    for start in [(0.0, 0.0), (10.0, 1.0), (1.0, 10.0)] {
        model.initial = nalgebra::DVector::from_vec(vec![start.0, start.1]);
        let r = simulate(&model, &SimOptions::default()).unwrap();
        trajectories.push(r.x[0].iter().copied().zip(r.x[1].iter().copied()).collect());
    }
    let data = plot::PhasePortrait {
        trajectories,
        equilibria: vec![plot::EquilibriumMark {
            x: eq.0,
            y: eq.1,
            stable: true,
        }],
        ..plot::PhasePortrait::new(d.clone(), (0.0, 12.0), (0.0, 12.0))
    };
    let svg = both(dir.path(), "phase", |p, size| data.save_sized(p, size));
    for label in [
        "intensity of X (rungs)",
        "intensity of Y (rungs)",
        "dX/dt = 0",
        "dY/dt = 0",
        "stable equilibrium",
    ] {
        assert!(svg.contains(label), "phase portrait SVG lacks {label:?}");
    }
    let three = Dynamics::new(
        nalgebra::DVector::from_element(3, 0.5),
        nalgebra::DMatrix::zeros(3, 3),
        nalgebra::DVector::zeros(3),
    )
    .unwrap();
    let p = dir.path().join("bad.png");
    assert_invalid(
        plot::PhasePortrait::new(three.clone(), (0.0, 1.0), (0.0, 1.0)).save(&p),
        "2 actors",
    );
    assert_invalid(
        plot::PhasePortrait::new(d.clone(), (-1.0, 1.0), (0.0, 1.0)).save(&p),
        "x_range",
    );
    let nan = plot::PhasePortrait {
        trajectories: vec![vec![(0.0, f64::NAN)]],
        ..plot::PhasePortrait::new(d.clone(), (0.0, 1.0), (0.0, 1.0))
    };
    assert_invalid(nan.save(&p), "trajectories[0][0]");
}

#[test]
fn stability_map_renders_values_and_verdicts_with_the_boundary() {
    let dir = tempfile::tempdir().unwrap();
    for verdicts in [false, true] {
        let data = stability_grid(verdicts);
        let name = if verdicts { "verdicts" } else { "values" };
        let svg = both(dir.path(), name, |p, size| data.save_sized(p, size));
        for label in ["k (1/day)", "l (1/day)", "ab = γ²kl", "baseline"] {
            assert!(svg.contains(label), "stability map SVG lacks {label:?}");
        }
        let extra = if verdicts {
            "explosive"
        } else {
            "spectral abscissa (1/day)"
        };
        assert!(svg.contains(extra), "stability map SVG lacks {extra:?}");
    }
    let p = dir.path().join("bad.svg");
    let mut short = stability_grid(false);
    short.y.pop();
    assert_invalid(short.save(&p), "values");
    let mut nan = stability_grid(false);
    if let plot::MapCells::Values { values, .. } = &mut nan.cells {
        values[3][4] = f64::NAN;
    }
    assert_invalid(nan.save(&p), "values[3][4]");
    let mut flat = stability_grid(false);
    flat.x[1] = flat.x[0];
    assert_invalid(flat.save(&p), "x[1]");
}

#[test]
fn root_locus_renders_with_the_critical_gain() {
    let dir = tempfile::tempdir().unwrap();
    // Deterrence on one side (l < 0): a complex pair that never crosses; the
    // mutual-threat case (k, l > 0) crosses at γ* = sqrt(ab / kl).
    for (k, l) in [(0.3, 0.6), (0.3, -0.6)] {
        let critical = (k * l > 0.0).then(|| (0.5_f64 * 0.4 / (k * l)).sqrt());
        let gains = linspace(0.0, 1.5, 61);
        let eigenvalues: Vec<_> = gains.iter().map(|&g| eigen2(0.5, 0.4, k, l, g)).collect();
        if let Some(gc) = critical {
            let at = eigen2(0.5, 0.4, k, l, gc);
            assert!(at[0].0.abs() < 1e-12, "the closed form crosses at γ*");
        }
        let data = plot::RootLocus {
            gains,
            eigenvalues,
            critical_gain: critical,
            ..plot::RootLocus::default()
        };
        let svg = both(dir.path(), &format!("locus{}", l > 0.0), |p, size| {
            data.save_sized(p, size)
        });
        for label in [
            "Re λ (1/day)",
            "Im λ (1/day)",
            "loop gain γ",
            "stability boundary",
        ] {
            assert!(svg.contains(label), "root locus SVG lacks {label:?}");
        }
        assert_eq!(svg.contains("critical gain γ*"), critical.is_some());
    }
    let discrete = plot::RootLocus {
        gains: vec![0.0, 1.0],
        eigenvalues: vec![vec![(0.6, 0.0)], vec![(0.9, 0.5), (0.9, -0.5)]],
        plane: plot::Plane::Discrete,
        ..plot::RootLocus::default()
    };
    let svg = both(dir.path(), "discrete", |p, size| {
        discrete.save_sized(p, size)
    });
    assert!(svg.contains("Re z") && svg.contains("|z| = 1"));
    let p = dir.path().join("bad.png");
    let mut bad = discrete.clone();
    bad.eigenvalues.pop();
    assert_invalid(bad.save(&p), "eigenvalues");
    bad = discrete.clone();
    bad.eigenvalues[1][0].1 = f64::INFINITY;
    assert_invalid(bad.save(&p), "eigenvalues[1][0]");
    bad = discrete;
    bad.gains = vec![1.0, 0.0];
    assert_invalid(bad.save(&p), "gains[1]");
}

#[test]
fn fan_chart_renders_quantiles_of_an_ensemble() {
    let dir = tempfile::tempdir().unwrap();
    let (_, model) = Scenario::compile_str(CEASEFIRE, Format::Toml).unwrap();
    let data = ensemble_fan(&model, 40);
    // The bands nest around the median at every time.
    for s in &data.series {
        for k in 0..data.t.len() {
            let (outer, inner) = (&s.bands[0], &s.bands[1]);
            assert!(outer.lower[k] <= inner.lower[k] && inner.lower[k] <= s.median[k]);
            assert!(s.median[k] <= inner.upper[k] && inner.upper[k] <= outer.upper[k]);
        }
    }
    let svg = both(dir.path(), "fan", |p, size| data.save_sized(p, size));
    for label in [
        "time (days)",
        "intensity (rungs)",
        "US median",
        "Iran 5–95 %",
        "explosion threshold",
        "Regional war",
    ] {
        assert!(svg.contains(label), "fan chart SVG lacks {label:?}");
    }
    let p = dir.path().join("bad.svg");
    let mut bad = data.clone();
    bad.series[0].median.pop();
    assert_invalid(bad.save(&p), "median");
    bad = data.clone();
    bad.series[1].bands[0].lower_q = 0.99;
    assert_invalid(bad.save(&p), "lower_q");
    bad = data.clone();
    bad.series[0].bands[1].lower[5] = bad.series[0].bands[1].upper[5] + 1.0;
    assert_invalid(bad.save(&p), "bands[1].lower[5]");
    bad = data;
    bad.series.clear();
    assert_invalid(bad.save(&p), "series");
}

#[test]
fn heatmap_renders_a_poisson_probability() {
    let dir = tempfile::tempdir().unwrap();
    // P(at least one misattributed attack in 14 days) = 1 - exp(-r (1 - p) 14).
    let rates = linspace(0.0, 0.5, 8);
    let accuracy = linspace(0.5, 1.0, 6);
    let values: Vec<Vec<f64>> = accuracy
        .iter()
        .map(|&p| {
            rates
                .iter()
                .map(|&r| 1.0 - (-r * (1.0 - p) * 14.0).exp())
                .collect()
        })
        .collect();
    let data = plot::Heatmap {
        title: "collapse probability".into(),
        x_label: "spoiler attack rate (1/day)".into(),
        y_label: "attribution accuracy".into(),
        value_label: "P(collapse)".into(),
        x: rates,
        y: accuracy,
        values,
        marks: vec![Mark {
            label: "scenario".into(),
            x: 0.15,
            y: 0.6,
        }],
        annotate: true,
        ..plot::Heatmap::default()
    };
    let svg = both(dir.path(), "heat", |p, size| data.save_sized(p, size));
    for label in [
        "spoiler attack rate (1/day)",
        "attribution accuracy",
        "P(collapse)",
        "collapse probability",
        "scenario",
    ] {
        assert!(svg.contains(label), "heat map SVG lacks {label:?}");
    }
    let p = dir.path().join("bad.png");
    let mut bad = data.clone();
    bad.values[0][0] = 1.2;
    assert_invalid(bad.save(&p), "values[0][0]");
    bad = data.clone();
    bad.values[2].pop();
    assert_invalid(bad.save(&p), "values[2]");
    bad = data;
    bad.x = vec![0.0];
    assert_invalid(bad.save(&p), "heatmap.x");
}

#[test]
fn bifurcation_renders_branches_and_a_fold() {
    let dir = tempfile::tempdir().unwrap();
    let data = border_fold();
    let svg = both(dir.path(), "bif", |p, size| data.save_sized(p, size));
    for label in [
        "loop gain γ",
        "equilibrium intensity of Blue (rungs)",
        "stable equilibria",
        "unstable equilibria",
        "fold",
        "critical gain γ*",
    ] {
        assert!(svg.contains(label), "bifurcation SVG lacks {label:?}");
    }
    // From the library's continuation of the same pair with ceilings at 6:
    // it tips up at γ_b = 5/3, where the fold of the closed form lies.
    let mut d = Dynamics::richardson(0.5, 0.4, 0.3, 0.6, 0.2, -0.4).unwrap();
    d.ceiling = vec![Some(6.0), Some(6.0)];
    let branches = escalation::analysis::continuation(&d, (0.0, 2.5), 400).unwrap();
    let cont = plot::Bifurcation::from_continuation(&branches, 0, "Blue").unwrap();
    assert!(
        cont.folds
            .iter()
            .any(|f| (f.0 - data.folds[0].0).abs() < 0.01 && (f.1 - data.folds[0].1).abs() < 1e-6),
        "{:?}",
        cont.folds
    );
    let svg = both(dir.path(), "cont", |p, size| cont.save_sized(p, size));
    assert!(svg.contains("equilibrium intensity of Blue (rungs)") && svg.contains("fold"));
    assert_invalid(
        plot::Bifurcation::from_continuation(&branches, 2, "nobody").map(|_| ()),
        "no actor 2",
    );
    let p = dir.path().join("bad.svg");
    let mut bad = data.clone();
    bad.branches[0].stable.pop();
    assert_invalid(bad.save(&p), "stable");
    bad = data.clone();
    bad.folds[0].1 = f64::NAN;
    assert_invalid(bad.save(&p), "folds[0]");
    bad = data;
    bad.branches.clear();
    assert_invalid(bad.save(&p), "branches");
}
