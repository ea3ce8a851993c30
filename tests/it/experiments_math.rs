//! The numerical core of experiments against analytic values and published
//! examples: Sobol' indices of the Ishigami function, Morris on a linear
//! function, PRIM on a planted box, Latin hypercube strata, Newcombe's
//! paired interval and McNemar's exact test.

use std::f64::consts::PI;

use escalation::experiments::lhs::latin_hypercube;
use escalation::experiments::morris::{MorrisDesign, MorrisOptions, morris_screening};
use escalation::experiments::paired::{
    PairedCounts, mcnemar_exact, newcombe_interval, paired_mean_difference, paired_proportions,
};
use escalation::experiments::prim::{DEFAULT_MIN_COVERAGE, PrimOptions, prim};
use escalation::experiments::saltelli::{SaltelliDesign, SobolOptions, sobol_analyze};
use escalation::experiments::sobol::{Sobol, sobol_points};
use escalation::experiments::{evaluate_rows, merge_shards, shard_indices};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn ishigami(x: &[f64]) -> f64 {
    x[0].sin() + 7.0 * x[1].sin().powi(2) + 0.1 * x[2].powi(4) * x[0].sin()
}

#[test]
fn ishigami_indices_match_the_analytic_values() {
    let design = SaltelliDesign::new(&[[-PI, PI]; 3], 1 << 13, Some(2024)).unwrap();
    let y = design.evaluate(ishigami);
    let s = design.analyze(&y, &SobolOptions::default()).unwrap();
    let first = [0.314, 0.442, 0.0];
    let total = [0.558, 0.442, 0.244];
    for i in 0..3 {
        eprintln!(
            "x{}: S1 {:.4} [{:.4}, {:.4}]  ST {:.4} [{:.4}, {:.4}]",
            i + 1,
            s.first[i],
            s.first_interval[i][0],
            s.first_interval[i][1],
            s.total[i],
            s.total_interval[i][0],
            s.total_interval[i][1]
        );
        assert!(
            (s.first[i] - first[i]).abs() < 0.02,
            "S1[{i}] = {}",
            s.first[i]
        );
        assert!(
            (s.total[i] - total[i]).abs() < 0.02,
            "ST[{i}] = {}",
            s.total[i]
        );
        assert!(
            s.first_interval[i][0] <= s.first[i] + 0.01
                && s.first[i] - 0.01 <= s.first_interval[i][1]
        );
        assert!(s.total_interval[i][0] < s.total_interval[i][1]);
    }
}

#[test]
fn sharded_outputs_merge_to_the_same_bytes() {
    let design = SaltelliDesign::new(&[[-PI, PI]; 3], 256, Some(5)).unwrap();
    let whole = design.evaluate(ishigami);
    let shards: Vec<Vec<f64>> = (0..3)
        .map(|k| {
            let rows: Vec<Vec<f64>> = shard_indices(design.rows().len(), k, 3)
                .unwrap()
                .into_iter()
                .map(|r| design.rows()[r].clone())
                .collect();
            evaluate_rows(&rows, ishigami)
        })
        .collect();
    let merged = merge_shards(design.rows().len(), &shards).unwrap();
    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&whole), bits(&merged));
    let o = SobolOptions::default();
    assert_eq!(
        design.analyze(&whole, &o).unwrap(),
        design.analyze(&merged, &o).unwrap()
    );
    assert!(merge_shards(design.rows().len(), &shards[..2]).is_err());
}

#[test]
fn sobol_analysis_refuses_degenerate_outputs() {
    let design = SaltelliDesign::new(&[[0.0, 1.0]; 2], 16, Some(1)).unwrap();
    let o = SobolOptions::default();
    assert!(design.analyze(&vec![3.0; design.rows().len()], &o).is_err());
    let mut y = design.evaluate(|x| x[0]);
    y[3] = f64::NAN;
    assert!(design.analyze(&y, &o).is_err());
    assert!(sobol_analyze(2, &[1.0, 2.0, 3.0], &o).is_err());
    assert!(SaltelliDesign::new(&[[0.0, 1.0]], 100, None).is_err());
    assert!(SaltelliDesign::new(&[[1.0, 0.0]], 16, None).is_err());
    assert!(SaltelliDesign::new(&[[0.0, f64::NAN]], 16, None).is_err());
}

