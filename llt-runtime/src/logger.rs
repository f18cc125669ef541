//! The `Logger` handle, its builder, and the state it shares with its writer.

use std::fmt;
use std::io::{self, Write};
use std::sync::atomic::Ordering::{AcqRel, Acquire, Relaxed, Release};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize};
use std::sync::{Arc, Condvar, Mutex, OnceLock, PoisonError};
use std::thread::{self, JoinHandle, Thread};
use std::time::{Duration, Instant};

use crate::callsite::{Callsite, Level, LevelFilter, Metadata};
use crate::clock::Clock;
use crate::filter::Filter;
use crate::interest::FilterState;
use crate::local;
use crate::record::{Line, Payload, RECORD_HEADER, write_header};
use crate::ring::{self, Consumer, PushError};
use crate::rolling::{RollingError, RollingFileBuilder};
use crate::writer::{IdlePolicy, LineFormat, Writer};

/// Bytes of ring per unit of capacity: [`Builder::capacity`] counts messages
/// of up to this size (header included).
pub const BYTES_PER_MESSAGE: usize = 64;

/// The largest capacity [`Builder::capacity`] accepts: 16 Mi messages, a
/// 1 GiB ring per thread (resident only as far as it is used; see
/// [`Builder::capacity`]).
pub const MAX_CAPACITY: usize = ring::MAX_CAPACITY / BYTES_PER_MESSAGE;

/// Capacity used by [`Logger::builder`] when none is given.
pub const DEFAULT_CAPACITY: usize = 4096;

/// Why a [`Logger`] could not be built.
///
/// # Examples
///
/// ```
/// use llt_runtime::{BuildError, Logger};
/// let err = Logger::builder().capacity(0).build().unwrap_err();
/// assert!(matches!(err, BuildError::ZeroCapacity));
/// assert!(err.to_string().contains("at least 1"));
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum BuildError {
    /// A capacity of 0 can hold no message.
    ZeroCapacity,
    /// The capacity is above [`MAX_CAPACITY`].
    CapacityTooLarge {
        /// What was asked for.
        requested: usize,
        /// The largest accepted value.
        max: usize,
    },
    /// The operating system refused to start the writer thread.
    SpawnWriter(io::Error),
    /// The log file given with [`Builder::file`] could not be opened.
    LogFile(RollingError),
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::ZeroCapacity => write!(
                f,
                "logger capacity must be at least 1 message (it is the size of each thread's ring, \
                 in messages of up to {BYTES_PER_MESSAGE} bytes; {DEFAULT_CAPACITY} is a good start)"
            ),
            BuildError::CapacityTooLarge { requested, max } => write!(
                f,
                "logger capacity {requested} is too large: the maximum is {max} messages \
                 ({BYTES_PER_MESSAGE} bytes each, a 1 GiB ring per logging thread)"
            ),
            BuildError::SpawnWriter(e) => {
                write!(f, "could not start the logger's writer thread: {e}")
            }
            BuildError::LogFile(e) => write!(f, "could not open the log file: {e}"),
        }
    }
}

impl std::error::Error for BuildError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            BuildError::SpawnWriter(e) => Some(e),
            BuildError::LogFile(e) => Some(e),
            _ => None,
        }
    }
}

/// Counters that tell whether every line made it.
///
/// Once the program has stopped logging and called [`Logger::flush`],
/// `lines logged == written + dropped + lines_lost`.
///
/// # Examples
///
/// ```
/// let logger = llt_runtime::Logger::builder().sink(std::io::sink()).build().unwrap();
/// logger.log("one");
/// logger.flush();
/// let stats = logger.stats();
/// assert_eq!((stats.written, stats.dropped), (1, 0));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Stats {
    /// Lines not logged because the thread's ring was full, the record was
    /// larger than the ring, or the thread was exiting.
    pub dropped: u64,
    /// Lines handed to the sink successfully.
    pub written: u64,
    /// Lines formatted but lost because the sink returned an error.
    pub lines_lost: u64,
    /// Failed `write` or `flush` calls on the sink.
    pub sink_errors: u64,
    /// Lines whose formatting panicked or returned an error; each was
    /// replaced by a marker line (and is counted in `written` too).
    pub format_errors: u64,
}

/// Counters shared by producers (dropped) and the writer (the rest).
/// All are plain event counts: Relaxed is enough, because readers that need
/// an exact total synchronise with the writer through `flush()` or `join`.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) dropped: AtomicU64,
    pub(crate) written: AtomicU64,
    pub(crate) lines_lost: AtomicU64,
    pub(crate) sink_errors: AtomicU64,
    pub(crate) format_errors: AtomicU64,
}

