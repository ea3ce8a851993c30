//! `merge`: parts are read as a stream. The points of a sweep are checked
//! one at a time and written to a temporary file per part, then read back
//! interleaved in grid order; memory does not grow with the grid.

use std::fmt;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use escalation::ensemble::EnsembleSummary;
use escalation::merge::{
    GridAxis, Partial, PartialData, PointCheck, check_ensemble_point, check_header, check_linear,
    check_same_work, check_shard_set, merge_labelled,
};
use escalation::output::{MAX_PART_BYTES, OutputDir, TempFile};
use escalation::sweep::{EnsemblePoint, LinearPoint, SweepCounts};
use escalation::{Error, Result};
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};

use crate::sweep::{Dest, Format, LinearTable, RECORD, decode, encode, write_ensemble};

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

/// The reader of one shard's points, and its file (for messages).
type ShardFile = (Box<dyn BufRead>, PathBuf);

/// The points of one part, checked and written to a temporary file in
/// index order.
struct Stream {
    file: TempFile,
    linear: bool,
}

pub fn run(a: Args) -> Result<()> {
    for path in &a.parts {
        if escalation::experiments::parts::is_experiment_part(path)? {
            return crate::sensitivity::merge(&a.parts, a.out.as_deref(), a.json, a.force);
        }
    }
    if let Some(path) = &a.out {
        escalation::output::check_file(path, a.force)?;
    }
    let dest = Dest::new(a.out.as_deref(), a.force);
    let scratch = OutputDir::create(dest.scratch_dir(), false)?;
    let mut heads: Vec<(String, Partial)> = Vec::new();
    let mut streams: Vec<Option<Stream>> = Vec::new();
    let mut deferred = None;
    for path in &a.parts {
        let label = path.display().to_string();
        let (p, s, e) = read_part(path, &label, &scratch)?;
        heads.push((label, p));
        streams.push(s);
        deferred = deferred.or(e);
    }
    if let Some(e) = deferred {
        // A bad point: but first say whether the parts even belong together.
        let refs: Vec<(String, &Partial)> = heads.iter().map(|(l, p)| (l.clone(), p)).collect();
        check_same_work(&refs)?;
        return Err(e);
    }
    if streams.iter().all(Option::is_none) {
        // Ensembles and verdict counts: small, merged in memory.
        let whole = merge_labelled(heads)?;
        return match &whole.data {
            PartialData::Montecarlo { summary } => {
                if let Some(path) = &a.out {
                    let text = serde_json::to_string(&whole)
                        .map_err(|e| Error::numerical(e.to_string()))?;
                    escalation::output::write_file(path, text.as_bytes(), a.force)?;
                }
                crate::montecarlo::print_summary(summary, &whole.scenario, a.json)
            }
            _ => crate::sweep::emit(&whole, a.out.as_ref(), a.json, a.force),
        };
    }
    let refs: Vec<(String, &Partial)> = heads.iter().map(|(l, p)| (l.clone(), p)).collect();
    check_same_work(&refs)?;
    let mut shards = Vec::new();
    for (label, p) in &heads {
        shards.push((label.clone(), check_header(label, p)?));
    }
    check_shard_set(&shards)?;
    // Shard k's stream, to read point p from shard p % n.
    let n = shards[0].1.1 as usize;
    let mut by_shard: Vec<Option<ShardFile>> = (0..n).map(|_| None).collect();
    for ((_, (k, _)), s) in shards.iter().zip(&streams) {
        let s = s
            .as_ref()
            .ok_or_else(|| Error::invalid("merge", "parts are of different kinds"))?;
        let path = s.file.path().to_path_buf();
        let f = File::open(&path).map_err(|e| read_error(&path, e))?;
        by_shard[*k as usize] = Some((Box::new(BufReader::new(f)), path));
    }
    let head = Partial {
        shard: None,
        ..heads.swap_remove(0).1
    };
    let total = head.total()?;
    let format = if a.json
        || a.out.as_ref().is_some_and(|o| {
            o.extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        }) {
        Format::Json
    } else {
        Format::Csv
    };
    let dims = head.grid.len();
    match head.data {
        PartialData::Sweep { .. } => {
            let radius = radius_of(&by_shard)?;
            dest.write(|w| {
                let mut table = LinearTable::start(w, &head, format, radius)?;
                for p in 0..total {
                    let (r, path) = by_shard[(p % n as u64) as usize]
                        .as_mut()
                        .ok_or_else(|| Error::invalid("merge", "a shard is missing"))?;
                    let mut rec = [0u8; RECORD];
                    r.read_exact(&mut rec).map_err(|e| read_error(path, e))?;
                    table.row(&decode(&rec, dims))?;
                }
                table.end()
            })?;
        }
        PartialData::SweepEnsemble { .. } => {
            let points = (0..total).map(|p| {
                let (r, path) = by_shard[(p % n as u64) as usize]
                    .as_mut()
                    .ok_or_else(|| Error::invalid("merge", "a shard is missing"))?;
                let mut line = String::new();
                r.read_line(&mut line).map_err(|e| read_error(path, e))?;
                serde_json::from_str::<EnsemblePoint>(&line)
                    .map_err(|e| Error::numerical(format!("merge scratch file: {e}")))
            });
            dest.write(|w| write_ensemble(w, &head, format, points))?;
        }
        _ => return Err(Error::invalid("merge", "parts are of different kinds")),
    }
    dest.report(0, None)
}

