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
//! between its clock reading and its publication (longer if its thread is
//! preempted in between: then until it runs again): ordering across threads
//! is exact for lines that are causally ordered (one thread logs, then
//! signals another, which logs) and best effort within that window. Lines are
//! formatted into one reusable buffer and written to the sink when the
//! buffer is large, when the rings run dry, or on `flush`.
//!
//! When a pass finds nothing, the writer spins a little, then sleeps (see
//! `idle`): `flush`, the last handle's drop, the crash handler and the
//! timeout wake it, and after a long quiet period the first log call.
//!
//! Nothing user code does stops the writer: a `Display` or a sink that
//! panics is caught (and its panic payload forgotten, in case its own `Drop`
//! panics), and a panic that escapes anyway restarts the loop. If the thread
//! ends regardless, its rings are abandoned: what they held is counted as
//! lost, and later log calls are refused and counted as dropped.
//!
//! When the process exits or crashes *on the writer thread itself* (a
//! `Display` that calls `process::exit` or faults), the writer cannot be
//! asked to drain; [`drain_in_place`] lets the exit hook or the crash
//! handler finish its work on the spot instead.

use std::cell::Cell;
use std::fmt;
use std::io::Write;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;
use std::time::Instant;

use crate::binary::Encoder;
use crate::callsite::Level;
use crate::clock::{Clock, Rfc3339};
use crate::idle::{Backoff, IdlePolicy, Wait};
use crate::line::{Context, LineFormat, format_record, write_prefix, write_suffix};
use crate::record::{Line, read_header_raw};
use crate::shared::{Shared, ThreadRing};
use crate::sink::Sink;

/// Batch size at which the writer writes before the pass ends.
const BATCH_BYTES: usize = 64 * 1024;

/// How far past its next record the writer asks for a ring's bytes to be
/// loaded into cache: a few records, a few cache lines.
const PREFETCH_AHEAD: usize = 512;

/// The writer's state; lives on its own thread.
pub(crate) struct Writer {
    shared: Arc<Shared>,
    clock: Clock,
    rings: Vec<ThreadRing>,
    /// The batch being built: complete lines, and while a record is being
    /// formatted, the start of its line.
    line: Line,
    /// End offset (exclusive) of each complete line in `line.buf`.
    line_ends: Vec<usize>,
    sink: Sink,
    format: LineFormat,
    timestamps: Rfc3339,
    backoff: Backoff,
    report_drops: bool,
    reported_drops: u64,
    flushed: u64,
    /// The ring whose head record is being formatted right now (its
    /// consumer not yet advanced past it).
    formatting: Option<usize>,
    /// Inside a call into the sink.
    in_sink: bool,
    /// An in-place drain ran on this thread (it is never repeated).
    drained_in_place: bool,
    /// The RFC 5424 header when the sink is a syslog server.
    syslog: Option<crate::syslog::Header>,
    /// Set for a binary log: records are encoded, not formatted.
    binary: Option<Box<Encoder>>,
    /// With `binary`, a second output the same records are formatted into
    /// as text (for tests of the two paths' identity).
    tee: Option<Box<Tee>>,
}

/// The text side of a binary writer's tee.
struct Tee {
    line: Line,
    sink: Sink,
}

impl fmt::Debug for Writer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Writer")
            .field("rings", &self.rings.len())
            .field("format", &self.format)
            .field("backoff", &self.backoff)
            .finish_non_exhaustive()
    }
}

