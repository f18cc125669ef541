//! The writer merges the threads' rings into one stream in timestamp
//! order, to the nanosecond.
//!
//! Four threads log at once, in bursts of different lengths, so that the
//! writer finds rings whose next records alternate one by one and rings
//! with long runs, and must switch between them mid-run: it takes a ring's
//! records in a run only up to the next-oldest record of the other rings
//! (`Writer::merge`). The writer is held inside a user `Display` while they
//! log, so every record is published before the pass that merges them:
//! the order must then be exact. (While the writer runs, a record whose
//! thread is preempted between reading the clock and publishing it can
//! come after later ones: the best effort the writer's module docs
//! describe, which this test leaves out.) The records go to a binary log,
//! whose decoder gives each record's timestamp in nanoseconds (the text
//! formats print microseconds), and the test checks that the timestamps
//! never go back, that each thread's lines come in the order it logged
//! them, and that every line is there once.

use std::sync::Barrier;
use std::sync::atomic::AtomicBool;
use std::sync::atomic::Ordering::{Acquire, Release};
use std::thread;
use std::time::Duration;

use llt_decode::Reader;
use llt_rs::{Logger, llt_log};

/// Threads logging at once (more than the machine's cores is fine).
const THREADS: u64 = 4;

/// Lines per thread.
const LINES: u64 = if cfg!(debug_assertions) {
    20_000
} else {
    200_000
};

/// Messages per thread ring: room for all of a thread's lines, which are
/// all logged while the writer is held.
const CAPACITY: usize = (2 * LINES as usize).next_power_of_two();

/// Set by `Gate::fmt` once the writer is inside it.
static ENTERED: AtomicBool = AtomicBool::new(false);
/// Lets `Gate::fmt` return.
static RELEASED: AtomicBool = AtomicBool::new(false);

/// A value whose `Display`, run on the writer thread, holds the writer
/// until `RELEASED`.
#[derive(Debug, Clone, Copy)]
struct Gate;

impl std::fmt::Display for Gate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Release/Acquire: plain flags between the test and the writer.
        ENTERED.store(true, Release);
        while !RELEASED.load(Acquire) {
            thread::sleep(Duration::from_millis(1));
        }
        f.write_str("gate")
    }
}

/// Logs `LINES` lines, in bursts of `burst` lines with a short pause
/// between them (so that the other threads' records come in between).
fn log_bursts(logger: &Logger, thread: u64, burst: u64, start: &Barrier) {
    start.wait();
    for i in 0..LINES {
        llt_log!(logger, "{} {}", thread, i);
        if i % burst == burst - 1 {
            for _ in 0..200 {
                std::hint::spin_loop();
            }
        }
    }
}

#[test]
fn the_writer_merges_rings_in_timestamp_order() {
    let dir = std::env::temp_dir().join(format!("llt-merge-order-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("merge.lltb");
    let logger = Logger::builder()
        .capacity(CAPACITY)
        .binary_file(&path)
        .build()
        .unwrap();
    llt_log!(logger, "{}", Gate);
    while !ENTERED.load(Acquire) {
        thread::sleep(Duration::from_millis(1));
    }
    // All start at once, so that their records interleave.
    let start = std::sync::Arc::new(Barrier::new(THREADS as usize));
    let threads: Vec<_> = (0..THREADS)
        .map(|t| {
            let (logger, start) = (logger.clone(), start.clone());
            // Bursts of 1, 7, 49 and 343 lines.
            let burst = 7u64.pow(t as u32);
            thread::spawn(move || log_bursts(&logger, t, burst, &start))
        })
        .collect();
    for handle in threads {
        handle.join().unwrap();
    }
    RELEASED.store(true, Release);
    logger.flush();
    assert_eq!(logger.stats().dropped, 0, "the rings are large enough");
    drop(logger);

    let bytes = std::fs::read(&path).unwrap();
    let mut reader = Reader::new(&bytes[..]);
    let mut next = vec![0u64; THREADS as usize];
    let (mut last_nanos, mut lines, mut backwards) = (0u64, 0u64, Vec::new());
    while let Some(record) = reader.next_record().expect("the log decodes") {
        if record.message == "gate" {
            continue;
        }
        let mut words = record.message.split(' ');
        let (Some(thread), Some(i), None) = (words.next(), words.next(), words.next()) else {
            panic!("unexpected line {:?}", record.message);
        };
        let (thread, i): (usize, u64) = (thread.parse().unwrap(), i.parse().unwrap());
        assert_eq!(
            i, next[thread],
            "thread {thread}'s lines in the order it logged them"
        );
        next[thread] += 1;
        if record.unix_nanos < last_nanos && backwards.len() < 5 {
            backwards.push(format!(
                "line {lines} ({:?}) at {} ns, after {} ns",
                record.message, record.unix_nanos, last_nanos
            ));
        }
        last_nanos = last_nanos.max(record.unix_nanos);
        lines += 1;
    }
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(lines, THREADS * LINES, "every line written once");
    assert!(
        backwards.is_empty(),
        "timestamps went back:\n{}",
        backwards.join("\n")
    );
}
