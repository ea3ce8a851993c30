use std::path::{Path, PathBuf};

use escalation::figures;
use escalation::model::Model;
use escalation::output::OutputDir;
use escalation::plot::{Figure, TrajectoryPlot};
use escalation::sim::{SimOptions, simulate};
use escalation::sweep::{Axis, Grid, Param, SpoilerField};
use escalation::{Error, Result};

use crate::common::{Progress, parse_axis, parse_grid, write_stdout};

/// Most cells of a stability map or heat map: the SVG holds one
/// rectangle per cell (about 90 bytes), so 250,000 cells make about 22 MB.
pub const MAX_PLOT_CELLS: usize = 250_000;
/// Most gains of a root locus.
pub const MAX_LOCUS_GAINS: usize = 100_000;

/// Refuses a map grid with more than [`MAX_PLOT_CELLS`] cells.
fn check_cells(grid: &Grid) -> Result<()> {
    if grid.len() > MAX_PLOT_CELLS {
        let dims: Vec<String> = grid.axes.iter().map(|a| a.count.to_string()).collect();
        return Err(escalation::error::Invalid::new(
            "--param",
            format!(
                "a map draws at most {MAX_PLOT_CELLS} cells (e.g. 500 × 500); use `sweep` for larger grids"
            ),
        )
        .value(format!("{} = {} cells", dims.join(" × "), grid.len()))
        .into());
    }
    Ok(())
}

/// The figure to draw.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// One run: intensities over the rung bands, phases and events.
    Trajectory,
    /// Two actors: vector field, nullclines, equilibria, trajectories.
    PhasePortrait,
    /// Verdict over two parameters with the stability boundary (--param twice).
    StabilityMap,
    /// Eigenvalues as the gain rises (--param gain=START:STOP:COUNT).
    RootLocus,
    /// Monte Carlo median and quantile bands over time (--runs, --seed).
    FanChart,
    /// Probability that the ceasefire fails over two parameters (--param twice, --runs).
    Heatmap,
    /// Equilibria against the gain (--param gain=START:STOP:COUNT).
    Bifurcation,
    /// Sensitivity indices with intervals, from a `sensitivity --json` report (--output NAME).
    Sensitivity,
    /// PRIM's coverage–density trade-off and chosen box, from a `discover --json` report.
    Prim,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Trajectory => "trajectory",
            Kind::PhasePortrait => "phase-portrait",
            Kind::StabilityMap => "stability-map",
            Kind::RootLocus => "root-locus",
            Kind::FanChart => "fan-chart",
            Kind::Heatmap => "heatmap",
            Kind::Bifurcation => "bifurcation",
            Kind::Sensitivity => "sensitivity",
            Kind::Prim => "prim",
        }
    }
}

/// `plot KIND SCENARIO --out DIR [--param …] [--runs N] [--seed S] [--force]`
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The figure.
    #[arg(value_enum)]
    kind: Kind,
    /// Scenario file (TOML, or JSON with a .json extension); for
    /// sensitivity and prim, the JSON report of `sensitivity --json` or
    /// `discover --json`.
    scenario: PathBuf,
    /// Write KIND.png and KIND.svg into DIR.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Axes PATH=START:STOP:COUNT: two for stability-map and heatmap,
    /// gain=START:STOP:COUNT for root-locus and bifurcation (default: around
    /// the scenario's values).
    #[arg(long = "param", value_name = "PATH=START:STOP:COUNT")]
    params: Vec<String>,
    /// Runs: of the fan chart (default 400), per heat-map cell (default 100).
    #[arg(long)]
    runs: Option<u64>,
    /// Seed of the run (trajectory) or ensemble (fan-chart, heatmap); default the scenario's.
    #[arg(long)]
    seed: Option<u64>,
    /// Allow overwriting files in DIR that escalation did not create.
    #[arg(long)]
    force: bool,
    /// Print the written files as JSON.
    #[arg(long)]
    json: bool,
    /// No progress bar.
    #[arg(long)]
    quiet: bool,
    /// The output whose indices a sensitivity plot shows (default: the first).
    #[arg(long, value_name = "NAME")]
    output: Option<String>,
}

