//! A `tracing` event through `TracingLayer` does not allocate on the
//! calling thread once its buffers are warm: typed fields are copied, the
//! message and `Debug` fields are formatted into reused per-thread buffers.
//! Counted by a global allocator that keeps one counter per thread, so the
//! writer thread's allocations do not count.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use llt_rs::{Logger, MemorySink};
use llt_runtime::bridge::TracingLayer;
use tracing_subscriber::layer::SubscriberExt;

struct CountingAlloc;

thread_local! {
    /// Allocations (`alloc`, `alloc_zeroed`, `realloc`) made by this thread.
    static ALLOCS: Cell<u64> = const { Cell::new(0) };
}

// SAFETY: every method forwards to `System` with the same arguments and
// only additionally bumps a const-initialised thread-local counter, which
// neither allocates nor unwinds.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCS.try_with(|c| c.set(c.get() + 1));
        // SAFETY: forwarded from the caller.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCS.try_with(|c| c.set(c.get() + 1));
        // SAFETY: forwarded from the caller.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = ALLOCS.try_with(|c| c.set(c.get() + 1));
        // SAFETY: forwarded from the caller.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded from the caller.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: CountingAlloc = CountingAlloc;

#[test]
fn events_do_not_allocate_once_warm() {
    let sink = MemorySink::new();
    let logger = Logger::builder()
        .sink(sink.clone())
        .build()
        .expect("logger");
    let subscriber = tracing_subscriber::registry().with(TracingLayer::new(logger.clone()));
    const EVENTS: u64 = 200;
    tracing::subscriber::with_default(subscriber, || {
        let _span = tracing::info_span!("order").entered();
        let event = |i: u64| {
            tracing::info!(qty = i, px = 1.5, venue = "XNYS", side = ?Some(i), "filled {i}");
        };
        // Creates the ring and grows the buffers to their largest.
        event(u64::MAX);
        let before = ALLOCS.with(Cell::get);
        for i in 1..=EVENTS {
            event(i);
        }
        let allocations = ALLOCS.with(Cell::get) - before;
        assert_eq!(
            allocations, 0,
            "{allocations} allocations in {EVENTS} events"
        );
    });
    logger.flush();
    let stats = logger.stats();
    assert_eq!(stats.written + stats.dropped, EVENTS + 1);
    assert!(
        sink.take_lines()[1].ends_with("order: filled 1 qty=1 px=1.5 venue=\"XNYS\" side=Some(1)")
    );
}
