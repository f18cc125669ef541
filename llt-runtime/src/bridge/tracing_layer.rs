//! The `tracing` layer (cargo feature `tracing`): `tracing::info!` and
//! friends, from any crate, go through an llt logger's rings, writer and
//! filter, in the same timestamp order as `llt_log!` lines.
//!
//! An event becomes one record:
//!
//! ```text
//! [header][target: usize length, bytes][message: usize length, bytes][field list]
//! ```
//!
//! The message is the names of the current spans, root first, each followed
//! by `:`, then a space and the event's `message` (`span1:span2: filled`),
//! as `tracing-subscriber`'s fmt layer prints them. It is formatted on the
//! calling thread, and so are fields recorded with `Debug` or as errors;
//! numbers, bools and strings are copied as typed values into the field
//! list (see [`fields`](crate::fields)), which the writer prints as
//! ` key=value` in text and typed values in JSON. Both go to per-thread
//! buffers that are reused: no allocation per event once they are large
//! enough.

use std::cell::RefCell;
use std::fmt::{self, Write as _};
use std::panic::{self, AssertUnwindSafe};

use tracing_core::field::{Field, Visit};
use tracing_core::subscriber::Interest;
use tracing_core::{Event, Subscriber};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::registry::LookupSpan;

use crate::callsite::{Callsite, Level, Metadata};
use crate::fields::FieldList;
use crate::local;
use crate::logger::Logger;
use crate::record::{Line, Payload, RECORD_HEADER, write_header};

/// A `tracing_subscriber` layer that writes events through an llt
/// [`Logger`]. Spans are tracked (their names prefix the message) but not
/// timed.
///
/// The logger's filter decides which events (and spans) are enabled, by
/// target and level, and keeps deciding after [`Logger::set_filter`]: the
/// layer gives `tracing` no cached interest and no level hint.
///
/// # Examples
///
/// ```
/// use tracing_subscriber::layer::SubscriberExt;
/// use llt_runtime::{LineFormat, Logger, MemorySink};
/// use llt_runtime::bridge::TracingLayer;
///
/// let sink = MemorySink::new();
/// let logger = Logger::builder().format(LineFormat::MessageOnly).sink(sink.clone()).build().unwrap();
/// let subscriber = tracing_subscriber::registry().with(TracingLayer::new(logger.clone()));
/// tracing::subscriber::with_default(subscriber, || {
///     let _span = tracing::info_span!("order").entered();
///     tracing::info!(qty = 5u64, px = 1.5, "filled");
/// });
/// logger.flush();
/// assert_eq!(sink.take_lines(), ["order: filled qty=5 px=1.5"]);
/// ```
#[derive(Debug, Clone)]
pub struct TracingLayer {
    logger: Logger,
}

impl TracingLayer {
    /// A layer writing to `logger`.
    ///
    /// # Examples
    ///
    /// ```
    /// let logger = llt_runtime::Logger::builder().sink(std::io::sink()).build().unwrap();
    /// let layer = llt_runtime::bridge::TracingLayer::new(logger);
    /// ```
    pub fn new(logger: Logger) -> Self {
        TracingLayer { logger }
    }
}

/// A global `tracing` subscriber was installed already, so
/// [`init_tracing`] could not install one.
///
/// # Examples
///
/// ```
/// let logger = llt_runtime::Logger::builder().sink(std::io::sink()).build().unwrap();
/// llt_runtime::bridge::init_tracing(logger.clone()).expect("first subscriber");
/// let err = llt_runtime::bridge::init_tracing(logger).unwrap_err();
/// assert!(err.to_string().contains("TracingLayer"));
/// ```
#[derive(Debug)]
pub struct InitTracingError(tracing_core::dispatcher::SetGlobalDefaultError);

impl fmt::Display for InitTracingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: a global tracing subscriber is installed already; add llt to it as a layer \
             instead, `registry().with(TracingLayer::new(logger))`, before installing it",
            self.0
        )
    }
}

impl std::error::Error for InitTracingError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

