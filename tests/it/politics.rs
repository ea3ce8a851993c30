//! The politics of the window (`docs/scenarios.md`): adaptation, the
//! tactical reset, hardliners, sequenced agreements, regional anxiety and a
//! positive peace. Each mechanism against a closed form or an independent
//! computation: its direction and where its effect stops.
#![allow(clippy::needless_range_loop)] // index loops mirror the math

use escalation::analysis::analyze;
use escalation::prelude::*;
use escalation::scenario::Format;
use escalation::sim::EventKind;
use nalgebra::{DMatrix, DVector};

fn compile(text: &str) -> Model {
    Scenario::compile_str(text, Format::Toml)
        .map(|(_, m)| m)
        .unwrap_or_else(|e| panic!("{e}"))
}

fn run(m: &Model) -> Trajectory {
    simulate(
        m,
        &SimOptions {
            dt: 1.0,
            ..SimOptions::default()
        },
    )
    .unwrap()
}

/// The input `u` held by an uncoupled actor with restraint `a` over the
/// period from sample `k` to `k + 1` (one day apart), recovered from its
/// closed form `x(t+Δ) = x e^{−aΔ} + u (1 − e^{−aΔ})/a`.
fn held_input(x: &[f64], k: usize, a: f64) -> f64 {
    let e = (-a).exp();
    (x[k + 1] - x[k] * e) * a / (1.0 - e)
}

// ---------------------------------------------------------------- adaptation

/// A observes B, which jumps by one unit at `step_day + 0.5` (its grievance
/// and restraint switch to 50 by a `when.at` agreement, so it is at 1 − e⁻²⁵
/// by the next decision). A decides every day, lag 0.
fn observer(step_day: f64, adaptation: bool) -> Model {
    let adapt = if adaptation {
        "adaptation = { memory = 0.3, baseline = 0.5, floor = 0.05 }"
    } else {
        ""
    };
    compile(&format!(
        r#"
horizon = 30
[[actor]]
name = "A"
restraint = 0.5
initial = 1.0
[[actor]]
name = "B"
restraint = 50.0
[coupling.A]
B = 0.4
[controller]
period = 1.0
derivative = 2.0
{adapt}
[ladder]
rungs = [{{ name = "low", from = 0 }}, {{ name = "high", from = 1e9 }}]
[[agreement]]
name = "step"
when = {{ at = {step_day} }}
then = {{ actor = "B", grievance = 50.0, for_days = 100 }}
"#,
        step_day = step_day + 0.5
    ))
}

/// The derivative term of A's decision at day `k` (the decision after B's
/// step): the held input minus the proportional part γ K y_B.
fn derivative_term(m: &Model, k: usize) -> f64 {
    let t = run(m);
    let u = held_input(&t.x[0], k, 0.5);
    u - 0.4 * t.x[1][k]
}

/// After 14 quiet days the same unit step moves A `min(σ₀/s, σ₀/σ_min)` times
/// as much as right after the start, where `s` is the adapted movement at
/// that decision; without adaptation the response is the same both times.
#[test]
fn adaptation_magnifies_movement_after_a_quiet_spell() {
    let (beta, sigma0, floor) = (0.3_f64, 0.5_f64, 0.05_f64);
    let tau_ratio = 2.0; // τ_D / Δ
    // Decision k sees the step of day k − 1 + 0.5; s used there is s[k−1],
    // after k quiet decisions from σ₀: σ₀ (1 − β)^k.
    let scale = |k: i32| sigma0 / (sigma0 * (1.0 - beta).powi(k)).max(floor);
    let step = 1.0 - (-25.0_f64).exp();
    let early = derivative_term(&observer(1.0, true), 2);
    let late = derivative_term(&observer(15.0, true), 16);
    let want_early = 0.4 * tau_ratio * step * scale(2);
    let want_late = 0.4 * tau_ratio * step * scale(16);
    assert!((early - want_early).abs() < 1e-9, "{early} vs {want_early}");
    assert!((late - want_late).abs() < 1e-9, "{late} vs {want_late}");
    // The spell reached the floor: the magnification stops at σ₀/σ_min.
    assert!((scale(16) - sigma0 / floor).abs() < 1e-12);
    assert!(late / early > 4.0);
    let plain_early = derivative_term(&observer(1.0, false), 2);
    let plain_late = derivative_term(&observer(15.0, false), 16);
    assert!((plain_early - plain_late).abs() < 1e-9);
    assert!((plain_early - 0.4 * tau_ratio * step).abs() < 1e-9);
}

