//! The contenders: each logger set up to write to the common sink file.
//!
//! Every logger keeps its own line format (timestamp, level, message, and
//! whatever else it adds by default), its own queue and its own overflow
//! policy; buffers are sized to hold about 64 Ki messages (4 MiB for byte
//! rings) where the logger lets us choose. Loggers that write line by line
//! get the file wrapped in a 64 KiB `BufWriter` (they flush it when their
//! queue runs empty or when asked); llt and fast_log batch their writes
//! themselves and get the plain file.

use std::fmt::Write as _;
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use crate::{Contender, FlushKind};

/// Every logger compared, in the order they run and are reported: each is
/// the name of a bench binary (`benches/<name>.rs`), of its [`Contender`],
/// of its results, and an argument of `src/bin/instr.rs`. The report names
/// every logger of this table that has no results.
pub const PEERS: [&str; 11] = [
    "llt",
    "llt_orig",
    "inqjet",
    "quicklog",
    "low_latency_log",
    "ftlog",
    "fast_log",
    "tracing",
    "slog",
    "spdlog",
    "logforth",
];

/// Capacity of `BufWriter`s around the sink.
pub const SINK_BUFFER: usize = 64 * 1024;
/// Queue length (messages) for loggers whose queue counts messages.
pub const QUEUE_MSGS: usize = 1 << 16;

/// Opens the sink for appending (several handles may write to it).
pub fn open_sink(path: &Path) -> File {
    OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .unwrap_or_else(|e| panic!("open {}: {e}", path.display()))
}

/// The sink wrapped in a 64 KiB `BufWriter`.
pub fn buffered_sink(path: &Path) -> BufWriter<File> {
    BufWriter::with_capacity(SINK_BUFFER, open_sink(path))
}

// ---------------------------------------------------------------------------

/// llt (this repository): `llt_log!` into a per-thread ring.
pub struct Llt {
    /// The logger measured for latency: rings of [`QUEUE_MSGS`] messages
    /// (4 MiB per thread).
    pub logger: llt_rs::Logger,
    /// The logger used for throughput: a ring large enough for M messages
    /// of up to 128 bytes, so that nothing is dropped.
    pub tp: llt_rs::Logger,
    tp_capacity: usize,
}

impl Llt {
    /// Both loggers append to `path`, default line format (RFC 3339 UTC
    /// timestamp, level, message), writer unpinned (the default), no drop
    /// report lines (drops are read from `stats()`).
    pub fn new(path: &Path, throughput_m: u64) -> Llt {
        let build = |capacity: usize| {
            llt_rs::Logger::builder()
                .capacity(capacity)
                .sink(open_sink(path))
                .report_drops(false)
                .build()
                .expect("llt logger")
        };
        let tp_capacity = (2 * throughput_m as usize).next_power_of_two();
        Llt {
            logger: build(QUEUE_MSGS),
            tp: build(tp_capacity),
            tp_capacity,
        }
    }
}

impl Contender for Llt {
    fn name(&self) -> &'static str {
        "llt"
    }
    fn config(&self) -> String {
        format!(
            "llt_log!; per-thread ring of {QUEUE_MSGS} x 64 B (throughput: {} x 64 B); drops when full; \
             default line format (RFC 3339 UTC us + level); writer unpinned; plain File sink",
            self.tp_capacity
        )
    }
    fn flush(&self) -> FlushKind {
        self.logger.flush();
        self.tp.flush();
        FlushKind::Blocking
    }
    fn dropped(&self) -> Option<u64> {
        Some(self.logger.stats().dropped + self.tp.stats().dropped)
    }
    fn capacity_msgs(&self) -> u64 {
        QUEUE_MSGS as u64
    }
    fn thread_prefault_msgs(&self) -> u64 {
        // A new thread gets a new ring: touch all of it.
        2 * QUEUE_MSGS as u64
    }
    fn throughput_prefault_msgs(&self, m: u64) -> u64 {
        // The throughput ring is 2M (rounded up to a power of two) units of
        // 64 bytes; seed records take 40: 4M of them touch all of it.
        4 * m
    }
}

// ---------------------------------------------------------------------------

/// llt-rs 0.6.0, the original: `Logger::log(format!(..))` through a
/// mutex-guarded SPSC channel of `String`s; the writer `println!`s each line.
pub struct LltOrig {
    /// The logger.
    pub logger: llt_orig::logger::Logger,
}

