use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use escalation::analysis::Verdict;
use escalation::ensemble::EnsembleOptions;
use escalation::merge::{Partial, PartialData, shard_count};
use escalation::model::Model;
use escalation::output::{self, TempFile};
use escalation::sweep::{
    Axis, EnsemblePoint, Grid, LinearPoint, SweepOptions, sweep_ensemble, sweep_linear,
    sweep_summary,
};
use escalation::{Error, Result};

use crate::common::{Progress, Shard, check_threads, num, parse_grid};

/// `sweep SCENARIO --param PATH=START:STOP:COUNT [--param ...] [--summary] [--out FILE]`
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Scenario file (TOML, or JSON with a .json extension).
    scenario: PathBuf,
    /// A grid axis PATH=START:STOP:COUNT (once or twice). PATH is one of:
    /// gain, coupling.ROW.COL, actor.NAME.restraint, actor.NAME.grievance,
    /// controller.period, controller.lag, controller.derivative,
    /// spoilers.rate, spoilers.attribution, hotline.attribution, phase.NAME.gain.
    #[arg(long = "param", value_name = "PATH=START:STOP:COUNT", required = true)]
    params: Vec<String>,
    /// Print only the verdict counts {"points","stable","marginal","explosive"}.
    #[arg(long)]
    summary: bool,
    /// Write the table to FILE (.csv or .json); with --shard, a partial result (.json) for `merge`.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Print JSON instead of CSV.
    #[arg(long)]
    json: bool,
    /// Runs per point when a spoiler parameter is swept (a Monte Carlo sweep).
    #[arg(long, default_value_t = 200)]
    runs: u64,
    /// Seed of the Monte Carlo runs (default: the scenario's); the same at every point.
    #[arg(long)]
    seed: Option<u64>,
    /// Worker threads (default: all cores; at most 16 per core and 1024).
    #[arg(long)]
    threads: Option<usize>,
    /// Evaluate only shard K of N (1-based); write it with --out and combine with `merge`.
    #[arg(long, value_name = "K/N")]
    shard: Option<Shard>,
    /// Allow overwriting FILE even if escalation did not create it.
    #[arg(long)]
    force: bool,
    /// No progress output.
    #[arg(long)]
    quiet: bool,
}

/// Points of a linear sweep computed in one block (about 100 bytes each
/// in memory); larger sweeps go through temporary files.
const BLOCK: u64 = 1 << 18;
/// Most temporary files of one sweep.
const MAX_BLOCKS: u64 = 256;

pub fn run(a: Args) -> Result<()> {
    let threads = check_threads(a.threads)?;
    let (_, model) = crate::load(&a.scenario)?;
    let grid = parse_grid(&a.params, &model)?;
    if a.shard.is_some() && a.out.is_none() {
        return Err(Error::invalid(
            "--shard",
            "needs --out FILE.json to write the partial result for `merge`",
        ));
    }
    if let Some(path) = &a.out {
        // Refuse before hours of work, not after.
        output::check_file(path, a.force)?;
    }
    let stochastic = grid.is_stochastic();
    if stochastic && a.summary {
        return Err(Error::invalid(
            "--summary",
            "counts verdicts of a linear sweep; a Monte Carlo sweep reports outcome fractions per point",
        ));
    }
    if stochastic && a.runs == 0 {
        return Err(Error::invalid("--runs", "must be at least 1"));
    }
    let (k, n) = a.shard.map_or((0, 1), Shard::zero_based);
    let total = grid.len() as u64;
    let n_points = shard_count(total, k, n);
    let seed = stochastic.then(|| a.seed.unwrap_or(model.seed));
    let mut head = escalation::json::sweep_partial(
        &model,
        &grid,
        &a.params,
        a.summary,
        seed.map(|s| (a.runs, s)),
        a.shard.map(Shard::zero_based),
    );
    let format = if a.shard.is_some() {
        Format::Partial
    } else if wants_json(a.json, a.out.as_deref()) {
        Format::Json
    } else {
        Format::Csv
    };
    let pool = crate::common::pool(threads)?;
    let install = |f: &mut (dyn FnMut() + Send)| match &pool {
        Some(p) => p.install(f),
        None => f(),
    };
    let dest = Dest::new(a.out.as_deref(), a.force);
    if a.summary {
        let progress = Progress::new(n_points, a.quiet, "points");
        let tick = |m: u64| progress.inc(m);
        let opts = SweepOptions {
            threads: None,
            shard: Some((k, n)),
            ..SweepOptions::default()
        };
        let mut counts = Ok(Default::default());
        install(&mut || counts = sweep_summary(&model, &grid, &opts, Some(&tick)));
        progress.finish();
        head.data = PartialData::SweepSummary { counts: counts? };
        return finish_whole(&head, format, &dest, n_points);
    }
    if stochastic {
        let progress = Progress::new(n_points.saturating_mul(a.runs), a.quiet, "runs");
        let ens = EnsembleOptions {
            runs: a.runs,
            seed,
            threads: None,
            ..EnsembleOptions::default()
        };
        let points = (0..n_points).map(|q| {
            let p = k + q * n;
            let mut out = Ok(Vec::new());
            install(&mut || out = ensemble_point(&model, &grid, p, &ens, &progress));
            out.map(|mut v| v.remove(0))
        });
        dest.write(|w| write_ensemble(w, &head, format, points))?;
        progress.finish();
        return dest.report(n_points, a.shard);
    }
    let progress = Progress::new(n_points, a.quiet, "points");
    let scratch = dest.scratch_dir();
    let radius = model.controller.is_some();
    dest.write(|w| {
        let mut table = LinearTable::start(w, &head, format, radius)?;
        linear_points(
            &model,
            &grid,
            (k, n),
            &install,
            &progress,
            &scratch,
            &mut |q| table.row(q),
        )?;
        table.end()
    })?;
    progress.finish();
    dest.report(n_points, a.shard)
}

