//! A global allocator that logs (allocations of 256 bytes or more, here) must not make llt
//! recurse, deadlock or lose count: a log call made while this thread is
//! creating its ring (which allocates) is counted as dropped, and every other
//! line is written.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::mpsc;
use std::time::Duration;

use llt_rs::{Level, LineFormat, Logger, MemorySink};

static LOGGER: OnceLock<Logger> = OnceLock::new();
/// Lines the allocator logged.
static ALLOCATOR_LINES: AtomicU64 = AtomicU64::new(0);

thread_local! {
    /// Set while this thread's allocator is logging (no nested logging).
    static IN_ALLOCATOR: Cell<bool> = const { Cell::new(false) };
    /// Set on the test's logging threads: only their allocations log, so
    /// the count is complete once they are joined (the writer thread's own
    /// allocations would race with the final check).
    static PRODUCER: Cell<bool> = const { Cell::new(false) };
}

/// Logs every allocation of 256 bytes or more through `LOGGER` (a new
/// ring's shared state is one: several cache lines; its buffer may not go
/// through the allocator at all, large ones are mapped).
struct LoggingAllocator;

// SAFETY: forwards every call to the system allocator; the logging around
// it uses a const-initialised thread-local `Cell` and llt, neither of which
// depends on the allocation being made.
unsafe impl GlobalAlloc for LoggingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if layout.size() >= 256
            && PRODUCER.try_with(Cell::get).unwrap_or(false)
            && let Some(logger) = LOGGER.get()
            && IN_ALLOCATOR
                .try_with(|busy| !busy.replace(true))
                .unwrap_or(false)
        {
            ALLOCATOR_LINES.fetch_add(1, Relaxed);
            logger.log_str(Level::Info, "large allocation");
            let _ = IN_ALLOCATOR.try_with(|busy| busy.set(false));
        }
        // SAFETY: same contract as ours.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: LoggingAllocator = LoggingAllocator;

#[test]
fn logging_from_the_allocator_neither_recurses_nor_hangs() {
    let sink = MemorySink::new();
    let logger = Logger::builder()
        .format(LineFormat::MessageOnly)
        .report_drops(false)
        .sink(sink.clone())
        .build()
        .expect("logger");
    LOGGER.set(logger.clone()).expect("set once");

    let (done, finished) = mpsc::channel();
    std::thread::spawn(move || {
        let handles: Vec<_> = (0..4)
            .map(|t| {
                let logger = logger.clone();
                std::thread::spawn(move || {
                    PRODUCER.with(|p| p.set(true));
                    // The first log creates this thread's ring: a large
                    // allocation, which logs from inside the allocator.
                    for i in 0..100 {
                        logger.log(format!("thread {t} line {i}"));
                    }
                })
            })
            .collect();
        for handle in handles {
            handle.join().expect("logging thread");
        }
        logger.flush();
        let _ = done.send(logger.stats());
    });
    let stats = finished
        .recv_timeout(Duration::from_secs(60))
        .expect("logging from the allocator deadlocked");

    let lines = sink.take_lines();
    let user_lines = lines.iter().filter(|l| l.starts_with("thread ")).count();
    assert_eq!(user_lines, 400, "every thread's lines are written");
    let allocator_logged = ALLOCATOR_LINES.load(Relaxed);
    assert!(
        allocator_logged >= 4,
        "each new ring made an allocation that logged"
    );
    assert_eq!(
        stats.written + stats.dropped,
        400 + allocator_logged,
        "every line is written or counted: {stats:?}"
    );
    assert!(
        stats.dropped >= 4,
        "the nested logs during registration are dropped: {stats:?}"
    );
}