/// `sampled.sensitized` is the sampled analysis of the same model with the
/// derivative time multiplied by σ₀/σ_min.
#[test]
fn sensitized_loop_is_the_loop_with_the_larger_derivative() {
    let text = |derivative: f64, adapt: bool| {
        format!(
            r#"
horizon = 30
gain = 0.8
[[actor]]
name = "A"
restraint = 0.5
[[actor]]
name = "B"
restraint = 0.4
[coupling.A]
B = 0.3
[coupling.B]
A = 0.35
[controller]
period = 1.0
lag = 1
derivative = {derivative}
{}
"#,
            if adapt {
                "adaptation = { memory = 0.2, baseline = 0.4, floor = 0.1 }"
            } else {
                ""
            }
        )
    };
    let adapted = analyze(&compile(&text(0.5, true))).unwrap();
    let wide = analyze(&compile(&text(0.5 * 4.0, false))).unwrap();
    let s = adapted.sampled.as_ref().unwrap();
    let full = s.sensitized.as_ref().unwrap();
    let w = wide.sampled.as_ref().unwrap();
    assert_eq!(full.derivative, 2.0);
    assert_eq!(full.spectral_radius, w.spectral_radius);
    assert_eq!(full.critical_gain, w.critical_gain);
    // Sensitization lowers the critical gain.
    assert!(full.critical_gain.unwrap() < s.critical_gain.unwrap());
}

// ------------------------------------------------------------------- reset

fn reset_model(surveillance: f64) -> Model {
    compile(&format!(
        r#"
horizon = 30
[[actor]]
name = "A"
restraint = 0.5
initial = 1.0
[[actor]]
name = "B"
restraint = 0.25
reset_rate = 0.2
[[actor]]
name = "C"
restraint = 0.3
[coupling.A]
B = 0.4
[controller]
period = 1.0
[ladder]
rungs = [{{ name = "low", from = 0 }}, {{ name = "high", from = 1e9 }}]
[[phase]]
name = "pause"
start = 4
end = 18
gain = 0.5
parties = ["B", "C"]
surveillance = {surveillance}
"#
    ))
}

/// The stock is `r × 14` days at the reveal; A (outside the phase) sees
/// `v·s` of it during the phase and all of it, decaying at B's restraint,
/// after.
#[test]
fn the_hidden_stock_grows_in_the_phase_and_is_seen_whole_after() {
    let v = 0.25;
    let m = reset_model(v);
    let t = run(&m);
    let revealed: Vec<f64> = t
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Revealed { actor, stock } if actor == "B" => Some(*stock),
            _ => None,
        })
        .collect();
    assert_eq!(revealed.len(), 1);
    assert!((revealed[0] - 0.2 * 14.0).abs() < 1e-12, "{}", revealed[0]);
    // B's own intensity stays 0: the stock is hidden from the state.
    assert!(t.x[1].iter().all(|&x| x == 0.0));
    for k in 0..29 {
        let u = held_input(&t.x[0], k, 0.5);
        let day = k as f64;
        let stock = if day < 4.0 {
            0.0
        } else if day < 18.0 {
            v * 0.2 * (day - 4.0)
        } else {
            2.8 * (-0.25 * (day - 18.0)).exp()
        };
        assert!(
            (u - 0.4 * stock).abs() < 1e-9,
            "day {day}: u {u} vs {}",
            0.4 * stock
        );
    }
    // Full surveillance: the stock is seen as it grows; none: not at all.
    let blind = run(&reset_model(0.0));
    assert!((held_input(&blind.x[0], 10, 0.5)).abs() < 1e-12);
    let watched = run(&reset_model(1.0));
    assert!((held_input(&watched.x[0], 10, 0.5) - 0.4 * 0.2 * 6.0).abs() < 1e-9);
}