/// JSON when asked, or when the output file ends in `.json`.
fn wants_json(json: bool, out: Option<&Path>) -> bool {
    json || out.is_some_and(|o| {
        o.extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"))
    })
}

/// The ensemble at grid point `p`, through a one-point grid with the same
/// values (so the same bits as in the whole grid).
fn ensemble_point(
    model: &Model,
    grid: &Grid,
    p: u64,
    ens: &EnsembleOptions,
    progress: &Progress,
) -> Result<Vec<EnsemblePoint>> {
    let values = grid.values(p as usize);
    let axes = grid
        .axes
        .iter()
        .zip(&values)
        .map(|(axis, &v)| Axis {
            start: v,
            stop: v,
            count: 1,
            ..axis.clone()
        })
        .collect();
    let one = Grid::new(axes)?;
    let tick = |m: u64| progress.inc(m);
    let mut points = sweep_ensemble(model, &one, ens, &SweepOptions::default(), Some(&tick))?;
    for q in &mut points {
        q.index = p as usize;
        q.values.clone_from(&values);
    }
    if points.len() != 1 {
        return Err(Error::numerical(format!(
            "the ensemble at point {p} gave {} results",
            points.len()
        )));
    }
    Ok(points)
}

/// Runs `work` inside the worker pool.
type Install<'a> = dyn Fn(&mut (dyn FnMut() + Send)) + 'a;

/// Evaluates the points of shard `(k, n)` in index order, handing each to
/// `sink`. At most [`BLOCK`] points (or 1/[`MAX_BLOCKS`] of them) are held
/// in memory: a large shard is split into sub-shards `(k + n·j, n·m)`,
/// each written to a temporary file, and read back interleaved (point `q`
/// of the shard is point `q / m` of sub-shard `q % m`).
fn linear_points(
    model: &Model,
    grid: &Grid,
    (k, n): (u64, u64),
    install: &Install<'_>,
    progress: &Progress,
    scratch: &Path,
    sink: &mut dyn FnMut(&LinearPoint) -> Result<()>,
) -> Result<()> {
    let total = grid.len() as u64;
    let count = shard_count(total, k, n);
    let tick = |m: u64| progress.inc(m);
    let run = |shard: (u64, u64)| -> Result<Vec<LinearPoint>> {
        let opts = SweepOptions {
            threads: None,
            shard: Some(shard),
            ..SweepOptions::default()
        };
        let mut out = Ok(Vec::new());
        install(&mut || out = sweep_linear(model, grid, &opts, Some(&tick)));
        out
    };
    let block = BLOCK.max(count.div_ceil(MAX_BLOCKS));
    if count <= block {
        for q in &run((k, n))? {
            sink(q)?;
        }
        return Ok(());
    }
    let m = count.div_ceil(block);
    let dir = output::OutputDir::create(scratch, false)?;
    let mut files: Vec<(TempFile, u64)> = Vec::new();
    for j in 0..m {
        let sub = (k + n * j, n * m);
        let points = run(sub)?;
        let tmp = dir.temp(&format!("sweep-block-{j}.bin"))?;
        let io = |e| Error::Io {
            action: "cannot write",
            path: tmp.path().to_path_buf(),
            source: e,
        };
        let mut w = BufWriter::new(File::create(tmp.path()).map_err(io)?);
        for q in &points {
            w.write_all(&encode(q)).map_err(io)?;
        }
        w.flush().map_err(io)?;
        files.push((tmp, points.len() as u64));
    }
    let mut readers = files
        .iter()
        .map(|(t, _)| {
            File::open(t.path())
                .map(BufReader::new)
                .map_err(|e| Error::Io {
                    action: "cannot read",
                    path: t.path().to_path_buf(),
                    source: e,
                })
        })
        .collect::<Result<Vec<_>>>()?;
    let dims = grid.axes.len();
    for q in 0..count {
        let j = (q % m) as usize;
        let mut rec = [0u8; RECORD];
        readers[j].read_exact(&mut rec).map_err(|e| Error::Io {
            action: "cannot read",
            path: files[j].0.path().to_path_buf(),
            source: e,
        })?;
        sink(&decode(&rec, dims))?;
    }
    Ok(())
}

