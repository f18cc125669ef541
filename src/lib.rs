//! # llt — a logger for hot paths that cannot wait
//!
//! Audio callbacks, game loops, market-data handlers and sensor ingest cannot
//! afford a logger that formats, allocates, takes a lock or makes a system
//! call. llt's `log` calls do none of these: each thread writes a small binary
//! record (a static callsite id, a timestamp, the raw bytes of the arguments)
//! into its own lock-free ring, and a dedicated writer thread, optionally
//! pinned to a core, turns records into text with std's own formatting and
//! writes them in batches. When a ring is full the line is dropped and
//! counted, never waited for.
//!
//! # Quick start
//!
//! ```
//! use llt_rs::logger::Logger;
//!
//! let logger = Logger::new(4096); // rings of 4096 messages per thread; stdout
//! let id = 7;
//! let value = 10.5;
//! llt_rs::llt_log!(logger, "Event {} value {:.4}", id, value); // formatted on the writer
//! logger.log(format!("an owned string: {id}")); // the seed's API
//! logger.flush();
//! assert_eq!(logger.get_dropped_count(), 0);
//! ```
#![deny(missing_docs, unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks)]

/// The seed's module path: `use llt_rs::logger::Logger;`.
#[cfg(feature = "logger")]
pub mod logger {
    pub use llt_runtime::logger::{
        BYTES_PER_MESSAGE, BuildError, Builder, DEFAULT_CAPACITY, Logger, MAX_CAPACITY, Stats,
    };
    pub use llt_runtime::{IdlePolicy, LineFormat};
}

#[cfg(feature = "logger")]
pub use llt_runtime::{
    BuildError, Builder, Clock, EXIT_FLUSH_TIMEOUT, IdlePolicy, Level, LevelFilter, LineFormat,
    Logger, MemorySink, Metadata, ParseLevelError, RollingError, RollingFile, RollingFileBuilder,
    Rotation, STATIC_MAX_LEVEL, Stats, default_logger, set_default,
};
/// The syslog sink (`Builder::syslog`).
#[cfg(feature = "logger")]
pub use llt_runtime::{Facility, Syslog, SyslogError};

/// The `log` facade bridge (cargo feature `log`) and the `tracing` layer
/// (cargo feature `tracing`).
#[cfg(any(feature = "log", feature = "tracing"))]
pub use llt_runtime::bridge;

/// Binary log files (`Builder::binary_file`): their format, read by the
/// `llt-decode` crate and command.
pub use llt_runtime::binary;

/// The building blocks, for users who want the ring or the clock alone.
pub use llt_runtime::{callsite, clock, crash, fields, filter, record, ring, rolling, syslog};

#[cfg(feature = "logger")]
pub use llt_macros::{llt_debug, llt_error, llt_info, llt_log, llt_trace, llt_warn};

/// What `llt_log!` copies piece by piece: slices, `Vec`, `Option`,
/// `Result`, strings inside them, and derived types.
pub use llt_runtime::record::LogValue;

/// `#[derive(Loggable)]`: makes a struct or enum loggable by `llt_log!`,
/// copied field by field at the call and rebuilt as the same type on the
/// writer, where its own `Display`/`Debug` formats it.
///
/// ```
/// use llt_rs::{Loggable, Logger, llt_log};
///
/// #[derive(Debug, Loggable)]
/// struct Order {
///     id: String,
///     px: f64,
///     qty: u32,
/// }
///
/// #[derive(Debug, Loggable)]
/// enum Event<'a> {
///     Fill(Order),
///     Cancel { id: &'a str },
///     Heartbeat,
/// }
///
/// let sink = llt_rs::MemorySink::new();
/// let logger = Logger::builder()
///     .sink(sink.clone())
///     .format(llt_rs::LineFormat::MessageOnly)
///     .build()
///     .unwrap();
/// let order = Order { id: "A-1".into(), px: 101.25, qty: 3 };
/// llt_log!(logger, "{order:?}");
/// llt_log!(logger, "{:?}", Event::Cancel { id: "A-2" });
/// logger.flush();
/// assert_eq!(
///     sink.take_lines(),
///     ["Order { id: \"A-1\", px: 101.25, qty: 3 }", "Cancel { id: \"A-2\" }"]
/// );
/// ```
pub use llt_macros::Loggable;

/// Support for the macros' generated code. Not a public API.
#[doc(hidden)]
pub mod __private {
    pub use llt_runtime::private::*;
    // Step 2 and 3 of the encoder choice (see `llt_runtime::record::Tag`).
    pub use llt_runtime::record::ViaRef;
    // Step 2 of the encoder choice, and what `#[derive(Loggable)]` names.
    pub use llt_runtime::record::{LogValue, Payload, StaticCopy, ViaValue, invalid_variant};
    pub use std::mem::size_of;
    pub use std::stringify;
}

/// The README's examples run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
