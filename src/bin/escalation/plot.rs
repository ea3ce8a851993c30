use std::path::PathBuf;

use escalation::{Error, Result};

/// Arguments of `plot` (being built).
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Input file.
    input: PathBuf,
}

pub fn run(a: Args) -> Result<()> {
    let _ = a.input;
    Err(Error::Numerical(
        "`plot` is not available in this build yet".into(),
    ))
}