/// Bytes of one point in a temporary file.
pub const RECORD: usize = 8 + 16 + 8 + 1 + 1 + 8;

pub fn encode(q: &LinearPoint) -> [u8; RECORD] {
    let mut r = [0u8; RECORD];
    r[0..8].copy_from_slice(&(q.index as u64).to_le_bytes());
    for (i, v) in q.values.iter().take(2).enumerate() {
        r[8 + 8 * i..16 + 8 * i].copy_from_slice(&v.to_bits().to_le_bytes());
    }
    r[24..32].copy_from_slice(&q.spectral_abscissa.to_bits().to_le_bytes());
    r[32] = match q.verdict {
        Verdict::Stable => 0,
        Verdict::Marginal => 1,
        Verdict::Explosive => 2,
    };
    if let Some(rho) = q.spectral_radius {
        r[33] = 1;
        r[34..42].copy_from_slice(&rho.to_bits().to_le_bytes());
    }
    r
}

pub fn decode(r: &[u8; RECORD], dims: usize) -> LinearPoint {
    let word = |at: usize| {
        let mut b = [0u8; 8];
        b.copy_from_slice(&r[at..at + 8]);
        u64::from_le_bytes(b)
    };
    LinearPoint {
        index: word(0) as usize,
        values: (0..dims.min(2))
            .map(|i| f64::from_bits(word(8 + 8 * i)))
            .collect(),
        spectral_abscissa: f64::from_bits(word(24)),
        verdict: match r[32] {
            0 => Verdict::Stable,
            1 => Verdict::Marginal,
            _ => Verdict::Explosive,
        },
        spectral_radius: (r[33] == 1).then(|| f64::from_bits(word(34))),
    }
}

/// The format of a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// CSV with a header row.
    Csv,
    /// A pretty JSON array.
    Json,
    /// A partial result for `merge` (JSON, one point a line).
    Partial,
}

/// Where a table goes: stdout, or a file written atomically.
pub struct Dest<'a> {
    out: Option<&'a Path>,
    force: bool,
}

impl<'a> Dest<'a> {
    pub fn new(out: Option<&'a Path>, force: bool) -> Self {
        Self { out, force }
    }

    /// Streams `produce`'s output to the destination.
    pub fn write(&self, produce: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
        match self.out {
            None => {
                let stdout = std::io::stdout();
                let mut w = BufWriter::with_capacity(1 << 16, stdout.lock());
                produce(&mut w)?;
                w.flush().map_err(stdout_error)
            }
            Some(path) => {
                output::write_file_with(path, self.force, |tmp| {
                    let io = |e| Error::Io {
                        action: "cannot write",
                        path: tmp.to_path_buf(),
                        source: e,
                    };
                    let file = File::create(tmp).map_err(io)?;
                    let mut w = BufWriter::with_capacity(1 << 16, file);
                    produce(&mut w)?;
                    let file = w.into_inner().map_err(|e| io(e.into_error()))?;
                    file.sync_all().map_err(io)
                })?;
                Ok(())
            }
        }
    }

    /// Where temporary files go: beside the output file, or the system's
    /// temporary directory.
    pub fn scratch_dir(&self) -> PathBuf {
        match self.out.and_then(Path::parent) {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            Some(_) => PathBuf::from("."),
            None => std::env::temp_dir(),
        }
    }

