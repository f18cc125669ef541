//! Loom models of the ring: one producer thread, one consumer thread, a ring
//! of the minimum capacity (64 bytes, a 128-byte buffer), every interleaving
//! up to a preemption bound.
//!
//! Run with
//! `RUSTFLAGS="--cfg loom" CARGO_TARGET_DIR=target/loom cargo test -p llt-runtime --test loom_ring --release -- --nocapture`.
//! Under `--cfg loom` the ring's `AccessTracker` marks the byte ranges each
//! end touches, so a read of bytes not yet published (or a write of bytes not
//! yet released) fails the model as a causality violation.
//!
//! Each model has its own preemption bound (4 or 5), chosen so that the whole
//! file runs in well under a minute in release mode; `LOOM_MAX_PREEMPTIONS`
//! overrides it. Every model prints how many executions loom explored.
#![cfg(loom)]

use std::sync::Arc as StdArc;
use std::sync::atomic::{AtomicUsize as StdAtomicUsize, Ordering};
use std::time::Instant;

use llt_runtime::ring::{Consumer, Producer, PushError, frame_len, ring};
use loom::thread;

const CAPACITY: usize = 64;

/// A payload of `len` bytes, all different from those of other `tag`s.
fn record(tag: u8, len: usize) -> Vec<u8> {
    (0..len).map(|i| tag.wrapping_mul(37) ^ i as u8).collect()
}

/// Runs `f` under loom with `preemption_bound` (unless `LOOM_MAX_PREEMPTIONS`
/// is set), and prints how many executions were explored and how long it
/// took.
fn check(name: &str, preemption_bound: usize, f: impl Fn() + Sync + Send + 'static) {
    let iterations = StdArc::new(StdAtomicUsize::new(0));
    let counter = iterations.clone();
    let mut builder = loom::model::Builder::new();
    if builder.preemption_bound.is_none() {
        builder.preemption_bound = Some(preemption_bound);
    }
    builder.max_branches = 100_000;
    let bound = builder.preemption_bound;
    let start = Instant::now();
    builder.check(move || {
        counter.fetch_add(1, Ordering::Relaxed);
        f();
    });
    println!(
        "loom {name}: {} executions, preemption bound {bound:?}, {:.2?}",
        iterations.load(Ordering::Relaxed),
        start.elapsed()
    );
}

/// Pushes `payload`, yielding to the consumer while the ring is full.
fn push_blocking(producer: &mut Producer, payload: &[u8]) {
    loop {
        match producer.push(payload) {
            Ok(()) => return,
            Err(PushError::Full) => thread::yield_now(),
            Err(PushError::TooLarge) => panic!("{} bytes too large", payload.len()),
        }
    }
}

/// Pops `n` records with `pop_copy`, yielding while the ring is empty.
fn pop_n(consumer: &mut Consumer, n: usize) -> Vec<Vec<u8>> {
    let mut got = Vec::with_capacity(n);
    while got.len() < n {
        match consumer.pop_copy() {
            Some(r) => got.push(r),
            None => thread::yield_now(),
        }
    }
    got
}

/// (a) Three records, the second of which straddles the wrap point: frames
/// of 32, 48 and 16 bytes at virtual 0, 32 (to 80, across 64) and 80. The
/// third is written (at physical 16..32) while the second may still be
/// unread in physical 32..80, i.e. partly in the spill area.
#[test]
fn straddling_record_concurrent_pop() {
    check("straddling_record_concurrent_pop", 5, || {
        let records: Vec<_> = [24, 40, 8]
            .iter()
            .enumerate()
            .map(|(i, &len)| record(i as u8 + 1, len))
            .collect();
        let frames: Vec<_> = records.iter().map(|r| frame_len(r.len())).collect();
        assert_eq!(frames, [32, 48, 16]);
        let (mut producer, mut consumer) = ring(CAPACITY);
        let expected = records.clone();
        let handle = thread::spawn(move || {
            for r in &records {
                push_blocking(&mut producer, r);
            }
        });
        let got = pop_n(&mut consumer, 3);
        handle.join().unwrap();
        assert_eq!(got, expected);
        assert_eq!(consumer.pop_copy(), None);
    });
}

