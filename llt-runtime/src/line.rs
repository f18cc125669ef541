//! How a record becomes a line: the line layouts ([`LineFormat`]) and the
//! formatting of one record, with its prefix (timestamp, level, JSON
//! fields) and suffix.
//!
//! A record's message is made by the statement's own decoder
//! (`Callsite::format`), which calls `format_args!` with the original format
//! string. A decoder that panics or fails costs its line only: the line is
//! replaced by a marker naming the statement, and counted.

use std::fmt;
use std::io::Write;
use std::mem::MaybeUninit;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::Ordering::Relaxed;

use crate::callsite::{Callsite, Level};
use crate::clock::{Clock, Rfc3339};
use crate::record::{Line, Payload, RECORD_HEADER, escape_json, read_header_raw};
use crate::shared::Counters;

/// How each line is laid out.
///
/// # Examples
///
/// ```
/// use llt_runtime::{LineFormat, Logger};
/// let logger = Logger::builder()
///     .format(LineFormat::MessageOnly)
///     .sink(std::io::sink())
///     .build()
///     .unwrap();
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum LineFormat {
    /// `2026-11-25T14:47:42.123456Z INFO  message` (RFC 3339 UTC with
    /// microseconds, the level padded to 5 columns, the message).
    #[default]
    Default,
    /// The message alone.
    MessageOnly,
    /// One JSON object per line (JSON Lines), for log shippers:
    /// `{"ts":"2026-11-25T14:47:42.123456Z","level":"INFO","target":"app::net","file":"src/net.rs","line":42,"thread":"main","msg":"..."}`.
    /// `target` is the statement's module path (or the `log` record's
    /// target); `file` and `line` are left out where unknown (lines logged
    /// with `Logger::log`, `log` records, `tracing` events, drop reports);
    /// fields, if the line has any, follow `msg` as a `"fields"` object of
    /// typed values (see `fields`); strings are
    /// escaped per RFC 8259.
    Json,
}

/// What a line is made with, besides the record.
pub(crate) struct Context<'a> {
    pub(crate) format: LineFormat,
    pub(crate) clock: &'a Clock,
    /// The logging thread's name.
    pub(crate) thread: &'a str,
    pub(crate) counters: &'a Counters,
    /// The RFC 5424 header of a syslog sink: lines are syslog messages.
    pub(crate) syslog: Option<&'a crate::syslog::Header>,
}

/// Appends one record's line (with its newline) to `line`.
pub(crate) fn format_record(
    payload: &[MaybeUninit<u8>],
    line: &mut Line,
    timestamps: &mut Rfc3339,
    context: &Context<'_>,
) {
    let Some((address, raw)) = read_header_raw(payload) else {
        line.buf.extend_from_slice(b"<llt: corrupted record>\n");
        context.counters.format_errors.fetch_add(1, Relaxed);
        return;
    };
    // SAFETY: every record's header is written by the push path with the
    // address of a `&'static Callsite` (a promoted constant or a static),
    // which is valid for the rest of the program.
    let callsite: &'static Callsite = unsafe { &*(address as *const Callsite) };
    let meta = &callsite.metadata;
    let mut args = Payload::new(&payload[RECORD_HEADER..]);
    let target = if callsite.target_in_payload {
        // SAFETY: records of callsites with `target_in_payload` are written
        // by the `log` bridge, which puts a usize length and a `&str` there.
        unsafe { args.take_str() }.unwrap_or("<corrupted target>")
    } else {
        meta.module_path
    };
    // Line 0 marks callsites without a statement location.
    let location =
        (!callsite.target_in_payload && meta.line != 0).then_some((meta.file, meta.line));
    write_prefix(line, timestamps, context, meta.level, target, location, raw);
    let message_start = line.buf.len();
    // Named arguments are fields where the format shows fields apart from
    // the message (JSON, syslog); text lines have them in the message.
    line.named_wanted = context.format == LineFormat::Json || context.syslog.is_some();
    line.named.clear();
    let follow = format_message(callsite, &mut args, line, context.counters);
    if !line.named.is_empty() {
        let named = std::mem::take(&mut line.named);
        let mut joined = Vec::new();
        crate::fields::join_lists(&named, follow.then(|| args.remaining()), &mut joined);
        line.named = named;
        let joined_view = crate::record::init_view(&joined);
        write_fields_and_suffix(&Payload::new(joined_view), line, context, message_start);
    } else if follow {
        write_fields_and_suffix(&args, line, context, message_start);
    } else {
        write_suffix(line, context.format);
    }
}

