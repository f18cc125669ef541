//! The file a binary log is written to, rotated by size.
//!
//! Rotation happens only between the writer's batches (each `write` call is
//! one whole batch, written with `write_all`), and the writer starts a new
//! segment right after it, so every file starts with a segment header and
//! decodes on its own. Rotated files are numbered like `Builder::file`'s:
//! `app.lltb.1`, `app.lltb.2`, …, the highest the newest.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::sync::atomic::Ordering::Relaxed;

/// A binary log file, appended to, rotated after a write that takes it to
/// `max_size` bytes or more.
#[derive(Debug)]
pub(crate) struct BinaryFile {
    path: PathBuf,
    file: File,
    size: u64,
    max_size: Option<u64>,
    /// Number of the last rotated file.
    last: u64,
    /// Set when the file was rotated: the writer's encoder must start a
    /// new segment. Relaxed: only the writer thread touches it (it owns
    /// both this file, through the sink, and the encoder).
    rotated: Arc<AtomicBool>,
}

impl BinaryFile {
    /// Opens (or creates) `path` for appending; `rotated` is set after
    /// each rotation.
    pub(crate) fn open(
        path: &Path,
        max_size: Option<u64>,
        rotated: Arc<AtomicBool>,
    ) -> io::Result<Self> {
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        let size = file.metadata()?.len();
        let mut last = 0;
        while numbered(path, last + 1).exists() {
            last += 1;
        }
        Ok(BinaryFile {
            path: path.to_owned(),
            file,
            size,
            max_size,
            last,
            rotated,
        })
    }

    /// Renames the live file to the next number and starts a new one.
    fn rotate(&mut self) -> io::Result<()> {
        self.file.flush()?;
        let next = numbered(&self.path, self.last + 1);
        std::fs::rename(&self.path, &next)?;
        self.last += 1;
        self.file = OpenOptions::new()
            .create(true)
            .truncate(true)
            .write(true)
            .open(&self.path)?;
        self.size = 0;
        // Relaxed: read by the encoder on this same (writer) thread.
        self.rotated.store(true, Relaxed);
        Ok(())
    }
}

/// `app.lltb` -> `app.lltb.{n}`.
fn numbered(path: &Path, n: u64) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(format!(".{n}"));
    PathBuf::from(name)
}

impl Write for BinaryFile {
    fn write(&mut self, batch: &[u8]) -> io::Result<usize> {
        self.file.write_all(batch)?;
        self.size += batch.len() as u64;
        if self.max_size.is_some_and(|max| self.size >= max)
            && let Err(error) = self.rotate()
        {
            // Rotation is given up (the data is safe in the live file).
            self.max_size = None;
            let _ = writeln!(
                io::stderr(),
                "llt: rotating the binary log {} failed: {error}; it goes on growing",
                self.path.display()
            );
        }
        Ok(batch.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}