/// (b) The producer laps the consumer three times: four 48-byte frames
/// (only one fits at a time) at virtual 0, 48, 96 and 144; the second and
/// third straddle the wrap point and reuse the spill area.
#[test]
fn producer_laps_consumer() {
    check("producer_laps_consumer", 5, || {
        let records: Vec<_> = (1..=4).map(|tag| record(tag, 40)).collect();
        let (mut producer, mut consumer) = ring(CAPACITY);
        let expected = records.clone();
        let handle = thread::spawn(move || {
            for r in &records {
                push_blocking(&mut producer, r);
            }
        });
        let got = pop_n(&mut consumer, 4);
        handle.join().unwrap();
        assert_eq!(got, expected);
        assert_eq!(consumer.pop_copy(), None);
    });
}

/// (b') Lapping without waiting: the producer pushes 168 bytes of frames
/// once each and drops those that find the ring full; the consumer drains
/// until the ring is finished. What arrives is exactly the records that
/// were not dropped, in order and intact.
#[test]
fn producer_laps_consumer_with_drops() {
    check("producer_laps_consumer_with_drops", 4, || {
        let records: Vec<_> = [24, 16, 40, 8, 40]
            .iter()
            .enumerate()
            .map(|(i, &len)| record(i as u8 + 1, len))
            .collect();
        assert_eq!(
            records.iter().map(|r| frame_len(r.len())).sum::<usize>(),
            168
        );
        let (mut producer, mut consumer) = ring(CAPACITY);
        let all = records.clone();
        let handle = thread::spawn(move || {
            let mut pushed = Vec::new();
            for (i, r) in records.iter().enumerate() {
                match producer.push(r) {
                    Ok(()) => pushed.push(i),
                    Err(PushError::Full) => {}
                    Err(PushError::TooLarge) => panic!("too large"),
                }
            }
            pushed
        });
        let mut got = Vec::new();
        loop {
            if let Some(r) = consumer.pop_copy() {
                got.push(r);
            } else if consumer.is_finished() {
                break;
            } else {
                thread::yield_now();
            }
        }
        let pushed = handle.join().unwrap();
        // The first two (56 bytes) always fit in the empty ring.
        assert_eq!(pushed[..2], [0, 1]);
        let expected: Vec<_> = pushed.iter().map(|&i| all[i].clone()).collect();
        assert_eq!(got, expected);
    });
}

/// (a') The ring fills up exactly (`tail - head == capacity`): frames of 16
/// and 48 bytes, then 24 and 32. The third (virtual 64..88, physical 0..24)
/// may be written only once the second (physical 16..64) has been read, not
/// merely the first: its last 8 bytes are the second's frame header.
#[test]
fn exactly_full_ring_concurrent_pop() {
    check("exactly_full_ring_concurrent_pop", 5, || {
        let records: Vec<_> = [8, 40, 16, 24]
            .iter()
            .enumerate()
            .map(|(i, &len)| record(i as u8 + 1, len))
            .collect();
        let frames: Vec<_> = records.iter().map(|r| frame_len(r.len())).collect();
        assert_eq!(frames, [16, 48, 24, 32]);
        let (mut producer, mut consumer) = ring(CAPACITY);
        let expected = records.clone();
        let handle = thread::spawn(move || {
            for r in &records {
                push_blocking(&mut producer, r);
            }
        });
        let got = pop_n(&mut consumer, 4);
        handle.join().unwrap();
        assert_eq!(got, expected);
        assert_eq!(consumer.pop_copy(), None);
    });
}

