//! Integration tests of the public `llt_runtime::ring` API: framing, the
//! spill area for records straddling the wrap point, full and oversize
//! records, batched head publication, shutdown, and a two-thread stress test.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;

use llt_runtime::ring::{
    Consumer, FRAME_ALIGN, FRAME_HEADER, MIN_CAPACITY, Producer, PushError, frame_len, ring,
};

/// Deterministic payload bytes for record `seed`, different for every seed
/// and every position so that a misplaced or stale byte is noticed.
fn pattern(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03;
    (0..len)
        .map(|_| {
            // xorshift64*
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 56) as u8
        })
        .collect()
}

/// Pushes `payload`, panicking with context if the ring refuses it.
#[track_caller]
fn push_ok(producer: &mut Producer, payload: &[u8]) {
    if let Err(e) = producer.push(payload) {
        panic!(
            "push of {} bytes failed: {e:?} ({producer:?})",
            payload.len()
        );
    }
}

/// Pops one record, which must exist and equal `expected`.
#[track_caller]
fn pop_eq(consumer: &mut Consumer, expected: &[u8]) {
    match consumer.pop_copy() {
        Some(got) => assert_eq!(got, expected, "popped record differs ({consumer:?})"),
        None => panic!("expected a record of {} bytes, ring empty", expected.len()),
    }
}

/// Moves both ends (ring empty) to virtual position `*pos` advanced so that
/// its physical offset is `target`, by pushing and popping one filler record.
fn move_to_offset(
    producer: &mut Producer,
    consumer: &mut Consumer,
    pos: &mut usize,
    target: usize,
    seed: u64,
) {
    let capacity = producer.capacity();
    let distance = (target + capacity - *pos % capacity) % capacity;
    if distance == 0 {
        return;
    }
    assert!(distance >= FRAME_HEADER && distance.is_multiple_of(FRAME_ALIGN));
    let filler = pattern(seed, distance - FRAME_HEADER);
    assert_eq!(frame_len(filler.len()), distance);
    push_ok(producer, &filler);
    pop_eq(consumer, &filler);
    *pos += distance;
    assert_eq!(*pos % capacity, target);
}

#[test]
fn frame_len_rounds_up_to_alignment() {
    assert_eq!(FRAME_HEADER, 8);
    assert_eq!(FRAME_ALIGN, 8);
    for payload in 0..200 {
        let len = frame_len(payload);
        assert_eq!(len % FRAME_ALIGN, 0);
        assert!(len >= FRAME_HEADER + payload);
        assert!(len < FRAME_HEADER + payload + FRAME_ALIGN);
    }
}

#[test]
fn capacity_is_reported_by_both_ends() {
    for shift in 6..=16 {
        let (producer, consumer) = ring(1 << shift);
        assert_eq!(producer.capacity(), 1 << shift);
        assert_eq!(consumer.capacity(), 1 << shift);
    }
}

#[test]
#[should_panic(expected = "power of two")]
fn capacity_below_minimum_panics() {
    let _ = ring(MIN_CAPACITY / 2);
}

#[test]
#[should_panic(expected = "power of two")]
fn capacity_not_power_of_two_panics() {
    let _ = ring(96);
}

#[test]
fn empty_ring_pops_nothing() {
    let (_producer, mut consumer) = ring(64);
    assert_eq!(consumer.peek(), None);
    assert!(!consumer.refresh());
    assert_eq!(consumer.peek(), None);
    assert_eq!(consumer.pop_copy(), None);
    assert!(!consumer.is_finished(), "producer is still alive");
}

