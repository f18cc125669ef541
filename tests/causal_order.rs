//! Causally ordered lines of different threads come out in causal order.
//!
//! Two threads take turns through one atomic counter: the thread whose turn
//! it is logs the counter's value `k`, then hands the turn over with a
//! Release store of `k + 1`; the other thread spins on an Acquire load until
//! it sees `k + 1` and logs that. So line `k` is logged before line `k + 1`
//! in the happens-before sense, and the output must be exactly
//! `0, 1, 2, ...`. The writer merges the two rings by timestamp, so this
//! holds only if a timestamp is taken after the loads that precede it (a
//! plain `rdtsc` may execute before the flag load and stamp `k + 1` earlier
//! than `k`).
//!
//! Size: [`RUNS`] runs of [`HANDOFFS`] hand-offs each: 20 × 200,000 in
//! release builds, 20 × 20,000 in debug builds. Only the release build
//! reliably caught the unordered `rdtsc` (all 20 runs failed, 1,400 to
//! 24,000 inversions each); unoptimized code runs so many instructions
//! between the flag load and the clock reading that the CPU does not
//! reorder them, and 20 × 50,000 debug hand-offs passed on that code. Run
//! `cargo test --release --test causal_order` to check the clock.

use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::sync::atomic::Ordering::{Acquire, Release};
use std::thread;

use llt_rs::{LineFormat, Logger, MemorySink, llt_log};

/// Independent runs, each with a fresh logger and fresh threads.
const RUNS: usize = 20;

/// Lines per run, alternating between the two threads.
const HANDOFFS: u64 = if cfg!(debug_assertions) {
    20_000
} else {
    200_000
};

/// Messages per thread ring: room for all of one thread's lines (8 MiB of
/// ring for about 3.2 MB of records), so none is ever dropped even if the
/// writer does not run until the end.
const CAPACITY: usize = 1 << 17;

/// Spins before a waiting thread starts yielding its core (the machine may
/// have fewer cores than the two threads and the writer need).
const SPINS_BEFORE_YIELD: u32 = 100;

/// Logs every `k < HANDOFFS` with `k % 2 == parity`, each after the other
/// thread's `k - 1`.
fn take_turns(logger: &Logger, turn: &AtomicU64, parity: u64) {
    let mut k = parity;
    while k < HANDOFFS {
        let mut spins = 0;
        // Acquire: pairs with the other thread's Release store of `k`, so
        // its line `k - 1` was logged before we log `k`.
        while turn.load(Acquire) != k {
            spins += 1;
            if spins < SPINS_BEFORE_YIELD {
                std::hint::spin_loop();
            } else {
                thread::yield_now();
            }
        }
        llt_log!(logger, "{}", k);
        // Release: our line `k` is logged before the other thread sees
        // `k + 1` and logs its line.
        turn.store(k + 1, Release);
        k += 2;
    }
}

/// Number of adjacent pairs of lines that are out of order.
fn inversions(values: &[u64]) -> usize {
    values.windows(2).filter(|pair| pair[1] < pair[0]).count()
}

#[test]
fn lines_handed_off_between_threads_keep_their_causal_order() {
    let mut failures = Vec::new();
    for run in 0..RUNS {
        let sink = MemorySink::new();
        let logger = Logger::builder()
            .capacity(CAPACITY)
            .format(LineFormat::MessageOnly)
            .sink(sink.clone())
            .build()
            .unwrap();
        let turn = Arc::new(AtomicU64::new(0));
        let threads: Vec<_> = (0..2)
            .map(|parity| {
                let (logger, turn) = (logger.clone(), turn.clone());
                thread::spawn(move || take_turns(&logger, &turn, parity))
            })
            .collect();
        for handle in threads {
            handle.join().unwrap();
        }
        logger.flush();
        assert_eq!(
            logger.stats().dropped,
            0,
            "run {run}: the ring is large enough"
        );
        let values: Vec<u64> = sink
            .take_lines()
            .iter()
            .map(|line| line.parse().unwrap())
            .collect();
        assert_eq!(
            values.len() as u64,
            HANDOFFS,
            "run {run}: every line written"
        );
        let mut sorted = values.clone();
        sorted.sort_unstable();
        assert!(
            sorted.iter().copied().eq(0..HANDOFFS),
            "run {run}: each line exactly once"
        );
        let count = inversions(&values);
        if count > 0 {
            let first = values.windows(2).position(|pair| pair[1] < pair[0]);
            failures.push(format!(
                "run {run}: {count} inversions, the first after line {:?}",
                first.map(|i| values[i])
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {RUNS} runs of {HANDOFFS} hand-offs had lines out of causal order:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
