//! The syslog sink: each line goes to a syslog server (rsyslog, syslog-ng,
//! journald's `/dev/log`) as one RFC 5424 message, over a Unix datagram
//! socket, UDP, or TCP with octet-counting framing (RFC 6587).
//!
//! A message is
//!
//! ```text
//! <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID - STRUCTURED-DATA MSG
//! <14>1 2026-12-01T18:40:02.123456Z host app 4711 - [fields@32473 qty="5"] filled
//! ```
//!
//! `PRI` is the facility times 8 plus the severity of the line's level
//! (error 3, warn 4, info 6, debug and trace 7). The structured data is the
//! line's fields (`tracing` fields), or `-`.
//!
//! Sending happens on the writer thread. It never blocks for long: connects
//! and writes have a timeout ([`Syslog::timeout`], default 1 s). When the
//! server is away (stopped, restarting, its queue full), the lines are
//! counted in `Stats::lines_lost`, the error is reported on stderr like any
//! sink error, and the connection is tried again at most every
//! [`Syslog::retry_interval`] (default 1 s); meanwhile lines are counted as
//! lost without trying. A TCP connection that the server closed is noticed
//! before the next batch and reopened at once.

mod error;
mod transport;

use std::fmt;
use std::io::Write as _;
use std::net::{SocketAddr, ToSocketAddrs};
use std::path::PathBuf;
use std::time::Duration;

pub use error::SyslogError;

use crate::callsite::Level;
use crate::clock::Rfc3339;
use crate::sink::MessageSink;

/// Where a syslog server usually listens on Linux.
pub const DEFAULT_UNIX_PATH: &str = "/dev/log";

/// A syslog facility (RFC 5424, section 6.2.1): the part of the system a
/// message comes from.
///
/// # Examples
///
/// ```
/// use llt_runtime::{Facility, Syslog};
/// let syslog = Syslog::local().facility(Facility::Local0);
/// assert_eq!(Facility::Local0 as u8, 16);
/// ```
#[repr(u8)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[allow(missing_docs)]
pub enum Facility {
    Kern = 0,
    /// User-level messages (the default).
    #[default]
    User = 1,
    Mail = 2,
    Daemon = 3,
    Auth = 4,
    Syslog = 5,
    Lpr = 6,
    News = 7,
    Uucp = 8,
    Cron = 9,
    Authpriv = 10,
    Ftp = 11,
    Local0 = 16,
    Local1 = 17,
    Local2 = 18,
    Local3 = 19,
    Local4 = 20,
    Local5 = 21,
    Local6 = 22,
    Local7 = 23,
}

/// The RFC 5424 severity of a level: error 3, warn 4, info 6, debug and
/// trace 7.
///
/// # Examples
///
/// ```
/// assert_eq!(llt_runtime::syslog::severity(llt_runtime::Level::Warn), 4);
/// ```
pub const fn severity(level: Level) -> u8 {
    match level {
        Level::Error => 3,
        Level::Warn => 4,
        Level::Info => 6,
        Level::Debug | Level::Trace => 7,
    }
}

/// Where the server listens.
#[derive(Debug, Clone)]
pub(crate) enum Target {
    Unix(PathBuf),
    Udp(Resolved),
    Tcp(Resolved),
}

/// A syslog server to send the lines to, for
/// [`Builder::syslog`](crate::Builder::syslog).
///
/// # Examples
///
/// ```no_run
/// use llt_runtime::{Facility, Logger, Syslog};
/// let logger = Logger::builder()
///     .syslog(Syslog::tcp("127.0.0.1:601").app_name("orders").facility(Facility::Local0))
///     .build()?;
/// logger.log("sent to rsyslog");
/// # Ok::<(), llt_runtime::BuildError>(())
/// ```
#[derive(Debug, Clone)]
#[must_use = "a syslog configuration does nothing until given to `Builder::syslog`"]
pub struct Syslog {
    pub(crate) target: Target,
    app_name: Option<String>,
    hostname: Option<String>,
    facility: Facility,
    pub(crate) timeout: Duration,
    pub(crate) retry_interval: Duration,
}