/// Flush requests: tickets taken by callers, completed by the writer.
#[derive(Debug, Default)]
struct FlushState {
    /// Tickets handed out so far.
    requested: AtomicU64,
    /// Highest ticket whose lines are written and whose sink is flushed.
    completed: Mutex<u64>,
    done: Condvar,
}

/// One thread's ring, as the writer sees it.
#[derive(Debug)]
pub(crate) struct Source {
    pub(crate) consumer: Consumer,
    /// The thread's name, or its `ThreadId` when it has none.
    pub(crate) thread: Box<str>,
}

/// State shared by the handles, the per-thread producers and the writer.
#[derive(Debug)]
pub(crate) struct Core {
    /// Rings created by threads, not yet picked up by the writer.
    pending: Mutex<Vec<Source>>,
    /// `pending.len()`, readable without the lock. Release on push, Acquire
    /// on the writer's check, so a non-zero count means the rings are there.
    pending_count: AtomicUsize,
    pub(crate) counters: Counters,
    flush: FlushState,
    /// Set when the last handle is dropped; the writer drains and exits.
    /// Release/Acquire: everything logged before the drop is visible to the
    /// writer once it sees the flag.
    shutdown: AtomicBool,
    /// `false` once the writer thread has exited (normally or not).
    /// Release when the writer exits, Acquire in `flush`: a waiter that sees
    /// `false` knows no flush will complete and stops waiting.
    writer_alive: AtomicBool,
    writer_thread: OnceLock<Thread>,
}

impl Core {
    fn new() -> Self {
        Core {
            pending: Mutex::new(Vec::new()),
            pending_count: AtomicUsize::new(0),
            counters: Counters::default(),
            flush: FlushState::default(),
            shutdown: AtomicBool::new(false),
            writer_alive: AtomicBool::new(true),
            writer_thread: OnceLock::new(),
        }
    }

    /// Hands a new ring of the calling thread to the writer.
    pub(crate) fn register(&self, consumer: Consumer) {
        let current = thread::current();
        let thread = match current.name() {
            Some(name) => name.into(),
            None => format!("{:?}", current.id()).into(),
        };
        let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        pending.push(Source { consumer, thread });
        self.pending_count.store(pending.len(), Release);
    }

    /// Rings registered since the last call (for the writer).
    pub(crate) fn take_pending(&self, into: &mut Vec<Source>) {
        if self.pending_count.load(Acquire) == 0 {
            return;
        }
        let taken = {
            let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
            self.pending_count.store(0, Release);
            std::mem::take(&mut *pending)
        };
        // Outside the lock: growing `into` allocates, and an allocator that
        // logs from this thread would register a ring, taking the lock.
        into.extend(taken);
    }

    pub(crate) fn shutdown_requested(&self) -> bool {
        self.shutdown.load(Acquire)
    }

    /// The newest flush ticket (for the writer, at the start of a pass).
    pub(crate) fn flush_requested(&self) -> u64 {
        // Acquire: pairs with the AcqRel increment in `flush`, so every
        // record published before that call is visible to this pass.
        self.flush.requested.load(Acquire)
    }

    /// Marks flush tickets up to `ticket` as done (for the writer).
    pub(crate) fn complete_flush(&self, ticket: u64) {
        let mut completed = self
            .flush
            .completed
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if *completed < ticket {
            *completed = ticket;
        }
        self.flush.done.notify_all();
    }

    /// Called by the writer thread as it exits, even by unwinding.
    pub(crate) fn writer_exited(&self) {
        self.writer_alive.store(false, Release);
        let _completed = self
            .flush
            .completed
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        self.flush.done.notify_all();
    }

    fn wake_writer(&self) {
        if let Some(thread) = self.writer_thread.get() {
            thread.unpark();
        }
    }

    fn is_writer_thread(&self) -> bool {
        self.writer_thread
            .get()
            .is_some_and(|t| t.id() == thread::current().id())
    }

