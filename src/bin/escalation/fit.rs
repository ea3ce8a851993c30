use std::io::Write;
use std::path::PathBuf;

use escalation::calibrate::{
    Group, Interval, PooledFit, Resampling, RichardsonFit, Series, TrajectoryFit, fit_pooled,
    fit_richardson,
};
use escalation::plot::{Figure, PooledFitPlot, RichardsonFitPlot};
use escalation::{Error, Result, output};

use crate::common::Heartbeat;

/// Which model to fit.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModelArg {
    /// One series, the sum of all groups: ΔU = slope·U_mid + intercept.
    Pooled,
    /// One equation per group: restraint, coupling, grievance.
    Richardson,
}

/// What the bootstrap resamples.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResampleArg {
    /// Residuals of the yearly changes, added to the fitted changes.
    Residuals,
    /// Whole yearly intervals, with replacement.
    Intervals,
}

/// `fit DATA.csv [--group NAME=COL+COL ...] [--model pooled|richardson] [--json]`
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Yearly data: CSV with a `year` column then one column per series;
    /// `#` lines are comments.
    data: PathBuf,
    /// A group summing columns, e.g. `Entente=France+Russia` (repeat for
    /// each group). Default: every column is its own group.
    #[arg(long, value_name = "NAME=COL+COL")]
    group: Vec<String>,
    /// Model: `pooled` (the sum of the groups) or `richardson` (per group).
    #[arg(long, value_enum, default_value_t = ModelArg::Pooled)]
    model: ModelArg,
    /// Print the fit as JSON.
    #[arg(long)]
    json: bool,
    /// Bootstrap resamples for the intervals (0: none; default 1000, fewer
    /// for long series: see the limits in docs/cli.md).
    #[arg(long, value_name = "N")]
    bootstrap: Option<usize>,
    /// Seed of the bootstrap.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Coverage of the intervals.
    #[arg(long, default_value_t = 0.95)]
    level: f64,
    /// What the bootstrap resamples.
    #[arg(long, value_enum, default_value_t = ResampleArg::Residuals)]
    resample: ResampleArg,
    /// Skip the trajectory-matching refinement.
    #[arg(long)]
    no_refine: bool,
    /// Write fit.png and fit.svg into DIR.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Unit of the data, for the plot's axes.
    #[arg(long, default_value = "data units")]
    units: String,
    /// Allow overwriting files in DIR that escalation did not create.
    #[arg(long)]
    force: bool,
    /// No progress lines on stderr.
    #[arg(long)]
    quiet: bool,
}

/// Residuals printed year by year in the text output; longer series are
/// summarized (every residual is in `--json`).
pub const MAX_RESIDUALS_SHOWN: usize = 40;

pub fn run(a: Args) -> Result<()> {
    if let Some(dir) = &a.out {
        // Both targets are checked before any work or any write.
        output::OutputDir::create(dir, a.force)?.check_all(&["fit.png", "fit.svg"])?;
    }
    let heartbeat = Heartbeat::start("fit", a.quiet);
    let series = Series::from_path(&a.data)?;
    let groups = if a.group.is_empty() {
        Group::each_column(&series)
    } else {
        a.group
            .iter()
            .map(|s| Group::parse(s))
            .collect::<Result<Vec<_>>>()?
    };
    let data = series.grouped(&groups)?;
    let n = match a.model {
        ModelArg::Pooled => 1,
        ModelArg::Richardson => data.n(),
    };
    let plan = escalation::json::FitPlan::new(
        n,
        series.len(),
        a.bootstrap,
        a.seed,
        a.level,
        match a.resample {
            ResampleArg::Residuals => Resampling::Residuals,
            ResampleArg::Intervals => Resampling::Intervals,
        },
        !a.no_refine,
    )?;
    let (opts, notes) = (plan.options, plan.notes);
    let stdout = std::io::stdout();
    let mut w = std::io::BufWriter::new(stdout.lock());
    let mut text = String::new();
    let json = |v: serde_json::Value| -> Result<String> {
        serde_json::to_string_pretty(&escalation::json::fit(v, &notes))
            .map_err(|e| Error::numerical(format!("JSON output: {e}")))
    };
    match a.model {
        ModelArg::Pooled => {
            let fit = fit_pooled(&data, &opts)?;
            drop(heartbeat);
            write_plot(&a, |p| PooledFitPlot::new(&fit, &a.units).save(p))?;
            if a.json {
                text = json(fit.to_json())?;
            } else {
                pooled_text(&mut text, &series, &fit);
            }
        }
        ModelArg::Richardson => {
            let fit = fit_richardson(&data, &opts)?;
            drop(heartbeat);
            write_plot(&a, |p| RichardsonFitPlot::new(&fit, &a.units).save(p))?;
            if a.json {
                text = json(fit.to_json())?;
            } else {
                richardson_text(&mut text, &series, &fit);
            }
        }
    }
    if !a.json {
        for note in &notes {
            text.push_str(&format!("note: {note}\n"));
        }
    }
    let io = |source| Error::Io {
        action: "cannot write",
        path: "standard output".into(),
        source,
    };
    writeln!(w, "{}", text.trim_end()).map_err(io)?;
    w.flush().map_err(io)
}

