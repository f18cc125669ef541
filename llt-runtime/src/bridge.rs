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
