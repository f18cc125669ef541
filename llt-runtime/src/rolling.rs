//! A file sink that rotates by size, by time (hourly or daily, in UTC), or
//! both, and deletes old files.
//!
//! [`RollingFile`] is a [`std::io::Write`] to hand to
//! [`Builder::sink`](crate::Builder::sink). The live file is always exactly
//! the path given (`logs/app.log`); rotating renames it and starts a new,
//! empty one at the same path.
//!
//! # File names
//!
//! | configuration            | rotated files, oldest first                                    |
//! |--------------------------|----------------------------------------------------------------|
//! | `max_size` only          | `app.log.1`, `app.log.2`, …                                    |
//! | [`Rotation::Daily`]      | `app.2026-11-23.log`                                           |
//! | [`Rotation::Hourly`]     | `app.2026-11-23T14.log`                                        |
//! | time and `max_size`      | `app.2026-11-23.log.1`, `app.2026-11-23.log.2`, …, `app.2026-11-23.log` |
//!
//! * A size rotation renames the live file to the next number: `.1`, then
//!   `.2`, and so on; the highest number is the newest file. A rotated file
//!   is never renamed again, so a rotation costs the same (one rename, one
//!   open, and one deletion per file beyond [`keep`](RollingFileBuilder::keep))
//!   however many files are kept. The numbers in use are read from the
//!   directory once, at the first rotation (and again after a failed one):
//!   a restarted program goes on after the highest number it finds.
//! * A time rotation renames the live file after the period its lines were
//!   written in (UTC), not the one it is rotated in: the file of Nov 23 is
//!   `app.2026-11-23.log` even if the first line of Nov 25 rotates it.
//! * With both, the parts of a period are numbered in order,
//!   `app.2026-11-23.log.1`, `app.2026-11-23.log.2`, …, and the period's
//!   last part, named when the period ends, has no number:
//!   `app.2026-11-23.log`.
//! * Without an extension (`logs/app`) the names are `app.1` and
//!   `app.2026-11-23`; with several dots only the last one counts
//!   (`app.v2.log` gives `app.v2.2026-11-23.log`).
//!
//! # Lines stay whole
//!
//! Rotation happens only between lines (after a `\n`). A write that would
//! push the file over `max_size` is split at line boundaries: the lines that
//! fit go to the current file, the rest to the next ones. A write that ends
//! in the middle of a line defers rotation until that line is finished, so
//! `writeln!` (which writes a line in pieces) is safe too. A file therefore
//! exceeds `max_size` only when a single line is longer than `max_size`
//! (that line gets a file of its own), when a line written in pieces runs
//! past it, or while a failed rotation waits to be retried.
//!
//! # Retention
//!
//! With [`keep(n)`](RollingFileBuilder::keep), after each rotation only the
//! `n` newest rotated files of this log are kept (the live file is not
//! counted): the `n` highest numbers for size rotation, the `n` newest
//! dated files (`app.<date>.log` and `app.<date>.log.<k>`) for time
//! rotation. Only names of exactly those shapes are touched; other files in
//! the directory, directories and symbolic links are never deleted.
//! Without `keep`, nothing is deleted. The rolling file remembers the
//! files it rotated, so retention deletes the oldest without listing the
//! directory again.
//!
//! # Errors while logging
//!
//! A failure to rotate (a rename refused, the new file not creatable, an old
//! file not deletable) loses no line: it is reported once on stderr, naming
//! the file and what failed, the lines go on to the current file, and
//! rotation is retried at the first write after [`RETRY_INTERVAL`] (a file
//! that could not be deleted, at the next rotation). The next
//! [`flush`](Write::flush) also returns the error, so the logger counts it
//! in its sink errors. A failure to *write* is returned by
//! [`write`](Write::write) as an [`io::Error`] naming the file; the logger
//! counts the lines it loses and reports it.
//!
//! A failed write leaves no part of a line in the file: the file is cut back
//! (`set_len`) to the end of its last whole line, so when the disk has room
//! again the next line starts on its own line, whole. `write` then returns
//! the count of bytes up to that line end (or the error, if no whole line of
//! the buffer got in), and a line begun by an earlier call (`writeln!`
//! writes in pieces) is cut off with the rest. If even cutting fails, the
//! next write tries again, and failing that writes a newline first, so the
//! fragment at least stays alone on its line.
//!
//! # Limits
//!
//! One process, one `RollingFile` per path: two writers of one log would
//! rotate each other's files (and a file given the next number behind the
//! rolling file's back is replaced by its next rotation). Time rotation
//! happens at the first write of a later period, not on a timer; a clock
//! that goes back does not rotate.
//! Files are not compressed, and `flush` does not `fsync`.
//!
//! # Examples
//!
//! ```
//! use llt_runtime::rolling::{RollingFile, Rotation};
//! use llt_runtime::{LineFormat, Logger};
//!
//! let dir = std::env::temp_dir().join(format!("llt-doc-rolling-{}", std::process::id()));
//! let file = RollingFile::builder(dir.join("app.log"))
//!     .create_dirs(true)
//!     .rotation(Rotation::Daily)
//!     .max_size(64 * 1024 * 1024)
//!     .keep(14)
//!     .open()?;
//! let logger = Logger::builder()
//!     .format(LineFormat::MessageOnly)
//!     .sink(file)
//!     .build()?;
//! logger.log("hello");
//! logger.flush();
//! assert_eq!(std::fs::read_to_string(dir.join("app.log"))?, "hello\n");
//! # drop(logger);
//! # std::fs::remove_dir_all(&dir)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

