//! `escalation::figures` from random runs: the fan chart, the collapse heat
//! map and side-by-side panels (`plot::SideBySide`), checked against the
//! runs themselves.

use crate::common;
use common::{grid, invalid, load};
use escalation::analysis::Verdict;
use escalation::ensemble::{EnsembleOptions, run_ensemble};
use escalation::figures;
use escalation::plot::SideBySide;
use escalation::prelude::*;
use escalation::sim::simulate_run;
use escalation::sweep::{Param, SpoilerField};

#[test]
fn fan_chart_median_lies_inside_its_bands_and_matches_the_runs() {
    let m = load("islamabad.toml");
    let runs = 60;
    let fan = figures::fan_chart(&m, runs, 5, None).unwrap();
    assert_eq!(fan.t.len(), figures::FAN_TIMES);
    assert_eq!(fan.series.len(), m.n());
    let top = m.ladder.bound(m.ladder.top());
    for s in &fan.series {
        let [wide, narrow] = [&s.bands[0], &s.bands[1]];
        assert_eq!((wide.lower_q, wide.upper_q), (0.05, 0.95));
        for k in 0..fan.t.len() {
            assert!(wide.lower[k] <= narrow.lower[k] && narrow.lower[k] <= s.median[k]);
            assert!(s.median[k] <= narrow.upper[k] && narrow.upper[k] <= wide.upper[k]);
            assert!(wide.lower[k] >= 0.0 && wide.upper[k] <= top);
        }
    }
    // Against the runs themselves: the binned median lies between the order
    // statistics around rank N/2 (to the bin width).
    let opts = SimOptions {
        dt: m.horizon / (figures::FAN_TIMES - 1) as f64,
        record: true,
        ..SimOptions::ensemble()
    };
    let sims: Vec<Trajectory> = (0..runs)
        .map(|r| simulate_run(&m, &opts, 5, r).unwrap())
        .collect();
    let width = top / 2000.0;
    for k in [0, 50, 120, 200] {
        let t = fan.t[k];
        for (i, s) in fan.series.iter().enumerate() {
            let mut v: Vec<f64> = sims
                .iter()
                .map(|r| {
                    let j = r.t.partition_point(|&s| s <= t + 1e-9);
                    if j >= r.t.len() {
                        r.final_x[i]
                    } else {
                        r.x[i][j - 1]
                    }
                })
                .collect();
            v.sort_by(f64::total_cmp);
            let n = v.len();
            let (lo, hi) = (v[n / 2 - 2], v[n / 2 + 1]);
            assert!(
                s.median[k] >= lo - width && s.median[k] <= hi + width,
                "{} at t = {t}: median {} outside [{lo}, {hi}]",
                s.name,
                s.median[k]
            );
            let exact = figures::quantile(&v, 0.5).unwrap();
            assert!(exact >= lo && exact <= hi);
        }
    }
    // The title counts the explosions; the same seed gives the same chart.
    let exploded = sims
        .iter()
        .filter(|r| r.outcome == Outcome::Exploded)
        .count();
    assert!(
        fan.title.contains(&format!("{exploded} exploded")),
        "{}",
        fan.title
    );
    assert_eq!(fan, figures::fan_chart(&m, runs, 5, None).unwrap());
    invalid(figures::fan_chart(&m, 0, 5, None), "at least 1 run");
}

#[test]
fn collapse_heatmap_agrees_with_an_ensemble_at_each_cell() {
    let m = load("islamabad.toml");
    let g = grid(
        &m,
        &["spoilers.rate=0:0.3:3", "phase.ceasefire.gain=0.2:0.6:2"],
    );
    let runs = 24;
    let h = figures::collapse_heatmap(&m, &g, runs, None).unwrap();
    assert_eq!((h.x.len(), h.y.len()), (3, 2));
    assert!(h.annotate);
    for (iy, row) in h.values.iter().enumerate() {
        for (ix, &v) in row.iter().enumerate() {
            let at = g.model_at(&m, ix * 2 + iy);
            assert_eq!(at.spoilers.as_ref().unwrap().rate, h.x[ix]);
            assert_eq!(at.phases[0].gain, h.y[iy]);
            let s = run_ensemble(
                &at,
                &EnsembleOptions {
                    runs,
                    ..EnsembleOptions::default()
                },
                None,
            )
            .unwrap();
            let failed = s.counts["collapsed"] + s.counts["exploded"];
            assert_eq!(v, failed as f64 / runs as f64, "cell ({ix}, {iy})");
        }
    }
    invalid(figures::collapse_heatmap(&m, &g, 0, None), "at least 1");
    invalid(
        figures::collapse_heatmap(&m, &grid(&m, &["spoilers.rate=0:1:3"]), 5, None),
        "two parameters",
    );
}

#[test]
fn default_heatmap_grid_spans_rate_and_attribution() {
    let m = load("islamabad.toml");
    let g = figures::default_heatmap_grid(&m).unwrap();
    assert_eq!(g.axes[0].param, Param::Spoilers(SpoilerField::Rate));
    assert_eq!(g.axes[1].param, Param::Spoilers(SpoilerField::Attribution));
    assert!((g.axes[0].stop - 0.3).abs() < 1e-12 && g.axes[1].stop == 1.0);
    invalid(
        figures::default_heatmap_grid(&load("dyad.toml")),
        "no [spoilers]",
    );
}

#[test]
fn side_by_side_draws_one_wide_picture() {
    let calm = load("richardson.toml");
    let mut wild = calm.clone();
    wild.dynamics.gain = 1.3;
    let panels = [
        figures::phase_portrait(&calm).unwrap(),
        figures::phase_portrait(&wild).unwrap(),
    ];
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pair.png");
    SideBySide::new(&panels)
        .save_sized(&path, (1200, 400))
        .unwrap();
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    let width = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
    assert_eq!(width, 1200);
    let none: [escalation::plot::PhasePortrait; 0] = [];
    invalid(
        SideBySide::new(&none)
            .save_sized(&path, (600, 400))
            .map(|()| 0),
        "at least one",
    );
    invalid(
        SideBySide::new(&panels)
            .save_sized(&path, (200, 400))
            .map(|()| 0),
        "panel width",
    );
    // The default size gives each panel the default figure size.
    assert_eq!(
        SideBySide::new(&panels).default_size(),
        (2 * escalation::plot::WIDTH, escalation::plot::HEIGHT)
    );
    // The unstable pair at γ = 1.3 > γ* has no stable equilibrium in view.
    assert!(panels[1].equilibria.iter().all(|e| !e.stable));
    assert_eq!(
        escalation::analysis::stability(&wild.dynamics, 1.3)
            .unwrap()
            .1,
        Verdict::Explosive
    );
}