/// Every (physical offset, payload size) pair whose frame crosses the wrap
/// point, with a following record that starts right after the spill, and a
/// preceding unread record in front whenever it fits.
#[test]
fn records_straddling_the_wrap_point_are_byte_exact() {
    let mut seed = 0;
    let mut straddled = 0;
    for capacity in [64, 128, 256, 512] {
        let (mut producer, mut consumer) = ring(capacity);
        let mut pos = 0usize; // virtual position of both ends (ring empty)
        for offset in (0..capacity).step_by(FRAME_ALIGN) {
            for size in 0..=capacity - FRAME_HEADER {
                let len = frame_len(size);
                if offset + len <= capacity {
                    continue; // does not straddle
                }
                seed += 1;
                // Put an unread record just before the straddler when there
                // is room for both, so the straddler is written while older
                // bytes are still live.
                let before_len = capacity - len;
                let before = if before_len >= FRAME_HEADER && offset >= before_len {
                    move_to_offset(
                        &mut producer,
                        &mut consumer,
                        &mut pos,
                        offset - before_len,
                        seed,
                    );
                    let before = pattern(!seed, before_len - FRAME_HEADER);
                    push_ok(&mut producer, &before);
                    pos += before_len;
                    Some(before)
                } else {
                    move_to_offset(&mut producer, &mut consumer, &mut pos, offset, seed);
                    None
                };
                assert_eq!(pos % capacity, offset);
                let start = pos;
                let record = pattern(seed.wrapping_mul(31), size);
                push_ok(&mut producer, &record);
                pos += len;
                // The virtual range [start, start + len) crosses a multiple
                // of the capacity.
                assert!(start / capacity != (pos - 1) / capacity);
                straddled += 1;

                // The ring is now exactly full when there was a record before.
                if before.is_some() {
                    assert_eq!(producer.push(&[]), Err(PushError::Full));
                    pop_eq(&mut consumer, before.as_deref().unwrap());
                }
                // A follower starts at physical `spill`, right after the bytes
                // the straddler logically occupies past the wrap point.
                let room = capacity - len;
                let follower = if room >= FRAME_HEADER {
                    let f = pattern(seed ^ 0xABCD, (room - FRAME_HEADER).min(24));
                    push_ok(&mut producer, &f);
                    pos += frame_len(f.len());
                    Some(f)
                } else {
                    None
                };
                pop_eq(&mut consumer, &record);
                if let Some(f) = follower {
                    pop_eq(&mut consumer, &f);
                }
                assert_eq!(consumer.pop_copy(), None);
            }
        }
    }
    assert!(straddled > 10_000, "only {straddled} straddling records");
}

/// Two consecutive straddling records a lap apart: the second reuses the
/// spill area of the first, which must be fully read by then.
#[test]
fn consecutive_laps_reuse_the_spill_area() {
    let capacity = 64;
    let (mut producer, mut consumer) = ring(capacity);
    // Frames of 48 bytes: positions 0, 48, 96, 144, ... so most straddle.
    let mut expected = VecDeque::new();
    for i in 0..1000u64 {
        let record = pattern(i, 40);
        assert_eq!(frame_len(record.len()), 48);
        push_ok(&mut producer, &record);
        // Only one such frame fits at a time.
        assert_eq!(producer.push(&record), Err(PushError::Full));
        expected.push_back(record);
        pop_eq(&mut consumer, &expected.pop_front().unwrap());
    }
    assert_eq!(consumer.pop_copy(), None);
}

#[test]
fn full_ring_rejects_and_recovers() {
    let capacity = 256;
    let (mut producer, mut consumer) = ring(capacity);
    let mut expected = VecDeque::new();
    // 24-byte payloads take 32-byte frames: exactly 8 fit.
    for i in 0..8 {
        let record = pattern(i, 24);
        push_ok(&mut producer, &record);
        expected.push_back(record);
    }
    assert_eq!(producer.push(&pattern(100, 24)), Err(PushError::Full));
    // Even the smallest record does not fit in a full ring.
    assert_eq!(producer.push(&[]), Err(PushError::Full));
    // A too-large record is still reported as such, not as `Full`.
    assert_eq!(
        producer.push(&vec![0; capacity + 1]),
        Err(PushError::TooLarge)
    );

    // Failed pushes corrupted nothing.
    pop_eq(&mut consumer, &expected.pop_front().unwrap());
    // `pop_copy` released 32 bytes: one more 32-byte frame fits, not two.
    let record = pattern(8, 24);
    push_ok(&mut producer, &record);
    expected.push_back(record);
    assert_eq!(producer.push(&[]), Err(PushError::Full));

    // Drain and check everything, then the ring accepts a full load again.
    while let Some(record) = expected.pop_front() {
        pop_eq(&mut consumer, &record);
    }
    assert_eq!(consumer.pop_copy(), None);
    for i in 0..4 {
        let record = pattern(200 + i, 56); // 64-byte frames, 4 fill the ring
        push_ok(&mut producer, &record);
        expected.push_back(record);
    }
    assert_eq!(producer.push(&[]), Err(PushError::Full));
    while let Some(record) = expected.pop_front() {
        pop_eq(&mut consumer, &record);
    }
    assert_eq!(consumer.pop_copy(), None);
}

