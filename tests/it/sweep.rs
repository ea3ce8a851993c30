//! Parameter sweeps: agreement with single-point analysis, the analytic
//! Richardson boundary, sharding and merging, and bad grids.

use crate::common;
use common::{grid, load};
use escalation::analysis::{Verdict, sampled_stability, stability};
use escalation::ensemble::EnsembleOptions;
use escalation::merge::{GridAxis, Partial, PartialData, fingerprint, merge};
use escalation::sweep::{
    Grid, SweepCounts, SweepOptions, sweep_ensemble, sweep_linear, sweep_summary,
};

#[test]
fn sweep_points_equal_single_point_analysis() {
    for (file, specs) in [
        (
            "richardson.toml",
            vec!["coupling.X.Y=0:1.2:13", "actor.Y.restraint=0.1:0.9:7"],
        ),
        ("richardson.toml", vec!["gain=0:2:21"]),
        ("dyad.toml", vec!["controller.lag=0:4:5", "gain=0.5:1.5:6"]),
        (
            "islamabad.toml",
            vec!["phase.ceasefire.gain=0:1:5", "controller.derivative=0:2:3"],
        ),
    ] {
        let m = load(file);
        let g = grid(&m, &specs);
        let points = sweep_linear(&m, &g, &SweepOptions::default(), None).unwrap();
        assert_eq!(points.len(), g.len());
        for pt in &points {
            let mp = g.model_at(&m, pt.index);
            assert_eq!(pt.values, g.values(pt.index));
            // The steady-state loop: hardliners remove ηκ/δ of their actor's restraint.
            let mut d = mp.effective_dynamics().into_owned();
            for h in &mp.hardliners {
                d.restraint[h.actor] -= h.weight * h.feed / h.decay;
            }
            let mut gain = d.gain;
            if let Some(k) = mp
                .phases
                .iter()
                .position(|p| specs[0].starts_with(&format!("phase.{}.", p.name)))
            {
                // The loop during the phase, written out: the patron's
                // proxy control, the guarantee on the parties' restraint,
                // G∘K with the phase's gain among its parties, unit gain.
                let ph = &mp.phases[k];
                let mut control = mp.control();
                for x in &mp.proxies {
                    if ph.parties.contains(&x.patron) {
                        control[x.actor] = control[x.actor].max(ph.proxy_control.unwrap_or(0.0));
                    }
                }
                d = mp.dynamics.clone();
                #[allow(clippy::needless_range_loop)] // i indexes rows, columns and vectors alike
                for i in 0..d.n() {
                    for j in 0..d.n() {
                        d.coupling[(i, j)] *=
                            (1.0 - control[i]) * if ph.binds(i, j) { ph.gain } else { gain };
                    }
                    d.grievance[i] *= 1.0 - control[i];
                    if ph.parties.contains(&i) {
                        d.restraint[i] += ph.guarantee;
                    }
                }
                // Heat in steady state; anxious outsiders the phase does not assure.
                for h in &mp.hardliners {
                    d.restraint[h.actor] -= h.weight * h.feed / h.decay;
                }
                for a in &mp.anxiety {
                    if !ph.parties.contains(&a.actor) && !ph.assures.contains(&a.actor) {
                        d.grievance[a.actor] += a.level;
                    }
                }
                gain = 1.0;
            }
            let (alpha, verdict) = stability(&d, gain).unwrap();
            assert_eq!(pt.spectral_abscissa, alpha, "{file} {:?}", pt.values);
            match &mp.controller {
                Some(c) => {
                    let (rho, v) = sampled_stability(&d, c, gain).unwrap();
                    assert_eq!(pt.spectral_radius, Some(rho));
                    assert_eq!(pt.verdict, v);
                }
                None => assert_eq!(pt.verdict, verdict),
            }
        }
    }
}

#[test]
fn summary_counts_match_the_points() {
    let m = load("dyad.toml");
    let g = grid(
        &m,
        &["coupling.Blue.Red=0:1:40", "coupling.Red.Blue=0:1:30"],
    );
    let points = sweep_linear(&m, &g, &SweepOptions::default(), None).unwrap();
    let counts = sweep_summary(&m, &g, &SweepOptions::default(), None).unwrap();
    assert_eq!(counts.points, 1200);
    assert_eq!(
        counts.stable,
        points
            .iter()
            .filter(|p| p.verdict == Verdict::Stable)
            .count() as u64
    );
    assert_eq!(
        counts.explosive,
        points
            .iter()
            .filter(|p| p.verdict == Verdict::Explosive)
            .count() as u64
    );
    assert_eq!(counts.stable + counts.marginal + counts.explosive, 1200);
}

