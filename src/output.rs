//! Safe output files: every file is written to a temporary name and renamed
//! into place, so an interrupted run never leaves a half-written file; and
//! a file that `escalation` did not create is never overwritten without
//! `force`.
//!
//! Each output directory keeps a small manifest, `.escalation-manifest`,
//! listing the files this tool created there. It is updated under an
//! exclusive lock on `.escalation-manifest.lock` (read, add, write to a
//! temporary file, rename), so concurrent processes writing into one
//! directory never lose each other's entries.
//!
//! Temporary files are named `.escalation-tmp.PID.SEQ.NAME`. The process
//! keeps a registry of its live temporary files: [`remove_temp_files`]
//! (called by the command-line tool's SIGINT/SIGTERM handler) deletes them,
//! and [`OutputDir::create`] deletes those left behind by processes that no
//! longer run (checked through `/proc` on Linux; elsewhere they are kept).
//!
//! Input files are read through [`read_capped`], which stops at a size
//! limit ([`MAX_SCENARIO_BYTES`], [`MAX_PART_BYTES`], [`MAX_DATA_BYTES`]) so
//! that `/dev/zero` is refused at once instead of filling memory.
//!
//! # Example
//!
//! ```
//! use escalation::output::OutputDir;
//! let dir = std::env::temp_dir().join(format!("escalation-doc-{}", std::process::id()));
//! let out = OutputDir::create(&dir, false).unwrap();
//! out.check_all(&["hello.txt"]).unwrap(); // every target, before writing any
//! out.write("hello.txt", b"hi").unwrap();
//! out.write("hello.txt", b"again").unwrap(); // ours: may be replaced
//! # std::fs::remove_dir_all(&dir).unwrap();
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{Error, Invalid, Result};

const MANIFEST: &str = ".escalation-manifest";
const LOCK: &str = ".escalation-manifest.lock";
const TMP_PREFIX: &str = ".escalation-tmp.";

/// Largest scenario file read, bytes (16 MiB).
pub const MAX_SCENARIO_BYTES: u64 = 16 << 20;
/// Largest partial-result file (`merge` input) read, bytes (4 GiB; the
/// points of a sweep are read one at a time, not held in memory).
pub const MAX_PART_BYTES: u64 = 4 << 30;
/// Largest data file (`fit` input) read, bytes (64 MiB).
pub const MAX_DATA_BYTES: u64 = 64 << 20;