fn write_plot(a: &Args, draw: impl Fn(&std::path::Path) -> Result<()>) -> Result<()> {
    if let Some(dir) = &a.out {
        let out = output::OutputDir::create(dir, a.force)?;
        for name in ["fit.png", "fit.svg"] {
            out.write_with(name, &draw)?;
        }
        eprintln!("wrote {}", out.dir().display());
    }
    Ok(())
}

fn header(s: &mut String, series: &Series, n_changes: usize) {
    let years = (series.years[0], series.years[series.len() - 1]);
    s.push_str(&format!(
        "data: {} ({}–{}, {n_changes} yearly changes)\n",
        series
            .file
            .as_ref()
            .map_or_else(|| "-".into(), |p| p.display().to_string()),
        years.0,
        years.1
    ));
    for note in &series.notes {
        s.push_str(&format!("  # {note}\n"));
    }
}

fn iv(i: Option<Interval>, level: f64) -> String {
    i.map_or_else(String::new, |i| {
        format!("   {:.0}% [{}, {}]", level * 100.0, g(i.lo), g(i.hi))
    })
}

/// A number with 4 significant digits, without exponent for ordinary sizes.
fn g(v: f64) -> String {
    if v == 0.0 || (1e-3..1e7).contains(&v.abs()) {
        let digits = (3 - v.abs().log10().floor() as i32).clamp(0, 6) as usize;
        format!("{v:.digits$}")
    } else {
        format!("{v:.3e}")
    }
}

fn support_text(support: Option<f64>, resamples: usize) -> String {
    support.map_or_else(String::new, |s| {
        format!("; {:.1}% of {resamples} resamples agree", s * 100.0)
    })
}

fn pooled_text(s: &mut String, series: &Series, f: &PooledFit) {
    header(s, series, f.change.len());
    s.push_str(&format!("total U = {}\n", f.columns().join(" + ")));
    s.push_str("Richardson's method (yearly change on the mid-interval level):\n");
    let r2 =
        f.r2.map_or_else(|| "undefined".into(), |r| format!("{r:.4}"));
    s.push_str(&format!(
        "  ΔU = {} × U_mid {} {}   R² = {r2}\n",
        g(f.slope),
        if f.intercept < 0.0 { "−" } else { "+" },
        g(f.intercept.abs())
    ));
    let level = f.bootstrap.level;
    s.push_str(&format!(
        "  slope      {} /year{}\n",
        g(f.slope),
        iv(f.intervals.map(|i| i.slope), level)
    ));
    s.push_str(&format!(
        "  intercept  {} /year{}\n",
        g(f.intercept),
        iv(f.intervals.map(|i| i.intercept), level)
    ));
    bootstrap_line(s, &f.bootstrap);
    match f.equilibrium {
        Some(e) => s.push_str(&format!("  equilibrium U* = {}\n", g(e))),
        None => s.push_str("  no equilibrium (zero slope)\n"),
    }
    let why = match f.verdict {
        escalation::analysis::Verdict::Explosive => {
            "slope > 0: the equilibrium is unstable, the total runs away from it"
        }
        escalation::analysis::Verdict::Stable => "slope < 0: the total returns to the equilibrium",
        escalation::analysis::Verdict::Marginal => "zero slope",
    };
    s.push_str(&format!(
        "  verdict: {} ({why}){}\n",
        f.verdict,
        support_text(f.verdict_support, f.bootstrap.used)
    ));
    if let Some(t) = &f.trajectory {
        s.push_str(
            "trajectory matching (least squares on the path of dU/dt = slope·U + intercept):\n",
        );
        s.push_str(&format!(
            "  slope {} /year, intercept {} /year, U({}) = {}\n",
            g(t.system[(0, 0)]),
            g(t.drive[0]),
            t.start_year,
            g(t.initial[0])
        ));
        if let Some(e) = &t.equilibrium {
            s.push_str(&format!(
                "  equilibrium U* = {}, verdict: {}\n",
                g(e[0]),
                t.verdict
            ));
        }
        trajectory_lines(s, t, &["total".into()]);
    }
}

fn bootstrap_line(s: &mut String, b: &escalation::calibrate::BootstrapSummary) {
    match &b.note {
        Some(note) => s.push_str(&format!("  (no intervals: {note})\n")),
        None => s.push_str(&format!(
            "  (percentile intervals from {} {} resamples, seed {}{})\n",
            b.used,
            match b.method {
                Resampling::Residuals => "residual",
                Resampling::Intervals => "interval",
            },
            b.seed,
            if b.skipped > 0 {
                format!(", {} singular skipped", b.skipped)
            } else {
                String::new()
            }
        )),
    }
}

