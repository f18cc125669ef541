//! What can go wrong when a logger is built with a syslog sink.

use std::fmt;
use std::io;

/// Why [`Builder::syslog`](crate::Builder::syslog) could not be used.
///
/// # Examples
///
/// ```
/// use llt_runtime::{BuildError, Logger, Syslog, SyslogError};
/// let err = Logger::builder().syslog(Syslog::local().app_name("two words")).build().unwrap_err();
/// assert!(matches!(err, BuildError::Syslog(SyslogError::InvalidName { .. })));
/// assert!(err.to_string().contains("app name"));
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum SyslogError {
    /// An app name or hostname that RFC 5424 does not allow.
    InvalidName {
        /// `"app name"` or `"hostname"`.
        what: &'static str,
        /// The value given.
        value: String,
        /// The longest value allowed (48 for an app name, 255 for a hostname).
        max_len: usize,
    },
    /// The server's address did not resolve.
    Resolve {
        /// The address as given.
        address: String,
        /// What the resolver said.
        source: io::Error,
    },
    /// The first connection to the server failed. Later failures (a server
    /// restart) do not fail anything: the lines are counted as lost while
    /// the server is away, and the connection is retried.
    Connect {
        /// Where: `unix:/dev/log`, `udp:127.0.0.1:514`, `tcp:...`.
        to: String,
        /// What the operating system said.
        source: io::Error,
    },
}

impl fmt::Display for SyslogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SyslogError::InvalidName {
                what,
                value,
                max_len,
            } => write!(
                f,
                "invalid syslog {what} {value:?}: RFC 5424 allows 1 to {max_len} printable ASCII \
                 characters without spaces"
            ),
            SyslogError::Resolve { address, source } => {
                write!(
                    f,
                    "could not resolve the syslog server address {address:?}: {source}"
                )
            }
            SyslogError::Connect { to, source } => write!(
                f,
                "could not reach the syslog server at {to}: {source} (is rsyslog or syslog-ng \
                 running and listening there? For a Unix socket, check the path and that this \
                 user may write to it)"
            ),
        }
    }
}

impl std::error::Error for SyslogError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SyslogError::Resolve { source, .. } | SyslogError::Connect { source, .. } => {
                Some(source)
            }
            SyslogError::InvalidName { .. } => None,
        }
    }
}
