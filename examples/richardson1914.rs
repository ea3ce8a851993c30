//! Richardson's pre-1914 analysis on the Correlates of War figures.
//!
//! France + Russia against Germany + Austria-Hungary, military expenditure
//! 1909–1913 (thousands of pounds sterling). Richardson regressed the yearly
//! change of the two alliances' total on its mid-interval level, found a
//! positive slope, and read it as a runaway from an unstable equilibrium
//! (*Arms and Insecurity*, 1960).
//!
//! Run with `cargo run --example richardson1914`; the figures go to
//! `out/richardson1914/`.

use escalation::calibrate::{FitOptions, Group, Series, fit_pooled, fit_richardson};
use escalation::output::OutputDir;
use escalation::plot::{Figure, PooledFitPlot, RichardsonFitPlot};

const DATA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/examples/data/cow_nmc_1909_1913.csv"
);
const UNITS: &str = "thousands of pounds sterling";

fn main() -> escalation::Result<()> {
    let series = Series::from_path(DATA)?;
    let groups = [
        Group::parse("Entente=France+Russia")?,
        Group::parse("Central Powers=Germany+Austria-Hungary")?,
    ];
    let data = series.grouped(&groups)?;
    for note in &series.notes {
        println!("# {note}");
    }

    let opts = FitOptions::default().with_seed(1914);
    let pooled = fit_pooled(&data, &opts)?;
    println!("\nPooled total U (France + Russia + Germany + Austria-Hungary), 1909–1913:");
    for (k, year) in pooled.years.iter().enumerate() {
        println!("  {year}  U = {:>8.0}", pooled.level[k]);
    }
    println!("\nRichardson's method, ΔU against the mid-interval level:");
    println!(
        "  ΔU = {:.4} × U_mid {:+.0}  (per year, R² = {:.4})",
        pooled.slope,
        pooled.intercept,
        pooled.r2.unwrap_or(f64::NAN)
    );
    if let Some(iv) = pooled.intervals {
        println!(
            "  slope 95% bootstrap interval [{:.3}, {:.3}] ({} residual resamples; 4 points, so read it as a rough guide)",
            iv.slope.lo, iv.slope.hi, pooled.bootstrap.used
        );
    }
    if let Some(eq) = pooled.equilibrium {
        println!("  equilibrium U* = {eq:.0} thousand pounds");
        println!(
            "  verdict: {} (slope > 0: U* is unstable; in 1909 U was already {:.0} above it and ran away)",
            pooled.verdict,
            pooled.level[0] - eq
        );
    }
    if let Some(t) = &pooled.trajectory {
        println!(
            "  trajectory matching: dU/dt = {:.4} U {:+.0}, U* = {:.0}; SSE {:.3e} → {:.3e} ({:.1}% lower)",
            t.system[(0, 0)],
            t.drive[0],
            t.equilibrium.as_ref().map_or(f64::NAN, |e| e[0]),
            t.sse_start,
            t.sse,
            100.0 * t.improvement()
        );
    }

    let two = fit_richardson(&data, &opts)?;
    println!(
        "\nTwo-group model (3 unknowns per equation from 4 changes: 1 degree of freedom left):"
    );
    for (i, g) in two.groups.iter().enumerate() {
        println!(
            "  {:<15} restraint {:+.3}/yr, reaction to the other {:+.3}/yr, grievance {:+.0}/yr, R² {:.4}",
            g.name,
            two.restraint[i],
            two.coupling[(i, 1 - i)],
            two.grievance[i],
            two.r2[i].unwrap_or(f64::NAN)
        );
    }
    println!(
        "  verdict {}; the signs (negative restraint, the Entente reacting negatively) are not Richardson's \
         model: five years cannot separate two groups (Majeski & Jones 1981 found most rival pairs do not fit).",
        two.verdict
    );

    let out = OutputDir::create("out/richardson1914", false)?;
    for name in ["pooled.png", "pooled.svg"] {
        out.write_with(name, |p| PooledFitPlot::new(&pooled, UNITS).save(p))?;
    }
    for name in ["groups.png", "groups.svg"] {
        out.write_with(name, |p| RichardsonFitPlot::new(&two, UNITS).save(p))?;
    }
    println!(
        "\nfigures written to {}/ (pooled.png, groups.png and SVG copies)",
        out.dir().display()
    );
    Ok(())
}