#[test]
fn morris_on_a_linear_function_gives_coefficient_times_range() {
    let bounds = [
        [0.0, 1.0],
        [-2.0, 3.0],
        [10.0, 10.5],
        [-1.0, 1.0],
        [100.0, 400.0],
    ];
    let c = [1.5, -0.3, 40.0, 0.0, 0.01];
    let f = |x: &[f64]| x.iter().zip(&c).map(|(x, c)| x * c).sum::<f64>();
    for levels in [4, 6] {
        let m = morris_screening(&bounds, 25, levels, 11, f, &MorrisOptions::default()).unwrap();
        for i in 0..5 {
            let want = c[i].abs() * (bounds[i][1] - bounds[i][0]);
            assert!(
                (m.mu_star[i] - want).abs() <= 1e-12 * want.max(1.0),
                "μ*[{i}] {} vs {want}",
                m.mu_star[i]
            );
            assert!(
                (m.mu[i] - c[i] * (bounds[i][1] - bounds[i][0])).abs() <= 1e-12 * want.max(1.0)
            );
            assert!(
                m.sigma[i] <= 1e-12 * want.max(1.0),
                "σ[{i}] = {}",
                m.sigma[i]
            );
        }
    }
    assert!(MorrisDesign::new(&bounds, 1, 4, 0).is_err());
    assert!(MorrisDesign::new(&bounds, 10, 5, 0).is_err());
}

#[test]
fn morris_design_moves_one_input_by_delta_per_step() {
    let bounds = [[0.0, 1.0]; 4];
    let d = MorrisDesign::new(&bounds, 30, 4, 3).unwrap();
    for t in d.rows().chunks(5) {
        for w in t.windows(2) {
            let moved: Vec<f64> = w[0]
                .iter()
                .zip(&w[1])
                .map(|(a, b)| b - a)
                .filter(|s| *s != 0.0)
                .collect();
            assert_eq!(moved.len(), 1);
            assert!((moved[0].abs() - d.delta()).abs() < 1e-15);
        }
        assert!(t.iter().flatten().all(|v| (0.0..=1.0).contains(v)));
    }
}

#[test]
fn prim_recovers_a_planted_box() {
    let mut rng = ChaCha8Rng::seed_from_u64(17);
    let cases: Vec<Vec<f64>> = (0..2000)
        .map(|_| (0..5).map(|_| rng.random::<f64>()).collect())
        .collect();
    let hot: Vec<bool> = cases
        .iter()
        .map(|c| (0.2..=0.6).contains(&c[0]) && (0.3..=0.9).contains(&c[1]))
        .collect();
    let names: Vec<String> = (1..=5).map(|i| format!("x{i}")).collect();
    let r = prim(&names, &cases, &hot, &PrimOptions::default()).unwrap();
    // With the default threshold (0.8) the densest box is pure but peels a
    // little off the planted box; asking for 90% coverage gives the box just
    // before, which has both coverage and density above 0.9.
    let pure = r.chosen(r.select(DEFAULT_MIN_COVERAGE).unwrap()).unwrap();
    assert!(pure.density == 1.0 && pure.coverage > 0.85, "{pure:?}");
    let chosen = r.chosen(r.select(0.9).unwrap()).unwrap();
    assert!(chosen.coverage > 0.9 && chosen.density > 0.9, "{chosen:?}");
    let cols: Vec<&str> = chosen
        .restrictions
        .iter()
        .map(|x| x.column.as_str())
        .collect();
    assert_eq!(cols, ["x1", "x2"]);
    let (a, b) = (&chosen.restrictions[0], &chosen.restrictions[1]);
    assert!((a.lo - 0.2).abs() < 0.03 && (a.hi - 0.6).abs() < 0.03 && (b.lo - 0.3).abs() < 0.03);
    // Trajectory invariants: mass falls while peeling, rises while pasting.
    for w in r.trajectory.windows(2) {
        if w[1].pasted {
            assert!(w[1].mass > w[0].mass);
        } else {
            assert!(w[1].mass < w[0].mass && w[1].density > w[0].density);
        }
    }
    assert!(prim(&names, &cases, &vec![false; 2000], &PrimOptions::default()).is_err());
}