impl LltOrig {
    /// It can only print to stdout: fd 1 is redirected to the sink (the
    /// harness keeps a duplicate of the real stdout for its JSON line).
    pub fn new(path: &Path) -> LltOrig {
        use std::os::fd::AsRawFd;
        let _ = std::io::stdout().flush();
        let file = open_sink(path);
        // SAFETY: plain dup2 of two valid descriptors; Rust's stdout keeps
        // using fd 1, which now refers to the sink file.
        let r = unsafe { libc::dup2(file.as_raw_fd(), 1) };
        assert_eq!(r, 1, "dup2 the sink onto stdout");
        LltOrig {
            logger: llt_orig::logger::Logger::new(QUEUE_MSGS),
        }
    }
}

impl Contender for LltOrig {
    fn name(&self) -> &'static str {
        "llt_orig"
    }
    fn config(&self) -> String {
        format!(
            "llt-rs 0.6.0 Logger::log(format!(..)); Mutex<SPSC> of {QUEUE_MSGS} Strings; drops when full; \
             writer pinned to the last core, println!(\"[LOG] {{}}\") to stdout redirected to the sink (one write per line)"
        )
    }
    fn flush(&self) -> FlushKind {
        // No flush API: the harness waits for the lines in the file.
        FlushKind::Poll
    }
    fn dropped(&self) -> Option<u64> {
        Some(self.logger.get_dropped_count())
    }
    fn capacity_msgs(&self) -> u64 {
        QUEUE_MSGS as u64
    }
    fn notes(&self) -> Vec<String> {
        vec!["no flush API: completion is the last line appearing in the file".into()]
    }
}

// ---------------------------------------------------------------------------

/// inqjet: proc-macro encoding of raw arguments into an MPSC byte ring.
pub struct Inqjet {
    _guard: inqjet::InqJetGuard,
}

/// inqjet's ring size in bytes.
pub const INQJET_BYTES: usize = 4 << 20;

impl Inqjet {
    /// Global logger; 4 MiB ring; default backpressure (Backoff: the caller
    /// spins/yields when the ring is full, nothing is dropped).
    pub fn new(path: &Path) -> Inqjet {
        let guard = inqjet::InqJetBuilder::default()
            .with_writer(buffered_sink(path))
            .with_log_level(inqjet::LevelFilter::Info)
            .with_buffer_size(INQJET_BYTES)
            .with_color_mode(inqjet::ColorMode::Never)
            .build()
            .expect("inqjet logger");
        Inqjet { _guard: guard }
    }
}

impl Contender for Inqjet {
    fn name(&self) -> &'static str {
        "inqjet"
    }
    fn config(&self) -> String {
        format!(
            "inqjet::info!; MPSC byte ring of {} MiB; Backoff when full (default); archiver parks 5 ms when idle (default); BufWriter 64 KiB",
            INQJET_BYTES >> 20
        )
    }
    fn flush(&self) -> FlushKind {
        // No flush API; the archiver flushes its writer after each batch.
        FlushKind::Poll
    }
    fn capacity_msgs(&self) -> u64 {
        (INQJET_BYTES / 64) as u64
    }
    fn notes(&self) -> Vec<String> {
        vec!["no flush API: completion is the last line appearing in the file".into()]
    }
}

// ---------------------------------------------------------------------------

/// Lines quicklog's `try_log!` refused (queue full).
pub static QUICKLOG_DROPS: AtomicU64 = AtomicU64::new(0);

struct QuicklogSink(Arc<Mutex<BufWriter<File>>>);

impl quicklog_flush::Flush for QuicklogSink {
    fn flush_one(&mut self, line: String) {
        let mut w = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let _ = w.write_all(line.as_bytes());
    }
}

/// quicklog 0.1.18: single-threaded; each call boxes a lazy-format closure
/// into a static SPSC queue; `flush!()` formats and writes one line on the
/// calling thread.
pub struct Quicklog {
    sink: Arc<Mutex<BufWriter<File>>>,
}

impl Quicklog {
    /// Installs a flusher that writes to the sink (its own `FileFlusher`
    /// reopens the file for every line).
    pub fn new(path: &Path) -> Quicklog {
        quicklog::init!();
        let sink = Arc::new(Mutex::new(buffered_sink(path)));
        quicklog::with_flush!(QuicklogSink(sink.clone()));
        Quicklog { sink }
    }
}