    /// Waits until everything logged before the call is written and the
    /// sink flushed, or `timeout` passed. Returns whether it completed.
    pub(crate) fn flush(&self, timeout: Option<Duration>) -> bool {
        if self.is_writer_thread() {
            // The writer cannot wait for itself (a `Display` impl that
            // flushes); its current pass writes these lines anyway.
            return false;
        }
        let deadline = timeout.map(|t| Instant::now() + t);
        let ticket = self.flush.requested.fetch_add(1, AcqRel) + 1;
        self.wake_writer();
        let mut completed = self
            .flush
            .completed
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        while *completed < ticket {
            if !self.writer_alive.load(Acquire) {
                return false;
            }
            let wait = match deadline {
                Some(deadline) => match deadline.checked_duration_since(Instant::now()) {
                    Some(left) => left.min(Duration::from_millis(50)),
                    None => return false,
                },
                None => Duration::from_millis(50),
            };
            completed = self
                .flush
                .done
                .wait_timeout(completed, wait)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        true
    }

    pub(crate) fn stats(&self) -> Stats {
        let c = &self.counters;
        Stats {
            dropped: c.dropped.load(Relaxed),
            written: c.written.load(Relaxed),
            lines_lost: c.lines_lost.load(Relaxed),
            sink_errors: c.sink_errors.load(Relaxed),
            format_errors: c.format_errors.load(Relaxed),
        }
    }
}

/// What a handle points to. Dropping it (with the last `Logger` clone)
/// drains every ring and joins the writer.
pub(crate) struct Inner {
    /// Unique for the life of the process (never reused), so a thread's
    /// cached producer can never be mistaken for another logger's.
    pub(crate) id: u64,
    /// The runtime filter (levels per module).
    pub(crate) filter: FilterState,
    pub(crate) clock: Clock,
    /// Size of each thread's ring in bytes (a power of two).
    pub(crate) ring_bytes: usize,
    pub(crate) core: Arc<Core>,
    writer: Mutex<Option<JoinHandle<()>>>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.core.shutdown.store(true, Release);
        self.core.wake_writer();
        let handle = self
            .writer
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(handle) = handle
            && handle.thread().id() != thread::current().id()
        {
            // A panic in the writer was already reported by the panic hook.
            let _ = handle.join();
        }
    }
}

/// A handle to a logger: cheap to clone, `Send + Sync`, and its logging
/// methods never block.
///
/// Each thread that logs gets its own ring on its first call (that call
/// takes a lock once); later calls only write to that ring. A background
/// writer thread drains all rings in timestamp order, formats the lines and
/// writes them to the sink in batches. When a thread's ring is full, the
/// line is dropped and counted ([`get_dropped_count`](Self::get_dropped_count)).
///
/// Dropping the last clone writes everything still queued and joins the
/// writer thread.
///
/// # Examples
///
/// ```
/// use llt_runtime::Logger;
/// let logger = Logger::new(4096);
/// let handle = logger.clone();
/// std::thread::spawn(move || handle.log(format!("from a thread: {}", 42)))
///     .join()
///     .unwrap();
/// logger.log("from main");
/// logger.flush(); // both lines are on stdout now
/// assert_eq!(logger.get_dropped_count(), 0);
/// ```
#[derive(Clone)]
pub struct Logger {
    pub(crate) inner: Arc<Inner>,
}

impl fmt::Debug for Logger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Logger")
            .field("id", &self.inner.id)
            .field("filter", &self.filter())
            .field("ring_bytes", &self.inner.ring_bytes)
            .field("stats", &self.stats())
            .finish()
    }
}

/// The callsite of a line logged with [`Logger::log`] or
/// [`Logger::log_str`] at `level`: the payload after the header is the
/// message's UTF-8 bytes.
const fn owned_string_callsite(level: Level) -> Callsite {
    Callsite {
        metadata: Metadata {
            level,
            format: "{}",
            module_path: "llt",
            // Line 0: no statement location (the caller's is not known).
            file: "",
            line: 0,
        },
        format: format_owned_string,
        target_in_payload: false,
    }
}

/// One static callsite per level for owned strings, indexed by
/// `Level as usize - 1`.
static OWNED_STRING: [Callsite; 5] = [
    owned_string_callsite(Level::Error),
    owned_string_callsite(Level::Warn),
    owned_string_callsite(Level::Info),
    owned_string_callsite(Level::Debug),
    owned_string_callsite(Level::Trace),
];

pub(crate) fn format_owned_string(payload: &mut Payload<'_>, line: &mut Line) -> fmt::Result {
    // SAFETY: records of the callsites that use this decoder are written by
    // `Logger::log_str` and the `log` bridge, whose payload (after the
    // bridge's target, taken by the writer) is the bytes of a `str`.
    let message = unsafe { std::str::from_utf8_unchecked(payload.remaining_init()) };
    fmt::Write::write_str(line, message)
}

/// Logger ids. Relaxed: only uniqueness matters, which `fetch_add` gives
/// under any ordering.
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

