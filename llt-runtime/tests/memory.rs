//! Resident memory of a thread's ring: what the capacity says, not twice it.
//!
//! A ring of `capacity` bytes has a buffer of twice that (the second half is
//! the spill area for records that straddle the wrap point), but only the
//! first half should ever be resident, plus the page or two that straddling
//! records touch; and a thread's first log touches at most the first MiB of
//! it, so that huge capacities stay cheap until they are used.
//!
//! Measured as the growth of the process's anonymous resident memory
//! (`/proc/self/statm`: resident minus shared pages, so code pages mapped in
//! by running new code do not count) across one thread's first log, and
//! across the laps it then logs. This file has a single test, so that no
//! other test of the same binary allocates while it measures. Linux only.
#![cfg(target_os = "linux")]

use std::io;
use std::thread;

use llt_runtime::logger::{BYTES_PER_MESSAGE, MAX_CAPACITY};
use llt_runtime::{Level, Logger};

const KIB: usize = 1024;
const MIB: usize = 1024 * KIB;

/// Allocations a first log makes besides the ring (the ring's shared state,
/// the writer's list of rings), and pages the writer may touch meanwhile.
const SLACK: usize = 64 * KIB;

/// A 48-byte message: with its 16-byte record header and 8-byte frame
/// header it takes more than [`BYTES_PER_MESSAGE`] bytes, so `capacity`
/// of them fill the ring at least once.
const MESSAGE: &str = "0123456789abcdef0123456789abcdef0123456789abcdef";

/// The process's anonymous resident memory, in bytes.
fn anon_resident() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
    let fields: Vec<usize> = statm
        .split_whitespace()
        .map(|field| field.parse().unwrap())
        .collect();
    // SAFETY: `sysconf` has no preconditions.
    let page = usize::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) }).unwrap();
    (fields[1] - fields[2]) * page
}

/// A logger with rings of `messages` messages that writes nowhere.
fn logger(messages: usize) -> Logger {
    Logger::builder()
        .capacity(messages)
        .sink(io::sink())
        .build()
        .unwrap()
}

/// Logs `count` messages, flushing every half ring so that none is dropped.
fn log_laps(logger: &Logger, messages: usize, count: usize) {
    for i in 0..count {
        logger.log_str(Level::Info, MESSAGE);
        if i % (messages / 2) == 0 {
            logger.flush();
        }
    }
    logger.flush();
}

/// What one thread's logging to `logger` added to the resident memory:
/// at its first log, and after `laps` laps of its ring.
struct Growth {
    first_log: usize,
    after_laps: usize,
}

/// Runs a new thread that first warms up (its allocator arena and llt's
/// thread-local table, through a tiny logger), then logs to `logger` once
/// and then `laps` times its capacity of messages.
fn thread_growth(logger: &Logger, messages: usize, laps: usize) -> Growth {
    let tiny = crate::logger(1);
    thread::scope(|scope| {
        scope
            .spawn(|| {
                tiny.log_str(Level::Info, "warm up");
                let before = anon_resident();
                logger.log_str(Level::Info, MESSAGE);
                let first_log = anon_resident().saturating_sub(before);
                log_laps(logger, messages, laps * messages);
                let after_laps = anon_resident().saturating_sub(before);
                Growth {
                    first_log,
                    after_laps,
                }
            })
            .join()
            .unwrap()
    })
}

/// Records `message` as a failure unless `ok`.
fn check(failures: &mut Vec<String>, ok: bool, message: String) {
    if !ok {
        failures.push(message);
    }
}

#[test]
fn a_threads_ring_is_resident_up_to_its_capacity_only() {
    // Every case runs and reports its figures; the test fails at the end.
    let mut failures = Vec::new();
    // 4096 messages: a 256 KiB ring, resident in full at the first log
    // (prefaulted), and still 256 KiB after the thread has gone round it
    // three times.
    let messages = 4096;
    let ring = messages * BYTES_PER_MESSAGE;
    let small = logger(messages);
    // The writer's line buffer and this test's code reach full size first.
    log_laps(&small, messages, 3 * messages);
    let growth = thread_growth(&small, messages, 3);
    eprintln!(
        "capacity {messages}: +{} KiB at the first log, +{} KiB after 3 laps",
        growth.first_log / KIB,
        growth.after_laps / KIB
    );
    assert_eq!(small.stats().dropped, 0, "every lap was logged");
    check(
        &mut failures,
        growth.first_log >= ring - 16 * KIB && growth.first_log <= ring + SLACK,
        format!(
            "a {} KiB ring added {} KiB at the thread's first log",
            ring / KIB,
            growth.first_log / KIB
        ),
    );
    check(
        &mut failures,
        growth.after_laps <= ring + SLACK,
        format!(
            "a {} KiB ring added {} KiB after 3 laps: the spill half is resident",
            ring / KIB,
            growth.after_laps / KIB
        ),
    );
    drop(small);

    // 1 Mi messages: a 64 MiB ring; its 128 MiB buffer must not be resident.
    let messages = 1 << 20;
    let ring = messages * BYTES_PER_MESSAGE;
    let large = logger(messages);
    let growth = thread_growth(&large, messages, 0);
    eprintln!(
        "capacity {messages}: +{} KiB at the first log",
        growth.first_log / KIB
    );
    check(
        &mut failures,
        growth.first_log <= ring + SLACK,
        format!(
            "a {} MiB ring added {} MiB at the thread's first log",
            ring / MIB,
            growth.first_log / MIB
        ),
    );
    drop(large);

    // MAX_CAPACITY: a 1 GiB ring; the first log touches a bounded part.
    let huge = logger(MAX_CAPACITY);
    let growth = thread_growth(&huge, MAX_CAPACITY, 0);
    eprintln!(
        "capacity {MAX_CAPACITY}: +{} KiB at the first log",
        growth.first_log / KIB
    );
    check(
        &mut failures,
        growth.first_log <= 8 * MIB,
        format!(
            "a 1 GiB ring added {} MiB at the thread's first log",
            growth.first_log / MIB
        ),
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