// -------------------------------------------------------------- hardliners

fn hardliner_model(gain: f64, feed: f64) -> Model {
    compile(&format!(
        r#"
horizon = 40
gain = {gain}
[[actor]]
name = "A"
restraint = 0.6
grievance = 0.1
initial = 1.0
hardliners = {{ feed = {feed}, decay = 0.2, weight = 0.3, initial = 0.5 }}
[[actor]]
name = "B"
restraint = 0.5
grievance = 0.05
initial = 0.5
[[actor]]
name = "C"
restraint = 0.7
initial = 0.2
hardliners = {{ feed = 0.05, decay = 0.1, weight = 0.2 }}
[coupling.A]
B = 0.3
C = 0.1
[coupling.B]
A = 0.25
[coupling.C]
A = 0.2
B = 0.15
[ladder]
rungs = [{{ name = "low", from = 0 }}, {{ name = "high", from = 1e9 }}]
"#
    ))
}

/// The augmented linear system `d/dt [x; h] = [[−A + γK, E], [F, −D]] [x; h] + [g; 0]`,
/// solved by eigendecomposition of its (diagonalizable) matrix.
fn hardliner_closed_form(gain: f64, feed: f64, t: f64) -> Vec<f64> {
    let a = [0.6, 0.5, 0.7];
    let k = DMatrix::from_row_slice(3, 3, &[0.0, 0.3, 0.1, 0.25, 0.0, 0.0, 0.2, 0.15, 0.0]);
    let mut m = DMatrix::zeros(5, 5);
    for i in 0..3 {
        for j in 0..3 {
            m[(i, j)] = gain * k[(i, j)];
        }
        m[(i, i)] -= a[i];
    }
    // h_A at index 3, h_C at 4.
    m[(0, 3)] = 0.3;
    m[(3, 0)] = feed;
    m[(3, 3)] = -0.2;
    m[(2, 4)] = 0.2;
    m[(4, 2)] = 0.05;
    m[(4, 4)] = -0.1;
    let g = DVector::from_column_slice(&[0.1, 0.05, 0.0, 0.0, 0.0]);
    let s0 = DVector::from_column_slice(&[1.0, 0.5, 0.2, 0.5, 0.0]);
    // s(t) = s* + e^{Mt}(s0 − s*), s* = −M⁻¹g; e^{Mt} = V e^{Λt} V⁻¹.
    let star = -m.clone().lu().solve(&g).unwrap();
    let eig = m.clone().complex_eigenvalues();
    // Build V column by column from null spaces of M − λI (complex).
    use nalgebra::Complex;
    let mc = m.map(|v| Complex::new(v, 0.0));
    let mut v = DMatrix::<Complex<f64>>::zeros(5, 5);
    for (c, &lambda) in eig.iter().enumerate() {
        let shifted = &mc - DMatrix::<Complex<f64>>::identity(5, 5) * lambda;
        let svd = shifted.svd(false, true);
        let vt = svd.v_t.unwrap();
        // The right singular vector of the smallest singular value.
        let (idx, _) = svd
            .singular_values
            .iter()
            .enumerate()
            .min_by(|x, y| x.1.total_cmp(y.1))
            .unwrap();
        for r in 0..5 {
            v[(r, c)] = vt[(idx, r)].conj();
        }
    }
    let d0 = (&s0 - &star).map(|x| Complex::new(x, 0.0));
    let coef = v.clone().lu().solve(&d0).unwrap();
    let mut out = vec![0.0; 5];
    for r in 0..5 {
        let mut acc = Complex::new(0.0, 0.0);
        for c in 0..5 {
            acc += v[(r, c)] * coef[c] * (eig[c] * t).exp();
        }
        out[r] = star[r] + acc.re;
    }
    out
}