impl Logger {
    /// Starts a logger with rings of `capacity` messages per thread, writing
    /// to stdout; spawns the writer thread immediately.
    ///
    /// `capacity` counts messages of up to [`BYTES_PER_MESSAGE`] bytes
    /// (about 40 bytes of text or arguments); longer ones take more room.
    /// It is rounded up so that the ring is a power of two bytes.
    ///
    /// # Panics
    ///
    /// If `capacity` is 0 or above [`MAX_CAPACITY`], with the message of the
    /// [`BuildError`] that [`Builder::build`] returns; use the builder to
    /// handle that as a value.
    ///
    /// # Examples
    ///
    /// ```
    /// let logger = llt_runtime::Logger::new(4096); // rings of 4096 messages, stdout
    /// logger.log("started");
    /// ```
    pub fn new(capacity: usize) -> Logger {
        match Logger::builder().capacity(capacity).build() {
            Ok(logger) => logger,
            Err(e) => panic!("{e}"),
        }
    }

    /// A builder with the defaults: capacity [`DEFAULT_CAPACITY`], stdout,
    /// RFC 3339 timestamps and levels, level `Info`, writer not pinned.
    ///
    /// # Examples
    ///
    /// ```
    /// let logger = llt_runtime::Logger::builder().capacity(1024).sink(std::io::sink()).build().unwrap();
    /// assert_eq!(logger.level(), llt_runtime::LevelFilter::Info);
    /// ```
    pub fn builder() -> Builder {
        Builder::default()
    }

    /// Logs an owned or borrowed string at level `Info`. Never blocks.
    ///
    /// The string's bytes are copied into this thread's ring; a `String`
    /// is not kept. For formatted messages prefer `llt_log!`, which formats
    /// on the writer thread instead of this one.
    ///
    /// # Examples
    ///
    /// ```
    /// let logger = llt_runtime::Logger::builder().sink(std::io::sink()).build().unwrap();
    /// logger.log("a &str");
    /// logger.log(format!("a String: {}", 42));
    /// logger.flush();
    /// assert_eq!(logger.stats().written, 2);
    /// ```
    #[inline]
    pub fn log(&self, message: impl Into<String>) {
        self.log_str(Level::Info, &message.into());
    }

    /// Logs a string slice at `level`, copying its bytes. Never blocks.
    ///
    /// # Examples
    ///
    /// ```
    /// use llt_runtime::{Level, Logger};
    /// let logger = Logger::builder().sink(std::io::sink()).build().unwrap();
    /// logger.log_str(Level::Warn, "disk almost full");
    /// ```
    #[inline]
    pub fn log_str(&self, level: Level, message: &str) {
        if !self.enabled(level) {
            return;
        }
        let bytes = message.as_bytes();
        let clock = &self.inner.clock;
        let callsite: &'static Callsite = &OWNED_STRING[level as usize - 1];
        // SAFETY: the closure writes the header and then exactly
        // `bytes.len()` bytes, filling the RECORD_HEADER + len bytes asked for.
        unsafe {
            self.push_raw(RECORD_HEADER.saturating_add(bytes.len()), |dst| {
                write_header(dst, callsite as *const Callsite as usize, clock);
                dst.add(RECORD_HEADER)
                    .copy_from_nonoverlapping(bytes.as_ptr(), bytes.len());
            });
        }
    }

    /// Whether a line of `level` logged without a module (with
    /// [`log`](Self::log) or [`log_str`](Self::log_str)) would be written:
    /// the filter's default level decides. One relaxed load.
    ///
    /// # Examples
    ///
    /// ```
    /// use llt_runtime::{Level, LevelFilter, Logger};
    /// let logger = Logger::builder().level(LevelFilter::Warn).sink(std::io::sink()).build().unwrap();
    /// assert!(logger.enabled(Level::Error) && !logger.enabled(Level::Info));
    /// ```
    #[inline(always)]
    pub fn enabled(&self, level: Level) -> bool {
        self.inner.filter.default_enables(level)
    }

    /// Whether a line of `level` from the module `module_path` would be
    /// written, per the full filter (module directives included).
    ///
    /// # Examples
    ///
    /// ```
    /// use llt_runtime::{Level, Logger, filter::Filter};
    /// let filter = Filter::parse("warn,my_app::net=debug").0;
    /// let logger = Logger::builder().filter(filter).sink(std::io::sink()).build().unwrap();
    /// assert!(logger.enabled_for("my_app::net::tcp", Level::Debug));
    /// assert!(!logger.enabled_for("my_app::db", Level::Info));
    /// ```
    pub fn enabled_for(&self, module_path: &str, level: Level) -> bool {
        self.inner.filter.enables(module_path, level)
    }

