//! Where lines go, and what happens when writing them fails.
//!
//! The writer hands the sink whole batches (many lines, one `write` call when
//! the sink takes it all). A failed write never panics and never stops the
//! writer: the lines that did not make it are counted, the error is reported
//! on stderr (the first one at once, later ones at most every
//! [`REPORT_INTERVAL`]), and the writer goes on draining the rings, so
//! producers never see a full ring because the sink died. A sink whose
//! `write` or `flush` panics is treated the same way: the panic is caught
//! and counted as a failed call.
//!
//! A sink that fails partway through a line (a full disk takes the first
//! bytes of a line and refuses the rest) holds the start of a line whose
//! end will never come. Before the next batch, the writer ends that line
//! with a newline, so the first line written after the sink recovers starts
//! on its own line instead of being glued to the fragment. The fragment
//! itself stays: llt cannot take bytes back from a `Write`. A
//! [`RollingFile`](crate::rolling::RollingFile) (`Builder::file`) can: it
//! cuts its file back to the last whole line when a write fails, so it
//! never holds a fragment (and this newline is never needed for it).

use std::fmt;
use std::io::{self, Write};
use std::sync::atomic::Ordering::Relaxed;
use std::time::{Duration, Instant};

use crate::shared::Counters;

/// Minimum time between two sink-error reports on stderr.
pub const REPORT_INTERVAL: Duration = Duration::from_secs(10);

/// A boxed `Write` plus the bookkeeping of its failures.
pub(crate) struct Sink {
    inner: Box<dyn Write + Send>,
    last_report: Option<Instant>,
    /// Errors not yet reported because of the rate limit.
    unreported: u64,
    /// The sink took the start of a line and refused its end: the next
    /// batch must start with a newline.
    open_line: bool,
    /// A sink that takes one message per line (syslog), used instead of
    /// `inner` when set.
    messages: Option<Box<dyn MessageSink>>,
    /// The batches are a binary log's bytes, not lines: no newline is ever
    /// added, and a failed write is remembered for `take_failed`.
    pub(crate) binary: bool,
    /// A write failed since the last `take_failed`.
    failed: bool,
}

/// A sink that takes lines one message at a time (a syslog server), not as
/// a byte stream.
pub(crate) trait MessageSink: Send {
    /// Sends the lines of `batch`, which end (newline included) at the
    /// offsets in `line_ends`. Returns how many were sent and, if some were
    /// not, the error that cost them.
    fn send(&mut self, batch: &[u8], line_ends: &[usize]) -> (u64, Option<io::Error>);
    /// Flushes what `send` buffered, if anything.
    fn flush(&mut self) -> io::Result<()>;
}

impl fmt::Debug for Sink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sink")
            .field("last_report", &self.last_report)
            .field("unreported", &self.unreported)
            .field("open_line", &self.open_line)
            .finish_non_exhaustive()
    }
}

impl Sink {
    pub(crate) fn new(inner: Box<dyn Write + Send>) -> Self {
        Sink {
            inner,
            last_report: None,
            unreported: 0,
            open_line: false,
            messages: None,
            binary: false,
            failed: false,
        }
    }

    /// A sink that sends each line as one message.
    pub(crate) fn messages(messages: Box<dyn MessageSink>) -> Self {
        Sink {
            messages: Some(messages),
            ..Sink::new(Box::new(io::sink()))
        }
    }