/// A linear run with hardliners follows the augmented linear system: the
/// exact path and the ODE path, intensities and heat, to 1e-8.
#[test]
fn hardliners_match_the_augmented_closed_form() {
    for gain in [0.8, 1.5] {
        let m = hardliner_model(gain, 0.2);
        for force_ode in [false, true] {
            let t = simulate(
                &m,
                &SimOptions {
                    dt: 1.0,
                    force_ode,
                    ..SimOptions::default()
                },
            )
            .unwrap();
            assert_eq!(t.hardliners.len(), 2);
            let mut worst: f64 = 0.0;
            for (k, &time) in t.t.iter().enumerate() {
                let want = hardliner_closed_form(gain, 0.2, time);
                let got = [
                    t.x[0][k],
                    t.x[1][k],
                    t.x[2][k],
                    t.hardliners[0][k],
                    t.hardliners[1][k],
                ];
                for i in 0..5 {
                    worst = worst.max((got[i] - want[i]).abs() / want[i].abs().max(1e-3));
                }
            }
            assert!(worst < 1e-8, "gain {gain}, ode {force_ode}: {worst:e}");
        }
    }
}

/// γ* = 1/ρ((A − H)⁻¹K) with H = diag(ηκ/δ); the eigenvalues of the whole
/// state cross zero there; heat lowers the critical gain.
#[test]
fn hardliners_lower_the_critical_gain_to_the_steady_state_formula() {
    let m = hardliner_model(1.0, 0.2);
    let r = analyze(&m).unwrap();
    let h = [0.3 * 0.2 / 0.2, 0.0, 0.2 * 0.05 / 0.1];
    let a = [0.6, 0.5, 0.7];
    let k = DMatrix::from_row_slice(3, 3, &[0.0, 0.3, 0.1, 0.25, 0.0, 0.0, 0.2, 0.15, 0.0]);
    let inv = DMatrix::from_fn(3, 3, |i, j| if i == j { 1.0 / (a[i] - h[i]) } else { 0.0 });
    let rho = (inv * &k)
        .complex_eigenvalues()
        .iter()
        .map(|z| z.norm())
        .fold(0.0, f64::max);
    let want = 1.0 / rho;
    let got = r.critical_gain.unwrap();
    assert!((got - want).abs() < 1e-9 * want, "{got} vs {want}");
    // Without heat the critical gain is higher.
    let cool = analyze(&hardliner_model(1.0, 0.0)).unwrap();
    assert!(cool.critical_gain.unwrap() > got);
    // The whole state's eigenvalues (5 of them) change sign across γ*.
    for (factor, explosive) in [(0.999, false), (1.001, true)] {
        let r = analyze(&hardliner_model(want * factor, 0.2)).unwrap();
        assert_eq!(r.eigenvalues.len(), 5);
        assert_eq!(r.spectral_abscissa > 0.0, explosive, "factor {factor}");
    }
}

/// Where heat alone outweighs restraint (a ≤ ηκ/δ) the loop explodes at
/// any gain, and the report says so instead of giving a critical gain.
#[test]
fn a_hardliner_loop_stronger_than_restraint_explodes_alone() {
    // ηκ/δ = 0.3 κ / 0.2 ≥ 0.6 from κ = 0.4.
    let at_edge = analyze(&hardliner_model(0.0, 0.4)).unwrap();
    assert!(at_edge.critical_gain.is_none());
    assert!(
        at_edge.notes.iter().any(|n| n.contains("hardliner loop")),
        "{:?}",
        at_edge.notes
    );
    let beyond = analyze(&hardliner_model(0.0, 0.5)).unwrap();
    assert_eq!(beyond.verdict, Verdict::Explosive);
    assert!(beyond.spectral_abscissa > 0.0);
    let below = analyze(&hardliner_model(0.0, 0.39)).unwrap();
    assert_eq!(below.verdict, Verdict::Stable);
    assert!(below.critical_gain.is_some());
}

// -------------------------------------------------------------- agreements

fn agreement_text(extra: &str) -> String {
    format!(
        r#"
horizon = 30
[[actor]]
name = "US"
restraint = 0.5
grievance = 0.2
[[actor]]
name = "Iran"
restraint = 0.5
grievance = 0.3
[ladder]
rungs = [{{ name = "low", from = 0 }}, {{ name = "mid", from = 0.5 }}, {{ name = "high", from = 1e9 }}]
{extra}
"#
    )
}

