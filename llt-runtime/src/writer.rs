//! The writer thread: drains every ring, turns records into lines, writes
//! them in batches.
//!
//! Each pass reads the clock (the pass *bound*), then takes a snapshot of
//! every ring's tail, then repeatedly takes the record with the smallest
//! timestamp among the ring heads (a k-way merge, as Quill's backend does),
//! so lines of different threads come out in timestamp order and each
//! thread's lines in program order.
//!
//! The rings are read one after another, not at one instant: while the
//! writer looks at ring B, thread A may publish a record it did not see in
//! ring A. A record stamped after the bound is therefore left for the next
//! pass. Any record stamped before the bound was published before the
//! snapshot of its ring, except for one stamped in the few nanoseconds
//! between its clock reading and its publication: ordering across threads
//! is exact for lines that are causally ordered (one thread logs, then
//! signals another, which logs) and best effort within those nanoseconds. Lines are
//! formatted into one reusable buffer and written to the sink when the
//! buffer is large, when the rings run dry, or on `flush`.
//!
//! When a pass finds nothing, the writer spins a little, then sleeps. Only
//! `flush`, the last handle's drop and the sleep timeout wake it; producers
//! never do.

use std::fmt;
use std::io::Write;
use std::mem::MaybeUninit;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;
use std::thread;
use std::time::Duration;

use crate::callsite::{Callsite, Level};
use crate::clock::{Clock, Rfc3339};
use crate::shared::{Shared, ThreadRing};
use crate::record::{Line, Payload, RECORD_HEADER, escape_json, read_header_raw};
use crate::sink::Sink;

/// Batch size at which the writer writes before the pass ends.
const BATCH_BYTES: usize = 64 * 1024;

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
    /// with `Logger::log`, `log` records, drop reports); strings are
    /// escaped per RFC 8259.
    Json,
}

/// How the writer waits while the rings are empty.
///
/// After `spins` empty passes it sleeps `sleep`, and each further empty pass
/// doubles the sleep up to `max_sleep`; any work resets it. The longest
/// sleep is how long a burst after a quiet period may fill a ring before the
/// writer looks, and it sets the idle cost: on the 2-core VM where llt is
/// measured, a wake-up costs about 10 µs of CPU, so 2 ms sleeps keep an idle
/// writer well under 1 % of a core (`cargo bench --bench idle`).
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use llt_runtime::IdlePolicy;
/// // React faster after quiet periods, at a higher idle cost.
/// let idle = IdlePolicy {
///     spins: 1000,
///     sleep: Duration::from_micros(100),
///     max_sleep: Duration::from_micros(500),
/// };
/// let logger = llt_runtime::Logger::builder().idle(idle).sink(std::io::sink()).build().unwrap();
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdlePolicy {
    /// Empty passes to spin through (with a CPU pause hint) before sleeping.
    pub spins: u32,
    /// The first sleep after spinning.
    pub sleep: Duration,
    /// The longest sleep (must be at least `sleep`, else `sleep` is used).
    pub max_sleep: Duration,
}

impl Default for IdlePolicy {
    /// 200 spins, then sleeps growing from 500 µs to 2 ms.
    fn default() -> Self {
        IdlePolicy {
            spins: 200,
            sleep: Duration::from_micros(500),
            max_sleep: Duration::from_millis(2),
        }
    }
}

/// The writer's state; lives on its own thread.
pub(crate) struct Writer {
    shared: Arc<Shared>,
    clock: Clock,
    rings: Vec<ThreadRing>,
    line: Line,
    /// End offset (exclusive) of each complete line in `line.buf`.
    line_ends: Vec<usize>,
    sink: Sink,
    format: LineFormat,
    timestamps: Rfc3339,
    idle: IdlePolicy,
    report_drops: bool,
    reported_drops: u64,
    flushed: u64,
}

impl fmt::Debug for Writer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Writer")
            .field("rings", &self.rings.len())
            .field("format", &self.format)
            .field("idle", &self.idle)
            .finish_non_exhaustive()
    }
}

/// Tells the shared state the writer is gone, also when it unwinds.
struct ExitGuard(Arc<Shared>);

impl Drop for ExitGuard {
    fn drop(&mut self) {
        self.0.writer_exited();
    }
}