/// A record that exactly fills the remaining space is accepted.
#[test]
fn exact_fit_is_accepted() {
    for capacity in [64, 128, 1024] {
        let (mut producer, mut consumer) = ring(capacity);
        let first = pattern(1, 13); // 24-byte frame
        push_ok(&mut producer, &first);
        let rest = capacity - frame_len(first.len());
        let second = pattern(2, rest - FRAME_HEADER);
        assert_eq!(frame_len(second.len()), rest);
        push_ok(&mut producer, &second);
        assert_eq!(producer.push(&[]), Err(PushError::Full));
        pop_eq(&mut consumer, &first);
        pop_eq(&mut consumer, &second);
        assert_eq!(consumer.pop_copy(), None);

        // A single record whose frame is the whole ring.
        let whole = pattern(3, capacity - FRAME_HEADER);
        push_ok(&mut producer, &whole);
        assert_eq!(producer.push(&[]), Err(PushError::Full));
        pop_eq(&mut consumer, &whole);
    }
}

#[test]
fn oversize_records_are_rejected_and_harmless() {
    let capacity = 64;
    let (mut producer, mut consumer) = ring(capacity);

    // Payload larger than the ring.
    assert_eq!(producer.push(&[7; 65]), Err(PushError::TooLarge));
    assert_eq!(producer.push(&[7; 4096]), Err(PushError::TooLarge));
    // Payload fits in `capacity` but its frame does not: 57..=64 bytes.
    for size in capacity - FRAME_HEADER + 1..=capacity {
        assert!(frame_len(size) > capacity);
        assert_eq!(producer.push(&vec![7; size]), Err(PushError::TooLarge));
    }
    // The writer closure is never called for a record that cannot fit, and
    // an absurd length does not overflow the frame arithmetic.
    // SAFETY: the closure is never run; if it were, it would panic without
    // writing anything.
    let result = unsafe { producer.push_with(usize::MAX, |_| panic!("called")) };
    assert_eq!(result, Err(PushError::TooLarge));
    // SAFETY: as above.
    let result = unsafe { producer.push_with(capacity, |_| panic!("called")) };
    assert_eq!(result, Err(PushError::TooLarge));
    assert_eq!(consumer.pop_copy(), None, "a rejected record was published");

    // The largest acceptable record.
    let max = pattern(1, capacity - FRAME_HEADER);
    push_ok(&mut producer, &max);
    // With the ring non-empty, an oversize record is still `TooLarge`.
    assert_eq!(producer.push(&[7; 60]), Err(PushError::TooLarge));
    pop_eq(&mut consumer, &max);

    // And the ring is fine afterwards, including across the wrap point.
    let a = pattern(2, 20);
    let b = pattern(3, 40);
    push_ok(&mut producer, &a); // virtual [64, 96)
    assert_eq!(producer.push(&[7; 100]), Err(PushError::TooLarge));
    pop_eq(&mut consumer, &a);
    push_ok(&mut producer, &b); // virtual [96, 144): straddles 128
    assert_eq!(producer.push(&[7; 57]), Err(PushError::TooLarge));
    pop_eq(&mut consumer, &b);
    assert_eq!(consumer.pop_copy(), None);
}