/// Whether the linear points carry a sampled spectral radius: that of the
/// first point of any part (its file is opened again to look).
fn radius_of(by_shard: &[Option<ShardFile>]) -> Result<bool> {
    for (_, path) in by_shard.iter().flatten() {
        let mut f = File::open(path).map_err(|e| read_error(path, e))?;
        let mut rec = [0u8; RECORD];
        if f.read_exact(&mut rec).is_ok() {
            return Ok(decode(&rec, 2).spectral_radius.is_some());
        }
    }
    Ok(false)
}

fn read_error(path: &Path, source: std::io::Error) -> Error {
    Error::Io {
        action: "cannot read",
        path: path.to_path_buf(),
        source,
    }
}

/// Counts the bytes read, to tell a parse error from a file cut at the limit.
struct Counting<R> {
    inner: R,
    read: u64,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        Ok(n)
    }
}

/// Reads one part as a stream: the header and small data into a
/// [`Partial`], the points of a sweep into a temporary file, then checks
/// those points against the header (which may come after them in the
/// file). A point that fails its checks is returned as the third element,
/// with the part, so that differing work can be reported first.
fn read_part(
    path: &Path,
    label: &str,
    scratch: &OutputDir,
) -> Result<(Partial, Option<Stream>, Option<Error>)> {
    if path.is_dir() {
        return Err(read_error(path, std::io::Error::other("it is a directory")));
    }
    let file = File::open(path).map_err(|e| read_error(path, e))?;
    let too_big = || {
        read_error(
            path,
            std::io::Error::other(format!(
                "larger than the limit of {} GiB ({MAX_PART_BYTES} bytes) for a partial result",
                MAX_PART_BYTES >> 30
            )),
        )
    };
    if file
        .metadata()
        .is_ok_and(|m| m.is_file() && m.len() > MAX_PART_BYTES)
    {
        return Err(too_big());
    }
    let mut reader = Counting {
        inner: BufReader::with_capacity(1 << 16, file).take(MAX_PART_BYTES + 1),
        read: 0,
    };
    let mut sink = Sink {
        label,
        scratch,
        stream: None,
        error: None,
    };
    let parsed = {
        let mut de = serde_json::Deserializer::from_reader(&mut reader);
        PartSeed { sink: &mut sink }
            .deserialize(&mut de)
            .and_then(|p| de.end().map(|()| p))
    };
    let part = match parsed {
        Ok(p) => p,
        Err(_) if sink.error.is_some() => return Err(sink.error.take().unwrap_or_else(too_big)),
        Err(_) if reader.read > MAX_PART_BYTES => return Err(too_big()),
        Err(e) => {
            return Err(Error::Parse {
                location: escalation::error::Location {
                    file: Some(path.to_path_buf()),
                    line: Some(e.line()),
                    column: Some(e.column()),
                },
                message: format!("not a partial result of escalation: {e}"),
            });
        }
    };
    let Some((file, mut w, linear)) = sink.stream.take() else {
        return Ok((part, None, None));
    };
    w.flush().map_err(|e| read_error(file.path(), e))?;
    drop(w);
    let stream = Stream { file, linear };
    match check_stream(label, &part, &stream) {
        Ok(()) => Ok((part, Some(stream), None)),
        Err(e) => Ok((part, None, Some(e))),
    }
}