pub fn run(a: Args) -> Result<()> {
    check_flags(&a)?;
    if matches!(a.kind, Kind::Sensitivity | Kind::Prim) {
        return report_plot(&a);
    }
    let (_, mut model) = crate::load(&a.scenario)?;
    if let Some(s) = a.seed {
        model.seed = s;
    }
    let kind = a.kind;
    let out = OutputDir::create(&a.out, a.force)?;
    // Both targets are checked before any work or any write.
    let png = format!("{}.png", kind.name());
    let svg = format!("{}.svg", kind.name());
    out.check_all(&[&png, &svg])?;
    let mut files = Vec::new();
    let mut write = |draw: &dyn Fn(&Path) -> Result<()>| -> Result<()> {
        for ext in ["png", "svg"] {
            files.push(out.write_with(&format!("{}.{ext}", kind.name()), draw)?);
        }
        Ok(())
    };
    match kind {
        Kind::Trajectory => {
            let run = simulate(&model, &SimOptions::default())?;
            write(&|p| TrajectoryPlot::new(&run, &model).save(p))?;
        }
        Kind::PhasePortrait => {
            let data = figures::phase_portrait(&model)?;
            write(&|p| data.save(p))?;
        }
        Kind::StabilityMap => {
            let grid = map_grid(&a.params, &model, figures::default_map_grid)?;
            check_cells(&grid)?;
            let data = figures::stability_map(&model, &grid)?;
            write(&|p| data.save(p))?;
        }
        Kind::RootLocus => {
            let gains = match gain_axis(&a.params, &model)? {
                Some(ax) if ax.count > MAX_LOCUS_GAINS => {
                    return Err(escalation::error::Invalid::new(
                        "--param",
                        format!("a root locus draws at most {MAX_LOCUS_GAINS} gains"),
                    )
                    .value(ax.count)
                    .into());
                }
                Some(ax) => (0..ax.count).map(|k| ax.value(k)).collect(),
                None => figures::default_gains(&model)?,
            };
            let data = figures::root_locus(&model, &gains)?;
            write(&|p| data.save(p))?;
        }
        Kind::Bifurcation => {
            let range = match gain_axis(&a.params, &model)? {
                Some(ax) => (ax.start, ax.stop),
                None => figures::default_gamma_range(&model)?,
            };
            let data = figures::bifurcation(&model, range)?;
            write(&|p| data.save(p))?;
        }
        // Drawn from a saved report before any scenario is read (above).
        Kind::Sensitivity | Kind::Prim => return report_plot(&a),
        Kind::FanChart => {
            let runs = a.runs.unwrap_or(400);
            let bar = Progress::new(runs, a.quiet, "runs");
            let tick = |n: u64| bar.inc(n);
            let data = figures::fan_chart(&model, runs, model.seed, Some(&tick))?;
            bar.finish();
            write(&|p| data.save(p))?;
        }
        Kind::Heatmap => {
            let grid = map_grid(&a.params, &model, figures::default_heatmap_grid)?;
            check_cells(&grid)?;
            let runs = a.runs.unwrap_or(100);
            if runs == 0 {
                return Err(Error::invalid("--runs", "must be at least 1"));
            }
            if let (Some(h), true) = (
                model
                    .hotline
                    .as_ref()
                    .and_then(|h| h.attribution.map(|p| (h.start, p))),
                grid.axes
                    .iter()
                    .any(|x| x.param == Param::Spoilers(SpoilerField::Attribution)),
            ) {
                eprintln!(
                    "note: the hotline's attribution ({}) replaces spoilers.attribution from day {}",
                    h.1, h.0
                );
            }
            let bar = Progress::new(runs.saturating_mul(grid.len() as u64), a.quiet, "runs");
            let tick = |n: u64| bar.inc(n);
            let data = figures::collapse_heatmap(&model, &grid, runs, Some(&tick))?;
            bar.finish();
            write(&|p| data.save(p))?;
        }
    }
    let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    if a.json {
        let v = serde_json::json!({ "kind": kind.name(), "files": names });
        write_stdout(&format!("{v}\n"))
    } else {
        write_stdout(&format!("wrote {}\n", names.join(" and ")))
    }
}