#[test]
fn zero_length_payloads() {
    let capacity = 64;
    let (mut producer, mut consumer) = ring(capacity);
    assert_eq!(frame_len(0), FRAME_HEADER);
    // Eight 8-byte frames fill a 64-byte ring.
    for _ in 0..capacity / FRAME_HEADER {
        push_ok(&mut producer, &[]);
    }
    assert_eq!(producer.push(&[]), Err(PushError::Full));
    assert!(consumer.refresh());
    for _ in 0..capacity / FRAME_HEADER {
        assert_eq!(consumer.peek(), Some(&[][..]));
        consumer.advance();
    }
    assert_eq!(consumer.peek(), None);
    assert!(!consumer.refresh());
    consumer.release();

    // Mixed with non-empty records, over many laps.
    let mut expected = VecDeque::new();
    for i in 0..500u64 {
        let record = if i.is_multiple_of(3) {
            Vec::new()
        } else {
            pattern(i, (i % 17) as usize)
        };
        push_ok(&mut producer, &record);
        expected.push_back(record);
        if expected.len() > 2 {
            pop_eq(&mut consumer, &expected.pop_front().unwrap());
        }
    }
    while let Some(record) = expected.pop_front() {
        pop_eq(&mut consumer, &record);
    }
    assert_eq!(consumer.pop_copy(), None);
}

/// A deterministic mix of pushes and pops over thousands of laps of small
/// rings, checked against a queue.
#[test]
fn interleaved_push_pop_over_many_laps() {
    for capacity in [64, 128, 512] {
        let (mut producer, mut consumer) = ring(capacity);
        let mut expected = VecDeque::new();
        let mut rng = 0x1234_5678_9ABC_DEF0u64 ^ capacity as u64;
        let mut next = move || {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng
        };
        let mut pushed_bytes = 0usize;
        let mut seq = 0u64;
        let mut fulls = 0;
        while pushed_bytes < 2000 * capacity {
            let r = next();
            if r % 5 < 3 {
                let size = (next() % (capacity as u64 - FRAME_HEADER as u64 + 1)) as usize;
                let size = if r.is_multiple_of(2) { size % 24 } else { size };
                let record = pattern(seq, size);
                seq += 1;
                match producer.push(&record) {
                    Ok(()) => {
                        pushed_bytes += frame_len(size);
                        expected.push_back(record);
                    }
                    Err(PushError::Full) => {
                        fulls += 1;
                        let used: usize =
                            expected.iter().map(|r: &Vec<u8>| frame_len(r.len())).sum();
                        assert!(used + frame_len(size) > capacity, "spurious Full");
                    }
                    Err(PushError::TooLarge) => panic!("{size} bytes cannot be too large"),
                }
            } else {
                match expected.pop_front() {
                    Some(record) => pop_eq(&mut consumer, &record),
                    None => assert_eq!(consumer.pop_copy(), None),
                }
            }
        }
        while let Some(record) = expected.pop_front() {
            pop_eq(&mut consumer, &record);
        }
        assert_eq!(consumer.pop_copy(), None);
        assert!(fulls > 0, "the test never filled the ring");
    }
}

#[test]
fn peek_sees_only_records_published_before_the_last_refresh() {
    let (mut producer, mut consumer) = ring(256);
    let a = pattern(1, 10);
    let b = pattern(2, 20);
    let c = pattern(3, 0);
    push_ok(&mut producer, &a);
    // Not refreshed yet: nothing is known.
    assert_eq!(consumer.peek(), None);
    assert!(consumer.refresh());
    push_ok(&mut producer, &b);
    assert_eq!(consumer.peek(), Some(&a[..]));
    // Peeking does not consume.
    assert_eq!(consumer.peek(), Some(&a[..]));
    consumer.advance();
    // `b` was published after the refresh: not visible yet.
    assert_eq!(consumer.peek(), None);
    assert!(consumer.refresh());
    push_ok(&mut producer, &c);
    assert_eq!(consumer.peek(), Some(&b[..]));
    consumer.advance();
    assert_eq!(consumer.peek(), None);
    assert!(consumer.refresh());
    assert_eq!(consumer.peek(), Some(&c[..]));
    consumer.advance();
    assert_eq!(consumer.peek(), None);
    assert!(!consumer.refresh(), "everything was read");
    assert_eq!(consumer.peek(), None);
}