/// Appends the message of a record of `callsite` (its arguments in
/// `args`) to `line`; a decoder that fails or panics leaves a marker
/// naming the statement instead, and is counted. Returns whether a field
/// list follows the arguments (the decoder called `fields::follow`); `args`
/// is then at its start.
pub(crate) fn format_message(
    callsite: &Callsite,
    args: &mut Payload<'_>,
    line: &mut Line,
    counters: &Counters,
) -> bool {
    let meta = &callsite.metadata;
    let message_start = line.buf.len();
    line.fields_follow = false;
    let result = panic::catch_unwind(AssertUnwindSafe(|| (callsite.format)(args, line)));
    let failure = match result {
        Ok(Ok(())) => None,
        Ok(Err(fmt::Error)) => Some("returned an error"),
        Err(payload) => {
            // Forgotten, not dropped: a payload whose own `Drop` panics
            // would unwind out of the writer.
            std::mem::forget(payload);
            Some("panicked")
        }
    };
    let fields_follow = std::mem::take(&mut line.fields_follow);
    if let Some(what) = failure {
        // Relaxed: an event count (see `Counters`).
        counters.format_errors.fetch_add(1, Relaxed);
        line.buf.truncate(message_start);
        line.named.clear();
        let _ = fmt::Write::write_fmt(
            line,
            format_args!(
                "<llt: formatting {what}: {:?} at {}:{}>",
                meta.format, meta.file, meta.line
            ),
        );
        return false;
    }
    fields_follow
}

/// Ends a line whose record carries a field list after its message (see
/// `fields`): ` key=value` pairs in text, a `"fields"` object in JSON, an
/// RFC 5424 structured-data element (in place of the `-` written by the
/// prefix) in syslog messages.
fn write_fields_and_suffix(
    args: &Payload<'_>,
    line: &mut Line,
    context: &Context<'_>,
    message_start: usize,
) {
    // SAFETY: the decoder called `fields::follow`, whose contract is that
    // the bytes after what it read (where `args` is now) are a field list.
    let Some(fields) = (unsafe { crate::fields::Fields::new(args) }) else {
        write_suffix(line, context.format);
        return;
    };
    let buf = &mut line.buf;
    if context.syslog.is_some() {
        // The prefix ended with `- ` (no structured data): swap the `-`
        // for the element, moving the message behind it.
        let at = message_start - 2;
        let end = buf.len();
        crate::fields::write_structured_data(fields, buf);
        let added = buf.len() - end;
        buf[at..].rotate_right(added);
        buf.remove(at + added);
        buf.push(b'\n');
    } else {
        write_suffix_with_fields(line, context.format, fields);
    }
}

/// Ends a line whose message is followed by fields: ` key=value` pairs in
/// text, a `"fields"` object after `"msg"` in JSON, then the newline.
/// Shared by the writer and readers of binary logs (`llt-decode`), which
/// hand over fields from their own source.
///
/// # Examples
///
/// ```
/// use llt_runtime::binary::{write_line_prefix, write_suffix_with_fields};
/// use llt_runtime::{Level, LineFormat, clock::Rfc3339, fields::Value, record::Line};
/// let mut line = Line::default();
/// let mut timestamps = Rfc3339::default();
/// write_line_prefix(&mut line, &mut timestamps, LineFormat::MessageOnly, 0, Level::Info, "app", None, "main");
/// std::fmt::Write::write_str(&mut line, "filled").unwrap();
/// write_suffix_with_fields(&mut line, LineFormat::MessageOnly, [Ok(("qty", Value::U64(5)))]);
/// assert_eq!(line.as_bytes(), b"filled qty=5\n");
/// ```
pub fn write_suffix_with_fields<'n, 'v, I>(line: &mut Line, format: LineFormat, fields: I)
where
    I: IntoIterator<Item = Result<(&'n str, crate::fields::Value<'v>), ()>>,
{
    let buf = &mut line.buf;
    if format == LineFormat::Json {
        line.escape_json = false;
        buf.extend_from_slice(b"\",");
        crate::fields::write_json(fields, buf);
        buf.push(b'}');
    } else {
        crate::fields::write_text(fields, buf);
    }
    buf.push(b'\n');
}