/// Installs a `tracing_subscriber::registry()` with a [`TracingLayer`] to
/// `logger` as `tracing`'s global default subscriber. Fails if one is
/// installed already (`tracing` allows one per process).
///
/// # Examples
///
/// ```
/// let logger = llt_runtime::Logger::builder().sink(std::io::sink()).build().unwrap();
/// llt_runtime::bridge::init_tracing(logger.clone()).expect("first subscriber");
/// tracing::info!(target: "app::db", elapsed_ms = 12u64, "connected");
/// logger.flush();
/// assert_eq!(logger.stats().written, 1);
/// ```
pub fn init_tracing(logger: Logger) -> Result<(), InitTracingError> {
    use tracing_subscriber::layer::SubscriberExt;
    let subscriber = tracing_subscriber::registry().with(TracingLayer::new(logger));
    tracing_core::dispatcher::set_global_default(tracing_core::Dispatch::new(subscriber))
        .map_err(InitTracingError)
}

impl<S> Layer<S> for TracingLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn register_callsite(&self, _: &'static tracing_core::Metadata<'static>) -> Interest {
        // Asked again at each event: the logger's filter may change.
        Interest::sometimes()
    }

    fn enabled(&self, metadata: &tracing_core::Metadata<'_>, _: Context<'_, S>) -> bool {
        self.logger
            .enabled_for(metadata.target(), from_tracing_level(*metadata.level()))
    }

    fn on_event(&self, event: &Event<'_>, context: Context<'_, S>) {
        let metadata = event.metadata();
        let level = from_tracing_level(*metadata.level());
        if !self.logger.enabled_for(metadata.target(), level) {
            return;
        }
        thread_local! {
            static BUFFERS: RefCell<Buffers> = const { RefCell::new(Buffers::new()) };
        }
        let mut fresh = Buffers::new();
        let done = BUFFERS.try_with(|buffers| match buffers.try_borrow_mut() {
            Ok(mut buffers) => self.record_and_push(level, event, &context, &mut buffers),
            // A `Debug` impl of this event's fields logged through
            // `tracing` itself: the buffers are in use, take fresh ones.
            Err(_) => self.record_and_push(level, event, &context, &mut fresh),
        });
        if done.is_err() {
            // The thread is exiting and its buffers are gone.
            self.record_and_push(level, event, &context, &mut fresh);
        }
    }
}

/// An event's message and field list, being recorded.
struct Buffers {
    message: String,
    fields: Vec<u8>,
}

impl Buffers {
    const fn new() -> Self {
        Buffers {
            message: String::new(),
            fields: Vec::new(),
        }
    }
}

impl TracingLayer {
    /// Records the event into `buffers` and pushes it. A `Debug` impl that
    /// panics or fails does not escape: the line becomes a marker, counted
    /// in `Stats::format_errors`, as for `llt_log!` lines.
    fn record_and_push<S>(
        &self,
        level: Level,
        event: &Event<'_>,
        context: &Context<'_, S>,
        buffers: &mut Buffers,
    ) where
        S: Subscriber + for<'a> LookupSpan<'a>,
    {
        let Buffers { message, fields } = buffers;
        message.clear();
        fields.clear();
        if let Some(scope) = context.event_scope(event) {
            for span in scope.from_root() {
                message.push_str(span.name());
                message.push(':');
            }
            message.push(' ');
        }
        let spans_len = message.len();
        let result = panic::catch_unwind(AssertUnwindSafe(|| {
            let mut visitor = Visitor {
                message,
                fields: FieldList::new(fields),
                result: Ok(()),
            };
            event.record(&mut visitor);
            let result = visitor.result;
            visitor.fields.finish();
            result
        }));
        let metadata = event.metadata();
        if super::replace_failed_message(
            &self.logger,
            &result,
            message,
            "tracing event",
            (metadata.file(), metadata.line()),
        ) {
            fields.clear();
            FieldList::new(fields).finish();
        } else if message.len() == spans_len && spans_len > 0 {
            // No message: no space after the spans either.
            message.pop();
        }
        push(
            &self.logger,
            level,
            event.metadata().target(),
            message,
            fields,
        );
    }
}

/// Records an event's fields: the message as text, the rest typed.
struct Visitor<'a> {
    message: &'a mut String,
    fields: FieldList<'a>,
    result: fmt::Result,
}

impl Visitor<'_> {
    fn is_message(field: &Field) -> bool {
        field.name() == "message"
    }

    /// Fields that `tracing-log` adds to events made from `log` records,
    /// which the fmt layer does not print either.
    fn is_log_metadata(field: &Field) -> bool {
        field.name().starts_with("log.")
    }
}