    /// Says on stderr what was written.
    pub fn report(&self, points: u64, shard: Option<Shard>) -> Result<()> {
        if let Some(path) = self.out {
            match shard {
                Some(s) => eprintln!(
                    "wrote shard {}/{} ({points} points) to {}",
                    s.k,
                    s.n,
                    path.display()
                ),
                None => eprintln!("wrote {}", path.display()),
            }
        }
        Ok(())
    }
}

fn stdout_error(source: std::io::Error) -> Error {
    Error::Io {
        action: "cannot write",
        path: "standard output".into(),
        source,
    }
}

fn json_error(e: serde_json::Error) -> Error {
    Error::numerical(format!("JSON output: {e}"))
}

fn csv_error(e: csv::Error) -> Error {
    Error::Io {
        action: "cannot write",
        path: "CSV output".into(),
        source: std::io::Error::other(e.to_string()),
    }
}

/// The JSON of `head` (whose point list is empty) split around where the
/// points go.
fn partial_halves(head: &Partial) -> Result<(String, String)> {
    let text = serde_json::to_string(head).map_err(json_error)?;
    let at = text
        .rfind("\"points\":[]")
        .ok_or_else(|| Error::numerical("partial result without points"))?;
    let cut = at + "\"points\":[".len();
    Ok((text[..cut].to_string(), text[cut..].to_string()))
}

/// `value` pretty-printed as an element of a pretty array (indented by two).
fn pretty_element(value: &impl serde::Serialize) -> Result<String> {
    let text = serde_json::to_string_pretty(value).map_err(json_error)?;
    Ok(text
        .lines()
        .map(|l| format!("  {l}"))
        .collect::<Vec<_>>()
        .join("\n"))
}

fn io(w: std::io::Result<()>) -> Result<()> {
    w.map_err(|source| Error::Io {
        action: "cannot write",
        path: "output".into(),
        source,
    })
}

/// A linear-sweep table written point by point.
pub struct LinearTable<'w> {
    w: Option<&'w mut dyn Write>,
    csv: Option<csv::Writer<&'w mut dyn Write>>,
    format: Format,
    first: bool,
    tail: String,
}

impl<'w> LinearTable<'w> {
    /// Writes the header. `radius`: the points carry a sampled spectral radius.
    pub fn start(
        w: &'w mut dyn Write,
        head: &Partial,
        format: Format,
        radius: bool,
    ) -> Result<Self> {
        let mut tail = String::new();
        let (w, csv) = match format {
            Format::Csv => {
                let mut c = csv::Writer::from_writer(w);
                let mut row = head.axes();
                row.push("spectral_abscissa".into());
                row.push("verdict".into());
                if radius {
                    row.push("spectral_radius".into());
                }
                c.write_record(&row).map_err(csv_error)?;
                (None, Some(c))
            }
            Format::Json => {
                io(w.write_all(b"["))?;
                tail = "\n]\n".into();
                (Some(w), None)
            }
            Format::Partial => {
                let (a, b) = partial_halves(head)?;
                io(w.write_all(a.as_bytes()))?;
                tail = format!("\n{b}\n");
                (Some(w), None)
            }
        };
        Ok(Self {
            w,
            csv,
            format,
            first: true,
            tail,
        })
    }

    /// Writes one point.
    pub fn row(&mut self, q: &LinearPoint) -> Result<()> {
        let sep = if self.first { "\n" } else { ",\n" };
        self.first = false;
        match (self.format, &mut self.w, &mut self.csv) {
            (Format::Csv, _, Some(c)) => {
                let mut row: Vec<String> = q.values.iter().map(|v| num(*v)).collect();
                row.push(num(q.spectral_abscissa));
                row.push(q.verdict.name().into());
                if let Some(r) = q.spectral_radius {
                    row.push(num(r));
                }
                c.write_record(&row).map_err(csv_error)
            }
            (Format::Json, Some(w), _) => io(write!(w, "{sep}{}", pretty_element(q)?)),
            (Format::Partial, Some(w), _) => {
                let text = serde_json::to_string(q).map_err(json_error)?;
                io(write!(w, "{sep}{text}"))
            }
            _ => Err(Error::numerical("table writer in a wrong state")),
        }
    }

    /// Writes the end.
    pub fn end(mut self) -> Result<()> {
        if let Some(mut c) = self.csv.take() {
            return c.flush().map_err(|source| Error::Io {
                action: "cannot write",
                path: "CSV output".into(),
                source,
            });
        }
        if let Some(w) = self.w.take() {
            let tail = if self.format == Format::Json && self.first {
                "]\n".to_string()
            } else {
                self.tail.clone()
            };
            io(w.write_all(tail.as_bytes()))?;
        }
        Ok(())
    }
}