    /// [`write_batch`](Self::write_batch) for a message sink. A batch
    /// without line ends (the writer's drop report, or lines already given
    /// up on) is split at its newlines and counted nowhere.
    fn send_messages(&mut self, batch: &[u8], line_ends: &[usize], counters: &Counters) {
        let Some(messages) = self.messages.as_mut() else {
            return;
        };
        let newlines: Vec<usize>;
        let ends = if line_ends.is_empty() {
            newlines = (0..batch.len())
                .filter(|&at| batch[at] == b'\n')
                .map(|at| at + 1)
                .collect();
            &newlines[..]
        } else {
            line_ends
        };
        let (sent, error) = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            messages.send(batch, ends)
        })) {
            Ok(result) => result,
            Err(payload) => {
                std::mem::forget(payload);
                (0, Some(io::Error::other("the syslog sink panicked")))
            }
        };
        if !line_ends.is_empty() {
            // Relaxed: event counts (see `Counters`).
            let sent = sent.min(line_ends.len() as u64);
            counters.written.fetch_add(sent, Relaxed);
            counters
                .lines_lost
                .fetch_add(line_ends.len() as u64 - sent, Relaxed);
        }
        if let Some(error) = error {
            self.failed(&error, counters);
        }
    }

    /// Writes a batch whose lines end at the offsets in `line_ends`
    /// (exclusive, increasing). Counts written and lost lines.
    ///
    /// If an earlier batch left part of a line in the sink, a newline goes
    /// first; if the sink refuses it, the whole batch is lost (written, its
    /// first line would be glued to that fragment).
    pub(crate) fn write_batch(&mut self, batch: &[u8], line_ends: &[usize], counters: &Counters) {
        if self.messages.is_some() {
            return self.send_messages(batch, line_ends, counters);
        }
        if self.open_line {
            if let Err(error) = self.write_newline() {
                counters
                    .lines_lost
                    .fetch_add(line_ends.len() as u64, Relaxed);
                self.failed(&error, counters);
                return;
            }
            self.open_line = false;
        }
        let mut done = 0;
        let error = loop {
            if done == batch.len() {
                break None;
            }
            match catch_panic(|| self.inner.write(&batch[done..])) {
                Ok(0) => break Some(io::Error::from(io::ErrorKind::WriteZero)),
                Ok(n) => done += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => break Some(e),
            }
        };
        // A line counts as written only if its final byte (the newline) was.
        let written = line_ends.partition_point(|&end| end <= done) as u64;
        let lost = line_ends.len() as u64 - written;
        counters.written.fetch_add(written, Relaxed);
        if let Some(error) = error {
            // Bytes after the last newline that got in: a line's start.
            self.open_line = !self.binary && done > 0 && batch[done - 1] != b'\n';
            self.failed = true;
            counters.lines_lost.fetch_add(lost, Relaxed);
            self.failed(&error, counters);
        }
    }

    /// Whether a write failed since the last call (for a binary log, whose
    /// writer then starts a new segment).
    pub(crate) fn take_failed(&mut self) -> bool {
        std::mem::take(&mut self.failed)
    }

    /// Writes the newline that ends a line the sink took only part of.
    fn write_newline(&mut self) -> io::Result<()> {
        loop {
            match catch_panic(|| self.inner.write(b"\n")) {
                Ok(0) => return Err(io::Error::from(io::ErrorKind::WriteZero)),
                Ok(_) => return Ok(()),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// Flushes the sink, counting a failure like a write error.
    pub(crate) fn flush(&mut self, counters: &Counters) {
        if let Some(messages) = self.messages.as_mut() {
            if let Err(error) = catch_panic(|| messages.flush()) {
                self.failed(&error, counters);
            }
            return;
        }
        if let Err(error) = catch_panic(|| self.inner.flush()) {
            self.failed(&error, counters);
        }
    }

    fn failed(&mut self, error: &io::Error, counters: &Counters) {
        let total = counters.sink_errors.fetch_add(1, Relaxed) + 1;
        let now = Instant::now();
        let due = self
            .last_report
            .is_none_or(|last| now.duration_since(last) >= REPORT_INTERVAL);
        if !due {
            self.unreported += 1;
            return;
        }
        self.last_report = Some(now);
        let lost = counters.lines_lost.load(Relaxed);
        let earlier = std::mem::take(&mut self.unreported);
        // The report itself may fail (stderr closed too): nothing to do then.
        let _ = writeln!(
            io::stderr(),
            "llt: writing log lines failed: {error} ({total} sink errors, {lost} lines lost so far{}; \
             logging goes on, further errors are reported at most every {}s)",
            if earlier > 0 {
                format!(", {earlier} not reported")
            } else {
                String::new()
            },
            REPORT_INTERVAL.as_secs()
        );
    }
}

/// Runs a call into the user's sink, turning a panic into an error.
fn catch_panic<T>(call: impl FnOnce() -> io::Result<T>) -> io::Result<T> {
    // AssertUnwindSafe: after a panic the sink is only called again as a
    // black box, whose own state is its business; ours is untouched.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(call)).unwrap_or_else(|payload| {
        // Forgotten, not dropped: a payload whose own `Drop` panics would
        // unwind out of the writer, which would then retry the batch forever.
        std::mem::forget(payload);
        Err(io::Error::other("the sink panicked"))
    })
}

/// A sink that keeps lines in memory, shared by its clones: for tests of
/// code that logs, and for the writer's own tests.
///
/// # Examples
///
/// ```
/// use llt_runtime::{LineFormat, Logger, MemorySink};
/// let sink = MemorySink::default();
/// let logger = Logger::builder()
///     .format(LineFormat::MessageOnly)
///     .sink(sink.clone())
///     .build()
///     .unwrap();
/// logger.log("one");
/// logger.log("two");
/// logger.flush();
/// assert_eq!(sink.take_lines(), ["one", "two"]);
/// assert!(sink.contents().is_empty());
/// ```
#[derive(Debug, Clone, Default)]
pub struct MemorySink(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl MemorySink {
    /// A new, empty sink.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Write;
    /// let mut sink = llt_runtime::MemorySink::new();
    /// sink.write_all(b"x\n").unwrap();
    /// assert_eq!(sink.contents(), b"x\n");
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// A copy of everything written so far.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Write;
    /// let mut sink = llt_runtime::MemorySink::new();
    /// sink.write_all(b"kept").unwrap();
    /// assert_eq!(sink.contents(), b"kept");
    /// assert_eq!(sink.contents(), b"kept");
    /// ```
    pub fn contents(&self) -> Vec<u8> {
        self.buffer().clone()
    }

    /// Everything written so far, leaving the sink empty.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Write;
    /// let mut sink = llt_runtime::MemorySink::new();
    /// sink.write_all(b"once").unwrap();
    /// assert_eq!(sink.take(), b"once");
    /// assert!(sink.take().is_empty());
    /// ```
    pub fn take(&self) -> Vec<u8> {
        std::mem::take(&mut *self.buffer())
    }

    /// The complete lines written so far (lossily decoded as UTF-8), leaving
    /// the sink empty.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Write;
    /// let mut sink = llt_runtime::MemorySink::new();
    /// sink.write_all(b"a\nb\n").unwrap();
    /// assert_eq!(sink.take_lines(), ["a", "b"]);
    /// ```
    pub fn take_lines(&self) -> Vec<String> {
        String::from_utf8_lossy(&self.take())
            .lines()
            .map(str::to_owned)
            .collect()
    }

    fn buffer(&self) -> std::sync::MutexGuard<'_, Vec<u8>> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Write for MemorySink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.buffer().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
