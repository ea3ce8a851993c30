//! Safe output files: every file is written to a temporary name and renamed
//! into place, so an interrupted run never leaves a half-written file; and
//! a file that `escalation` did not create is never overwritten without
//! `force`.
//!
//! Each output directory keeps a small manifest, `.escalation-manifest`,
//! listing the files this tool created there.
//!
//! # Example
//!
//! ```
//! use escalation::output::OutputDir;
//! let dir = std::env::temp_dir().join(format!("escalation-doc-{}", std::process::id()));
//! let out = OutputDir::create(&dir, false).unwrap();
//! out.write("hello.txt", b"hi").unwrap();
//! out.write("hello.txt", b"again").unwrap(); // ours: may be replaced
//! # std::fs::remove_dir_all(&dir).unwrap();
//! ```

use std::collections::BTreeSet;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::{Error, Result};

const MANIFEST: &str = ".escalation-manifest";

/// A directory that receives output files.
#[derive(Debug)]
pub struct OutputDir {
    dir: PathBuf,
    force: bool,
    ours: Mutex<BTreeSet<String>>,
}

fn io<'a>(action: &'static str, path: &'a Path) -> impl FnOnce(std::io::Error) -> Error + 'a {
    move |source| Error::Io {
        action,
        path: path.to_path_buf(),
        source,
    }
}

impl OutputDir {
    /// Opens (creating it if needed) the directory `dir`. With `force`,
    /// existing files may be overwritten whoever created them.
    ///
    /// # Errors
    /// [`Error::Io`] when the directory cannot be created or is a file.
    pub fn create(dir: impl AsRef<Path>, force: bool) -> Result<Self> {
        let dir = dir.as_ref().to_path_buf();
        if dir.exists() && !dir.is_dir() {
            return Err(Error::Io {
                action: "cannot write into",
                path: dir,
                source: std::io::Error::other("it exists and is not a directory"),
            });
        }
        fs::create_dir_all(&dir).map_err(io("cannot create directory", &dir))?;
        let manifest = dir.join(MANIFEST);
        let ours = fs::read_to_string(&manifest)
            .map(|s| s.lines().map(str::to_string).collect())
            .unwrap_or_default();
        Ok(Self {
            dir,
            force,
            ours: Mutex::new(ours),
        })
    }

    /// The directory.
    #[must_use]
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn check(&self, name: &str) -> Result<PathBuf> {
        if name.is_empty() || name.contains(['/', '\\']) || name == MANIFEST {
            return Err(Error::invalid(
                "output file name",
                format!("{name:?} is not a plain file name"),
            ));
        }
        let path = self.dir.join(name);
        let ours = self.ours.lock().is_ok_and(|o| o.contains(name));
        if path.exists() && !ours && !self.force {
            return Err(Error::WouldOverwrite(path));
        }
        Ok(path)
    }

    fn record(&self, name: &str) -> Result<()> {
        let mut ours = self
            .ours
            .lock()
            .map_err(|_| Error::Numerical("output manifest lock poisoned".into()))?;
        if ours.insert(name.to_string()) {
            let text: String = ours.iter().map(|n| format!("{n}\n")).collect();
            let manifest = self.dir.join(MANIFEST);
            let tmp = self
                .dir
                .join(format!("{MANIFEST}.tmp{}", std::process::id()));
            fs::write(&tmp, text).map_err(io("cannot write", &tmp))?;
            fs::rename(&tmp, &manifest).map_err(io("cannot write", &manifest))?;
        }
        Ok(())
    }

    /// Writes `bytes` to `name` atomically.
    ///
    /// # Errors
    /// [`Error::WouldOverwrite`] for a file we did not create (without
    /// `force`); [`Error::Io`] when writing fails.
    pub fn write(&self, name: &str, bytes: &[u8]) -> Result<PathBuf> {
        self.write_with(name, |tmp| {
            let mut f = fs::File::create(tmp).map_err(io("cannot write", tmp))?;
            f.write_all(bytes).map_err(io("cannot write", tmp))?;
            f.sync_all().map_err(io("cannot write", tmp))
        })
    }

    /// Lets `produce` write a temporary file (with the same extension as
    /// `name`), then renames it to `name`. On failure the temporary file is removed.
    ///
    /// # Errors
    /// As [`OutputDir::write`], or whatever `produce` returns.
    pub fn write_with(
        &self,
        name: &str,
        produce: impl FnOnce(&Path) -> Result<()>,
    ) -> Result<PathBuf> {
        let path = self.check(name)?;
        let tmp = self.dir.join(format!(
            ".{}.{}.tmp{}",
            name,
            std::process::id(),
            extension(name)
        ));
        let tmp = tmp.with_extension(extension(name));
        if let Err(e) = produce(&tmp) {
            let _ = fs::remove_file(&tmp);
            return Err(e);
        }
        fs::rename(&tmp, &path).map_err(io("cannot write", &path))?;
        self.record(name)?;
        Ok(path)
    }
}

fn extension(name: &str) -> &str {
    Path::new(name)
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("tmp")
}

/// Writes one file atomically, refusing to replace a file that `escalation`
/// did not create there unless `force`.
///
/// # Errors
/// As [`OutputDir::write`].
pub fn write_file(path: impl AsRef<Path>, bytes: &[u8], force: bool) -> Result<PathBuf> {
    let path = path.as_ref();
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| Error::invalid("--out", format!("{} is not a file name", path.display())))?;
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    OutputDir::create(parent, force)?.write(name, bytes)
}
