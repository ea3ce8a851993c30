//! The essay's claims put to the test: each claim the model can test is a
//! paired experiment on the Islamabad scenario (treatment against control,
//! common random numbers: run `r` of both arms draws from the same
//! streams), printed as one Markdown table with the paired difference in
//! the probability that the ceasefire holds (extended or expired), its
//! Newcombe 95% interval, a verdict, and where on a context parameter the
//! verdict reverses (a paired sweep). Claims that need a mechanism the
//! model does not have yet are listed as pending.
//!
//! ```sh
//! cargo run --release --example essay_claims
//! ```
//!
//! Adding a claim is one entry in [`claims`]; `docs/claims.md` holds the table.

use std::time::Instant;

use escalation::experiments::compare::{Arm, CompareOptions, compare};
use escalation::experiments::paired::{PairedCounts, newcombe_interval};
use escalation::prelude::*;
use escalation::sweep::Param;

const ISLAMABAD: &str = include_str!("scenarios/islamabad.toml");
/// Paired runs of each claim's experiment.
const RUNS: u64 = 2000;
/// Points of each reversal sweep, and paired runs per point.
const SWEEP_POINTS: usize = 5;
const SWEEP_RUNS: u64 = 600;
const SEED: u64 = 2025;

/// How a claim's arms are built from the scenario.
enum Arms {
    /// Control and treatment models from the scenario, and how each reads.
    Paired {
        control: &'static str,
        treatment: &'static str,
        build: fn(&Model) -> Result<(Model, Model)>,
    },
    /// "Extension is the most probable outcome": P(extended) against the
    /// next most probable outcome, on the same runs of the scenario.
    MostProbable,
    /// The model lacks the mechanism (being added).
    #[allow(dead_code)] // every claim of the essay is testable now; kept for the next one
    Pending(&'static str),
}

struct Claim {
    text: &'static str,
    arms: Arms,
    /// Context parameter swept for a reversal: path, low, high.
    context: Option<(&'static str, f64, f64)>,
}

fn set(m: &Model, path: &str, v: f64) -> Result<Model> {
    let mut out = m.clone();
    let p = Param::parse(path, m)?;
    p.check(v)?;
    p.apply(&mut out, v);
    Ok(out)
}

/// Every claim, in the essay's order. One entry per claim.
fn claims() -> Vec<Claim> {
    vec![
        Claim {
            text: "A ceasefire works by lowering the loop gain",
            arms: Arms::Paired {
                control: "ceasefire gain 1.0",
                treatment: "gain 0.75",
                build: |m| Ok((set(m, "phase.ceasefire.gain", 1.0)?, m.clone())),
            },
            context: Some(("coupling.Iran.US", 0.15, 0.6)),
        },
        Claim {
            text: "The attribution gap breaks ceasefires; a hotline closes it",
            arms: Arms::Paired {
                control: "no hotline",
                treatment: "hotline",
                build: |m| {
                    let mut c = m.clone();
                    c.hotline = None;
                    Ok((c, m.clone()))
                },
            },
            context: Some(("spoilers.attribution", 0.3, 0.95)),
        },
        Claim {
            text: "De-confliction zones keep skirmishes from escalating",
            arms: Arms::Paired {
                control: "no de-confliction",
                treatment: "de-confliction 0.5",
                build: |m| Ok((set(m, "phase.ceasefire.deconfliction", 0.0)?, m.clone())),
            },
            context: Some(("incidents.rate", 0.005, 0.1)),
        },
        Claim {
            text: "Holding patrons accountable for proxies brings restraint",
            arms: Arms::Paired {
                control: "not accountable, no extra control",
                treatment: "accountable, proxy control 0.7",
                build: |m| {
                    let mut c = m.clone();
                    for p in &mut c.phases {
                        p.accountable = false;
                        p.proxy_control = None;
                    }
                    Ok((c, m.clone()))
                },
            },
            context: Some(("actor.Proxy.grievance", 0.05, 0.6)),
        },
        Claim {
            text: "Passing the verification test builds trust that holds the deal",
            arms: Arms::Paired {
                control: "no trust gain (gain stays 0.75)",
                treatment: "verified gain 0.6",
                build: |m| Ok((set(m, "phase.ceasefire.verified_gain", 0.75)?, m.clone())),
            },
            context: Some(("spoilers.phase_rate", 0.05, 0.6)),
        },
        Claim {
            text: "Reversible tiers are more resilient than one irreversible treaty (they allow immediate reversal)",
            arms: Arms::Paired {
                control: "the same tiers, irreversible",
                treatment: "reversible tiers",
                build: |m| {
                    let mut c = m.clone();
                    for a in &mut c.agreements {
                        a.reversible = false;
                    }
                    Ok((c, m.clone()))
                },
            },
            context: Some(("spoilers.magnitude", 1.0, 6.0)),
        },
        Claim {
            text: "A third-party guarantee makes breaking the deal costly",
            arms: Arms::Paired {
                control: "no guarantee",
                treatment: "guarantee 0.05/day",
                build: |m| Ok((set(m, "phase.ceasefire.guarantee", 0.0)?, m.clone())),
            },
            context: Some(("actor.Iran.restraint", 0.25, 0.6)),
        },
        Claim {
            text: "Extension is the most probable outcome",
            arms: Arms::MostProbable,
            context: Some(("spoilers.phase_rate", 0.05, 0.6)),
        },
        Claim {
            text: "Repositioning under cover of the pause (the tactical reset) undermines the deal",
            arms: Arms::Paired {
                control: "reset as in the scenario",
                treatment: "no reset",
                build: |m| {
                    let mut t = m.clone();
                    t.resets.clear();
                    Ok((m.clone(), t))
                },
            },
            context: Some(("phase.ceasefire.surveillance", 0.0, 1.0)),
        },
        Claim {
            text: "A limited waiver beats relief that is only conditional",
            arms: Arms::Paired {
                control: "conditional tiers only",
                treatment: "with the limited waiver",
                build: |m| {
                    let mut c = m.clone();
                    c.agreements.retain(|a| {
                        a.name != "limited waiver" && a.name != "restraint for the waiver"
                    });
                    Ok((c, m.clone()))
                },
            },
            context: Some(("spoilers.magnitude", 1.0, 6.0)),
        },
        Claim {
            text: "Regional anxiety undermines the deal; assurances contain it",
            arms: Arms::Paired {
                control: "outsiders not assured",
                treatment: "the deal assures them",
                build: |m| {
                    let mut t = m.clone();
                    t.phases[0].assures = t.anxiety.iter().map(|a| a.actor).collect();
                    Ok((m.clone(), t))
                },
            },
            context: Some(("actor.Israel.anxiety", 0.0, 0.1)),
        },
        Claim {
            text: "Decision makers adapt, and adaptation erodes a fragile truce",
            arms: Arms::Paired {
                control: "adaptation as in the scenario",
                treatment: "no adaptation",
                build: |m| {
                    let mut t = m.clone();
                    if let Some(c) = t.controller.as_mut() {
                        c.adaptation = None;
                    }
                    Ok((m.clone(), t))
                },
            },
            context: Some(("controller.adaptation.floor", 0.05, 0.5)),
        },
        Claim {
            text: "Hardliners inside a party spoil from within",
            arms: Arms::Paired {
                control: "hardliners as in the scenario",
                treatment: "no hardliners",
                build: |m| {
                    let mut t = m.clone();
                    t.hardliners.clear();
                    Ok((m.clone(), t))
                },
            },
            context: Some(("actor.Iran.hardliners.weight", 0.0, 1.0)),
        },
        Claim {
            text: "A ceasefire that holds can become a peace",
            arms: Arms::Paired {
                control: "no [peace]",
                treatment: "[peace] (grievances fade after 10 quiet days)",
                build: |m| {
                    let mut c = m.clone();
                    c.peace = None;
                    Ok((c, m.clone()))
                },
            },
            context: Some(("peace.grievance_decay", 0.01, 0.3)),
        },
    ]
}

/// The verdict on a difference that should be positive.
fn verdict(interval: [f64; 2]) -> &'static str {
    if interval[0] > 0.0 {
        "supported"
    } else if interval[1] < 0.0 {
        "reversed"
    } else {
        "not distinguishable"
    }
}

/// Paired difference in P(held), treatment − control, with its interval.
fn held_difference(control: &Model, treatment: &Model, runs: u64) -> Result<(f64, f64, [f64; 2])> {
    let opts = CompareOptions {
        runs,
        seed: Some(SEED),
        ..Default::default()
    };
    let s = compare(
        &Arm::new("control", control.clone()),
        &Arm::new("treatment", treatment.clone()),
        &opts,
        None,
    )?;
    let r = s.report(0.95)?;
    let f = |v: &serde_json::Value| v.as_f64().unwrap_or(f64::NAN);
    let d = &r["difference"]["held"];
    Ok((
        f(&r["arms"][0]["outcomes"]["held"]),
        f(&r["arms"][1]["outcomes"]["held"]),
        [f(&d["interval"][0]), f(&d["interval"][1])],
    ))
}

/// P(extended) against the next most probable outcome on the same runs:
/// a multinomial difference, Newcombe's paired interval with b = extended
/// runs, c = runs of the other outcome.
fn most_probable(model: &Model, runs: u64) -> Result<(String, f64, f64, [f64; 2])> {
    let opts = EnsembleOptions {
        runs,
        seed: Some(SEED),
        ..Default::default()
    };
    let s = run_ensemble(model, &opts, None)?;
    let ext = s.count(Outcome::Extended);
    let (other, c) = Outcome::ALL
        .iter()
        .filter(|o| **o != Outcome::Extended)
        .map(|&o| (o, s.count(o)))
        .max_by_key(|(_, c)| *c)
        .unwrap_or((Outcome::None, 0));
    let table = PairedCounts {
        both: 0,
        only_treatment: ext,
        only_control: c,
        neither: runs - ext - c,
    };
    let iv = newcombe_interval(&table, 0.95)?;
    Ok((
        other.name().to_string(),
        c as f64 / runs as f64,
        ext as f64 / runs as f64,
        iv,
    ))
}

/// The arms of a claim with the context parameter set to `v` in both.
fn arms_at(claim: &Claim, base: &Model, v: Option<f64>) -> Result<Option<(Model, Model)>> {
    let base = match (claim.context, v) {
        (Some((path, _, _)), Some(v)) => set(base, path, v)?,
        _ => base.clone(),
    };
    match &claim.arms {
        Arms::Paired { build, .. } => Ok(Some(build(&base)?)),
        _ => Ok(None),
    }
}

/// Where along the claim's context parameter the verdict is the opposite
/// of `main` (the verdict at the scenario's own value): reversed where the
/// claim is supported, supported where it is reversed.
fn reversal(claim: &Claim, base: &Model, main: &str) -> Result<String> {
    let Some((path, lo, hi)) = claim.context else {
        return Ok(String::new());
    };
    let mut reversed = Vec::new();
    let mut unclear = Vec::new();
    for k in 0..SWEEP_POINTS {
        let v = lo + (hi - lo) * k as f64 / (SWEEP_POINTS - 1) as f64;
        let iv = match arms_at(claim, base, Some(v))? {
            Some((c, t)) => held_difference(&c, &t, SWEEP_RUNS)?.2,
            None => most_probable(&set(base, path, v)?, SWEEP_RUNS)?.3,
        };
        match verdict(iv) {
            "not distinguishable" => unclear.push(v),
            here if here != main => reversed.push(v),
            _ => {}
        }
    }
    let list = |xs: &[f64]| {
        xs.iter()
            .map(|x| format!("{x:.3}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let opposite = if main == "reversed" {
        "supported"
    } else {
        "reversed"
    };
    Ok(if !reversed.is_empty() {
        format!("{opposite} at `{path}` = {}", list(&reversed))
    } else if !unclear.is_empty() {
        format!(
            "never {opposite} on `{path}` ∈ [{lo}, {hi}]; indistinct at {}",
            list(&unclear)
        )
    } else {
        format!("{main} on all of `{path}` ∈ [{lo}, {hi}]")
    })
}

fn pct(v: f64) -> String {
    format!("{:.1}%", 100.0 * v)
}

fn main() -> Result<()> {
    let start = Instant::now();
    let (_, model) = Scenario::compile_str(ISLAMABAD, Format::Toml)?;
    println!(
        "Claims on {} ({RUNS} paired runs each, seed {SEED}; reversal sweeps: {SWEEP_POINTS} points × {SWEEP_RUNS} paired runs).",
        model.name
    );
    println!(
        "Outcome: P(held) = P(the ceasefire held to its end, extended or not); difference = treatment − control.\n"
    );
    println!(
        "| claim | control | treatment | paired difference [95% CI] | verdict | reversal region |"
    );
    println!("|---|---|---|---|---|---|");
    for claim in claims() {
        let row = match &claim.arms {
            Arms::Pending(mech) => format!(
                "| {} | – | – | – | needs mechanism {mech} (pending) | – |",
                claim.text
            ),
            Arms::MostProbable => {
                let (other, p_other, p_ext, iv) = most_probable(&model, RUNS)?;
                format!(
                    "| {} | P({other}) {} | P(extended) {} | {:+.1} pp [{:+.1}, {:+.1}] | {} | {} |",
                    claim.text,
                    pct(p_other),
                    pct(p_ext),
                    100.0 * (p_ext - p_other),
                    100.0 * iv[0],
                    100.0 * iv[1],
                    verdict(iv),
                    reversal(&claim, &model, verdict(iv))?
                )
            }
            Arms::Paired {
                control, treatment, ..
            } => {
                let (c, t) = arms_at(&claim, &model, None)?
                    .ok_or_else(|| Error::invalid("claim", "no arms"))?;
                let (pc, pt, iv) = held_difference(&c, &t, RUNS)?;
                format!(
                    "| {} | {control}: {} | {treatment}: {} | {:+.1} pp [{:+.1}, {:+.1}] | {} | {} |",
                    claim.text,
                    pct(pc),
                    pct(pt),
                    100.0 * (pt - pc),
                    100.0 * iv[0],
                    100.0 * iv[1],
                    verdict(iv),
                    reversal(&claim, &model, verdict(iv))?
                )
            }
        };
        println!("{row}");
    }
    eprintln!("\n({:.1} s)", start.elapsed().as_secs_f64());
    Ok(())
}