impl Contender for Quicklog {
    fn name(&self) -> &'static str {
        "quicklog"
    }
    fn config(&self) -> String {
        "quicklog::try_log!(Info, ..); static SPSC queue of 1,000,000 boxed closures; drops when full \
         (counted from try_log!'s Err); no writer thread: flush!() runs on the producer, outside the timed regions; \
         BufWriter 64 KiB"
            .into()
    }
    fn flush(&self) -> FlushKind {
        while quicklog::try_flush!().is_ok() {}
        let _ = self
            .sink
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .flush();
        FlushKind::Blocking
    }
    fn dropped(&self) -> Option<u64> {
        Some(QUICKLOG_DROPS.load(Ordering::Relaxed))
    }
    fn capacity_msgs(&self) -> u64 {
        1_000_000
    }
    fn prefault_msgs(&self) -> u64 {
        1_000_000
    }
    fn max_threads(&self) -> usize {
        1
    }
    fn notes(&self) -> Vec<String> {
        vec![
            "single-threaded by design (static mut SPSC queue): no 2-thread batch".into(),
            "no background writer: lines are formatted and written by flush!() on the producer thread, \
             which the harness calls only between phases, so its timed calls never compete with a writer"
                .into(),
        ]
    }
}

// ---------------------------------------------------------------------------

/// low_latency_log: boxes a `format!` closure per call and sends it
/// through a bounded crossbeam channel; the writer formats and writes.
pub struct LowLatencyLog {
    _guard: low_latency_log::LoggerGuard,
}

impl LowLatencyLog {
    /// The logger writes `<dir>/llog.<date>` and links `<dir>/llog` to it;
    /// returns the contender and the path to count lines in.
    pub fn new(dir: &Path) -> (LowLatencyLog, std::path::PathBuf) {
        let folder = dir.join("lll");
        let guard = low_latency_log::Logger::new(
            low_latency_log::RollingCondition::new(),
            folder.to_string_lossy().into_owned(),
            "llog".into(),
        )
        .init()
        .expect("low_latency_log logger");
        (LowLatencyLog { _guard: guard }, folder.join("llog"))
    }
}

impl Contender for LowLatencyLog {
    fn name(&self) -> &'static str {
        "low_latency_log"
    }
    fn config(&self) -> String {
        "low_latency_log::info!; bounded crossbeam channel of 131,072 boxed closures (default); blocks when full; \
         its own rolling file (never rolls here) with a 1 MiB BufWriter"
            .into()
    }
    fn flush(&self) -> FlushKind {
        // `Logger::flush` only sets a flag for the writer.
        low_latency_log::Logger::flush();
        FlushKind::Poll
    }
    fn capacity_msgs(&self) -> u64 {
        131_072
    }
    fn notes(&self) -> Vec<String> {
        vec![
            "flush() only raises a flag: completion is the last line appearing in the file".into(),
            "arguments must be 'static (the closure is sent to the writer): stringConcat passes a leaked &'static str"
                .into(),
        ]
    }
}

// ---------------------------------------------------------------------------

/// ftlog (feature `tsc`): formats the message on the caller, sends a boxed
/// record through a bounded channel.
pub struct Ftlog {
    _guard: ftlog::LoggerGuard,
}

impl Ftlog {
    /// Global `log` logger; bounded channel of 100,000 (the default size),
    /// discarding when full (the default); UTC timestamps.
    pub fn new(path: &Path) -> Ftlog {
        let guard = ftlog::builder()
            .max_log_level(log::LevelFilter::Info)
            .root(buffered_sink(path))
            .utc()
            .bounded(100_000, false)
            .try_init()
            .expect("ftlog logger");
        Ftlog { _guard: guard }
    }
}

impl Contender for Ftlog {
    fn name(&self) -> &'static str {
        "ftlog"
    }
    fn config(&self) -> String {
        "log::info! via ftlog (tsc); bounded channel of 100,000 (default); discards when full (default); \
         UTC timestamps; BufWriter 64 KiB"
            .into()
    }
    fn flush(&self) -> FlushKind {
        log::logger().flush();
        FlushKind::Blocking
    }
    fn capacity_msgs(&self) -> u64 {
        100_000
    }
    fn notes(&self) -> Vec<String> {
        vec!["discards silently: drops are inferred from the file's line count".into()]
    }
}