#[test]
fn refresh_reports_unread_records() {
    let (mut producer, mut consumer) = ring(128);
    assert!(!consumer.refresh());
    push_ok(&mut producer, b"x");
    assert!(consumer.refresh());
    // Still unread: refresh keeps saying so.
    assert!(consumer.refresh());
    consumer.advance();
    assert!(!consumer.refresh());
}

/// The producer sees space the consumer has read only once it is released,
/// explicitly or by the automatic release after a quarter of the ring.
#[test]
fn freed_space_is_visible_only_after_release() {
    let capacity = 256; // auto-release after 64 bytes
    let (mut producer, mut consumer) = ring(capacity);
    let mut seq = 0;
    let mut next_record = || {
        seq += 1;
        pattern(seq, 24) // 32-byte frames
    };
    let mut expected = VecDeque::new();
    for _ in 0..capacity / 32 {
        let record = next_record();
        push_ok(&mut producer, &record);
        expected.push_back(record);
    }
    assert_eq!(producer.push(&[]), Err(PushError::Full));

    assert!(consumer.refresh());
    // Read 32 bytes (< capacity / 4): not released.
    assert_eq!(consumer.peek(), Some(&expected.pop_front().unwrap()[..]));
    consumer.advance();
    assert_eq!(producer.push(&[]), Err(PushError::Full));
    // Read 64 bytes in total (= capacity / 4): released automatically.
    assert_eq!(consumer.peek(), Some(&expected.pop_front().unwrap()[..]));
    consumer.advance();
    for _ in 0..2 {
        let record = next_record();
        push_ok(&mut producer, &record);
        expected.push_back(record);
    }
    assert_eq!(producer.push(&[]), Err(PushError::Full));

    // Read 32 bytes, not auto-released, then released explicitly.
    assert_eq!(consumer.peek(), Some(&expected.pop_front().unwrap()[..]));
    consumer.advance();
    assert_eq!(producer.push(&[]), Err(PushError::Full));
    consumer.release();
    let record = next_record();
    push_ok(&mut producer, &record);
    expected.push_back(record);
    assert_eq!(producer.push(&[]), Err(PushError::Full));
    // Releasing again frees nothing more.
    consumer.release();
    assert_eq!(producer.push(&[]), Err(PushError::Full));

    // Read three records without releasing: the first two auto-release
    // (64 bytes), the third does not.
    for _ in 0..3 {
        assert_eq!(consumer.peek(), Some(&expected.pop_front().unwrap()[..]));
        consumer.advance();
    }
    for _ in 0..2 {
        let record = next_record();
        push_ok(&mut producer, &record);
        expected.push_back(record);
    }
    assert_eq!(producer.push(&[]), Err(PushError::Full));
    consumer.release();
    let record = next_record();
    push_ok(&mut producer, &record);
    expected.push_back(record);
    assert_eq!(producer.push(&[]), Err(PushError::Full));

    // Everything is still intact and in order.
    while let Some(record) = expected.pop_front() {
        pop_eq(&mut consumer, &record);
    }
    assert_eq!(consumer.pop_copy(), None);
}

