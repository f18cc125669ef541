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

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::{OsStr, OsString};
use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

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

impl Rotation {
    /// Length of a period in seconds, if this rotation has periods.
    fn period_secs(self) -> Option<i64> {
        match self {
            Rotation::Never => None,
            Rotation::Hourly => Some(3600),
            Rotation::Daily => Some(86_400),
        }
    }

    /// Index of the period `time` falls in (periods since the Unix epoch).
    fn period_of(self, time: SystemTime) -> Option<i64> {
        self.period_secs()
            .map(|len| unix_secs(time).div_euclid(len))
    }

    /// The date (and hour) of period `period`, as used in file names.
    fn label(self, period: i64) -> String {
        let (days, hour) = match self {
            Rotation::Hourly => (period.div_euclid(24), Some(period.rem_euclid(24))),
            Rotation::Daily | Rotation::Never => (period, None),
        };
        let (year, month, day) = crate::clock::civil_from_days(days);
        let year = year.clamp(0, 9999);
        match hour {
            Some(hour) => format!("{year:04}-{month:02}-{day:02}T{hour:02}"),
            None => format!("{year:04}-{month:02}-{day:02}"),
        }
    }
}

/// Why a [`RollingFile`] could not be opened.
///
/// # Examples
///
/// ```
/// use llt_runtime::rolling::{RollingError, RollingFile};
/// let missing = std::env::temp_dir().join("llt-doc-no-such-dir/app.log");
/// let err = RollingFile::builder(&missing).open().unwrap_err();
/// assert!(matches!(err, RollingError::DirectoryMissing { .. }));
/// assert!(err.to_string().contains("create_dirs(true)"));
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum RollingError {
    /// The path ends in no file name (`""`, `/`, `logs/..`).
    NoFileName {
        /// The path given.
        path: PathBuf,
    },
    /// [`max_size`](RollingFileBuilder::max_size) was 0.
    ZeroMaxSize,
    /// The log file's directory does not exist, and
    /// [`create_dirs`](RollingFileBuilder::create_dirs) was not set.
    DirectoryMissing {
        /// The missing directory.
        path: PathBuf,
    },
    /// Creating the missing directory failed.
    CreateDirectory {
        /// The directory.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// Opening (or creating) the live file for appending failed: no
    /// permission, a directory at that path, a file where a directory
    /// should be…
    Open {
        /// The live file's path.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
}

impl fmt::Display for RollingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RollingError::NoFileName { path } => write!(
                f,
                "log file path {:?} has no file name: give the live file's path, \
                 such as \"logs/app.log\"",
                path
            ),
            RollingError::ZeroMaxSize => write!(
                f,
                "log file max_size must be at least 1 byte \
                 (it is in bytes: 10 MiB is 10 * 1024 * 1024)"
            ),
            RollingError::DirectoryMissing { path } => write!(
                f,
                "log directory {} does not exist: create it, or call \
                 RollingFileBuilder::create_dirs(true) to have it created",
                path.display()
            ),
            RollingError::CreateDirectory { path, source } => write!(
                f,
                "could not create log directory {}: {source}",
                path.display()
            ),
            RollingError::Open { path, source } => {
                write!(
                    f,
                    "could not open log file {} for appending: {source}",
                    path.display()
                )?;
                let hint = match source.kind() {
                    io::ErrorKind::PermissionDenied => {
                        "; check that this user may write the file and its directory"
                    }
                    io::ErrorKind::IsADirectory => {
                        "; the path is a directory: give a file path such as \"logs/app.log\""
                    }
                    io::ErrorKind::NotADirectory => {
                        "; a part of the path that should be a directory is a file"
                    }
                    _ => "",
                };
                f.write_str(hint)
            }
        }
    }
}

impl std::error::Error for RollingError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            RollingError::CreateDirectory { source, .. } | RollingError::Open { source, .. } => {
                Some(source)
            }
            _ => None,
        }
    }
}