fn trajectory_lines(s: &mut String, t: &TrajectoryFit, names: &[String]) {
    s.push_str(&format!(
        "  SSE {} → {} ({:.1}% lower), R² on levels {}, {} iterations{}\n",
        g(t.sse_start),
        g(t.sse),
        100.0 * t.improvement(),
        t.r2.map_or_else(|| "undefined".into(), |r| format!("{r:.4}")),
        t.iterations,
        if t.converged { "" } else { " (not converged)" }
    ));
    let rows = t.residuals.nrows();
    for (i, name) in names.iter().enumerate() {
        if rows > MAX_RESIDUALS_SHOWN {
            // A long series: a summary, not one enormous line.
            let col = t.residuals.column(i);
            let rms = (col.iter().map(|r| r * r).sum::<f64>() / rows as f64).sqrt();
            let (k, worst) = col.iter().enumerate().fold((0, 0.0f64), |b, (k, r)| {
                if r.abs() > b.1.abs() { (k, *r) } else { b }
            });
            s.push_str(&format!(
                "  residuals {name}: {rows} years, RMS {}, largest {} in {} (all of them with --json)\n",
                g(rms),
                g(worst),
                t.start_year + k as i32
            ));
            continue;
        }
        let res: Vec<String> = (0..rows)
            .map(|k| format!("{} {:+.1}", t.start_year + k as i32, t.residuals[(k, i)]))
            .collect();
        // Ten years a line.
        let lines: Vec<String> = res.chunks(10).map(|c| c.join(", ")).collect();
        s.push_str(&format!("  residuals {name}: {}\n", lines.join(",\n    ")));
    }
}

fn richardson_text(s: &mut String, series: &Series, f: &RichardsonFit) {
    header(s, series, f.change.nrows());
    let names = f.names();
    let level = f.bootstrap.level;
    s.push_str("Richardson's method, one equation per group (Δx_i = -a_i·x_i + Σ K_ij·x_j + g_i on mid-interval levels):\n");
    for (i, grp) in f.groups.iter().enumerate() {
        let r2 = f.r2[i].map_or_else(|| "undefined".into(), |r| format!("{r:.4}"));
        s.push_str(&format!(
            "  {} = {}   R² = {r2}\n",
            grp.name,
            grp.columns.join(" + ")
        ));
        let ivs = f.intervals.as_ref();
        s.push_str(&format!(
            "    restraint a     {} /year{}\n",
            g(f.restraint[i]),
            iv(ivs.map(|v| v.restraint[i]), level)
        ));
        for (j, other) in names.iter().enumerate().filter(|(j, _)| *j != i) {
            s.push_str(&format!(
                "    coupling to {other}  {} /year{}\n",
                g(f.coupling[(i, j)]),
                iv(ivs.and_then(|v| v.coupling[i][j]), level)
            ));
        }
        s.push_str(&format!(
            "    grievance g     {} /year{}\n",
            g(f.grievance[i]),
            iv(ivs.map(|v| v.grievance[i]), level)
        ));
    }
    bootstrap_line(s, &f.bootstrap);
    match &f.equilibrium {
        Some(e) => {
            let parts: Vec<String> = names
                .iter()
                .zip(e.iter())
                .map(|(n, v)| format!("{n} {}", g(*v)))
                .collect();
            s.push_str(&format!("  equilibrium: {}\n", parts.join(", ")));
        }
        None => s.push_str("  no isolated equilibrium (singular system)\n"),
    }
    let ev: Vec<String> = f
        .eigenvalues
        .iter()
        .map(|(re, im)| {
            if *im == 0.0 {
                g(*re)
            } else {
                format!(
                    "{} {} {}i",
                    g(*re),
                    if *im < 0.0 { "−" } else { "+" },
                    g(im.abs())
                )
            }
        })
        .collect();
    s.push_str(&format!(
        "  eigenvalues (1/year): {}\n  verdict: {}{}\n",
        ev.join(", "),
        f.verdict,
        support_text(f.verdict_support, f.bootstrap.used)
    ));
    if let Some(t) = &f.trajectory {
        s.push_str("trajectory matching (least squares on the path of the continuous system):\n");
        for (i, name) in names.iter().enumerate() {
            let k: Vec<String> = names
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(j, o)| format!("K to {o} {}", g(t.system[(i, j)])))
                .collect();
            s.push_str(&format!(
                "  {name}: a {}, {}, g {}, x({}) = {}\n",
                g(-t.system[(i, i)]),
                k.join(", "),
                g(t.drive[i]),
                t.start_year,
                g(t.initial[i])
            ));
        }
        s.push_str(&format!("  verdict: {}\n", t.verdict));
        trajectory_lines(s, t, &names);
    }
}