/// Checks the points of a part in its temporary file against its header.
fn check_stream(label: &str, part: &Partial, stream: &Stream) -> Result<()> {
    let path = stream.file.path();
    let mut r = BufReader::new(File::open(path).map_err(|e| read_error(path, e))?);
    let mut check = PointCheck::new(label, part)?;
    if stream.linear {
        let dims = part.grid.len();
        let mut rec = [0u8; RECORD];
        loop {
            match r.read_exact(&mut rec) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
                Err(e) => return Err(read_error(path, e)),
            }
            let q = decode(&rec, dims);
            if q.values.len() != dims {
                return Err(Error::invalid(
                    "merge",
                    format!("{label}: point {} has the wrong number of values", q.index),
                ));
            }
            check.point(label, q.index, &q.values)?;
        }
    } else {
        let mut line = String::new();
        while r.read_line(&mut line).map_err(|e| read_error(path, e))? > 0 {
            let q: EnsemblePoint = serde_json::from_str(&line)
                .map_err(|e| Error::numerical(format!("merge scratch file: {e}")))?;
            check_ensemble_point(label, part, &q)?;
            check.point(label, q.index, &q.values)?;
            line.clear();
        }
    }
    check.finish(label)
}

/// Where the points of a part go while it is parsed.
struct Sink<'a> {
    label: &'a str,
    scratch: &'a OutputDir,
    stream: Option<(TempFile, BufWriter<File>, bool)>,
    /// A check that failed (reported instead of the parser's error).
    error: Option<Error>,
}

impl Sink<'_> {
    fn start(&mut self, linear: bool) -> Result<()> {
        if self.stream.is_some() {
            return Err(Error::invalid(
                "merge",
                format!("{}: the points are given twice", self.label),
            ));
        }
        let file = self.scratch.temp("merge-part.bin")?;
        let w = File::create(file.path()).map_err(|e| read_error(file.path(), e))?;
        self.stream = Some((file, BufWriter::new(w), linear));
        Ok(())
    }

    fn linear(&mut self, q: &LinearPoint) -> Result<()> {
        check_linear(self.label, q)?;
        if q.values.len() > 2 || q.values.is_empty() {
            return Err(Error::invalid(
                "merge",
                format!(
                    "{}: point {} has {} values",
                    self.label,
                    q.index,
                    q.values.len()
                ),
            ));
        }
        if let Some((f, w, _)) = &mut self.stream {
            w.write_all(&encode(q))
                .map_err(|e| read_error(f.path(), e))?;
        }
        Ok(())
    }

    fn ensemble(&mut self, q: &EnsemblePoint) -> Result<()> {
        if let Some((f, w, _)) = &mut self.stream {
            let text = serde_json::to_string(q).map_err(|e| Error::numerical(e.to_string()))?;
            writeln!(w, "{text}").map_err(|e| read_error(f.path(), e))?;
        }
        Ok(())
    }

    /// Keeps `e` and turns it into a parser error that stops the parse.
    fn fail<E: de::Error>(&mut self, e: Error) -> E {
        let msg = e.to_string();
        self.error = Some(e);
        E::custom(msg)
    }
}

const FIELDS: &[&str] = &[
    "scenario", "model", "work", "grid", "runs", "seed", "shard", "data",
];

struct PartSeed<'s, 'a> {
    sink: &'s mut Sink<'a>,
}