#[test]
fn latin_hypercube_puts_one_case_in_every_stratum() {
    let bounds = [[0.0, 1.0], [-5.0, 5.0], [1e3, 1e3 + 1e-3]];
    for n in [1, 7, 100, 1000] {
        let x = latin_hypercube(n, &bounds, n as u64).unwrap();
        assert_eq!(x.len(), n);
        for (j, [lo, hi]) in bounds.iter().enumerate() {
            let mut seen = vec![0; n];
            for row in &x {
                assert!(*lo <= row[j] && row[j] <= *hi);
                let k = (((row[j] - lo) / (hi - lo)) * n as f64).floor() as usize;
                seen[k.min(n - 1)] += 1;
            }
            assert!(
                seen.iter().all(|&s| s == 1),
                "n {n}, dimension {j}: {seen:?}"
            );
        }
    }
}

#[test]
fn sobol_points_are_published_and_stratified() {
    let p = sobol_points(8, 2, None).unwrap();
    let want = [
        [0.0, 0.0],
        [0.5, 0.5],
        [0.75, 0.25],
        [0.25, 0.75],
        [0.375, 0.375],
        [0.875, 0.875],
        [0.625, 0.125],
        [0.125, 0.625],
    ];
    for (row, w) in p.iter().zip(want) {
        assert_eq!(row.as_slice(), w);
    }
    for k in [1, 4, 9, 13] {
        let q = Sobol::scrambled(64, 99).unwrap().take(1 << k).unwrap();
        for j in 0..64 {
            let mut cells: Vec<usize> = q
                .iter()
                .map(|r| (r[j] * (1u64 << k) as f64) as usize)
                .collect();
            cells.sort_unstable();
            assert_eq!(
                cells,
                (0..1 << k).collect::<Vec<_>>(),
                "2^{k} points, dimension {j}"
            );
        }
    }
}

/// Newcombe (1998), Table III, method 10: cells (e, f, g, h) = (both,
/// only treatment, only control, neither) and the printed 95% limits.
const NEWCOMBE_TABLE_III: [([u64; 4], [f64; 2]); 18] = [
    ([36, 12, 2, 0], [0.0569, 0.3404]),
    ([20, 12, 2, 16], [0.0562, 0.3292]),
    ([18, 12, 2, 18], [0.0562, 0.3290]),
    ([36, 14, 0, 0], [0.1528, 0.4167]),
    ([35, 14, 0, 1], [0.1461, 0.4175]),
    ([18, 14, 0, 18], [0.1441, 0.3963]),
    ([2, 97, 1, 0], [0.8721, 0.9854]),
    ([1, 97, 1, 1], [0.8736, 0.9850]),
    ([0, 29, 1, 0], [0.6666, 0.9882]),
    ([2, 98, 0, 0], [0.9178, 0.9945]),
    ([1, 98, 0, 1], [0.9171, 0.9916]),
    ([0, 30, 0, 0], [0.8395, 1.0]),
    ([54, 0, 0, 0], [-0.0664, 0.0664]),
    ([53, 0, 0, 1], [-0.0729, 0.0729]),
    ([30, 0, 0, 24], [-0.0358, 0.0358]),
    ([29, 0, 0, 25], [-0.0354, 0.0354]),
    ([28, 0, 0, 26], [-0.0352, 0.0352]),
    ([27, 0, 0, 27], [-0.0351, 0.0351]),
];

#[test]
fn newcombe_interval_matches_the_published_table() {
    for ([e, f, g, h], [lo, hi]) in NEWCOMBE_TABLE_III {
        let t = PairedCounts {
            both: e,
            only_treatment: f,
            only_control: g,
            neither: h,
        };
        let [l, u] = newcombe_interval(&t, 0.95).unwrap();
        // Printed to 4 decimals (one entry, 0.8736, is truncated rather than rounded).
        assert!(
            (l - lo).abs() < 1e-4 && (u - hi).abs() < 1e-4,
            "{e} {f} {g} {h}: [{l}, {u}] vs [{lo}, {hi}]"
        );
    }
    assert!(newcombe_interval(&PairedCounts::default(), 0.95).is_err());
    assert!(
        newcombe_interval(
            &PairedCounts {
                both: 1,
                ..Default::default()
            },
            1.0
        )
        .is_err()
    );
}