/// On a (k, l) grid the stable/explosive boundary must follow the hyperbola
/// kl = ab: every cell the boundary does not cross has the analytic verdict.
#[test]
fn grid_boundary_matches_richardsons_hyperbola_within_one_cell() {
    let m = load("richardson.toml");
    let (a, b) = (0.5, 0.4);
    let (n, top) = (101usize, 1.0);
    let g = grid(&m, &["coupling.X.Y=0:1:101", "coupling.Y.X=0:1:101"]);
    let points = sweep_linear(&m, &g, &SweepOptions::default(), None).unwrap();
    let h = top / (n - 1) as f64;
    let mut mismatches_far_from_boundary = 0;
    let mut disagreements = 0;
    for pt in &points {
        let (k, l) = (pt.values[0], pt.values[1]);
        let analytic = if k * l < a * b {
            Verdict::Stable
        } else {
            Verdict::Explosive
        };
        if pt.verdict != analytic && pt.verdict != Verdict::Marginal {
            disagreements += 1;
            // Is the boundary within one cell of this point?
            let near = [
                (-h, -h),
                (-h, h),
                (h, -h),
                (h, h),
                (0.0, h),
                (h, 0.0),
                (0.0, -h),
                (-h, 0.0),
            ]
            .iter()
            .any(|(dk, dl)| ((k + dk) * (l + dl) < a * b) != (k * l < a * b));
            if !near {
                mismatches_far_from_boundary += 1;
            }
        }
    }
    assert_eq!(mismatches_far_from_boundary, 0);
    // In exact arithmetic they agree everywhere off the boundary.
    assert!(disagreements <= 2, "{disagreements} points disagree");
    // And both verdicts occur.
    assert!(points.iter().any(|p| p.verdict == Verdict::Stable));
    assert!(points.iter().any(|p| p.verdict == Verdict::Explosive));
}

#[test]
fn shards_partition_the_grid_and_merge_exactly() {
    let m = load("richardson.toml");
    let g = grid(&m, &["coupling.X.Y=0:1:50", "coupling.Y.X=0:1:41"]);
    let whole = sweep_linear(&m, &g, &SweepOptions::default(), None).unwrap();
    let mut parts = Vec::new();
    for k in 0..3 {
        let opts = SweepOptions {
            shard: Some((k, 3)),
            ..SweepOptions::default()
        };
        let pts = sweep_linear(&m, &g, &opts, None).unwrap();
        assert!(pts.iter().all(|p| p.index % 3 == k as usize));
        parts.push(Partial {
            scenario: m.name.clone(),
            model: fingerprint(&m),
            work: "w".into(),
            grid: g.axes.iter().map(GridAxis::of).collect(),
            runs: None,
            seed: None,
            shard: Some((k, 3)),
            data: PartialData::Sweep { points: pts },
        });
    }
    parts.reverse();
    let merged = merge(parts).unwrap();
    match merged.data {
        PartialData::Sweep { points } => assert_eq!(points, whole),
        _ => panic!("wrong kind"),
    }
}

#[test]
fn merge_refuses_missing_duplicate_or_foreign_shards() {
    let part = |k, n, work: &str| Partial {
        scenario: "s".into(),
        model: "sha256:0".into(),
        work: work.into(),
        grid: vec![GridAxis {
            path: "gain".into(),
            start: 0.0,
            stop: 1.0,
            count: 2,
        }],
        runs: None,
        seed: None,
        shard: Some((k, n)),
        data: PartialData::SweepSummary {
            counts: SweepCounts {
                points: u64::from(k < 2 && k < n),
                stable: u64::from(k < 2 && k < n),
                ..Default::default()
            },
        },
    };
    assert!(
        merge(vec![part(0, 3, "w"), part(1, 3, "w")])
            .unwrap_err()
            .to_string()
            .contains("missing shards: 3/3")
    );
    assert!(
        merge(vec![part(0, 2, "w"), part(0, 2, "w")])
            .unwrap_err()
            .to_string()
            .contains("twice")
    );
    assert!(
        merge(vec![part(0, 2, "w"), part(1, 2, "v")])
            .unwrap_err()
            .to_string()
            .contains("different work")
    );
    assert!(merge(vec![]).is_err());
}

#[test]
fn monte_carlo_sweep_collapse_falls_with_attribution() {
    let m = load("islamabad.toml");
    let g = grid(&m, &["spoilers.attribution=0:1:3"]);
    let ens = EnsembleOptions {
        runs: 300,
        ..EnsembleOptions::default()
    };
    let pts = sweep_ensemble(&m, &g, &ens, &SweepOptions::default(), None).unwrap();
    let bad = |p: &escalation::sweep::EnsemblePoint| {
        p.summary.counts["collapsed"] + p.summary.counts["exploded"]
    };
    assert!(
        bad(&pts[0]) > bad(&pts[2]),
        "{} vs {}",
        bad(&pts[0]),
        bad(&pts[2])
    );
    // Same seed at every point: a point equals a plain ensemble of its model.
    let single = escalation::ensemble::run_ensemble(&g.model_at(&m, 1), &ens, None).unwrap();
    assert_eq!(pts[1].summary, single);
}

