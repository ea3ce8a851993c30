use std::io::Write;
use std::path::PathBuf;

use escalation::analysis::{DelayMargin, Report, analyze};
use escalation::{Error, Result};

/// `analyze SCENARIO [--json]`: linear stability analysis at the baseline gain.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Scenario file (TOML, or JSON with a .json extension).
    scenario: PathBuf,
    /// Print the analysis as JSON.
    #[arg(long)]
    json: bool,
}

fn opt(v: Option<f64>, unit: &str) -> String {
    v.map_or_else(|| "none".to_string(), |x| format!("{}{unit}", F(x, 6)))
}

/// A number with `.1` decimals, in scientific notation from 1e15 up (so that
/// 1e300 does not print as 301 digits).
struct F(f64, usize);

impl std::fmt::Display for F {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (v, p) = (self.0, self.1);
        if v.is_finite() && v.abs() >= 1e15 {
            write!(f, "{v:.p$e}")
        } else {
            write!(f, "{v:.p$}")
        }
    }
}

fn text(r: &Report, name: &str, w: &mut impl Write) -> std::io::Result<()> {
    writeln!(
        w,
        "scenario: {}",
        if name.is_empty() { "(unnamed)" } else { name }
    )?;
    writeln!(
        w,
        "model: {}, {} actors, gain {}",
        r.model,
        r.actors.len(),
        escalation::error::num(r.gain)
    )?;
    match &r.equilibrium {
        Some(x) => {
            writeln!(w, "equilibrium:")?;
            for (a, v) in r.actors.iter().zip(x) {
                writeln!(w, "  {a}: {}", F(*v, 4))?;
            }
            let peace = if r.negative_peace { "yes" } else { "no" };
            writeln!(
                w,
                "negative peace (all below rung {}): {peace}",
                r.breach_rung
            )?;
        }
        None => writeln!(w, "equilibrium: none (singular system)")?,
    }
    writeln!(
        w,
        "verdict: {} (spectral abscissa {} 1/day)",
        r.verdict,
        F(r.spectral_abscissa, 6)
    )?;
    if let Some(t) = r.doubling_time {
        writeln!(w, "  intensities double every {t:.3} days")?;
    }
    writeln!(w, "eigenvalues (1/day):")?;
    for [re, im] in &r.eigenvalues {
        if *im == 0.0 {
            writeln!(w, "  {}", F(*re, 6))?;
        } else {
            writeln!(
                w,
                "  {} {} {}i",
                F(*re, 6),
                if *im < 0.0 { '-' } else { '+' },
                F(im.abs(), 6)
            )?;
        }
    }
    write!(w, "critical gain: {}", opt(r.critical_gain, ""))?;
    match r.crossing {
        Some(kind) => writeln!(w, " ({kind} crossing)")?,
        None => writeln!(w)?,
    }
    writeln!(
        w,
        "gain margin: {} ({} dB)",
        opt(r.gain_margin, "×"),
        opt(r.gain_margin_db, "")
    )?;
    writeln!(w, "leading mode, participation:")?;
    for a in &r.dominant_actors {
        writeln!(w, "  {}: {:.1}%", a.actor, 100.0 * a.participation)?;
    }
    if let Some(s) = &r.sampled {
        writeln!(
            w,
            "sampled loop (period {} days, lag {}, derivative {} days):",
            s.period, s.lag, s.derivative
        )?;
        writeln!(
            w,
            "  spectral radius: {} ({})",
            F(s.spectral_radius, 6),
            s.verdict
        )?;
        writeln!(w, "  critical gain: {}", opt(s.critical_gain, ""))?;
        let dm = match s.delay_margin {
            DelayMargin::AllStable => "every lag is stable".to_string(),
            DelayMargin::Largest(l) => format!("stable up to a lag of {l} periods"),
            DelayMargin::AtLeast(l) => format!("stable up to at least {l} periods"),
            DelayMargin::Unstable => "unstable even without lag".to_string(),
        };
        writeln!(w, "  delay margin: {dm}")?;
        if let Some(f) = &s.sensitized {
            writeln!(
                w,
                "  fully sensitized (derivative {:.4} days): spectral radius {:.6} ({}), critical gain {}",
                f.derivative,
                f.spectral_radius,
                f.verdict,
                opt(f.critical_gain, "")
            )?;
        }
    }
    if let Some(folds) = &r.folds {
        if folds.is_empty() {
            writeln!(w, "tipping points: none")?;
        }
        for f in folds {
            let dir = if f.increasing { "raising" } else { "lowering" };
            let jump = if f.escalation {
                "escalates"
            } else {
                "de-escalates"
            };
            let to = if f.to.is_some() { "" } else { " (explodes)" };
            writeln!(
                w,
                "tipping point: {dir} the gain past {}, the loop {jump}{to}",
                F(f.gain, 6)
            )?;
        }
    }
    if let Some(h) = &r.hysteresis {
        writeln!(
            w,
            "hysteresis: escalates at {}, de-escalates only below {} (width {})",
            F(h.escalation_gain, 6),
            F(h.deescalation_gain, 6),
            F(h.width, 6)
        )?;
    }
    for p in &r.phases {
        writeln!(w, "phase {}:", p.phase)?;
        let stages = [
            ("during", Some(&p.during)),
            ("verified", p.verified.as_ref()),
            ("after", Some(&p.after)),
        ];
        for (name, stage) in stages {
            let Some(s) = stage else { continue };
            let measure = match s.spectral_radius {
                Some(rho) => format!("spectral radius {}", F(rho, 6)),
                None => format!("spectral abscissa {} 1/day", F(s.spectral_abscissa, 6)),
            };
            writeln!(
                w,
                "  {name}: {} ({measure}), gain margin {}",
                s.verdict,
                opt(s.gain_margin, "×")
            )?;
        }
        for t in p.blame_threshold.iter().flatten() {
            let m = match (t.magnitude, &t.breaker) {
                (Some(m), Some(b)) => format!("{} (then {b} reaches the breach rung)", F(m, 4)),
                _ => "no attack breaks it".to_string(),
            };
            writeln!(
                w,
                "  blame threshold, attack on {} blamed on {}: {m}",
                t.victim, t.accused
            )?;
        }
    }
    for note in &r.notes {
        writeln!(w, "note: {note}")?;
    }
    Ok(())
}

pub fn run(a: Args) -> Result<()> {
    let (_, model) = crate::load(&a.scenario)?;
    let report = analyze(&model)?;
    let stdout = std::io::stdout();
    let mut w = stdout.lock();
    let io = |source| Error::Io {
        action: "cannot write",
        path: "standard output".into(),
        source,
    };
    if a.json {
        writeln!(w, "{}", report.to_json()?).map_err(io)?;
    } else {
        text(&report, &model.name, &mut w).map_err(io)?;
    }
    Ok(())
}