impl Writer {
    pub(crate) fn new(
        shared: Arc<Shared>,
        clock: Clock,
        sink: Box<dyn Write + Send>,
        format: LineFormat,
        idle: IdlePolicy,
        report_drops: bool,
    ) -> Self {
        Writer {
            shared,
            clock,
            rings: Vec::new(),
            line: Line::default(),
            line_ends: Vec::new(),
            sink: Sink::new(sink),
            format,
            timestamps: Rfc3339::default(),
            idle,
            report_drops,
            reported_drops: 0,
            flushed: 0,
        }
    }

    /// The thread's main loop; returns after the logger's last handle is
    /// dropped and every ring is empty.
    pub(crate) fn run(mut self, pin: Option<usize>) {
        let _guard = ExitGuard(self.shared.clone());
        if let Some(core_index) = pin {
            pin_current_thread(core_index);
        }
        let mut empty_passes: u32 = 0;
        let mut sleep = self.idle.sleep;
        loop {
            // Read both before draining: whatever they cover is then visible.
            let shutdown = self.shared.shutdown_requested();
            let flush_ticket = self.shared.flush_requested();
            let (records, deferred) = self.pass();
            let idle = records == 0 && !deferred;
            if idle || flush_ticket > self.flushed || shutdown {
                self.write_batch();
            }
            if flush_ticket > self.flushed {
                self.sink.flush(&self.shared.counters);
                self.flushed = flush_ticket;
                self.shared.complete_flush(flush_ticket);
            }
            if shutdown && idle {
                self.sink.flush(&self.shared.counters);
                return;
            }
            if idle {
                empty_passes = empty_passes.saturating_add(1);
                if empty_passes <= self.idle.spins {
                    std::hint::spin_loop();
                } else {
                    thread::park_timeout(sleep);
                    sleep = (sleep * 2).min(self.idle.max_sleep.max(self.idle.sleep));
                }
            } else {
                empty_passes = 0;
                sleep = self.idle.sleep;
            }
        }
    }

    /// One pass: adopt new rings, merge out every record visible now and
    /// stamped before the pass bound, free finished rings. Returns the
    /// number of records written and whether some were left for the next
    /// pass.
    fn pass(&mut self) -> (usize, bool) {
        self.shared.take_pending(&mut self.rings);
        let bound = self.clock.raw_ordered();
        // SeqCst fence: the snapshots below are taken after the bound was
        // read, also as seen from the producers (see the module docs).
        std::sync::atomic::fence(std::sync::atomic::Ordering::SeqCst);
        let mut nonempty = 0;
        for source in &mut self.rings {
            nonempty += usize::from(source.consumer.refresh());
        }
        let (records, deferred) = if nonempty > 0 {
            self.merge(bound)
        } else {
            (0, false)
        };
        for source in &mut self.rings {
            source.consumer.release();
        }
        self.rings
            .retain_mut(|source| !source.consumer.is_finished());
        if self.report_drops {
            self.report_drops();
        }
        (records, deferred)
    }

    /// Formats every record up to the snapshot and stamped no later than
    /// `bound`, oldest timestamp first. Returns how many, and whether later
    /// ones were left in the rings.
    fn merge(&mut self, bound: u64) -> (usize, bool) {
        let mut records = 0;
        loop {
            let mut oldest: Option<(usize, u64)> = None;
            for (index, source) in self.rings.iter().enumerate() {
                if let Some(payload) = source.consumer.peek_raw() {
                    let timestamp = read_header_raw(payload).map_or(0, |(_, ts)| ts);
                    if oldest.is_none_or(|(_, ts)| timestamp < ts) {
                        oldest = Some((index, timestamp));
                    }
                }
            }
            let Some((index, timestamp)) = oldest else {
                return (records, false);
            };
            if timestamp > bound {
                return (records, true);
            }
            let source = &mut self.rings[index];
            if let Some(payload) = source.consumer.peek_raw() {
                let context = Context {
                    format: self.format,
                    clock: &self.clock,
                    thread: &source.thread,
                    shared: &self.shared,
                };
                format_record(payload, &mut self.line, &mut self.timestamps, &context);
                self.line_ends.push(self.line.buf.len());
            }
            source.consumer.advance();
            records += 1;
            if self.line.buf.len() >= BATCH_BYTES {
                self.write_batch();
            }
        }
    }

