use std::io::Write;
use std::path::PathBuf;

use escalation::Result;
use escalation::output;
use escalation::plot::{Figure, TrajectoryPlot};
use escalation::sim::{SimOptions, simulate};

/// `simulate SCENARIO [--seed S] [--dt D] [--out DIR] [--json|--csv]`
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Scenario file (TOML, or JSON with a .json extension).
    scenario: PathBuf,
    /// Seed of the random stream (default: the scenario's `seed`).
    #[arg(long)]
    seed: Option<u64>,
    /// Sample interval, days.
    #[arg(long, default_value_t = 0.1)]
    dt: f64,
    /// Write trajectory.csv, trajectory.png and trajectory.svg into DIR.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Print the run as JSON.
    #[arg(long, conflicts_with = "csv")]
    json: bool,
    /// Print the samples as CSV.
    #[arg(long)]
    csv: bool,
    /// Allow overwriting files in DIR that escalation did not create.
    #[arg(long)]
    force: bool,
}

pub fn run(a: Args) -> Result<()> {
    let (_, model) = crate::load(&a.scenario)?;
    let mut opts = SimOptions::default().with_dt(a.dt)?;
    opts.seed = a.seed;
    const FILES: [&str; 3] = ["trajectory.csv", "trajectory.png", "trajectory.svg"];
    let out = match &a.out {
        Some(dir) => {
            // Every target is checked before any is written.
            let out = output::OutputDir::create(dir, a.force)?;
            out.check_all(&FILES)?;
            Some(out)
        }
        None => None,
    };
    let traj = simulate(&model, &opts)?;
    if let Some(out) = &out {
        out.write_with("trajectory.csv", |tmp| {
            let file = std::fs::File::create(tmp).map_err(|source| escalation::Error::Io {
                action: "cannot write",
                path: tmp.to_path_buf(),
                source,
            })?;
            traj.write_csv(std::io::BufWriter::new(file))
        })?;
        for name in ["trajectory.png", "trajectory.svg"] {
            out.write_with(name, |tmp| TrajectoryPlot::new(&traj, &model).save(tmp))?;
        }
        eprintln!("wrote {}", out.dir().display());
    }
    let stdout = std::io::stdout();
    let mut w = stdout.lock();
    let io = |source| escalation::Error::Io {
        action: "cannot write",
        path: "standard output".into(),
        source,
    };
    if a.json {
        writeln!(w, "{}", traj.to_json()?).map_err(io)?;
    } else if a.csv {
        traj.write_csv(&mut w)?;
    } else {
        writeln!(
            w,
            "scenario: {}",
            if model.name.is_empty() {
                "(unnamed)"
            } else {
                &model.name
            }
        )
        .map_err(io)?;
        writeln!(w, "outcome: {}", traj.outcome).map_err(io)?;
        match traj.explosion_time {
            Some(t) => writeln!(w, "explosion at day {t:.3}").map_err(io)?,
            None => writeln!(w, "no explosion within {} days", model.horizon).map_err(io)?,
        }
        for (i, name) in traj.actors.iter().enumerate() {
            let x = traj.final_x[i];
            let r = model.ladder.rung_of(x);
            writeln!(
                w,
                "  {name}: intensity {x:.3} at the end (rung {r}, {}), cost {:.3} intensity·days",
                model.ladder.rungs()[r].name,
                traj.cost.get(i).copied().unwrap_or(0.0)
            )
            .map_err(io)?;
        }
        writeln!(
            w,
            "quiet days (every actor on rung 0): {:.3} of {:.3}",
            traj.quiet_days, traj.end_time
        )
        .map_err(io)?;
        writeln!(w, "events: {}", traj.events.len()).map_err(io)?;
    }
    Ok(())
}