thread_local! {
    /// The writer running on this thread, for [`drain_in_place`]. Const
    /// initialised and without a destructor: reading it is a plain TLS
    /// access, fine in a signal handler.
    static CURRENT: Cell<*mut Writer> = const { Cell::new(std::ptr::null_mut()) };
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
            backoff: Backoff::new(idle),
            report_drops,
            reported_drops: 0,
            flushed: 0,
            formatting: None,
            in_sink: false,
            drained_in_place: false,
            syslog: None,
            binary: None,
            tee: None,
        }
    }

    /// Sends the lines to a syslog server as RFC 5424 messages, one per
    /// line, instead of writing them to the sink given to `new`.
    pub(crate) fn with_syslog(mut self, syslog: crate::syslog::Connected) -> Self {
        self.sink = Sink::messages(syslog.transport);
        self.syslog = Some(syslog.header);
        // The syslog header replaces the prefix; no JSON escaping.
        self.format = LineFormat::MessageOnly;
        self
    }

    /// Makes this a binary log's writer (see `binary`); with `tee`, the
    /// same records are also formatted as text into that sink.
    pub(crate) fn binary(
        mut self,
        tee: Option<Box<dyn Write + Send>>,
        rotated: Arc<std::sync::atomic::AtomicBool>,
    ) -> Self {
        self.binary = Some(Box::new(Encoder::new(&self.clock, self.format, rotated)));
        self.sink.binary = true;
        self.tee = tee.map(|sink| {
            Box::new(Tee {
                line: Line::default(),
                sink: Sink::new(sink),
            })
        });
        self
    }

    /// The thread's main function; returns after the logger's last handle
    /// is dropped and every ring is empty.
    pub(crate) fn run(mut self, pin: Option<usize>) {
        self.shared.set_writer_thread();
        let _alt_stack = crate::altstack::AltStack::for_writer();
        if let Some(core_index) = pin {
            pin_current_thread(core_index);
        }
        CURRENT.set(&raw mut self);
        let mut reported = false;
        loop {
            match panic::catch_unwind(AssertUnwindSafe(|| self.serve())) {
                Ok(()) => break,
                Err(payload) => {
                    // Forgotten, not dropped: its `Drop` could panic again.
                    std::mem::forget(payload);
                    self.recover();
                    if !std::mem::replace(&mut reported, true) {
                        let _ = writeln!(
                            std::io::stderr(),
                            "llt: the writer thread recovered from a panic and goes on"
                        );
                    }
                }
            }
        }
        CURRENT.set(std::ptr::null_mut());
    }

    /// The loop: passes until shut down.
    fn serve(&mut self) {
        loop {
            // Read both before draining: whatever they cover is then visible.
            let shutdown = self.shared.shutdown_requested();
            let flush_ticket = self.shared.flush_requested();
            let (records, deferred) = self.pass(None);
            let idle = records == 0 && !deferred;
            if idle || flush_ticket > self.flushed || shutdown {
                self.write_batch();
            }
            if flush_ticket > self.flushed {
                self.flush_sink();
                self.flushed = flush_ticket;
                self.shared.complete_flush(flush_ticket);
            }
            if shutdown && idle {
                self.flush_sink();
                return;
            }
            if idle {
                self.wait();
            } else {
                self.backoff.work();
            }
        }
    }

    /// After a panic escaped `serve` (a bug in llt, since user code is
    /// caught where it is called): drop the half-made line and skip the
    /// record that was being formatted, counting it as lost.
    fn recover(&mut self) {
        self.in_sink = false;
        self.drop_partial_line();
    }

    /// Drops the line being formatted, if any, and skips its record.
    fn drop_partial_line(&mut self) {
        let keep = self.line_ends.last().copied().unwrap_or(0);
        self.line.buf.truncate(keep);
        self.line.escape_json = false;
        if let Some(binary) = &mut self.binary {
            binary.restart();
        }
        if let Some(index) = self.formatting.take() {
            if let Some(ring) = self.rings.get_mut(index) {
                ring.consumer.advance();
            }
            // Relaxed: an event count (see `Counters`).
            self.shared.counters.lines_lost.fetch_add(1, Relaxed);
        }
    }

    /// Waits after an empty pass, as the back-off says.
    fn wait(&mut self) {
        let doorbell = self.shared.doorbell.clone();
        match self.backoff.idle() {
            Wait::Spin => std::hint::spin_loop(),
            Wait::Sleep(timeout) => {
                doorbell.announce_sleep();
                if self.must_wake() {
                    doorbell.cancel();
                } else {
                    let _rung = doorbell.sleep(timeout);
                }
            }
            Wait::DeepSleep(timeout) => {
                doorbell.announce_sleep();
                for ring in &self.rings {
                    ring.set_wake_trap();
                }
                // SeqCst fence: the traps are stored before the re-check
                // below reads the rings (see `local::push_slow`).
                std::sync::atomic::fence(std::sync::atomic::Ordering::SeqCst);
                let published = self.rings.iter_mut().any(|ring| ring.consumer.refresh());
                if published || self.must_wake() {
                    doorbell.cancel();
                } else {
                    if doorbell.sleep(timeout) {
                        // Woken by a log call, perhaps a few nanoseconds
                        // before its record is published: look again soon.
                        self.backoff.woken();
                    }
                }
            }
        }
    }

    /// Whether something asks the writer to run now: a flush, the shutdown,
    /// or a new thread's ring.
    fn must_wake(&self) -> bool {
        self.shared.shutdown_requested()
            || self.shared.flush_requested() > self.flushed
            || self.shared.has_pending()
    }

    /// One pass: adopt new rings, merge out every record visible now and
    /// stamped before the pass bound (all of them with `bound: Some(u64::MAX)`),
    /// free finished rings. Returns the number of records written and
    /// whether some were left for the next pass.
    fn pass(&mut self, bound: Option<u64>) -> (usize, bool) {
        if bound.is_none() {
            // Not during an in-place drain, which may interrupt the writer
            // while it holds this lock.
            self.shared.take_pending(&mut self.rings);
        }
        let bound = bound.unwrap_or_else(|| self.clock.raw_ordered());
        // SeqCst fence: the snapshots below are taken after the bound was
        // read, also as seen from the producers (see the module docs).
        std::sync::atomic::fence(std::sync::atomic::Ordering::SeqCst);
        let mut nonempty = 0;
        for ring in &mut self.rings {
            nonempty += usize::from(ring.consumer.refresh());
        }
        let (records, deferred) = if nonempty > 0 {
            self.merge(bound)
        } else {
            (0, false)
        };
        for ring in &mut self.rings {
            ring.consumer.release();
        }
        self.rings.retain_mut(|ring| !ring.consumer.is_finished());
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
        if let Some(binary) = &mut self.binary {
            binary.new_pass();
        }
        loop {
            // The ring whose next record is the oldest, and the oldest of
            // the others (`next`): the first ring's records are taken in a
            // run, up to `next`'s, without another look at every ring.
            // Equal timestamps go to the lower ring index.
            let mut oldest: Option<(usize, u64)> = None;
            let mut next: Option<(usize, u64)> = None;
            for (index, ring) in self.rings.iter().enumerate() {
                if let Some(payload) = ring.consumer.peek_raw() {
                    let timestamp = read_header_raw(payload).map_or(0, |(_, ts)| ts);
                    if oldest.is_none_or(|(_, ts)| timestamp < ts) {
                        next = oldest;
                        oldest = Some((index, timestamp));
                    } else if next.is_none_or(|(_, ts)| timestamp < ts) {
                        next = Some((index, timestamp));
                    }
                }
            }
            let Some((index, mut timestamp)) = oldest else {
                return (records, false);
            };
            loop {
                if timestamp > bound {
                    return (records, true);
                }
                // The ring's bytes a few records ahead: in cache by then.
                self.rings[index].consumer.prefetch(PREFETCH_AHEAD);
                self.write_record(index);
                records += 1;
                let Some(payload) = self.rings[index].consumer.peek_raw() else {
                    break;
                };
                timestamp = read_header_raw(payload).map_or(0, |(_, ts)| ts);
                if next
                    .is_some_and(|(other, ts)| timestamp > ts || (timestamp == ts && other < index))
                {
                    break;
                }
            }
        }
    }

    /// Formats (or encodes) the next record of ring `index`, and consumes
    /// it.
    #[inline(always)]
    fn write_record(&mut self, index: usize) {
        let ring = &mut self.rings[index];
        if let Some(payload) = ring.consumer.peek_raw() {
            let context = Context {
                format: self.format,
                clock: &self.clock,
                thread: &ring.thread,
                counters: &self.shared.counters,
                syslog: self.syslog.as_ref(),
            };
            self.formatting = Some(index);
            if let Some(binary) = &mut self.binary {
                let counters = &self.shared.counters;
                binary.record(
                    &mut self.line.buf,
                    payload,
                    index,
                    &ring.thread,
                    &self.clock,
                    counters,
                );
                if let Some(tee) = &mut self.tee {
                    format_record(payload, &mut tee.line, &mut self.timestamps, &context);
                }
            } else {
                format_record(payload, &mut self.line, &mut self.timestamps, &context);
            }
            self.line_ends.push(self.line.buf.len());
        }
        ring.consumer.advance();
        // A late ring holds one record: done with it.
        ring.late_producer = None;
        self.formatting = None;
        if self.line.buf.len() >= BATCH_BYTES {
            self.write_batch();
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
            counters: &self.shared.counters,
            syslog: self.syslog.as_ref(),
        };
        let now = self.clock.raw();
        if let Some(binary) = &mut self.binary {
            binary.drops(&mut self.line.buf, now, since, &self.clock);
            if let Some(tee) = &mut self.tee {
                write_drop_report(&mut tee.line, &mut self.timestamps, &context, now, since);
            }
            self.write_batch_unchecked();
            return;
        }
        write_drop_report(&mut self.line, &mut self.timestamps, &context, now, since);
        // Not a user line: no entry in `line_ends`, so it is not counted as
        // written, and a write failure loses it silently.
        self.in_sink = true;
        self.sink
            .write_batch(&self.line.buf, &[], &self.shared.counters);
        self.in_sink = false;
        self.line.buf.clear();
    }

    /// Writes the buffer without counting lines (a binary drop report),
    /// like `report_drops` does for text.
    fn write_batch_unchecked(&mut self) {
        self.in_sink = true;
        self.sink
            .write_batch(&self.line.buf, &[], &self.shared.counters);
        self.after_sink_write();
        self.in_sink = false;
        self.line.buf.clear();
    }

    /// For a binary log: after a failed write, start a new segment (the
    /// file may have lost definitions, or hold part of an entry), and after
    /// a rotation too (a file must decode on its own). With a tee: write
    /// its text too.
    fn after_sink_write(&mut self) {
        if let Some(binary) = &mut self.binary {
            binary.after_write(self.sink.take_failed());
        }
        if let Some(tee) = &mut self.tee {
            tee.sink
                .write_batch(&tee.line.buf, &[], &self.shared.counters);
            tee.line.buf.clear();
        }
    }

    /// Hands the buffered lines to the sink and clears the buffer.
    fn write_batch(&mut self) {
        if self.line.buf.is_empty() {
            return;
        }
        // Hand the read records back first: a thread that counts what a
        // stuck writer left then finds them in `in_flight`, not in the rings.
        for ring in &mut self.rings {
            ring.consumer.release();
        }
        // Relaxed: read only by `Shared::abandon_stuck_writer`, as a count.
        self.shared
            .in_flight
            .store(self.line_ends.len() as u64, Relaxed);
        // Once given up on, these lines are counted as lost already: write
        // them if the sink takes them, but count nothing more.
        let line_ends: &[usize] = if self.shared.is_abandoned() {
            &[]
        } else {
            &self.line_ends
        };
        self.in_sink = true;
        self.sink
            .write_batch(&self.line.buf, line_ends, &self.shared.counters);
        self.after_sink_write();
        self.in_sink = false;
        self.shared.in_flight.store(0, Relaxed);
        self.line.buf.clear();
        self.line_ends.clear();
    }

    fn flush_sink(&mut self) {
        self.in_sink = true;
        self.sink.flush(&self.shared.counters);
        if let Some(tee) = &mut self.tee {
            tee.sink.flush(&self.shared.counters);
        }
        self.in_sink = false;
    }
}