// ---------------------------------------------------------------------------

/// fast_log: formats the arguments on the caller, sends a record through a
/// bounded crossbeam channel; a dispatcher and an appender thread write.
pub struct FastLog;

impl FastLog {
    /// Global `log` logger writing to the sink file; channel of 100,000
    /// (its README's advice).
    pub fn new(path: &Path) -> FastLog {
        fast_log::init(
            fast_log::Config::new()
                .file(&path.to_string_lossy())
                .chan_len(Some(100_000))
                .level(log::LevelFilter::Info),
        )
        .expect("fast_log logger");
        FastLog
    }
}

impl Contender for FastLog {
    fn name(&self) -> &'static str {
        "fast_log"
    }
    fn config(&self) -> String {
        "log::info! via fast_log; bounded channel of 100,000; blocks when full; its own file appender".into()
    }
    fn flush(&self) -> FlushKind {
        log::logger().flush();
        FlushKind::Blocking
    }
    fn capacity_msgs(&self) -> u64 {
        100_000
    }
}

// ---------------------------------------------------------------------------

/// tracing + tracing-subscriber's fmt layer + tracing-appender's
/// non-blocking writer: the line is formatted on the caller and sent as
/// bytes through a bounded channel.
pub struct Tracing {
    _guard: tracing_appender::non_blocking::WorkerGuard,
    errors: tracing_appender::non_blocking::ErrorCounter,
}

impl Tracing {
    /// Global subscriber; non_blocking with its defaults (128,000 lines,
    /// lossy); no ANSI colours.
    pub fn new(path: &Path) -> Tracing {
        let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
            .lossy(true)
            .finish(buffered_sink(path));
        let errors = writer.error_counter();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(writer)
            .with_ansi(false)
            .with_max_level(tracing::Level::INFO)
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("tracing subscriber");
        Tracing {
            _guard: guard,
            errors,
        }
    }
}

impl Contender for Tracing {
    fn name(&self) -> &'static str {
        "tracing"
    }
    fn config(&self) -> String {
        "tracing::info! + tracing-subscriber fmt (no ANSI) + tracing-appender non_blocking \
         (128,000 lines, lossy: the defaults); BufWriter 64 KiB"
            .into()
    }
    fn flush(&self) -> FlushKind {
        // No flush API short of dropping the guard; the worker flushes its
        // writer whenever the channel runs empty.
        FlushKind::Poll
    }
    fn dropped(&self) -> Option<u64> {
        Some(self.errors.dropped_lines() as u64)
    }
    fn capacity_msgs(&self) -> u64 {
        128_000
    }
    fn notes(&self) -> Vec<String> {
        vec!["no flush API: completion is the last line appearing in the file".into()]
    }
}

// ---------------------------------------------------------------------------

/// Writes an RFC 3339 UTC timestamp with microseconds.
pub fn write_rfc3339(out: &mut String, t: SystemTime) {
    let d = t.duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default();
    let secs = d.as_secs();
    let days = (secs / 86_400) as i64;
    let sod = secs % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let _ = write!(
        out,
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:06}Z",
        sod / 3600,
        sod / 60 % 60,
        sod % 60,
        d.subsec_micros()
    );
}

/// Flush requests seen by [`SlogFileDrain`].
#[derive(Default)]
pub struct FlushSeen {
    seen: Mutex<u64>,
    cond: Condvar,
}

/// The message of slog flush markers (never written).
const SLOG_FLUSH: &str = "\u{1}llt-bench-flush";

/// A simple slog drain: `RFC 3339 timestamp LEVEL message` per line into
/// a 64 KiB `BufWriter`. A record whose message is the flush marker flushes
/// the file instead and wakes [`Slog::flush`].
pub struct SlogFileDrain {
    w: Mutex<(BufWriter<File>, String)>,
    seen: Arc<FlushSeen>,
}

impl slog::Drain for SlogFileDrain {
    type Ok = ();
    type Err = slog::Never;