/// Configures and opens a [`RollingFile`].
///
/// Defaults: no size limit, [`Rotation::Never`], keep every rotated file,
/// the system clock, and the directory must exist.
///
/// # Examples
///
/// ```
/// use llt_runtime::rolling::{RollingFile, Rotation};
/// let dir = std::env::temp_dir().join(format!("llt-doc-builder-{}", std::process::id()));
/// let file = RollingFile::builder(dir.join("app.log"))
///     .max_size(10 * 1024 * 1024)
///     .rotation(Rotation::Daily)
///     .keep(30)
///     .create_dirs(true)
///     .open()?;
/// assert_eq!(file.path(), dir.join("app.log"));
/// # drop(file);
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use = "a builder does nothing until `open` is called"]
pub struct RollingFileBuilder {
    path: PathBuf,
    max_size: Option<u64>,
    rotation: Rotation,
    keep: Option<usize>,
    clock: Option<ClockFn>,
    create_dirs: bool,
}

impl fmt::Debug for RollingFileBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RollingFileBuilder")
            .field("path", &self.path)
            .field("max_size", &self.max_size)
            .field("rotation", &self.rotation)
            .field("keep", &self.keep)
            .field("clock", &self.clock.as_ref().map_or("system", |_| "custom"))
            .field("create_dirs", &self.create_dirs)
            .finish()
    }
}

impl RollingFileBuilder {
    /// Rotates before a write would make the live file larger than `bytes`
    /// (at least 1; default: no limit). Lines are never split, so a file
    /// holding a single longer line is larger.
    ///
    /// # Examples
    ///
    /// ```
    /// use llt_runtime::rolling::RollingFile;
    /// // app.log, then app.log.1, app.log.2… of at most 10 MiB each.
    /// let builder = RollingFile::builder("logs/app.log").max_size(10 * 1024 * 1024);
    /// ```
    pub fn max_size(mut self, bytes: u64) -> Self {
        self.max_size = Some(bytes);
        self
    }

    /// Rotates at each new UTC hour or day (default [`Rotation::Never`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use llt_runtime::rolling::{RollingFile, Rotation};
    /// // app.log, then app.2026-11-23.log, app.2026-11-24.log…
    /// let builder = RollingFile::builder("logs/app.log").rotation(Rotation::Daily);
    /// ```
    pub fn rotation(mut self, rotation: Rotation) -> Self {
        self.rotation = rotation;
        self
    }

    /// Keeps only the `n` newest rotated files, deleting older ones after
    /// each rotation (default: keep all). With `keep(0)` a rotated file is
    /// deleted at once: only the live file remains.
    ///
    /// A rotation costs the same whatever `n` is and however many files are
    /// kept: rotated files are never renamed again (`app.log.1`, `.2`, …,
    /// the highest number the newest; see [File names](self#file-names)),
    /// and each rotation deletes only the files beyond `n`.
    ///
    /// # Examples
    ///
    /// ```
    /// use llt_runtime::rolling::{RollingFile, Rotation};
    /// // Two weeks of daily files.
    /// let builder = RollingFile::builder("logs/app.log").rotation(Rotation::Daily).keep(14);
    /// ```
    pub fn keep(mut self, n: usize) -> Self {
        self.keep = Some(n);
        self
    }

    /// The clock that decides time rotation (default [`SystemTime::now`]);
    /// tests inject one to cross hour and day boundaries without sleeping.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::{Duration, SystemTime};
    /// use llt_runtime::rolling::{RollingFile, Rotation};
    /// // Always 2026-11-23T14:00:00Z.
    /// let fixed = SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_442_400);
    /// let builder = RollingFile::builder("logs/app.log")
    ///     .rotation(Rotation::Hourly)
    ///     .clock(move || fixed);
    /// ```
    pub fn clock(mut self, clock: impl Fn() -> SystemTime + Send + 'static) -> Self {
        self.clock = Some(Box::new(clock));
        self
    }

