//! Bridges from the other logging facades, so that one llt logger writes
//! the whole program's lines, from any crate, in one timestamp order:
//!
//! * the `log` crate (cargo feature `log`): [`init_log_bridge`], [`LogBridge`];
//! * `tracing` (cargo feature `tracing`): [`init_tracing`], [`TracingLayer`].
//!
//! Both format their messages on the calling thread, into a per-thread
//! buffer that is reused, then copy the text into the thread's ring with
//! the record's target; the logger's filter applies to that target.

#[cfg(feature = "log")]
mod log_facade;
#[cfg(feature = "tracing")]
mod tracing_layer;

#[cfg(feature = "log")]
pub use log_facade::{LogBridge, init_log_bridge};
#[cfg(feature = "tracing")]
pub use tracing_layer::{InitTracingError, TracingLayer, init_tracing};

/// After formatting a message on the calling thread: if that panicked or
/// returned an error (`result`), counts it in `Stats::format_errors` and
/// replaces `message` with a marker naming the `source` (`log record`,
/// `tracing event`) and its location, as the writer does for `llt_log!`
/// lines. Returns whether it failed.
#[cfg(any(feature = "log", feature = "tracing"))]
fn replace_failed_message(
    logger: &crate::Logger,
    result: &std::thread::Result<std::fmt::Result>,
    message: &mut String,
    source: &str,
    location: (Option<&str>, Option<u32>),
) -> bool {
    use std::fmt::Write as _;
    if matches!(result, Ok(Ok(()))) {
        return false;
    }
    // Relaxed: an event count (see `Counters`).
    logger
        .inner
        .shared
        .counters
        .format_errors
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let what = if result.is_err() {
        "panicked"
    } else {
        "returned an error"
    };
    message.clear();
    let _ = write!(
        message,
        "<llt: formatting {what}: {source} at {}:{}>",
        location.0.unwrap_or("<unknown>"),
        location.1.unwrap_or(0)
    );
    true
}