fn on_off(t: &Trajectory) -> Vec<(String, f64, bool)> {
    t.events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::AgreementOn { agreement, .. } => Some((agreement.clone(), e.t, true)),
            EventKind::AgreementOff { agreement, .. } => Some((agreement.clone(), e.t, false)),
            _ => None,
        })
        .collect()
}

/// `when.at` holds from its day; a chain turns on in order (relief, then
/// Iran's restraint two days later); several effects act on several actors.
#[test]
fn a_waiver_and_a_chain_turn_on_in_order() {
    let m = compile(&agreement_text(
        r#"
[[agreement]]
name = "waiver"
when = { at = 3.0 }
then = [{ actor = "US", grievance = 0.0, for_days = 10 }, { actor = "Iran", grievance = 0.1, for_days = 6 }]
[[agreement]]
name = "answer"
when = { agreement = "waiver", for_days = 2.0 }
then = { actor = "Iran", restraint = 1.0, for_days = 20 }
reversible = false
"#,
    ));
    let t = run(&m);
    let events = on_off(&t);
    assert_eq!(events[0], ("waiver".into(), 3.0, true), "{events:?}");
    assert_eq!(events[1], ("answer".into(), 5.0, true));
    assert_eq!(events[2], ("waiver".into(), 13.0, false));
    // A `when.at` step happens once: no renewal after day 13.
    assert_eq!(events.iter().filter(|e| e.0 == "waiver" && e.2).count(), 1);
    // Iran: grievance 0.3 → 0.1 on [3, 9), restraint 1.0 from 5.
    let k = 8; // day 8
    let x = |t: f64, x0: f64, a: f64, g: f64| g / a + (x0 - g / a) * (-a * t).exp();
    let x3 = x(3.0, 0.0, 0.5, 0.3);
    let x5 = x(2.0, x3, 0.5, 0.1);
    let x8 = x(3.0, x5, 1.0, 0.1);
    assert!((t.x[1][k] - x8).abs() < 1e-12, "{} vs {x8}", t.x[1][k]);
    // US: grievance 0 from day 3.
    let us8 = x(3.0, 0.0, 0.5, 0.2) * (-0.5 * 5.0_f64).exp();
    assert!((t.x[0][k] - us8).abs() < 1e-12);
}

/// A withdrawal undoes every effect at once: when the watched actor crosses
/// the rung, each actor's grievance (and coupling row) returns to the model's.
#[test]
fn a_withdrawal_undoes_every_effect() {
    let m = compile(&agreement_text(
        r#"
[coupling.US]
Iran = 0.0
[[agreement]]
name = "deal"
when = { actor = "Iran", below_rung = 1, for_days = 1.0 }
then = [{ actor = "US", grievance = 0.0, for_days = 50 }, { actor = "Iran", grievance = 0.0, coupling = { US = 0.1 }, for_days = 50 }]
"#,
    ));
    let t = run(&m);
    let events = on_off(&t);
    // Iran (g = 0.3, a = 0.5) reaches 0.5 at t = 2 ln(2.5)... but the deal
    // takes hold at day 1 first, with Iran below 0.5, and holds: grievances
    // off, Iran decays.
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].1, 1.0);
    assert!(t.final_x[1] < t.x[1][1]);
    // Now make Iran's rise outrun the hold: restraint lower, so it crosses
    // rung 1 before the deal's effects end and the deal is withdrawn.
    let fast = compile(&agreement_text(
        r#"
[[agreement]]
name = "deal"
when = { actor = "Iran", below_rung = 1, for_days = 0.5 }
then = [{ actor = "US", grievance = 0.0, for_days = 50 }, { actor = "Iran", grievance = 0.9, for_days = 50 }]
"#,
    ));
    let t = run(&fast);
    let events = on_off(&t);
    assert_eq!(events[0], ("deal".into(), 0.5, true), "{events:?}");
    assert!(!events[1].2);
    let off = events[1].1;
    // Iran crosses 0.5 under g = 0.9: x(t) = 1.8 − (1.8 − x0.5) e^{−0.5 (t − 0.5)}.
    let x05 = 0.6 * (1.0 - (-0.25_f64).exp());
    let cross = 0.5 + 2.0 * ((1.8 - x05) / (1.8 - 0.5_f64)).ln();
    assert!((off - cross).abs() < 1e-8, "{off} vs {cross}");
    // After the withdrawal both grievances are back: US rises again.
    let k = t.t.iter().position(|&s| s > off + 2.0).unwrap();
    let k0 = t.t.iter().position(|&s| s > off).unwrap();
    assert!(t.x[0][k] > t.x[0][k0]);
}