/// (c) Batched publication: the consumer reads with refresh/peek/advance and
/// calls `release` only at the end, so the producer gets space back only
/// through the automatic release every 16 bytes (a quarter of the ring).
/// Frames of 16, 32, 48 and 8 bytes: the third (virtual 48..96, straddling)
/// needs the first two released, the fourth (96..104) needs head >= 40.
#[test]
fn batched_publication_with_auto_release() {
    check("batched_publication_with_auto_release", 5, || {
        let records: Vec<_> = [8, 24, 40, 0]
            .iter()
            .enumerate()
            .map(|(i, &len)| record(i as u8 + 1, len))
            .collect();
        let frames: Vec<_> = records.iter().map(|r| frame_len(r.len())).collect();
        assert_eq!(frames, [16, 32, 48, 8]);
        let (mut producer, mut consumer) = ring(CAPACITY);
        let expected = records.clone();
        let handle = thread::spawn(move || {
            for r in &records {
                push_blocking(&mut producer, r);
            }
        });
        let mut got: Vec<Vec<u8>> = Vec::new();
        while got.len() < expected.len() {
            if consumer.refresh() {
                while let Some(r) = consumer.peek() {
                    // Each record is seen exactly once, in order.
                    assert_eq!(r, &expected[got.len()][..]);
                    got.push(r.to_vec());
                    consumer.advance();
                }
                assert_eq!(consumer.peek(), None);
            } else {
                thread::yield_now();
            }
        }
        consumer.release();
        handle.join().unwrap();
        assert_eq!(got, expected);
        assert!(!consumer.refresh());
    });
}

/// (d) The producer pushes three records (the second straddling, the third
/// waiting for space) and is dropped while the consumer drains;
/// `is_finished` turns true only once every record has been read.
#[test]
fn producer_dropped_while_draining() {
    check("producer_dropped_while_draining", 5, || {
        let records: Vec<_> = [24, 40, 8]
            .iter()
            .enumerate()
            .map(|(i, &len)| record(i as u8 + 1, len))
            .collect();
        let (mut producer, mut consumer) = ring(CAPACITY);
        let expected = records.clone();
        let handle = thread::spawn(move || {
            for r in &records {
                push_blocking(&mut producer, r);
            }
            drop(producer);
        });
        let mut got = Vec::new();
        loop {
            if let Some(r) = consumer.pop_copy() {
                got.push(r);
            } else if consumer.is_finished() {
                // Only after the last record.
                assert_eq!(got.len(), expected.len());
                break;
            } else {
                thread::yield_now();
            }
        }
        assert_eq!(got, expected);
        assert_eq!(consumer.pop_copy(), None);
        assert!(consumer.is_finished());
        handle.join().unwrap();
    });
}

/// (d') As (d), but the consumer uses peek/advance and never calls
/// `release` (only the automatic one), and asks `is_finished` before every
/// record: it must stay false until every record has been read.
#[test]
fn producer_dropped_is_finished_only_when_drained() {
    check("producer_dropped_is_finished_only_when_drained", 4, || {
        let records: Vec<_> = [16, 0, 8, 40, 24]
            .iter()
            .enumerate()
            .map(|(i, &len)| record(i as u8 + 1, len))
            .collect();
        let (mut producer, mut consumer) = ring(CAPACITY);
        let expected = records.clone();
        let handle = thread::spawn(move || {
            for r in &records {
                push_blocking(&mut producer, r);
            }
        });
        let mut got = Vec::new();
        loop {
            if consumer.is_finished() {
                // Nothing is left, not even after a fresh look.
                assert_eq!(consumer.peek(), None);
                assert!(!consumer.refresh());
                break;
            }
            // (`is_finished` does not refresh while the producer lives.)
            if consumer.peek().is_none() && !consumer.refresh() {
                thread::yield_now();
                continue;
            }
            let r = consumer.peek().expect("refresh said a record is unread");
            got.push(r.to_vec());
            consumer.advance();
        }
        assert_eq!(got, expected);
        handle.join().unwrap();
    });
}