/// Reads the text file `path`, refusing it when it holds more than `limit`
/// bytes. At most `limit + 1` bytes are ever read, so an endless input
/// such as `/dev/zero` is refused at once. `what` names the kind of file in
/// the message ("scenario file").
///
/// # Errors
/// [`Error::Io`] ("cannot read", exit code 2) when the file cannot be
/// opened or read, is larger than `limit`, or is not UTF-8.
pub fn read_capped(path: &Path, limit: u64, what: &str) -> Result<String> {
    let fail = |source: std::io::Error| Error::Io {
        action: "cannot read",
        path: path.to_path_buf(),
        source,
    };
    if path.is_dir() {
        return Err(fail(std::io::Error::other("it is a directory")));
    }
    let file = fs::File::open(path).map_err(fail)?;
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(fail)?;
    if bytes.len() as u64 > limit {
        return Err(fail(std::io::Error::other(format!(
            "larger than the limit of {} for a {what}",
            human_bytes(limit)
        ))));
    }
    String::from_utf8(bytes).map_err(|e| {
        fail(std::io::Error::other(format!(
            "not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        )))
    })
}

/// `16 MiB (16777216 bytes)`.
fn human_bytes(n: u64) -> String {
    if n >= 1 << 20 && n.is_multiple_of(1 << 20) {
        format!("{} MiB ({n} bytes)", n >> 20)
    } else {
        format!("{n} bytes")
    }
}

/// The registry of this process's live temporary files.
struct Live {
    /// Set by [`remove_temp_files`]: no new temporary file may start.
    terminating: bool,
    files: BTreeMap<u64, PathBuf>,
}

static LIVE: Mutex<Live> = Mutex::new(Live {
    terminating: false,
    files: BTreeMap::new(),
});
static SEQ: AtomicU64 = AtomicU64::new(0);

fn live() -> std::sync::MutexGuard<'static, Live> {
    LIVE.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Deletes every temporary file this process is writing, and lets no new
/// one start. Meant for a signal handler that then exits: the registry
/// stays locked, so a thread that tries to start another temporary file
/// waits until the process ends.
pub fn remove_temp_files() {
    let mut guard = live();
    guard.terminating = true;
    for path in guard.files.values() {
        let _ = fs::remove_file(path);
    }
    // Keep the lock until the process exits.
    std::mem::forget(guard);
}

/// A temporary file in an output directory, registered for removal on
/// SIGINT/SIGTERM; removed on drop unless [`TempFile::persist`]ed.
#[derive(Debug)]
pub struct TempFile {
    path: PathBuf,
    id: u64,
    done: bool,
}

impl TempFile {
    /// A new temporary name in `dir` ending in `name` (so it keeps the
    /// extension). Nothing is created yet: the caller writes to [`TempFile::path`].
    ///
    /// # Errors
    /// [`Error::Io`] when the process is being terminated.
    pub fn new(dir: &Path, name: &str) -> Result<Self> {
        let id = SEQ.fetch_add(1, Ordering::Relaxed);
        let path = dir.join(format!("{TMP_PREFIX}{}.{id}.{name}", std::process::id()));
        let mut live = live();
        if live.terminating {
            return Err(Error::Io {
                action: "cannot write",
                path,
                source: std::io::Error::other("the process is being terminated"),
            });
        }
        live.files.insert(id, path.clone());
        Ok(Self {
            path,
            id,
            done: false,
        })
    }

    /// Where to write.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Renames the file to `target`.
    ///
    /// # Errors
    /// [`Error::Io`] when the rename fails (the temporary file is then removed).
    pub fn persist(mut self, target: &Path) -> Result<()> {
        fs::rename(&self.path, target).map_err(io("cannot write", target))?;
        self.done = true;
        Ok(())
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.done {
            let _ = fs::remove_file(&self.path);
        }
        live().files.remove(&self.id);
    }
}

/// True when process `pid` may still be running (always true where that
/// cannot be checked).
fn may_be_alive(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    if cfg!(target_os = "linux") && Path::new("/proc/self").exists() {
        Path::new("/proc").join(pid.to_string()).exists()
    } else {
        true
    }
}

/// The pid in a temporary file name written by this or an earlier version.
fn temp_owner(name: &str) -> Option<u32> {
    if let Some(rest) = name.strip_prefix(TMP_PREFIX) {
        return rest.split('.').next()?.parse().ok();
    }
    // Earlier versions: `.escalation-manifest.tmpPID`.
    name.strip_prefix(".escalation-manifest.tmp")?.parse().ok()
}

/// Removes temporary files in `dir` left by processes that no longer run.
fn clean_stale(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(pid) = name.to_str().and_then(temp_owner) else {
            continue;
        };
        if !may_be_alive(pid) && e.file_type().is_ok_and(|t| t.is_file()) {
            let _ = fs::remove_file(e.path());
        }
    }
}

/// A directory that receives output files.
#[derive(Debug)]
pub struct OutputDir {
    dir: PathBuf,
    force: bool,
}

fn io<'a>(action: &'static str, path: &'a Path) -> impl FnOnce(std::io::Error) -> Error + 'a {
    move |source| Error::Io {
        action,
        path: path.to_path_buf(),
        source,
    }
}

fn not_usable(path: &Path, why: &str) -> Error {
    Invalid::new("output", why).value(path.display()).into()
}

impl OutputDir {
    /// Opens (creating it if needed) the directory `dir`, and removes the
    /// temporary files that dead processes left there. With `force`,
    /// existing files may be overwritten whoever created them.
    ///
    /// # Errors
    /// [`Error::Invalid`] when `dir` is an existing file, or its manifest
    /// or lock file is not a regular file; [`Error::Io`] when the directory
    /// cannot be created.
    pub fn create(dir: impl AsRef<Path>, force: bool) -> Result<Self> {
        let dir = dir.as_ref().to_path_buf();
        if dir.exists() && !dir.is_dir() {
            return Err(not_usable(&dir, "exists and is not a directory"));
        }
        for special in [MANIFEST, LOCK] {
            let p = dir.join(special);
            if fs::symlink_metadata(&p).is_ok_and(|m| !m.is_file()) {
                return Err(not_usable(
                    &p,
                    "escalation keeps its manifest under this name, but it is not a regular file: remove or rename it",
                ));
            }
        }
        fs::create_dir_all(&dir).map_err(|e| {
            if matches!(
                e.kind(),
                std::io::ErrorKind::NotADirectory | std::io::ErrorKind::AlreadyExists
            ) {
                not_usable(&dir, "cannot be created: a part of the path is a file")
            } else {
                io("cannot create directory", &dir)(e)
            }
        })?;
        clean_stale(&dir);
        Ok(Self { dir, force })
    }

    /// The directory.
    #[must_use]
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The names in the manifest.
    fn manifest(&self) -> Result<BTreeSet<String>> {
        let path = self.dir.join(MANIFEST);
        if !path.exists() {
            return Ok(BTreeSet::new());
        }
        let text = read_capped(&path, MAX_SCENARIO_BYTES, "manifest")?;
        Ok(text.lines().map(str::to_string).collect())
    }

    /// Checks that `name` may be written: a plain file name, not a
    /// directory, and either absent, ours, or `force`.
    fn check(&self, name: &str) -> Result<PathBuf> {
        if name.is_empty()
            || name.contains(['/', '\\'])
            || name == "."
            || name == ".."
            || name.starts_with(".escalation-")
        {
            return Err(Error::invalid(
                "output file name",
                format!("{name:?} is not a plain file name"),
            ));
        }
        let path = self.dir.join(name);
        match fs::symlink_metadata(&path) {
            Err(_) => Ok(path),
            Ok(m) if m.is_dir() => Err(not_usable(&path, "is a directory")),
            Ok(_) if self.force || self.manifest()?.contains(name) => Ok(path),
            Ok(_) => Err(Error::WouldOverwrite(path)),
        }
    }

    /// Checks every target in `names` before any is written, so that a
    /// refusal leaves nothing written.
    ///
    /// # Errors
    /// As [`OutputDir::write`], for the first target that may not be written.
    pub fn check_all(&self, names: &[&str]) -> Result<()> {
        for name in names {
            self.check(name)?;
        }
        Ok(())
    }

    /// Runs `f` holding the exclusive lock of the manifest.
    fn locked<T>(&self, f: impl FnOnce() -> Result<T>) -> Result<T> {
        let path = self.dir.join(LOCK);
        let lock = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(io("cannot write", &path))?;
        lock.lock().map_err(io("cannot lock", &path))?;
        let result = f();
        let _ = lock.unlock();
        result
    }

    /// Adds `name` to the manifest: read, add, write, rename, under the lock.
    fn record(&self, name: &str) -> Result<()> {
        self.locked(|| {
            let mut ours = self.manifest()?;
            if ours.insert(name.to_string()) {
                let text: String = ours.iter().map(|n| format!("{n}\n")).collect();
                let manifest = self.dir.join(MANIFEST);
                let tmp = TempFile::new(&self.dir, "manifest")?;
                fs::write(tmp.path(), text).map_err(io("cannot write", tmp.path()))?;
                tmp.persist(&manifest)?;
            }
            Ok(())
        })
    }

    /// Writes `bytes` to `name` atomically.
    ///
    /// # Errors
    /// [`Error::WouldOverwrite`] for a file we did not create (without
    /// `force`); [`Error::Invalid`] when `name` is a directory;
    /// [`Error::Io`] when writing fails.
    pub fn write(&self, name: &str, bytes: &[u8]) -> Result<PathBuf> {
        self.write_with(name, |tmp| {
            let mut f = fs::File::create(tmp).map_err(io("cannot write", tmp))?;
            f.write_all(bytes).map_err(io("cannot write", tmp))?;
            f.sync_all().map_err(io("cannot write", tmp))
        })
    }

    /// Lets `produce` write a temporary file (whose name ends in `name`, so
    /// it has the same extension), then renames it to `name`. On failure,
    /// panic or termination signal the temporary file is removed.
    ///
    /// # Errors
    /// As [`OutputDir::write`], or whatever `produce` returns.
    pub fn write_with(
        &self,
        name: &str,
        produce: impl FnOnce(&Path) -> Result<()>,
    ) -> Result<PathBuf> {
        let path = self.check(name)?;
        let tmp = self.temp(name)?;
        produce(tmp.path())?;
        // Checked again: another process may have created it meanwhile.
        self.check(name)?;
        tmp.persist(&path)?;
        self.record(name)?;
        Ok(path)
    }

    /// A registered temporary file in this directory (for scratch data
    /// that is not renamed into place: it is removed on drop).
    ///
    /// # Errors
    /// [`Error::Io`] when the process is being terminated.
    pub fn temp(&self, name: &str) -> Result<TempFile> {
        TempFile::new(&self.dir, name)
    }
}

/// The directory and file name of an output file `path`.
fn split(path: &Path) -> Result<(PathBuf, String)> {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| not_usable(path, "is not a file name"))?;
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    Ok((parent, name.to_string()))
}

/// Opens the directory of the output file `path` and checks that the file
/// may be written there, without writing anything.
///
/// # Errors
/// As [`OutputDir::write`].
pub fn check_file(path: impl AsRef<Path>, force: bool) -> Result<()> {
    let path = path.as_ref();
    if path.is_dir() {
        return Err(not_usable(path, "is a directory"));
    }
    let (dir, name) = split(path)?;
    OutputDir::create(dir, force)?.check(&name).map(|_| ())
}

/// Writes one file atomically, refusing to replace a file that `escalation`
/// did not create there unless `force`.
///
/// # Errors
/// As [`OutputDir::write`].
pub fn write_file(path: impl AsRef<Path>, bytes: &[u8], force: bool) -> Result<PathBuf> {
    write_file_with(path, force, |tmp| {
        let mut f = fs::File::create(tmp).map_err(io("cannot write", tmp))?;
        f.write_all(bytes).map_err(io("cannot write", tmp))?;
        f.sync_all().map_err(io("cannot write", tmp))
    })
}

/// Like [`write_file`], with `produce` writing the temporary file (for
/// output streamed as it is computed).
///
/// # Errors
/// As [`OutputDir::write_with`].
pub fn write_file_with(
    path: impl AsRef<Path>,
    force: bool,
    produce: impl FnOnce(&Path) -> Result<()>,
) -> Result<PathBuf> {
    let path = path.as_ref();
    if path.is_dir() {
        return Err(not_usable(path, "is a directory"));
    }
    let (dir, name) = split(path)?;
    OutputDir::create(dir, force)?.write_with(&name, produce)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temp_names_give_their_pid() {
        assert_eq!(temp_owner(".escalation-tmp.123.4.sweep.csv"), Some(123));
        assert_eq!(temp_owner(".escalation-manifest.tmp77"), Some(77));
        assert_eq!(temp_owner("sweep.csv"), None);
        assert_eq!(temp_owner(".escalation-tmp.x.4.sweep.csv"), None);
    }

    #[test]
    fn sizes_print_in_mib() {
        assert_eq!(human_bytes(16 << 20), "16 MiB (16777216 bytes)");
        assert_eq!(human_bytes(100), "100 bytes");
    }
}