    /// Writes a line saying how many messages were dropped since the last
    /// such line, if any were.
    fn report_drops(&mut self) {
        let dropped = self.shared.counters.dropped.load(Relaxed);
        if dropped == self.reported_drops {
            return;
        }
        let since = dropped - self.reported_drops;
        self.reported_drops = dropped;
        // User lines formatted so far go first, to keep the order.
        self.write_batch();
        let context = Context {
            format: self.format,
            clock: &self.clock,
            thread: "llt-writer",
            shared: &self.shared,
        };
        let now = self.clock.raw();
        write_prefix(
            &mut self.line,
            &mut self.timestamps,
            &context,
            Level::Warn,
            "llt",
            None,
            now,
        );
        let _ = fmt::Write::write_fmt(
            &mut self.line,
            format_args!("llt: {since} messages dropped since the last report"),
        );
        write_suffix(&mut self.line, self.format);
        // Not a user line: no entry in `line_ends`, so it is not counted as
        // written, and a write failure loses it silently.
        self.sink
            .write_batch(&self.line.buf, &[], &self.shared.counters);
        self.line.buf.clear();
    }

    /// Hands the buffered lines to the sink and clears the buffer.
    fn write_batch(&mut self) {
        if self.line.buf.is_empty() {
            return;
        }
        self.sink
            .write_batch(&self.line.buf, &self.line_ends, &self.shared.counters);
        self.line.buf.clear();
        self.line_ends.clear();
    }
}

/// What a line is made with, besides the record.
struct Context<'a> {
    format: LineFormat,
    clock: &'a Clock,
    /// The logging thread's name.
    thread: &'a str,
    shared: &'a Shared,
}

/// Appends one record's line (with its newline) to `line`.
fn format_record(
    payload: &[MaybeUninit<u8>],
    line: &mut Line,
    timestamps: &mut Rfc3339,
    context: &Context<'_>,
) {
    let Some((address, raw)) = read_header_raw(payload) else {
        line.buf.extend_from_slice(b"<llt: corrupted record>\n");
        context.shared.counters.format_errors.fetch_add(1, Relaxed);
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
    let result = panic::catch_unwind(AssertUnwindSafe(|| (callsite.format)(&mut args, line)));
    if !matches!(result, Ok(Ok(()))) {
        context.shared.counters.format_errors.fetch_add(1, Relaxed);
        line.buf.truncate(message_start);
        let what = if result.is_err() {
            "panicked"
        } else {
            "returned an error"
        };
        let _ = fmt::Write::write_fmt(
            line,
            format_args!(
                "<llt: formatting {what}: {:?} at {}:{}>",
                meta.format, meta.file, meta.line
            ),
        );
    }
    write_suffix(line, context.format);
}

/// Writes the part of a line before the message. For JSON, the message
/// that follows is escaped until [`write_suffix`].
fn write_prefix(
    line: &mut Line,
    timestamps: &mut Rfc3339,
    context: &Context<'_>,
    level: Level,
    target: &str,
    location: Option<(&str, u32)>,
    raw: u64,
) {
    let buf = &mut line.buf;
    match context.format {
        LineFormat::Default => {
            timestamps.write(buf, context.clock.unix_nanos(raw));
            buf.push(b' ');
            let name = level.as_str().as_bytes();
            buf.extend_from_slice(name);
            buf.extend(std::iter::repeat_n(b' ', 6 - name.len()));
        }
        LineFormat::MessageOnly => {}
        LineFormat::Json => {
            buf.extend_from_slice(b"{\"ts\":\"");
            timestamps.write(buf, context.clock.unix_nanos(raw));
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
            escape_json(buf, context.thread);
            buf.extend_from_slice(b"\",\"msg\":\"");
            line.escape_json = true;
        }
    }
}

/// Ends a line started by [`write_prefix`].
fn write_suffix(line: &mut Line, format: LineFormat) {
    if format == LineFormat::Json {
        line.escape_json = false;
        line.buf.extend_from_slice(b"\"}");
    }
    line.buf.push(b'\n');
}

/// Pins the calling thread to core `index`, or says why not once on stderr.
fn pin_current_thread(index: usize) {
    let cores = core_affinity::get_core_ids().unwrap_or_default();
    let pinned = cores
        .iter()
        .find(|c| c.id == index)
        .is_some_and(|&c| core_affinity::set_for_current(c));
    if !pinned {
        let available: Vec<usize> = cores.iter().map(|c| c.id).collect();
        let _ = writeln!(
            std::io::stderr(),
            "llt: could not pin the writer thread to core {index} (cores available to this \
             process: {available:?}); it runs unpinned"
        );
    }
}