impl Syslog {
    fn new(target: Target) -> Self {
        Syslog {
            target,
            app_name: None,
            hostname: None,
            facility: Facility::User,
            timeout: Duration::from_secs(1),
            retry_interval: Duration::from_secs(1),
        }
    }

    /// The local server's Unix datagram socket at `path`.
    ///
    /// # Examples
    ///
    /// ```
    /// let syslog = llt_runtime::Syslog::unix("/run/rsyslog/app.sock");
    /// ```
    pub fn unix(path: impl Into<PathBuf>) -> Self {
        Syslog::new(Target::Unix(path.into()))
    }

    /// The local server at [`DEFAULT_UNIX_PATH`] (`/dev/log`).
    ///
    /// # Examples
    ///
    /// ```
    /// let syslog = llt_runtime::Syslog::local();
    /// ```
    pub fn local() -> Self {
        Syslog::unix(DEFAULT_UNIX_PATH)
    }

    /// A server listening for UDP datagrams (usually port 514). A line
    /// longer than a datagram can hold (about 64 KiB) is counted as lost;
    /// servers often cut messages much shorter (rsyslog: 8 KiB by
    /// default, `$MaxMessageSize`).
    ///
    /// # Examples
    ///
    /// ```
    /// let syslog = llt_runtime::Syslog::udp("127.0.0.1:514");
    /// ```
    pub fn udp(address: impl ToSocketAddrs + fmt::Debug) -> Self {
        Syslog::new(Target::Udp(resolve(address)))
    }

    /// A server listening on TCP (usually port 601 or 514), with
    /// octet-counting framing (RFC 6587): each message is sent as its
    /// length in bytes, a space, and the message, so a message may hold
    /// newlines.
    ///
    /// # Examples
    ///
    /// ```
    /// let syslog = llt_runtime::Syslog::tcp("127.0.0.1:601");
    /// ```
    pub fn tcp(address: impl ToSocketAddrs + fmt::Debug) -> Self {
        Syslog::new(Target::Tcp(resolve(address)))
    }

    /// The APP-NAME field (default: the program's file name). 1 to 48
    /// printable ASCII characters, no spaces.
    ///
    /// # Examples
    ///
    /// ```
    /// let syslog = llt_runtime::Syslog::local().app_name("orders");
    /// ```
    pub fn app_name(mut self, name: impl Into<String>) -> Self {
        self.app_name = Some(name.into());
        self
    }

    /// The HOSTNAME field (default: the machine's host name). 1 to 255
    /// printable ASCII characters, no spaces.
    ///
    /// # Examples
    ///
    /// ```
    /// let syslog = llt_runtime::Syslog::local().hostname("web-1.example.com");
    /// ```
    pub fn hostname(mut self, name: impl Into<String>) -> Self {
        self.hostname = Some(name.into());
        self
    }

    /// The facility (default [`Facility::User`]).
    ///
    /// # Examples
    ///
    /// ```
    /// let syslog = llt_runtime::Syslog::local().facility(llt_runtime::Facility::Daemon);
    /// ```
    pub fn facility(mut self, facility: Facility) -> Self {
        self.facility = facility;
        self
    }