mod builder;
mod error;
mod names;
mod period;
mod rotate;

pub use builder::RollingFileBuilder;
pub use error::RollingError;
use names::Names;
use rotate::Rotated;

/// How long a [`RollingFile`] whose rotation failed appends to its current
/// file before it tries to rotate again (measured with its clock).
///
/// # Examples
///
/// ```
/// assert_eq!(llt_runtime::rolling::RETRY_INTERVAL.as_secs(), 60);
/// ```
pub const RETRY_INTERVAL: Duration = Duration::from_secs(60);

/// The clock a [`RollingFile`] reads to decide time rotation.
type ClockFn = Box<dyn Fn() -> SystemTime + Send>;

/// When a [`RollingFile`] starts a new file regardless of its size.
///
/// Periods are UTC hours or days; the rotated file is named after the
/// period its lines were written in.
///
/// # Examples
///
/// ```
/// use llt_runtime::rolling::{RollingFile, Rotation};
/// assert_eq!(Rotation::default(), Rotation::Never);
/// let builder = RollingFile::builder("logs/app.log").rotation(Rotation::Hourly);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Rotation {
    /// No time-based rotation (the default): only `max_size` rotates.
    #[default]
    Never,
    /// A new file every UTC hour: `app.2026-11-23T14.log`.
    Hourly,
    /// A new file every UTC day: `app.2026-11-23.log`.
    Daily,
}

/// A log file that rotates by size and/or time and deletes old files; a
/// [`Write`] sink for the logger.
///
/// Size rotation numbers the rotated files upward, `app.log.1` the oldest
/// and the highest number the newest, and never renames a rotated file
/// again: a rotation costs one rename and one open (plus a deletion per file
/// beyond [`keep`](RollingFileBuilder::keep)), however many files are kept.
/// A failed write cuts the file back to its last whole line, so no fragment
/// of a line stays in it.
///
/// See the [module documentation](self) for the file names, how lines are
/// kept whole and what happens on errors.
///
/// # Examples
///
/// ```
/// use std::io::Write;
/// use llt_runtime::rolling::RollingFile;
///
/// let dir = std::env::temp_dir().join(format!("llt-doc-file-{}", std::process::id()));
/// std::fs::create_dir_all(&dir)?;
/// let mut file = RollingFile::builder(dir.join("app.log")).max_size(8).keep(1).open()?;
/// file.write_all(b"one\ntwo\nthree\n")?; // "one\ntwo\n" fills 8 bytes
/// assert_eq!(std::fs::read_to_string(dir.join("app.log.1"))?, "one\ntwo\n");
/// assert_eq!(std::fs::read_to_string(dir.join("app.log"))?, "three\n");
/// # drop(file);
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct RollingFile {
    path: PathBuf,
    names: Names,
    file: File,
    /// Bytes in the live file.
    size: u64,
    /// Bytes in the live file up to the end of its last whole line: what
    /// a failed write cuts it back to. Equals `size` when `at_line_start`.
    whole: u64,
    /// A failed write left part of a line in the file, and cutting it off
    /// failed too: the next write tries again, or ends that line first.
    torn: bool,
    /// Whether the last byte written is a newline (or the file is new):
    /// rotating is allowed only then.
    at_line_start: bool,
    /// Period (see `Rotation::period_of`) the live file's lines belong to;
    /// 0 with `Rotation::Never`.
    period: i64,
    max_size: Option<u64>,
    rotation: Rotation,
    keep: Option<usize>,
    clock: ClockFn,
    /// When the last rotation failed, until one succeeds.
    failed_at: Option<SystemTime>,
    /// A rotation error to return at the next `flush` (the lines went on
    /// to the current file; this only makes the logger count it).
    pending: Option<io::Error>,
    /// The rotated files, read from the directory at the first rotation;
    /// `None` until then, and again after a failed rotation (to read the
    /// directory afresh at the retry).
    rotated: Option<Rotated>,
}

