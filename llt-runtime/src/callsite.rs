//! Levels and callsites: what is known about a log statement at compile time.
//!
//! Every `llt_log!` invocation produces one `&'static Callsite` (a constant
//! promoted to static memory). Its address is the only thing about the
//! statement that crosses the ring; the writer follows it to find the format
//! string, level, location and the decoder that turns the record's bytes back
//! into text.

use std::fmt;
use std::str::FromStr;

use crate::record::{ArgKind, Line, Payload};

/// The importance of a log line, from most to least severe.
///
/// Ordered like the `log` crate: `Error < Warn < Info < Debug < Trace`, and a
/// line is enabled when its level is `<=` the filter.
///
/// # Examples
///
/// ```
/// use llt_runtime::{Level, LevelFilter};
/// assert!(Level::Error < Level::Info);
/// assert!(LevelFilter::Info.enables(Level::Warn));
/// assert!(!LevelFilter::Info.enables(Level::Debug));
/// assert_eq!(Level::Warn.to_string(), "WARN");
/// ```
#[repr(u8)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// Something failed.
    Error = 1,
    /// Something unexpected that the program survives.
    Warn = 2,
    /// Normal, useful events (the default for `llt_log!` and `Logger::log`).
    Info = 3,
    /// Detail for developers.
    Debug = 4,
    /// Very fine detail.
    Trace = 5,
}

impl Level {
    /// The upper-case name, as written in log lines.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(llt_runtime::Level::Debug.as_str(), "DEBUG");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            Level::Error => "ERROR",
            Level::Warn => "WARN",
            Level::Info => "INFO",
            Level::Debug => "DEBUG",
            Level::Trace => "TRACE",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// The most verbose level a logger (or the build) lets through.
///
/// # Examples
///
/// ```
/// use llt_runtime::LevelFilter;
/// let filter: LevelFilter = "warn".parse().unwrap();
/// assert_eq!(filter, LevelFilter::Warn);
/// assert!("loud".parse::<LevelFilter>().is_err());
/// ```
#[repr(u8)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum LevelFilter {
    /// Nothing is logged.
    Off = 0,
    /// Only errors.
    Error = 1,
    /// Warnings and errors.
    Warn = 2,
    /// Info and above (the default).
    #[default]
    Info = 3,
    /// Debug and above.
    Debug = 4,
    /// Everything.
    Trace = 5,
}

impl LevelFilter {
    /// Whether a line of `level` passes this filter.
    #[inline(always)]
    pub const fn enables(self, level: Level) -> bool {
        level as u8 <= self as u8
    }

    /// The filter from its numeric value (`0` = off ..= `5` = trace); larger
    /// values mean trace.
    pub const fn from_u8(value: u8) -> LevelFilter {
        match value {
            0 => LevelFilter::Off,
            1 => LevelFilter::Error,
            2 => LevelFilter::Warn,
            3 => LevelFilter::Info,
            4 => LevelFilter::Debug,
            _ => LevelFilter::Trace,
        }
    }
}

impl From<Level> for LevelFilter {
    fn from(level: Level) -> Self {
        LevelFilter::from_u8(level as u8)
    }
}

/// A level name that is not one of `off`, `error`, `warn`, `info`, `debug`,
/// `trace` (in any case).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseLevelError(pub String);

impl fmt::Display for ParseLevelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown log level `{}` (expected off, error, warn, info, debug or trace)",
            self.0
        )
    }
}

impl std::error::Error for ParseLevelError {}

impl FromStr for LevelFilter {
    type Err = ParseLevelError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        const NAMES: [(&str, LevelFilter); 6] = [
            ("off", LevelFilter::Off),
            ("error", LevelFilter::Error),
            ("warn", LevelFilter::Warn),
            ("info", LevelFilter::Info),
            ("debug", LevelFilter::Debug),
            ("trace", LevelFilter::Trace),
        ];
        NAMES
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(s.trim()))
            .map(|&(_, filter)| filter)
            .ok_or_else(|| ParseLevelError(s.to_owned()))
    }
}

/// The compile-time maximum level, chosen with the `max_level_*` and
/// `release_max_level_*` cargo features (as in the `log` crate). Statements
/// above it compile to nothing.
pub const STATIC_MAX_LEVEL: LevelFilter = static_max_level();

const fn static_max_level() -> LevelFilter {
    if cfg!(not(debug_assertions)) {
        if cfg!(feature = "release_max_level_off") {
            return LevelFilter::Off;
        } else if cfg!(feature = "release_max_level_error") {
            return LevelFilter::Error;
        } else if cfg!(feature = "release_max_level_warn") {
            return LevelFilter::Warn;
        } else if cfg!(feature = "release_max_level_info") {
            return LevelFilter::Info;
        } else if cfg!(feature = "release_max_level_debug") {
            return LevelFilter::Debug;
        } else if cfg!(feature = "release_max_level_trace") {
            return LevelFilter::Trace;
        }
    }
    if cfg!(feature = "max_level_off") {
        LevelFilter::Off
    } else if cfg!(feature = "max_level_error") {
        LevelFilter::Error
    } else if cfg!(feature = "max_level_warn") {
        LevelFilter::Warn
    } else if cfg!(feature = "max_level_info") {
        LevelFilter::Info
    } else if cfg!(feature = "max_level_debug") {
        LevelFilter::Debug
    } else {
        LevelFilter::Trace
    }
}

