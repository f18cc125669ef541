//! The push path does not allocate: after a thread's first log (which
//! creates its ring), `log_str` only copies bytes into the ring, whether the
//! line fits or is dropped. Counted by a global allocator that keeps one
//! counter per thread, so the writer thread's allocations do not count.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::io::{self, Write};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use llt_runtime::{Level, LineFormat, Logger};

/// Forwards to the system allocator, counting calls on the calling thread.
struct CountingAlloc;

thread_local! {
    /// Allocations (`alloc`, `alloc_zeroed`, `realloc`) made by this thread.
    static ALLOCS: Cell<u64> = const { Cell::new(0) };
    /// Deallocations made by this thread.
    static DEALLOCS: Cell<u64> = const { Cell::new(0) };
}

fn bump(counter: &'static std::thread::LocalKey<Cell<u64>>) {
    // `try_with`: the allocator may run while the thread's locals are being
    // torn down. The cells are const-initialised and need no destructor, so
    // touching them never allocates.
    let _ = counter.try_with(|c| c.set(c.get() + 1));
}

// SAFETY: every method forwards to `System` with the same arguments and
// only additionally bumps a thread-local counter, which neither allocates
// nor unwinds.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        bump(&ALLOCS);
        // SAFETY: forwarded from the caller.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        bump(&ALLOCS);
        // SAFETY: forwarded from the caller.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        bump(&ALLOCS);
        // SAFETY: forwarded from the caller.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        bump(&DEALLOCS);
        // SAFETY: forwarded from the caller.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: CountingAlloc = CountingAlloc;

/// This thread's allocation count so far.
fn allocs() -> u64 {
    ALLOCS.with(Cell::get)
}

/// This thread's deallocation count so far.
fn deallocs() -> u64 {
    DEALLOCS.with(Cell::get)
}

/// Calls made in each measured loop.
const CALLS: u64 = 10_000;

/// A sink appending to a shared buffer.
#[derive(Clone, Default)]
struct SharedSink(Arc<Mutex<Vec<u8>>>);

impl Write for SharedSink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A sink whose first `write` tells the test it has started and then waits
/// until the test releases it, holding the writer thread still.
struct GateSink {
    entered: Option<Sender<()>>,
    release: Option<Receiver<()>>,
    out: Arc<Mutex<Vec<u8>>>,
}

impl Write for GateSink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if let (Some(entered), Some(release)) = (self.entered.take(), self.release.take()) {
            let _ = entered.send(());
            // Returns when the test sends, or when it drops the sender
            // (a failed test), so the writer can never hang forever.
            let _ = release.recv();
        }
        self.out.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// After a warm-up log, 10,000 `log_str` calls whose lines all fit make no
/// allocation on the calling thread.
#[test]
fn log_str_does_not_allocate_after_the_first_log() {
    let sink = SharedSink::default();
    // 16384 messages = a 1 MiB ring: the 10,000 lines (40-byte frames)
    // fit even if the writer does not run at all.
    let logger = Logger::builder()
        .capacity(16_384)
        .sink(sink.clone())
        .format(LineFormat::MessageOnly)
        .build()
        .unwrap();
    logger.log_str(Level::Info, "warm-up");

    let before = (allocs(), deallocs());
    for _ in 0..CALLS {
        logger.log_str(Level::Info, "static text");
    }
    let after = (allocs(), deallocs());

    assert_eq!(
        after, before,
        "log_str allocated or freed on the hot path (allocs, deallocs)"
    );
    logger.flush();
    let stats = logger.stats();
    assert_eq!(stats.dropped, 0, "every line fitted: {stats:?}");
    assert_eq!(stats.written, CALLS + 1, "{stats:?}");
    let out = sink.0.lock().unwrap();
    assert_eq!(
        out.len(),
        "warm-up\n".len() + CALLS as usize * "static text\n".len()
    );
}

/// A disabled level costs no allocation either (and logs nothing).
#[test]
fn filtered_out_log_str_does_not_allocate() {
    let logger = Logger::builder().sink(io::sink()).build().unwrap();
    logger.log_str(Level::Info, "warm-up");
    let before = allocs();
    for _ in 0..CALLS {
        logger.log_str(Level::Debug, "not enabled at Info");
    }
    assert_eq!(allocs(), before);
    logger.flush();
    let stats = logger.stats();
    assert_eq!((stats.written, stats.dropped), (1, 0), "{stats:?}");
}