impl Drop for Writer {
    /// The thread ends (after the shutdown, or by a panic that escaped):
    /// no ring will be read again. What they still hold is counted as lost,
    /// and their producers are told, so later lines count as dropped.
    fn drop(&mut self) {
        CURRENT.set(std::ptr::null_mut());
        let mut rings = std::mem::take(&mut self.rings);
        self.shared.stop_registration(&mut rings);
        let left: u64 = rings.iter_mut().map(|ring| ring.consumer.abandon()).sum();
        let unwritten = left + self.line_ends.len() as u64;
        if unwritten > 0 && !self.shared.is_abandoned() {
            // Relaxed: an event count (see `Counters`).
            self.shared
                .counters
                .lines_lost
                .fetch_add(unwritten, Relaxed);
        }
        self.shared.notify_writer_exited();
    }
}

/// Whether the calling thread is a logger's writer thread.
pub(crate) fn is_writer_thread() -> bool {
    !CURRENT.get().is_null()
}

/// Whether the calling thread is the writer thread of `shared`.
pub(crate) fn is_writer_of(shared: &Shared) -> bool {
    let writer = CURRENT.get();
    // SAFETY: a non-null `CURRENT` points to this thread's live writer (see
    // `drain_in_place`); only its `shared` pointer is read.
    !writer.is_null() && std::ptr::eq(unsafe { &*(*writer).shared }, shared)
}