/// Where a log statement is and what it says, fixed at compile time.
///
/// # Examples
///
/// ```
/// use llt_runtime::{Level, Metadata};
/// const META: Metadata = Metadata {
///     level: Level::Info,
///     format: "hello {}",
///     module_path: module_path!(),
///     file: file!(),
///     line: line!(),
/// };
/// assert_eq!(META.level, Level::Info);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Metadata {
    /// The statement's level.
    pub level: Level,
    /// The format string, as written.
    pub format: &'static str,
    /// `module_path!()` at the statement.
    pub module_path: &'static str,
    /// `file!()` at the statement.
    pub file: &'static str,
    /// `line!()` at the statement; 0 when there is no statement location
    /// (lines logged with `Logger::log`).
    pub line: u32,
}

/// Formats one record's arguments (read from the payload) into a line.
pub type FormatFn = fn(&mut Payload<'_>, &mut Line) -> fmt::Result;

/// One log statement: its metadata and the decoder for its records.
///
/// A record in the ring starts with the address of its `Callsite`.
pub struct Callsite {
    /// What the statement is.
    pub metadata: Metadata,
    /// Reads the arguments back from a record and formats the message.
    pub format: FormatFn,
    /// `true` when each record carries its own target (module path) in
    /// front of the arguments, as a `usize` length and UTF-8 bytes, instead
    /// of using `metadata.module_path` (records from the `log` bridge).
    pub target_in_payload: bool,
    /// Appends the [`ArgKind`] of each argument, in order (for binary log
    /// files, which store the arguments without formatting them).
    pub kinds: fn(&mut Vec<ArgKind>),
}

impl fmt::Debug for Callsite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Callsite")
            .field("metadata", &self.metadata)
            .finish_non_exhaustive()
    }
}

/// Implemented by the unit struct that `llt_log!` declares at each statement,
/// to carry that statement's [`Metadata`] as a type.
pub trait Site {
    /// The statement's metadata.
    const METADATA: Metadata;
}

// === Callsites of string records ===

/// The callsites of records whose message is a string made at run time:
/// lines from [`Logger::log`](crate::Logger::log) and
/// [`Logger::log_str`](crate::Logger::log_str) (module `llt`) and, with
/// `target_in_payload`, from the `log` bridge (module `log`). One per level,
/// indexed by `Level as usize - 1`.
static STRING_CALLSITES: [[Callsite; 5]; 2] = [
    string_callsites_for(false, "llt"),
    string_callsites_for(true, "log"),
];

const fn string_callsites_for(target_in_payload: bool, module_path: &'static str) -> [Callsite; 5] {
    const fn one(level: Level, target_in_payload: bool, module_path: &'static str) -> Callsite {
        Callsite {
            metadata: Metadata {
                level,
                format: "{}",
                module_path,
                // Line 0: no statement location (the caller's is not known).
                file: "",
                line: 0,
            },
            format: format_string,
            target_in_payload,
            kinds: string_kinds,
        }
    }
    [
        one(Level::Error, target_in_payload, module_path),
        one(Level::Warn, target_in_payload, module_path),
        one(Level::Info, target_in_payload, module_path),
        one(Level::Debug, target_in_payload, module_path),
        one(Level::Trace, target_in_payload, module_path),
    ]
}

/// The callsite of a string line at `level`: the payload after the record
/// header is the message's UTF-8 bytes.
pub(crate) fn string_callsite(level: Level) -> &'static Callsite {
    &STRING_CALLSITES[0][level as usize - 1]
}

/// The callsite of a `log` bridge line at `level`: the payload after the
/// record header is the target (a `usize` length and its bytes), then the
/// message's UTF-8 bytes.
#[cfg(feature = "log")]
pub(crate) fn bridge_callsite(level: Level) -> &'static Callsite {
    &STRING_CALLSITES[1][level as usize - 1]
}

/// The arguments of string callsites: the message, a string.
fn string_kinds(out: &mut Vec<ArgKind>) {
    out.push(ArgKind::Str);
}

/// Whether `callsite` is one of the string callsites (`Logger::log`,
/// `Logger::log_str` and the `log` bridge), whose payload is the message's
/// bytes (after the bridge's target).
pub(crate) fn is_string_callsite(callsite: &Callsite) -> bool {
    STRING_CALLSITES
        .iter()
        .flatten()
        .any(|string| std::ptr::eq(string, callsite))
}

/// The decoder of string callsites: the rest of the payload is the message.
fn format_string(payload: &mut Payload<'_>, line: &mut Line) -> fmt::Result {
    // SAFETY: records of the callsites that use this decoder are written by
    // `Logger::log_str` and the `log` bridge, whose payload (after the
    // bridge's target, taken by the writer) is the bytes of a `str`.
    let message = unsafe { std::str::from_utf8_unchecked(payload.remaining_init()) };
    fmt::Write::write_str(line, message)
}