    /// The longest a connect or a write may take before the line is
    /// counted as lost and the server as away (default 1 s).
    ///
    /// # Examples
    ///
    /// ```
    /// let syslog = llt_runtime::Syslog::local().timeout(std::time::Duration::from_millis(200));
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout.max(Duration::from_millis(1));
        self
    }

    /// How long to count lines as lost, without trying, after the server
    /// was found away, before trying it again (default 1 s).
    ///
    /// # Examples
    ///
    /// ```
    /// let syslog = llt_runtime::Syslog::local().retry_interval(std::time::Duration::from_millis(100));
    /// ```
    pub fn retry_interval(mut self, interval: Duration) -> Self {
        self.retry_interval = interval;
        self
    }

    /// Checks the names, builds the header and makes the first connection.
    pub(crate) fn connect(self) -> Result<Connected, SyslogError> {
        let app_name = match self.app_name.clone() {
            Some(name) => name,
            None => program_name(),
        };
        let hostname = match self.hostname.clone() {
            Some(name) => name,
            None => host_name(),
        };
        check_name("app name", &app_name, 48)?;
        check_name("hostname", &hostname, 255)?;
        let mut fixed = Vec::new();
        let _ = write!(fixed, " {hostname} {app_name} {} - - ", std::process::id());
        let header = Header {
            facility: self.facility,
            fixed,
        };
        let transport = transport::Transport::connect(&self)?;
        Ok(Connected {
            header,
            transport: Box::new(transport),
        })
    }
}

impl Default for Syslog {
    /// [`Syslog::local`].
    fn default() -> Self {
        Syslog::local()
    }
}

type Resolved = Result<Vec<SocketAddr>, (String, std::io::ErrorKind, String)>;

/// Resolves now; an error is kept (cloneable) for `build` to return.
fn resolve(address: impl ToSocketAddrs + fmt::Debug) -> Resolved {
    let shown = format!("{address:?}").trim_matches('"').to_owned();
    match address.to_socket_addrs() {
        Ok(addresses) => {
            let addresses: Vec<SocketAddr> = addresses.collect();
            if addresses.is_empty() {
                Err((
                    shown,
                    std::io::ErrorKind::NotFound,
                    "no address found".into(),
                ))
            } else {
                Ok(addresses)
            }
        }
        Err(error) => Err((shown, error.kind(), error.to_string())),
    }
}

fn check_name(what: &'static str, value: &str, max_len: usize) -> Result<(), SyslogError> {
    if value.is_empty() || value.len() > max_len || !value.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(SyslogError::InvalidName {
            what,
            value: value.to_owned(),
            max_len,
        });
    }
    Ok(())
}

/// The program's file name, cut to an acceptable app name.
fn program_name() -> String {
    let name = std::env::current_exe()
        .ok()
        .and_then(|path| path.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_default();
    let name: String = name
        .chars()
        .map(|c| if c.is_ascii_graphic() { c } else { '_' })
        .take(48)
        .collect();
    if name.is_empty() { "-".into() } else { name }
}

/// The machine's host name, or `-` (RFC 5424's NILVALUE).
fn host_name() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: `buf` is valid for writes of its length; gethostname writes
    // at most that many bytes.
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
    if rc != 0 {
        return "-".into();
    }
    let len = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    let name = String::from_utf8_lossy(&buf[..len]).into_owned();
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_graphic()) {
        "-".into()
    } else {
        name
    }
}

/// The part of each message before its structured data, fixed when the
/// logger is built except for the priority and the timestamp.
#[derive(Debug)]
pub(crate) struct Header {
    facility: Facility,
    /// ` HOSTNAME APP-NAME PROCID - - ` (MSGID and, until fields replace
    /// it, STRUCTURED-DATA are `-`).
    fixed: Vec<u8>,
}

impl Header {
    /// Appends `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID - - `.
    pub(crate) fn write_prefix(
        &self,
        buf: &mut Vec<u8>,
        timestamps: &mut Rfc3339,
        unix_nanos: u64,
        level: Level,
    ) {
        let priority = self.facility as u8 * 8 + severity(level);
        let _ = write!(buf, "<{priority}>1 ");
        timestamps.write(buf, unix_nanos);
        buf.extend_from_slice(&self.fixed);
    }
}

/// A header and an open connection, handed to the writer.
pub(crate) struct Connected {
    pub(crate) header: Header,
    pub(crate) transport: Box<dyn MessageSink>,
}

impl fmt::Debug for Connected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connected")
            .field("header", &self.header)
            .finish_non_exhaustive()
    }
}