    /// The filter's default level (what applies to modules it does not
    /// name).
    ///
    /// # Examples
    ///
    /// ```
    /// let logger = llt_runtime::Logger::builder().sink(std::io::sink()).build().unwrap();
    /// assert_eq!(logger.level(), llt_runtime::LevelFilter::Info);
    /// ```
    pub fn level(&self) -> LevelFilter {
        self.inner.filter.default_level()
    }

    /// Replaces the filter with one level for every module (for every
    /// clone of this logger).
    ///
    /// # Examples
    ///
    /// ```
    /// use llt_runtime::{Level, LevelFilter, Logger};
    /// let logger = Logger::builder().sink(std::io::sink()).build().unwrap();
    /// logger.set_level(LevelFilter::Error);
    /// assert!(!logger.enabled(Level::Warn));
    /// ```
    pub fn set_level(&self, level: LevelFilter) {
        self.set_filter(Filter::from_level(level));
    }

    /// Replaces the filter (for every clone of this logger). Statements
    /// re-check their module against it on their next call.
    ///
    /// # Examples
    ///
    /// ```
    /// use llt_runtime::{Level, Logger, filter::Filter};
    /// let logger = Logger::builder().sink(std::io::sink()).build().unwrap();
    /// logger.set_filter("error,my_app::net=trace".parse().unwrap());
    /// assert!(logger.enabled_for("my_app::net", Level::Trace));
    /// assert_eq!(logger.filter().to_string(), "error,my_app::net=trace");
    /// ```
    pub fn set_filter(&self, filter: Filter) {
        self.inner.filter.set(filter);
    }

    /// A copy of the current filter.
    ///
    /// # Examples
    ///
    /// ```
    /// let logger = llt_runtime::Logger::builder().sink(std::io::sink()).build().unwrap();
    /// assert_eq!(logger.filter().to_string(), "info");
    /// ```
    pub fn filter(&self) -> Filter {
        self.inner.filter.get()
    }

    /// Lines dropped so far because a ring was full (the seed's counter).
    /// See [`stats`](Self::stats) for the other counters.
    ///
    /// # Examples
    ///
    /// ```
    /// // A 64-byte ring: the second 40-byte line finds it full (unless the
    /// // writer already drained the first).
    /// let logger = llt_runtime::Logger::builder().capacity(1).sink(std::io::sink()).build().unwrap();
    /// for _ in 0..100 {
    ///     logger.log("0123456789012345678901234567890123456789");
    /// }
    /// logger.flush();
    /// assert_eq!(logger.get_dropped_count() + logger.stats().written, 100);
    /// ```
    pub fn get_dropped_count(&self) -> u64 {
        self.inner.core.counters.dropped.load(Relaxed)
    }

    /// All counters: dropped, written, lost to sink errors, formatting errors.
    ///
    /// # Examples
    ///
    /// ```
    /// let logger = llt_runtime::Logger::builder().sink(std::io::sink()).build().unwrap();
    /// logger.log("one");
    /// logger.flush();
    /// let stats = logger.stats();
    /// assert_eq!((stats.written, stats.dropped, stats.lines_lost), (1, 0, 0));
    /// ```
    pub fn stats(&self) -> Stats {
        self.inner.core.stats()
    }

    /// Blocks until every line logged (by any thread) before this call is
    /// written and the sink is flushed.
    ///
    /// Called from the writer thread itself (from a `Display` impl), it
    /// returns at once instead of waiting for itself.
    ///
    /// # Examples
    ///
    /// ```
    /// let sink = llt_runtime::MemorySink::new();
    /// let logger = llt_runtime::Logger::builder().sink(sink.clone()).build().unwrap();
    /// logger.log("hello");
    /// logger.flush(); // the line is in the sink now
    /// assert!(sink.take_lines()[0].ends_with("INFO  hello"));
    /// ```
    pub fn flush(&self) {
        self.inner.core.flush(None);
    }

    /// Like [`flush`](Self::flush), but gives up after `timeout`; returns
    /// whether the flush completed.
    ///
    /// # Examples
    ///
    /// ```
    /// let logger = llt_runtime::Logger::builder().sink(std::io::sink()).build().unwrap();
    /// logger.log("hello");
    /// assert!(logger.flush_timeout(std::time::Duration::from_secs(5)));
    /// ```
    pub fn flush_timeout(&self, timeout: Duration) -> bool {
        self.inner.core.flush(Some(timeout))
    }

