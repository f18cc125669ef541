//! Logging a derived struct with `String` fields, a `&[u8]`, a `Vec<f64>`
//! and an `Option<&str>` allocates nothing on the calling thread: the
//! values are copied into the ring, and only the writer rebuilds them.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use llt_rs::{LineFormat, Loggable, Logger, MemorySink, llt_log};

thread_local! {
    /// Set while this thread's allocations are counted.
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    /// Allocations made by this thread while counting.
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

/// Counts the calling thread's allocations while `COUNTING` is set.
struct CountingAllocator;

// SAFETY: forwards every call to the system allocator; the counting uses
// const-initialised thread-locals, which do not allocate.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.try_with(Cell::get).unwrap_or(false) {
            let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        }
        // SAFETY: same contract as ours.
        unsafe { System.alloc(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if COUNTING.try_with(Cell::get).unwrap_or(false) {
            let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        }
        // SAFETY: same contract as ours.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

#[derive(Debug, Loggable)]
struct Order {
    id: String,
    venue: String,
    px: f64,
    qty: u32,
}

/// Runs `f` and returns how many allocations this thread made in it.
fn allocations_in(f: impl FnOnce()) -> u64 {
    ALLOCATIONS.with(|n| n.set(0));
    COUNTING.with(|c| c.set(true));
    f();
    COUNTING.with(|c| c.set(false));
    ALLOCATIONS.with(Cell::get)
}

#[test]
fn loggable_values_do_not_allocate_on_the_calling_thread() {
    let sink = MemorySink::new();
    let logger = Logger::builder()
        .sink(sink.clone())
        .format(LineFormat::MessageOnly)
        .build()
        .unwrap();
    // The thread's first line creates its ring (which allocates).
    llt_log!(logger, "warm up");

    let order = Order {
        id: "A-17".into(),
        venue: "XNAS".into(),
        px: 101.5,
        qty: 3,
    };
    let packet: &[u8] = &[0xde, 0xad, 0xbe, 0xef];
    let samples: Vec<f64> = vec![0.5, 1.5, -2.0];
    let note: Option<&str> = Some("partial");

    let counted = allocations_in(|| {
        llt_log!(logger, "{order:?}");
        llt_log!(logger, "{:x?}", packet);
        llt_log!(logger, "{samples:?}");
        llt_log!(logger, "{note:?}");
        llt_log!(logger, "{:?} {:?} {:?} {:?}", order, packet, samples, note);
    });

    // The counter itself works: an allocation in the same window counts.
    let control = allocations_in(|| drop(std::hint::black_box(String::from("x"))));
    assert_eq!(control, 1);

    assert_eq!(counted, 0, "llt_log! allocated on the calling thread");
    logger.flush();
    let lines = sink.take_lines();
    assert_eq!(
        lines[1..],
        [
            format!("{order:?}"),
            format!("{packet:x?}"),
            format!("{samples:?}"),
            format!("{note:?}"),
            format!("{order:?} {packet:?} {samples:?} {note:?}"),
        ]
    );
    assert_eq!(logger.stats().dropped, 0);
}