impl fmt::Debug for RollingFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RollingFile")
            .field("path", &self.path)
            .field("size", &self.size)
            .field("max_size", &self.max_size)
            .field("rotation", &self.rotation)
            .field("keep", &self.keep)
            .field(
                "period",
                &self
                    .rotation
                    .period_secs()
                    .map(|_| self.rotation.label(self.period)),
            )
            .field("rotation_failed_at", &self.failed_at)
            .finish_non_exhaustive()
    }
}

/// What to do with the start of the bytes left to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// Append this many bytes to the live file.
    Write(usize),
    /// Rotate first.
    Rotate(Trigger),
}

/// Why a rotation happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Trigger {
    Size,
    Time,
}

impl RollingFile {
    /// The live file's path, as given to [`builder`](Self::builder).
    ///
    /// # Examples
    ///
    /// ```
    /// use llt_runtime::rolling::RollingFile;
    /// let path = std::env::temp_dir().join(format!("llt-doc-path-{}.log", std::process::id()));
    /// let file = RollingFile::builder(&path).open()?;
    /// assert_eq!(file.path(), path);
    /// # drop(file);
    /// # std::fs::remove_file(&path)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether a failed rotation is still in its back-off at `now`.
    fn backing_off(&self, now: SystemTime) -> bool {
        self.failed_at
            .is_some_and(|failed| now.duration_since(failed).is_ok_and(|d| d < RETRY_INTERVAL))
    }

    /// Decides what to do with `rest` (not empty).
    fn plan(&mut self, rest: &[u8], now: SystemTime) -> Step {
        if !self.at_line_start {
            // Finish the current line where it is.
            return Step::Write(line_len(rest));
        }
        if self.backing_off(now) {
            return Step::Write(rest.len());
        }
        if let Some(period) = self.rotation.period_of(now)
            && period > self.period
        {
            if self.size > 0 {
                return Step::Rotate(Trigger::Time);
            }
            // Nothing written in the old period: the file is the new one's.
            self.period = period;
        }
        let Some(max) = self.max_size else {
            return Step::Write(rest.len());
        };
        let room = max.saturating_sub(self.size);
        let room = usize::try_from(room).unwrap_or(usize::MAX);
        if rest.len() <= room {
            return Step::Write(rest.len());
        }
        if let Some(last_newline) = rest[..room].iter().rposition(|&b| b == b'\n') {
            return Step::Write(last_newline + 1);
        }
        if self.size == 0 {
            // A line longer than max_size: whole, alone in a fresh file.
            return Step::Write(line_len(rest));
        }
        Step::Rotate(Trigger::Size)
    }

    /// After a failed write: cuts the partial line off the file and
    /// returns what of the buffer is in it, up to its last whole line
    /// (`whole_done` bytes), or the error if none is.
    fn write_failed(&mut self, error: io::Error, whole_done: usize) -> io::Result<usize> {
        let error = with_context(error, format_args!("writing {}", self.path.display()));
        self.cut_partial_line();
        if whole_done > 0 {
            Ok(whole_done)
        } else {
            Err(error)
        }
    }