// ----------------------------------------------------------------- anxiety

fn anxiety_model(assures: &str) -> Model {
    compile(&format!(
        r#"
horizon = 20
[[actor]]
name = "A"
restraint = 0.5
anxiety = 0.3
[[actor]]
name = "B"
restraint = 0.5
anxiety = 0.3
[[actor]]
name = "Gulf"
restraint = 0.4
anxiety = 0.2
[ladder]
rungs = [{{ name = "low", from = 0 }}, {{ name = "high", from = 1e9 }}]
[[phase]]
name = "truce"
start = 5
end = 12
gain = 0.5
parties = ["A", "B"]
{assures}
"#
    ))
}

/// Anxiety raises the grievance of exactly the outsiders of an active
/// phase, only while it is active; `assures` removes it.
#[test]
fn anxiety_applies_to_outsiders_of_an_active_phase_only() {
    let t = run(&anxiety_model(""));
    // Parties never move; the Gulf follows 0.2/0.4 (1 − e^{−0.4 (t − 5)}) on [5, 12).
    assert!(t.x[0].iter().chain(&t.x[1]).all(|&x| x == 0.0));
    for (k, &time) in t.t.iter().enumerate() {
        let want = if time <= 5.0 {
            0.0
        } else if time <= 12.0 {
            0.5 * (1.0 - (-0.4 * (time - 5.0)).exp())
        } else {
            0.5 * (1.0 - (-0.4 * 7.0_f64).exp()) * (-0.4 * (time - 12.0)).exp()
        };
        assert!((t.x[2][k] - want).abs() < 1e-12, "day {time}");
    }
    let assured = run(&anxiety_model("assures = [\"Gulf\"]"));
    assert!(assured.x[2].iter().all(|&x| x == 0.0));
}

// ------------------------------------------------------------------- peace

/// After `after_days` of quiet a positive grievance decays at ε:
/// `x' = −a x + g e^{−ε (t − D)}`, solved in closed form, to 1e-9; the
/// cost is lower than without `[peace]`.
#[test]
fn a_long_quiet_lets_grievances_decay() {
    let text = |peace: &str| {
        format!(
            r#"
horizon = 30
[[actor]]
name = "A"
restraint = 0.5
grievance = 0.2
{peace}
"#
        )
    };
    let m = compile(&text("[peace]\nafter_days = 5\ngrievance_decay = 0.3"));
    let t = run(&m);
    let (a, g, eps, d) = (0.5_f64, 0.2_f64, 0.3_f64, 5.0_f64);
    let xd = g / a * (1.0 - (-a * d).exp());
    for (k, &time) in t.t.iter().enumerate() {
        let want = if time <= d {
            g / a * (1.0 - (-a * time).exp())
        } else {
            let s = time - d;
            // Particular solution g e^{−εs}/(a − ε), plus the homogeneous part.
            let p = g / (a - eps);
            p * (-eps * s).exp() + (xd - p) * (-a * s).exp()
        };
        assert!(
            (t.x[0][k] - want).abs() < 1e-9,
            "day {time}: {} vs {want}",
            t.x[0][k]
        );
    }
    assert!(
        t.events
            .iter()
            .any(|e| matches!(e.kind, EventKind::PeaceHolds) && (e.t - 5.0).abs() < 1e-12)
    );
    let without = run(&compile(&text("")));
    assert!(t.cost[0] < without.cost[0]);
}
