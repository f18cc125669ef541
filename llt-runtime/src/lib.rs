//! Runtime of the llt logger.
//!
//! Most users depend on the facade crate `llt-rs`, which re-exports this
//! crate's public items together with the `llt_log!` macros. The pieces:
//!
//! * [`ring`]: the single-producer single-consumer byte ring each logging
//!   thread writes records into;
//! * [`record`]: the record layout, and how arguments become bytes and back;
//! * [`callsite`]: levels and the static description of a log statement;
//! * [`clock`]: timestamps, raw on the hot path, RFC 3339 on the writer;
//! * [`Logger`] and [`Builder`]: the handle users hold and how to make one;
//! * the writer thread, which merges the rings and writes to the sink.
#![deny(missing_docs, unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks)]

mod altstack;
pub mod binary;
#[cfg(any(feature = "log", feature = "tracing"))]
pub mod bridge;
pub mod callsite;
pub mod clock;
pub mod crash;
mod doorbell;
mod exit;
pub mod fields;
pub mod filter;
mod fork;
mod global;
mod idle;
mod interest;
mod line;
mod local;
pub mod logger;
#[doc(hidden)]
pub mod private;
pub mod record;
mod registry;
pub mod ring;
pub mod rolling;
mod shared;
mod sink;
mod sync;
pub mod syslog;
mod writer;

pub use callsite::{Level, LevelFilter, Metadata, ParseLevelError, STATIC_MAX_LEVEL};
pub use clock::Clock;
pub use exit::EXIT_FLUSH_TIMEOUT;
pub use global::{default_logger, set_default};
pub use idle::IdlePolicy;
pub use line::LineFormat;
pub use logger::{BuildError, Builder, Logger, Stats};
pub use rolling::{RollingError, RollingFile, RollingFileBuilder, Rotation};
pub use sink::MemorySink;
pub use syslog::{Facility, Syslog, SyslogError};
