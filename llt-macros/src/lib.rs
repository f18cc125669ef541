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
mod derive;
mod expand;
mod format;

use proc_macro::TokenStream;

use expand::Level;

/// Logs at `Info` level: `llt_log!(logger, "fmt", args...)` or, through the
/// default logger, `llt_log!("fmt", args...)`. See the `llt-rs` docs.
///
/// # Arguments
///
/// Every argument is copied at the call, so the line says what `format!`
/// would have said there, even though it is formatted later on the writer
/// thread:
///
/// - a `Copy + Send + 'static` value: its bytes;
/// - a string (`&str`, `String`, `Box<str>`, `Cow<str>`, or a reference to
///   one): its length and bytes;
/// - a reference `&T`, `&&T` or `&mut T` to a `Copy + Send + 'static` type
///   `T`, of any lifetime: the `T` it points to, as it is at the call;
/// - a slice, array, `Vec`, `Box<[T]>`, `Option`, `Result` or tuple of
///   loggable values, or a type with `#[derive(llt_rs::Loggable)]`: piece by
///   piece (`llt_rs::LogValue`), rebuilt on the writer thread.
///
/// `{:p}` is rejected: it would print the address of llt's copy.
///
/// Anything else is a compile error on the argument. That includes a
/// reference to something that is not `Copy`, such as a `&'static AtomicU64`
/// or a `&'static Mutex<_>`: the writer could only read it later, when it
/// may hold another value (or while the caller holds the lock). Log its
/// value instead (`counter.load(Ordering::Relaxed)`), or format it yourself
/// and log the string with `logger.log(format!(..))`.
///
/// ```ignore
/// let counter = 1u32;
/// llt_log!(logger, "counter={}", &counter);                    // logs 1, even if it changes before the writer runs
/// llt_log!(logger, "hits={}", HITS.load(Ordering::Relaxed));   // an atomic: pass its value
/// ```
///
/// Still read on the writer thread, not at the call (the macro cannot see
/// them): what a `Copy` value points to (a `Copy` struct with a
/// `&'static AtomicU64` field; a `&'static [T]` whose `T` is not
/// `LogValue`, or a `&'static dyn Trait` argument, copied as a pointer;
/// anything not `LogValue` behind a third `&`; a reference
/// that reaches the macro as a type parameter `T` in generic code), and
/// whatever a `Display`/`Debug` impl reads besides its value (globals,
/// locks). Tested in `tests/deferred_reads.rs` and `tests/ui/`.
///
/// # Fields
///
/// Key-value fields that are not in the message go before the format
/// string, ending with `;`: `llt_log!(logger, order_id = id, venue = "XNYS";
/// "filled {} at {}", qty, px)` (or `llt_log!(key = value; "fmt", ..)` with
/// the default logger). Each value must be an integer, a float, a `bool` or
/// a string; it is copied typed into the record and printed after the
/// message (` key=value` in text, a `"fields"` object in JSON lines,
/// structured data in syslog). Named arguments of the message (`{qty}` with
/// `qty = q`, or captured) are fields too in JSON lines and syslog
/// messages. See the `llt-rs` README, "Structured fields".
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

/// Makes a struct or enum loggable by `llt_log!`: implements
/// `llt_rs::LogValue` field by field.
///
/// On the calling thread each field is copied into the record in order
/// (numbers as their bytes, strings and slices as length + bytes), with no
/// allocation and no formatting. On the writer thread the value is rebuilt
/// as the same type (a `String` field is allocated there; a `&'a str` field
/// borrows from the record) and printed by the type's own `Display` or
/// `Debug`, so the text is exactly `format!`'s.
///
/// Every field must be loggable itself: numbers, `bool`, `char`, strings
/// (`String`, `&str`, `Box<str>`, `Cow<str>`), `Vec`, `Box<[T]>`, arrays,
/// `Option`, `Result`, tuples, `Box<T>` and other derived types. A type
/// parameter `T` gets the bound `T: LogValue` and is rebuilt as
/// `T::Decoded`. A field that is not loggable is a compile error on that
/// field. Borrowed slices and references other than `&str` (`&'a [u8]`,
/// `&'a Inner`) cannot be rebuilt as themselves from the record: store a
/// `Vec`/`Box<[T]>` or the value, or log the slice as its own argument.
/// A field whose type names `'static` (`&'static str`) is copied as it is
/// (it must be `Copy + Send + 'static`). Trait bounds on the type's own
/// parameters (`struct W<T: Copy>`) are rejected: the rebuilt
/// `W<T::Decoded>` need not satisfy them. The impl is an `unsafe impl`
/// (allowed under `#![deny(unsafe_code)]`, not under `forbid`).
///
/// ```ignore
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
#[proc_macro_derive(Loggable)]
pub fn derive_loggable(input: TokenStream) -> TokenStream {
    derive::derive(input.into()).into()
}
