//! Logging from a real-time callback: the writer thread is pinned to the last
//! core, the callback only copies a few bytes per line into its ring, and a
//! counting allocator proves it never allocates.
//!
//! Run: `cargo run --release --example audio_callback`

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::time::Instant;

use llt_rs::{Logger, llt_log, llt_warn};

/// Counts allocations made by the current thread.
struct CountingAllocator;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

// SAFETY: forwards to the system allocator; the counter is a thread-local
// `Cell` with a const initialiser, which never allocates.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        // SAFETY: same contract as ours.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

const SAMPLE_RATE: u32 = 48_000;
const FRAMES: usize = 256;

/// One audio block: a sine wave's peak, and a log line per block.
fn process_block(logger: &Logger, block: u64, buffer: &mut [f32; FRAMES]) {
    let start = Instant::now();
    let mut peak = 0.0_f32;
    for (i, sample) in buffer.iter_mut().enumerate() {
        let t = (block * FRAMES as u64 + i as u64) as f32 / SAMPLE_RATE as f32;
        *sample = (t * 440.0 * std::f32::consts::TAU).sin();
        peak = peak.max(sample.abs());
    }
    let took = start.elapsed();
    llt_log!(
        logger,
        "block {block}: peak {peak:.3}, processed in {took:?}"
    );
    if took.as_micros() > 500 {
        llt_warn!(logger, "block {block} is late: {took:?}");
    }
}

fn main() {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let logger = Logger::builder()
        .capacity(1 << 14)
        .pin_to_core(cores - 1)
        .build()
        .expect("logger");

    let callback_logger = logger.clone();
    let allocations = std::thread::spawn(move || {
        let mut buffer = [0.0_f32; FRAMES];
        // The thread's first log creates its ring: do it before the loop.
        llt_log!(
            callback_logger,
            "audio thread ready ({FRAMES} frames at {SAMPLE_RATE} Hz)"
        );
        let before = ALLOCATIONS.with(Cell::get);
        for block in 0..1_000 {
            process_block(&callback_logger, block, &mut buffer);
        }
        ALLOCATIONS.with(Cell::get) - before
    })
    .join()
    .expect("the audio thread panicked");

    logger.flush();
    eprintln!(
        "allocations in 1,000 callbacks: {allocations}; dropped lines: {}",
        logger.get_dropped_count()
    );
    assert_eq!(allocations, 0, "the callback allocated");
}