/// Small records read with `advance` are handed back in one batch when the
/// read-but-unreleased bytes reach a quarter of the ring, not before.
#[test]
fn auto_release_threshold_is_a_quarter_of_capacity() {
    for capacity in [64, 128, 1024, 4096] {
        let count = capacity / FRAME_HEADER;
        let per_batch = capacity / 4 / FRAME_HEADER;
        for read in 0..=count {
            let (mut producer, mut consumer) = ring(capacity);
            // Fill the ring with empty records (8-byte frames).
            for _ in 0..count {
                push_ok(&mut producer, &[]);
            }
            assert_eq!(producer.push(&[]), Err(PushError::Full));
            assert!(consumer.refresh());
            for _ in 0..read {
                assert_eq!(consumer.peek(), Some(&[][..]));
                consumer.advance();
            }
            // Exactly the whole batches read so far are free again.
            let released = read / per_batch * per_batch;
            let mut free = 0;
            while producer.push(&[]).is_ok() {
                free += 1;
            }
            assert_eq!(free, released, "capacity {capacity}, read {read}");
            consumer.release();
            let mut more = 0;
            while producer.push(&[]).is_ok() {
                more += 1;
            }
            assert_eq!(more, read - released, "capacity {capacity}, read {read}");
            // The unread records plus the refilled ones: `count` in all.
            let mut remaining = 0;
            while let Some(record) = consumer.pop_copy() {
                assert!(record.is_empty());
                remaining += 1;
            }
            assert_eq!(remaining, count, "unread plus refilled");
        }
    }
}

#[test]
fn pop_copy_releases_immediately() {
    let (mut producer, mut consumer) = ring(64);
    let record = pattern(9, 56); // a 64-byte frame fills the ring
    for i in 0..10 {
        push_ok(&mut producer, &record);
        assert_eq!(producer.push(&[]), Err(PushError::Full), "lap {i}");
        pop_eq(&mut consumer, &record);
    }
}

#[test]
fn release_without_reads_is_a_no_op() {
    let (mut producer, mut consumer) = ring(64);
    consumer.release();
    push_ok(&mut producer, &[1; 56]);
    consumer.release();
    assert_eq!(producer.push(&[]), Err(PushError::Full));
    assert!(consumer.refresh());
    consumer.release();
    assert_eq!(producer.push(&[]), Err(PushError::Full));
    pop_eq(&mut consumer, &[1; 56]);
}

#[test]
#[cfg(debug_assertions)]
#[should_panic(expected = "advance() without a record")]
fn advance_without_a_record_panics_in_debug() {
    let (_producer, mut consumer) = ring(64);
    consumer.advance();
}

#[test]
#[cfg(not(debug_assertions))]
fn advance_without_a_record_is_a_no_op_in_release() {
    let (mut producer, mut consumer) = ring(64);
    consumer.advance();
    push_ok(&mut producer, b"abc");
    // Published but not refreshed: advance must not skip it.
    consumer.advance();
    pop_eq(&mut consumer, b"abc");
}

#[test]
fn is_finished_after_the_producer_is_dropped() {
    let (mut producer, mut consumer) = ring(128);
    let records: Vec<_> = (0..3).map(|i| pattern(i, 8 + i as usize * 5)).collect();
    for record in &records {
        push_ok(&mut producer, record);
    }
    assert!(!consumer.is_finished(), "producer alive, records unread");
    drop(producer);
    // Records remain (and were never refreshed before): not finished.
    assert!(!consumer.is_finished());
    pop_eq(&mut consumer, &records[0]);
    assert!(!consumer.is_finished());
    // Read the rest with peek/advance, without releasing.
    assert!(consumer.refresh());
    assert_eq!(consumer.peek(), Some(&records[1][..]));
    consumer.advance();
    assert!(!consumer.is_finished());
    assert_eq!(consumer.peek(), Some(&records[2][..]));
    consumer.advance();
    assert!(consumer.is_finished());
    assert!(consumer.is_finished(), "stays finished");
    assert_eq!(consumer.pop_copy(), None);
}

#[test]
fn is_finished_with_an_empty_ring() {
    let (producer, mut consumer) = ring(64);
    assert!(!consumer.is_finished());
    drop(producer);
    assert!(consumer.is_finished());
}

#[test]
fn consumer_outlives_and_producer_outlives() {
    // Either end may be dropped first; the buffer is freed by the last one.
    let (mut producer, consumer) = ring(64);
    drop(consumer);
    push_ok(&mut producer, b"nobody reads this");
    drop(producer);

    let (mut producer, mut consumer) = ring(64);
    push_ok(&mut producer, b"late");
    drop(producer);
    pop_eq(&mut consumer, b"late");
    assert!(consumer.is_finished());
}