    /// Pushes one record into this thread's ring, or counts it as dropped.
    /// Returns whether it was pushed.
    ///
    /// # Safety
    ///
    /// `write` must write every one of the `payload_len` bytes it is given,
    /// starting with a record header (see `record`); bytes after the header
    /// may be uninitialised padding of a copied value (the writer reads
    /// records with `Consumer::peek_raw`).
    #[inline(always)]
    pub(crate) unsafe fn push_raw(&self, payload_len: usize, write: impl FnOnce(*mut u8)) -> bool {
        // SAFETY: the closure only pushes, whose `write` (the caller's) must
        // not log; the slot is this thread's own producer for this logger,
        // alive while the thread's table holds it, and pushed to by this
        // thread alone.
        let result =
            unsafe { local::with_producer(&self.inner, |slot| slot.push_with(payload_len, write)) };
        match result {
            Some(Ok(())) => true,
            Some(Err(PushError::Full | PushError::TooLarge)) | None => {
                self.inner.core.counters.dropped.fetch_add(1, Relaxed);
                false
            }
        }
    }

    /// Whether this logger and `other` are clones of one logger.
    ///
    /// # Examples
    ///
    /// ```
    /// let logger = llt_runtime::Logger::builder().sink(std::io::sink()).build().unwrap();
    /// let other = llt_runtime::Logger::builder().sink(std::io::sink()).build().unwrap();
    /// assert!(logger.same_logger(&logger.clone()) && !logger.same_logger(&other));
    /// ```
    pub fn same_logger(&self, other: &Logger) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}

/// Configures and starts a [`Logger`].
///
/// # Examples
///
/// ```
/// use llt_runtime::{LevelFilter, LineFormat, Logger};
/// let logger = Logger::builder()
///     .capacity(1 << 14)
///     .sink(std::io::sink())
///     .format(LineFormat::MessageOnly)
///     .level(LevelFilter::Debug)
///     .no_pinning()
///     .build()
///     .expect("valid configuration");
/// logger.log("ready");
/// ```
#[must_use = "a builder does nothing until `build` is called"]
pub struct Builder {
    capacity: usize,
    sink: Option<Box<dyn Write + Send>>,
    file: Option<RollingFileBuilder>,
    pin: Option<usize>,
    format: LineFormat,
    level: LevelFilter,
    filter: Option<Filter>,
    idle: IdlePolicy,
    report_drops: bool,
}

impl fmt::Debug for Builder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Builder")
            .field("capacity", &self.capacity)
            .field("sink", &self.sink.as_ref().map_or("stdout", |_| "custom"))
            .field("file", &self.file)
            .field("pin", &self.pin)
            .field("format", &self.format)
            .field("level", &self.level)
            .field("filter", &self.filter)
            .field("idle", &self.idle)
            .field("report_drops", &self.report_drops)
            .finish()
    }
}

impl Default for Builder {
    fn default() -> Self {
        Builder {
            capacity: DEFAULT_CAPACITY,
            sink: None,
            file: None,
            pin: None,
            format: LineFormat::default(),
            level: LevelFilter::Info,
            filter: None,
            idle: IdlePolicy::default(),
            report_drops: true,
        }
    }
}

impl Builder {
    /// Size of each logging thread's ring, in messages of up to
    /// [`BYTES_PER_MESSAGE`] bytes (rounded up to a power of two bytes).
    /// Must be in `1 ..= MAX_CAPACITY`; default [`DEFAULT_CAPACITY`].
    ///
    /// Memory: a thread's ring is created at its first log and keeps about
    /// its size resident (256 KiB for 4096 messages). It reserves twice
    /// that in address space, a spill area touched only by records that
    /// straddle the wrap point. The first log makes at most the first MiB
    /// resident; a larger ring becomes resident as the thread's records
    /// first reach it: one page fault per 4 KiB page, once (about 2 µs on
    /// the VM where llt is measured), on the logging thread.
    ///
    /// # Examples
    ///
    /// ```
    /// // Each thread's ring holds 16,384 messages of up to 64 bytes (1 MiB).
    /// let logger = llt_runtime::Logger::builder().capacity(16_384).sink(std::io::sink()).build().unwrap();
    /// ```
    pub fn capacity(mut self, messages: usize) -> Self {
        self.capacity = messages;
        self
    }

    /// Where lines go (default: stdout). The writer thread owns it, writes
    /// batches of many lines per call, and flushes it on `flush()` and when
    /// the logger is dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// let file = std::fs::File::create(std::env::temp_dir().join("llt-doc-sink.log")).unwrap();
    /// let logger = llt_runtime::Logger::builder().sink(file).build().unwrap();
    /// logger.log("to the file");
    /// ```
    pub fn sink(mut self, sink: impl Write + Send + 'static) -> Self {
        self.sink = Some(Box::new(sink));
        self.file = None;
        self
    }

