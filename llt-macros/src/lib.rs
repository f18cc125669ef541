//! Procedural macros of the llt logger.
//!
//! `llt_log!` checks its format string at compile time, declares one static
//! callsite per statement, and on the hot path copies only the raw bytes of
//! its arguments into the calling thread's ring; the writer thread formats
//! them later with std's own formatting. Use these macros through the facade
//! crate `llt-rs` (`llt_rs::llt_log!`): the generated code refers to
//! `::llt_rs::__private`.
//!
//! The crate is split by phase: `args` parses the invocation, `format`
//! parses and checks the format string (pure, table-tested), `expand`
//! generates the code.

#![deny(missing_docs)]

mod args;
mod expand;
mod format;

use proc_macro::TokenStream;

use expand::Level;

/// Logs at `Info` level: `llt_log!(logger, "fmt", args...)` or, through the
/// default logger, `llt_log!("fmt", args...)`. See the `llt-rs` docs.
#[proc_macro]
pub fn llt_log(input: TokenStream) -> TokenStream {
    expand::expand(input.into(), Level::Info).into()
}

/// Logs at `Trace` level; same forms as `llt_log!`.
#[proc_macro]
pub fn llt_trace(input: TokenStream) -> TokenStream {
    expand::expand(input.into(), Level::Trace).into()
}

/// Logs at `Debug` level; same forms as `llt_log!`.
#[proc_macro]
pub fn llt_debug(input: TokenStream) -> TokenStream {
    expand::expand(input.into(), Level::Debug).into()
}

/// Logs at `Info` level (same as `llt_log!`); same forms as `llt_log!`.
#[proc_macro]
pub fn llt_info(input: TokenStream) -> TokenStream {
    expand::expand(input.into(), Level::Info).into()
}

/// Logs at `Warn` level; same forms as `llt_log!`.
#[proc_macro]
pub fn llt_warn(input: TokenStream) -> TokenStream {
    expand::expand(input.into(), Level::Warn).into()
}

/// Logs at `Error` level; same forms as `llt_log!`.
#[proc_macro]
pub fn llt_error(input: TokenStream) -> TokenStream {
    expand::expand(input.into(), Level::Error).into()
}
