//! The `Logger` handle, its builder and the builder's error.

use std::fmt;
use std::io::{self, Write};
use std::sync::atomic::AtomicU64;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use crate::callsite::{Level, LevelFilter, string_callsite};
use crate::clock::Clock;
use crate::exit::EXIT_FLUSH_TIMEOUT;
use crate::filter::Filter;
use crate::idle::IdlePolicy;
use crate::interest::FilterState;
use crate::line::LineFormat;
use crate::local;
use crate::record::{RECORD_HEADER, write_header};
use crate::ring;
use crate::rolling::{RollingError, RollingFileBuilder};
pub use crate::shared::Stats;
use crate::shared::{EndPolicy, Inner, Shared};
use crate::writer::Writer;

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
    /// The syslog server given with [`Builder::syslog`] could not be used.
    Syslog(crate::syslog::SyslogError),
    /// The binary log file given with [`Builder::binary_file`] could not
    /// be opened.
    BinaryFile {
        /// The file.
        path: std::path::PathBuf,
        /// Why.
        source: io::Error,
    },
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
            BuildError::Syslog(e) => write!(f, "could not set up the syslog sink: {e}"),
            BuildError::BinaryFile { path, source } => write!(
                f,
                "could not open the binary log file {}: {source} (check that its directory \
                 exists and is writable)",
                path.display()
            ),
        }
    }
}

impl std::error::Error for BuildError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            BuildError::SpawnWriter(e) => Some(e),
            BuildError::LogFile(e) => Some(e),
            BuildError::Syslog(e) => Some(e),
            BuildError::BinaryFile { source, .. } => Some(source),
            _ => None,
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
    #[track_caller]
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
        let callsite = string_callsite(level);
        // SAFETY: the closure writes the header and then exactly
        // `bytes.len()` bytes, filling the RECORD_HEADER + len bytes asked
        // for, and does not log.
        unsafe {
            local::push(
                &self.inner,
                RECORD_HEADER.saturating_add(bytes.len()),
                |dst| {
                    write_header(dst, std::ptr::from_ref(callsite) as usize, clock);
                    dst.add(RECORD_HEADER)
                        .copy_from_nonoverlapping(bytes.as_ptr(), bytes.len());
                },
            );
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
        self.inner.shared.counters.dropped.load(Relaxed)
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
        self.inner.shared.stats()
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
        self.inner.shared.flush(None);
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
        self.inner.shared.flush(Some(timeout))
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
    syslog: Option<crate::syslog::Syslog>,
    pin: Option<usize>,
    format: LineFormat,
    level: LevelFilter,
    filter: Option<Filter>,
    idle: IdlePolicy,
    report_drops: bool,
    drain_on_crash: bool,
    exit_timeout: Duration,
    binary: Option<std::path::PathBuf>,
    binary_max_size: Option<u64>,
    binary_tee: Option<Box<dyn Write + Send>>,
}

impl fmt::Debug for Builder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Builder")
            .field("capacity", &self.capacity)
            .field("sink", &self.sink.as_ref().map_or("stdout", |_| "custom"))
            .field("file", &self.file)
            .field("syslog", &self.syslog)
            .field("pin", &self.pin)
            .field("format", &self.format)
            .field("level", &self.level)
            .field("filter", &self.filter)
            .field("idle", &self.idle)
            .field("report_drops", &self.report_drops)
            .field("drain_on_crash", &self.drain_on_crash)
            .field("exit_timeout", &self.exit_timeout)
            .field("binary", &self.binary)
            .field("binary_max_size", &self.binary_max_size)
            .finish()
    }
}