    fn log(&self, record: &slog::Record<'_>, _: &slog::OwnedKVList) -> Result<(), slog::Never> {
        let mut guard = self.w.lock().unwrap_or_else(PoisonError::into_inner);
        let (w, line) = &mut *guard;
        line.clear();
        let _ = write!(line, "{}", record.msg());
        if let Some(seq) = line.strip_prefix(SLOG_FLUSH) {
            let seq: u64 = seq.trim().parse().unwrap_or(0);
            let _ = w.flush();
            let mut seen = self
                .seen
                .seen
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            *seen = (*seen).max(seq);
            self.seen.cond.notify_all();
            return Ok(());
        }
        let mut head = String::with_capacity(40);
        write_rfc3339(&mut head, SystemTime::now());
        let _ = write!(head, " {:<5} ", record.level().as_short_str());
        let _ = w.write_all(head.as_bytes());
        let _ = w.write_all(line.as_bytes());
        let _ = w.write_all(b"\n");
        Ok(())
    }
}

/// slog + slog-async: the message is formatted on the caller into an owned
/// record and sent through a bounded crossbeam channel to the drain.
pub struct Slog {
    /// The logger.
    pub logger: slog::Logger,
    seen: Arc<FlushSeen>,
    next: AtomicU64,
    _guard: slog_async::AsyncGuard,
}

impl Slog {
    /// slog-async with a channel of [`QUEUE_MSGS`] records, dropping when
    /// full (silently: the count is inferred from the file).
    pub fn new(path: &Path) -> Slog {
        use slog::Drain;
        let seen = Arc::new(FlushSeen::default());
        let drain = SlogFileDrain {
            w: Mutex::new((buffered_sink(path), String::with_capacity(256))),
            seen: seen.clone(),
        };
        let (drain, guard) = slog_async::Async::new(drain)
            .chan_size(QUEUE_MSGS)
            .overflow_strategy(slog_async::OverflowStrategy::Drop)
            .build_with_guard();
        let logger = slog::Logger::root(drain.fuse(), slog::o!());
        Slog {
            logger,
            seen,
            next: AtomicU64::new(1),
            _guard: guard,
        }
    }
}

impl Contender for Slog {
    fn name(&self) -> &'static str {
        "slog"
    }
    fn config(&self) -> String {
        format!(
            "slog::info! + slog-async (channel {QUEUE_MSGS}, OverflowStrategy::Drop) + a simple drain \
             (RFC 3339 UTC us, level, message) into a BufWriter 64 KiB"
        )
    }
    fn flush(&self) -> FlushKind {
        // slog-async has no flush: send a marker record through the queue
        // and wait for the drain to see it (resent if the queue dropped it).
        let seq = self.next.fetch_add(1, Ordering::Relaxed);
        loop {
            slog::info!(self.logger, "{}{}", SLOG_FLUSH, seq);
            let seen = self
                .seen
                .seen
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let (seen, _) = self
                .seen
                .cond
                .wait_timeout_while(seen, Duration::from_millis(20), |s| *s < seq)
                .unwrap_or_else(PoisonError::into_inner);
            if *seen >= seq {
                return FlushKind::Blocking;
            }
        }
    }
    fn capacity_msgs(&self) -> u64 {
        QUEUE_MSGS as u64
    }
    fn notes(&self) -> Vec<String> {
        vec![
            "slog-async has no flush: the harness sends a marker record through the queue and waits for the drain"
                .into(),
            "OverflowStrategy::Drop is silent: drops are inferred from the file's line count".into(),
        ]
    }
}

// ---------------------------------------------------------------------------

/// spdlog-rs with an `AsyncPoolSink` in front of its `FileSink`.
pub struct Spdlog {
    /// The logger.
    pub logger: Arc<spdlog::Logger>,
}

impl Spdlog {
    /// Thread pool with a queue of [`QUEUE_MSGS`] tasks, `Block` on overflow
    /// (the default); `FileSink` with a 64 KiB buffer; default pattern.
    pub fn new(path: &Path) -> Spdlog {
        use spdlog::sink::{AsyncPoolSink, FileSink, OverflowPolicy};
        let file = FileSink::builder()
            .path(path)
            .capacity(SINK_BUFFER)
            .build_arc()
            .expect("spdlog file sink");
        let pool = spdlog::ThreadPool::builder()
            .capacity(std::num::NonZeroUsize::new(QUEUE_MSGS).expect("non-zero"))
            .build_arc()
            .expect("spdlog thread pool");
        let sink = AsyncPoolSink::builder()
            .sink(file)
            .thread_pool(pool)
            .overflow_policy(OverflowPolicy::Block)
            .build_arc()
            .expect("spdlog async pool sink");
        let logger = spdlog::Logger::builder()
            .sink(sink)
            .build_arc()
            .expect("spdlog logger");
        Spdlog { logger }
    }
}

