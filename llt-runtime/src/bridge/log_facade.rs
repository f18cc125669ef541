//! The `log` facade bridge (cargo feature `log`): `log::info!` and friends,
//! from any crate, go through an llt logger's rings and writer, in the same
//! timestamp order as `llt_log!` lines.
//!
//! The `log` crate hands over `fmt::Arguments`, so these records are
//! formatted on the calling thread, into a per-thread buffer that is reused
//! (no allocation once it is large enough), then copied into the thread's
//! ring with their target. The logger's filter applies to the record's
//! target (by default its module path).

use std::cell::RefCell;
use std::fmt::Write as _;
use std::panic::{self, AssertUnwindSafe};

use crate::callsite::{Level, bridge_callsite};
use crate::local;
use crate::logger::Logger;
use crate::record::{RECORD_HEADER, write_header};

/// Installs `logger` as the `log` crate's global logger and sets `log`'s
/// maximum level from the logger's filter. Fails if a `log` logger is
/// installed already (`log` allows one per process).
///
/// Call [`Logger::set_filter`] before this if the filter will change: the
/// `log` crate's own maximum level is set here, once.
///
/// # Examples
///
/// ```
/// let logger = llt_runtime::Logger::builder().sink(std::io::sink()).build().unwrap();
/// llt_runtime::bridge::init_log_bridge(logger.clone()).expect("first log logger");
/// log::info!(target: "app::db", "connected in {} ms", 12);
/// logger.flush();
/// assert_eq!(logger.stats().written, 1);
/// ```
pub fn init_log_bridge(logger: Logger) -> Result<(), log::SetLoggerError> {
    let max = logger.filter().max_level();
    log::set_boxed_logger(Box::new(LogBridge { logger }))?;
    log::set_max_level(to_log_filter(max));
    Ok(())
}

/// A `log::Log` implementation that forwards to an llt [`Logger`].
#[derive(Debug, Clone)]
pub struct LogBridge {
    logger: Logger,
}

impl LogBridge {
    /// A bridge to `logger` (install it with `log::set_boxed_logger`, or use
    /// [`init_log_bridge`]).
    pub fn new(logger: Logger) -> Self {
        LogBridge { logger }
    }
}

impl log::Log for LogBridge {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        self.logger
            .enabled_for(metadata.target(), from_log_level(metadata.level()))
    }

    fn log(&self, record: &log::Record<'_>) {
        let level = from_log_level(record.level());
        if !self.logger.enabled_for(record.target(), level) {
            return;
        }
        thread_local! {
            static MESSAGE: RefCell<String> = const { RefCell::new(String::new()) };
        }
        let mut fresh = String::new();
        let pushed = MESSAGE.try_with(|buffer| match buffer.try_borrow_mut() {
            Ok(mut message) => self.format_and_push(level, record, &mut message),
            // A `Display` impl in this record's arguments logged through
            // `log` itself: the buffer is in use, take a fresh one.
            Err(_) => self.format_and_push(level, record, &mut fresh),
        });
        if pushed.is_err() {
            // The thread is exiting and its buffer is gone.
            self.format_and_push(level, record, &mut fresh);
        }
    }

    fn flush(&self) {
        self.logger.flush();
    }
}

impl LogBridge {
    /// Formats the record's message into `message` and pushes it. A
    /// `Display` impl that panics or returns an error does not escape: the
    /// line becomes a marker, counted in `Stats::format_errors`, as for
    /// `llt_log!` lines.
    fn format_and_push(&self, level: Level, record: &log::Record<'_>, message: &mut String) {
        message.clear();
        let result = panic::catch_unwind(AssertUnwindSafe(|| write!(message, "{}", record.args())));
        super::replace_failed_message(
            &self.logger,
            &result,
            message,
            "log record",
            (record.file(), record.line()),
        );
        push(&self.logger, level, record.target(), message);
    }
}

/// Pushes `[header][target length][target][message]`, or counts a drop.
fn push(logger: &Logger, level: Level, target: &str, message: &str) {
    let callsite = bridge_callsite(level);
    let (target, message) = (target.as_bytes(), message.as_bytes());
    // Saturating: an overflowing size is rejected by the ring as too large.
    let len = (RECORD_HEADER + size_of::<usize>())
        .saturating_add(target.len())
        .saturating_add(message.len());
    let clock = &logger.inner.clock;
    // SAFETY: the closure writes the header, the target's length and bytes,
    // then the message's bytes: exactly `len` bytes, and does not log.
    unsafe {
        local::push(&logger.inner, len, |dst| {
            write_header(dst, std::ptr::from_ref(callsite) as usize, clock);
            let mut at = dst.add(RECORD_HEADER);
            at.cast::<usize>().write_unaligned(target.len());
            at = at.add(size_of::<usize>());
            at.copy_from_nonoverlapping(target.as_ptr(), target.len());
            at = at.add(target.len());
            at.copy_from_nonoverlapping(message.as_ptr(), message.len());
        });
    }
}

fn from_log_level(level: log::Level) -> Level {
    match level {
        log::Level::Error => Level::Error,
        log::Level::Warn => Level::Warn,
        log::Level::Info => Level::Info,
        log::Level::Debug => Level::Debug,
        log::Level::Trace => Level::Trace,
    }
}

fn to_log_filter(filter: crate::LevelFilter) -> log::LevelFilter {
    match filter {
        crate::LevelFilter::Off => log::LevelFilter::Off,
        crate::LevelFilter::Error => log::LevelFilter::Error,
        crate::LevelFilter::Warn => log::LevelFilter::Warn,
        crate::LevelFilter::Info => log::LevelFilter::Info,
        crate::LevelFilter::Debug => log::LevelFilter::Debug,
        crate::LevelFilter::Trace => log::LevelFilter::Trace,
    }
}