impl Default for Builder {
    fn default() -> Self {
        Builder {
            capacity: DEFAULT_CAPACITY,
            sink: None,
            file: None,
            syslog: None,
            pin: None,
            format: LineFormat::default(),
            level: LevelFilter::Info,
            filter: None,
            idle: IdlePolicy::default(),
            report_drops: true,
            drain_on_crash: true,
            exit_timeout: EXIT_FLUSH_TIMEOUT,
            binary: None,
            binary_max_size: None,
            binary_tee: None,
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
        self.syslog = None;
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
        self.syslog = None;
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
    /// (no `LLT_LOG`, or nothing valid in it) one level for everything.
    fn initial_filter(filter: Option<Filter>, level: LevelFilter) -> Filter {
        if let Some(filter) = filter {
            return filter;
        }
        let (from_env, errors) = Filter::from_env();
        for error in errors {
            let _ = writeln!(io::stderr(), "{error}");
        }
        from_env.unwrap_or_else(|| Filter::from_level(level))
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

    /// Whether a fatal signal (a segfault, `abort()`, `panic = "abort"`, a
    /// stack overflow) or a termination request left at its default action
    /// (`SIGINT`, `SIGTERM`, `SIGHUP`, `SIGQUIT`) first writes what is in
    /// this logger's rings (default `true`). The first logger built with it
    /// installs llt's signal handlers, which chain to the ones installed
    /// before; see [`crash`](crate::crash) for what they do and do not do.
    /// Turn it off in programs with their own crash handling that must not
    /// run after llt's; a process in which no logger asks for it gets no
    /// handler.
    ///
    /// # Examples
    ///
    /// ```
    /// let logger = llt_runtime::Logger::builder().drain_on_crash(false).sink(std::io::sink()).build().unwrap();
    /// ```
    pub fn drain_on_crash(mut self, drain: bool) -> Self {
        self.drain_on_crash = drain;
        self
    }

    /// How long the end of the program waits for this logger's writer
    /// (default [`EXIT_FLUSH_TIMEOUT`], 5 s): when the last handle is
    /// dropped, and in the exit hook (returning from `main`,
    /// `std::process::exit`). A writer that has not written everything by
    /// then (its sink is stuck) is given up on: the lines it did not write
    /// are counted in [`Stats::lines_lost`] and reported on stderr, and the
    /// program goes on ending.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// let logger = llt_runtime::Logger::builder().exit_timeout(Duration::from_secs(1)).sink(std::io::sink()).build().unwrap();
    /// ```
    pub fn exit_timeout(mut self, timeout: Duration) -> Self {
        self.exit_timeout = timeout;
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

    /// Sends each line to a syslog server as an RFC 5424 message (see
    /// [`Syslog`](crate::Syslog)): severity from the line's level, the
    /// line's fields as structured data. Replaces any
    /// [`sink`](Self::sink) or [`file`](Self::file), and the line
    /// [`format`](Self::format). `build` connects once and returns
    /// [`BuildError::Syslog`] if the server cannot be reached; later
    /// outages (a server restart) only cost the lines sent meanwhile,
    /// counted in `Stats::lines_lost`.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use llt_runtime::{Logger, Syslog};
    /// let logger = Logger::builder().syslog(Syslog::local().app_name("orders")).build()?;
    /// logger.log("to /dev/log");
    /// # Ok::<(), llt_runtime::BuildError>(())
    /// ```
    pub fn syslog(mut self, syslog: crate::syslog::Syslog) -> Self {
        self.syslog = Some(syslog);
        self.sink = None;
        self.file = None;
        self.binary = None;
        self
    }

    /// Writes a binary log to `path` instead of text (appending to the file,
    /// creating it if needed): the writer copies each record's arguments
    /// without formatting them, and `llt-decode` turns the file into the
    /// text this logger would have written, byte for byte, in any
    /// [`LineFormat`] (the one set with [`format`](Self::format) is its
    /// default). See `docs/binary-format.md`. Takes precedence over
    /// [`sink`](Self::sink) and [`file`](Self::file).
    ///
    /// # Examples
    ///
    /// ```
    /// let path = std::env::temp_dir().join(format!("llt-doc-{}.lltb", std::process::id()));
    /// let logger = llt_runtime::Logger::builder().binary_file(&path).build().unwrap();
    /// logger.log("stored as a string record");
    /// logger.flush();
    /// assert!(std::fs::metadata(&path).unwrap().len() > 0);
    /// # drop(logger);
    /// # std::fs::remove_file(&path).unwrap();
    /// ```
    pub fn binary_file(mut self, path: impl AsRef<std::path::Path>) -> Self {
        self.binary = Some(path.as_ref().to_owned());
        self.file = None;
        self.sink = None;
        self.syslog = None;
        self
    }

    /// With [`binary_file`](Self::binary_file): once the file holds
    /// `bytes` or more (checked after each batch the writer writes), it is
    /// renamed `<path>.1` (then `.2`, …, the highest the newest) and a new
    /// file is started. Every file decodes on its own; `llt-decode` reads
    /// them in the order given (`llt-decode app.lltb.1 app.lltb.2 app.lltb`).
    ///
    /// # Examples
    ///
    /// ```
    /// let path = std::env::temp_dir().join(format!("llt-doc-rot-{}.lltb", std::process::id()));
    /// let logger = llt_runtime::Logger::builder()
    ///     .binary_file(&path)
    ///     .binary_max_size(64 << 20)
    ///     .build()
    ///     .unwrap();
    /// # drop(logger);
    /// # std::fs::remove_file(&path).unwrap();
    /// ```
    pub fn binary_max_size(mut self, bytes: u64) -> Self {
        self.binary_max_size = Some(bytes);
        self
    }

    /// With [`binary_file`](Self::binary_file): also formats the same
    /// records as text into `sink`, as a text logger would. For tests that
    /// compare a decoded binary log with the text; costs the formatting
    /// the binary log saves.
    ///
    /// # Examples
    ///
    /// ```
    /// let path = std::env::temp_dir().join(format!("llt-doc-tee-{}.lltb", std::process::id()));
    /// let text = llt_runtime::MemorySink::new();
    /// let logger = llt_runtime::Logger::builder()
    ///     .binary_file(&path)
    ///     .binary_tee_text(text.clone())
    ///     .build()
    ///     .unwrap();
    /// logger.log("both");
    /// logger.flush();
    /// assert!(text.take_lines()[0].ends_with("INFO  both"));
    /// # drop(logger);
    /// # std::fs::remove_file(&path).unwrap();
    /// ```
    pub fn binary_tee_text(mut self, sink: impl Write + Send + 'static) -> Self {
        self.binary_tee = Some(Box::new(sink));
        self
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
        let shared = Arc::new(Shared::new(EndPolicy {
            drain_on_crash: self.drain_on_crash,
            exit_timeout: self.exit_timeout,
        }));
        let clock = Clock::new();
        let syslog = match self.syslog {
            Some(syslog) => Some(syslog.connect().map_err(BuildError::Syslog)?),
            None => None,
        };
        let rotated = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let binary_file = match &self.binary {
            Some(path) => Some(
                crate::binary::BinaryFile::open(path, self.binary_max_size, rotated.clone())
                    .map_err(|source| BuildError::BinaryFile {
                        path: path.clone(),
                        source,
                    })?,
            ),
            None => None,
        };
        let sink: Box<dyn Write + Send> = match (binary_file, self.file, self.sink) {
            (Some(binary), _, _) => Box::new(binary),
            (None, Some(file), _) => Box::new(file.open().map_err(BuildError::LogFile)?),
            (None, None, Some(sink)) => sink,
            (None, None, None) => Box::new(io::stdout()),
        };
        let writer = Writer::new(
            shared.clone(),
            clock.clone(),
            sink,
            self.format,
            self.idle,
            self.report_drops,
        );
        let writer = match syslog {
            Some(syslog) => writer.with_syslog(syslog),
            None => writer,
        };
        let writer = if self.binary.is_some() {
            writer.binary(self.binary_tee, rotated)
        } else {
            writer
        };
        let pin = self.pin;
        let handle = thread::Builder::new()
            .name("llt-writer".into())
            .spawn(move || writer.run(pin))
            .map_err(BuildError::SpawnWriter)?;
        let registry_slot = crate::shared::LOGGERS.add(&shared);
        crate::exit::install();
        crate::fork::install();
        if self.drain_on_crash {
            crate::crash::install();
        }
        Ok(Logger {
            inner: Arc::new(Inner {
                id: NEXT_ID.fetch_add(1, Relaxed),
                filter: FilterState::new(Self::initial_filter(self.filter, self.level)),
                clock,
                ring_bytes,
                shared,
                writer: Mutex::new(Some(handle)),
                registry_slot,
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
