use std::path::PathBuf;

use escalation::merge::{Partial, PartialData, merge_labelled};
use escalation::output::{MAX_PART_BYTES, read_capped};
use escalation::{Error, Result};

/// `merge PART.json... [--out FILE] [--json]`
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Partial results written by `sweep … --shard K/N --out` or `montecarlo … --shard K/N --out`.
    #[arg(required = true)]
    parts: Vec<PathBuf>,
    /// Write the merged table to FILE (.csv or .json) instead of printing it.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
    /// Allow overwriting FILE even if escalation did not create it.
    #[arg(long)]
    force: bool,
}

pub fn run(a: Args) -> Result<()> {
    if let Some(path) = &a.out {
        escalation::output::check_file(path, a.force)?;
    }
    let mut parts = Vec::new();
    for path in &a.parts {
        let text = read_capped(path, MAX_PART_BYTES, "partial result")?;
        let p: Partial = serde_json::from_str(&text).map_err(|e| Error::Parse {
            location: escalation::error::Location {
                file: Some(path.clone()),
                line: Some(e.line()),
                column: Some(e.column()),
            },
            message: format!("not a partial result of escalation: {e}"),
        })?;
        parts.push((path.display().to_string(), p));
    }
    let whole = merge_labelled(parts)?;
    match &whole.data {
        PartialData::Montecarlo { summary } => {
            if let Some(path) = &a.out {
                let text =
                    serde_json::to_string(&whole).map_err(|e| Error::Numerical(e.to_string()))?;
                escalation::output::write_file(path, text.as_bytes(), a.force)?;
            }
            crate::montecarlo::print_summary(summary, &whole.scenario, a.json)
        }
        _ => crate::sweep::emit(&whole, a.out.as_ref(), a.json, a.force),
    }
}