/// `log(&'static str)` allocates exactly once per call (the `String` its
/// `impl Into<String>` signature makes) and frees it; `log(String)` with an
/// already-owned string allocates nothing inside `log`.
#[test]
fn log_allocates_only_the_string_conversion() {
    let sink = SharedSink::default();
    let logger = Logger::builder()
        .capacity(16_384)
        .sink(sink.clone())
        .format(LineFormat::MessageOnly)
        .build()
        .unwrap();
    logger.log("warm-up");

    let (a0, d0) = (allocs(), deallocs());
    for _ in 0..CALLS {
        logger.log("static text");
    }
    let (a1, d1) = (allocs(), deallocs());
    assert_eq!(
        a1 - a0,
        CALLS,
        "log(&str) must allocate exactly once per call"
    );
    assert_eq!(d1 - d0, CALLS, "and free that String once per call");

    // The empty string converts to `String::new()`, which does not allocate.
    for _ in 0..CALLS {
        logger.log("");
    }
    assert_eq!(allocs(), a1, "log(\"\") must not allocate");

    let owned: Vec<String> = (0..100).map(|i| format!("owned {i}")).collect();
    let a2 = allocs();
    for s in owned {
        logger.log(s);
    }
    assert_eq!(allocs(), a2, "log(String) must not allocate");

    logger.flush();
    let stats = logger.stats();
    assert_eq!(stats.dropped, 0, "{stats:?}");
    assert_eq!(stats.written, 1 + 2 * CALLS + 100, "{stats:?}");
}

/// With the writer held inside the sink, the ring fills; the next 10,000
/// `log_str` calls are all dropped (Full) and none allocates.
#[test]
fn ring_full_drop_path_does_not_allocate() {
    let (entered_tx, entered_rx) = mpsc::channel();
    let (release_tx, release_rx) = mpsc::channel();
    let out = Arc::new(Mutex::new(Vec::new()));
    let logger = Logger::builder()
        .capacity(1) // a 64-byte ring
        .sink(GateSink {
            entered: Some(entered_tx),
            release: Some(release_rx),
            out: out.clone(),
        })
        .format(LineFormat::MessageOnly)
        .build()
        .unwrap();

    logger.log_str(Level::Info, "warm-up");
    entered_rx
        .recv_timeout(Duration::from_secs(30))
        .expect("the writer should reach the sink");
    // The writer consumed "warm-up" and is stuck in the sink: the ring is
    // empty. "static text" takes a 40-byte frame: one fits, no second one.
    logger.log_str(Level::Info, "static text");
    assert_eq!(logger.get_dropped_count(), 0);

    let before = (allocs(), deallocs());
    for _ in 0..CALLS {
        logger.log_str(Level::Info, "static text");
    }
    let after = (allocs(), deallocs());
    let dropped = logger.get_dropped_count();

    release_tx.send(()).unwrap();
    logger.flush();
    assert_eq!(dropped, CALLS, "every call in the loop was dropped");
    assert_eq!(after, before, "the ring-full drop path allocated or freed");
    let stats = logger.stats();
    assert_eq!((stats.written, stats.dropped), (2, CALLS), "{stats:?}");
    let out = String::from_utf8(out.lock().unwrap().clone()).unwrap();
    assert_eq!(
        out,
        format!("warm-up\nstatic text\nllt: {CALLS} messages dropped since the last report\n")
    );
}

/// A record larger than the whole ring takes the other drop branch
/// (TooLarge); it does not allocate either.
#[test]
fn too_large_drop_path_does_not_allocate() {
    // 100 bytes of text: a 116-byte record, larger than the 64-byte ring.
    static BIG: &str = "0123456789012345678901234567890123456789012345678901234567890123456789\
                        012345678901234567890123456789";
    assert_eq!(BIG.len(), 100);
    let logger = Logger::builder()
        .capacity(1)
        .sink(io::sink())
        .build()
        .unwrap();
    logger.log_str(Level::Info, "warm-up");
    let before = (allocs(), deallocs());
    for _ in 0..CALLS {
        logger.log_str(Level::Info, BIG);
    }
    let after = (allocs(), deallocs());
    assert_eq!(after, before, "the too-large drop path allocated or freed");
    assert_eq!(logger.get_dropped_count(), CALLS);
}

/// A thread that alternates between two loggers goes through the slower
/// lookup of its producer table on every call: still no allocation once
/// each logger has been used once.
#[test]
fn alternating_loggers_do_not_allocate() {
    let a = Logger::builder()
        .capacity(16_384)
        .sink(io::sink())
        .build()
        .unwrap();
    let b = Logger::builder()
        .capacity(16_384)
        .sink(io::sink())
        .build()
        .unwrap();
    a.log_str(Level::Info, "warm-up a");
    b.log_str(Level::Info, "warm-up b");
    let before = (allocs(), deallocs());
    for _ in 0..CALLS / 2 {
        a.log_str(Level::Info, "static text");
        b.log_str(Level::Info, "static text");
    }
    let after = (allocs(), deallocs());
    assert_eq!(after, before, "switching loggers allocated or freed");
    a.flush();
    b.flush();
    for logger in [&a, &b] {
        let stats = logger.stats();
        assert_eq!(
            (stats.written, stats.dropped),
            (CALLS / 2 + 1, 0),
            "{stats:?}"
        );
    }
}