/// Writes the part of a line before the message. For JSON, the message
/// that follows is escaped until [`write_suffix`].
pub(crate) fn write_prefix(
    line: &mut Line,
    timestamps: &mut Rfc3339,
    context: &Context<'_>,
    level: Level,
    target: &str,
    location: Option<(&str, u32)>,
    raw: u64,
) {
    let unix_nanos = context.clock.unix_nanos(raw);
    if let Some(header) = context.syslog {
        header.write_prefix(&mut line.buf, timestamps, unix_nanos, level);
        return;
    }
    write_line_prefix(
        line,
        timestamps,
        context.format,
        unix_nanos,
        level,
        target,
        location,
        context.thread,
    );
}

/// The part of a line before the message, for a record stamped
/// `unix_nanos` (nanoseconds since the Unix epoch) on thread `thread`:
/// shared by the writer and by readers of binary logs (`llt-decode`), so
/// both lay lines out the same way. For JSON, the message written into
/// `line` next is escaped until [`write_suffix`].
///
/// # Examples
///
/// ```
/// use llt_runtime::binary::{write_line_prefix, write_line_suffix};
/// use llt_runtime::{Level, LineFormat, clock::Rfc3339, record::Line};
/// let mut line = Line::default();
/// let mut timestamps = Rfc3339::default();
/// write_line_prefix(&mut line, &mut timestamps, LineFormat::Default, 0, Level::Warn, "app", None, "main");
/// std::fmt::Write::write_str(&mut line, "hello").unwrap();
/// write_line_suffix(&mut line, LineFormat::Default);
/// assert_eq!(line.as_bytes(), b"1970-01-01T00:00:00.000000Z WARN  hello\n");
/// ```
#[allow(clippy::too_many_arguments)]
pub fn write_line_prefix(
    line: &mut Line,
    timestamps: &mut Rfc3339,
    format: LineFormat,
    unix_nanos: u64,
    level: Level,
    target: &str,
    location: Option<(&str, u32)>,
    thread: &str,
) {
    let buf = &mut line.buf;
    match format {
        LineFormat::Default => {
            timestamps.write(buf, unix_nanos);
            buf.push(b' ');
            let name = level.as_str().as_bytes();
            buf.extend_from_slice(name);
            buf.extend(std::iter::repeat_n(b' ', 6 - name.len()));
        }
        LineFormat::MessageOnly => {}
        LineFormat::Json => {
            buf.extend_from_slice(b"{\"ts\":\"");
            timestamps.write(buf, unix_nanos);
            buf.extend_from_slice(b"\",\"level\":\"");
            buf.extend_from_slice(level.as_str().as_bytes());
            buf.extend_from_slice(b"\",\"target\":\"");
            escape_json(buf, target);
            if let Some((file, line_number)) = location {
                buf.extend_from_slice(b"\",\"file\":\"");
                escape_json(buf, file);
                let _ = write!(buf, "\",\"line\":{line_number}");
                buf.extend_from_slice(b",\"thread\":\"");
            } else {
                buf.extend_from_slice(b"\",\"thread\":\"");
            }
            escape_json(buf, thread);
            buf.extend_from_slice(b"\",\"msg\":\"");
            line.escape_json = true;
        }
    }
}

/// Ends a line started by the writer's prefix or [`write_line_prefix`].
///
/// # Examples
///
/// ```
/// use llt_runtime::{LineFormat, binary::write_line_suffix, record::Line};
/// let mut line = Line::default();
/// write_line_suffix(&mut line, LineFormat::MessageOnly);
/// assert_eq!(line.as_bytes(), b"\n");
/// ```
pub fn write_suffix(line: &mut Line, format: LineFormat) {
    if format == LineFormat::Json {
        line.escape_json = false;
        line.buf.extend_from_slice(b"\"}");
    }
    line.buf.push(b'\n');
}