impl Contender for Spdlog {
    fn name(&self) -> &'static str {
        "spdlog"
    }
    fn config(&self) -> String {
        format!(
            "spdlog::info!(logger: ..) -> AsyncPoolSink (thread pool queue {QUEUE_MSGS}, Block: the default) -> \
             FileSink (64 KiB buffer), default pattern"
        )
    }
    fn flush(&self) -> FlushKind {
        // An async pool sink's flush is itself queued, not awaited.
        self.logger.flush();
        FlushKind::Poll
    }
    fn capacity_msgs(&self) -> u64 {
        QUEUE_MSGS as u64
    }
    fn notes(&self) -> Vec<String> {
        vec![
            "flush() is queued, not awaited: completion is the last line appearing in the file"
                .into(),
        ]
    }
}

// ---------------------------------------------------------------------------

/// A logforth appender writing `TextLayout` lines to the sink.
#[derive(Debug)]
pub struct LogforthFile {
    w: Mutex<BufWriter<File>>,
    layout: logforth::layout::TextLayout,
}

impl logforth::Append for LogforthFile {
    fn append(
        &self,
        record: &logforth::record::Record<'_>,
        diags: &[Box<dyn logforth::Diagnostic>],
    ) -> Result<(), logforth::Error> {
        use logforth::Layout;
        let mut bytes = self.layout.format(record, diags)?;
        bytes.push(b'\n');
        self.w
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .write_all(&bytes)
            .map_err(logforth::Error::from_io_error)
    }

    fn flush(&self) -> Result<(), logforth::Error> {
        self.w
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .flush()
            .map_err(logforth::Error::from_io_error)
    }
}

/// logforth with its async appender: `log::info!` -> logforth's log bridge
/// -> `Async` (owned record through a bounded channel) -> a file appender.
pub struct Logforth;

impl Logforth {
    /// Async appender with a channel of [`QUEUE_MSGS`] records, blocking
    /// when full (the default); `TextLayout` without colours.
    pub fn new(path: &Path) -> Logforth {
        let file = LogforthFile {
            w: Mutex::new(buffered_sink(path)),
            layout: logforth::layout::TextLayout::default().no_color(),
        };
        let appender = logforth::append::asynchronous::AsyncBuilder::new("logforth-async")
            .buffered_lines_limit(Some(QUEUE_MSGS))
            .overflow_block()
            .append(file)
            .build();
        let logger = logforth::core::builder()
            .dispatch(|d| d.append(appender))
            .build();
        log::set_boxed_logger(Box::new(logforth::bridge::log::LogBridge::new(logger)))
            .expect("install logforth");
        log::set_max_level(log::LevelFilter::Info);
        Logforth
    }
}

impl Contender for Logforth {
    fn name(&self) -> &'static str {
        "logforth"
    }
    fn config(&self) -> String {
        format!(
            "log::info! -> logforth LogBridge -> append::Async (channel {QUEUE_MSGS}, block when full: the default) -> \
             file appender with TextLayout (no colour), BufWriter 64 KiB"
        )
    }
    fn flush(&self) -> FlushKind {
        log::logger().flush();
        FlushKind::Blocking
    }
    fn capacity_msgs(&self) -> u64 {
        QUEUE_MSGS as u64
    }
}

#[cfg(test)]
mod tests {
    use super::PEERS;

    /// `PEERS` and the `[[bench]]` targets of Cargo.toml name the same
    /// loggers, in the same order.
    #[test]
    fn every_peer_has_a_bench_binary_and_no_other() {
        let manifest = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"))
            .expect("read Cargo.toml");
        let mut benches = Vec::new();
        let mut in_bench = false;
        for line in manifest.lines().map(str::trim) {
            if line.starts_with('[') {
                in_bench = line == "[[bench]]";
            } else if in_bench && let Some(name) = line.strip_prefix("name = ") {
                benches.push(name.trim_matches('"').to_owned());
            }
        }
        assert_eq!(benches, PEERS);
    }
}
