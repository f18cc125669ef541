//! [`RollingError`]: why a rolling file could not be opened, with a
//! message that says what to fix.

use std::fmt;
use std::io;
use std::path::PathBuf;

/// Why a [`RollingFile`](super::RollingFile) could not be opened.
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
    /// [`max_size`](super::RollingFileBuilder::max_size) was 0.
    ZeroMaxSize,
    /// The log file's directory does not exist, and
    /// [`create_dirs`](super::RollingFileBuilder::create_dirs) was not set.
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