impl Visit for Visitor<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if Self::is_message(field) {
            // The message is `format_args!`, whose Debug is its Display.
            let result = write!(self.message, "{value:?}");
            self.result = self.result.and(result);
        } else if !Self::is_log_metadata(field) {
            let result = self
                .fields
                .formatted(field.name(), format_args!("{value:?}"));
            self.result = self.result.and(result);
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if Self::is_message(field) {
            self.message.push_str(value);
        } else if !Self::is_log_metadata(field) {
            self.fields.str(field.name(), value);
        }
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        let result = self.fields.formatted(field.name(), format_args!("{value}"));
        self.result = self.result.and(result);
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.fields.u64(field.name(), value);
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.fields.i64(field.name(), value);
    }

    fn record_u128(&mut self, field: &Field, value: u128) {
        self.fields.u128(field.name(), value);
    }

    fn record_i128(&mut self, field: &Field, value: i128) {
        self.fields.i128(field.name(), value);
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        self.fields.f64(field.name(), value);
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.fields.bool(field.name(), value);
    }
}

/// Pushes `[header][target][message][field list]`, or counts a drop.
fn push(logger: &Logger, level: Level, target: &str, message: &str, fields: &[u8]) {
    let callsite = &CALLSITES[level as usize - 1];
    let (target, message) = (target.as_bytes(), message.as_bytes());
    // Saturating: an overflowing size is rejected by the ring as too large.
    let len = (RECORD_HEADER + 2 * size_of::<usize>())
        .saturating_add(target.len())
        .saturating_add(message.len())
        .saturating_add(fields.len());
    let clock = &logger.inner.clock;
    // SAFETY: the closure writes the header, the target's and the
    // message's lengths and bytes, then the field list: exactly `len`
    // bytes; it does not log.
    unsafe {
        local::push(&logger.inner, len, |dst| {
            write_header(dst, std::ptr::from_ref(callsite) as usize, clock);
            let mut at = dst.add(RECORD_HEADER);
            for text in [target, message] {
                at.cast::<usize>().write_unaligned(text.len());
                at = at.add(size_of::<usize>());
                at.copy_from_nonoverlapping(text.as_ptr(), text.len());
                at = at.add(text.len());
            }
            at.copy_from_nonoverlapping(fields.as_ptr(), fields.len());
        });
    }
}

/// The callsites of `tracing` events, one per level: the target travels in
/// the record (`target_in_payload`), the decoder is [`format_event`].
static CALLSITES: [Callsite; 5] = [
    callsite(Level::Error),
    callsite(Level::Warn),
    callsite(Level::Info),
    callsite(Level::Debug),
    callsite(Level::Trace),
];

const fn callsite(level: Level) -> Callsite {
    Callsite {
        metadata: Metadata {
            level,
            format: "{}",
            module_path: "tracing",
            // Line 0: no statement location.
            file: "",
            line: 0,
        },
        format: format_event,
        target_in_payload: true,
        kinds: event_kinds,
    }
}

/// The arguments of `tracing` events, as binary logs see them: only the
/// process can format an event (its message and field list), so the
/// writer stores it formatted.
fn event_kinds(out: &mut Vec<crate::record::ArgKind>) {
    out.push(crate::record::ArgKind::Opaque);
}

/// The decoder of `tracing` events: the message, then a field list.
fn format_event(payload: &mut Payload<'_>, line: &mut Line) -> fmt::Result {
    // SAFETY: records of `CALLSITES` are written by `push`: after the
    // target (taken by the writer) comes the message as a usize length and
    // the bytes of a `&str`.
    let message = unsafe { payload.take_str() }.ok_or(fmt::Error)?;
    line.write_str(message)?;
    // SAFETY: `push` wrote a field list (made by `FieldList`) right after
    // the message.
    unsafe { crate::fields::follow(line) };
    Ok(())
}

fn from_tracing_level(level: tracing_core::Level) -> Level {
    match level {
        tracing_core::Level::ERROR => Level::Error,
        tracing_core::Level::WARN => Level::Warn,
        tracing_core::Level::INFO => Level::Info,
        tracing_core::Level::DEBUG => Level::Debug,
        _ => Level::Trace,
    }
}