    /// Writes to a log file that rotates by size and/or time (see
    /// [`RollingFile`](crate::rolling::RollingFile)); it is opened by [`build`](Self::build), which fails
    /// with [`BuildError::LogFile`] if it cannot be (a missing directory,
    /// permission denied). Replaces any [`sink`](Self::sink).
    ///
    /// # Examples
    ///
    /// ```
    /// use llt_runtime::{BuildError, Logger, RollingFile, Rotation};
    /// let dir = std::env::temp_dir().join(format!("llt-doc-file-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir).unwrap();
    /// let logger = Logger::builder()
    ///     .file(RollingFile::builder(dir.join("app.log")).max_size(10 << 20).rotation(Rotation::Daily).keep(7))
    ///     .build()
    ///     .unwrap();
    /// logger.log("to the file");
    /// logger.flush();
    /// assert!(std::fs::read_to_string(dir.join("app.log")).unwrap().contains("to the file"));
    ///
    /// let missing = Logger::builder().file(RollingFile::builder(dir.join("no/such/dir/app.log"))).build();
    /// assert!(matches!(missing, Err(BuildError::LogFile(_))));
    /// # drop(logger);
    /// # std::fs::remove_dir_all(&dir).unwrap();
    /// ```
    pub fn file(mut self, file: RollingFileBuilder) -> Self {
        self.file = Some(file);
        self.sink = None;
        self
    }

    /// Pins the writer thread to the core with this index (as listed by
    /// `core_affinity::get_core_ids`). If that fails, a note goes to stderr
    /// once and the writer runs unpinned.
    ///
    /// # Examples
    ///
    /// ```
    /// let logger = llt_runtime::Logger::builder().pin_to_core(0).sink(std::io::sink()).build().unwrap();
    /// logger.log("the writer runs on core 0 (or unpinned, with a note on stderr)");
    /// ```
    pub fn pin_to_core(mut self, core: usize) -> Self {
        self.pin = Some(core);
        self
    }

    /// Leaves the writer thread to the OS scheduler (the default: on small
    /// machines a pinned writer can end up sharing a core with a hot thread).
    ///
    /// # Examples
    ///
    /// ```
    /// let logger = llt_runtime::Logger::builder().no_pinning().sink(std::io::sink()).build().unwrap();
    /// ```
    pub fn no_pinning(mut self) -> Self {
        self.pin = None;
        self
    }

    /// How lines look (default: RFC 3339 UTC timestamp, level, message).
    ///
    /// # Examples
    ///
    /// ```
    /// use llt_runtime::{LineFormat, Logger, MemorySink};
    /// let sink = MemorySink::new();
    /// let logger = Logger::builder().format(LineFormat::MessageOnly).sink(sink.clone()).build().unwrap();
    /// logger.log("bare");
    /// logger.flush();
    /// assert_eq!(sink.take_lines(), ["bare"]);
    /// ```
    pub fn format(mut self, format: LineFormat) -> Self {
        self.format = format;
        self
    }

    /// The level for every module (default `Info`), unless a filter is
    /// given with [`filter`](Self::filter) or in the `LLT_LOG` environment
    /// variable.
    ///
    /// # Examples
    ///
    /// ```
    /// use llt_runtime::{Level, LevelFilter, Logger};
    /// let logger = Logger::builder().level(LevelFilter::Debug).sink(std::io::sink()).build().unwrap();
    /// assert!(logger.enabled(Level::Debug));
    /// ```
    pub fn level(mut self, level: LevelFilter) -> Self {
        self.level = level;
        self
    }

    /// Levels per module, in `env_logger`'s syntax (see [`Filter`]). It
    /// takes precedence over `LLT_LOG` and [`level`](Self::level).
    ///
    /// # Examples
    ///
    /// ```
    /// use llt_runtime::{Level, Logger};
    /// let filter = "warn,my_app::net=debug".parse().unwrap();
    /// let logger = Logger::builder().filter(filter).sink(std::io::sink()).build().unwrap();
    /// assert!(logger.enabled_for("my_app::net", Level::Debug));
    /// ```
    pub fn filter(mut self, filter: Filter) -> Self {
        self.filter = Some(filter);
        self
    }