/// Writes a Monte Carlo sweep's points as they come.
pub fn write_ensemble(
    w: &mut dyn Write,
    head: &Partial,
    format: Format,
    points: impl Iterator<Item = Result<EnsemblePoint>>,
) -> Result<()> {
    match format {
        Format::Csv => {
            let mut c = csv::Writer::from_writer(w);
            let mut row = head.axes();
            row.extend(
                [
                    "runs",
                    "exploded",
                    "collapsed",
                    "extended",
                    "expired",
                    "none",
                    "collapse_lo",
                    "collapse_hi",
                    "verification_passed",
                ]
                .map(String::from),
            );
            c.write_record(&row).map_err(csv_error)?;
            for q in points {
                let q = q?;
                let f = q.summary.fractions();
                let iv = q.summary.intervals();
                let mut row: Vec<String> = q.values.iter().map(|v| num(*v)).collect();
                row.push(q.summary.runs.to_string());
                for o in ["exploded", "collapsed", "extended", "expired", "none"] {
                    row.push(num(f.get(o).copied().unwrap_or(0.0)));
                }
                let c_iv = iv.get("collapsed").copied().unwrap_or([0.0, 1.0]);
                row.push(num(c_iv[0]));
                row.push(num(c_iv[1]));
                row.push(q.summary.verification_passed().map_or(String::new(), num));
                c.write_record(&row).map_err(csv_error)?;
            }
            c.flush().map_err(|source| Error::Io {
                action: "cannot write",
                path: "CSV output".into(),
                source,
            })
        }
        Format::Json => {
            io(w.write_all(b"["))?;
            let mut first = true;
            for q in points {
                let q = q?;
                let v = escalation::json::ensemble_point(&q);
                io(write!(
                    w,
                    "{}{}",
                    if first { "\n" } else { ",\n" },
                    pretty_element(&v)?
                ))?;
                first = false;
            }
            io(w.write_all(if first { b"]\n" } else { b"\n]\n" }))
        }
        Format::Partial => {
            let (a, b) = partial_halves(head)?;
            io(w.write_all(a.as_bytes()))?;
            let mut first = true;
            for q in points {
                let q = q?;
                let text = serde_json::to_string(&q).map_err(json_error)?;
                io(write!(w, "{}{text}", if first { "\n" } else { ",\n" }))?;
                first = false;
            }
            io(write!(w, "\n{b}\n"))
        }
    }
}

/// Writes a whole result held in memory (a `--summary`, or a merge).
fn finish_whole(p: &Partial, format: Format, dest: &Dest<'_>, points: u64) -> Result<()> {
    match (&p.data, format) {
        (PartialData::SweepSummary { .. }, Format::Partial) => {
            let text = serde_json::to_string(p).map_err(json_error)?;
            dest.write(|w| io(writeln!(w, "{text}")))?;
            dest.report(points, p.shard.map(|(k, n)| Shard { k: k + 1, n }))
        }
        _ => emit(
            p,
            dest.out.map(Path::to_path_buf).as_ref(),
            format == Format::Json,
            dest.force,
        ),
    }
}

/// Prints or writes a whole sweep (also used by `merge`, so a merged sweep
/// prints exactly as an unsharded one).
pub fn emit(p: &Partial, out: Option<&PathBuf>, json: bool, force: bool) -> Result<()> {
    let format = if wants_json(json, out.map(PathBuf::as_path)) {
        Format::Json
    } else {
        Format::Csv
    };
    let dest = Dest::new(out.map(PathBuf::as_path), force);
    match &p.data {
        PartialData::SweepSummary { counts } => {
            let text = serde_json::to_string_pretty(counts).map_err(json_error)? + "\n";
            dest.write(|w| io(w.write_all(text.as_bytes())))?;
        }
        PartialData::Sweep { points } => {
            let radius = points.iter().any(|q| q.spectral_radius.is_some());
            dest.write(|w| {
                let mut table = LinearTable::start(w, p, format, radius)?;
                for q in points {
                    table.row(q)?;
                }
                table.end()
            })?;
        }
        PartialData::SweepEnsemble { points } => {
            dest.write(|w| write_ensemble(w, p, format, points.iter().cloned().map(Ok)))?;
        }
        PartialData::Montecarlo { .. } => return Err(Error::invalid("merge", "not a sweep")),
    }
    dest.report(0, None)
}