#[test]
fn push_with_writes_in_place() {
    let (mut producer, mut consumer) = ring(128);
    // SAFETY: the closure writes exactly the 20 bytes it is given.
    let result = unsafe {
        producer.push_with(20, |dst| {
            assert_eq!(dst as usize % FRAME_ALIGN, 0, "payload is aligned");
            for i in 0..20 {
                dst.add(i).write(i as u8 * 3);
            }
        })
    };
    assert_eq!(result, Ok(()));
    let expected: Vec<u8> = (0..20).map(|i| i * 3).collect();
    pop_eq(&mut consumer, &expected);
}

#[test]
fn push_error_display() {
    assert_eq!(PushError::Full.to_string(), "the ring is full");
    assert_eq!(
        PushError::TooLarge.to_string(),
        "the record is larger than the ring"
    );
    let e: Box<dyn std::error::Error> = Box::new(PushError::Full);
    assert_eq!(e.to_string(), "the ring is full");
}

/// Size of record `seq` in the stress tests: 0..=200 bytes.
fn stress_size(seq: u64) -> usize {
    let mut x = seq.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    x ^= x >> 31;
    (x % 201) as usize
}

/// FNV-1a over `bytes`.
fn fnv1a(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811C_9DC5u32, |h, &b| {
        (h ^ b as u32).wrapping_mul(0x0100_0193)
    })
}

/// Record `seq` of the stress tests: the sequence number (little-endian,
/// truncated to the record), pattern bytes, and, when there are at least 12
/// bytes, an FNV-1a checksum of the rest in the last 4.
fn stress_record(seq: u64, out: &mut Vec<u8>) {
    let size = stress_size(seq);
    out.clear();
    out.extend_from_slice(&seq.to_le_bytes()[..size.min(8)]);
    let body = size.saturating_sub(8 + if size >= 12 { 4 } else { 0 });
    let mut x = seq as u8;
    out.extend((0..body).map(|i| {
        x = x.wrapping_mul(31).wrapping_add(i as u8 ^ 0x5A);
        x
    }));
    if size >= 12 {
        let sum = fnv1a(out);
        out.extend_from_slice(&sum.to_le_bytes());
    }
    assert_eq!(out.len(), size);
}

/// Checks record `seq` as the consumer sees it, with its embedded sequence
/// number and checksum, and byte-for-byte against the expected record.
#[track_caller]
fn check_stress_record(seq: u64, got: &[u8], scratch: &mut Vec<u8>) {
    let size = stress_size(seq);
    assert_eq!(got.len(), size, "record {seq}: wrong length");
    let n = size.min(8);
    let mut seq_bytes = [0; 8];
    seq_bytes[..n].copy_from_slice(&got[..n]);
    let mask = if n == 8 {
        u64::MAX
    } else {
        (1u64 << (8 * n)) - 1
    };
    assert_eq!(
        u64::from_le_bytes(seq_bytes),
        seq & mask,
        "record {seq}: out of order"
    );
    if size >= 12 {
        let (data, sum) = got.split_at(size - 4);
        assert_eq!(fnv1a(data).to_le_bytes(), sum, "record {seq}: bad checksum");
    }
    stress_record(seq, scratch);
    assert_eq!(got, &scratch[..], "record {seq}: wrong content");
}

/// Sets its flag when dropped, also while unwinding: tells a producer that
/// spins on a full ring that the consumer has stopped (say, on a failed
/// check), so that the test fails instead of hanging.
struct SetOnDrop(Arc<AtomicBool>);

impl Drop for SetOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Release);
    }
}

/// Pushes `record`, retrying while the ring is full; panics if the consumer
/// is gone. Returns how many times the ring was full.
fn push_retrying(producer: &mut Producer, record: &[u8], consumer_gone: &AtomicBool) -> u64 {
    let mut fulls = 0;
    loop {
        match producer.push(record) {
            Ok(()) => return fulls,
            Err(PushError::Full) => {
                fulls += 1;
                assert!(
                    !consumer_gone.load(Ordering::Acquire),
                    "the consumer stopped early"
                );
                if fulls.is_multiple_of(64) {
                    thread::yield_now();
                } else {
                    std::hint::spin_loop();
                }
            }
            Err(PushError::TooLarge) => panic!("{} bytes too large", record.len()),
        }
    }
}