#[test]
fn bad_grids_are_rejected_with_the_reason() {
    let m = load("dyad.toml");
    let err = |spec: &str| {
        Grid::parse(&[spec.to_string()], &m)
            .unwrap_err()
            .to_string()
    };
    assert!(err("gain=0:1:0").contains("COUNT must be at least 1"));
    assert!(err("gain=0:1").contains("PATH=START:STOP:COUNT"));
    assert!(err("gain=a:1:3").contains("START"));
    assert!(err("gain=0:nan:3").contains("finite"));
    assert!(err("gain=-1:1:3").contains("negative"));
    assert!(err("coupling.Blue.Green=0:1:3").contains("coupling.ROW.COL"));
    assert!(err("actor.Green.restraint=0.1:1:3").contains("unknown actor"));
    assert!(err("actor.Blue.restraint=0:1:3").contains("positive"));
    assert!(err("phase.none.gain=0:1:3").contains("unknown phase"));
    assert!(err("spoilers.rate=0:1:3").contains("no [spoilers]"));
    assert!(err("controller.lag=0:1:4").contains("whole number"));
    assert!(err("horizon=1:2:3").contains("unknown parameter path"));
    let two = Grid::parse(&["gain=0:1:2".into(), "gain=0:1:2".into()], &m)
        .unwrap_err()
        .to_string();
    assert!(two.contains("twice"));
    let big = Grid::parse(
        &[
            "gain=0:1:100000".into(),
            "coupling.Blue.Red=0:1:100000".into(),
        ],
        &m,
    )
    .unwrap_err()
    .to_string();
    assert!(big.contains("limit"));
}

/// The row-walking fast path of `--summary` (two actors, continuous loop)
/// counts exactly the verdicts of the point-by-point sweep, whole and in
/// shards of every size.
#[test]
fn fast_summary_counts_equal_point_verdicts_in_every_shard() {
    let m = load("richardson.toml");
    let g = grid(&m, &["coupling.X.Y=-1:1:101", "coupling.Y.X=-1:1:97"]); // 9,797 points: several chunks
    let points = sweep_linear(&m, &g, &SweepOptions::default(), None).unwrap();
    for n in 1..=5u64 {
        for k in 0..n {
            let opts = SweepOptions {
                shard: Some((k, n)),
                ..SweepOptions::default()
            };
            let counts = sweep_summary(&m, &g, &opts, None).unwrap();
            let mine: Vec<_> = points.iter().filter(|p| p.index as u64 % n == k).collect();
            assert_eq!(counts.points, mine.len() as u64, "{k}/{n}");
            assert_eq!(
                counts.stable,
                mine.iter().filter(|p| p.verdict == Verdict::Stable).count() as u64,
                "{k}/{n}"
            );
            assert_eq!(
                counts.explosive,
                mine.iter()
                    .filter(|p| p.verdict == Verdict::Explosive)
                    .count() as u64,
                "{k}/{n}"
            );
        }
    }
    assert!(points.iter().any(|p| p.verdict == Verdict::Stable));
    assert!(points.iter().any(|p| p.verdict == Verdict::Explosive));
}

/// `hotline.attribution` reaches the attacks after the hotline's start, which
/// `spoilers.attribution` cannot when the hotline sets its own accuracy.
#[test]
fn hotline_attribution_is_sweepable() {
    let m = load("islamabad.toml");
    let g = grid(&m, &["hotline.attribution=0:1:2"]);
    assert!(g.is_stochastic());
    let ens = EnsembleOptions {
        runs: 300,
        ..EnsembleOptions::default()
    };
    let pts = sweep_ensemble(&m, &g, &ens, &SweepOptions::default(), None).unwrap();
    let bad = |p: &escalation::sweep::EnsemblePoint| {
        p.summary.counts["collapsed"] + p.summary.counts["exploded"]
    };
    assert!(
        bad(&pts[0]) > bad(&pts[1]) + 30,
        "{} vs {}",
        bad(&pts[0]),
        bad(&pts[1])
    );
    assert_eq!(g.model_at(&m, 0).hotline.unwrap().attribution, Some(0.0));
    let no_hotline = load("dyad.toml");
    let err = Grid::parse(&["hotline.attribution=0:1:2".to_string()], &no_hotline)
        .unwrap_err()
        .to_string();
    assert!(err.contains("no [hotline]"), "{err}");
}