    /// Whether [`open`](Self::open) creates the log file's directory and its
    /// parents when missing (default `false`: a missing directory is an
    /// error, [`RollingError::DirectoryMissing`], as it is usually a typo).
    ///
    /// # Examples
    ///
    /// ```
    /// use llt_runtime::rolling::RollingFile;
    /// let dir = std::env::temp_dir().join(format!("llt-doc-mkdir-{}", std::process::id()));
    /// let file = RollingFile::builder(dir.join("a/b/app.log")).create_dirs(true).open()?;
    /// assert!(dir.join("a/b/app.log").is_file());
    /// # drop(file);
    /// # std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn create_dirs(mut self, create: bool) -> Self {
        self.create_dirs = create;
        self
    }

    /// Opens the live file for appending, creating it if needed.
    ///
    /// An existing file is appended to: its length counts toward
    /// `max_size`, and its lines are taken to belong to the period of its
    /// last modification (or of now, if it is empty or was modified in the
    /// future), so a file left over from yesterday is rotated under
    /// yesterday's date at the first write. Old rotated files are deleted at
    /// the first rotation, not here.
    ///
    /// # Errors
    ///
    /// A [`RollingError`] saying what to fix: no file name, a `max_size` of
    /// 0, a missing directory, or the file not openable for appending.
    ///
    /// # Examples
    ///
    /// ```
    /// use llt_runtime::rolling::{RollingError, RollingFile};
    /// match RollingFile::builder("/nonexistent-llt-dir/app.log").open() {
    ///     Ok(_) => unreachable!("no such directory"),
    ///     Err(RollingError::DirectoryMissing { path }) => {
    ///         assert_eq!(path, std::path::Path::new("/nonexistent-llt-dir"));
    ///     }
    ///     Err(other) => panic!("{other}"),
    /// }
    /// ```
    pub fn open(self) -> Result<RollingFile, RollingError> {
        if self.max_size == Some(0) {
            return Err(RollingError::ZeroMaxSize);
        }
        let Some(names) = Names::new(&self.path) else {
            return Err(RollingError::NoFileName { path: self.path });
        };
        if let Err(e) = fs::metadata(names.dir_for_io())
            && e.kind() == io::ErrorKind::NotFound
        {
            if !self.create_dirs {
                return Err(RollingError::DirectoryMissing { path: names.dir });
            }
            if let Err(source) = fs::create_dir_all(&names.dir) {
                return Err(RollingError::CreateDirectory {
                    path: names.dir,
                    source,
                });
            }
        }
        let opened = open_append(&self.path).and_then(|file| {
            let metadata = file.metadata()?;
            Ok((file, metadata))
        });
        let (file, metadata) = match opened {
            Ok(opened) => opened,
            Err(source) => {
                return Err(RollingError::Open {
                    path: self.path,
                    source,
                });
            }
        };
        let clock = self.clock.unwrap_or_else(|| Box::new(SystemTime::now));
        let now = clock();
        let size = metadata.len();
        let written_at = match metadata.modified() {
            Ok(modified) if size > 0 => modified.min(now),
            _ => now,
        };
        Ok(RollingFile {
            period: self.rotation.period_of(written_at).unwrap_or(0),
            path: self.path,
            names,
            file,
            size,
            whole: size,
            torn: false,
            at_line_start: true,
            max_size: self.max_size,
            rotation: self.rotation,
            keep: self.keep,
            clock,
            failed_at: None,
            pending: None,
            rotated: None,
        })
    }
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
    /// A builder for a rolling file whose live file is `path`.
    ///
    /// # Examples
    ///
    /// ```
    /// use llt_runtime::rolling::RollingFile;
    /// let builder = RollingFile::builder("logs/app.log").max_size(1 << 20);
    /// ```
    pub fn builder(path: impl Into<PathBuf>) -> RollingFileBuilder {
        RollingFileBuilder {
            path: path.into(),
            max_size: None,
            rotation: Rotation::Never,
            keep: None,
            clock: None,
            create_dirs: false,
        }
    }

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

    /// Rotates, then deletes old files. On failure before the new file is
    /// open, the current file stays live and retries wait for
    /// `RETRY_INTERVAL`.
    fn rotate(&mut self, trigger: Trigger, now: SystemTime) -> io::Result<()> {
        if let Err(e) = self.switch_files(trigger) {
            self.failed_at = Some(now);
            return Err(io::Error::new(
                e.kind(),
                format!(
                    "could not rotate log file {}: {e}; lines go on to it, \
                     rotation is retried in {} s",
                    self.path.display(),
                    RETRY_INTERVAL.as_secs()
                ),
            ));
        }
        self.failed_at = None;
        self.period = self.rotation.period_of(now).unwrap_or(0);
        self.remove_old().map_err(|e| {
            io::Error::new(
                e.kind(),
                format!(
                    "rotated log file {}, but could not delete old files: {e}; \
                     retried at the next rotation",
                    self.path.display()
                ),
            )
        })
    }

    /// Renames the live file to the next rotated name and opens a new one.
    /// On error the current file is still the one written to, and the
    /// directory is read again at the next attempt.
    fn switch_files(&mut self, trigger: Trigger) -> io::Result<()> {
        let track_files = self.keep.is_some();
        let mut rotated = match self.rotated.take() {
            Some(rotated) => rotated,
            None => Rotated::scan(&self.names, self.rotation, track_files)?,
        };
        let label = match self.rotation {
            Rotation::Never => String::new(),
            rotation => rotation.label(self.period),
        };
        let last = Part {
            label: label.clone(),
            number: Number::Last,
        };
        if self.rotation != Rotation::Never {
            let last_path = self.names.path(&self.names.part_name(&last));
            if is_regular_file(&last_path) {
                // Normally named when its period ends; here already (the
                // clock went back, or a restart): it becomes the period's
                // next numbered part, so the live file stays the newest.
                let moved = Part {
                    label: label.clone(),
                    number: Number::Nth(rotated.next_number(&label)?),
                };
                let to = self.names.path(&self.names.part_name(&moved));
                fs::rename(&last_path, &to).map_err(|e| {
                    with_context(
                        e,
                        format_args!("renaming {} to {}", last_path.display(), to.display()),
                    )
                })?;
                rotated.files.remove(&last);
                rotated.add(moved, track_files);
            }
        }
        let part = if self.rotation != Rotation::Never && trigger == Trigger::Time {
            last
        } else {
            Part {
                number: Number::Nth(rotated.next_number(&label)?),
                label,
            }
        };
        let target = self.names.path(&self.names.part_name(&part));
        let renamed = match fs::rename(&self.path, &target) {
            Ok(()) => true,
            // The live file was deleted behind our back: just start anew.
            Err(e) if e.kind() == io::ErrorKind::NotFound => false,
            Err(e) => {
                return Err(with_context(
                    e,
                    format_args!("renaming it to {} failed", target.display()),
                ));
            }
        };
        match open_append(&self.path) {
            Ok(file) => {
                self.size = file.metadata().map_or(0, |m| m.len());
                self.whole = self.size;
                self.torn = false;
                self.file = file;
                self.at_line_start = true;
                if renamed {
                    rotated.add(part, track_files);
                }
                self.rotated = Some(rotated);
                Ok(())
            }
            Err(e) => {
                if renamed {
                    // Best effort: put it back so the name matches the handle.
                    let _ = fs::rename(&target, &self.path);
                }
                Err(with_context(e, format_args!("creating a new one failed")))
            }
        }
    }

    /// Deletes the oldest rotated files beyond `keep`: those this rolling
    /// file knows of (found at its first rotation, or rotated since).
    fn remove_old(&mut self) -> io::Result<()> {
        let (Some(keep), Some(rotated)) = (self.keep, self.rotated.as_mut()) else {
            return Ok(());
        };
        let excess = rotated.files.len().saturating_sub(keep);
        let doomed: Vec<Part> = rotated.files.iter().take(excess).cloned().collect();
        let mut first_error = None;
        for part in doomed {
            let path = self.names.path(&self.names.part_name(&part));
            match fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => {
                    // Still known: deleting it is tried again at the next
                    // rotation.
                    first_error.get_or_insert_with(|| {
                        with_context(e, format_args!("deleting {}", path.display()))
                    });
                    continue;
                }
            }
            rotated.files.remove(&part);
        }
        first_error.map_or(Ok(()), Err)
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

    /// Reports a rotation failure on stderr (at most once per
    /// `RETRY_INTERVAL`, since rotation is not retried sooner) and keeps it
    /// for the next `flush`.
    fn rotation_failed(&mut self, error: io::Error) {
        // Nowhere else to say it; if stderr is closed too, nothing to do.
        let _ = writeln!(io::stderr(), "llt: {error}");
        self.pending = Some(error);
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

/// The names of a log's files.
#[derive(Debug)]
struct Names {
    /// The live file's directory; empty for a bare file name.
    dir: PathBuf,
    /// `app.log`
    file_name: OsString,
    /// `app`
    stem: OsString,
    /// `log`
    extension: Option<OsString>,
}

impl Names {
    fn new(path: &Path) -> Option<Names> {
        let file_name = path.file_name()?.to_os_string();
        let as_path = Path::new(&file_name);
        let stem = as_path.file_stem().unwrap_or(&file_name).to_os_string();
        let extension = as_path.extension().map(OsStr::to_os_string);
        let dir = path.parent().unwrap_or(Path::new("")).to_path_buf();
        Some(Names {
            dir,
            file_name,
            stem,
            extension,
        })
    }

    /// The directory to list or check (`.` for a bare file name).
    fn dir_for_io(&self) -> &Path {
        if self.dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            &self.dir
        }
    }

    fn path(&self, name: &OsStr) -> PathBuf {
        self.dir.join(name)
    }

    /// `app.<label>.log`
    fn timed(&self, label: &str) -> OsString {
        let mut name = self.stem.clone();
        name.push(".");
        name.push(label);
        if let Some(extension) = &self.extension {
            name.push(".");
            name.push(extension);
        }
        name
    }

    /// If `name` is `app.<label>.log` or `app.<label>.log.<k>`: the label
    /// and `k`.
    fn parse_timed<'a>(&self, name: &'a [u8]) -> Option<(&'a [u8], Option<u64>)> {
        let rest = name
            .strip_prefix(self.stem.as_encoded_bytes())?
            .strip_prefix(b".")?;
        let label_len = [13, 10]
            .into_iter()
            .find(|&len| rest.get(..len).is_some_and(is_label))?;
        let (label, mut rest) = rest.split_at(label_len);
        if let Some(extension) = &self.extension {
            rest = rest
                .strip_prefix(b".")?
                .strip_prefix(extension.as_encoded_bytes())?;
        }
        if rest.is_empty() {
            return Some((label, None));
        }
        let part = parse_number(rest.strip_prefix(b".")?)?;
        Some((label, Some(part)))
    }

    /// The rotated file `name` stands for, if it has the shape of one
    /// with this rotation.
    fn parse_part(&self, rotation: Rotation, name: &[u8]) -> Option<Part> {
        if rotation == Rotation::Never {
            let number = strip_number(self.file_name.as_encoded_bytes(), name)?;
            return Some(Part {
                label: String::new(),
                number: Number::Nth(number),
            });
        }
        let (label, number) = self.parse_timed(name)?;
        Some(Part {
            // `parse_timed` checked that it is ASCII.
            label: String::from_utf8_lossy(label).into_owned(),
            number: number.map_or(Number::Last, Number::Nth),
        })
    }

    /// The file name of `part`: `app.log.<n>`, `app.<label>.log` or
    /// `app.<label>.log.<n>`.
    fn part_name(&self, part: &Part) -> OsString {
        let base = if part.label.is_empty() {
            self.file_name.clone()
        } else {
            self.timed(&part.label)
        };
        match part.number {
            Number::Nth(n) => numbered(&base, n),
            Number::Last => base,
        }
    }
}