impl<'de> DeserializeSeed<'de> for PartSeed<'_, '_> {
    type Value = Partial;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> std::result::Result<Partial, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for PartSeed<'_, '_> {
    type Value = Partial;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a partial result (a JSON object)")
    }

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> std::result::Result<Partial, M::Error> {
        let mut scenario: Option<String> = None;
        let mut model = String::new();
        let mut work: Option<String> = None;
        let mut grid: Vec<GridAxis> = Vec::new();
        let mut runs: Option<u64> = None;
        let mut seed: Option<u64> = None;
        let mut shard: Option<Option<(u64, u64)>> = None;
        let mut data: Option<PartialData> = None;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "scenario" => scenario = Some(map.next_value()?),
                "model" => model = map.next_value()?,
                "work" => work = Some(map.next_value()?),
                "grid" => grid = map.next_value()?,
                "runs" => runs = map.next_value()?,
                "seed" => seed = map.next_value()?,
                "shard" => shard = Some(map.next_value()?),
                "data" => {
                    data = Some(map.next_value_seed(DataSeed {
                        sink: &mut *self.sink,
                    })?);
                }
                other => return Err(de::Error::unknown_field(other, FIELDS)),
            }
        }
        Ok(Partial {
            scenario: scenario.ok_or_else(|| de::Error::missing_field("scenario"))?,
            model,
            work: work.ok_or_else(|| de::Error::missing_field("work"))?,
            grid,
            runs,
            seed,
            shard: shard.ok_or_else(|| de::Error::missing_field("shard"))?,
            data: data.ok_or_else(|| de::Error::missing_field("data"))?,
        })
    }
}

struct DataSeed<'s, 'a> {
    sink: &'s mut Sink<'a>,
}

impl<'de> DeserializeSeed<'de> for DataSeed<'_, '_> {
    type Value = PartialData;
    fn deserialize<D: de::Deserializer<'de>>(
        self,
        d: D,
    ) -> std::result::Result<PartialData, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for DataSeed<'_, '_> {
    type Value = PartialData;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the data of a partial result (a JSON object)")
    }

    fn visit_map<M: MapAccess<'de>>(
        self,
        mut map: M,
    ) -> std::result::Result<PartialData, M::Error> {
        const KINDS: &[&str] = &["montecarlo", "sweep", "sweep_summary", "sweep_ensemble"];
        let mut kind: Option<String> = None;
        let mut summary: Option<EnsembleSummary> = None;
        let mut counts: Option<SweepCounts> = None;
        let mut points: Option<bool> = None;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "kind" => {
                    let k: String = map.next_value()?;
                    if !KINDS.contains(&k.as_str()) {
                        return Err(de::Error::unknown_variant(&k, KINDS));
                    }
                    kind = Some(k);
                }
                "summary" => summary = Some(map.next_value()?),
                "counts" => counts = Some(map.next_value()?),
                "points" => {
                    let linear = match kind.as_deref() {
                        Some("sweep") => true,
                        Some("sweep_ensemble") => false,
                        Some(k) => {
                            return Err(de::Error::custom(format!("a `{k}` part has no points")));
                        }
                        None => {
                            return Err(de::Error::custom(
                                "`kind` must come before `points` in `data`",
                            ));
                        }
                    };
                    if let Err(e) = self.sink.start(linear) {
                        return Err(self.sink.fail(e));
                    }
                    map.next_value_seed(PointsSeed {
                        sink: &mut *self.sink,
                        linear,
                    })?;
                    points = Some(linear);
                }
                other => {
                    return Err(de::Error::unknown_field(
                        other,
                        &["kind", "summary", "counts", "points"],
                    ));
                }
            }
        }
        let missing = |what: &'static str| de::Error::missing_field(what);
        match kind.as_deref() {
            Some("montecarlo") => Ok(PartialData::Montecarlo {
                summary: summary.ok_or_else(|| missing("summary"))?,
            }),
            Some("sweep_summary") => Ok(PartialData::SweepSummary {
                counts: counts.ok_or_else(|| missing("counts"))?,
            }),
            Some("sweep") if points == Some(true) => Ok(PartialData::Sweep { points: Vec::new() }),
            Some("sweep_ensemble") if points == Some(false) => {
                Ok(PartialData::SweepEnsemble { points: Vec::new() })
            }
            Some(_) => Err(missing("points")),
            None => Err(missing("kind")),
        }
    }
}

struct PointsSeed<'s, 'a> {
    sink: &'s mut Sink<'a>,
    linear: bool,
}

impl<'de> DeserializeSeed<'de> for PointsSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for PointsSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of points")
    }

    fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> std::result::Result<(), S::Error> {
        if self.linear {
            while let Some(q) = seq.next_element::<LinearPoint>()? {
                if let Err(e) = self.sink.linear(&q) {
                    return Err(self.sink.fail(e));
                }
            }
        } else {
            while let Some(q) = seq.next_element::<EnsemblePoint>()? {
                if let Err(e) = self.sink.ensemble(&q) {
                    return Err(self.sink.fail(e));
                }
            }
        }
        Ok(())
    }
}