/// Finishes the writer's work on the spot when the process exits or crashes
/// on the writer thread of `shared` itself, which cannot be asked to drain:
/// writes the lines already formatted, skips (and counts as lost) the one
/// being formatted, then formats and writes what is left in the rings,
/// stopping at `deadline`. Returns `false` if the calling thread is not
/// that writer.
///
/// Nothing is done inside a sink call that was interrupted (a crash in the
/// sink): the sink's state is unknown.
pub(crate) fn drain_in_place(shared: &Shared, deadline: Instant) -> bool {
    let writer = CURRENT.get();
    if writer.is_null() {
        return false;
    }
    // SAFETY: `CURRENT` points to the `Writer` in `run`'s frame on this
    // thread while `run` executes, and is reset before it returns or the
    // writer is dropped. We are called on this thread from an `atexit`
    // hook (`exit` was called under `run`) or a signal handler (a fault
    // under `run`); in both cases the frames below us, which hold the
    // writer mutably, never resume: `exit` does not return, and the crash
    // handler ends the process. So this is the only live use of the writer.
    let writer = unsafe { &mut *writer };
    if !std::ptr::eq(&*writer.shared, shared) {
        return false;
    }
    if writer.drained_in_place || writer.in_sink {
        return true;
    }
    writer.drained_in_place = true;
    writer.drop_partial_line();
    writer.write_batch();
    while Instant::now() < deadline {
        let (records, _) = writer.pass(Some(u64::MAX));
        writer.write_batch();
        if records == 0 {
            break;
        }
    }
    writer.flush_sink();
    true
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

/// Appends the writer's report of `since` dropped messages, stamped `now`,
/// as a whole line in `line`'s format.
fn write_drop_report(
    line: &mut Line,
    timestamps: &mut Rfc3339,
    context: &Context<'_>,
    now: u64,
    since: u64,
) {
    write_prefix(line, timestamps, context, Level::Warn, "llt", None, now);
    let _ = fmt::Write::write_fmt(
        line,
        format_args!("llt: {since} messages dropped since the last report"),
    );
    write_suffix(line, context.format);
}