/// A rotated file: `app.log.<n>`, or `app.<label>.log` and
/// `app.<label>.log.<n>`. Ordered oldest first: by label (period), then
/// number, then the period's unnumbered last part.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Part {
    /// The period's label (`2026-11-23`); empty with size rotation only.
    label: String,
    number: Number,
}

/// Where a part comes in its period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Number {
    /// `….<n>`: the n-th part, rotated by size.
    Nth(u64),
    /// No number: the period's last part, named when the period ended.
    Last,
}

/// What a rolling file knows of its rotated files. Read from the directory
/// once and then kept up to date, so that a rotation neither lists the
/// directory nor renames older files: its cost does not grow with their
/// number.
#[derive(Debug, Default)]
struct Rotated {
    /// The highest number in use for each label (`""` with size rotation
    /// only), counting entries of any type, so a rotation never renames
    /// onto a name that exists.
    highest: BTreeMap<String, u64>,
    /// The regular files among them, oldest first: the candidates for
    /// retention. Only filled with `keep`.
    files: BTreeSet<Part>,
}

impl Rotated {
    /// Lists the directory for the rotated files of this log.
    fn scan(names: &Names, rotation: Rotation, track_files: bool) -> io::Result<Rotated> {
        let dir = names.dir_for_io();
        let entries = fs::read_dir(dir)
            .map_err(|e| with_context(e, format_args!("listing {}", dir.display())))?;
        let mut rotated = Rotated::default();
        for entry in entries.filter_map(Result::ok) {
            let Some(part) = names.parse_part(rotation, entry.file_name().as_encoded_bytes())
            else {
                continue;
            };
            let is_file = entry.file_type().is_ok_and(|t| t.is_file());
            rotated.add(part, track_files && is_file);
        }
        Ok(rotated)
    }