/// One producer thread and one consumer thread, `n` records through a ring
/// of `capacity` bytes; the consumer checks order and content of every
/// record and stops on `is_finished`. Returns how often the producer found
/// the ring full.
fn stress(capacity: usize, n: u64, consumer_batches: bool) -> u64 {
    let (mut producer, mut consumer) = ring(capacity);
    let consumer_gone = Arc::new(AtomicBool::new(false));
    let gone = consumer_gone.clone();
    let producer_thread = thread::spawn(move || {
        let mut fulls = 0u64;
        let mut record = Vec::new();
        for seq in 0..n {
            stress_record(seq, &mut record);
            fulls += push_retrying(&mut producer, &record, &gone);
        }
        fulls
        // `producer` is dropped here: the consumer then finishes.
    });
    let consumer_thread = thread::spawn(move || {
        let _guard = SetOnDrop(consumer_gone);
        let mut scratch = Vec::new();
        let mut seq = 0u64;
        let mut idle = 0u32;
        loop {
            if consumer_batches {
                // Writer-style: a snapshot, then peek/advance through it,
                // releasing only at the end of the batch (or automatically).
                if consumer.refresh() {
                    while let Some(got) = consumer.peek() {
                        check_stress_record(seq, got, &mut scratch);
                        seq += 1;
                        consumer.advance();
                    }
                    consumer.release();
                    continue;
                }
            } else if let Some(got) = consumer.pop_copy() {
                check_stress_record(seq, &got, &mut scratch);
                seq += 1;
                continue;
            }
            if consumer.is_finished() {
                break;
            }
            idle += 1;
            if idle.is_multiple_of(64) {
                thread::yield_now();
            } else {
                std::hint::spin_loop();
            }
        }
        seq
    });
    // The consumer first: if it fails, its panic is the one to report.
    let received = consumer_thread.join();
    let fulls = producer_thread.join();
    let received = received.unwrap_or_else(|e| std::panic::resume_unwind(e));
    let fulls = fulls.unwrap_or_else(|e| std::panic::resume_unwind(e));
    assert_eq!(received, n, "consumer finished early");
    fulls
}

const STRESS_RECORDS: u64 = if cfg!(miri) { 2_000 } else { 1_000_000 };

#[test]
fn two_threads_stress_batched_consumer() {
    let fulls = stress(4096, STRESS_RECORDS, true);
    println!("{STRESS_RECORDS} records, producer saw Full {fulls} times");
}

#[test]
fn two_threads_stress_small_ring_pop_copy() {
    // A small ring: the producer waits often and many records straddle.
    let n = STRESS_RECORDS / 4;
    let fulls = stress(256, n, false);
    println!("{n} records, producer saw Full {fulls} times");
}

#[test]
fn two_threads_stress_minimum_capacity() {
    // Records of up to 200 bytes do not fit in 64: here payloads of 0..=56
    // bytes, i.e. every frame size up to the whole ring.
    let n = STRESS_RECORDS / 10;
    let (mut producer, mut consumer) = ring(MIN_CAPACITY);
    let consumer_gone = Arc::new(AtomicBool::new(false));
    let gone = consumer_gone.clone();
    let producer_thread = thread::spawn(move || {
        for seq in 0..n {
            let record = pattern(seq, (seq % 57) as usize);
            push_retrying(&mut producer, &record, &gone);
        }
    });
    let guard = SetOnDrop(consumer_gone);
    let mut seq = 0;
    loop {
        if let Some(got) = consumer.pop_copy() {
            assert_eq!(got, pattern(seq, (seq % 57) as usize), "record {seq}");
            seq += 1;
        } else if consumer.is_finished() {
            break;
        } else {
            thread::yield_now();
        }
    }
    drop(guard);
    producer_thread.join().expect("producer panicked");
    assert_eq!(seq, n);
}