#[test]
fn mcnemar_exact_matches_published_values() {
    // Fagerland, Lydersen & Laake (2013), Bentur et al. data: b = 1, c = 7,
    // exact conditional p = 2·P(X ≤ 1 | 8, ½) = 18/256 ≈ 0.070.
    assert_eq!(mcnemar_exact(1, 7), 18.0 / 256.0);
    assert_eq!(mcnemar_exact(7, 1), 18.0 / 256.0);
    // b = 12, c = 5: 2·9402/2^17 = 0.1435 (binom.test(5, 17) in R).
    assert!((mcnemar_exact(12, 5) - 2.0 * 9402.0 / 131_072.0).abs() < 1e-15);
    assert_eq!(mcnemar_exact(0, 0), 1.0);
    assert_eq!(mcnemar_exact(4, 4), 1.0);
    // Large counts (log-space sum past 1000 discordant runs) against
    // 2·scipy.stats.binom.cdf(min, b + c, 0.5).
    for (b, c, want) in [
        (49_800, 50_200, 0.207_038_971_764_222_5),
        (600, 700, 0.006_015_793_861_044_939_5),
        (3_000, 3_100, 0.204_949_544_651_558_5),
    ] {
        let p = mcnemar_exact(b, c);
        assert!((p - want).abs() < 1e-9 * want, "{b} {c}: {p} vs {want}");
    }
    assert_eq!(mcnemar_exact(1, 2_000), 0.0);
}

#[test]
fn identical_arms_give_exactly_nothing() {
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    let outcome: Vec<bool> = (0..500).map(|_| rng.random_bool(0.3)).collect();
    let t = PairedCounts::from_outcomes(&outcome, &outcome).unwrap();
    assert_eq!((t.only_treatment, t.only_control), (0, 0));
    let p = paired_proportions(&t, 0.95).unwrap();
    assert_eq!(p.difference, 0.0);
    assert_eq!(p.mcnemar_p, 1.0);
    assert_eq!(p.variance_ratio, Some(0.0));
    assert!(p.interval[0] < 0.0 && p.interval[1] > 0.0);
    let cost: Vec<f64> = (0..500).map(|_| rng.random::<f64>() * 10.0).collect();
    let m = paired_mean_difference(&cost, &cost, 0.95).unwrap();
    assert_eq!((m.difference, m.sd, m.interval), (0.0, 0.0, [0.0, 0.0]));
}

#[test]
fn pairing_narrows_the_interval_when_arms_are_correlated() {
    let mut rng = ChaCha8Rng::seed_from_u64(8);
    // A shared uniform per run (common random numbers); the treatment moves the threshold.
    let u: Vec<f64> = (0..2000).map(|_| rng.random()).collect();
    let control: Vec<bool> = u.iter().map(|&u| u < 0.30).collect();
    let treatment: Vec<bool> = u.iter().map(|&u| u < 0.34).collect();
    let t = PairedCounts::from_outcomes(&control, &treatment).unwrap();
    let p = paired_proportions(&t, 0.95).unwrap();
    assert_eq!(t.only_control, 0);
    assert!(p.variance_ratio.unwrap() < 0.2, "{:?}", p.variance_ratio);
    assert!(p.interval[0] > 0.0, "{:?}", p.interval);
    assert!(p.mcnemar_p < 1e-10);
    let merged = PairedCounts::from_outcomes(&control[..700], &treatment[..700])
        .unwrap()
        .merge(&PairedCounts::from_outcomes(&control[700..], &treatment[700..]).unwrap());
    assert_eq!(merged, t);
    assert!(PairedCounts::from_outcomes(&control, &treatment[1..]).is_err());
    assert!(paired_mean_difference(&[1.0], &[2.0], 0.95).is_err());
    assert!(paired_mean_difference(&[1.0, f64::NAN], &[2.0, 3.0], 0.95).is_err());
}