    /// Records a rotated file (as a retention candidate if `track_file`).
    fn add(&mut self, part: Part, track_file: bool) {
        if let Number::Nth(n) = part.number {
            let highest = self.highest.entry(part.label.clone()).or_insert(0);
            *highest = (*highest).max(n);
        }
        if track_file {
            self.files.insert(part);
        }
    }

    /// The number the next part of `label` gets: one above the highest in
    /// use.
    fn next_number(&self, label: &str) -> io::Result<u64> {
        let highest = self.highest.get(label).copied().unwrap_or(0);
        highest
            .checked_add(1)
            .ok_or_else(|| io::Error::other("no file number left: the highest in use is u64::MAX"))
    }
}

/// `base.<k>`
fn numbered(base: &OsStr, k: u64) -> OsString {
    let mut name = base.to_os_string();
    name.push(format!(".{k}"));
    name
}

/// If `name` is `base.<k>` with k ≥ 1 written without leading zeros: k.
fn strip_number(base: &[u8], name: &[u8]) -> Option<u64> {
    parse_number(name.strip_prefix(base)?.strip_prefix(b".")?)
}

/// A decimal number ≥ 1 without leading zeros (as `numbered` writes it).
fn parse_number(digits: &[u8]) -> Option<u64> {
    if digits.first().is_none_or(|&d| d == b'0') || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(digits).ok()?.parse().ok()
}

