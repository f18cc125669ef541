//! [`RollingFileBuilder`]: a rolling file's configuration, and opening it
//! (checking the path and the directory, and picking up an existing live
//! file's size and period).

use std::fmt;
use std::fs;
use std::io;
use std::path::PathBuf;
use std::time::SystemTime;

use super::names::Names;
use super::{ClockFn, RollingError, RollingFile, Rotation, open_append};

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
    /// the highest number the newest; see [File names](super#file-names)),
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
}