    /// Truncates the live file to its last whole line, if it holds more;
    /// on failure, marks it torn for the next write to mend.
    fn cut_partial_line(&mut self) {
        if self.size == self.whole {
            return;
        }
        match self.file.set_len(self.whole) {
            Ok(()) => {
                self.size = self.whole;
                self.at_line_start = true;
                self.torn = false;
            }
            Err(_) => self.torn = true,
        }
    }

    /// Before writing, gets rid of a partial line a failed write left: cuts
    /// it off, or if that fails again, ends it with a newline so the next
    /// line starts on its own.
    fn mend(&mut self) -> io::Result<()> {
        if !self.torn {
            return Ok(());
        }
        self.cut_partial_line();
        if !self.torn {
            return Ok(());
        }
        let ended = loop {
            match self.file.write(b"\n") {
                Ok(0) => break Err(io::Error::from(io::ErrorKind::WriteZero)),
                Ok(_) => break Ok(()),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => break Err(e),
            }
        };
        ended.map_err(|e| {
            with_context(
                e,
                format_args!("ending a partial line in {}", self.path.display()),
            )
        })?;
        self.size += 1;
        self.whole = self.size;
        self.at_line_start = true;
        self.torn = false;
        Ok(())
    }
}

impl Write for RollingFile {
    /// Writes all of `buf`, rotating before (and between) lines as needed,
    /// and returns its length. If writing fails, the file is cut back to
    /// its last whole line, and the result is the length of `buf` up to the
    /// last of its newlines still in a file, or the error if there is none;
    /// see the [module documentation](self#errors-while-logging).
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        self.mend()?;
        let now = (self.clock)();
        let mut done = 0;
        // Bytes of `buf` up to and including the last newline written (to
        // this file or to one rotated during this call).
        let mut whole_done = 0;
        let mut just_rotated = false;
        while done < buf.len() {
            let rest = &buf[done..];
            let len = match self.plan(rest, now) {
                Step::Write(len) => len,
                // The new file is not empty (another process wrote it?):
                // write a line rather than rotate in a loop.
                Step::Rotate(_) if just_rotated => line_len(rest),
                Step::Rotate(trigger) => {
                    match self.rotate(trigger, now) {
                        Ok(()) => just_rotated = true,
                        // `rotate` set the back-off: the next plan appends
                        // to the current file instead.
                        Err(e) => self.rotation_failed(e),
                    }
                    continue;
                }
            };
            just_rotated = false;
            let mut chunk = &rest[..len];
            while !chunk.is_empty() {
                match self.file.write(chunk) {
                    Ok(0) => {
                        let e = io::Error::from(io::ErrorKind::WriteZero);
                        return self.write_failed(e, whole_done);
                    }
                    Ok(n) => {
                        let taken = &chunk[..n];
                        self.size += n as u64;
                        self.at_line_start = taken[n - 1] == b'\n';
                        if let Some(last_newline) = taken.iter().rposition(|&b| b == b'\n') {
                            self.whole = self.size - (n - last_newline - 1) as u64;
                            whole_done = done + last_newline + 1;
                        }
                        done += n;
                        chunk = &chunk[n..];
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    // Not sticky: the next call tries again.
                    Err(e) => return self.write_failed(e, whole_done),
                }
            }
        }
        Ok(done)
    }

    /// Flushes the live file (a no-op for a `File`: writes are not buffered
    /// here; this does not `fsync`).
    fn flush(&mut self) -> io::Result<()> {
        if let Some(error) = self.pending.take() {
            return Err(error);
        }
        self.file.flush()
    }
}

/// Length of the first line of `bytes` (newline included), or all of it.
fn line_len(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |i| i + 1)
}

fn open_append(path: &Path) -> io::Result<File> {
    OpenOptions::new().create(true).append(true).open(path)
}

/// The same error kind, with what was being done in front of the message.
fn with_context(error: io::Error, what: fmt::Arguments<'_>) -> io::Error {
    io::Error::new(error.kind(), format!("{what}: {error}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_lengths() {
        assert_eq!(line_len(b"ab\ncd\n"), 3);
        assert_eq!(line_len(b"abc"), 3);
        assert_eq!(line_len(b"\n"), 1);
    }

    #[test]
    fn rolling_file_is_a_sink() {
        fn assert_sink<T: Write + Send + 'static>() {}
        assert_sink::<RollingFile>();
    }
}