/// Rejects flags the kind does not use, so a typo never passes silently.
fn check_flags(a: &Args) -> Result<()> {
    let takes_params = matches!(
        a.kind,
        Kind::StabilityMap | Kind::Heatmap | Kind::RootLocus | Kind::Bifurcation
    );
    let takes_runs = matches!(a.kind, Kind::FanChart | Kind::Heatmap);
    let takes_seed = matches!(a.kind, Kind::Trajectory | Kind::FanChart | Kind::Heatmap);
    let refuse = |flag: &str| {
        Err(Error::invalid(
            flag,
            format!("is not used by `plot {}`", a.kind.name()),
        ))
    };
    if !takes_params && !a.params.is_empty() {
        return refuse("--param");
    }
    if !takes_runs && a.runs.is_some() {
        return refuse("--runs");
    }
    if !takes_seed && a.seed.is_some() {
        return refuse("--seed");
    }
    if a.kind != Kind::Sensitivity && a.output.is_some() {
        return refuse("--output");
    }
    Ok(())
}

/// `plot sensitivity REPORT.json` and `plot prim REPORT.json`: figures of
/// a saved report, so that no analysis runs twice.
fn report_plot(a: &Args) -> Result<()> {
    let text =
        escalation::output::read_capped(&a.scenario, escalation::output::MAX_DATA_BYTES, "report")?;
    let report: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        Error::invalid(
            "report",
            format!(
                "{}: not a JSON report of `{} --json`: {e}",
                a.scenario.display(),
                if a.kind == Kind::Prim {
                    "discover"
                } else {
                    "sensitivity"
                }
            ),
        )
    })?;
    let out = OutputDir::create(&a.out, a.force)?;
    let name = a.kind.name();
    let (png, svg) = (format!("{name}.png"), format!("{name}.svg"));
    out.check_all(&[&png, &svg])?;
    let mut files = Vec::new();
    if a.kind == Kind::Prim {
        let fig = escalation::plot::PrimPlot::from_report(&report)?;
        for f in [&png, &svg] {
            files.push(out.write_with(f, |p: &Path| fig.save(p))?);
        }
    } else {
        let fig = escalation::plot::SensitivityPlot::from_report(&report, a.output.as_deref())?;
        for f in [&png, &svg] {
            files.push(out.write_with(f, |p: &Path| fig.save(p))?);
        }
    }
    let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    if a.json {
        let v = serde_json::json!({ "kind": name, "files": names });
        write_stdout(&format!("{v}\n"))
    } else {
        write_stdout(&format!("wrote {}\n", names.join(" and ")))
    }
}

/// Two `--param` axes, or the default grid when none is given.
fn map_grid(specs: &[String], model: &Model, default: fn(&Model) -> Result<Grid>) -> Result<Grid> {
    match specs.len() {
        0 => default(model),
        2 => parse_grid(specs, model),
        n => Err(Error::invalid(
            "--param",
            format!("a map needs two axes (or none, for the default), got {n}"),
        )),
    }
}

/// At most one `--param`, over the gain.
fn gain_axis(specs: &[String], model: &Model) -> Result<Option<Axis>> {
    match specs {
        [] => Ok(None),
        [spec] => {
            let mut axis = parse_axis(spec, model)?;
            if axis.param != Param::Gain {
                return Err(Error::invalid(
                    "--param",
                    format!("{spec}: this figure varies the gain: give gain=START:STOP:COUNT"),
                ));
            }
            if axis.start > axis.stop {
                std::mem::swap(&mut axis.start, &mut axis.stop);
            }
            Ok(Some(axis))
        }
        _ => Err(Error::invalid(
            "--param",
            "give at most one axis, gain=START:STOP:COUNT",
        )),
    }
}