/// Whether `s` is `YYYY-MM-DD` or `YYYY-MM-DDTHH`.
fn is_label(s: &[u8]) -> bool {
    let shape: &[u8] = match s.len() {
        10 => b"dddd-dd-dd",
        13 => b"dddd-dd-ddTdd",
        _ => return false,
    };
    s.iter().zip(shape).all(|(&c, &want)| {
        if want == b'd' {
            c.is_ascii_digit()
        } else {
            c == want
        }
    })
}

/// Length of the first line of `bytes` (newline included), or all of it.
fn line_len(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |i| i + 1)
}

fn is_regular_file(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_file())
}

fn open_append(path: &Path) -> io::Result<File> {
    OpenOptions::new().create(true).append(true).open(path)
}

/// The same error kind, with what was being done in front of the message.
fn with_context(error: io::Error, what: fmt::Arguments<'_>) -> io::Error {
    io::Error::new(error.kind(), format!("{what}: {error}"))
}

/// Whole seconds since the Unix epoch, rounded down (negative before it).
fn unix_secs(time: SystemTime) -> i64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
        Err(before) => {
            let before = before.duration();
            let secs = i64::try_from(before.as_secs()).unwrap_or(i64::MAX);
            -secs - i64::from(before.subsec_nanos() > 0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> SystemTime {
        if secs >= 0 {
            UNIX_EPOCH + Duration::from_secs(secs as u64)
        } else {
            UNIX_EPOCH - Duration::from_secs(secs.unsigned_abs())
        }
    }

    #[test]
    fn labels() {
        let cases = [
            (0, "1970-01-01", "1970-01-01T00"),
            (951_782_400, "2000-02-29", "2000-02-29T00"),
            (1_709_164_799, "2024-02-28", "2024-02-28T23"),
            (1_795_445_999, "2026-11-23", "2026-11-23T14"),
            (-1, "1969-12-31", "1969-12-31T23"),
        ];
        for (secs, daily, hourly) in cases {
            let day = Rotation::Daily.period_of(at(secs)).unwrap();
            let hour = Rotation::Hourly.period_of(at(secs)).unwrap();
            assert_eq!(Rotation::Daily.label(day), daily, "{secs}");
            assert_eq!(Rotation::Hourly.label(hour), hourly, "{secs}");
        }
        assert_eq!(Rotation::Never.period_of(at(5)), None);
        // Far outside 0000..=9999: clamped, no panic.
        assert!(
            Rotation::Daily
                .label(i64::MAX / 86_400)
                .starts_with("9999-")
        );
        assert!(Rotation::Hourly.label(i64::MIN / 3600).starts_with("0000-"));
    }

    #[test]
    fn far_times_do_not_overflow() {
        // The latest time the platform represents (i64 seconds on Unix).
        let far = UNIX_EPOCH + Duration::from_secs(i64::MAX as u64);
        assert_eq!(unix_secs(far), i64::MAX);
        assert!(
            Rotation::Daily
                .label(Rotation::Daily.period_of(far).unwrap())
                .starts_with("9999-")
        );
        assert!(Rotation::Hourly.period_of(far).is_some());
        assert_eq!(unix_secs(at(-1) - Duration::from_nanos(1)), -2);
    }

    #[test]
    fn names_and_parsing() {
        let names = Names::new(Path::new("logs/app.log")).unwrap();
        assert_eq!(names.timed("2026-11-23"), "app.2026-11-23.log");
        assert_eq!(numbered(OsStr::new("app.log"), 12), "app.log.12");
        let parse = |s: &str| {
            names
                .parse_timed(s.as_bytes())
                .map(|(label, part)| (String::from_utf8(label.to_vec()).unwrap(), part))
        };
        assert_eq!(
            parse("app.2026-11-23.log"),
            Some(("2026-11-23".into(), None))
        );
        assert_eq!(
            parse("app.2026-11-23T14.log.3"),
            Some(("2026-11-23T14".into(), Some(3)))
        );
        for other in [
            "app.log",
            "app.log.1",
            "app.2026-11-23.log.0",
            "app.2026-11-23.log.01",
            "app.2026-11-23.txt",
            "app.2026-11-23.logx",
            "app.2026-1-23.log",
            "app.backup.log",
            "apps.2026-11-23.log",
            "app.2026-11-23T1.log",
        ] {
            assert_eq!(parse(other), None, "{other}");
        }

        let bare = Names::new(Path::new("app")).unwrap();
        assert_eq!(bare.dir_for_io(), Path::new("."));
        assert_eq!(bare.timed("2026-11-23"), "app.2026-11-23");
        assert!(bare.parse_timed(b"app.2026-11-23.2").is_some());
        assert!(bare.parse_timed(b"app.2026-11-23.log").is_none());

        assert_eq!(strip_number(b"app.log", b"app.log.7"), Some(7));
        assert_eq!(strip_number(b"app.log", b"app.log.0"), None);
        assert_eq!(strip_number(b"app.log", b"app.log."), None);
        assert_eq!(strip_number(b"app.log", b"app.log.1x"), None);
        assert_eq!(
            strip_number(b"app.log", b"app.log.99999999999999999999999"),
            None
        );
        assert!(Names::new(Path::new("/")).is_none());
        assert!(Names::new(Path::new("logs/..")).is_none());
    }

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