    /// The filter to start with: the one given in code, else `LLT_LOG`
    /// (its invalid parts reported on stderr, the valid ones applied), else
    /// one level for everything.
    fn initial_filter(filter: Option<Filter>, level: LevelFilter) -> Filter {
        if let Some(filter) = filter {
            return filter;
        }
        match Filter::from_env() {
            Some((filter, errors)) => {
                for error in errors {
                    let _ = writeln!(io::stderr(), "{error}");
                }
                filter
            }
            None => Filter::from_level(level),
        }
    }

    /// How the writer waits when the rings are empty (default: a short spin,
    /// then sleeps growing from 500 µs to 2 ms). Producers never wake it.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use llt_runtime::{IdlePolicy, Logger};
    /// let idle = IdlePolicy { sleep: Duration::from_micros(100), ..IdlePolicy::default() };
    /// let logger = Logger::builder().idle(idle).sink(std::io::sink()).build().unwrap();
    /// ```
    pub fn idle(mut self, idle: IdlePolicy) -> Self {
        self.idle = idle;
        self
    }

    /// Whether the writer writes a line saying how many messages were
    /// dropped since the last such line (default `true`).
    ///
    /// # Examples
    ///
    /// ```
    /// let logger = llt_runtime::Logger::builder().report_drops(false).sink(std::io::sink()).build().unwrap();
    /// ```
    pub fn report_drops(mut self, report: bool) -> Self {
        self.report_drops = report;
        self
    }

    /// Ring size in bytes for a capacity, or why it is invalid.
    fn ring_bytes(capacity: usize) -> Result<usize, BuildError> {
        match capacity {
            0 => Err(BuildError::ZeroCapacity),
            n if n > MAX_CAPACITY => Err(BuildError::CapacityTooLarge {
                requested: n,
                max: MAX_CAPACITY,
            }),
            n => Ok((n * BYTES_PER_MESSAGE).next_power_of_two()),
        }
    }

    /// Validates the configuration and starts the writer thread.
    ///
    /// # Examples
    ///
    /// ```
    /// use llt_runtime::{BuildError, Logger};
    /// assert!(matches!(Logger::builder().capacity(0).build(), Err(BuildError::ZeroCapacity)));
    /// let logger = Logger::builder().sink(std::io::sink()).build().unwrap();
    /// ```
    pub fn build(self) -> Result<Logger, BuildError> {
        let ring_bytes = Self::ring_bytes(self.capacity)?;
        let core = Arc::new(Core::new());
        let clock = Clock::new();
        let sink: Box<dyn Write + Send> = match (self.file, self.sink) {
            (Some(file), _) => Box::new(file.open().map_err(BuildError::LogFile)?),
            (None, Some(sink)) => sink,
            (None, None) => Box::new(io::stdout()),
        };
        let writer = Writer::new(
            core.clone(),
            clock.clone(),
            sink,
            self.format,
            self.idle,
            self.report_drops,
        );
        let pin = self.pin;
        let handle = thread::Builder::new()
            .name("llt-writer".into())
            .spawn(move || writer.run(pin))
            .map_err(BuildError::SpawnWriter)?;
        let _ = core.writer_thread.set(handle.thread().clone());
        crate::exit::track(&core);
        Ok(Logger {
            inner: Arc::new(Inner {
                id: NEXT_ID.fetch_add(1, Relaxed),
                filter: FilterState::new(Self::initial_filter(self.filter, self.level)),
                clock,
                ring_bytes,
                core,
                writer: Mutex::new(Some(handle)),
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logger_is_a_cheap_shareable_handle() {
        fn assert_handle<T: Clone + Send + Sync + 'static>() {}
        assert_handle::<Logger>();
        assert_eq!(std::mem::size_of::<Logger>(), std::mem::size_of::<usize>());
    }

    #[test]
    fn capacity_maps_to_power_of_two_bytes() {
        assert_eq!(Builder::ring_bytes(1).unwrap(), 64);
        assert_eq!(Builder::ring_bytes(4096).unwrap(), 4096 * 64);
        assert_eq!(Builder::ring_bytes(100).unwrap(), 8192);
        assert_eq!(
            Builder::ring_bytes(MAX_CAPACITY).unwrap(),
            ring::MAX_CAPACITY
        );
        assert!(matches!(
            Builder::ring_bytes(0),
            Err(BuildError::ZeroCapacity)
        ));
        assert!(matches!(
            Builder::ring_bytes(MAX_CAPACITY + 1),
            Err(BuildError::CapacityTooLarge { requested, max }) if requested == MAX_CAPACITY + 1 && max == MAX_CAPACITY
        ));
    }
}
